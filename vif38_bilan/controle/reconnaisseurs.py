"""Identifier recognisers validated by their checksum or their context (no language model).

Each function yields ``(debut, fin, cle)`` spans, ``cle`` naming a kind of ``Nature`` (see
donnees_personnelles.py). Checksums come from python-stdnum (``stdnum.fr.nir``: 13 digits and a
2-digit key = 97 − number mod 97, Corsica 2A/2B; ``stdnum.iban``: ISO 13616 mod 97), so a run of
digits that merely looks like a number (SIRET, amounts, phone lines already handled) is not flagged.

- NIR: 1 sex digit, 2 year, 2 month, 2 department (or 2A/2B), 3 commune, 3 order, 2 key, written
  together or with spaces, dots or dashes between any groups; when the key is right, or after a
  word that announces a social-security number (a mistyped key is still someone's number).
- IBAN: two letters, two check digits, 11 to 30 letters/digits in groups; only when valid.
- Vehicle plate: the SIV form AB-123-CD (dash or space) anywhere; AB123CD and the older form
  1234 AB 38 only after « plaque », « immatriculé(e) », « véhicule », « voiture ».
- Case or file number: a procedure word (dossier, procédure, plainte, PV, main courante, parquet,
  affaire, signalement, allocataire, RG, requête, jugement, matricule, écrou), maybe an acronym
  (« dossier CAF »), maybe « n° / numéro / : », then an identifier with at least 5 digits, or
  digits joined by « / » or « - ».
- Place of birth: « né(e) à / au / en X », « lieu de naissance : X » (X capitalised).
- Address without a house number: a verb of residence (domicilié, habite, réside, demeurant, vit,
  logé chez…) followed by a street type and a capitalised street name.
- A surname in capitals (3 letters or more) then a first name: « DUPUIS Marie-Claude » (neither word
  the protocol's nor a common word).
- A child named: enfant, fils, fille, bébé, nourrisson, garçon, fillette, neveu, nièce, petit-fils,
  petite-fille, frère, sœur, cadet(te), aîné(e), mineur(e), adolescent(e) followed by a capitalised word.
- A first name with a family situation: « X et ses 3 enfants », « X et son conjoint / compagnon /
  mari / ex-conjoint / fils / fille / bébé », « X, mère de 2 enfants », « X, enceinte ».
"""

from __future__ import annotations

import re
from collections.abc import Iterable

from stdnum import iban as _iban
from stdnum.fr import nir as _nir

_SEP = r"[ .\u00a0\u202f-]?"
_RE_NIR = re.compile(
    rf"(?<![\w-])[1-478]{_SEP}\d\d{_SEP}\d\d{_SEP}(?:\d\d|2[AaBb]){_SEP}\d{{3}}{_SEP}\d{{3}}{_SEP}\d\d(?![\w-])"
)
_RE_IBAN = re.compile(r"(?<![\w])[A-Z]{2}\d{2}(?:[ \u00a0]?[A-Z0-9]{4}){2,7}(?:[ \u00a0]?[A-Z0-9]{1,3})?(?!\w)")
_LETTRES_SIV = r"[A-HJ-NP-TV-Z]{2}"
_RE_PLAQUE = re.compile(rf"(?<![\w-]){_LETTRES_SIV}[- ]\d{{3}}[- ]{_LETTRES_SIV}(?![\w-])")
# Without dashes (AB123CD) or in the older form (1234 AB 38, which a file name « 2023 ARS 38 » also
# has): only after a vehicle word.
_RE_PLAQUE_CONTEXTE = re.compile(
    rf"(?i:plaque|immatricul\w*|v[ée]hicule|voiture)[^\n.;]{{0,30}}?(?<![\w-])"
    rf"(?P<p>{_LETTRES_SIV}\d{{3}}{_LETTRES_SIV}|\d{{1,4}} ?[A-Z]{{2,3}} ?(?:\d{{2}}|2[AB]))(?![\w-])"
)
_MOTS_DOSSIER = (
    r"dossiers?|proc[ée]dures?|plaintes?|p\.?\s?v\.?|proc[èe]s[- ]verbal|main[s]?[- ]courantes?|parquet|affaires?|"
    r"signalements?|allocataires?|r\.?g\.?|requ[êe]tes?|jugements?|matricule|[ée]crou"
)
_RE_DOSSIER = re.compile(
    rf"(?i:\b(?:{_MOTS_DOSSIER}))[ \u00a0]*(?:[A-Z]{{2,6}}[ \u00a0]+)?(?:(?i:n[°o]|num[ée]ro|num\.?|no\.?|#|:)[ \u00a0:]*)*"
    r"(?P<id>(?=[\w/.-]*\d)[A-Z0-9](?:[\w/.-]*[A-Z0-9])?)"
)
_RE_LIEU_NAISSANCE = re.compile(
    r"(?<!\w)(?:(?i:n[ée]e?s?)(?:\s+le\s+[\d/.\w ]{4,20}?)?\s+(?:à|au|aux|en)\s+|(?i:lieu\s+de\s+naissance)\s*:?\s*)"
    r"(?P<lieu>[A-ZÀ-Þ][\w'’-]*(?:[ -](?:de|du|des|la|le|sur|en)?[ -]?[A-ZÀ-Þ][\w'’-]*)*)"
)
_VOIES = (
    r"rue|avenue|av\.|bd|boulevard|place|chemin|all[ée]e|impasse|route|quai|cours|square|mont[ée]e|passage|"
    r"r[ée]sidence|lotissement|hameau|lieu-dit|faubourg|cit[ée]"
)
_RE_ADRESSE_SANS_NUMERO = re.compile(
    r"(?i:domicili[ée]e?s?|habit\w*|r[ée]sid\w*|demeur\w*|vi[tv]\w*|log[ée]e?s?\s+chez|adresse\s*:?)"
    rf"[ \u00a0]+(?:(?i:au|à\s+la|à\s+l['’]|à|,)[ \u00a0]*)?(?P<a>(?i:{_VOIES})[ \u00a0]+"
    r"(?:(?:de\s+la|de\s+l['’]|du|des|de|d['’])\s*)?[A-ZÀ-Þ][\w'’-]*(?:[ \u00a0]+[A-ZÀ-Þ][\w'’-]*)*)"
)
_PRENOM = r"[A-ZÀ-Þ][a-zà-ÿ'’]+(?:-[A-ZÀ-Þ][a-zà-ÿ'’]+)?"
_RE_ENFANT = re.compile(
    r"(?i:\b(?:enfants?|fils|filles?|b[ée]b[ée]|nourrisson|gar[çc]on|fillette|neveu|ni[èe]ce|petit-fils|"
    r"petite-fille|fr[èe]re|s(?:œ|oe)ur|cadet(?:te)?|a[îi]n[ée]e?|mineure?|adolescente?|ado))"
    rf",?[ \u00a0]+(?P<p>{_PRENOM})"
)
_RE_FAMILLE = re.compile(
    rf"(?P<p>{_PRENOM})(?:,|[ \u00a0]+et)[ \u00a0]+(?:(?i:ses|son|sa)[ \u00a0]+(?:\d+[ \u00a0]+|(?i:deux|trois|quatre|"
    r"cinq|six)[ \u00a0]+)?(?i:enfants?|conjoint|compagnon|compagne|mari|[ée]poux|ex-?conjoint|ex-?compagnon|"
    r"ex-?mari|fils|filles?|b[ée]b[ée]|petits?-enfants?)|(?i:m[èe]re|p[èe]re)[ \u00a0]+d['’e]|(?i:enceinte))"
)
_RE_NOM_PRENOM = re.compile(
    r"(?<![\w-])(?P<nom>[A-ZÀ-Þ]{3,}(?:[- ][A-ZÀ-Þ]{2,})?)[ \u00a0]+(?P<prenom>[A-ZÀ-Þ][a-zà-ÿ'’]+(?:-[A-ZÀ-Þ][a-zà-ÿ'’]+)?)(?![\w-])"
)


def nom_prenom(texte: str, est_nom_commun) -> Iterable[tuple[int, int, str]]:
    """A surname in capitals then a first name (« DUPUIS Marie-Claude »), as in case files."""
    for m in _RE_NOM_PRENOM.finditer(texte):
        if not est_nom_commun(m.group("nom")) and not est_nom_commun(m.group("prenom")):
            yield m.start(), m.end(), "NOM"


_RE_CONTEXTE_NIR = re.compile(
    r"(?i:s[ée]cu(?:rit[ée]\s+sociale)?|\bnir\b|\bn\.?i\.?r\b|\bss\b|carte\s+vitale|assur[ée]e?\s+social|"
    r"immatriculation|\bcpam\b|num[ée]ro\s+insee)[^\n]{0,25}$"
)


def nir(texte: str) -> Iterable[tuple[int, int, str]]:
    """Social-security numbers whose 2-digit key is right (stdnum.fr.nir), or, right after a word
    that announces one (« sécurité sociale », « NIR », « carte vitale »…), with a mistyped key."""
    for m in _RE_NIR.finditer(texte):
        brut = re.sub(r"[ .\u00a0\u202f-]", "", m.group()).upper()
        if _nir.is_valid(brut) or _RE_CONTEXTE_NIR.search(texte, max(0, m.start() - 60), m.start()):
            yield m.start(), m.end(), "NIR"


def iban(texte: str) -> Iterable[tuple[int, int, str]]:
    """Bank account numbers (IBAN) whose check digits are right (stdnum.iban)."""
    for m in _RE_IBAN.finditer(texte):
        if _iban.is_valid(m.group()):
            yield m.start(), m.end(), "IBAN"


def plaques(texte: str) -> Iterable[tuple[int, int, str]]:
    """Vehicle registration plates (SIV and the older department-ending form)."""
    for m in _RE_PLAQUE.finditer(texte):
        yield m.start(), m.end(), "PLAQUE"
    for m in _RE_PLAQUE_CONTEXTE.finditer(texte):
        yield m.start("p"), m.end("p"), "PLAQUE"


def dossiers(texte: str) -> Iterable[tuple[int, int, str]]:
    """Case, file or beneficiary numbers that follow a procedure word."""
    for m in _RE_DOSSIER.finditer(texte):
        ident = m.group("id")
        chiffres = sum(c.isdigit() for c in ident)
        if chiffres >= 5 or (chiffres >= 2 and re.search(r"\d[/-]\s?\w*\d", ident)):
            yield m.start("id"), m.end("id"), "DOSSIER"


def lieux_de_naissance(texte: str) -> Iterable[tuple[int, int, str]]:
    """« née à Vienne », « né au Maroc », « lieu de naissance : Lyon »."""
    for m in _RE_LIEU_NAISSANCE.finditer(texte):
        yield m.start(), m.end("lieu"), "NAISSANCE"


def adresses_sans_numero(texte: str) -> Iterable[tuple[int, int, str]]:
    """« domiciliée rue des Lilas », « habite avenue Jean Jaurès »: a street where a person lives."""
    for m in _RE_ADRESSE_SANS_NUMERO.finditer(texte):
        yield m.start("a"), m.end("a"), "ADRESSE"


def enfants(texte: str, est_nom_commun) -> Iterable[tuple[int, int, str]]:
    """A child designated by a first name: « l'enfant Lucas », « sa fille Inès »."""
    for m in _RE_ENFANT.finditer(texte):
        if not est_nom_commun(m.group("p")):
            yield m.start("p"), m.end("p"), "ENFANT"


def familles(texte: str, est_nom_commun) -> Iterable[tuple[int, int, str]]:
    """A first name with a family situation: « Leïla et ses 3 enfants », « Awa, enceinte »."""
    for m in _RE_FAMILLE.finditer(texte):
        if not est_nom_commun(m.group("p")):
            yield m.start("p"), m.end("p"), "FAMILLE"
