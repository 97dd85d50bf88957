"""The checks of one return, as small generators that yield `Anomalie`s.

Each check yields its findings and returns what it read (`yield from` chains them): a status,
a value, the usable `Reponse` of a row. The rules themselves (ids, severities, messages) are
declared in `vif38_bilan.regles`; `controle.py` reads the file and drives these checks.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Generator, Mapping
from dataclasses import dataclass
from typing import Any, TypeVar

from vif38_bilan import regles as r
from vif38_bilan.gabarits import disposition as d
from vif38_bilan.regles import Anomalie, Regle
from vif38_bilan.referentiel.pilotes import cle
from vif38_bilan.referentiel.protocole import Action, Protocole
from vif38_bilan.controle.resultats import FichierControle, Reponse, Source
from vif38_bilan.commun.textes import texte_propre
from vif38_bilan.controle.valeurs import (
    EFFECTUEE,
    court,
    en_texte,
    lire_entier,
    lire_oui_non,
    normaliser_statut,
    texte_identite,
)
from vif38_bilan.saisies.retour import lettre_colonne
from vif38_bilan.controle.comptabilite import verifier_comptabilite
from vif38_bilan.commun.textes import noms_invisibles

T = TypeVar("T")
Verif = Generator[Anomalie, None, T]  # yields findings, returns what was read


@dataclass(frozen=True)
class Contexte:
    """What the checks of one return share; where a finding is placed."""

    protocole: Protocole
    annee: int
    precedentes: dict[tuple, Any]
    nom: str  # the file, relative to the returns folder
    feuille: str | None = None
    pilote: str | None = None
    structure: str | None = None
    couvertes: frozenset[str] = frozenset()  # cells hidden under a merge: their emptiness is not reported
    # Action code → the pilot's comments on its row, joined to its observations (issue 25).
    commentaires: Mapping[str, tuple[str, ...]] = dataclasses.field(default_factory=dict)

    def anomalie(self, regle: Regle, message: str, cellule: str | None = None, code: str | None = None) -> Anomalie:
        return Anomalie(
            self.nom, self.feuille, cellule, code, regle.gravite, message, regle.id, self.pilote, self.structure
        )


def collecter(verif: Verif[T], anomalies: list[Anomalie]) -> T:
    """Run a check: its findings go to anomalies, its result is returned."""
    while True:
        try:
            anomalies.append(next(verif))
        except StopIteration as fin:
            return fin.value


# ---------------------------------------------------------------- one return


def verifier_retour(ctx: Contexte, retour: Any, avertissements: tuple[str, ...], fichier: FichierControle) -> Verif:
    """All the checks of one return read by saisies.lire_retour; fills fichier (state, pilot,
    structure) and returns (usable answers, (pilot, structure) key or None)."""
    ctx = dataclasses.replace(ctx, pilote=retour.identification.pilote if retour.identification else None)
    for message in avertissements:
        yield ctx.anomalie(r.MACROS, message)

    pilote = yield from identifier(ctx, retour, fichier)
    if pilote is None:
        return [], None

    # From here the file is a return of this year: the pilot's answers are used.
    fichier.etat = r.VALIDE
    feuille = retour.feuille or d.FEUILLE_SAISIE
    structure = retour.texte_identite("Structure")
    fichier.identite = {k: texte_identite(c.valeur) for k, c in retour.identite.items()}
    fichier.cellules_identite = {k: c.ref for k, c in retour.identite.items()}
    cle_doublon: tuple[str, str] | None = (pilote.code, cle(structure) if pilote.collectif else "")
    if not structure and not pilote.collectif:
        structure = pilote.nom
    fichier.structure = structure or None
    ctx = dataclasses.replace(ctx, feuille=feuille, pilote=pilote.code, structure=structure or None)

    if pilote.collectif and not structure:
        c = retour.identite.get("Structure")
        yield ctx.anomalie(r.STRUCTURE_MANQUANTE, r.STRUCTURE_MANQUANTE.texte(pilote=pilote.nom), c.ref if c else None)
        cle_doublon = None

    if retour.ligne_entete is None:
        yield ctx.anomalie(r.TABLEAU_INTROUVABLE, r.TABLEAU_INTROUVABLE.texte(colonne=d.CODE_ACTION))
        return [], cle_doublon
    for tete in retour.colonnes_manquantes:
        yield ctx.anomalie(r.COLONNE_MANQUANTE, r.COLONNE_MANQUANTE.texte(colonne=tete))

    yield from verifier_feuilles(ctx, retour)
    yield from verifier_invisibles(ctx, retour)

    commentaires = yield from verifier_comptabilite(ctx, retour, pilote)
    couvertes = yield from verifier_fusions(ctx, retour)
    ctx = dataclasses.replace(ctx, couvertes=couvertes, commentaires=commentaires)
    reponses = yield from verifier_lignes(ctx, retour, pilote, structure)
    if retour.feuilles_remplies:
        reponses = []  # two filled sheets: which one is the answer is the pilot's to say
    if cle_doublon is None:
        reponses = []  # collective return without its structure: not attributable, not used
    return reponses, cle_doublon


def verifier_feuilles(ctx: Contexte, retour: Any) -> Verif[None]:
    """Answers in a copy of the Saisie sheet ("Saisie (2)"), or in two sheets at once."""
    if retour.feuilles_remplies:
        noms = [f"« {n} »" for n in retour.feuilles_remplies]
        feuilles = ", ".join(noms[:-1]) + " et " + noms[-1]
        yield ctx.anomalie(r.FEUILLES_REMPLIES, r.FEUILLES_REMPLIES.texte(feuilles=feuilles))
    elif retour.feuille != d.FEUILLE_SAISIE and d.FEUILLE_SAISIE in retour.tables:
        message = r.FEUILLE_COPIEE.texte(feuille=retour.feuille, saisie=d.FEUILLE_SAISIE)
        yield ctx.anomalie(r.FEUILLE_COPIEE, message)


def verifier_invisibles(ctx: Contexte, retour: Any) -> Verif[None]:
    """Cells of the table or key-figure sheet whose invisible characters were removed on reading
    (lecture.classeur.lire_feuille): said at the cell, the value is used as read."""
    codes = {li.cellule_code.ligne: li.code for li in retour.lignes}
    for feuille, ref, avant, apres in retour.invisibles:
        noms = ", ".join(noms_invisibles(avant))
        ligne = int("".join(ch for ch in ref if ch.isdigit()))
        code = codes.get(ligne) if feuille == retour.feuille else None
        message = r.CARACTERE_INVISIBLE.texte(noms=noms, valeur=court(apres))
        yield dataclasses.replace(ctx, feuille=feuille).anomalie(r.CARACTERE_INVISIBLE, message, ref, code)


def verifier_fusions(ctx: Contexte, retour: Any) -> Verif[frozenset[str]]:
    """Merged cells over several action rows: one status or observation for several actions.
    Returns the cells hidden under those merges (only the first cell of a merge holds a value)."""
    if not retour.fusions:
        return frozenset()
    par_ligne = {li.cellule_code.ligne: li.code for li in retour.lignes}
    saisie = {n for t, n in retour.colonnes.items() if t != d.CODE_ACTION}
    couvertes: set[str] = set()
    for l1, c1, l2, c2 in retour.fusions:
        codes = [par_ligne[n] for n in range(l1, l2 + 1) if n in par_ligne]
        if len(codes) < 2 or not any(c1 <= c <= c2 for c in saisie):
            continue
        debut = f"{lettre_colonne(c1)}{l1}"
        plage = f"{debut}:{lettre_colonne(c2)}{l2}"
        actions = ", ".join(codes[:-1]) + " et " + codes[-1]
        yield ctx.anomalie(
            r.CELLULES_FUSIONNEES, r.CELLULES_FUSIONNEES.texte(actions=actions, plage=plage), debut, codes[0]
        )
        couvertes |= {f"{lettre_colonne(c)}{n}" for n in range(l1, l2 + 1) for c in range(c1, c2 + 1)} - {debut}
    return frozenset(couvertes)


def identifier(ctx: Contexte, retour: Any, fichier: FichierControle) -> Verif:
    """The pilot of a return of this protocol and year, or None (the file is then not used)."""
    protocole, annee = ctx.protocole, ctx.annee
    ident = retour.identification
    if ident is None and (ident := reconnaitre_par_contenu(protocole, retour)) is not None:
        fichier.pilote = ident.pilote
        ctx = dataclasses.replace(ctx, pilote=ident.pilote)
        nom = protocole.pilote(ident.pilote).nom
        yield ctx.anomalie(r.RECONNU_PAR_CONTENU, r.RECONNU_PAR_CONTENU.texte(annee=ident.annee, pilote=nom))
    if ident is None:
        fichier.motif = "Classeur non reconnu (pas un classeur de collecte du protocole)."
        yield ctx.anomalie(r.NON_RECONNU, r.NON_RECONNU.texte())
        return None
    fichier.annee = ident.annee
    fichier.pilote = ident.pilote
    ctx = dataclasses.replace(ctx, pilote=ident.pilote)
    if ident.protocole_id != protocole.id:
        fichier.motif = f"Classeur d'un autre protocole ({ident.protocole_id})."
        yield ctx.anomalie(r.AUTRE_PROTOCOLE, r.AUTRE_PROTOCOLE.texte(lu=ident.protocole_id, attendu=protocole.id))
        return None
    if ident.annee != annee:
        if rempli_pour(retour, ident.annee, annee):
            # Last year's workbook filled with this year's answers (issue 25): the pilot did answer
            # (not « manquant »); moving it to the other year's folder would feed that bilan.
            fichier.etat = r.A_CORRIGER
            fichier.motif = f"Classeur de l'année {ident.annee} rempli pour {annee}."
            message = r.ANNEE_PRECEDENTE_REMPLIE.texte(lue=ident.annee, annee=annee)
            yield ctx.anomalie(r.ANNEE_PRECEDENTE_REMPLIE, message)
            return None
        fichier.motif = f"Classeur de l'année {ident.annee}, pas {annee}."
        yield ctx.anomalie(r.AUTRE_ANNEE, r.AUTRE_ANNEE.texte(lue=ident.annee, annee=annee))
        return None
    try:
        return protocole.pilote(ident.pilote)
    except KeyError:
        fichier.motif = f"Pilote « {ident.pilote} » inconnu du protocole."
        yield ctx.anomalie(r.PILOTE_INCONNU, r.PILOTE_INCONNU.texte(pilote=ident.pilote))
        return None


def rempli_pour(retour: Any, lue: int, annee: int) -> bool:
    """True when a workbook of an earlier year `lue` holds answers given for `annee`: found in the
    returns folder of `annee`, with answers typed, and saved after the collection of `lue` (held
    in the first months of lue + 1; README, « Le cycle annuel »): saved from July of lue + 1 on,
    or carrying no saved time, it was filled for `annee`."""
    from datetime import datetime

    if lue >= annee or not any(not ligne_vide(retour, li) for li in retour.lignes):
        return False
    moment = retour.modifie_le
    return moment is None or moment >= datetime(lue + 1, 7, 1)


def reconnaitre_par_contenu(protocole: Protocole, retour: Any) -> d.Identification | None:
    """A return pasted into a new workbook lost its identification: recognise it by its year
    header and its action codes (and its Structure when several pilots have the same actions)."""
    annee = retour.annee
    codes = {ligne.code for ligne in retour.lignes}
    if annee is None or not codes:
        return None
    candidats = [
        p for p in protocole.pilotes_actifs() if {a.code for a, _ in protocole.actions_du_pilote(p.code)} == codes
    ]
    if len(candidats) > 1:
        structure = retour.texte_identite("Structure")
        nommes = protocole.annuaire.chercher(structure) or ()
        candidats = [p for p in candidats if p.code in nommes or cle(p.nom) == cle(structure)]
    if len(candidats) != 1:
        return None
    p = candidats[0]
    attendues = tuple(a.code for a, _ in protocole.actions_du_pilote(p.code))
    return d.Identification(protocole.id, p.code, annee, "", None, attendues, p.collectif)


def verifier_lignes(ctx: Contexte, retour: Any, pilote: Any, structure: str) -> Verif[list[Reponse]]:
    """One row per expected action: rows doubled, added or missing; each row's answers."""
    attendues = {a.code: (a, role) for a, role in ctx.protocole.actions_du_pilote(pilote.code)}
    # The codes the workbook was generated with (hidden sheet): what the pilot was asked.
    envoyees = set(retour.identification.actions) if retour.identification else set()
    reponses: list[Reponse] = []
    vues: dict[str, int] = {}  # code → its row
    for ligne in retour.lignes:
        code = ligne.code
        ref_code = ligne.cellule_code.ref
        if code in vues:
            message = r.ACTION_EN_DOUBLE.texte(code=code, premiere=vues[code], ligne=ligne.cellule_code.ligne)
            yield ctx.anomalie(r.ACTION_EN_DOUBLE, message, ref_code, code)
            continue
        if code not in attendues:
            if code in envoyees:
                # In the workbook as sent: the protocol changed since, not the pilot's row.
                message = r.PROTOCOLE_MODIFIE_ACTION_RETIREE.texte(code=code)
                yield ctx.anomalie(r.PROTOCOLE_MODIFIE_ACTION_RETIREE, message, ref_code, code)
                continue
            if _existe(ctx.protocole, code):
                message = r.ACTION_NON_PILOTEE.format(code=code, pilote=pilote.nom)
            else:
                message = r.ACTION_INCONNUE.texte(code=ligne.brut, colonne=d.CODE_ACTION)
            yield ctx.anomalie(r.ACTION_INCONNUE, message, ref_code, code)
            continue
        vues[code] = ligne.cellule_code.ligne
        action, role = attendues[code]
        reponses.append((yield from verifier_ligne(ctx, retour, ligne, action, role, pilote, structure)))
    for code in attendues:
        if code in vues:
            continue
        if envoyees and code not in envoyees:
            message = r.PROTOCOLE_MODIFIE_ACTION_AJOUTEE.texte(
                code=code, pilote=pilote.nom, annee=ctx.annee, code_pilote=pilote.code
            )
            yield ctx.anomalie(r.PROTOCOLE_MODIFIE_ACTION_AJOUTEE, message, None, code)
        else:
            yield ctx.anomalie(r.ACTION_MANQUANTE, r.ACTION_MANQUANTE.texte(code=code), None, code)
    if reponses and all(x.non_concernee for x in reponses):
        # Every row empty: a blank workbook sent back, not "concerned by nothing".
        yield ctx.anomalie(r.AUCUNE_ACTION_RENSEIGNEE, r.AUCUNE_ACTION_RENSEIGNEE.texte(annee=ctx.annee))
    return reponses


def ligne_vide(retour: Any, ligne: Any) -> bool:
    """No status, value or observation typed in the row (a formula without result is not empty)."""
    cellules = [ligne.statut, *ligne.valeurs, ligne.observations]
    return all(c is None or (c.valeur is None and c.ref not in retour.formules_sans_valeur) for c in cellules)


def _existe(protocole: Protocole, code: str) -> bool:
    try:
        protocole.action(code)
    except KeyError:
        return False
    return True


# ---------------------------------------------------------------- one action row


def verifier_ligne(
    ctx: Contexte, retour: Any, ligne: Any, action: Action, role: str, pilote: Any, structure: str
) -> Verif[Reponse]:
    code = action.code

    def source(c) -> Source:
        return Source(retour.nom, ctx.feuille, c.ref, retour.sha256)

    if pilote.collectif and ligne_vide(retour, ligne):
        # A structure of a collective pilot answers only the actions that concern it.
        vide = (None,) * len(action.indicateurs)
        return Reponse(pilote.code, structure, code, role, None, None, vide, vide, "", None, non_concernee=True)

    statut, statut_source = None, None
    if (c := ligne.statut) is not None:
        statut = yield from verifier_statut(ctx, retour, c, code)
        statut_source = source(c) if statut is not None else None

    valeurs: list[Any] = []
    sources: list[Source | None] = []
    for k, ind in enumerate(action.indicateurs):
        c = ligne.valeurs[k] if k < len(ligne.valeurs) else None
        valeur = None
        if c is not None:
            if c.valeur is None and c.ref in ctx.couvertes:
                pass  # under a merge: reported once, on the merge
            elif c.valeur is None:
                signalee = yield from verifier_formule(ctx, retour, c, code)
                if not signalee and statut == EFFECTUEE:
                    precision = " (0 si aucune)" if ind.type == "entier" else ""
                    message = r.VALEUR_MANQUANTE.texte(
                        code=code, indicateur=ind.libelle, annee=ctx.annee, precision=precision
                    )
                    yield ctx.anomalie(r.VALEUR_MANQUANTE, message, c.ref, code)
            else:
                valeur = yield from verifier_valeur(ctx, c, ind, code, pilote, k)
        valeurs.append(valeur)
        sources.append(source(c) if valeur is not None else None)

    observations, obs_source = "", None
    if (c := ligne.observations) is not None:
        lues = yield from verifier_observations(ctx, retour, c, code)
        if lues is not None:
            observations, obs_source = lues, source(c)
    if code in ctx.commentaires:  # the pilot's comments on the row, attributed, personal data removed
        observations = "\n".join([observations, *ctx.commentaires[code]]).strip()
        obs_source = obs_source or (source(c) if c is not None else None)

    return Reponse(
        pilote=pilote.code,
        structure=structure,
        code_action=code,
        role=role,
        statut=statut,
        statut_source=statut_source,
        valeurs=tuple(valeurs),
        valeurs_sources=tuple(sources),
        observations=observations,
        observations_source=obs_source,
    )


def verifier_formule(ctx: Contexte, retour: Any, c: Any, code: str) -> Verif[bool]:
    """An empty cell that holds a formula in error or with no stored result (True: reported)."""
    erreur = retour.erreurs_formule.get(c.ref)
    if erreur is not None:
        yield ctx.anomalie(r.FORMULE_EN_ERREUR, r.FORMULE_EN_ERREUR.texte(erreur=erreur), c.ref, code)
        return True
    if c.ref in retour.formules_sans_valeur:
        yield ctx.anomalie(r.FORMULE_SANS_VALEUR, r.FORMULE_SANS_VALEUR.texte(), c.ref, code)
        return True
    return False


def verifier_statut(ctx: Contexte, retour: Any, c: Any, code: str) -> Verif[str | None]:
    """The canonical status of a row, or None."""
    statuts = ", ".join(d.STATUTS)
    if c.valeur is None and c.ref in ctx.couvertes:
        return None  # under a merge: reported once, on the merge
    if c.valeur is None:
        if not (yield from verifier_formule(ctx, retour, c, code)):
            message = r.STATUT_MANQUANT.texte(annee=ctx.annee, code=code, statuts=statuts)
            yield ctx.anomalie(r.STATUT_MANQUANT, message, c.ref, code)
        return None
    statut, variante = normaliser_statut(c.valeur)
    if statut is None:
        message = r.STATUT_INCONNU.texte(valeur=court(c.valeur), statuts=statuts)
        yield ctx.anomalie(r.STATUT_INCONNU, message, c.ref, code)
    elif variante:
        message = r.STATUT_VARIANTE.texte(valeur=court(c.valeur), statut=statut)
        yield ctx.anomalie(r.STATUT_VARIANTE, message, c.ref, code)
    return statut


def verifier_valeur(ctx: Contexte, c: Any, ind: Any, code: str, pilote: Any, k: int) -> Verif[Any]:
    """An indicator's value (int, "Oui"/"Non" or text), or None when unusable."""
    if ind.type == "entier":
        n, probleme = lire_entier(c.valeur)
        if n is None:
            yield ctx.anomalie(r.NOMBRE_INVALIDE, probleme, c.ref, code)
            return None
        if probleme:
            yield ctx.anomalie(r.NOMBRE_AVEC_UNITE, probleme, c.ref, code)
        yield from verifier_atypique(ctx, n, c, ind, code, pilote, k)
        return n
    if ind.type == "oui_non":
        v, probleme = lire_oui_non(c.valeur)
        if v is None:
            yield ctx.anomalie(r.OUI_NON_INVALIDE, probleme, c.ref, code)
            return None
        if probleme:
            yield ctx.anomalie(r.OUI_NON_VARIANTE, probleme, c.ref, code)
        return v
    texte = texte_propre(en_texte(c.valeur))
    if len(texte) > d.TEXTE_MAX:
        message = r.TEXTE_TROP_LONG.texte(longueur=len(texte), maximum=d.TEXTE_MAX)
        yield ctx.anomalie(r.TEXTE_TROP_LONG, message, c.ref, code)
        return None
    return texte  # personal data: checked once for all returns by barriere.py, in the parent process


def verifier_observations(ctx: Contexte, retour: Any, c: Any, code: str) -> Verif[str | None]:
    """The row's observations, or None when empty or unusable."""
    if c.valeur is None:
        yield from verifier_formule(ctx, retour, c, code)
        return None
    texte = texte_propre(en_texte(c.valeur))
    if len(texte) > d.OBSERVATIONS_MAX:
        message = r.OBSERVATIONS_TROP_LONGUES.texte(longueur=len(texte), maximum=d.OBSERVATIONS_MAX)
        yield ctx.anomalie(r.OBSERVATIONS_TROP_LONGUES, message, c.ref, code)
        return None
    return texte  # personal data: checked once for all returns by barriere.py, in the parent process


def verifier_atypique(ctx: Contexte, n: int, c: Any, ind: Any, code: str, pilote: Any, k: int) -> Verif[None]:
    """A count far from last year's (over three times more, or less)."""
    # A collective pilot's structure reports its own part of a consolidated total: no comparison.
    if pilote.collectif:
        return
    # Compare with the same pilot's own figure; the consolidated total only stands for it
    # when the action has a single pilot (co-pilots' counts add up in the total).
    avant = ctx.precedentes.get((code, k, pilote.code))
    if avant is None and len(ctx.protocole.action(code).pilotes) == 1:
        avant = ctx.precedentes.get((code, k))
    if isinstance(avant, bool) or not isinstance(avant, int | float) or avant <= 0:
        return
    if n > 3 * avant or n * 3 < avant:
        message = r.VALEUR_ATYPIQUE.texte(
            valeur=n, annee_precedente=ctx.annee - 1, avant=f"{avant:g}", indicateur=ind.libelle
        )
        yield ctx.anomalie(r.VALEUR_ATYPIQUE, message, c.ref, code)
