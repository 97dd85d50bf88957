"""The bilan's charts as native Word charts (DrawingML chart parts the agent can edit in Word).

The chart XML comes from python-pptx's chart XML writer (the same DrawingML chart schema Word
uses), styled through python-pptx's chart objects; its data workbook is written with xlsxwriter;
both go into the .docx through python-docx's package API (a chart part related from the document
part, the workbook related from the chart part, an inline <w:drawing> pointing at the chart).
Word's « Modifier les données » opens the embedded workbook; LibreOffice draws the cached values.
Deterministic: fixed axis ids, fixed workbook dates, parts named in order of insertion.
"""

from __future__ import annotations

import io
from collections import Counter
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from vif38_bilan.consolidation.disposition import ORDRE_STATUTS

# Stronger tones of the status fills (bilan_textes.COULEURS_STATUTS) for the chart.
COULEURS_GRAPHIQUE = {
    "EFFECTUÉE": "63BE7B",
    "EN COURS": "5B9BD5",
    "POURSUIVRE": "FFD966",
    "LANCEMENT": "9E86C8",
    "EN ATTENTE": "F4B183",
    "ANNULÉE": "A6A6A6",
    "NON RENSEIGNÉ": "FFFFFF",
}
PALETTE_CHIFFRES = ("5B9BD5", "63BE7B", "F4B183", "9E86C8", "FFD966", "A6A6A6")
BORDURE = "404040"
POLICE_PT = 8

CT_GRAPHIQUE = "application/vnd.openxmlformats-officedocument.drawingml.chart+xml"
CT_CLASSEUR = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
RT_GRAPHIQUE = "http://schemas.openxmlformats.org/officeDocument/2006/relationships/chart"
RT_PAQUET = "http://schemas.openxmlformats.org/officeDocument/2006/relationships/package"
URI_GRAPHIQUE = "http://schemas.openxmlformats.org/drawingml/2006/chart"
# The embedded workbook's properties carry this date, not the clock: same inputs, same bytes.
DATE_CLASSEUR = datetime(2000, 1, 1)
# python-pptx's worksheet layout (its chart XML refers to Sheet1!$A$2…): the workbook must match it.
FEUILLE = "Sheet1"


@dataclass(frozen=True)
class Graphique:
    """A chart ready to embed: chart XML (bytes), its data workbook (.xlsx bytes), size in cm, alt text."""

    xml: bytes
    classeur: bytes
    largeur_cm: float
    hauteur_cm: float
    description: str


def _donnees(categories: list[str], series: list[tuple[str, list[int | None]]]) -> Any:
    from pptx.chart.data import CategoryChartData

    donnees = CategoryChartData(number_format="0")
    donnees.categories = categories
    for nom, valeurs in series:
        donnees.add_series(nom, valeurs)
    return donnees


def _classeur(categories: list[str], series: list[tuple[str, list[int | None]]]) -> bytes:
    """The chart's data workbook, laid out as python-pptx's references expect (A: categories, B…: series)."""
    from xlsxwriter import Workbook

    sortie = io.BytesIO()
    classeur = Workbook(sortie, {"in_memory": True})
    classeur.set_properties({"created": DATE_CLASSEUR, "author": "vif38-bilan"})
    feuille = classeur.add_worksheet(FEUILLE)
    feuille.set_column(0, 0, max([len(c) for c in categories] + [8]) + 2)
    for i, categorie in enumerate(categories, 1):
        feuille.write_string(i, 0, categorie)
    for j, (nom, valeurs) in enumerate(series, 1):
        feuille.write_string(0, j, nom)
        for i, v in enumerate(valeurs, 1):
            if v is not None:  # a missing year stays an empty cell (a gap in the chart)
                feuille.write_number(i, j, v)
    classeur.close()
    return sortie.getvalue()


def _xml(type_graphique: Any, donnees: Any, habiller: Any) -> bytes:
    from lxml import etree
    from pptx.chart.chart import Chart
    from pptx.chart.xmlwriter import ChartXmlWriter
    from pptx.oxml import parse_xml
    from pptx.util import Pt

    espace = parse_xml(ChartXmlWriter(type_graphique, donnees).xml.encode("utf-8"))
    graphique = Chart(espace, None)
    graphique.font.size = Pt(POLICE_PT)
    graphique.font.name = "Calibri"
    habiller(graphique)
    espace.get_or_add_externalData().rId = "rId1"  # the workbook: the chart part's only relationship
    for p in espace.iter("{http://schemas.openxmlformats.org/drawingml/2006/main}endParaRPr"):
        p.set("lang", "fr-FR")
    return etree.tostring(espace, xml_declaration=True, encoding="UTF-8", standalone=True)


def _serie_coloree(serie: Any, couleur: str) -> None:
    from pptx.dml.color import RGBColor
    from pptx.util import Pt

    serie.format.fill.solid()
    serie.format.fill.fore_color.rgb = RGBColor.from_string(couleur)
    serie.format.line.color.rgb = RGBColor.from_string(BORDURE)
    serie.format.line.width = Pt(0.5)
    serie.invert_if_negative = False


def _habillage_commun(graphique: Any, titre_valeurs: str, legende: bool) -> None:
    from pptx.enum.chart import XL_LEGEND_POSITION
    from pptx.util import Pt

    graphique.has_title = False
    graphique.has_legend = legende
    if legende:
        graphique.legend.position = XL_LEGEND_POSITION.BOTTOM
        graphique.legend.include_in_layout = False
        graphique.legend.font.size = Pt(POLICE_PT - 1)
    axe = graphique.value_axis
    axe.has_major_gridlines = False
    axe.minimum_scale = 0
    axe.tick_labels.number_format = "0"
    axe.tick_labels.number_format_is_linked = False
    if titre_valeurs:
        axe.has_title = True
        axe.axis_title.text_frame.text = titre_valeurs
        axe.axis_title.text_frame.paragraphs[0].runs[0].font.size = Pt(POLICE_PT)
        axe.axis_title.text_frame.paragraphs[0].runs[0].font.bold = False


def _etiquettes(plot: Any, position: Any) -> None:
    from pptx.util import Pt

    plot.has_data_labels = True
    etiquettes = plot.data_labels
    etiquettes.show_value = True
    etiquettes.number_format = "0;-0;;@"  # a zero count shows no label, as a bar of 0 shows nothing
    etiquettes.number_format_is_linked = False
    etiquettes.position = position
    etiquettes.font.size = Pt(POLICE_PT - 1)


def graphique_statuts(comptes: list[tuple[str, Counter]], annee: int, largeur_cm: float = 16.0) -> Graphique:
    """Horizontal stacked bars: actions by status per axe, one colour per status (COULEURS_GRAPHIQUE).

    comptes: (axe label, Counter of statuses) in the protocol's order, drawn top to bottom; a
    status no axe has is left out of the chart and its legend. Returns a Graphique (bytes stable for
    the same input).
    """
    from pptx.enum.chart import XL_CHART_TYPE, XL_LABEL_POSITION

    etiquettes = [e for e, _ in comptes]
    statuts = [s for s in (*ORDRE_STATUTS, "NON RENSEIGNÉ") if any(c.get(s, 0) for _, c in comptes)]
    series = [(s.capitalize(), [c.get(s, 0) for _, c in comptes]) for s in statuts]

    def habiller(graphique: Any) -> None:
        _habillage_commun(graphique, "Nombre d'actions", legende=True)
        plot = graphique.plots[0]
        plot.gap_width = 60
        _etiquettes(plot, XL_LABEL_POSITION.CENTER)
        for serie, statut in zip(plot.series, statuts, strict=True):
            _serie_coloree(serie, COULEURS_GRAPHIQUE[statut])
        # The first axe on top, as it is read; the values' axis crosses at the last axe, so stays at the bottom.
        graphique.category_axis.reverse_order = True
        graphique.value_axis._element.find(f"{{{URI_GRAPHIQUE}}}crosses").set("val", "max")

    detail = " ; ".join(
        f"{e} : " + (", ".join(f"{c[s]} {s.lower()}" for s in statuts if c.get(s)) or "aucune action")
        for e, c in comptes
    )
    return Graphique(
        xml=_xml(XL_CHART_TYPE.BAR_STACKED, _donnees(etiquettes, series), habiller),
        classeur=_classeur(etiquettes, series),
        largeur_cm=largeur_cm,
        hauteur_cm=3.2 + 1.1 * len(comptes),
        description=f"Graphique en barres empilées : nombre d'actions par statut et par axe en {annee}. {detail}.",
    )


def graphique_chiffres(
    titre: str, annees: list[int], series: list[tuple[str, list[int | None]]], unite: str = "", largeur_cm: float = 13.0
) -> Graphique:
    """A key figure year over year: one bar per row and year, grouped by year; a missing year is a gap, never 0.

    titre: the series' name (alt text); series: (row label, one value or None per year of annees);
    values are labelled when there are at most 3 rows. Returns a Graphique (bytes stable for the same input).
    """
    from pptx.enum.chart import XL_CHART_TYPE, XL_LABEL_POSITION

    categories = [str(a) for a in annees]

    def habiller(graphique: Any) -> None:
        _habillage_commun(graphique, unite.capitalize(), legende=len(series) > 1)
        plot = graphique.plots[0]
        plot.gap_width = 80
        plot.overlap = 0
        if len(series) <= 3:
            _etiquettes(plot, XL_LABEL_POSITION.OUTSIDE_END)
        for k, serie in enumerate(plot.series):
            _serie_coloree(serie, PALETTE_CHIFFRES[k % len(PALETTE_CHIFFRES)])

    detail = " ; ".join(
        f"{nom} : "
        + ", ".join(f"{a} : {v if v is not None else 'non renseigné'}" for a, v in zip(annees, valeurs, strict=True))
        for nom, valeurs in series
    )
    lignes_legende = 0 if len(series) <= 1 else (len(series) + 2) // 3
    return Graphique(
        xml=_xml(XL_CHART_TYPE.COLUMN_CLUSTERED, _donnees(categories, series), habiller),
        classeur=_classeur(categories, series),
        largeur_cm=largeur_cm,
        hauteur_cm=5.6 + 0.5 * lignes_legende,
        description=f"Graphique en barres : {titre}, {annees[0]}-{annees[-1]}. {detail}.",
    )


def inserer(doc: Any, graphique: Graphique, nom: str) -> Any:
    """Add graphique to doc (python-docx Document) as a native chart in a new paragraph; returns the paragraph.

    The chart part (word/charts/chartN.xml) is related from the document part, its workbook
    (word/embeddings/Microsoft_Excel_SheetN.xlsx) from the chart part; N is the next free number,
    so an agent's Word base that already holds charts keeps them. nom: the drawing's name in Word.
    """
    from docx.opc.packuri import PackURI
    from docx.opc.part import Part
    from docx.oxml import parse_xml
    from docx.shared import Cm

    paquet = doc.part.package
    partie = Part(PackURI(paquet.next_partname("/word/charts/chart%d.xml")), CT_GRAPHIQUE, graphique.xml, paquet)
    numero = partie.partname.idx
    classeur = Part(
        PackURI(paquet.next_partname("/word/embeddings/Microsoft_Excel_Sheet%d.xlsx")),
        CT_CLASSEUR,
        graphique.classeur,
        paquet,
    )
    if partie.relate_to(classeur, RT_PAQUET) != "rId1":  # the chart XML's <c:externalData r:id="rId1">
        raise RuntimeError("relation inattendue du classeur du graphique")
    rid = doc.part.relate_to(partie, RT_GRAPHIQUE)
    paragraphe = doc.add_paragraph()
    ident = doc.part.next_id
    largeur, hauteur = int(Cm(graphique.largeur_cm)), int(Cm(graphique.hauteur_cm))
    dessin = parse_xml(
        '<w:drawing xmlns:w="http://schemas.openxmlformats.org/wordprocessingml/2006/main"'
        ' xmlns:wp="http://schemas.openxmlformats.org/drawingml/2006/wordprocessingDrawing"'
        ' xmlns:a="http://schemas.openxmlformats.org/drawingml/2006/main"'
        ' xmlns:c="http://schemas.openxmlformats.org/drawingml/2006/chart"'
        ' xmlns:r="http://schemas.openxmlformats.org/officeDocument/2006/relationships">'
        '<wp:inline distT="0" distB="0" distL="0" distR="0">'
        f'<wp:extent cx="{largeur}" cy="{hauteur}"/><wp:effectExtent l="0" t="0" r="0" b="0"/>'
        f'<wp:docPr id="{ident}" name=""/><wp:cNvGraphicFramePr/>'
        f'<a:graphic><a:graphicData uri="{URI_GRAPHIQUE}"><c:chart r:id="{rid}"/></a:graphicData></a:graphic>'
        "</wp:inline></w:drawing>"
    )
    doc_pr = dessin[0].find("{http://schemas.openxmlformats.org/drawingml/2006/wordprocessingDrawing}docPr")
    doc_pr.set("name", f"{nom} {numero}")
    doc_pr.set("descr", graphique.description)  # attribute API: the text is escaped, whatever it holds
    paragraphe.add_run()._r.append(dessin)
    return paragraphe
