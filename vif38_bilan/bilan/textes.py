"""The bilan's French wording of figures and the status colours, shared by its sections."""

from __future__ import annotations

from datetime import date
from typing import Any

from vif38_bilan.bilan.word import S_STATUT, Redacteur
from vif38_bilan.commun.nombres import NBSP, nombre
from vif38_bilan.consolidation.actions import Enregistrement
from vif38_bilan.consolidation.completude import texte_partiel
from vif38_bilan.consolidation.indicateurs import realisation
from vif38_bilan.referentiel.temporalite import Temporalite
from vif38_bilan.referentiel.protocole import Indicateur

# Light fills: readable when printed in black and white too.
COULEURS_STATUTS = {
    "EFFECTUÉE": "C6EFCE",
    "EN COURS": "DDEBF7",
    "POURSUIVRE": "FFF2CC",
    "LANCEMENT": "E4DFEC",
    "EN ATTENTE": "FCE4D6",
    "ANNULÉE": "D9D9D9",
}
NON_RENSEIGNE = "non renseigné"
NON_CUMULE = "non cumulé (stock)"
SANS_OBJET = "sans objet"

MOIS = (
    "janvier",
    "février",
    "mars",
    "avril",
    "mai",
    "juin",
    "juillet",
    "août",
    "septembre",
    "octobre",
    "novembre",
    "décembre",
)

# Styles created by the bilan (in the default document and in a --modele base).



def date_francaise(d: date) -> str:
    return f"{d.day}{'er' if d.day == 1 else ''} {MOIS[d.month - 1]} {d.year}"



def pourcent(t: float | None) -> str:
    return "" if t is None else f"{round(t * 100)}{NBSP}%"


# ---------------------------------------------------------------- text of an indicator


def _libelle_compte(libelle: str) -> str | None:
    """ "Nombre de personnes formées" → "personnes formées" (None when not a count label)."""
    for tete in ("Nombre de ", "Nombre d'", "Nombre d’"):
        if libelle.startswith(tete):
            return libelle[len(tete) :].strip()
    return None


def pluriel(n: int, singulier: str, pluriel_: str | None = None) -> str:
    """ "1 classeur retenu", "3 classeurs retenus": the number and the right form (no « (s) »).
    pluriel_: the plural when it is not singulier + "s" on each word."""
    if abs(n) <= 1:
        return f"{nombre(n)} {singulier}"
    forme = pluriel_ or " ".join(
        m if m.endswith(("s", "x")) or not m[-1:].isalpha() else m + "s" for m in singulier.split()
    )
    return f"{nombre(n)} {forme}"


def avec_partiel(texte: str, partiel: tuple[str, ...] | list[str]) -> str:
    """ "1" → "1 (partiel : Police non transmis)" when the figure misses expected providers."""
    return f"{texte} ({texte_partiel(partiel)})" if partiel else texte


def phrase_indicateur(
    ind: Indicateur,
    valeur: Any,
    taux: float | None,
    detail: tuple[tuple[str, Any], ...] = (),
    explication: str = "",
    partiel: tuple[str, ...] = (),
    statut: str | None = None,
) -> str:
    """'156 personnes formées — cible 100/an, 156 %', 'Signature de la convention : Oui',
    '4 réunions … (déclarations : Justice 4, DDFE 3 ; maximum retenu) — cible 4/an, 100 %',
    '1 … (partiel : Police non transmis)' (no rate), 'Nombre de … déclaré : 292 (action annulée :
    ni taux ni cumul)' beside a status that is not an achievement."""
    stock = ind.temporalite == Temporalite.STOCK
    cible = ""
    if ind.cible_annuelle:
        cible = f"cible {nombre(ind.cible_annuelle)}" + (" (niveau)" if stock else "/an")
    if valeur is None and explication:  # rule "aucune": the pilots' figures, not added up
        return f"{ind.libelle} : {explication}"
    if valeur is None:
        return f"{ind.libelle} : {NON_RENSEIGNE}" + (f" ({cible})" if cible else "")
    if ind.type == "entier":
        if statut and not realisation(statut):
            return f"{ind.libelle} déclaré : {nombre(valeur)} (action {statut.lower()} : ni taux ni cumul)"
        compte = _libelle_compte(ind.libelle)
        texte = f"{nombre(valeur)} {compte}" if compte and valeur not in (0, 1) else f"{ind.libelle} : {nombre(valeur)}"
        if stock:
            texte += " en fin d'année"
        if explication:
            texte += f" ({explication})"
        elif len(detail) > 1:
            texte += " (" + " ; ".join(f"{q} : {nombre(v)}" for q, v in detail) + ")"
        texte = avec_partiel(texte, partiel)
        if cible and not partiel:
            texte += f" — {cible}, {pourcent(taux)}" if taux is not None else f" — {cible}"
        return texte
    return f"{ind.libelle} : {valeur}"


def annees_non_renseignees(e: Enregistrement, k: int) -> str:
    """ "2022 non renseignée", "2022 et 2023 non renseignées" or ""."""
    return e.annees_non_renseignees(k)


def texte_cumul(e: Enregistrement, k: int, ind: Indicateur | None = None) -> str:
    """The cumulated figure: "141", "141 (2022 non renseignée)", "non renseigné"; for a stock
    "non cumulé (stock)", beside a status that is not an achievement "sans objet"."""
    if not e.realisation:
        return SANS_OBJET
    if ind is not None and ind.temporalite == Temporalite.STOCK:
        return NON_CUMULE
    manque = annees_non_renseignees(e, k)
    if e.cumuls[k] is None:
        return NON_RENSEIGNE
    return avec_partiel(nombre(e.cumuls[k]) + (f" ({manque})" if manque else ""), e.partiel(k))


def phrase_cumul(ind: Indicateur, e: Enregistrement, k: int, debut: int) -> str | None:
    """What the years say together, by the indicator's temporalité (referentiel.temporalite):
    flux "Cumul 2022-2023 : 141 (2022 non renseignée)"; stock "Évolution 2022-2023 : 10 → 12"
    (never added up); ponctuel "Réalisé depuis 2022". Unknown years are named, never counted as 0."""
    c = e.cumul(k)
    if c is None or e.annee == debut or c.valeur is None:
        return None
    if ind.type == "oui_non":
        return f"Réalisé depuis {c.depuis}" if c.valeur == "Oui" and c.depuis and c.depuis < e.annee else None
    if ind.type != "entier":
        return None
    if ind.temporalite == Temporalite.STOCK:
        if c.premiere is None or c.premiere[0] == c.depuis:
            return None
        (y0, v0), ecart = c.premiere, c.valeur - c.premiere[1]
        signe = "+" if ecart > 0 else "−" if ecart < 0 else "±"
        texte = (
            f"Évolution {y0}-{c.depuis} : {nombre(v0)} → {nombre(c.valeur)} ({signe}{nombre(abs(ecart))}, non cumulé)"
        )
        return avec_partiel(texte, e.partiel(k))
    if ind.temporalite == Temporalite.PONCTUEL:
        return f"Réalisé depuis {c.depuis}" if c.depuis and c.depuis < e.annee else None
    texte = f"Cumul {debut}-{e.annee} : {texte_cumul(e, k, ind)}"
    if e.cibles_cumulees[k] and e.taux_cumules[k] is not None:
        texte += f" — cible {nombre(e.cibles_cumulees[k])}, {pourcent(e.taux_cumules[k])}"
    return texte


def note_statut(e: Enregistrement | None) -> str:
    if e is None or not e.signale:
        return ""
    return "(co-pilote)"


def statut_cellule(r: Redacteur, cell: Any, statut: str | None, note: str = "") -> None:
    """A status in its colour (an empty cell when None), with an optional small note below."""
    if statut:
        r.texte_cellule(cell, statut, S_STATUT)
        r.fond(cell, COULEURS_STATUTS.get(statut, "FFFFFF"))
    else:
        r.texte_cellule(cell, "")
    if note:
        r.note_cellule(cell, note)
