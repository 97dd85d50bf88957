"""The year, step by step: the only module that chains the steps of the cycle.

ouvrir_espace → produire_gabarits → controler_annee → produire_bilan → preparer_courriels.
The CLI, the demo, the web page and the benchmark call these functions; the modules below them
(gabarits, saisies, controle, consolidation, bilan, courriels) each do one step and never run
another one.
"""

from __future__ import annotations

import contextlib
from collections.abc import Callable
from dataclasses import dataclass, field, replace
from datetime import date, datetime
from pathlib import Path

from vif38_bilan.espace import cloture as validation
from vif38_bilan.regles import ERREUR, HISTORIQUE_VALIDE_MODIFIE, Anomalie
from vif38_bilan.consolidation.classeur import ecrire_consolidation
from vif38_bilan.consolidation.actions import Consolidation, consolider
from vif38_bilan.controle.retours import controler
from vif38_bilan.commun.ecriture import SortiesIndependantes, verrou
from vif38_bilan.espace.reglages import SERVICE_PAR_DEFAUT, Config, charger_config, exiger_reglages, racine_espace
from vif38_bilan.exceptions import SortieBloquee, Vif38Error
from vif38_bilan.consolidation.historique import Historique, ecrire_historique_vierge, lire_historique
from vif38_bilan.consolidation.import_word import historique_importe, sans_retour
from vif38_bilan.referentiel.protocole import Protocole, verifier_annee
from vif38_bilan.referentiel.chargement import charger_protocole
from vif38_bilan.controle.resultats import ResultatControle

NOM_CONSOLIDATION = "consolidation-{annee}.xlsx"
NOM_BILAN = "bilan-{annee}.docx"
NOM_PDF = "bilan-{annee}.pdf"
ETAPES_BILAN = ("contrôle", "consolidation", "classeur de consolidation", "bilan Word")


# ---------------------------------------------------------------- the workspace


@dataclass
class Espace:
    """An opened workspace: its root folder, its settings (vif38.toml) and its protocol."""

    racine: Path
    config: Config
    protocole: Protocole

    def dossier(self, nom: str, annee: int | None = None) -> Path:
        """racine/nom or racine/nom/annee (nom: "gabarits", "saisies" or "sorties")."""
        return self.config.dossier(nom, annee)

    def verrou(self) -> contextlib.AbstractContextManager[None]:
        """The workspace lock: raises EspaceVerrouille while another command works here."""
        return verrou(self.racine)

    def verifier_annee(self, annee: int) -> None:
        """Raise AnneeHorsProtocole (French message) when annee is not a year of the protocol."""
        verifier_annee(self.protocole, annee)


def creer_espace(
    dossier: str | Path,
    service: str = SERVICE_PAR_DEFAUT,
    courriel: str = "",
    date_limite: str = "",
    crees: list[Path] | None = None,
) -> Espace:
    """Create a workspace (gabarits/, saisies/, sorties/, vif38.toml, blank contacts.xlsx) and open it.

    Never overwrites an existing file. date_limite: JJ/MM/AAAA or "". crees, when given, receives
    the paths created. Raises ConfigurationInvalide (date_limite unreadable), SortieBloquee.
    """
    from vif38_bilan.courriels.contacts import creer_contacts_vierges
    from vif38_bilan.espace.reglages import initialiser

    faits = initialiser(
        dossier,
        service=service,
        courriel=courriel,
        date_limite=date_limite,
        contacts=lambda chemin: creer_contacts_vierges(charger_protocole(), chemin),
    )
    if crees is not None:
        crees.extend(faits)
    return ouvrir_espace(dossier)


def ouvrir_espace(dossier: str | Path = ".", referentiel: str | Path | None = None) -> Espace:
    """Open the workspace that holds dossier.

    Args:
        dossier: a folder inside the workspace (the current folder by default); the workspace is
            the nearest of it and its parents holding vif38.toml.
        referentiel: a protocol file (.toml, .json, .xlsx) used instead of vif38.toml's
            `referentiel` setting or the embedded Isère 2022-2024 protocol.
    Returns:
        Espace, with config and protocol loaded.
    Raises:
        EspaceIntrouvable: no workspace in dossier or its parents (nothing is written).
        ConfigurationInvalide: vif38.toml is malformed.
        ReferentielInvalide: the protocol file is malformed.
    """
    racine = racine_espace(dossier)
    config = charger_config(racine)
    protocole = charger_protocole(referentiel or config.referentiel)
    return Espace(racine=racine, config=config, protocole=protocole)


# ---------------------------------------------------------------- gabarits


def produire_gabarits(
    espace: Espace,
    annee: int,
    pilotes: list[str] | None = None,
    date_limite: date | None = None,
    sortie: str | Path | None = None,
    progression: Callable[[str], None] | None = None,
    maintenant: datetime | None = None,
) -> list[Path]:
    """Write one collection workbook per pilot for year annee.

    Args:
        pilotes: pilot codes or names (all active pilots when None).
        date_limite: return deadline printed in the workbooks (vif38.toml's when None).
        sortie: target folder (gabarits/AAAA/ by default).
        progression: called with each pilot code once its workbook is written.
    Returns:
        The workbooks' paths, in the protocol's pilot order.
    Raises:
        AnneeHorsProtocole, PiloteInconnu, SortieBloquee, EspaceVerrouille; ConfigurationInvalide
        when service, courriel or date_limite (unless given) is missing or malformed in vif38.toml.
    """
    from vif38_bilan.gabarits.generation import generer_gabarits, resoudre_pilotes

    espace.verifier_annee(annee)
    exiger_reglages(espace.config, "produire les classeurs", date_limite)
    dossier = Path(sortie) if sortie is not None else espace.dossier("gabarits", annee)
    codes = resoudre_pilotes(espace.protocole, pilotes)
    with espace.verrou():
        historique = lire_historique(espace.protocole, espace.dossier("sorties"), annee)
        faits = generer_gabarits(
            espace.protocole, annee, dossier, pilotes=codes, config=espace.config, date_limite=date_limite,
            statuts_anterieurs=historique.statuts, chiffres_anterieurs=historique.chiffres,
            progression=progression, maintenant=maintenant,
        )  # fmt: skip
    return [g.chemin for g in faits]


def lire_historique_annee(espace: Espace, annee: int) -> Historique:
    """The earlier years of annee as consolidated (or entered by hand) in sorties/<year>/.

    Returns Historique: statuses, values and observations per earlier year, the files read and
    the anomalies found in them (a history file never stops the run)."""
    h = lire_historique(espace.protocole, espace.dossier("sorties"), annee)
    for y, empreinte in sorted(h.empreintes.items()):
        v = validation.lire_validation(espace.dossier("sorties", y), y)
        signee = v.empreinte("consolidation") if v else None
        if signee is not None and signee.sha256 != empreinte:
            # A validated year is read as signed: a later hand edit is an erreur, never silently taken.
            message = HISTORIQUE_VALIDE_MODIFIE.message.format(chemin=h.sources[y], annee=y, date=v.date_francaise)
            h.anomalies.append(
                Anomalie(f"{y}/{h.sources[y].name}", None, None, None, ERREUR, message, HISTORIQUE_VALIDE_MODIFIE.id)
            )
    return h


def produire_historique_vierge(
    espace: Espace, annee: int, sortie: str | Path | None = None, remplacer: bool = False
) -> Path:
    """Write the blank history workbook of a year handled without the tool (e.g. 2022), to fill by hand.

    Args:
        sortie: target folder (sorties/AAAA/ by default, where the next year's bilan reads it).
        remplacer: overwrite an existing consolidation-AAAA.xlsx (its content is lost).
    Returns:
        The workbook's path.
    Raises:
        AnneeHorsProtocole, EspaceVerrouille, SortieBloquee; Vif38Error when the file exists
        and remplacer is False.
    """
    espace.verifier_annee(annee)
    dossier = Path(sortie) if sortie is not None else espace.dossier("sorties", annee)
    validation.refuser_si_validee(dossier, annee, "le classeur historique")
    chemin = dossier / NOM_CONSOLIDATION.format(annee=annee)
    if chemin.exists() and not remplacer:
        raise Vif38Error(
            f"« {chemin} » existe déjà (consolidation de {annee} ou historique déjà rempli) : il n'est pas remplacé. "
            "Pour repartir d'un classeur vierge, relancez avec --remplacer (le contenu actuel sera perdu)."
        )
    with espace.verrou():
        return ecrire_historique_vierge(espace.protocole, annee, chemin)


# ---------------------------------------------------------------- contrôle


def controler_annee(
    espace: Espace,
    annee: int,
    saisies: str | Path | None = None,
    sortie: str | Path | None = None,
    jobs: int | None = None,
    ecrire: bool = True,
    progression: Callable[[int, int], None] | None = None,
) -> ResultatControle:
    """Check every return of the year and write the report and the annotated copies.

    Args:
        saisies: folder of the returns (saisies/AAAA/ by default; sub-folders included).
        sortie: folder of controle-AAAA.xlsx and retours-annotes/ (sorties/AAAA/ by default).
        jobs: reading processes (automatic when None).
        ecrire: False to check only (no file written), e.g. to know who is missing.
        progression: called with (files checked, files to check) after each file.
    Returns:
        ResultatControle, with `.rapport` (Path or None when blocked), `.copies` (annotated copies)
        and `.sortie_bloquee` (SortieBloquee naming the outputs that could not be written, or None).
    Raises:
        AnneeHorsProtocole, EspaceVerrouille.
    """
    espace.verifier_annee(annee)
    with espace.verrou():
        return _controler(espace, annee, saisies, sortie, jobs, ecrire, progression=progression)


def _controler(
    espace: Espace,
    annee: int,
    saisies: str | Path | None,
    sortie: str | Path | None,
    jobs: int | None,
    ecrire: bool,
    sorties: SortiesIndependantes | None = None,
    progression: Callable[[int, int], None] | None = None,
) -> ResultatControle:
    """The check without the lock; sorties: outputs of a larger run (checked by the caller)."""
    from vif38_bilan.controle.rapport import ecrire_rapport, ecrire_retours_annotes

    saisies = Path(saisies) if saisies is not None else espace.dossier("saisies", annee)
    sortie = Path(sortie) if sortie is not None else espace.dossier("sorties", annee)
    if ecrire:
        validation.refuser_si_validee(sortie, annee, "le rapport de contrôle")
    historique = lire_historique_annee(espace, annee)
    precedentes, fuseau = historique.precedentes(annee), espace.config.fuseau
    resultat = controler(espace.protocole, annee, saisies, precedentes, jobs, progression, fuseau)
    if ecrire:
        # A report open in Excel must not prevent the annotated copies (and vice versa).
        propres = sorties or SortiesIndependantes()
        resultat.rapport = propres.essayer(ecrire_rapport, resultat, espace.protocole, sortie)
        resultat.copies = propres.essayer(ecrire_retours_annotes, resultat, saisies, sortie) or []
        if sorties is None:
            try:
                propres.verifier()
            except SortieBloquee as e:
                resultat.sortie_bloquee = e
    return resultat


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
        FichierRefuse / ModeleInvalide (the Word base), SortieBloquee (after writing what could be written).
    """
    from vif38_bilan.bilan import document as bilan
    from vif38_bilan.bilan import points_a_verifier
    from vif38_bilan.bilan.modele import verifier_modele

    espace.verifier_annee(annee)
    sortie = Path(sortie) if sortie is not None else espace.dossier("sorties", annee)
    dossier_saisies = Path(saisies) if saisies is not None else espace.dossier("saisies", annee)
    fait = progression or (lambda _etape: None)
    # Each output is attempted even when another is blocked (open in Excel or Word).
    sorties = SortiesIndependantes()
    modele = modele or espace.config.modele
    if modele:
        verifier_modele(modele)  # a faulty base stops the run before the check
    with espace.verrou():
        validation.refuser_si_validee(sortie, annee, "le bilan")
        # A year with no return whose history workbook exists (imported from an earlier bilan
        # document, or typed by hand) is read from that workbook, which is kept as is.
        importee = (
            resultat is None
            and sans_retour(dossier_saisies)
            and historique_importe(espace.protocole, espace.dossier("sorties"), annee) is not None
        )
        if importee:
            resultat = ResultatControle(annee, [], [], [], [])
            historique = lire_historique(espace.protocole, espace.dossier("sorties"), annee + 1)
        else:
            if resultat is None:
                resultat = _controler(espace, annee, saisies, sortie, jobs, ecrire=True, sorties=sorties)
            historique = lire_historique_annee(espace, annee)
        fait(ETAPES_BILAN[0])
        donnees = consolider(espace.protocole, annee, resultat, historique, annee_importee=importee)
        fait(ETAPES_BILAN[1])
        if importee:
            classeur = espace.dossier("sorties", annee) / NOM_CONSOLIDATION.format(annee=annee)
        else:
            classeur = sorties.essayer(ecrire_consolidation, donnees, sortie / NOM_CONSOLIDATION.format(annee=annee))
        fait(ETAPES_BILAN[2])
        document = sorties.essayer(
            bilan.ecrire_bilan,
            espace.protocole,
            annee,
            donnees,
            resultat,
            sortie / NOM_BILAN.format(annee=annee),
            Path(modele) if modele else None,
            presentation,
            date_edition,
            espace.config.service,
        )
        points = sorties.essayer(  # everything addressed to the agent, beside the bilan every time (issue 12)
            points_a_verifier.ecrire, espace.protocole, annee, donnees, resultat, sortie, date_edition
        )
        chemin_pdf, impossible, perime = _pdf(document, sortie / NOM_PDF.format(annee=annee), pdf)
        fait(ETAPES_BILAN[3])
    bloquee = resultat.sortie_bloquee
    try:
        sorties.verifier()
    except SortieBloquee as e:
        bloquee = e
    return SortiesBilan(
        resultat, historique, donnees, resultat.rapport, classeur, document, bloquee, chemin_pdf, impossible, perime,
        importee, points,
    )  # fmt: skip


def _pdf(document: Path | None, chemin: Path, demande: bool) -> tuple[Path | None, str | None, Path | None]:
    """(pdf written, why not, stale pdf removed) after the .docx was (or was not) written."""
    from vif38_bilan.bilan.pdf import PdfImpossible, exporter_pdf

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


def fichiers_retours(espace: Espace, annee: int) -> list[Path]:
    """Every file the check reads in saisies/AAAA/ (nothing is written); [] without the folder."""
    if not espace.dossier("saisies", annee).is_dir():
        return []
    resultat = _controler(espace, annee, None, None, None, ecrire=False)
    return [f.chemin for f in resultat.fichiers]


# ---------------------------------------------------------------- courriels


def preparer_courriels(
    espace: Espace,
    annee: int,
    type_: str = "envoi",
    resultat: ResultatControle | None = None,
    maintenant: datetime | None = None,
    date_limite: date | None = None,
):
    """Write one .eml draft per recipient in sorties/AAAA/courriels/<type>/.

    Args:
        type_: "envoi" (each pilot's workbook), "relance" (pilots without a usable return) or
            "correction" (returns with erreurs, annotated copy attached).
        resultat: the year's check result; for relance/correction it is computed here (check
            only, nothing written) when None, never when given.
        maintenant: the drafts' date (now when None).
        date_limite: the deadline written in the e-mails instead of vif38.toml's.
    Returns:
        courriels.Preparation (drafts written, pilots without address, stale drafts removed).
    Raises:
        AnneeHorsProtocole, ConfigurationInvalide (vif38.toml: service, courriel, date_limite
        missing or malformed; contacts.xlsx), Vif38Error
        (no saisies/AAAA/ folder for relance/correction), EspaceVerrouille.
    """
    from vif38_bilan.courriels.brouillons import preparer_courriels as preparer

    espace.verifier_annee(annee)
    exiger_reglages(espace.config, "préparer les courriels", date_limite)
    config = replace(espace.config, date_limite=date_limite) if date_limite else espace.config
    with espace.verrou():
        if resultat is None and type_ != "envoi":
            dossier = espace.dossier("saisies", annee)
            if not dossier.is_dir():
                raise Vif38Error(
                    f"Le dossier des retours « {dossier} » n'existe pas : déposez-y les classeurs reçus, "
                    f"lancez « vif38-bilan controler --annee {annee} », puis relancez cette commande."
                )
            resultat = _controler(espace, annee, None, None, None, ecrire=False)
        return preparer(config, espace.protocole, annee, type_, resultat=resultat, maintenant=maintenant)


def nom_affichable(espace: Espace, nom: str) -> str:
    """A file name as a page may show it: personal data replaced by « [donnée personnelle retirée] »
    (the check's gate, controle/barriere.py; the language model loads only if the name needs it)."""
    from vif38_bilan.controle.barriere import nom_de_fichier
    from vif38_bilan.controle.donnees_personnelles import exceptions_du_protocole

    return nom_de_fichier(nom, exceptions_du_protocole(espace.protocole))[0]


def cout_donnees_personnelles() -> dict[str, float]:
    """What the personal-data gate's language model cost in this process: load (s), texts
    analysed, their total time (s); zeros when no text needed it (controle/langue.py)."""
    from vif38_bilan.controle import langue

    c = langue.cout()
    return {"chargement_s": c.chargement, "textes": c.textes, "analyse_s": c.analyse}
