"""The pilots' address book, contacts.xlsx: blank and demo books, reading, pilots without an address."""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from vif38_bilan.commun.ecriture import enregistrer_classeur, mettre_texte
from vif38_bilan.espace.reglages import FICHIER_CONTACTS, lire_adresse
from vif38_bilan.exceptions import ConfigurationInvalide
from vif38_bilan.referentiel.pilotes import cle
from vif38_bilan.referentiel.protocole import Protocole
from vif38_bilan.commun.textes import sans_accents
from vif38_bilan.exceptions import FichierRefuse
from vif38_bilan.lecture.classeur import lire_classeur, lire_feuille

FEUILLE_CONTACTS = "Contacts"
FEUILLE_PILOTES = "Pilotes"
FEUILLE_MODE = "Mode d'emploi"

COL_CODE = "Code pilote"
COL_STRUCTURE = "Structure"
COL_ORGANISATION = "Organisation"
COL_NOM = "Nom du contact"
COL_COURRIEL = "Courriel"
COL_COPIE = "Copie (courriels séparés par ;)"
COL_REMARQUE = "Remarque"
COLONNES_CONTACTS = (COL_CODE, COL_STRUCTURE, COL_ORGANISATION, COL_NOM, COL_COURRIEL, COL_COPIE, COL_REMARQUE)


@dataclass(frozen=True)
class Contact:
    """One row of contacts.xlsx."""

    pilote: str
    structure: str
    organisation: str
    nom: str
    courriel: str  # "" when none
    copie: tuple[str, ...]
    ligne: int  # row number in the sheet, as Excel shows it


def creer_contacts_vierges(protocole: Protocole, chemin: str | Path, ecraser: bool = False) -> Path:
    """Write a blank contacts.xlsx: one row per active pilot, organisation pre-filled."""
    chemin = Path(chemin)
    if chemin.exists() and not ecraser:
        raise ConfigurationInvalide(f"Le fichier « {chemin} » existe déjà : il n'a pas été remplacé.")
    lignes = []
    for p in protocole.pilotes_actifs():
        remarque = (
            "Pilote collectif : ajoutez une ligne par structure (même code pilote, nom de la structure "
            "en colonne Structure)."
            if p.collectif
            else ""
        )
        lignes.append((p.code, "", p.nom, "", "", "", remarque))
    return _ecrire_contacts(protocole, chemin, lignes)


def contacts_demo(
    protocole: Protocole,
    chemin: str | Path,
    structures: Mapping[str, Sequence[str]] | None = None,
    sans_courriel: Sequence[str] = (),
) -> Path:
    """Write a filled contacts.xlsx with invented people and addresses under exemple.invalid.

    structures: collective pilot code → structure names (one row each, with its own address).
    sans_courriel: pilot codes left without an address (to show the listing).
    """
    structures = {"ASSOCIATIONS": ("Association Alpha", "Association Bêta")} if structures is None else structures
    prenoms = ("Camille", "Dominique", "Claude", "Alix", "Sacha", "Morgan", "Charlie", "Louison")
    lignes = []
    n = 0
    for p in protocole.pilotes_actifs():
        noms_structures = list(structures.get(p.code, ())) or [""]
        for s in noms_structures:
            n += 1
            local = slug(s or p.code).lower()
            courriel = "" if p.code in sans_courriel else f"{local}@exemple.invalid"
            nom = f"{prenoms[n % len(prenoms)]} Démo-{n:02d}"
            copie = "ddfe-copie@exemple.invalid" if p.code == "JUSTICE" and courriel else ""
            lignes.append((p.code, s, p.nom, nom, courriel, copie, "Contact fictif (démonstration)"))
    return _ecrire_contacts(protocole, Path(chemin), lignes)


def _ecrire_contacts(protocole: Protocole, chemin: Path, lignes: list[tuple[str, ...]]) -> Path:
    from openpyxl import Workbook
    from openpyxl.styles import Alignment, Font, PatternFill
    from openpyxl.worksheet.datavalidation import DataValidation

    wb = Workbook()
    ws = wb.active
    ws.title = FEUILLE_CONTACTS
    gras = Font(bold=True, color="FFFFFF")
    fond = PatternFill("solid", fgColor="5B2C6F")
    for j, titre in enumerate(COLONNES_CONTACTS, start=1):
        c = ws.cell(row=1, column=j)
        mettre_texte(c, titre)
        c.font = gras
        c.fill = fond
        c.alignment = Alignment(wrap_text=True, vertical="center")
    for i, ligne in enumerate(lignes, start=2):
        for j, v in enumerate(ligne, start=1):
            mettre_texte(ws.cell(row=i, column=j), v)
    for lettre, largeur in zip("ABCDEFG", (26, 30, 45, 26, 34, 40, 50), strict=True):
        ws.column_dimensions[lettre].width = largeur
    ws.freeze_panes = "A2"
    ws.auto_filter.ref = f"A1:G{max(2, len(lignes) + 1)}"

    pil = wb.create_sheet(FEUILLE_PILOTES)
    for j, titre in enumerate(("Code pilote", "Nom", "Collectif", "Nombre d'actions"), start=1):
        mettre_texte(pil.cell(row=1, column=j), titre)
        pil.cell(row=1, column=j).font = Font(bold=True)
    actifs = protocole.pilotes_actifs()
    for i, p in enumerate(actifs, start=2):
        mettre_texte(pil.cell(row=i, column=1), p.code)
        mettre_texte(pil.cell(row=i, column=2), p.nom)
        mettre_texte(pil.cell(row=i, column=3), "oui" if p.collectif else "non")
        pil.cell(row=i, column=4).value = len(protocole.actions_du_pilote(p.code))
    pil.column_dimensions["A"].width = 30
    pil.column_dimensions["B"].width = 70
    if actifs:
        dv = DataValidation(
            type="list",
            formula1=f"={FEUILLE_PILOTES}!$A$2:$A${len(actifs) + 1}",
            allow_blank=True,
            showErrorMessage=True,
            errorTitle="Code pilote inconnu",
            error="Choisissez un code de la feuille « Pilotes ».",
        )
        ws.add_data_validation(dv)
        dv.add("A2:A1000")

    mode = wb.create_sheet(FEUILLE_MODE)
    texte = (
        "Carnet d'adresses des pilotes, utilisé par « vif38-bilan courriels ».",
        "",
        "Une ligne par destinataire. Le code pilote (colonne A) est celui de la feuille « Pilotes ».",
        "Pilotes collectifs (Associations, Communes…) : une ligne par structure, avec le même code "
        "pilote et le nom de la structure en colonne Structure. Ce nom doit être celui que la structure "
        "écrit dans son classeur, pour les relances et les corrections.",
        "Courriel : une seule adresse. Copie : une ou plusieurs adresses séparées par des points-virgules.",
        "Un pilote sans adresse ne reçoit pas de brouillon : il est listé par la commande.",
        "N'ajoutez pas de colonnes avant « Code pilote » et ne renommez pas les en-têtes.",
    )
    for i, t in enumerate(texte, start=1):
        mettre_texte(mode.cell(row=i, column=1), t)
    mode.column_dimensions["A"].width = 120
    return enregistrer_classeur(wb, chemin)


# Header labels as the agent may retype them (compared with pilotes.cle).
_ENTETES = {
    COL_CODE: {"code pilote", "code"},
    COL_STRUCTURE: {"structure"},
    COL_ORGANISATION: {"organisation"},
    COL_NOM: {"nom du contact", "contact", "nom"},
    COL_COURRIEL: {"courriel", "e-mail", "email", "mail", "adresse"},
    COL_COPIE: {"copie", "cc"},
}


def _texte(v: Any) -> str:
    if v is None:
        return ""
    if isinstance(v, float) and v.is_integer():
        v = int(v)
    return re.sub(r"\s+", " ", str(v)).strip()


def lire_contacts(protocole: Protocole, chemin: str | Path) -> tuple[list[Contact], list[str]]:
    """Read contacts.xlsx with python-calamine.

    Returns:
        (contacts, problems in French naming the row); a faulty row is skipped, the others are read.
    Raises:
        ConfigurationInvalide: the file is missing, unreadable or has no expected headers.
    """
    chemin = Path(chemin)
    feuille, lignes = _feuille_contacts(chemin)
    entete, cols = _entetes_contacts(lignes)
    if entete is None or COL_COURRIEL not in cols:
        raise ConfigurationInvalide(
            f"Le carnet d'adresses « {chemin} » (feuille « {feuille} ») n'a pas les en-têtes attendus "
            f"« {COL_CODE} » et « {COL_COURRIEL} » : rétablissez-les, ou supprimez le fichier pour qu'un "
            "modèle vierge soit recréé."
        )
    contacts: list[Contact] = []
    problemes: list[str] = []
    vus: dict[tuple[str, str, str], int] = {}
    noms = (COL_CODE, COL_STRUCTURE, COL_ORGANISATION, COL_NOM, COL_COURRIEL, COL_COPIE)
    for i, ligne in enumerate(lignes[entete + 1 :], start=entete + 2):
        valeurs = {n: _texte(ligne[cols[n]]) if n in cols and cols[n] < len(ligne) else "" for n in noms}
        if any(valeurs.values()):
            contact = _contact(protocole, valeurs, f"{chemin.name}, ligne {i}", i, problemes, vus)
            if contact is not None:
                contacts.append(contact)
    return contacts, problemes


def _feuille_contacts(chemin: Path) -> tuple[str, list[list[Any]]]:
    """(sheet name, its rows) of the address book; ConfigurationInvalide when it cannot be read."""
    if not chemin.is_file():
        raise ConfigurationInvalide(f"Le carnet d'adresses « {chemin} » est introuvable.")
    try:
        wb = lire_classeur(chemin).ouvrir()  # checked bytes; calamine failures and panics contained
        noms = wb.sheet_names
        feuille = next((n for n in noms if cle(n) == cle(FEUILLE_CONTACTS)), noms[0] if noms else None)
        if feuille is None:
            raise ConfigurationInvalide(f"Le carnet d'adresses « {chemin} » ne contient aucune feuille.")
        return feuille, lire_feuille(wb, feuille, skip_empty_area=False)[0]
    except FichierRefuse as e:
        raise ConfigurationInvalide(f"Le carnet d'adresses « {chemin} » est illisible : {e}") from e
    except ConfigurationInvalide:
        raise
    except Exception as e:  # calamine raises its own error types for broken files
        raise ConfigurationInvalide(
            f"Le carnet d'adresses « {chemin} » est illisible ({e}) : enregistrez-le au format .xlsx depuis Excel "
            "ou LibreOffice, ou supprimez-le pour qu'un modèle vierge soit recréé."
        ) from e


def _entetes_contacts(lignes: list[list[Any]]) -> tuple[int | None, dict[str, int]]:
    """Header row found by its labels in the first ten rows (a title row above it is tolerated)."""
    for i, ligne in enumerate(lignes[:10]):
        textes = [cle(_texte(v)) for v in ligne]
        if any(t in _ENTETES[COL_CODE] for t in textes):
            cols: dict[str, int] = {}
            for j, t in enumerate(textes):
                for nom, variantes in _ENTETES.items():
                    if t in variantes or (nom == COL_COPIE and t.startswith("copie")):
                        cols.setdefault(nom, j)
            return i, cols
    return None, {}


def _adresses_copie(texte: str) -> tuple[list[str], list[str]]:
    """(addresses read, French faults) of a "Copie" cell, addresses separated by ; , or lines."""
    copie, mauvaises = [], []
    for morceau in re.split(r"[;,\n]", texte):
        if morceau.strip():
            try:
                copie.append(lire_adresse(morceau))
            except ValueError as e:
                mauvaises.append(str(e))
    return copie, mauvaises


def _contact(
    protocole: Protocole, valeurs: dict[str, str], lieu: str, i: int, problemes: list[str],
    vus: dict[tuple[str, str, str], int],
) -> Contact | None:  # fmt: skip
    """One row's contact, or None with its problem added (the row is skipped)."""
    actifs = {p.code for p in protocole.pilotes_actifs()}
    code_brut = valeurs[COL_CODE]
    if not code_brut:
        problemes.append(f"{lieu} : le code pilote est vide. Choisissez-le dans la feuille « {FEUILLE_PILOTES} ».")
        return None
    code = _code_pilote(protocole, code_brut)
    if code is None:
        problemes.append(
            f"{lieu} : code pilote « {code_brut} » inconnu. Utilisez un code de la feuille « {FEUILLE_PILOTES} » "
            f"(par exemple {', '.join(sorted(actifs)[:4])}…)."
        )
        return None
    if code not in actifs:
        problemes.append(f"{lieu} : le pilote « {code} » n'a aucune action dans le protocole : supprimez la ligne.")
        return None
    courriel = ""
    if valeurs[COL_COURRIEL]:
        try:
            courriel = lire_adresse(valeurs[COL_COURRIEL])
        except ValueError as e:
            problemes.append(f"{lieu}, colonne « {COL_COURRIEL} » : {e}. Corrigez-la.")
            return None
    copie, mauvaises = _adresses_copie(valeurs[COL_COPIE])
    if mauvaises:
        problemes.append(
            f"{lieu}, colonne « Copie » : {' ; '.join(mauvaises)}. Séparez les adresses par des points-virgules."
        )
        return None
    if copie and not courriel:
        problemes.append(
            f"{lieu} : une adresse en copie mais aucun courriel principal. Renseignez la colonne « {COL_COURRIEL} »."
        )
        return None
    cle_ligne = (code, cle(valeurs[COL_STRUCTURE]), courriel.lower())
    if courriel and cle_ligne in vus:
        problemes.append(
            f"{lieu} répète la ligne {vus[cle_ligne]} (même pilote, structure et courriel) : supprimez-la."
        )
        return None
    vus[cle_ligne] = i
    return Contact(
        pilote=code,
        structure=valeurs[COL_STRUCTURE],
        organisation=valeurs[COL_ORGANISATION] or protocole.pilote(code).nom,
        nom=valeurs[COL_NOM],
        courriel=courriel,
        copie=tuple(dict.fromkeys(copie)),
        ligne=i,
    )


def _code_pilote(protocole: Protocole, texte: str) -> str | None:
    codes = {cle(p.code): p.code for p in protocole.pilotes}
    if cle(texte) in codes:
        return codes[cle(texte)]
    trouve = protocole.annuaire.chercher(texte)
    return trouve[0] if trouve and len(trouve) == 1 else None


def sans_courriel(protocole: Protocole, contacts: Sequence[Contact]) -> list[str]:
    """Active pilots with no row holding an address, as French lines."""
    avec = {c.pilote for c in contacts if c.courriel}
    return [f"{p.code} ({p.nom})" for p in protocole.pilotes_actifs() if p.code not in avec]


def charger_contacts(protocole: Protocole, racine: Path) -> list[Contact]:
    """Read the workspace's contacts.xlsx; create a blank one when missing; refuse on problems."""
    chemin = Path(racine) / FICHIER_CONTACTS
    if not chemin.exists():
        creer_contacts_vierges(protocole, chemin)
        raise ConfigurationInvalide(
            f"Le carnet d'adresses « {chemin} » n'existait pas : un modèle vient d'être créé. "
            "Renseignez l'adresse de chaque pilote (colonne Courriel), enregistrez, puis relancez la commande."
        )
    contacts, problemes = lire_contacts(protocole, chemin)
    if problemes:
        lignes = "\n".join(f"  - {p}" for p in problemes)
        raise ConfigurationInvalide(
            f"Le carnet d'adresses « {chemin} » contient {len(problemes)} problème(s) :\n{lignes}\n"
            "Corrigez-le puis relancez la commande (aucun courriel n'a été préparé)."
        )
    return contacts


def slug(texte: str) -> str:
    """ASCII letters and digits joined by hyphens (file names, demo addresses)."""
    return re.sub(r"[^A-Za-z0-9]+", "-", sans_accents(texte)).strip("-")[:60] or "x"
