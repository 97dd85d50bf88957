"""Workbooks opened and re-saved by LibreOffice keep their validations, identification and values.

LibreOffice turns the "veryHidden" identification sheet into a plain hidden one and drops the
workbook structure lock; custom document properties, sheet protection, unlocked cells and
validations survive (see disposition.py, "Reading contract").
"""

from __future__ import annotations

import shutil
import subprocess
import zipfile
from datetime import date, datetime
from pathlib import Path

import openpyxl
import pytest
from openpyxl.utils import get_column_letter
from python_calamine import CalamineWorkbook

from vif38_bilan.gabarits import disposition as d
from vif38_bilan.gabarits.generation import generer_gabarits
from vif38_bilan.gabarits.remplissage import identification, remplir_gabarit, reponses_inventees

pytestmark = [
    pytest.mark.libreoffice,
    pytest.mark.skipif(shutil.which("soffice") is None, reason="LibreOffice (soffice) absent"),
]

ANNEE = 2023


def _convertir(fichiers: list[Path], format_: str, dossier: Path, profil: Path) -> None:
    dossier.mkdir(parents=True, exist_ok=True)
    subprocess.run(
        [
            "soffice",
            f"-env:UserInstallation={profil.as_uri()}",
            "--headless",
            "--convert-to",
            format_,
            "--outdir",
            str(dossier),
            *map(str, fichiers),
        ],
        check=True,
        capture_output=True,
        timeout=180,
    )
    for f in fichiers:
        assert (dossier / f"{f.stem}.{format_}").is_file(), f"LibreOffice n'a pas converti {f.name}"


@pytest.fixture(scope="module")
def reponses(protocole):
    return reponses_inventees(protocole, "DDFE", ANNEE, graine=7)


@pytest.fixture(scope="module")
def convertis(protocole, reponses, tmp_path_factory):
    base = tmp_path_factory.mktemp("lo")
    gabarits = base / "gabarits"
    generer_gabarits(
        protocole,
        ANNEE,
        gabarits,
        pilotes=["DDFE", "ASSOCIATIONS"],
        statuts_anterieurs={2022: {"1-1-1": "EN COURS"}},
        maintenant=datetime(2024, 1, 10, 9, 30),
    )
    rempli = base / "rempli" / "ddfe-rempli.xlsx"
    remplir_gabarit(
        gabarits / d.nom_fichier(ANNEE, "DDFE"),
        rempli,
        reponses,
        identite={"Contact": "Pôle coordination", "Date de saisie": date(2024, 2, 2)},
        modifie_le=datetime(2024, 2, 2, 16, 0),
    )
    fichiers = [gabarits / d.nom_fichier(ANNEE, "DDFE"), gabarits / d.nom_fichier(ANNEE, "ASSOCIATIONS"), rempli]
    profil = base / "profil-lo"
    _convertir(fichiers, "xlsx", base / "xlsx", profil)
    _convertir(fichiers, "ods", base / "ods", profil)
    return base


def _validations(ws) -> dict[str, object]:
    par_cellule = {}
    for dv in ws.data_validations.dataValidation:
        for rng in dv.sqref.ranges:
            for r in range(rng.min_row, rng.max_row + 1):
                for c in range(rng.min_col, rng.max_col + 1):
                    par_cellule[f"{get_column_letter(c)}{r}"] = dv
    return par_cellule


def _table(ws):
    for row in ws.iter_rows():
        for cell in row:
            if cell.value == d.CODE_ACTION:
                colonnes = {c.value: c.column for c in ws[cell.row] if c.value}
                codes = {
                    ws.cell(row=r, column=cell.column).value: r
                    for r in range(cell.row + 1, ws.max_row + 1)
                    if ws.cell(row=r, column=cell.column).value
                }
                return colonnes, codes
    raise AssertionError("no 'Code action' header")


def test_xlsx_resauve_garde_les_validations(protocole, convertis):
    wb = openpyxl.load_workbook(convertis / "xlsx" / d.nom_fichier(ANNEE, "DDFE"))
    ws = wb[d.FEUILLE_SAISIE]
    assert ws.protection.sheet is True and not ws.protection.password
    colonnes, codes = _table(ws)
    assert list(codes) == [a.code for a, _ in protocole.actions_du_pilote("DDFE")]
    par_cellule = _validations(ws)
    for code, r in codes.items():
        statut = par_cellule[f"{get_column_letter(colonnes['Statut 2023'])}{r}"]
        assert statut.type == "list"
        assert statut.formula1 == '"EFFECTUÉE,EN COURS,EN ATTENTE,POURSUIVRE,LANCEMENT,ANNULÉE"'
        assert statut.showDropDown in (None, False)  # False = the arrow is shown
        for k, ind in enumerate(protocole.action(code).indicateurs, start=1):
            ref = f"{get_column_letter(colonnes[d.entete_valeur(ANNEE, k)])}{r}"
            dv = par_cellule[ref]
            assert ws[ref].protection.locked is False
            if ind.type == "entier":
                # "abc" refused: whole number, stop, error shown
                assert (dv.type, dv.operator, dv.formula1) == ("whole", "greaterThanOrEqual", "0")
                assert dv.errorStyle in (None, "stop") and dv.showErrorMessage
                assert "nombre entier" in dv.error
            elif ind.type == "oui_non":
                assert (dv.type, dv.formula1) == ("list", '"Oui,Non"')
        obs = par_cellule[f"{get_column_letter(colonnes['Observations 2023'])}{r}"]
        assert (obs.type, obs.formula1) == ("textLength", "2000")
        assert ws.cell(row=r, column=colonnes["Code action"]).protection.locked is True


def test_xlsx_resauve_garde_l_identification(protocole, convertis):
    for code in ("DDFE", "ASSOCIATIONS"):
        wb = openpyxl.load_workbook(convertis / "xlsx" / d.nom_fichier(ANNEE, code))
        assert wb[d.FEUILLE_ID].sheet_state in ("hidden", "veryHidden")
        ident = identification(wb)
        assert (ident.protocole_id, ident.pilote, ident.annee, ident.version) == (protocole.id, code, ANNEE, "1")
        assert ident.actions == tuple(a.code for a, _ in protocole.actions_du_pilote(code))
        assert ident.genere_le == datetime(2024, 1, 10, 9, 30)
        # the custom properties alone are enough too
        props = {p.name.removeprefix(d.PREFIXE_PROPRIETE): p.value for p in wb.custom_doc_props}
        assert d.lire_identification(props) == ident
    ws = openpyxl.load_workbook(convertis / "xlsx" / d.nom_fichier(ANNEE, "ASSOCIATIONS"))[d.FEUILLE_SAISIE]
    structure = next(ws.cell(row=r, column=3) for r in range(1, 10) if ws.cell(row=r, column=2).value == "Structure")
    assert structure.value is None and structure.protection.locked is False


def test_ods_garde_validations_et_identification(protocole, convertis):
    chemin = convertis / "ods" / d.nom_fichier(ANNEE, "DDFE").replace(".xlsx", ".ods")
    with zipfile.ZipFile(chemin) as z:
        contenu = z.read("content.xml").decode()
        meta = z.read("meta.xml").decode()
    assert "of:cell-content-is-in-list(&quot;EFFECTUÉE&quot;;&quot;EN COURS&quot;" in contenu
    assert 'table:display-list="unsorted"' in contenu  # the drop-down arrow
    assert "of:cell-content-is-whole-number() and cell-content()&gt;=0" in contenu
    assert 'table:message-type="stop" table:title="Nombre entier attendu" table:display="true"' in contenu
    assert 'table:protected="true"' in contenu
    assert 'meta:name="vif38_pilote"' in meta and ">DDFE<" in meta

    wb = CalamineWorkbook.from_path(str(chemin))
    assert d.FEUILLE_ID in wb.sheet_names
    ident = d.lire_identification(d.lire_paires(wb.get_sheet_by_name(d.FEUILLE_ID).to_python()))
    assert (ident.pilote, ident.annee) == ("DDFE", ANNEE)
    assert ident.actions == tuple(a.code for a, _ in protocole.actions_du_pilote("DDFE"))


@pytest.mark.parametrize("format_", ["xlsx", "ods"])
def test_classeur_rempli_resauve_garde_ses_valeurs(protocole, reponses, convertis, format_):
    chemin = convertis / format_ / f"ddfe-rempli.{format_}"
    lignes = CalamineWorkbook.from_path(str(chemin)).get_sheet_by_name(d.FEUILLE_SAISIE).to_python()
    i = next(i for i, ligne in enumerate(lignes) if d.CODE_ACTION in ligne)
    tetes = lignes[i]
    par_code = {ligne[0]: dict(zip(tetes, ligne, strict=False)) for ligne in lignes[i + 1 :] if ligne[0]}
    assert list(par_code) == list(reponses)
    for code, rep in reponses.items():
        ligne = par_code[code]
        assert ligne["Statut 2023"] == rep["statut"]
        assert ligne["Observations 2023"] == rep["observations"]
        for k, v in enumerate(rep["valeurs"], start=1):
            lu = ligne[d.entete_valeur(ANNEE, k)]
            assert (lu if lu != "" else None) == v, (code, k)
    assert par_code["1-1-1"]["Statut 2022"] == "EN COURS"
    identite = {ligne[1]: ligne[2] for ligne in lignes[:i] if len(ligne) > 2 and ligne[1] in d.LIBELLES_IDENTITE}
    assert identite["Contact"] == "Pôle coordination"
    assert identite["Date de saisie"] in (date(2024, 2, 2), datetime(2024, 2, 2))
