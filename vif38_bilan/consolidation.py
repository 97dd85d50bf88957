"""Consolidation: one record per action and year, from this year's returns plus the history.

Rules (also printed in the Word bilan's "Méthode" annex, see METHODE):

- Status: the chef de file's status stands. When the returns of an action (chef de file,
  co-pilots, structures of a collective pilot) report different statuses, a désaccord is listed.
  With no status from the chef de file, the most advanced co-pilot status is kept and flagged
  (order ORDRE_STATUTS: EFFECTUÉE > EN COURS > POURSUIVRE > LANCEMENT > EN ATTENTE > ANNULÉE —
  "the action moves" beats "the action waits", and ANNULÉE, a decision only the chef de file
  can take, comes last).
- Counts ("entier" indicators): every return counts what its own organisation did, so the values
  of all returns for the action add up — the structures of a collective pilot AND the co-pilots.
  Summing co-pilots may double count a training two pilots co-financed; to let the reader see it,
  the per-pilot detail is kept (sources sheet, "Détail" column, the bilan's observations).
- Oui/Non: "Oui" when any return says Oui. Text indicators and observations: kept, attributed
  ("[DDFE] …", a collective pilot's structure by its own name: "[Association X] …").
- Targets: annual target, % achieved (value / target), cumulated over the protocol's years up to
  the year (cumulated target = annual target × number of years).

Pure Python: the data is small (53 actions × a few dozen returns); pandas would only add its
import time to every bilan.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from vif38_bilan import disposition
from vif38_bilan.controle import (
    AVERTISSEMENT,
    ERREUR,
    Anomalie,
    Reponse,
    ResultatControle,
    Source,
    lire_entier,
    lire_oui_non,
    normaliser_statut,
)
from vif38_bilan.pilotes import cle
from vif38_bilan.referentiel import Action, Protocole

# Most advanced first: the order used when no chef de file answered.
ORDRE_STATUTS: tuple[str, ...] = ("EFFECTUÉE", "EN COURS", "POURSUIVRE", "LANCEMENT", "EN ATTENTE", "ANNULÉE")

# Where a record's status comes from.
ORIGINE_CHEF = "chef de file"
ORIGINE_COPILOTE = "co-pilote (pas de statut du chef de file)"
ORIGINE_HISTORIQUE = "historique"
ORIGINE_AUCUN = "aucun statut reçu"

NATURE_DESACCORD = "statuts différents"
NATURE_SANS_CHEF = "sans statut du chef de file"

# Sheets and headers of the consolidation workbook (also the blank history workbook).
FEUILLE_ACTIONS = "actions"
FEUILLE_INDICATEURS = "indicateurs"
FEUILLE_SOURCES = "sources"
FEUILLE_DESACCORDS = "désaccords"
FEUILLE_MANQUANTS = "retours manquants"
FEUILLE_MODE = "Mode d'emploi"

COL_CODE = "Code action"
COL_AXE = "Axe"
COL_OBJECTIF = "Objectif"
COL_ACTION = "Action"
COL_PILOTAGE = "Pilotage"
COL_CHEF = "Chef de file"
COL_NUMERO = "N°"
COL_INDICATEUR = "Indicateur"
COL_TYPE = "Type"
COL_CIBLE = "Cible annuelle"

TYPE_CONSOLIDATION = "consolidation"
TYPE_HISTORIQUE = "historique"
ID_TYPE = "type"

METHODE: tuple[str, ...] = (
    "Statut d'une action : celui déclaré par le chef de file (premier pilote cité dans le protocole). "
    "Quand les pilotes d'une même action déclarent des statuts différents, le désaccord est listé en annexe.",
    "Sans statut du chef de file, le statut le plus avancé déclaré par un co-pilote est retenu et signalé "
    "(ordre : EFFECTUÉE, EN COURS, POURSUIVRE, LANCEMENT, EN ATTENTE, ANNULÉE).",
    "Indicateurs chiffrés : chaque pilote déclare ce que sa structure a réalisé ; les valeurs de tous les retours "
    "d'une action s'additionnent (chef de file, co-pilotes, et chaque structure d'un pilote collectif). "
    "Le détail par pilote est donné dans les observations et dans le classeur de consolidation, pour repérer "
    "un éventuel double compte (une même formation déclarée par deux co-financeurs).",
    "Indicateurs Oui/Non : « Oui » dès qu'un retour indique Oui. Indicateurs en texte et observations : "
    "repris tels quels, précédés du nom du pilote ou de la structure qui les a écrits.",
    "Taux de réalisation : valeur de l'année divisée par la cible annuelle énoncée dans l'action ; "
    "le cumul additionne les années du protocole jusqu'à l'année du bilan (cible cumulée = cible annuelle × nombre d'années).",
    "Les valeurs refusées par le contrôle (erreurs) ne sont pas comptées : elles sont listées en annexe.",
)

_ILLEGAL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\ufffe\uffff]")


def texte_sur(texte: Any) -> str:
    """Text without the control characters XML (xlsx, docx) refuses."""
    return _ILLEGAL.sub(" ", str(texte)) if texte is not None else ""


# ---------------------------------------------------------------- model


@dataclass(frozen=True)
class LigneSource:
    """One figure and where it was read."""

    annee: int
    code_action: str
    rubrique: str  # "Statut", "Indicateur 1 : …", "Observations"
    pilote: str
    structure: str
    valeur: Any
    fichier: str
    feuille: str
    cellule: str
    sha256: str


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

    def observations_attribuees(self) -> list[str]:
        return [f"[{qui}] {t}" if qui else t for qui, t in self.observations]


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

    def enregistrement(self, code: str, annee: int) -> Enregistrement | None:
        return self.enregistrements.get((code, annee))

    def statut(self, code: str, annee: int) -> str | None:
        e = self.enregistrements.get((code, annee))
        return e.statut if e else None

    @property
    def sources(self) -> list[LigneSource]:
        return [s for a in self.annees for (c, y), e in self.enregistrements.items() if y == a for s in e.sources]


@dataclass
class Historique:
    """Consolidated data of the years before the bilan year, read back from the workbooks."""

    statuts: dict[int, dict[str, str]] = field(default_factory=dict)
    valeurs: dict[int, dict[tuple[str, int], Any]] = field(default_factory=dict)
    observations: dict[int, dict[str, str]] = field(default_factory=dict)
    sources: dict[int, Path] = field(default_factory=dict)
    empreintes: dict[int, str] = field(default_factory=dict)  # year → SHA-256 of the workbook
    valeurs_par_pilote: dict[int, dict[tuple[str, int, str], Any]] = field(default_factory=dict)
    cellules: dict[int, dict[tuple[str, str], str]] = field(default_factory=dict)  # (code, rubrique) → "G5"
    anomalies: list[Anomalie] = field(default_factory=list)
    annees_absentes: list[int] = field(default_factory=list)

    @property
    def nb_erreurs(self) -> int:
        return sum(a.gravite == ERREUR for a in self.anomalies)

    def precedentes(self, annee: int) -> dict[tuple, Any]:
        """Last year's figures for the outlier rule: (code, k) totals and (code, k, pilot) own values."""
        return {**self.valeurs.get(annee - 1, {}), **self.valeurs_par_pilote.get(annee - 1, {})}


# ---------------------------------------------------------------- helpers


def rang_statut(statut: str) -> int:
    return ORDRE_STATUTS.index(statut) if statut in ORDRE_STATUTS else len(ORDRE_STATUTS)


def etiquette(protocole: Protocole, pilote: str, structure: str = "") -> str:
    """Who wrote it: a collective pilot's structure by its own name, else the pilot's short name."""
    try:
        p = protocole.pilote(pilote)
    except KeyError:
        return structure.strip() or pilote
    if p.collectif and structure and structure.strip():
        return " ".join(structure.split())
    return p.alias[0] if p.alias else p.nom


def _nombre(v: Any) -> int | float | None:
    if isinstance(v, bool) or v is None:
        return None
    if isinstance(v, int):
        return v
    if isinstance(v, float):
        return int(v) if v.is_integer() else v
    return None


def _taux(valeur: Any, cible: int | None) -> float | None:
    n = _nombre(valeur)
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


def rubrique_indicateur(action: Action, k: int) -> str:
    libelle = action.indicateurs[k].libelle if k < len(action.indicateurs) else ""
    return f"Indicateur {k + 1} : {libelle}" if libelle else f"Indicateur {k + 1}"


# ---------------------------------------------------------------- consolidation


def consolider(
    protocole: Protocole, annee: int, resultat: ResultatControle, historique: Historique | None = None
) -> Consolidation:
    """One record per action and protocol year up to annee (earlier years from the history)."""
    annees = tuple(a for a in protocole.annees if a <= annee)
    historique = historique or Historique()
    par_action: dict[str, list[Reponse]] = {}
    for r in resultat.reponses:
        par_action.setdefault(r.code_action, []).append(r)

    bruts: dict[tuple[str, int], dict[str, Any]] = {}
    desaccords: list[Desaccord] = []
    for action in protocole.actions:
        for y in annees:
            if y == annee:
                bruts[(action.code, y)] = _annee_courante(
                    protocole, action, annee, par_action.get(action.code, []), desaccords
                )
            else:
                bruts[(action.code, y)] = _annee_historique(action, y, historique)

    enregistrements: dict[tuple[str, int], Enregistrement] = {}
    for action in protocole.actions:
        cumul: list[Any] = [None] * len(action.indicateurs)
        for n, y in enumerate(annees, 1):
            b = bruts[(action.code, y)]
            cibles, taux, cibles_cum, taux_cum = [], [], [], []
            for k, ind in enumerate(action.indicateurs):
                v = b["valeurs"][k]
                if ind.type == "entier":
                    nv = _nombre(v)
                    if nv is not None:
                        cumul[k] = (cumul[k] or 0) + nv
                elif ind.type == "oui_non":
                    if v == "Oui" or cumul[k] == "Oui":
                        cumul[k] = "Oui"
                    elif v == "Non":
                        cumul[k] = "Non"
                cibles.append(ind.cible_annuelle)
                taux.append(_taux(v, ind.cible_annuelle) if ind.type == "entier" else None)
                cc = ind.cible_annuelle * n if ind.cible_annuelle else None
                cibles_cum.append(cc)
                taux_cum.append(_taux(cumul[k], cc) if ind.type == "entier" else None)
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
    )


def _annee_courante(
    protocole: Protocole, action: Action, annee: int, reponses: list[Reponse], desaccords: list[Desaccord]
) -> dict[str, Any]:
    chef = action.chef_de_file
    # Lead first, then the protocol's pilot order, then structure: a stable order for attribution.
    ordre = {c: i for i, c in enumerate(action.pilotes)}
    reponses = sorted(reponses, key=lambda r: (ordre.get(r.pilote, len(ordre)), cle(r.structure or "")))
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
    for k, ind in enumerate(action.indicateurs):
        rubrique = rubrique_indicateur(action, k)
        vus: list[tuple[str, Any]] = []
        for r in reponses:
            v = r.valeurs[k] if k < len(r.valeurs) else None
            if v is None or v == "":
                continue
            if ind.type == "entier":
                v = _nombre(v)
            elif ind.type == "oui_non":
                v = _oui_non(v)
            else:
                v = " ".join(str(v).split())
            if v is None or v == "":
                continue
            vus.append((etiquette(protocole, r.pilote, r.structure), v))
            s = _source(
                annee, action.code, rubrique, r, v, r.valeurs_sources[k] if k < len(r.valeurs_sources) else None
            )
            if s:
                sources.append(s)
        if not vus:
            valeurs.append(None)
        elif ind.type == "entier":
            valeurs.append(sum(v for _, v in vus))
        elif ind.type == "oui_non":
            valeurs.append("Oui" if any(v == "Oui" for _, v in vus) else "Non")
        else:
            valeurs.append(" ".join(f"[{q}] {v}" for q, v in vus))
        details.append(tuple(vus))

    observations = []
    for r in reponses:
        t = (r.observations or "").strip()
        if t:
            qui = etiquette(protocole, r.pilote, r.structure)
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
    }


def _annee_historique(action: Action, annee: int, h: Historique) -> dict[str, Any]:
    statut = h.statuts.get(annee, {}).get(action.code)
    valeurs = [h.valeurs.get(annee, {}).get((action.code, k)) for k in range(len(action.indicateurs))]
    obs = h.observations.get(annee, {}).get(action.code, "")
    sources: list[LigneSource] = []
    fichier = h.sources.get(annee)
    if fichier is not None:
        empreinte = h.empreintes.get(annee, "")
        cellules = h.cellules.get(annee, {})
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


# ---------------------------------------------------------------- workbook


def nom_consolidation(annee: int) -> str:
    return f"consolidation-{annee}.xlsx"


def _entetes_actions(annees: tuple[int, ...], annee: int) -> list[str]:
    return (
        [COL_CODE, COL_AXE, COL_OBJECTIF, COL_ACTION, COL_PILOTAGE, COL_CHEF]
        + [disposition.entete_statut(y) for y in annees]
        + [f"Origine du statut {annee}"]
        + [disposition.entete_observations(y) for y in annees]
    )


def _entetes_indicateurs(annees: tuple[int, ...], annee: int) -> list[str]:
    debut = annees[0] if annees else annee
    return (
        [COL_CODE, COL_NUMERO, COL_INDICATEUR, COL_TYPE, COL_CIBLE]
        + [f"Valeur {y}" for y in annees]
        + [f"Taux {annee}", f"Cumul {debut}-{annee}", "Cible cumulée", "Taux cumulé", f"Détail {annee}"]
    )


ENTETES_SOURCES = [
    "Année",
    COL_CODE,
    "Rubrique",
    "Pilote",
    "Structure",
    "Valeur",
    "Fichier",
    "Feuille",
    "Cellule",
    "SHA-256 du fichier",
]
ENTETES_DESACCORDS = ["Année", COL_CODE, "Nature", "Statut retenu", COL_CHEF, "Statuts déclarés", "Explication"]
ENTETES_MANQUANTS = ["Pilote", "Nom", "Chef de file de", "Co-pilote de"]

TYPES_LISIBLES = {"entier": "nombre", "oui_non": "Oui/Non", "texte": "texte"}


def _nouveau_classeur():
    from openpyxl import Workbook

    wb = Workbook()
    wb.remove(wb.active)
    return wb


def _feuille(wb, titre: str, entetes: list[str], largeurs: dict[int, float] | None = None):
    from openpyxl.styles import Alignment, Font, PatternFill
    from openpyxl.utils import get_column_letter

    from vif38_bilan.ecriture import mettre_texte

    ws = wb.create_sheet(titre)
    gras = Font(bold=True)
    fond = PatternFill("solid", fgColor="D9E1F2")
    for j, t in enumerate(entetes, 1):
        c = ws.cell(row=1, column=j)
        mettre_texte(c, t)
        c.font = gras
        c.fill = fond
        c.alignment = Alignment(wrap_text=True, vertical="top")
    ws.freeze_panes = "B2"
    for j, t in enumerate(entetes, 1):
        ws.column_dimensions[get_column_letter(j)].width = (largeurs or {}).get(j, max(12, min(40, len(t) + 4)))
    return ws


def _ecrire(ws, ligne: int, valeurs: list[Any]) -> None:
    from vif38_bilan.ecriture import mettre_texte

    for j, v in enumerate(valeurs, 1):
        if v is None or v == "":
            continue
        c = ws.cell(row=ligne, column=j)
        if isinstance(v, str):
            mettre_texte(c, texte_sur(v))
        else:
            c.value = v


def _feuille_id(wb, protocole: Protocole, annee: int, type_: str) -> None:
    from vif38_bilan.ecriture import mettre_texte

    ws = wb.create_sheet(disposition.FEUILLE_ID)
    for i, (k, v) in enumerate(
        [
            (disposition.ID_PROTOCOLE, protocole.id),
            (disposition.ID_ANNEE, str(annee)),
            (ID_TYPE, type_),
            (disposition.ID_VERSION, disposition.VERSION_GABARIT),
        ],
        1,
    ):
        mettre_texte(ws.cell(row=i, column=1), k)
        mettre_texte(ws.cell(row=i, column=2), v)
    ws.sheet_state = "hidden"


def _format_taux(ws, colonnes: list[int], nb_lignes: int) -> None:
    for j in colonnes:
        for i in range(2, nb_lignes + 2):
            ws.cell(row=i, column=j).number_format = "0%"


def _roles(protocole: Protocole, code: str) -> tuple[str, str]:
    chef = [a.code for a, r in protocole.actions_du_pilote(code) if r == "chef de file"]
    co = [a.code for a, r in protocole.actions_du_pilote(code) if r != "chef de file"]
    return ", ".join(chef), ", ".join(co)


def _detail_texte(detail: tuple[tuple[str, Any], ...]) -> str:
    return " ; ".join(f"{q} : {v}" for q, v in detail) if len(detail) > 1 else ""


def ecrire_consolidation(consolidation: Consolidation, chemin: str | Path) -> Path:
    """Write consolidation-AAAA.xlsx: actions, indicateurs, sources, désaccords, retours manquants."""
    from openpyxl.styles import Alignment
    from openpyxl.utils import get_column_letter

    from vif38_bilan.ecriture import enregistrer_classeur

    c = consolidation
    p = c.protocole
    annees, annee = c.annees, c.annee
    wb = _nouveau_classeur()

    ws = _feuille(wb, FEUILLE_ACTIONS, _entetes_actions(annees, annee), {1: 10, 2: 6, 3: 9, 4: 60, 5: 28, 6: 16})
    for i, a in enumerate(p.actions, 2):
        recs = [c.enregistrement(a.code, y) for y in annees]
        courant = c.enregistrement(a.code, annee)
        ligne = [a.code, a.axe, a.objectif, a.description, a.pilotage, etiquette(p, a.chef_de_file)]
        ligne += [r.statut if r else None for r in recs]
        ligne.append(courant.origine if courant else "")
        ligne += ["\n".join(r.observations_attribuees()) if r else "" for r in recs]
        _ecrire(ws, i, ligne)
    debut_obs = 6 + len(annees) + 2
    for j in range(debut_obs, debut_obs + len(annees)):
        ws.column_dimensions[get_column_letter(j)].width = 60
    for j in [4, 5, *range(debut_obs, debut_obs + len(annees))]:
        for i in range(2, len(p.actions) + 2):
            ws.cell(row=i, column=j).alignment = Alignment(wrap_text=True, vertical="top")

    entetes = _entetes_indicateurs(annees, annee)
    ws = _feuille(wb, FEUILLE_INDICATEURS, entetes, {1: 10, 2: 5, 3: 50, 4: 9, 5: 10})
    i = 2
    for a in p.actions:
        courant = c.enregistrement(a.code, annee)
        for k, ind in enumerate(a.indicateurs):
            ligne = [a.code, k + 1, ind.libelle, TYPES_LISIBLES.get(ind.type, ind.type), ind.cible_annuelle]
            ligne += [(c.enregistrement(a.code, y).valeurs[k] if c.enregistrement(a.code, y) else None) for y in annees]
            if courant:
                ligne += [
                    courant.taux[k],
                    courant.cumuls[k],
                    courant.cibles_cumulees[k],
                    courant.taux_cumules[k],
                    _detail_texte(courant.details[k]),
                ]
            _ecrire(ws, i, ligne)
            i += 1
    n = len(entetes)
    _format_taux(ws, [n - 4, n - 1], i - 2)

    ws = _feuille(wb, FEUILLE_SOURCES, ENTETES_SOURCES, {3: 40, 6: 40, 7: 45, 10: 66})
    for i, s in enumerate(c.sources, 2):
        _ecrire(
            ws,
            i,
            [
                s.annee,
                s.code_action,
                s.rubrique,
                s.pilote,
                s.structure,
                s.valeur,
                s.fichier,
                s.feuille,
                s.cellule,
                s.sha256,
            ],
        )

    ws = _feuille(wb, FEUILLE_DESACCORDS, ENTETES_DESACCORDS, {3: 26, 6: 60, 7: 80})
    for i, d in enumerate(c.desaccords, 2):
        decl = " ; ".join(f"{q} ({r}) : {s}" for q, r, s in d.declarations)
        _ecrire(ws, i, [d.annee, d.code_action, d.nature, d.statut_retenu, d.chef_de_file, decl, d.message])

    ws = _feuille(wb, FEUILLE_MANQUANTS, ENTETES_MANQUANTS, {1: 26, 2: 60, 3: 40, 4: 40})
    for i, code in enumerate(c.manquants, 2):
        try:
            nom = p.pilote(code).nom
        except KeyError:
            nom = code
        _ecrire(ws, i, [code, nom, *_roles(p, code)])

    _feuille_id(wb, p, annee, TYPE_CONSOLIDATION)
    return enregistrer_classeur(wb, chemin)


def ecrire_historique_vierge(protocole: Protocole, annee: int, chemin: str | Path) -> Path:
    """The blank history workbook for a year the tool did not process: same layout, to type by hand."""
    from openpyxl.comments import Comment
    from openpyxl.styles import Alignment, Font, PatternFill
    from openpyxl.worksheet.datavalidation import DataValidation

    from vif38_bilan.ecriture import enregistrer_classeur, mettre_texte

    p = protocole
    annees = tuple(a for a in p.annees if a <= annee)
    wb = _nouveau_classeur()
    saisie = PatternFill("solid", fgColor="FFF2CC")
    gris = PatternFill("solid", fgColor="EDEDED")

    ws = wb.create_sheet(FEUILLE_MODE)
    lignes = [
        f"Historique {annee} du protocole — à remplir à la main",
        "",
        f"Ce classeur tient lieu de consolidation pour {annee}, une année où les retours n'ont pas été traités par vif38-bilan.",
        f"Remplissez les cellules jaunes à partir du bilan {annee} (annexe « Bilan du protocole ») :",
        f"  • feuille « {FEUILLE_ACTIONS} », colonne « {disposition.entete_statut(annee)} » : le statut de chaque action (liste déroulante) ;",
        f"  • feuille « {FEUILLE_ACTIONS} », colonne « {disposition.entete_observations(annee)} » : les observations, telles qu'écrites dans le bilan ;",
        f"  • feuille « {FEUILLE_INDICATEURS} », colonne « Valeur {annee} » : la valeur de chaque indicateur (un nombre entier, Oui/Non, ou un texte selon la colonne « {COL_TYPE} »).",
        "Laissez vide ce que vous ne connaissez pas. Ne modifiez pas les codes d'action, les en-têtes ni les noms des feuilles.",
        f"Enregistrez le fichier sous le même nom, au même endroit (sorties/{annee}/{nom_consolidation(annee)}), au format Excel (.xlsx).",
        "Le bilan de l'année suivante le relit et le vérifie : un statut inconnu ou un nombre illisible est signalé avec sa cellule.",
    ]
    for i, t in enumerate(lignes, 1):
        if t:
            mettre_texte(ws.cell(row=i, column=1), t)
    ws["A1"].font = Font(bold=True, size=14)
    ws.column_dimensions["A"].width = 140

    liste_statuts = DataValidation(type="list", formula1='"' + ",".join(ORDRE_STATUTS) + '"', allow_blank=True)
    liste_statuts.error = "Choisissez un statut dans la liste : " + ", ".join(ORDRE_STATUTS)
    liste_statuts.errorTitle = "Statut inconnu"
    liste_statuts.showErrorMessage = True

    entetes = _entetes_actions(annees, annee)
    ws = _feuille(wb, FEUILLE_ACTIONS, entetes, {1: 10, 2: 6, 3: 9, 4: 60, 5: 28, 6: 16})
    ws.add_data_validation(liste_statuts)
    col_statut = entetes.index(disposition.entete_statut(annee)) + 1
    col_obs = entetes.index(disposition.entete_observations(annee)) + 1
    from openpyxl.utils import get_column_letter

    ws.column_dimensions[get_column_letter(col_obs)].width = 60
    for i, a in enumerate(p.actions, 2):
        _ecrire(ws, i, [a.code, a.axe, a.objectif, a.description, a.pilotage, etiquette(p, a.chef_de_file)])
        ws.cell(row=i, column=4).alignment = Alignment(wrap_text=True, vertical="top")
        for j in range(7, len(entetes) + 1):
            ws.cell(row=i, column=j).fill = saisie if j in (col_statut, col_obs) else gris
        ws.cell(row=i, column=col_obs).alignment = Alignment(wrap_text=True, vertical="top")
    liste_statuts.add(f"{get_column_letter(col_statut)}2:{get_column_letter(col_statut)}{len(p.actions) + 1}")
    ws.cell(row=1, column=col_statut).comment = Comment(
        "Choisissez le statut dans la liste : " + ", ".join(ORDRE_STATUTS), "vif38-bilan"
    )

    entetes = _entetes_indicateurs(annees, annee)
    ws = _feuille(wb, FEUILLE_INDICATEURS, entetes, {1: 10, 2: 5, 3: 50, 4: 9, 5: 10})
    col_val = entetes.index(f"Valeur {annee}") + 1
    nombres = DataValidation(type="whole", operator="greaterThanOrEqual", formula1="0", allow_blank=True)
    nombres.error = "Tapez un nombre entier (sans unité), ou laissez vide."
    nombres.showErrorMessage = True
    oui_non = DataValidation(type="list", formula1='"Oui,Non"', allow_blank=True)
    oui_non.error = "Choisissez Oui ou Non."
    oui_non.showErrorMessage = True
    ws.add_data_validation(nombres)
    ws.add_data_validation(oui_non)
    i = 2
    for a in p.actions:
        for k, ind in enumerate(a.indicateurs):
            _ecrire(ws, i, [a.code, k + 1, ind.libelle, TYPES_LISIBLES.get(ind.type, ind.type), ind.cible_annuelle])
            ref = f"{get_column_letter(col_val)}{i}"
            ws[ref].fill = saisie
            if ind.type == "entier":
                nombres.add(ref)
            elif ind.type == "oui_non":
                oui_non.add(ref)
            else:
                ws[ref].alignment = Alignment(wrap_text=True, vertical="top")
            i += 1
    ws.column_dimensions[get_column_letter(col_val)].width = 30

    _feuille(wb, FEUILLE_SOURCES, ENTETES_SOURCES)
    _feuille(wb, FEUILLE_DESACCORDS, ENTETES_DESACCORDS)
    _feuille(wb, FEUILLE_MANQUANTS, ENTETES_MANQUANTS)
    _feuille_id(wb, p, annee, TYPE_HISTORIQUE)
    wb.active = 0
    return enregistrer_classeur(wb, chemin)


# ---------------------------------------------------------------- history


def _lettre(j: int) -> str:
    from openpyxl.utils import get_column_letter

    return get_column_letter(j + 1)


def lire_historique(protocole: Protocole, dossier_sorties: str | Path, annee: int) -> Historique:
    """Read sorties/<year>/consolidation-<year>.xlsx for every protocol year before annee.

    Problems become anomalies naming the file and the cell (never an exception): a missing year
    is an avertissement, an unreadable file or value an erreur.
    """
    dossier = Path(dossier_sorties)
    h = Historique()
    for y in protocole.annees:
        if y >= annee:
            continue
        rel = f"{y}/{nom_consolidation(y)}"
        chemin = dossier / str(y) / nom_consolidation(y)
        if not chemin.is_file():
            h.annees_absentes.append(y)
            h.anomalies.append(
                Anomalie(
                    rel, None, None, None, AVERTISSEMENT,
                    f"Pas de données pour {y} ({chemin} est absent) : la colonne {y} du bilan restera vide. "
                    f"Pour la remplir, lancez « vif38-bilan historique --annee {y} », complétez le classeur produit, puis relancez le bilan.",
                    "historique_absent",
                )
            )  # fmt: skip
            continue
        _lire_un(protocole, chemin, rel, y, h)
    return h


def _lire_un(protocole: Protocole, chemin: Path, rel: str, y: int, h: Historique) -> None:
    from vif38_bilan.lecture import lire_classeur, lire_feuille

    def erreur(
        message: str,
        feuille: str | None = None,
        cellule: str | None = None,
        code: str | None = None,
        regle: str = "historique_illisible",
    ) -> None:
        h.anomalies.append(Anomalie(rel, feuille, cellule, code, ERREUR, message, regle))

    def avert(
        message: str,
        feuille: str | None = None,
        cellule: str | None = None,
        code: str | None = None,
        regle: str = "historique",
    ) -> None:
        h.anomalies.append(Anomalie(rel, feuille, cellule, code, AVERTISSEMENT, message, regle))

    try:
        classeur = lire_classeur(chemin)  # checked bytes and their SHA-256
        wb = classeur.ouvrir()  # calamine failures and panics contained
        noms = wb.sheet_names
        feuilles = {
            n: lire_feuille(wb, n, skip_empty_area=False)[0]
            for n in noms
            if n in (FEUILLE_ACTIONS, FEUILLE_INDICATEURS, FEUILLE_SOURCES, disposition.FEUILLE_ID)
        }
    except Exception as e:  # FichierRefuse from securite, or any parser failure (calamine raises several types)
        erreur(
            f"Le classeur historique {chemin} est illisible ({type(e).__name__}) : ouvrez-le dans Excel ou LibreOffice "
            f"et enregistrez-le au format .xlsx, ou recréez-le avec « vif38-bilan historique --annee {y} --remplacer », puis relancez."
        )
        return

    ident = {
        str(r[0]).strip(): str(r[1]).strip()
        for r in feuilles.get(disposition.FEUILLE_ID, [])
        if len(r) >= 2 and r[0] != ""
    }
    lu = ident.get(disposition.ID_ANNEE, "")
    if lu and lu.split(".")[0] != str(y):
        erreur(
            f"{chemin} est le classeur de l'année {lu}, pas de {y} : remettez le bon fichier dans le dossier sorties/{y}/.",
            regle="historique_annee",
        )
        return
    pid = ident.get(disposition.ID_PROTOCOLE, "")
    if pid and pid != protocole.id:
        erreur(
            f"{chemin} appartient à un autre protocole (« {pid} ») : remettez le classeur de ce protocole.",
            regle="historique_protocole",
        )
        return

    for nom in (FEUILLE_ACTIONS, FEUILLE_INDICATEURS):
        if nom not in feuilles:
            erreur(
                f"Le classeur {chemin} n'a pas de feuille « {nom} » : ne renommez pas les feuilles (relancez « vif38-bilan historique --annee {y} » au besoin)."
            )
            return

    h.sources[y] = chemin
    h.empreintes[y] = classeur.sha256
    statuts: dict[str, str] = {}
    observations: dict[str, str] = {}
    valeurs: dict[tuple[str, int], Any] = {}
    cellules: dict[tuple[str, str], str] = {}
    codes = {a.code for a in protocole.actions}

    lignes = feuilles[FEUILLE_ACTIONS]
    tete = [str(v).strip() for v in (lignes[0] if lignes else [])]
    manque = [t for t in (COL_CODE, disposition.entete_statut(y), disposition.entete_observations(y)) if t not in tete]
    if manque:
        erreur(
            f"La feuille « {FEUILLE_ACTIONS} » de {chemin} n'a pas de colonne « {manque[0]} » en ligne 1 : ne modifiez pas les en-têtes.",
            FEUILLE_ACTIONS,
            "1",
        )
    else:
        jc, js, jo = (
            tete.index(COL_CODE),
            tete.index(disposition.entete_statut(y)),
            tete.index(disposition.entete_observations(y)),
        )
        for i, ligne in enumerate(lignes[1:], 2):
            code = _texte_cellule(ligne, jc)
            if not code:
                continue
            if code not in codes:
                avert(
                    f"Code action « {code} » inconnu en {_lettre(jc)}{i} : la ligne est ignorée.",
                    FEUILLE_ACTIONS,
                    f"{_lettre(jc)}{i}",
                    code,
                    "historique_code",
                )
                continue
            if code in statuts or code in observations:
                avert(
                    f"L'action {code} figure deux fois (ligne {i}) : seule la première ligne est lue.",
                    FEUILLE_ACTIONS,
                    f"{_lettre(jc)}{i}",
                    code,
                    "historique_doublon",
                )
                continue
            brut = _texte_cellule(ligne, js)
            ref = f"{_lettre(js)}{i}"
            if brut:
                s, _variante = normaliser_statut(brut)
                if s is None:
                    erreur(
                        f"Statut « {brut} » inconnu en {ref} (feuille « {FEUILLE_ACTIONS} », action {code}) : "
                        f"choisissez {', '.join(ORDRE_STATUTS[:-1])} ou {ORDRE_STATUTS[-1]}.",
                        FEUILLE_ACTIONS, ref, code, "statut_inconnu",
                    )  # fmt: skip
                else:
                    if s != brut:
                        avert(
                            f"Statut « {brut} » lu comme « {s} » en {ref} (action {code}).",
                            FEUILLE_ACTIONS,
                            ref,
                            code,
                            "statut_variante",
                        )
                    statuts[code] = s
                    cellules[(code, "Statut")] = ref
            obs = _texte_cellule(ligne, jo, garder_lignes=True)
            if obs:
                observations[code] = obs
                cellules[(code, "Observations")] = f"{_lettre(jo)}{i}"

    lignes = feuilles[FEUILLE_INDICATEURS]
    tete = [str(v).strip() for v in (lignes[0] if lignes else [])]
    manque = [t for t in (COL_CODE, COL_NUMERO, f"Valeur {y}") if t not in tete]
    if manque:
        erreur(
            f"La feuille « {FEUILLE_INDICATEURS} » de {chemin} n'a pas de colonne « {manque[0]} » en ligne 1 : ne modifiez pas les en-têtes.",
            FEUILLE_INDICATEURS,
            "1",
        )
    else:
        jc, jn, jv = tete.index(COL_CODE), tete.index(COL_NUMERO), tete.index(f"Valeur {y}")
        for i, ligne in enumerate(lignes[1:], 2):
            code = _texte_cellule(ligne, jc)
            if not code:
                continue
            ref = f"{_lettre(jv)}{i}"
            if code not in codes:
                avert(
                    f"Code action « {code} » inconnu en {_lettre(jc)}{i} : la ligne est ignorée.",
                    FEUILLE_INDICATEURS,
                    f"{_lettre(jc)}{i}",
                    code,
                    "historique_code",
                )
                continue
            action = protocole.action(code)
            num = _nombre(ligne[jn] if jn < len(ligne) else None)
            if not isinstance(num, int) or not 1 <= num <= len(action.indicateurs):
                erreur(
                    f"Numéro d'indicateur illisible en {_lettre(jn)}{i} (action {code}, {len(action.indicateurs)} indicateur(s)) : ne modifiez pas la colonne « {COL_NUMERO} ».",
                    FEUILLE_INDICATEURS, f"{_lettre(jn)}{i}", code,
                )  # fmt: skip
                continue
            k = num - 1
            brut = ligne[jv] if jv < len(ligne) else ""
            if brut == "" or brut is None or (isinstance(brut, str) and not brut.strip()):
                continue
            ind = action.indicateurs[k]
            # The same reading rules as the returns: "12 pers." is read 12 with a warning, "beaucoup" refused.
            if ind.type == "entier":
                v, message = lire_entier(brut)
            elif ind.type == "oui_non":
                v, message = lire_oui_non(brut)
            else:
                v, message = _texte_cellule([brut], 0, garder_lignes=True) or None, ""
            lieu = f"{ref} (feuille « {FEUILLE_INDICATEURS} », action {code}, « {ind.libelle} »)"
            if v is None:
                erreur(f"Valeur illisible en {lieu} : {message}", FEUILLE_INDICATEURS, ref, code, "valeur_illisible")
                continue
            if message:
                avert(f"En {lieu} : {message}", FEUILLE_INDICATEURS, ref, code, "valeur_variante")
            valeurs[(code, k)] = v
            cellules[(code, rubrique_indicateur(action, k))] = ref

    h.statuts[y] = statuts
    h.valeurs[y] = valeurs
    h.observations[y] = observations
    h.cellules[y] = cellules
    h.valeurs_par_pilote[y] = _valeurs_par_pilote(protocole, feuilles.get(FEUILLE_SOURCES, []), y)


def _valeurs_par_pilote(protocole: Protocole, lignes: list[list[Any]], y: int) -> dict[tuple[str, int, str], Any]:
    """(code, indicator index, pilot) → that pilot's own count of year y, from the sources sheet.

    The outlier rule compares a return with the same pilot's previous figure, not with the
    consolidated total of every pilot (a blank history typed by hand has no sources: no entry).
    """
    if not lignes:
        return {}
    tete = [str(v).strip() for v in lignes[0]]
    try:
        ja, jc, jr, jp, jv = (tete.index(t) for t in ("Année", COL_CODE, "Rubrique", "Pilote", "Valeur"))
    except ValueError:
        return {}
    codes = {a.code for a in protocole.actions}
    sortie: dict[tuple[str, int, str], Any] = {}
    for ligne in lignes[1:]:
        if len(ligne) <= max(ja, jc, jr, jp, jv) or _nombre(ligne[ja]) != y:
            continue
        code, rubrique, pilote = str(ligne[jc]).strip(), str(ligne[jr]), str(ligne[jp]).strip()
        m = re.match(r"Indicateur (\d+)", rubrique)
        v = _nombre(ligne[jv])
        if code not in codes or not m or not isinstance(v, int | float) or isinstance(v, bool):
            continue
        cle_ = (code, int(m.group(1)) - 1, pilote)
        sortie[cle_] = sortie.get(cle_, 0) + v
    return sortie


def _texte_cellule(ligne: list[Any], j: int, garder_lignes: bool = False) -> str:
    if j >= len(ligne):
        return ""
    v = ligne[j]
    if v is None:
        return ""
    if isinstance(v, float) and v.is_integer():
        v = int(v)
    t = str(v)
    if garder_lignes:
        return "\n".join(" ".join(x.split()) for x in t.strip().splitlines() if x.strip())
    return " ".join(t.split())
