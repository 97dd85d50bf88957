"""bilan --pdf: LibreOffice updates the contents page, the page numbers match the pages (read with pdftotext)."""

from __future__ import annotations

import os
import re
import shutil
import subprocess
from datetime import date
from pathlib import Path

import pytest
from click.testing import CliRunner
from tests.fabriques import remplir

from vif38_bilan.bilan import pdf as bilan_pdf
from vif38_bilan.bilan.modele import ecrire_modele_depart
from vif38_bilan.cli.principal import cli
from vif38_bilan.cycle import ouvrir_espace, produire_bilan

DATE = date(2024, 4, 12)
LIBREOFFICE = bilan_pdf.trouver_libreoffice()
avec_libreoffice = pytest.mark.skipif(
    LIBREOFFICE is None or shutil.which("pdftotext") is None,
    reason="LibreOffice (avec python3-uno) et pdftotext nécessaires (.ci/run les installe)",
)


def _pages(pdf) -> list[str]:
    texte = subprocess.run(["pdftotext", "-layout", str(pdf), "-"], capture_output=True, text=True, check=True).stdout
    return texte.split("\f")


def _sommaire(pages: list[str]) -> dict[str, int]:
    """Contents entries → page number, wrapped entries joined ("N°3 : …" → 9)."""
    debut = next(i for i, p in enumerate(pages) if re.search(r"^\s*Sommaire\s*$", p, re.M))
    entrees, courante = {}, ""
    for page in pages[debut : debut + 4]:
        for ligne in page.splitlines():
            m = re.match(r"^\s*(.*?)\s*\.{2,}\s*(\d+)\s*$", ligne)
            if m:
                entrees.setdefault(" ".join(f"{courante} {m.group(1)}".split()), int(m.group(2)))
                courante = ""
            elif ligne.strip() and "Sommaire" not in ligne and "page" not in ligne and "bilan" not in ligne:
                courante = f"{courante} {ligne.strip()}"
    return entrees


@avec_libreoffice
def test_pdf_sommaire_et_numeros_de_page(espace, protocole, gabarits):
    remplir(protocole, gabarits, espace / "saisies" / "2023", "DDFE")
    ecrire_modele_depart(protocole, espace / "base.docx")
    r = produire_bilan(ouvrir_espace(espace), 2023, modele=espace / "base.docx", date_edition=DATE, pdf=True)
    assert r.pdf == espace / "sorties" / "2023" / "bilan-2023.pdf" and r.pdf_impossible is None
    assert r.bilan.is_file()
    pages = _pages(r.pdf)
    sommaire = _sommaire(pages)
    objectifs = {k: v for k, v in sommaire.items() if k.startswith("N°")}
    assert len(objectifs) == 25, sommaire
    assert "Introduction" in sommaire and "Bilan – perspectives" in sommaire  # the base's own headings
    premiere_du_corps = min(sommaire.values())  # the contents pages come before
    for entree, numero in list(objectifs.items()) + [("Annexes", sommaire["Annexes"])]:
        debut = entree.split(" : ")[0] + (" :" if entree.startswith("N°") else "")
        ou = [
            i + 1
            for i, page in enumerate(pages)
            if i + 1 >= premiere_du_corps and re.search(rf"^\s*{re.escape(debut)}", page, re.M)
        ]
        assert ou and ou[0] == numero, (entree, numero, ou)
    # The footer's page numbers follow the same count.
    assert re.search(rf"page {numero} / {len(pages) - 1}\b", pages[numero - 1])
    print(sommaire)


def test_pdf_sans_libreoffice(espace, monkeypatch):
    monkeypatch.setattr(bilan_pdf, "trouver_libreoffice", lambda: None)
    (espace / "saisies" / "2023").mkdir(parents=True)
    ancien = espace / "sorties" / "2023" / "bilan-2023.pdf"
    ancien.parent.mkdir(parents=True)
    ancien.write_bytes(b"%PDF-1.4 ancien bilan")
    res = CliRunner().invoke(cli, ["bilan", "--annee", "2023", "--pdf"], catch_exceptions=False)
    assert res.exit_code == 0, res.output
    assert "Note : Le PDF demande LibreOffice, introuvable sur ce poste : le bilan Word (.docx) est écrit" in res.output
    assert (espace / "sorties" / "2023" / "bilan-2023.docx").is_file()
    assert not ancien.exists()  # an older PDF no longer matches the new .docx
    assert "Ancien PDF supprimé" in res.output


def test_sans_pdf_un_ancien_pdf_est_retire(espace):
    (espace / "saisies" / "2023").mkdir(parents=True)
    ancien = espace / "sorties" / "2023" / "bilan-2023.pdf"
    ancien.parent.mkdir(parents=True)
    ancien.write_bytes(b"%PDF-1.4 ancien bilan")
    r = produire_bilan(ouvrir_espace(espace), 2023, date_edition=DATE)
    assert r.pdf is None and r.pdf_impossible is None and r.pdf_perime == ancien and not ancien.exists()


def _pid_termine() -> int:
    """The pid of a process that has ended (so its folders are leftovers)."""
    fini = subprocess.run(
        ["python3", "-c", "import os; print(os.getpid())"], capture_output=True, text=True, check=True
    )
    return int(fini.stdout)


def test_conversion_dans_sorties_et_restes_retires(espace, tmp_path):
    """The conversion works in a folder beside the PDF, removed at the end; the folder a killed run
    left there is removed at the next start, a live run's is kept. A stand-in LibreOffice records
    where it was asked to write (no LibreOffice needed)."""
    sorties = espace / "sorties" / "2023"
    reste = sorties / f".vif38-pdf-{_pid_termine()}-abc123"
    (reste / "profil").mkdir(parents=True)
    (reste / "bilan.pdf").write_bytes(b"%PDF-1.4 copie d'une conversion interrompue")
    vivant = sorties / f".vif38-pdf-{os.getppid()}-def456"
    vivant.mkdir()
    trace = tmp_path / "trace.txt"
    soffice = tmp_path / "soffice"
    soffice.write_text("#!/bin/sh\nexit 0\n")
    python = tmp_path / "python-uno"
    # Arguments: SCRIPT CONNEXION DOCX PDF … — write the PDF where asked, and say where that was.
    python.write_text(f'#!/bin/sh\necho "$4" > "{trace}"\nprintf "%%PDF-1.4 neuf" > "$4"\n')
    for f in (soffice, python):
        f.chmod(0o755)
    docx = tmp_path / "bilan-2023.docx"
    docx.write_bytes(b"PK")
    pdf = bilan_pdf.exporter_pdf(
        docx, sorties / "bilan-2023.pdf", libreoffice=bilan_pdf.LibreOffice(str(soffice), str(python))
    )
    assert pdf.read_bytes() == b"%PDF-1.4 neuf"
    ecrit_dans = Path(trace.read_text().strip()).parent
    assert ecrit_dans.parent == sorties.absolute() and ecrit_dans.name.startswith(f".vif38-pdf-{os.getpid()}-")
    assert not ecrit_dans.exists()  # removed at the end
    assert not reste.exists() and vivant.is_dir()
    assert sorted(p.name for p in sorties.iterdir()) == sorted(["bilan-2023.pdf", vivant.name])


def test_sorties_de_deux_executions_nommees(espace, monkeypatch):
    """The bilan .docx cannot be rewritten (here: blocked): the one of an earlier run stays beside this
    run's consolidation and notes, and both the console and the notes say so."""
    import docx

    from vif38_bilan.bilan import document as bilan_document
    from vif38_bilan.exceptions import SortieBloquee

    (espace / "saisies" / "2023").mkdir(parents=True)
    sorties = espace / "sorties" / "2023"
    sorties.mkdir(parents=True)
    ancien = sorties / "bilan-2023.docx"
    ancien.write_bytes(b"bilan d'une execution precedente")

    def bloque(*_args, **_kwargs):
        raise SortieBloquee("Le disque est plein : « bilan-2023.docx » n'a pas pu être écrit.")

    monkeypatch.setattr(bilan_document, "ecrire_bilan", bloque)
    r = produire_bilan(ouvrir_espace(espace), 2023, date_edition=DATE)
    assert r.bilan is None and r.anciens == (ancien,) and r.consolidation is not None
    notes = docx.Document(str(r.points))
    textes = [p.text for p in notes.paragraphs]
    assert "Fichiers d'une exécution précédente" in textes and "• bilan-2023.docx" in textes
    res = CliRunner().invoke(cli, ["bilan", "--annee", "2023"])
    assert res.exit_code != 0
    assert "ils datent d'une exécution précédente" in res.output and str(ancien) in res.output
    assert "Le disque est plein" in res.output


def test_notes_non_ecrites_les_anciennes_retirees(espace, monkeypatch):
    """Notes that cannot be rewritten: the earlier run's notes are removed, never left beside the new bilan."""
    from vif38_bilan.bilan import points_a_verifier
    from vif38_bilan.exceptions import SortieBloquee

    (espace / "saisies" / "2023").mkdir(parents=True)
    anciennes = espace / "sorties" / "2023" / "points-a-verifier-2023.docx"
    anciennes.parent.mkdir(parents=True)
    anciennes.write_bytes(b"notes d'une execution precedente")

    def bloque(*_args, **_kwargs):
        raise SortieBloquee("Le disque est plein.")

    monkeypatch.setattr(points_a_verifier, "ecrire", bloque)
    r = produire_bilan(ouvrir_espace(espace), 2023, date_edition=DATE)
    assert r.bilan is not None and r.points is None
    assert not anciennes.exists() and r.anciens == ()
