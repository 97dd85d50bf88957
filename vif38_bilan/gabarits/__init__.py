"""Stage 2, the collection workbooks. disposition (the layout contract read back by saisies) ·
generation (one protected workbook per pilot) · forme (styles, protection, drop-downs, row heights)
· mode_emploi (the instructions sheet) · chiffres_cles (the key-figure sheet) · remplissage
(filling a workbook by program: tests, demo, benchmark)."""

from vif38_bilan.commun.paresseux import exports

_NOMS = {
    "enregistrer": "generation",
    "generer_gabarits": "generation",
    "resoudre_pilotes": "generation",
    "chiffres_inventes": "remplissage",
    "identite_inventee": "remplissage",
    "remplir_classeur": "remplissage",
    "remplir_gabarit": "remplissage",
    "reponses_inventees": "remplissage",
}

__getattr__ = exports(__name__, _NOMS)
__all__ = sorted(_NOMS)
