"""Containment of the reading (issue 14, kind 1): a far-away value is found before any parser
runs, and a reader that aborts, runs out of memory or hangs costs only its own file."""

from __future__ import annotations

import sys
import time
from pathlib import Path

import pytest
from tests import retours_reels as rr

from vif38_bilan.lecture.isolee import (
    CelluleLointaine,
    Echec,
    cellules_lointaines,
    executer_isole,
    message_lointaines,
)

posix = pytest.mark.skipif(sys.platform == "win32", reason="limite de mémoire POSIX (RLIMIT_AS)")


@pytest.fixture(scope="module")
def retours(protocole, tmp_path_factory):
    base = tmp_path_factory.mktemp("isolee")
    dossier = base / "saisies"
    dossier.mkdir()
    return {
        "valide": rr.retour(protocole, base, dossier, "valide.xlsx", "ARS"),
        "XFD1048576": rr.valeur_lointaine(protocole, base, dossier),
        "N1048576": rr.valeur_lointaine(protocole, base, dossier, ref="N1048576", code="SPIP"),
    }


def _format(chemin: Path) -> str:
    return chemin.suffix.lstrip(".")


@pytest.mark.parametrize("ref", ["XFD1048576", "N1048576"])
def test_valeur_lointaine_trouvee_avant_lecture(retours, ref):
    chemin = retours[ref]
    assert cellules_lointaines(chemin.read_bytes(), "xlsx") == [CelluleLointaine("Saisie", ref)]
    message = message_lointaines([CelluleLointaine("Saisie", ref)])
    assert f"une valeur a été saisie très loin du tableau, en {ref} : supprimez-la" in message


def test_retour_ordinaire_sans_valeur_lointaine_et_sans_cout(retours):
    donnees = retours["valide"].read_bytes()
    debut = time.perf_counter()
    for _ in range(20):
        assert cellules_lointaines(donnees, "xlsx") == []
    assert (time.perf_counter() - debut) / 20 < 0.01  # the declared dimension only: well under 10 ms


@pytest.mark.libreoffice
@pytest.mark.skipif(not rr.LIBREOFFICE, reason="LibreOffice (soffice) n'est pas installé")
@pytest.mark.parametrize("format_", ["xlsx", "ods"])
def test_valeur_lointaine_enregistree_par_libreoffice(protocole, tmp_path, format_):
    chemin = rr.valeur_lointaine(protocole, tmp_path, tmp_path / "saisies", code="RIVHAJ", format_=format_)
    assert cellules_lointaines(chemin.read_bytes(), format_) == [CelluleLointaine("Saisie", "XFD1048576")]


def _lire_sans_precaution(chemin: Path) -> int:
    """What the reader did before: calamine on the whole sheet."""
    from python_calamine import CalamineWorkbook

    wb = CalamineWorkbook.from_path(str(chemin))
    return len(wb.get_sheet_by_name("Saisie").to_python())


def _echec(chemin: Path, echec: Echec) -> tuple[str, str]:
    return chemin.name, echec.raison


@posix
def test_un_lecteur_qui_avorte_ne_coute_que_son_fichier(retours):
    """calamine aborts the process (512 GiB asked for XFD1048576): the child dies, the next
    files are read by a new child, and no child ever holds more than 500 MB."""
    chemins = [retours["valide"], retours["XFD1048576"], retours["valide"]]
    resultats = executer_isole(_lire_sans_precaution, chemins, _echec)
    assert resultats[0] == resultats[2] and isinstance(resultats[0], int) and resultats[0] > 5
    assert resultats[1] == ("valeur_en_XFD1048576.xlsx", "memoire")
    assert "alloc" not in Echec("memoire").message() and "trop de mémoire" in Echec("memoire").message()


_MESURE = """
import resource, sys
from pathlib import Path
sys.path.insert(0, sys.argv[1])
from tests.test_lecture_isolee import _echec, _lire_sans_precaution
from vif38_bilan.lecture.isolee import executer_isole
print(executer_isole(_lire_sans_precaution, [Path(p) for p in sys.argv[2:]], _echec))
print(resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss)
"""


@posix
def test_memoire_de_pointe_sous_500_mo(retours):
    """Measured in a fresh process, whose only children are the readers."""
    import subprocess

    chemins = [str(retours[k]) for k in ("valide", "XFD1048576", "N1048576")]
    sortie = subprocess.run(
        [sys.executable, "-c", _MESURE, str(Path(__file__).parent.parent), *chemins],
        capture_output=True,
        text=True,
        timeout=300,
        check=True,
    )
    resultats, pic = sortie.stdout.strip().splitlines()
    assert "('valeur_en_XFD1048576.xlsx', 'memoire')" in resultats
    assert int(pic) < 500 * 1024, f"{int(pic) // 1024} Mo"  # ru_maxrss is in kB on Linux
    assert sortie.stderr == ""  # no Rust backtrace on the console


def _dormir(secondes: float) -> float:
    time.sleep(secondes)
    return secondes


def test_un_lecteur_qui_ne_rend_pas_la_main_est_interrompu():
    debut = time.perf_counter()
    resultats = executer_isole(_dormir, [0.0, 30.0, 0.0], lambda e, x: x.raison, delai=1.0)
    assert resultats == [0.0, "delai", 0.0]
    assert time.perf_counter() - debut < 10


def _lever(x: int) -> int:
    if x == 2:
        raise ValueError("boum")
    return x * 10


def test_une_exception_devient_un_echec_et_plusieurs_enfants_gardent_l_ordre():
    resultats = executer_isole(_lever, [1, 2, 3, 4, 5], lambda e, x: (e, x.raison), jobs=2)
    assert resultats == [10, (2, "exception"), 30, 40, 50]
