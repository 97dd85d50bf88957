"""Lists the returns folder: the files to read, and the ones set aside with a French reason."""

from __future__ import annotations

import os
import re
import stat
import unicodedata
from pathlib import Path

from vif38_bilan.lecture.securite import raison_os

EXTENSIONS_CLASSEURS = (".xlsx", ".xlsm", ".ods", ".xls")

# Office, LibreOffice and system leftovers: never a return.
_TEMPORAIRES = re.compile(r"^(~\$|\.~lock\.|~wrl\d*.*\.tmp$|\.)|^(thumbs\.db|desktop\.ini)$", re.IGNORECASE)


def lister_saisies(dossier: Path) -> tuple[list[Path], list[tuple[Path, str]]]:
    """Files to read under dossier (sub-folders included), and the ones set aside with a reason.

    Every other file is read whatever its name or extension (issue 25: a return saved without
    extension, under an undecoded MIME name, or inside a winmail.dat is recognised by content).
    Symbolic links are never followed (a link to a file inside the folder would count it twice,
    one outside would read a file that is not a return); special files, hidden and temporary
    files are set aside. Sorted by relative path, case-insensitively, so every run sees the
    same order.
    """
    dossier = Path(dossier)
    a_lire: list[Path] = []
    ecartes: list[tuple[Path, str]] = []
    if not dossier.is_dir():
        return a_lire, ecartes
    racine = dossier.resolve()

    def illisible(e: OSError) -> None:
        ecartes.append((Path(e.filename or dossier), f"dossier illisible ({raison_os(e)})"))

    # Windows junctions are not symbolic links for os.walk: a folder already visited, or one
    # that resolves outside, is not entered (no loop, nothing read from elsewhere).
    vus = {_identite_dossier(dossier)}
    for courant, sous_dossiers, fichiers in os.walk(dossier, followlinks=False, onerror=illisible):
        base = Path(courant)
        gardes = []
        for nom in sous_dossiers:
            chemin = base / nom
            if os.path.islink(chemin):
                ecartes.append((chemin, _raison_lien(chemin, racine)))
            elif nom.startswith(".") or nom == "__MACOSX":
                ecartes.append((chemin, "dossier caché ou technique : son contenu n'est pas lu"))
            elif not Path(os.path.realpath(chemin)).is_relative_to(racine):
                ecartes.append((chemin, "jonction vers un dossier hors du dossier des saisies : non suivie"))
            elif _identite_dossier(chemin) in vus:
                ecartes.append((chemin, "dossier déjà parcouru (jonction ou lien) : non suivi"))
            else:
                vus.add(_identite_dossier(chemin))
                gardes.append(nom)
        sous_dossiers[:] = sorted(gardes)
        for nom in fichiers:
            chemin = base / nom
            raison = _raison_ecart(chemin, nom, racine)
            if raison:
                ecartes.append((chemin, raison))
            else:
                a_lire.append(chemin)

    def cle(p: Path) -> tuple:
        rel = p.relative_to(dossier).parts
        return tuple(unicodedata.normalize("NFC", x).casefold() for x in rel), rel

    return sorted(a_lire, key=cle), sorted(ecartes, key=lambda e: cle(e[0]))


def _identite_dossier(chemin: Path) -> tuple[int, int] | str:
    try:
        st = os.stat(chemin)
    except OSError:
        return str(chemin)
    return (st.st_dev, st.st_ino) if st.st_ino else os.path.normcase(os.path.realpath(chemin))


def _raison_lien(chemin: Path, racine: Path) -> str:
    try:
        cible = chemin.resolve(strict=True)
    except (OSError, RuntimeError):
        return "lien symbolique cassé ou en boucle : non suivi"
    if cible.is_relative_to(racine):
        return "lien symbolique vers un élément déjà présent dans le dossier des saisies : non suivi (il serait lu deux fois)"
    return "lien symbolique vers un élément hors du dossier des saisies : non suivi"


def _raison_ecart(chemin: Path, nom: str, racine: Path) -> str | None:
    if os.path.islink(chemin):
        return _raison_lien(chemin, racine)
    if _TEMPORAIRES.search(nom):
        return "fichier temporaire, de verrouillage ou caché (Excel, LibreOffice, système)"
    try:
        mode = os.lstat(chemin).st_mode
    except OSError as e:
        return f"fichier illisible ({raison_os(e)})"
    if not stat.S_ISREG(mode):
        return "ce n'est pas un fichier ordinaire"
    return None
