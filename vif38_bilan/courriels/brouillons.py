"""Drafts: who gets which workbook for each type of e-mail, written as .eml files to open and send.

Drafts are plain files the agent opens in Outlook or Thunderbird. The check is never run here:
relance and correction receive its result (see `vif38_bilan.cycle.annee`).
"""

from __future__ import annotations

import contextlib
import hashlib
import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from datetime import datetime
from email import policy
from email.headerregistry import Address
from email.message import EmailMessage
from email.utils import formatdate, make_msgid
from pathlib import Path
from typing import Any

from vif38_bilan.espace import fichiers
from vif38_bilan.gabarits import disposition

from vif38_bilan.controle import rapport as rapport_controle
from vif38_bilan.regles import A_CORRIGER, ERREUR, VALIDE
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
from vif38_bilan.referentiel.pilotes import cle
from vif38_bilan.referentiel.protocole import Protocole
from vif38_bilan.commun.textes import texte_propre

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


@dataclass
class _Cible:
    """A recipient before rendering: a contact row (or an address found in a return)."""

    contact: Contact
    pieces: list[PieceJointe] = field(default_factory=list)
    blocs: list[tuple[str, str, list[Any]]] = field(default_factory=list)  # (file, note, anomalies)


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
    elif type_ == RELANCE:
        cibles = _cibles_relance(protocole, contacts, config, annee, resultat, sans_adresse)
    else:
        gabarits = config.dossier("gabarits", annee)
        cibles = _cibles_correction(protocole, contacts, sorties, resultat, sans_adresse, gabarits)

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
        c = cible.contact
        destinataire = c.structure or c.organisation
        valeurs = dict(valeurs_communes)
        valeurs.update(
            pilote=c.organisation,
            code_pilote=c.pilote,
            structure=c.structure,
            destinataire=destinataire,
            contact=c.nom,
            actions=lignes_actions(protocole, c.pilote),
            anomalies=texte_anomalies(cible.blocs),
        )
        sujet = re.sub(r"\s+", " ", rendre(sujet_m, valeurs, f"sujet_{type_}")).strip()
        corps = rendre(corps_m, valeurs, f"corps_{type_}")
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
        journal=sorties / fichiers.DOSSIER_COURRIELS / JOURNAL,
        expediteur=expediteur,
        brouillons=brouillons,
        sans_adresse=sans_adresse,
        supprimes=supprimes,
        remarques=remarques,
    )


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
    if codes and (not dossier.is_dir() or not any(dossier.glob("*.xlsx"))):
        # Said first: the missing addresses would otherwise be listed, then no draft written.
        raise Vif38Error(
            f"Aucun classeur dans « {dossier} » : lancez d'abord « vif38-bilan gabarits --annee {annee} », "
            "puis relancez cette commande."
        )
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
        raise Vif38Error(
            f"{len(manquants)} classeur(s) introuvable(s) dans « {dossier} » : {', '.join(manquants)}. "
            f"Lancez « vif38-bilan gabarits --annee {annee} » pour les produire, puis relancez cette commande."
        )
    return cibles


def _utilisable(f: Any) -> bool:
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
    protocole: Protocole,
    contacts: Sequence[Contact],
    sorties: Path,
    resultat: Any,
    sans_adresse: list[str],
    gabarits: Path | None = None,
) -> list[_Cible]:
    """Returns with erreurs: the annotated copy goes back to the pilot (or structure) that sent it;
    a workbook of an earlier year filled for this one gets this year's workbook instead (gabarits:
    the folder of this year's workbooks)."""
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
        if f.annee and f.annee != resultat.annee and gabarits is not None:
            annote, note = _classeur_de_l_annee(f, resultat.annee, Path(gabarits))
            if not annote.is_file():
                absents.append(f.nom)
                continue
        elif f.format and f.format not in rapport_controle.FORMATS_ANNOTABLES:
            # No annotated copy of an .ods/.xls return: send it back as is, the list says where.
            annote = Path(f.chemin)
            note = (
                f"Votre fichier « {Path(f.nom).name} » (format .{f.format}) ne peut pas être annoté : "
                "les cellules concernées sont indiquées ci-dessous."
            )
        else:
            annote = Path(rapport_controle.chemin_annote(sorties, f.nom))
            if f.format == "ods":  # the copy of an .ods return is an .xlsx holding its cells
                note = (
                    f"Votre fichier « {Path(f.nom).name} » était au format .ods : la copie annotée jointe est au "
                    "format .xlsx (LibreOffice l'ouvre aussi) ; corrigez-la et renvoyez-la."
                )
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


def _classeur_de_l_annee(f: Any, annee: int, gabarits: Path) -> tuple[Path, str]:
    """Last year's workbook filled for this year (issue 25): this year's workbook goes back, and
    the text says to copy the answers into it."""
    note = (
        f"Votre fichier « {Path(f.nom).name} » est le classeur de l'année {f.annee}, rempli pour {annee} : vos "
        f"réponses n'ont pas pu être reprises. Recopiez-les dans le classeur {annee} joint à ce message, puis "
        "renvoyez-le."
    )
    return gabarits / disposition.nom_fichier(annee, f.pilote), note


def _majuscule(texte: str) -> str:
    return texte[:1].upper() + texte[1:]


def _adresse_identite(f: Any) -> str:
    for k, v in (f.identite or {}).items():
        if cle(str(k)) == cle("Courriel") and v:
            with contextlib.suppress(ValueError):
                return lire_adresse(str(v))
    return ""


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
