"""Scans XML for the declarations a hostile file uses (DOCTYPE, ENTITY), without parsing it.

securite runs this on every part of a returned archive before any parser sees it. It is a
byte-level scan on purpose: it must judge content no XML parser has accepted yet (any encoding
a parser would accept, a declaration cut across two inflated chunks), stop at the root element
without inflating the rest, and cost a few µs per part. Raises XmlDangereux; the caller names
the part in its French message.
"""

from __future__ import annotations

import codecs
import re


class XmlDangereux(Exception):
    """A DOCTYPE or ENTITY declaration, or an encoding that would hide one from this scan."""


# Forbidden declarations, lower-cased, in the encodings an XML parser may accept (a parser
# given a UTF-16 member would see "<!DOCTYPE" that a UTF-8 search misses).
_MOTIFS = tuple(m.encode(enc) for m in ("<!doctype", "<!entity") for enc in ("utf-8", "utf-16-le", "utf-16-be"))
RECOUVREMENT = max(len(m) for m in _MOTIFS) - 1


def chercher(donnees: bytes, queue: bytes) -> bytes:
    """Raise on a DOCTYPE/ENTITY declaration; returns the tail to prepend to the next chunk.

    Looks for "!" (memchr: a few µs for a whole sheet, where searching "<!" costs 20 times more),
    then only around each one for "<!doctype" / "<!entity", in UTF-8 or UTF-16, any case."""
    fenetre = queue + donnees if queue else donnees
    i = fenetre.find(b"!")
    while i >= 0:
        if fenetre[i - 1 : i] == b"<" or fenetre[i - 2 : i] in (b"<\x00", b"\x00<"):
            autour = fenetre[max(0, i - 3) : i + 2 * len("doctype") + 2].lower()
            for motif in _MOTIFS:
                if motif in autour:
                    raise XmlDangereux
        i = fenetre.find(b"!", i + 1)
    return fenetre[-RECOUVREMENT:]


# Encodings in which "<!DOCTYPE" is written as in ASCII (the scan sees it). Any other declared
# encoding (EBCDIC, UTF-7, UTF-32) would hide a declaration from the scan: Excel and LibreOffice
# only ever write UTF-8.
_RE_ENCODAGE = re.compile(rb"""^\s*<\?xml[^>]*?encoding\s*=\s*["']([^"']*)["']""")
_ENCODAGES_SURS = re.compile(r"(utf-?8|utf-?16(le|be)?|(us-)?ascii|iso[-_]?8859[-_]?\d+|latin-?\d|(windows|cp)-?125\d)")


def verifier_prologue(debut: bytes) -> None:
    if b"encoding" not in debut:
        return
    trouve = _RE_ENCODAGE.match(debut.removeprefix(b"\xef\xbb\xbf"))
    if trouve and not _ENCODAGES_SURS.fullmatch(trouve.group(1).decode("ascii", "replace").strip().lower()):
        raise XmlDangereux


def lisible_en_xml(debut: bytes) -> bool:
    """False only for content no XML parser accepts (image, VBA project, other binary)."""
    if debut[:1] == b"<":
        return True
    if debut.startswith((b"\xef\xbb\xbf", b"\xff\xfe", b"\xfe\xff")):
        return True
    corps = debut.replace(b"\x00", b"").lstrip(b" \t\r\n")
    return not corps or corps.startswith(b"<")


class Prologue:
    """Streaming scan of an XML member's prolog, up to the root element's start tag.

    Skips the XML declaration, processing instructions and comments (however long: the caller
    keeps streaming), refuses any other markup declaration there ("<!DOCTYPE", "<!ENTITY", any
    case). The bytes are decoded as the parsers do: UTF-16 from a BOM or from "<" next to a NUL
    byte, otherwise as an ASCII-compatible encoding (markup characters are ASCII in all of them)."""

    def __init__(self, debut: bytes):
        if debut.startswith((b"\xff\xfe", b"<\x00")):
            encodage = "utf-16-le"
        elif debut.startswith((b"\xfe\xff", b"\x00<")):
            encodage = "utf-16-be"
        else:
            encodage = "latin-1"
            # Declared UTF-16 on single-byte content: a parser trusting the declaration would
            # read what follows differently from this scan.
            trouve = _RE_ENCODAGE.match(debut[:256].removeprefix(b"\xef\xbb\xbf"))
            if trouve and trouve.group(1).strip().lower().replace(b"-", b"").startswith(b"utf16"):
                raise XmlDangereux
        self.decodeur = codecs.getincrementaldecoder(encodage)("replace")
        self.reste = ""  # text not yet decided (a "<" at the end of a chunk, a closing delimiter cut)
        self.fin = ""  # "?>" inside a processing instruction, "-->" inside a comment

    def lire(self, morceau: bytes) -> bool:
        """Scan the next chunk; True once the root element starts (nothing more to check)."""
        t = self.reste + self.decodeur.decode(morceau)
        i = 0
        while True:
            if self.fin:
                k = t.find(self.fin, i)
                if k < 0:
                    self.reste = t[max(i, len(t) - len(self.fin) + 1) :]
                    return False
                i = k + len(self.fin)
                self.fin = ""
            k = t.find("<", i)
            if k < 0:
                self.reste = ""
                return False
            if len(t) < k + 4:  # "<!--" must be seen whole to be told from a declaration
                self.reste = t[k:]
                return False
            c = t[k + 1]
            if c == "?":
                self.fin, i = "?>", k + 2
            elif c == "!":
                if not t.startswith("<!--", k):
                    raise XmlDangereux
                self.fin, i = "-->", k + 4
            elif c.isalpha() or c in "_:" or c > "\x7f":
                return True  # the root element's start tag
            else:
                i = k + 1  # malformed ("</", "< "): parsers reject it; keep scanning anyway
