"""Shared fixtures: the embedded protocol, a fresh workspace, the year's blank templates."""

from __future__ import annotations

import pytest

from vif38_bilan.referentiel.chargement import charger_protocole


@pytest.fixture(scope="session")
def protocole():
    return charger_protocole()


@pytest.fixture
def espace(tmp_path, monkeypatch):
    """A fresh workspace (init, blank contacts.xlsx) used as the current directory."""
    from vif38_bilan.cycle import creer_espace

    creer_espace(tmp_path, courriel="ddfe@exemple.invalid", date_limite="15/02/2024")
    monkeypatch.chdir(tmp_path)
    return tmp_path


@pytest.fixture(scope="session")
def gabarits(protocole, tmp_path_factory):
    """Every pilot's blank 2023 workbook (and CAF's 2022 one), generated once; tests only copy them."""
    from tests.fabriques import ANNEE, MAINTENANT

    from vif38_bilan.gabarits.generation import generer_gabarits

    dossier = tmp_path_factory.mktemp("gabarits")
    generer_gabarits(protocole, ANNEE, dossier, maintenant=MAINTENANT)
    generer_gabarits(protocole, 2022, dossier, pilotes=["CAF"], maintenant=MAINTENANT)
    return dossier
