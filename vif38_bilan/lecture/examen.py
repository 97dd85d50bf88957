"""What every examination of a received file shares: size limits, the accepted file's verdict,
French refusal messages and the refusal itself (a FichierRefuse carrying its catalogue rule)."""

from __future__ import annotations

import unicodedata
from dataclasses import dataclass

from vif38_bilan.exceptions import FichierRefuse
from vif38_bilan.regles import (
    Regle,
)

TAILLE_MAX = 20 * 1024 * 1024  # a collection workbook weighs ~50 KB

# Zip bombs: limits on what a member may inflate to (declared and actual).
MEMBRE_MAX = 50 * 1024 * 1024
TOTAL_MAX = 200 * 1024 * 1024
MEMBRES_MAX = 5000
RATIO_MAX = 500  # deflate cannot exceed ~1032:1; real sheets stay far below 100:1
RATIO_SEUIL = 2 * 1024 * 1024  # the ratio is only judged on members larger than this
MORCEAU = 64 * 1024  # inflation chunk: bounds memory whatever the member

ZIP = b"PK\x03\x04"
ZIP_VIDE = b"PK\x05\x06"
OLE = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"

MESSAGE_MACROS = (
    "Le classeur contient des macros : elles ont été ignorées et ne sont jamais exécutées. "
    "Seules les valeurs saisies ont été lues."
)
MESSAGE_MOT_DE_PASSE = (
    "Le fichier est protégé par un mot de passe : demandez au pilote de le renvoyer sans mot de passe."
)
RENVOI = "demandez au pilote de renvoyer le classeur de collecte qu'il a reçu, au format Excel (.xlsx)."


@dataclass(frozen=True)
class Verification:
    """What the container check learned about an accepted file."""

    format: str  # "xlsx" | "xlsm" | "ods" | "xls" (from the content, not the file name)
    macros: bool = False  # VBA project or macro sheets present: never executed, ignored

    @property
    def avertissements(self) -> tuple[str, ...]:
        """French warnings the caller reports on the file (the file is still read)."""
        return (MESSAGE_MACROS,) if self.macros else ()


def refus(message: str, regle: Regle) -> FichierRefuse:
    e = FichierRefuse(message)
    e.regle = regle.id  # the anomalie's rule, in the catalogue
    return e


def nom_lisible(nom: str) -> str:
    """A file name safe to print, log or put in JSON: undecodable bytes and control characters
    (possible in names on disk) replaced, composed to NFC."""
    nom = nom.encode("utf-8", "surrogateescape").decode("utf-8", "replace")
    nom = "".join("?" if unicodedata.category(c) in ("Cc", "Cs") else c for c in nom)
    return unicodedata.normalize("NFC", nom)
