"""The files of the returns folder as the check reads them (issue 25): containers opened
(winmail.dat, .eml, .msg, .zip, recognised by content), each attachment becoming one file to
read, named « conteneur » pièce » and said « extrait de … »; MIME-encoded file names decoded.

Attachments are written into a private temporary folder of this process, never into the
returns folder (inputs are never modified); it is removed when the process ends. Containers are
opened in a child process (lecture.isolee), like workbooks: a parser that hangs or aborts on one
attachment costs that container only.
"""

from __future__ import annotations

import atexit
import hashlib
import os
import shutil
import tempfile
from dataclasses import dataclass, field
from pathlib import Path

from vif38_bilan.exceptions import FichierRefuse
from vif38_bilan.lecture import conteneurs
from vif38_bilan.lecture.examen import OLE, ZIP
from vif38_bilan.lecture.isolee import executer_isole
from vif38_bilan.lecture.securite import lire_fichier
from vif38_bilan.regles import LECTURE_INTERROMPUE

_TETE = 64 * 1024


@dataclass(frozen=True)
class Entree:
    """One file for the check to read."""

    chemin: Path  # in the returns folder, or extracted into the temporary folder
    nom: str  # as shown in the report: relative path, decoded; "message.eml » classeur.xlsx"
    origine: str = ""  # French: "extrait de « message.eml »", "nom décodé de « =?utf-8?B?…?= »"


@dataclass
class Conteneur:
    """A container found in the returns folder and what came out of it."""

    chemin: Path
    nom: str
    type: str  # "tnef" | "eml" | "msg" | "zip"
    pieces: list[str] = field(default_factory=list)  # shown names of the files extracted
    refus: tuple[str, str] | None = None  # (French message, rule id) when it could not be opened


def deplier(
    chemins: list[Path], racine: Path, noms: dict[Path, str], jobs: int = 1
) -> tuple[list[Entree], list[Conteneur]]:
    """The files to read (containers replaced by their attachments) and the containers opened.

    Args:
        chemins: the files listed in the returns folder (saisies.dossiers.lister_saisies).
        racine: the returns folder.
        noms: each path's shown name (relative to racine).
        jobs: child processes opening containers at once.
    """
    entrees: list[Entree] = []
    a_ouvrir: list[tuple[Path, str]] = []
    for chemin in chemins:
        nom = noms[chemin]
        type_ = _nature(chemin)
        if type_ is not None:
            a_ouvrir.append((chemin, type_))
            continue
        decode = conteneurs.nom_decode(chemin.name)
        if decode:
            decode = conteneurs.nom_sur(decode, 1)
            parent = nom.rsplit("/", 1)[0] + "/" if "/" in nom else ""
            entrees.append(Entree(chemin, parent + decode, f"nom décodé de « {chemin.name} »"))
        else:
            entrees.append(Entree(chemin, nom))
    if not a_ouvrir:
        return entrees, []
    try:
        ouverts = executer_isole(_ouvrir, [c for c, _ in a_ouvrir], _interrompu, jobs=jobs)
    except OSError:  # no child process on this machine
        ouverts = [_ouvrir(c) for c, _ in a_ouvrir]
    trouves: list[Conteneur] = []
    for (chemin, type_), ouvert in zip(a_ouvrir, ouverts, strict=True):
        nom = noms[chemin]
        affiche = conteneurs.nom_sur(conteneurs.nom_decode(chemin.name) or chemin.name, 1)
        nom = (nom.rsplit("/", 1)[0] + "/" if "/" in nom else "") + affiche
        conteneur = Conteneur(chemin, nom, type_)
        trouves.append(conteneur)
        if isinstance(ouvert, tuple):
            conteneur.refus = ouvert
            continue
        dossier = (
            _dossier_temporaire() / hashlib.sha256(str(chemin).encode("utf-8", "surrogateescape")).hexdigest()[:16]
        )
        dossier.mkdir(parents=True, exist_ok=True)
        vus: set[str] = set()
        try:
            moment = os.stat(chemin).st_mtime
        except OSError:
            moment = None
        for k, piece in enumerate(ouvert, start=1):
            fichier = dossier / f"{k:03d}"
            fichier.write_bytes(piece.donnees)
            if moment is not None:  # the container's date: versions are ordered, copies stay current
                os.utime(fichier, (moment, moment))
            chaine = [nom, *piece.origine[1:], piece.nom]
            montre = " » ".join(chaine)
            while montre in vus:
                montre += " (bis)"
            vus.add(montre)
            conteneur.pieces.append(montre)
            source = " » ".join([nom, *piece.origine[1:]])
            entrees.append(Entree(fichier, montre, f"extrait de « {source} »"))
    return entrees, trouves


def _nature(chemin: Path) -> str | None:
    """The container type of a file, from its content (None: not a container, or unreadable:
    the workbook reading then says what it is)."""
    try:
        with open(chemin, "rb") as f:
            tete = f.read(_TETE)
            if tete.startswith((ZIP, OLE)):
                tete += f.read(conteneurs.CONTENEUR_MAX)
    except OSError:
        return None
    return conteneurs.nature(tete)


def _ouvrir(chemin: Path) -> list[conteneurs.PieceJointe] | tuple[str, str]:
    """The attachments of one container (in a child process), or (message, rule id)."""
    try:
        donnees = lire_fichier(chemin, conteneurs.CONTENEUR_MAX).donnees
        nom = conteneurs.nom_decode(chemin.name) or chemin.name
        pieces = conteneurs.extraire(donnees, nom)
    except FichierRefuse as e:
        return str(e), getattr(e, "regle", "") or ""
    return [
        conteneurs.PieceJointe(conteneurs.nom_sur(conteneurs.nom_decode(p.nom) or p.nom, k), p.donnees, p.origine)
        for k, p in enumerate(pieces, start=1)
    ]


def _interrompu(chemin: Path, echec) -> tuple[str, str]:
    return echec.message(), LECTURE_INTERROMPUE.id


_DOSSIER: list[Path] = []


def _dossier_temporaire() -> Path:
    """This process's private folder for extracted attachments (removed at exit)."""
    if not _DOSSIER:
        dossier = Path(tempfile.mkdtemp(prefix="vif38-pieces-jointes-"))
        atexit.register(shutil.rmtree, dossier, True)
        _DOSSIER.append(dossier)
    return _DOSSIER[0]
