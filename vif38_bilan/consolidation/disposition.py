"""Layout of the consolidation workbook, which is also the history workbook read back the next year.

Sheet names, column headers, the file name, widths and identification rows; used by the history
(historique.py), the consolidation workbook (classeur_consolidation.py) and the bilan. The
openpyxl helpers (nouveau_classeur, feuille, ecrire_ligne, feuille_id) write the blank history,
which carries validations and comments; the consolidation itself is streamed (classeur_flux).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from vif38_bilan.gabarits import disposition
from vif38_bilan.commun.ecriture import mettre_texte
from vif38_bilan.referentiel.protocole import Action, Protocole


@dataclass(frozen=True)
class LigneSource:
    """One figure and where it was read: a row of the sources sheet."""

    annee: int
    code_action: str  # or a key figure's row code
    rubrique: str  # "Statut", "Indicateur 1 : …", "Observations", "Chiffre clé : …"
    pilote: str
    structure: str
    valeur: Any
    fichier: str
    feuille: str
    cellule: str
    sha256: str


# Most advanced first: the order used when no chef de file answered.
ORDRE_STATUTS: tuple[str, ...] = ("EFFECTUÉE", "EN COURS", "POURSUIVRE", "LANCEMENT", "EN ATTENTE", "ANNULÉE")

# Sheets and headers of the consolidation workbook (also the blank history workbook).
FEUILLE_ACTIONS = "actions"
FEUILLE_INDICATEURS = "indicateurs"
FEUILLE_SOURCES = "sources"
FEUILLE_DESACCORDS = "désaccords"
FEUILLE_MANQUANTS = "retours manquants"
FEUILLE_MODE = "Mode d'emploi"

COL_CODE = "Code action"
COL_AXE = "Axe"
COL_OBJECTIF = "Objectif"
COL_ACTION = "Action"
COL_PILOTAGE = "Pilotage"
COL_CHEF = "Chef de file"
COL_NUMERO = "N°"
COL_INDICATEUR = "Indicateur"
COL_TYPE = "Type"
COL_CIBLE = "Cible annuelle"
COL_TEMPORALITE = "Temporalité"
COMPLET = "complet"

TYPE_CONSOLIDATION = "consolidation"
TYPE_HISTORIQUE = "historique"
ID_TYPE = "type"


def nombre_lu(v: Any) -> int | float | None:
    if isinstance(v, bool) or v is None:
        return None
    if isinstance(v, int):
        return v
    if isinstance(v, float):
        return int(v) if v.is_integer() else v
    return None


def etiquette(protocole: Protocole, pilote: str, structure: str = "") -> str:
    """Who wrote it: a collective pilot's structure by its own name, else the pilot's short name."""
    try:
        p = protocole.pilote(pilote)
    except KeyError:
        return structure.strip() or pilote
    if p.collectif and structure and structure.strip():
        return " ".join(structure.split())
    return p.alias[0] if p.alias else p.nom


def rubrique_indicateur(action: Action, k: int) -> str:
    libelle = action.indicateurs[k].libelle if k < len(action.indicateurs) else ""
    return f"Indicateur {k + 1} : {libelle}" if libelle else f"Indicateur {k + 1}"


def entetes_actions(annees: tuple[int, ...], annee: int) -> list[str]:
    return (
        [COL_CODE, COL_AXE, COL_OBJECTIF, COL_ACTION, COL_PILOTAGE, COL_CHEF]
        + [disposition.entete_statut(y) for y in annees]
        + [f"Origine du statut {annee}"]
        + [disposition.entete_observations(y) for y in annees]
    )


def entetes_indicateurs(annees: tuple[int, ...], annee: int) -> list[str]:
    debut = annees[0] if annees else annee
    return (
        [COL_CODE, COL_NUMERO, COL_INDICATEUR, COL_TYPE, COL_CIBLE]
        + [f"Valeur {y}" for y in annees]
        + [f"Taux {annee}", f"Cumul {periode(debut, annee)}", "Cible cumulée", "Taux cumulé", f"Détail {annee}"]
        + [f"Complétude {annee}", COL_TEMPORALITE]
    )


def periode(debut: int, fin: int) -> str:
    """ "2022-2023", or "2022" for the first year (never "2022-2022")."""
    return str(fin) if fin == debut else f"{debut}-{fin}"


ENTETES_SOURCES = [
    "Année",
    COL_CODE,
    "Rubrique",
    "Pilote",
    "Structure",
    "Valeur",
    "Fichier",
    "Feuille",
    "Cellule",
    "SHA-256 du fichier",
]
ENTETES_DESACCORDS = ["Année", COL_CODE, "Nature", "Statut retenu", COL_CHEF, "Statuts déclarés", "Explication"]
ENTETES_MANQUANTS = ["Pilote", "Nom", "Chef de file de", "Co-pilote de"]

TYPES_LISIBLES = {"entier": "nombre", "oui_non": "Oui/Non", "texte": "texte"}


def nouveau_classeur():
    from openpyxl import Workbook

    wb = Workbook()
    wb.remove(wb.active)
    return wb


def feuille(wb, titre: str, entetes: list[str], largeurs: dict[int, float] | None = None):
    from openpyxl.styles import Alignment, Font, PatternFill
    from openpyxl.utils import get_column_letter

    ws = wb.create_sheet(titre)
    gras = Font(bold=True)
    fond = PatternFill("solid", fgColor="D9E1F2")
    for j, t in enumerate(entetes, 1):
        c = ws.cell(row=1, column=j)
        mettre_texte(c, t)
        c.font = gras
        c.fill = fond
        c.alignment = Alignment(wrap_text=True, vertical="top")
    ws.freeze_panes = "B2"
    for j, largeur in enumerate(largeurs_colonnes(entetes, largeurs), 1):
        ws.column_dimensions[get_column_letter(j)].width = largeur
    return ws


def largeurs_colonnes(entetes: list[str], largeurs: dict[int, float] | None = None) -> list[float]:
    """Column widths: the given ones (1-based column → width), else fitted to the header (12 to 40)."""
    return [(largeurs or {}).get(j, max(12, min(40, len(t) + 4))) for j, t in enumerate(entetes, 1)]


def ecrire_ligne(ws, ligne: int, valeurs: list[Any]) -> None:
    for j, v in enumerate(valeurs, 1):
        if v is None or v == "":
            continue
        c = ws.cell(row=ligne, column=j)
        if isinstance(v, str):
            mettre_texte(c, v)  # cleaned by texte_propre
        else:
            c.value = v


def paires_id(protocole: Protocole, annee: int, type_: str) -> list[tuple[str, str]]:
    """Key/value rows of the hidden identification sheet (all text)."""
    return [
        (disposition.ID_PROTOCOLE, protocole.id),
        (disposition.ID_ANNEE, str(annee)),
        (ID_TYPE, type_),
        (disposition.ID_VERSION, disposition.VERSION_GABARIT),
    ]


def feuille_id(wb, protocole: Protocole, annee: int, type_: str) -> None:
    ws = wb.create_sheet(disposition.FEUILLE_ID)
    for i, (k, v) in enumerate(paires_id(protocole, annee, type_), 1):
        mettre_texte(ws.cell(row=i, column=1), k)
        mettre_texte(ws.cell(row=i, column=2), v)
    ws.sheet_state = "hidden"


# The key-figure sheet of the consolidation workbook (and of the blank history workbook): one row
# per row code; the history reads back the column "Valeur <its year>".
FEUILLE_CHIFFRES = "chiffres clés"
COL_CODE_CHIFFRE = "Code chiffre"


def entetes_chiffres(annees: list[int], annee: int, vierge: bool = False) -> list[str]:
    """Headers of the key-figure sheet: values of annees (the blank history: annee only), then the
    change from last year and the per-pilot detail."""
    tetes = [COL_CODE_CHIFFRE, "Chiffre clé", "Détail", "Unité", "Axe", "Pilotes", "Agrégation"]
    if vierge:
        return [*tetes, f"Valeur {annee}"]
    return [
        *tetes,
        *[f"Valeur {y}" for y in annees],
        f"Évolution {annee - 1}-{annee}",
        f"Détail {annee}",
        COL_TEMPORALITE,
    ]
