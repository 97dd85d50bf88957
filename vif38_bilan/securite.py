"""Checks an input file before any parser touches it (hostile and broken attachments)."""

from __future__ import annotations

from pathlib import Path

from vif38_bilan.exceptions import FichierRefuse

TAILLE_MAX = 20 * 1024 * 1024

ZIP = b"PK\x03\x04"
OLE = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"


def verifier_fichier(chemin: Path, taille_max: int = TAILLE_MAX) -> str:
    """Return the detected format ("xlsx", "xlsm", "ods", "xls") or raise FichierRefuse."""
    taille = chemin.stat().st_size
    if taille == 0:
        raise FichierRefuse("Le fichier est vide : demandez au pilote de le renvoyer.")
    if taille > taille_max:
        raise FichierRefuse(
            f"Le fichier pèse {taille / 1e6:.0f} Mo, au-delà de la limite de {taille_max / 1e6:.0f} Mo : "
            "demandez au pilote de renvoyer le classeur seul, sans images ni pièces jointes."
        )
    with open(chemin, "rb") as f:
        tete = f.read(8)
    if tete.startswith(ZIP):
        suffixe = chemin.suffix.lower()
        return {".xlsm": "xlsm", ".ods": "ods"}.get(suffixe, "xlsx")
    if tete == OLE:
        return "xls"
    raise FichierRefuse("Ce fichier n'est pas un classeur Excel ou LibreOffice : demandez au pilote de renvoyer le classeur reçu.")


EXTENSIONS_CLASSEURS = (".xlsx", ".xlsm", ".ods", ".xls")


def lister_saisies(dossier: Path) -> tuple[list[Path], list[tuple[Path, str]]]:
    """Files to read under dossier (sub-folders included), and the ones set aside with a reason.

    Sorted by relative path so that every run sees the same order.
    """
    dossier = Path(dossier)
    racine = dossier.resolve()
    a_lire: list[Path] = []
    ecartes: list[tuple[Path, str]] = []
    for chemin in sorted(dossier.rglob("*"), key=lambda p: str(p.relative_to(dossier)).lower()):
        if chemin.is_dir():
            continue
        nom = chemin.name
        if chemin.is_symlink():
            cible = chemin.resolve()
            if not cible.is_relative_to(racine):
                ecartes.append((chemin, "lien vers un fichier hors du dossier des saisies : non suivi"))
                continue
        if nom.startswith(("~$", ".~lock")) or nom.startswith("."):
            ecartes.append((chemin, "fichier temporaire ou caché (Excel/LibreOffice) : ignoré"))
            continue
        if chemin.suffix.lower() not in EXTENSIONS_CLASSEURS:
            ecartes.append((chemin, "ce n'est pas un classeur (.xlsx, .xlsm, .ods, .xls) : ignoré"))
            continue
        a_lire.append(chemin)
    return a_lire, ecartes
