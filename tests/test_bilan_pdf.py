"""bilan --pdf: LibreOffice updates the contents page, the page numbers match the pages (read with pdftotext)."""

from __future__ import annotations

import re
import shutil
import subprocess
from datetime import date

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
