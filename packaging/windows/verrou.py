"""The Windows lock: which wheel of which version, by hash, for every dependency in setup.cfg.

`pip download --platform win_amd64` picks Windows wheels but evaluates environment markers for the
machine it runs on (Linux, its own Python): `colorama; platform_system == "Windows"` (click) would be
missed and a Linux-only dependency kept. So pip only downloads here; the closure is computed from
the wheels' own metadata (Requires-Dist) with Windows markers, and pip is asked again for whatever
Windows needs that Linux did not, until nothing is missing.

Runs inside the build's venv (recent pip, `packaging`): see construire.py.
"""

from __future__ import annotations

import configparser
import hashlib
import re
import shutil
import subprocess
import sys
import tempfile
import zipfile
from email.parser import HeaderParser
from pathlib import Path

from packaging.requirements import Requirement
from packaging.utils import canonicalize_name, parse_wheel_filename

PYTHON_WINDOWS = "3.13"
ENVIRONNEMENT_WINDOWS = {
    "implementation_name": "cpython",
    "implementation_version": "3.13.0",
    "os_name": "nt",
    "platform_machine": "AMD64",
    "platform_python_implementation": "CPython",
    "platform_release": "10",
    "platform_system": "Windows",
    "platform_version": "10.0.19045",
    "python_full_version": "3.13.0",
    "python_version": PYTHON_WINDOWS,
    "sys_platform": "win32",
}
OPTIONS_WINDOWS = [
    "--platform", "win_amd64", "--python-version", PYTHON_WINDOWS,
    "--implementation", "cp", "--only-binary=:all:",
]  # fmt: skip
ENTETE = "# install_requires: "
SOURCE = "# source pure : "


class ErreurVerrou(Exception):
    """The lock is missing, stale or cannot be resolved (French message)."""


def dependances_declarees(setup_cfg: Path) -> list[str]:
    """setup.cfg's [options] install_requires, one requirement a line, as written."""
    cfg = configparser.ConfigParser()
    cfg.read(setup_cfg, encoding="utf-8")
    brut = cfg.get("options", "install_requires", fallback="")
    return [ligne.strip() for ligne in brut.splitlines() if ligne.strip() and not ligne.strip().startswith("#")]


def _pour_windows(req: Requirement, extras: set[str]) -> bool:
    if req.marker is None:
        return True
    return any(req.marker.evaluate({**ENVIRONNEMENT_WINDOWS, "extra": e}) for e in (extras or {""}))


def _metadonnees(roue: Path) -> list[Requirement]:
    with zipfile.ZipFile(roue) as z:
        nom = next(n for n in z.namelist() if n.endswith(".dist-info/METADATA") and n.count("/") == 1)
        meta = HeaderParser().parsestr(z.read(nom).decode("utf-8"))
    return [Requirement(r) for r in meta.get_all("Requires-Dist") or []]


def fermeture(racines: list[Requirement], roues: dict[str, Path]) -> tuple[dict[str, Path], set[str]]:
    """Wheels Windows needs from `racines` (name → wheel) and the names still missing from `roues`."""
    gardees: dict[str, Path] = {}
    manquants: set[str] = set()
    extras: dict[str, set[str]] = {}
    a_voir = [(r, set()) for r in racines]
    while a_voir:
        req, extras_parent = a_voir.pop()
        if not _pour_windows(req, extras_parent):
            continue
        nom = canonicalize_name(req.name)
        nouveaux = set(req.extras) - extras.get(nom, set())
        if nom in gardees and not nouveaux:
            continue
        extras.setdefault(nom, set()).update(req.extras)
        if nom not in roues:
            manquants.add(req.name if not req.extras else f"{req.name}[{','.join(sorted(req.extras))}]")
            continue
        gardees[nom] = roues[nom]
        a_voir += [(d, extras[nom]) for d in _metadonnees(roues[nom])]
    return gardees, manquants


def _roues(dossier: Path) -> dict[str, Path]:
    return {canonicalize_name(parse_wheel_filename(p.name)[0]): p for p in dossier.glob("*.whl")}


_INTROUVABLE = re.compile(r"No matching distribution found for ([A-Za-z0-9][A-Za-z0-9._-]*)(\S*)")
_DEPEND = re.compile(r"depends on ([A-Za-z0-9][A-Za-z0-9._-]*)(\S*)(?: and (\S+))?")


def resoudre(setup_cfg: Path, dossier: Path, pip: list[str]) -> tuple[dict[str, Path], dict[str, Path]]:
    """Download (into `dossier`) the Windows wheels of setup.cfg's dependencies and their closure.

    A dependency published only as source (no wheel at all) is built here into a wheel when it is
    pure Python (py3-none-any: the same on Windows). Returns (name → wheel, name → source archive
    of those built); ErreurVerrou when a dependency would need compiling for Windows."""
    declarees = dependances_declarees(setup_cfg)
    racines = [Requirement(d) for d in declarees]
    demandes = [str(r) for r in racines if _pour_windows(r, set())]
    purs, sources = dossier / "purs", {}
    purs.mkdir(parents=True, exist_ok=True)
    for _ in range(12):
        r = subprocess.run(
            [*pip, "download", "-d", str(dossier), "--find-links", str(purs), *OPTIONS_WINDOWS, *demandes],
            capture_output=True,
            text=True,
        )
        if r.returncode != 0:
            if _sources_pures(r.stdout + r.stderr, purs, sources, pip):
                continue
            raise ErreurVerrou("pip ne trouve pas de roues Windows pour toutes les dépendances :\n" + r.stderr[-3000:])
        gardees, manquants = fermeture(racines, _roues(dossier))
        if not manquants:
            return gardees, {n: s for n, s in sources.items() if n in gardees}
        demandes += sorted(manquants)
    raise ErreurVerrou(f"Dépendances Windows introuvables : {', '.join(sorted(manquants))}")


def _sources_pures(erreur: str, purs: Path, sources: dict[str, Path], pip: list[str]) -> bool:
    """Build a pure wheel for each requirement named in pip's error that has no Windows wheel."""
    nouveau = False
    for m in [*_INTROUVABLE.finditer(erreur), *_DEPEND.finditer(erreur)]:
        nom = canonicalize_name(m.group(1))
        if nom in sources:
            continue
        exigence = m.group(1) + ",".join(s for s in m.groups()[1:] if s)
        with tempfile.TemporaryDirectory() as tmp:
            essai = [*pip, "download", "-q", "--no-deps", "-d", tmp, *OPTIONS_WINDOWS, exigence]
            if subprocess.run(essai, capture_output=True).returncode == 0:
                continue  # it has a Windows wheel: not the cause
            subprocess.run(
                [*pip, "download", "-q", "--no-deps", "--no-binary", ":all:", "-d", tmp, exigence], check=True
            )
            sdist = next(Path(tmp).iterdir())
            (purs / "sources").mkdir(exist_ok=True)
            sources[nom] = Path(shutil.copy(sdist, purs / "sources" / sdist.name))
        roue_pure(sources[nom], purs, pip)
        nouveau = True
    return nouveau


def roue_pure(sdist: Path, dossier: Path, pip: list[str]) -> Path:
    """Build sdist into a wheel in dossier; ErreurVerrou unless it is pure Python (none-any)."""
    with tempfile.TemporaryDirectory() as tmp:
        subprocess.run([*pip, "wheel", "-q", "--no-deps", "-w", tmp, str(sdist)], check=True)
        roue = next(Path(tmp).glob("*.whl"))
        if any(tag.abi != "none" or tag.platform != "any" for tag in parse_wheel_filename(roue.name)[3]):
            raise ErreurVerrou(
                f"{sdist.name} n'a pas de roue Windows et contient du code à compiler : non pris en charge."
            )
        return Path(shutil.copy(roue, dossier / roue.name))


def sha256(chemin: Path) -> str:
    """Hex SHA-256 of a file."""
    h = hashlib.sha256()
    with open(chemin, "rb") as f:
        for bloc in iter(lambda: f.read(1 << 20), b""):
            h.update(bloc)
    return h.hexdigest()


def ecrire_verrou(verrou: Path, setup_cfg: Path, gardees: dict[str, Path], sources: dict[str, Path]) -> None:
    """Write the lock: for each wheel, its file name in a comment then its pip requirement pinned by
    hash (the source archive's hash for a pure wheel built here); setup.cfg's list it answers."""
    lignes = [
        "# Windows wheels of vif38-bilan's dependencies (CPython 3.13, win_amd64), pinned by hash.",
        "# Regenerate after changing install_requires: python3 packaging/windows/construire.py --verrouiller",
    ]
    lignes += [ENTETE + d for d in dependances_declarees(setup_cfg)]
    for nom in sorted(gardees):
        roue = gardees[nom]
        version = parse_wheel_filename(roue.name)[1]
        if nom in sources:
            lignes += [f"{SOURCE}{sources[nom].name}", f"{nom}=={version} --hash=sha256:{sha256(sources[nom])}"]
        else:
            lignes += [f"# {roue.name}", f"{nom}=={version} --hash=sha256:{sha256(roue)}"]
    verrou.write_text("\n".join(lignes) + "\n", encoding="utf-8")


def lire_verrou(verrou: Path, setup_cfg: Path) -> dict[str, tuple[str, str]]:
    """name → (file name, pip requirement line) from the lock; the file is a wheel, or a source
    archive (.tar.gz, .zip) to build into a pure wheel. ErreurVerrou when setup.cfg's list changed."""
    if not verrou.is_file():
        raise ErreurVerrou(f"Pas de verrou {verrou.name} : lancez construire.py --verrouiller.")
    texte = verrou.read_text(encoding="utf-8").splitlines()
    notees = [t.removeprefix(ENTETE) for t in texte if t.startswith(ENTETE)]
    if notees != dependances_declarees(setup_cfg):
        raise ErreurVerrou(
            "Les dépendances de setup.cfg ont changé depuis le verrou Windows : lancez "
            "python3 packaging/windows/construire.py --verrouiller, vérifiez puis validez "
            f"packaging/windows/{verrou.name}."
        )
    entrees = {}
    for commentaire, ligne in zip(texte, texte[1:], strict=False):
        if commentaire.startswith(SOURCE):
            fichier = commentaire.removeprefix(SOURCE)
        elif commentaire.startswith("# ") and commentaire.endswith(".whl"):
            fichier = commentaire[2:]
        else:
            continue
        entrees[canonicalize_name(ligne.split("==")[0])] = (fichier, ligne)
    return entrees


if __name__ == "__main__":  # python verrou.py SETUP_CFG DOSSIER VERROU (used by construire.py)
    cfg, dossier, sortie = map(Path, sys.argv[1:4])
    ecrire_verrou(sortie, cfg, *resoudre(cfg, dossier, [sys.executable, "-m", "pip"]))
