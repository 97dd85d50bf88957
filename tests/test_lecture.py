"""The one way to read a workbook: checked bytes, format, digest, calamine failures contained."""

from __future__ import annotations

import hashlib

import pytest
from tests.fabriques import ANNEE, MAINTENANT, remplir
from openpyxl import Workbook, load_workbook

from vif38_bilan.gabarits import disposition as d
from vif38_bilan.lecture import classeur as lecture
from vif38_bilan.controle.retours import controler
from vif38_bilan.espace.fichiers import nom_consolidation
from vif38_bilan.exceptions import FichierRefuse, SortieBloquee
from vif38_bilan.gabarits.generation import generer_gabarits
from vif38_bilan.consolidation.historique import lire_historique
from vif38_bilan.lecture.classeur import lire_classeur, lire_feuille
from vif38_bilan.controle.rapport import chemin_annote, ecrire_retours_annotes


class PanicException(BaseException):
    """What pyo3 raises when calamine's Rust code panics (a BaseException)."""


@pytest.fixture
def classeur(tmp_path):
    wb = Workbook()
    wb.active.title = "Feuille"
    wb.active["B2"] = "bonjour"
    chemin = tmp_path / "c.xlsx"
    wb.save(chemin)
    return chemin


def test_lire_classeur(classeur):
    lu = lire_classeur(classeur)
    assert lu.donnees == classeur.read_bytes()
    assert lu.format == "xlsx" and not lu.macros and lu.avertissements == ()
    assert lu.sha256 == hashlib.sha256(classeur.read_bytes()).hexdigest()
    assert lu.mtime == classeur.stat().st_mtime
    lignes, depart = lire_feuille(lu.ouvrir(), "Feuille")
    assert (lignes, depart) == ([["bonjour"]], (1, 1))
    assert lire_feuille(lu.ouvrir(), "Feuille", skip_empty_area=False)[0][1][1] == "bonjour"


def test_fichier_refuse_avant_calamine(tmp_path):
    pdf = tmp_path / "c.xlsx"
    pdf.write_bytes(b"%PDF-1.7\n")
    with pytest.raises(FichierRefuse, match="document PDF renommé") as e:
        lire_classeur(pdf)
    assert e.value.regle == "pas_un_classeur"


def test_panique_de_calamine_contenue(classeur, monkeypatch):
    import python_calamine

    def panique(*a, **k):
        raise PanicException("called `Option::unwrap()` on a `None` value")

    monkeypatch.setattr(python_calamine.CalamineWorkbook, "from_filelike", panique)
    with pytest.raises(FichierRefuse, match="endommagé ou illisible"):
        lire_classeur(classeur).ouvrir()


def test_panique_sur_l_historique_devient_une_anomalie(protocole, classeur, tmp_path, monkeypatch):
    """The history workbook used to reach calamine without containment: a panic stopped the run."""
    import python_calamine

    annee = protocole.annees[0]
    sorties = tmp_path / "sorties"
    (sorties / str(annee)).mkdir(parents=True)
    (sorties / str(annee) / nom_consolidation(annee)).write_bytes(classeur.read_bytes())

    def panique(*a, **k):
        raise PanicException("index out of bounds")

    monkeypatch.setattr(python_calamine.CalamineWorkbook, "from_filelike", panique)
    h = lire_historique(protocole, sorties, annee + 1)
    assert [a.regle for a in h.anomalies] == ["historique_illisible"]
    assert "illisible (fichier refusé à l'examen de sécurité)" in h.anomalies[0].message


def test_copie_annotee_faite_des_octets_controles(protocole, tmp_path):
    gabarits = tmp_path / "gabarits"
    generer_gabarits(protocole, ANNEE, gabarits, pilotes=["OFII"], maintenant=MAINTENANT)
    saisies = tmp_path / "saisies"
    ofii = remplir(protocole, gabarits, saisies, "OFII", maj={"1-10-1": {"statut": "Terminé"}})
    resultat = controler(protocole, ANNEE, saisies, jobs=1)
    assert resultat.anomalies

    # Replaced after the check: no copy made from content the check never saw.
    original = ofii.read_bytes()
    wb = load_workbook(ofii)
    wb.active["A1"] = "autre"
    wb.save(ofii)
    with pytest.raises(SortieBloquee, match="le fichier a changé depuis son contrôle"):
        ecrire_retours_annotes(resultat, saisies, tmp_path / "sorties")
    assert not chemin_annote(tmp_path / "sorties", ofii.name).exists()

    ofii.write_bytes(original)
    (copie,) = ecrire_retours_annotes(resultat, saisies, tmp_path / "sorties")
    assert lecture.lire_classeur(copie).format == "xlsx"
    ws = load_workbook(copie)[d.FEUILLE_SAISIE]
    assert "Contrôle du" in ws["A1"].comment.text
    assert any("Terminé" in c.comment.text for ligne in ws.iter_rows() for c in ligne if c.comment)
