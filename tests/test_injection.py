"""Formula injection: text typed by pilots that looks like a formula stays text in every workbook
the tool writes (control report, annotated copies, consolidation) and plain text in the Word bilan.

The payloads go through the real chain: filled returns → `vif38-bilan bilan` (check, report,
annotated copies, consolidation, bilan) → every output read back with openpyxl, python-calamine
and python-docx.
"""

from __future__ import annotations

import re
import zipfile
from datetime import datetime
from pathlib import Path

import pytest
from click.testing import CliRunner
from openpyxl import load_workbook
from python_calamine import CalamineWorkbook

from vif38_bilan.cli.principal import cli

ANNEE = 2023
CHARGES = ['=HYPERLINK("http://x","y")', "+cmd|' /C calc'!A0", "-2+3", "@SUM(A1)"]
# What a formula (or a Word field) built from a payload would contain.
TRACES = ("HYPERLINK", "cmd|", "SUM(A1)", "2+3", "http://x")
NOM_DDFE = "=1+1 retour DDFE.xlsx"


@pytest.fixture(scope="module")
def espace_injecte(protocole, tmp_path_factory):
    """A workspace whose 2023 returns carry the payloads in observations, text indicators, a
    count, a collective pilot's Structure and Contact, and a file name; then `bilan`."""
    from vif38_bilan.espace.reglages import initialiser
    from vif38_bilan.gabarits.generation import generer_gabarits
    from vif38_bilan.gabarits.remplissage import identite_inventee, remplir_gabarit, reponses_inventees

    racine = tmp_path_factory.mktemp("injection")
    initialiser(racine, courriel="ddfe@exemple.invalid", date_limite="15/02/2024")
    moment = datetime(2024, 2, 1, 9, 0)
    faits = generer_gabarits(protocole, ANNEE, racine / "gabarits", pilotes=["DDFE", "COMMUNES"], maintenant=moment)
    gabarits = {g.pilote: g.chemin for g in faits}
    saisies = racine / "saisies" / str(ANNEE)
    saisies.mkdir(parents=True)

    ddfe = reponses_inventees(protocole, "DDFE", ANNEE)
    for k, (code, rep) in enumerate(sorted(ddfe.items())):
        rep["observations"] = CHARGES[k % len(CHARGES)]
        indicateurs = protocole.action(code).indicateurs
        rep["valeurs"] = [
            CHARGES[(k + 1) % len(CHARGES)] if i.type == "texte" else v
            for i, v in zip(indicateurs, rep["valeurs"], strict=True)
        ]
    ddfe["1-1-1"]["valeurs"] = ["-2+3"]  # in a count: an erreur, quoted in the report and the copy
    identite = identite_inventee(protocole, "DDFE", ANNEE)
    remplir_gabarit(gabarits["DDFE"], saisies / NOM_DDFE, ddfe, identite=identite, modifie_le=moment)

    communes = reponses_inventees(protocole, "COMMUNES", ANNEE)
    for rep in communes.values():
        rep["observations"] = CHARGES[1]
    identite = identite_inventee(protocole, "COMMUNES", ANNEE) | {"Structure": "@SUM(A1)", "Contact": CHARGES[0]}
    remplir_gabarit(gabarits["COMMUNES"], saisies / "communes.xlsx", communes, identite=identite, modifie_le=moment)

    with pytest.MonkeyPatch.context() as mp:
        mp.chdir(racine)
        r = CliRunner().invoke(cli, ["bilan", "--annee", str(ANNEE), "--date", "12/04/2024"], catch_exceptions=False)
    return racine / "sorties" / str(ANNEE), r


def _textes_classeur(chemin: Path) -> list[tuple[str, str, object, str]]:
    """(sheet, cell, value, data type) of every non-empty cell, read with openpyxl."""
    wb = load_workbook(chemin)
    return [
        (ws.title, c.coordinate, c.value, c.data_type)
        for ws in wb.worksheets
        for ligne in ws.iter_rows()
        for c in ligne
        if c.value is not None
    ]


def test_la_chaine_a_tourne(espace_injecte):
    sorties, r = espace_injecte
    assert r.exit_code == 1, r.output  # the count "-2+3" is an erreur; every output still written
    assert "Traceback" not in r.output
    assert (sorties / f"controle-{ANNEE}.xlsx").is_file()
    assert (sorties / f"consolidation-{ANNEE}.xlsx").is_file()
    assert (sorties / f"bilan-{ANNEE}.docx").is_file()
    assert list((sorties / "retours-annotes").glob("*.xlsx"))


def test_aucun_classeur_ecrit_ne_contient_de_formule_injectee(espace_injecte):
    sorties, _ = espace_injecte
    classeurs = sorted(sorties.rglob("*.xlsx"))
    trouves: dict[str, set[str]] = {}
    for chemin in classeurs:
        nom = chemin.relative_to(sorties).as_posix()
        for feuille, ref, valeur, type_ in _textes_classeur(chemin):
            if type_ == "f":  # a formula the tool wrote itself: never one made of a pilot's text
                assert not any(t in str(valeur) for t in TRACES), (nom, feuille, ref, valeur)
                continue
            if isinstance(valeur, str):
                for charge in CHARGES:
                    if charge in valeur:
                        assert type_ == "s", (nom, feuille, ref, valeur)
                        trouves.setdefault(nom, set()).add(charge)
        # The raw XML agrees: no <f> element carries a payload.
        with zipfile.ZipFile(chemin) as z:
            for membre in z.namelist():
                if membre.startswith("xl/worksheets/"):
                    for f in re.findall(rb"<(?:\w+:)?f[ >].*?</(?:\w+:)?f>", z.read(membre), re.S):
                        assert not any(t.encode() in f for t in TRACES), (nom, membre, f)

    consolidation = f"consolidation-{ANNEE}.xlsx"
    assert trouves[consolidation] == set(CHARGES)
    assert {"@SUM(A1)", "-2+3"} <= trouves[f"controle-{ANNEE}.xlsx"]  # the structure, the refused count
    annotees = [n for n in trouves if n.startswith("retours-annotes/")]
    assert annotees and set(CHARGES) <= set().union(*(trouves[n] for n in annotees))


def test_calamine_relit_du_texte(espace_injecte):
    sorties, _ = espace_injecte
    wb = CalamineWorkbook.from_path(str(sorties / f"consolidation-{ANNEE}.xlsx"))
    valeurs = {v for n in wb.sheet_names for ligne in wb.get_sheet_by_name(n).to_python() for v in ligne}
    for charge in CHARGES:
        assert any(isinstance(v, str) and charge in v for v in valeurs), charge
    rapport = CalamineWorkbook.from_path(str(sorties / f"controle-{ANNEE}.xlsx"))
    cellules = {v for n in rapport.sheet_names for ligne in rapport.get_sheet_by_name(n).to_python() for v in ligne}
    assert NOM_DDFE in cellules and "@SUM(A1)" in cellules


def test_bilan_word_en_texte_brut(espace_injecte):
    import docx

    sorties, _ = espace_injecte
    chemin = sorties / f"bilan-{ANNEE}.docx"
    document = docx.Document(chemin)
    textes = [p.text for p in document.paragraphs]
    for table in document.tables:
        for ligne in table.rows:
            for cellule in ligne.cells:
                textes += [p.text for p in cellule.paragraphs]
    tout = "\n".join(textes)
    for charge in CHARGES:
        assert charge in tout, charge
    with zipfile.ZipFile(chemin) as z:
        xml = z.read("word/document.xml").decode("utf-8")
        relations = z.read("word/_rels/document.xml.rels").decode("utf-8")
    # Fields the bilan inserts itself (table of contents, page numbers) are fine; none is built
    # from a pilot's text, and no link to the payload's address exists.
    instructions = re.findall(r"<w:instrText[^>]*>(.*?)</w:instrText>", xml) + re.findall(r'w:instr="([^"]*)"', xml)
    assert not [i for i in instructions if any(t in i for t in TRACES)]
    assert "http://x" not in relations
    assert "<w:hyperlink" not in xml or "http://x" not in xml.split("<w:hyperlink", 1)[1]
