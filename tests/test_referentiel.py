"""The embedded Isère 2022-2024 protocol, other protocol files, and their faults."""

import hashlib
import json
import re
from pathlib import Path

import pytest

from vif38_bilan.referentiel import embarque as protocole_embarque
from vif38_bilan.exceptions import ReferentielInvalide
from vif38_bilan.referentiel.protocole import vers_dict
from vif38_bilan.referentiel.chargement import charger_protocole, depuis_dict
from vif38_bilan.referentiel.classeur import ecrire_xlsx

PAR_OBJECTIF = [3, 3, 3, 3, 3, 3, 2, 3, 3, 2, 1, 1, 2, 3, 3, 3, 2, 2, 2, 1, 1, 1, 1, 1, 1]


def test_structure(protocole):
    assert protocole.annees == (2022, 2023, 2024)
    assert [a.numero for a in protocole.axes] == [1, 2, 3, 4]
    assert len(protocole.sections) == 5
    assert [o.numero for o in protocole.objectifs] == list(range(1, 26))
    assert [len(protocole.actions_de_objectif(n)) for n in range(1, 26)] == PAR_OBJECTIF
    assert len(protocole.actions) == 53
    axes = {o.numero: o.axe for o in protocole.objectifs}
    assert [n for n, a in axes.items() if a == 1] == list(range(1, 14))
    assert [n for n, a in axes.items() if a == 4] == [22, 23, 24, 25]


def test_codes_axe_objectif_rang(protocole):
    codes = [a.code for a in protocole.actions]
    assert codes[0] == "1-1-1" and "2-14-3" in codes and codes[-1] == "4-25-1"
    assert len(set(codes)) == 53
    for a in protocole.actions:
        assert a.code == f"{a.axe}-{a.objectif}-{a.rang}"


def test_textes_exacts(protocole):
    assert protocole.objectif(1).titre == "Former les professionnels au repérage et à l'orientation des victimes"
    assert protocole.objectif(18).titre == "Agir sur la prostitution des mineurs et des jeunes"
    assert protocole.objectif(24).titre == (
        "Évaluation des violences au sein du couple et des violences sexuelles lors des passages aux urgences"
    )
    assert protocole.axe(2).titre == "VIOLS, AGRESSIONS SEXUELLES ET HARCÈLEMENT SEXUEL"
    a = protocole.action("1-1-1")
    assert a.description == (
        "Poursuivre les formations proposées dans le cadre des réseaux interprofessionnels (CISPD-CLSPD) : "
        "former 100 professionnels par an"
    )
    assert a.pilotage == "DDFE, Département"
    assert a.autres_acteurs == "Police, Gendarmerie, collectivités locales, associations"
    assert a.echeance == "2022-2024"
    assert protocole.action("3-20-1").description == (
        "Parvenir à toucher un plus large public : prostitution 2.0 (12 maraudes par an)"
    )
    assert protocole.action("1-7-2").echeance == "2022"
    # 2-15-3 ends with ":" in the source, with no target: the colon is dropped.
    assert protocole.action("2-15-3").description.endswith("sur les violences sexuelles")


def test_objectif_14_indicateur_fusionne(protocole):
    for code in ("2-14-1", "2-14-2", "2-14-3"):
        assert protocole.action(code).indicateurs[0].libelle == "Nombre de personnes sensibilisées"
    assert protocole.action("2-14-1").pilotes == ("DDFE", "COMMUNES")
    assert protocole.action("2-14-2").pilotes == ("EDUCATION_NATIONALE", "ASSOCIATIONS", "COMMUNES")
    assert protocole.action("2-14-3").pilotes == ("DDFE", "ASSOCIATIONS_SPECIALISEES")


CIBLES = {
    "1-1-1": [100],
    "1-1-2": [100],
    "1-1-3": [60],
    "1-2-1": [None, 1],
    "1-2-2": [10, None],
    "1-2-3": [None, 12],
    "1-4-1": [20],
    "1-4-2": [20],
    "1-4-3": [30],
    "1-5-3": [4, 10],
    "1-6-1": [100],
    "1-6-2": [30],
    "1-6-3": [50],
    "1-10-1": [None, 20],
    "1-12-1": [2],
    "2-14-1": [None, 3],
    "2-14-2": [None, 3],
    "2-14-3": [50],
    "2-16-1": [None, 20],
    "2-16-2": [None, 50],
    "2-16-3": [None, 3],
    "3-17-1": [None, 3],
    "3-17-2": [50],
    "3-18-2": [50],
    "3-19-1": [30],
    "3-19-2": [2],
    "3-20-1": [12],
    "3-21-1": [2],
}


def test_cibles_de_chaque_action_qui_en_enonce(protocole):
    for a in protocole.actions:
        cibles = [i.cible_annuelle for i in a.indicateurs]
        if a.code in CIBLES:
            assert cibles == CIBLES[a.code], a.code
        else:
            assert all(c is None for c in cibles), a.code


def test_types_indicateurs(protocole):
    t = {a.code: [i.type for i in a.indicateurs] for a in protocole.actions}
    assert t["1-3-2"] == ["oui_non"]  # Réalisation du projet
    assert t["1-7-2"] == ["oui_non"]  # Création de la procédure
    assert t["2-15-2"] == ["oui_non"]  # Signature de la convention
    assert t["3-18-1"] == ["oui_non"]  # Création du groupe de travail
    assert t["4-25-1"] == ["texte"]
    assert t["1-1-1"] == ["entier"]
    assert [i.libelle for i in protocole.action("1-2-2").indicateurs] == [
        "Nombre de points d'écoute",
        "Nombre de personnes accueillies",
    ]
    assert len(protocole.action("1-5-3").indicateurs) == 2


def test_calendrier_et_signataires(protocole):
    assert protocole.plan(8).statuts == ("LANCEMENT", "POURSUIVRE", "POURSUIVRE")
    assert protocole.plan(22).statuts == ("EN COURS", "POURSUIVRE", "POURSUIVRE")  # axe 4 headed 2019-2021 by mistake
    assert len(protocole.calendrier) == 25
    assert protocole.autorites[0].fonction == "Préfet de l'Isère"
    assert len(protocole.autorites) == 10
    groupes = {g.groupe: g.membres for g in protocole.signataires}
    assert "Préfecture" in groupes["Services de l'État"]


def test_copie_json_du_protocole_embarque_a_jour():
    """The fast JSON copy says exactly what the .toml says (else: ecrire_copie_embarquee())."""
    import tomllib

    from vif38_bilan.referentiel.embarque import donnees_embarquees

    texte, donnees = donnees_embarquees()
    assert donnees == tomllib.loads(texte), (
        "Copie JSON périmée : lancez python -c 'from vif38_bilan.referentiel.embarque import ecrire_copie_embarquee; "
        "ecrire_copie_embarquee()'"
    )
    copie = json.loads(
        (Path(protocole_embarque.__file__).parent / "data" / protocole_embarque.FICHIER_DEFAUT_JSON).read_text("utf-8")
    )
    assert copie["protocole"] is not None and copie["toml_sha256"] == hashlib.sha256(texte.encode()).hexdigest()


def test_json_aller_retour(protocole, tmp_path):
    f = tmp_path / "p.json"
    f.write_text(json.dumps(vers_dict(protocole), ensure_ascii=False), "utf-8")
    assert charger_protocole(f) == protocole


def test_xlsx_aller_retour_sans_perte(protocole, tmp_path):
    f = tmp_path / "protocole.xlsx"
    ecrire_xlsx(protocole, f)
    relu = charger_protocole(f)
    assert vers_dict(relu) == vers_dict(protocole)
    assert relu == protocole


def test_xlsx_modifie_par_un_humain(protocole, tmp_path):
    import openpyxl

    f = tmp_path / "protocole.xlsx"
    ecrire_xlsx(protocole, f)
    wb = openpyxl.load_workbook(f)
    ws = wb["Actions"]
    ws.cell(2, 3).value = "Nouvelle description"
    wb.save(f)
    assert charger_protocole(f).action("1-1-1").description == "Nouvelle description"


def _fautes(d, tmp_path):
    f = tmp_path / "mauvais.json"
    f.write_text(json.dumps(d, ensure_ascii=False), "utf-8")
    with pytest.raises(ReferentielInvalide) as e:
        charger_protocole(f)
    assert "mauvais.json" in str(e.value)
    return e.value.fautes


def test_fautes_toutes_listees(protocole, tmp_path):
    d = vers_dict(protocole)
    d["actions"][0]["pilotes"] = ["LICORNE"]  # unknown pilot code
    d["actions"][2]["code"] = d["actions"][1]["code"]  # duplicate code
    del d["actions"][3]["description"]  # missing field
    d["actions"] = [a for a in d["actions"] if a["objectif"] != 25]  # objective without actions
    fautes = _fautes(d, tmp_path)
    texte = "\n".join(fautes)
    assert "action « 1-1-1 » : code pilote « LICORNE » inconnu" in texte
    assert "action « 1-1-2 » : code en double" in texte
    assert "champ « description » manquant" in texte
    assert "objectif 25 : aucune action" in texte
    assert len(fautes) == 4


def test_pilote_inconnu_dans_le_texte(protocole, tmp_path):
    d = vers_dict(protocole)
    del d["actions"][0]["pilotes"]
    d["actions"][0]["pilotage"] = "DDFE, Office des Dragons"
    fautes = _fautes(d, tmp_path)
    assert fautes == [
        "action « 1-1-1 » : pilote « Office des Dragons » inconnu (ajoutez-le, ou l'alias, à la liste des pilotes)"
    ]


def test_pilotes_deduits_du_texte(protocole):
    d = vers_dict(protocole)
    del d["actions"][0]["pilotes"]
    assert depuis_dict(d).action("1-1-1").pilotes == ("DDFE", "DEPARTEMENT")


def test_fichier_illisible(tmp_path):
    f = tmp_path / "casse.toml"
    f.write_text("titre = [", "utf-8")
    with pytest.raises(ReferentielInvalide) as e:
        charger_protocole(f)
    assert "illisible" in str(e.value)
    with pytest.raises(ReferentielInvalide):
        charger_protocole(tmp_path / "absent.toml")


# ---------------------------------------------------------------- aggregation rules (issue 12)


def test_regles_d_agregation_de_l_isere(protocole):
    regle = {(a.code, k): i.agregation for a in protocole.actions for k, i in enumerate(a.indicateurs)}
    # Co-pilots report the same colloquium, the same meetings of one instance: never a sum.
    assert regle[("1-2-1", 0)] == regle[("1-2-1", 1)] == "maximum"
    assert regle[("1-5-3", 0)] == regle[("1-5-3", 1)] == "maximum"
    # The lead's figure stands where the funder reports the operator's places.
    assert regle[("1-4-1", 0)] == "chef_de_file"
    # Distinct organisations training their own staff add up; 1-1-1's co-financed trainings are one count.
    assert regle[("1-1-2", 0)] == "somme"
    assert regle[("1-1-1", 0)] == "maximum"
    assert set(regle.values()) <= {"somme", "maximum", "chef_de_file", "aucune"}


def test_agregation_inconnue_dans_le_toml(protocole, tmp_path):
    d = vers_dict(protocole)
    d["actions"][0]["indicateurs"][0]["agregation"] = "moyenne"
    assert _fautes(d, tmp_path) == [
        "Règle d'agrégation « moyenne » inconnue (action « 1-1-1 », indicateur 1) : écrivez l'une de ces valeurs : "
        "somme, maximum, chef_de_file, aucune."
    ]


def test_agregation_modifiee_dans_le_classeur(protocole, tmp_path):
    import openpyxl

    f = tmp_path / "protocole.xlsx"
    ecrire_xlsx(protocole, f)
    wb = openpyxl.load_workbook(f)
    ws = wb["Indicateurs"]
    entetes = [c.value for c in ws[1]]
    col = entetes.index("Agrégation (somme, maximum, chef_de_file, aucune)") + 1
    ligne = next(r for r in range(2, ws.max_row + 1) if ws.cell(r, 1).value == "1-1-2")
    assert ws.cell(ligne, col).value == "somme"
    ws.cell(ligne, col).value = "aucune"
    wb.save(f)
    assert charger_protocole(f).action("1-1-2").indicateurs[0].agregation == "aucune"
    ws.cell(ligne, col).value = "addition"
    wb.save(f)
    with pytest.raises(ReferentielInvalide) as e:
        charger_protocole(f)
    # The fault names the cell the agent edited (issue 15) and lists the allowed values.
    assert f"Règle d'agrégation « addition » inconnue (feuille Indicateurs, ligne {ligne}, colonne « Agrégation" in str(
        e.value
    )
    assert "écrivez l'une de ces valeurs : somme, maximum, chef_de_file, aucune." in str(e.value)


def test_classeur_sans_colonne_agregation_reste_lisible(protocole, tmp_path):
    import openpyxl

    f = tmp_path / "protocole.xlsx"
    ecrire_xlsx(protocole, f)
    wb = openpyxl.load_workbook(f)
    ws = wb["Indicateurs"]
    ws.delete_cols([c.value for c in ws[1]].index("Agrégation (somme, maximum, chef_de_file, aucune)") + 1)
    wb.save(f)
    relu = charger_protocole(f)
    assert {i.agregation for a in relu.actions for i in a.indicateurs} == {"somme"}


def test_readme_liste_les_regles_d_agregation_de_l_isere(protocole):
    from pathlib import Path

    readme = (Path(__file__).parent.parent / "README.md").read_text("utf-8")
    texte = " ".join(readme.split())
    for regle in ("maximum", "chef_de_file"):
        codes = [a.code for a in protocole.actions if any(i.agregation == regle for i in a.indicateurs)]
        m = re.search(rf"`{regle}` pour ([0-9, -à()a-z]+?) ;", texte)
        assert m, regle
        ecrits = []
        for morceau in re.sub(r"\s*\([^)]*\)", "", m.group(1)).split(", "):
            if " à " in morceau:  # "1-8-1 à 1-8-3"
                debut, fin = morceau.split(" à ")
                tete = debut.rsplit("-", 1)[0]
                ecrits += [f"{tete}-{n}" for n in range(int(debut.rsplit("-", 1)[1]), int(fin.rsplit("-", 1)[1]) + 1)]
            else:
                ecrits.append(morceau.strip())
        assert ecrits == codes, regle
