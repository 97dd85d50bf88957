"""French writing of figures and sizes: the one home of number formatting for every output.

Figures: thousands grouped by a no-break space, decimal comma, one decimal at most (the bilan's
figures are counts; an average or a share keeps one decimal) — « 1 234 », « 2,5 ». Sizes: Mo
(2**20 bytes) with one decimal under 10 Mo, Ko under 1 Mo, decimal comma — « 21,0 Mo » is never
written « 20.0 Mo ». Units follow an ordinary space (messages wrap there).
"""

from __future__ import annotations

import math
from typing import Any

NBSP = "\u00a0"
KO = 1024
MO = 1024 * 1024


def nombre(n: Any) -> str:
    """French writing of a figure: 1234 → "1 234", 2.5 → "2,5" (one decimal at most).

    Args:
        n: int or float (bool is not a figure and is written as text); anything else is str()-ed.
    Returns:
        The text, with a no-break space between thousands.
    """
    if isinstance(n, float) and not n.is_integer():
        if not math.isfinite(n):
            return str(n)
        return f"{n:,.1f}".replace(",", NBSP).replace(".", ",")
    if isinstance(n, int | float) and not isinstance(n, bool):
        return f"{int(n):,}".replace(",", NBSP)
    return str(n)


def taille(octets: int) -> str:
    """A file size in French: "850 Ko", "2,5 Mo", "21 Mo" (Mo = 2**20 bytes).

    Args:
        octets: size in bytes (>= 0).
    Returns:
        Whole Mo from 10 Mo up, one decimal (comma) from 1 Mo, whole Ko below.
    """
    if octets < MO:
        return f"{max(1, math.ceil(octets / KO)) if octets else 0} Ko"
    mo = octets / MO
    texte = f"{mo:.0f}" if mo >= 10 else f"{mo:.1f}".replace(".", ",")
    return f"{texte} Mo"
