"""Stage 1, the protocol as data. protocole (the model) · chargement (loading and validation,
every fault at once) · classeur (the editable referential workbook) · embarque + data/ (Isère
2022–2024) · pilotes (pilot directory, aliases) · statuts (the six statuses) · agregation (how
several pilots' figures make one) · temporalite (flux, stock, ponctuel: how a figure behaves over time) · chiffres_cles (key-figure series) · cibles (targets stated in
the text) · import_word, import_word_parties, import_word_revue (a protocol's Word document → the
referential, its parts read one by one, the review sheet of what is missing) · protocoles (successive
protocols of one workspace, by period, and the actions carried on from one to the next)."""

from vif38_bilan.commun.paresseux import exports

_NOMS = {
    "Action": "protocole",
    "CHEF_DE_FILE": "protocole",
    "CO_PILOTE": "protocole",
    "Indicateur": "protocole",
    "Objectif": "protocole",
    "Protocole": "protocole",
    "resume": "protocole",
    "vers_dict": "protocole",
    "verifier_annee": "protocole",
    "charger_protocole": "chargement",
    "depuis_dict": "chargement",
    "ecrire_xlsx": "classeur",
    "lire_xlsx": "classeur",
    "compte_rendu": "import_word",
}

__getattr__ = exports(__name__, _NOMS)
__all__ = sorted(_NOMS)
