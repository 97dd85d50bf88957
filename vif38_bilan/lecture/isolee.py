"""Reading returns so that one hostile or absurd file costs only that file (issue 14, kind 1).

Two layers:

1. `cellules_lointaines` looks, before any parser runs, for values typed far from the table
   (XFD1048576). calamine builds a dense grid from the first to the last used cell, 32 bytes a
   cell: one character in XFD1048576 asks for 512 GiB and Rust aborts the whole process; N1048576
   asks for 470 MB. The check reads the sheets' declared dimension (a few hundred bytes each), so
   the common case costs almost nothing; the cells are scanned only when a dimension is far.
2. `executer_isole` runs the reading of each file in a child process with an address-space limit
   and a time limit. A child that aborts, panics, runs out of memory or hangs costs its current
   file only: the file gets a failure record and a new child reads the remaining files.

Windows: there is no RLIMIT_AS; the child caps its committed memory through a Job Object instead
(memoire_windows.py). macOS ignores RLIMIT_AS: there the first layer is what keeps a far-away
value from taking gigabytes.
"""

from __future__ import annotations

import io
import os
import re
import sys
import zipfile
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from typing import Any

from vif38_bilan.commun.textes import lettre_colonne
from vif38_bilan.lecture import memoire_windows

# A value beyond this row or column is "far from the table" (a return's table has ~60 rows and
# ~25 columns). calamine's grid for 10,000 rows x 256 columns is 80 MB: still harmless.
LIGNE_MAX = 10_000
COLONNE_MAX = 256

# Child limits. The address space is counted from the child's size at start (it is a copy of
# the parent); reading a 20 MB return with calamine takes less than 200 MB; the child starts at ~50-150 MB.
MEMOIRE_MAX = 320 * 1024 * 1024
DELAI_MAX = 60.0  # seconds per file (a return reads in ~10 ms)


# ---------------------------------------------------------------- 1. values far from the table


@dataclass(frozen=True)
class CelluleLointaine:
    feuille: str
    ref: str  # A1 reference, e.g. "XFD1048576"


def colonne_numero(lettres: str) -> int:
    n = 0
    for c in lettres:
        n = n * 26 + ord(c) - 64
    return n


def _loin(ligne: int, colonne: int) -> bool:
    return ligne > LIGNE_MAX or colonne > COLONNE_MAX


def cellules_lointaines(donnees: bytes, format: str) -> list[CelluleLointaine]:
    """Cells holding a value far from the table, in every sheet (xlsx/xlsm/ods; [] otherwise
    or when the package cannot be read: the parser will say so)."""
    try:
        with zipfile.ZipFile(io.BytesIO(donnees)) as z:
            if format in ("xlsx", "xlsm"):
                return _lointaines_xlsx(z)
            if format == "ods":
                return _lointaines_ods(z)
    except (zipfile.BadZipFile, KeyError, ValueError, OSError, EOFError):
        return []
    return []


_RE_DIMENSION = re.compile(rb"<(?:\w+:)?dimension\b[^>]*\bref=\"([A-Z]+)?(\d+)?(?::([A-Z]+)(\d+))?\"")
_RE_FEUILLE = re.compile(rb"<(?:\w+:)?sheet\b[^>]*>")
_RE_CELLULE = re.compile(rb"<(?:\w+:)?c\b[^>]*?\br=\"([A-Z]+)(\d+)\"[^>]*?(/>|>)")
_RE_VALEUR = re.compile(rb"<(?:\w+:)?(?:v|is|f)\b")


def _lointaines_xlsx(z: zipfile.ZipFile) -> list[CelluleLointaine]:
    noms = noms_feuilles_xlsx(z)
    trouvees: list[CelluleLointaine] = []
    for membre in sorted(n for n in z.namelist() if re.fullmatch(r"xl/worksheets/[^/]+\.xml", n)):
        with z.open(membre) as f:
            debut = f.read(4096)
        m = _RE_DIMENSION.search(debut)
        if m is not None:
            lettres, ligne = m.group(3) or m.group(1), m.group(4) or m.group(2)
            if lettres and ligne and not _loin(int(ligne), colonne_numero(lettres.decode())):
                continue  # the usual case: the declared used range is small
        trouvees += [CelluleLointaine(noms.get(membre, membre), ref) for ref in _scanner_xlsx(z, membre)]
    return trouvees


def noms_feuilles_xlsx(z: zipfile.ZipFile) -> dict[str, str]:
    """Worksheet member → sheet name, from xl/workbook.xml and its relationships."""
    from html import unescape

    try:
        classeur = z.read("xl/workbook.xml")
        liens = z.read("xl/_rels/workbook.xml.rels")
    except KeyError:
        return {}
    cibles = {}
    for balise in re.findall(rb"<(?:\w+:)?Relationship\b[^>]*>", liens):
        i, t = re.search(rb'\bId="([^"]*)"', balise), re.search(rb'\bTarget="([^"]*)"', balise)
        if i and t:
            cible = t.group(1).decode()
            cibles[i.group(1)] = cible.lstrip("/") if cible.startswith("/") else "xl/" + cible
    noms = {}
    for balise in _RE_FEUILLE.findall(classeur):
        n, i = re.search(rb'\bname="([^"]*)"', balise), re.search(rb'(?::id|\bid)="([^"]*)"', balise)
        if n and i and i.group(1) in cibles:
            noms[cibles[i.group(1)]] = unescape(n.group(1).decode())
    return noms


def _scanner_xlsx(z: zipfile.ZipFile, membre: str) -> list[str]:
    """Refs of the far cells holding a value (or a formula), read in 1 MB pieces."""
    refs: list[str] = []
    reste = b""
    with z.open(membre) as f:
        while True:
            morceau = f.read(1 << 20)
            texte = reste + morceau
            fin = len(texte) if not morceau else texte.rfind(b"</c>") + 4
            if fin < 4 and morceau:
                reste = texte
                continue
            zone, reste = texte[:fin], texte[fin:]
            for m in _RE_CELLULE.finditer(zone):
                ligne, colonne = int(m.group(2)), colonne_numero(m.group(1).decode())
                if not _loin(ligne, colonne) or m.group(3) == b"/>":
                    continue
                corps_fin = zone.find(b"</c>", m.end())
                if _RE_VALEUR.search(zone, m.end(), corps_fin if corps_fin >= 0 else len(zone)):
                    refs.append(f"{m.group(1).decode()}{ligne}")
            if not morceau:
                return refs


_TABLE = "{urn:oasis:names:tc:opendocument:xmlns:table:1.0}"
_OFFICE = "{urn:oasis:names:tc:opendocument:xmlns:office:1.0}"


def _lointaines_ods(z: zipfile.ZipFile) -> list[CelluleLointaine]:
    """ODS has no declared dimension: walk content.xml counting repeated rows and columns
    (LibreOffice writes the million empty rows as one repeated row, so this is quick)."""
    from defusedxml.ElementTree import iterparse

    trouvees: list[CelluleLointaine] = []
    feuille, ligne, colonne = "", 0, 0
    with z.open("content.xml") as f:
        for evenement, e in iterparse(f, events=("start", "end")):
            tag = e.tag
            if evenement == "start":
                if tag == f"{_TABLE}table":
                    feuille, ligne = e.get(f"{_TABLE}name", ""), 0
                elif tag == f"{_TABLE}table-row":
                    colonne = 0
                continue
            if tag in (f"{_TABLE}table-cell", f"{_TABLE}covered-table-cell"):
                n = int(e.get(f"{_TABLE}number-columns-repeated", "1"))
                a_valeur = e.get(f"{_OFFICE}value-type") is not None or e.get(f"{_TABLE}formula") is not None
                if a_valeur and _loin(ligne + 1, colonne + n):
                    trouvees.append(CelluleLointaine(feuille, f"{lettre_colonne(colonne + n)}{ligne + 1}"))
                colonne += n
                e.clear()
            elif tag == f"{_TABLE}table-row":
                n = int(e.get(f"{_TABLE}number-rows-repeated", "1"))
                if n > 1 and trouvees and trouvees[-1].ref.endswith(str(ligne + 1)) and trouvees[-1].feuille == feuille:
                    derniere = trouvees.pop()  # a repeated row holding a value: its last copy
                    lettres = re.match(r"[A-Z]+", derniere.ref).group(0)
                    trouvees.append(CelluleLointaine(feuille, f"{lettres}{ligne + n}"))
                ligne += n
                e.clear()
    return trouvees


def message_lointaines(cellules: list[CelluleLointaine]) -> str:
    """The pilot's instruction, in French."""
    refs = [c.ref for c in cellules[:3]]
    if len(refs) == 1:
        quoi = f"une valeur a été saisie très loin du tableau, en {refs[0]} : supprimez-la"
    else:
        suite = " et d'autres" if len(cellules) > 3 else ""
        quoi = f"des valeurs ont été saisies très loin du tableau, en {', '.join(refs)}{suite} : supprimez-les"
    return (
        f"Le classeur ne peut pas être lu : {quoi} (sélectionnez la cellule, touche Suppr), "
        "enregistrez et renvoyez le fichier."
    )


# ---------------------------------------------------------------- 2. reading in a child process


@dataclass(frozen=True)
class Echec:
    """Why a child did not give a result for one element."""

    raison: str  # "memoire" | "delai" | "arret" | "exception"
    detail: str = ""

    def message(self) -> str:
        """French explanation for the agent and the pilot."""
        if self.raison == "delai":
            return (
                "La lecture de ce fichier a été interrompue (plus d'une minute) : demandez au pilote de l'ouvrir, "
                "de supprimer ce qui se trouve hors du tableau, de l'enregistrer au format .xlsx et de le renvoyer."
            )
        if self.raison == "memoire":
            return (
                "La lecture de ce fichier demandait trop de mémoire (des cellules remplies très loin du tableau ?) : "
                "demandez au pilote de supprimer ce qui se trouve hors du tableau, d'enregistrer au format .xlsx "
                "et de renvoyer le fichier."
            )
        return (
            "Ce fichier a fait échouer le lecteur de classeurs : demandez au pilote de l'ouvrir, de l'enregistrer "
            "de nouveau au format .xlsx et de le renvoyer ; si cela persiste, signalez-le à l'équipe vif38-bilan."
        )


def executer_isole(
    fonction: Callable[[Any], Any],
    elements: Iterable[Any],
    en_echec: Callable[[Any, Echec], Any],
    jobs: int = 1,
    memoire: int | None = MEMOIRE_MAX,
    delai: float = DELAI_MAX,
    progression: Callable[[int, int], None] | None = None,
) -> list[Any]:
    """[fonction(e) for e in elements], each call made in a child process (jobs children at
    once). An element whose child dies, exceeds `memoire` bytes of address space or `delai`
    seconds gets en_echec(e, Echec) instead; a fresh child takes the remaining elements.
    fonction must not raise (an exception becomes an Echec "exception" all the same).
    progression(done, total) is called after each element."""
    import multiprocessing
    from multiprocessing.connection import wait

    elements = list(elements)
    resultats: list[Any] = [None] * len(elements)
    faits = [0]

    def fini() -> None:
        faits[0] += 1
        if progression is not None:
            progression(faits[0], len(elements))

    a_faire = list(range(len(elements)))[::-1]
    contexte = multiprocessing.get_context()
    actifs: dict[Any, tuple[Any, Any, int | None, float]] = {}  # conn → (process, conn, index, start)

    def demarrer() -> None:
        parent, enfant = contexte.Pipe()
        p = contexte.Process(target=_boucle, args=(enfant, fonction, memoire), daemon=True)
        p.start()
        enfant.close()
        actifs[parent] = (p, parent, None, 0.0)

    def confier(conn: Any) -> None:
        import time

        p, _, _, _ = actifs[conn]
        if not a_faire:
            conn.send(None)
            conn.close()
            p.join(5)
            del actifs[conn]
            return
        i = a_faire.pop()
        conn.send((i, elements[i]))
        actifs[conn] = (p, conn, i, time.monotonic())

    def abandonner(conn: Any, echec: Echec) -> None:
        p, _, i, _ = actifs.pop(conn)
        if p.is_alive():
            p.kill()
        p.join(5)
        conn.close()
        if i is not None:
            resultats[i] = en_echec(elements[i], echec)
            fini()

    for _ in range(max(1, min(jobs, len(elements)))):
        demarrer()
    for conn in list(actifs):
        confier(conn)
    import time

    while actifs:
        maintenant = time.monotonic()
        prochaine = min(debut + delai for _, _, i, debut in actifs.values() if i is not None)
        prets = wait(list(actifs), timeout=max(0.0, prochaine - maintenant))
        for conn in prets:
            try:
                i, etat, valeur = conn.recv()
            except (EOFError, OSError):
                p = actifs[conn][0]
                p.join(5)
                abandonner(conn, Echec(_raison_de_sortie(p.exitcode), f"code {p.exitcode}"))
                if a_faire:
                    demarrer()
                    confier(list(actifs)[-1])
                continue
            resultats[i] = valeur if etat == "ok" else en_echec(elements[i], Echec(etat, str(valeur)))
            fini()
            confier(conn)
        maintenant = time.monotonic()
        for conn, (_, _, i, debut) in list(actifs.items()):
            if i is not None and maintenant - debut > delai and conn not in prets:
                abandonner(conn, Echec("delai"))
                if a_faire:
                    demarrer()
                    confier(list(actifs)[-1])
    return resultats


def _raison_de_sortie(code: int | None, plateforme: str | None = None) -> str:
    """"memoire" when a child's exit code says it ran out of memory, else "arret".

    POSIX: Rust's out-of-memory handler aborts (SIGABRT, -6; 134 through a shell); the kernel's
    OOM killer sends SIGKILL (-9, 137). Windows has no SIGKILL (signal.SIGKILL is absent there):
    its codes are memoire_windows.CODES_MEMOIRE."""
    import signal

    if code is None:
        return "arret"
    if (plateforme or sys.platform) == "win32":
        return "memoire" if (code & 0xFFFFFFFF) in memoire_windows.CODES_MEMOIRE else "arret"
    signaux = [getattr(signal, nom, None) for nom in ("SIGABRT", "SIGKILL")]
    if code in [-s for s in signaux if s is not None] + [134, 137]:
        return "memoire"
    return "arret"


def _boucle(conn: Any, fonction: Callable[[Any], Any], memoire: int | None) -> None:
    """Child: limit itself, silence its stderr (a Rust backtrace must not reach the console),
    then answer (index, element) requests until None."""
    _silencer()
    if memoire is not None:
        _limiter_memoire(memoire)
    while True:
        try:
            demande = conn.recv()
        except (EOFError, OSError):
            return
        if demande is None:
            return
        i, element = demande
        try:
            conn.send((i, "ok", fonction(element)))
        except MemoryError:
            conn.send((i, "memoire", ""))
        except BaseException as e:  # noqa: BLE001 - reported to the parent, never printed
            conn.send((i, "exception", type(e).__name__))


def _silencer() -> None:
    import faulthandler

    faulthandler.disable()  # pytest and -X faulthandler write the abort's trace to a saved stderr
    try:
        nul = os.open(os.devnull, os.O_WRONLY)
        os.dup2(nul, 2)
        os.close(nul)
    except OSError:
        pass
    sys.stderr = open(os.devnull, "w")  # noqa: SIM115 - lives as long as the child


def _limiter_memoire(memoire: int) -> None:
    if sys.platform == "win32":
        memoire_windows.limiter_memoire(memoire)
        return
    try:
        import resource
    except ImportError:
        return
    try:
        with open("/proc/self/statm") as f:
            actuel = int(f.read().split()[0]) * os.sysconf("SC_PAGE_SIZE")
    except (OSError, ValueError):
        return  # not Linux: RLIMIT_AS is not reliable there
    limite = actuel + memoire
    _, dur = resource.getrlimit(resource.RLIMIT_AS)
    if dur != resource.RLIM_INFINITY:
        limite = min(limite, dur)
    try:
        resource.setrlimit(resource.RLIMIT_AS, (limite, dur))
    except (ValueError, OSError):
        pass
