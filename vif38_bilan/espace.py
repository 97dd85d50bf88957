"""The workspace: folders, vif38.toml settings, and the paths every command uses."""

from __future__ import annotations

import tomllib
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date, datetime
from pathlib import Path
from typing import Any

from vif38_bilan.exceptions import ConfigurationInvalide

FICHIER_CONFIG = "vif38.toml"
FICHIER_CONTACTS = "contacts.xlsx"
DOSSIERS = ("gabarits", "saisies", "sorties")
SERVICE_PAR_DEFAUT = "DDFE de l'Isère"

LISEZMOI = {
    "gabarits": "# gabarits/\n\nLes classeurs de collecte produits par `vif38-bilan gabarits`, un dossier par année "
    "(`gabarits/2023/`), un fichier par pilote. Ce sont eux que vous envoyez aux pilotes.\n",
    "saisies": "# saisies/\n\nDéposez ici les classeurs renvoyés par les pilotes, un dossier par année "
    "(`saisies/2023/`), tels que vous les recevez : le nom du fichier n'a pas d'importance. "
    "L'outil ne modifie, ne déplace et ne supprime jamais ces fichiers.\n",
    "sorties": "# sorties/\n\nCe que l'outil produit, un dossier par année (`sorties/2023/`) : rapport de contrôle, "
    "retours annotés, classeur de consolidation, bilan Word, brouillons de courriels.\n",
}

MODELE_CONFIG = """\
# Réglages de vif38-bilan pour cet espace de travail.
# Les commandes lancées depuis ce dossier lisent ce fichier.

# Le service qui coordonne le protocole (affiché dans les classeurs et les courriels).
service = "{service}"
# L'adresse à laquelle les pilotes renvoient leur classeur.
courriel = "{courriel}"
# Date limite de retour des classeurs (JJ/MM/AAAA), reprise dans les classeurs et les courriels.
date_limite = "{date_limite}"
# Un autre protocole que celui de l'Isère 2022-2024 : chemin d'un fichier .toml, .json ou .xlsx
# (voir `vif38-bilan referentiel --xlsx`). Laissez vide pour le protocole intégré.
referentiel = ""
# Votre document Word de base pour le bilan (créé par `vif38-bilan modele`), par exemple
# "modele-bilan.docx" : votre texte, vos styles, votre logo y sont gardés. Vide : bilan sans base.
modele = ""

# Envoi des courriels (facultatif, commande `vif38-bilan courriels --envoyer`).
# Le mot de passe n'est jamais enregistré : variable d'environnement VIF38_SMTP_MOT_DE_PASSE
# ou saisie au moment de l'envoi.
[smtp]
hote = ""
port = 587
starttls = true
utilisateur = ""
expediteur = ""
# Serveur en TLS direct (port 465) : ssl = true (starttls est alors ignoré).
ssl = false

# Textes des courriels (facultatif) : décommentez et adaptez pour remplacer le texte par défaut.
# Clés : sujet_envoi, corps_envoi, sujet_relance, corps_relance, sujet_correction, corps_correction.
# Variables : {{pilote}} {{structure}} {{destinataire}} {{contact}} {{annee}} {{date_limite}}
#             {{actions}} {{anomalies}} {{service}} {{courriel}} {{code_pilote}}
# [courriels]
# sujet_relance = "Relance : bilan {{annee}} du protocole VIF ({{destinataire}})"
"""


@dataclass
class Config:
    racine: Path
    service: str = SERVICE_PAR_DEFAUT
    courriel: str = ""
    date_limite: date | None = None
    referentiel: Path | None = None
    modele: Path | None = None  # the Word base of the bilan (--modele), relative paths from racine
    smtp: dict[str, Any] = field(default_factory=dict)
    courriels: dict[str, Any] = field(default_factory=dict)

    def dossier(self, nom: str, annee: int | None = None) -> Path:
        d = self.racine / nom
        return d / str(annee) if annee is not None else d


def lire_date(texte: Any) -> date | None:
    """Parse JJ/MM/AAAA (or an ISO date); None when empty."""
    if texte in (None, ""):
        return None
    if isinstance(texte, datetime):
        return texte.date()
    if isinstance(texte, date):
        return texte
    s = str(texte).strip()
    for fmt in ("%d/%m/%Y", "%Y-%m-%d", "%d-%m-%Y", "%d.%m.%Y"):
        try:
            return datetime.strptime(s, fmt).date()
        except ValueError:
            continue
    raise ValueError(f"date « {s} » illisible : écrivez-la JJ/MM/AAAA, par exemple 15/02/2024")


def charger_config(racine: str | Path = ".") -> Config:
    """Read vif38.toml in racine; defaults when there is none."""
    racine = Path(racine)
    chemin = racine / FICHIER_CONFIG
    if not chemin.is_file():
        return Config(racine=racine)
    try:
        d = tomllib.loads(chemin.read_text("utf-8"))
    except (tomllib.TOMLDecodeError, UnicodeDecodeError) as e:
        raise ConfigurationInvalide(f"Le fichier {chemin} est mal formé ({e}) : corrigez-le ou supprimez-le.") from e
    try:
        date_limite = lire_date(d.get("date_limite"))
    except ValueError as e:
        raise ConfigurationInvalide(f"{chemin} : {e}") from e
    ref = d.get("referentiel") or None
    if ref:
        ref = Path(ref)
        if not ref.is_absolute():
            ref = racine / ref
    modele = d.get("modele") or None
    if modele:
        modele = Path(modele)
        if not modele.is_absolute():
            modele = racine / modele
    return Config(
        racine=racine,
        modele=modele,
        service=d.get("service") or Config.service,
        courriel=d.get("courriel") or "",
        date_limite=date_limite,
        referentiel=ref,
        smtp=dict(d.get("smtp") or {}),
        courriels=dict(d.get("courriels") or {}),
    )


def initialiser(
    racine: str | Path,
    service: str = SERVICE_PAR_DEFAUT,
    courriel: str = "",
    date_limite: str = "",
    contacts: Callable[[Path], Path] | None = None,
) -> list[Path]:
    """Create the workspace layout; never overwrites an existing file. Returns created paths.

    contacts: writes the blank address book at the path it is given (for instance
    `contacts.creer_contacts_vierges` bound to a protocol), called only when contacts.xlsx is
    missing; no address book is written when None. The mail loop stays out of this module.
    """
    from vif38_bilan.ecriture import ecrire_texte

    racine = Path(racine)
    crees: list[Path] = []
    for nom in DOSSIERS:
        d = racine / nom
        if not d.exists():
            d.mkdir(parents=True)
            crees.append(d)
        lisez = d / "README.md"
        if not lisez.exists():
            ecrire_texte(lisez, LISEZMOI[nom])
            crees.append(lisez)
    conf = racine / FICHIER_CONFIG
    if not conf.exists():
        ecrire_texte(conf, MODELE_CONFIG.format(service=service, courriel=courriel, date_limite=date_limite))
        crees.append(conf)
    carnet = racine / FICHIER_CONTACTS
    if contacts is not None and not carnet.exists():
        crees.append(contacts(carnet))
    return crees
