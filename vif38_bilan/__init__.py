"""vif38-bilan: the yearly bilan of a departmental action plan, from Excel returns to Word.

The public API chains the year once (vif38_bilan.cycle.annee); the CLI, the demo, the web page and the
benchmark all go through it:

    espace = ouvrir_espace(".")
    produire_gabarits(espace, 2023)
    resultat = controler_annee(espace, 2023)
    sorties = produire_bilan(espace, 2023, resultat=resultat)
    preparer_courriels(espace, 2023, "correction", resultat=resultat)
    valider_annee(espace, 2023)          # once signed: the year's files are frozen
"""

from vif38_bilan.commun.paresseux import exports
from vif38_bilan.commun import sans_numpy as _sans_numpy
from vif38_bilan.exceptions import EspaceIntrouvable as EspaceIntrouvable
from vif38_bilan.exceptions import ReferentielInvalide as ReferentielInvalide
from vif38_bilan.exceptions import Vif38Error as Vif38Error

_sans_numpy.installer()  # openpyxl never loads numpy here (commun/sans_numpy.py)

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
}
_VALIDATION = {"rouvrir_annee", "valider_annee", "verifier_validation"}
_IMPORTS = {"importer_bilan_word", "importer_referentiel_word"}
_ANOMALIES = {"Anomalie", "CATALOGUE", "Etat", "Gravite", "Regle"}
_RESULTATS = {"ResultatControle"}
_REFERENTIEL = {"Action", "Indicateur", "Objectif", "Protocole", "charger_protocole", "vers_dict"}


_MODULES = {
    "cycle": _CYCLE | _VALIDATION | _IMPORTS,
    "regles": _ANOMALIES,
    "controle.resultats": _RESULTATS,
    "referentiel": _REFERENTIEL,
}


__getattr__ = exports(__name__, {nom: module for module, noms in _MODULES.items() for nom in noms})


# The public names: the three errors and the lazy tables above, each listed once.
__all__ = sorted({"EspaceIntrouvable", "ReferentielInvalide", "Vif38Error"}.union(*_MODULES.values()))
