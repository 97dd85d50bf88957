"""Long steps (check, templates, bilan) run in a thread; the page shows their progress.

One job at a time: the workspace lock forbids two steps at once anyway, and the agent sees
which one runs instead of a second one failing.
"""

from __future__ import annotations

import itertools
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from vif38_bilan.commun import nature_erreur
from vif38_bilan.exceptions import Vif38Error

EN_COURS = "en cours"
TERMINE = "terminé"
ECHEC = "échec"


@dataclass
class Travail:
    """One step launched from the page."""

    id: int
    titre: str  # French, e.g. "Production du bilan 2023"
    annee: int
    page: str  # where to read the result
    etat: str = EN_COURS
    debut: float = field(default_factory=time.monotonic)
    fin: float | None = None
    fait: int = 0
    total: int | None = None
    detail: str = ""
    resultat: Any = None
    erreur: str = ""
    vu: bool = False  # its failure was shown on its progress page

    @property
    def duree(self) -> int:
        return int((self.fin or time.monotonic()) - self.debut)

    @property
    def pourcentage(self) -> int | None:
        if not self.total:
            return None
        return min(100, round(100 * self.fait / self.total))

    @property
    def avancement(self) -> str:
        """French sentence for screen readers: what is done, never the seconds (they would be read
        out every time); the page shows the duration beside it."""
        fait = f"{self.fait} sur {self.total} fait(s)" if self.total else "en cours"
        if self.etat == TERMINE:
            return f"{self.titre} : terminé."
        if self.etat == ECHEC:
            return f"{self.titre} : le travail n'a pas abouti."
        return f"{self.titre} : {fait}{f' ({self.detail})' if self.detail else ''}."

    def avancer(self, detail: str = "") -> None:
        """Progress callback given to the library (one item done)."""
        self.fait += 1
        self.detail = detail


class Travaux:
    def __init__(self) -> None:
        self._verrou = threading.Lock()
        self._ids = itertools.count(1)
        self._travaux: dict[int, Travail] = {}

    def en_cours(self) -> Travail | None:
        with self._verrou:
            return next((t for t in self._travaux.values() if t.etat == EN_COURS), None)

    def dernier(self, annee: int) -> Travail | None:
        """The latest job launched for annee."""
        with self._verrou:
            return next((t for t in reversed(self._travaux.values()) if t.annee == annee), None)

    def get(self, id_: int) -> Travail | None:
        return self._travaux.get(id_)

    def lancer(
        self,
        titre: str,
        annee: int,
        page: str,
        fonction: Callable[[Travail], Any],
        apres: Callable[[Travail], None] | None = None,
        total: int | None = None,
    ) -> Travail:
        """Start fonction(travail) in a thread; returns the running job, or the one already running."""
        with self._verrou:
            courant = next((t for t in self._travaux.values() if t.etat == EN_COURS), None)
            if courant is not None:
                return courant
            t = Travail(next(self._ids), titre, annee, page, total=total)
            self._travaux[t.id] = t
        threading.Thread(target=self._executer, args=(t, fonction, apres), daemon=True, name=f"vif38-{t.id}").start()
        return t

    def _executer(self, t: Travail, fonction, apres) -> None:
        try:
            t.resultat = fonction(t)
            if apres is not None:
                apres(t)
            t.etat = TERMINE
        except Vif38Error as e:
            t.erreur, t.etat = str(e), ECHEC
        except Exception as e:  # never a traceback on the page: a French summary naming the error's kind
            # Its text is the system's or a library's, in English and often with a full path: not shown.
            t.erreur = (
                f"Erreur inattendue ({nature_erreur(e)}). Relancez la commande équivalente avec --debug "
                "pour le détail et transmettez-le à l'équipe vif38-bilan."
            )
            t.etat = ECHEC
        finally:
            t.fin = time.monotonic()
