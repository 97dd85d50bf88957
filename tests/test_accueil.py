"""A new agent's first year: the workspace is found or clearly missing, the settings are checked
before any work, init asks for them, config shows them, vif38.toml mistakes are explained."""

from __future__ import annotations

import os
import sys
from pathlib import Path

import pytest
from click.testing import CliRunner

from vif38_bilan.cli.principal import cli
from vif38_bilan.cycle import creer_espace, ouvrir_espace
from vif38_bilan.espace.reglages import trouver_racine
from vif38_bilan.exceptions import ConfigurationInvalide, EspaceIntrouvable

RACINE_DEPOT = Path(__file__).resolve().parents[1]

# Every command that reads or writes a workspace, with valid arguments.
COMMANDES_ESPACE = [
    ["gabarits", "--annee", "2023"],
    ["gabarits", "--annee", "2023", "--sortie", "sortie-ici", "--date-limite", "15/03/2024"],
    ["controler", "--annee", "2023"],
    ["controler", "--annee", "2023", "--saisies", ".", "--sortie", "sortie-ici"],
    ["bilan", "--annee", "2023"],
    ["bilan", "--annee", "2023", "--sortie", "sortie-ici"],
    ["historique", "--annee", "2022"],
    ["courriels", "--annee", "2023"],
    ["courriels", "--annee", "2023", "--type", "relance"],
    ["courriels", "--annee", "2023", "--type", "correction", "--date-limite", "15/03/2024"],
    ["config"],
    ["modele"],
    ["valider", "--annee", "2023"],
    ["valider", "--annee", "2023", "--rouvrir", "--motif", "erreur"],
    ["verifier", "--annee", "2023"],
]


def _arbre(dossier: Path) -> set[str]:
    return {str(p.relative_to(dossier)) for p in dossier.rglob("*")}


def invoquer(args, **kw):
    return CliRunner().invoke(cli, args, prog_name="vif38-bilan", **kw)


@pytest.mark.parametrize("args", COMMANDES_ESPACE, ids=lambda a: " ".join(a))
def test_hors_espace_chaque_commande_le_dit_et_n_ecrit_rien(args, tmp_path, monkeypatch):
    ici = tmp_path / "ailleurs"
    ici.mkdir()
    (ici / "un-document.txt").write_text("sans rapport", "utf-8")
    monkeypatch.chdir(ici)
    avant = _arbre(tmp_path)
    r = invoquer(args)
    assert r.exit_code == 1, r.output
    assert r.output.startswith(f"Erreur : Aucun espace de travail ici (« {ici} ») ni dans les dossiers parents")
    assert "cd MON-ESPACE" in r.output and "vif38-bilan init MON-ESPACE" in r.output
    assert _arbre(tmp_path) == avant


@pytest.mark.parametrize("args", [["referentiel"], ["regles"]])
def test_hors_espace_les_commandes_sans_espace_n_ecrivent_rien(args, tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    r = invoquer(args)
    assert r.exit_code == 0
    assert not list(tmp_path.iterdir())


def test_depuis_saisies_2023_sans_espace_pas_de_chemin_imbrique(tmp_path, monkeypatch):
    (tmp_path / "saisies" / "2023").mkdir(parents=True)
    monkeypatch.chdir(tmp_path / "saisies" / "2023")
    r = invoquer(["gabarits", "--annee", "2023"])
    assert r.exit_code == 1
    assert f"le dossier « {tmp_path} » contient saisies/" in r.output
    assert f"cd « {tmp_path} » puis « vif38-bilan init . »" in r.output
    assert "saisies/2023/saisies" not in r.output and "MON-ESPACE" not in r.output
    assert _arbre(tmp_path) == {"saisies", "saisies/2023"}


def test_depuis_un_sous_dossier_l_espace_parent_est_utilise_et_nomme(tmp_path, monkeypatch):
    creer_espace(tmp_path, courriel="ddfe@exemple.invalid", date_limite="15/02/2024")
    (tmp_path / "saisies" / "2023").mkdir()
    monkeypatch.chdir(tmp_path / "saisies" / "2023")
    r = invoquer(["gabarits", "--annee", "2023", "--pilote", "CAF"])
    assert r.exit_code == 0, r.output
    assert f"Espace de travail : « {tmp_path} »" in r.stderr
    assert (tmp_path / "gabarits" / "2023" / "2023_CAF_bilan-protocole-VIF.xlsx").is_file()
    assert _arbre(tmp_path / "saisies") == {"2023", "README.md"}
    # From the workspace itself, nothing is said about it.
    monkeypatch.chdir(tmp_path)
    r = invoquer(["config"])
    assert "Espace de travail : «" not in r.stderr


def test_le_depot_est_un_espace_de_travail():
    # The three folders are committed (with their README): the clone itself is a workspace.
    assert trouver_racine(RACINE_DEPOT) == RACINE_DEPOT
    assert trouver_racine(RACINE_DEPOT / "saisies") == RACINE_DEPOT
    assert ouvrir_espace(RACINE_DEPOT / "sorties").racine == RACINE_DEPOT


def test_ouvrir_espace_introuvable(tmp_path):
    with pytest.raises(EspaceIntrouvable, match="Rien n'a été écrit"):
        ouvrir_espace(tmp_path)
    assert not list(tmp_path.iterdir())


# ---------------------------------------------------------------- settings


def test_init_puis_gabarits_sans_reglages_nomme_le_reglage(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    r = invoquer(["init", "espace"])  # not a terminal: no question
    assert r.exit_code == 0, r.output
    assert "À compléter dans" in r.output and "courriel" in r.output and "date_limite" in r.output
    monkeypatch.chdir(tmp_path / "espace")
    (tmp_path / "espace" / "contacts.xlsx").unlink()
    avant = _arbre(tmp_path)
    r = invoquer(["gabarits", "--annee", "2023"])
    assert r.exit_code == 1
    fichier = tmp_path / "espace" / "vif38.toml"
    assert r.output.startswith(f"Erreur : Réglages à compléter dans « {fichier} » avant de produire les classeurs :")
    assert "  - courriel est vide : écrivez l'adresse à laquelle les pilotes renvoient leur classeur" in r.output
    assert (
        '  - date_limite est vide : écrivez la date limite de retour des classeurs (JJ/MM/AAAA), par exemple date_limite = "15/03/2024"'
        in r.output
    )
    assert "service" not in r.output.split("avant de produire")[1].split("Ouvrez")[0].replace("service,", "")
    r = invoquer(["courriels", "--annee", "2023"])
    assert r.exit_code == 1 and "avant de préparer les courriels" in r.output
    assert _arbre(tmp_path) == avant  # no template, no contacts.xlsx recreated

    # --date-limite stands for the setting; the address is still required.
    r = invoquer(["gabarits", "--annee", "2023", "--date-limite", "15/03/2024"])
    assert r.exit_code == 1 and "courriel est vide" in r.output and "date_limite" not in r.output


@pytest.mark.parametrize(
    ("ligne", "attendu"),
    [
        ('courriel = "ddfe-isere"', "courriel : « ddfe-isere » n'est pas une adresse de courriel valable"),
        ('date_limite = "31/02/2024"', "date_limite : le 31/02/2024 n'existe pas (février 2024 a 29 jours)"),
        ('date_limite = "bientôt"', "date_limite : date « bientôt » illisible"),
        ('service = ""', "service est vide : écrivez le nom de votre service"),
        ("", "date_limite manque"),
    ],
)
def test_reglage_mal_forme_refuse_avant_le_travail(ligne, attendu, espace):
    conf = espace / "vif38.toml"
    texte = conf.read_text("utf-8")
    cle = ligne.split(" =")[0] or "date_limite"
    texte = "\n".join(li for li in texte.splitlines() if not li.startswith(f"{cle} ="))
    conf.write_text(ligne + "\n" + texte + "\n", "utf-8")  # before the [smtp] section
    r = invoquer(["gabarits", "--annee", "2023"])
    assert r.exit_code == 1
    assert attendu in r.output
    assert not (espace / "gabarits" / "2023").exists()
    r = invoquer(["config"])
    assert r.exit_code == 1 and attendu in r.output


def test_date_limite_illisible_n_empeche_pas_le_controle(espace):
    conf = espace / "vif38.toml"
    conf.write_text(conf.read_text("utf-8").replace('"15/02/2024"', '"31/02/2024"'), "utf-8")
    (espace / "saisies" / "2023").mkdir()
    r = invoquer(["controler", "--annee", "2023"])
    assert "Retours manquants" in r.output


def test_config_affiche_et_verifie(espace):
    r = invoquer(["config"])
    assert r.exit_code == 0, r.output
    assert f"Espace de travail : {espace}" in r.output
    assert "  courriel     : ddfe@exemple.invalid" in r.output
    assert "  date_limite  : 15/02/2024" in r.output
    assert "  service      : DDFE de l'Isère" in r.output
    assert "protocole intégré" in r.output
    assert r.output.rstrip().endswith("Réglages complets.")
    conf = espace / "vif38.toml"
    conf.write_text(conf.read_text("utf-8").replace("courriel =", "courriell ="), "utf-8")
    r = invoquer(["config"])
    assert r.exit_code == 1
    assert "réglage « courriell » inconnu" in r.output
    assert "courriel manque" in r.output and "(la ligne « courriell » est-elle une faute de frappe ?)" in r.output


def test_config_verifie_que_les_fichiers_nommes_existent(espace):
    """A Word base named in vif38.toml but absent is not « Réglages complets » (issue 27)."""
    conf = espace / "vif38.toml"
    conf.write_text(conf.read_text("utf-8").replace('modele = ""', 'modele = "base-disparue.docx"'), "utf-8")
    r = invoquer(["config"])
    assert r.exit_code == 1, r.output
    assert "Réglages complets" not in r.output
    assert "  modele       : " in r.output and "base-disparue.docx" in r.output
    assert "modele : « " in r.output and "base-disparue.docx » (le document Word de base du bilan) est introuvable" in r.output
    (espace / "base-disparue.docx").mkdir()
    r = invoquer(["config"])
    assert r.exit_code == 1 and "est un dossier" in r.output
    (espace / "base-disparue.docx").rmdir()
    (espace / "base-disparue.docx").write_bytes(b"PK\x03\x04")
    r = invoquer(["config"])
    assert r.exit_code == 0 and r.output.rstrip().endswith("Réglages complets."), r.output


def test_init_pose_les_questions_dans_un_terminal(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    monkeypatch.setattr("vif38_bilan.cli.accueil._interactif", lambda: True)
    reponses = "\n".join(["DDFE Isère - Préfecture", "ddfe", "ddfe@isere.gouv.fr", "31/02/2025", "14/03/2025"]) + "\n"
    r = invoquer(["init", "espace"], input=reponses)
    assert r.exit_code == 0, r.output
    assert "Nom du service [DDFE de l'Isère]" in r.output
    assert "« ddfe » n'est pas une adresse de courriel valable" in r.output
    assert "Le 31/02/2025 n'existe pas" in r.output
    from vif38_bilan.espace.reglages import charger_config

    c = charger_config(tmp_path / "espace")
    assert (c.service, c.courriel, c.date_limite.isoformat()) == (
        "DDFE Isère - Préfecture",
        "ddfe@isere.gouv.fr",
        "2025-03-14",
    )
    assert "À compléter" not in r.output


def test_init_garde_les_valeurs_par_defaut_et_les_options(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    monkeypatch.setattr("vif38_bilan.cli.accueil._interactif", lambda: True)
    monkeypatch.setattr("vif38_bilan.cli.accueil._date_limite_proposee", lambda: "16/03/2026")
    r = invoquer(["init", "e", "--courriel", "a@b.fr"], input="\n\n")
    assert r.exit_code == 0, r.output
    assert "Adresse de retour" not in r.output  # given as an option: not asked
    texte = (tmp_path / "e" / "vif38.toml").read_text("utf-8")
    assert 'service = "DDFE de l\'Isère"' in texte and 'date_limite = "16/03/2026"' in texte
    # An existing workspace: nothing asked, nothing replaced.
    r = invoquer(["init", "e"], input="")
    assert r.exit_code == 0 and "rien n'a été remplacé" in r.output
    assert (tmp_path / "e" / "vif38.toml").read_text("utf-8") == texte


# ---------------------------------------------------------------- vif38.toml written by hand


@pytest.mark.parametrize(
    ("remplacer", "par", "conseil"),
    [
        (
            'date_limite = "15/02/2024"',
            "date_limite = 15/02/2024",
            'Mettez la date entre guillemets : date_limite = "15/02/2024".',
        ),
        (
            'service = "DDFE de l\'Isère"',
            "service = DDFE Isère",
            'Mettez le texte entre guillemets : service = "DDFE Isère".',
        ),
        (
            'service = "DDFE de l\'Isère"',
            'service = "DDFE Isère',
            "Il manque un guillemet \" : la valeur s'écrit entre deux guillemets",
        ),
        ('service = "DDFE de l\'Isère"', "service = 'DDFE de l'Isère'", "Mettez le texte entre guillemets droits"),
        ('service = "DDFE de l\'Isère"', "service = “DDFE”", "guillemets droits"),
        ("[smtp]", "[smtp", "Une section s'écrit entre deux crochets, seule sur sa ligne, par exemple [smtp]."),
        (
            'date_limite = "15/02/2024"',
            'date limite = "15/02/2024"',
            "Le nom de réglage « date limite » est mal écrit : écrivez « date_limite »",
        ),
        (
            'date_limite = "15/02/2024"',
            'date_limite = "15/02/2024"\ndate_limite = "16/02/2024"',
            "Le réglage « date_limite » est écrit deux fois",
        ),
        ("port = 587", "port = 587 et 465", "Un nombre s'écrit avec des chiffres seuls"),
    ],
)
def test_erreur_de_syntaxe_toml_en_francais(remplacer, par, conseil, espace):
    conf = espace / "vif38.toml"
    texte = conf.read_text("utf-8")
    assert remplacer in texte
    texte = texte.replace(remplacer, par, 1)
    conf.write_text(texte, "utf-8")
    r = invoquer(["controler", "--annee", "2023"])
    assert r.exit_code == 1
    assert f"Erreur : Le fichier « {conf} » est mal écrit, ligne " in r.output
    numero = int(r.output.split("mal écrit, ligne ")[1].split(" ")[0])
    assert f"\n    {texte.splitlines()[numero - 1].strip()}\n" in r.output
    assert conseil in r.output
    assert "Expected" not in r.output and "Invalid" not in r.output and "at line" not in r.output


def test_toml_pas_en_utf8(espace):
    conf = espace / "vif38.toml"
    conf.write_bytes(conf.read_text("utf-8").encode("cp1252"))
    with pytest.raises(ConfigurationInvalide, match="n'est pas enregistré en UTF-8"):
        ouvrir_espace(espace)


def test_referentiel_toml_mal_ecrit(tmp_path, monkeypatch):
    f = tmp_path / "protocole.toml"
    f.write_text('id = "x"\ntitre = Protocole départemental\n', "utf-8")
    monkeypatch.chdir(tmp_path)
    r = invoquer(["--referentiel", str(f), "referentiel"])
    assert r.exit_code == 1
    assert "ligne 2" in r.output and "    titre = Protocole départemental" in r.output
    assert 'Mettez le texte entre guillemets : titre = "Protocole départemental".' in r.output
    assert "Invalid value" not in r.output


# ---------------------------------------------------------------- progress


def test_pas_de_barre_de_progression_quand_la_sortie_est_redirigee(espace):
    r = invoquer(["gabarits", "--annee", "2023", "--pilote", "CAF", "--pilote", "DDFE"])
    assert r.exit_code == 0
    (espace / "saisies" / "2023").mkdir()
    for args in (["controler", "--annee", "2023"], ["bilan", "--annee", "2023"]):
        r = invoquer(args)
        assert r.exit_code == 0, r.output
        assert not any(m in r.stderr + r.output for m in ("Classeurs  [", "Contrôle  [", "Bilan  [", "%"))


def _dans_un_terminal(args: list[str], dossier: Path) -> str:
    """What a command writes on stderr when stderr is a terminal (pseudo-terminal)."""
    import pty
    import subprocess

    maitre, esclave = pty.openpty()
    p = subprocess.run(
        [sys.executable, "-m", "vif38_bilan", *args],
        stdin=subprocess.DEVNULL,
        stdout=subprocess.PIPE,
        stderr=esclave,
        cwd=dossier,
        env={**os.environ, "COLUMNS": "100"},
        timeout=300,
    )
    os.close(esclave)
    vu = b""
    while True:
        try:
            bloc = os.read(maitre, 4096)
        except OSError:
            break
        if not bloc:
            break
        vu += bloc
    os.close(maitre)
    assert p.returncode in (0, 1), vu  # 1: the check found erreurs (a blank template)
    return vu.decode("utf-8", "replace")


@pytest.mark.skipif(sys.platform == "win32", reason="pseudo-terminal POSIX")
def test_barre_de_progression_dans_un_terminal(espace):
    vu = _dans_un_terminal(["gabarits", "--annee", "2023", "--pilote", "CAF", "--pilote", "DDFE"], espace)
    assert "Classeurs" in vu and "100%" in vu
    (espace / "saisies" / "2023").mkdir()
    import shutil

    shutil.copy(espace / "gabarits" / "2023" / "2023_CAF_bilan-protocole-VIF.xlsx", espace / "saisies" / "2023")
    vu = _dans_un_terminal(["controler", "--annee", "2023"], espace)
    assert "Contrôle" in vu and "100%" in vu
    vu = _dans_un_terminal(["bilan", "--annee", "2023"], espace)
    assert "Bilan" in vu and "100%" in vu


# ---------------------------------------------------------------- one story for pilots


def test_une_seule_histoire_pour_les_pilotes_renommer_le_fichier_est_permis(gabarits):
    from vif38_bilan.courriels.textes import CORPS, ENVOI, RELANCE

    autorise = "Vous pouvez renommer le fichier"
    interdit = ("sans le renommer", "ne renommez pas le fichier", "ne pas renommer le fichier")
    from openpyxl import load_workbook

    mode = load_workbook(next(gabarits.glob("2023_CAF_*.xlsx")), read_only=True)["Mode d'emploi"]
    texte_classeur = " ".join(str(c) for ligne in mode.iter_rows(values_only=True) for c in ligne if c)
    readme = (RACINE_DEPOT / "README.md").read_text("utf-8")
    for lieu, texte in (("courriel", CORPS[ENVOI] + CORPS[RELANCE]), ("classeur", texte_classeur), ("README", readme)):
        assert autorise in texte, lieu
        assert not any(x in texte for x in interdit), lieu


def test_protocole_modifie_apres_envoi_le_pilote_n_est_pas_mis_en_cause(protocole, gabarits, tmp_path):
    # CAF's workbook was generated with the protocol of the day; then an action is taken from CAF
    # and another one given to it. CAF's return is intact: the findings say the protocol changed.
    from tests.fabriques import ANNEE, remplir

    from vif38_bilan.controle.retours import controler
    from vif38_bilan.referentiel.protocole import vers_dict
    from vif38_bilan.referentiel.chargement import depuis_dict

    saisies = tmp_path / "saisies"
    remplir(protocole, gabarits, saisies, "CAF")
    d = vers_dict(protocole)
    caf = [a for a in d["actions"] if "CAF" in a["pilotes"]]
    retiree = next(a for a in caf if len(a["pilotes"]) > 1)
    retiree["pilotes"] = [p for p in retiree["pilotes"] if p != "CAF"]
    ajoutee = next(a for a in d["actions"] if "CAF" not in a["pilotes"])
    ajoutee["pilotes"] = [*ajoutee["pilotes"], "CAF"]
    modifie = depuis_dict(d)

    res = controler(modifie, ANNEE, saisies)
    par_regle = {a.regle: a for a in res.anomalies if a.code_action in (retiree["code"], ajoutee["code"])}
    assert set(par_regle) == {"protocole_modifie_action_retiree", "protocole_modifie_action_ajoutee"}
    a = par_regle["protocole_modifie_action_retiree"]
    assert a.gravite == "avertissement" and a.code_action == retiree["code"]
    assert "le protocole a changé depuis" in a.message and "Le pilote n'a rien à corriger." in a.message
    a = par_regle["protocole_modifie_action_ajoutee"]
    assert a.gravite == "avertissement"
    assert f"vif38-bilan gabarits --annee {ANNEE} --pilote CAF" in a.message
    assert not [a for a in res.anomalies if a.regle in ("action_inconnue", "action_manquante")]
    assert res.nb_erreurs == 0


# ---------------------------------------------------------------- the referential workbook, edited by hand


def _referentiel_modifie(protocole, chemin, modifier):
    from openpyxl import load_workbook

    from vif38_bilan.referentiel.classeur import ecrire_xlsx

    ecrire_xlsx(protocole, chemin)
    wb = load_workbook(chemin)
    modifier(wb)
    wb.save(chemin)
    return chemin


def _colonne(ws, titre):
    return next(c.column for c in ws[1] if c.value == titre)


def test_classeur_referentiel_erreur_nommee_par_feuille_ligne_colonne(protocole, tmp_path):
    from vif38_bilan.exceptions import ReferentielInvalide
    from vif38_bilan.referentiel.chargement import charger_protocole

    def modifier(wb):
        ws = wb["Indicateurs"]
        ws.cell(12, _colonne(ws, "Cible annuelle")).value = "cent"
        ws = wb["Actions"]
        ws.cell(5, _colonne(ws, "Objectif")).value = "trois"
        ws = wb["Calendrier"]
        ws.cell(3, _colonne(ws, "Statut 2023")).value = "en cours ?"

    f = _referentiel_modifie(protocole, tmp_path / "protocole.xlsx", modifier)
    with pytest.raises(ReferentielInvalide) as e:
        charger_protocole(f)
    fautes = e.value.fautes
    assert "feuille Indicateurs, ligne 12, colonne « Cible annuelle » : « cent » n'est pas un nombre entier" in fautes
    assert "feuille Actions, ligne 5, colonne « Objectif » : « trois » n'est pas un nombre entier" in fautes
    assert (
        "feuille Calendrier, ligne 3, colonne « Statut 2023 » : « en cours ? » n'est pas un statut prévu ; écrivez "
        "l'un de EFFECTUÉE, EN COURS, EN ATTENTE, POURSUIVRE, LANCEMENT, ANNULÉE (ou laissez la case vide)"
    ) in fautes
    assert not any("'" + "cent" in x or "lu :" in x for x in fautes)


def test_calendrier_variantes_normalisees_avec_avertissement(protocole, tmp_path, monkeypatch):
    from vif38_bilan.referentiel.chargement import charger_protocole

    def modifier(wb):
        ws = wb["Calendrier"]
        ws.cell(2, _colonne(ws, "Statut 2022")).value = "en cours"
        ws.cell(4, _colonne(ws, "Statut 2024")).value = "Pour suivre"

    f = _referentiel_modifie(protocole, tmp_path / "protocole.xlsx", modifier)
    p = charger_protocole(f)
    assert p.calendrier[0].statuts[0] == "EN COURS" and p.calendrier[2].statuts[2] == "POURSUIVRE"
    assert p.avertissements == (
        "feuille Calendrier, ligne 2, colonne « Statut 2022 » : « en cours » a été lu comme « EN COURS »",
        "feuille Calendrier, ligne 4, colonne « Statut 2024 » : « Pour suivre » a été lu comme « POURSUIVRE »",
    )
    monkeypatch.chdir(tmp_path)
    r = invoquer(["--referentiel", str(f), "referentiel"])
    assert r.exit_code == 0
    assert "Attention (référentiel) : feuille Calendrier, ligne 2, colonne « Statut 2022 »" in r.stderr


def test_calendrier_toml_statut_inconnu_refuse(protocole):
    from vif38_bilan.exceptions import ReferentielInvalide
    from vif38_bilan.referentiel.protocole import vers_dict
    from vif38_bilan.referentiel.chargement import depuis_dict

    d = vers_dict(protocole)
    d["calendrier"][0]["statuts"][1] = "en cours ?"
    with pytest.raises(ReferentielInvalide, match=r"calendrier, ligne 1, statut 2023 : « en cours \? » n'est pas"):
        depuis_dict(d)


# ---------------------------------------------------------------- small things a reader sees


def test_pas_de_cumul_2022_2022_dans_l_historique_de_la_premiere_annee(espace):
    from openpyxl import load_workbook

    r = invoquer(["historique", "--annee", "2022"])
    assert r.exit_code == 0, r.output
    wb = load_workbook(espace / "sorties" / "2022" / "consolidation-2022.xlsx")
    entetes = [c.value for c in wb["indicateurs"][1]]
    assert "Cumul 2022" in entetes and not any("2022-2022" in str(x) for x in entetes)
    from vif38_bilan.consolidation.disposition import entetes_indicateurs

    assert "Cumul 2022-2023" in entetes_indicateurs((2022, 2023), 2023)


def test_en_tete_classeurs_assez_large_pour_ne_pas_etre_coupe(protocole, espace):
    import docx
    from docx.shared import Cm

    from vif38_bilan.cycle import ouvrir_espace, produire_bilan

    (espace / "saisies" / "2022").mkdir()
    sorties = produire_bilan(ouvrir_espace(espace), 2022)
    d = docx.Document(str(sorties.bilan))
    t = next(t for t in d.tables if [c.text for c in t.rows[0].cells][:3] == ["Pilote", "Rôle", "Classeurs"])
    # 8.5 pt bold: ~0.55 em per character, plus the cell's side margins (0.19 cm each).
    besoin = len("Classeurs") * 0.55 * 8.5 / 72 * 2.54 + 2 * 0.19
    for ligne in t.rows[:1]:
        assert ligne.cells[2].width >= Cm(besoin + 0.2), (ligne.cells[2].width / 360000, besoin)
    assert "2022-2022" not in "\n".join(p.text for p in d.paragraphs) + "".join(
        c.text for t in d.tables for c in t.rows[0].cells
    )


def test_init_refuse_un_espace_dans_saisies_d_un_espace(espace, monkeypatch):
    (espace / "saisies" / "2023").mkdir()
    monkeypatch.chdir(espace / "saisies" / "2023")
    r = invoquer(["init", "."])
    assert r.exit_code == 1
    assert f"est dans le dossier saisies/ de l'espace de travail « {espace} »" in r.output
    assert list((espace / "saisies" / "2023").iterdir()) == []
    # Beside the workspace's folders, a new workspace is fine (e.g. a test space inside the clone).
    monkeypatch.chdir(espace)
    assert invoquer(["init", "essai"]).exit_code == 0
