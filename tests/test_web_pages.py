"""The web page's pages over HTTP: lock shown, drafts and templates downloaded, the CLI command."""

from __future__ import annotations

import html
import io
import re
import socket
import time
import zipfile

import pytest
from click.testing import CliRunner
from tests.test_courriels import ecrire_contacts_demo, faux_gabarits

from vif38_bilan.cli.principal import cli
from vif38_bilan.web import creer_app, demarrer, etapes

HOTE = "127.0.0.1:8038"


@pytest.fixture
def app(espace):
    return creer_app(etapes.ouvrir_espace(espace), port=8038)


@pytest.fixture
def c(app):
    client = app.test_client()
    secrets_ = app.config["VIF38"].secrets
    assert client.get(f"/?jeton={secrets_.jeton}", headers={"Host": HOTE}).status_code == 303
    return client


def _get(c, url):
    r = c.get(url, headers={"Host": HOTE})
    return r, html.unescape(r.data.decode("utf-8", "replace"))


def _post(c, url, data):
    _, page = _get(c, "/2023/bilan")  # every form of the server carries the same token
    csrf = re.search(r'name="csrf" value="([^"]+)"', page).group(1)
    return c.post(url, data={"csrf": csrf, **data}, headers={"Host": HOTE})


def _attendre(app, delai=120.0):
    fin = time.monotonic() + delai
    while app.config["VIF38"].travaux.en_cours() is not None:
        assert time.monotonic() < fin, "le travail ne se termine pas"
        time.sleep(0.05)


def test_le_verrou_de_l_espace_se_voit_sur_la_page(app, c, espace):
    from vif38_bilan.commun.ecriture import verrou

    with verrou(espace):  # a CLI command at work on the same workspace
        _, page = _get(c, "/2023/")
        assert "travaille déjà" in page
        r = _post(c, "/2023/historique", {})
        assert r.status_code == 303
        _attendre(app)
        _, page = _get(c, r.headers["Location"])
        assert "Le travail n'a pas abouti" in page and "travaille déjà" in page
    assert not (espace / "sorties" / "2023" / "consolidation-2023.xlsx").exists()
    _, page = _get(c, "/2023/")
    assert "travaille déjà" not in page


def test_courriels_un_par_un_en_zip_et_liste_attention(app, c, espace, protocole):
    ecrire_contacts_demo(espace, protocole, sans_courriel=("OFII",))
    faux_gabarits(espace, protocole)
    r = _post(c, "/2023/courriels", {"type": "envoi"})
    assert r.status_code == 303
    _attendre(app)
    r, page = _get(c, "/2023/courriels")
    assert "ATTENTION : 1 destinataire(s) sans brouillon" in page and "OFII" in page
    dossier = espace / "sorties" / "2023" / "courriels" / "envoi"
    emls = sorted(dossier.glob("*.eml"))
    assert len(emls) > 20
    liens = re.findall(r'href="(/fichier\?chemin=sorties/2023/courriels/envoi/[^"]+)"', page)
    assert len(liens) == len(emls)
    r, _ = _get(c, liens[0].replace("&amp;", "&"))
    assert r.status_code == 200 and r.data == emls[0].read_bytes()
    r, _ = _get(c, "/2023/courriels/envoi.zip")
    z = zipfile.ZipFile(io.BytesIO(r.data))
    assert sorted(z.namelist()) == [p.name for p in emls]
    assert z.read(emls[-1].name) == emls[-1].read_bytes()
    assert _get(c, "/2023/courriels/relance.zip")[0].status_code == 404
    assert _get(c, "/2023/courriels/autre.zip")[0].status_code == 404


def test_gabarits_en_zip(app, c, espace, protocole):
    faits = faux_gabarits(espace, protocole)
    r, page = _get(c, "/2023/gabarits")
    assert f"{len(faits)} classeur(s), produits le" in page
    r, _ = _get(c, "/2023/gabarits.zip")
    z = zipfile.ZipFile(io.BytesIO(r.data))
    assert sorted(z.namelist()) == sorted(p.name for p in faits.values())


def test_annee_hors_protocole_introuvable(c):
    r, page = _get(c, "/2031/")
    assert r.status_code == 404 and "Cette page n'existe pas" in page


def test_le_serveur_n_ecoute_que_sur_127_0_0_1(espace):
    d = demarrer(etapes.ouvrir_espace(espace), port=0)
    try:
        assert d.serveur.socket.getsockname()[0] == "127.0.0.1"
        assert d.adresse.startswith(f"http://127.0.0.1:{d.port}/?jeton=")
    finally:
        d.close()


def test_commande_web_adresse_navigateur_et_ctrl_c(espace, monkeypatch):
    import webbrowser

    from vif38_bilan.web import serveur as module

    ouverts = []
    monkeypatch.setattr(webbrowser, "open", ouverts.append)

    def ctrl_c(self):
        raise KeyboardInterrupt

    monkeypatch.setattr(module.Demarre, "run", ctrl_c)
    port = _port_libre()
    r = CliRunner().invoke(cli, ["web", "--port", port], catch_exceptions=False)
    assert r.exit_code == 0, r.output
    adresse = re.search(rf"http://127\.0\.0\.1:{port}/\?jeton=\S+", r.output).group(0)
    assert ouverts == [adresse]
    assert "Pour arrêter : Ctrl+C dans cette fenêtre." in r.output
    assert r.output.rstrip().endswith("Relancez « vif38-bilan web » pour la rouvrir.")
    ouverts.clear()
    r = CliRunner().invoke(cli, ["web", "--port", _port_libre(), "--sans-navigateur"], catch_exceptions=False)
    assert r.exit_code == 0 and ouverts == []


def _port_libre() -> str:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return str(s.getsockname()[1])


def test_commande_web_port_pris(espace):
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        s.listen()
        port = s.getsockname()[1]
        r = CliRunner().invoke(cli, ["web", "--port", str(port), "--sans-navigateur"])
    assert r.exit_code == 1
    assert f"Impossible d'ouvrir la page sur le port {port}" in r.output
    assert f"--port {port + 1}" in r.output
    assert "Traceback" not in r.output


def test_historique_vierge_puis_rempli_redepose(app, c, espace, protocole):
    r = _post(c, "/2022/historique", {})
    _attendre(app)
    chemin = espace / "sorties" / "2022" / "consolidation-2022.xlsx"
    vierge = chemin.read_bytes()
    _, page = _get(c, "/2022/historique")
    assert "consolidation-2022.xlsx" in page and "Remplacer le classeur existant" in page

    from openpyxl import load_workbook

    wb = load_workbook(chemin)
    ws = wb["actions"]
    entetes = [x.value for x in ws[1]]
    ws.cell(2, entetes.index("Statut 2022") + 1, "EN COURS")
    tampon = io.BytesIO()
    wb.save(tampon)
    rempli = tampon.getvalue()
    _, page = _get(c, "/2022/historique")
    csrf = re.search(r'name="csrf" value="([^"]+)"', page).group(1)
    r = c.post(
        "/2022/historique/depot", data={"csrf": csrf, "fichier": (io.BytesIO(rempli), "mon historique.xlsx")},
        headers={"Host": HOTE}, content_type="multipart/form-data",
    )  # fmt: skip
    assert r.status_code == 303
    _, page = _get(c, r.headers["Location"])
    assert "« mon historique.xlsx » déposé comme consolidation-2022.xlsx" in page
    assert "consolidation-2022 (avant dépôt 1).xlsx" in page
    assert chemin.read_bytes() == rempli
    assert (chemin.parent / "consolidation-2022 (avant dépôt 1).xlsx").read_bytes() == vierge
    # A PDF in place of the workbook: refused with the check's reason, nothing replaced.
    r = c.post(
        "/2022/historique/depot", data={"csrf": csrf, "fichier": (io.BytesIO(b"%PDF-1.7 ..."), "scan.xlsx")},
        headers={"Host": HOTE}, content_type="multipart/form-data",
    )  # fmt: skip
    _, page = _get(c, r.headers["Location"])
    assert "« scan.xlsx » n'a pas été déposé" in page and "PDF" in page
    assert chemin.read_bytes() == rempli


def test_annee_validee_figee_sur_la_page(app, c, espace):
    """A signed (validated) year: the dashboard says so, a dropped file is refused with the way to reopen."""
    from vif38_bilan.espace.cloture import chemin_validation

    sortie = espace / "sorties" / "2023"
    sortie.mkdir(parents=True)
    chemin_validation(sortie, 2023).write_text(
        '{"annee": 2023, "valide_le": "2024-04-20T10:00:00", "empreintes": []}', "utf-8"
    )
    _, page = _get(c, "/2023/")
    assert "validé le 20/04/2024" in page and "l'année est figée" in page
    _, formulaire = _get(c, "/2023/depot")
    csrf = re.search(r'name="csrf" value="([^"]+)"', formulaire).group(1)
    data = {"csrf": csrf, "fichiers": [(io.BytesIO(b"PK\x03\x04"), "Bilan CAF.xlsx")]}
    r = c.post("/2023/depot", data=data, headers={"Host": HOTE}, content_type="multipart/form-data")
    _, page = _get(c, r.headers["Location"])
    assert "1 fichier(s) non déposé(s)" in page and "vif38-bilan valider --annee 2023 --rouvrir" in page
    assert not (espace / "saisies" / "2023" / "Bilan CAF.xlsx").exists()


def test_arbitrer_depuis_la_page(app, c, espace, protocole, gabarits):
    """Issue 23: the disagreements of the last bilan, each with its form; the decision is kept and listed."""
    from tests.fabriques import remplir

    saisies = espace / "saisies" / "2023"
    # DDFE and the Département both answer 1-1-1 with different statuses: a disagreement to settle.
    remplir(protocole, gabarits, saisies, "DDFE", maj={"1-1-1": {"statut": "EFFECTUÉE"}})
    remplir(protocole, gabarits, saisies, "DEPARTEMENT", maj={"1-1-1": {"statut": "EN COURS"}})
    _, page = _get(c, "/2023/arbitrages")
    assert "Produisez le bilan 2023" in page
    r = _post(c, "/2023/bilan", {"presentation": "annexe"})
    assert r.status_code == 303
    _attendre(app)
    _, page = _get(c, "/2023/arbitrages")
    assert "Action 1-1-1 — Statuts différents" in page and 'value="pilote:DEPARTEMENT"' in page
    r = _post(
        c, "/2023/arbitrages", {"action": "1-1-1", "indicateur": "", "decision": "pilote:DEPARTEMENT", "motif": ""}
    )
    _, page = _get(c, r.headers["Location"])
    assert "--motif" in page or "Dites pourquoi" in page
    assert not (espace / "arbitrages.toml").exists()
    motif = "Le Département pilote la dernière session."
    r = _post(
        c, "/2023/arbitrages", {"action": "1-1-1", "indicateur": "", "decision": "pilote:DEPARTEMENT", "motif": motif}
    )
    _, page = _get(c, r.headers["Location"])
    assert "Arbitrage enregistré pour l'action 1-1-1" in page and motif in page
    assert 'pilote = "DEPARTEMENT"' in (espace / "arbitrages.toml").read_text("utf-8")
    r = _post(c, "/2023/arbitrages", {"action": "1-1-1", "indicateur": "", "retirer": "oui"})
    _, page = _get(c, r.headers["Location"])
    assert "Arbitrage retiré : 1-1-1." in page and "Aucun arbitrage pour 2023." in page
