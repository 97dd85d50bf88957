"""Reading a TOML file edited by hand (Notepad): a syntax error becomes a French message that names
the file and the line, shows the line and gives the likely fix.

tomllib's messages are English ("Expected newline or end of document after a statement (at line
9, column 17)") and describe the parser, not the mistake. The mistakes seen in practice are few:
a date or a text without quotes, a missing closing quote, typographic quotes pasted from Word, a
[section] typo, a setting written twice, a space in a setting's name, a Windows path between
double quotes (TOML reads the backslash as an escape: "C:\\Users\\…" is an error, and
"C:\\temp\\new" silently holds a tab and a newline).

Windows paths are accepted as users write them: a double-quoted value that starts like an absolute
Windows path (C:\\… or \\\\server\\…) and holds a backslash not already doubled is read literally
(its backslashes doubled before parsing). Elsewhere a backslash error gets the right form: single
quotes ('Documents\\modele.docx') or forward slashes.
"""

from __future__ import annotations

import difflib
import re
import tomllib
from collections.abc import Callable
from pathlib import Path
from typing import Any

_POSITION = re.compile(r"\(at line (\d+), column (\d+)\)")
_DATE = re.compile(r"^\d{1,2}\s*[/.-]\s*\d{1,2}\s*[/.-]\s*\d{2,4}$")
_NOM = re.compile(r"^[A-Za-z0-9_-]+$")

SUITE = (
    "Ouvrez le fichier (avec le Bloc-notes par exemple), corrigez cette ligne, enregistrez, puis relancez la commande."
)


def lire_toml(
    chemin: Path, cles_connues: tuple[str, ...] = (), erreur: Callable[[str], Exception] = ValueError
) -> dict[str, Any]:
    """Parse a TOML file. When it cannot be read, raises erreur(French message: file, line, fix).
    cles_connues: the setting names, to suggest the right one for a misspelt name."""
    try:
        texte = chemin.read_bytes().decode("utf-8-sig")
    except UnicodeDecodeError:
        raise erreur(
            f"Le fichier « {chemin} » n'est pas enregistré en UTF-8 (accents illisibles). Dans le Bloc-notes : "
            "Fichier › Enregistrer sous, choisissez l'encodage « UTF-8 », enregistrez, puis relancez la commande."
        ) from None
    except OSError as e:
        raise erreur(f"Le fichier « {chemin} » ne peut pas être lu ({e.strerror or e}).") from None
    try:
        return tomllib.loads(chemins_windows(texte))
    except tomllib.TOMLDecodeError as e:
        raise erreur(expliquer(chemin, texte, e, cles_connues)) from None


# name = "C:\... or "\\server\... on one line, nothing but a comment after the closing quote.
_VALEUR_CHEMIN = re.compile(r'^(\s*[A-Za-z0-9_.-]+\s*=\s*)"((?:[A-Za-z]:\\|\\\\)[^"]*)"(\s*(?:#.*)?)$')


def chemins_windows(texte: str) -> str:
    """texte with every double-quoted Windows path written as users write it (single backslashes)
    turned into its valid TOML form (backslashes doubled); other lines unchanged."""
    lignes = texte.split("\n")
    for i, ligne in enumerate(lignes):
        m = _VALEUR_CHEMIN.match(ligne.rstrip("\r"))
        if m and "\\" in m.group(2).replace("\\\\", ""):
            valeur = m.group(2).replace("\\", "\\\\")
            lignes[i] = f'{m.group(1)}"{valeur}"{m.group(3)}' + ("\r" if ligne.endswith("\r") else "")
    return "\n".join(lignes)


def expliquer(chemin: Path | str, texte: str, erreur: Exception, cles_connues: tuple[str, ...] = ()) -> str:
    """The French message for a TOML syntax error in texte (read from chemin)."""
    lignes = texte.splitlines()
    m = _POSITION.search(str(erreur))
    numero = int(m.group(1)) if m else len(lignes)
    numero = max(1, min(numero, len(lignes) or 1))
    ligne = lignes[numero - 1] if lignes else ""
    conseil = _conseil(str(erreur), ligne, lignes[: numero - 1], cles_connues)
    return f"Le fichier « {chemin} » est mal écrit, ligne {numero} :\n    {ligne.strip()}\n{conseil}\n{SUITE}"


def _conseil(erreur: str, ligne: str, avant: list[str], cles_connues: tuple[str, ...]) -> str:
    """The likely fix, in French, from the line's content (the parser's wording is only a hint)."""
    brut = ligne.strip()
    if any(c in brut for c in "“”«»„"):
        return 'Les guillemets doivent être des guillemets droits " (pas “ ” ni « ») : retapez-les au clavier.'
    if erreur.startswith("Cannot declare"):
        return f"La section {brut} apparaît deux fois : gardez-en une seule et regroupez-y ses réglages."
    if brut.startswith("[") or (brut.endswith("]") and "=" not in brut):
        nom = brut.strip("[] ")
        return f"Une section s'écrit entre deux crochets, seule sur sa ligne, par exemple [{nom or 'smtp'}]."
    if "=" not in brut:
        return (
            'Chaque ligne de réglage s\'écrit nom = "valeur" (avec le signe =) ; une ligne de commentaire '
            "commence par #."
        )
    cle, valeur = (x.strip() for x in brut.split("=", 1))
    valeur = valeur.split(" #")[0].strip() if not valeur.startswith(('"', "'")) else valeur
    if erreur.startswith("Cannot overwrite"):
        return f"Le réglage « {cle} » est écrit deux fois : gardez une seule ligne « {cle} = … »."
    if not _NOM.match(cle):
        proche = difflib.get_close_matches(cle.lower().replace(" ", "_"), cles_connues, n=1)
        exemple = f" : écrivez « {proche[0]} »" if proche else ""
        return (
            f"Le nom de réglage « {cle} » est mal écrit{exemple} (sans espace ni accent, comme dans le modèle "
            "créé par vif38-bilan init)."
        )
    if not valeur:
        return f'La valeur manque après le signe = : écrivez-la entre guillemets, ou {cle} = "" pour la laisser vide.'
    if valeur.startswith('"') and "\\" in valeur:
        return _conseil_barres(cle, valeur.split('"')[1] if valeur.count('"') >= 2 else valeur.strip('"'))
    if valeur.count('"') % 2 == 1 or valeur.count('"') == 1:
        return (
            f"Il manque un guillemet \" : la valeur s'écrit entre deux guillemets, par exemple {cle} = "
            f'"{valeur.strip(chr(34))}".'
        )
    if valeur.startswith("'"):
        texte = valeur.strip("'")
        return f'Mettez le texte entre guillemets droits " (l\'apostrophe peut alors y figurer) : {cle} = "{texte}".'
    if _DATE.match(valeur):
        return f'Mettez la date entre guillemets : {cle} = "{valeur}".'
    if valeur.lower() in ("vrai", "faux", "oui", "non", "yes", "no", "True", "False"):
        return f"Écrivez true (oui) ou false (non), en minuscules et sans guillemets : {cle} = true."
    if re.match(r"^[+-]?\d", valeur):
        return f'Un nombre s\'écrit avec des chiffres seuls ; pour un texte, mettez-le entre guillemets : {cle} = "{valeur}".'
    return f'Mettez le texte entre guillemets : {cle} = "{valeur}".'


def _conseil_barres(cle: str, texte: str) -> str:
    """Advice for a backslash in a double-quoted value: both forms are valid TOML for texte."""
    obliques = texte.replace("\\", "/")
    if "'" in texte:
        return (
            f"Entre guillemets \", la barre oblique inverse \\ a un sens particulier : écrivez le chemin avec "
            f'des barres obliques, {cle} = "{obliques}".'
        )
    return (
        f"Entre guillemets \", la barre oblique inverse \\ a un sens particulier : écrivez le chemin entre "
        f"apostrophes, {cle} = '{texte}', ou avec des barres obliques, {cle} = \"{obliques}\"."
    )
