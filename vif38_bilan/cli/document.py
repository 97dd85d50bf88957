"""The commands around the signed document: modele (the agent's Word base), valider, verifier."""

from __future__ import annotations

from pathlib import Path

import click

from vif38_bilan import cycle
from vif38_bilan.cli.accueil import annee_option
from vif38_bilan.espace import FICHIER_MODELE, message_introuvable, trouver_racine

# Options of `bilan` (defined here to keep cli.py short).
option_modele = click.option(
    "--modele",
    type=click.Path(exists=True, dir_okay=False, path_type=Path),
    metavar="FICHIER",
    help="Votre document Word de base (par défaut le réglage « modele » de vif38.toml) : avec des repères "
    "[[SYNTHESE]]…, tout le document est gardé et les parties du bilan vont aux repères ; sans repère, "
    "seuls ses styles, en-tête et pied de page sont gardés. Voir « vif38-bilan modele ».",
)
option_pdf = click.option(
    "--pdf", is_flag=True, help="Écrit aussi bilan-AAAA.pdf, sommaire et numéros de page à jour (demande LibreOffice)."
)


def avec_bilan_protocole(f):
    """`bilan --protocole AAAA-AAAA`: the end-of-protocol bilan instead of a year's (--annee then optional)."""
    import functools

    @functools.wraps(f)
    def commande(*args, protocole=None, **kw):
        if protocole is None:
            if kw.get("annee") is None:
                raise click.UsageError(
                    "Indiquez l'année (--annee AAAA), ou la période d'un protocole terminé (--protocole AAAA-AAAA)."
                )
            return f(*args, **kw)
        b = cycle.produire_bilan_protocole(
            click.get_current_context().obj.espace, protocole, date_edition=kw.get("date_edition")
        )
        lues = [y for y in b.protocole.annees if y in b.historique.sources]
        absentes = [y for y in b.protocole.annees if y not in b.historique.sources]
        click.echo(f"Bilan du protocole {b.protocole.periode} écrit : {b.chemin}")
        click.echo(f"Années lues : {', '.join(map(str, lues)) or 'aucune'}" + (
            f" ; sans classeur de consolidation : {', '.join(map(str, absentes))} (colonnes vides)." if absentes else "."
        ))  # fmt: skip

    for param in getattr(commande, "__click_params__", []):
        if param.name == "annee":
            param.required = False
    return click.option(
        "--protocole",
        metavar="AAAA-AAAA",
        help="Bilan de fin de protocole (par ex. 2022-2024) : un tableau par objectif, les statuts des années côte "
        "à côte, leurs observations et leurs chiffres, au lieu du bilan d'une année.",
    )(commande)


def lignes_pdf(r) -> list[str]:
    """What `bilan` says about the PDF (cycle.SortiesBilan r)."""
    lignes = [f"Bilan PDF (sommaire et numéros de page à jour) : {r.pdf}"] if r.pdf else []
    lignes += [f"Note : {r.pdf_impossible}"] if r.pdf_impossible else []
    if r.pdf_perime:
        lignes.append(f"Ancien PDF supprimé (il ne correspondait plus au bilan Word) : {r.pdf_perime}")
    return lignes + lignes_anciens(r)


def lignes_anciens(r) -> list[str]:
    """The outputs of an earlier run left beside this run's (cycle.SortiesBilan r), one line each."""
    if not r.anciens:
        return []
    tete = (
        "Attention : ces fichiers n'ont pas pu être réécrits ; ils datent d'une exécution précédente et ne "
        "correspondent pas aux autres sorties (c'est aussi noté dans les points à vérifier) :"
    )
    return [tete, *[f"  - {chemin}" for chemin in r.anciens]]


@click.command("modele")
@click.argument("fichier", type=click.Path(dir_okay=False, path_type=Path), required=False, metavar="[FICHIER]")
@click.option("--remplacer", is_flag=True, help="Remplace un fichier existant (son contenu est perdu).")
@click.pass_obj
def modele_cmd(c, fichier: Path | None, remplacer: bool) -> None:
    """Écrit un modèle Word de départ pour le bilan : à compléter une fois dans Word, gardé à chaque bilan."""
    from vif38_bilan.bilan import REPERES, ecrire_modele_depart  # lazy: python-docx, only for this command

    racine = trouver_racine(Path.cwd())
    if fichier is None and racine is None:  # its place is the workspace: never written in an unrelated folder
        raise click.ClickException(message_introuvable(Path.cwd()))
    fichier = fichier or racine / FICHIER_MODELE
    if fichier.exists() and not remplacer:
        raise click.ClickException(
            f"« {fichier} » existe déjà : il n'est pas remplacé (votre texte y est peut-être). "
            "Choisissez un autre nom, ou relancez avec --remplacer."
        )
    chemin = ecrire_modele_depart(c.protocole, fichier)
    click.echo(f"Modèle Word écrit : {chemin}")
    click.echo(
        "Ouvrez-le dans Word : remplacez les textes surlignés en jaune (introduction, bilan et perspectives), "
        "ajoutez votre logo, vos styles, vos pages. Les repères "
        f"{', '.join(f'[[{r}]]' for r in REPERES)} marquent où le bilan insère ses parties : déplacez-les, "
        "supprimez ceux dont vous ne voulez pas, mais laissez chacun seul sur sa ligne. {annee}, {service} et "
        "{date} sont remplacés à chaque bilan."
    )
    click.echo(
        f'Ensuite : écrivez modele = "{chemin.name}" dans vif38.toml (ou passez --modele {chemin.name}) ; '
        "chaque « vif38-bilan bilan » reprend alors ce document tel que vous l'avez écrit."
    )


@click.command("valider")
@annee_option
@click.option("--rouvrir", is_flag=True, help="Rouvre une année validée : ses fichiers signés sont archivés.")
@click.option(
    "--motif", default="", metavar="TEXTE", help="Avec --rouvrir : pourquoi l'année est rouverte (gardé au journal)."
)
@click.option(
    "--malgre-manques",
    "malgre_manques",
    default="",
    metavar="TEXTE",
    help="Valide une année où des pilotes n'ont pas répondu ou des erreurs restent ouvertes : dites pourquoi "
    "(gardé au journal de validation et dans les points à vérifier).",
)
@click.pass_obj
def valider_cmd(c, annee: int, rouvrir: bool, motif: str, malgre_manques: str) -> None:
    """Fige une année signée (empreintes des fichiers) ; avec --rouvrir, la rouvre en archivant les fichiers signés."""
    e = c.espace
    if rouvrir:
        if not motif.strip():
            raise click.UsageError('--rouvrir demande --motif "la raison" (elle est gardée au journal).')
        archive = cycle.rouvrir_annee(e, annee, motif)
        click.echo(f"Année {annee} rouverte. Les fichiers signés sont archivés dans « {archive} ».")
        click.echo(
            f"Ensuite : vif38-bilan bilan --annee {annee} --pdf, faites signer, puis vif38-bilan valider --annee {annee}."
        )
        return
    if motif:
        raise click.UsageError("--motif ne sert qu'avec --rouvrir.")
    if malgre_manques and not malgre_manques.strip():
        raise click.UsageError('--malgre-manques demande une raison : --malgre-manques "la raison".')
    v = cycle.valider_annee(e, annee, malgre_manques=malgre_manques)
    signes = [x for x in v.empreintes if x.role != "retour"]
    click.echo(f"Année {annee} validée le {v.date_francaise} : {len(signes)} fichier(s) signé(s) et "
               f"{len(v.empreintes) - len(signes)} retour(s) enregistrés avec leur empreinte SHA-256.")  # fmt: skip
    for x in signes:
        click.echo(f"  {x.chemin}  {x.sha256[:16]}…")
    if not v.empreinte("pdf"):
        click.echo("Note : pas de bilan PDF dans le dossier (vif38-bilan bilan --pdf le produit avant validation).")
    click.echo(
        f"Ces fichiers ne seront plus réécrits. Pour vérifier plus tard qu'ils sont intacts : vif38-bilan verifier --annee {annee}."
    )


@click.command("verifier")
@annee_option
@click.pass_context
def verifier_cmd(ctx: click.Context, annee: int) -> None:
    """Vérifie que les fichiers signés et les retours d'une année validée n'ont pas changé."""
    r = cycle.verifier_validation(ctx.obj.espace, annee)
    v = r.validation
    if not r.differences:
        click.echo(
            f"Année {annee} validée le {v.date_francaise} : les {len(v.empreintes)} fichier(s) enregistré(s) "
            "sont intacts (mêmes empreintes SHA-256)."
        )
        return
    click.echo(
        f"Année {annee} validée le {v.date_francaise} : {len(r.differences)} différence(s) avec ce qui a été signé :"
    )
    for d in r.differences:
        click.echo(f"  - {d}")
    click.echo(
        f"Remettez les fichiers signés (sauvegarde, ou sorties/{annee}/archives/ après une réouverture), ou, si le changement "
        f'est voulu, rouvrez l\'année : vif38-bilan valider --annee {annee} --rouvrir --motif "la raison".'
    )
    ctx.exit(1)
