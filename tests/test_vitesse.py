"""Speed guards (issue 19): the report writers stay linear, a run without anomalies never loads
openpyxl, and the commands import nothing heavy before they need it.

Linearity is checked on CPU time per row (best of 5 interleaved rounds) between 250→1,000 and 1,000→3,000 rows. The
per-row full scan this guards against (openpyxl's `ws.max_row` after each appended row, a C-level
walk of every cell, invisible to a count of Python calls) made the control report's second
increment 1.9× as costly per row as the first; a linear writer stays near 1.
"""

from __future__ import annotations

import subprocess
import sys
import time
from pathlib import Path

from openpyxl import load_workbook

from vif38_bilan.consolidation.actions import Consolidation, LigneSource
from vif38_bilan.consolidation.classeur import ecrire_consolidation
from vif38_bilan.controle.rapport import FEUILLE_ANOMALIES, ecrire_rapport
from vif38_bilan.controle.resultats import FichierControle, ResultatControle
from vif38_bilan.regles import AVERTISSEMENT, ERREUR, VALIDE, Anomalie

ANNEE = 2023
TAILLES = (250, 1000, 3000)


def cout_par_ligne(preparer, ecrire) -> tuple[float, float]:
    """CPU seconds per row added between the sizes 250→1,000 and 1,000→3,000 (best of 5 rounds).

    The sizes are measured in interleaved rounds, so that a burst of load on a shared machine
    slows every size alike instead of one (a single slow size was enough to fail the ratio)."""
    ecrire(preparer(1), 1)  # imports and other first-time work, not counted
    donnees = {n: preparer(n) for n in TAILLES}
    temps = dict.fromkeys(TAILLES, float("inf"))
    for _ in range(5):
        for n in TAILLES:
            debut = time.process_time()
            ecrire(donnees[n], n)
            temps[n] = min(temps[n], time.process_time() - debut)
    a, b, c = TAILLES
    return (temps[b] - temps[a]) / (b - a), (temps[c] - temps[b]) / (c - b)


def resultat_synthetique(n: int, dossier: Path) -> ResultatControle:
    fichiers = [FichierControle(dossier / f"r{i}.xlsx", f"dep/r{i}.xlsx", VALIDE, pilote="CAF") for i in range(n)]
    anomalies = [
        Anomalie(
            f"dep/r{i}.xlsx",
            "Saisie",
            f"J{i % 50 + 8}",
            "1-1-1",
            (ERREUR, AVERTISSEMENT)[i % 2],
            "x" * 80,
            "statut_inconnu",
        )
        for i in range(n)
    ]
    return ResultatControle(ANNEE, fichiers, anomalies, [], [])


def test_rapport_de_controle_lineaire(protocole, tmp_path):
    def ecrire(resultat: ResultatControle, n: int) -> None:
        ecrire_rapport(resultat, protocole, tmp_path / str(n))

    premier, second = cout_par_ligne(lambda n: resultat_synthetique(n, tmp_path), ecrire)
    assert second <= 1.5 * premier, f"{premier * 1e6:.0f} µs/ligne puis {second * 1e6:.0f} µs/ligne"
    ws = load_workbook(tmp_path / "3000" / f"controle-{ANNEE}.xlsx", read_only=True)[FEUILLE_ANOMALIES]
    assert [r[7] for r in ws.iter_rows(min_row=3001, max_row=3001, values_only=True)] == ["x" * 80]


class _AvecSources(Consolidation):
    """A consolidation of no return whose sources sheet gets synthetic rows."""

    lignes: list[LigneSource] = []

    @property
    def sources(self) -> list[LigneSource]:
        return self.lignes


def test_classeur_de_consolidation_lineaire(protocole, tmp_path):
    def preparer(n: int) -> Consolidation:
        c = _AvecSources(protocole, ANNEE, (2022, ANNEE), {}, [], [])
        c.lignes = [
            LigneSource(ANNEE, "1-1-1", "Indicateur 1", "CAF", "", i, f"r{i}.xlsx", "Saisie", "J8", "0" * 64)
            for i in range(n)
        ]
        return c

    premier, second = cout_par_ligne(preparer, lambda c, n: ecrire_consolidation(c, tmp_path / f"c{n}.xlsx"))
    assert second <= 1.5 * premier, f"{premier * 1e6:.0f} µs/ligne puis {second * 1e6:.0f} µs/ligne"
    ws = load_workbook(tmp_path / "c3000.xlsx", read_only=True)["sources"]
    assert [r[5] for r in ws.iter_rows(min_row=3001, max_row=3001, values_only=True)] == [2999]


def _modules_importes(code: str, dossier: Path) -> set[str]:
    sortie = subprocess.run(
        [sys.executable, "-c", code + "\nimport sys; print(' '.join(sorted(sys.modules)))"],
        cwd=dossier,
        capture_output=True,
        text=True,
        check=True,
    )
    return set(sortie.stdout.split())


LOURDS = {"openpyxl", "numpy", "docx", "matplotlib", "pandas", "lxml"}


def test_demarrage_sans_module_lourd(tmp_path):
    assert not LOURDS & _modules_importes("import vif38_bilan.cli.principal, vif38_bilan.cycle.annee", tmp_path)


def test_controler_sans_anomalie_n_importe_pas_openpyxl(protocole, gabarits, espace):
    """The run a user makes most often: clean returns, report written, no annotated copy. The returns
    carry no free text here: the personal-data gate's language model (spaCy, numpy) loads only for a
    text to check (issue 24), and its cost is in benchmarks/."""
    from fabriques import remplir

    sans_texte = {a.code: {"observations": ""} for a, _ in protocole.actions_du_pilote("CAF")}
    remplir(protocole, gabarits, espace / "saisies" / str(ANNEE), "CAF", maj=sans_texte)
    code = (
        "import sys\nfrom vif38_bilan.cli.principal import main\nsys.argv = ['vif38-bilan', 'controler', '--annee', '2023']\n"
        "try:\n    main()\nexcept SystemExit as e:\n    assert e.code in (0, None), e.code\n"
    )
    importes = _modules_importes(code, espace)
    assert (espace / "sorties" / str(ANNEE) / f"controle-{ANNEE}.xlsx").is_file()
    assert not LOURDS & importes, LOURDS & importes
