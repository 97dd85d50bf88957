"""The protocol as an editable workbook (one sheet per entity), and back."""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING, Any

from vif38_bilan.exceptions import FichierRefuse, ReferentielInvalide
from vif38_bilan.lecture.classeur import lire_classeur, lire_feuille
from vif38_bilan.commun.ecriture import enregistrer_classeur, mettre_texte

if TYPE_CHECKING:  # type only: referentiel imports this module to load a .xlsx protocol
    from vif38_bilan.referentiel.protocole import Protocole

SEP = " | "
# Key of the cell addresses attached to each row read, for messages naming sheet, row and column.
LIEUX = "_lieux"


def cellule(entree: Any, cle: str) -> str | None:
    """Where a field was read, as the agent sees it ("feuille Actions, ligne 12, colonne « Code »"),
    when the data comes from a workbook; None otherwise."""
    lieux = entree.get(LIEUX) if isinstance(entree, dict) else None
    return lieux.get(cle) if isinstance(lieux, dict) else None


# sheet -> list of (header, key)
FEUILLES: dict[str, list[tuple[str, str]]] = {
    "Axes": [("Numéro", "numero"), ("Titre", "titre")],
    "Sections": [("Axe", "axe"), ("Numéro", "numero"), ("Titre", "titre")],
    "Objectifs": [("Numéro", "numero"), ("Titre", "titre"), ("Axe", "axe"), ("Section", "section")],
    "Actions": [
        ("Code", "code"),
        ("Objectif", "objectif"),
        ("Description", "description"),
        ("Pilotage (texte du protocole)", "pilotage"),
        ("Pilotes (codes, séparés par |)", "pilotes"),
        ("Autres acteurs", "autres_acteurs"),
        ("Échéance", "echeance"),
    ],
    "Indicateurs": [
        ("Code action", "code"),
        ("Libellé", "libelle"),
        ("Type (entier, oui_non, texte)", "type"),
        ("Cible annuelle", "cible_annuelle"),
        ("Texte de la cible", "cible_texte"),
        ("Origine (protocole ou cible)", "origine"),
        ("Agrégation (somme, maximum, chef_de_file, aucune)", "agregation"),
        ("Temporalité (flux, stock, ponctuel)", "temporalite"),
    ],
    "Pilotes": [
        ("Code", "code"),
        ("Nom", "nom"),
        ("Alias (séparés par |)", "alias"),
        ("Collectif (oui/non)", "collectif"),
    ],
    "Alias multiples": [("Texte", "texte"), ("Pilotes (codes, séparés par |)", "pilotes")],
    "Calendrier": [("Objectif", "objectif"), ("Acteurs", "acteurs")],
    "Signataires": [("Groupe", "groupe"), ("Membre", "membre")],
    "Autorités": [("Type (signataire ou présence)", "type"), ("Nom", "nom"), ("Fonction", "fonction")],
    # Key figures (chiffres.py): optional sheets, a workbook exported before them still loads.
    "Chiffres clés": [
        ("Code", "id"),
        ("Libellé", "libelle"),
        ("Unité", "unite"),
        ("Axe (numéro ou « général »)", "axe"),
        ("Pilotes (codes, séparés par |)", "pilotes"),
        ("Agrégation (somme, maximum ou chef_de_file)", "agregation"),
        ("Temporalité (flux, stock, ponctuel)", "temporalite"),
    ],
    "Chiffres clés lignes": [("Code chiffre", "serie"), ("Code ligne", "id"), ("Libellé", "libelle")],
    # Actions carrying on the previous protocol's (issue 28): proposed by the import, confirmed by the agent.
    "Suites": [
        ("Action", "code"),
        ("Suite de l'action", "precedente"),
        ("Du protocole (période)", "protocole"),
        ("Confirmée (oui/non)", "confirmee"),
        ("Similarité des textes", "similarite"),
    ],
    "Chiffres clés historique": [
        ("Code chiffre", "serie"),
        ("Code ligne (vide sans lignes)", "ligne"),
        ("Année", "annee"),
        ("Valeur", "valeur"),
        ("Période (si cumul de plusieurs années)", "periode"),
        ("Source", "source"),
    ],
}
# Columns added after the first version: a workbook exported before them still loads (default value).
OPTIONNELLES = {("Indicateurs", "agregation"), ("Indicateurs", "temporalite"), ("Chiffres clés", "temporalite")}
FACULTATIVES = ("Chiffres clés", "Chiffres clés lignes", "Chiffres clés historique", "Suites")
GENERAL = [
    ("Identifiant", "id"),
    ("Titre", "titre"),
    ("Territoire", "territoire"),
    ("Années (séparées par |)", "annees"),
    ("Notes (séparées par |)", "notes"),
]


def _joindre(v: Any) -> Any:
    if isinstance(v, list):
        return SEP.join(str(x) for x in v)
    if isinstance(v, bool):
        return "oui" if v else "non"
    return v


def ecrire_xlsx(protocole: Protocole | dict[str, Any], chemin: str | Path) -> Path:
    """Export the protocol as a workbook that charger_protocole() reads back.

    protocole may also be the plain data of an import not yet complete (same keys as vers_dict):
    the cells it lacks stay empty, and loading the workbook names them by sheet, row and column.
    """
    from openpyxl import Workbook
    from openpyxl.styles import Alignment, Font


    d = protocole if isinstance(protocole, dict) else protocole.vers_dict()
    d = {"notes": [], "chiffres": [], "signataires": [], "autorites": [], "en_presence_de": [], **d}
    wb = Workbook()
    ws = wb.active
    ws.title = "Protocole"
    ws.append(["Champ", "Valeur"])
    for r, (titre, cle) in enumerate(GENERAL, 2):  # row numbers counted: ws.max_row scans every cell
        mettre_texte(ws.cell(r, 1), titre)
        mettre_texte(ws.cell(r, 2), _joindre(d[cle]))
    lignes: dict[str, list[dict]] = {
        "Axes": d["axes"],
        "Sections": d["sections"],
        "Objectifs": d["objectifs"],
        "Actions": d["actions"],
        "Indicateurs": [dict(code=a["code"], **i) for a in d["actions"] for i in a["indicateurs"]],
        "Pilotes": d["pilotes"],
        "Alias multiples": d["alias_multiples"],
        "Calendrier": [
            dict(c, **{str(an): s for an, s in zip(d["annees"], c["statuts"], strict=False)}) for c in d["calendrier"]
        ],
        "Signataires": [{"groupe": g["groupe"], "membre": m} for g in d["signataires"] for m in g["membres"]],
        "Autorités": [dict(a, type="signataire") for a in d["autorites"]]
        + [dict(a, type="présence") for a in d["en_presence_de"]],
        "Chiffres clés": d["chiffres"],
        "Chiffres clés lignes": [dict(li, serie=c["id"]) for c in d["chiffres"] for li in c["lignes"]],
        "Chiffres clés historique": [dict(h, serie=c["id"]) for c in d["chiffres"] for h in c["historique"]],
        "Suites": d.get("suites") or [],
    }
    for nom, colonnes in FEUILLES.items():
        f = wb.create_sheet(nom)
        if nom == "Calendrier":
            colonnes = colonnes + [(f"Statut {an}", str(an)) for an in d["annees"]]
        f.append([t for t, _ in colonnes])
        for r, ligne in enumerate(lignes[nom], 2):
            for c, (_, cle) in enumerate(colonnes, 1):
                mettre_texte(f.cell(r, c), _joindre(ligne.get(cle)))
        for c, (t, _) in enumerate(colonnes, 1):
            f.cell(1, c).font = Font(bold=True)
            largeur = (
                60
                if t in ("Description", "Titre", "Libellé", "Autres acteurs", "Fonction", "Acteurs", "Source")
                else 18
            )
            f.column_dimensions[f.cell(1, c).column_letter].width = largeur
        for row in f.iter_rows(min_row=2):
            for cell in row:
                cell.alignment = Alignment(wrap_text=True, vertical="top")
        f.freeze_panes = "A2"
    ws.column_dimensions["A"].width = 25
    ws.column_dimensions["B"].width = 100
    return enregistrer_classeur(wb, chemin)


def _lignes(wb: Any, chemin: str | Path, nom: str, skip_empty_area: bool = True) -> list[list[Any]]:
    try:
        return lire_feuille(wb, nom, skip_empty_area)[0]
    except FichierRefuse as e:  # calamine errors and panics, contained by lecture
        raise ReferentielInvalide(str(chemin), [f"feuille « {nom} » illisible"]) from e


def lire_xlsx(chemin: str | Path) -> dict[str, Any]:
    """Read a workbook written by ecrire_xlsx (possibly edited) into plain data."""
    lu = lire_classeur(chemin)  # FichierRefuse (French) when the container check refuses it
    try:
        wb = lu.ouvrir()
    except FichierRefuse as e:  # calamine errors and panics, contained by lecture
        raise ReferentielInvalide(str(chemin), [f"classeur illisible ({e})"]) from e
    fautes: list[str] = []

    def lignes(nom: str, colonnes: list[tuple[str, str]]) -> list[dict[str, Any]]:
        if nom not in wb.sheet_names:
            if nom not in FACULTATIVES:
                fautes.append(f"feuille « {nom} » manquante")
            return []
        rows = _lignes(wb, chemin, nom, skip_empty_area=False)
        if not rows:
            return []
        tete = [str(x).strip() for x in rows[0]]
        index = {}
        for titre, cle in colonnes:
            if titre not in tete:
                if (nom, cle) in OPTIONNELLES:
                    continue
                fautes.append(f"feuille « {nom} » : colonne « {titre} » manquante")
            else:
                index[cle] = tete.index(titre)
        sortie = []
        titres = dict((cle, titre) for titre, cle in colonnes)
        for n, r in enumerate(rows[1:], 2):  # n: the row number Excel shows
            if all(v in ("", None) for v in r):
                continue
            ligne: dict[str, Any] = {cle: _valeur(r[i]) if i < len(r) else None for cle, i in index.items()}
            # Where each field was read, for messages the agent can follow in Excel.
            ligne[LIEUX] = {cle: f"feuille {nom}, ligne {n}, colonne « {titres[cle]} »" for cle in index}
            sortie.append(ligne)
        return sortie

    general = {}
    if "Protocole" in wb.sheet_names:
        for r in _lignes(wb, chemin, "Protocole")[1:]:
            if len(r) >= 2:
                general[str(r[0]).strip()] = _valeur(r[1])
    else:
        fautes.append("feuille « Protocole » manquante")
    d: dict[str, Any] = {cle: general.get(titre) for titre, cle in GENERAL}
    d["annees"] = _liste(d.get("annees"))
    d["notes"] = _liste(d.get("notes"))
    d["axes"] = lignes("Axes", FEUILLES["Axes"])
    d["sections"] = lignes("Sections", FEUILLES["Sections"])
    d["objectifs"] = lignes("Objectifs", FEUILLES["Objectifs"])
    d["pilotes"] = lignes("Pilotes", FEUILLES["Pilotes"])
    for p in d["pilotes"]:
        p["alias"] = _liste(p.get("alias"))
    d["alias_multiples"] = lignes("Alias multiples", FEUILLES["Alias multiples"])
    for m in d["alias_multiples"]:
        m["pilotes"] = _liste(m.get("pilotes"))
    actions = lignes("Actions", FEUILLES["Actions"])
    inds = lignes("Indicateurs", FEUILLES["Indicateurs"])
    for a in actions:
        a["pilotes"] = _liste(a.get("pilotes"))
        a["indicateurs"] = [{k: v for k, v in i.items() if k != "code"} for i in inds if i.get("code") == a.get("code")]
    d["actions"] = actions
    cal_cols = FEUILLES["Calendrier"] + [(f"Statut {an}", str(an)) for an in d["annees"]]
    d["calendrier"] = [
        {
            "objectif": c["objectif"],
            "acteurs": c.get("acteurs") or "",
            "statuts": [c.get(str(an)) or "" for an in d["annees"]],
            LIEUX: {
                **c[LIEUX],
                **{f"statut_{k}": c[LIEUX].get(str(an)) for k, an in enumerate(d["annees"]) if str(an) in c[LIEUX]},
            },
        }
        for c in lignes("Calendrier", cal_cols)
    ]
    groupes: dict[str, list[str]] = {}
    for s in lignes("Signataires", FEUILLES["Signataires"]):
        groupes.setdefault(s.get("groupe") or "", []).append(s.get("membre") or "")
    d["signataires"] = [{"groupe": g, "membres": m} for g, m in groupes.items()]
    aut = lignes("Autorités", FEUILLES["Autorités"])
    d["autorites"] = [
        {"nom": a["nom"], "fonction": a["fonction"], LIEUX: a[LIEUX]}
        for a in aut
        if (a.get("type") or "") != "présence"
    ]
    d["en_presence_de"] = [
        {"nom": a["nom"], "fonction": a["fonction"], LIEUX: a[LIEUX]}
        for a in aut
        if (a.get("type") or "") == "présence"
    ]
    d["chiffres"] = _chiffres(lignes)
    d["suites"] = lignes("Suites", FEUILLES["Suites"])
    if fautes:
        raise ReferentielInvalide(str(chemin), fautes)
    return d


def _chiffres(lignes: Any) -> list[dict[str, Any]]:
    """The key-figure sheets back into the "chiffres" entries (validated by referentiel)."""
    series = lignes("Chiffres clés", FEUILLES["Chiffres clés"])
    details = lignes("Chiffres clés lignes", FEUILLES["Chiffres clés lignes"])
    connues = lignes("Chiffres clés historique", FEUILLES["Chiffres clés historique"])
    for s in series:
        s["pilotes"] = _liste(s.get("pilotes"))
        s["lignes"] = [
            {k: v for k, v in li.items() if k != "serie"} for li in details if li.get("serie") == s.get("id")
        ]
        s["historique"] = [
            {k: v for k, v in h.items() if k != "serie" and v is not None}
            for h in connues
            if h.get("serie") == s.get("id")
        ]
    return series


def _valeur(v: Any) -> Any:
    if isinstance(v, float) and v.is_integer():
        return int(v)
    if isinstance(v, str):
        v = v.strip()
        return v if v else None
    return v


def _liste(v: Any) -> list:
    if v in (None, ""):
        return []
    if isinstance(v, (int, float)):
        return [_valeur(v)]
    return [x.strip() for x in str(v).split("|") if x.strip()]
