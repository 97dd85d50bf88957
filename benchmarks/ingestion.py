"""Benchmark of the commands as the user runs them (issues 19, 26).

For each size N (0 = the fixed start-up, 28 = the Isère, 400, 3,200; 12,000 with --national), a
workspace whose saisies/2023/ holds N distinct filled returns, then, side by side and in turn:

- the floor: a fresh Python process that only reads the same files with python-calamine
  (interpreter start, import, every sheet of every file);
- `vif38-bilan controler --annee 2023`: the installed entry point, as a whole process
  (imports, check, control report, annotated copies);
- `vif38-bilan bilan --annee 2023`: the same, plus consolidation workbook and Word bilan.

With --avant ENTREE (the vif38-bilan entry point of another install, e.g. the code before a
change), its controler and bilan run too, in the same rotation: before/after on the same
machine, in the same run.

Each repetition runs the commands in a rotating order; the ratio to the floor is computed pair by
pair (same repetition), and the median of the ratios is reported, in wall time and in CPU time
(user + system of the process tree). Peak memory is the largest sum of the resident sizes of the
command's process tree (command + its workers), sampled in one extra, untimed run of each command.
Per size, the last line is

    retours=N controler_ratio=R bilan_ratio=B bilan_sur_controler=Q cpu_controler_ratio=… cpu_bilan_ratio=… cpu_bilan_sur_controler=… pic_memoire_mo=M charge=L

then, between the two largest sizes of at least 400 returns, the cost per extra return (slope) of
each command against the floor's, and with size 0 the start-up CPU time of controler.
--ecrivains measures the report writers' CPU per row (250→1,000 and 1,000→3,000 rows): the
timing check that used to be in the test suite.

Usage: python benchmarks/ingestion.py [--retours 0 28 400 3200] [--national] [--repetitions 5]
The generated corpus is cached under --sortie (generation is never timed).
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
import threading
import time
from collections import Counter
from pathlib import Path
from typing import Any

ANNEE = 2023
TAILLES = (0, 28, 400, 3200)
NATIONAL = 12000
# Bump when the corpus layout or content changes: cached corpora are then rebuilt.
VERSION_CORPUS = 4
PAR_DEPARTEMENT = 40  # returns per département folder (an Isère year is ~40)
# 101 départements, Isère first: the national scale is 101 × ~40 pilots × 3 years ≈ 12,000 returns.
ISERE = "38"
DEPARTEMENTS = [ISERE] + [
    x
    for x in [f"{n:02d}" for n in range(1, 96) if n != 20] + ["2A", "2B", "971", "972", "973", "974", "976"]
    if x != ISERE
]

# The floor process: nothing but python-calamine reading every sheet of every file.
PLANCHER = """
import os, sys
from python_calamine import CalamineWorkbook
cellules = 0
for racine, _, noms in os.walk(sys.argv[1]):
    for nom in noms:
        if nom.endswith(".xlsx"):
            wb = CalamineWorkbook.from_path(os.path.join(racine, nom))
            for feuille in wb.sheet_names:
                cellules += sum(map(len, wb.get_sheet_by_name(feuille).to_python()))
            wb.close()
print(cellules)
"""


# As a user runs them: Python's bytecode cache in use (an installed package has its .pyc; a shell
# that sets PYTHONDONTWRITEBYTECODE would make every run recompile the package, ~30 ms).
ENVIRONNEMENT = {k: v for k, v in os.environ.items() if k != "PYTHONDONTWRITEBYTECODE"}


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

    from vif38_bilan import gabarits as g
    from vif38_bilan.referentiel import charger_protocole

    gabarit, racine, lot, annee = args
    protocole = charger_protocole()
    wb = load_workbook(gabarit)
    debut = datetime(int(annee) + 1, 2, 1, 9, 0)
    for pilote, graine, structure, rel in lot:
        reponses = g.reponses_inventees(protocole, pilote, int(annee), graine)
        identite = g.identite_inventee(protocole, pilote, int(annee), graine)
        identite["Structure"] = structure
        moment = debut + timedelta(minutes=graine)
        # Key figures too: a real return of a providing pilot answers them (else each would be an anomaly).
        chiffres = g.chiffres_inventes(protocole, pilote, int(annee), graine) or None
        g.remplir_classeur(wb, reponses, identite=identite, modifie_le=moment, chiffres=chiffres)
        chemin = Path(racine) / rel
        chemin.parent.mkdir(parents=True, exist_ok=True)
        g.enregistrer(wb, chemin, modifie_le=moment)
    return len(lot)


def preparer_corpus(sortie: Path, n: int, jobs: int) -> Path:
    """The folder of N filled returns, generated once and cached under sortie/corpus-N."""
    from concurrent.futures import ProcessPoolExecutor

    from vif38_bilan import cycle

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
    for dossier in (retours, base / "espace"):
        if dossier.exists():
            shutil.rmtree(dossier)
    retours.mkdir(parents=True)
    if n == 0:  # the fixed start-up: an empty saisies/2023/
        marque.write_text(json.dumps(signature), encoding="utf-8")
        return retours
    # The workbooks come from the cycle's door, as the agent makes them (vif38-bilan gabarits).
    espace = cycle.creer_espace(base / "espace", courriel="ddfe@exemple.invalid", date_limite="15/02/2024")
    plan = plan_corpus(espace.protocole, n)
    codes = sorted({p for p, *_ in plan})
    faits = {g.pilote: g.chemin for g in cycle.produire_gabarits(espace, ANNEE, pilotes=codes).lignes}
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

    import vif38_bilan.gabarits
    from vif38_bilan.referentiel import charger_protocole

    h = hashlib.sha256()
    for module in sorted(Path(vif38_bilan.gabarits.__file__).parent.glob("*.py")):
        h.update(module.read_bytes())
    h.update(charger_protocole().id.encode())
    return h.hexdigest()[:16]


# ---------------------------------------------------------------- workspace and processes


def preparer_espace(sortie: Path, n: int, retours: Path) -> Path:
    """DIR/espace-N: a workspace (vif38.toml, folders) whose saisies/2023/ holds the corpus
    (hard links when possible: no copy of 12,000 files)."""
    from vif38_bilan.cycle import creer_espace

    racine = sortie / f"espace-{n}"
    saisies = racine / "saisies" / str(ANNEE)
    if saisies.is_dir() and len(lister(saisies)) == n and (racine / "vif38.toml").is_file():
        return racine
    if racine.exists():
        shutil.rmtree(racine)
    creer_espace(racine)
    try:
        shutil.copytree(retours, saisies, copy_function=os.link, dirs_exist_ok=True)
    except OSError:
        shutil.rmtree(saisies, ignore_errors=True)
        shutil.copytree(retours, saisies)
    return racine


def commande_vif38() -> list[str]:
    """The installed entry point beside this interpreter (as a user types it)."""
    script = Path(sys.executable).with_name("vif38-bilan")
    if not script.is_file():
        trouve = shutil.which("vif38-bilan")
        if trouve is None:
            raise SystemExit(
                "Commande « vif38-bilan » introuvable : installez le paquet (pip install .) puis relancez."
            )
        script = Path(trouve)
    return [str(script)]


def _descendants(pid: int) -> list[int]:
    """pid and its descendants (Linux /proc)."""
    tous, pile = [], [pid]
    while pile:
        p = pile.pop()
        tous.append(p)
        try:
            for tache in os.listdir(f"/proc/{p}/task"):
                with open(f"/proc/{p}/task/{tache}/children") as f:
                    pile.extend(int(x) for x in f.read().split())
        except OSError:
            continue
    return tous


def _rss_mo(pids: list[int]) -> float:
    total = 0
    for p in pids:
        try:
            with open(f"/proc/{p}/statm") as f:
                total += int(f.read().split()[1]) * os.sysconf("SC_PAGE_SIZE")
        except (OSError, ValueError, IndexError):
            continue
    return total / (1024 * 1024)


def lancer(commande: list[str], cwd: Path, memoire: bool = False) -> dict[str, float]:
    """Run one whole process; wall and CPU seconds (its tree), and with memoire the peak of the
    summed resident sizes of its tree (sampled every 5 ms) and its own ru_maxrss."""
    with tempfile.TemporaryFile() as erreurs:
        t0 = time.perf_counter()
        p = subprocess.Popen(commande, cwd=cwd, stdout=subprocess.DEVNULL, stderr=erreurs, env=ENVIRONNEMENT)
        pic = [0.0]
        fin = threading.Event()

        def echantillonner() -> None:
            while not fin.wait(0.005):
                pic[0] = max(pic[0], _rss_mo(_descendants(p.pid)))

        fil = threading.Thread(target=echantillonner, daemon=True) if memoire and os.path.isdir("/proc") else None
        if fil:
            fil.start()
        _, statut, usage = os.wait4(p.pid, 0)
        secondes = time.perf_counter() - t0
        p.returncode = os.waitstatus_to_exitcode(statut)
        if fil:
            fin.set()
            fil.join()
        if p.returncode != 0:
            erreurs.seek(0)
            sys.stderr.write(erreurs.read().decode("utf-8", "replace")[-3000:])
            raise SystemExit(f"« {' '.join(commande)} » a échoué (code {p.returncode}) dans {cwd}.")
    maxrss = usage.ru_maxrss / (1024 * 1024 if sys.platform == "darwin" else 1024)
    return {"secondes": secondes, "cpu": usage.ru_utime + usage.ru_stime, "pic_mo": max(pic[0], maxrss)}


def _commandes(saisies: Path, vif38: list[str], avant: str | None) -> dict[str, list[str]]:
    annee = ["--annee", str(ANNEE)]
    commandes = {
        "plancher": [sys.executable, "-c", PLANCHER, str(saisies)],
        "controler": [*vif38, "controler", *annee],
        "bilan": [*vif38, "bilan", *annee, "--date", "12/04/2024"],
    }
    if avant:
        commandes["controler_avant"] = [avant, "controler", *annee]
        commandes["bilan_avant"] = [avant, "bilan", *annee, "--date", "12/04/2024"]
    return commandes


def _rapport(a: list[dict[str, float]], b: list[dict[str, float]], cle: str) -> float:
    """Median over the repetitions of a/b, pair by pair (same repetition)."""
    return statistics.median(x[cle] / y[cle] for x, y in zip(a, b, strict=True))
# The personal-data gate inside a check (issue 24): its model's load and per-text time, in one process.
BARRIERE = """
import json, sys, time
from vif38_bilan.cycle import controler_annee, cout_donnees_personnelles, ouvrir_espace
debut = time.perf_counter()
controler_annee(ouvrir_espace(sys.argv[1]), int(sys.argv[2]), ecrire=False)
print(json.dumps({**cout_donnees_personnelles(), "controle_s": time.perf_counter() - debut}))
"""


def mesurer_barriere(espace: Path) -> dict[str, float]:
    """The gate's share of one check of the year (fresh process): model load, texts, analysis time."""
    p = subprocess.run(
        [sys.executable, "-c", BARRIERE, str(espace), str(ANNEE)], capture_output=True, text=True, cwd=espace
    )
    if p.returncode != 0:
        raise SystemExit(f"Mesure du contrôle des données personnelles impossible :\n{p.stderr[-2000:]}")
    return json.loads(p.stdout.strip().splitlines()[-1])


def mesurer_taille(n: int, args: argparse.Namespace, jobs: int) -> dict[str, Any]:
    sortie = Path(args.sortie)
    retours = preparer_corpus(sortie, n, jobs)
    espace = preparer_espace(sortie, n, retours)
    commandes = _commandes(espace / "saisies" / str(ANNEE), commande_vif38(), args.avant)
    # One untimed run of each first: files in the page cache, outputs in place, peak memory.
    pics = {q: lancer(c, espace, memoire=True)["pic_mo"] for q, c in commandes.items() if q != "plancher"}
    lancer(commandes["plancher"], espace)
    mesures: dict[str, list[dict[str, float]]] = {q: [] for q in commandes}
    charges = []
    for i in range(args.repetitions):
        charges.append(os.getloadavg()[0] if hasattr(os, "getloadavg") else math.nan)
        tour = list(commandes)
        k = i % len(tour)
        for quoi in tour[k:] + tour[:k]:  # each one first in turn
            mesures[quoi].append(lancer(commandes[quoi], espace))
    pl, co, bi = (mesures[q] for q in ("plancher", "controler", "bilan"))
    med = statistics.median
    barriere = mesurer_barriere(espace)
    return {
        "n": n,
        "temps": {q: med(m["secondes"] for m in mesures[q]) for q in mesures},
        "cpu": {q: med(m["cpu"] for m in mesures[q]) for q in mesures},
        "controler_ratio": _rapport(co, pl, "secondes"),
        "bilan_ratio": _rapport(bi, pl, "secondes"),
        "bilan_sur_controler": _rapport(bi, co, "secondes"),
        "cpu_controler_ratio": _rapport(co, pl, "cpu"),
        "cpu_bilan_ratio": _rapport(bi, pl, "cpu"),
        "cpu_bilan_sur_controler": _rapport(bi, co, "cpu"),
        "avant": {
            q: (
                _rapport(mesures[f"{q}_avant"], mesures[q], "secondes"),
                _rapport(mesures[f"{q}_avant"], mesures[q], "cpu"),
            )
            for q in ("controler", "bilan")
            if f"{q}_avant" in mesures
        },
        "pic_mo": max(v for q, v in pics.items() if not q.endswith("_avant")),
        "pics": pics,
        "charge": med(charges),
        "barriere": barriere,
    }


def profiler(n: int, args: argparse.Namespace, jobs: int) -> None:
    """cProfile of both commands on size n (files in --profil), top functions printed."""
    import pstats

    sortie = Path(args.sortie)
    espace = preparer_espace(sortie, n, preparer_corpus(sortie, n, jobs))
    dossier = Path(args.profil).resolve()
    dossier.mkdir(parents=True, exist_ok=True)
    for quoi in ("controler", "bilan"):
        fichier = dossier / f"{quoi}-{n}.prof"
        commande = [
            sys.executable,
            "-m",
            "cProfile",
            "-o",
            str(fichier),
            "-m",
            "vif38_bilan",
            quoi,
            "--annee",
            str(ANNEE),
        ]
        lancer(commande, espace)
        print(f"\n=== {quoi}, {n} retours : {fichier}")
        pstats.Stats(str(fichier)).sort_stats("cumulative").print_stats(25)


def afficher(r: dict[str, Any], repetitions: int, jobs: int) -> None:
    """The detail line and the summary line of one size."""
    t, c = r["temps"], r["cpu"]
    print(
        f"  {r['n']} retours, {repetitions} répétition(s), charge moyenne {r['charge']:.1f} sur {jobs} cœur(s) : "
        + ", ".join(f"{q} {t[q]:.3f} s (CPU {c[q]:.3f})" for q in t)
        + " ; pic Mo : "
        + ", ".join(f"{q} {v:.0f}" for q, v in r["pics"].items()),
        flush=True,
    )
    for q, (mur, cpu) in r["avant"].items():
        print(f"  avant/après {q} : temps ×{mur:.2f}, CPU ×{cpu:.2f} (médianes, paire par paire)", flush=True)
    print(
        f"retours={r['n']} controler_ratio={r['controler_ratio']:.2f} bilan_ratio={r['bilan_ratio']:.2f} "
        f"bilan_sur_controler={r['bilan_sur_controler']:.2f} cpu_controler_ratio={r['cpu_controler_ratio']:.2f} "
        f"cpu_bilan_ratio={r['cpu_bilan_ratio']:.2f} cpu_bilan_sur_controler={r['cpu_bilan_sur_controler']:.2f} "
        f"pic_memoire_mo={r['pic_mo']:.0f} charge={r['charge']:.1f}",
        flush=True,
    )
    if r["n"] == 0:
        print(f"demarrage controler_cpu_ms={c['controler'] * 1000:.0f} plancher_cpu_ms={c['plancher'] * 1000:.0f}")


def afficher_pentes(resultats: list[dict[str, Any]]) -> None:
    """Cost per extra return between the two largest sizes of at least 400 returns, against the floor's."""
    grands = [r for r in resultats if r["n"] >= 400]
    if len(grands) < 2:
        return
    a, b = grands[-2], grands[-1]
    dn = b["n"] - a["n"]
    for mesure, cle in (("temps", "temps"), ("cpu", "cpu")):
        pente = {q: (b[cle][q] - a[cle][q]) / dn * 1000 for q in b[cle]}
        print(
            f"pente_{mesure} {a['n']}->{b['n']} ms_par_retour : "
            + " ".join(f"{q}={v:.2f}" for q, v in pente.items())
            + f" ; controler/plancher={pente['controler'] / pente['plancher']:.2f}"
            + f" bilan/plancher={pente['bilan'] / pente['plancher']:.2f}",
            flush=True,
        )


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        description="Banc d'essai des commandes (issue 19) : vif38-bilan controler et bilan, processus entiers, "
        "face au plancher python-calamine, médianes des rapports mesurés côte à côte."
    )
    parser.add_argument(
        "--retours", type=int, nargs="+", default=list(TAILLES), help="tailles du corpus (défaut : 0 28 400 3200)"
    )
    parser.add_argument("--national", action="store_true", help=f"ajoute la taille nationale ({NATIONAL} retours)")
    parser.add_argument("--repetitions", type=int, default=5, help="répétitions, médianes (défaut : 5)")
    parser.add_argument(
        "--sortie",
        default=str(Path(tempfile.gettempdir()) / "vif38-bench"),
        help="dossier des corpus générés et des espaces de travail (gardés en cache)",
    )
    parser.add_argument("--profil", metavar="DOSSIER", help="profils cProfile des deux commandes (première taille)")
    parser.add_argument(
        "--avant",
        metavar="ENTREE",
        help="point d'entrée vif38-bilan d'une autre installation (le code d'avant un changement), mesuré dans la même rotation",
    )
    parser.add_argument(
        "--ecrivains",
        action="store_true",
        help="mesure aussi le coût par ligne des écrivains de classeurs (250 → 3 000 lignes)",
    )
    args = parser.parse_args(argv)
    tailles = sorted(set(args.retours) | ({NATIONAL} if args.national else set()))
    if min(tailles) < 0 or args.repetitions < 1:
        parser.error("--retours doit être positif ou nul et --repetitions positif")
    jobs = os.cpu_count() or 1
    if args.profil:
        profiler(tailles[0], args, jobs)
        return 0
    if args.ecrivains:
        from ecrivains import mesurer_ecrivains

        mesurer_ecrivains()

    resultats = []
    for n in tailles:
        r = mesurer_taille(n, args, jobs)
        resultats.append(r)
        afficher(r, args.repetitions, jobs)
        g = r["barriere"]  # the personal-data gate inside a check (issue 24)
        par_texte = 1000 * g["analyse_s"] / g["textes"] if g["textes"] else 0.0
        part = (g["chargement_s"] + g["analyse_s"]) / g["controle_s"] if g["controle_s"] else 0.0
        print(
            f"barriere retours={n} chargement_modele_s={g['chargement_s']:.2f} textes_modele={g['textes']:.0f} "
            f"ms_par_texte={par_texte:.1f} part_du_controle={part:.0%}",
            flush=True,
        )
    afficher_pentes(resultats)
    return 0


if __name__ == "__main__":
    sys.exit(main())
