"""A return renamed, re-sorted and re-saved by LibreOffice (.xlsx, .ods, .xls) reads like the original."""

from __future__ import annotations

import random
import shutil
import subprocess
import uuid
from datetime import datetime
from pathlib import Path

import pytest
from openpyxl import load_workbook

from vif38_bilan.gabarits import disposition as d
from vif38_bilan.regles import VALIDE
from vif38_bilan.controle.retours import controler
from vif38_bilan.commun.ecriture import mettre_texte
from vif38_bilan.gabarits.generation import enregistrer, generer_gabarits
from vif38_bilan.controle.rapport import ecrire_rapport, ecrire_retours_annotes
from vif38_bilan.gabarits.remplissage import chiffres_inventes, remplir_gabarit, reponses_inventees
from vif38_bilan.saisies.retour import lire_retour

pytestmark = [
    pytest.mark.libreoffice,
    pytest.mark.skipif(shutil.which("soffice") is None, reason="LibreOffice (soffice) n'est pas installé"),
]

ANNEE = 2023
MAINTENANT = datetime(2024, 1, 10, 9, 0, 0)
PILOTE = "DDFE"  # the most rows, counts and Oui/Non indicators


def convertir(fichier: Path, format_: str, dossier: Path) -> Path:
    dossier.mkdir(parents=True, exist_ok=True)
    profil = f"file:///tmp/lo-vif38-{uuid.uuid4().hex}"
    subprocess.run(
        [
            "soffice",
            f"-env:UserInstallation={profil}",
            "--headless",
            "--convert-to",
            format_,
            "--outdir",
            str(dossier),
            str(fichier),
        ],
        check=True,
        capture_output=True,
        timeout=180,
    )
    shutil.rmtree(profil.removeprefix("file://"), ignore_errors=True)
    sortie = dossier / f"{fichier.stem}.{format_}"
    assert sortie.is_file(), f"LibreOffice n'a pas produit {sortie}"
    return sortie


@pytest.fixture(scope="module")
def retours(protocole, tmp_path_factory):
    base = tmp_path_factory.mktemp("lo")
    generer_gabarits(protocole, ANNEE, base / "gabarits", pilotes=[PILOTE], maintenant=MAINTENANT)
    original = base / "original" / d.nom_fichier(ANNEE, PILOTE)
    reponses = reponses_inventees(protocole, PILOTE, ANNEE)
    reponses["1-1-1"]["observations"] = '=HYPERLINK("http://exemple.invalid")'  # text, not a formula
    remplir_gabarit(
        base / "gabarits" / d.nom_fichier(ANNEE, PILOTE),
        original,
        reponses,
        identite={"Contact": "Accueil", "Date de saisie": datetime(2024, 2, 1)},
        modifie_le=MAINTENANT,
        chiffres=chiffres_inventes(protocole, PILOTE, ANNEE),
    )

    # Renamed and re-sorted by the pilot (rows shuffled), with a row inserted above everything.
    wb = load_workbook(original)
    ws = wb[d.FEUILLE_SAISIE]
    entete = next(c.row for c in ws["A"] if c.value == d.CODE_ACTION)
    lignes = [[c.value for c in li] for li in ws.iter_rows(min_row=entete + 1)]
    random.Random(7).shuffle(lignes)
    for i, valeurs in enumerate(lignes):
        for j, v in enumerate(valeurs):
            mettre_texte(ws.cell(entete + 1 + i, j + 1), v)  # text stays text
    ws.insert_rows(1)
    retrie = base / "modifie" / "notre bilan 2023 (version finale).xlsx"
    retrie.parent.mkdir()
    enregistrer(wb, retrie, modifie_le=MAINTENANT)

    convertis = {fmt: convertir(retrie, fmt, base / fmt) for fmt in ("xlsx", "ods", "xls")}
    return original, retrie, convertis


def contenu(retour) -> dict:
    return {
        li.code: (li.statut.valeur, tuple(c.valeur for c in li.valeurs), li.observations.valeur) for li in retour.lignes
    }


def sans_sources(resultat) -> list[tuple]:
    return sorted((r.code_action, r.statut, r.valeurs, r.observations, r.structure, r.role) for r in resultat.reponses)


@pytest.mark.parametrize("format_", ["xlsx", "ods", "xls"])
def test_relu_comme_l_original(protocole, retours, format_):
    original, retrie, convertis = retours
    chemin = convertis[format_]
    a = lire_retour(original, original.parent)
    b = lire_retour(chemin, chemin.parent)
    assert b.format == format_
    assert b.identification == a.identification
    assert contenu(b) == contenu(a)
    assert contenu(lire_retour(retrie, retrie.parent)) == contenu(a)
    assert b.texte_identite("Structure") == a.texte_identite("Structure")
    assert b.texte_identite("Contact") == "Accueil"
    # References point at the cells of the converted file itself (one row lower, rows shuffled).
    assert b.ligne_entete == a.ligne_entete + 1
    if format_ == "xlsx":
        ws = load_workbook(chemin)[d.FEUILLE_SAISIE]
        for li in b.lignes:
            assert ws[li.cellule_code.ref].value == li.code
            assert ws[li.statut.ref].value == li.statut.valeur
            assert ws[li.observations.ref].value == li.observations.valeur


@pytest.mark.parametrize("format_", ["xlsx", "ods", "xls"])
def test_controle_identique(protocole, retours, tmp_path, format_):
    original, _retrie, convertis = retours
    dossier = tmp_path / "saisies"
    dossier.mkdir()
    shutil.copy(convertis[format_], dossier / convertis[format_].name)
    attendu = controler(protocole, ANNEE, original.parent)
    obtenu = controler(protocole, ANNEE, dossier)
    assert attendu.anomalies == []
    assert obtenu.anomalies == []
    assert [f.etat for f in obtenu.fichiers] == [VALIDE]
    assert sans_sources(obtenu) == sans_sources(attendu)
    r = next(x for x in obtenu.reponses if x.code_action == "1-1-1")
    assert r.observations == '=HYPERLINK("http://exemple.invalid")'
    # The key-figure sheet survives the re-save: same values, cells of the converted file.
    chiffres = chiffres_inventes(protocole, PILOTE, ANNEE)
    assert {c.code: c.valeur for c in obtenu.chiffres} == chiffres
    assert {c.source.feuille for c in obtenu.chiffres} == {d.FEUILLE_CHIFFRES}


def test_ods_copie_annotee_en_xlsx(protocole, retours, tmp_path):
    _original, _retrie, convertis = retours
    # An observation typed in LibreOffice carrying personal data, saved as .ods.
    wb = load_workbook(convertis["xlsx"])
    ws = wb[d.FEUILLE_SAISIE]
    entete = next(c.row for c in ws["A"] if c.value == d.CODE_ACTION)
    col = next(c.column for c in ws[entete] if c.value == d.entete_observations(ANNEE))
    ws.cell(entete + 1, col).value = "Appeler Mme Dupont au 06 12 34 56 78"
    xlsx = tmp_path / "perso" / "retour.xlsx"
    xlsx.parent.mkdir()
    wb.save(xlsx)
    dossier = tmp_path / "saisies"
    ods = convertir(xlsx, "ods", dossier)

    resultat = controler(protocole, ANNEE, dossier)
    (a,) = resultat.anomalies
    assert (a.fichier, a.regle, a.cellule) == (
        "retour.ods",
        "donnees_personnelles",
        f"{ws.cell(entete + 1, col).coordinate}",
    )
    sortie = tmp_path / "sorties"
    copie = sortie / "retours-annotes" / "retour (ods).xlsx"
    assert ecrire_retours_annotes(resultat, dossier, sortie) == [copie]
    annotee = load_workbook(copie)[d.FEUILLE_SAISIE][a.cellule]
    assert annotee.value == "Appeler Mme Dupont au 06 12 34 56 78" and "données personnelles" in annotee.comment.text
    wb = load_workbook(ecrire_rapport(resultat, protocole, sortie))
    ligne = next(r for r in wb["Fichiers"].iter_rows(values_only=True) if r[0] == ods.name)
    assert ligne[8] == "retours-annotes/retour (ods).xlsx"
