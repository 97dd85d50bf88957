"""The one door of the faces (cli, web, demo, benchmark): the year chained step by step.

ouverture: open or create a workspace · annee: produce the workbooks, check the returns · bilan:
consolidate, write the bilan and the working notes · courriels: prepare and send the e-mails ·
cloture: freeze a signed year, reopen it, verify it · etat: where a year stands and the next step ·
arbitrages: the agent's decisions on disputed figures · imports: Word documents in · depots: files
dropped in the browser, what a check reads · protocole: successive protocols, the end-of-protocol
bilan. Names load lazily (PEP 562): `vif38-bilan --help` imports none of the stages."""

from __future__ import annotations

from vif38_bilan.commun.paresseux import exports

_NOMS = {
    "DepotRetours": "depots",
    "TAILLE_DEPOT_MAX": "depots",
    "deposer_historique": "depots",
    "deposer_retours": "depots",
    "entrees_controle": "depots",
    "ECHEC": "courriels",
    "VARIABLE_MOT_DE_PASSE": "courriels",
    "envoyer_courriels": "courriels",
    "parametres_envoi": "courriels",
    "planifier_envoi": "courriels",
    "texte_envoi": "courriels",
    "texte_plan": "courriels",
    "texte_preparation": "courriels",
    "Gabarits": "annee",
    "ETAPES_BILAN": "bilan",
    "Espace": "ouverture",
    "SortiesBilan": "bilan",
    "controler_annee": "annee",
    "cout_donnees_personnelles": "annee",
    "nom_sans_donnees": "annee",
    "creer_espace": "ouverture",
    "fichiers_retours": "annee",
    "lire_historique_annee": "annee",
    "ouvrir_espace": "ouverture",
    "preparer_courriels": "courriels",
    "produire_bilan": "bilan",
    "produire_gabarits": "annee",
    "produire_historique_vierge": "annee",
    "Arbitrage": "arbitrages",
    "ArbitrageRefuse": "arbitrages",
    "arbitrer": "arbitrages",
    "chemin_arbitrages": "arbitrages",
    "lire_arbitrages_espace": "arbitrages",
    "retirer_arbitrage": "arbitrages",
    "Verification": "cloture",
    "rouvrir_annee": "cloture",
    "valider_annee": "cloture",
    "verifier_validation": "cloture",
    "Etape": "etat",
    "EtatAnnee": "etat",
    "Fichiers": "etat",
    "MANQUANT": "etat",
    "RetourPilote": "etat",
    "TYPES_COURRIELS": "etat",
    "DesaccordOuvert": "etat",
    "desaccords_ouverts": "etat",
    "etat_annee": "etat",
    "prochaine_etape": "etat",
    "importer_bilan_word": "imports",
    "importer_referentiel_word": "imports",
    "BilanProtocole": "protocole",
    "produire_bilan_protocole": "protocole",
}


__getattr__ = exports(__name__, _NOMS)

__all__ = sorted(_NOMS)
