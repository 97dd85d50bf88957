"""Foundation: the workspace. reglages (folders, vif38.toml settings, French checks) · fichiers
(the names of every file and folder it holds) · cloture (freezing a signed year: fingerprints,
log, reopening)."""

from vif38_bilan.commun.paresseux import exports

_NOMS = {
    "CLES_CONFIG": "reglages",
    "DOSSIERS": "reglages",
    "FICHIER_CONTACTS": "fichiers",
    "SERVICE_PAR_DEFAUT": "reglages",
    "lire_adresse": "reglages",
    "lire_date": "reglages",
    "message_introuvable": "reglages",
    "trouver_racine": "reglages",
    "verifier_reglages": "reglages",
    "FICHIER_CONFIG": "fichiers",
    "FICHIER_MODELE": "fichiers",
    "DOSSIER_ANNOTES": "fichiers",
    "nom_consolidation": "fichiers",
    "nom_gabarit": "fichiers",
    "nom_points": "fichiers",
}

__getattr__ = exports(__name__, _NOMS)
__all__ = sorted(_NOMS)
