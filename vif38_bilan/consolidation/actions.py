"""Consolidation: one record per action and year, from this year's returns plus the history.

Rules (the Word bilan's "Méthode" annex says which ones applied, bilan/annexes.py):

- Status: the chef de file's status stands. When the returns of an action (chef de file,
  co-pilots, structures of a collective pilot) report different statuses, a désaccord is listed.
  With no status from the chef de file, the most advanced co-pilot status is kept and flagged
  (order ORDRE_STATUTS: EFFECTUÉE > EN COURS > POURSUIVRE > LANCEMENT > EN ATTENTE > ANNULÉE —
  "the action moves" beats "the action waits", and ANNULÉE, a decision only the chef de file
  can take, comes last). An arbitration naming a pilot (arbitrages.py) makes its status stand.
- Counts ("entier" indicators): every declaration goes through the indicator's aggregation rule
  (referentiel.agregation: under maximum the structures of a collective pilot do not add up
  either), or through the agent's arbitration for that action and year (indicateurs.py). A
  figure missing an expected pilot is partial (completude.py). Over the years, the indicator's
  temporalité (flux, stock, ponctuel) makes the cumul (referentiel.temporalite); a figure beside
  ANNULÉE or EN ATTENTE has neither rate nor cumul.
- A year without a figure is "non renseignée": the cumulated figure adds the known years and names
  the missing ones; no cumulated rate is computed over a missing year.
- Free text (observations, text indicators) is cleaned (texte_propre) and each passage of likely
  personal data is replaced by « [donnée personnelle retirée] »; the removals are listed (retraits)
  for the agent's working notes.
- A row left empty by a structure of a collective pilot is "non concernée": not counted, listed.
- Oui/Non: "Oui" when any return says Oui. Text indicators and observations: kept, attributed
  ("[DDFE] …", a collective pilot's structure by its own name: "[Association X] …").
- Targets: a flux target is per year (cumulated target = annual target × years), a stock target
  is a level, a one-off has none.

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

from vif38_bilan.espace.fichiers import chemin_lisible
from vif38_bilan.consolidation.arbitrages import Arbitrage
from vif38_bilan.consolidation.completude import Attente
from vif38_bilan.consolidation.indicateurs import (
    SOURCE_ARBITRAGE,
    cumuls_action,
    figure_annee,
    realisation,
    source,
    taux_annee,
)
from vif38_bilan.referentiel.agregation import Agregat
from vif38_bilan.referentiel.temporalite import Cumul
from vif38_bilan.regles import Anomalie
from vif38_bilan.consolidation.chiffres_cles import ChiffreConsolide, consolider_chiffres
from vif38_bilan.consolidation.disposition import (
    FEUILLE_ACTIONS,
    FEUILLE_INDICATEURS,
    ORDRE_STATUTS,
    LigneSource,
    etiquette,
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
ORIGINE_ARBITRAGE = "arbitrage de la DDFE"

NATURE_DESACCORD = "statuts différents"
NATURE_SANS_CHEF = "sans statut du chef de file"

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
    arbitre: str = ""  # the motif of the agent's arbitration that settled it, "" when open


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
    cumuls_detail: tuple[Cumul | None, ...] = ()  # per indicator (referentiel.temporalite); None: no cumul
    partiels: tuple[tuple[str, ...], ...] = ()  # per indicator: « Police non transmis »… (this year only)
    doubles: tuple[bool, ...] = ()  # per indicator: probable double count (somme of equal declarations)

    @property
    def realisation(self) -> bool:
        """False when the status (ANNULÉE, EN ATTENTE) says the figures are not an achievement."""
        return realisation(self.statut)

    def partiel(self, k: int) -> tuple[str, ...]:
        return self.partiels[k] if k < len(self.partiels) else ()

    def cumul(self, k: int) -> Cumul | None:
        return self.cumuls_detail[k] if k < len(self.cumuls_detail) else None

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
    arbitrages: list[Arbitrage] = field(default_factory=list)  # the agent's decisions for the year

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


# ---------------------------------------------------------------- consolidation


def consolider(
    protocole: Protocole,
    annee: int,
    resultat: ResultatControle,
    historique: Historique | None = None,
    annee_importee: bool = False,
    arbitrages: list[Arbitrage] | None = None,
) -> Consolidation:
    """One record per action and protocol year up to annee (earlier years from the history).

    annee_importee: the year itself comes from the history too (a year imported from an earlier
    bilan document, with no return in saisies/).
    arbitrages: the agent's decisions (arbitrages.py), applied to annee's returns."""
    annees = tuple(a for a in protocole.annees if a <= annee)
    historique = historique or Historique()
    par_action: dict[str, list[Reponse]] = {}
    for r in resultat.reponses:
        par_action.setdefault(r.code_action, []).append(r)
    decisions = [a for a in (arbitrages or []) if a.annee == annee] if not annee_importee else []
    attente = Attente.du_controle(resultat.manquants, resultat.anomalies)

    bruts: dict[tuple[str, int], dict[str, Any]] = {}
    desaccords: list[Desaccord] = []
    retraits: list[Retrait] = []
    nettoyer = _Nettoyeur(exceptions_du_protocole(protocole), retraits, dict(getattr(resultat, "retraits", {}) or {}))
    courante = _AnneeCourante(protocole, annee, nettoyer, attente, decisions, desaccords)
    for action in protocole.actions:
        for y in annees:
            if y == annee and not annee_importee:
                bruts[(action.code, y)] = courante.action(action, par_action.get(action.code, []))
            else:
                bruts[(action.code, y)] = _annee_historique(action, y, historique, nettoyer)

    enregistrements: dict[tuple[str, int], Enregistrement] = {}
    for action in protocole.actions:
        cumuls = cumuls_action(
            action, annees, {y: (bruts[(action.code, y)]["statut"], bruts[(action.code, y)]["valeurs"]) for y in annees}
        )
        for y in annees:
            enregistrements[(action.code, y)] = _enregistrement(action, y, bruts[(action.code, y)], cumuls[y])
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
        chiffres=consolider_chiffres(protocole, annee, resultat.chiffres, historique, attente),
        arbitrages=decisions,
    )


def _enregistrement(action: Action, y: int, b: dict[str, Any], cumuls: tuple[Cumul | None, ...]) -> Enregistrement:
    partiels = tuple(b.get("partiels") or (() for _ in action.indicateurs))
    return Enregistrement(
        code_action=action.code,
        annee=y,
        statut=b["statut"],
        origine=b["origine"],
        signale=b["signale"],
        valeurs=tuple(b["valeurs"]),
        cibles=tuple(ind.cible_annuelle for ind in action.indicateurs),
        taux=tuple(
            taux_annee(ind, b["valeurs"][k], b["statut"], partiels[k]) for k, ind in enumerate(action.indicateurs)
        ),
        cumuls=tuple(c.valeur if c else None for c in cumuls),
        cibles_cumulees=tuple(c.cible if c else None for c in cumuls),
        taux_cumules=tuple(c.taux if c and not partiels[k] else None for k, c in enumerate(cumuls)),
        details=tuple(b["details"]),
        observations=tuple(b["observations"]),
        sources=tuple(b["sources"]),
        agregats=tuple(b.get("agregats", ())),
        non_renseignees=tuple(c.manquantes if c else () for c in cumuls),
        non_concernees=tuple(b.get("non_concernees", ())),
        cumuls_detail=cumuls,
        partiels=partiels,
        doubles=tuple(b.get("doubles") or (False for _ in action.indicateurs)),
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


@dataclass
class _AnneeCourante:
    """The bilan's year, action by action, from its returns and the agent's arbitrations."""

    protocole: Protocole
    annee: int
    nettoyer: _Nettoyeur
    attente: Attente
    arbitrages: list[Arbitrage]
    desaccords: list[Desaccord]

    def arbitrage(self, code: str, k: int | None) -> Arbitrage | None:
        """The decision on indicator k of code (None: its status): one naming the indicator wins over
        one for the whole action; among equals, the last recorded."""
        concernees = [a for a in self.arbitrages if a.concerne(self.annee, code, k)]
        precises = [a for a in concernees if a.indicateur is not None]
        return (precises or concernees or [None])[-1]

    def action(self, action: Action, reponses: list[Reponse]) -> dict[str, Any]:
        protocole, annee = self.protocole, self.annee
        # Lead first, then the protocol's pilot order, then structure: a stable order for attribution.
        ordre = {c: i for i, c in enumerate(action.pilotes)}
        reponses = sorted(reponses, key=lambda r: (ordre.get(r.pilote, len(ordre)), cle(r.structure or "")))
        non_concernees = [etiquette(protocole, r.pilote, r.structure) for r in reponses if r.non_concernee]
        reponses = [r for r in reponses if not r.non_concernee]
        sources: list[LigneSource] = []
        statut, origine, signale = self.statut(action, reponses, sources)
        figures = [
            figure_annee(
                protocole, action, k, annee, reponses, self.nettoyer, self.attente, self.arbitrage(action.code, k)
            )
            for k in range(len(action.indicateurs))
        ]
        for f in figures:
            sources.extend(f.sources)
        observations = []
        for r in reponses:
            if (r.observations or "").strip():
                qui = etiquette(protocole, r.pilote, r.structure)
                t = self.nettoyer(r.observations, annee, action.code, qui, "Observations", r.observations_source)
                observations.append((qui, t))
                if s := source(annee, action.code, "Observations", r, t, r.observations_source):
                    sources.append(s)
        return {
            "statut": statut,
            "origine": origine,
            "signale": signale,
            "valeurs": [f.valeur for f in figures],
            "details": [f.details for f in figures],
            "observations": observations,
            "sources": sources,
            "agregats": [f.agregat for f in figures],
            "partiels": [f.partiel for f in figures],
            "doubles": [f.double_compte for f in figures],
            "non_concernees": non_concernees,
        }

    def statut(
        self, action: Action, reponses: list[Reponse], sources: list[LigneSource]
    ) -> tuple[str | None, str, bool]:
        """(retained status, where it comes from, flagged) — disagreements noted on the way."""
        protocole, annee, chef = self.protocole, self.annee, action.chef_de_file
        declarations = []
        for r in reponses:
            if r.statut:
                role = "chef de file" if r.pilote == chef else "co-pilote"
                declarations.append((etiquette(protocole, r.pilote, r.structure), role, r.statut, r))
                if s := source(annee, action.code, "Statut", r, r.statut, r.statut_source):
                    sources.append(s)
        du_chef = [d for d in declarations if d[3].pilote == chef]
        decision = self.arbitrage(action.code, None)
        du_choisi = [d for d in declarations if decision and d[3].pilote == decision.pilote]
        signale = False
        if du_choisi:
            statut, origine = min((d[2] for d in du_choisi), key=rang_statut), ORIGINE_ARBITRAGE
            rubrique = f"Statut — arbitrage : {decision.motif}"
            sources.append(
                LigneSource(annee, action.code, rubrique, "", SOURCE_ARBITRAGE, statut, "arbitrages.toml", "", "", "")
            )
        elif du_chef:
            # A collective chef de file may answer through several structures: its most advanced status.
            statut, origine = min((d[2] for d in du_chef), key=rang_statut), ORIGINE_CHEF
        elif declarations:
            statut, origine, signale = min((d[2] for d in declarations), key=rang_statut), ORIGINE_COPILOTE, True
        else:
            statut, origine = None, ORIGINE_AUCUN
        nom_chef = etiquette(protocole, chef)
        decl = tuple((d[0], d[1], d[2]) for d in declarations)
        arbitre = decision.motif if du_choisi else ""
        if len({d[2] for d in declarations}) > 1:
            detail = " ; ".join(f"{q} ({role}) : {s}" for q, role, s in decl)
            if du_choisi:
                fin = f"Retenu après arbitrage : {statut}."
            elif du_chef:
                fin = f"Le statut du chef de file ({nom_chef}) est retenu : {statut}."
            else:
                fin = f"Pas de statut du chef de file ({nom_chef}) : le plus avancé est retenu : {statut}."
            msg = f"Statuts différents pour l'action {action.code} — {detail}. {fin}"
            self.desaccords.append(
                Desaccord(annee, action.code, NATURE_DESACCORD, statut, nom_chef, decl, msg, arbitre)
            )
        elif signale or (du_choisi and not du_chef):
            msg = f"Pas de statut du chef de file ({nom_chef}) pour l'action {action.code} : le statut déclaré par {decl[0][0]} est retenu ({statut})."
            self.desaccords.append(
                Desaccord(annee, action.code, NATURE_SANS_CHEF, statut, nom_chef, decl, msg, arbitre)
            )
        return statut, origine, signale


def _annee_historique(action: Action, annee: int, h: Historique, nettoyer: _Nettoyeur) -> dict[str, Any]:
    statut = h.statuts.get(annee, {}).get(action.code)
    valeurs = [h.valeurs.get(annee, {}).get((action.code, k)) for k in range(len(action.indicateurs))]
    fichier = h.sources.get(annee)
    cellules = h.cellules.get(annee, {})

    def ou(rubrique: str, feuille: str) -> Source | None:
        return Source(chemin_lisible(fichier), feuille, cellules.get((action.code, rubrique), ""), "") if fichier else None

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
