"""Face: the local web page — the year at a glance, returns dropped in the browser, the bilan
downloaded. app (the Flask application, its guards) · etat_serveur (what one run of the server
knows) · pages (the pages) · etapes (the only module reaching the library, through the cycle) ·
securite (token, cookie, CSRF, Host) · travaux (background jobs) · serveur (waitress on 127.0.0.1)
· commande (the `web` command) · arbitrages (the
arbitration page).

`vif38-bilan web` starts it (serveur.lancer); creer_app builds the application for tests.
Re-exported lazily: importing the command must not load Flask.
"""

from vif38_bilan.commun.paresseux import exports

_NOMS = {"creer_app": "app", "Demarre": "serveur", "demarrer": "serveur", "lancer": "serveur"}

__getattr__ = exports(__name__, _NOMS)
__all__ = sorted(_NOMS)
