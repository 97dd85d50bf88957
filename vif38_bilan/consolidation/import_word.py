"""An earlier bilan's Word document → the history of the years it covers, or a referential.

Two table layouts are read, whatever produced them:
- "annexe" (the 2019-2021 bilan, and ours): OBJECTIFS | ACTEURS | Autres acteurs | one column per
  year | OBSERVATIONS, one row per action whose first cell starts with its code ("1-1-1 …");
- "protocole" (ours): a header row "Action 1-1-1 | …", then "Statut AAAA" and "Observations AAAA"
  rows.
Statuses are normalised as in the returns (a variant is a warning, an unknown word an error),
nested key-figure tables are kept as text lines, a table repeated by copy-paste is reported once
and never counted twice, and rows that match no action are listed.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from vif38_bilan.consolidation import import_word_valeurs as lus
from vif38_bilan.espace import fichiers
from vif38_bilan.regles import AVERTISSEMENT, ERREUR, STATUT_INCONNU, STATUT_VARIANTE, Anomalie
from vif38_bilan.consolidation.disposition import (
    COL_CODE,
    FEUILLE_ACTIONS,
    FEUILLE_MODE,
    ID_TYPE,
    ORDRE_STATUTS,
    TYPE_HISTORIQUE,
)
from vif38_bilan.controle.valeurs import normaliser_statut
from vif38_bilan.exceptions import DocumentIllisible, Vif38Error
from vif38_bilan.imports.document import Bloc, Tableau, blocs, espaces, ouvrir_document
from vif38_bilan.referentiel.pilotes import cle
from vif38_bilan.referentiel.protocole import Protocole
from vif38_bilan.gabarits import disposition
from vif38_bilan.commun.ecriture import enregistrer_classeur, mettre_texte
from vif38_bilan.consolidation.historique import ecrire_historique_vierge
from vif38_bilan.saisies.dossiers import lister_saisies
from vif38_bilan.lecture.classeur import lire_classeur, lire_feuille

RE_CODE = re.compile(r"^\s*(\d+)-(\d+)-(\d+)\b\s*")
RE_N_OBJECTIF = re.compile(r"^N\s*°\s*(\d+)\s*:\s*(.+)$")
RE_ANNEE = re.compile(r"^(?:Statut\s+)?((?:19|20)\d\d)$", re.IGNORECASE)
NON_RENSEIGNE = "non renseigné"
NOTES_STATUT = ("(co-pilote)", NON_RENSEIGNE)


@dataclass
class Rangee:
    """One action read in one table."""

    code: str
    tableau: int
    description: str = ""
    pilotage: str = ""
    autres_acteurs: str = ""
    statuts: dict[int, str] = field(default_factory=dict)  # year → text as written
    observations: dict[int, list[str]] = field(default_factory=dict)  # year → lines


@dataclass
class LectureBilan:
    """Everything read from the document's bilan tables."""

    annees: tuple[int, ...]
    rangees: list[Rangee]
    doublons: list[str]  # one French line per repeated table
    non_rattachees: list[str]  # rows whose first cell holds no action code
    titre: str = ""
    disposition: str = "annexe"
    contenu: list[Bloc] = field(default_factory=list)


# ---------------------------------------------------------------- reading the tables


def _entete_annexe(t: Tableau) -> dict[str, Any] | None:
    tete = [cle(c.texte) for c in t.rangees[0]] if t.rangees else []
    if len(tete) < 4 or tete[0] != "objectifs" or tete[1] != "acteurs":
        return None
    annees = {j: int(x) for j, x in enumerate(tete) if re.fullmatch(r"(19|20)\d\d", x)}
    obs = next((j for j, x in enumerate(tete) if x.startswith("observation")), None)
    autres = next((j for j, x in enumerate(tete) if x.startswith("autres acteurs")), None)
    return {"annees": annees, "obs": obs, "autres": autres}


def _entete_protocole(t: Tableau) -> list[str] | None:
    if not t.rangees or len(t.rangees[0]) < 2:
        return None
    codes = [re.match(r"^Action\s+(\d+-\d+-\d+)$", c.texte.strip()) for c in t.rangees[0][1:]]
    return [m.group(1) for m in codes] if all(codes) else None


def _statut_lu(lignes: tuple[str, ...]) -> str:
    """A status cell: its first line, without our own notes ("non renseigné", "(co-pilote)")."""
    for ligne in lignes:
        if ligne and ligne not in NOTES_STATUT:
            return ligne
    return ""


def lire_bilan(chemin: str | Path) -> LectureBilan:
    """The action rows of every bilan table of the document, duplicates set apart.

    Raises:
        DocumentIllisible: no bilan table whose rows start with an action code.
    """
    chemin = Path(chemin)
    contenu = blocs(ouvrir_document(chemin))
    rangees: list[Rangee] = []
    doublons: list[str] = []
    non_rattachees: list[str] = []
    annees: set[int] = set()
    vus: dict[str, Rangee] = {}
    titre = next((b.texte for b in contenu if b.style == "Title" and b.texte), "")
    disposition = ""
    titre_courant = ""
    for b in contenu:
        if b.tableau is None:
            if b.niveau and b.texte:
                titre_courant = b.texte
            continue
        t = b.tableau
        entete = _entete_annexe(t)
        codes_colonnes = None if entete else _entete_protocole(t)
        if entete:
            disposition = disposition or "annexe"
            annees.update(entete["annees"].values())
            lues = _rangees_annexe(t, entete, non_rattachees)
        elif codes_colonnes:
            disposition = disposition or "protocole"
            lues = _rangees_protocole(t, codes_colonnes, annees)
        else:
            continue
        _retenir(lues, t, titre_courant, vus, rangees, doublons)
    if not rangees:
        raise DocumentIllisible(
            f"« {chemin.name} » ne contient aucun tableau de bilan (en-tête OBJECTIFS | ACTEURS | … | OBSERVATIONS, "
            "ou colonnes « Action 1-1-1 ») dont les lignes commencent par un code d'action."
        )
    ans = tuple(sorted(annees))
    # The annex layout's observations are the bilan year's: the last year any row reports.
    remplies = [y for y in ans if any(x.statuts.get(y) for x in rangees)]
    derniere = max(remplies) if remplies else (ans[-1] if ans else 0)
    for x in rangees:
        if -1 in x.observations:
            x.observations[derniere] = x.observations.pop(-1)
    return LectureBilan(ans, rangees, doublons, non_rattachees, titre, disposition, contenu)


def _rangees_annexe(t: Tableau, entete: dict[str, Any], non_rattachees: list[str]) -> list[Rangee]:
    """Rows of an annex-layout table (OBJECTIFS | ACTEURS | … | years | OBSERVATIONS)."""
    lues = []
    for r, rangee in enumerate(t.rangees[1:], 2):
        if not rangee or not any(c.texte for c in rangee):
            continue
        m = RE_CODE.match(rangee[0].texte)
        if not m:
            non_rattachees.append(f"tableau {t.numero}, ligne {r} : « {espaces(rangee[0].texte)[:80]} »")
            continue
        x = Rangee(f"{m.group(1)}-{m.group(2)}-{m.group(3)}", t.numero, espaces(rangee[0].texte[m.end() :]))
        x.pilotage = espaces(t.colonne(r - 1, 1).texte) if t.colonne(r - 1, 1) else ""
        if entete["autres"] is not None and t.colonne(r - 1, entete["autres"]):
            x.autres_acteurs = espaces(t.colonne(r - 1, entete["autres"]).texte)
        for j, y in entete["annees"].items():
            case = t.colonne(r - 1, j)
            if case is not None:
                x.statuts[y] = _statut_lu(case.lignes)
        if entete["obs"] is not None and t.colonne(r - 1, entete["obs"]) is not None:
            # Observations of the annex layout belong to the last year the table reports.
            x.observations[-1] = list(t.colonne(r - 1, entete["obs"]).lignes)
        lues.append(x)
    return lues


def _rangees_protocole(t: Tableau, codes_colonnes: list[str], annees: set[int]) -> list[Rangee]:
    """Rows of a protocol-layout table (one column per action, one row per field and year)."""
    par_code = {c: Rangee(c, t.numero) for c in codes_colonnes}
    champs = {"description des actions": "description", "pilotage": "pilotage", "autres acteurs": "autres_acteurs"}
    for rangee in t.rangees[1:]:
        if not rangee:
            continue
        tete = espaces(rangee[0].texte)
        m = re.match(r"^(Statut|Observations)\s+((?:19|20)\d\d)$", tete)
        k = cle(tete)
        for j, code in enumerate(codes_colonnes, 1):
            case = next((c for c in rangee if c.debut <= j <= c.fin), None)
            if case is None:
                continue
            x = par_code[code]
            if k in champs:
                setattr(x, champs[k], espaces(case.texte))
            elif m:
                annees.add(int(m.group(2)))
                if m.group(1) == "Statut":
                    x.statuts[int(m.group(2))] = _statut_lu(case.lignes)
                else:
                    x.observations[int(m.group(2))] = list(case.lignes)
    return list(par_code.values())


def _retenir(
    lues: list[Rangee], t: Tableau, titre_courant: str, vus: dict[str, Rangee], rangees: list[Rangee],
    doublons: list[str],
) -> None:  # fmt: skip
    """Keep a table's rows, unless they repeat an earlier table (the first version is kept)."""
    deja = [x for x in lues if x.code in vus]
    if lues and len(deja) == len(lues):
        codes = ", ".join(x.code for x in lues)
        premier = vus[lues[0].code].tableau
        ecarts = [x.code for x in lues if x.statuts != vus[x.code].statuts]
        doublons.append(
            f"Le tableau {t.numero} (« {titre_courant[:70]} », actions {codes}) répète le tableau {premier} : "
            "il n'est pas compté une seconde fois"
            + (f" (statuts différents pour {', '.join(ecarts)} : la première version est gardée)" if ecarts else "")
            + "."
        )
        return
    for x in deja:
        doublons.append(
            f"L'action {x.code} figure à nouveau dans le tableau {t.numero} : seule la première ligne est lue."
        )
    for x in lues:
        if x.code not in vus:
            vus[x.code] = x
            rangees.append(x)


# ---------------------------------------------------------------- history


@dataclass
class ImportHistorique:
    annees: tuple[int, ...]
    statuts: dict[int, dict[str, str]]
    observations: dict[int, dict[str, str]]
    anomalies: list[Anomalie]
    doublons: list[str]
    non_rattachees: list[str]
    fichiers: list[Path] = field(default_factory=list)
    valeurs: list[lus.ValeurReprise] = field(default_factory=list)  # counts read in the observations (issue 28)
    ambigues: list[lus.ValeurAmbigue] = field(default_factory=list)  # left to the agent ("Revue" sheet)
    chiffres: list[lus.ChiffreRepris] = field(default_factory=list)  # key figures of nested year tables


def historique_depuis_bilan(lecture: LectureBilan, protocole: Protocole, nom: str) -> ImportHistorique:
    """Statuses and observations per year, for the actions of the protocol; faults as anomalies."""
    codes = {a.code for a in protocole.actions}
    annees = tuple(y for y in lecture.annees if y in protocole.annees)
    anomalies: list[Anomalie] = []
    statuts: dict[int, dict[str, str]] = {y: {} for y in annees}
    observations: dict[int, dict[str, str]] = {y: {} for y in annees}
    non_rattachees = list(lecture.non_rattachees)
    for x in lecture.rangees:
        if x.code not in codes:
            non_rattachees.append(f"action {x.code} (tableau {x.tableau}) : code absent du référentiel")
            continue
        for y in annees:
            brut = x.statuts.get(y, "")
            if brut:
                s, variante = normaliser_statut(brut)
                lieu = f"tableau {x.tableau}, action {x.code}, {y}"
                if s is None:
                    anomalies.append(
                        Anomalie(
                            nom, None, lieu, x.code, ERREUR,
                            f"« {brut} » n'est pas un statut prévu ({lieu}) : il n'est pas repris ; "
                            f"saisissez l'un de {', '.join(ORDRE_STATUTS)} dans le classeur historique {y}.",
                            STATUT_INCONNU.id,
                        )
                    )  # fmt: skip
                else:
                    if variante:
                        anomalies.append(
                            Anomalie(
                                nom, None, lieu, x.code, AVERTISSEMENT,
                                f"« {brut} » a été lu comme « {s} » ({lieu}).", STATUT_VARIANTE.id,
                            )
                        )  # fmt: skip
                    statuts[y][x.code] = s
            lignes = [
                ligne for ligne in x.observations.get(y, []) if not lus.phrase_indicateur(ligne, protocole, x.code)
            ]
            if lignes:
                observations[y][x.code] = "\n".join(lignes)
    # A column with nothing in it (the years after an intermediate bilan) is no year of data.
    annees = tuple(y for y in annees if statuts[y] or observations[y])
    statuts = {y: statuts[y] for y in annees}
    observations = {y: observations[y] for y in annees}
    if not annees:
        raise Vif38Error(
            f"Le bilan couvre {', '.join(map(str, lecture.annees)) or 'aucune année'}, le protocole "
            f"{', '.join(map(str, protocole.annees))} : aucune année commune. Importez d'abord le référentiel de ce "
            "protocole (« vif38-bilan referentiel --importer » sur ce même bilan), puis utilisez-le avec --referentiel."
        )
    imp = ImportHistorique(annees, statuts, observations, anomalies, lecture.doublons, non_rattachees)
    imp.valeurs, imp.ambigues = lus.reprendre_valeurs(lecture.rangees, protocole, annees)
    imp.chiffres, ambigus = lus.reprendre_chiffres(lecture.rangees, protocole, annees)
    imp.ambigues += ambigus
    return imp


def compte_rendu_historique(imp: ImportHistorique) -> list[str]:
    """What the import did, in French, one line each (the CLI prints them)."""
    lignes = [
        f"Année {y} : {len(imp.statuts[y])} statut(s), {len(imp.observations[y])} observation(s) → {chemin}"
        for y, chemin in zip(imp.annees, imp.fichiers, strict=False)
    ]
    if imp.valeurs or imp.ambigues or imp.chiffres:
        lignes.append(
            f"Valeurs lues dans les observations : {len(imp.valeurs)} d'indicateurs et {len(imp.chiffres)} de chiffres "
            f"clés reprises (« {lus.REPRIS} », "
            f"feuille sources), {len(imp.ambigues)} ambiguë(s) non reprise(s) (feuille « Revue » du classeur)."
        )
    lignes += [f"Tableau répété : {d}" for d in imp.doublons]
    lignes += [f"Ligne non rattachée à une action : {x}" for x in imp.non_rattachees]
    variantes = [a for a in imp.anomalies if a.gravite != ERREUR]
    if variantes:
        exemples = sorted({a.message.split(" (")[0] for a in variantes})
        lignes.append(f"{len(variantes)} statut(s) écrits autrement, normalisés : {' ; '.join(exemples[:6])}.")
    lignes += [f"Erreur : {a.message}" for a in imp.anomalies if a.gravite == ERREUR]
    lignes.append("Ensuite : relisez ces classeurs ; le bilan les reprend comme les années traitées par l'outil.")
    return lignes


def ecrire_historique_importe(
    protocole: Protocole, imp: ImportHistorique, annee: int, chemin: str | Path, source: str
) -> Path:
    """The history workbook of one year (the layout `vif38-bilan historique` writes), filled from the import."""
    import tempfile

    import openpyxl

    with tempfile.TemporaryDirectory() as tmp:
        vierge = ecrire_historique_vierge(protocole, annee, Path(tmp) / "vierge.xlsx")
        wb = openpyxl.load_workbook(vierge)
    ws = wb[FEUILLE_ACTIONS]
    tete = [c.value for c in ws[1]]
    jc = tete.index(COL_CODE) + 1
    js = tete.index(disposition.entete_statut(annee)) + 1
    jo = tete.index(disposition.entete_observations(annee)) + 1
    for r in range(2, ws.max_row + 1):
        code = ws.cell(r, jc).value
        if code in imp.statuts.get(annee, {}):
            mettre_texte(ws.cell(r, js), imp.statuts[annee][code])
        if code in imp.observations.get(annee, {}):
            mettre_texte(ws.cell(r, jo), imp.observations[annee][code])
    lus.ecrire_valeurs(wb, annee, imp.annees, imp.valeurs, imp.ambigues, source, imp.chiffres)
    mode = wb[FEUILLE_MODE]
    mettre_texte(mode["A1"], f"Historique {annee} du protocole — importé du document « {source} »")
    mettre_texte(
        mode["A3"],
        f"Statuts et observations de {annee} repris de « {source} » par « vif38-bilan historique --importer » ; "
        "les nombres écrits sans ambiguïté dans les observations sont repris dans la feuille indicateurs "
        f"(« {lus.REPRIS} » dans la feuille sources) ; relisez-les, complétez au besoin les autres valeurs.",
    )
    return enregistrer_classeur(wb, chemin)


def importer_historique(
    chemin: str | Path,
    protocole: Protocole,
    dossier_sorties: str | Path,
    remplacer: bool = False,
    verifier_annee: Callable[[int], None] | None = None,
) -> ImportHistorique:
    """Read the bilan document and write sorties/<year>/consolidation-<year>.xlsx for each year it covers.

    verifier_annee(year) is called for every year before anything is written (a signed year raises)."""
    chemin = Path(chemin)
    lecture = lire_bilan(chemin)
    imp = historique_depuis_bilan(lecture, protocole, chemin.name)
    cibles = {y: Path(dossier_sorties) / str(y) / fichiers.nom_consolidation(y) for y in imp.annees}
    for y in cibles:
        if verifier_annee is not None:
            verifier_annee(y)
    existants = [str(p) for p in cibles.values() if p.exists()]
    if existants and not remplacer:
        raise Vif38Error(
            f"Déjà présent : {', '.join(existants)}. Une année signée n'est pas réécrite sans le demander : "
            "relancez avec --remplacer pour remplacer ces classeurs par le contenu du document."
        )
    for y, cible in cibles.items():
        imp.fichiers.append(ecrire_historique_importe(protocole, imp, y, cible, chemin.name))
    return imp


def sans_retour(dossier_saisies: str | Path) -> bool:
    """True when saisies/<year>/ is missing or holds no file (office lock and hidden files aside)."""
    a_lire, ecartes = lister_saisies(Path(dossier_saisies))
    return not a_lire and not ecartes


def historique_importe(protocole: Protocole, dossier_sorties: str | Path, annee: int) -> Path | None:
    """sorties/<annee>/consolidation-<annee>.xlsx when it is a history workbook (imported or typed), else None."""
    chemin = Path(dossier_sorties) / str(annee) / fichiers.nom_consolidation(annee)
    if not chemin.is_file():
        return None
    try:
        lignes, _ = lire_feuille(lire_classeur(chemin).ouvrir(), disposition.FEUILLE_ID)
    except Exception:  # FichierRefuse: unreadable, the bilan's own history reading reports it
        return None
    ident = {str(r[0]).strip(): str(r[1]).strip() for r in lignes if len(r) >= 2}
    return (
        chemin
        if ident.get(ID_TYPE) == TYPE_HISTORIQUE and ident.get(disposition.ID_PROTOCOLE) == protocole.id
        else None
    )
