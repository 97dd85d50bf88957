"""How a figure behaves over time (its "temporalité"), and the one place where that decides the cumul.

Like DHIS2's aggregation type over periods, each indicator and key-figure series of the
referential says what one year's value is:

- ``flux``: counted per year (persons trained, sessions held, meetings). The cumul adds the known
  years; a target is per year, so the cumulated target is the annual target × the years.
- ``stock``: a level at year end (places, networks existing in the département, conventions in
  force, devices deployed). Adding two years counts the same places twice: no cumul. The bilan
  shows the latest known value and its change since the first known year; a target is a level.
- ``ponctuel``: done once (a procedure created, a convention signed). The cumul says whether and
  since when (« Oui depuis 2022 »); no cumulated target.

Every stage asks this module (``cumuler``) and never tests a temporalité itself, so a new kind of
indicator changes one function.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from enum import StrEnum
from typing import Any

from vif38_bilan.exceptions import Vif38Error


class Temporalite(StrEnum):
    FLUX = "flux"
    STOCK = "stock"
    PONCTUEL = "ponctuel"


VALEURS = tuple(t.value for t in Temporalite)

# What one year's value means, in the words of the bilan and the workbooks.
DEFINITIONS = {
    Temporalite.FLUX: "nombre compté dans l'année ; le cumul additionne les années connues",
    Temporalite.STOCK: "niveau en fin d'année ; jamais additionné d'une année à l'autre",
    Temporalite.PONCTUEL: "réalisé une fois ; le cumul dit si et depuis quand",
}


class TemporaliteInconnue(Vif38Error, ValueError):
    """A temporalité that is not one of ``VALEURS``."""


def par_defaut(type_indicateur: str) -> Temporalite:
    """The temporalité of an indicator that does not say it: a yes/no is done once, a count is a flow."""
    return Temporalite.PONCTUEL if type_indicateur == "oui_non" else Temporalite.FLUX


def lire_temporalite(valeur: object, type_indicateur: str = "entier", ou: str = "") -> Temporalite:
    """The temporalité written in the TOML or the referential workbook; empty gives ``par_defaut``.

    Raises ``TemporaliteInconnue`` with a French message listing the allowed values.
    """
    if valeur is None or str(valeur).strip() == "":
        return par_defaut(type_indicateur)
    texte = str(valeur).strip().lower()
    try:
        return Temporalite(texte)
    except ValueError:
        lieu = f" ({ou})" if ou else ""
        raise TemporaliteInconnue(
            f"Temporalité « {valeur} » inconnue{lieu} : écrivez l'une de ces valeurs : {', '.join(VALEURS)} "
            "(flux : compté dans l'année ; stock : niveau en fin d'année ; ponctuel : réalisé une fois)."
        ) from None


def temporalite_entree(entree: object, type_indicateur: str, ou: str, fautes: list[str]) -> str:
    """The temporalité of one entry of the referential (dict); an unknown value adds its French error
    to fautes (the referential lists every fault at once) and gives the default."""
    brute = entree.get("temporalite") if isinstance(entree, dict) else None
    try:
        return lire_temporalite(brute, type_indicateur, ou).value
    except TemporaliteInconnue as erreur:
        fautes.append(str(erreur))
        return par_defaut(type_indicateur).value


# ---------------------------------------------------------------- the cumul, in one place


@dataclass(frozen=True)
class Cumul:
    """What the years up to one year say together, for one indicator.

    valeur: flux: the sum of the known years; stock: the latest known value; ponctuel: "Oui" once
        a year said Oui, else "Non" when a year said Non; None when no year is known.
    manquantes: years without a figure (never counted as 0).
    cible: flux: annual target × years; stock: the target itself (a level); ponctuel: None.
    taux: valeur / cible, None when a flux misses a year or there is no target.
    depuis: ponctuel: the first year that said Oui; stock: the year of the latest known value.
    premiere: stock: (year, value) of the first known value, to show the change; else None.
    """

    valeur: Any
    manquantes: tuple[int, ...]
    cible: int | None
    taux: float | None
    depuis: int | None = None
    premiere: tuple[int, Any] | None = None


def _nombre(v: Any) -> int | float | None:
    if isinstance(v, bool) or not isinstance(v, int | float):
        return None
    return v


def cumuler(
    temporalite: str, type_indicateur: str, annees: Sequence[tuple[int, Any]], cible_annuelle: int | None
) -> Cumul:
    """The cumul of one indicator over (year, value) pairs in year order.

    A value None is an unknown year. A year whose figure is not an achievement (its action was
    cancelled or waiting) must be left out by the caller, not passed as None.
    Args:
        temporalite: "flux", "stock" or "ponctuel".
        type_indicateur: "entier", "oui_non" or "texte" (texte: no cumul).
        cible_annuelle: the action's annual target (entier only), or None.
    """
    t = Temporalite(temporalite)
    if type_indicateur == "oui_non":
        oui = [y for y, v in annees if v == "Oui"]
        valeur = "Oui" if oui else ("Non" if any(v == "Non" for _, v in annees) else None)
        return Cumul(valeur, (), None, None, depuis=oui[0] if oui else None)
    if type_indicateur != "entier":
        return Cumul(None, (), None, None)
    connues = [(y, n) for y, v in annees if (n := _nombre(v)) is not None]
    manquantes = tuple(y for y, v in annees if _nombre(v) is None)
    if t is Temporalite.STOCK:
        if not connues:
            return Cumul(None, manquantes, cible_annuelle, None)
        y, n = connues[-1]
        taux = n / cible_annuelle if cible_annuelle else None
        return Cumul(n, manquantes, cible_annuelle, taux, depuis=y, premiere=connues[0])
    if t is Temporalite.PONCTUEL:
        faites = [y for y, n in connues if n > 0]
        valeur = sum(n for _, n in connues) if connues else None
        return Cumul(valeur, manquantes, None, None, depuis=faites[0] if faites else None)
    valeur = sum(n for _, n in connues) if connues else None
    cible = cible_annuelle * len(annees) if cible_annuelle and annees else None
    # Unknown is not zero: no cumulated rate over a year without figure.
    taux = valeur / cible if cible and valeur is not None and not manquantes else None
    return Cumul(valeur, manquantes, cible, taux)
