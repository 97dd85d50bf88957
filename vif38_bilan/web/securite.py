"""The rules of a local server that holds sensitive files.

- a random token in the address printed at start, exchanged for an HttpOnly SameSite=Strict
  cookie: another user of the machine, or a web page in another tab, cannot reach the server;
- the Host header must be 127.0.0.1 or localhost: a DNS-rebinding page (evil.example resolving
  to 127.0.0.1) is refused;
- every state change is a POST carrying the CSRF token of the page (and a same-origin Origin
  header when the browser sends one);
- downloads only from the workspace's folders, never a link, a hidden file or a path outside.
"""

from __future__ import annotations

import hmac
import re
import secrets
from dataclasses import dataclass, field
from pathlib import Path

NOM_COOKIE = "vif38_session"
PARAMETRE_JETON = "jeton"
CHAMP_CSRF = "csrf"
HOTES = ("127.0.0.1", "localhost")
# Folders of the workspace whose files may be downloaded (contacts.xlsx too, at the root).
DOSSIERS_TELECHARGEABLES = ("gabarits", "saisies", "sorties")
FICHIERS_TELECHARGEABLES = ("contacts.xlsx",)

_HOTE = re.compile(r"^(?P<nom>127\.0\.0\.1|localhost)(?::(?P<port>\d{1,5}))?$", re.IGNORECASE)


@dataclass(frozen=True)
class Secrets:
    """The three random values of one server run."""

    jeton: str = field(default_factory=lambda: secrets.token_urlsafe(32))  # in the opening address
    session: str = field(default_factory=lambda: secrets.token_urlsafe(32))  # the cookie's value
    csrf: str = field(default_factory=lambda: secrets.token_urlsafe(32))  # in every form

    def jeton_valide(self, valeur: str | None) -> bool:
        return _egal(valeur, self.jeton)

    def session_valide(self, valeur: str | None) -> bool:
        return _egal(valeur, self.session)

    def csrf_valide(self, valeur: str | None) -> bool:
        return _egal(valeur, self.csrf)


def _egal(valeur: str | None, attendu: str) -> bool:
    # Constant-time comparison: the time taken says nothing about how much of the secret matched.
    return bool(valeur) and hmac.compare_digest(str(valeur).encode(), attendu.encode())


def hote_autorise(hote: str | None, port: int | None = None) -> bool:
    """True for "127.0.0.1", "localhost", with the server's port when one is given."""
    m = _HOTE.match((hote or "").strip())
    if not m:
        return False
    return port is None or m.group("port") is None or int(m.group("port")) == port


def origine_autorisee(origine: str | None, port: int | None = None) -> bool:
    """An Origin header (sent with POSTs by browsers) must be this server; absent is accepted."""
    if origine is None:
        return True
    m = re.match(r"^https?://(?P<hote>[^/]+)$", origine.strip())
    return bool(m) and hote_autorise(m.group("hote"), port)


def fichier_telechargeable(racine: Path, relatif: str) -> Path | None:
    """The file of the workspace named by relatif (a path relative to racine), or None when it
    is outside the downloadable folders, hidden, a link, or not a file."""
    if not relatif or "\x00" in relatif or "\\" in relatif:
        return None
    parties = Path(relatif).parts
    if not parties or Path(relatif).is_absolute() or any(p in ("..", ".") or p.startswith(".") for p in parties):
        return None
    if parties[0] not in DOSSIERS_TELECHARGEABLES and tuple(parties) not in [(f,) for f in FICHIERS_TELECHARGEABLES]:
        return None
    racine = racine.resolve()
    chemin = racine.joinpath(*parties)
    # No link anywhere on the way: a link inside sorties/ must not lead to a file elsewhere.
    courant = racine
    for p in parties:
        courant = courant / p
        if courant.is_symlink():
            return None
    try:
        chemin.resolve().relative_to(racine)
    except (ValueError, OSError):
        return None
    return chemin if chemin.is_file() else None


def chemin_relatif(racine: Path, chemin: Path) -> str | None:
    """chemin relative to racine, in the form fichier_telechargeable accepts (None when outside)."""
    try:
        return Path(chemin).resolve().relative_to(racine.resolve()).as_posix()
    except (ValueError, OSError):
        return None
