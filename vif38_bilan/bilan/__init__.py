"""Stage 6, the signed document. document (the Word bilan, whole) · corps (objectives' tables,
calendar) · chiffres_cles (key figures) · annexes (the « Méthode » annex computed from what was done, pilots without a
return, signatures) ·
textes (French wording of figures) · word (python-docx helpers) · graphique and prototypes (native Word charts; table rows copied from a blank prototype) · modele (the
agent's Word base) · pdf and pdf_uno (PDF through LibreOffice) · points_a_verifier (the agent's
working notes, beside the bilan) · fin_protocole (the end-of-protocol bilan, three years side by side) · points_chiffres (working-notes sections
about the meaning of the figures)."""

from vif38_bilan.commun.paresseux import exports

_NOMS = {
    "REPERES": "modele",
    "ecrire_modele_depart": "modele",
}

__getattr__ = exports(__name__, _NOMS)
__all__ = sorted(_NOMS)
