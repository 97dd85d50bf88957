"""The catalogue of findings every stage may report, one module per scope, declared in this order.

anomalies (records: Gravite, Etat, Regle, Anomalie; the CATALOGUE they register into) ·
fichier (a file under the returns folder) · retour (one return's contents) ·
chiffres_cles (a return's key-figure sheet) · historique (earlier years' workbooks).
Import rules and records from this package: importing it declares the whole catalogue.
"""

# ruff: noqa: I001  (declaration order is the catalogue order)
from vif38_bilan.regles.anomalies import *  # noqa: F403
from vif38_bilan.regles.fichier import *  # noqa: F403
from vif38_bilan.regles.retour import *  # noqa: F403
from vif38_bilan.regles.chiffres_cles import *  # noqa: F403
from vif38_bilan.regles.historique import *  # noqa: F403
