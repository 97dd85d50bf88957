"""Names of the files and folders of a workspace, in one place: every stage and face builds paths
from these (the year's outputs in sorties/AAAA/, the workbooks in gabarits/AAAA/, the settings).
"""

from __future__ import annotations

from pathlib import Path

FICHIER_CONFIG = "vif38.toml"
FICHIER_CONTACTS = "contacts.xlsx"
FICHIER_MODELE = "modele-bilan.docx"  # the agent's Word base proposed by `vif38-bilan modele`
DOSSIER_ANNOTES = "retours-annotes"  # annotated copies of the returns, in sorties/AAAA/
DOSSIER_COURRIELS = "courriels"  # e-mail drafts, in sorties/AAAA/courriels/<type>/
DOSSIER_ARCHIVES = "archives"  # reopened years' earlier outputs, in sorties/AAAA/archives/


def nom_gabarit(annee: int, pilote: str) -> str:
    """The collection workbook of a pilot: "2023_DDFE_bilan-protocole-VIF.xlsx"."""
    return f"{annee}_{pilote}_bilan-protocole-VIF.xlsx"


def nom_rapport(annee: int) -> str:
    """The control report: "controle-2023.xlsx"."""
    return f"controle-{annee}.xlsx"


def nom_consolidation(annee: int) -> str:
    """The consolidation workbook, also the history read back the next years: "consolidation-2023.xlsx"."""
    return f"consolidation-{annee}.xlsx"


def nom_bilan(annee: int) -> str:
    """The Word bilan: "bilan-2023.docx"."""
    return f"bilan-{annee}.docx"


def nom_pdf(annee: int) -> str:
    """The bilan's PDF: "bilan-2023.pdf"."""
    return f"bilan-{annee}.pdf"


def nom_points(annee: int) -> str:
    """The agent's working notes: "points-a-verifier-2023.docx"."""
    return f"points-a-verifier-{annee}.docx"


def nom_bilan_protocole(periode: str) -> str:
    """The end-of-protocol bilan, in sorties/: "bilan-protocole-2022-2024.docx"."""
    return f"bilan-protocole-{periode}.docx"


def nom_validation(annee: int) -> str:
    """The record of a signed (frozen) year: "validation-2023.json"."""
    return f"validation-{annee}.json"


def nom_journal(annee: int) -> str:
    """The log of freezes and reopenings: "journal-validation-2023.txt"."""
    return f"journal-validation-{annee}.txt"


def chemin_lisible(chemin: str | Path) -> str:
    """An output of the workspace named as the agent finds it, never by its absolute path (which
    carries her user name): "sorties/2022/consolidation-2022.xlsx"."""
    return "/".join(Path(chemin).parts[-3:])
