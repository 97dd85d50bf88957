"""Dropping received files: safe base names, byte for byte, never an overwrite (depot.py)."""

from __future__ import annotations

import pytest

from vif38_bilan.exceptions import FichierRefuse
from vif38_bilan.saisies.depot import deposer_historique, deposer_retour, nom_sur


@pytest.mark.parametrize(
    ("recu", "attendu"),
    [
        ("Bilan 2023 DDFE.xlsx", "Bilan 2023 DDFE.xlsx"),
        ("C:\\Users\\agent\\Bureau\\Bilan DDFE.xlsx", "Bilan DDFE.xlsx"),
        ("../../../etc/passwd", "passwd"),
        ("..", "retour"),
        ("", "retour"),
        (".bashrc", "bashrc"),
        ("..\\..\\.ssh\\authorized_keys", "authorized_keys"),
        ("~$Bilan.xlsx", "~$Bilan.xlsx"),  # Excel's owner file keeps its name: the check sets it aside
        ("bilan<CAF>:v2?.xlsx", "bilan_CAF__v2_.xlsx"),
        ("fin en point.xlsx.", "fin en point.xlsx"),
        ("CON.xlsx", "CON_.xlsx"),
        ("nul", "nul_"),
        ("Département – été 🌞.xlsx", "Département – été 🌞.xlsx"),
        ("e\u0301te\u0301.xlsx", "été.xlsx"),  # NFC: one name for one text
        ("a\x00b\nc.xlsx", "a_b_c.xlsx"),
        ("x" * 400 + ".xlsx", "x" * 195 + ".xlsx"),  # OCTETS_MAX bytes, the extension kept
        ("é" * 149 + ".xlsx", "é" * 97 + ".xlsx"),  # 2 bytes each: cut by bytes, not characters
        ("🌞" * 140 + ".xlsx", "🌞" * 48 + ".xlsx"),  # 4 bytes each, never cut inside one
        ("e\u0301" * 150 + ".xlsx", "é" * 97 + ".xlsx"),
        ("facture\u202excod.xlsx", "facturexcod.xlsx"),  # a right-to-left override would show "xslx.docx"
        ("\u2067bilan\u2069\u200f.xlsx", "bilan.xlsx"),
    ],
)
def test_nom_sur(recu, attendu):
    assert nom_sur(recu) == attendu


def test_deposer_octet_pour_octet_avec_suffixe(tmp_path):
    dossier = tmp_path / "saisies" / "2023"
    zips = [b"PK\x03\x04" + x for x in (b"un", b"deux", b"trois")]  # workbooks (zip), even cut short
    a = deposer_retour(dossier, "Bilan.xlsx", zips[0])
    b = deposer_retour(dossier, "Bilan.xlsx", zips[1])
    c = deposer_retour(dossier, "sous/Bilan.xlsx", zips[2])
    assert (a.chemin.name, b.chemin.name, c.chemin.name) == ("Bilan.xlsx", "Bilan (2).xlsx", "Bilan (3).xlsx")
    assert [p.read_bytes() for p in (a.chemin, b.chemin, c.chemin)] == zips
    assert (a.renomme, b.renomme, c.renomme) == (False, True, True)


def test_deposer_refuse_plus_de_20_mo(tmp_path):
    with pytest.raises(FichierRefuse, match="plus que les 20 Mo acceptés"):
        deposer_retour(tmp_path, "gros.xlsx", b"\0" * (20 * 1024 * 1024 + 1))
    assert list(tmp_path.iterdir()) == []


@pytest.mark.parametrize(
    ("contenu", "raison"),
    [
        (b"%PDF-1.7\n" + b"x" * 500, "document PDF renommé"),
        (b"{\\rtf1\\ansi texte}", "RTF"),
        (b"", "vide"),
        (b"\x89PNG\r\n\x1a\n" + b"\0" * 100, "pas un classeur"),
    ],
)
def test_deposer_refuse_ce_qui_n_est_pas_un_classeur_sans_le_copier(tmp_path, contenu, raison):
    with pytest.raises(FichierRefuse, match=raison):
        deposer_retour(tmp_path / "saisies", "Bilan CAF.xlsx", contenu)
    assert not (tmp_path / "saisies").exists() or list((tmp_path / "saisies").iterdir()) == []


def test_deposer_refuse_un_document_word_ou_une_archive_renommes(tmp_path):
    import io
    import zipfile

    from docx import Document

    word = io.BytesIO()
    Document().save(word)
    archive = io.BytesIO()
    with zipfile.ZipFile(archive, "w") as z:
        z.writestr("Bilan DDFE.xlsx", b"PK\x03\x04")
    for contenu, raison in ((word.getvalue(), "document Word renommé"), (archive.getvalue(), "archive compressée")):
        with pytest.raises(FichierRefuse, match=raison):
            deposer_retour(tmp_path / "saisies", "Bilan DDFE.xlsx", contenu)
    assert not (tmp_path / "saisies").exists() or list((tmp_path / "saisies").iterdir()) == []


def test_deposer_garde_un_export_csv(tmp_path):
    csv = "Code action;Statut;Valeur\n1-1-1;réalisée;12\n1-1-2;en cours;3\n".encode()
    d = deposer_retour(tmp_path, "Bilan CAF.csv", csv)
    assert d.chemin.read_bytes() == csv


def test_deposer_historique_garde_l_ancien_et_refuse_un_faux(tmp_path, protocole):
    from vif38_bilan.consolidation.historique import ecrire_historique_vierge

    modele = ecrire_historique_vierge(protocole, 2022, tmp_path / "modele.xlsx")
    chemin = tmp_path / "sorties" / "2022" / "consolidation-2022.xlsx"
    chemin.parent.mkdir(parents=True)
    chemin.write_bytes(b"ancien")
    _, ancien = deposer_historique(chemin, modele.read_bytes())
    assert chemin.read_bytes() == modele.read_bytes()
    assert ancien.name == "consolidation-2022 (avant dépôt 1).xlsx" and ancien.read_bytes() == b"ancien"
    with pytest.raises(FichierRefuse):
        deposer_historique(chemin, b"%PDF-1.4 pas un classeur")
    assert chemin.read_bytes() == modele.read_bytes()
