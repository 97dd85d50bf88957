"""Examination of zip containers (xlsx, xlsm, ods) before any parser: central directory
cross-checked, members inflated through a bounded inflater, XML prologs scanned."""

from __future__ import annotations

import io
import re
import struct
import zipfile
import zlib
from typing import NamedTuple

from vif38_bilan.commun.textes import tronquer
from vif38_bilan.commun import nombres
from vif38_bilan.lecture.examen import (
    MEMBRE_MAX,
    MEMBRES_MAX,
    MESSAGE_MOT_DE_PASSE,
    MORCEAU,
    RATIO_MAX,
    RATIO_SEUIL,
    RENVOI,
    TOTAL_MAX,
    ZIP,
    Verification,
    nom_lisible,
    refus,
)
from vif38_bilan.lecture.examen_xml import Prologue, XmlDangereux, chercher, lisible_en_xml, verifier_prologue
from vif38_bilan.regles import (
    BOMBE_ZIP,
    FICHIER_ABIME,
    FORMAT_NON_PRIS_EN_CHARGE,
    MOT_DE_PASSE,
    PAS_UN_CLASSEUR,
    XML_DANGEREUX,
)

# ---------------------------------------------------------------- zip containers (xlsx, xlsm, ods)

ABIME = "Le fichier est abîmé (archive incomplète ou incohérente) : demandez au pilote de le renvoyer."
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


def inspecter_zip(donnees: bytes) -> Verification:
    membres = _repertoire_zip(donnees)
    _verifier_repertoire(membres, len(donnees))
    noms = {m.nom for m in membres}
    gardes: dict[str, bytes] = {}
    vue = memoryview(donnees)
    for m in membres:
        try:
            contenu = _parcourir(vue, m)
        except XmlDangereux:
            raise refus(_XML_DANGEREUX.format(membre=_court(m.nom)), XML_DANGEREUX) from None
        if m.nom in _GARDER:
            gardes[m.nom] = contenu[:_GARDER_MAX]

    # ODF (ods): the first member "mimetype" names the document type.
    if "mimetype" in noms:
        mimetype = gardes.get("mimetype", b"").strip()
        if mimetype.startswith(_ODS):
            if "encryption-data" in {t for t, _ in _elements(gardes.get("META-INF/manifest.xml", b"<m/>"))}:
                raise refus(MESSAGE_MOT_DE_PASSE, MOT_DE_PASSE)
            if "content.xml" not in noms:
                raise refus(ABIME, FICHIER_ABIME)
            macros = any(n.startswith(("Basic/", "Scripts/")) for n in noms)
            return Verification("ods", macros)
        for mime, quoi in _ODF_AUTRES.items():
            if mimetype.startswith(mime):
                e = refus(f"Ce n'est pas un classeur, c'est {quoi} renommé : {RENVOI}", PAS_UN_CLASSEUR)
                e.document = quoi.split(" ", 1)[1]
                raise e
        raise refus(f"Ce fichier LibreOffice n'est pas un classeur : {RENVOI}", PAS_UN_CLASSEUR)

    brut = gardes.get("[Content_Types].xml")
    if brut is None:
        raise refus(
            "Ce fichier est une archive compressée (ZIP), pas un classeur : si elle contient le classeur, "
            "extrayez-le et déposez-le à la place ; sinon " + RENVOI,
            PAS_UN_CLASSEUR,
        )
    # The content types declared (Default and Override elements), parsed with defusedxml.
    types = " ".join(a.get("ContentType", "") for _, a in _elements(brut))
    if "sheet.binary.macroenabled.main" in types.lower():
        raise refus(
            "Ce classeur est au format binaire Excel (.xlsb), que l'outil ne lit pas : ouvrez-le dans Excel et "
            "enregistrez-le au format .xlsx, ou demandez au pilote de le faire.",
            FORMAT_NON_PRIS_EN_CHARGE,
        )
    if "spreadsheetml.sheet.main+xml" in types or "spreadsheetml.template.main+xml" in types:
        fmt = "xlsx"
    elif "ms-excel.sheet.macroEnabled.main+xml" in types or "ms-excel.template.macroEnabled.main+xml" in types:
        fmt = "xlsm"
    elif "wordprocessingml" in types:
        e = refus(f"Ce n'est pas un classeur Excel, c'est un document Word renommé : {RENVOI}", PAS_UN_CLASSEUR)
        e.document = "document Word"
        raise e
    elif "presentationml" in types:
        e = refus(
            f"Ce n'est pas un classeur Excel, c'est une présentation PowerPoint renommée : {RENVOI}",
            PAS_UN_CLASSEUR,
        )
        e.document = "présentation PowerPoint"
        raise e
    else:
        raise refus(f"Ce document Office n'est pas un classeur Excel : {RENVOI}", PAS_UN_CLASSEUR)
    macros = fmt == "xlsm" or any(n.lower().endswith("vbaproject.bin") or "/macrosheets/" in n.lower() for n in noms)
    return Verification(fmt, macros)


def _elements(xml: bytes) -> list[tuple[str, dict[str, str]]]:
    """(local tag, attributes) of every element of a small kept part, parsed with defusedxml
    (already scanned for DOCTYPE/ENTITY); a part no parser accepts means a damaged file."""
    from defusedxml import ElementTree

    try:
        racine = ElementTree.fromstring(xml)
    except Exception:  # ParseError, or defusedxml refusing a declaration
        raise refus(ABIME, FICHIER_ABIME) from None
    return [(e.tag.rsplit("}", 1)[-1], dict(e.attrib)) for e in racine.iter()]


def _repertoire_zip(d: bytes) -> list[_Membre]:
    """The central directory, read strictly: one end record exactly at the end of the file, the
    directory right before it. Parsers that look for these records differently (zipfile, the Rust
    zip crate in calamine) then cannot be shown another directory than the one checked here."""
    fin = d.rfind(b"PK\x05\x06", max(0, len(d) - 22 - 0xFFFF))
    if fin < 0 or len(d) < fin + 22:
        raise refus(ABIME, FICHIER_ABIME)
    disque, disque_rep, nb_disque, nombre, taille_rep, debut_rep, lon_commentaire = struct.unpack_from(
        "<HHHHIIH", d, fin + 4
    )
    if fin + 22 + lon_commentaire != len(d) or disque or disque_rep or nb_disque != nombre:
        raise refus(ABIME, FICHIER_ABIME)
    if nombre == 0xFFFF or debut_rep == 0xFFFFFFFF or taille_rep == 0xFFFFFFFF:
        return _repertoire_zip64(d)
    if debut_rep + taille_rep != fin:
        raise refus(ABIME, FICHIER_ABIME)
    if nombre > MEMBRES_MAX:
        raise refus(_BOMBE.format(quoi=f"{nombre} éléments"), BOMBE_ZIP)
    membres: list[_Membre] = []
    p = debut_rep
    try:
        for _ in range(nombre):
            if d[p : p + 4] != b"PK\x01\x02":
                raise refus(ABIME, FICHIER_ABIME)
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
        raise refus(ABIME, FICHIER_ABIME) from None
    if p != fin:
        raise refus(ABIME, FICHIER_ABIME)
    return membres


def _repertoire_zip64(d: bytes) -> list[_Membre]:
    """ZIP64 archives (never written for a workbook this small, but legal): zipfile reads them."""

    try:
        infos = zipfile.ZipFile(io.BytesIO(d)).infolist()
    except (zipfile.BadZipFile, zipfile.LargeZipFile, ValueError, EOFError, struct.error, OSError):
        raise refus(ABIME, FICHIER_ABIME) from None
    if len(infos) > MEMBRES_MAX:
        raise refus(_BOMBE.format(quoi=f"{len(infos)} éléments"), BOMBE_ZIP)
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
        raise refus(ABIME, FICHIER_ABIME)
    n, e = struct.unpack_from("<HH", d, entete + 26)
    return entete + 30 + n + e


def _verifier_repertoire(membres: list[_Membre], taille: int) -> None:
    """Judge the archive from its central directory alone, before inflating anything."""
    vus: set[str] = set()
    total = 0
    for m in membres:
        if m.drapeaux & 0x1:
            raise refus(MESSAGE_MOT_DE_PASSE, MOT_DE_PASSE)
        if m.nom in vus:  # two members with one name: parsers would disagree on which to read
            raise refus(ABIME, FICHIER_ABIME)
        vus.add(m.nom)
        if m.taille > MEMBRE_MAX:
            raise refus(_BOMBE.format(quoi=f"{nombres.taille(m.taille)} pour « {_court(m.nom)} »"), BOMBE_ZIP)
        if m.methode not in (zipfile.ZIP_STORED, zipfile.ZIP_DEFLATED):
            raise refus(
                "Le fichier utilise une compression que ni Excel ni LibreOffice n'emploient : "
                "demandez au pilote de le renvoyer enregistré depuis Excel ou LibreOffice.",
                FICHIER_ABIME,
            )
        if m.taille > RATIO_SEUIL and m.taille > RATIO_MAX * max(m.compresse, 1):
            raise refus(_BOMBE.format(quoi=f"{nombres.taille(m.taille)} pour « {_court(m.nom)} »"), BOMBE_ZIP)
        total += m.taille
    if total > TOTAL_MAX:
        raise refus(_BOMBE.format(quoi=nombres.taille(total)), BOMBE_ZIP)
    # Members' data must not overlap (overlapping members are the "better zip bomb" construction)
    # nor run past the end of the file.
    fin_precedente = 0
    for m in sorted(membres, key=lambda m: m.entete):
        if m.entete < fin_precedente or m.debut + m.compresse > taille:
            raise refus(ABIME, FICHIER_ABIME)
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
        raise refus(ABIME, FICHIER_ABIME)
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
            raise refus(ABIME, FICHIER_ABIME)
        return b""
    except zlib.error:
        raise refus(ABIME, FICHIER_ABIME) from None


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
        raise refus(ABIME, FICHIER_ABIME) from None


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
    annonce = f"plus que les {nombres.taille(m.taille)} annoncés pour « {_court(m.nom)} »"
    raise refus(_BOMBE.format(quoi=annonce), BOMBE_ZIP)


def _examiner(m: _Membre, contenu: bytes) -> None:
    """Whole-member checks: actual size, forbidden XML declarations.

    The CRC is left to the parsers (zipfile and calamine check it and fail cleanly): it costs as
    much as the scan and protects nothing the size check does not."""
    if len(contenu) > m.taille:
        _trop(m)
    if len(contenu) != m.taille:
        raise refus(ABIME, FICHIER_ABIME)
    if lisible_en_xml(contenu[:8]):
        verifier_prologue(contenu[:256])
        if m.nom == "META-INF/manifest.xml":
            contenu = _DOCTYPE_MANIFESTE.sub(b"", contenu, count=1)
        chercher(contenu, b"")


def _court(nom: str, n: int = 60) -> str:
    nom = nom_lisible(nom)
    return tronquer(nom, n)


def membres_archive(donnees: bytes) -> list[tuple[str, bytes]]:
    """(name, content) of each file of a ZIP archive of returns (issue 25), under the limits
    workbooks get: central directory checked (encrypted members, bombs, overlaps), each member
    inflated no further than its declared size, which must match. Folders and macOS resource
    forks (__MACOSX/, ._name) are left out. FichierRefuse (French) otherwise."""
    membres = _repertoire_zip(donnees)
    _verifier_repertoire(membres, len(donnees))
    vue = memoryview(donnees)
    sortie = []
    for m in membres:
        base = m.nom.rsplit("/", 1)[-1]
        if m.nom.endswith("/") or m.nom.startswith("__MACOSX/") or base.startswith("._"):
            continue
        brut = vue[m.debut : m.debut + m.compresse]
        if m.methode == zipfile.ZIP_STORED:
            contenu = bytes(brut)
        else:
            try:
                contenu = b"".join(_inflation_bornee(m, brut))
            except zlib.error:
                raise refus(ABIME, FICHIER_ABIME) from None
        if len(contenu) != m.taille or zlib.crc32(contenu) != m.crc:
            raise refus(ABIME, FICHIER_ABIME)
        sortie.append((m.nom, contenu))
    return sortie


def noms_membres(donnees: bytes) -> list[str] | None:
    """The member names of a zip's own central directory (the one at the end of the file, read
    strictly), or None when it cannot be read. A stored (uncompressed) archive holding a workbook
    carries that workbook's directory too: only the outer one says what the archive is."""
    try:
        return [m.nom for m in _repertoire_zip(donnees)]
    except Exception:  # FichierRefuse or any malformed record: not readable as an archive
        return None
