"""Consolidation: one record per action and year, from this year's returns plus the history.

Rules (also printed in the Word bilan's "Méthode" annex, see METHODE):

- Status: the chef de file's status stands. When the returns of an action (chef de file,
  co-pilots, structures of a collective pilot) report different statuses, a désaccord is listed.
  With no status from the chef de file, the most advanced co-pilot status is kept and flagged
  (order ORDRE_STATUTS: EFFECTUÉE > EN COURS > POURSUIVRE > LANCEMENT > EN ATTENTE > ANNULÉE —
  "the action moves" beats "the action waits", and ANNULÉE, a decision only the chef de file
  can take, comes last).
- Counts ("entier" indicators): the structures of a collective pilot add up into their pilot's
  figure; across pilots the indicator's aggregation rule applies (vif38_bilan.referentiel.agregation: somme,
  maximum, chef_de_file, aucune), so co-pilots reporting one shared event are not added up. The
  per-pilot detail and the rule are kept (sources sheet, "Détail" column, the bilan's text).
- A year without a figure is "non renseignée": the cumulated figure adds the known years and names
  the missing ones; no cumulated rate is computed over a missing year.
- Free text (observations, text indicators) is cleaned (texte_propre) and each passage of likely
  personal data is replaced by « [donnée personnelle retirée] »; the removals are listed (retraits)
  for the agent's working notes.
- A row left empty by a structure of a collective pilot is "non concernée": not counted, listed.
- Oui/Non: "Oui" when any return says Oui. Text indicators and observations: kept, attributed
  ("[DDFE] …", a collective pilot's structure by its own name: "[Association X] …").
- Targets: annual target, % achieved (value / target), cumulated over the protocol's years up to
  the year (cumulated target = annual target × number of years).

Pure Python, no pandas: the data is small (53 actions x a few dozen returns). Measured on the
shared 2-core machine with the demo's 2023 returns: the whole consolider takes 17 ms; a pandas
groupby of its 147 figures alone takes 2.8 ms, and importing pandas 1.4 s more even after
python-docx and matplotlib (which already bring numpy). Pandas would make every bilan slower for
no gain, so it left the dependencies.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from vif38_bilan.referentiel.agregation import Agregat, agreger, par_pilote
from vif38_bilan.regles import Anomalie
from vif38_bilan.consolidation.chiffres_cles import ChiffreConsolide, consolider_chiffres
from vif38_bilan.consolidation.disposition import (
    FEUILLE_ACTIONS,
    FEUILLE_INDICATEURS,
    ORDRE_STATUTS,
    LigneSource,
    etiquette,
    nombre_lu,
    rubrique_indicateur,
)
from vif38_bilan.controle.donnees_personnelles import MARQUE, Exceptions, exceptions_du_protocole, retirer
from vif38_bilan.consolidation.historique import Historique
from vif38_bilan.referentiel.pilotes import cle
from vif38_bilan.referentiel.protocole import Action, Protocole
from vif38_bilan.controle.resultats import Reponse, ResultatControle, Source
from vif38_bilan.commun.textes import texte_propre

# Where a record's status comes from.
ORIGINE_CHEF = "chef de file"
ORIGINE_COPILOTE = "co-pilote (pas de statut du chef de file)"
ORIGINE_HISTORIQUE = "historique"
ORIGINE_AUCUN = "aucun statut reçu"

NATURE_DESACCORD = "statuts différents"
NATURE_SANS_CHEF = "sans statut du chef de file"

METHODE: tuple[str, ...] = (
    "Statut d'une action : celui déclaré par le chef de file (premier pilote cité dans le protocole), y compris "
    "quand les pilotes d'une même action déclarent des statuts différents.",
    "Sans statut du chef de file, le statut le plus avancé déclaré par un co-pilote est retenu et signalé "
    "(ordre : EFFECTUÉE, EN COURS, POURSUIVRE, LANCEMENT, EN ATTENTE, ANNULÉE).",
    "Indicateurs chiffrés : les structures d'un pilote collectif s'additionnent ; entre pilotes, chaque indicateur "
    "suit sa règle du référentiel : somme (organisations distinctes qui comptent chacune le leur), maximum "
    "(co-pilotes qui déclarent le même événement, par exemple un colloque organisé ensemble ou les réunions d'une "
    "même instance), chiffre du chef de file, ou chiffres listés sans total. Quand plusieurs pilotes ont répondu, "
    "le bilan indique les déclarations et la règle appliquée.",
    "Indicateurs Oui/Non : « Oui » dès qu'un retour indique Oui. Indicateurs en texte et observations : "
    "repris tels quels, précédés du nom du pilote ou de la structure qui les a écrits.",
    "Taux de réalisation : valeur de l'année divisée par la cible annuelle énoncée dans l'action ; "
    "le cumul additionne les années du protocole jusqu'à l'année du bilan (cible cumulée = cible annuelle × nombre d'années). "
    "Une année sans chiffre est « non renseignée » : elle n'est jamais comptée pour zéro et aucun taux cumulé "
    "n'est calculé sur elle.",
    "Les valeurs refusées par le contrôle ne sont pas comptées. Les structures d'un pilote collectif qui ne sont "
    "pas concernées par une action n'y sont pas comptées.",
    "Chiffres clés : chaque série précise si les valeurs de ses pilotes s'additionnent, si la plus grande est "
    "retenue ou celle du premier pilote cité ; les structures d'un pilote collectif s'additionnent. Les années "
    "antérieures au protocole reprennent les documents cités par le référentiel ; une année sans valeur est "
    "« non renseignée », jamais 0, et l'évolution n'est alors pas calculée.",
)

# ---------------------------------------------------------------- model


@dataclass(frozen=True)
class Desaccord:
    annee: int
    code_action: str
    nature: str  # NATURE_DESACCORD | NATURE_SANS_CHEF
    statut_retenu: str | None
    chef_de_file: str
    declarations: tuple[tuple[str, str, str], ...]  # (who, role, status)
    message: str


@dataclass(frozen=True)
class Enregistrement:
    """One action in one year."""

    code_action: str
    annee: int
    statut: str | None
    origine: str
    signale: bool  # status not from the chef de file
    valeurs: tuple[Any, ...]  # one per indicator
    cibles: tuple[int | None, ...]
    taux: tuple[float | None, ...]
    cumuls: tuple[Any, ...]  # over the protocol years up to this one
    cibles_cumulees: tuple[int | None, ...]
    taux_cumules: tuple[float | None, ...]
    details: tuple[tuple[tuple[str, Any], ...], ...]  # per indicator: (who, value) per return
    observations: tuple[tuple[str, str], ...]  # (who, text); who "" when the text is already attributed
    sources: tuple[LigneSource, ...] = ()
    agregats: tuple[Agregat | None, ...] = ()  # per indicator, this year's returns only
    non_renseignees: tuple[tuple[int, ...], ...] = ()  # per indicator: years up to this one without figure
    non_concernees: tuple[str, ...] = ()  # structures of a collective pilot not concerned

    def annees_non_renseignees(self, k: int) -> str:
        """ "2022 non renseignée", "2022 et 2023 non renseignées" or ""."""
        manquantes = self.non_renseignees[k] if k < len(self.non_renseignees) else ()
        if len(manquantes) <= 1:
            return f"{manquantes[0]} non renseignée" if manquantes else ""
        return ", ".join(str(y) for y in manquantes[:-1]) + f" et {manquantes[-1]} non renseignées"

    def explication(self, k: int) -> str:
        """How indicator k's figure was obtained when several pilots answered, else ""."""
        a = self.agregats[k] if k < len(self.agregats) else None
        return a.explication() if a is not None else ""

    def observations_attribuees(self) -> list[str]:
        return [f"[{qui}] {t}" if qui else t for qui, t in self.observations]


@dataclass(frozen=True)
class Retrait:
    """Personal data removed from a text of the bilan (where, and which kinds; never the data)."""

    annee: int
    code_action: str
    qui: str
    rubrique: str
    natures: tuple[str, ...]
    fichier: str = ""
    feuille: str = ""
    cellule: str = ""


@dataclass
class Consolidation:
    protocole: Protocole
    annee: int
    annees: tuple[int, ...]  # protocol years up to annee
    enregistrements: dict[tuple[str, int], Enregistrement]
    desaccords: list[Desaccord]
    manquants: list[str]  # pilot codes without a usable return this year
    anomalies_historique: list[Anomalie] = field(default_factory=list)
    historiques: dict[int, Path] = field(default_factory=dict)  # year → history workbook read
    retraits: list[Retrait] = field(default_factory=list)  # personal data removed
    chiffres: list[ChiffreConsolide] = field(default_factory=list)  # key figures, referential order

    def enregistrement(self, code: str, annee: int) -> Enregistrement | None:
        return self.enregistrements.get((code, annee))

    def statut(self, code: str, annee: int) -> str | None:
        e = self.enregistrements.get((code, annee))
        return e.statut if e else None

    @property
    def sources(self) -> list[LigneSource]:
        actions = [s for a in self.annees for (c, y), e in self.enregistrements.items() if y == a for s in e.sources]
        return actions + [s for chiffre in self.chiffres for s in chiffre.sources]


# ---------------------------------------------------------------- helpers


def rang_statut(statut: str) -> int:
    return ORDRE_STATUTS.index(statut) if statut in ORDRE_STATUTS else len(ORDRE_STATUTS)


def _taux(valeur: Any, cible: int | None) -> float | None:
    n = nombre_lu(valeur)
    if n is None or not cible:
        return None
    return n / cible


def _oui_non(v: Any) -> str | None:
    if isinstance(v, str):
        t = cle(v)
        if t == "oui":
            return "Oui"
        if t == "non":
            return "Non"
    if isinstance(v, bool):
        return "Oui" if v else "Non"
    return None


def _source(annee: int, code: str, rubrique: str, r: Reponse, valeur: Any, s: Source | None) -> LigneSource | None:
    if s is None:
        return None
    return LigneSource(
        annee, code, rubrique, r.pilote, r.structure or "", valeur, s.fichier, s.feuille, s.cellule, s.sha256
    )


# ---------------------------------------------------------------- consolidation


def consolider(
    protocole: Protocole,
    annee: int,
    resultat: ResultatControle,
    historique: Historique | None = None,
    annee_importee: bool = False,
) -> Consolidation:
    """One record per action and protocol year up to annee (earlier years from the history).

    annee_importee: the year itself comes from the history too (a year imported from an earlier
    bilan document, with no return in saisies/)."""
    annees = tuple(a for a in protocole.annees if a <= annee)
    historique = historique or Historique()
    par_action: dict[str, list[Reponse]] = {}
    for r in resultat.reponses:
        par_action.setdefault(r.code_action, []).append(r)

    bruts: dict[tuple[str, int], dict[str, Any]] = {}
    desaccords: list[Desaccord] = []
    retraits: list[Retrait] = []
    nettoyer = _Nettoyeur(exceptions_du_protocole(protocole), retraits, dict(getattr(resultat, "retraits", {}) or {}))
    for action in protocole.actions:
        for y in annees:
            if y == annee and not annee_importee:
                reponses = par_action.get(action.code, [])
                bruts[(action.code, y)] = _annee_courante(protocole, action, annee, reponses, desaccords, nettoyer)
            else:
                bruts[(action.code, y)] = _annee_historique(action, y, historique, nettoyer)

    enregistrements: dict[tuple[str, int], Enregistrement] = {}
    for action in protocole.actions:
        cumul: list[Any] = [None] * len(action.indicateurs)
        manquantes: list[list[int]] = [[] for _ in action.indicateurs]
        for n, y in enumerate(annees, 1):
            b = bruts[(action.code, y)]
            cibles, taux, cibles_cum, taux_cum = [], [], [], []
            for k, ind in enumerate(action.indicateurs):
                v = b["valeurs"][k]
                if ind.type == "entier":
                    nv = nombre_lu(v)
                    if nv is not None:
                        cumul[k] = (cumul[k] or 0) + nv
                    else:
                        manquantes[k].append(y)
                elif ind.type == "oui_non":
                    if v == "Oui" or cumul[k] == "Oui":
                        cumul[k] = "Oui"
                    elif v == "Non":
                        cumul[k] = "Non"
                cibles.append(ind.cible_annuelle)
                taux.append(_taux(v, ind.cible_annuelle) if ind.type == "entier" else None)
                cc = ind.cible_annuelle * n if ind.cible_annuelle else None
                cibles_cum.append(cc)
                # Unknown is not zero: no cumulated rate over a year without figure.
                complet = ind.type == "entier" and not manquantes[k]
                taux_cum.append(_taux(cumul[k], cc) if complet else None)
            enregistrements[(action.code, y)] = Enregistrement(
                code_action=action.code,
                annee=y,
                statut=b["statut"],
                origine=b["origine"],
                signale=b["signale"],
                valeurs=tuple(b["valeurs"]),
                cibles=tuple(cibles),
                taux=tuple(taux),
                cumuls=tuple(cumul),
                cibles_cumulees=tuple(cibles_cum),
                taux_cumules=tuple(taux_cum),
                details=tuple(b["details"]),
                observations=tuple(b["observations"]),
                sources=tuple(b["sources"]),
                agregats=tuple(b.get("agregats", ())),
                non_renseignees=tuple(tuple(m) for m in manquantes),
                non_concernees=tuple(b.get("non_concernees", ())),
            )
    return Consolidation(
        protocole=protocole,
        annee=annee,
        annees=annees,
        enregistrements=enregistrements,
        desaccords=desaccords,
        manquants=list(resultat.manquants),
        anomalies_historique=list(historique.anomalies),
        historiques=dict(historique.sources),
        retraits=retraits,
        chiffres=consolider_chiffres(protocole, annee, resultat.chiffres, historique),
    )


@dataclass
class _Nettoyeur:
    """Cleans free texts (texte_propre) and removes personal data, noting each removal."""

    exceptions: Exceptions
    retraits: list[Retrait]
    # What the check's gate already removed: (file, sheet, cell) → kinds (ResultatControle.retraits).
    deja: dict[tuple[str, str, str], tuple[str, ...]] = field(default_factory=dict)

    def __call__(self, texte: str, annee: int, code: str, qui: str, rubrique: str, source: Any = None) -> str:
        t, passages = retirer(texte_propre(texte), self.exceptions)
        natures = tuple(dict.fromkeys(p.nature.value for p in passages))
        if source is not None and MARQUE in texte:
            natures = tuple(dict.fromkeys(self.deja.get((source.fichier, source.feuille, source.cellule), ()) + natures))
        if natures:
            fichier, feuille, cellule = (
                (str(source.fichier), source.feuille or "", source.cellule or "") if source else ("", "", "")
            )
            self.retraits.append(Retrait(annee, code, qui, rubrique, natures, fichier, feuille, cellule))
        return t


def _annee_courante(
    protocole: Protocole,
    action: Action,
    annee: int,
    reponses: list[Reponse],
    desaccords: list[Desaccord],
    nettoyer: _Nettoyeur,
) -> dict[str, Any]:
    chef = action.chef_de_file
    # Lead first, then the protocol's pilot order, then structure: a stable order for attribution.
    ordre = {c: i for i, c in enumerate(action.pilotes)}
    reponses = sorted(reponses, key=lambda r: (ordre.get(r.pilote, len(ordre)), cle(r.structure or "")))
    non_concernees = [etiquette(protocole, r.pilote, r.structure) for r in reponses if r.non_concernee]
    reponses = [r for r in reponses if not r.non_concernee]
    sources: list[LigneSource] = []

    declarations = []
    for r in reponses:
        if r.statut:
            declarations.append(
                (
                    etiquette(protocole, r.pilote, r.structure),
                    "chef de file" if r.pilote == chef else "co-pilote",
                    r.statut,
                    r,
                )
            )
            s = _source(annee, action.code, "Statut", r, r.statut, r.statut_source)
            if s:
                sources.append(s)
    du_chef = [d for d in declarations if d[3].pilote == chef]
    signale = False
    if du_chef:
        # A collective chef de file may answer through several structures: its most advanced status.
        statut = min((d[2] for d in du_chef), key=rang_statut)
        origine = ORIGINE_CHEF
    elif declarations:
        statut = min((d[2] for d in declarations), key=rang_statut)
        origine = ORIGINE_COPILOTE
        signale = True
    else:
        statut, origine = None, ORIGINE_AUCUN
    nom_chef = etiquette(protocole, chef)
    decl = tuple((d[0], d[1], d[2]) for d in declarations)
    if len({d[2] for d in declarations}) > 1:
        detail = " ; ".join(f"{q} ({role}) : {s}" for q, role, s in decl)
        if du_chef:
            msg = f"Statuts différents pour l'action {action.code} — {detail}. Le statut du chef de file ({nom_chef}) est retenu : {statut}."
        else:
            msg = (
                f"Statuts différents pour l'action {action.code} — {detail}. Pas de statut du chef de file ({nom_chef}) : "
                f"le plus avancé est retenu : {statut}."
            )
        desaccords.append(Desaccord(annee, action.code, NATURE_DESACCORD, statut, nom_chef, decl, msg))
    elif signale:
        msg = f"Pas de statut du chef de file ({nom_chef}) pour l'action {action.code} : le statut déclaré par {decl[0][0]} est retenu ({statut})."
        desaccords.append(Desaccord(annee, action.code, NATURE_SANS_CHEF, statut, nom_chef, decl, msg))

    valeurs: list[Any] = []
    details: list[tuple[tuple[str, Any], ...]] = []
    agregats: list[Agregat | None] = []
    for k, ind in enumerate(action.indicateurs):
        rubrique = rubrique_indicateur(action, k)
        vus: list[tuple[str, Any]] = []
        figures: list[tuple[str, bool, Any]] = []  # (pilot, is lead, value): structures add up per pilot
        for r in reponses:
            v = r.valeurs[k] if k < len(r.valeurs) else None
            if v is None or v == "":
                continue
            source = r.valeurs_sources[k] if k < len(r.valeurs_sources) else None
            qui = etiquette(protocole, r.pilote, r.structure)
            if ind.type == "entier":
                v = nombre_lu(v)
            elif ind.type == "oui_non":
                v = _oui_non(v)
            else:
                v = " ".join(nettoyer(str(v), annee, action.code, qui, rubrique, source).split())
            if v is None or v == "":
                continue
            vus.append((qui, v))
            if ind.type == "entier":
                figures.append((etiquette(protocole, r.pilote), r.pilote == chef, v))
            s = _source(annee, action.code, rubrique, r, v, source)
            if s:
                sources.append(s)
        agregat = agreger(ind.agregation, par_pilote(figures)) if ind.type == "entier" and vus else None
        agregats.append(agregat)
        if not vus:
            valeurs.append(None)
        elif agregat is not None:
            valeurs.append(agregat.valeur)
        elif ind.type == "oui_non":
            valeurs.append("Oui" if any(v == "Oui" for _, v in vus) else "Non")
        else:
            valeurs.append(" ".join(f"[{q}] {v}" for q, v in vus))
        details.append(tuple(vus))

    observations = []
    for r in reponses:
        if (r.observations or "").strip():
            qui = etiquette(protocole, r.pilote, r.structure)
            t = nettoyer(r.observations, annee, action.code, qui, "Observations", r.observations_source)
            observations.append((qui, t))
            s = _source(annee, action.code, "Observations", r, t, r.observations_source)
            if s:
                sources.append(s)
    return {
        "statut": statut,
        "origine": origine,
        "signale": signale,
        "valeurs": valeurs,
        "details": details,
        "observations": observations,
        "sources": sources,
        "agregats": agregats,
        "non_concernees": non_concernees,
    }


def _annee_historique(action: Action, annee: int, h: Historique, nettoyer: _Nettoyeur) -> dict[str, Any]:
    statut = h.statuts.get(annee, {}).get(action.code)
    valeurs = [h.valeurs.get(annee, {}).get((action.code, k)) for k in range(len(action.indicateurs))]
    fichier = h.sources.get(annee)
    cellules = h.cellules.get(annee, {})

    def ou(rubrique: str, feuille: str) -> Source | None:
        return Source(str(fichier), feuille, cellules.get((action.code, rubrique), ""), "") if fichier else None

    for k, ind in enumerate(action.indicateurs):
        if ind.type == "texte" and isinstance(valeurs[k], str):
            rubrique = rubrique_indicateur(action, k)
            valeurs[k] = nettoyer(
                valeurs[k], annee, action.code, "historique", rubrique, ou(rubrique, FEUILLE_INDICATEURS)
            )
    obs = h.observations.get(annee, {}).get(action.code, "")
    if obs:
        obs = nettoyer(obs, annee, action.code, "historique", "Observations", ou("Observations", FEUILLE_ACTIONS))
    sources: list[LigneSource] = []
    if fichier is not None:
        empreinte = h.empreintes.get(annee, "")
        elements = [("Statut", statut, FEUILLE_ACTIONS)]
        elements += [(rubrique_indicateur(action, k), v, FEUILLE_INDICATEURS) for k, v in enumerate(valeurs)]
        elements.append(("Observations", obs, FEUILLE_ACTIONS))
        for rubrique, v, feuille in elements:
            if v is None or v == "":
                continue
            sources.append(
                LigneSource(
                    annee,
                    action.code,
                    rubrique,
                    "",
                    "historique",
                    v,
                    str(fichier),
                    feuille,
                    cellules.get((action.code, rubrique), ""),
                    empreinte,
                )
            )
    return {
        "statut": statut,
        "origine": ORIGINE_HISTORIQUE if statut else ORIGINE_AUCUN,
        "signale": False,
        "valeurs": valeurs,
        "details": [((("historique", v),) if v is not None else ()) for v in valeurs],
        "observations": [("", obs)] if obs else [],
        "sources": sources,
    }
