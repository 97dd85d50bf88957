"""Issue 23: every figure the Préfet signs means what it says — time semantics, one aggregation rule
for every declaration, completeness, the agent's arbitration, status against figures, the method.

Built from invented returns (fabriques.rep / resultat); the bilan, the consolidation workbook and
the working notes are read back (python-docx, openpyxl).
"""

from __future__ import annotations

import io
from datetime import date

import docx
import openpyxl
import pytest
from click.testing import CliRunner
from tests.fabriques import rep, resultat

from vif38_bilan.bilan.document import construire_bilan
from vif38_bilan.bilan.points_a_verifier import construire_points_a_verifier
from vif38_bilan.cli.principal import cli
from vif38_bilan.consolidation.actions import consolider
from vif38_bilan.consolidation.arbitrages import Arbitrage
from vif38_bilan.consolidation.classeur import ecrire_consolidation
from vif38_bilan.consolidation.disposition import FEUILLE_CHIFFRES, FEUILLE_INDICATEURS, FEUILLE_SOURCES
from vif38_bilan.consolidation.historique import lire_historique
from vif38_bilan.controle.resultats import Source
from vif38_bilan.controle.verifications_chiffres import ReponseChiffre
from vif38_bilan.exceptions import ReferentielInvalide
from vif38_bilan.referentiel.chargement import depuis_dict
from vif38_bilan.referentiel.temporalite import cumuler
from vif38_bilan.regles import ERREUR, Anomalie

DATE = date(2024, 4, 12)
FINE = "\u202f"


def _tous(protocole, sauf=()):
    """Every active pilot answering (an empty return for one action), but those in sauf: nobody is missing."""
    return [p.code for p in protocole.pilotes_actifs() if p.code not in sauf]


def _textes(contenu: bytes) -> str:
    d = docx.Document(io.BytesIO(contenu))
    cellules = [c.text for t in d.tables for r in t.rows for c in r.cells]
    return "\n".join([p.text for p in d.paragraphs] + cellules).replace(FINE, " ")


def _cellule_obs(contenu: bytes, code: str) -> str:
    d = docx.Document(io.BytesIO(contenu))
    for t in d.tables:
        for r in t.rows:
            if r.cells[0].text.startswith(f"{code} "):
                return r.cells[-1].text.replace(FINE, " ")
    raise AssertionError(code)


def _bilan(protocole, annee, c, r) -> bytes:
    return construire_bilan(protocole, annee, c, r, date_edition=DATE)


def _notes(protocole, annee, c, r) -> str:
    return _textes(construire_points_a_verifier(protocole, annee, c, r, DATE))


def _manquants(protocole, presents):
    return [p.code for p in protocole.pilotes_actifs() if p.code not in presents]


# ---------------------------------------------------------------- referential


def test_temporalite_dans_le_referentiel_et_ses_erreurs(protocole):
    assert protocole.action("1-5-2").indicateurs[0].temporalite == "stock"
    assert protocole.action("1-1-1").indicateurs[0].temporalite == "flux"
    assert protocole.action("1-7-2").indicateurs[0].temporalite == "ponctuel"
    series = {s.id: s.temporalite for s in protocole.chiffres}
    assert series["hu_fvv"] == "stock" and series["morts_violentes_couple"] == "flux"
    # Every indicator of the Isère referential says it (TOML), and the JSON copy carries it.
    assert all(i.temporalite in ("flux", "stock", "ponctuel") for a in protocole.actions for i in a.indicateurs)
    d = protocole.vers_dict()
    d["actions"][0]["indicateurs"][0]["temporalite"] = "cumulatif"
    d["chiffres"][0]["temporalite"] = "annuel"
    with pytest.raises(ReferentielInvalide) as e:
        depuis_dict(d)
    texte = str(e.value)
    assert "Temporalité « cumulatif » inconnue (action « 1-1-1 », indicateur 1)" in texte
    assert "Temporalité « annuel » inconnue (chiffre clé « morts_violentes_couple »)" in texte
    assert "écrivez l'une de ces valeurs : flux, stock, ponctuel" in texte


def test_la_temporalite_fait_le_cumul_en_un_seul_endroit():
    flux = cumuler("flux", "entier", [(2022, 111), (2023, 111)], 100)
    assert (flux.valeur, flux.cible, flux.taux) == (222, 200, pytest.approx(1.11))
    stock = cumuler("stock", "entier", [(2022, 111), (2023, 108)], 100)
    assert (stock.valeur, stock.cible, stock.depuis, stock.premiere) == (108, 100, 2023, (2022, 111))
    inconnu = cumuler("flux", "entier", [(2022, None), (2023, 40)], 20)
    assert (inconnu.valeur, inconnu.manquantes, inconnu.taux) == (40, (2022,), None)
    une_fois = cumuler("ponctuel", "oui_non", [(2022, "Non"), (2023, "Oui")], None)
    assert (une_fois.valeur, une_fois.depuis) == ("Oui", 2023)


# ---------------------------------------------------------------- aggregation


def test_formations_co_financees_pas_additionnees(protocole):
    # 1-1-1: the DDFE and the Département declare the same 156 co-financed trainees.
    r = resultat(2023, [rep("DDFE", "1-1-1", "EFFECTUÉE", [156]), rep("DEPARTEMENT", "1-1-1", "EFFECTUÉE", [156])])
    c = consolider(protocole, 2023, r)
    assert c.enregistrement("1-1-1", 2023).valeurs == (156,)
    obs = _cellule_obs(_bilan(protocole, 2023, c, r), "1-1-1")
    assert "156 personnes formées (déclarations : DDFE 156, Département 156 ; maximum retenu)" in obs
    assert "312" not in obs


def test_sous_maximum_les_structures_ne_s_additionnent_pas(protocole):
    # 1-2-1: one colloquium; two structures of the collective pilot "Associations" each declare it.
    r = resultat(
        2023,
        [
            rep("ASSOCIATIONS", "1-2-1", "EFFECTUÉE", [200, 1], structure="Association Alpha"),
            rep("ASSOCIATIONS", "1-2-1", "EFFECTUÉE", [200, 1], structure="Association Beta"),
            # 3-20-1 (somme): two associations' own maraudes still add up.
            rep("ASSOCIATIONS", "3-20-1", "EN COURS", [5], structure="Association Alpha"),
            rep("ASSOCIATIONS", "3-20-1", "EN COURS", [9], structure="Association Beta"),
        ],
    )
    c = consolider(protocole, 2023, r)
    assert c.enregistrement("1-2-1", 2023).valeurs == (200, 1)
    assert c.enregistrement("3-20-1", 2023).valeurs == (14,)
    obs = _cellule_obs(_bilan(protocole, 2023, c, r), "1-2-1")
    assert (
        "Nombre de colloques organisés : 1 (Association Alpha : 1 ; Association Beta : 1) — cible 1/an, 100\u00a0%"
        in obs
    )
    assert "400" not in obs and "2 colloques" not in obs and "200\u00a0%" not in obs


def test_somme_de_declarations_egales_signalee_double_compte(protocole, tmp_path):
    # 1-1-2 (somme): DDFE and ARS declare the same 40: probably one training counted twice.
    r = resultat(2023, [rep("DDFE", "1-1-2", "EN COURS", [40]), rep("ARS", "1-1-2", "EN COURS", [40])])
    c = consolider(protocole, 2023, r)
    e = c.enregistrement("1-1-2", 2023)
    assert e.valeurs == (80,) and e.doubles == (True,)
    notes = _notes(protocole, 2023, c, r)
    bloc = notes[notes.index("Probables doubles comptes") :]
    assert "1-1-2" in bloc and "DDFE : 40" in bloc and "ARS : 40" in bloc
    ws = openpyxl.load_workbook(ecrire_consolidation(c, tmp_path / "c.xlsx"))[FEUILLE_INDICATEURS]
    tete = [x.value for x in ws[1]]
    ligne = next(x for x in ws.iter_rows(min_row=2, values_only=True) if x[0] == "1-1-2")
    assert "probable double compte" in ligne[tete.index("Complétude 2023")]


# ---------------------------------------------------------------- time semantics


def _avec_2022(protocole, tmp_path, reponses_2022, reponses_2023, **kw):
    c22 = consolider(protocole, 2022, resultat(2022, reponses_2022))
    ecrire_consolidation(c22, tmp_path / "sorties" / "2022" / "consolidation-2022.xlsx")
    h = lire_historique(protocole, tmp_path / "sorties", 2023)
    r = resultat(2023, reponses_2023, **kw)
    return consolider(protocole, 2023, r, h), r


def test_un_stock_n_est_jamais_cumule(protocole, tmp_path):
    # 1-5-2: the same 111 networks exist in 2022 and 2023: never « Cumul : 222 ».
    c, r = _avec_2022(
        protocole,
        tmp_path,
        [rep("DDFE", "1-5-2", "EN COURS", [111]), rep("DDFE", "1-5-1", "EN COURS", [3])],
        [rep("DDFE", "1-5-2", "EN COURS", [111]), rep("DDFE", "1-5-1", "EN COURS", [4])],
    )
    contenu = _bilan(protocole, 2023, c, r)
    obs = _cellule_obs(contenu, "1-5-2")
    assert "111 réseaux interprofessionnels dans le département en fin d'année" in obs
    assert "222" not in _textes(contenu) and "Cumul" not in obs
    assert "Évolution 2022-2023 : 111 → 111 (±0, non cumulé)" in obs
    ws = openpyxl.load_workbook(ecrire_consolidation(c, tmp_path / "c.xlsx"))[FEUILLE_INDICATEURS]
    tete = [x.value for x in ws[1]]
    ligne = next(x for x in ws.iter_rows(min_row=2, values_only=True) if x[0] == "1-5-2")
    assert ligne[tete.index("Cumul 2022-2023")] == "non cumulé (stock)"
    assert ligne[tete.index("Temporalité")] == "stock"
    # A flux of the same two years (1-5-1, meetings held) does add up.
    assert c.enregistrement("1-5-1", 2023).cumuls == (7,)
    assert "Cumul 2022-2023 : 7" in _cellule_obs(contenu, "1-5-1")


def test_annulee_ni_taux_ni_cumul_et_effectuee_a_zero(protocole, tmp_path):
    c, r = _avec_2022(
        protocole,
        tmp_path,
        [rep("DDFE", "1-6-1", "EFFECTUÉE", [418])],
        [
            rep("DDFE", "1-6-1", "ANNULÉE"),
            rep("EDUCATION_NATIONALE", "1-6-1", "EFFECTUÉE", [292]),
            rep("DDFE", "1-1-3", "EFFECTUÉE", [0]),
        ],
    )
    e = c.enregistrement("1-6-1", 2023)
    assert e.statut == "ANNULÉE" and e.valeurs == (292,)
    assert e.taux == (None,) and e.cumuls == (None,) and e.taux_cumules == (None,)
    contenu = _bilan(protocole, 2023, c, r)
    obs = _cellule_obs(contenu, "1-6-1")
    assert "Nombre de personnes formées déclaré : 292 (action annulée : ni taux ni cumul)" in obs
    assert "%" not in obs and "Cumul" not in obs
    notes = _notes(protocole, 2023, c, r)
    bloc = notes[notes.index("Statuts et chiffres à rapprocher") :]
    assert "1-6-1\nANNULÉE\nchiffres déclarés : ni taux ni cumul dans le bilan\n292" in bloc
    assert "1-1-3\nEFFECTUÉE\ntous les chiffres sont à 0" in bloc


# ---------------------------------------------------------------- completeness


def test_chiffre_partiel_quand_un_pilote_attendu_manque(protocole, tmp_path):
    presents = ["GENDARMERIE", "DDFE"]
    src = Source("2023_GENDARMERIE_bilan.xlsx", "Chiffres clés", "E5", "0" * 64)
    r = resultat(
        2023,
        [rep("GENDARMERIE", "1-3-1", "EN COURS", [1]), rep("DDFE", "1-1-1", "EFFECTUÉE", [90])],
        manquants=_manquants(protocole, presents),
    )
    r.chiffres = [ReponseChiffre("GENDARMERIE", "", "morts_violentes_couple", 1, src)]
    # 2022 known and complete (Police 1, Gendarmerie 1), read back as history.
    r22 = resultat(2022, [])
    r22.chiffres = [ReponseChiffre(p, "", "morts_violentes_couple", 1, src) for p in ("POLICE", "GENDARMERIE")]
    ecrire_consolidation(consolider(protocole, 2022, r22), tmp_path / "sorties" / "2022" / "consolidation-2022.xlsx")
    c = consolider(protocole, 2023, r, lire_historique(protocole, tmp_path / "sorties", 2023))
    e = c.enregistrement("1-3-1", 2023)
    assert e.valeurs == (1,) and e.partiels == (("Police non transmis",),)
    contenu = _bilan(protocole, 2023, c, r)
    texte = _textes(contenu)
    d = docx.Document(io.BytesIO(contenu))
    deces = next(t for t in d.tables if t.rows[1].cells[0].text == "Décès")  # the key figure's table
    entetes = [x.text for x in deces.rows[0].cells]
    ligne = [x.text.replace(FINE, " ") for x in deces.rows[1].cells]
    assert ligne[entetes.index("2023")] == "1 (partiel : Police non transmis)"  # never a bare total
    assert ligne[entetes.index("2022")] == "2"
    assert ligne[-1] == "non calculée (partiel)"  # nor a change computed on it (not « −50 % »)
    assert "(partiel : Police non transmis)" in _cellule_obs(contenu, "1-3-1")
    # 1-1-1: the Département co-pilots, it is missing: partial, and no rate is computed on it.
    obs = _cellule_obs(contenu, "1-1-1")
    assert "90 personnes formées (partiel : Département non transmis)" in obs and "%" not in obs
    assert f"{len(protocole.pilotes_actifs()) - 2} pilotes n’ont pas transmis de bilan" in texte
    wb = openpyxl.load_workbook(ecrire_consolidation(c, tmp_path / "c.xlsx"))
    ws = wb[FEUILLE_CHIFFRES]
    tete = [x.value for x in ws[1]]
    ligne = next(x for x in ws.iter_rows(min_row=2, values_only=True) if x[0] == "morts_violentes_couple")
    assert ligne[tete.index("Valeur 2023")] == 1 and "partiel : Police non transmis" in ligne[tete.index("Détail 2023")]
    assert ligne[tete.index("Évolution 2022-2023")] is None and ligne[tete.index("Temporalité")] == "flux"
    ws = wb[FEUILLE_INDICATEURS]
    tete = [x.value for x in ws[1]]
    ligne = next(x for x in ws.iter_rows(min_row=2, values_only=True) if x[0] == "1-3-1")
    assert ligne[tete.index("Complétude 2023")] == "partiel : Police non transmis"
    notes = _notes(protocole, 2023, c, r)
    assert "Chiffres partiels" in notes and "Morts violentes au sein du couple en Isère" in notes


def test_une_erreur_sur_la_cellule_rend_le_chiffre_partiel(protocole):
    anomalie = Anomalie(
        "2023_POLICE_bilan.xlsx", "Saisie", "J12", "1-3-1", ERREUR, "« trois »", "nombre_invalide", "POLICE"
    )
    r = resultat(
        2023,
        [rep("GENDARMERIE", "1-3-1", "EN COURS", [1]), rep("POLICE", "1-3-1", "EN COURS", [None])],
        anomalies=[anomalie],
    )
    c = consolider(protocole, 2023, r)
    assert c.enregistrement("1-3-1", 2023).partiels == (("Police en erreur",),)
    # Everyone answered: complete.
    r = resultat(2023, [rep("GENDARMERIE", "1-3-1", "EN COURS", [1]), rep("POLICE", "1-3-1", "EN COURS", [2])])
    assert consolider(protocole, 2023, r).enregistrement("1-3-1", 2023).partiels == ((),)


# ---------------------------------------------------------------- arbitration


def test_arbitrage_applique_trace_et_neutre(protocole, tmp_path):
    motif = "Formations co-financées : les mêmes 156 personnes déclarées par les deux pilotes."
    r = resultat(2023, [rep("DDFE", "1-1-2", "EFFECTUÉE", [156]), rep("ARS", "1-1-2", "EN COURS", [156])])
    arbitrages = [
        Arbitrage(2023, "1-1-2", 1, valeur=156, motif=motif),
        Arbitrage(2023, "1-1-2", pilote="ARS", motif="Le bon statut."),
    ]
    c = consolider(protocole, 2023, r, arbitrages=arbitrages)
    e = c.enregistrement("1-1-2", 2023)
    assert e.valeurs == (156,) and e.doubles == (False,) and e.statut == "EN COURS"
    contenu = _bilan(protocole, 2023, c, r)
    obs = _cellule_obs(contenu, "1-1-2")
    assert "156 personnes formées (déclarations : DDFE 156, ARS 156 ; chiffre retenu après arbitrage)" in obs
    assert motif not in _textes(contenu)  # the signed text says only how, never why
    assert "1 chiffre ou statut retenu après arbitrage" not in _textes(contenu)
    assert "2 chiffres ou statuts retenus après arbitrage" in _textes(contenu)  # the method counts them
    notes = _notes(protocole, 2023, c, r)
    bloc = notes[notes.index("Arbitrages de la DDFE") :]
    assert motif in bloc and "valeur 156" in bloc and "statut : EN COURS" in bloc
    ws = openpyxl.load_workbook(ecrire_consolidation(c, tmp_path / "c.xlsx"))[FEUILLE_SOURCES]
    lignes = [x for x in ws.iter_rows(min_row=2, values_only=True) if x[4] == "arbitrage"]
    assert [(x[2], x[5]) for x in lignes] == [
        ("Statut — arbitrage : Le bon statut.", "EN COURS"),
        (f"Indicateur 1 : Nombre de personnes formées — arbitrage : {motif}", 156),
    ]


def test_commande_arbitrer(espace, protocole):
    runner = CliRunner()
    base = ["arbitrer", "--annee", "2023"]
    res = runner.invoke(cli, [*base, "--action", "1-1-1", "--valeur", "156", "--motif", "Co-financées."])
    assert res.exit_code == 0, res.output
    assert "Arbitrage enregistré pour 2023, action 1-1-1 : valeur 156." in res.output
    texte = (espace / "arbitrages.toml").read_text("utf-8")
    assert 'action = "1-1-1"' in texte and "valeur = 156" in texte and 'motif = "Co-financées."' in texte
    # Refusals, in French, naming what is allowed.
    for options, message in (
        (["--action", "9-9-9", "--valeur", "1", "--motif", "x"], "Action « 9-9-9 » inconnue"),
        (
            ["--action", "1-1-1", "--indicateur", "3", "--valeur", "1", "--motif", "x"],
            "indicateurs chiffrés possibles : 1.",
        ),
        (["--action", "1-1-1", "--pilote", "POLICE", "--motif", "x"], "pilotes possibles : DDFE, DEPARTEMENT."),
        (["--action", "1-1-1", "--valeur", "1"], "--motif"),
        (["--action", "1-1-1", "--valeur", "1", "--regle", "somme", "--motif", "x"], "une seule décision"),
    ):
        res = runner.invoke(cli, [*base, *options])
        assert res.exit_code == 1, (options, res.output)
        assert message in res.output and "Traceback" not in res.output
    res = runner.invoke(cli, base)
    assert res.exit_code == 0 and "1-1-1 : valeur 156 — motif : Co-financées." in res.output
    res = runner.invoke(cli, [*base, "--action", "1-2-1", "--retirer"])
    assert (
        res.exit_code == 1
        and "Aucun arbitrage 2023 pour l'action 1-2-1. Arbitrages 2023 enregistrés : 1-1-1." in res.output
    )
    assert runner.invoke(cli, [*base, "--action", "1-1-1", "--retirer"]).exit_code == 0
    assert "Aucun arbitrage pour 2023" in runner.invoke(cli, base).output


def test_arbitrer_refuse_une_annee_figee(espace, protocole):
    from vif38_bilan.espace.cloture import enregistrer_validation

    sorties = espace / "sorties" / "2023"
    sorties.mkdir(parents=True, exist_ok=True)
    for nom in ("consolidation-2023.xlsx", "bilan-2023.docx"):
        (sorties / nom).write_bytes(b"signe")
    enregistrer_validation(espace, 2023, sorties, [])
    res = CliRunner().invoke(cli, ["arbitrer", "--annee", "2023", "--action", "1-1-1", "--valeur", "1", "--motif", "x"])
    assert res.exit_code == 1 and "L'année 2023 est validée" in res.output
    assert not (espace / "arbitrages.toml").exists()


# ---------------------------------------------------------------- the signed text


def test_premiere_annee_sans_colonne_cumul_et_typographie(protocole):
    r = resultat(2022, [rep("DDFE", "1-1-1", "EFFECTUÉE", [90])], manquants=_manquants(protocole, ["DDFE"]))
    c = consolider(protocole, 2022, r)
    d = docx.Document(io.BytesIO(_bilan(protocole, 2022, c, r)))
    cibles = next(t for t in d.tables if t.rows[0].cells[1].text == "Indicateur")
    assert [x.text for x in cibles.rows[0].cells] == ["Action", "Indicateur", "Cible", "Valeur 2022", "Taux"]
    textes = [p.text for p in d.paragraphs]
    tout = "\n".join(textes + [x.text for t in d.tables for row in t.rows for x in row.cells])
    assert "(s)" not in tout and "an(s)" not in tout
    assert f"AXE 1{FINE}: VIOLENCES INTRAFAMILIALES" in textes
    assert f"«{FINE}partiel{FINE}»" in tout
    assert " :" not in tout.replace("\u00a0:", "") and "« " not in tout  # never a plain space before « : » nor after «


def test_readme_liste_les_stocks_de_l_isere(protocole):
    import re
    from pathlib import Path

    texte = " ".join((Path(__file__).parent.parent / "README.md").read_text("utf-8").split())
    m = re.search(r"`stock` pour (.+?) ; `ponctuel` pour les Oui/Non", texte)
    assert m
    ecrits = re.findall(r"\d-\d+-\d", re.sub(r"\([^)]*\)", "", m.group(1)))
    stocks = [a.code for a in protocole.actions if any(i.temporalite == "stock" for i in a.indicateurs)]
    assert ecrits == stocks


def test_temporalite_dans_le_classeur_du_referentiel(protocole, tmp_path):
    from vif38_bilan.referentiel.chargement import charger_protocole
    from vif38_bilan.referentiel.classeur import ecrire_xlsx

    f = tmp_path / "referentiel.xlsx"
    ecrire_xlsx(protocole, f)
    wb = openpyxl.load_workbook(f)
    ws = wb["Indicateurs"]
    col = [x.value for x in ws[1]].index("Temporalité (flux, stock, ponctuel)") + 1
    ligne = next(n for n in range(2, ws.max_row + 1) if ws.cell(n, 1).value == "1-5-2")
    assert ws.cell(ligne, col).value == "stock"
    assert charger_protocole(f).action("1-5-2").indicateurs[0].temporalite == "stock"
    ws.cell(ligne, col).value = "annuel"
    wb.save(f)
    with pytest.raises(ReferentielInvalide) as e:
        charger_protocole(f)
    assert f"Temporalité « annuel » inconnue (feuille Indicateurs, ligne {ligne}, colonne « Temporalité" in str(e.value)
    # A workbook exported before the column existed still loads: flux for a count, ponctuel for a yes/no.
    ws.delete_cols(col)
    wb.save(f)
    p = charger_protocole(f)
    assert p.action("1-5-2").indicateurs[0].temporalite == "flux"
    assert p.action("1-7-2").indicateurs[0].temporalite == "ponctuel"
