"""The end-of-protocol bilan (issue 28): `bilan --protocole 2022-2024` read back with python-docx."""

from __future__ import annotations

from datetime import date, datetime

import docx
from click.testing import CliRunner

import vif38_bilan.cycle as v
from vif38_bilan.cli.principal import cli
from vif38_bilan.gabarits.remplissage import chiffres_inventes, identite_inventee, remplir_gabarit, reponses_inventees

ANNEES = {2022: ("EN COURS", 123, "Douze sessions de formation."), 2023: ("EFFECTUÉE", 80, "Huit sessions.")}


def _annee(espace, annee: int, statut: str, valeur: int, observation: str) -> None:
    chemins = v.produire_gabarits(espace, annee, pilotes=["DDFE"], maintenant=datetime(annee + 1, 1, 10, 9)).chemins
    reponses = reponses_inventees(espace.protocole, "DDFE", annee)
    reponses["1-1-1"].update(statut=statut, valeurs=[valeur], observations=observation)
    remplir_gabarit(
        chemins[0],
        espace.dossier("saisies", annee) / f"Bilan DDFE {annee}.xlsx",
        reponses,
        identite=identite_inventee(espace.protocole, "DDFE", annee),
        modifie_le=datetime(annee + 1, 2, 1, 9, 0),
        chiffres=chiffres_inventes(espace.protocole, "DDFE", annee),
    )
    v.produire_bilan(espace, annee, date_edition=date(annee + 1, 4, 10))


def test_bilan_de_fin_de_protocole(tmp_path, monkeypatch):
    espace = v.creer_espace(tmp_path / "espace", courriel="ddfe@exemple.invalid", date_limite="15/02/2023")
    for annee, (statut, valeur, observation) in ANNEES.items():
        _annee(espace, annee, statut, valeur, observation)
    monkeypatch.chdir(espace.racine)
    r = CliRunner().invoke(cli, ["bilan", "--protocole", "2022-2024"])
    assert r.exit_code == 0, r.output
    chemin = espace.racine / "sorties" / "bilan-protocole-2022-2024.docx"
    assert f"Bilan du protocole 2022-2024 écrit : {chemin}" in r.output
    assert "Années lues : 2022, 2023 ; sans classeur de consolidation : 2024 (colonnes vides)." in r.output

    d = docx.Document(str(chemin))
    tables = [t for t in d.tables if t.rows[0].cells[0].text == "OBJECTIFS"]
    assert len(tables) == len(espace.protocole.objectifs)  # one table per objective
    assert [c.text for c in tables[0].rows[0].cells][3:6] == ["2022", "2023", "2024"]
    ligne = next(row for t in tables for row in t.rows if row.cells[0].text.startswith("1-1-1 "))
    assert [c.text.split("\n")[0] for c in ligne.cells[3:6]] == ["EN COURS", "EFFECTUÉE", ""]
    assert "non renseigné" in ligne.cells[5].text
    obs = ligne.cells[6].text.replace("\u202f", " ")  # the signed text's narrow no-break spaces (issue 23)
    assert "2022 : [DDFE] Douze sessions de formation." in obs and "2023 : [DDFE] Huit sessions." in obs
    libelle = espace.protocole.action("1-1-1").indicateurs[0].libelle
    assert f"{libelle} — 2022 : 123 ; 2023 : 80 ; total 2022-2024 : 203 (cible : 300 sur la période)" in obs
    texte = "\n".join(p.text for p in d.paragraphs).replace("\u202f", " ")
    assert "Bilan 2022-2024 du protocole" in texte and "Signatures" in texte
    assert "Bilan 2022-2024 — page" in "".join(p.text for p in d.sections[0].footer.paragraphs)

    r = CliRunner().invoke(cli, ["bilan", "--protocole", "2019-2021"])
    assert r.exit_code == 1 and "n'est la période d'aucun protocole de cet espace (2022-2024)" in r.output
    r = CliRunner().invoke(cli, ["bilan"])
    assert r.exit_code == 2 and "--protocole AAAA-AAAA" in r.output


def test_fin_de_protocole_ne_cumule_pas_un_stock():
    """The end-of-protocol table follows the indicator's temporalité (referentiel/temporalite.cumuler):
    1-5-2 counts the networks that exist (a stock): its latest level, never the sum of the years."""
    from vif38_bilan.bilan.fin_protocole import _chiffres
    from vif38_bilan.consolidation.historique import Historique
    from vif38_bilan.referentiel import charger_protocole

    p = charger_protocole()
    a = p.action("1-5-2")
    assert a.indicateurs[0].temporalite == "stock"
    h = Historique()
    h.valeurs = {2022: {("1-5-2", 0): 114}, 2023: {("1-5-2", 0): 108}}
    (ligne,) = _chiffres(a, p, h)
    assert "2022 : 114 ; 2023 : 108 ; niveau en 2023 : 108 (stock, non cumulé)" in ligne
    assert "total" not in ligne and "222" not in ligne
