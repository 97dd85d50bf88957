"""Ingestion benchmark (issue 7): N distinct filled returns, then timed in one run:

- template generation (every pilot of one year),
- the floor: the same files' cell values read with python-calamine alone, in one process,
- ``controle.controler`` on the N returns: serial, with J worker processes, and automatic,
- consolidation (``consolider`` + the consolidation workbook) and the Word bilan.

Floor and controler runs alternate for R repetitions; medians are reported. Every measured
phase runs in a fresh subprocess, so its peak memory (ru_maxrss) is its own. The last line is

    ratio_plancher=R fichiers_par_s=F pic_memoire_mo=M

Usage: python benchmarks/ingestion.py --retours 400 [--repetitions 5] [--jobs 2] [--sortie DIR]
The generated corpus is cached under DIR/corpus-N (generation is never timed).
"""

from __future__ import annotations

import argparse
import json
import math
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from collections import Counter
from pathlib import Path
from typing import Any

ANNEE = 2023
# Bump when the corpus layout or content changes: cached corpora are then rebuilt.
VERSION_CORPUS = 3
PAR_DEPARTEMENT = 40  # returns per département folder (an Isère year is ~40)
# 101 départements, Isère first: the national scale is 101 × ~40 pilots × 3 years ≈ 12,000 returns.
ISERE = "38"
DEPARTEMENTS = [ISERE] + [
    x
    for x in [f"{n:02d}" for n in range(1, 96) if n != 20] + ["2A", "2B", "971", "972", "973", "974", "976"]
    if x != ISERE
]


# ---------------------------------------------------------------- helpers


def pic_memoire_mo(qui: int) -> float:
    """Peak resident set size in MB (ru_maxrss: kB on Linux, bytes on macOS)."""
    import resource

    pic = resource.getrusage(qui).ru_maxrss
    return pic / (1024 * 1024) if sys.platform == "darwin" else pic / 1024


def memoire() -> dict[str, float]:
    import resource

    return {
        "pic_mo": round(pic_memoire_mo(resource.RUSAGE_SELF), 1),
        "pic_enfants_mo": round(pic_memoire_mo(resource.RUSAGE_CHILDREN), 1),
    }


def cpu() -> float:
    """CPU seconds (user + system) of this process and of its finished children (workers)."""
    import resource

    moi, enfants = resource.getrusage(resource.RUSAGE_SELF), resource.getrusage(resource.RUSAGE_CHILDREN)
    return moi.ru_utime + moi.ru_stime + enfants.ru_utime + enfants.ru_stime


def lister(dossier: Path) -> list[Path]:
    return sorted(dossier.rglob("*.xlsx"))


# ---------------------------------------------------------------- corpus


def plan_corpus(protocole: Any, n: int) -> list[tuple[str, int, str, str]]:
    """(pilot, seed, structure, relative path) of N returns, none a duplicate of another.

    The check keeps one return per (pilot, structure of a collective pilot): the first
    département (Isère) gets every pilot once, as a real year does; beyond it, returns are
    structures of collective pilots (Associations, Communes…), each with its own name, spread
    over département folders of ~40 returns. Collective pilots have as many actions on average
    as the others (4.75 vs 4.4 rows), so the per-file work stays representative.
    """
    pilotes = protocole.pilotes_actifs()
    seuls = [p for p in pilotes if not p.collectif]
    collectifs = [p for p in pilotes if p.collectif]
    plan: list[tuple[str, int, str, str]] = []
    copies: Counter[str] = Counter()
    i = 0
    while len(plan) < n:
        bloc = i // PAR_DEPARTEMENT
        dep = DEPARTEMENTS[bloc % len(DEPARTEMENTS)]
        lot = bloc // len(DEPARTEMENTS)
        dossier = f"dep-{dep}" + (f"/lot-{lot + 1}" if lot else "")
        if i < len(seuls):
            p = seuls[i]
            structure = p.nom
        else:
            p = collectifs[(i - len(seuls)) % len(collectifs)]
            structure = f"{p.nom} – dép. {dep} n° {copies[p.code] + 1}"
        copies[p.code] += 1
        k = copies[p.code]
        plan.append((p.code, k, structure, f"{dossier}/{ANNEE}_{p.code}_{k:05d}.xlsx"))
        i += 1
    return plan


def _generer_lot(args: tuple[str, str, list[tuple[str, int, str, str]], str]) -> int:
    """Fill one pilot's template once per planned copy (worker process)."""
    from datetime import datetime, timedelta

    from openpyxl import load_workbook

    from vif38_bilan import gabarits, remplissage
    from vif38_bilan.referentiel import charger_protocole

    gabarit, racine, lot, annee = args
    protocole = charger_protocole()
    wb = load_workbook(gabarit)
    debut = datetime(int(annee) + 1, 2, 1, 9, 0)
    for pilote, graine, structure, rel in lot:
        reponses = remplissage.reponses_inventees(protocole, pilote, int(annee), graine)
        identite = remplissage.identite_inventee(protocole, pilote, int(annee), graine)
        identite["Structure"] = structure
        moment = debut + timedelta(minutes=graine)
        remplissage.remplir_classeur(wb, reponses, identite=identite, modifie_le=moment)
        chemin = Path(racine) / rel
        chemin.parent.mkdir(parents=True, exist_ok=True)
        gabarits.enregistrer(wb, chemin, modifie_le=moment)
    return len(lot)


def preparer_corpus(sortie: Path, n: int, jobs: int) -> Path:
    """The folder of N filled returns, generated once and cached under sortie/corpus-N."""
    from concurrent.futures import ProcessPoolExecutor

    from vif38_bilan import gabarits
    from vif38_bilan.referentiel import charger_protocole

    base = sortie / f"corpus-{n}"
    retours = base / "retours"
    marque = base / "corpus.json"
    signature = {"retours": n, "annee": ANNEE, "version": VERSION_CORPUS, "paquet": _empreinte_generateur()}
    if marque.is_file() and retours.is_dir():
        try:
            if json.loads(marque.read_text(encoding="utf-8")) == signature and len(lister(retours)) == n:
                print(f"Corpus en cache : {retours} ({n} retours).", flush=True)
                return retours
        except (OSError, ValueError):
            pass
    print(f"Génération de {n} retours remplis dans {retours} (hors mesure)…", flush=True)
    t0 = time.perf_counter()
    if marque.exists():
        marque.unlink()
    for dossier in (retours, base / "gabarits"):
        if dossier.exists():
            shutil.rmtree(dossier)
    retours.mkdir(parents=True)
    protocole = charger_protocole()
    plan = plan_corpus(protocole, n)
    codes = sorted({p for p, *_ in plan})
    faits = {g.pilote: g.chemin for g in gabarits.generer_gabarits(protocole, ANNEE, base / "gabarits", pilotes=codes)}
    par_pilote: dict[str, list] = {}
    for ligne in plan:
        par_pilote.setdefault(ligne[0], []).append(ligne)
    taille = max(20, math.ceil(n / (4 * max(1, jobs))))
    lots = [
        (str(faits[code]), str(retours), lignes[i : i + taille], str(ANNEE))
        for code, lignes in par_pilote.items()
        for i in range(0, len(lignes), taille)
    ]
    if jobs > 1 and len(lots) > 1:
        with ProcessPoolExecutor(jobs) as ex:
            total = sum(ex.map(_generer_lot, lots))
    else:
        total = sum(map(_generer_lot, lots))
    assert total == n, (total, n)
    marque.write_text(json.dumps(signature), encoding="utf-8")
    print(f"  {n} retours générés en {time.perf_counter() - t0:.1f} s.", flush=True)
    return retours


def _empreinte_generateur() -> str:
    """Fingerprint of the code that writes the workbooks: a cached corpus from another layout is
    rebuilt instead of failing the check."""
    import hashlib

    from vif38_bilan import disposition, gabarits, remplissage
    from vif38_bilan.referentiel import charger_protocole

    h = hashlib.sha256()
    for module in (disposition, gabarits, remplissage):
        h.update(Path(module.__file__).read_bytes())
    h.update(charger_protocole().id.encode())
    return h.hexdigest()[:16]


# ---------------------------------------------------------------- phases (each in a fresh process)


def phase_gabarits(args: argparse.Namespace) -> dict[str, Any]:
    from vif38_bilan import gabarits
    from vif38_bilan.referentiel import charger_protocole

    protocole = charger_protocole()
    with tempfile.TemporaryDirectory(prefix="vif38-bench-gabarits-") as tmp:
        c0, t0 = cpu(), time.perf_counter()
        faits = gabarits.generer_gabarits(protocole, ANNEE, Path(tmp))
        secondes = time.perf_counter() - t0
    return {"secondes": secondes, "cpu": cpu() - c0, "fichiers": len(faits), **memoire()}


def phase_plancher(args: argparse.Namespace) -> dict[str, Any]:
    """Calamine alone: open each workbook and read every sheet's values."""
    from python_calamine import CalamineWorkbook

    chemins = [str(c) for c in lister(Path(args.corpus))]
    c0, t0 = cpu(), time.perf_counter()
    cellules = 0
    for chemin in chemins:
        wb = CalamineWorkbook.from_path(chemin)
        for nom in wb.sheet_names:
            cellules += sum(map(len, wb.get_sheet_by_name(nom).to_python()))
        wb.close()
    secondes = time.perf_counter() - t0
    return {"secondes": secondes, "cpu": cpu() - c0, "fichiers": len(chemins), "cellules": cellules, **memoire()}


def _jobs(texte: str) -> int | None:
    return None if texte == "auto" else int(texte)


def _importer_controle() -> Any:
    # What controler imports lazily; loaded before the clock so both sides time reading only.
    import python_calamine  # noqa: F401

    from vif38_bilan import controle, saisies, securite  # noqa: F401

    return controle


def _resume_controle(resultat: Any) -> dict[str, Any]:
    etats = Counter(f.etat for f in resultat.fichiers)
    regles = Counter(a.regle for a in resultat.anomalies)
    return {"fichiers": len(resultat.fichiers), "etats": dict(etats), "regles": dict(regles)}


def phase_controle(args: argparse.Namespace) -> dict[str, Any]:
    from vif38_bilan.referentiel import charger_protocole

    controle = _importer_controle()
    protocole = charger_protocole()
    c0, t0 = cpu(), time.perf_counter()
    resultat = controle.controler(protocole, ANNEE, Path(args.corpus), jobs=_jobs(args.mode))
    secondes = time.perf_counter() - t0
    return {"secondes": secondes, "cpu": cpu() - c0, **_resume_controle(resultat), **memoire()}


def phase_chaine(args: argparse.Namespace) -> dict[str, Any]:
    """controler (automatic) → consolidation → consolidation workbook → Word bilan."""
    from vif38_bilan import bilan, classeur_consolidation, consolidation
    from vif38_bilan.referentiel import charger_protocole

    controle = _importer_controle()
    import docx  # noqa: F401 - python-docx import time is not the docx's

    protocole = charger_protocole()
    sorties = Path(args.sorties)
    sorties.mkdir(parents=True, exist_ok=True)
    pics = {"depart": memoire()["pic_mo"]}  # peak so far after each step: where memory goes
    t0 = time.perf_counter()
    resultat = controle.controler(protocole, ANNEE, Path(args.corpus), jobs=_jobs(args.mode))
    t1 = time.perf_counter()
    pics["controle"] = memoire()["pic_mo"]
    conso = consolidation.consolider(protocole, ANNEE, resultat)
    t2 = time.perf_counter()
    pics["consolider"] = memoire()["pic_mo"]
    classeur_consolidation.ecrire_consolidation(conso, sorties / consolidation.nom_consolidation(ANNEE))
    t3 = time.perf_counter()
    pics["classeur"] = memoire()["pic_mo"]
    bilan.ecrire_bilan(protocole, ANNEE, conso, resultat, sorties / f"bilan-{ANNEE}.docx")
    t4 = time.perf_counter()
    pics["docx"] = memoire()["pic_mo"]
    temps = {"controle": t1 - t0, "consolider": t2 - t1, "classeur": t3 - t2, "docx": t4 - t3}
    return {"temps": temps, "pics": pics, **_resume_controle(resultat), **memoire()}


def phase_profil(args: argparse.Namespace) -> dict[str, Any]:
    """cProfile of a serial controler run; the stats file is written at args.profil."""
    import cProfile
    import io
    import pstats

    from vif38_bilan.referentiel import charger_protocole

    controle = _importer_controle()
    protocole = charger_protocole()
    profil = cProfile.Profile()
    profil.enable()
    controle.controler(protocole, ANNEE, Path(args.corpus), jobs=1)
    profil.disable()
    profil.dump_stats(args.profil)
    texte = io.StringIO()
    pstats.Stats(profil, stream=texte).sort_stats("tottime").print_stats(25)
    return {"profil": args.profil, "texte": texte.getvalue()}


PHASES = {
    "gabarits": phase_gabarits,
    "plancher": phase_plancher,
    "controle": phase_controle,
    "chaine": phase_chaine,
    "profil": phase_profil,
}


def lancer(phase: str, **options: Any) -> dict[str, Any]:
    """Run one phase in a fresh interpreter and return what it printed (one JSON line)."""
    commande = [sys.executable, str(Path(__file__).resolve()), "--phase", phase]
    for cle, valeur in options.items():
        commande += [f"--{cle}", str(valeur)]
    fini = subprocess.run(commande, capture_output=True, text=True)
    if fini.returncode != 0:
        sys.stderr.write(fini.stderr)
        raise SystemExit(f"La phase « {phase} » a échoué (code {fini.returncode}).")
    return json.loads(fini.stdout.strip().splitlines()[-1])


# ---------------------------------------------------------------- the run


def verifier_corpus(mesure: dict[str, Any], n: int) -> None:
    """Every generated return must be a valid, distinct return: no duplicate, no replacement."""
    etats = mesure["etats"]
    if mesure["fichiers"] != n or etats.get("valide", 0) != n:
        raise SystemExit(
            f"Corpus invalide : {mesure['fichiers']} fichier(s), états {etats}, anomalies {mesure['regles']} "
            f"(attendu : {n} retours valides). Supprimez le dossier du corpus et relancez."
        )


def mediane(valeurs: list[float]) -> float:
    return statistics.median(valeurs) if valeurs else float("nan")


def executer(args: argparse.Namespace) -> int:
    n, r = args.retours, args.repetitions
    jobs = args.jobs or os.cpu_count() or 1
    sortie = Path(args.sortie)
    sortie.mkdir(parents=True, exist_ok=True)
    corpus = preparer_corpus(sortie, n, jobs)
    sorties = sortie / f"corpus-{n}" / "sorties"
    charge = os.getloadavg()[0] if hasattr(os, "getloadavg") else float("nan")

    modes = ["1"] + ([str(jobs)] if jobs > 1 else []) + ["auto"]
    plancher: list[dict] = []
    controles: dict[str, list[dict]] = {m: [] for m in modes}
    gabarits: list[dict] = []
    chaines: list[dict] = []
    for i in range(r):
        # Side by side, each one first in turn, so drifts (cache, CPU clock, other load) even out.
        tour = ["plancher", *modes]
        ordre = tour[i % len(tour) :] + tour[: i % len(tour)]
        for quoi in ordre:
            if quoi == "plancher":
                plancher.append(lancer("plancher", corpus=corpus))
            else:
                mesure = lancer("controle", corpus=corpus, mode=quoi)
                verifier_corpus(mesure, n)
                controles[quoi].append(mesure)
        gabarits.append(lancer("gabarits"))
        chaines.append(lancer("chaine", corpus=corpus, mode="auto", sorties=sorties))
        print(f"  répétition {i + 1}/{r} faite", flush=True)

    def med(mesures: list[dict], cle: str = "secondes") -> float:
        return mediane([m[cle] for m in mesures])

    def etape(cle: str) -> float:
        return mediane([c["temps"][cle] for c in chaines])

    t_plancher = med(plancher)
    t_modes = {m: med(controles[m]) for m in modes}
    t_auto = t_modes["auto"]
    t_gabarits, t_conso, t_classeur, t_docx = med(gabarits), etape("consolider"), etape("classeur"), etape("docx")

    lignes: list[tuple[str, float, str, str, str]] = []

    def ligne(nom: str, secondes: float, mesures: list[dict] | None = None, detail: str = "") -> None:
        temps_cpu = f"{med(mesures, 'cpu'):.3f}" if mesures and "cpu" in mesures[0] else ""
        memo = ""
        if mesures:
            memo = f"{max(m['pic_mo'] for m in mesures):.0f}"
            enfants = max(m["pic_enfants_mo"] for m in mesures)
            if enfants > 0:
                memo += f" (+{enfants:.0f}/proc.)"
        lignes.append((nom, secondes, temps_cpu, memo, detail))

    def par_fichier(secondes: float) -> str:
        return f"{1000 * secondes / n:.2f} ms/fichier, {secondes / t_plancher:.2f}× plancher"

    ligne(f"gabarits ({gabarits[0]['fichiers']} pilotes, {ANNEE})", t_gabarits, gabarits)
    ligne(f"plancher calamine ({n} fichiers)", t_plancher, plancher, f"{1000 * t_plancher / n:.2f} ms/fichier")
    for m in modes:
        nom = {"1": "controler, jobs=1", "auto": "controler, jobs automatique"}.get(m, f"controler, jobs={m}")
        ligne(nom, t_modes[m], controles[m], par_fichier(t_modes[m]))
    ligne("consolider", t_conso)
    ligne("classeur de consolidation (.xlsx)", t_classeur)
    ligne("bilan Word (.docx)", t_docx, chaines)
    controle_conso = t_auto + t_conso
    ligne("contrôle + consolider", controle_conso, None, f"{controle_conso / t_plancher:.2f}× plancher")
    ligne(
        "contrôle + consolider + classeur",
        controle_conso + t_classeur,
        None,
        f"{(controle_conso + t_classeur) / t_plancher:.2f}× plancher",
    )
    cycle = t_gabarits + t_auto + t_conso + t_classeur + t_docx
    ligne("cycle annuel (gabarits + contrôle + consolidation + bilan)", cycle)

    largeur = max(len(x[0]) for x in lignes)
    print()
    print(
        f"Retours : {n} ; répétitions : {r} (médianes) ; jobs : {jobs} ; machine : {os.cpu_count()} cœur(s), "
        f"charge moyenne au départ {charge:.2f}"
    )
    print(f"{'phase':<{largeur}}  {'secondes':>9}  {'CPU s':>7}  {'pic Mo':>16}  détail")
    for nom, secondes, temps_cpu, memo, detail in lignes:
        print(f"{nom:<{largeur}}  {secondes:>9.3f}  {temps_cpu:>7}  {memo:>16}  {detail}".rstrip())
    pics = {etape: max(c["pics"][etape] for c in chaines) for etape in chaines[0]["pics"]}
    print("Pic mémoire de la chaîne après chaque étape (Mo) : " + ", ".join(f"{k} {v:.0f}" for k, v in pics.items()))
    anomalies = controles["1"][0]["regles"]
    if anomalies:
        print(f"Anomalies relevées dans le corpus (des avertissements, aucun doublon) : {anomalies}")

    # Memory of the whole chain: the main process, plus its workers when it used some.
    pic = max(c["pic_mo"] + (jobs * c["pic_enfants_mo"] if c["pic_enfants_mo"] else 0) for c in chaines)
    print(f"ratio_plancher={t_auto / t_plancher:.2f} fichiers_par_s={n / t_auto:.0f} pic_memoire_mo={pic:.0f}")
    return 0


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        description="Banc d'essai de l'ingestion des retours (issue 7) : corpus de N retours remplis, "
        "plancher python-calamine, controler, consolidation et bilan Word, médianes de R répétitions."
    )
    parser.add_argument("--retours", type=int, default=40, help="nombre de retours remplis (défaut : 40)")
    parser.add_argument("--repetitions", type=int, default=3, help="répétitions, médianes (défaut : 3)")
    parser.add_argument("--jobs", type=int, default=None, help="processus pour la mesure parallèle (défaut : nproc)")
    parser.add_argument(
        "--sortie",
        default=str(Path(tempfile.gettempdir()) / "vif38-bench"),
        help="dossier du corpus généré (gardé en cache) et des sorties",
    )
    parser.add_argument("--profil", help="écrit un profil cProfile du contrôle (série) dans ce fichier")
    # Internal: one measured phase in this (fresh) process.
    parser.add_argument("--phase", choices=sorted(PHASES), help=argparse.SUPPRESS)
    parser.add_argument("--corpus", help=argparse.SUPPRESS)
    parser.add_argument("--mode", default="auto", help=argparse.SUPPRESS)
    parser.add_argument("--sorties", help=argparse.SUPPRESS)
    args = parser.parse_args(argv)

    if args.phase:
        print(json.dumps(PHASES[args.phase](args)))
        return 0
    if args.retours < 1 or args.repetitions < 1 or (args.jobs is not None and args.jobs < 1):
        parser.error("--retours, --repetitions et --jobs doivent être des entiers positifs")
    if args.profil:
        sortie = Path(args.sortie)
        corpus = preparer_corpus(sortie, args.retours, args.jobs or os.cpu_count() or 1)
        resultat = lancer("profil", corpus=corpus, profil=Path(args.profil).resolve())
        print(resultat["texte"])
        return 0
    return executer(args)


if __name__ == "__main__":
    sys.exit(main())
