"""Stage 5, the figures of the year. actions (one record per action and year, co-pilots,
collective pilots, aggregation) · chiffres_cles (key figures year over year) · historique and
historique_chiffres (earlier years read back) · classeur and disposition (the consolidation
workbook, also next year's history) · arbitrages (the agent's decisions on disputed figures) · completude
(which expected providers a total lacks) · indicateurs (one indicator: the year's figure and its
cumul) · import_word and import_word_valeurs (an earlier Word bilan → history, its figures when unambiguous)
· import_word_referentiel (an earlier Word bilan → a referential)."""

from vif38_bilan.commun.paresseux import exports

_NOMS = {
    "compte_rendu_historique": "import_word",
}

__getattr__ = exports(__name__, _NOMS)
__all__ = sorted(_NOMS)
