"""The personal-data gate measured on a French corpus, both sides (tests/corpus_donnees_personnelles.py).

Recall: share of the personal passages wholly covered by a flagged span (≥ 95 %, and none missed
for the NIR, phone numbers and e-mail addresses). Aggregate side: no sentence flagged at all.
Both figures are printed (pytest -s shows them).
"""

from __future__ import annotations

import pytest

from tests.corpus_donnees_personnelles import AGREGEES, PERSONNELLES
from vif38_bilan.controle.barriere import caviarder, nom_de_fichier
from vif38_bilan.controle.donnees_personnelles import MARQUE, exceptions_du_protocole, reperer

SANS_MANQUE = {"NIR", "TELEPHONE", "COURRIEL"}


@pytest.fixture(scope="module")
def exceptions():
    from vif38_bilan.referentiel.chargement import charger_protocole

    return exceptions_du_protocole(charger_protocole())


def _couvert(texte: str, passage: str, spans) -> bool:
    debut = texte.index(passage)
    return any(p.debut <= debut and p.fin >= debut + len(passage) for p in spans)


def test_taille_du_corpus():
    assert len(PERSONNELLES) + len(AGREGEES) >= 150
    assert len(PERSONNELLES) >= 75 and len(AGREGEES) >= 75
    kinds = {k for _, k, _ in PERSONNELLES}
    assert kinds >= {"NOM", "AGE", "ENFANT", "FAMILLE", "NIR", "TELEPHONE", "COURRIEL", "IBAN", "ADRESSE",
                     "NAISSANCE", "DOSSIER", "PLAQUE"}  # fmt: skip


def test_rappel_et_faux_positifs(exceptions):
    total = trouves = 0
    manques: list[tuple[str, str, str]] = []
    for texte, kind, passages in PERSONNELLES:
        spans = reperer(texte, exceptions)
        for passage in passages:
            total += 1
            if _couvert(texte, passage, spans):
                trouves += 1
            else:
                manques.append((kind, passage, texte))
    signales = [(t, [t[p.debut : p.fin] for p in reperer(t, exceptions)]) for t in AGREGEES]
    signales = [(t, s) for t, s in signales if s]
    rappel = trouves / total
    print(f"\nRappel sur les phrases avec données personnelles : {trouves}/{total} = {rappel:.1%}")
    print(f"Phrases agrégées signalées à tort : {len(signales)}/{len(AGREGEES)}")
    for kind, passage, texte in manques:
        print(f"  manqué ({kind}) : {passage!r} dans {texte!r}")
    assert rappel >= 0.95, manques
    assert not [m for m in manques if m[0] in SANS_MANQUE], manques
    assert signales == []


@pytest.mark.parametrize("texte", AGREGEES[:10])
def test_phrase_agregee_gardee_telle_quelle(texte, exceptions):
    assert caviarder(texte, exceptions) == (texte, ())


def test_le_reste_de_la_phrase_est_garde(exceptions):
    texte = "Leïla, 24 ans, et ses deux enfants ont été accueillis à Échirolles le 3 mars par le CIDFF."
    propre, natures = caviarder(texte, exceptions)
    assert propre == f"{MARQUE}, 24 ans, et ses deux enfants ont été accueillis à Échirolles le 3 mars par le CIDFF."
    assert natures == ("un prénom suivi d'un âge",)
    # A gated text gated again is unchanged: the mark itself is never data.
    assert caviarder(propre, exceptions) == (propre, ())


@pytest.mark.parametrize(
    "nom",
    [
        "2023_CAF_00001.xlsx",
        "Bilan 2023 CAF 15-02-2024.xlsx",
        "2023 ARS 38.xlsx",
        "PREFECTURE_Bilan_VIF_2023_final_v3.xlsx",
        "Copie de bilan DDFE (2).xlsx",
        "Bilan Mairie de Fontaine 2023.xlsx",
        "bilan 2023 - Association Solidarité Femmes Milena.xlsx",
        ".DS_Store",
        "~$2023_DDFE_bilan.xlsx",
        "dep-38/2023_GENDARMERIE_00001.xlsx",
        "Bilan 2023 DDFE version définitive.xlsx",
        "Copie De Bilan Maison Des Femmes.xlsx",
    ],
)
def test_nom_de_fichier_ordinaire_garde(nom, exceptions):
    assert nom_de_fichier(nom, exceptions) == (nom, ())


@pytest.mark.parametrize(
    ("nom", "secrets"),
    [
        ("retour_Aurore_Blanchet_0687451290.xlsx", ["Aurore", "Blanchet", "0687451290"]),
        ("GGD38 - suivi Mme Perrin.xlsx", ["Perrin"]),
        ("bilan CIDFF - contact a.giraud@orange.fr.xlsx", ["a.giraud@orange.fr"]),
        ("Lucas 7 ans - signalement/bilan 2023.xlsx", ["Lucas"]),
        # A tester's name: no civility, a name the model reads as one only out of this context.
        ("bilan préf - suivi Ginette Marchal 2023 .XLSX", ["Ginette", "Marchal"]),
        ("Relevé Sylvie Arnaud juin 2023.xlsx", ["Sylvie", "Arnaud"]),
    ],
)
def test_nom_de_fichier_personnel_retire(nom, secrets, exceptions):
    propre, natures = nom_de_fichier(nom, exceptions)
    assert natures and MARQUE in propre and propre.lower().endswith(".xlsx")
    for s in secrets:
        assert s not in propre
