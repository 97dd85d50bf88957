"""Serving the page with waitress, on 127.0.0.1 only.

waitress: pure Python (nothing to compile on the agent's Windows PC), multi-threaded (a long
step never freezes the other tabs), maintained by the Pylons project.
"""

from __future__ import annotations

import logging
import threading
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from vif38_bilan.web.app import creer_app

HOTE = "127.0.0.1"  # never another interface: the page holds the returns and the bilan
PORT_PAR_DEFAUT = 8038


@dataclass
class Demarre:
    """A server listening, not yet serving (run() serves until close())."""

    serveur: Any  # waitress server
    app: Any  # the Flask application
    adresse: str  # with the token

    @property
    def port(self) -> int:
        return int(self.serveur.effective_port)

    def run(self) -> None:
        self.serveur.run()

    def close(self) -> None:
        self.serveur.close()

    def en_arriere_plan(self) -> threading.Thread:
        """Serve from a thread (tests); close() stops it."""
        t = threading.Thread(target=self.run, daemon=True, name="vif38-web")
        t.start()
        return t


def demarrer(espace: Any, port: int = PORT_PAR_DEFAUT) -> Demarre:
    """Bind 127.0.0.1:port (0: any free port) for the workspace; raises OSError if it is taken."""
    from waitress.server import create_server

    # waitress logs in English ("Serving on…"): the CLI says it in French instead.
    logging.getLogger("waitress").setLevel(logging.ERROR)
    app = creer_app(espace)
    serveur = create_server(
        app, host=HOTE, port=port, threads=4, ident="vif38-bilan", clear_untrusted_proxy_headers=True
    )
    etat = app.config["VIF38"]
    etat.port = int(serveur.effective_port)
    return Demarre(serveur, app, etat.adresse())


def lancer(espace: Any, port: int, ouvrir: Callable[[str], Any] | None, dire: Callable[[str], None]) -> None:
    """Serve until Ctrl+C; ouvrir(adresse) opens the browser (None: don't)."""
    d = demarrer(espace, port)
    dire(f"Page de vif38-bilan ouverte à l'adresse (gardez-la pour vous, elle contient un jeton) :\n  {d.adresse}")
    dire(f"Espace de travail : {espace.racine}")
    dire("Pour arrêter : Ctrl+C dans cette fenêtre.")
    if ouvrir is not None:
        ouvrir(d.adresse)
    try:
        d.run()
    except KeyboardInterrupt:
        pass
    finally:
        d.close()
    dire("Page arrêtée : l'adresse ne répond plus. Relancez « vif38-bilan web » pour la rouvrir.")
