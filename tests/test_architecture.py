"""The layout shows the pipeline (issue 22): one folder per stage of the year, foundations below,
the faces above the cycle; imports only go down; no import cycle; small modules and functions.

The order is a list of folders, not a table of modules: a new module takes its folder's place.
"""

from __future__ import annotations

import ast
import importlib
import re
from pathlib import Path

import vif38_bilan

PAQUET = Path(vif38_bilan.__file__).parent
README = (PAQUET.parent / "README.md").read_text("utf-8")

# Rank of each folder: a module may import its own folder and folders of a lower rank only; two
# folders of the same rank never import each other. Foundations first, then the stages of the year.
RANGS = {
    "exceptions": 0,  # the library's errors, below everything
    "commun": 1,  # atomic writing, French numbers and texts, TOML, lazy names
    "regles": 2,  # the catalogue of findings
    "lecture": 3,  # reading any received file safely
    "espace": 4,  # the workspace, its settings, file names, the signed-year freeze
    "imports": 5,  # Word documents in (protocol, earlier bilans)
    "referentiel": 10,
    "gabarits": 11,
    "saisies": 12,
    "controle": 13,
    "consolidation": 14,
    "bilan": 15,
    "courriels": 15,
    "cycle": 20,  # the one door of the faces
    "web": 30,
    "demo": 30,
    "cli": 31,  # registers the `web` and `demo` commands
    "__init__": 40,
    "__main__": 40,
}
FACES = {"cli", "web", "demo", "__main__"}
RACINE_MAX = 4  # modules directly in vif38_bilan/
MODULES_PAR_DOSSIER_MAX = 14
LIGNES_MAX = 500
FONCTION_MAX, FONCTION_LONGUE, LONGUES_MAX = 120, 80, 5
IMPORTS_DIFFERES_MAX = 20


def _nom(chemin: Path) -> str:
    return ".".join(chemin.relative_to(PAQUET).with_suffix("").parts)


def _modules() -> dict[str, Path]:
    return {_nom(p): p for p in sorted(PAQUET.rglob("*.py"))}


def _dossier(nom: str) -> str:
    return nom.split(".")[0]


def _rang(nom: str) -> int:
    return RANGS[_dossier(nom)]


def _arbre(chemin: Path) -> ast.Module:
    return ast.parse(chemin.read_text("utf-8"))


def _imports(chemin: Path) -> set[str]:
    """Package modules (or packages) imported anywhere in the file, type-checking blocks aside."""
    arbre = _arbre(chemin)
    typage = {
        id(n)
        for bloc in ast.walk(arbre)
        if isinstance(bloc, ast.If) and "TYPE_CHECKING" in ast.unparse(bloc.test)
        for n in ast.walk(bloc)
    }
    trouves: set[str] = set()
    for noeud in ast.walk(arbre):
        if id(noeud) in typage:
            continue
        if isinstance(noeud, ast.ImportFrom) and noeud.module and noeud.level == 0:
            if noeud.module == "vif38_bilan":
                trouves.update(a.name for a in noeud.names)
            elif noeud.module.startswith("vif38_bilan."):
                base = noeud.module.removeprefix("vif38_bilan.")
                trouves.add(base)
                trouves.update(f"{base}.{a.name}" for a in noeud.names if (PAQUET / base / f"{a.name}.py").is_file())
        elif isinstance(noeud, ast.Import):
            trouves.update(a.name.removeprefix("vif38_bilan.") for a in noeud.names if a.name.startswith("vif38_bilan."))
    return trouves


def _paquet(nom: str) -> bool:
    return (PAQUET / nom.replace(".", "/") / "__init__.py").is_file()


def test_chaque_module_est_dans_un_dossier_connu():
    modules = _modules()
    inconnus = sorted({_dossier(n) for n in modules} - set(RANGS))
    assert not inconnus, f"Dossiers sans rang dans RANGS : {inconnus}"
    racine = [n for n in modules if "." not in n]
    assert len(racine) <= RACINE_MAX, racine
    par_dossier: dict[str, int] = {}
    for n in modules:
        if "." in n and not n.endswith("__init__"):
            par_dossier[_dossier(n)] = par_dossier.get(_dossier(n), 0) + 1
    assert not {d: k for d, k in par_dossier.items() if k > MODULES_PAR_DOSSIER_MAX}


def test_les_imports_descendent_le_pipeline():
    modules = _modules()
    fautes = []
    for nom, chemin in modules.items():
        for importe in _imports(chemin):
            if _dossier(importe) not in RANGS or _dossier(importe) == _dossier(nom):
                continue
            if _rang(importe) >= _rang(nom):
                fautes.append(f"{nom} importe {importe}")
    assert not fautes


def test_les_faces_ne_passent_que_par_le_cycle():
    """cli, web and demo import the cycle, the errors and package-level names, never a stage's module."""
    fautes = []
    for nom, chemin in _modules().items():
        if _dossier(nom) not in FACES:
            continue
        for importe in _imports(chemin):
            dossier = _dossier(importe)
            if dossier in FACES or dossier in ("exceptions", "cycle") or _paquet(importe) or importe == "commun.paresseux":
                continue
            fautes.append(f"{nom} importe {importe}")
    assert not fautes


def test_aucun_cycle_d_import():
    modules = _modules()
    graphe = {n: {i for i in _imports(p) if i in modules and i != n} for n, p in modules.items()}

    def cycle_depuis(depart: str) -> list[str] | None:
        pile, vus = [(depart, [depart])], set()
        while pile:
            noeud, chemin = pile.pop()
            for suivant in graphe.get(noeud, ()):
                if suivant == depart:
                    return [*chemin, depart]
                if suivant not in vus:
                    vus.add(suivant)
                    pile.append((suivant, [*chemin, suivant]))
        return None

    cycles = [c for n in graphe if (c := cycle_depuis(n))]
    assert not cycles, " → ".join(cycles[0])


def test_modules_et_fonctions_courts():
    longs = {n: len(p.read_text("utf-8").splitlines()) for n, p in _modules().items()}
    assert not {n: k for n, k in longs.items() if k > LIGNES_MAX}
    tailles = {}
    for nom, chemin in _modules().items():
        for f in ast.walk(_arbre(chemin)):
            if isinstance(f, ast.FunctionDef | ast.AsyncFunctionDef):
                tailles[f"{nom}.{f.name}"] = f.end_lineno - f.lineno + 1
    assert not {f: k for f, k in tailles.items() if k > FONCTION_MAX}
    longues = sorted((k, f) for f, k in tailles.items() if k > FONCTION_LONGUE)
    print(f"fonctions de plus de {FONCTION_LONGUE} lignes : {longues}")
    assert len(longues) <= LONGUES_MAX, longues


def test_imports_differes_rares_et_justifies():
    """A package module imported inside a function only for start-up speed, and the line says so."""
    differes = []
    for nom, chemin in _modules().items():
        lignes = chemin.read_text("utf-8").splitlines()
        for f in ast.walk(_arbre(chemin)):
            if not isinstance(f, ast.FunctionDef | ast.AsyncFunctionDef):
                continue
            for s in ast.walk(f):
                if isinstance(s, ast.ImportFrom) and (s.module or "").startswith("vif38_bilan"):
                    differes.append((nom, s.lineno, "lazy" in " ".join(lignes[s.lineno - 1 : s.end_lineno + 1])))
    print(f"imports différés : {len(differes)}")
    assert len(differes) <= IMPORTS_DIFFERES_MAX
    assert not [(n, ligne) for n, ligne, justifie in differes if not justifie]


def test_les_noms_exposes_par_chaque_dossier_existent():
    for nom in _modules():
        if nom.endswith("__init__"):
            paquet = importlib.import_module("vif38_bilan" + ("." + nom.removesuffix(".__init__") if "." in nom else ""))
            for exporte in getattr(paquet, "__all__", ()):
                assert getattr(paquet, exporte) is not None, f"{paquet.__name__}.{exporte}"


def test_chaque_module_est_decrit():
    """Every module is named in its folder's docstring (or, for the root, in the README's map)."""
    manquants = []
    for nom in _modules():
        if "." not in nom or nom.endswith("__init__"):
            if "." not in nom and f"`{nom}" not in README and nom not in ("__init__", "__main__"):
                manquants.append(nom)
            continue
        dossier, module = nom.rsplit(".", 1)
        doc = ast.get_docstring(_arbre(PAQUET / dossier.replace(".", "/") / "__init__.py")) or ""
        if not re.search(rf"\b{re.escape(module)}\b", doc) and not (module == "pdf_uno" and "pdf_uno" in doc):
            manquants.append(nom)
    assert not manquants


def test_le_readme_montre_l_arbre():
    m = re.search(r"^## Pour développer\n(.*?)(?=^## |\Z)", README, re.M | re.S)
    assert m, "section « Pour développer » absente du README"
    for dossier in RANGS:
        if (PAQUET / dossier).is_dir():
            assert f"{dossier}/" in m.group(1), dossier


def test_le_rendu_word_n_execute_aucune_etape():
    """The bilan renders records (the check's results, the consolidation): it never runs a step."""
    interdits = {"controle.retours", "controle.verifications", "controle.verifications_chiffres", "cycle"}
    for nom, chemin in _modules().items():
        if _dossier(nom) == "bilan":
            importes = _imports(chemin)
            assert not importes & interdits and not {_dossier(i) for i in importes} & {"saisies", "courriels"}, nom
