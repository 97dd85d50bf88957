"""Small text helpers shared by every step (foundation: imports nothing from the package).

sans_accents: the one accent-folding helper. texte_propre: clean text for every output (docx,
xlsx, .eml). Pilots paste observations from Word, Outlook or another workbook: the text then
carries Windows line breaks (``\\r\\n``), lone ``\\r`` (old Mac, some mail clients), Excel's
escaped carriage return ``_x000D_`` (written literally when a workbook is saved by a tool that
does not unescape it), vertical tabs (Word's manual line break once exported), form feeds and
other control characters. A ``\\r`` written into a docx made LibreOffice drop a whole objective
table; XML 1.0 refuses the other C0 controls outright. ``texte_propre`` turns line-break-like
characters into ``\\n`` and removes the rest, so that renderers never see them.
"""

from __future__ import annotations

import math
import re
import unicodedata
from typing import Any


def sans_accents(texte: str) -> str:
    """texte without diacritics ("Département" → "Departement"); case and spacing kept.

    The one accent-folding helper: matching keys (pilotes.cle), statuses (valeurs), file names
    (contacts.slug) all go through it."""
    t = unicodedata.normalize("NFKD", texte)
    return "".join(c for c in t if not unicodedata.combining(c))


# Excel escapes characters XML cannot hold as _xHHHH_; an escaped underscore is _x005F_.
_RE_ECHAPPE = re.compile(r"_x([0-9A-Fa-f]{4})_")
_SAUTS = str.maketrans({"\r": "\n", "\v": "\n", "\f": "\n", "\x85": "\n", "\u2028": "\n", "\u2029": "\n"})
# C0 controls except \t and \n, DEL, C1 controls, BOM / zero-width no-break space, non-characters.
_RE_CONTROLES = re.compile(r"[\x00-\x08\x0e-\x1f\x7f-\x84\x86-\x9f\ufeff\ufffe\uffff\ud800-\udfff]")
_RE_ESPACES_FIN = re.compile(r"[ \t\u00a0]+\n")
_RE_LIGNES_VIDES = re.compile(r"\n{3,}")
_RE_BLANCS = re.compile(r"\s+")


def _desechapper(m: re.Match) -> str:
    code = int(m.group(1), 16)
    if code == 0x5F:
        return "_"
    if code < 0x20 or 0x7F <= code <= 0x9F:
        return chr(code)  # then normalised or removed below
    return m.group(0)  # an ordinary "_x0041_" typed by a person stays as written


def texte_propre(texte: Any, une_ligne: bool = False) -> str:
    """Text safe for docx, xlsx and e-mail: one kind of line break, no control character.

    ``\\r\\n``, lone ``\\r``, ``_x000D_``, vertical tab, form feed, NEL and the Unicode line and
    paragraph separators become ``\\n``; tabs become spaces; other control characters, the BOM and
    non-characters are removed; trailing spaces on a line and runs of more than one empty line are
    dropped. ``une_ligne=True`` folds every line break and run of spaces into one space (cells of
    one line, mail headers). ``None`` gives ``""``.
    """
    if texte is None:
        return ""
    t = texte if isinstance(texte, str) else str(texte)
    if t.isprintable() and "_x" not in t and "_X" not in t:
        # Most cells: no line break, tab, control or separator character (all non-printable),
        # nothing escaped; only the strip, and for une_ligne the runs of spaces, can change.
        return _RE_BLANCS.sub(" ", t).strip() if une_ligne else t.strip()
    if "_x" in t or "_X" in t:
        t = _RE_ECHAPPE.sub(_desechapper, t)
    t = t.replace("\r\n", "\n").translate(_SAUTS).replace("\t", " ")
    t = _RE_CONTROLES.sub("", t)
    if une_ligne:
        return _RE_BLANCS.sub(" ", t).strip()
    t = _RE_ESPACES_FIN.sub("\n", t)
    return _RE_LIGNES_VIDES.sub("\n\n", t).strip()


# Names of the invisible characters pilots paste most (web pages, Teams, PDF, Word), in French.
_NOMS_INVISIBLES = {
    "\u200b": "espace sans largeur",
    "\u200c": "anti-liant sans largeur",
    "\u200d": "liant sans largeur",
    "\u00ad": "trait d'union conditionnel",
    "\u2060": "gluon de mots",
    "\ufeff": "indicateur d'ordre des octets (BOM)",
    "\u200e": "marque de sens gauche à droite",
    "\u200f": "marque de sens droite à gauche",
}


def sans_invisibles(texte: str) -> str:
    """texte without its invisible format characters (Unicode category Cf: zero-width spaces and
    joiners, soft hyphen, word joiner, direction marks and embeddings, BOM...).

    Such characters come with text pasted from a web page, Teams or a PDF: the cell shows
    « 1200 » but holds « \u200b1200 », which no rule can read (issue 25). Fast path: a printable
    string (str.isprintable is False for every Cf character) is returned as is."""
    if texte.isprintable():
        return texte
    return "".join(c for c in texte if unicodedata.category(c) != "Cf")


def noms_invisibles(texte: str) -> list[str]:
    """French names (or U+XXXX) of the distinct invisible format characters in texte, in order."""
    noms: list[str] = []
    for c in texte:
        if unicodedata.category(c) == "Cf":
            nom = _NOMS_INVISIBLES.get(c, f"U+{ord(c):04X}")
            if nom not in noms:
                noms.append(nom)
    return noms


def a_des_controles(texte: str) -> bool:
    """True when ``texte`` holds a character ``texte_propre`` would change (other than spaces)."""
    return bool(_RE_CONTROLES.search(texte)) or any(c in texte for c in "\r\v\f\x85\u2028\u2029")


def tronquer(texte: str, maximum: int) -> str:
    """texte cut to at most ``maximum`` characters, ending with "…" when cut (trailing spaces of the
    kept part dropped).

    Args:
        texte: any text.
        maximum: the length allowed, "…" included (>= 1).
    """
    if len(texte) <= maximum:
        return texte
    return texte[: maximum - 1].rstrip() + "…"


def lignes_repliees(texte: str, caracteres_par_ligne: float) -> int:
    """How many lines a wrapped text takes in a column holding ``caracteres_par_ligne`` characters:
    each paragraph (``\\n``) takes at least one. The one estimate behind every row height (workbooks
    and Word tables), since neither LibreOffice nor python-docx fits rows of a generated file."""
    largeur = max(1.0, caracteres_par_ligne)
    return sum(max(1, math.ceil(len(p) / largeur)) for p in texte.split("\n"))


# Bidirectional controls (Unicode TR9): they reorder what follows, so "x\u202excod.xlsx" shows as
# "xxlsx.docx"; a name shown to the agent or saved on disk never keeps them.
_RE_BIDI = re.compile("[\u061c\u200e\u200f\u202a-\u202e\u2066-\u2069]")
# What may not end a cut: a joiner, a variation selector, a combining mark would be left orphaned.
_ORPHELINS = "\u200d\ufe0e\ufe0f"


def sans_bidi(texte: str) -> str:
    """texte without its bidirectional controls (U+202A-U+202E, U+2066-U+2069, marks), NFC."""
    return unicodedata.normalize("NFC", _RE_BIDI.sub("", texte))


def nom_affichable(nom: Any) -> str:
    """A (file) name safe to show: bidi controls and other control characters removed, NFC.

    The name keeps every visible character; "facture\\u202excod.xlsx" → "facturexcod.xlsx".
    """
    t = sans_bidi(str(nom if nom is not None else ""))
    return _RE_CONTROLES.sub("", t).replace("\r", "").replace("\n", " ").replace("\t", " ")


def couper_octets(texte: str, octets: int) -> str:
    """texte cut so that its UTF-8 encoding holds at most ``octets`` bytes, never inside a character
    nor leaving a joiner, a variation selector or a combining mark at the end.

    Args:
        texte: any text. octets: the byte budget (>= 0).
    Returns:
        texte itself when it fits, else its longest clean prefix.
    """
    brut = texte.encode("utf-8")
    if len(brut) <= octets:
        return texte
    coupe = brut[:octets].decode("utf-8", "ignore")
    while coupe and (coupe[-1] in _ORPHELINS or unicodedata.combining(coupe[-1])):
        coupe = coupe[:-1]
    # A base character whose combining mark was cut away would show another letter: drop it too.
    if coupe and len(coupe) < len(texte) and unicodedata.combining(texte[len(coupe)]):
        coupe = coupe[:-1]
    return coupe


# What an unexpected error is, in French (never the exception's English name on a page or in a message).
_NATURES_ERREUR = (
    (MemoryError, "mémoire insuffisante"),
    (RecursionError, "structure trop imbriquée"),
    (UnicodeError, "caractères illisibles"),
    (PermissionError, "accès refusé"),
    (FileNotFoundError, "fichier introuvable"),
    (OSError, "accès au fichier impossible"),
    (KeyError, "contenu inattendu"),
    (IndexError, "contenu inattendu"),
    (ValueError, "contenu inattendu"),
    (TypeError, "contenu inattendu"),
    (ArithmeticError, "calcul impossible"),
)


def nature_erreur(e: BaseException) -> str:
    """A French name for an unexpected error ("mémoire insuffisante", "contenu inattendu"…), for the
    messages that must say something without the exception's English class name; "erreur interne"
    otherwise (the class name and the traceback are for --debug)."""
    if type(e).__name__ == "BadZipFile":
        return "archive abîmée"
    if type(e).__name__ == "FichierRefuse":
        return "fichier refusé à l'examen de sécurité"
    return next((texte for classe, texte in _NATURES_ERREUR if isinstance(e, classe)), "erreur interne")


def de(nom: str) -> str:
    """« de » before a name, elided before a vowel or a mute h: « de Jean », « d'Odile », « d'ODILE »."""
    return f"d'{nom}" if sans_accents(nom[:1]).lower() in ("a", "e", "i", "o", "u", "y", "h") else f"de {nom}"


_LETTRES = [""] + [chr(65 + i) for i in range(26)] + [chr(65 + i) + chr(65 + j) for i in range(26) for j in range(26)]


def lettre_colonne(colonne: int) -> str:
    """A1 column letters without openpyxl: 1 → "A", 27 → "AA"."""
    if colonne < len(_LETTRES):
        return _LETTRES[colonne]
    lettres = ""
    while colonne > 0:
        colonne, reste = divmod(colonne - 1, 26)
        lettres = chr(65 + reste) + lettres
    return lettres
