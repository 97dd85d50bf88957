"""The bilan's body: one table per objective (two layouts) and the planned / actual calendar."""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterator
from typing import Any

from vif38_bilan.commun.textes import lignes_repliees
from vif38_bilan.bilan.textes import (
    COULEURS_STATUTS,
    NON_RENSEIGNE,
    note_statut,
    phrase_cumul,
    phrase_indicateur,
    statut_cellule,
)
from vif38_bilan.bilan.word import S_STATUT, S_TABLEAU_TETE, Redacteur, repartir
from vif38_bilan.consolidation.actions import Consolidation
from vif38_bilan.consolidation.disposition import ORDRE_STATUTS
from vif38_bilan.referentiel.protocole import Action, Objectif, Protocole


def _observations(p: Protocole, a: Action, annee: int, c: Consolidation) -> list[str]:
    """The OBSERVATIONS cell: the year's attributed observations, then the indicators against target."""
    suite = p.suite_de(a.code)  # confirmed in the referential's "Suites" sheet (issue 28)
    avant = [f"Suite de l'action {suite.precedente} du protocole {suite.protocole}.", *suite.rappel] if suite else []
    e = c.enregistrement(a.code, annee)
    if e is None:
        return avant
    # One paragraph per line: an observation read from a history workbook may hold several.
    lignes = avant + [ligne for o in e.observations_attribuees() for ligne in o.split("\n")]
    for k, ind in enumerate(a.indicateurs):
        lignes.append(
            phrase_indicateur(ind, e.valeurs[k], e.taux[k], e.details[k], e.explication(k), e.partiel(k), e.statut)
        )
        cumul = phrase_cumul(ind, e, k, c.annees[0])
        if cumul:
            lignes.append(cumul)
    return lignes


def _hauteur_lignes(lignes: list[str], caracteres_par_ligne: int) -> int:
    return lignes_repliees("\n".join(lignes), caracteres_par_ligne)


def corps_annexe(r: Redacteur, p: Protocole, annee: int, c: Consolidation) -> None:
    largeur = r.largeur_utile_cm()
    parts = [6.9, 3.0, 3.3] + [2.3] * len(p.annees) + [6.6]
    largeurs = repartir(largeur, parts)
    car_obs = int(largeurs[-1] * 5.2)  # 8.5 pt Arial: about 5.2 characters per cm
    entetes = ["OBJECTIFS", "ACTEURS", "Autres acteurs", *[str(y) for y in p.annees], "OBSERVATIONS"]
    for o in _titres_objectifs(r, p):
        t = r.tableau(largeurs, entetes)
        for a in p.actions_de_objectif(o.numero):
            obs = _observations(p, a, annee, c)
            cells = r.ligne(t, insecable=_hauteur_lignes(obs, car_obs) <= 30)
            r.texte_cellule(cells[0], a.description, gras_debut=f"{a.code} ")
            r.texte_cellule(cells[1], a.pilotage)
            r.texte_cellule(cells[2], a.autres_acteurs)
            for j, y in enumerate(p.annees, 3):
                if y > annee:
                    r.texte_cellule(cells[j], "")
                    continue
                e = c.enregistrement(a.code, y)
                if e is None or not e.statut:
                    r.texte_cellule(cells[j], "")
                    r.note_cellule(cells[j], NON_RENSEIGNE)
                else:
                    statut_cellule(r, cells[j], e.statut, note_statut(e))
            r.texte_cellule(cells[-1], obs)


def _titres_objectifs(r: Redacteur, p: Protocole) -> Iterator[Objectif]:
    """Write "AXE n : …", axe 1's section headings and "N°k : …", yielding each objective in turn."""
    for axe in p.axes:
        r.titre(f"AXE {axe.numero} : {axe.titre}", 1)
        section_courante = None
        for o in p.objectifs_de_axe(axe.numero):
            if o.section is not None and o.section != section_courante:
                section_courante = o.section
                sec = next((s for s in p.sections if s.axe == axe.numero and s.numero == o.section), None)
                if sec:
                    r.titre(sec.titre, 2)
            r.titre(f"N°{o.numero} : {o.titre}", 3 if o.section is not None else 2)
            yield o


def corps_protocole(r: Redacteur, p: Protocole, annee: int, c: Consolidation) -> None:
    largeur = r.largeur_utile_cm()
    for o in _titres_objectifs(r, p):
        actions = p.actions_de_objectif(o.numero)
        largeurs = repartir(largeur, [3.4] + [23.3 / len(actions)] * len(actions))
        car = int(largeurs[-1] * 5.2)
        t = r.tableau(largeurs, ["", *[f"Action {a.code}" for a in actions]])
        lignes: list[tuple[str, list[Any]]] = [
            ("Description des actions", [a.description for a in actions]),
            ("Pilotage", [a.pilotage for a in actions]),
            ("Autres acteurs", [a.autres_acteurs for a in actions]),
            ("Échéance", [a.echeance for a in actions]),
            (
                "Indicateurs",
                [
                    [i.libelle + (f" (cible : {i.cible_texte})" if i.cible_texte else "") for i in a.indicateurs]
                    for a in actions
                ],
            ),
        ]
        for libelle, valeurs in lignes:
            cells = r.ligne(t)
            r.texte_cellule(cells[0], libelle, S_TABLEAU_TETE)
            for cell, v in zip(cells[1:], valeurs, strict=True):
                r.texte_cellule(cell, v)
        for y in c.annees:
            recs = [c.enregistrement(a.code, y) for a in actions]
            cells = r.ligne(t)
            r.texte_cellule(cells[0], f"Statut {y}", S_TABLEAU_TETE)
            for cell, e in zip(cells[1:], recs, strict=True):
                if e is None or not e.statut:
                    r.texte_cellule(cell, "")
                    r.note_cellule(cell, NON_RENSEIGNE)
                else:
                    statut_cellule(r, cell, e.statut, note_statut(e))
            cells = r.ligne(t)
            r.texte_cellule(cells[0], f"Valeurs {y} / cible", S_TABLEAU_TETE)
            for cell, a, e in zip(cells[1:], actions, recs, strict=True):
                phrases = (
                    [
                        phrase_indicateur(
                            ind, e.valeurs[k], e.taux[k], e.details[k], e.explication(k), e.partiel(k), e.statut
                        )
                        for k, ind in enumerate(a.indicateurs)
                    ]
                    if e
                    else []
                )
                r.texte_cellule(cell, phrases)
            obs = [[x for o in e.observations_attribuees() for x in o.split("\n")] if e else [] for e in recs]
            cells = r.ligne(t, insecable=max((_hauteur_lignes(o, car) for o in obs), default=0) <= 30)
            r.texte_cellule(cells[0], f"Observations {y}", S_TABLEAU_TETE)
            for cell, o in zip(cells[1:], obs, strict=True):
                r.texte_cellule(cell, o)


def _statut_reel_objectif(p: Protocole, objectif: int, annee: int, c: Consolidation) -> list[str]:
    cpt = Counter(c.statut(a.code, annee) or NON_RENSEIGNE for a in p.actions_de_objectif(objectif))
    ordre = [*ORDRE_STATUTS, NON_RENSEIGNE]
    return [
        f"{s} ({n})" if len(cpt) > 1 or n > 1 else s for s, n in sorted(cpt.items(), key=lambda kv: ordre.index(kv[0]))
    ]


def calendrier(r: Redacteur, p: Protocole, annee: int, c: Consolidation) -> None:
    r.titre("Calendrier : prévu et réalisé", 1)
    r.para(
        "Pour chaque objectif, le statut prévu par le calendrier prévisionnel du protocole et, à côté, le statut réel "
        "de ses actions (entre parenthèses, le nombre d'actions quand elles diffèrent)."
    )
    largeur = r.largeur_utile_cm()
    parts = [0.8, 5.5, 4.6] + [2.63] * (2 * len(p.annees))
    entetes = ["N°", "Objectif", "Acteurs"]
    fonds: list[str | None] = [None, None, None]
    for y in p.annees:
        entetes += [f"{y} prévu", f"{y} réel"]
        fonds += [None, "EDEDED"]
    t = r.tableau(repartir(largeur, parts), entetes, fonds)
    for o in p.objectifs:
        plan = p.plan(o.numero)
        cells = r.ligne(t)
        r.texte_cellule(cells[0], str(o.numero))
        r.texte_cellule(cells[1], o.titre)
        r.texte_cellule(cells[2], plan.acteurs if plan else "")
        for i, y in enumerate(p.annees):
            prevu = plan.statuts[i] if plan and i < len(plan.statuts) else ""
            statut_cellule(r, cells[3 + 2 * i], prevu or None)
            if y > annee:
                r.texte_cellule(cells[4 + 2 * i], "")
                continue
            reel = _statut_reel_objectif(p, o.numero, y, c)
            r.texte_cellule(cells[4 + 2 * i], reel, S_STATUT)
            if len(reel) == 1 and reel[0] in COULEURS_STATUTS:
                r.fond(cells[4 + 2 * i], COULEURS_STATUTS[reel[0]])
