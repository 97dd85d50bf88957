"""Stage 4, the check of a year's returns. retours (one pass over all files) · verifications ·
verifications_chiffres (checks as generators of findings) · valeurs (value rules) ·
donnees_personnelles, barriere, langue, reconnaisseurs (the personal-data gate:
what each kind is, the gate every text passes, the French language model for names, the
check-digit and context recognisers) · resultats (the check's records) · rapport (control
workbook, annotated copies) · copie_ods (an .ods return's copy as .xlsx) · comptabilite (every non-empty cell and comment of a return
read or reported)."""

from vif38_bilan.commun.paresseux import exports

_NOMS = {
    "chemin_annote": "rapport",
    "texte_console": "rapport",
}

__getattr__ = exports(__name__, _NOMS)
__all__ = sorted(_NOMS)
