"""The bilan step of the year: check (or reuse a check), consolidate, write the consolidation
workbook, the Word bilan, its PDF and the agent's working notes."""

from __future__ import annotations

import contextlib
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path

from vif38_bilan.bilan import document as bilan
from vif38_bilan.bilan import points_a_verifier
from vif38_bilan.bilan.modele import verifier_modele
from vif38_bilan.bilan.pdf import PdfImpossible, exporter_pdf
from vif38_bilan.commun.ecriture import SortiesIndependantes
from vif38_bilan.consolidation.actions import Consolidation, consolider
from vif38_bilan.consolidation.classeur import ecrire_consolidation
from vif38_bilan.consolidation.historique import Historique, lire_historique
from vif38_bilan.consolidation.import_word import historique_importe, sans_retour
from vif38_bilan.controle.resultats import ResultatControle
from vif38_bilan.cycle.ouverture import Espace
from vif38_bilan.cycle.protocole import rappeler_suites
from vif38_bilan.espace import cloture as validation
from vif38_bilan.espace import fichiers
from vif38_bilan.exceptions import SortieBloquee

from vif38_bilan.cycle.annee import executer_controle, lire_historique_annee
from vif38_bilan.cycle.arbitrages import lire_arbitrages_espace

ETAPES_BILAN = ("contrôle", "consolidation", "classeur de consolidation", "bilan Word")


# ---------------------------------------------------------------- bilan


@dataclass(frozen=True)
class SortiesBilan:
    """What produire_bilan wrote (paths are None when the file was blocked), and the data behind it."""

    resultat: ResultatControle
    historique: Historique
    donnees: Consolidation
    rapport: Path | None  # controle-AAAA.xlsx
    consolidation: Path | None  # consolidation-AAAA.xlsx
    bilan: Path | None  # bilan-AAAA.docx
    sortie_bloquee: SortieBloquee | None = field(default=None, compare=False)
    pdf: Path | None = None  # bilan-AAAA.pdf, when asked for and LibreOffice made it
    pdf_impossible: str | None = None  # why the PDF asked for was not written (French)
    pdf_perime: Path | None = None  # an older bilan-AAAA.pdf removed: it no longer matched the .docx
    annee_importee: bool = False  # no return: the year read from its history workbook, kept as is
    points: Path | None = None  # points-a-verifier-AAAA.docx: the agent's working notes
    anciens: tuple[Path, ...] = ()  # outputs left from an earlier run beside this run's (not rewritten)

    @property
    def nb_erreurs(self) -> int:
        """Erreurs in the returns and in the history: the bilan is written, but incomplete."""
        return self.resultat.nb_erreurs + self.historique.nb_erreurs


def produire_bilan(
    espace: Espace,
    annee: int,
    saisies: str | Path | None = None,
    sortie: str | Path | None = None,
    modele: str | Path | None = None,
    presentation: str = "annexe",
    date_edition: date | None = None,
    jobs: int | None = None,
    resultat: ResultatControle | None = None,
    pdf: bool = False,
    progression: Callable[[str], None] | None = None,
) -> SortiesBilan:
    """Check the year (unless resultat is given), consolidate it and write the bilan.

    Writes into sortie (sorties/AAAA/ by default) the check report and annotated copies (when
    the check runs here), consolidation-AAAA.xlsx, bilan-AAAA.docx (+ .pdf with pdf=True) and the working notes
    points-a-verifier-AAAA.docx; each output is attempted even when another is blocked (open in Excel or Word).
    Earlier years are always read from the workspace's sorties/. An older bilan-AAAA.pdf is
    removed when the .docx is rewritten without pdf (it would no longer match).

    Args:
        modele: a Word base (vif38.toml's `modele` setting when None): with markers ([[SYNTHESE]]…)
            the whole base is kept and the parts go at the markers; without, its styles, header
            and footer are kept.
        presentation: "annexe" (one table per objective, one row per action) or "protocole".
        date_edition: the date printed on the cover (today when None).
        resultat: a check result already computed for this year (not re-run).
        pdf: also write bilan-AAAA.pdf through LibreOffice, contents page and page numbers up to
            date; without LibreOffice the .docx is written and `pdf_impossible` says why.
        progression: called with the name of each of the ETAPES_BILAN once it is done.
    Returns:
        SortiesBilan.
    Raises:
        AnneeHorsProtocole, AnneeValidee (the year is signed: nothing rewritten), EspaceVerrouille,
        FichierRefuse / ModeleInvalide (the Word base), ArbitrageRefuse (arbitrages.toml unreadable),
        SortieBloquee (after writing what could be written).
    """
    espace = rappeler_suites(espace.pour_annee(annee))  # an action carrying on an earlier one shows its figures
    sortie = Path(sortie) if sortie is not None else espace.dossier("sorties", annee)
    dossier_saisies = Path(saisies) if saisies is not None else espace.dossier("saisies", annee)
    fait = progression or (lambda _etape: None)
    # Each output is attempted even when another is blocked (open in Excel or Word).
    sorties = SortiesIndependantes()
    modele = modele or espace.config.modele
    if modele:
        verifier_modele(modele)  # a faulty base stops the run before the check
    # The agent's decisions (arbitrages.toml): a faulty file stops the run before the check too.
    arbitrages = lire_arbitrages_espace(espace)
    with espace.verrou():
        validation.refuser_si_validee(sortie, annee, "le bilan")
        # A year with no return whose history workbook exists (imported from an earlier bilan
        # document, or typed by hand) is read from that workbook, which is kept as is.
        importee = (
            resultat is None
            and sans_retour(dossier_saisies)
            and historique_importe(espace.protocole, espace.dossier("sorties"), annee) is not None
        )
        controle_ici = resultat is None and not importee
        if importee:
            resultat = ResultatControle(annee, [], [], [], [])
            historique = lire_historique(espace.protocole, espace.dossier("sorties"), annee + 1)
        else:
            if resultat is None:
                resultat = executer_controle(espace, annee, saisies, sortie, jobs, ecrire=True, sorties=sorties)
            historique = lire_historique_annee(espace, annee)
        fait(ETAPES_BILAN[0])
        donnees = consolider(espace.protocole, annee, resultat, historique, importee, arbitrages)
        fait(ETAPES_BILAN[1])
        if importee:
            classeur = espace.dossier("sorties", annee) / fichiers.nom_consolidation(annee)
        else:
            classeur = sorties.essayer(ecrire_consolidation, donnees, sortie / fichiers.nom_consolidation(annee))
        fait(ETAPES_BILAN[2])
        document = sorties.essayer(
            bilan.ecrire_bilan,
            espace.protocole,
            annee,
            donnees,
            resultat,
            sortie / fichiers.nom_bilan(annee),
            Path(modele) if modele else None,
            presentation,
            date_edition,
            espace.config.service,
        )
        chemin_pdf, impossible, perime = _pdf(document, sortie / fichiers.nom_pdf(annee), pdf)
        # The working notes come last: they list what this run could not rewrite (issue 26).
        prevus = {fichiers.nom_bilan(annee): document, fichiers.nom_pdf(annee): chemin_pdf}
        if controle_ici:
            prevus[fichiers.nom_rapport(annee)] = resultat.rapport
        if not importee:
            prevus[fichiers.nom_consolidation(annee)] = classeur
        anciens = _anciens(sortie, prevus)
        points = sorties.essayer(  # everything addressed to the agent, beside the bilan every time (issue 12)
            points_a_verifier.ecrire, espace.protocole, annee, donnees, resultat, sortie, date_edition, anciens
        )
        if points is None:
            anciens += _anciens(sortie, {fichiers.nom_points(annee): None}, retirer=True)
        fait(ETAPES_BILAN[3])
    bloquee = resultat.sortie_bloquee
    try:
        sorties.verifier()
    except SortieBloquee as e:
        bloquee = e
    return SortiesBilan(
        resultat, historique, donnees, resultat.rapport, classeur, document, bloquee, chemin_pdf, impossible, perime,
        importee, points, tuple(anciens),
    )  # fmt: skip


def _anciens(sortie: Path, prevus: dict[str, Path | None], retirer: bool = False) -> list[Path]:
    """The outputs this run meant to write (file name → path written, or None) that it did not
    write but that an earlier run left in sortie: they sit beside this run's outputs and must be
    named as such. retirer: remove them instead, naming only those that could not be removed."""
    anciens = []
    for nom, ecrit in prevus.items():
        chemin = sortie / nom
        if ecrit is None and chemin.is_file():
            if retirer:
                with contextlib.suppress(OSError):
                    chemin.unlink()
                    continue
            anciens.append(chemin)
    return anciens


def _pdf(document: Path | None, chemin: Path, demande: bool) -> tuple[Path | None, str | None, Path | None]:
    """(pdf written, why not, stale pdf removed) after the .docx was (or was not) written."""
    if document is None:
        return None, ("le bilan Word n'a pas pu être écrit" if demande else None), None
    if not demande:
        if chemin.is_file():
            with contextlib.suppress(OSError):
                chemin.unlink()
                return None, None, chemin
        return None, None, None
    try:
        return exporter_pdf(document, chemin), None, None
    except (PdfImpossible, SortieBloquee) as e:  # the .docx stands: say why there is no PDF
        perime = None
        if chemin.is_file():
            with contextlib.suppress(OSError):
                chemin.unlink()
                perime = chemin
        return None, str(e), perime


