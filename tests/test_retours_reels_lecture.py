"""The readers behind issue 14, one fault at a time: saved times, formula errors, .ods merges,
Strict Open XML, CSV exports and .ods copies (fixtures from tests/retours_reels.py)."""

from __future__ import annotations

import io
import warnings
from datetime import datetime
from zoneinfo import ZoneInfo

import pytest
from tests import retours_reels as rr
from openpyxl import load_workbook

from vif38_bilan.lecture.cellules_brutes import erreurs_formule, fusions_ods
from vif38_bilan.controle.copie_ods import classeur_depuis_ods
from vif38_bilan.lecture.export_csv import est_un_csv, message_csv, pilote_du_csv
from vif38_bilan.lecture.horodatage import en_heure_locale, fuseau, horodatage, lire, ordre_incertain
from vif38_bilan.lecture.ooxml_strict import en_transitionnel, est_strict
from vif38_bilan.saisies.retour import lire_retour

libreoffice = pytest.mark.skipif(not rr.LIBREOFFICE, reason="LibreOffice (soffice) n'est pas installé")


@pytest.fixture(scope="module")
def base(tmp_path_factory):
    return tmp_path_factory.mktemp("lecture")


# ---------------------------------------------------------------- 2. saved times


def test_libreoffice_heure_locale_excel_utc(protocole, base):
    v1, v2 = rr.deux_versions_fuseaux(protocole, base, base / "versions")
    a, b = horodatage(v1.read_bytes(), "xlsx"), horodatage(v2.read_bytes(), "xlsx")
    assert a.utc == datetime(2024, 2, 12, 9, 0) and not a.certain  # 10:00 Paris (winter) = 09:00 UTC
    assert b.utc == datetime(2024, 2, 12, 9, 20) and b.certain
    assert b.utc > a.utc and ordre_incertain(a, b)
    assert en_heure_locale(b.utc, fuseau(None)) == datetime(2024, 2, 12, 10, 20)


def test_heure_d_ete_et_fuseau_configure():
    ete = lire("2024-07-01T10:00:00", "LibreOffice/7.4", ZoneInfo("Europe/Paris"))
    assert ete.utc == datetime(2024, 7, 1, 8, 0)
    reunion = lire("2024-07-01T10:00:00Z", "LibreOffice/7.4", fuseau("Indian/Reunion"))
    assert reunion.utc == datetime(2024, 7, 1, 6, 0)
    with pytest.raises(ValueError, match="Fuseau horaire inconnu"):
        fuseau("Europe/Grenoble")


def test_ordre_certain_quand_l_ecart_depasse_le_decalage():
    zone = fuseau(None)
    a = lire("2024-02-12T10:00:00Z", "LibreOffice", zone)
    b = lire("2024-02-12T14:00:00Z", "Microsoft Excel", zone)
    assert not ordre_incertain(a, b)


# ---------------------------------------------------------------- 3. formula errors


def test_erreurs_de_formule_xlsx(protocole, base):
    chemin, vues = rr.erreurs_de_formule(protocole, base, base / "erreurs")
    assert erreurs_formule(chemin.read_bytes(), "xlsx", "Saisie") == vues
    assert erreurs_formule(rr.retour(protocole, base, base / "ok", "ok.xlsx").read_bytes(), "xlsx", "Saisie") == {}


@libreoffice
@pytest.mark.libreoffice
def test_erreurs_de_formule_enregistrees_par_libreoffice(protocole, base):
    lot: dict = {}
    faits = {
        fmt: rr.erreurs_de_formule(protocole, base, base / "lo", code, fmt, lot=lot)
        for code, fmt in (("EDUCATION_NATIONALE", "xlsx"), ("DDETS", "ods"), ("GENDARMERIE", "xls"))
    }
    rr.vider_lot(lot)
    for fmt, (chemin, vues) in faits.items():
        assert erreurs_formule(chemin.read_bytes(), fmt, "Saisie") == vues, fmt


# ---------------------------------------------------------------- 6. merges in an .ods


@libreoffice
@pytest.mark.libreoffice
def test_fusions_ods(protocole, base):
    chemin, plages = rr.cellules_fusionnees(protocole, base, base / "fusion")
    ods = rr.par_libreoffice(chemin, "ods", base / "fusion_ods")
    attendues = sorted(
        ((int(p[1:].split(":")[0]) - 1, ord(p[0]) - 65), (int(p.split(":")[1][1:]) - 1, ord(p[0]) - 65)) for p in plages
    )
    assert sorted(fusions_ods(ods.read_bytes(), "Saisie")) == attendues


# ---------------------------------------------------------------- 8. Strict Open XML


def test_strict_lisible_par_openpyxl_apres_conversion(protocole, base):
    chemin, ref = rr.strict_open_xml(protocole, base, base / "strict")
    donnees = chemin.read_bytes()
    assert est_strict(donnees)
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        wb = load_workbook(io.BytesIO(en_transitionnel(donnees)))
    assert wb["Saisie"][ref].value == "FINI"
    assert lire_retour(chemin, chemin.parent).identification.pilote == "SIAO"  # calamine reads it as is


# ---------------------------------------------------------------- 9. CSV


def test_csv_reconnu_et_son_pilote(protocole, base):
    chemin = rr.export_csv(protocole, base, base / "csv", "export.csv", "UGA")
    actions = {p.code: {a.code for a, _ in protocole.actions_du_pilote(p.code)} for p in protocole.pilotes_actifs()}
    assert est_un_csv(chemin.read_bytes())
    assert pilote_du_csv(chemin.read_bytes(), actions) == "UGA"
    assert not est_un_csv(rr.retour(protocole, base, base / "ok", "ok.xlsx").read_bytes())
    assert "export CSV" in message_csv(True, "UGA") and ".xlsx" in message_csv(False)


# ---------------------------------------------------------------- 10. .ods copy


@libreoffice
@pytest.mark.libreoffice
def test_copie_xlsx_d_un_ods_garde_les_cellules_et_l_identification(protocole, base, tmp_path):
    ods, code = rr.ods_a_corriger(protocole, base, base / "ods")
    copie = tmp_path / "copie.xlsx"
    classeur_depuis_ods(ods.read_bytes()).save(copie)
    a, b = lire_retour(ods, ods.parent), lire_retour(copie, tmp_path)
    assert b.identification == a.identification and b.format == "xlsx"
    assert [(li.code, li.statut, li.valeurs, li.observations) for li in b.lignes] == [
        (li.code, li.statut, li.valeurs, li.observations) for li in a.lignes
    ]
    assert load_workbook(copie)["_vif38"].sheet_state == "hidden"
