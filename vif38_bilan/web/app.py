"""The Flask application: the security gate in front of every request, the shared state.

The pages themselves are in pages.py; every step they run goes through etapes.py.
"""

from __future__ import annotations

import threading
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path
from typing import Any
from urllib.parse import urlencode

from flask import Flask, abort, current_app, g, redirect, render_template, request

from vif38_bilan.web import etapes
from vif38_bilan.web.securite import (
    CHAMP_CSRF,
    NOM_COOKIE,
    PARAMETRE_JETON,
    Secrets,
    chemin_relatif,
    hote_autorise,
    origine_autorisee,
)
from vif38_bilan.web.travaux import Travaux

TELEVERSEMENT_MAX = 200 * 1024 * 1024  # a whole drop; each file is also held to securite.TAILLE_MAX


@dataclass
class Serveur:
    """What one run of the server knows: the workspace, its secrets, the jobs, the last results."""

    espace: Any  # etapes.Espace
    secrets: Secrets = field(default_factory=Secrets)
    port: int | None = None
    travaux: Travaux = field(default_factory=Travaux)
    # Latest check per year, with the fingerprint of the files it read: reused while they are unchanged.
    resultats: dict[int, tuple[tuple, Any]] = field(default_factory=dict)
    depots: dict[int, dict] = field(default_factory=dict)  # last drop per year: saved and refused files
    preparations: dict[tuple[int, str], Any] = field(default_factory=dict)  # last drafts per (year, type)
    bilans: dict[int, Any] = field(default_factory=dict)  # last produire_bilan per year (PDF, blocked outputs)
    verrou: threading.Lock = field(default_factory=threading.Lock)

    @property
    def racine(self) -> Path:
        return self.espace.racine

    def adresse(self, hote: str = "127.0.0.1") -> str:
        """The address to open: it carries the token the browser exchanges for its cookie."""
        return f"http://{hote}:{self.port}/?{urlencode({PARAMETRE_JETON: self.secrets.jeton})}"

    # -- check results, reused while the files they read are unchanged

    def empreinte(self, annee: int) -> tuple:
        """Names, sizes and dates of what a check of annee reads: the returns and the earlier years."""
        vus = []
        saisies = self.espace.dossier("saisies", annee)
        if saisies.is_dir():
            for p in sorted(saisies.rglob("*")):
                try:
                    s = p.lstat()
                except OSError:
                    continue
                vus.append((p.relative_to(saisies).as_posix(), s.st_size, s.st_mtime_ns))
        for y in self.espace.protocole.annees:
            if y < annee:
                h = self.espace.dossier("sorties", y) / etapes.nom_consolidation(y)
                if h.is_file():
                    s = h.stat()
                    vus.append((h.name, s.st_size, s.st_mtime_ns))
        return tuple(vus)

    def resultat(self, annee: int) -> Any:
        """The latest check of annee if the files have not changed since, else None."""
        with self.verrou:
            connu = self.resultats.get(annee)
        if connu is None or connu[0] != self.empreinte(annee):
            return None
        return connu[1]

    def retenir(self, annee: int, empreinte: tuple, resultat: Any) -> None:
        with self.verrou:
            self.resultats[annee] = (empreinte, resultat)

    def occupation(self) -> str:
        """French sentence when the workspace is busy (a job of this page, or another command)."""
        t = self.travaux.en_cours()
        if t is not None:
            return f"Travail en cours : {t.titre} (depuis {t.duree} s). Les autres actions attendent qu'il se termine."
        try:
            with self.espace.verrou():
                pass
        except etapes.EspaceVerrouille as e:
            return str(e)
        return ""


def serveur() -> Serveur:
    return current_app.config["VIF38"]


def creer_app(espace: Any, port: int | None = None, secrets_: Secrets | None = None) -> Flask:
    """The web application for an opened workspace (etapes.ouvrir_espace)."""
    app = Flask(__name__, static_folder="static", template_folder="templates")
    etat = Serveur(espace=espace, port=port, secrets=secrets_ or Secrets())
    app.config.update(VIF38=etat, MAX_CONTENT_LENGTH=TELEVERSEMENT_MAX, MAX_FORM_PARTS=2000)
    app.before_request(_garde)
    app.after_request(_entetes)
    app.context_processor(_contexte)
    for code in (400, 403, 404, 405, 413, 500):
        app.register_error_handler(code, _erreur)
    from vif38_bilan.web import arbitrages  # noqa: F401  (its route joins the pages' blueprint)
    from vif38_bilan.web.pages import pages

    app.register_blueprint(pages)
    return app


_REFUS_HOTE = "Adresse refusée : ouvrez la page par l'adresse 127.0.0.1 affichée au démarrage."
_REFUS_ORIGINE = "Requête refusée : elle ne vient pas de cette page."
_REFUS_CSRF = "Formulaire expiré ou venu d'ailleurs : rechargez la page et recommencez."


def _garde():
    """Every request passes here first: Host, then token or cookie, then CSRF for a POST."""
    s = serveur()
    if not hote_autorise(request.host, s.port):
        abort(403, _REFUS_HOTE)
    jeton = request.args.get(PARAMETRE_JETON)
    if jeton is not None and request.method == "GET":
        if not s.secrets.jeton_valide(jeton):
            abort(403, _SANS_JETON)
        # Exchange the token for the cookie, and drop it from the address bar (and the history).
        autres = {k: v for k, v in request.args.items() if k != PARAMETRE_JETON}
        reponse = redirect(request.path + (f"?{urlencode(autres)}" if autres else ""), code=303)
        reponse.set_cookie(NOM_COOKIE, s.secrets.session, httponly=True, samesite="Strict", path="/")
        return reponse
    if not s.secrets.session_valide(request.cookies.get(NOM_COOKIE)):
        abort(403, _SANS_JETON)
    if request.method not in ("GET", "HEAD"):
        if not origine_autorisee(request.headers.get("Origin"), s.port):
            abort(403, _REFUS_ORIGINE)
        if not s.secrets.csrf_valide(request.form.get(CHAMP_CSRF)):
            abort(403, _REFUS_CSRF)
    g.csrf = s.secrets.csrf


# Every response: no framing (clickjacking), nothing loaded from elsewhere, no referrer (the
# token, to other sites), nothing kept in the browser's cache (the pages show the returns' content).
ENTETES = {
    "Content-Security-Policy": "default-src 'self'; style-src 'self' 'unsafe-inline'; frame-ancestors 'none'; "
    "form-action 'self'; base-uri 'none'",
    "X-Frame-Options": "DENY",
    "X-Content-Type-Options": "nosniff",
    "Referrer-Policy": "same-origin",  # "no-referrer" would make Chrome send "Origin: null" with forms
    "Cache-Control": "no-store",
}


def _entetes(reponse):
    for cle, valeur in ENTETES.items():
        reponse.headers[cle] = valeur
    return reponse


_SANS_JETON = (
    "Accès refusé : ouvrez la page par l'adresse complète affichée au démarrage de « vif38-bilan web » "
    "(elle contient un jeton), dans ce navigateur."
)

_NOS_REFUS = (_SANS_JETON, _REFUS_HOTE, _REFUS_ORIGINE, _REFUS_CSRF)

_TITRES = {
    400: "Requête incomprise",
    403: "Accès refusé",
    404: "Page introuvable",
    405: "Action impossible par un lien",
    413: "Envoi trop volumineux",
    500: "Erreur inattendue",
}
_TEXTES = {
    400: "La requête est incomplète : rechargez la page et recommencez.",
    403: _SANS_JETON,
    404: "Cette page n'existe pas. Revenez au tableau de bord.",
    405: "Cette action modifie l'espace de travail : elle se lance par le bouton de la page, pas par un lien.",
    413: "L'envoi dépasse 200 Mo. Déposez les classeurs en plusieurs fois (un classeur pèse environ 50 Ko).",
    500: "Une erreur inattendue s'est produite. Relancez « vif38-bilan web --debug » et transmettez le détail.",
}


def _erreur(e):
    code = getattr(e, "code", 500) or 500
    # Our refusals carry a French reason; the framework's own (English) ones get a French text.
    texte = e.description if code == 403 and getattr(e, "description", "") in _NOS_REFUS else _TEXTES.get(code, "")
    # The 403 page must not link into the app's pages (no cookie): a bare page, its own style.
    return render_template("erreur.html", code=code, titre=_TITRES.get(code, "Erreur"), texte=texte), code


def _contexte() -> dict:
    s = serveur()
    return {
        "csrf": getattr(g, "csrf", ""),
        "champ_csrf": CHAMP_CSRF,
        "annees": s.espace.protocole.annees,
        "service": s.espace.config.service,
        "racine": s.racine,
        "relatif": lambda p: chemin_relatif(s.racine, p),
        "occupation": s.occupation,
        "date_fr": lambda d: d.strftime("%d/%m/%Y à %H:%M") if d else "",
        "date_fichier": lambda p: datetime.fromtimestamp(Path(p).stat().st_mtime),
    }
