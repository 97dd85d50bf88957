"""Public API of the Word imports: a protocol (or an earlier bilan) → the referential, an earlier
bilan → the history of the years it covers. Each is one step; cycle.produire_bilan then reads an
imported year like any other."""

from __future__ import annotations

from pathlib import Path

from vif38_bilan.consolidation.import_word import ImportHistorique, importer_historique
from vif38_bilan.consolidation.import_word_referentiel import importer_referentiel
from vif38_bilan.cycle.ouverture import Espace
from vif38_bilan.espace import cloture as validation
from vif38_bilan.exceptions import Vif38Error
from vif38_bilan.referentiel.chargement import charger_protocole
from vif38_bilan.referentiel.import_word import ImportReferentiel, ecrire_referentiel_importe


def importer_referentiel_word(
    document: str | Path,
    sortie: str | Path | None = None,
    referentiel: str | Path | None = None,
    remplacer: bool = False,
) -> ImportReferentiel:
    """Read a protocol's Word document (or, lacking one, an earlier bilan) into a referential workbook.

    The workbook (referentiel-<document>.xlsx by default) holds the usual sheets plus a first
    "Revue" sheet, one line per inference to check; once reviewed it is loaded with --referentiel.

    Args:
        referentiel: the protocol whose pilot directory is known (the embedded one by default).
        remplacer: overwrite an existing workbook (it may have been reviewed already).
    Returns:
        ImportReferentiel: the protocol read, the review lines, and .chemin the workbook written.
    Raises:
        DocumentIllisible, ReferentielInvalide, SortieBloquee; Vif38Error when the workbook exists.
    """
    document = Path(document)
    sortie = Path(sortie) if sortie is not None else Path(f"referentiel-{document.stem}.xlsx")
    if sortie.exists() and not remplacer:
        raise Vif38Error(
            f"« {sortie} » existe déjà (peut-être déjà relu) : il n'est pas remplacé. "
            "Choisissez un autre nom avec --xlsx, ou relancez avec --remplacer."
        )
    imp = importer_referentiel(document, charger_protocole(referentiel))
    imp.chemin = ecrire_referentiel_importe(imp, sortie)
    return imp


def importer_bilan_word(espace: Espace, document: str | Path, remplacer: bool = False) -> ImportHistorique:
    """Take over an earlier Word bilan: sorties/<year>/consolidation-<year>.xlsx for each year it covers.

    Returns:
        ImportHistorique: statuses and observations per year, anomalies (status variants and
        unknown statuses), repeated tables, rows matching no action, the workbooks written.
    Raises:
        DocumentIllisible, EspaceVerrouille, SortieBloquee, AnneeValidee (a signed year is never
        rewritten); Vif38Error when a year's workbook exists and remplacer is False, or when the
        bilan shares no year with the protocol.
    """

    def non_signee(annee: int) -> None:
        validation.refuser_si_validee(espace.dossier("sorties", annee), annee, "le classeur historique")

    with espace.verrou():
        return importer_historique(document, espace.protocole, espace.dossier("sorties"), remplacer, non_signee)
