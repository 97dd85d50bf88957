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

from vif38_bilan.lecture import horodatage
from vif38_bilan.regles import (
    A_CORRIGER,
    AVERTISSEMENT,
    DOUBLON,
    ERREUR,
    EXPORT_CSV,
    FICHIER_ECARTE,
    FICHIER_ILLISIBLE,
    FICHIER_REFUSE,
    IGNORE,
    LECTURE_INTERROMPUE,
    ORDRE_INCERTAIN,
    ORDRE_INDECIDABLE,
    REGLES,
    REMPLACE,
    REMPLACE_PAR,
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
    from vif38_bilan.saisies import dossiers

    dossier = Path(dossier_saisies)
    if not dossier.is_dir():
        quoi = "n'est pas un dossier" if dossier.exists() else "n'existe pas"
        raise Vif38Error(
            f"Le dossier des saisies « {dossier} » {quoi} : créez-le, déposez-y les classeurs reçus des "
            "pilotes (le nom des fichiers n'a pas d'importance), puis relancez la commande."
        )
    a_lire, ecartes = dossiers.lister_saisies(dossier)
    precedentes = dict(valeurs_precedentes or {})

    resultats = _executer(a_lire, dossier, protocole, annee, precedentes, jobs, progression)
    for chemin, raison in ecartes:
        resultats.append(_ecarte(chemin, dossier, raison, protocole))
    resultats.sort(key=lambda r: (r.fichier.nom.casefold(), r.fichier.nom))

    # Personal data: one gate for every text, before the messages quoting file names are written.
    retraits = barriere.filtrer(resultats, protocole)
    _departager(resultats, horodatage.fuseau(fuseau))

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

    repondu = {rep.pilote for rep in reponses}
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
        controler_fichier, racine=racine, protocole=protocole, annee=annee, valeurs_precedentes=precedentes
    )
    try:
        return executer_isole(fonction, chemins, partial(_interrompu, racine=racine), jobs=jobs, progression=fait)
    except OSError:  # no child process on this machine: read here
        resultats = []
        for c in chemins:
            resultats.append(fonction(c))
            fait(len(resultats), len(chemins))
        return resultats


def _interrompu(chemin: Path, echec: Echec, racine: Path) -> ResultatFichier:
    """A file whose reading child died or was stopped."""
    nom = _nom(chemin, racine)
    message = echec.message()
    fichier = FichierControle(chemin=Path(chemin), nom=nom, etat=IGNORE, motif=message)
    return ResultatFichier(fichier, [_sur_fichier(nom, LECTURE_INTERROMPUE, message)], [])


def _nom(chemin: Path, racine: Path) -> str:
    from vif38_bilan.lecture.examen import nom_lisible

    try:
        rel = Path(chemin).relative_to(racine).as_posix()
    except ValueError:
        rel = Path(chemin).name
    return rel if rel.isascii() and rel.isprintable() else nom_lisible(rel)


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
) -> ResultatFichier:
    """Read and check one return. Never raises for a bad file: every problem is an anomalie."""
    from vif38_bilan.lecture import classeur as lecture
    from vif38_bilan.saisies import retour as saisies

    nom = _nom(chemin, racine)
    fichier = FichierControle(chemin=Path(chemin), nom=nom, etat=IGNORE)
    try:
        lu = lecture.lire_classeur(chemin)  # read once: checked, then these bytes are parsed
        fichier.format = lu.format
        retour = saisies.lire_retour(chemin, racine, lu)
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
        if regle is EXPORT_CSV and (pilote := _pilote_du_csv(Path(chemin), protocole)):
            fichier.pilote = pilote
            message = message_csv(renomme=True, pilote=_nom_pilote(protocole, pilote))
        fichier.motif = message
        anomalie = Anomalie(nom, e.feuille, e.cellule, None, regle.gravite, message, regle.id, fichier.pilote)
        return ResultatFichier(fichier, [anomalie], [])
    except Exception as e:  # a parser bug must not stop the other files
        message = FICHIER_ILLISIBLE.texte(type=type(e).__name__)
        fichier.motif = message
        return ResultatFichier(fichier, [_sur_fichier(nom, FICHIER_ILLISIBLE, message)], [])


def _pilote_du_csv(chemin: Path, protocole: Protocole) -> str | None:
    """The pilot whose actions are exactly the action codes of a CSV export (None if unsure)."""
    from vif38_bilan.lecture import securite

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
            if avec_date:
                quand = horodatage.en_heure_locale(gagnant.fichier.modifie_le, zone)
            else:
                quand = datetime.fromtimestamp(_mtime(gagnant.fichier.chemin))
            _remplacer(r, gagnant, REMPLACE_PAR, REMPLACE_PAR.texte(autre=gagnant.fichier.nom, quand=quand))


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
    from vif38_bilan.lecture.classeur import lire_classeur

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
