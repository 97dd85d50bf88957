"""The Word bilan (python-docx): cover, synthesis, the objectives' tables, calendar, annexes, signatures.

Renders a consolidated year: it receives the Consolidation and the check's result, it never runs
the check. Deterministic: the same inputs and options give the same document (dates come from
date_edition, the charts' workbooks carry a fixed date, the zip entries carry a fixed timestamp). Pilots'
text only ever goes in as plain text runs. Tables get a table style and paragraph styles (no
per-run formatting).

Modules: word (Word-writing helpers), bilan_textes (wording of figures), graphique (the native Word charts),
bilan_corps (objectives' tables, calendar), bilan_annexes (annexes, signatures).
"""

from __future__ import annotations

import io
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass
from datetime import date, datetime
from pathlib import Path
from typing import Any

from vif38_bilan.commun.ecriture import zip_stable
from vif38_bilan.bilan import modele as bilan_modele
from vif38_bilan.bilan import word
from vif38_bilan.bilan.annexes import annexes, signatures
from vif38_bilan.bilan.chiffres_cles import chiffres_cles
from vif38_bilan.bilan.corps import calendrier, corps_annexe, corps_protocole
from vif38_bilan.bilan.graphique import graphique_statuts
from vif38_bilan.bilan.textes import (
    COULEURS_STATUTS,
    NON_RENSEIGNE,
    avec_partiel,
    date_francaise,
    pluriel,
    pourcent,
    texte_cumul,
)
from vif38_bilan.bilan.word import S_TABLEAU_TETE, Redacteur, repartir
from vif38_bilan.commun.ecriture import ecrire_octets
from vif38_bilan.commun.nombres import nombre
from vif38_bilan.consolidation.actions import Consolidation
from vif38_bilan.consolidation.disposition import ORDRE_STATUTS, periode
from vif38_bilan.bilan.graphique import inserer as inserer_graphique
from vif38_bilan.referentiel.protocole import Protocole
from vif38_bilan.controle.resultats import ResultatControle
from vif38_bilan.regles import A_CORRIGER, VALIDE

PRESENTATIONS = ("annexe", "protocole")


def _proprietes(doc: Any, protocole: Protocole, annee: int, date_edition: date, service: str) -> None:
    cp = doc.core_properties
    moment = datetime(date_edition.year, date_edition.month, date_edition.day)
    cp.title = f"Bilan {annee} — {protocole.titre}"[:250]
    cp.subject = f"Bilan {annee} du protocole ({protocole.territoire})"
    cp.author = service
    cp.last_modified_by = service
    cp.created = moment
    cp.modified = moment
    cp.last_printed = moment
    cp.revision = 1
    cp.language = "fr-FR"
    cp.keywords = f"vif38-bilan; bilan {annee}"
    cp.comments = ""
    cp.category = "Bilan"
    cp.content_status = ""
    cp.identifier = protocole.id
    cp.version = ""


# ---------------------------------------------------------------- the whole step


def ecrire_bilan(
    protocole: Protocole,
    annee: int,
    consolidation: Consolidation,
    resultat: ResultatControle,
    chemin: str | Path,
    modele: Path | None = None,
    presentation: str = "annexe",
    date_edition: date | None = None,
    service: str = "DDFE de l'Isère",
) -> Path:
    """Write bilan-AAAA.docx atomically and return its path."""
    donnees = construire_bilan(protocole, annee, consolidation, resultat, modele, presentation, date_edition, service)
    return ecrire_octets(chemin, donnees)


def construire_bilan(
    protocole: Protocole,
    annee: int,
    consolidation: Consolidation,
    resultat: ResultatControle,
    modele: Path | None = None,
    presentation: str = "annexe",
    date_edition: date | None = None,
    service: str = "DDFE de l'Isère",
) -> bytes:
    """The bilan as .docx bytes.

    modele: a Word base. With markers ([[SYNTHESE]]…) the whole base is kept and each part goes at
    its marker; without any marker its body is replaced and its styles, header and footer kept.
    {annee}, {service} and {date} in the base's text are replaced. Raises FichierRefuse (base
    unreadable), ModeleInvalide (unknown, misplaced or repeated marker).
    """
    if presentation not in PRESENTATIONS:
        raise ValueError(f"présentation « {presentation} » inconnue : {', '.join(PRESENTATIONS)}")
    date_edition = date_edition or date.today()
    d = Contenu(protocole, annee, consolidation, resultat, presentation)
    reperes: dict[str, Any] = {}
    if modele is None:
        doc = word.document_vierge()
    else:
        doc = word.ouvrir_modele(modele)
        reperes = bilan_modele.reperes(doc, Path(modele).name)
        if not reperes:
            word.vider(doc)
        variables = {"annee": str(annee), "service": service, "date": date_francaise(date_edition)}
        bilan_modele.remplacer_variables(doc, variables)
    word.styles(doc, modele is not None)
    r = Redacteur(doc)
    p = protocole

    if reperes:
        insertion = bilan_modele.Insertion(doc)
        for nom, paragraphe in reperes.items():
            paysage = nom in bilan_modele.PAYSAGE
            r.largeur_cm = bilan_modele.largeur_cm(bilan_modele.section_de(paragraphe), paysage)
            insertion.debut()
            PARTIES[nom](r, d)
            insertion.placer(paragraphe, paysage)
        r.largeur_cm = None
        r.titres = bilan_modele.titres_du_document(doc)  # the base's own headings belong in the contents too
    else:
        bilan_modele.couverture(r, p, str(annee), date_francaise(date_edition), service)
        for nom in bilan_modele.REPERES:
            if nom == "OBJECTIFS":
                r.section(paysage=True)
            elif nom == "METHODE":
                r.section(paysage=False)
            PARTIES[nom](r, d)

    annees_protocole = f" {p.annees[0]}-{p.annees[-1]}" if p.annees else ""
    remplir_sommaire(r)
    word.pied_de_page(r, annee, modele is not None, f"Protocole {p.territoire}{annees_protocole} — bilan {annee}")
    word.mettre_a_jour_champs(doc)
    _proprietes(doc, p, annee, date_edition, service)
    tampon = io.BytesIO()
    doc.save(tampon)
    return zip_stable(tampon.getvalue(), date_edition)


# ---------------------------------------------------------------- the parts, one per marker of a base


@dataclass(frozen=True)
class Contenu:
    """What every part of the bilan renders."""

    protocole: Protocole
    annee: int
    consolidation: Consolidation
    resultat: ResultatControle
    presentation: str = "annexe"


def _partie_sommaire(r: Redacteur, d: Contenu) -> None:
    sommaire(r)


def _partie_synthese(r: Redacteur, d: Contenu) -> None:
    _synthese(r, d.protocole, d.annee, d.consolidation, d.resultat)


def _partie_chiffres_cles(r: Redacteur, d: Contenu) -> None:
    """The key figures (bilan_chiffres.py): at [[CHIFFRES_CLES]] in a base, else after the
    synthesis on a new page (a base's marker places them where the agent wants)."""
    chiffres_cles(r, d.protocole, d.annee, d.consolidation, nouvelle_page=r.largeur_cm is None)


def _partie_objectifs(r: Redacteur, d: Contenu) -> None:
    corps = corps_annexe if d.presentation == "annexe" else corps_protocole
    corps(r, d.protocole, d.annee, d.consolidation)


def _partie_calendrier(r: Redacteur, d: Contenu) -> None:
    calendrier(r, d.protocole, d.annee, d.consolidation)


def _partie_methode(r: Redacteur, d: Contenu) -> None:
    annexes(r, d.protocole, d.annee, d.consolidation, d.resultat)


def _partie_signatures(r: Redacteur, d: Contenu) -> None:
    signatures(r, d.protocole, d.annee)


PARTIES: dict[str, Callable[[Redacteur, Contenu], None]] = {
    "SOMMAIRE": _partie_sommaire,
    "SYNTHESE": _partie_synthese,
    "CHIFFRES_CLES": _partie_chiffres_cles,
    "OBJECTIFS": _partie_objectifs,
    "CALENDRIER": _partie_calendrier,
    "METHODE": _partie_methode,
    "SIGNATURES": _partie_signatures,
}
assert tuple(PARTIES) == bilan_modele.REPERES


def _comptes_par_axe(p: Protocole, annee: int, c: Consolidation) -> list[tuple[str, Counter]]:
    comptes = []
    for axe in p.axes:
        cpt: Counter = Counter()
        for o in p.objectifs_de_axe(axe.numero):
            for a in p.actions_de_objectif(o.numero):
                cpt[c.statut(a.code, annee) or "NON RENSEIGNÉ"] += 1
        comptes.append((f"Axe {axe.numero}", cpt))
    return comptes


def _synthese(r: Redacteur, p: Protocole, annee: int, c: Consolidation, resultat: ResultatControle) -> None:
    largeur = r.largeur_utile_cm()
    r.titre("Synthèse", 1)
    actifs = {x.code for x in p.pilotes_actifs()}
    manquants = len([m for m in c.manquants if m in actifs])
    nb_recus = len(actifs) - manquants
    if manquants:
        completude = (
            f"{nb_recus} pilotes sur {len(actifs)} ont répondu ; {pluriel(manquants, 'pilote')} "
            f"{'n’a' if manquants == 1 else 'n’ont'} pas transmis de bilan : les chiffres qui "
            f"{'dépendent de lui' if manquants == 1 else 'dépendent d’eux'} sont marqués « partiel »"
        )
    else:
        completude = f"les {len(actifs)} pilotes attendus ont répondu"
    r.para(
        f"Ce bilan rend compte, pour {annee}, de l'avancement des {len(p.actions)} actions des {len(p.objectifs)} objectifs du protocole, "
        f"à partir des classeurs renvoyés par les pilotes ({completude}). "
        "Chaque chiffre est tracé jusqu'au classeur et à la cellule d'où il vient, dans le classeur de consolidation "
        "qui accompagne ce bilan. La méthode de calcul est décrite en annexe."
    )

    r.titre(f"Avancement des actions par axe en {annee}", 2)
    comptes = _comptes_par_axe(p, annee, c)
    colonnes = [*ORDRE_STATUTS, "NON RENSEIGNÉ"]
    entetes = ["Axe", *[s.capitalize() for s in colonnes], "Total"]
    fonds = [None, *[COULEURS_STATUTS.get(s) for s in colonnes], None]
    t = r.tableau(repartir(largeur, [2.6] + [1.9] * len(colonnes) + [1.1]), entetes, fonds)
    total: Counter = Counter()
    for axe, (libelle, cpt) in zip(p.axes, comptes, strict=True):
        cells = r.ligne(t)
        r.texte_cellule(cells[0], f"{libelle} : {axe.titre.capitalize()}")
        for j, s in enumerate(colonnes, 1):
            r.texte_cellule(cells[j], str(cpt.get(s, 0)) if cpt.get(s) else "")
        r.texte_cellule(cells[-1], str(sum(cpt.values())))
        total.update(cpt)
    cells = r.ligne(t)
    r.texte_cellule(cells[0], "Total", S_TABLEAU_TETE)
    for j, s in enumerate(colonnes, 1):
        r.texte_cellule(cells[j], str(total.get(s, 0)), S_TABLEAU_TETE)
    r.texte_cellule(cells[-1], str(sum(total.values())), S_TABLEAU_TETE)
    r.para()
    graphique = graphique_statuts(comptes, annee, largeur_cm=min(16.0, largeur))
    inserer_graphique(r.doc, graphique, "Graphique").alignment = 1  # centred
    r.para(f"Figure : nombre d'actions par statut et par axe en {annee}.", italique=True, centre=True)
    _indicateurs_cibles(r, p, annee, c, largeur)
    _retours(r, p, c, resultat, largeur)


def _indicateurs_cibles(r: Redacteur, p: Protocole, annee: int, c: Consolidation, largeur: float) -> None:
    """The indicators with an annual target: the year's value and rate, and (after the first year)
    the cumul by temporalité — a flux adds up, a stock never does, a cancelled action has neither."""
    r.titre("Indicateurs au regard des cibles", 2)
    debut, premiere = c.annees[0], len(c.annees) == 1
    texte = (
        f"Indicateurs dont l'action fixe une cible. Taux = valeur {annee} / cible (cible annuelle pour un nombre "
        "compté dans l'année, niveau à atteindre pour un stock en fin d'année)"
    )
    if not premiere:
        texte += (
            f" ; cumul {periode(debut, annee)} des nombres comptés dans l'année, rapporté à la cible annuelle × "
            f"{pluriel(len(c.annees), 'an')} ; un stock n'est pas cumulé"
        )
    r.para(texte + ". Un chiffre marqué « partiel » manque d'un pilote attendu : aucun taux n'est calculé sur lui.")
    entetes = ["Action", "Indicateur", "Cible", f"Valeur {annee}", "Taux"]
    parts = [1.5, 6.0, 1.4, 2.2, 1.3]
    if not premiere:  # a first-year bilan: the cumul is the year's value, no second column says it again
        entetes += [["Cumul", periode(debut, annee)], ["Taux", "cumulé"]]
        parts = [1.5, 4.6, 1.3, 2.2, 1.2, 2.2, 1.4]
    t = r.tableau(repartir(largeur, parts), entetes)
    for a in p.actions:
        e = c.enregistrement(a.code, annee)
        for k, ind in enumerate(a.indicateurs):
            if ind.type != "entier" or not ind.cible_annuelle or e is None:
                continue
            cells = r.ligne(t)
            v = e.valeurs[k]
            r.texte_cellule(cells[0], a.code)
            r.texte_cellule(cells[1], ind.libelle)
            r.texte_cellule(cells[2], nombre(ind.cible_annuelle) + ("" if ind.temporalite == "stock" else " / an"))
            aucune = v is None and e.explication(k)
            valeur = nombre(v) if v is not None else "non additionné" if aucune else NON_RENSEIGNE
            if v is not None and not e.realisation:
                valeur += f" (action {e.statut.lower()})"
            r.texte_cellule(cells[3], avec_partiel(valeur, e.partiel(k)) if v is not None else valeur)
            r.texte_cellule(cells[4], pourcent(e.taux[k]))
            if not premiere:
                r.texte_cellule(cells[5], texte_cumul(e, k, ind))
                r.texte_cellule(cells[6], pourcent(e.taux_cumules[k]) if ind.temporalite != "stock" else "")


def _retours(r: Redacteur, p: Protocole, c: Consolidation, resultat: ResultatControle, largeur: float) -> None:
    r.titre("Retours reçus et attendus", 2)
    actifs = p.pilotes_actifs()
    recus: dict[str, list[Any]] = {}
    for f in resultat.fichiers:
        if f.pilote and f.etat in (VALIDE, A_CORRIGER):
            recus.setdefault(f.pilote, []).append(f)
    manquants = set(c.manquants)
    n_recus = sum(1 for pil in actifs if pil.code in recus and pil.code not in manquants)
    n_classeurs = sum(len(v) for v in recus.values())
    r.para(
        f"{len(actifs)} pilotes attendus, {n_recus} {'a' if n_recus == 1 else 'ont'} renvoyé leur classeur, "
        f"{len(actifs) - n_recus} {'manque' if len(actifs) - n_recus == 1 else 'manquent'}. "
        f"{pluriel(n_classeurs, 'classeur retenu')} au total (un pilote collectif en reçoit un par structure)."
    )
    # "Classeurs" needs ~2 cm at the header's 8.5 pt bold, cell margins included: narrower, Word breaks it mid-word.
    t = r.tableau(repartir(largeur, [5.2, 3.4, 2.2, 3.6, 2.6]), ["Pilote", "Rôle", "Classeurs", "Structures", "État"])
    for pil in actifs:
        roles = [role for _, role in p.actions_du_pilote(pil.code)]
        n_chef = roles.count("chef de file")
        role = ", ".join(
            x
            for x in (
                f"chef de file de {n_chef}" if n_chef else "",
                f"co-pilote de {len(roles) - n_chef}" if len(roles) - n_chef else "",
            )
            if x
        )
        fichiers = recus.get(pil.code, [])
        if pil.code in manquants or not fichiers:
            etat = "non transmis"
        else:
            etat = "reçu"
        structures = sorted({(f.structure or "").strip() for f in fichiers if (f.structure or "").strip()})
        cells = r.ligne(t)
        r.texte_cellule(cells[0], pil.nom)
        r.texte_cellule(cells[1], role)
        r.texte_cellule(cells[2], str(len(fichiers)))
        r.texte_cellule(cells[3], ", ".join(structures) if pil.collectif else "")
        r.texte_cellule(cells[4], etat)
        if etat == "non transmis":
            r.fond(cells[4], COULEURS_STATUTS["EN ATTENTE"])


def sommaire(r: Redacteur) -> None:
    """The "Sommaire" heading and a TOC field, filled in at the end by remplir_sommaire."""
    s = r.para("Sommaire", gras=True)
    s.runs[0].font.size = r.Pt(15)
    p = r.para()
    r.champ(p, 'TOC \\o "1-3" \\h \\z \\u', "Table des matières : clic droit, « Mettre à jour le champ ».")
    r.sommaire = p
    r.saut_de_page()


def remplir_sommaire(r: Redacteur) -> None:
    """Put the headings in the TOC field's current result, so that a reader that does not refresh
    fields (LibreOffice's PDF export) still shows the contents; Word rebuilds it with page numbers."""
    p = r.sommaire
    if p is None or not r.titres:
        return
    runs = p._p.findall(word.balise_w("r"))
    attente, fin = runs[3], runs[4]
    precedent = p
    for i, (niveau, texte) in enumerate(r.titres):
        if i == 0:
            par = p
            attente.find(word.balise_w("t")).text = texte
        else:
            par = r.doc.add_paragraph()
            precedent._p.addnext(par._p)
            par.add_run(texte)
        par.paragraph_format.left_indent = r.Cm(0.6 * (niveau - 1))
        par.paragraph_format.space_after = r.Pt(0)
        if niveau == 1:
            for run in par.runs:
                run.bold = True
        precedent = par
    precedent._p.append(fin)  # the field's end after the last entry
