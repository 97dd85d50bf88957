"""The ONLY module of the web page that reaches the library: the cycle's door (vif38_bilan.cycle)
and a few package-level names the pages show. The pages hold no logic of their own: each action is
one of these calls.
"""

from __future__ import annotations

from vif38_bilan.commun import nom_affichable, sans_bidi, taille
from vif38_bilan.controle import chemin_annote
from vif38_bilan.cycle import (
    desaccords_ouverts,
    nom_sans_donnees,
    TAILLE_DEPOT_MAX,
    TYPES_COURRIELS,
    Espace,
    SortiesBilan,
    controler_annee,
    deposer_historique,
    deposer_retours,
    entrees_controle,
    etat_annee,
    lire_historique_annee,
    ouvrir_espace,
    preparer_courriels,
    produire_bilan,
    produire_gabarits,
    produire_historique_vierge,
    rouvrir_annee,
)
from vif38_bilan.cycle import Arbitrage, arbitrer, lire_arbitrages_espace, retirer_arbitrage
from vif38_bilan.espace import lire_date, nom_consolidation, nom_points
from vif38_bilan.exceptions import EspaceVerrouille, FichierRefuse, Vif38Error

__all__ = [
    "Arbitrage",
    "TAILLE_DEPOT_MAX",
    "arbitrer",
    "lire_arbitrages_espace",
    "retirer_arbitrage",
    "TYPES_COURRIELS",
    "Espace",
    "EspaceVerrouille",
    "FichierRefuse",
    "SortiesBilan",
    "Vif38Error",
    "chemin_annote",
    "controler_annee",
    "deposer_historique",
    "deposer_retours",
    "desaccords_ouverts",
    "entrees_controle",
    "etat_annee",
    "lire_date",
    "lire_historique_annee",
    "nom_affichable",
    "nom_sans_donnees",
    "nom_consolidation",
    "nom_points",
    "ouvrir_espace",
    "preparer_courriels",
    "produire_bilan",
    "produire_gabarits",
    "produire_historique_vierge",
    "rouvrir_annee",
    "sans_bidi",
    "taille",
]
