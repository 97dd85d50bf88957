"""Issue 24, end to end: returns carrying personal data of every kind, in every free-text place
(observations, text indicators, the Structure field, the file name), go through the whole cycle;
the outputs read back (bilan docx and PDF, consolidation workbook, working notes, control report,
e-mail drafts, web page) hold none of it; each case is an erreur at its cell; aggregate sentences
pass untouched. All data invented.
"""

from __future__ import annotations

import html
import shutil
import time
from datetime import date, datetime
from email import policy
from email.parser import BytesParser
from pathlib import Path

import docx
import pytest
from openpyxl import load_workbook

from vif38_bilan.controle.donnees_personnelles import MARQUE
from vif38_bilan.cycle import ouvrir_espace, preparer_courriels, produire_bilan
from vif38_bilan.demo.demonstration import creer_demo
from vif38_bilan.gabarits import disposition as d
from vif38_bilan.gabarits.remplissage import remplir_gabarit, reponses_inventees
from vif38_bilan.regles import ERREUR

ANNEE = 2023
APRES_LA_DEMO = datetime(2024, 3, 1, 10, 0)

STRUCTURE = "Association Horizon – suivi de Karima Lemaire 07 61 42 33 90"
NOM_DDFE = "DDFE bilan 2023 - Élodie Mercier 06 98 76 54 32.xlsx"
NOM_ASSO = "bilan 2023 - Association Horizon.xlsx"
# (action, where, text): where = "obs" or the index of a text indicator.
DDFE_TEXTES = [
    ("1-1-1", "obs", "Mise à l'abri de Bérénice, 27 ans, et de ses deux enfants à Vizille le 14 avril."),
    ("1-1-2", "obs", "NIR 285122609412342 transmis à la CPAM pour l'ouverture des droits."),
    ("1-1-3", "obs", "Son fils Gabin, témoin des faits, est suivi au CMP."),
    ("4-22-1", 0, "Accompagnement de Florence Aubry, domiciliée 9 rue des Tilleuls à Voiron."),
]
SECRETS = [
    "Karima", "Lemaire", "07 61 42 33 90", "Élodie", "Mercier", "06 98 76 54 32", "Bérénice", "285122609412342",
    "Gabin", "Florence", "Aubry", "Tilleuls",
]  # fmt: skip
AGREGEES = [
    ("1-5-3", "Mme la Préfète a réuni 14 partenaires le 3 mai à Bourgoin-Jallieu ; le 3919 a été présenté."),
    ("1-2-1", "M. le Procureur a ouvert le colloque : 230 professionnels présents à Échirolles."),
]


def _deposer(protocole, racine: Path, code: str, nom: str, maj: dict, identite: dict | None = None) -> None:
    reponses = reponses_inventees(protocole, code, ANNEE, 11)
    for action, changement in maj.items():
        reponses[action] = {**reponses[action], **changement}
    remplir_gabarit(
        racine / "gabarits" / str(ANNEE) / d.nom_fichier(ANNEE, code),
        racine / "saisies" / str(ANNEE) / nom,
        reponses,
        identite=identite,
        modifie_le=APRES_LA_DEMO,
    )


@pytest.fixture(scope="module")
def cycle(protocole, tmp_path_factory):
    racine = tmp_path_factory.mktemp("barriere") / "demo"
    creer_demo(racine)
    maj: dict = {}
    for code, ou, texte in DDFE_TEXTES:
        base = reponses_inventees(protocole, "DDFE", ANNEE, 11)[code]
        if ou == "obs":
            maj[code] = {"observations": texte}
        else:
            valeurs = list(base["valeurs"])
            valeurs[ou] = texte
            maj[code] = {"valeurs": valeurs}
    for code, texte in AGREGEES:
        maj[code] = {"observations": texte}
    _deposer(protocole, racine, "DDFE", NOM_DDFE, maj)
    asso = [a.code for a, _ in protocole.actions_du_pilote("ASSOCIATIONS")]
    _deposer(protocole, racine, "ASSOCIATIONS", NOM_ASSO, {}, identite={"Structure": STRUCTURE})
    espace = ouvrir_espace(racine)
    sorties = produire_bilan(espace, ANNEE, date_edition=date(2024, 4, 12), pdf=shutil.which("soffice") is not None)
    courriels = preparer_courriels(espace, ANNEE, "correction", resultat=sorties.resultat)
    return racine, espace, sorties, courriels, asso


def _docx(chemin: Path) -> str:
    doc = docx.Document(str(chemin))
    morceaux = [p.text for p in doc.paragraphs] + [c.text for t in doc.tables for r in t.rows for c in r.cells]
    return "\n".join(morceaux).replace("\u202f", " ")  # the signed text's narrow no-break spaces (issue 23)


def _classeur(chemin: Path) -> str:
    wb = load_workbook(chemin)
    morceaux = [ws.title for ws in wb]
    for ws in wb:
        for ligne in ws.iter_rows(values_only=True):
            morceaux += [str(v) for v in ligne if v is not None]
        for ligne in ws.iter_rows():
            morceaux += [c.comment.text for c in ligne if c.comment]
    return "\n".join(morceaux).replace("\u202f", " ")  # the signed text's narrow no-break spaces (issue 23)


def _absents(texte: str, ou: str) -> None:
    trouves = [s for s in SECRETS if s in texte]
    assert not trouves, f"{ou} contient {trouves}"


def test_chaque_cas_est_une_erreur_a_sa_cellule(cycle, protocole):
    _, _, sorties, _, _ = cycle
    r = sorties.resultat
    ddfe = next(f for f in r.fichiers if f.pilote == "DDFE" and f.etat != "remplacé" and "DDFE bilan" in f.nom)
    assert MARQUE in ddfe.nom and "Mercier" not in ddfe.nom and ddfe.nom.endswith(".xlsx")
    par_regle = {}
    for a in r.anomalies:
        par_regle.setdefault(a.regle, []).append(a)
    (nom,) = [a for a in par_regle["nom_fichier_personnel"] if a.pilote == "DDFE"]
    assert nom.gravite == ERREUR and "un nom de personne" in nom.message and "un numéro de téléphone" in nom.message
    (structure,) = par_regle["structure_personnelle"]
    assert structure.gravite == ERREUR and structure.cellule and structure.structure == "Structure 1"
    assert "un nom de personne" in structure.message
    cellules = {(a.code_action, a.cellule) for a in par_regle["donnees_personnelles"] if a.pilote == "DDFE"}
    codes = {c for c, _ in cellules}
    assert codes == {code for code, _, _ in DDFE_TEXTES}
    assert all(c for _, c in cellules) and len(cellules) == len(DDFE_TEXTES)
    attendus = {"1-1-1": "un prénom suivi d'un âge", "1-1-2": "un numéro de sécurité sociale",
                "1-1-3": "le prénom d'un enfant", "4-22-1": "une adresse postale"}  # fmt: skip
    for a in par_regle["donnees_personnelles"]:
        if a.pilote == "DDFE":
            assert attendus[a.code_action] in a.message, a.message
    for a in r.anomalies:
        _absents(a.message, f"le message {a.regle}")
        _absents(a.fichier or "", "un nom de fichier d'anomalie")
        _absents(a.structure or "", "une structure d'anomalie")


def test_le_bilan_et_son_pdf_sans_donnee_personnelle(cycle):
    _, _, sorties, _, _ = cycle
    texte = _docx(sorties.bilan)
    _absents(texte, "le bilan")
    for _, phrase in AGREGEES:
        assert phrase in texte  # aggregate wording passes untouched
    assert "et de ses deux enfants à Vizille le 14 avril." in texte  # the rest of the sentence is kept
    assert MARQUE in texte and "Structure 1" in texte
    assert "contrôle automatique des données personnelles" in texte  # the Méthode annex says what it does
    assert "ne contiennent aucune donnée personnelle" not in texte
    if sorties.pdf is not None:
        import subprocess

        pdf = subprocess.run(["pdftotext", str(sorties.pdf), "-"], capture_output=True, text=True, check=True).stdout
        _absents(pdf, "le PDF")
        assert "Structure 1" in pdf


def test_consolidation_notes_et_rapport_sans_donnee_personnelle(cycle):
    _, _, sorties, _, _ = cycle
    _absents(_classeur(sorties.consolidation), "le classeur de consolidation")
    _absents(_classeur(sorties.rapport), "le rapport de contrôle")
    notes = _docx(sorties.points)
    _absents(notes, "les points à vérifier")
    # The working notes say where and of which kind.
    assert "un numéro de sécurité sociale" in notes and "un prénom suivi d'un âge" in notes


def test_courriels_sans_donnee_personnelle(cycle):
    _, _, _, courriels, _ = cycle
    assert courriels.brouillons
    for b in courriels.brouillons:
        msg = BytesParser(policy=policy.default).parsebytes(b.chemin.read_bytes())
        corps = msg.get_body(preferencelist=("plain",)).get_content()
        _absents(str(msg["Subject"]) + corps, f"le courriel {b.chemin.name}")
        for piece in msg.iter_attachments():
            _absents(piece.get_filename() or "", "le nom d'une pièce jointe")
    _absents("\n".join(courriels.sans_adresse + courriels.remarques), "le compte rendu des courriels")


def test_page_web_du_rapport_sans_donnee_personnelle(cycle):
    from vif38_bilan.web import creer_app, etapes

    racine, _, _, _, _ = cycle
    app = creer_app(etapes.ouvrir_espace(racine), port=8038)
    client = app.test_client()
    hote = {"Host": "127.0.0.1:8038"}
    assert client.get(f"/?jeton={app.config['VIF38'].secrets.jeton}", headers=hote).status_code == 303
    client.get(f"/{ANNEE}/rapport", headers=hote)  # the page reads the year's check in the background
    fin = time.monotonic() + 300
    while app.config["VIF38"].travaux.en_cours() is not None:
        assert time.monotonic() < fin, "la lecture du contrôle ne se termine pas"
        time.sleep(0.1)
    for url in (f"/{ANNEE}/rapport", f"/{ANNEE}/", f"/{ANNEE}/bilan"):
        r = client.get(url, headers=hote)
        assert r.status_code == 200, url
        page = html.unescape(r.data.decode("utf-8"))
        _absents(page, f"la page {url}")
    page = html.unescape(client.get(f"/{ANNEE}/rapport", headers=hote).data.decode("utf-8"))
    assert "Structure 1" in page and "un numéro de sécurité sociale" in page


def test_page_de_depot_ne_recopie_pas_le_nom_recu(protocole, tmp_path):
    import io
    import re

    from vif38_bilan.web import creer_app, etapes

    racine = tmp_path / "demo"
    creer_demo(racine)
    app = creer_app(etapes.ouvrir_espace(racine), port=8038)
    client = app.test_client()
    hote = {"Host": "127.0.0.1:8038"}
    assert client.get(f"/?jeton={app.config['VIF38'].secrets.jeton}", headers=hote).status_code == 303
    page = client.get(f"/{ANNEE}/bilan", headers=hote).data.decode("utf-8")
    csrf = re.search(r'name="csrf" value="([^"]+)"', page).group(1)
    gabarit = racine / "gabarits" / str(ANNEE) / d.nom_fichier(ANNEE, "CAF")
    nom = "retour CAF Justine Carrel 06 45 12 78 90.xlsx"
    fichier = (io.BytesIO(gabarit.read_bytes()), nom)
    r = client.post(f"/{ANNEE}/depot", data={"csrf": csrf, "fichiers": fichier}, headers=hote)
    assert r.status_code == 303
    fin = time.monotonic() + 300
    while app.config["VIF38"].travaux.en_cours() is not None:
        assert time.monotonic() < fin
        time.sleep(0.1)
    page = html.unescape(client.get(f"/{ANNEE}/depot", headers=hote).data.decode("utf-8"))
    assert "retour CAF" in page and MARQUE in page  # the upload is listed, its personal part removed
    for secret in ("Justine", "Carrel", "06 45 12 78 90"):
        assert secret not in page
