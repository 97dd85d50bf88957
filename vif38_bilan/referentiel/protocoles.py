"""Successive protocols in one workspace (issue 28): the protocol of a year, the key-figure series
carried from one protocol to the next, and the actions of a new protocol that carry on earlier ones
(proposed by text similarity, confirmed by the agent in the "Suites" sheet)."""

from __future__ import annotations

import difflib
from dataclasses import replace
from typing import Any

from vif38_bilan.exceptions import AnneeHorsProtocole
from vif38_bilan.referentiel.pilotes import cle
from vif38_bilan.referentiel.protocole import Protocole
from vif38_bilan.exceptions import ConfigurationInvalide
from vif38_bilan.referentiel.chargement import charger_protocole

# difflib ratio from which an earlier action is proposed as the one a new action carries on:
# 0.6 is difflib's own "close match" default (get_close_matches).
SEUIL_SUITE = 0.6


def protocole_pour_annee(protocoles: tuple[Protocole, ...], annee: int) -> Protocole:
    """The protocol whose years hold annee.

    Raises:
        AnneeHorsProtocole: no protocol covers annee (the message lists each protocol's period).
    """
    for p in protocoles:
        if annee in p.annees:
            return p
    periodes = ", ".join(p.periode for p in protocoles)
    raise AnneeHorsProtocole(
        f"{annee} n'est l'année d'aucun protocole de cet espace ({periodes}). Relancez avec une année de ces "
        "périodes, ou ajoutez le protocole de cette période dans la section [protocoles] de vif38.toml."
    )


def continuer_series(protocole: Protocole, precedents: list[Protocole]) -> Protocole:
    """The protocol with the key-figure series of earlier protocols it does not define itself.

    The same series (same code) keeps one history across protocols: its known values of earlier
    protocols are merged with its own. A carried series keeps only the pilots this protocol knows,
    and goes to the general section when its axis does not exist any more.
    """
    codes = {p.code for p in protocole.pilotes}
    axes = {a.numero for a in protocole.axes}
    series = {s.id: s for s in protocole.chiffres}
    for anterieur in precedents:
        for s in anterieur.chiffres:
            if s.id in series:
                connues = {(v.ligne, v.annee) for v in series[s.id].historique}
                ajout = tuple(v for v in s.historique if (v.ligne, v.annee) not in connues)
                series[s.id] = replace(series[s.id], historique=tuple(sorted(
                    (*ajout, *series[s.id].historique), key=lambda v: (v.annee, v.ligne))))  # fmt: skip
            else:
                series[s.id] = replace(
                    s, pilotes=tuple(c for c in s.pilotes if c in codes), axe=s.axe if s.axe in axes else None
                )
    return replace(protocole, chiffres=tuple(series.values()))


def proposer_suites(actions: list[dict[str, Any]], precedent: Protocole) -> list[dict[str, Any]]:
    """For each new action, the earlier protocol's action whose description is the closest, when
    difflib's ratio reaches SEUIL_SUITE: plain "suites" rows, not confirmed.

    Args:
        actions: the new protocol's actions as plain data (code, description).
        precedent: the previous protocol.
    Returns:
        Rows {code, precedente, protocole, confirmee, similarite}, in the actions' order.
    """
    anciens = [(a.code, cle(a.description)) for a in precedent.actions]
    sortie = []
    for a in actions:
        texte = cle(a.get("description") or "")
        meilleur, ratio = None, 0.0
        for code, ancien in anciens:
            m = difflib.SequenceMatcher(None, texte, ancien, autojunk=False)
            if m.real_quick_ratio() < SEUIL_SUITE or m.quick_ratio() < max(SEUIL_SUITE, ratio):
                continue
            r = m.ratio()
            if r > ratio:
                meilleur, ratio = code, r
        if meilleur is not None and ratio >= SEUIL_SUITE:
            sortie.append(
                {"code": a["code"], "precedente": meilleur, "protocole": precedent.periode, "confirmee": False,
                 "similarite": round(ratio, 2)}
            )  # fmt: skip
    return sortie


def charger_succession(periodes: dict[str, Any]) -> tuple[Protocole, ...]:
    """The protocols of vif38.toml's [protocoles] section, oldest first, each with the key-figure
    series of the earlier ones carried on.

    Args:
        periodes: "AAAA-AAAA" -> protocol file (None: the embedded protocol).
    Returns:
        The protocols, by first year.
    Raises:
        ReferentielInvalide: a protocol file is malformed; ConfigurationInvalide: a protocol does
        not cover the period it is declared for, or two periods overlap.
    """
    protocoles: list[Protocole] = []
    for periode, fichier in sorted(periodes.items()):
        p = charger_protocole(fichier)
        if p.periode != periode:
            nom = fichier.name if fichier is not None else "le protocole intégré"
            raise ConfigurationInvalide(
                f"vif38.toml, section [protocoles] : « {nom} » couvre {p.periode or 'aucune année'}, pas {periode} : "
                "corrigez la période ou le fichier."
            )
        if protocoles and set(p.annees) & set(protocoles[-1].annees):
            raise ConfigurationInvalide(
                f"vif38.toml, section [protocoles] : les périodes {protocoles[-1].periode} et {periode} se "
                "chevauchent : une année n'a qu'un protocole."
            )
        protocoles.append(continuer_series(p, protocoles))
    return tuple(protocoles)
