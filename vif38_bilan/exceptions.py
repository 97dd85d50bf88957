"""Errors raised by the library; the CLI turns them into French messages."""

from __future__ import annotations


class Vif38Error(Exception):
    """Base error: its message is plain French, shown to the user as is."""


class ReferentielInvalide(Vif38Error):
    """The protocol file is malformed; lists every fault found."""

    def __init__(self, fichier: str, fautes: list[str]):
        self.fichier = fichier
        self.fautes = list(fautes)
        lignes = "\n".join(f"  - {f}" for f in self.fautes)
        super().__init__(
            f"Le référentiel « {fichier} » contient {len(self.fautes)} erreur(s) :\n{lignes}\n"
            "Corrigez le fichier puis relancez la commande."
        )


class ConfigurationInvalide(Vif38Error):
    """vif38.toml or contacts.xlsx cannot be used."""


class FichierRefuse(Vif38Error):
    """An input file is refused (hostile, broken, not a workbook)."""

    regle: str | None = None  # rule id (vif38_bilan.regles) set by vif38_bilan.lecture.securite; None: fichier_refuse
    feuille: str | None = None  # where the cause lies, when it is one cell (a value far from the table)
    cellule: str | None = None
    document: str | None = None  # what a non-spreadsheet document is ("document PDF"), from its content


class EspaceVerrouille(Vif38Error):
    """Another run already works on this workspace."""


class SortieBloquee(Vif38Error):
    """An output file cannot be written (open in Excel/Word, no rights)."""


class PiloteInconnu(Vif38Error):
    """A pilot code asked for is not in the protocol."""


class EspaceIntrouvable(Vif38Error):
    """No workspace (vif38.toml) in the folder or its parents."""


class AnneeHorsProtocole(Vif38Error):
    """The year asked for is not a year of the protocol."""


class ModeleInvalide(FichierRefuse):
    """The Word base (--modele) holds an unknown, misplaced or repeated marker."""


class AnneeValidee(Vif38Error):
    """The year is validated (signed): its files are not rewritten until it is reopened."""


class DocumentIllisible(Vif38Error):
    """A Word document to import cannot be opened or holds no usable table."""
