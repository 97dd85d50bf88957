"""Reads one returned collection workbook: cell values only (python-calamine), each with its A1
reference in the original file. No check here beyond what reading needs: controle.py judges.

Recognition relies on the hidden identification (sheet `_vif38`, or the custom document
properties when a spreadsheet program dropped the sheet), the "Code action" header cell and the
identity labels, never on the file name or on row positions.
"""

from __future__ import annotations

import re
import zipfile
import zlib
from dataclasses import dataclass, field
from datetime import datetime
from functools import cached_property
from pathlib import Path
from typing import Any, NamedTuple

from vif38_bilan.gabarits import disposition as d
from vif38_bilan.lecture.cellules_brutes import formules_sans_valeur
from vif38_bilan.lecture.classeur import ClasseurLu, lettre_colonne, lire_classeur, lire_feuille
from vif38_bilan.saisies.chiffres_cles import LectureChiffres, chercher_feuille, lire_chiffres
from vif38_bilan.lecture.cellules_brutes import erreurs_formule
from vif38_bilan.saisies.proprietes import date_modification, lire_horodatage, proprietes_personnalisees
from vif38_bilan.lecture.commentaires import lire_commentaires

__all__ = ["Cellule", "LigneAction", "Retour", "date_modification", "lire_horodatage", "lire_retour"]
__all__ += ["normaliser_code", "proprietes_personnalisees"]

# ---------------------------------------------------------------- data


class Cellule(NamedTuple):
    """One cell as read: 1-based position in the original sheet and its value (None if empty)."""

    ligne: int
    colonne: int
    valeur: Any
    ref: str  # A1 reference in the original file

    @classmethod
    def en(cls, ligne: int, colonne: int, valeur: Any) -> Cellule:
        return cls(ligne, colonne, valeur, f"{lettre_colonne(colonne)}{ligne}")


class LigneAction(NamedTuple):
    """One action row of the Saisie sheet: the input cells of the file's own year."""

    code: str  # normalised ("1-1-1")
    brut: Any  # the code cell as written
    cellule_code: Cellule
    statut: Cellule | None  # None when the column is missing
    valeurs: tuple[Cellule, ...]  # one per indicator slot found in the header
    observations: Cellule | None


@dataclass(frozen=True, eq=False)
class Retour:
    """What one return holds, as read."""

    chemin: Path
    nom: str  # path relative to the returns folder, "/" separators
    format: str  # "xlsx" | "xlsm" | "ods" | "xls"
    sha256: str
    mtime: float
    identification: d.Identification | None
    origine_identification: str  # "feuille" | "proprietes" | "" (not found)
    feuille: str | None  # the sheet holding the table (normally "Saisie")
    identite: dict[str, Cellule]  # identity label → the value cell right of it
    ligne_entete: int | None  # 1-based
    colonnes: dict[str, int]  # header text (as in disposition) → 1-based column
    colonnes_manquantes: tuple[str, ...]  # required headers of the file's year not found
    lignes: tuple[LigneAction, ...]
    donnees: bytes = field(repr=False, default=b"")
    chiffres: LectureChiffres | None = None  # the key-figure sheet, when there is one
    # Issue 14: sheets holding a table with answers when there are several (a copied "Saisie"),
    # the sheets holding a table at all, and the merged ranges of the table sheet (1-based
    # first row, first column, last row, last column).
    feuilles_remplies: tuple[str, ...] = ()
    tables: tuple[str, ...] = ()
    fusions: tuple[tuple[int, int, int, int], ...] = ()
    # Issue 25: cells whose text held invisible format characters, removed on reading:
    # (sheet, A1 reference, text as stored, text as read).
    invisibles: tuple[tuple[str, str, str, str], ...] = ()
    # Issue 25, every cell accounted for: the table sheet's non-empty cells (1-based row,
    # column, value), and those of the sheets that hold no table and are not the template's.
    non_vides: tuple[tuple[int, int, Any], ...] = ()
    autres_feuilles: tuple[tuple[str, str, Any], ...] = ()  # (sheet, A1 reference, value)
    feuilles: tuple[str, ...] = ()  # every sheet but the identification, in order
    non_vides_chiffres: tuple[tuple[int, int, Any], ...] = ()  # the same, on the key-figure sheet

    @property
    def annee(self) -> int | None:
        """The year the identification states, else the one of the "Valeur AAAA" header."""
        if self.identification:
            return self.identification.annee
        annees = [int(m.group(1)) for t in self.colonnes if (m := re.match(r"Valeur (\d{4})$", t))]
        return annees[0] if annees else None

    def texte_identite(self, libelle: str) -> str:
        c = self.identite.get(libelle)
        if c is None or c.valeur is None:
            return ""
        return " ".join(str(c.valeur).split())

    @cached_property
    def formules_sans_valeur(self) -> frozenset[str]:
        """A1 refs of the table sheet's formula cells that carry no cached value (xlsx/xlsm only;
        Excel and LibreOffice always store the result, programs such as openpyxl do not)."""
        if self.format not in ("xlsx", "xlsm") or not self.feuille:
            return frozenset()
        try:
            return formules_sans_valeur(self.donnees, self.feuille)
        except (KeyError, ValueError, IndexError, SyntaxError, OSError, EOFError, zipfile.BadZipFile, zlib.error):
            return frozenset()

    @cached_property
    def erreurs_formule(self) -> dict[str, str]:
        """A1 ref → the error a cell of the table sheet shows (#DIV/0!, #N/A...): calamine reads
        those cells as empty. Computed only when a checked cell reads empty."""
        if not self.feuille:
            return {}

        return erreurs_formule(self.donnees, self.format, self.feuille)

    @cached_property
    def commentaires(self) -> tuple[Any, ...]:
        """The pilot's comments on every sheet but the identification (lecture.commentaires)."""
        return tuple(lire_commentaires(self.donnees, self.format, list(self.feuilles)))

    @cached_property
    def modifie_le(self) -> datetime | None:
        """The workbook's own last-modified property (naive UTC when the file says so)."""
        return date_modification(self.donnees, self.format)


# ---------------------------------------------------------------- reading


_CLES_LIBELLES = {d.cle_libelle(x): x for x in d.LIBELLES_IDENTITE}
_CLE_CODE = d.cle_libelle(d.CODE_ACTION)
_TIRETS = str.maketrans({"‐": "-", "‑": "-", "‒": "-", "–": "-", "—": "-", "−": "-", " ": "", "\u00a0": ""})


def normaliser_code(valeur: Any) -> str:
    """Action code as written → "1-1-1" (spaces and typographic dashes removed)."""
    if isinstance(valeur, float) and valeur.is_integer():
        valeur = int(valeur)
    return str(valeur).strip().translate(_TIRETS)


def lire_retour(chemin: Path, racine: Path, classeur: ClasseurLu | None = None, nom: str | None = None) -> Retour:
    """Read one return. classeur is the file as read and checked by lecture.lire_classeur (these
    very bytes are parsed, the file is not read again); when None, it is read and checked here.
    nom: the name shown (default: the path relative to racine). Raises FichierRefuse when it
    cannot be read at all."""
    if not isinstance(chemin, Path):
        chemin = Path(chemin)
    if classeur is None:
        classeur = lire_classeur(chemin)
    if nom is None:
        try:
            nom = chemin.relative_to(racine).as_posix()
        except ValueError:
            nom = chemin.name
    lu = classeur
    donnees, mtime, format, sha = lu.donnees, lu.mtime, lu.format, lu.sha256
    classeur = lu.ouvrir()
    noms = list(classeur.sheet_names)

    # Identification: the hidden sheet, else the custom document properties.
    identification, origine = None, ""
    if d.FEUILLE_ID in noms:
        identification = d.lire_identification(d.lire_paires(lire_feuille(classeur, d.FEUILLE_ID)[0]))
        origine = "feuille" if identification else ""
    if identification is None:
        identification = d.lire_identification(proprietes_personnalisees(donnees, format))
        origine = "proprietes" if identification else ""

    # The table: the Saisie sheet, else any sheet with a "Code action" header cell. Other sheets
    # are read only when the workbook has some: a pilot who duplicated "Saisie" into "Saisie (2)"
    # and filled the copy has answers there (issue 14).
    autres = [n for n in noms if n not in (d.FEUILLE_SAISIE, d.FEUILLE_ID, d.FEUILLE_MODE, d.FEUILLE_CHIFFRES)]
    candidates = ([d.FEUILLE_SAISIE] if d.FEUILLE_SAISIE in noms else []) + autres
    candidates += [d.FEUILLE_MODE] if d.FEUILLE_MODE in noms else []
    tables: list[_Table] = []
    lecteur = _Lecteur(classeur)
    lire = lecteur.lire

    for n in candidates:
        if tables and (n == d.FEUILLE_MODE or not autres):
            break
        fusions: list = []
        brutes, dep = lire(n, fusions=fusions)
        entete = _chercher_entete(brutes)
        if entete is not None:
            tables.append(_lire_table(n, brutes, dep, entete, fusions, identification))
    if not tables and d.FEUILLE_SAISIE in noms:
        brutes, dep = lire(d.FEUILLE_SAISIE)
        tables.append(_lire_table(d.FEUILLE_SAISIE, brutes, dep, None, [], identification))
    remplies = [t for t in tables if t.reponses]
    choisie = (remplies[0] if len(remplies) == 1 else tables[0]) if tables else None
    if choisie is None:
        choisie = _lire_table(None, [], (0, 0), None, [], identification)
    chiffres = None
    if d.FEUILLE_CHIFFRES in noms or (identification and identification.chiffres):
        trouvee = chercher_feuille([n for n in noms if n != choisie.nom], lire)
        if trouvee is not None:
            annee_chiffres = identification.annee if identification else None
            chiffres = lire_chiffres(*trouvee, annee_chiffres)
    comptes = lecteur.comptes(choisie.nom, chiffres, tables, autres)
    classeur.close()
    fusions_table = tuple(choisie.fusions)
    if format == "ods" and choisie.nom and choisie.entete is not None:
        from vif38_bilan.lecture.cellules_brutes import fusions_ods  # lazy: only an .ods return needs it

        fusions_table = tuple((a + 1, b + 1, c + 1, e + 1) for (a, b), (c, e) in fusions_ods(donnees, choisie.nom))
    entete, r0 = choisie.entete, choisie.depart[0]
    return Retour(
        chemin=chemin,
        nom=nom,
        format=format,
        sha256=sha,
        mtime=mtime,
        identification=identification,
        origine_identification=origine,
        feuille=choisie.nom,
        identite=choisie.identite,
        ligne_entete=(entete[0] + r0 + 1) if entete else None,
        colonnes=choisie.colonnes,
        colonnes_manquantes=choisie.manquantes,
        lignes=choisie.lignes,
        donnees=donnees,
        chiffres=chiffres,
        feuilles_remplies=tuple(t.nom for t in remplies) if len(remplies) > 1 else (),
        tables=tuple(t.nom for t in tables if t.entete is not None),
        fusions=fusions_table,
        feuilles=tuple(n for n in noms if n != d.FEUILLE_ID),
        **comptes,
    )


class _Lecteur:
    """Reads the sheets of one workbook once each, keeping what issue 25 accounts for: the cells
    whose invisible characters were removed, and every non-empty cell."""

    def __init__(self, classeur: Any):
        self.classeur = classeur
        self.lues: dict[str, tuple[list[list[Any]], tuple[int, int]]] = {}
        self.invisibles: dict[str, list[tuple[str, str, str, str]]] = {}

    def lire(self, n: str, fusions: list | None = None) -> tuple[list[list[Any]], tuple[int, int]]:
        trouves: list = []
        brutes, dep = lire_feuille(self.classeur, n, fusions=fusions, invisibles=trouves)
        self.lues[n] = (brutes, dep)
        self.invisibles[n] = [
            (n, f"{lettre_colonne(j + dep[1] + 1)}{i + dep[0] + 1}", avant, brutes[i][j]) for i, j, avant in trouves
        ]
        return brutes, dep

    def non_vides(self, n: str | None) -> tuple[tuple[int, int, Any], ...]:
        return tuple(_non_vides(*self.lues[n])) if n in self.lues else ()

    def comptes(self, table: str | None, chiffres: Any, tables: list, autres: list[str]) -> dict[str, Any]:
        """The Retour fields of issue 25 (the pilot's added sheets are read here when not yet)."""
        feuille_chiffres = chiffres.feuille if chiffres is not None else None
        a_part = {table, feuille_chiffres} | {t.nom for t in tables}
        ajoutees = [n for n in autres if n not in a_part]
        for n in ajoutees:
            if n not in self.lues:
                self.lire(n)
        return {
            "invisibles": tuple(x for n in (table, feuille_chiffres) if n for x in self.invisibles.get(n, ())),
            "non_vides": self.non_vides(table),
            "non_vides_chiffres": self.non_vides(feuille_chiffres),
            "autres_feuilles": tuple(
                (n, f"{lettre_colonne(c)}{li}", v) for n in ajoutees for li, c, v in self.non_vides(n)
            ),
        }


def _non_vides(brutes: list[list[Any]], depart: tuple[int, int]) -> list[tuple[int, int, Any]]:
    """(1-based row, 1-based column, value) of each cell holding something."""
    r0, c0 = depart
    return [
        (i + r0 + 1, j + c0 + 1, v)
        for i, ligne in enumerate(brutes)
        for j, v in enumerate(ligne)
        if _vide(v) is not None
    ]


class _Table(NamedTuple):
    nom: str | None
    depart: tuple[int, int]
    entete: tuple[int, int] | None
    fusions: list[tuple[int, int, int, int]]
    identite: dict[str, Cellule]
    colonnes: dict[str, int]
    manquantes: tuple[str, ...]
    lignes: tuple[LigneAction, ...]
    reponses: int  # input cells holding something


def _lire_table(
    nom: str | None,
    brutes: list[list[Any]],
    depart: tuple[int, int],
    entete: tuple[int, int] | None,
    fusions: list,
    identification: d.Identification | None,
) -> _Table:
    r0, c0 = depart  # 0-based offset of the first row/column calamine returns
    identite = _identite(brutes, r0, c0, entete[0] if entete else len(brutes))
    colonnes: dict[str, int] = {}
    manquantes: tuple[str, ...] = ()
    lignes: tuple[LigneAction, ...] = ()
    if entete is not None:
        i_entete, j_code = entete
        textes = _Entetes(brutes[i_entete])
        annee = identification.annee if identification else _annee_des_entetes(textes)
        colonnes, manquantes, lignes = _table(brutes, i_entete, j_code, textes, annee, r0, c0)
    reponses = sum(
        c is not None and c.valeur is not None for li in lignes for c in (li.statut, li.observations, *li.valeurs)
    )
    fusions_1 = [(a + 1, b + 1, c + 1, e + 1) for (a, b), (c, e) in fusions]
    return _Table(nom, depart, entete, fusions_1, identite, colonnes, manquantes, lignes, reponses)


_COURT = 40  # labels and headers are short: longer texts are never compared


def _chercher_entete(lignes: list[list[Any]]) -> tuple[int, int] | None:
    """(row index, column index) of the "Code action" header cell."""
    for i, ligne in enumerate(lignes):
        if d.CODE_ACTION in ligne:  # the usual case, at C speed
            return i, ligne.index(d.CODE_ACTION)
    for i, ligne in enumerate(lignes):  # retyped: other case, spaces, a colon
        for j, v in enumerate(ligne):
            if isinstance(v, str) and 0 < len(v) < _COURT and d.cle_libelle(v) == _CLE_CODE:
                return i, j
    return None


def _vide(v: Any) -> Any:
    if v == "" or v is None:
        return None
    if isinstance(v, str) and not v.strip():
        return None
    return v


def _identite(lignes: list[list[Any]], r0: int, c0: int, fin: int) -> dict[str, Cellule]:
    """Identity label → the cell right of it (the template writes hints further right, so the
    adjacent cell is the value; a label found twice keeps the first)."""
    identite: dict[str, Cellule] = {}
    fin = min(fin, len(lignes))

    def poser(libelle: str, i: int, j: int) -> None:
        ligne = lignes[i]
        valeur = ligne[j + 1] if j + 1 < len(ligne) else None
        identite[libelle] = Cellule.en(i + r0 + 1, j + c0 + 2, _vide(valeur))

    for i in range(fin):  # exact labels, at C speed
        ligne = lignes[i]
        for libelle in d.LIBELLES_IDENTITE:
            if libelle not in identite and libelle in ligne:
                poser(libelle, i, ligne.index(libelle))
    if len(identite) == len(d.LIBELLES_IDENTITE):
        return identite
    for i in range(fin):  # retyped labels
        for j, v in enumerate(lignes[i]):
            if not isinstance(v, str) or not 0 < len(v) < _COURT:
                continue
            libelle = _CLES_LIBELLES.get(d.cle_libelle(v))
            if libelle is not None and libelle not in identite:
                poser(libelle, i, j)
    return identite


class _Entetes:
    """Header text → column index: exact texts first; the tolerant keys (case, spaces, colon)
    are computed only when a header was retyped."""

    def __init__(self, ligne: list[Any]):
        self.ligne = ligne
        self.exacts: dict[str, int] = {}
        for j, v in enumerate(ligne):
            if isinstance(v, str) and v and v not in self.exacts:
                self.exacts[v] = j
        self._cles: dict[str, int] | None = None

    def colonne(self, tete: str, tolerant: bool = True) -> int | None:
        j = self.exacts.get(tete)
        if j is not None or not tolerant:
            return j
        if self._cles is None:
            self._cles = {}
            for k, v in enumerate(self.ligne):
                if isinstance(v, str) and 0 < len(v) < _COURT:
                    self._cles.setdefault(d.cle_libelle(v), k)
        return self._cles.get(d.cle_libelle(tete))


def _annee_des_entetes(textes: _Entetes) -> int | None:
    """A copy that lost its identification: the year of its "Valeur AAAA" header, if only one."""
    annees = {int(m.group(1)) for t in textes.exacts if (m := re.match(r"Valeur (\d{4})\b", str(t).strip()))}
    return annees.pop() if len(annees) == 1 else None


def _table(
    lignes: list[list[Any]],
    i_entete: int,
    j_code: int,
    textes: _Entetes,
    annee: int | None,
    r0: int,
    c0: int,
) -> tuple[dict[str, int], tuple[str, ...], tuple[LigneAction, ...]]:
    colonnes = {d.CODE_ACTION: j_code + c0 + 1}
    manquantes: list[str] = []
    j_statut = j_obs = None
    j_valeurs: list[int] = []
    if annee is not None:
        tete = d.entete_statut(annee)
        j_statut = textes.colonne(tete)
        if j_statut is None:
            manquantes.append(tete)
        # An untouched header row needs no tolerant lookup to know where the slots end.
        retape = j_statut is None or d.entete_valeur(annee, 1) not in textes.exacts
        k = 1
        while (j := textes.colonne(d.entete_valeur(annee, k), tolerant=retape)) is not None:
            j_valeurs.append(j)
            colonnes[d.entete_valeur(annee, k)] = j + c0 + 1
            k += 1
        if not j_valeurs:
            manquantes.append(d.entete_valeur(annee, 1))
        tete = d.entete_observations(annee)
        j_obs = textes.colonne(tete)
        if j_obs is None:
            manquantes.append(tete)
        if j_statut is not None:
            colonnes[d.entete_statut(annee)] = j_statut + c0 + 1
        if j_obs is not None:
            colonnes[tete] = j_obs + c0 + 1

    # Built row by row with local names: this loop runs for every action of every return.
    lettres = [(j, lettre_colonne(j + c0 + 1)) for j in j_valeurs]
    lettre_statut = lettre_colonne(j_statut + c0 + 1) if j_statut is not None else ""
    lettre_obs = lettre_colonne(j_obs + c0 + 1) if j_obs is not None else ""
    lettre_code = lettre_colonne(j_code + c0 + 1)
    actions: list[LigneAction] = []
    for i in range(i_entete + 1, len(lignes)):
        ligne = lignes[i]
        largeur = len(ligne)
        brut = _vide(ligne[j_code]) if j_code < largeur else None
        if brut is None:
            continue
        n = i + r0 + 1
        statut = obs = None
        if j_statut is not None:
            statut = Cellule(
                n, j_statut + c0 + 1, _vide(ligne[j_statut]) if j_statut < largeur else None, f"{lettre_statut}{n}"
            )
        if j_obs is not None:
            obs = Cellule(n, j_obs + c0 + 1, _vide(ligne[j_obs]) if j_obs < largeur else None, f"{lettre_obs}{n}")
        valeurs = tuple(
            [Cellule(n, j + c0 + 1, _vide(ligne[j]) if j < largeur else None, f"{lettre}{n}") for j, lettre in lettres]
        )
        actions.append(
            LigneAction(
                normaliser_code(brut),
                brut,
                Cellule(n, j_code + c0 + 1, brut, f"{lettre_code}{n}"),
                statut,
                valeurs,
                obs,
            )
        )
    return colonnes, tuple(manquantes), tuple(actions)
