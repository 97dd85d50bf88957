"""The local web page's security rules, over HTTP (Flask's test client; no browser needed)."""

from __future__ import annotations

import html
import re

import pytest
from tests.fabriques import empreintes

from vif38_bilan.web import creer_app, etapes
from vif38_bilan.web.securite import NOM_COOKIE

PORT = 8038
HOTE = f"127.0.0.1:{PORT}"
XLSX_VIDE = b"PK\x03\x04" + b"\x00" * 200  # looks like a workbook to the browser; the check says "abîmé"


@pytest.fixture
def app(espace):
    return creer_app(etapes.ouvrir_espace(espace), port=PORT)


@pytest.fixture
def secrets_(app):
    return app.config["VIF38"].secrets


def _client(app, secrets_=None):
    """A browser: with the cookie when secrets_ is given (the token was exchanged)."""
    c = app.test_client()
    if secrets_ is not None:
        r = c.get(f"/?jeton={secrets_.jeton}", headers={"Host": HOTE})
        assert r.status_code == 303
    return c


def _get(c, url, **kw):
    return c.get(url, headers={"Host": HOTE, **kw.pop("headers", {})}, **kw)


def _post(c, url, data, **kw):
    return c.post(url, data=data, headers={"Host": HOTE, **kw.pop("headers", {})}, **kw)


def _texte(r) -> str:
    return html.unescape(r.data.decode())


def _csrf(page: bytes) -> str:
    return re.search(rb'name="csrf" value="([^"]+)"', page).group(1).decode()


# ---------------------------------------------------------------- token and cookie


@pytest.mark.parametrize(
    "url", ["/", "/2023/", "/2023/rapport", "/static/style.css", "/fichier?chemin=contacts.xlsx", "/travail/1.json"]
)
def test_sans_jeton_tout_est_refuse(app, url):
    r = _get(_client(app), url)
    assert r.status_code == 403
    texte = _texte(r)
    assert "Accès refusé" in texte and "jeton" in texte
    assert "contacts" not in texte and "style" not in texte.split("<style>")[0]


def test_mauvais_jeton_refuse_et_aucun_cookie(app):
    r = _get(_client(app), "/?jeton=devine")
    assert r.status_code == 403
    assert "Set-Cookie" not in r.headers


def test_le_jeton_devient_un_cookie_httponly_samesite_strict(app, secrets_):
    c = _client(app)
    r = _get(c, f"/2023/rapport?jeton={secrets_.jeton}&gravite=erreur")
    assert r.status_code == 303
    # The token leaves the address bar; the other parameters stay.
    assert r.headers["Location"] == "/2023/rapport?gravite=erreur"
    cookie = r.headers["Set-Cookie"]
    assert cookie.startswith(f"{NOM_COOKIE}={secrets_.session};")
    assert "HttpOnly" in cookie and "SameSite=Strict" in cookie and "Path=/" in cookie
    assert secrets_.jeton not in cookie
    page = _get(c, "/2023/")
    assert page.status_code == 200
    assert "Bilan 2023 : où en est l'année" in _texte(page)


def test_un_autre_cookie_est_refuse(app, secrets_):
    c = _client(app)
    c.set_cookie(NOM_COOKIE, "faux", domain="127.0.0.1")
    assert _get(c, "/2023/").status_code == 403


# ---------------------------------------------------------------- Host header (DNS rebinding)


@pytest.mark.parametrize(
    "hote", ["evil.example", f"evil.example:{PORT}", "127.0.0.1.evil.example", "localhost:9999", "0.0.0.0", "[::1]"]
)
def test_hote_etranger_refuse_meme_avec_le_cookie(app, secrets_, hote):
    c = _client(app, secrets_)
    r = c.get("/2023/", headers={"Host": hote})
    assert r.status_code == 403
    assert "Adresse refusée" in _texte(r)
    # Not even the token exchange works under a foreign name.
    r = c.get(f"/?jeton={secrets_.jeton}", headers={"Host": hote})
    assert r.status_code == 403 and "Set-Cookie" not in r.headers


@pytest.mark.parametrize("hote", [HOTE, f"localhost:{PORT}", "127.0.0.1", "LOCALHOST"])
def test_hotes_locaux_acceptes(app, secrets_, hote):
    c = app.test_client()  # a cookie belongs to one host name: exchange the token under this one
    assert c.get(f"/?jeton={secrets_.jeton}", headers={"Host": hote}).status_code == 303
    assert c.get("/2023/", headers={"Host": hote}).status_code == 200


# ---------------------------------------------------------------- state changes: POST + CSRF only


def test_aucune_page_get_ne_modifie_l_espace(app, secrets_, espace):
    c = _client(app, secrets_)
    avant = empreintes(espace)
    for url in [
        "/2023/gabarits", "/2023/courriels?type=envoi", "/2023/bilan?presentation=annexe", "/2023/historique",
        "/2023/depot", "/2023/gabarits.zip", "/2023/courriels/envoi.zip",
    ]:  # fmt: skip
        assert _get(c, url).status_code in (200, 404), url
    apres = empreintes(espace)
    assert {k: v for k, v in apres.items() if ".vif38.lock" not in k} == avant
    assert not (espace / "gabarits" / "2023").exists()


@pytest.mark.parametrize("url", ["/2023/historique/depot"])
def test_une_action_par_un_lien_est_refusee(app, secrets_, url):
    r = _get(_client(app, secrets_), url)
    assert r.status_code == 405
    assert "par le bouton de la page" in _texte(r)


def test_post_sans_jeton_csrf_refuse(app, secrets_, espace):
    c = _client(app, secrets_)
    r = _post(c, "/2023/historique", {})
    assert r.status_code == 403
    assert "Formulaire expiré ou venu d'ailleurs" in _texte(r)
    r = _post(c, "/2023/historique", {"csrf": "faux"})
    assert r.status_code == 403
    assert not (espace / "sorties" / "2023").exists()


def test_post_d_une_autre_origine_refuse(app, secrets_, espace):
    c = _client(app, secrets_)
    csrf = _csrf(_get(c, "/2023/historique").data)
    r = _post(c, "/2023/historique", {"csrf": csrf}, headers={"Origin": "http://evil.example"})
    assert r.status_code == 403
    assert "ne vient pas de cette page" in _texte(r)
    assert not (espace / "sorties" / "2023").exists()


def test_post_sans_cookie_refuse_meme_avec_le_csrf(app, secrets_, espace):
    csrf = _csrf(_get(_client(app, secrets_), "/2023/historique").data)
    r = _post(_client(app), "/2023/historique", {"csrf": csrf})
    assert r.status_code == 403
    assert not (espace / "sorties" / "2023").exists()


def test_post_avec_csrf_lance_l_action(app, secrets_, espace):
    c = _client(app, secrets_)
    csrf = _csrf(_get(c, "/2023/historique").data)
    r = _post(c, "/2023/historique", {"csrf": csrf}, headers={"Origin": f"http://{HOTE}"})
    assert r.status_code == 303 and r.headers["Location"].startswith("/travail/")
    _attendre(app)
    from openpyxl import load_workbook

    wb = load_workbook(espace / "sorties" / "2023" / "consolidation-2023.xlsx")
    assert "actions" in wb.sheetnames


def _attendre(app, delai=60.0):
    import time

    fin = time.monotonic() + delai
    while app.config["VIF38"].travaux.en_cours() is not None:
        assert time.monotonic() < fin, "le travail ne se termine pas"
        time.sleep(0.05)


# ---------------------------------------------------------------- uploads


def _deposer(app, c, fichiers):
    import io

    csrf = _csrf(_get(c, "/2023/depot").data)
    data = {"csrf": csrf, "fichiers": [(io.BytesIO(b), nom) for nom, b in fichiers]}
    r = _post(c, "/2023/depot", data, content_type="multipart/form-data")
    _attendre(app)
    return r


def test_depot_noms_surs_octet_pour_octet_jamais_d_ecrasement(app, secrets_, espace):
    c = _client(app, secrets_)
    saisies = espace / "saisies" / "2023"
    saisies.mkdir(parents=True)
    (saisies / "Bilan DDFE.xlsx").write_bytes(b"premier")
    contenus = {
        "../../../etc/evil.xlsx": XLSX_VIDE + b"1",
        "C:/Users/agent/Bilan DDFE.xlsx": XLSX_VIDE + b"2",
        ".cache.xlsx": XLSX_VIDE + b"3",
        "Retour Département – été.xlsx": XLSX_VIDE + b"4",
    }
    r = _deposer(app, c, list(contenus.items()))
    assert r.status_code == 303
    assert (saisies / "evil.xlsx").read_bytes() == contenus["../../../etc/evil.xlsx"]
    assert (saisies / "Bilan DDFE.xlsx").read_bytes() == b"premier"  # never overwritten
    assert (saisies / "Bilan DDFE (2).xlsx").read_bytes() == contenus["C:/Users/agent/Bilan DDFE.xlsx"]
    assert (saisies / "cache.xlsx").read_bytes() == contenus[".cache.xlsx"]
    assert (saisies / "Retour Département – été.xlsx").read_bytes() == contenus["Retour Département – été.xlsx"]
    assert not (espace.parent / "etc").exists()
    assert sorted(p.name for p in saisies.iterdir()) == sorted(
        ["Bilan DDFE.xlsx", "Bilan DDFE (2).xlsx", "evil.xlsx", "cache.xlsx", "Retour Département – été.xlsx"]
    )
    # The year was checked again: the page lists each file with the check's French reason.
    page = _texte(_get(c, "/2023/depot"))
    assert "Bilan DDFE (2).xlsx" in page and "(renommé)" in page
    assert "abîmé" in page


def test_depot_de_plus_de_20_mo_refuse_avec_sa_raison(app, secrets_, espace):
    c = _client(app, secrets_)
    gros = XLSX_VIDE + b"\x00" * (20 * 1024 * 1024)
    _deposer(app, c, [("énorme.xlsx", gros)])
    assert not (espace / "saisies" / "2023" / "énorme.xlsx").exists()
    page = _texte(_get(c, "/2023/depot"))
    assert "1 fichier(s) non déposé(s)" in page
    assert "énorme.xlsx" in page and "plus que les 20 Mo acceptés" in page


def test_envoi_trop_gros_refuse_en_francais(app, secrets_):
    import io

    c = _client(app, secrets_)
    csrf = _csrf(_get(c, "/2023/depot").data)
    app.config["MAX_CONTENT_LENGTH"] = 1024
    data = {"csrf": csrf, "fichiers": [(io.BytesIO(b"x" * 4096), "a.xlsx")]}
    r = _post(c, "/2023/depot", data, content_type="multipart/form-data")
    assert r.status_code == 413
    assert "Déposez les classeurs en plusieurs fois" in _texte(r)


# ---------------------------------------------------------------- downloads


def test_seuls_les_fichiers_de_l_espace_se_telechargent(app, secrets_, espace, tmp_path_factory):
    c = _client(app, secrets_)
    sortie = espace / "sorties" / "2023"
    sortie.mkdir(parents=True)
    (sortie / "controle-2023.xlsx").write_bytes(b"rapport")
    (sortie / ".vif38.lock").write_bytes(b"")
    secret = tmp_path_factory.mktemp("ailleurs") / "secret.txt"
    secret.write_text("confidentiel")
    (sortie / "lien.xlsx").symlink_to(secret)
    (espace / "sorties" / "lien-dossier").symlink_to(secret.parent, target_is_directory=True)
    r = _get(c, "/fichier?chemin=sorties/2023/controle-2023.xlsx")
    assert r.status_code == 200 and r.data == b"rapport"
    assert "attachment" in r.headers["Content-Disposition"]
    assert _get(c, "/fichier?chemin=contacts.xlsx").status_code == 200
    for chemin in [
        "../" + secret.name, str(secret), "sorties/2023/lien.xlsx", "sorties/lien-dossier/secret.txt",
        "sorties/2023/.vif38.lock", "vif38.toml", "sorties/../vif38.toml", "sorties/2023/absent.xlsx",
        "sorties\\2023\\controle-2023.xlsx", "sorties/2023",
    ]:  # fmt: skip
        r = _get(c, "/fichier", query_string={"chemin": chemin})
        assert r.status_code == 404, chemin
        assert b"confidentiel" not in r.data


def test_pages_sans_ressource_externe(app, secrets_):
    """Nothing fetched from the network: every src/href is local."""
    c = _client(app, secrets_)
    for url in ["/2023/", "/2023/depot", "/2023/bilan"]:
        page = _texte(_get(c, url))
        assert not re.search(r'(?:src|href)="(?:https?:)?//', page), url
        assert 'lang="fr"' in page


def test_entetes_de_protection_sur_chaque_reponse(app, secrets_):
    c = _client(app, secrets_)
    for r in (_get(c, "/2023/"), _get(_client(app), "/2023/"), _get(c, "/static/style.css")):
        assert "frame-ancestors 'none'" in r.headers["Content-Security-Policy"]
        assert "default-src 'self'" in r.headers["Content-Security-Policy"]
        assert r.headers["X-Frame-Options"] == "DENY"
        assert r.headers["Referrer-Policy"] == "same-origin"
        assert r.headers["Cache-Control"] == "no-store"
