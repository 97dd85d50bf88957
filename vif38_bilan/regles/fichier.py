"""Rules about a file found under the returns folder, before its cells are read: format, size, hostile
content, encryption, reading limits, returns as real offices make them."""

from __future__ import annotations

from vif38_bilan.regles.anomalies import AVERTISSEMENT as A
from vif38_bilan.regles.anomalies import ERREUR as E
from vif38_bilan.regles.anomalies import regle

RENVOYER = "Demander au pilote de renvoyer le classeur de collecte reçu, enregistré en .xlsx."

# Files under the returns folder.
# Issue 25: also a document recognised by its content (PDF, Word, image, text), whatever its name,
# so that a PDF named .pdf or .xlsx gets the same severity.
FICHIER_ECARTE = regle(
    "fichier_ecarte",
    A,
    "Fichier mis de côté",
    "Ignoré : {raison}.",
    "Vérifier s'il s'agit d'une réponse mal envoyée (PDF, document Word, lien) ; sinon retirer le fichier du dossier.",
)
FICHIER_REFUSE = regle(
    "fichier_refuse",
    E,
    "Classeur illisible",
    "{motif}",
    "Demander au pilote de réenregistrer le classeur (Excel ou LibreOffice) et de le renvoyer.",
)
FICHIER_ILLISIBLE = regle(
    "fichier_illisible",
    E,
    "Erreur inattendue à la lecture",
    "Ce fichier n'a pas pu être lu (erreur inattendue : {type}) : ouvrez-le, enregistrez-le de nouveau au format "
    ".xlsx et déposez-le à la place ; si cela persiste, signalez-le à l'équipe vif38-bilan.",
    "Réenregistrer le fichier en .xlsx ; si cela persiste, le signaler à l'équipe vif38-bilan.",
)
ILLISIBLE = regle(
    "illisible",
    E,
    "Fichier inaccessible",
    "Le fichier ne peut pas être lu ({raison}) : {conseil}",
    "Fermer le fichier s'il est ouvert, attendre la fin d'une copie, vérifier les droits, puis relancer.",
)
FICHIER_VIDE = regle("fichier_vide", E, "Fichier vide", "Le fichier est vide (0 octet) : {renvoi}", RENVOYER)
FICHIER_TROP_GROS = regle(
    "fichier_trop_gros",
    E,
    "Fichier trop lourd",
    "Le fichier pèse {taille}, au-delà de la limite de {limite} : demandez au pilote de renvoyer le classeur seul, "
    "sans images, pièces jointes ni onglets ajoutés.",
    "Demander au pilote le classeur seul, sans images, pièces jointes ni onglets ajoutés.",
)
PAS_UN_CLASSEUR = regle(
    "pas_un_classeur", E, "Pas un classeur", "Ce n'est pas un classeur, c'est {quoi} renommé : {renvoi}", RENVOYER
)
FORMAT_NON_PRIS_EN_CHARGE = regle(
    "format_non_pris_en_charge",
    E,
    "Format non lu (.xlsb)",
    "Ce classeur est au format binaire Excel (.xlsb), que l'outil ne lit pas : ouvrez-le dans Excel et "
    "enregistrez-le au format .xlsx, ou demandez au pilote de le faire.",
    "Enregistrer le classeur au format .xlsx (ou le demander au pilote).",
)
MOT_DE_PASSE = regle(
    "mot_de_passe",
    E,
    "Protégé par un mot de passe",
    "Le fichier est protégé par un mot de passe : demandez au pilote de le renvoyer sans mot de passe.",
    "Demander au pilote de le renvoyer sans mot de passe.",
)
ETIQUETTE_PROTECTION = regle(
    "etiquette_protection",
    E,
    "Chiffré par une étiquette de confidentialité (IRM)",
    "Le classeur est chiffré par une étiquette de confidentialité Microsoft 365 (IRM), pas par un mot de passe : "
    "demandez au pilote de le renvoyer avec une étiquette qui ne protège pas le fichier.",
    "Demander au pilote de renvoyer le classeur avec une étiquette qui ne le protège pas (« Public », « Général »).",
)
FICHIER_ABIME = regle(
    "fichier_abime",
    E,
    "Fichier abîmé",
    "Le fichier est abîmé (archive incomplète ou incohérente) : demandez au pilote de le renvoyer.",
    "Demander au pilote de renvoyer le fichier.",
)
BOMBE_ZIP = regle(
    "bombe_zip",
    E,
    "Refusé par sécurité (bombe zip)",
    "Le fichier a été refusé par sécurité : une fois décompressé il occuperait {quoi}, ce qu'aucun classeur de "
    "collecte n'atteint (fichier piégé ou abîmé). Demandez au pilote de renvoyer le classeur reçu, sans rien y ajouter.",
    "Demander au pilote de renvoyer le classeur reçu, sans rien y ajouter.",
)
XML_DANGEREUX = regle(
    "xml_dangereux",
    E,
    "Refusé par sécurité (XML dangereux)",
    "Le fichier a été refusé par sécurité : contenu XML dangereux (entités, DOCTYPE) dans « {membre} ». "
    "Un classeur enregistré par Excel ou LibreOffice n'en contient jamais ; demandez au pilote de le renvoyer "
    "enregistré normalement depuis Excel ou LibreOffice.",
    "Demander au pilote de renvoyer le classeur enregistré normalement depuis Excel ou LibreOffice.",
)
MACROS = regle(
    "macros",
    A,
    "Classeur avec macros",
    "Le classeur contient des macros : elles ont été ignorées et ne sont jamais exécutées. "
    "Seules les valeurs saisies ont été lues.",
    "Rien à faire : les valeurs sont lues, les macros jamais exécutées.",
)

# Returns as real offices make them (issue 14).
VALEUR_LOINTAINE = regle(
    "valeur_lointaine",
    E,
    "Valeur saisie très loin du tableau",
    "Le classeur ne peut pas être lu : une valeur a été saisie très loin du tableau, en {cellule} : supprimez-la (sélectionnez la cellule, touche Suppr), enregistrez et renvoyez le fichier.",
    "Le pilote supprime la valeur à l'endroit indiqué, enregistre et renvoie le classeur.",
)
LECTURE_INTERROMPUE = regle(
    "lecture_interrompue",
    E,
    "Lecture interrompue",
    "{motif}",
    "Demander au pilote de supprimer ce qui se trouve hors du tableau et de renvoyer le classeur en .xlsx.",
)
EXPORT_CSV = regle(
    "export_csv",
    E,
    "Export CSV au lieu du classeur",
    "{motif}",
    "Demander au pilote le classeur de collecte lui-même, enregistré au format .xlsx.",
)
FEUILLE_COPIEE = regle(
    "feuille_copiee",
    A,
    "Réponses dans une copie de la feuille Saisie",
    "Les réponses ont été lues dans la feuille « {feuille} », copie de la feuille « {saisie} » restée vide : vérifiez-les ; la prochaine fois, remplissez directement la feuille « {saisie} ».",
    "Vérifier les réponses lues ; rappeler au pilote de remplir la feuille Saisie elle-même.",
)
FEUILLES_REMPLIES = regle(
    "feuilles_remplies",
    E,
    "Réponses dans deux feuilles",
    "Les feuilles {feuilles} contiennent toutes des réponses : gardez une seule feuille remplie (supprimez l'autre), enregistrez et renvoyez le classeur. Les réponses de ce fichier ne sont pas utilisées.",
    "Le pilote garde une seule feuille remplie et renvoie le classeur.",
)
CELLULES_FUSIONNEES = regle(
    "cellules_fusionnees",
    E,
    "Cellules fusionnées sur plusieurs actions",
    "Cellules fusionnées sur les actions {actions} ({plage}) : défusionnez et remplissez chaque ligne.",
    "Le pilote défusionne les cellules et remplit la ligne de chaque action.",
)
ORDRE_INCERTAIN = regle(
    "ordre_incertain",
    A,
    "Ordre des versions incertain",
    "Deux versions du retour de {qui} : « {garde} » (enregistré le {quand_garde:%d/%m/%Y à %H:%M}) et « {autre} » (le {quand_autre:%d/%m/%Y à %H:%M}, heures du fuseau {fuseau}). L'ordre est incertain : {raison}. « {garde} » est gardé, celui-ci n'est pas utilisé ; si c'est lui la bonne version, retirez « {garde} » du dossier et relancez la commande.",
    "Vérifier quelle version est la bonne ; retirer l'autre du dossier puis relancer.",
)
FORMULE_EN_ERREUR = regle(
    "formule_en_erreur",
    E,
    "Formule en erreur",
    "La cellule affiche {erreur} (formule en erreur) : remplacez la formule par la valeur elle-même (tapez le nombre ou le texte).",
    "Le pilote remplace la formule en erreur par la valeur.",
)

__all__ = [
    "FICHIER_ECARTE",
    "FICHIER_REFUSE",
    "FICHIER_ILLISIBLE",
    "ILLISIBLE",
    "FICHIER_VIDE",
    "FICHIER_TROP_GROS",
    "PAS_UN_CLASSEUR",
    "FORMAT_NON_PRIS_EN_CHARGE",
    "MOT_DE_PASSE",
    "ETIQUETTE_PROTECTION",
    "FICHIER_ABIME",
    "BOMBE_ZIP",
    "XML_DANGEREUX",
    "MACROS",
    "VALEUR_LOINTAINE",
    "LECTURE_INTERROMPUE",
    "EXPORT_CSV",
    "FEUILLE_COPIEE",
    "FEUILLES_REMPLIES",
    "CELLULES_FUSIONNEES",
    "ORDRE_INCERTAIN",
    "FORMULE_EN_ERREUR",
]
