"""The --importer options of `referentiel` and `historique`: a Word document in, French lines out."""

from __future__ import annotations

import functools
import sys
from pathlib import Path

import click


def option_importer(aide: str, remplacer: bool = False):
    """The --importer option (and, for `referentiel`, --remplacer)."""

    def decorer(f):
        if remplacer:
            f = click.option("--remplacer", is_flag=True, help="Avec --importer : remplace le classeur s'il existe.")(f)
        return click.option(
            "--importer", "document", type=click.Path(dir_okay=False, path_type=Path), metavar="FICHIER.docx", help=aide
        )(f)

    return decorer


annee_facultative = click.option(
    "--annee", type=click.IntRange(2000, 2100), metavar="AAAA", help="Année du classeur à remplir, par ex. 2022."
)


def ligne_controle(r, annee: int) -> str:
    """The bilan's first line: the check's counts, or the year read from its history workbook."""
    if r.annee_importee:
        return (
            f"Aucun retour dans saisies/{annee}/ : l'année {annee} est lue dans son classeur historique "
            f"« {r.consolidation} » (importé d'un bilan ou saisi à la main), qui est conservé tel quel."
        )
    res = r.resultat
    manquants = f" : {', '.join(res.manquants)}" if res.manquants else ""
    return (
        f"Contrôle : {len(res.fichiers)} fichier(s), {res.nb_erreurs} erreur(s), {res.nb_avertissements} "
        f"avertissement(s), {len(res.manquants)} retour(s) manquant(s){manquants}."
    )


AIDE_REFERENTIEL = (
    "Lit le protocole (ou, à défaut, un bilan) dans son document Word (.docx ; .odt et .doc convertis par "
    "LibreOffice) et écrit toujours le classeur du référentiel, avec une feuille « Revue » et en jaune ce qui "
    "reste à compléter (par défaut referentiel-<nom du document>.xlsx, ou --xlsx)."
)
AIDE_HISTORIQUE = "Reprend les statuts et observations d'un bilan Word antérieur, pour chaque année qu'il couvre."


def avec_import_referentiel(f):
    """`referentiel --importer DOC [--xlsx F] [--remplacer]`: read a Word document instead of showing the protocol."""

    @functools.wraps(f)
    def commande(*args, document=None, remplacer=False, **kw):
        if document is None:
            return f(*args, **kw)
        c = click.get_current_context().obj
        return importer_referentiel(c.referentiel_option, document, kw.get("xlsx"), remplacer)

    return option_importer(AIDE_REFERENTIEL, remplacer=True)(commande)


def avec_import_historique(f):
    """`historique --importer DOC`: take over an earlier bilan instead of writing a blank workbook."""

    @functools.wraps(f)
    def commande(*args, document=None, **kw):
        if document is None and kw.get("annee") is not None:
            return f(*args, **kw)
        return importer_historique(click.get_current_context().obj.espace, document, kw.get("remplacer", False))

    return option_importer(AIDE_HISTORIQUE)(commande)


def importer_referentiel(referentiel: Path | None, document: Path, xlsx: Path | None, remplacer: bool) -> None:
    from vif38_bilan.cycle import importer_referentiel_word  # lazy (this and below): the Word import is ~25 ms
    from vif38_bilan.referentiel import compte_rendu  # lazy: start-up

    click.echo("\n".join(compte_rendu(importer_referentiel_word(document, xlsx, referentiel, remplacer))))


def importer_historique(espace, document: Path | None, remplacer: bool) -> None:
    from vif38_bilan.consolidation import compte_rendu_historique  # lazy: start-up
    from vif38_bilan.cycle import importer_bilan_word  # lazy: start-up
    from vif38_bilan.regles import ERREUR  # lazy: start-up

    if document is None:
        raise click.UsageError(
            "Indiquez l'année (--annee AAAA), ou un bilan Word à reprendre (--importer FICHIER.docx)."
        )
    imp = importer_bilan_word(espace, document, remplacer)
    click.echo("\n".join(compte_rendu_historique(imp)))
    if any(a.gravite == ERREUR for a in imp.anomalies):
        sys.exit(1)
