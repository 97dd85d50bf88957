"""Reading one return: recognition, header and identity found by their texts, A1 references."""

from __future__ import annotations

import random
from datetime import datetime
from pathlib import Path

import pytest
from tests.fabriques import ANNEE, MAINTENANT, remplir
from openpyxl import load_workbook

from vif38_bilan.gabarits import disposition as d
from vif38_bilan.commun.ecriture import mettre_texte
from vif38_bilan.exceptions import FichierRefuse
from vif38_bilan.gabarits.generation import enregistrer
from vif38_bilan.gabarits.remplissage import remplir_gabarit, reponses_inventees
from vif38_bilan.saisies.retour import (
    date_modification,
    lettre_colonne,
    lire_horodatage,
    lire_retour,
    normaliser_code,
    proprietes_personnalisees,
)

PILOTES = ("DDFE", "ASSOCIATIONS", "OFII")


def contenu(retour) -> dict:
    """Action code → (status, values, observations): what a return says, whatever the layout."""
    return {
        li.code: (li.statut.valeur, tuple(c.valeur for c in li.valeurs), li.observations.valeur) for li in retour.lignes
    }


def cellule_openpyxl(chemin: Path, code: str, entete: str) -> str:
    ws = load_workbook(chemin)[d.FEUILLE_SAISIE]
    lignes = list(ws.iter_rows(values_only=True))
    i = next(i for i, li in enumerate(lignes) if d.CODE_ACTION in li)
    j = lignes[i].index(entete)
    k = next(k for k, li in enumerate(lignes) if k > i and code in li)
    return ws.cell(k + 1, j + 1).coordinate


def test_lecture_d_un_retour(protocole, gabarits, tmp_path):
    chemin = remplir(protocole, gabarits, tmp_path, "DDFE")
    r = lire_retour(chemin, tmp_path)

    assert r.nom == d.nom_fichier(ANNEE, "DDFE")
    assert r.format == "xlsx"
    assert len(r.sha256) == 64
    assert r.identification.pilote == "DDFE"
    assert r.identification.annee == ANNEE
    assert r.identification.protocole_id == protocole.id
    assert r.origine_identification == "feuille"
    assert r.feuille == d.FEUILLE_SAISIE
    assert r.texte_identite("Structure") == protocole.pilote("DDFE").nom
    assert r.colonnes_manquantes == ()
    attendu = reponses_inventees(protocole, "DDFE", ANNEE)
    assert [li.code for li in r.lignes] == [a.code for a, _ in protocole.actions_du_pilote("DDFE")]
    for li in r.lignes:
        rep = attendu[li.code]
        assert li.statut.valeur == rep["statut"]
        lues = [c.valeur for c in li.valeurs][: len(rep["valeurs"])]
        assert lues == [float(v) if isinstance(v, int) else v for v in rep["valeurs"]]
        assert li.observations.valeur == rep["observations"]
    premiere = r.lignes[0]
    assert premiere.statut.ref == cellule_openpyxl(chemin, premiere.code, d.entete_statut(ANNEE))
    assert premiere.valeurs[0].ref == cellule_openpyxl(chemin, premiere.code, d.entete_valeur(ANNEE, 1))
    assert premiere.observations.ref == cellule_openpyxl(chemin, premiere.code, d.entete_observations(ANNEE))
    assert r.modifie_le == MAINTENANT
    assert r.formules_sans_valeur == frozenset()


def test_identite_par_libelles(protocole, gabarits, tmp_path):
    sortie = tmp_path / "asso.xlsx"
    remplir_gabarit(
        gabarits / d.nom_fichier(ANNEE, "ASSOCIATIONS"),
        sortie,
        {},
        identite={
            "Structure": "Association Alpha",
            "Contact": "Service accueil",
            "Date de saisie": datetime(2024, 2, 1),
        },
    )
    r = lire_retour(sortie, tmp_path)
    ws = load_workbook(sortie)[d.FEUILLE_SAISIE]
    libelle = next(c for li in ws.iter_rows() for c in li if c.value == "Structure")
    assert r.identite["Structure"].ref == ws.cell(libelle.row, libelle.column + 1).coordinate
    assert r.texte_identite("Structure") == "Association Alpha"
    assert r.texte_identite("Contact") == "Service accueil"
    assert r.identite["Date de saisie"].valeur == datetime(2024, 2, 1).date()
    assert r.identite["Courriel"].valeur is None


def test_structure_vide_ne_lit_pas_l_indication(protocole, gabarits, tmp_path):
    """The template writes a hint right of the empty Structure cell: it is not the value."""
    sortie = tmp_path / "asso.xlsx"
    remplir_gabarit(gabarits / d.nom_fichier(ANNEE, "ASSOCIATIONS"), sortie, {})
    assert lire_retour(sortie, tmp_path).texte_identite("Structure") == ""


def test_renomme_retrie_ligne_inseree(protocole, gabarits, tmp_path):
    original = remplir(protocole, gabarits, tmp_path, "DDFE")
    wb = load_workbook(original)
    ws = wb[d.FEUILLE_SAISIE]
    ligne_entete = next(c.row for c in ws["A"] if c.value == d.CODE_ACTION)
    # Shuffle the action rows' values (a pilot sorting by status), then insert a row on top.
    lignes = [[c.value for c in li] for li in ws.iter_rows(min_row=ligne_entete + 1)]
    random.Random(4).shuffle(lignes)
    for i, valeurs in enumerate(lignes):
        for j, v in enumerate(valeurs):
            mettre_texte(ws.cell(ligne_entete + 1 + i, j + 1), v)  # text stays text
    ws.insert_rows(1)
    ws["A1"] = "Mon commentaire ajouté"
    modifie = tmp_path / "sous" / "retour DDFE (corrigé).xlsx"
    modifie.parent.mkdir()
    enregistrer(wb, modifie, modifie_le=MAINTENANT)

    a = lire_retour(original, tmp_path)
    b = lire_retour(modifie, tmp_path)
    assert b.nom == "sous/retour DDFE (corrigé).xlsx"
    assert contenu(b) == contenu(a)
    assert [li.code for li in b.lignes] != [li.code for li in a.lignes]
    assert b.ligne_entete == a.ligne_entete + 1
    code = b.lignes[0].code
    assert b.lignes[0].statut.ref == cellule_openpyxl(modifie, code, d.entete_statut(ANNEE))
    assert b.identite["Structure"].ligne == a.identite["Structure"].ligne + 1


def test_entetes_retapes(protocole, gabarits, tmp_path):
    chemin = remplir(protocole, gabarits, tmp_path, "OFII")
    wb = load_workbook(chemin)
    ws = wb[d.FEUILLE_SAISIE]
    for c in next(li for li in ws.iter_rows() if any(x.value == d.CODE_ACTION for x in li)):
        if isinstance(c.value, str):
            c.value = "  " + c.value.upper() + " :"
    enregistrer(wb, chemin, modifie_le=MAINTENANT)
    r = lire_retour(chemin, tmp_path)
    assert r.colonnes_manquantes == ()
    assert [li.code for li in r.lignes] == ["1-10-1"]
    assert r.lignes[0].statut.valeur == reponses_inventees(protocole, "OFII", ANNEE)["1-10-1"]["statut"]


def test_colonne_manquante(protocole, gabarits, tmp_path):
    chemin = remplir(protocole, gabarits, tmp_path, "OFII")
    wb = load_workbook(chemin)
    ws = wb[d.FEUILLE_SAISIE]
    for li in ws.iter_rows():
        for c in li:
            if c.value == d.entete_observations(ANNEE):
                c.value = "Remarques"
    enregistrer(wb, chemin, modifie_le=MAINTENANT)
    r = lire_retour(chemin, tmp_path)
    assert r.colonnes_manquantes == (d.entete_observations(ANNEE),)
    assert r.lignes[0].observations is None


def test_identification_de_secours(protocole, gabarits, tmp_path):
    chemin = remplir(protocole, gabarits, tmp_path, "OFII")
    wb = load_workbook(chemin)
    del wb[d.FEUILLE_ID]
    enregistrer(wb, chemin, modifie_le=MAINTENANT)
    r = lire_retour(chemin, tmp_path)
    assert r.origine_identification == "proprietes"
    assert r.identification.pilote == "OFII"
    assert proprietes_personnalisees(chemin.read_bytes(), "xlsx")[d.ID_ANNEE] == str(ANNEE)


def test_formules_sans_valeur_detectees(protocole, gabarits, tmp_path):
    chemin = remplir(protocole, gabarits, tmp_path, "OFII")
    wb = load_workbook(chemin)
    ws = wb[d.FEUILLE_SAISIE]
    ref = cellule_openpyxl(chemin, "1-10-1", d.entete_observations(ANNEE))
    ws[ref] = '=CONCATENATE("a","b")'
    enregistrer(wb, chemin, modifie_le=MAINTENANT)
    r = lire_retour(chemin, tmp_path)
    assert r.lignes[0].observations.valeur is None
    assert r.formules_sans_valeur == frozenset({ref})


def test_fichier_illisible_refuse(tmp_path):
    chemin = tmp_path / "faux.xlsx"
    chemin.write_bytes(b"PK\x03\x04" + b"\x00" * 100)
    with pytest.raises(FichierRefuse):
        lire_retour(chemin, tmp_path)


def test_utilitaires():
    assert [lettre_colonne(n) for n in (1, 26, 27, 52, 703)] == ["A", "Z", "AA", "AZ", "AAA"]
    assert normaliser_code(" 1 – 2 - 3 ") == "1-2-3"
    assert lire_horodatage("2024-02-01T10:11:12Z") == datetime(2024, 2, 1, 10, 11, 12)
    assert lire_horodatage("2024-02-01T10:11:12.123456789") == datetime(2024, 2, 1, 10, 11, 12, 123456)
    assert lire_horodatage("2024-02-01T11:11:12+01:00") == datetime(2024, 2, 1, 10, 11, 12)
    assert lire_horodatage("n'importe quoi") is None
    assert date_modification(b"pas un zip", "xlsx") is None
    assert date_modification(b"", "xls") is None
