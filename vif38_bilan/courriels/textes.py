"""Texts of the e-mails: default subjects and bodies per type, [courriels] of vif38.toml, rendering."""

from __future__ import annotations

import re
import string
from collections.abc import Sequence
from typing import Any

from vif38_bilan.commun.textes import tronquer
from vif38_bilan.regles import ERREUR
from vif38_bilan.exceptions import ConfigurationInvalide
from vif38_bilan.referentiel.protocole import Protocole

ENVOI = "envoi"
RELANCE = "relance"
CORRECTION = "correction"
TYPES = (ENVOI, RELANCE, CORRECTION)

ANOMALIES_MAX = 60
DESCRIPTION_MAX = 110

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
observations, puis de renvoyer le classeur complété avant le {date_limite} à l'adresse \
{courriel}. Vous pouvez renommer le fichier ; en revanche, n'ajoutez, ne supprimez et ne \
déplacez aucune ligne ni colonne, et ne renommez pas les feuilles.

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


def rendre(modele: str, valeurs: dict[str, str], nom_cle: str) -> str:
    """Fill a subject or body with its values; nom_cle names the vif38.toml key in the error."""
    try:
        return modele.format_map(valeurs)
    except (ValueError, IndexError, KeyError) as e:
        raise ConfigurationInvalide(f"vif38.toml, [courriels] {nom_cle} : texte impossible à compléter ({e}).") from e


def lignes_actions(protocole: Protocole, code: str) -> str:
    """The {actions} text: one line per action of the pilot, long descriptions shortened."""
    lignes = []
    for action, role in protocole.actions_du_pilote(code):
        d = re.sub(r"\s+", " ", action.description).strip()
        d = tronquer(d, DESCRIPTION_MAX)
        lignes.append(f"  - {action.code} ({role}) : {d}")
    return "\n".join(lignes)


def _lignes_anomalies(anomalies: Sequence[Any]) -> str:
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


def texte_anomalies(blocs: Sequence[tuple[str, str, list[Any]]]) -> str:
    """The {anomalies} text: one list per attached file, headed by its name when there are several."""
    parties = []
    for nom, note, anomalies in blocs:
        texte = "\n\n".join(t for t in (note, _lignes_anomalies(anomalies)) if t)
        parties.append(f"Fichier « {nom} » :\n{texte}" if len(blocs) > 1 else texte)
    return "\n\n".join(parties)
