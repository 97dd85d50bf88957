"""Checks an input file before any parser touches it (hostile and broken attachments).

Returns come as e-mail attachments from ~30 organisations: any of them can be empty, truncated,
renamed, password-protected, a zip bomb or carry XML entities. `inspecter` reads only the
container (zip central directory, OLE/CFB directory) and streams the zip members through a
bounded inflater; calamine and openpyxl are called only on files it accepted.
"""

from __future__ import annotations

import io
import os
import re
import stat
import struct
import unicodedata
import zipfile
import zlib
from dataclasses import dataclass
from pathlib import Path
from typing import NamedTuple

from vif38_bilan.anomalies import (
    BOMBE_ZIP,
    FICHIER_ABIME,
    FICHIER_TROP_GROS,
    FICHIER_VIDE,
    FORMAT_NON_PRIS_EN_CHARGE,
    ILLISIBLE,
    MOT_DE_PASSE,
    PAS_UN_CLASSEUR,
    XML_DANGEREUX,
    Regle,
)
from vif38_bilan.examen_ole import OleAbime, biff_chiffre, lire_ole
from vif38_bilan.examen_xml import Prologue, XmlDangereux, chercher, lisible_en_xml, verifier_prologue
from vif38_bilan.exceptions import FichierRefuse

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
_RENVOI = "demandez au pilote de renvoyer le classeur de collecte qu'il a reçu, au format Excel (.xlsx)."


@dataclass(frozen=True)
class Verification:
    """What the container check learned about an accepted file."""

    format: str  # "xlsx" | "xlsm" | "ods" | "xls" (from the content, not the file name)
    macros: bool = False  # VBA project or macro sheets present: never executed, ignored

    @property
    def avertissements(self) -> tuple[str, ...]:
        """French warnings the caller reports on the file (the file is still read)."""
        return (MESSAGE_MACROS,) if self.macros else ()


def _refus(message: str, regle: Regle) -> FichierRefuse:
    e = FichierRefuse(message)
    e.regle = regle.id  # the anomalie's rule, in the catalogue
    return e


def verifier_fichier(chemin: Path, taille_max: int = TAILLE_MAX) -> str:
    """Return the detected format ("xlsx", "xlsm", "ods", "xls") or raise FichierRefuse."""
    return inspecter(chemin, taille_max).format


def inspecter(chemin: Path, taille_max: int = TAILLE_MAX) -> Verification:
    """Check a returned file's container before parsing; raise FichierRefuse with a French message.

    Refused: empty, over taille_max, not a spreadsheet (PDF, Word, ZIP, HTML, random bytes),
    password-protected, .xlsb, zip bombs (declared or actual inflation over the caps), XML with
    a DOCTYPE or entity declarations, truncated or inconsistent archives.
    """
    return inspecter_octets(lire_fichier(chemin, taille_max).donnees, taille_max)


class Lecture(NamedTuple):
    """A file's content read once (bounded), and its modification time."""

    donnees: bytes
    mtime: float


def lire_fichier(chemin: Path, taille_max: int = TAILLE_MAX) -> Lecture:
    """Read a returned file whole, bounded by taille_max; FichierRefuse (French) when it is not a
    regular file, is empty or too big, cannot be read or changes while read. Check the bytes with
    inspecter_octets, then parse these same bytes."""
    try:
        st = os.stat(chemin)
    except OSError as e:
        raise _refus(
            f"Le fichier ne peut pas être lu ({raison_os(e)}) : vérifiez qu'il existe encore.", ILLISIBLE
        ) from None
    if not stat.S_ISREG(st.st_mode):
        raise _refus("Ce n'est pas un fichier ordinaire : il a été ignoré.", PAS_UN_CLASSEUR)
    _verifier_taille(st.st_size, taille_max)
    try:
        with open(chemin, "rb") as f:
            donnees = f.read(st.st_size + 1)  # bounded even if the file grew since stat
    except OSError as e:
        raise _refus(
            f"Le fichier ne peut pas être lu ({raison_os(e)}) : fermez-le s'il est ouvert, vérifiez vos droits "
            "puis relancez la commande.",
            ILLISIBLE,
        ) from None
    if len(donnees) != st.st_size:
        raise _refus(
            "Le fichier a changé pendant sa lecture (copie encore en cours ?) : attendez la fin de la copie "
            "puis relancez la commande.",
            ILLISIBLE,
        )
    return Lecture(donnees, st.st_mtime)


def inspecter_octets(donnees: bytes, taille_max: int = TAILLE_MAX) -> Verification:
    """Same check on a file's content already in memory (then parse these very bytes: no window
    in which the file could change between the check and the read)."""
    _verifier_taille(len(donnees), taille_max)
    if donnees.startswith(ZIP):
        return _inspecter_zip(donnees)
    if donnees.startswith(OLE):
        return _inspecter_ole(donnees)
    raise _refus(_message_pas_un_classeur(donnees[:512]), PAS_UN_CLASSEUR)


def _verifier_taille(taille: int, taille_max: int) -> None:
    if taille == 0:
        raise _refus(f"Le fichier est vide (0 octet) : {_RENVOI}", FICHIER_VIDE)
    if taille > taille_max:
        raise _refus(
            f"Le fichier pèse {_mo(taille)}, au-delà de la limite de {_mo(taille_max)} : demandez au pilote "
            "de renvoyer le classeur seul, sans images, pièces jointes ni onglets ajoutés.",
            FICHIER_TROP_GROS,
        )


def _mo(octets: int) -> str:
    mo = octets / (1024 * 1024)
    return f"{mo:.0f} Mo" if mo >= 10 else f"{mo:.1f} Mo".replace(".", ",")


def raison_os(e: OSError) -> str:
    """Short French reason for an OS error."""
    if isinstance(e, PermissionError):
        return "accès refusé"
    if isinstance(e, FileNotFoundError):
        return "fichier introuvable"
    return e.strerror or type(e).__name__


def _message_pas_un_classeur(tete: bytes) -> str:
    """Name what the file is when it is recognisable, and say what to ask for."""
    debut = tete.lstrip(b"\xef\xbb\xbf \t\r\n").lower()
    if tete.startswith(ZIP_VIDE):
        return f"Le fichier est une archive ZIP vide, pas un classeur : {_RENVOI}"
    if tete.startswith(b"%PDF"):
        return (
            "Ce fichier est un document PDF renommé, pas un classeur : les valeurs ne peuvent pas en être lues ; "
            f"{_RENVOI}"
        )
    if debut.startswith(b"{\\rtf"):
        return f"Ce fichier est un document texte (RTF) renommé, pas un classeur : {_RENVOI}"
    if debut.startswith((b"<!doctype html", b"<html")) or b"<table" in debut:
        return (
            "Ce fichier est une page web (HTML) et non un vrai classeur : ouvrez-le dans Excel et enregistrez-le "
            f"au format .xlsx, ou {_RENVOI}"
        )
    if debut.startswith(b"<?xml") and b"urn:schemas-microsoft-com:office:spreadsheet" in tete:
        return (
            "Ce fichier est au format « Feuille de calcul XML 2003 » : ouvrez-le dans Excel et enregistrez-le "
            "au format .xlsx, puis déposez-le à nouveau."
        )
    if tete[:4] in (b"\x89PNG", b"GIF8") or tete[:3] == b"\xff\xd8\xff":
        return f"Ce fichier est une image renommée, pas un classeur : {_RENVOI}"
    return f"Ce fichier n'est pas un classeur Excel ou LibreOffice (contenu non reconnu, peut-être abîmé) : {_RENVOI}"


# ---------------------------------------------------------------- zip containers (xlsx, xlsm, ods)

_ABIME = "Le fichier est abîmé (archive incomplète ou incohérente) : demandez au pilote de le renvoyer."
_BOMBE = (
    "Le fichier a été refusé par sécurité : une fois décompressé il occuperait {quoi}, ce qu'aucun classeur de "
    "collecte n'atteint (fichier piégé ou abîmé). Demandez au pilote de renvoyer le classeur reçu, sans rien y ajouter."
)
_XML_DANGEREUX = (
    "Le fichier a été refusé par sécurité : contenu XML dangereux (entités, DOCTYPE) dans « {membre} ». "
    "Un classeur enregistré par Excel ou LibreOffice n'en contient jamais ; demandez au pilote de le renvoyer "
    "enregistré normalement depuis Excel ou LibreOffice."
)

# Members whose content decides the kind of document; kept (bounded) while streaming.
_GARDER = {"[Content_Types].xml", "mimetype", "META-INF/manifest.xml"}
_GARDER_MAX = 1024 * 1024

# OpenOffice.org (and tools imitating it) wrote this declaration in the ODF manifest: an external
# public identifier only, no internal subset, no entity, in a part no spreadsheet parser reads.
_DOCTYPE_MANIFESTE = re.compile(
    rb'<!DOCTYPE\s+manifest:manifest\s+PUBLIC\s+"-//OpenOffice\.org//DTD Manifest 1\.0//EN"\s+"Manifest\.dtd"\s*>'
)

_ODS = b"application/vnd.oasis.opendocument.spreadsheet"
_ODF_AUTRES = {
    b"application/vnd.oasis.opendocument.text": "un document texte LibreOffice (Writer)",
    b"application/vnd.oasis.opendocument.presentation": "une présentation LibreOffice (Impress)",
    b"application/vnd.oasis.opendocument.graphics": "un dessin LibreOffice (Draw)",
}


class _Membre(NamedTuple):
    nom: str
    drapeaux: int
    methode: int
    crc: int
    compresse: int
    taille: int
    entete: int  # offset of the local header
    debut: int  # offset of the member's data


def _inspecter_zip(donnees: bytes) -> Verification:
    membres = _repertoire_zip(donnees)
    _verifier_repertoire(membres, len(donnees))
    noms = {m.nom for m in membres}
    gardes: dict[str, bytes] = {}
    vue = memoryview(donnees)
    for m in membres:
        try:
            contenu = _parcourir(vue, m)
        except XmlDangereux:
            raise _refus(_XML_DANGEREUX.format(membre=_court(m.nom)), XML_DANGEREUX) from None
        if m.nom in _GARDER:
            gardes[m.nom] = contenu[:_GARDER_MAX]

    # ODF (ods): the first member "mimetype" names the document type.
    if "mimetype" in noms:
        mimetype = gardes.get("mimetype", b"").strip()
        if mimetype.startswith(_ODS):
            if "encryption-data" in {t for t, _ in _elements(gardes.get("META-INF/manifest.xml", b"<m/>"))}:
                raise _refus(MESSAGE_MOT_DE_PASSE, MOT_DE_PASSE)
            if "content.xml" not in noms:
                raise _refus(_ABIME, FICHIER_ABIME)
            macros = any(n.startswith(("Basic/", "Scripts/")) for n in noms)
            return Verification("ods", macros)
        for mime, quoi in _ODF_AUTRES.items():
            if mimetype.startswith(mime):
                raise _refus(f"Ce n'est pas un classeur, c'est {quoi} renommé : {_RENVOI}", PAS_UN_CLASSEUR)
        raise _refus(f"Ce fichier LibreOffice n'est pas un classeur : {_RENVOI}", PAS_UN_CLASSEUR)

    brut = gardes.get("[Content_Types].xml")
    if brut is None:
        raise _refus(
            "Ce fichier est une archive compressée (ZIP), pas un classeur : si elle contient le classeur, "
            "extrayez-le et déposez-le à la place ; sinon " + _RENVOI,
            PAS_UN_CLASSEUR,
        )
    # The content types declared (Default and Override elements), parsed with defusedxml.
    types = " ".join(a.get("ContentType", "") for _, a in _elements(brut))
    if "sheet.binary.macroenabled.main" in types.lower():
        raise _refus(
            "Ce classeur est au format binaire Excel (.xlsb), que l'outil ne lit pas : ouvrez-le dans Excel et "
            "enregistrez-le au format .xlsx, ou demandez au pilote de le faire.",
            FORMAT_NON_PRIS_EN_CHARGE,
        )
    if "spreadsheetml.sheet.main+xml" in types or "spreadsheetml.template.main+xml" in types:
        fmt = "xlsx"
    elif "ms-excel.sheet.macroEnabled.main+xml" in types or "ms-excel.template.macroEnabled.main+xml" in types:
        fmt = "xlsm"
    elif "wordprocessingml" in types:
        raise _refus(f"Ce n'est pas un classeur Excel, c'est un document Word renommé : {_RENVOI}", PAS_UN_CLASSEUR)
    elif "presentationml" in types:
        raise _refus(
            f"Ce n'est pas un classeur Excel, c'est une présentation PowerPoint renommée : {_RENVOI}",
            PAS_UN_CLASSEUR,
        )
    else:
        raise _refus(f"Ce document Office n'est pas un classeur Excel : {_RENVOI}", PAS_UN_CLASSEUR)
    macros = fmt == "xlsm" or any(n.lower().endswith("vbaproject.bin") or "/macrosheets/" in n.lower() for n in noms)
    return Verification(fmt, macros)


def _elements(xml: bytes) -> list[tuple[str, dict[str, str]]]:
    """(local tag, attributes) of every element of a small kept part, parsed with defusedxml
    (already scanned for DOCTYPE/ENTITY); a part no parser accepts means a damaged file."""
    from defusedxml import ElementTree

    try:
        racine = ElementTree.fromstring(xml)
    except Exception:  # ParseError, or defusedxml refusing a declaration
        raise _refus(_ABIME, FICHIER_ABIME) from None
    return [(e.tag.rsplit("}", 1)[-1], dict(e.attrib)) for e in racine.iter()]


def _repertoire_zip(d: bytes) -> list[_Membre]:
    """The central directory, read strictly: one end record exactly at the end of the file, the
    directory right before it. Parsers that look for these records differently (zipfile, the Rust
    zip crate in calamine) then cannot be shown another directory than the one checked here."""
    fin = d.rfind(b"PK\x05\x06", max(0, len(d) - 22 - 0xFFFF))
    if fin < 0 or len(d) < fin + 22:
        raise _refus(_ABIME, FICHIER_ABIME)
    disque, disque_rep, nb_disque, nombre, taille_rep, debut_rep, lon_commentaire = struct.unpack_from(
        "<HHHHIIH", d, fin + 4
    )
    if fin + 22 + lon_commentaire != len(d) or disque or disque_rep or nb_disque != nombre:
        raise _refus(_ABIME, FICHIER_ABIME)
    if nombre == 0xFFFF or debut_rep == 0xFFFFFFFF or taille_rep == 0xFFFFFFFF:
        return _repertoire_zip64(d)
    if debut_rep + taille_rep != fin:
        raise _refus(_ABIME, FICHIER_ABIME)
    if nombre > MEMBRES_MAX:
        raise _refus(_BOMBE.format(quoi=f"{nombre} éléments"), BOMBE_ZIP)
    membres: list[_Membre] = []
    p = debut_rep
    try:
        for _ in range(nombre):
            if d[p : p + 4] != b"PK\x01\x02":
                raise _refus(_ABIME, FICHIER_ABIME)
            drapeaux, methode, _h, _j, crc, compresse, taille, n, e, c, _k, _ai, _ae, entete = struct.unpack_from(
                "<HHHHIIIHHHHHII", d, p + 8
            )
            if 0xFFFFFFFF in (compresse, taille, entete):
                return _repertoire_zip64(d)
            brut = d[p + 46 : p + 46 + n]
            nom = brut.decode("utf-8" if drapeaux & 0x800 else "cp437", "replace")
            membres.append(_Membre(nom, drapeaux, methode, crc, compresse, taille, entete, _debut_donnees(d, entete)))
            p += 46 + n + e + c
    except struct.error:
        raise _refus(_ABIME, FICHIER_ABIME) from None
    if p != fin:
        raise _refus(_ABIME, FICHIER_ABIME)
    return membres


def _repertoire_zip64(d: bytes) -> list[_Membre]:
    """ZIP64 archives (never written for a workbook this small, but legal): zipfile reads them."""

    try:
        infos = zipfile.ZipFile(io.BytesIO(d)).infolist()
    except (zipfile.BadZipFile, zipfile.LargeZipFile, ValueError, EOFError, struct.error, OSError):
        raise _refus(_ABIME, FICHIER_ABIME) from None
    if len(infos) > MEMBRES_MAX:
        raise _refus(_BOMBE.format(quoi=f"{len(infos)} éléments"), BOMBE_ZIP)
    return [
        _Membre(
            i.filename,
            i.flag_bits,
            i.compress_type,
            i.CRC,
            i.compress_size,
            i.file_size,
            i.header_offset,
            _debut_donnees(d, i.header_offset),
        )
        for i in infos
    ]


def _debut_donnees(d: bytes, entete: int) -> int:
    if d[entete : entete + 4] != ZIP or len(d) < entete + 30:
        raise _refus(_ABIME, FICHIER_ABIME)
    n, e = struct.unpack_from("<HH", d, entete + 26)
    return entete + 30 + n + e


def _verifier_repertoire(membres: list[_Membre], taille: int) -> None:
    """Judge the archive from its central directory alone, before inflating anything."""
    vus: set[str] = set()
    total = 0
    for m in membres:
        if m.drapeaux & 0x1:
            raise _refus(MESSAGE_MOT_DE_PASSE, MOT_DE_PASSE)
        if m.nom in vus:  # two members with one name: parsers would disagree on which to read
            raise _refus(_ABIME, FICHIER_ABIME)
        vus.add(m.nom)
        if m.taille > MEMBRE_MAX:
            raise _refus(_BOMBE.format(quoi=f"{_mo(m.taille)} pour « {_court(m.nom)} »"), BOMBE_ZIP)
        if m.methode not in (zipfile.ZIP_STORED, zipfile.ZIP_DEFLATED):
            raise _refus(
                "Le fichier utilise une compression que ni Excel ni LibreOffice n'emploient : "
                "demandez au pilote de le renvoyer enregistré depuis Excel ou LibreOffice.",
                FICHIER_ABIME,
            )
        if m.taille > RATIO_SEUIL and m.taille > RATIO_MAX * max(m.compresse, 1):
            raise _refus(_BOMBE.format(quoi=f"{_mo(m.taille)} pour « {_court(m.nom)} »"), BOMBE_ZIP)
        total += m.taille
    if total > TOTAL_MAX:
        raise _refus(_BOMBE.format(quoi=_mo(total)), BOMBE_ZIP)
    # Members' data must not overlap (overlapping members are the "better zip bomb" construction)
    # nor run past the end of the file.
    fin_precedente = 0
    for m in sorted(membres, key=lambda m: m.entete):
        if m.entete < fin_precedente or m.debut + m.compresse > taille:
            raise _refus(_ABIME, FICHIER_ABIME)
        fin_precedente = m.debut + m.compresse


# Members are inflated here with zlib rather than read with zipfile.ZipFile.open (which the
# readers use: saisies, openpyxl): zipfile stops silently at the declared size and reports a
# member that inflates past it only as a CRC error once read to the end. The check must name a
# size lie as a zip bomb (not as damage), and stop at a part's root element without inflating
# the rest; both need the inflater's own state (unconsumed input, output beyond the declared size).
def _parcourir(vue: memoryview, m: _Membre) -> bytes:
    """Check one member; return its content when it is one of the members kept for type checks.

    Kept members (a few hundred bytes) are inflated whole and scanned. Every other member is
    inflated only up to its root element: a DOCTYPE or ENTITY declaration is only legal in the
    prolog, before the root, and parsers reject one found later (malformed document). Inflation
    stays bounded by the declared size, which the directory check capped; the parsers (zipfile,
    calamine) stop at that declared size too, so a member lying about it is never inflated further."""
    brut = vue[m.debut : m.debut + m.compresse]
    if m.methode == zipfile.ZIP_STORED and m.compresse != m.taille:
        raise _refus(_ABIME, FICHIER_ABIME)
    if m.nom not in _GARDER:
        _verifier_debut(m, brut)
        return b""
    if m.methode == zipfile.ZIP_STORED:
        contenu = bytes(brut)
        _examiner(m, contenu)
        return contenu
    inflateur = zlib.decompressobj(-15)
    try:
        if m.taille <= MORCEAU_UNIQUE:
            # Small member (every kept part of a normal return): one call, output bounded by the
            # declared size + 1, which is enough to tell a lie.
            contenu = inflateur.decompress(brut, m.taille + 1)
            _examiner(m, contenu)
            return contenu
        # Large member: scanned in bounded chunks, refused as soon as it exceeds what is declared.
        produit, queue, xml = 0, b"", None
        for morceau in _inflation_bornee(m, brut):
            produit += len(morceau)
            if xml is None:
                xml = lisible_en_xml(morceau[:8])
                if xml:
                    verifier_prologue(morceau[:256])
            if xml:
                queue = chercher(morceau, queue)
        if produit != m.taille:
            raise _refus(_ABIME, FICHIER_ABIME)
        return b""
    except zlib.error:
        raise _refus(_ABIME, FICHIER_ABIME) from None


PREMIER_MORCEAU = 1024  # a part's prolog (XML declaration) is ~60 bytes: first inflation step


def _verifier_debut(m: _Membre, brut: memoryview) -> None:
    """Stream a member's start, up to its root element, through the prolog scan."""
    if m.methode == zipfile.ZIP_STORED:
        morceaux = (brut[k : k + MORCEAU].tobytes() for k in range(0, len(brut), MORCEAU))
    else:
        morceaux = _inflation_bornee(m, brut)
    prologue = None
    queue = b""
    try:
        for morceau in morceaux:
            if prologue is None:
                if not lisible_en_xml(morceau[:8]):
                    return  # binary (image, VBA project): no XML parser reads it
                verifier_prologue(morceau[:256])
                prologue = Prologue(morceau)
            queue = chercher(morceau, queue)
            if prologue.lire(morceau):
                return
    except zlib.error:
        raise _refus(_ABIME, FICHIER_ABIME) from None


def _inflation_bornee(m: _Membre, brut: memoryview):
    """Inflated chunks of a member, never more in all than its declared size (else refused)."""
    inflateur = zlib.decompressobj(-15)
    entree: bytes | memoryview = brut
    produit = 0
    taille = PREMIER_MORCEAU
    while True:
        morceau = inflateur.decompress(entree, taille)
        entree = inflateur.unconsumed_tail
        if not morceau:
            return
        produit += len(morceau)
        if produit > m.taille:
            _trop(m)
        yield morceau
        if not entree and inflateur.eof:
            return
        taille = MORCEAU


MORCEAU_UNIQUE = 1024 * 1024  # members up to this size are inflated in one bounded call


def _trop(m: _Membre) -> None:
    annonce = f"plus que les {_mo(m.taille)} annoncés pour « {_court(m.nom)} »"
    raise _refus(_BOMBE.format(quoi=annonce), BOMBE_ZIP)


def _examiner(m: _Membre, contenu: bytes) -> None:
    """Whole-member checks: actual size, forbidden XML declarations.

    The CRC is left to the parsers (zipfile and calamine check it and fail cleanly): it costs as
    much as the scan and protects nothing the size check does not."""
    if len(contenu) > m.taille:
        _trop(m)
    if len(contenu) != m.taille:
        raise _refus(_ABIME, FICHIER_ABIME)
    if lisible_en_xml(contenu[:8]):
        verifier_prologue(contenu[:256])
        if m.nom == "META-INF/manifest.xml":
            contenu = _DOCTYPE_MANIFESTE.sub(b"", contenu, count=1)
        chercher(contenu, b"")


def _court(nom: str, n: int = 60) -> str:
    nom = nom_lisible(nom)
    return nom if len(nom) <= n else nom[: n - 1] + "…"


# ---------------------------------------------------------------- OLE/CFB containers (xls, encrypted)


def _inspecter_ole(donnees: bytes) -> Verification:
    """Directory names, and the start of the Workbook stream for FILEPASS (a password)."""
    try:
        ole = lire_ole(donnees)
    except OleAbime:
        raise _refus(_ABIME, FICHIER_ABIME) from None
    noms = ole.noms
    if "encryptioninfo" in noms or "encryptedpackage" in noms:
        raise _refus(MESSAGE_MOT_DE_PASSE, MOT_DE_PASSE)
    flux = "workbook" if "workbook" in noms else "book" if "book" in noms else None
    if flux is None:
        if "worddocument" in noms:
            raise _refus(
                f"Ce n'est pas un classeur Excel, c'est un document Word (.doc) renommé : {_RENVOI}", PAS_UN_CLASSEUR
            )
        if "powerpoint document" in noms:
            raise _refus(
                f"Ce n'est pas un classeur Excel, c'est une présentation PowerPoint renommée : {_RENVOI}",
                PAS_UN_CLASSEUR,
            )
        if any(n.startswith("__substg1.0_") for n in noms):
            raise _refus(
                "Ce fichier est un message Outlook (.msg), pas un classeur : ouvrez le message, enregistrez la pièce "
                "jointe elle-même et déposez-la à la place.",
                PAS_UN_CLASSEUR,
            )
        raise _refus(f"Ce fichier Office n'est pas un classeur Excel : {_RENVOI}", PAS_UN_CLASSEUR)
    try:
        debut = ole.debut(flux, 16 * 1024)
    except OleAbime:
        raise _refus(_ABIME, FICHIER_ABIME) from None
    if biff_chiffre(debut):
        raise _refus(MESSAGE_MOT_DE_PASSE, MOT_DE_PASSE)
    macros = "_vba_project_cur" in noms or "_vba_project" in noms
    return Verification("xls", macros)


def nom_lisible(nom: str) -> str:
    """A file name safe to print, log or put in JSON: undecodable bytes and control characters
    (possible in names on disk) replaced, composed to NFC."""
    nom = nom.encode("utf-8", "surrogateescape").decode("utf-8", "replace")
    nom = "".join("?" if unicodedata.category(c) in ("Cc", "Cs") else c for c in nom)
    return unicodedata.normalize("NFC", nom)
