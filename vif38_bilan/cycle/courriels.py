"""The e-mails of the year: drafts prepared for the pilots, and sent only on request (`courriels
--envoyer`, the one network use).

The face asks for the confirmation and the password; the rest — settings, plan, sending, journal —
is here, so that every face sends the same way.
"""

from __future__ import annotations

from dataclasses import replace
from datetime import date, datetime

from vif38_bilan.controle.resultats import ResultatControle
from vif38_bilan.courriels.brouillons import Preparation, texte_preparation
from vif38_bilan.courriels.brouillons import preparer_courriels as preparer
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
from vif38_bilan.cycle.annee import executer_controle
from vif38_bilan.cycle.ouverture import Espace
from vif38_bilan.espace.reglages import exiger_reglages
from vif38_bilan.exceptions import Vif38Error

__all__ = [
    "preparer_courriels",
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


# ---------------------------------------------------------------- courriels


def preparer_courriels(
    espace: Espace,
    annee: int,
    type_: str = "envoi",
    resultat: ResultatControle | None = None,
    maintenant: datetime | None = None,
    date_limite: date | None = None,
):
    """Write one .eml draft per recipient in sorties/AAAA/courriels/<type>/.

    Args:
        type_: "envoi" (each pilot's workbook), "relance" (pilots without a usable return) or
            "correction" (returns with erreurs, annotated copy attached).
        resultat: the year's check result; for relance/correction it is computed here (check
            only, nothing written) when None, never when given.
        maintenant: the drafts' date (now when None).
        date_limite: the deadline written in the e-mails instead of vif38.toml's.
    Returns:
        courriels.Preparation (drafts written, pilots without address, stale drafts removed).
    Raises:
        AnneeHorsProtocole, ConfigurationInvalide (vif38.toml: service, courriel, date_limite
        missing or malformed; contacts.xlsx), Vif38Error
        (no saisies/AAAA/ folder for relance/correction), EspaceVerrouille.
    """
    espace = espace.pour_annee(annee)
    exiger_reglages(espace.config, "préparer les courriels", date_limite)
    config = replace(espace.config, date_limite=date_limite) if date_limite else espace.config
    with espace.verrou():
        if resultat is None and type_ != "envoi":
            dossier = espace.dossier("saisies", annee)
            if not dossier.is_dir():
                raise Vif38Error(
                    f"Le dossier des retours « {dossier} » n'existe pas : déposez-y les classeurs reçus, "
                    f"lancez « vif38-bilan controler --annee {annee} », puis relancez cette commande."
                )
            resultat = executer_controle(espace, annee, None, None, None, ecrire=False)
        return preparer(config, espace.protocole, annee, type_, resultat=resultat, maintenant=maintenant)
