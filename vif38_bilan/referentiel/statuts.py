"""The six statuses of the protocol and the reading of a typed variant ("Effectue", "POUR SUIVRE").

A foundation: the referential's calendar, the templates, the check of the returns and the history
all use the same vocabulary and the same leniency (a variant is read with a warning, never an
error; anything else is refused).
"""

from __future__ import annotations

import re
from typing import Any

from vif38_bilan.commun.textes import sans_accents

STATUTS: dict[str, str] = {
    "EFFECTUÉE": "l'action est réalisée pour l'année",
    "EN COURS": "l'action a commencé et se poursuit",
    "EN ATTENTE": "l'action est bloquée ou attend une décision",
    "POURSUIVRE": "l'action est à poursuivre l'année suivante",
    "LANCEMENT": "l'action démarre cette année",
    "ANNULÉE": "l'action est abandonnée (plus d'actualité)",
}


def _cle_statut(texte: str) -> str:
    # Letters only, no accents, no final E/S: "Effectuée " = "EFFECTUE" = "effectuées", "POUR SUIVRE" = "POURSUIVRE".
    return re.sub(r"[^A-Z]", "", sans_accents(texte).upper()).rstrip("ES")


_STATUTS_PAR_CLE = {_cle_statut(s): s for s in STATUTS}


def normaliser_statut(valeur: Any) -> tuple[str | None, bool]:
    """(canonical status or None when unknown, True when it was a variant)."""
    if not isinstance(valeur, str):
        return None, False
    texte = valeur.strip()
    if texte in STATUTS:
        return texte, False
    if re.search(r"[?!]", texte):  # "en cours ?" is a question, not a status
        return None, False
    canonique = _STATUTS_PAR_CLE.get(_cle_statut(texte))
    return canonique, canonique is not None


def lire_statuts(valeurs: list[Any], lieux: list[str], fautes: list[str], avertissements: list[str]) -> tuple[str, ...]:
    """Statuses typed in a table (the referential's calendar): canonical, "" when blank or refused.
    A variant is read with a warning, anything else is a fault; both name the place (lieux[k])."""
    lus = []
    for k, brut in enumerate(valeurs):
        ou = lieux[k] if k < len(lieux) else f"statut n°{k + 1}"
        texte = " ".join(str(brut or "").split())
        statut, variante = normaliser_statut(texte)
        if texte and statut is None:
            fautes.append(
                f"{ou} : « {texte} » n'est pas un statut prévu ; écrivez l'un de {', '.join(STATUTS)} (ou laissez la case vide)"
            )
        elif variante:
            avertissements.append(f"{ou} : « {texte} » a été lu comme « {statut} »")
        lus.append(statut or "")
    return tuple(lus)
