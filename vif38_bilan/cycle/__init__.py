"""The one door of the faces (cli, web, demo, benchmark): the year chained step by step.

annee: open or create a workspace, produce the workbooks, check the returns, consolidate and write the
bilan, prepare and send the e-mails, deposit files from the browser · cloture: freeze a signed year,
reopen it, verify it · etat: where a year stands and the next step · imports: Word documents in.
Names load lazily (PEP 562): `vif38-bilan --help` imports none of the stages."""

from __future__ import annotations

import importlib

_NOMS = {
    "ETAPES_BILAN": "annee",
    "Espace": "annee",
    "NOM_BILAN": "annee",
    "NOM_CONSOLIDATION": "annee",
    "NOM_PDF": "annee",
    "SortiesBilan": "annee",
    "controler_annee": "annee",
    "cout_donnees_personnelles": "annee",
    "nom_affichable": "annee",
    "creer_espace": "annee",
    "fichiers_retours": "annee",
    "lire_historique_annee": "annee",
    "ouvrir_espace": "annee",
    "preparer_courriels": "annee",
    "produire_bilan": "annee",
    "produire_gabarits": "annee",
    "produire_historique_vierge": "annee",
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
    "etat_annee": "etat",
    "prochaine_etape": "etat",
    "importer_bilan_word": "imports",
    "importer_referentiel_word": "imports",
}


def __getattr__(nom: str):
    if nom in _NOMS:
        return getattr(importlib.import_module(f"vif38_bilan.cycle.{_NOMS[nom]}"), nom)
    raise AttributeError(f"module 'vif38_bilan.cycle' has no attribute {nom!r}")


__all__ = sorted(_NOMS)
