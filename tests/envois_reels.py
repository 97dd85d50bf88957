"""Returns as real offices send them, round 3 (issue 25): one builder per defect, named after it.

Each builder starts from an ordinary filled return (tests/retours_reels.retour) and applies what
a browser copy-paste, Outlook, Thunderbird, Microsoft 365 or ONLYOFFICE did to it. Containers
are written in their real formats: TNEF as Outlook writes winmail.dat ([MS-OXTNEF]), e-mails
with the standard `email` package, ZIP with zipfile, the rights-management envelope as an OLE
compound file with the DRM data space ([MS-OFFCRYPTO] 2.2.6).
"""

from __future__ import annotations

import base64
import io
import struct
import zipfile
from datetime import datetime
from email.message import EmailMessage
from pathlib import Path

import retours_reels as rr
from fabriques import ANNEE, remplir
from hostiles import cfb

from vif38_bilan.gabarits import disposition as d
from vif38_bilan.gabarits.generation import generer_gabarits

# ---------------------------------------------------------------- kind 1: invisible characters

INVISIBLES = {
    "zwsp_nombre": ("\u200b1200", 1200),  # zero-width space before a count (web page, Teams)
    "bom_nombre": ("\u200d35", 35),  # zero-width joiner (emoji sequences, Teams)
    "trait_conditionnel_statut": ("EFFEC\u00adTUÉE", "EFFECTUÉE"),  # soft hyphen (Word, PDF)
    "marque_sens_observations": ("\u200eBilan positif\u200f", "Bilan positif"),  # direction marks
    "bom_observations": ("\ufeffRéunions tenues", "Réunions tenues"),  # byte order mark (text file pasted)
}
_MARQUE_BOM = "MARQUEBOM"  # openpyxl cannot write a BOM: put in the XML afterwards


def caracteres_invisibles(protocole, base: Path, dossier: Path, code: str = rr.PILOTE) -> tuple[Path, dict]:
    """A return whose cells hold invisible format characters pasted from elsewhere. Returns the
    file and {ref: (text typed, value expected)}."""
    c1, c2 = rr.action_entiere(protocole, code, 0), rr.action_entiere(protocole, code, 1)
    maj = {
        c1: {"statut": INVISIBLES["trait_conditionnel_statut"][0], "valeurs": [INVISIBLES["zwsp_nombre"][0]]},
        c2: {
            "statut": "EFFECTUÉE",
            "valeurs": [INVISIBLES["bom_nombre"][0]],
            "observations": INVISIBLES["marque_sens_observations"][0],
        },
    }
    c3 = rr.action_entiere(protocole, code, 2)
    maj[c3] = {"statut": "EFFECTUÉE", "observations": _MARQUE_BOM + "Réunions tenues"}
    chemin = rr.retour(protocole, base, dossier, "caracteres_invisibles_colles.xlsx", code, maj=maj)
    rr.reecrire_membres(chemin, lambda _n, b: b.replace(_MARQUE_BOM.encode(), "\ufeff".encode("utf-8")))
    refs = rr.cellules(chemin)
    return chemin, {
        refs[c3]["observations"]: INVISIBLES["bom_observations"],
        refs[c1]["valeur"]: INVISIBLES["zwsp_nombre"],
        refs[c1]["statut"]: INVISIBLES["trait_conditionnel_statut"],
        refs[c2]["valeur"]: INVISIBLES["bom_nombre"],
        refs[c2]["observations"]: INVISIBLES["marque_sens_observations"],
    }


# ---------------------------------------------------------------- kind 3: containers and names


def _attribut(niveau: int, nom: int, type_: int, donnees: bytes) -> bytes:
    """One TNEF attribute: level, id, type, length, data, checksum (sum of the data bytes)."""
    return struct.pack("<BHHI", niveau, nom, type_, len(donnees)) + donnees + struct.pack("<H", sum(donnees) & 0xFFFF)


def winmail_dat(pieces: dict[str, bytes], sortie: Path) -> Path:
    """winmail.dat as Outlook writes it when it sends in Rich Text: the attachments in TNEF."""
    corps = struct.pack("<IH", 0x223E9F78, 0x1234)
    corps += _attribut(1, 0x9006, 0x0008, struct.pack("<I", 0x00010000))  # attTnefVersion
    corps += _attribut(1, 0x9007, 0x0006, struct.pack("<II", 1252, 0))  # attOemCodepage
    for nom, donnees in pieces.items():
        corps += _attribut(2, 0x9002, 0x0006, bytes(14))  # attAttachRendData: starts an attachment
        corps += _attribut(2, 0x8010, 0x0001, nom.encode("cp1252") + b"\0")  # attAttachTitle
        corps += _attribut(2, 0x800F, 0x0006, donnees)  # attAttachData
    sortie.parent.mkdir(parents=True, exist_ok=True)
    sortie.write_bytes(corps)
    return sortie


def eml(pieces: dict[str, bytes], sortie: Path, sujet: str = "Bilan 2023") -> Path:
    """A message saved from Thunderbird or Outlook (.eml), the files attached with their names
    encoded as clients send them (RFC 2231 for non-ASCII names)."""
    m = EmailMessage()
    m["From"] = "Pilote <pilote@exemple.fr>"
    m["To"] = "ddfe@exemple.fr"
    m["Subject"] = sujet
    m["Date"] = "Mon, 15 Jan 2024 10:00:00 +0100"
    m.set_content("Bonjour,\nVeuillez trouver ci-joint notre bilan.\n")
    for nom, donnees in pieces.items():
        m.add_attachment(donnees, maintype="application", subtype="octet-stream", filename=nom)
    sortie.parent.mkdir(parents=True, exist_ok=True)
    sortie.write_bytes(bytes(m))
    return sortie


def archive_zip(pieces: dict[str, bytes], sortie: Path) -> Path:
    """A .zip of returns (Windows « Envoyer vers → Dossier compressé »), macOS leftovers included."""
    tampon = io.BytesIO()
    with zipfile.ZipFile(tampon, "w", zipfile.ZIP_DEFLATED) as z:
        for nom, donnees in pieces.items():
            z.writestr(nom, donnees)
            z.writestr("__MACOSX/._" + nom.rsplit("/", 1)[-1], b"\0\5\26\7")
    sortie.parent.mkdir(parents=True, exist_ok=True)
    sortie.write_bytes(tampon.getvalue())
    return sortie


def nom_mime(nom: str, forme: str) -> str:
    """nom as a mail program left it undecoded: "rfc2047", "thunderbird" (=_utf-8_B_…_=),
    "tirets" (-UTF-8-B-…) or "rfc2231" (utf-8''…%20…)."""
    b64 = base64.b64encode(nom.encode("utf-8")).decode("ascii")
    if forme == "rfc2047":
        return f"=?utf-8?B?{b64}?="
    if forme == "thunderbird":
        return f"=_utf-8_B_{b64.replace('/', '_')}_="
    if forme == "tirets":
        return f"-UTF-8-B-{b64.rstrip('=')}"
    from urllib.parse import quote

    return "utf-8''" + quote(nom)


# ---------------------------------------------------------------- kind 4: right advice


def chiffre_par_etiquette(chemin: Path) -> Path:
    """A workbook encrypted by a Microsoft 365 sensitivity label (IRM): the DRM data space in the
    OLE envelope, no EncryptionInfo password verifier."""
    return cfb(
        chemin,
        {
            "DRMEncryptedDataSpace": struct.pack("<II", 8, 1) + "DRMEncryptedTransform".encode("utf-16-le"),
            "\x09DRMTransform": bytes(64),
            "EncryptedPackage": struct.pack("<Q", 9000) + bytes(9000),
        },
        stockages=("\x06DataSpaces",),
    )


def xlsb(chemin: Path) -> Path:
    """An Excel binary workbook (.xlsb): its content types name the binary main part."""
    tampon = io.BytesIO()
    with zipfile.ZipFile(tampon, "w", zipfile.ZIP_DEFLATED) as z:
        z.writestr(
            "[Content_Types].xml",
            '<?xml version="1.0" encoding="UTF-8"?><Types xmlns="http://schemas.openxmlformats.org/package/2006/'
            'content-types"><Override PartName="/xl/workbook.bin" ContentType="application/vnd.ms-excel.sheet.'
            'binary.macroEnabled.main"/></Types>',
        )
        z.writestr("xl/workbook.bin", bytes(64))
    chemin.parent.mkdir(parents=True, exist_ok=True)
    chemin.write_bytes(tampon.getvalue())
    return chemin


def annee_precedente_remplie(protocole, base: Path, dossier: Path, code: str, nom: str) -> Path:
    """Last year's workbook (ANNEE - 1) filled with this year's answers, saved during ANNEE + 1's
    collection (the pilot reused the file he had)."""
    gabarits = base / f"gabarits-{ANNEE - 1}"
    if not (gabarits / d.nom_fichier(ANNEE - 1, code)).is_file():
        generer_gabarits(protocole, ANNEE - 1, gabarits, pilotes=[code], maintenant=datetime(ANNEE, 1, 5, 9))
    return remplir(protocole, gabarits, dossier, code, nom=nom, annee=ANNEE - 1, modifie_le=datetime(ANNEE + 1, 1, 20, 9))
