"""What python-calamine does not tell about a sheet's cells (issue 14): formula errors and, for
.ods, merged ranges.

calamine returns an empty string for a cell showing #DIV/0! or #N/A, so a reader would take it
for an unanswered cell; it gives merged ranges for xlsx and xls only. These functions read the
package directly, and are called only when needed (a value cell read empty, a table found).
"""

from __future__ import annotations

import io
import re
import struct
import zipfile
from typing import Any
from vif38_bilan.lecture.isolee import noms_feuilles_xlsx
from vif38_bilan.commun.textes import lettre_colonne

# Excel writes the English code in the file; a French Excel shows the French one.
AFFICHAGE = {
    "#NULL!": "#NUL!",
    "#DIV/0!": "#DIV/0!",
    "#VALUE!": "#VALEUR!",
    "#REF!": "#REF!",
    "#NAME?": "#NOM?",
    "#NUM!": "#NOMBRE!",
    "#N/A": "#N/A",
    "#GETTING_DATA": "#N/A",
    "Err:502": "Err:502",
}
# BIFF error codes (xls).
_BIFF = {0x00: "#NULL!", 0x07: "#DIV/0!", 0x0F: "#VALUE!", 0x17: "#REF!", 0x1D: "#NAME?", 0x24: "#NUM!", 0x2A: "#N/A"}

_TABLE = "{urn:oasis:names:tc:opendocument:xmlns:table:1.0}"
_CALCEXT = "{urn:org:documentfoundation:names:experimental:calc:xmlns:calcext:1.0}"
_TEXT = "{urn:oasis:names:tc:opendocument:xmlns:text:1.0}"


def affichage(code: str) -> str:
    """What a French spreadsheet shows for an error code as stored."""
    return AFFICHAGE.get(code.strip(), code.strip())


def erreurs_formule(donnees: bytes, format: str, feuille: str) -> dict[str, str]:
    """A1 ref → error shown (French Excel spelling) for every cell of sheet `feuille` whose
    formula result is an error. {} when the package cannot be read (the parser said enough)."""
    try:
        if format in ("xlsx", "xlsm"):
            return _erreurs_xlsx(donnees, feuille)
        if format == "ods":
            return _erreurs_ods(donnees, feuille)
        if format == "xls":
            return _erreurs_xls(donnees, feuille)
    except (zipfile.BadZipFile, KeyError, ValueError, OSError, EOFError, struct.error, IndexError):
        return {}
    return {}


# ---------------------------------------------------------------- xlsx

_RE_ERREUR = re.compile(rb"<(?:\w+:)?c\b(?=[^>]*\bt=\"e\")[^>]*?\br=\"([A-Z]+\d+)\"[^>]*>(.*?)</(?:\w+:)?c>", re.S)
_RE_ERREUR_AVANT = re.compile(
    rb"<(?:\w+:)?c\b[^>]*?\br=\"([A-Z]+\d+)\"(?=[^>]*\bt=\"e\")[^>]*>(.*?)</(?:\w+:)?c>", re.S
)
_RE_V = re.compile(rb"<(?:\w+:)?v>([^<]*)</(?:\w+:)?v>")


def membre_feuille_xlsx(z: zipfile.ZipFile, feuille: str) -> str:
    """Zip member holding sheet `feuille` (KeyError when absent)."""
    for membre, nom in noms_feuilles_xlsx(z).items():
        if nom == feuille:
            return membre
    raise KeyError(feuille)


def _erreurs_xlsx(donnees: bytes, feuille: str) -> dict[str, str]:
    with zipfile.ZipFile(io.BytesIO(donnees)) as z:
        xml = z.read(membre_feuille_xlsx(z, feuille))
    if b't="e"' not in xml:
        return {}
    trouvees = {}
    for motif in (_RE_ERREUR, _RE_ERREUR_AVANT):  # the type attribute before or after the ref
        for m in motif.finditer(xml):
            v = _RE_V.search(m.group(2))
            if v:
                trouvees[m.group(1).decode()] = affichage(v.group(1).decode("utf-8", "replace"))
    return trouvees


# ---------------------------------------------------------------- ods


def cellules_ods(donnees: bytes, feuille: str):
    """(0-based row, 0-based column, element) of each cell of one table of content.xml; the
    element is valid only during the iteration (cleared after)."""
    from defusedxml.ElementTree import iterparse

    with zipfile.ZipFile(io.BytesIO(donnees)) as z, z.open("content.xml") as f:
        dedans, ligne, colonne = False, 0, 0
        for evenement, e in iterparse(f, events=("start", "end")):
            tag = e.tag
            if evenement == "start":
                if tag == f"{_TABLE}table":
                    dedans, ligne = e.get(f"{_TABLE}name") == feuille, 0
                elif tag == f"{_TABLE}table-row":
                    colonne = 0
                continue
            if tag == f"{_TABLE}table" and dedans:
                return
            if not dedans:
                if tag in (f"{_TABLE}table-row",):
                    e.clear()
                continue
            if tag in (f"{_TABLE}table-cell", f"{_TABLE}covered-table-cell"):
                yield ligne, colonne, e
                colonne += int(e.get(f"{_TABLE}number-columns-repeated", "1"))
            elif tag == f"{_TABLE}table-row":
                ligne += int(e.get(f"{_TABLE}number-rows-repeated", "1"))
                e.clear()


def cellules_de_la_table(table: Any):
    """(0-based row, 0-based column, element) of each cell of a table element already parsed (the
    same walk as cellules_ods, on a tree at hand: nothing read again)."""
    ligne = 0
    for rangee in table.iter(f"{_TABLE}table-row"):
        colonne = 0
        for e in rangee:
            if e.tag in (f"{_TABLE}table-cell", f"{_TABLE}covered-table-cell"):
                yield ligne, colonne, e
                colonne += int(e.get(f"{_TABLE}number-columns-repeated", "1"))
        ligne += int(rangee.get(f"{_TABLE}number-rows-repeated", "1"))


def _erreurs_ods(donnees: bytes, feuille: str) -> dict[str, str]:
    if b"error" not in _content(donnees):
        return {}
    trouvees = {}
    for ligne, colonne, e in cellules_ods(donnees, feuille):
        if e.get(f"{_CALCEXT}value-type") == "error":
            texte = "".join(e.itertext()).strip()
            trouvees[f"{lettre_colonne(colonne + 1)}{ligne + 1}"] = affichage(texte or "#VALUE!")
    return trouvees


def _content(donnees: bytes) -> bytes:
    with zipfile.ZipFile(io.BytesIO(donnees)) as z:
        return z.read("content.xml")


def fusions_ods(donnees: bytes, feuille: str) -> list[tuple[tuple[int, int], tuple[int, int]]]:
    """Merged ranges of one .ods table, as calamine gives them for xlsx: ((r1, c1), (r2, c2)), 0-based."""
    try:
        if b"-spanned" not in _content(donnees):
            return []
        plages = []
        for ligne, colonne, e in cellules_ods(donnees, feuille):
            lignes = int(e.get(f"{_TABLE}number-rows-spanned", "1"))
            colonnes = int(e.get(f"{_TABLE}number-columns-spanned", "1"))
            if lignes > 1 or colonnes > 1:
                plages.append(((ligne, colonne), (ligne + lignes - 1, colonne + colonnes - 1)))
        return plages
    except (zipfile.BadZipFile, KeyError, ValueError, OSError):
        return []


# ---------------------------------------------------------------- xls (BIFF8)


def _erreurs_xls(donnees: bytes, feuille: str) -> dict[str, str]:
    """FORMULA records whose cached result is an error, and BOOLERR error cells, of one sheet."""
    flux = _flux_classeur(donnees)
    debut = _debut_feuille(flux, feuille)
    trouvees = {}
    for type_, corps in _enregistrements(flux, debut):
        if type_ == 0x000A:  # EOF of the sheet
            break
        if type_ == 0x0006 and len(corps) >= 14 and corps[12:14] == b"\xff\xff" and corps[6] == 2:
            code = corps[8]
        elif type_ == 0x0205 and len(corps) >= 8 and corps[7] == 1:
            code = corps[6]
        else:
            continue
        ligne, colonne = struct.unpack_from("<HH", corps, 0)
        trouvees[f"{lettre_colonne(colonne + 1)}{ligne + 1}"] = affichage(_BIFF.get(code, "#VALUE!"))
    return trouvees


def _flux_classeur(donnees: bytes) -> bytes:
    import olefile

    with olefile.OleFileIO(io.BytesIO(donnees)) as ole:
        for nom in ("Workbook", "Book"):
            if ole.exists(nom):
                return ole.openstream(nom).read()
    raise KeyError("Workbook")


def _enregistrements(flux: bytes, debut: int):
    p = debut
    while p + 4 <= len(flux):
        type_, taille = struct.unpack_from("<HH", flux, p)
        yield type_, flux[p + 4 : p + 4 + taille]
        p += 4 + taille


def _debut_feuille(flux: bytes, feuille: str) -> int:
    """Offset of the sheet's BOF, from the BOUNDSHEET records of the workbook globals."""
    for type_, corps in _enregistrements(flux, 0):
        if type_ == 0x000A:
            break
        if type_ == 0x0085 and len(corps) >= 8:
            position = struct.unpack_from("<I", corps, 0)[0]
            n, options = corps[6], corps[7]
            nom = corps[8 : 8 + 2 * n].decode("utf-16-le") if options & 1 else corps[8 : 8 + n].decode("latin-1")
            if nom == feuille:
                return position
    raise KeyError(feuille)


# ---------------------------------------------------------------- formulas without a stored result (xlsx)


def xml(donnees: bytes) -> Any:
    from defusedxml import ElementTree

    return ElementTree.fromstring(donnees)


def local(tag: str) -> str:
    return tag.rsplit("}", 1)[-1]


def lire_borne(z: zipfile.ZipFile, nom: str) -> bytes:
    """A member's content, never inflated past its declared size: securite checks only a part's
    prolog, and zipfile's read() of a member lying about its size would inflate all of it."""
    info = z.getinfo(nom)
    with z.open(info) as f:
        return f.read(info.file_size)


# Programs that always store a formula's result beside it ("Microsoft Excel Compatible /
# Openpyxl" does not: it is not matched).
_RE_TABLEUR = re.compile(r"\s*(?:Microsoft (?:Macintosh )?Excel|LibreOffice)")
_RE_APP_COMPATIBLE = re.compile(r"Compatible|openpyxl", re.I)
# Quick reject: a sheet with formulas holds "</f>" (a shared formula's master cell included),
# or "</x:f>" with a prefix; one byte search costs ~8 µs on a return's sheet.
_MARQUE_FORMULE = b"f>"
_NS_REL = "http://schemas.openxmlformats.org/officeDocument/2006/relationships"


def formules_sans_valeur(donnees: bytes, feuille: str) -> frozenset[str]:
    """Runs only when an input cell reads empty, so its cost (inflating and parsing one sheet) is
    paid by few files. The archive was checked by securite beforehand; parts are read with
    zipfile (bounded by their declared size) and parsed with defusedxml."""
    with zipfile.ZipFile(io.BytesIO(donnees)) as z:
        noms = set(z.namelist())
        if "docProps/app.xml" in noms:
            app = next(
                (e.text or "" for e in xml(lire_borne(z, "docProps/app.xml")) if local(e.tag) == "Application"), ""
            )
            if _RE_TABLEUR.match(app) and not _RE_APP_COMPATIBLE.search(app):
                return frozenset()
        partie = lire_borne(z, partie_feuille(z, feuille))
    if _MARQUE_FORMULE not in partie:
        return frozenset()
    refs = set()
    for c in xml(partie).iter():
        if local(c.tag) != "c":
            continue
        enfants = {local(e.tag): e for e in c}
        if "f" not in enfants:
            continue
        v = enfants.get("v")
        if (v is None or not (v.text or "").strip()) and c.get("r"):
            refs.add(c.get("r"))
    return frozenset(refs)


def partie_feuille(z: zipfile.ZipFile, feuille: str) -> str:
    """Zip member of a sheet, from xl/workbook.xml and its relationships."""
    rid = None
    for e in xml(lire_borne(z, "xl/workbook.xml")).iter():
        if local(e.tag) == "sheet" and e.get("name") == feuille:
            rid = e.get(f"{{{_NS_REL}}}id") or next((v for k, v in e.attrib.items() if local(k) == "id"), None)
            break
    if rid is None:
        raise KeyError(feuille)
    cible = next(
        (
            e.get("Target")
            for e in xml(lire_borne(z, "xl/_rels/workbook.xml.rels"))
            if local(e.tag) == "Relationship" and e.get("Id") == rid
        ),
        None,
    )
    if not cible:
        raise KeyError(rid)
    return cible.lstrip("/") if cible.startswith("/") else "xl/" + cible
