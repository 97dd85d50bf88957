"""The "Chiffres clés" sheet of a collection workbook: the key figures its pilot provides.

Same contract as the Saisie sheet (disposition.py): the header row is found by its "Code chiffre"
cell, rows by their code, columns by their header; earlier years are shown for reference (blue,
locked), the year's value is the only input (yellow, whole number ≥ 0).
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from openpyxl.utils import get_column_letter

from vif38_bilan.gabarits import disposition as d
from vif38_bilan.referentiel.chiffres_cles import SerieChiffre, code_ligne
from vif38_bilan.gabarits.forme import Styles, hauteur_ligne, paysage_a4, proteger, validation_entier
from vif38_bilan.referentiel.protocole import Protocole

LIGNE_TITRE = 1
LIGNE_CONSIGNE = 2
LIGNE_EN_TETE = 4
LARGEURS = {d.CODE_CHIFFRE: 34, d.CHIFFRE: 46, d.DETAIL: 30, d.UNITE: 11}


def series_du_pilote(protocole: Protocole, code: str) -> list[SerieChiffre]:
    return [s for s in protocole.chiffres if code in s.pilotes]


def rappels(serie: SerieChiffre, historique: Mapping[int, Mapping[str, Any]], annee: int) -> dict[str, dict[int, Any]]:
    """Row code → earlier year → what the sheet shows: the history workbooks' value of a protocol
    year, else the referential's (a multi-year count shown with its period: "59 (juin 2017-2021)")."""
    sortie: dict[str, dict[int, Any]] = {code: {} for code, _ in serie.codes}
    for v in serie.historique:
        if v.annee < annee:
            sortie[code_ligne(serie.id, v.ligne)][v.annee] = f"{v.valeur} ({v.periode})" if v.periode else v.valeur
    for y, valeurs in historique.items():
        if y < annee:
            for code in sortie:
                if valeurs.get(code) is not None:
                    sortie[code][y] = valeurs[code]
    return sortie


def en_tetes(annees_rappel: list[int], annee: int) -> list[str]:
    return [
        d.CODE_CHIFFRE,
        d.CHIFFRE,
        d.DETAIL,
        d.UNITE,
        *[d.entete_rappel(y) for y in annees_rappel],
        d.entete_valeur(annee, 1),
    ]


def feuille_chiffres(
    wb: Any,
    protocole: Protocole,
    annee: int,
    code: str,
    historique: Mapping[int, Mapping[str, Any]],
    avant: str = d.FEUILLE_ID,
) -> list[str]:
    """Add the key-figure sheet of pilot `code` before sheet `avant`; returns the row codes
    written (none, and no sheet, when the pilot provides no key figure)."""
    series = series_du_pilote(protocole, code)
    if not series:
        return []
    ws = wb.create_sheet(d.FEUILLE_CHIFFRES, wb.sheetnames.index(avant) if avant in wb.sheetnames else None)
    s = Styles(ws)
    valeurs = {serie.id: rappels(serie, historique, annee) for serie in series}
    # Every year from the first known one (or the protocol's first) to last year: a gap shows.
    connues = {y for v in valeurs.values() for par_annee in v.values() for y in par_annee}
    connues |= {y for y in protocole.annees if y < annee}
    annees_rappel = list(range(min(connues), annee)) if connues else []
    tetes = en_tetes(annees_rappel, annee)
    col = {t: j for j, t in enumerate(tetes, 1)}
    pilote = protocole.pilote(code)

    s.poser(ws, LIGNE_TITRE, 1, f"Chiffres clés {annee} – {pilote.nom}", s.titre)
    s.poser(
        ws,
        LIGNE_CONSIGNE,
        1,
        f"Pour chaque chiffre, saisissez dans la colonne jaune la valeur {annee} : un nombre entier, sans unité. "
        "Les années précédentes sont rappelées pour mémoire. Laissez vide une valeur que vous ne connaissez pas, "
        "et expliquez-la dans les observations de la feuille « Saisie ».",
        s.consigne,
    )
    for texte, j in col.items():
        s.poser(ws, LIGNE_EN_TETE, j, texte, s.entete)
        ws.column_dimensions[get_column_letter(j)].width = LARGEURS.get(texte, 12)
    ws.row_dimensions[LIGNE_EN_TETE].height = 30

    v_entier = validation_entier(
        "12 places",
        "Saisissez un nombre entier positif ou nul, sans unité ni texte. Laissez vide si vous ne savez pas.",
    )
    c_valeur = col[d.entete_valeur(annee, 1)]
    ligne = LIGNE_EN_TETE
    codes: list[str] = []
    for serie in series:
        for code_rangee, detail in serie.codes:
            ligne += 1
            codes.append(code_rangee)
            s.poser(ws, ligne, col[d.CODE_CHIFFRE], code_rangee, s.texte)
            s.poser(ws, ligne, col[d.CHIFFRE], serie.libelle, s.texte)
            s.poser(ws, ligne, col[d.DETAIL], detail, s.texte)
            s.poser(ws, ligne, col[d.UNITE], serie.unite, s.texte_centre)
            for y in annees_rappel:
                s.poser(ws, ligne, col[d.entete_rappel(y)], valeurs[serie.id][code_rangee].get(y), s.prerempli)
            s.poser(ws, ligne, c_valeur, None, s.saisie_centre)
            v_entier.add(f"{get_column_letter(c_valeur)}{ligne}")
            ws.row_dimensions[ligne].height = hauteur_ligne(
                [(serie.libelle, LARGEURS[d.CHIFFRE]), (detail, LARGEURS[d.DETAIL])]
            )
    ws.add_data_validation(v_entier)
    paysage_a4(ws, LIGNE_EN_TETE)
    ws.oddFooter.left.text = f"{code} – chiffres clés {annee}"
    ws.oddFooter.right.text = "Page &P / &N"
    proteger(ws)
    return codes
