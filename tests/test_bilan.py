"""The Word bilan, read back with python-docx; the whole step through real files and the CLI."""

from __future__ import annotations

import io
import re
import shutil
import subprocess
import zipfile
from datetime import date
from pathlib import Path

import docx
import openpyxl
import pytest
from click.testing import CliRunner
from docx.enum.shape import WD_INLINE_SHAPE
from docx.oxml.ns import qn
from docx.table import Table
from docx.text.paragraph import Paragraph
from tests.fabriques import rep, resultat
from vif38_bilan.bilan.word import typographie

from vif38_bilan.bilan.document import construire_bilan, ecrire_bilan
from vif38_bilan.bilan.points_a_verifier import construire_points_a_verifier
from vif38_bilan.cli.principal import cli
from vif38_bilan.consolidation.actions import consolider
from vif38_bilan.cycle import ouvrir_espace, produire_bilan
from vif38_bilan.consolidation.classeur import ecrire_consolidation
from vif38_bilan.consolidation.disposition import FEUILLE_SOURCES, ORDRE_STATUTS
from vif38_bilan.espace.fichiers import nom_consolidation
from vif38_bilan.consolidation.historique import lire_historique
from vif38_bilan.gabarits import disposition
from vif38_bilan.regles import ERREUR, Anomalie

DATE = date(2024, 4, 12)
FORMULE = '=HYPERLINK("http://exemple.invalid","clic")'


def statut_du_chef(protocole, code):
    """The status the chef de file gives to each action in the fixture (all statuses used)."""
    i = [a.code for a in protocole.actions].index(code)
    return ORDRE_STATUTS[i % len(ORDRE_STATUTS)]


def _reponses(protocole, annee):
    reponses = []
    for i, a in enumerate(protocole.actions):
        if a.code == "1-1-2":
            # No return from DDFE for this action: the co-pilot's status stands, flagged.
            reponses.append(rep("ARS", a.code, "LANCEMENT", [30], "Module santé prévu.", role="co-pilote"))
            continue
        valeurs = [
            (100 + i if ind.type == "entier" else "Oui" if ind.type == "oui_non" else "Diffusion trimestrielle")
            for ind in a.indicateurs
        ]
        obs = FORMULE if a.code == "4-25-1" else f"Observation {annee} de l'action {a.code}."
        reponses.append(rep(a.chef_de_file, a.code, statut_du_chef(protocole, a.code), valeurs, obs))
        if a.code == "1-1-1":
            reponses.append(rep("DEPARTEMENT", a.code, "EN ATTENTE", [56], "Deux sessions annulées.", role="co-pilote"))
    return reponses


@pytest.fixture(scope="module")
def donnees(protocole, tmp_path_factory):
    """2022 consolidated and written, read back as history; 2023 consolidated on top of it."""
    sorties = tmp_path_factory.mktemp("sorties")
    r22 = resultat(
        2022, [rep(a.chef_de_file, a.code, "EN COURS", [10] * len(a.indicateurs)) for a in protocole.actions]
    )
    ecrire_consolidation(consolider(protocole, 2022, r22), sorties / "2022" / nom_consolidation(2022))
    h = lire_historique(protocole, sorties, 2023)
    assert h.anomalies == []
    anomalies = [
        Anomalie(
            "2023_DDFE_bilan.xlsx",
            "Saisie",
            "J12",
            "1-2-1",
            ERREUR,
            "« beaucoup » n'est pas un nombre.",
            "nombre_invalide",
            "DDFE",
            "",
        ),
    ]
    r23 = resultat(2023, _reponses(protocole, 2023), manquants=["OFII"], anomalies=anomalies)
    c = consolider(protocole, 2023, r23, h)
    return r23, c


@pytest.fixture(scope="module")
def bilan_annexe(protocole, donnees, tmp_path_factory):
    r23, c = donnees
    chemin = ecrire_bilan(protocole, 2023, c, r23, tmp_path_factory.mktemp("b") / "bilan-2023.docx", date_edition=DATE)
    return chemin


def blocs(document):
    return list(document.iter_inner_content())


def lignes_par_action(document):
    """action code → [(objective number of the heading above, row)] for every OBJECTIFS table row."""
    courant, lignes = None, {}
    for b in blocs(document):
        if isinstance(b, Paragraph) and b.style.name.startswith("Heading"):
            m = re.match("N°(\\d+)\u202f: ", b.text)
            courant = int(m.group(1)) if m else None
        elif isinstance(b, Table) and b.rows[0].cells[0].text == "OBJECTIFS":
            for row in b.rows[1:]:
                code = row.cells[0].text.split()[0]
                lignes.setdefault(code, []).append((courant, row))
    return lignes


# ---------------------------------------------------------------- layout annexe


def test_chaque_action_une_seule_ligne_sous_son_objectif(protocole, bilan_annexe):
    d = docx.Document(str(bilan_annexe))
    lignes = lignes_par_action(d)
    assert sorted(lignes) == sorted(a.code for a in protocole.actions)
    for a in protocole.actions:
        ((objectif, row),) = lignes[a.code]
        assert objectif == a.objectif, a.code
        assert row.cells[0].text == typographie(f"{a.code} {a.description}")
        assert row.cells[1].text == typographie(a.pilotage)
        assert row.cells[2].text == typographie(a.autres_acteurs)
    titres = [b.text for b in blocs(d) if isinstance(b, Paragraph) and b.style.name.startswith("Heading")]
    assert "AXE 1\u202f: VIOLENCES INTRAFAMILIALES" in titres
    assert "Mieux repérer et orienter les femmes victimes de violences" in titres
    assert [t for t in titres if t.startswith("N°")] == [
        typographie(f"N°{o.numero} : {o.titre}") for o in protocole.objectifs
    ]


def test_colonnes_annees_et_observations(protocole, bilan_annexe):
    d = docx.Document(str(bilan_annexe))
    lignes = lignes_par_action(d)
    table = next(b for b in blocs(d) if isinstance(b, Table) and b.rows[0].cells[0].text == "OBJECTIFS")
    assert [c.text for c in table.rows[0].cells] == [
        "OBJECTIFS",
        "ACTEURS",
        "Autres acteurs",
        "2022",
        "2023",
        "2024",
        "OBSERVATIONS",
    ]
    for a in protocole.actions:
        ((_, row),) = lignes[a.code]
        cells = row.cells
        assert cells[3].text == "EN COURS"  # 2022, from the history
        assert cells[5].text == ""  # 2024 not reached
        if a.code == "1-1-2":
            assert cells[4].text == "LANCEMENT\n(co-pilote)"
        else:
            assert cells[4].text == statut_du_chef(protocole, a.code)
    ((_, row),) = lignes["1-1-1"]
    obs = row.cells[6].text
    assert "[DDFE] Observation 2023 de l'action 1-1-1." in obs
    assert "[Département] Deux sessions annulées." in obs
    # 1-1-1's co-financed trainings are one count declared by both pilots (rule maximum): the bilan says so.
    assert (
        "100 personnes formées (déclarations\u202f: DDFE 100, Département 56\u202f; maximum retenu) — cible 100/an, "
        "100\u00a0%" in obs
    )
    assert "Cumul 2022-2023\u202f: 110 — cible 200, 55\u00a0%" in obs
    # The year's status is shaded with its colour.
    shd = row.cells[4]._tc.tcPr.find(qn("w:shd"))
    assert shd is not None and shd.get(qn("w:fill")) == "C6EFCE"  # EFFECTUÉE
    ((_, row),) = lignes["2-15-2"]
    assert "Signature de la convention\u202f: Oui" in row.cells[6].text
    # Formula-like text from a pilot is plain text in the document.
    ((_, row),) = lignes["4-25-1"]
    assert f"[DDFE] {FORMULE}" in row.cells[6].text


def test_tableaux_en_tete_repete_lignes_insecables_largeurs_fixes(bilan_annexe):
    d = docx.Document(str(bilan_annexe))
    tables = [t for t in d.tables if t.rows[0].cells[0].text == "OBJECTIFS"]
    assert len(tables) == 25
    for t in tables:
        tete = t.rows[0]._tr.trPr
        assert tete.find(qn("w:tblHeader")) is not None
        assert all(r._tr.trPr is not None and r._tr.trPr.find(qn("w:cantSplit")) is not None for r in t.rows)
        assert t._tbl.tblPr.find(qn("w:tblLayout")).get(qn("w:type")) == "fixed"
        grille = [int(g.get(qn("w:w"))) for g in t._tbl.tblGrid.gridCol_lst]
        assert sum(grille) == int(t._tbl.tblPr.find(qn("w:tblW")).get(qn("w:w")))
    # The objectives' tables sit in a landscape section that they fit.
    paysage = [s for s in d.sections if s.page_width > s.page_height]
    assert len(paysage) == 1
    s = paysage[0]
    utile = s.page_width - s.left_margin - s.right_margin
    assert sum(int(g.get(qn("w:w"))) for g in tables[0]._tbl.tblGrid.gridCol_lst) <= utile / 635 + 1  # EMU → twips
    assert all(round(x.page_width.cm, 1) in (21.0, 29.7) for x in d.sections)  # A4


def test_champs_sommaire_et_numeros_de_page(bilan_annexe):
    d = docx.Document(str(bilan_annexe))
    maj = d.settings.element.find(qn("w:updateFields"))
    assert maj is not None and maj.get(qn("w:val")) == "true"
    instructions = [e.text.strip() for e in d.element.body.iter(qn("w:instrText"))]
    assert instructions == ['TOC \\o "1-3" \\h \\z \\u']
    pied = [e.text.strip() for e in d.sections[0].footer._element.iter(qn("w:instrText"))]
    assert "PAGE" in pied and "NUMPAGES" in pied
    # The TOC's current result already lists the headings (LibreOffice shows it as is).
    sommaire = [p.text for p in d.paragraphs[:80]]
    assert "AXE 1\u202f: VIOLENCES INTRAFAMILIALES" in sommaire


def test_couverture_synthese_annexes_signatures(protocole, donnees, bilan_annexe):
    d = docx.Document(str(bilan_annexe))
    textes = [p.text for p in d.paragraphs]
    assert protocole.titre in textes and "Bilan 2023" in textes and "Isère" in textes
    assert "Édité le 12 avril 2024" in textes
    # Synthesis: actions by status per axe add up to 53; the chart is there.
    synthese = next(t for t in d.tables if t.rows[0].cells[0].text == "Axe")
    total = synthese.rows[-1].cells
    assert total[0].text == "Total" and total[-1].text == "53"
    assert sum(int(c.text) for c in total[1:-1]) == 53
    # The status chart, then one native chart per key figure with three known years or more.
    graphiques = [c for c in donnees[1].chiffres if len(c.annees_connues()) >= 3]
    assert graphiques and len(d.inline_shapes) == 1 + len(graphiques)
    assert {s.type for s in d.inline_shapes} == {WD_INLINE_SHAPE.CHART}
    retours = next(t for t in d.tables if t.rows[0].cells[0].text == "Pilote" and len(t.columns) == 5)
    ofii = next(r for r in retours.rows if r.cells[0].text.startswith("Office français"))
    assert ofii.cells[4].text == "non transmis"
    cibles = next(t for t in d.tables if t.rows[0].cells[1].text == "Indicateur")
    ligne = next(r for r in cibles.rows if r.cells[0].text == "1-1-1")
    # 1-1-1 (maximum): 100, not the 156 a sum would give; flux target per year; the cumul header on 2 lines.
    assert [c.text for c in ligne.cells[2:]] == ["100 / an", "100", "100\u00a0%", "110", "55\u00a0%"]
    assert cibles.rows[0].cells[5].text == "Cumul\n2022-2023"
    # Annexes of the signed bilan: the pilots without a return (a neutral list) and the method only.
    tout = "\n".join(textes + [c.text for t in d.tables for r in t.rows for c in r.cells])
    assert "Annexe 1 — Pilotes n'ayant pas transmis de bilan" in textes
    assert "Annexe 2 — Méthode" in textes
    # The method states the rules this year applied (issue 23): only 1-1-1 had several declarations.
    (methode,) = [t for t in textes if t.startswith("Indicateurs chiffrés déclarés par plusieurs pilotes")]
    assert (
        "maximum (un même événement déclaré par plusieurs pilotes ou structures, compté une fois)\u202f: 1 indicateur."
        in methode
    )
    assert "somme (" not in methode
    assert not any("ne contiennent aucune donnée personnelle" in t for t in textes)
    # Issue 12: the erreur, the disagreements and the files read are in the working notes, not here.
    assert typographie("« beaucoup » n'est pas un nombre.") not in tout
    assert "2023_DDFE_bilan.xlsx" not in tout and "consolidation-2023.xlsx" not in tout
    assert not any("Statuts déclarés" in c.text for t in d.tables for c in t.rows[0].cells)
    r23, c = donnees
    notes = docx.Document(io.BytesIO(construire_points_a_verifier(protocole, 2023, c, r23, DATE)))
    notes_texte = "\n".join(
        [p.text for p in notes.paragraphs] + [x.text for t in notes.tables for r in t.rows for x in r.cells]
    )
    assert typographie("« beaucoup » n'est pas un nombre.") in notes_texte and "2023_DDFE_bilan.xlsx" in notes_texte
    desaccords = next(
        t
        for t in notes.tables
        if [c.text for c in t.rows[0].cells] == ["Action", "Nature", "Statuts déclarés", "Statut retenu"]
    )
    codes = [r.cells[0].text for r in desaccords.rows[1:]]
    assert codes == ["1-1-1", "1-1-2"]
    assert "Département (co-pilote)\u202f: EN ATTENTE" in desaccords.rows[1].cells[2].text
    for autorite in protocole.autorites:
        assert autorite.nom in tout and autorite.fonction in tout


def test_calendrier_prevu_et_reel(protocole, bilan_annexe):
    d = docx.Document(str(bilan_annexe))
    cal = next(t for t in d.tables if t.rows[0].cells[0].text == "N°")
    assert [c.text for c in cal.rows[0].cells][3:] == [
        "2022 prévu",
        "2022 réel",
        "2023 prévu",
        "2023 réel",
        "2024 prévu",
        "2024 réel",
    ]
    assert len(cal.rows) == 1 + len(protocole.objectifs)
    ligne = cal.rows[25]  # objective 25: one action
    plan = protocole.plan(25)
    assert ligne.cells[3].text == plan.statuts[0]
    assert ligne.cells[4].text == "EN COURS"
    assert ligne.cells[6].text == statut_du_chef(protocole, "4-25-1")
    assert ligne.cells[8].text == ""


def test_deterministe(protocole, donnees):
    r23, c = donnees
    a = construire_bilan(protocole, 2023, c, r23, date_edition=DATE)
    b = construire_bilan(protocole, 2023, c, r23, date_edition=DATE)
    assert a == b
    with zipfile.ZipFile(io.BytesIO(a)) as za, zipfile.ZipFile(io.BytesIO(b)) as zb:
        assert za.read("word/document.xml") == zb.read("word/document.xml")
        core = za.read("docProps/core.xml").decode()
    assert "2024-04-12T00:00:00" in core
    autre = construire_bilan(protocole, 2023, c, r23, date_edition=date(2024, 5, 2))
    assert autre != a


# ---------------------------------------------------------------- layout protocole, --modele


def test_presentation_protocole(protocole, donnees):
    r23, c = donnees
    d = docx.Document(
        io.BytesIO(construire_bilan(protocole, 2023, c, r23, presentation="protocole", date_edition=DATE))
    )
    tables = [t for t in d.tables if len(t.rows[0].cells) > 1 and t.rows[0].cells[1].text.startswith("Action ")]
    assert len(tables) == 25
    for o, t in zip(protocole.objectifs, tables, strict=True):
        actions = protocole.actions_de_objectif(o.numero)
        assert len(t.columns) == 1 + len(actions)
        assert [c.text for c in t.rows[0].cells[1:]] == [f"Action {a.code}" for a in actions]
        libelles = [r.cells[0].text for r in t.rows[1:]]
        assert libelles[:5] == ["Description des actions", "Pilotage", "Autres acteurs", "Échéance", "Indicateurs"]
        assert libelles[5:] == [
            "Statut 2022",
            "Valeurs 2022 / cible",
            "Observations 2022",
            "Statut 2023",
            "Valeurs 2023 / cible",
            "Observations 2023",
        ]
        statut_2023 = t.rows[9].cells
        for a, cell in zip(actions, statut_2023[1:], strict=True):
            attendu = "LANCEMENT\n(co-pilote)" if a.code == "1-1-2" else statut_du_chef(protocole, a.code)
            assert cell.text == attendu
    t = tables[0]
    assert t.rows[1].cells[1].text == typographie(protocole.action("1-1-1").description)
    assert "[DDFE] Observation 2023 de l'action 1-1-1." in t.rows[11].cells[1].text


def _modele(chemin: Path, sans_titres: bool = False) -> Path:
    m = docx.Document()
    m.sections[0].header.paragraphs[0].text = "PRÉFET DE L'ISÈRE — en-tête du modèle"
    m.add_paragraph("Texte du modèle à effacer")
    if sans_titres:
        styles = m.styles.element
        for s in list(styles):
            nom = s.find(qn("w:name"))
            if nom is not None and nom.get(qn("w:val")) in ("heading 1", "heading 2", "heading 3", "Title"):
                styles.remove(s)
    m.save(str(chemin))
    return chemin


def test_modele_garde_son_en_tete(protocole, donnees, tmp_path):
    r23, c = donnees
    chemin = ecrire_bilan(
        protocole, 2023, c, r23, tmp_path / "b.docx", modele=_modele(tmp_path / "modele.docx"), date_edition=DATE
    )
    d = docx.Document(str(chemin))
    assert d.sections[0].header.paragraphs[0].text == "PRÉFET DE L'ISÈRE — en-tête du modèle"
    assert all(s.header.is_linked_to_previous for s in d.sections[1:])
    textes = [p.text for p in d.paragraphs]
    assert "Texte du modèle à effacer" not in textes
    assert "Bilan 2023" in textes
    assert len(lignes_par_action(d)) == 53


def test_modele_sans_styles_de_titre(protocole, donnees, tmp_path):
    r23, c = donnees
    modele = _modele(tmp_path / "modele.docx", sans_titres=True)
    d = docx.Document(io.BytesIO(construire_bilan(protocole, 2023, c, r23, modele=modele, date_edition=DATE)))
    titre = [p for p in d.paragraphs if p.text == "AXE 1\u202f: VIOLENCES INTRAFAMILIALES"][
        -1
    ]  # the first is the TOC's
    assert titre.style.name == "Heading 1"
    assert titre.style.element.find(f"{qn('w:pPr')}/{qn('w:outlineLvl')}").get(qn("w:val")) == "0"


def test_modele_illisible(protocole, donnees, tmp_path):
    from vif38_bilan.exceptions import FichierRefuse

    r23, c = donnees
    faux = tmp_path / "modele.docx"
    faux.write_text("pas un document Word")
    with pytest.raises(FichierRefuse, match="enregistrez-le au format .docx"):
        construire_bilan(protocole, 2023, c, r23, modele=faux, date_edition=DATE)


# ---------------------------------------------------------------- through real files


def _remplir(protocole, racine: Path, annee: int, absent: str, erreurs: bool = False) -> None:
    from vif38_bilan.gabarits.generation import generer_gabarits
    from vif38_bilan.gabarits.remplissage import identite_inventee, remplir_gabarit, reponses_inventees

    gabarits = racine / "gabarits" / str(annee)
    generer_gabarits(protocole, annee, gabarits)
    for pil in protocole.pilotes_actifs():
        if pil.code == absent:
            continue
        for graine in range(2 if pil.code == "ASSOCIATIONS" else 1):
            reponses = reponses_inventees(protocole, pil.code, annee, graine)
            if pil.code == "DDFE":
                reponses["1-1-1"].update(statut="EFFECTUÉE", valeurs=[77], observations=FORMULE)
                if erreurs:
                    reponses["1-1-3"]["valeurs"] = ["beaucoup"]
            if pil.code == "ASSOCIATIONS":
                reponses["3-20-1"].update(statut="EN COURS", valeurs=[5 + graine])
            remplir_gabarit(
                gabarits / disposition.nom_fichier(annee, pil.code),
                racine / "saisies" / str(annee) / f"retour {pil.code} {graine}.xlsx",
                reponses,
                identite=identite_inventee(protocole, pil.code, annee, graine),
            )


def test_de_bout_en_bout_par_les_fichiers(protocole, tmp_path):
    _remplir(protocole, tmp_path, 2022, absent="OFII")
    r = produire_bilan(ouvrir_espace(tmp_path), 2022, date_edition=DATE)
    assert r.bilan == tmp_path / "sorties" / "2022" / "bilan-2022.docx"
    assert r.rapport.exists() and r.consolidation.exists()
    assert r.resultat.manquants == ["OFII"]

    d = docx.Document(str(r.bilan))
    lignes = lignes_par_action(d)
    assert len(lignes) == 53
    ((_, row),) = lignes["1-1-1"]
    assert row.cells[3].text == "EFFECTUÉE"
    assert f"[DDFE] {FORMULE}" in row.cells[6].text
    ((_, row),) = lignes["3-20-1"]
    assert "11 maraudes virtuelles" in row.cells[6].text  # 5 + 6 from two structures

    # Every figure traced: 3-20-1's counts → the two returns, their sheet and cell.
    wb = openpyxl.load_workbook(r.consolidation)
    sources = [[c.value for c in row] for row in wb[FEUILLE_SOURCES].iter_rows(min_row=2)]
    maraudes = [s for s in sources if s[1] == "3-20-1" and s[2].startswith("Indicateur 1")]
    assert sorted(s[5] for s in maraudes) == [5, 6]
    for s in maraudes:
        assert s[6].startswith("retour ASSOCIATIONS") and s[7] == disposition.FEUILLE_SAISIE
        fichier = openpyxl.load_workbook(tmp_path / "saisies" / "2022" / s[6])
        assert fichier[s[7]][s[8]].value == s[5]
    obs = next(
        c
        for row in wb["actions"].iter_rows(min_row=2)
        if row[0].value == "1-1-1"
        for c in row
        if str(c.value).startswith(f"[DDFE] {FORMULE}")
    )
    assert obs.data_type == "s"

    # 2023 on top of 2022's consolidation.
    _remplir(protocole, tmp_path, 2023, absent="CAF")
    r = produire_bilan(ouvrir_espace(tmp_path), 2023, date_edition=DATE)
    assert r.historique.sources == {2022: tmp_path / "sorties" / "2022" / "consolidation-2022.xlsx"}
    ((_, row),) = lignes_par_action(docx.Document(str(r.bilan)))["1-1-1"]
    assert row.cells[3].text == "EFFECTUÉE" and row.cells[4].text == "EFFECTUÉE"
    assert "Cumul 2022-2023\u202f: " in row.cells[6].text


def test_commandes_bilan_et_historique(protocole, espace):
    _remplir(protocole, espace, 2022, absent="OFII", erreurs=True)
    runner = CliRunner()
    res = runner.invoke(cli, ["bilan", "--annee", "2022", "--date", "12/04/2023"], catch_exceptions=False)
    assert res.exit_code == 1, res.output  # an erreur in the returns: the bilan is still written
    assert "Bilan Word : " in res.output and "bilan-2022.docx" in res.output
    assert "1 erreur(s)" in res.output and "points à vérifier" in res.output
    chemin = espace / "sorties" / "2022" / "bilan-2022.docx"
    d = docx.Document(str(chemin))
    assert "Édité le 12 avril 2023" in [p.text for p in d.paragraphs]
    tout = "\n".join(c.text for t in d.tables for r in t.rows for c in r.cells)
    assert "beaucoup" not in tout  # the erreur is listed in the working notes, not in the signed bilan
    notes = docx.Document(str(espace / "sorties" / "2022" / "points-a-verifier-2022.docx"))
    assert "beaucoup" in "\n".join(c.text for t in notes.tables for r in t.rows for c in r.cells)

    res = runner.invoke(cli, ["bilan", "--annee", "2022", "--date", "31/02/2023"], catch_exceptions=False)
    assert res.exit_code == 2 and "le 31/02/2023 n'existe pas (février 2023 a 28 jours)" in res.output

    # historique never overwrites a consolidation by accident.
    res = runner.invoke(cli, ["historique", "--annee", "2022"], catch_exceptions=False)
    assert res.exit_code == 1 and "existe déjà" in res.output and "--remplacer" in res.output
    res = runner.invoke(cli, ["historique", "--annee", "2022", "--remplacer"], catch_exceptions=False)
    assert res.exit_code == 0, res.output
    assert "Statut 2022" in res.output and "vif38-bilan bilan --annee 2023" in res.output
    wb = openpyxl.load_workbook(espace / "sorties" / "2022" / "consolidation-2022.xlsx")
    assert wb.sheetnames[0] == "Mode d'emploi"

    res = runner.invoke(cli, ["bilan", "--annee", "2023"], catch_exceptions=False)
    assert res.exit_code == 1 and "saisies/2023" in res.output and "Traceback" not in res.output
    (espace / "saisies" / "2023").mkdir()
    res = runner.invoke(
        cli, ["bilan", "--annee", "2023", "--date", "12/04/2024", "--presentation", "protocole"], catch_exceptions=False
    )
    assert res.exit_code == 0, res.output  # no returns for 2023 at all: an empty but honest bilan
    assert "Année 2022 reprise de" in res.output


@pytest.mark.libreoffice
@pytest.mark.skipif(shutil.which("soffice") is None, reason="LibreOffice absent")
def test_libreoffice_ouvre_le_bilan(protocole, bilan_annexe, tmp_path):
    sortie = tmp_path / "pdf"
    subprocess.run(
        ["soffice", f"-env:UserInstallation=file://{tmp_path}/lo", "--headless", "--convert-to", "pdf", "--outdir", str(sortie), str(bilan_annexe)],
        check=True, capture_output=True, timeout=180,
    )  # fmt: skip
    pdf = sortie / "bilan-2023.pdf"
    assert pdf.stat().st_size > 50_000
    if shutil.which("pdftotext"):
        texte = subprocess.run(
            ["pdftotext", "-layout", str(pdf), "-"], capture_output=True, text=True, check=True
        ).stdout
        for a in protocole.actions:
            assert a.code in texte, a.code
