"""Strict Open XML workbooks (Excel's "Strict Open XML Spreadsheet" save option), issue 14 kind 8.

They hold the same parts as an ordinary .xlsx under the ISO namespaces (purl.oclc.org). calamine
reads them; openpyxl does not recognise the namespaces and finds no sheet (IndexError) after
English UserWarnings. The annotated copy is made from the same bytes with the namespaces mapped
back to the transitional ones (ECMA-376 Part 1, §A.3 lists the pairs): the content is unchanged.
"""

from __future__ import annotations

import io
import zipfile

# Most specific first: relationship types whose last word differs between the two forms.
_PAIRES = (
    (b"http://purl.oclc.org/ooxml/officeDocument/relationships/extendedProperties",
     b"http://schemas.openxmlformats.org/officeDocument/2006/relationships/extended-properties"),
    (b"http://purl.oclc.org/ooxml/officeDocument/relationships/customProperties",
     b"http://schemas.openxmlformats.org/officeDocument/2006/relationships/custom-properties"),
    (b"http://purl.oclc.org/ooxml/officeDocument/relationships",
     b"http://schemas.openxmlformats.org/officeDocument/2006/relationships"),
    (b"http://purl.oclc.org/ooxml/officeDocument/extendedProperties",
     b"http://schemas.openxmlformats.org/officeDocument/2006/extended-properties"),
    (b"http://purl.oclc.org/ooxml/officeDocument/customProperties",
     b"http://schemas.openxmlformats.org/officeDocument/2006/custom-properties"),
    (b"http://purl.oclc.org/ooxml/officeDocument/docPropsVTypes",
     b"http://schemas.openxmlformats.org/officeDocument/2006/docPropsVTypes"),
    (b"http://purl.oclc.org/ooxml/spreadsheetml/main", b"http://schemas.openxmlformats.org/spreadsheetml/2006/main"),
    (b"http://purl.oclc.org/ooxml/drawingml/spreadsheetDrawing",
     b"http://schemas.openxmlformats.org/drawingml/2006/spreadsheetDrawing"),
    (b"http://purl.oclc.org/ooxml/drawingml/chart", b"http://schemas.openxmlformats.org/drawingml/2006/chart"),
    (b"http://purl.oclc.org/ooxml/drawingml/main", b"http://schemas.openxmlformats.org/drawingml/2006/main"),
    (b"http://purl.oclc.org/ooxml/officeDocument/sharedTypes",
     b"http://schemas.openxmlformats.org/officeDocument/2006/sharedTypes"),
)  # fmt: skip
MARQUE = b"http://purl.oclc.org/ooxml/"


def est_strict(donnees: bytes) -> bool:
    """True when the package's workbook part uses the Strict namespaces."""
    try:
        with zipfile.ZipFile(io.BytesIO(donnees)) as z:
            noms = set(z.namelist())
            partie = "xl/workbook.xml" if "xl/workbook.xml" in noms else None
            return partie is not None and MARQUE in z.read(partie)[:4096]
    except (zipfile.BadZipFile, OSError, KeyError):
        return False


def en_transitionnel(donnees: bytes) -> bytes:
    """The same package with the Strict namespaces replaced by the transitional ones."""
    sortie = io.BytesIO()
    with zipfile.ZipFile(io.BytesIO(donnees)) as source, zipfile.ZipFile(sortie, "w", zipfile.ZIP_DEFLATED) as cible:
        for info in source.infolist():
            contenu = source.read(info)
            if info.filename.endswith((".xml", ".rels")) and MARQUE in contenu:
                for strict, transitionnel in _PAIRES:
                    contenu = contenu.replace(strict, transitionnel)
                contenu = contenu.replace(b' conformance="strict"', b"")
            cible.writestr(info.filename, contenu)
    return sortie.getvalue()
