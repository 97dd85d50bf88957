"""A pilot's CSV export instead of the workbook (issue 14, kind 9): recognised by its content,
whatever its name, so that the message says what it is and asks for the workbook.

LibreOffice's "Enregistrer sous → Texte CSV" (and Excel's "CSV UTF-8") write the active sheet as
text lines; the statuses, values and identification of the other sheets are lost, so such a file
is never read as a return: the pilot is named (from the action codes it holds) and asked for the
.xlsx.
"""

from __future__ import annotations

import csv
import io
import re
from vif38_bilan.commun.textes import sans_invisibles

_RE_CODE = re.compile(r"^\s*(\d)\s*-\s*(\d{1,2})\s*-\s*(\d{1,2})\s*$")
_ECHANTILLON = 64 * 1024


def texte(donnees: bytes) -> str | None:
    """The start of the file as text, or None when it is binary."""
    tete = donnees[:_ECHANTILLON]
    if b"\x00" in tete:
        return None
    for codage in ("utf-8-sig", "cp1252"):
        try:
            return tete.decode(codage)
        except UnicodeDecodeError:
            continue
    return None


def est_un_csv(donnees: bytes) -> bool:
    """True for delimited text: several lines with the same separator (, ; or tab)."""
    t = texte(donnees)
    if t is None:
        return False
    lignes = [li for li in t.splitlines()[:50] if li.strip()]
    if len(lignes) < 2:
        return False
    try:
        dialecte = csv.Sniffer().sniff("\n".join(lignes[:20]), delimiters=",;\t")
    except csv.Error:
        return False
    largeurs = [len(r) for r in csv.reader(io.StringIO("\n".join(lignes)), dialecte)]
    return max(largeurs) >= 3 and sum(w >= 3 for w in largeurs) >= len(largeurs) // 2


def codes_actions(donnees: bytes) -> set[str]:
    """Action codes ("1-1-1") found in the cells of a CSV."""
    # Invisible format characters (a zero-width space before "1-1-1") never hide a code (issue 25).
    t = sans_invisibles(donnees.decode("utf-8-sig", "replace")) if texte(donnees) is not None else ""
    try:
        dialecte = csv.Sniffer().sniff(t[:_ECHANTILLON], delimiters=",;\t")
    except csv.Error:
        dialecte = csv.excel
    codes = set()
    for ligne in csv.reader(io.StringIO(t), dialecte):
        for cellule in ligne[:3]:
            m = _RE_CODE.match(cellule)
            if m:
                codes.add("-".join(m.groups()))
    return codes


def pilote_du_csv(donnees: bytes, actions_par_pilote: dict[str, set[str]]) -> str | None:
    """The pilot whose set of actions is exactly the codes of the CSV (None when not one)."""
    codes = codes_actions(donnees)
    if not codes:
        return None
    trouves = [p for p, actions in actions_par_pilote.items() if actions == codes]
    return trouves[0] if len(trouves) == 1 else None


def message_csv(renomme: bool, pilote: str | None = None) -> str:
    """French message: what the file is and what to ask the pilot."""
    qui = f" (retour de {pilote}, reconnu à ses codes d'action)" if pilote else ""
    if renomme:
        quoi = f"Ce fichier est un export CSV (texte) renommé en classeur{qui}"
    else:
        quoi = f"Le pilote a envoyé un export CSV (texte) au lieu du classeur{qui}"
    return (
        f"{quoi} : les statuts, les valeurs et l'identification du classeur y sont perdus. Demandez au pilote de "
        "renvoyer le classeur de collecte lui-même, enregistré au format .xlsx (Fichier → Enregistrer sous → "
        "Classeur Excel)."
    )
