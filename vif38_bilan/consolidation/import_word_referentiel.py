"""An earlier bilan's Word document → a referential (axes, sections, objectives, actions from its
tables), for a protocol run before the tool; with its review sheet. Split from import_word.py."""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

from vif38_bilan.imports.document import espaces
from vif38_bilan.referentiel.chargement import charger_protocole
from vif38_bilan.referentiel.import_word import (
    RE_AXE,
    AucunTableauObjectif,
    ImportReferentiel,
    Inference,
    _assembler,
    corriger_coquilles,
    importer_protocole,
)
from vif38_bilan.referentiel.pilotes import cle
from vif38_bilan.referentiel.protocole import Protocole

from vif38_bilan.consolidation.import_word import RE_N_OBJECTIF, lire_bilan

# ---------------------------------------------------------------- a referential from a bilan


def referentiel_depuis_bilan(chemin: str | Path, base: Protocole | None = None) -> ImportReferentiel:
    """Axes, sections, objectives (from the headings) and actions (from the rows), without indicators."""
    chemin = Path(chemin)
    base = base or charger_protocole()
    lecture = lire_bilan(chemin)
    revue: list[Inference] = []
    d: dict[str, Any] = {"axes": [], "sections": [], "objectifs": [], "calendrier": [], "notes": []}
    titres: dict[int, str] = {}
    sections_objectif: dict[int, int | None] = {}
    axe: int | None = None
    section: int | None = None
    for b in lecture.contenu:
        if b.tableau is not None or not b.texte or "...." in b.texte:
            continue
        m_axe = RE_AXE.match(b.texte)
        m_obj = RE_N_OBJECTIF.match(b.texte)
        if not b.niveau and not m_axe and not m_obj:
            continue  # body text; axis and objective titles count even when not styled as headings
        if m_axe:
            axe, section = int(m_axe.group(1)), None
            if axe not in {a["numero"] for a in d["axes"]}:
                d["axes"].append({"numero": axe, "titre": espaces(m_axe.group(2))})
        elif m_obj and axe is not None:
            n = int(m_obj.group(1))
            if n in titres:
                revue.append(Inference("Doublon", f"objectif {n}", b.texte, "titre répété ignoré"))
                continue
            titres[n] = espaces(m_obj.group(2))
            sections_objectif[n] = section
        elif b.niveau == 1:
            axe = None
        elif b.niveau == 2 and axe is not None:
            meme = [s for s in d["sections"] if s["axe"] == axe and cle(s["titre"]) == cle(b.texte)]
            if meme:
                section = meme[0]["numero"]
                continue
            section = 1 + sum(1 for s in d["sections"] if s["axe"] == axe)
            d["sections"].append({"axe": axe, "numero": section, "titre": espaces(b.texte)})
            revue.append(Inference("Section", f"axe {axe}", b.texte, f"section {section} de l'axe {axe}"))
    brut_actions: list[tuple[int, int, dict[str, Any]]] = []
    rangs: dict[int, int] = {}
    for x in lecture.rangees:
        axe_, obj = (int(v) for v in x.code.split("-")[:2])
        rangs[obj] = rangs.get(obj, 0) + 1
        brut_actions.append(
            (axe_, obj, {"code": x.code, "rang": rangs[obj], "description": x.description,
                         "pilotage": x.pilotage, "autres_acteurs": x.autres_acteurs})
        )  # fmt: skip
        if obj not in titres:
            titres[obj] = ""
            revue.append(Inference("Objectif", f"objectif {obj}", x.code, "objectif sans titre dans le document"))
        if axe_ not in {a["numero"] for a in d["axes"]}:
            d["axes"].append({"numero": axe_, "titre": ""})
            revue.append(Inference("Axe", f"axe {axe_}", x.code, "axe sans titre dans le document"))
    avec_actions = {obj for _, obj, _ in brut_actions}
    axe_de = {obj: axe_ for axe_, obj, _ in brut_actions}
    for n, titre in sorted(titres.items()):
        if n not in avec_actions:
            revue.append(Inference("Objectif", f"objectif {n}", titre, "aucune action dans le document : ignoré"))
            continue
        sec = sections_objectif.get(n)
        d["objectifs"].append({"numero": n, "titre": titre, "axe": axe_de[n], **({"section": sec} if sec else {})})
    utilisees = {(o["axe"], o.get("section")) for o in d["objectifs"]}
    d["sections"] = [s for s in d["sections"] if (s["axe"], s["numero"]) in utilisees]
    d["axes"] = sorted(d["axes"], key=lambda a: a["numero"])
    for msg in lecture.doublons:
        revue.append(Inference("Doublon", "document", msg, "tableau répété non repris"))
    for msg in lecture.non_rattachees:
        revue.append(Inference("Ligne non rattachée", "document", msg, "ignorée"))
    revue.append(
        Inference(
            "Indicateurs",
            "toutes les actions",
            "",
            "aucun",
            "Un bilan ne donne pas les indicateurs : ajoutez-les dans la feuille Indicateurs si besoin.",
        )
    )
    titre = re.sub(r"^BILAN\s+(DU\s+)?", "", lecture.titre.strip(), flags=re.IGNORECASE) or lecture.titre
    titre = corriger_coquilles(espaces(titre), "titre", revue)
    return _assembler(d, brut_actions, titre, lecture.annees, base, revue, "bilan")


def importer_referentiel(chemin: str | Path, base: Protocole | None = None) -> ImportReferentiel:
    """A protocol document, or else an earlier bilan (actions without indicators)."""
    try:
        return importer_protocole(chemin, base)
    except AucunTableauObjectif:
        return referentiel_depuis_bilan(chemin, base)
