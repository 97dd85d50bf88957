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


def a_des_controles(texte: str) -> bool:
    """True when ``texte`` holds a character ``texte_propre`` would change (other than spaces)."""
    return bool(_RE_CONTROLES.search(texte)) or any(c in texte for c in "\r\v\f\x85\u2028\u2029")
