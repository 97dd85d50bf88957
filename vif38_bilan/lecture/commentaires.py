"""The comments a pilot left in a workbook (issue 25): legacy notes and threaded comments of
modern Excel (xlsx, xlsm), annotations of LibreOffice (ods). calamine reads no comment, so the
package parts are parsed here (defusedxml, parts bounded by their declared size, the archive
examined by securite beforehand). Legacy .xls notes are not read (BIFF NOTE/TXO records).
"""

from __future__ import annotations

import io
import posixpath
import zipfile
from dataclasses import dataclass

from vif38_bilan.lecture.cellules_brutes import cellules_ods, partie_feuille, lire_borne, local, xml
from vif38_bilan.commun.textes import lettre_colonne

_REL = "http://schemas.openxmlformats.org/officeDocument/2006/relationships"
# Excel writes a legacy copy of each threaded comment for older versions, starting so.
_FIL_ANCIEN = "[Threaded comment]"


@dataclass(frozen=True)
class Commentaire:
    """One comment (a thread's replies are joined to it)."""

    feuille: str
    ref: str  # A1 reference of the cell it is attached to
    auteur: str  # "" when the file does not say
    texte: str
    fil: bool = False  # a threaded comment of modern Excel


def lire_commentaires(donnees: bytes, format: str, feuilles: list[str]) -> list[Commentaire]:
    """The comments of the given sheets, in sheet order then cell order; [] when the format
    has none or the parts cannot be read (a comment never prevents reading the values)."""
    try:
        if format in ("xlsx", "xlsm"):
            return _ooxml(donnees, feuilles)
        if format == "ods":
            return _ods(donnees, feuilles)
    except Exception:  # malformed part: values are still read, comments are not
        return []
    return []


def _ooxml(donnees: bytes, feuilles: list[str]) -> list[Commentaire]:
    sortie: list[Commentaire] = []
    with zipfile.ZipFile(io.BytesIO(donnees)) as z:
        noms = set(z.namelist())
        if not any("comment" in n.lower() for n in noms):
            return []
        personnes = _personnes(z, noms)
        for feuille in feuilles:
            try:
                partie = partie_feuille(z, feuille)
            except KeyError:
                continue
            rels = posixpath.join(posixpath.dirname(partie), "_rels", posixpath.basename(partie) + ".rels")
            if rels not in noms:
                continue
            cibles = {}
            for e in xml(lire_borne(z, rels)):
                type_ = e.get("Type", "")
                cible = e.get("Target", "")
                cible = cible[1:] if cible.startswith("/") else posixpath.join(posixpath.dirname(partie), cible)
                cible = posixpath.normpath(cible)
                if type_.endswith("/comments"):
                    cibles["ancien"] = cible
                elif type_.endswith("/threadedComment"):
                    cibles["fil"] = cible
            fils = _fils(z, cibles["fil"], feuille, personnes) if cibles.get("fil") in noms else []
            avec_fil = {c.ref for c in fils}
            anciens = _anciens(z, cibles["ancien"], feuille) if cibles.get("ancien") in noms else []
            sortie += fils + [c for c in anciens if c.ref not in avec_fil and not c.texte.startswith(_FIL_ANCIEN)]
    return sorted(sortie, key=lambda c: (feuilles.index(c.feuille), _ordre(c.ref)))


def _personnes(z: zipfile.ZipFile, noms: set[str]) -> dict[str, str]:
    """Threaded comments' authors: person id → display name (xl/persons/person.xml)."""
    parties = [n for n in noms if n.lower().startswith("xl/persons/") and n.lower().endswith(".xml")]
    personnes = {}
    for p in parties:
        for e in xml(lire_borne(z, p)).iter():
            if local(e.tag) == "person":
                personnes[e.get("id", "")] = e.get("displayName", "")
    return personnes


def _fils(z: zipfile.ZipFile, partie: str, feuille: str, personnes: dict[str, str]) -> list[Commentaire]:
    """Threaded comments: a thread's first comment and its replies become one comment."""
    fils: dict[str, list] = {}
    premiers: dict[str, tuple[str, str]] = {}
    for e in xml(lire_borne(z, partie)):
        if local(e.tag) != "threadedComment":
            continue
        texte = "".join(t.text or "" for t in e.iter() if local(t.tag) == "text").strip()
        auteur = personnes.get(e.get("personId", ""), "")
        parent = e.get("parentId")
        if parent is None:
            premiers[e.get("id", "")] = (e.get("ref", ""), auteur)
            fils.setdefault(e.get("id", ""), []).insert(0, (auteur, texte))
        else:
            fils.setdefault(parent, []).append((auteur, texte))
    sortie = []
    for ident, (ref, auteur) in premiers.items():
        messages = fils.get(ident, [])
        texte = messages[0][1] if messages else ""
        for qui, reponse in messages[1:]:
            texte += f"\n{qui or 'Réponse'} : {reponse}"
        sortie.append(Commentaire(feuille, ref, auteur, texte, fil=True))
    return sortie


def _anciens(z: zipfile.ZipFile, partie: str, feuille: str) -> list[Commentaire]:
    """Legacy notes: the author's name Excel puts at the start of the text is removed."""
    racine = xml(lire_borne(z, partie))
    auteurs = [(a.text or "") for a in racine.iter() if local(a.tag) == "author"]
    sortie = []
    for c in racine.iter():
        if local(c.tag) != "comment":
            continue
        texte = "".join(t.text or "" for t in c.iter() if local(t.tag) == "t").strip()
        try:
            auteur = auteurs[int(c.get("authorId", "0"))]
        except (ValueError, IndexError):
            auteur = ""
        auteur, texte = auteur_en_tete(auteur, texte)
        sortie.append(Commentaire(feuille, c.get("ref", ""), auteur, texte))
    return sortie


def _ods(donnees: bytes, feuilles: list[str]) -> list[Commentaire]:
    with zipfile.ZipFile(io.BytesIO(donnees)) as z:
        contenu = lire_borne(z, "content.xml")
    if b"annotation" not in contenu:
        return []
    sortie = []
    for feuille in feuilles:
        for ligne, colonne, e in cellules_ods(donnees, feuille):
            for a in e:
                if local(a.tag) != "annotation":
                    continue
                auteur = next((x.text or "" for x in a if local(x.tag) == "creator"), "")
                paragraphes = ["".join(p.itertext()) for p in a if local(p.tag) == "p"]
                ref = f"{lettre_colonne(colonne + 1)}{ligne + 1}"
                qui, texte = auteur_en_tete(auteur.strip(), "\n".join(paragraphes).strip())
                sortie.append(Commentaire(feuille, ref, qui, texte))
    return sortie


def auteur_en_tete(auteur: str, texte: str) -> tuple[str, str]:
    """Excel starts a note with its author's name and a colon on the first line ("Léa Exemple:"),
    which LibreOffice keeps as text when it converts the note: (author, text without it)."""
    premiere, _, reste = texte.partition("\n")
    if premiere.endswith(":") and reste.strip() and (premiere[:-1] == auteur or (not auteur and len(premiere) <= 60)):
        return premiere[:-1].strip(), reste.strip()
    return auteur, texte


def _ordre(ref: str) -> tuple[int, int]:
    lettres = "".join(c for c in ref if c.isalpha())
    chiffres = "".join(c for c in ref if c.isdigit())
    n = 0
    for c in lettres.upper():
        n = n * 26 + ord(c) - 64
    return (int(chiffres or 0), n)
