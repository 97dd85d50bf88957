"""The arbitrer command: the agent decides which figure stands for one action and year (issue 23)."""

from __future__ import annotations

import click

from vif38_bilan.cli.accueil import annee_option


@click.command("arbitrer")
@annee_option
@click.option("--action", metavar="CODE", help="Code de l'action, par ex. 1-1-1.")
@click.option(
    "--indicateur", type=click.IntRange(1, 20), metavar="N", help="Numéro de l'indicateur chiffré (par défaut : tous)."
)
@click.option(
    "--regle",
    type=click.Choice(["somme", "maximum", "chef_de_file", "aucune"]),
    help="Règle d'agrégation à appliquer cette année pour cette action.",
)
@click.option("--valeur", type=click.IntRange(0), metavar="NOMBRE", help="Chiffre retenu, par ex. 156.")
@click.option("--pilote", metavar="CODE", help="Pilote dont le chiffre (et, sans --indicateur, le statut) fait foi.")
@click.option(
    "--motif",
    default="",
    metavar="TEXTE",
    help="Pourquoi (gardé avec l'arbitrage et repris dans les points à vérifier).",
)
@click.option("--retirer", is_flag=True, help="Retire l'arbitrage de cette action (et de cet indicateur).")
@click.pass_obj
def arbitrer_cmd(c, annee, action, indicateur, regle, valeur, pilote, motif, retirer) -> None:
    """Enregistre, liste ou retire les arbitrages de la DDFE (arbitrages.toml de l'espace de travail)."""
    from vif38_bilan.cycle import (  # lazy: start-up
        Arbitrage,
        arbitrer,
        chemin_arbitrages,
        lire_arbitrages_espace,
        retirer_arbitrage,
    )

    e = c.espace
    courts = {p.code: (p.alias[0] if p.alias else p.nom) for p in e.protocole.pilotes}
    nom = lambda code: courts.get(code, code)  # noqa: E731
    if not action:
        if retirer or regle or valeur is not None or pilote or motif or indicateur:
            raise click.UsageError("Précisez l'action : --action CODE (par ex. --action 1-1-1).")
        arbitrages = lire_arbitrages_espace(e, annee)
        if not arbitrages:
            click.echo(f"Aucun arbitrage pour {annee} (fichier « {chemin_arbitrages(e).name} »).")
            return
        click.echo(f"Arbitrages {annee} ({len(arbitrages)}) :")
        for a in arbitrages:
            quoi = a.action + (f", indicateur {a.indicateur}" if a.indicateur else "")
            click.echo(f"  {quoi} : {a.decision(nom)} — motif : {a.motif} ({a.date})")
        return
    if retirer:
        if regle or valeur is not None or pilote:
            raise click.UsageError("--retirer ne se combine pas avec --regle, --valeur ou --pilote.")
        a = retirer_arbitrage(e, annee, action, indicateur)
        click.echo(f"Arbitrage retiré : {a.action} {annee}, {a.decision(nom)}.")
    else:
        a = arbitrer(e, Arbitrage(annee, action, indicateur, regle or "", valeur, pilote or "", motif))
        quoi = a.action + (f", indicateur {a.indicateur}" if a.indicateur else "")
        click.echo(f"Arbitrage enregistré pour {annee}, action {quoi} : {a.decision(nom)}.")
        click.echo(f"Gardé dans « {chemin_arbitrages(e).name} » avec son motif.")
    click.echo(
        f"Ensuite : vif38-bilan bilan --annee {annee} applique les arbitrages et les cite dans les points à vérifier."
    )
