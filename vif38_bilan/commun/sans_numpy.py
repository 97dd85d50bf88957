"""openpyxl without numpy: its optional numpy support is never loaded by this tool.

openpyxl imports numpy whenever it is installed (openpyxl.compat.numbers, to accept numpy scalars
as cell values); this tool never gives it numpy values, and numpy costs ~0.1 s of CPU per run and
~40 MB of install. The finder below answers "not installed" to that one import only: numpy
imported by anything else, or already imported, is left alone.
"""

from __future__ import annotations

import sys
from typing import Any

_IMPORTEUR = "openpyxl.compat.numbers"


class _NumpyPourOpenpyxl:
    """A meta-path finder refusing `import numpy` when it comes from openpyxl's compat module."""

    def find_spec(self, nom: str, chemin: Any = None, cible: Any = None) -> None:
        """Raise ImportError for numpy asked by openpyxl.compat.numbers; None (no opinion) otherwise."""
        if nom != "numpy":
            return None
        cadre = sys._getframe(1)
        while cadre is not None:
            if cadre.f_globals.get("__name__") == _IMPORTEUR:
                raise ImportError("numpy n'est pas utilisé par vif38-bilan", name=nom)
            cadre = cadre.f_back
        return None


def installer() -> None:
    """Put the finder first on sys.meta_path, once per process."""
    if not any(isinstance(f, _NumpyPourOpenpyxl) for f in sys.meta_path):
        sys.meta_path.insert(0, _NumpyPourOpenpyxl())
