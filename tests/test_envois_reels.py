"""Returns as real offices send them, round 3 (issue 25): one folder holding each defect beside good
returns gives the right values, the right French message at the right cell, and every file reported."""

from __future__ import annotations

import os

from tests import envois_reels as er
import pytest
from tests import retours_reels as rr

from vif38_bilan.controle.retours import A_CORRIGER, AVERTISSEMENT, ERREUR, IGNORE, REMPLACE, VALIDE, controler
from vif38_bilan.lecture.conteneurs import nom_decode

ANNEE = rr.ANNEE


@pytest.fixture(scope="module")
def dossier(protocole, tmp_path_factory):
    base = tmp_path_factory.mktemp("envois_reels")
    s = base / "saisies"
    tmp = base / "fabrique"
    faits = {}
    faits["valide"] = rr.retour(protocole, base, s, "retour_valide_ARS.xlsx", "ARS")
    faits["invisibles"], faits["invisibles_refs"] = er.caracteres_invisibles(protocole, base, s)
    caf = rr.retour(protocole, base, tmp, "CAF bilan 2023.xlsx", "CAF")
    faits["winmail"] = er.winmail_dat({"CAF bilan 2023.xlsx": caf.read_bytes()}, s / "winmail.dat")
    gend = rr.retour(protocole, base, tmp, "Gendarmerie bilan 2023.xlsx", "GENDARMERIE")
    police = rr.retour(protocole, base, tmp, "Police bilan 2023.xlsx", "POLICE")
    faits["eml"] = er.eml(
        {"Bilan Gendarmerie – année 2023.xlsx": gend.read_bytes(), "Police bilan 2023.xlsx": police.read_bytes()},
        s / "Tr Bilan 2023.eml",
    )
    justice = rr.retour(protocole, base, tmp, "j.xlsx", "JUSTICE")
    faits["thunderbird"] = s / er.nom_mime("Justice bilan 2023 été.xlsx", "thunderbird")
    faits["thunderbird"].write_bytes(justice.read_bytes())
    prefecture = rr.retour(protocole, base, tmp, "p.xlsx", "PREFECTURE")
    faits["tirets"] = s / er.nom_mime("Préfecture bilan.xlsx", "tirets")
    faits["tirets"].write_bytes(prefecture.read_bytes())
    spip = rr.retour(protocole, base, tmp, "SPIP bilan 2023.xlsx", "SPIP")
    faits["zip"] = er.archive_zip({"retours/SPIP bilan 2023.xlsx": spip.read_bytes()}, s / "retours SPIP.zip")
    faits["etiquette"] = er.chiffre_par_etiquette(s / "UMJ bilan 2023.xlsx")
    faits["xlsb_renomme"] = er.xlsb(s / "binaire renomme.xlsx")
    faits["xlsb"] = er.xlsb(s / "binaire.xlsb")
    faits["annee_precedente"] = er.annee_precedente_remplie(protocole, base, s, "SIAO", "SIAO bilan.xlsx")
    # A stale file superseded by the right one: last year's workbook, then this year's.
    faits["perime"] = er.annee_precedente_remplie(protocole, base, s, "DDETS", "DDETS ancien.xlsx")
    faits["bon_ddets"] = rr.retour(protocole, base, s, "DDETS bon.xlsx", "DDETS")
    # Two versions saved at the same time: the file dates decide.
    v1 = rr.retour(protocole, base, s, "OFII v1.xlsx", "OFII")
    premiere = protocole.actions_du_pilote("OFII")[0][0].code
    v2 = rr.retour(protocole, base, s, "OFII v2.xlsx", "OFII", maj={premiere: {"observations": "Version 2"}})
    os.utime(v1, (1_700_000_000, 1_700_000_000))
    os.utime(v2, (1_700_100_000, 1_700_100_000))
    faits["v1"], faits["v2"] = v1, v2
    return s, faits


@pytest.fixture(scope="module")
def resultat(protocole, dossier):
    s, _ = dossier
    return controler(protocole, ANNEE, s, jobs=1)


def fichier(resultat, nom):
    return next(f for f in resultat.fichiers if f.nom == nom)


def anomalies(resultat, nom, cellule=None):
    return [a for a in resultat.anomalies if a.fichier == nom and (cellule is None or a.cellule == cellule)]


def test_chaque_fichier_est_rapporte(dossier, resultat):
    s, _ = dossier
    sur_disque = {f.name for f in s.iterdir()}
    noms = {f.nom for f in resultat.fichiers}
    decodes = {"Justice bilan 2023 été.xlsx", "Préfecture bilan.xlsx"}
    assert sur_disque - {f.name for f in [dossier[1]["thunderbird"], dossier[1]["tirets"]]} <= noms
    assert decodes <= noms
    assert fichier(resultat, "retour_valide_ARS.xlsx").etat == VALIDE


# ---------------------------------------------------------------- 1. invisible characters


def test_caracteres_invisibles_retires_et_signales(dossier, resultat):
    _, faits = dossier
    nom = faits["invisibles"].name
    assert fichier(resultat, nom).etat == VALIDE
    lues = {}
    for rep in resultat.reponses:
        if rep.valeurs_sources and rep.valeurs_sources[0] and rep.valeurs_sources[0].fichier == nom:
            lues[rep.valeurs_sources[0].cellule] = rep.valeurs[0]
            if rep.statut_source:
                lues[rep.statut_source.cellule] = rep.statut
            if rep.observations_source:
                lues[rep.observations_source.cellule] = rep.observations
    for ref, (_tape, attendu) in faits["invisibles_refs"].items():
        assert lues[ref] == attendu, ref
        (a,) = anomalies(resultat, nom, ref)
        assert (a.regle, a.gravite) == ("caractere_invisible", AVERTISSEMENT)
        assert a.message.startswith("Caractère invisible retiré (")
        assert f"lue comme « {attendu} »" in a.message
    assert not [a for a in anomalies(resultat, nom) if a.gravite == ERREUR]


def test_autre_caractere_invisible_non_prevu(protocole, tmp_path):
    """Inputs not written for the fixtures: word joiner and Mongolian vowel separator in an
    Oui/Non, LRE/PDF embeddings around an observation."""
    code = rr.PILOTE
    oui_non = next(
        a.code for a, _ in protocole.actions_du_pilote(code) if any(i.type == "oui_non" for i in a.indicateurs)
    )
    k = next(k for k, i in enumerate(protocole.action(oui_non).indicateurs) if i.type == "oui_non")
    valeurs = [None] * len(protocole.action(oui_non).indicateurs)
    valeurs[k] = "\u2060Oui\u180e"
    maj = {oui_non: {"statut": "EN COURS", "valeurs": valeurs, "observations": "\u202aEn cours\u202c"}}
    chemin = rr.retour(protocole, tmp_path, tmp_path / "s", "x.xlsx", code, maj=maj)
    r = controler(protocole, ANNEE, tmp_path / "s", jobs=1)
    refs = rr.cellules(chemin)[oui_non]
    ref = refs["valeur" if k == 0 else "valeur2"]
    rep = next(x for x in r.reponses if x.code_action == oui_non)
    assert rep.valeurs[k] == "Oui" and rep.observations == "En cours"
    (a,) = [a for a in r.anomalies if a.cellule == ref]
    assert a.regle == "caractere_invisible" and "gluon de mots, U+180E" in a.message
    (b,) = [a for a in r.anomalies if a.cellule == refs["observations"]]
    assert b.regle == "caractere_invisible" and "U+202A, U+202C" in b.message
    assert r.fichiers[0].etat == VALIDE


# ---------------------------------------------------------------- 3. containers and names


def test_winmail_dat_ouvert(resultat):
    f = fichier(resultat, "winmail.dat » CAF bilan 2023.xlsx")
    assert (f.etat, f.pilote) == (VALIDE, "CAF")
    assert f.motif.startswith("Extrait de « winmail.dat »")
    assert "CAF" not in resultat.manquants
    conteneur = fichier(resultat, "winmail.dat")
    assert conteneur.etat == IGNORE and "1 pièce(s) jointe(s) extraite(s)" in conteneur.motif
    assert not anomalies(resultat, "winmail.dat")


def test_eml_deux_pieces_jointes(resultat):
    g = fichier(resultat, "Tr Bilan 2023.eml » Bilan Gendarmerie – année 2023.xlsx")
    p = fichier(resultat, "Tr Bilan 2023.eml » Police bilan 2023.xlsx")
    assert (g.pilote, g.etat, p.pilote, p.etat) == ("GENDARMERIE", VALIDE, "POLICE", VALIDE)
    assert not {"GENDARMERIE", "POLICE"} & set(resultat.manquants)
    rep = next(x for x in resultat.reponses if x.pilote == "POLICE")
    assert rep.valeurs_sources[0] is None or rep.valeurs_sources[0].fichier == p.nom


def test_noms_mime_decodes(resultat, dossier):
    _, faits = dossier
    j = fichier(resultat, "Justice bilan 2023 été.xlsx")
    assert (j.pilote, j.etat) == ("JUSTICE", VALIDE)
    assert faits["thunderbird"].name in j.motif
    p = fichier(resultat, "Préfecture bilan.xlsx")
    assert (p.pilote, p.etat) == ("PREFECTURE", VALIDE)


@pytest.mark.parametrize(
    ("forme", "nom"),
    [
        ("rfc2047", "Commune de Vif – bilan.xlsx"),
        ("thunderbird", "Bilan à rendre?.ods"),
        ("tirets", "DDFE.xlsx"),
        ("rfc2231", "Délégation 2023.xlsx"),
    ],
)
def test_nom_decode_formes(forme, nom):
    assert nom_decode(er.nom_mime(nom, forme)) == nom
    assert nom_decode(nom) is None


def test_zip_ouvert(resultat):
    f = fichier(resultat, "retours SPIP.zip » SPIP bilan 2023.xlsx")
    assert (f.pilote, f.etat) == ("SPIP", VALIDE)


def test_entrees_jamais_modifiees(protocole, dossier, resultat, tmp_path):
    from tests.fabriques import empreintes

    s, _ = dossier
    avant = empreintes(s)
    controler(protocole, ANNEE, s, jobs=1)
    assert empreintes(s) == avant
    assert not any(p.name.startswith("0") and p.parent != s for p in s.rglob("*"))


# ---------------------------------------------------------------- 4. right advice


def test_etiquette_de_confidentialite(resultat):
    (a,) = anomalies(resultat, "UMJ bilan 2023.xlsx")
    assert (a.regle, a.gravite) == ("etiquette_protection", ERREUR)
    assert "étiquette de confidentialité" in a.message and "mot de passe" in a.message
    assert "renvoyer avec une étiquette qui ne protège pas" in a.message


def test_xlsb_meme_gravite_quel_que_soit_le_nom(resultat):
    a = anomalies(resultat, "binaire renomme.xlsx")
    b = anomalies(resultat, "binaire.xlsb")
    assert (
        [(x.regle, x.gravite) for x in a]
        == [(x.regle, x.gravite) for x in b]
        == [("format_non_pris_en_charge", ERREUR)]
    )
    assert ".xlsx" in b[0].message


def test_annee_precedente_remplie(resultat):
    f = fichier(resultat, "SIAO bilan.xlsx")
    (a,) = anomalies(resultat, "SIAO bilan.xlsx")
    assert a.regle == "annee_precedente_remplie" and a.gravite == ERREUR
    assert a.message.startswith(f"Classeur de l'année {ANNEE - 1} rempli pour {ANNEE}")
    assert f"dossier {ANNEE}" not in a.message.split("Ne déplacez")[0]
    assert f.etat == A_CORRIGER and "SIAO" not in resultat.manquants


def test_fichier_perime_ne_garde_pas_l_erreur(resultat):
    f = fichier(resultat, "DDETS ancien.xlsx")
    assert f.etat == REMPLACE and f.remplace_par == "DDETS bon.xlsx"
    assert [(a.regle, a.gravite) for a in anomalies(resultat, "DDETS ancien.xlsx")] == [("perime", AVERTISSEMENT)]
    assert fichier(resultat, "DDETS bon.xlsx").etat == VALIDE


def test_meme_heure_ordre_par_date_du_fichier(resultat):
    f = fichier(resultat, "OFII v1.xlsx")
    assert f.etat == REMPLACE and f.remplace_par == "OFII v2.xlsx"
    (a,) = anomalies(resultat, "OFII v1.xlsx")
    assert a.regle == "remplace_date_fichier"
    assert "même heure d'enregistrement" in a.message and "date des fichiers" in a.message
    assert "enregistré plus récemment" not in a.message


# ---------------------------------------------------------------- 2. nothing the pilot wrote is lost


@pytest.fixture(scope="module")
def ecrits(protocole, tmp_path_factory):
    """A second folder: comments, added column and row, a locked target typed over, an added sheet."""
    base = tmp_path_factory.mktemp("ecrits")
    s = base / "saisies"
    faits = {}
    code = "DDFE"
    a1, a2 = rr.action_entiere(protocole, code, 0), rr.action_entiere(protocole, code, 1)
    chemin = rr.retour(protocole, base, s, "commentaires.xlsx", code)
    refs = rr.cellules(chemin)
    er.commentaire_ancien(chemin, refs[a2]["statut"], "Action reportée en partie", "Jean Exemple")
    er.commentaire_ancien(chemin, "C3", "Nouvelle directrice depuis mars", "Jean Exemple")
    # Last: an openpyxl save drops threaded comments (as Excel 2016 would).
    er.commentaire_fil(
        chemin, refs[a1]["valeur"], "Chiffre estimé, à confirmer", "Marie Exemple", ("Paul Exemple", "Confirmé")
    )
    faits["commentaires"] = (chemin, refs, a1, a2)
    chemin = rr.retour(protocole, base, s, "colonne_ajoutee.xlsx", "CAF")
    faits["colonne"] = (chemin, er.colonne_et_ligne_ajoutees(chemin))
    faits["cible"] = er.cible_tapee_par_dessus(protocole, base, s, "JUSTICE", "cible_ecrasee.xlsx")
    chemin = rr.retour(protocole, base, s, "feuille_ajoutee.xlsx", "POLICE")
    faits["feuille"] = (chemin, er.feuille_ajoutee(chemin, {"A1": "Notes internes", "B4": "Bilan partagé en CA"}))
    faits["propre"] = rr.retour(protocole, base, s, "propre.xlsx", "ARS")
    return s, faits


@pytest.fixture(scope="module")
def resultat_ecrits(protocole, ecrits):
    return controler(protocole, ANNEE, ecrits[0], jobs=1)


def test_retour_intact_sans_texte_hors_tableau(resultat_ecrits, resultat):
    """The invariant's other side: an untouched return has every cell read or the template's."""
    regles = {"texte_hors_tableau", "cellule_preremplie_modifiee", "commentaire_repris", "commentaire_hors_action"}
    for r in (resultat_ecrits, resultat):
        for nom in ("propre.xlsx", "retour_valide_ARS.xlsx"):
            assert not [a for a in r.anomalies if a.fichier == nom and a.regle in regles]


def test_commentaires_repris_dans_les_observations(resultat_ecrits, ecrits):
    _, faits = ecrits
    chemin, refs, a1, a2 = faits["commentaires"]
    r1 = next(x for x in resultat_ecrits.reponses if x.code_action == a1)
    assert "[Commentaire] Chiffre estimé, à confirmer" in r1.observations
    assert "Confirmé" in r1.observations  # the reply is kept
    assert "Marie Exemple" not in r1.observations and "Paul Exemple" not in r1.observations  # no author's name
    assert "Threaded comment" not in r1.observations  # Excel's stand-in is not read twice
    r2 = next(x for x in resultat_ecrits.reponses if x.code_action == a2)
    assert r2.observations.endswith("[Commentaire] Action reportée en partie")
    (a,) = anomalies(resultat_ecrits, "commentaires.xlsx", refs[a1]["valeur"])
    assert (a.regle, a.gravite, a.code_action) == ("commentaire_repris", AVERTISSEMENT, a1)
    (b,) = anomalies(resultat_ecrits, "commentaires.xlsx", "C3")
    assert b.regle == "commentaire_hors_action" and "Nouvelle directrice depuis mars" in b.message


def test_colonne_et_ligne_ajoutees_signalees(resultat_ecrits, ecrits):
    _, faits = ecrits
    chemin, textes = faits["colonne"]
    assert fichier(resultat_ecrits, "colonne_ajoutee.xlsx").etat == VALIDE
    for ref, texte in textes.items():
        (a,) = anomalies(resultat_ecrits, "colonne_ajoutee.xlsx", ref)
        assert (a.regle, a.gravite) == ("texte_hors_tableau", AVERTISSEMENT), ref
        assert f"« {texte[:40]}" in a.message
    assert len([r for r in resultat_ecrits.reponses if r.pilote == "CAF"]) == len(
        rr.cellules(chemin)
    )  # every answer still read


def test_cible_ecrasee_erreur_et_place_de_la_valeur(resultat_ecrits, ecrits):
    _, faits = ecrits
    _chemin, action, refs = faits["cible"]
    (a,) = anomalies(resultat_ecrits, "cible_ecrasee.xlsx", refs["cible"])
    assert (a.regle, a.gravite, a.code_action) == ("cellule_preremplie_modifiee", ERREUR, action)
    assert "« 14 »" in a.message and "la cible annuelle" in a.message
    assert f"saisissez-le dans la cellule {refs['valeur']}" in a.message


def test_feuille_ajoutee_signalee(resultat_ecrits):
    cellules = {
        (a.feuille, a.cellule)
        for a in anomalies(resultat_ecrits, "feuille_ajoutee.xlsx")
        if a.regle == "texte_hors_tableau"
    }
    assert cellules == {("Notes", "A1"), ("Notes", "B4")}


def test_copie_annotee_garde_les_commentaires_du_pilote(resultat_ecrits, ecrits, tmp_path):
    from openpyxl import load_workbook

    from vif38_bilan.controle.rapport import chemin_annote, ecrire_retours_annotes

    s, faits = ecrits
    _, refs, a1, a2 = faits["commentaires"]
    ecrire_retours_annotes(resultat_ecrits, s, tmp_path)
    ws = load_workbook(chemin_annote(tmp_path, "commentaires.xlsx"))["Saisie"]
    c1 = ws[refs[a1]["valeur"]].comment.text
    assert c1.startswith("Commentaire de Marie Exemple : Chiffre estimé, à confirmer")
    assert "Avertissement : Commentaire de Marie Exemple repris" in c1
    assert "Threaded comment" not in c1
    assert ws[refs[a2]["statut"]].comment.text.startswith("Commentaire de Jean Exemple : Action reportée en partie")
    assert ws["C3"].comment.text.startswith("Commentaire de Jean Exemple : Nouvelle directrice")


@pytest.mark.skipif(not rr.LIBREOFFICE, reason="LibreOffice absent")
def test_ods_annotation_et_copie_protegee(protocole, tmp_path):
    from openpyxl import load_workbook

    from vif38_bilan.controle.rapport import chemin_annote, ecrire_retours_annotes

    code = "DDFE"
    a1 = rr.action_entiere(protocole, code)
    brut = rr.retour(
        protocole, tmp_path, tmp_path / "brut", "GGD38 bilan 2023.xlsx", code, maj={a1: {"statut": "FINI"}}
    )
    refs = rr.cellules(brut)[a1]
    er.commentaire_ancien(brut, refs["valeur"], "Estimation du service", "Léa Exemple")
    s = tmp_path / "saisies"
    rr.par_libreoffice(brut, "ods", s)
    r = controler(protocole, ANNEE, s, jobs=1)
    rep = next(x for x in r.reponses if x.code_action == a1)
    assert "Estimation du service" in rep.observations
    ecrire_retours_annotes(r, s, tmp_path / "sortie")
    copie = chemin_annote(tmp_path / "sortie", "GGD38 bilan 2023.ods")
    assert copie.name == "GGD38 bilan 2023 (ods).xlsx" and copie.is_file()
    ws = load_workbook(copie)["Saisie"]
    assert ws.protection.sheet
    listes = [v for v in ws.data_validations.dataValidation if v.type == "list"]
    assert any("EFFECTUÉE" in (v.formula1 or "") and refs["statut"] in str(v.sqref) for v in listes)
    assert ws[refs["statut"]].protection.locked is False
    assert ws[refs["valeur"]].comment.text.startswith("Commentaire de Léa Exemple : Estimation du service")


# ---------------------------------------------------------------- inputs not written for the fixtures


def test_conteneurs_emboites(protocole, tmp_path):
    """A zip holding a saved e-mail whose attachment is Outlook's winmail.dat holding a workbook
    with an RFC 2047 name, beside a message without attachment and a damaged winmail.dat."""
    caf = rr.retour(protocole, tmp_path, tmp_path / "f", "caf.xlsx", "CAF")
    s = tmp_path / "saisies"
    winmail = er.winmail_dat({"CAF 2023 définitif.xlsx": caf.read_bytes()}, tmp_path / "f" / "winmail.dat")
    message = er.eml({"winmail.dat": winmail.read_bytes()}, tmp_path / "f" / "fw.eml")
    er.archive_zip({"boite/Fw Bilan CAF.eml": message.read_bytes()}, s / "export messagerie.zip")
    er.eml({}, s / "sans piece jointe.eml")
    (s / "ATT00001.dat").write_bytes(winmail.read_bytes()[:40])
    r = controler(protocole, ANNEE, s, jobs=1)
    noms = {f.nom: f for f in r.fichiers}
    f = noms["export messagerie.zip » Fw Bilan CAF.eml » winmail.dat » CAF 2023 définitif.xlsx"]
    assert (f.pilote, f.etat) == ("CAF", VALIDE) and "CAF" not in r.manquants
    assert f.motif.startswith("Extrait de « export messagerie.zip » Fw Bilan CAF.eml » winmail.dat »")
    (a,) = [a for a in r.anomalies if a.fichier == "sans piece jointe.eml"]
    assert a.regle == "fichier_ecarte" and "sans pièce jointe" in a.message and a.gravite == AVERTISSEMENT
    (b,) = [a for a in r.anomalies if a.fichier == "ATT00001.dat"]
    assert b.gravite == ERREUR and "tronqué" in b.message


def test_commentaire_sur_les_observations_et_sous_le_tableau(protocole, tmp_path):
    code = "PREFECTURE"
    chemin = rr.retour(protocole, tmp_path, tmp_path / "s", "p.xlsx", code)
    refs = rr.cellules(chemin)
    derniere = max(int(x["ligne"]) for x in refs.values())
    premiere = next(iter(refs))
    er.commentaire_ancien(chemin, refs[premiere]["observations"], "Chiffres de la préfecture de région", "Ana Exemple")
    er.commentaire_ancien(chemin, f"C{derniere + 3}", "Merci pour la relance", "Ana Exemple")
    r = controler(protocole, ANNEE, tmp_path / "s", jobs=1)
    rep = next(x for x in r.reponses if x.code_action == premiere)
    assert rep.observations.endswith("Chiffres de la préfecture de région")
    (a,) = [a for a in r.anomalies if a.cellule == f"C{derniere + 3}"]
    assert a.regle == "commentaire_hors_action"


def test_export_csv_avec_caracteres_invisibles(protocole, tmp_path):
    """A CSV export whose codes carry a zero-width space and a BOM: the pilot is still named."""
    chemin = rr.export_csv(protocole, tmp_path, tmp_path / "s", "export.csv", "UGA")
    texte = chemin.read_text("utf-8")
    chemin.write_text("\ufeff" + texte.replace("\n1-", "\n\u200b1-").replace("\n2-", "\n2\u2060-"), "utf-8")
    r = controler(protocole, ANNEE, tmp_path / "s", jobs=1)
    (a,) = r.anomalies
    assert a.regle == "export_csv" and a.pilote == "UGA"


@pytest.mark.skipif(not rr.LIBREOFFICE, reason="LibreOffice absent")
def test_caracteres_invisibles_dans_chaque_format(protocole, tmp_path):
    """The same return saved by LibreOffice as .ods and .xls: same values, same warnings."""
    chemin, refs = er.caracteres_invisibles(protocole, tmp_path, tmp_path / "brut")
    for nom in ("invisibles.ods", "invisibles.xls"):
        s = tmp_path / nom.replace(".", "_")  # one folder each: two returns of one pilot would replace each other
        rr.par_libreoffice_lot({chemin: nom}, nom.rsplit(".", 1)[1], s)
        r = controler(protocole, ANNEE, s, jobs=1)
        assert fichier(r, nom).etat == VALIDE, nom
        signalees = {a.cellule for a in anomalies(r, nom) if a.regle == "caractere_invisible"}
        # calamine's BIFF reader drops a leading BOM of an .xls string itself: value right, nothing to say.
        bom = {ref for ref, (tape, _a) in refs.items() if tape.startswith("\ufeff")} if nom.endswith(".xls") else set()
        assert signalees == set(refs) - bom, nom
        lues = {}
        for rep in r.reponses:
            for src, v in [(rep.statut_source, rep.statut), (rep.observations_source, rep.observations)] + list(
                zip(rep.valeurs_sources, rep.valeurs, strict=True)
            ):
                if src is not None and src.fichier == nom:
                    lues[src.cellule] = v
        assert {ref: lues[ref] for ref in refs} == {ref: attendu for ref, (_t, attendu) in refs.items()}, nom


def test_notes_sur_les_chiffres_cles(protocole, tmp_path):
    chemin = rr.retour(protocole, tmp_path, tmp_path / "s", "chiffres.xlsx", rr.PILOTE)
    ecrits = er.notes_sur_les_chiffres_cles(chemin)
    r = controler(protocole, ANNEE, tmp_path / "s", jobs=1)
    signales = {(a.feuille, a.cellule): a for a in r.anomalies if a.regle == "texte_hors_tableau"}
    assert set(signales) == {("Chiffres clés", ref) for ref in ecrits}
    for ref, texte in ecrits.items():
        assert f"« {texte}" in signales[("Chiffres clés", ref)].message
    assert r.chiffres  # the key figures are still read


def test_archive_piegee_refusee_les_autres_lus(protocole, tmp_path):
    """A .zip of returns is examined like a workbook: a member lying about its size (bomb) or
    inflating past what it declares is refused, and the other returns are still read."""
    from tests.hostiles import Entree, zeros_comprimes, zip_brut

    s = tmp_path / "s"
    rr.retour(protocole, tmp_path, s, "ARS.xlsx", "ARS")
    brut, crc = zeros_comprimes(60 * 1024 * 1024)
    zip_brut(s / "retours.zip", [Entree("retour.xlsx", brut=brut, taille=60 * 1024 * 1024, crc=crc)])
    menteur, crc2 = zeros_comprimes(5 * 1024 * 1024)
    zip_brut(s / "menteur.zip", [Entree("retour.xlsx", brut=menteur, taille=1000, crc=crc2)])
    r = controler(protocole, ANNEE, s, jobs=1)
    assert [a.regle for a in anomalies(r, "retours.zip")] == ["bombe_zip"]
    assert [a.regle for a in anomalies(r, "menteur.zip")] == ["bombe_zip"]
    assert fichier(r, "ARS.xlsx").etat == VALIDE


def test_tableau_colle_a_cote_compte_sans_noyer_le_rapport(protocole, tmp_path):
    def coller(wb):
        ws = wb["Saisie"]
        for i in range(30):
            ws.cell(40 + i, 3, f"ligne collée {i}")
            ws.cell(40 + i, 4, i)

    rr.retour(protocole, tmp_path, tmp_path / "s", "colle.xlsx", "CAF", modifier=coller)
    r = controler(protocole, ANNEE, tmp_path / "s", jobs=1)
    hors = [a for a in r.anomalies if a.regle == "texte_hors_tableau"]
    assert len(hors) == 21 and hors[-1].cellule is None and "et 40 autre(s) cellule(s)" in hors[-1].message


def test_nom_decode_inutilisable_sous_windows_assaini(protocole, tmp_path):
    s = tmp_path / "s"
    chemin = rr.retour(protocole, tmp_path, tmp_path / "f", "x.xlsx", "CAF")
    (s).mkdir()
    (s / er.nom_mime("Bilan: CAF?.xlsx", "thunderbird")).write_bytes(chemin.read_bytes())
    r = controler(protocole, ANNEE, s, jobs=1)
    assert fichier(r, "Bilan_ CAF_.xlsx").etat == VALIDE


def test_message_outlook_msg(protocole, tmp_path):
    """An Outlook message saved as .msg, holding a workbook and a signature image."""
    caf = rr.retour(protocole, tmp_path, tmp_path / "f", "caf.xlsx", "CAF")
    s = tmp_path / "s"
    er.message_outlook(
        {"CAF – bilan 2023.xlsx": caf.read_bytes(), "image001.png": b"\x89PNG\r\n\x1a\n"}, s / "RE Bilan"
    )
    r = controler(protocole, ANNEE, s, jobs=1)
    f = fichier(r, "RE Bilan » CAF – bilan 2023.xlsx")
    assert (f.pilote, f.etat) == ("CAF", VALIDE) and "CAF" not in r.manquants
    assert "1 pièce(s) jointe(s)" in fichier(r, "RE Bilan").motif  # the logo is left out


def test_commentaire_avec_donnees_personnelles_filtre(protocole, tmp_path):
    """A comment naming a victim and a phone number: attributed, the personal data removed."""
    code = rr.PILOTE
    chemin = rr.retour(protocole, tmp_path, tmp_path / "s", "d.xlsx", code)
    a1 = rr.action_entiere(protocole, code)
    ref = rr.cellules(chemin)[a1]["valeur"]
    er.commentaire_ancien(chemin, ref, "Appeler Mme Sophie Martin au 06 12 34 56 78 pour le détail", "Léa Exemple")
    r = controler(protocole, ANNEE, tmp_path / "s", jobs=1)
    rep = next(x for x in r.reponses if x.code_action == a1)
    assert "[Commentaire]" in rep.observations and "Léa Exemple" not in rep.observations
    assert "06 12 34 56 78" not in rep.observations and "Sophie Martin" not in rep.observations
    assert not [a for a in r.anomalies if "06 12 34 56 78" in a.message]


@pytest.mark.parametrize("jobs", [1, 2])
def test_commentaire_en_majuscules_lu_et_sa_donnee_personnelle_en_erreur(protocole, tmp_path, jobs):
    """A tester's case: a comment holding a capitalised name made the reading child load the language
    model under its memory cap (MemoryError, the whole return lost). The model never loads in a reading
    child: the return is read, the comment joins the observations, and the gate (parent process) makes
    its personal data an erreur at the observations' cell and removes it from the records."""
    code = rr.PILOTE
    chemin = rr.retour(protocole, tmp_path, tmp_path / "s", "d.xlsx", code)
    a1 = rr.action_entiere(protocole, code)
    ref = rr.cellules(chemin)[a1]["valeur"]
    er.commentaire_ancien(chemin, ref, "Chiffre confirmé par la victime Karima Benali-Roux en mai", "ODILE")
    r = controler(protocole, ANNEE, tmp_path / "s", jobs=jobs)
    f = next(x for x in r.fichiers if x.nom == "d.xlsx")
    assert f.pilote == code and code not in r.manquants
    assert not [a for a in r.anomalies if a.regle in ("fichier_illisible", "lecture_interrompue")]
    rep = next(x for x in r.reponses if x.code_action == a1)
    assert "[Commentaire] Chiffre confirmé par la victime" in rep.observations
    assert "Karima" not in rep.observations and "Benali" not in rep.observations
    erreurs = [a for a in r.anomalies if a.regle == "donnees_personnelles" and a.code_action == a1]
    assert erreurs and all(a.gravite == ERREUR for a in erreurs)
    assert not [a for a in r.anomalies if "Karima" in a.message or "Benali" in a.message]


def test_zip_sans_compression_ouvert(protocole, tmp_path):
    """A tester's case: an archive that only stores its members carries the workbook's own zip
    directory inside it; it was taken for a workbook (« pas un classeur ») and the pilot listed as
    missing. What an archive is comes from its own directory, at its end."""
    import zipfile

    code = rr.PILOTE
    s = tmp_path / "s"
    retour = rr.retour(protocole, tmp_path, tmp_path / "brut", "retour.xlsx", code)
    er.archive_zip({"Bilan 2023.xlsx": retour.read_bytes()}, s / "envoi.zip", zipfile.ZIP_STORED)
    r = controler(protocole, ANNEE, s, jobs=1)
    f = next(x for x in r.fichiers if x.pilote == code)
    assert "envoi.zip" in f.nom and f.etat in (VALIDE, A_CORRIGER) and code not in r.manquants
