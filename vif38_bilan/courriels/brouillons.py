"""Drafts: one .eml file per recipient (the recipients are chosen in destinataires.py), to open and send.

Drafts are plain files the agent opens in Outlook or Thunderbird. The check is never run here:
relance and correction receive its result (see `vif38_bilan.cycle.annee`).
"""

from __future__ import annotations

import contextlib
import re
from dataclasses import dataclass, field
from datetime import datetime
from email import policy
from email.headerregistry import Address
from email.message import EmailMessage
from email.utils import formatdate, make_msgid
from pathlib import Path
from typing import Any

from vif38_bilan.espace import fichiers

from vif38_bilan.courriels.contacts import Contact, charger_contacts, lire_adresse, slug
from vif38_bilan.courriels.textes import (
    ENVOI,
    RELANCE,
    TYPES,
    lignes_actions,
    rendre,
    texte_anomalies,
    textes_courriels,
)
from vif38_bilan.commun.ecriture import ecrire_octets
from vif38_bilan.exceptions import ConfigurationInvalide, Vif38Error
from vif38_bilan.referentiel.protocole import Protocole
from vif38_bilan.commun.textes import texte_propre
from vif38_bilan.courriels.destinataires import (
    Cible,
    PieceJointe,
    cibles_classeurs,
    cibles_correction,
    cibles_relance,
)

JOURNAL = "journal.csv"  # sorties/AAAA/courriels/journal.csv, kept by envoi.py

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


def preparer_courriels(
    config: Any,
    protocole: Protocole,
    annee: int,
    type_: str = ENVOI,
    resultat: Any = None,
    maintenant: datetime | None = None,
) -> Preparation:
    """Write one .eml draft per recipient in sorties/AAAA/courriels/<type>/ and return what was done.

    resultat: the ResultatControle of the year, required for relance and correction (this function
    never runs the check). Raises Vif38Error (unknown type, missing result, missing workbooks or
    annotated copies) and ConfigurationInvalide (vif38.toml, contacts.xlsx).
    """
    if type_ not in TYPES:
        raise Vif38Error(f"Type de courriel « {type_} » inconnu : choisissez {', '.join(TYPES)}.")
    if type_ != ENVOI and resultat is None:
        raise Vif38Error(
            f"Les courriels « {type_} » ont besoin du résultat du contrôle des retours {annee} : contrôlez "
            "d'abord l'année (controler_annee) et passez ce résultat (argument resultat)."
        )
    racine = Path(config.racine)
    textes = textes_courriels(config)
    contacts = charger_contacts(protocole, racine)
    sorties = config.dossier("sorties", annee)
    expediteur, retour, remarques = _expediteur(config)

    sans_adresse: list[str] = []
    if type_ == ENVOI:
        cibles = cibles_classeurs(
            protocole, contacts, config, annee, [p.code for p in protocole.pilotes_actifs()], sans_adresse
        )
    elif type_ == RELANCE:
        cibles = cibles_relance(protocole, contacts, config, annee, resultat, sans_adresse)
    else:
        gabarits = config.dossier("gabarits", annee)
        cibles = cibles_correction(protocole, contacts, sorties, resultat, sans_adresse, gabarits)

    dossier = sorties / fichiers.DOSSIER_COURRIELS / type_
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
        b = _brouillon(protocole, type_, cible, valeurs_communes, (sujet_m, corps_m), dossier, noms_pris)
        ecrits.append((b.chemin, construire_message(b, expediteur, retour, date).as_bytes()))
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
        journal=sorties / fichiers.DOSSIER_COURRIELS / JOURNAL,
        expediteur=expediteur,
        brouillons=brouillons,
        sans_adresse=sans_adresse,
        supprimes=supprimes,
        remarques=remarques,
    )


def _expediteur(config: Any) -> tuple[str, str, list[str]]:
    """(sender, reply-to address, remarks) from vif38.toml; ConfigurationInvalide for a bad address."""
    expediteur = str((config.smtp or {}).get("expediteur") or config.courriel or "").strip()
    retour = str(config.courriel or expediteur).strip()
    if not expediteur:
        remarque = (
            "Aucune adresse d'expéditeur dans vif38.toml (courriel = …) : les brouillons n'ont pas de champ "
            "« De » ; votre messagerie utilisera votre adresse habituelle."
        )
        return expediteur, retour, [remarque]
    try:
        return lire_adresse(expediteur), retour, []
    except ValueError as e:
        raise ConfigurationInvalide(f"vif38.toml, adresse de l'expéditeur : {e}.") from None


def _brouillon(
    protocole: Protocole, type_: str, cible: Cible, communes: dict[str, str], modeles: tuple[str, str],
    dossier: Path, noms_pris: set[str],
) -> Brouillon:  # fmt: skip
    """One recipient's draft: subject and body rendered with its values, its attachments."""
    c = cible.contact
    valeurs = dict(communes)
    valeurs.update(
        pilote=c.organisation,
        code_pilote=c.pilote,
        structure=c.structure,
        destinataire=c.structure or c.organisation,
        contact=c.nom,
        actions=lignes_actions(protocole, c.pilote),
        anomalies=texte_anomalies(cible.blocs),
    )
    sujet = re.sub(r"\s+", " ", rendre(modeles[0], valeurs, f"sujet_{type_}")).strip()
    return Brouillon(
        type=type_,
        pilote=c.pilote,
        structure=c.structure,
        destinataire=c.courriel,
        nom_destinataire=c.nom,
        copie=c.copie,
        sujet=sujet,
        corps=rendre(modeles[1], valeurs, f"corps_{type_}"),
        pieces=tuple(cible.pieces),
        chemin=dossier / _nom_brouillon(c, noms_pris),
    )


def _nom_brouillon(c: Contact, pris: set[str]) -> str:
    base = c.pilote + (f"_{slug(c.structure)}" if c.structure else "")
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
    msg["Subject"] = texte_propre(b.sujet, une_ligne=True)
    msg["Date"] = formatdate((date or datetime.now().astimezone()).timestamp(), localtime=True)
    domaine = expediteur.rpartition("@")[2] or "vif38-bilan.invalid"
    msg["Message-ID"] = make_msgid(domain=domaine)
    msg["X-Unsent"] = "1"
    msg[ENTETE_TYPE] = b.type
    msg[ENTETE_PILOTE] = b.pilote
    msg.set_content(texte_propre(b.corps) + "\n")  # a structure's name pasted with "\r" stays plain text
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
