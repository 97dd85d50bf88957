"""Outputs of the check: controle-AAAA.xlsx, annotated copies, and the `controler` command."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from click.testing import CliRunner
from tests.fabriques import ANNEE, empreintes, remplir
from openpyxl import load_workbook

from vif38_bilan.gabarits import disposition as d
from vif38_bilan.regles import ERREUR, IGNORE, VALIDE, Anomalie
from vif38_bilan.cli.principal import cli
from vif38_bilan.controle.retours import controler
from vif38_bilan.controle.rapport import (
    COLONNES_ANOMALIES,
    COLONNES_FICHIERS,
    FEUILLE_ANOMALIES,
    FEUILLE_FICHIERS,
    FEUILLE_MANQUANTS,
    ORANGE,
    ROUGE,
    chemin_annote,
    ecrire_rapport,
    ecrire_retours_annotes,
)
from vif38_bilan.controle.resultats import FichierControle, ResultatControle
from vif38_bilan.saisies.retour import lire_retour


def lignes(ws) -> list[tuple]:
    return list(ws.iter_rows(values_only=True))


def cellule_de(chemin: Path, code: str, entete: str) -> str:
    ws = load_workbook(chemin)[d.FEUILLE_SAISIE]
    rangs = list(ws.iter_rows(values_only=True))
    i = next(i for i, li in enumerate(rangs) if d.CODE_ACTION in li)
    j = rangs[i].index(entete)
    k = next(k for k, li in enumerate(rangs) if k > i and li[0] == code)
    return ws.cell(k + 1, j + 1).coordinate


@pytest.fixture
def cas(protocole, gabarits, tmp_path):
    """Returns with one erreur and one avertissement (OFII), a clean one (CAF), a PDF."""
    saisies = tmp_path / "saisies" / str(ANNEE)
    remplir(protocole, gabarits, saisies, "CAF")
    ofii = remplir(
        protocole,
        gabarits,
        saisies,
        "OFII",
        nom="retour ofii.xlsx",
        maj={"1-10-1": {"statut": "Terminé", "valeurs": ["Oui", "5 sessions"], "observations": '=HYPERLINK("x")'}},
    )
    (saisies / "courrier.pdf").write_bytes(b"%PDF-1.4")
    return saisies, ofii


# ---------------------------------------------------------------- control workbook


def test_rapport(protocole, cas, tmp_path):
    saisies, ofii = cas
    resultat = controler(protocole, ANNEE, saisies)
    chemin = ecrire_rapport(resultat, protocole, tmp_path / "sorties")
    assert chemin == tmp_path / "sorties" / f"controle-{ANNEE}.xlsx"

    wb = load_workbook(chemin)
    assert wb.sheetnames == [FEUILLE_ANOMALIES, FEUILLE_FICHIERS, FEUILLE_MANQUANTS]
    ws = wb[FEUILLE_ANOMALIES]
    rangs = lignes(ws)
    assert rangs[0][: len(COLONNES_ANOMALIES)] == COLONNES_ANOMALIES
    assert ws.freeze_panes == "A2"
    assert ws.auto_filter.ref == f"A1:I{len(resultat.anomalies) + 1}"
    assert len(rangs) == len(resultat.anomalies) + 1
    erreur = next(r for r in rangs[1:] if r[8] == "statut_inconnu")
    assert erreur[:7] == (
        "retour ofii.xlsx",
        "OFII",
        protocole.pilote("OFII").nom,
        d.FEUILLE_SAISIE,
        cellule_de(ofii, "1-10-1", d.entete_statut(ANNEE)),
        "1-10-1",
        ERREUR,
    )
    assert "Terminé" in erreur[7]

    ws = wb[FEUILLE_FICHIERS]
    rangs = lignes(ws)
    assert rangs[0] == COLONNES_FICHIERS
    assert ws.auto_filter.ref == "A1:I4"
    par_nom = {r[0]: r for r in rangs[1:]}
    assert par_nom["retour ofii.xlsx"][3:6] == ("à corriger", 1, 1)
    assert par_nom["retour ofii.xlsx"][8] == "retours-annotes/retour ofii.xlsx"
    assert par_nom[d.nom_fichier(ANNEE, "CAF")][3:6] == (VALIDE, 0, 0)
    assert par_nom["courrier.pdf"][3] == IGNORE
    assert "PDF" in par_nom["courrier.pdf"][7]

    rangs = lignes(wb[FEUILLE_MANQUANTS])
    manquants = {r[0]: r for r in rangs[1:]}
    assert set(manquants) == set(resultat.manquants)
    assert "CAF" not in manquants and "DDFE" in manquants
    assert manquants["DDFE"][1] == protocole.pilote("DDFE").nom
    assert manquants["DDFE"][2] == len(protocole.actions_du_pilote("DDFE"))
    assert "1-1-1 (chef de file)" in manquants["DDFE"][3]


def test_rapport_texte_jamais_formule(protocole, tmp_path):
    nom = '=HYPERLINK("http://exemple.invalid","clic")'
    resultat = ResultatControle(
        ANNEE,
        [FichierControle(tmp_path / "x.xlsx", nom, IGNORE, motif="+cmd|' /C calc'!A0")],
        [Anomalie(nom, None, None, None, ERREUR, "@SUM(1+1)", "fichier_refuse")],
        [],
        [],
    )
    wb = load_workbook(ecrire_rapport(resultat, protocole, tmp_path))
    a = wb[FEUILLE_ANOMALIES]
    assert (a["A2"].value, a["A2"].data_type) == (nom, "s")
    assert (a["H2"].value, a["H2"].data_type) == ("@SUM(1+1)", "s")
    f = wb[FEUILLE_FICHIERS]
    assert (f["H2"].value, f["H2"].data_type) == ("+cmd|' /C calc'!A0", "s")


# ---------------------------------------------------------------- annotated copies


def test_copie_annotee(protocole, cas, tmp_path):
    saisies, ofii = cas
    avant = empreintes(saisies)
    resultat = controler(protocole, ANNEE, saisies)
    sortie = tmp_path / "sorties"
    copies = ecrire_retours_annotes(resultat, saisies, sortie)

    cible = sortie / "retours-annotes" / "retour ofii.xlsx"
    assert copies == [cible] == [chemin_annote(sortie, "retour ofii.xlsx")]
    assert empreintes(saisies) == avant  # the original is only read

    ws = load_workbook(cible)[d.FEUILLE_SAISIE]
    statut = ws[cellule_de(ofii, "1-10-1", d.entete_statut(ANNEE))]
    assert statut.fill.fgColor.rgb[-6:] == ROUGE
    assert "Terminé" in statut.comment.text and statut.comment.text.startswith("ERREUR")
    valeur = ws[cellule_de(ofii, "1-10-1", d.entete_valeur(ANNEE, 2))]
    assert valeur.fill.fgColor.rgb[-6:] == ORANGE
    assert "lu comme 5" in valeur.comment.text
    assert "1 erreur(s)" in ws["A1"].comment.text
    # Untouched cells keep their look; the formula-like observation stays text.
    obs = ws[cellule_de(ofii, "1-10-1", d.entete_observations(ANNEE))]
    assert obs.comment is None
    assert (obs.value, obs.data_type) == ('=HYPERLINK("x")', "s")
    # The copy is still a return the tool recognises: the pilot corrects it and sends it back.
    relu = lire_retour(cible, cible.parent)
    assert relu.identification.pilote == "OFII"


def test_copie_annotee_constat_sur_le_fichier(protocole, gabarits, tmp_path):
    saisies = tmp_path / "saisies"
    chemin = remplir(protocole, gabarits, saisies, "CAF")
    wb = load_workbook(chemin)
    ws = wb[d.FEUILLE_SAISIE]
    ws.delete_rows(next(c.row for c in ws["A"] if c.value == "1-8-2"))
    wb.save(chemin)
    resultat = controler(protocole, ANNEE, saisies)
    (copie,) = ecrire_retours_annotes(resultat, saisies, tmp_path / "sorties")
    a1 = load_workbook(copie)[d.FEUILLE_SAISIE]["A1"]
    assert "1-8-2" in a1.comment.text
    assert a1.fill.fgColor.rgb[-6:] == ROUGE


def test_copie_perimee_supprimee(protocole, gabarits, tmp_path):
    saisies = tmp_path / "saisies"
    sortie = tmp_path / "sorties"
    remplir(protocole, gabarits, saisies, "UGA", maj={"2-15-2": {"statut": "fini"}})
    (copie,) = ecrire_retours_annotes(controler(protocole, ANNEE, saisies), saisies, sortie)
    assert copie.exists()
    remplir(protocole, gabarits, saisies, "UGA")  # the corrected version, same name
    assert ecrire_retours_annotes(controler(protocole, ANNEE, saisies), saisies, sortie) == []
    assert not copie.exists()


def test_chemin_annote(tmp_path):
    assert chemin_annote(tmp_path, "a/b.xlsx") == tmp_path / "retours-annotes" / "a" / "b.xlsx"
    assert chemin_annote(tmp_path, "b.xlsm") == tmp_path / "retours-annotes" / "b (xlsm).xlsx"


# ---------------------------------------------------------------- command line


def invoquer(*args: str):
    return CliRunner().invoke(cli, ["controler", *args], catch_exceptions=False)


def test_cli_sans_erreur(protocole, gabarits, espace):
    remplir(protocole, gabarits, espace / "saisies" / str(ANNEE), "CAF")
    r = invoquer("--annee", str(ANNEE))
    assert r.exit_code == 0, r.output
    assert "1 fichier(s) : 1 valide(s), 0 à corriger, 0 remplacé(s), 0 ignoré(s) — 0 erreur(s)" in r.output
    assert "Retours manquants (" in r.output and "DDFE" in r.output
    assert (espace / "sorties" / str(ANNEE) / f"controle-{ANNEE}.xlsx").is_file()
    assert not (espace / ".vif38.lock").exists()


def test_cli_erreurs_code_1_et_sorties_ecrites(protocole, cas, espace):
    saisies, _ofii = cas
    avant = empreintes(saisies)
    sortie = espace / "ailleurs"
    r = invoquer("--annee", str(ANNEE), "--saisies", str(saisies), "--sortie", str(sortie))
    assert r.exit_code == 1
    assert "retour ofii.xlsx" in r.output
    assert "1 erreur(s)" in r.output
    assert (sortie / f"controle-{ANNEE}.xlsx").is_file()
    assert (sortie / "retours-annotes" / "retour ofii.xlsx").is_file()
    assert empreintes(saisies) == avant


def test_cli_json(protocole, cas, espace):
    saisies, _ofii = cas
    r = invoquer("--annee", str(ANNEE), "--saisies", str(saisies), "--json", "--jobs", "1")
    assert r.exit_code == 1
    anomalies = json.loads(r.stdout)
    assert isinstance(anomalies, list) and len(anomalies) == 3
    for a in anomalies:
        assert {"fichier", "feuille", "cellule", "code_action", "gravite", "message"} <= set(a)
        assert a["gravite"] in ("erreur", "avertissement")
    assert {a["regle"] for a in anomalies} == {"statut_inconnu", "nombre_avec_unite", "fichier_ecarte"}


def test_cli_usage(espace):
    assert invoquer().exit_code == 2
    r = invoquer("--annee", "2019")
    assert r.exit_code == 2
    assert "n'est pas une année du protocole" in r.output
    assert invoquer("--annee", str(ANNEE), "--jobs", "0").exit_code == 2


def test_cli_dossier_absent(espace):
    r = invoquer("--annee", "2024")
    assert r.exit_code == 1
    assert "n'existe pas" in r.output and "saisies" in r.output


def test_cli_verrou(espace):
    (espace / "saisies" / str(ANNEE)).mkdir()
    from vif38_bilan.commun.ecriture import verrou

    with verrou(espace):
        r = invoquer("--annee", str(ANNEE))
    assert r.exit_code == 1
    assert "travaille déjà" in r.output
