"""Returns as real offices make them (issue 14): one builder per kind of fault, named after its defect.

Each builder starts from an ordinary filled return (tests/fabriques.remplir) and applies what a
pilot, Excel or LibreOffice did to it. Where only a real program writes the fault faithfully
(a LibreOffice save, Excel's cached formula results, Strict Open XML), the bytes are rewritten
exactly as that program writes them; `par_libreoffice` runs a real LibreOffice when installed.
"""

from __future__ import annotations

import csv
import io
import os
import re
import shutil
import subprocess
import uuid
import zipfile
from datetime import datetime
from pathlib import Path

from tests.fabriques import ANNEE, MAINTENANT, remplir
from openpyxl import load_workbook

from vif38_bilan.gabarits import disposition as d
from vif38_bilan.gabarits.generation import enregistrer, generer_gabarits
from vif38_bilan.gabarits.remplissage import trouver_saisie

PILOTE = "DDFE"  # the most rows, counts and Oui/Non indicators
LIBREOFFICE = shutil.which("soffice") is not None


# ---------------------------------------------------------------- starting points


def gabarits(protocole, base: Path, pilotes=(PILOTE,)) -> Path:
    """The collection workbooks of year ANNEE for the given pilots (generated once per folder)."""
    dossier = base / "gabarits"
    if not all((dossier / d.nom_fichier(ANNEE, p)).is_file() for p in pilotes):
        generer_gabarits(protocole, ANNEE, dossier, pilotes=list(pilotes), maintenant=MAINTENANT)
    return dossier


def retour(protocole, base: Path, dossier: Path, nom: str, code: str = PILOTE, **kw) -> Path:
    """An ordinary filled return of pilot `code`, written at dossier/nom."""
    return remplir(protocole, gabarits(protocole, base, (code,)), dossier, code, nom=nom, **kw)


def action_entiere(protocole, code: str = PILOTE, rang: int = 0) -> str:
    """The code of the pilot's rang-th action whose first indicator is a count."""
    actions = [
        a.code for a, _ in protocole.actions_du_pilote(code) if a.indicateurs and a.indicateurs[0].type == "entier"
    ]
    return actions[rang]


def cellules(chemin: Path, annee: int = ANNEE) -> dict[str, dict[str, str]]:
    """Action code → {"statut", "valeur", "valeur2", "observations", "ligne"} A1 references of the Saisie sheet."""
    wb = load_workbook(chemin)
    ws, entete, col = trouver_saisie(wb)
    lettres = {
        "statut": col[d.entete_statut(annee)],
        "valeur": col[d.entete_valeur(annee, 1)],
        "valeur2": col[d.entete_valeur(annee, 2)],
        "observations": col[d.entete_observations(annee)],
    }
    refs = {}
    for ligne in range(entete + 1, ws.max_row + 1):
        code = ws.cell(ligne, col[d.CODE_ACTION]).value
        if code:
            refs[code] = {k: f"{_lettre(c)}{ligne}" for k, c in lettres.items()} | {"ligne": str(ligne)}
    return refs


def _lettre(colonne: int) -> str:
    from openpyxl.utils import get_column_letter

    return get_column_letter(colonne)


def modifier(chemin: Path, changer, sortie: Path | None = None, modifie_le: datetime = MAINTENANT) -> Path:
    """Load a return with openpyxl, apply changer(wb), save (at sortie or in place)."""
    wb = load_workbook(chemin)
    changer(wb)
    sortie = sortie or chemin
    enregistrer(wb, sortie, modifie_le=modifie_le)
    return sortie


def sans_protection(wb) -> None:
    """What the pilot does first: Review → Unprotect sheet (no password)."""
    wb[d.FEUILLE_SAISIE].protection.sheet = False


# ---------------------------------------------------------------- raw package rewriting


def reecrire_membres(chemin: Path, changer, sortie: Path | None = None) -> Path:
    """Rewrite the members of a zip package: changer(name, bytes) → bytes (or None to drop)."""
    with zipfile.ZipFile(chemin) as z:
        membres = [(i.filename, z.read(i)) for i in z.infolist()]
    sortie = sortie or chemin
    sortie.parent.mkdir(parents=True, exist_ok=True)
    tampon = io.BytesIO()
    with zipfile.ZipFile(tampon, "w", zipfile.ZIP_DEFLATED) as z:
        for nom, donnees in membres:
            nouveau = changer(nom, donnees)
            if nouveau is not None:
                z.writestr(nom, nouveau)
    sortie.write_bytes(tampon.getvalue())
    return sortie


def partie_feuille(chemin: Path, feuille: str = d.FEUILLE_SAISIE) -> str:
    """Zip member of a sheet of an openpyxl-written workbook (openpyxl numbers them in order)."""
    wb = load_workbook(chemin, read_only=True)
    return f"xl/worksheets/sheet{wb.sheetnames.index(feuille) + 1}.xml"


def poser_formules(chemin: Path, formules: dict[str, tuple[str, str, str]], sortie: Path | None = None) -> Path:
    """Give cells a formula and the result Excel caches for it: ref → (formula, cached text,
    cell type: "n" number, "e" error). This is what Excel writes, e.g.
    <c r="J10" t="e"><f>1/0</f><v>#DIV/0!</v></c>; openpyxl cannot write a cached result."""
    partie = partie_feuille(chemin)

    def changer(nom: str, donnees: bytes) -> bytes:
        if nom == "docProps/app.xml":  # written by Excel: results are trusted as cached
            return re.sub(rb"<Application>[^<]*</Application>", b"<Application>Microsoft Excel</Application>", donnees)
        if nom != partie:
            return donnees
        texte = donnees.decode()
        for ref, (formule, valeur, type_) in formules.items():
            cellule = f'<c r="{ref}"{{}}><f>{formule}</f><v>{valeur}</v></c>'.format(
                "" if type_ == "n" else f' t="{type_}"'
            )
            motif = re.compile(rf'<c r="{ref}"(?P<attr>[^>]*?)(?:/>|>.*?</c>)', re.S)
            m = motif.search(texte)
            assert m, f"cellule {ref} absente de {partie}"
            style = re.search(r'\ss="\d+"', m.group("attr"))
            cellule = cellule.replace(f'r="{ref}"', f'r="{ref}"' + (style.group(0) if style else ""), 1)
            texte = texte[: m.start()] + cellule + texte[m.end() :]
        return texte.encode()

    return reecrire_membres(chemin, changer, sortie)


# ---------------------------------------------------------------- LibreOffice


_PROFIL = Path(f"/tmp/lo-vif38-{uuid.uuid4().hex}")  # one LibreOffice profile per test process


def par_libreoffice(fichier: Path, format_: str, dossier: Path, nom: str | None = None) -> Path:
    """A real LibreOffice save of fichier as format_ ("xlsx", "ods", "xls", "csv"), in dossier."""
    return par_libreoffice_lot({fichier: nom or f"{fichier.stem}.{format_}"}, format_, dossier)[0]


def par_libreoffice_lot(fichiers: dict[Path, str], format_: str, dossier: Path) -> list[Path]:
    """Several files saved by one LibreOffice run (each run costs ~6 s): source → name in dossier."""
    dossier.mkdir(parents=True, exist_ok=True)
    travail = dossier.parent / f".lo-{uuid.uuid4().hex}"
    travail.mkdir()
    try:
        subprocess.run(
            ["soffice", f"-env:UserInstallation=file://{_PROFIL}", "--headless", "--convert-to", format_]
            + ["--outdir", str(travail)]
            + [str(f) for f in fichiers],
            check=True,
            capture_output=True,
            timeout=300,
        )
        sorties = []
        for source, nom in fichiers.items():
            produit = travail / f"{source.stem}.{format_}"
            assert produit.is_file(), f"LibreOffice n'a pas produit {produit}"
            sorties.append(Path(shutil.move(produit, dossier / nom)))
        return sorties
    finally:
        shutil.rmtree(travail, ignore_errors=True)


def convertir(source: Path, format_: str, dossier: Path, nom: str, lot: dict | None) -> Path:
    """Save source by LibreOffice now, or later with others when lot is given (see vider_lot)."""
    if lot is None:
        return par_libreoffice(source, format_, dossier, nom)
    lot.setdefault((format_, dossier), {})[source] = nom
    return dossier / nom


def vider_lot(lot: dict) -> None:
    """Run the LibreOffice saves put aside in lot: one run per format."""
    for (format_, dossier), fichiers in lot.items():
        par_libreoffice_lot(fichiers, format_, dossier)
    lot.clear()


# ---------------------------------------------------------------- kind 1: a value far from the table


def valeur_lointaine(
    protocole, base: Path, dossier: Path, ref: str = "XFD1048576", code: str = "POLICE", format_: str = "", lot=None
) -> Path:
    """Saisie unprotected, one character typed at ref (the very last cell by default), saved as
    .xlsx by openpyxl, or re-saved by LibreOffice as format_ ("xlsx", "ods")."""
    nom = f"valeur_en_{ref}" + (f"_libreoffice.{format_}" if format_ else ".xlsx")
    chemin = retour(protocole, base, base / "brut" if format_ else dossier, f"valeur_en_{ref}_{code}.xlsx", code)

    def taper(wb) -> None:
        sans_protection(wb)
        wb[d.FEUILLE_SAISIE][ref] = "x"

    modifier(chemin, taper)
    if format_:
        return convertir(chemin, format_, dossier, nom, lot)
    return chemin.rename(dossier / nom)


# ---------------------------------------------------------------- kind 2: v1 by LibreOffice, v2 by Excel


def horodater(chemin: Path, modifie: str, application: str) -> Path:
    """Set the saved time exactly as written by `application` ("LibreOffice" or "Microsoft Excel")."""

    def changer(nom: str, donnees: bytes) -> bytes:
        if nom == "docProps/core.xml":
            return re.sub(
                rb"(<dcterms:modified[^>]*>)[^<]*(</dcterms:modified>)", rb"\g<1>" + modifie.encode() + rb"\2", donnees
            )
        if nom == "docProps/app.xml":
            appli = (
                b"LibreOffice/7.4.7.2$Linux_X86_64 LibreOffice_project/40$Build-2"
                if application == "LibreOffice"
                else b"Microsoft Excel"
            )
            return re.sub(rb"<Application>[^<]*</Application>", b"<Application>" + appli + b"</Application>", donnees)
        return donnees

    return reecrire_membres(chemin, changer)


def deux_versions_fuseaux(protocole, base: Path, dossier: Path, code: str = "DEPARTEMENT") -> tuple[Path, Path]:
    """v1 saved by LibreOffice at 10:00 Paris time (written "10:00:00Z": local time with a Z that is
    not UTC), then v2 corrected and saved by Excel 20 minutes later (09:20 UTC, true UTC).
    Both attachments dropped in the folder at the same moment (same mtime)."""
    action = action_entiere(protocole, code)
    v1 = retour(protocole, base, dossier, "v1_libreoffice_heure_locale.xlsx", code, maj={action: {"valeurs": [11]}})
    v2 = retour(protocole, base, dossier, "v2_excel_utc_20min_plus_tard.xlsx", code, maj={action: {"valeurs": [22]}})
    horodater(v1, "2024-02-12T10:00:00Z", "LibreOffice")
    horodater(v2, "2024-02-12T09:20:00Z", "Microsoft Excel")
    depose = datetime(2024, 2, 12, 11, 0).timestamp()
    for f in (v1, v2):
        os.utime(f, (depose, depose))
    return v1, v2


# ---------------------------------------------------------------- kind 3: formula errors


ERREURS_FORMULE = {"=1/0": "#DIV/0!", "=NA()": "#N/A"}


def erreurs_de_formule(
    protocole, base: Path, dossier: Path, code: str = "JUSTICE", format_: str = "", lot=None
) -> tuple[Path, dict[str, str]]:
    """Two count cells holding =1/0 and =NA(): with the error results Excel caches, or typed as
    formulas and saved by LibreOffice as format_ ("xlsx", "ods", "xls"; it computes them).
    Returns the file and ref → what the pilot sees in the cell."""
    brut = retour(protocole, base, base / "brut", f"erreurs_{code}.xlsx", code)
    refs = cellules(brut)
    a, b = (refs[action_entiere(protocole, code, rang=k)]["valeur"] for k in (0, 1))
    if format_:

        def taper(wb) -> None:
            wb[d.FEUILLE_SAISIE][a] = "=1/0"
            wb[d.FEUILLE_SAISIE][b] = "=NA()"

        modifier(brut, taper)
        chemin = convertir(brut, format_, dossier, f"formules_en_erreur_div0_na_libreoffice.{format_}", lot)
    else:
        chemin = dossier / "formules_en_erreur_div0_na.xlsx"
        poser_formules(brut, {a: ("1/0", "#DIV/0!", "e"), b: ("NA()", "#N/A", "e")}, chemin)
    return chemin, {a: "#DIV/0!", b: "#N/A"}


# ---------------------------------------------------------------- kind 4: answers in a copied sheet


def reponses_dans_une_copie(
    protocole, base: Path, dossier: Path, original_rempli: bool = False, code: str = "CAF"
) -> Path:
    """The pilot duplicated "Saisie" into "Saisie (2)", filled the copy and left the original as
    generated (empty), or also filled (original_rempli)."""
    nom = "copie_saisie_2_remplie" + ("_et_originale" if original_rempli else "") + ".xlsx"
    rempli = retour(protocole, base, base / "brut", nom, code)
    vide = base / "gabarits" / d.nom_fichier(ANNEE, code)
    plein = load_workbook(rempli)

    def copier(wb) -> None:
        source = wb[d.FEUILLE_SAISIE] if not original_rempli else plein[d.FEUILLE_SAISIE]
        copie = wb.copy_worksheet(wb[d.FEUILLE_SAISIE])
        copie.title = "Saisie (2)"
        for ligne in plein[d.FEUILLE_SAISIE].iter_rows():
            for c in ligne:
                copie.cell(c.row, c.column).value = c.value
        if original_rempli:
            for ligne in source.iter_rows():
                for c in ligne:
                    wb[d.FEUILLE_SAISIE].cell(c.row, c.column).value = c.value
        wb.active = wb.sheetnames.index("Saisie (2)")

    return modifier(vide, copier, sortie=dossier / nom)


# ---------------------------------------------------------------- kind 5: floating-point noise


BRUIT = {"=70*1.1": "77.000000000000014", "=0.1*30": "3.0000000000000004"}


def bruit_flottant(protocole, base: Path, dossier: Path, code: str = "PREFECTURE") -> tuple[Path, dict[str, int]]:
    """Two count cells holding =70*1.1 and =0.1*30 with the results Excel caches for them."""
    refs = cellules(retour(protocole, base, base / "brut", "bruit.xlsx", code))
    a, b = (refs[action_entiere(protocole, code, rang=k)]["valeur"] for k in (0, 1))
    chemin = dossier / "bruit_flottant_77_et_3.xlsx"
    poser_formules(
        base / "brut" / "bruit.xlsx",
        {a: ("70*1.1", "77.000000000000014", "n"), b: ("0.1*30", "3.0000000000000004", "n")},
        chemin,
    )
    return chemin, {a: 77, b: 3}


# ---------------------------------------------------------------- kind 6: merged cells


def cellules_fusionnees(protocole, base: Path, dossier: Path, code: str = PILOTE) -> tuple[Path, dict[str, list[str]]]:
    """Sheet unprotected; one status merged over two action rows (G), one observation merged over
    three (N). Returns the file and merged range → the action codes it covers."""
    chemin = retour(protocole, base, dossier, "cellules_fusionnees_statut_et_observations.xlsx", code)
    refs = cellules(chemin)
    codes = list(refs)
    lettre_s = re.match(r"[A-Z]+", refs[codes[1]]["statut"]).group(0)
    lettre_o = re.match(r"[A-Z]+", refs[codes[2]]["observations"]).group(0)
    l1, l2 = int(refs[codes[1]]["ligne"]), int(refs[codes[4]]["ligne"])
    plage_s = f"{lettre_s}{l1}:{lettre_s}{l1 + 1}"
    plage_o = f"{lettre_o}{l2}:{lettre_o}{l2 + 2}"

    def fusionner(wb) -> None:
        sans_protection(wb)
        ws = wb[d.FEUILLE_SAISIE]
        ws.merge_cells(plage_s)
        ws.merge_cells(plage_o)

    modifier(chemin, fusionner)
    return chemin, {plage_s: codes[1:3], plage_o: codes[4:7]}


# ---------------------------------------------------------------- kind 7: numbers typed as text


NOMBRES_TEXTE = {"1 200,00": 1200, "1.200": None, "1,200": None, "1.234.567": None}


def nombres_en_texte(protocole, base: Path, dossier: Path, code: str = "COLLECTIVITES") -> tuple[Path, dict[str, str]]:
    """Four count cells typed as text: "1 200,00" (French decimals: 1200) and three ambiguous
    thousands separators. Returns the file and ref → text typed."""
    codes = [action_entiere(protocole, code, rang=k) for k in range(4)]
    maj = {c: {"statut": "EFFECTUÉE", "valeurs": [t]} for c, t in zip(codes, NOMBRES_TEXTE, strict=True)}
    chemin = retour(protocole, base, dossier, "nombres_saisis_en_texte.xlsx", code, maj=maj)
    refs = cellules(chemin)
    return chemin, {refs[c]["valeur"]: t for c, t in zip(codes, NOMBRES_TEXTE, strict=True)}


# ---------------------------------------------------------------- kind 8: Strict Open XML

# Transitional namespace → the one Excel writes in "Strict Open XML Spreadsheet" files.
STRICT = {
    b"http://schemas.openxmlformats.org/spreadsheetml/2006/main": b"http://purl.oclc.org/ooxml/spreadsheetml/main",
    b"http://schemas.openxmlformats.org/officeDocument/2006/relationships": b"http://purl.oclc.org/ooxml/officeDocument/relationships",
    b"http://schemas.openxmlformats.org/drawingml/2006/main": b"http://purl.oclc.org/ooxml/drawingml/main",
    b"http://schemas.openxmlformats.org/officeDocument/2006/extended-properties": b"http://purl.oclc.org/ooxml/officeDocument/extendedProperties",
    b"http://schemas.openxmlformats.org/officeDocument/2006/custom-properties": b"http://purl.oclc.org/ooxml/officeDocument/customProperties",
    b"http://schemas.openxmlformats.org/officeDocument/2006/docPropsVTypes": b"http://purl.oclc.org/ooxml/officeDocument/docPropsVTypes",
}


def strict_open_xml(protocole, base: Path, dossier: Path, code: str = "SIAO") -> tuple[Path, str]:
    """A return with one unknown status, saved as "Strict Open XML Spreadsheet" (Excel's
    Save As option): same parts, ISO namespaces, conformance="strict". Returns the file and the
    status cell in error."""
    action = action_entiere(protocole, code)
    brut = retour(protocole, base, base / "brut", "strict.xlsx", code, maj={action: {"statut": "FINI"}})
    ref = cellules(brut)[action]["statut"]

    def changer(nom: str, donnees: bytes) -> bytes:
        if nom.endswith(".rels") or nom == "[Content_Types].xml" or not nom.endswith(".xml"):
            texte = donnees
            if nom.endswith(".rels"):  # relationship types move to the ISO namespace too
                texte = texte.replace(
                    b"http://schemas.openxmlformats.org/officeDocument/2006/relationships/",
                    b"http://purl.oclc.org/ooxml/officeDocument/relationships/",
                )
            return texte
        for ancien, nouveau in STRICT.items():
            donnees = donnees.replace(ancien, nouveau)
        if nom == "xl/workbook.xml":
            donnees = donnees.replace(b"<workbook ", b'<workbook conformance="strict" ', 1)
        return donnees

    return reecrire_membres(brut, changer, dossier / "strict_open_xml_statut_inconnu.xlsx"), ref


# ---------------------------------------------------------------- kind 9: CSV


def export_csv(protocole, base: Path, dossier: Path, nom: str, code: str = "UGA") -> Path:
    """What LibreOffice's "Save As → Text CSV" writes for the Saisie sheet: UTF-8, comma
    separated, quoted when needed (the csv module writes the same; a LibreOffice run costs ~6 s)."""
    rempli = retour(protocole, base, base / "brut", f"pour_csv_{code}.xlsx", code)
    ws = load_workbook(rempli)[d.FEUILLE_SAISIE]
    tampon = io.StringIO()
    ecrivain = csv.writer(tampon, lineterminator="\n")
    for ligne in ws.iter_rows(values_only=True):
        ecrivain.writerow(["" if v is None else v for v in ligne])
    dossier.mkdir(parents=True, exist_ok=True)
    (dossier / nom).write_text(tampon.getvalue(), encoding="utf-8")
    return dossier / nom


# ---------------------------------------------------------------- kind 10: .ods return with anomalies


def ods_a_corriger(
    protocole, base: Path, dossier: Path, code: str = "ASSOCIATIONS_SPECIALISEES", lot=None
) -> tuple[Path, str]:
    """A return with one unknown status saved by LibreOffice as .ods (needs LibreOffice).
    Returns the file and the action code in error."""
    action = action_entiere(protocole, code)
    brut = retour(protocole, base, base / "brut", "ods_a_corriger.xlsx", code, maj={action: {"statut": "FINI"}})
    return convertir(brut, "ods", dossier, "retour_ods_statut_inconnu.ods", lot), action


# ---------------------------------------------------------------- the whole folder


def dossier_complet(protocole, base: Path, dossier: Path, libreoffice: bool = LIBREOFFICE) -> dict:
    """Every fault kind in one returns folder, each from its own pilot, plus a valid return (ARS).
    Returns what each builder returned, by name."""
    dossier.mkdir(parents=True, exist_ok=True)
    faits: dict = {
        "valide": retour(protocole, base, dossier, "retour_valide_ARS.xlsx", "ARS"),
        "loin": valeur_lointaine(protocole, base, dossier),
        "loin_n": valeur_lointaine(protocole, base, dossier, ref="N1048576", code="SPIP"),
        "versions": deux_versions_fuseaux(protocole, base, dossier),
        "erreurs": erreurs_de_formule(protocole, base, dossier),
        "copie": reponses_dans_une_copie(protocole, base, dossier),
        "bruit": bruit_flottant(protocole, base, dossier),
        "fusion": cellules_fusionnees(protocole, base, dossier),
        "texte": nombres_en_texte(protocole, base, dossier),
        "strict": strict_open_xml(protocole, base, dossier),
        "csv_renomme": export_csv(protocole, base, dossier, "export_csv_renomme.xlsx", "FRANCE_VICTIMES_GRENOBLE"),
        "csv": export_csv(protocole, base, dossier, "export_libreoffice.csv", "UGA"),
    }
    if libreoffice:
        lot: dict = {}
        faits["loin_lo_xlsx"] = valeur_lointaine(protocole, base, dossier, code="RIVHAJ", format_="xlsx", lot=lot)
        faits["loin_lo_ods"] = valeur_lointaine(protocole, base, dossier, code="DTPJJ", format_="ods", lot=lot)
        for code, fmt in (("EDUCATION_NATIONALE", "xlsx"), ("DDETS", "ods"), ("GENDARMERIE", "xls")):
            faits[f"erreurs_lo_{fmt}"] = erreurs_de_formule(protocole, base, dossier, code, fmt, lot=lot)
        faits["ods"] = ods_a_corriger(protocole, base, dossier, lot=lot)
        vider_lot(lot)
    return faits
