"""Where a year stands: what the workspace holds for it, pilot by pilot, and the next thing to do.

Reads folders and a check result already computed; runs no step itself (the dashboard of the
web page shows it).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path
from typing import Any

from vif38_bilan.espace import fichiers
from vif38_bilan.regles import A_CORRIGER, IGNORE, REMPLACE, VALIDE
from vif38_bilan.espace.cloture import lire_validation
from vif38_bilan.exceptions import Vif38Error

TYPES_COURRIELS = ("envoi", "relance", "correction")
MANQUANT = "manquant"


@dataclass(frozen=True)
class Fichiers:
    """Files of one kind: how many, the latest modification."""

    chemins: tuple[Path, ...] = ()

    @property
    def nombre(self) -> int:
        return len(self.chemins)

    @property
    def date(self) -> datetime | None:
        if not self.chemins:
            return None
        return datetime.fromtimestamp(max(p.stat().st_mtime for p in self.chemins))


@dataclass(frozen=True)
class RetourPilote:
    """One expected pilot and what came back from it."""

    code: str
    nom: str
    collectif: bool
    etat: str  # VALIDE | A_CORRIGER | MANQUANT | "" when not checked yet
    fichiers: tuple[Any, ...] = ()  # FichierControle of its returns (replaced ones included)


@dataclass(frozen=True)
class Etape:
    """The next thing to do: a French sentence and the page where it is done."""

    texte: str
    page: str  # "gabarits" | "courriels" | "depot" | "rapport" | "bilan"


@dataclass(frozen=True)
class EtatAnnee:
    annee: int
    gabarits: Fichiers
    brouillons: dict[str, Fichiers]
    saisies: Fichiers
    retours: tuple[RetourPilote, ...]
    controle: bool  # the returns were checked (resultat given)
    nb_erreurs: int
    rapport: Path | None
    consolidation: Path | None
    bilan: Path | None
    prochaine: Etape
    comptes: dict[str, int] = field(default_factory=dict)  # files per state
    validee_le: str = ""  # JJ/MM/AAAA once the signed year is validated (frozen), "illisible" if its record is


def _fichiers(dossier: Path, motif: str, recursif: bool = False) -> Fichiers:
    if not dossier.is_dir():
        return Fichiers()
    trouves = dossier.rglob(motif) if recursif else dossier.glob(motif)
    garde = [p for p in trouves if p.is_file() and not p.is_symlink() and not _cache(p, dossier)]
    return Fichiers(tuple(sorted(garde)))


def _cache(chemin: Path, dossier: Path) -> bool:
    return any(part.startswith((".", "~$")) or part == "README.md" for part in chemin.relative_to(dossier).parts)


def _existe(chemin: Path) -> Path | None:
    return chemin if chemin.is_file() else None


def etat_annee(espace: Any, annee: int, resultat: Any = None) -> EtatAnnee:
    """The state of year annee in espace (an opened workspace); resultat: its latest check, if any."""
    espace = espace.pour_annee(annee, verifier=False) if hasattr(espace, "pour_annee") else espace
    p = espace.protocole
    sorties = espace.dossier("sorties", annee)
    gabarits = _fichiers(espace.dossier("gabarits", annee), "*.xlsx")
    brouillons = {t: _fichiers(sorties / fichiers.DOSSIER_COURRIELS / t, "*.eml") for t in TYPES_COURRIELS}
    saisies = _fichiers(espace.dossier("saisies", annee), "*", recursif=True)
    retours = []
    for pilote in p.pilotes_actifs():
        if resultat is None:
            retours.append(RetourPilote(pilote.code, pilote.nom, pilote.collectif, ""))
            continue
        siens = tuple(f for f in resultat.fichiers if f.pilote == pilote.code and f.etat != IGNORE)
        if pilote.code in resultat.manquants or not siens:
            etat = MANQUANT
        elif any(f.etat == A_CORRIGER for f in siens):
            etat = A_CORRIGER
        else:
            etat = VALIDE
        retours.append(RetourPilote(pilote.code, pilote.nom, pilote.collectif, etat, siens))
    comptes = {}
    if resultat is not None:
        comptes = {e: sum(f.etat == e for f in resultat.fichiers) for e in (VALIDE, A_CORRIGER, REMPLACE, IGNORE)}
        comptes[MANQUANT] = len(resultat.manquants)
    bilan = _existe(sorties / fichiers.nom_bilan(annee))
    try:
        validation = lire_validation(sorties, annee)
        validee_le = validation.date_francaise if validation else ""
    except Vif38Error:
        validee_le = "illisible"
    etat = EtatAnnee(
        annee=annee,
        gabarits=gabarits,
        brouillons=brouillons,
        saisies=saisies,
        retours=tuple(retours),
        controle=resultat is not None,
        nb_erreurs=resultat.nb_erreurs if resultat is not None else 0,
        rapport=_existe(sorties / fichiers.nom_rapport(annee)),
        consolidation=_existe(sorties / fichiers.nom_consolidation(annee)),
        bilan=bilan,
        prochaine=Etape("", ""),
        comptes=comptes,
        validee_le=validee_le,
    )
    return EtatAnnee(**{**etat.__dict__, "prochaine": prochaine_etape(etat)})


def prochaine_etape(e: EtatAnnee) -> Etape:
    """The next thing to do for the year, in the order of the cycle."""
    a = e.annee
    if e.validee_le:
        return Etape(f"Le bilan {a} est validé (signé) : l'année est figée, rien à refaire.", "bilan")
    if not e.gabarits.nombre and not e.saisies.nombre:
        return Etape(f"Produire les classeurs de collecte {a}, un par pilote.", "gabarits")
    if e.gabarits.nombre and not e.brouillons["envoi"].nombre and not e.saisies.nombre:
        return Etape("Préparer les courriels qui portent à chaque pilote son classeur, puis les envoyer.", "courriels")
    if not e.saisies.nombre:
        return Etape(f"Déposer les classeurs renvoyés par les pilotes (retours {a}).", "depot")
    if not e.controle:
        return Etape("Contrôler les retours déposés.", "rapport")
    manquants = e.comptes.get(MANQUANT, 0)
    dernier_retour = e.saisies.date
    bilan_a_jour = e.bilan is not None and (dernier_retour is None or Fichiers((e.bilan,)).date >= dernier_retour)
    if e.nb_erreurs and not e.brouillons["correction"].nombre:
        return Etape(
            f"Renvoyer aux pilotes concernés leur copie annotée ({e.nb_erreurs} erreur(s) à corriger).", "courriels"
        )
    if manquants and not e.brouillons["relance"].nombre:
        return Etape(f"Relancer les {manquants} pilote(s) sans retour.", "courriels")
    if not bilan_a_jour:
        return Etape(f"Produire le bilan {a} (les retours déposés depuis le dernier bilan y seront pris).", "bilan")
    return Etape(f"Relire le bilan {a} dans Word, puis le présenter aux signataires.", "bilan")
