"""The web page in a real browser: Selenium driving Debian's chromium and chromedriver.

The whole path of the agent: open the address printed at start, drop three returns (one broken)
through the file input, read the report, produce the bilan, download the docx (read back with
python-docx), prepare drafts. A screenshot of each page is saved in $VIF38_CAPTURES (or the
test's temporary folder) to look at.
"""

from __future__ import annotations

import os
import shutil
from pathlib import Path

import pytest
from tests.fabriques import remplir

from vif38_bilan.web import demarrer, etapes

CHROMIUM = shutil.which("chromium") or shutil.which("chromium-browser")
CHROMEDRIVER = shutil.which("chromedriver")

pytestmark = pytest.mark.skipif(
    not (CHROMIUM and CHROMEDRIVER),
    reason="navigateur absent : installez chromium et chromium-driver (apt-get install chromium chromium-driver), "
    "comme le fait la CI (.ci/run)",
)

ANNEE = 2023
ATTENTE = 240  # seconds: a bilan on a loaded 2-core CI machine


@pytest.fixture
def navigateur(tmp_path):
    from selenium import webdriver
    from selenium.webdriver.chrome.service import Service

    options = webdriver.ChromeOptions()
    options.binary_location = CHROMIUM
    for a in (
        "--headless", "--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage", "--no-first-run",
        "--disable-background-networking", "--disable-component-update", "--disable-sync",
        f"--user-data-dir={tmp_path / 'profil-chromium'}", "--window-size=1366,900", "--lang=fr-FR",
    ):  # fmt: skip
        options.add_argument(a)
    pilote = webdriver.Chrome(service=Service(CHROMEDRIVER), options=options)
    telechargements = tmp_path / "telechargements"
    telechargements.mkdir()
    pilote.execute_cdp_cmd("Page.setDownloadBehavior", {"behavior": "allow", "downloadPath": str(telechargements)})
    pilote.telechargements = telechargements
    yield pilote
    pilote.quit()


@pytest.fixture
def captures(tmp_path):
    dossier = Path(os.environ.get("VIF38_CAPTURES") or tmp_path / "captures")
    dossier.mkdir(parents=True, exist_ok=True)
    return dossier


def _capturer(pilote, dossier: Path, nom: str) -> None:
    """A full-page screenshot at laptop width."""
    hauteur = pilote.execute_script("return document.documentElement.scrollHeight")
    pilote.set_window_size(1366, min(max(hauteur, 900), 6000))
    pilote.save_screenshot(str(dossier / f"{nom}.png"))
    pilote.set_window_size(1366, 900)


def _attendre(pilote, condition, delai=ATTENTE):
    from selenium.common.exceptions import NoSuchElementException, StaleElementReferenceException, TimeoutException
    from selenium.webdriver.support.ui import WebDriverWait

    # The progress page goes to the result page when the job ends: an element read then is stale, read again.
    ignorees = (NoSuchElementException, StaleElementReferenceException)
    try:
        return WebDriverWait(pilote, delai, poll_frequency=0.2, ignored_exceptions=ignorees).until(condition)
    except TimeoutException:
        pytest.fail(f"attente dépassée sur {pilote.current_url} :\n{_texte(pilote)[:2000]}")


def _texte(pilote) -> str:
    return pilote.find_element("tag name", "body").text


@pytest.fixture
def serveur(espace, protocole, tmp_path):
    """A workspace with the 2023 templates and three returns received by e-mail (one broken)."""
    e = etapes.ouvrir_espace(espace)
    etapes.produire_gabarits(e, ANNEE, pilotes=["DDFE", "CAF"])
    recus = tmp_path / "pieces-jointes"
    gabarits = espace / "gabarits" / str(ANNEE)
    ddfe = remplir(protocole, gabarits, recus, "DDFE", nom="Bilan 2023 DDFE.xlsx")
    code = next(a.code for a, _ in protocole.actions_du_pilote("CAF") if a.indicateurs[0].type == "entier")
    caf = remplir(protocole, gabarits, recus, "CAF", nom="RE_ bilan CAF.xlsx", maj={code: {"valeurs": ["une dizaine"]}})
    casse = recus / "Bilan Police (version finale).xlsx"
    casse.write_bytes(ddfe.read_bytes()[:3000])  # an attachment cut short in transit
    d = demarrer(e, port=0)
    d.en_arriere_plan()
    d.recus = (ddfe, caf, casse)
    d.code_erreur = code
    yield d
    d.close()


def test_parcours_complet_dans_le_navigateur(navigateur, serveur, captures, espace):
    from selenium.webdriver.common.by import By
    from selenium.webdriver.common.keys import Keys
    from selenium.webdriver.support.ui import Select

    p = navigateur
    base = f"http://127.0.0.1:{serveur.port}"

    # Without the token: refused.
    p.get(f"{base}/{ANNEE}/")
    assert "Accès refusé" in _texte(p)

    # The address printed at start: the dashboard, with the next step.
    p.get(serveur.adresse)
    _attendre(p, lambda d: d.current_url == f"{base}/{ANNEE}/")
    assert "jeton" not in p.current_url
    assert "Bilan 2023 : où en est l'année" in _texte(p)
    assert "2 classeur(s)" in _texte(p)
    assert "Préparer les courriels" in p.find_element(By.ID, "prochaine").text
    _capturer(p, captures, "1-tableau-de-bord")
    # Keyboard: the first Tab reaches the skip link.
    p.find_element(By.TAG_NAME, "body").send_keys(Keys.TAB)
    assert p.switch_to.active_element.text == "Aller au contenu"

    # Drop the three returns through the file input.
    p.find_element(By.LINK_TEXT, "Dépôt des retours").click()
    p.find_element(By.ID, "fichiers").send_keys("\n".join(str(f) for f in serveur.recus))
    _attendre(p, lambda d: len(d.find_elements(By.CSS_SELECTOR, "#choisis li")) == 3)
    _capturer(p, captures, "2-depot-choix")
    p.find_element(By.ID, "deposer").click()
    _attendre(p, lambda d: d.current_url.endswith(f"/{ANNEE}/depot") and d.find_elements(By.ID, "dernier-depot"))
    lignes = p.find_elements(By.CSS_SELECTOR, "table.depots tbody tr")
    assert len(lignes) == 3
    par_nom = {li.find_element(By.TAG_NAME, "td").text: li.text for li in lignes}
    assert "abîmé" in par_nom["Bilan Police (version finale).xlsx"]
    assert "DDFE" in par_nom["Bilan 2023 DDFE.xlsx"] and "valide" in par_nom["Bilan 2023 DDFE.xlsx"]
    assert "à corriger" in par_nom["RE_ bilan CAF.xlsx"]
    saisies = espace / "saisies" / str(ANNEE)
    for f in serveur.recus:
        assert (saisies / f.name).read_bytes() == f.read_bytes()  # byte for byte
    _capturer(p, captures, "3-depot-resultat")
    # Drag-and-drop: a file dropped on the zone lands in the form's file input.
    depose = p.execute_script(
        "const dt = new DataTransfer(); dt.items.add(new File(['x'], 'glissé.xlsx'));"
        "document.getElementById('zone-depot').dispatchEvent("
        "  new DragEvent('drop', {dataTransfer: dt, bubbles: true, cancelable: true}));"
        "return [document.getElementById('fichiers').files.length, document.getElementById('choisis').textContent];"
    )
    assert depose == [1, "glissé.xlsx"]

    # The report: the broken file and the CAF's error, filterable by severity.
    p.find_element(By.LINK_TEXT, "Voir le rapport de contrôle").click()
    _attendre(p, lambda d: d.find_elements(By.ID, "resume"))
    texte = _texte(p)
    assert "3 fichier(s)" in texte
    assert "une dizaine" in texte and serveur.code_erreur in texte
    assert "Le fichier est abîmé" in texte
    assert p.find_elements(By.PARTIAL_LINK_TEXT, "copie annotée")
    assert p.find_elements(By.PARTIAL_LINK_TEXT, "controle-2023.xlsx")
    _capturer(p, captures, "4-rapport")
    Select(p.find_element(By.ID, "gravite")).select_by_value("erreur")
    p.find_element(By.CSS_SELECTOR, "form.filtre button").click()
    _attendre(p, lambda d: "gravite=erreur" in d.current_url)
    gravites = {td.text for td in p.find_elements(By.CSS_SELECTOR, "table.anomalies tbody td:first-child")}
    assert gravites == {"erreur"}

    # The bilan: produced with progress shown, then downloaded and read back.
    p.find_element(By.LINK_TEXT, "Bilan").click()
    p.find_element(By.ID, "date").send_keys("10/04/2024")
    p.find_element(By.ID, "produire-bilan").click()
    if "/travail/" in p.current_url:  # still running: the progress page
        assert "Production du bilan 2023" in _texte(p)
        _capturer(p, captures, "5a-bilan-en-cours")
    _attendre(
        p, lambda d: d.current_url.endswith(f"/{ANNEE}/bilan") and d.find_elements(By.LINK_TEXT, "bilan-2023.docx")
    )
    assert "erreur(s) dans les retours" in _texte(p)
    _capturer(p, captures, "5-bilan")
    p.find_element(By.LINK_TEXT, "bilan-2023.docx").click()
    docx = p.telechargements / "bilan-2023.docx"
    _attendre(p, lambda d: docx.is_file() and not list(p.telechargements.glob("*.crdownload")), delai=30)
    from docx import Document

    doc = Document(docx)
    texte = "\n".join(par.text for par in doc.paragraphs)
    assert "Bilan 2023" in texte and "10 avril 2024" in texte
    entetes = {t.rows[0].cells[0].text for t in doc.tables if t.rows}
    assert "OBJECTIFS" in entetes
    assert docx.read_bytes() == (espace / "sorties" / str(ANNEE) / "bilan-2023.docx").read_bytes()

    # The drafts: contacts.xlsx has no address yet, so the page says who gets none.
    p.find_element(By.LINK_TEXT, "Courriels").click()
    p.find_element(By.XPATH, "//button[contains(., 'Préparer les brouillons « envoi »')]").click()
    _attendre(p, lambda d: d.current_url.endswith(f"/{ANNEE}/courriels") and "ATTENTION" in _texte(d))
    assert "destinataire(s) sans brouillon, faute d'adresse" in _texte(p)
    _capturer(p, captures, "6-courriels")

    for lien, nom in (("Gabarits", "7-gabarits"), ("Historique", "8-historique")):
        p.find_element(By.LINK_TEXT, lien).click()
        _capturer(p, captures, nom)

    # Back to the dashboard: each pilot's state, and the next step.
    p.find_element(By.LINK_TEXT, "Tableau de bord").click()
    _attendre(p, lambda d: d.find_elements(By.CSS_SELECTOR, "table.pilotes"))
    lignes = {
        li.find_element(By.TAG_NAME, "th").text: li.text
        for li in p.find_elements(By.CSS_SELECTOR, "table.pilotes tbody tr")
    }
    assert "valide" in next(v for k, v in lignes.items() if "(DDFE)" in k)
    assert "à corriger" in next(v for k, v in lignes.items() if "(CAF)" in k)
    assert "manquant" in _texte(p)
    _capturer(p, captures, "9-tableau-apres")
