"""The end-of-protocol bilan (issue 28): `bilan --protocole 2022-2024`, once a protocol's years are done."""

from __future__ import annotations

from dataclasses import dataclass, replace
from datetime import date
from pathlib import Path

from vif38_bilan.bilan.fin_protocole import ecrire_bilan_protocole, nom_bilan_protocole
from vif38_bilan.commun.nombres import nombre
from vif38_bilan.consolidation.historique import Historique, lire_historique
from vif38_bilan.cycle.ouverture import Espace
from vif38_bilan.exceptions import Vif38Error
from vif38_bilan.referentiel.protocole import Protocole


@dataclass
class BilanProtocole:
    protocole: Protocole
    historique: Historique  # the years read (sources, anomalies, years missing)
    chemin: Path


def produire_bilan_protocole(
    espace: Espace, periode: str, sortie: str | Path | None = None, date_edition: date | None = None
) -> BilanProtocole:
    """Write sorties/bilan-protocole-<periode>.docx: one table per objective, the years' statuses
    side by side, each year's observations and the period's figures, from sorties/<year>/'s
    consolidation workbooks (the tool's own years, imported or hand-typed ones alike).

    Args:
        periode: "2022-2024", a protocol of the workspace.
        sortie: the .docx to write (sorties/bilan-protocole-<periode>.docx by default).
    Returns:
        BilanProtocole: the protocol, the history read, the path written.
    Raises:
        Vif38Error: no protocol of the workspace has that period (the message lists them);
        EspaceVerrouille, SortieBloquee.
    """
    protocoles = espace.protocoles or (espace.protocole,)
    cle = "".join(periode.split()).replace("–", "-")
    p = next((x for x in protocoles if x.periode == cle), None)
    if p is None:
        raise Vif38Error(
            f"« {periode} » n'est la période d'aucun protocole de cet espace ({', '.join(x.periode for x in protocoles)}) : "
            "écrivez-la comme dans cette liste, par exemple --protocole 2022-2024."
        )
    chemin = Path(sortie) if sortie is not None else espace.dossier("sorties") / nom_bilan_protocole(p)
    with espace.verrou():
        h = lire_historique(p, espace.dossier("sorties"), p.annees[-1] + 1)
        ecrire_bilan_protocole(p, h, chemin, date_edition, espace.config.service)
    return BilanProtocole(p, h, chemin)


def rappeler_suites(espace: Espace) -> Espace:
    """The workspace whose year protocol carries, on each confirmed suite, the earlier protocol's
    figures of the action it carries on ("Nombre de places (2022-2024) : 2022 : 143 ; …"), read from
    that protocol's consolidation workbooks; the bilan prints them under « Suite de l'action … »."""
    p = espace.protocole
    par_periode = {x.periode: x for x in espace.protocoles}
    if not any(s.confirmee and s.protocole in par_periode for s in p.suites):
        return espace
    historiques: dict[str, Historique] = {}
    suites = []
    for s in p.suites:
        prec = par_periode.get(s.protocole)
        if not s.confirmee or prec is None or s.precedente not in {a.code for a in prec.actions}:
            suites.append(s)
            continue
        if prec.periode not in historiques:
            historiques[prec.periode] = lire_historique(prec, espace.dossier("sorties"), prec.annees[-1] + 1)
        h = historiques[prec.periode]
        a = prec.action(s.precedente)
        lignes = []
        for k, ind in enumerate(a.indicateurs):
            connues = [(y, h.valeurs.get(y, {}).get((a.code, k))) for y in prec.annees]
            texte = " ; ".join(
                f"{y} : {nombre(v) if isinstance(v, int) else v}" for y, v in connues if v not in (None, "")
            )
            if texte:
                lignes.append(f"{ind.libelle} ({prec.periode}) : {texte}")
        suites.append(replace(s, rappel=tuple(lignes)))
    return replace(espace, protocole=replace(p, suites=tuple(suites)))
