"""Earlier bilans imported from Word: the 2019-2021 annex (built from the shared text) and ours."""

from __future__ import annotations

import re
from datetime import date
from pathlib import Path

import docx
import openpyxl
import pytest
from click.testing import CliRunner
from tests.documents_word import DEBUT_ANNEXE, document_bilan_annexe, lignes_partagees
from tests.fabriques import rep, resultat

from vif38_bilan.bilan.word import typographie
from vif38_bilan.regles import ERREUR
from vif38_bilan.bilan.document import ecrire_bilan
from vif38_bilan.consolidation.classeur import ecrire_consolidation
from vif38_bilan.cli.principal import cli
from vif38_bilan.consolidation.actions import consolider
from vif38_bilan.espace.fichiers import nom_consolidation
from vif38_bilan.consolidation.historique import lire_historique
from vif38_bilan.consolidation.import_word import historique_depuis_bilan, lire_bilan
from vif38_bilan.consolidation.import_word_referentiel import importer_referentiel
from vif38_bilan.controle.valeurs import normaliser_statut

RE_CODE = re.compile(r"^(\d+-\d+-\d+)\s")
ANNEES = (2019, 2020, 2021)


def attendu_du_texte() -> dict[str, dict]:
    """Per action, from the shared text itself: statuses (normalised) and the observation, first table only."""
    lignes = lignes_partagees()
    debut = next(i for i, t in enumerate(lignes) if t.startswith(DEBUT_ANNEXE))
    sortie: dict[str, dict] = {}
    for ligne in lignes[debut:]:
        m = RE_CODE.match(ligne)
        if not m or m.group(1) in sortie:
            continue
        cellules = ligne.split("\t")
        statuts = {y: normaliser_statut(cellules[3 + k].strip())[0] or "" for k, y in enumerate(ANNEES)}
        obs = cellules[6].strip() if len(cellules) > 6 else ""
        sortie[m.group(1)] = {"statuts": statuts, "observation": " ".join(obs.split())}
    return sortie


@pytest.fixture(scope="module")
def annexe(tmp_path_factory):
    return document_bilan_annexe(tmp_path_factory.mktemp("annexe") / "bilan-2019-2021.docx")


def test_tableaux_repetes_signales_une_fois_jamais_comptes_deux_fois(annexe):
    lecture = lire_bilan(annexe)
    assert lecture.annees == ANNEES
    assert len(lecture.doublons) == 3
    for n, codes in zip((8, 9, 10), ("1-8-1", "1-9-1", "1-10-1, 1-10-2, 1-10-3"), strict=True):
        assert sum(f"N°{n} :" in d for d in lecture.doublons) == 1
        assert any(f"actions {codes})" in d for d in lecture.doublons)
    codes = [x.code for x in lecture.rangees]
    assert len(codes) == len(set(codes)) == 40
    assert lecture.non_rattachees == []


def test_referentiel_depuis_le_bilan(annexe, protocole):
    imp = importer_referentiel(annexe, protocole)
    p = imp.protocole
    assert imp.source == "bilan" and p.annees == ANNEES and p.id == "isere-vif-2019-2021"
    assert [a.numero for a in p.axes] == [1, 2, 3, 4]
    assert [o.numero for o in p.objectifs] == [*range(1, 11), *range(14, 27)]  # 11-13 lost in the source
    assert p.objectif(8).titre == "Mises en place d'une mesure d'accompagnement protégé (MAP)"
    assert p.objectif(1).section == 1 and p.sections[0].titre.startswith("Mieux repérer et orienter")
    a = p.action("1-1-2")
    assert a.description.startswith("Proposer des modules de formation au sein du plan de formation")
    assert a.pilotage == "DDFE + Justice" and a.pilotes == ("DDFE", "JUSTICE")
    assert a.autres_acteurs == "Magistrats, Ordre des avocats" and a.indicateurs == ()
    assert p.action("1-3-3").pilotes == ("DDCS", "SIAO")  # « DDCS-SIAO-DDCS »: one new code, once
    nouvelles = {i.lu: i.retenu for i in imp.revue if i.quoi == "Nouvelle organisation"}
    assert nouvelles["DDCS"] == "code DDCS" and nouvelles["Déléguée du préfet"] == "code DELEGUEE_DU_PREFET"
    doublons = [i for i in imp.revue if i.quoi == "Doublon" and i.ou == "document"]
    assert len(doublons) == 3


def test_annexe_2019_2021_de_bout_en_bout(annexe, espace):
    """Referential and history from the annex, then the 2021 bilan: same statuses and observations."""
    import hashlib

    empreinte = hashlib.sha256(annexe.read_bytes()).hexdigest()
    runner = CliRunner()
    r = runner.invoke(cli, ["referentiel", "--importer", str(annexe), "--xlsx", "ref.xlsx"], catch_exceptions=False)
    assert r.exit_code == 0, r.output
    assert "tableaux du bilan (sans indicateurs) : 4 axes, 23 objectifs, 40 actions" in r.output
    assert "feuille « Revue »" in r.output
    toml = espace / "vif38.toml"
    toml.write_text(toml.read_text("utf-8").replace('referentiel = ""', 'referentiel = "ref.xlsx"'), "utf-8")

    r = runner.invoke(cli, ["historique", "--importer", str(annexe)], catch_exceptions=False)
    assert r.exit_code == 0, r.output
    attendu = attendu_du_texte()
    avec_obs = sum(1 for x in attendu.values() if x["observation"])
    assert avec_obs == 38  # 3-19-1 and 4-25-1 have none
    assert (
        "Année 2019 : 39 statut(s)" in r.output and f"Année 2021 : 37 statut(s), {avec_obs} observation(s)" in r.output
    )
    assert r.output.count("Tableau répété") == 3
    assert "« EFFECTUEE » a été lu comme « EFFECTUÉE »" in r.output
    for y in ANNEES:
        assert (espace / "sorties" / str(y) / nom_consolidation(y)).is_file()

    # The history workbook is the one `historique --annee` writes, filled.
    ws = openpyxl.load_workbook(espace / "sorties" / "2020" / nom_consolidation(2020))["actions"]
    tete = [c.value for c in ws[1]]
    ligne = next(r for r in ws.iter_rows(min_row=2, values_only=True) if r[0] == "1-4-3")
    assert ligne[tete.index("Statut 2020")] == "POURSUIVRE"  # « POUR SUIVRE » in the source

    avant = (espace / "sorties" / "2021" / nom_consolidation(2021)).read_bytes()
    r = runner.invoke(cli, ["bilan", "--annee", "2021", "--date", "12/04/2022"], catch_exceptions=False)
    assert r.exit_code == 0, r.output
    assert "l'année 2021 est lue dans son classeur historique" in r.output
    assert (espace / "sorties" / "2021" / nom_consolidation(2021)).read_bytes() == avant  # kept as is

    assert hashlib.sha256(annexe.read_bytes()).hexdigest() == empreinte  # the input is never modified
    # Signed, the year is frozen: importing the document again does not rewrite it.
    r = runner.invoke(cli, ["valider", "--annee", "2021"], catch_exceptions=False)
    assert r.exit_code == 0, r.output
    r = runner.invoke(cli, ["historique", "--importer", str(annexe), "--remplacer"], catch_exceptions=False)
    assert r.exit_code == 1 and "L'année 2021 est validée" in r.output and "Traceback" not in r.output
    assert (espace / "sorties" / "2021" / nom_consolidation(2021)).read_bytes() == avant
    relu = _lignes_bilan(espace / "sorties" / "2021" / "bilan-2021.docx")
    assert set(relu) == set(attendu)
    for code, (statuts, obs) in relu.items():
        assert statuts == attendu[code]["statuts"], code
        if code == "1-4-1":  # the nested key-figure table, kept as text lines
            assert obs[:3] == ["HU FVV PERENNE", "2018 | 2019 | 2020 | 2021", "143 | 187 | 199 | 213"]
            assert obs[3].startswith("+ ouverture de 60 places")
        else:
            # The signed text's French typography (issue 23): narrow no-break spaces before : ; and inside « ».
            assert " ".join(obs) == typographie(attendu[code]["observation"]), code


def _lignes_bilan(chemin: Path) -> dict[str, tuple[dict[int, str], list[str]]]:
    """Our own annexe tables read with python-docx: statuses per year and the observation lines."""
    sortie = {}
    for t in docx.Document(chemin).tables:
        tete = [c.text for c in t.rows[0].cells]
        if tete[:2] != ["OBJECTIFS", "ACTEURS"]:
            continue
        for rangee in t.rows[1:]:
            cells = rangee.cells
            m = RE_CODE.match(cells[0].text)
            statuts = {}
            for j, y in enumerate(ANNEES, 3):
                premier = cells[j].paragraphs[0].text
                statuts[y] = premier
            obs = [p.text for p in cells[-1].paragraphs if p.text]
            sortie[m.group(1)] = (statuts, obs)
    return sortie


def test_statut_inconnu_et_ligne_sans_code(annexe, protocole, tmp_path):
    d = docx.Document(annexe)
    t = d.tables[0]
    t.rows[1].cells[5].text = "FINI"
    ligne = t.add_row()
    ligne.cells[0].text = "Action ajoutée sans code"
    chemin = tmp_path / "modifie.docx"
    d.save(chemin)
    ref = importer_referentiel(annexe, protocole).protocole
    imp = historique_depuis_bilan(lire_bilan(chemin), ref, chemin.name)
    assert "1-1-1" not in imp.statuts[2021] and imp.statuts[2020]["1-1-1"] == "EFFECTUÉE"
    erreurs = [a for a in imp.anomalies if a.gravite == ERREUR]
    assert [(a.regle, a.code_action) for a in erreurs] == [("statut_inconnu", "1-1-1")]
    assert "« FINI » n'est pas un statut prévu (tableau 1, action 1-1-1, 2021)" in erreurs[0].message
    assert imp.non_rattachees == ["tableau 1, ligne 5 : « Action ajoutée sans code »"]


def test_historique_existant_non_remplace(annexe, espace):
    runner = CliRunner()
    runner.invoke(cli, ["referentiel", "--importer", str(annexe), "--xlsx", "ref.xlsx"], catch_exceptions=False)
    args = ["--referentiel", "ref.xlsx", "historique", "--importer", str(annexe)]
    assert runner.invoke(cli, args, catch_exceptions=False).exit_code == 0
    r = runner.invoke(cli, args, catch_exceptions=False)
    assert r.exit_code == 1
    assert "Déjà présent" in r.output and "--remplacer" in r.output and "Traceback" not in r.output
    r = runner.invoke(cli, ["--referentiel", "ref.xlsx", "historique", "--importer", str(annexe), "--remplacer"])
    assert r.exit_code == 0, r.output


def test_bilan_sans_annee_commune_avec_le_protocole(annexe, espace):
    r = CliRunner().invoke(cli, ["historique", "--importer", str(annexe)], catch_exceptions=False)
    assert r.exit_code == 1
    assert "aucune année commune" in r.output and "referentiel --importer" in r.output


# ---------------------------------------------------------------- round trip of our own bilan


@pytest.fixture(scope="module")
def notre_bilan(protocole, tmp_path_factory):
    sorties = tmp_path_factory.mktemp("sorties")
    r22 = resultat(
        2022,
        [
            rep(a.chef_de_file, a.code, "EN COURS", [10] * len(a.indicateurs), f"Année 2022, {a.code}.")
            for a in protocole.actions
        ],
    )
    ecrire_consolidation(consolider(protocole, 2022, r22), sorties / "2022" / nom_consolidation(2022))
    h = lire_historique(protocole, sorties, 2023)
    statuts = ("EFFECTUÉE", "EN COURS", "POURSUIVRE", "LANCEMENT", "EN ATTENTE", "ANNULÉE", None)
    reponses = []
    for i, a in enumerate(protocole.actions):
        valeurs = [
            100 + i if ind.type == "entier" else "Oui" if ind.type == "oui_non" else "Site" for ind in a.indicateurs
        ]
        reponses.append(
            rep(a.chef_de_file, a.code, statuts[i % 7], valeurs, f"Observation 2023 : {a.code} ; 12 formations.")
        )
        if a.code == "1-1-1":
            reponses.append(rep("DEPARTEMENT", a.code, "EN ATTENTE", [56], "Deux sessions annulées.", role="co-pilote"))
    c = consolider(protocole, 2023, resultat(2023, reponses), h)
    dossier = tmp_path_factory.mktemp("bilans")
    chemins = {
        presentation: ecrire_bilan(
            protocole,
            2023,
            c,
            resultat(2023, reponses),
            dossier / f"{presentation}.docx",
            presentation=presentation,
            date_edition=date(2024, 4, 12),
        )  # fmt: skip
        for presentation in ("annexe", "protocole")
    }
    return c, chemins


@pytest.mark.parametrize("presentation", ["annexe", "protocole"])
def test_aller_retour_de_notre_bilan(protocole, notre_bilan, presentation):
    c, chemins = notre_bilan
    lecture = lire_bilan(chemins[presentation])
    assert lecture.disposition == presentation and lecture.doublons == []
    imp = historique_depuis_bilan(lecture, protocole, chemins[presentation].name)
    assert imp.anomalies == [] and imp.non_rattachees == []
    assert imp.annees == (2022, 2023)  # the empty 2024 column gives no history
    annees_obs = (2022, 2023) if presentation == "protocole" else (2023,)  # the annexe shows the year's only
    for a in protocole.actions:
        for y in (2022, 2023):
            assert imp.statuts[y].get(a.code) == c.statut(a.code, y), (a.code, y)
        for y in annees_obs:
            e = c.enregistrement(a.code, y)
            assert imp.observations[y].get(a.code, "") == "\n".join(e.observations_attribuees()), (a.code, y)
    assert imp.observations[2023]["1-1-1"] == (
        "[DDFE] Observation 2023 : 1-1-1 ; 12 formations.\n[Département] Deux sessions annulées."
    )


def test_cellule_fusionnee_verticalement(annexe, tmp_path):
    d = docx.Document(annexe)
    t = d.tables[0]
    fusion = t.cell(1, 1).merge(t.cell(2, 1))
    fusion.text = "DDFE"
    chemin = tmp_path / "fusion.docx"
    d.save(chemin)
    rangees = {x.code: x for x in lire_bilan(chemin).rangees}
    assert rangees["1-1-1"].pilotage == rangees["1-1-2"].pilotage == "DDFE"
    assert rangees["1-1-2"].statuts == {2019: "EN ATTENTE", 2020: "EN ATTENTE", 2021: "EFFECTUEE"}


def test_historique_sans_annee_ni_document(espace):
    r = CliRunner().invoke(cli, ["historique"])
    assert r.exit_code == 2
    assert "Indiquez l'année (--annee AAAA), ou un bilan Word à reprendre (--importer FICHIER.docx)." in r.output
