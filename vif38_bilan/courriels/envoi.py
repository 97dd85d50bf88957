"""Sending the drafts over SMTP (only with `courriels --envoyer`) and the journal that prevents resending.

This is the only network access of the whole tool.
"""

from __future__ import annotations

import contextlib
import csv
import io
import smtplib
import ssl
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime
from email.message import EmailMessage
from email.parser import BytesParser
from pathlib import Path
from typing import Any

from vif38_bilan.courriels.brouillons import ENTETE_PILOTE, ENTETE_TYPE, POLITIQUE, Brouillon, Preparation
from vif38_bilan.courriels.contacts import lire_adresse
from vif38_bilan.commun.ecriture import ecrire_atomique, verrou
from vif38_bilan.exceptions import ConfigurationInvalide, SortieBloquee, Vif38Error

ENVOYE = "envoyé"
ECHEC = "échec"
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
            f"vif38.toml, [smtp] port = « {s.get('port')} » : écrivez un numéro de port, par exemple 587."
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
