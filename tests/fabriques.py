"""Hand-made check results (real records) for the consolidation and bilan tests."""

from __future__ import annotations

from pathlib import Path

from vif38_bilan import disposition
from vif38_bilan.controle import VALIDE, FichierControle, Reponse, ResultatControle, Source


def rep(pilote, code, statut=None, valeurs=(), observations="", structure="", role=None, fichier=None, ligne=8):
    """One return's answers for one action, with plausible sources."""
    fichier = fichier or f"2023_{pilote}_{structure or 'bilan'}.xlsx"
    sha = (pilote + structure).encode().hex().ljust(64, "0")[:64]

    def src(col):
        return Source(fichier, disposition.FEUILLE_SAISIE, f"{col}{ligne}", sha)

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
