"""Shared fixtures: the embedded protocol and a fresh workspace."""

from __future__ import annotations

import pytest

from vif38_bilan.referentiel import charger_protocole


@pytest.fixture(scope="session")
def protocole():
    return charger_protocole()


@pytest.fixture
def espace(tmp_path, monkeypatch, protocole):
    """A fresh workspace (init, blank contacts.xlsx) used as the current directory."""
    from vif38_bilan.contacts import creer_contacts_vierges
    from vif38_bilan.espace import initialiser

    initialiser(
        tmp_path,
        courriel="ddfe@exemple.invalid",
        date_limite="15/02/2024",
        contacts=lambda chemin: creer_contacts_vierges(protocole, chemin),
    )
    monkeypatch.chdir(tmp_path)
    return tmp_path
