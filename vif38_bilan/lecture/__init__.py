"""Foundation: reading any received file safely. examen (limits, verdicts) · examen_zip ·
examen_ole · examen_xml (hostile containers and XML before any parser) · securite (the examination of
a file) · classeur (the one way to read a workbook) · isolee and memoire_windows (reading in a child
process with memory/time limits; on Windows through a Job Object) · cellules_brutes (formula errors, merges calamine hides) · horodatage (saved
time in true UTC) · ooxml_strict (Strict Open XML) · export_csv (a CSV export instead of the
workbook) · conteneurs (what a file is: e-mail, TNEF, archive, Office document) · commentaires (the
notes, threaded comments and ODS annotations of a workbook)."""

from vif38_bilan.commun.paresseux import exports

_NOMS = {
    "TAILLE_MAX": "examen",
}

__getattr__ = exports(__name__, _NOMS)
__all__ = sorted(_NOMS)
