"""Stage 5, the figures of the year. actions (one record per action and year, co-pilots,
collective pilots, aggregation) · chiffres_cles (key figures year over year) · historique and
historique_chiffres (earlier years read back) · classeur and disposition (the consolidation
workbook, also next year's history) · import_word and import_word_valeurs (an earlier Word bilan → history, its figures when unambiguous)."""

from vif38_bilan.commun.paresseux import exports

_NOMS = {
    "compte_rendu_historique": "import_word",
}

__getattr__ = exports(__name__, _NOMS)
__all__ = sorted(_NOMS)
