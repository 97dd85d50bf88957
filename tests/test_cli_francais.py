"""No English and no developer wording where the agent looks: every command's help, and a set of
wrong invocations built from each command's own options (so a new command or option is covered
without editing this file)."""

from __future__ import annotations

import ast
import re
from pathlib import Path

import click
import pytest
from click.testing import CliRunner

from vif38_bilan.cli import francais as cli_francais
from vif38_bilan.cli.principal import cli

# Words of Click's and Python's English messages; none is a French word.
ANGLAIS = re.compile(
    r"\b(Usage|Error|Invalid|invalid|Missing|missing|required|such|Try|Did you|Got|unexpected|requires|"
    r"Expected|expected|Aborted|Show|exit|INTEGER|TEXT|PATH|FILE|DIRECTORY|RANGE|BOOLEAN|FLOAT|Choose|"
    r"default|the|of|is|not|does|value|values|Traceback|Exception|line|column|range|one of|valid|file|directory)\b"
)
# 'x'-style quotes (Python's repr) instead of « x »; an apostrophe inside a word is French.
GUILLEMETS_ANGLAIS = re.compile(r"(?<![\w])'[^'\s][^']*'")


def _nettoyer(texte: str, *dossiers: Path) -> str:
    for d in dossiers:
        texte = texte.replace(str(d), "DOSSIER")
    return re.sub(r"--[\w-]+", "--OPTION", texte)  # option names are not prose


def _verifier_francais(resultat, *dossiers: Path) -> None:
    sortie = _nettoyer(resultat.output + (resultat.stderr if resultat.stderr_bytes is not None else ""), *dossiers)
    assert resultat.exception is None or isinstance(resultat.exception, SystemExit), resultat.exception
    assert "Traceback" not in sortie
    assert not ANGLAIS.search(sortie), (ANGLAIS.search(sortie).group(0), sortie)
    assert not GUILLEMETS_ANGLAIS.search(sortie), sortie


def _commandes() -> dict[str, click.Command]:
    return dict(cli.commands)


def _invocations_fausses(nom: str, commande: click.Command) -> list[list[str]]:
    """Wrong invocations derived from the command's parameters."""
    cas = [[nom, "--option-inconnue"], [nom, "--annee=2023", "en-trop", "encore"], [nom, "--ann"]]
    for p in commande.params:
        if not isinstance(p, click.Option) or p.hidden or "--help" in p.opts:
            continue
        opt = p.opts[-1]
        if p.is_flag:
            cas.append([nom, f"{opt}=oui"])
            continue
        cas.append([nom, opt])  # value missing
        if isinstance(p.type, click.IntRange):
            cas += [[nom, opt, "douze"], [nom, opt, "0"], [nom, opt, "999999"]]
        elif isinstance(p.type, click.types.IntParamType):
            cas.append([nom, opt, "douze"])
        elif isinstance(p.type, click.Choice):
            cas.append([nom, opt, "autre-chose"])
        elif isinstance(p.type, click.Path) and p.type.exists:
            cas.append([nom, opt, "introuvable.docx"])
        if "date" in p.name:
            cas += [[nom, opt, "31/02/2024"], [nom, opt, "demain"], [nom, opt, "12/13/2024"]]
    for p in commande.params:
        if isinstance(p, click.Argument) and p.required:
            cas.append([nom])  # argument missing
        if isinstance(p.type, click.Path):  # a file where a folder is expected, and the reverse
            mauvais = "un-fichier.txt" if not p.type.file_okay else "." if not p.type.dir_okay else None
            if mauvais:
                cas.append([nom, *([p.opts[-1]] if isinstance(p, click.Option) else []), mauvais, "--annee", "2023"])
    return cas


def test_chaque_message_de_click_est_traduit():
    # Every gettext message id of the installed Click has its French text: a Click upgrade that
    # adds a message fails here instead of showing English to the agent.
    dossier = Path(click.__file__).parent
    manquants = []
    for fichier in sorted(dossier.glob("*.py")):
        for n in ast.walk(ast.parse(fichier.read_text("utf-8"))):
            if not (isinstance(n, ast.Call) and isinstance(n.func, ast.Name)):
                continue
            args = [a.value for a in n.args[:2] if isinstance(a, ast.Constant) and isinstance(a.value, str)]
            if n.func.id == "_" and args and args[0] not in cli_francais.MESSAGES:
                manquants.append(args[0])
            if n.func.id == "ngettext" and len(args) == 2 and tuple(args) not in cli_francais.PLURIELS:
                manquants.append(tuple(args))
    assert not manquants


@pytest.mark.parametrize("nom", sorted(_commandes()))
def test_aide_de_chaque_commande_en_francais(nom):
    r = CliRunner().invoke(cli, [nom, "--help"], prog_name="vif38-bilan")
    assert r.exit_code == 0
    assert r.output.startswith(f"Utilisation : vif38-bilan {nom} ")
    _verifier_francais(r)
    assert _commandes()[nom].help, f"{nom} sans texte d'aide"


def test_aide_generale_en_francais():
    for args in (["--help"], [], ["-h"]):
        r = CliRunner().invoke(cli, args, prog_name="vif38-bilan")
        assert r.exit_code == 0, args
        assert "Commandes" in r.output and "COMMANDE [ARGUMENTS]" in r.output
        _verifier_francais(r)


@pytest.mark.parametrize("nom", sorted(_commandes()))
def test_invocations_fausses_en_francais(nom, tmp_path, monkeypatch):
    # Run twice: from a folder that is not a workspace and from a workspace, so that the wrong
    # values reach both Click's checks and the library's.
    from vif38_bilan.cycle import creer_espace

    hors = tmp_path / "ailleurs"
    hors.mkdir()
    espace = tmp_path / "espace"
    creer_espace(espace, courriel="ddfe@exemple.invalid", date_limite="15/02/2024")
    commande = _commandes()[nom]
    cas = _invocations_fausses(nom, commande)
    assert len(cas) >= 3
    for dossier in (hors, espace):
        (dossier / "un-fichier.txt").write_text("x", "utf-8")
        monkeypatch.chdir(dossier)
        for args in cas:
            r = CliRunner().invoke(cli, args, prog_name="vif38-bilan")
            assert r.exit_code != 0, (args, r.output)
            _verifier_francais(r, tmp_path)
            assert r.output.strip(), args


def test_usage_nomme_l_option_entre_guillemets_francais(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    r = CliRunner().invoke(cli, ["gabarits"], prog_name="vif38-bilan")
    assert r.exit_code == 2
    assert r.output == (
        "Erreur d'utilisation : option obligatoire manquante : « --annee ».\nAide : vif38-bilan gabarits --help\n"
    )
    r = CliRunner().invoke(cli, ["bilan", "--annee", "2023", "--presentation", "word"], prog_name="vif38-bilan")
    assert "« word » n'est pas parmi « annexe », « protocole »" in r.output
    r = CliRunner().invoke(cli, ["controler", "--annee", "deux-mille"], prog_name="vif38-bilan")
    assert "valeur refusée pour « --annee » : « deux-mille » n'est pas un nombre entier." in r.output
    r = CliRunner().invoke(cli, ["controler", "--annee", "1999"], prog_name="vif38-bilan")
    assert "1999 n'est pas accepté : la valeur doit être entre 2000 et 2100" in r.output
    r = CliRunner().invoke(cli, ["gabarit"], prog_name="vif38-bilan")
    assert "commande inconnue : « gabarit ». Vouliez-vous dire « gabarits » ?" in r.output


def test_date_impossible_nommee(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    r = CliRunner().invoke(cli, ["bilan", "--annee", "2023", "--date", "31/02/2024"], prog_name="vif38-bilan")
    assert r.exit_code == 2
    assert "le 31/02/2024 n'existe pas (février 2024 a 29 jours)" in r.output
    r = CliRunner().invoke(cli, ["init", "x", "--date-limite", "29/02/2023"])
    assert "le 29/02/2023 n'existe pas (février 2023 a 28 jours)" in r.output
    assert not (tmp_path / "x").exists()


def test_interruption_en_francais(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    monkeypatch.setattr("vif38_bilan.cli.accueil._interactif", lambda: True)
    r = CliRunner().invoke(cli, ["init", "e"], input="")  # Ctrl-D at the first question
    assert r.exit_code == 1
    assert "Interrompu : rien d'autre n'a été fait." in r.output
    _verifier_francais(r, tmp_path)


def test_sortie_coupee_par_head_sans_message(tmp_path):
    # `vif38-bilan referentiel --json | head`: the reader leaves early; nothing in English, no error.
    import subprocess
    import sys

    p = subprocess.Popen(
        [sys.executable, "-m", "vif38_bilan", "referentiel", "--json"],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        cwd=tmp_path,
    )
    assert p.stdout.read(20).startswith(b"{")
    p.stdout.close()
    erreurs = p.stderr.read().decode("utf-8")
    p.wait(timeout=60)
    assert "Erreur" not in erreurs and "Traceback" not in erreurs and "Broken" not in erreurs, erreurs
