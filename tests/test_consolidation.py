"""Consolidation rules, the consolidation workbook, and the history read back between years.

Built on hand-made ResultatControle records; every workbook is read back (openpyxl, calamine).
"""

from __future__ import annotations

from pathlib import Path

import openpyxl
import pytest
from tests.fabriques import rep, resultat
from python_calamine import CalamineWorkbook

from vif38_bilan.espace.fichiers import nom_consolidation
from vif38_bilan.gabarits import disposition
from vif38_bilan.regles import AVERTISSEMENT, ERREUR
from vif38_bilan.consolidation.classeur import ecrire_consolidation
from vif38_bilan.consolidation.actions import (
    NATURE_DESACCORD,
    NATURE_SANS_CHEF,
    ORIGINE_CHEF,
    ORIGINE_COPILOTE,
    ORIGINE_HISTORIQUE,
    consolider,
)
from vif38_bilan.consolidation.disposition import (
    FEUILLE_ACTIONS,
    FEUILLE_DESACCORDS,
    FEUILLE_INDICATEURS,
    FEUILLE_MANQUANTS,
    FEUILLE_SOURCES,
)
from vif38_bilan.consolidation.historique import Historique, ecrire_historique_vierge, lire_historique

# ---------------------------------------------------------------- rules


def test_le_statut_du_chef_de_file_est_retenu_et_le_desaccord_liste(protocole):
    r = resultat(
        2023,
        [
            rep("DDFE", "1-1-1", "EFFECTUÉE", [100]),
            rep("DEPARTEMENT", "1-1-1", "EN COURS", [56], role="co-pilote"),
        ],
    )
    c = consolider(protocole, 2023, r)
    e = c.enregistrement("1-1-1", 2023)
    assert e.statut == "EFFECTUÉE"
    assert e.origine == ORIGINE_CHEF
    assert not e.signale
    (d,) = [d for d in c.desaccords if d.code_action == "1-1-1"]
    assert d.nature == NATURE_DESACCORD
    assert d.statut_retenu == "EFFECTUÉE"
    assert ("DDFE", "chef de file", "EFFECTUÉE") in d.declarations
    assert ("Département", "co-pilote", "EN COURS") in d.declarations
    assert "statut du chef de file (DDFE) est retenu" in d.message


def test_memes_statuts_pas_de_desaccord(protocole):
    r = resultat(2023, [rep("DDFE", "1-1-3", "EN COURS"), rep("JUSTICE", "1-1-3", "EN COURS", role="co-pilote")])
    c = consolider(protocole, 2023, r)
    assert c.statut("1-1-3", 2023) == "EN COURS"
    assert c.desaccords == []


def test_sans_chef_de_file_le_statut_le_plus_avance_est_retenu_et_signale(protocole):
    # 1-1-2: DDFE leads; ARS and the Département are co-pilots. DDFE did not answer.
    r = resultat(
        2023,
        [
            rep("ARS", "1-1-2", "EN ATTENTE", role="co-pilote"),
            rep("DEPARTEMENT", "1-1-2", "EN COURS", role="co-pilote"),
        ],
        manquants=["DDFE"],
    )
    c = consolider(protocole, 2023, r)
    e = c.enregistrement("1-1-2", 2023)
    assert e.statut == "EN COURS"
    assert e.origine == ORIGINE_COPILOTE
    assert e.signale
    (d,) = c.desaccords
    assert d.statut_retenu == "EN COURS"
    assert "Pas de statut du chef de file (DDFE)" in d.message

    # One co-pilot only: no disagreement, but still flagged.
    c = consolider(protocole, 2023, resultat(2023, [rep("JUSTICE", "1-1-3", "LANCEMENT", role="co-pilote")]))
    assert c.statut("1-1-3", 2023) == "LANCEMENT"
    (d,) = c.desaccords
    assert d.nature == NATURE_SANS_CHEF


def test_action_sans_aucun_retour(protocole):
    c = consolider(protocole, 2023, resultat(2023, []))
    e = c.enregistrement("4-25-1", 2023)
    assert e.statut is None
    assert e.valeurs == (None,)
    assert e.observations == ()


def test_comptes_additionnes_structures_et_co_pilotes(protocole):
    # 3-20-1: "Associations" (collective) alone; two structures answer. 12 maraudes a year targeted.
    r = resultat(
        2023,
        [
            rep("ASSOCIATIONS", "3-20-1", "EN COURS", [5], "Maraudes le week-end.", structure="Association Miléna"),
            rep("ASSOCIATIONS", "3-20-1", "EN COURS", [9], "Nouveau site.", structure="Solidarité Femmes Isère"),
            # 1-1-2: distinct modules per public, the co-pilot's count adds up with the lead's (rule somme).
            rep("DDFE", "1-1-2", "EFFECTUÉE", [100]),
            rep("DEPARTEMENT", "1-1-2", "EFFECTUÉE", [56], role="co-pilote"),
        ],
    )
    c = consolider(protocole, 2023, r)
    e = c.enregistrement("3-20-1", 2023)
    assert e.valeurs == (14,)
    assert e.cibles == (12,)
    assert e.taux[0] == pytest.approx(14 / 12)
    assert e.details[0] == (("Association Miléna", 5), ("Solidarité Femmes Isère", 9))
    assert e.observations_attribuees() == [
        "[Association Miléna] Maraudes le week-end.",
        "[Solidarité Femmes Isère] Nouveau site.",
    ]
    e = c.enregistrement("1-1-2", 2023)
    assert e.valeurs == (156,)
    assert e.taux[0] == pytest.approx(1.56)
    assert e.details[0] == (("DDFE", 100), ("Département", 56))


def test_oui_non_texte_et_attribution(protocole):
    r = resultat(
        2023,
        [
            rep("UGA", "2-15-2", "EN COURS", ["Non"], "Rédaction en cours."),
            rep("JUSTICE", "2-15-2", "EN COURS", ["Oui"], "Signée en juin.", role="co-pilote"),
            rep("DDFE", "4-22-1", "EFFECTUÉE", ["Mise en ligne sur le site de la préfecture"], "Mise à jour annuelle."),
            rep("COLLECTIVITES", "1-9-2", "EN COURS", [3], "Deux groupes à Vienne.", structure="Ville de Vienne"),
        ],
    )
    c = consolider(protocole, 2023, r)
    assert c.enregistrement("2-15-2", 2023).valeurs == ("Oui",)
    assert c.enregistrement("2-15-2", 2023).observations_attribuees() == [
        "[UGA] Rédaction en cours.",
        "[Justice] Signée en juin.",
    ]
    assert c.enregistrement("4-22-1", 2023).valeurs == ("[DDFE] Mise en ligne sur le site de la préfecture",)
    assert c.enregistrement("4-22-1", 2023).observations_attribuees() == ["[DDFE] Mise à jour annuelle."]
    # A collective pilot's observation carries its structure's name.
    assert c.enregistrement("1-9-2", 2023).observations_attribuees() == ["[Ville de Vienne] Deux groupes à Vienne."]


def test_valeur_refusee_par_le_controle_non_comptee(protocole):
    # The check step leaves None where a cell had an erreur: it is not counted, the other is.
    r = resultat(
        2023, [rep("DDFE", "1-1-1", "EN COURS", [None]), rep("DEPARTEMENT", "1-1-1", None, [40], role="co-pilote")]
    )
    e = consolider(protocole, 2023, r).enregistrement("1-1-1", 2023)
    assert e.valeurs == (40,)
    assert e.details[0] == (("Département", 40),)


# ---------------------------------------------------------------- workbook and history


def _consolidation_2022(protocole):
    return consolider(
        protocole,
        2022,
        resultat(
            2022,
            [
                rep("DDFE", "1-1-1", "EN COURS", [100], "Douze formations."),
                rep("DEPARTEMENT", "1-1-1", "EN COURS", [20], role="co-pilote"),
                rep("ASSOCIATIONS", "3-20-1", "LANCEMENT", [4], structure="Association Miléna"),
                rep("ARS", "4-24-1", "EN ATTENTE", ["Non"]),
            ],
            manquants=["OFII"],
        ),
    )


def test_historique_sur_deux_annees(protocole, tmp_path):
    sorties = tmp_path / "sorties"
    chemin = ecrire_consolidation(_consolidation_2022(protocole), sorties / "2022" / nom_consolidation(2022))
    assert chemin.name == "consolidation-2022.xlsx"

    h = lire_historique(protocole, sorties, 2023)
    assert h.anomalies == []
    assert h.statuts[2022]["1-1-1"] == "EN COURS"
    assert h.statuts[2022]["3-20-1"] == "LANCEMENT"
    assert "1-1-2" not in h.statuts[2022]
    # 1-1-1: co-financed trainings, one count declared by both pilots (rule maximum): 100, not 120.
    assert h.valeurs[2022][("1-1-1", 0)] == 100
    assert h.valeurs[2022][("4-24-1", 0)] == "Non"
    assert h.observations[2022]["1-1-1"] == "[DDFE] Douze formations."
    assert h.sources[2022] == sorties / "2022" / "consolidation-2022.xlsx"

    r = resultat(
        2023,
        [
            rep("DDFE", "1-1-1", "EFFECTUÉE", [130]),
            rep("ASSOCIATIONS", "3-20-1", "EN COURS", [10], structure="Association Miléna"),
        ],
    )
    c = consolider(protocole, 2023, r, h)
    assert c.annees == (2022, 2023)
    e22, e23 = c.enregistrement("1-1-1", 2022), c.enregistrement("1-1-1", 2023)
    assert (e22.statut, e22.origine) == ("EN COURS", ORIGINE_HISTORIQUE)
    assert e23.statut == "EFFECTUÉE"
    assert e23.cumuls == (230,)
    assert e23.cibles_cumulees == (200,)
    assert e23.taux_cumules[0] == pytest.approx(1.15)
    # 2022 figures are traced to the 2022 workbook and its cell.
    (s,) = [s for s in e22.sources if s.rubrique.startswith("Indicateur 1")]
    assert Path(s.fichier).name == "consolidation-2022.xlsx"
    assert s.feuille == FEUILLE_INDICATEURS and s.cellule.startswith("F")
    assert len(s.sha256) == 64

    chemin = ecrire_consolidation(c, sorties / "2023" / nom_consolidation(2023))
    wb = openpyxl.load_workbook(chemin)
    ws = wb[FEUILLE_ACTIONS]
    tete = [c.value for c in ws[1]]
    assert tete[:6] == ["Code action", "Axe", "Objectif", "Action", "Pilotage", "Chef de file"]
    assert "Statut 2022" in tete and "Statut 2023" in tete and "Observations 2023" in tete
    lignes = {r[0]: dict(zip(tete, r, strict=False)) for r in ws.iter_rows(min_row=2, values_only=True)}
    assert len(lignes) == 53
    assert lignes["1-1-1"]["Statut 2022"] == "EN COURS"
    assert lignes["1-1-1"]["Statut 2023"] == "EFFECTUÉE"
    ws = wb[FEUILLE_INDICATEURS]
    tete = [c.value for c in ws[1]]
    ind = {(r[0], r[1]): dict(zip(tete, r, strict=False)) for r in ws.iter_rows(min_row=2, values_only=True)}
    assert ind[("1-1-1", 1)]["Valeur 2022"] == 100
    assert ind[("1-1-1", 1)]["Valeur 2023"] == 130
    assert ind[("1-1-1", 1)]["Cumul 2022-2023"] == 230
    assert ind[("1-1-1", 1)]["Taux 2023"] == pytest.approx(1.3)
    assert wb["_vif38"].sheet_state == "hidden"

    # Read back as the history of 2024: both years.
    h = lire_historique(protocole, sorties, 2024)
    assert h.anomalies == []
    assert h.statuts[2022]["1-1-1"] == "EN COURS" and h.statuts[2023]["1-1-1"] == "EFFECTUÉE"
    assert h.valeurs[2023][("3-20-1", 0)] == 10


def test_feuilles_sources_desaccords_manquants(protocole, tmp_path):
    c = _consolidation_2022(protocole)
    chemin = ecrire_consolidation(c, tmp_path / "c.xlsx")
    wb = CalamineWorkbook.from_path(str(chemin))
    assert wb.sheet_names[:5] == [
        FEUILLE_ACTIONS,
        FEUILLE_INDICATEURS,
        FEUILLE_SOURCES,
        FEUILLE_DESACCORDS,
        FEUILLE_MANQUANTS,
    ]
    sources = wb.get_sheet_by_name(FEUILLE_SOURCES).to_python()
    assert sources[0] == [
        "Année",
        "Code action",
        "Rubrique",
        "Pilote",
        "Structure",
        "Valeur",
        "Fichier",
        "Feuille",
        "Cellule",
        "SHA-256 du fichier",
    ]
    valeur_dep = [r for r in sources[1:] if r[1] == "1-1-1" and r[3] == "DEPARTEMENT" and r[2].startswith("Indicateur")]
    assert len(valeur_dep) == 1
    assert valeur_dep[0][5] == 20
    assert valeur_dep[0][6:9] == ["2023_DEPARTEMENT_bilan.xlsx", disposition.FEUILLE_SAISIE, "J8"]
    assert len(valeur_dep[0][9]) == 64
    # Every consolidated figure has at least one source line.
    codes_sources = {r[1] for r in sources[1:]}
    assert {"1-1-1", "3-20-1", "4-24-1"} <= codes_sources
    desaccords = wb.get_sheet_by_name(FEUILLE_DESACCORDS).to_python()
    assert len(desaccords) == 1  # same status from DDFE and the Département: none
    manquants = wb.get_sheet_by_name(FEUILLE_MANQUANTS).to_python()
    assert manquants[1][0] == "OFII"
    assert "1-10-1" in manquants[1][2]


def test_texte_ressemblant_a_une_formule_reste_du_texte(protocole, tmp_path):
    dangereux = [
        '=HYPERLINK("http://exemple.invalid","clic")',
        "+12 places ouvertes en 2023",  # a phone number here would now be redacted (issue 12)
        "-12 par rapport à 2022",
        "@SOMME(A1:A3)",
    ]
    r = resultat(
        2023,
        [rep("DDFE", f"1-5-{i + 1}", "EN COURS", [None], t) for i, t in enumerate(dangereux[:3])]
        + [rep("DDFE", "4-22-1", "EN COURS", [dangereux[3]], dangereux[3])],
    )
    chemin = ecrire_consolidation(consolider(protocole, 2023, r), tmp_path / "c.xlsx")
    wb = openpyxl.load_workbook(chemin)
    ws = wb[FEUILLE_ACTIONS]
    tete = [c.value for c in ws[1]]
    j = tete.index("Observations 2023") + 1
    cellules = {ws.cell(row=i, column=1).value: ws.cell(row=i, column=j) for i in range(2, ws.max_row + 1)}
    for code, texte in zip(["1-5-1", "1-5-2", "1-5-3"], dangereux, strict=False):
        assert cellules[code].data_type == "s"
        assert cellules[code].value == f"[DDFE] {texte}"
    sources = wb[FEUILLE_SOURCES]
    brut = [c for row in sources.iter_rows(min_row=2) for c in row if c.value == dangereux[3]]
    assert brut and all(c.data_type == "s" for c in brut)
    # The raw XML holds no formula at all.
    import zipfile

    with zipfile.ZipFile(chemin) as z:
        for nom in z.namelist():
            if nom.startswith("xl/worksheets/"):
                assert b"<f>" not in z.read(nom) and b"<f " not in z.read(nom)


# ---------------------------------------------------------------- blank history (years before the tool)


def test_historique_vierge_rempli_a_la_main_puis_relu(protocole, tmp_path):
    sorties = tmp_path / "sorties"
    chemin = ecrire_historique_vierge(protocole, 2022, sorties / "2022" / nom_consolidation(2022))
    wb = openpyxl.load_workbook(chemin)
    assert wb.sheetnames[0] == "Mode d'emploi"
    assert "historique --annee" not in wb["Mode d'emploi"]["A1"].value
    ws = wb[FEUILLE_ACTIONS]
    tete = [c.value for c in ws[1]]
    js, jo = tete.index("Statut 2022") + 1, tete.index("Observations 2022") + 1
    assert ws.max_row == 54 and ws.cell(row=2, column=1).value == "1-1-1"
    assert ws.cell(row=2, column=js).value is None
    listes = [dv for dv in ws.data_validations.dataValidation if dv.type == "list"]
    assert (
        listes
        and "EFFECTUÉE" in listes[0].formula1
        and f"{openpyxl.utils.get_column_letter(js)}2" in str(listes[0].sqref)
    )
    wi = wb[FEUILLE_INDICATEURS]
    tete_i = [c.value for c in wi[1]]
    jv = tete_i.index("Valeur 2022") + 1
    lignes = {(wi.cell(row=i, column=1).value, wi.cell(row=i, column=2).value): i for i in range(2, wi.max_row + 1)}

    # The agent types the 2022 annex by hand, with the usual slips.
    rang = {ws.cell(row=i, column=1).value: i for i in range(2, ws.max_row + 1)}
    ws.cell(row=rang["1-1-1"], column=js).value = "Effectue"
    ws.cell(row=rang["1-1-1"], column=jo).value = "12 formations – 156 professionnels"
    ws.cell(row=rang["1-1-2"], column=js).value = "FINI"
    ws.cell(row=rang["1-1-3"], column=js).value = "EN ATTENTE"
    wi.cell(row=lignes[("1-1-1", 1)], column=jv).value = 156
    wi.cell(row=lignes[("1-1-2", 1)], column=jv).value = "12 pers."
    wi.cell(row=lignes[("1-1-3", 1)], column=jv).value = "beaucoup"
    wi.cell(row=lignes[("4-24-1", 1)], column=jv).value = "oui"
    wb.save(chemin)

    h = lire_historique(protocole, sorties, 2023)
    assert h.statuts[2022] == {"1-1-1": "EFFECTUÉE", "1-1-3": "EN ATTENTE"}
    assert h.observations[2022] == {"1-1-1": "12 formations – 156 professionnels"}
    assert h.valeurs[2022] == {("1-1-1", 0): 156, ("1-1-2", 0): 12, ("4-24-1", 0): "Oui"}
    erreurs = {a.cellule: a for a in h.anomalies if a.gravite == ERREUR}
    lettre_s = openpyxl.utils.get_column_letter(js)
    lettre_v = openpyxl.utils.get_column_letter(jv)
    inconnu = erreurs[f"{lettre_s}{rang['1-1-2']}"]
    assert inconnu.regle == "statut_inconnu" and inconnu.fichier == "2022/consolidation-2022.xlsx"
    assert "« FINI » inconnu" in inconnu.message and "EFFECTUÉE" in inconnu.message
    illisible = erreurs[f"{lettre_v}{lignes[('1-1-3', 1)]}"]
    assert illisible.code_action == "1-1-3" and "beaucoup" in illisible.message
    avertis = {a.cellule for a in h.anomalies if a.gravite == AVERTISSEMENT}
    assert f"{lettre_s}{rang['1-1-1']}" in avertis  # "Effectue" read as EFFECTUÉE
    assert f"{lettre_v}{lignes[('1-1-2', 1)]}" in avertis  # "12 pers." read as 12
    assert h.nb_erreurs == 2

    # The 2023 consolidation carries the typed 2022 column.
    c = consolider(protocole, 2023, resultat(2023, []), h)
    assert c.statut("1-1-1", 2022) == "EFFECTUÉE"
    assert c.enregistrement("1-1-1", 2022).observations_attribuees() == ["12 formations – 156 professionnels"]


def test_historique_absent_ou_illisible(protocole, tmp_path):
    sorties = tmp_path / "sorties"
    h = lire_historique(protocole, sorties, 2024)
    assert h.annees_absentes == [2022, 2023]
    assert [a.gravite for a in h.anomalies] == [AVERTISSEMENT, AVERTISSEMENT]
    assert "vif38-bilan historique --annee 2022" in h.anomalies[0].message

    (sorties / "2022").mkdir(parents=True)
    (sorties / "2022" / "consolidation-2022.xlsx").write_bytes(b"PK\x03\x04 pas vraiment un classeur")
    h = lire_historique(protocole, sorties, 2023)
    (a,) = h.anomalies
    assert a.gravite == ERREUR and "illisible" in a.message and a.fichier == "2022/consolidation-2022.xlsx"
    assert 2022 not in h.statuts

    # The 2022 workbook dropped in the 2023 folder: refused, naming the year.
    ecrire_consolidation(_consolidation_2022(protocole), sorties / "2023" / "consolidation-2023.xlsx")
    h = lire_historique(protocole, sorties, 2024)
    assert any(a.regle == "historique_annee" and "2022" in a.message for a in h.anomalies)
    assert 2023 not in h.statuts


def test_historique_en_tetes_modifies(protocole, tmp_path):
    sorties = tmp_path / "sorties"
    chemin = ecrire_historique_vierge(protocole, 2022, sorties / "2022" / nom_consolidation(2022))
    wb = openpyxl.load_workbook(chemin)
    ws = wb[FEUILLE_ACTIONS]
    for c in ws[1]:
        if c.value == "Statut 2022":
            c.value = "Statut"
    wb.save(chemin)
    h = lire_historique(protocole, sorties, 2023)
    (a,) = [a for a in h.anomalies if a.feuille == FEUILLE_ACTIONS]
    assert a.gravite == ERREUR and "Statut 2022" in a.message and a.cellule == "1"


def test_consolider_sans_historique_colonne_vide(protocole):
    c = consolider(protocole, 2023, resultat(2023, [rep("DDFE", "1-1-1", "EN COURS", [10])]), Historique())
    assert c.statut("1-1-1", 2022) is None
    assert c.enregistrement("1-1-1", 2023).cumuls == (10,)
