"""Rules about one return's contents: its identification, the table's layout, the cells of an action row,
and several returns of one pilot."""

from __future__ import annotations

from vif38_bilan.regles.anomalies import AVERTISSEMENT as A
from vif38_bilan.regles.anomalies import ERREUR as E
from vif38_bilan.regles.anomalies import regle

# Identification of a return.
RECONNU_PAR_CONTENU = regle(
    "reconnu_par_contenu",
    A,
    "Reconnu par son contenu",
    "Ce classeur a perdu son identification (recopié dans un nouveau fichier ?) : il a été reconnu par son contenu "
    "comme le retour {annee} de « {pilote} ». Vérifiez-le ; la prochaine fois, demandez au pilote de remplir "
    "directement le classeur envoyé.",
    "Vérifier l'attribution ; rappeler au pilote de remplir directement le classeur envoyé.",
)
NON_RECONNU = regle(
    "non_reconnu",
    E,
    "Classeur non reconnu",
    "Ce classeur n'est pas un classeur de collecte du protocole (identification absente) : demandez au pilote de "
    "remplir le classeur qui lui a été envoyé, sans le recopier dans un nouveau fichier.",
    "Demander au pilote de remplir le classeur envoyé, sans le recopier dans un nouveau fichier.",
)
AUTRE_PROTOCOLE = regle(
    "autre_protocole",
    E,
    "Classeur d'un autre protocole",
    "Ce classeur appartient à un autre protocole (« {lu} ») : retirez-le de ce dossier, ou demandez au pilote le "
    "classeur du protocole « {attendu} ».",
    "Retirer le fichier du dossier ou demander au pilote le classeur de ce protocole.",
)
AUTRE_ANNEE = regle(
    "autre_annee",
    E,
    "Classeur d'une autre année",
    "Ce classeur est celui de l'année {lue}, pas {annee} : demandez au pilote de remplir le classeur {annee} qui lui "
    "a été envoyé (ou déplacez ce fichier dans le dossier {lue}).",
    "Déplacer le fichier dans le dossier de son année ou demander au pilote le classeur de l'année.",
)
ANNEE_PRECEDENTE_REMPLIE = regle(
    "annee_precedente_remplie",
    E,
    "Classeur d'une année passée rempli pour cette année",
    "Classeur de l'année {lue} rempli pour {annee} : le pilote a répondu, mais dans l'ancien classeur, dont les "
    "actions et les colonnes ne sont pas celles de {annee} ; ses réponses ne sont pas reprises. Envoyez-lui le "
    "classeur {annee} (le courriel de correction le joint) pour qu'il y recopie ses réponses. Ne déplacez pas ce "
    "fichier dans le dossier {lue} : ses réponses iraient dans le bilan {lue}.",
    "Envoyer au pilote le classeur de l'année (courriel de correction) pour qu'il y recopie ses réponses.",
)
PILOTE_INCONNU = regle(
    "pilote_inconnu",
    E,
    "Pilote inconnu du protocole",
    "Le pilote « {pilote} » indiqué dans ce classeur n'existe pas dans le protocole : régénérez son classeur avec "
    "« vif38-bilan gabarits » et renvoyez-le-lui.",
    "Régénérer le classeur du pilote (vif38-bilan gabarits) et le lui renvoyer.",
)
STRUCTURE_MANQUANTE = regle(
    "structure_manquante",
    E,
    "Structure non indiquée",
    "Indiquez le nom de votre structure dans la case « Structure » : ce classeur est rempli par plusieurs "
    "structures ({pilote}) et les réponses ne peuvent pas être attribuées sans lui. Elles ne sont pas prises en "
    "compte tant qu'il manque.",
    "Le pilote écrit le nom de sa structure dans la case « Structure ».",
)

# Layout of the table.
TABLEAU_INTROUVABLE = regle(
    "tableau_introuvable",
    E,
    "Tableau des actions introuvable",
    "Le tableau des actions est introuvable (pas de cellule « {colonne} ») : demandez au pilote de remplir le "
    "classeur envoyé sans supprimer ni renommer de colonne ou de feuille.",
    "Demander au pilote de remplir le classeur envoyé sans en modifier la structure.",
)
COLONNE_MANQUANTE = regle(
    "colonne_manquante",
    E,
    "Colonne supprimée ou renommée",
    "La colonne « {colonne} » est introuvable : ne supprimez ni ne renommez aucune colonne ; reprenez le classeur "
    "envoyé et recopiez-y vos réponses.",
    "Le pilote recopie ses réponses dans le classeur envoyé.",
)
ACTION_EN_DOUBLE = regle(
    "action_en_double",
    E,
    "Action en double",
    "L'action {code} apparaît deux fois (lignes {premiere} et {ligne}) : gardez une seule ligne par action et "
    "supprimez la copie ; cette ligne n'est pas prise en compte.",
    "Le pilote garde une seule ligne par action.",
)
ACTION_INCONNUE = regle(
    "action_inconnue",
    E,
    "Ligne ajoutée (action inconnue ou d'un autre pilote)",
    "Le code « {code} » n'est pas une action du protocole : ne modifiez pas la colonne « {colonne} » et n'ajoutez "
    "pas de ligne ; supprimez celle-ci.",
    "Le pilote supprime la ligne ajoutée (une précision va dans les observations).",
)
ACTION_NON_PILOTEE = (
    "L'action {code} n'est pas pilotée par {pilote} : supprimez cette ligne ajoutée "
    "(parlez-en dans les observations d'une de vos actions si besoin)."
)  # variant of ACTION_INCONNUE's message
ACTION_MANQUANTE = regle(
    "action_manquante",
    E,
    "Ligne d'action supprimée",
    "La ligne de l'action {code} a disparu : ne supprimez aucune ligne ; reprenez le classeur envoyé ou recopiez la "
    "ligne de cette action, puis remplissez-la.",
    "Le pilote rétablit la ligne de l'action et la remplit.",
)

# The protocol changed after the templates were sent: the pilot did nothing wrong.
PROTOCOLE_MODIFIE_ACTION_RETIREE = regle(
    "protocole_modifie_action_retiree",
    A,
    "Action retirée du protocole après l'envoi",
    "L'action {code} figurait dans le classeur envoyé, mais le protocole a changé depuis (action retirée ou confiée "
    "à un autre pilote) : la réponse du pilote n'est pas prise en compte. Le pilote n'a rien à corriger.",
    "La DDFE vérifie le référentiel ; si l'action doit être comptée pour ce pilote, elle la rétablit dans le "
    "protocole et relance le contrôle.",
)
PROTOCOLE_MODIFIE_ACTION_AJOUTEE = regle(
    "protocole_modifie_action_ajoutee",
    A,
    "Action ajoutée au protocole après l'envoi",
    "L'action {code} a été ajoutée au protocole (ou confiée à {pilote}) après l'envoi du classeur : il ne pouvait "
    "pas y répondre. Envoyez-lui un nouveau classeur (vif38-bilan gabarits --annee {annee} --pilote {code_pilote}).",
    "La DDFE envoie au pilote un nouveau classeur, qui contient l'action.",
)

# Everything the pilot wrote is accounted for (issue 25).
TEXTE_HORS_TABLEAU = regle(
    "texte_hors_tableau",
    A,
    "Texte écrit hors des cellules lues",
    "Texte écrit {ou}, là où l'outil ne lit rien : « {texte} ». Il n'est pas repris dans le bilan et figure dans "
    "les points à vérifier ; une précision sur une action va dans ses observations.",
    "Lire le texte ; reporter ce qui compte dans les observations de l'action concernée.",
)
CELLULE_PREREMPLIE_MODIFIEE = regle(
    "cellule_preremplie_modifiee",
    E,
    "Cellule pré-remplie modifiée",
    "La cellule {ref} ({quoi} de l'action {code}) est pré-remplie et protégée, mais elle contient « {lu} », qui "
    "n'est pas le texte envoyé : {conseil}.",
    "Le pilote remet le texte d'origine et saisit sa réponse dans la cellule jaune prévue.",
)
COMMENTAIRE_REPRIS = regle(
    "commentaire_repris",
    A,
    "Commentaire repris dans les observations",
    "Commentaire {qui} repris dans les observations de l'action {code} : « {texte} ».",
    "Vérifier le commentaire repris ; la prochaine fois, écrire dans la colonne des observations.",
)
COMMENTAIRE_HORS_ACTION = regle(
    "commentaire_hors_action",
    A,
    "Commentaire hors des lignes d'action",
    "Commentaire {qui}, hors des lignes d'action : « {texte} ». Il n'est pas repris dans le bilan et figure dans "
    "les points à vérifier ; ce qui compte va dans les observations d'une action.",
    "Lire le commentaire ; reporter ce qui compte dans les observations de l'action concernée.",
)

# Cells of an action row.
CARACTERE_INVISIBLE = regle(
    "caractere_invisible",
    A,
    "Caractère invisible retiré",
    "Caractère invisible retiré ({noms}, venu d'un copier-coller depuis une page web, Teams ou un PDF) : la cellule "
    "a été lue comme « {valeur} ». Vérifiez que c'est bien la valeur voulue ; rien d'autre à faire.",
    "Vérifier la valeur lue ; rien à corriger.",
)
FORMULE_SANS_VALEUR = regle(
    "formule_sans_valeur",
    E,
    "Formule sans résultat",
    "La cellule contient une formule sans résultat enregistré : remplacez-la par la valeur elle-même (tapez le "
    "nombre ou le texte), puis enregistrez le classeur avec Excel ou LibreOffice.",
    "Le pilote remplace la formule par sa valeur et réenregistre le classeur.",
)
STATUT_MANQUANT = regle(
    "statut_manquant",
    E,
    "Statut non choisi",
    "Choisissez le statut {annee} de l'action {code} dans la liste : {statuts}.",
    "Le pilote choisit le statut dans la liste déroulante.",
)
STATUT_INCONNU = regle(
    "statut_inconnu",
    E,
    "Statut inconnu",
    "« {valeur} » n'est pas un statut prévu : choisissez dans la liste l'un de {statuts}.",
    "Choisir l'un des statuts de la liste déroulante.",
)
STATUT_VARIANTE = regle(
    "statut_variante",
    A,
    "Statut écrit à la main",
    "« {valeur} » a été lu comme « {statut} » : choisissez le statut dans la liste déroulante la prochaine fois.",
    "Rien à corriger ; la prochaine fois, choisir le statut dans la liste.",
)
VALEUR_MANQUANTE = regle(
    "valeur_manquante",
    A,
    "Valeur vide pour une action effectuée",
    "L'action {code} est EFFECTUÉE mais « {indicateur} » est vide : saisissez la valeur {annee}{precision}.",
    "Le pilote saisit la valeur (0 si aucune).",
)
OBSERVATIONS_TROP_LONGUES = regle(
    "observations_trop_longues",
    E,
    "Observations trop longues",
    "Les observations font {longueur} caractères, au-delà de {maximum} : raccourcissez-les (l'essentiel et les "
    "chiffres clés) ; elles ne sont pas reprises en l'état.",
    "Le pilote raccourcit ses observations.",
)
NOMBRE_INVALIDE = regle(
    "nombre_invalide",
    E,
    "Nombre illisible",
    "« {valeur} » n'est pas un nombre : saisissez un nombre entier, sans texte (12 et non « 12 pers. ») ; si c'est "
    "une estimation, donnez le nombre et précisez-le dans les observations.",
    "Le pilote saisit un nombre entier positif, sans texte.",
)
NOMBRE_AVEC_UNITE = regle(
    "nombre_avec_unite",
    A,
    "Nombre suivi d'une unité",
    "« {valeur} » a été lu comme {nombre} : saisissez un nombre entier, sans texte (12 et non « 12 pers. ») ; "
    "précisez le reste dans les observations.",
    "Vérifier le nombre lu ; la prochaine fois, un nombre sans texte.",
)
OUI_NON_INVALIDE = regle(
    "oui_non_invalide",
    E,
    "Ni Oui ni Non",
    "« {valeur} » n'est ni Oui ni Non : choisissez Oui ou Non dans la liste et mettez les précisions dans les "
    "observations.",
    "Le pilote choisit Oui ou Non dans la liste.",
)
OUI_NON_VARIANTE = regle(
    "oui_non_variante",
    A,
    "Oui/Non écrit autrement",
    "« {valeur} » a été lu comme « {lu} » : choisissez Oui ou Non dans la liste.",
    "Vérifier la réponse lue ; la prochaine fois, choisir dans la liste.",
)
TEXTE_TROP_LONG = regle(
    "texte_trop_long",
    E,
    "Réponse trop longue",
    "La réponse fait {longueur} caractères, au-delà de {maximum} : gardez une réponse courte et mettez le détail "
    "dans les observations.",
    "Le pilote raccourcit la réponse et met le détail dans les observations.",
)
VALEUR_ATYPIQUE = regle(
    "valeur_atypique",
    A,
    "Valeur très éloignée de l'an passé",
    "{valeur} est très éloigné de la valeur de {annee_precedente} ({avant}) pour « {indicateur} » : vérifiez qu'il "
    "n'y a pas de faute de frappe ; si la valeur est juste, expliquez l'écart dans les observations.",
    "Vérifier la valeur avec le pilote ; un écart réel s'explique dans les observations.",
)
DONNEES_PERSONNELLES = regle(
    "donnees_personnelles",
    E,
    "Données personnelles",
    "Ce texte contient des données personnelles (ce qui ressemble à {types}) : retirez-les et réécrivez en termes "
    "agrégés (« 3 femmes accompagnées », « une réunion avec le parquet »), sans rien qui permette de reconnaître "
    "une victime, un auteur ou un agent. En attendant, ce passage est retiré du bilan.",
    "Le pilote réécrit le texte en termes agrégés et renvoie le classeur ; d'ici là le bilan remplace chaque passage "
    "par « [donnée personnelle retirée] » et les points à vérifier listent où.",
)
STRUCTURE_PERSONNELLE = regle(
    "structure_personnelle",
    E,
    "Données personnelles dans la case Structure",
    "La case « Structure » contient ce qui ressemble à {types} : n'y écrivez que le nom de votre structure. "
    "En attendant, elle est appelée « {nom} » dans le bilan et les documents.",
    "Le pilote corrige la case Structure et renvoie le classeur ; d'ici là la structure est appelée « Structure n ».",
)
NOM_FICHIER_PERSONNEL = regle(
    "nom_fichier_personnel",
    E,
    "Données personnelles dans le nom du fichier",
    "Le nom de ce fichier contient ce qui ressemble à {types} : renommez-le (par exemple « retour_{pilote}.xlsx ») "
    "avant de le transmettre de nouveau. Ce passage n'est recopié dans aucun document.",
    "Renommer le fichier dans le dossier des saisies (ou demander au pilote de le renvoyer sous un autre nom).",
)
AUCUNE_ACTION_RENSEIGNEE = regle(
    "aucune_action_renseignee",
    E,
    "Aucune action renseignée",
    "Aucune ligne n'est remplie : indiquez au moins le statut {annee} des actions qui concernent votre structure "
    "(les lignes laissées entièrement vides valent « non concernée »).",
    "Le pilote remplit les lignes des actions qui concernent sa structure et renvoie le classeur.",
)
# Several returns for one pilot.
DOUBLON = regle(
    "doublon",
    A,
    "Copie identique",
    "Doublon : ce fichier est identique à « {autre} » ; il n'est compté qu'une fois.",
    "Rien à faire ; supprimer la copie du dossier si besoin.",
)
REMPLACE_PAR_DATE_FICHIER = regle(
    "remplace_date_fichier",
    A,
    "Remplacé : ordre décidé par la date du fichier",
    "Remplacé par « {autre} » : les deux versions portent la même heure d'enregistrement dans le classeur "
    "({heure}), l'ordre a donc été décidé par la date des fichiers dans le dossier (« {autre} » le "
    "{quand:%d/%m/%Y à %H:%M}). Vérifiez que « {autre} » est bien la bonne version ; supprimez l'autre du dossier.",
    "Vérifier que la version gardée est la bonne ; supprimer l'autre du dossier.",
)
PERIME = regle(
    "perime",
    A,
    "Ancien envoi remplacé par un retour utilisable",
    "Ce fichier n'est plus pris en compte : le retour de {qui} est arrivé depuis dans « {autre} », qui est utilisé. "
    "Avant : {avant}",
    "Rien à faire ; supprimer l'ancien fichier du dossier si besoin.",
)
REMPLACE_PAR = regle(
    "remplace",
    A,
    "Remplacé par une version plus récente",
    "Remplacé par « {autre} », enregistré plus récemment (le {quand:%d/%m/%Y à %H:%M}) : ce fichier n'est pas "
    "utilisé. Supprimez-le du dossier s'il s'agit d'une ancienne version.",
    "Supprimer l'ancienne version du dossier.",
)
ORDRE_INDECIDABLE = regle(
    "ordre_indecidable",
    E,
    "Versions de même date",
    "Plusieurs versions différentes du retour de {qui} portent la même date d'enregistrement ({noms}) : aucune "
    "n'est utilisée. Gardez dans le dossier la bonne version seulement, puis relancez la commande.",
    "Garder dans le dossier la bonne version seulement, puis relancer.",
)

__all__ = [
    "RECONNU_PAR_CONTENU",
    "NON_RECONNU",
    "AUTRE_PROTOCOLE",
    "AUTRE_ANNEE",
    "ANNEE_PRECEDENTE_REMPLIE",
    "PILOTE_INCONNU",
    "STRUCTURE_MANQUANTE",
    "TABLEAU_INTROUVABLE",
    "COLONNE_MANQUANTE",
    "ACTION_EN_DOUBLE",
    "ACTION_INCONNUE",
    "ACTION_NON_PILOTEE",
    "ACTION_MANQUANTE",
    "PROTOCOLE_MODIFIE_ACTION_RETIREE",
    "PROTOCOLE_MODIFIE_ACTION_AJOUTEE",
    "TEXTE_HORS_TABLEAU",
    "CELLULE_PREREMPLIE_MODIFIEE",
    "COMMENTAIRE_REPRIS",
    "COMMENTAIRE_HORS_ACTION",
    "CARACTERE_INVISIBLE",
    "FORMULE_SANS_VALEUR",
    "STATUT_MANQUANT",
    "STATUT_INCONNU",
    "STATUT_VARIANTE",
    "VALEUR_MANQUANTE",
    "OBSERVATIONS_TROP_LONGUES",
    "NOMBRE_INVALIDE",
    "NOMBRE_AVEC_UNITE",
    "OUI_NON_INVALIDE",
    "OUI_NON_VARIANTE",
    "TEXTE_TROP_LONG",
    "VALEUR_ATYPIQUE",
    "DONNEES_PERSONNELLES",
    "STRUCTURE_PERSONNELLE",
    "NOM_FICHIER_PERSONNEL",
    "AUCUNE_ACTION_RENSEIGNEE",
    "DOUBLON",
    "REMPLACE_PAR",
    "REMPLACE_PAR_DATE_FICHIER",
    "PERIME",
    "ORDRE_INDECIDABLE",
]
