"""The checks of a return's key-figure sheet, as generators of `Anomalie`s (see verifications.py).

Expected rows: those the template asked for (its identification), still declared by the
referential; a return recognised by its content is expected to hold the pilot's current rows.
A series added to the referential after the templates were sent is simply not expected.
"""

from __future__ import annotations

import dataclasses
from dataclasses import dataclass
from typing import Any

from vif38_bilan import regles as r
from vif38_bilan.gabarits import disposition as d
from vif38_bilan.referentiel.chiffres_cles import SerieChiffre, codes_du_pilote, decouper_code
from vif38_bilan.controle.resultats import Source
from vif38_bilan.controle.valeurs import lire_entier
from vif38_bilan.controle.verifications import Contexte, Verif


@dataclass(frozen=True)
class ReponseChiffre:
    """One usable key-figure value of one return (row code as in chiffres.code_ligne)."""

    pilote: str
    structure: str
    code: str
    valeur: int
    source: Source


def attendus(ctx: Contexte, retour: Any, pilote: str) -> list[str]:
    actuels = codes_du_pilote(ctx.protocole.chiffres, pilote)
    ident = retour.identification
    if ident is None:
        return actuels
    return [c for c in ident.chiffres if c in actuels]


def verifier_chiffres(ctx: Contexte, retour: Any, pilote: str, structure: str) -> Verif[list[ReponseChiffre]]:
    """Every expected key-figure row of a return: its integer value, or a finding."""
    codes = attendus(ctx, retour, pilote)
    lecture = retour.chiffres
    if not codes or (lecture is None and retour.identification is None):
        # A copy recognised by its content holds the Saisie sheet only: its finding says to check it.
        return []
    if lecture is None or lecture.ligne_entete is None:
        yield ctx.anomalie(
            r.CHIFFRES_INTROUVABLES, r.CHIFFRES_INTROUVABLES.texte(feuille=d.FEUILLE_CHIFFRES, colonne=d.CODE_CHIFFRE)
        )
        return []
    ctx = dataclasses.replace(ctx, feuille=lecture.feuille)
    if lecture.colonne_manquante:
        yield ctx.anomalie(r.COLONNE_MANQUANTE, r.COLONNE_MANQUANTE.texte(colonne=lecture.colonne_manquante))
        return []
    series = {s.id: s for s in ctx.protocole.chiffres}
    reponses: list[ReponseChiffre] = []
    vus: set[str] = set()
    for ligne in lecture.lignes:
        code, c = ligne.code, ligne.valeur
        if code in vus or code not in codes:
            raison = "figure deux fois" if code in vus else "n'est pas un chiffre clé demandé à ce pilote"
            yield ctx.anomalie(
                r.CHIFFRE_IGNORE, r.CHIFFRE_IGNORE.texte(code=ligne.brut, raison=raison), ligne.cellule_code.ref, code
            )
            continue
        vus.add(code)
        serie = series[decouper_code(code)[0]]
        libelle = libelle_ligne(serie, code)
        if c is None or c.valeur is None:
            message = r.CHIFFRE_NON_RENSEIGNE.texte(libelle=libelle, annee=ctx.annee)
            yield ctx.anomalie(r.CHIFFRE_NON_RENSEIGNE, message, c.ref if c else None, code)
            continue
        n, probleme = lire_entier(c.valeur)
        if n is None:
            yield ctx.anomalie(r.NOMBRE_INVALIDE, probleme, c.ref, code)
            continue
        if probleme:
            yield ctx.anomalie(r.NOMBRE_AVEC_UNITE, probleme, c.ref, code)
        avant = ctx.precedentes.get(("chiffre", code, pilote)) if len(serie.pilotes) > 1 else None
        if avant is None and len(serie.pilotes) == 1:
            avant = ctx.precedentes.get(("chiffre", code))
            connue = serie.connue(decouper_code(code)[1], ctx.annee - 1)
            if avant is None and connue is not None and not connue.periode:
                avant = connue.valeur
        if isinstance(avant, int) and avant > 0 and (n > 3 * avant or 3 * n < avant):
            message = r.VALEUR_ATYPIQUE.texte(valeur=n, annee_precedente=ctx.annee - 1, avant=avant, indicateur=libelle)
            yield ctx.anomalie(r.VALEUR_ATYPIQUE, message, c.ref, code)
        reponses.append(
            ReponseChiffre(pilote, structure, code, n, Source(retour.nom, lecture.feuille, c.ref, retour.sha256))
        )
    for code in codes:
        if code not in vus:
            libelle = libelle_ligne(series[decouper_code(code)[0]], code)
            yield ctx.anomalie(r.CHIFFRE_MANQUANT, r.CHIFFRE_MANQUANT.texte(libelle=libelle, code=code), None, code)
    return reponses


def libelle_ligne(serie: SerieChiffre, code: str) -> str:
    detail = dict(serie.codes).get(code, "")
    return f"{serie.libelle} — {detail}" if detail else serie.libelle
