"""Key figures in the history: read back from the "chiffres clés" sheet of an earlier year's
consolidation workbook, and the same sheet, blank, in the workbook typed by hand for a year the
tool did not process. A workbook without the sheet (written before key figures) reads as empty.
"""

from __future__ import annotations

from typing import Any

from vif38_bilan.regles import (
    AVERTISSEMENT,
    ERREUR,
    HISTORIQUE,
    HISTORIQUE_CODE,
    VALEUR_ILLISIBLE,
    VALEUR_VARIANTE,
    Anomalie,
)
from vif38_bilan.referentiel.chiffres_cles import AXE_GENERAL
from vif38_bilan.consolidation.disposition import (
    COL_CODE_CHIFFRE,
    FEUILLE_CHIFFRES,
    ecrire_ligne,
    entetes_chiffres,
    feuille,
)
from vif38_bilan.lecture.classeur import lettre_colonne
from vif38_bilan.referentiel.protocole import Protocole
from vif38_bilan.controle.valeurs import lire_entier


def lire_chiffres_historiques(
    protocole: Protocole, lignes: list[list[Any]], y: int, rel: str, anomalies: list[Anomalie]
) -> tuple[dict[str, int], dict[str, str]]:
    """(row code → value of year y, row code → its cell) from the sheet's rows; findings appended."""
    if not lignes:
        return {}, {}
    tete = [str(v).strip() for v in lignes[0]]
    colonne = f"Valeur {y}"
    if COL_CODE_CHIFFRE not in tete or colonne not in tete:
        manque = COL_CODE_CHIFFRE if COL_CODE_CHIFFRE not in tete else colonne
        anomalies.append(
            Anomalie(
                rel, FEUILLE_CHIFFRES, "1", None, AVERTISSEMENT,
                f"La feuille « {FEUILLE_CHIFFRES} » n'a pas de colonne « {manque} » en ligne 1 : ses chiffres clés "
                "ne sont pas lus. Ne modifiez pas les en-têtes.",
                HISTORIQUE.id,
            )
        )  # fmt: skip
        return {}, {}
    jc, jv = tete.index(COL_CODE_CHIFFRE), tete.index(colonne)
    connus = {code for s in protocole.chiffres for code, _ in s.codes}
    valeurs: dict[str, int] = {}
    cellules: dict[str, str] = {}
    for i, ligne in enumerate(lignes[1:], 2):
        code = str(ligne[jc]).strip() if jc < len(ligne) and ligne[jc] not in (None, "") else ""
        if not code:
            continue
        if code not in connus:
            ref = f"{lettre_colonne(jc + 1)}{i}"
            message = f"Code chiffre « {code} » inconnu du référentiel en {ref} : la ligne est ignorée."
            anomalies.append(Anomalie(rel, FEUILLE_CHIFFRES, ref, code, AVERTISSEMENT, message, HISTORIQUE_CODE.id))
            continue
        brut = ligne[jv] if jv < len(ligne) else None
        if brut is None or (isinstance(brut, str) and not brut.strip()) or code in valeurs:
            continue
        ref = f"{lettre_colonne(jv + 1)}{i}"
        v, message = lire_entier(brut)
        lieu = f"{ref} (feuille « {FEUILLE_CHIFFRES} », chiffre clé {code})"
        if v is None:
            anomalies.append(
                Anomalie(
                    rel,
                    FEUILLE_CHIFFRES,
                    ref,
                    code,
                    ERREUR,
                    f"Valeur illisible en {lieu} : {message}",
                    VALEUR_ILLISIBLE.id,
                )
            )
            continue
        if message:
            anomalies.append(
                Anomalie(rel, FEUILLE_CHIFFRES, ref, code, AVERTISSEMENT, f"En {lieu} : {message}", VALEUR_VARIANTE.id)
            )
        valeurs[code] = v
        cellules[code] = ref
    return valeurs, cellules


def ligne_serie(protocole: Protocole, serie: Any, code: str, detail: str) -> list[Any]:
    """The descriptive cells of a row of the sheet (code, label, detail, unit, axe, pilots, rule)."""
    axe = f"Axe {serie.axe}" if serie.axe is not None else AXE_GENERAL
    return [code, serie.libelle, detail, serie.unite, axe, ", ".join(serie.pilotes), serie.agregation]


def feuille_chiffres_vierge(wb: Any, protocole: Protocole, annee: int) -> None:
    """The key-figure sheet of the blank history workbook: one yellow cell per row code."""
    from openpyxl.styles import PatternFill
    from openpyxl.worksheet.datavalidation import DataValidation

    tetes = entetes_chiffres([annee], annee, vierge=True)
    ws = feuille(wb, FEUILLE_CHIFFRES, tetes, {1: 30, 2: 50, 3: 30, 7: 14})
    col = len(tetes)
    nombres = DataValidation(type="whole", operator="greaterThanOrEqual", formula1="0", allow_blank=True)
    nombres.error = "Tapez un nombre entier (sans unité), ou laissez vide."
    nombres.showErrorMessage = True
    ws.add_data_validation(nombres)
    jaune = PatternFill("solid", fgColor="FFF2CC")
    i = 2
    for serie in protocole.chiffres:
        for code, detail in serie.codes:
            ecrire_ligne(ws, i, ligne_serie(protocole, serie, code, detail))
            connue = serie.connue(code.partition(".")[2], annee)
            if connue is not None and not connue.periode:
                ws.cell(row=i, column=col).value = connue.valeur
            ws.cell(row=i, column=col).fill = jaune
            nombres.add(f"{lettre_colonne(col)}{i}")
            i += 1
