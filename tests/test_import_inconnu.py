"""A protocol document shaped unlike the Isère one, written by hand (issue 28): another territory
and period, axes typed as bold body text with a dash, objective titles above tables laid out one
row per action, an unknown organisation, an empty pilot cell, signatories function-first in a
three-column table, no calendar, no sommaire. The import keeps every action and says what is missing."""

from __future__ import annotations

import openpyxl
import pytest

from vif38_bilan.referentiel.import_word import ecrire_referentiel_importe, importer_protocole
from vif38_bilan.referentiel.import_word_revue import BLOQUANT

ACTIONS = {
    1: [
        ("Former 40 gendarmes par an à l'accueil des victimes", "Gendarmerie", "DDFE", "2025-2027",
         "Nombre de gendarmes formés"),
        ("Diffuser le guide départemental aux mairies", "DDFE, Association des Maires", "", "2025",
         "Nombre de mairies destinataires"),
    ],
    2: [
        ("Ouvrir 10 places d'hébergement d'urgence par an", "DDETS", "SIAO", "2026", "Nombre de places ouvertes"),
        ("Créer un lieu d'écoute en zone rurale", "Maison des Solidarités de Maurienne", "Département", "2027",
         "Lieu ouvert (oui/non)"),
        ("Accompagner les victimes vers le logement", "", "Bailleurs sociaux", "2025-2027",
         "Nombre de femmes relogées"),
    ],
    3: [("Réunir l'observatoire deux fois par an", "DDFE", "Tous les signataires", "2025-2027",
         "Nombre de réunions")],
}  # fmt: skip


def _document(chemin):
    import docx

    d = docx.Document()
    titre = d.add_paragraph()
    titre.add_run(
        "Protocole départemental de lutte contre les violences faites aux femmes 2025-2027 en Savoie"
    ).bold = True
    for n, (axe, objectifs) in enumerate([("Prévenir", [1, 2]), ("Coordonner", [3])], 1):
        d.add_paragraph().add_run(f"Axe {n} - {axe}").bold = True
        for o in objectifs:
            d.add_paragraph(f"Objectif n°{o} : objectif numéro {o} du protocole savoyard")
            t = d.add_table(rows=1, cols=5)
            for j, tete in enumerate(["Actions", "Pilote(s)", "Partenaires", "Délai", "Indicateurs"]):
                t.cell(0, j).text = tete
            for action in ACTIONS[o]:
                cells = t.add_row().cells
                for j, texte in enumerate(action):
                    cells[j].text = texte
            d.add_paragraph("Commentaire de l'objectif, sans importance pour l'import.")
    d.add_paragraph().add_run("SIGNATAIRES").bold = True
    t = d.add_table(rows=1, cols=3)
    for j, (fonction, nom) in enumerate(
        [("La Préfète de la Savoie", "Madame Claire EXEMPLE"), ("Le Procureur de la République", "Monsieur Paul MODELE"),
         ("Le Président du Département", "Monsieur Jean FICTIF")]
    ):  # fmt: skip
        t.cell(0, j).text = fonction
        t.cell(0, j).add_paragraph(nom)
    d.save(chemin)
    return chemin


@pytest.fixture(scope="module")
def importe(tmp_path_factory):
    return importer_protocole(_document(tmp_path_factory.mktemp("doc") / "protocole-savoie.docx"))


def test_chaque_action_lue(importe):
    d = importe.donnees
    assert [a["code"] for a in d["actions"]] == ["1-1-1", "1-1-2", "1-2-1", "1-2-2", "1-2-3", "2-3-1"]
    assert [a["description"] for a in d["actions"]] == [a[0] for o in (1, 2, 3) for a in ACTIONS[o]]
    assert d["annees"] == [2025, 2026, 2027] and d["territoire"] == "Savoie"
    assert [x["titre"] for x in d["axes"]] == ["Prévenir", "Coordonner"]
    assert [a["echeance"] for a in d["actions"]] == [a[3] for o in (1, 2, 3) for a in ACTIONS[o]]
    par_code = {a["code"]: a for a in d["actions"]}
    assert par_code["1-1-1"]["pilotes"] == ["GENDARMERIE"]
    assert par_code["1-1-1"]["indicateurs"][0]["cible_annuelle"] == 40
    assert par_code["1-2-2"]["pilotes"] == ["MAISON_DES_SOLIDARITES_DE_MAURIENNE"]
    assert d["autorites"] == [
        {"nom": "Madame Claire EXEMPLE", "fonction": "La Préfète de la Savoie"},
        {"nom": "Monsieur Paul MODELE", "fonction": "Le Procureur de la République"},
        {"nom": "Monsieur Jean FICTIF", "fonction": "Le Président du Département"},
    ]


def test_ce_qui_manque_est_dit(importe, tmp_path):
    a_completer = [(i.ou, i.retenu) for i in importe.revue if i.quoi == "À compléter"]
    assert a_completer == [("action 1-2-3", "pilote non trouvé (ligne « Pilotage » vide ou absente)")]
    nouvelles = [i.lu for i in importe.revue if i.quoi == "Nouvelle organisation"]
    assert nouvelles == ["Association des Maires", "Maison des Solidarités de Maurienne"]  # not Isère's
    assert importe.protocole is None
    sortie = ecrire_referentiel_importe(importe, tmp_path / "referentiel-savoie.xlsx")
    wb = openpyxl.load_workbook(sortie)
    bloquants = [r[4] for r in wb["Revue"].iter_rows(min_row=2, values_only=True) if r[1] == BLOQUANT]
    assert bloquants == [
        "feuille Actions, ligne 6, colonne « Pilotes (codes, séparés par |) » : case vide, à remplir (aucun pilote)"
    ]
    assert wb["Actions"].cell(6, 1).value == "1-2-3"


def _document_sans_tableau(chemin):
    """Another shape: no table at all — headings, then each action as a list item or « Action n : »
    followed by « Pilote : … », « Échéance : … », « Indicateur : … » paragraphs; signatories function-first."""
    import docx

    d = docx.Document()
    d.add_paragraph("Plan départemental contre les violences faites aux femmes 2025-2027 en Savoie", style="Title")
    d.add_heading("Axe 1 : Prévenir", 1)
    d.add_heading("Objectif n° 1 : Former les professionnels", 2)
    d.add_paragraph("Former 40 gendarmes par an à l'accueil des victimes", style="List Bullet")
    d.add_paragraph("Pilote : Gendarmerie")
    d.add_paragraph("Échéance : 2025-2027")
    d.add_paragraph("Indicateur : Nombre de gendarmes formés")
    d.add_paragraph("Diffuser le guide départemental aux mairies", style="List Bullet")
    d.add_paragraph("Pilotes : DDFE")
    d.add_heading("Objectif n° 2 : Héberger", 2)
    d.add_paragraph("Action 1 : Ouvrir 10 places d'hébergement d'urgence par an")
    d.add_paragraph("Pilote : DDETS")
    d.add_paragraph("Partenaires : SIAO")
    d.add_paragraph("Action 2 : Accompagner les victimes vers le logement")
    d.add_paragraph("Échéance : 2026")
    d.add_heading("Axe 2 : Coordonner", 1)
    d.add_paragraph("Objectif n° 3 : Réunir l'observatoire")
    d.add_paragraph("Réunir l'observatoire deux fois par an", style="List Number")
    d.add_paragraph("Pilote : DDFE")
    d.add_heading("Signataires", 1)
    d.add_paragraph("La Préfète de la Savoie")
    d.add_paragraph("Madame Claire EXEMPLE")
    d.add_paragraph("")
    d.add_paragraph("Le Procureur de la République")
    d.add_paragraph("Monsieur Paul MODELE")
    d.save(chemin)
    return chemin


def test_protocole_sans_tableau(tmp_path):
    imp = importer_protocole(_document_sans_tableau(tmp_path / "plan-savoie.docx"))
    d = imp.donnees
    assert [(a["code"], a["description"]) for a in d["actions"]] == [
        ("1-1-1", "Former 40 gendarmes par an à l'accueil des victimes"),
        ("1-1-2", "Diffuser le guide départemental aux mairies"),
        ("1-2-1", "Ouvrir 10 places d'hébergement d'urgence par an"),
        ("1-2-2", "Accompagner les victimes vers le logement"),
        ("2-3-1", "Réunir l'observatoire deux fois par an"),
    ]
    par_code = {a["code"]: a for a in d["actions"]}
    assert par_code["1-1-1"]["pilotes"] == ["GENDARMERIE"] and par_code["1-1-1"]["echeance"] == "2025-2027"
    assert par_code["1-1-1"]["indicateurs"][0]["cible_annuelle"] == 40
    assert par_code["1-2-1"]["autres_acteurs"] == "SIAO"
    assert [x["titre"] for x in d["objectifs"]] == ["Former les professionnels", "Héberger", "Réunir l'observatoire"]
    assert d["autorites"] == [
        {"nom": "Madame Claire EXEMPLE", "fonction": "La Préfète de la Savoie"},
        {"nom": "Monsieur Paul MODELE", "fonction": "Le Procureur de la République"},
    ]
    manque = {(i.ou, i.retenu) for i in imp.revue if i.quoi == "À compléter"}
    assert ("action 1-2-2", "pilote non trouvé (ligne « Pilotage » vide ou absente)") in manque
    assert ("action 1-1-2", "échéance non trouvée") in manque
    assert imp.fautes == ["action « 1-2-2 » : aucun pilote"]
