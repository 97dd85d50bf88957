"""Lazy package-level names (PEP 562): a folder's __init__ names what the next stages use without
importing its modules until a name is asked for, so `vif38-bilan --help` loads no stage."""

from __future__ import annotations

import importlib
from collections.abc import Callable
from typing import Any


def exports(paquet: str, noms: dict[str, str]) -> Callable[[str], Any]:
    """A module-level ``__getattr__`` for package ``paquet``.

    Args:
        paquet: the package's ``__name__``.
        noms: public name → module of the package holding it ("reglages" for paquet.reglages).
    Returns:
        The function Python calls for a missing attribute; it raises AttributeError for an unknown name.
    """

    def __getattr__(nom: str) -> Any:
        if nom in noms:
            return getattr(importlib.import_module(f"{paquet}.{noms[nom]}"), nom)
        raise AttributeError(f"module {paquet!r} has no attribute {nom!r}")

    return __getattr__
