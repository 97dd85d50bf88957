"""Findings as data: severities, the rule record, the catalogue they register into, the finding record.

Every kind of finding is declared once here (id, severity, title, message template, what to do),
the way frictionless-py declares its errors: checks (`verifications.py`, `controle.py`, the
examination in `securite.py`, the history reading) refer to these `Regle` constants, never to a
loose rule id, and `Anomalie` refuses an id that is not in the catalogue. Rendering modules
(report workbook, Word, e-mails) import the records from here without importing the check.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass
from enum import StrEnum
from typing import Any


class Gravite(StrEnum):
    ERREUR = "erreur"  # the answer is not used until corrected
    AVERTISSEMENT = "avertissement"  # used as read, worth a look


class Etat(StrEnum):
    """What became of a file found under the returns folder."""

    VALIDE = "valide"
    A_CORRIGER = "à corriger"
    REMPLACE = "remplacé"
    IGNORE = "ignoré"


ERREUR = Gravite.ERREUR
AVERTISSEMENT = Gravite.AVERTISSEMENT
VALIDE = Etat.VALIDE
A_CORRIGER = Etat.A_CORRIGER
REMPLACE = Etat.REMPLACE
IGNORE = Etat.IGNORE


# ---------------------------------------------------------------- the catalogue


@dataclass(frozen=True)
class Regle:
    """One kind of finding. message: French template whose {fields} the check fills (checks that
    word several variants of a finding, e.g. the file examination, pass their own text)."""

    id: str
    gravite: Gravite
    titre: str
    message: str
    action: str  # what the pilot or the agent should do, in French

    def texte(self, **champs: Any) -> str:
        return self.message.format(**champs)


CATALOGUE: list[Regle] = []
REGLES: dict[str, Regle] = {}


def regle(id: str, gravite: Gravite, titre: str, message: str, action: str) -> Regle:
    """Declare a rule into the catalogue (once per id) and return it.

    Raises:
        ValueError: the id is declared twice.
    """
    if id in REGLES:
        raise ValueError(f"rule id {id!r} declared twice")
    r = Regle(id, gravite, titre, message, action)
    CATALOGUE.append(r)
    REGLES[id] = r
    return r


def catalogue_json() -> list[dict[str, str]]:
    """The catalogue as plain data (id, gravite, titre, message, action)."""
    return [{k: str(v) for k, v in asdict(r).items()} for r in CATALOGUE]


def texte_catalogue() -> str:
    """The catalogue in French, for the terminal: errors first, then warnings."""
    lignes = []
    for gravite, titre in ((ERREUR, "Erreurs, à corriger"), (AVERTISSEMENT, "Avertissements, à vérifier")):
        regles = [r for r in CATALOGUE if r.gravite == gravite]
        lignes.append(f"{titre} ({len(regles)} règles) :")
        for r in regles:
            lignes += [f"  {r.id} — {r.titre}", f"      Ce qu'il faut faire : {r.action}"]
        lignes.append("")
    return "\n".join(lignes).rstrip()


def tableau_markdown() -> str:
    """The catalogue as the README's table (tests/test_regles.py keeps them equal)."""
    lignes = ["| Règle | Gravité | Ce qui est relevé | Ce qu'il faut faire |", "|---|---|---|---|"]
    lignes += [f"| `{r.id}` | {r.gravite} | {r.titre} | {r.action} |" for r in CATALOGUE]
    return "\n".join(lignes)


# ---------------------------------------------------------------- the records


@dataclass(frozen=True)
class Anomalie:
    fichier: str  # path relative to the returns folder
    feuille: str | None
    cellule: str | None  # A1 reference, None for a finding on the whole file
    code_action: str | None
    gravite: str  # Gravite
    message: str  # plain French, says what to do
    regle: str  # rule id, declared in CATALOGUE
    pilote: str | None = None
    structure: str | None = None

    def __post_init__(self) -> None:
        if self.regle not in REGLES:
            raise ValueError(f"rule id {self.regle!r} is not declared in vif38_bilan.regles.CATALOGUE")
        object.__setattr__(self, "gravite", Gravite(self.gravite))


__all__ = [
    "AVERTISSEMENT",
    "A_CORRIGER",
    "CATALOGUE",
    "ERREUR",
    "IGNORE",
    "REGLES",
    "REMPLACE",
    "VALIDE",
    "Anomalie",
    "Etat",
    "Gravite",
    "Regle",
    "catalogue_json",
    "regle",
    "tableau_markdown",
    "texte_catalogue",
]
