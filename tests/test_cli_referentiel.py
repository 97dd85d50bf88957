"""The foundation commands through the CLI: init, referentiel, --referentiel."""

import json

from click.testing import CliRunner

from vif38_bilan.cli.principal import cli
from vif38_bilan.referentiel.protocole import vers_dict


def test_referentiel_json(protocole):
    r = CliRunner().invoke(cli, ["referentiel", "--json"], catch_exceptions=False)
    assert r.exit_code == 0
    d = json.loads(r.output)
    assert len(d["actions"]) == 53
    a = next(x for x in d["actions"] if x["code"] == "1-1-2")
    assert a["pilotes"] == ["DDFE", "ARS", "COLLECTIVITES", "DEPARTEMENT"]
    assert a["pilotage"] == "DDFE + financeurs (ARS, Collectivités locales, Département)"
    assert a["indicateurs"][0] == {
        "libelle": "Nombre de personnes formées",
        "type": "entier",
        "cible_annuelle": 100,
        "cible_texte": "former 100 professionnels par an",
        "origine": "protocole",
        "agregation": "somme",
        "temporalite": "flux",
    }
    a = next(x for x in d["actions"] if x["code"] == "1-5-3")
    assert [i["agregation"] for i in a["indicateurs"]] == ["maximum", "maximum"]
    assert {"numero": 14, "titre": "Développer la sensibilisation", "axe": 2} == {
        k: v for k, v in d["objectifs"][13].items() if k != "section"
    }
    assert d["pilotes"][0]["code"] == "DDFE"


def test_referentiel_resume():
    r = CliRunner().invoke(cli, ["referentiel"], catch_exceptions=False)
    assert r.exit_code == 0
    assert "4 axes, 25 objectifs, 53 actions, 28 pilotes" in r.output
    assert "N°14  Développer la sensibilisation (3 actions)" in r.output
    assert "ASSOCIATIONS (collectif)" in r.output


def test_export_xlsx_puis_option_referentiel(tmp_path, protocole):
    f = tmp_path / "mon-protocole.xlsx"
    r = CliRunner().invoke(cli, ["referentiel", "--xlsx", str(f)], catch_exceptions=False)
    assert r.exit_code == 0 and f.exists()
    r = CliRunner().invoke(cli, ["--referentiel", str(f), "referentiel", "--json"], catch_exceptions=False)
    assert r.exit_code == 0
    assert json.loads(r.output) == vers_dict(protocole)


def test_referentiel_mal_forme_message_francais(tmp_path, protocole):
    d = vers_dict(protocole)
    d["actions"][0]["pilotes"] = ["INCONNU"]
    f = tmp_path / "p.json"
    f.write_text(json.dumps(d), "utf-8")
    r = CliRunner().invoke(cli, ["--referentiel", str(f), "referentiel"])
    assert r.exit_code == 1
    assert "Traceback" not in r.output
    assert "code pilote « INCONNU » inconnu" in r.output
    assert "p.json" in r.output


def test_init_cree_l_espace(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    r = CliRunner().invoke(cli, ["init", "espace", "--courriel", "ddfe@exemple.invalid", "--date-limite", "15/02/2024"])
    assert r.exit_code == 0, r.output
    for d in ("gabarits", "saisies", "sorties"):
        assert (tmp_path / "espace" / d / "README.md").is_file()
    conf = (tmp_path / "espace" / "vif38.toml").read_text("utf-8")
    assert 'date_limite = "15/02/2024"' in conf
    from vif38_bilan.espace.reglages import charger_config

    c = charger_config(tmp_path / "espace")
    assert c.courriel == "ddfe@exemple.invalid" and c.date_limite.isoformat() == "2024-02-15"


def test_init_date_invalide(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    r = CliRunner().invoke(cli, ["init", "x", "--date-limite", "demain"])
    assert r.exit_code == 2
    assert "JJ/MM/AAAA" in r.output


def test_config_referentiel_du_toml(tmp_path, monkeypatch, protocole):
    d = vers_dict(protocole)
    d["titre"] = "Protocole de test"
    (tmp_path / "autre.json").write_text(json.dumps(d), "utf-8")
    (tmp_path / "vif38.toml").write_text('referentiel = "autre.json"\n', "utf-8")
    monkeypatch.chdir(tmp_path)
    r = CliRunner().invoke(cli, ["referentiel"], catch_exceptions=False)
    assert r.output.startswith("Protocole de test")


def test_python_m(tmp_path):
    import subprocess
    import sys

    r = subprocess.run([sys.executable, "-m", "vif38_bilan", "--help"], capture_output=True, text=True, cwd=tmp_path)
    assert r.returncode == 0
    assert "referentiel" in r.stdout


def test_messages_d_utilisation_en_francais():
    r = CliRunner().invoke(cli, ["gabarits"], prog_name="vif38-bilan")
    assert r.exit_code == 2
    assert "Erreur d'utilisation : option obligatoire manquante : « --annee »." in r.output
    assert "Aide : vif38-bilan gabarits --help" in r.output
    r = CliRunner().invoke(cli, ["controler", "--annee", "abc"])
    assert r.exit_code == 2 and "« abc » n'est pas un nombre entier" in r.output
    r = CliRunner().invoke(cli, ["gabarit"])
    assert r.exit_code == 2 and "Vouliez-vous dire « gabarits » ?" in r.output
    assert "Error" not in r.output and "Usage" not in r.output
