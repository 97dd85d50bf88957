"""An .xlsx workbook holding an .ods return's cells at the same places (issue 14, kind 10), so
that the annotated copy of an .ods return can be written like any other (openpyxl cannot read
.ods). Values only, plus what keeps the copy recognisable when the pilot corrects it and sends it
back: the hidden identification sheet and the vif38_ custom properties. Column widths of the
input sheet follow the template's.
"""

from __future__ import annotations

import io
import re
import zipfile
from datetime import date, datetime, time, timedelta
from typing import Any

from vif38_bilan.gabarits import disposition as d
from vif38_bilan.commun.ecriture import mettre_texte
from vif38_bilan.saisies.retour import proprietes_personnalisees
from vif38_bilan.lecture.cellules_brutes import cellules_de_la_table, lire_borne
from vif38_bilan.lecture.classeur import lire_feuille, ouvrir_calamine
from vif38_bilan.commun.textes import lettre_colonne


def classeur_depuis_ods(donnees: bytes) -> Any:
    """An openpyxl Workbook with every sheet of the .ods (cell A1 of each at A1)."""
    from openpyxl import Workbook
    from openpyxl.packaging.custom import StringProperty
    from openpyxl.styles import Alignment, Font, PatternFill
    from openpyxl.utils import get_column_letter

    source = ouvrir_calamine(donnees)  # calamine failures and panics contained (FichierRefuse)
    wb = Workbook()
    wb.remove(wb.active)
    for meta in source.sheets_metadata:
        ws = wb.create_sheet(meta.name[:31])
        lignes = lire_feuille(source, meta.name, skip_empty_area=False)[0]
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


_T = "{urn:oasis:names:tc:opendocument:xmlns:table:1.0}"
_S = "{urn:oasis:names:tc:opendocument:xmlns:style:1.0}"
_RE_LISTE = re.compile(r"cell-content-is-in-list\((.*)\)\s*$")


def proteger_comme_ods(wb: Any, donnees: bytes) -> None:
    """Give the copy the .ods return's own sheet protection and data validations (issue 25): the
    drop-down lists (statuses, Oui/Non) and whole-number checks on the same cells, the input
    cells left unlocked (style cell-protect="none"), the sheets protected as they were. Parsed
    from content.xml with defusedxml; a part that cannot be read leaves the copy as it is."""
    from defusedxml.ElementTree import fromstring
    from openpyxl.styles import Protection
    from openpyxl.worksheet.datavalidation import DataValidation


    try:
        with zipfile.ZipFile(io.BytesIO(donnees)) as z:
            racine = fromstring(lire_borne(z, "content.xml"))
    except Exception:
        return
    libres = {
        s.get(f"{_S}name")
        for s in racine.iter(f"{_S}style")
        for p in s.iter(f"{_S}table-cell-properties")
        if p.get(f"{_S}cell-protect") == "none"
    }
    validations = {v.get(f"{_T}name"): _validation(v, DataValidation) for v in racine.iter(f"{_T}content-validation")}
    for table in racine.iter(f"{_T}table"):
        nom = (table.get(f"{_T}name") or "")[:31]
        if nom not in wb.sheetnames:
            continue
        ws = wb[nom]
        colonnes: list[str | None] = []
        for c in table.iter(f"{_T}table-column"):
            colonnes += [c.get(f"{_T}default-cell-style-name")] * int(c.get(f"{_T}number-columns-repeated", "1"))
        copies: dict[str, Any] = {}
        for ligne, colonne, e in cellules_de_la_table(table):  # the tree parsed above: content.xml read once
            n = min(int(e.get(f"{_T}number-columns-repeated", "1")), 64)
            style = e.get(f"{_T}style-name") or (colonnes[colonne] if colonne < len(colonnes) else None)
            nom_v = e.get(f"{_T}content-validation-name")
            if ligne >= 2000 or (style not in libres and nom_v is None):
                continue
            for k in range(n):
                ref = f"{lettre_colonne(colonne + k + 1)}{ligne + 1}"
                if style in libres:
                    ws[ref].protection = Protection(locked=False)
                if nom_v and validations.get(nom_v) is not None:
                    copies.setdefault(nom_v, _copie(validations[nom_v], DataValidation)).add(ref)
        for v in copies.values():
            ws.add_data_validation(v)
        if table.get(f"{_T}protected") == "true":
            ws.protection.sheet = True
            ws.protection.formatColumns = False
            ws.protection.formatRows = False


def _validation(v: Any, DataValidation: Any) -> Any:
    """An openpyxl validation for an ODF content-validation: lists and whole numbers (None otherwise)."""
    condition = v.get(f"{_T}condition") or ""
    condition = condition.split(":", 1)[1] if condition.startswith(("of:", "ooo:")) else condition
    vide = v.get(f"{_T}allow-empty-cell", "true") == "true"
    m = _RE_LISTE.search(condition)
    if m:
        valeurs = [x.strip().strip('"') for x in m.group(1).split(";")]
        return DataValidation(type="list", formula1=d.formule_liste(valeurs), allow_blank=vide, showErrorMessage=True)
    if "is-whole-number" in condition:
        return DataValidation(
            type="whole", operator="greaterThanOrEqual", formula1="0", allow_blank=vide, showErrorMessage=True
        )
    return None


def _copie(v: Any, DataValidation: Any) -> Any:
    return DataValidation(
        type=v.type, operator=v.operator, formula1=v.formula1, allow_blank=v.allow_blank, showErrorMessage=True
    )
