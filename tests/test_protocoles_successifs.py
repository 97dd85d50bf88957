"""One workspace, successive protocols (issue 28): 2024 runs on the embedded 2022-2024 protocol,
2025 on a 2025-2027 protocol imported from Word; contacts and key figures continue; a confirmed
"suite" is told in the bilan; the signature page shows the new protocol's authorities."""

from __future__ import annotations

from datetime import date, datetime

import docx
import openpyxl
import pytest
from click.testing import CliRunner
from tests.documents_word import document_protocole

import vif38_bilan as v
from vif38_bilan.cli.principal import cli
from vif38_bilan.exceptions import AnneeHorsProtocole
from vif38_bilan.gabarits.remplissage import chiffres_inventes, identite_inventee, remplir_gabarit, reponses_inventees

MAINTENANT = datetime(2025, 1, 10, 9, 0)
CONFIG = '\n[protocoles]\n"2022-2024" = ""\n"2025-2027" = "referentiel-2025-2027.xlsx"\n'


def _protocole_2025(chemin):
    """The Isère document renewed for 2025-2027: new years, a new Préfète, one action reworded."""
    document_protocole(chemin)
    d = docx.Document(chemin)
    for p in d.paragraphs:
        if p.text.strip() == "2022 - 2024":
            p.runs[0].text, *_ = "2025 - 2027", None
            for r in p.runs[1:]:
                r.text = ""
    for t in d.tables:
        for cellule in t.rows[0].cells:
            if cellule.text in ("2022", "2023", "2024"):
                cellule.text = str(int(cellule.text) + 3)
    for p in d.paragraphs:
        if "Laurent PREVOST" in p.text:
            for r in p.runs:
                r.text = r.text.replace("Monsieur Laurent PREVOST", "Madame Nadia EXEMPLE").replace(
                    "Préfet ", "Préfète "
                )
    d.save(chemin)
    return chemin


@pytest.fixture(scope="module")
def espace(tmp_path_factory):
    racine = tmp_path_factory.mktemp("espace")
    v.creer_espace(racine, courriel="ddfe@exemple.invalid", date_limite="15/02/2025")
    doc = _protocole_2025(racine / "protocole-2025-2027.docx")
    imp = v.importer_referentiel_word(doc, racine / "referentiel-2025-2027.xlsx")
    assert imp.fautes == [] and imp.protocole.annees == (2025, 2026, 2027)
    # The agent confirms one proposed suite, and gives DDFE an address in the shared contacts.
    wb = openpyxl.load_workbook(imp.chemin)
    suites = wb["Suites"]
    ligne = next(r for r in range(2, suites.max_row + 1) if suites.cell(r, 1).value == "1-4-1")
    assert suites.cell(ligne, 2).value == "1-4-1" and suites.cell(ligne, 3).value == "2022-2024"
    suites.cell(ligne, 4).value = "oui"
    # A new Vice-President: changed once in the Autorités sheet.
    autorites = wb["Autorités"]
    r = next(r for r in range(2, autorites.max_row + 1) if autorites.cell(r, 2).value == "Monsieur Christophe CHARLES")
    autorites.cell(r, 2).value = "Madame Léa EXEMPLAIRE"
    wb.save(imp.chemin)
    contacts = openpyxl.load_workbook(racine / "contacts.xlsx")
    ws = contacts.active
    r = next(r for r in range(2, ws.max_row + 1) if ws.cell(r, 1).value == "DDFE")
    ws.cell(r, 4).value, ws.cell(r, 5).value = "Agente Exemple", "ddfe@exemple.invalid"
    contacts.save(racine / "contacts.xlsx")
    with open(racine / "vif38.toml", "a", encoding="utf-8") as f:
        f.write(CONFIG)
    return v.ouvrir_espace(racine)


def test_deux_protocoles_par_periode(espace, protocole):
    assert [p.periode for p in espace.protocoles] == ["2022-2024", "2025-2027"]
    assert espace.pour_annee(2024).protocole == espace.protocoles[0]
    assert espace.pour_annee(2025).protocole.periode == "2025-2027"
    with pytest.raises(AnneeHorsProtocole) as e:
        espace.pour_annee(2028)
    assert "2022-2024, 2025-2027" in str(e.value)


def test_suites_proposees_par_similarite(espace):
    p = espace.protocoles[1]
    assert p.suite_de("1-4-1").precedente == "1-4-1"
    assert p.suite_de("1-1-1") is None  # proposed, not confirmed
    assert {s.code for s in p.suites} == {a.code for a in p.actions}  # same texts: every action proposed


def test_chiffres_cles_continuent(espace, protocole):
    avant, apres = espace.protocoles
    assert [s.id for s in apres.chiffres] == [s.id for s in protocole.chiffres]
    for s, t in zip(protocole.chiffres, apres.chiffres, strict=True):
        assert t.historique == s.historique  # one history: the values known since 2018 follow the series


def test_referentiel_montre_les_deux(espace, monkeypatch):
    monkeypatch.chdir(espace.racine)
    r = CliRunner().invoke(cli, ["referentiel"])
    assert r.exit_code == 0, r.output
    assert "Cet espace suit 2 protocoles : 2022-2024, 2025-2027." in r.output
    assert "=== Protocole 2022-2024 ===" in r.output and "=== Protocole 2025-2027 ===" in r.output
    r = CliRunner().invoke(cli, ["gabarits", "--annee", "2028"])
    assert r.exit_code != 0 and "2022-2024, 2025-2027" in r.output and "Traceback" not in r.output


def test_2024_puis_2025_premiere_annee_du_nouveau_protocole(espace):
    g2024 = v.produire_gabarits(espace, 2024, pilotes=["DDFE"], maintenant=MAINTENANT).chemins
    assert [c.parent.name for c in g2024] == ["2024"]
    e2024 = espace.pour_annee(2024)
    r2024 = reponses_inventees(e2024.protocole, "DDFE", 2024)
    r2024["1-4-1"].update(statut="EFFECTUÉE", valeurs=[37], observations="Places ouvertes.")
    remplir_gabarit(
        g2024[0], espace.dossier("saisies", 2024) / "Bilan DDFE 2024.xlsx", r2024,
        identite=identite_inventee(e2024.protocole, "DDFE", 2024), modifie_le=datetime(2025, 2, 1, 9, 0),
        chiffres=chiffres_inventes(e2024.protocole, "DDFE", 2024),
    )  # fmt: skip
    v.produire_bilan(espace, 2024, date_edition=date(2025, 4, 10))  # on the embedded protocol
    chemins = v.produire_gabarits(espace, 2025, maintenant=MAINTENANT).chemins
    assert len(chemins) == len(espace.protocoles[1].pilotes_actifs())
    e2025 = espace.pour_annee(2025)
    ddfe = reponses_inventees(e2025.protocole, "DDFE", 2025)
    ddfe["1-4-1"].update(statut="EN COURS", observations="Quatre places ouvertes.")
    remplir_gabarit(
        next(c for c in chemins if "_DDFE_" in c.name),
        espace.dossier("saisies", 2025) / "Bilan DDFE 2025.xlsx",
        ddfe,
        identite=identite_inventee(e2025.protocole, "DDFE", 2025),
        modifie_le=datetime(2026, 2, 1, 9, 0),
        chiffres=chiffres_inventes(e2025.protocole, "DDFE", 2025),
    )
    resultat = v.controler_annee(espace, 2025)
    assert [f.pilote for f in resultat.fichiers] == ["DDFE"]
    sorties = v.produire_bilan(espace, 2025, resultat=resultat, date_edition=date(2026, 4, 10))
    texte = "\n".join(
        [p.text for p in docx.Document(str(sorties.bilan)).paragraphs]
        + [c.text for t in docx.Document(str(sorties.bilan)).tables for row in t.rows for c in row.cells]
    ).replace("\u202f", " ")  # the signed text's narrow no-break spaces (issue 23)
    assert "Madame Nadia EXEMPLE" in texte and "Préfète de l'Isère" in texte
    assert "Laurent PREVOST" not in texte  # never 2022's names in a 2025 bilan
    assert "Madame Léa EXEMPLAIRE" in texte and "Christophe CHARLES" not in texte  # edited in the Autorités sheet
    assert "Suite de l'action 1-4-1 du protocole 2022-2024." in texte
    libelle = espace.protocoles[0].action("1-4-1").indicateurs[0].libelle
    assert f"{libelle} (2022-2024) : 2024 : 37" in texte  # the earlier figures, read from 2024's workbook
    # Contacts are the workspace's: DDFE keeps its address for the new protocol.
    prep = v.preparer_courriels(espace, 2025, "envoi")
    assert "DDFE" in [b.pilote for b in prep.brouillons]


def test_page_web_toutes_les_annees(espace):
    """The web page lists the years of both protocols and opens a 2025 page on the 2025-2027 protocol."""
    import html

    from vif38_bilan.web import creer_app, etapes

    app = creer_app(etapes.ouvrir_espace(espace.racine), port=8038)
    client = app.test_client()
    hote = {"Host": "127.0.0.1:8038"}
    assert client.get(f"/?jeton={app.config['VIF38'].secrets.jeton}", headers=hote).status_code == 303
    r = client.get("/2025/gabarits", headers=hote)
    page = html.unescape(r.data.decode("utf-8"))
    assert r.status_code == 200
    assert all(f"/{an}/" in page for an in (2022, 2024, 2025, 2027))
    assert client.get("/2028/gabarits", headers=hote).status_code == 404
