"""The personal-data gate: every free text of the returns passes here before any output is written.

Run once per check in the parent process (``filtrer``), after every file has been read and before
the results are settled: the language model is loaded once, and only if some text needs it. For
each return it examines the file name, the Structure field, the observations and text indicators
of every action row, and the values quoted « … » in the findings' messages. What it finds:

- is an erreur at its cell (``donnees_personnelles``, ``structure_personnelle``,
  ``nom_fichier_personnel``) that names the KIND of data, never the data;
- is replaced by ``MARQUE`` in the text kept for the outputs (bilan, consolidation workbook,
  e-mails, web pages all read these records), the rest of the sentence kept; a Structure carrying
  personal data is named « Structure n » everywhere; the file name is gated the same way;
- is listed in ``ResultatControle.retraits`` by place and kind, for the working notes.

The identity block's contact fields (Contact, Courriel, Téléphone) hold the pilot's professional
contact on purpose: they are not flagged, and only the reply to the return's own sender uses them.
"""

from __future__ import annotations

import dataclasses
import re
from pathlib import PurePosixPath
from typing import Any

from vif38_bilan import regles as r
from vif38_bilan.controle.donnees_personnelles import (
    Exceptions,
    exceptions_du_protocole,
    remplacer,
    reperer,
    retirer,
)
from vif38_bilan.controle.resultats import ResultatFichier, Source
from vif38_bilan.regles import Anomalie

_CITATION = re.compile(r"«\u00a0?(?P<t>[^«»]{2,400}?)\u00a0?»")
_SEPARATEURS_FICHIER = str.maketrans({"_": " ", ".": " ", "+": " "})


def caviarder(texte: str, exceptions: Exceptions) -> tuple[str, tuple[str, ...]]:
    """(texte with each personal span replaced by MARQUE, the kinds found in reading order)."""
    propre, passages = retirer(texte, exceptions)
    return propre, tuple(dict.fromkeys(p.nature.value for p in passages))


def nom_de_fichier(nom: str, exceptions: Exceptions) -> tuple[str, tuple[str, ...]]:
    """A return's relative path with personal data removed from each part (extension kept).

    « _ », « . » and « + » are read as spaces (« retour_Nadia_Bensalem_0612345678.xlsx »). A part
    that software names (starting with « . » or « ~ ») is examined for identifiers only.
    """
    parties, natures_ = [], []
    chemin = PurePosixPath(nom)
    for i, partie in enumerate(chemin.parts):
        tige, ext = (chemin.stem, chemin.suffix) if i == len(chemin.parts) - 1 else (partie, "")
        vu = tige.translate(_SEPARATEURS_FICHIER)
        # Names that software gives (.DS_Store, ~$classeur, .~lock…): identifiers only, no name model.
        modele = not partie.startswith((".", "~"))
        # Read both ways: « _ » as a space for names, the raw text for an e-mail address.
        passages = _fusion(
            [*reperer(vu, exceptions, modele), *reperer(tige, exceptions, modele=False), *_groupes(vu, exceptions, modele)]
        )
        if passages:
            tige = remplacer(tige, passages)
            natures_ += [p.nature.value for p in passages]
        parties.append(tige + ext)
    return "/".join(parties), tuple(dict.fromkeys(natures_))


# A run of two or more capitalised words: in a file name it is read alone too, since a file name is
# no sentence and the language model weighs a name by its context (« … suivi Ginette Marchal 2023 »).
_RE_GROUPE = re.compile(r"[A-ZÀ-ÖØ-Þ][\wÀ-ÿ'’-]+(?:\s+[A-ZÀ-ÖØ-Þ][\wÀ-ÿ'’-]+)+")


def _groupes(vu: str, exceptions: Exceptions, modele: bool) -> list[Any]:
    """Personal data found in each capitalised run of a file name's part, examined on its own."""
    if not modele:
        return []
    trouves = []
    for m in _RE_GROUPE.finditer(vu):
        for p in reperer(m.group(0), exceptions, modele):
            trouves.append(dataclasses.replace(p, debut=p.debut + m.start(), fin=p.fin + m.start()))
    return trouves


def _fusion(passages: list[Any]) -> list[Any]:
    """Spans sorted and merged where they overlap (the first one's kind kept)."""
    retenus: list[Any] = []
    for p in sorted(passages, key=lambda p: (p.debut, -p.fin)):
        if retenus and p.debut < retenus[-1].fin:
            if p.fin > retenus[-1].fin:
                retenus[-1] = dataclasses.replace(retenus[-1], fin=p.fin)
            continue
        retenus.append(p)
    return retenus


def _types(natures_: tuple[str, ...]) -> str:
    return ", ".join(natures_[:-1]) + " et " + natures_[-1] if len(natures_) > 1 else natures_[0]


def _message(message: str, exceptions: Exceptions) -> str:
    """A finding's message with the personal data of its quoted values removed."""
    if "«" not in message:
        return message
    return _CITATION.sub(lambda m: m.group().replace(m.group("t"), caviarder(m.group("t"), exceptions)[0]), message)


class _Porte:
    """One run of the gate over all the returns of a check."""

    def __init__(self, protocole: Any) -> None:
        self.protocole = protocole
        self.exceptions = exceptions_du_protocole(protocole)
        self.structures = 0
        self.retraits: dict[tuple[str, str, str], tuple[str, ...]] = {}

    def fichier(self, res: ResultatFichier) -> None:
        f = res.fichier
        nouvelles: list[Anomalie] = []
        nom, natures_ = nom_de_fichier(f.nom, self.exceptions)
        if natures_:
            ancien = f.nom
            f.nom = nom
            res.anomalies = [dataclasses.replace(a, fichier=nom) if a.fichier == ancien else a for a in res.anomalies]
            res.reponses = [_renommer(rep, ancien, nom) for rep in res.reponses]
            res.chiffres = [_renommer_chiffre(c, ancien, nom) for c in res.chiffres]
            regle = r.NOM_FICHIER_PERSONNEL
            texte = regle.texte(types=_types(natures_), pilote=f.pilote or "PILOTE")
            nouvelles.append(Anomalie(nom, None, None, None, regle.gravite, texte, regle.id, f.pilote))
            self.retraits[(nom, "", "")] = natures_
        if f.structure:
            _, natures_ = caviarder(f.structure, self.exceptions)
            if natures_:
                self.structure(res, natures_, nouvelles)
        res.reponses = [self.reponse(rep, f, nouvelles) for rep in res.reponses]
        res.anomalies = [dataclasses.replace(a, message=_message(a.message, self.exceptions)) for a in res.anomalies]
        res.anomalies += nouvelles

    def structure(self, res: ResultatFichier, natures_: tuple[str, ...], nouvelles: list[Anomalie]) -> None:
        f = res.fichier
        self.structures += 1
        alias = f"Structure {self.structures}"
        cellule = f.cellules_identite.get("Structure")
        regle = r.STRUCTURE_PERSONNELLE
        texte = regle.texte(types=_types(natures_), nom=alias)
        nouvelles.append(Anomalie(f.nom, f.feuille, cellule, None, regle.gravite, texte, regle.id, f.pilote, alias))
        self.retraits[(f.nom, f.feuille or "", cellule or "")] = natures_
        f.structure = alias
        f.identite = {**f.identite, "Structure": alias}
        res.anomalies = [dataclasses.replace(a, structure=alias) if a.structure else a for a in res.anomalies]
        res.reponses = [dataclasses.replace(rep, structure=alias) for rep in res.reponses]
        res.chiffres = [dataclasses.replace(c, structure=alias) for c in res.chiffres]

    def reponse(self, rep: Any, f: Any, nouvelles: list[Anomalie]) -> Any:
        observations = self.texte(rep.observations, rep.observations_source, rep, f, nouvelles)
        valeurs = tuple(
            self.texte(v, s, rep, f, nouvelles) if isinstance(v, str) and v not in ("Oui", "Non") else v
            for v, s in zip(rep.valeurs, rep.valeurs_sources, strict=True)
        )
        if observations == rep.observations and valeurs == rep.valeurs:
            return rep
        return dataclasses.replace(rep, observations=observations, valeurs=valeurs)

    def texte(self, texte: str, source: Source | None, rep: Any, f: Any, nouvelles: list[Anomalie]) -> str:
        if not texte:
            return texte
        propre, natures_ = caviarder(texte, self.exceptions)
        if natures_:
            feuille = source.feuille if source else f.feuille
            cellule = source.cellule if source else None
            regle = r.DONNEES_PERSONNELLES
            message = regle.texte(types=_types(natures_))
            nouvelles.append(
                Anomalie(
                    f.nom, feuille, cellule, rep.code_action, regle.gravite, message, regle.id, f.pilote, f.structure
                )  # fmt: skip
            )
            self.retraits[(f.nom, feuille or "", cellule or "")] = natures_
        return propre


def _renommer(rep: Any, ancien: str, nom: str) -> Any:
    def src(s: Source | None) -> Source | None:
        return dataclasses.replace(s, fichier=nom) if s is not None and s.fichier == ancien else s

    return dataclasses.replace(
        rep,
        statut_source=src(rep.statut_source),
        valeurs_sources=tuple(src(s) for s in rep.valeurs_sources),
        observations_source=src(rep.observations_source),
    )


def _renommer_chiffre(c: Any, ancien: str, nom: str) -> Any:
    return (
        dataclasses.replace(c, source=dataclasses.replace(c.source, fichier=nom)) if c.source.fichier == ancien else c
    )


def filtrer(resultats: list[ResultatFichier], protocole: Any) -> dict[tuple[str, str, str], tuple[str, ...]]:
    """Pass every return through the gate (in place); returns where data was removed and of which kinds."""
    porte = _Porte(protocole)
    for res in resultats:
        porte.fichier(res)
    return porte.retraits


def phrases_methode() -> list[str]:
    """What the gate does, in French, for the bilan's « Méthode » annex (states no more than it does)."""
    return [
        "Avant toute production, chaque texte libre des retours (observations, indicateurs textuels, nom de la "
        "structure, nom du fichier) passe par un contrôle automatique des données personnelles : noms de "
        "personnes (modèle de langue français spaCy, via Presidio), prénoms accompagnés d'un âge, d'une situation "
        "familiale ou désignant un enfant, numéros de sécurité sociale (clé vérifiée, ou annoncés comme tels), IBAN "
        "(clé vérifiée), numéros de téléphone, adresses électroniques et postales, dates et lieux de naissance, numéros de dossier ou de "
        "procédure, plaques d'immatriculation.",
        "Chaque passage repéré est signalé au pilote et remplacé dans ce bilan par « [donnée personnelle "
        "retirée] ». Ce contrôle automatique peut laisser passer une donnée écrite sous une forme qu'il ne "
        "reconnaît pas (par exemple un nom tout en minuscules) : il ne remplace pas la relecture.",
    ]
