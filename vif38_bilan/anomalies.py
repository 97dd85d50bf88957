"""Findings of the check as data: the records, their severities and the catalogue of rules.

Every kind of finding is declared once here (id, severity, title, message template, what to do),
the way frictionless-py declares its errors: checks (`verifications.py`, `controle.py`, the
examination in `securite.py`, the history reading) refer to these `Regle` constants, never to a
loose rule id, and `Anomalie` refuses an id that is not in the catalogue. Rendering modules
(report workbook, Word, e-mails) import the records from here without importing the check.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass
from enum import StrEnum
from typing import Any

from vif38_bilan.anomalies_chiffres import REGLES_CHIFFRES


class Gravite(StrEnum):
    ERREUR = "erreur"  # the answer is not used until corrected
    AVERTISSEMENT = "avertissement"  # used as read, worth a look


class Etat(StrEnum):
    """What became of a file found under the returns folder."""

    VALIDE = "valide"
    A_CORRIGER = "à corriger"
    REMPLACE = "remplacé"
    IGNORE = "ignoré"


ERREUR = Gravite.ERREUR
AVERTISSEMENT = Gravite.AVERTISSEMENT
VALIDE = Etat.VALIDE
A_CORRIGER = Etat.A_CORRIGER
REMPLACE = Etat.REMPLACE
IGNORE = Etat.IGNORE


# ---------------------------------------------------------------- the catalogue


@dataclass(frozen=True)
class Regle:
    """One kind of finding. message: French template whose {fields} the check fills (checks that
    word several variants of a finding, e.g. the file examination, pass their own text)."""

    id: str
    gravite: Gravite
    titre: str
    message: str
    action: str  # what the pilot or the agent should do, in French

    def texte(self, **champs: Any) -> str:
        return self.message.format(**champs)


CATALOGUE: list[Regle] = []


def _regle(id: str, gravite: Gravite, titre: str, message: str, action: str) -> Regle:
    r = Regle(id, gravite, titre, message, action)
    CATALOGUE.append(r)
    return r


E, A = ERREUR, AVERTISSEMENT
_RENVOYER = "Demander au pilote de renvoyer le classeur de collecte reçu, enregistré en .xlsx."

# Files under the returns folder.
FICHIER_ECARTE = _regle("fichier_ecarte", A, "Fichier mis de côté", "Ignoré : {raison}.", "Vérifier s'il s'agit d'une réponse mal envoyée (PDF, document Word, lien) ; sinon retirer le fichier du dossier.")  # fmt: skip
FICHIER_REFUSE = _regle("fichier_refuse", E, "Classeur illisible", "{motif}", "Demander au pilote de réenregistrer le classeur (Excel ou LibreOffice) et de le renvoyer.")  # fmt: skip
FICHIER_ILLISIBLE = _regle(
    "fichier_illisible", E, "Erreur inattendue à la lecture",
    "Ce fichier n'a pas pu être lu (erreur inattendue : {type}) : ouvrez-le, enregistrez-le de nouveau au format "
    ".xlsx et déposez-le à la place ; si cela persiste, signalez-le à l'équipe vif38-bilan.",
    "Réenregistrer le fichier en .xlsx ; si cela persiste, le signaler à l'équipe vif38-bilan.",
)  # fmt: skip
ILLISIBLE = _regle("illisible", E, "Fichier inaccessible", "Le fichier ne peut pas être lu ({raison}) : {conseil}", "Fermer le fichier s'il est ouvert, attendre la fin d'une copie, vérifier les droits, puis relancer.")  # fmt: skip
FICHIER_VIDE = _regle("fichier_vide", E, "Fichier vide", "Le fichier est vide (0 octet) : {renvoi}", _RENVOYER)
FICHIER_TROP_GROS = _regle(
    "fichier_trop_gros", E, "Fichier trop lourd",
    "Le fichier pèse {taille}, au-delà de la limite de {limite} : demandez au pilote de renvoyer le classeur seul, "
    "sans images, pièces jointes ni onglets ajoutés.",
    "Demander au pilote le classeur seul, sans images, pièces jointes ni onglets ajoutés.",
)  # fmt: skip
PAS_UN_CLASSEUR = _regle(
    "pas_un_classeur", E, "Pas un classeur", "Ce n'est pas un classeur, c'est {quoi} renommé : {renvoi}", _RENVOYER
)
FORMAT_NON_PRIS_EN_CHARGE = _regle(
    "format_non_pris_en_charge", E, "Format non lu (.xlsb)",
    "Ce classeur est au format binaire Excel (.xlsb), que l'outil ne lit pas : ouvrez-le dans Excel et "
    "enregistrez-le au format .xlsx, ou demandez au pilote de le faire.",
    "Enregistrer le classeur au format .xlsx (ou le demander au pilote).",
)  # fmt: skip
MOT_DE_PASSE = _regle("mot_de_passe", E, "Protégé par un mot de passe", "Le fichier est protégé par un mot de passe : demandez au pilote de le renvoyer sans mot de passe.", "Demander au pilote de le renvoyer sans mot de passe.")  # fmt: skip
FICHIER_ABIME = _regle("fichier_abime", E, "Fichier abîmé", "Le fichier est abîmé (archive incomplète ou incohérente) : demandez au pilote de le renvoyer.", "Demander au pilote de renvoyer le fichier.")  # fmt: skip
BOMBE_ZIP = _regle(
    "bombe_zip", E, "Refusé par sécurité (bombe zip)",
    "Le fichier a été refusé par sécurité : une fois décompressé il occuperait {quoi}, ce qu'aucun classeur de "
    "collecte n'atteint (fichier piégé ou abîmé). Demandez au pilote de renvoyer le classeur reçu, sans rien y ajouter.",
    "Demander au pilote de renvoyer le classeur reçu, sans rien y ajouter.",
)  # fmt: skip
XML_DANGEREUX = _regle(
    "xml_dangereux", E, "Refusé par sécurité (XML dangereux)",
    "Le fichier a été refusé par sécurité : contenu XML dangereux (entités, DOCTYPE) dans « {membre} ». "
    "Un classeur enregistré par Excel ou LibreOffice n'en contient jamais ; demandez au pilote de le renvoyer "
    "enregistré normalement depuis Excel ou LibreOffice.",
    "Demander au pilote de renvoyer le classeur enregistré normalement depuis Excel ou LibreOffice.",
)  # fmt: skip
MACROS = _regle(
    "macros", A, "Classeur avec macros",
    "Le classeur contient des macros : elles ont été ignorées et ne sont jamais exécutées. "
    "Seules les valeurs saisies ont été lues.",
    "Rien à faire : les valeurs sont lues, les macros jamais exécutées.",
)  # fmt: skip

# Returns as real offices make them (issue 14).
VALEUR_LOINTAINE = _regle("valeur_lointaine", E, "Valeur saisie très loin du tableau", "Le classeur ne peut pas être lu : une valeur a été saisie très loin du tableau, en {cellule} : supprimez-la (sélectionnez la cellule, touche Suppr), enregistrez et renvoyez le fichier.", "Le pilote supprime la valeur à l'endroit indiqué, enregistre et renvoie le classeur.")  # fmt: skip
LECTURE_INTERROMPUE = _regle("lecture_interrompue", E, "Lecture interrompue", "{motif}", "Demander au pilote de supprimer ce qui se trouve hors du tableau et de renvoyer le classeur en .xlsx.")  # fmt: skip
EXPORT_CSV = _regle("export_csv", E, "Export CSV au lieu du classeur", "{motif}", "Demander au pilote le classeur de collecte lui-même, enregistré au format .xlsx.")  # fmt: skip
FEUILLE_COPIEE = _regle("feuille_copiee", A, "Réponses dans une copie de la feuille Saisie", "Les réponses ont été lues dans la feuille « {feuille} », copie de la feuille « {saisie} » restée vide : vérifiez-les ; la prochaine fois, remplissez directement la feuille « {saisie} ».", "Vérifier les réponses lues ; rappeler au pilote de remplir la feuille Saisie elle-même.")  # fmt: skip
FEUILLES_REMPLIES = _regle("feuilles_remplies", E, "Réponses dans deux feuilles", "Les feuilles {feuilles} contiennent toutes des réponses : gardez une seule feuille remplie (supprimez l'autre), enregistrez et renvoyez le classeur. Les réponses de ce fichier ne sont pas utilisées.", "Le pilote garde une seule feuille remplie et renvoie le classeur.")  # fmt: skip
CELLULES_FUSIONNEES = _regle("cellules_fusionnees", E, "Cellules fusionnées sur plusieurs actions", "Cellules fusionnées sur les actions {actions} ({plage}) : défusionnez et remplissez chaque ligne.", "Le pilote défusionne les cellules et remplit la ligne de chaque action.")  # fmt: skip
ORDRE_INCERTAIN = _regle("ordre_incertain", A, "Ordre des versions incertain", "Deux versions du retour de {qui} : « {garde} » (enregistré le {quand_garde:%d/%m/%Y à %H:%M}) et « {autre} » (le {quand_autre:%d/%m/%Y à %H:%M}, heures du fuseau {fuseau}). L'ordre est incertain : {raison}. « {garde} » est gardé, celui-ci n'est pas utilisé ; si c'est lui la bonne version, retirez « {garde} » du dossier et relancez la commande.", "Vérifier quelle version est la bonne ; retirer l'autre du dossier puis relancer.")  # fmt: skip
FORMULE_EN_ERREUR = _regle("formule_en_erreur", E, "Formule en erreur", "La cellule affiche {erreur} (formule en erreur) : remplacez la formule par la valeur elle-même (tapez le nombre ou le texte).", "Le pilote remplace la formule en erreur par la valeur.")  # fmt: skip

# Identification of a return.
RECONNU_PAR_CONTENU = _regle(
    "reconnu_par_contenu", A, "Reconnu par son contenu",
    "Ce classeur a perdu son identification (recopié dans un nouveau fichier ?) : il a été reconnu par son contenu "
    "comme le retour {annee} de « {pilote} ». Vérifiez-le ; la prochaine fois, demandez au pilote de remplir "
    "directement le classeur envoyé.",
    "Vérifier l'attribution ; rappeler au pilote de remplir directement le classeur envoyé.",
)  # fmt: skip
NON_RECONNU = _regle(
    "non_reconnu", E, "Classeur non reconnu",
    "Ce classeur n'est pas un classeur de collecte du protocole (identification absente) : demandez au pilote de "
    "remplir le classeur qui lui a été envoyé, sans le recopier dans un nouveau fichier.",
    "Demander au pilote de remplir le classeur envoyé, sans le recopier dans un nouveau fichier.",
)  # fmt: skip
AUTRE_PROTOCOLE = _regle(
    "autre_protocole", E, "Classeur d'un autre protocole",
    "Ce classeur appartient à un autre protocole (« {lu} ») : retirez-le de ce dossier, ou demandez au pilote le "
    "classeur du protocole « {attendu} ».",
    "Retirer le fichier du dossier ou demander au pilote le classeur de ce protocole.",
)  # fmt: skip
AUTRE_ANNEE = _regle(
    "autre_annee", E, "Classeur d'une autre année",
    "Ce classeur est celui de l'année {lue}, pas {annee} : demandez au pilote de remplir le classeur {annee} qui lui "
    "a été envoyé (ou déplacez ce fichier dans le dossier {lue}).",
    "Déplacer le fichier dans le dossier de son année ou demander au pilote le classeur de l'année.",
)  # fmt: skip
PILOTE_INCONNU = _regle(
    "pilote_inconnu", E, "Pilote inconnu du protocole",
    "Le pilote « {pilote} » indiqué dans ce classeur n'existe pas dans le protocole : régénérez son classeur avec "
    "« vif38-bilan gabarits » et renvoyez-le-lui.",
    "Régénérer le classeur du pilote (vif38-bilan gabarits) et le lui renvoyer.",
)  # fmt: skip
STRUCTURE_MANQUANTE = _regle(
    "structure_manquante", E, "Structure non indiquée",
    "Indiquez le nom de votre structure dans la case « Structure » : ce classeur est rempli par plusieurs "
    "structures ({pilote}) et les réponses ne peuvent pas être attribuées sans lui. Elles ne sont pas prises en "
    "compte tant qu'il manque.",
    "Le pilote écrit le nom de sa structure dans la case « Structure ».",
)  # fmt: skip

# Layout of the table.
TABLEAU_INTROUVABLE = _regle(
    "tableau_introuvable", E, "Tableau des actions introuvable",
    "Le tableau des actions est introuvable (pas de cellule « {colonne} ») : demandez au pilote de remplir le "
    "classeur envoyé sans supprimer ni renommer de colonne ou de feuille.",
    "Demander au pilote de remplir le classeur envoyé sans en modifier la structure.",
)  # fmt: skip
COLONNE_MANQUANTE = _regle(
    "colonne_manquante", E, "Colonne supprimée ou renommée",
    "La colonne « {colonne} » est introuvable : ne supprimez ni ne renommez aucune colonne ; reprenez le classeur "
    "envoyé et recopiez-y vos réponses.",
    "Le pilote recopie ses réponses dans le classeur envoyé.",
)  # fmt: skip
ACTION_EN_DOUBLE = _regle(
    "action_en_double", E, "Action en double",
    "L'action {code} apparaît deux fois (lignes {premiere} et {ligne}) : gardez une seule ligne par action et "
    "supprimez la copie ; cette ligne n'est pas prise en compte.",
    "Le pilote garde une seule ligne par action.",
)  # fmt: skip
ACTION_INCONNUE = _regle(
    "action_inconnue", E, "Ligne ajoutée (action inconnue ou d'un autre pilote)",
    "Le code « {code} » n'est pas une action du protocole : ne modifiez pas la colonne « {colonne} » et n'ajoutez "
    "pas de ligne ; supprimez celle-ci.",
    "Le pilote supprime la ligne ajoutée (une précision va dans les observations).",
)  # fmt: skip
ACTION_NON_PILOTEE = (
    "L'action {code} n'est pas pilotée par {pilote} : supprimez cette ligne ajoutée "
    "(parlez-en dans les observations d'une de vos actions si besoin)."
)  # variant of ACTION_INCONNUE's message
ACTION_MANQUANTE = _regle(
    "action_manquante", E, "Ligne d'action supprimée",
    "La ligne de l'action {code} a disparu : ne supprimez aucune ligne ; reprenez le classeur envoyé ou recopiez la "
    "ligne de cette action, puis remplissez-la.",
    "Le pilote rétablit la ligne de l'action et la remplit.",
)  # fmt: skip

# The protocol changed after the templates were sent: the pilot did nothing wrong.
PROTOCOLE_MODIFIE_ACTION_RETIREE = _regle(
    "protocole_modifie_action_retiree", A, "Action retirée du protocole après l'envoi",
    "L'action {code} figurait dans le classeur envoyé, mais le protocole a changé depuis (action retirée ou confiée "
    "à un autre pilote) : la réponse du pilote n'est pas prise en compte. Le pilote n'a rien à corriger.",
    "La DDFE vérifie le référentiel ; si l'action doit être comptée pour ce pilote, elle la rétablit dans le "
    "protocole et relance le contrôle.",
)  # fmt: skip
PROTOCOLE_MODIFIE_ACTION_AJOUTEE = _regle(
    "protocole_modifie_action_ajoutee", A, "Action ajoutée au protocole après l'envoi",
    "L'action {code} a été ajoutée au protocole (ou confiée à {pilote}) après l'envoi du classeur : il ne pouvait "
    "pas y répondre. Envoyez-lui un nouveau classeur (vif38-bilan gabarits --annee {annee} --pilote {code_pilote}).",
    "La DDFE envoie au pilote un nouveau classeur, qui contient l'action.",
)  # fmt: skip

# Cells of an action row.
FORMULE_SANS_VALEUR = _regle(
    "formule_sans_valeur", E, "Formule sans résultat",
    "La cellule contient une formule sans résultat enregistré : remplacez-la par la valeur elle-même (tapez le "
    "nombre ou le texte), puis enregistrez le classeur avec Excel ou LibreOffice.",
    "Le pilote remplace la formule par sa valeur et réenregistre le classeur.",
)  # fmt: skip
STATUT_MANQUANT = _regle("statut_manquant", E, "Statut non choisi", "Choisissez le statut {annee} de l'action {code} dans la liste : {statuts}.", "Le pilote choisit le statut dans la liste déroulante.")  # fmt: skip
STATUT_INCONNU = _regle(
    "statut_inconnu", E, "Statut inconnu",
    "« {valeur} » n'est pas un statut prévu : choisissez dans la liste l'un de {statuts}.",
    "Choisir l'un des statuts de la liste déroulante.",
)  # fmt: skip
STATUT_VARIANTE = _regle(
    "statut_variante", A, "Statut écrit à la main",
    "« {valeur} » a été lu comme « {statut} » : choisissez le statut dans la liste déroulante la prochaine fois.",
    "Rien à corriger ; la prochaine fois, choisir le statut dans la liste.",
)  # fmt: skip
VALEUR_MANQUANTE = _regle(
    "valeur_manquante", A, "Valeur vide pour une action effectuée",
    "L'action {code} est EFFECTUÉE mais « {indicateur} » est vide : saisissez la valeur {annee}{precision}.",
    "Le pilote saisit la valeur (0 si aucune).",
)  # fmt: skip
OBSERVATIONS_TROP_LONGUES = _regle(
    "observations_trop_longues", E, "Observations trop longues",
    "Les observations font {longueur} caractères, au-delà de {maximum} : raccourcissez-les (l'essentiel et les "
    "chiffres clés) ; elles ne sont pas reprises en l'état.",
    "Le pilote raccourcit ses observations.",
)  # fmt: skip
NOMBRE_INVALIDE = _regle(
    "nombre_invalide", E, "Nombre illisible",
    "« {valeur} » n'est pas un nombre : saisissez un nombre entier, sans texte (12 et non « 12 pers. ») ; si c'est "
    "une estimation, donnez le nombre et précisez-le dans les observations.",
    "Le pilote saisit un nombre entier positif, sans texte.",
)  # fmt: skip
NOMBRE_AVEC_UNITE = _regle(
    "nombre_avec_unite", A, "Nombre suivi d'une unité",
    "« {valeur} » a été lu comme {nombre} : saisissez un nombre entier, sans texte (12 et non « 12 pers. ») ; "
    "précisez le reste dans les observations.",
    "Vérifier le nombre lu ; la prochaine fois, un nombre sans texte.",
)  # fmt: skip
OUI_NON_INVALIDE = _regle(
    "oui_non_invalide", E, "Ni Oui ni Non",
    "« {valeur} » n'est ni Oui ni Non : choisissez Oui ou Non dans la liste et mettez les précisions dans les "
    "observations.",
    "Le pilote choisit Oui ou Non dans la liste.",
)  # fmt: skip
OUI_NON_VARIANTE = _regle(
    "oui_non_variante", A, "Oui/Non écrit autrement",
    "« {valeur} » a été lu comme « {lu} » : choisissez Oui ou Non dans la liste.",
    "Vérifier la réponse lue ; la prochaine fois, choisir dans la liste.",
)  # fmt: skip
TEXTE_TROP_LONG = _regle(
    "texte_trop_long", E, "Réponse trop longue",
    "La réponse fait {longueur} caractères, au-delà de {maximum} : gardez une réponse courte et mettez le détail "
    "dans les observations.",
    "Le pilote raccourcit la réponse et met le détail dans les observations.",
)  # fmt: skip
VALEUR_ATYPIQUE = _regle(
    "valeur_atypique", A, "Valeur très éloignée de l'an passé",
    "{valeur} est très éloigné de la valeur de {annee_precedente} ({avant}) pour « {indicateur} » : vérifiez qu'il "
    "n'y a pas de faute de frappe ; si la valeur est juste, expliquez l'écart dans les observations.",
    "Vérifier la valeur avec le pilote ; un écart réel s'explique dans les observations.",
)  # fmt: skip
DONNEES_PERSONNELLES = _regle(
    "donnees_personnelles", E, "Données personnelles",
    "Le texte semble contenir des données personnelles ({types}) : réécrivez-le en termes agrégés (« 3 femmes "
    "accompagnées », « une réunion avec le parquet ») sans nom, téléphone, adresse électronique ou postale ni date "
    "de naissance de victime, d'auteur ou d'agent. En attendant, ces passages sont retirés du bilan.",
    "Le pilote réécrit le texte en termes agrégés et renvoie le classeur ; d'ici là le bilan remplace chaque passage "
    "par « [donnée personnelle retirée] » et les points à vérifier listent où.",
)  # fmt: skip
AUCUNE_ACTION_RENSEIGNEE = _regle(
    "aucune_action_renseignee", E, "Aucune action renseignée",
    "Aucune ligne n'est remplie : indiquez au moins le statut {annee} des actions qui concernent votre structure "
    "(les lignes laissées entièrement vides valent « non concernée »).",
    "Le pilote remplit les lignes des actions qui concernent sa structure et renvoie le classeur.",
)  # fmt: skip
CHIFFRES_INTROUVABLES, CHIFFRE_MANQUANT, CHIFFRE_IGNORE, CHIFFRE_NON_RENSEIGNE = [_regle(i, Gravite(g), *t) for i, g, *t in REGLES_CHIFFRES]  # fmt: skip  # the key-figure sheet (anomalies_chiffres.py)

# Several returns for one pilot.
DOUBLON = _regle(
    "doublon", A, "Copie identique",
    "Doublon : ce fichier est identique à « {autre} » ; il n'est compté qu'une fois.",
    "Rien à faire ; supprimer la copie du dossier si besoin.",
)  # fmt: skip
REMPLACE_PAR = _regle(
    "remplace", A, "Remplacé par une version plus récente",
    "Remplacé par « {autre} », enregistré plus récemment (le {quand:%d/%m/%Y à %H:%M}) : ce fichier n'est pas "
    "utilisé. Supprimez-le du dossier s'il s'agit d'une ancienne version.",
    "Supprimer l'ancienne version du dossier.",
)  # fmt: skip
ORDRE_INDECIDABLE = _regle(
    "ordre_indecidable", E, "Versions de même date",
    "Plusieurs versions différentes du retour de {qui} portent la même date d'enregistrement ({noms}) : aucune "
    "n'est utilisée. Gardez dans le dossier la bonne version seulement, puis relancez la commande.",
    "Garder dans le dossier la bonne version seulement, puis relancer.",
)  # fmt: skip

# Reading the history (consolidation workbooks of past years).
HISTORIQUE_ABSENT = _regle(
    "historique_absent", A, "Année passée sans données",
    "Pas de données pour {annee} ({chemin} est absent) : la colonne {annee} du bilan restera vide.",
    "Lancer « vif38-bilan historique --annee AAAA », compléter le classeur produit, puis relancer le bilan.",
)  # fmt: skip
HISTORIQUE_ILLISIBLE = _regle(
    "historique_illisible", E, "Classeur historique illisible",
    "Le classeur historique {chemin} est illisible ({type}) : ouvrez-le dans Excel ou LibreOffice et "
    "enregistrez-le au format .xlsx, ou recréez-le avec « vif38-bilan historique --annee {annee} --remplacer », "
    "puis relancez.",
    "Réenregistrer ou recréer le classeur historique, sans renommer feuilles ni en-têtes.",
)  # fmt: skip
HISTORIQUE = _regle(
    "historique", A, "Remarque sur le classeur historique", "{detail}",
    "Vérifier le classeur historique à l'endroit indiqué.",
)  # fmt: skip
HISTORIQUE_ANNEE = _regle(
    "historique_annee", E, "Classeur historique d'une autre année",
    "{chemin} est le classeur de l'année {lue}, pas de {annee} : remettez le bon fichier dans le dossier "
    "sorties/{annee}/.",
    "Remettre le bon fichier dans le dossier sorties/AAAA/.",
)  # fmt: skip
HISTORIQUE_PROTOCOLE = _regle(
    "historique_protocole", E, "Classeur historique d'un autre protocole",
    "{chemin} appartient à un autre protocole (« {lu} ») : remettez le classeur de ce protocole.",
    "Remettre le classeur historique de ce protocole.",
)  # fmt: skip
HISTORIQUE_CODE = _regle(
    "historique_code", A, "Code action inconnu dans l'historique",
    "Code action « {code} » inconnu en {cellule} : la ligne est ignorée.",
    "Corriger le code action dans le classeur historique.",
)  # fmt: skip
HISTORIQUE_DOUBLON = _regle(
    "historique_doublon", A, "Action en double dans l'historique",
    "L'action {code} figure deux fois (ligne {ligne}) : seule la première ligne est lue.",
    "Garder une seule ligne par action dans le classeur historique.",
)  # fmt: skip
HISTORIQUE_VALIDE_MODIFIE = _regle(
    "historique_valide_modifie", E, "Année validée modifiée depuis sa signature",
    "{chemin} a changé depuis la validation de {annee} le {date} : les chiffres repris pour {annee} ne sont plus "
    "ceux du bilan signé. Remettez le classeur signé (voir « vif38-bilan verifier --annee {annee} »), ou rouvrez "
    "l'année (« vif38-bilan valider --annee {annee} --rouvrir --motif … ») et refaites son bilan.",
    "Remettre le classeur de consolidation signé, ou rouvrir l'année et refaire son bilan.",
)  # fmt: skip
VALEUR_ILLISIBLE = _regle(
    "valeur_illisible", E, "Valeur illisible dans l'historique",
    "Valeur illisible en {lieu} : {detail}",
    "Corriger la valeur dans le classeur historique.",
)  # fmt: skip
VALEUR_VARIANTE = _regle(
    "valeur_variante", A, "Valeur de l'historique lue avec une tolérance",
    "En {lieu} : {detail}",
    "Vérifier la valeur lue dans le classeur historique.",
)  # fmt: skip

del E, A

REGLES: dict[str, Regle] = {r.id: r for r in CATALOGUE}
assert len(REGLES) == len(CATALOGUE), "duplicate rule id in the catalogue"


def catalogue_json() -> list[dict[str, str]]:
    """The catalogue as plain data (id, gravite, titre, message, action)."""
    return [{k: str(v) for k, v in asdict(r).items()} for r in CATALOGUE]


def texte_catalogue() -> str:
    """The catalogue in French, for the terminal: errors first, then warnings."""
    lignes = []
    for gravite, titre in ((ERREUR, "Erreurs, à corriger"), (AVERTISSEMENT, "Avertissements, à vérifier")):
        regles = [r for r in CATALOGUE if r.gravite == gravite]
        lignes.append(f"{titre} ({len(regles)} règles) :")
        for r in regles:
            lignes += [f"  {r.id} — {r.titre}", f"      Ce qu'il faut faire : {r.action}"]
        lignes.append("")
    return "\n".join(lignes).rstrip()


def tableau_markdown() -> str:
    """The catalogue as the README's table (tests/test_regles.py keeps them equal)."""
    lignes = ["| Règle | Gravité | Ce qui est relevé | Ce qu'il faut faire |", "|---|---|---|---|"]
    lignes += [f"| `{r.id}` | {r.gravite} | {r.titre} | {r.action} |" for r in CATALOGUE]
    return "\n".join(lignes)


# ---------------------------------------------------------------- the records


@dataclass(frozen=True)
class Anomalie:
    fichier: str  # path relative to the returns folder
    feuille: str | None
    cellule: str | None  # A1 reference, None for a finding on the whole file
    code_action: str | None
    gravite: str  # Gravite
    message: str  # plain French, says what to do
    regle: str  # rule id, declared in CATALOGUE
    pilote: str | None = None
    structure: str | None = None

    def __post_init__(self) -> None:
        if self.regle not in REGLES:
            raise ValueError(f"rule id {self.regle!r} is not declared in vif38_bilan.anomalies.CATALOGUE")
        object.__setattr__(self, "gravite", Gravite(self.gravite))
