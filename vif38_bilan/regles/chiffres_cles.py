"""Rules of the key-figure sheet (chiffres clés) of a return. Its values go through the indicators'
rules (nombre_invalide, nombre_avec_unite, valeur_atypique)."""

from __future__ import annotations

from vif38_bilan.regles.anomalies import AVERTISSEMENT as A
from vif38_bilan.regles.anomalies import ERREUR as E
from vif38_bilan.regles.anomalies import regle

CHIFFRES_INTROUVABLES = regle(
    "chiffres_introuvables",
    E,
    "Feuille des chiffres clés introuvable",
    "La feuille « {feuille} » (colonne « {colonne} ») est introuvable : les chiffres clés ne peuvent pas être lus. Reprenez le classeur envoyé, sans renommer ni supprimer de feuille, et recopiez-y vos réponses.",
    "Le pilote remplit la feuille « Chiffres clés » du classeur envoyé.",
)
CHIFFRE_MANQUANT = regle(
    "chiffre_manquant",
    E,
    "Ligne de chiffre clé supprimée",
    "La ligne du chiffre clé « {libelle} » ({code}) a disparu : ne supprimez aucune ligne ; reprenez le classeur envoyé ou rétablissez la ligne, puis remplissez-la.",
    "Le pilote rétablit la ligne du chiffre clé et la remplit.",
)
CHIFFRE_IGNORE = regle(
    "chiffre_ignore",
    A,
    "Ligne de chiffre clé ignorée",
    "La ligne « {code} » {raison} : elle est ignorée. Une précision va dans les observations de la feuille « Saisie ».",
    "Rien à corriger si la valeur attendue est sur sa propre ligne ; sinon la demander au pilote.",
)
CHIFFRE_NON_RENSEIGNE = regle(
    "chiffre_non_renseigne",
    A,
    "Chiffre clé non renseigné",
    "Le chiffre clé « {libelle} » est vide pour {annee} : le bilan indiquera « non renseigné ». Saisissez la valeur si elle est connue (0 s'il n'y en a eu aucun).",
    "Demander la valeur au pilote, ou laisser « non renseigné » si elle n'est pas connue.",
)

__all__ = ["CHIFFRES_INTROUVABLES", "CHIFFRE_MANQUANT", "CHIFFRE_IGNORE", "CHIFFRE_NON_RENSEIGNE"]
