"""Sending the year's e-mail drafts (only on request: `courriels --envoyer`, the one network use).

The face asks for the confirmation and the password; the rest — settings, plan, sending, journal —
is here, so that every face sends the same way.
"""

from __future__ import annotations

from vif38_bilan.courriels.brouillons import Preparation, texte_preparation
from vif38_bilan.courriels.envoi import (
    ECHEC,
    VARIABLE_MOT_DE_PASSE,
    ParametresSmtp,
    PlanEnvoi,
    ResultatEnvoi,
    envoyer,
    parametres_smtp,
    planifier_envoi,
    texte_envoi,
    texte_plan,
)
from vif38_bilan.cycle.ouverture import Espace

__all__ = [
    "ECHEC",
    "VARIABLE_MOT_DE_PASSE",
    "ParametresSmtp",
    "PlanEnvoi",
    "ResultatEnvoi",
    "envoyer_courriels",
    "parametres_envoi",
    "planifier_envoi",
    "texte_envoi",
    "texte_plan",
    "texte_preparation",
]


def parametres_envoi(espace: Espace) -> ParametresSmtp:
    """The [smtp] settings of vif38.toml, checked before any draft is written.

    Raises:
        ConfigurationInvalide: [smtp] missing or malformed (French message naming the key).
    """
    return parametres_smtp(espace.config)


def envoyer_courriels(
    espace: Espace, preparation: Preparation, smtp: ParametresSmtp, mot_de_passe: str | None = None
) -> list[ResultatEnvoi]:
    """Send the drafts of a preparation not sent yet (journal.csv says which were), under the lock.

    Returns:
        One ResultatEnvoi per draft (envoyé, déjà envoyé, échec with the server's reason).
    Raises:
        Vif38Error: server unreachable or password refused (nothing sent); EspaceVerrouille.
    """
    with espace.verrou():
        return envoyer(preparation, smtp, mot_de_passe)
