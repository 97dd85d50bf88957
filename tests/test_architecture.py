"""The layout shows the pipeline: no module imports a later step, no import cycle, no giant module.

référentiel → gabarits → saisies → contrôle → consolidation → bilan → courriels; only the
modules that chain the year (cycle) or face the user (cli, demo, web) see every step.
"""

from __future__ import annotations

import ast
from pathlib import Path

import vif38_bilan

PAQUET = Path(vif38_bilan.__file__).parent

# Stage of each module: a module may import modules of its own stage or earlier ones.
ETAPES = {
    "fondations": 0,
    "referentiel": 1,
    "gabarits": 2,
    "saisies": 3,
    "controle": 4,
    "consolidation": 5,
    "bilan": 6,
    "courriels": 7,
    "enchainement": 8,
}
MODULES = {
    "exceptions": "fondations",
    "data": "fondations",
    "ecriture": "fondations",
    "classeur_flux": "fondations",
    "espace": "fondations",
    "textes": "fondations",
    "toml_fr": "fondations",
    "statuts": "fondations",
    "agregation": "fondations",
    "donnees_personnelles": "referentiel",
    "pilotes": "referentiel",
    "referentiel": "referentiel",
    "protocole_embarque": "referentiel",
    "referentiel_xlsx": "referentiel",
    "lecture_word": "fondations",
    "cibles": "referentiel",
    "import_protocole": "referentiel",
    "chiffres": "referentiel",
    "disposition": "gabarits",
    "gabarits": "gabarits",
    "remplissage": "gabarits",
    "gabarits_forme": "gabarits",
    "gabarits_mode_emploi": "gabarits",
    "gabarits_chiffres": "gabarits",
    "anomalies": "fondations",
    "resultats": "fondations",
    "anomalies_chiffres": "fondations",
    "valeurs": "saisies",
    "securite": "fondations",
    "lecture": "fondations",
    "examen": "fondations",
    "examen_zip": "fondations",
    "examen_ole": "fondations",
    "examen_xml": "fondations",
    "dossiers": "fondations",
    "lecture_isolee": "fondations",
    "cellules_brutes": "fondations",
    "horodatage": "fondations",
    "ooxml_strict": "fondations",
    "export_csv": "fondations",
    "copie_ods": "saisies",
    "saisies": "saisies",
    "saisies_chiffres": "saisies",
    "depot": "saisies",
    "verifications": "controle",
    "verifications_chiffres": "controle",
    "controle": "controle",
    "rapport_controle": "controle",
    "historique": "consolidation",
    "historique_chiffres": "consolidation",
    "consolidation_chiffres": "consolidation",
    "consolidation": "consolidation",
    "classeur_consolidation": "consolidation",
    "disposition_consolidation": "consolidation",
    "import_bilan": "consolidation",  # an earlier Word bilan becomes history workbooks
    "word": "bilan",
    "graphique": "bilan",
    "bilan_chiffres": "bilan",
    "bilan": "bilan",
    "points_a_verifier": "bilan",
    "contacts": "courriels",
    "courriels_textes": "courriels",
    "brouillons": "courriels",
    "envoi": "courriels",
    "cycle": "enchainement",
    "cycle_validation": "enchainement",
    "etat": "enchainement",
    "cli": "enchainement",
    "cli_francais": "enchainement",
    "cli_courriels": "enchainement",
    "cli_document": "enchainement",
    "cli_import": "enchainement",
    "import_word": "enchainement",
    "cli_accueil": "enchainement",
    "demo": "enchainement",
    "__init__": "enchainement",
    "__main__": "enchainement",
}


def _nom(chemin: Path) -> str:
    rel = chemin.relative_to(PAQUET).with_suffix("")
    return ".".join(rel.parts)


def _modules() -> dict[str, Path]:
    return {_nom(p): p for p in sorted(PAQUET.rglob("*.py"))}


def _etape(nom: str) -> int | None:
    """Stage of a module; a sub-package (web/, bilan_docx/…) takes its parent's entry."""
    for cle in (nom, nom.split(".")[0]):
        if cle in MODULES:
            return ETAPES[MODULES[cle]]
    if nom.split(".")[0].startswith("bilan"):
        return ETAPES["bilan"]
    if nom.split(".")[0] in ("web",):
        return ETAPES["enchainement"]
    return None


def _imports(chemin: Path) -> set[str]:
    """Package modules imported anywhere in the file (top level and inside functions)."""
    trouves: set[str] = set()
    arbre = ast.parse(chemin.read_text("utf-8"))
    # Imports for type hints only (`if TYPE_CHECKING:`) never run: they make no dependency.
    typage = {
        id(n)
        for bloc in ast.walk(arbre)
        if isinstance(bloc, ast.If) and "TYPE_CHECKING" in ast.unparse(bloc.test)
        for n in ast.walk(bloc)
    }
    for noeud in ast.walk(arbre):
        if id(noeud) in typage:
            continue
        if isinstance(noeud, ast.ImportFrom) and noeud.module and noeud.level == 0:
            if noeud.module == "vif38_bilan":
                trouves.update(a.name for a in noeud.names)
            elif noeud.module.startswith("vif38_bilan."):
                trouves.add(noeud.module.removeprefix("vif38_bilan."))
        elif isinstance(noeud, ast.Import):
            trouves.update(
                a.name.removeprefix("vif38_bilan.") for a in noeud.names if a.name.startswith("vif38_bilan.")
            )
    return trouves


def test_chaque_module_a_sa_place_dans_le_pipeline():
    sans_place = [n for n in _modules() if _etape(n) is None]
    assert not sans_place, f"Rangez ces modules dans MODULES (tests/test_architecture.py) : {sans_place}"


def test_aucun_module_n_importe_une_etape_ulterieure():
    fautes = []
    modules = _modules()
    for nom, chemin in modules.items():
        for importe in _imports(chemin):
            if importe not in modules and f"{importe}.__init__" not in modules:
                continue  # a name re-exported by the package, not a module
            if _etape(importe) > _etape(nom):
                fautes.append(f"{nom} importe {importe}")
    assert not fautes


def test_aucun_cycle_d_import():
    modules = _modules()
    graphe = {n: {i for i in _imports(p) if i in modules and i != n} for n, p in modules.items()}
    graphe = {n: v for n, v in graphe.items() if _etape(n) != ETAPES["enchainement"]}

    def cycle_depuis(depart: str) -> list[str] | None:
        pile = [(depart, [depart])]
        while pile:
            noeud, chemin = pile.pop()
            for suivant in graphe.get(noeud, ()):
                if suivant == depart:
                    return [*chemin, depart]
                if suivant not in chemin:
                    pile.append((suivant, [*chemin, suivant]))
        return None

    cycles = [c for n in graphe if (c := cycle_depuis(n))]
    assert not cycles, cycles[0]


def test_aucun_module_geant():
    longs = {n: len(p.read_text("utf-8").splitlines()) for n, p in _modules().items()}
    assert not {n: k for n, k in longs.items() if k > 520}


def test_le_rendu_word_n_execute_aucune_etape():
    for nom, chemin in _modules().items():
        if _etape(nom) == ETAPES["bilan"]:
            assert not _imports(chemin) & {"controle", "verifications", "saisies", "cycle"}, nom
