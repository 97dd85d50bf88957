"""The protocol as data: the model (axes, objectives, actions, indicators, pilots, calendar, signatories), its
plain-data export and summary. Loading and validation are in chargement.py."""

from __future__ import annotations

from dataclasses import asdict, dataclass, field
from functools import cached_property
from typing import Any

from vif38_bilan.exceptions import AnneeHorsProtocole
from vif38_bilan.referentiel.chiffres_cles import SerieChiffre, series_vers_dict
from vif38_bilan.referentiel.pilotes import AliasMultiple, Annuaire, Pilote

TYPES_INDICATEUR = ("entier", "oui_non", "texte")
CHEF_DE_FILE = "chef de file"
CO_PILOTE = "co-pilote"


@dataclass(frozen=True)
class Axe:
    numero: int
    titre: str


@dataclass(frozen=True)
class Section:
    axe: int
    numero: int
    titre: str


@dataclass(frozen=True)
class Objectif:
    numero: int
    titre: str
    axe: int
    section: int | None = None


@dataclass(frozen=True)
class Indicateur:
    libelle: str
    type: str = "texte"
    cible_annuelle: int | None = None
    cible_texte: str | None = None
    # "protocole": the protocol's own indicator; "cible": added to measure the stated target.
    origine: str = "protocole"
    agregation: str = "somme"  # how several pilots' figures make one (vif38_bilan.referentiel.agregation)
    temporalite: str = "flux"  # how the years make a cumul: flux, stock, ponctuel (referentiel.temporalite)


@dataclass(frozen=True)
class Action:
    code: str
    axe: int
    objectif: int
    rang: int
    description: str
    pilotage: str
    pilotes: tuple[str, ...]
    autres_acteurs: str = ""
    echeance: str = ""
    indicateurs: tuple[Indicateur, ...] = ()

    @property
    def chef_de_file(self) -> str:
        return self.pilotes[0]

    def role(self, pilote: str) -> str | None:
        if pilote not in self.pilotes:
            return None
        return CHEF_DE_FILE if pilote == self.pilotes[0] else CO_PILOTE


@dataclass(frozen=True)
class PlanCalendrier:
    objectif: int
    acteurs: str
    statuts: tuple[str, ...]  # one per protocol year


@dataclass(frozen=True)
class Autorite:
    nom: str
    fonction: str


@dataclass(frozen=True)
class Suite:
    """An action carrying on an action of the previous protocol (the "Suites" sheet, confirmed by the agent)."""

    code: str  # this protocol's action
    precedente: str  # the previous protocol's action code
    protocole: str  # the previous protocol's period, e.g. "2022-2024"
    confirmee: bool = False  # proposed by text similarity until the agent confirms it
    similarite: float | None = None  # 0..1, difflib ratio of the two descriptions
    rappel: tuple[str, ...] = field(default=(), compare=False)  # the earlier action's figures, set for a bilan


@dataclass(frozen=True)
class GroupeSignataires:
    groupe: str
    membres: tuple[str, ...]


@dataclass(frozen=True)
class Protocole:
    id: str
    titre: str
    territoire: str
    annees: tuple[int, ...]
    axes: tuple[Axe, ...]
    sections: tuple[Section, ...]
    objectifs: tuple[Objectif, ...]
    actions: tuple[Action, ...]
    pilotes: tuple[Pilote, ...]
    alias_multiples: tuple[AliasMultiple, ...] = ()
    calendrier: tuple[PlanCalendrier, ...] = ()
    signataires: tuple[GroupeSignataires, ...] = ()
    autorites: tuple[Autorite, ...] = ()
    en_presence_de: tuple[Autorite, ...] = ()
    notes: tuple[str, ...] = field(default=())
    avertissements: tuple[str, ...] = field(default=(), compare=False)  # variants read (calendar), in French
    chiffres: tuple[SerieChiffre, ...] = ()  # key figures (chiffres.py)
    suites: tuple[Suite, ...] = ()  # actions carrying on the previous protocol's (issue 28)

    @property
    def periode(self) -> str:
        """"2022-2024" (the first and last years)."""
        return f"{self.annees[0]}-{self.annees[-1]}" if self.annees else ""

    def suite_de(self, code: str) -> Suite | None:
        """The confirmed predecessor of an action, if any."""
        return next((s for s in self.suites if s.code == code and s.confirmee), None)

    @cached_property
    def annuaire(self) -> Annuaire:
        return Annuaire(self.pilotes, self.alias_multiples)

    @cached_property
    def _pilotes_par_code(self) -> dict[str, Pilote]:
        return {p.code: p for p in self.pilotes}

    @cached_property
    def _actions_par_code(self) -> dict[str, Action]:
        return {a.code: a for a in self.actions}

    def pilote(self, code: str) -> Pilote:
        return self._pilotes_par_code[code]

    def action(self, code: str) -> Action:
        return self._actions_par_code[code]

    def objectif(self, numero: int) -> Objectif:
        return next(o for o in self.objectifs if o.numero == numero)

    def axe(self, numero: int) -> Axe:
        return next(a for a in self.axes if a.numero == numero)

    def actions_de_objectif(self, numero: int) -> list[Action]:
        return [a for a in self.actions if a.objectif == numero]

    def objectifs_de_axe(self, numero: int) -> list[Objectif]:
        return [o for o in self.objectifs if o.axe == numero]

    def actions_du_pilote(self, code: str) -> list[tuple[Action, str]]:
        """Actions a pilot leads or co-pilots, protocol order, with its role."""
        return [(a, a.role(code)) for a in self.actions if code in a.pilotes]

    def pilotes_actifs(self) -> list[Pilote]:
        """Pilots with at least one action, directory order."""
        utilises = {c for a in self.actions for c in a.pilotes}
        return [p for p in self.pilotes if p.code in utilises]

    def plan(self, objectif: int) -> PlanCalendrier | None:
        return next((c for c in self.calendrier if c.objectif == objectif), None)

    def vers_dict(self) -> dict[str, Any]:
        """Plain data (see vers_dict)."""
        return vers_dict(self)


# ---------------------------------------------------------------- export


def vers_dict(p: Protocole) -> dict[str, Any]:
    """Plain data (the --json output); depuis_dict(vers_dict(p)) == p."""
    return {
        "id": p.id,
        "titre": p.titre,
        "territoire": p.territoire,
        "annees": list(p.annees),
        "axes": [{"numero": a.numero, "titre": a.titre} for a in p.axes],
        "sections": [{"axe": s.axe, "numero": s.numero, "titre": s.titre} for s in p.sections],
        "objectifs": [
            {
                "numero": o.numero,
                "titre": o.titre,
                "axe": o.axe,
                **({"section": o.section} if o.section is not None else {}),
            }
            for o in p.objectifs
        ],
        "actions": [
            {
                "code": a.code,
                "axe": a.axe,
                "objectif": a.objectif,
                "description": a.description,
                "pilotes": list(a.pilotes),
                "pilotage": a.pilotage,
                "autres_acteurs": a.autres_acteurs,
                "echeance": a.echeance,
                "indicateurs": [asdict(i) for i in a.indicateurs],
            }
            for a in p.actions
        ],
        "pilotes": [
            {"code": x.code, "nom": x.nom, "alias": list(x.alias), "collectif": x.collectif} for x in p.pilotes
        ],
        "alias_multiples": [{"texte": m.texte, "pilotes": list(m.pilotes)} for m in p.alias_multiples],
        "calendrier": [
            {"objectif": c.objectif, "acteurs": c.acteurs, "statuts": list(c.statuts)} for c in p.calendrier
        ],
        "signataires": [{"groupe": g.groupe, "membres": list(g.membres)} for g in p.signataires],
        "autorites": [{"nom": a.nom, "fonction": a.fonction} for a in p.autorites],
        "en_presence_de": [{"nom": a.nom, "fonction": a.fonction} for a in p.en_presence_de],
        "notes": list(p.notes),
        "chiffres": series_vers_dict(p.chiffres),
        "suites": [{k: v for k, v in asdict(x).items() if k != "rappel"} for x in p.suites],
    }


def resume(p: Protocole) -> str:
    """Readable summary: axes, objectives with action counts, pilots with their roles."""
    lignes = [p.titre, f"{p.territoire} — {p.annees[0]}-{p.annees[-1]}" if p.annees else p.territoire, ""]
    lignes.append(
        f"{len(p.axes)} axes, {len(p.objectifs)} objectifs, {len(p.actions)} actions, {len(p.pilotes_actifs())} pilotes"
    )
    for axe in p.axes:
        lignes += ["", f"AXE {axe.numero} : {axe.titre}"]
        for o in p.objectifs_de_axe(axe.numero):
            n = len(p.actions_de_objectif(o.numero))
            lignes.append(f"  N°{o.numero:<3} {o.titre} ({n} action{'s' if n > 1 else ''})")
    lignes += ["", "PILOTES                                   chef de file  co-pilote"]
    for pil in p.pilotes_actifs():
        roles = [r for _, r in p.actions_du_pilote(pil.code)]
        marque = " (collectif)" if pil.collectif else ""
        lignes.append(f"  {(pil.code + marque):<40} {roles.count(CHEF_DE_FILE):>6} {roles.count(CO_PILOTE):>10}")
    return "\n".join(lignes)


def verifier_annee(protocole: Protocole, annee: int) -> None:
    """Raise AnneeHorsProtocole (French message) when annee is not one of protocole.annees."""
    if annee not in protocole.annees:
        raise AnneeHorsProtocole(
            f"{annee} n'est pas une année du protocole ({', '.join(map(str, protocole.annees))}). "
            "Relancez avec l'une de ces années."
        )
