"""The records of a check: where a value was read (Source), a pilot's answer for an action
(Reponse), a file's verdict (FichierControle) and the whole result (ResultatControle).

The findings themselves (Anomalie) and the catalogue of rules are in anomalies.py.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path
from typing import Any

from vif38_bilan.regles import AVERTISSEMENT, ERREUR, Anomalie


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
    # A structure of a collective pilot left the whole row empty: not concerned, not counted.
    non_concernee: bool = False


@dataclass
class FichierControle:
    """One file found under the returns folder and what became of it."""

    chemin: Path
    nom: str  # relative to the returns folder
    etat: str  # Etat
    sha256: str = ""
    pilote: str | None = None
    structure: str | None = None
    annee: int | None = None
    modifie_le: datetime | None = None
    identite: dict[str, Any] = field(default_factory=dict)
    cellules_identite: dict[str, str] = field(default_factory=dict)  # identity label → cell ("C3")
    erreurs: int = 0
    avertissements: int = 0
    remplace_par: str | None = None
    motif: str = ""  # why ignored / replaced, in French
    format: str = ""  # "xlsx" | "xlsm" | "ods" | "xls" once recognised by its content
    feuille: str | None = None  # the sheet holding the table (annotated copies comment on it)


@dataclass
class ResultatControle:
    annee: int
    fichiers: list[FichierControle]
    anomalies: list[Anomalie]
    reponses: list[Reponse]
    manquants: list[str]  # pilot codes with no usable return
    rapport: Path | None = None  # the control workbook, once written
    copies: list[Path] = field(default_factory=list)  # annotated copies, once written
    sortie_bloquee: Exception | None = None  # SortieBloquee naming the outputs not written, if any
    chiffres: list[Any] = field(default_factory=list)  # verifications_chiffres.ReponseChiffre of usable returns
    # Personal data the gate removed (barriere.py): (file, sheet, cell) → kinds, never the data.
    retraits: dict[tuple[str, str, str], tuple[str, ...]] = field(default_factory=dict)

    @property
    def nb_erreurs(self) -> int:
        return sum(a.gravite == ERREUR for a in self.anomalies)

    @property
    def nb_avertissements(self) -> int:
        return sum(a.gravite == AVERTISSEMENT for a in self.anomalies)

    def anomalies_du_fichier(self, nom: str) -> list[Anomalie]:
        return [a for a in self.anomalies if a.fichier == nom]


@dataclass
class ResultatFichier:
    """What the check learned about one file (small: crosses process boundaries)."""

    fichier: FichierControle
    anomalies: list[Anomalie]
    reponses: list[Reponse]
    cle: tuple[str, str] | None = None  # (pilot, normalised structure) of a usable return
    chiffres: list[Any] = field(default_factory=list)  # verifications_chiffres.ReponseChiffre
