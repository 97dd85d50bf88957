"""Indicator values written in an earlier Word bilan (issue 28), taken only when unambiguous.

A value is read for a count indicator ("Nombre de professionnels formés") from the observations of
its action and year: our own bilan's line "<libellé> : 156 …", or a number followed by the counted
noun ("156 professionnels"). One distinct number: taken, marked « repris du bilan Word » with its
place in the document. Several different numbers, or one number two indicators could claim:
never guessed, listed for review.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from vif38_bilan.referentiel.pilotes import cle
from vif38_bilan.referentiel.protocole import Action, Protocole
from vif38_bilan.commun.ecriture import mettre_texte
from vif38_bilan.consolidation.disposition import FEUILLE_CHIFFRES, FEUILLE_INDICATEURS, FEUILLE_SOURCES

REPRIS = "repris du bilan Word"
# A whole number as French texts write it: 156, 1 250, 1 250 (narrow no-break space).
NOMBRE = r"(?<![\d,.])(\d{1,3}(?:[ \u00a0\u202f]\d{3})+|\d+)(?![\d,.]\d)"
# Words between "Nombre de" and the counted noun that are not the noun.
VIDES = {"de", "d", "des", "du", "la", "le", "les", "l"}


@dataclass(frozen=True)
class ValeurReprise:
    """One indicator value taken from the document."""

    annee: int
    code: str
    k: int  # indicator index in the action
    valeur: int
    extrait: str  # the words it was read from
    lieu: str  # "tableau 12, action 1-1-1, observations 2021"


@dataclass(frozen=True)
class ValeurAmbigue:
    """Several readings for one indicator: listed for the agent, never written."""

    annee: int
    code: str
    libelle: str
    valeurs: tuple[int, ...]
    lieu: str


def _entier(texte: str) -> int:
    return int(re.sub(r"[ \u00a0\u202f]", "", texte))


def nom_compte(libelle: str) -> str | None:
    """The counted noun of a count indicator ("Nombre de professionnels formés" → "professionnel")."""
    k = cle(libelle).replace("'", " ")
    m = re.match(r"^nombre\s+(.*)$", k)
    if not m:
        return None
    mots = [x for x in m.group(1).split() if x not in VIDES]
    return mots[0].rstrip("sx") if mots else None


def _candidats(lignes: list[str], libelle: str, nom: str | None) -> tuple[list[tuple[int, str]], bool]:
    """(number, words read) for one indicator, and whether they come from our own bilan's exact line."""
    exacts: list[tuple[int, str]] = []
    libres: list[tuple[int, str]] = []
    compte = re.match(r"^Nombre\s+(?:de\s+|d['’]\s*)(.+)$", libelle, re.IGNORECASE)
    for ligne in lignes:
        if ligne.startswith(f"{libelle} : "):  # our own bilan's line: the value comes first
            m = re.match(NOMBRE, ligne[len(libelle) + 3 :])
            if m:
                exacts.append((_entier(m.group(1)), ligne[:120]))
            continue
        m = re.match(NOMBRE + r"\s+(.+)$", ligne)
        if m and compte and cle(m.group(2)).startswith(cle(compte.group(1))):  # "156 personnes formées — cible …"
            exacts.append((_entier(m.group(1)), ligne[:120]))
            continue
        if nom is None or re.match(r"^Cumul \d{4}-\d{4}", ligne):  # a period's total is not the year's
            continue
        for m in re.finditer(NOMBRE + r"\s+([\w'’-]+)", ligne):
            if cle(m.group(2)).rstrip("sx") == nom:
                libres.append((_entier(m.group(1)), m.group(0)))
    return (exacts, True) if exacts else (libres, False)


def valeurs_de_action(
    action: Action, annee: int, lignes: list[str], lieu: str
) -> tuple[list[ValeurReprise], list[ValeurAmbigue]]:
    """The count indicators' values written in one action's observations of one year.

    Args:
        action: the protocol's action (its indicators say what is counted).
        annee: the year of these observations.
        lignes: the observation lines as read in the document.
        lieu: where they were read, for the sources sheet and the review.
    Returns:
        (values taken, values left to the agent).
    """
    par_indicateur: dict[int, tuple[list[tuple[int, str]], bool]] = {}
    noms: dict[int, str | None] = {}
    for k, ind in enumerate(action.indicateurs):
        if ind.type == "entier":
            noms[k] = nom_compte(ind.libelle)
            par_indicateur[k] = _candidats(lignes, ind.libelle, noms[k])
    prises, ambigues = [], []
    for k, (trouves, exact) in par_indicateur.items():
        valeurs = sorted({v for v, _ in trouves})
        # Free text naming a noun two indicators count could belong to either: never guessed.
        partage = not exact and noms[k] is not None and sum(1 for n in noms.values() if n == noms[k]) > 1
        if not valeurs:
            continue
        if len(valeurs) == 1 and not partage:
            prises.append(ValeurReprise(annee, action.code, k, valeurs[0], trouves[0][1], lieu))
        else:
            ambigues.append(ValeurAmbigue(annee, action.code, action.indicateurs[k].libelle, tuple(valeurs), lieu))
    return prises, ambigues


def reprendre_valeurs(
    rangees: list, protocole, annees: tuple[int, ...]
) -> tuple[list[ValeurReprise], list[ValeurAmbigue]]:
    """Every unambiguous count in the observations of the document's action rows (consolidation's
    Rangee: code, tableau, observations by year), for the protocol's years."""
    codes = {a.code for a in protocole.actions}
    prises: list[ValeurReprise] = []
    ambigues: list[ValeurAmbigue] = []
    for x in rangees:
        if x.code not in codes:
            continue
        for y in annees:
            lignes = x.observations.get(y) or []
            if lignes:
                p, a = valeurs_de_action(
                    protocole.action(x.code), y, lignes, f"tableau {x.tableau}, action {x.code}, observations {y}"
                )
                prises += p
                ambigues += a
    return prises, ambigues


@dataclass(frozen=True)
class ChiffreRepris:
    """One key-figure value read in a year-by-year table of an observation cell."""

    annee: int
    code: str  # row code of the series ("hu_fvv", "siao_115.demandes")
    valeur: int
    extrait: str
    lieu: str


def _mots(texte: str) -> set[str]:
    return {m.rstrip("sx") for m in re.findall(r"[a-z0-9]+", cle(texte)) if len(m) > 1}


def _serie_de(titre: str, protocole: Protocole) -> list[str]:
    """Row codes whose series' label and code hold every word of the table's title."""
    mots = _mots(titre)
    if not mots:
        return []
    return [
        code
        for s in protocole.chiffres
        for code, detail in s.codes
        if mots <= _mots(f"{s.libelle} {s.id.replace('_', ' ')} {detail}")
    ]


def tableaux_annuels(lignes: list[str]) -> list[tuple[str, dict[int, int]]]:
    """(title, {year: value}) for each small table of a cell: a title line, a line of years
    ("2018 | 2019 | 2020"), a line of as many whole numbers."""
    sortie = []
    for i in range(1, len(lignes) - 1):
        annees = [x.strip() for x in lignes[i].split("|")]
        valeurs = [x.strip() for x in lignes[i + 1].split("|")]
        if len(annees) < 2 or not all(re.fullmatch(r"(?:19|20)\d\d", a) for a in annees):
            continue
        if len(valeurs) != len(annees) or not all(re.fullmatch(NOMBRE, v) for v in valeurs):
            continue
        sortie.append((lignes[i - 1], {int(a): _entier(v) for a, v in zip(annees, valeurs, strict=True)}))
    return sortie


def reprendre_chiffres(
    rangees: list, protocole: Protocole, annees: tuple[int, ...]
) -> tuple[list[ChiffreRepris], list[ValeurAmbigue]]:
    """Key-figure values of the year tables nested in observation cells (the HU FVV table of 1-4-1).

    A value is taken for a year the import writes when the table's title names one series row only;
    a title naming none or several, or a year the import does not write whose value differs from the
    series' known history, is left to the agent (a value already known is not repeated)."""
    prises: list[ChiffreRepris] = []
    ambigues: list[ValeurAmbigue] = []
    for x in rangees:
        for y, lignes in x.observations.items():
            for titre, valeurs in tableaux_annuels(lignes):
                lieu = f"tableau {x.tableau}, action {x.code}, observations {y}, tableau « {titre} »"
                codes = _serie_de(titre, protocole)
                if len(codes) != 1:
                    ambigues.append(ValeurAmbigue(min(valeurs), x.code, titre, tuple(valeurs.values()), lieu))
                    continue
                serie = next(s for s in protocole.chiffres if codes[0] in dict(s.codes))
                for an, v in valeurs.items():
                    connue = serie.connue(codes[0].partition(".")[2], an)
                    if an in annees:
                        prises.append(ChiffreRepris(an, codes[0], v, f"{titre} {an} : {v}", lieu))
                    elif connue is None or connue.valeur != v:
                        ambigues.append(ValeurAmbigue(an, x.code, f"chiffre clé {codes[0]} ({an}, hors des années "
                                                      "importées)", (v,), lieu))  # fmt: skip
    return prises, ambigues


def _source(sources, annee: int, code: str, rubrique: str, valeur: int, document: str, lieu: str, extrait: str) -> None:
    """One row of the sources sheet: a value « repris du bilan Word » and its place in the document."""
    n = sources.max_row + 1
    for j, x in enumerate([annee, code, rubrique, "", "", valeur, document, lieu, f"« {extrait} »", ""], 1):
        if isinstance(x, int):
            sources.cell(n, j).value = x
        else:
            mettre_texte(sources.cell(n, j), x)


def ecrire_valeurs(
    wb, annee: int, importees: tuple[int, ...], prises: list[ValeurReprise], ambigues: list[ValeurAmbigue],
    source: str, chiffres: list[ChiffreRepris] = (),
) -> None:  # fmt: skip
    """Into the history workbook of annee (openpyxl): each value in « Valeur AAAA » of the indicators
    (and key figures) sheet, a sources row « repris du bilan Word » with its place, and a « Revue »
    sheet for the ambiguous ones (importees: the years the import writes)."""
    ws = wb[FEUILLE_INDICATEURS]
    jv = [c.value for c in ws[1]].index(f"Valeur {annee}") + 1
    lignes = {(ws.cell(r, 1).value, ws.cell(r, 2).value): r for r in range(2, ws.max_row + 1)}
    sources = wb[FEUILLE_SOURCES]
    for v in (v for v in prises if v.annee == annee and (v.code, v.k + 1) in lignes):
        ws.cell(lignes[(v.code, v.k + 1)], jv).value = v.valeur
        _source(sources, annee, v.code, f"Indicateur {v.k + 1} ({REPRIS})", v.valeur, source, v.lieu, v.extrait)
    if FEUILLE_CHIFFRES in wb.sheetnames:
        fc = wb[FEUILLE_CHIFFRES]
        jc = fc.max_column  # the blank history's key-figure sheet: « Valeur AAAA » last
        rangs = {fc.cell(r, 1).value: r for r in range(2, fc.max_row + 1)}
        for c in (c for c in chiffres if c.annee == annee and c.code in rangs):
            fc.cell(rangs[c.code], jc).value = c.valeur
            _source(sources, annee, c.code, f"Chiffre clé ({REPRIS})", c.valeur, source, c.lieu, c.extrait)
    # A value of a year no workbook is written for is listed in the first year's.
    siennes = [a for a in ambigues if a.annee == annee or a.annee not in importees and annee == min(importees)]
    if siennes:
        _revue(wb, siennes)


def _revue(wb, ambigues: list[ValeurAmbigue]) -> None:
    revue = wb.create_sheet("Revue")
    revue.append(["Année", "Code action", "Indicateur", "Valeurs lues", "Où", "À faire"])
    for a in ambigues:
        rangee = [str(a.annee), a.code, a.libelle, " ; ".join(map(str, a.valeurs)), a.lieu,
                  "Plusieurs lectures possibles : saisissez la bonne valeur dans la feuille indicateurs, ou laissez vide."]  # fmt: skip
        r = revue.max_row + 1
        for j, x in enumerate(rangee, 1):
            mettre_texte(revue.cell(r, j), x)


def phrase_indicateur(ligne: str, protocole: Protocole, code: str) -> bool:
    """True for the lines our own bilan adds after the observations (indicator against target, cumul)."""
    ligne = re.sub(r"[\u00a0\u202f]", " ", ligne)  # the bilan's narrow no-break spaces (issue 23)
    if re.match(r"^(Cumul|Évolution) \d{4}-\d{4} : |^Réalisé depuis \d{4}$", ligne):
        return True
    try:
        action = protocole.action(code)
    except KeyError:
        return False
    for ind in action.indicateurs:
        if ligne.startswith((f"{ind.libelle} : ", f"{ind.libelle} déclaré : ")):
            return True
        for tete in ("Nombre de ", "Nombre d'", "Nombre d’"):
            if ind.libelle.startswith(tete):
                compte = ind.libelle[len(tete) :].strip()
                if re.match(rf"^[\d\s\u00a0\u202f,]+ {re.escape(compte)}\b", ligne):
                    return True
    return False
