"""How the figures of several pilots for one indicator make one figure (the aggregation rule).

Like DHIS2's aggregation type, each indicator of the referential says how its figures add up:

- ``somme``: distinct organisations each count their own (persons trained in their own sessions,
  places they opened): the declarations add up.
- ``maximum``: co-pilots report the same thing (a colloquium organised together, the meetings of
  one shared instance): the largest declaration is kept, never the sum.
- ``chef_de_file``: the lead's figure stands, the others are shown as detail; without a figure
  from the lead, the largest co-pilot figure is kept and the bilan says so.
- ``aucune``: not added up; each pilot's figure is listed and no total (nor rate) is computed.

The rule applies to every declaration the same way: under ``maximum`` (one shared event) the
structures of a collective pilot ("Associations", "Communes"…) do not add up either — two
associations declaring the colloquium they both ran declare one colloquium; under the other rules
they are distinct organisations and add up into their pilot's figure before the rule applies
across pilots (``par_pilote``).

Under ``somme``, two or more equal non-zero declarations are probably one event counted twice
(``double_compte_probable``): the working notes flag them for the agent, who can arbitrate.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from enum import StrEnum

from vif38_bilan.commun.nombres import nombre
from vif38_bilan.exceptions import Vif38Error


class Agregation(StrEnum):
    SOMME = "somme"
    MAXIMUM = "maximum"
    CHEF_DE_FILE = "chef_de_file"
    AUCUNE = "aucune"


PAR_DEFAUT = Agregation.SOMME
ARBITRE = "chiffre retenu après arbitrage"
VALEURS = tuple(a.value for a in Agregation)

# Words of the bilan's explanation, after "déclarations : …".
_RETENU = {
    Agregation.SOMME: "somme retenue",
    Agregation.MAXIMUM: "maximum retenu",
    Agregation.CHEF_DE_FILE: "chiffre du chef de file retenu",
    Agregation.AUCUNE: "chiffres non additionnés",
}


class AgregationInconnue(Vif38Error, ValueError):
    """An aggregation rule that is not one of ``VALEURS``."""


def lire_agregation(valeur: object, ou: str = "") -> Agregation:
    """The rule written in the TOML or the referential workbook; empty means ``somme``.

    Raises ``AgregationInconnue`` with a French message listing the allowed values.
    """
    if valeur is None or str(valeur).strip() == "":
        return PAR_DEFAUT
    texte = str(valeur).strip().lower().replace(" ", "_").replace("-", "_")
    texte = {"chef_de_file": "chef_de_file", "chef": "chef_de_file", "max": "maximum"}.get(texte, texte)
    try:
        return Agregation(texte)
    except ValueError:
        lieu = f" ({ou})" if ou else ""
        raise AgregationInconnue(
            f"Règle d'agrégation « {valeur} » inconnue{lieu} : écrivez l'une de ces valeurs : {', '.join(VALEURS)}."
        ) from None


def regle_agregation(indicateur: object, ou: str, fautes: list[str]) -> str:
    """The rule of one indicator entry of the referential (dict); an unknown rule adds its French
    error to fautes (the referential lists every fault at once) and gives the default."""
    try:
        return lire_agregation(indicateur.get("agregation") if isinstance(indicateur, dict) else None, ou).value
    except AgregationInconnue as erreur:
        fautes.append(str(erreur))
        return PAR_DEFAUT.value


@dataclass(frozen=True)
class Declaration:
    """One pilot's figure for one indicator (its structures already added up)."""

    qui: str  # label shown in the bilan ("Justice", "DDFE")
    valeur: int | float
    chef: bool = False


@dataclass(frozen=True)
class Agregat:
    """The figure kept for an indicator and how it was obtained."""

    valeur: int | float | None  # None: nothing declared, or rule ``aucune`` with several pilots
    regle: Agregation
    declarations: tuple[Declaration, ...]
    sans_chef: bool = False  # rule chef_de_file, but the lead gave no figure
    arbitrage: str = ""  # the agent's decision ("valeur 156"), "" when the rule alone decided

    @property
    def plusieurs(self) -> bool:
        return len(self.declarations) > 1

    def explication(self) -> str:
        """ "déclarations : Justice 4, DDFE 3 ; maximum retenu" when several pilots answered, else "";
        after an arbitration, the neutral « chiffre retenu après arbitrage » (the signed text's words)."""
        if not self.plusieurs and not self.arbitrage:
            return ""
        detail = ", ".join(f"{d.qui} {nombre(d.valeur)}" for d in self.declarations)
        retenu = _RETENU[self.regle]
        if self.arbitrage:
            retenu = ARBITRE
        elif self.sans_chef:
            retenu = "pas de chiffre du chef de file, maximum des co-pilotes retenu"
        return f"déclarations : {detail} ; {retenu}" if self.plusieurs else retenu



def par_pilote(
    figures: Iterable[tuple[str, bool, int | float]], regle: Agregation | str = PAR_DEFAUT
) -> tuple[Declaration, ...]:
    """(label, is lead, figure) per return → one declaration per label, order kept: the returns of one
    label (the structures of a collective pilot) combine by the same rule as the pilots — the largest
    under ``maximum``, the sum otherwise."""
    le_plus_grand = Agregation(regle) is Agregation.MAXIMUM
    totaux: dict[str, list] = {}
    for qui, chef, v in figures:
        if qui in totaux:
            totaux[qui][1] = max(totaux[qui][1], v) if le_plus_grand else totaux[qui][1] + v
            totaux[qui][0] = totaux[qui][0] or chef
        else:
            totaux[qui] = [chef, v]
    return tuple(Declaration(q, v, c) for q, (c, v) in totaux.items())


def double_compte_probable(regle: Agregation | str, valeurs: Iterable[int | float]) -> bool:
    """True under ``somme`` when two or more of the returns' figures (structures included) are equal
    and non-zero: probably one event declared twice (issue 23: 1-1-1's 156 co-financed trainees)."""
    if Agregation(regle) is not Agregation.SOMME:
        return False
    vues = [v for v in valeurs if v]
    return len(vues) != len(set(vues))


def agreger(regle: Agregation | str, declarations: Iterable[Declaration]) -> Agregat:
    """The kept figure for one indicator under ``regle``."""
    regle = Agregation(regle)
    decl = tuple(declarations)
    if not decl:
        return Agregat(None, regle, decl)
    valeurs = [d.valeur for d in decl]
    if len(decl) == 1:
        return Agregat(valeurs[0], regle, decl)
    if regle is Agregation.SOMME:
        return Agregat(sum(valeurs), regle, decl)
    if regle is Agregation.MAXIMUM:
        return Agregat(max(valeurs), regle, decl)
    if regle is Agregation.CHEF_DE_FILE:
        du_chef = [d.valeur for d in decl if d.chef]
        if du_chef:
            return Agregat(sum(du_chef), regle, decl)
        return Agregat(max(valeurs), regle, decl, sans_chef=True)
    return Agregat(None, regle, decl)
