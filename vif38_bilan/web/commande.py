"""`vif38-bilan web`: the command that serves the page (registered by cli.py).

Imports only click here: Flask and waitress are loaded when the command runs, so that the other
commands (and `--help`) do not pay for them.
"""

from __future__ import annotations

import click


@click.command("web")
@click.option(
    "--port",
    type=click.IntRange(1024, 65535),
    default=8038,
    show_default=True,
    metavar="N",
    help="Port local de la page (de 1024 à 65535).",
)
@click.option("--sans-navigateur", is_flag=True, help="N'ouvre pas le navigateur : affiche seulement l'adresse.")
@click.pass_obj
def web_cmd(contexte, port: int, sans_navigateur: bool) -> None:
    """Ouvre la page de travail dans le navigateur (sur ce poste seulement, 127.0.0.1)."""
    import webbrowser

    from vif38_bilan.web.serveur import lancer  # lazy: start-up

    espace = contexte.espace  # EspaceIntrouvable, in French, outside a workspace
    try:
        lancer(espace, port, None if sans_navigateur else webbrowser.open, click.echo)
    except OSError as e:
        raise click.ClickException(
            f"Impossible d'ouvrir la page sur le port {port} ({e.strerror or e}) : une autre page vif38-bilan est "
            f"peut-être déjà ouverte ; fermez-la, ou choisissez un autre port (vif38-bilan web --port {port + 1})."
        ) from None
