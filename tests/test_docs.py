"""Every command has help text and is documented in the README; the quick start holds two commands."""

import re
from pathlib import Path

import pytest

from vif38_bilan.cli.principal import cli

README = (Path(__file__).parent.parent / "README.md").read_text("utf-8")


@pytest.mark.parametrize("nom", sorted(cli.commands))
def test_commande_documentee(nom):
    commande = cli.commands[nom]
    assert commande.help and commande.help.strip(), f"{nom} n'a pas d'aide"
    assert f"vif38-bilan {nom}" in README, f"{nom} n'est pas dans le README"
    for param in commande.params:
        if param.param_type_name == "option" and not param.hidden:
            assert param.help, f"{nom} {param.opts} n'a pas d'aide"


def test_demarrage_rapide_deux_commandes():
    m = re.search(r"^#+ .*D[ée]marrage rapide.*$", README, re.M)
    assert m
    bloc = re.search(r"```(?:bash|sh|console|shell)?\n(.*?)```", README[m.end() :], re.S)
    commandes = [ligne for ligne in bloc.group(1).splitlines() if ligne.strip() and not ligne.startswith("#")]
    assert len(commandes) == 2
    assert "vif38-bilan demo" in commandes[0]
    assert "pytest" in commandes[1] and "[test]" in commandes[1]
