"""The one way to read a workbook from disk: bounded read, security examination, digest, and a
python-calamine reader whose failures (panics included) become a French FichierRefuse.

Returns, the history workbook, the contacts workbook and the referential workbook all come
through lire_classeur, so they all get the same checks; the bytes returned are the ones that
were checked, and parsers are given those bytes (never the path again).
"""

from __future__ import annotations

import hashlib
import io
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from vif38_bilan.commun.textes import lettre_colonne  # noqa: F401  (its old home: readers import it here)
from vif38_bilan.commun.textes import sans_invisibles
from vif38_bilan.lecture import examen

from vif38_bilan.lecture import securite
from vif38_bilan.exceptions import FichierRefuse
from vif38_bilan.regles import VALEUR_LOINTAINE
from vif38_bilan.lecture.isolee import cellules_lointaines, message_lointaines

_ENDOMMAGE = (
    "Le classeur est endommagé ou illisible : demandez au pilote de l'enregistrer de nouveau "
    "(Excel ou LibreOffice) et de le renvoyer."
)


@dataclass(frozen=True)
class ClasseurLu:
    """A workbook's content as read once and checked."""

    chemin: Path
    donnees: bytes = field(repr=False)
    format: str  # "xlsx" | "xlsm" | "ods" | "xls", from the content
    sha256: str
    mtime: float
    macros: bool = False  # VBA or macro sheets present: never executed

    @property
    def avertissements(self) -> tuple[str, ...]:
        """French warnings to report on the file (it is still read)."""
        return (examen.MESSAGE_MACROS,) if self.macros else ()

    def ouvrir(self) -> Any:
        """A python-calamine workbook on these very bytes (FichierRefuse if it cannot be opened,
        or when a value lies so far from the table that calamine would need gigabytes)."""
        verifier_etendue(self.donnees, self.format)
        return ouvrir_calamine(self.donnees)


def verifier_etendue(donnees: bytes, format: str) -> None:
    """FichierRefuse naming the cell when a value was typed far from the table (XFD1048576):
    calamine builds a grid up to the last used cell and would abort the process (issue 14)."""
    lointaines = cellules_lointaines(donnees, format)
    if lointaines:
        e = FichierRefuse(message_lointaines(lointaines))
        e.regle, e.feuille, e.cellule = VALEUR_LOINTAINE.id, lointaines[0].feuille, lointaines[0].ref
        raise e


def lire_classeur(chemin: str | Path, taille_max: int = examen.TAILLE_MAX) -> ClasseurLu:
    """Read a workbook whole (bounded), examine its container, hash it.

    Raises FichierRefuse (French message, `regle` set) when the file is missing, unreadable,
    empty, too big, not a spreadsheet, password-protected or hostile (see securite.inspecter)."""
    chemin = Path(chemin)
    lecture = securite.lire_fichier(chemin, taille_max)
    verif = securite.inspecter_octets(lecture.donnees, taille_max)
    return ClasseurLu(
        chemin=chemin,
        donnees=lecture.donnees,
        format=verif.format,
        sha256=hashlib.sha256(lecture.donnees).hexdigest(),
        mtime=lecture.mtime,
        macros=verif.macros,
    )


def _contenir(e: BaseException) -> None:
    """Re-raise what must never be swallowed; anything else is the parser failing on the file.

    python-calamine raises its own error types, and pyo3's PanicException when the Rust code
    panics on a malformed file: PanicException derives from BaseException, so a plain
    `except Exception` lets it through and the whole run stops on one bad attachment."""
    if isinstance(e, KeyboardInterrupt | SystemExit | MemoryError | GeneratorExit):
        raise e


def ouvrir_calamine(donnees: bytes) -> Any:
    """A CalamineWorkbook on checked bytes; FichierRefuse (French) when calamine fails or panics."""
    from python_calamine import CalamineWorkbook

    try:
        return CalamineWorkbook.from_filelike(io.BytesIO(donnees))
    except BaseException as e:
        _contenir(e)
        if type(e).__name__ == "PasswordError" or "password" in str(e).lower():
            raise FichierRefuse(
                "Le classeur est protégé par un mot de passe : demandez au pilote de le renvoyer sans mot de passe."
            ) from None
        raise FichierRefuse(_ENDOMMAGE) from None


def lire_feuille(
    classeur: Any,
    nom: str,
    skip_empty_area: bool = True,
    fusions: list | None = None,
    invisibles: list | None = None,
) -> tuple[list[list[Any]], tuple[int, int]]:
    """Rows of one sheet and the 0-based (row, column) where they start (calamine trims the empty
    area unless skip_empty_area is False); FichierRefuse when calamine fails or panics. When a
    list is given as fusions, the sheet's merged ranges ((r1, c1), (r2, c2)), 0-based, are added
    to it (xlsx and xls only: calamine gives none for .ods).

    Every text value comes without its invisible format characters (commun.textes.
    sans_invisibles, issue 25), whatever the format: no rule ever sees them. When a list is given
    as invisibles, (row index, column index, text as stored) is added to it for each cell changed
    (indexes in the rows returned)."""
    try:
        feuille = classeur.get_sheet_by_name(nom)
        lignes = feuille.to_python(skip_empty_area=skip_empty_area)
        depart = (feuille.start or (0, 0)) if skip_empty_area else (0, 0)
        if fusions is not None:
            fusions.extend(feuille.merged_cell_ranges or ())
    except BaseException as e:
        _contenir(e)
        raise FichierRefuse(
            f"La feuille « {nom} » est illisible : demandez au pilote de réenregistrer le classeur et de le renvoyer."
        ) from None
    _retirer_invisibles(lignes, invisibles)
    return lignes, (depart[0], depart[1])


def _retirer_invisibles(lignes: list[list[Any]], invisibles: list | None) -> None:
    """Clean every text cell in place (see lire_feuille)."""
    for i, ligne in enumerate(lignes):
        for j, v in enumerate(ligne):
            if type(v) is str and not v.isprintable():
                propre = sans_invisibles(v)
                if propre != v:
                    ligne[j] = propre
                    if invisibles is not None:
                        invisibles.append((i, j, v))


