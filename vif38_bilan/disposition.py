"""The collection workbook's layout: the public contract shared by gabarits and saisies.

Changing a header text, an identity label or a sheet name requires bumping VERSION_GABARIT.
"""

from __future__ import annotations

from vif38_bilan.referentiel import Protocole

VERSION_GABARIT = "1"

FEUILLE_MODE = "Mode d'emploi"
FEUILLE_SAISIE = "Saisie"
FEUILLE_ID = "_vif38"  # very hidden: key in column A, value in column B

# Keys of the hidden identification sheet (also written as custom document properties,
# prefixed "vif38_").
ID_PROTOCOLE = "protocole_id"
ID_PILOTE = "pilote"
ID_ANNEE = "annee"
ID_VERSION = "version_gabarit"
ID_GENERE_LE = "genere_le"
ID_ACTIONS = "actions"  # comma-separated expected action codes
ID_COLLECTIF = "collectif"  # "oui" / "non"

STATUTS: dict[str, str] = {
    "EFFECTUÉE": "l'action est réalisée pour l'année",
    "EN COURS": "l'action a commencé et se poursuit",
    "EN ATTENTE": "l'action est bloquée ou attend une décision",
    "POURSUIVRE": "l'action est à poursuivre l'année suivante",
    "LANCEMENT": "l'action démarre cette année",
    "ANNULÉE": "l'action est abandonnée (plus d'actualité)",
}

LIBELLES_IDENTITE = ("Structure", "Contact", "Courriel", "Téléphone", "Date de saisie")

OUI_NON = ("Oui", "Non")
OBSERVATIONS_MAX = 2000

CODE_ACTION = "Code action"
OBJECTIF = "Objectif"
ACTION = "Action"
PILOTAGE = "Pilotage"
ROLE = "Rôle"


def entete_statut(annee: int) -> str:
    return f"Statut {annee}"


def _suffixe(k: int) -> str:
    return "" if k == 1 else f" {k}"


def entete_indicateur(k: int) -> str:
    return f"Indicateur{_suffixe(k)}"


def entete_cible(k: int) -> str:
    return f"Cible annuelle{_suffixe(k)}"


def entete_valeur(annee: int, k: int) -> str:
    return f"Valeur {annee}{_suffixe(k)}"


def entete_observations(annee: int) -> str:
    return f"Observations {annee}"


def nb_emplacements(protocole: Protocole) -> int:
    """Indicator slots per row: the most indicators any action has (at least 1)."""
    return max([len(a.indicateurs) for a in protocole.actions] + [1])


def annees_anterieures(protocole: Protocole, annee: int) -> list[int]:
    return [a for a in protocole.annees if a < annee]


def en_tetes(protocole: Protocole, annee: int) -> list[str]:
    """Header row of the Saisie sheet, in order."""
    tetes = [CODE_ACTION, OBJECTIF, ACTION, PILOTAGE, ROLE]
    tetes += [entete_statut(a) for a in annees_anterieures(protocole, annee)]
    tetes.append(entete_statut(annee))
    for k in range(1, nb_emplacements(protocole) + 1):
        tetes += [entete_indicateur(k), entete_cible(k), entete_valeur(annee, k)]
    tetes.append(entete_observations(annee))
    return tetes


def nom_fichier(annee: int, pilote: str) -> str:
    return f"{annee}_{pilote}_bilan-protocole-VIF.xlsx"
