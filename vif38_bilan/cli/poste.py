"""The agent's PC: what the Windows launchers
run (`python -m vif38_bilan.cli.poste page|console`, see packaging/windows/lanceurs/).

The work page's workspace is %VIF38_ESPACE%, else the folder vif38-bilan in the user's Documents
as Windows knows it (SHGetKnownFolderPath: Documents moved to OneDrive by "Known Folder Move" is
found where it really is, not at %USERPROFILE%\\Documents).
"""

from __future__ import annotations

import os
import sys
from pathlib import Path

from vif38_bilan.cli.console import console_sure
from vif38_bilan.cli.principal import cli
from vif38_bilan.espace import FICHIER_CONFIG

def documents(plateforme: str | None = None) -> Path:
    """The user's Documents folder (Windows: the known folder, wherever it was moved; elsewhere
    ~/Documents when it exists, else the home folder)."""
    if (plateforme or sys.platform) == "win32":
        chemin = _dossier_connu_windows()
        if chemin is not None:
            return chemin
        return Path(os.environ.get("USERPROFILE", str(Path.home()))) / "Documents"
    d = Path.home() / "Documents"
    return d if d.is_dir() else Path.home()


def _dossier_connu_windows() -> Path | None:
    """FOLDERID_Documents through SHGetKnownFolderPath (shell32), None when it cannot be asked."""
    try:
        import ctypes
        import uuid
        from ctypes import wintypes

        guid = (ctypes.c_byte * 16).from_buffer_copy(uuid.UUID("FDD39AD0-238F-46AF-ADB4-6C85480369C7").bytes_le)
        chemin = ctypes.c_wchar_p()
        shell32 = ctypes.windll.shell32  # type: ignore[attr-defined]
        shell32.SHGetKnownFolderPath.argtypes = [ctypes.c_void_p, wintypes.DWORD, wintypes.HANDLE, ctypes.c_void_p]
        if shell32.SHGetKnownFolderPath(ctypes.byref(guid), 0, None, ctypes.byref(chemin)) != 0:
            return None
        valeur = chemin.value
        ctypes.windll.ole32.CoTaskMemFree(chemin)  # type: ignore[attr-defined]
        return Path(valeur) if valeur else None
    except (ImportError, AttributeError, OSError, ValueError):
        return None


def espace_du_poste() -> Path:
    """The work page's workspace: %VIF38_ESPACE%, else Documents/vif38-bilan."""
    choisi = os.environ.get("VIF38_ESPACE", "").strip()
    return Path(choisi) if choisi else documents() / "vif38-bilan"


def page() -> int:
    """Open the work page on the workspace, creating it first (init asks its three questions)."""

    espace = espace_du_poste()
    if not (espace / FICHIER_CONFIG).is_file():
        print(f"Premier lancement : création de votre espace de travail dans « {espace} ».")
        code = _lancer(cli, ["init", str(espace)])
        if code:
            return code
    os.chdir(espace)
    print("La page de travail s'ouvre dans votre navigateur ; fermez cette fenêtre pour l'arrêter.")
    return _lancer(cli, ["web"])


def _lancer(cli, arguments: list[str]) -> int:
    try:
        cli.main(arguments, prog_name="vif38-bilan")
    except SystemExit as e:
        return e.code if isinstance(e.code, int) else (0 if e.code is None else 1)
    return 0


def console() -> int:
    """The console launcher's greeting."""
    print(
        "Console vif38-bilan : tapez vif38-bilan --help pour la liste des commandes, "
        f"par exemple vif38-bilan demo. Votre espace de travail : « {espace_du_poste()} »."
    )
    return 0


if __name__ == "__main__":
    console_sure()
    action = sys.argv[1] if len(sys.argv) > 1 else "console"
    sys.exit(page() if action == "page" else console())
