"""Checks the returns of one year: findings (anomalies) as data, one pass over all files."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path
from typing import Any

ERREUR = "erreur"
AVERTISSEMENT = "avertissement"

# States of a file in the control report.
VALIDE = "valide"
A_CORRIGER = "à corriger"
REMPLACE = "remplacé"
IGNORE = "ignoré"


@dataclass(frozen=True)
class Anomalie:
    fichier: str  # path relative to the returns folder
    feuille: str | None
    cellule: str | None  # A1 reference, None for a finding on the whole file
    code_action: str | None
    gravite: str  # ERREUR | AVERTISSEMENT
    message: str  # plain French, says what to do
    regle: str  # short rule id, e.g. "statut_inconnu"
    pilote: str | None = None
    structure: str | None = None


@dataclass(frozen=True)
class Source:
    """Where a figure comes from."""

    fichier: str
    feuille: str
    cellule: str
    sha256: str


@dataclass(frozen=True)
class Reponse:
    """The usable answers of one return for one action (values with an erreur are None)."""

    pilote: str
    structure: str
    code_action: str
    role: str  # "chef de file" | "co-pilote"
    statut: str | None
    statut_source: Source | None
    valeurs: tuple[Any, ...]  # one per indicator of the action: int, "Oui"/"Non", str or None
    valeurs_sources: tuple[Source | None, ...]
    observations: str
    observations_source: Source | None


@dataclass
class FichierControle:
    """One file found under the returns folder and what became of it."""

    chemin: Path
    nom: str  # relative to the returns folder
    etat: str  # VALIDE | A_CORRIGER | REMPLACE | IGNORE
    sha256: str = ""
    pilote: str | None = None
    structure: str | None = None
    annee: int | None = None
    modifie_le: datetime | None = None
    identite: dict[str, Any] = field(default_factory=dict)
    erreurs: int = 0
    avertissements: int = 0
    remplace_par: str | None = None
    motif: str = ""  # why ignored / replaced, in French


@dataclass
class ResultatControle:
    annee: int
    fichiers: list[FichierControle]
    anomalies: list[Anomalie]
    reponses: list[Reponse]
    manquants: list[str]  # pilot codes with no usable return

    @property
    def nb_erreurs(self) -> int:
        return sum(a.gravite == ERREUR for a in self.anomalies)

    @property
    def nb_avertissements(self) -> int:
        return sum(a.gravite == AVERTISSEMENT for a in self.anomalies)
