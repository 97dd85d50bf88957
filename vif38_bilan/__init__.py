"""vif38-bilan: the yearly bilan of a departmental action plan, from Excel returns to Word.

The public API chains the year once (vif38_bilan.cycle); the CLI, the demo, the web page and the
benchmark all go through it:

    espace = ouvrir_espace(".")
    produire_gabarits(espace, 2023)
    resultat = controler_annee(espace, 2023)
    sorties = produire_bilan(espace, 2023, resultat=resultat)
    preparer_courriels(espace, 2023, "correction", resultat=resultat)
    valider_annee(espace, 2023)          # once signed: the year's files are frozen
"""

from vif38_bilan.exceptions import EspaceIntrouvable, ReferentielInvalide, Vif38Error

# The steps are re-exported lazily (PEP 562): `vif38-bilan --help` must not pay for openpyxl.
_CYCLE = {
    "Espace",
    "SortiesBilan",
    "controler_annee",
    "creer_espace",
    "lire_historique_annee",
    "ouvrir_espace",
    "preparer_courriels",
    "produire_bilan",
    "produire_gabarits",
    "produire_historique_vierge",
    "rouvrir_annee",
    "valider_annee",
    "verifier_validation",
}
_IMPORTS = {"importer_bilan_word", "importer_referentiel_word"}
_ANOMALIES = {"Anomalie", "CATALOGUE", "Etat", "Gravite", "Regle", "ResultatControle"}
_REFERENTIEL = {"Action", "Indicateur", "Objectif", "Protocole", "charger_protocole", "vers_dict"}


def __getattr__(nom: str):
    if nom in _IMPORTS:
        from vif38_bilan import import_word

        return getattr(import_word, nom)
    if nom in _CYCLE:
        from vif38_bilan import cycle

        return getattr(cycle, nom)
    if nom in _ANOMALIES:
        from vif38_bilan import anomalies

        return getattr(anomalies, nom)
    if nom in _REFERENTIEL:
        from vif38_bilan import referentiel

        return getattr(referentiel, nom)
    raise AttributeError(f"module 'vif38_bilan' has no attribute {nom!r}")


__all__ = [
    "CATALOGUE",
    "Action",
    "Anomalie",
    "Espace",
    "EspaceIntrouvable",
    "Etat",
    "Gravite",
    "Indicateur",
    "Objectif",
    "Protocole",
    "ReferentielInvalide",
    "Regle",
    "ResultatControle",
    "SortiesBilan",
    "Vif38Error",
    "charger_protocole",
    "controler_annee",
    "creer_espace",
    "importer_bilan_word",
    "importer_referentiel_word",
    "lire_historique_annee",
    "ouvrir_espace",
    "preparer_courriels",
    "produire_bilan",
    "produire_gabarits",
    "produire_historique_vierge",
    "rouvrir_annee",
    "valider_annee",
    "verifier_validation",
    "vers_dict",
]
