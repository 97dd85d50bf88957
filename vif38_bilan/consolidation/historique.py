"""The history: the consolidated figures of earlier years, read back from their workbooks.

lire_historique reads sorties/<year>/consolidation-<year>.xlsx for every protocol year before the
bilan's; ecrire_historique_vierge writes the same layout, blank, for a year the tool did not
process. Problems become anomalies naming the file and the cell, never exceptions.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from vif38_bilan.commun.textes import nature_erreur
from vif38_bilan.espace import fichiers
from vif38_bilan.gabarits import disposition
from vif38_bilan.regles import (
    AVERTISSEMENT,
    ERREUR,
    HISTORIQUE,
    HISTORIQUE_ABSENT,
    HISTORIQUE_ANNEE,
    HISTORIQUE_CODE,
    HISTORIQUE_DOUBLON,
    HISTORIQUE_ILLISIBLE,
    HISTORIQUE_PROTOCOLE,
    STATUT_INCONNU,
    STATUT_VARIANTE,
    VALEUR_ILLISIBLE,
    VALEUR_VARIANTE,
    Anomalie,
)
from vif38_bilan.consolidation.disposition import (
    COL_CODE,
    COL_NUMERO,
    COL_TYPE,
    ENTETES_DESACCORDS,
    ENTETES_MANQUANTS,
    ENTETES_SOURCES,
    FEUILLE_ACTIONS,
    FEUILLE_CHIFFRES,
    FEUILLE_DESACCORDS,
    FEUILLE_INDICATEURS,
    FEUILLE_MANQUANTS,
    FEUILLE_MODE,
    FEUILLE_SOURCES,
    ORDRE_STATUTS,
    TYPE_HISTORIQUE,
    TYPES_LISIBLES,
    ecrire_ligne,
    entetes_actions,
    entetes_indicateurs,
    etiquette,
    feuille,
    feuille_id,
    nombre_lu,
    nouveau_classeur,
    rubrique_indicateur,
)
from vif38_bilan.commun.ecriture import enregistrer_classeur, mettre_texte
from vif38_bilan.consolidation.historique_chiffres import feuille_chiffres_vierge, lire_chiffres_historiques
from vif38_bilan.lecture.classeur import lettre_colonne
from vif38_bilan.referentiel.protocole import Protocole
from vif38_bilan.controle.valeurs import lire_entier, lire_oui_non, normaliser_statut
from vif38_bilan.lecture.classeur import lire_classeur, lire_feuille


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
    chiffres: dict[int, dict[str, int]] = field(default_factory=dict)  # year → key-figure row code → value
    chiffres_cellules: dict[int, dict[str, str]] = field(default_factory=dict)  # year → row code → "H5"

    @property
    def nb_erreurs(self) -> int:
        return sum(a.gravite == ERREUR for a in self.anomalies)

    def precedentes(self, annee: int) -> dict[tuple, Any]:
        """Last year's figures for the outlier rule: (code, k) totals and (code, k, pilot) own values;
        ("chiffre", row code) for the key figures."""
        chiffres = {("chiffre", code): v for code, v in self.chiffres.get(annee - 1, {}).items()}
        return {**self.valeurs.get(annee - 1, {}), **self.valeurs_par_pilote.get(annee - 1, {}), **chiffres}


def _lettre(j: int) -> str:
    return lettre_colonne(j + 1)


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
        rel = f"{y}/{fichiers.nom_consolidation(y)}"
        chemin = dossier / str(y) / fichiers.nom_consolidation(y)
        if not chemin.is_file():
            h.annees_absentes.append(y)
            h.anomalies.append(
                Anomalie(
                    rel, None, None, None, AVERTISSEMENT,
                    f"Pas de données pour {y} ({chemin} est absent) : la colonne {y} du bilan restera vide. "
                    f"Pour la remplir, lancez « vif38-bilan historique --annee {y} », complétez le classeur produit, puis relancez le bilan.",
                    HISTORIQUE_ABSENT.id,
                )
            )  # fmt: skip
            continue
        _lire_un(protocole, chemin, rel, y, h)
    return h


def _lire_un(protocole: Protocole, chemin: Path, rel: str, y: int, h: Historique) -> None:
    """Read year y's history workbook into h; every problem becomes an anomaly naming its cell."""
    _LectureAnnee(protocole, chemin, rel, y, h).lire()


class _LectureAnnee:
    """One history workbook read: identification, then one reader per sheet."""

    def __init__(self, protocole: Protocole, chemin: Path, rel: str, y: int, h: Historique) -> None:
        self.protocole, self.chemin, self.rel, self.y, self.h = protocole, chemin, rel, y, h
        self.codes = {a.code for a in protocole.actions}
        self.cellules: dict[tuple[str, str], str] = {}

    def erreur(self, message: str, feuille=None, cellule=None, code=None, regle: str = HISTORIQUE_ILLISIBLE.id):
        self.h.anomalies.append(Anomalie(self.rel, feuille, cellule, code, ERREUR, message, regle))

    def avert(self, message: str, feuille=None, cellule=None, code=None, regle: str = HISTORIQUE.id):
        self.h.anomalies.append(Anomalie(self.rel, feuille, cellule, code, AVERTISSEMENT, message, regle))

    def lire(self) -> None:
        y, h = self.y, self.h
        ouvert = self._ouvrir()
        if ouvert is None or not self._identite(ouvert[1]):
            return
        sha256, feuilles = ouvert
        h.sources[y] = self.chemin
        h.empreintes[y] = sha256
        h.statuts[y], h.observations[y] = self._actions(feuilles[FEUILLE_ACTIONS])
        h.valeurs[y] = self._indicateurs(feuilles[FEUILLE_INDICATEURS])
        h.cellules[y] = self.cellules
        h.valeurs_par_pilote[y] = _valeurs_par_pilote(self.protocole, feuilles.get(FEUILLE_SOURCES, []), y)
        h.chiffres[y], h.chiffres_cellules[y] = lire_chiffres_historiques(
            self.protocole, feuilles.get(FEUILLE_CHIFFRES, []), y, self.rel, h.anomalies
        )

    def _ouvrir(self) -> tuple[str, dict[str, list[list[Any]]]] | None:
        """(SHA-256, the sheets read) or None (an erreur says why)."""
        utiles = (FEUILLE_ACTIONS, FEUILLE_INDICATEURS, FEUILLE_SOURCES, FEUILLE_CHIFFRES, disposition.FEUILLE_ID)
        try:
            classeur = lire_classeur(self.chemin)  # checked bytes and their SHA-256
            wb = classeur.ouvrir()  # calamine failures and panics contained
            feuilles = {n: lire_feuille(wb, n, skip_empty_area=False)[0] for n in wb.sheet_names if n in utiles}
        except Exception as e:  # FichierRefuse from securite, or any parser failure (calamine raises several types)
            self.erreur(
                f"Le classeur historique {self.chemin} est illisible ({nature_erreur(e)}) : ouvrez-le dans Excel ou "
                f"LibreOffice et enregistrez-le au format .xlsx, ou recréez-le avec « vif38-bilan historique --annee "
                f"{self.y} --remplacer », puis relancez."
            )
            return None
        return classeur.sha256, feuilles

    def _identite(self, feuilles: dict[str, list[list[Any]]]) -> bool:
        """False (with an erreur) for another year's or protocol's workbook, or a sheet renamed."""
        chemin, y = self.chemin, self.y
        ident = {
            str(r[0]).strip(): str(r[1]).strip()
            for r in feuilles.get(disposition.FEUILLE_ID, [])
            if len(r) >= 2 and r[0] != ""
        }
        lu = ident.get(disposition.ID_ANNEE, "")
        if lu and lu.split(".")[0] != str(y):
            self.erreur(
                f"{chemin} est le classeur de l'année {lu}, pas de {y} : remettez le bon fichier dans le dossier "
                f"sorties/{y}/.",
                regle=HISTORIQUE_ANNEE.id,
            )
            return False
        pid = ident.get(disposition.ID_PROTOCOLE, "")
        if pid and pid != self.protocole.id:
            self.erreur(
                f"{chemin} appartient à un autre protocole (« {pid} ») : remettez le classeur de ce protocole.",
                regle=HISTORIQUE_PROTOCOLE.id,
            )
            return False
        for nom in (FEUILLE_ACTIONS, FEUILLE_INDICATEURS):
            if nom not in feuilles:
                self.erreur(
                    f"Le classeur {chemin} n'a pas de feuille « {nom} » : ne renommez pas les feuilles (relancez "
                    f"« vif38-bilan historique --annee {y} » au besoin)."
                )
                return False
        return True

    def _colonnes(self, feuille: str, lignes: list[list[Any]], attendues: tuple[str, ...]) -> tuple[int, ...] | None:
        """Indexes of the expected headers of row 1, or None (with an erreur naming the first missing one)."""
        tete = [str(v).strip() for v in (lignes[0] if lignes else [])]
        manque = [t for t in attendues if t not in tete]
        if manque:
            self.erreur(
                f"La feuille « {feuille} » de {self.chemin} n'a pas de colonne « {manque[0]} » en ligne 1 : ne "
                "modifiez pas les en-têtes.",
                feuille,
                "1",
            )
            return None
        return tuple(tete.index(t) for t in attendues)

    def _code(self, feuille: str, ligne: list[Any], jc: int, i: int, deja: set[str] | None = None) -> str | None:
        """The action code of a row, or None for an empty, unknown (warned) or repeated (warned) one."""
        code = _texte_cellule(ligne, jc)
        if not code:
            return None
        ref = f"{_lettre(jc)}{i}"
        if code not in self.codes:
            self.avert(f"Code action « {code} » inconnu en {ref} : la ligne est ignorée.", feuille, ref, code,
                       HISTORIQUE_CODE.id)  # fmt: skip
            return None
        if deja is not None and code in deja:
            self.avert(f"L'action {code} figure deux fois (ligne {i}) : seule la première ligne est lue.", feuille,
                       ref, code, HISTORIQUE_DOUBLON.id)  # fmt: skip
            return None
        return code

    def _actions(self, lignes: list[list[Any]]) -> tuple[dict[str, str], dict[str, str]]:
        """Statuses and observations of the year, per action code."""
        statuts: dict[str, str] = {}
        observations: dict[str, str] = {}
        y = self.y
        cols = self._colonnes(FEUILLE_ACTIONS, lignes, (COL_CODE, disposition.entete_statut(y),
                                                        disposition.entete_observations(y)))  # fmt: skip
        if cols is None:
            return statuts, observations
        jc, js, jo = cols
        for i, ligne in enumerate(lignes[1:], 2):
            code = self._code(FEUILLE_ACTIONS, ligne, jc, i, set(statuts) | set(observations))
            if code is None:
                continue
            statut = self._statut(_texte_cellule(ligne, js), f"{_lettre(js)}{i}", code)
            if statut:
                statuts[code] = statut
            obs = _texte_cellule(ligne, jo, garder_lignes=True)
            if obs:
                observations[code] = obs
                self.cellules[(code, "Observations")] = f"{_lettre(jo)}{i}"
        return statuts, observations

    def _statut(self, brut: str, ref: str, code: str) -> str | None:
        if not brut:
            return None
        s, _variante = normaliser_statut(brut)
        if s is None:
            self.erreur(
                f"Statut « {brut} » inconnu en {ref} (feuille « {FEUILLE_ACTIONS} », action {code}) : "
                f"choisissez {', '.join(ORDRE_STATUTS[:-1])} ou {ORDRE_STATUTS[-1]}.",
                FEUILLE_ACTIONS, ref, code, STATUT_INCONNU.id,
            )  # fmt: skip
            return None
        if s != brut:
            self.avert(f"Statut « {brut} » lu comme « {s} » en {ref} (action {code}).", FEUILLE_ACTIONS, ref, code,
                       STATUT_VARIANTE.id)  # fmt: skip
        self.cellules[(code, "Statut")] = ref
        return s

    def _indicateurs(self, lignes: list[list[Any]]) -> dict[tuple[str, int], Any]:
        """Indicator values of the year, per (action code, indicator index)."""
        valeurs: dict[tuple[str, int], Any] = {}
        cols = self._colonnes(FEUILLE_INDICATEURS, lignes, (COL_CODE, COL_NUMERO, f"Valeur {self.y}"))
        if cols is None:
            return valeurs
        jc, jn, jv = cols
        for i, ligne in enumerate(lignes[1:], 2):
            code = self._code(FEUILLE_INDICATEURS, ligne, jc, i)
            if code is None:
                continue
            action = self.protocole.action(code)
            num = nombre_lu(ligne[jn] if jn < len(ligne) else None)
            if not isinstance(num, int) or not 1 <= num <= len(action.indicateurs):
                self.erreur(
                    f"Numéro d'indicateur illisible en {_lettre(jn)}{i} (action {code}, {len(action.indicateurs)} "
                    f"indicateur(s)) : ne modifiez pas la colonne « {COL_NUMERO} ».",
                    FEUILLE_INDICATEURS, f"{_lettre(jn)}{i}", code,
                )  # fmt: skip
                continue
            brut = ligne[jv] if jv < len(ligne) else ""
            if brut == "" or brut is None or (isinstance(brut, str) and not brut.strip()):
                continue
            v = self._valeur(action, num - 1, brut, f"{_lettre(jv)}{i}")
            if v is not None:
                valeurs[(code, num - 1)] = v
        return valeurs

    def _valeur(self, action: Any, k: int, brut: Any, ref: str) -> Any:
        """One indicator value, read by the same rules as the returns ("12 pers." → 12 with a warning)."""
        ind = action.indicateurs[k]
        if ind.type == "entier":
            v, message = lire_entier(brut)
        elif ind.type == "oui_non":
            v, message = lire_oui_non(brut)
        else:
            v, message = _texte_cellule([brut], 0, garder_lignes=True) or None, ""
        lieu = f"{ref} (feuille « {FEUILLE_INDICATEURS} », action {action.code}, « {ind.libelle} »)"
        if v is None:
            self.erreur(f"Valeur illisible en {lieu} : {message}", FEUILLE_INDICATEURS, ref, action.code,
                        VALEUR_ILLISIBLE.id)  # fmt: skip
            return None
        if message:
            self.avert(f"En {lieu} : {message}", FEUILLE_INDICATEURS, ref, action.code, VALEUR_VARIANTE.id)
        self.cellules[(action.code, rubrique_indicateur(action, k))] = ref
        return v


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
        if len(ligne) <= max(ja, jc, jr, jp, jv) or nombre_lu(ligne[ja]) != y:
            continue
        code, rubrique, pilote = str(ligne[jc]).strip(), str(ligne[jr]), str(ligne[jp]).strip()
        m = re.match(r"Indicateur (\d+)", rubrique)
        v = nombre_lu(ligne[jv])
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


def ecrire_historique_vierge(protocole: Protocole, annee: int, chemin: str | Path) -> Path:
    """The blank history workbook for a year the tool did not process: same layout, to type by hand.

    Returns:
        chemin, written atomically. Raises SortieBloquee when it cannot be written.
    """
    p = protocole
    annees = tuple(a for a in p.annees if a <= annee)
    wb = nouveau_classeur()
    _mode_emploi_vierge(wb, annee)
    _actions_vierges(wb, p, annees, annee)
    _indicateurs_vierges(wb, p, annees, annee)
    if p.chiffres:
        feuille_chiffres_vierge(wb, p, annee)
    feuille(wb, FEUILLE_SOURCES, ENTETES_SOURCES)
    feuille(wb, FEUILLE_DESACCORDS, ENTETES_DESACCORDS)
    feuille(wb, FEUILLE_MANQUANTS, ENTETES_MANQUANTS)
    feuille_id(wb, p, annee, TYPE_HISTORIQUE)
    wb.active = 0
    return enregistrer_classeur(wb, chemin)


_SAISIE, _GRIS = "FFF2CC", "EDEDED"  # yellow: to type; grey: not for this year


def _mode_emploi_vierge(wb: Any, annee: int) -> None:
    from openpyxl.styles import Font  # lazy (openpyxl, here and below): only this workbook needs it

    ws = wb.create_sheet(FEUILLE_MODE)
    lignes = [
        f"Historique {annee} du protocole — à remplir à la main",
        "",
        f"Ce classeur tient lieu de consolidation pour {annee}, une année où les retours n'ont pas été traités par vif38-bilan.",
        f"Remplissez les cellules jaunes à partir du bilan {annee} (annexe « Bilan du protocole ») :",
        f"  • feuille « {FEUILLE_ACTIONS} », colonne « {disposition.entete_statut(annee)} » : le statut de chaque action (liste déroulante) ;",
        f"  • feuille « {FEUILLE_ACTIONS} », colonne « {disposition.entete_observations(annee)} » : les observations, telles qu'écrites dans le bilan ;",
        f"  • feuille « {FEUILLE_INDICATEURS} », colonne « Valeur {annee} » : la valeur de chaque indicateur (un nombre entier, Oui/Non, ou un texte selon la colonne « {COL_TYPE} »).",
        f"  • feuille « {FEUILLE_CHIFFRES} », colonne « Valeur {annee} » : la valeur de chaque chiffre clé (un nombre entier), s'il y en a.",
        "Laissez vide ce que vous ne connaissez pas. Ne modifiez pas les codes d'action, les en-têtes ni les noms des feuilles.",
        f"Enregistrez le fichier sous le même nom, au même endroit (sorties/{annee}/{fichiers.nom_consolidation(annee)}), au format Excel (.xlsx).",
        "Le bilan de l'année suivante le relit et le vérifie : un statut inconnu ou un nombre illisible est signalé avec sa cellule.",
    ]  # fmt: skip
    for i, t in enumerate(lignes, 1):
        if t:
            mettre_texte(ws.cell(row=i, column=1), t)
    ws["A1"].font = Font(bold=True, size=14)
    ws.column_dimensions["A"].width = 140


def _actions_vierges(wb: Any, p: Protocole, annees: tuple[int, ...], annee: int) -> None:
    from openpyxl.comments import Comment
    from openpyxl.styles import Alignment, PatternFill
    from openpyxl.utils import get_column_letter
    from openpyxl.worksheet.datavalidation import DataValidation

    liste_statuts = DataValidation(type="list", formula1='"' + ",".join(ORDRE_STATUTS) + '"', allow_blank=True)
    liste_statuts.error = "Choisissez un statut dans la liste : " + ", ".join(ORDRE_STATUTS)
    liste_statuts.errorTitle = "Statut inconnu"
    liste_statuts.showErrorMessage = True
    entetes = entetes_actions(annees, annee)
    ws = feuille(wb, FEUILLE_ACTIONS, entetes, {1: 10, 2: 6, 3: 9, 4: 60, 5: 28, 6: 16})
    ws.add_data_validation(liste_statuts)
    col_statut = entetes.index(disposition.entete_statut(annee)) + 1
    col_obs = entetes.index(disposition.entete_observations(annee)) + 1
    ws.column_dimensions[get_column_letter(col_obs)].width = 60
    saisie, gris = PatternFill("solid", fgColor=_SAISIE), PatternFill("solid", fgColor=_GRIS)
    for i, a in enumerate(p.actions, 2):
        ecrire_ligne(ws, i, [a.code, a.axe, a.objectif, a.description, a.pilotage, etiquette(p, a.chef_de_file)])
        ws.cell(row=i, column=4).alignment = Alignment(wrap_text=True, vertical="top")
        for j in range(7, len(entetes) + 1):
            ws.cell(row=i, column=j).fill = saisie if j in (col_statut, col_obs) else gris
        ws.cell(row=i, column=col_obs).alignment = Alignment(wrap_text=True, vertical="top")
    liste_statuts.add(f"{get_column_letter(col_statut)}2:{get_column_letter(col_statut)}{len(p.actions) + 1}")
    ws.cell(row=1, column=col_statut).comment = Comment(
        "Choisissez le statut dans la liste : " + ", ".join(ORDRE_STATUTS), "vif38-bilan"
    )


def _indicateurs_vierges(wb: Any, p: Protocole, annees: tuple[int, ...], annee: int) -> None:
    from openpyxl.styles import Alignment, PatternFill
    from openpyxl.utils import get_column_letter
    from openpyxl.worksheet.datavalidation import DataValidation

    entetes = entetes_indicateurs(annees, annee)
    ws = feuille(wb, FEUILLE_INDICATEURS, entetes, {1: 10, 2: 5, 3: 50, 4: 9, 5: 10})
    col_val = entetes.index(f"Valeur {annee}") + 1
    nombres = DataValidation(type="whole", operator="greaterThanOrEqual", formula1="0", allow_blank=True)
    nombres.error = "Tapez un nombre entier (sans unité), ou laissez vide."
    nombres.showErrorMessage = True
    oui_non = DataValidation(type="list", formula1='"Oui,Non"', allow_blank=True)
    oui_non.error = "Choisissez Oui ou Non."
    oui_non.showErrorMessage = True
    ws.add_data_validation(nombres)
    ws.add_data_validation(oui_non)
    saisie = PatternFill("solid", fgColor=_SAISIE)
    i = 2
    for a in p.actions:
        for k, ind in enumerate(a.indicateurs):
            ecrire_ligne(ws, i, [a.code, k + 1, ind.libelle, TYPES_LISIBLES.get(ind.type, ind.type), ind.cible_annuelle])
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
