"""Rules about reading the history: the consolidation workbooks of earlier years (sorties/AAAA/)."""

from __future__ import annotations

from vif38_bilan.regles.anomalies import AVERTISSEMENT as A
from vif38_bilan.regles.anomalies import ERREUR as E
from vif38_bilan.regles.anomalies import regle

# Reading the history (consolidation workbooks of past years).
HISTORIQUE_ABSENT = regle(
    "historique_absent",
    A,
    "Année passée sans données",
    "Pas de données pour {annee} ({chemin} est absent) : la colonne {annee} du bilan restera vide.",
    "Lancer « vif38-bilan historique --annee AAAA », compléter le classeur produit, puis relancer le bilan.",
)
HISTORIQUE_ILLISIBLE = regle(
    "historique_illisible",
    E,
    "Classeur historique illisible",
    "Le classeur historique {chemin} est illisible ({type}) : ouvrez-le dans Excel ou LibreOffice et "
    "enregistrez-le au format .xlsx, ou recréez-le avec « vif38-bilan historique --annee {annee} --remplacer », "
    "puis relancez.",
    "Réenregistrer ou recréer le classeur historique, sans renommer feuilles ni en-têtes.",
)
HISTORIQUE = regle(
    "historique",
    A,
    "Remarque sur le classeur historique",
    "{detail}",
    "Vérifier le classeur historique à l'endroit indiqué.",
)
HISTORIQUE_ANNEE = regle(
    "historique_annee",
    E,
    "Classeur historique d'une autre année",
    "{chemin} est le classeur de l'année {lue}, pas de {annee} : remettez le bon fichier dans le dossier "
    "sorties/{annee}/.",
    "Remettre le bon fichier dans le dossier sorties/AAAA/.",
)
HISTORIQUE_PROTOCOLE = regle(
    "historique_protocole",
    E,
    "Classeur historique d'un autre protocole",
    "{chemin} appartient à un autre protocole (« {lu} ») : remettez le classeur de ce protocole.",
    "Remettre le classeur historique de ce protocole.",
)
HISTORIQUE_CODE = regle(
    "historique_code",
    A,
    "Code action inconnu dans l'historique",
    "Code action « {code} » inconnu en {cellule} : la ligne est ignorée.",
    "Corriger le code action dans le classeur historique.",
)
HISTORIQUE_DOUBLON = regle(
    "historique_doublon",
    A,
    "Action en double dans l'historique",
    "L'action {code} figure deux fois (ligne {ligne}) : seule la première ligne est lue.",
    "Garder une seule ligne par action dans le classeur historique.",
)
HISTORIQUE_VALIDE_MODIFIE = regle(
    "historique_valide_modifie",
    E,
    "Année validée modifiée depuis sa signature",
    "{chemin} a changé depuis la validation de {annee} le {date} : les chiffres repris pour {annee} ne sont plus "
    "ceux du bilan signé. Remettez le classeur signé (voir « vif38-bilan verifier --annee {annee} »), ou rouvrez "
    "l'année (« vif38-bilan valider --annee {annee} --rouvrir --motif … ») et refaites son bilan.",
    "Remettre le classeur de consolidation signé, ou rouvrir l'année et refaire son bilan.",
)
VALEUR_ILLISIBLE = regle(
    "valeur_illisible",
    E,
    "Valeur illisible dans l'historique",
    "Valeur illisible en {lieu} : {detail}",
    "Corriger la valeur dans le classeur historique.",
)
VALEUR_VARIANTE = regle(
    "valeur_variante",
    A,
    "Valeur de l'historique lue avec une tolérance",
    "En {lieu} : {detail}",
    "Vérifier la valeur lue dans le classeur historique.",
)

__all__ = [
    "HISTORIQUE_ABSENT",
    "HISTORIQUE_ILLISIBLE",
    "HISTORIQUE",
    "HISTORIQUE_ANNEE",
    "HISTORIQUE_PROTOCOLE",
    "HISTORIQUE_CODE",
    "HISTORIQUE_DOUBLON",
    "HISTORIQUE_VALIDE_MODIFIE",
    "VALEUR_ILLISIBLE",
    "VALEUR_VARIANTE",
]
