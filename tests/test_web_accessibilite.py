"""Accessibility of the web page (RGAA = WCAG 2.1 A/AA), in Debian's Chromium driven by Selenium.

1. axe-core (Deque's engine, from the npm registry) audits every page in every state the agent
   meets — dashboard (reading and read), dépôt (before, after), rapport (all and filtered),
   courriels, bilan (before, during and after a job, frozen year), gabarits, historique, the job
   page (running, failed) and the error pages — and the test prints « axe : N violation(s) ».
2. What axe cannot judge, checked on the same pages: one h1 and headings in order, a title saying
   where one is, lang="fr", every table with header cells, no page reloading itself.
3. The whole year with the keyboard alone (Tab / Shift+Tab / Enter / typing): upload → check →
   bilan produced → docx downloaded and read back with python-docx; each focus stop visibly outlined.

axe.min.js: $VIF38_AXE, else ~/.cache/vif38-bilan/axe/node_modules/axe-core/axe.min.js, which CI
fills with `npm install --prefix ~/.cache/vif38-bilan/axe axe-core@4.14.1` (.ci/run). Without it
the audit is skipped on a developer's machine and fails under CI (CI=true): it is never silently
passed.
"""

from __future__ import annotations

import os
import threading
from pathlib import Path

import pytest
from tests.test_web_navigateur import (  # noqa: F401  (pytest fixtures)
    ANNEE,
    CHROMEDRIVER,
    CHROMIUM,
    _attendre,
    _capturer,
    _texte,
    captures,
    navigateur,
    serveur,
)

pytestmark = pytest.mark.skipif(
    not (CHROMIUM and CHROMEDRIVER),
    reason="navigateur absent : installez chromium et chromium-driver (apt-get install chromium chromium-driver)",
)

AXE = Path(
    os.environ.get("VIF38_AXE")
    or Path.home() / ".cache" / "vif38-bilan" / "axe" / "node_modules" / "axe-core" / "axe.min.js"
)
NORMES = ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa"]


@pytest.fixture(scope="module")
def axe_js() -> str:
    if not AXE.is_file():
        message = (
            f"axe-core absent ({AXE}) : npm install --prefix ~/.cache/vif38-bilan/axe axe-core@4.14.1 "
            "(ou VIF38_AXE=chemin/axe.min.js)"
        )
        if os.environ.get("CI"):
            pytest.fail(message)
        pytest.skip(message)
    return AXE.read_text(encoding="utf-8")


class Audit:
    """axe-core run on the page shown, plus the structural checks axe leaves to people."""

    def __init__(self, pilote, axe_js: str, dossier: Path):
        self.p, self.axe_js, self.dossier = pilote, axe_js, dossier
        self.resultats: dict[str, list[str]] = {}

    def violations(self) -> list[str]:
        """axe-core's WCAG 2.1 A/AA violations on the page shown, one French-free line each (rule id)."""
        p = self.p
        if not p.execute_script("return typeof window.axe !== 'undefined'"):
            p.execute_script(self.axe_js)
        return p.execute_async_script(
            "const fin = arguments[arguments.length - 1];"
            "axe.run(document, {runOnly: {type: 'tag', values: arguments[0]}, resultTypes: ['violations']})"
            ".then(r => fin(r.violations.map(v => v.id + ' (' + v.impact + ') : ' + v.help + ' — '"
            "  + v.nodes.map(n => n.target.join(' ')).slice(0, 5).join(' | '))))"
            ".catch(e => fin(['axe en échec : ' + e]));",
            NORMES,
        )

    def __call__(self, nom: str, titre: str | None = None) -> None:
        p = self.p
        violations = self.violations()
        print(f"axe : {len(violations)} violation(s) — {nom} ({p.current_url})")
        for v in violations:
            print(f"    {v}")
        problemes = list(violations) + self._structure(titre)
        self.resultats[nom] = problemes
        _capturer(p, self.dossier, f"a11y-{nom}")

    def _structure(self, titre: str | None) -> list[str]:
        p = self.p
        s = p.execute_script(
            "return {lang: document.documentElement.lang, titre: document.title,"
            " niveaux: [...document.querySelectorAll('h1,h2,h3,h4,h5,h6')].map(h => +h.tagName[1]),"
            " tableaux: [...document.querySelectorAll('table')].map(t => t.querySelectorAll('th').length),"
            " rafraichit: !!document.querySelector('meta[http-equiv=refresh i]')};"
        )
        problemes = []
        if s["lang"] != "fr":
            problemes.append(f"lang={s['lang']!r}")
        if titre is not None and titre not in s["titre"]:
            problemes.append(f"titre {s['titre']!r} sans {titre!r}")
        niveaux = s["niveaux"]
        if niveaux.count(1) != 1 or niveaux[0] != 1:
            problemes.append(f"titres {niveaux} : un seul h1, en premier")
        sauts = [(a, b) for a, b in zip(niveaux, niveaux[1:], strict=False) if b > a + 1]
        if sauts:
            problemes.append(f"titres sautés {sauts}")
        if any(n == 0 for n in s["tableaux"]):
            problemes.append("tableau sans cellule d'en-tête")
        if s["rafraichit"]:
            problemes.append("la page se recharge d'elle-même (meta refresh)")
        return problemes

    def bilan(self) -> None:
        fautes = {nom: pb for nom, pb in self.resultats.items() if pb}
        assert not fautes, "\n".join(f"{nom} : {pb}" for nom, pb in fautes.items())


def _ouvrir(p, serveur, chemin: str) -> None:  # noqa: F811
    p.get(f"http://127.0.0.1:{serveur.port}{chemin}")


def _travail_retenu(serveur, titre: str, page: str, echec: str = ""):  # noqa: F811
    """A job of the page held until released: its progress page can be audited at leisure."""
    from vif38_bilan.web.etapes import Vif38Error

    etat = serveur.app.config["VIF38"]
    libere = threading.Event()

    def fonction(t):
        t.total = 3
        assert libere.wait(120), "travail jamais libéré"
        if echec:
            raise Vif38Error(echec)

    return etat.travaux.lancer(titre, ANNEE, page, fonction), libere


def test_chaque_page_sans_violation_wcag_21_aa(navigateur, serveur, captures, axe_js, espace):  # noqa: F811
    from selenium.webdriver.common.by import By
    from selenium.webdriver.support.ui import Select

    p = navigateur
    audit = Audit(p, axe_js, captures)
    p.get(serveur.adresse)
    _attendre(p, lambda d: d.current_url.endswith(f"/{ANNEE}/"))
    audit("tableau-de-bord-vide", "Tableau de bord — Bilan 2023")
    # The audit can fail: a field without label and an image without text are caught.
    p.execute_script(
        "const m = document.getElementById('contenu');"
        "m.insertAdjacentHTML('beforeend', '<input type=text id=temoin><img src=/static/style.css id=temoin2>');"
    )
    assert {v.split(" ")[0] for v in audit.violations()} >= {"label", "image-alt"}
    p.refresh()
    for page, titre in (("gabarits", "Gabarits"), ("depot", "Dépôt des retours"), ("courriels", "Courriels"),
                        ("bilan", "Bilan"), ("historique", "Historique")):  # fmt: skip
        _ouvrir(p, serveur, f"/{ANNEE}/{page}")
        audit(f"{page}-avant", f"{titre} — Bilan 2023")
    _ouvrir(p, serveur, f"/{ANNEE - 1}/historique")
    audit("historique-annee-sans-outil", "Historique — Bilan 2022")

    # A job running: its progress page, followed without reloading (JSON + polite live region).
    t, libere = _travail_retenu(serveur, f"Production du bilan {ANNEE}", "bilan")
    _ouvrir(p, serveur, f"/travail/{t.id}")
    region = p.find_element(By.ID, "avancement")
    assert region.get_attribute("aria-live") == "polite" and region.get_attribute("role") == "status"
    audit("bilan-pendant-le-travail", f"Production du bilan {ANNEE}")
    p.execute_script("document.body.dataset.temoin = 'meme-page'")  # gone if the page reloaded
    t.avancer("DDFE")
    _attendre(p, lambda d: "1 sur 3" in d.find_element(By.ID, "avancement").text, delai=30)
    assert p.execute_script("return document.body.dataset.temoin") == "meme-page"
    assert "DDFE" in region.text
    # The dashboard while a job runs: the same follow-up.
    _ouvrir(p, serveur, f"/{ANNEE}/")
    audit("tableau-de-bord-pendant-un-travail", "Tableau de bord")
    libere.set()
    _ouvrir(p, serveur, f"/travail/{t.id}")
    _attendre(p, lambda d: d.current_url.endswith(f"/{ANNEE}/bilan"), delai=60)

    # A job that failed: its page says why.
    t, libere = _travail_retenu(serveur, f"Contrôle des retours {ANNEE}", "rapport", echec="Un motif en français.")
    libere.set()
    _attendre(p, lambda d: t.etat != "en cours", delai=30)
    _ouvrir(p, serveur, f"/travail/{t.id}")
    assert "Un motif en français." in _texte(p)
    audit("travail-en-echec", f"Contrôle des retours {ANNEE}")

    # Returns dropped: the dépôt page after, the report (all, then errors only).
    _ouvrir(p, serveur, f"/{ANNEE}/depot")
    p.find_element(By.ID, "fichiers").send_keys("\n".join(str(f) for f in serveur.recus))
    p.find_element(By.ID, "deposer").click()
    _attendre(p, lambda d: d.current_url.endswith(f"/{ANNEE}/depot") and d.find_elements(By.ID, "dernier-depot"))
    audit("depot-apres", "Dépôt des retours")
    _ouvrir(p, serveur, f"/{ANNEE}/rapport")
    _attendre(p, lambda d: d.find_elements(By.ID, "resume"))
    audit("rapport", "Rapport de contrôle")
    Select(p.find_element(By.ID, "gravite")).select_by_value("erreur")
    p.find_element(By.CSS_SELECTOR, "form.filtre button").click()
    _attendre(p, lambda d: "gravite=erreur" in d.current_url)
    audit("rapport-filtre", "Rapport de contrôle")
    _ouvrir(p, serveur, f"/{ANNEE}/")
    _attendre(p, lambda d: d.find_elements(By.CSS_SELECTOR, "table.pilotes"))
    audit("tableau-de-bord-apres", "Tableau de bord")

    # The real bilan job, then the bilan page with its documents.
    _ouvrir(p, serveur, f"/{ANNEE}/bilan")
    p.find_element(By.ID, "produire-bilan").click()
    if "/travail/" in p.current_url:
        audit("bilan-travail-reel", f"Production du bilan {ANNEE}")
    _attendre(p, lambda d: d.current_url.endswith(f"/{ANNEE}/bilan") and d.find_elements(By.ID, "documents"))
    _attendre(p, lambda d: d.find_elements(By.LINK_TEXT, f"bilan-{ANNEE}.docx"))
    audit("bilan-apres", "Bilan")
    p.find_element(By.LINK_TEXT, "Courriels").click()
    p.find_element(By.XPATH, "//button[contains(., 'Préparer les brouillons « envoi »')]").click()
    _attendre(p, lambda d: d.current_url.endswith(f"/{ANNEE}/courriels") and "ATTENTION" in _texte(d))
    audit("courriels-apres", "Courriels")
    _ouvrir(p, serveur, f"/{ANNEE}/historique")
    audit("historique-annee-traitee", "Historique")

    # Error pages: unknown page, action by a link, no cookie.
    _ouvrir(p, serveur, f"/{ANNEE}/nulle-part")
    audit("erreur-404", "Page introuvable")
    _ouvrir(p, serveur, f"/{ANNEE}/historique/depot")
    audit("erreur-405", "Action impossible")
    p.delete_all_cookies()
    _ouvrir(p, serveur, f"/{ANNEE}/")
    audit("erreur-403", "Accès refusé")

    audit.bilan()


def test_annee_figee_se_rouvre_au_clavier_avec_un_motif(navigateur, serveur, captures, axe_js, espace):  # noqa: F811
    """A validated year: the Bilan page offers « Rouvrir l'année », motif required, same log as the command."""
    from selenium.webdriver.common.by import By
    from selenium.webdriver.common.keys import Keys

    from vif38_bilan.cycle import produire_bilan, valider_annee

    e = serveur.app.config["VIF38"].espace
    saisies = espace / "saisies" / str(ANNEE)
    saisies.mkdir(parents=True, exist_ok=True)
    for f in serveur.recus[:2]:
        (saisies / f.name).write_bytes(f.read_bytes())
    produire_bilan(e, ANNEE)
    valider_annee(e, ANNEE, malgre_manques="essai de la réouverture au clavier")  # issue 23: a year with pilots missing is frozen only with a motif
    p = navigateur
    audit = Audit(p, axe_js, captures)
    p.get(serveur.adresse)
    _ouvrir(p, serveur, f"/{ANNEE}/bilan")
    assert not p.find_elements(By.ID, "produire-bilan")
    audit("bilan-annee-figee", "Bilan")
    motif = p.find_element(By.ID, "motif")
    motif.send_keys("   ")
    p.execute_script("document.getElementById('motif').removeAttribute('required')")  # what an old browser sends
    motif.send_keys(Keys.ENTER)
    _attendre(p, lambda d: d.find_elements(By.ID, "erreur-motif"))
    assert "Écrivez le motif" in p.find_element(By.ID, "erreur-motif").text
    assert (espace / "sorties" / str(ANNEE) / f"validation-{ANNEE}.json").is_file()
    audit("bilan-motif-manquant", "Bilan")
    p.find_element(By.ID, "motif").send_keys("Retour de la CAF corrigé", Keys.ENTER)
    _attendre(p, lambda d: d.find_elements(By.ID, "annonce"))
    assert f"L'année {ANNEE} est rouverte" in p.find_element(By.ID, "annonce").text
    journal = (espace / "sorties" / str(ANNEE) / f"journal-validation-{ANNEE}.txt").read_text(encoding="utf-8")
    assert "Retour de la CAF corrigé" in journal
    assert not (espace / "sorties" / str(ANNEE) / f"validation-{ANNEE}.json").exists()
    assert p.find_elements(By.ID, "produire-bilan")
    audit.bilan()


# ---------------------------------------------------------------- keyboard only


def _focus_visible(p) -> bool:
    """The focused element is outlined (or shadowed): a keyboard user sees where she is."""
    return p.execute_script(
        "const s = getComputedStyle(document.activeElement);"
        "return (s.outlineStyle !== 'none' && parseFloat(s.outlineWidth) >= 2) || s.boxShadow !== 'none';"
    )


def _tab_jusqu_a(p, condition, arriere: bool = False, maximum: int = 120):
    """Press Tab (Shift+Tab) until condition(active element); every stop must show its focus."""
    from selenium.webdriver.common.action_chains import ActionChains
    from selenium.webdriver.common.keys import Keys

    for _ in range(maximum):
        if arriere:
            ActionChains(p).key_down(Keys.SHIFT).send_keys(Keys.TAB).key_up(Keys.SHIFT).perform()
        else:
            ActionChains(p).send_keys(Keys.TAB).perform()
        actif = p.switch_to.active_element
        if actif.tag_name != "body":
            assert _focus_visible(p), f"focus invisible sur <{actif.tag_name}> « {actif.text[:40]} »"
        if condition(actif):
            return actif
    pytest.fail(f"introuvable au clavier sur {p.current_url}")


def _entree(p) -> None:
    from selenium.webdriver.common.action_chains import ActionChains
    from selenium.webdriver.common.keys import Keys

    ActionChains(p).send_keys(Keys.ENTER).perform()


def _texte_de(el) -> str:
    return (el.text or el.get_attribute("value") or "").strip()


def test_toute_l_annee_au_clavier_seul(navigateur, serveur, captures, espace):  # noqa: F811
    """Upload → check → bilan → download with Tab and Enter only; the docx read back."""
    from selenium.webdriver.common.action_chains import ActionChains

    p = navigateur
    p.get(serveur.adresse)
    _attendre(p, lambda d: d.current_url.endswith(f"/{ANNEE}/"))

    # The skip link comes first and leads to the content.
    lien = _tab_jusqu_a(p, lambda a: True)
    assert _texte_de(lien) == "Aller au contenu"
    _entree(p)
    assert p.switch_to.active_element.get_attribute("id") == "contenu"

    # Dépôt: menu link, the file input (the system dialog is where she picks the files: the
    # browser's file chooser gets the paths), then the submit button.
    _tab_jusqu_a(p, lambda a: _texte_de(a) == "Dépôt des retours", arriere=True)
    _entree(p)
    _attendre(p, lambda d: d.current_url.endswith(f"/{ANNEE}/depot"))
    choix = _tab_jusqu_a(p, lambda a: a.get_attribute("id") == "fichiers")
    choix.send_keys("\n".join(str(f) for f in serveur.recus))
    _tab_jusqu_a(p, lambda a: a.get_attribute("id") == "deposer")
    _entree(p)
    _attendre(p, lambda d: d.current_url.endswith(f"/{ANNEE}/depot") and d.find_elements("id", "dernier-depot"))
    assert len(p.find_elements("css selector", "table.depots tbody tr")) == 3
    saisies = espace / "saisies" / str(ANNEE)
    assert sorted(f.name for f in saisies.iterdir()) == sorted(f.name for f in serveur.recus)

    # The check's report, reached from the link under the table.
    _tab_jusqu_a(p, lambda a: _texte_de(a) == "Voir le rapport de contrôle")
    _entree(p)
    _attendre(p, lambda d: d.find_elements("id", "resume"))
    assert "Le fichier est abîmé" in _texte(p)
    _capturer(p, captures, "clavier-rapport")

    # Bilan: menu link (backwards from the content), date typed, button, then the docx link.
    _tab_jusqu_a(p, lambda a: _texte_de(a) == "Bilan" and a.tag_name == "a", arriere=True)
    _entree(p)
    _attendre(p, lambda d: d.current_url.endswith(f"/{ANNEE}/bilan"))
    _tab_jusqu_a(p, lambda a: a.get_attribute("id") == "date")
    ActionChains(p).send_keys("10/04/2024").perform()
    _tab_jusqu_a(p, lambda a: a.get_attribute("id") == "produire-bilan")
    _entree(p)
    _attendre(
        p, lambda d: d.current_url.endswith(f"/{ANNEE}/bilan") and d.find_elements("link text", "bilan-2023.docx")
    )
    _capturer(p, captures, "clavier-bilan")
    _tab_jusqu_a(p, lambda a: _texte_de(a) == "bilan-2023.docx")
    _entree(p)
    docx = p.telechargements / "bilan-2023.docx"
    _attendre(p, lambda d: docx.is_file() and not list(p.telechargements.glob("*.crdownload")), delai=30)
    from docx import Document

    doc = Document(docx)
    texte = "\n".join(par.text for par in doc.paragraphs)
    assert "Bilan 2023" in texte and "10 avril 2024" in texte
    assert docx.read_bytes() == (espace / "sorties" / str(ANNEE) / "bilan-2023.docx").read_bytes()
