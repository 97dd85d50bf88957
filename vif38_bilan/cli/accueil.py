"""The commands that open the year: init (creates a workspace, asks for its settings in a
terminal), config (prints and checks the settings); the progress bar of long commands, the
current folder and the options several commands share."""

from __future__ import annotations

import contextlib
import sys
from pathlib import Path

import click

from vif38_bilan import cycle
from vif38_bilan.cli import francais as cli_francais  # noqa: F401  (Click in French before the decorators below run)
from vif38_bilan.espace import (
    CLES_CONFIG,
    DOSSIERS,
    FICHIER_CONFIG,
    FICHIER_CONTACTS,
    SERVICE_PAR_DEFAUT,
    lire_adresse,
    lire_date,
    trouver_racine,
    verifier_reglages,
)


@contextlib.contextmanager
def barre_progression(longueur: int | None, libelle: str):
    """A progress bar on stderr in a terminal; nothing at all when the output is piped or redirected.

    Yields the function to call after each step: with no argument (one step of longueur), or with
    (steps done, total) when the total is known only once the work starts (longueur None)."""
    if not sys.stderr.isatty():
        yield lambda *_args: None
        return
    barres: list = []

    def avancer(*args) -> None:
        fait, total = args if len(args) == 2 and longueur is None else (None, longueur)
        if not barres:
            barres.append(click.progressbar(length=total or 1, label=libelle, file=sys.stderr).__enter__())
        barres[0].update(1 if fait is None else fait - barres[0].pos)

    try:
        yield avancer
    finally:
        if barres:
            barres[0].__exit__(None, None, None)


def dossier_courant() -> Path:
    """The current folder (a French error when it was deleted under the terminal)."""
    try:
        return Path.cwd().resolve()
    except OSError:
        raise click.ClickException(
            "Le dossier courant n'existe plus (supprimé ou renommé) : placez-vous dans votre espace de travail "
            "(cd MON-ESPACE) puis relancez la commande."
        ) from None


def avertir_referentiel(protocole) -> None:
    """Print the protocol file's warnings (calendar statuses normalised…) once, on stderr."""
    for message in getattr(protocole, "avertissements", ()):
        click.echo(f"Attention (référentiel) : {message}", err=True)


# ------------------------------------------------------------------ options shared by commands


option_jobs = click.option(
    "--jobs",
    type=click.IntRange(1, 256),
    metavar="N",
    help="Processus de lecture en parallèle (par défaut : automatique).",
)


def annee_option(f):
    """The required --annee AAAA option of the yearly commands."""
    return click.option(
        "--annee", type=click.IntRange(2000, 2100), required=True, metavar="AAAA", help="Année du bilan, par ex. 2023."
    )(f)


def option_date(ctx: click.Context, param: click.Parameter, valeur: str | None):
    """Click callback: JJ/MM/AAAA → date (None when empty)."""
    if not valeur:
        return None

    try:
        return lire_date(valeur)
    except ValueError as e:
        raise click.BadParameter(str(e)) from None


# ------------------------------------------------------------------ init, config


def _interactif() -> bool:
    """True when a person types the answers (questions are never asked to a script or a pipe)."""
    return sys.stdin.isatty()


def _date_limite_proposee():
    """The default deadline offered by init: 15 March after today (returns come in February-March)."""
    from datetime import date

    aujourd_hui = date.today()
    annee = aujourd_hui.year if aujourd_hui < date(aujourd_hui.year, 3, 1) else aujourd_hui.year + 1
    return date(annee, 3, 15).strftime("%d/%m/%Y")


def _demander(question: str, defaut: str, verifier) -> str:
    """Ask until verifier(answer) returns None (it returns the French reason otherwise)."""
    while True:
        reponse = click.prompt(question, default=defaut, show_default=bool(defaut), prompt_suffix=" : ").strip()
        probleme = verifier(reponse)
        if probleme is None:
            return reponse
        click.echo(f"  {probleme[0].upper()}{probleme[1:]}", err=True)


def _verifier_courriel(texte: str) -> str | None:
    if not texte:
        return "une adresse est nécessaire : les pilotes y renvoient leur classeur."
    try:
        lire_adresse(texte)
    except ValueError as e:
        return f"{e}."
    return None


def _verifier_date(texte: str) -> str | None:
    if not texte:
        return "une date est nécessaire (JJ/MM/AAAA) : elle est écrite dans les classeurs et les courriels."
    try:
        lire_date(texte)
    except ValueError as e:
        return f"{e}."
    return None


@click.command()
@click.argument("dossier", type=click.Path(file_okay=False, path_type=Path), metavar="DOSSIER")
@click.option("--service", metavar="TEXTE", help=f"Nom du service coordonnateur (par défaut : {SERVICE_PAR_DEFAUT}).")
@click.option("--courriel", metavar="ADRESSE", help="Adresse à laquelle les pilotes renvoient leur classeur.")
@click.option("--date-limite", metavar="JJ/MM/AAAA", help="Date limite de retour des classeurs.")
def init(dossier: Path, service: str | None, courriel: str | None, date_limite: str | None) -> None:
    """Crée un espace de travail (gabarits/, saisies/, sorties/, vif38.toml, contacts.xlsx).

    Dans un terminal, demande le service, l'adresse de retour et la date limite quand elles ne
    sont pas données en option.
    """
    for option, valeur, verifier in (
        ("--courriel", courriel, _verifier_courriel),
        ("--date-limite", date_limite, _verifier_date),
    ):
        if valeur:
            probleme = verifier(valeur)
            if probleme:
                raise click.BadParameter(probleme, param_hint=option)
    _refuser_espace_imbrique(dossier)
    existe = (dossier / FICHIER_CONFIG).is_file()
    if _interactif() and not existe and None in (service, courriel, date_limite):
        click.echo(f"Réglages de l'espace « {dossier} » (Entrée garde la proposition entre crochets) :")
        if service is None:
            service = _demander("Nom du service", SERVICE_PAR_DEFAUT, lambda t: None if t else "un nom est nécessaire.")
        if courriel is None:
            courriel = _demander("Adresse de retour des classeurs", "", _verifier_courriel)
        if date_limite is None:
            date_limite = _demander("Date limite de retour (JJ/MM/AAAA)", _date_limite_proposee(), _verifier_date)
    crees: list[Path] = []
    espace = cycle.creer_espace(
        dossier,
        service=service or SERVICE_PAR_DEFAUT,
        courriel=courriel or "",
        date_limite=date_limite or "",
        crees=crees,
    )
    if existe:
        click.echo(
            f"« {dossier} » est déjà un espace de travail : {len(crees)} élément(s) manquant(s) ajouté(s), rien n'a été remplacé."
        )
    else:
        click.echo(f"Espace de travail prêt dans « {dossier} » ({len(crees)} élément(s) créé(s)).")

    a_completer = verifier_reglages(espace.config)
    if a_completer:
        click.echo(f"À compléter dans « {espace.config.fichier} » avant de produire les classeurs :")
        for p in a_completer:
            click.echo(f"  - {p}")
    aller = "" if dossier.resolve() == Path.cwd().resolve() else f"cd {dossier} puis "
    click.echo(f"Ensuite : {aller}vif38-bilan gabarits --annee AAAA")


def _refuser_espace_imbrique(dossier: Path) -> None:
    """No workspace inside another one's gabarits/, saisies/ or sorties/ (saisies/2023/saisies/2023…)."""
    chemin = dossier.resolve()
    for d in chemin.parents if not chemin.exists() else (chemin, *chemin.parents):
        if d.name in DOSSIERS and trouver_racine(d.parent) == d.parent:
            raise click.ClickException(
                f"« {dossier} » est dans le dossier {d.name}/ de l'espace de travail « {d.parent} » : un espace de "
                f"travail ne se crée pas dans un autre. Lancez les commandes depuis « {d.parent} » (ou l'un de ses "
                "sous-dossiers) ; rien n'a été créé."
            )


def _fichiers_absents(conf) -> list[str]:
    """The files the settings name (referentiel, modele) that are not there, in French."""
    problemes = []
    for cle, chemin, quoi in (
        ("referentiel", conf.referentiel, "le classeur du référentiel"),
        ("modele", conf.modele, "le document Word de base du bilan"),
    ):
        if chemin is None:
            continue
        chemin = Path(chemin) if Path(chemin).is_absolute() else conf.racine / chemin
        if not chemin.is_file():
            etat = "est un dossier" if chemin.is_dir() else "est introuvable"
            problemes.append(
                f"{cle} : « {chemin} » ({quoi}) {etat} : corrigez le chemin, ou videz la ligne "
                f'({cle} = "")' + (" ; « vif38-bilan modele » crée une base." if cle == "modele" else ".")
            )
    return problemes


@click.command("config")
@click.pass_obj
def config_cmd(c) -> None:
    """Affiche les réglages de l'espace de travail (vif38.toml) et les vérifie."""
    e = c.espace
    conf = e.config
    d = conf.lus

    def lu(cle: str, texte: str | None = None) -> str:
        if cle in conf.erreurs:
            return f"« {d.get(cle)} » (illisible)"
        if texte:
            return texte
        return "(vide)" if not str(d.get(cle) or "").strip() else str(d.get(cle))

    click.echo(f"Espace de travail : {e.racine}")
    click.echo(f"Fichier de réglages : {conf.fichier or '(absent)'}")
    click.echo(f"  service      : {lu('service')}")
    click.echo(f"  courriel     : {lu('courriel')}")
    click.echo(
        f"  date_limite  : {lu('date_limite', conf.date_limite.strftime('%d/%m/%Y') if conf.date_limite else None)}"
    )
    source = conf.referentiel or c.referentiel_option
    click.echo(
        f"  referentiel  : {source or 'protocole intégré'} ({e.protocole.titre}, {', '.join(map(str, e.protocole.annees))})"
    )
    click.echo(f"  modele       : {conf.modele or '(vide : bilan sans document Word de base)'}")
    hote = (conf.smtp or {}).get("hote") or ""
    click.echo(f"  [smtp] hote  : {hote or '(vide : envoi direct non réglé, facultatif)'}")
    if conf.courriels:
        click.echo(f"  [courriels]  : {', '.join(sorted(conf.courriels))}")
    carnet = e.racine / FICHIER_CONTACTS
    click.echo(
        f"Carnet d'adresses : {carnet if carnet.is_file() else '(absent : « vif38-bilan courriels » le recréera vierge)'}"
    )

    inconnues = [k for k in d if k not in CLES_CONFIG]
    problemes = verifier_reglages(conf) + _fichiers_absents(conf)
    for k in inconnues:
        click.echo(f"Attention : réglage « {k} » inconnu, il n'est pas lu (faute de frappe ?).")
    if problemes:
        click.echo("À corriger (avant de produire les classeurs, les courriels ou le bilan) :")
        for p in problemes:
            click.echo(f"  - {p}")
        click.echo(
            f"Ensuite : ouvrez « {conf.fichier or e.racine / 'vif38.toml'} », corrigez, enregistrez, puis relancez vif38-bilan config."
        )
        raise click.exceptions.Exit(1)
    click.echo("Réglages complets.")
