"""Returns as real offices make them (issue 14): each fault kind gives the right value or the right
French message at the right cell, and one bad file never stops the others from being reported."""

from __future__ import annotations

import shutil

import pytest
from tests import retours_reels as rr
from click.testing import CliRunner
from openpyxl import load_workbook

from vif38_bilan.cli.principal import cli
from vif38_bilan.controle.retours import A_CORRIGER, AVERTISSEMENT, ERREUR, REMPLACE, VALIDE, controler

ANNEE = rr.ANNEE


@pytest.fixture(scope="module")
def dossier(protocole, tmp_path_factory):
    """One returns folder holding every fault kind (LibreOffice saves when installed) + a valid return."""
    base = tmp_path_factory.mktemp("retours_reels")
    saisies = base / "saisies"
    faits = rr.dossier_complet(protocole, base, saisies)
    return saisies, faits


@pytest.fixture(scope="module")
def resultat(protocole, dossier):
    saisies, _ = dossier
    return controler(protocole, ANNEE, saisies, jobs=1)


def fichier(resultat, nom):
    return next(f for f in resultat.fichiers if f.nom == nom)


def anomalies(resultat, nom, cellule=None):
    return [a for a in resultat.anomalies if a.fichier == nom and (cellule is None or a.cellule == cellule)]


def reponse(resultat, pilote, code):
    return next(r for r in resultat.reponses if r.pilote == pilote and r.code_action == code)


def test_tous_les_retours_sont_rapportes(dossier, resultat):
    saisies, faits = dossier
    noms = {f.relative_to(saisies).as_posix() for f in saisies.iterdir() if f.is_file()}
    assert {f.nom for f in resultat.fichiers} == noms
    assert fichier(resultat, "retour_valide_ARS.xlsx").etat == VALIDE
    assert "ARS" not in resultat.manquants


# ---------------------------------------------------------------- 1. a value far from the table


@pytest.mark.parametrize(
    ("cle", "ref"),
    [("loin", "XFD1048576"), ("loin_n", "N1048576"), ("loin_lo_xlsx", "XFD1048576"), ("loin_lo_ods", "XFD1048576")],
)
def test_valeur_tres_loin_du_tableau(dossier, resultat, cle, ref):
    saisies, faits = dossier
    if cle not in faits:
        pytest.skip("LibreOffice (soffice) n'est pas installé")
    nom = faits[cle].name
    (a,) = [x for x in anomalies(resultat, nom) if x.gravite == ERREUR]
    assert a.cellule == ref
    assert f"une valeur a été saisie très loin du tableau, en {ref} : supprimez-la" in a.message
    assert fichier(resultat, nom).etat != VALIDE


# ---------------------------------------------------------------- 2. two versions, two clocks


def test_deux_versions_garde_la_plus_recente_en_heure_vraie(protocole, dossier, resultat):
    _, faits = dossier
    v1, v2 = faits["versions"]
    assert fichier(resultat, v2.name).etat == VALIDE
    assert fichier(resultat, v1.name).etat == REMPLACE
    code = rr.action_entiere(protocole, "DEPARTEMENT")
    assert reponse(resultat, "DEPARTEMENT", code).valeurs[0] == 22
    (a,) = anomalies(resultat, v1.name)
    assert v1.name in a.message and v2.name in a.message
    assert "incertain" in a.message and "retirez" in a.message


# ---------------------------------------------------------------- 3. formula errors


@pytest.mark.parametrize("cle", ["erreurs", "erreurs_lo_xlsx", "erreurs_lo_ods", "erreurs_lo_xls"])
def test_erreur_de_formule_nommee(dossier, resultat, cle):
    _, faits = dossier
    if cle not in faits:
        pytest.skip("LibreOffice (soffice) n'est pas installé")
    chemin, vues = faits[cle]
    assert fichier(resultat, chemin.name).etat == A_CORRIGER
    for ref, affiche in vues.items():
        (a,) = anomalies(resultat, chemin.name, ref)
        assert a.gravite == ERREUR
        assert affiche in a.message


# ---------------------------------------------------------------- 4. answers in a copied sheet


def test_reponses_lues_dans_la_feuille_copiee(dossier, resultat):
    _, faits = dossier
    nom = faits["copie"].name
    assert not [a for a in anomalies(resultat, nom) if a.gravite == ERREUR]
    (a,) = anomalies(resultat, nom)
    assert a.gravite == AVERTISSEMENT and "« Saisie (2) »" in a.message
    assert {r.statut for r in resultat.reponses if r.pilote == "CAF"} - {None}
    assert fichier(resultat, nom).identite.get("Structure")


def test_deux_feuilles_remplies_est_une_erreur(protocole, tmp_path):
    saisies = tmp_path / "saisies"
    saisies.mkdir()
    chemin = rr.reponses_dans_une_copie(protocole, tmp_path, saisies, original_rempli=True)
    res = controler(protocole, ANNEE, saisies, jobs=1)
    (a,) = [x for x in anomalies(res, chemin.name) if x.gravite == ERREUR]
    assert "« Saisie »" in a.message and "« Saisie (2) »" in a.message


# ---------------------------------------------------------------- 5. floating-point noise


def test_bruit_flottant_lu_comme_entier(protocole, dossier, resultat):
    _, faits = dossier
    chemin, attendus = faits["bruit"]
    assert not anomalies(resultat, chemin.name)
    lus = {}
    for r in resultat.reponses:
        if r.pilote == "PREFECTURE":
            for v, s in zip(r.valeurs, r.valeurs_sources, strict=True):
                if s is not None:
                    lus[s.cellule] = v
    for ref, n in attendus.items():
        assert lus[ref] == n and type(lus[ref]) is int


# ---------------------------------------------------------------- 6. merged cells


def test_cellules_fusionnees_signalees_a_la_bonne_cellule(dossier, resultat):
    _, faits = dossier
    chemin, plages = faits["fusion"]
    for plage, codes in plages.items():
        debut = plage.split(":")[0]
        (a,) = [x for x in anomalies(resultat, chemin.name, debut) if x.regle == "cellules_fusionnees"]
        assert a.gravite == ERREUR
        assert f"cellules fusionnées sur les actions {', '.join(codes[:-1])} et {codes[-1]}" in a.message.lower()
        assert "défusionnez et remplissez chaque ligne" in a.message
    assert not [a for a in anomalies(resultat, chemin.name) if a.regle == "statut_manquant"]


# ---------------------------------------------------------------- 7. numbers typed as text


def test_nombres_saisis_en_texte(dossier, resultat):
    _, faits = dossier
    chemin, textes = faits["texte"]
    lus = {
        s.cellule: v
        for r in resultat.reponses
        if r.pilote == "COLLECTIVITES"
        for v, s in zip(r.valeurs, r.valeurs_sources, strict=True)
        if s
    }
    par_texte = {t: ref for ref, t in textes.items()}
    assert lus[par_texte["1 200,00"]] == 1200
    assert not [a for a in anomalies(resultat, chemin.name, par_texte["1 200,00"]) if a.gravite == ERREUR]
    for texte, lectures in (("1.200", ("1 200", "1,2")), ("1,200", ("1 200", "1,2"))):
        (a,) = anomalies(resultat, chemin.name, par_texte[texte])
        assert a.gravite == ERREUR and "séparateur" in a.message
        assert all(x in a.message for x in lectures), a.message
    (a,) = anomalies(resultat, chemin.name, par_texte["1.234.567"])
    assert lus[par_texte["1.234.567"]] == 1234567 and a.gravite == AVERTISSEMENT and "séparateur" in a.message


# ---------------------------------------------------------------- 8. Strict Open XML


def test_strict_open_xml_copie_annotee(dossier, resultat, tmp_path, recwarn):
    from vif38_bilan.controle.rapport import chemin_annote, ecrire_retours_annotes

    saisies, faits = dossier
    chemin, ref = faits["strict"]
    (a,) = anomalies(resultat, chemin.name, ref)
    assert a.regle == "statut_inconnu"
    copies = ecrire_retours_annotes(resultat, saisies, tmp_path)
    copie = chemin_annote(tmp_path, chemin.name)
    assert copie in copies
    assert "FINI" in load_workbook(copie)["Saisie"][ref].comment.text or load_workbook(copie)["Saisie"][ref].comment
    assert not [w for w in recwarn if "openpyxl" in str(w.filename)]


# ---------------------------------------------------------------- 9. CSV


def test_csv_renomme_en_xlsx(dossier, resultat):
    _, faits = dossier
    (a,) = anomalies(resultat, faits["csv_renomme"].name)
    assert a.gravite == ERREUR and "CSV" in a.message and ".xlsx" in a.message


def test_csv_garde_tel_quel(dossier, resultat):
    _, faits = dossier
    (a,) = anomalies(resultat, faits["csv"].name)
    assert "CSV" in a.message and "classeur" in a.message
    assert "UGA" in a.message  # recognised by its action codes


# ---------------------------------------------------------------- 10. .ods: annotated copy as .xlsx, stale copies removed


def test_ods_copie_annotee_en_xlsx_et_copies_perimees_retirees(dossier, resultat, tmp_path):
    from vif38_bilan.controle.rapport import chemin_annote, ecrire_retours_annotes

    saisies, faits = dossier
    if "ods" not in faits:
        pytest.skip("LibreOffice (soffice) n'est pas installé")
    chemin, code = faits["ods"]
    perimee = chemin_annote(tmp_path, "retour_retire_du_dossier.xlsx")
    perimee.parent.mkdir(parents=True)
    shutil.copy(faits["valide"], perimee)
    ecrire_retours_annotes(resultat, saisies, tmp_path)
    copie = chemin_annote(tmp_path, chemin.name)
    assert copie.suffix == ".xlsx" and copie.is_file()
    (a,) = [x for x in anomalies(resultat, chemin.name) if x.code_action == code]
    assert load_workbook(copie)["Saisie"][a.cellule].comment is not None
    assert not perimee.exists()


# ---------------------------------------------------------------- the whole folder through the CLI


def test_controler_en_francais_sans_trace(dossier, tmp_path, monkeypatch):
    from vif38_bilan.espace.reglages import initialiser

    saisies, faits = dossier
    initialiser(tmp_path, courriel="ddfe@exemple.invalid", date_limite="15/02/2024")
    monkeypatch.chdir(tmp_path)
    shutil.copytree(saisies, tmp_path / "saisies" / str(ANNEE), dirs_exist_ok=True)
    res = CliRunner().invoke(cli, ["controler", "--annee", str(ANNEE)])
    sortie = res.output
    assert res.exit_code == 1, sortie  # erreurs in the pilots' files
    assert "Traceback" not in sortie and "Warning" not in sortie and "Error" not in sortie
    for f in saisies.iterdir():
        assert f.name[:30] in sortie or f.name[:25] in sortie


def test_lecteur_qui_avorte_sans_le_precontrole(protocole, dossier, monkeypatch, tmp_path):
    """Without the far-cell check, calamine aborts on XFD1048576: the child reading it dies, the file
    is an erreur in French, and every other return of the folder is still reported."""
    from vif38_bilan.lecture import classeur as lecture

    saisies, faits = dossier
    petit = tmp_path / "saisies"
    petit.mkdir()
    for cle in ("valide", "loin", "bruit"):
        chemin = faits[cle][0] if isinstance(faits[cle], tuple) else faits[cle]
        shutil.copy(chemin, petit / chemin.name)
    monkeypatch.setattr(lecture, "verifier_etendue", lambda donnees, format: None)
    res = controler(protocole, ANNEE, petit, jobs=1)
    (a,) = anomalies(res, faits["loin"].name)
    assert a.regle == "lecture_interrompue" and "trop de mémoire" in a.message
    assert fichier(res, "retour_valide_ARS.xlsx").etat == VALIDE
    assert fichier(res, faits["bruit"][0].name).etat == VALIDE
