"""Attachments taken out of the containers an agent drops beside the returns (issue 25), and
file names decoded when a mail program saved them undecoded.

Recognised by content, never by name: Outlook's TNEF (`winmail.dat`, `ATT00001.dat`), saved
e-mails (.eml, RFC 822/MIME), Outlook messages (.msg, an OLE file with `__substg1.0_` streams)
and ZIP archives that are not an OOXML/ODF package. Maintained libraries parse the formats
(tnefparse, extract-msg, the standard `email` package); ZIP members go through the same bounded
examination as workbooks (examen_zip). Everything happens in memory: the input is only read.
"""

from __future__ import annotations

import base64
import binascii
import email.errors
import email.header
import re
import unicodedata
import urllib.parse
from dataclasses import dataclass

from vif38_bilan.lecture.examen_ole import OleAbime, lire_ole
from vif38_bilan.exceptions import FichierRefuse
from vif38_bilan.lecture.examen import OLE, TAILLE_MAX, ZIP, refus
from vif38_bilan.regles import FICHIER_ABIME, FICHIER_REFUSE
from vif38_bilan.lecture.examen_zip import membres_archive, noms_membres

TNEF = b"\x78\x9f\x3e\x22"
PROFONDEUR_MAX = 4  # a zip in a message in a winmail.dat in a message: deeper is not an attachment
PIECES_MAX = 200  # attachments taken from one dropped file, all levels
CONTENEUR_MAX = 3 * TAILLE_MAX  # a message may carry several workbooks and images

_ENTETE_MAIL = re.compile(
    rb"^(?:(?:return-path|received|from|to|cc|subject|date|message-id|mime-version|content-type|reply-to|"
    rb"x-[a-z0-9-]+|delivered-to|thread-[a-z]+|user-agent|dkim-signature|arc-[a-z-]+|authentication-results):"
    rb"[^\r\n]*\r?\n(?:[ \t][^\r\n]*\r?\n)*){2,}",
    re.IGNORECASE,
)
_IMAGES = (b"\x89PNG", b"GIF8", b"\xff\xd8\xff", b"BM")


@dataclass(frozen=True)
class PieceJointe:
    """One attachment as found: its (decoded, safe) name, its bytes, the containers it came out of."""

    nom: str
    donnees: bytes
    origine: tuple[str, ...]  # outermost first: ("message.eml", "winmail.dat")


def nature(donnees: bytes) -> str | None:
    """ "tnef" | "eml" | "msg" | "zip" when donnees is a container to open, else None (a workbook,
    a document, anything else: examined as a return). A ZIP holding [Content_Types].xml or an
    ODF mimetype is an office document, not an archive of returns."""
    if donnees.startswith(TNEF):
        return "tnef"
    if donnees.startswith(ZIP):
        return None if _paquet_bureautique(donnees) else "zip"
    if donnees.startswith(OLE):
        try:
            noms = lire_ole(donnees).noms
        except OleAbime:
            return None  # damaged: the workbook examination says so
        return "msg" if any(n.startswith("__substg1.0_") for n in noms) and "workbook" not in noms else None
    if _ENTETE_MAIL.match(donnees.lstrip(b"\r\n")[:65536]):
        return "eml"
    return None


def extraire(donnees: bytes, nom: str, profondeur: int = 0) -> list[PieceJointe]:
    """The attachments of a container, containers inside it opened too (images left out: the
    logos of a signature are never a return). FichierRefuse (French) when the container is
    damaged, hostile or too deep.

    Args:
        donnees: the container's bytes (bounded by the caller).
        nom: its name as shown, for the origin chain.
    """
    type_ = nature(donnees)
    if type_ is None:
        return [PieceJointe(nom, donnees, ())]
    if profondeur >= PROFONDEUR_MAX:
        raise refus(
            f"« {nom} » contient des pièces jointes emboîtées sur plus de {PROFONDEUR_MAX} niveaux : enregistrez le "
            "classeur lui-même et déposez-le à la place.",
            FICHIER_ABIME,
        )
    pieces: list[PieceJointe] = []
    for pj_nom, pj in _ouvrir(type_, donnees, nom):
        if pj[:4].startswith(_IMAGES) or not pj:
            continue
        for p in extraire(pj, pj_nom, profondeur + 1):
            pieces.append(PieceJointe(p.nom, p.donnees, (nom, *p.origine)))
            if len(pieces) > PIECES_MAX:
                raise refus(
                    f"« {nom} » contient plus de {PIECES_MAX} pièces jointes : il n'est pas lu. Déposez plutôt les "
                    "classeurs reçus eux-mêmes dans le dossier des retours.",
                    FICHIER_ABIME,
                )
    return pieces


def _ouvrir(type_: str, donnees: bytes, nom: str) -> list[tuple[str, bytes]]:
    """(name, bytes) of each attachment directly inside the container."""
    try:
        if type_ == "tnef":
            return _tnef(donnees)
        if type_ == "eml":
            return _eml(donnees)
        if type_ == "msg":
            return _msg(donnees)
        return _zip(donnees)
    except FichierRefuse:
        raise
    except ImportError as e:  # a dependency missing from the installation: say so, not "damaged"
        raise refus(
            f"Le module « {e.name} » nécessaire pour ouvrir « {nom} » n'est pas installé : réinstallez vif38-bilan "
            "(pip install vif38-bilan) puis relancez.",
            FICHIER_REFUSE,
        ) from None
    except Exception:  # any parser failure on a damaged container: one French message
        quoi = {"tnef": "la pièce jointe Outlook", "eml": "le message", "msg": "le message Outlook"}
        raise refus(
            f"Impossible d'ouvrir {quoi.get(type_, 'l’archive')} « {nom} » (fichier abîmé ou tronqué) : ses pièces "
            "jointes ne peuvent pas être lues. Enregistrez le classeur joint lui-même et déposez-le à la place.",
            FICHIER_ABIME,
        ) from None


def _tnef(donnees: bytes) -> list[tuple[str, bytes]]:
    from tnefparse import TNEF as Tnef
    from tnefparse.properties import MAPI_ATTACH_LONG_FILENAME

    sortie = []
    for k, a in enumerate(Tnef(donnees).attachments, start=1):
        brut = a.data if isinstance(a.data, bytes) else b""
        # The long name (MAPI, Unicode) first; else the title, which Outlook writes in the OEM
        # code page (tnefparse's `name` would decode it as UTF-8 and fail on « é »).
        nom = next((x.data for x in a.mapi_attrs if x.name == MAPI_ATTACH_LONG_FILENAME), None) or a._name or ""
        if isinstance(nom, bytes):
            try:
                nom = nom.decode("utf-8")
            except UnicodeDecodeError:
                nom = nom.decode("cp1252", "replace")
        sortie.append((nom_sur(str(nom).strip("\x00"), k), brut))
    return sortie


def _eml(donnees: bytes) -> list[tuple[str, bytes]]:
    from email import policy
    from email.parser import BytesParser

    message = BytesParser(policy=policy.default).parsebytes(donnees)
    sortie = []
    k = 0
    for partie in message.walk():
        if partie.is_multipart():
            continue
        nom = partie.get_filename()
        if nom is None and partie.get_content_disposition() != "attachment":
            if partie.get_content_type() in ("message/rfc822", "application/ms-tnef"):
                nom = ""
            else:
                continue  # the body of the message
        k += 1
        brut = partie.get_payload(decode=True) or b""
        sortie.append((nom_sur(nom_decode(nom or "") or nom or "", k), brut))
    return sortie


def _msg(donnees: bytes) -> list[tuple[str, bytes]]:
    import extract_msg

    message = extract_msg.openMsg(donnees, delayAttachments=False)
    sortie = []
    try:
        for k, a in enumerate(message.attachments, start=1):
            brut = a.data if isinstance(a.data, bytes) else b""
            nom = getattr(a, "longFilename", None) or getattr(a, "shortFilename", None) or ""
            sortie.append((nom_sur(str(nom), k), brut))
    finally:
        message.close()
    return sortie


def _zip(donnees: bytes) -> list[tuple[str, bytes]]:
    return [(nom_sur(n.rsplit("/", 1)[-1], k), b) for k, (n, b) in enumerate(membres_archive(donnees), start=1)]


def _paquet_bureautique(donnees: bytes) -> bool:
    """True when the zip's own central directory names [Content_Types].xml, mimetype or
    META-INF/manifest.xml (an Office or OpenDocument file); an archive of returns names neither."""
    noms = noms_membres(donnees)
    if noms is None:
        return True  # not a readable archive: let the workbook examination say so
    return any(n in ("[Content_Types].xml", "mimetype", "META-INF/manifest.xml") for n in noms)


# ---------------------------------------------------------------- names


def nom_sur(nom: str, rang: int) -> str:
    """An attachment name safe to show and to use as one path component (the annotated copy is
    named after it): no folder part, no control character, none of <>:"|?*, at most 120
    characters; "pièce jointe n" when empty. Decode MIME-encoded names first (nom_decode)."""
    nom = re.split(r"[\\/]", nom)[-1]
    nom = "".join(c for c in nom if unicodedata.category(c) not in ("Cc", "Cf", "Cs"))
    nom = re.sub(r'[<>:"|?*]', "_", nom).strip(" .")  # characters Windows refuses in a file name
    nom = unicodedata.normalize("NFC", nom)[:120]
    return nom or f"pièce jointe {rang}"


_CHARSETS = r"utf-?8|iso-?8859-1[05]?|windows-125[02]|cp125[02]|us-ascii"
# RFC 2047 encoded words, as sent or as mail programs save them when they do not decode them:
# "=?utf-8?B?…?=", "=_utf-8_B_…_=" (Thunderbird: "?" is not allowed in Windows names),
# "-UTF-8-B-…" and "_UTF-8_B_…_" (other clients and webmails).
_MOT_ENCODE = re.compile(rf"(?:=[?_]|[-_]|^)({_CHARSETS})[?_-]([BbQq])[?_-]([^?\s]*?)(?:[?_]=|[-_]?(?=\.|$|\s))", re.I)
_RFC2231 = re.compile(rf"^({_CHARSETS})'[A-Za-z-]*'(.+)$", re.I)


def nom_decode(nom: str) -> str | None:
    """The readable name of a file whose name is still MIME-encoded (RFC 2047 encoded words and
    their mangled save forms, RFC 2231 `utf-8''…%20…`), or None when nom is not encoded."""
    m = _RFC2231.match(nom)
    if m:
        try:
            return urllib.parse.unquote(m.group(2), encoding=_charset(m.group(1)), errors="strict")
        except (UnicodeDecodeError, LookupError):
            return None
    if "=?" in nom:
        try:
            decode = str(email.header.make_header(email.header.decode_header(nom)))
        except (email.errors.HeaderParseError, UnicodeDecodeError, LookupError, ValueError):
            decode = nom
        if decode != nom:
            return decode
    morceaux, fin, change = [], 0, False
    for m in _MOT_ENCODE.finditer(nom):
        texte = _decoder_mot(m.group(1), m.group(2), m.group(3))
        if texte is None:
            continue
        entre = nom[fin : m.start()]
        morceaux.append("" if change and not entre.strip() else entre)
        morceaux.append(texte)
        fin, change = m.end(), True
    if not change:
        return None
    return "".join(morceaux) + nom[fin:]


def _charset(nom: str) -> str:
    n = nom.lower().replace("_", "-")
    return {"utf8": "utf-8", "iso8859-1": "iso-8859-1", "iso8859-15": "iso-8859-15"}.get(n, n)


def _decoder_mot(charset: str, codage: str, texte: str) -> str | None:
    """One encoded word's text, or None when it does not decode (then it was not one)."""
    try:
        if codage in "Bb":
            for alphabet in (texte, texte.replace("_", "/"), texte.replace("-", "+").replace("_", "/")):
                try:
                    brut = base64.b64decode(alphabet + "=" * (-len(alphabet) % 4), validate=True)
                    return brut.decode(_charset(charset))
                except (binascii.Error, UnicodeDecodeError):
                    continue
            return None
        brut = re.sub(rb"=([0-9A-Fa-f]{2})", lambda x: bytes([int(x.group(1), 16)]), texte.encode("ascii", "strict"))
        return brut.replace(b"_", b" ").decode(_charset(charset))
    except (UnicodeError, LookupError):
        return None
