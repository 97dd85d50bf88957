"""The demonstration workspace: two years of invented returns, checked and turned into bilans.

Everything is invented: organisations' structures, figures, contacts (under exemple.invalid).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from pathlib import Path

from vif38_bilan import cycle
from vif38_bilan.courriels import contacts_demo
from vif38_bilan.gabarits import chiffres_inventes, identite_inventee, remplir_gabarit, reponses_inventees
from vif38_bilan.espace import nom_gabarit
from vif38_bilan.referentiel import Protocole

# Fixed moments so that the demo is reproducible.
MAINTENANT = {2022: datetime(2023, 1, 9, 9, 0), 2023: datetime(2024, 1, 8, 9, 0)}
DATE_LIMITE = {2022: date(2023, 2, 15), 2023: date(2024, 2, 15)}
DATE_BILAN = {2022: date(2023, 4, 12), 2023: date(2024, 4, 10)}

# One collective pilot answers through two structures; one pilot never answers.
STRUCTURES_ASSOCIATIONS = ("Association Relais Femmes Isère (démo)", "Collectif Égalité Nord-Isère (démo)")
ABSENT = {2022: "PROMOTEURS_DU_NET", 2023: "DEFENSEUR_DES_DROITS"}

# What the agent receives: attachments named by their senders, not by the tool.
NOMS_RECUS = {
    "DDFE": "Bilan {annee} DDFE.xlsx",
    "JUSTICE": "RE_ bilan protocole VIF - Justice {annee}.xlsx",
    "GENDARMERIE": "GGD38 - tableau bilan {annee}.xlsx",
    "CAF": "copie de {annee}_CAF_bilan-protocole-VIF.xlsx",
    "DEPARTEMENT": "Département/bilan VIF {annee} version définitive.xlsx",
}


# Key figures the demo's pilots return (the others are invented near their last known value):
# the DDETS's HU FVV places after 213 in 2021, the prostitution commission's yearly counts.
CHIFFRES_DEMO: dict[int, dict[str, dict[str, object]]] = {
    2022: {
        "DDETS": {"hu_fvv": 226},
        "DDFE": {
            "commission_prostitution.commissions": 3,
            "commission_prostitution.autorisations": 14,
            "commission_prostitution.refus": 5,
            "commission_prostitution.renouvellements": 18,
            "commission_prostitution.sorties_droit_commun": 6,
            "commission_prostitution.refus_renouvellements": 0,
        },
    },
    2023: {
        "DDETS": {"hu_fvv": 241},
        "DDFE": {
            "commission_prostitution.commissions": 4,
            "commission_prostitution.autorisations": 12,
            "commission_prostitution.refus": 6,
            "commission_prostitution.renouvellements": 21,
            "commission_prostitution.sorties_droit_commun": 8,
            "commission_prostitution.refus_renouvellements": 1,
        },
        # Typical slips: a unit typed after the number (read, with a warning), a figure left empty.
        "POLICE": {"intervenants_sociaux": "4 postes"},
        "SIAO": {"siao_115.orientations": None},
    },
}


@dataclass(frozen=True)
class Demo:
    dossier: Path
    bilans: dict[int, Path]
    controles: dict[int, Path]
    consolidations: dict[int, Path]
    erreurs: dict[int, int]
    avertissements: dict[int, int]
    manquants: dict[int, list[str]]
    points: dict[int, Path] = field(default_factory=dict)  # the agent's working notes per year


def _erreurs_volontaires(annee: int) -> dict[str, Callable[[Protocole, dict], None]]:
    """A few typical mistakes per pilot, so that the check has something to show."""

    def unite(p, rep):  # "12 pers." in a count cell: read as 12, with a warning
        code = next(c for c, r in rep.items() if p.action(c).indicateurs[0].type == "entier")
        rep[code]["valeurs"][0] = f"{rep[code]['valeurs'][0] or 12} pers."

    def statut_tape(p, rep):  # a typed status variant: normalised, with a warning
        code = next(iter(rep))
        rep[code]["statut"] = "effectue"

    def des_mots(p, rep):  # words in a count cell: an error, the value is not used
        code = next(c for c, r in rep.items() if p.action(c).indicateurs[0].type == "entier")
        rep[code]["valeurs"][0] = "une dizaine"

    def telephone(p, rep):  # likely personal data in an observation: an error, the passage is removed
        code = next(iter(rep))
        rep[code]["observations"] += " Contact direct : 06 12 34 56 78."

    def sans_statut(p, rep):  # status left empty: an error
        code = list(rep)[-1]
        rep[code]["statut"] = ""

    if annee == 2022:
        return {"JUSTICE": unite, "CAF": statut_tape}
    return {"JUSTICE": unite, "CAF": statut_tape, "GENDARMERIE": des_mots, "DDETS": telephone, "SIAO": sans_statut}


def _remplir_annee(protocole: Protocole, racine: Path, annee: int) -> None:
    """Fill every pilot's template as its pilot would, and drop it in saisies/AAAA/."""
    gabarits = racine / "gabarits" / str(annee)
    saisies = racine / "saisies" / str(annee)
    erreurs = _erreurs_volontaires(annee)
    moment = MAINTENANT[annee].replace(month=2)
    for p in protocole.pilotes_actifs():
        if p.code == ABSENT[annee]:
            continue
        structures = STRUCTURES_ASSOCIATIONS if p.code == "ASSOCIATIONS" else (None,)
        for graine, structure in enumerate(structures):
            reponses = reponses_inventees(protocole, p.code, annee, graine)
            if p.code in erreurs:
                erreurs[p.code](protocole, reponses)
            identite = identite_inventee(protocole, p.code, annee, graine)
            if structure:
                identite["Structure"] = structure
            nom = NOMS_RECUS.get(p.code, nom_gabarit(annee, p.code)).format(annee=annee)
            if structure:
                nom = f"bilan {annee} - {structure}.xlsx"
            chiffres = {**chiffres_inventes(protocole, p.code, annee, graine), **CHIFFRES_DEMO[annee].get(p.code, {})}
            remplir_gabarit(
                gabarits / nom_gabarit(annee, p.code),
                saisies / nom,
                reponses,
                identite=identite,
                modifie_le=moment.replace(day=1 + graine),
                chiffres=chiffres,
            )
    if annee == 2023:
        # The DDFE sent a first version, then a corrected one: the older one is "remplacé".
        reponses = reponses_inventees(protocole, "DDFE", annee, 0)
        for r in reponses.values():
            r["statut"] = "EN COURS"
        remplir_gabarit(
            gabarits / nom_gabarit(annee, "DDFE"),
            saisies / "Bilan 2023 DDFE (premier envoi).xlsx",
            reponses,
            identite=identite_inventee(protocole, "DDFE", annee, 0),
            modifie_le=moment.replace(day=1) - timedelta(days=5),
            chiffres=CHIFFRES_DEMO[annee]["DDFE"],
        )


def creer_demo(dossier: str | Path, progression: Callable[[str], None] | None = None) -> Demo:
    """Build the demo workspace: templates, invented returns, checks and bilans for 2022 and 2023.

    Runs the year through the public API (vif38_bilan.cycle.annee), as the agent would.
    Returns Demo (paths of the bilans, reports and consolidations; counts per year).
    """
    dire = progression or (lambda _m: None)
    racine = Path(dossier)
    espace = cycle.creer_espace(
        racine, service="DDFE de l'Isère (démonstration)", courriel="ddfe@exemple.invalid", date_limite="15/02/2024"
    )
    protocole = espace.protocole
    contacts_demo(protocole, racine / "contacts.xlsx", structures={"ASSOCIATIONS": STRUCTURES_ASSOCIATIONS})
    bilans, controles, consolidations, erreurs, avertissements, manquants, points = {}, {}, {}, {}, {}, {}, {}
    for annee in (2022, 2023):
        dire(f"{annee} : classeurs de collecte")
        cycle.produire_gabarits(espace, annee, date_limite=DATE_LIMITE[annee], maintenant=MAINTENANT[annee])
        dire(f"{annee} : retours des pilotes (inventés)")
        _remplir_annee(protocole, racine, annee)
        dire(f"{annee} : contrôle, consolidation et bilan Word")
        r = cycle.produire_bilan(espace, annee, date_edition=DATE_BILAN[annee])
        if r.sortie_bloquee:
            raise r.sortie_bloquee
        bilans[annee], controles[annee], consolidations[annee] = r.bilan, r.rapport, r.consolidation
        erreurs[annee] = r.resultat.nb_erreurs
        avertissements[annee] = r.resultat.nb_avertissements
        manquants[annee] = list(r.resultat.manquants)
        points[annee] = r.points
    return Demo(racine, bilans, controles, consolidations, erreurs, avertissements, manquants, points)
