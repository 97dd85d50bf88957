"""The bilan as PDF, with its contents page up to date, through LibreOffice (headless, UNO).

A .docx written by python-docx carries a table of contents Word refreshes when it opens the file;
LibreOffice's plain `--convert-to pdf` never does, so the PDF would show the contents without page
numbers. Here LibreOffice itself lays the document out, updates its indexes, then exports: a
headless soffice with a private user profile (the agent's own LibreOffice settings and open
windows are never touched) listening on a named pipe, driven by bilan_pdf_uno.py run by
LibreOffice's Python, everything under a time limit.

The conversion works in a folder beside the PDF (inside the workspace's sorties/, never the
system's temporary folder): .vif38-pdf-<pid>-<random>/ holding the LibreOffice profile and the
PDF being made. It is removed when the run ends; one left by a run that was killed (its process
is gone) is removed by the next conversion in that folder.
"""

from __future__ import annotations

import os
import re
import secrets
import shutil
import signal
import subprocess
import sys
import tempfile
from dataclasses import dataclass
from pathlib import Path

from vif38_bilan.commun.ecriture import ecrire_octets, orphelins
from vif38_bilan.exceptions import Vif38Error

DELAI = 240.0  # seconds for the whole conversion (a 40-page bilan takes about 5 s)
SCRIPT = Path(__file__).with_name("pdf_uno.py")
PREFIXE_TRAVAIL = ".vif38-pdf-"
_TRAVAIL = re.compile(r"^\.vif38-pdf-(\d+)-[A-Za-z0-9_]+$")

MESSAGE_SANS_LIBREOFFICE = (
    "Le PDF demande LibreOffice, introuvable sur ce poste : le bilan Word (.docx) est écrit, lui. "
    "Installez LibreOffice (gratuit, https://fr.libreoffice.org) puis relancez avec --pdf, "
    "ou ouvrez le .docx dans Word et enregistrez-le en PDF. Une version portable de LibreOffice "
    "est trouvée si la variable d'environnement VIF38_LIBREOFFICE donne son dossier."
)


class PdfImpossible(Vif38Error):
    """LibreOffice is missing or did not produce the PDF (the .docx is written all the same)."""


@dataclass(frozen=True)
class LibreOffice:
    soffice: str
    python: str  # a Python that can import uno


# Where Windows users have LibreOffice, under each base folder: the installer for everyone
# (Program Files), the per-user installer (%LOCALAPPDATA%\Programs), PortableApps' LibreOffice
# Portable unpacked in the user's folders.
_SOUS_DOSSIERS_WINDOWS = (
    ("PROGRAMFILES", "LibreOffice"),
    ("PROGRAMW6432", "LibreOffice"),
    ("PROGRAMFILES(X86)", "LibreOffice"),
    ("LOCALAPPDATA", "Programs/LibreOffice"),
    ("USERPROFILE", "PortableApps/LibreOfficePortable/App/libreoffice"),
    ("USERPROFILE", "Desktop/LibreOfficePortable/App/libreoffice"),
    ("USERPROFILE", "Documents/LibreOfficePortable/App/libreoffice"),
    ("USERPROFILE", "LibreOfficePortable/App/libreoffice"),
)


def _candidats_soffice(
    environ: dict[str, str] | None = None, plateforme: str | None = None, registre=None
) -> list[str]:
    """soffice executables that exist, most explicit first: $VIF38_LIBREOFFICE (the program or its
    folder), PATH, then per platform. Windows: the folders above and the install folder LibreOffice
    records in the registry (HKCU then HKLM, SOFTWARE\\LibreOffice\\UNO\\InstallPath: set by both
    the per-user and the machine installer). registre(ruche, cle) → str | None reads a default
    value (winreg by default)."""
    environ = os.environ if environ is None else environ
    plateforme = plateforme or sys.platform
    exe = "soffice.exe" if plateforme == "win32" else "soffice"
    trouves: list[str] = []
    choisi = environ.get("VIF38_LIBREOFFICE", "").strip().strip('"')
    if choisi:
        trouves += [choisi, str(Path(choisi) / exe), str(Path(choisi) / "program" / exe)]
    trouves += [shutil.which(n, path=environ.get("PATH")) for n in ("soffice", "libreoffice")]
    if plateforme == "win32":
        for ruche in ("HKEY_CURRENT_USER", "HKEY_LOCAL_MACHINE"):
            dossier = (registre or _registre_windows)(ruche, r"SOFTWARE\LibreOffice\UNO\InstallPath")
            if dossier:
                trouves.append(str(Path(dossier) / exe))
        for variable, sous in _SOUS_DOSSIERS_WINDOWS:
            if environ.get(variable):
                trouves.append(str(Path(environ[variable], *sous.split("/"), "program", exe)))
    elif plateforme == "darwin":
        trouves.append("/Applications/LibreOffice.app/Contents/MacOS/soffice")
    vus: list[str] = []
    for t in trouves:
        if t and t not in vus and Path(t).is_file():
            vus.append(t)
    return vus


def _registre_windows(ruche: str, cle: str) -> str | None:
    """The default value of a registry key, None when absent or not on Windows."""
    try:
        import winreg
    except ImportError:
        return None
    try:
        with winreg.OpenKey(getattr(winreg, ruche), cle) as k:
            valeur, _ = winreg.QueryValueEx(k, "")
    except OSError:
        return None
    return valeur if isinstance(valeur, str) else None


def _python_uno(soffice: str) -> str | None:
    """LibreOffice's own Python (Windows, macOS bundles), else the system python3 with python3-uno (Debian)."""
    programme = Path(soffice).resolve().parent
    candidats = [programme / "python.exe", programme / "python", programme.parent / "Resources" / "python"]
    candidats += [Path("/usr/bin/python3")]
    for c in candidats:
        if c.is_file():
            try:
                ok = subprocess.run(
                    [str(c), "-c", "import uno"], capture_output=True, timeout=30, env=_environnement()
                ).returncode
            except (OSError, subprocess.SubprocessError):
                continue
            if ok == 0:
                return str(c)
    return None


def _environnement() -> dict[str, str]:
    """Our environment without what would point LibreOffice's Python at this program's venv."""
    return {k: v for k, v in os.environ.items() if k not in ("PYTHONPATH", "PYTHONHOME", "VIRTUAL_ENV")}


def trouver_libreoffice() -> LibreOffice | None:
    """LibreOffice and a Python able to drive it, or None."""
    for soffice in _candidats_soffice():
        python = _python_uno(soffice)
        if python:
            return LibreOffice(soffice, python)
    return None


def nettoyer_restes(dossier: str | Path) -> list[Path]:
    """Remove the conversion folders (.vif38-pdf-<pid>-…) that killed runs left in dossier: those
    whose process is gone; a live run's folder is kept. Returns what was removed."""
    retires: list[Path] = []
    for e in orphelins(dossier, _TRAVAIL, dossiers=True):
        shutil.rmtree(e.path, ignore_errors=True)
        if not os.path.exists(e.path):
            retires.append(Path(e.path))
    return retires


def _dossier_de_travail(pdf: Path) -> Path:
    """A fresh conversion folder beside pdf, after removing those of killed runs; PdfImpossible if none can be made."""
    try:
        pdf.parent.mkdir(parents=True, exist_ok=True)
        nettoyer_restes(pdf.parent)
        return Path(tempfile.mkdtemp(prefix=f"{PREFIXE_TRAVAIL}{os.getpid()}-", dir=pdf.parent))
    except OSError as e:
        raise PdfImpossible(
            f"Impossible de préparer la conversion en PDF dans le dossier de sortie ({e.strerror or e}) : "
            "le bilan Word (.docx) est écrit. Libérez de la place ou vérifiez les droits du dossier, puis relancez."
        ) from None


def exporter_pdf(
    docx: str | Path, pdf: str | Path, delai: float = DELAI, libreoffice: LibreOffice | None = None
) -> Path:
    """Write pdf from docx with the contents (entries and page numbers) updated by LibreOffice.

    Works in a folder beside pdf (see the module's docstring), removed in every case. Raises
    PdfImpossible (French) when LibreOffice is missing, too slow or fails, or when that folder cannot
    be made (full disk, read-only folder).
    """
    lo = libreoffice or trouver_libreoffice()
    if lo is None:
        raise PdfImpossible(MESSAGE_SANS_LIBREOFFICE)
    docx, pdf = Path(docx).resolve(), Path(pdf).absolute()
    travail = _dossier_de_travail(pdf)
    tuyau = f"vif38_{os.getpid()}_{secrets.token_hex(6)}"
    connexion = f"pipe,name={tuyau}"
    soffice = None
    try:
        provisoire = travail / "bilan.pdf"
        soffice = subprocess.Popen(
            [
                lo.soffice,
                "--headless",
                "--invisible",
                "--nologo",
                "--norestore",
                "--nodefault",
                "--nolockcheck",
                f"-env:UserInstallation={(travail / 'profil').as_uri()}",
                f"--accept={connexion};urp;StarOffice.ComponentContext",
            ],
            stdin=subprocess.DEVNULL,
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
            start_new_session=sys.platform != "win32",
        )
        try:
            fin = subprocess.run(
                [lo.python, str(SCRIPT), connexion, str(docx), str(provisoire), "", str(delai)],
                capture_output=True,
                timeout=delai,
                env=_environnement(),
                text=True,
            )
        except subprocess.TimeoutExpired:
            raise PdfImpossible(
                f"LibreOffice n'a pas produit le PDF en {int(delai)} secondes : le bilan Word (.docx) est écrit. "
                "Relancez plus tard, ou ouvrez le .docx dans Word et enregistrez-le en PDF."
            ) from None
        if fin.returncode != 0 or not provisoire.is_file():
            detail = (fin.stderr or "").strip().splitlines()[-1:] or [f"code {fin.returncode}"]
            raise PdfImpossible(
                f"LibreOffice n'a pas pu produire le PDF ({detail[0]}) : le bilan Word (.docx) est écrit. "
                "Ouvrez-le dans Word et enregistrez-le en PDF, ou relancez avec --debug et transmettez le détail."
            )
        return ecrire_octets(pdf, provisoire.read_bytes())
    finally:
        if soffice is not None:
            _arreter(soffice)
        shutil.rmtree(travail, ignore_errors=True)


def _arreter(processus: subprocess.Popen) -> None:
    """Stop the soffice we started (and only it: its own process group)."""
    try:
        processus.wait(timeout=15)  # the script asked it to terminate
        return
    except subprocess.TimeoutExpired:
        pass
    if sys.platform != "win32":
        try:
            os.killpg(processus.pid, signal.SIGTERM)
        except ProcessLookupError:
            return
    else:
        processus.terminate()
    try:
        processus.wait(timeout=10)
    except subprocess.TimeoutExpired:
        if sys.platform != "win32":
            os.killpg(processus.pid, signal.SIGKILL)
        else:
            processus.kill()
        processus.wait(timeout=10)
