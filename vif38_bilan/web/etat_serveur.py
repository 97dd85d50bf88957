"""What one run of the web server knows: the workspace, its secrets, the jobs, the last results.

Shared by app.py (which creates it) and pages.py (which reads it): neither imports the other.
"""

from __future__ import annotations

import threading
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any
from urllib.parse import urlencode

from flask import current_app

from vif38_bilan.web import etapes
from vif38_bilan.web.securite import PARAMETRE_JETON, Secrets
from vif38_bilan.web.travaux import Travaux


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
    # One-time French notices shown by the next GET of a page (reopened year, history deposit…),
    # kept here rather than in the address, which any link could fill.
    annonces: dict[Any, str] = field(default_factory=dict)

    @property
    def racine(self) -> Path:
        return self.espace.racine

    def adresse(self, hote: str = "127.0.0.1") -> str:
        """The address to open: it carries the token the browser exchanges for its cookie."""
        return f"http://{hote}:{self.port}/?{urlencode({PARAMETRE_JETON: self.secrets.jeton})}"

    # -- check results, reused while the files they read are unchanged

    def empreinte(self, annee: int) -> tuple:
        """Names, sizes and dates of what a check of annee reads (the cycle says which files)."""
        vus = []
        for p in etapes.entrees_controle(self.espace, annee):
            try:
                s = p.lstat()
            except OSError:
                continue
            vus.append((p.relative_to(self.espace.racine).as_posix(), s.st_size, s.st_mtime_ns))
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
            return (
                f"Travail en cours : {t.titre} (depuis {t.duree} s). Attendez qu'il se termine avant de lancer "
                "une autre action : lancée pendant ce temps, elle n'est pas faite (la page montre ce travail)."
            )
        try:
            with self.espace.verrou():
                pass
        except etapes.EspaceVerrouille as e:
            return str(e)
        return ""


def serveur() -> Serveur:
    return current_app.config["VIF38"]
