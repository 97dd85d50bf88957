"""A signed year frozen: valider records fingerprints, nothing rewrites it, verifier detects changes, --rouvrir archives."""

from __future__ import annotations

import json
import os
from datetime import date, datetime

import docx
import openpyxl
import pytest
from click.testing import CliRunner
from tests.fabriques import remplir

from vif38_bilan.espace.cloture import sha256_fichier
from vif38_bilan.cli.principal import cli
from vif38_bilan.cycle import lire_historique_annee, ouvrir_espace, produire_bilan
from vif38_bilan.cycle import rouvrir_annee, valider_annee, verifier_validation
from vif38_bilan.exceptions import AnneeValidee, Vif38Error

DATE = date(2024, 4, 12)
SIGNEE = datetime(2024, 4, 20, 10, 30)
MOTIF = "Signé en réunion des signataires avec deux retours seulement (essai)."


@pytest.fixture
def annee_signee(espace, protocole, gabarits):
    """2023 with two returns, its bilan written (report, consolidation, .docx and a PDF), then validated."""
    saisies = espace / "saisies" / "2023"
    for code in ("DDFE", "CAF"):
        remplir(protocole, gabarits, saisies, code)
    e = ouvrir_espace(espace)
    r = produire_bilan(e, 2023, date_edition=DATE)
    (espace / "sorties" / "2023" / "bilan-2023.pdf").write_bytes(b"%PDF-1.4 bilan signe")
    passe = r.consolidation.stat().st_mtime - 60
    for f in saisies.iterdir():  # returns dropped before the bilan was written
        os.utime(f, (passe, passe))
    # 26 pilots never answered: the signatories signed it as it stands, and the agent says why (issue 23).
    valider_annee(e, 2023, maintenant=SIGNEE, malgre_manques=MOTIF)
    return e


def test_valider_enregistre_les_empreintes(annee_signee):
    e = annee_signee
    sorties = e.dossier("sorties", 2023)
    d = json.loads((sorties / "validation-2023.json").read_text("utf-8"))
    assert d["annee"] == 2023 and d["valide_le"] == "2024-04-20T10:30:00"
    par_role = {}
    for x in d["empreintes"]:
        par_role.setdefault(x["role"], []).append(x)
        assert x["sha256"] == sha256_fichier(e.racine / x["chemin"])
    assert [x["chemin"] for x in par_role["bilan"]] == ["sorties/2023/bilan-2023.docx"]
    assert [x["chemin"] for x in par_role["pdf"]] == ["sorties/2023/bilan-2023.pdf"]
    assert [x["chemin"] for x in par_role["consolidation"]] == ["sorties/2023/consolidation-2023.xlsx"]
    assert [x["chemin"] for x in par_role["controle"]] == ["sorties/2023/controle-2023.xlsx"]
    assert sorted(x["chemin"] for x in par_role["retour"]) == [
        "saisies/2023/2023_CAF_bilan-protocole-VIF.xlsx",
        "saisies/2023/2023_DDFE_bilan-protocole-VIF.xlsx",
    ]
    journal = (sorties / "journal-validation-2023.txt").read_text()
    assert "validation : 4 fichier(s) signé(s), 2 retour(s) ; malgré des manques (26 pilotes sans retour (" in journal
    assert f"motif : {MOTIF}" in journal
    # The working notes say it too.
    notes = docx.Document(str(sorties / "points-a-verifier-2023.docx"))
    textes = [p.text for p in notes.paragraphs]
    assert "Validation malgré des manques" in textes
    assert any(t.endswith(MOTIF) and t.startswith("Motif donné") for t in textes)
    assert verifier_validation(e, 2023).differences == []


def test_une_annee_validee_n_est_pas_reecrite(annee_signee):
    e = annee_signee
    sorties = e.dossier("sorties", 2023)
    avant = {f.name: f.read_bytes() for f in sorties.iterdir() if f.is_file()}
    runner = CliRunner()
    for commande in (["bilan", "--annee", "2023"], ["controler", "--annee", "2023"], ["historique", "--annee", "2023", "--remplacer"]):  # fmt: skip
        res = runner.invoke(cli, commande, catch_exceptions=False)
        assert res.exit_code == 1, (commande, res.output)
        assert "L'année 2023 est validée depuis le 20/04/2024" in res.output
        assert 'vif38-bilan valider --annee 2023 --rouvrir --motif "la raison"' in res.output
    with pytest.raises(AnneeValidee):
        valider_annee(e, 2023)
    assert {f.name: f.read_bytes() for f in sorties.iterdir() if f.is_file()} == avant


def test_verifier_detecte_un_retour_modifie(annee_signee):
    e = annee_signee
    retour = e.dossier("saisies", 2023) / "2023_CAF_bilan-protocole-VIF.xlsx"
    wb = openpyxl.load_workbook(retour)
    wb["Saisie"]["A1"] = "modifié après signature"
    wb.save(retour)
    (e.dossier("saisies", 2023) / "nouveau.xlsx").write_bytes(retour.read_bytes())
    (e.dossier("sorties", 2023) / "bilan-2023.pdf").unlink()
    res = CliRunner().invoke(cli, ["verifier", "--annee", "2023"], catch_exceptions=False)
    assert res.exit_code == 1, res.output
    assert "3 différence(s) avec ce qui a été signé" in res.output
    assert "retour « saisies/2023/2023_CAF_bilan-protocole-VIF.xlsx » : modifié depuis la validation" in res.output
    assert "retour « saisies/2023/nouveau.xlsx » : ajouté depuis la validation" in res.output
    assert "bilan PDF « sorties/2023/bilan-2023.pdf » : absent" in res.output
    assert "2023_DDFE" not in res.output


def test_verifier_tout_intact_par_la_commande(annee_signee):
    res = CliRunner().invoke(cli, ["verifier", "--annee", "2023"], catch_exceptions=False)
    assert res.exit_code == 0, res.output
    assert "Année 2023 validée le 20/04/2024 : les 6 fichier(s) enregistré(s) sont intacts" in res.output


def test_rouvrir_archive_et_journalise(annee_signee):
    e = annee_signee
    sorties = e.dossier("sorties", 2023)
    signes = {n: (sorties / n).read_bytes() for n in ("bilan-2023.docx", "bilan-2023.pdf", "consolidation-2023.xlsx")}
    runner = CliRunner()
    res = runner.invoke(cli, ["valider", "--annee", "2023", "--rouvrir"], catch_exceptions=False)
    assert res.exit_code == 2 and "--motif" in res.output
    archive = rouvrir_annee(e, 2023, "Retour CAF corrigé après la réunion", maintenant=datetime(2024, 5, 2, 9, 0))
    assert archive == sorties / "archives" / "2024-05-02_090000"
    for nom, octets in signes.items():
        assert (archive / nom).read_bytes() == octets and not (sorties / nom).exists()
    assert (archive / "validation-2023.json").is_file() and not (sorties / "validation-2023.json").exists()
    assert "Retour CAF corrigé après la réunion" in (archive / "motif.txt").read_text("utf-8")
    journal = (sorties / "journal-validation-2023.txt").read_text("utf-8")
    assert "réouverture (signée le 20/04/2024) : Retour CAF corrigé après la réunion" in journal
    # Reopened: the bilan can be written again, and validated again.
    r = produire_bilan(e, 2023, date_edition=DATE)
    assert r.bilan.is_file()
    assert valider_annee(e, 2023, malgre_manques=MOTIF).annee == 2023
    with pytest.raises(Vif38Error, match="n'est pas validée"):
        rouvrir_annee(e, 2024, "rien")


def test_les_annees_suivantes_lisent_la_consolidation_signee(annee_signee):
    e = annee_signee
    assert [a.regle for a in lire_historique_annee(e, 2024).anomalies] == ["historique_absent"]  # 2022
    chemin = e.dossier("sorties", 2023) / "consolidation-2023.xlsx"
    wb = openpyxl.load_workbook(chemin)
    wb["actions"].cell(row=2, column=2).value = "retouché à la main"
    wb.save(chemin)
    h = lire_historique_annee(e, 2024)
    (a,) = [a for a in h.anomalies if a.regle == "historique_valide_modifie"]
    assert a.gravite == "erreur" and "a changé depuis la validation de 2023 le 20/04/2024" in a.message
    assert h.nb_erreurs >= 1


def test_valider_refuse_un_retour_depose_apres_le_bilan(espace, protocole, gabarits):
    remplir(protocole, gabarits, espace / "saisies" / "2023", "DDFE")
    e = ouvrir_espace(espace)
    with pytest.raises(Vif38Error, match="Rien à valider"):
        valider_annee(e, 2023)
    produire_bilan(e, 2023, date_edition=DATE)
    tardif = remplir(protocole, gabarits, espace / "saisies" / "2023", "CAF")
    futur = datetime.now().timestamp() + 60
    os.utime(tardif, (futur, futur))
    res = CliRunner().invoke(cli, ["valider", "--annee", "2023"], catch_exceptions=False)
    assert res.exit_code == 1
    assert "2023_CAF_bilan-protocole-VIF.xlsx » a été déposé ou modifié après le bilan 2023" in res.output
    assert not (espace / "sorties" / "2023" / "validation-2023.json").exists()


def test_valider_refuse_une_annee_incomplete_en_nommant_les_manques(espace, protocole, gabarits):
    saisies = espace / "saisies" / "2023"
    remplir(protocole, gabarits, saisies, "DDFE")
    remplir(protocole, gabarits, saisies, "CAF", maj={"1-8-1": {"valeurs": ["beaucoup"]}})  # an erreur stays open
    e = ouvrir_espace(espace)
    r = produire_bilan(e, 2023, date_edition=DATE)
    passe = r.consolidation.stat().st_mtime - 60
    for f in saisies.iterdir():
        os.utime(f, (passe, passe))
    res = CliRunner().invoke(cli, ["valider", "--annee", "2023"], catch_exceptions=False)
    assert res.exit_code == 1
    assert "Validation de 2023 refusée : 26 pilotes sans retour (Département, Justice," in res.output
    assert "1 erreur ouverte (2023_CAF_bilan-protocole-VIF.xlsx : 1)" in res.output
    assert '--malgre-manques "la raison"' in res.output
    assert not (espace / "sorties" / "2023" / "validation-2023.json").exists()
    res = CliRunner().invoke(cli, ["valider", "--annee", "2023", "--malgre-manques", MOTIF], catch_exceptions=False)
    assert res.exit_code == 0, res.output
    assert (espace / "sorties" / "2023" / "validation-2023.json").is_file()
