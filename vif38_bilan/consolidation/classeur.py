"""The consolidation workbook consolidation-AAAA.xlsx: actions, indicators, sources, disagreements, missing returns."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from vif38_bilan.commun.textes import lignes_repliees
from vif38_bilan.gabarits import disposition
from vif38_bilan.commun.classeur_flux import Feuille, ecrire_classeur
from vif38_bilan.consolidation.actions import Consolidation, Enregistrement, etiquette
from vif38_bilan.consolidation.disposition import (
    ENTETES_DESACCORDS,
    ENTETES_MANQUANTS,
    COMPLET,
    ENTETES_SOURCES,
    FEUILLE_ACTIONS,
    FEUILLE_CHIFFRES,
    FEUILLE_DESACCORDS,
    FEUILLE_INDICATEURS,
    FEUILLE_MANQUANTS,
    FEUILLE_SOURCES,
    TYPE_CONSOLIDATION,
    TYPES_LISIBLES,
    entetes_actions,
    entetes_chiffres,
    entetes_indicateurs,
    largeurs_colonnes,
    paires_id,
)
from vif38_bilan.consolidation.completude import texte_partiel
from vif38_bilan.consolidation.historique_chiffres import ligne_serie
from vif38_bilan.referentiel.temporalite import Temporalite
from vif38_bilan.referentiel.protocole import Protocole


def _roles(protocole: Protocole, code: str) -> tuple[str, str]:
    chef = [a.code for a, r in protocole.actions_du_pilote(code) if r == "chef de file"]
    co = [a.code for a, r in protocole.actions_du_pilote(code) if r != "chef de file"]
    return ", ".join(chef), ", ".join(co)


def _detail_texte(e: Enregistrement, k: int) -> str:
    """Per-pilot detail, how the figure was obtained, unknown years, structures not concerned."""
    detail = e.details[k]
    morceaux = [e.explication(k) or (" ; ".join(f"{q} : {v}" for q, v in detail) if len(detail) > 1 else "")]
    morceaux.append(e.annees_non_renseignees(k))
    if e.non_concernees:
        morceaux.append("non concernée(s) : " + ", ".join(e.non_concernees))
    return " — ".join(m for m in morceaux if m)


def _completude(e: Enregistrement, k: int, type_: str) -> str:
    """ "complet", "partiel : Police non transmis", "non renseigné", or "" for a text indicator;
    beside ANNULÉE / EN ATTENTE, says the figure is not counted as an achievement."""
    if type_ != "entier":
        return ""
    if e.valeurs[k] is None:
        return "non renseigné"
    texte = texte_partiel(e.partiel(k)) or COMPLET
    if not e.realisation:
        texte += f" — action {e.statut.lower()} : ni taux ni cumul"
    if k < len(e.doubles) and e.doubles[k]:
        texte += " — probable double compte"
    return texte


def ecrire_consolidation(consolidation: Consolidation, chemin: str | Path) -> Path:
    """Write consolidation-AAAA.xlsx: actions, indicateurs, sources, désaccords, retours manquants.

    Streamed (classeur_flux, xlsxwriter): the sources sheet of a national year (185,000 rows) is
    written row after row, never held in memory."""
    c = consolidation
    p = c.protocole
    annees, annee = c.annees, c.annee

    def remplir(wb: Any) -> None:
        entete = wb.add_format({"bold": True, "bg_color": "#D9E1F2", "text_wrap": True, "valign": "top"})
        texte = wb.add_format({"text_wrap": True, "valign": "top"})
        taux = wb.add_format({"num_format": "0%"})

        def feuille(titre: str, entetes: list[str], largeurs: dict[int, float]) -> Feuille:
            colonnes = largeurs_colonnes(entetes, largeurs)
            # LibreOffice does not fit the header row of a generated file: give wrapped headers room.
            lignes = max(lignes_repliees(t, largeur / 1.1) for t, largeur in zip(entetes, colonnes, strict=True))
            ws = Feuille(wb, titre, entetes, colonnes, entete, lignes * 13 + 4 if lignes > 1 else None)
            ws.figer(1, 1)
            return ws

        entetes = entetes_actions(annees, annee)
        debut_obs = 6 + len(annees) + 1  # 0-based column of the first "Observations" column
        largeurs = {1: 10, 2: 6, 3: 9, 4: 60, 5: 28, 6: 16} | {j + 1: 60 for j in range(debut_obs, len(entetes))}
        ws = feuille(FEUILLE_ACTIONS, entetes, largeurs)
        formats = [None] * len(entetes)
        for j in [3, 4, *range(debut_obs, len(entetes))]:
            formats[j] = texte
        for a in p.actions:
            recs = [c.enregistrement(a.code, y) for y in annees]
            courant = c.enregistrement(a.code, annee)
            ligne = [a.code, a.axe, a.objectif, a.description, a.pilotage, etiquette(p, a.chef_de_file)]
            ligne += [r.statut if r else None for r in recs]
            ligne.append(courant.origine if courant else "")
            ligne += ["\n".join(r.observations_attribuees()) if r else "" for r in recs]
            ws.ecrire(ligne, formats)

        _indicateurs(feuille, taux, c)

        ws = feuille(FEUILLE_SOURCES, ENTETES_SOURCES, {3: 40, 6: 40, 7: 45, 10: 66})
        for s in c.sources:
            ligne = [s.annee, s.code_action, s.rubrique, s.pilote, s.structure, s.valeur, s.fichier, s.feuille]
            ws.ecrire([*ligne, s.cellule, s.sha256])

        ws = feuille(FEUILLE_DESACCORDS, ENTETES_DESACCORDS, {3: 26, 6: 60, 7: 80})
        for d in c.desaccords:
            decl = " ; ".join(f"{q} ({r}) : {s}" for q, r, s in d.declarations)
            ws.ecrire([d.annee, d.code_action, d.nature, d.statut_retenu, d.chef_de_file, decl, d.message])

        ws = feuille(FEUILLE_MANQUANTS, ENTETES_MANQUANTS, {1: 26, 2: 60, 3: 40, 4: 40})
        for code in c.manquants:
            try:
                nom = p.pilote(code).nom
            except KeyError:
                nom = code
            ws.ecrire([code, nom, *_roles(p, code)])

        if c.chiffres:
            _chiffres(feuille, taux, c)
        ident = wb.add_worksheet(disposition.FEUILLE_ID)
        for i, (k, v) in enumerate(paires_id(p, annee, TYPE_CONSOLIDATION)):
            ident.write_string(i, 0, k)
            ident.write_string(i, 1, v)
        ident.hide()

    return ecrire_classeur(chemin, remplir)


def _indicateurs(feuille: Any, taux: Any, c: Consolidation) -> None:
    """The indicators sheet: one row per indicator, every year's value, the bilan's year's rate,
    cumul (a stock is never cumulated), detail, completeness and temporalité."""
    p, annees, annee = c.protocole, c.annees, c.annee
    entetes = entetes_indicateurs(annees, annee)
    ws = feuille(FEUILLE_INDICATEURS, entetes, {1: 10, 2: 5, 3: 50, 4: 9, 5: 10})
    n = len(entetes)
    formats = [None] * n
    formats[n - 7] = formats[n - 4] = taux
    for a in p.actions:
        courant = c.enregistrement(a.code, annee)
        for k, ind in enumerate(a.indicateurs):
            ligne = [a.code, k + 1, ind.libelle, TYPES_LISIBLES.get(ind.type, ind.type), ind.cible_annuelle]
            ligne += [(c.enregistrement(a.code, y).valeurs[k] if c.enregistrement(a.code, y) else None) for y in annees]
            if courant:
                stock = ind.temporalite == Temporalite.STOCK and ind.type == "entier"
                ligne += [
                    courant.taux[k],
                    "non cumulé (stock)" if stock and courant.realisation else courant.cumuls[k],
                    courant.cibles_cumulees[k],
                    courant.taux_cumules[k],
                    _detail_texte(courant, k),
                    _completude(courant, k, ind.type),
                    ind.temporalite,
                ]
            ws.ecrire(ligne, formats)


def _chiffres(feuille: Any, taux: Any, c: Consolidation) -> None:
    """The key figures: one row per row code, every known year, the change from last year and the
    detail per pilot. The next year's history reads back the column of its own year."""
    annees = sorted({y for chiffre in c.chiffres for y in chiffre.annees})
    tetes = entetes_chiffres(annees, c.annee)
    ws = feuille(FEUILLE_CHIFFRES, tetes, {1: 30, 2: 50, 3: 30, len(tetes): 40})
    formats = [None] * len(tetes)
    formats[len(tetes) - 3] = taux
    for chiffre in c.chiffres:
        for li in chiffre.lignes:
            valeurs = []
            for y in annees:
                v = li.valeurs.get(y)
                valeurs.append(None if v is None else (f"{v.valeur} ({v.periode})" if v.periode else v.valeur))
            courant = li.valeurs.get(c.annee)
            details = courant.details if courant else ()
            detail = " ; ".join(f"{q} : {v}" for q, v in details) if len(details) > 1 else ""
            if courant is not None and courant.partiel:
                detail = " — ".join(x for x in (detail, texte_partiel(courant.partiel)) if x)
            serie = ligne_serie(c.protocole, chiffre.serie, li.code, li.detail)
            ws.ecrire([*serie, *valeurs, li.variation(c.annee), detail, chiffre.serie.temporalite], formats)
