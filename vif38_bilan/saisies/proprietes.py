"""Package parts of a return read without calamine: the "vif38_" custom document properties and
the last-modified property (moved out of retour.py, which reads the cells)."""

from __future__ import annotations

import io
import re
import zipfile
from datetime import UTC, datetime
from typing import Any

from vif38_bilan.gabarits import disposition as d
from vif38_bilan.lecture.cellules_brutes import lire_borne as _lire_borne
from vif38_bilan.lecture.cellules_brutes import local as _local
from vif38_bilan.lecture.cellules_brutes import xml as _xml


def proprietes_personnalisees(donnees: bytes, format: str) -> dict[str, Any]:
    """The "vif38_" custom document properties (prefix removed): docProps/custom.xml for
    xlsx/xlsm, meta.xml user-defined fields for ods. Empty when absent or unreadable."""
    prefixe = d.PREFIXE_PROPRIETE
    valeurs: dict[str, Any] = {}
    try:
        with zipfile.ZipFile(io.BytesIO(donnees)) as z:
            if format == "ods":
                racine = _xml(_lire_borne(z, "meta.xml"))
                for e in racine.iter():
                    if _local(e.tag) != "user-defined":
                        continue
                    nom = next((v for k, v in e.attrib.items() if _local(k) == "name"), "")
                    if nom.startswith(prefixe):
                        valeurs[nom[len(prefixe) :]] = (e.text or "").strip()
            else:
                racine = _xml(_lire_borne(z, "docProps/custom.xml"))
                for e in racine:
                    nom = e.attrib.get("name", "")
                    if nom.startswith(prefixe):
                        valeurs[nom[len(prefixe) :]] = next(((c.text or "").strip() for c in e), "")
    except Exception:  # no such part, not a zip (xls), malformed or hostile XML: no properties
        return {}
    return valeurs


def date_modification(donnees: bytes, format: str) -> datetime | None:
    """Last-modified property: dcterms:modified (xlsx) or dc:date (ods); None otherwise."""
    if format not in ("xlsx", "xlsm", "ods"):
        return None
    try:
        with zipfile.ZipFile(io.BytesIO(donnees)) as z:
            if format == "ods":
                racine = _xml(_lire_borne(z, "meta.xml"))
                texte = next((e.text for e in racine.iter() if _local(e.tag) == "date"), None)
            else:
                racine = _xml(_lire_borne(z, "docProps/core.xml"))
                texte = next((e.text for e in racine if _local(e.tag) == "modified"), None)
    except Exception:
        return None
    return lire_horodatage(texte)


def lire_horodatage(texte: str | None) -> datetime | None:
    """ISO 8601 as written by Excel ("…Z") or LibreOffice (nanoseconds, no zone) → naive UTC."""
    if not texte:
        return None
    t = texte.strip().replace("Z", "+00:00")
    t = re.sub(r"(\.\d{6})\d+", r"\1", t)
    try:
        moment = datetime.fromisoformat(t)
    except ValueError:
        return None
    if moment.tzinfo is not None:
        moment = moment.astimezone(UTC).replace(tzinfo=None)
    return moment
