"""Key figures consolidated year over year, each value traceable to its source.

For every series of the referential and every row: the years from the first known one to the
bilan's year. The bilan's year comes from the returns, aggregated by the series' rule (the
structures of a collective pilot always add up); earlier protocol years from the history
workbooks; years before the protocol from the referential, with the source it names. A year
without a value stays None ("non renseigné" in the bilan), never 0.
"""

from __future__ import annotations

from dataclasses import dataclass

from vif38_bilan.espace.fichiers import chemin_lisible
from vif38_bilan.consolidation.completude import Attente, manques
from vif38_bilan.referentiel.agregation import agreger as agreger_regle
from vif38_bilan.referentiel.agregation import par_pilote
from vif38_bilan.referentiel.chiffres_cles import SerieChiffre, code_ligne
from vif38_bilan.consolidation.disposition import FEUILLE_CHIFFRES, LigneSource, etiquette
from vif38_bilan.consolidation.historique import Historique
from vif38_bilan.referentiel.protocole import Protocole
from vif38_bilan.controle.verifications_chiffres import ReponseChiffre

SOURCE_REFERENTIEL = "référentiel"


@dataclass(frozen=True)
class ValeurAnnee:
    valeur: int | None
    periode: str = ""  # a multi-year count ("juin 2017-2021"): never compared nor charted
    details: tuple[tuple[str, int], ...] = ()  # (who, value) per return, the bilan's year only
    partiel: tuple[str, ...] = ()  # « Police non transmis »…: the total misses these providers (completude.py)


@dataclass(frozen=True)
class LigneConsolidee:
    code: str
    detail: str  # the row's label, "" for a one-row series
    valeurs: dict[int, ValeurAnnee]

    def valeur(self, annee: int) -> int | None:
        v = self.valeurs.get(annee)
        return v.valeur if v else None

    def annuelle(self, annee: int) -> int | None:
        """The value of annee when it counts that year alone."""
        v = self.valeurs.get(annee)
        return v.valeur if v and not v.periode else None

    def variation(self, annee: int) -> float | None:
        """Change from annee - 1 (0.12 for +12 %); None when either year is unknown or not comparable."""
        avant, apres = self.annuelle(annee - 1), self.annuelle(annee)
        if avant is None or apres is None or avant == 0 or self.valeurs[annee].partiel:
            return None
        return (apres - avant) / avant


@dataclass(frozen=True)
class ChiffreConsolide:
    serie: SerieChiffre
    annees: tuple[int, ...]  # first known year … the bilan's year
    lignes: tuple[LigneConsolidee, ...]
    sources: tuple[LigneSource, ...]

    def libelle_annee(self, annee: int) -> str:
        """Column header: the year, or the period when every known value of that year is a multi-year count."""
        periodes = {li.valeurs[annee].periode for li in self.lignes if annee in li.valeurs}
        return periodes.pop() if len(periodes) == 1 and "" not in periodes else str(annee)

    def annees_connues(self) -> list[int]:
        """Years with at least one annual value (what a chart can show)."""
        return [y for y in self.annees if any(li.annuelle(y) is not None for li in self.lignes)]


def rubrique_chiffre(serie: SerieChiffre, detail: str) -> str:
    return f"Chiffre clé : {serie.libelle}" + (f" — {detail}" if detail else "")


def agreger(serie: SerieChiffre, valeurs: list[tuple[str, int]]) -> int | None:
    """(pilot, value) per return → the series' figure, by the same rule as the indicators
    (referentiel.agregation): under ``maximum`` the structures of a pilot do not add up either."""
    if not valeurs:
        return None
    chef = serie.pilotes[0] if serie.pilotes else ""
    return agreger_regle(serie.agregation, par_pilote([(p, p == chef, v) for p, v in valeurs], serie.agregation)).valeur


def consolider_chiffres(
    protocole: Protocole,
    annee: int,
    reponses: list[ReponseChiffre],
    historique: Historique | None,
    attente: Attente | None = None,
) -> list[ChiffreConsolide]:
    """Every series of the referential, year over year; attente: who was expected and did not
    deliver this year (the bilan's year's value is then partial, or None when nobody delivered)."""
    historique = historique or Historique()
    attente = attente or Attente()
    par_code: dict[str, list[ReponseChiffre]] = {}
    for r in reponses:
        par_code.setdefault(r.code, []).append(r)
    sortie = []
    for serie in protocole.chiffres:
        ordre = {p: i for i, p in enumerate(serie.pilotes)}
        lignes: list[LigneConsolidee] = []
        sources: list[LigneSource] = []
        for code, detail in serie.codes:
            rubrique = rubrique_chiffre(serie, detail)
            valeurs: dict[int, ValeurAnnee] = {}
            for v in serie.historique:
                if v.annee < annee and code == code_ligne(serie.id, v.ligne):
                    valeurs[v.annee] = ValeurAnnee(v.valeur, v.periode)
                    cellule = v.periode or str(v.annee)  # the row of the referential's history
                    sources.append(
                        LigneSource(v.annee, code, rubrique, "", SOURCE_REFERENTIEL, v.valeur, v.source, SOURCE_REFERENTIEL, cellule, "")
                    )  # fmt: skip
            for y, lues in sorted(historique.chiffres.items()):
                if y >= annee or lues.get(code) is None:
                    continue
                valeurs[y] = ValeurAnnee(lues[code])
                sources[:] = [s for s in sources if not (s.annee == y and s.code_action == code)]
                sources.append(
                    LigneSource(
                        y, code, rubrique, "", "historique", lues[code], chemin_lisible(historique.sources[y]) if y in historique.sources else "",
                        FEUILLE_CHIFFRES, historique.chiffres_cellules.get(y, {}).get(code, ""),
                        historique.empreintes.get(y, ""),
                    )
                )  # fmt: skip
            recues = sorted(par_code.get(code, []), key=lambda r: (ordre.get(r.pilote, len(ordre)), r.structure))
            details = tuple((etiquette(protocole, r.pilote, r.structure), r.valeur) for r in recues)
            manque = manques(serie.pilotes, serie.agregation, [r.pilote for r in recues], code, attente,
                             lambda c: etiquette(protocole, c))  # fmt: skip
            valeurs[annee] = ValeurAnnee(agreger(serie, [(r.pilote, r.valeur) for r in recues]), "", details,
                                         manque if recues else ())  # fmt: skip
            for r in recues:
                s = r.source
                sources.append(
                    LigneSource(annee, code, rubrique, r.pilote, r.structure, r.valeur, s.fichier, s.feuille, s.cellule, s.sha256)
                )  # fmt: skip
            lignes.append(LigneConsolidee(code, detail, valeurs))
        debut = min(y for li in lignes for y in li.valeurs)
        annees = tuple(range(debut, annee + 1))
        sources.sort(key=lambda s: (s.annee, [c for c, _ in serie.codes].index(s.code_action)))
        sortie.append(ChiffreConsolide(serie, annees, tuple(lignes), tuple(sources)))
    return sortie


def par_axe(chiffres: list[ChiffreConsolide], axe: int | None) -> list[ChiffreConsolide]:
    return [c for c in chiffres if c.serie.axe == axe]
