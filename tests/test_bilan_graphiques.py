"""The bilan's charts are native Word charts: chart parts with their data workbook, read back from the .docx."""

from __future__ import annotations

import io
import zipfile
from collections import Counter
from datetime import date

import docx
import openpyxl
import pytest
from docx.enum.shape import WD_INLINE_SHAPE
from tests.fabriques import rep, resultat
from lxml import etree

from vif38_bilan.bilan.document import construire_bilan
from vif38_bilan.bilan.graphique import (
    COULEURS_GRAPHIQUE,
    CT_CLASSEUR,
    CT_GRAPHIQUE,
    RT_GRAPHIQUE,
    RT_PAQUET,
    graphique_chiffres,
    graphique_statuts,
    inserer,
)
from vif38_bilan.bilan.modele import ecrire_modele_depart
from vif38_bilan.consolidation.actions import consolider
from vif38_bilan.consolidation.disposition import ORDRE_STATUTS

DATE = date(2024, 4, 12)
C = "{http://schemas.openxmlformats.org/drawingml/2006/chart}"
A = "{http://schemas.openxmlformats.org/drawingml/2006/main}"
WP = "{http://schemas.openxmlformats.org/drawingml/2006/wordprocessingDrawing}"
R_ID = "{http://schemas.openxmlformats.org/officeDocument/2006/relationships}id"


@pytest.fixture(scope="module")
def consolidation(protocole):
    # Every status used, cycling through the actions; one action never answered (NON RENSEIGNÉ).
    reponses = [
        rep(a.chef_de_file, a.code, ORDRE_STATUTS[i % len(ORDRE_STATUTS)], [i] * len(a.indicateurs))
        for i, a in enumerate(protocole.actions)
        if a.code != "1-1-2"
    ]
    r = resultat(2023, reponses)
    return r, consolider(protocole, 2023, r)


def graphiques(d):
    """[(docPr element, chart XML root, workbook)] of every chart drawn in document d, in order."""
    sortie = []
    for inline in d.element.body.iter(f"{WP}inline"):
        ref = inline.find(f".//{C}chart")
        if ref is None:
            continue
        rel = d.part.rels[ref.get(R_ID)]
        assert rel.reltype == RT_GRAPHIQUE
        partie = rel.target_part
        assert partie.content_type == CT_GRAPHIQUE and partie.partname.startswith("/word/charts/chart")
        racine = etree.fromstring(partie.blob)
        externe = racine.find(f"{C}externalData")
        classeur_rel = partie.rels[externe.get(R_ID)]
        assert classeur_rel.reltype == RT_PAQUET and classeur_rel.target_part.content_type == CT_CLASSEUR
        classeur = openpyxl.load_workbook(io.BytesIO(classeur_rel.target_part.blob))
        sortie.append((inline.find(f"{WP}docPr"), racine, classeur))
    return sortie


def series(racine):
    """{series name: ([categories], [cached values or None], fill colour)} read from the chart XML."""
    sortie = {}
    for ser in racine.iter(f"{C}ser"):
        nom = ser.find(f"{C}tx//{C}v").text
        categories = [v.text for v in ser.find(f"{C}cat").iter(f"{C}v")]
        valeurs: list = [None] * len(categories)
        for pt in ser.find(f"{C}val").iter(f"{C}pt"):
            valeurs[int(pt.get("idx"))] = float(pt.find(f"{C}v").text)
        couleur = ser.find(f"{C}spPr/{A}solidFill/{A}srgbClr").get("val")
        sortie[nom] = (categories, valeurs, couleur)
    return sortie


def test_bilan_graphiques_natifs_modifiables(protocole, consolidation):
    r, c = consolidation
    octets = construire_bilan(protocole, 2023, c, r, date_edition=DATE)
    with zipfile.ZipFile(io.BytesIO(octets)) as z:
        noms = z.namelist()
    assert not [n for n in noms if n.startswith("word/media/")]  # no picture of a chart any more
    d = docx.Document(io.BytesIO(octets))
    trouves = graphiques(d)
    assert len(trouves) == len(d.inline_shapes) >= 2
    assert all(s.type == WD_INLINE_SHAPE.CHART for s in d.inline_shapes)
    assert len({p.get("id") for p, _, _ in trouves}) == len(trouves)
    # The status chart matches the synthesis table, one colour per status, its data in the workbook.
    doc_pr, racine, classeur = trouves[0]
    tableau = next(t for t in d.tables if t.rows[0].cells[0].text == "Axe")
    entetes = [x.text for x in tableau.rows[0].cells]
    lus = series(racine)
    assert lus  # at least one status drawn
    for nom, (categories, valeurs, couleur) in lus.items():
        assert couleur == COULEURS_GRAPHIQUE[nom.upper()]
        assert categories == [f"Axe {i}" for i in range(1, len(protocole.axes) + 1)]
        colonne = entetes.index(nom)
        attendu = [float(row.cells[colonne].text or 0) for row in tableau.rows[1:-1]]
        assert valeurs == attendu
        feuille = classeur.active
        j = 1 + list(lus).index(nom)
        assert feuille.cell(1, 1 + j).value == nom
        assert [feuille.cell(2 + i, 1 + j).value for i in range(len(categories))] == attendu
    assert "Non renseigné" in lus  # action 1-1-2 had no return
    descr = doc_pr.get("descr")
    assert descr.startswith("Graphique en barres empilées : nombre d'actions par statut et par axe en 2023.")
    total_axe1 = tableau.rows[1].cells[-1].text
    assert sum(v[1][0] for v in lus.values()) == float(total_axe1)
    # The key figures' charts: alt text names the series, the caption under each chart stays.
    for doc_pr, racine, _ in trouves[1:]:
        assert doc_pr.get("descr").startswith("Graphique en barres : ")
        assert racine.find(f".//{C}barDir").get("val") == "col"


def test_graphique_chiffres_annee_manquante_est_un_trou():
    g = graphique_chiffres("Places", [2020, 2021, 2022], [("Places", [10, None, 12])], unite="places")
    racine = etree.fromstring(g.xml)
    _, valeurs, _ = series(racine)["Places"]
    assert valeurs == [10.0, None, 12.0]  # no point at 0 for 2021
    assert racine.find(f".//{C}dispBlanksAs").get("val") == "gap"
    feuille = openpyxl.load_workbook(io.BytesIO(g.classeur)).active
    assert [feuille.cell(i, 2).value for i in range(2, 5)] == [10, None, 12]
    assert [feuille.cell(i, 1).value for i in range(2, 5)] == ["2020", "2021", "2022"]
    assert "2021 : non renseigné" in g.description
    titre = racine.find(f".//{C}valAx/{C}title")
    assert "".join(t.text for t in titre.iter(f"{A}t")) == "Places"


def test_graphique_stable_pour_les_memes_donnees():
    comptes = [("Axe 1", Counter({"EFFECTUÉE": 10, "EN COURS": 22})), ("Axe 2", Counter({"ANNULÉE": 1}))]
    a, b = graphique_statuts(comptes, 2023), graphique_statuts(comptes, 2023)
    assert a == b
    # The workbook carries a fixed date, never the clock's.
    with zipfile.ZipFile(io.BytesIO(a.classeur)) as z:
        core = z.read("docProps/core.xml").decode()
        assert {i.date_time for i in z.infolist()} == {(1980, 1, 1, 0, 0, 0)}
    assert "2000-01-01T00:00:00Z" in core
    # Statuses no axe has are left out of the chart and its legend.
    assert list(series(etree.fromstring(a.xml))) == ["Effectuée", "En cours", "Annulée"]


def test_modele_qui_a_deja_un_graphique(protocole, consolidation, tmp_path):
    """The agent's base holds her own chart: it stays, the bilan's charts take the next numbers."""
    r, c = consolidation
    chemin = ecrire_modele_depart(protocole, tmp_path / "modele.docx")
    base = docx.Document(str(chemin))
    sien = graphique_chiffres("Permanences", [2021, 2022, 2023], [("Permanences", [3, 4, 5])])
    inserer(base, sien, "Son graphique")
    base.save(str(chemin))
    d = docx.Document(io.BytesIO(construire_bilan(protocole, 2023, c, r, modele=chemin, date_edition=DATE)))
    trouves = graphiques(d)
    noms = [p.get("name") for p, _, _ in trouves]
    assert noms.count("Son graphique 1") == 1 and len(trouves) >= 3
    parties = {
        d.part.rels[i.find(f".//{C}chart").get(R_ID)].target_part.partname for i in d.element.body.iter(f"{WP}inline")
    }
    assert len(parties) == len(trouves)  # each drawing its own chart part
    assert len({p.get("id") for p, _, _ in trouves}) == len(trouves)
    sa_serie = next(series(x) for p, x, _ in trouves if p.get("name") == "Son graphique 1")
    assert sa_serie["Permanences"][1] == [3.0, 4.0, 5.0]
