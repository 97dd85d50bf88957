"""The rules of the key-figure sheet (chiffres clés), declared into the catalogue by anomalies.py.

Plain data, no import: (id, severity, title, message template, what to do). The sheet's values go
through the indicators' rules (nombre_invalide, nombre_avec_unite, valeur_atypique).
"""

REGLES_CHIFFRES: tuple[tuple[str, str, str, str, str], ...] = (
    (
        "chiffres_introuvables",
        "erreur",
        "Feuille des chiffres clés introuvable",
        "La feuille « {feuille} » (colonne « {colonne} ») est introuvable : les chiffres clés ne peuvent pas être "
        "lus. Reprenez le classeur envoyé, sans renommer ni supprimer de feuille, et recopiez-y vos réponses.",
        "Le pilote remplit la feuille « Chiffres clés » du classeur envoyé.",
    ),
    (
        "chiffre_manquant",
        "erreur",
        "Ligne de chiffre clé supprimée",
        "La ligne du chiffre clé « {libelle} » ({code}) a disparu : ne supprimez aucune ligne ; reprenez le "
        "classeur envoyé ou rétablissez la ligne, puis remplissez-la.",
        "Le pilote rétablit la ligne du chiffre clé et la remplit.",
    ),
    (
        "chiffre_ignore",
        "avertissement",
        "Ligne de chiffre clé ignorée",
        "La ligne « {code} » {raison} : elle est ignorée. Une précision va dans les observations de la feuille "
        "« Saisie ».",
        "Rien à corriger si la valeur attendue est sur sa propre ligne ; sinon la demander au pilote.",
    ),
    (
        "chiffre_non_renseigne",
        "avertissement",
        "Chiffre clé non renseigné",
        "Le chiffre clé « {libelle} » est vide pour {annee} : le bilan indiquera « non renseigné ». Saisissez la "
        "valeur si elle est connue (0 s'il n'y en a eu aucun).",
        "Demander la valeur au pilote, ou laisser « non renseigné » si elle n'est pas connue.",
    ),
)
