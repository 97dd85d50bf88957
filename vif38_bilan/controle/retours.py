"""Checks the returns of one year: findings (anomalies) as data, one pass over all files.

`controler_fichier` is a pure function of one path (no shared state beyond its arguments):
`controler` maps it over the returns folder, serially or over worker processes, then settles
what needs every file at once (several returns for the same pilot, missing pilots). The checks
of one file are in `verifications.py`, the rules and the records in `anomalies.py`.
"""

from __future__ import annotations

import os
from collections.abc import Callable
from datetime import datetime
from functools import partial
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

from vif38_bilan.commun.textes import nature_erreur
from vif38_bilan.lecture import horodatage
from vif38_bilan.saisies.dossiers import EXTENSIONS_CLASSEURS
from vif38_bilan.regles import (
    A_CORRIGER,
    AVERTISSEMENT,
    DOUBLON,
    ERREUR,
    EXPORT_CSV,
    FICHIER_ABIME,
    FICHIER_ECARTE,
    FICHIER_ILLISIBLE,
    FICHIER_REFUSE,
    IGNORE,
    LECTURE_INTERROMPUE,
    ORDRE_INCERTAIN,
    ORDRE_INDECIDABLE,
    REGLES,
    REMPLACE,
    PERIME,
    REMPLACE_PAR,
    REMPLACE_PAR_DATE_FICHIER,
    VALIDE,
    Anomalie,
    Regle,
)
from vif38_bilan.exceptions import FichierRefuse, Vif38Error
from vif38_bilan.lecture.export_csv import message_csv, pilote_du_csv
from vif38_bilan.lecture.isolee import Echec, executer_isole
from vif38_bilan.referentiel.protocole import Protocole
from vif38_bilan.controle import barriere
from vif38_bilan.controle.resultats import FichierControle, ResultatControle, ResultatFichier
from vif38_bilan.controle.verifications import Contexte, collecter, verifier_retour
from vif38_bilan.controle.verifications_chiffres import verifier_chiffres
from vif38_bilan.saisies import dossiers
from vif38_bilan.lecture.examen import nom_lisible
from vif38_bilan.lecture import classeur as lecture
from vif38_bilan.saisies import retour as saisies
from vif38_bilan.lecture import securite
from vif38_bilan.lecture.classeur import lire_classeur
from vif38_bilan.saisies.pieces_jointes import deplier

# Below this many files, worker processes cost more than they save (jobs=None): a normal year
# (30 to 60 returns) never starts a pool. Measured for issue 11 with benchmarks' phase_controle
# (fresh process each, median of 5, 2 cores, "fork", machine shared, load ~6): serial vs
# 2 workers, 28 returns 0.06 s vs 0.20 s, 150 returns 0.42 s vs 0.79 s, 300 returns 1.96 s vs
# 2.07 s (even), 400 returns 1.54 s vs 1.18 s. "spawn" (Windows, macOS) re-imports everything in
# each worker: a pool only from SEUIL_PARALLELE_SPAWN.
SEUIL_PARALLELE = 300
SEUIL_PARALLELE_SPAWN = 1000


# ---------------------------------------------------------------- entry point


def controler(
    protocole: Protocole,
    annee: int,
    dossier_saisies: Path,
    valeurs_precedentes: dict[tuple[str, int], Any] | None = None,
    jobs: int | None = None,
    progression: Callable[[int, int], None] | None = None,
    fuseau: str | None = None,
) -> ResultatControle:
    """Check every file under dossier_saisies (sub-folders included) for year annee.

    fuseau: time zone of the local times LibreOffice writes (Europe/Paris when None), used to
    order several versions of one return.

    valeurs_precedentes: last year's figures for the outlier rule, keyed (action code, indicator
    index from 0) for the consolidated value and (code, index, pilot code) for a pilot's own value. jobs: worker processes (None: automatic, 1: none).
    progression: called with (files checked, files to check) after each file.
    """
    dossier = Path(dossier_saisies)
    if not dossier.is_dir():
        quoi = "n'est pas un dossier" if dossier.exists() else "n'existe pas"
        raise Vif38Error(
            f"Le dossier des saisies « {dossier} » {quoi} : créez-le, déposez-y les classeurs reçus des "
            "pilotes (le nom des fichiers n'a pas d'importance), puis relancez la commande."
        )

    a_lire, ecartes = dossiers.lister_saisies(dossier)
    precedentes = dict(valeurs_precedentes or {})
    # Containers opened, encoded names decoded (issue 25): each attachment is read like a file.
    entrees, conteneurs = deplier(a_lire, dossier, {c: _nom(c, dossier) for c in a_lire}, jobs=jobs or 1)
    noms = {e.chemin: e.nom for e in entrees}
    resultats = _executer([e.chemin for e in entrees], dossier, protocole, annee, precedentes, jobs, progression, noms)
    for e, r in zip(entrees, resultats, strict=True):
        if e.origine:
            r.fichier.motif = " ".join((e.origine[:1].upper() + e.origine[1:] + ".", r.fichier.motif)).strip()
    resultats += [_conteneur(c) for c in conteneurs]
    for chemin, raison in ecartes:
        resultats.append(_ecarte(chemin, dossier, raison, protocole))
    resultats.sort(key=lambda r: (r.fichier.nom.casefold(), r.fichier.nom))

    # Personal data: one gate for every text, before the messages quoting file names are written.
    retraits = barriere.filtrer(resultats, protocole)
    _departager(resultats, horodatage.fuseau(fuseau))
    _perimer(resultats)

    fichiers, anomalies, reponses, chiffres = [], [], [], []
    for r in resultats:
        r.fichier.erreurs = sum(a.gravite == ERREUR for a in r.anomalies)
        r.fichier.avertissements = sum(a.gravite == AVERTISSEMENT for a in r.anomalies)
        if r.fichier.etat in (VALIDE, A_CORRIGER):
            r.fichier.etat = A_CORRIGER if r.fichier.erreurs else VALIDE
        fichiers.append(r.fichier)
        anomalies.extend(r.anomalies)
        reponses.extend(r.reponses)
        chiffres.extend(r.chiffres)

    # A pilot who answered in last year's workbook (to be copied into this year's) is not missing.
    repondu = {rep.pilote for rep in reponses}
    repondu |= {f.pilote for f in fichiers if f.etat == A_CORRIGER and f.pilote and f.annee not in (None, annee)}
    manquants = [p.code for p in protocole.pilotes_actifs() if p.code not in repondu]
    return ResultatControle(annee, fichiers, anomalies, reponses, manquants, chiffres=chiffres, retraits=retraits)


def _executer(
    chemins: list[Path],
    racine: Path,
    protocole: Protocole,
    annee: int,
    precedentes: dict[tuple[str, int], Any],
    jobs: int | None,
    progression: Callable[[int, int], None] | None = None,
    noms: dict[Path, str] | None = None,
) -> list[ResultatFichier]:
    fait = progression or (lambda _n, _total: None)
    if jobs is None:
        jobs = 1
        if len(chemins) >= SEUIL_PARALLELE:
            import multiprocessing

            if len(chemins) >= SEUIL_PARALLELE_SPAWN or multiprocessing.get_start_method() == "fork":
                jobs = os.cpu_count() or 1
    jobs = max(1, min(jobs, len(chemins) or 1))
    if not chemins:
        return []
    # Each file is read in a child process (issue 14): a parser that aborts, runs out of memory
    # or hangs on one attachment costs that file only, and the other returns are still reported.
    fonction = partial(
        controler_fichier, racine=racine, protocole=protocole, annee=annee, valeurs_precedentes=precedentes, noms=noms
    )
    try:
        en_echec = partial(_interrompu, racine=racine, noms=noms)
        return executer_isole(fonction, chemins, en_echec, jobs=jobs, progression=fait)
    except OSError:  # no child process on this machine: read here
        resultats = []
        for c in chemins:
            resultats.append(fonction(c))
            fait(len(resultats), len(chemins))
        return resultats


def _interrompu(chemin: Path, echec: Echec, racine: Path, noms: dict[Path, str] | None = None) -> ResultatFichier:
    """A file whose reading child died or was stopped."""
    nom = (noms or {}).get(chemin) or _nom(chemin, racine)
    message = echec.message()
    fichier = FichierControle(chemin=Path(chemin), nom=nom, etat=IGNORE, motif=message)
    return ResultatFichier(fichier, [_sur_fichier(nom, LECTURE_INTERROMPUE, message)], [])


def _nom(chemin: Path, racine: Path) -> str:
    try:
        rel = Path(chemin).relative_to(racine).as_posix()
    except ValueError:
        rel = Path(chemin).name
    return rel if rel.isascii() and rel.isprintable() else nom_lisible(rel)


_CONTENEURS = {
    "tnef": "Pièce jointe Outlook (winmail.dat) ouverte",
    "eml": "Message électronique ouvert",
    "msg": "Message Outlook ouvert",
    "zip": "Archive ZIP ouverte",
}


def _conteneur(c: Any) -> ResultatFichier:
    """A container opened by saisies.pieces_jointes: what came out of it (each attachment is
    reported on its own line), or why it could not be opened."""
    quoi = _CONTENEURS[c.type]
    fichier = FichierControle(chemin=Path(c.chemin), nom=c.nom, etat=IGNORE)
    if c.refus is not None:
        message, regle_id = c.refus
        regle = REGLES.get(regle_id, FICHIER_REFUSE)
        fichier.motif = message
        return ResultatFichier(fichier, [_sur_fichier(c.nom, regle, message)], [])
    if not c.pieces and c.type == "tnef":
        # A winmail.dat exists only to carry attachments: none readable means a truncated file.
        fichier.motif = (
            f"« {c.nom} » est une pièce jointe Outlook (winmail.dat) sans pièce jointe lisible (fichier tronqué ?) : "
            "demandez au pilote de renvoyer son classeur en pièce jointe ordinaire (message au format HTML ou texte)."
        )
        return ResultatFichier(fichier, [_sur_fichier(c.nom, FICHIER_ABIME, fichier.motif)], [])
    if not c.pieces:
        fichier.motif = f"{quoi} : aucune pièce jointe."
        raison = "c'est un message ou une archive sans pièce jointe (aucun classeur à lire)"
        return ResultatFichier(fichier, [_sur_fichier(c.nom, FICHIER_ECARTE, FICHIER_ECARTE.texte(raison=raison))], [])
    liste = ", ".join(f"« {p} »" for p in c.pieces)
    fichier.motif = f"{quoi} : {len(c.pieces)} pièce(s) jointe(s) extraite(s) et lue(s) séparément ({liste})."
    return ResultatFichier(fichier, [], [])


def _ecarte(chemin: Path, racine: Path, raison: str, protocole: Protocole | None = None) -> ResultatFichier:
    """A file set aside by the listing (not a workbook, temporary, link...)."""
    nom = _nom(chemin, racine)
    fichier = FichierControle(chemin=Path(chemin), nom=nom, etat=IGNORE, motif=raison[:1].upper() + raison[1:])
    if protocole is not None and Path(chemin).suffix.lower() == ".csv":
        # A CSV export is a pilot's answer in the wrong form: say whose, and ask for the workbook.
        fichier.pilote = _pilote_du_csv(Path(chemin), protocole)
        fichier.motif = message_csv(renomme=False, pilote=_nom_pilote(protocole, fichier.pilote))
        anomalie = Anomalie(nom, None, None, None, EXPORT_CSV.gravite, fichier.motif, EXPORT_CSV.id, fichier.pilote)
        return ResultatFichier(fichier, [anomalie], [])
    anomalies = []
    # Office/LibreOffice leftovers and hidden items are noise; anything else (a PDF, a link, a
    # .docx) may be a pilot's misdirected answer: flagged.
    if "temporaire" not in raison and "caché" not in raison:
        anomalies.append(_sur_fichier(nom, FICHIER_ECARTE, FICHIER_ECARTE.texte(raison=raison)))
    return ResultatFichier(fichier, anomalies, [])


# ---------------------------------------------------------------- one file


def controler_fichier(
    chemin: Path,
    racine: Path,
    protocole: Protocole,
    annee: int,
    valeurs_precedentes: dict[tuple[str, int], Any] | None = None,
    noms: dict[Path, str] | None = None,
) -> ResultatFichier:
    """Read and check one return. Never raises for a bad file: every problem is an anomalie.
    noms: the shown name of a path when it is not its path relative to racine (an attachment
    extracted from a container, a decoded MIME name)."""
    nom = (noms or {}).get(chemin) or _nom(chemin, racine)
    fichier = FichierControle(chemin=Path(chemin), nom=nom, etat=IGNORE)
    try:
        lu = lecture.lire_classeur(chemin)  # read once: checked, then these bytes are parsed
        fichier.format = lu.format
        retour = saisies.lire_retour(chemin, racine, lu, nom=nom)
        fichier.sha256 = retour.sha256
        fichier.feuille = retour.feuille
        anomalies: list[Anomalie] = []
        ctx = Contexte(protocole, annee, valeurs_precedentes or {}, nom)
        reponses, cle = collecter(verifier_retour(ctx, retour, lu.avertissements, fichier), anomalies)
        chiffres = []
        if fichier.etat == VALIDE and fichier.pilote:
            ctx = Contexte(
                protocole, annee, valeurs_precedentes or {}, nom, pilote=fichier.pilote, structure=fichier.structure
            )
            chiffres = collecter(verifier_chiffres(ctx, retour, fichier.pilote, fichier.structure or ""), anomalies)
            if cle is None:
                chiffres = []  # collective return without its structure: not attributable, not used
        return ResultatFichier(fichier, anomalies, reponses, cle, chiffres)
    except FichierRefuse as e:
        regle = REGLES.get(getattr(e, "regle", None) or "", FICHIER_REFUSE)
        message = str(e)
        # Judged on content whatever the name (issue 25): the name only changes the wording.
        renomme = Path(nom).suffix.lower() in EXTENSIONS_CLASSEURS
        if regle is EXPORT_CSV:
            pilote = _pilote_du_csv(Path(chemin), protocole)
            fichier.pilote = pilote
            message = message_csv(renomme=renomme, pilote=_nom_pilote(protocole, pilote))
        elif getattr(e, "document", None):
            # A document recognised by its content (PDF, Word, image, text): set aside with a
            # warning whatever its name, as it may be a pilot's misdirected answer.
            regle = FICHIER_ECARTE
            raison = f"ce n'est pas un classeur ({e.document}) ; vérifiez s'il s'agit d'une réponse mal envoyée"
            message = FICHIER_ECARTE.texte(raison=raison)
        fichier.motif = message
        anomalie = Anomalie(nom, e.feuille, e.cellule, None, regle.gravite, message, regle.id, fichier.pilote)
        return ResultatFichier(fichier, [anomalie], [])
    except Exception as e:  # a parser bug must not stop the other files
        message = FICHIER_ILLISIBLE.texte(type=nature_erreur(e))
        fichier.motif = message
        return ResultatFichier(fichier, [_sur_fichier(nom, FICHIER_ILLISIBLE, message)], [])


def _pilote_du_csv(chemin: Path, protocole: Protocole) -> str | None:
    """The pilot whose actions are exactly the action codes of a CSV export (None if unsure)."""
    try:
        donnees = securite.lire_fichier(chemin).donnees
    except FichierRefuse:
        return None
    actions = {p.code: {a.code for a, _ in protocole.actions_du_pilote(p.code)} for p in protocole.pilotes_actifs()}
    return pilote_du_csv(donnees, actions)


def _nom_pilote(protocole: Protocole, code: str | None) -> str | None:
    if not code:
        return None
    nom = protocole.pilote(code).nom
    return nom if code in nom else f"{nom}, {code}"


def _sur_fichier(nom: str, regle: Regle, message: str) -> Anomalie:
    return Anomalie(nom, None, None, None, regle.gravite, message, regle.id)


# ---------------------------------------------------------------- several returns for one pilot


def _departager(resultats: list[ResultatFichier], zone: ZoneInfo) -> None:
    """Several usable returns for the same pilot and structure: keep the most recently saved one."""
    groupes: dict[tuple[str, str], list[ResultatFichier]] = {}
    for r in resultats:
        if r.cle is not None and r.fichier.etat != IGNORE:
            groupes.setdefault(r.cle, []).append(r)
    for groupe in groupes.values():
        if len(groupe) < 2:
            continue
        # Byte-identical copies: the first (path order) stands for all of them.
        distincts: list[ResultatFichier] = []
        par_sha: dict[str, ResultatFichier] = {}
        for r in groupe:
            premier = par_sha.get(r.fichier.sha256)
            if premier is None:
                par_sha[r.fichier.sha256] = r
                distincts.append(r)
            else:
                _remplacer(r, premier, DOUBLON, DOUBLON.texte(autre=premier.fichier.nom))
        if len(distincts) < 2:
            continue
        # Saved times in true UTC: LibreOffice writes local time (issue 14).
        heures = {id(r): _horodatage(r.fichier, zone) for r in distincts}
        for r in distincts:
            h = heures[id(r)]
            r.fichier.modifie_le = h.utc if h else None
        avec_date = all(r.fichier.modifie_le is not None for r in distincts)

        def ordre(r: ResultatFichier, avec_date: bool = avec_date) -> tuple:
            mtime = _mtime(r.fichier.chemin)
            return (r.fichier.modifie_le, mtime) if avec_date else (mtime,)

        classes = sorted(distincts, key=ordre, reverse=True)
        if ordre(classes[0]) == ordre(classes[1]):
            noms = ", ".join(f"« {r.fichier.nom} »" for r in distincts)
            for r in distincts:
                r.reponses, r.chiffres = [], []
                r.fichier.motif = "Plusieurs versions enregistrées au même moment : aucune n'est utilisée."
                r.anomalies.append(_sur_retour(r, ORDRE_INDECIDABLE, ORDRE_INDECIDABLE.texte(qui=_qui(r), noms=noms)))
            continue
        gagnant = classes[0]
        for r in classes[1:]:
            h_g, h_r = heures[id(gagnant)], heures[id(r)]
            if avec_date and horodatage.ordre_incertain(h_g, h_r):
                message = ORDRE_INCERTAIN.texte(
                    qui=_qui(r),
                    garde=gagnant.fichier.nom,
                    autre=r.fichier.nom,
                    quand_garde=horodatage.en_heure_locale(h_g.utc, zone),
                    quand_autre=horodatage.en_heure_locale(h_r.utc, zone),
                    fuseau=zone.key,
                    raison=_raison_incertaine(h_g, h_r),
                )
                _remplacer(r, gagnant, ORDRE_INCERTAIN, message)
                continue
            if avec_date and gagnant.fichier.modifie_le != r.fichier.modifie_le:
                quand = horodatage.en_heure_locale(gagnant.fichier.modifie_le, zone)
                _remplacer(r, gagnant, REMPLACE_PAR, REMPLACE_PAR.texte(autre=gagnant.fichier.nom, quand=quand))
                continue
            # Same saved time (or none): the files' dates decided, and the message says so (issue 25).
            quand = datetime.fromtimestamp(_mtime(gagnant.fichier.chemin))
            heure = (
                f"le {horodatage.en_heure_locale(r.fichier.modifie_le, zone):%d/%m/%Y à %H:%M}"
                if r.fichier.modifie_le
                else "aucune heure d'enregistrement"
            )
            message = REMPLACE_PAR_DATE_FICHIER.texte(autre=gagnant.fichier.nom, quand=quand, heure=heure)
            _remplacer(r, gagnant, REMPLACE_PAR_DATE_FICHIER, message)


def _perimer(resultats: list[ResultatFichier]) -> None:
    """A file of a pilot that is not used (last year's workbook, a CSV export, an unreadable
    copy) no longer counts once a usable return of that pilot is in the folder (issue 25): its
    findings become one avertissement, so a superseded file never keeps the run in error.
    Collective pilots are left alone: an unused file does not say which structure sent it."""
    utilises: dict[str, ResultatFichier] = {}
    for r in resultats:
        if r.reponses and r.fichier.pilote and r.fichier.etat in (VALIDE, A_CORRIGER):
            utilises.setdefault(r.fichier.pilote, r)
    for r in resultats:
        f = r.fichier
        if r.reponses or r.cle is not None or f.etat == REMPLACE or f.pilote not in utilises:
            continue
        gagnant = utilises[f.pilote]
        if gagnant.cle is None or gagnant.cle[1]:
            continue  # collective pilot: which structure sent the unused file is unknown
        avant = " ".join(a.message for a in r.anomalies if a.gravite == ERREUR) or f.motif
        _remplacer(r, gagnant, PERIME, PERIME.texte(qui=_qui(gagnant), autre=gagnant.fichier.nom, avant=avant))


def _raison_incertaine(*heures: horodatage.Horodatage) -> str:
    locales = [h for h in heures if not h.certain]
    programme = "LibreOffice" if any("libre" in h.application.lower() for h in locales) else "le tableur"
    return (
        f"{programme} enregistre l'heure locale sans préciser le fuseau, et les deux enregistrements sont trop "
        "proches pour être classés avec certitude"
    )


def _remplacer(r: ResultatFichier, par: ResultatFichier, regle: Regle, message: str) -> None:
    """r is superseded by par: its answers and its own findings no longer count."""
    r.reponses = []
    r.chiffres = []
    r.anomalies = [_sur_retour(r, regle, message)]
    r.fichier.etat = REMPLACE
    r.fichier.remplace_par = par.fichier.nom
    r.fichier.motif = message


def _sur_retour(r: ResultatFichier, regle: Regle, message: str) -> Anomalie:
    f = r.fichier
    return Anomalie(f.nom, f.feuille, None, None, regle.gravite, message, regle.id, f.pilote, f.structure)


def _qui(r: ResultatFichier) -> str:
    if r.fichier.structure and r.fichier.structure != r.fichier.pilote:
        return f"{r.fichier.pilote} ({r.fichier.structure})"
    return str(r.fichier.pilote)


def _horodatage(f: FichierControle, zone: ZoneInfo) -> horodatage.Horodatage | None:
    try:
        lu = lire_classeur(f.chemin)  # read again: checked, and the very file the check saw
    except FichierRefuse:
        return None
    return horodatage.horodatage(lu.donnees, lu.format, zone) if lu.sha256 == (f.sha256 or lu.sha256) else None


def _mtime(chemin: Path) -> float:
    try:
        return chemin.stat().st_mtime
    except OSError:
        return 0.0
