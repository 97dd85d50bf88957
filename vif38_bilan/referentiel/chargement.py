"""Loading a protocol (embedded, TOML, JSON, xlsx) and validating it: every fault at once, in French,
named by its place (sheet and cell for a workbook), one reader per entity."""

from __future__ import annotations

import json
import tomllib
from pathlib import Path
from typing import Any

from vif38_bilan.commun.toml_fr import lire_toml
from vif38_bilan.exceptions import ReferentielInvalide
from vif38_bilan.referentiel.agregation import regle_agregation
from vif38_bilan.referentiel.chiffres_cles import lire_series
from vif38_bilan.referentiel.classeur import cellule, lire_xlsx
from vif38_bilan.referentiel.embarque import FICHIER_DEFAUT, donnees_embarquees
from vif38_bilan.referentiel.pilotes import AliasMultiple, Annuaire, Pilote
from vif38_bilan.referentiel.protocole import (
    TYPES_INDICATEUR,
    Action,
    Autorite,
    Axe,
    GroupeSignataires,
    Indicateur,
    Objectif,
    PlanCalendrier,
    Protocole,
    Section,
    Suite,
)
from vif38_bilan.referentiel.statuts import lire_statuts
from vif38_bilan.referentiel.temporalite import temporalite_entree


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
    """Build and validate a Protocole from plain data (TOML/JSON tables, or a workbook's rows).

    Args:
        d: the protocol as nested dicts and lists; a workbook's rows carry their cell (see classeur.py).
        nom: the file's name, for the message.
    Returns:
        The Protocole.
    Raises:
        ReferentielInvalide: every fault at once, each in French with its place.
    """
    if not isinstance(d, dict):
        raise ReferentielInvalide(nom, ["le contenu n'est pas une table de clés"])
    lu = _Lecture(d)
    annees = tuple(int(a) for a in (d.get("annees") or []) if str(a).strip().isdigit())
    if not annees:
        lu.fautes.append("champ « annees » manquant (ex. [2022, 2023, 2024])")
    axes = lu.axes()
    num_axes = {a.numero for a in axes}
    sections = lu.sections(num_axes)
    pilotes = lu.pilotes()
    codes_pilotes = [p.code for p in pilotes]
    alias_multiples = lu.alias_multiples(codes_pilotes)
    annuaire = Annuaire(tuple(pilotes), tuple(alias_multiples))
    objectifs = lu.objectifs(num_axes, sections)
    par_num = {o.numero: o for o in objectifs}
    actions = lu.actions(par_num, annuaire, codes_pilotes)
    calendrier = lu.calendrier(par_num, annees)
    signataires = lu.signataires()
    autorites = lu.autorites("autorites", "autorité")
    presence = lu.autorites("en_presence_de", "présence")
    chiffres = lire_series(lu.liste("chiffres"), lu.fautes, actions, codes_pilotes, num_axes)
    suites = lu.suites({a.code for a in actions})
    ident = lu.champ(d, "id", "protocole", defaut="")
    titre = lu.champ(d, "titre", "protocole", defaut="")
    if lu.fautes:
        raise ReferentielInvalide(nom, lu.fautes)
    return Protocole(
        id=ident,
        titre=titre,
        territoire=lu.champ(d, "territoire", "protocole", requis=False) or "",
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
        avertissements=tuple(lu.avertissements),
        chiffres=chiffres,
        suites=suites,
    )


def _codes(v: Any, separateurs: str = "|") -> list[str]:
    """A list of codes from a list or a text separated by "|" (or ",")."""
    if isinstance(v, str):
        for s in separateurs[1:]:
            v = v.replace(s, separateurs[0])
        v = v.split(separateurs[0])
    return [str(c).strip() for c in (v or []) if str(c).strip()]


def _doubles(valeurs: list) -> list:
    return sorted({v for v in valeurs if valeurs.count(v) > 1})


class _Lecture:
    """One reading of a protocol's plain data: a reader per entity, faults collected as they come."""

    def __init__(self, d: dict) -> None:
        self.d = d
        self.fautes: list[str] = []
        self.avertissements: list[str] = []

    def champ(self, entree: dict, cle: str, lieu: str, type_=str, requis=True, defaut=None):
        """entree[cle] as type_ (str: spaces normalised; int: whole number); a fault when missing or wrong."""
        v = entree.get(cle) if isinstance(entree, dict) else None
        case = cellule(entree, cle)
        if v is None or (isinstance(v, str) and not v.strip()):
            if requis:
                self.fautes.append(f"{case} : case vide, à remplir" if case else f"{lieu} : champ « {cle} » manquant")
            return defaut
        if type_ is int:
            try:
                return int(v if not isinstance(v, float) or v.is_integer() else str(v))  # 3.5: not a count
            except (TypeError, ValueError):
                ou = f"{case} : « {v} »" if case else f"{lieu} : « {cle} » vaut « {v} », qui"
                self.fautes.append(f"{ou} n'est pas un nombre entier")
                return defaut
        if type_ is str:
            return " ".join(str(v).split())
        return v

    def liste(self, cle: str) -> list:
        v = self.d.get(cle) or []
        if not isinstance(v, list):
            self.fautes.append(f"« {cle} » doit être une liste")
            return []
        return v

    def axes(self) -> list[Axe]:
        axes = []
        for i, e in enumerate(self.liste("axes"), 1):
            lieu = f"axe n°{i}"
            axes.append(Axe(self.champ(e, "numero", lieu, int, defaut=i), self.champ(e, "titre", lieu, defaut="")))
        if not axes:
            self.fautes.append("aucun axe")
        return axes

    def sections(self, num_axes: set[int]) -> list[Section]:
        sections = []
        for i, e in enumerate(self.liste("sections"), 1):
            lieu = f"section n°{i}"
            s = Section(
                self.champ(e, "axe", lieu, int, defaut=0),
                self.champ(e, "numero", lieu, int, defaut=i),
                self.champ(e, "titre", lieu, defaut=""),
            )
            if s.axe not in num_axes:
                self.fautes.append(f"{lieu} : axe {s.axe} inconnu")
            sections.append(s)
        return sections

    def pilotes(self) -> list[Pilote]:
        pilotes = []
        for i, e in enumerate(self.liste("pilotes"), 1):
            code = self.champ(e, "code", f"pilote n°{i}", defaut="")
            lieu = f"pilote « {code} »" if code else f"pilote n°{i}"
            alias = e.get("alias") if isinstance(e, dict) else None
            if isinstance(alias, str):
                alias = alias.split("|")
            alias = tuple(" ".join(str(a).split()) for a in (alias or []) if str(a).strip())
            collectif = _booleen(e.get("collectif") if isinstance(e, dict) else False)
            pilotes.append(Pilote(code, self.champ(e, "nom", lieu, defaut=code), alias, collectif))
        for c in _doubles([p.code for p in pilotes]):
            self.fautes.append(f"pilote « {c} » : code en double")
        if not pilotes:
            self.fautes.append("aucun pilote")
        return pilotes

    def alias_multiples(self, codes_pilotes: list[str]) -> list[AliasMultiple]:
        alias_multiples = []
        for i, e in enumerate(self.liste("alias_multiples"), 1):
            lieu = f"alias multiple n°{i}"
            codes = tuple(_codes(e.get("pilotes") if isinstance(e, dict) else None))
            for c in codes:
                if c not in codes_pilotes:
                    self.fautes.append(f"{cellule(e, 'pilotes') or lieu} : code pilote « {c} » inconnu")
            alias_multiples.append(AliasMultiple(self.champ(e, "texte", lieu, defaut=""), codes))
        return alias_multiples

    def objectifs(self, num_axes: set[int], sections: list[Section]) -> list[Objectif]:
        objectifs = []
        places = {(s.axe, s.numero) for s in sections}
        for i, e in enumerate(self.liste("objectifs"), 1):
            lieu = f"objectif n°{i}"
            o = Objectif(
                self.champ(e, "numero", lieu, int, defaut=i),
                self.champ(e, "titre", lieu, defaut=""),
                self.champ(e, "axe", lieu, int, defaut=0),
                self.champ(e, "section", lieu, int, requis=False),
            )
            if o.axe not in num_axes:
                self.fautes.append(f"objectif {o.numero} : axe {o.axe} inconnu")
            if o.section is not None and (o.axe, o.section) not in places:
                self.fautes.append(f"objectif {o.numero} : section {o.section} de l'axe {o.axe} inconnue")
            objectifs.append(o)
        for n in _doubles([o.numero for o in objectifs]):
            self.fautes.append(f"objectif {n} : numéro en double")
        return objectifs

    def actions(self, par_num: dict[int, Objectif], annuaire: Annuaire, codes_pilotes: list[str]) -> list[Action]:
        actions = []
        rangs: dict[int, int] = {}
        for i, e in enumerate(self.liste("actions"), 1):
            actions.append(self.action(e, i, par_num, rangs, annuaire, codes_pilotes))
        for c in _doubles([a.code for a in actions]):
            self.fautes.append(f"action « {c} » : code en double")
        avec_actions = {a.objectif for a in actions}
        for o in par_num.values():
            if o.numero not in avec_actions:
                self.fautes.append(f"objectif {o.numero} : aucune action")
        if not actions:
            self.fautes.append("aucune action")
        return actions

    def action(self, e, i: int, par_num, rangs: dict[int, int], annuaire: Annuaire, codes_pilotes) -> Action:
        code = self.champ(e, "code", f"action n°{i}", requis=False) or ""
        lieu = f"action « {code} »" if code else f"action n°{i}"
        obj = self.champ(e, "objectif", lieu, int, defaut=0)
        if obj not in par_num:
            self.fautes.append(f"{cellule(e, 'objectif') or lieu} : objectif {obj} inconnu")
        axe = par_num[obj].axe if obj in par_num else 0
        rangs[obj] = rangs.get(obj, 0) + 1
        code = code or f"{axe}-{obj}-{rangs[obj]}"
        pilotage = self.champ(e, "pilotage", lieu, requis=False) or ""  # the codes alone are enough
        codes = _codes(e.get("pilotes") if isinstance(e, dict) else None, "|,")
        if not codes and pilotage:
            codes, inconnus = annuaire.decouper(pilotage)
            for m in inconnus:
                self.fautes.append(f"{lieu} : pilote « {m} » inconnu (ajoutez-le, ou l'alias, à la liste des pilotes)")
        for c in codes:
            if c not in codes_pilotes:
                self.fautes.append(f"{cellule(e, 'pilotes') or lieu} : code pilote « {c} » inconnu")
        if not codes and not pilotage:
            case = cellule(e, "pilotes")
            self.fautes.append(f"{case} : case vide, à remplir (aucun pilote)" if case else f"{lieu} : aucun pilote")
        brut = e.get("indicateurs") if isinstance(e, dict) else None
        return Action(
            code=code,
            axe=axe,
            objectif=obj,
            rang=rangs[obj],
            description=self.champ(e, "description", lieu, defaut=""),
            pilotage=pilotage or "",
            pilotes=tuple(dict.fromkeys(codes)),
            autres_acteurs=self.champ(e, "autres_acteurs", lieu, requis=False) or "",
            echeance=self.champ(e, "echeance", lieu, requis=False) or "",
            indicateurs=tuple(self.indicateur(ind, f"{lieu}, indicateur {k}") for k, ind in enumerate(brut or [], 1)),
        )

    def indicateur(self, ind, lieu: str) -> Indicateur:
        t = self.champ(ind, "type", lieu, requis=False) or "texte"
        if t not in TYPES_INDICATEUR:
            self.fautes.append(f"{cellule(ind, 'type') or lieu} : type « {t} » inconnu (entier, oui_non ou texte)")
        cible = self.champ(ind, "cible_annuelle", lieu, int, requis=False)
        if cible is not None and t != "entier":
            ou = cellule(ind, "cible_annuelle") or lieu
            self.fautes.append(f"{ou} : une cible annuelle n'a de sens que pour un indicateur « entier »")
        return Indicateur(
            self.champ(ind, "libelle", lieu, defaut=""),
            t,
            cible,
            self.champ(ind, "cible_texte", lieu, requis=False),
            self.champ(ind, "origine", lieu, requis=False) or "protocole",
            regle_agregation(ind, cellule(ind, "agregation") or lieu, self.fautes),
            temporalite_entree(ind, t, cellule(ind, "temporalite") or lieu, self.fautes),
        )

    def calendrier(self, par_num: dict[int, Objectif], annees: tuple[int, ...]) -> list[PlanCalendrier]:
        calendrier = []
        for i, e in enumerate(self.liste("calendrier"), 1):
            lieu = f"calendrier, ligne {i}"
            obj = self.champ(e, "objectif", lieu, int, defaut=0)
            if obj not in par_num:
                self.fautes.append(f"{cellule(e, 'objectif') or lieu} : objectif {obj} inconnu")
            lieux = [cellule(e, f"statut_{k}") or f"{lieu}, statut {an}" for k, an in enumerate(annees)]
            statuts = lire_statuts(e.get("statuts") or [], lieux, self.fautes, self.avertissements)
            calendrier.append(PlanCalendrier(obj, self.champ(e, "acteurs", lieu, requis=False) or "", statuts))
        return calendrier

    def suites(self, codes: set[str]) -> tuple[Suite, ...]:
        """The "Suites" rows: this protocol's action, the previous one's, its period, confirmed or not."""
        sortie = []
        for i, e in enumerate(self.liste("suites"), 1):
            lieu = f"suite n°{i}"
            code = self.champ(e, "code", lieu, defaut="")
            if code and code not in codes:
                self.fautes.append(f"{cellule(e, 'code') or lieu} : action « {code} » inconnue de ce protocole")
            sim = e.get("similarite") if isinstance(e, dict) else None
            sortie.append(
                Suite(
                    code,
                    self.champ(e, "precedente", lieu, defaut=""),
                    self.champ(e, "protocole", lieu, defaut=""),
                    _booleen(e.get("confirmee") if isinstance(e, dict) else False),
                    round(float(sim), 2) if isinstance(sim, (int, float)) else None,
                )
            )
        return tuple(sortie)

    def signataires(self) -> tuple[GroupeSignataires, ...]:
        return tuple(
            GroupeSignataires(
                self.champ(e, "groupe", "signataires", defaut=""),
                tuple(" ".join(str(m).split()) for m in (e.get("membres") or [])),
            )
            for e in self.liste("signataires")
        )

    def autorites(self, cle: str, lieu: str) -> tuple[Autorite, ...]:
        return tuple(
            Autorite(self.champ(e, "nom", lieu, defaut=""), self.champ(e, "fonction", lieu, defaut=""))
            for e in self.liste(cle)
        )


def _booleen(v: Any) -> bool:
    if isinstance(v, str):
        return v.strip().lower() in ("oui", "true", "vrai", "1", "x")
    return bool(v)


