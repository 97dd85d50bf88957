"""The year, step by step: the only module that chains the steps of the cycle.

ouvrir_espace → produire_gabarits → controler_annee → produire_bilan → preparer_courriels.
The CLI, the demo, the web page and the benchmark call these functions; the modules below them
(gabarits, saisies, controle, consolidation, bilan, courriels) each do one step and never run
another one.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import date, datetime
from pathlib import Path
from typing import TYPE_CHECKING

from vif38_bilan.commun.ecriture import SortiesIndependantes
from vif38_bilan.consolidation.historique import Historique, ecrire_historique_vierge, lire_historique
from vif38_bilan.controle.rapport import ecrire_rapport, ecrire_retours_annotes
from vif38_bilan.controle.resultats import ResultatControle
from vif38_bilan.controle.retours import controler
from vif38_bilan.cycle.ouverture import Espace
from vif38_bilan.espace import cloture as validation
from vif38_bilan.espace import fichiers
from vif38_bilan.espace.reglages import exiger_reglages
from vif38_bilan.exceptions import SortieBloquee, Vif38Error
from vif38_bilan.regles import ERREUR, HISTORIQUE_VALIDE_MODIFIE, Anomalie
from vif38_bilan.controle.barriere import nom_de_fichier
from vif38_bilan.controle.donnees_personnelles import exceptions_du_protocole
from vif38_bilan.controle import langue

if TYPE_CHECKING:
    from vif38_bilan.gabarits.generation import GabaritGenere



# ---------------------------------------------------------------- gabarits


@dataclass(frozen=True)
class Gabarits:
    """What produire_gabarits did: the workbooks, in the protocol's pilot order, and what they lack."""

    annee: int
    dossier: Path
    lignes: tuple[GabaritGenere, ...]  # pilot, file name, rows as chef de file / co-pilote, path
    annees_sans_historique: tuple[int, ...]  # earlier years whose status column stays empty
    actions_couvertes: int  # actions of the protocol present in at least one workbook
    actions_total: int

    @property
    def chemins(self) -> list[Path]:
        return [li.chemin for li in self.lignes]


def produire_gabarits(
    espace: Espace,
    annee: int,
    pilotes: list[str] | None = None,
    date_limite: date | None = None,
    sortie: str | Path | None = None,
    progression: Callable[[str], None] | None = None,
    maintenant: datetime | None = None,
) -> Gabarits:
    """Write one collection workbook per pilot for year annee.

    Args:
        pilotes: pilot codes or names (all active pilots when None).
        date_limite: return deadline printed in the workbooks (vif38.toml's when None).
        sortie: target folder (gabarits/AAAA/ by default).
        progression: called with each pilot code once its workbook is written.
    Returns:
        Gabarits: the workbooks with each pilot's rows, the earlier years without history.
    Raises:
        AnneeHorsProtocole, PiloteInconnu, SortieBloquee, EspaceVerrouille; ConfigurationInvalide
        when service, courriel or date_limite (unless given) is missing or malformed in vif38.toml.
    """
    from vif38_bilan.gabarits.generation import generer_gabarits, resoudre_pilotes  # lazy: openpyxl

    espace = espace.pour_annee(annee)
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
    p = espace.protocole
    couvertes = {a.code for g in faits for a, _ in p.actions_du_pilote(g.pilote)}
    return Gabarits(annee, dossier, tuple(faits), tuple(historique.annees_absentes), len(couvertes), len(p.actions))


def lire_historique_annee(espace: Espace, annee: int) -> Historique:
    """The earlier years of annee as consolidated (or entered by hand) in sorties/<year>/.

    Returns Historique: statuses, values and observations per earlier year, the files read and
    the anomalies found in them (a history file never stops the run)."""
    espace = espace.pour_annee(annee, verifier=False)
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
    espace = espace.pour_annee(annee)
    dossier = Path(sortie) if sortie is not None else espace.dossier("sorties", annee)
    validation.refuser_si_validee(dossier, annee, "le classeur historique")
    chemin = dossier / fichiers.nom_consolidation(annee)
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
    espace = espace.pour_annee(annee)
    with espace.verrou():
        return executer_controle(espace, annee, saisies, sortie, jobs, ecrire, progression=progression)


def executer_controle(
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


def fichiers_retours(espace: Espace, annee: int) -> list[Path]:
    """Every file the check reads in saisies/AAAA/ (nothing is written); [] without the folder."""
    if not espace.dossier("saisies", annee).is_dir():
        return []
    resultat = executer_controle(espace, annee, None, None, None, ecrire=False)
    return [f.chemin for f in resultat.fichiers]


# ---------------------------------------------------------------- the personal-data gate, for the faces


def nom_sans_donnees(espace: Espace, nom: str) -> str:
    """A file name as a page may show it: personal data replaced by « [donnée personnelle retirée] »
    (the check's gate, controle/barriere.py; the language model loads only if the name needs it)."""
    return nom_de_fichier(nom, exceptions_du_protocole(espace.protocole))[0]


def cout_donnees_personnelles() -> dict[str, float]:
    """What the personal-data gate's language model cost in this process: load (s), texts
    analysed, their total time (s); zeros when no text needed it (controle/langue.py)."""
    c = langue.cout()
    return {"chargement_s": c.chargement, "textes": c.textes, "analyse_s": c.analyse}
