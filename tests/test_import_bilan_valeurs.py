"""Indicator values taken from an earlier Word bilan (issue 28): unambiguous ones written in the
history workbook, marked « repris du bilan Word » with their place; ambiguous ones listed, never guessed."""

from __future__ import annotations

from datetime import date, datetime

import docx
import openpyxl

import vif38_bilan.cycle as v
from vif38_bilan.consolidation.historique import lire_historique
from vif38_bilan.consolidation.import_word_valeurs import REPRIS, nom_compte
from vif38_bilan.gabarits.remplissage import chiffres_inventes, identite_inventee, remplir_gabarit, reponses_inventees


def _bilan_2022(racine):
    espace = v.creer_espace(racine, courriel="ddfe@exemple.invalid", date_limite="15/02/2023")
    chemins = v.produire_gabarits(espace, 2022, pilotes=["DDFE"], maintenant=datetime(2023, 1, 10, 9)).chemins
    reponses = reponses_inventees(espace.protocole, "DDFE", 2022)
    reponses["1-1-1"].update(statut="EN COURS", valeurs=[123], observations="Douze sessions de formation.")
    remplir_gabarit(
        chemins[0], espace.dossier("saisies", 2022) / "Bilan DDFE.xlsx", reponses,
        identite=identite_inventee(espace.protocole, "DDFE", 2022), modifie_le=datetime(2023, 2, 1, 9),
        chiffres=chiffres_inventes(espace.protocole, "DDFE", 2022),
    )  # fmt: skip
    return espace, v.produire_bilan(espace, 2022, date_edition=date(2023, 4, 10)).bilan


def _simples(p, sauf: set[str]):
    """Actions with one count indicator whose counted noun is known, without DDFE (no figure yet in the bilan)."""
    for a in p.actions:
        if "DDFE" in a.pilotes:
            continue
        entiers = [i for i in a.indicateurs if i.type == "entier"]
        if a.code not in sauf and len(a.indicateurs) == 1 and entiers and nom_compte(entiers[0].libelle):
            yield a


def test_valeurs_reprises_et_ambigues(tmp_path):
    espace, bilan = _bilan_2022(tmp_path / "a")
    p = espace.protocole
    libre, ambigue = list(_simples(p, {"1-1-1"}))[:2]
    nom_libre, nom_ambigu = nom_compte(libre.indicateurs[0].libelle), nom_compte(ambigue.indicateurs[0].libelle)
    d = docx.Document(str(bilan))
    for a, texte in ((libre, f"Au total 156 {nom_libre}s cette année."),
                     (ambigue, f"150 {nom_ambigu}s en mars, puis 210 {nom_ambigu}s en juin.")):  # fmt: skip
        ligne = next(row for t in d.tables for row in t.rows if row.cells[0].text.startswith(f"{a.code} "))
        ligne.cells[-1].add_paragraph(texte)
    # The HU FVV table nested in 1-4-1's cell, as in the 2019-2021 annex: 2020 as known, 2021 differs.
    cellule = next(row for t in d.tables for row in t.rows if row.cells[0].text.startswith("1-4-1 ")).cells[-1]
    interne = cellule.add_table(rows=3, cols=3)
    interne.cell(0, 0).merge(interne.cell(0, 2)).text = "HU FVV PERENNE"
    for j, (an, valeur) in enumerate([(2020, 199), (2021, 250), (2022, 230)]):
        interne.cell(1, j).text, interne.cell(2, j).text = str(an), str(valeur)
    modifie = tmp_path / "bilan-2022-annote.docx"
    d.save(modifie)

    autre = v.creer_espace(tmp_path / "b", courriel="ddfe@exemple.invalid", date_limite="15/02/2024")
    imp = v.importer_bilan_word(autre, modifie)
    assert imp.annees == (2022,)
    prises = {(x.code, x.k): x for x in imp.valeurs}
    assert prises[("1-1-1", 0)].valeur == 123 and prises[(libre.code, 0)].valeur == 156
    assert ambigue.code not in {c for c, _ in prises}
    assert [(a.code, a.valeurs) for a in imp.ambigues] == [(ambigue.code, (150, 210)), ("1-4-1", (250,))]
    assert [(c.annee, c.code, c.valeur) for c in imp.chiffres] == [(2022, "hu_fvv", 230)]

    wb = openpyxl.load_workbook(imp.fichiers[0])
    ind = wb["indicateurs"]
    tete = [c.value for c in ind[1]]
    valeurs = {(r[0], r[1]): r[tete.index("Valeur 2022")] for r in ind.iter_rows(min_row=2, values_only=True)}
    assert valeurs[("1-1-1", 1)] == 123 and valeurs[(libre.code, 1)] == 156 and valeurs[(ambigue.code, 1)] is None
    sources = [r for r in wb["sources"].iter_rows(min_row=2, values_only=True) if r[1] == libre.code]
    assert sources[0][2] == f"Indicateur 1 ({REPRIS})" and sources[0][5] == 156
    assert sources[0][6] == modifie.name and sources[0][7].endswith(f"action {libre.code}, observations 2022")
    assert f"156 {nom_libre}s" in sources[0][8]
    revue = list(wb["Revue"].iter_rows(min_row=2, values_only=True))
    assert [(r[1], r[3]) for r in revue] == [(ambigue.code, "150 ; 210"), ("1-4-1", "250")]
    assert revue[1][2] == "chiffre clé hu_fvv (2021, hors des années importées)"
    chiffres = {r[0]: r[-1] for r in wb["chiffres clés"].iter_rows(min_row=2, values_only=True)}
    assert chiffres["hu_fvv"] == 230
    source = next(r for r in wb["sources"].iter_rows(min_row=2, values_only=True) if r[1] == "hu_fvv")
    assert source[2] == f"Chiffre clé ({REPRIS})" and source[5] == 230 and "HU FVV PERENNE" in source[7]

    # The next year reads them as 2022's figures.
    h = lire_historique(autre.protocole, autre.dossier("sorties"), 2023)
    assert h.valeurs[2022][("1-1-1", 0)] == 123 and h.valeurs[2022][(libre.code, 0)] == 156
    assert h.chiffres[2022]["hu_fvv"] == 230
