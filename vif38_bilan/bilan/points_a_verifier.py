"""The agent's working notes, written beside the bilan every time: points-a-verifier-AAAA.docx.

The signed bilan holds only what is signed (issue 12). Everything addressed to the agent goes
here: missing returns with what to do, anomalies still open, personal data removed (where, which
kind — never the data), disagreements between co-pilots, figures from several pilots and the rule
applied, structures not concerned, years without data, the files read, the commands to run.
Renders a consolidated year; runs no step.
"""

from __future__ import annotations

import io
from datetime import date
from pathlib import Path

from vif38_bilan.commun.ecriture import zip_stable
from vif38_bilan.espace import fichiers
from vif38_bilan.bilan import word
from vif38_bilan.bilan.annexes import tableau_manquants
from vif38_bilan.bilan.textes import (
    annees_non_renseignees,
    date_francaise,
)
from vif38_bilan.bilan.word import Redacteur, repartir
from vif38_bilan.commun.nombres import nombre
from vif38_bilan.consolidation.actions import Consolidation
from vif38_bilan.consolidation.disposition import etiquette, rubrique_indicateur
from vif38_bilan.controle.resultats import ResultatControle
from vif38_bilan.referentiel.agregation import Agregation
from vif38_bilan.referentiel.protocole import Protocole
from vif38_bilan.regles import AVERTISSEMENT, ERREUR, Anomalie
from vif38_bilan.commun.ecriture import ecrire_octets
from vif38_bilan.bilan.points_chiffres import indicateurs_de_l_annee, rien, sections_chiffres
from vif38_bilan.exceptions import Vif38Error


_REGLES = {
    Agregation.SOMME: "somme",
    Agregation.MAXIMUM: "maximum",
    Agregation.CHEF_DE_FILE: "chef de file",
    Agregation.AUCUNE: "aucune (non additionnés)",
}


def ecrire(
    protocole: Protocole,
    annee: int,
    consolidation: Consolidation,
    resultat: ResultatControle,
    dossier: str | Path,
    date_edition: date | None = None,
    anciens: list[Path] | tuple[Path, ...] = (),
) -> Path:
    """Write dossier/points-a-verifier-AAAA.docx atomically and return its path.

    anciens: outputs of an earlier run this run could not rewrite (listed first in the notes)."""
    donnees = construire_points_a_verifier(protocole, annee, consolidation, resultat, date_edition, anciens)
    return ecrire_octets(Path(dossier) / fichiers.nom_points(annee), donnees)


def construire_points_a_verifier(
    protocole: Protocole,
    annee: int,
    consolidation: Consolidation,
    resultat: ResultatControle,
    date_edition: date | None = None,
    anciens: list[Path] | tuple[Path, ...] = (),
) -> bytes:
    """The working notes as .docx bytes (deterministic for the same inputs and date).

    anciens: outputs of an earlier run left beside this run's (named first, by file name)."""
    date_edition = date_edition or date.today()
    doc = word.document(None)
    word.styles(doc, False)
    r = Redacteur(doc)
    p, c = protocole, consolidation
    t = r.para(f"Points à vérifier — bilan {annee}", "Title")
    t.paragraph_format.space_after = r.Pt(12)
    r.para(
        f"Document de travail de la DDFE, édité le {date_francaise(date_edition)} avec le bilan {annee}. "
        "Il n'est pas signé et ne se diffuse pas : il liste ce que le bilan a laissé de côté ou corrigé, "
        "et ce qu'il reste à faire. Il est réécrit à chaque production du bilan.",
        italique=True,
    )
    largeur = r.largeur_utile_cm()
    if anciens:
        r.titre("Fichiers d'une exécution précédente", 1)
        r.para(
            "Cette exécution n'a pas pu réécrire ces fichiers (ouverts dans un autre programme, disque plein, "
            "conversion en échec) : ils datent d'une exécution précédente et ne correspondent pas à ce document. "
            "Fermez-les ou libérez de la place, puis relancez le bilan."
        )
        for chemin in anciens:
            r.para(f"• {Path(chemin).name}")
    _manquants(r, p, annee, c, largeur)
    _anomalies(r, p, resultat, c, largeur)
    _retraits(r, c, largeur)
    _desaccords(r, annee, c, largeur)
    _agregations(r, p, annee, c, largeur)
    sections_chiffres(r, p, annee, c, largeur)
    _non_concernees(r, p, annee, c, largeur)
    _non_renseignees(r, p, annee, c, largeur)
    _fichiers(r, p, resultat, c, largeur)
    _commandes(r, annee)
    word.pied_de_page(
        r, annee, False, f"Points à vérifier — bilan {annee} — document de travail", f"Points à vérifier {annee}"
    )
    word.mettre_a_jour_champs(doc)
    doc.core_properties.title = f"Points à vérifier — bilan {annee}"
    tampon = io.BytesIO()
    doc.save(tampon)
    return zip_stable(tampon.getvalue(), date_edition)


def _manquants(r: Redacteur, p: Protocole, annee: int, c: Consolidation, largeur: float) -> None:
    r.titre("Retours manquants", 1)
    if not c.manquants:
        rien(r, f"Tous les pilotes attendus ont renvoyé un classeur {annee} utilisable.")
        return
    r.para(
        f"{len(c.manquants)} pilote(s) sans classeur utilisable : relancez-les (vif38-bilan courriels --annee "
        f"{annee} --type relance). Le bilan les cite dans une liste neutre."
    )
    tableau_manquants(r, p, c.manquants, largeur)


def _tableau_anomalies(r: Redacteur, p: Protocole, anomalies: list[Anomalie], largeur: float) -> None:
    t = r.tableau(repartir(largeur, [4.2, 1.8, 1.4, 9.6]), ["Fichier", "Cellule", "Action", "Problème"])
    for a in anomalies:
        cells = r.ligne(t, insecable=False)
        qui = etiquette(p, a.pilote, a.structure or "") if a.pilote else (a.structure or "")
        r.texte_cellule(cells[0], [a.fichier, f"({qui})" if qui else ""])
        r.texte_cellule(cells[1], a.cellule or "")
        r.texte_cellule(cells[2], a.code_action or "")
        r.texte_cellule(cells[3], a.message)


def _anomalies(r: Redacteur, p: Protocole, resultat: ResultatControle, c: Consolidation, largeur: float) -> None:
    r.titre("Anomalies non résolues", 1)
    anomalies = list(resultat.anomalies) + list(c.anomalies_historique)
    erreurs = [a for a in anomalies if a.gravite == ERREUR]
    avertissements = [a for a in anomalies if a.gravite == AVERTISSEMENT]
    if not anomalies:
        rien(r, "Le contrôle des classeurs n'a relevé aucune anomalie.")
        return
    r.para(
        "Les copies annotées et les courriels de correction (type « correction ») portent ces anomalies aux pilotes. "
        "Une fois les classeurs corrigés déposés, relancez le bilan."
    )
    if erreurs:
        r.para(f"Erreurs ({len(erreurs)}) : les valeurs concernées ne sont pas comptées dans le bilan.", gras=True)
        _tableau_anomalies(r, p, erreurs, largeur)
    if avertissements:
        r.para(f"Avertissements ({len(avertissements)}) : valeurs comptées, à vérifier.", gras=True)
        _tableau_anomalies(r, p, avertissements, largeur)


def _retraits(r: Redacteur, c: Consolidation, largeur: float) -> None:
    r.titre("Données personnelles retirées du bilan", 1)
    if not c.retraits:
        rien(r, "Aucune donnée personnelle n'a été retirée.")
        return
    r.para(
        f"{len(c.retraits)} texte(s) contenaient des données personnelles probables : dans le bilan et le classeur de "
        "consolidation, chaque passage est remplacé par « [donnée personnelle retirée] », le reste du texte est "
        "gardé. Demandez au pilote de réécrire le texte en termes agrégés."
    )
    t = r.tableau(
        repartir(largeur, [1.2, 1.5, 3.2, 5.0, 1.6, 4.5]), ["Année", "Action", "Pilote", "Fichier", "Cellule", "Nature"]
    )
    for x in c.retraits:
        cells = r.ligne(t)
        r.texte_cellule(cells[0], str(x.annee))
        r.texte_cellule(cells[1], x.code_action)
        r.texte_cellule(cells[2], [x.qui, x.rubrique])
        r.texte_cellule(cells[3], Path(x.fichier).name if x.fichier else "")
        r.texte_cellule(cells[4], x.cellule)
        r.texte_cellule(cells[5], ", ".join(x.natures))


def _desaccords(r: Redacteur, annee: int, c: Consolidation, largeur: float) -> None:
    r.titre("Désaccords entre pilotes", 1)
    desaccords = [d for d in c.desaccords if d.annee == annee]
    if not desaccords:
        rien(r, "Aucun désaccord : les pilotes d'une même action ont déclaré le même statut.")
        return
    r.para(
        "Statuts différents pour une même action, ou action sans statut du chef de file : vérifiez avec les pilotes. "
        f"Pour que le statut d'un pilote fasse foi : vif38-bilan arbitrer --annee {annee} --action CODE --pilote CODE "
        '--motif "la raison".'
    )
    t = r.tableau(repartir(largeur, [1.5, 3.4, 8.8, 3.3]), ["Action", "Nature", "Statuts déclarés", "Statut retenu"])
    for d in desaccords:
        cells = r.ligne(t)
        r.texte_cellule(cells[0], d.code_action)
        r.texte_cellule(cells[1], d.nature)
        r.texte_cellule(cells[2], [f"{q} ({role}) : {s}" for q, role, s in d.declarations])
        r.texte_cellule(
            cells[3], [d.statut_retenu or "", f"(arbitrage : {d.arbitre})"] if d.arbitre else d.statut_retenu or ""
        )


def _agregations(r: Redacteur, p: Protocole, annee: int, c: Consolidation, largeur: float) -> None:
    r.titre("Chiffres déclarés par plusieurs pilotes", 1)
    agregats = ((a, k, e.agregats[k] if k < len(e.agregats) else None) for a, k, e in indicateurs_de_l_annee(p, c, annee))
    lignes = [(a, k, ag) for a, k, ag in agregats if ag is not None and ag.plusieurs]
    if not lignes:
        rien(r, "Aucun indicateur n'a reçu de chiffre de plusieurs pilotes.")
        return
    r.para(
        "Règle de chaque indicateur (référentiel, colonne « Agrégation ») : somme, maximum (co-pilotes qui déclarent "
        "le même événement), chef de file, ou aucune. Vérifiez qu'un même événement n'est pas compté deux fois."
    )
    t = r.tableau(
        repartir(largeur, [1.4, 5.6, 5.2, 2.6, 2.2]), ["Action", "Indicateur", "Déclarations", "Règle", "Retenu"]
    )
    for a, k, ag in lignes:
        cells = r.ligne(t)
        r.texte_cellule(cells[0], a.code)
        r.texte_cellule(cells[1], rubrique_indicateur(a, k))
        r.texte_cellule(
            cells[2], [f"{d.qui} : {nombre(d.valeur)}" + (" (chef de file)" if d.chef else "") for d in ag.declarations]
        )
        r.texte_cellule(cells[3], _REGLES[ag.regle])
        retenu = nombre(ag.valeur) if ag.valeur is not None else "non additionné"
        r.texte_cellule(cells[4], [retenu, f"(arbitrage : {ag.arbitrage})"] if ag.arbitrage else retenu)


def _non_concernees(r: Redacteur, p: Protocole, annee: int, c: Consolidation, largeur: float) -> None:
    r.titre("Structures non concernées", 1)
    lignes = [
        (a.code, e.non_concernees) for a in p.actions if (e := c.enregistrement(a.code, annee)) and e.non_concernees
    ]
    if not lignes:
        rien(r, "Aucune structure d'un pilote collectif n'a laissé de ligne vide.")
        return
    r.para(
        "Lignes laissées entièrement vides par une structure d'un pilote collectif : « non concernée », non comptée."
    )
    t = r.tableau(repartir(largeur, [2.0, 15.0]), ["Action", "Structures non concernées"])
    for code, structures in lignes:
        cells = r.ligne(t)
        r.texte_cellule(cells[0], code)
        r.texte_cellule(cells[1], ", ".join(structures))


def _non_renseignees(r: Redacteur, p: Protocole, annee: int, c: Consolidation, largeur: float) -> None:
    r.titre("Années non renseignées", 1)
    for a in c.anomalies_historique:
        r.para(a.message)
    lignes = []
    for a in p.actions:
        e = c.enregistrement(a.code, annee)
        for k, ind in enumerate(a.indicateurs):
            if e is not None and ind.type == "entier" and annees_non_renseignees(e, k):
                lignes.append((a.code, ind.libelle, annees_non_renseignees(e, k)))
    if not lignes:
        rien(r, "Chaque indicateur chiffré a une valeur pour chaque année jusqu'à celle du bilan.")
        return
    r.para(
        "Indicateurs chiffrés sans valeur pour une année : le bilan l'écrit « non renseignée », ne la compte pas pour "
        "zéro et ne calcule pas de taux cumulé. Complétez l'historique ou le retour du pilote si la valeur existe."
    )
    t = r.tableau(repartir(largeur, [1.6, 10.4, 5.0]), ["Action", "Indicateur", "Années"])
    for code, libelle, annees in lignes:
        cells = r.ligne(t)
        r.texte_cellule(cells[0], code)
        r.texte_cellule(cells[1], libelle)
        r.texte_cellule(cells[2], annees)


def _fichiers(r: Redacteur, p: Protocole, resultat: ResultatControle, c: Consolidation, largeur: float) -> None:
    r.titre("Fichiers lus", 1)
    for y, chemin in sorted(c.historiques.items()):
        r.para(f"Données {y} : historique relu dans {fichiers.chemin_lisible(chemin)}.")
    if not resultat.fichiers:
        rien(r, "Aucun fichier dans le dossier des retours.")
        return
    r.para(
        "Chaque statut, valeur et observation est tracé dans la feuille « sources » du classeur de consolidation "
        "(fichier, feuille, cellule, empreinte SHA-256)."
    )
    t = r.tableau(repartir(largeur, [5.4, 3.8, 2.2, 5.6]), ["Fichier", "Pilote (structure)", "État", "Motif / SHA-256"])
    for f in resultat.fichiers:
        cells = r.ligne(t)
        r.texte_cellule(cells[0], f.nom)
        r.texte_cellule(cells[1], etiquette(p, f.pilote, f.structure or "") if f.pilote else "")
        r.texte_cellule(cells[2], str(f.etat))
        r.texte_cellule(cells[3], [x for x in (f.motif or "", f.sha256[:16] + "…" if f.sha256 else "") if x])


def _commandes(r: Redacteur, annee: int) -> None:
    r.titre("Commandes utiles", 1)
    for texte in (
        f"vif38-bilan controler --annee {annee} : contrôler de nouveau les retours déposés.",
        f"vif38-bilan courriels --annee {annee} --type correction : préparer les courriels de correction.",
        f"vif38-bilan courriels --annee {annee} --type relance : relancer les pilotes sans retour.",
        f"vif38-bilan arbitrer --annee {annee} : lister vos arbitrages (--action … --motif … pour en ajouter).",
        f"vif38-bilan bilan --annee {annee} : reproduire le bilan et ce document.",
    ):
        r.para(texte)


def noter_validation_malgre_manques(dossier: str | Path, annee: int, motif: str, manques: list[str], le: str) -> Path:
    """Add to dossier/points-a-verifier-AAAA.docx (rewritten atomically) that the year was validated
    on `le` although `manques` remained, and why (issue 23). Raises Vif38Error when the notes are missing."""
    import docx


    chemin = Path(dossier) / fichiers.nom_points(annee)
    if not chemin.is_file():
        raise Vif38Error(
            f"« {chemin.name} » est introuvable : le motif reste dans le journal de validation. Pour l'avoir aussi "
            f"dans les points à vérifier, rouvrez l'année, relancez « vif38-bilan bilan --annee {annee} » puis validez."
        )
    doc = docx.Document(str(chemin))
    r = Redacteur(doc)
    r.titre("Validation malgré des manques", 1)
    r.para(f"Année {annee} validée le {le} alors que restaient : {' ; '.join(manques)}.")
    r.para(f"Motif donné : {motif}", gras=True)
    tampon = io.BytesIO()
    doc.save(tampon)
    return ecrire_octets(chemin, tampon.getvalue())
