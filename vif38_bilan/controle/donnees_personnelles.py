"""Likely personal data in free text: where it is, and the text with it removed.

The bilan is signed and archived; observations must hold aggregate facts, never a person's
identity. This module finds the passages that look personal and returns their spans, so that the
check can point at the cell and the renderers can replace each span with ``MARQUE`` while keeping
the rest of the observation.

Public API (also used by the consolidation and by the gate, barriere.py): ``reperer`` (spans),
``natures`` (kinds, in French), ``retirer`` (text with ``MARQUE``), ``exceptions_du_protocole``
(the allow-list). Three sources of spans, merged: the rules below (regular expressions and the
``phonenumbers`` library); identifiers validated by checksum or context (reconnaisseurs.py: NIR,
IBAN, plates, case numbers, places of birth, addresses without a number, a child's first name, a
first name with a family situation, « NOM Prénom »); the language model (langue.py: person names,
a proper noun followed by an age), kept only when not allow-listed (``_public``: the protocol's
words, roles, its authorities' names; a name after a place word such as « collège », « Mairie de »).

Rules of this module (each one a kind of ``Nature``):

- **Name after a civility** (``NOM``): Mme, Mmes, Mlle, M., MM., Madame, Mademoiselle, Monsieur,
  Messieurs, Dr, Docteur, Pr, Professeur, Me, Maître followed by a name: one to three capitalised
  words or initials ("Mme Dupont", "M. J.-P. DURAND", "Mme X", "Mme Le Goff", "Mme de Villeneuve").
  After an abbreviated civility (Mme, Mlle, M., Dr…), a lower-case word that is not a grammatical
  word ("mme dupont") also counts. *Not* flagged: a function after the civility, with or without
  article ("Mme la Préfète", "M. le Procureur", "Madame la Présidente du Département",
  "Monsieur le Maire", "Madame Préfète"), a civility followed by a grammatical word or punctuation
  ("Madame, Monsieur,", "M. et Mme" — the second civility is examined on its own), and the names
  the protocol itself prints (its signing authorities, see ``exceptions_du_protocole``).
  Names written without a civility ("Jeanne Martin") are left to the language model (langue.py).
- **Phone number** (``TELEPHONE``): what the ``phonenumbers`` library recognises as a valid number
  for region FR (06 12 34 56 78, 06.12.34.56.78, 0612345678, +33 6 12 34 56 78, 0033…, +33 (0)6…,
  foreign numbers written with +). *Not* flagged: short national numbers (3919, 115, 119, 17: the
  library does not match them), special-rate service numbers 08… (toll free, shared cost, premium:
  never a person's line), and the numbers the protocol itself prints.
- **E-mail address** (``COURRIEL``): ``name@domain.tld``, also ``name[at]domain.tld`` / ``(at)``.
- **Postal address** (``ADRESSE``): a house number, a street type (rue, avenue, boulevard, place,
  chemin, allée, impasse, route, quai, cours, square…) and a capitalised street name, with the
  postcode and town when they follow ("12 rue de la Paix, 38000 Grenoble"). *Not* flagged: a street
  named without a number, a town or a postcode alone, a count followed by a common noun
  ("1 place d'hébergement", "3 places ouvertes", "10 cours de Français").
- **Date of birth** (``NAISSANCE``): né, née, nés, nées, naissance, DDN followed by a date with a
  day and a month ("née le 12/03/1985", "date de naissance : 3 mars 1985", "DDN 12.03.85").
  *Not* flagged: a date alone ("réunion le 12/03/2023"), an age ("34 ans"), a year alone
  ("enfants nés en 2023").

Aggregate wording is never flagged: "12 femmes accompagnées", "156 professionnels formés",
"3 919 appels", dates of meetings, amounts, SIRET numbers.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass, field
from enum import StrEnum
from functools import cache, lru_cache
from multiprocessing import parent_process
from typing import TYPE_CHECKING, Any

from vif38_bilan.referentiel.pilotes import cle
from vif38_bilan.controle import langue
from vif38_bilan.controle import reconnaisseurs as rec
from vif38_bilan.referentiel.statuts import STATUTS

if TYPE_CHECKING:
    import phonenumbers

MARQUE = "[donnée personnelle retirée]"


class Nature(StrEnum):
    """Kinds of personal data; the value is the plain-French label used in messages (never the data)."""

    NOM = "un nom de personne"
    AGE = "un prénom suivi d'un âge"
    ENFANT = "le prénom d'un enfant"
    FAMILLE = "un prénom avec une situation familiale"
    NIR = "un numéro de sécurité sociale"
    TELEPHONE = "un numéro de téléphone"
    COURRIEL = "une adresse électronique"
    IBAN = "des coordonnées bancaires (IBAN)"
    ADRESSE = "une adresse postale"
    NAISSANCE = "une date ou un lieu de naissance"
    DOSSIER = "un numéro de dossier ou de procédure"
    PLAQUE = "une plaque d'immatriculation"


@dataclass(frozen=True)
class Passage:
    """One span of likely personal data: ``texte[debut:fin]``."""

    debut: int
    fin: int
    nature: Nature


@dataclass(frozen=True)
class Exceptions:
    """What the protocol itself prints, hence public.

    numeros: phone numbers (E.164); noms: its authorities' names (keys); mots: the keys of its
    capitalised words (organisations, places, programmes: the allow-list of names); communs: the
    keys of the words it writes in lower case (common French words: « femme », « victime »).
    """

    numeros: frozenset[str] = frozenset()
    noms: frozenset[str] = field(default_factory=frozenset)
    mots: frozenset[str] = field(default_factory=frozenset)
    communs: frozenset[str] = field(default_factory=frozenset)


AUCUNE = Exceptions()

# ---------------------------------------------------------------- civility + name

# Case-sensitive abbreviations ("m." may be a metre, "DR" a regional directorate).
_CIV_ABREGEES_STRICTES = r"M\.|MM\.|Mr\.?|Dr\.?|Pr\.?|Me"
_CIV_ABREGEES = r"[Mm][Mm][Ee][Ss]?\.?|[Mm][Ll][Ll][Ee][Ss]?\.?|MME[S]?\.?|MLLE[S]?\.?"
_CIV_LONGUES = r"(?i:madame|mesdames|mademoiselle|monsieur|messieurs|docteur|professeur|ma[iî]tre)"
_RE_CIVILITE = re.compile(
    rf"(?<![\w.@])(?P<civ>{_CIV_LONGUES}|{_CIV_ABREGEES}|{_CIV_ABREGEES_STRICTES})(?=[ \t\u00a0\u202f]|$)"
)
# A name never runs over a line break ("Monsieur Laurent PREVOST\nDate et signature").
_ESPACE = r"[ \t\u00a0\u202f]"
_MOT = re.compile(rf"{_ESPACE}+(?P<mot>[^\W\d_][\w'’.-]*)")
_INITIALE = re.compile(r"[A-ZÀ-Þ]\.(?:-?[A-ZÀ-Þ]\.)*$")
_CIV_MINUSCULE = {"m", "mm", "mme", "mmes", "mlle", "mlles"}
_ARTICLES = {"le", "la", "les", "l'", "l’"}
_PARTICULES = {"de", "d'", "d’", "du", "des", "van", "von", "di", "da", "del"}
# Grammatical words that may follow a civility used as a noun ("Mme a été reçue", "M. et Mme").
_GRAMMATICAUX = {
    "a", "ai", "as", "avait", "aura", "est", "etait", "sera", "et", "ou", "ni", "mais", "donc", "qui", "que",
    "quoi", "dont", "ne", "n'", "se", "s'", "sa", "son", "ses", "y", "en", "au", "aux", "avec", "pour", "par",
    "sur", "sans", "chez", "dans", "vers", "ont", "sont", "doit", "peut", "veut", "souhaite", "ce", "cette",
}  # fmt: skip
# Functions: a civility followed by one of these (after an optional article) is a title, not a name.
_FONCTIONS = (
    "prefet", "prefete", "sous-prefet", "sous-prefete", "secretaire", "procureur", "procureure", "substitut",
    "president", "presidente", "vice-president", "vice-presidente", "directeur", "directrice", "maire",
    "adjoint", "adjointe", "depute", "deputee", "senateur", "senatrice", "ministre", "juge", "commissaire",
    "colonel", "general", "generale", "capitaine", "commandant", "commandante", "lieutenant", "adjudant",
    "recteur", "rectrice", "dasen", "inspecteur", "inspectrice", "conseiller", "conseillere", "delegue",
    "deleguee", "chef", "cheffe", "avocat", "avocate", "batonnier", "batonniere", "docteur", "professeur",
    "medecin", "responsable", "coordinateur", "coordinatrice", "coordonnateur", "coordonnatrice", "referent",
    "referente", "administrateur", "administratrice", "gouverneur", "haut-commissaire", "defenseur",
    "defenseure", "controleur", "controleuse", "premier", "premiere", "vice-procureur", "bourgmestre",
)  # fmt: skip


def _est_fonction(mot: str) -> bool:
    k = cle(mot)
    return any(k == f or k.startswith(f + "-") or k.startswith(f + " ") for f in _FONCTIONS)


def _nom_capitalise(mot: str) -> bool:
    return mot[:1].isupper()


def _suite(texte: str, pos: int, n: int = 5) -> list[re.Match]:
    """The next ``n`` words after ``pos``, stopping at punctuation other than spaces."""
    mots = []
    while len(mots) < n and (s := _MOT.match(texte, pos)):
        mots.append(s)
        pos = s.end()
    return mots


def _noms(texte: str, exceptions: Exceptions) -> Iterable[Passage]:
    for m in _RE_CIVILITE.finditer(texte):
        suite = _suite(texte, m.end())
        if not suite:
            continue
        premier = suite[0].group("mot")
        k = cle(premier)
        if _est_fonction(premier) or k.startswith("l'") or k.startswith("l’"):
            continue
        if not _nom_capitalise(premier) and k not in _PARTICULES:
            # "mme dupont" is a name; "Mme a été reçue", "M. et Mme", "M. le Préfet" are not.
            if cle(m.group("civ")).rstrip(".") in _CIV_MINUSCULE and k not in _GRAMMATICAUX | _ARTICLES and len(k) > 1:
                yield Passage(m.start(), suite[0].end(), Nature.NOM)
            continue
        # A name: capitalised words, initials, and particles or a capitalised article ("Le Goff")
        # followed by a capitalised word that is not a function ("Mme de Villeneuve", not "M. Le Maire").
        mots: list[str] = []
        fin = None
        for i, s in enumerate(suite[:4]):
            w = s.group("mot")
            kw = cle(w)
            lien = kw in _PARTICULES or (kw in _ARTICLES and not mots)
            if lien:
                nxt = suite[i + 1].group("mot") if i + 1 < len(suite) else ""
                if not _nom_capitalise(nxt) or _est_fonction(nxt) or cle(nxt) in _ARTICLES | _PARTICULES:
                    break
                mots.append(w)
                continue
            if not _nom_capitalise(w) or (mots and _est_fonction(w)):
                break
            propre = w if _INITIALE.match(w) else w.rstrip(".")
            mots.append(propre)
            fin = s.start("mot") + len(propre)
        if fin is None:
            continue
        if cle(" ".join(mots)) in exceptions.noms or cle(mots[-1]) in exceptions.noms:
            continue
        yield Passage(m.start(), fin, Nature.NOM)


# ---------------------------------------------------------------- phone numbers


@cache
def _pn() -> Any:
    """phonenumbers, imported the first time a text holds 8 digits or more (~10 ms of start-up saved otherwise)."""
    import phonenumbers

    return phonenumbers


@cache
def _services() -> frozenset:
    pn = _pn()
    return frozenset(
        {
            pn.PhoneNumberType.TOLL_FREE,
            pn.PhoneNumberType.SHARED_COST,
            pn.PhoneNumberType.PREMIUM_RATE,
            pn.PhoneNumberType.UAN,
        }
    )


def _e164(numero: phonenumbers.PhoneNumber) -> str:
    pn = _pn()
    return pn.format_number(numero, pn.PhoneNumberFormat.E164)


def _telephones(texte: str, exceptions: Exceptions) -> Iterable[Passage]:
    if sum(map(str.isdigit, texte)) < 8:
        return
    pn = _pn()
    for m in pn.PhoneNumberMatcher(texte, "FR", leniency=pn.Leniency.VALID):
        if pn.number_type(m.number) in _services() or _e164(m.number) in exceptions.numeros:
            continue
        yield Passage(m.start, m.end, Nature.TELEPHONE)


# ---------------------------------------------------------------- e-mail, address, birth date

_RE_COURRIEL = re.compile(
    r"(?<![\w.+-])[\w.+-]+(?:@|\s?[\[(]\s?(?:at|arobase)\s?[\])]\s?)[\w-]+(?:\.[\w-]+)*\.[a-zA-Z]{2,}", re.IGNORECASE
)

_MAJ = r"[A-ZÀ-Þ][\w'’-]*"
_LIEN = r"(?:de\s+la|de\s+l['’]|du|des|de|d['’]|l['’]|la|le|les|et|sur|sous|en|aux?|à)"
_VOIES = (
    r"rue|avenue|av\.|bd|boulevard|place|pl\.|chemin|allées?|impasse|route|rte|quai|cours|square|montée|"
    r"passage|esplanade|cité|résidence|lotissement|hameau|lieu-dit|sentier|parvis|promenade|faubourg|"
    r"rond-point|traverse|clos"
)
_RE_ADRESSE = re.compile(
    rf"(?<![\w,.])\d{{1,4}}(?:\s?(?:bis|ter|[A-D])\b)?,?[ \t\u00a0\u202f]+(?P<voie>{_VOIES})[ \t\u00a0\u202f]+"
    rf"(?P<lien>{_LIEN}\s*)?(?P<nom>{_MAJ}(?:[ \t\u00a0\u202f]+(?:{_LIEN}\s*)?{_MAJ})*)"
    rf"(?:,?[ \t\u00a0\u202f]+(?:\d{{5}}|\d{{2}}\s\d{{3}})[ \t\u00a0\u202f]+{_MAJ}(?:[\s-]{_MAJ})*)?",
    re.IGNORECASE,
)
_MOIS = (
    r"janvier|janv\.?|f[ée]vrier|f[ée]vr?\.?|mars|avril|avr\.?|mai|juin|juillet|juil\.?|ao[uû]t|"
    r"septembre|sept\.?|octobre|oct\.?|novembre|nov\.?|d[ée]cembre|d[ée]c\.?"
)
_DATE = rf"\d{{1,2}}(?:er)?(?:\s*[/.-]\s*\d{{1,2}}\s*[/.-]\s*\d{{2,4}}|\s+(?:{_MOIS})(?:\s+\d{{2,4}})?)"
_RE_NAISSANCE = re.compile(
    rf"(?<!\w)(?:n[ée]e?s?|(?:date\s+de\s+)?naissance|DDN|d\.d\.n\.)\s*(?::|le|du|en\s+date\s+du)?\s*(?:le\s+)?{_DATE}\b",
    re.IGNORECASE,
)


def _motif(regex: re.Pattern, nature: Nature, texte: str) -> Iterable[Passage]:
    for m in regex.finditer(texte):
        yield Passage(m.start(), m.end(), nature)


def _adresses(texte: str) -> Iterable[Passage]:
    for m in _RE_ADRESSE.finditer(texte):
        voie, lien, nom = m.group("voie"), m.group("lien"), m.group("nom")
        # Street names are capitalised ("rue de la Paix"): "1 place d'hébergement" is a count.
        if not nom[:1].isupper():
            continue
        # "10 cours de Français": a lesson; "5 cours de la Libération", "cours Berriat": a street.
        if voie.lower() == "cours" and lien and cle(lien) in {"de", "d'"}:
            continue
        yield Passage(m.start(), m.end(), Nature.ADRESSE)


# ---------------------------------------------------------------- allow-list, model

_MOT_PUBLIC = re.compile(r"[\w'’()-]+")
_CIVILITES = {"m", "mm", "mr", "mme", "mmes", "mlle", "mlles", "madame", "mesdames", "mademoiselle", "monsieur",
              "messieurs", "dr", "docteur", "pr", "professeur", "me", "maitre"}  # fmt: skip


def _mots(texte: str) -> list[str]:
    return [cle(m.group()).strip("'’()-") for m in _MOT_PUBLIC.finditer(texte)]


def _public(passage: str, exceptions: Exceptions, nature: str = "NOM") -> bool:
    """A span that only holds the protocol's own names, roles and grammatical words.

    The words of the authorities' names count for a name (« Madame Audrey QUEY »), never for a first
    name with an age (« Audrey, 34 ans » is someone else).
    """
    mots = [m for m in _mots(passage) if m]
    if not mots or cle(" ".join(m for m in mots if m not in _CIVILITES)) in exceptions.noms:
        return True
    noms = exceptions.noms if nature == "NOM" else frozenset()
    tete = [m for m in mots[:3] if m not in _CIVILITES and m not in _ARTICLES]
    if len(mots) > 1 and mots[0] in _CIVILITES and tete and _est_fonction(tete[0]):
        return True  # a role and its complement: « M. le Procureur de la République »
    for brut, m in zip(_MOT_PUBLIC.findall(passage), _mots(passage), strict=True):
        if not m or not brut[:1].isupper() or m in exceptions.communs:
            continue  # names are capitalised; a word the protocol writes in lower case is common
        if m in _CIVILITES or m in _ARTICLES or m in _PARTICULES or _est_fonction(m) or m in exceptions.mots \
                or m in noms:
            continue
        return False
    return True


def _nom_commun(mot: str, exceptions: Exceptions) -> bool:
    """A capitalised word that is a common word, a civility or a protocol name, not a first name."""
    k = cle(mot)
    return k in exceptions.communs or k in _CIVILITES or _est_fonction(k) or k in exceptions.mots


def _a_examiner(texte: str, exceptions: Exceptions) -> bool:
    """Whether the model is needed: some capitalised word is neither common nor the protocol's."""
    for m in _MOT_PUBLIC.finditer(texte):
        w = m.group()
        if w[:1].isupper() and not _nom_commun(w.strip("'’()-"), exceptions):
            return True
    return False


# A name after one of these is a place or a body (« collège Jules Vallès », « Mairie de Fontaine »,
# « lycées (Louise Michel) »).
_LIEUX_NOMMES = re.compile(
    r"(?<![\w-])(?i:coll[èe]ge|lyc[ée]e|[ée]cole|groupe\s+scolaire|rue|avenue|boulevard|place|all[ée]e|quai|square|salle|"
    r"centre|maison|h[ôo]pital|clinique|gymnase|espace|r[ée]sidence|foyer|m[ée]diath[èe]que|biblioth[èe]que|"
    r"th[ée][âa]tre|parc|stade|pont|prix|fondation|institut|association|h[ôo]tel|cit[ée]|quartier|EHPAD|"
    r"mairie|ville|commune|ccas|cias|agglom[ée]ration|m[ée]tropole|communaut[ée]|pays|canton|arrondissement|"
    r"brigade|commissariat|compagnie|tribunal|gendarmerie|secteur|territoire|bassin|sous-pr[ée]fecture|"
    r"pr[ée]fecture|permanence|antenne|site)s?"
    r"[ \u00a0]*[(«\"“]?[ \u00a0]*(?:(?:de\s+la|de\s+l['’]|du|des|de|d['’])\s*)?$"
)


_A_LIEU = re.compile(r"(?<!\w)(?:à|au|en)[ \u00a0]+$")


def _par_modele(texte: str, exceptions: Exceptions) -> Iterable[Passage]:
    for d, f, nature in langue.personnes(texte, lambda t, n: _public(t, exceptions, n)):
        if nature == "NOM" and _LIEUX_NOMMES.search(texte, max(0, d - 40), d):
            continue
        if nature == "NOM" and " " not in texte[d:f].strip() and _A_LIEU.search(texte, max(0, d - 5), d):
            continue  # « permanence à Fontaine »: one word after « à » is a place
        while d < f and not texte[d].isupper():  # « enfant Lucas » → « Lucas »
            d = texte.find(" ", d, f) + 1 or f
        if d < f:
            yield Passage(d, f, Nature[nature])


def _reconnus(texte: str, exceptions: Exceptions) -> Iterable[Passage]:
    commun = lambda mot: _nom_commun(mot, exceptions)  # noqa: E731
    for source in (rec.nir(texte), rec.iban(texte), rec.plaques(texte), rec.dossiers(texte),
                   rec.lieux_de_naissance(texte), rec.adresses_sans_numero(texte), rec.enfants(texte, commun),
                   rec.familles(texte, commun), rec.nom_prenom(texte, commun)):  # fmt: skip
        for d, f, nature in source:
            yield Passage(d, f, Nature[nature])


# ---------------------------------------------------------------- public functions


def reperer(texte: str, exceptions: Exceptions = AUCUNE, modele: bool = True) -> list[Passage]:
    """Spans of likely personal data in ``texte``, sorted, merged when they overlap.

    exceptions: what the protocol prints (``exceptions_du_protocole``), never flagged.
    modele: also ask the language model for person names (``langue.py``; loaded once per process,
    only when a capitalised word is neither common nor the protocol's). A text already gated
    (holding ``MARQUE``) is examined around the marks only. Results are memoised per process.
    """
    if not texte:
        return []
    return list(_reperer(texte, exceptions, modele))


@lru_cache(maxsize=8192)
def _reperer(texte: str, exceptions: Exceptions, modele: bool) -> tuple[Passage, ...]:
    vu = texte.replace(MARQUE, " " * len(MARQUE))  # the mark itself is never data
    trouves: list[Passage] = []
    if "@" in vu or "at" in vu.lower():
        trouves += _motif(_RE_COURRIEL, Nature.COURRIEL, vu)
    trouves += _reconnus(vu, exceptions)  # NIR first: its digits are not a phone number
    trouves += _telephones(vu, exceptions)
    trouves += _adresses(vu)
    trouves += _motif(_RE_NAISSANCE, Nature.NAISSANCE, vu)
    trouves += _noms(vu, exceptions)
    # Never in a reading child (lecture/isolee.py): its memory cap is too small for the model, and
    # whatever it reads is examined again by the gate (barriere.py) in the parent process.
    if modele and parent_process() is None and _a_examiner(vu, exceptions):
        trouves += _par_modele(vu, exceptions)
    retenus: list[Passage] = []
    for p in sorted(trouves, key=lambda p: (p.debut, -p.fin)):
        if retenus and p.debut < retenus[-1].fin:
            if p.fin > retenus[-1].fin:
                retenus[-1] = Passage(retenus[-1].debut, p.fin, retenus[-1].nature)
            continue
        retenus.append(p)
    return tuple(retenus)


def natures(texte: str, exceptions: Exceptions = AUCUNE) -> list[str]:
    """French labels of the kinds found, each once, in reading order (never the data itself)."""
    vus: list[str] = []
    for p in reperer(texte, exceptions):
        if p.nature.value not in vus:
            vus.append(p.nature.value)
    return vus


def remplacer(texte: str, passages: list[Passage]) -> str:
    """``texte`` with each of its spans (sorted, not overlapping) replaced by ``MARQUE``."""
    morceaux, pos = [], 0
    for p in passages:
        morceaux += [texte[pos : p.debut], MARQUE]
        pos = p.fin
    morceaux.append(texte[pos:])
    return "".join(morceaux)


def retirer(texte: str, exceptions: Exceptions = AUCUNE) -> tuple[str, list[Passage]]:
    """``texte`` with each personal span replaced by ``MARQUE``; the spans refer to the original text."""
    passages = reperer(texte, exceptions)
    return (remplacer(texte, passages) if passages else texte), passages


_MEMO: dict[int, tuple[object, Exceptions]] = {}


def exceptions_du_protocole(protocole) -> Exceptions:
    """Phone numbers and names that the protocol itself prints (public, so never flagged).

    Numbers: every valid number found in the protocol's texts (titles, actions, pilots,
    signatories). Names: the signing authorities' names without civility ("Laurent PREVOST"),
    and their surnames alone ("PREVOST"). Computed once per protocol object.
    """
    memo = _MEMO.get(id(protocole))
    if memo is not None and memo[0] is protocole:
        return memo[1]
    exceptions = _exceptions(protocole)
    _MEMO[id(protocole)] = (protocole, exceptions)
    return exceptions


def _exceptions(protocole) -> Exceptions:
    textes: list[str] = [protocole.titre, protocole.territoire]
    for a in protocole.actions:
        textes += [a.description, a.pilotage, a.autres_acteurs, a.echeance]
        textes += [i.libelle for i in a.indicateurs]
    textes += [o.titre for o in protocole.objectifs]
    for g in getattr(protocole, "signataires", ()) or ():
        textes += list(g.membres)
    numeros = set()
    for t in textes:
        if t and sum(map(str.isdigit, t)) >= 8:
            for m in _pn().PhoneNumberMatcher(t, "FR", leniency=_pn().Leniency.VALID):
                numeros.add(_e164(m.number))
    noms: set[str] = set()
    personnes: set[str] = set()
    for autorite in [*(getattr(protocole, "autorites", ()) or ()), *(getattr(protocole, "en_presence_de", ()) or ())]:
        mots = _RE_CIVILITE.sub("", autorite.nom).replace(",", " ").split()
        if mots:
            noms.add(cle(" ".join(mots)))
            noms.add(cle(mots[-1]))
            personnes.update(cle(m) for m in mots)
    noms |= personnes  # each word of a printed authority's name, for a name only (see _public)
    textes += [p.nom for p in protocole.pilotes] + [a for p in protocole.pilotes for a in p.alias]
    textes += [a.titre for a in protocole.axes] + list(getattr(protocole, "notes", ()) or ())
    textes += [c.libelle for c in getattr(protocole, "chiffres", ()) or ()]

    textes += list(STATUTS)  # the status vocabulary, printed in capitals in every bilan
    mots_, communs = set(), set()
    for t in textes:
        for m in _MOT_PUBLIC.finditer(t or ""):
            w = m.group().strip("'’()-")
            if w:
                (mots_ if w[:1].isupper() else communs).add(cle(w))
    # A signatory's first name is not a public word: « Laurent, 34 ans » stays flagged.
    return Exceptions(frozenset(numeros), frozenset(noms), frozenset(mots_ - personnes), frozenset(communs))
