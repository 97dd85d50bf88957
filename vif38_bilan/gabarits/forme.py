"""Formatting of the collection workbooks: cell styles, sheet protection, validations, row heights."""

from __future__ import annotations

from collections.abc import Iterable
from copy import copy
from typing import Any

from openpyxl.cell import Cell
from openpyxl.styles import Alignment, Border, Font, PatternFill, Protection, Side
from openpyxl.styles.cell_style import StyleArray
from openpyxl.worksheet.datavalidation import DataValidation

from vif38_bilan.commun.textes import lignes_repliees
from vif38_bilan.gabarits import disposition as d
from vif38_bilan.commun.ecriture import mettre_texte


class Styles:
    """Cell styles built once per workbook and copied onto cells (much faster than
    assigning font/fill/border objects cell by cell)."""

    def __init__(self, ws: Any):
        fin = Side(style="thin", color="A6A6A6")
        bord = Border(left=fin, right=fin, top=fin, bottom=fin)
        haut = Alignment(wrap_text=True, vertical="top")
        centre = Alignment(wrap_text=True, vertical="top", horizontal="center")
        ouvert = Protection(locked=False)
        jaune = PatternFill("solid", fgColor=d.COULEUR_SAISIE)
        gris = PatternFill("solid", fgColor=d.COULEUR_SANS_OBJET)
        bleu = PatternFill("solid", fgColor=d.COULEUR_PREREMPLI)
        corps = Font(name="Calibri", size=10)

        def style(**attrs: Any) -> StyleArray:
            cellule = Cell(ws)
            for nom, valeur in attrs.items():
                setattr(cellule, nom, valeur)
            return cellule._style

        self.titre = style(font=Font(name="Calibri", size=14, bold=True, color=d.COULEUR_EN_TETE))
        self.consigne = style(font=Font(name="Calibri", size=10, italic=True))
        self.libelle = style(font=Font(name="Calibri", size=10, bold=True), alignment=Alignment(vertical="center"))
        self.indice = style(font=Font(name="Calibri", size=9, italic=True, color="C00000"))
        self.entete = style(
            font=Font(name="Calibri", size=10, bold=True, color="FFFFFF"),
            fill=PatternFill("solid", fgColor=d.COULEUR_EN_TETE),
            border=bord,
            alignment=Alignment(wrap_text=True, vertical="center", horizontal="center"),
        )
        self.texte = style(font=corps, border=bord, alignment=haut)
        self.texte_centre = style(font=corps, border=bord, alignment=centre)
        self.prerempli = style(font=corps, border=bord, alignment=centre, fill=bleu)
        self.prerempli_gauche = style(font=corps, border=bord, alignment=Alignment(vertical="center"), fill=bleu)
        self.sans_objet = style(font=corps, border=bord, alignment=haut, fill=gris)
        self.saisie = style(font=corps, border=bord, alignment=haut, fill=jaune, protection=ouvert)
        self.saisie_centre = style(font=corps, border=bord, alignment=centre, fill=jaune, protection=ouvert)
        self.saisie_identite = style(
            font=corps, border=bord, alignment=Alignment(vertical="center"), fill=jaune, protection=ouvert
        )
        self.saisie_date = style(
            font=corps,
            border=bord,
            alignment=Alignment(vertical="center", horizontal="left"),
            fill=jaune,
            protection=ouvert,
            number_format="DD/MM/YYYY",
        )
        self.legende_saisie = style(font=corps, border=bord, fill=jaune)
        self.legende_gris = style(font=corps, border=bord, fill=gris)
        self.legende_bleu = style(font=corps, border=bord, fill=bleu)
        self.mode_titre = style(font=Font(name="Calibri", size=14, bold=True, color=d.COULEUR_EN_TETE))
        self.mode_cle = style(font=Font(name="Calibri", size=11, bold=True), alignment=haut)
        self.mode_texte = style(font=Font(name="Calibri", size=11), alignment=haut)
        self.mode_important = style(font=Font(name="Calibri", size=11, bold=True, color="C00000"), alignment=haut)

    @staticmethod
    def poser(ws: Any, ligne: int, colonne: int, valeur: Any, style: StyleArray) -> Any:
        cellule = ws.cell(row=ligne, column=colonne)
        if valeur is not None and valeur != "":
            mettre_texte(cellule, valeur)
        cellule._style = copy(style)
        return cellule


def proteger(ws: Any) -> None:
    """Protect without a password; columns and rows may still be resized."""
    ws.protection.sheet = True
    ws.protection.formatColumns = False
    ws.protection.formatRows = False


def validation_liste(valeurs: Iterable[str], titre: str, invite: str, erreur: str) -> DataValidation:
    return DataValidation(
        type="list",
        formula1=d.formule_liste(valeurs),
        allow_blank=True,
        showDropDown=False,  # False means "show the arrow" in OOXML
        showInputMessage=True,
        showErrorMessage=True,
        errorStyle="stop",
        promptTitle=titre[:32],
        prompt=invite[:255],
        errorTitle="Valeur non prévue",
        error=erreur[:225],
    )


def validation_entier(exemple: str, erreur: str) -> DataValidation:
    """Whole number ≥ 0 (Excel/LibreOffice refuse text); exemple: "12 pers." shown as what not to type."""
    return DataValidation(
        type="whole",
        operator="greaterThanOrEqual",
        formula1="0",
        allow_blank=True,
        showInputMessage=True,
        showErrorMessage=True,
        errorStyle="stop",
        promptTitle="Nombre entier",
        prompt=f"Saisissez un nombre entier positif ou nul, sans unité ni texte : 12 et non « {exemple} ».",
        errorTitle="Nombre entier attendu",
        error=erreur,
    )


def validation_longueur(maximum: int, titre: str, invite: str, erreur: str, minimum: int = 0) -> DataValidation:
    if minimum:
        extra = {"operator": "between", "formula1": str(minimum), "formula2": str(maximum)}
    else:
        extra = {"operator": "lessThanOrEqual", "formula1": str(maximum)}
    return DataValidation(
        type="textLength",
        allow_blank=True,
        showInputMessage=True,
        showErrorMessage=True,
        errorStyle="stop",
        promptTitle=titre[:32],
        prompt=invite[:255],
        errorTitle="Texte trop long" if not minimum else titre[:32],
        error=erreur[:225],
        **extra,
    )


def hauteur(texte: str, largeur: float, points_par_ligne: float = 15.0) -> float:
    """Row height (points) for wrapped text in a column of the given width."""
    lignes = lignes_repliees(texte, int(largeur * 1.2))
    return lignes * points_par_ligne + 3


def hauteur_ligne(textes: list[tuple[str, float]]) -> float:
    """Height of a table row (10 pt text) fitting its longest wrapped text, at least 3 lines
    so that observations have room."""
    lignes = max([3] + [lignes_repliees(t, largeur * 1.1) for t, largeur in textes])
    return lignes * 13 + 4


def paysage_a4(ws: Any, ligne_en_tete: int) -> None:
    """Print setup of an input sheet: A4 landscape fit to width, header row repeated, panes frozen."""
    ws.freeze_panes = f"B{ligne_en_tete + 1}"
    ws.print_title_rows = f"{ligne_en_tete}:{ligne_en_tete}"
    ws.page_setup.orientation = "landscape"
    ws.page_setup.paperSize = ws.PAPERSIZE_A4
    ws.page_setup.fitToWidth = 1
    ws.page_setup.fitToHeight = 0
    ws.sheet_properties.pageSetUpPr.fitToPage = True
