"""Value rules of the check, as pure functions: statuses, counts, Oui/Non, personal data.

Shared by the check of the returns and the reading of the history workbooks.
"""

from __future__ import annotations

import re
from datetime import date, datetime, time
from typing import Any

from vif38_bilan.gabarits import disposition as d
from vif38_bilan.controle.donnees_personnelles import AUCUNE, exceptions_du_protocole, natures
from vif38_bilan.referentiel.statuts import normaliser_statut  # noqa: F401  (re-exported: its old home)
from vif38_bilan.commun.textes import sans_accents

EFFECTUEE = "EFFECTUÉE"


_ESPACES_MILLIERS = str.maketrans("", "", " \u00a0\u202f\u2009")
_RE_NOMBRE = re.compile(r"^[+-]?\d+(?:[.,]\d+)?$")
_RE_MILLIERS = re.compile(r"^\d{1,3}(?:[ \u00a0\u202f\u2009]\d{3})+$")
_RE_UNITE = re.compile(r"^(\d{1,3}(?:[ \u00a0\u202f\u2009]\d{3})+|\d+)\s*([^\W\d_][^\d]*)$")

_EXEMPLE = "12 et non « 12 pers. »"

# Issue 14: numbers typed as text with separators. "1 200,00" is French (1200); "1.200" and
# "1,200" may be 1 200 or 1,2 (English and French conventions disagree); "1.234.567" can only be
# thousands.
_RE_FRANCAIS = re.compile(r"^\d{1,3}(?:[ \u00a0\u202f\u2009]\d{3})+,\d+$")
_RE_AMBIGU = re.compile(r"^[1-9]\d{0,2}[.,]\d{3}$")
_RE_MILLIERS_PONCTUES = re.compile(r"^\d{1,3}(?:\.\d{3}){2,}$|^\d{1,3}(?:,\d{3}){2,}$")
# Excel stores =70*1.1 as 77.000000000000014 and shows 77: a value this close is that integer.
_TOLERANCE_ENTIER = 1e-9


def _en_francais(n: int) -> str:
    return f"{n:,}".replace(",", " ")


def _separateurs(texte: str) -> tuple[int | None, str] | None:
    """A count written with separators, or None when texte is not such a number."""
    if _RE_FRANCAIS.match(texte):
        entier, decimales = texte.rsplit(",", 1)
        return _controle_nombre(float(entier.translate(_ESPACES_MILLIERS) + "." + decimales), texte)
    if _RE_AMBIGU.match(texte):
        signe = "le point" if "." in texte else "la virgule"
        milliers = int(texte.replace(".", "").replace(",", ""))
        avant, apres = texte.replace(".", ",").split(",")
        decimal = avant + ("," + apres.rstrip("0") if apres.rstrip("0") else "")
        return None, (
            f"« {texte} » est ambigu : {signe} peut séparer les milliers ({_en_francais(milliers)}) ou les "
            f"décimales ({decimal}). Saisissez le nombre entier sans séparateur, par exemple {milliers}."
        )
    if _RE_MILLIERS_PONCTUES.match(texte):
        n = int(texte.replace(".", "").replace(",", ""))
        return n, (
            f"« {texte} » a été lu comme {_en_francais(n)} (séparateur de milliers) : saisissez le nombre sans "
            f"séparateur, par exemple {n}."
        )
    return None


def lire_entier(valeur: Any) -> tuple[int | None, str]:
    """A count: (value, "") when clean; (value, warning) when read from "12 personnes";
    (None, error message) when unusable."""
    if isinstance(valeur, bool) or isinstance(valeur, datetime | date | time):
        return None, f"Saisissez un nombre entier, sans texte : {_EXEMPLE} (la cellule contient « {court(valeur)} »)."
    if isinstance(valeur, int | float):
        return _controle_nombre(float(valeur), court(valeur))
    texte = str(valeur).strip()
    lu = _separateurs(texte)
    if lu is not None:
        return lu
    if _RE_MILLIERS.match(texte):
        return int(texte.translate(_ESPACES_MILLIERS)), ""
    if _RE_NOMBRE.match(texte):
        return _controle_nombre(float(texte.replace(",", ".")), texte)
    m = _RE_UNITE.match(texte)
    if m:
        n = int(m.group(1).translate(_ESPACES_MILLIERS))
        return n, (
            f"« {court(texte)} » a été lu comme {n} : saisissez un nombre entier, sans texte ({_EXEMPLE}) ; "
            "précisez le reste dans les observations."
        )
    return None, (
        f"« {court(texte)} » n'est pas un nombre : saisissez un nombre entier, sans texte ({_EXEMPLE}) ; "
        "si c'est une estimation, donnez le nombre et précisez-le dans les observations."
    )


def _controle_nombre(x: float, tel_quel: str) -> tuple[int | None, str]:
    if x != x or x in (float("inf"), float("-inf")):
        return None, f"Saisissez un nombre entier, sans texte : {_EXEMPLE}."
    if x < 0:
        return None, f"« {tel_quel} » est négatif : saisissez un nombre entier positif ou nul."
    if abs(x - round(x)) <= _TOLERANCE_ENTIER:
        x = float(round(x))
    if not x.is_integer():
        return None, (
            f"« {tel_quel} » n'est pas un nombre entier : saisissez un nombre entier, sans décimale "
            "(un nombre de personnes, d'actions, de places…)."
        )
    return int(x), ""


_OUI = {"oui", "o", "yes", "y", "x", "vrai", "ok"}
_NON = {"non", "n", "no", "faux"}


def lire_oui_non(valeur: Any) -> tuple[str | None, str]:
    """Oui/Non: (value, "") when exact; (value, warning) for a variant; (None, error)."""
    if isinstance(valeur, bool):
        return ("Oui" if valeur else "Non"), ""
    if isinstance(valeur, datetime | date):
        return "Oui", (
            f"Une date ({valeur:%d/%m/%Y}) a été lue comme « Oui » : choisissez Oui ou Non dans la liste et "
            "indiquez la date dans les observations."
        )
    if isinstance(valeur, int | float):
        if valeur in (0, 1):
            v = "Oui" if valeur == 1 else "Non"
            return v, f"« {valeur:g} » a été lu comme « {v} » : choisissez Oui ou Non dans la liste."
        return None, f"« {valeur:g} » n'est ni Oui ni Non : choisissez Oui ou Non dans la liste."
    texte = str(valeur).strip()
    if texte in d.OUI_NON:
        return texte, ""
    cle_ = sans_accents(texte).lower().strip(" .!")
    v = "Oui" if cle_ in _OUI else "Non" if cle_ in _NON else None
    if v is None:
        return None, (
            f"« {court(texte)} » n'est ni Oui ni Non : choisissez Oui ou Non dans la liste et mettez les précisions "
            "dans les observations."
        )
    return v, f"« {court(texte)} » a été lu comme « {v} » : choisissez Oui ou Non dans la liste."


def donnees_personnelles(texte: str, protocole: Any = None) -> list[str]:
    """Kinds of likely personal data in a free text (never the data itself); see donnees_personnelles.py.

    protocole: what it prints (authority names, switchboard numbers) is not flagged.
    """
    return natures(texte, exceptions_du_protocole(protocole) if protocole is not None else AUCUNE)


def en_texte(valeur: Any) -> str:
    if isinstance(valeur, float) and valeur.is_integer():
        return str(int(valeur))
    if isinstance(valeur, datetime):
        return f"{valeur:%d/%m/%Y}" if valeur.time() == time() else f"{valeur:%d/%m/%Y %H:%M}"
    if isinstance(valeur, date):
        return f"{valeur:%d/%m/%Y}"
    return str(valeur)


def texte_identite(valeur: Any) -> Any:
    if valeur is None:
        return ""
    if isinstance(valeur, datetime | date):
        return valeur
    return " ".join(en_texte(valeur).split())


def court(valeur: Any, n: int = 60) -> str:
    texte = " ".join(en_texte(valeur).split())
    return texte if len(texte) <= n else texte[: n - 1] + "…"
