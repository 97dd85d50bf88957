"""Checks an input file before any parser touches it (hostile and broken attachments).

Returns come as e-mail attachments from ~30 organisations: any of them can be empty, truncated,
renamed, password-protected, a zip bomb or carry XML entities. `inspecter` reads only the
container (zip central directory, OLE/CFB directory) and streams the zip members through a
bounded inflater; calamine and openpyxl are called only on files it accepted.
"""

from __future__ import annotations

import os
import stat
from pathlib import Path
from typing import NamedTuple

from vif38_bilan.commun import nombres
from vif38_bilan.exceptions import FichierRefuse
from vif38_bilan.lecture.examen import (
    MESSAGE_MOT_DE_PASSE,
    OLE,
    RENVOI,
    TAILLE_MAX,
    ZIP,
    ZIP_VIDE,
    Verification,
    refus,
)
from vif38_bilan.lecture.examen_ole import OleAbime, biff_chiffre, lire_ole
from vif38_bilan.lecture.examen_zip import ABIME, inspecter_zip
from vif38_bilan.lecture.export_csv import est_un_csv, message_csv
from vif38_bilan.regles import (
    ETIQUETTE_PROTECTION,
    EXPORT_CSV,
    FICHIER_ABIME,
    FICHIER_TROP_GROS,
    FICHIER_VIDE,
    ILLISIBLE,
    MOT_DE_PASSE,
    PAS_UN_CLASSEUR,
)
from vif38_bilan.lecture.export_csv import texte


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
        raise refus(
            f"Le fichier ne peut pas être lu ({raison_os(e)}) : vérifiez qu'il existe encore.", ILLISIBLE
        ) from None
    if not stat.S_ISREG(st.st_mode):
        raise refus("Ce n'est pas un fichier ordinaire : il a été ignoré.", PAS_UN_CLASSEUR)
    _verifier_taille(st.st_size, taille_max)
    try:
        with open(chemin, "rb") as f:
            donnees = f.read(st.st_size + 1)  # bounded even if the file grew since stat
    except OSError as e:
        raise refus(
            f"Le fichier ne peut pas être lu ({raison_os(e)}) : fermez-le s'il est ouvert, vérifiez vos droits "
            "puis relancez la commande.",
            ILLISIBLE,
        ) from None
    if len(donnees) != st.st_size:
        raise refus(
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
        return inspecter_zip(donnees)
    if donnees.startswith(OLE):
        return _inspecter_ole(donnees)
    if est_un_csv(donnees):
        raise refus(message_csv(renomme=True), EXPORT_CSV)
    e = refus(_message_pas_un_classeur(donnees[:512]), PAS_UN_CLASSEUR)
    e.document = _document(donnees)
    raise e


def _document(donnees: bytes) -> str | None:
    """What a non-spreadsheet document is, when its content says so (PDF, RTF, image, plain
    text), else None. The check then sets the file aside with a warning whatever its name
    (issue 25: the same file, the same severity)."""
    tete = donnees[:512]
    debut = tete.lstrip(b"\xef\xbb\xbf \t\r\n").lower()
    if tete.startswith(b"%PDF"):
        return "document PDF"
    if debut.startswith(b"{\\rtf"):
        return "document texte RTF"
    if tete[:4] in (b"\x89PNG", b"GIF8") or tete[:3] == b"\xff\xd8\xff":
        return "image"
    if debut.startswith((b"<", b"{")) or tete.startswith(ZIP_VIDE):
        return None  # HTML, XML 2003, JSON: spreadsheet exports, said by the message
    t = texte(donnees)
    if t is not None and all(c.isprintable() or c in "\r\n\t" for c in t[:4096]):
        return "fichier texte"
    return None


# Refusals that say the file is not a workbook at all: a drop refuses these before any copy.
# A workbook that is damaged, hostile or in a format the tool cannot read is kept: the check names
# the fault in the report and in the e-mail to the pilot.
_PAS_UN_CLASSEUR = {PAS_UN_CLASSEUR.id, FICHIER_VIDE.id, FICHIER_TROP_GROS.id}


def refuser_si_pas_un_classeur(donnees: bytes, taille_max: int = TAILLE_MAX) -> None:
    """The verdict of a drop, before anything is written: FichierRefuse (French, its rule) for an
    empty or too large file and for one that is not a workbook (PDF, Word or PowerPoint renamed,
    ZIP archive, RTF, HTML, image, random bytes), named by its content, never by its extension.

    The same examination as the check (inspecter_octets); a workbook it would refuse for another
    reason (cut short, zip bomb, password, .xlsb) and a CSV export pass: the check reports them.
    """
    try:
        inspecter_octets(donnees, taille_max)
    except FichierRefuse as e:
        if getattr(e, "regle", None) in _PAS_UN_CLASSEUR:
            raise


def _verifier_taille(taille: int, taille_max: int) -> None:
    if taille == 0:
        raise refus(f"Le fichier est vide (0 octet) : {RENVOI}", FICHIER_VIDE)
    if taille > taille_max:
        raise refus(
            f"Le fichier pèse {nombres.taille(taille)}, au-delà de la limite de {nombres.taille(taille_max)} : demandez au pilote "
            "de renvoyer le classeur seul, sans images, pièces jointes ni onglets ajoutés.",
            FICHIER_TROP_GROS,
        )


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
        return f"Le fichier est une archive ZIP vide, pas un classeur : {RENVOI}"
    if tete.startswith(b"%PDF"):
        return (
            "Ce fichier est un document PDF renommé, pas un classeur : les valeurs ne peuvent pas en être lues ; "
            f"{RENVOI}"
        )
    if debut.startswith(b"{\\rtf"):
        return f"Ce fichier est un document texte (RTF) renommé, pas un classeur : {RENVOI}"
    if debut.startswith((b"<!doctype html", b"<html")) or b"<table" in debut:
        return (
            "Ce fichier est une page web (HTML) et non un vrai classeur : ouvrez-le dans Excel et enregistrez-le "
            f"au format .xlsx, ou {RENVOI}"
        )
    if debut.startswith(b"<?xml") and b"urn:schemas-microsoft-com:office:spreadsheet" in tete:
        return (
            "Ce fichier est au format « Feuille de calcul XML 2003 » : ouvrez-le dans Excel et enregistrez-le "
            "au format .xlsx, puis déposez-le à nouveau."
        )
    if tete[:4] in (b"\x89PNG", b"GIF8") or tete[:3] == b"\xff\xd8\xff":
        return f"Ce fichier est une image renommée, pas un classeur : {RENVOI}"
    return f"Ce fichier n'est pas un classeur Excel ou LibreOffice (contenu non reconnu, peut-être abîmé) : {RENVOI}"


# ---------------------------------------------------------------- OLE/CFB containers (xls, encrypted)


# Rights management (IRM, Microsoft Purview / 365 sensitivity labels that encrypt): the OLE
# envelope's \x06DataSpaces storage names a DRM data space and transform instead of the
# password's StrongEncryptionDataSpace ([MS-OFFCRYPTO] 2.2.6, "DRMEncryptedDataSpace",
# "\x09DRMTransform"). No password was ever set: the pilot must change the label.
_DRM = frozenset({"drmencrypteddataspace", "\x09drmtransform", "drmencryptedtransform", "\x09drmdataspace"})
MESSAGE_ETIQUETTE = (
    "Le classeur est chiffré par une étiquette de confidentialité Microsoft 365 (protection des informations, IRM) "
    "et non par un mot de passe : l'outil ne peut pas le lire. Demandez au pilote de le renvoyer avec une étiquette "
    "qui ne protège pas le fichier (par exemple « Public » ou « Général », menu Accueil → Confidentialité dans "
    "Excel), ou d'en retirer la protection."
)


def _inspecter_ole(donnees: bytes) -> Verification:
    """Directory names, and the start of the Workbook stream for FILEPASS (a password)."""
    try:
        ole = lire_ole(donnees)
    except OleAbime:
        raise refus(ABIME, FICHIER_ABIME) from None
    noms = ole.noms
    if noms & _DRM:
        raise refus(MESSAGE_ETIQUETTE, ETIQUETTE_PROTECTION)
    if "encryptioninfo" in noms or "encryptedpackage" in noms:
        raise refus(MESSAGE_MOT_DE_PASSE, MOT_DE_PASSE)
    flux = "workbook" if "workbook" in noms else "book" if "book" in noms else None
    if flux is None:
        if "worddocument" in noms:
            e = refus(
                f"Ce n'est pas un classeur Excel, c'est un document Word (.doc) renommé : {RENVOI}", PAS_UN_CLASSEUR
            )
            e.document = "document Word"
            raise e
        if "powerpoint document" in noms:
            e = refus(
                f"Ce n'est pas un classeur Excel, c'est une présentation PowerPoint renommée : {RENVOI}",
                PAS_UN_CLASSEUR,
            )
            e.document = "présentation PowerPoint"
            raise e
        if any(n.startswith("__substg1.0_") for n in noms):
            raise refus(
                "Ce fichier est un message Outlook (.msg), pas un classeur : ouvrez le message, enregistrez la pièce "
                "jointe elle-même et déposez-la à la place.",
                PAS_UN_CLASSEUR,
            )
        raise refus(f"Ce fichier Office n'est pas un classeur Excel : {RENVOI}", PAS_UN_CLASSEUR)
    try:
        debut = ole.debut(flux, 16 * 1024)
    except OleAbime:
        raise refus(ABIME, FICHIER_ABIME) from None
    if biff_chiffre(debut):
        raise refus(MESSAGE_MOT_DE_PASSE, MOT_DE_PASSE)
    macros = "_vba_project_cur" in noms or "_vba_project" in noms
    return Verification("xls", macros)
