"""Click's own messages in French (usage errors, help headings, prompts).

Click writes its messages through gettext and ships no French catalogue; the agent reads French
only. Every message id of the installed Click is listed here (tests/test_cli_francais.py fails on
a Click upgrade that adds one), and the few English pieces Click builds outside gettext (quotes
around option names, number ranges, the list of choices) are rewritten with « » as well.
Process-wide: importing this module installs it (the CLI does; the library never imports it).
"""

from __future__ import annotations

import re

import click
import click.core
import click.decorators
import click.exceptions
import click.formatting
import click.parser
import click.termui
import click.types
import click.utils

MESSAGES: dict[str, str] = {
    # help screens
    "Usage:": "Utilisation :",
    # click writes the heading then ":" itself: the space gives French typography (« Options : »).
    "Options": "Options\u00a0",
    "Commands": "Commandes\u00a0",
    "Positional arguments": "Arguments",
    "default: {default}": "par défaut : {default}",
    "required": "obligatoire",
    "env var: {var}": "variable d'environnement : {var}",
    "(dynamic)": "(variable)",
    "deprecated": "obsolète",
    "Show the version and exit.": "Affiche la version.",
    "Show this message and exit.": "Affiche cette aide.",
    "%(prog)s, version %(version)s": "%(prog)s, version %(version)s",
    "Confirm the action without prompting.": "Confirme sans poser la question.",
    "Do you want to continue?": "Continuer ?",
    "?": "?",
    "d": "j",
    # usage errors
    "Missing command.": "commande manquante : choisissez une commande dans la liste ci-dessous.",
    "Missing argument": "argument manquant :",
    "Missing option": "option obligatoire manquante :",
    "Missing parameter": "paramètre manquant :",
    "Missing parameter: {param_name}": "paramètre manquant : {param_name}",
    "Missing {param_type}": "{param_type} manquant :",
    "Invalid value for {param_hint}: {message}": "valeur refusée pour {param_hint} : {message}",
    "Invalid value: {message}": "valeur refusée : {message}",
    "No such option {name!r}.": "option inconnue : « {name} ».",
    "No such command {name!r}.": "commande inconnue : « {name} ».",
    "Try '{command} {option}' for help.": "Aide : {command} {option}",
    "Error: {message}": "Erreur : {message}",
    "unknown error": "erreur inconnue",
    "Could not open file {filename!r}: {message}": "impossible d'ouvrir le fichier « {filename} » : {message}",
    "Aborted!": "Interrompu : rien d'autre n'a été fait.",
    "Value must be an iterable.": "la valeur doit être une liste.",
    "Invalid start character for option ({option})": "caractère de début d'option inattendu ({option})",
    "Option {name!r} does not take a value.": "l'option « {name} » ne prend pas de valeur.",
    "Argument {name!r} takes {nargs} values.": "l'argument « {name} » attend {nargs} valeurs.",
    "DeprecationWarning: The command {name!r} is deprecated.{extra_message}": (
        "Attention : la commande « {name} » est obsolète.{extra_message}"
    ),
    "DeprecationWarning: The {param_type} {name!r} is deprecated.{extra_message}": (
        "Attention : l'option « {name} » est obsolète.{extra_message}"
    ),
    # values
    "Choose from:\n\t{choices}": "choisissez parmi :\n\t{choices}",
    "Choice({choices})": "Choix({choices})",
    "{value} is not in the range {range}.": "{value} n'est pas accepté : la valeur doit être {range}.",
    "{value!r} is not a valid {number_type}.": "« {value} » n'est pas un nombre entier.",  # no decimal option
    "{value!r} is not a valid boolean. Recognized values: {states}": "« {value} » n'est ni oui ni non.",
    "{value!r} is not a valid UUID.": "« {value} » n'est pas un identifiant valable.",
    "file": "fichier",
    "directory": "dossier",
    "path": "chemin",
    "{name} {filename!r} is a file.": "{name} « {filename} » : c'est un fichier, il faut un dossier.",
    "{name} {filename!r} is a directory.": "{name} « {filename} » : c'est un dossier, il faut un fichier.",
    "{name} {filename!r} is not readable.": "{name} « {filename} » : lecture non autorisée.",
    "{name} {filename!r} is not writable.": "{name} « {filename} » : écriture non autorisée.",
    "{name} {filename!r} is not executable.": "{name} « {filename} » : exécution non autorisée.",
    "{name} {filename!r} does not exist.": "{name} « {filename} » : introuvable.",
    # prompts
    "Press any key to continue...": "Appuyez sur une touche pour continuer…",
    "Repeat for confirmation": "Confirmez en retapant",
    "Error: The two entered values do not match.": "Erreur : les deux saisies diffèrent.",
    "Error: invalid input": "Erreur : réponse non comprise",
    "{editor}: Editing failed": "{editor} : la modification a échoué",
    "{editor}: Editing failed: {e}": "{editor} : la modification a échoué ({e})",
    "Windows error: {error}": "erreur Windows : {error}",
    "Unknown color {colour!r}": "couleur inconnue : {colour}",
    "Unknown standard stream '{name}'": "flux standard inconnu : {name}",
    # programming errors (never seen by a user of a correct CLI; translated so nothing leaks)
    "Could not determine name for option with declarations {decls!r}": "option sans nom : {decls}",
    "No options defined but a name was passed ({name}). Did you mean to declare an argument instead? "
    "Did you mean to pass '--{name}'?": "nom sans option : {name}",
    "Arguments take exactly one parameter declaration, got {length}: {decls}.": "argument mal déclaré : {decls}",
    "Name '{name}' defined twice": "nom « {name} » déclaré deux fois",
    "Boolean option {decl!r} cannot use the same flag for true/false.": "option oui/non mal déclarée : {decl}",
    "Couldn't detect Bash version, shell completion is not supported.": "complétion indisponible pour ce shell.",
    "Shell completion is not supported for Bash versions older than 4.4.": "complétion indisponible pour ce shell.",
}

PLURIELS: dict[tuple[str, str], tuple[str, str]] = {
    ("Got unexpected extra argument ({args})", "Got unexpected extra arguments ({args})"): (
        "argument en trop : {args}",
        "arguments en trop : {args}",
    ),
    ("Takes {nargs} values but 1 was given.", "Takes {nargs} values but {len} were given."): (
        "{nargs} valeurs attendues, 1 donnée.",
        "{nargs} valeurs attendues, {len} données.",
    ),
    ("Did you mean {possibility}?", "(Did you mean one of: {possibilities}?)"): (
        "Vouliez-vous dire {possibility} ?",
        "(Vouliez-vous dire l'une de celles-ci : {possibilities} ?)",
    ),
    ("Option {name!r} requires an argument.", "Option {name!r} requires {nargs} arguments."): (
        "l'option « {name} » attend une valeur.",
        "l'option « {name} » attend {nargs} valeurs.",
    ),
    ("{value!r} is not {choice}.", "{value!r} is not one of {choices}."): (
        "« {value} » n'est pas {choice}.",
        "« {value} » n'est pas parmi {choices}.",
    ),
    ("{value!r} does not match the format {format}.", "{value!r} does not match the formats {formats}."): (
        "« {value} » ne suit pas le format {format}.",
        "« {value} » ne suit aucun des formats {formats}.",
    ),
    (
        "{len_type} values are required, but {len_value} was given.",
        "{len_type} values are required, but {len_value} were given.",
    ): ("{len_type} valeurs attendues, {len_value} donnée.", "{len_type} valeurs attendues, {len_value} données."),
}

MODULES = (
    click.core,
    click.decorators,
    click.exceptions,
    click.formatting,
    click.parser,
    click.termui,
    click.types,
    click.utils,
)


def traduire(message: str) -> str:
    """gettext replacement: the French text of one of Click's message ids."""
    return MESSAGES.get(message, message)


def traduire_pluriel(singulier: str, pluriel: str, n: int) -> str:
    """ngettext replacement."""
    fr = PLURIELS.get((singulier, pluriel))
    if fr is None:
        return singulier if n == 1 else pluriel
    return fr[0] if n == 1 else fr[1]


def guillemets(texte: str) -> str:
    """'--annee' → « --annee » (Click quotes names with Python's repr)."""
    return re.sub(r"(?<![\w])'([^']*)'", r"« \1 »", texte)


def _indices(param_hint):
    if param_hint is not None and not isinstance(param_hint, str):
        return " / ".join(f"« {x} »" for x in param_hint)
    if param_hint is None:
        return None
    return guillemets(param_hint) if "'" in param_hint or "«" in param_hint else f"« {param_hint} »"


def _possibilites(possibilites: list[str]) -> str:
    texte = ", ".join(f"« {p} »" for p in sorted(possibilites))
    return traduire_pluriel(
        "Did you mean {possibility}?", "(Did you mean one of: {possibilities}?)", len(possibilites)
    ).format(possibility=texte, possibilities=texte)


def _intervalle(self) -> str:
    """Number ranges in words: 'entre 2000 et 2100', 'au moins 1'."""
    if self.min is None:
        return f"au plus {self.max}"
    if self.max is None:
        return f"au moins {self.min}"
    return f"entre {self.min} et {self.max}"


def _choix_refuse(self, value, ctx) -> str:
    choix = ", ".join(f"« {c} »" for c in self._normalized_mapping(ctx=ctx).values())
    return traduire_pluriel(
        "{value!r} is not {choice}.", "{value!r} is not one of {choices}.", len(self.choices)
    ).format(value=value, choice=choix, choices=choix)


def installer() -> None:
    """Route Click's messages through the French catalogue (idempotent)."""
    for module in MODULES:
        if hasattr(module, "_"):
            module._ = traduire
        if hasattr(module, "ngettext"):
            module.ngettext = traduire_pluriel
    click.exceptions._join_param_hints = _indices
    if hasattr(click.exceptions, "_format_possibilities"):
        click.exceptions._format_possibilities = _possibilites
    if hasattr(click.types, "_NumberRangeBase"):
        click.types._NumberRangeBase._describe_range = _intervalle
    if hasattr(click.types.Choice, "get_invalid_choice_message"):
        click.types.Choice.get_invalid_choice_message = _choix_refuse


installer()  # importing this module is enough (the CLI does, first thing)
