"""Freezing a signed year: sorties/AAAA/validation-AAAA.json, reopening, checking fingerprints.

Once the Préfet has signed, the year's outputs (consolidation, bilan .docx and .pdf, check
report) are recorded with the SHA-256 of every return read. While the record exists the tool
refuses to rewrite them; reopening moves them, record included, to sorties/AAAA/archives/<when>/
and logs the reason in sorties/AAAA/journal-validation-AAAA.txt, so a signed version is never lost.
"""

from __future__ import annotations

import hashlib
import json
import os
from dataclasses import asdict, dataclass
from datetime import datetime
from pathlib import Path

from vif38_bilan.commun.textes import nature_erreur
from vif38_bilan.espace import fichiers
from vif38_bilan.commun.ecriture import ecrire_texte
from vif38_bilan.exceptions import AnneeValidee, SortieBloquee, Vif38Error

# The signed outputs of a year (sorties/AAAA/), with their role in the record.
SIGNES = (
    ("consolidation", fichiers.nom_consolidation, True),
    ("bilan", fichiers.nom_bilan, True),
    ("pdf", fichiers.nom_pdf, False),
    ("controle", fichiers.nom_rapport, False),
)
RETOUR = "retour"
LIBELLES = {
    "consolidation": "classeur de consolidation",
    "bilan": "bilan Word",
    "pdf": "bilan PDF",
    "controle": "rapport de contrôle",
    RETOUR: "retour",
}


@dataclass(frozen=True)
class Empreinte:
    """One recorded file: its role, its path relative to the workspace (with /), its SHA-256 and size."""

    role: str
    chemin: str
    sha256: str
    taille: int


@dataclass(frozen=True)
class Validation:
    """The record of a validated year."""

    annee: int
    valide_le: str  # ISO date and time
    empreintes: tuple[Empreinte, ...]

    @property
    def date_francaise(self) -> str:
        return datetime.fromisoformat(self.valide_le).strftime("%d/%m/%Y")

    def empreinte(self, role: str) -> Empreinte | None:
        return next((e for e in self.empreintes if e.role == role), None)


def sha256_fichier(chemin: str | Path) -> str:
    h = hashlib.sha256()
    with open(chemin, "rb") as f:
        for bloc in iter(lambda: f.read(1 << 20), b""):
            h.update(bloc)
    return h.hexdigest()


def _relatif(chemin: Path, racine: Path) -> str:
    try:
        return Path(os.path.relpath(chemin, racine)).as_posix()
    except ValueError:  # another drive on Windows
        return Path(chemin).as_posix()


def _empreinte(role: str, chemin: Path, racine: Path) -> Empreinte:
    chemin = Path(chemin).resolve()
    return Empreinte(role, _relatif(chemin, racine), sha256_fichier(chemin), chemin.stat().st_size)


def chemin_validation(dossier: Path, annee: int) -> Path:
    return Path(dossier) / fichiers.nom_validation(annee)


def lire_validation(dossier: str | Path, annee: int) -> Validation | None:
    """The validation record in dossier (sorties/AAAA/), or None when the year is not validated."""
    chemin = chemin_validation(Path(dossier), annee)
    if not chemin.is_file():
        return None
    try:
        d = json.loads(chemin.read_text("utf-8"))
        return Validation(int(d["annee"]), str(d["valide_le"]), tuple(Empreinte(**e) for e in d["empreintes"]))
    except (ValueError, KeyError, TypeError) as e:
        raise Vif38Error(
            f"Le fichier de validation « {chemin} » est illisible ({nature_erreur(e)}) : il ne doit pas être modifié "
            "à la main. Remettez-le depuis une sauvegarde ; l'année reste considérée comme validée."
        ) from e


def refuser_si_validee(dossier: str | Path, annee: int, quoi: str) -> None:
    """Raise AnneeValidee (French: how to check, how to reopen) when dossier holds annee's validation."""
    v = lire_validation(dossier, annee)
    if v is None:
        return
    raise AnneeValidee(
        f"L'année {annee} est validée depuis le {v.date_francaise} (bilan signé) : {quoi} n'est pas réécrit, pour "
        f"ne pas changer des fichiers signés. Pour vérifier qu'ils sont intacts : vif38-bilan verifier --annee {annee}. "
        f"S'il faut vraiment refaire ce bilan, rouvrez l'année : vif38-bilan valider --annee {annee} --rouvrir "
        '--motif "la raison" (les fichiers signés sont archivés, rien n\'est perdu).'
    )


def enregistrer_validation(
    racine: Path, annee: int, dossier: Path, retours: list[Path], maintenant: datetime | None = None, note: str = ""
) -> Validation:
    """Record the fingerprints of the year's outputs in dossier and of every return read.

    note: added to the journal's line (e.g. why the year was validated with returns missing).

    Raises Vif38Error when the consolidation or the bilan .docx is missing, AnneeValidee when the
    year already is validated, SortieBloquee when the record cannot be written.
    """
    refuser_si_validee(dossier, annee, "la validation")
    racine = Path(racine).resolve()
    empreintes = []
    for role, nom, obligatoire in SIGNES:
        chemin = Path(dossier) / nom(annee)
        if chemin.is_file():
            empreintes.append(_empreinte(role, chemin, racine))
        elif obligatoire:
            raise Vif38Error(
                f"Rien à valider : « {chemin} » n'existe pas. Produisez d'abord le bilan "
                f"(vif38-bilan bilan --annee {annee} --pdf), relisez-le, puis validez l'année."
            )
    empreintes += [_empreinte(RETOUR, Path(r), racine) for r in retours]
    moment = (maintenant or datetime.now()).replace(microsecond=0)
    v = Validation(annee, moment.isoformat(), tuple(empreintes))
    contenu = {"annee": annee, "valide_le": v.valide_le, "empreintes": [asdict(e) for e in empreintes]}
    ecrire_texte(chemin_validation(dossier, annee), json.dumps(contenu, ensure_ascii=False, indent=2) + "\n")
    _journal(
        dossier,
        annee,
        moment,
        f"validation : {len(empreintes) - len(retours)} fichier(s) signé(s), {len(retours)} retour(s)"
        + (f" ; {note}" if note else ""),
    )
    return v


def _journal(dossier: Path, annee: int, moment: datetime, ligne: str) -> None:
    chemin = Path(dossier) / fichiers.nom_journal(annee)
    avant = chemin.read_text("utf-8") if chemin.is_file() else ""
    ecrire_texte(chemin, f"{avant}{moment.isoformat(sep=' ')}  {ligne}\n")


def rouvrir(racine: Path, annee: int, dossier: Path, motif: str, maintenant: datetime | None = None) -> Path:
    """Move the signed files and the record to dossier/archives/<when>/, log the reason; returns that folder.

    Raises Vif38Error when the year is not validated or the reason is empty, SortieBloquee when a
    signed file cannot be moved (open in Word or Excel): nothing is moved then.
    """
    motif = " ".join((motif or "").split())
    v = lire_validation(dossier, annee)
    if v is None:
        raise Vif38Error(f"L'année {annee} n'est pas validée : il n'y a rien à rouvrir.")
    if not motif:
        raise Vif38Error('Dites pourquoi l\'année est rouverte : --motif "la raison" (elle est gardée au journal).')
    moment = (maintenant or datetime.now()).replace(microsecond=0)
    archive = Path(dossier) / fichiers.DOSSIER_ARCHIVES / moment.strftime("%Y-%m-%d_%H%M%S")
    suffixe = 1
    while archive.exists():
        suffixe += 1
        archive = archive.with_name(f"{moment.strftime('%Y-%m-%d_%H%M%S')}-{suffixe}")
    a_deplacer = [Path(dossier) / nom(annee) for _r, nom, _o in SIGNES]
    a_deplacer = [c for c in a_deplacer if c.is_file()] + [chemin_validation(dossier, annee)]
    archive.mkdir(parents=True)
    deplaces: list[tuple[Path, Path]] = []
    try:
        for c in a_deplacer:
            os.replace(c, archive / c.name)
            deplaces.append((c, archive / c.name))
    except OSError as e:
        for origine, cible in reversed(deplaces):  # all or nothing: the year stays validated
            os.replace(cible, origine)
        raise SortieBloquee(
            f"« {Path(e.filename or '').name or e} » ne peut pas être déplacé (ouvert dans Word ou Excel ?) : "
            "fermez-le, puis relancez. L'année reste validée."
        ) from e
    ecrire_texte(archive / "motif.txt", f"Année {annee} rouverte le {moment.isoformat(sep=' ')}.\nMotif : {motif}\n")
    _journal(
        dossier, annee, moment, f"réouverture (signée le {v.date_francaise}) : {motif} — archivé dans {archive.name}"
    )
    return archive


def differences(racine: Path, v: Validation, retours: list[Path]) -> list[str]:
    """What no longer matches the record, in French (empty: everything matches).

    retours: the returns found now (a return added since the validation is a difference too)."""
    racine = Path(racine).resolve()
    ecarts = []
    for e in v.empreintes:
        chemin = racine / e.chemin
        libelle = f"{LIBELLES.get(e.role, e.role)} « {e.chemin} »"
        if not chemin.is_file():
            ecarts.append(f"{libelle} : absent (supprimé ou déplacé)")
        elif sha256_fichier(chemin) != e.sha256:
            ecarts.append(f"{libelle} : modifié depuis la validation")
    connus = {e.chemin for e in v.empreintes if e.role == RETOUR}
    for r in retours:
        rel = _relatif(Path(r).resolve(), racine)
        if rel not in connus:
            ecarts.append(f"retour « {rel} » : ajouté depuis la validation")
    return ecarts
