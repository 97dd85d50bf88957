"""Command line: parses options, calls one library function, reports in French."""

from __future__ import annotations

import json
import os
import sys
from pathlib import Path

import click

from vif38_bilan.commun import nature_erreur
from vif38_bilan import cycle
from vif38_bilan.cli import imports as cli_import
from vif38_bilan.cli.accueil import (
    annee_option,
    avertir_referentiel,
    barre_progression,
    config_cmd,
    dossier_courant,
    init,
    option_date,
    option_jobs,
)
from vif38_bilan.cli.arbitrages import arbitrer_cmd
from vif38_bilan.cli.console import console_sure
from vif38_bilan.cli.courriels import courriels
from vif38_bilan.cli.document import (
    avec_bilan_protocole,
    lignes_anciens,
    lignes_pdf,
    modele_cmd,
    option_modele,
    option_pdf,
    valider_cmd,
    verifier_cmd,
)
from vif38_bilan.cli.francais import guillemets  # importing it puts Click's messages in French
from vif38_bilan.espace import DOSSIER_ANNOTES, trouver_racine
from vif38_bilan.exceptions import AnneeHorsProtocole, Vif38Error
from vif38_bilan.exceptions import SortieBloquee
from vif38_bilan.web.commande import web_cmd


class Contexte:
    """Shared state: the workspace (opened on first use) and the protocol."""

    def __init__(self, referentiel: Path | None, debug: bool):
        self.referentiel_option = referentiel
        self.debug = debug
        self._espace = None
        self._protocole = None

    @property
    def espace(self):
        """The workspace of the current folder (EspaceIntrouvable when there is none)."""
        if self._espace is None:
            ici = dossier_courant()
            self._espace = cycle.ouvrir_espace(ici, self.referentiel_option)
            if self._espace.racine != ici:
                click.echo(f"Espace de travail : « {self._espace.racine} »", err=True)
            avertir_referentiel(self._espace.protocole)
        return self._espace

    @property
    def protocole(self):
        """--referentiel, else the workspace's protocol when there is a workspace, else the embedded one."""
        from vif38_bilan.referentiel import charger_protocole  # lazy (here and below): start-up of --help
        if self._protocole is None:
            if self.referentiel_option is None and trouver_racine(dossier_courant()) is not None:
                self._protocole = self.espace.protocole
            else:
                self._protocole = charger_protocole(self.referentiel_option)
                avertir_referentiel(self._protocole)
        return self._protocole

    @property
    def protocoles(self) -> tuple:
        """The workspace's successive protocols (vif38.toml's [protocoles]), () without them or with --referentiel."""
        self.protocole  # noqa: B018 (opens the workspace when there is one)
        return self._espace.protocoles if self._espace is not None and self.referentiel_option is None else ()


# Click >= 8.2 reports a bare `vif38-bilan` as a usage error carrying the help text.
_AIDE_SANS_ARGUMENT = getattr(click.exceptions, "NoArgsIsHelpError", ())


class Groupe(click.Group):
    """Turns library errors into French messages; a traceback only with --debug."""

    def main(self, args=None, prog_name=None, complete_var=None, standalone_mode=True, **extra):
        # Click's own prefixes ("Error:", "Usage:") are English: report in French instead.
        if not standalone_mode:
            return super().main(args, prog_name, complete_var, standalone_mode, **extra)
        try:
            rv = super().main(args, prog_name, complete_var, standalone_mode=False, **extra)
        except _AIDE_SANS_ARGUMENT as e:  # `vif38-bilan` alone: the help, not an error
            click.echo(e.format_message())
            sys.exit(0)
        except click.UsageError as e:
            aide = f"\nAide : {e.ctx.command_path} --help" if e.ctx is not None else ""
            click.echo(f"Erreur d'utilisation : {guillemets(e.format_message())}{aide}", err=True)
            sys.exit(e.exit_code)
        except click.ClickException as e:
            click.echo(f"Erreur : {e.format_message()}", err=True)
            sys.exit(e.exit_code)
        except click.Abort:
            click.echo("Interrompu : rien d'autre n'a été fait.", err=True)
            sys.exit(1)
        sys.exit(rv if isinstance(rv, int) else 0)

    def invoke(self, ctx: click.Context):
        try:
            return super().invoke(ctx)
        except AnneeHorsProtocole as e:
            raise click.BadParameter(str(e), param_hint="--annee") from None
        except Vif38Error as e:
            if ctx.obj is not None and getattr(ctx.obj, "debug", False):
                raise
            raise click.ClickException(str(e)) from None
        except (click.ClickException, click.exceptions.Exit, click.Abort, KeyboardInterrupt):
            raise
        except BrokenPipeError:  # output piped into `head` or a closed window: stop quietly, like any tool
            os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())
            raise click.exceptions.Exit(1) from None
        except Exception as e:  # last resort: never a raw traceback for the agent
            if ctx.obj is not None and getattr(ctx.obj, "debug", False):
                raise
            raise click.ClickException(
                f"Erreur inattendue ({nature_erreur(e)}). Relancez avec --debug pour le détail "
                "et transmettez-le à l'équipe vif38-bilan."
            ) from None


pass_ctx = click.make_pass_decorator(Contexte)


@click.group(
    cls=Groupe, context_settings={"help_option_names": ["-h", "--help"]}, subcommand_metavar="COMMANDE [ARGUMENTS]..."
)
@click.option(
    "--referentiel",
    type=click.Path(dir_okay=False, path_type=Path),
    metavar="FICHIER",
    help="Fichier de protocole (.toml, .json ou .xlsx) à la place du protocole intégré de l'Isère 2022-2024.",
)
@click.option("--debug", is_flag=True, help="Affiche le détail technique des erreurs.")
@click.version_option(package_name="vif38-bilan", message="vif38-bilan %(version)s")
@click.pass_context
def cli(ctx: click.Context, referentiel: Path | None, debug: bool) -> None:
    """Bilan annuel du protocole départemental contre les violences faites aux femmes.

    Le cycle : gabarits → saisies → controler → bilan. Lancez les commandes depuis
    votre espace de travail (créé par « vif38-bilan init »).
    """
    ctx.obj = Contexte(referentiel, debug)


cli.add_command(init)
cli.add_command(config_cmd)


def main() -> None:
    """Entry point: console made safe for any code page (help and messages never fail), then the CLI."""
    console_sure()
    cli(prog_name="vif38-bilan")


def option_dossier(nom: str, aide: str):
    return click.option(nom, type=click.Path(file_okay=False, path_type=Path), metavar="DOSSIER", help=aide)


# ------------------------------------------------------------------ referentiel


@cli.command()
@click.option("--json", "en_json", is_flag=True, help="Écrit tout le protocole en JSON sur la sortie standard.")
@click.option(
    "--xlsx",
    "xlsx",
    type=click.Path(dir_okay=False, path_type=Path),
    metavar="FICHIER",
    help="Exporte le protocole dans un classeur modifiable.",
)
@cli_import.avec_import_referentiel
@pass_ctx
def referentiel(c: Contexte, en_json: bool, xlsx: Path | None) -> None:
    """Affiche le protocole : axes, objectifs, actions et pilotes."""
    from vif38_bilan.referentiel import ecrire_xlsx, resume, vers_dict  # lazy: start-up

    p = c.protocole
    if en_json:
        click.echo(json.dumps(vers_dict(p), ensure_ascii=False, indent=2))
        return
    if xlsx:
        ecrire_xlsx(p, xlsx)
        click.echo(f"Protocole exporté dans « {xlsx} ». Modifiez-le puis utilisez-le avec --referentiel {xlsx}")
        return
    autres = c.protocoles
    if len(autres) > 1:  # vif38.toml's [protocoles]: each one, oldest first
        click.echo(f"Cet espace suit {len(autres)} protocoles : {', '.join(x.periode for x in autres)}.\n")
        click.echo("\n\n".join(f"=== Protocole {x.periode} ===\n{resume(x)}" for x in autres))
        return
    click.echo(resume(p))


# ------------------------------------------------------------------ gabarits (issue 3)


@cli.command()
@annee_option
@option_dossier(
    "--sortie",
    "Dossier des classeurs (par défaut gabarits/AAAA/ de l'espace de travail).",
)
@click.option(
    "--pilote",
    "pilotes",
    multiple=True,
    metavar="CODE",
    help="Seulement ce pilote (code, par ex. DDFE) ; répétable. Par défaut : tous les pilotes.",
)
@click.option(
    "--date-limite",
    callback=option_date,
    metavar="JJ/MM/AAAA",
    help="Date limite de retour écrite dans les classeurs (par défaut celle de vif38.toml).",
)
@pass_ctx
def gabarits(c: Contexte, annee: int, sortie: Path | None, pilotes: tuple[str, ...], date_limite) -> None:
    """Produit un classeur de collecte par pilote pour l'année AAAA."""
    e = c.espace.pour_annee(annee)  # the protocol of that year (vif38.toml's [protocoles])
    nb = len(pilotes) if pilotes else len(e.protocole.pilotes_actifs())
    with barre_progression(nb, "Classeurs") as avancer:  # settings checked first: nothing written without them
        faits = cycle.produire_gabarits(e, annee, list(pilotes) or None, date_limite, sortie, progression=avancer)
    for absente in faits.annees_sans_historique:
        click.echo(
            f"Note : colonne « Statut {absente} » laissée vide, faute de consolidation {absente} "
            f"(vif38-bilan bilan --annee {absente}, ou vif38-bilan historique --annee {absente} pour la saisir).",
            err=True,
        )
    largeur = max(len("Pilote"), *(len(g.pilote) for g in faits.lignes))
    click.echo(f"{'Pilote':<{largeur}}  Chef de file  Co-pilote  Fichier")
    for g in faits.lignes:
        click.echo(f"{g.pilote:<{largeur}}  {g.nb_chef_de_file:>12}  {g.nb_co_pilote:>9}  {g.chemin.name}")
    click.echo(
        f"{len(faits.lignes)} classeur(s) écrit(s) dans « {faits.dossier} » : {faits.actions_couvertes} action(s) sur "
        f"{faits.actions_total}, {sum(g.nb_chef_de_file for g in faits.lignes)} ligne(s) chef de file, "
        f"{sum(g.nb_co_pilote for g in faits.lignes)} ligne(s) co-pilote."
    )
    click.echo(
        f"Ensuite : vif38-bilan courriels --annee {annee} prépare un courriel par pilote, classeur joint (adresses "
        f"dans contacts.xlsx) ; déposez les retours dans saisies/{annee}/ à mesure qu'ils arrivent."
    )


# ------------------------------------------------------------------ controler (issue 4)


def _lisible(chemin: Path) -> Path:
    """A path relative to the current folder when it is inside it (shorter to read)."""
    try:
        relatif = Path(chemin).resolve().relative_to(Path.cwd().resolve())
    except ValueError:
        return Path(chemin)
    return relatif if relatif != Path(".") else Path(chemin).resolve()  # « . » says nothing to the reader


@cli.command("controler")
@annee_option
@option_dossier(
    "--saisies",
    "Dossier des classeurs reçus (par défaut saisies/AAAA/ de l'espace de travail ; sous-dossiers compris).",
)
@option_dossier(
    "--sortie",
    "Dossier du rapport et des copies annotées (par défaut sorties/AAAA/).",
)
@click.option(
    "--json", "en_json", is_flag=True, help="Écrit seulement la liste des anomalies en JSON sur la sortie standard."
)
@option_jobs
@click.pass_context
def controler_cmd(
    ctx: click.Context, annee: int, saisies: Path | None, sortie: Path | None, en_json: bool, jobs
) -> None:
    """Contrôle les classeurs reçus : rapport, copies annotées, retours manquants."""
    from vif38_bilan.controle import texte_console  # lazy: start-up

    from dataclasses import asdict


    e = ctx.obj.espace
    with barre_progression(None, "Contrôle") as avancer:
        resultat = cycle.controler_annee(e, annee, saisies, sortie, jobs, progression=avancer)
    saisies = saisies or e.dossier("saisies", annee)
    sortie = sortie or e.dossier("sorties", annee)
    rapport, copies = resultat.rapport, resultat.copies

    if en_json:
        click.echo(json.dumps([asdict(a) for a in resultat.anomalies], ensure_ascii=False, indent=2))
    else:
        click.echo(texte_console(resultat))
        if rapport:
            click.echo(f"Rapport : {_lisible(rapport)}")
        if copies:
            click.echo(f"Copies annotées ({len(copies)}) : {_lisible(sortie / DOSSIER_ANNOTES)}")
        if resultat.nb_erreurs:
            click.echo(
                f"Ensuite : vif38-bilan courriels --annee {annee} --type correction prépare pour chaque pilote concerné "
                f"sa copie annotée ; déposez les versions corrigées dans « {_lisible(saisies)} » et relancez la commande."
            )
        click.echo(f"Prochaine étape : {cycle.etat_annee(e, annee, resultat).prochaine.texte}")
    if resultat.sortie_bloquee:
        raise resultat.sortie_bloquee
    if resultat.nb_erreurs:
        ctx.exit(1)


# ------------------------------------------------------------------ bilan, historique (issue 5)


@cli.command("bilan")
@avec_bilan_protocole
@annee_option
@option_dossier(
    "--saisies",
    "Dossier des classeurs reçus (par défaut saisies/AAAA/ de l'espace de travail).",
)
@option_dossier(
    "--sortie",
    "Dossier du bilan, du classeur de consolidation et du rapport (par défaut sorties/AAAA/). "
    "Les années précédentes sont toujours lues dans sorties/ de l'espace de travail.",
)
@option_modele
@option_pdf
@click.option(
    "--presentation",
    type=click.Choice(["annexe", "protocole"]),
    default="annexe",
    show_default=True,
    help="annexe : un tableau par objectif, une ligne par action (comme le bilan précédent) ; "
    "protocole : les tableaux du protocole, une colonne par action.",
)
@click.option(
    "--date",
    "date_edition",
    callback=option_date,
    metavar="JJ/MM/AAAA",
    help="Date d'édition imprimée sur la couverture (par défaut aujourd'hui) : la même date redonne le même document.",
)
@option_jobs
@click.pass_context
def bilan_cmd(ctx: click.Context, annee: int, saisies, sortie, modele, pdf, presentation, date_edition, jobs) -> None:
    """Contrôle les retours, consolide et écrit le bilan Word de l'année AAAA."""
    e = ctx.obj.espace
    with barre_progression(len(cycle.ETAPES_BILAN), "Bilan") as avancer:
        r = cycle.produire_bilan(
            e, annee, saisies, sortie, modele=modele, presentation=presentation, date_edition=date_edition,
            jobs=jobs, pdf=pdf, progression=avancer,
        )  # fmt: skip
    if r.sortie_bloquee:
        if r.anciens:  # the blocked outputs first, then those of an earlier run left beside the new ones
            raise SortieBloquee("\n".join([str(r.sortie_bloquee), *lignes_anciens(r)])) from None
        raise r.sortie_bloquee
    click.echo(cli_import.ligne_controle(r, annee))
    for y in sorted(r.historique.sources):
        click.echo(f"Année {y} reprise de « {r.historique.sources[y]} ».")
    for a in r.historique.anomalies:
        click.echo(f"Historique ({a.gravite}) : {a.message}")
    n = len([d for d in r.donnees.desaccords if d.annee == annee]), len(r.donnees.retraits)
    if r.rapport:
        click.echo(f"Rapport de contrôle : {r.rapport}")
    click.echo(f"Classeur de consolidation : {r.consolidation}")
    click.echo(f"Bilan Word : {r.bilan}")
    click.echo(f"Points à vérifier ({n[0]} désaccord(s), {n[1]} donnée(s) personnelle(s) retirée(s)) : {r.points}")
    if r.donnees.arbitrages:
        click.echo(
            f"Arbitrages appliqués : {len(r.donnees.arbitrages)} (vif38-bilan arbitrer --annee {annee} les liste)."
        )
    for ligne in lignes_pdf(r):
        click.echo(ligne)
    if r.nb_erreurs:
        click.echo(
            f"Attention : {r.nb_erreurs} erreur(s) ; les valeurs concernées ne sont pas comptées et sont listées dans "
            "les points à vérifier. Faites corriger les classeurs (voir le rapport de contrôle), puis relancez la commande."
        )
    # Issue 23: what is missing, to correct or to arbitrate comes before any word about signing.
    etape = cycle.etat_annee(e, annee, r.resultat, r.donnees).prochaine
    click.echo(f"Prochaine étape : {etape.texte}")
    if r.nb_erreurs:
        ctx.exit(1)
    if etape.signature:
        click.echo(f"Une fois le bilan signé, figez l'année : vif38-bilan valider --annee {annee}.")


@cli.command("historique")
@cli_import.annee_facultative
@option_dossier(
    "--sortie",
    "Dossier où écrire le classeur (par défaut sorties/AAAA/, là où le bilan suivant le cherche).",
)
@click.option("--remplacer", is_flag=True, help="Remplace un classeur consolidation-AAAA.xlsx existant.")
@cli_import.avec_import_historique
@pass_ctx
def historique_cmd(c: Contexte, annee: int, sortie: Path | None, remplacer: bool) -> None:
    """Classeur à remplir à la main pour une année traitée sans vif38-bilan (par ex. 2022)."""
    p = c.espace.protocole
    chemin = cycle.produire_historique_vierge(c.espace, annee, sortie, remplacer)
    click.echo(f"Classeur historique {annee} écrit : {chemin}")
    click.echo(
        f"À remplir à partir du bilan {annee} : feuille « actions », colonnes « Statut {annee} » (liste déroulante) et "
        f"« Observations {annee} » ; feuille « indicateurs », colonne « Valeur {annee} » (nombre entier, Oui/Non ou texte). "
        "Laissez vide ce que vous ne savez pas ; ne changez ni les codes, ni les en-têtes, ni le nom du fichier."
    )
    suivante = next((a for a in p.annees if a > annee), None)
    if suivante:
        click.echo(
            f"Ensuite : vif38-bilan bilan --annee {suivante} reprendra la colonne {annee} (et signalera toute cellule illisible)."
        )


# ------------------------------------------------------------------ demo (issue 5)


@cli.command()
@click.argument("dossier", type=click.Path(file_okay=False, path_type=Path), metavar="DOSSIER", default="demo-vif38")
def demo(dossier: Path) -> None:
    """Construit un espace de démonstration complet (réponses inventées) : classeurs, contrôles, bilans 2022 et 2023."""
    from vif38_bilan.demo.demonstration import creer_demo  # lazy: start-up

    if dossier.exists() and any(dossier.iterdir()):
        raise click.UsageError(
            f"Le dossier « {dossier} » existe déjà et n'est pas vide : choisissez un autre dossier "
            f"(vif38-bilan demo AUTRE-DOSSIER) ou supprimez-le."
        )
    r = creer_demo(dossier, progression=lambda m: click.echo(f"  … {m}", err=True))
    click.echo(f"Espace de démonstration prêt dans « {dossier} » (toutes les réponses sont inventées).")
    for annee in sorted(r.bilans):
        click.echo(
            f"  {annee} : {r.erreurs[annee]} erreur(s), {r.avertissements[annee]} avertissement(s), "
            f"sans réponse : {', '.join(r.manquants[annee]) or 'aucun'}"
        )
    dernier = max(r.bilans)
    click.echo("")
    click.echo(f"À ouvrir : le bilan Word {r.bilans[dernier]}")
    click.echo(f"  - les tableaux par objectif, colonnes {', '.join(map(str, sorted(r.bilans)))} remplies ;")
    click.echo(f"  - à côté, non signé : {r.points[dernier]} (anomalies, données personnelles retirées, désaccords) ;")
    click.echo(f"  - d'où vient chaque chiffre : feuille « sources » de {r.consolidations[dernier]}")
    click.echo(f"  - ce qui est à corriger, fichier par fichier : {r.controles[dernier]}")
    click.echo(f"Ensuite : cd {dossier} puis vif38-bilan courriels --annee {dernier} --type correction")


# ------------------------------------------------------------------ regles


@cli.command()
@click.option("--json", "en_json", is_flag=True, help="Écrit le catalogue en JSON sur la sortie standard.")
def regles(en_json: bool) -> None:
    """Affiche les règles du contrôle : gravité, ce qui est relevé, ce qu'il faut faire."""
    from vif38_bilan.regles import catalogue_json, texte_catalogue  # lazy: start-up

    click.echo(json.dumps(catalogue_json(), ensure_ascii=False, indent=2) if en_json else texte_catalogue())


for _commande in (arbitrer_cmd, courriels, modele_cmd, valider_cmd, verifier_cmd, web_cmd):
    cli.add_command(_commande)


if __name__ == "__main__":  # pragma: no cover
    main()
    sys.exit(0)
