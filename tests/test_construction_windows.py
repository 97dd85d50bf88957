"""The Windows build's lock (packaging/windows/verrou.py): it answers setup.cfg as it is now, and
its closure follows Windows' environment markers, not the Linux machine that builds."""

from __future__ import annotations

import sys
import zipfile
from pathlib import Path

import pytest

RACINE = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(RACINE / "packaging" / "windows"))
verrou = pytest.importorskip("verrou")  # needs `packaging`, as pip does


def test_le_verrou_repond_a_setup_cfg():
    roues = verrou.lire_verrou(RACINE / "packaging" / "windows" / "verrou.txt", RACINE / "setup.cfg")
    declarees = verrou.dependances_declarees(RACINE / "setup.cfg")
    from packaging.requirements import Requirement
    from packaging.utils import canonicalize_name

    pour_windows = [Requirement(d) for d in declarees if verrou._pour_windows(Requirement(d), set())]
    assert {canonicalize_name(r.name) for r in pour_windows} <= set(roues)
    for fichier, ligne in roues.values():
        assert fichier.endswith(("-none-any.whl", "-win_amd64.whl", ".tar.gz", ".zip"))
        assert "==" in ligne and "--hash=sha256:" in ligne


def test_un_setup_cfg_change_demande_de_reverrouiller(tmp_path):
    cfg = tmp_path / "setup.cfg"
    texte = (RACINE / "setup.cfg").read_text(encoding="utf-8")
    cfg.write_text(texte.replace("install_requires =\n", "install_requires =\n    tnefparse>=1.4\n"), encoding="utf-8")
    with pytest.raises(verrou.ErreurVerrou, match="--verrouiller"):
        verrou.lire_verrou(RACINE / "packaging" / "windows" / "verrou.txt", cfg)


def _roue(dossier: Path, nom: str, *dependances: str) -> Path:
    chemin = dossier / f"{nom}-1.0-py3-none-any.whl"
    meta = f"Metadata-Version: 2.1\nName: {nom}\nVersion: 1.0\n" + "".join(f"Requires-Dist: {d}\n" for d in dependances)
    with zipfile.ZipFile(chemin, "w") as z:
        z.writestr(f"{nom}-1.0.dist-info/METADATA", meta)
    return chemin


def test_la_fermeture_suit_les_marqueurs_de_windows(tmp_path):
    from packaging.requirements import Requirement

    roues = {
        "outil": _roue(
            tmp_path,
            "outil",
            'colorama; platform_system == "Windows"',
            'uvloop; sys_platform != "win32"',
            'tomli; python_version < "3.11"',
            'extra-dep; extra == "x"',
        ),
        "uvloop": _roue(tmp_path, "uvloop"),
    }
    gardees, manquants = verrou.fermeture([Requirement("outil")], roues)
    assert set(gardees) == {"outil"} and manquants == {"colorama"}
    roues["colorama"] = _roue(tmp_path, "colorama")
    roues["extra-dep"] = _roue(tmp_path, "extra-dep")
    gardees, manquants = verrou.fermeture([Requirement("outil[x]")], roues)
    assert set(gardees) == {"outil", "colorama", "extra-dep"} and not manquants
