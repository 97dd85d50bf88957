"""Command line: parses options, calls one library function, reports in French."""

from __future__ import annotations

import json
import sys
from pathlib import Path

import click

from vif38_bilan.exceptions import Vif38Error


class Contexte:
    """Shared state: workspace config and the protocol, loaded on first use."""

    def __init__(self, referentiel: Path | None, debug: bool):
        self.referentiel_option = referentiel
        self.debug = debug
        self._config = None
        self._protocole = None

    @property
    def config(self):
        if self._config is None:
            from vif38_bilan.espace import charger_config

            self._config = charger_config(Path.cwd())
        return self._config

    @property
    def protocole(self):
        if self._protocole is None:
            from vif38_bilan.referentiel import charger_protocole

            self._protocole = charger_protocole(self.referentiel_option or self.config.referentiel)
        return self._protocole


class Groupe(click.Group):
    """Turns library errors into French messages; a traceback only with --debug."""

    def invoke(self, ctx: click.Context):
        try:
            return super().invoke(ctx)
        except Vif38Error as e:
            if ctx.obj is not None and getattr(ctx.obj, "debug", False):
                raise
            raise click.ClickException(str(e)) from None
        except (click.ClickException, click.exceptions.Exit, click.Abort, KeyboardInterrupt):
            raise
        except Exception as e:  # last resort: never a raw traceback for the agent
            if ctx.obj is not None and getattr(ctx.obj, "debug", False):
                raise
            raise click.ClickException(
                f"Erreur inattendue ({type(e).__name__} : {e}). Relancez avec --debug pour le détail "
                "et transmettez-le à l'équipe vif38-bilan."
            ) from None


pass_ctx = click.make_pass_decorator(Contexte)


@click.group(cls=Groupe, context_settings={"help_option_names": ["-h", "--help"]})
@click.option(
    "--referentiel",
    type=click.Path(dir_okay=False, path_type=Path),
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


def main() -> None:
    cli(prog_name="vif38-bilan")


def annee_option(f):
    return click.option("--annee", type=click.IntRange(2000, 2100), required=True, help="Année du bilan, par ex. 2023.")(f)


def verifier_annee(protocole, annee: int) -> None:
    if annee not in protocole.annees:
        raise click.BadParameter(
            f"{annee} n'est pas une année du protocole ({', '.join(map(str, protocole.annees))}).",
            param_hint="--annee",
        )


# ------------------------------------------------------------------ init


@cli.command()
@click.argument("dossier", type=click.Path(file_okay=False, path_type=Path))
@click.option("--service", default="DDFE de l'Isère", show_default=True, help="Nom du service coordonnateur.")
@click.option("--courriel", default="", help="Adresse de retour des classeurs.")
@click.option("--date-limite", default="", help="Date limite de retour (JJ/MM/AAAA).")
def init(dossier: Path, service: str, courriel: str, date_limite: str) -> None:
    """Crée un espace de travail (gabarits/, saisies/, sorties/, vif38.toml, contacts.xlsx)."""
    from vif38_bilan.espace import initialiser, lire_date

    if date_limite:
        try:
            lire_date(date_limite)
        except ValueError as e:
            raise click.BadParameter(str(e), param_hint="--date-limite") from None
    crees = initialiser(dossier, service=service, courriel=courriel, date_limite=date_limite)
    click.echo(f"Espace de travail prêt dans « {dossier} » ({len(crees)} élément(s) créé(s)).")
    click.echo(f"Ensuite : cd {dossier} puis vif38-bilan gabarits --annee AAAA")


# ------------------------------------------------------------------ referentiel


@cli.command()
@click.option("--json", "en_json", is_flag=True, help="Écrit tout le protocole en JSON sur la sortie standard.")
@click.option("--xlsx", "xlsx", type=click.Path(dir_okay=False, path_type=Path), help="Exporte le protocole dans un classeur modifiable.")
@pass_ctx
def referentiel(c: Contexte, en_json: bool, xlsx: Path | None) -> None:
    """Affiche le protocole : axes, objectifs, actions et pilotes."""
    from vif38_bilan.referentiel import resume, vers_dict

    p = c.protocole
    if en_json:
        click.echo(json.dumps(vers_dict(p), ensure_ascii=False, indent=2))
        return
    if xlsx:
        from vif38_bilan.referentiel_xlsx import ecrire_xlsx

        ecrire_xlsx(p, xlsx)
        click.echo(f"Protocole exporté dans « {xlsx} ». Modifiez-le puis utilisez-le avec --referentiel {xlsx}")
        return
    click.echo(resume(p))


# ------------------------------------------------------------------ gabarits (issue 3)
# ------------------------------------------------------------------ controler (issue 4)
# ------------------------------------------------------------------ bilan, historique (issue 5)
# ------------------------------------------------------------------ demo (issue 5)
# ------------------------------------------------------------------ courriels (issue 8)


if __name__ == "__main__":  # pragma: no cover
    main()
    sys.exit(0)
