"""Who gets which workbook for each type of e-mail: the recipients of envoi (each pilot's workbook),
relance (pilots without a usable return) and correction (returns with erreurs, annotated copy)."""

from __future__ import annotations

import contextlib
import hashlib
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from vif38_bilan.gabarits import disposition

from vif38_bilan.controle import rapport as rapport_controle
from vif38_bilan.regles import A_CORRIGER, ERREUR, VALIDE
from vif38_bilan.courriels.contacts import Contact, lire_adresse
from vif38_bilan.exceptions import Vif38Error
from vif38_bilan.referentiel.pilotes import cle
from vif38_bilan.referentiel.protocole import Protocole


@dataclass(frozen=True)
class PieceJointe:
    chemin: Path
    nom: str
    sha256: str


@dataclass
class Cible:
    """A recipient before rendering: a contact row (or an address found in a return)."""

    contact: Contact
    pieces: list[PieceJointe] = field(default_factory=list)
    blocs: list[tuple[str, str, list[Any]]] = field(default_factory=list)  # (file, note, anomalies)


def _piece(chemin: Path, nom: str | None = None) -> PieceJointe:
    return PieceJointe(chemin=chemin, nom=nom or chemin.name, sha256=hashlib.sha256(chemin.read_bytes()).hexdigest())


def cibles_classeurs(
    protocole: Protocole,
    contacts: Sequence[Contact],
    config: Any,
    annee: int,
    codes: Sequence[str],
    sans_adresse: list[str],
    structures_exclues: Mapping[str, set[str]] | None = None,
) -> list[Cible]:
    """Recipients of the pilots' workbooks (envoi, relance)."""
    dossier = config.dossier("gabarits", annee)
    if codes and (not dossier.is_dir() or not any(dossier.glob("*.xlsx"))):
        # Said first: the missing addresses would otherwise be listed, then no draft written.
        raise Vif38Error(
            f"Aucun classeur dans « {dossier} » : lancez d'abord « vif38-bilan gabarits --annee {annee} », "
            "puis relancez cette commande."
        )
    cibles: list[Cible] = []
    manquants: list[str] = []
    pieces: dict[str, PieceJointe] = {}
    for code in codes:
        lignes = [c for c in contacts if c.pilote == code]
        if structures_exclues is not None and code in structures_exclues:
            lignes = [c for c in lignes if cle(c.structure) not in structures_exclues[code]]
            if not lignes:
                continue
        avec = [c for c in lignes if c.courriel]
        for c in lignes:
            if not c.courriel and (c.structure or not avec):
                qui = f"{code} – {c.structure}" if c.structure else f"{code} ({c.organisation})"
                sans_adresse.append(f"{qui} : pas d'adresse (contacts.xlsx, ligne {c.ligne}).")
        if not lignes:
            sans_adresse.append(f"{code} ({protocole.pilote(code).nom}) : aucune ligne dans contacts.xlsx.")
        if not avec:
            continue
        if code not in pieces:
            chemin = dossier / disposition.nom_fichier(annee, code)
            if not chemin.is_file():
                manquants.append(chemin.name)
                continue
            pieces[code] = _piece(chemin)
        for c in avec:
            cibles.append(Cible(contact=c, pieces=[pieces[code]]))
    if manquants:
        raise Vif38Error(
            f"{len(manquants)} classeur(s) introuvable(s) dans « {dossier} » : {', '.join(manquants)}. "
            f"Lancez « vif38-bilan gabarits --annee {annee} » pour les produire, puis relancez cette commande."
        )
    return cibles


def _utilisable(f: Any) -> bool:
    return f.etat in (VALIDE, A_CORRIGER) and bool(f.pilote)


def cibles_relance(
    protocole: Protocole, contacts: Sequence[Contact], config: Any, annee: int, resultat: Any, sans_adresse: list[str]
) -> list[Cible]:
    """Pilots with no usable return; for a collective pilot, also its structures not heard from."""
    manquants = set(resultat.manquants)
    recus: dict[str, set[str]] = {}
    for f in resultat.fichiers:
        if _utilisable(f):
            recus.setdefault(f.pilote, set()).add(cle(f.structure or ""))
    codes = []
    exclues: dict[str, set[str]] = {}
    for p in protocole.pilotes_actifs():
        if p.code in manquants:
            codes.append(p.code)
        elif p.collectif and p.code in recus:
            # Structures listed in contacts.xlsx whose name matches no return: remind them too.
            exclues[p.code] = recus[p.code] | {""}
            codes.append(p.code)
    return cibles_classeurs(protocole, contacts, config, annee, codes, sans_adresse, exclues)


def cibles_correction(
    protocole: Protocole,
    contacts: Sequence[Contact],
    sorties: Path,
    resultat: Any,
    sans_adresse: list[str],
    gabarits: Path | None = None,
) -> list[Cible]:
    """Returns with erreurs: the annotated copy goes back to the pilot (or structure) that sent it;
    a workbook of an earlier year filled for this one gets this year's workbook instead (gabarits:
    the folder of this year's workbooks). Raises Vif38Error when a copy is missing or stale."""
    par_fichier: dict[str, list[Any]] = {}
    for a in resultat.anomalies:
        par_fichier.setdefault(a.fichier, []).append(a)
    cibles: dict[tuple[str, str, str], Cible] = {}
    manques: dict[str, list[str]] = {"absent": [], "perime": []}
    for f in resultat.fichiers:
        anomalies = par_fichier.get(f.nom, [])
        a_erreurs = f.erreurs > 0 or any(a.gravite == ERREUR for a in anomalies)
        if not (f.etat == A_CORRIGER or (f.etat == VALIDE and a_erreurs)):
            continue
        if not f.pilote:
            sans_adresse.append(f"{f.nom} : pilote non reconnu, renvoyez ce fichier vous-même à son expéditeur.")
            continue
        annote, note, manque = _piece_a_renvoyer(f, resultat.annee, sorties, gabarits)
        if manque:
            manques[manque].append(f.nom)
            continue
        avec = _adresses_du_retour(protocole, contacts, f, sans_adresse)
        piece = _piece(annote)
        for c in avec:
            k = (c.pilote, cle(c.structure), c.courriel.lower())
            cible = cibles.setdefault(k, Cible(contact=c))
            cible.pieces.append(piece)
            cible.blocs.append((piece.nom, note, anomalies))
    if manques["absent"] or manques["perime"]:
        morceaux = []
        if manques["absent"]:
            morceaux.append(f"copie annotée introuvable pour {', '.join(manques['absent'])}")
        if manques["perime"]:
            morceaux.append(f"copie annotée plus ancienne que le retour pour {', '.join(manques['perime'])}")
        raise Vif38Error(
            f"{_majuscule(' ; '.join(morceaux))}. Lancez d'abord « vif38-bilan controler --annee {resultat.annee} », "
            "puis relancez cette commande."
        )
    return list(cibles.values())


def _piece_a_renvoyer(f: Any, annee: int, sorties: Path, gabarits: Path | None) -> tuple[Path, str, str | None]:
    """(file to attach, note for the pilot, "absent" / "perime" / None) for a return to correct."""
    note = ""
    if f.annee and f.annee != annee and gabarits is not None:
        annote, note = _classeur_de_l_annee(f, annee, Path(gabarits))
        return annote, note, None if annote.is_file() else "absent"
    if f.format and f.format not in rapport_controle.FORMATS_ANNOTABLES:
        # No annotated copy of an .ods/.xls return: send it back as is, the list says where.
        note = (
            f"Votre fichier « {Path(f.nom).name} » (format .{f.format}) ne peut pas être annoté : "
            "les cellules concernées sont indiquées ci-dessous."
        )
        return Path(f.chemin), note, None
    annote = Path(rapport_controle.chemin_annote(sorties, f.nom))
    if f.format == "ods":  # the copy of an .ods return is an .xlsx holding its cells
        note = (
            f"Votre fichier « {Path(f.nom).name} » était au format .ods : la copie annotée jointe est au "
            "format .xlsx (LibreOffice l'ouvre aussi) ; corrigez-la et renvoyez-la."
        )
    if not annote.is_file():
        return annote, note, "absent"
    with contextlib.suppress(OSError):
        if Path(f.chemin).stat().st_mtime > annote.stat().st_mtime:
            return annote, note, "perime"
    return annote, note, None


def _adresses_du_retour(
    protocole: Protocole, contacts: Sequence[Contact], f: Any, sans_adresse: list[str]
) -> list[Contact]:
    """Who gets a return back: its pilot's (or structure's) contacts, else the address written in the
    return's identity block; [] with a line in sans_adresse when there is none."""
    pilote = protocole.pilote(f.pilote)
    lignes = [c for c in contacts if c.pilote == f.pilote]
    if pilote.collectif:
        lignes = [c for c in lignes if cle(c.structure) == cle(f.structure or "")]
    avec = [c for c in lignes if c.courriel]
    if avec:
        return avec
    adresse = _adresse_identite(f)
    if adresse:
        nom = str(f.identite.get("Contact") or "").strip()
        return [Contact(pilote=f.pilote, structure=f.structure or "", organisation=pilote.nom, nom=nom,
                        courriel=adresse, copie=(), ligne=0)]  # fmt: skip
    qui = f"{f.pilote} – {f.structure}" if f.structure else f"{f.pilote} ({pilote.nom})"
    ou = (
        f"ajoutez la structure « {f.structure} » dans contacts.xlsx"
        if f.structure
        else "renseignez son adresse dans contacts.xlsx"
    )
    sans_adresse.append(f"{qui} : pas d'adresse pour renvoyer « {f.nom} » ({ou}).")
    return []


def _classeur_de_l_annee(f: Any, annee: int, gabarits: Path) -> tuple[Path, str]:
    """Last year's workbook filled for this year (issue 25): this year's workbook goes back, and
    the text says to copy the answers into it."""
    note = (
        f"Votre fichier « {Path(f.nom).name} » est le classeur de l'année {f.annee}, rempli pour {annee} : vos "
        f"réponses n'ont pas pu être reprises. Recopiez-les dans le classeur {annee} joint à ce message, puis "
        "renvoyez-le."
    )
    return gabarits / disposition.nom_fichier(annee, f.pilote), note


def _majuscule(texte: str) -> str:
    return texte[:1].upper() + texte[1:]


def _adresse_identite(f: Any) -> str:
    for k, v in (f.identite or {}).items():
        if cle(str(k)) == cle("Courriel") and v:
            with contextlib.suppress(ValueError):
                return lire_adresse(str(v))
    return ""
