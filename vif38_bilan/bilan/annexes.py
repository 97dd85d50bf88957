"""The bilan's annexes — pilots without a return (a neutral list) and the method — and signatures.

Only what is signed: anomalies, disagreements, files read, personal data removed and commands go
to the agent's working notes (points_a_verifier.py), never here.
"""

from __future__ import annotations

from collections import Counter

from vif38_bilan.controle.barriere import phrases_methode as phrases_barriere
from vif38_bilan.bilan.textes import pluriel
from vif38_bilan.bilan.word import S_TABLEAU_TETE, Redacteur, repartir
from vif38_bilan.consolidation.actions import ORIGINE_ARBITRAGE, ORIGINE_COPILOTE, Consolidation
from vif38_bilan.consolidation.disposition import etiquette
from vif38_bilan.controle.resultats import ResultatControle
from vif38_bilan.referentiel.agregation import Agregation
from vif38_bilan.referentiel.protocole import Protocole
from vif38_bilan.referentiel.temporalite import Temporalite


def tableau_manquants(r: Redacteur, p: Protocole, manquants: list[str], largeur: float) -> None:
    """A neutral table of the pilots without a usable return: pilot, actions led, actions co-piloted."""
    t = r.tableau(repartir(largeur, [6.0, 5.5, 5.5]), ["Pilote", "Chef de file de", "Co-pilote de"])
    connus = {x.code for x in p.pilotes}
    for code in manquants:
        roles = p.actions_du_pilote(code) if code in connus else []
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
    puce = "List Bullet" if "List Bullet" in {s.name for s in r.doc.styles} else None
    for m in (*phrases_methode(c, resultat.nb_erreurs), *phrases_barriere()):
        r.para(m, puce)
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


# ---------------------------------------------------------------- the « Méthode » annex, computed (issue 23)
_REGLES = {
    Agregation.SOMME: "somme (organisations distinctes qui comptent chacune le leur)",
    Agregation.MAXIMUM: "maximum (un même événement déclaré par plusieurs pilotes ou structures, compté une fois)",
    Agregation.CHEF_DE_FILE: "chiffre du chef de file",
    Agregation.AUCUNE: "chiffres listés sans total",
}


def phrases_methode(c: Consolidation, nb_erreurs: int = 0) -> list[str]:
    """The annex's sentences for the bilan's year of c; nb_erreurs: erreurs left open by the check."""
    p, annee = c.protocole, c.annee
    courants = [(a, e) for a in p.actions if (e := c.enregistrement(a.code, annee)) is not None]
    phrases = [
        "Statut d'une action : celui déclaré par le chef de file (premier pilote cité dans le protocole), y compris "
        "quand les pilotes d'une même action déclarent des statuts différents."
    ]
    copilotes = sum(e.origine == ORIGINE_COPILOTE for _, e in courants)
    if copilotes:
        phrases.append(
            f"Sans statut du chef de file, le statut le plus avancé déclaré par un co-pilote est retenu et signalé "
            f"« (co-pilote) » : {pluriel(copilotes, 'action')} en {annee}."
        )
    regles: Counter = Counter()
    arbitres = sum(e.origine == ORIGINE_ARBITRAGE for _, e in courants)
    partiels = 0
    for a, e in courants:
        for k, _ind in enumerate(a.indicateurs):
            ag = e.agregats[k] if k < len(e.agregats) else None
            if ag is not None and ag.plusieurs:
                regles[ag.regle] += 1
            arbitres += bool(ag is not None and ag.arbitrage)
            partiels += bool(e.partiel(k) and e.valeurs[k] is not None)
    if regles:
        detail = " ; ".join(f"{_REGLES[r]} : {pluriel(n, 'indicateur')}" for r, n in regles.most_common())
        phrases.append(
            f"Indicateurs chiffrés déclarés par plusieurs pilotes ou structures en {annee} : chacun suit la règle "
            f"d'agrégation du référentiel — {detail}. Le bilan cite les déclarations et la règle appliquée."
        )
    else:
        phrases.append(f"En {annee}, aucun indicateur chiffré n'a reçu de chiffres de plusieurs pilotes.")
    if arbitres:
        phrases.append(
            f"{pluriel(arbitres, 'chiffre ou statut retenu', 'chiffres ou statuts retenus')} après arbitrage de la "
            "délégation départementale aux droits des femmes, pour cette seule année (« chiffre retenu après arbitrage »)."
        )
    phrases += _temporalites(c)
    ecartes = sum(not e.realisation and any(v is not None for v in e.valeurs) for _, e in courants)
    if ecartes:
        phrases.append(
            f"{pluriel(ecartes, 'action annulée ou en attente', 'actions annulées ou en attente')} avec des chiffres "
            "déclarés : ces chiffres sont cités, sans taux ni cumul ; ils ne comptent pas comme réalisation."
        )
    partiels_cles = sum(
        bool(v.partiel)
        for ch in c.chiffres
        for li in ch.lignes
        if (v := li.valeurs.get(annee)) and v.valeur is not None
    )
    if partiels + partiels_cles:
        phrases.append(
            f"{pluriel(partiels + partiels_cles, 'chiffre marqué', 'chiffres marqués')} « partiel » : un pilote attendu "
            "n'avait pas transmis son bilan, ou sa valeur était refusée ; aucun taux n'est calculé sur eux."
        )
    if nb_erreurs:
        phrases.append(
            f"Valeurs refusées par le contrôle et non comptées : {pluriel(nb_erreurs, 'erreur')} restée{'s' if nb_erreurs > 1 else ''} ouverte{'s' if nb_erreurs > 1 else ''}."
        )
    if c.retraits:
        phrases.append(
            f"{pluriel(len(c.retraits), 'texte')} {'contenait' if len(c.retraits) == 1 else 'contenaient'} un passage "
            "repéré comme donnée personnelle probable : il est remplacé par « [donnée personnelle retirée] »."
        )
    if c.chiffres:
        phrases.append(
            "Chiffres clés : chaque série suit sa règle (valeurs des pilotes additionnées, plus grande valeur ou celle "
            "du premier pilote cité) ; les années antérieures au protocole reprennent les documents cités sous chaque "
            "tableau ; une année sans valeur est « non renseignée », jamais 0, et l'évolution n'est alors pas calculée."
        )
    phrases.append(
        "Indicateurs Oui/Non : « Oui » dès qu'un retour indique Oui. Indicateurs en texte et observations : repris "
        "tels quels, précédés du nom du pilote ou de la structure qui les a écrits."
    )
    return phrases


def _temporalites(c: Consolidation) -> list[str]:
    """One sentence per temporalité present among the counted indicators and key figures."""
    presentes = {i.temporalite for a in c.protocole.actions for i in a.indicateurs if i.type in ("entier", "oui_non")}
    presentes |= {ch.serie.temporalite for ch in c.chiffres}
    phrases = []
    if Temporalite.FLUX in presentes:
        texte = "Nombres comptés dans l'année (personnes formées, séances, réunions) : taux = valeur / cible annuelle"
        if len(c.annees) > 1:
            texte += (
                f" ; le cumul {c.annees[0]}-{c.annee} additionne les années connues, rapporté à la cible annuelle × "
                "nombre d'années. Une année sans chiffre est « non renseignée » : jamais comptée pour zéro, et aucun "
                "taux cumulé n'est calculé sur elle"
            )
        phrases.append(texte + ".")
    if Temporalite.STOCK in presentes:
        phrases.append(
            "Stocks (niveau en fin d'année : places, réseaux, conventions en vigueur, téléphones en service) : jamais "
            "additionnés d'une année à l'autre ; le bilan donne la dernière valeur connue et son évolution, et la cible "
            "est un niveau."
        )
    if Temporalite.PONCTUEL in presentes:
        phrases.append(
            "Réalisations ponctuelles (procédure créée, convention signée) : le bilan dit si et depuis quand."
        )
    return phrases
