"""The signed year: valider, rouvrir, verifier — a step of the cycle after the bilan.

Freezing is recorded by bilan_validation (fingerprints, archives, journal); this module runs it on
an opened workspace, under its lock, like the other steps of vif38_bilan.cycle.annee.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from pathlib import Path

from vif38_bilan.espace import fichiers
from vif38_bilan.espace import cloture as validation
from vif38_bilan.cycle.annee import fichiers_retours
from vif38_bilan.cycle.ouverture import Espace
from vif38_bilan.exceptions import Vif38Error


def valider_annee(espace: Espace, annee: int, maintenant: datetime | None = None) -> validation.Validation:
    """Freeze a signed year: record in sorties/AAAA/validation-AAAA.json the date and the SHA-256 of the
    consolidation, the bilan .docx and .pdf, the check report and every return read.

    Afterwards produire_bilan, controler_annee (writing) and produire_historique_vierge refuse to
    rewrite the year's files, and later years report a consolidation changed since.
    Raises:
        AnneeHorsProtocole, EspaceVerrouille, AnneeValidee (already validated), Vif38Error (no
        bilan to validate, or a return changed after the bilan was written), SortieBloquee.
    """
    espace = espace.pour_annee(annee)
    dossier = espace.dossier("sorties", annee)
    with espace.verrou():
        validation.refuser_si_validee(dossier, annee, "la validation")
        retours = fichiers_retours(espace, annee)
        consolidation = dossier / fichiers.nom_consolidation(annee)
        if consolidation.is_file():
            recents = [r for r in retours if r.stat().st_mtime > consolidation.stat().st_mtime]
            if recents:
                raise Vif38Error(
                    f"Le retour « {recents[0].name} » a été déposé ou modifié après le bilan {annee} : le bilan ne "
                    f"le prend peut-être pas en compte. Relancez « vif38-bilan bilan --annee {annee} --pdf », "
                    "relisez-le, puis validez."
                )
        return validation.enregistrer_validation(espace.racine, annee, dossier, retours, maintenant)


def rouvrir_annee(espace: Espace, annee: int, motif: str, maintenant: datetime | None = None) -> Path:
    """Reopen a validated year: its signed files and record move to sorties/AAAA/archives/<when>/ and
    the reason is logged (journal-validation-AAAA.txt). Returns the archive folder.
    Raises AnneeHorsProtocole, EspaceVerrouille, Vif38Error (not validated, no reason), SortieBloquee."""
    espace = espace.pour_annee(annee)
    with espace.verrou():
        return validation.rouvrir(espace.racine, annee, espace.dossier("sorties", annee), motif, maintenant)


@dataclass(frozen=True)
class Verification:
    validation: validation.Validation
    differences: list[str]  # French, one line per file that no longer matches


def verifier_validation(espace: Espace, annee: int) -> Verification:
    """Compare the signed files and the returns with the fingerprints recorded at validation.
    Raises AnneeHorsProtocole, Vif38Error (the year is not validated)."""
    espace = espace.pour_annee(annee)
    v = validation.lire_validation(espace.dossier("sorties", annee), annee)
    if v is None:
        raise Vif38Error(
            f"L'année {annee} n'est pas validée : rien à vérifier. Une fois le bilan signé : "
            f"vif38-bilan valider --annee {annee}."
        )
    return Verification(v, validation.differences(espace.racine, v, fichiers_retours(espace, annee)))
