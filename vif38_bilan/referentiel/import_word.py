"""A protocol's Word document → the referential (Protocole), with every inference listed for review.

The document holds headings for the axes ("AXE 1 : …") and sections ("1. Mieux repérer …"), one
table per objective (a title row "Objectif n° N : …" merged across, then the rows "Description
des actions", "Pilotage", "Autres acteurs", "Échéance", "Indicateurs", one column per action),
the calendar tables and the signatories. What the reader had to decide (pilots split from text,
new organisations given a code, targets read from the action text, indicator types, merged
cells, typo corrections) becomes one line of the "Revue" sheet of the workbook it writes.
"""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

from vif38_bilan.exceptions import DocumentIllisible, ReferentielInvalide
from vif38_bilan.imports.document import Bloc, Tableau, blocs, espaces, ouvrir_document
from vif38_bilan.referentiel.chargement import charger_protocole, depuis_dict
from vif38_bilan.referentiel.cibles import decouper_indicateurs, indicateurs_de_action
from vif38_bilan.referentiel.import_word_parties import (
    RE_OBJECTIF,
    Inference,
    action_texte,
    blocs_signataires,
    code_pour,
    coder_pilotes,
    entete_calendrier,
    est_tableau_objectif,
    lire_autorite,
    lire_calendrier,
    lire_objectif,
    signataires_tableau,
    titre_objectif,
)
from vif38_bilan.referentiel.import_word_revue import (  # noqa: F401 (the public names of the import)
    ENTETES_REVUE,
    FEUILLE_REVUE,
    ImportReferentiel,
    compte_rendu,
    ecrire_referentiel_importe,
)
from vif38_bilan.referentiel.pilotes import cle
from vif38_bilan.referentiel.protocole import Protocole
from vif38_bilan.referentiel.protocoles import proposer_suites

RE_AXE = re.compile(r"^AXE\s+(\d+)\s*[:.\-–]\s*(.+)$", re.IGNORECASE)
RE_SECTION = re.compile(r"^(\d+)\s*[.)]\s+(.+)$")
RE_ANNEES = re.compile(r"\b((?:19|20)\d\d)\s*[-–/à]+\s*((?:19|20)\d\d)\b")
# Obvious typos of protocol titles, fixed and listed for review.
COQUILLES = {"PROCOLE": "PROTOCOLE", "PROTOCLE": "PROTOCOLE", "DEPARTEMANTAL": "DÉPARTEMENTAL"}


class AucunTableauObjectif(DocumentIllisible):
    """The document holds no objective table: not a protocol (maybe a bilan)."""


# ---------------------------------------------------------------- pilots


# ---------------------------------------------------------------- helpers


def corriger_coquilles(texte: str, ou: str, revue: list[Inference]) -> str:
    sortie = texte
    for faux, juste in COQUILLES.items():
        sortie = re.sub(rf"\b{faux}\b", juste, sortie)
    if sortie != texte:
        revue.append(Inference("Correction", ou, texte, sortie, "Coquille corrigée : vérifiez."))
    return sortie


def _annees(texte: str) -> tuple[int, ...]:
    m = RE_ANNEES.search(texte)
    if not m:
        return ()
    a, b = int(m.group(1)), int(m.group(2))
    return tuple(range(a, b + 1)) if a <= b <= a + 10 else ()


def _territoire(titre: str) -> str:
    m = re.search(r"\b(?:EN|DE LA|DU|DANS L[A'E]?)\s+([A-ZÀ-Ý][\wÀ-ÿ' -]+)$", titre.strip(), re.IGNORECASE)
    if not m:
        return ""
    return m.group(1).strip().capitalize() if m.group(1).isupper() else m.group(1).strip()


def _id(territoire: str, annees: tuple[int, ...]) -> str:
    t = code_pour(territoire).lower().replace("_", "-") or "protocole"
    return f"{t}-vif-{annees[0]}-{annees[-1]}" if annees else f"{t}-vif"


def _indicateurs(code: str, a: dict[str, Any], revue: list[Inference]) -> list[dict[str, Any]]:
    brut = a.get("indicateurs", "")
    texte = brut.rstrip(" :").strip()
    if texte != brut.strip():
        revue.append(Inference("Correction", f"action {code}", brut, texte, "« : » final sans suite retiré."))
    libelles = decouper_indicateurs(texte) if texte else []
    if len(libelles) > 1:
        revue.append(
            Inference("Indicateur", f"action {code}", texte, " / ".join(libelles), "Un indicateur par mesure.")
        )
    r = indicateurs_de_action(a["description"], libelles)
    for note in r.notes:
        quoi = "Cible" if note.startswith("«") else "Type d'indicateur"
        revue.append(Inference(quoi, f"action {code}", a["description"] if quoi == "Cible" else texte, note))
    return [
        {
            "libelle": i.libelle,
            "type": i.type,
            "cible_annuelle": i.cible_annuelle,
            "cible_texte": i.cible_texte,
            "origine": i.origine,
        }
        for i in r.indicateurs
    ]


# ---------------------------------------------------------------- the document


class _Lecture:
    """One pass over a protocol document's blocks: each block goes to the part it belongs to."""

    def __init__(self) -> None:
        self.revue: list[Inference] = []
        self.d: dict[str, Any] = {
            "axes": [], "sections": [], "objectifs": [], "actions": [], "calendrier": [],
            "signataires": [], "autorites": [], "en_presence_de": [], "notes": [], "chiffres": [],
        }  # fmt: skip
        self.titre, self.annees = "", ()
        self.axe: int | None = None
        self.section: int | None = None
        self.zone = "corps"  # corps, calendrier, signataires, autre (preamble…), annexes
        self.objectifs: dict[int, dict[str, Any]] = {}
        self.dernier: int | None = None  # the objective whose table came last
        self.suite_possible = False  # nothing but empty paragraphs since that table
        self.titre_attente: re.Match | None = None
        self.groupe: dict[str, Any] | None = None
        self.annees_calendrier: tuple[int, ...] = ()
        self.lignes_signataire: list[str] = []
        self.texte_objectif: dict[str, Any] | None = None  # an objective whose actions are paragraphs

    def tableau(self, b: Bloc) -> None:
        t = b.tableau
        self.texte_objectif = None  # a table after an objective's title: the table holds its actions
        if self.zone == "annexes":
            return
        entete = entete_calendrier(t)
        if entete is not None:
            self.annees_calendrier = self.annees_calendrier or tuple(sorted(entete[1].values()))
            lire_calendrier(t, self.d, self.revue)
        elif est_tableau_objectif(t):
            for morceau in _segments(t):
                self.objectif(morceau)
            return
        elif self.zone == "signataires":
            self.fin_signataire()
            signataires_tableau(t, self.d, self.revue)
        self.suite_possible = False

    def objectif(self, t: Tableau) -> None:
        m = titre_objectif(t) or self.titre_attente
        self.titre_attente = None
        if m is None and self.suite_possible and self.dernier is not None:
            self.objectifs[self.dernier]["morceaux"].append(t)  # a table continued on the next page
            self.revue.append(Inference("Tableau coupé", f"objectif {self.dernier}", f"tableau {t.numero} du document",
                                        "lu comme la suite du tableau précédent"))  # fmt: skip
            return
        if m is None:
            n = max(self.objectifs, default=0) + 1
            titre = ""
            self.revue.append(
                Inference("À compléter", f"tableau {t.numero} du document", espaces(t.rangees[0][0].texte)[:120],
                          f"tableau d'actions sans titre « Objectif n° … » : numéroté {n}",
                          "Vérifiez le numéro et saisissez le titre de l'objectif (feuille Objectifs).")
            )  # fmt: skip
        else:
            n, titre = int(m.group(1)), espaces(m.group(2))
            if re.search(r"n\s+°", m.group(0)):
                self.revue.append(Inference("Correction", f"objectif {n}", m.group(0)[:40], f"lu « Objectif n° {n} »"))
        if n == self.dernier and self.suite_possible:
            self.objectifs[n]["morceaux"].append(t)  # the title row repeated on the next page
            return
        if n in self.objectifs:
            self.revue.append(Inference("Correction", f"objectif {n}", m.group(0)[:80] if m else "",
                                        "tableau en double ignoré"))  # fmt: skip
            return
        self.objectifs[n] = {"titre": titre, "axe": self.axe, "section": self.section, "morceaux": [t]}
        self.dernier, self.suite_possible = n, True

    def paragraphe(self, b: Bloc) -> None:
        t = espaces(b.texte)  # soft line breaks inside a title ("AXE\n2 : …") are spaces
        if b.extra.get("sommaire"):
            return  # a contents line is never a heading
        if not t:
            self.fin_signataire()
            return
        self.suite_possible = False
        if not self.titre and (b.style == "Title" or re.search(r"\bPRO(?:TO)?C[OL]{1,2}E\b", t.upper())):
            self.titre = corriger_coquilles(t, "titre", self.revue)
            self.annees = self.annees or _annees(t)
            return
        if not self.annees and not self.d["axes"]:
            self.annees = _annees(t)
        m = RE_AXE.match(t)
        if m or b.niveau in (1, 2):
            self.fin_texte()  # a heading closes an objective written as paragraphs
        if self.zone_de(b, t):
            self.fin_texte()
            return
        if m and self.zone == "corps":
            self.axe, self.section = int(m.group(1)), None
            titre = re.sub(r"[\s.…]+\d*$", "", espaces(m.group(2)))  # leaders of an unmarked contents line
            connu = next((x for x in self.d["axes"] if x["numero"] == self.axe), None)
            if connu is None:
                self.d["axes"].append({"numero": self.axe, "titre": titre})
            elif b.niveau == 1:
                connu["titre"] = titre  # the heading itself wins over a contents line read before it
            return
        if b.niveau == 1:
            if self.zone == "signataires":
                self.fin_signataire()
                self.zone = "autre"
            return
        m = RE_SECTION.match(t) if b.niveau == 2 and self.zone == "corps" and self.axe is not None else None
        if m:
            self.section = int(m.group(1))
            self.d["sections"].append({"axe": self.axe, "numero": self.section, "titre": espaces(m.group(2))})
            return
        m = RE_OBJECTIF.match(t)
        if m and self.zone == "corps":
            self.fin_texte()
            self.titre_attente = m  # an objective title written above its table (or as a numbered list)
            self.texte_objectif = {"m": m, "axe": self.axe, "section": self.section, "actions": []}
            return
        if self.texte_objectif is not None and self.zone == "corps":
            if action_texte(self.texte_objectif["actions"], t, b.liste):
                return
        if self.zone == "signataires":
            self.lignes_signataire.extend(x for x in b.texte.splitlines() if x.strip())
        elif self.objectifs and self.zone in ("corps", "autre"):
            self.groupes_signataires(b, t)

    def zone_de(self, b: Bloc, t: str) -> bool:
        """A heading that opens the calendar, the signatories or the annexes (styled or typed)."""
        if len(t) > 80 or not (b.niveau in (1, 2) or b.gras or t.isupper()):
            return False
        k = cle(t)
        zone = (
            "calendrier" if k.startswith("calendrier")
            else "signataires" if k.startswith("signataires")
            else "annexes" if k.startswith(("documents annexes", "annexe")) else None
        )  # fmt: skip
        if zone is None:
            return False
        self.fin_signataire()
        self.zone = zone
        return True

    def groupes_signataires(self, b: Bloc, t: str) -> None:
        if b.gras and t.endswith(":"):
            self.groupe = {"groupe": espaces(t.rstrip(" :")), "membres": []}
            self.d["signataires"].append(self.groupe)
        elif b.liste and self.groupe is not None:
            self.groupe["membres"].append(t)
        elif not b.liste:
            self.groupe = None

    def fin_texte(self) -> None:
        """Close an objective whose actions were paragraphs (no table came after its title)."""
        o, self.texte_objectif = self.texte_objectif, None
        if o is None or not o["actions"]:
            return
        n, titre = int(o["m"].group(1)), espaces(o["m"].group(2))
        self.titre_attente = None
        if n in self.objectifs:
            self.revue.append(
                Inference("Correction", f"objectif {n}", o["m"].group(0)[:80], "objectif en double ignoré")
            )
            return
        self.objectifs[n] = {"titre": titre, "axe": o["axe"], "section": o["section"], "morceaux": [],
                             "texte": o["actions"]}  # fmt: skip
        self.revue.append(Inference("Actions en texte", f"objectif {n}", f"{len(o['actions'])} action(s)",
                                    "lues dans des paragraphes (pas de tableau)",
                                    "Vérifiez les actions et leurs champs dans la feuille Actions."))  # fmt: skip

    def fin_signataire(self) -> None:
        if self.lignes_signataire:
            for bloc in blocs_signataires(self.lignes_signataire):
                lire_autorite(bloc, "signataires", self.d, self.revue)
            self.lignes_signataire = []

    def actions(self) -> list[tuple[int, int, dict[str, Any]]]:
        """The objectives into d["objectifs"], their actions as (axis, objective, raw action)."""
        axes = [x["numero"] for x in self.d["axes"]]
        brut: list[tuple[int, int, dict[str, Any]]] = []
        for n, o in self.objectifs.items():
            axe = o["axe"]
            if axe is None:
                axe = axes[0] if axes else 1
                if not axes:
                    self.d["axes"].append({"numero": 1, "titre": ""})
                    axes.append(1)
                self.revue.append(
                    Inference("À compléter", f"objectif {n}", o["titre"], f"aucun titre « AXE … » avant lui : rangé dans l'axe {axe}",
                              "Vérifiez l'axe de cet objectif (feuille Objectifs) et le titre de l'axe (feuille Axes).")
                )  # fmt: skip
            actions = o.get("texte") or lire_objectif(o["morceaux"], n, self.revue)
            self.d["objectifs"].append(
                {"numero": n, "titre": o["titre"], "axe": axe, **({"section": o["section"]} if o["section"] else {})}
            )
            brut.extend((axe, n, a) for a in actions)
        return brut


def _segments(t: Tableau) -> list[Tableau]:
    """A table holding several objectives (two tables typed without a paragraph between them merge
    into one): cut before each title row of another objective."""
    coupures = [0]
    numero = None
    for r, rangee in enumerate(t.rangees):
        m = RE_OBJECTIF.match(espaces(rangee[0].texte)) if rangee else None
        if m and numero is not None and int(m.group(1)) != numero and r > coupures[-1]:
            coupures.append(r)
        if m:
            numero = int(m.group(1))
    bornes = [*coupures, len(t.rangees)]
    return [Tableau(t.rangees[a:b], t.numero) for a, b in zip(bornes, bornes[1:], strict=False)]


def importer_protocole(chemin: str | Path, base: Protocole | None = None) -> ImportReferentiel:
    """Read a protocol's Word document (.docx; .doc, .odt and .rtf through LibreOffice).

    Everything readable is kept: a field that cannot be read becomes a review line and a marked
    cell of the workbook, never a refusal.

    Args:
        chemin: the document.
        base: the protocol whose pilot directory is known (the embedded one by default).
    Returns:
        ImportReferentiel: .protocole when the data is complete, else None and .fautes lists
        what still blocks; .donnees the data read either way; .revue the review lines.
    Raises:
        DocumentIllisible: the file cannot be opened; AucunTableauObjectif: no action table at all.
    """
    chemin = Path(chemin)
    base = base or charger_protocole()
    lecture = _Lecture()
    for b in blocs(ouvrir_document(chemin)):
        if b.tableau is not None:
            lecture.tableau(b)
        else:
            lecture.paragraphe(b)
    lecture.fin_signataire()
    lecture.fin_texte()
    if not lecture.objectifs:
        raise AucunTableauObjectif(
            f"« {chemin.name} » ne contient aucun tableau d'objectif (une première ligne « Objectif n° N : … ») : "
            "est-ce bien le protocole ? Pour un bilan, utilisez « vif38-bilan historique --importer »."
        )
    brut_actions = lecture.actions()
    annees = lecture.annees or lecture.annees_calendrier
    return _assembler(lecture.d, brut_actions, lecture.titre, annees, base, lecture.revue, "protocole")


def _manquants(code: str, a: dict[str, Any], revue: list[Inference]) -> None:
    """Review lines for the fields of one action the document does not give."""
    ou = f"action {code}"
    if not a.get("pilotage"):
        revue.append(Inference("À compléter", ou, a["description"][:120], "pilote non trouvé (ligne « Pilotage » vide ou absente)",
                               "Saisissez le ou les codes pilotes (feuille Actions, colonne « Pilotes »), le chef de file en premier."))  # fmt: skip
    if not a.get("echeance"):
        revue.append(Inference("À compléter", ou, a["description"][:120], "échéance non trouvée",
                               "Saisissez l'échéance si le protocole en donne une (feuille Actions, colonne « Échéance »)."))  # fmt: skip
    if not a.get("indicateurs"):
        revue.append(Inference("À compléter", ou, a["description"][:120], "aucun indicateur dans le document",
                               "Ajoutez les indicateurs et leur cible dans la feuille Indicateurs si le protocole en donne."))  # fmt: skip


def _assembler(
    d: dict[str, Any],
    brut_actions: list[tuple[int, int, dict[str, Any]]],
    titre: str,
    annees: tuple[int, ...],
    base: Protocole,
    revue: list[Inference],
    source: str,
) -> ImportReferentiel:
    actions = []
    pilotages = []
    for axe, n, a in brut_actions:
        code = a.get("code") or f"{axe}-{n}-{a['rang']}"
        a["code"] = code
        description = a["description"]
        if description.endswith(":"):
            a["description"] = description.rstrip(" :")
            revue.append(Inference("Correction", f"action {code}", description[-60:], "« : » final sans cible retiré"))
        if source == "protocole":
            _manquants(code, a, revue)
        if a.get("pilotage"):
            pilotages.append((f"action {code}", a["pilotage"]))
    codes, pilotes, alias = coder_pilotes(pilotages, base, revue)
    for _axe, n, a in brut_actions:
        code = a["code"]
        actions.append(
            {
                "code": code,
                "objectif": n,
                "description": a["description"],
                "pilotage": a.get("pilotage", ""),
                "pilotes": codes.get(f"action {code}", []),
                "autres_acteurs": a.get("autres_acteurs", ""),
                "echeance": a.get("echeance", ""),
                "indicateurs": _indicateurs(code, a, revue) if source == "protocole" else [],
            }
        )
    _calendrier_decale(d, annees, revue)
    if source == "protocole" and annees and base.annees and tuple(annees) != base.annees:
        d["suites"] = _suites(actions, base, revue)
    territoire = _territoire(titre)
    d.update(
        id=_id(territoire, annees),
        titre=titre or "Protocole importé",
        territoire=territoire,
        annees=list(annees),
        actions=actions,
        pilotes=[{"code": p.code, "nom": p.nom, "alias": list(p.alias), "collectif": p.collectif} for p in pilotes],
        alias_multiples=[{"texte": a.texte, "pilotes": list(a.pilotes)} for a in alias],
    )
    for cle_ in ("chiffres", "signataires", "autorites", "en_presence_de", "calendrier"):
        d.setdefault(cle_, [])
    revue.insert(
        0, Inference("Protocole", "général", titre, f"{d['id']} — {territoire} — {', '.join(map(str, annees))}")
    )
    if not d["autorites"]:
        revue.append(Inference("À compléter", "signataires", "", "aucune autorité signataire lue dans le document",
                               "Saisissez les autorités (nom, fonction) dans la feuille Autorités : elles signent le bilan."))  # fmt: skip
    if not d["calendrier"] and source == "protocole":
        revue.append(Inference("Calendrier", "document", "", "aucun calendrier lu (partie facultative)",
                               "Si le protocole a un calendrier, saisissez-le dans la feuille Calendrier."))  # fmt: skip
    try:
        protocole, fautes = depuis_dict(d, "document importé"), []
    except ReferentielInvalide as e:
        protocole, fautes = None, e.fautes
    return ImportReferentiel(protocole, revue, source, donnees=d, fautes=fautes)


def _suites(actions: list[dict[str, Any]], base: Protocole, revue: list[Inference]) -> list[dict[str, Any]]:
    """Actions of the previous protocol these ones may carry on (text similarity), for the agent to confirm."""
    suites = proposer_suites(actions, base)
    for s in suites:
        revue.append(
            Inference("Suite possible", f"action {s['code']}", base.action(s["precedente"]).description[:160],
                      f"suite de l'action {s['precedente']} du protocole {s['protocole']} ? (similarité {s['similarite']:.0%})",
                      "Écrivez « oui » dans la colonne « Confirmée » de la feuille Suites si c'est bien la même action "
                      "poursuivie, sinon effacez la ligne.")
        )  # fmt: skip
    return suites


def _calendrier_decale(d: dict[str, Any], annees: tuple[int, ...], revue: list[Inference]) -> None:
    decales: dict[str, list[str]] = {}
    for c in d["calendrier"]:
        lu = [str(x) for x in c.pop("_tete", [])]
        if annees and lu and lu != [str(y) for y in annees]:
            decales.setdefault(", ".join(lu), []).append(str(c["objectif"]))
        if annees and len(c["statuts"]) != len(annees):
            c["statuts"] = (c["statuts"] + [""] * len(annees))[: len(annees)]
    for lu, objectifs in decales.items():
        revue.append(
            Inference(
                "Calendrier",
                f"objectifs {', '.join(objectifs)}",
                f"colonnes {lu}",
                f"lues {', '.join(map(str, annees))}",
                "En-têtes d'années du calendrier différents des années du protocole : colonnes lues dans l'ordre.",
            )
        )
