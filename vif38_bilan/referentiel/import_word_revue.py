"""The workbook an import writes: the referential's sheets, always, with a first "Revue" sheet and
the cells still to fill marked; and the French account the CLI prints.

The workbook is written even when the data is incomplete: it is then loaded back once, and each
fault the loading names by sheet, row and column becomes a marked cell (yellow, with a comment)
and a review line « Bloque le chargement ». `vif38-bilan --referentiel <classeur> referentiel`
lists the same faults until the agent has filled them.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from vif38_bilan.exceptions import ReferentielInvalide
from vif38_bilan.referentiel.import_word_parties import Inference
from vif38_bilan.referentiel.protocole import Protocole
from vif38_bilan.commun.ecriture import enregistrer_classeur
from vif38_bilan.referentiel.chargement import charger_protocole
from vif38_bilan.referentiel.classeur import ecrire_xlsx
from vif38_bilan.commun.ecriture import mettre_texte

FEUILLE_REVUE = "Revue"
ENTETES_REVUE = ["N°", "Quoi", "Où", "Lu dans le document", "Retenu", "À vérifier"]
BLOQUANT = "Bloque le chargement"
RE_CASE = re.compile(r"^feuille (.+?), ligne (\d+), colonne « (.+?) »")
JAUNE = "FFF2CC"


@dataclass
class ImportReferentiel:
    """What an import read: the protocol when complete (else None), the review lines, the data."""

    protocole: Protocole | None
    revue: list[Inference] = field(default_factory=list)
    source: str = "protocole"  # "protocole" or "bilan"
    chemin: Path | None = None  # the workbook written, once written
    donnees: dict[str, Any] = field(default_factory=dict)  # the plain data read, complete or not
    fautes: list[str] = field(default_factory=list)  # what blocks loading, in French


def ecrire_referentiel_importe(imp: ImportReferentiel, chemin: str | Path) -> Path:
    """The referential workbook (loadable with --referentiel once complete), a first "Revue" sheet.

    Args:
        imp: the import; imp.fautes and imp.revue are updated with what the written workbook
            still lacks (each blocking cell named by sheet, row and column).
        chemin: the .xlsx to write (temp file then rename).
    Returns:
        The path written.
    Raises:
        SortieBloquee: the file cannot be replaced (open in Excel).
    """
    import openpyxl


    chemin = Path(chemin)
    ecrire_xlsx(imp.protocole if imp.protocole is not None else imp.donnees, chemin)
    try:
        imp.protocole, imp.fautes = charger_protocole(chemin), []
    except ReferentielInvalide as e:
        imp.protocole, imp.fautes = None, e.fautes
    wb = openpyxl.load_workbook(chemin)
    imp.revue = [i for i in imp.revue if i.quoi != BLOQUANT]
    for faute in imp.fautes:
        m = RE_CASE.match(faute)
        ou = m.group(0) if m else "classeur"
        imp.revue.append(Inference(BLOQUANT, ou, "", faute, "Complétez ou corrigez cette case, puis vérifiez avec "
                                   f"« vif38-bilan --referentiel {chemin.name} referentiel »."))  # fmt: skip
        if m:
            _marquer(wb, m.group(1), int(m.group(2)), m.group(3), faute)
    _feuille_revue(wb, imp.revue)
    return enregistrer_classeur(wb, chemin)


def _marquer(wb: Any, feuille: str, ligne: int, colonne: str, message: str) -> None:
    """A cell to fill: yellow, with the message as a comment."""
    from openpyxl.comments import Comment
    from openpyxl.styles import PatternFill

    if feuille not in wb.sheetnames:
        return
    ws = wb[feuille]
    j = next((c.column for c in ws[1] if str(c.value or "").strip() == colonne), None)
    if j is None:
        return
    case = ws.cell(ligne, j)
    case.fill = PatternFill("solid", fgColor=JAUNE)
    case.comment = Comment(f"À remplir : {message}", "vif38-bilan")


def _feuille_revue(wb: Any, revue: list[Inference]) -> None:
    from openpyxl.styles import Alignment, Font, PatternFill


    if FEUILLE_REVUE in wb.sheetnames:
        del wb[FEUILLE_REVUE]
    ws = wb.create_sheet(FEUILLE_REVUE, 0)
    ws.append(ENTETES_REVUE)
    for i, inf in enumerate(revue, 1):
        r = i + 1  # counted: ws.max_row would scan every cell at each row
        for j, v in enumerate([i, inf.quoi, inf.ou, inf.lu, inf.retenu, inf.a_verifier], 1):
            mettre_texte(ws.cell(r, j), v)
            ws.cell(r, j).alignment = Alignment(wrap_text=True, vertical="top")
            if inf.quoi in ("À compléter", BLOQUANT):
                ws.cell(r, j).fill = PatternFill("solid", fgColor=JAUNE)
    for j, largeur in enumerate([6, 22, 16, 60, 60, 50], 1):
        ws.cell(1, j).font = Font(bold=True)
        ws.cell(1, j).fill = PatternFill("solid", fgColor="D9E1F2")
        ws.column_dimensions[ws.cell(1, j).column_letter].width = largeur
    ws.freeze_panes = "A2"
    ws.auto_filter.ref = f"A1:F{len(revue) + 1}"
    ws.page_setup.orientation = "landscape"
    ws.page_setup.fitToWidth, ws.page_setup.fitToHeight = 1, 0
    ws.sheet_properties.pageSetUpPr.fitToPage = True
    ws.print_title_rows = "1:1"
    wb.active = 0


def compte_rendu(imp: ImportReferentiel) -> list[str]:
    """What the import read and wrote, in French, one line each (the CLI prints them)."""
    d, chemin = imp.donnees, imp.chemin
    if imp.protocole is not None:
        p = imp.protocole
        axes, objectifs, actions, pilotes, annees = p.axes, p.objectifs, p.actions, p.pilotes, p.annees
    else:
        axes, objectifs, actions, pilotes = (
            d.get("axes", []),
            d.get("objectifs", []),
            d.get("actions", []),
            d.get("pilotes", []),
        )
        annees = tuple(d.get("annees") or ())
    comptes: dict[str, int] = {}
    for inf in imp.revue:
        comptes[inf.quoi] = comptes.get(inf.quoi, 0) + 1
    origine = "du protocole" if imp.source == "protocole" else "du bilan (sans indicateurs)"
    lignes = [
        f"Référentiel lu, tableaux {origine} : {len(axes)} axes, {len(objectifs)} objectifs, "
        f"{len(actions)} actions, {len(pilotes)} pilotes, années {', '.join(map(str, annees)) or '(non trouvées)'}.",
        f"Classeur écrit : {chemin} — feuille « {FEUILLE_REVUE} » : {len(imp.revue)} point(s) à vérifier ("
        + ", ".join(f"{n} × {q.lower()}" for q, n in comptes.items())
        + ").",
    ]
    if imp.fautes:
        lignes.append(
            f"{len(imp.fautes)} case(s) restent à remplir avant d'utiliser ce classeur (en jaune, et lignes "
            f"« {BLOQUANT} » de la feuille « {FEUILLE_REVUE} ») ; par exemple : {imp.fautes[0]}"
        )
        lignes.append(
            f"Ensuite : complétez-les, vérifiez avec « vif38-bilan --referentiel {chemin} referentiel », "
            f'puis indiquez referentiel = "{chemin}" dans vif38.toml.'
        )
    else:
        lignes.append(
            "Ensuite : relisez la feuille « Revue », corrigez les autres feuilles au besoin, puis indiquez "
            f'referentiel = "{chemin}" dans vif38.toml (ou passez --referentiel {chemin} à chaque commande).'
        )
    return lignes
