"""Aggregation rules: co-pilots reporting one event are not added up."""

from __future__ import annotations

import pytest

from vif38_bilan.referentiel.agregation import (
    Agregation,
    AgregationInconnue,
    Declaration,
    agreger,
    lire_agregation,
    par_pilote,
)

JUSTICE_DDFE = (Declaration("Justice", 4), Declaration("DDFE", 3))


def test_maximum_pour_des_reunions_communes():
    a = agreger("maximum", JUSTICE_DDFE)
    assert a.valeur == 4
    assert a.explication() == "déclarations : Justice 4, DDFE 3 ; maximum retenu"


def test_somme_pour_des_organisations_distinctes():
    a = agreger(Agregation.SOMME, JUSTICE_DDFE)
    assert a.valeur == 7
    assert a.explication() == "déclarations : Justice 4, DDFE 3 ; somme retenue"


def test_chef_de_file():
    decl = (Declaration("Préfecture", 2, chef=True), Declaration("Justice", 4), Declaration("DDFE", 3))
    a = agreger("chef_de_file", decl)
    assert a.valeur == 2
    assert a.explication() == "déclarations : Préfecture 2, Justice 4, DDFE 3 ; chiffre du chef de file retenu"


def test_chef_de_file_absent():
    a = agreger("chef_de_file", JUSTICE_DDFE)
    assert (a.valeur, a.sans_chef) == (4, True)
    assert a.explication().endswith("pas de chiffre du chef de file, maximum des co-pilotes retenu")


def test_aucune_ne_calcule_pas_de_total():
    a = agreger("aucune", JUSTICE_DDFE)
    assert a.valeur is None
    assert a.explication() == "déclarations : Justice 4, DDFE 3 ; chiffres non additionnés"


@pytest.mark.parametrize("regle", list(Agregation))
def test_un_seul_pilote_pas_d_explication(regle):
    a = agreger(regle, (Declaration("DDFE", 12),))
    assert (a.valeur, a.explication()) == (12, "")
    assert agreger(regle, ()).valeur is None


def test_structures_d_un_pilote_collectif_s_additionnent_avant_la_regle():
    # Two associations (one collective pilot, one label each) and the DDFE reporting the same colloquium.
    decl = par_pilote([("DDFE", True, 120), ("Associations", False, 80), ("Associations", False, 70)])
    assert decl == (Declaration("DDFE", 120, True), Declaration("Associations", 150, False))
    assert agreger("maximum", decl).valeur == 150


def test_nombres_en_francais():
    a = agreger("somme", (Declaration("A", 1200), Declaration("B", 2.5)))
    assert a.explication() == "déclarations : A 1\u00a0200, B 2,5 ; somme retenue"


@pytest.mark.parametrize(
    ("ecrit", "regle"),
    [("", "somme"), (None, "somme"), ("Maximum", "maximum"), ("chef de file", "chef_de_file"), (" aucune ", "aucune")],
)
def test_lire_agregation(ecrit, regle):
    assert lire_agregation(ecrit) == regle


def test_agregation_inconnue_liste_les_valeurs_permises():
    with pytest.raises(AgregationInconnue) as e:
        lire_agregation("moyenne", "indicateur 1 de l'action 1-5-3")
    assert str(e.value) == (
        "Règle d'agrégation « moyenne » inconnue (indicateur 1 de l'action 1-5-3) : écrivez l'une de ces valeurs : "
        "somme, maximum, chef_de_file, aucune."
    )
