"""Speed guards that cannot flake (issues 19, 26): no time is measured here (speed is measured by
benchmarks/ingestion.py). The report writers' cost curve is checked in Python calls per row and
their rows are streamed (flat traced memory), a run without anomalies never loads openpyxl, the
commands import nothing heavy before they need it, and neither controler nor bilan imports numpy
or matplotlib, even where they are installed.
"""

from __future__ import annotations

import cProfile
import os
import pstats
import subprocess
import sys
import tracemalloc
from pathlib import Path

from openpyxl import load_workbook

from benchmarks.ecrivains import fabrique_consolidation, fabrique_rapport
from vif38_bilan.controle.rapport import FEUILLE_ANOMALIES

ANNEE = 2023
TAILLES = (250, 1000, 3000)


def cout_par_ligne(preparer, ecrire) -> tuple[float, float, int]:
    """Python calls per row added between 250→1,000 and 1,000→3,000 rows, and the traced memory
    peak (bytes) while writing 3,000 rows beyond the peak while writing 250.

    Counts, not times: the same code and input give the same figures on a loaded machine. The
    memory difference checks that rows are streamed, not kept (a writer that keeps its rows is the
    one that can rescan them at C level, where no call count sees it)."""
    ecrire(preparer(1), 1)  # imports and other first-time work, not counted
    appels, pics = {}, {}
    for n in TAILLES:
        donnees = preparer(n)
        profil = cProfile.Profile()
        profil.enable()
        ecrire(donnees, n)
        profil.disable()
        appels[n] = pstats.Stats(profil).total_calls
        tracemalloc.start()
        ecrire(donnees, n)
        pics[n] = tracemalloc.get_traced_memory()[1]
        tracemalloc.stop()
    a, b, c = TAILLES
    return (appels[b] - appels[a]) / (b - a), (appels[c] - appels[b]) / (c - b), pics[c] - pics[a]


def test_rapport_de_controle_lineaire(protocole, tmp_path):
    premier, second, memoire = cout_par_ligne(*fabrique_rapport(protocole, tmp_path))
    assert second <= 1.05 * premier, f"{premier:.0f} appels/ligne puis {second:.0f} appels/ligne"
    # A writer keeping its cells (openpyxl's normal mode) holds ~2,500 bytes per such row; streamed, < 1,000.
    assert memoire / 2750 < 1500, f"{memoire / 2750:.0f} octets par ligne : les cellules restent en mémoire"
    ws = load_workbook(tmp_path / "3000" / f"controle-{ANNEE}.xlsx", read_only=True)[FEUILLE_ANOMALIES]
    assert [r[7] for r in ws.iter_rows(min_row=3001, max_row=3001, values_only=True)] == ["x" * 80]


def test_classeur_de_consolidation_lineaire(protocole, tmp_path):
    premier, second, memoire = cout_par_ligne(*fabrique_consolidation(protocole, tmp_path))
    assert second <= 1.05 * premier, f"{premier:.0f} appels/ligne puis {second:.0f} appels/ligne"
    # A writer keeping its cells (openpyxl's normal mode) holds ~2,500 bytes per such row; streamed, < 1,000.
    assert memoire / 2750 < 1500, f"{memoire / 2750:.0f} octets par ligne : les cellules restent en mémoire"
    ws = load_workbook(tmp_path / "c3000.xlsx", read_only=True)["sources"]
    assert [r[5] for r in ws.iter_rows(min_row=3001, max_row=3001, values_only=True)] == [2999]


def _modules_importes(code: str, dossier: Path, devant: Path | None = None) -> set[str]:
    """The modules a fresh interpreter holds after running code in dossier; devant: a folder put
    first on its import path."""
    env = dict(os.environ)
    if devant is not None:
        env["PYTHONPATH"] = os.pathsep.join(x for x in (str(devant), env.get("PYTHONPATH", "")) if x)
    sortie = subprocess.run(
        [sys.executable, "-c", code + "\nimport sys; print('\\n' + ' '.join(sorted(sys.modules)))"],
        cwd=dossier,
        capture_output=True,
        text=True,
        check=True,
        env=env,
    )
    return set(sortie.stdout.splitlines()[-1].split())  # the last line: the command's own output comes before


def _commande(*args: str, codes: tuple = (0, None)) -> str:
    """Python code running the CLI with args; it fails unless the command exits with one of codes."""
    return (
        f"import sys\nfrom vif38_bilan.cli.principal import main\nsys.argv = ['vif38-bilan', *{list(args)!r}]\n"
        f"try:\n    main()\nexcept SystemExit as e:\n    assert e.code in {codes!r}, e.code\n"
    )


LOURDS = {"openpyxl", "numpy", "docx", "matplotlib", "pandas", "lxml"}


def test_demarrage_sans_module_lourd(tmp_path):
    assert not LOURDS & _modules_importes("import vif38_bilan.cli.principal, vif38_bilan.cycle.annee", tmp_path)


def test_controler_sans_anomalie_n_importe_pas_openpyxl(protocole, gabarits, espace):
    """The run a user makes most often: clean returns, report written, no annotated copy. The returns
    carry no free text here: the personal-data gate's language model (spaCy, numpy) loads only for a
    text to check (issue 24), and its cost is in benchmarks/."""
    from tests.fabriques import remplir

    sans_texte = {a.code: {"observations": ""} for a, _ in protocole.actions_du_pilote("CAF")}
    remplir(protocole, gabarits, espace / "saisies" / str(ANNEE), "CAF", maj=sans_texte)
    code = (
        "import sys\nfrom vif38_bilan.cli.principal import main\nsys.argv = ['vif38-bilan', 'controler', '--annee', '2023']\n"
        "try:\n    main()\nexcept SystemExit as e:\n    assert e.code in (0, None), e.code\n"
    )
    importes = _modules_importes(code, espace)
    assert (espace / "sorties" / str(ANNEE) / f"controle-{ANNEE}.xlsx").is_file()
    assert not LOURDS & importes, LOURDS & importes


def test_controler_et_bilan_sans_numpy_ni_matplotlib(protocole, gabarits, espace, tmp_path_factory):
    """An importable matplotlib (a stand-in put first on the path, so the check holds whether or not
    the real one is installed) is never imported, by controler with a return to annotate (openpyxl's
    path) or by bilan with its charts; numpy comes only with the personal-data gate's language model
    (spaCy needs it, issue 24), never through openpyxl (commun/sans_numpy.py)."""
    from tests.fabriques import remplir

    saisies = espace / "saisies" / str(ANNEE)

    def sans_texte(pilote: str) -> dict:
        # No free text: the personal-data gate's language model (spaCy, which needs numpy) loads only
        # for a text to check (issue 24); its cost and its numpy are measured in benchmarks/.
        return {
            a.code: {"observations": "", "valeurs": [None if i.type == "texte" else 3 for i in a.indicateurs]}
            for a, _ in protocole.actions_du_pilote(pilote)
        }

    remplir(protocole, gabarits, saisies, "CAF", maj=sans_texte("CAF"))
    action = next(a.code for a in protocole.actions if a.chef_de_file == "DDFE")
    ddfe = sans_texte("DDFE")
    ddfe[action]["statut"] = "FINI"  # a finding: annotated copy
    remplir(protocole, gabarits, saisies, "DDFE", maj=ddfe)
    leurres = tmp_path_factory.mktemp("leurres")
    for nom in ("matplotlib",):
        (leurres / nom).mkdir()
        (leurres / nom / "__init__.py").write_text("# stand-in: being imported is the failure\n")
    controle = _modules_importes(_commande("controler", "--annee", "2023", codes=(1,)), espace, leurres)
    assert "openpyxl" in controle  # the path that used to pull numpy did run
    assert "matplotlib" not in controle
    # numpy only ever comes with the personal-data gate's language model (spaCy), never with openpyxl.
    assert "numpy" not in controle or "spacy" in controle
    bilan = _modules_importes(_commande("bilan", "--annee", "2023", codes=(1,)), espace, leurres)
    assert (espace / "sorties" / str(ANNEE) / f"bilan-{ANNEE}.docx").is_file()
    assert "pptx.chart.xmlwriter" in bilan  # the charts were drawn
    assert "matplotlib" not in bilan
    assert "numpy" not in bilan or "spacy" in bilan
