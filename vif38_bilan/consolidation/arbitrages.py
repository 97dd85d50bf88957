"""The agent's arbitrations: which figure stands for one action and year, with her reason (issue 23).

Kept in the workspace as a plain file the agent can read and keep, arbitrages.toml:

    [[arbitrage]]
    annee = 2023
    action = "1-1-1"
    indicateur = 1          # optional: without it, every count of the action (and its status, for pilote)
    pilote = "DDFE"         # or: regle = "maximum" / valeur = 156 (exactly one of the three)
    motif = "Formations co-financées : les mêmes 156 personnes déclarées par les deux pilotes."
    date = "2026-12-07"

The consolidation applies them (``decision``) to the year's returns; the sources sheet and the
working notes show each one with its reason; the signed bilan only says « chiffre retenu après
arbitrage ». Recording, listing and removing are cycle.arbitrages' (the door of the faces).
"""

from __future__ import annotations

from collections.abc import Callable

import json
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from vif38_bilan.commun.ecriture import ecrire_texte
from vif38_bilan.commun.toml_fr import lire_toml
from vif38_bilan.exceptions import Vif38Error
from vif38_bilan.referentiel.agregation import VALEURS, AgregationInconnue, lire_agregation
from vif38_bilan.referentiel.protocole import Protocole

NOM_ARBITRAGES = "arbitrages.toml"
ENTETE = (
    "# Arbitrages de la DDFE : pour une action et une année, le chiffre qui fait foi et pourquoi.\n"
    "# Écrit par « vif38-bilan arbitrer » ; lisible et gardé d'une production du bilan à l'autre.\n"
)


class ArbitrageRefuse(Vif38Error):
    """An arbitration that names an unknown action, indicator or pilot, or a frozen year."""


@dataclass(frozen=True)
class Arbitrage:
    annee: int
    action: str
    indicateur: int | None = None  # 1-based; None: every count of the action
    regle: str = ""
    valeur: int | None = None
    pilote: str = ""  # pilot code
    motif: str = ""
    date: str = ""  # AAAA-MM-JJ, when it was recorded

    def concerne(self, annee: int, action: str, k: int | None) -> bool:
        """Does it apply to indicator k (0-based; None: the status) of action in annee?"""
        if self.annee != annee or self.action != action:
            return False
        if k is None:
            return self.indicateur is None and bool(self.pilote)
        return self.indicateur is None or self.indicateur == k + 1

    def cible(self) -> tuple[int, str, int | None]:
        """What it decides on: two arbitrations with the same target replace each other."""
        return self.annee, self.action, self.indicateur

    def decision(self, nom: Any = str) -> str:
        """ "règle maximum", "valeur 156", "chiffre de DDFE" (French, for the agent's documents)."""
        if self.regle:
            return f"règle {self.regle}"
        if self.valeur is not None:
            return f"valeur {self.valeur}"
        return f"chiffre de {nom(self.pilote)}"

    def vers_toml(self) -> str:
        lignes = ["[[arbitrage]]", f"annee = {self.annee}", f"action = {json.dumps(self.action)}"]
        if self.indicateur is not None:
            lignes.append(f"indicateur = {self.indicateur}")
        if self.regle:
            lignes.append(f"regle = {json.dumps(self.regle)}")
        if self.valeur is not None:
            lignes.append(f"valeur = {self.valeur}")
        if self.pilote:
            lignes.append(f"pilote = {json.dumps(self.pilote)}")
        # JSON's string escapes are TOML basic-string escapes: a motif with quotes or accents stays valid.
        lignes.append(f"motif = {json.dumps(self.motif, ensure_ascii=False)}")
        if self.date:
            lignes.append(f"date = {json.dumps(self.date)}")
        return "\n".join(lignes) + "\n"


def verifier(protocole: Protocole, a: Arbitrage) -> Arbitrage:
    """The arbitration checked against the protocol, pilot name resolved to its code.

    Raises ArbitrageRefuse (French, listing what is allowed) for an unknown action, indicator or
    pilot, a pilot not piloting that action, a rule unknown, no or several decisions, or no motif.
    """
    try:
        action = protocole.action(a.action)
    except KeyError:
        raise ArbitrageRefuse(
            f"Action « {a.action} » inconnue : écrivez un code du protocole, par exemple "
            f"{protocole.actions[0].code} (vif38-bilan referentiel les liste tous)."
        ) from None
    comptes = [k + 1 for k, i in enumerate(action.indicateurs) if i.type == "entier"]
    if a.indicateur is not None and a.indicateur not in comptes:
        possibles = ", ".join(map(str, comptes)) or "aucun"
        raise ArbitrageRefuse(
            f"L'action {action.code} n'a pas d'indicateur chiffré n°{a.indicateur} : indicateurs chiffrés possibles : "
            f"{possibles}."
        )
    decisions = [x for x in (a.regle, a.valeur is not None, a.pilote) if x]
    if len(decisions) != 1:
        raise ArbitrageRefuse("Donnez une seule décision : --regle, --valeur ou --pilote.")
    regle = a.regle
    if regle:
        try:
            regle = lire_agregation(regle).value
        except AgregationInconnue:
            raise ArbitrageRefuse(
                f"Règle « {a.regle} » inconnue : écrivez l'une de ces valeurs : {', '.join(VALEURS)}."
            ) from None
    if a.valeur is not None:
        if a.valeur < 0:
            raise ArbitrageRefuse(f"Valeur {a.valeur} refusée : un chiffre retenu est un nombre entier positif ou nul.")
        if a.indicateur is None and len(comptes) > 1:
            raise ArbitrageRefuse(
                f"L'action {action.code} a {len(comptes)} indicateurs chiffrés : précisez lequel avec --indicateur "
                f"({', '.join(map(str, comptes))})."
            )
    pilote = a.pilote
    if pilote:
        codes, inconnus = protocole.annuaire.decouper(pilote)
        code = codes[0] if len(codes) == 1 and not inconnus else pilote.strip()
        if code not in action.pilotes:
            noms = ", ".join(action.pilotes)
            raise ArbitrageRefuse(
                f"« {a.pilote} » n'est pas un pilote de l'action {action.code} : pilotes possibles : {noms}."
            )
        pilote = code
    if not " ".join(a.motif.split()):
        raise ArbitrageRefuse(
            'Dites pourquoi ce chiffre fait foi : --motif "la raison" (il est gardé avec l\'arbitrage).'
        )
    if a.annee not in protocole.annees:
        raise ArbitrageRefuse(f"{a.annee} n'est pas une année du protocole ({', '.join(map(str, protocole.annees))}).")
    return Arbitrage(a.annee, action.code, a.indicateur, regle, a.valeur, pilote, " ".join(a.motif.split()), a.date)


def lire_arbitrages(chemin: Path, protocole: Protocole | Callable[[int], Protocole]) -> list[Arbitrage]:
    """The arbitrations of arbitrages.toml ([] without the file), each checked against the protocol
    of its year: protocole is that protocol, or year → protocol when the workspace holds several.

    Raises ArbitrageRefuse naming the file and every faulty entry (French), never a traceback."""
    protocole_de = protocole if callable(protocole) else (lambda _annee: protocole)
    if not Path(chemin).is_file():
        return []
    donnees = lire_toml(Path(chemin), erreur=ArbitrageRefuse)
    sortie, fautes = [], []
    for n, e in enumerate(donnees.get("arbitrage") or [], 1):
        try:
            a = _depuis(e)
            sortie.append(verifier(protocole_de(a.annee), a))
        except (ArbitrageRefuse, TypeError, ValueError) as err:
            fautes.append(f"arbitrage n°{n} : {err}")
    if fautes:
        raise ArbitrageRefuse(
            f"Le fichier « {Path(chemin).name} » contient {len(fautes)} arbitrage(s) illisible(s) :\n  - "
            + "\n  - ".join(fautes)
            + "\nCorrigez-le (ou retirez l'arbitrage : vif38-bilan arbitrer --retirer …), puis relancez."
        )
    return sortie


def _depuis(e: Any) -> Arbitrage:
    if not isinstance(e, dict):
        raise ValueError("une table de clés est attendue")

    def entier(cle: str) -> int | None:
        v = e.get(cle)
        if v is None:
            return None
        if isinstance(v, bool) or not isinstance(v, int):
            raise ValueError(f"« {cle} » doit être un nombre entier (lu : {v!r})")
        return v

    annee = entier("annee")
    if annee is None:
        raise ValueError("champ « annee » manquant")
    return Arbitrage(
        annee, str(e.get("action") or ""), entier("indicateur"), str(e.get("regle") or ""), entier("valeur"),
        str(e.get("pilote") or ""), str(e.get("motif") or ""), str(e.get("date") or ""),
    )  # fmt: skip


def ecrire_arbitrages(chemin: Path, arbitrages: Iterable[Arbitrage]) -> Path:
    """Rewrite arbitrages.toml atomically, ordered by year, action and indicator."""
    ordre = sorted(
        arbitrages, key=lambda a: (a.annee, [int(x) for x in a.action.split("-") if x.isdigit()], a.indicateur or 0)
    )
    return ecrire_texte(chemin, ENTETE + "".join("\n" + a.vers_toml() for a in ordre))


def de_l_annee(arbitrages: Iterable[Arbitrage], annee: int) -> list[Arbitrage]:
    return [a for a in arbitrages if a.annee == annee]
