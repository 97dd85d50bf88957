"""Completeness of a figure: which expected providers are missing from a total (issue 23).

A total built while an expected pilot has not answered, or answered with an erreur on that very
figure, is partial: the bilan writes « 1 (partiel : Police non transmis) », never a bare total.
The same rule serves the actions' indicators and the key figures.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field

from vif38_bilan.referentiel.agregation import Agregation
from vif38_bilan.regles import ERREUR

NON_TRANSMIS = "non transmis"
EN_ERREUR = "en erreur"


@dataclass(frozen=True)
class Attente:
    """Who was expected and did not deliver this year: pilots without a usable return, and
    (pilot, action or key-figure row code) pairs with an open erreur."""

    manquants: frozenset[str] = frozenset()
    erreurs: frozenset[tuple[str, str]] = field(default_factory=frozenset)

    @classmethod
    def du_controle(cls, manquants: Iterable[str], anomalies: Iterable[object]) -> Attente:
        """From a check result's missing pilots and anomalies (only erreurs naming a pilot and a code)."""
        erreurs = frozenset(
            (a.pilote, a.code_action)
            for a in anomalies
            if getattr(a, "gravite", None) == ERREUR and getattr(a, "pilote", None) and getattr(a, "code_action", None)
        )
        return cls(frozenset(manquants), erreurs)


def manques(
    attendus: Sequence[str],
    regle: Agregation | str,
    ont_declare: Iterable[str],
    code: str,
    attente: Attente,
    nom: object = str,
) -> tuple[str, ...]:
    """What a figure lacks, as French phrases (« Police non transmis », « Justice en erreur »); () when complete.

    Args:
        attendus: the expected providers' codes, lead first (an action's pilots, a series' pilots).
        regle: the aggregation rule; under ``chef_de_file`` the lead's figure alone makes it complete.
        ont_declare: codes of the pilots that gave a usable figure.
        code: the action code or key-figure row code (erreurs are looked up on it).
        nom: pilot code → label shown (default: the code).
    """
    declare = set(ont_declare)
    if Agregation(regle) is Agregation.CHEF_DE_FILE and attendus and attendus[0] in declare:
        return ()
    sortie = []
    for pilote in attendus:
        if pilote in declare:
            continue
        if pilote in attente.manquants:
            sortie.append(f"{nom(pilote)} {NON_TRANSMIS}")
        elif (pilote, code) in attente.erreurs:
            sortie.append(f"{nom(pilote)} {EN_ERREUR}")
    return tuple(sortie)


def texte_partiel(manque: Sequence[str]) -> str:
    """ "partiel : Police non transmis, Justice en erreur" or ""."""
    return f"partiel : {', '.join(manque)}" if manque else ""
