"""Word documents built from the shared protocol text, for the import tests.

The shared text is the protocol as exported to plain text: tables are tab-separated lines. These
builders turn it back into what the DDFE actually holds, a Word document: headings for the axes
and sections, one real table per objective (title row merged across, one column per action,
objective 14's indicator cell merged across its three actions), the calendar tables, the
signatories; and the annex (the 2019-2021 bilan) as a bilan document with its tables, the
objectives 8-10 tables repeated as in the source, and the nested key-figure table of 1-4-1.
"""

from __future__ import annotations

import re
from html.parser import HTMLParser
from pathlib import Path

NOM_TEXTE = "protocole-vif-isere-2022-2024.txt"
DEBUT_ANNEXE = "BILAN DU PROTOCOLE DEPARTEMENTAL"


def texte_partage() -> Path | None:
    """The shared protocol text: ../shared beside the project, looked for up the tree; from a git
    worktree placed elsewhere, beside the main checkout ($VIF38_SHARED overrides)."""
    import os

    ici = Path(__file__).resolve().parent
    depart = [ici, *ici.parents]
    git = ici.parent / ".git"
    if git.is_file():  # a worktree: "gitdir: <main>/.git/worktrees/<name>"
        cible = Path(git.read_text("utf-8").split(":", 1)[1].strip())
        if len(cible.parents) > 2:
            depart.append(cible.parents[2].parent)  # <main>/.git/worktrees/<name> → beside <main>
    if os.environ.get("VIF38_SHARED"):
        depart.insert(0, Path(os.environ["VIF38_SHARED"]).parent)
    for dossier in depart:
        chemin = dossier / "shared" / "protocole" / NOM_TEXTE
        if chemin.is_file():
            return chemin
    return None


def lignes_partagees() -> list[str]:
    chemin = texte_partage()
    if chemin is None:
        import pytest

        pytest.skip("texte partagé du protocole introuvable (../shared/protocole/)")
    return chemin.read_text("utf-8").splitlines()


def _propre(t: str) -> str:
    """Markdown and html marks of the text export removed."""
    t = re.sub(r"</?i>", "", t)
    t = t.replace("**", "")
    t = re.sub(r"(?<!\w)\*(\S[^*]*?)\*(?!\w)", r"\1", t)
    return t.strip()


def _cellules(ligne: str, n: int) -> list[str]:
    morceaux = [_propre(c) for c in ligne.split("\t")]
    return (morceaux + [""] * n)[:n]


def _fusionner_ligne(table, i: int, debut: int, fin: int, texte: str) -> None:
    cellule = table.cell(i, debut).merge(table.cell(i, fin))
    cellule.text = texte


# ---------------------------------------------------------------- the protocol


TITRES_1 = ("PRÉAMBULE", "BILAN - PERSPECTIVES", "SIGNATAIRES DU PROTOCOLE", "CALENDRIER PRÉVISIONNEL DU PROTOCOLE")
RE_OBJECTIF = re.compile(r"^Objectif n\s*°\s*\d+")


def document_protocole(chemin: Path) -> Path:
    """The protocol (everything before the annexes) as a Word document."""
    import docx

    lignes = lignes_partagees()
    fin = next(i for i, t in enumerate(lignes) if t.strip() == "DOCUMENTS ANNEXES")
    lignes = lignes[:fin]
    doc = docx.Document()
    i = 0
    dans_sommaire = False
    dans_signataires = False
    bloc: list[str] = []

    def vider_bloc() -> None:
        if bloc:
            doc.add_paragraph().add_run("\n".join(bloc))
            bloc.clear()

    while i < len(lignes):
        brut = lignes[i]
        t = brut.strip()
        if dans_signataires:
            if t.startswith("CALENDRIER"):
                vider_bloc()
                dans_signataires = False
                continue
            if not t:
                vider_bloc()
            else:
                bloc.append(t)
            i += 1
            continue
        if not t or set(t) <= {"-", "\t"}:
            i += 1
            continue
        if t == "SOMMAIRE":
            dans_sommaire = True
            doc.add_paragraph("SOMMAIRE")
            i += 1
            continue
        if dans_sommaire:
            if t == "PRÉAMBULE":
                dans_sommaire = False
            else:
                doc.add_paragraph(_propre(t.replace("\t", " ")))
                i += 1
                continue
        if t.startswith("PROCOLE") or t.startswith("PROTOCOLE"):
            doc.add_paragraph(t, style="Title")
        elif t in TITRES_1 or re.match(r"^AXE \d+ : ", t):
            doc.add_heading(t, 1)
            if t == "SIGNATAIRES DU PROTOCOLE":
                dans_signataires = True
        elif re.match(r"^\d\. \S", t) and "\t" not in brut:
            doc.add_heading(t, 2)
        elif RE_OBJECTIF.match(t) and "\t" in brut:
            i = _table_objectif(doc, lignes, i)
            continue
        elif t.startswith("OBJECTIFS\tACTEURS"):
            i = _table_calendrier(doc, lignes, i)
            continue
        elif "\t" in brut:
            i = _petite_table(doc, lignes, i)
            continue
        elif t.startswith("- "):
            p = doc.add_paragraph(style="List Bullet")
            run = p.add_run(_propre(t[2:]))
            run.bold = t[2:].startswith("**") and t.endswith("**")  # a group title: « **Associations :** »
        else:
            doc.add_paragraph(_propre(t))
        i += 1
    doc.save(chemin)
    return chemin


def _table_objectif(doc, lignes: list[str], i: int) -> int:
    titre = lignes[i]
    n = titre.count("\t") + 1
    rangees = [lignes[i + k] for k in range(1, 6)]
    table = doc.add_table(rows=6, cols=n)
    table.style = "Table Grid"
    _fusionner_ligne(table, 0, 0, n - 1, _propre(titre.split("\t")[0]))
    for r, ligne in enumerate(rangees, 1):
        cellules = _cellules(ligne, n)
        vides = [c for c in cellules[2:] if not c]
        if cellules[0] == "Indicateurs" and n > 2 and len(vides) == n - 2 and cellules[1]:
            # One value for every action: the merged cell of the original (objective 14).
            table.cell(r, 0).text = cellules[0]
            _fusionner_ligne(table, r, 1, n - 1, cellules[1])
            continue
        for c, texte in enumerate(cellules):
            table.cell(r, c).text = texte
    return i + 6


def _table_calendrier(doc, lignes: list[str], i: int) -> int:
    """The calendar: rows cut by a page break in the source stay cut (a row without its N°)."""
    entete = _cellules(lignes[i], 5)
    rangees: list[list[str]] = []
    i += 1
    while i < len(lignes):
        t = lignes[i]
        if not t.strip() or set(t.strip()) <= {"-", "\t"}:
            # A blank line ends the table unless a continuation row follows.
            j = i + 1
            while j < len(lignes) and (not lignes[j].strip() or set(lignes[j].strip()) <= {"-", "\t"}):
                j += 1
            if j < len(lignes) and lignes[j].count("\t") == 4 and not lignes[j].startswith("OBJECTIFS"):
                i = j
                continue
            break
        if t.count("\t") != 4:
            break
        rangees.append(_cellules(t, 5))
        i += 1
    table = doc.add_table(rows=1 + len(rangees), cols=5)
    table.style = "Table Grid"
    for c, texte in enumerate(entete):
        table.cell(0, c).text = texte
    for r, cellules in enumerate(rangees, 1):
        for c, texte in enumerate(cellules):
            table.cell(r, c).text = texte
    return i


def _petite_table(doc, lignes: list[str], i: int) -> int:
    """Key figures: consecutive tab-separated lines."""
    bloc = []
    while i < len(lignes) and "\t" in lignes[i]:
        bloc.append(lignes[i].split("\t"))
        i += 1
    n = max(len(r) for r in bloc)
    table = doc.add_table(rows=len(bloc), cols=n)
    table.style = "Table Grid"
    for r, cellules in enumerate(bloc):
        for c, texte in enumerate(cellules):
            table.cell(r, c).text = _propre(texte)
    return i


# ---------------------------------------------------------------- the 2019-2021 bilan annex


RE_CODE = re.compile(r"^\d+-\d+-\d+\s")


class _TableHtml(HTMLParser):
    """Rows of a small html table: [(text, colspan), ...] per row."""

    def __init__(self) -> None:
        super().__init__()
        self.rangees: list[list[tuple[str, int]]] = []
        self._cellule: list[str] | None = None
        self._span = 1

    def handle_starttag(self, tag, attrs):
        if tag == "tr":
            self.rangees.append([])
        elif tag in ("td", "th"):
            self._cellule = []
            self._span = int(dict(attrs).get("colspan") or 1)

    def handle_endtag(self, tag):
        if tag in ("td", "th") and self._cellule is not None:
            self.rangees[-1].append((" ".join("".join(self._cellule).split()), self._span))
            self._cellule = None

    def handle_data(self, data):
        if self._cellule is not None:
            self._cellule.append(data)


def _observation(cellule, texte: str) -> None:
    """An OBSERVATIONS cell; an html table in it becomes a nested Word table."""
    m = re.search(r"<table.*?</table>", texte)
    if not m:
        cellule.text = _propre(texte)
        return
    avant, apres = texte[: m.start()].strip(), texte[m.end() :].strip()
    cellule.text = _propre(avant)
    lecteur = _TableHtml()
    lecteur.feed(m.group(0))
    n = max(sum(s for _, s in r) for r in lecteur.rangees)
    interne = cellule.add_table(rows=len(lecteur.rangees), cols=n)
    interne.style = "Table Grid"
    for r, rangee in enumerate(lecteur.rangees):
        c = 0
        for valeur, span in rangee:
            case = interne.cell(r, c)
            if span > 1:
                case = case.merge(interne.cell(r, c + span - 1))
            case.text = valeur
            c += span
    if apres:
        cellule.add_paragraph(_propre(apres))


def document_bilan_annexe(chemin: Path) -> Path:
    """The annex "BILAN DU PROTOCOLE …" (2019-2021) as a Word bilan, duplicated tables included."""
    import docx

    lignes = lignes_partagees()
    debut = next(i for i, t in enumerate(lignes) if t.startswith(DEBUT_ANNEXE))
    lignes = lignes[debut:]
    doc = docx.Document()
    doc.add_paragraph(lignes[0].strip(), style="Title")
    i = 1
    while i < len(lignes):
        brut = lignes[i]
        t = brut.strip()
        if not t:
            i += 1
            continue
        if t.startswith("OBJECTIFS\tACTEURS"):
            entete = [c.strip() for c in brut.split("\t")[:7]]
            rangees = []
            i += 1
            while i < len(lignes) and lignes[i].strip():
                if RE_CODE.match(lignes[i]):
                    rangees.append(lignes[i].split("\t"))
                # Other lines inside a table are the text export's echo of a nested table.
                i += 1
            table = doc.add_table(rows=1 + len(rangees), cols=7)
            table.style = "Table Grid"
            for c, texte in enumerate(entete):
                table.cell(0, c).text = texte
            for r, cellules in enumerate(rangees, 1):
                cellules = (cellules + [""] * 7)[:7] if "<table" not in "\t".join(cellules) else cellules
                for c in range(6):
                    table.cell(r, c).text = _propre(cellules[c] if c < len(cellules) else "")
                _observation(table.cell(r, 6), cellules[6] if len(cellules) > 6 else "")
            continue
        t = t.split("\t")[0].strip()
        if re.match(r"^AXE \d+ : ", t):
            doc.add_heading(t, 1)
        elif re.match(r"^N°\s*\d+", t):
            doc.add_heading(t, 3)
        else:
            doc.add_heading(t, 2)
        i += 1
    doc.save(chemin)
    return chemin
