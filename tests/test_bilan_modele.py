"""The agent's Word base: markers, her text kept across runs, {annee} {service} {date}, the starter base."""

from __future__ import annotations

import copy
from datetime import date
from pathlib import Path

import docx
import pytest
from click.testing import CliRunner
from docx.enum.section import WD_ORIENT
from docx.oxml.ns import qn
from docx.text.paragraph import Paragraph
from tests.fabriques import remplir

from vif38_bilan.bilan.modele import REPERES, ecrire_modele_depart
from vif38_bilan.cli.principal import cli
from vif38_bilan.cycle import ouvrir_espace, produire_bilan
from vif38_bilan.exceptions import ModeleInvalide

DATE = date(2024, 4, 12)
SON_TEXTE = "En 2023, la DDFE a réuni trois fois les signataires ; le texte de l'agente reste tel quel."


def _ecrire_apres(document, titre: str, texte: str) -> None:
    """Type a paragraph after the heading `titre`, as the agent would in Word."""
    tete = next(p for p in document.paragraphs if p.text == titre)
    nouveau = copy.deepcopy(tete._p)
    for e in list(nouveau):
        nouveau.remove(e)
    tete._p.addnext(nouveau)
    Paragraph(nouveau, tete._parent).add_run(texte)


def _corps(document) -> list[tuple[str, object]]:
    """The body in order: ("p", text) or ("t", first header cell), section breaks as ("s", orientation)."""
    sortie = []
    for e in document.element.body:
        if e.tag == qn("w:p"):
            sortie.append(("p", Paragraph(e, document).text))
            s = e.find(f"{qn('w:pPr')}/{qn('w:sectPr')}")
            if s is not None:
                sortie.append(("s", s.find(qn("w:pgSz")).get(qn("w:orient")) or "portrait"))
        elif e.tag == qn("w:tbl"):
            sortie.append(("t", e.xpath("string(.//w:tc[1])")))
    return sortie


@pytest.fixture
def base(espace, protocole):
    """The starter base, with a paragraph the agent typed into its introduction."""
    chemin = ecrire_modele_depart(protocole, espace / "modele-bilan.docx")
    d = docx.Document(str(chemin))
    _ecrire_apres(d, "Introduction", SON_TEXTE)
    d.sections[0].header.paragraphs[0].add_run(" — Préfecture de l'Isère")
    d.save(str(chemin))
    return chemin


def test_modele_de_depart(protocole, tmp_path):
    chemin = ecrire_modele_depart(protocole, tmp_path / "m.docx")
    d = docx.Document(str(chemin))
    textes = [p.text for p in d.paragraphs]
    assert [t for t in textes if t.startswith("[[")] == [f"[[{r}]]" for r in REPERES]
    assert textes.index("[[SOMMAIRE]]") < textes.index("Introduction") < textes.index("[[SYNTHESE]]")
    assert textes.index("[[CALENDRIER]]") < textes.index("Bilan – perspectives") < textes.index("[[METHODE]]")
    assert "Bilan {annee}" in textes and "{service}" in textes and "Édité le {date}" in textes
    titres = [p.text for p in d.paragraphs if p.style.name == "Heading 1"]
    assert titres == ["Introduction", "Bilan – perspectives"]
    assert "PAGE" in d.sections[0].footer._element.xml


def test_le_texte_du_modele_survit_a_deux_bilans(espace, protocole, gabarits, base):
    remplir(protocole, gabarits, espace / "saisies" / "2023", "DDFE")
    (espace / "vif38.toml").write_text(
        (espace / "vif38.toml").read_text("utf-8").replace('modele = ""', 'modele = "modele-bilan.docx"'), "utf-8"
    )
    avant = base.read_bytes()
    e = ouvrir_espace(espace)
    premier = produire_bilan(e, 2023, date_edition=DATE).bilan.read_bytes()
    r = produire_bilan(e, 2023, date_edition=DATE)
    assert base.read_bytes() == avant  # the base is only read
    assert r.bilan.read_bytes() == premier  # same inputs, same document
    d = docx.Document(str(r.bilan))

    corps = _corps(d)
    textes = [x for k, x in corps if k == "p"]
    assert SON_TEXTE in textes and not any(t.startswith("[[") for t in textes)
    assert "Bilan 2023" in textes and "DDFE de l'Isère" in textes and "Édité le 12 avril 2024" in textes
    assert d.sections[0].header.paragraphs[0].text.endswith(" — Préfecture de l'Isère")

    # Order: her introduction, then the synthesis at [[SYNTHESE]], the objectives' tables (landscape)
    # at [[OBJECTIFS]], her perspectives (portrait again), the annexes, the signatures.
    def dernier(texte):  # the heading itself, not its entry in the contents
        return max(i for i, (k, x) in enumerate(corps) if k == "p" and x == texte)

    i_intro = dernier(SON_TEXTE)
    assert dernier("Introduction") < i_intro < dernier("Synthèse")
    objectifs = [i for i, (k, x) in enumerate(corps) if k == "t" and x == "OBJECTIFS"]
    assert len(objectifs) == 25
    i_persp, i_synth, i_annexes = dernier("Bilan – perspectives"), dernier("Synthèse"), dernier("Annexes")
    assert i_synth < objectifs[0] and objectifs[-1] < i_persp < i_annexes
    sauts = [(i, x) for i, (k, x) in enumerate(corps) if k == "s"]
    assert [x for _, x in sauts] == ["portrait", "landscape"]
    assert sauts[0][0] < objectifs[0] and objectifs[-1] < sauts[1][0] < i_persp
    assert d.sections[1].orientation == WD_ORIENT.LANDSCAPE and d.sections[2].orientation == WD_ORIENT.PORTRAIT
    # The contents (filled for readers that do not refresh it) lists her headings too.
    fin = len(textes) - 1 - textes[::-1].index("Introduction")
    sommaire = textes[textes.index("Sommaire") + 1 : fin]
    assert sommaire[0] == "Introduction" and "Bilan – perspectives" in sommaire and "Synthèse" in sommaire


def test_variables_coupees_par_word(espace, protocole):
    d = docx.Document()
    p = d.add_paragraph()
    for morceau in ("Bilan {an", "ne", "e} — ", "{serv", "ice}", " le {date}"):
        p.add_run(morceau).bold = morceau == "ne"
    d.add_paragraph("[[SYNTHESE]]")
    d.add_paragraph("Accolades à garder : {autre} et {annee")
    pied = d.sections[0].footer.paragraphs[0]
    pied.add_run("Édition {")
    pied.add_run("annee}")
    d.save(str(espace / "base.docx"))
    (espace / "saisies" / "2023").mkdir(parents=True)
    r = produire_bilan(ouvrir_espace(espace), 2023, modele=espace / "base.docx", date_edition=DATE)
    lu = docx.Document(str(r.bilan))
    textes = [p.text for p in lu.paragraphs]
    assert textes[0] == "Bilan 2023 — DDFE de l'Isère le 12 avril 2024"
    assert "Accolades à garder : {autre} et {annee" in textes
    assert lu.sections[0].footer.paragraphs[0].text == "Édition 2023"
    assert "Synthèse" in textes


@pytest.mark.parametrize(
    "texte, attendu",
    [
        ("[[SYNTHÈSE]]", r"repère inconnu \[\[SYNTHÈSE\]\]"),
        ("[[SYNTHESE]]|[[SYNTHESE]]", r"deux fois le repère \[\[SYNTHESE\]\]"),
        ("Voir ici : [[OBJECTIFS]]", r"repère \[\[OBJECTIFS\]\] avec d'autre texte"),
    ],
)
def test_repere_fautif(espace, texte, attendu):
    d = docx.Document()
    for t in texte.split("|"):
        d.add_paragraph(t)
    d.save(str(espace / "base.docx"))
    with pytest.raises(ModeleInvalide, match=attendu):
        produire_bilan(ouvrir_espace(espace), 2023, modele=espace / "base.docx", date_edition=DATE)
    assert not (espace / "sorties" / "2023" / "bilan-2023.docx").exists()


def test_repere_fautif_par_la_commande(espace):
    d = docx.Document()
    d.add_paragraph("[[SIGNATURE]]")
    d.save(str(espace / "base.docx"))
    res = CliRunner().invoke(cli, ["bilan", "--annee", "2023", "--modele", "base.docx"], catch_exceptions=False)
    assert res.exit_code == 1
    assert "repère inconnu [[SIGNATURE]]" in res.output and "[[SIGNATURES]]" in res.output
    assert "Traceback" not in res.output


def test_commande_modele(espace):
    runner = CliRunner()
    res = runner.invoke(cli, ["modele"], catch_exceptions=False)
    assert res.exit_code == 0, res.output
    chemin = Path(espace) / "modele-bilan.docx"
    assert chemin.is_file() and 'modele = "modele-bilan.docx"' in res.output
    res = runner.invoke(cli, ["modele"], catch_exceptions=False)
    assert res.exit_code == 1 and "existe déjà" in res.output and "--remplacer" in res.output
    res = runner.invoke(cli, ["modele", "autre.docx"], catch_exceptions=False)
    assert res.exit_code == 0 and (Path(espace) / "autre.docx").is_file()
