"""Collection workbooks: content, validations, protection, identification, filling, CLI.

Everything is read back from the written files, with openpyxl and with python-calamine.
"""

from __future__ import annotations

import hashlib
from datetime import date, datetime
from pathlib import Path

import openpyxl
import pytest
from click.testing import CliRunner
from openpyxl.utils import get_column_letter
from python_calamine import CalamineWorkbook, SheetVisibleEnum

from vif38_bilan.gabarits import disposition as d
from vif38_bilan.referentiel.chiffres_cles import codes_du_pilote
from vif38_bilan.cli.principal import cli
from vif38_bilan.espace.reglages import Config
from vif38_bilan.exceptions import FichierRefuse, PiloteInconnu, Vif38Error
from vif38_bilan.gabarits.generation import GabaritGenere, generer_gabarit, generer_gabarits
from vif38_bilan.gabarits.remplissage import identification, identite_inventee, remplir_gabarit, reponses_inventees

ANNEE = 2023
MAINTENANT = datetime(2024, 1, 10, 9, 30)
HISTORIQUE = {2022: {"1-1-1": "EN COURS", "1-2-3": "EFFECTUÉE", "3-17-1": "LANCEMENT"}}

EN_TETES_2023 = [
    "Code action",
    "Objectif",
    "Action",
    "Pilotage",
    "Rôle",
    "Statut 2022",
    "Statut 2023",
    "Indicateur",
    "Cible annuelle",
    "Valeur 2023",
    "Indicateur 2",
    "Cible annuelle 2",
    "Valeur 2023 2",
    "Observations 2023",
]
LIBELLES = ["Structure", "Contact", "Courriel", "Téléphone", "Date de saisie"]


@pytest.fixture(scope="module")
def config(tmp_path_factory):
    return Config(
        racine=tmp_path_factory.mktemp("espace"),
        service="DDFE de l'Isère",
        courriel="ddfe@exemple.invalid",
        date_limite=date(2024, 2, 15),
    )


@pytest.fixture(scope="module")
def generes(protocole, config, tmp_path_factory):
    """All 2023 workbooks, generated once; tests only read them."""
    dossier = tmp_path_factory.mktemp("gabarits")
    vus: list[str] = []
    faits = generer_gabarits(
        protocole,
        ANNEE,
        dossier,
        config=config,
        statuts_anterieurs=HISTORIQUE,
        progression=vus.append,
        maintenant=MAINTENANT,
    )
    assert vus == [g.pilote for g in faits]
    return {g.pilote: g for g in faits}


def _classeur(g: GabaritGenere):
    return openpyxl.load_workbook(g.chemin)


def _table_openpyxl(ws):
    """(header row, header → column, code → row) found by the 'Code action' header."""
    for row in ws.iter_rows():
        for cell in row:
            if cell.value == d.CODE_ACTION:
                ligne = cell.row
                colonnes = {c.value: c.column for c in ws[ligne] if c.value}
                codes = {}
                for r in range(ligne + 1, ws.max_row + 1):
                    v = ws.cell(row=r, column=colonnes[d.CODE_ACTION]).value
                    if v:
                        codes[v] = r
                return ligne, colonnes, codes
    raise AssertionError("no 'Code action' header")


def _table_calamine(chemin: Path):
    """Rows of the Saisie table as dicts keyed by header text, read with python-calamine."""
    wb = CalamineWorkbook.from_path(str(chemin))
    lignes = wb.get_sheet_by_name(d.FEUILLE_SAISIE).to_python()
    i = next(i for i, ligne in enumerate(lignes) if d.CODE_ACTION in ligne)
    tetes = lignes[i]
    return tetes, [
        dict(zip(tetes, ligne, strict=False)) for ligne in lignes[i + 1 :] if ligne[tetes.index(d.CODE_ACTION)]
    ]


def _validations(ws) -> dict[str, list]:
    """Cell coordinate → validations covering it."""
    par_cellule: dict[str, list] = {}
    for dv in ws.data_validations.dataValidation:
        for rng in dv.sqref.ranges:
            for r in range(rng.min_row, rng.max_row + 1):
                for c in range(rng.min_col, rng.max_col + 1):
                    par_cellule.setdefault(f"{get_column_letter(c)}{r}", []).append(dv)
    return par_cellule


def _cellules_saisie(protocole, pilote: str, ws) -> dict[str, str]:
    """Expected input cells of a Saisie sheet → kind of validation."""
    ligne, col, codes = _table_openpyxl(ws)
    attendu: dict[str, str] = {}
    for r in range(1, ligne):
        v = ws.cell(row=r, column=2).value
        if v in LIBELLES and not (v == "Structure" and not protocole.pilote(pilote).collectif):
            attendu[f"C{r}"] = "date" if v == "Date de saisie" else "textLength"
    for code, r in codes.items():
        action = protocole.action(code)
        attendu[f"{get_column_letter(col['Statut 2023'])}{r}"] = "statut"
        for k, ind in enumerate(action.indicateurs, start=1):
            attendu[f"{get_column_letter(col[d.entete_valeur(ANNEE, k)])}{r}"] = {
                "entier": "whole",
                "oui_non": "oui_non",
                "texte": "textLength",
            }[ind.type]
        attendu[f"{get_column_letter(col['Observations 2023'])}{r}"] = "observations"
    return attendu


# ---------------------------------------------------------------- coverage


def test_un_classeur_par_pilote_actif(protocole, generes):
    assert list(generes) == [p.code for p in protocole.pilotes_actifs()]
    assert len(generes) == 28
    for code, g in generes.items():
        assert g.chemin.name == f"2023_{code}_bilan-protocole-VIF.xlsx"
        assert g.chemin.is_file()
        assert g.nom == protocole.pilote(code).nom
    ddfe = generes["DDFE"]
    assert (ddfe.nb_chef_de_file, ddfe.nb_co_pilote) == (21, 10)
    assert not list(ddfe.chemin.parent.glob(".*.tmp"))


def test_chaque_action_chez_ses_pilotes_et_nulle_part_ailleurs_openpyxl(protocole, generes):
    chez: dict[str, set[str]] = {}
    for code, g in generes.items():
        ws = _classeur(g)[d.FEUILLE_SAISIE]
        _, col, codes = _table_openpyxl(ws)
        attendu = [a.code for a, _ in protocole.actions_du_pilote(code)]
        assert list(codes) == attendu  # protocol order
        for action, role in protocole.actions_du_pilote(code):
            assert ws.cell(row=codes[action.code], column=col["Rôle"]).value == role
        for c in codes:
            chez.setdefault(c, set()).add(code)
    assert len(chez) == 53
    for action in protocole.actions:
        assert chez[action.code] == set(action.pilotes), action.code


def test_chaque_action_chez_ses_pilotes_et_nulle_part_ailleurs_calamine(protocole, generes):
    chez: dict[str, set[str]] = {}
    for code, g in generes.items():
        tetes, lignes = _table_calamine(g.chemin)
        assert tetes == EN_TETES_2023
        assert [ligne["Code action"] for ligne in lignes] == [a.code for a, _ in protocole.actions_du_pilote(code)]
        for ligne in lignes:
            action = protocole.action(ligne["Code action"])
            chez.setdefault(action.code, set()).add(code)
            assert ligne["Action"] == action.description
            assert ligne["Pilotage"] == action.pilotage
            assert ligne["Rôle"] == action.role(code)
            assert ligne["Objectif"].startswith(f"N°{action.objectif} : ")
            ind = action.indicateurs[0]
            assert ligne["Indicateur"] == ind.libelle
            assert ligne["Cible annuelle"] == (ind.cible_annuelle if ind.cible_annuelle is not None else "")
            assert ligne["Valeur 2023"] == "" and ligne["Statut 2023"] == "" and ligne["Observations 2023"] == ""
    assert {c: chez[c] for c in chez} == {a.code: set(a.pilotes) for a in protocole.actions}


def test_deux_indicateurs_et_cibles(generes):
    _, lignes = _table_calamine(generes["GENDARMERIE"].chemin)
    l122 = next(ligne for ligne in lignes if ligne["Code action"] == "1-2-2")
    assert (l122["Indicateur"], l122["Cible annuelle"]) == ("Nombre de points d'écoute", 10)
    assert (l122["Indicateur 2"], l122["Cible annuelle 2"]) == ("Nombre de personnes accueillies", "")


# ---------------------------------------------------------------- exact texts


def test_en_tetes_et_libelles_exacts(protocole, generes):
    assert d.en_tetes(protocole, ANNEE) == EN_TETES_2023
    assert d.en_tetes(protocole, 2022)[5:7] == ["Statut 2022", "Indicateur"]
    assert d.en_tetes(protocole, 2024)[5:8] == ["Statut 2022", "Statut 2023", "Statut 2024"]
    for g in generes.values():
        wb = _classeur(g)
        # The key-figure sheet only for a pilot who provides key figures (the DDFE does, the CAF does not).
        chiffres = [d.FEUILLE_CHIFFRES] if codes_du_pilote(protocole.chiffres, wb[d.FEUILLE_ID]["B2"].value) else []
        assert wb.sheetnames == ["Mode d'emploi", "Saisie", *chiffres, "_vif38"]
        ws = wb[d.FEUILLE_SAISIE]
        ligne, col, _ = _table_openpyxl(ws)
        assert [c.value for c in ws[ligne]] == EN_TETES_2023
        libelles = [ws.cell(row=r, column=2).value for r in range(1, ligne) if ws.cell(row=r, column=2).value]
        assert libelles == LIBELLES
        # a blank row between the identity block and the header row
        assert all(c.value is None for c in ws[ligne - 1])


def test_structure_preremplie_ou_obligatoire(protocole, generes):
    for code, g in generes.items():
        ws = _classeur(g)[d.FEUILLE_SAISIE]
        r = next(r for r in range(1, 10) if ws.cell(row=r, column=2).value == "Structure")
        valeur = ws.cell(row=r, column=3)
        if protocole.pilote(code).collectif:
            assert valeur.value is None
            assert valeur.protection.locked is False
            assert valeur.fill.fgColor.rgb.endswith(d.COULEUR_SAISIE)
            (dv,) = _validations(ws)[valeur.coordinate]
            assert dv.type == "textLength" and dv.allow_blank is False
            assert "obligatoire" in ws.cell(row=r, column=4).value
        else:
            assert valeur.value == protocole.pilote(code).nom
            assert valeur.protection.locked is True
            assert valeur.coordinate not in _validations(ws)


# ---------------------------------------------------------------- validations and protection


def test_validations_sur_chaque_cellule_de_saisie(protocole, generes):
    for code, g in generes.items():
        ws = _classeur(g)[d.FEUILLE_SAISIE]
        attendu = _cellules_saisie(protocole, code, ws)
        par_cellule = _validations(ws)
        assert set(par_cellule) == set(attendu), code
        for ref, genre in attendu.items():
            (dv,) = par_cellule[ref]
            assert dv.showErrorMessage and dv.errorStyle in (None, "stop"), ref
            assert dv.error and dv.errorTitle
            if genre == "statut":
                assert dv.type == "list"
                assert dv.formula1 == '"EFFECTUÉE,EN COURS,EN ATTENTE,POURSUIVRE,LANCEMENT,ANNULÉE"'
            elif genre == "whole":
                assert (dv.type, dv.operator, dv.formula1) == ("whole", "greaterThanOrEqual", "0")
                assert dv.showInputMessage and "nombre entier" in dv.prompt
                assert "12 pers." in dv.error
            elif genre == "oui_non":
                assert (dv.type, dv.formula1) == ("list", '"Oui,Non"')
            elif genre == "observations":
                assert (dv.type, dv.operator, dv.formula1) == ("textLength", "lessThanOrEqual", "2000")
            elif genre == "date":
                assert dv.type == "date"
            else:
                assert dv.type == "textLength"


def test_types_de_validation_des_valeurs(generes):
    ws = _classeur(generes["DDFE"])[d.FEUILLE_SAISIE]
    _, col, codes = _table_openpyxl(ws)
    par_cellule = _validations(ws)
    v = get_column_letter(col["Valeur 2023"])
    assert par_cellule[f"{v}{codes['1-1-1']}"][0].type == "whole"
    assert par_cellule[f"{v}{codes['1-2-3']}"][0].formula1 == '"Oui,Non"'  # "Réalisation de plaquettes…"
    assert par_cellule[f"{v}{codes['4-25-1']}"][0].type == "textLength"


def test_formules_de_liste_sous_255_caracteres(generes):
    for g in generes.values():
        for ws in _classeur(g).worksheets:
            for dv in ws.data_validations.dataValidation:
                if dv.type == "list":
                    assert len(dv.formula1) < 255
    with pytest.raises(ValueError):
        d.formule_liste(["x" * 300])


def test_protection_sans_mot_de_passe_seules_les_saisies_ouvertes(protocole, generes):
    for code, g in generes.items():
        wb = _classeur(g)
        for ws in wb.worksheets:
            assert ws.protection.sheet is True, ws.title
            assert not ws.protection.password
        assert wb.security.lockStructure and not wb.security.workbookPassword
        ws = wb[d.FEUILLE_SAISIE]
        ouvertes = {c.coordinate for row in ws.iter_rows() for c in row if c.protection.locked is False}
        assert ouvertes == set(_cellules_saisie(protocole, code, ws)), code
        for ref in ouvertes:
            assert ws[ref].fill.fgColor.rgb.endswith(d.COULEUR_SAISIE), ref
        assert not any(c.protection.locked is False for row in wb[d.FEUILLE_MODE].iter_rows() for c in row)


def test_emplacement_inutilise_grise_et_verrouille(generes):
    ws = _classeur(generes["DDFE"])[d.FEUILLE_SAISIE]
    _, col, codes = _table_openpyxl(ws)
    r = codes["1-1-1"]  # one indicator
    for entete in ("Indicateur 2", "Cible annuelle 2", "Valeur 2023 2"):
        c = ws.cell(row=r, column=col[entete])
        assert c.value is None
        assert c.protection.locked is True
        assert c.fill.fgColor.rgb.endswith(d.COULEUR_SANS_OBJET)
    r2 = codes["1-2-1"]  # two indicators: slot 2 open
    assert ws.cell(row=r2, column=col["Valeur 2023 2"]).protection.locked is False


def test_statuts_anterieurs_preremplis_et_verrouilles(protocole, generes, tmp_path):
    ws = _classeur(generes["DDFE"])[d.FEUILLE_SAISIE]
    _, col, codes = _table_openpyxl(ws)
    c = ws.cell(row=codes["1-1-1"], column=col["Statut 2022"])
    assert c.value == "EN COURS" and c.protection.locked is True
    assert ws.cell(row=codes["1-2-3"], column=col["Statut 2022"]).value == "EFFECTUÉE"
    assert ws.cell(row=codes["1-1-2"], column=col["Statut 2022"]).value is None

    historique = {2022: {"1-1-1": "EN COURS"}, 2023: {"1-1-1": "POURSUIVRE"}}
    g = generer_gabarit(
        protocole, 2024, "DDFE", tmp_path / "x.xlsx", statuts_anterieurs=historique, maintenant=MAINTENANT
    )
    tetes, lignes = _table_calamine(g.chemin)
    assert tetes[5:8] == ["Statut 2022", "Statut 2023", "Statut 2024"]
    l111 = lignes[0]
    assert (l111["Code action"], l111["Statut 2022"], l111["Statut 2023"], l111["Statut 2024"]) == (
        "1-1-1",
        "EN COURS",
        "POURSUIVRE",
        "",
    )


def test_mise_en_page(generes):
    ws = _classeur(generes["DDFE"])[d.FEUILLE_SAISIE]
    ligne, col, codes = _table_openpyxl(ws)
    assert ws.freeze_panes == f"B{ligne + 1}"
    assert ws.print_title_rows == f"${ligne}:${ligne}"
    assert ws.page_setup.orientation == "landscape"
    assert ws.sheet_properties.pageSetUpPr.fitToPage is True
    assert (ws.page_setup.fitToWidth, ws.page_setup.fitToHeight) == (1, 0)
    assert ws.column_dimensions["C"].width >= 40  # Action
    r = codes["1-1-2"]
    assert ws.cell(row=r, column=col["Action"]).alignment.wrap_text
    assert ws.cell(row=r, column=col["Observations 2023"]).alignment.wrap_text
    assert ws.row_dimensions[r].height >= 60  # long description: several lines
    legende = [c.value for row in ws.iter_rows(max_row=ligne - 1) for c in row if c.value]
    assert "Légende" in legende and "À remplir" in legende and "Sans objet" in legende


def test_mode_d_emploi(protocole, generes):
    wb = _classeur(generes["ASSOCIATIONS"])
    assert wb.sheetnames[0] == d.FEUILLE_MODE and wb.active.title == d.FEUILLE_MODE
    texte = "\n".join(str(c.value) for row in wb[d.FEUILLE_MODE].iter_rows() for c in row if c.value is not None)
    for attendu in ("2023", "15/02/2024", "ddfe@exemple.invalid", "DDFE de l'Isère", "Associations", "Structure"):
        assert attendu in texte
    for statut, sens in d.STATUTS.items():
        assert statut in texte and sens[1:] in texte
    assert "N'ajoutez, ne supprimez et ne déplacez aucune ligne" in texte
    assert "ne renommez pas les feuilles" in texte
    assert "aucune donnée personnelle sur les victimes" in texte
    # a single organisation is not told about several structures
    texte_ddfe = "\n".join(
        str(c.value) for row in _classeur(generes["DDFE"])[d.FEUILLE_MODE].iter_rows() for c in row if c.value
    )
    assert "Plusieurs structures" not in texte_ddfe


# ---------------------------------------------------------------- identification


def test_identification_feuille_tres_cachee_et_proprietes(protocole, generes):
    for code, g in generes.items():
        wb = _classeur(g)
        ws = wb[d.FEUILLE_ID]
        assert ws.sheet_state == "veryHidden"
        paires = {a: b for a, b in ws.iter_rows(values_only=True)}
        attendu = {
            "protocole_id": protocole.id,
            "pilote": code,
            "annee": "2023",
            "version_gabarit": d.VERSION_GABARIT,
            "genere_le": "2024-01-10T09:30:00",
            "actions": ",".join(a.code for a, _ in protocole.actions_du_pilote(code)),
            "collectif": "oui" if protocole.pilote(code).collectif else "non",
        }
        if codes_du_pilote(protocole.chiffres, code):
            attendu["chiffres"] = ",".join(codes_du_pilote(protocole.chiffres, code))
        assert paires == attendu
        props = {p.name: p.value for p in wb.custom_doc_props}
        assert props == {f"vif38_{k}": v for k, v in attendu.items()}
        ident = identification(wb)
        assert (ident.pilote, ident.annee, ident.genere_le) == (code, 2023, MAINTENANT)
        assert ident.actions == tuple(attendu["actions"].split(","))
        assert wb.properties.title == f"Bilan 2023 du protocole VIF – {protocole.pilote(code).nom}"
        assert code in wb.properties.keywords and protocole.id in wb.properties.keywords
        assert wb.properties.subject == protocole.titre
        assert wb.properties.created == MAINTENANT


def test_identification_lue_par_calamine(generes):
    wb = CalamineWorkbook.from_path(str(generes["COMMUNES"].chemin))
    meta = {m.name: m.visible for m in wb.sheets_metadata}
    assert meta[d.FEUILLE_ID] == SheetVisibleEnum.VeryHidden
    ident = d.lire_identification(d.lire_paires(wb.get_sheet_by_name(d.FEUILLE_ID).to_python()))
    assert (ident.pilote, ident.annee, ident.collectif) == ("COMMUNES", 2023, True)


def test_identification_tolere_les_types_relus():
    ident = d.lire_identification(
        {"protocole_id": "p", "pilote": "DDFE", "annee": 2023.0, "actions": "1-1-1, 1-1-2", "collectif": "non"}
    )
    assert (ident.annee, ident.actions, ident.collectif, ident.genere_le) == (2023, ("1-1-1", "1-1-2"), False, None)
    assert d.lire_identification({"pilote": "DDFE", "annee": "2023"}) is None
    assert d.lire_identification({"protocole_id": "p", "pilote": "DDFE", "annee": "deux mille"}) is None


# ---------------------------------------------------------------- choosing pilots, errors


def test_pilotes_choisis_par_code_ou_alias(protocole, tmp_path):
    faits = generer_gabarits(protocole, ANNEE, tmp_path, pilotes=["ddfe", "Département", "DDFE"], maintenant=MAINTENANT)
    assert [g.pilote for g in faits] == ["DDFE", "DEPARTEMENT"]
    assert sorted(p.name for p in tmp_path.iterdir()) == [
        "2023_DDFE_bilan-protocole-VIF.xlsx",
        "2023_DEPARTEMENT_bilan-protocole-VIF.xlsx",
    ]


def test_pilote_inconnu_message_francais(protocole, tmp_path):
    with pytest.raises(PiloteInconnu) as e:
        generer_gabarits(protocole, ANNEE, tmp_path, pilotes=["DDFE", "XYZ"])
    assert isinstance(e.value, Vif38Error)
    assert "Pilote inconnu : « XYZ »" in str(e.value)
    assert "Codes valides : DDFE, DEPARTEMENT," in str(e.value)
    assert not list(tmp_path.iterdir())  # nothing written
    with pytest.raises(Vif38Error, match="n'est pas une année du protocole"):
        generer_gabarits(protocole, 2030, tmp_path)


def test_date_limite_parametre_prioritaire(protocole, config, tmp_path):
    g = generer_gabarit(protocole, ANNEE, "UGA", tmp_path / "u.xlsx", config=config, date_limite=date(2024, 3, 1))
    texte = " ".join(str(c.value) for row in openpyxl.load_workbook(g.chemin)[d.FEUILLE_MODE].iter_rows() for c in row)
    assert "01/03/2024" in texte and "15/02/2024" not in texte
    sans = generer_gabarit(protocole, ANNEE, "UGA", tmp_path / "v.xlsx")
    texte = " ".join(
        str(c.value) for row in openpyxl.load_workbook(sans.chemin)[d.FEUILLE_MODE].iter_rows() for c in row
    )
    assert "indiquée dans le courriel d'envoi" in texte


# ---------------------------------------------------------------- filling


def test_reponses_inventees_plausibles_et_deterministes(protocole):
    for p in protocole.pilotes_actifs():
        r = reponses_inventees(protocole, p.code, ANNEE, graine=3)
        assert r == reponses_inventees(protocole, p.code, ANNEE, graine=3)
        assert list(r) == [a.code for a, _ in protocole.actions_du_pilote(p.code)]
        for code, rep in r.items():
            action = protocole.action(code)
            assert rep["statut"] in d.STATUTS
            assert len(rep["valeurs"]) == len(action.indicateurs)
            for ind, v in zip(action.indicateurs, rep["valeurs"], strict=True):
                if v is None:
                    continue
                if ind.type == "entier":
                    assert isinstance(v, int) and v >= 0
                    if ind.cible_annuelle and rep["statut"] != "LANCEMENT":
                        assert 0.5 * ind.cible_annuelle <= v <= 1.5 * ind.cible_annuelle + 1
                elif ind.type == "oui_non":
                    assert v in d.OUI_NON
                else:
                    assert isinstance(v, str) and len(v) <= d.TEXTE_MAX
            assert 0 < len(rep["observations"]) <= d.OBSERVATIONS_MAX
            assert "@" not in rep["observations"] and "Mme" not in rep["observations"]
    assert reponses_inventees(protocole, "DDFE", 2023) != reponses_inventees(protocole, "DDFE", 2023, graine=1)


def test_remplir_puis_relire(protocole, generes, tmp_path):
    g = generes["ASSOCIATIONS"]
    avant = hashlib.sha256(g.chemin.read_bytes()).hexdigest()
    reponses = reponses_inventees(protocole, "ASSOCIATIONS", ANNEE)
    reponses["1-2-1"] = {"statut": "effectue", "valeurs": ["12 pers.", None], "observations": "=1+1"}
    sortie = tmp_path / "renomme par le pilote.xlsx"
    moment = datetime(2024, 2, 3, 14, 5)
    remplir_gabarit(
        g.chemin,
        sortie,
        reponses,
        identite={
            "Structure": "Association Solidarité Femmes",
            "Contact": "Pôle accueil",
            "Date de saisie": date(2024, 2, 2),
        },
        dernier_auteur="Association Solidarité Femmes",
        modifie_le=moment,
    )
    assert hashlib.sha256(g.chemin.read_bytes()).hexdigest() == avant  # template untouched

    _, lignes = _table_calamine(sortie)
    par_code = {ligne["Code action"]: ligne for ligne in lignes}
    for code, rep in reponses.items():
        ligne = par_code[code]
        assert ligne["Statut 2023"] == rep["statut"]
        assert ligne["Observations 2023"] == rep["observations"]  # "=1+1" stays text
        for k, v in enumerate(rep["valeurs"], start=1):
            assert ligne[d.entete_valeur(ANNEE, k)] == ("" if v is None else v)

    wb = openpyxl.load_workbook(sortie)
    ws = wb[d.FEUILLE_SAISIE]
    assert ws["C3"].value == "Association Solidarité Femmes" and ws["C4"].value == "Pôle accueil"
    assert ws["C7"].value == datetime(2024, 2, 2)
    assert wb.properties.modified == moment
    assert wb.properties.lastModifiedBy == "Association Solidarité Femmes"
    assert ws.protection.sheet and wb[d.FEUILLE_ID].sheet_state == "veryHidden"
    assert set(_validations(ws)) == set(_cellules_saisie(protocole, "ASSOCIATIONS", ws))
    assert identification(wb).pilote == "ASSOCIATIONS"


def test_identite_inventee(protocole, generes, tmp_path):
    a = identite_inventee(protocole, "ASSOCIATIONS", ANNEE, graine=0)
    b = identite_inventee(protocole, "ASSOCIATIONS", ANNEE, graine=1)
    assert list(a) == LIBELLES
    assert a["Structure"] != b["Structure"]  # two structures of one collective pilot
    assert identite_inventee(protocole, "CAF", ANNEE)["Structure"] == protocole.pilote("CAF").nom
    assert a["Courriel"].endswith("@exemple.invalid")
    assert a["Date de saisie"].year == ANNEE + 1
    sortie = tmp_path / "r.xlsx"
    remplir_gabarit(generes["ASSOCIATIONS"].chemin, sortie, {}, identite=a)
    lignes = CalamineWorkbook.from_path(str(sortie)).get_sheet_by_name(d.FEUILLE_SAISIE).to_python()
    lu = {ligne[1]: ligne[2] for ligne in lignes[:8] if ligne[1] in LIBELLES}
    assert lu["Structure"] == a["Structure"] and lu["Téléphone"] == a["Téléphone"]


def test_remplir_trouve_les_lignes_par_code_apres_tri(protocole, generes, tmp_path):
    """Rows re-sorted by the pilot: filling still goes to the row of each code."""
    wb = openpyxl.load_workbook(generes["DDETS"].chemin)
    ws = wb[d.FEUILLE_SAISIE]
    ligne, col, codes = _table_openpyxl(ws)
    premier, dernier = min(codes.values()), max(codes.values())
    a, b = ws.cell(row=premier, column=1).value, ws.cell(row=dernier, column=1).value
    ws.cell(row=premier, column=1).value, ws.cell(row=dernier, column=1).value = b, a
    trie = tmp_path / "trie.xlsx"
    wb.save(trie)
    remplir_gabarit(trie, tmp_path / "rempli.xlsx", {a: {"statut": "ANNULÉE"}})
    ws2 = openpyxl.load_workbook(tmp_path / "rempli.xlsx")[d.FEUILLE_SAISIE]
    assert ws2.cell(row=dernier, column=col["Statut 2023"]).value == "ANNULÉE"
    assert ws2.cell(row=premier, column=col["Statut 2023"]).value is None


def test_remplir_refuse_ce_qui_ne_va_pas(generes, tmp_path):
    with pytest.raises(ValueError, match="9-9-9"):
        remplir_gabarit(generes["UGA"].chemin, tmp_path / "x.xlsx", {"9-9-9": {"statut": "EN COURS"}})
    with pytest.raises(ValueError, match="Adresse"):
        remplir_gabarit(generes["UGA"].chemin, tmp_path / "x.xlsx", {}, identite={"Adresse": "x"})
    autre = tmp_path / "autre.xlsx"
    openpyxl.Workbook().save(autre)
    with pytest.raises(FichierRefuse, match="pas un gabarit"):
        remplir_gabarit(autre, tmp_path / "x.xlsx", {})
    assert not (tmp_path / "x.xlsx").exists()


# ---------------------------------------------------------------- CLI


def test_cli_gabarits(espace, protocole):
    r = CliRunner().invoke(cli, ["gabarits", "--annee", "2023"], catch_exceptions=False)
    assert r.exit_code == 0, r.output
    dossier = espace / "gabarits" / "2023"
    fichiers = sorted(p.name for p in dossier.glob("*.xlsx"))
    assert fichiers == sorted(d.nom_fichier(2023, p.code) for p in protocole.pilotes_actifs())
    assert "Pilote" in r.stdout and "Chef de file" in r.stdout and "Co-pilote" in r.stdout
    assert "DDFE                                   21         10  2023_DDFE_bilan-protocole-VIF.xlsx" in r.stdout
    assert (
        f"28 classeur(s) écrit(s) dans « {dossier} » : 53 action(s) sur 53, 53 ligne(s) chef de file, "
        "73 ligne(s) co-pilote." in r.stdout
    )
    # deadline and return address come from vif38.toml
    wb = openpyxl.load_workbook(dossier / "2023_DDFE_bilan-protocole-VIF.xlsx")
    texte = " ".join(str(c.value) for row in wb[d.FEUILLE_MODE].iter_rows() for c in row)
    assert "15/02/2024" in texte and "ddfe@exemple.invalid" in texte


def test_cli_pilotes_sortie_et_date(espace, tmp_path):
    sortie = tmp_path / "envoi"
    r = CliRunner().invoke(
        cli,
        [
            "gabarits",
            "--annee",
            "2024",
            "--pilote",
            "CAF",
            "--pilote",
            "siao",
            "--date-limite",
            "01/03/2025",
            "--sortie",
            str(sortie),
        ],
        catch_exceptions=False,
    )
    assert r.exit_code == 0, r.output
    assert sorted(p.name for p in sortie.iterdir()) == [
        "2024_CAF_bilan-protocole-VIF.xlsx",
        "2024_SIAO_bilan-protocole-VIF.xlsx",
    ]
    assert "2 classeur(s) écrit(s)" in r.stdout
    wb = openpyxl.load_workbook(sortie / "2024_CAF_bilan-protocole-VIF.xlsx")
    assert "01/03/2025" in " ".join(str(c.value) for row in wb[d.FEUILLE_MODE].iter_rows() for c in row)
    assert identification(wb).annee == 2024


def test_cli_pilote_inconnu(espace):
    r = CliRunner().invoke(cli, ["gabarits", "--annee", "2023", "--pilote", "XYZ"])
    assert r.exit_code == 1
    assert "Pilote inconnu : « XYZ ». Codes valides : DDFE," in r.output
    assert "Traceback" not in r.output
    assert not (espace / "gabarits" / "2023").exists() or not list((espace / "gabarits" / "2023").glob("*.xlsx"))


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["--annee", "2030"], "2030 n'est pas une année du protocole (2022, 2023, 2024)."),
        (["--annee", "2023", "--date-limite", "31/02/2024"], "le 31/02/2024 n'existe pas (février 2024 a 29 jours)"),
    ],
)
def test_cli_options_invalides(espace, args, message):
    r = CliRunner().invoke(cli, ["gabarits", *args])
    assert r.exit_code == 2
    assert message in r.output
