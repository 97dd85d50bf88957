"""The arbitration page (issue 23): the disagreements of the last bilan, each with a small form
that records the agent's decision (cycle.arbitrer), and the decisions already recorded.

Its own route and template, added to the pages' blueprint: the shared pages are left alone.
"""

from __future__ import annotations

from flask import redirect, render_template, request, url_for

from vif38_bilan.web import etapes
from vif38_bilan.web.etat_serveur import serveur
from vif38_bilan.web.pages import annee_connue, pages


def _a_trancher(s, annee: int) -> list | None:
    """The open disagreements of the last bilan produced here (None when none was produced)."""
    dernier = s.bilans.get(annee)
    return None if dernier is None else etapes.desaccords_ouverts(dernier.donnees)


@pages.get("/<int:annee>/arbitrages")
def arbitrages(annee: int):
    s = serveur()
    annee_connue(annee)
    erreur = ""
    try:
        faits = etapes.lire_arbitrages_espace(s.espace, annee)
    except etapes.Vif38Error as e:
        faits, erreur = [], str(e)
    return render_template(
        "arbitrages.html", annee=annee, page="arbitrages", a_trancher=_a_trancher(s, annee), faits=faits,
        erreur=erreur or request.args.get("erreur", ""), message=request.args.get("message", ""),
        nom=lambda code: next((x.alias[0] if x.alias else x.nom for x in s.espace.protocole.pilotes if x.code == code), code),
    )  # fmt: skip


@pages.post("/<int:annee>/arbitrages")
def arbitrages_enregistrer(annee: int):
    s = serveur()
    annee_connue(annee)
    f = request.form
    decision = f.get("decision", "")
    regle = decision.removeprefix("regle:") if decision.startswith("regle:") else ""
    pilote = decision.removeprefix("pilote:") if decision.startswith("pilote:") else ""
    valeur = f.get("valeur", "").strip()
    indicateur = f.get("indicateur", "").strip()
    try:
        if f.get("retirer") == "oui":
            a = etapes.retirer_arbitrage(s.espace, annee, f.get("action", ""), int(indicateur) if indicateur else None)
            message = f"Arbitrage retiré : {a.action}."
        else:
            if decision == "valeur" and not valeur.isdigit():
                raise etapes.Vif38Error("Tapez le chiffre retenu (un nombre entier) dans la case « Valeur ».")
            a = etapes.arbitrer(s.espace, etapes.Arbitrage(
                annee, f.get("action", "").strip(), int(indicateur) if indicateur.isdigit() else None, regle,
                int(valeur) if decision == "valeur" else None, pilote, f.get("motif", ""),
            ))  # fmt: skip
            message = f"Arbitrage enregistré pour l'action {a.action}. Produisez à nouveau le bilan pour l'appliquer."
    except etapes.Vif38Error as e:
        return redirect(url_for("pages.arbitrages", annee=annee, erreur=str(e)), code=303)
    return redirect(url_for("pages.arbitrages", annee=annee, message=message), code=303)
