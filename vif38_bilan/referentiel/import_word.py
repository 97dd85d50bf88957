"""A protocol's Word document → the referential (Protocole), with every inference listed for review.

The document holds headings for the axes ("AXE 1 : …") and sections ("1. Mieux repérer …"), one
table per objective (a title row "Objectif n° N : …" merged across, then the rows "Description
des actions", "Pilotage", "Autres acteurs", "Échéance", "Indicateurs", one column per action),
the calendar tables and the signatories. What the reader had to decide (pilots split from text,
new organisations given a code, targets read from the action text, indicator types, merged
cells, typo corrections) becomes one line of the "Revue" sheet of the workbook it writes.
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from vif38_bilan.referentiel.cibles import decouper_indicateurs, indicateurs_de_action
from vif38_bilan.exceptions import DocumentIllisible
from vif38_bilan.lecture.document_word import Tableau, blocs, espaces, ouvrir_document
from vif38_bilan.referentiel.pilotes import AliasMultiple, Annuaire, Pilote, cle
from vif38_bilan.referentiel.protocole import Protocole
from vif38_bilan.referentiel.chargement import charger_protocole, depuis_dict
from vif38_bilan.commun.ecriture import enregistrer_classeur, mettre_texte
from vif38_bilan.referentiel.classeur import ecrire_xlsx

FEUILLE_REVUE = "Revue"
ENTETES_REVUE = ["N°", "Quoi", "Où", "Lu dans le document", "Retenu", "À vérifier"]
RE_OBJECTIF = re.compile(r"^Objectif\s+n\s*°\s*(\d+)\s*:?\s*(.*)$", re.IGNORECASE)
RE_AXE = re.compile(r"^AXE\s+(\d+)\s*:\s*(.+)$", re.IGNORECASE)
RE_SECTION = re.compile(r"^(\d+)\s*[.)]\s+(.+)$")
RE_ANNEES = re.compile(r"\b((?:19|20)\d\d)\s*[-–/à]+\s*((?:19|20)\d\d)\b")
RE_CAL_OBJECTIF = re.compile(r"^N\s*°\s*(\d+)\s*:?\s*(.*)$")
# Obvious typos of protocol titles, fixed and listed for review.
COQUILLES = {"PROCOLE": "PROTOCOLE", "PROTOCLE": "PROTOCOLE", "DEPARTEMANTAL": "DÉPARTEMENTAL"}
LIGNES_OBJECTIF = {
    "description des actions": "description",
    "pilotage": "pilotage",
    "autres acteurs": "autres_acteurs",
    "echeance": "echeance",
    "indicateurs": "indicateurs",
}


class AucunTableauObjectif(DocumentIllisible):
    """The document holds no objective table: not a protocol (maybe a bilan)."""


@dataclass(frozen=True)
class Inference:
    """One decision of the reader the agent should check."""

    quoi: str  # "Pilotes", "Nouvelle organisation", "Cible", "Indicateur", "Cellule fusionnée", "Correction", …
    ou: str  # "action 1-1-1", "objectif 14", "titre", "calendrier"
    lu: str
    retenu: str
    a_verifier: str = ""


@dataclass
class ImportReferentiel:
    protocole: Protocole
    revue: list[Inference] = field(default_factory=list)
    source: str = "protocole"  # "protocole" or "bilan"
    chemin: Path | None = None  # the workbook written, once written


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


# ---------------------------------------------------------------- helpers


def corriger_coquilles(texte: str, ou: str, revue: list[Inference]) -> str:
    sortie = texte
    for faux, juste in COQUILLES.items():
        sortie = re.sub(rf"\b{faux}\b", juste, sortie)
    if sortie != texte:
        revue.append(Inference("Correction", ou, texte, sortie, "Coquille corrigée : vérifiez."))
    return sortie


def _annees(texte: str) -> tuple[int, ...]:
    m = RE_ANNEES.search(texte)
    if not m:
        return ()
    a, b = int(m.group(1)), int(m.group(2))
    return tuple(range(a, b + 1)) if a <= b <= a + 10 else ()


def _territoire(titre: str) -> str:
    m = re.search(r"\b(?:EN|DE LA|DU|DANS L[A'E]?)\s+([A-ZÀ-Ý][\wÀ-ÿ' -]+)$", titre.strip(), re.IGNORECASE)
    if not m:
        return ""
    return m.group(1).strip().capitalize() if m.group(1).isupper() else m.group(1).strip()


def _est_objectif(t: Tableau) -> re.Match | None:
    if not t.rangees or not t.rangees[0]:
        return None
    return RE_OBJECTIF.match(t.rangees[0][0].texte)


def _est_calendrier(t: Tableau) -> bool:
    if not t.rangees or len(t.rangees[0]) < 3:
        return False
    tete = [cle(c.texte) for c in t.rangees[0]]
    return tete[0] == "objectifs" and tete[1] == "acteurs" and all(re.fullmatch(r"\d{4}", x) for x in tete[2:])


def _id(territoire: str, annees: tuple[int, ...]) -> str:
    t = code_pour(territoire).lower().replace("_", "-") or "protocole"
    return f"{t}-vif-{annees[0]}-{annees[-1]}" if annees else f"{t}-vif"


# ---------------------------------------------------------------- objective tables


def _lire_objectif(t: Tableau, numero: int, revue: list[Inference]) -> list[dict[str, Any]]:
    """One dict per action column; merged cells spread over the actions they cover."""
    ou = f"objectif {numero}"
    lignes: dict[str, int] = {}
    for r, rangee in enumerate(t.rangees[1:], 1):
        nom = LIGNES_OBJECTIF.get(cle(rangee[0].texte)) if rangee else None
        if nom and nom not in lignes:
            lignes[nom] = r
    if "description" not in lignes:
        raise DocumentIllisible(
            f"Le tableau de l'objectif {numero} n'a pas de ligne « Description des actions » : "
            "vérifiez que le document est bien le protocole (un tableau par objectif)."
        )
    rd = lignes["description"]
    colonnes = [c for c in t.rangees[rd][1:] if c.texte]
    actions: list[dict[str, Any]] = []
    for rang, col in enumerate(colonnes, 1):
        a: dict[str, Any] = {"description": espaces(col.texte), "rang": rang}
        for nom, r in lignes.items():
            if nom == "description":
                continue
            case = t.colonne(r, col.debut)
            valeur = espaces(case.texte) if case else ""
            if case is not None and case.debut != col.debut or case is not None and case.fin > col.fin:
                a.setdefault("fusions", []).append(nom)
            a[nom] = valeur
        actions.append(a)
    for r in lignes.values():
        for case in t.rangees[r][1:]:
            couvertes = [k for k, col in enumerate(colonnes, 1) if case.debut <= col.debut and col.fin <= case.fin]
            if len(couvertes) > 1:
                revue.append(
                    Inference(
                        "Cellule fusionnée",
                        ou,
                        f"{t.rangees[r][0].texte} : « {espaces(case.texte)} »",
                        f"appliqué aux actions {', '.join(str(k) for k in couvertes)} de l'objectif",
                        "Une seule valeur pour plusieurs actions : vérifiez qu'elle vaut pour chacune.",
                    )
                )
    return actions


def _indicateurs(code: str, a: dict[str, Any], revue: list[Inference]) -> list[dict[str, Any]]:
    brut = a.get("indicateurs", "")
    texte = brut.rstrip(" :").strip()
    if texte != brut.strip():
        revue.append(Inference("Correction", f"action {code}", brut, texte, "« : » final sans suite retiré."))
    libelles = decouper_indicateurs(texte) if texte else []
    if len(libelles) > 1:
        revue.append(
            Inference("Indicateur", f"action {code}", texte, " / ".join(libelles), "Un indicateur par mesure.")
        )
    r = indicateurs_de_action(a["description"], libelles)
    for note in r.notes:
        quoi = "Cible" if note.startswith("«") else "Type d'indicateur"
        revue.append(Inference(quoi, f"action {code}", a["description"] if quoi == "Cible" else texte, note))
    return [
        {
            "libelle": i.libelle,
            "type": i.type,
            "cible_annuelle": i.cible_annuelle,
            "cible_texte": i.cible_texte,
            "origine": i.origine,
        }
        for i in r.indicateurs
    ]


# ---------------------------------------------------------------- the document


def importer_protocole(chemin: str | Path, base: Protocole | None = None) -> ImportReferentiel:
    """Read a protocol's Word document; base gives the known pilot directory (the embedded one by default)."""
    chemin = Path(chemin)
    base = base or charger_protocole()
    contenu = blocs(ouvrir_document(chemin))
    revue: list[Inference] = []
    d: dict[str, Any] = {
        "axes": [], "sections": [], "objectifs": [], "actions": [], "calendrier": [],
        "signataires": [], "autorites": [], "en_presence_de": [], "notes": [],
    }  # fmt: skip
    titre, annees = "", ()
    axe: int | None = None
    section: int | None = None
    zone = "corps"  # corps → calendrier → signataires
    objectifs_vus: set[int] = set()
    brut_actions: list[tuple[int, int, dict[str, Any]]] = []
    groupe: dict[str, Any] | None = None
    annees_calendrier: tuple[int, ...] = ()

    for b in contenu:
        if b.tableau is not None:
            m = _est_objectif(b.tableau)
            if m and zone == "corps":
                n = int(m.group(1))
                if n in objectifs_vus:
                    revue.append(Inference("Correction", f"objectif {n}", m.group(0), "tableau en double ignoré"))
                    continue
                objectifs_vus.add(n)
                brut_titre = espaces(m.group(2))
                if re.search(r"n\s+°", m.group(0)):
                    revue.append(Inference("Correction", f"objectif {n}", m.group(0)[:40], f"lu « Objectif n° {n} »"))
                if axe is None:
                    raise DocumentIllisible(
                        f"Le tableau de l'objectif {n} précède tout titre « AXE 1 : … » : "
                        "mettez les titres des axes en style Titre 1 dans Word, puis relancez."
                    )
                d["objectifs"].append(
                    {"numero": n, "titre": brut_titre, "axe": axe, **({"section": section} if section else {})}
                )
                for a in _lire_objectif(b.tableau, n, revue):
                    brut_actions.append((axe, n, a))
            elif _est_calendrier(b.tableau):
                annees_calendrier = annees_calendrier or tuple(int(c.texte) for c in b.tableau.rangees[0][2:])
                _lire_calendrier(b.tableau, d, revue)
            continue
        t = b.texte
        if not t:
            continue
        if not titre and (b.style == "Title" or "PROTOCOLE" in t.upper() or "PROCOLE" in t.upper()):
            titre = corriger_coquilles(espaces(t), "titre", revue)
            continue
        if not annees and not d["axes"]:
            annees = _annees(t)
        # An axis title typed in bold body text, not as a heading, is still an axis (never a contents line).
        if b.niveau == 0 and RE_AXE.match(t) and "...." not in t and zone == "corps":
            b.niveau = 1
        if b.niveau == 1:
            m = RE_AXE.match(t)
            k = cle(t)
            if k.startswith("calendrier"):
                zone = "calendrier"
            elif k.startswith("signataires"):
                zone = "signataires"
            elif m and zone == "corps" and int(m.group(1)) not in {x["numero"] for x in d["axes"]}:
                axe, section = int(m.group(1)), None
                d["axes"].append({"numero": axe, "titre": espaces(m.group(2))})
            continue
        if b.niveau == 2 and zone == "corps" and axe is not None:
            m = RE_SECTION.match(t)
            if m:
                section = int(m.group(1))
                d["sections"].append({"axe": axe, "numero": section, "titre": espaces(m.group(2))})
            continue
        if zone == "signataires":
            _autorite(t, d)
            continue
        if objectifs_vus and zone == "corps":
            if b.gras and t.endswith(":") and not b.liste or b.gras and b.liste and t.endswith(":"):
                groupe = {"groupe": espaces(t.rstrip(" :")), "membres": []}
                d["signataires"].append(groupe)
            elif b.liste and groupe is not None:
                groupe["membres"].append(espaces(t))
            elif not b.liste:
                groupe = None

    if not brut_actions:
        raise AucunTableauObjectif(
            f"« {chemin.name} » ne contient aucun tableau d'objectif (une première ligne « Objectif n° N : … ») : "
            "est-ce bien le protocole ? Pour un bilan, utilisez « vif38-bilan historique --importer »."
        )
    annees = annees or annees_calendrier
    return _assembler(d, brut_actions, titre, annees, base, revue, "protocole")


def _lire_calendrier(t: Tableau, d: dict[str, Any], revue: list[Inference]) -> None:
    tete = [c.texte for c in t.rangees[0]]
    for rangee in t.rangees[1:]:
        cellules = [espaces(c.texte) for c in rangee]
        if not any(cellules):
            continue
        m = RE_CAL_OBJECTIF.match(cellules[0])
        if m:
            d["calendrier"].append(
                {
                    "objectif": int(m.group(1)),
                    "acteurs": cellules[1].rstrip(", "),
                    "statuts": cellules[2:],
                    "_tete": tete,
                }
            )
        elif d["calendrier"]:
            # A row cut by a page break: its continuation has no "N°".
            prec = d["calendrier"][-1]
            avant = prec["acteurs"]
            prec["acteurs"] = espaces(
                f"{avant}, {cellules[1]}" if not avant.endswith(",") else f"{avant} {cellules[1]}"
            )
            prec["acteurs"] = prec["acteurs"].replace(",,", ",").rstrip(", ")
            revue.append(
                Inference(
                    "Calendrier",
                    f"objectif {prec['objectif']}",
                    " | ".join(c for c in cellules if c),
                    "ligne coupée recollée à la précédente",
                    "Vérifiez les acteurs de cet objectif dans la feuille Calendrier.",
                )
            )


def _autorite(t: str, d: dict[str, Any]) -> None:
    lignes = [espaces(x) for x in t.splitlines() if x.strip()]
    presence = bool(lignes) and cle(lignes[0]).startswith("en presence")
    if presence:
        lignes = lignes[1:]
    if not lignes or not re.match(r"^(Madame|Monsieur|Mme|M\.)\s", lignes[0]):
        return
    entree = {"nom": lignes[0].rstrip(" ,"), "fonction": " ".join(lignes[1:])}
    d["en_presence_de" if presence else "autorites"].append(entree)


def _assembler(
    d: dict[str, Any],
    brut_actions: list[tuple[int, int, dict[str, Any]]],
    titre: str,
    annees: tuple[int, ...],
    base: Protocole,
    revue: list[Inference],
    source: str,
) -> ImportReferentiel:
    actions = []
    pilotages = []
    for axe, n, a in brut_actions:
        code = a.get("code") or f"{axe}-{n}-{a['rang']}"
        a["code"] = code
        description = a["description"]
        if description.endswith(":"):
            a["description"] = description.rstrip(" :")
            revue.append(Inference("Correction", f"action {code}", description[-60:], "« : » final sans cible retiré"))
        pilotages.append((f"action {code}", a.get("pilotage", "")))
    codes, pilotes, alias = coder_pilotes(pilotages, base, revue)
    for _axe, n, a in brut_actions:
        code = a["code"]
        actions.append(
            {
                "code": code,
                "objectif": n,
                "description": a["description"],
                "pilotage": a.get("pilotage", ""),
                "pilotes": codes[f"action {code}"],
                "autres_acteurs": a.get("autres_acteurs", ""),
                "echeance": a.get("echeance", ""),
                "indicateurs": _indicateurs(code, a, revue) if source == "protocole" else [],
            }
        )
    decales: dict[str, list[str]] = {}
    for c in d["calendrier"]:
        lu = [str(x) for x in c.pop("_tete", [])[2:]]
        if annees and lu and lu != [str(y) for y in annees]:
            decales.setdefault(", ".join(lu), []).append(str(c["objectif"]))
    for lu, objectifs in decales.items():
        revue.append(
            Inference(
                "Calendrier",
                f"objectifs {', '.join(objectifs)}",
                f"colonnes {lu}",
                f"lues {', '.join(map(str, annees))}",
                "En-têtes d'années du calendrier différents des années du protocole : colonnes lues dans l'ordre.",
            )
        )
    territoire = _territoire(titre)
    d.update(
        id=_id(territoire, annees),
        titre=titre or "Protocole importé",
        territoire=territoire,
        annees=list(annees),
        actions=actions,
        pilotes=[{"code": p.code, "nom": p.nom, "alias": list(p.alias), "collectif": p.collectif} for p in pilotes],
        alias_multiples=[{"texte": a.texte, "pilotes": list(a.pilotes)} for a in alias],
    )
    revue.insert(
        0, Inference("Protocole", "général", titre, f"{d['id']} — {territoire} — {', '.join(map(str, annees))}")
    )
    return ImportReferentiel(depuis_dict(d, "document importé"), revue, source)


# ---------------------------------------------------------------- the workbook


def ecrire_referentiel_importe(imp: ImportReferentiel, chemin: str | Path) -> Path:
    """The referential workbook (loadable with --referentiel) with a first "Revue" sheet."""
    import openpyxl
    from openpyxl.styles import Alignment, Font, PatternFill


    chemin = Path(chemin)
    ecrire_xlsx(imp.protocole, chemin)
    wb = openpyxl.load_workbook(chemin)
    ws = wb.create_sheet(FEUILLE_REVUE, 0)
    ws.append(ENTETES_REVUE)
    for i, inf in enumerate(imp.revue, 1):
        r = i + 1  # counted: ws.max_row would scan every cell at each row
        for j, v in enumerate([i, inf.quoi, inf.ou, inf.lu, inf.retenu, inf.a_verifier], 1):
            mettre_texte(ws.cell(r, j), v)
            ws.cell(r, j).alignment = Alignment(wrap_text=True, vertical="top")
    for j, largeur in enumerate([6, 22, 16, 60, 60, 50], 1):
        ws.cell(1, j).font = Font(bold=True)
        ws.cell(1, j).fill = PatternFill("solid", fgColor="D9E1F2")
        ws.column_dimensions[ws.cell(1, j).column_letter].width = largeur
    ws.freeze_panes = "A2"
    ws.auto_filter.ref = f"A1:F{ws.max_row}"
    ws.page_setup.orientation = "landscape"
    ws.page_setup.fitToWidth, ws.page_setup.fitToHeight = 1, 0
    ws.sheet_properties.pageSetUpPr.fitToPage = True
    ws.print_title_rows = "1:1"
    wb.active = 0
    return enregistrer_classeur(wb, chemin)


def compte_rendu(imp: ImportReferentiel) -> list[str]:
    """What the import read and wrote, in French, one line each (the CLI prints them)."""
    p, chemin = imp.protocole, imp.chemin
    comptes: dict[str, int] = {}
    for inf in imp.revue:
        comptes[inf.quoi] = comptes.get(inf.quoi, 0) + 1
    origine = "du protocole" if imp.source == "protocole" else "du bilan (sans indicateurs)"
    return [
        f"Référentiel lu, tableaux {origine} : {len(p.axes)} axes, {len(p.objectifs)} objectifs, "
        f"{len(p.actions)} actions, {len(p.pilotes)} pilotes, années {', '.join(map(str, p.annees))}.",
        f"Classeur écrit : {chemin} — feuille « {FEUILLE_REVUE} » : {len(imp.revue)} point(s) à vérifier ("
        + ", ".join(f"{n} × {q.lower()}" for q, n in comptes.items())
        + ").",
        "Ensuite : relisez la feuille « Revue », corrigez les autres feuilles au besoin, puis indiquez "
        f'referentiel = "{chemin}" dans vif38.toml (ou passez --referentiel {chemin} à chaque commande).',
    ]
