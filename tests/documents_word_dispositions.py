"""The Isère protocol as Word documents laid out differently, for the import tests.

Each layout starts from documents_word.document_protocole (the protocol text as Word) and
rearranges it as other offices type the same protocol: signatories as a two-column table, as
separate paragraphs, or absent; the calendar absent or as one table with merged axis rows;
objective titles as a numbered list above tables without their title row; a contents list with
"……" leaders in bold body text; and "accidents" of real documents (a soft line break inside
« AXE 2 », tables split across pages with or without their title row repeated, a row cut by a page
break, a section title in a text box, a header and a footer, a tracked change).
"""

from __future__ import annotations

import copy
import re
from dataclasses import dataclass
from pathlib import Path

from tests.documents_word import document_protocole

W = "{http://schemas.openxmlformats.org/wordprocessingml/2006/main}"
NS_W = "http://schemas.openxmlformats.org/wordprocessingml/2006/main"


@dataclass(frozen=True)
class Disposition:
    signataires: str = "paragraphes"  # paragraphes (soft breaks), tableau, separes, absents
    calendrier: str = "tableaux"  # tableaux, absent, fusionne
    objectifs: str = "titre"  # titre (a title row), liste (a numbered paragraph above the table)
    sommaire: str = "points"  # points ("....."), ellipses (bold body text "……")
    accidents: bool = False


def document(chemin: Path, disposition: Disposition) -> Path:
    """The protocol laid out as disposition says."""
    import docx

    document_protocole(chemin)
    doc = docx.Document(chemin)
    if disposition.sommaire == "ellipses":
        _sommaire_ellipses(doc)
    if disposition.signataires != "paragraphes":
        _signataires(doc, disposition.signataires)
    if disposition.calendrier != "tableaux":
        _calendrier(doc, disposition.calendrier)
    if disposition.accidents:
        _accidents(doc)
    if disposition.objectifs == "liste":
        _objectifs_en_liste(doc)
    doc.save(chemin)
    return chemin


def _texte(p) -> str:
    return "".join(t.text or "" for t in p.iter(W + "t"))


def _paragraphe(doc, texte: str = "", gras: bool = False, style: str | None = None):
    """A new w:p element (not yet placed in the body)."""
    p = doc.add_paragraph(style=style)
    if texte:
        p.add_run(texte).bold = gras or None
    el = p._p
    el.getparent().remove(el)
    return el


def _heading(doc, debut: str):
    return next(p for p in doc.paragraphs if p.style.name == "Heading 1" and p.text.startswith(debut))


def _entre(doc, debut: str, fin: str | None) -> list:
    """Body elements strictly between the heading starting with debut and the one starting with fin."""
    corps = doc.element.body
    depart = _heading(doc, debut)._p
    elements = []
    x = depart.getnext()
    while x is not None and x.tag != W + "sectPr":
        if fin and x.tag == W + "p" and _texte(x).startswith(fin):
            break
        elements.append(x)
        x = x.getnext()
    assert corps is not None
    return elements


# ---------------------------------------------------------------- layouts


def _sommaire_ellipses(doc) -> None:
    for p in doc.paragraphs:
        if re.search(r"\.{5} \d+$", p.text):
            texte = re.sub(r"\.{5} (\d+)$", r"…… \1", p.text)
            for r in p.runs[1:]:
                r._r.getparent().remove(r._r)
            p.runs[0].text = texte
            p.runs[0].bold = True


def _blocs_signataires(doc) -> list[list[str]]:
    blocs = []
    for x in _entre(doc, "SIGNATAIRES", "CALENDRIER"):
        lignes = [ligne for ligne in "".join(
            (t.text or "") if t.tag == W + "t" else "\n" for t in x.iter(W + "t", W + "br")
        ).split("\n") if ligne.strip()]  # fmt: skip
        if lignes:
            blocs.append(lignes)
    return blocs


def _signataires(doc, mode: str) -> None:
    blocs = _blocs_signataires(doc)
    titre = _heading(doc, "SIGNATAIRES")._p
    for x in _entre(doc, "SIGNATAIRES", "CALENDRIER"):
        x.getparent().remove(x)
    if mode == "absents":
        titre.getparent().remove(titre)
        return
    ancre = titre
    if mode == "separes":
        # One paragraph per line, no blank paragraph between signatories: a function over two paragraphs.
        for bloc in blocs:
            for ligne in bloc:
                p = _paragraphe(doc, ligne)
                ancre.addnext(p)
                ancre = p
        return
    n = (len(blocs) + 1) // 2
    table = doc.add_table(rows=n, cols=2)
    for k, bloc in enumerate(blocs):
        cellule = table.cell(k // 2, k % 2)
        cellule.text = bloc[0]
        for ligne in bloc[1:]:
            cellule.add_paragraph(ligne)
    el = table._tbl
    el.getparent().remove(el)
    ancre.addnext(el)


def _calendrier(doc, mode: str) -> None:
    elements = _entre(doc, "CALENDRIER", None)
    titre = _heading(doc, "CALENDRIER")._p
    lignes: list[tuple[str, list[str]]] = []  # ("titre", [texte]) or ("ligne", cells)
    for x in elements:
        if x.tag == W + "p" and _texte(x).strip():
            lignes.append(("titre", [_texte(x).strip()]))
        elif x.tag == W + "tbl":
            for k, tr in enumerate(x.iter(W + "tr")):
                cells = ["\n".join(_texte(p) for p in tc.iter(W + "p")) for tc in tr.iter(W + "tc")]
                if k == 0 and lignes and any(t == "ligne" for t, _ in lignes):
                    if cells[2:] == lignes[0][1][2:]:
                        continue  # the same header again: kept once (the years differ for axis 4)
                lignes.append(("ligne", cells))
        x.getparent().remove(x)
    if mode == "absent":
        titre.getparent().remove(titre)
        return
    entete = next(c for t, c in lignes if t == "ligne")
    table = doc.add_table(rows=0, cols=5)
    table.style = "Table Grid"
    for genre, cells in lignes:
        rangee = table.add_row()
        if genre == "titre":
            case = rangee.cells[0].merge(rangee.cells[4])
            case.text = cells[0]
        else:
            for c, texte in enumerate(cells):
                rangee.cells[c].text = texte
    assert entete
    el = table._tbl
    el.getparent().remove(el)
    titre.addnext(el)


def _numerotation_objectifs(doc) -> str:
    """An abstract list "Objectif n° %1 :" and its num; returns the numId."""
    from docx.oxml import parse_xml

    numerotation = doc.part.numbering_part.element
    abstrait = parse_xml(
        f'<w:abstractNum xmlns:w="{NS_W}" w:abstractNumId="90"><w:multiLevelType w:val="singleLevel"/>'
        '<w:lvl w:ilvl="0"><w:start w:val="1"/><w:numFmt w:val="decimal"/>'
        '<w:lvlText w:val="Objectif n° %1 :"/><w:lvlJc w:val="left"/></w:lvl></w:abstractNum>'
    )
    premier_num = numerotation.find(W + "num")
    if premier_num is not None:
        premier_num.addprevious(abstrait)
    else:
        numerotation.append(abstrait)
    numerotation.append(parse_xml(f'<w:num xmlns:w="{NS_W}" w:numId="90"><w:abstractNumId w:val="90"/></w:num>'))
    return "90"


def _objectifs_en_liste(doc) -> None:
    """Each objective table loses its title row; the title becomes a numbered paragraph above it."""
    from docx.oxml import parse_xml

    num = _numerotation_objectifs(doc)
    avant = None
    for t in doc.tables:
        titre = t.rows[0].cells[0].text
        m = re.match(r"^Objectif n\s*°\s*\d+\s*:\s*(.*)$", titre)
        if not m:
            continue
        t._tbl.remove(t.rows[0]._tr)
        if titre == avant:
            continue  # the title row repeated on the next page: gone with the others
        avant = titre
        p = _paragraphe(doc, m.group(1), gras=True)
        p.insert(0, parse_xml(f'<w:pPr xmlns:w="{NS_W}"><w:numPr><w:ilvl w:val="0"/><w:numId w:val="{num}"/>'
                              '</w:numPr></w:pPr>'))  # fmt: skip
        t._tbl.addprevious(p)


def _table_objectif(doc, n: int):
    return next(t for t in doc.tables if re.match(rf"^Objectif n\s*°\s*{n}\s*:", t.rows[0].cells[0].text))


def _couper(doc, table, apres: int, repeter_titre: bool) -> None:
    """Split a table after row `apres` (a page break): the rest goes into a new table, after an empty paragraph."""
    tbl = table._tbl
    rangees = tbl.findall(W + "tr")
    suite = copy.deepcopy(tbl)
    for tr in suite.findall(W + "tr"):
        suite.remove(tr)
    if repeter_titre:
        suite.append(copy.deepcopy(rangees[0]))
    for tr in rangees[apres + 1 :]:
        tbl.remove(tr)
        suite.append(tr)
    vide = _paragraphe(doc)
    tbl.addnext(vide)
    vide.addnext(suite)


def _accidents(doc) -> None:
    from docx.oxml import parse_xml

    # « AXE 2 » typed with a soft line break inside.
    axe2 = _heading(doc, "AXE 2")
    texte = axe2.text
    for r in axe2.runs:
        r._r.getparent().remove(r._r)
    run = axe2.add_run("AXE")
    run.add_break()
    run.add_text(texte[len("AXE ") :])
    # Objective 3 split with its title row repeated, objective 15 without.
    _couper(doc, _table_objectif(doc, 3), 2, True)
    _couper(doc, _table_objectif(doc, 15), 3, False)
    # Objective 4: the description row cut by a page break inside the first action's cell.
    t4 = _table_objectif(doc, 4)
    case = t4.rows[1].cells[1]
    mots = case.text.split(" ")
    case.text = " ".join(mots[: len(mots) // 2])
    tr = copy.deepcopy(t4.rows[1]._tr)
    t4.rows[1]._tr.addnext(tr)
    for k, tc in enumerate(tr.findall(W + "tc")):
        for p in tc.findall(W + "p")[1:]:
            tc.remove(p)
        for r in tc.iter(W + "r"):
            r.getparent().remove(r)
        if k == 1:
            tc.find(W + "p").append(
                parse_xml(f'<w:r xmlns:w="{NS_W}"><w:t>{" ".join(mots[len(mots) // 2 :])}</w:t></w:r>')
            )
    # A section title in a text box (VML), its paragraph left empty.
    section = next(p for p in doc.paragraphs if p.style.name == "Heading 2" and p.text.startswith("3. Mieux prendre"))
    boite = parse_xml(
        f'<w:r xmlns:w="{NS_W}" xmlns:v="urn:schemas-microsoft-com:vml"><w:pict><v:shape><v:textbox>'
        f'<w:txbxContent><w:p><w:pPr><w:pStyle w:val="Heading2"/></w:pPr><w:r><w:t>{section.text}</w:t></w:r></w:p>'
        "</w:txbxContent></v:textbox></v:shape></w:pict></w:r>"
    )
    for r in section.runs:
        r._r.getparent().remove(r._r)
    section.style = doc.styles["Normal"]
    section._p.append(boite)
    # Header and footer that look like content: never read.
    doc.sections[0].header.paragraphs[0].text = "AXE 9 : EN-TÊTE DU DOCUMENT"
    doc.sections[0].footer.paragraphs[0].text = "Objectif n° 99 : pied de page"
    # A tracked change in the first action's pilot cell: « Préfecture » deleted, its text inserted.
    t1 = _table_objectif(doc, 1)
    cellule = t1.rows[2].cells[1]
    texte = cellule.text
    p = cellule.paragraphs[0]._p
    for r in p.findall(W + "r"):
        p.remove(r)
    p.append(
        parse_xml(
            f'<w:del xmlns:w="{NS_W}" w:id="1" w:author="A"><w:r><w:delText>Préfecture, </w:delText></w:r></w:del>'
        )
    )
    p.append(parse_xml(f'<w:ins xmlns:w="{NS_W}" w:id="2" w:author="A"><w:r><w:t>{texte}</w:t></w:r></w:ins>'))
