"""The Flask application: the security gate in front of every request, the shared state.

The pages themselves are in pages.py, the shared state in etat_serveur.py; every step they run
goes through etapes.py.
"""

from __future__ import annotations

from datetime import datetime
from pathlib import Path
from typing import Any
from urllib.parse import urlencode

from flask import Flask, abort, g, redirect, render_template, request
from markupsafe import escape
from werkzeug.exceptions import HTTPException

from vif38_bilan.web.etapes import nom_affichable, sans_bidi, taille
from vif38_bilan.web.etat_serveur import Serveur, serveur
from vif38_bilan.web import arbitrages  # noqa: F401  (its route joins the pages' blueprint)
from vif38_bilan.web.pages import pages
from vif38_bilan.web.securite import (
    CHAMP_CSRF,
    NOM_COOKIE,
    PARAMETRE_JETON,
    Secrets,
    chemin_relatif,
    hote_autorise,
    origine_autorisee,
)

TELEVERSEMENT_MAX = 200 * 1024 * 1024  # a whole drop; each file is also held to securite.TAILLE_MAX


def creer_app(espace: Any, port: int | None = None, secrets_: Secrets | None = None) -> Flask:
    """The web application for an opened workspace (etapes.ouvrir_espace)."""
    app = Flask(__name__, static_folder="static", template_folder="templates")
    etat = Serveur(espace=espace, port=port, secrets=secrets_ or Secrets())
    app.config.update(VIF38=etat, MAX_CONTENT_LENGTH=TELEVERSEMENT_MAX, MAX_FORM_PARTS=2000)
    app.json.ensure_ascii = False  # French statuses read as written (and the path guard sees them)
    app.before_request(_garde)
    app.after_request(_entetes)
    app.after_request(_en_francais)
    app.context_processor(_contexte)
    app.add_template_filter(nom_affichable, "nom")
    app.add_template_filter(taille, "taille")
    # Every error Werkzeug can raise (and any unexpected exception, as a 500) gets a French page.
    app.register_error_handler(HTTPException, _erreur)
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
    408: "Requête trop lente",
    413: "Envoi trop volumineux",
    414: "Adresse trop longue",
    415: "Format d'envoi non pris en charge",
    431: "En-têtes trop longs",
    500: "Erreur inattendue",
    501: "Méthode non prise en charge",
}
_TEXTES = {
    400: "La requête est incomplète : rechargez la page et recommencez.",
    403: _SANS_JETON,
    404: "Cette page n'existe pas. Revenez au tableau de bord.",
    405: "Cette action modifie l'espace de travail : elle se lance par le bouton de la page, pas par un lien.",
    408: "Le navigateur a mis trop de temps à envoyer la requête : rechargez la page et recommencez.",
    413: f"L'envoi dépasse {taille(TELEVERSEMENT_MAX)}. Déposez les classeurs en plusieurs fois "
    "(un classeur pèse environ 50 Ko).",
    414: "L'adresse demandée est trop longue : revenez au tableau de bord.",
    415: "Le formulaire a été envoyé dans un format que la page ne lit pas : rechargez la page et recommencez.",
    431: "La requête porte trop d'en-têtes (ou des cookies trop longs) : fermez les autres onglets de cette "
    "adresse, rechargez la page et recommencez.",
    500: "Une erreur inattendue s'est produite. Relancez « vif38-bilan web --debug » et transmettez le détail.",
    501: "Cette méthode n'est pas prise en charge par la page : utilisez ses liens et ses boutons.",
}


def titre_erreur(code: int) -> str:
    """French title of an HTTP error (a generic one for a code without its own)."""
    return _TITRES.get(code) or ("Requête refusée" if code < 500 else "Erreur du serveur")


def texte_erreur(code: int) -> str:
    """French explanation of an HTTP error, saying what to do."""
    return _TEXTES.get(code) or (
        "La page ne peut pas répondre à cette requête : revenez au tableau de bord et recommencez."
        if code < 500
        else _TEXTES[500]
    )


def _erreur(e):
    code = getattr(e, "code", 500) or 500
    # Our refusals carry a French reason; the framework's own (English) ones get a French text.
    texte = e.description if code == 403 and getattr(e, "description", "") in _NOS_REFUS else texte_erreur(code)
    # The 403 page must not link into the app's pages (no cookie): a bare page, its own style.
    reponse = render_template("erreur.html", code=code, titre=titre_erreur(code), texte=texte)
    entetes = e.get_headers() if isinstance(e, HTTPException) else []
    # Keep what the protocol needs (Allow for a 405, Retry-After…), never Werkzeug's English body.
    garder = [(k, v) for k, v in entetes if k.lower() not in ("content-type", "content-length")]
    return reponse, code, garder


def _en_francais(reponse):
    """Every body in French, with no absolute path and no bidi control: redirects (ours and
    Werkzeug's own, e.g. the slash added to "/2023") get a French body; a page or a status naming
    the workspace's full path names its folder only (messages of the library name the files they
    could not write); bidirectional controls are removed from whatever a page shows."""
    if 300 <= reponse.status_code < 400 and reponse.location:
        cible = escape(reponse.location)
        reponse.set_data(
            f'<!doctype html><html lang="fr"><head><meta charset="utf-8"><title>Redirection — vif38-bilan</title>'
            f'</head><body><main><h1>Redirection</h1><p>La page continue à l\'adresse <a href="{cible}">{cible}</a>.'
            "</p></main></body></html>"
        )
        reponse.mimetype = "text/html"
        return reponse
    if reponse.direct_passthrough or reponse.is_streamed or reponse.mimetype not in ("text/html", "application/json"):
        return reponse  # downloads are sent as they are
    # No bidi control on a page: a name or a message carrying U+202E would show another extension.
    texte = sans_bidi(reponse.get_data(as_text=True))
    racine = serveur().racine
    for chemin in {str(racine.resolve()), str(racine), str(racine.absolute())}:
        for forme in (chemin, str(escape(chemin))):  # as written, and as escaped in HTML
            if forme in texte:
                texte = texte.replace(forme, str(escape(racine.resolve().name)))
    reponse.set_data(texte)
    return reponse


def _contexte() -> dict:
    s = serveur()
    return {
        "csrf": getattr(g, "csrf", ""),
        "champ_csrf": CHAMP_CSRF,
        "annees": s.espace.annees,
        "service": s.espace.config.service,
        "racine": s.racine,
        "nom_espace": s.racine.resolve().name,
        "relatif": lambda p: chemin_relatif(s.racine, p),
        "occupation": s.occupation,
        "date_fr": lambda d: d.strftime("%d/%m/%Y à %H:%M") if d else "",
        "date_fichier": lambda p: datetime.fromtimestamp(Path(p).stat().st_mtime),
    }
