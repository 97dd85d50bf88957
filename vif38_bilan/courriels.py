"""The mail loop: contacts, .eml drafts (envoi, relance, correction), optional SMTP sending, journal.

Drafts are plain files the agent opens in Outlook or Thunderbird. Sending over SMTP is the only
network access of the whole tool, and happens only with `courriels --envoyer`.
"""

from __future__ import annotations

import contextlib
import csv
import hashlib
import io
import re
import smtplib
import ssl
import string
import unicodedata
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import datetime
from email import policy
from email.headerregistry import Address
from email.message import EmailMessage
from email.parser import BytesParser
from email.utils import formatdate, make_msgid
from pathlib import Path
from typing import Any

from vif38_bilan import disposition
from vif38_bilan.ecriture import ecrire_atomique, ecrire_octets, enregistrer_classeur, mettre_texte, verrou
from vif38_bilan.exceptions import ConfigurationInvalide, SortieBloquee, Vif38Error
from vif38_bilan.pilotes import cle
from vif38_bilan.referentiel import Protocole

FICHIER_CONTACTS = "contacts.xlsx"
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

ENVOI = "envoi"
RELANCE = "relance"
CORRECTION = "correction"
TYPES = (ENVOI, RELANCE, CORRECTION)

ENVOYE = "envoyé"
ECHEC = "échec"
JOURNAL = "journal.csv"
COLONNES_JOURNAL = (
    "date",
    "type",
    "pilote",
    "structure",
    "destinataire",
    "copie",
    "piece_jointe",
    "sha256",
    "resultat",
    "detail",
)
VARIABLE_MOT_DE_PASSE = "VIF38_SMTP_MOT_DE_PASSE"

TYPE_XLSX = ("application", "vnd.openxmlformats-officedocument.spreadsheetml.sheet")
TYPES_PIECES = {
    ".xlsx": TYPE_XLSX,
    ".xlsm": ("application", "vnd.ms-excel.sheet.macroEnabled.12"),
    ".ods": ("application", "vnd.oasis.opendocument.spreadsheet"),
    ".xls": ("application", "vnd.ms-excel"),
}

# Our own headers: mark a draft as written by the tool (stale drafts are removed on re-run).
ENTETE_TYPE = "X-Vif38-Type"
ENTETE_PILOTE = "X-Vif38-Pilote"

# CRLF, and every part 7-bit (quoted-printable or base64): safe for any server, with or without 8BITMIME.
POLITIQUE = policy.SMTP.clone(cte_type="7bit")

ANOMALIES_MAX = 60
DESCRIPTION_MAX = 110

_ADRESSE = re.compile(
    r"^[A-Za-z0-9!#$%&'*+/=?^_`{|}~-]+(\.[A-Za-z0-9!#$%&'*+/=?^_`{|}~-]+)*"
    r"@([A-Za-z0-9]([A-Za-z0-9-]*[A-Za-z0-9])?\.)+[A-Za-z]{2,63}$"
)

# ------------------------------------------------------------------ default texts

SUJETS = {
    ENVOI: "Bilan {annee} du protocole départemental VIF : classeur à compléter ({destinataire})",
    RELANCE: "Relance : bilan {annee} du protocole départemental VIF ({destinataire})",
    CORRECTION: "Bilan {annee} du protocole départemental VIF : classeur à corriger ({destinataire})",
}

# Paragraphs are single lines (joined by the backslashes): the mail client wraps them.
CORPS = {
    ENVOI: """\
Bonjour,

Dans le cadre du bilan {annee} du protocole départemental de prévention et de lutte contre les \
violences faites aux femmes et les violences intrafamiliales, vous trouverez ci-joint le classeur \
de collecte de : {destinataire}.

Il porte sur les actions dont vous êtes pilote ou co-pilote :
{actions}

Pour chaque action, merci d'indiquer le statut {annee}, la valeur des indicateurs et vos \
observations, puis de renvoyer le classeur complété, sans le renommer ni modifier ses onglets, \
avant le {date_limite} à l'adresse {courriel}.

Les observations ne doivent contenir que des données globales, jamais l'identité d'une victime.

Bien cordialement,
{service}
""",
    RELANCE: """\
Bonjour,

Sauf erreur de notre part, nous n'avons pas encore reçu le classeur de bilan {annee} du protocole \
départemental de lutte contre les violences faites aux femmes pour : {destinataire}.

Vous le trouverez à nouveau ci-joint. Il porte sur les actions suivantes :
{actions}

Merci de nous le renvoyer complété avant le {date_limite} à l'adresse {courriel}. Si vous l'avez \
déjà envoyé, merci de ne pas tenir compte de ce message.

Bien cordialement,
{service}
""",
    CORRECTION: """\
Bonjour,

Merci pour votre retour du classeur de bilan {annee} ({destinataire}). Le contrôle a relevé les \
points suivants :

{anomalies}

Vous trouverez ci-joint votre classeur, où ces cellules sont colorées (rouge : à corriger, \
orange : à vérifier) avec une explication en commentaire. Merci de le corriger et de nous le \
renvoyer avant le {date_limite} à l'adresse {courriel}.

Bien cordialement,
{service}
""",
}

VARIABLES = {
    "pilote": "nom du pilote (colonne Organisation de contacts.xlsx)",
    "code_pilote": "code du pilote (DDFE, JUSTICE…)",
    "structure": "structure (colonne Structure), vide si aucune",
    "destinataire": "la structure si elle est renseignée, sinon le pilote",
    "contact": "nom du contact",
    "annee": "année du bilan",
    "date_limite": "date limite de retour (date_limite de vif38.toml)",
    "actions": "liste des actions du pilote",
    "anomalies": "liste des anomalies relevées (courriels de correction)",
    "service": "service coordonnateur (service de vif38.toml)",
    "courriel": "adresse de retour (courriel de vif38.toml)",
}
CLES_TEXTES = tuple(f"{genre}_{t}" for t in TYPES for genre in ("sujet", "corps"))


# ------------------------------------------------------------------ model


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


@dataclass(frozen=True)
class PieceJointe:
    chemin: Path
    nom: str
    sha256: str


@dataclass(frozen=True)
class Brouillon:
    """One draft written as .eml: one recipient, its attachments."""

    type: str
    pilote: str
    structure: str
    destinataire: str
    nom_destinataire: str
    copie: tuple[str, ...]
    sujet: str
    corps: str
    pieces: tuple[PieceJointe, ...]
    chemin: Path

    @property
    def empreinte(self) -> str:
        """SHA-256 of the attachment(s), the no-resend key with type and recipient."""
        return ";".join(p.sha256 for p in self.pieces)

    @property
    def noms_pieces(self) -> str:
        return ";".join(p.nom for p in self.pieces)


@dataclass
class Preparation:
    annee: int
    type: str
    dossier: Path  # sorties/AAAA/courriels/<type>
    journal: Path
    expediteur: str
    brouillons: list[Brouillon]
    sans_adresse: list[str]  # French lines: who gets no draft, and why
    supprimes: list[Path] = field(default_factory=list)  # stale drafts of a previous run
    remarques: list[str] = field(default_factory=list)


@dataclass(frozen=True)
class PlanEnvoi:
    a_envoyer: list[Brouillon]
    deja_envoyes: list[tuple[Brouillon, str]]  # draft, date it was sent


@dataclass(frozen=True)
class ResultatEnvoi:
    brouillon: Brouillon
    resultat: str  # ENVOYE | ECHEC | "déjà envoyé"
    detail: str = ""


@dataclass(frozen=True)
class ParametresSmtp:
    hote: str
    port: int = 587
    starttls: bool = True
    ssl: bool = False  # implicit TLS (port 465)
    utilisateur: str = ""
    expediteur: str = ""
    delai: float = 30.0


@dataclass
class _Cible:
    """A recipient before rendering: a contact row (or an address found in a return)."""

    contact: Contact
    pieces: list[PieceJointe] = field(default_factory=list)
    blocs: list[tuple[str, str, list[Any]]] = field(default_factory=list)  # (file, note, anomalies)


# ------------------------------------------------------------------ contacts


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
            local = _slug(s or p.code).lower()
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


def lire_adresse(texte: str) -> str:
    """Normalise one e-mail address ("Nom <a@b.fr>", "mailto:a@b.fr" accepted); ValueError if malformed."""
    t = texte.strip().strip(";,").strip()
    m = re.fullmatch(r"[^<>]*<([^<>]+)>", t)
    adresse = (m.group(1) if m else t).strip()
    if adresse.lower().startswith("mailto:"):
        adresse = adresse[7:].strip()
    if not _ADRESSE.match(adresse):
        raise ValueError(
            f"« {texte.strip()} » n'est pas une adresse de courriel valable (exemple : prenom.nom@isere.gouv.fr)"
        )
    return adresse


def lire_contacts(protocole: Protocole, chemin: str | Path) -> tuple[list[Contact], list[str]]:
    """Read contacts.xlsx with python-calamine. Returns (contacts, problems in French naming the row)."""
    from vif38_bilan.exceptions import FichierRefuse
    from vif38_bilan.lecture import lire_classeur, lire_feuille

    chemin = Path(chemin)
    if not chemin.is_file():
        raise ConfigurationInvalide(f"Le carnet d'adresses « {chemin} » est introuvable.")
    try:
        wb = lire_classeur(chemin).ouvrir()  # checked bytes; calamine failures and panics contained
        noms = wb.sheet_names
        feuille = next((n for n in noms if cle(n) == cle(FEUILLE_CONTACTS)), noms[0] if noms else None)
        if feuille is None:
            raise ConfigurationInvalide(f"Le carnet d'adresses « {chemin} » ne contient aucune feuille.")
        lignes = lire_feuille(wb, feuille, skip_empty_area=False)[0]
    except FichierRefuse as e:
        raise ConfigurationInvalide(f"Le carnet d'adresses « {chemin} » est illisible : {e}") from e
    except ConfigurationInvalide:
        raise
    except Exception as e:  # calamine raises its own error types for broken files
        raise ConfigurationInvalide(
            f"Le carnet d'adresses « {chemin} » est illisible ({e}) : enregistrez-le au format .xlsx depuis Excel "
            "ou LibreOffice, ou supprimez-le pour qu'un modèle vierge soit recréé."
        ) from e

    # Header found by its labels, in the first ten rows (a title row above it is tolerated).
    entete, cols = None, {}
    for i, ligne in enumerate(lignes[:10]):
        textes = [cle(_texte(v)) for v in ligne]
        if any(t in _ENTETES[COL_CODE] for t in textes):
            entete = i
            for j, t in enumerate(textes):
                for nom, variantes in _ENTETES.items():
                    if t in variantes or (nom == COL_COPIE and t.startswith("copie")):
                        cols.setdefault(nom, j)
            break
    if entete is None or COL_COURRIEL not in cols:
        raise ConfigurationInvalide(
            f"Le carnet d'adresses « {chemin} » (feuille « {feuille} ») n'a pas les en-têtes attendus "
            f"« {COL_CODE} » et « {COL_COURRIEL} » : rétablissez-les, ou supprimez le fichier pour qu'un "
            "modèle vierge soit recréé."
        )

    def cellule(ligne: list[Any], nom: str) -> str:
        j = cols.get(nom)
        return _texte(ligne[j]) if j is not None and j < len(ligne) else ""

    actifs = {p.code for p in protocole.pilotes_actifs()}
    contacts: list[Contact] = []
    problemes: list[str] = []
    vus: dict[tuple[str, str, str], int] = {}
    for i, ligne in enumerate(lignes[entete + 1 :], start=entete + 2):
        valeurs = {
            nom: cellule(ligne, nom)
            for nom in (COL_CODE, COL_STRUCTURE, COL_ORGANISATION, COL_NOM, COL_COURRIEL, COL_COPIE)
        }
        if not any(valeurs.values()):
            continue
        lieu = f"{chemin.name}, ligne {i}"
        code_brut = valeurs[COL_CODE]
        if not code_brut:
            problemes.append(f"{lieu} : le code pilote est vide. Choisissez-le dans la feuille « {FEUILLE_PILOTES} ».")
            continue
        code = _code_pilote(protocole, code_brut)
        if code is None:
            problemes.append(
                f"{lieu} : code pilote « {code_brut} » inconnu. Utilisez un code de la feuille « {FEUILLE_PILOTES} » "
                f"(par exemple {', '.join(sorted(actifs)[:4])}…)."
            )
            continue
        if code not in actifs:
            problemes.append(f"{lieu} : le pilote « {code} » n'a aucune action dans le protocole : supprimez la ligne.")
            continue
        courriel = ""
        if valeurs[COL_COURRIEL]:
            try:
                courriel = lire_adresse(valeurs[COL_COURRIEL])
            except ValueError as e:
                problemes.append(f"{lieu}, colonne « {COL_COURRIEL} » : {e}. Corrigez-la.")
                continue
        copie: list[str] = []
        mauvaises = []
        for morceau in re.split(r"[;,\n]", valeurs[COL_COPIE]):
            if morceau.strip():
                try:
                    copie.append(lire_adresse(morceau))
                except ValueError as e:
                    mauvaises.append(str(e))
        if mauvaises:
            problemes.append(
                f"{lieu}, colonne « Copie » : {' ; '.join(mauvaises)}. Séparez les adresses par des points-virgules."
            )
            continue
        if copie and not courriel:
            problemes.append(
                f"{lieu} : une adresse en copie mais aucun courriel principal. Renseignez la colonne « {COL_COURRIEL} »."
            )
            continue
        cle_ligne = (code, cle(valeurs[COL_STRUCTURE]), courriel.lower())
        if courriel and cle_ligne in vus:
            problemes.append(
                f"{lieu} répète la ligne {vus[cle_ligne]} (même pilote, structure et courriel) : supprimez-la."
            )
            continue
        vus[cle_ligne] = i
        contacts.append(
            Contact(
                pilote=code,
                structure=valeurs[COL_STRUCTURE],
                organisation=valeurs[COL_ORGANISATION] or protocole.pilote(code).nom,
                nom=valeurs[COL_NOM],
                courriel=courriel,
                copie=tuple(dict.fromkeys(copie)),
                ligne=i,
            )
        )
    return contacts, problemes


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


# ------------------------------------------------------------------ texts


def textes_courriels(config: Any) -> dict[str, str]:
    """Default subject/body per type, overridden by [courriels] in vif38.toml; checked placeholders."""
    reglages = dict(getattr(config, "courriels", {}) or {})
    inconnues = sorted(set(reglages) - set(CLES_TEXTES))
    if inconnues:
        raise ConfigurationInvalide(
            f"vif38.toml, section [courriels] : clé(s) inconnue(s) {', '.join(inconnues)}. "
            f"Clés possibles : {', '.join(CLES_TEXTES)}."
        )
    textes: dict[str, str] = {}
    for t in TYPES:
        textes[f"sujet_{t}"] = SUJETS[t]
        textes[f"corps_{t}"] = CORPS[t]
    for k, v in reglages.items():
        if not isinstance(v, str) or not v.strip():
            raise ConfigurationInvalide(f"vif38.toml, [courriels] {k} : écrivez un texte entre guillemets (non vide).")
        textes[k] = v
    for k, v in textes.items():
        try:
            champs = [f for _, f, _, _ in string.Formatter().parse(v) if f is not None]
        except ValueError:
            raise ConfigurationInvalide(
                f"vif38.toml, [courriels] {k} : accolade isolée. Les variables s'écrivent {{annee}} ; "
                "pour une accolade seule, doublez-la ({{ ou }})."
            ) from None
        for f in champs:
            if f not in VARIABLES:
                raise ConfigurationInvalide(
                    f"vif38.toml, [courriels] {k} : variable {{{f}}} inconnue. "
                    f"Variables possibles : {', '.join('{' + n + '}' for n in VARIABLES)}."
                )
    return textes


def _rendre(modele: str, valeurs: dict[str, str], nom_cle: str) -> str:
    try:
        return modele.format_map(valeurs)
    except (ValueError, IndexError, KeyError) as e:
        raise ConfigurationInvalide(f"vif38.toml, [courriels] {nom_cle} : texte impossible à compléter ({e}).") from e


def _lignes_actions(protocole: Protocole, code: str) -> str:
    lignes = []
    for action, role in protocole.actions_du_pilote(code):
        d = re.sub(r"\s+", " ", action.description).strip()
        if len(d) > DESCRIPTION_MAX:
            d = d[: DESCRIPTION_MAX - 1].rstrip() + "…"
        lignes.append(f"  - {action.code} ({role}) : {d}")
    return "\n".join(lignes)


def _lignes_anomalies(anomalies: Sequence[Any]) -> str:
    from vif38_bilan.controle import ERREUR

    def ligne(a: Any) -> str:
        lieu = []
        if a.feuille:
            lieu.append(f"feuille « {a.feuille} »")
        if a.cellule:
            lieu.append(f"cellule {a.cellule}")
        if a.code_action:
            lieu.append(f"action {a.code_action}")
        return f"  - {', '.join(lieu) or 'classeur'} : {a.message}"

    erreurs = [a for a in anomalies if a.gravite == ERREUR]
    autres = [a for a in anomalies if a.gravite != ERREUR]
    blocs = []
    reste = ANOMALIES_MAX
    for titre, liste in (("À corriger", erreurs), ("À vérifier", autres)):
        if not liste:
            continue
        montrees = liste[:reste]
        reste -= len(montrees)
        texte = f"{titre} ({len(liste)}) :\n" + "\n".join(ligne(a) for a in montrees)
        if len(montrees) < len(liste):
            texte += f"\n  … et {len(liste) - len(montrees)} autre(s), signalée(s) dans le classeur joint."
        blocs.append(texte)
    return "\n\n".join(blocs)


# ------------------------------------------------------------------ drafts


def preparer_courriels(
    config: Any,
    protocole: Protocole,
    annee: int,
    type_: str = ENVOI,
    resultat: Any = None,
    maintenant: datetime | None = None,
) -> Preparation:
    """Write one .eml draft per recipient in sorties/AAAA/courriels/<type>/ and return what was done.

    resultat: a controle.ResultatControle for relance/correction; computed from saisies/AAAA when None.
    """
    if type_ not in TYPES:
        raise Vif38Error(f"Type de courriel « {type_} » inconnu : choisissez {', '.join(TYPES)}.")
    racine = Path(config.racine)
    textes = textes_courriels(config)
    contacts = charger_contacts(protocole, racine)
    sorties = config.dossier("sorties", annee)
    expediteur = str((config.smtp or {}).get("expediteur") or config.courriel or "").strip()
    retour = str(config.courriel or expediteur).strip()
    remarques: list[str] = []
    if expediteur:
        try:
            expediteur = lire_adresse(expediteur)
        except ValueError as e:
            raise ConfigurationInvalide(f"vif38.toml, adresse de l'expéditeur : {e}.") from None
    else:
        remarques.append(
            "Aucune adresse d'expéditeur dans vif38.toml (courriel = …) : les brouillons n'ont pas de champ "
            "« De » ; votre messagerie utilisera votre adresse habituelle."
        )

    sans_adresse: list[str] = []
    if type_ == ENVOI:
        cibles = _cibles_classeurs(
            protocole, contacts, config, annee, [p.code for p in protocole.pilotes_actifs()], sans_adresse
        )
    else:
        if resultat is None:
            resultat = resultat_controle(config, protocole, annee)
        if type_ == RELANCE:
            cibles = _cibles_relance(protocole, contacts, config, annee, resultat, sans_adresse)
        else:
            cibles = _cibles_correction(protocole, contacts, sorties, resultat, sans_adresse)

    dossier = sorties / "courriels" / type_
    valeurs_communes = {
        "annee": str(annee),
        "service": config.service,
        "courriel": retour,
        "date_limite": config.date_limite.strftime("%d/%m/%Y") if config.date_limite else "",
    }
    sujet_m, corps_m = textes[f"sujet_{type_}"], textes[f"corps_{type_}"]
    for nom, manque in (("date_limite", 'date_limite = "15/02/2025"'), ("courriel", 'courriel = "adresse@…"')):
        if cibles and not valeurs_communes[nom] and f"{{{nom}}}" in sujet_m + corps_m:
            raise ConfigurationInvalide(
                f"Le texte des courriels « {type_} » utilise {{{nom}}} mais vif38.toml ne le renseigne pas : "
                f"ajoutez {manque} dans vif38.toml puis relancez."
            )

    date = maintenant or datetime.now().astimezone()
    brouillons: list[Brouillon] = []
    noms_pris: set[str] = set()
    ecrits: list[tuple[Path, bytes]] = []
    for cible in cibles:
        c = cible.contact
        destinataire = c.structure or c.organisation
        valeurs = dict(valeurs_communes)
        valeurs.update(
            pilote=c.organisation,
            code_pilote=c.pilote,
            structure=c.structure,
            destinataire=destinataire,
            contact=c.nom,
            actions=_lignes_actions(protocole, c.pilote),
            anomalies=_texte_anomalies(cible.blocs),
        )
        sujet = re.sub(r"\s+", " ", _rendre(sujet_m, valeurs, f"sujet_{type_}")).strip()
        corps = _rendre(corps_m, valeurs, f"corps_{type_}")
        nom = _nom_brouillon(c, noms_pris)
        b = Brouillon(
            type=type_,
            pilote=c.pilote,
            structure=c.structure,
            destinataire=c.courriel,
            nom_destinataire=c.nom,
            copie=c.copie,
            sujet=sujet,
            corps=corps,
            pieces=tuple(cible.pieces),
            chemin=dossier / nom,
        )
        msg = construire_message(b, expediteur, retour, date)
        ecrits.append((b.chemin, msg.as_bytes()))
        brouillons.append(b)

    supprimes = _anciens_brouillons(dossier, {p for p, _ in ecrits})
    for chemin, donnees in ecrits:
        ecrire_octets(chemin, donnees)
    for p in supprimes:
        with contextlib.suppress(FileNotFoundError):
            p.unlink()
    return Preparation(
        annee=annee,
        type=type_,
        dossier=dossier,
        journal=sorties / "courriels" / JOURNAL,
        expediteur=expediteur,
        brouillons=brouillons,
        sans_adresse=sans_adresse,
        supprimes=supprimes,
        remarques=remarques,
    )


def resultat_controle(config: Any, protocole: Protocole, annee: int) -> Any:
    """Check the returns of the year (no file written) to know who is missing or has erreurs."""
    from vif38_bilan import controle

    dossier = config.dossier("saisies", annee)
    if not dossier.is_dir():
        raise Vif38Error(
            f"Le dossier des retours « {dossier} » n'existe pas : déposez-y les classeurs reçus, "
            f"lancez « vif38-bilan controler --annee {annee} », puis relancez cette commande."
        )
    from vif38_bilan.consolidation import lire_historique

    # Same outlier reference as `controler`: last year's consolidated values, when there are some.
    historique = lire_historique(protocole, config.dossier("sorties"), annee)
    return controle.controler(protocole, annee, dossier, valeurs_precedentes=historique.precedentes(annee))


def _piece(chemin: Path, nom: str | None = None) -> PieceJointe:
    return PieceJointe(chemin=chemin, nom=nom or chemin.name, sha256=hashlib.sha256(chemin.read_bytes()).hexdigest())


def _cibles_classeurs(
    protocole: Protocole,
    contacts: Sequence[Contact],
    config: Any,
    annee: int,
    codes: Sequence[str],
    sans_adresse: list[str],
    structures_exclues: Mapping[str, set[str]] | None = None,
) -> list[_Cible]:
    """Recipients of the pilots' workbooks (envoi, relance)."""
    dossier = config.dossier("gabarits", annee)
    cibles: list[_Cible] = []
    manquants: list[str] = []
    pieces: dict[str, PieceJointe] = {}
    for code in codes:
        lignes = [c for c in contacts if c.pilote == code]
        if structures_exclues is not None and code in structures_exclues:
            lignes = [c for c in lignes if cle(c.structure) not in structures_exclues[code]]
            if not lignes:
                continue
        avec = [c for c in lignes if c.courriel]
        for c in lignes:
            if not c.courriel and (c.structure or not avec):
                qui = f"{code} – {c.structure}" if c.structure else f"{code} ({c.organisation})"
                sans_adresse.append(f"{qui} : pas d'adresse (contacts.xlsx, ligne {c.ligne}).")
        if not lignes:
            sans_adresse.append(f"{code} ({protocole.pilote(code).nom}) : aucune ligne dans contacts.xlsx.")
        if not avec:
            continue
        if code not in pieces:
            chemin = dossier / disposition.nom_fichier(annee, code)
            if not chemin.is_file():
                manquants.append(chemin.name)
                continue
            pieces[code] = _piece(chemin)
        for c in avec:
            cibles.append(_Cible(contact=c, pieces=[pieces[code]]))
    if manquants:
        if not dossier.is_dir() or not any(dossier.glob("*.xlsx")):
            raise Vif38Error(
                f"Aucun classeur dans « {dossier} » : lancez d'abord « vif38-bilan gabarits --annee {annee} », "
                "puis relancez cette commande."
            )
        raise Vif38Error(
            f"{len(manquants)} classeur(s) introuvable(s) dans « {dossier} » : {', '.join(manquants)}. "
            f"Lancez « vif38-bilan gabarits --annee {annee} » pour les produire, puis relancez cette commande."
        )
    return cibles


def _utilisable(f: Any) -> bool:
    from vif38_bilan.controle import A_CORRIGER, VALIDE

    return f.etat in (VALIDE, A_CORRIGER) and bool(f.pilote)


def _cibles_relance(
    protocole: Protocole, contacts: Sequence[Contact], config: Any, annee: int, resultat: Any, sans_adresse: list[str]
) -> list[_Cible]:
    """Pilots with no usable return; for a collective pilot, also its structures not heard from."""
    manquants = set(resultat.manquants)
    recus: dict[str, set[str]] = {}
    for f in resultat.fichiers:
        if _utilisable(f):
            recus.setdefault(f.pilote, set()).add(cle(f.structure or ""))
    codes = []
    exclues: dict[str, set[str]] = {}
    for p in protocole.pilotes_actifs():
        if p.code in manquants:
            codes.append(p.code)
        elif p.collectif and p.code in recus:
            # Structures listed in contacts.xlsx whose name matches no return: remind them too.
            exclues[p.code] = recus[p.code] | {""}
            codes.append(p.code)
    return _cibles_classeurs(protocole, contacts, config, annee, codes, sans_adresse, exclues)


def _cibles_correction(
    protocole: Protocole, contacts: Sequence[Contact], sorties: Path, resultat: Any, sans_adresse: list[str]
) -> list[_Cible]:
    """Returns with erreurs: the annotated copy goes back to the pilot (or structure) that sent it."""
    from vif38_bilan import rapport_controle
    from vif38_bilan.controle import A_CORRIGER, ERREUR, VALIDE

    par_fichier: dict[str, list[Any]] = {}
    for a in resultat.anomalies:
        par_fichier.setdefault(a.fichier, []).append(a)
    cibles: dict[tuple[str, str, str], _Cible] = {}
    absents: list[str] = []
    perimes: list[str] = []
    for f in resultat.fichiers:
        anomalies = par_fichier.get(f.nom, [])
        a_erreurs = f.erreurs > 0 or any(a.gravite == ERREUR for a in anomalies)
        if not (f.etat == A_CORRIGER or (f.etat == VALIDE and a_erreurs)):
            continue
        if not f.pilote:
            sans_adresse.append(f"{f.nom} : pilote non reconnu, renvoyez ce fichier vous-même à son expéditeur.")
            continue
        note = ""
        if f.format and f.format not in rapport_controle.FORMATS_ANNOTABLES:
            # No annotated copy of an .ods/.xls return: send it back as is, the list says where.
            annote = Path(f.chemin)
            note = (
                f"Votre fichier « {Path(f.nom).name} » (format .{f.format}) ne peut pas être annoté : "
                "les cellules concernées sont indiquées ci-dessous."
            )
        else:
            annote = Path(rapport_controle.chemin_annote(sorties, f.nom))
            if not annote.is_file():
                absents.append(f.nom)
                continue
            with contextlib.suppress(OSError):
                if Path(f.chemin).stat().st_mtime > annote.stat().st_mtime:
                    perimes.append(f.nom)
                    continue
        lignes = [c for c in contacts if c.pilote == f.pilote]
        pilote = protocole.pilote(f.pilote)
        qui = f"{f.pilote} – {f.structure}" if f.structure else f"{f.pilote} ({pilote.nom})"
        if pilote.collectif:
            lignes = [c for c in lignes if cle(c.structure) == cle(f.structure or "")]
        avec = [c for c in lignes if c.courriel]
        if not avec:
            # The return's own identity block may carry the respondent's address.
            adresse = _adresse_identite(f)
            if adresse:
                avec = [
                    Contact(
                        pilote=f.pilote,
                        structure=f.structure or "",
                        organisation=pilote.nom,
                        nom=str(f.identite.get("Contact") or "").strip(),
                        courriel=adresse,
                        copie=(),
                        ligne=0,
                    )
                ]
            else:
                ou = (
                    f"ajoutez la structure « {f.structure} » dans contacts.xlsx"
                    if f.structure
                    else "renseignez son adresse dans contacts.xlsx"
                )
                sans_adresse.append(f"{qui} : pas d'adresse pour renvoyer « {f.nom} » ({ou}).")
                continue
        piece = _piece(annote)
        for c in avec:
            k = (c.pilote, cle(c.structure), c.courriel.lower())
            cible = cibles.setdefault(k, _Cible(contact=c))
            cible.pieces.append(piece)
            cible.blocs.append((piece.nom, note, anomalies))
    if absents or perimes:
        annee = resultat.annee
        morceaux = []
        if absents:
            morceaux.append(f"copie annotée introuvable pour {', '.join(absents)}")
        if perimes:
            morceaux.append(f"copie annotée plus ancienne que le retour pour {', '.join(perimes)}")
        raise Vif38Error(
            f"{_majuscule(' ; '.join(morceaux))}. Lancez d'abord « vif38-bilan controler --annee {annee} », "
            "puis relancez cette commande."
        )
    return list(cibles.values())


def _majuscule(texte: str) -> str:
    return texte[:1].upper() + texte[1:]


def _texte_anomalies(blocs: Sequence[tuple[str, str, list[Any]]]) -> str:
    """The {anomalies} text: one list per attached file, headed by its name when there are several."""
    parties = []
    for nom, note, anomalies in blocs:
        texte = "\n\n".join(t for t in (note, _lignes_anomalies(anomalies)) if t)
        parties.append(f"Fichier « {nom} » :\n{texte}" if len(blocs) > 1 else texte)
    return "\n\n".join(parties)


def _adresse_identite(f: Any) -> str:
    for k, v in (f.identite or {}).items():
        if cle(str(k)) == cle("Courriel") and v:
            with contextlib.suppress(ValueError):
                return lire_adresse(str(v))
    return ""


def _slug(texte: str) -> str:
    t = unicodedata.normalize("NFKD", texte)
    t = "".join(c for c in t if not unicodedata.combining(c))
    return re.sub(r"[^A-Za-z0-9]+", "-", t).strip("-")[:60] or "x"


def _nom_brouillon(c: Contact, pris: set[str]) -> str:
    base = c.pilote + (f"_{_slug(c.structure)}" if c.structure else "")
    nom, n = f"{base}.eml", 1
    while nom.lower() in pris:
        n += 1
        nom = f"{base}_{n}.eml"
    pris.add(nom.lower())
    return nom


def _anciens_brouillons(dossier: Path, gardes: set[Path]) -> list[Path]:
    """Drafts of a previous run in this folder that this run does not rewrite."""
    anciens = []
    if not dossier.is_dir():
        return anciens
    for p in sorted(dossier.glob("*.eml")):
        if p in gardes:
            continue
        with contextlib.suppress(OSError):
            with open(p, "rb") as f:
                tete = f.read(8192)
            if ENTETE_TYPE.encode().lower() in tete.lower():
                anciens.append(p)
    return anciens


def construire_message(
    b: Brouillon, expediteur: str, repondre_a: str = "", date: datetime | None = None
) -> EmailMessage:
    """The draft as an EmailMessage: X-Unsent makes Outlook open it ready to send."""
    msg = EmailMessage(policy=POLITIQUE)
    if expediteur:
        msg["From"] = expediteur
    msg["To"] = (
        Address(display_name=b.nom_destinataire, addr_spec=b.destinataire) if b.nom_destinataire else b.destinataire
    )
    if b.copie:
        msg["Cc"] = ", ".join(b.copie)
    if repondre_a and repondre_a.lower() != expediteur.lower():
        msg["Reply-To"] = repondre_a
    msg["Subject"] = b.sujet
    msg["Date"] = formatdate((date or datetime.now().astimezone()).timestamp(), localtime=True)
    domaine = expediteur.rpartition("@")[2] or "vif38-bilan.invalid"
    msg["Message-ID"] = make_msgid(domain=domaine)
    msg["X-Unsent"] = "1"
    msg[ENTETE_TYPE] = b.type
    msg[ENTETE_PILOTE] = b.pilote
    msg.set_content(b.corps)
    for p in b.pieces:
        maintype, subtype = TYPES_PIECES.get(Path(p.nom).suffix.lower(), ("application", "octet-stream"))
        msg.add_attachment(p.chemin.read_bytes(), maintype=maintype, subtype=subtype, filename=p.nom)
    return msg


def texte_preparation(prep: Preparation, racine: Path | None = None) -> str:
    """French report of the drafts written."""

    def rel(p: Path) -> str:
        if racine is not None:
            with contextlib.suppress(ValueError):
                return str(p.relative_to(racine))
        return str(p)

    lignes = []
    if prep.brouillons:
        lignes.append(f"{len(prep.brouillons)} brouillon(s) « {prep.type} » écrit(s) dans {rel(prep.dossier)} :")
        for b in prep.brouillons:
            copie = f" (copie : {', '.join(b.copie)})" if b.copie else ""
            qui = f"{b.pilote} – {b.structure}" if b.structure else b.pilote
            lignes.append(f"  {qui} → {b.destinataire}{copie} : {b.noms_pieces}")
        lignes.append(
            "Ouvrez chaque fichier .eml (double-clic) : Outlook l'ouvre prêt à envoyer ; dans Thunderbird, "
            "utilisez « Modifier en tant que nouveau message ». Vérifiez-le puis envoyez-le."
        )
    else:
        lignes.append(f"Aucun brouillon « {prep.type} » à écrire pour {prep.annee}.")
    if prep.supprimes:
        lignes.append(f"{len(prep.supprimes)} ancien(s) brouillon(s) qui ne correspondent plus à personne supprimé(s).")
    lignes.extend(prep.remarques)
    if prep.sans_adresse:
        lignes.append(f"ATTENTION : {len(prep.sans_adresse)} destinataire(s) sans brouillon, faute d'adresse :")
        lignes.extend(f"  - {s}" for s in prep.sans_adresse)
        lignes.append("Complétez contacts.xlsx puis relancez la commande, ou écrivez-leur vous-même.")
    return "\n".join(lignes)


# ------------------------------------------------------------------ journal and sending


def lire_journal(chemin: Path) -> list[dict[str, str]]:
    """Rows of journal.csv; an unreadable journal stops the sending (it guards against resending)."""
    if not chemin.is_file():
        return []
    try:
        texte = chemin.read_text("utf-8-sig")
    except (OSError, UnicodeDecodeError) as e:
        raise ConfigurationInvalide(
            f"Le journal des envois « {chemin} » est illisible ({e}) : rien n'a été envoyé. "
            "Restaurez-le (il évite d'envoyer deux fois le même courriel) ou déplacez-le ailleurs."
        ) from e
    premiere = texte.splitlines()[0] if texte else ""
    sep = ";" if premiere.count(";") >= premiere.count(",") else ","
    lignes = list(csv.DictReader(io.StringIO(texte), delimiter=sep))
    if lignes and not {"type", "destinataire", "sha256", "resultat"} <= set(lignes[0]):
        raise ConfigurationInvalide(
            f"Le journal des envois « {chemin} » n'a plus ses en-têtes (type, destinataire, sha256, resultat) : "
            "rien n'a été envoyé. Restaurez-le ou déplacez-le ailleurs."
        )
    return lignes


def _ecrire_journal(chemin: Path, lignes: list[dict[str, str]]) -> None:
    tampon = io.StringIO()
    w = csv.DictWriter(tampon, fieldnames=COLONNES_JOURNAL, delimiter=";", extrasaction="ignore", lineterminator="\r\n")
    w.writeheader()
    for ligne in lignes:
        w.writerow({k: ligne.get(k, "") for k in COLONNES_JOURNAL})
    ecrire_atomique(chemin, lambda p: p.write_text(tampon.getvalue(), encoding="utf-8-sig", newline=""))


def _cle_envoi(type_: str, destinataire: str, empreinte: str) -> tuple[str, str, str]:
    return (type_, destinataire.strip().lower(), empreinte)


def deja_envoyes(journal: Sequence[dict[str, str]]) -> dict[tuple[str, str, str], str]:
    """(type, recipient, attachment hash) → date, for messages recorded as sent."""
    return {
        _cle_envoi(r.get("type", ""), r.get("destinataire", ""), r.get("sha256", "")): r.get("date", "")
        for r in journal
        if (r.get("resultat") or "").strip() == ENVOYE
    }


def planifier_envoi(prep: Preparation) -> PlanEnvoi:
    """Split the drafts into those to send and those the journal shows as already sent."""
    faits = deja_envoyes(lire_journal(prep.journal))
    a_envoyer, deja = [], []
    for b in prep.brouillons:
        k = _cle_envoi(b.type, b.destinataire, b.empreinte)
        if k in faits:
            deja.append((b, faits[k]))
        else:
            a_envoyer.append(b)
    return PlanEnvoi(a_envoyer=a_envoyer, deja_envoyes=deja)


def texte_plan(plan: PlanEnvoi, smtp: ParametresSmtp) -> str:
    lignes = []
    if plan.deja_envoyes:
        lignes.append(f"{len(plan.deja_envoyes)} courriel(s) déjà envoyé(s), non renvoyé(s) :")
        lignes.extend(f"  {b.destinataire} : {b.noms_pieces} (envoyé le {d})" for b, d in plan.deja_envoyes)
    if plan.a_envoyer:
        lignes.append(
            f"{len(plan.a_envoyer)} courriel(s) à envoyer par {smtp.hote}:{smtp.port} depuis {smtp.expediteur} :"
        )
        for b in plan.a_envoyer:
            copie = f" (copie : {', '.join(b.copie)})" if b.copie else ""
            lignes.append(f"  {b.destinataire}{copie} — « {b.sujet} » — {b.noms_pieces}")
    else:
        lignes.append("Rien à envoyer.")
    return "\n".join(lignes)


def parametres_smtp(config: Any) -> ParametresSmtp:
    """[smtp] of vif38.toml, checked."""
    s = dict(getattr(config, "smtp", {}) or {})
    hote = str(s.get("hote") or "").strip()
    if not hote:
        raise ConfigurationInvalide(
            "Pour envoyer les courriels, renseignez le serveur dans vif38.toml, section [smtp] : "
            'hote = "smtp.exemple.fr", port, utilisateur, expediteur. Sans cela, envoyez les brouillons .eml '
            "depuis votre messagerie."
        )
    try:
        port = int(s.get("port", 587))
        if not 0 < port < 65536:
            raise ValueError
    except (TypeError, ValueError):
        raise ConfigurationInvalide(
            f"vif38.toml, [smtp] port = {s.get('port')!r} : écrivez un numéro de port, par exemple 587."
        ) from None
    for k in ("starttls", "ssl"):
        if k in s and not isinstance(s[k], bool):
            raise ConfigurationInvalide(f"vif38.toml, [smtp] {k} : écrivez true ou false (sans guillemets).")
    expediteur = str(s.get("expediteur") or getattr(config, "courriel", "") or "").strip()
    if not expediteur:
        raise ConfigurationInvalide("Renseignez l'adresse d'envoi dans vif38.toml : [smtp] expediteur = \"ddfe@…\".")
    try:
        expediteur = lire_adresse(expediteur)
    except ValueError as e:
        raise ConfigurationInvalide(f"vif38.toml, [smtp] expediteur : {e}.") from None
    implicite = bool(s.get("ssl", False))
    return ParametresSmtp(
        hote=hote,
        port=port,
        starttls=bool(s.get("starttls", True)) and not implicite,
        ssl=implicite,
        utilisateur=str(s.get("utilisateur") or "").strip(),
        expediteur=expediteur,
        delai=float(s.get("delai", 30)),
    )


class _Connexion:
    """One SMTP session, reopened after a disconnection."""

    def __init__(self, smtp: ParametresSmtp, mot_de_passe: str | None):
        self.smtp = smtp
        self.mot_de_passe = mot_de_passe
        self.session: smtplib.SMTP | None = None

    def ouvrir(self) -> smtplib.SMTP:
        if self.session is not None:
            return self.session
        s = self.smtp
        lieu = f"{s.hote}:{s.port}"
        try:
            if s.ssl:
                session: smtplib.SMTP = smtplib.SMTP_SSL(
                    s.hote, s.port, timeout=s.delai, context=ssl.create_default_context()
                )
            else:
                session = smtplib.SMTP(s.hote, s.port, timeout=s.delai)
        except (OSError, smtplib.SMTPException) as e:
            raise Vif38Error(
                f"Connexion impossible au serveur de courriel {lieu} ({e}) : vérifiez [smtp] hote et port dans "
                "vif38.toml et votre connexion réseau."
            ) from e
        try:
            session.ehlo()
            if s.starttls:
                session.starttls(context=ssl.create_default_context())
                session.ehlo()
            if s.utilisateur:
                session.login(s.utilisateur, self.mot_de_passe or "")
        except smtplib.SMTPAuthenticationError as e:
            _fermer(session)
            raise Vif38Error(
                f"Le serveur {lieu} refuse l'identifiant « {s.utilisateur} » ou le mot de passe : vérifiez-les "
                f"(variable {VARIABLE_MOT_DE_PASSE} ou saisie)."
            ) from e
        except smtplib.SMTPNotSupportedError as e:
            _fermer(session)
            raise Vif38Error(
                f"Le serveur {lieu} ne propose pas le chiffrement STARTTLS ou l'authentification ({e}) : vérifiez "
                "[smtp] port, starttls et ssl dans vif38.toml."
            ) from e
        except (OSError, smtplib.SMTPException) as e:
            _fermer(session)
            raise Vif38Error(
                f"Échange impossible avec le serveur {lieu} ({e}) : vérifiez [smtp] dans vif38.toml."
            ) from e
        self.session = session
        return session

    def fermer(self) -> None:
        if self.session is not None:
            _fermer(self.session)
            self.session = None


def _fermer(session: smtplib.SMTP) -> None:
    with contextlib.suppress(Exception):
        session.quit()
    with contextlib.suppress(Exception):
        session.close()


def _message_a_envoyer(b: Brouillon) -> EmailMessage:
    """The draft file as written, without the draft marker."""
    with open(b.chemin, "rb") as f:
        msg = BytesParser(policy=POLITIQUE).parse(f)
    for entete in ("X-Unsent", ENTETE_TYPE, ENTETE_PILOTE):
        del msg[entete]
    return msg  # type: ignore[return-value]


def _verifier_journal_inscriptible(chemin: Path) -> None:
    try:
        chemin.parent.mkdir(parents=True, exist_ok=True)
        with open(chemin, "a", encoding="utf-8"):
            pass
        if chemin.stat().st_size == 0:
            chemin.unlink()
    except OSError as e:
        raise SortieBloquee(
            f"Le journal des envois « {chemin} » ne peut pas être écrit (ouvert dans Excel ?) : fermez-le puis "
            "relancez. Rien n'a été envoyé."
        ) from e


def envoyer(
    prep: Preparation,
    smtp: ParametresSmtp,
    mot_de_passe: str | None = None,
    maintenant: Callable[[], datetime] | None = None,
) -> list[ResultatEnvoi]:
    """Send the drafts not yet sent, recording each attempt in journal.csv as it happens.

    A refused recipient is recorded as échec and the others still go out.
    """
    horloge = maintenant or (lambda: datetime.now().astimezone())
    dossier = prep.journal.parent
    resultats: list[ResultatEnvoi] = []
    with verrou(dossier):
        _verifier_journal_inscriptible(prep.journal)
        journal = lire_journal(prep.journal)
        faits = deja_envoyes(journal)
        a_envoyer = []
        for b in prep.brouillons:
            k = _cle_envoi(b.type, b.destinataire, b.empreinte)
            if k in faits:
                resultats.append(ResultatEnvoi(b, "déjà envoyé", f"le {faits[k]}"))
            else:
                a_envoyer.append(b)
        if not a_envoyer:
            return resultats
        connexion = _Connexion(smtp, mot_de_passe)
        connexion.ouvrir()  # a wrong server or password stops everything before any message
        try:
            for b in a_envoyer:
                resultat, detail = _envoyer_un(connexion, b, smtp.expediteur)
                resultats.append(ResultatEnvoi(b, resultat, detail))
                journal.append(
                    {
                        "date": horloge().isoformat(timespec="seconds"),
                        "type": b.type,
                        "pilote": b.pilote,
                        "structure": b.structure,
                        "destinataire": b.destinataire,
                        "copie": ";".join(b.copie),
                        "piece_jointe": b.noms_pieces,
                        "sha256": b.empreinte,
                        "resultat": resultat,
                        "detail": detail,
                    }
                )
                _ecrire_journal(prep.journal, journal)
        finally:
            connexion.fermer()
    return resultats


def _envoyer_un(connexion: _Connexion, b: Brouillon, expediteur: str) -> tuple[str, str]:
    destinataires = [b.destinataire, *b.copie]
    try:
        msg = _message_a_envoyer(b)
        if msg["From"] is None:
            msg["From"] = expediteur
        session = connexion.ouvrir()
        refuses = session.send_message(msg, from_addr=expediteur, to_addrs=destinataires)
    except smtplib.SMTPRecipientsRefused as e:
        return ECHEC, "adresse refusée par le serveur : " + _refus(e.recipients)
    except smtplib.SMTPServerDisconnected as e:
        connexion.session = None
        return ECHEC, f"connexion interrompue ({e})"
    except smtplib.SMTPResponseException as e:
        return ECHEC, f"refusé par le serveur ({e.smtp_code} {_decoder(e.smtp_error)})"
    except Vif38Error as e:
        return ECHEC, str(e)
    except (OSError, smtplib.SMTPException) as e:
        connexion.fermer()
        return ECHEC, f"{type(e).__name__} : {e}"
    if b.destinataire in refuses or b.destinataire.lower() in {r.lower() for r in refuses}:
        return ECHEC, "adresse refusée par le serveur : " + _refus(refuses)
    if refuses:
        return ENVOYE, "copie refusée : " + _refus(refuses)
    return ENVOYE, ""


def _decoder(v: Any) -> str:
    return v.decode("utf-8", "replace") if isinstance(v, bytes) else str(v)


def _refus(refuses: Mapping[str, tuple[int, Any]]) -> str:
    return ", ".join(f"{a} ({code} {_decoder(m)})" for a, (code, m) in refuses.items())


def texte_envoi(resultats: Sequence[ResultatEnvoi], journal: Path) -> str:
    envoyes = [r for r in resultats if r.resultat == ENVOYE]
    echecs = [r for r in resultats if r.resultat == ECHEC]
    lignes = [f"{len(envoyes)} courriel(s) envoyé(s), {len(echecs)} échec(s). Journal : {journal}"]
    for r in envoyes:
        lignes.append(f"  envoyé : {r.brouillon.destinataire}" + (f" ({r.detail})" if r.detail else ""))
    for r in echecs:
        lignes.append(f"  ÉCHEC : {r.brouillon.destinataire} : {r.detail}")
    if echecs:
        lignes.append(
            "Corrigez les adresses en échec dans contacts.xlsx puis relancez la même commande : "
            "les courriels déjà partis ne seront pas renvoyés."
        )
    return "\n".join(lignes)


__all__ = [
    "Brouillon",
    "Contact",
    "PieceJointe",
    "PlanEnvoi",
    "Preparation",
    "ResultatEnvoi",
    "ParametresSmtp",
    "charger_contacts",
    "construire_message",
    "contacts_demo",
    "creer_contacts_vierges",
    "envoyer",
    "lire_adresse",
    "lire_contacts",
    "lire_journal",
    "parametres_smtp",
    "planifier_envoi",
    "preparer_courriels",
    "sans_courriel",
    "textes_courriels",
    "texte_envoi",
    "texte_plan",
    "texte_preparation",
]
