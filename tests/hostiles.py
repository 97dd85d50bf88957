"""Builders of hostile and broken attachments, written byte by byte (no tool would write them).

Shared by test_securite.py and test_charge.py. Each builder returns the path it wrote.
"""

from __future__ import annotations

import math
import struct
import zipfile
import zlib
from dataclasses import dataclass
from pathlib import Path

# ---------------------------------------------------------------- ordinary files to start from


def classeur_simple(chemin: Path, valeurs: dict[str, object] | None = None) -> Path:
    """A small ordinary .xlsx written by openpyxl."""
    from openpyxl import Workbook

    wb = Workbook()
    ws = wb.active
    for ref, v in (valeurs or {"A1": "Code action", "A2": "1-1-1", "B2": 12}).items():
        ws[ref] = v
    wb.save(chemin)
    return chemin


def membres(chemin: Path) -> dict[str, bytes]:
    """Name → content of every member of a zip, in order."""
    with zipfile.ZipFile(chemin) as z:
        return {i.filename: z.read(i) for i in z.infolist()}


# ---------------------------------------------------------------- raw zip writer


@dataclass
class Entree:
    """One member; the declared fields default to the truth and may be set to lie."""

    nom: str
    donnees: bytes = b""  # uncompressed content (compressed here unless brut is given)
    methode: int = zipfile.ZIP_DEFLATED
    brut: bytes | None = None  # the stored bytes, as is
    taille: int | None = None  # declared uncompressed size
    crc: int | None = None
    drapeaux: int = 0
    decalage: int | None = None  # local header offset written in the directory


def deflate(donnees: bytes) -> bytes:
    c = zlib.compressobj(6, zlib.DEFLATED, -15)
    return c.compress(donnees) + c.flush()


def zeros_comprimes(taille: int) -> tuple[bytes, int]:
    """Raw deflate of `taille` zero bytes, built in 1 MB steps (never `taille` bytes in memory)."""
    c = zlib.compressobj(9, zlib.DEFLATED, -15)
    bloc = bytes(1024 * 1024)
    sortie, crc, reste = [], 0, taille
    while reste > 0:
        n = min(reste, len(bloc))
        sortie.append(c.compress(bloc[:n]))
        crc = zlib.crc32(bloc[:n], crc)
        reste -= n
    sortie.append(c.flush())
    return b"".join(sortie), crc


def zip_brut(chemin: Path, entrees: list[Entree], fin: bytes = b"") -> Path:
    """Write a zip exactly as described, lies included; `fin` is appended after the end record."""
    corps = bytearray()
    repertoire = bytearray()
    for e in entrees:
        if e.brut is not None:
            brut = e.brut
        elif e.methode == zipfile.ZIP_DEFLATED:
            brut = deflate(e.donnees)
        else:
            brut = e.donnees
        taille = len(e.donnees) if e.taille is None else e.taille
        crc = zlib.crc32(e.donnees) if e.crc is None else e.crc
        nom = e.nom.encode("utf-8")
        decalage = len(corps)
        corps += struct.pack(
            "<4sHHHHHIIIHH", b"PK\x03\x04", 20, e.drapeaux, e.methode, 0, 0x21, crc, len(brut), taille, len(nom), 0
        )
        corps += nom + brut
        repertoire += struct.pack(
            "<4sHHHHHHIIIHHHHHII",
            b"PK\x01\x02",
            20,
            20,
            e.drapeaux,
            e.methode,
            0,
            0x21,
            crc,
            len(brut),
            taille,
            len(nom),
            0,
            0,
            0,
            0,
            0,
            decalage if e.decalage is None else e.decalage,
        )
        repertoire += nom
    fin_rep = struct.pack("<4sHHHHIIH", b"PK\x05\x06", 0, 0, len(entrees), len(entrees), len(repertoire), len(corps), 0)
    chemin.write_bytes(bytes(corps) + bytes(repertoire) + fin_rep + fin)
    return chemin


def xlsx_modifie(
    source: Path, cible: Path, remplacer: dict[str, bytes] | None = None, ajouter: list[Entree] | None = None
) -> Path:
    """A copy of an ordinary .xlsx with some members replaced and others added."""
    remplacer = remplacer or {}
    entrees = [Entree(n, remplacer.get(n, c)) for n, c in membres(source).items()]
    return zip_brut(cible, entrees + list(ajouter or []))


# ---------------------------------------------------------------- OLE / CFB writer

_FIN, _LIBRE, _FATSECT = 0xFFFFFFFE, 0xFFFFFFFF, 0xFFFFFFFD


def cfb(chemin: Path, flux: dict[str, bytes], stockages: tuple[str, ...] = (), mini: bool = False) -> Path:
    """A minimal but valid Compound File (version 3, 512-byte sectors): the container of .xls
    and of password-protected Office files. Streams are padded to 4096 bytes so that none lives
    in the mini stream, unless mini=True: then streams under 4096 bytes go to the mini stream
    (64-byte sectors inside the root entry's chain), as Office writes them."""
    taille = 512
    noms = list(stockages) + list(flux)
    contenus = [b""] * len(stockages) + [c if mini else c.ljust(4096, b"\0") for c in flux.values()]
    petits = [k for k, c in enumerate(contenus) if mini and 0 < len(c) < 4096]
    # The mini stream: small streams one after the other in 64-byte sectors, and its FAT.
    flux_mini, minifat, debuts_mini = b"", [], {}
    for k in petits:
        n = math.ceil(len(contenus[k]) / 64)
        debuts_mini[k] = len(minifat)
        minifat += [len(minifat) + j + 1 for j in range(n - 1)] + [_FIN]
        flux_mini += contenus[k].ljust(n * 64, b"\0")
    grands = [c if k not in debuts_mini else b"" for k, c in enumerate(contenus)]
    secteurs_flux = [math.ceil(len(c) / taille) for c in grands]
    nb_minifat = math.ceil(len(minifat) * 4 / taille)
    nb_racine = math.ceil(len(flux_mini) / taille)
    nb_rep = math.ceil((len(noms) + 1) * 128 / taille)
    nb_donnees = nb_rep + sum(secteurs_flux) + nb_minifat + nb_racine
    nb_fat = 1
    while nb_fat * (taille // 4) < nb_fat + nb_donnees:
        nb_fat += 1
    fat = [_FATSECT] * nb_fat

    def chaine(n: int) -> int:
        if n == 0:
            return _FIN
        debut = len(fat)
        fat.extend([debut + k + 1 for k in range(n - 1)] + [_FIN])
        return debut

    premier_rep = chaine(nb_rep)
    premier_minifat = chaine(nb_minifat)
    debut_racine = chaine(nb_racine)
    debuts = [chaine(n) for n in secteurs_flux]
    fat += [_LIBRE] * (nb_fat * (taille // 4) - len(fat))

    def entree(nom: str, typ: int, droite: int, enfant: int, debut: int, longueur: int) -> bytes:
        n = (nom + "\0").encode("utf-16-le")
        return (
            n.ljust(64, b"\0")
            + struct.pack("<HBB", len(n), typ, 1)
            + struct.pack("<III", _LIBRE, droite, enfant)
            + bytes(16 + 4 + 16)
            + struct.pack("<IQ", debut, longueur)
        )

    rep = entree("Root Entry", 5, _LIBRE, 1 if noms else _LIBRE, debut_racine, len(flux_mini))
    for k, nom in enumerate(noms):
        typ = 1 if k < len(stockages) else 2
        droite = k + 2 if k + 1 < len(noms) else _LIBRE
        debut = debuts_mini[k] if k in debuts_mini else debuts[k]
        rep += entree(nom, typ, droite, _LIBRE, debut, len(contenus[k]) if typ == 2 else 0)
    rep = rep.ljust(nb_rep * taille, b"\0")
    difat = [k for k in range(nb_fat)] + [_LIBRE] * (109 - nb_fat)
    entete = (
        b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"
        + bytes(16)
        + struct.pack("<HHHHH", 0x3E, 3, 0xFFFE, 9, 6)
        + bytes(6)
        + struct.pack("<IIIIIIIII", 0, nb_fat, premier_rep, 0, 4096, premier_minifat, nb_minifat, _FIN, 0)
        + struct.pack("<109I", *difat)
    )
    assert len(entete) == 512
    corps = (
        struct.pack(f"<{len(fat)}I", *fat)
        + rep
        + struct.pack(f"<{len(minifat)}I", *minifat).ljust(nb_minifat * taille, b"\xff")
        + flux_mini.ljust(nb_racine * taille, b"\0")
        + b"".join(c.ljust(n * taille, b"\0") for c, n in zip(grands, secteurs_flux, strict=True))
    )
    chemin.write_bytes(entete + corps)
    return chemin


def xlsx_chiffre(chemin: Path) -> Path:
    """What Excel and LibreOffice write for a workbook saved with a password: the encrypted
    package inside a CFB container (ECMA-376 agile encryption)."""
    info = (
        struct.pack("<HHI", 4, 4, 0x40)
        + b'<?xml version="1.0"?><encryption xmlns="http://schemas.microsoft.com/office/2006/encryption"/>'
    )
    return cfb(
        chemin,
        {"EncryptionInfo": info, "EncryptedPackage": struct.pack("<Q", 9000) + bytes(9000)},
        stockages=("\x06DataSpaces",),
    )


def biff(enregistrements: list[tuple[int, bytes]]) -> bytes:
    return b"".join(struct.pack("<HH", t, len(d)) + d for t, d in enregistrements)


BOF_GLOBAUX = (0x0809, struct.pack("<HHHHII", 0x0600, 0x0005, 0x1F0A, 0x07CC, 0, 0x06))
