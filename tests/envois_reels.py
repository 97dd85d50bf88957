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
import math
import struct
import zipfile
from datetime import datetime
from email.message import EmailMessage
from pathlib import Path

from tests import retours_reels as rr
from tests.fabriques import ANNEE, remplir
from tests.hostiles import cfb

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


def archive_zip(pieces: dict[str, bytes], sortie: Path, compression: int = zipfile.ZIP_DEFLATED) -> Path:
    """A .zip of returns (Windows « Envoyer vers → Dossier compressé »), macOS leftovers included;
    compression=zipfile.ZIP_STORED for an archive that only stores (Python's and some tools' default)."""
    tampon = io.BytesIO()
    with zipfile.ZipFile(tampon, "w", compression) as z:
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
    return remplir(
        protocole, gabarits, dossier, code, nom=nom, annee=ANNEE - 1, modifie_le=datetime(ANNEE + 1, 1, 20, 9)
    )


# ---------------------------------------------------------------- kind 2: nothing the pilot wrote is lost

_NS_FIL = "http://schemas.microsoft.com/office/spreadsheetml/2018/threadedcomments"
_REL_FIL = "http://schemas.microsoft.com/office/2017/10/relationships/threadedComment"
_REL_PERSONNE = "http://schemas.microsoft.com/office/2017/10/relationships/person"


def commentaire_ancien(chemin: Path, ref: str, texte: str, auteur: str, feuille: str = d.FEUILLE_SAISIE) -> Path:
    """A legacy note (Révision → Nouvelle note), as Excel writes it: the author's name first."""
    from openpyxl.comments import Comment

    def poser(wb):
        wb[feuille][ref].comment = Comment(f"{auteur}:\n{texte}", auteur)

    return rr.modifier(chemin, poser)


def commentaire_fil(chemin: Path, ref: str, texte: str, auteur: str, reponse: tuple[str, str] | None = None) -> Path:
    """A threaded comment of Microsoft 365 (xl/threadedComments, xl/persons), with the legacy
    stand-in Excel writes beside it for older versions ("[Threaded comment] …")."""
    from openpyxl.comments import Comment

    ident = "{8A3B7C10-0000-4000-8000-000000000001}"
    personne = "{5C1D2E3F-0000-4000-8000-0000000000AA}"
    ancien = (
        "[Threaded comment]\n\nYour version of Excel allows you to read this threaded comment; however, any edits "
        "to it will get removed if the file is opened in a newer version of Excel. Learn more: "
        f"https://go.microsoft.com/fwlink/?linkid=870924\n\nComment:\n    {texte}"
    )
    rr.modifier(chemin, lambda wb: setattr(wb[d.FEUILLE_SAISIE][ref], "comment", Comment(ancien, f"tc={ident}")))
    partie = rr.partie_feuille(chemin)
    rels = partie.replace("worksheets/", "worksheets/_rels/") + ".rels"
    fils = (
        f'<threadedComment ref="{ref}" dT="2024-01-15T10:00:00.00" personId="{personne}" id="{ident}">'
        f"<text>{texte}</text></threadedComment>"
    )
    if reponse:
        fils += (
            f'<threadedComment ref="{ref}" dT="2024-01-15T11:00:00.00" personId="{personne}" '
            f'id="{{8A3B7C10-0000-4000-8000-000000000002}}" parentId="{ident}"><text>{reponse[1]}</text></threadedComment>'
        ).replace(f'dT="2024-01-15T11:00:00.00" personId="{personne}"', 'dT="2024-01-15T11:00:00.00" personId="{P2}"')
    autre = (
        f'<person displayName="{reponse[0]}" id="{{P2}}" userId="{reponse[0]}" providerId="None"/>' if reponse else ""
    )
    membres = {
        "xl/threadedComments/threadedComment1.xml": f'<?xml version="1.0" encoding="UTF-8"?><ThreadedComments xmlns="{_NS_FIL}">{fils}</ThreadedComments>',
        "xl/persons/person.xml": (
            f'<?xml version="1.0" encoding="UTF-8"?><personList xmlns="{_NS_FIL}"><person displayName="{auteur}" '
            f'id="{personne}" userId="{auteur}" providerId="None"/>{autre}</personList>'
        ),
    }

    def changer(nom, donnees):
        if nom == rels:
            fil = f'<Relationship Id="rIdFil" Type="{_REL_FIL}" Target="../threadedComments/threadedComment1.xml"/>'
            return donnees.replace(b"</Relationships>", (fil + "</Relationships>").encode())
        if nom == "xl/_rels/workbook.xml.rels":
            return donnees.replace(
                b"</Relationships>",
                f'<Relationship Id="rIdPers" Type="{_REL_PERSONNE}" Target="persons/person.xml"/></Relationships>'.encode(),
            )
        if nom == "[Content_Types].xml":
            return donnees.replace(
                b"</Types>",
                b'<Override PartName="/xl/threadedComments/threadedComment1.xml" ContentType="application/vnd.ms-excel.'
                b'threadedcomments+xml"/><Override PartName="/xl/persons/person.xml" ContentType="application/vnd.'
                b'ms-excel.person+xml"/></Types>',
            )
        return donnees

    rr.reecrire_membres(chemin, changer)
    with zipfile.ZipFile(chemin, "a") as z:
        for nom, texte_xml in membres.items():
            z.writestr(nom, texte_xml)
    return chemin


def colonne_et_ligne_ajoutees(chemin: Path, annee: int = ANNEE) -> dict[str, str]:
    """Protection removed, a « Précisions » column inserted before the observations and filled on
    two rows, a blank row inserted after the first action with a sentence in it, a note beside
    the identity block. Returns {A1 ref: text written} (refs after the insertions)."""
    from openpyxl.utils import get_column_letter

    ecrits: dict[str, str] = {}

    def changer(wb):
        rr.sans_protection(wb)
        ws = wb[d.FEUILLE_SAISIE]
        entete = next(r for r in range(1, 30) if ws.cell(r, 1).value == d.CODE_ACTION)
        obs = next(c for c in range(1, 40) if ws.cell(entete, c).value == d.entete_observations(annee))
        ws.insert_cols(obs)
        lettre = get_column_letter(obs)
        ws.cell(entete, obs, "Précisions")
        ecrits[f"{lettre}{entete}"] = "Précisions"
        ws.insert_rows(entete + 2)
        for k, texte in ((1, "Chiffre provisoire, consolidé en mars"), (3, "Voir aussi le rapport d'activité")):
            ws.cell(entete + k, obs, texte)
            ecrits[f"{lettre}{entete + k}"] = texte
        ws.cell(entete + 2, 3, "Remarque générale : nouvelle convention signée avec le CIDFF")
        ecrits[f"C{entete + 2}"] = "Remarque générale : nouvelle convention signée avec le CIDFF"
        ws["F3"] = "Notre référente change au 1er avril"
        ecrits["F3"] = "Notre référente change au 1er avril"

    rr.modifier(chemin, changer)
    return ecrits


def cible_tapee_par_dessus(protocole, base: Path, dossier: Path, code: str, nom: str) -> tuple[Path, str, dict]:
    """ONLYOFFICE lets users type into locked cells: 14 typed over the target of an action whose
    value cell stays empty. Returns the file, the action and its refs."""
    action = rr.action_entiere(protocole, code)
    chemin = rr.retour(protocole, base, dossier, nom, code, maj={action: {"statut": "EFFECTUÉE", "valeurs": [None]}})
    refs = rr.cellules(chemin)[action]
    cible = refs["valeur"].rstrip("0123456789")
    cible_ref = f"{chr(ord(cible) - 1)}{refs['ligne']}"
    rr.reecrire_membres(
        chemin,
        lambda n, b: _remplacer_cellule(b, cible_ref, 14) if n == rr.partie_feuille(chemin) else b,
    )
    return chemin, action, {**refs, "cible": cible_ref}


def _remplacer_cellule(xml: bytes, ref: str, valeur: int) -> bytes:
    """The cell ref of a sheet part, its value replaced by a number (style and lock kept)."""
    import re

    motif = re.compile(rb'<c r="' + ref.encode() + rb'"([^>]*?)(/>|>.*?</c>)', re.S)

    def un(m):
        attributs = re.sub(rb'\s*t="[^"]*"', b"", m.group(1))
        return b'<c r="' + ref.encode() + b'"' + attributs + b"><v>" + str(valeur).encode() + b"</v></c>"

    nouveau, n = motif.subn(un, xml, count=1)
    assert n == 1, ref
    return nouveau


def feuille_ajoutee(chemin: Path, textes: dict[str, str]) -> Path:
    """A sheet « Notes » added by the pilot, with a few texts."""

    def changer(wb):
        ws = wb.create_sheet("Notes")
        for ref, t in textes.items():
            ws[ref] = t

    return rr.modifier(chemin, changer)


def notes_sur_les_chiffres_cles(chemin: Path) -> dict[str, str]:
    """A column « Source » added to the key-figure sheet, one source given, and a note below the
    table. Returns {A1 ref: text written}."""
    from openpyxl.utils import get_column_letter

    ecrits: dict[str, str] = {}

    def changer(wb):
        ws = wb[d.FEUILLE_CHIFFRES]
        ws.protection.sheet = False
        entete = next(r for r in range(1, 30) if ws.cell(r, 1).value == d.CODE_CHIFFRE)
        derniere = max(r for r in range(entete, ws.max_row + 1) if ws.cell(r, 1).value)
        lettre = get_column_letter(ws.max_column + 1)
        for ref, texte in (
            (f"{lettre}{entete}", "Source"),
            (f"{lettre}{entete + 1}", "Rapport annuel 2023 de l'accueil de jour"),
            (f"B{derniere + 2}", "Chiffres de décembre estimés"),
        ):
            ws[ref] = texte
            ecrits[ref] = texte

    rr.modifier(chemin, changer)
    return ecrits


# ---------------------------------------------------------------- Outlook .msg ([MS-OXMSG])


def _cfb_arbre(arbre: dict) -> bytes:
    """A Compound File (version 3) holding nested storages: arbre maps a name to bytes (a
    stream) or to a dict (a storage). Streams are padded to 4096 bytes (no mini stream); each
    storage's children are chained through their right-sibling pointers, as hostiles.cfb does."""
    entrees: list[list] = []  # [name, type, content, child index, right sibling index]

    def ajouter(noeud: dict) -> int:
        premiers = []
        for nom, contenu in noeud.items():
            k = len(entrees)
            entrees.append([nom, 1 if isinstance(contenu, dict) else 2, contenu, _LIBRE, _LIBRE])
            premiers.append(k)
        for a, b in zip(premiers, premiers[1:], strict=False):
            entrees[a][4] = b
        for k in premiers:
            if entrees[k][1] == 1:
                entrees[k][3] = ajouter(entrees[k][2]) if entrees[k][2] else _LIBRE
        return premiers[0] if premiers else _LIBRE

    entrees.append(["Root Entry", 5, {}, _LIBRE, _LIBRE])
    entrees[0][3] = ajouter(arbre)
    taille, fin = 512, 0xFFFFFFFE
    # Streams under 4096 bytes live in the mini stream (64-byte sectors), as Outlook writes them.
    flux_mini, minifat, debuts_mini = b"", [], {}
    for k, e in enumerate(entrees):
        if e[1] == 2 and 0 < len(e[2]) < 4096:
            n = math.ceil(len(e[2]) / 64)
            debuts_mini[k] = len(minifat)
            minifat += [len(minifat) + j + 1 for j in range(n - 1)] + [fin]
            flux_mini += e[2].ljust(n * 64, b"\0")
    grands = [e[2] if e[1] == 2 and len(e[2]) >= 4096 else b"" for e in entrees]
    secteurs = [math.ceil(len(c) / taille) for c in grands]
    nb_rep = math.ceil(len(entrees) * 128 / taille)
    nb_minifat = math.ceil(len(minifat) * 4 / taille)
    nb_racine = math.ceil(len(flux_mini) / taille)
    nb_fat = 1
    while nb_fat * (taille // 4) < nb_fat + nb_rep + nb_minifat + nb_racine + sum(secteurs):
        nb_fat += 1
    fat = [0xFFFFFFFD] * nb_fat

    def chaine(n: int) -> int:
        if n == 0:
            return fin
        debut = len(fat)
        fat.extend([debut + k + 1 for k in range(n - 1)] + [fin])
        return debut

    premier_rep = chaine(nb_rep)
    premier_minifat = chaine(nb_minifat)
    debut_racine = chaine(nb_racine)
    debuts = [chaine(n) for n in secteurs]
    fat += [_LIBRE] * (nb_fat * (taille // 4) - len(fat))
    rep = b""
    for k, (nom, typ, contenu, enfant, droite) in enumerate(entrees):
        n = (nom + "\0").encode("utf-16-le")
        if typ == 5:
            debut, longueur = debut_racine, len(flux_mini)
        elif typ == 1:
            debut, longueur = 0, 0
        else:
            debut, longueur = debuts_mini.get(k, debuts[k] if contenu else fin), len(contenu)
        rep += (
            n.ljust(64, b"\0")
            + struct.pack("<HBB", len(n), typ, 1)
            + struct.pack("<III", _LIBRE, droite, enfant)
            + bytes(36)
            + struct.pack("<IQ", debut, longueur)
        )
    rep = rep.ljust(nb_rep * taille, b"\0")
    entete = (
        b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"
        + bytes(16)
        + struct.pack("<HHHHH", 0x3E, 3, 0xFFFE, 9, 6)
        + bytes(6)
        + struct.pack("<IIIIIIIII", 0, nb_fat, premier_rep, 0, 4096, premier_minifat, nb_minifat, fin, 0)
        + struct.pack("<109I", *(list(range(nb_fat)) + [_LIBRE] * (109 - nb_fat)))
    )
    corps = struct.pack(f"<{len(fat)}I", *fat) + rep
    corps += struct.pack(f"<{len(minifat)}I", *minifat).ljust(nb_minifat * taille, b"\xff")
    corps += flux_mini.ljust(nb_racine * taille, b"\0")
    corps += b"".join(c.ljust(n * taille, b"\0") for c, n in zip(grands, secteurs, strict=True))
    return entete + corps


_LIBRE = 0xFFFFFFFF


def _proprietes(entete: bytes, valeurs: list[tuple[int, int]]) -> bytes:
    """A __properties_version1.0 stream: header, then fixed-size entries (tag, flags, value)."""
    return entete + b"".join(struct.pack("<IIQ", tag, 6, v) for tag, v in valeurs)


def message_outlook(pieces: dict[str, bytes], sortie: Path, sujet: str = "Bilan 2023") -> Path:
    """An Outlook message saved as .msg (File → Save As), the workbooks attached by value."""

    def utf16(t: str) -> bytes:
        return t.encode("utf-16-le")

    racine: dict = {
        "__substg1.0_001A001F": utf16("IPM.Note"),
        "__substg1.0_0037001F": utf16(sujet),
        "__substg1.0_1000001F": utf16("Veuillez trouver ci-joint notre bilan."),
        "__nameid_version1.0": {
            "__substg1.0_00020102": b"",
            "__substg1.0_00030102": b"",
            "__substg1.0_00040102": b"",
        },
    }
    for k, (nom, donnees) in enumerate(pieces.items()):
        racine[f"__attach_version1.0_#{k:08X}"] = {
            "__substg1.0_3707001F": utf16(nom),
            "__substg1.0_3704001F": utf16(nom[:8]),
            "__substg1.0_37010102": donnees,
            "__properties_version1.0": _proprietes(bytes(8), [(0x37050003, 1), (0x0E200003, len(donnees))]),
        }
    entete = struct.pack("<QIIIIQ", 0, 0, len(pieces), 0, len(pieces), 0)
    racine["__properties_version1.0"] = _proprietes(entete, [(0x0E070003, 0x10)])
    sortie.parent.mkdir(parents=True, exist_ok=True)
    sortie.write_bytes(_cfb_arbre(racine))
    return sortie
