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

from vif38_bilan.commun.nombres import taille
from vif38_bilan.commun.textes import nature_erreur
from vif38_bilan.exceptions import DocumentIllisible
from vif38_bilan.imports.conversion import A_CONVERTIR, convertir_en_docx

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
            f"« {chemin.name} » pèse {taille(chemin.stat().st_size)}, plus que les {taille(TAILLE_MAX)} d'un document de "
            "protocole : vérifiez qu'il s'agit du bon fichier ; s'il contient des images, enregistrez-en une copie "
            "sans images (.docx) et importez-la."
        )
    with open(chemin, "rb") as f:
        donnees = f.read(TAILLE_MAX + 1)
    ole = donnees.startswith(b"\xd0\xcf\x11\xe0")
    if ole and chemin.suffix.lower() in (".docx", ".docm"):
        raise DocumentIllisible(
            f"« {chemin.name} » est protégé par un mot de passe (ou mal nommé) : ouvrez-le dans Word, enregistrez-le "
            "au format .docx sans mot de passe, puis relancez la commande."
        )
    if ole or chemin.suffix.lower() in A_CONVERTIR:
        donnees = convertir_en_docx(chemin, donnees=donnees)  # the bytes read above, not the file again
    try:
        with zipfile.ZipFile(io.BytesIO(donnees)) as z:
            if sum(i.file_size for i in z.infolist()) > TAILLE_DECOMPRESSEE_MAX:
                raise DocumentIllisible(
                    f"« {chemin.name} » est anormalement volumineux une fois décompressé : ouvrez-le dans Word, "
                    "enregistrez-le de nouveau au format .docx, puis relancez l'import."
                )
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
            f"Le document « {chemin.name} » est illisible ({nature_erreur(e)}) : ouvrez-le dans Word, "
            "enregistrez-le au format .docx, puis relancez la commande."
        ) from e


W = "{http://schemas.openxmlformats.org/wordprocessingml/2006/main}"
MC = "{http://schemas.openxmlformats.org/markup-compatibility/2006}"
# Never read as text: tracked deletions (changes read as accepted), text boxes (read as blocks of
# their own), the fallback copy of alternate content, and formatting (tab stops are w:tab too).
NON_LUS = {W + "del", W + "moveFrom", W + "txbxContent", MC + "Fallback", W + "pPr", W + "rPr", W + "trPr"}
RE_LIGNE_SOMMAIRE = re.compile(r"(?:\.{3,}|…+|\t)\s*\d{1,3}\s*$")
RE_STYLE_SOMMAIRE = re.compile(r"^(?:toc|sommaire|table des mati|index)", re.IGNORECASE)


def _niveau(style: str) -> int:
    m = re.match(r"^(?:Heading|Titre)\s*(\d)$", style)
    return int(m.group(1)) if m else 0


def texte_xml(element) -> str:
    """The text of a paragraph element as Word shows it with every tracked change accepted.

    Inserted text is read, deleted text is not; soft line breaks become "\\n", tabs "\\t"; text
    boxes and field codes are left out.
    """
    morceaux: list[str] = []

    def parcourir(e) -> None:
        for x in e:
            tag = x.tag
            if not isinstance(tag, str) or tag in NON_LUS:
                continue
            if tag == W + "t":
                morceaux.append(x.text or "")
            elif tag == W + "tab":
                morceaux.append("\t")
            elif tag in (W + "br", W + "cr"):
                morceaux.append("\n")
            elif tag == W + "noBreakHyphen":
                morceaux.append("-")
            else:
                parcourir(x)

    parcourir(element)
    return "".join(morceaux)


def _romain(n: int) -> str:
    valeurs = [(1000, "M"), (900, "CM"), (500, "D"), (400, "CD"), (100, "C"), (90, "XC"), (50, "L"), (40, "XL"),
               (10, "X"), (9, "IX"), (5, "V"), (4, "IV"), (1, "I")]  # fmt: skip
    sortie = ""
    for v, s in valeurs:
        while n >= v:
            sortie, n = sortie + s, n - v
    return sortie


def _format(n: int, fmt: str) -> str:
    if fmt in ("upperRoman", "lowerRoman"):
        r = _romain(n)
        return r if fmt == "upperRoman" else r.lower()
    if fmt in ("upperLetter", "lowerLetter"):
        lettre = chr(ord("A") + (n - 1) % 26) * (1 + (n - 1) // 26)
        return lettre if fmt == "upperLetter" else lettre.lower()
    return str(n)


class Numerotation:
    """Word's automatic numbering ("Objectif n° %1 :" in numbering.xml), counted in body order.

    Word computes list labels when it displays the document; they are not in the text. Counters
    are kept per abstract list and level, deeper levels restart after a shallower item.
    """

    def __init__(self, document) -> None:
        self.nums: dict[str, tuple[str, dict[int, int]]] = {}
        self.niveaux: dict[str, dict[int, tuple[int, str, str]]] = {}
        self.compteurs: dict[str, dict[int, int]] = {}
        self.deja: set[str] = set()
        self.styles: dict[str, tuple[str, int]] = {}
        try:
            racine = document.part.numbering_part.element
        except (KeyError, NotImplementedError, AttributeError):
            racine = None
        if racine is not None:
            for a in racine.iter(W + "abstractNum"):
                niveaux = {}
                for lvl in a.iter(W + "lvl"):

                    def val(nom: str, defaut: str, lvl=lvl) -> str:
                        x = lvl.find(W + nom)
                        return x.get(W + "val", defaut) if x is not None else defaut

                    debut = val("start", "1")
                    niveaux[int(lvl.get(W + "ilvl", "0"))] = (
                        int(debut) if debut.isdigit() else 1, val("numFmt", "decimal"), val("lvlText", "")
                    )  # fmt: skip
                self.niveaux[a.get(W + "abstractNumId", "")] = niveaux
            for n in racine.iter(W + "num"):
                ref = n.find(W + "abstractNumId")
                depart = {}
                for o in n.iter(W + "lvlOverride"):
                    s = o.find(W + "startOverride")
                    if s is not None and s.get(W + "val", "").isdigit():
                        depart[int(o.get(W + "ilvl", "0"))] = int(s.get(W + "val"))
                self.nums[n.get(W + "numId", "")] = (ref.get(W + "val", "") if ref is not None else "", depart)
        self._styles(document)

    def _styles(self, document) -> None:
        """Numbering attached to paragraph styles (a heading style "AXE %1 :"), through basedOn."""
        try:
            elements = list(document.styles.element.iter(W + "style"))
        except AttributeError:
            return
        propres: dict[str, tuple[str, int] | None] = {}
        bases: dict[str, str] = {}
        for st in elements:
            sid = st.get(W + "styleId", "")
            num = st.find(f"{W}pPr/{W}numPr")
            if num is not None and num.find(W + "numId") is not None:
                ilvl = num.find(W + "ilvl")
                propres[sid] = (
                    num.find(W + "numId").get(W + "val", ""),
                    int(ilvl.get(W + "val", "0")) if ilvl is not None else 0,
                )
            b = st.find(W + "basedOn")
            if b is not None:
                bases[sid] = b.get(W + "val", "")
        for sid in {st.get(W + "styleId", "") for st in elements}:
            x, vus = sid, set()
            while x and x not in propres and x not in vus:
                vus.add(x)
                x = bases.get(x, "")
            if propres.get(x):
                self.styles[sid] = propres[x]

    def etiquette(self, p) -> str:
        """The label Word shows before paragraph p ("Objectif n° 14 :", "1."), "" for none or a bullet."""
        ppr = p.find(W + "pPr")
        num_id, ilvl = None, 0
        if ppr is not None:
            npr = ppr.find(W + "numPr")
            if npr is not None and npr.find(W + "numId") is not None:
                num_id = npr.find(W + "numId").get(W + "val", "")
                lv = npr.find(W + "ilvl")
                ilvl = int(lv.get(W + "val", "0")) if lv is not None else 0
            elif ppr.find(W + "pStyle") is not None:
                num_id, ilvl = self.styles.get(ppr.find(W + "pStyle").get(W + "val", ""), (None, 0))
        if not num_id or num_id == "0" or num_id not in self.nums:
            return ""
        abstrait, depart = self.nums[num_id]
        niveaux = self.niveaux.get(abstrait, {})
        compteurs = self.compteurs.setdefault(abstrait, {})
        if num_id not in self.deja:
            self.deja.add(num_id)
            for lv, d in depart.items():
                compteurs[lv] = d - 1
        debut = niveaux.get(ilvl, (1, "decimal", ""))[0]
        compteurs[ilvl] = compteurs.get(ilvl, debut - 1) + 1
        for lv in [k for k in compteurs if k > ilvl]:
            del compteurs[lv]
        _, fmt, texte = niveaux.get(ilvl, (1, "bullet", ""))
        if fmt in ("bullet", "none") or not texte:
            return ""
        for k in range(ilvl + 1):
            valeur = compteurs.get(k, niveaux.get(k, (1, "", ""))[0])
            texte = texte.replace(f"%{k + 1}", _format(valeur, niveaux.get(k, (1, "decimal", ""))[1]))
        return texte.strip()


def _avec_etiquette(etiquette: str, texte: str) -> str:
    """The label before the text, unless the text already starts with it (« Objectif n° 14 » twice)."""
    if not etiquette:
        return texte
    tete = espaces(etiquette).rstrip(" :.)").lower()
    return texte if espaces(texte).lower().startswith(tete) else f"{etiquette} {texte}"


class Lecteur:
    """One reading of a document's body: paragraphs, tables and text boxes, numbering counted in order."""

    def __init__(self, document) -> None:
        self.document = document
        self.numerotation = Numerotation(document)

    def texte(self, p) -> str:
        return _avec_etiquette(self.numerotation.etiquette(p), texte_xml(p))

    def lignes_cellule(self, tc) -> list[str]:
        """A cell's paragraphs, and a nested table as one line per row ("2018 | 2019 | 2020")."""
        lignes: list[str] = []
        for x in _enfants(tc):
            if x.tag == W + "tbl":
                for rangee in self._rangees(x):
                    ligne = " | ".join(t for t in (espaces(" ".join(self.lignes_cellule(c))) for c, _ in rangee) if t)
                    if ligne:
                        lignes.append(ligne)
            elif x.tag == W + "p":
                t = espaces(self.texte(x).replace("\t", " "))
                if t:
                    lignes.append(t)
        return lignes

    def _rangees(self, tbl) -> list[list[tuple[Any, int]]]:
        """Rows as (w:tc, grid span); rows deleted as tracked changes are left out."""
        sortie = []
        for tr in tbl.iter(W + "tr"):
            if tr.getparent() is not tbl and tr.getparent().getparent() is not tbl:
                continue  # a nested table's row
            if tr.find(f"{W}trPr/{W}del") is not None:
                continue
            cases = []
            avant = tr.find(f"{W}trPr/{W}gridBefore")
            if avant is not None and avant.get(W + "val", "0").isdigit() and int(avant.get(W + "val")) > 0:
                cases.append((None, int(avant.get(W + "val"))))
            for tc in _enfants(tr, W + "tc"):
                span = tc.find(f"{W}tcPr/{W}gridSpan")
                cases.append((tc, int(span.get(W + "val", "1")) if span is not None else 1))
            sortie.append(cases)
        return sortie

    def tableau(self, tbl, numero: int) -> Tableau:
        rangees: list[list[Case]] = []
        for r, rangee in enumerate(self._rangees(tbl)):
            cases: list[Case] = []
            j = 0
            for tc, span in rangee:
                if tc is None:
                    j += span
                    continue
                lignes = self.lignes_cellule(tc)
                vm = tc.find(f"{W}tcPr/{W}vMerge")
                verticale = r > 0 and vm is not None and vm.get(W + "val", "continue") == "continue"
                if verticale and not lignes and rangees:
                    # A cell merged down from the row above ("DDFE" for three actions): same text.
                    dessus = next((x for x in rangees[-1] if x.debut <= j <= x.fin), None)
                    lignes = list(dessus.lignes) if dessus else []
                cases.append(Case(" ".join(lignes), j, j + span - 1, tuple(lignes), verticale))
                j += span
            rangees.append(cases)
        return Tableau(rangees, numero)

    def paragraphe(self, p, numero: int, sommaire: bool = False) -> Bloc:
        style = self._style(p)
        brut = self.texte(p)
        runs = [r for r in p.iter(W + "r") if espaces(texte_xml(r)) and not _dans(r, NON_LUS)]
        liste = style.startswith("List") or p.find(f"{W}pPr/{W}numPr") is not None
        return Bloc(
            texte=brut.replace("\t", " ").strip(),
            niveau=_niveau(style),
            style=style,
            gras=bool(runs) and all(_gras(r) for r in runs),
            liste=liste,
            numero=numero,
            extra={"sommaire": sommaire or bool(RE_STYLE_SOMMAIRE.match(style)) or _ligne_sommaire(p, brut)},
        )

    def _style(self, p) -> str:
        ps = p.find(f"{W}pPr/{W}pStyle")
        if ps is None:
            return "Normal"
        try:
            return self.document.styles.get_by_id(ps.get(W + "val"), 1).name  # 1: WD_STYLE_TYPE.PARAGRAPH
        except (KeyError, ValueError, AttributeError):
            return ps.get(W + "val", "")


def _enfants(element, tag: str | None = None):
    """Children, looking through content controls (w:sdt), tracked insertions and custom XML."""
    for x in element:
        if not isinstance(x.tag, str):
            continue
        if x.tag in (W + "sdt", W + "customXml", W + "ins", W + "moveTo"):
            contenu = x.find(W + "sdtContent") if x.tag == W + "sdt" else x
            if contenu is not None:
                yield from _enfants(contenu, tag)
        elif tag is None or x.tag == tag:
            yield x


def _dans(e, tags: set[str]) -> bool:
    x = e.getparent()
    while x is not None:
        if x.tag in tags:
            return True
        x = x.getparent()
    return False


def _gras(r) -> bool:
    b = r.find(f"{W}rPr/{W}b")
    return b is not None and b.get(W + "val", "true") not in ("0", "false", "off")


def _ligne_sommaire(p, brut: str) -> bool:
    """A contents line: a title, dotted leaders or a tab, then a page number; or a link to a _Toc bookmark."""
    if any((h.get(W + "anchor") or "").startswith("_Toc") for h in p.iter(W + "hyperlink")):
        return True
    return bool(RE_LIGNE_SOMMAIRE.search(brut.rstrip()))


def _sommaire_sdt(sdt) -> bool:
    g = sdt.find(f"{W}sdtPr/{W}docPartObj/{W}docPartGallery")
    return g is not None and "contents" in (g.get(W + "val") or "").lower()


def blocs(document) -> list[Bloc]:
    """Paragraphs, tables and text boxes of the body, in order (tracked changes read as accepted).

    Headers and footers are not the body: they are never read. A text box's paragraphs come just
    before the paragraph holding it; a table of contents (Word's, or lines ending with leaders and
    a page number) is marked extra["sommaire"].
    """
    lecteur = Lecteur(document)
    sortie: list[Bloc] = []
    n_tableaux = 0

    def parcourir(parent, sommaire: bool) -> None:
        nonlocal n_tableaux
        for x in parent:
            if not isinstance(x.tag, str):
                continue
            if x.tag == W + "sdt":
                contenu = x.find(W + "sdtContent")
                if contenu is not None:
                    parcourir(contenu, sommaire or _sommaire_sdt(x))
            elif x.tag in (W + "customXml", W + "ins", W + "moveTo"):
                parcourir(x, sommaire)
            elif x.tag == W + "tbl":
                n_tableaux += 1
                sortie.append(Bloc(tableau=lecteur.tableau(x, n_tableaux), numero=len(sortie)))
            elif x.tag == W + "p":
                for boite in x.iter(W + "txbxContent"):
                    if not _dans(boite, {MC + "Fallback"}):
                        parcourir(boite, sommaire)
                sortie.append(lecteur.paragraphe(x, len(sortie), sommaire))

    parcourir(document.element.body, False)
    return sortie
