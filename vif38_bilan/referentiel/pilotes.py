"""Pilot directory: turns a "Pilotage" text into pilot codes."""

from __future__ import annotations

import re
from dataclasses import dataclass, field

from vif38_bilan.commun.textes import sans_accents


@dataclass(frozen=True)
class Pilote:
    code: str
    nom: str
    alias: tuple[str, ...] = ()
    collectif: bool = False


@dataclass(frozen=True)
class AliasMultiple:
    """One phrase standing for several pilots ("forces de l'ordre")."""

    texte: str
    pilotes: tuple[str, ...]


def cle(texte: str) -> str:
    """Matching key: lower case, no accents, one space, straight apostrophes."""
    t = sans_accents(texte.replace("’", "'")).lower()
    return re.sub(r"\s+", " ", t).strip(" .;:")


@dataclass
class Annuaire:
    """Alias → codes lookup built from the pilot directory."""

    pilotes: tuple[Pilote, ...]
    alias_multiples: tuple[AliasMultiple, ...] = ()
    _index: dict[str, tuple[str, ...]] = field(init=False, repr=False)

    def __post_init__(self) -> None:
        self._index = {}
        for p in self.pilotes:
            for nom in (p.code, *p.alias):
                self._index.setdefault(cle(nom), (p.code,))
        for a in self.alias_multiples:
            self._index[cle(a.texte)] = tuple(a.pilotes)

    def chercher(self, texte: str) -> tuple[str, ...] | None:
        return self._index.get(cle(texte))

    def decouper(self, pilotage: str) -> tuple[list[str], list[str]]:
        """Split a Pilotage text; return (codes in order, unknown fragments)."""
        codes: list[str] = []
        inconnus: list[str] = []
        for morceau in _separer(pilotage, (",", "+", "/")):
            self._morceau(morceau, codes, inconnus)
        return list(dict.fromkeys(codes)), inconnus

    def _morceau(self, morceau: str, codes: list[str], inconnus: list[str]) -> None:
        morceau = morceau.strip(" .;:")
        if not morceau:
            return
        trouve = self.chercher(morceau)
        if trouve:
            codes.extend(trouve)
            return
        # "DDFE + financeurs (ARS, Département)": the head is a label unless it is a pilot.
        m = re.match(r"^(.*?)\s+\((.*)\)$", morceau)
        if m:
            tete = self.chercher(m.group(1))
            if tete:
                codes.extend(tete)
            for sous in _separer(m.group(2), (",", "+", "/")):
                self._morceau(sous, codes, inconnus)
            return
        for sep in (" et ", "-"):
            if sep in morceau:
                for sous in morceau.split(sep):
                    self._morceau(sous, codes, inconnus)
                return
        # Run-together names: "Département DTPJJ Tribunal judiciaire".
        mots = morceau.split()
        i = 0
        trouves: list[str] = []
        while i < len(mots):
            for j in range(len(mots), i, -1):
                t = self.chercher(" ".join(mots[i:j]))
                if t:
                    trouves.extend(t)
                    i = j
                    break
            else:
                inconnus.append(morceau)
                return
        codes.extend(trouves)


def _separer(texte: str, seps: tuple[str, ...]) -> list[str]:
    """Split on separators outside parentheses."""
    morceaux, courant, prof = [], [], 0
    for c in texte:
        if c == "(":
            prof += 1
        elif c == ")":
            prof = max(0, prof - 1)
        if prof == 0 and c in seps:
            morceaux.append("".join(courant))
            courant = []
        else:
            courant.append(c)
    morceaux.append("".join(courant))
    return [m.strip() for m in morceaux if m.strip()]
