"""Test data built for real: hand-made check results, filled returns, file fingerprints."""

from __future__ import annotations

import hashlib
from datetime import datetime
from pathlib import Path

from openpyxl import load_workbook

from vif38_bilan.gabarits import disposition as d
from vif38_bilan.regles import VALIDE
from vif38_bilan.gabarits.generation import enregistrer
from vif38_bilan.gabarits.remplissage import chiffres_inventes, remplir_gabarit, reponses_inventees
from vif38_bilan.controle.resultats import FichierControle, Reponse, ResultatControle, Source

ANNEE = 2023
MAINTENANT = datetime(2024, 1, 10, 9, 0, 0)


def rep(pilote, code, statut=None, valeurs=(), observations="", structure="", role=None, fichier=None, ligne=8):
    """One return's answers for one action, with plausible sources."""
    fichier = fichier or f"2023_{pilote}_{structure or 'bilan'}.xlsx"
    sha = (pilote + structure).encode().hex().ljust(64, "0")[:64]

    def src(col):
        return Source(fichier, d.FEUILLE_SAISIE, f"{col}{ligne}", sha)

    return Reponse(
        pilote=pilote,
        structure=structure,
        code_action=code,
        role=role or "chef de file",
        statut=statut,
        statut_source=src("G") if statut else None,
        valeurs=tuple(valeurs),
        valeurs_sources=tuple(src(c) if v is not None else None for v, c in zip(valeurs, "JM", strict=False)),
        observations=observations,
        observations_source=src("N") if observations else None,
    )


def resultat(annee, reponses, manquants=(), anomalies=()):
    fichiers = sorted({(r.pilote, r.structure, r.statut_source.fichier if r.statut_source else "") for r in reponses})
    return ResultatControle(
        annee,
        [FichierControle(Path(f), f, VALIDE, "0" * 64, p, s, annee) for p, s, f in fichiers if f],
        list(anomalies),
        list(reponses),
        list(manquants),
    )


def remplir(
    protocole,
    gabarits: Path,
    dossier: Path,
    code: str,
    nom: str | None = None,
    maj: dict | None = None,
    identite: dict | None = None,
    modifie_le: datetime | None = None,
    modifier=None,
    annee: int = ANNEE,
    chiffres: dict | None = None,
) -> Path:
    """A return of pilot `code` filled with plausible answers (key figures included), then the
    changes asked for (maj: per action; chiffres: per key-figure row code)."""
    reponses = reponses_inventees(protocole, code, annee)
    for action, changement in (maj or {}).items():
        reponses[action] = {**reponses[action], **changement}
    if identite is None and protocole.pilote(code).collectif:
        identite = {"Structure": "Association Alpha"}
    sortie = dossier / (nom or d.nom_fichier(annee, code))
    sortie.parent.mkdir(parents=True, exist_ok=True)
    moment = modifie_le or MAINTENANT
    valeurs = {**chiffres_inventes(protocole, code, annee), **(chiffres or {})}
    remplir_gabarit(
        gabarits / d.nom_fichier(annee, code), sortie, reponses, identite=identite, modifie_le=moment, chiffres=valeurs
    )
    if modifier is not None:
        wb = load_workbook(sortie)
        modifier(wb)
        enregistrer(wb, sortie, modifie_le=moment)
    return sortie


def empreintes(dossier: Path) -> dict[str, str]:
    """SHA-256 of every file under dossier, by relative path (inputs must never change)."""
    return {
        f.relative_to(dossier).as_posix(): hashlib.sha256(f.read_bytes()).hexdigest()
        for f in sorted(dossier.rglob("*"))
        if f.is_file()
    }
