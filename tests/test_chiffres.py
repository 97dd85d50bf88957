"""Key figures (chiffres clés): referential data, the pilot's sheet, checks, consolidation, bilan."""

from __future__ import annotations

import dataclasses
from datetime import date

import docx
import pytest
from tests.fabriques import ANNEE, MAINTENANT, remplir
from openpyxl import load_workbook

import vif38_bilan as v
from vif38_bilan.gabarits import disposition as d
from vif38_bilan.bilan.chiffres_cles import texte_evolution
from vif38_bilan.referentiel.chiffres_cles import codes_du_pilote
from vif38_bilan.consolidation.chiffres_cles import LigneConsolidee, ValeurAnnee
from vif38_bilan.controle.retours import controler
from vif38_bilan.exceptions import ReferentielInvalide
from vif38_bilan.controle.rapport import ecrire_retours_annotes
from vif38_bilan.referentiel.protocole import vers_dict
from vif38_bilan.referentiel.chargement import charger_protocole, depuis_dict
from vif38_bilan.referentiel.classeur import ecrire_xlsx
from vif38_bilan.gabarits.remplissage import chiffres_inventes, identite_inventee, remplir_gabarit, reponses_inventees


def _serie(protocole, ident):
    return next(s for s in protocole.chiffres if s.id == ident)


# ---------------------------------------------------------------- the referential


def test_series_de_l_isere_avec_leur_histoire_et_leur_source(protocole):
    hu = _serie(protocole, "hu_fvv")
    assert (hu.axe, hu.pilotes, hu.unite) == (1, ("DDETS",), "places")
    assert [(v.annee, v.valeur) for v in hu.historique] == [(2018, 143), (2019, 187), (2020, 199), (2021, 213)]
    assert all("bilan 2019-2021" in v.source for v in hu.historique)
    morts = _serie(protocole, "morts_violentes_couple")
    assert [(v.annee, v.valeur) for v in morts.historique] == [(2018, 1), (2019, 4), (2020, 2)]
    assert "chiffres clés 2020" in morts.historique[0].source
    assert (morts.pilotes, morts.agregation) == (("POLICE", "GENDARMERIE"), "somme")
    commission = _serie(protocole, "commission_prostitution")
    assert commission.axe == 3 and len(commission.lignes) == 6
    assert {v.ligne: v.valeur for v in commission.historique} == {
        "commissions": 9,
        "autorisations": 59,
        "refus": 29,
        "renouvellements": 77,
        "sorties_droit_commun": 31,
        "refus_renouvellements": 0,
    }
    assert {v.periode for v in commission.historique} == {"juin 2017-2021"}
    assert codes_du_pilote(protocole.chiffres, "DDETS") == ["hu_fvv"]
    assert codes_du_pilote(protocole.chiffres, "CAF") == []


def test_fautes_du_referentiel_toutes_en_francais(protocole):
    donnees = vers_dict(protocole)
    donnees["chiffres"] = [
        {"id": "hu_fvv", "libelle": "Doublon", "axe": 1, "pilotes": ["DDETS"]},
        {"id": "hu_fvv", "libelle": "", "axe": 9, "pilotes": ["INCONNU"], "agregation": "moyenne"},
        {
            "id": "x",
            "libelle": "X",
            "axe": "général",
            "pilotes": "DDFE",
            "historique": [{"annee": 2020, "valeur": "beaucoup"}, {"annee": 2019, "valeur": 3}],
        },
    ]
    with pytest.raises(ReferentielInvalide) as e:
        depuis_dict(donnees)
    texte = str(e.value)
    assert "chiffre clé « hu_fvv » : identifiant en double" in texte
    assert "champ « libelle » manquant" in texte
    assert "axe « 9 » inconnu" in texte
    assert "code pilote « INCONNU » inconnu" in texte
    assert "agrégation « moyenne » inconnue" in texte
    assert "doit être un nombre entier positif ou nul (lu : 'beaucoup')" in texte
    assert "la source est obligatoire" in texte


def test_classeur_du_referentiel_aller_retour(protocole, tmp_path):
    chemin = ecrire_xlsx(protocole, tmp_path / "referentiel.xlsx")
    wb = load_workbook(chemin)
    assert {"Chiffres clés", "Chiffres clés lignes", "Chiffres clés historique"} <= set(wb.sheetnames)
    lignes = list(wb["Chiffres clés historique"].iter_rows(values_only=True))
    assert ("hu_fvv", None, 2018, 143, None, "bilan 2019-2021, action 1-4-1 (HU FVV pérennes)") in lignes
    assert charger_protocole(chemin) == protocole
    # A workbook exported before key figures existed still loads (no series).
    for nom in ("Chiffres clés", "Chiffres clés lignes", "Chiffres clés historique"):
        del wb[nom]
    wb.save(tmp_path / "ancien.xlsx")
    assert charger_protocole(tmp_path / "ancien.xlsx").chiffres == ()


# ---------------------------------------------------------------- the pilot's sheet


def test_feuille_chiffres_cles_du_pilote(protocole, gabarits):
    wb = load_workbook(gabarits / d.nom_fichier(ANNEE, "DDETS"))
    assert wb.sheetnames == ["Mode d'emploi", "Saisie", d.FEUILLE_CHIFFRES, "_vif38"]
    ws = wb[d.FEUILLE_CHIFFRES]
    lignes = list(ws.iter_rows(values_only=True))
    entete = next(i for i, li in enumerate(lignes) if li[0] == d.CODE_CHIFFRE)
    assert lignes[entete] == (
        "Code chiffre",
        "Chiffre clé",
        "Détail",
        "Unité",
        "Rappel 2018",
        "Rappel 2019",
        "Rappel 2020",
        "Rappel 2021",
        "Rappel 2022",
        "Valeur 2023",
    )
    assert lignes[entete + 1][:1] == ("hu_fvv",)
    assert lignes[entete + 1][4:] == (143, 187, 199, 213, None, None)
    cellule = ws.cell(row=entete + 2, column=10)
    assert cellule.protection.locked is False and ws.protection.sheet
    assert ws.cell(row=entete + 2, column=5).protection.locked is not False
    regles = [dv for dv in ws.data_validations.dataValidation if cellule.coordinate in dv.sqref]
    assert [(dv.type, dv.operator, dv.formula1) for dv in regles] == [("whole", "greaterThanOrEqual", "0")]
    assert "chiffres clés" in " ".join(str(c.value) for c in wb["Mode d'emploi"]["B"] if c.value).lower()
    assert d.FEUILLE_CHIFFRES not in load_workbook(gabarits / d.nom_fichier(ANNEE, "CAF")).sheetnames


def test_valeurs_controlees_comme_les_indicateurs(protocole, gabarits, tmp_path):
    saisies = tmp_path / "saisies"
    remplir(protocole, gabarits, saisies, "DDETS", chiffres={"hu_fvv": "240 places"})
    remplir(protocole, gabarits, saisies, "JUSTICE", chiffres={"telephones_grave_danger": "beaucoup"})
    remplir(protocole, gabarits, saisies, "SIAO", chiffres={"siao_115.orientations": None})

    def sans_ligne(wb):
        ws = wb[d.FEUILLE_CHIFFRES]
        ligne = next(c.row for c in ws["A"] if c.value == "intervenants_sociaux")
        ws.delete_rows(ligne)

    remplir(protocole, gabarits, saisies, "POLICE", modifier=sans_ligne)
    remplir(protocole, gabarits, saisies, "GENDARMERIE", modifier=lambda wb: wb.remove(wb[d.FEUILLE_CHIFFRES]))

    resultat = controler(protocole, ANNEE, saisies)
    par_regle = {(a.pilote, a.regle): a for a in resultat.anomalies}
    unite = par_regle[("DDETS", "nombre_avec_unite")]
    assert (unite.feuille, unite.code_action, unite.gravite) == (d.FEUILLE_CHIFFRES, "hu_fvv", "avertissement")
    assert par_regle[("JUSTICE", "nombre_invalide")].gravite == "erreur"
    assert par_regle[("SIAO", "chiffre_non_renseigne")].code_action == "siao_115.orientations"
    assert par_regle[("POLICE", "chiffre_manquant")].code_action == "intervenants_sociaux"
    assert par_regle[("GENDARMERIE", "chiffres_introuvables")].gravite == "erreur"
    lus = {(c.pilote, c.code): c.valeur for c in resultat.chiffres}
    assert lus[("DDETS", "hu_fvv")] == 240
    assert ("JUSTICE", "telephones_grave_danger") not in lus
    assert ("SIAO", "siao_115.orientations") not in lus
    assert (
        lus[("POLICE", "morts_violentes_couple")]
        == chiffres_inventes(protocole, "POLICE", ANNEE)["morts_violentes_couple"]
    )
    ddets = next(c for c in resultat.chiffres if c.code == "hu_fvv")
    ws = load_workbook(saisies / d.nom_fichier(ANNEE, "DDETS"))[d.FEUILLE_CHIFFRES]
    assert ws[ddets.source.cellule].value == "240 places"

    # The annotated copy carries the finding on the key-figure cell itself.
    ecrire_retours_annotes(resultat, saisies, tmp_path / "sorties")
    copie = load_workbook(tmp_path / "sorties" / "retours-annotes" / d.nom_fichier(ANNEE, "JUSTICE"))
    commentaire = copie[d.FEUILLE_CHIFFRES][par_regle[("JUSTICE", "nombre_invalide")].cellule].comment
    assert commentaire is not None and "beaucoup" in commentaire.text


# ---------------------------------------------------------------- consolidation and bilan


def test_texte_evolution_jamais_zero_pour_une_valeur_inconnue():
    def ligne(**valeurs):
        return LigneConsolidee("x", "", {int(k[1:]): ValeurAnnee(v) for k, v in valeurs.items()})

    assert texte_evolution(ligne(a2022=200, a2023=224), 2023) == "+12\u00a0%"
    assert texte_evolution(ligne(a2022=200, a2023=190), 2023) == "−5\u00a0%"
    assert texte_evolution(ligne(a2022=None, a2023=190), 2023) == "non renseigné"
    assert texte_evolution(ligne(a2023=190), 2023) == "non renseigné"
    assert texte_evolution(ligne(a2022=190, a2023=None), 2023) == "non renseigné"
    assert texte_evolution(ligne(a2022=4, a2023=4), 2023) == "stable"
    assert texte_evolution(ligne(a2022=0, a2023=3), 2023) == "+3"
    cumul = LigneConsolidee("x", "", {2021: ValeurAnnee(59, "juin 2017-2021"), 2022: ValeurAnnee(14)})
    assert texte_evolution(cumul, 2022) == "non comparable"


def _texte(document) -> str:
    morceaux = [p.text for p in document.paragraphs]
    for t in document.tables:
        for r in t.rows:
            morceaux.append(" | ".join(c.text for c in r.cells))
    return "\n".join(morceaux)


def test_serie_ajoutee_par_l_agent_dans_le_classeur_du_referentiel(tmp_path):
    """The agent adds a series in the referential workbook: the CAF's next template asks for it,
    the check reads it, the consolidation traces it and the bilan shows it in the general section."""
    espace = v.creer_espace(tmp_path / "espace", courriel="ddfe@exemple.invalid", date_limite="15/02/2024")
    referentiel = ecrire_xlsx(espace.protocole, tmp_path / "mon-referentiel.xlsx")
    wb = load_workbook(referentiel)
    wb["Chiffres clés"].append(
        [
            "allocataires_aide_urgence",
            "Allocataires de l'aide universelle d'urgence",
            "personnes",
            "général",
            "CAF",
            "somme",
        ]
    )
    for annee, valeur in ((2020, 40), (2021, 52)):
        wb["Chiffres clés historique"].append(["allocataires_aide_urgence", None, annee, valeur, None, "rapport CAF"])
    wb.save(referentiel)
    espace = v.ouvrir_espace(espace.racine, referentiel=referentiel)
    assert codes_du_pilote(espace.protocole.chiffres, "CAF") == ["allocataires_aide_urgence"]

    (gabarit,) = v.produire_gabarits(espace, ANNEE, pilotes=["CAF"], maintenant=MAINTENANT).chemins
    ws = load_workbook(gabarit)[d.FEUILLE_CHIFFRES]
    lignes = [li for li in ws.iter_rows(values_only=True) if li[0] == "allocataires_aide_urgence"]
    assert lignes == [
        (
            "allocataires_aide_urgence",
            "Allocataires de l'aide universelle d'urgence",
            None,
            "personnes",
            40,
            52,
            None,
            None,
        )
    ]

    remplir_gabarit(
        gabarit,
        espace.dossier("saisies", ANNEE) / "retour CAF.xlsx",
        reponses_inventees(espace.protocole, "CAF", ANNEE),
        identite=identite_inventee(espace.protocole, "CAF", ANNEE),
        chiffres={"allocataires_aide_urgence": 61},
    )
    sorties = v.produire_bilan(espace, ANNEE, date_edition=date(2024, 4, 10))
    assert not [a for a in sorties.resultat.anomalies if a.pilote == "CAF"]

    sources = list(load_workbook(sorties.consolidation)["sources"].iter_rows(values_only=True))
    du_chiffre = [s for s in sources if s[1] == "allocataires_aide_urgence"]
    assert [(s[0], s[5], s[6], s[7]) for s in du_chiffre] == [
        (2020, 40, "rapport CAF", "référentiel"),
        (2021, 52, "rapport CAF", "référentiel"),
        (2023, 61, "retour CAF.xlsx", d.FEUILLE_CHIFFRES),
    ]
    assert du_chiffre[-1][9] == sorties.resultat.fichiers[0].sha256

    document = docx.Document(str(sorties.bilan))
    texte = _texte(document)
    assert "Chiffres généraux" in texte and "Allocataires de l'aide universelle d'urgence" in texte
    tableau = next(t for t in document.tables if [c.text for c in t.rows[0].cells][1:2] == ["2020"])
    assert [c.text for c in tableau.rows[0].cells] == ["", "2020", "2021", "2022", "2023", "Évolution 2022-2023"]
    assert [c.text for c in tableau.rows[1].cells] == ["Personnes", "40", "52", "non renseigné", "61", "non renseigné"]


def test_chiffres_cles_a_la_place_d_un_repere(protocole):
    """The one rendering function, used at a `[[CHIFFRES_CLES]]` marker of the agent's base."""
    from tests.fabriques import resultat

    from vif38_bilan.bilan import word
    from vif38_bilan.bilan.chiffres_cles import chiffres_cles
    from vif38_bilan.consolidation.actions import consolider

    c = consolider(protocole, 2022, resultat(2022, []))
    doc = word.document(None)
    word.styles(doc, False)
    r = word.Redacteur(doc)
    r.para("Introduction de l'agent")
    repere = r.para("[[CHIFFRES_CLES]]")
    r.para("Perspectives de l'agent")
    assert chiffres_cles(r, protocole, 2022, c, a_la_place_de=repere)
    textes = [p.text for p in doc.paragraphs]
    assert "[[CHIFFRES_CLES]]" not in textes
    debut, fin = textes.index("Introduction de l'agent"), textes.index("Perspectives de l'agent")
    assert textes.index("Chiffres clés") == debut + 1 and fin == len(textes) - 1
    assert "Axe 3\u202f: Prostitution" in textes[debut:fin]
    # 2022 with no return yet: the table goes from 2018 and says "non renseigné", never 0.
    hu = next(t for t in doc.tables if t.rows[1].cells[0].text == "Places")
    assert [c.text for c in hu.rows[1].cells] == [
        "Places",
        "143",
        "187",
        "199",
        "213",
        "non renseigné",
        "non renseigné",
    ]
    assert len(doc.inline_shapes) >= 2  # HU FVV and the violent deaths have three known years or more
    vide = consolider(dataclasses.replace(protocole, chiffres=()), 2022, resultat(2022, []))
    assert chiffres_cles(r, protocole, 2022, vide) is False


def test_chiffres_cles_au_repere_de_la_base_de_l_agent(tmp_path):
    """The starter base's [[CHIFFRES_CLES]] marker receives the key figures, between the synthesis
    and the objectives' tables, with the DDETS's value of the year."""
    from vif38_bilan.bilan.modele import ecrire_modele_depart

    espace = v.creer_espace(tmp_path / "espace", courriel="ddfe@exemple.invalid", date_limite="15/02/2024")
    base = ecrire_modele_depart(espace.protocole, tmp_path / "base.docx")
    (gabarit,) = v.produire_gabarits(espace, ANNEE, pilotes=["DDETS"], maintenant=MAINTENANT).chemins
    remplir_gabarit(
        gabarit,
        espace.dossier("saisies", ANNEE) / "ddets.xlsx",
        reponses_inventees(espace.protocole, "DDETS", ANNEE),
        identite=identite_inventee(espace.protocole, "DDETS", ANNEE),
        chiffres={"hu_fvv": 230},
    )
    sorties = v.produire_bilan(espace, ANNEE, modele=base, date_edition=date(2024, 4, 10))
    document = docx.Document(str(sorties.bilan))
    textes = [p.text for p in document.paragraphs]
    assert not any("[[" in t for t in textes)
    titres = [p.text for p in document.paragraphs if p.style.name.startswith("Heading")]
    assert titres.index("Introduction") < titres.index("Synthèse") < titres.index("Chiffres clés")
    assert titres.index("Chiffres clés") < titres.index("AXE 1\u202f: VIOLENCES INTRAFAMILIALES")
    hu = next(t for t in document.tables if t.rows[1].cells[0].text == "Places")
    assert [c.text for c in hu.rows[1].cells][-3:] == ["non renseigné", "230", "non renseigné"]
