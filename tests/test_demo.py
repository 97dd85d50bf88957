"""The demo end to end: two years of invented returns through every step, read back."""

from __future__ import annotations

import pytest
from click.testing import CliRunner
from python_calamine import CalamineWorkbook

from vif38_bilan.cli.principal import cli


@pytest.fixture(scope="module")
def demo(tmp_path_factory):
    from vif38_bilan.demo.demonstration import creer_demo

    return creer_demo(tmp_path_factory.mktemp("d") / "demo-vif38")


def _lignes_actions(docx_path):
    from docx import Document

    doc = Document(str(docx_path))
    lignes = {}
    for t in doc.tables:
        entete = [c.text.strip() for c in t.rows[0].cells]
        if entete[:3] != ["OBJECTIFS", "ACTEURS", "Autres acteurs"]:
            continue
        for row in t.rows[1:]:
            cells = [c.text.strip() for c in row.cells]
            code = cells[0].split()[0]
            assert code not in lignes, f"{code} apparaît deux fois"
            lignes[code] = dict(zip(entete, cells, strict=False))
    return lignes


def test_deux_bilans_et_53_actions(demo, protocole):
    assert sorted(demo.bilans) == [2022, 2023]
    lignes = _lignes_actions(demo.bilans[2023])
    assert list(lignes) == [a.code for a in protocole.actions]
    # 2022 comes from the 2022 consolidation (history), 2023 from this year's returns, 2024 not reached.
    assert all(ligne["2022"] for ligne in lignes.values())
    assert sum(bool(ligne["2023"]) for ligne in lignes.values()) >= 50
    assert all(ligne["2024"] == "" for ligne in lignes.values())
    assert lignes["1-1-1"]["OBSERVATIONS"].startswith("[")


def test_scenario_de_la_demo(demo):
    assert demo.manquants == {2022: ["PROMOTEURS_DU_NET"], 2023: ["DEFENSEUR_DES_DROITS"]}
    # "une dizaine" in a count, a status left empty, a phone number in an observation (issue 12)
    assert demo.erreurs[2023] == 3
    wb = CalamineWorkbook.from_path(str(demo.controles[2023]))
    anomalies = wb.get_sheet_by_name("Anomalies").to_python()
    texte = "\n".join(" | ".join(map(str, r)) for r in anomalies)
    assert "une dizaine" in texte and "remplacé" in texte.lower()
    assert "valeur_atypique" not in texte  # same level every year: no outlier against the pilot's own 2022 figure


def test_chaque_chiffre_a_sa_source(demo, protocole):
    wb = CalamineWorkbook.from_path(str(demo.consolidations[2023]))
    sources = wb.get_sheet_by_name("sources").to_python()
    entete = sources[0]
    assert {"Fichier", "Feuille", "Cellule", "SHA-256 du fichier"} <= set(entete)
    fichiers = {r[entete.index("Fichier")] for r in sources[1:]}
    assert any("Justice" in f for f in fichiers)
    jc = entete.index("Cellule")
    assert all(r[jc] for r in sources[1:])


def test_commande_demo_et_courriels(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    r = CliRunner().invoke(cli, ["demo", "ici"], catch_exceptions=False)
    assert r.exit_code == 0, r.output
    assert "bilan-2023.docx" in r.output
    r = CliRunner().invoke(cli, ["demo", "ici"])
    assert r.exit_code == 2 and "existe déjà" in r.output
    monkeypatch.chdir(tmp_path / "ici")
    r = CliRunner().invoke(cli, ["courriels", "--annee", "2023", "--type", "correction"], catch_exceptions=False)
    assert r.exit_code == 0, r.output
    brouillons = list((tmp_path / "ici" / "sorties" / "2023" / "courriels" / "correction").glob("*.eml"))
    assert {b.stem for b in brouillons} >= {"GENDARMERIE", "SIAO"}


def test_chiffres_cles_du_bilan_2023(demo):
    """HU FVV 2018-2023 (four known years, the DDETS's 2022 and 2023 returns), the commission's
    table, charts, and every key figure of the consolidation traced in its sources sheet."""
    from docx import Document

    doc = Document(str(demo.bilans[2023]))
    tableaux = {}
    for t in doc.tables:
        lignes = [[c.text for c in r.cells] for r in t.rows]
        if lignes[0][0] == "" and lignes[0][-1] == "Évolution 2022-2023":
            tableaux[lignes[1][0]] = lignes
    hu = tableaux["Places"]
    assert hu[0] == ["", "2018", "2019", "2020", "2021", "2022", "2023", "Évolution 2022-2023"]
    assert hu[1] == ["Places", "143", "187", "199", "213", "226", "241", "+7\u00a0%"]
    commission = tableaux["Commissions réunies"]
    assert commission[0] == ["", "juin 2017-2021", "2022", "2023", "Évolution 2022-2023"]
    assert [r[0] for r in commission[1:]] == [
        "Commissions réunies",
        "Autorisations de parcours de sortie",
        "Refus",
        "Renouvellements",
        "Sorties vers le droit commun",
        "Refus de renouvellement",
    ]
    assert commission[2][1:] == ["59", "14", "12", "−14\u00a0%"]
    siao = tableaux["Demandes de personnes victimes de violences"]
    assert siao[2][-2:] == ["non renseigné", "non renseigné"]  # left empty by the SIAO: never 0
    textes = [p.text for p in doc.paragraphs]
    assert (
        "Figure\u202f: Places d'hébergement d'urgence pérennes dédiées aux femmes victimes de violences (HU FVV), 2018-2023."
        in textes
    )
    assert len(doc.inline_shapes) >= 3  # the status chart and key-figure charts
    # Placed after the synthesis, before the objectives' tables.
    titres = [p.text for p in doc.paragraphs if p.style.name.startswith("Heading")]
    assert titres.index("Chiffres clés") == titres.index("Retours reçus et attendus") + 1
    assert titres.index("Chiffres clés") < titres.index("AXE 1\u202f: VIOLENCES INTRAFAMILIALES")

    wb = CalamineWorkbook.from_path(str(demo.consolidations[2023]))
    chiffres = wb.get_sheet_by_name("chiffres clés").to_python()
    sources = wb.get_sheet_by_name("sources").to_python()
    entete = chiffres[0]
    traces = {(int(r[0]), r[1]) for r in sources[1:] if r[2].startswith("Chiffre clé")}
    for ligne in chiffres[1:]:
        for j, tete in enumerate(entete):
            if tete.startswith("Valeur ") and ligne[j] != "":
                assert (int(tete.split()[1]), ligne[0]) in traces, (ligne[0], tete)
    assert (2023, "hu_fvv") in traces and (2018, "hu_fvv") in traces


def test_chaque_chiffre_signe_dit_ce_qu_il_est(demo):
    """Issue 23 in the demo: no sum of a shared count, one colloquium, no cumulated stock, no rate beside ANNULÉE."""
    import re

    for annee in (2022, 2023):
        lignes = _lignes_actions(demo.bilans[annee])
        obs = {code: ligne["OBSERVATIONS"].replace("\u202f", " ") for code, ligne in lignes.items()}
        # 1-1-1: co-financed trainings, one count declared by both pilots: the largest, never the sum.
        m = re.search(
            r"(\d+) personnes formées \(déclarations : DDFE (\d+), Département (\d+) ; maximum retenu\)", obs["1-1-1"]
        )
        assert m, obs["1-1-1"]
        assert int(m.group(1)) == max(int(m.group(2)), int(m.group(3)))
        # 1-2-1: one colloquium a year, whoever declares it.
        assert re.search(r"Nombre de colloques organisés : 1\b", obs["1-2-1"]) and "2 colloques" not in obs["1-2-1"]
        # 1-5-2: a stock (networks existing), never cumulated.
        assert "Cumul" not in obs["1-5-2"] and "en fin d'année" in obs["1-5-2"]
        annulees = [code for code, ligne in lignes.items() if ligne[str(annee)] == "ANNULÉE"]
        for code in annulees:
            generees = [x for x in obs[code].split("\n") if not x.startswith("[")]
            assert not any("%" in x or x.startswith("Cumul") for x in generees), (code, generees)
    assert "Évolution 2022-2023 : " in _lignes_actions(demo.bilans[2023])["1-5-2"]["OBSERVATIONS"].replace(
        "\u202f", " "
    )
    assert [c for c, ligne in _lignes_actions(demo.bilans[2023]).items() if ligne["2023"] == "ANNULÉE"]
