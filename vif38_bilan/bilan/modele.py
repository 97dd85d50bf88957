"""The agent's Word base (--modele): markers where the generated parts go, {annee} {service} {date}.

A base keeps everything it holds (text, styles, headers, footers, logos): the bilan's parts are
inserted where a paragraph holds exactly one marker ([[SYNTHESE]]…), nothing else is touched. Her
introduction and "Bilan – perspectives" are written once in the base and every run keeps them.
A part drawn on landscape pages (the objectives' tables, the calendar) gets its own section,
built from the section its marker is in, so the pages around it keep the base's settings.
"""

from __future__ import annotations

import copy
import re
from collections.abc import Iterator
from pathlib import Path
from typing import Any

from vif38_bilan.bilan import word
from vif38_bilan.commun.ecriture import ecrire_octets
from vif38_bilan.exceptions import ModeleInvalide
from vif38_bilan.referentiel.protocole import Protocole
from vif38_bilan.bilan.word import Redacteur

# In the order of the bilan written without a base.
REPERES = ("SOMMAIRE", "SYNTHESE", "CHIFFRES_CLES", "OBJECTIFS", "CALENDRIER", "METHODE", "SIGNATURES")
PAYSAGE = frozenset({"OBJECTIFS", "CALENDRIER"})
VARIABLES = ("annee", "service", "date")
_REPERE = re.compile(r"\[\[([^\[\]]*)\]\]")
_TWIPS_PAR_CM = 1440 / 2.54
_MARGE_PAYSAGE = round(1.5 * _TWIPS_PAR_CM)

TEXTE_INTRODUCTION = (
    "[Remplacez ce paragraphe par votre introduction : le contexte de l'année {annee}, les faits marquants, "
    "les priorités des signataires. Ce texte est repris tel quel dans chaque bilan produit avec ce modèle.]"
)
TEXTE_PERSPECTIVES = (
    "[Remplacez ce paragraphe par le bilan et les perspectives : ce qui a avancé en {annee}, ce qui reste "
    "à faire, les propositions pour l'année suivante.]"
)


def balise_w(nom: str) -> str:
    from docx.oxml.ns import qn

    return qn(f"w:{nom}")


def _textes(p: Any) -> list[Any]:
    """The w:t of paragraph p, in order, without those of paragraphs nested in it (text boxes)."""
    return [t for t in p.iter(balise_w("t")) if next(t.iterancestors(balise_w("p")), None) is p]


def _texte(p: Any) -> str:
    return "".join(t.text or "" for t in _textes(p))


# ---------------------------------------------------------------- markers


def reperes(doc: Any, nom_modele: str) -> dict[str, Any]:
    """The base's markers, in document order: name → the paragraph holding it (a body paragraph).

    Raises ModeleInvalide (French, naming the marker) for an unknown or repeated marker, one that
    shares its paragraph with other text, or one inside a table."""
    trouves: dict[str, Any] = {}
    body = doc.element.body
    for p in body.iter(balise_w("p")):
        texte = _texte(p)
        for m in _REPERE.finditer(texte):
            nom = m.group(1).strip()
            repere = f"[[{m.group(1)}]]"
            if nom not in REPERES:
                raise ModeleInvalide(
                    f"Le modèle « {nom_modele} » contient le repère inconnu {repere} : les repères possibles sont "
                    f"{', '.join(f'[[{r}]]' for r in REPERES)}. Corrigez-le ou supprimez-le dans Word, puis relancez."
                )
            if nom in trouves:
                raise ModeleInvalide(
                    f"Le modèle « {nom_modele} » contient deux fois le repère [[{nom}]] : chaque partie du bilan "
                    "n'est insérée qu'une fois. Supprimez l'un des deux dans Word, puis relancez."
                )
            if texte.strip() != repere or p.getparent() is not body:
                if p.getparent() is body:
                    ou = "avec d'autre texte dans son paragraphe"
                elif next(p.iterancestors(balise_w("tbl")), None) is not None:
                    ou = "dans un tableau"
                else:
                    ou = "dans une zone de texte"
                raise ModeleInvalide(
                    f"Le modèle « {nom_modele} » contient le repère [[{nom}]] {ou} : un repère doit être seul "
                    "dans un paragraphe du corps du document. Déplacez-le dans Word, puis relancez."
                )
            trouves[nom] = p
    return trouves


def verifier_modele(modele: str | Path) -> list[str]:
    """The markers of the base at modele, in order (raises FichierRefuse / ModeleInvalide): lets a
    run stop on a faulty base before the long steps."""
    return list(reperes(word.ouvrir_modele(Path(modele)), Path(modele).name))


# ---------------------------------------------------------------- {annee} {service} {date}


def _parties_du_document(doc: Any) -> Iterator[Any]:
    """The body, then every header and footer part (first page, even pages included)."""
    from docx.opc.constants import RELATIONSHIP_TYPE as RT

    yield doc.element.body
    vus = set()
    for rel in doc.part.rels.values():
        if rel.reltype in (RT.HEADER, RT.FOOTER) and not rel.is_external and rel.target_part not in vus:
            vus.add(rel.target_part)
            yield rel.target_part.element


def remplacer_variables(doc: Any, valeurs: dict[str, str]) -> None:
    """Replace {annee}, {service}, {date} in the base's text, headers and footers, even when Word split
    the placeholder over several runs (spell-check, a change of formatting inside the braces)."""
    motifs = {f"{{{k}}}": v for k, v in valeurs.items()}
    for element in _parties_du_document(doc):
        for p in element.iter(balise_w("p")):
            ts = _textes(p)
            if not ts or "{" not in "".join(t.text or "" for t in ts):
                continue
            _remplacer_dans(ts, motifs)


def _remplacer_dans(ts: list[Any], motifs: dict[str, str]) -> None:
    position = 0
    while True:
        texte = "".join(t.text or "" for t in ts)
        trouve = min(((i, m) for m in motifs if (i := texte.find(m, position)) >= 0), default=None, key=lambda x: x[0])
        if trouve is None:
            return
        debut, motif = trouve
        fin = debut + len(motif)
        # Which runs hold the first and the last character of the placeholder.
        bornes, cumul = [], 0
        for t in ts:
            bornes.append(cumul)
            cumul += len(t.text or "")
        i = next(k for k, t in enumerate(ts) if bornes[k] <= debut < bornes[k] + len(t.text or ""))
        j = next(k for k, t in enumerate(ts) if bornes[k] < fin <= bornes[k] + len(t.text or ""))
        premier = ts[i].text or ""
        if i == j:
            ts[i].text = premier[: debut - bornes[i]] + motifs[motif] + premier[fin - bornes[i] :]
        else:
            ts[i].text = premier[: debut - bornes[i]] + motifs[motif]
            for k in range(i + 1, j):
                ts[k].text = ""
            ts[j].text = (ts[j].text or "")[fin - bornes[j] :]
        for k in range(i, j + 1):
            ts[k].set("{http://www.w3.org/XML/1998/namespace}space", "preserve")
        position = debut + len(motifs[motif])


# ---------------------------------------------------------------- inserting a part at its marker


def section_de(p: Any) -> Any:
    """The w:sectPr governing paragraph p: the next section break after it, else the body's last."""
    for suivant in p.itersiblings():
        s = suivant.find(f"{balise_w('pPr')}/{balise_w('sectPr')}")
        if s is not None:
            return s
    return p.getparent().find(balise_w("sectPr"))


def largeur_cm(sectPr: Any, paysage: bool) -> float:
    """The text width, in cm, of the section sectPr describes (turned landscape when paysage)."""
    taille = sectPr.find(balise_w("pgSz"))
    marges = sectPr.find(balise_w("pgMar"))
    w = int(taille.get(balise_w("w"), 11906)) if taille is not None else 11906
    h = int(taille.get(balise_w("h"), 16838)) if taille is not None else 16838
    if paysage:
        return round((max(w, h) - 2 * _MARGE_PAYSAGE) / _TWIPS_PAR_CM, 2)
    gauche = int(marges.get(balise_w("left"), 1134)) if marges is not None else 1134
    droite = int(marges.get(balise_w("right"), 1134)) if marges is not None else 1134
    return round((w - gauche - droite) / _TWIPS_PAR_CM, 2)


def _paragraphe_de_section(sectPr: Any) -> Any:
    p = word.element("w:p")
    pPr = word.element("w:pPr")
    pPr.append(sectPr)
    p.append(pPr)
    return p


def _section_paysage(base: Any) -> Any:
    """A landscape copy of the base section, inheriting its headers and footers (no reference of its own)."""
    s = copy.deepcopy(base)
    for nom in ("headerReference", "footerReference", "titlePg", "pgNumType", "type"):
        for e in s.findall(balise_w(nom)):
            s.remove(e)
    taille = s.find(balise_w("pgSz"))
    if taille is None:
        taille = word.element("w:pgSz", w="11906", h="16838")
        s.append(taille)
    w, h = int(taille.get(balise_w("w"), 11906)), int(taille.get(balise_w("h"), 16838))
    taille.set(balise_w("w"), str(max(w, h)))
    taille.set(balise_w("h"), str(min(w, h)))
    taille.set(balise_w("orient"), "landscape")
    marges = s.find(balise_w("pgMar"))
    if marges is None:
        marges = word.element("w:pgMar")
        s.append(marges)
    for cote in ("top", "bottom", "left", "right"):
        marges.set(balise_w(cote), str(_MARGE_PAYSAGE))
    return s


class Insertion:
    """Moves each part, written at the end of the body, to its marker; wraps landscape parts."""

    def __init__(self, doc: Any):
        self.body = doc.element.body
        self._fin_paysage: Any = None  # the section break closing the last landscape part inserted
        self._avant: set[Any] = set()

    def debut(self) -> None:
        self._avant = set(self.body)

    def placer(self, repere: Any, paysage: bool) -> None:
        nouveaux = [e for e in self.body if e not in self._avant and e.tag != balise_w("sectPr")]
        if paysage:
            precedent = repere.getprevious()
            if precedent is not None and precedent is self._fin_paysage:
                # Two landscape parts in a row ([[OBJECTIFS]] then [[CALENDRIER]]): one landscape section.
                paysage_prec = precedent.find(f"{balise_w('pPr')}/{balise_w('sectPr')}")
                self.body.remove(precedent)
                fin = _paragraphe_de_section(paysage_prec)
            else:
                base = section_de(repere)
                repere.addprevious(_paragraphe_de_section(copy.deepcopy(base)))
                # The base's section now continues after the landscape pages: a new page, no
                # first-page header nor page-number restart there.
                for nom in ("titlePg", "pgNumType", "type"):
                    for e in base.findall(balise_w(nom)):
                        base.remove(e)
                fin = _paragraphe_de_section(_section_paysage(base))
            nouveaux.append(fin)
            self._fin_paysage = fin
        for e in nouveaux:
            repere.addprevious(e)
        repere.getparent().remove(repere)


def titres_du_document(doc: Any) -> list[tuple[int, str]]:
    """The body's headings (Heading 1-3 styles), in order: the base's own and the generated ones."""
    niveaux = {}
    for st in doc.styles:
        for n in (1, 2, 3):
            if st.name == f"Heading {n}":
                niveaux[st.style_id] = n
    titres = []
    for p in doc.element.body.iterchildren(balise_w("p")):
        style = p.find(f"{balise_w('pPr')}/{balise_w('pStyle')}")
        if style is not None and style.get(balise_w("val")) in niveaux:
            texte = _texte(p).strip()
            if texte:
                titres.append((niveaux[style.get(balise_w("val"))], texte))
    return titres


# ---------------------------------------------------------------- the cover and the starter base


def couverture(r: Redacteur, p: Protocole, annee: str, date_texte: str, service: str) -> None:
    """The cover page (also the starter base's, with {annee} {service} {date} left to fill)."""
    for _ in range(5):
        r.para()
    t = r.para(p.titre, "Title", centre=True)
    t.paragraph_format.space_after = r.Pt(24)
    b = r.para(f"Bilan {annee}", centre=True, gras=True)
    b.runs[0].font.size = r.Pt(28)
    if p.territoire:
        tr = r.para(p.territoire, centre=True)
        tr.runs[0].font.size = r.Pt(16)
    if p.annees:
        r.para(f"Protocole {p.annees[0]}-{p.annees[-1]}", centre=True)
    for _ in range(6):
        r.para()
    r.para(service, centre=True, gras=True)
    r.para(f"Édité le {date_texte}", centre=True)
    r.saut_de_page()


def _a_remplacer(r: Redacteur, texte: str) -> None:
    from docx.enum.text import WD_COLOR_INDEX

    par = r.para(texte)
    for run in par.runs:
        run.font.highlight_color = WD_COLOR_INDEX.YELLOW


def ecrire_modele_depart(protocole: Protocole, chemin: str | Path) -> Path:
    """Write a starter base: cover, every marker in today's order, an "Introduction" and a
    "Bilan – perspectives" section with placeholder text for the agent to replace."""
    import io

    doc = word.document_vierge()
    word.styles(doc, avec_modele=False)
    r = Redacteur(doc)
    couverture(r, protocole, "{annee}", "{date}", "{service}")
    r.para("[[SOMMAIRE]]")
    r.titre("Introduction", 1)
    _a_remplacer(r, TEXTE_INTRODUCTION)
    for nom in ("SYNTHESE", "CHIFFRES_CLES", "OBJECTIFS", "CALENDRIER"):
        r.para(f"[[{nom}]]")
    r.titre("Bilan – perspectives", 1)
    _a_remplacer(r, TEXTE_PERSPECTIVES)
    for nom in ("METHODE", "SIGNATURES"):
        r.para(f"[[{nom}]]")
    periode = f" {protocole.annees[0]}-{protocole.annees[-1]}" if protocole.annees else ""
    word.pied_de_page(r, "{annee}", False, f"Protocole {protocole.territoire}{periode} — bilan {{annee}}")
    doc.core_properties.title = f"Modèle du bilan — {protocole.titre}"[:250]
    doc.core_properties.author = "vif38-bilan"
    tampon = io.BytesIO()
    doc.save(tampon)
    return ecrire_octets(chemin, tampon.getvalue())
