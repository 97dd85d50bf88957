"""The agent's arbitrations, a step of the cycle: record, list, remove (issue 23).

They live in the workspace's arbitrages.toml (consolidation.arbitrages: the model, the file, the
checks); produire_bilan applies them. A signed (frozen) year refuses any change.
"""

from __future__ import annotations

from dataclasses import replace
from datetime import date
from pathlib import Path

from vif38_bilan.consolidation.arbitrages import (
    NOM_ARBITRAGES,
    Arbitrage,
    ArbitrageRefuse,
    ecrire_arbitrages,
    lire_arbitrages,
    verifier,
)
from vif38_bilan.cycle.ouverture import Espace
from vif38_bilan.espace import cloture as validation
from vif38_bilan.exceptions import AnneeValidee


def chemin_arbitrages(espace: Espace) -> Path:
    """The workspace's arbitrages.toml (it may not exist yet)."""
    return espace.racine / NOM_ARBITRAGES


def lire_arbitrages_espace(espace: Espace, annee: int | None = None) -> list[Arbitrage]:
    """The recorded arbitrations (of annee only when given); [] without the file.
    Raises ArbitrageRefuse (French) when the file holds a faulty entry."""
    tous = lire_arbitrages(chemin_arbitrages(espace), lambda y: espace.pour_annee(y, verifier=False).protocole)
    return [a for a in tous if annee is None or a.annee == annee]


def _refuser_si_figee(espace: Espace, annee: int) -> None:
    try:
        validation.refuser_si_validee(espace.dossier("sorties", annee), annee, "l'arbitrage")
    except AnneeValidee as e:
        raise ArbitrageRefuse(str(e)) from None


def arbitrer(espace: Espace, arbitrage: Arbitrage, aujourd_hui: date | None = None) -> Arbitrage:
    """Record arbitrage (replacing one on the same year, action and indicator) and return it as kept.

    Raises AnneeHorsProtocole, EspaceVerrouille, ArbitrageRefuse (unknown action, indicator or pilot,
    no motif, several decisions, frozen year), SortieBloquee.
    """
    espace = espace.pour_annee(arbitrage.annee)  # the protocol of that year (successive protocols)
    retenu = verifier(espace.protocole, arbitrage)
    retenu = replace(retenu, date=(aujourd_hui or date.today()).isoformat())
    with espace.verrou():
        _refuser_si_figee(espace, retenu.annee)
        autres = [a for a in lire_arbitrages_espace(espace) if a.cible() != retenu.cible()]
        ecrire_arbitrages(chemin_arbitrages(espace), [*autres, retenu])
    return retenu


def retirer_arbitrage(espace: Espace, annee: int, action: str, indicateur: int | None = None) -> Arbitrage:
    """Remove the arbitration on (annee, action, indicateur) and return it.
    Raises ArbitrageRefuse when there is none (French, listing those of the year) or the year is frozen."""
    espace = espace.pour_annee(annee)
    with espace.verrou():
        _refuser_si_figee(espace, annee)
        tous = lire_arbitrages_espace(espace)
        cible = (annee, action, indicateur)
        trouve = next((a for a in tous if a.cible() == cible), None)
        if trouve is None:
            existants = ", ".join(
                f"{a.action}" + (f" indicateur {a.indicateur}" if a.indicateur else "")
                for a in tous
                if a.annee == annee
            )
            quoi = f"{action}" + (f" indicateur {indicateur}" if indicateur else "")
            raise ArbitrageRefuse(
                f"Aucun arbitrage {annee} pour l'action {quoi}. "
                + (
                    f"Arbitrages {annee} enregistrés : {existants}."
                    if existants
                    else f"Aucun arbitrage {annee} enregistré."
                )
            )
        ecrire_arbitrages(chemin_arbitrages(espace), [a for a in tous if a is not trouve])
    return trouve
