"""The end-of-protocol bilan (issue 28): like the 2019-2021 annex of the Isère protocol, one table per
objective, the protocol's years' statuses side by side, each year's observations, and the figures
of the whole period (each year's value and their total) — read from the years' consolidation
workbooks (made by the tool, imported from Word bilans or typed by hand).

Only what is signed: a year without its workbook shows empty cells, named in the closing note.
"""

from __future__ import annotations

import io
from datetime import date
from pathlib import Path

from vif38_bilan.espace import fichiers
from vif38_bilan.commun.ecriture import zip_stable
from vif38_bilan.bilan import word
from vif38_bilan.bilan.annexes import signatures
from vif38_bilan.bilan.textes import NON_RENSEIGNE, date_francaise, statut_cellule
from vif38_bilan.bilan.word import Redacteur, repartir
from vif38_bilan.commun.ecriture import ecrire_octets
from vif38_bilan.consolidation.historique import Historique
from vif38_bilan.commun.nombres import nombre
from vif38_bilan.referentiel.protocole import Action, Protocole
from vif38_bilan.referentiel.temporalite import Temporalite, cumuler


def nom_bilan_protocole(protocole: Protocole) -> str:
    """ "bilan-protocole-2022-2024.docx"."""
    return fichiers.nom_bilan_protocole(protocole.periode)


def _nombre(v: object) -> str:
    if isinstance(v, bool):
        return "oui" if v else "non"
    return nombre(v) if isinstance(v, int) else str(v)


def _chiffres(a: Action, p: Protocole, h: Historique) -> list[str]:
    """One line per indicator: each year's value, and the total of a count over the years known."""
    lignes = []
    for k, ind in enumerate(a.indicateurs):
        par_an = [(y, h.valeurs.get(y, {}).get((a.code, k))) for y in p.annees]
        connues = [(y, v) for y, v in par_an if v not in (None, "")]
        if not connues:
            continue
        texte = " ; ".join(f"{y} : {_nombre(v)}" for y, v in connues)
        if ind.type == "entier" and all(isinstance(v, int) and not isinstance(v, bool) for _, v in connues):
            # The one rule of what the years add up to (a stock is a level, never summed).
            c = cumuler(ind.temporalite, ind.type, par_an, ind.cible_annuelle)
            if Temporalite(ind.temporalite) is Temporalite.STOCK:
                texte += f" ; niveau en {c.depuis} : {_nombre(c.valeur)} (stock, non cumulé)"
                if c.cible:
                    texte += f" (cible : {_nombre(c.cible)})"
            else:
                texte += f" ; total {p.periode} : {_nombre(c.valeur)}"
                if c.cible:
                    texte += f" (cible : {_nombre(c.cible)} sur la période)"
        lignes.append(f"{ind.libelle} — {texte}")
    return lignes


def _observations(a: Action, p: Protocole, h: Historique) -> list[str]:
    lignes = []
    for y in p.annees:
        texte = (h.observations.get(y, {}).get(a.code) or "").strip()
        if texte:
            morceaux = texte.split("\n")
            lignes.append(f"{y} : {morceaux[0]}")
            lignes.extend(morceaux[1:])
    return lignes + _chiffres(a, p, h)


def construire_bilan_protocole(
    p: Protocole, h: Historique, date_edition: date | None = None, service: str = "DDFE de l'Isère"
) -> bytes:
    """The end-of-protocol bilan as .docx bytes.

    Args:
        p: the completed protocol.
        h: its years as read by lire_historique(p, sorties, last year + 1).
        date_edition: printed on the cover (today when None).
    Returns:
        The document's bytes (stable zip for the same inputs and date).
    """
    date_edition = date_edition or date.today()
    doc = word.document_vierge()
    word.styles(doc, False)
    r = Redacteur(doc)
    r.titre(f"Bilan du protocole {p.periode}", 1)
    r.para(p.titre)
    r.para(f"{service} — édité le {date_francaise(date_edition)}.")
    manquantes = [y for y in p.annees if y not in h.sources]
    r.section(paysage=True)
    largeurs = repartir(r.largeur_utile_cm(), [6.4, 3.0, 3.0] + [2.2] * len(p.annees) + [8.0])
    entetes = ["OBJECTIFS", "ACTEURS", "Autres acteurs", *[str(y) for y in p.annees], "OBSERVATIONS"]
    for axe in p.axes:
        r.titre(f"AXE {axe.numero} : {axe.titre}", 1)
        for o in p.objectifs_de_axe(axe.numero):
            r.titre(f"N°{o.numero} : {o.titre}", 2)
            t = r.tableau(largeurs, entetes)
            for a in p.actions_de_objectif(o.numero):
                cells = r.ligne(t, insecable=False)
                r.texte_cellule(cells[0], a.description, gras_debut=f"{a.code} ")
                r.texte_cellule(cells[1], a.pilotage)
                r.texte_cellule(cells[2], a.autres_acteurs)
                for j, y in enumerate(p.annees, 3):
                    statut = h.statuts.get(y, {}).get(a.code)
                    statut_cellule(r, cells[j], statut, "" if statut else NON_RENSEIGNE)
                r.texte_cellule(cells[-1], _observations(a, p, h))
    r.section(paysage=False)
    r.titre("Sources", 1)
    for y in p.annees:
        r.para(f"{y} : " + (f"classeur de consolidation {h.sources[y].name}." if y in h.sources else "non renseignée."))
    if manquantes:
        r.para(f"Années sans classeur de consolidation : {', '.join(map(str, manquantes))}.", italique=True)
    signatures(r, p, p.annees[-1], f"Bilan {p.periode}")
    word.pied_de_page(
        r, p.annees[-1], False, f"Protocole {p.territoire} {p.periode} — bilan du protocole", f"Bilan {p.periode}"
    )
    word.mettre_a_jour_champs(doc)
    tampon = io.BytesIO()
    doc.save(tampon)
    return zip_stable(tampon.getvalue(), date_edition)


def ecrire_bilan_protocole(
    p: Protocole, h: Historique, chemin: str | Path, date_edition: date | None = None, service: str = "DDFE de l'Isère"
) -> Path:
    """Write the end-of-protocol bilan atomically; returns its path. Raises SortieBloquee."""
    return ecrire_octets(chemin, construire_bilan_protocole(p, h, date_edition, service))
