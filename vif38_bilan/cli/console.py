"""Console output that never fails on a code page: help and messages in French, whatever the
terminal or the redirection (a Windows console in cp1252, `vif38-bilan --help > fichier`)."""

from __future__ import annotations

import sys

_ECHANTILLON = "→«»éèàçœ’…"


def console_sure(flux: list | None = None, plateforme: str | None = None) -> None:
    """Make stdout/stderr able to print every message: a stream whose encoding cannot (cp1252 when
    the output is redirected on Windows, `| more`, ASCII...) is switched to UTF-8 when it is a file
    or a pipe or on Windows, else (a non-UTF-8 terminal) to '?' for what it cannot show.

    flux: streams to fix (default sys.stdout, sys.stderr); plateforme: sys.platform by default.
    Never raises: a stream that cannot be reconfigured is left as it is."""
    plateforme = plateforme or sys.platform
    for f in flux if flux is not None else (sys.stdout, sys.stderr):
        encodage = getattr(f, "encoding", None)
        if encodage is None or not hasattr(f, "reconfigure"):
            continue
        try:
            _ECHANTILLON.encode(encodage)
            continue
        except (UnicodeEncodeError, LookupError):
            pass
        try:
            terminal = f.isatty()
        except (OSError, ValueError):
            terminal = False
        try:
            if terminal and plateforme != "win32":
                f.reconfigure(errors="replace")
            else:
                f.reconfigure(encoding="utf-8", errors="replace")
        except (OSError, ValueError):
            pass
