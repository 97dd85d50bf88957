"""The parts of a protocol's Word document: objective tables, the calendar, the signatories.

Each reader takes what it can and says what it could not in review lines (Inference); none
raises on an odd layout. Objective tables may be split across pages (a continuation table, with
or without the title row repeated), laid out with the row names in the first column or in the
first row, hold merged cells; the calendar may be one table with merged axis rows or several
tables; signatories may be paragraphs (soft line breaks or not) or a table.
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass, field
from typing import Any

from vif38_bilan.imports.document import Case, Tableau, espaces
from vif38_bilan.referentiel.pilotes import AliasMultiple, Annuaire, Pilote, cle
from vif38_bilan.referentiel.protocole import Protocole

RE_OBJECTIF = re.compile(r"^Objectif\s+n\s*°\s*(\d+)\s*[:.\-–]?\s*(.*)$", re.IGNORECASE | re.DOTALL)
RE_CAL_OBJECTIF = re.compile(r"^(?:Objectif\s+)?N\s*°\s*(\d+)\s*[:.\-–]?\s*(.*)$", re.IGNORECASE)
RE_ANNEE = re.compile(r"^(?:19|20)\d\d$")
RE_CIVILITE = re.compile(r"^(Madame|Monsieur|Mme|M\.|Mlle)\s", re.IGNORECASE)
# Row names of an objective table (matching key prefix → field).
NOMS_LIGNES = (
    ("description", "description"),
    ("actions", "description"),
    ("pilot", "pilotage"),
    ("autres acteurs", "autres_acteurs"),
    ("partenaires", "autres_acteurs"),
    ("echeance", "echeance"),
    ("delai", "echeance"),
    ("indicateur", "indicateurs"),
)


@dataclass(frozen=True)
class Inference:
    """One decision of the reader the agent should check (a line of the "Revue" sheet)."""

    quoi: str  # "Pilotes", "Nouvelle organisation", "Cible", "À compléter", "Cellule fusionnée", …
    ou: str  # "action 1-1-1", "objectif 14", "titre", "calendrier", "tableau 12 du document"
    lu: str
    retenu: str
    a_verifier: str = ""


def nom_ligne(texte: str) -> str | None:
    """The field an objective table's row (or column) name stands for, or None."""
    k = cle(texte)
    if not k or len(k) > 40:
        return None
    return next((nom for debut, nom in NOMS_LIGNES if k.startswith(debut)), None)


def titre_objectif(t: Tableau) -> re.Match | None:
    """The "Objectif n° N : …" title row of a table (its first cell), if any."""
    if not t.rangees or not t.rangees[0]:
        return None
    return RE_OBJECTIF.match(espaces(t.rangees[0][0].texte))


def est_tableau_objectif(t: Tableau) -> bool:
    """A title row, or at least two row names (first column or first row) of an objective table."""
    if titre_objectif(t):
        return True
    en_colonne = {nom_ligne(r[0].texte) for r in t.rangees if r} - {None}
    en_ligne = {nom_ligne(c.texte) for c in (t.rangees[0] if t.rangees else [])} - {None}
    return len(en_colonne) >= 2 or len(en_ligne) >= 2


# ---------------------------------------------------------------- objective tables


@dataclass
class _Groupe:
    """A "Description des actions" row and the rows read with it (same table: by grid column;
    a continuation table: by position)."""

    colonnes: list[Case]
    tableau: int
    lignes: dict[str, tuple[int, list[Case]]] = field(default_factory=dict)


def _transposer(t: Tableau) -> Tableau:
    """Row names in the first row, one row per action → row names in the first column."""
    corps = [r for r in t.rangees[1:] if r and any(c.texte for c in r)]
    rangees = []
    for case in t.rangees[0]:
        ligne = [Case(case.texte, 0, 0, case.lignes)]
        for k, r in enumerate(corps, 1):
            c = next((x for x in r if x.debut <= case.debut <= x.fin), None)
            ligne.append(Case(c.texte if c else "", k, k, c.lignes if c else (), bool(c and c.fusion_verticale)))
        rangees.append(ligne)
    return Tableau(rangees, t.numero)


def _orienter(t: Tableau) -> Tableau:
    debut = 1 if titre_objectif(t) else 0
    reste = Tableau(t.rangees[debut:], t.numero)
    if not reste.rangees:
        return reste
    en_colonne = sum(1 for r in reste.rangees if r and nom_ligne(r[0].texte))
    en_ligne = sum(1 for c in reste.rangees[0] if nom_ligne(c.texte))
    return _transposer(reste) if en_ligne >= 2 and en_ligne > en_colonne else reste


def _groupes(morceaux: list[Tableau]) -> list[_Groupe]:
    groupes: list[_Groupe] = []
    for t in map(_orienter, morceaux):
        dernier: str | None = None
        for rangee in t.rangees:
            if not rangee or RE_OBJECTIF.match(espaces(rangee[0].texte)):
                continue  # a title row repeated on the next page
            nom = nom_ligne(rangee[0].texte)
            cases = rangee[1:]
            if nom == "description":
                colonnes = [c for c in cases if c.texte]
                repete = groupes and [c.texte for c in groupes[-1].colonnes] == [c.texte for c in colonnes]
                if colonnes and not repete:
                    groupes.append(_Groupe(colonnes, t.numero))
                dernier = nom
            elif nom and groupes:
                groupes[-1].lignes.setdefault(nom, (t.numero, cases))
                dernier = nom
            elif not nom and not rangee[0].texte and dernier and groupes and any(c.texte for c in cases):
                # A row cut by a page break: the rest of the cells, without the row name.
                g = groupes[-1]
                if dernier == "description":
                    g.colonnes = [_recoller(c, cases, g.tableau == t.numero, k) for k, c in enumerate(g.colonnes)]
                elif dernier in g.lignes:
                    num, avant = g.lignes[dernier]
                    g.lignes[dernier] = (num, [_recoller(c, cases, num == t.numero, k) for k, c in enumerate(avant)])
    return groupes


def _recoller(case: Case, suite: list[Case], meme_grille: bool, k: int) -> Case:
    pleines = [c for c in suite if c.texte]
    if meme_grille:
        autre = next((c for c in suite if c.debut <= case.debut <= c.fin), None)
    else:
        autre = pleines[k] if k < len(pleines) else None
    if autre is None or not autre.texte:
        return case
    return Case(espaces(f"{case.texte} {autre.texte}"), case.debut, case.fin, (*case.lignes, *autre.lignes))


def lire_objectif(morceaux: list[Tableau], numero: int, revue: list[Inference]) -> list[dict[str, Any]]:
    """One dict per action (description, pilotage, autres_acteurs, echeance, indicateurs, rang,
    fusions), read from the objective's table(s); merged cells spread over the actions they cover."""
    ou = f"objectif {numero}"
    actions: list[dict[str, Any]] = []
    for g in _groupes(morceaux):
        for k, col in enumerate(g.colonnes):
            a: dict[str, Any] = {"description": espaces(col.texte), "rang": len(actions) + 1}
            for nom, (num, cases) in g.lignes.items():
                case, fusion = _case_de(col, g, num, cases, k)
                a[nom] = espaces(case.texte) if case else ""
                if fusion:
                    a.setdefault("fusions", []).append(nom)
            actions.append(a)
        _fusions(g, ou, revue)
    if not actions:
        revue.append(
            Inference(
                "À compléter",
                f"{ou} (tableau {morceaux[0].numero} du document)",
                " | ".join(espaces(r[0].texte) for r in morceaux[0].rangees if r)[:200],
                "aucune action lue : pas de ligne « Description des actions » reconnue",
                "Ajoutez les actions de cet objectif dans la feuille Actions (une ligne par action).",
            )
        )
    return actions


def _case_de(col: Case, g: _Groupe, num: int, cases: list[Case], k: int) -> tuple[Case | None, bool]:
    """The cell of a row for one action column, and whether it is shared with other actions."""
    if num == g.tableau:
        case = next((c for c in cases if c.debut <= col.debut <= c.fin), None)
        return case, case is not None and (case.debut != col.debut or case.fin > col.fin)
    pleines = [c for c in cases if c.texte]
    if len(pleines) == 1 and len(g.colonnes) > 1:
        return pleines[0], True
    return (pleines[k] if k < len(pleines) else None), False


def _fusions(g: _Groupe, ou: str, revue: list[Inference]) -> None:
    for nom, (num, cases) in g.lignes.items():
        if num != g.tableau:
            continue
        for case in cases:
            couvertes = [k for k, c in enumerate(g.colonnes, 1) if case.debut <= c.debut and c.fin <= case.fin]
            if len(couvertes) > 1 and case.texte:
                revue.append(
                    Inference(
                        "Cellule fusionnée",
                        ou,
                        f"{dict((n, x) for x, n in NOMS_LIGNES).get(nom, nom)} : « {espaces(case.texte)} »",
                        f"appliqué aux actions {', '.join(str(k) for k in couvertes)} de l'objectif",
                        "Une seule valeur pour plusieurs actions : vérifiez qu'elle vaut pour chacune.",
                    )
                )


# ---------------------------------------------------------------- objectives written as text

RE_ACTION = re.compile(r"^Action\s*(?:n\s*°\s*)?\d*\s*[:.\-–)]\s*(.+)$", re.IGNORECASE | re.DOTALL)
RE_CHAMP = re.compile(r"^([^:]{3,40}?)\s*:\s*(.*)$", re.DOTALL)


def action_texte(actions: list[dict[str, Any]], texte: str, liste: bool) -> bool:
    """One paragraph of an objective written without a table: a field of the current action
    ("Pilote : DDFE", "Échéance : 2026", "Indicateur : …"), or a new action ("Action 2 : …", or a
    list item). Returns whether the paragraph was taken."""
    m = RE_CHAMP.match(texte)
    nom = nom_ligne(m.group(1)) if m else None
    if nom and nom != "description" and actions:
        actions[-1][nom] = espaces(m.group(2))
        return True
    m = RE_ACTION.match(texte)
    if m or liste:
        description = m.group(1) if m else re.sub(r"^\(?[0-9A-Za-z]{1,3}[.)]\s+", "", texte)  # "1." of a numbered list
        actions.append({"description": espaces(description), "rang": len(actions) + 1})
        return True
    return False


# ---------------------------------------------------------------- the calendar


def entete_calendrier(t: Tableau) -> tuple[int, dict[int, int]] | None:
    """(header row index, {grid column: year}) when the table is a calendar: a row of the first
    three naming « objectifs » (or « actions ») then at least one year column."""
    for r, rangee in enumerate(t.rangees[:3]):
        annees = {c.debut: int(c.texte) for c in rangee if RE_ANNEE.match(c.texte.strip())}
        if annees and rangee and cle(rangee[0].texte).startswith(("objectif", "action")):
            return r, annees
    return None


def lire_calendrier(t: Tableau, d: dict[str, Any], revue: list[Inference]) -> None:
    """The calendar rows of one table into d["calendrier"]; axis rows (merged across), repeated
    header rows and section rows are skipped; a row without its "N°" continues the one above."""
    entete = entete_calendrier(t)
    if entete is None:
        return
    r0, annees = entete
    acteurs = next((c.debut for c in t.rangees[r0] if cle(c.texte).startswith("acteur")), None)
    for rangee in t.rangees[r0 + 1 :]:
        if not rangee or not any(c.texte for c in rangee) or entete_calendrier(Tableau([rangee], 0)):
            continue
        if len(rangee) == 1 or rangee[0].fin >= max(annees):
            continue  # an axis or section title merged across the table

        def texte(j: int | None, rangee=rangee) -> str:
            c = next((x for x in rangee if j is not None and x.debut <= j <= x.fin), None)
            return espaces(c.texte) if c else ""

        premiere = espaces(rangee[0].texte)
        m = RE_CAL_OBJECTIF.match(premiere)
        if m:
            d["calendrier"].append(
                {
                    "objectif": int(m.group(1)),
                    "acteurs": texte(acteurs).rstrip(", "),
                    "statuts": [texte(j) for j in sorted(annees)],
                    "_tete": [str(annees[j]) for j in sorted(annees)],
                }
            )
        elif d["calendrier"]:
            _suite_calendrier(d["calendrier"][-1], texte(acteurs), rangee, revue)
        else:
            revue.append(
                Inference("Calendrier", f"tableau {t.numero} du document", premiere, "ligne sans « N° » : ignorée",
                          "Complétez la feuille Calendrier si cette ligne est un objectif.")
            )  # fmt: skip


def _suite_calendrier(prec: dict[str, Any], suite: str, rangee: list[Case], revue: list[Inference]) -> None:
    """A calendar row cut by a page break: its continuation has no "N°"."""
    avant = prec["acteurs"]
    if suite:
        joint = f"{avant}, {suite}" if avant and not avant.endswith(",") else f"{avant} {suite}"
        prec["acteurs"] = espaces(joint).replace(",,", ",").strip(", ")
    revue.append(
        Inference(
            "Calendrier",
            f"objectif {prec['objectif']}",
            " | ".join(espaces(c.texte) for c in rangee if c.texte),
            "ligne coupée recollée à la précédente",
            "Vérifiez les acteurs de cet objectif dans la feuille Calendrier.",
        )
    )


# ---------------------------------------------------------------- the signatories


def blocs_signataires(lignes: list[str]) -> list[list[str]]:
    """Lines of one signatory block → one list per signatory: split before each civility line
    when the block holds several ("Madame A / Préfète / Monsieur B / Procureur")."""
    sortie: list[list[str]] = []
    for ligne in lignes:
        if RE_CIVILITE.match(ligne) and sortie and any(RE_CIVILITE.match(x) for x in sortie[-1]):
            sortie.append([])
        if not sortie:
            sortie.append([])
        sortie[-1].append(ligne)
    return sortie


def lire_autorite(lignes: list[str], ou: str, d: dict[str, Any], revue: list[Inference]) -> None:
    """One signatory's lines (name with its civility, function before or after, "En présence de")
    into d["autorites"] or d["en_presence_de"]; what cannot be told goes to the review sheet."""
    lignes = [espaces(x) for x in lignes if espaces(x)]
    presence = bool(lignes) and cle(lignes[0]).startswith("en presence")
    if presence:
        lignes = lignes[1:]
    if not lignes:
        return
    k = next((i for i, x in enumerate(lignes) if RE_CIVILITE.match(x)), None)
    if k is None:
        revue.append(
            Inference("À compléter", ou, " / ".join(lignes), "signataire non reconnu (pas de « Madame » ni « Monsieur »)",
                      "Si c'est une autorité signataire, ajoutez son nom et sa fonction dans la feuille Autorités.")
        )  # fmt: skip
        return
    entree = {"nom": lignes[k].rstrip(" ,"), "fonction": " ".join(lignes[:k] + lignes[k + 1 :]).strip()}
    d["en_presence_de" if presence else "autorites"].append(entree)
    if not entree["fonction"]:
        revue.append(
            Inference("À compléter", ou, entree["nom"], "fonction non trouvée dans le document",
                      "Saisissez la fonction de cette autorité dans la feuille Autorités (colonne « Fonction »).")
        )  # fmt: skip


def signataires_tableau(t: Tableau, d: dict[str, Any], revue: list[Inference]) -> None:
    """A signature table: "name | function" rows, or one signatory (or several) per cell."""
    for r, rangee in enumerate(t.rangees, 1):
        ou = f"signataires (tableau {t.numero} du document, ligne {r})"
        cases = [c for c in rangee if c.texte]
        if len(cases) == 2 and RE_CIVILITE.match(cases[0].texte) and not RE_CIVILITE.match(cases[1].texte):
            lire_autorite([*cases[0].lignes, *cases[1].lignes], ou, d, revue)
            continue
        for c in cases:
            for bloc in blocs_signataires(list(c.lignes)):
                lire_autorite(bloc, ou, d, revue)


# ---------------------------------------------------------------- pilots


def code_pour(texte: str) -> str:
    """'Déléguée du préfet' → 'DELEGUEE_DU_PREFET'."""
    t = unicodedata.normalize("NFKD", texte)
    t = "".join(c for c in t if not unicodedata.combining(c))
    return re.sub(r"[^A-Za-z0-9]+", "_", t).strip("_").upper()[:40] or "PILOTE"


def coder_pilotes(
    pilotages: list[tuple[str, str]], base: Protocole, revue: list[Inference]
) -> tuple[dict[str, list[str]], list[Pilote], list[AliasMultiple]]:
    """Split each (place, Pilotage text) with the base directory; unknown organisations get a code.

    Returns codes per place, the pilots used (base order, then new ones) and the multiple aliases kept.
    """
    nouveaux: list[Pilote] = []
    annuaire = Annuaire(base.pilotes, base.alias_multiples)
    codes_par_lieu: dict[str, list[str]] = {}
    for lieu, texte in pilotages:
        codes, inconnus = annuaire.decouper(texte)
        for morceau in inconnus:
            if annuaire.chercher(morceau):  # the same unknown name twice in one text
                continue
            code = code_pour(morceau)
            pris = {p.code for p in (*base.pilotes, *nouveaux)}
            if code in pris:
                code = next(f"{code}_{i}" for i in range(2, 999) if f"{code}_{i}" not in pris)
            collectif = morceau[:1].islower() or morceau.split()[0].lower().endswith("s") and not morceau.isupper()
            nouveaux.append(Pilote(code, morceau, (morceau,), collectif))
            revue.append(
                Inference(
                    "Nouvelle organisation",
                    lieu,
                    morceau,
                    f"code {code}" + (" (collectif)" if collectif else ""),
                    "Vérifiez le code, le nom complet et « collectif » (feuille Pilotes) ; "
                    "si c'est une organisation déjà connue, ajoutez ce texte à ses alias.",
                )
            )
            annuaire = Annuaire((*base.pilotes, *nouveaux), base.alias_multiples)
        if inconnus:
            codes, _ = annuaire.decouper(texte)
        codes_par_lieu[lieu] = codes
        revue.append(
            Inference("Pilotes", lieu, texte, ", ".join(codes) or "(aucun)", "Le premier code est le chef de file.")
        )
    utilises = {c for codes in codes_par_lieu.values() for c in codes}
    pilotes = [p for p in (*base.pilotes, *nouveaux) if p.code in utilises]
    gardes = {p.code for p in pilotes}
    alias = [a for a in base.alias_multiples if set(a.pilotes) <= gardes]
    return codes_par_lieu, pilotes, alias
