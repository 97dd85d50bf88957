"""The ONLY module of the web page that reaches the library: the public API of the year
(vif38_bilan.cycle.annee), plus the few helpers the pages show (drop a file, state of the year).

The pages hold no logic of their own: each action is one of these calls.
"""

from __future__ import annotations

from vif38_bilan.espace.cloture import refuser_si_validee
from vif38_bilan.cycle import (
    NOM_CONSOLIDATION,
    Espace,
    SortiesBilan,
    controler_annee,
    lire_historique_annee,
    nom_affichable,
    ouvrir_espace,
    preparer_courriels,
    produire_bilan,
    produire_gabarits,
    produire_historique_vierge,
)
from vif38_bilan.saisies.depot import deposer_historique, deposer_retour
from vif38_bilan.espace.reglages import lire_date
from vif38_bilan.cycle import TYPES_COURRIELS, etat_annee
from vif38_bilan.lecture.examen import TAILLE_MAX
from vif38_bilan.exceptions import EspaceVerrouille, FichierRefuse, Vif38Error
from vif38_bilan.controle.rapport import chemin_annote

__all__ = [
    "TAILLE_MAX",
    "TYPES_COURRIELS",
    "Espace",
    "EspaceVerrouille",
    "FichierRefuse",
    "SortiesBilan",
    "Vif38Error",
    "chemin_annote",
    "controler_annee",
    "deposer_historique",
    "deposer_retour",
    "etat_annee",
    "lire_date",
    "lire_historique_annee",
    "nom_affichable",
    "nom_consolidation",
    "ouvrir_espace",
    "preparer_courriels",
    "produire_bilan",
    "produire_gabarits",
    "produire_historique_vierge",
    "refuser_si_validee",
]


def nom_consolidation(annee: int) -> str:
    """consolidation-AAAA.xlsx: the year's consolidation, read back as history by the next years."""
    return NOM_CONSOLIDATION.format(annee=annee)
