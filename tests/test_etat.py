"""Where a year stands and the next thing to do (etat.py), from the workspace's folders."""

from __future__ import annotations

from tests.fabriques import rep, resultat
from tests.test_courriels import faux_gabarits

from vif38_bilan.controle.retours import A_CORRIGER, ERREUR, VALIDE, Anomalie
from vif38_bilan.cycle import MANQUANT, etat_annee
from vif38_bilan.web import etapes


def _eml(espace, type_, nom="CAF.eml"):
    d = espace / "sorties" / "2023" / "courriels" / type_
    d.mkdir(parents=True, exist_ok=True)
    (d / nom).write_text("brouillon")


def test_du_premier_jour_au_bilan(espace, protocole):
    e = etapes.ouvrir_espace(espace)
    assert etat_annee(e, 2023).prochaine.page == "gabarits"
    faits = faux_gabarits(espace, protocole)
    etat = etat_annee(e, 2023)
    assert etat.gabarits.nombre == len(faits) and etat.gabarits.date is not None
    assert etat.prochaine.page == "courriels" and "classeur" in etat.prochaine.texte
    _eml(espace, "envoi")
    assert etat_annee(e, 2023).prochaine.page == "depot"
    saisies = espace / "saisies" / "2023"
    saisies.mkdir(parents=True)
    (saisies / "Bilan CAF.xlsx").write_bytes(b"x")
    (saisies / "~$Bilan CAF.xlsx").write_bytes(b"x")  # Excel's owner file is not a return
    etat = etat_annee(e, 2023)
    assert etat.saisies.nombre == 1 and not etat.controle
    assert etat.prochaine.page == "rapport"

    # A check: CAF to correct, DDFE valid, everyone else missing.
    r = resultat(2023, [rep("CAF", "1-1-1", "EN COURS"), rep("DDFE", "1-1-1", "EFFECTUÉE")], manquants=["JUSTICE"])
    r.fichiers[0].etat = A_CORRIGER
    r.anomalies.append(
        Anomalie(r.fichiers[0].nom, "Saisie", "J8", "1-1-1", ERREUR, "« beaucoup »", "nombre_invalide", "CAF")
    )
    etat = etat_annee(e, 2023, r)
    par_code = {x.code: x for x in etat.retours}
    assert (par_code["CAF"].etat, par_code["DDFE"].etat, par_code["JUSTICE"].etat) == (A_CORRIGER, VALIDE, MANQUANT)
    assert [f.nom for f in par_code["CAF"].fichiers] == [r.fichiers[0].nom]
    assert etat.comptes == {"valide": 1, "à corriger": 1, "remplacé": 0, "ignoré": 0, MANQUANT: 1}
    assert etat.prochaine.page == "courriels" and "1 erreur(s)" in etat.prochaine.texte
    _eml(espace, "correction")
    assert "Relancer les 1 pilote(s)" in etat_annee(e, 2023, r).prochaine.texte
    _eml(espace, "relance")
    assert etat_annee(e, 2023, r).prochaine.texte.startswith("Produire le bilan 2023")
    (espace / "sorties" / "2023" / "bilan-2023.docx").write_bytes(b"docx")
    etat = etat_annee(e, 2023, r)
    assert etat.bilan is not None and etat.prochaine.texte.startswith("Relire le bilan 2023")
