"""The per-user MSI, built with Debian's wixl (msitools) from the same tree as the zip.

Per-user, no administrator rights (InstallScope perUser: ALLUSERS=2 with
MSIINSTALLPERUSER=1, so Windows Installer never asks for elevation): installs to %LOCALAPPDATA%\\Programs\\vif38-bilan, adds a Start-menu folder with the
work page and a console, and a marker under HKCU (the key path Windows Installer needs for
per-user components). Uninstall removes all of it: every file is the installer's, and the
launchers keep Python's bytecode cache outside the install folder.
"""

from __future__ import annotations

import subprocess
import uuid
from pathlib import Path

# Fixed forever: Windows recognises later versions of the same product by it.
UPGRADE_CODE = "6f0b6a9e-3c1d-4c55-9d0e-2a38b1b1e038"
FABRICANT = "vif38-bilan"
ESPACE_NOMS = uuid.UUID("0d8e5f0a-9b0e-4f7e-8a7b-38b11a4a0038")

WXS = """<?xml version="1.0" encoding="utf-8"?>
<Wix xmlns="http://schemas.microsoft.com/wix/2006/wi">
  <Product Id="{produit}" Name="vif38-bilan" Language="1036" Codepage="65001" Version="{version}"
           Manufacturer="{fabricant}" UpgradeCode="{upgrade}">
    <Package InstallerVersion="500" Compressed="yes" InstallScope="perUser"
             Languages="1036" SummaryCodepage="65001"
             Description="vif38-bilan : bilan annuel du protocole VIF de l'Isère" Manufacturer="{fabricant}"/>
    <Property Id="ALLUSERS" Value="2"/>
    <Property Id="MSIINSTALLPERUSER" Value="1"/>
    <Property Id="ARPNOMODIFY" Value="1"/>
    <MajorUpgrade DowngradeErrorMessage="Une version plus récente de vif38-bilan est déjà installée."/>
    <Media Id="1" Cabinet="vif38.cab" EmbedCab="yes"/>
    <Directory Id="TARGETDIR" Name="SourceDir">
      <Directory Id="LocalAppDataFolder">
        <Directory Id="ProgramsDir" Name="Programs">
          <Directory Id="INSTALLDIR" Name="vif38-bilan"/>
        </Directory>
      </Directory>
      <Directory Id="ProgramMenuFolder">
        <Directory Id="MenuDir" Name="vif38-bilan"/>
      </Directory>
      <Directory Id="PersonalFolder"/>
    </Directory>
    <DirectoryRef Id="MenuDir">
      <Component Id="Raccourcis" Guid="{guid_raccourcis}">
        <Shortcut Id="RaccourciPage" Name="Page de travail vif38-bilan"
                  Description="Ouvre la page de travail dans le navigateur"
                  Target="[INSTALLDIR]Ouvrir la page de travail.cmd" WorkingDirectory="INSTALLDIR"/>
        <Shortcut Id="RaccourciConsole" Name="Console vif38-bilan"
                  Description="Une console où la commande vif38-bilan est disponible"
                  Target="[INSTALLDIR]Console vif38-bilan.cmd" WorkingDirectory="PersonalFolder"/>
        <RemoveFolder Id="RetirerMenu" On="uninstall"/>
        <RegistryValue Root="HKCU" Key="Software\\vif38-bilan" Name="installe" Type="integer" Value="1"
                       KeyPath="yes"/>
      </Component>
    </DirectoryRef>
    <Feature Id="Principal" Title="vif38-bilan" Level="1">
      <ComponentGroupRef Id="Fichiers"/>
      <ComponentRef Id="Raccourcis"/>
    </Feature>
  </Product>
</Wix>
"""


def version_msi() -> str:
    """setup.cfg's version as an MSI version (three numbers)."""
    import configparser

    cfg = configparser.ConfigParser()
    cfg.read(Path(__file__).resolve().parents[2] / "setup.cfg", encoding="utf-8")
    nombres = [n for n in cfg.get("metadata", "version").split(".") if n.isdigit()][:3]
    return ".".join(nombres + ["0"] * (3 - len(nombres)))


def _fichiers(arbre: Path, travail: Path) -> Path:
    """wixl-heat's fragment for every file of the tree (one component each, under INSTALLDIR)."""
    liste = "\n".join(sorted(str(p) for p in arbre.rglob("*") if p.is_file())) + "\n"
    fragment = subprocess.run(
        ["wixl-heat", "-p", f"{arbre}/", "--directory-ref", "INSTALLDIR", "--component-group", "Fichiers",
         "--var", "var.Source", "--win64"],
        input=liste, capture_output=True, text=True, check=True,
    ).stdout  # fmt: skip
    chemin = travail / "fichiers.wxs"
    chemin.write_text(fragment, encoding="utf-8")
    return chemin


def ecrire_msi(arbre: Path, msi: Path, travail: Path) -> Path:
    """Build msi from arbre with wixl (written then renamed); return its path."""
    version = version_msi()
    produit = str(uuid.uuid5(ESPACE_NOMS, f"produit {version}")).upper()
    wxs = travail / "vif38-bilan.wxs"
    wxs.write_text(
        WXS.format(
            produit=produit,
            version=version,
            fabricant=FABRICANT,
            upgrade=UPGRADE_CODE.upper(),
            guid_raccourcis=str(uuid.uuid5(ESPACE_NOMS, "raccourcis")).upper(),
        ),
        encoding="utf-8",
    )
    provisoire = msi.with_suffix(".msi.tmp")
    subprocess.run(
        [
            "wixl",
            "-a",
            "x64",
            "-D",
            "Source=.",
            "-D",
            "Win64=yes",
            "-o",
            str(provisoire),
            str(wxs),
            str(_fichiers(arbre, travail)),
        ],
        check=True,
        cwd=arbre,  # wixl wants Source paths relative to the folder it runs in
    )
    provisoire.replace(msi)
    return msi
