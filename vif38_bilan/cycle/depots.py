"""Files entering the workspace from a face: returns and history workbooks dropped in the browser,
and what a check reads. Same signed-year guard and same workspace lock as the commands.
"""

from __future__ import annotations

import errno
from dataclasses import dataclass, field
from pathlib import Path

from vif38_bilan.cycle.ouverture import Espace
from vif38_bilan.espace import fichiers
from vif38_bilan.espace.cloture import refuser_si_validee
from vif38_bilan.exceptions import FichierRefuse, Vif38Error
from vif38_bilan.lecture.examen import TAILLE_MAX
from vif38_bilan.saisies import depot


@dataclass
class DepotRetours:
    """What became of the files of one drop: saved (depot.Depot) or refused (name, French reason)."""

    deposes: list[depot.Depot] = field(default_factory=list)
    refuses: list[tuple[str, str]] = field(default_factory=list)


def deposer_retours(espace: Espace, annee: int, envois: list[tuple[str, bytes]]) -> DepotRetours:
    """Save received returns in saisies/AAAA/, byte for byte, never overwriting a file.

    Args:
        envois: (name as sent, bytes) per file; bytes beyond TAILLE_MAX + 1 need not be read.
    Returns:
        DepotRetours; a file refused (too large, unwritable) does not stop the others; every file
        is refused, with the reason, while the year is signed (validated).
    Raises:
        EspaceVerrouille: another command is working on the workspace (nothing written).
    """
    espace = espace.pour_annee(annee)
    resultat = DepotRetours()
    with espace.verrou():
        try:  # a signed year is frozen: its returns are part of what was signed
            refuser_si_validee(espace.dossier("sorties", annee), annee, "le dossier des retours")
        except Vif38Error as e:
            resultat.refuses = [(nom, str(e)) for nom, _ in envois]
            return resultat
        dossier = espace.dossier("saisies", annee)
        for nom, donnees in envois:
            try:
                resultat.deposes.append(depot.deposer_retour(dossier, nom, donnees))
            except FichierRefuse as e:
                resultat.refuses.append((nom, str(e)))
            except OSError as e:
                resultat.refuses.append((nom, f"Écriture impossible dans le dossier des retours : {_raison(e)}."))
    return resultat


_RAISONS = {
    errno.ENOSPC: "le disque est plein ; libérez de la place puis déposez à nouveau",
    errno.EROFS: "le disque est en lecture seule",
    errno.ENAMETOOLONG: "le chemin du dossier est trop long ; placez l'espace de travail plus près de la racine",
    errno.EACCES: "accès refusé ; vérifiez vos droits sur le dossier saisies",
    errno.EPERM: "accès refusé ; vérifiez vos droits sur le dossier saisies",
}
if hasattr(errno, "EDQUOT"):  # not every platform names it
    _RAISONS[errno.EDQUOT] = "votre quota de disque est atteint ; libérez de la place puis déposez à nouveau"


def _raison(e: OSError) -> str:
    """French reason of a failed write (the system's own text is English and names the full path)."""
    return _RAISONS.get(e.errno, f"erreur du système ({errno.errorcode.get(e.errno or 0, type(e).__name__)})")


def deposer_historique(espace: Espace, annee: int, donnees: bytes) -> tuple[Path, Path | None]:
    """Put a filled history workbook at sorties/AAAA/consolidation-AAAA.xlsx (examined like a return).

    Returns:
        (its path, the previous workbook kept beside it or None).
    Raises:
        FichierRefuse (not a safe workbook), AnneeValidee (signed year), EspaceVerrouille.
    """
    espace = espace.pour_annee(annee)
    chemin = espace.dossier("sorties", annee) / fichiers.nom_consolidation(annee)
    with espace.verrou():
        refuser_si_validee(espace.dossier("sorties", annee), annee, "le classeur de consolidation")
        return depot.deposer_historique(chemin, donnees)


def entrees_controle(espace: Espace, annee: int) -> list[Path]:
    """Every file a check of annee reads: what lies under saisies/AAAA/ and the earlier years'
    consolidation workbooks (history). Nothing is opened; a missing folder gives no entry."""
    entrees: list[Path] = []
    saisies = espace.dossier("saisies", annee)
    if saisies.is_dir():
        entrees += sorted(p for p in saisies.rglob("*") if not p.is_dir())
    for y in espace.pour_annee(annee, verifier=False).protocole.annees:
        if y < annee:
            h = espace.dossier("sorties", y) / fichiers.nom_consolidation(y)
            if h.is_file():
                entrees.append(h)
    return entrees


TAILLE_DEPOT_MAX = TAILLE_MAX  # the largest file a drop accepts (bytes), as the check
