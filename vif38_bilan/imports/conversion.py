"""An old Word (.doc) or OpenDocument (.odt) document converted to .docx by LibreOffice, in a temp folder.

The input is never modified: LibreOffice reads it and writes the .docx in a private folder with
its own user profile (the agent's LibreOffice settings and open windows are left alone); the
caller reads the bytes and the folder is removed.
"""

from __future__ import annotations

import os
import shutil
import signal
import subprocess
import sys
import tempfile
from pathlib import Path

from vif38_bilan.exceptions import DocumentIllisible

# Formats LibreOffice converts to .docx for the imports (the suffix decides; content is checked after).
A_CONVERTIR = {".doc": "Word 97-2003 (.doc)", ".odt": "OpenDocument (.odt)", ".rtf": "RTF (.rtf)"}
DELAI = 120  # seconds: a 40-page protocol converts in a few seconds on a laptop


def _soffice() -> str | None:
    for nom in ("soffice", "libreoffice"):
        trouve = shutil.which(nom)
        if trouve:
            return trouve
    for candidat in (
        Path(os.environ.get("PROGRAMFILES", "C:/Program Files")) / "LibreOffice" / "program" / "soffice.exe",
        Path("/Applications/LibreOffice.app/Contents/MacOS/soffice"),
    ):
        if candidat.is_file():
            return str(candidat)
    return None


def convertir_en_docx(chemin: Path, delai: float = DELAI, donnees: bytes | None = None) -> bytes:
    """The .docx bytes of a .doc, .odt or .rtf document, converted by headless LibreOffice.

    Args:
        chemin: the document (left untouched; its name and suffix say the format).
        donnees: its bytes as already read and checked, converted as they are (read from chemin
            when None): what was checked is what is converted.
        delai: seconds allowed to LibreOffice.
    Returns:
        The converted document's bytes.
    Raises:
        DocumentIllisible (French, with what to do) when LibreOffice is missing, too slow or fails.
    """
    chemin = Path(chemin)
    format_ = A_CONVERTIR.get(chemin.suffix.lower(), chemin.suffix)
    a_la_main = (
        f"ouvrez « {chemin.name} » dans Word ou LibreOffice, enregistrez-le au format .docx, puis relancez la commande."
    )
    soffice = _soffice()
    if soffice is None:
        raise DocumentIllisible(
            f"« {chemin.name} » est au format {format_} : LibreOffice, qui le convertirait, est introuvable sur ce "
            f"poste ; {a_la_main}"
        )
    travail = Path(tempfile.mkdtemp(prefix="vif38-conversion-"))
    try:
        source = travail / f"document{chemin.suffix.lower()}"
        # A plain name: LibreOffice never sees the agent's folders.
        if donnees is None:
            shutil.copyfile(chemin, source)
        else:
            source.write_bytes(donnees)
        processus = subprocess.Popen(
            [
                soffice, "--headless", "--invisible", "--nologo", "--norestore", "--nolockcheck",
                f"-env:UserInstallation={(travail / 'profil').as_uri()}",
                "--convert-to", "docx:MS Word 2007 XML", "--outdir", str(travail / "sortie"), str(source),
            ],
            stdin=subprocess.DEVNULL,
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
            start_new_session=sys.platform != "win32",
        )  # fmt: skip
        try:
            processus.wait(timeout=delai)
        except subprocess.TimeoutExpired:
            _arreter(processus)
            raise DocumentIllisible(
                f"LibreOffice n'a pas converti « {chemin.name} » en {int(delai)} secondes ; {a_la_main}"
            ) from None
        sortie = travail / "sortie" / "document.docx"
        if processus.returncode != 0 or not sortie.is_file():
            raise DocumentIllisible(f"LibreOffice n'a pas pu convertir « {chemin.name} » ({format_}) ; {a_la_main}")
        return sortie.read_bytes()
    finally:
        shutil.rmtree(travail, ignore_errors=True)


def _arreter(processus: subprocess.Popen) -> None:
    """Stop the soffice we started (its own process group only)."""
    if sys.platform != "win32":
        try:
            os.killpg(processus.pid, signal.SIGKILL)
        except ProcessLookupError:
            pass
    else:
        processus.kill()
    processus.wait()
