"""When a return was saved, in true UTC, knowing which program wrote the time (issue 14, kind 2).

Excel writes the "modified" property in UTC with a "Z". LibreOffice writes the local time of the
machine that saved: without a zone in .ods (meta.xml dc:date), and in .xlsx with a "Z" that is
not UTC (docProps/core.xml). Taken at face value, a v1 saved by LibreOffice at 10:00 in Paris
looks later than a v2 saved by Excel at 10:20 (09:20Z), and the older version is kept. Local
times are read in the workspace's time zone (`fuseau` in vif38.toml, Europe/Paris by default),
and such a time is marked uncertain: the order of two versions is uncertain when reading a local
time the other way (as UTC) would swap them.
"""

from __future__ import annotations

import io
import re
import zipfile
from dataclasses import dataclass
from datetime import UTC, datetime
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

FUSEAU_PAR_DEFAUT = "Europe/Paris"


@dataclass(frozen=True)
class Horodatage:
    """A saved time: utc is naive UTC; certain is False when the program wrote local time."""

    utc: datetime
    application: str  # "Microsoft Excel", "LibreOffice", ... ("" when not stated)
    certain: bool
    brut: str  # as written in the file

    def autre_lecture(self) -> datetime:
        """The time if the written value were UTC after all (equal to utc when certain)."""
        return self.utc if self.certain else _naif(self.brut)


MESSAGE_SANS_FUSEAUX = (
    "Les fuseaux horaires manquent à cette installation de vif38-bilan (sous Windows, ils viennent du "
    "paquet Python « tzdata ») : réinstallez vif38-bilan (pip install --upgrade vif38-bilan, ou la "
    "dernière version pour Windows), ou signalez-le à l'équipe vif38-bilan."
)


def fuseau(nom: str | None) -> ZoneInfo:
    """The workspace's time zone.

    Raises ValueError with a French message: the installation's fault when no time zone at all can
    be loaded (Windows has no system zone database: the tzdata package is required there, see
    setup.cfg), the setting's when only this name is unknown."""
    try:
        return ZoneInfo(nom or FUSEAU_PAR_DEFAUT)
    except (ZoneInfoNotFoundError, ValueError):
        if not base_des_fuseaux():
            raise ValueError(MESSAGE_SANS_FUSEAUX) from None
        raise ValueError(
            f'Fuseau horaire inconnu : « {nom} » ; écrivez par exemple fuseau = "Europe/Paris" dans vif38.toml.'
        ) from None


def base_des_fuseaux() -> bool:
    """Whether any IANA time zone can be loaded (system database or the tzdata package)."""
    try:
        ZoneInfo("Etc/UTC")
    except (ZoneInfoNotFoundError, ValueError):
        return False
    return True


def horodatage(donnees: bytes, format: str, zone: ZoneInfo | None = None) -> Horodatage | None:
    """The saved time of an xlsx/xlsm/ods package, corrected to UTC; None when absent."""
    zone = zone or fuseau(None)
    try:
        with zipfile.ZipFile(io.BytesIO(donnees)) as z:
            if format == "ods":
                meta = _lire(z, "meta.xml")
                brut = _texte(meta, rb"<dc:date>([^<]*)</dc:date>")
                application = _texte(meta, rb"<meta:generator>([^<]*)</meta:generator>")
            elif format in ("xlsx", "xlsm"):
                brut = _texte(_lire(z, "docProps/core.xml"), rb"<dcterms:modified\b[^>]*>([^<]*)</dcterms:modified>")
                application = _texte(_lire(z, "docProps/app.xml"), rb"<Application>([^<]*)</Application>")
            else:
                return None
    except (zipfile.BadZipFile, KeyError, OSError, ValueError):
        return None
    return lire(brut, application, zone)


def lire(brut: str, application: str, zone: ZoneInfo) -> Horodatage | None:
    """Interpret one written time given the program that wrote it."""
    try:
        moment = _moment(brut)
    except ValueError:
        return None
    libreoffice = "libreoffice" in application.lower() or "openoffice" in application.lower()
    if moment.tzinfo is not None and not libreoffice:
        return Horodatage(moment.astimezone(UTC).replace(tzinfo=None), application, True, brut)
    # Local time: LibreOffice's "Z" included. fold=0 picks the first of an ambiguous autumn hour.
    local = moment.replace(tzinfo=zone)
    return Horodatage(local.astimezone(UTC).replace(tzinfo=None), application, False, brut)


def ordre_incertain(a: Horodatage, b: Horodatage) -> bool:
    """True when reading the local time(s) the other way would change which one is later."""
    if a.certain and b.certain:
        return False
    avant = a.utc > b.utc
    for x in (a.utc, a.autre_lecture()):
        for y in (b.utc, b.autre_lecture()):
            if (x > y) != avant:
                return True
    return False


def en_heure_locale(utc: datetime, zone: ZoneInfo) -> datetime:
    """A naive UTC time shown in the workspace's zone (for messages)."""
    return utc.replace(tzinfo=UTC).astimezone(zone).replace(tzinfo=None)


def _lire(z: zipfile.ZipFile, nom: str) -> bytes:
    info = z.getinfo(nom)
    with z.open(info) as f:
        return f.read(min(info.file_size, 1 << 20))


def _texte(xml: bytes, motif: bytes) -> str:
    m = re.search(motif, xml)
    return m.group(1).decode("utf-8", "replace").strip() if m else ""


def _moment(texte: str) -> datetime:
    t = texte.strip().replace("Z", "+00:00")
    t = re.sub(r"(\.\d{6})\d+", r"\1", t)
    if not t:
        raise ValueError("vide")
    return datetime.fromisoformat(t)


def _naif(brut: str) -> datetime:
    moment = _moment(brut)
    return moment.replace(tzinfo=None) if moment.tzinfo is None else moment.astimezone(UTC).replace(tzinfo=None)
