"""Safe output: atomic writes, text that never turns into a formula, workspace lock.

Every output goes to a temporary file beside its target, then is renamed over it: a crash, a
kill or a full disk at any moment leaves the previous version whole (or no file), never half a
.docx. Temporary files left by a killed run are removed by the next write in that folder.
"""

from __future__ import annotations

import contextlib
import io
import errno
import json
import os
import re
import socket
import tempfile
import time
import zipfile
from collections.abc import Callable, Iterator
from datetime import date, datetime
from pathlib import Path
from typing import Any

from vif38_bilan.exceptions import EspaceVerrouille, SortieBloquee
from vif38_bilan.commun.textes import texte_propre, tronquer

# Temporary names: ".<target name, cut>~vif38-<pid>-<random>.tmp", so that a later run can tell
# a dead run's leftovers (pid gone) from a live one's.
_MARQUE = "~vif38-"
_ORPHELIN = re.compile(r"^\..*~vif38-(\d+)-[A-Za-z0-9_]+\.tmp$")
_NOM_COURT = 50

# Errors meaning "this output cannot be written here" (as opposed to a bug in the writer).
_ERRNO_SORTIE = {errno.EACCES, errno.EPERM, errno.EROFS, errno.ENOSPC, errno.ENAMETOOLONG, errno.EBUSY}
if hasattr(errno, "EDQUOT"):
    _ERRNO_SORTIE.add(errno.EDQUOT)


def ecrire_atomique(chemin: str | Path, ecrire: Callable[[Path], Any]) -> Path:
    """Call ecrire(tmp) on a temporary file beside chemin, then rename it into place.

    A crash at any moment leaves either the previous file or the new one, never half of it.
    Raises SortieBloquee (French message) when the target cannot be written: open in Excel or
    Word on Windows, read-only folder, full disk, path too long. Any other error of the writer
    propagates unchanged; the temporary file is removed in every case.
    """
    chemin = Path(chemin)
    dossier = chemin.parent
    try:
        dossier.mkdir(parents=True, exist_ok=True)
        nettoyer_temporaires(dossier)
        fd, tmp = tempfile.mkstemp(
            prefix=f".{chemin.name[:_NOM_COURT]}{_MARQUE}{os.getpid()}-", suffix=".tmp", dir=dossier
        )
        os.close(fd)
    except OSError as e:
        raise _bloquee(chemin, e) from e
    tmp_path = Path(tmp)
    try:
        ecrire(tmp_path)
        with open(tmp_path, "rb+") as f:
            os.fsync(f.fileno())
        _copier_droits(tmp_path, chemin)
        _remplacer(tmp_path, chemin)
        _synchroniser_dossier(dossier)
    except OSError as e:
        if _est_sortie(e, tmp_path, chemin):
            raise _bloquee(chemin, e) from e
        raise
    finally:
        with contextlib.suppress(OSError):
            tmp_path.unlink()
    return chemin


def ecrire_texte(chemin: str | Path, texte: str) -> Path:
    return ecrire_atomique(chemin, lambda p: p.write_text(texte, encoding="utf-8"))


def ecrire_octets(chemin: str | Path, donnees: bytes) -> Path:
    return ecrire_atomique(chemin, lambda p: p.write_bytes(donnees))


def enregistrer_classeur(classeur: Any, chemin: str | Path) -> Path:
    """Save an openpyxl workbook atomically."""
    return ecrire_atomique(chemin, lambda p: classeur.save(p))


class SortiesIndependantes:
    """Several outputs of one command, each attempted even when another is blocked (a report open
    in Excel must not prevent the bilan from being written); `verifier()` then raises one
    SortieBloquee naming every output that could not be written.

        sorties = SortiesIndependantes()
        rapport = sorties.essayer(ecrire_rapport, resultat, protocole, dossier)
        bilan = sorties.essayer(ecrire_bilan, ...)
        sorties.verifier()
    """

    def __init__(self) -> None:
        self.bloquees: list[SortieBloquee] = []
        self.ecrites = 0

    def essayer(self, ecrire: Callable[..., Any], *args: Any, **kwargs: Any) -> Any:
        """ecrire(*args, **kwargs), or None when its output is blocked."""
        try:
            resultat = ecrire(*args, **kwargs)
        except SortieBloquee as e:
            self.bloquees.append(e)
            return None
        self.ecrites += 1
        return resultat

    def verifier(self) -> None:
        if not self.bloquees:
            return
        lignes = [str(e) for e in self.bloquees]
        if self.ecrites:
            lignes.append(f"Les {self.ecrites} autre(s) sortie(s) ont été écrites.")
        raise SortieBloquee("\n".join(lignes))


def orphelins(dossier: str | Path, motif: re.Pattern, dossiers: bool = False) -> list[os.DirEntry]:
    """Entries of dossier named by motif (its group 1: the pid of the run that made them) whose run
    is gone: left by a killed run. A live run's entries, this process's included, are never listed.
    dossiers: folders instead of files. An unreadable dossier lists nothing."""
    try:
        entrees = list(os.scandir(dossier))
    except OSError:
        return []
    restes = []
    for e in entrees:
        m = motif.match(e.name)
        if m is None or e.is_dir(follow_symlinks=False) != dossiers:
            continue
        pid = int(m.group(1))
        if pid != os.getpid() and not processus_vivant(pid):
            restes.append(e)
    return restes


def nettoyer_temporaires(dossier: str | Path) -> list[Path]:
    """Remove the temporary files that runs killed mid-write left in dossier (their process is
    gone); the ones of a live run are kept. Returns what was removed."""
    retires: list[Path] = []
    for e in orphelins(dossier, _ORPHELIN):
        with contextlib.suppress(OSError):
            os.unlink(e.path)
            retires.append(Path(e.path))
    return retires


def _remplacer(source: Path, cible: Path) -> None:
    """os.replace, retried briefly on Windows where an antivirus or indexer holds new files
    for a moment (a file open in Excel stays locked: the last PermissionError is raised)."""
    attentes = (0.05, 0.2, 0.5) if os.name == "nt" else ()
    for attente in attentes:
        try:
            os.replace(source, cible)
            return
        except PermissionError:
            time.sleep(attente)
    os.replace(source, cible)


def _copier_droits(tmp: Path, cible: Path) -> None:
    """mkstemp creates private files (0600): give the output the target's rights, or the usual ones."""
    if os.name == "nt":
        return
    try:
        mode = os.stat(cible).st_mode & 0o7777
    except OSError:
        masque = os.umask(0)
        os.umask(masque)
        mode = 0o666 & ~masque
    os.chmod(tmp, mode)


def _synchroniser_dossier(dossier: Path) -> None:
    """Make the rename itself durable (POSIX); not possible nor needed on Windows."""
    if os.name == "nt":
        return
    with contextlib.suppress(OSError):
        fd = os.open(dossier, os.O_RDONLY)
        try:
            os.fsync(fd)
        finally:
            os.close(fd)


def _est_sortie(e: OSError, tmp: Path, chemin: Path) -> bool:
    """Is this error about writing the output (and not, say, about a model file the writer reads)?"""
    if e.filename is not None:
        return str(e.filename) in (str(tmp), str(chemin))
    return isinstance(e, PermissionError) or e.errno in _ERRNO_SORTIE


def _bloquee(chemin: Path, e: OSError) -> SortieBloquee:
    """The French message for an output that cannot be written, by cause."""
    n = e.errno
    if n == errno.ENOSPC or n == getattr(errno, "EDQUOT", None):
        quoi = "le disque est plein : libérez de la place (ou choisissez un autre dossier) puis relancez la commande."
    elif n == errno.EROFS:
        quoi = "le disque est en lecture seule : choisissez un autre dossier de sortie puis relancez la commande."
    elif n == errno.ENAMETOOLONG:
        quoi = "le chemin est trop long : choisissez un dossier de sortie plus court puis relancez la commande."
    elif isinstance(e, PermissionError) or n in (errno.EACCES, errno.EPERM, errno.EBUSY):
        if chemin.exists():
            quoi = (
                "le fichier est sans doute ouvert dans Excel, Word ou LibreOffice (ou protégé en écriture). "
                "Fermez-le puis relancez la commande ; la version précédente est restée intacte."
            )
        else:
            quoi = (
                f"vous n'avez pas le droit d'écrire dans le dossier « {chemin.parent} ». "
                "Choisissez un autre dossier de sortie ou demandez ce droit, puis relancez la commande."
            )
    else:
        quoi = f"{e.strerror or type(e).__name__}. Vérifiez le dossier puis relancez la commande."
    erreur = SortieBloquee(f"Impossible d'écrire « {chemin} » : {quoi}")
    erreur.chemin = chemin
    return erreur


# ---------------------------------------------------------------- text cells

TEXTE_CELLULE_MAX = 32767  # Excel's limit for one cell; beyond it Excel "repairs" the file


def nettoyer_texte(texte: str, maximum: int | None = TEXTE_CELLULE_MAX) -> str:
    """Text safe for an .xlsx cell or a .docx run (textes.texte_propre: one kind of line break, no
    control character), cut at maximum characters (with "…")."""
    texte = texte_propre(texte)
    if maximum is not None:
        texte = tronquer(texte, maximum)
    return texte


def mettre_texte(cellule: Any, valeur: Any) -> None:
    """Write a value in an openpyxl cell; strings always stay text (never a formula).

    "=HYPERLINK(…)", "+cmd|' /C calc'!A0", "-2+3", "@SUM(A1)" are stored as text cells: Excel
    and LibreOffice show them as typed, never evaluate them."""
    if isinstance(valeur, str):
        valeur = nettoyer_texte(valeur)
        cellule.value = valeur
        if valeur:
            cellule.data_type = "s"
    else:
        cellule.value = valeur


# ---------------------------------------------------------------- workspace lock

FICHIER_VERROU = ".vif38.lock"


@contextlib.contextmanager
def verrou(dossier: str | Path) -> Iterator[None]:
    """Refuse a second run on the same workspace while one is working (EspaceVerrouille).

    An operating-system lock on dossier/.vif38.lock (filelock): released by the system when the
    run ends, even killed, so a stale lock never blocks. A second verrou on the same folder is
    refused even within one process. The file names the holder (pid, host, start) for the message.
    """
    dossier = Path(dossier)
    try:
        dossier.mkdir(parents=True, exist_ok=True)
    except OSError as e:
        raise _bloquee(dossier / FICHIER_VERROU, e) from e
    chemin = dossier / FICHIER_VERROU
    pris = _prendre(chemin, dossier)
    if pris is None:
        _prendre_selon_contenu(chemin, dossier)
    try:
        yield
    finally:
        # Removed while still held: a run waiting on the old file sees it unlinked and retries
        # on a fresh one (filelock checks this). On Windows the removal fails while the file is
        # open: filelock removes it after release instead.
        with contextlib.suppress(OSError):
            chemin.unlink()
        if pris is not None:
            with contextlib.suppress(OSError):
                pris.release()


def _prendre(chemin: Path, dossier: Path) -> Any:
    """Take the OS lock (a filelock.FileLock); None when this file system has no OS locks (some
    network shares)."""
    from filelock import FileLock, Timeout  # lazy: ~40 ms of imports, only for commands that write

    verrou_os = FileLock(chemin, timeout=0, on_acquired=_ecrire_info)
    try:
        verrou_os.acquire()
    except Timeout:
        raise _occupe(dossier, _lire_info(chemin)) from None
    except OSError as e:
        if e.errno == errno.ENOSYS:
            return None
        raise _bloquee(chemin, e) from e
    return verrou_os


def _prendre_selon_contenu(chemin: Path, dossier: Path) -> None:
    """Without OS locks, the holder written in the file decides: busy while its pid is alive on
    this machine (or runs on another one). Kept by hand: filelock's own fallback (SoftFileLock)
    cannot be combined with the on_acquired callback that writes the holder, and its marker does
    not carry the host and start time the French message shows."""
    info = _lire_info(chemin)
    pid = info.get("pid")
    if isinstance(pid, int):
        ailleurs = info.get("hote") not in (None, socket.gethostname())
        if pid == os.getpid() or ailleurs or processus_vivant(pid):
            raise _occupe(dossier, info)
    try:
        fd = os.open(chemin, os.O_RDWR | os.O_CREAT, 0o666)
    except OSError as e:
        raise _bloquee(chemin, e) from e
    try:
        _ecrire_info(fd)
    finally:
        os.close(fd)


def _ecrire_info(fd: int) -> None:
    """Write the holder into the lock file, after a newline: Windows locks byte 0 of the file,
    so another run reads the holder from byte 1 on."""
    info = {"pid": os.getpid(), "hote": socket.gethostname(), "debut": datetime.now().isoformat(timespec="seconds")}
    with contextlib.suppress(OSError):
        os.ftruncate(fd, 0)
        os.lseek(fd, 0, os.SEEK_SET)
        os.write(fd, b"\n" + json.dumps(info).encode())


def _lire_info(chemin: Path) -> dict[str, Any]:
    texte = ""
    for debut in (0, 1):  # from byte 1 when byte 0 is locked (Windows)
        try:
            with open(chemin, "rb") as f:
                f.seek(debut)
                texte = f.read(4096).decode("utf-8", "replace")
            break
        except OSError:
            continue
    try:
        info = json.loads(texte or "{}")
    except ValueError:
        return {}
    if isinstance(info, int):  # lock written by an earlier version: the pid alone
        return {"pid": info}
    return info if isinstance(info, dict) else {}


def _occupe(dossier: Path, info: dict[str, Any]) -> EspaceVerrouille:
    qui = ""
    if isinstance(info.get("pid"), int):
        qui = f" (processus {info['pid']}"
        if info.get("hote") and info["hote"] != socket.gethostname():
            qui += f" sur le poste {info['hote']}"
        debut = info.get("debut")
        if isinstance(debut, str) and "T" in debut:
            qui += f", commencée à {debut[11:16]} le {debut[8:10]}/{debut[5:7]}/{debut[:4]}"
        qui += ")"
    return EspaceVerrouille(
        f"Une autre commande vif38-bilan travaille déjà dans « {dossier} »{qui}. "
        "Attendez qu'elle se termine, puis relancez la commande."
    )


def processus_vivant(pid: int) -> bool:
    """Is process pid running on this machine? (Never signals it: os.kill(pid, 0) would
    terminate it on Windows.)"""
    if pid <= 0:
        return False
    if os.name == "nt":
        import ctypes

        noyau = ctypes.WinDLL("kernel32", use_last_error=True)
        h = noyau.OpenProcess(0x1000, False, pid)  # PROCESS_QUERY_LIMITED_INFORMATION
        if not h:
            return ctypes.get_last_error() == 5  # access denied: it exists
        try:
            code = ctypes.c_ulong()
            noyau.GetExitCodeProcess(h, ctypes.byref(code))
            return code.value == 259  # STILL_ACTIVE
        finally:
            noyau.CloseHandle(h)
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    except OSError:
        return False
    return True


def zip_stable(donnees: bytes, moment: date) -> bytes:
    """Same zip entries in the same order with a fixed timestamp: identical bytes for identical content."""
    horodatage = (max(moment.year, 1980), moment.month, moment.day, 0, 0, 0)
    sortie = io.BytesIO()
    with zipfile.ZipFile(io.BytesIO(donnees)) as zin, zipfile.ZipFile(sortie, "w", zipfile.ZIP_DEFLATED) as zout:
        for info in zin.infolist():
            zi = zipfile.ZipInfo(info.filename, date_time=horodatage)
            zi.compress_type = zipfile.ZIP_DEFLATED
            zi.external_attr = 0o600 << 16
            zout.writestr(zi, zin.read(info.filename))
    return sortie.getvalue()
