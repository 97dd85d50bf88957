"""The workspace: folders, vif38.toml settings, and the paths every command uses."""

from __future__ import annotations

import calendar
import re
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date, datetime
from pathlib import Path
from typing import Any

from vif38_bilan.espace.fichiers import FICHIER_CONFIG, FICHIER_CONTACTS
from vif38_bilan.lecture.horodatage import fuseau as zone
from vif38_bilan.exceptions import ConfigurationInvalide, EspaceIntrouvable
from vif38_bilan.commun.toml_fr import lire_toml
from vif38_bilan.commun.ecriture import ecrire_texte

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
# Fuseau horaire des postes des pilotes : LibreOffice enregistre l'heure locale sans la préciser ;
# elle sert à classer deux versions d'un même retour.
fuseau = "Europe/Paris"

# Protocoles successifs (facultatif) : la période de chaque protocole et son fichier ("" : le
# protocole intégré de l'Isère 2022-2024). Chaque commande prend celui qui couvre --annee ;
# contacts, historique et chiffres clés restent ceux de cet espace. Décommentez et adaptez :
# [protocoles]
# "2022-2024" = ""
# "2025-2027" = "referentiel-protocole-2025-2027.xlsx"

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


CLES_CONFIG = (
    "service", "courriel", "date_limite", "referentiel", "modele", "fuseau", "smtp", "courriels", "protocoles"
)  # fmt: skip
CLES_SMTP = ("hote", "port", "starttls", "ssl", "utilisateur", "expediteur")
REQUIS = ("service", "courriel", "date_limite")
EXEMPLES = {
    "service": 'service = "DDFE de l\'Isère"',
    "courriel": 'courriel = "ddfe@isere.gouv.fr"',
    "date_limite": 'date_limite = "15/03/2024"',
}
ROLES = {
    "service": "le nom de votre service, affiché dans les classeurs et les courriels",
    "courriel": "l'adresse à laquelle les pilotes renvoient leur classeur",
    "date_limite": "la date limite de retour des classeurs (JJ/MM/AAAA)",
}
MOIS = (
    "janvier", "février", "mars", "avril", "mai", "juin",
    "juillet", "août", "septembre", "octobre", "novembre", "décembre",
)  # fmt: skip


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
    fichier: Path | None = None  # vif38.toml, None when the workspace has none
    lus: dict[str, Any] = field(default_factory=dict)  # the settings as written in the file
    erreurs: dict[str, str] = field(default_factory=dict)  # setting -> why it cannot be read
    fuseau: str = "Europe/Paris"  # time zone of LibreOffice's local saved times (issue 14)
    protocoles: dict[str, Path | None] = field(default_factory=dict)  # "2022-2024" -> file (None: embedded)

    def dossier(self, nom: str, annee: int | None = None) -> Path:
        d = self.racine / nom
        return d / str(annee) if annee is not None else d


def lire_date(texte: Any) -> date | None:
    """Parse JJ/MM/AAAA (or an ISO date); None when empty. ValueError (French) otherwise."""
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
    m = re.fullmatch(r"(\d{1,2})[/.-](\d{1,2})[/.-](\d{4})", s)
    if m:
        jour, mois, annee = (int(x) for x in m.groups())
        if 1 <= mois <= 12:
            fin = calendar.monthrange(annee, mois)[1]
            raise ValueError(
                f"le {s} n'existe pas ({MOIS[mois - 1]} {annee} a {fin} jours) : vérifiez le jour et le mois"
            )
        raise ValueError(f"le {s} n'existe pas (il n'y a que 12 mois) : écrivez la date JJ/MM/AAAA, jour d'abord")
    raise ValueError(f"date « {s} » illisible : écrivez-la JJ/MM/AAAA, par exemple 15/02/2024")


_ADRESSE = re.compile(
    r"^[A-Za-z0-9!#$%&'*+/=?^_`{|}~-]+(\.[A-Za-z0-9!#$%&'*+/=?^_`{|}~-]+)*"
    r"@([A-Za-z0-9]([A-Za-z0-9-]*[A-Za-z0-9])?\.)+[A-Za-z]{2,63}$"
)


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


def trouver_racine(dossier: str | Path = ".") -> Path | None:
    """The workspace root for dossier: the nearest of dossier and its parents holding vif38.toml
    (as git finds .git); else the nearest holding at least two of the workspace folders
    (gabarits/, saisies/, sorties/: the repository itself, or a workspace made before vif38.toml
    existed; one folder alone is too common a name to claim a workspace); else None."""
    depart = Path(dossier).resolve()
    chemin = (depart, *depart.parents)
    for d in chemin:
        if (d / FICHIER_CONFIG).is_file():
            return d
    for d in chemin:
        if sum((d / nom).is_dir() for nom in DOSSIERS) >= 2:
            return d
    return None


def message_introuvable(dossier: str | Path = ".") -> str:
    """Why there is no workspace at dossier, and what to do (cd into it, or create one), in French."""
    depart = Path(dossier).resolve()
    # From inside a folder named like a workspace folder (saisies/2023), the workspace was meant to
    # be its parent: suggest that one, never a nested saisies/2023/saisies/.
    for d in (depart, *depart.parents):
        if d.name in DOSSIERS:
            return (
                f"Aucun espace de travail trouvé depuis « {depart} » : le dossier « {d.parent} » contient "
                f"{d.name}/ mais pas de fichier {FICHIER_CONFIG}. Pour en faire votre espace de travail : "
                f"cd « {d.parent} » puis « vif38-bilan init . » (rien d'existant n'est remplacé)."
            )
    return (
        f"Aucun espace de travail ici (« {depart} ») ni dans les dossiers parents ({FICHIER_CONFIG} introuvable) : "
        "placez-vous dans votre espace de travail (cd MON-ESPACE), ou créez-en un avec "
        "« vif38-bilan init MON-ESPACE ». Rien n'a été écrit."
    )


def racine_espace(dossier: str | Path = ".") -> Path:
    """trouver_racine, or EspaceIntrouvable with what to do (nothing is written)."""
    racine = trouver_racine(dossier)
    if racine is None:
        raise EspaceIntrouvable(message_introuvable(dossier))
    return racine


def charger_config(racine: str | Path = ".") -> Config:
    """Read vif38.toml in racine; defaults when there is none.

    A syntax error raises ConfigurationInvalide (file, line, likely fix, in French). An unreadable
    date_limite does not: it is kept in Config.erreurs and reported by verifier_reglages, so that a
    typo in the deadline does not stop the check or the bilan, which do not use it.
    """
    racine = Path(racine)
    chemin = racine / FICHIER_CONFIG
    if not chemin.is_file():
        return Config(racine=racine)
    d = lire_toml(chemin, CLES_CONFIG + CLES_SMTP, erreur=ConfigurationInvalide)
    erreurs: dict[str, str] = {}
    try:
        date_limite = lire_date(d.get("date_limite"))
    except ValueError as e:
        date_limite = None
        erreurs["date_limite"] = str(e)
    fuseau = str(d.get("fuseau") or Config.fuseau)
    try:
        zone(fuseau)
    except ValueError as e:
        fuseau = Config.fuseau
        erreurs["fuseau"] = str(e)
    ref = d.get("referentiel") or None
    if ref:
        ref = Path(str(ref))
        if not ref.is_absolute():
            ref = racine / ref
    modele = d.get("modele") or None
    if modele:
        modele = Path(str(modele))
        if not modele.is_absolute():
            modele = racine / modele
    for nom in ("smtp", "courriels"):
        if nom in d and not isinstance(d[nom], dict):
            raise ConfigurationInvalide(
                f"{chemin} : « {nom} » doit être une section, écrite [{nom}] seule sur sa ligne, suivie de ses réglages."
            )
    return Config(
        racine=racine,
        protocoles=_protocoles(d.get("protocoles"), racine, chemin),
        modele=modele,
        service=str(d.get("service") or "").strip() or Config.service,
        courriel=str(d.get("courriel") or "").strip(),
        date_limite=date_limite,
        referentiel=ref,
        smtp=dict(d.get("smtp") or {}),
        courriels=dict(d.get("courriels") or {}),
        fichier=chemin,
        lus=dict(d),
        erreurs=erreurs,
        fuseau=fuseau,
    )


def _protocoles(brut: Any, racine: Path, chemin: Path) -> dict[str, Path | None]:
    """The [protocoles] section: "AAAA-AAAA" = "file" ("" for the embedded protocol), by first year.

    Raises:
        ConfigurationInvalide: not a section, or a period not written "AAAA-AAAA".
    """
    if brut is None:
        return {}
    exemple = '[protocoles] puis, une par ligne, "2022-2024" = "" et "2025-2027" = "referentiel-2025-2027.xlsx"'
    if not isinstance(brut, dict):
        raise ConfigurationInvalide(f"{chemin} : « protocoles » doit être une section : {exemple}.")
    sortie: dict[str, Path | None] = {}
    for periode, fichier in sorted(brut.items()):
        m = re.fullmatch(r"\s*((?:19|20)\d\d)\s*-\s*((?:19|20)\d\d)\s*", str(periode))
        if not m or int(m.group(1)) > int(m.group(2)) or not isinstance(fichier, str):
            raise ConfigurationInvalide(
                f"{chemin}, section [protocoles] : « {periode} » n'est pas une période suivie d'un fichier "
                f"entre guillemets ; écrivez par exemple {exemple}."
            )
        chemin_p = Path(fichier.strip()) if fichier.strip() else None
        if chemin_p is not None and not chemin_p.is_absolute():
            chemin_p = racine / chemin_p
        sortie[f"{m.group(1)}-{m.group(2)}"] = chemin_p
    return sortie


def verifier_reglages(config: Config, date_limite: date | None = None, requis: tuple[str, ...] = REQUIS) -> list[str]:
    """What is missing or malformed among the settings the templates and e-mails need, in French
    (empty when all is well). date_limite: a deadline given on the command line (--date-limite),
    which replaces the setting."""
    if config.fichier is None:
        return [
            f"il n'y a pas de fichier {FICHIER_CONFIG} dans l'espace « {config.racine} » : lancez "
            f"« vif38-bilan init . » depuis ce dossier pour le créer, puis complétez-le"
        ]
    problemes = []
    for nom in requis:
        if nom == "date_limite" and date_limite is not None:
            continue
        brut = config.lus.get(nom)
        if nom in config.erreurs:
            problemes.append(f"{nom} : {config.erreurs[nom]} (exemple : {EXEMPLES[nom]})")
        elif brut is None or not str(brut).strip():
            proche = [c for c in config.lus if c not in CLES_CONFIG and _proche(c, nom)]
            indice = f" (la ligne « {proche[0]} » est-elle une faute de frappe ?)" if proche else ""
            absent = "est vide" if nom in config.lus else "manque"
            problemes.append(f"{nom} {absent} : écrivez {ROLES[nom]}, par exemple {EXEMPLES[nom]}{indice}")
        elif nom == "courriel":
            try:
                lire_adresse(str(brut))
            except ValueError as e:
                problemes.append(f"courriel : {e}")
    return problemes


def exiger_reglages(config: Config, pour: str, date_limite: date | None = None) -> None:
    """Raise ConfigurationInvalide naming each setting to fill before `pour` (e.g. "produire les classeurs")."""
    if config.fichier is None:
        raise ConfigurationInvalide(
            f"Pas encore de réglages dans l'espace de travail « {config.racine} » (fichier {FICHIER_CONFIG} "
            f"absent) : lancez « vif38-bilan init . » depuis ce dossier ; il demande le nom du service, l'adresse "
            f"de retour et la date limite, puis relancez la commande."
        )
    problemes = verifier_reglages(config, date_limite)
    if not problemes:
        return
    fichier = config.fichier or (config.racine / FICHIER_CONFIG)
    lignes = "\n".join(f"  - {p}" for p in problemes)
    raise ConfigurationInvalide(
        f"Réglages à compléter dans « {fichier} » avant de {pour} :\n{lignes}\n"
        "Ouvrez ce fichier (avec le Bloc-notes par exemple), complétez ces lignes, enregistrez, puis relancez "
        "la commande. « vif38-bilan config » affiche et vérifie les réglages."
    )


def _proche(cle: str, nom: str) -> bool:
    import difflib

    return difflib.SequenceMatcher(None, cle.lower(), nom).ratio() >= 0.75


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
