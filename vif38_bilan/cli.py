"""Command line: parses options, calls one library function, reports in French."""

from __future__ import annotations

import json
import sys
from pathlib import Path

import click
import click.core
import click.decorators
import click.formatting

from vif38_bilan.exceptions import Vif38Error

# Click writes its help headings through gettext with no French catalogue: the agent reads French
# only, so the few strings of our help screens are translated here (process-wide, CLI only).
_AIDE_FR = {
    "Usage:": "Utilisation :",
    "Commands": "Commandes",
    "default: {default}": "par défaut : {default}",
    "required": "obligatoire",
    "Show the version and exit.": "Affiche la version.",
    "Show this message and exit.": "Affiche cette aide.",
    "Do you want to continue?": "Continuer ?",
}
for _module in (click.core, click.formatting, click.decorators):
    _module._ = lambda message: _AIDE_FR.get(message, message)


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

    def main(self, args=None, prog_name=None, complete_var=None, standalone_mode=True, **extra):
        # Click's own prefixes ("Error:", "Usage:") are English: report in French instead.
        if not standalone_mode:
            return super().main(args, prog_name, complete_var, standalone_mode, **extra)
        try:
            rv = super().main(args, prog_name, complete_var, standalone_mode=False, **extra)
        except click.UsageError as e:
            aide = f"\nAide : {e.ctx.command_path} --help" if e.ctx is not None else ""
            click.echo(f"Erreur d'utilisation : {_en_francais(e.format_message())}{aide}", err=True)
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


# Click's usage messages, in French (the common ones; others are shown as Click writes them).
_TRADUCTIONS = [
    (r"Missing option '(.+?)'\.", r"l'option \1 est obligatoire."),
    (r"Missing argument '(.+?)'\.", r"argument manquant : \1."),
    (
        r"Invalid value for '(.+?)': (.*?) is not in the range (\d+)<=x<=(\d+)\.",
        r"valeur invalide pour \1 : \2 n'est pas entre \3 et \4.",
    ),
    (
        r"Invalid value for '(.+?)': '(.*?)' is not one of (.+)\.",
        r"valeur invalide pour \1 : « \2 » n'est pas parmi \3.",
    ),
    (
        r"Invalid value for '(.+?)': '(.*?)' is not a valid integer(?: range)?\.",
        r"valeur invalide pour \1 : « \2 » n'est pas un nombre entier.",
    ),
    (r"Did you mean '(.+?)'\?", r"Vouliez-vous dire « \1 » ?"),
    (r"\(Possible options: (.+?)\)", r"(options possibles : \1)"),
    (r"Invalid value for '(.+?)': ", r"valeur invalide pour \1 : "),
    (r"No such option:? '?([^\s'.]+)'?\.?", r"option inconnue : \1."),
    (r"No such command '(.+?)'\.", r"commande inconnue : « \1 »."),
    (r"Got unexpected extra arguments? \((.+?)\)", r"argument en trop : \1"),
    (r"Option '(.+?)' requires an argument\.", r"l'option \1 attend une valeur."),
    (r"(?:File|Path|Directory) '(.+?)' does not exist\.", r"« \1 » n'existe pas."),
]


def _en_francais(message: str) -> str:
    import re

    for motif, remplacement in _TRADUCTIONS:
        message = re.sub(motif, remplacement, message)
    return message


pass_ctx = click.make_pass_decorator(Contexte)


@click.group(cls=Groupe, context_settings={"help_option_names": ["-h", "--help"]})
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


def main() -> None:
    cli(prog_name="vif38-bilan")


def annee_option(f):
    return click.option(
        "--annee", type=click.IntRange(2000, 2100), required=True, metavar="AAAA", help="Année du bilan, par ex. 2023."
    )(f)


def option_dossier(nom: str, aide: str):
    return click.option(nom, type=click.Path(file_okay=False, path_type=Path), metavar="DOSSIER", help=aide)


def verifier_annee(protocole, annee: int) -> None:
    if annee not in protocole.annees:
        raise click.BadParameter(
            f"{annee} n'est pas une année du protocole ({', '.join(map(str, protocole.annees))}).",
            param_hint="--annee",
        )


def _option_date(ctx: click.Context, param: click.Parameter, valeur: str | None):
    """Click callback: JJ/MM/AAAA → date (None when empty)."""
    if not valeur:
        return None
    from vif38_bilan.espace import lire_date

    try:
        return lire_date(valeur)
    except ValueError as e:
        raise click.BadParameter(str(e)) from None


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
@click.option(
    "--xlsx",
    "xlsx",
    type=click.Path(dir_okay=False, path_type=Path),
    metavar="FICHIER",
    help="Exporte le protocole dans un classeur modifiable.",
)
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
    callback=_option_date,
    metavar="JJ/MM/AAAA",
    help="Date limite de retour écrite dans les classeurs (par défaut celle de vif38.toml).",
)
@pass_ctx
def gabarits(c: Contexte, annee: int, sortie: Path | None, pilotes: tuple[str, ...], date_limite) -> None:
    """Produit un classeur de collecte par pilote pour l'année AAAA."""
    from vif38_bilan.gabarits import generer_gabarits, resoudre_pilotes
    from vif38_bilan.historique import lire_historique

    p = c.protocole
    verifier_annee(p, annee)
    dossier = sortie or c.config.dossier("gabarits", annee)
    codes = resoudre_pilotes(p, list(pilotes) or None)
    historique = lire_historique(p, c.config.dossier("sorties"), annee)
    for absente in historique.annees_absentes:
        click.echo(
            f"Note : colonne « Statut {absente} » laissée vide, faute de consolidation {absente} "
            f"(vif38-bilan bilan --annee {absente}, ou vif38-bilan historique --annee {absente} pour la saisir).",
            err=True,
        )
    with click.progressbar(length=len(codes), label="Génération des classeurs", file=sys.stderr) as barre:
        faits = generer_gabarits(
            p,
            annee,
            dossier,
            pilotes=codes,
            config=c.config,
            date_limite=date_limite,
            statuts_anterieurs=historique.statuts,
            progression=lambda _code: barre.update(1),
        )
    largeur = max(len("Pilote"), *(len(g.pilote) for g in faits))
    click.echo(f"{'Pilote':<{largeur}}  Chef de file  Co-pilote  Fichier")
    for g in faits:
        click.echo(f"{g.pilote:<{largeur}}  {g.nb_chef_de_file:>12}  {g.nb_co_pilote:>9}  {g.chemin.name}")
    couvertes = {a.code for g in faits for a, _ in p.actions_du_pilote(g.pilote)}
    click.echo(
        f"{len(faits)} classeur(s) écrit(s) dans « {dossier} » : {len(couvertes)} action(s) sur {len(p.actions)}, "
        f"{sum(g.nb_chef_de_file for g in faits)} ligne(s) chef de file, "
        f"{sum(g.nb_co_pilote for g in faits)} ligne(s) co-pilote."
    )
    click.echo(f"Ensuite : envoyez chaque classeur à son pilote, puis déposez les retours dans saisies/{annee}/.")


# ------------------------------------------------------------------ controler (issue 4)


def _lisible(chemin: Path) -> Path:
    """A path relative to the current folder when it is inside it (shorter to read)."""
    try:
        return Path(chemin).resolve().relative_to(Path.cwd().resolve())
    except ValueError:
        return Path(chemin)


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
@click.option(
    "--jobs", type=click.IntRange(1, 256), help="Processus de lecture en parallèle (par défaut : automatique)."
)
@click.pass_context
def controler_cmd(
    ctx: click.Context, annee: int, saisies: Path | None, sortie: Path | None, en_json: bool, jobs
) -> None:
    """Contrôle les classeurs reçus : rapport, copies annotées, retours manquants."""
    from dataclasses import asdict

    from vif38_bilan.controle import A_CORRIGER, IGNORE, REMPLACE, VALIDE, controler
    from vif38_bilan.ecriture import SortiesIndependantes, verrou
    from vif38_bilan.historique import lire_historique
    from vif38_bilan.rapport_controle import DOSSIER_ANNOTES, ecrire_rapport, ecrire_retours_annotes

    c: Contexte = ctx.obj
    p = c.protocole
    verifier_annee(p, annee)
    saisies = saisies or c.config.dossier("saisies", annee)
    sortie = sortie or c.config.dossier("sorties", annee)
    with verrou(c.config.racine):
        historique = lire_historique(p, c.config.dossier("sorties"), annee)
        resultat = controler(p, annee, saisies, valeurs_precedentes=historique.precedentes(annee), jobs=jobs)
        # A report open in Excel must not prevent the annotated copies (and vice versa).
        sorties = SortiesIndependantes()
        rapport = sorties.essayer(ecrire_rapport, resultat, p, sortie)
        copies = sorties.essayer(ecrire_retours_annotes, resultat, saisies, sortie) or []

    if en_json:
        click.echo(json.dumps([asdict(a) for a in resultat.anomalies], ensure_ascii=False, indent=2))
    else:
        f = resultat.fichiers
        lignes = [(x.nom, x.pilote or "", x.structure or "", str(x.erreurs), str(x.avertissements), x.etat) for x in f]
        tetes = ("Fichier", "Pilote", "Structure", "Erreurs", "Avertissements", "État")
        plafonds = (40, 28, 32, 7, 14, 10)
        largeurs = [min(plafonds[k], max([len(t)] + [len(li[k]) for li in lignes])) for k, t in enumerate(tetes)]

        def rangee(valeurs) -> str:
            cases = []
            for k, v in enumerate(valeurs):
                v = v if len(v) <= largeurs[k] else v[: largeurs[k] - 1] + "…"
                cases.append(f"{v:>{largeurs[k]}}" if k in (3, 4) else f"{v:<{largeurs[k]}}")
            return "  ".join(cases).rstrip()

        click.echo(rangee(tetes))
        for li in lignes:
            click.echo(rangee(li))
        compte = {e: sum(x.etat == e for x in f) for e in (VALIDE, A_CORRIGER, REMPLACE, IGNORE)}
        click.echo(
            f"\n{len(f)} fichier(s) : {compte[VALIDE]} valide(s), {compte[A_CORRIGER]} à corriger, "
            f"{compte[REMPLACE]} remplacé(s), {compte[IGNORE]} ignoré(s) — "
            f"{resultat.nb_erreurs} erreur(s), {resultat.nb_avertissements} avertissement(s)."
        )
        if resultat.manquants:
            noms = ", ".join(resultat.manquants)
            click.echo(f"Retours manquants ({len(resultat.manquants)}) : {noms}.")
        else:
            click.echo("Aucun retour manquant.")
        if rapport:
            click.echo(f"Rapport : {_lisible(rapport)}")
        if copies:
            click.echo(f"Copies annotées ({len(copies)}) : {_lisible(sortie / DOSSIER_ANNOTES)}")
        if resultat.nb_erreurs:
            click.echo(
                "Ensuite : renvoyez à chaque pilote concerné sa copie annotée, déposez les versions corrigées dans "
                f"« {_lisible(saisies)} » et relancez la commande."
            )
    sorties.verifier()
    if resultat.nb_erreurs:
        ctx.exit(1)


# ------------------------------------------------------------------ bilan, historique (issue 5)


@cli.command("bilan")
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
@click.option(
    "--modele",
    type=click.Path(exists=True, dir_okay=False, path_type=Path),
    metavar="FICHIER",
    help="Document Word servant de base (styles, logo d'en-tête, pied de page) ; son contenu est remplacé.",
)
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
    callback=_option_date,
    metavar="JJ/MM/AAAA",
    help="Date d'édition imprimée sur la couverture (par défaut aujourd'hui) : la même date redonne le même document.",
)
@click.option(
    "--jobs", type=click.IntRange(1, 256), help="Processus de lecture en parallèle (par défaut : automatique)."
)
@click.pass_context
def bilan_cmd(ctx: click.Context, annee: int, saisies, sortie, modele, presentation: str, date_edition, jobs) -> None:
    """Contrôle les retours, consolide et écrit le bilan Word de l'année AAAA."""
    from vif38_bilan.bilan import produire_bilan
    from vif38_bilan.ecriture import verrou

    c: Contexte = ctx.obj
    p = c.protocole
    verifier_annee(p, annee)
    saisies = saisies or c.config.dossier("saisies", annee)
    with verrou(c.config.racine):
        r = produire_bilan(
            p, annee, saisies, c.config.dossier("sorties"), sortie=sortie, modele=modele,
            presentation=presentation, date_edition=date_edition, service=c.config.service, jobs=jobs,
        )  # fmt: skip
    res = r.resultat
    click.echo(
        f"Contrôle : {len(res.fichiers)} fichier(s), {res.nb_erreurs} erreur(s), {res.nb_avertissements} avertissement(s), "
        f"{len(res.manquants)} retour(s) manquant(s){' : ' + ', '.join(res.manquants) if res.manquants else ''}."
    )
    for y in sorted(r.historique.sources):
        click.echo(f"Année {y} reprise de « {r.historique.sources[y]} ».")
    for a in r.historique.anomalies:
        click.echo(f"Historique ({a.gravite}) : {a.message}")
    desaccords = [d for d in r.donnees.desaccords if d.annee == annee]
    if desaccords:
        click.echo(f"Désaccords entre pilotes ou chef de file sans statut : {len(desaccords)} (annexe 3 du bilan).")
    click.echo(f"Rapport de contrôle : {r.rapport}")
    click.echo(f"Classeur de consolidation : {r.consolidation}")
    click.echo(f"Bilan Word : {r.bilan}")
    if r.nb_erreurs:
        click.echo(
            f"Attention : {r.nb_erreurs} erreur(s) ; les valeurs concernées ne sont pas comptées et sont listées en annexe 2 "
            "du bilan. Faites corriger les classeurs (voir le rapport de contrôle), puis relancez la commande."
        )
        ctx.exit(1)
    click.echo("Ensuite : ouvrez le bilan dans Word (la table des matières se met à jour à l'ouverture) et relisez-le.")


@cli.command("historique")
@annee_option
@option_dossier(
    "--sortie",
    "Dossier où écrire le classeur (par défaut sorties/AAAA/, là où le bilan suivant le cherche).",
)
@click.option("--remplacer", is_flag=True, help="Remplace un classeur consolidation-AAAA.xlsx existant.")
@pass_ctx
def historique_cmd(c: Contexte, annee: int, sortie: Path | None, remplacer: bool) -> None:
    """Classeur à remplir à la main pour une année traitée sans vif38-bilan (par ex. 2022)."""
    from vif38_bilan.disposition_consolidation import nom_consolidation
    from vif38_bilan.ecriture import verrou
    from vif38_bilan.historique import ecrire_historique_vierge

    p = c.protocole
    verifier_annee(p, annee)
    dossier = sortie or c.config.dossier("sorties", annee)
    chemin = dossier / nom_consolidation(annee)
    if chemin.exists() and not remplacer:
        raise click.ClickException(
            f"« {chemin} » existe déjà (consolidation de {annee} ou historique déjà rempli) : il n'est pas remplacé. "
            "Pour repartir d'un classeur vierge, relancez avec --remplacer (le contenu actuel sera perdu)."
        )
    with verrou(c.config.racine):
        ecrire_historique_vierge(p, annee, chemin)
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
    from vif38_bilan.demo import creer_demo

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
    click.echo("  - les annexes : retours manquants, anomalies non résolues, désaccords entre co-pilotes ;")
    click.echo(f"  - d'où vient chaque chiffre : feuille « sources » de {r.consolidations[dernier]}")
    click.echo(f"  - ce qui est à corriger, fichier par fichier : {r.controles[dernier]}")
    click.echo(f"Ensuite : cd {dossier} puis vif38-bilan courriels --annee {dernier} --type correction")


# ------------------------------------------------------------------ courriels (issue 8)


@cli.command()
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
@pass_ctx
def courriels(c: Contexte, annee: int, type_: str, envoyer: bool, oui: bool) -> None:
    """Prépare un brouillon de courriel (.eml) par destinataire, avec le bon classeur joint."""
    import os

    from vif38_bilan import courriels as co

    verifier_annee(c.protocole, annee)
    smtp = co.parametres_smtp(c.config) if envoyer else None  # a missing [smtp] fails before any work
    prep = co.preparer_courriels(c.config, c.protocole, annee, type_)
    click.echo(co.texte_preparation(prep, c.config.racine))
    if smtp is None:
        return
    plan = co.planifier_envoi(prep)
    click.echo(co.texte_plan(plan, smtp))
    if not plan.a_envoyer:
        return
    if not oui:
        question = f"Envoyer ces {len(plan.a_envoyer)} courriel(s) maintenant ? [o/N]"
        reponse = click.prompt(question, default="n", show_default=False)
        if reponse.strip().lower() not in ("o", "oui", "y", "yes"):
            click.echo("Envoi annulé : rien n'a été envoyé.")
            raise click.exceptions.Exit(1)
    mot_de_passe = os.environ.get(co.VARIABLE_MOT_DE_PASSE)
    if smtp.utilisateur and mot_de_passe is None:
        mot_de_passe = click.prompt(f"Mot de passe de {smtp.utilisateur} sur {smtp.hote}", hide_input=True)
    resultats = co.envoyer(prep, smtp, mot_de_passe)
    click.echo(co.texte_envoi(resultats, prep.journal))
    if any(r.resultat == co.ECHEC for r in resultats):
        raise click.exceptions.Exit(1)


if __name__ == "__main__":  # pragma: no cover
    main()
    sys.exit(0)
