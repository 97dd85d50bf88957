"""Outputs of the returns check: the control workbook, the annotated copies, who is missing.

The control workbook is only written: it is streamed with xlsxwriter (classeur_flux). openpyxl is
imported only to annotate copies of returns with findings (an existing workbook to modify): a
run without anomalies never loads it. The check itself reads values with python-calamine.
"""

from __future__ import annotations

import contextlib
import io
import warnings
from datetime import datetime
from pathlib import Path
from typing import Any

from vif38_bilan.espace import fichiers
from vif38_bilan.commun.textes import tronquer, de
from vif38_bilan.commun.textes import lignes_repliees
from vif38_bilan.regles import A_CORRIGER, AVERTISSEMENT, ERREUR, IGNORE, REMPLACE, VALIDE, Anomalie
from vif38_bilan.commun.classeur_flux import Feuille, ecrire_classeur
from vif38_bilan.commun.ecriture import enregistrer_classeur
from vif38_bilan.exceptions import SortieBloquee
from vif38_bilan.lecture.classeur import lire_classeur
from vif38_bilan.referentiel.protocole import Protocole
from vif38_bilan.controle.resultats import FichierControle, ResultatControle
from vif38_bilan.lecture.commentaires import lire_commentaires


FEUILLE_ANOMALIES = "Anomalies"
FEUILLE_FICHIERS = "Fichiers"
FEUILLE_MANQUANTS = "Retours manquants"

COLONNES_ANOMALIES = (
    "Fichier",
    "Pilote",
    "Structure",
    "Feuille",
    "Cellule",
    "Code action",
    "Gravité",
    "Message",
    "Règle",
)
COLONNES_FICHIERS = (
    "Fichier",
    "Pilote",
    "Structure",
    "État",
    "Erreurs",
    "Avertissements",
    "Remplacé par",
    "Motif",
    "Copie annotée",
)
COLONNES_MANQUANTS = ("Pilote", "Nom", "Nombre d'actions", "Actions")

# Fills of the annotated copies and of the report's severity column (ARGB without alpha).
ROUGE = "FF7C80"
ORANGE = "FFC000"
COULEUR_EN_TETE = "1F4E79"

# Formats whose copy can be annotated: openpyxl reads xlsx/xlsm (Strict Open XML mapped back to
# transitional); an .ods return gets an .xlsx copy holding its cells (copie_ods). Not xls.
FORMATS_ANNOTABLES = ("xlsx", "xlsm", "ods")




def chemin_annote(dossier_sortie: Path, nom_relatif: str) -> Path:
    """Where the annotated copy of a return goes: retours-annotes/<same relative name>, always
    an .xlsx ("retour.ods" → "retour (ods).xlsx", so two returns never share one copy)."""
    relatif = Path(nom_relatif)
    if relatif.suffix.lower() != ".xlsx":
        # Issue 25: no double extension ("GGD38 bilan 2023.ods.xlsx" confuses pilots and mail
        # filters); the original format stays in the name so that two returns never share a copy.
        suffixe = relatif.suffix.lower().lstrip(".")
        nom = f"{relatif.stem} ({suffixe}).xlsx" if suffixe and suffixe.isalnum() else relatif.name + ".xlsx"
        relatif = relatif.with_name(nom)
    return Path(dossier_sortie) / fichiers.DOSSIER_ANNOTES / relatif


def annotable(fichier: FichierControle, anomalies: list[Anomalie]) -> bool:
    """A copy is made for a used return (valid or to correct) that has findings."""
    return fichier.etat in (VALIDE, A_CORRIGER) and bool(anomalies)


def etat_copie(fichier: FichierControle, anomalies: list[Anomalie], dossier_sortie: Path) -> str:
    """What the report says in its "Copie annotée" column."""
    if not annotable(fichier, anomalies):
        return ""
    if fichier.format not in FORMATS_ANNOTABLES:
        return (
            f"Aucune copie annotée pour un fichier .{fichier.format} : transmettez au pilote la liste des "
            "anomalies de ce fichier (feuille Anomalies, filtrée sur son nom)."
        )
    return chemin_annote(dossier_sortie, fichier.nom).relative_to(dossier_sortie).as_posix()


# ---------------------------------------------------------------- control workbook


def ecrire_rapport(resultat: ResultatControle, protocole: Protocole, dossier_sortie: Path) -> Path:
    """Write controle-AAAA.xlsx (sheets Anomalies, Fichiers, Retours manquants); returns its path.

    Streamed (classeur_flux, xlsxwriter): one pass over the findings, linear in their number."""
    dossier_sortie = Path(dossier_sortie)
    par_fichier: dict[str, list[Anomalie]] = {}
    for a in resultat.anomalies:
        par_fichier.setdefault(a.fichier, []).append(a)

    def remplir(wb: Any) -> None:
        blanc_sur_bleu = {"bold": True, "font_color": "#FFFFFF", "bg_color": f"#{COULEUR_EN_TETE}"}
        entete = wb.add_format({**blanc_sur_bleu, "text_wrap": True, "valign": "vcenter"})
        texte = wb.add_format({"text_wrap": True, "valign": "top"})
        rouge = wb.add_format({"text_wrap": True, "valign": "top", "bg_color": f"#{ROUGE}"})
        orange = wb.add_format({"text_wrap": True, "valign": "top", "bg_color": f"#{ORANGE}"})

        largeurs = (38, 22, 28, 10, 9, 11, 14, 90, 22)
        ws = Feuille(wb, FEUILLE_ANOMALIES, COLONNES_ANOMALIES, largeurs, entete)
        for a in resultat.anomalies:
            valeurs = (
                a.fichier,
                a.pilote,
                a.structure,
                a.feuille,
                a.cellule,
                a.code_action,
                a.gravite,
                a.message,
                a.regle,
            )
            formats = [texte] * len(valeurs)
            formats[6] = rouge if a.gravite == ERREUR else orange
            ws.ecrire(valeurs, formats, _hauteur(valeurs, largeurs))
        _finir(ws)

        largeurs = (38, 22, 28, 12, 9, 14, 38, 70, 45)
        ws = Feuille(wb, FEUILLE_FICHIERS, COLONNES_FICHIERS, largeurs, entete)
        for f in resultat.fichiers:
            valeurs = (
                f.nom,
                f.pilote,
                f.structure,
                f.etat,
                f.erreurs,
                f.avertissements,
                f.remplace_par,
                f.motif,
                etat_copie(f, par_fichier.get(f.nom, []), dossier_sortie),
            )
            formats = [texte] * len(valeurs)
            if f.erreurs:
                formats[3] = rouge
            ws.ecrire(valeurs, formats, _hauteur(valeurs, largeurs))
        _finir(ws)

        largeurs = (28, 50, 10, 90)
        ws = Feuille(wb, FEUILLE_MANQUANTS, COLONNES_MANQUANTS, largeurs, entete)
        for code in resultat.manquants:
            actions = protocole.actions_du_pilote(code)
            liste = ", ".join(f"{a.code} ({role})" for a, role in actions)
            valeurs = (code, protocole.pilote(code).nom, len(actions), liste)
            ws.ecrire(valeurs, [texte] * len(valeurs), _hauteur(valeurs, largeurs))
        _finir(ws)

    proprietes = {"title": f"Contrôle des retours {resultat.annee}", "author": "vif38-bilan"}
    return ecrire_classeur(dossier_sortie / fichiers.nom_rapport(resultat.annee), remplir, proprietes)


def _hauteur(valeurs: tuple, largeurs: tuple[int, ...]) -> float:
    """Row height (points) fitting the longest wrapped text: LibreOffice does not fit the rows of
    a generated file when it opens it, so long messages would overlap."""
    lignes = 1
    for v, largeur in zip(valeurs, largeurs, strict=False):
        if v is not None:
            texte = str(v)
            lignes = max(lignes, lignes_repliees(texte, largeur / 1.1))
    return min(409, lignes * 13 + 4)


def _finir(ws: Feuille) -> None:
    ws.figer(1, 0)
    ws.filtrer()
    ws.imprimer_en_paysage()


# ---------------------------------------------------------------- annotated copies


def ecrire_retours_annotes(resultat: ResultatControle, dossier_saisies: Path, dossier_sortie: Path) -> list[Path]:
    """For each used return with findings, write a copy with the cells filled (red: erreur,
    orange: avertissement) and commented; the original is only read. Returns the copies written.

    Copies of returns that no longer need one (corrected since) are removed, so that the folder
    never holds an outdated copy ready to be e-mailed.
    """
    dossier_saisies = Path(dossier_saisies)
    dossier_sortie = Path(dossier_sortie)
    par_fichier: dict[str, list[Anomalie]] = {}
    for a in resultat.anomalies:
        par_fichier.setdefault(a.fichier, []).append(a)
    ecrits: list[Path] = []
    echecs: list[str] = []
    impossibles: list[str] = []  # copies that cannot be made: for the agent, not the pilot's fault
    attendues: set[Path] = set()
    for f in resultat.fichiers:
        anomalies = par_fichier.get(f.nom, [])
        cible = chemin_annote(dossier_sortie, f.nom)
        if not annotable(f, anomalies) or f.format not in FORMATS_ANNOTABLES:
            continue
        attendues.add(cible)
        source = f.chemin if f.chemin.exists() else dossier_saisies / f.nom
        try:
            with warnings.catch_warnings():  # openpyxl's English warnings never reach the console
                warnings.simplefilter("ignore")
                ecrits.append(annoter(source, cible, f, anomalies, resultat.annee))
        except SortieBloquee as e:
            echecs.append(str(e))
        except Exception:  # one copy that cannot be made must not prevent the others
            with contextlib.suppress(FileNotFoundError):
                cible.unlink()  # an older copy would no longer match the return
            impossibles.append(
                f"Copie annotée de « {f.nom} » non faite : ce classeur n'a pas pu être recopié. Transmettez au "
                "pilote la liste de ses anomalies (rapport de contrôle, feuille Anomalies, filtrée sur ce fichier)."
            )
    _retirer_perimees(dossier_sortie / fichiers.DOSSIER_ANNOTES, attendues)
    resultat.copies_impossibles = impossibles
    if echecs:
        raise SortieBloquee("\n".join(echecs + [f"Les {len(ecrits)} autre(s) copie(s) annotée(s) ont été écrites."]))
    return ecrits


def _retirer_perimees(dossier: Path, attendues: set[Path]) -> None:
    """Remove annotated copies of returns that no longer need one (corrected, or no longer in
    the returns folder): the folder never holds an outdated copy ready to be e-mailed."""
    if not dossier.is_dir():
        return
    for copie in sorted(dossier.rglob("*.xlsx"), reverse=True):
        if copie not in attendues and copie.is_file() and not copie.is_symlink():
            with contextlib.suppress(OSError):
                copie.unlink()


def annoter(source: Path, cible: Path, fichier: FichierControle, anomalies: list[Anomalie], annee: int) -> Path:
    """Write at cible a copy of source carrying the findings (source is never written).

    The copy is made from bytes read and checked again by lecture.lire_classeur, and refused when
    their SHA-256 is not the one the check saw (the file was replaced since)."""
    from openpyxl import load_workbook
    from openpyxl.comments import Comment
    from openpyxl.styles import PatternFill

    lu = lire_classeur(source)
    if fichier.sha256 and lu.sha256 != fichier.sha256:
        raise SortieBloquee(
            f"Copie annotée de « {fichier.nom} » non faite : le fichier a changé depuis son contrôle. "
            "Relancez « vif38-bilan controler » pour contrôler la nouvelle version."
        )
    if lu.format == "ods":
        from vif38_bilan.controle.copie_ods import classeur_depuis_ods  # lazy: only an .ods return needs it

        wb = classeur_depuis_ods(lu.donnees)
    else:
        from vif38_bilan.lecture.ooxml_strict import en_transitionnel, est_strict  # lazy: only a Strict Open XML return needs it

        donnees = en_transitionnel(lu.donnees) if est_strict(lu.donnees) else lu.donnees
        wb = load_workbook(io.BytesIO(donnees), keep_vba=False, keep_links=False)
    nom_feuille = fichier.feuille if fichier.feuille in wb.sheetnames else None
    if nom_feuille is None:
        nom_feuille = next((n for n in wb.sheetnames if wb[n].sheet_state == "visible"), wb.sheetnames[0])

    par_cellule: dict[tuple[str, str], list[Anomalie]] = {}
    generales: list[Anomalie] = []
    for a in anomalies:
        feuille = a.feuille if a.feuille in wb.sheetnames else nom_feuille
        if a.cellule:
            par_cellule.setdefault((feuille, a.cellule), []).append(a)
        else:
            generales.append(a)

    rouge = PatternFill("solid", fgColor=ROUGE)
    orange = PatternFill("solid", fgColor=ORANGE)
    # The pilot's own comments (legacy notes, threaded comments, ODS annotations) are kept: the
    # tool's text is added beside them, never in their place (issue 25).
    pilote = _commentaires_du_pilote(lu, wb)
    for (feuille, ref), liste in par_cellule.items():
        cellule = _cellule_ancre(wb[feuille], ref)
        erreur = any(a.gravite == ERREUR for a in liste)
        cellule.fill = rouge if erreur else orange
        siens = pilote.pop((feuille, cellule.coordinate), [])
        cellule.comment = _commentaire(Comment, siens + [_ligne(a) for a in liste])
    for (feuille, ref), siens in pilote.items():
        wb[feuille][ref].comment = _commentaire(Comment, siens, auteur="pilote")

    nb_e = sum(a.gravite == ERREUR for a in anomalies)
    nb_a = sum(a.gravite == AVERTISSEMENT for a in anomalies)
    entete = (
        f"Contrôle du {datetime.now():%d/%m/%Y} (bilan {annee}) : {nb_e} erreur(s), cellules en rouge, et "
        f"{nb_a} avertissement(s), cellules en orange. Passez la souris sur une cellule colorée pour lire le message, "
        "corrigez, puis renvoyez le classeur."
    )
    a1 = _cellule_ancre(wb[nom_feuille], "A1")
    if generales:
        a1.fill = rouge if any(a.gravite == ERREUR for a in generales) else orange
    lignes = [entete] + [_ligne(a) for a in generales]
    if a1.comment is not None:  # a finding, or the pilot's comment, on A1 itself: keep it too
        lignes.append(a1.comment.text)
    a1.comment = _commentaire(Comment, lignes)
    if lu.format == "ods":
        from vif38_bilan.controle.copie_ods import proteger_comme_ods  # lazy: only an .ods return needs it

        proteger_comme_ods(wb, lu.donnees)
    return enregistrer_classeur(wb, cible)


def _commentaires_du_pilote(lu: Any, wb: Any) -> dict[tuple[str, str], list[str]]:
    """(sheet, cell) → the pilot's comments, attributed ("Commentaire de X : …"); the copies
    openpyxl loaded (legacy notes, and Excel's legacy stand-in of a threaded comment) are removed
    so that each comment is written once, in French."""
    siens: dict[tuple[str, str], list[str]] = {}
    for c in lire_commentaires(lu.donnees, lu.format, [n for n in wb.sheetnames]):
        if c.feuille not in wb.sheetnames:
            continue
        qui = f"Commentaire {de(c.auteur)}" if c.auteur else "Commentaire"
        siens.setdefault((c.feuille, c.ref), []).append(f"{qui} : {c.texte}")
        wb[c.feuille][c.ref].comment = None
    return siens


def _ligne(a: Anomalie) -> str:
    gravite = "ERREUR" if a.gravite == ERREUR else "Avertissement"
    quoi = f" (action {a.code_action})" if a.code_action and not a.cellule else ""
    return f"{gravite}{quoi} : {a.message}"


def _commentaire(Comment: Any, lignes: list[str], auteur: str = "vif38-bilan") -> Any:
    texte = "\n\n".join(lignes)
    hauteur = min(600, 20 + 15 * sum(1 + len(x) // 45 for x in lignes))
    return Comment(texte, auteur, height=hauteur, width=320)


def _cellule_ancre(ws: Any, ref: str) -> Any:
    """The cell at ref, or the top-left cell of the merged range holding it."""
    from openpyxl.cell.cell import MergedCell

    cellule = ws[ref]
    if isinstance(cellule, MergedCell):
        for plage in ws.merged_cells.ranges:
            if ref in plage:
                return ws.cell(plage.min_row, plage.min_col)
    return cellule


def texte_console(resultat: ResultatControle) -> str:
    """The check's summary for a terminal: one line per file, the counts, the missing pilots.

    Returns French text (no trailing newline); long cells are cut with « … »."""
    f = resultat.fichiers
    lignes = [(x.nom, x.pilote or "", x.structure or "", str(x.erreurs), str(x.avertissements), x.etat) for x in f]
    tetes = ("Fichier", "Pilote", "Structure", "Erreurs", "Avertissements", "État")
    plafonds = (40, 28, 32, 7, 14, 10)
    largeurs = [min(plafonds[k], max([len(t)] + [len(li[k]) for li in lignes])) for k, t in enumerate(tetes)]

    def rangee(valeurs: tuple[str, ...]) -> str:
        cases = []
        for k, v in enumerate(valeurs):
            v = tronquer(v, largeurs[k])
            cases.append(f"{v:>{largeurs[k]}}" if k in (3, 4) else f"{v:<{largeurs[k]}}")
        return "  ".join(cases).rstrip()

    sortie = [rangee(tetes), *(rangee(li) for li in lignes)]
    compte = {e: sum(x.etat == e for x in f) for e in (VALIDE, A_CORRIGER, REMPLACE, IGNORE)}
    sortie.append(
        f"\n{len(f)} fichier(s) : {compte[VALIDE]} valide(s), {compte[A_CORRIGER]} à corriger, "
        f"{compte[REMPLACE]} remplacé(s), {compte[IGNORE]} ignoré(s) — "
        f"{resultat.nb_erreurs} erreur(s), {resultat.nb_avertissements} avertissement(s)."
    )
    if resultat.manquants:
        sortie.append(f"Retours manquants ({len(resultat.manquants)}) : {', '.join(resultat.manquants)}.")
    else:
        sortie.append("Aucun retour manquant.")
    sortie += [f"À noter : {m}" for m in getattr(resultat, "copies_impossibles", ())]
    return "\n".join(sortie)
