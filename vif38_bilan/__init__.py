"""vif38-bilan: the yearly bilan of a departmental action plan, from Excel returns to Word."""

from vif38_bilan.exceptions import ReferentielInvalide, Vif38Error
from vif38_bilan.referentiel import Action, Indicateur, Objectif, Protocole, charger_protocole, vers_dict

__all__ = [
    "Action",
    "Indicateur",
    "Objectif",
    "Protocole",
    "ReferentielInvalide",
    "Vif38Error",
    "charger_protocole",
    "vers_dict",
]
