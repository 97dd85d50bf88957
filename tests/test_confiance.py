"""Issue 12: nothing private, garbled or inflated in the document the Préfet signs.

The demo workspace plus returns written the way busy pilots write them — each fault a fixture
named after its defect — run through the public API; the signed bilan is read back with
python-docx (and through LibreOffice), the working notes list what was removed.
"""

from __future__ import annotations

import re
import shutil
import subprocess
import zipfile
from datetime import date, datetime
from pathlib import Path

import docx
import pytest
from tests.fabriques import rep, resultat

from vif38_bilan.gabarits import disposition as d
from vif38_bilan.regles import ERREUR
from vif38_bilan.bilan.textes import phrase_cumul
from vif38_bilan.consolidation.actions import consolider
from vif38_bilan.cycle import ouvrir_espace, produire_bilan
from vif38_bilan.demo.demonstration import creer_demo
from vif38_bilan.controle.donnees_personnelles import MARQUE, Nature, exceptions_du_protocole, reperer
from vif38_bilan.consolidation.historique import Historique
from vif38_bilan.gabarits.remplissage import remplir_gabarit, reponses_inventees

DATE = date(2024, 4, 12)
APRES_LA_DEMO = datetime(2024, 3, 1, 10, 0)  # saved after the demo's returns: these ones are kept

# ---------------------------------------------------------------- the faults, as built by busy pilots

OBSERVATION_PERSONNELLE = (
    "12 femmes accompagnées. Situation de Mme Dupont suivie avec le CIDFF, joignable au 06 12 34 56 78 "
    "ou jeanne.dupont@exemple.fr ; hébergée 4 rue Jean Jaurès, 38000 Grenoble."
)


def observation_windows_1800() -> str:
    """An observation pasted from Word in Windows: CR LF line breaks, Excel's _x000D_, a form feed."""
    lignes = [f"Séance {i} : 12 professionnels formés au repérage, 3 orientations vers le CIDFF." for i in range(40)]
    texte = "\r\n".join(lignes)
    texte = texte.replace("Séance 10", "\x0cSéance 10").replace("Séance 20", "Séance 20_x000D_")
    return texte[:1800]


def _deposer(protocole, racine: Path, code: str, nom: str, maj: dict, identite: dict | None = None, vides=()):
    annee = 2023
    reponses = reponses_inventees(protocole, code, annee, 7)
    for action, changement in maj.items():
        reponses[action] = {**reponses[action], **changement}
    for action in vides:  # a row left entirely empty
        reponses[action] = {
            "statut": "",
            "valeurs": [None] * len(protocole.action(action).indicateurs),
            "observations": "",
        }
    remplir_gabarit(
        racine / "gabarits" / str(annee) / d.nom_fichier(annee, code),
        racine / "saisies" / str(annee) / nom,
        reponses,
        identite=identite,
        modifie_le=APRES_LA_DEMO,
    )


def copilotes_meme_reunion_1_5_3(protocole, racine):
    """Préfecture, Justice and DDFE each report the meetings of the same two instances."""
    _deposer(protocole, racine, "PREFECTURE", "Préfecture bilan 2023 v2.xlsx", {"1-5-3": {"valeurs": [4, 10]}})
    _deposer(protocole, racine, "JUSTICE", "Justice - bilan 2023 corrigé.xlsx", {"1-5-3": {"valeurs": [4, 9]}})


def ddfe_observations_nom_telephone_et_retours_windows(protocole, racine):
    """The DDFE's return: a victim's name and phone in one observation, a long pasted one in another;
    it also reports the 1-5-3 meetings (3 of the governance instance) and the 1-2-1 colloquium."""
    _deposer(
        protocole,
        racine,
        "DDFE",
        "DDFE bilan 2023 définitif.xlsx",
        {
            "1-5-3": {"valeurs": [3, 10]},
            "1-8-2": {"observations": OBSERVATION_PERSONNELLE},
            "1-1-1": {"observations": observation_windows_1800()},
        },
    )


def structure_collective_lignes_vides(protocole, racine):
    """An association answers only the action that concerns it; every other row is left empty."""
    codes = [a.code for a, _ in protocole.actions_du_pilote("ASSOCIATIONS")]
    _deposer(
        protocole,
        racine,
        "ASSOCIATIONS",
        "bilan 2023 - Association Gamma.xlsx",
        {
            codes[0]: {
                "statut": "EFFECTUÉE",
                "valeurs": [2] * len(protocole.action(codes[0]).indicateurs),
                "observations": "Deux stands tenus au colloque départemental.",
            }
        },
        identite={"Structure": "Association Gamma"},
        vides=codes[1:],
    )


def classeur_collectif_vide(protocole, racine):
    """An association sends the template back with its name and nothing else."""
    codes = [a.code for a, _ in protocole.actions_du_pilote("ASSOCIATIONS")]
    _deposer(
        protocole, racine, "ASSOCIATIONS", "bilan 2023 - Association Delta.xlsx", {},
        identite={"Structure": "Association Delta"}, vides=codes,
    )  # fmt: skip


FAUTES = (
    copilotes_meme_reunion_1_5_3,
    ddfe_observations_nom_telephone_et_retours_windows,
    structure_collective_lignes_vides,
    classeur_collectif_vide,
)


@pytest.fixture(scope="module")
def annee_fautive(protocole, tmp_path_factory):
    racine = tmp_path_factory.mktemp("confiance") / "demo"
    creer_demo(racine)
    for faute in FAUTES:
        faute(protocole, racine)
    return produire_bilan(ouvrir_espace(racine), 2023, date_edition=DATE)


def _texte_docx(chemin: Path) -> str:
    doc = docx.Document(str(chemin))
    morceaux = [p.text for p in doc.paragraphs]
    morceaux += [c.text for t in doc.tables for r in t.rows for c in r.cells]
    for s in doc.sections:
        morceaux += [p.text for p in s.header.paragraphs] + [p.text for p in s.footer.paragraphs]
    # The documents' narrow no-break spaces (French typography, issue 23) read as spaces here.
    return "\n".join(morceaux).replace("\u202f", " ")


# ---------------------------------------------------------------- the signed bilan


def test_bilan_sans_donnee_personnelle(annee_fautive, protocole):
    texte = _texte_docx(annee_fautive.bilan)
    # The authorities' names the protocol prints (signatures) are public; nothing else is found.
    trouves = reperer(texte, exceptions_du_protocole(protocole))
    assert [(texte[p.debut : p.fin], p.nature.name) for p in trouves] == []
    for interdit in ("Dupont", "06 12 34 56 78", "jeanne.dupont@exemple.fr", "rue Jean Jaurès", "@"):
        assert interdit not in texte
    # The rest of the observation is kept around the removed passages.
    assert f"12 femmes accompagnées. Situation de {MARQUE} suivie avec le CIDFF" in texte


def test_bilan_sans_caractere_de_controle(annee_fautive):
    with zipfile.ZipFile(annee_fautive.bilan) as z:
        for nom in z.namelist():
            if nom.endswith(".xml"):
                xml = z.read(nom).decode("utf-8")
                assert not re.search(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]|&#13;|&#xD;|_x000D_|<w:cr/>", xml), nom
    texte = _texte_docx(annee_fautive.bilan)
    # Each pasted line stays a line (a w:br), nothing glued, nothing garbled.
    assert "Séance 19 : 12 professionnels formés au repérage, 3 orientations vers le CIDFF.\nSéance 20" in texte
    assert "_x000D_" not in texte and "\r" not in texte


def test_bilan_sans_consigne_chemin_ni_nom_de_fichier(annee_fautive):
    texte = _texte_docx(annee_fautive.bilan)
    for consigne in ("vif38-bilan", "lancez", "Lancez", "Choisissez", "choisissez", ".xlsx", ".docx", "saisies/"):
        assert consigne not in texte, consigne
    assert str(annee_fautive.bilan.parent.parent.parent) not in texte  # no absolute path
    for f in annee_fautive.resultat.fichiers:
        assert Path(f.nom).stem not in texte, f.nom


def test_1_5_3_suit_sa_regle_et_le_dit(annee_fautive):
    e = annee_fautive.donnees.enregistrement("1-5-3", 2023)
    # Préfecture 4, Justice 4, DDFE 3 meetings of one instance: 4, not 11.
    assert e.valeurs == (4, 10)
    texte = _texte_docx(annee_fautive.bilan)
    assert (
        "4 réunions de l'instance de gouvernance unique (déclarations : Préfecture 4, Justice 4, DDFE 3 ; "
        "maximum retenu) — cible 4/an, 100\u00a0%"
    ) in texte
    assert "11 réunions" not in texte


def test_structure_collective_lignes_vides_sans_erreur(annee_fautive, protocole):
    res = annee_fautive.resultat
    gamma = [a for a in res.anomalies if (a.structure or "") == "Association Gamma"]
    assert gamma == []  # no "choose a status" for the actions that do not concern it
    delta = [a for a in res.anomalies if (a.structure or "") == "Association Delta"]
    assert [(a.regle, a.gravite) for a in delta] == [("aucune_action_renseignee", ERREUR)]
    codes = [a.code for a, _ in protocole.actions_du_pilote("ASSOCIATIONS")]
    e = annee_fautive.donnees.enregistrement(codes[1], 2023)
    assert "Association Gamma" in e.non_concernees
    assert all(qui != "Association Gamma" for det in e.details for qui, _ in det)  # not counted


def test_donnees_personnelles_en_erreur_a_leur_cellule(annee_fautive):
    (a,) = [
        x
        for x in annee_fautive.resultat.anomalies
        if x.regle == "donnees_personnelles" and x.code_action == "1-8-2" and x.pilote == "DDFE"
    ]
    assert a.gravite == ERREUR and a.cellule and "termes agrégés" in a.message
    assert "Dupont" not in a.message and "06 12" not in a.message


# ---------------------------------------------------------------- the working notes


def test_points_a_verifier_listent_tout_ce_qui_est_retire(annee_fautive):
    r = annee_fautive
    assert r.points == r.bilan.parent / "points-a-verifier-2023.docx"
    texte = _texte_docx(r.points)
    assert r.donnees.retraits, "the faulty observation must have been redacted"
    for x in r.donnees.retraits:
        assert Path(x.fichier).name in texte and x.cellule in texte
        for nature in x.natures:
            assert nature in texte
    natures = {n for x in r.donnees.retraits for n in x.natures}
    assert {Nature.NOM.value, Nature.TELEPHONE.value, Nature.COURRIEL.value, Nature.ADRESSE.value} <= natures
    # Open anomalies, values left out, disagreements, files read, commands: all here.
    for a in r.resultat.anomalies:
        assert a.message in texte
    for f in r.resultat.fichiers:
        assert f.nom in texte
    assert "Chiffres déclarés par plusieurs pilotes" in texte and "1-5-3" in texte
    assert "Association Gamma" in texte  # not concerned
    assert "vif38-bilan courriels --annee 2023 --type correction" in texte
    # The working notes never copy the personal data either.
    assert "Dupont" not in texte and "06 12 34 56 78" not in texte


# ---------------------------------------------------------------- unknown is not zero


def annee_precedente_inconnue(protocole):
    """2023 returns, no 2022 data at all: the cumulated figure must not count 2022 as zero."""
    r = resultat(2023, [rep("DDETS", "1-4-1", "EN COURS", [14])])
    return consolider(protocole, 2023, r, Historique())


def test_annee_inconnue_non_renseignee(protocole):
    c = annee_precedente_inconnue(protocole)
    e = c.enregistrement("1-4-1", 2023)
    ind = protocole.action("1-4-1").indicateurs[0]
    assert e.cumuls[0] == 14 and e.non_renseignees[0] == (2022,)
    assert e.taux[0] == 14 / 20  # this year's rate stands
    assert e.taux_cumules[0] is None  # never 14 / 40 as if 2022 were 0
    assert phrase_cumul(ind, e, 0, 2022) == "Cumul 2022-2023 : 14 (2022 non renseignée)"


# ---------------------------------------------------------------- through LibreOffice


@pytest.mark.libreoffice
@pytest.mark.skipif(shutil.which("soffice") is None or shutil.which("pdftotext") is None, reason="LibreOffice absent")
def test_observation_windows_garde_son_tableau_dans_libreoffice(annee_fautive, tmp_path):
    sortie = tmp_path / "pdf"
    subprocess.run(
        ["soffice", f"-env:UserInstallation=file://{tmp_path}/lo", "--headless", "--convert-to", "pdf", "--outdir", str(sortie), str(annee_fautive.bilan)],
        check=True, capture_output=True, timeout=240,
    )  # fmt: skip
    pdf = sortie / "bilan-2023.pdf"
    pages = subprocess.run(
        ["pdftotext", "-layout", str(pdf), "-"], capture_output=True, text=True, check=True
    ).stdout.split("\f")
    # The page of objective 1's table: the long pasted observation of 1-1-1 is there, and the
    # table's header cells are on one line (the table was not dropped or flattened).
    page = next(p for p in pages if "Séance 0 : 12 professionnels formés" in p)
    entete = next((ligne for ligne in page.splitlines() if "OBJECTIFS" in ligne), "")
    assert re.search(r"OBJECTIFS\s+ACTEURS\s+Autres acteurs\s+2022\s+2023\s+2024\s+OBSERVATIONS", entete), page[:800]
    assert "1-1-1" in page
