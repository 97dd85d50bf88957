"""Script run by LibreOffice's Python (never imported by the package): refresh a .docx's indexes, export a PDF.

Usage: python3 bilan_pdf_uno.py CONNEXION DOCX PDF [DOCX_RAFRAICHI] [DELAI]

Connects to a headless soffice already listening on CONNEXION (a UNO connection string such as
"pipe,name=vif38_x"), opens DOCX hidden, updates every document index (the table of contents:
entries and page numbers), then exports PDF (and, when asked, saves the refreshed document as
.docx). The uno module exists only in LibreOffice's own Python (Debian: package python3-uno for
the system python3), hence a separate script rather than an import.
Exit codes: 0 done, 3 no connection to soffice within DELAI seconds, 4 the document cannot be opened.
"""

import sys
import time

import uno  # noqa: I001  (LibreOffice's Python only)
from com.sun.star.beans import PropertyValue
from com.sun.star.connection import NoConnectException


def _proprietes(**valeurs):
    sortie = []
    for nom, valeur in valeurs.items():
        p = PropertyValue()
        p.Name, p.Value = nom, valeur
        sortie.append(p)
    return tuple(sortie)


def _connecter(connexion, delai):
    local = uno.getComponentContext()
    resolveur = local.ServiceManager.createInstanceWithContext("com.sun.star.bridge.UnoUrlResolver", local)
    fin = time.monotonic() + delai
    while True:
        try:
            return resolveur.resolve(f"uno:{connexion};urp;StarOffice.ComponentContext")
        except NoConnectException:
            if time.monotonic() > fin:
                sys.exit(3)
            time.sleep(0.3)


def main(argv):
    connexion, source, pdf = argv[1], argv[2], argv[3]
    rafraichi = argv[4] if len(argv) > 4 and argv[4] else ""
    delai = float(argv[5]) if len(argv) > 5 else 60.0
    contexte = _connecter(connexion, delai)
    bureau = contexte.ServiceManager.createInstanceWithContext("com.sun.star.frame.Desktop", contexte)
    doc = bureau.loadComponentFromURL(uno.systemPathToFileUrl(source), "_blank", 0, _proprietes(Hidden=True))
    if doc is None:
        sys.exit(4)
    try:
        # Page numbers are known once the layout is done: update the indexes twice (the first
        # update may add pages to the contents itself, which moves what follows).
        for _ in range(2):
            doc.refresh()
            indexes = doc.getDocumentIndexes()
            for i in range(indexes.getCount()):
                indexes.getByIndex(i).update()
            doc.getTextFields().refresh()
        doc.storeToURL(uno.systemPathToFileUrl(pdf), _proprietes(FilterName="writer_pdf_Export"))
        if rafraichi:
            doc.storeToURL(uno.systemPathToFileUrl(rafraichi), _proprietes(FilterName="MS Word 2007 XML"))
    finally:
        doc.close(True)
    try:
        bureau.terminate()
    except Exception:  # soffice closing drops the bridge: expected
        pass


if __name__ == "__main__":
    main(sys.argv)
