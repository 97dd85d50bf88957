"""Workbooks that are only written (control report, consolidation): streamed with xlsxwriter.

xlsxwriter's constant_memory mode writes each row to disk as soon as the next one starts: memory
stays flat and time grows linearly with the rows (openpyxl keeps every cell in memory, and its
`ws.max_row` scans them all). Measured on 40,000 rows x 10 columns of the consolidation's
sources sheet (2-core machine, CPU seconds): xlsxwriter 4.1-4.8 s and 53 MB, openpyxl write_only
6.1-7.0 s and 74 MB (plus numpy, which openpyxl imports); see benchmarks/README.md.
openpyxl stays for the workbooks that are read then modified (annotated copies) or that carry
validations and comments (templates, blank history, contacts).

Every string goes through write_string: a pilot's "=HYPERLINK(...)" stays text, never a formula.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Iterable, Sequence
from datetime import date, datetime
from pathlib import Path
from typing import Any

from vif38_bilan.commun.ecriture import ecrire_atomique, nettoyer_texte

# Options that turn off every guess xlsxwriter's write() could make about a string.
_OPTIONS = {
    "constant_memory": True,
    "strings_to_formulas": False,
    "strings_to_urls": False,
    "strings_to_numbers": False,
    "nan_inf_to_errors": False,
}


class Feuille:
    """One sheet written row after row; the next row number is kept here (never recomputed)."""

    def __init__(
        self,
        classeur: Any,
        titre: str,
        entetes: Sequence[str],
        largeurs: Sequence[float],
        format_entete: Any,
        hauteur_entete: float | None = None,
    ) -> None:
        self.ws = classeur.add_worksheet(titre)
        self.nb_colonnes = len(entetes)
        self.ligne = 0
        for j, largeur in enumerate(largeurs):
            if largeur:
                self.ws.set_column(j, j, largeur)
        self.ecrire(entetes, [format_entete] * len(entetes), hauteur_entete)

    def ecrire(self, valeurs: Iterable[Any], formats: Sequence[Any] | None = None, hauteur: float | None = None) -> int:
        """Write one row (None and "" leave the cell empty and unformatted); returns its index (0-based)."""
        i = self.ligne
        if hauteur is not None:
            self.ws.set_row(i, hauteur)
        ws = self.ws
        for j, v in enumerate(valeurs):
            fmt = formats[j] if formats is not None and j < len(formats) else None
            if v is None or v == "":
                continue
            if isinstance(v, str):
                ws.write_string(i, j, nettoyer_texte(v), fmt)
            elif isinstance(v, bool):
                ws.write_boolean(i, j, v, fmt)
            elif isinstance(v, int | float):
                if math.isfinite(v):  # nan/inf have no place in a cell: left empty
                    ws.write_number(i, j, v, fmt)
            elif isinstance(v, datetime | date):
                ws.write_datetime(i, j, v, fmt)
            else:
                ws.write_string(i, j, nettoyer_texte(str(v)), fmt)
        self.ligne += 1
        return i

    def figer(self, lignes: int = 1, colonnes: int = 0) -> None:
        self.ws.freeze_panes(lignes, colonnes)

    def filtrer(self) -> None:
        """Autofilter over the header and every written row."""
        self.ws.autofilter(0, 0, max(self.ligne - 1, 0), self.nb_colonnes - 1)

    def imprimer_en_paysage(self) -> None:
        """Landscape, one page wide, header row repeated on every page."""
        self.ws.set_landscape()
        self.ws.fit_to_pages(1, 0)
        self.ws.repeat_rows(0)


def ecrire_classeur(
    chemin: str | Path, remplir: Callable[[Any], None], proprietes: dict[str, str] | None = None
) -> Path:
    """Write an .xlsx atomically: remplir(workbook) adds the sheets (an xlsxwriter.Workbook in
    constant_memory mode). Returns chemin; SortieBloquee when it cannot be written."""

    def ecrire(tmp: Path) -> None:
        import xlsxwriter  # lazy: only commands that write a report pay for it
        from xlsxwriter.exceptions import FileCreateError

        classeur = xlsxwriter.Workbook(str(tmp), _OPTIONS)
        try:
            remplir(classeur)
        except BaseException:
            classeur.fileclosed = True  # nothing to finish: ecrire_atomique removes the temporary file
            raise
        if proprietes:
            classeur.set_properties(proprietes)
        try:
            classeur.close()
        except FileCreateError as e:
            # xlsxwriter wraps the OSError (disk full, no right): ecrire_atomique turns it into SortieBloquee.
            if not (e.args and isinstance(e.args[0], OSError)):
                raise
            raise e.args[0] from None

    return ecrire_atomique(chemin, ecrire)
