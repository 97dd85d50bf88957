"""The Isère protocol in several Word layouts: every layout imports the 53 actions with their pilots
and targets, and the review sheet lists only what is really missing (issue 28)."""

from __future__ import annotations

import openpyxl
import pytest
from tests.documents_word_dispositions import Disposition, document

from vif38_bilan.referentiel.chargement import charger_protocole
from vif38_bilan.referentiel.import_word import FEUILLE_REVUE, ecrire_referentiel_importe, importer_protocole
from vif38_bilan.referentiel.import_word_revue import BLOQUANT

DISPOSITIONS = {
    "signataires-tableau": Disposition(signataires="tableau"),
    "signataires-paragraphes-separes": Disposition(signataires="separes"),
    "signataires-absents": Disposition(signataires="absents"),
    "calendrier-absent": Disposition(calendrier="absent"),
    "calendrier-fusionne": Disposition(calendrier="fusionne"),
    "objectifs-en-liste": Disposition(objectifs="liste"),
    "sommaire-ellipses": Disposition(sommaire="ellipses"),
    "accidents": Disposition(accidents=True),
    "tout-ensemble": Disposition(
        signataires="tableau", calendrier="fusionne", objectifs="liste", sommaire="ellipses", accidents=True
    ),  # fmt: skip
}


@pytest.fixture(scope="module", params=sorted(DISPOSITIONS))
def importe(request, tmp_path_factory):
    nom = request.param
    chemin = document(tmp_path_factory.mktemp("doc") / f"protocole-{nom}.docx", DISPOSITIONS[nom])
    return nom, importer_protocole(chemin)


def _revue(imp, quoi: str) -> list:
    return [i for i in imp.revue if i.quoi == quoi]


def test_53_actions_pilotes_et_cibles(importe, protocole):
    nom, imp = importe
    assert imp.fautes == [] and imp.protocole is not None, imp.fautes
    p = imp.protocole
    assert [a.code for a in p.actions] == [a.code for a in protocole.actions]
    assert p.axes == protocole.axes and p.objectifs == protocole.objectifs and p.sections == protocole.sections
    for a, e in zip(p.actions, protocole.actions, strict=True):
        for champ in ("description", "pilotage", "pilotes", "autres_acteurs", "echeance"):
            assert getattr(a, champ) == getattr(e, champ), (nom, a.code, champ)
        assert [i.cible_annuelle for i in a.indicateurs] == [i.cible_annuelle for i in e.indicateurs], (nom, a.code)


def test_parties_facultatives(importe, protocole):
    nom, imp = importe
    p = imp.protocole
    if nom == "signataires-absents":
        assert p.autorites == () and p.en_presence_de == ()
    else:
        assert p.autorites == protocole.autorites and p.en_presence_de == protocole.en_presence_de, nom
    if nom == "calendrier-absent":
        assert p.calendrier == ()
    else:
        assert p.calendrier == protocole.calendrier, nom


def test_revue_ne_liste_que_ce_qui_manque(importe):
    nom, imp = importe
    a_completer = [(i.ou, i.retenu) for i in _revue(imp, "À compléter")]
    if nom == "signataires-absents":
        assert a_completer == [("signataires", "aucune autorité signataire lue dans le document")]
    else:
        assert a_completer == [], nom
    calendrier = [i.retenu for i in _revue(imp, "Calendrier")]
    assert ("aucun calendrier lu (partie facultative)" in calendrier) == (nom == "calendrier-absent")


def test_accidents_signales(importe):
    nom, imp = importe
    if "accidents" not in nom and nom != "tout-ensemble":
        pytest.skip("sans accidents")
    coupes = [i.ou for i in _revue(imp, "Tableau coupé")]
    # Objective 3 repeats its title row: the same table, silently; without title rows (numbered
    # list) its continuation is told like 15's.
    assert coupes == (["objectif 3", "objectif 15"] if nom == "tout-ensemble" else ["objectif 15"])


def _sans(chemin_source, tmp_path, modifier):
    import docx

    d = docx.Document(chemin_source)
    modifier(d)
    chemin = tmp_path / "modifie.docx"
    d.save(chemin)
    return chemin


@pytest.fixture(scope="module")
def separes(tmp_path_factory):
    return document(tmp_path_factory.mktemp("doc") / "separes.docx", Disposition(signataires="separes"))


def test_champs_manquants_classeur_ecrit_et_cases_marquees(separes, tmp_path):
    """A function and a pilot the document does not give: nothing is refused, the workbook is
    written with the cells marked, and loading it names them by sheet, row and column."""
    from click.testing import CliRunner

    from vif38_bilan.cli.principal import cli

    def modifier(d):
        fonction = next(p for p in d.paragraphs if p.text == "Préfet de l'Isère")
        fonction._p.getparent().remove(fonction._p)
        t = next(t for t in d.tables if t.rows[0].cells[0].text.startswith("Objectif n° 20"))
        t.rows[2].cells[1].text = ""

    imp = importer_protocole(_sans(separes, tmp_path, modifier))
    assert imp.protocole is None and len(imp.donnees["actions"]) == 53
    manque = {(i.ou, i.retenu) for i in _revue(imp, "À compléter")}
    assert ("signataires", "fonction non trouvée dans le document") in manque
    assert ("action 3-20-1", "pilote non trouvé (ligne « Pilotage » vide ou absente)") in manque
    sortie = ecrire_referentiel_importe(imp, tmp_path / "referentiel.xlsx")
    wb = openpyxl.load_workbook(sortie)
    bloquants = [r for r in wb[FEUILLE_REVUE].iter_rows(min_row=2, values_only=True) if r[1] == BLOQUANT]
    assert sorted(r[2] for r in bloquants) == [
        "feuille Actions, ligne 49, colonne « Pilotes (codes, séparés par |) »",
        "feuille Autorités, ligne 2, colonne « Fonction »",
    ]
    aut = wb["Autorités"]
    assert aut.cell(2, 2).value == "Monsieur Laurent PREVOST" and aut.cell(2, 3).value is None
    assert aut.cell(2, 3).fill.fgColor.rgb.endswith("FFF2CC") and "À remplir" in aut.cell(2, 3).comment.text
    assert wb["Actions"].cell(49, 1).value == "3-20-1"
    r = CliRunner().invoke(cli, ["--referentiel", str(sortie), "referentiel"])
    assert r.exit_code == 1 and "Traceback" not in r.output
    assert "feuille Autorités, ligne 2, colonne « Fonction » : case vide, à remplir" in r.output
    assert "feuille Actions, ligne 49, colonne « Pilotes (codes, séparés par |) » : case vide" in r.output
    # Filled in by the agent, the workbook loads.
    wb["Autorités"].cell(2, 3).value = "Préfet de l'Isère"
    wb["Actions"].cell(49, 5).value = "ASSOCIATIONS"
    wb.save(sortie)
    assert charger_protocole(sortie).action("3-20-1").pilotes == ("ASSOCIATIONS",)


def test_commande_importer_ecrit_meme_incomplet(separes, tmp_path, monkeypatch):
    from click.testing import CliRunner

    from vif38_bilan.cli.principal import cli

    def modifier(d):
        t = next(t for t in d.tables if t.rows[0].cells[0].text.startswith("Objectif n° 20"))
        t.rows[2].cells[1].text = ""

    chemin = _sans(separes, tmp_path, modifier)
    monkeypatch.chdir(tmp_path)
    r = CliRunner().invoke(cli, ["referentiel", "--importer", str(chemin)], catch_exceptions=False)
    assert r.exit_code == 0, r.output
    assert "53 actions" in r.output and "Classeur écrit : referentiel-modifie.xlsx" in r.output
    assert "1 case(s) restent à remplir" in r.output
    assert (tmp_path / "referentiel-modifie.xlsx").is_file()


def test_statut_de_calendrier_inconnu_marque(separes, tmp_path):
    """A calendar status the tool does not know: the actions are kept, the cell is named and marked."""

    def modifier(d):
        t = next(t for t in d.tables if t.rows[0].cells[0].text == "OBJECTIFS")
        t.rows[1].cells[3].text = "A LANCER"

    imp = importer_protocole(_sans(separes, tmp_path, modifier))
    assert len(imp.donnees["actions"]) == 53
    sortie = ecrire_referentiel_importe(imp, tmp_path / "referentiel.xlsx")
    assert [f.split(" : ")[0] for f in imp.fautes] == ["feuille Calendrier, ligne 2, colonne « Statut 2023 »"]
    assert "« A LANCER » n'est pas un statut prévu" in imp.fautes[0]
    case = openpyxl.load_workbook(sortie)["Calendrier"]["D2"]
    assert case.value == "A LANCER" and case.fill.fgColor.rgb.endswith("FFF2CC")
