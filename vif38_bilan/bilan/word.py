"""Word-writing helpers for the bilan (python-docx): document and styles, sections, fields, tables.

python-docx is imported lazily (inside the functions): the check and the other commands never pay
for it. Tables use python-docx's table API (add_table, add_row, cell paragraphs and runs); raw XML
remains only where python-docx has no API, each place says so in a comment. The API costs more than
the raw rows it replaced (53-action demo bilan on the shared 2-core machine: 2.7 s instead of 1.1 s
for the whole document, the same XML once canonicalised), which a yearly bilan can afford.
"""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

from vif38_bilan.bilan.prototypes import Prototypes
from vif38_bilan.exceptions import FichierRefuse
from vif38_bilan.commun.textes import texte_propre as _texte_propre, nature_erreur

# Styles created by the bilan (in the default document and in a --modele base).
S_TABLEAU = "Bilan tableau"
S_TABLEAU_TETE = "Bilan tableau en-tête"
S_PETIT = "Bilan tableau note"
S_STATUT = "Bilan tableau statut"
S_TABLE = "Bilan grille"

FOND_ENTETE = "D9E1F2"
_BORDS = ("top", "left", "bottom", "right", "insideH", "insideV")


# French administrative typography (Imprimerie nationale): a narrow no-break space (U+202F) inside
# « » and before : ; ! ?, so that a guillemet or a colon never starts a line on its own.
_AVANT_PONCTUATION = re.compile(r"[ \u00a0\u202f]+([:;!?»])")
_APRES_GUILLEMET = re.compile(r"«[ \u00a0\u202f]+")
_ESPACE_FINE = "\u202f"


def typographie(texte: str) -> str:
    """texte with the spaces before : ; ! ? » and after « made narrow and unbreakable (issue 23).
    Only existing spaces change: « http://… » or « 10:30 » keep their form."""
    texte = _AVANT_PONCTUATION.sub(lambda m: _ESPACE_FINE + m.group(1), texte)
    return _APRES_GUILLEMET.sub("«" + _ESPACE_FINE, texte)


def texte_propre(texte: str) -> str:
    """commun.textes.texte_propre, then the French typography of the documents written here."""
    return typographie(_texte_propre(texte))


def element(tag: str, **attrs: str) -> Any:
    """A w: element with w: attributes (for the XML python-docx has no API for)."""
    from docx.oxml import OxmlElement
    from docx.oxml.ns import qn

    e = OxmlElement(tag)
    for k, v in attrs.items():
        e.set(qn(f"w:{k}"), v)
    return e


def _bordures() -> Any:
    bords = element("w:tblBorders")
    for cote in _BORDS:
        bords.append(element(f"w:{cote}", val="single", sz="4", space="0", color="808080"))
    return bords


def inserer_avant(parent: Any, enfant: Any, suivants: tuple[str, ...]) -> None:
    """Insert enfant before the first child whose tag is in suivants (schema order), else append."""
    from docx.oxml.ns import qn

    noms = {qn(s) for s in suivants}
    for e in parent:
        if e.tag in noms:
            e.addprevious(enfant)
            return
    parent.append(enfant)


def repartir(largeur: float, parts: list[float]) -> list[float]:
    """Column widths in cm from relative parts, summing exactly to largeur (rounded to 0.01 cm)."""
    total = sum(parts)
    w = [round(largeur * p / total, 2) for p in parts]
    w[-1] = round(largeur - sum(w[:-1]), 2)
    return w


class Redacteur:
    """Writes the document: keeps the Document, the headings written and the table of contents."""

    def __init__(self, doc: Any):
        from docx.shared import Cm, Pt

        self.doc = doc
        self.Cm, self.Pt = Cm, Pt
        self.styles: dict[str, Any] = {}
        self.titres: list[tuple[int, str]] = []
        self.sommaire: Any = None
        # Set while writing a part at a marker of a --modele base: the width of the section it goes in.
        self.largeur_cm: float | None = None
        self._prototypes = Prototypes()  # blank rows, paragraph properties and runs, copied
        self._ids: dict[str, str | None] = {}
        self._id_tableau: Any = ...  # the table style's id as python-docx sets it (None for the default style)

    # ---- styles

    def style(self, nom: str) -> Any:
        if nom not in self.styles:
            self.styles[nom] = self.doc.styles[nom]
        return self.styles[nom]

    def _id_style(self, nom: str) -> str | None:
        """The style's id, looked up once per name (each lookup reads the style's XML)."""
        if nom not in self._ids:
            self._ids[nom] = self.style(nom).style_id
        return self._ids[nom]

    def _styler(self, paragraphe: Any, nom: str) -> None:
        self._prototypes.styler(paragraphe._p, self._id_style(nom))

    # ---- paragraphs

    def para(
        self,
        texte: str = "",
        style: str | None = None,
        gras: bool = False,
        centre: bool = False,
        italique: bool = False,
    ) -> Any:
        from docx.enum.text import WD_ALIGN_PARAGRAPH

        p = self.doc.add_paragraph()
        if style:
            self._styler(p, style)
        if texte:
            r = p.add_run(texte_propre(texte))
            if gras:
                r.bold = True
            if italique:
                r.italic = True
        if centre:
            p.alignment = WD_ALIGN_PARAGRAPH.CENTER
        return p

    def titre(self, texte: str, niveau: int) -> Any:
        self.titres.append((niveau, texte_propre(texte)))
        return self.para(texte, f"Heading {niveau}")

    def saut_de_page(self) -> None:
        from docx.enum.text import WD_BREAK

        self.doc.add_paragraph().add_run().add_break(WD_BREAK.PAGE)

    def champ(self, paragraphe: Any, instruction: str, attente: str = "") -> None:
        """A complex field (PAGE, NUMPAGES, TOC) Word computes when the document is opened.

        Raw XML: python-docx has no API for fields (w:fldChar, w:instrText).
        """
        paragraphe.add_run()._r.append(element("w:fldChar", fldCharType="begin", dirty="true"))
        instr = element("w:instrText")
        instr.set("{http://www.w3.org/XML/1998/namespace}space", "preserve")
        instr.text = f" {instruction} "
        paragraphe.add_run()._r.append(instr)
        paragraphe.add_run()._r.append(element("w:fldChar", fldCharType="separate"))
        paragraphe.add_run(attente)
        paragraphe.add_run()._r.append(element("w:fldChar", fldCharType="end"))

    # ---- tables

    def tableau(
        self, largeurs_cm: list[float], entetes: list[str] | None, fonds_entete: list[str | None] | None = None
    ) -> Any:
        """A table with fixed column widths (Word and LibreOffice keep them) and a repeated header row."""
        from docx.enum.style import WD_STYLE_TYPE
        from docx.enum.table import WD_TABLE_ALIGNMENT

        t = self.doc.add_table(rows=0, cols=len(largeurs_cm))
        if self._id_tableau is ...:
            # What Table.style's setter computes (it searches the default table style on every call).
            self._id_tableau = self.doc.part.get_style_id(self.style(S_TABLE), WD_STYLE_TYPE.TABLE)
        t._tbl.tblStyle_val = self._id_tableau
        t.autofit = False
        t.alignment = WD_TABLE_ALIGNMENT.CENTER
        for colonne, w in zip(t.columns, largeurs_cm, strict=True):
            colonne.width = self.Cm(w)
        # Raw XML: python-docx has no API for the table width (w:tblW) nor the table borders
        # (repeated here so that a --modele whose "Bilan grille" style has no borders still gets them).
        tblPr = t._tbl.tblPr
        tblW = tblPr.find(balise_w("tblW"))
        if tblW is None:
            tblW = element("w:tblW")
            tblPr.append(tblW)
        total = sum(int(self.Cm(w).twips) for w in largeurs_cm)
        tblW.set(balise_w("w"), str(total))
        tblW.set(balise_w("type"), "dxa")
        inserer_avant(
            tblPr,
            _bordures(),
            ("w:shd", "w:tblLayout", "w:tblCellMar", "w:tblLook", "w:tblCaption", "w:tblDescription"),
        )
        if entetes:
            cells = self.ligne(t, entete=True)
            for j, (cell, texte) in enumerate(zip(cells, entetes, strict=True)):
                self.texte_cellule(cell, texte, S_TABLEAU_TETE)
                cell.paragraphs[0].paragraph_format.keep_with_next = True  # never alone at a page's foot
                self.fond(cell, (fonds_entete[j] if fonds_entete else None) or FOND_ENTETE)
        return t

    def ligne(self, table: Any, insecable: bool = True, entete: bool = False) -> list[Any]:
        """A new row (each cell with one empty paragraph); returns its cells."""
        from docx.table import _Cell

        def nouvelle(t: Any) -> Any:
            tr = t.add_row()._tr
            if insecable or entete:
                # Raw XML: python-docx has no API for a repeated header row nor a row kept on one page.
                trPr = tr.get_or_add_trPr()
                if entete:
                    trPr.append(element("w:tblHeader"))
                trPr.append(element("w:cantSplit"))
            return tr

        tr = self._prototypes.ligne(table, insecable, entete, nouvelle)
        return [_Cell(tc, table) for tc in tr.tc_lst]

    def _paragraphe(self, cell: Any, premier: bool, style: str) -> Any:
        p = cell.paragraphs[0] if premier else cell.add_paragraph()
        self._styler(p, style)
        return p

    def _paragraphe_p(self, cell: Any, premier: bool, style: str) -> Any:
        """The cell's first paragraph element (premier) or a new one at its end, styled."""
        tc = cell._tc
        p = tc.p_lst[0] if premier else tc.add_p()
        self._prototypes.styler(p, self._id_style(style))
        return p

    def texte_cellule(self, cell: Any, texte: str | list[str], style: str = S_TABLEAU, gras_debut: str = "") -> None:
        """Plain text runs in a fresh cell; a list gives one paragraph per item."""
        lignes = texte if isinstance(texte, list) else [texte]
        for i, t in enumerate(lignes or [""]):
            p = self._paragraphe_p(cell, i == 0, style)
            if i == 0 and gras_debut:
                from docx.text.paragraph import Paragraph

                Paragraph(p, cell).add_run(gras_debut).bold = True
            if t:
                self._prototypes.texte(p, texte_propre(t))  # "\n" becomes w:br and "\t" w:tab: nothing is interpreted

    def texte_cellule_suite(self, cell: Any, lignes: list[str], style: str = S_TABLEAU) -> None:
        """More paragraphs at the end of a cell."""
        for t in lignes:
            p = self._paragraphe_p(cell, False, style)
            if t:
                self._prototypes.texte(p, texte_propre(t))

    def note_cellule(self, cell: Any, texte: str) -> None:
        self._paragraphe(cell, False, S_PETIT).add_run(texte_propre(texte)).italic = True

    def fond(self, cell: Any, couleur: str) -> None:
        # Raw XML: python-docx has no API for cell shading (w:shd).
        cell._tc.get_or_add_tcPr().append(element("w:shd", val="clear", color="auto", fill=couleur))

    # ---- sections

    def section(self, paysage: bool) -> Any:
        from docx.enum.section import WD_ORIENT, WD_SECTION

        prec = self.doc.sections[-1]
        premiere = self.doc.sections[0]
        s = self.doc.add_section(WD_SECTION.NEW_PAGE)
        petit, grand = sorted([prec.page_width, prec.page_height])
        s.orientation = WD_ORIENT.LANDSCAPE if paysage else WD_ORIENT.PORTRAIT
        s.page_width, s.page_height = (grand, petit) if paysage else (petit, grand)
        if paysage:
            s.left_margin = s.right_margin = self.Cm(1.5)
            s.top_margin = s.bottom_margin = self.Cm(1.5)
        else:
            s.left_margin, s.right_margin = premiere.left_margin, premiere.right_margin
            s.top_margin, s.bottom_margin = premiere.top_margin, premiere.bottom_margin
        return s

    def largeur_utile_cm(self) -> float:
        if self.largeur_cm is not None:
            return self.largeur_cm
        s = self.doc.sections[-1]
        return (s.page_width - s.left_margin - s.right_margin) / 360000


def balise_w(nom: str) -> str:
    from docx.oxml.ns import qn

    return qn(f"w:{nom}")


# ---------------------------------------------------------------- document setup


def document(modele: Path | None) -> Any:
    """A new A4 document, or the --modele document emptied of its content (styles, header, footer kept)."""
    if modele is None:
        return document_vierge()
    return vider(ouvrir_modele(modele))


def document_vierge() -> Any:
    """A new A4 document with 2 cm margins."""
    import docx
    from docx.shared import Cm

    doc = docx.Document()
    s = doc.sections[0]
    s.page_width, s.page_height = Cm(21), Cm(29.7)
    s.left_margin = s.right_margin = Cm(2)
    s.top_margin, s.bottom_margin = Cm(2), Cm(2)
    s.header_distance = s.footer_distance = Cm(1)
    return doc


def ouvrir_modele(modele: Path) -> Any:
    """The --modele document as it is (FichierRefuse when missing or not a usable .docx)."""
    import docx

    modele = Path(modele)
    if not modele.is_file():
        raise FichierRefuse(
            f"Le modèle Word « {modele} » est introuvable : vérifiez le chemin donné à --modele ou le réglage « modele » de vif38.toml."
        )
    try:
        return docx.Document(str(modele))
    except Exception as e:
        raise FichierRefuse(
            f"Le modèle « {modele} » n'est pas un document Word utilisable ({nature_erreur(e)}) : "
            "ouvrez-le dans Word ou LibreOffice et enregistrez-le au format .docx, puis relancez."
        ) from e


def vider(doc: Any) -> Any:
    """Remove the body's content, keeping the last section's settings (header, footer, page)."""
    body = doc.element.body
    for enfant in list(body):
        if enfant.tag != balise_w("sectPr"):
            body.remove(enfant)
    return doc


def styles(doc: Any, avec_modele: bool) -> None:
    """Make sure every style the bilan uses exists; French language; Arial when no model is given."""
    from docx.enum.style import WD_STYLE_TYPE as T
    from docx.shared import Pt

    tous = doc.styles
    noms = {s.name for s in tous}
    if not avec_modele:
        normal = tous["Normal"]
        normal.font.name = "Arial"
        normal.font.size = Pt(10)
        for n in ("Title", "Heading 1", "Heading 2", "Heading 3"):
            st = tous[n]
            st.font.name = "Arial"
            # Raw XML: python-docx cannot remove the theme fonts that override font.name.
            fonts = st.element.get_or_add_rPr().find(balise_w("rFonts"))
            for k in ("asciiTheme", "hAnsiTheme", "eastAsiaTheme", "cstheme"):
                if fonts is not None and fonts.get(balise_w(k)) is not None:
                    del fonts.attrib[balise_w(k)]
        tous["Heading 1"].font.size = Pt(15)
        tous["Heading 2"].font.size = Pt(12.5)
        tous["Heading 3"].font.size = Pt(11)
        tous["Title"].font.size = Pt(24)
    for niveau in (1, 2, 3):
        nom = f"Heading {niveau}"
        if nom not in noms:
            st = tous.add_style(nom, T.PARAGRAPH)
            st.base_style = tous["Normal"]
            st.font.bold = True
            st.font.size = Pt({1: 15, 2: 12.5, 3: 11}[niveau])
            st.paragraph_format.space_before = Pt(12)
            st.paragraph_format.keep_with_next = True
            # Raw XML: python-docx has no API for the outline level (what makes it a heading for the TOC).
            st.element.get_or_add_pPr().append(element("w:outlineLvl", val=str(niveau - 1)))
    if "Title" not in noms:
        st = tous.add_style("Title", T.PARAGRAPH)
        st.base_style = tous["Normal"]
        st.font.bold = True
        st.font.size = Pt(24)
    if S_TABLEAU not in noms:
        st = tous.add_style(S_TABLEAU, T.PARAGRAPH)
        st.base_style = tous["Normal"]
        st.font.size = Pt(8.5)
        pf = st.paragraph_format
        pf.space_before, pf.space_after, pf.line_spacing = Pt(1), Pt(1), 1.0
    if S_TABLEAU_TETE not in noms:
        st = tous.add_style(S_TABLEAU_TETE, T.PARAGRAPH)
        st.base_style = tous[S_TABLEAU]
        st.font.bold = True  # no keep_with_next: on every row it would glue whole tables together
    if S_PETIT not in noms:
        st = tous.add_style(S_PETIT, T.PARAGRAPH)
        st.base_style = tous[S_TABLEAU]
        st.font.size = Pt(7)
    if S_STATUT not in noms:
        st = tous.add_style(S_STATUT, T.PARAGRAPH)
        st.base_style = tous[S_TABLEAU]
        st.font.size = Pt(8)
    if S_TABLE not in noms:
        st = tous.add_style(S_TABLE, T.TABLE)
        # Raw XML: python-docx has no API for a table style's borders and cell margins.
        tblPr = st.element.find(balise_w("tblPr"))
        if tblPr is None:
            tblPr = element("w:tblPr")
            st.element.append(tblPr)
        tblPr.append(_bordures())
        marges = element("w:tblCellMar")
        for cote, v in (("left", "70"), ("right", "70")):
            marges.append(element(f"w:{cote}", w=v, type="dxa"))
        tblPr.append(marges)
    # French for spelling and hyphenation. Raw XML: python-docx has no API for the document's default language.
    defauts = doc.styles.element.find(balise_w("docDefaults"))
    if defauts is not None:
        rPr = defauts.find(f"{balise_w('rPrDefault')}/{balise_w('rPr')}")
        if rPr is not None:
            lang = rPr.find(balise_w("lang"))
            if lang is None:
                lang = element("w:lang")
                rPr.append(lang)
            lang.set(balise_w("val"), "fr-FR")


def mettre_a_jour_champs(doc: Any) -> None:
    """w:updateFields: Word refreshes the table of contents and page numbers on opening.

    Raw XML: python-docx has no API for the document settings' updateFields.
    """
    settings = doc.settings.element
    ancien = settings.find(balise_w("updateFields"))
    if ancien is not None:
        settings.remove(ancien)
    suivants = (
        "w:hdrShapeDefaults", "w:footnotePr", "w:endnotePr", "w:compat", "w:docVars", "w:rsids",
        "m:mathPr", "w:attachedSchema", "w:themeFontLang", "w:clrSchemeMapping", "w:doNotIncludeSubdocsInStats",
        "w:doNotAutoCompressPictures", "w:forceUpgrade", "w:captions", "w:readModeInkLockDown", "w:smartTagType",
        "sl:schemaLibrary", "w:shapeDefaults", "w:doNotEmbedSmartTags", "w:decimalSymbol", "w:listSeparator",
    )  # fmt: skip
    inserer_avant(settings, element("w:updateFields", val="true"), suivants)


def pied_de_page(r: Redacteur, annee: int, avec_modele: bool, entete: str, document: str = "") -> None:
    """Page numbers in the footer (kept as is when the model's footer already has a PAGE field)."""
    from docx.enum.text import WD_ALIGN_PARAGRAPH
    from docx.shared import RGBColor

    s = r.doc.sections[0]
    pied = s.footer
    xml = pied._element.xml if pied._element is not None else ""
    if avec_modele and "PAGE" in xml:
        return
    p = pied.add_paragraph() if any(par.text.strip() for par in pied.paragraphs) else pied.paragraphs[0]
    p.alignment = WD_ALIGN_PARAGRAPH.CENTER
    p.add_run(f"{document or f'Bilan {annee}'} — page ")
    r.champ(p, "PAGE", "1")
    p.add_run(" / ")
    r.champ(p, "NUMPAGES", "1")
    if not avec_modele:
        tete = s.header.paragraphs[0]
        tete.alignment = WD_ALIGN_PARAGRAPH.RIGHT
        run = tete.add_run(entete)
        run.font.size = r.Pt(8)
        run.font.color.rgb = RGBColor(0x59, 0x59, 0x59)
