"""The bilan's key figures: per axe (and a general section), a year-over-year table from the first
known year to the bilan's year with the change from last year, and a chart for a series with at
least three known years.

`chiffres_cles` is the one entry point: it writes the part where the document stands (after the
synthesis in the default layout) or, given a paragraph of the document (a user base's
`[[CHIFFRES_CLES]]` marker), in its place.
"""

from __future__ import annotations

from typing import Any

from vif38_bilan.bilan.graphique import graphique_chiffres
from vif38_bilan.bilan.textes import NON_RENSEIGNE, avec_partiel
from vif38_bilan.referentiel.chiffres_cles import AGREGATIONS
from vif38_bilan.referentiel.temporalite import Temporalite
from vif38_bilan.bilan.word import S_TABLEAU_TETE, Redacteur, repartir
from vif38_bilan.commun.nombres import NBSP, nombre
from vif38_bilan.consolidation.actions import Consolidation
from vif38_bilan.consolidation.chiffres_cles import SOURCE_REFERENTIEL, ChiffreConsolide, LigneConsolidee, par_axe
from vif38_bilan.bilan.graphique import inserer as inserer_graphique
from vif38_bilan.referentiel.protocole import Protocole

TITRE = "Chiffres clés"
NON_COMPARABLE = "non comparable"
MIN_ANNEES_GRAPHIQUE = 3


def texte_evolution(ligne: LigneConsolidee, annee: int) -> str:
    """Change from last year: "+12 %", "−5 %", "stable", "+3" (from 0), "non renseigné" when
    either year is unknown (never 0), "non comparable" after a multi-year count."""
    apres = ligne.valeur(annee)
    avant = ligne.valeurs.get(annee - 1)
    if apres is None or avant is None or avant.valeur is None:
        return NON_RENSEIGNE
    if avant.periode:
        return NON_COMPARABLE
    if ligne.valeurs[annee].partiel:  # a partial total compared with a complete one says nothing
        return "non calculée (partiel)"
    if apres == avant.valeur:
        return "stable"
    if avant.valeur == 0:
        return f"+{nombre(apres)}"
    variation = ligne.variation(annee)  # the one formula, shared with the consolidation workbook
    if variation is None:  # this year's figure covers several years
        return NON_COMPARABLE
    t = variation * 100
    chiffre = f"{abs(t):.0f}" if round(abs(t)) >= 1 else f"{abs(t):.1f}".replace(".", ",")
    return f"{'+' if t > 0 else '−'}{chiffre}{NBSP}%"


def chiffres_cles(
    r: Redacteur,
    protocole: Protocole,
    annee: int,
    c: Consolidation,
    niveau: int = 1,
    a_la_place_de: Any = None,
    nouvelle_page: bool = False,
) -> bool:
    """Write the key-figures part; False (nothing written) when the referential declares none.

    a_la_place_de: a paragraph of the document (python-docx Paragraph or its XML element), e.g. a
    `[[CHIFFRES_CLES]]` marker: the part is written in its place and the paragraph removed. Call it
    in the order the headings appear, so that the table of contents stays in order.
    """
    if not c.chiffres:
        return False
    corps = r.doc.element.body
    deja = list(corps)  # held: lxml keeps one proxy per element while referenced, so id() is stable
    avant = set(map(id, deja))
    if nouvelle_page:
        r.saut_de_page()
    r.titre(TITRE, niveau)
    r.para(
        f"Les chiffres que les signataires suivent d'année en année, de la première année connue à {annee}. "
        f"« {NON_RENSEIGNE.capitalize()} » : valeur non transmise (jamais comptée comme 0). Les valeurs de l'année "
        "viennent des pilotes cités ; les années antérieures au protocole reprennent les documents cités sous "
        "chaque tableau."
    )
    groupes: list[tuple[int | None, str]] = [(None, "Chiffres généraux")]
    groupes += [(a.numero, f"Axe {a.numero} : {a.titre.capitalize()}") for a in protocole.axes]
    for axe, titre in groupes:
        chiffres = par_axe(c.chiffres, axe)
        if chiffres:
            r.titre(titre, niveau + 1)
            for chiffre in chiffres:
                _serie(r, chiffre, annee, niveau + 2)
    if a_la_place_de is not None:
        repere = getattr(a_la_place_de, "_p", a_la_place_de)
        for element in [e for e in corps if id(e) not in avant and not e.tag.endswith("}sectPr")]:
            repere.addprevious(element)
        repere.getparent().remove(repere)
    return True


def _serie(r: Redacteur, chiffre: ChiffreConsolide, annee: int, niveau: int) -> None:
    serie = chiffre.serie
    largeur = r.largeur_utile_cm()
    r.titre(serie.libelle, niveau)
    annees = list(chiffre.annees)
    entetes = ["", *[chiffre.libelle_annee(y) for y in annees], f"Évolution {annee - 1}-{annee}"]
    t = r.tableau(repartir(largeur, [4.6] + [1.6] * len(annees) + [2.2]), entetes)
    for li in chiffre.lignes:
        cells = r.ligne(t)
        r.texte_cellule(cells[0], li.detail or serie.unite.capitalize(), S_TABLEAU_TETE)
        for j, y in enumerate(annees, 1):
            v = li.valeur(y)
            partiel = li.valeurs[y].partiel if y in li.valeurs else ()
            r.texte_cellule(cells[j], avec_partiel(nombre(v), partiel) if v is not None else NON_RENSEIGNE)
        r.texte_cellule(cells[-1], texte_evolution(li, annee))
    # A series' table, its notes and its chart stay on one page (small tables: a few rows).
    for row in t.rows:
        for cell in row.cells:
            for p in cell.paragraphs:
                p.paragraph_format.keep_with_next = True
    for note in _notes(chiffre, annee):
        r.para(note, italique=True).paragraph_format.keep_with_next = True
    connues = chiffre.annees_connues()
    if len(connues) >= MIN_ANNEES_GRAPHIQUE:
        debut = annees.index(connues[0])
        axe_x = annees[debut:]
        valeurs = [(li.detail or serie.unite, [li.annuelle(y) for y in axe_x]) for li in chiffre.lignes]
        graphique = graphique_chiffres(serie.libelle, axe_x, valeurs, serie.unite, largeur_cm=min(13.0, largeur))
        image_para = inserer_graphique(r.doc, graphique, "Graphique")
        image_para.alignment = 1  # centred
        image_para.paragraph_format.keep_with_next = True  # with its caption
        r.para(f"Figure : {serie.libelle}, {axe_x[0]}-{annee}.", italique=True, centre=True)


def _notes(chiffre: ChiffreConsolide, annee: int) -> list[str]:
    """Who provided the year's figure and how it adds up; where the older values come from."""
    serie = chiffre.serie
    notes = []
    details = [d for li in chiffre.lignes for d in (li.valeurs[annee].details if annee in li.valeurs else ())]
    if len(serie.pilotes) > 1:
        qui = sorted({q for q, _ in details})
        texte = f"{annee} : {AGREGATIONS[serie.agregation]}"
        if len(chiffre.lignes) == 1 and details:
            texte += " (" + " ; ".join(f"{q} : {nombre(v)}" for q, v in details) + ")"
        elif qui:
            texte += f" ({', '.join(qui)})"
        notes.append(texte + ".")
    if serie.temporalite == Temporalite.STOCK:
        notes.append("Niveau en fin d'année : les années ne s'additionnent pas.")
    sources: dict[str, list[str]] = {}
    for s in chiffre.sources:
        quand = chiffre.libelle_annee(s.annee)
        if s.structure == SOURCE_REFERENTIEL and quand not in sources.setdefault(s.fichier, []):
            sources[s.fichier].append(quand)
    for source, quand in sources.items():
        notes.append(f"Source {', '.join(quand)} : {source}.")
    return notes
