"""The whole year through the public API only (vif38_bilan's re-exports), as the CLI and the web page run it."""

from __future__ import annotations

import email
from datetime import date, datetime
from email import policy

import docx
import pytest
from openpyxl import load_workbook

import vif38_bilan as v
from vif38_bilan.gabarits.remplissage import chiffres_inventes, identite_inventee, remplir_gabarit, reponses_inventees

ANNEE = 2023
MAINTENANT = datetime(2024, 1, 10, 9, 0)


def _lignes_1_1_1(document) -> list[str]:
    return [row.cells[-1].text for t in document.tables for row in t.rows if row.cells[0].text.startswith("1-1-1")]


def test_annee_complete_par_l_api(tmp_path):
    espace = v.creer_espace(tmp_path / "espace", courriel="ddfe@exemple.invalid", date_limite="15/02/2024")
    assert isinstance(espace, v.Espace) and espace.racine == (tmp_path / "espace").resolve()

    faits = v.produire_gabarits(espace, ANNEE, maintenant=MAINTENANT)
    chemins = faits.chemins
    assert faits.actions_couvertes == faits.actions_total == len(espace.protocole.actions)
    assert {li.pilote for li in faits.lignes} == {p.code for p in espace.protocole.pilotes_actifs()}
    assert len(chemins) == len(espace.protocole.pilotes_actifs())
    assert all(c.parent == espace.dossier("gabarits", ANNEE) and c.is_file() for c in chemins)

    saisies = espace.dossier("saisies", ANNEE)
    ddfe = reponses_inventees(espace.protocole, "DDFE", ANNEE)
    ddfe["1-1-1"].update(statut="EFFECTUÉE", valeurs=[123], observations="Douze sessions de formation.")
    caf = reponses_inventees(espace.protocole, "CAF", ANNEE)
    premiere = next(iter(caf))
    caf[premiere]["statut"] = ""  # an erreur the CAF must correct
    for code, reponses, nom in (("DDFE", ddfe, "Bilan DDFE.xlsx"), ("CAF", caf, "retour caf.xlsx")):
        remplir_gabarit(
            next(c for c in chemins if f"_{code}_" in c.name),
            saisies / nom,
            reponses,
            identite=identite_inventee(espace.protocole, code, ANNEE),
            modifie_le=datetime(2024, 2, 1, 9, 0),
            chiffres=chiffres_inventes(espace.protocole, code, ANNEE),
        )

    resultat = v.controler_annee(espace, ANNEE)
    assert {f.pilote for f in resultat.fichiers} == {"DDFE", "CAF"}
    assert resultat.nb_erreurs == 1
    assert "OFII" in resultat.manquants
    assert resultat.rapport == espace.dossier("sorties", ANNEE) / "controle-2023.xlsx"
    assert "Saisie" not in load_workbook(resultat.rapport).sheetnames  # a report, not a copy
    assert [c.name for c in resultat.copies] == ["retour caf.xlsx"]

    sorties = v.produire_bilan(espace, ANNEE, resultat=resultat, date_edition=date(2024, 4, 10))
    assert sorties.resultat is resultat  # the check is not run again
    document = docx.Document(str(sorties.bilan))
    assert any("Douze sessions de formation." in obs and "123" in obs for obs in _lignes_1_1_1(document))
    assert sorties.consolidation.name == "consolidation-2023.xlsx" and sorties.consolidation.is_file()

    prep = v.preparer_courriels(espace, ANNEE, "correction", resultat=resultat)
    assert [b.pilote for b in prep.brouillons] + prep.sans_adresse == ["CAF"]  # blank contacts: no address
    prep = v.preparer_courriels(espace, ANNEE, "envoi")
    assert len(prep.sans_adresse) == len(chemins)

    # 2024 reads 2023's consolidation as history.
    historique = v.lire_historique_annee(espace, 2024)
    assert 2023 in historique.sources


def test_brouillon_de_correction_porte_la_copie_annotee(tmp_path):
    from vif38_bilan.courriels.contacts import contacts_demo

    espace = v.creer_espace(tmp_path, courriel="ddfe@exemple.invalid", date_limite="15/02/2024")
    contacts_demo(espace.protocole, tmp_path / "contacts.xlsx")
    (gabarit,) = v.produire_gabarits(espace, ANNEE, pilotes=["CAF"], maintenant=MAINTENANT).chemins
    reponses = reponses_inventees(espace.protocole, "CAF", ANNEE)
    reponses[next(iter(reponses))]["statut"] = ""
    remplir_gabarit(gabarit, espace.dossier("saisies", ANNEE) / "caf.xlsx", reponses)
    resultat = v.controler_annee(espace, ANNEE)
    (b,) = v.preparer_courriels(espace, ANNEE, "correction", resultat=resultat).brouillons
    message = email.message_from_bytes(b.chemin.read_bytes(), policy=policy.default)
    (piece,) = [p for p in message.iter_attachments()]
    assert piece.get_filename() == "caf.xlsx"
    assert piece.get_content() == resultat.copies[0].read_bytes()


def test_espace_trouve_depuis_un_sous_dossier_ou_introuvable(tmp_path):
    v.creer_espace(tmp_path / "espace")
    sous = tmp_path / "espace" / "saisies" / "2023"
    sous.mkdir(parents=True)
    assert v.ouvrir_espace(sous).racine == (tmp_path / "espace").resolve()
    (tmp_path / "vide").mkdir()
    with pytest.raises(v.EspaceIntrouvable, match="vif38-bilan init"):
        v.ouvrir_espace(tmp_path / "vide")


def test_annee_hors_protocole(tmp_path):
    from vif38_bilan.exceptions import AnneeHorsProtocole

    espace = v.creer_espace(tmp_path)
    with pytest.raises(AnneeHorsProtocole, match="2019 n'est pas une année du protocole"):
        v.controler_annee(espace, 2019)
    assert not (tmp_path / "sorties" / "2019").exists()
