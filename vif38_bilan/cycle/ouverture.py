"""Opening a workspace: the Espace record (root, settings, protocols), creating one, finding one."""

from __future__ import annotations

import contextlib
from dataclasses import dataclass, replace
from pathlib import Path

from vif38_bilan.commun.ecriture import verrou
from vif38_bilan.courriels.contacts import creer_contacts_vierges
from vif38_bilan.espace.reglages import SERVICE_PAR_DEFAUT, Config, charger_config, initialiser, racine_espace
from vif38_bilan.referentiel.chargement import charger_protocole
from vif38_bilan.referentiel.protocole import Protocole, verifier_annee
from vif38_bilan.referentiel.protocoles import charger_succession, protocole_pour_annee



# ---------------------------------------------------------------- the workspace


@dataclass
class Espace:
    """An opened workspace: its root folder, its settings (vif38.toml) and its protocol."""

    racine: Path
    config: Config
    protocole: Protocole  # the protocol of the year at work (the latest one until a year is chosen)
    protocoles: tuple[Protocole, ...] = ()  # every protocol of vif38.toml's [protocoles], oldest first

    @property
    def annees(self) -> tuple[int, ...]:
        """Every year of the workspace's protocols (the web page's year list)."""
        return tuple(sorted({y for p in self.protocoles or (self.protocole,) for y in p.annees}))

    def pour_annee(self, annee: int, verifier: bool = True) -> Espace:
        """This workspace at work on annee: its protocol is the one whose period holds annee.

        Raises:
            AnneeHorsProtocole: no protocol of the workspace covers annee (only when verifier;
            otherwise the workspace is returned as is).
        """
        if annee in self.protocole.annees:
            return self
        if any(annee in p.annees for p in self.protocoles):
            return replace(self, protocole=protocole_pour_annee(self.protocoles, annee))
        if verifier and self.protocoles:
            protocole_pour_annee(self.protocoles, annee)  # raises, naming every period
        elif verifier:
            verifier_annee(self.protocole, annee)
        return self

    def dossier(self, nom: str, annee: int | None = None) -> Path:
        """racine/nom or racine/nom/annee (nom: "gabarits", "saisies" or "sorties")."""
        return self.config.dossier(nom, annee)

    def verrou(self) -> contextlib.AbstractContextManager[None]:
        """The workspace lock: raises EspaceVerrouille while another command works here."""
        return verrou(self.racine)

    def verifier_annee(self, annee: int) -> None:
        """Raise AnneeHorsProtocole (French message) when no protocol of the workspace covers annee."""
        self.pour_annee(annee)


def creer_espace(
    dossier: str | Path,
    service: str = SERVICE_PAR_DEFAUT,
    courriel: str = "",
    date_limite: str = "",
    crees: list[Path] | None = None,
) -> Espace:
    """Create a workspace (gabarits/, saisies/, sorties/, vif38.toml, blank contacts.xlsx) and open it.

    Never overwrites an existing file. date_limite: JJ/MM/AAAA or "". crees, when given, receives
    the paths created. Raises ConfigurationInvalide (date_limite unreadable), SortieBloquee.
    """
    faits = initialiser(
        dossier,
        service=service,
        courriel=courriel,
        date_limite=date_limite,
        contacts=lambda chemin: creer_contacts_vierges(charger_protocole(), chemin),
    )
    if crees is not None:
        crees.extend(faits)
    return ouvrir_espace(dossier)


def ouvrir_espace(dossier: str | Path = ".", referentiel: str | Path | None = None) -> Espace:
    """Open the workspace that holds dossier.

    Args:
        dossier: a folder inside the workspace (the current folder by default); the workspace is
            the nearest of it and its parents holding vif38.toml.
        referentiel: a protocol file (.toml, .json, .xlsx) used instead of vif38.toml's
            `referentiel` setting or [protocoles] section, or the embedded Isère 2022-2024 protocol.
    Returns:
        Espace, with config and protocol(s) loaded: with a [protocoles] section, every protocol
        (Espace.protocoles) and the latest as Espace.protocole; Espace.pour_annee picks a year's.
    Raises:
        EspaceIntrouvable: no workspace in dossier or its parents (nothing is written).
        ConfigurationInvalide: vif38.toml is malformed.
        ReferentielInvalide: the protocol file is malformed.
    """
    racine = racine_espace(dossier)
    config = charger_config(racine)
    if referentiel is None and config.protocoles:
        protocoles = charger_succession(config.protocoles)
        return Espace(racine=racine, config=config, protocole=protocoles[-1], protocoles=protocoles)
    protocole = charger_protocole(referentiel or config.referentiel)
    return Espace(racine=racine, config=config, protocole=protocole)


