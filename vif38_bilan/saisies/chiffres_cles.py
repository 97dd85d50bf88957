"""Reads the "Chiffres clés" sheet of a return: the key-figure rows and their input cells.

Found as the Saisie table is: the sheet by its name (else any sheet with a "Code chiffre" header
cell), the header row by that cell, rows by their code, the input column by its "Valeur AAAA"
header. No judgement here: verifications_chiffres.py checks what was read.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Any, NamedTuple

from vif38_bilan.gabarits import disposition as d
from vif38_bilan.lecture.classeur import lettre_colonne


class Case(NamedTuple):
    """One cell as read: 1-based position in the original sheet, value (None if empty), A1 ref."""

    ligne: int
    colonne: int
    valeur: Any
    ref: str


class LigneChiffreLue(NamedTuple):
    code: str  # normalised row code ("hu_fvv", "commission_prostitution.refus")
    brut: Any
    cellule_code: Case
    valeur: Case | None  # None when the year's column is missing


@dataclass(frozen=True)
class LectureChiffres:
    feuille: str
    ligne_entete: int | None  # None: no "Code chiffre" header found on the sheet
    colonne_manquante: str | None  # the year's "Valeur AAAA" header, when not found
    lignes: tuple[LigneChiffreLue, ...]


def _vide(v: Any) -> Any:
    if v is None or (isinstance(v, str) and not v.strip()):
        return None
    return v


def normaliser(code: Any) -> str:
    return "".join(str(code).split()).casefold()


def chercher_feuille(noms: list[str], lire: Any) -> tuple[str, list[list[Any]], tuple[int, int]] | None:
    """(sheet, rows, offset) of the key-figure sheet: by name, else by its header cell.
    lire(name) returns (rows, offset) as saisies reads a sheet."""
    candidates = [d.FEUILLE_CHIFFRES] if d.FEUILLE_CHIFFRES in noms else []
    candidates += [n for n in noms if n != d.FEUILLE_CHIFFRES and n not in (d.FEUILLE_SAISIE, d.FEUILLE_ID)]
    for nom in candidates:
        lignes, depart = lire(nom)
        if nom == d.FEUILLE_CHIFFRES or _entete(lignes) is not None:
            return nom, lignes, depart
    return None


def _entete(lignes: list[list[Any]]) -> tuple[int, int] | None:
    cible = d.cle_libelle(d.CODE_CHIFFRE)
    for i, ligne in enumerate(lignes):
        for j, v in enumerate(ligne):
            if isinstance(v, str) and 0 < len(v) < 40 and d.cle_libelle(v) == cible:
                return i, j
    return None


def lire_chiffres(feuille: str, lignes: list[list[Any]], depart: tuple[int, int], annee: int | None) -> LectureChiffres:
    """The key-figure rows of a sheet read by calamine (depart: offset of its first row/column)."""
    r0, c0 = depart
    entete = _entete(lignes)
    if entete is None:
        return LectureChiffres(feuille, None, None, ())
    i_entete, j_code = entete
    if annee is None:  # a copy that lost its identification: the year of its "Valeur AAAA" header
        annees = {int(m.group(1)) for v in lignes[i_entete] if (m := re.match(r"Valeur (\d{4})$", str(v).strip()))}
        annee = annees.pop() if len(annees) == 1 else None
    tete = d.entete_valeur(annee, 1) if annee is not None else None
    j_valeur = None
    if tete is not None:
        j_valeur = next(
            (j for j, v in enumerate(lignes[i_entete]) if isinstance(v, str) and d.cle_libelle(v) == d.cle_libelle(tete)), None
        )
    lues: list[LigneChiffreLue] = []
    for i in range(i_entete + 1, len(lignes)):
        ligne = lignes[i]
        brut = _vide(ligne[j_code]) if j_code < len(ligne) else None
        if brut is None:
            continue
        n = i + r0 + 1
        cellule_code = Case(n, j_code + c0 + 1, brut, f"{lettre_colonne(j_code + c0 + 1)}{n}")
        valeur = None
        if j_valeur is not None:
            v = _vide(ligne[j_valeur]) if j_valeur < len(ligne) else None
            valeur = Case(n, j_valeur + c0 + 1, v, f"{lettre_colonne(j_valeur + c0 + 1)}{n}")
        lues.append(LigneChiffreLue(normaliser(brut), brut, cellule_code, valeur))
    manquante = tete if (tete is not None and j_valeur is None) else None
    return LectureChiffres(feuille, i_entete + r0 + 1, manquante, tuple(lues))
