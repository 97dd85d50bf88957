"""The Word bilan (python-docx): cover, synthesis, the objectives' tables, calendar, annexes, signatures.

Deterministic: the same inputs and options give the same document (dates come from date_edition,
the chart PNG carries no metadata, the zip entries carry a fixed timestamp). Pilots' text only
ever goes in as plain text runs. Tables get a table style and paragraph styles (no per-run
formatting) and their rows are built directly as XML, a row at a time (python-docx's per-cell API
costs about ten times more): the 53-action document takes about 0.2 s once the imports are done.
"""

from __future__ import annotations

import io
import math
import zipfile
from collections import Counter
from collections.abc import Iterator
from datetime import date, datetime
from pathlib import Path
from typing import Any

from vif38_bilan.anomalies import (
    A_CORRIGER,
    AVERTISSEMENT,
    ERREUR,
    HISTORIQUE_ABSENT,
    VALIDE,
    Anomalie,
    ResultatControle,
)
from vif38_bilan.consolidation import (
    FEUILLE_SOURCES,
    METHODE,
    ORDRE_STATUTS,
    Consolidation,
    Enregistrement,
    etiquette,
    nom_consolidation,
    texte_sur,
)
from vif38_bilan.exceptions import FichierRefuse
from vif38_bilan.referentiel import Action, Indicateur, Objectif, Protocole

PRESENTATIONS = ("annexe", "protocole")

# Light fills: readable when printed in black and white too.
COULEURS_STATUTS = {
    "EFFECTUÉE": "C6EFCE",
    "EN COURS": "DDEBF7",
    "POURSUIVRE": "FFF2CC",
    "LANCEMENT": "E4DFEC",
    "EN ATTENTE": "FCE4D6",
    "ANNULÉE": "D9D9D9",
}
# Stronger tones of the same hues for the chart.
COULEURS_GRAPHIQUE = {
    "EFFECTUÉE": "#63BE7B",
    "EN COURS": "#5B9BD5",
    "POURSUIVRE": "#FFD966",
    "LANCEMENT": "#9E86C8",
    "EN ATTENTE": "#F4B183",
    "ANNULÉE": "#A6A6A6",
    "NON RENSEIGNÉ": "#FFFFFF",
}
NON_RENSEIGNE = "non renseigné"
FOND_ENTETE = "D9E1F2"

MOIS = (
    "janvier",
    "février",
    "mars",
    "avril",
    "mai",
    "juin",
    "juillet",
    "août",
    "septembre",
    "octobre",
    "novembre",
    "décembre",
)

# Styles created by the bilan (in the default document and in a --modele base).
S_TABLEAU = "Bilan tableau"
S_TABLEAU_TETE = "Bilan tableau en-tête"
S_PETIT = "Bilan tableau note"
S_STATUT = "Bilan tableau statut"
S_TABLE = "Bilan grille"

NBSP = "\u00a0"


def date_francaise(d: date) -> str:
    return f"{d.day}{'er' if d.day == 1 else ''} {MOIS[d.month - 1]} {d.year}"


def nombre(n: Any) -> str:
    if isinstance(n, float) and not n.is_integer():
        return f"{n:,.1f}".replace(",", NBSP).replace(".", ",")
    if isinstance(n, int | float):
        return f"{int(n):,}".replace(",", NBSP)
    return str(n)


def pourcent(t: float | None) -> str:
    return "" if t is None else f"{round(t * 100)}{NBSP}%"


# ---------------------------------------------------------------- text of an indicator


def _libelle_compte(libelle: str) -> str | None:
    """ "Nombre de personnes formées" → "personnes formées" (None when not a count label)."""
    for tete in ("Nombre de ", "Nombre d'", "Nombre d’"):
        if libelle.startswith(tete):
            return libelle[len(tete) :].strip()
    return None


def phrase_indicateur(
    ind: Indicateur, valeur: Any, taux: float | None, detail: tuple[tuple[str, Any], ...] = ()
) -> str:
    """'156 personnes formées — cible 100/an, 156 %', 'Signature de la convention : Oui'."""
    cible = f"cible {nombre(ind.cible_annuelle)}/an" if ind.cible_annuelle else ""
    if valeur is None:
        return f"{ind.libelle} : {NON_RENSEIGNE}" + (f" ({cible})" if cible else "")
    if ind.type == "entier":
        compte = _libelle_compte(ind.libelle)
        texte = f"{nombre(valeur)} {compte}" if compte and valeur not in (0, 1) else f"{ind.libelle} : {nombre(valeur)}"
        if len(detail) > 1:
            texte += " (" + " ; ".join(f"{q} : {nombre(v)}" for q, v in detail) + ")"
        if cible:
            texte += f" — {cible}, {pourcent(taux)}"
        return texte
    return f"{ind.libelle} : {valeur}"


def phrase_cumul(ind: Indicateur, e: Enregistrement, k: int, debut: int) -> str | None:
    if ind.type != "entier" or e.cumuls[k] is None or e.annee == debut:
        return None
    texte = f"Cumul {debut}-{e.annee} : {nombre(e.cumuls[k])}"
    if e.cibles_cumulees[k]:
        texte += f" — cible {nombre(e.cibles_cumulees[k])}, {pourcent(e.taux_cumules[k])}"
    return texte


# ---------------------------------------------------------------- low-level docx helpers


class _Docx:
    """python-docx and its XML helpers, imported only when a bilan is written."""

    def __init__(self) -> None:
        import docx
        from docx.enum.section import WD_ORIENT, WD_SECTION
        from docx.enum.style import WD_STYLE_TYPE
        from docx.enum.table import WD_TABLE_ALIGNMENT
        from docx.enum.text import WD_ALIGN_PARAGRAPH, WD_BREAK
        from docx.oxml import OxmlElement
        from docx.oxml.ns import qn
        from docx.shared import Cm, Emu, Pt, RGBColor

        self.docx = docx
        self.WD_ORIENT, self.WD_SECTION, self.WD_STYLE_TYPE = WD_ORIENT, WD_SECTION, WD_STYLE_TYPE
        self.WD_TABLE_ALIGNMENT, self.WD_ALIGN_PARAGRAPH, self.WD_BREAK = (
            WD_TABLE_ALIGNMENT,
            WD_ALIGN_PARAGRAPH,
            WD_BREAK,
        )
        self.OxmlElement, self.qn = OxmlElement, qn
        self.Cm, self.Emu, self.Pt, self.RGBColor = Cm, Emu, Pt, RGBColor

    def el(self, tag: str, **attrs: str):
        e = self.OxmlElement(tag)
        for k, v in attrs.items():
            e.set(self.qn(f"w:{k}"), v)
        return e


class _Redacteur:
    """Writes the document: keeps the Document, the style ids and the usable widths."""

    def __init__(self, x: _Docx, doc: Any):
        self.x = x
        self.doc = doc
        self.body = doc.element.body
        self.ids: dict[str, str] = {}
        self.titres: list[tuple[int, str]] = []
        self._largeurs: dict[int, list[str]] = {}
        self.sommaire: Any = None

    # ---- styles

    def style_id(self, nom: str) -> str:
        if nom not in self.ids:
            self.ids[nom] = self.doc.styles[nom].style_id
        return self.ids[nom]

    # ---- paragraphs

    def para(
        self,
        texte: str = "",
        style: str | None = None,
        gras: bool = False,
        centre: bool = False,
        italique: bool = False,
    ):
        p = self.doc.add_paragraph()
        if style:
            p._p.get_or_add_pPr().get_or_add_pStyle().val = self.style_id(style)
        if texte:
            r = p.add_run(texte_sur(texte))
            if gras:
                r.bold = True
            if italique:
                r.italic = True
        if centre:
            p.alignment = self.x.WD_ALIGN_PARAGRAPH.CENTER
        return p

    def titre(self, texte: str, niveau: int):
        self.titres.append((niveau, texte_sur(texte)))
        return self.para(texte, f"Heading {niveau}")

    def saut_de_page(self) -> None:
        self.doc.add_paragraph().add_run().add_break(self.x.WD_BREAK.PAGE)

    def champ(self, paragraphe: Any, instruction: str, attente: str = "") -> None:
        """A complex field (PAGE, NUMPAGES, TOC) Word computes when the document is opened."""
        x = self.x
        r = paragraphe.add_run()._r
        r.append(x.el("w:fldChar", fldCharType="begin", dirty="true"))
        r2 = paragraphe.add_run()._r
        instr = x.OxmlElement("w:instrText")
        instr.set("{http://www.w3.org/XML/1998/namespace}space", "preserve")
        instr.text = f" {instruction} "
        r2.append(instr)
        paragraphe.add_run()._r.append(x.el("w:fldChar", fldCharType="separate"))
        paragraphe.add_run(attente)
        paragraphe.add_run()._r.append(x.el("w:fldChar", fldCharType="end"))

    # ---- tables (built with lxml: python-docx's per-cell API costs ~10x more for the same XML)

    def tableau(
        self, largeurs_cm: list[float], entetes: list[str] | None, fonds_entete: list[str | None] | None = None
    ):
        """A table with fixed column widths (Word and LibreOffice keep them) and a repeated header row."""
        x = self.x
        n = len(largeurs_cm)
        t = self.doc.add_table(rows=0, cols=n)
        tbl = t._tbl
        tblPr = tbl.tblPr
        tblPr.style = self.style_id(S_TABLE)
        t.autofit = False
        t.alignment = x.WD_TABLE_ALIGNMENT.CENTER
        largeurs = [str(int(x.Cm(w).twips)) for w in largeurs_cm]
        for col, w in zip(tbl.tblGrid.gridCol_lst, largeurs, strict=True):
            col.set(_W + "w", w)
        tblW = tblPr.find(_W + "tblW")
        if tblW is None:
            tblW = x.el("w:tblW")
            tblPr.append(tblW)
        tblW.set(_W + "w", str(sum(int(w) for w in largeurs)))
        tblW.set(_W + "type", "dxa")
        bords = x.el("w:tblBorders")
        for cote in ("top", "left", "bottom", "right", "insideH", "insideV"):
            bords.append(x.el(f"w:{cote}", val="single", sz="4", space="0", color="808080"))
        _inserer_avant(
            tblPr, bords, ("w:shd", "w:tblLayout", "w:tblCellMar", "w:tblLook", "w:tblCaption", "w:tblDescription")
        )
        self._largeurs[id(tbl)] = largeurs
        if entetes:
            cells = self.ligne(tbl, entete=True)
            for j, (tc, texte) in enumerate(zip(cells, entetes, strict=True)):
                self.texte_cellule(tc, texte, S_TABLEAU_TETE)
                _sub(tc[-1][0], "keepNext")  # the header row never stays alone at the foot of a page
                self.fond(tc, (fonds_entete[j] if fonds_entete else None) or FOND_ENTETE)
        return tbl

    def ligne(self, tbl: Any, insecable: bool = True, entete: bool = False) -> list[Any]:
        """A new row; returns its w:tc elements (each with one empty paragraph)."""
        tr = _sub(tbl, "tr")
        if insecable or entete:
            trPr = _sub(tr, "trPr")
            if entete:
                _sub(trPr, "tblHeader")
            if insecable or entete:
                _sub(trPr, "cantSplit")
        cells = []
        for w in self._largeurs[id(tbl)]:
            tc = _sub(tr, "tc")
            _sub(_sub(tc, "tcPr"), "tcW", w=w, type="dxa")
            _sub(tc, "p")
            cells.append(tc)
        return cells

    def _paragraphe(self, tc: Any, premier: bool, sid: str) -> Any:
        p = tc[-1] if premier else _sub(tc, "p")
        _sub(_sub(p, "pPr"), "pStyle", val=sid)
        return p

    def texte_cellule(self, tc: Any, texte: str | list[str], style: str = S_TABLEAU, gras_debut: str = "") -> None:
        """Plain text runs in a fresh cell; a list gives one paragraph per item."""
        lignes = texte if isinstance(texte, list) else [texte]
        sid = self.style_id(style)
        for i, t in enumerate(lignes or [""]):
            p = self._paragraphe(tc, i == 0, sid)
            if i == 0 and gras_debut:
                _run(p, gras_debut, gras=True)
            if t:
                _run(p, texte_sur(t))

    def texte_cellule_suite(self, tc: Any, lignes: list[str], style: str = S_TABLEAU) -> None:
        """More paragraphs at the end of a cell."""
        sid = self.style_id(style)
        for t in lignes:
            p = self._paragraphe(tc, False, sid)
            if t:
                _run(p, texte_sur(t))

    def note_cellule(self, tc: Any, texte: str) -> None:
        _run(self._paragraphe(tc, False, self.style_id(S_PETIT)), texte, italique=True)

    def fond(self, tc: Any, couleur: str) -> None:
        tcPr = tc[0]
        _sub(tcPr, "shd", val="clear", color="auto", fill=couleur)

    def statut_cellule(self, tc: Any, statut: str | None, note: str = "") -> None:
        if statut:
            self.texte_cellule(tc, statut, S_STATUT)
            self.fond(tc, COULEURS_STATUTS.get(statut, "FFFFFF"))
        else:
            self.texte_cellule(tc, "")
        if note:
            self.note_cellule(tc, note)

    # ---- sections

    def section(self, paysage: bool) -> Any:
        x = self.x
        prec = self.doc.sections[-1]
        s = self.doc.add_section(x.WD_SECTION.NEW_PAGE)
        largeur, hauteur = prec.page_width, prec.page_height
        petit, grand = sorted([largeur, hauteur])
        s.orientation = x.WD_ORIENT.LANDSCAPE if paysage else x.WD_ORIENT.PORTRAIT
        s.page_width, s.page_height = (grand, petit) if paysage else (petit, grand)
        if paysage:
            s.left_margin = s.right_margin = x.Cm(1.5)
            s.top_margin = s.bottom_margin = x.Cm(1.5)
        else:
            s.left_margin, s.right_margin = self.doc.sections[0].left_margin, self.doc.sections[0].right_margin
            s.top_margin, s.bottom_margin = self.doc.sections[0].top_margin, self.doc.sections[0].bottom_margin
        return s

    def largeur_utile_cm(self) -> float:
        s = self.doc.sections[-1]
        return (s.page_width - s.left_margin - s.right_margin) / 360000


_W = "{http://schemas.openxmlformats.org/wordprocessingml/2006/main}"
_XML_SPACE = "{http://www.w3.org/XML/1998/namespace}space"


def _sub(parent: Any, tag: str, **attrs: str) -> Any:
    from lxml import etree

    e = etree.SubElement(parent, _W + tag)
    for k, v in attrs.items():
        e.set(_W + k, v)
    return e


def _run(p: Any, texte: str, gras: bool = False, italique: bool = False) -> None:
    """A plain-text run: line breaks become w:br, tabs w:tab; nothing is ever interpreted."""
    r = _sub(p, "r")
    if gras or italique:
        rPr = _sub(r, "rPr")
        if gras:
            _sub(rPr, "b")
        if italique:
            _sub(rPr, "i")
    for i, ligne in enumerate(texte.split("\n")):
        if i:
            _sub(r, "br")
        for j, morceau in enumerate(ligne.split("\t")):
            if j:
                _sub(r, "tab")
            if morceau:
                t = _sub(r, "t")
                t.text = morceau
                if morceau != morceau.strip():
                    t.set(_XML_SPACE, "preserve")


def _inserer_avant(parent: Any, element: Any, suivants: tuple[str, ...]) -> None:
    """Insert element before the first child whose tag is in suivants (schema order), else append."""
    from docx.oxml.ns import qn

    noms = {qn(s) for s in suivants}
    for enfant in parent:
        if enfant.tag in noms:
            enfant.addprevious(element)
            return
    parent.append(element)


def _repartir(largeur: float, parts: list[float]) -> list[float]:
    """Column widths in cm from relative parts, summing exactly to largeur (rounded to 0.01 cm)."""
    total = sum(parts)
    w = [round(largeur * p / total, 2) for p in parts]
    w[-1] = round(largeur - sum(w[:-1]), 2)
    return w


# ---------------------------------------------------------------- document setup


def _document(x: _Docx, modele: Path | None) -> Any:
    if modele is None:
        doc = x.docx.Document()
        s = doc.sections[0]
        s.page_width, s.page_height = x.Cm(21), x.Cm(29.7)
        s.left_margin = s.right_margin = x.Cm(2)
        s.top_margin, s.bottom_margin = x.Cm(2), x.Cm(2)
        s.header_distance = s.footer_distance = x.Cm(1)
        return doc
    modele = Path(modele)
    if not modele.is_file():
        raise FichierRefuse(f"Le modèle Word « {modele} » est introuvable : vérifiez le chemin donné à --modele.")
    try:
        doc = x.docx.Document(str(modele))
    except Exception as e:
        raise FichierRefuse(
            f"Le modèle « {modele} » n'est pas un document Word utilisable ({type(e).__name__}) : "
            "ouvrez-le dans Word ou LibreOffice et enregistrez-le au format .docx, puis relancez."
        ) from e
    body = doc.element.body
    for enfant in list(body):
        if enfant.tag != x.qn("w:sectPr"):
            body.remove(enfant)
    return doc


def _styles(x: _Docx, doc: Any, avec_modele: bool) -> None:
    """Make sure every style the bilan uses exists; French language; Arial when no model is given."""
    styles = doc.styles
    T = x.WD_STYLE_TYPE
    noms = {s.name for s in styles}
    if not avec_modele:
        normal = styles["Normal"]
        normal.font.name = "Arial"
        normal.font.size = x.Pt(10)
        for n in ("Title", "Heading 1", "Heading 2", "Heading 3"):
            st = styles[n]
            st.font.name = "Arial"
            rpr = st.element.get_or_add_rPr()
            fonts = rpr.find(x.qn("w:rFonts"))
            for k in ("asciiTheme", "hAnsiTheme", "eastAsiaTheme", "cstheme"):
                if fonts is not None and fonts.get(x.qn(f"w:{k}")) is not None:
                    del fonts.attrib[x.qn(f"w:{k}")]
        styles["Heading 1"].font.size = x.Pt(15)
        styles["Heading 2"].font.size = x.Pt(12.5)
        styles["Heading 3"].font.size = x.Pt(11)
        styles["Title"].font.size = x.Pt(24)
    for niveau in (1, 2, 3):
        nom = f"Heading {niveau}"
        if nom not in noms:
            st = styles.add_style(nom, T.PARAGRAPH)
            st.base_style = styles["Normal"]
            st.font.bold = True
            st.font.size = x.Pt({1: 15, 2: 12.5, 3: 11}[niveau])
            st.paragraph_format.space_before = x.Pt(12)
            st.paragraph_format.keep_with_next = True
            st.element.get_or_add_pPr().append(x.el("w:outlineLvl", val=str(niveau - 1)))
    if "Title" not in noms:
        st = styles.add_style("Title", T.PARAGRAPH)
        st.base_style = styles["Normal"]
        st.font.bold = True
        st.font.size = x.Pt(24)
    if S_TABLEAU not in noms:
        st = styles.add_style(S_TABLEAU, T.PARAGRAPH)
        st.base_style = styles["Normal"]
        st.font.size = x.Pt(8.5)
        pf = st.paragraph_format
        pf.space_before, pf.space_after, pf.line_spacing = x.Pt(1), x.Pt(1), 1.0
    if S_TABLEAU_TETE not in noms:
        st = styles.add_style(S_TABLEAU_TETE, T.PARAGRAPH)
        st.base_style = styles[S_TABLEAU]
        st.font.bold = True  # no keep_with_next: on every row it would glue whole tables together
    if S_PETIT not in noms:
        st = styles.add_style(S_PETIT, T.PARAGRAPH)
        st.base_style = styles[S_TABLEAU]
        st.font.size = x.Pt(7)
    if S_STATUT not in noms:
        st = styles.add_style(S_STATUT, T.PARAGRAPH)
        st.base_style = styles[S_TABLEAU]
        st.font.size = x.Pt(8)
    if S_TABLE not in noms:
        st = styles.add_style(S_TABLE, T.TABLE)
        tblPr = st.element.find(x.qn("w:tblPr"))
        if tblPr is None:
            tblPr = x.el("w:tblPr")
            st.element.append(tblPr)
        bords = x.el("w:tblBorders")
        for cote in ("top", "left", "bottom", "right", "insideH", "insideV"):
            bords.append(x.el(f"w:{cote}", val="single", sz="4", space="0", color="808080"))
        tblPr.append(bords)
        marges = x.el("w:tblCellMar")
        for cote, v in (("left", "70"), ("right", "70")):
            marges.append(x.el(f"w:{cote}", w=v, type="dxa"))
        tblPr.append(marges)
    # French for spelling and hyphenation.
    rpr_defaut = doc.styles.element.find(x.qn("w:docDefaults"))
    if rpr_defaut is not None:
        rPr = rpr_defaut.find(f"{x.qn('w:rPrDefault')}/{x.qn('w:rPr')}")
        if rPr is not None:
            lang = rPr.find(x.qn("w:lang"))
            if lang is None:
                lang = x.el("w:lang")
                rPr.append(lang)
            lang.set(x.qn("w:val"), "fr-FR")


def _mettre_a_jour_champs(x: _Docx, doc: Any) -> None:
    """w:updateFields: Word refreshes the table of contents and page numbers on opening."""
    settings = doc.settings.element
    ancien = settings.find(x.qn("w:updateFields"))
    if ancien is not None:
        settings.remove(ancien)
    suivants = (
        "w:hdrShapeDefaults", "w:footnotePr", "w:endnotePr", "w:compat", "w:docVars", "w:rsids",
        "m:mathPr", "w:attachedSchema", "w:themeFontLang", "w:clrSchemeMapping", "w:doNotIncludeSubdocsInStats",
        "w:doNotAutoCompressPictures", "w:forceUpgrade", "w:captions", "w:readModeInkLockDown", "w:smartTagType",
        "sl:schemaLibrary", "w:shapeDefaults", "w:doNotEmbedSmartTags", "w:decimalSymbol", "w:listSeparator",
    )  # fmt: skip
    _inserer_avant(settings, x.el("w:updateFields", val="true"), suivants)


def _pied_de_page(r: _Redacteur, annee: int, avec_modele: bool, entete: str) -> None:
    """Page numbers in the footer (kept as is when the model's footer already has a PAGE field)."""
    x = r.x
    s = r.doc.sections[0]
    pied = s.footer
    xml = pied._element.xml if pied._element is not None else ""
    if avec_modele and "PAGE" in xml:
        return
    p = pied.add_paragraph() if any(par.text.strip() for par in pied.paragraphs) else pied.paragraphs[0]
    p.alignment = x.WD_ALIGN_PARAGRAPH.CENTER
    p.add_run(f"Bilan {annee} — page ")
    r.champ(p, "PAGE", "1")
    p.add_run(" / ")
    r.champ(p, "NUMPAGES", "1")
    if not avec_modele:
        tete = s.header.paragraphs[0]
        tete.alignment = x.WD_ALIGN_PARAGRAPH.RIGHT
        run = tete.add_run(entete)
        run.font.size = x.Pt(8)
        run.font.color.rgb = x.RGBColor(0x59, 0x59, 0x59)


def _proprietes(doc: Any, protocole: Protocole, annee: int, date_edition: date, service: str) -> None:
    cp = doc.core_properties
    moment = datetime(date_edition.year, date_edition.month, date_edition.day)
    cp.title = f"Bilan {annee} — {protocole.titre}"[:250]
    cp.subject = f"Bilan {annee} du protocole ({protocole.territoire})"
    cp.author = service
    cp.last_modified_by = service
    cp.created = moment
    cp.modified = moment
    cp.last_printed = moment
    cp.revision = 1
    cp.language = "fr-FR"
    cp.keywords = f"vif38-bilan; bilan {annee}"
    cp.comments = ""
    cp.category = "Bilan"
    cp.content_status = ""
    cp.identifier = protocole.id
    cp.version = ""


def _zip_stable(donnees: bytes, moment: date) -> bytes:
    """Same zip entries in the same order with a fixed timestamp: identical bytes for identical content."""
    horodatage = (max(moment.year, 1980), moment.month, moment.day, 0, 0, 0)
    sortie = io.BytesIO()
    with zipfile.ZipFile(io.BytesIO(donnees)) as zin, zipfile.ZipFile(sortie, "w", zipfile.ZIP_DEFLATED) as zout:
        for info in zin.infolist():
            zi = zipfile.ZipInfo(info.filename, date_time=horodatage)
            zi.compress_type = zipfile.ZIP_DEFLATED
            zi.external_attr = 0o600 << 16
            zout.writestr(zi, zin.read(info.filename))
    return sortie.getvalue()


# ---------------------------------------------------------------- chart


def graphique_statuts(comptes: list[tuple[str, Counter]], largeur_cm: float = 16.0) -> bytes:
    """Horizontal stacked bars: actions by status per axe. PNG bytes, stable for the same input."""
    import matplotlib

    matplotlib.use("Agg")
    from matplotlib.figure import Figure

    categories = [*ORDRE_STATUTS, "NON RENSEIGNÉ"]
    with matplotlib.rc_context(
        {"svg.hashsalt": "vif38", "font.family": "DejaVu Sans", "font.size": 8, "path.simplify": False}
    ):
        hauteur_in = 0.45 * len(comptes) + 1.0
        fig = Figure(figsize=(largeur_cm / 2.54, hauteur_in), dpi=150)
        ax = fig.add_subplot()
        etiquettes = [e for e, _ in comptes][::-1]
        gauche = [0] * len(comptes)
        for cat in categories:
            valeurs = [c.get(cat, 0) for _, c in comptes][::-1]
            if not any(valeurs):
                continue
            barres = ax.barh(
                etiquettes,
                valeurs,
                left=gauche,
                color=COULEURS_GRAPHIQUE[cat],
                edgecolor="#404040",
                linewidth=0.5,
                label=cat.capitalize(),
            )
            for b, v in zip(barres, valeurs, strict=True):
                if v:
                    ax.text(
                        b.get_x() + b.get_width() / 2,
                        b.get_y() + b.get_height() / 2,
                        str(v),
                        ha="center",
                        va="center",
                        fontsize=7,
                    )
            gauche = [g + v for g, v in zip(gauche, valeurs, strict=True)]
        ax.set_xlabel("Nombre d'actions")
        ax.spines[["top", "right"]].set_visible(False)
        ax.set_xlim(0, max(gauche + [1]) * 1.02)
        ax.legend(
            loc="upper center",
            bbox_to_anchor=(0.5, -0.35 if len(comptes) > 2 else -0.5),
            ncol=4,
            frameon=False,
            fontsize=7,
        )
        fig.subplots_adjust(left=0.12, right=0.98, top=0.97, bottom=0.38 if len(comptes) > 2 else 0.5)
        sortie = io.BytesIO()
        fig.savefig(sortie, format="png", metadata={"Software": None})
    return sortie.getvalue()


# ---------------------------------------------------------------- the whole step


def nom_bilan(annee: int) -> str:
    return f"bilan-{annee}.docx"


# ---------------------------------------------------------------- the bilan


def ecrire_bilan(
    protocole: Protocole,
    annee: int,
    consolidation: Consolidation,
    resultat: ResultatControle,
    chemin: str | Path,
    modele: Path | None = None,
    presentation: str = "annexe",
    date_edition: date | None = None,
    service: str = "DDFE de l'Isère",
) -> Path:
    """Write bilan-AAAA.docx atomically and return its path."""
    from vif38_bilan.ecriture import ecrire_octets

    donnees = construire_bilan(protocole, annee, consolidation, resultat, modele, presentation, date_edition, service)
    return ecrire_octets(chemin, donnees)


def construire_bilan(
    protocole: Protocole,
    annee: int,
    consolidation: Consolidation,
    resultat: ResultatControle,
    modele: Path | None = None,
    presentation: str = "annexe",
    date_edition: date | None = None,
    service: str = "DDFE de l'Isère",
) -> bytes:
    """The bilan as .docx bytes."""
    if presentation not in PRESENTATIONS:
        raise ValueError(f"présentation « {presentation} » inconnue : {', '.join(PRESENTATIONS)}")
    date_edition = date_edition or date.today()
    x = _Docx()
    doc = _document(x, modele)
    _styles(x, doc, modele is not None)
    r = _Redacteur(x, doc)
    p, c = protocole, consolidation

    _couverture(r, p, annee, date_edition, service)
    _sommaire(r)
    _synthese(r, p, annee, c, resultat)
    r.section(paysage=True)
    if presentation == "annexe":
        _corps_annexe(r, p, annee, c)
    else:
        _corps_protocole(r, p, annee, c)
    _calendrier(r, p, annee, c)
    r.section(paysage=False)
    _annexes(r, p, annee, c, resultat)
    _signatures(r, p, annee)

    periode = f" {p.annees[0]}-{p.annees[-1]}" if p.annees else ""
    _remplir_sommaire(r)
    _pied_de_page(r, annee, modele is not None, f"Protocole {p.territoire}{periode} — bilan {annee}")
    _mettre_a_jour_champs(x, doc)
    _proprietes(doc, p, annee, date_edition, service)
    tampon = io.BytesIO()
    doc.save(tampon)
    return _zip_stable(tampon.getvalue(), date_edition)


def _couverture(r: _Redacteur, p: Protocole, annee: int, date_edition: date, service: str) -> None:
    x = r.x
    for _ in range(5):
        r.para()
    t = r.para(p.titre, "Title", centre=True)
    t.paragraph_format.space_after = x.Pt(24)
    b = r.para(f"Bilan {annee}", centre=True, gras=True)
    b.runs[0].font.size = x.Pt(28)
    if p.territoire:
        tr = r.para(p.territoire, centre=True)
        tr.runs[0].font.size = x.Pt(16)
    if p.annees:
        r.para(f"Protocole {p.annees[0]}-{p.annees[-1]}", centre=True)
    for _ in range(6):
        r.para()
    r.para(service, centre=True, gras=True)
    r.para(f"Édité le {date_francaise(date_edition)}", centre=True)
    r.saut_de_page()


def _sommaire(r: _Redacteur) -> None:
    s = r.para("Sommaire", gras=True)
    s.runs[0].font.size = r.x.Pt(15)
    p = r.para()
    r.champ(p, 'TOC \\o "1-3" \\h \\z \\u', "Table des matières : clic droit, « Mettre à jour le champ ».")
    r.sommaire = p
    r.saut_de_page()


def _remplir_sommaire(r: _Redacteur) -> None:
    """Put the headings in the TOC field's current result, so that a reader that does not refresh
    fields (LibreOffice's PDF export) still shows the contents; Word rebuilds it with page numbers."""
    x = r.x
    p = r.sommaire
    if p is None or not r.titres:
        return
    runs = p._p.findall(x.qn("w:r"))
    attente, fin = runs[3], runs[4]
    precedent = p
    for i, (niveau, texte) in enumerate(r.titres):
        if i == 0:
            par = p
            attente.find(x.qn("w:t")).text = texte
        else:
            par = r.doc.add_paragraph()
            precedent._p.addnext(par._p)
            par.add_run(texte)
        par.paragraph_format.left_indent = x.Cm(0.6 * (niveau - 1))
        par.paragraph_format.space_after = x.Pt(0)
        if niveau == 1:
            for run in par.runs:
                run.bold = True
        precedent = par
    precedent._p.append(fin)


def _comptes_par_axe(p: Protocole, annee: int, c: Consolidation) -> list[tuple[str, Counter]]:
    comptes = []
    for axe in p.axes:
        cpt: Counter = Counter()
        for o in p.objectifs_de_axe(axe.numero):
            for a in p.actions_de_objectif(o.numero):
                cpt[c.statut(a.code, annee) or "NON RENSEIGNÉ"] += 1
        comptes.append((f"Axe {axe.numero}", cpt))
    return comptes


def _synthese(r: _Redacteur, p: Protocole, annee: int, c: Consolidation, resultat: ResultatControle) -> None:
    largeur = r.largeur_utile_cm()
    r.titre("Synthèse", 1)
    nb_recus = len(p.pilotes_actifs()) - len([m for m in c.manquants if m in {x.code for x in p.pilotes_actifs()}])
    r.para(
        f"Ce bilan rend compte, pour {annee}, de l'avancement des {len(p.actions)} actions des {len(p.objectifs)} objectifs du protocole, "
        f"à partir des classeurs renvoyés par les pilotes ({nb_recus} pilotes sur {len(p.pilotes_actifs())} ont répondu). "
        f"Chaque chiffre renvoie au fichier et à la cellule d'où il vient : feuille « {FEUILLE_SOURCES} » du classeur {nom_consolidation(annee)}."
    )

    r.titre(f"Avancement des actions par axe en {annee}", 2)
    comptes = _comptes_par_axe(p, annee, c)
    colonnes = [*ORDRE_STATUTS, "NON RENSEIGNÉ"]
    entetes = ["Axe", *[s.capitalize() for s in colonnes], "Total"]
    fonds = [None, *[COULEURS_STATUTS.get(s) for s in colonnes], None]
    t = r.tableau(_repartir(largeur, [2.6] + [1.9] * len(colonnes) + [1.1]), entetes, fonds)
    total: Counter = Counter()
    for axe, (libelle, cpt) in zip(p.axes, comptes, strict=True):
        cells = r.ligne(t)
        r.texte_cellule(cells[0], f"{libelle} : {axe.titre.capitalize()}")
        for j, s in enumerate(colonnes, 1):
            r.texte_cellule(cells[j], str(cpt.get(s, 0)) if cpt.get(s) else "")
        r.texte_cellule(cells[-1], str(sum(cpt.values())))
        total.update(cpt)
    cells = r.ligne(t)
    r.texte_cellule(cells[0], "Total", S_TABLEAU_TETE)
    for j, s in enumerate(colonnes, 1):
        r.texte_cellule(cells[j], str(total.get(s, 0)), S_TABLEAU_TETE)
    r.texte_cellule(cells[-1], str(sum(total.values())), S_TABLEAU_TETE)
    r.para()
    image = graphique_statuts(comptes, largeur_cm=min(16.0, largeur))
    r.doc.add_picture(io.BytesIO(image), width=r.x.Cm(min(16.0, largeur)))
    r.para(f"Figure : nombre d'actions par statut et par axe en {annee}.", italique=True, centre=True)

    r.titre("Indicateurs au regard des cibles", 2)
    debut = c.annees[0]
    r.para(
        f"Indicateurs dont l'action fixe une cible annuelle. Taux = valeur {annee} / cible annuelle ; "
        f"cumul {debut}-{annee} rapporté à la cible annuelle × {len(c.annees)} an(s)."
    )
    t = r.tableau(
        _repartir(largeur, [1.5, 6.0, 1.3, 1.5, 1.3, 1.6, 1.6]),
        ["Action", "Indicateur", "Cible / an", f"Valeur {annee}", "Taux", f"Cumul {debut}-{annee}", "Taux cumulé"],
    )
    for a in p.actions:
        e = c.enregistrement(a.code, annee)
        for k, ind in enumerate(a.indicateurs):
            if ind.type != "entier" or not ind.cible_annuelle or e is None:
                continue
            cells = r.ligne(t)
            v = e.valeurs[k]
            r.texte_cellule(cells[0], a.code)
            r.texte_cellule(cells[1], ind.libelle)
            r.texte_cellule(cells[2], nombre(ind.cible_annuelle))
            r.texte_cellule(cells[3], nombre(v) if v is not None else NON_RENSEIGNE)
            r.texte_cellule(cells[4], pourcent(e.taux[k]))
            r.texte_cellule(cells[5], nombre(e.cumuls[k]) if e.cumuls[k] is not None else "")
            r.texte_cellule(cells[6], pourcent(e.taux_cumules[k]))

    r.titre("Retours reçus et attendus", 2)
    actifs = p.pilotes_actifs()
    recus: dict[str, list[Any]] = {}
    for f in resultat.fichiers:
        if f.pilote and f.etat in (VALIDE, A_CORRIGER):
            recus.setdefault(f.pilote, []).append(f)
    manquants = set(c.manquants)
    n_recus = sum(1 for pil in actifs if pil.code in recus and pil.code not in manquants)
    r.para(
        f"{len(actifs)} pilotes attendus, {n_recus} ont renvoyé leur classeur, {len(actifs) - n_recus} manquent. "
        f"{sum(len(v) for v in recus.values())} classeur(s) retenu(s) au total (un pilote collectif en reçoit un par structure)."
    )
    t = r.tableau(_repartir(largeur, [5.5, 3.5, 1.4, 4.0, 2.6]), ["Pilote", "Rôle", "Classeurs", "Structures", "État"])
    for pil in actifs:
        roles = [role for _, role in p.actions_du_pilote(pil.code)]
        n_chef = roles.count("chef de file")
        role = ", ".join(
            x
            for x in (
                f"chef de file de {n_chef}" if n_chef else "",
                f"co-pilote de {len(roles) - n_chef}" if len(roles) - n_chef else "",
            )
            if x
        )
        fichiers = recus.get(pil.code, [])
        if pil.code in manquants or not fichiers:
            etat = "manquant"
        elif any(f.etat == A_CORRIGER for f in fichiers):
            etat = "reçu, à corriger"
        else:
            etat = "reçu"
        structures = sorted({(f.structure or "").strip() for f in fichiers if (f.structure or "").strip()})
        cells = r.ligne(t)
        r.texte_cellule(cells[0], pil.nom)
        r.texte_cellule(cells[1], role)
        r.texte_cellule(cells[2], str(len(fichiers)))
        r.texte_cellule(cells[3], ", ".join(structures) if pil.collectif else "")
        r.texte_cellule(cells[4], etat)
        if etat == "manquant":
            r.fond(cells[4], COULEURS_STATUTS["EN ATTENTE"])


def _observations(p: Protocole, a: Action, annee: int, c: Consolidation) -> list[str]:
    """The OBSERVATIONS cell: the year's attributed observations, then the indicators against target."""
    e = c.enregistrement(a.code, annee)
    if e is None:
        return []
    lignes = list(e.observations_attribuees())
    for k, ind in enumerate(a.indicateurs):
        lignes.append(phrase_indicateur(ind, e.valeurs[k], e.taux[k], e.details[k]))
        cumul = phrase_cumul(ind, e, k, c.annees[0])
        if cumul:
            lignes.append(cumul)
    return lignes


def _hauteur_lignes(lignes: list[str], caracteres_par_ligne: int) -> int:
    return sum(max(1, math.ceil(len(t) / max(1, caracteres_par_ligne))) for t in lignes)


def _note_statut(e: Enregistrement | None) -> str:
    if e is None or not e.signale:
        return ""
    return "(co-pilote)"


def _corps_annexe(r: _Redacteur, p: Protocole, annee: int, c: Consolidation) -> None:
    largeur = r.largeur_utile_cm()
    parts = [6.9, 3.0, 3.3] + [2.3] * len(p.annees) + [6.6]
    largeurs = _repartir(largeur, parts)
    car_obs = int(largeurs[-1] * 5.2)  # 8.5 pt Arial: about 5.2 characters per cm
    entetes = ["OBJECTIFS", "ACTEURS", "Autres acteurs", *[str(y) for y in p.annees], "OBSERVATIONS"]
    for o in _titres_objectifs(r, p):
        t = r.tableau(largeurs, entetes)
        for a in p.actions_de_objectif(o.numero):
            obs = _observations(p, a, annee, c)
            cells = r.ligne(t, insecable=_hauteur_lignes(obs, car_obs) <= 30)
            r.texte_cellule(cells[0], a.description, gras_debut=f"{a.code} ")
            r.texte_cellule(cells[1], a.pilotage)
            r.texte_cellule(cells[2], a.autres_acteurs)
            for j, y in enumerate(p.annees, 3):
                if y > annee:
                    r.texte_cellule(cells[j], "")
                    continue
                e = c.enregistrement(a.code, y)
                if e is None or not e.statut:
                    r.texte_cellule(cells[j], "")
                    r.note_cellule(cells[j], NON_RENSEIGNE)
                else:
                    r.statut_cellule(cells[j], e.statut, _note_statut(e))
            r.texte_cellule(cells[-1], obs)


def _titres_objectifs(r: _Redacteur, p: Protocole) -> Iterator[Objectif]:
    """Write "AXE n : …", axe 1's section headings and "N°k : …", yielding each objective in turn."""
    for axe in p.axes:
        r.titre(f"AXE {axe.numero} : {axe.titre}", 1)
        section_courante = None
        for o in p.objectifs_de_axe(axe.numero):
            if o.section is not None and o.section != section_courante:
                section_courante = o.section
                sec = next((s for s in p.sections if s.axe == axe.numero and s.numero == o.section), None)
                if sec:
                    r.titre(sec.titre, 2)
            r.titre(f"N°{o.numero} : {o.titre}", 3 if o.section is not None else 2)
            yield o


def _corps_protocole(r: _Redacteur, p: Protocole, annee: int, c: Consolidation) -> None:
    largeur = r.largeur_utile_cm()
    for o in _titres_objectifs(r, p):
        actions = p.actions_de_objectif(o.numero)
        largeurs = _repartir(largeur, [3.4] + [23.3 / len(actions)] * len(actions))
        car = int(largeurs[-1] * 5.2)
        t = r.tableau(largeurs, ["", *[f"Action {a.code}" for a in actions]])
        lignes: list[tuple[str, list[Any]]] = [
            ("Description des actions", [a.description for a in actions]),
            ("Pilotage", [a.pilotage for a in actions]),
            ("Autres acteurs", [a.autres_acteurs for a in actions]),
            ("Échéance", [a.echeance for a in actions]),
            (
                "Indicateurs",
                [
                    [i.libelle + (f" (cible : {i.cible_texte})" if i.cible_texte else "") for i in a.indicateurs]
                    for a in actions
                ],
            ),
        ]
        for libelle, valeurs in lignes:
            cells = r.ligne(t)
            r.texte_cellule(cells[0], libelle, S_TABLEAU_TETE)
            for cell, v in zip(cells[1:], valeurs, strict=True):
                r.texte_cellule(cell, v)
        for y in c.annees:
            recs = [c.enregistrement(a.code, y) for a in actions]
            cells = r.ligne(t)
            r.texte_cellule(cells[0], f"Statut {y}", S_TABLEAU_TETE)
            for cell, e in zip(cells[1:], recs, strict=True):
                if e is None or not e.statut:
                    r.texte_cellule(cell, "")
                    r.note_cellule(cell, NON_RENSEIGNE)
                else:
                    r.statut_cellule(cell, e.statut, _note_statut(e))
            cells = r.ligne(t)
            r.texte_cellule(cells[0], f"Valeurs {y} / cible", S_TABLEAU_TETE)
            for cell, a, e in zip(cells[1:], actions, recs, strict=True):
                phrases = (
                    [
                        phrase_indicateur(ind, e.valeurs[k], e.taux[k], e.details[k])
                        for k, ind in enumerate(a.indicateurs)
                    ]
                    if e
                    else []
                )
                r.texte_cellule(cell, phrases)
            obs = [e.observations_attribuees() if e else [] for e in recs]
            cells = r.ligne(t, insecable=max((_hauteur_lignes(o, car) for o in obs), default=0) <= 30)
            r.texte_cellule(cells[0], f"Observations {y}", S_TABLEAU_TETE)
            for cell, o in zip(cells[1:], obs, strict=True):
                r.texte_cellule(cell, o)


def _statut_reel_objectif(p: Protocole, objectif: int, annee: int, c: Consolidation) -> list[str]:
    cpt = Counter(c.statut(a.code, annee) or NON_RENSEIGNE for a in p.actions_de_objectif(objectif))
    ordre = [*ORDRE_STATUTS, NON_RENSEIGNE]
    return [
        f"{s} ({n})" if len(cpt) > 1 or n > 1 else s for s, n in sorted(cpt.items(), key=lambda kv: ordre.index(kv[0]))
    ]


def _calendrier(r: _Redacteur, p: Protocole, annee: int, c: Consolidation) -> None:
    r.titre("Calendrier : prévu et réalisé", 1)
    r.para(
        "Pour chaque objectif, le statut prévu par le calendrier prévisionnel du protocole et, à côté, le statut réel "
        "de ses actions (entre parenthèses, le nombre d'actions quand elles diffèrent)."
    )
    largeur = r.largeur_utile_cm()
    parts = [0.8, 5.5, 4.6] + [2.63] * (2 * len(p.annees))
    entetes = ["N°", "Objectif", "Acteurs"]
    fonds: list[str | None] = [None, None, None]
    for y in p.annees:
        entetes += [f"{y} prévu", f"{y} réel"]
        fonds += [None, "EDEDED"]
    t = r.tableau(_repartir(largeur, parts), entetes, fonds)
    for o in p.objectifs:
        plan = p.plan(o.numero)
        cells = r.ligne(t)
        r.texte_cellule(cells[0], str(o.numero))
        r.texte_cellule(cells[1], o.titre)
        r.texte_cellule(cells[2], plan.acteurs if plan else "")
        for i, y in enumerate(p.annees):
            prevu = plan.statuts[i] if plan and i < len(plan.statuts) else ""
            r.statut_cellule(cells[3 + 2 * i], prevu or None)
            if y > annee:
                r.texte_cellule(cells[4 + 2 * i], "")
                continue
            reel = _statut_reel_objectif(p, o.numero, y, c)
            r.texte_cellule(cells[4 + 2 * i], reel, S_STATUT)
            if len(reel) == 1 and reel[0] in COULEURS_STATUTS:
                r.fond(cells[4 + 2 * i], COULEURS_STATUTS[reel[0]])


def _tableau_anomalies(r: _Redacteur, p: Protocole, anomalies: list[Anomalie], largeur: float) -> None:
    t = r.tableau(_repartir(largeur, [4.2, 2.2, 1.5, 9.1]), ["Fichier", "Cellule", "Action", "Problème"])
    for a in anomalies:
        cells = r.ligne(t)
        qui = etiquette(p, a.pilote, a.structure or "") if a.pilote else (a.structure or "")
        r.texte_cellule(cells[0], [a.fichier, f"({qui})" if qui else ""])
        r.texte_cellule(cells[1], " ".join(x for x in (f"« {a.feuille} »" if a.feuille else "", a.cellule or "") if x))
        r.texte_cellule(cells[2], a.code_action or "")
        r.texte_cellule(cells[3], a.message)


def _annexes(r: _Redacteur, p: Protocole, annee: int, c: Consolidation, resultat: ResultatControle) -> None:
    largeur = r.largeur_utile_cm()
    r.titre("Annexes", 1)

    r.titre("Annexe 1 — Retours manquants", 2)
    if not c.manquants:
        r.para(f"Tous les pilotes attendus ont renvoyé leur classeur {annee}.")
    else:
        r.para(
            f"{len(c.manquants)} pilote(s) n'ont pas renvoyé de classeur utilisable pour {annee}. "
            "Les actions qu'ils pilotent comme chef de file sans autre retour apparaissent « non renseigné »."
        )
        t = r.tableau(_repartir(largeur, [6.0, 5.5, 5.5]), ["Pilote", "Chef de file de", "Co-pilote de"])
        for code in c.manquants:
            try:
                nom = p.pilote(code).nom
            except KeyError:
                nom = code
            roles = p.actions_du_pilote(code)
            cells = r.ligne(t)
            r.texte_cellule(cells[0], nom)
            r.texte_cellule(cells[1], ", ".join(a.code for a, role in roles if role == "chef de file"))
            r.texte_cellule(cells[2], ", ".join(a.code for a, role in roles if role != "chef de file"))

    r.titre("Annexe 2 — Anomalies non résolues", 2)
    anomalies = list(resultat.anomalies) + list(c.anomalies_historique)
    erreurs = [a for a in anomalies if a.gravite == ERREUR]
    avertissements = [a for a in anomalies if a.gravite == AVERTISSEMENT]
    if not anomalies:
        r.para("Le contrôle des classeurs n'a relevé aucune anomalie.")
    if erreurs:
        r.para(f"Erreurs ({len(erreurs)}) : les valeurs concernées n'ont pas été comptées dans ce bilan.", gras=True)
        _tableau_anomalies(r, p, erreurs, largeur)
    if avertissements:
        r.para(f"Avertissements ({len(avertissements)}) : valeurs comptées, à vérifier.", gras=True)
        _tableau_anomalies(r, p, avertissements, largeur)

    r.titre("Annexe 3 — Désaccords entre pilotes", 2)
    desaccords = [d for d in c.desaccords if d.annee == annee]
    if not desaccords:
        r.para("Aucun désaccord : les pilotes d'une même action ont déclaré le même statut.")
    else:
        r.para(
            "Actions pour lesquelles les pilotes ont déclaré des statuts différents, ou dont le chef de file n'a pas donné de statut."
        )
        t = r.tableau(
            _repartir(largeur, [1.6, 3.4, 8.6, 3.4]), ["Action", "Nature", "Statuts déclarés", "Statut retenu"]
        )
        for d in desaccords:
            cells = r.ligne(t)
            r.texte_cellule(cells[0], d.code_action)
            r.texte_cellule(cells[1], d.nature)
            r.texte_cellule(cells[2], [f"{q} ({role}) : {s}" for q, role, s in d.declarations])
            r.statut_cellule(cells[3], d.statut_retenu)

    r.titre("Annexe 4 — Méthode", 2)
    for m in METHODE:
        r.para(m, "List Bullet" if "List Bullet" in {s.name for s in r.doc.styles} else None)
    for y, chemin in sorted(c.historiques.items()):
        r.para(f"Données {y} : reprises du classeur {Path(chemin).name} (historique relu et contrôlé).")
    for a in c.anomalies_historique:
        if a.regle == HISTORIQUE_ABSENT.id:
            r.para(a.message)

    r.titre("Annexe 5 — Sources des chiffres", 2)
    n_sources = len(c.sources)
    r.para(
        f"Chaque statut, valeur et observation de ce bilan est tracé dans la feuille « {FEUILLE_SOURCES} » du classeur "
        f"{nom_consolidation(annee)} ({n_sources} lignes) : pilote, structure, fichier reçu, feuille, cellule et empreinte "
        "SHA-256 du fichier, qui prouve qu'il s'agit bien du fichier lu. Classeurs retenus pour ce bilan :"
    )
    retenus = [f for f in resultat.fichiers if f.etat in (VALIDE, A_CORRIGER)]
    if retenus:
        t = r.tableau(
            _repartir(largeur, [6.0, 4.0, 2.2, 4.8]), ["Fichier", "Pilote (structure)", "État", "SHA-256 (début)"]
        )
        for f in retenus:
            cells = r.ligne(t)
            r.texte_cellule(cells[0], f.nom)
            qui = etiquette(p, f.pilote, f.structure or "") if f.pilote else ""
            r.texte_cellule(cells[1], qui)
            r.texte_cellule(cells[2], f.etat)
            r.texte_cellule(cells[3], f.sha256[:16] + "…" if f.sha256 else "")
    else:
        r.para("Aucun classeur n'a été retenu.", italique=True)


def _signatures(r: _Redacteur, p: Protocole, annee: int) -> None:
    r.saut_de_page()
    r.titre("Signatures", 1)
    r.para(f"Bilan {annee} du {p.titre[0].lower() + p.titre[1:]}, approuvé par les autorités signataires :")
    if not p.autorites:
        r.para("Le référentiel ne liste pas d'autorité signataire.", italique=True)
        return
    largeur = r.largeur_utile_cm()
    t = r.tableau([largeur / 2, largeur / 2], None)
    blocs = list(p.autorites)
    for i in range(0, len(blocs), 2):
        cells = r.ligne(t)
        for cell, aut in zip(cells, blocs[i : i + 2], strict=False):
            r.texte_cellule(cell, [aut.fonction], S_TABLEAU_TETE)
            r.texte_cellule_suite(cell, [aut.nom, "", "Date et signature :", "", "", ""])
