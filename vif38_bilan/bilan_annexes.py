"""The bilan's annexes (missing returns, unresolved anomalies, disagreements, method, sources) and signatures."""

from __future__ import annotations

from pathlib import Path

from vif38_bilan.anomalies import (
    A_CORRIGER,
    AVERTISSEMENT,
    ERREUR,
    HISTORIQUE_ABSENT,
    VALIDE,
    Anomalie,
    ResultatControle,
)
from vif38_bilan.bilan_textes import statut_cellule
from vif38_bilan.consolidation import METHODE, Consolidation
from vif38_bilan.disposition_consolidation import FEUILLE_SOURCES, etiquette, nom_consolidation
from vif38_bilan.referentiel import Protocole
from vif38_bilan.word import S_TABLEAU_TETE, Redacteur, repartir


def _tableau_anomalies(r: Redacteur, p: Protocole, anomalies: list[Anomalie], largeur: float) -> None:
    t = r.tableau(repartir(largeur, [4.2, 2.2, 1.5, 9.1]), ["Fichier", "Cellule", "Action", "Problème"])
    for a in anomalies:
        cells = r.ligne(t)
        qui = etiquette(p, a.pilote, a.structure or "") if a.pilote else (a.structure or "")
        r.texte_cellule(cells[0], [a.fichier, f"({qui})" if qui else ""])
        r.texte_cellule(cells[1], " ".join(x for x in (f"« {a.feuille} »" if a.feuille else "", a.cellule or "") if x))
        r.texte_cellule(cells[2], a.code_action or "")
        r.texte_cellule(cells[3], a.message)


def annexes(r: Redacteur, p: Protocole, annee: int, c: Consolidation, resultat: ResultatControle) -> None:
    largeur = r.largeur_utile_cm()
    r.titre("Annexes", 1)

    r.titre("Annexe 1 — Retours manquants", 2)
    if not c.manquants:
        r.para(f"Tous les pilotes attendus ont renvoyé leur classeur {annee}.")
    else:
        r.para(
            f"{len(c.manquants)} pilote(s) n'ont pas renvoyé de classeur utilisable pour {annee}. "
            "Les actions qu'ils pilotent comme chef de file sans autre retour apparaissent « non renseigné »."
        )
        t = r.tableau(repartir(largeur, [6.0, 5.5, 5.5]), ["Pilote", "Chef de file de", "Co-pilote de"])
        for code in c.manquants:
            try:
                nom = p.pilote(code).nom
            except KeyError:
                nom = code
            roles = p.actions_du_pilote(code)
            cells = r.ligne(t)
            r.texte_cellule(cells[0], nom)
            r.texte_cellule(cells[1], ", ".join(a.code for a, role in roles if role == "chef de file"))
            r.texte_cellule(cells[2], ", ".join(a.code for a, role in roles if role != "chef de file"))

    r.titre("Annexe 2 — Anomalies non résolues", 2)
    anomalies = list(resultat.anomalies) + list(c.anomalies_historique)
    erreurs = [a for a in anomalies if a.gravite == ERREUR]
    avertissements = [a for a in anomalies if a.gravite == AVERTISSEMENT]
    if not anomalies:
        r.para("Le contrôle des classeurs n'a relevé aucune anomalie.")
    if erreurs:
        r.para(f"Erreurs ({len(erreurs)}) : les valeurs concernées n'ont pas été comptées dans ce bilan.", gras=True)
        _tableau_anomalies(r, p, erreurs, largeur)
    if avertissements:
        r.para(f"Avertissements ({len(avertissements)}) : valeurs comptées, à vérifier.", gras=True)
        _tableau_anomalies(r, p, avertissements, largeur)

    r.titre("Annexe 3 — Désaccords entre pilotes", 2)
    desaccords = [d for d in c.desaccords if d.annee == annee]
    if not desaccords:
        r.para("Aucun désaccord : les pilotes d'une même action ont déclaré le même statut.")
    else:
        r.para(
            "Actions pour lesquelles les pilotes ont déclaré des statuts différents, ou dont le chef de file n'a pas donné de statut."
        )
        t = r.tableau(
            repartir(largeur, [1.6, 3.4, 8.6, 3.4]), ["Action", "Nature", "Statuts déclarés", "Statut retenu"]
        )
        for d in desaccords:
            cells = r.ligne(t)
            r.texte_cellule(cells[0], d.code_action)
            r.texte_cellule(cells[1], d.nature)
            r.texte_cellule(cells[2], [f"{q} ({role}) : {s}" for q, role, s in d.declarations])
            statut_cellule(r, cells[3], d.statut_retenu)

    r.titre("Annexe 4 — Méthode", 2)
    for m in METHODE:
        r.para(m, "List Bullet" if "List Bullet" in {s.name for s in r.doc.styles} else None)
    for y, chemin in sorted(c.historiques.items()):
        r.para(f"Données {y} : reprises du classeur {Path(chemin).name} (historique relu et contrôlé).")
    for a in c.anomalies_historique:
        if a.regle == HISTORIQUE_ABSENT.id:
            r.para(a.message)

    r.titre("Annexe 5 — Sources des chiffres", 2)
    n_sources = len(c.sources)
    r.para(
        f"Chaque statut, valeur et observation de ce bilan est tracé dans la feuille « {FEUILLE_SOURCES} » du classeur "
        f"{nom_consolidation(annee)} ({n_sources} lignes) : pilote, structure, fichier reçu, feuille, cellule et empreinte "
        "SHA-256 du fichier, qui prouve qu'il s'agit bien du fichier lu. Classeurs retenus pour ce bilan :"
    )
    retenus = [f for f in resultat.fichiers if f.etat in (VALIDE, A_CORRIGER)]
    if retenus:
        t = r.tableau(
            repartir(largeur, [6.0, 4.0, 2.2, 4.8]), ["Fichier", "Pilote (structure)", "État", "SHA-256 (début)"]
        )
        for f in retenus:
            cells = r.ligne(t)
            r.texte_cellule(cells[0], f.nom)
            qui = etiquette(p, f.pilote, f.structure or "") if f.pilote else ""
            r.texte_cellule(cells[1], qui)
            r.texte_cellule(cells[2], f.etat)
            r.texte_cellule(cells[3], f.sha256[:16] + "…" if f.sha256 else "")
    else:
        r.para("Aucun classeur n'a été retenu.", italique=True)


def signatures(r: Redacteur, p: Protocole, annee: int) -> None:
    r.saut_de_page()
    r.titre("Signatures", 1)
    r.para(f"Bilan {annee} du {p.titre[0].lower() + p.titre[1:]}, approuvé par les autorités signataires :")
    if not p.autorites:
        r.para("Le référentiel ne liste pas d'autorité signataire.", italique=True)
        return
    largeur = r.largeur_utile_cm()
    t = r.tableau([largeur / 2, largeur / 2], None)
    blocs = list(p.autorites)
    for i in range(0, len(blocs), 2):
        cells = r.ligne(t)
        for cell, aut in zip(cells, blocs[i : i + 2], strict=False):
            r.texte_cellule(cell, [aut.fonction], S_TABLEAU_TETE)
            r.texte_cellule_suite(cell, [aut.nom, "", "Date et signature :", "", "", ""])
