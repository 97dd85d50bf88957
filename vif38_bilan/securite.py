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
