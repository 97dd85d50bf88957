"""The signed year: valider, rouvrir, verifier — a step of the cycle after the bilan.

Freezing is recorded by bilan_validation (fingerprints, archives, journal); this module runs it on
an opened workspace, under its lock, like the other steps of vif38_bilan.cycle.annee.
"""

from __future__ import annotations

import contextlib
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path

from vif38_bilan.bilan.points_a_verifier import noter_validation_malgre_manques
from vif38_bilan.consolidation.import_word import historique_importe, sans_retour
from vif38_bilan.cycle.annee import executer_controle, fichiers_retours
from vif38_bilan.cycle.ouverture import Espace
from vif38_bilan.espace import cloture as validation
from vif38_bilan.espace import fichiers
from vif38_bilan.exceptions import Vif38Error
from vif38_bilan.regles import ERREUR


def valider_annee(
    espace: Espace, annee: int, maintenant: datetime | None = None, malgre_manques: str = ""
) -> validation.Validation:
    """Freeze a signed year: record in sorties/AAAA/validation-AAAA.json the date and the SHA-256 of the
    consolidation, the bilan .docx and .pdf, the check report and every return read.

    Refused while pilots have not returned their workbook or erreurs are open (issue 23), unless
    malgre_manques gives the reason: it then goes into the freeze log and the working notes.
    Afterwards produire_bilan, controler_annee (writing) and produire_historique_vierge refuse to
    rewrite the year's files, and later years report a consolidation changed since.
    Raises:
        AnneeHorsProtocole, EspaceVerrouille, AnneeValidee (already validated), Vif38Error (no
        bilan to validate, a return changed after the bilan was written, or returns missing /
        erreurs open without malgre_manques), SortieBloquee.
    """
    espace = espace.pour_annee(annee)
    dossier = espace.dossier("sorties", annee)
    motif = " ".join((malgre_manques or "").split())
    with espace.verrou():
        validation.refuser_si_validee(dossier, annee, "la validation")
        saisies = espace.dossier("saisies", annee)
        resultat = executer_controle(espace, annee, None, None, None, ecrire=False) if saisies.is_dir() else None
        retours = [f.chemin for f in resultat.fichiers] if resultat is not None else []
        consolidation = dossier / fichiers.nom_consolidation(annee)
        if consolidation.is_file():
            recents = [r for r in retours if r.stat().st_mtime > consolidation.stat().st_mtime]
            if recents:
                raise Vif38Error(
                    f"Le retour « {recents[0].name} » a été déposé ou modifié après le bilan {annee} : le bilan ne "
                    f"le prend peut-être pas en compte. Relancez « vif38-bilan bilan --annee {annee} --pdf », "
                    "relisez-le, puis validez."
                )
        # A year imported from an earlier bilan document has no return to expect.
        importee = sans_retour(saisies) and (
            historique_importe(espace.protocole, espace.dossier("sorties"), annee) is not None
        )
        if importee:
            manques = []
        elif resultat is None:
            manques = [f"aucun retour déposé (dossier « {saisies.name} » des saisies absent)"]
        else:
            manques = manques_de_l_annee(espace, resultat)
        if manques and not motif and consolidation.is_file():  # no bilan at all: "Rien à valider" below
            raise Vif38Error(
                f"Validation de {annee} refusée : " + " ; ".join(manques) + ". Faites compléter ou corriger, relancez "
                f"« vif38-bilan bilan --annee {annee} --pdf », puis validez. Si le bilan doit être signé en l'état : "
                f'vif38-bilan valider --annee {annee} --malgre-manques "la raison" (gardée au journal et dans les '
                "points à vérifier)."
            )
        note = f"malgré des manques ({' ; '.join(manques)}) — motif : {motif}" if manques else ""
        v = validation.enregistrer_validation(espace.racine, annee, dossier, retours, maintenant, note)
        if manques:
            with contextlib.suppress(OSError, Vif38Error):  # the journal holds it in any case
                noter_validation_malgre_manques(dossier, annee, motif, manques, v.date_francaise)
        return v


def manques_de_l_annee(espace: Espace, resultat) -> list[str]:
    """What keeps a year from being complete, in French: pilots without a return, erreurs open (by file)."""
    p = espace.protocole
    noms = {x.code: (x.alias[0] if x.alias else x.nom) for x in p.pilotes}
    manques = []
    if resultat.manquants:
        qui = [noms.get(c, c) for c in resultat.manquants]
        n = len(qui)
        manques.append(f"{n} pilote{'s' if n > 1 else ''} sans retour ({', '.join(qui)})")
    erreurs = [a for a in resultat.anomalies if a.gravite == ERREUR]
    if erreurs:
        par_fichier: dict[str, int] = {}
        for a in erreurs:
            par_fichier[a.fichier] = par_fichier.get(a.fichier, 0) + 1
        detail = ", ".join(f"{f} : {n}" for f, n in par_fichier.items())
        n = len(erreurs)
        manques.append(f"{n} erreur{'s' if n > 1 else ''} ouverte{'s' if n > 1 else ''} ({detail})")
    return manques


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
