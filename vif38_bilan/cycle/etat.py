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
from vif38_bilan.espace.cloture import lire_validation
from vif38_bilan.exceptions import Vif38Error
from vif38_bilan.regles import A_CORRIGER, IGNORE, REMPLACE, VALIDE

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
    court: str = ""  # short name for a sentence ("DDFE", "Police"): its first alias, else its name


@dataclass(frozen=True)
class Etape:
    """The next thing to do: a French sentence and the page where it is done."""

    texte: str
    page: str  # "gabarits" | "courriels" | "depot" | "rapport" | "bilan" | "historique" | "arbitrages"
    signature: bool = False  # nothing left but review and signature


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
    a_arbitrer: int = 0  # disagreements and probable double counts not arbitrated (needs the consolidation)
    sans_outil: bool = False  # nothing in gabarits/ nor saisies/ while a later year has: handled by hand

    def noms(self, etat: str) -> list[str]:
        """Short names of the pilots whose return is in etat (MANQUANT, A_CORRIGER…), directory order."""
        return [r.court or r.nom for r in self.retours if r.etat == etat]


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


def etat_annee(espace: Any, annee: int, resultat: Any = None, consolidation: Any = None) -> EtatAnnee:
    """The state of year annee in espace (an opened workspace); resultat: its latest check, if any;
    consolidation: the year's consolidation when at hand (counts what is left to arbitrate)."""
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
        court = pilote.alias[0] if pilote.alias else pilote.nom
        retours.append(RetourPilote(pilote.code, pilote.nom, pilote.collectif, etat, siens, court))
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
        a_arbitrer=a_arbitrer(consolidation) if consolidation is not None else 0,
        sans_outil=not gabarits.nombre and not saisies.nombre and _suivantes_outillees(espace, annee),
    )
    return EtatAnnee(**{**etat.__dict__, "prochaine": prochaine_etape(etat)})


@dataclass(frozen=True)
class DesaccordOuvert:
    """One disagreement of the bilan's year the agent has not settled."""

    action: str
    indicateur: int | None  # 1-based; None for statuses that differ
    quoi: str  # French: « Statuts différents », « Probable double compte : … »
    declarations: tuple[str, ...]  # « qui : valeur », one per declaration
    pilotes: tuple[str, ...]  # the action's pilots, for an arbitration by pilot


def desaccords_ouverts(c: Any) -> list[DesaccordOuvert]:
    """Disagreements of the consolidation's year left open: statuses not settled by an arbitration,
    and probable double counts (a ``somme`` of equal declarations, not arbitrated)."""
    p, annee = c.protocole, c.annee
    ouverts = [
        DesaccordOuvert(d.code_action, None, "Statuts différents",
                        tuple(f"{q} ({r}) : {st}" for q, r, st in d.declarations), p.action(d.code_action).pilotes)
        for d in c.desaccords
        if d.annee == annee and not d.arbitre
    ]  # fmt: skip
    for a in p.actions:
        e = c.enregistrement(a.code, annee)
        for k, ind in enumerate(a.indicateurs):
            if e is not None and k < len(e.doubles) and e.doubles[k]:
                ouverts.append(DesaccordOuvert(a.code, k + 1, f"Probable double compte : {ind.libelle}",
                                               tuple(f"{q} : {v}" for q, v in e.details[k]), a.pilotes))  # fmt: skip
    return ouverts


def a_arbitrer(c: Any) -> int:
    """How many disagreements of the consolidation's year are left open (desaccords_ouverts)."""
    return len(desaccords_ouverts(c))


def _suivantes_outillees(espace: Any, annee: int) -> bool:
    """Does a later year of the protocol have workbooks or returns in this workspace?"""
    for y in espace.protocole.annees:
        if y > annee and (
            _fichiers(espace.dossier("gabarits", y), "*.xlsx").nombre
            or _fichiers(espace.dossier("saisies", y), "*", True).nombre
        ):
            return True
    return False


def _liste(noms: list[str], n: int = 4) -> str:
    """ "Police, CAF et 3 autres" — a sentence's list of names."""
    if len(noms) <= n:
        return ", ".join(noms[:-1]) + (" et " if len(noms) > 1 else "") + noms[-1] if noms else ""
    reste = len(noms) - n
    return ", ".join(noms[:n]) + f" et {reste} autre{'s' if reste > 1 else ''}"


def _pl(n: int, mot: str) -> str:
    return f"{n} {mot}{'s' if n > 1 else ''}"


def _bilan_a_jour(e: EtatAnnee) -> bool:
    dernier_retour = e.saisies.date
    return e.bilan is not None and (dernier_retour is None or Fichiers((e.bilan,)).date >= dernier_retour)


def prochaine_etape(e: EtatAnnee) -> Etape:
    """The next thing to do for the year, in the order of the cycle: what is missing, what to correct,
    what to arbitrate, the bilan to (re)produce — and only then review and signature (issue 23).
    A year handled without the tool points to its history workbook."""
    a = e.annee
    if e.validee_le:
        return Etape(f"Le bilan {a} est validé (signé) : l'année est figée, rien à refaire.", "bilan")
    if e.sans_outil:
        if e.consolidation is not None:
            return Etape(
                f"Année {a} traitée sans vif38-bilan : son classeur historique est en place, le bilan {a + 1} le reprend. "
                "Relisez-le si besoin.",
                "historique",
            )
        return Etape(
            f"Année {a} traitée sans vif38-bilan : remplissez son classeur historique (statuts et chiffres du bilan {a}), "
            f"pour que le bilan {a + 1} montre sa colonne.",
            "historique",
        )
    if not e.gabarits.nombre and not e.saisies.nombre:
        return Etape(f"Produire les classeurs de collecte {a}, un par pilote.", "gabarits")
    if e.gabarits.nombre and not e.brouillons["envoi"].nombre and not e.saisies.nombre:
        return Etape("Préparer les courriels qui portent à chaque pilote son classeur, puis les envoyer.", "courriels")
    if not e.saisies.nombre:
        return Etape(f"Déposer les classeurs renvoyés par les pilotes (retours {a}).", "depot")
    if not e.controle:
        return Etape("Contrôler les retours déposés.", "rapport")
    manquants, a_corriger = e.noms(MANQUANT), e.noms(A_CORRIGER)
    if a_corriger:
        texte = f"Faire corriger {_pl(len(a_corriger), 'classeur')} ({_liste(a_corriger)} : {_pl(e.nb_erreurs, 'erreur')}) : "
        if not e.brouillons["correction"].nombre:
            return Etape(
                texte + "renvoyez à chacun sa copie annotée, puis déposez les versions corrigées.", "courriels"
            )
        return Etape(texte + "déposez les versions corrigées dès leur retour, puis relancez le contrôle.", "depot")
    if manquants:
        texte = f"{_pl(len(manquants), 'pilote')} sans retour ({_liste(manquants)}) : "
        if not e.brouillons["relance"].nombre:
            return Etape(texte + ("relancez-le." if len(manquants) == 1 else "relancez-les."), "courriels")
        if not _bilan_a_jour(e):
            return Etape(
                texte + f"produisez le bilan {a} pour le relire : leurs chiffres y sont marqués « partiel ».", "bilan"
            )
        return Etape(
            texte + "déposez leurs classeurs dès leur arrivée. Le bilan les marque « partiel » ; ne le faites signer "
            f'qu\'en connaissance de cause (vif38-bilan valider --annee {a} --malgre-manques "motif").',
            "depot",
        )
    if not _bilan_a_jour(e):
        return Etape(f"Produire le bilan {a} (les retours déposés depuis le dernier bilan y seront pris).", "bilan")
    if e.a_arbitrer:
        return Etape(
            f"Arbitrer {_pl(e.a_arbitrer, 'désaccord')} entre pilotes (voir les points à vérifier) : "
            f"vif38-bilan arbitrer --annee {a} --action CODE …, puis reproduire le bilan.",
            "arbitrages",
        )
    return Etape(f"Relire le bilan {a} dans Word, puis le présenter aux signataires.", "bilan", signature=True)
