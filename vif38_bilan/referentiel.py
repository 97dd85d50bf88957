"""The protocol as data: model, loading (TOML, JSON, xlsx), validation, export."""

from __future__ import annotations

import json
import tomllib
from dataclasses import asdict, dataclass, field
from functools import cached_property
from pathlib import Path
from typing import Any

from vif38_bilan.agregation import regle_agregation
from vif38_bilan.chiffres import SerieChiffre, lire_series, series_vers_dict
from vif38_bilan.exceptions import AnneeHorsProtocole, ReferentielInvalide
from vif38_bilan.pilotes import AliasMultiple, Annuaire, Pilote
from vif38_bilan.protocole_embarque import FICHIER_DEFAUT, donnees_embarquees
from vif38_bilan.referentiel_xlsx import cellule, lire_xlsx
from vif38_bilan.statuts import lire_statuts
from vif38_bilan.toml_fr import lire_toml

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
    agregation: str = "somme"  # how several pilots' figures make one (vif38_bilan.agregation)


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


# ---------------------------------------------------------------- loading


def charger_protocole(chemin: str | Path | None = None) -> Protocole:
    """Load the embedded protocol, or a .toml, .json or .xlsx file."""
    if chemin is None:
        return depuis_dict(donnees_embarquees()[1], FICHIER_DEFAUT)
    chemin = Path(chemin)
    nom = str(chemin)
    if not chemin.is_file():
        raise ReferentielInvalide(nom, ["le fichier est introuvable"])
    suffixe = chemin.suffix.lower()
    try:
        if suffixe == ".toml":
            donnees = lire_toml(chemin, erreur=lambda message: ReferentielInvalide(nom, [message]))
        elif suffixe == ".json":
            donnees = json.loads(chemin.read_text("utf-8"))
        elif suffixe in (".xlsx", ".xlsm"):
            donnees = lire_xlsx(chemin)
        else:
            raise ReferentielInvalide(nom, [f"format « {suffixe} » inconnu : utilisez .toml, .json ou .xlsx"])
    except ReferentielInvalide:
        raise
    except (tomllib.TOMLDecodeError, json.JSONDecodeError, UnicodeDecodeError, ValueError) as e:
        raise ReferentielInvalide(nom, [f"le fichier est illisible ({e})"]) from e
    return depuis_dict(donnees, nom)


def depuis_dict(d: Any, nom: str = "référentiel") -> Protocole:
    """Build and validate a Protocole from plain data; all faults at once."""
    fautes: list[str] = []
    if not isinstance(d, dict):
        raise ReferentielInvalide(nom, ["le contenu n'est pas une table de clés"])

    avertissements: list[str] = []

    def champ(entree: dict, cle: str, lieu: str, type_=str, requis=True, defaut=None):
        v = entree.get(cle) if isinstance(entree, dict) else None
        case = cellule(entree, cle)
        if v is None or (isinstance(v, str) and not v.strip()):
            if requis:
                fautes.append(f"{case} : case vide, à remplir" if case else f"{lieu} : champ « {cle} » manquant")
            return defaut
        if type_ is int:
            try:
                return int(v if not isinstance(v, float) or v.is_integer() else str(v))  # 3.5: not a count
            except (TypeError, ValueError):
                ou = f"{case} : « {v} »" if case else f"{lieu} : « {cle} » vaut « {v} », qui"
                fautes.append(f"{ou} n'est pas un nombre entier")
                return defaut
        if type_ is str:
            return " ".join(str(v).split())
        return v

    def liste(cle: str) -> list:
        v = d.get(cle) or []
        if not isinstance(v, list):
            fautes.append(f"« {cle} » doit être une liste")
            return []
        return v

    annees = tuple(int(a) for a in (d.get("annees") or []) if str(a).strip().isdigit())
    if not annees:
        fautes.append("champ « annees » manquant (ex. [2022, 2023, 2024])")

    axes = []
    for i, e in enumerate(liste("axes"), 1):
        lieu = f"axe n°{i}"
        axes.append(Axe(champ(e, "numero", lieu, int, defaut=i), champ(e, "titre", lieu, defaut="")))
    num_axes = {a.numero for a in axes}
    if not axes:
        fautes.append("aucun axe")

    sections = []
    for i, e in enumerate(liste("sections"), 1):
        lieu = f"section n°{i}"
        s = Section(
            champ(e, "axe", lieu, int, defaut=0),
            champ(e, "numero", lieu, int, defaut=i),
            champ(e, "titre", lieu, defaut=""),
        )
        if s.axe not in num_axes:
            fautes.append(f"{lieu} : axe {s.axe} inconnu")
        sections.append(s)

    pilotes = []
    for i, e in enumerate(liste("pilotes"), 1):
        lieu = f"pilote n°{i}"
        code = champ(e, "code", lieu, defaut="")
        lieu = f"pilote « {code} »" if code else lieu
        alias = e.get("alias") if isinstance(e, dict) else None
        if isinstance(alias, str):
            alias = [a for a in alias.split("|")]
        alias = tuple(" ".join(str(a).split()) for a in (alias or []) if str(a).strip())
        pilotes.append(
            Pilote(
                code,
                champ(e, "nom", lieu, defaut=code),
                alias,
                _booleen(e.get("collectif") if isinstance(e, dict) else False),
            )
        )
    codes_pilotes = [p.code for p in pilotes]
    for c in sorted({c for c in codes_pilotes if codes_pilotes.count(c) > 1}):
        fautes.append(f"pilote « {c} » : code en double")
    if not pilotes:
        fautes.append("aucun pilote")

    alias_multiples = []
    for i, e in enumerate(liste("alias_multiples"), 1):
        lieu = f"alias multiple n°{i}"
        codes = e.get("pilotes") if isinstance(e, dict) else None
        if isinstance(codes, str):
            codes = codes.split("|")
        codes = tuple(str(c).strip() for c in (codes or []) if str(c).strip())
        for c in codes:
            if c not in codes_pilotes:
                fautes.append(f"{cellule(e, 'pilotes') or lieu} : code pilote « {c} » inconnu")
        alias_multiples.append(AliasMultiple(champ(e, "texte", lieu, defaut=""), codes))
    annuaire = Annuaire(tuple(pilotes), tuple(alias_multiples))

    objectifs = []
    for i, e in enumerate(liste("objectifs"), 1):
        lieu = f"objectif n°{i}"
        o = Objectif(
            champ(e, "numero", lieu, int, defaut=i),
            champ(e, "titre", lieu, defaut=""),
            champ(e, "axe", lieu, int, defaut=0),
            champ(e, "section", lieu, int, requis=False),
        )
        if o.axe not in num_axes:
            fautes.append(f"objectif {o.numero} : axe {o.axe} inconnu")
        if o.section is not None and (o.axe, o.section) not in {(s.axe, s.numero) for s in sections}:
            fautes.append(f"objectif {o.numero} : section {o.section} de l'axe {o.axe} inconnue")
        objectifs.append(o)
    nums = [o.numero for o in objectifs]
    for n in sorted({n for n in nums if nums.count(n) > 1}):
        fautes.append(f"objectif {n} : numéro en double")
    par_num = {o.numero: o for o in objectifs}

    actions = []
    rangs: dict[int, int] = {}
    for i, e in enumerate(liste("actions"), 1):
        code = champ(e, "code", f"action n°{i}", requis=False) or ""
        lieu = f"action « {code} »" if code else f"action n°{i}"
        obj = champ(e, "objectif", lieu, int, defaut=0)
        if obj not in par_num:
            fautes.append(f"{cellule(e, 'objectif') or lieu} : objectif {obj} inconnu")
        axe = par_num[obj].axe if obj in par_num else 0
        rangs[obj] = rangs.get(obj, 0) + 1
        if not code:
            code = f"{axe}-{obj}-{rangs[obj]}"
        pilotage = champ(e, "pilotage", lieu, defaut="")
        codes = e.get("pilotes") if isinstance(e, dict) else None
        if isinstance(codes, str):
            codes = [c for c in codes.replace("|", ",").split(",")]
        codes = [str(c).strip() for c in (codes or []) if str(c).strip()]
        if not codes and pilotage:
            codes, inconnus = annuaire.decouper(pilotage)
            for m in inconnus:
                fautes.append(f"{lieu} : pilote « {m} » inconnu (ajoutez-le, ou l'alias, à la liste des pilotes)")
        for c in codes:
            if c not in codes_pilotes:
                fautes.append(f"{cellule(e, 'pilotes') or lieu} : code pilote « {c} » inconnu")
        if not codes and not pilotage:
            fautes.append(f"{lieu} : aucun pilote")
        indicateurs = []
        brut = e.get("indicateurs") if isinstance(e, dict) else None
        for k, ind in enumerate(brut or [], 1):
            lieu_i = f"{lieu}, indicateur {k}"
            t = champ(ind, "type", lieu_i, requis=False) or "texte"
            if t not in TYPES_INDICATEUR:
                fautes.append(f"{cellule(ind, 'type') or lieu_i} : type « {t} » inconnu (entier, oui_non ou texte)")
            cible = champ(ind, "cible_annuelle", lieu_i, int, requis=False)
            if cible is not None and t != "entier":
                ou = cellule(ind, "cible_annuelle") or lieu_i
                fautes.append(f"{ou} : une cible annuelle n'a de sens que pour un indicateur « entier »")
            indicateurs.append(
                Indicateur(
                    champ(ind, "libelle", lieu_i, defaut=""),
                    t,
                    cible,
                    champ(ind, "cible_texte", lieu_i, requis=False),
                    champ(ind, "origine", lieu_i, requis=False) or "protocole",
                    regle_agregation(ind, cellule(ind, "agregation") or lieu_i, fautes),
                )
            )
        actions.append(
            Action(
                code=code,
                axe=axe,
                objectif=obj,
                rang=rangs[obj],
                description=champ(e, "description", lieu, defaut=""),
                pilotage=pilotage or "",
                pilotes=tuple(dict.fromkeys(codes)),
                autres_acteurs=champ(e, "autres_acteurs", lieu, requis=False) or "",
                echeance=champ(e, "echeance", lieu, requis=False) or "",
                indicateurs=tuple(indicateurs),
            )
        )
    codes_actions = [a.code for a in actions]
    for c in sorted({c for c in codes_actions if codes_actions.count(c) > 1}):
        fautes.append(f"action « {c} » : code en double")
    avec_actions = {a.objectif for a in actions}
    for o in objectifs:
        if o.numero not in avec_actions:
            fautes.append(f"objectif {o.numero} : aucune action")
    if not actions:
        fautes.append("aucune action")

    calendrier = []
    for i, e in enumerate(liste("calendrier"), 1):
        lieu = f"calendrier, ligne {i}"
        obj = champ(e, "objectif", lieu, int, defaut=0)
        if obj not in par_num:
            fautes.append(f"{cellule(e, 'objectif') or lieu} : objectif {obj} inconnu")
        lieux = [cellule(e, f"statut_{k}") or f"{lieu}, statut {an}" for k, an in enumerate(annees)]
        statuts = lire_statuts(e.get("statuts") or [], lieux, fautes, avertissements)
        calendrier.append(PlanCalendrier(obj, champ(e, "acteurs", lieu, requis=False) or "", statuts))

    signataires = tuple(
        GroupeSignataires(
            champ(e, "groupe", "signataires", defaut=""),
            tuple(" ".join(str(m).split()) for m in (e.get("membres") or [])),
        )
        for e in liste("signataires")
    )
    autorites = tuple(
        Autorite(champ(e, "nom", "autorité", defaut=""), champ(e, "fonction", "autorité", defaut=""))
        for e in liste("autorites")
    )
    presence = tuple(
        Autorite(champ(e, "nom", "présence", defaut=""), champ(e, "fonction", "présence", defaut=""))
        for e in liste("en_presence_de")
    )

    chiffres = lire_series(liste("chiffres"), fautes, actions, codes_pilotes, num_axes)
    ident = champ(d, "id", "protocole", defaut="")
    titre = champ(d, "titre", "protocole", defaut="")
    if fautes:
        raise ReferentielInvalide(nom, fautes)
    return Protocole(
        id=ident,
        titre=titre,
        territoire=champ(d, "territoire", "protocole", requis=False) or "",
        annees=annees,
        axes=tuple(axes),
        sections=tuple(sections),
        objectifs=tuple(objectifs),
        actions=tuple(actions),
        pilotes=tuple(pilotes),
        alias_multiples=tuple(alias_multiples),
        calendrier=tuple(calendrier),
        signataires=signataires,
        autorites=autorites,
        en_presence_de=presence,
        notes=tuple(str(n) for n in (d.get("notes") or [])),
        avertissements=tuple(avertissements),
        chiffres=chiffres,
    )


def _booleen(v: Any) -> bool:
    if isinstance(v, str):
        return v.strip().lower() in ("oui", "true", "vrai", "1", "x")
    return bool(v)


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
