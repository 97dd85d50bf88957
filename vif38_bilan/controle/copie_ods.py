"""An .xlsx workbook holding an .ods return's cells at the same places (issue 14, kind 10), so
that the annotated copy of an .ods return can be written like any other (openpyxl cannot read
.ods). Values only, plus what keeps the copy recognisable when the pilot corrects it and sends it
back: the hidden identification sheet and the vif38_ custom properties. Column widths of the
input sheet follow the template's.
"""

from __future__ import annotations

import io
from datetime import date, datetime, time, timedelta
from typing import Any

from vif38_bilan.gabarits import disposition as d
from vif38_bilan.commun.ecriture import mettre_texte
from vif38_bilan.saisies.retour import proprietes_personnalisees


def classeur_depuis_ods(donnees: bytes) -> Any:
    """An openpyxl Workbook with every sheet of the .ods (cell A1 of each at A1)."""
    from openpyxl import Workbook
    from openpyxl.packaging.custom import StringProperty
    from openpyxl.styles import Alignment, Font, PatternFill
    from openpyxl.utils import get_column_letter
    from python_calamine import CalamineWorkbook


    source = CalamineWorkbook.from_filelike(io.BytesIO(donnees))
    wb = Workbook()
    wb.remove(wb.active)
    for meta in source.sheets_metadata:
        ws = wb.create_sheet(meta.name[:31])
        lignes = source.get_sheet_by_name(meta.name).to_python(skip_empty_area=False)
        entetes: dict[int, str] = {}
        for i, ligne in enumerate(lignes, start=1):
            for j, v in enumerate(ligne, start=1):
                if v == "" or v is None:
                    continue
                c = ws.cell(i, j)
                if isinstance(v, str):
                    mettre_texte(c, v)  # text stays text ("=..." included)
                elif isinstance(v, datetime | date | time | int | float | bool):
                    c.value = v
                elif isinstance(v, timedelta):
                    c.value = str(v)
                if v == d.CODE_ACTION:
                    entetes = {k: t for k, t in enumerate(ligne, start=1) if isinstance(t, str) and t}
                    for k in entetes:
                        h = ws.cell(i, k)
                        h.font = Font(bold=True, color="FFFFFF")
                        h.fill = PatternFill("solid", fgColor=d.COULEUR_EN_TETE)
                        h.alignment = Alignment(wrap_text=True, vertical="center")
        for k, t in entetes.items():
            ws.column_dimensions[get_column_letter(k)].width = d.largeur(t)
        if meta.name == d.FEUILLE_ID or str(meta.visible).lower().endswith("hidden"):
            ws.sheet_state = "hidden"
    for nom, valeur in proprietes_personnalisees(donnees, "ods").items():
        wb.custom_doc_props.append(StringProperty(name=d.PREFIXE_PROPRIETE + nom, value=str(valeur)))
    if d.FEUILLE_SAISIE in wb.sheetnames:
        wb.active = wb.sheetnames.index(d.FEUILLE_SAISIE)
    source.close()
    return wb
