"""Crash safety: atomic outputs, blocked outputs, text cells, and the workspace lock."""

from __future__ import annotations

import errno
import json
import os
import signal
import subprocess
import sys
import textwrap
from pathlib import Path

import pytest
from openpyxl import Workbook, load_workbook

from vif38_bilan.commun import ecriture
from vif38_bilan.commun.ecriture import (
    ecrire_atomique,
    ecrire_octets,
    ecrire_texte,
    enregistrer_classeur,
    mettre_texte,
    nettoyer_temporaires,
    processus_vivant,
    verrou,
)
from vif38_bilan.exceptions import EspaceVerrouille, SortieBloquee

POSIX = pytest.mark.skipif(os.name == "nt", reason="POSIX signals and modes")


def classeur(texte: str) -> Workbook:
    wb = Workbook()
    wb.active["A1"] = texte
    return wb


def restes(dossier: Path) -> list[str]:
    """Temporary files left in a folder."""
    return sorted(p.name for p in dossier.iterdir() if p.name.endswith(".tmp"))


def processus(code: str, *args: str) -> subprocess.Popen:
    """A Python child that prints "pret" when it reached the interesting point."""
    return subprocess.Popen(
        [sys.executable, "-c", textwrap.dedent(code), *args], stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True
    )


def attendre_pret(p: subprocess.Popen) -> None:
    ligne = p.stdout.readline()
    assert ligne.strip() == "pret", p.stderr.read()


def pid_mort() -> int:
    p = subprocess.Popen([sys.executable, "-c", "pass"])
    p.wait()
    return p.pid


# ---------------------------------------------------------------- atomic writes


def test_ecriture_atomique_remplace_le_fichier(tmp_path):
    cible = tmp_path / "sorties" / "controle-2023.xlsx"
    enregistrer_classeur(classeur("v1"), cible)
    enregistrer_classeur(classeur("v2"), cible)
    assert load_workbook(cible).active["A1"].value == "v2"
    assert restes(cible.parent) == []
    ecrire_texte(tmp_path / "a.txt", "é")
    ecrire_octets(tmp_path / "b.bin", b"\x00\x01")
    assert (tmp_path / "a.txt").read_text("utf-8") == "é" and (tmp_path / "b.bin").read_bytes() == b"\x00\x01"


def test_ecrivain_qui_plante_laisse_la_version_precedente_entiere(tmp_path):
    cible = tmp_path / "bilan-2023.xlsx"
    enregistrer_classeur(classeur("version précédente"), cible)
    avant = cible.read_bytes()

    def ecrire_a_moitie(p: Path) -> None:
        p.write_bytes(avant[: len(avant) // 2])  # half a workbook, then the program fails
        raise RuntimeError("panne au milieu de l'écriture")

    with pytest.raises(RuntimeError, match="panne"):
        ecrire_atomique(cible, ecrire_a_moitie)
    assert cible.read_bytes() == avant
    assert load_workbook(cible).active["A1"].value == "version précédente"
    assert restes(tmp_path) == []


@POSIX
def test_processus_tue_au_milieu_de_l_ecriture(tmp_path):
    cible = tmp_path / "bilan-2023.docx"
    from docx import Document

    doc = Document()
    doc.add_paragraph("Bilan signé")
    doc.save(cible)
    avant = cible.read_bytes()
    p = processus(
        """
        import sys, time
        from pathlib import Path
        from vif38_bilan.commun.ecriture import ecrire_atomique
        def lent(tmp):
            with open(tmp, "wb") as f:
                f.write(b"PK\\x03\\x04 moitie de document")
                f.flush()
                print("pret", flush=True)
                time.sleep(60)
        ecrire_atomique(Path(sys.argv[1]), lent)
        """,
        str(cible),
    )
    attendre_pret(p)
    os.kill(p.pid, signal.SIGKILL)  # no cleanup runs: the worst case
    p.wait()
    assert cible.read_bytes() == avant
    assert Document(cible).paragraphs[0].text == "Bilan signé"
    (orphelin,) = restes(tmp_path)
    assert orphelin.startswith(".bilan-2023.docx~vif38-")
    # The next write in that folder removes what the killed run left.
    ecrire_texte(tmp_path / "autre.txt", "x")
    assert restes(tmp_path) == []
    assert cible.read_bytes() == avant


def test_temporaires_d_un_processus_vivant_gardes(tmp_path):
    vivant = tmp_path / f".x.xlsx~vif38-{os.getppid()}-abc123.tmp"
    mort = tmp_path / f".y.xlsx~vif38-{pid_mort()}-abc123.tmp"
    autre = tmp_path / ".z.tmp"
    for f in (vivant, mort, autre):
        f.write_bytes(b"x")
    assert nettoyer_temporaires(tmp_path) == [mort]
    assert vivant.exists() and autre.exists() and not mort.exists()


def test_sortie_ouverte_dans_excel(tmp_path, monkeypatch):
    """On Windows, replacing a file open in Excel raises PermissionError."""
    cible = tmp_path / "controle-2023.xlsx"
    enregistrer_classeur(classeur("ancien"), cible)
    avant = cible.read_bytes()

    def refuse(src, dst):
        raise PermissionError(errno.EACCES, "Le processus ne peut pas accéder au fichier", str(dst))

    monkeypatch.setattr(ecriture.os, "replace", refuse)
    with pytest.raises(SortieBloquee) as e:
        enregistrer_classeur(classeur("nouveau"), cible)
    assert str(e.value) == (
        f"Impossible d'écrire « {cible} » : le fichier est sans doute ouvert dans Excel, Word ou LibreOffice "
        "(ou protégé en écriture). Fermez-le puis relancez la commande ; la version précédente est restée intacte."
    )
    assert e.value.chemin == cible
    assert cible.read_bytes() == avant
    assert restes(tmp_path) == []


def test_dossier_sans_droit_d_ecriture(tmp_path, monkeypatch):
    dossier = tmp_path / "sorties"
    dossier.mkdir()
    if os.name != "nt" and os.geteuid() != 0:
        dossier.chmod(0o555)
    else:  # root ignores modes: simulate what the system would answer

        def refuse(*a, **k):
            raise PermissionError(errno.EACCES, "Permission denied")

        monkeypatch.setattr(ecriture.tempfile, "mkstemp", refuse)
    try:
        with pytest.raises(SortieBloquee) as e:
            ecrire_texte(dossier / "courriel.eml", "x")
    finally:
        dossier.chmod(0o755)
    assert f"vous n'avez pas le droit d'écrire dans le dossier « {dossier} »" in str(e.value)
    assert list(dossier.iterdir()) == []


def test_disque_plein_et_chemin_trop_long(tmp_path):
    def plein(p: Path) -> None:
        raise OSError(errno.ENOSPC, "No space left on device")

    with pytest.raises(SortieBloquee, match="le disque est plein : libérez de la place"):
        ecrire_atomique(tmp_path / "a.xlsx", plein)
    with pytest.raises(SortieBloquee, match="le chemin est trop long"):
        ecrire_texte(tmp_path / ("x" * 300 + ".txt"), "x")
    assert restes(tmp_path) == []


def test_autre_erreur_de_l_ecrivain_propagee_telle_quelle(tmp_path):
    def lit_un_modele_absent(p: Path) -> None:
        open(tmp_path / "modele-absent.docx", "rb")

    with pytest.raises(FileNotFoundError):
        ecrire_atomique(tmp_path / "bilan.docx", lit_un_modele_absent)
    modele = tmp_path / "modele.docx"

    def modele_verrouille(p: Path) -> None:
        raise PermissionError(errno.EACCES, "Permission denied", str(modele))

    with pytest.raises(PermissionError):  # about the model, not the output: not a SortieBloquee
        ecrire_atomique(tmp_path / "bilan.docx", modele_verrouille)
    assert list(tmp_path.iterdir()) == []


def test_nom_de_sortie_tres_long(tmp_path):
    nom = "retour annoté " + "Commune de Saint-Martin-d'Hères " * 6
    cible = tmp_path / (nom[:230] + ".xlsx")
    enregistrer_classeur(classeur("ok"), cible)
    assert load_workbook(cible).active["A1"].value == "ok"


@POSIX
def test_droits_usuels_et_droits_conserves(tmp_path):
    masque = os.umask(0o022)
    try:
        neuf = ecrire_texte(tmp_path / "neuf.txt", "x")
        assert neuf.stat().st_mode & 0o777 == 0o644  # not mkstemp's private 0600
        garde = tmp_path / "garde.txt"
        garde.write_text("x")
        garde.chmod(0o640)
        ecrire_texte(garde, "y")
        assert garde.stat().st_mode & 0o777 == 0o640
    finally:
        os.umask(masque)


def test_sorties_independantes(tmp_path):
    sorties = ecriture.SortiesIndependantes()

    def bloquee(p: Path) -> None:
        raise SortieBloquee(f"Impossible d'écrire « {p} » : fermez-le.")

    assert sorties.essayer(ecrire_texte, tmp_path / "a.txt", "a") == tmp_path / "a.txt"
    assert sorties.essayer(bloquee, tmp_path / "b.xlsx") is None
    assert sorties.essayer(ecrire_texte, tmp_path / "c.txt", "c") == tmp_path / "c.txt"
    with pytest.raises(SortieBloquee) as e:
        sorties.verifier()
    assert (
        str(e.value)
        == f"Impossible d'écrire « {tmp_path / 'b.xlsx'} » : fermez-le.\nLes 2 autre(s) sortie(s) ont été écrites."
    )
    ecriture.SortiesIndependantes().verifier()  # nothing blocked: nothing raised


def test_bilan_avec_le_rapport_ouvert_dans_excel(protocole, espace, monkeypatch):
    """`bilan` while controle-2023.xlsx is open in Excel: a clear message, exit 1, the previous
    report intact, and the consolidation workbook and the Word bilan written all the same."""
    from click.testing import CliRunner

    from vif38_bilan.cli.principal import cli
    from vif38_bilan.gabarits.generation import generer_gabarits
    from vif38_bilan.gabarits.remplissage import identite_inventee, remplir_gabarit, reponses_inventees

    saisies = espace / "saisies" / "2023"
    saisies.mkdir(parents=True)
    for g in generer_gabarits(protocole, 2023, espace / "gabarits" / "2023", pilotes=["CAF"]):
        reponses = reponses_inventees(protocole, g.pilote, 2023)
        remplir_gabarit(
            g.chemin, saisies / g.chemin.name, reponses, identite=identite_inventee(protocole, g.pilote, 2023)
        )
    r = CliRunner().invoke(cli, ["bilan", "--annee", "2023"], catch_exceptions=False)
    assert r.exit_code == 0, r.output
    sorties = espace / "sorties" / "2023"
    rapport, bilan = sorties / "controle-2023.xlsx", sorties / "bilan-2023.docx"
    avant = rapport.read_bytes()
    bilan.unlink()
    (sorties / "consolidation-2023.xlsx").unlink()

    remplacer = os.replace

    def excel_tient_le_rapport(src, dst):
        if Path(dst).name == rapport.name:
            raise PermissionError(errno.EACCES, "Permission denied", str(dst))
        return remplacer(src, dst)

    monkeypatch.setattr(ecriture.os, "replace", excel_tient_le_rapport)
    r = CliRunner().invoke(cli, ["bilan", "--annee", "2023"], catch_exceptions=False)
    assert r.exit_code == 1
    assert r.output.startswith(
        f"Erreur : Impossible d'écrire « {rapport} » : le fichier est sans doute ouvert dans Excel"
    )
    assert "autre(s) sortie(s) ont été écrites" in r.output
    assert "Traceback" not in r.output
    assert rapport.read_bytes() == avant
    assert load_workbook(sorties / "consolidation-2023.xlsx").sheetnames
    from docx import Document

    assert Document(bilan).paragraphs
    assert restes(sorties) == []


# ---------------------------------------------------------------- text cells


INJECTIONS = ['=HYPERLINK("http://x","y")', "+cmd|' /C calc'!A0", "-2+3", "@SUM(A1)", "=1+1"]


def test_mettre_texte_jamais_une_formule(tmp_path):
    wb = Workbook()
    ws = wb.active
    for k, t in enumerate(INJECTIONS, start=1):
        mettre_texte(ws.cell(k, 1), t)
    mettre_texte(ws.cell(10, 1), 12)
    mettre_texte(ws.cell(11, 1), None)
    chemin = enregistrer_classeur(wb, tmp_path / "t.xlsx")

    relu = load_workbook(chemin).active
    for k, t in enumerate(INJECTIONS, start=1):
        assert relu.cell(k, 1).value == t
        assert relu.cell(k, 1).data_type == "s"
    assert relu.cell(10, 1).value == 12 and relu.cell(11, 1).value is None
    from python_calamine import CalamineWorkbook

    lignes = CalamineWorkbook.from_path(chemin).get_sheet_by_index(0).to_python()
    assert [li[0] for li in lignes[: len(INJECTIONS)]] == INJECTIONS
    import zipfile

    assert b"<f>" not in zipfile.ZipFile(chemin).read("xl/worksheets/sheet1.xml")


def test_mettre_texte_nettoie_les_caracteres_interdits(tmp_path):
    wb = Workbook()
    ws = wb.active
    mettre_texte(ws["A1"], "ligne 1\x0bligne 2\x00\x07 fin\ud800")  # pasted from Word, plus garbage
    mettre_texte(ws["A2"], "x" * 40000)
    relu = load_workbook(enregistrer_classeur(wb, tmp_path / "t.xlsx")).active
    assert relu["A1"].value == "ligne 1\nligne 2 fin"
    assert len(relu["A2"].value) == ecriture.TEXTE_CELLULE_MAX and relu["A2"].value.endswith("…")


# ---------------------------------------------------------------- workspace lock

TENIR = """
import sys, time
from vif38_bilan.commun.ecriture import verrou
with verrou(sys.argv[1]):
    print("pret", flush=True)
    time.sleep(60)
"""


@POSIX
def test_deuxieme_execution_refusee_puis_verrou_repris_apres_la_mort(tmp_path):
    p = processus(TENIR, str(tmp_path))
    try:
        attendre_pret(p)
        with pytest.raises(EspaceVerrouille) as e:
            with verrou(tmp_path):
                pytest.fail("second run got in")
        message = str(e.value)
        assert message.startswith(
            f"Une autre commande vif38-bilan travaille déjà dans « {tmp_path} » (processus {p.pid}"
        )
        assert message.endswith("Attendez qu'elle se termine, puis relancez la commande.")
    finally:
        os.kill(p.pid, signal.SIGKILL)  # dies holding the lock: the system releases it
        p.wait()
    with verrou(tmp_path):
        assert json.loads((tmp_path / ".vif38.lock").read_text())["pid"] == os.getpid()
    assert not (tmp_path / ".vif38.lock").exists()


def test_verrou_perime_d_un_processus_mort_repris(tmp_path):
    (tmp_path / ".vif38.lock").write_text(json.dumps({"pid": pid_mort(), "hote": "vm", "debut": "2024-01-01T09:00:00"}))
    with verrou(tmp_path):
        assert json.loads((tmp_path / ".vif38.lock").read_text())["pid"] == os.getpid()
    assert not (tmp_path / ".vif38.lock").exists()


def test_verrou_refuse_aussi_dans_le_meme_processus(tmp_path):
    with verrou(tmp_path):
        with pytest.raises(EspaceVerrouille, match=f"processus {os.getpid()}"):
            with verrou(tmp_path):
                pass
        assert (tmp_path / ".vif38.lock").exists()  # still held by the outer block
    assert not (tmp_path / ".vif38.lock").exists()
    with verrou(tmp_path):  # free again
        pass


def test_verrou_sans_verrous_du_systeme(tmp_path, monkeypatch):
    """File systems without locks (some network shares): the pid written inside decides."""
    monkeypatch.setattr(ecriture, "_prendre", lambda chemin, dossier: None)
    (tmp_path / ".vif38.lock").write_text(json.dumps({"pid": os.getppid(), "hote": ecriture.socket.gethostname()}))
    with pytest.raises(EspaceVerrouille, match=f"processus {os.getppid()}"):
        with verrou(tmp_path):
            pass
    (tmp_path / ".vif38.lock").write_text(json.dumps({"pid": pid_mort(), "hote": ecriture.socket.gethostname()}))
    with verrou(tmp_path):
        pass


@POSIX
def test_commande_pendant_qu_une_autre_travaille(espace):
    from click.testing import CliRunner

    from vif38_bilan.cli.principal import cli

    (espace / "saisies" / "2023").mkdir(parents=True)
    p = processus(TENIR, str(espace))
    try:
        attendre_pret(p)
        r = CliRunner().invoke(cli, ["controler", "--annee", "2023"])
    finally:
        os.kill(p.pid, signal.SIGKILL)
        p.wait()
    assert r.exit_code == 1
    assert f"Erreur : Une autre commande vif38-bilan travaille déjà dans « {espace} » (processus {p.pid}" in r.output
    assert "Traceback" not in r.output
    assert not (espace / "sorties" / "2023" / "controle-2023.xlsx").exists()


def test_processus_vivant():
    assert processus_vivant(os.getpid())
    assert not processus_vivant(pid_mort())
    assert not processus_vivant(0)
