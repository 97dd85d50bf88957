"""CPU per row of the workbook writers (control report, consolidation), moved from the test suite
(issue 26): timing belongs here, where a loaded machine shows up as a figure, not a failed test.

Sizes 250, 1,000 and 3,000 rows measured in interleaved rounds (best of 5), so that a burst of
load slows every size alike. A linear writer gives the same cost per row on both increments
(ratio near 1); the per-row full scan of issue 19 (openpyxl's `ws.max_row` after each appended
row) gave 1.9.
"""

from __future__ import annotations

import tempfile
import time
from pathlib import Path

TAILLES = (250, 1000, 3000)
ANNEE = 2023


def cout_par_ligne(preparer, ecrire) -> tuple[float, float]:
    """CPU seconds per row added between 250→1,000 and 1,000→3,000 rows (best of 5 rounds)."""
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


def fabrique_rapport(protocole, dossier: Path):
    """(preparer(n) → a synthetic check result of n files and n findings, ecrire(result, n)) for the
    control report; also used by tests/test_vitesse.py, which counts calls instead of time."""
    from vif38_bilan.controle.rapport import ecrire_rapport
    from vif38_bilan.controle.resultats import FichierControle, ResultatControle
    from vif38_bilan.regles import AVERTISSEMENT, ERREUR, VALIDE, Anomalie

    def preparer(n: int) -> ResultatControle:
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

    return preparer, lambda r, n: ecrire_rapport(r, protocole, dossier / str(n))


def fabrique_consolidation(protocole, dossier: Path):
    """(preparer(n) → a consolidation whose sources sheet has n synthetic rows, ecrire(c, n)) for the
    consolidation workbook; also used by tests/test_vitesse.py."""
    from vif38_bilan.consolidation.actions import Consolidation, LigneSource
    from vif38_bilan.consolidation.classeur import ecrire_consolidation

    class AvecSources(Consolidation):
        lignes: list = []

        @property
        def sources(self):
            return self.lignes

    def preparer(n: int):
        c = AvecSources(protocole, ANNEE, (2022, ANNEE), {}, [], [])
        c.lignes = [
            LigneSource(ANNEE, "1-1-1", "Indicateur 1", "CAF", "", i, f"r{i}.xlsx", "Saisie", "J8", "0" * 64)
            for i in range(n)
        ]
        return c

    return preparer, lambda c, n: ecrire_consolidation(c, dossier / f"c{n}.xlsx")


def mesurer_ecrivains() -> None:
    """Print one line per writer: µs CPU per row on both increments and their ratio."""
    from vif38_bilan.referentiel.chargement import charger_protocole

    protocole = charger_protocole()
    with tempfile.TemporaryDirectory(prefix="vif38-ecrivains-") as d:
        for nom, fabrique in (("rapport", fabrique_rapport), ("consolidation", fabrique_consolidation)):
            premier, second = cout_par_ligne(*fabrique(protocole, Path(d)))
            print(
                f"ecrivain {nom} us_par_ligne 250->1000={premier * 1e6:.0f} 1000->3000={second * 1e6:.0f} "
                f"rapport={second / premier:.2f}",
                flush=True,
            )
