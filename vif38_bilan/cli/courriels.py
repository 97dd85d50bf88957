"""The courriels command: drafts for the pilots (envoi, relance, correction), sent on request."""

from __future__ import annotations

import os

import click

from vif38_bilan import cycle
from vif38_bilan.cli.accueil import annee_option, option_date


@click.command()
@annee_option
@click.option(
    "--type",
    "type_",
    type=click.Choice(["envoi", "relance", "correction"]),
    default="envoi",
    show_default=True,
    help="envoi : le classeur à chaque pilote ; relance : ceux sans retour utilisable ; "
    "correction : les retours avec erreurs, copie annotée jointe.",
)
@click.option("--envoyer", is_flag=True, help="Envoie aussi les courriels par le serveur [smtp] de vif38.toml.")
@click.option("--oui", is_flag=True, help="Avec --envoyer : envoie sans demander de confirmation.")
@click.option(
    "--date-limite",
    callback=option_date,
    metavar="JJ/MM/AAAA",
    help="Date limite de retour écrite dans les courriels (par défaut celle de vif38.toml).",
)
@click.pass_obj
def courriels(c, annee: int, type_: str, envoyer: bool, oui: bool, date_limite) -> None:
    """Prépare un brouillon de courriel (.eml) par destinataire, avec le bon classeur joint."""
    e = c.espace.pour_annee(annee)  # the protocol of that year (vif38.toml's [protocoles])
    smtp = cycle.parametres_envoi(e) if envoyer else None  # a missing [smtp] fails before any work
    prep = cycle.preparer_courriels(e, annee, type_, date_limite=date_limite)
    click.echo(cycle.texte_preparation(prep, e.racine))
    if smtp is None:
        return
    plan = cycle.planifier_envoi(prep)
    click.echo(cycle.texte_plan(plan, smtp))
    if not plan.a_envoyer:
        return
    if not oui:
        question = f"Envoyer ces {len(plan.a_envoyer)} courriel(s) maintenant ? [o/N]"
        reponse = click.prompt(question, default="n", show_default=False)
        if reponse.strip().lower() not in ("o", "oui", "y", "yes"):
            click.echo("Envoi annulé : rien n'a été envoyé.")
            raise click.exceptions.Exit(1)
    mot_de_passe = os.environ.get(cycle.VARIABLE_MOT_DE_PASSE)
    if smtp.utilisateur and mot_de_passe is None:
        mot_de_passe = click.prompt(f"Mot de passe de {smtp.utilisateur} sur {smtp.hote}", hide_input=True)
    resultats = cycle.envoyer_courriels(e, prep, smtp, mot_de_passe)
    click.echo(cycle.texte_envoi(resultats, prep.journal))
    if any(r.resultat == cycle.ECHEC for r in resultats):
        raise click.exceptions.Exit(1)
