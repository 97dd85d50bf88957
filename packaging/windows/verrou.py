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
import subprocess
import sys
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


def resoudre(setup_cfg: Path, dossier: Path, pip: list[str]) -> dict[str, Path]:
    """Download (into `dossier`) the Windows wheels of setup.cfg's dependencies and their closure."""
    declarees = dependances_declarees(setup_cfg)
    racines = [Requirement(d) for d in declarees]
    demandes = [str(r) for r in racines if _pour_windows(r, set())]
    for _ in range(6):
        subprocess.run([*pip, "download", "-q", "-d", str(dossier), *OPTIONS_WINDOWS, *demandes], check=True)
        gardees, manquants = fermeture(racines, _roues(dossier))
        if not manquants:
            return gardees
        demandes += sorted(manquants)
    raise ErreurVerrou(f"Dépendances Windows introuvables : {', '.join(sorted(manquants))}")


def sha256(chemin: Path) -> str:
    """Hex SHA-256 of a file."""
    h = hashlib.sha256()
    with open(chemin, "rb") as f:
        for bloc in iter(lambda: f.read(1 << 20), b""):
            h.update(bloc)
    return h.hexdigest()


def ecrire_verrou(verrou: Path, setup_cfg: Path, gardees: dict[str, Path]) -> None:
    """Write the lock: a pip requirements file (--require-hashes) plus setup.cfg's list it answers."""
    lignes = [
        "# Windows wheels of vif38-bilan's dependencies (CPython 3.13, win_amd64), pinned by hash.",
        "# Regenerate after changing install_requires: python3 packaging/windows/construire.py --verrouiller",
    ]
    lignes += [ENTETE + d for d in dependances_declarees(setup_cfg)]
    for nom in sorted(gardees):
        roue = gardees[nom]
        version = parse_wheel_filename(roue.name)[1]
        lignes += [f"# {roue.name}", f"{nom}=={version} --hash=sha256:{sha256(roue)}"]
    verrou.write_text("\n".join(lignes) + "\n", encoding="utf-8")


def lire_verrou(verrou: Path, setup_cfg: Path) -> dict[str, str]:
    """name → wheel file name from the lock; ErreurVerrou when setup.cfg's list changed since."""
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
    fichiers = [t[2:] for t in texte if t.startswith("# ") and t.endswith(".whl")]
    return {canonicalize_name(parse_wheel_filename(f)[0]): f for f in fichiers}


if __name__ == "__main__":  # python verrou.py SETUP_CFG DOSSIER VERROU (used by construire.py)
    cfg, dossier, sortie = map(Path, sys.argv[1:4])
    ecrire_verrou(sortie, cfg, resoudre(cfg, dossier, [sys.executable, "-m", "pip"]))
