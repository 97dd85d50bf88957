"""Dropping received files into the workspace: safe base names, never an overwrite.

Used by the web page (files dropped in the browser); the bytes are saved as received, the
examination of their content is the check's job (securite.py, run by controler_annee).
"""

from __future__ import annotations

import os
import re
import shutil
from dataclasses import dataclass
from pathlib import Path

from vif38_bilan.commun import nombres
from vif38_bilan.commun.ecriture import ecrire_octets
from vif38_bilan.commun.textes import couper_octets, nom_affichable, sans_bidi
from vif38_bilan.exceptions import FichierRefuse
from vif38_bilan.lecture.examen import TAILLE_MAX
from vif38_bilan.lecture.securite import inspecter_octets, refuser_si_pas_un_classeur

NOM_PAR_DEFAUT = "retour"
# Bytes of a saved name in UTF-8, extension included: file systems count bytes (ext4: 255) or UTF-16
# units (NTFS: 255, never more than the UTF-8 bytes); room is left for " (9999)" and for Windows'
# 260-character paths of a workspace not too deep.
OCTETS_MAX = 200
# Characters Windows refuses in a file name, and the controls every system should refuse.
_INTERDITS = re.compile(r'[<>:"/\\|?*\x00-\x1f\x7f]')
# Names Windows reserves whatever the extension ("CON.xlsx" cannot be created there).
_RESERVES = {"CON", "PRN", "AUX", "NUL", *(f"COM{i}" for i in range(1, 10)), *(f"LPT{i}" for i in range(1, 10))}


@dataclass(frozen=True)
class Depot:
    """One file saved: the name it was sent with and where it now is."""

    nom_recu: str
    chemin: Path
    renomme: bool  # True when the safe name differs or a suffix was added


def nom_sur(nom: str) -> str:
    """The base name a received file is saved under: no folder, no traversal, no hidden file, no
    bidi control, at most OCTETS_MAX bytes in UTF-8 (cut in the stem, the extension kept).

    "C:\\Users\\x\\Bilan 2023.xlsx" → "Bilan 2023.xlsx"; "../../.bashrc" → "bashrc";
    "é" * 149 + ".xlsx" → 97 « é » + ".xlsx"; accents and spaces are kept (the check accepts any name).
    """
    nom = sans_bidi(str(nom or ""))  # NFC, no bidi override ("x\u202excod.xlsx" would show as "xxlsx.docx")
    nom = re.split(r"[/\\]", nom)[-1]  # a browser may send the client's full path (old Edge)
    nom = _INTERDITS.sub("_", nom).strip()
    nom = nom.lstrip(". ").rstrip(". ")  # no hidden file, no "..", no trailing dot (Windows drops it)
    racine, point, ext = nom.rpartition(".")
    if not point:
        racine, ext = nom, ""
    if len(ext) > 10 or not ext.isalnum():
        racine, ext = nom, ""
    reste = OCTETS_MAX - (len(ext.encode("utf-8")) + 1 if ext else 0)
    racine = couper_octets(racine, reste).rstrip(". ") or NOM_PAR_DEFAUT
    if racine.split(".")[0].upper() in _RESERVES:
        racine = f"{racine}_"
    return f"{racine}.{ext}" if ext else racine


def deposer_retour(dossier: str | Path, nom: str, donnees: bytes, taille_max: int = TAILLE_MAX) -> Depot:
    """Save donnees byte for byte in dossier under nom_sur(nom); "X (2).xlsx" when X.xlsx exists.

    Raises FichierRefuse (French message, nothing written) when the file is over taille_max, like
    the check, or is plainly not a workbook (PDF, Word, image, empty…: lecture.securite).
    """
    if len(donnees) > taille_max:
        raise FichierRefuse(
            f"« {nom_affichable(nom)} » pèse {nombres.taille(len(donnees))}, plus que les {nombres.taille(taille_max)} "
            "acceptés : il n'a pas été déposé. Un classeur de collecte pèse environ 50 Ko : demandez au pilote "
            "de renvoyer le classeur seul, sans images."
        )
    refuser_si_pas_un_classeur(donnees)
    dossier = Path(dossier)
    dossier.mkdir(parents=True, exist_ok=True)
    base = nom_sur(nom)
    racine, point, ext = base.rpartition(".")
    if not point:
        racine, ext = base, ""
    for n in range(1, 10_000):
        candidat = base if n == 1 else (f"{racine} ({n}).{ext}" if ext else f"{racine} ({n})")
        chemin = dossier / candidat
        try:
            # "x": exclusive creation, so two drops of the same name never overwrite each other.
            with open(chemin, "xb") as f:
                try:
                    f.write(donnees)
                    f.flush()
                    os.fsync(f.fileno())
                except BaseException:
                    f.close()
                    chemin.unlink(missing_ok=True)
                    raise
        except FileExistsError:
            continue
        return Depot(nom_recu=nom, chemin=chemin, renomme=candidat != nom)
    raise FichierRefuse(f"Trop de fichiers nommés « {base} » dans « {dossier.name} » : renommez-en quelques-uns.")


def deposer_historique(chemin: str | Path, donnees: bytes) -> tuple[Path, Path | None]:
    """Put a filled history workbook at chemin (sorties/AAAA/consolidation-AAAA.xlsx).

    The bytes get the same examination as a return first (FichierRefuse otherwise); a workbook
    already there is kept beside it as "consolidation-AAAA (avant dépôt N).xlsx", never lost.
    Returns (chemin, the kept previous workbook or None).
    """
    inspecter_octets(donnees)
    chemin = Path(chemin)
    ancien = None
    if chemin.exists():
        for n in range(1, 10_000):
            ancien = chemin.with_name(f"{chemin.stem} (avant dépôt {n}){chemin.suffix}")
            if not ancien.exists():
                break
        shutil.copy2(chemin, ancien)
    ecrire_octets(chemin, donnees)
    return chemin, ancien
