"""The collection workbook's layout: the public contract shared by gabarits and saisies.

Changing a header text, an identity label or a sheet name requires bumping VERSION_GABARIT.

Reading contract (what a reader may rely on, checked after a LibreOffice re-save):
- Identification: the sheet FEUILLE_ID (key in column A, value in column B). It is written
  "veryHidden"; LibreOffice saves it back as "hidden" (xlsx and ods): accept any state. The
  same keys are custom document properties named PREFIXE_PROPRIETE + key (kept by LibreOffice
  in xlsx docProps/custom.xml and in ods meta.xml user-defined fields). Values are text; a
  re-save may turn "2023" into a number: use lire_identification(), which tolerates it.
- The input table: the row holding the CODE_ACTION header, then one row per action found by
  its code (rows may be re-sorted, rows may be inserted above). Columns by header text.
- Identity: the cell right of the label cell (labels LIBELLES_IDENTITE), anywhere above the
  header row.
- Never the file name, the sheet position or fixed row numbers.
- LibreOffice keeps the validations, sheet protection (no password) and unlocked cells, but
  drops the workbook structure lock (lockStructure): nothing relies on the latter.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from vif38_bilan.espace import fichiers
from vif38_bilan.referentiel import statuts
from vif38_bilan.referentiel.protocole import Protocole

VERSION_GABARIT = "1"

FEUILLE_MODE = "Mode d'emploi"
FEUILLE_SAISIE = "Saisie"
FEUILLE_ID = "_vif38"  # very hidden: key in column A, value in column B
# Only in the workbook of a pilot who provides key figures; between Saisie and _vif38.
FEUILLE_CHIFFRES = "Chiffres clés"

# Keys of the hidden identification sheet (also written as custom document properties,
# prefixed "vif38_").
ID_PROTOCOLE = "protocole_id"
ID_PILOTE = "pilote"
ID_ANNEE = "annee"
ID_VERSION = "version_gabarit"
ID_GENERE_LE = "genere_le"
ID_ACTIONS = "actions"  # comma-separated expected action codes
ID_COLLECTIF = "collectif"  # "oui" / "non"
ID_CHIFFRES = "chiffres"  # comma-separated expected key-figure row codes (only when there are some)
CLES_ID = (ID_PROTOCOLE, ID_PILOTE, ID_ANNEE, ID_VERSION, ID_GENERE_LE, ID_ACTIONS, ID_COLLECTIF, ID_CHIFFRES)
PREFIXE_PROPRIETE = "vif38_"  # custom document property name = prefix + key

STATUTS = statuts.STATUTS  # the six statuses (vif38_bilan/statuts.py)

LIBELLES_IDENTITE = ("Structure", "Contact", "Courriel", "Téléphone", "Date de saisie")

OUI_NON = ("Oui", "Non")
OBSERVATIONS_MAX = 2000
TEXTE_MAX = 500  # length cap of a "texte" indicator value
IDENTITE_MAX = 200  # length cap of an identity value (Structure, Contact, ...)
LISTE_MAX = 255  # Excel/LibreOffice limit of an inline list formula, quotes included

# Cell colours (ARGB without alpha). Input cells are light yellow everywhere.
COULEUR_SAISIE = "FFF2CC"
COULEUR_SANS_OBJET = "D9D9D9"
COULEUR_PREREMPLI = "DDEBF7"
COULEUR_EN_TETE = "1F4E79"

CODE_ACTION = "Code action"
OBJECTIF = "Objectif"
ACTION = "Action"
PILOTAGE = "Pilotage"
ROLE = "Rôle"

# The key-figure sheet: a header row found by CODE_CHIFFRE, one row per row code (any order),
# the earlier years' values for reference (locked), then the year's input column.
CODE_CHIFFRE = "Code chiffre"
CHIFFRE = "Chiffre clé"
DETAIL = "Détail"
UNITE = "Unité"


def entete_rappel(annee: int) -> str:
    """Header of an earlier year's (locked) value on the key-figure sheet."""
    return f"Rappel {annee}"


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


nom_fichier = fichiers.nom_gabarit  # part of the layout contract (saisies, courriels, demo)


def formule_liste(valeurs: Iterable[str]) -> str:
    """Inline list formula of a list validation, e.g. '"Oui,Non"'; refuses one too long to survive."""
    formule = '"' + ",".join(valeurs) + '"'
    if len(formule) >= LISTE_MAX:
        raise ValueError(f"list formula of {len(formule)} characters: LibreOffice drops those over {LISTE_MAX}")
    return formule


def largeur(entete: str) -> float:
    """Column width hint (Excel character units) for a header of the Saisie sheet."""
    if entete == CODE_ACTION:
        return 10
    if entete == OBJECTIF:
        return 20
    if entete == PILOTAGE:
        return 18
    if entete == ACTION:
        return 42
    if entete == ROLE:
        return 11
    if entete.startswith("Statut"):
        return 13
    if entete.startswith("Indicateur"):
        return 22
    if entete.startswith("Cible"):
        return 9
    if entete.startswith("Valeur"):
        return 11
    if entete.startswith("Observations"):
        return 38
    return 14


# ---------------------------------------------------------------- identification


@dataclass(frozen=True)
class Identification:
    """What the hidden sheet (or the custom properties) says about a workbook."""

    protocole_id: str
    pilote: str
    annee: int
    version: str
    genere_le: datetime | None
    actions: tuple[str, ...]
    collectif: bool
    chiffres: tuple[str, ...] = ()

    def paires(self) -> list[tuple[str, str]]:
        """Key/value rows of the hidden sheet, all values as text."""
        return [
            (ID_PROTOCOLE, self.protocole_id),
            (ID_PILOTE, self.pilote),
            (ID_ANNEE, str(self.annee)),
            (ID_VERSION, self.version),
            (ID_GENERE_LE, self.genere_le.isoformat(timespec="seconds") if self.genere_le else ""),
            (ID_ACTIONS, ",".join(self.actions)),
            (ID_COLLECTIF, "oui" if self.collectif else "non"),
        ] + ([(ID_CHIFFRES, ",".join(self.chiffres))] if self.chiffres else [])


def lire_identification(valeurs: Mapping[str, Any]) -> Identification | None:
    """Build an Identification from key → value (hidden sheet rows or custom properties
    with the prefix removed); None when the mandatory keys (protocol, pilot, year) are missing
    or unreadable. Tolerates values turned into numbers or dates by a spreadsheet re-save.
    """

    def texte(cle: str) -> str:
        v = valeurs.get(cle)
        if v is None:
            return ""
        if isinstance(v, float) and v.is_integer():
            v = int(v)
        return str(v).strip()

    protocole_id, pilote, annee = texte(ID_PROTOCOLE), texte(ID_PILOTE), texte(ID_ANNEE)
    if not (protocole_id and pilote and annee):
        return None
    try:
        annee_n = int(annee)
    except ValueError:
        return None
    genere = valeurs.get(ID_GENERE_LE)
    if not isinstance(genere, datetime):
        try:
            genere = datetime.fromisoformat(texte(ID_GENERE_LE)) if texte(ID_GENERE_LE) else None
        except ValueError:
            genere = None
    actions = tuple(c.strip() for c in texte(ID_ACTIONS).split(",") if c.strip())
    return Identification(
        protocole_id=protocole_id,
        pilote=pilote,
        annee=annee_n,
        version=texte(ID_VERSION),
        genere_le=genere,
        actions=actions,
        collectif=texte(ID_COLLECTIF).lower() in ("oui", "true", "1", "vrai"),
        chiffres=tuple(c.strip() for c in texte(ID_CHIFFRES).split(",") if c.strip()),
    )


def lire_paires(lignes: Iterable[Iterable[Any]]) -> dict[str, Any]:
    """Key → value from the rows of the hidden sheet (key in column A, value in column B)."""
    valeurs: dict[str, Any] = {}
    for ligne in lignes:
        ligne = list(ligne)
        if len(ligne) >= 2 and isinstance(ligne[0], str) and ligne[0].strip() in CLES_ID:
            valeurs[ligne[0].strip()] = ligne[1]
    return valeurs


def cle_libelle(texte: Any) -> str:
    """Matching key of a label or header read back from a return: one space, case-folded, no
    trailing colon ("Code action :" = "code  ACTION")."""
    return " ".join(str(texte).split()).casefold().rstrip(" :")
