"""Working-notes sections about the meaning of the figures (issue 23), beside the bilan every time:
the agent's arbitrations with their motif, probable double counts, partial figures, and figures
that disagree with their action's status (ANNULÉE / EN ATTENTE with figures, EFFECTUÉE with all 0).
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

from vif38_bilan.bilan.textes import nombre, pluriel
from vif38_bilan.bilan.word import Redacteur, repartir
from vif38_bilan.consolidation.actions import ORIGINE_ARBITRAGE, Consolidation
from vif38_bilan.consolidation.completude import texte_partiel
from vif38_bilan.consolidation.disposition import etiquette, rubrique_indicateur
from vif38_bilan.referentiel.protocole import Protocole


def sections_chiffres(r: Redacteur, p: Protocole, annee: int, c: Consolidation, largeur: float) -> None:
    """Write the four sections (each says « nothing » when it has nothing)."""
    _arbitrages(r, p, annee, c, largeur)
    _doubles_comptes(r, p, annee, c, largeur)
    _partiels(r, p, annee, c, largeur)
    _statuts_et_chiffres(r, p, annee, c, largeur)


def rien(r: Redacteur, texte: str) -> None:
    """A section with nothing to check says so, in italics."""
    r.para(texte, italique=True)


def _arbitrages(r: Redacteur, p: Protocole, annee: int, c: Consolidation, largeur: float) -> None:
    r.titre("Arbitrages de la DDFE", 1)
    if not c.arbitrages:
        rien(
            r,
            f"Aucun arbitrage pour {annee}. Pour décider quel chiffre fait foi : vif38-bilan arbitrer --annee {annee} "
            '--action CODE (--regle …, --valeur …, ou --pilote …) --motif "la raison".',
        )
        return
    r.para(
        "Décisions enregistrées dans arbitrages.toml, appliquées à ce bilan. Le bilan signé écrit seulement "
        "« chiffre retenu après arbitrage » ; le motif reste ici et dans la feuille « sources » de la consolidation."
    )
    t = r.tableau(repartir(largeur, [1.5, 3.6, 3.2, 5.6, 3.1]), ["Action", "Portée", "Décision", "Motif", "Effet"])
    for a in c.arbitrages:
        e = c.enregistrement(a.action, annee)
        action = p.action(a.action)
        if a.indicateur is not None:
            portee = rubrique_indicateur(action, a.indicateur - 1)
            indices = [a.indicateur - 1]
        else:
            portee = "tous ses indicateurs chiffrés" + (" et son statut" if a.pilote else "")
            indices = [k for k, i in enumerate(action.indicateurs) if i.type == "entier"]
        effets = []
        for k in indices:
            ag = e.agregats[k] if e and k < len(e.agregats) else None
            if ag is not None and ag.arbitrage:
                effets.append(
                    f"indicateur {k + 1} : {nombre(ag.valeur) if ag.valeur is not None else 'non additionné'}"
                )
            else:
                effets.append(f"indicateur {k + 1} : sans effet (aucun chiffre de ce pilote)")
        if a.pilote and a.indicateur is None and e is not None:
            effets.append(f"statut : {e.statut}" if e.origine == ORIGINE_ARBITRAGE else "statut : sans effet")
        cells = r.ligne(t)
        r.texte_cellule(cells[0], a.action)
        r.texte_cellule(cells[1], portee)
        r.texte_cellule(cells[2], a.decision(lambda code: etiquette(p, code)))
        r.texte_cellule(cells[3], [a.motif, f"(le {_jour(a.date)})" if a.date else ""])
        r.texte_cellule(cells[4], effets)


def _jour(iso: str) -> str:
    """ "2026-12-07" → "07/12/2026" (a date the agent reads); anything else unchanged."""
    morceaux = iso.split("-")
    return "/".join(reversed(morceaux)) if len(morceaux) == 3 and all(m.isdigit() for m in morceaux) else iso


def indicateurs_de_l_annee(p: Protocole, c: Consolidation, annee: int) -> Iterator[tuple[Any, int, Any]]:
    """(action, indicator index, the action's record of annee) for every indicator with a record."""
    for a in p.actions:
        e = c.enregistrement(a.code, annee)
        if e is not None:
            for k in range(len(a.indicateurs)):
                yield a, k, e


def _doubles_comptes(r: Redacteur, p: Protocole, annee: int, c: Consolidation, largeur: float) -> None:
    r.titre("Probables doubles comptes", 1)
    lignes = [(a, k, e) for a, k, e in indicateurs_de_l_annee(p, c, annee) if k < len(e.doubles) and e.doubles[k]]
    if not lignes:
        rien(r, "Aucune somme de déclarations égales : pas de double compte probable.")
        return
    r.para(
        "Règle « somme » et au moins deux déclarations égales et non nulles : probablement un même événement déclaré "
        "deux fois (formation co-financée, colloque commun). Vérifiez avec les pilotes ; si c'est le cas : "
        f'vif38-bilan arbitrer --annee {annee} --action CODE --regle maximum --motif "la raison".'
    )
    t = r.tableau(repartir(largeur, [1.5, 5.5, 7.0, 3.0]), ["Action", "Indicateur", "Déclarations", "Somme retenue"])
    for a, k, e in lignes:
        cells = r.ligne(t)
        r.texte_cellule(cells[0], a.code)
        r.texte_cellule(cells[1], rubrique_indicateur(a, k))
        r.texte_cellule(cells[2], [f"{q} : {nombre(v)}" for q, v in e.details[k]])
        r.texte_cellule(cells[3], nombre(e.valeurs[k]) if e.valeurs[k] is not None else "")


def _partiels(r: Redacteur, p: Protocole, annee: int, c: Consolidation, largeur: float) -> None:
    r.titre("Chiffres partiels", 1)
    lignes = [
        (a.code, rubrique_indicateur(a, k), nombre(e.valeurs[k]), texte_partiel(e.partiel(k)))
        for a, k, e in indicateurs_de_l_annee(p, c, annee)
        if e.partiel(k) and e.valeurs[k] is not None
    ]
    for ch in c.chiffres:
        for li in ch.lignes:
            v = li.valeurs.get(annee)
            if v is not None and v.partiel and v.valeur is not None:
                libelle = ch.serie.libelle + (f" — {li.detail}" if li.detail else "")
                lignes.append(("chiffre clé", libelle, nombre(v.valeur), texte_partiel(v.partiel)))
    if not lignes:
        rien(r, "Aucun chiffre partiel : chaque total a reçu les chiffres de tous ses pilotes attendus.")
        return
    r.para(
        f"{pluriel(len(lignes), 'chiffre')} sans un pilote attendu (pas de retour, ou valeur refusée) : le bilan les "
        "marque « partiel » et ne calcule pas de taux. Relancez les pilotes ou faites corriger, puis relancez le bilan."
    )
    t = r.tableau(repartir(largeur, [2.0, 7.0, 2.0, 6.0]), ["Action", "Indicateur", "Total", "Ce qui manque"])
    for ligne in lignes:
        cells = r.ligne(t)
        for cell, texte in zip(cells, ligne, strict=True):
            r.texte_cellule(cell, texte)


def _statuts_et_chiffres(r: Redacteur, p: Protocole, annee: int, c: Consolidation, largeur: float) -> None:
    r.titre("Statuts et chiffres à rapprocher", 1)
    lignes = []
    for a in p.actions:
        e = c.enregistrement(a.code, annee)
        if e is None or not e.statut:
            continue
        comptes = [e.valeurs[k] for k, i in enumerate(a.indicateurs) if i.type == "entier" and e.valeurs[k] is not None]
        if not e.realisation and comptes:
            lignes.append((a.code, e.statut, "chiffres déclarés : ni taux ni cumul dans le bilan", comptes))
        elif e.statut == "EFFECTUÉE" and comptes and all(v == 0 for v in comptes):
            lignes.append((a.code, e.statut, "tous les chiffres sont à 0 : l'action a-t-elle eu lieu ?", comptes))
    if not lignes:
        rien(r, "Aucun chiffre déclaré pour une action annulée ou en attente, aucune action effectuée à 0.")
        return
    r.para(
        "Le statut retenu ne s'accorde pas avec les chiffres déclarés : vérifiez avec le chef de file (statut ou chiffres)."
    )
    t = r.tableau(repartir(largeur, [1.5, 2.6, 8.9, 4.0]), ["Action", "Statut", "Constat", "Chiffres"])
    for code, statut, constat, comptes in lignes:
        cells = r.ligne(t)
        r.texte_cellule(cells[0], code)
        r.texte_cellule(cells[1], statut)
        r.texte_cellule(cells[2], constat)
        r.texte_cellule(cells[3], ", ".join(nombre(v) for v in comptes))
