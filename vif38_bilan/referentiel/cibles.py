"""Targets stated in an action's text, and the indicators that measure them.

The protocol writes its targets inside the action text ("former 100 professionnels par an",
"un colloque tous les ans", "trois séances annuelles", "diffusion mensuelle", "(12 maraudes par
an)"). This module reads them, infers each indicator's type from its label, and ties each target
to the indicator that counts the same thing — or adds an indicator to measure it (origine
"cible"), as the embedded referential does.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from vif38_bilan.referentiel.pilotes import cle
from vif38_bilan.referentiel.protocole import Indicateur

NOMBRES = {
    "un": 1,
    "une": 1,
    "deux": 2,
    "trois": 3,
    "quatre": 4,
    "cinq": 5,
    "six": 6,
    "sept": 7,
    "huit": 8,
    "neuf": 9,
    "dix": 10,
    "douze": 12,
    "vingt": 20,
    "trente": 30,
    "cinquante": 50,
    "cent": 100,
}
PERIODES = {"mensuel": 12, "mensuelle": 12, "trimestriel": 4, "trimestrielle": 4, "semestriel": 2, "semestrielle": 2}
_N = r"\d+|" + "|".join(NOMBRES)
_MOT = r"[^\s():;,.]+"
_RE_ANNUELLE = re.compile(
    rf"(?:\b(?P<verbe>[a-zéèê]+(?:er|re|ir))\s+)?\b(?P<n>{_N})\s+"
    rf"(?:(?P<unite>{_MOT}(?:\s+(?!par\b|tous\b|annuel){_MOT})?)\s+)?"
    r"(?P<periode>par an|tous les ans|annuelles?|annuels?)\b",
    re.IGNORECASE,
)
_RE_PERIODE = re.compile(r"\b(?P<unite>[a-zéèê]+)\s+(?P<periode>" + "|".join(PERIODES) + r")\b", re.IGNORECASE)
_RE_AUTRE = re.compile(
    rf"(?:\b(?P<verbe>[a-zéèê]+(?:er|re|ir))\s+)?\b(?P<n>{_N})\s+(?P<unite>{_MOT})\s+par\s+(?!an\b)(?P<par>\w+)",
    re.IGNORECASE,
)
# Words that name people: "former 50 professionnels" is measured by "Nombre de personnes formées".
PERSONNES = {"professionnels", "personnes", "femmes", "agents", "cadres", "jeunes", "eleves", "salaries", "victimes"}
# Labels of a yes/no indicator: a thing done once, not a count.
TETES_OUI_NON = ("realisation", "creation", "signature", "mise en place", "communication", "elaboration")


@dataclass(frozen=True)
class Cible:
    texte: str  # as written: "former 100 professionnels par an"
    annuelle: int | None  # None for "un réseau par CISPDP"
    unite: str  # "professionnels", "" for "10 par an"
    verbe: str = ""


def _nombre(n: str) -> int:
    return int(n) if n.isdigit() else NOMBRES[n.lower()]


def lire_cibles(description: str) -> list[Cible]:
    """Every target stated in an action text, in reading order."""
    trouvees: list[tuple[int, Cible]] = []
    pris: list[tuple[int, int]] = []
    for m in _RE_ANNUELLE.finditer(description):
        verbe = m.group("verbe") or ""
        if verbe.lower() in NOMBRES or verbe.lower() in ("par", "dont"):
            verbe = ""
        debut = m.start("verbe") if verbe else m.start("n")
        texte = description[debut : m.end()]
        trouvees.append((debut, Cible(texte, _nombre(m.group("n")), m.group("unite") or "", verbe)))
        pris.append((debut, m.end()))
    for m in _RE_PERIODE.finditer(description):
        if any(a <= m.start() < b for a, b in pris):
            continue
        unite = m.group("unite")
        trouvees.append((m.start(), Cible(m.group(0), PERIODES[m.group("periode").lower()], unite)))
        pris.append((m.start(), m.end()))
    for m in _RE_AUTRE.finditer(description):
        if any(a <= m.start() < b for a, b in pris):
            continue
        verbe = m.group("verbe") or ""
        debut = m.start("verbe") if verbe else m.start("n")
        trouvees.append((debut, Cible(description[debut : m.end()], None, m.group("unite"), verbe)))
    return [c for _, c in sorted(trouvees, key=lambda x: x[0])]


def type_indicateur(libelle: str) -> str:
    """'Nombre de …' counts (entier); 'Réalisation/Création/Signature …' is yes/no; else text."""
    k = cle(libelle)
    if k.startswith("nombre"):
        return "entier"
    if k.startswith(TETES_OUI_NON):
        return "oui_non"
    return "texte"


def decouper_indicateurs(texte: str) -> list[str]:
    """'Nombre de points d'écoute et nombre de personnes accueillies' → two labels."""
    morceaux = re.split(r"\s+et\s+(?=nombre\b)", texte, flags=re.IGNORECASE)
    return [m[0].upper() + m[1:] if m else m for m in (x.strip() for x in morceaux) if m]


def _racines(texte: str) -> set[str]:
    return {m[:5] for m in re.findall(r"[a-z]+", cle(texte)) if len(m) > 3}


def mesure_la_cible(libelle: str, cible: Cible) -> bool:
    """True when the indicator counts what the target counts (same noun, same verb, or people)."""
    if not cible.unite:
        return True
    mots_cible = set(re.findall(r"[a-z]+", cle(cible.unite)))
    if mots_cible & PERSONNES and re.search(r"\b(personnes|professionnels)\b", cle(libelle)):
        return True
    return bool(_racines(libelle) & (_racines(cible.unite) | _racines(cible.verbe)))


def _pluriel(mot: str) -> str:
    return mot if mot.endswith(("s", "x")) else mot + "s"


def libelle_pour(cible: Cible) -> str:
    """The label of an indicator added to measure a target: 'Nombre de professionnels formés'."""
    unite = cible.unite.split()[0] if cible.unite else "réalisations"
    nom = _pluriel(unite.lower())
    tete = "Nombre d'" if nom[0] in "aeiouyéèêh" else "Nombre de "
    suite = " formés" if cle(cible.verbe) == "former" else ""
    return f"{tete}{nom}{suite}"


def scinder_pour_cibles(libelles: list[str], n_cibles: int) -> list[str]:
    """'Nombre de réunion de A et de B' with two annual targets → 'Nombre de réunion de A', '… de B'."""
    if n_cibles < 2 or len(libelles) >= n_cibles:
        return libelles
    sortie: list[str] = []
    for lib in libelles:
        m = re.match(r"^(Nombre d\S* \S+ )(d.+?) et (d.+)$", lib)
        if m and type_indicateur(lib) == "entier":
            sortie += [m.group(1) + m.group(2), m.group(1) + m.group(3)]
        else:
            sortie.append(lib)
    return sortie


@dataclass
class Rapprochement:
    indicateurs: list[Indicateur]
    notes: list[str]  # one French line per inference, for the review sheet


def indicateurs_de_action(description: str, libelles: list[str]) -> Rapprochement:
    """The action's indicators with types and targets; added 'cible' indicators at the end."""
    cibles = lire_cibles(description)
    annuelles = [c for c in cibles if c.annuelle is not None]
    libelles = scinder_pour_cibles(libelles, len(annuelles))
    notes: list[str] = []
    types = [type_indicateur(lib) for lib in libelles]
    attribuees: dict[int, Cible] = {}
    ajouts: list[Indicateur] = []
    for c in cibles:
        k = next(
            (
                k
                for k, lib in enumerate(libelles)
                if k not in attribuees and types[k] == "entier" and mesure_la_cible(lib, c)
            ),
            None,
        )
        if k is not None:
            attribuees[k] = c
            quoi = f"cible annuelle {c.annuelle}" if c.annuelle is not None else "cible sans rythme annuel"
            notes.append(f"« {c.texte} » lu comme {quoi} de l'indicateur « {libelles[k]} »")
        elif c.annuelle is not None:
            ajout = Indicateur(libelle_pour(c), "entier", c.annuelle, c.texte, "cible")
            ajouts.append(ajout)
            notes.append(
                f"« {c.texte} » ne correspond à aucun indicateur du protocole : indicateur ajouté "
                f"« {ajout.libelle} » (cible {c.annuelle} par an) — renommez-le au besoin"
            )
        else:
            notes.append(f"« {c.texte} » : cible sans rythme annuel, rattachée à aucun indicateur")
    indicateurs = [
        Indicateur(
            lib,
            types[k],
            attribuees[k].annuelle if k in attribuees else None,
            attribuees[k].texte if k in attribuees else None,
        )
        for k, lib in enumerate(libelles)
    ]
    for k, lib in enumerate(libelles):
        notes.append(f"indicateur « {lib} » : type « {types[k]} »")
    return Rapprochement(indicateurs + ajouts, notes)
