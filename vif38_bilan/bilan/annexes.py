"""The bilan's annexes — pilots without a return (a neutral list) and the method — and signatures.

Only what is signed: anomalies, disagreements, files read, personal data removed and commands go
to the agent's working notes (points_a_verifier.py), never here.
"""

from __future__ import annotations

from vif38_bilan.consolidation.actions import METHODE, Consolidation
from vif38_bilan.consolidation.disposition import etiquette
from vif38_bilan.referentiel.protocole import Protocole
from vif38_bilan.controle.barriere import phrases_methode
from vif38_bilan.controle.resultats import ResultatControle
from vif38_bilan.bilan.word import S_TABLEAU_TETE, Redacteur, repartir


def annexes(r: Redacteur, p: Protocole, annee: int, c: Consolidation, resultat: ResultatControle) -> None:
    largeur = r.largeur_utile_cm()
    r.titre("Annexes", 1)

    r.titre("Annexe 1 — Pilotes n'ayant pas transmis de bilan", 2)
    if not c.manquants:
        r.para(f"Tous les pilotes attendus ont transmis leur bilan {annee}.")
    else:
        r.para(f"Les pilotes suivants n'ont pas transmis de bilan pour {annee} :")
        t = r.tableau(repartir(largeur, [6.0, 5.5, 5.5]), ["Pilote", "Chef de file de", "Co-pilote de"])
        for code in c.manquants:
            roles = p.actions_du_pilote(code) if code in {x.code for x in p.pilotes} else []
            cells = r.ligne(t)
            r.texte_cellule(cells[0], etiquette(p, code))
            r.texte_cellule(cells[1], ", ".join(a.code for a, role in roles if role == "chef de file"))
            r.texte_cellule(cells[2], ", ".join(a.code for a, role in roles if role != "chef de file"))

    r.titre("Annexe 2 — Méthode", 2)
    puce = "List Bullet" if "List Bullet" in {s.name for s in r.doc.styles} else None
    for m in (*METHODE, *phrases_methode()):
        r.para(m, puce)
    for y in c.annees:
        if y == annee:
            continue
        if y in c.historiques:
            r.para(f"Données {y} : reprises du bilan consolidé de {y}.")
        else:
            r.para(f"Données {y} : non renseignées.")


def signatures(r: Redacteur, p: Protocole, annee: int) -> None:
    r.saut_de_page()
    r.titre("Signatures", 1)
    r.para(f"Bilan {annee} du {p.titre[0].lower() + p.titre[1:]}, approuvé par les autorités signataires :")
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
