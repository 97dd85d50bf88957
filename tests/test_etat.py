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
    # Issue 23: what is missing, then what to correct, then what to arbitrate — signature comes last.
    assert etat.prochaine.page == "courriels"
    assert etat.prochaine.texte.startswith("Faire corriger 1 classeur (CAF : 1 erreur)")
    _eml(espace, "correction")
    etat = etat_annee(e, 2023, r)
    assert etat.prochaine.page == "depot" and "déposez les versions corrigées" in etat.prochaine.texte
    r.fichiers[0].etat = VALIDE  # CAF sent its corrected workbook
    r.anomalies.clear()
    texte = etat_annee(e, 2023, r).prochaine.texte
    assert "pilotes sans retour (" in texte and "Justice" in texte and texte.endswith("relancez-les.")
    _eml(espace, "relance")
    etat = etat_annee(e, 2023, r)
    assert etat.prochaine.page == "bilan" and "produisez le bilan 2023" in etat.prochaine.texte
    (espace / "sorties" / "2023" / "bilan-2023.docx").write_bytes(b"docx")
    etat = etat_annee(e, 2023, r)
    assert etat.bilan is not None and etat.prochaine.page == "depot"
    assert "--malgre-manques" in etat.prochaine.texte and "signataires" not in etat.prochaine.texte


def test_signature_apres_les_arbitrages(espace, protocole):
    from vif38_bilan.consolidation.actions import consolider

    e = etapes.ouvrir_espace(espace)
    faux_gabarits(espace, protocole)
    _eml(espace, "envoi")
    saisies = espace / "saisies" / "2023"
    saisies.mkdir(parents=True)
    (saisies / "Bilan.xlsx").write_bytes(b"x")
    actifs = [p.code for p in protocole.pilotes_actifs()]
    # Everyone answered; 1-1-2 (somme) holds two equal declarations: a probable double count.
    r = resultat(2023, [rep(code, "1-1-2", "EN COURS", [40] if code in ("DDFE", "ARS") else []) for code in actifs])
    (espace / "sorties" / "2023").mkdir(parents=True, exist_ok=True)
    (espace / "sorties" / "2023" / "bilan-2023.docx").write_bytes(b"docx")
    c = consolider(protocole, 2023, r)
    etat = etat_annee(e, 2023, r, c)
    assert etat.a_arbitrer == 1
    assert etat.prochaine.texte.startswith("Arbitrer 1 désaccord entre pilotes")
    assert etat_annee(e, 2023, r).prochaine.texte.startswith("Relire le bilan 2023")


def test_annee_traitee_sans_l_outil_mene_a_l_historique(espace, protocole):
    e = etapes.ouvrir_espace(espace)
    faux_gabarits(espace, protocole)  # 2023 is handled with the tool; 2022 was not
    etat = etat_annee(e, 2022)
    assert etat.sans_outil and etat.prochaine.page == "historique"
    assert "remplissez son classeur historique" in etat.prochaine.texte
    (espace / "sorties" / "2022").mkdir(parents=True)
    (espace / "sorties" / "2022" / "consolidation-2022.xlsx").write_bytes(b"x")
    assert "son classeur historique est en place" in etat_annee(e, 2022).prochaine.texte
