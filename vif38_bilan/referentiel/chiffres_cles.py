"""Key figures ("chiffres clés") as data of the referential: the series, their rows, their history.

A series is a figure the signatories follow year after year (places of emergency housing, the
prostitution commission's decisions...), provided by one or a few pilots. It has one row, or
several breakdown rows shown as one table (the commission's six counts; women / children).
Values of years before the protocol come with the referential, each with its source; the
protocol's own years come from the pilots' returns (consolidated, then read back as history).

Row codes: "<series id>" for a one-row series, "<series id>.<row id>" otherwise. They identify a
row in the pilots' workbooks, the consolidation workbook and the history: never renamed.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from typing import Any

from vif38_bilan.referentiel.temporalite import temporalite_entree

AXE_GENERAL = "général"

# How the returns of several providers add up (the vocabulary of the indicators' rules):
# "somme": each provider counts its own part (police and gendarmerie zones);
# "maximum": providers report the same figure seen from different places, the largest stands;
# "chef_de_file": one figure, the first pilot's stands (the others only when it has none).
AGREGATIONS: dict[str, str] = {
    "somme": "les valeurs des pilotes s'additionnent",
    "maximum": "la plus grande valeur déclarée est retenue",
    "chef_de_file": "la valeur du premier pilote cité est retenue (à défaut, celle d'un autre pilote)",
}

_ID = re.compile(r"^[a-z0-9_]+$")


@dataclass(frozen=True)
class LigneChiffre:
    """One breakdown row of a series ("autorisations", "femmes")."""

    id: str
    libelle: str


@dataclass(frozen=True)
class ValeurConnue:
    """A value known before the tool (from the protocol text or an earlier bilan), with its source.

    periode: set when the value covers several years (the commission's counts "juin 2017-2021"):
    it is shown under that label, never compared with a single year nor charted.
    """

    annee: int
    ligne: str  # row id, "" for a one-row series
    valeur: int
    source: str
    periode: str = ""


@dataclass(frozen=True)
class SerieChiffre:
    id: str
    libelle: str
    unite: str
    axe: int | None  # None: the general section
    pilotes: tuple[str, ...]
    agregation: str = "somme"
    lignes: tuple[LigneChiffre, ...] = ()
    temporalite: str = "flux"  # flux (counted in the year) or stock (level at year end): referentiel.temporalite
    historique: tuple[ValeurConnue, ...] = ()

    @property
    def codes(self) -> list[tuple[str, str]]:
        """(row code, row label) of every row; the label is "" for a one-row series."""
        if not self.lignes:
            return [(self.id, "")]
        return [(code_ligne(self.id, li.id), li.libelle) for li in self.lignes]

    def connue(self, ligne: str, annee: int) -> ValeurConnue | None:
        return next((v for v in self.historique if v.ligne == ligne and v.annee == annee), None)


def code_ligne(serie: str, ligne: str = "") -> str:
    return f"{serie}.{ligne}" if ligne else serie


def decouper_code(code: str) -> tuple[str, str]:
    """Row code → (series id, row id)."""
    serie, _, ligne = code.partition(".")
    return serie, ligne


def codes_du_pilote(series: Iterable[SerieChiffre], pilote: str) -> list[str]:
    return [code for s in series if pilote in s.pilotes for code, _ in s.codes]


def valeurs_connues(
    serie: SerieChiffre, historique: Mapping[int, Mapping[str, Any]], avant: int
) -> dict[str, dict[int, Any]]:
    """Row code → year → value for the years before `avant`: the history workbooks (the protocol's
    years, consolidated or typed by hand) override the referential's values of the same year."""
    sortie: dict[str, dict[int, Any]] = {code: {} for code, _ in serie.codes}
    for v in serie.historique:
        if v.annee < avant:
            sortie[code_ligne(serie.id, v.ligne)][v.annee] = v.valeur
    for annee, valeurs in historique.items():
        if annee >= avant:
            continue
        for code in sortie:
            if valeurs.get(code) is not None:
                sortie[code][annee] = valeurs[code]
    return sortie


# ---------------------------------------------------------------- reading and writing plain data


def lire_series(
    entrees: list, fautes: list[str], actions: Iterable[Any], codes_pilotes: Iterable[str], axes: set[int]
) -> tuple[SerieChiffre, ...]:
    """Validate the "chiffres" entries of a referential (TOML, JSON or workbook); faults in French.
    actions: the protocol's actions (a providing pilot must have one: it receives a workbook)."""
    pilotes_actifs = {c for a in actions for c in a.pilotes}
    codes_pilotes = set(codes_pilotes)
    series: list[SerieChiffre] = []
    vus: set[str] = set()
    for i, e in enumerate(entrees, 1):
        if not isinstance(e, dict):
            fautes.append(f"chiffre clé n°{i} : une table de clés est attendue")
            continue
        ident = _texte(e.get("id"))
        lieu = f"chiffre clé « {ident} »" if ident else f"chiffre clé n°{i}"
        if not ident:
            fautes.append(f"{lieu} : champ « id » manquant")
        elif not _ID.match(ident):
            fautes.append(f"{lieu} : l'identifiant ne doit contenir que des minuscules sans accent, chiffres et _")
        elif ident in vus:
            fautes.append(f"{lieu} : identifiant en double")
        vus.add(ident)
        libelle = _texte(e.get("libelle"))
        if not libelle:
            fautes.append(f"{lieu} : champ « libelle » manquant")
        axe = _axe(e.get("axe"), axes, lieu, fautes)
        pilotes = _liste(e.get("pilotes"))
        if not pilotes:
            fautes.append(f"{lieu} : aucun pilote (les codes des pilotes qui fournissent ce chiffre)")
        for c in pilotes:
            if c not in codes_pilotes:
                fautes.append(f"{lieu} : code pilote « {c} » inconnu")
            elif c not in pilotes_actifs:
                fautes.append(f"{lieu} : le pilote « {c} » n'a aucune action, il ne reçoit pas de classeur")
        agregation = _texte(e.get("agregation")) or "somme"
        if agregation not in AGREGATIONS:
            fautes.append(f"{lieu} : agrégation « {agregation} » inconnue ({', '.join(AGREGATIONS)})")
        temporalite = temporalite_entree(e, "entier", lieu, fautes)
        lignes = []
        for k, li in enumerate(e.get("lignes") or [], 1):
            lid = _texte(li.get("id")) if isinstance(li, dict) else ""
            if not lid or not _ID.match(lid):
                fautes.append(f"{lieu}, ligne {k} : identifiant manquant ou invalide (minuscules, chiffres et _)")
            libelle_ligne = _texte(li.get("libelle")) if isinstance(li, dict) else ""
            lignes.append(LigneChiffre(lid, libelle_ligne or lid))
        ids_lignes = [li.id for li in lignes]
        for lid in sorted({x for x in ids_lignes if ids_lignes.count(x) > 1}):
            fautes.append(f"{lieu} : ligne « {lid} » en double")
        historique = []
        for k, h in enumerate(e.get("historique") or [], 1):
            v = _valeur_connue(h, f"{lieu}, valeur connue n°{k}", set(ids_lignes), fautes)
            if v is not None:
                historique.append(v)
        cles = [(v.ligne, v.annee) for v in historique]
        for ligne, annee in sorted({c for c in cles if cles.count(c) > 1}):
            fautes.append(f"{lieu} : deux valeurs connues pour {annee}{f' (ligne {ligne})' if ligne else ''}")
        series.append(
            SerieChiffre(
                id=ident,
                libelle=libelle,
                unite=_texte(e.get("unite")),
                axe=axe,
                pilotes=tuple(dict.fromkeys(pilotes)),
                agregation=agregation,
                lignes=tuple(lignes),
                temporalite=temporalite,
                historique=tuple(sorted(historique, key=lambda v: (v.annee, v.ligne))),
            )
        )
    return tuple(series)


def _valeur_connue(h: Any, lieu: str, lignes: set[str], fautes: list[str]) -> ValeurConnue | None:
    if not isinstance(h, dict):
        fautes.append(f"{lieu} : une table de clés est attendue")
        return None
    annee, valeur = _entier(h.get("annee")), _entier(h.get("valeur"))
    ligne = _texte(h.get("ligne"))
    source = _texte(h.get("source"))
    ok = True
    if annee is None or not 1900 < annee < 2200:
        fautes.append(f"{lieu} : année manquante ou illisible ({h.get('annee')!r})")
        ok = False
    if valeur is None or valeur < 0:
        fautes.append(f"{lieu} : la valeur doit être un nombre entier positif ou nul (lu : {h.get('valeur')!r})")
        ok = False
    if lignes and ligne not in lignes:
        fautes.append(f"{lieu} : ligne « {ligne} » inconnue (lignes : {', '.join(sorted(lignes))})")
        ok = False
    if not lignes and ligne:
        fautes.append(f"{lieu} : ligne « {ligne} » alors que le chiffre n'a pas de lignes de détail")
        ok = False
    if not source:
        fautes.append(f"{lieu} : la source est obligatoire (ex. « bilan du protocole 2019-2021 »)")
        ok = False
    if not ok:
        return None
    return ValeurConnue(annee, ligne, valeur, source, _texte(h.get("periode")))


def series_vers_dict(series: Iterable[SerieChiffre]) -> list[dict[str, Any]]:
    return [
        {
            "id": s.id,
            "libelle": s.libelle,
            "unite": s.unite,
            "axe": s.axe if s.axe is not None else AXE_GENERAL,
            "pilotes": list(s.pilotes),
            "agregation": s.agregation,
            "temporalite": s.temporalite,
            "lignes": [{"id": li.id, "libelle": li.libelle} for li in s.lignes],
            "historique": [
                {
                    "annee": v.annee,
                    "valeur": v.valeur,
                    "source": v.source,
                    **({"ligne": v.ligne} if v.ligne else {}),
                    **({"periode": v.periode} if v.periode else {}),
                }
                for v in s.historique
            ],
        }
        for s in series
    ]


def _texte(v: Any) -> str:
    if v is None:
        return ""
    if isinstance(v, float) and v.is_integer():
        v = int(v)
    return " ".join(str(v).split())


def _entier(v: Any) -> int | None:
    if isinstance(v, bool):
        return None
    if isinstance(v, int):
        return v
    if isinstance(v, float) and v.is_integer():
        return int(v)
    if isinstance(v, str) and v.strip().isdigit():
        return int(v.strip())
    return None


def _liste(v: Any) -> list[str]:
    if isinstance(v, str):
        v = v.replace("|", ",").split(",")
    return [str(x).strip() for x in (v or []) if str(x).strip()]


def _axe(v: Any, axes: set[int], lieu: str, fautes: list[str]) -> int | None:
    t = _texte(v)
    if t.casefold() in ("", "general", AXE_GENERAL):
        return None
    n = _entier(t)
    if n is None or n not in axes:
        fautes.append(f"{lieu} : axe « {t} » inconnu (un numéro d'axe ou « {AXE_GENERAL} »)")
        return None
    return n
