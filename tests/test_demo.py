"""The demo end to end: two years of invented returns through every step, read back."""

from __future__ import annotations

import pytest
from click.testing import CliRunner
from python_calamine import CalamineWorkbook

from vif38_bilan.cli import cli


@pytest.fixture(scope="module")
def demo(tmp_path_factory):
    from vif38_bilan.demo import creer_demo

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
