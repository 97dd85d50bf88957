"""Safe output: atomic writes, text that never turns into a formula, workspace lock."""

from __future__ import annotations

import contextlib
import os
import tempfile
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

from vif38_bilan.exceptions import EspaceVerrouille, SortieBloquee


def ecrire_atomique(chemin: str | Path, ecrire: Callable[[Path], Any]) -> Path:
    """Call ecrire(tmp) on a temporary file beside chemin, then rename it into place.

    A crash at any moment leaves either the previous file or the new one, never half of it.
    """
    chemin = Path(chemin)
    chemin.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(prefix=f".{chemin.name}.", suffix=".tmp", dir=chemin.parent)
    os.close(fd)
    tmp_path = Path(tmp)
    try:
        ecrire(tmp_path)
        with open(tmp_path, "rb+") as f:
            os.fsync(f.fileno())
        os.replace(tmp_path, chemin)
    except PermissionError as e:
        raise SortieBloquee(
            f"Impossible d'écrire « {chemin} » : le fichier est sans doute ouvert dans Excel, Word ou LibreOffice. "
            "Fermez-le puis relancez la commande."
        ) from e
    finally:
        with contextlib.suppress(FileNotFoundError):
            tmp_path.unlink()
    return chemin


def ecrire_texte(chemin: str | Path, texte: str) -> Path:
    return ecrire_atomique(chemin, lambda p: p.write_text(texte, encoding="utf-8"))


def ecrire_octets(chemin: str | Path, donnees: bytes) -> Path:
    return ecrire_atomique(chemin, lambda p: p.write_bytes(donnees))


def enregistrer_classeur(classeur: Any, chemin: str | Path) -> Path:
    """Save an openpyxl workbook atomically."""
    return ecrire_atomique(chemin, lambda p: classeur.save(p))


def mettre_texte(cellule: Any, valeur: Any) -> None:
    """Write a value in an openpyxl cell; strings always stay text (never a formula)."""
    cellule.value = valeur
    if isinstance(valeur, str) and valeur:
        cellule.data_type = "s"


@contextlib.contextmanager
def verrou(dossier: str | Path) -> Iterator[None]:
    """Refuse a second run on the same workspace while one is working."""
    dossier = Path(dossier)
    dossier.mkdir(parents=True, exist_ok=True)
    chemin = dossier / ".vif38.lock"
    for _ in range(2):
        try:
            fd = os.open(chemin, os.O_CREAT | os.O_EXCL | os.O_WRONLY)
            break
        except FileExistsError:
            if _verrou_perime(chemin):
                with contextlib.suppress(FileNotFoundError):
                    chemin.unlink()
                continue
            raise EspaceVerrouille(
                f"Une autre commande vif38-bilan travaille déjà dans « {dossier} ». "
                f"Attendez qu'elle se termine. Si aucune ne tourne, supprimez le fichier {chemin}."
            ) from None
    else:  # pragma: no cover - lost a race twice
        raise EspaceVerrouille(f"Impossible de prendre le verrou {chemin} : relancez la commande.")
    try:
        os.write(fd, str(os.getpid()).encode())
        os.close(fd)
        yield
    finally:
        with contextlib.suppress(FileNotFoundError):
            chemin.unlink()


def _verrou_perime(chemin: Path) -> bool:
    """A lock whose process is gone is stale."""
    try:
        pid = int(chemin.read_text().strip() or "0")
    except (OSError, ValueError):
        return True
    if pid <= 0:
        return True
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return True
    except PermissionError:
        return False
    return False
