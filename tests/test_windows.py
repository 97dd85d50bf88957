"""The product on the agent's Windows PC (issue 29), checked on Linux: a simulated sys.platform,
signal.SIGKILL missing, a cp1252 console, Windows paths in vif38.toml, no time zone database,
LibreOffice where Windows users install it, the Job Object memory cap's structures and calls."""

from __future__ import annotations

import ctypes
import io
import os
import signal
import subprocess
import sys
import tomllib
import zoneinfo
from pathlib import Path

import pytest

from vif38_bilan.bilan import pdf
from vif38_bilan.cli.console import console_sure
from vif38_bilan.cli.poste import documents
from vif38_bilan.commun.toml_fr import lire_toml
from vif38_bilan.lecture import horodatage, isolee, memoire_windows

RACINE = Path(__file__).resolve().parents[1]

# ---------------------------------------------------------------- no SIGKILL, exit codes


def test_sans_sigkill_la_sortie_d_un_enfant_est_expliquee(monkeypatch):
    monkeypatch.delattr(signal, "SIGKILL")
    assert isolee._raison_de_sortie(-int(signal.SIGABRT), "linux") == "memoire"
    assert isolee._raison_de_sortie(137, "linux") == "memoire"
    assert isolee._raison_de_sortie(1, "linux") == "arret"
    assert isolee._raison_de_sortie(0xC0000409, "win32") == "memoire"  # Rust's abort (__fastfail)
    assert isolee._raison_de_sortie(-1073741801, "win32") == "memoire"  # STATUS_NO_MEMORY, signed
    assert isolee._raison_de_sortie(1, "win32") == "arret"
    assert isolee._raison_de_sortie(None, "win32") == "arret"


def _mourir(element):
    os._exit(element)


def test_un_enfant_qui_meurt_sans_sigkill_coute_son_fichier_seulement(monkeypatch):
    monkeypatch.delattr(signal, "SIGKILL")
    res = isolee.executer_isole(
        lambda e: ("ok", e) if e != 7 else _mourir(7),
        [1, 7, 2],
        lambda e, echec: ("echec", echec.raison),
        memoire=None,
    )
    assert res == [("ok", 1), ("echec", "arret"), ("ok", 2)]


# ---------------------------------------------------------------- Job Object memory cap


class _Kernel32:
    """Records the calls; answers like Windows would (handles, success)."""

    def __init__(self, creer=0x1234, engagee=40_000_000):
        self.creer, self.engagee, self.appels, self.limites = creer, engagee, [], None

    def GetCurrentProcess(self):
        return -1

    def K32GetProcessMemoryInfo(self, processus, ref, taille):
        ref._obj.PagefileUsage = self.engagee
        return 1

    def CreateJobObjectW(self, attributs, nom):
        self.appels.append("CreateJobObjectW")
        return self.creer

    def SetInformationJobObject(self, job, classe, ref, taille):
        self.appels.append(("SetInformationJobObject", job, classe, taille))
        self.limites = memoire_windows.LimitesEtendues.from_buffer_copy(ref._obj)
        return 1

    def AssignProcessToJobObject(self, job, processus):
        self.appels.append(("AssignProcessToJobObject", job, processus))
        return 1

    def CloseHandle(self, h):
        self.appels.append(("CloseHandle", h))
        return 1


@pytest.mark.skipif(ctypes.sizeof(ctypes.c_void_p) != 8, reason="64-bit layout")
def test_job_object_plafonne_la_memoire_engagee_de_l_enfant():
    assert ctypes.sizeof(memoire_windows.LimitesEtendues) == 144  # JOBOBJECT_EXTENDED_LIMIT_INFORMATION, x64
    k = _Kernel32()
    assert memoire_windows.limiter_memoire(320 * 2**20, k) is True
    assert k.appels[1] == ("SetInformationJobObject", 0x1234, 9, 144)
    assert k.appels[2] == ("AssignProcessToJobObject", 0x1234, -1)
    assert k.limites.ProcessMemoryLimit == 40_000_000 + 320 * 2**20
    assert k.limites.BasicLimitInformation.LimitFlags & 0x100  # JOB_OBJECT_LIMIT_PROCESS_MEMORY


def test_job_object_refuse_pas_de_plafond_ni_d_erreur():
    k = _Kernel32(creer=0)
    assert memoire_windows.limiter_memoire(1, k) is False
    assert memoire_windows.limiter_memoire(1) is False  # Linux: no kernel32


def test_sous_windows_l_enfant_passe_par_le_job_object(monkeypatch):
    demandes = []
    monkeypatch.setattr(sys, "platform", "win32")
    monkeypatch.setattr(memoire_windows, "limiter_memoire", lambda m: demandes.append(m) or True)
    isolee._limiter_memoire(123)
    assert demandes == [123]


# ---------------------------------------------------------------- console code page


def test_aide_redirigee_vers_un_fichier_en_cp1252(tmp_path):
    sortie = tmp_path / "aide.txt"
    env = {**os.environ, "PYTHONIOENCODING": "cp1252", "PYTHONPATH": str(RACINE)}
    with open(sortie, "wb") as f:
        r = subprocess.run([sys.executable, "-m", "vif38_bilan", "--help"], stdout=f, stderr=subprocess.PIPE, env=env)
    assert r.returncode == 0, r.stderr.decode("utf-8", "replace")
    texte = sortie.read_bytes().decode("utf-8")
    assert texte.startswith("Utilisation : vif38-bilan") and "→" in texte


def test_console_cp1252_simulee_sous_windows():
    f = io.TextIOWrapper(io.BytesIO(), encoding="cp1252")
    console_sure([f], "win32")
    f.write("Étape → bilan « 2023 »")
    f.flush()
    assert f.buffer.getvalue().decode("utf-8") == "Étape → bilan « 2023 »"


def test_terminal_non_utf8_hors_windows_remplace_sans_planter():
    class Terminal(io.BytesIO):
        def isatty(self):
            return True

    f = io.TextIOWrapper(Terminal(), encoding="ascii")
    console_sure([f], "linux")
    f.write("a → b")
    f.flush()
    assert f.buffer.getvalue() == b"a ? b"


def test_documents_hors_windows(tmp_path, monkeypatch):
    monkeypatch.setenv("HOME", str(tmp_path))
    assert documents("linux") == tmp_path
    (tmp_path / "Documents").mkdir()
    assert documents("linux") == tmp_path / "Documents"
    monkeypatch.setenv("USERPROFILE", str(tmp_path / "Profil"))
    assert documents("win32") == tmp_path / "Profil" / "Documents"  # no shell32 here: the fallback


# ---------------------------------------------------------------- tzdata


def test_tzdata_declare_pour_windows():
    import configparser

    from packaging.requirements import Requirement

    cfg = configparser.ConfigParser()
    cfg.read(RACINE / "setup.cfg", encoding="utf-8")
    reqs = [Requirement(r) for r in cfg.get("options", "install_requires").split("\n") if r.strip()]
    tz = [r for r in reqs if r.name == "tzdata"]
    assert tz and (tz[0].marker is None or tz[0].marker.evaluate({"sys_platform": "win32"}))


@pytest.fixture
def sans_fuseaux(monkeypatch):
    for nom in ["tzdata", *(n for n in sys.modules if n.startswith("tzdata."))]:
        monkeypatch.setitem(sys.modules, nom, None)  # also what an earlier import left loaded
    zoneinfo.reset_tzpath(to=[])
    zoneinfo.ZoneInfo.clear_cache()
    yield
    zoneinfo.reset_tzpath()
    zoneinfo.ZoneInfo.clear_cache()


def test_sans_base_de_fuseaux_le_message_accuse_l_installation(sans_fuseaux):
    for nom in (None, "Europe/Paris"):
        with pytest.raises(ValueError) as e:
            horodatage.fuseau(nom)
        assert "tzdata" in str(e.value) and "vif38.toml" not in str(e.value)


def test_fuseau_mal_ecrit_accuse_le_reglage():
    with pytest.raises(ValueError, match="vif38.toml"):
        horodatage.fuseau("Europe/Pariss")


# ---------------------------------------------------------------- Windows paths in vif38.toml


@pytest.mark.parametrize(
    "ecrit, lu",
    [
        (r'"C:\Users\agent\Documents\modele-bilan.docx"', r"C:\Users\agent\Documents\modele-bilan.docx"),
        (r'"C:\temp\nouveau\bilan.docx"  # \t et \n ne sont pas des échappements ici', r"C:\temp\nouveau\bilan.docx"),
        (r'"\\serveur\partage\Été 2024\modèle.docx"', r"\\serveur\partage\Été 2024\modèle.docx"),
        (r'"C:\\Users\\agent\\modele.docx"', r"C:\Users\agent\modele.docx"),  # already valid TOML
        (r"'C:\Users\agent\OneDrive - Préfecture\modele.docx'", r"C:\Users\agent\OneDrive - Préfecture\modele.docx"),
        ('"C:/Users/agent/modele.docx"', "C:/Users/agent/modele.docx"),
    ],
)
def test_chemin_windows_tel_qu_on_l_ecrit(tmp_path, ecrit, lu):
    f = tmp_path / "vif38.toml"
    f.write_bytes(f'service = "DDFE"\r\nmodele = {ecrit}\r\n'.encode())
    assert lire_toml(f)["modele"] == lu


def test_chemin_relatif_avec_barres_inverses_explique_la_bonne_forme(tmp_path):
    f = tmp_path / "vif38.toml"
    f.write_text('modele = "Modèles\\modele-bilan.docx"\n', encoding="utf-8")
    with pytest.raises(ValueError) as e:
        lire_toml(f)
    message = str(e.value)
    assert "ligne 1" in message
    conseil = message.split("\n")[2]
    formes = [
        conseil[conseil.index("modele = '") :].split(", ou")[0],
        conseil[conseil.rindex('modele = "') :].rstrip("."),
    ]
    lus = [tomllib.loads(forme)["modele"] for forme in formes]
    assert lus == ["Modèles\\modele-bilan.docx", "Modèles/modele-bilan.docx"]


# ---------------------------------------------------------------- LibreOffice on Windows


def _soffice(dossier: Path) -> Path:
    exe = dossier / "program" / "soffice.exe"
    exe.parent.mkdir(parents=True)
    exe.write_bytes(b"MZ")
    return exe


def test_libreoffice_par_utilisateur_portable_et_registre(tmp_path):
    par_utilisateur = _soffice(tmp_path / "AppData" / "Local" / "Programs" / "LibreOffice")
    portable = _soffice(tmp_path / "Profil" / "PortableApps" / "LibreOfficePortable" / "App" / "libreoffice")
    registre = _soffice(tmp_path / "Ailleurs" / "LO")
    environ = {"LOCALAPPDATA": str(tmp_path / "AppData" / "Local"), "USERPROFILE": str(tmp_path / "Profil"), "PATH": ""}

    def lire(ruche, cle):
        assert cle == r"SOFTWARE\LibreOffice\UNO\InstallPath"
        return str(registre.parent) if ruche == "HKEY_CURRENT_USER" else None

    assert pdf._candidats_soffice(environ, "win32", lire) == [str(registre), str(par_utilisateur), str(portable)]
    assert pdf._candidats_soffice(environ, "win32", lambda r, c: None) == [str(par_utilisateur), str(portable)]
    choisi = _soffice(tmp_path / "Clé USB" / "LibreOfficePortable" / "App" / "libreoffice")
    environ["VIF38_LIBREOFFICE"] = str(choisi.parent.parent)
    assert pdf._candidats_soffice(environ, "win32", lambda r, c: None)[0] == str(choisi)


def test_espace_du_poste(tmp_path, monkeypatch):
    from vif38_bilan.cli.poste import espace_du_poste

    monkeypatch.setenv("HOME", str(tmp_path))
    monkeypatch.delenv("VIF38_ESPACE", raising=False)
    (tmp_path / "Documents").mkdir()
    assert espace_du_poste() == tmp_path / "Documents" / "vif38-bilan"
    monkeypatch.setenv("VIF38_ESPACE", str(tmp_path / "Bilans été"))
    assert espace_du_poste() == tmp_path / "Bilans été"
