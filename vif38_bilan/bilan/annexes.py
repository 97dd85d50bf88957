"""The bilan's annexes — pilots without a return (a neutral list) and the method — and signatures.

Only what is signed: anomalies, disagreements, files read, personal data removed and commands go
to the agent's working notes (points_a_verifier.py), never here.
"""

from __future__ import annotations

from vif38_bilan.bilan.methode import phrases_methode
from vif38_bilan.consolidation.actions import Consolidation
from vif38_bilan.consolidation.disposition import etiquette
from vif38_bilan.referentiel.protocole import Protocole
from vif38_bilan.controle.resultats import ResultatControle
from vif38_bilan.bilan.word import S_TABLEAU_TETE, Redacteur, repartir


def tableau_manquants(r: Redacteur, p: Protocole, manquants: list[str], largeur: float) -> None:
    """A neutral table of the pilots without a usable return: pilot, actions led, actions co-piloted."""
    t = r.tableau(repartir(largeur, [6.0, 5.5, 5.5]), ["Pilote", "Chef de file de", "Co-pilote de"])
    for code in manquants:
        roles = p.actions_du_pilote(code) if code in {x.code for x in p.pilotes} else []
        cells = r.ligne(t)
        r.texte_cellule(cells[0], etiquette(p, code))
        r.texte_cellule(cells[1], ", ".join(a.code for a, role in roles if role == "chef de file"))
        r.texte_cellule(cells[2], ", ".join(a.code for a, role in roles if role != "chef de file"))


def annexes(r: Redacteur, p: Protocole, annee: int, c: Consolidation, resultat: ResultatControle) -> None:
    largeur = r.largeur_utile_cm()
    r.titre("Annexes", 1)

    r.titre("Annexe 1 — Pilotes n'ayant pas transmis de bilan", 2)
    if not c.manquants:
        r.para(f"Tous les pilotes attendus ont transmis leur bilan {annee}.")
    else:
        r.para(f"Les pilotes suivants n'ont pas transmis de bilan pour {annee} :")
        tableau_manquants(r, p, c.manquants, largeur)

    r.titre("Annexe 2 — Méthode", 2)
    for m in phrases_methode(c, resultat.nb_erreurs):
        r.para(m, "List Bullet" if "List Bullet" in {s.name for s in r.doc.styles} else None)
    for y in c.annees:
        if y == annee:
            continue
        if y in c.historiques:
            r.para(f"Données {y} : reprises du bilan consolidé de {y}.")
        else:
            r.para(f"Données {y} : non renseignées.")


def signatures(r: Redacteur, p: Protocole, annee: int, intitule: str | None = None) -> None:
    """The signature page: one frame per authority of p (the protocol of the year, never another's).
    intitule replaces « Bilan AAAA » (the end-of-protocol bilan)."""
    r.saut_de_page()
    r.titre("Signatures", 1)
    intitule = intitule or f"Bilan {annee}"
    r.para(f"{intitule} du {p.titre[0].lower() + p.titre[1:]}, approuvé par les autorités signataires :")
    if not p.autorites:
        r.para("Le référentiel ne liste pas d'autorité signataire.", italique=True)
        return
    largeur = r.largeur_utile_cm()
    t = r.tableau([largeur / 2, largeur / 2], None)
    blocs = list(p.autorites)
    for i in range(0, len(blocs), 2):
        cells = r.ligne(t)
        for cell, aut in zip(cells, blocs[i : i + 2], strict=False):
            r.texte_cellule(cell, [aut.fonction], S_TABLEAU_TETE)
            r.texte_cellule_suite(cell, [aut.nom, "", "Date et signature :", "", "", ""])
