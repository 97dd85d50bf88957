"""Click speaks English: its help headings and usage messages, in French for the agent.

Click writes its help headings through gettext with no French catalogue, and formats its usage
errors in English; importing this module translates both (process-wide, for the CLI only).
"""

from __future__ import annotations

import re

import click.core
import click.decorators
import click.formatting

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


def en_francais(message: str) -> str:
    """Click's English usage message, translated (messages not in the table are left as they are)."""
    for motif, remplacement in _TRADUCTIONS:
        message = re.sub(motif, remplacement, message)
    return message
