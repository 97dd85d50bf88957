"""Reading a Word document for the imports: headings, paragraphs and tables in body order.

python-docx gives the blocks; this module flattens them into plain records (heading level, text,
table grid with merged cells told apart) so the protocol and bilan readers never touch XML.
"""

from __future__ import annotations

import re
import zipfile
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from vif38_bilan.exceptions import DocumentIllisible

# A Word file larger than this is not a protocol: refuse before python-docx inflates it.
TAILLE_MAX = 50 * 1024 * 1024
TAILLE_DECOMPRESSEE_MAX = 300 * 1024 * 1024


@dataclass
class Case:
    """One cell of a table: its text and the grid columns it spans."""

    texte: str
    debut: int
    fin: int  # inclusive
    lignes: tuple[str, ...] = ()  # paragraphs (and nested table rows) one by one
    fusion_verticale: bool = False

    @property
    def fusionnee(self) -> bool:
        return self.fin > self.debut


@dataclass
class Tableau:
    rangees: list[list[Case]]
    numero: int  # 1-based, body order

    def colonne(self, rangee: int, j: int) -> Case | None:
        """The cell covering grid column j of a row."""
        for c in self.rangees[rangee]:
            if c.debut <= j <= c.fin:
                return c
        return None

    @property
    def nb_colonnes(self) -> int:
        return max((r[-1].fin + 1 for r in self.rangees if r), default=0)


@dataclass
class Bloc:
    """A paragraph (niveau = heading level, 0 for body text; titre for the Title style) or a table."""

    texte: str = ""
    niveau: int = 0
    style: str = ""
    gras: bool = False
    liste: bool = False
    tableau: Tableau | None = None
    numero: int = 0  # body order
    extra: dict[str, Any] = field(default_factory=dict)


def espaces(t: str) -> str:
    return " ".join(t.split())


def ouvrir_document(chemin: Path):
    """The python-docx Document, or DocumentIllisible with what to do.

    The bytes are read once (bounded) and parsed from memory: what was checked is what is read.
    python-docx's XML parser resolves no entity; the zip's declared sizes are capped before parsing.
    """
    import io

    chemin = Path(chemin)
    if not chemin.is_file():
        raise DocumentIllisible(f"Le document « {chemin} » est introuvable : vérifiez le chemin.")
    if chemin.stat().st_size > TAILLE_MAX:
        raise DocumentIllisible(
            f"« {chemin.name} » dépasse {TAILLE_MAX // 1024 // 1024} Mo : ce n'est pas un protocole."
        )
    with open(chemin, "rb") as f:
        donnees = f.read(TAILLE_MAX + 1)
    if donnees.startswith(b"\xd0\xcf\x11\xe0") or chemin.suffix.lower() == ".doc":
        raise DocumentIllisible(
            f"« {chemin.name} » est au format Word 97-2003 (.doc) ou protégé par un mot de passe : ouvrez-le dans "
            "Word ou LibreOffice, enregistrez-le au format .docx sans mot de passe, puis relancez la commande."
        )
    try:
        with zipfile.ZipFile(io.BytesIO(donnees)) as z:
            if sum(i.file_size for i in z.infolist()) > TAILLE_DECOMPRESSEE_MAX:
                raise DocumentIllisible(f"« {chemin.name} » est anormalement volumineux une fois décompressé : refusé.")
            if "word/document.xml" not in z.namelist():
                raise DocumentIllisible(
                    f"« {chemin.name} » n'est pas un document Word (.docx) : enregistrez-le au format .docx dans Word."
                )
        import docx

        return docx.Document(io.BytesIO(donnees))
    except DocumentIllisible:
        raise
    except Exception as e:  # zipfile, lxml and python-docx raise several unrelated types
        raise DocumentIllisible(
            f"Le document « {chemin.name} » est illisible ({type(e).__name__}) : ouvrez-le dans Word, "
            "enregistrez-le au format .docx, puis relancez la commande."
        ) from e


def _niveau(style: str) -> int:
    m = re.match(r"^(?:Heading|Titre)\s*(\d)$", style)
    return int(m.group(1)) if m else 0


def _texte_paragraphe(p) -> str:
    return p.text.replace("\t", " ")


def _lignes_cellule(cellule) -> list[str]:
    """A cell's paragraphs, and a nested table as one line per row ("2018 | 2019 | 2020")."""
    lignes: list[str] = []
    for bloc in cellule.iter_inner_content():
        if hasattr(bloc, "rows"):
            for rangee in bloc.rows:
                vus: list[Any] = []
                textes = []
                for c in rangee.cells:
                    if any(c._tc is v for v in vus):
                        continue
                    vus.append(c._tc)
                    textes.append(espaces(" ".join(_lignes_cellule(c))))
                ligne = " | ".join(t for t in textes if t)
                if ligne:
                    lignes.append(ligne)
        else:
            t = espaces(_texte_paragraphe(bloc))
            if t:
                lignes.append(t)
    return lignes


def _tableau(table, numero: int) -> Tableau:
    rangees: list[list[Case]] = []
    for r, rangee in enumerate(table.rows):
        cases: list[Case] = []
        tcs: list[Any] = []
        for j, c in enumerate(rangee.cells):
            if tcs and c._tc is tcs[-1]:  # python-docx repeats a merged cell for each grid column
                cases[-1].fin = j
                continue
            lignes = _lignes_cellule(c)
            tcPr = c._tc.tcPr
            verticale = r > 0 and tcPr is not None and tcPr.vMerge == "continue"
            if verticale and not lignes:
                # A cell merged down from the row above ("DDFE" for three actions): same text.
                dessus = next((x for x in rangees[-1] if x.debut <= j <= x.fin), None)
                lignes = list(dessus.lignes) if dessus else []
            cases.append(Case(" ".join(lignes), j, j, tuple(lignes), verticale))
            tcs.append(c._tc)
        rangees.append(cases)
    return Tableau(rangees, numero)


def blocs(document) -> list[Bloc]:
    """Paragraphs and tables of the body, in order."""
    sortie: list[Bloc] = []
    n_tableaux = 0
    for i, element in enumerate(document.iter_inner_content()):
        if hasattr(element, "rows"):
            n_tableaux += 1
            sortie.append(Bloc(tableau=_tableau(element, n_tableaux), numero=i))
            continue
        texte = _texte_paragraphe(element)
        style = element.style.name if element.style is not None else ""
        runs = [r for r in element.runs if r.text.strip()]
        sortie.append(
            Bloc(
                texte=texte.strip(),
                niveau=_niveau(style),
                style=style,
                gras=bool(runs) and all(r.bold for r in runs),
                liste=style.startswith("List") or element._p.pPr is not None and element._p.pPr.numPr is not None,
                numero=i,
            )
        )
    return sortie
