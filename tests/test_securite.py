"""Hostile and broken attachments: each test builds its own file and shows it refused (or
accepted) with a French message, before any parser reads it."""

from __future__ import annotations

import os
import random
import struct
import tracemalloc
import zipfile
from pathlib import Path

import pytest
from tests.hostiles import (
    BOF_GLOBAUX,
    Entree,
    biff,
    cfb,
    classeur_simple,
    membres,
    xlsx_chiffre,
    xlsx_modifie,
    zeros_comprimes,
    zip_brut,
)

from vif38_bilan.lecture import examen

from vif38_bilan.lecture import examen_zip

from vif38_bilan.lecture import securite
from vif38_bilan.saisies.dossiers import lister_saisies
from vif38_bilan.lecture.examen import MESSAGE_MOT_DE_PASSE, Verification, nom_lisible
from vif38_bilan.exceptions import FichierRefuse
from vif38_bilan.lecture.securite import inspecter, verifier_fichier

MO = 1024 * 1024


def refus(chemin: Path, **kw) -> FichierRefuse:
    with pytest.raises(FichierRefuse) as e:
        inspecter(chemin, **kw)
    return e.value


@pytest.fixture
def normal(tmp_path) -> Path:
    return classeur_simple(tmp_path / "normal.xlsx")


# ---------------------------------------------------------------- ordinary files pass


def test_classeur_normal_accepte(normal):
    assert inspecter(normal) == Verification("xlsx", False)
    assert verifier_fichier(normal) == "xlsx"
    assert inspecter(normal).avertissements == ()


def test_format_lu_dans_le_contenu_pas_dans_le_nom(normal, tmp_path):
    renomme = tmp_path / "retour DDFE.ods"
    renomme.write_bytes(normal.read_bytes())
    assert verifier_fichier(renomme) == "xlsx"


def test_ods_accepte_et_ods_chiffre_refuse(tmp_path):
    contenu = b'<?xml version="1.0" encoding="UTF-8"?><office:document-content xmlns:office="urn:oasis:names:tc:opendocument:xmlns:office:1.0"/>'
    manifeste = b'<?xml version="1.0" encoding="UTF-8"?><manifest:manifest xmlns:manifest="urn:oasis:names:tc:opendocument:xmlns:manifest:1.0"><manifest:file-entry manifest:full-path="content.xml"/></manifest:manifest>'
    ods = [
        Entree("mimetype", b"application/vnd.oasis.opendocument.spreadsheet", methode=zipfile.ZIP_STORED),
        Entree("content.xml", contenu),
        Entree("META-INF/manifest.xml", manifeste),
    ]
    assert inspecter(zip_brut(tmp_path / "a.ods", ods)) == Verification("ods", False)
    avec_macros = ods + [Entree("Basic/Standard/Module1.xml", b"<script/>")]
    assert inspecter(zip_brut(tmp_path / "m.ods", avec_macros)) == Verification("ods", True)

    # OpenOffice.org's manifest declared its DTD by public identifier: harmless, accepted;
    # the same declaration carrying entities is refused.
    ancien = b'<!DOCTYPE manifest:manifest PUBLIC "-//OpenOffice.org//DTD Manifest 1.0//EN" "Manifest.dtd">'
    legacy = ods[:2] + [Entree("META-INF/manifest.xml", manifeste.replace(b"?>", b"?>" + ancien, 1))]
    assert inspecter(zip_brut(tmp_path / "ooo.ods", legacy)).format == "ods"
    piege = ancien.replace(b">", b' [<!ENTITY a "b">]>')
    legacy = ods[:2] + [Entree("META-INF/manifest.xml", manifeste.replace(b"?>", b"?>" + piege, 1))]
    assert refus(zip_brut(tmp_path / "ooo2.ods", legacy)).regle == "xml_dangereux"
    contenu_doctype = [ods[0], Entree("content.xml", contenu.replace(b"?>", b"?>" + ancien, 1)), ods[2]]
    assert refus(zip_brut(tmp_path / "ooo3.ods", contenu_doctype)).regle == "xml_dangereux"

    chiffre = ods[:2] + [
        Entree(
            "META-INF/manifest.xml", manifeste.replace(b"/>", b"><manifest:encryption-data/></manifest:file-entry>", 1)
        )
    ]
    assert str(refus(zip_brut(tmp_path / "c.ods", chiffre))) == MESSAGE_MOT_DE_PASSE


def test_xlsm_accepte_avec_avertissement_macros(normal, tmp_path):
    m = membres(normal)
    types = m["[Content_Types].xml"].replace(
        b"application/vnd.openxmlformats-officedocument.spreadsheetml.sheet.main+xml",
        b"application/vnd.ms-excel.sheet.macroEnabled.main+xml",
    )
    vba = cfb(tmp_path / "vba.bin", {"dir": b"\x01" * 100, "Module1": b'Sub Auto_Open()\r\nShell "calc"\r\nEnd Sub'})
    xlsm = xlsx_modifie(
        normal,
        tmp_path / "retour.xlsm",
        {"[Content_Types].xml": types},
        [Entree("xl/vbaProject.bin", vba.read_bytes())],
    )
    v = inspecter(xlsm)
    assert v == Verification("xlsm", True)
    assert v.avertissements == (examen.MESSAGE_MACROS,)
    assert "jamais exécutées" in v.avertissements[0]


def test_xlsx_avec_feuille_macro_excel4_signale(normal, tmp_path):
    xlsm = xlsx_modifie(normal, tmp_path / "r.xlsx", ajouter=[Entree("xl/macrosheets/sheet1.xml", b"<xm:macrosheet/>")])
    assert inspecter(xlsm).macros


# ---------------------------------------------------------------- not a spreadsheet


def test_fichier_vide(tmp_path):
    vide = tmp_path / "vide.xlsx"
    vide.write_bytes(b"")
    e = refus(vide)
    assert e.regle == "fichier_vide"
    assert str(e).startswith("Le fichier est vide (0 octet) : demandez au pilote de renvoyer")


def test_trop_gros_refuse_sans_etre_lu(tmp_path):
    gros = tmp_path / "gros.xlsx"
    with open(gros, "wb") as f:
        f.truncate(21 * MO)  # sparse: nothing to read, the size alone refuses it
    e = refus(gros)
    assert e.regle == "fichier_trop_gros"
    assert str(e) == (
        "Le fichier pèse 21 Mo, au-delà de la limite de 20 Mo : demandez au pilote de renvoyer le classeur seul, "
        "sans images, pièces jointes ni onglets ajoutés."
    )


def test_limite_de_taille_reglable(normal):
    assert refus(normal, taille_max=1000).regle == "fichier_trop_gros"


def test_octets_au_hasard(tmp_path):
    f = tmp_path / "hasard.xlsx"
    f.write_bytes(random.Random(6).randbytes(5000))
    e = refus(f)
    assert e.regle == "pas_un_classeur"
    assert "n'est pas un classeur Excel ou LibreOffice" in str(e)


@pytest.mark.parametrize(
    ("debut", "attendu"),
    [
        (b"%PDF-1.7\n%\xe2\xe3\xcf\xd3\n1 0 obj", "document PDF renommé"),
        (b"{\\rtf1\\ansi\\deff0 bonjour}", "document texte (RTF)"),
        (b"<html><body><table><tr><td>12</td></tr></table></body></html>", "page web (HTML)"),
        (
            b'<?xml version="1.0"?><Workbook xmlns="urn:schemas-microsoft-com:office:spreadsheet"/>',
            "Feuille de calcul XML 2003",
        ),
        (b"\x89PNG\r\n\x1a\n" + bytes(40), "une image renommée"),
        (b"PK\x05\x06" + bytes(18), "archive ZIP vide"),
    ],
)
def test_autres_formats_nommes(tmp_path, debut, attendu):
    f = tmp_path / "retour.xlsx"
    f.write_bytes(debut)
    e = refus(f)
    assert e.regle == "pas_un_classeur"
    assert attendu in str(e)


def test_document_word_renomme(tmp_path):
    from docx import Document

    doc = Document()
    doc.add_paragraph("Bilan 2023 : voir tableau")
    doc.save(tmp_path / "bilan.docx")
    renomme = tmp_path / "bilan.xlsx"
    renomme.write_bytes((tmp_path / "bilan.docx").read_bytes())
    e = refus(renomme)
    assert e.regle == "pas_un_classeur"
    assert str(e).startswith("Ce n'est pas un classeur Excel, c'est un document Word renommé : demandez au pilote")


def test_autres_documents_zip(tmp_path):
    odt = zip_brut(
        tmp_path / "a.xlsx",
        [Entree("mimetype", b"application/vnd.oasis.opendocument.text", methode=0), Entree("content.xml", b"<x/>")],
    )
    assert "document texte LibreOffice (Writer)" in str(refus(odt))
    archive = zip_brut(tmp_path / "b.xlsx", [Entree("retour.xlsx", b"PK...")])
    assert "archive compressée (ZIP)" in str(refus(archive))
    xlsb = zip_brut(
        tmp_path / "c.xlsx",
        [
            Entree(
                "[Content_Types].xml",
                b'<Types><Override ContentType="application/vnd.ms-excel.sheet.binary.macroEnabled.main"/></Types>',
            )
        ],
    )
    e = refus(xlsb)
    assert e.regle == "format_non_pris_en_charge"
    assert ".xlsb" in str(e)


# ---------------------------------------------------------------- passwords and OLE containers


def test_classeur_chiffre_par_mot_de_passe(tmp_path):
    e = refus(xlsx_chiffre(tmp_path / "protege.xlsx"))
    assert e.regle == "mot_de_passe"
    assert str(e) == "Le fichier est protégé par un mot de passe : demandez au pilote de le renvoyer sans mot de passe."


@pytest.mark.parametrize("mini", [False, True])
def test_xls_ancien_format(tmp_path, mini):
    clair = {"Workbook": biff([BOF_GLOBAUX, (0x00E1, b"\x00\x00"), (0x000A, b"")])}
    assert inspecter(cfb(tmp_path / "a.xls", clair, mini=mini)) == Verification("xls", False)
    avec_vba = cfb(tmp_path / "b.xls", clair | {"Module1": b"x" * 10}, stockages=("_VBA_PROJECT_CUR",), mini=mini)
    assert inspecter(avec_vba) == Verification("xls", True)
    # FILEPASS right after BOF: the workbook is encrypted.
    chiffre = {"Workbook": biff([BOF_GLOBAUX, (0x002F, struct.pack("<HHH", 1, 1, 1) + bytes(48)), (0x000A, b"")])}
    assert refus(cfb(tmp_path / "c.xls", chiffre, mini=mini)).regle == "mot_de_passe"


def test_autres_conteneurs_ole(tmp_path):
    assert "document Word (.doc)" in str(refus(cfb(tmp_path / "a.xls", {"WordDocument": b"x"})))
    msg = cfb(tmp_path / "b.xls", {"__substg1.0_0037001F": "Retour".encode("utf-16-le")})
    assert "message Outlook (.msg)" in str(refus(msg))
    assert "n'est pas un classeur Excel" in str(refus(cfb(tmp_path / "c.xls", {"Autre": b"x"})))


def test_conteneur_ole_abime(tmp_path):
    bon = cfb(tmp_path / "a.xls", {"Workbook": biff([BOF_GLOBAUX, (0x000A, b"")])}).read_bytes()
    tronque = tmp_path / "tronque.xls"
    tronque.write_bytes(bon[:600])
    assert refus(tronque).regle == "fichier_abime"
    # A loop in the directory's sector chain: the FAT sends sector 1 back to itself.
    boucle = bytearray(bon)
    struct.pack_into("<I", boucle, 512 + 4 * 1, 1)
    (tmp_path / "boucle.xls").write_bytes(bytes(boucle))
    assert refus(tmp_path / "boucle.xls").regle == "fichier_abime"
    hasard = tmp_path / "hasard.xls"
    hasard.write_bytes(examen.OLE + random.Random(1).randbytes(3000))
    assert refus(hasard).regle == "fichier_abime"


def test_zip_chiffre(normal, tmp_path):
    entrees = [Entree(n, c, drapeaux=0x1) for n, c in membres(normal).items()]
    assert refus(zip_brut(tmp_path / "z.xlsx", entrees)).regle == "mot_de_passe"


# ---------------------------------------------------------------- XML attacks


LOL = (
    b'<?xml version="1.0"?><!DOCTYPE lolz [<!ENTITY lol "lol">'
    + b"".join(b'<!ENTITY lol%d "%s">' % (k, (b"&lol%d;" % (k - 1) if k > 1 else b"&lol;") * 10) for k in range(1, 10))
    + b"]>"
)


def _feuille(normal: Path) -> bytes:
    return membres(normal)["xl/worksheets/sheet1.xml"]


def test_milliard_de_rires_refuse(normal, tmp_path):
    feuille = LOL + _feuille(normal).replace(b"<v>12</v>", b"<v>&lol9;</v>")
    piege = xlsx_modifie(normal, tmp_path / "lol.xlsx", {"xl/worksheets/sheet1.xml": feuille})
    e = refus(piege)
    assert e.regle == "xml_dangereux"
    assert "contenu XML dangereux (entités, DOCTYPE) dans « xl/worksheets/sheet1.xml »" in str(e)


def test_entite_externe_dans_shared_strings_refusee(normal, tmp_path):
    sst = (
        b'<?xml version="1.0"?><!DOCTYPE sst [<!ENTITY x SYSTEM "file:///etc/passwd">]>'
        b'<sst xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main"><si><t>&x;</t></si></sst>'
    )
    piege = xlsx_modifie(normal, tmp_path / "xxe.xlsx", ajouter=[Entree("xl/sharedStrings.xml", sst)])
    assert refus(piege).regle == "xml_dangereux"


@pytest.mark.parametrize("encodage", ["utf-16-le", "utf-16-be", "utf-16"])
def test_doctype_en_utf16_refuse(normal, tmp_path, encodage):
    xml = '<?xml version="1.0" encoding="UTF-16"?><!DOCTYPE w [<!ENTITY a "b">]><worksheet/>'.encode(encodage)
    piege = xlsx_modifie(normal, tmp_path / "u16.xlsx", {"xl/worksheets/sheet1.xml": xml})
    assert refus(piege).regle == "xml_dangereux"


def test_doctype_en_minuscules_et_au_milieu_d_un_grand_membre(normal, tmp_path):
    # Over MORCEAU_UNIQUE: the member is scanned in chunks; the declaration straddles two of them.
    remplissage = b"<!-- " + b"x" * (examen_zip.MORCEAU_UNIQUE + examen.MORCEAU - 4) + b" -->"
    xml = b"<?xml version='1.0'?>" + remplissage + b"<!doctype w>" + _feuille(normal)
    piege = xlsx_modifie(normal, tmp_path / "grand.xlsx", {"xl/worksheets/sheet1.xml": xml})
    assert refus(piege).regle == "xml_dangereux"


def test_encodage_qui_cacherait_le_doctype_refuse(normal, tmp_path):
    xml = b'<?xml version="1.0" encoding="cp500"?>' + "<!DOCTYPE w><w/>".encode("cp500")
    piege = xlsx_modifie(normal, tmp_path / "ebcdic.xlsx", {"xl/worksheets/sheet1.xml": xml})
    assert refus(piege).regle == "xml_dangereux"
    # Declared encodings that write "<!DOCTYPE" as ASCII does are fine.
    latin = xlsx_modifie(
        normal,
        tmp_path / "latin.xlsx",
        {
            "xl/worksheets/sheet1.xml": _feuille(normal).replace(
                b"<worksheet", b'<?xml version="1.0" encoding="ISO-8859-1"?><worksheet', 1
            )
        },
    )
    assert inspecter(latin).format == "xlsx"


def test_binaire_non_xml_non_scanne(normal, tmp_path):
    # An image that happens to contain the bytes "<!DOCTYPE" is not XML: no parser reads it as such.
    image = b"\x89PNG\r\n\x1a\n" + b"<!DOCTYPE" + bytes(100)
    ok = xlsx_modifie(normal, tmp_path / "img.xlsx", ajouter=[Entree("xl/media/image1.png", image)])
    assert inspecter(ok).format == "xlsx"


def test_defusedxml_protege_openpyxl_en_second_rideau(normal, tmp_path):
    """Even if a file slipped past the scan, openpyxl parses with defusedxml: entities refused."""
    import openpyxl.xml

    assert openpyxl.xml.DEFUSEDXML
    import openpyxl
    from defusedxml import DefusedXmlException

    feuille = LOL + _feuille(normal).replace(b"<v>12</v>", b"<v>&lol9;</v>")
    piege = xlsx_modifie(normal, tmp_path / "lol.xlsx", {"xl/worksheets/sheet1.xml": feuille})
    with pytest.raises(Exception) as e:
        openpyxl.load_workbook(piege)
    causes, c = [], e.value
    while c is not None:
        causes.append(c)
        c = c.__cause__ or c.__context__
    assert any(isinstance(c, DefusedXmlException) for c in causes)


# ---------------------------------------------------------------- zip bombs


def test_bombe_annoncee_dans_le_repertoire(normal, tmp_path):
    brut, crc = zeros_comprimes(60 * MO)  # honest directory: 60 MB declared
    bombe = xlsx_modifie(
        normal, tmp_path / "b.xlsx", ajouter=[Entree("xl/media/vide.bin", brut=brut, taille=60 * MO, crc=crc)]
    )
    e = refus(bombe)
    assert e.regle == "bombe_zip"
    assert "occuperait 60 Mo pour « xl/media/vide.bin »" in str(e)


def test_bombe_qui_ment_sur_sa_taille_arretee_en_memoire_bornee(normal, tmp_path):
    brut, _ = zeros_comprimes(100 * MO)  # declares 3 KB, inflates to 100 MB
    for nom, annonce in (("xl/worksheets/sheet2.xml", 3000), ("xl/worksheets/sheet9.xml", 5 * MO)):
        bombe = xlsx_modifie(normal, tmp_path / "b.xlsx", ajouter=[Entree(nom, brut=brut, taille=annonce, crc=0)])
        tracemalloc.start()
        try:
            e = refus(bombe)
            _, pic = tracemalloc.get_traced_memory()
        finally:
            tracemalloc.stop()
        assert e.regle == "bombe_zip"
        assert "plus que les" in str(e) and "annoncés" in str(e)
        assert pic < 12 * MO  # the file itself is ~100 KB; never the 100 MB


def test_calamine_en_second_rempart_contre_les_tailles_mensongeres(normal, tmp_path):
    """Even past the check, calamine stops at the declared size (as zipfile does): a member
    that lies about its size is never inflated further."""
    import zlib

    from python_calamine import CalamineWorkbook

    m = membres(normal)
    feuille = m["xl/worksheets/sheet1.xml"]
    c = zlib.compressobj(9, zlib.DEFLATED, -15)
    brut = c.compress(feuille) + b"".join(c.compress(b" " * MO) for _ in range(50)) + c.flush()
    entrees = [Entree(n, x, brut=brut if n.endswith("sheet1.xml") else None) for n, x in m.items()]
    menteur = zip_brut(tmp_path / "m.xlsx", entrees)
    assert refus(menteur).regle == "bombe_zip"
    with pytest.raises(Exception, match="larger than its declared uncompressed size"):
        CalamineWorkbook.from_path(str(menteur)).get_sheet_by_index(0).to_python()


def test_bombe_total_et_taux_de_compression(normal, tmp_path):
    # 225 MB declared over five members, each with a plausible ratio (45 MB out of 100 KB).
    alea = random.Random(2)
    faux = [Entree(f"xl/media/{k}.bin", brut=alea.randbytes(100_000), taille=45 * MO) for k in range(5)]
    e = refus(xlsx_modifie(normal, tmp_path / "t.xlsx", ajouter=faux))
    assert e.regle == "bombe_zip" and "225 Mo" in str(e)
    brut, crc = zeros_comprimes(3 * MO)  # 3 MB out of ~3 KB: a ratio no sheet has
    e = refus(
        xlsx_modifie(normal, tmp_path / "r.xlsx", ajouter=[Entree("xl/media/z.bin", brut=brut, taille=3 * MO, crc=crc)])
    )
    assert e.regle == "bombe_zip"


def test_trop_de_membres(tmp_path):
    entrees = [Entree(f"m{k}.xml", b"<a/>") for k in range(examen.MEMBRES_MAX + 1)]
    assert refus(zip_brut(tmp_path / "n.xlsx", entrees)).regle == "bombe_zip"


def test_membres_qui_se_chevauchent(normal, tmp_path):
    entrees = [Entree(n, c) for n, c in membres(normal).items()]
    entrees.append(Entree("xl/copie.xml", b"<a/>", decalage=0))  # points at the first member's header
    assert refus(zip_brut(tmp_path / "o.xlsx", entrees)).regle == "fichier_abime"


# ---------------------------------------------------------------- broken archives


def test_archives_abimees(normal, tmp_path):
    donnees = normal.read_bytes()
    cas = {
        "tronque": donnees[: len(donnees) // 2],
        "queue": donnees + b"donnees ajoutees apres la fin",
    }
    for nom, contenu in cas.items():
        f = tmp_path / f"{nom}.xlsx"
        f.write_bytes(contenu)
        assert refus(f).regle == "fichier_abime", nom
    m = membres(normal)
    doublon = [Entree(n, c) for n, c in m.items()] + [Entree("xl/worksheets/sheet1.xml", b"<autre/>")]
    assert refus(zip_brut(tmp_path / "d.xlsx", doublon)).regle == "fichier_abime"
    casse = [Entree(n, c, brut=b"\xff\xff\xff" * 10 if n.endswith("sheet1.xml") else None) for n, c in m.items()]
    assert refus(zip_brut(tmp_path / "c.xlsx", casse)).regle == "fichier_abime"
    bz = [Entree(n, c, methode=zipfile.ZIP_BZIP2, brut=c) for n, c in m.items()]
    assert refus(zip_brut(tmp_path / "bz.xlsx", bz)).regle == "fichier_abime"


def test_membre_plus_court_qu_annonce_lu_tel_quel(normal, tmp_path):
    """Only the prolog of a part is inflated now: a member shorter than its directory says is no
    longer refused (it inflates to less than was allowed, nothing dangerous); parsers read its
    true content, CRC-checked."""
    from python_calamine import CalamineWorkbook

    m = membres(normal)
    court = [Entree(n, c, taille=len(c) + 10 if n.endswith("sheet1.xml") else None) for n, c in m.items()]
    f = zip_brut(tmp_path / "s.xlsx", court)
    assert inspecter(f).format == "xlsx"
    lu = CalamineWorkbook.from_path(str(f)).get_sheet_by_index(0).to_python()
    assert lu == CalamineWorkbook.from_path(str(normal)).get_sheet_by_index(0).to_python()


_LECTURE_BORNEE = """
import resource, sys

def pic_mo():
    # VmHWM: the peak of this process image alone (ru_maxrss survives exec: pytest's would show)
    try:
        with open("/proc/self/status") as f:
            return next(int(x.split()[1]) for x in f if x.startswith("VmHWM")) // 1024
    except OSError:
        return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss // 1024
import openpyxl
from python_calamine import CalamineWorkbook
try:
    CalamineWorkbook.from_path(sys.argv[1]).get_sheet_by_index(0).to_python()
    calamine = "lu"
except Exception as e:
    calamine = str(e)
valeurs = list(openpyxl.load_workbook(sys.argv[1]).worksheets[0].values)  # streams, stops at the declared size
print(calamine, "|", valeurs, "|", pic_mo())
"""


_PROPRIETES_BORNEES = """
import resource, sys

def pic_mo():
    # VmHWM: the peak of this process image alone (ru_maxrss survives exec: pytest's would show)
    try:
        with open("/proc/self/status") as f:
            return next(int(x.split()[1]) for x in f if x.startswith("VmHWM")) // 1024
    except OSError:
        return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss // 1024
from pathlib import Path
from vif38_bilan.saisies import retour as saisies
donnees = Path(sys.argv[1]).read_bytes()
valeurs = saisies.proprietes_personnalisees(donnees, "xlsx")
date = saisies.date_modification(donnees, "xlsx")
print(valeurs, "|", date, "|", pic_mo())
"""


def test_membre_qui_ment_apres_sa_racine_arrete_par_les_lecteurs(normal, tmp_path):
    """The check inflates a part only up to its root element; a member whose real size exceeds
    its declared size past that point is stopped by the parsers themselves at the declared size
    (calamine: error; openpyxl streams and stops there; saisies reads document properties with a
    bounded read, as zipfile's read() would inflate all): memory stays bounded, and controler
    reports the file as unreadable."""
    import subprocess
    import sys
    import zlib

    from vif38_bilan.regles import ERREUR
    from vif38_bilan.controle.retours import controler_fichier
    from vif38_bilan.referentiel.chargement import charger_protocole

    m = membres(normal)
    # A legitimate-looking sheet of ~20 KB (whitespace after the root's start tag), then 300 MB
    # of spaces the directory does not declare.
    vraie = m["xl/worksheets/sheet1.xml"].replace(b">", b">" + b" " * 20_000, 1)
    c = zlib.compressobj(9, zlib.DEFLATED, -15)
    bloc = b" " * MO
    brut = c.compress(vraie) + b"".join(c.compress(bloc) for _ in range(300)) + c.flush()
    entrees = [
        Entree(n, vraie if n.endswith("sheet1.xml") else x, brut=brut if n.endswith("sheet1.xml") else None)
        for n, x in m.items()
    ]
    menteur = zip_brut(tmp_path / "m.xlsx", entrees)
    assert menteur.stat().st_size < 2 * MO
    assert inspecter(menteur).format == "xlsx"  # the prolog is clean: accepted by the check

    sortie = subprocess.run(
        [sys.executable, "-c", _LECTURE_BORNEE, str(menteur)], capture_output=True, text=True, check=True
    ).stdout
    calamine, valeurs, pic_mo = (x.strip() for x in sortie.split("|"))
    assert "larger than its declared uncompressed size" in calamine
    assert valeurs == "[('Code action', None), ('1-1-1', 12)]"  # openpyxl: the declared part only
    assert int(pic_mo) < 150  # 300 MB never inflated (python + calamine alone: ~40 MB)

    # The same lie in the document properties, which the reader takes with zipfile.
    m["docProps/custom.xml"] = (
        b'<?xml version="1.0"?><Properties xmlns="http://schemas.openxmlformats.org/officeDocument/2006/custom-properties"'
        b' xmlns:vt="http://schemas.openxmlformats.org/officeDocument/2006/docPropsVTypes"><property '
        b'fmtid="{D5CDD505-2E9C-101B-9397-08002B2CF9AE}" pid="2" name="vif38_pilote"><vt:lpwstr>P1</vt:lpwstr>'
        b"</property></Properties>"
    )
    entrees = []
    for n, x in m.items():
        if n.startswith("docProps/"):  # past the check's first window: whitespace inside the root
            racine = x.index(b">", x.index(b"<", x.index(b"?>") + 2 if x.startswith(b"<?") else 0))
            x = x[: racine + 1] + b" " * 5000 + x[racine + 1 :]
        c = zlib.compressobj(9, zlib.DEFLATED, -15)
        tete = c.compress(x)
        queue = b"".join(c.compress(bloc) for _ in range(300)) if n.startswith("docProps/") else b""
        entrees.append(Entree(n, x, brut=tete + queue + c.flush()))
    proprietes = zip_brut(tmp_path / "p.xlsx", entrees)
    assert inspecter(proprietes).format == "xlsx"
    sortie = subprocess.run(
        [sys.executable, "-c", _PROPRIETES_BORNEES, str(proprietes)], capture_output=True, text=True, check=True
    ).stdout
    valeurs, date, pic_mo = (x.strip() for x in sortie.split("|"))
    assert valeurs == "{'pilote': 'P1'}"  # what the directory declares, read as declared
    assert date != "None"
    assert int(pic_mo) < 150

    r = controler_fichier(menteur, tmp_path, charger_protocole(), 2023)
    assert [a.gravite for a in r.anomalies] == [ERREUR]
    assert r.anomalies[0].regle == "fichier_refuse"
    assert "illisible" in r.anomalies[0].message


def test_fichier_disparu_ou_dossier(tmp_path):
    assert refus(tmp_path / "absent.xlsx").regle == "illisible"
    (tmp_path / "dossier.xlsx").mkdir()
    assert refus(tmp_path / "dossier.xlsx").regle == "pas_un_classeur"


def test_verification_depuis_les_octets(normal):
    assert securite.inspecter_octets(normal.read_bytes()) == Verification("xlsx", False)
    with pytest.raises(FichierRefuse):
        securite.inspecter_octets(b"")


# ---------------------------------------------------------------- listing the returns folder


def _toucher(chemin: Path, contenu: bytes = b"x") -> Path:
    chemin.parent.mkdir(parents=True, exist_ok=True)
    chemin.write_bytes(contenu)
    return chemin


def test_lister_noms_etranges_et_ordre_stable(tmp_path):
    saisies = tmp_path / "saisies"
    long_nom = "Retour " + "très long nom de fichier envoyé par la structure " * 4
    long_nom = long_nom[:200] + ".xlsx"
    noms = [
        "b retour.XLSX",
        "A retour.xlsx",
        "Département de l'Isère (copie) #2.xlsx",
        "e\u0301quipe NFD.xlsx",  # decomposed accent, as macOS writes it
        "retour 😀 émoji.ods",
        long_nom,
        "sous dossier/Commune de Vif.xls",
        "sous dossier/Profond/encore/retour.xlsm",
    ]
    for n in noms:
        _toucher(saisies / n)
    a_lire, ecartes = lister_saisies(saisies)
    rel = [p.relative_to(saisies).as_posix() for p in a_lire]
    assert sorted(rel) == sorted(noms)
    assert rel[:2] == ["A retour.xlsx", "b retour.XLSX"]  # case-insensitive
    assert rel == [p.relative_to(saisies).as_posix() for p in lister_saisies(saisies)[0]]  # same order every run
    assert ecartes == []
    assert all(p.is_file() for p in a_lire)


def test_lister_ecarte_temporaires_caches_et_autres_fichiers(tmp_path):
    saisies = tmp_path / "saisies"
    bon = _toucher(saisies / "retour.xlsx")
    ecarts = {
        "~$retour.xlsx": "temporaire",
        ".~lock.retour.xlsx#": "temporaire",
        ".DS_Store": "temporaire",
        "Thumbs.db": "temporaire",
        "._retour.xlsx": "temporaire",
    }
    # Issue 25: names are not trusted: every other file is read and judged on its content.
    lus = ["bilan.pdf", "message.msg", "notes.docx", "retours.zip", "sans extension"]
    for n in [*ecarts, *lus]:
        _toucher(saisies / n)
    _toucher(saisies / "__MACOSX" / "._retour.xlsx")
    _toucher(saisies / ".cache" / "retour.xlsx")
    a_lire, ecartes = lister_saisies(saisies)
    assert [p.name for p in a_lire] == [
        "bilan.pdf",
        "message.msg",
        "notes.docx",
        "retour.xlsx",
        "retours.zip",
        "sans extension",
    ]
    assert bon in a_lire
    raisons = {p.relative_to(saisies).as_posix(): r for p, r in ecartes}
    for n, motif in ecarts.items():
        assert motif in raisons[n], n
    assert raisons["__MACOSX"].startswith("dossier caché ou technique")
    assert raisons[".cache"].startswith("dossier caché ou technique")
    assert not any(r.endswith("ignoré") for r in raisons.values())  # the caller says "Ignoré : …"


@pytest.mark.skipif(not hasattr(os, "symlink") or os.name == "nt", reason="symbolic links (POSIX)")
def test_liens_symboliques_jamais_suivis(tmp_path):
    saisies = tmp_path / "saisies"
    dehors = _toucher(tmp_path / "secret" / "paie.xlsx")
    bon = _toucher(saisies / "retour.xlsx")
    (saisies / "lien-dehors.xlsx").symlink_to(dehors)
    (saisies / "lien-dedans.xlsx").symlink_to(bon)
    (saisies / "dossier-dehors").symlink_to(dehors.parent, target_is_directory=True)
    (saisies / "casse.xlsx").symlink_to(tmp_path / "nulle-part.xlsx")
    (saisies / "boucle-a.xlsx").symlink_to(saisies / "boucle-b.xlsx")
    (saisies / "boucle-b.xlsx").symlink_to(saisies / "boucle-a.xlsx")
    (saisies / "sous").mkdir()
    (saisies / "sous" / "retour-au-parent").symlink_to(saisies, target_is_directory=True)

    a_lire, ecartes = lister_saisies(saisies)
    assert a_lire == [bon]
    raisons = {p.relative_to(saisies).as_posix(): r for p, r in ecartes}
    assert "hors du dossier des saisies" in raisons["lien-dehors.xlsx"]
    assert "hors du dossier des saisies" in raisons["dossier-dehors"]
    assert "déjà présent" in raisons["lien-dedans.xlsx"]
    assert "déjà présent" in raisons["sous/retour-au-parent"]
    for n in ("casse.xlsx", "boucle-a.xlsx", "boucle-b.xlsx"):
        assert "cassé ou en boucle" in raisons[n]


@pytest.mark.skipif(not hasattr(os, "mkfifo"), reason="named pipes (POSIX)")
def test_tube_nomme_ecarte_sans_bloquer(tmp_path):
    saisies = tmp_path / "saisies"
    saisies.mkdir()
    os.mkfifo(saisies / "tube.xlsx")  # reading it would wait forever
    a_lire, ecartes = lister_saisies(saisies)
    assert a_lire == []
    assert ecartes == [(saisies / "tube.xlsx", "ce n'est pas un fichier ordinaire")]
    e = refus(saisies / "tube.xlsx")
    assert e.regle == "pas_un_classeur"


def test_dossier_absent():
    assert lister_saisies(Path("/nulle/part/saisies")) == ([], [])


@pytest.mark.skipif(os.name == "nt" or os.uname().sysname == "Darwin", reason="byte file names (Linux)")
def test_nom_non_decodable_affichable(tmp_path):
    saisies = tmp_path / "saisies"
    saisies.mkdir()
    brut = os.fsencode(str(saisies)) + b"/retour-\xe9t\xe9\nligne.xlsx"  # Latin-1 bytes and a new line
    with open(brut, "wb") as f:
        f.write(b"x")
    a_lire, _ = lister_saisies(saisies)
    (chemin,) = a_lire
    nom = nom_lisible(chemin.name)
    assert nom == "retour-\ufffdt\ufffd?ligne.xlsx"
    nom.encode("utf-8")  # printable, JSON-able: no surrogate left
    assert nom_lisible("e\u0301quipe") == "\u00e9quipe"
