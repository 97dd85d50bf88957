"""Small text helpers shared by every step (foundation: imports nothing from the package)."""

from __future__ import annotations

import unicodedata


def sans_accents(texte: str) -> str:
    """texte without diacritics ("Département" → "Departement"); case and spacing kept.

    The one accent-folding helper: matching keys (pilotes.cle), statuses (valeurs), file names
    (contacts.slug) all go through it."""
    t = unicodedata.normalize("NFKD", texte)
    return "".join(c for c in t if not unicodedata.combining(c))
