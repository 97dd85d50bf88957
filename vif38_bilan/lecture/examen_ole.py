"""Reads an OLE compound file (legacy .xls, the envelope of a password-protected xlsx) with
olefile: its entry names, and the start of one stream. securite judges what they mean."""

from __future__ import annotations

import io
import struct
from dataclasses import dataclass
from typing import Any

# Every failure on a malformed directory means "damaged": olefile raises several types.
_ERREURS_OLE = (OSError, ValueError, IndexError, KeyError, struct.error, RecursionError, EOFError)


class OleAbime(Exception):
    """The compound file is damaged (truncated, inconsistent, a loop in a sector chain)."""


@dataclass(frozen=True)
class ConteneurOle:
    noms: frozenset[str]  # lower-case names of every storage and stream, at any depth
    ole: Any  # the olefile.OleFileIO

    def debut(self, flux: str, maximum: int) -> bytes:
        """The first `maximum` bytes of a stream at the root (name case-insensitive)."""
        try:
            with self.ole.openstream(flux) as f:
                return f.read(maximum)
        except _ERREURS_OLE:
            raise OleAbime from None


def lire_ole(donnees: bytes) -> ConteneurOle:
    """The directory of a compound file; OleAbime when olefile cannot read it."""
    import olefile  # lazy: only legacy or encrypted files need it (~10 ms saved on every check)

    try:
        ole = olefile.OleFileIO(io.BytesIO(donnees), raise_defects=olefile.DEFECT_INCORRECT)
        noms = frozenset(nom.lower() for entree in ole.listdir(streams=True, storages=True) for nom in entree)
        boucle = _boucle(ole.fat, ole.first_dir_sector)
    except _ERREURS_OLE:
        raise OleAbime from None
    if boucle:
        raise OleAbime
    return ConteneurOle(noms, ole)


def _boucle(fat: Any, secteur: int) -> bool:
    """True when a FAT sector chain comes back on itself. olefile bounds every read by the file's
    size, so a loop cannot hang it, but it does not report one either (it reads the same sectors
    again, and lists the directory entries twice): such a file is crafted or damaged."""
    vus: set[int] = set()
    while 0 <= secteur < len(fat):
        if secteur in vus:
            return True
        vus.add(secteur)
        secteur = fat[secteur]
    return False


def biff_chiffre(debut: bytes) -> bool:
    """True when the globals substream holds a FILEPASS record (0x002F), i.e. a password."""
    pos = 0
    while pos + 4 <= len(debut):
        typ, lon = struct.unpack_from("<HH", debut, pos)
        if typ == 0x002F:
            return True
        if typ == 0x000A or (pos > 0 and typ == 0x0809):  # EOF of the globals, or the next substream
            return False
        pos += 4 + lon
    return False
