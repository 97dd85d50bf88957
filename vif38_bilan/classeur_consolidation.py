"""The consolidation workbook consolidation-AAAA.xlsx: actions, indicators, sources, disagreements, missing returns."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from vif38_bilan.consolidation import Consolidation, Enregistrement, etiquette
from vif38_bilan.disposition_consolidation import (
    ENTETES_DESACCORDS,
    ENTETES_MANQUANTS,
    ENTETES_SOURCES,
    FEUILLE_ACTIONS,
    FEUILLE_CHIFFRES,
    FEUILLE_DESACCORDS,
    FEUILLE_INDICATEURS,
    FEUILLE_MANQUANTS,
    FEUILLE_SOURCES,
    TYPE_CONSOLIDATION,
    TYPES_LISIBLES,
    ecrire_ligne,
    entetes_actions,
    entetes_chiffres,
    entetes_indicateurs,
    feuille,
    feuille_id,
    nouveau_classeur,
)
from vif38_bilan.ecriture import enregistrer_classeur
from vif38_bilan.historique_chiffres import ligne_serie
from vif38_bilan.referentiel import Protocole


def _format_taux(ws, colonnes: list[int], nb_lignes: int) -> None:
    for j in colonnes:
        for i in range(2, nb_lignes + 2):
            ws.cell(row=i, column=j).number_format = "0%"


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


def ecrire_consolidation(consolidation: Consolidation, chemin: str | Path) -> Path:
    """Write consolidation-AAAA.xlsx: actions, indicateurs, sources, désaccords, retours manquants."""
    from openpyxl.styles import Alignment
    from openpyxl.utils import get_column_letter

    c = consolidation
    p = c.protocole
    annees, annee = c.annees, c.annee
    wb = nouveau_classeur()

    ws = feuille(wb, FEUILLE_ACTIONS, entetes_actions(annees, annee), {1: 10, 2: 6, 3: 9, 4: 60, 5: 28, 6: 16})
    for i, a in enumerate(p.actions, 2):
        recs = [c.enregistrement(a.code, y) for y in annees]
        courant = c.enregistrement(a.code, annee)
        ligne = [a.code, a.axe, a.objectif, a.description, a.pilotage, etiquette(p, a.chef_de_file)]
        ligne += [r.statut if r else None for r in recs]
        ligne.append(courant.origine if courant else "")
        ligne += ["\n".join(r.observations_attribuees()) if r else "" for r in recs]
        ecrire_ligne(ws, i, ligne)
    debut_obs = 6 + len(annees) + 2
    for j in range(debut_obs, debut_obs + len(annees)):
        ws.column_dimensions[get_column_letter(j)].width = 60
    for j in [4, 5, *range(debut_obs, debut_obs + len(annees))]:
        for i in range(2, len(p.actions) + 2):
            ws.cell(row=i, column=j).alignment = Alignment(wrap_text=True, vertical="top")

    entetes = entetes_indicateurs(annees, annee)
    ws = feuille(wb, FEUILLE_INDICATEURS, entetes, {1: 10, 2: 5, 3: 50, 4: 9, 5: 10})
    i = 2
    for a in p.actions:
        courant = c.enregistrement(a.code, annee)
        for k, ind in enumerate(a.indicateurs):
            ligne = [a.code, k + 1, ind.libelle, TYPES_LISIBLES.get(ind.type, ind.type), ind.cible_annuelle]
            ligne += [(c.enregistrement(a.code, y).valeurs[k] if c.enregistrement(a.code, y) else None) for y in annees]
            if courant:
                ligne += [
                    courant.taux[k],
                    courant.cumuls[k],
                    courant.cibles_cumulees[k],
                    courant.taux_cumules[k],
                    _detail_texte(courant, k),
                ]
            ecrire_ligne(ws, i, ligne)
            i += 1
    n = len(entetes)
    _format_taux(ws, [n - 4, n - 1], i - 2)

    ws = feuille(wb, FEUILLE_SOURCES, ENTETES_SOURCES, {3: 40, 6: 40, 7: 45, 10: 66})
    for i, s in enumerate(c.sources, 2):
        ecrire_ligne(
            ws,
            i,
            [
                s.annee,
                s.code_action,
                s.rubrique,
                s.pilote,
                s.structure,
                s.valeur,
                s.fichier,
                s.feuille,
                s.cellule,
                s.sha256,
            ],
        )

    ws = feuille(wb, FEUILLE_DESACCORDS, ENTETES_DESACCORDS, {3: 26, 6: 60, 7: 80})
    for i, d in enumerate(c.desaccords, 2):
        decl = " ; ".join(f"{q} ({r}) : {s}" for q, r, s in d.declarations)
        ecrire_ligne(ws, i, [d.annee, d.code_action, d.nature, d.statut_retenu, d.chef_de_file, decl, d.message])

    ws = feuille(wb, FEUILLE_MANQUANTS, ENTETES_MANQUANTS, {1: 26, 2: 60, 3: 40, 4: 40})
    for i, code in enumerate(c.manquants, 2):
        try:
            nom = p.pilote(code).nom
        except KeyError:
            nom = code
        ecrire_ligne(ws, i, [code, nom, *_roles(p, code)])

    if c.chiffres:
        _chiffres(wb, c)
    feuille_id(wb, p, annee, TYPE_CONSOLIDATION)
    return enregistrer_classeur(wb, chemin)


def _chiffres(wb: Any, c: Consolidation) -> None:
    """The key figures: one row per row code, every known year, the change from last year and the
    detail per pilot. The next year's history reads back the column of its own year."""
    annees = sorted({y for chiffre in c.chiffres for y in chiffre.annees})
    tetes = entetes_chiffres(annees, c.annee)
    ws = feuille(wb, FEUILLE_CHIFFRES, tetes, {1: 30, 2: 50, 3: 30, len(tetes): 40})
    i = 2
    for chiffre in c.chiffres:
        for li in chiffre.lignes:
            valeurs = []
            for y in annees:
                v = li.valeurs.get(y)
                valeurs.append(None if v is None else (f"{v.valeur} ({v.periode})" if v.periode else v.valeur))
            courant = li.valeurs.get(c.annee)
            details = courant.details if courant else ()
            detail = " ; ".join(f"{q} : {v}" for q, v in details) if len(details) > 1 else ""
            ecrire_ligne(
                ws,
                i,
                [*ligne_serie(c.protocole, chiffre.serie, li.code, li.detail), *valeurs, li.variation(c.annee), detail],
            )
            i += 1
    _format_taux(ws, [len(tetes) - 1], i - 2)
