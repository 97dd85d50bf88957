"""Splitting the protocol's "Pilotage" texts into pilot codes."""

import pytest

CAS = [
    ("DDFE, Département", ["DDFE", "DEPARTEMENT"]),
    ("DDFE-Justice", ["DDFE", "JUSTICE"]),
    ("Police / Gendarmerie", ["POLICE", "GENDARMERIE"]),
    ("Préfecture-Justice-DDFE", ["PREFECTURE", "JUSTICE", "DDFE"]),
    ("DDFE + financeurs (ARS, Collectivités locales, Département)", ["DDFE", "ARS", "COLLECTIVITES", "DEPARTEMENT"]),
    ("Gendarmerie Nationale et France Victime Grenoble AIV", ["GENDARMERIE", "FRANCE_VICTIMES_GRENOBLE"]),
    ("Département DTPJJ Tribunal judiciaire", ["DEPARTEMENT", "DTPJJ", "JUSTICE"]),
    ("UMJ- Établissement hospitalier, Département, ARS", ["UMJ", "ETABLISSEMENTS_HOSPITALIERS", "DEPARTEMENT", "ARS"]),
    ("Uni(es)verelles", ["UNIESVERELLES"]),
    ("Associations", ["ASSOCIATIONS"]),
    ("collectivités locales + associations", ["COLLECTIVITES", "ASSOCIATIONS"]),
    ("Communes", ["COMMUNES"]),
    ("DDFE, Associations, Services de l'État, Département", ["DDFE", "ASSOCIATIONS", "SERVICES_ETAT", "DEPARTEMENT"]),
    ("Justice, associations spécialisées", ["JUSTICE", "ASSOCIATIONS_SPECIALISEES"]),
    ("Associations, promoteurs du net", ["ASSOCIATIONS", "PROMOTEURS_DU_NET"]),
    (
        "DDFE, Associations, collectivités, forces de l'ordre, Justice",
        ["DDFE", "ASSOCIATIONS", "COLLECTIVITES", "POLICE", "GENDARMERIE", "JUSTICE"],
    ),
    ("DDFE - ERPE- CAF", ["DDFE", "ERPE", "CAF"]),
    ("ERPE -DDFE", ["ERPE", "DDFE"]),
    ("Association + UGA + Éducation nationale", ["ASSOCIATIONS", "UGA", "EDUCATION_NATIONALE"]),
    (
        "collectivités locales + associations, préfecture, ARS , DDETS, défenseur des Droits",
        ["COLLECTIVITES", "ASSOCIATIONS", "PREFECTURE", "ARS", "DDETS", "DEFENSEUR_DES_DROITS"],
    ),
]


@pytest.mark.parametrize("texte,attendu", CAS)
def test_decoupage(protocole, texte, attendu):
    codes, inconnus = protocole.annuaire.decouper(texte)
    assert inconnus == []
    assert codes == attendu


def test_fragment_inconnu_signale(protocole):
    codes, inconnus = protocole.annuaire.decouper("DDFE, Ministère des Licornes")
    assert codes == ["DDFE"]
    assert inconnus == ["Ministère des Licornes"]


def test_chaque_action_embarquee_suit_le_decoupage(protocole):
    """The codes stored in the TOML are exactly what the splitter derives from the text."""
    for a in protocole.actions:
        codes, inconnus = protocole.annuaire.decouper(a.pilotage)
        assert (codes, inconnus) == (list(a.pilotes), []), a.code


def test_pilotes_collectifs(protocole):
    collectifs = {p.code for p in protocole.pilotes if p.collectif}
    assert {"ASSOCIATIONS", "COLLECTIVITES", "COMMUNES", "SERVICES_ETAT", "ASSOCIATIONS_SPECIALISEES"} <= collectifs
    assert "DDFE" not in collectifs and "JUSTICE" not in collectifs
