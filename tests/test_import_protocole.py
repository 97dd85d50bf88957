"""A protocol's Word document (built from the shared text) imported as the referential."""

from __future__ import annotations

import openpyxl
import pytest
from tests.documents_word import document_protocole

from vif38_bilan.exceptions import DocumentIllisible
from vif38_bilan.referentiel.chargement import charger_protocole
from vif38_bilan.referentiel.import_word import FEUILLE_REVUE, ecrire_referentiel_importe, importer_protocole
from vif38_bilan.referentiel.pilotes import cle

# The embedded referential's comment header lists these as its own corrections: the labels it
# chose for the indicators it added to measure a target, and "réunion" → "réunions" in 1-5-3.
LIBELLES_CORRIGES = {"1-2-1", "1-5-3", "2-14-1", "2-14-2"}


@pytest.fixture(scope="module")
def docx_protocole(tmp_path_factory):
    return document_protocole(tmp_path_factory.mktemp("doc") / "protocole-2022-2024.docx")


@pytest.fixture(scope="module")
def importe(docx_protocole):
    return importer_protocole(docx_protocole)


def test_le_document_a_de_vrais_tableaux(docx_protocole):
    import docx

    d = docx.Document(docx_protocole)
    objectifs = [t for t in d.tables if t.rows[0].cells[0].text.startswith("Objectif n")]
    assert len(objectifs) == 25
    t14 = next(t for t in objectifs if "14 :" in t.rows[0].cells[0].text)
    indicateurs = t14.rows[5].cells
    assert indicateurs[1]._tc is indicateurs[2]._tc is indicateurs[3]._tc  # one merged cell
    assert t14.rows[0].cells[0]._tc is t14.rows[0].cells[3]._tc


def test_actions_pilotes_cibles_et_calendrier_egaux_au_referentiel_embarque(importe, protocole):
    p = importe.protocole
    assert p.id == protocole.id and p.annees == protocole.annees and p.territoire == "Isère"
    assert cle(p.titre) == cle(protocole.titre)  # « PROCOLE » corrected; upper case as in the document
    assert p.axes == protocole.axes and p.sections == protocole.sections and p.objectifs == protocole.objectifs
    assert [a.code for a in p.actions] == [a.code for a in protocole.actions]
    for a, e in zip(p.actions, protocole.actions, strict=True):
        for champ in ("axe", "objectif", "rang", "description", "pilotage", "pilotes", "autres_acteurs", "echeance"):
            assert getattr(a, champ) == getattr(e, champ), (a.code, champ)
        assert [i.cible_annuelle for i in a.indicateurs] == [i.cible_annuelle for i in e.indicateurs], a.code
        assert [i.cible_texte for i in a.indicateurs] == [i.cible_texte for i in e.indicateurs], a.code
        assert [(i.type, i.origine) for i in a.indicateurs] == [(i.type, i.origine) for i in e.indicateurs], a.code
        if a.code not in LIBELLES_CORRIGES:
            assert [i.libelle for i in a.indicateurs] == [i.libelle for i in e.indicateurs], a.code
    assert p.calendrier == protocole.calendrier
    assert p.signataires == protocole.signataires
    assert p.autorites == protocole.autorites and p.en_presence_de == protocole.en_presence_de
    assert {x.code for x in p.pilotes} == {x.code for x in protocole.pilotes_actifs()}


def test_objectif_14_cellule_fusionnee_appliquee_aux_trois_actions(importe):
    p = importe.protocole
    for code in ("2-14-1", "2-14-2", "2-14-3"):
        assert p.action(code).indicateurs[0].libelle == "Nombre de personnes sensibilisées"
    fusion = [i for i in importe.revue if i.quoi == "Cellule fusionnée"]
    assert [(i.ou, i.retenu) for i in fusion] == [("objectif 14", "appliqué aux actions 1, 2, 3 de l'objectif")]


def test_revue_liste_chaque_inference(importe, docx_protocole, tmp_path):
    sortie = ecrire_referentiel_importe(importe, tmp_path / "referentiel-importe.xlsx")
    wb = openpyxl.load_workbook(sortie)
    assert wb.sheetnames[0] == FEUILLE_REVUE
    lignes = [[c or "" for c in r] for r in wb[FEUILLE_REVUE].iter_rows(min_row=2, values_only=True)]
    par_quoi: dict[str, list[list[str]]] = {}
    for ligne in lignes:
        par_quoi.setdefault(ligne[1], []).append(ligne)
    assert len(par_quoi["Pilotes"]) == 53
    assert [
        "action 2-14-2",
        "Éducation nationale, associations, communes",
        "EDUCATION_NATIONALE, ASSOCIATIONS, COMMUNES",
    ] in [r[2:5] for r in par_quoi["Pilotes"]]
    corrections = {r[2]: r for r in par_quoi["Correction"]}
    assert set(corrections) == {"titre", "objectif 18", "action 2-15-3", "action 1-5-3"}
    assert corrections["titre"][3].startswith("PROCOLE") and corrections["titre"][4].startswith("PROTOCOLE")
    cibles = " ".join(r[4] for r in par_quoi["Cible"])
    assert "« former 100 professionnels par an » lu comme cible annuelle 100" in cibles
    assert "« diffusion mensuelle » ne correspond à aucun indicateur du protocole : indicateur ajouté" in cibles
    assert "« un réseau par CISPDP » lu comme cible sans rythme annuel" in cibles
    assert len(par_quoi["Type d'indicateur"]) == 55
    calendrier = {r[2]: r for r in par_quoi["Calendrier"]}
    assert "objectif 8" in calendrier and "objectif 19" in calendrier
    assert calendrier["objectifs 22, 23, 24, 25"][3:5] == ["colonnes 2019, 2020, 2021", "lues 2022, 2023, 2024"]
    assert "Nouvelle organisation" not in par_quoi  # every Isère pilot is in the known directory
    # Reviewed, the workbook is the referential: --referentiel loads it as is.
    assert charger_protocole(sortie) == importe.protocole


def test_nouvelle_organisation_codee_et_signalee(docx_protocole, tmp_path):
    import docx

    d = docx.Document(docx_protocole)
    t = next(t for t in d.tables if t.rows[0].cells[0].text.startswith("Objectif n° 20"))
    t.rows[2].cells[1].text = "Associations, Maison des Femmes de Vienne"
    chemin = tmp_path / "modifie.docx"
    d.save(chemin)
    imp = importer_protocole(chemin)
    assert imp.protocole.action("3-20-1").pilotes == ("ASSOCIATIONS", "MAISON_DES_FEMMES_DE_VIENNE")
    assert imp.protocole.pilote("MAISON_DES_FEMMES_DE_VIENNE").nom == "Maison des Femmes de Vienne"
    nouvelles = [i for i in imp.revue if i.quoi == "Nouvelle organisation"]
    assert [(i.ou, i.lu, i.retenu) for i in nouvelles] == [
        ("action 3-20-1", "Maison des Femmes de Vienne", "code MAISON_DES_FEMMES_DE_VIENNE")
    ]


def test_document_sans_tableau_d_objectif(tmp_path):
    import docx

    d = docx.Document()
    d.add_paragraph("Compte rendu de réunion")
    chemin = tmp_path / "compte-rendu.docx"
    d.save(chemin)
    with pytest.raises(DocumentIllisible) as e:
        importer_protocole(chemin)
    assert "ne contient aucun tableau d'objectif" in str(e.value)


@pytest.mark.parametrize(
    ("nom", "contenu", "attendu"),
    [
        ("protege.docx", b"\xd0\xcf\x11\xe0" + bytes(60), "protégé par un mot de passe"),
        ("faux.docx", b"pas un zip", "est illisible"),
    ],
)
def test_fichiers_refuses(tmp_path, nom, contenu, attendu):
    chemin = tmp_path / nom
    chemin.write_bytes(contenu)
    with pytest.raises(DocumentIllisible) as e:
        importer_protocole(chemin)
    assert attendu in str(e.value)


def test_commande_referentiel_importer(docx_protocole, tmp_path, monkeypatch):
    from click.testing import CliRunner

    from vif38_bilan.cli.principal import cli

    monkeypatch.chdir(tmp_path)
    runner = CliRunner()
    r = runner.invoke(cli, ["referentiel", "--importer", str(docx_protocole)], catch_exceptions=False)
    assert r.exit_code == 0, r.output
    sortie = tmp_path / "referentiel-protocole-2022-2024.xlsx"
    assert "tableaux du protocole : 4 axes, 25 objectifs, 53 actions, 28 pilotes, années 2022, 2023, 2024." in r.output
    assert f"Classeur écrit : {sortie.name} — feuille « Revue »" in r.output
    assert 'referentiel = "referentiel-protocole-2022-2024.xlsx"' in r.output
    r = runner.invoke(cli, ["referentiel", "--importer", str(docx_protocole)], catch_exceptions=False)
    assert r.exit_code == 1 and "existe déjà" in r.output and "--remplacer" in r.output
    r = runner.invoke(cli, ["referentiel", "--importer", str(tmp_path / "absent.docx")], catch_exceptions=False)
    assert r.exit_code == 1 and "introuvable" in r.output and "Traceback" not in r.output


def test_classeur_renomme_en_docx(tmp_path):
    import zipfile

    chemin = tmp_path / "tableau.docx"
    with zipfile.ZipFile(chemin, "w") as z:
        z.writestr("xl/workbook.xml", "<workbook/>")
    with pytest.raises(DocumentIllisible) as e:
        importer_protocole(chemin)
    assert "n'est pas un document Word (.docx)" in str(e.value)


@pytest.mark.parametrize("format_", ["odt", "doc"])
def test_odt_et_doc_convertis_par_libreoffice(docx_protocole, tmp_path, protocole, format_):
    """An .odt or an old .doc is converted to .docx by LibreOffice in a temp folder, then read alike."""
    import shutil
    import subprocess

    if not shutil.which("soffice"):
        pytest.skip("LibreOffice absent")
    profil = (tmp_path / "profil").as_uri()
    subprocess.run(
        ["soffice", "--headless", f"-env:UserInstallation={profil}", "--convert-to", format_,
         "--outdir", str(tmp_path), str(docx_protocole)],
        check=True, capture_output=True, timeout=300,
    )  # fmt: skip
    chemin = tmp_path / f"{docx_protocole.stem}.{format_}"
    avant = chemin.read_bytes()
    imp = importer_protocole(chemin)
    assert chemin.read_bytes() == avant  # the input is never modified
    assert imp.fautes == []
    assert [a.code for a in imp.protocole.actions] == [a.code for a in protocole.actions]
    assert [a.pilotes for a in imp.protocole.actions] == [a.pilotes for a in protocole.actions]
    assert imp.protocole.autorites == protocole.autorites
