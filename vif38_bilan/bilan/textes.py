"""The bilan's French wording of figures and the status colours, shared by its sections."""

from __future__ import annotations

from datetime import date
from typing import Any

from vif38_bilan.bilan.word import S_STATUT, Redacteur
from vif38_bilan.commun.nombres import NBSP, nombre
from vif38_bilan.consolidation.actions import Enregistrement
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


def phrase_indicateur(
    ind: Indicateur,
    valeur: Any,
    taux: float | None,
    detail: tuple[tuple[str, Any], ...] = (),
    explication: str = "",
) -> str:
    """'156 personnes formées — cible 100/an, 156 %', 'Signature de la convention : Oui',
    '4 réunions … (déclarations : Justice 4, DDFE 3 ; maximum retenu) — cible 4/an, 100 %'."""
    cible = f"cible {nombre(ind.cible_annuelle)}/an" if ind.cible_annuelle else ""
    if valeur is None and explication:  # rule "aucune": the pilots' figures, not added up
        return f"{ind.libelle} : {explication}"
    if valeur is None:
        return f"{ind.libelle} : {NON_RENSEIGNE}" + (f" ({cible})" if cible else "")
    if ind.type == "entier":
        compte = _libelle_compte(ind.libelle)
        texte = f"{nombre(valeur)} {compte}" if compte and valeur not in (0, 1) else f"{ind.libelle} : {nombre(valeur)}"
        if explication:
            texte += f" ({explication})"
        elif len(detail) > 1:
            texte += " (" + " ; ".join(f"{q} : {nombre(v)}" for q, v in detail) + ")"
        if cible:
            texte += f" — {cible}, {pourcent(taux)}"
        return texte
    return f"{ind.libelle} : {valeur}"


def annees_non_renseignees(e: Enregistrement, k: int) -> str:
    """ "2022 non renseignée", "2022 et 2023 non renseignées" or ""."""
    return e.annees_non_renseignees(k)


def texte_cumul(e: Enregistrement, k: int) -> str:
    """The cumulated figure: "141", "141 (2022 non renseignée)", "non renseigné"."""
    manque = annees_non_renseignees(e, k)
    if e.cumuls[k] is None:
        return NON_RENSEIGNE
    return nombre(e.cumuls[k]) + (f" ({manque})" if manque else "")


def phrase_cumul(ind: Indicateur, e: Enregistrement, k: int, debut: int) -> str | None:
    """ "Cumul 2022-2023 : 141 (2022 non renseignée)": unknown years are named, never counted as 0."""
    if ind.type != "entier" or e.cumuls[k] is None or e.annee == debut:
        return None
    texte = f"Cumul {debut}-{e.annee} : {texte_cumul(e, k)}"
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
