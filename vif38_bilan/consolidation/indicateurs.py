"""One indicator of one action: this year's figure from the returns, and its cumul over the years.

The figure: every return's value (structures of a collective pilot included) goes through the
indicator's aggregation rule — or the agent's arbitration for that action and year —, is checked
for a probable double count (``somme`` with equal declarations) and for completeness (an expected
pilot without a return or with an erreur makes it partial).

The cumul: referentiel.temporalite.cumuler, fed with the years whose action status is an
achievement (a figure beside ANNULÉE or EN ATTENTE is never counted as done).
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass, replace
from typing import Any

from vif38_bilan.consolidation.arbitrages import Arbitrage
from vif38_bilan.consolidation.completude import Attente, manques
from vif38_bilan.consolidation.disposition import LigneSource, etiquette, nombre_lu, rubrique_indicateur
from vif38_bilan.controle.resultats import Reponse, Source
from vif38_bilan.referentiel.agregation import Agregat, agreger, double_compte_probable, par_pilote
from vif38_bilan.referentiel.pilotes import cle
from vif38_bilan.referentiel.protocole import Action, Protocole
from vif38_bilan.referentiel.temporalite import Cumul, Temporalite, cumuler

# A figure declared beside these statuses is not an achievement: no rate, no cumul (issue 23).
STATUTS_SANS_REALISATION = ("ANNULÉE", "EN ATTENTE")
SOURCE_ARBITRAGE = "arbitrage"


@dataclass(frozen=True)
class Figure:
    """One indicator of one action in the bilan's year."""

    valeur: Any  # int, "Oui"/"Non", attributed text, or None (nothing declared / rule aucune)
    details: tuple[tuple[str, Any], ...]  # (who, value) per return
    agregat: Agregat | None
    partiel: tuple[str, ...] = ()  # « Police non transmis »…: the total misses these providers
    double_compte: bool = False  # somme of equal non-zero declarations, not arbitrated
    sources: tuple[LigneSource, ...] = ()


def oui_non(v: Any) -> str | None:
    if isinstance(v, str):
        t = cle(v)
        if t == "oui":
            return "Oui"
        if t == "non":
            return "Non"
    if isinstance(v, bool):
        return "Oui" if v else "Non"
    return None


def source(annee: int, code: str, rubrique: str, r: Reponse, valeur: Any, s: Source | None) -> LigneSource | None:
    if s is None:
        return None
    return LigneSource(
        annee, code, rubrique, r.pilote, r.structure or "", valeur, s.fichier, s.feuille, s.cellule, s.sha256
    )


def figure_annee(
    protocole: Protocole,
    action: Action,
    k: int,
    annee: int,
    reponses: Sequence[Reponse],
    nettoyer: Callable[..., str],
    attente: Attente,
    arbitrage: Arbitrage | None,
) -> Figure:
    """Indicator k of action in annee from its returns (lead first), under its rule or the arbitration."""
    ind = action.indicateurs[k]
    rubrique = rubrique_indicateur(action, k)
    vus: list[tuple[str, Any]] = []
    figures: list[tuple[str, bool, Any]] = []  # (pilot label, is lead, value) per return
    codes: list[str] = []
    sources: list[LigneSource] = []
    for r in reponses:
        v = r.valeurs[k] if k < len(r.valeurs) else None
        if v is None or v == "":
            continue
        src = r.valeurs_sources[k] if k < len(r.valeurs_sources) else None
        qui = etiquette(protocole, r.pilote, r.structure)
        if ind.type == "entier":
            v = nombre_lu(v)
        elif ind.type == "oui_non":
            v = oui_non(v)
        else:
            v = " ".join(nettoyer(str(v), annee, action.code, qui, rubrique, src).split())
        if v is None or v == "":
            continue
        vus.append((qui, v))
        codes.append(r.pilote)
        if ind.type == "entier":
            figures.append((etiquette(protocole, r.pilote), r.pilote == action.chef_de_file, v))
        if (s := source(annee, action.code, rubrique, r, v, src)) is not None:
            sources.append(s)
    if ind.type != "entier":
        if not vus:
            return Figure(None, (), None, sources=tuple(sources))
        valeur = (
            ("Oui" if any(v == "Oui" for _, v in vus) else "Non")
            if ind.type == "oui_non"
            else (" ".join(f"[{q}] {v}" for q, v in vus))
        )
        return Figure(valeur, tuple(vus), None, sources=tuple(sources))
    agregat = _agreger(protocole, ind.agregation, figures, arbitrage) if (vus or _impose(arbitrage)) else None
    if agregat is not None and agregat.arbitrage:
        sources.append(
            LigneSource(annee, action.code, f"{rubrique} — arbitrage : {arbitrage.motif}", "", SOURCE_ARBITRAGE,
                        agregat.valeur, "arbitrages.toml", "", "", "")
        )  # fmt: skip
    arbitre = agregat is not None and bool(agregat.arbitrage)
    partiel = (
        ()
        if arbitre or not vus
        else manques(action.pilotes, ind.agregation, codes, action.code, attente, lambda c: etiquette(protocole, c))
    )
    double = not arbitre and double_compte_probable(ind.agregation, [v for _, _, v in figures])
    valeur = agregat.valeur if agregat is not None else None
    return Figure(valeur, tuple(vus), agregat, partiel, double, tuple(sources))


def _impose(a: Arbitrage | None) -> bool:
    return a is not None and a.valeur is not None


def _agreger(
    protocole: Protocole, regle: str, figures: list[tuple[str, bool, Any]], arbitrage: Arbitrage | None
) -> Agregat:
    """The kept figure under the indicator's rule, or as the agent decided (rule, value or pilot)."""
    if arbitrage is not None and arbitrage.regle:
        regle = arbitrage.regle
    declarations = par_pilote(figures, regle)
    agregat = agreger(regle, declarations)
    if arbitrage is None:
        return agregat
    decision = arbitrage.decision(lambda c: etiquette(protocole, c))
    if arbitrage.valeur is not None:
        return replace(agregat, valeur=arbitrage.valeur, arbitrage=decision, sans_chef=False)
    if arbitrage.pilote:
        nom = etiquette(protocole, arbitrage.pilote)
        sienne = next((d.valeur for d in declarations if d.qui == nom), None)
        if sienne is None:  # the chosen pilot declared nothing: the rule stands, the notes say so
            return agregat
        return replace(agregat, valeur=sienne, arbitrage=decision, sans_chef=False)
    return replace(agregat, arbitrage=decision)


# ---------------------------------------------------------------- over the years


def realisation(statut: str | None) -> bool:
    """Is a figure beside this status an achievement? (Not beside ANNULÉE nor EN ATTENTE.)"""
    return statut not in STATUTS_SANS_REALISATION


def taux_annee(ind: Any, valeur: Any, statut: str | None, partiel: Sequence[str] = ()) -> float | None:
    """The year's rate: value / annual target for a flux, value / level for a stock; None for a
    one-off, a partial figure, or a status that is not an achievement."""
    n = nombre_lu(valeur)
    if n is None or not ind.cible_annuelle or ind.type != "entier" or partiel or not realisation(statut):
        return None
    if ind.temporalite == Temporalite.PONCTUEL:
        return None
    return n / ind.cible_annuelle


def cumuls_action(
    action: Action, annees: Sequence[int], par_annee: dict[int, tuple[str | None, Sequence[Any]]]
) -> dict[int, tuple[Cumul | None, ...]]:
    """Per year up to each year: the Cumul of every indicator (None for a year whose status is not an
    achievement: its figure is shown as declared, with neither rate nor cumul).

    par_annee: year → (retained status, values per indicator)."""
    sortie: dict[int, tuple[Cumul | None, ...]] = {}
    for n, y in enumerate(annees, 1):
        statut = par_annee[y][0]
        if not realisation(statut):
            sortie[y] = tuple(None for _ in action.indicateurs)
            continue
        retenues = [a for a in annees[:n] if realisation(par_annee[a][0])]
        sortie[y] = tuple(
            cumuler(ind.temporalite, ind.type, [(a, par_annee[a][1][k]) for a in retenues], ind.cible_annuelle)
            for k, ind in enumerate(action.indicateurs)
        )
    return sortie
