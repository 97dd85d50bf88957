"""Load: 200 returns of which 10% are broken or hostile, through `controler` and the CLI.

Every broken one is reported as an erreur on that file; every good value reaches the check's
answers and the consolidation; no input is modified; no traceback."""

from __future__ import annotations

import json
import random
import struct
import zipfile
from datetime import datetime, timedelta
from pathlib import Path

import pytest
from click.testing import CliRunner
from tests.fabriques import empreintes
from tests.hostiles import BOF_GLOBAUX, Entree, biff, cfb, membres, xlsx_chiffre, xlsx_modifie, zeros_comprimes, zip_brut

from vif38_bilan.referentiel.agregation import agreger, par_pilote
from vif38_bilan.regles import ERREUR, REGLES
from vif38_bilan.cli.principal import cli
from vif38_bilan.consolidation.actions import consolider
from vif38_bilan.controle.retours import controler

ANNEE = 2023
BONS = 180
MO = 1024 * 1024


def _remplir(protocole, gabarit: Path, lot: list[tuple[str, int, str, Path]]) -> dict[Path, dict]:
    """Fill one pilot's template once per planned copy; returns what each file holds."""
    from openpyxl import load_workbook

    from vif38_bilan.gabarits import generation as gabarits

    from vif38_bilan.gabarits import remplissage

    wb = load_workbook(gabarit)
    ecrits = {}
    for pilote, graine, structure, chemin in lot:
        reponses = remplissage.reponses_inventees(protocole, pilote, ANNEE, graine)
        identite = remplissage.identite_inventee(protocole, pilote, ANNEE, graine)
        identite["Structure"] = structure
        moment = datetime(ANNEE + 1, 2, 1, 9) + timedelta(minutes=graine)
        remplissage.remplir_classeur(wb, reponses, identite=identite, modifie_le=moment)
        chemin.parent.mkdir(parents=True, exist_ok=True)
        gabarits.enregistrer(wb, chemin, modifie_le=moment)
        ecrits[chemin] = {"pilote": pilote, "structure": structure, "reponses": reponses}
    return ecrits


@pytest.fixture(scope="module")
def corpus(protocole, tmp_path_factory):
    """180 good returns (every pilot once, then structures of collective pilots) and 20 broken."""
    from vif38_bilan.gabarits.generation import generer_gabarits

    racine = tmp_path_factory.mktemp("charge")
    saisies = racine / "saisies" / str(ANNEE)
    pilotes = protocole.pilotes_actifs()
    seuls = [p for p in pilotes if not p.collectif]
    collectifs = [p for p in pilotes if p.collectif]
    plan: dict[str, list] = {}
    copies: dict[str, int] = {}
    for i in range(BONS):
        p = seuls[i] if i < len(seuls) else collectifs[(i - len(seuls)) % len(collectifs)]
        copies[p.code] = copies.get(p.code, 0) + 1
        k = copies[p.code]
        structure = p.nom if not p.collectif else f"{p.nom} – structure {k}"
        dossier = saisies / (f"lot {i // 40 + 1}" if i % 3 else "")  # some in sub-folders
        plan.setdefault(p.code, []).append((p.code, k, structure, dossier / f"{ANNEE}_{p.code}_{k:03d}.xlsx"))
    gabarits = {
        g.pilote: g.chemin for g in generer_gabarits(protocole, ANNEE, racine / "gabarits", pilotes=sorted(plan))
    }
    bons: dict[Path, dict] = {}
    for code, lot in plan.items():
        bons |= _remplir(protocole, gabarits[code], lot)
    # Broken ones are made from returns of a structure no good file has.
    modele = _remplir(
        protocole, gabarits[collectifs[0].code], [(collectifs[0].code, 999, "Piège", racine / "modele.xlsx")]
    )
    mauvais = _pieges(racine / "modele.xlsx", saisies)
    assert set(modele) == {racine / "modele.xlsx"}
    assert len(bons) == BONS and len(mauvais) == 20
    # Leftovers that are not returns: set aside, not errors.
    (saisies / "~$2023_DDFE_001.xlsx").write_bytes(b"\x00" * 165)
    (saisies / ".DS_Store").write_bytes(b"\x00\x00\x00\x01Bud1")
    return saisies, bons, mauvais


def _pieges(modele: Path, saisies: Path) -> dict[Path, str]:
    """20 broken or hostile files → the rule each must be refused under."""
    dossier = saisies / "pièces jointes douteuses"
    dossier.mkdir(parents=True)
    m = membres(modele)
    feuille = max((n for n in m if n.startswith("xl/worksheets/")), key=lambda n: len(m[n]))  # the Saisie sheet
    octets = modele.read_bytes()
    p: dict[Path, str] = {}

    def fichier(nom: str, contenu: bytes, regle: str) -> None:
        (dossier / nom).write_bytes(contenu)
        p[dossier / nom] = regle

    fichier("vide.xlsx", b"", "fichier_vide")
    fichier("hasard.xlsx", random.Random(38).randbytes(20_000), "pas_un_classeur")
    fichier("tronqué.xlsx", octets[: len(octets) // 2], "fichier_abime")
    # Issue 25: a document is judged by content whatever its name: a PDF or a Word file named
    # .xlsx is set aside with a warning, as the same file named .pdf or .docx is.
    fichier("scan.xlsx", b"%PDF-1.4\n" + random.Random(1).randbytes(3000), "fichier_ecarte")
    fichier("page web.xls", b"<html><body><table><tr><td>12</td></tr></table></body></html>", "pas_un_classeur")
    fichier("ole-abimé.xls", b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + random.Random(2).randbytes(5000), "fichier_abime")

    from docx import Document

    doc = Document()
    doc.add_paragraph("Bilan 2023 de notre structure")
    doc.save(dossier / "bilan.xlsx")
    p[dossier / "bilan.xlsx"] = "fichier_ecarte"

    p[xlsx_chiffre(dossier / "protégé.xlsx")] = "mot_de_passe"
    xls = {"Workbook": biff([BOF_GLOBAUX, (0x002F, struct.pack("<HHH", 1, 1, 1) + bytes(48)), (0x000A, b"")])}
    p[cfb(dossier / "ancien protégé.xls", xls, mini=True)] = "mot_de_passe"
    chiffre = [Entree(n, c, drapeaux=0x1) for n, c in m.items()]
    p[zip_brut(dossier / "zip chiffré.xlsx", chiffre)] = "mot_de_passe"

    brut, crc = zeros_comprimes(60 * MO)
    p[
        xlsx_modifie(
            modele, dossier / "bombe.xlsx", ajouter=[Entree("xl/media/a.bin", brut=brut, taille=60 * MO, crc=crc)]
        )
    ] = "bombe_zip"
    brut, _ = zeros_comprimes(40 * MO)
    p[
        xlsx_modifie(
            modele, dossier / "bombe menteuse.xlsx", ajouter=[Entree("xl/media/b.xml", brut=brut, taille=2000, crc=0)]
        )
    ] = "bombe_zip"

    lol = b'<?xml version="1.0"?><!DOCTYPE x [<!ENTITY a "aaaaaaaaaa"><!ENTITY b "&a;&a;&a;&a;&a;&a;&a;&a;&a;&a;">]>'
    p[xlsx_modifie(modele, dossier / "rires.xlsx", {feuille: lol + m[feuille].split(b"?>", 1)[-1]})] = "xml_dangereux"
    xxe = b'<?xml version="1.0"?><!DOCTYPE p [<!ENTITY x SYSTEM "file:///etc/passwd">]>'
    p[
        xlsx_modifie(
            modele, dossier / "xxe.xlsx", {"docProps/custom.xml": xxe + m["docProps/custom.xml"].split(b"?>", 1)[-1]}
        )
    ] = "xml_dangereux"
    u16 = '<?xml version="1.0" encoding="UTF-16"?><!DOCTYPE w [<!ENTITY a "b">]><w/>'.encode("utf-16")
    p[xlsx_modifie(modele, dossier / "utf16.xlsx", {"xl/workbook.xml": u16})] = "xml_dangereux"

    chevauche = [Entree(n, c) for n, c in m.items()] + [Entree("xl/autre.xml", b"<a/>", decalage=0)]
    p[zip_brut(dossier / "chevauchement.xlsx", chevauche)] = "fichier_abime"
    casse = [Entree(n, c, brut=b"\xff" * 64 if n == feuille else None) for n, c in m.items()]
    p[zip_brut(dossier / "deflate cassé.xlsx", casse)] = "fichier_abime"
    doublon = [Entree(n, c) for n, c in m.items()] + [Entree(feuille, b"<autre/>")]
    p[zip_brut(dossier / "doublon.xlsx", doublon)] = "fichier_abime"

    with open(dossier / "énorme.xlsx", "wb") as f:
        f.truncate(25 * MO)
    p[dossier / "énorme.xlsx"] = "fichier_trop_gros"
    xlsb = [
        Entree(
            "[Content_Types].xml",
            b'<Types><Override ContentType="application/vnd.ms-excel.sheet.binary.macroEnabled.main"/></Types>',
        )
    ]
    p[zip_brut(dossier / "binaire.xlsx", xlsb)] = "format_non_pris_en_charge"
    return p


def test_charge_200_retours_dont_20_pieges(protocole, corpus):
    saisies, bons, mauvais = corpus
    avant = empreintes(saisies)

    resultat = controler(protocole, ANNEE, saisies)

    assert empreintes(saisies) == avant
    nom = {f.chemin: f.nom for f in resultat.fichiers}
    assert len(resultat.fichiers) == 202  # the Office lock file and .DS_Store are listed, set aside

    # Every broken file: one erreur on the whole file, under the expected rule, nothing read from it.
    for chemin, regle in mauvais.items():
        anomalies = resultat.anomalies_du_fichier(nom[chemin])
        assert [(a.gravite, a.cellule, a.regle) for a in anomalies] == [(REGLES[regle].gravite, None, regle)], (
            chemin.name
        )
        assert anomalies[0].message[0].isupper() and "Traceback" not in anomalies[0].message
    sources = {r.statut_source.fichier for r in resultat.reponses if r.statut_source}
    assert not sources & {nom[c] for c in mauvais}

    # Every good file: no erreur, and each of its answers as written.
    par_fichier: dict[str, dict[str, object]] = {}
    for r in resultat.reponses:
        par_fichier.setdefault(r.statut_source.fichier, {})[r.code_action] = r
    for chemin, attendu in bons.items():
        n = nom[chemin]
        assert not [a for a in resultat.anomalies_du_fichier(n) if a.gravite == ERREUR], n
        lues = par_fichier[n]
        assert set(lues) == set(attendu["reponses"]), n
        for code, rep in attendu["reponses"].items():
            r = lues[code]
            assert (r.pilote, r.structure) == (attendu["pilote"], attendu["structure"])
            assert r.statut == rep["statut"]
            assert list(r.valeurs) == [v if v != "" else None for v in rep["valeurs"]], (n, code)
            assert r.observations == rep["observations"]

    # Every good value consolidated: the indicator's rule (somme, maximum, chef de file) applies to
    # every declaration, a pilot's structures included (issue 23); each value keeps its source.
    consolidation = consolider(protocole, ANNEE, resultat)
    for action in protocole.actions:
        e = consolidation.enregistrements[(action.code, ANNEE)]
        for k, ind in enumerate(action.indicateurs):
            if ind.type != "entier":
                continue
            figures = [
                (b["pilote"], b["pilote"] == action.chef_de_file, b["reponses"][action.code]["valeurs"][k])
                for b in bons.values()
                if action.code in b["reponses"] and b["reponses"][action.code]["valeurs"][k] is not None
            ]
            attendu = agreger(ind.agregation, par_pilote(figures, ind.agregation)).valeur if figures else None
            assert e.valeurs[k] == attendu, (action.code, k)
    fichiers_sources = {s.fichier for e in consolidation.enregistrements.values() for s in e.sources}
    assert fichiers_sources == {nom[c] for c in bons}


def test_charge_par_la_commande(protocole, corpus, tmp_path, monkeypatch):
    saisies, bons, mauvais = corpus
    avant = empreintes(saisies)
    (tmp_path / "vif38.toml").write_text("", encoding="utf-8")
    monkeypatch.chdir(tmp_path)
    sortie = tmp_path / "sorties"

    r = CliRunner().invoke(
        cli,
        ["controler", "--annee", str(ANNEE), "--saisies", str(saisies), "--sortie", str(sortie), "--json"],
        catch_exceptions=False,
    )

    assert r.exit_code == 1  # erreurs found; every output still written
    assert "Traceback" not in r.output
    anomalies = json.loads(r.stdout)
    par_fichier: dict[str, list[dict]] = {}
    for a in anomalies:
        par_fichier.setdefault(a["fichier"], []).append(a)
    for chemin, regle in mauvais.items():
        (a,) = par_fichier[chemin.relative_to(saisies).as_posix()]
        assert (a["gravite"], a["regle"]) == (REGLES[regle].gravite, regle)
    assert sum(a["gravite"] == "erreur" for a in anomalies) == sum(
        REGLES[r].gravite == ERREUR for r in mauvais.values()
    )
    assert (sortie / f"controle-{ANNEE}.xlsx").is_file()
    assert empreintes(saisies) == avant
    with zipfile.ZipFile(sortie / f"controle-{ANNEE}.xlsx") as z:
        assert z.testzip() is None
