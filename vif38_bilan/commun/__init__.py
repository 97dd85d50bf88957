"""Foundation shared by every stage: atomic writing and the workspace lock (ecriture), French
numbers and sizes (nombres), text cleaning and cutting (textes), streamed xlsx writing (classeur_flux),
hand-edited TOML in French (toml_fr), lazy package-level names (paresseux) ·
sans_numpy (openpyxl loads without numpy)."""

from vif38_bilan.commun.paresseux import exports

# What the faces show as the library writes it (sizes, figures, names).
_NOMS = {
    "nombre": "nombres",
    "taille": "nombres",
    "nom_affichable": "textes",
    "sans_bidi": "textes",
    "nature_erreur": "textes",
}

__getattr__ = exports(__name__, _NOMS)
__all__ = sorted(_NOMS)
