"""The catalogue of rules: every rule id used by the package is declared once, printed by
`vif38-bilan regles` and listed in the README."""

import ast
import json
import re
import string
from pathlib import Path

import pytest
from click.testing import CliRunner

import vif38_bilan
from vif38_bilan import regles as anomalies
from vif38_bilan.regles import CATALOGUE, ERREUR, REGLES, Anomalie, Gravite, Regle, tableau_markdown
from vif38_bilan.cli.principal import cli

PAQUET = Path(vif38_bilan.__file__).parent
README = (PAQUET.parent / "README.md").read_text("utf-8")


def test_anomalie_refuse_une_regle_inconnue():
    with pytest.raises(ValueError, match="statut_inconu"):
        Anomalie("a.xlsx", None, None, None, ERREUR, "Message.", "statut_inconu")
    a = Anomalie("a.xlsx", None, None, None, "erreur", "Message.", "statut_inconnu")
    assert a.gravite is Gravite.ERREUR and a.gravite == "erreur"


def test_catalogue_complet():
    assert len(CATALOGUE) == len(REGLES) >= 40
    for r in CATALOGUE:
        assert re.fullmatch(r"[a-z_]+", r.id), r.id
        assert isinstance(r.gravite, Gravite)
        assert r.titre and r.message and r.action, r.id
        # Every template names its fields plainly (str.format, no positional field).
        champs = [nom for _, nom, _, _ in string.Formatter().parse(r.message) if nom is not None]
        assert all(nom.isidentifier() for nom in champs), (r.id, champs)
    # Every Regle constant of the module is in the catalogue.
    constantes = {v.id for v in vars(anomalies).values() if isinstance(v, Regle)}
    assert constantes == set(REGLES)


def _ids_litteraux(arbre: ast.AST) -> list[tuple[int, str]]:
    """String literals given as a rule id: the 7th argument or regle= of Anomalie(...), the
    2nd argument of securite's _refus(...), a parameter regle's default, a comparison with .regle."""
    trouves = []

    def chaine(n: ast.AST | None) -> None:
        if isinstance(n, ast.Constant) and isinstance(n.value, str):
            trouves.append((n.lineno, n.value))

    for n in ast.walk(arbre):
        if isinstance(n, ast.Call):
            nom = getattr(n.func, "id", getattr(n.func, "attr", ""))
            if nom == "Anomalie" and len(n.args) >= 7:
                chaine(n.args[6])
            if nom == "_refus" and len(n.args) >= 2:
                chaine(n.args[1])
            for k in n.keywords:
                if k.arg == "regle":
                    chaine(k.value)
        elif isinstance(n, ast.arguments):
            args = n.posonlyargs + n.args
            for arg, defaut in zip(args[len(args) - len(n.defaults) :], n.defaults, strict=True):
                if arg.arg == "regle":
                    chaine(defaut)
        elif isinstance(n, ast.Compare) and any(getattr(x, "attr", "") == "regle" for x in [n.left, *n.comparators]):
            for x in [n.left, *n.comparators]:
                chaine(x)
    return trouves


@pytest.mark.parametrize("module", sorted(p.name for p in PAQUET.glob("*.py")))
def test_aucun_identifiant_de_regle_en_dur(module):
    """Rule ids go through the catalogue's constants, never as loose literals."""
    if module == "anomalies.py":
        return
    arbre = ast.parse((PAQUET / module).read_text("utf-8"))
    assert _ids_litteraux(arbre) == []


def test_le_scan_voit_les_litteraux():
    arbre = ast.parse(
        "Anomalie(n, None, None, None, ERREUR, m, 'x')\n_refus(m, 'y')\nf(regle='z')\n"
        "def g(regle='w'): pass\nif a.regle == 'v': pass\n"
    )
    assert sorted(v for _, v in _ids_litteraux(arbre)) == ["v", "w", "x", "y", "z"]


def test_commande_regles():
    r = CliRunner().invoke(cli, ["regles"], catch_exceptions=False)
    assert r.exit_code == 0
    assert r.output.startswith("Erreurs, à corriger (")
    for regle in CATALOGUE:
        assert f"  {regle.id} — {regle.titre}\n      Ce qu'il faut faire : {regle.action}\n" in r.output + "\n"
    assert "Avertissements, à vérifier (" in r.output


def test_commande_regles_json():
    r = CliRunner().invoke(cli, ["regles", "--json"], catch_exceptions=False)
    assert r.exit_code == 0
    lu = json.loads(r.output)
    assert [x["id"] for x in lu] == [regle.id for regle in CATALOGUE]
    statut = next(x for x in lu if x["id"] == "statut_inconnu")
    assert statut["gravite"] == "erreur"
    assert statut["titre"] == "Statut inconnu"
    assert "{valeur}" in statut["message"] and statut["action"]
    assert set(lu[0]) == {"id", "gravite", "titre", "message", "action"}


def test_readme_liste_les_regles():
    m = re.search(r"^## Les règles du contrôle\n(.*?)(?=^## )", README, re.M | re.S)
    assert m, "section « Les règles du contrôle » absente du README"
    section = m.group(1)
    assert tableau_markdown() in section, (
        "Le tableau des règles du README n'est plus celui du catalogue : remplacez-le par la sortie de "
        "python -c 'from vif38_bilan.regles import tableau_markdown; print(tableau_markdown())'"
    )
    for regle in CATALOGUE:
        assert f"| `{regle.id}` | {regle.gravite} |" in section
