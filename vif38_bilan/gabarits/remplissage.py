"""Programmatic filling of a generated workbook (tests, demo, benchmarks), and invented answers.

Cells are found as a reader would find them: the header texts, the "Code action" column and
the identity labels, never fixed positions.
"""

from __future__ import annotations

import random
from datetime import date, datetime
from pathlib import Path
from typing import Any

from vif38_bilan.gabarits import disposition as d
from vif38_bilan.commun.ecriture import ecrire_atomique, mettre_texte
from vif38_bilan.exceptions import FichierRefuse
from vif38_bilan.referentiel.protocole import Action, Protocole
from vif38_bilan.gabarits.generation import enregistrer
from vif38_bilan.gabarits.generation import _maintenant, _utc_naif


def remplir_gabarit(
    gabarit: Path,
    sortie: Path,
    reponses: dict[str, dict],
    identite: dict[str, Any] | None = None,
    dernier_auteur: str | None = None,
    modifie_le: datetime | None = None,
    chiffres: dict[str, Any] | None = None,
) -> Path:
    """Fill the workbook gabarit and write it (atomically) at sortie.

    reponses: action code → {"statut": str, "valeurs": list (one per indicator, None = empty),
    "observations": str}; any key may be left out. identite: identity label → value.
    chiffres: key-figure row code → value (sheet "Chiffres clés").
    modifie_le (default: now) becomes the workbook's core "modified" property.
    """
    from openpyxl import load_workbook


    try:
        wb = load_workbook(gabarit)
    except Exception as e:  # noqa: BLE001 - any parser failure means "not a workbook we can fill"
        raise FichierRefuse(f"Le fichier « {gabarit} » n'est pas un classeur lisible ({e}).") from e
    remplir_classeur(
        wb, reponses, identite=identite, dernier_auteur=dernier_auteur, modifie_le=modifie_le, chiffres=chiffres
    )
    moment = wb.properties.modified
    ecrire_atomique(sortie, lambda p: enregistrer(wb, p, modifie_le=moment))
    return Path(sortie)


def remplir_classeur(
    wb: Any,
    reponses: dict[str, dict],
    identite: dict[str, Any] | None = None,
    dernier_auteur: str | None = None,
    modifie_le: datetime | None = None,
    chiffres: dict[str, Any] | None = None,
) -> None:
    """Fill an openpyxl workbook in memory (same contract as remplir_gabarit)."""
    ident = identification(wb)
    if ident is None:
        raise FichierRefuse("Ce classeur n'est pas un gabarit vif38-bilan : identification introuvable.")
    ws, ligne_en_tete, colonnes = trouver_saisie(wb)
    annee = ident.annee

    if identite:
        libelles = _cellules_identite(ws, ligne_en_tete)
        for libelle, valeur in identite.items():
            if libelle not in libelles:
                raise ValueError(
                    f"libellé d'identité inconnu « {libelle} » (attendus : {', '.join(d.LIBELLES_IDENTITE)})"
                )
            ligne, colonne = libelles[libelle]
            _ecrire(ws.cell(row=ligne, column=colonne + 1), valeur)

    c_code = colonnes[d.CODE_ACTION]
    lignes: dict[str, int] = {}
    for ligne in range(ligne_en_tete + 1, ws.max_row + 1):
        code = ws.cell(row=ligne, column=c_code).value
        if isinstance(code, str) and code.strip():
            lignes[code.strip()] = ligne
    inconnus = [c for c in reponses if c not in lignes]
    if inconnus:
        raise ValueError(f"action(s) absente(s) du classeur : {', '.join(inconnus)}")

    c_statut = colonnes[d.entete_statut(annee)]
    c_obs = colonnes[d.entete_observations(annee)]
    for code, reponse in reponses.items():
        ligne = lignes[code]
        if "statut" in reponse:
            _ecrire(ws.cell(row=ligne, column=c_statut), reponse["statut"])
        for k, valeur in enumerate(reponse.get("valeurs") or (), start=1):
            entete = d.entete_valeur(annee, k)
            if entete not in colonnes:
                raise ValueError(f"{code} : {k} valeur(s) données, le classeur n'a que {k - 1} emplacement(s)")
            _ecrire(ws.cell(row=ligne, column=colonnes[entete]), valeur)
        if "observations" in reponse:
            _ecrire(ws.cell(row=ligne, column=c_obs), reponse["observations"])

    if chiffres:
        _remplir_chiffres(wb, annee, chiffres)


    wb.properties.modified = _utc_naif(_maintenant(modifie_le))
    if dernier_auteur is not None:
        wb.properties.lastModifiedBy = dernier_auteur


def _remplir_chiffres(wb: Any, annee: int, chiffres: dict[str, Any]) -> None:
    """Write key-figure values on the "Chiffres clés" sheet, rows found by their code."""
    if d.FEUILLE_CHIFFRES not in wb.sheetnames:
        raise ValueError(f"feuille « {d.FEUILLE_CHIFFRES} » absente du classeur")
    ws = wb[d.FEUILLE_CHIFFRES]
    entete = next((r for r in range(1, ws.max_row + 1) if ws.cell(row=r, column=1).value == d.CODE_CHIFFRE), None)
    if entete is None:
        raise ValueError(f"en-tête « {d.CODE_CHIFFRE} » introuvable")
    colonnes = {ws.cell(row=entete, column=j).value: j for j in range(1, ws.max_column + 1)}
    lignes = {ws.cell(row=r, column=1).value: r for r in range(entete + 1, ws.max_row + 1)}
    inconnus = [c for c in chiffres if c not in lignes]
    if inconnus:
        raise ValueError(f"chiffre(s) clé(s) absent(s) du classeur : {', '.join(inconnus)}")
    for code, valeur in chiffres.items():
        _ecrire(ws.cell(row=lignes[code], column=colonnes[d.entete_valeur(annee, 1)]), valeur)


def chiffres_inventes(protocole: Protocole, pilote: str, annee: int, graine: int = 0) -> dict[str, int]:
    """Plausible key-figure values of a pilot, the same for the same arguments: near the last
    known annual value when there is one (a few percent up or down), else small counts."""
    alea = random.Random(f"chiffres-{pilote}-{annee}-{graine}")
    sortie: dict[str, int] = {}
    for serie in protocole.chiffres:
        if pilote not in serie.pilotes:
            continue
        for code, _ in serie.codes:
            ligne = code.partition(".")[2]
            connues = [v for v in serie.historique if v.ligne == ligne and not v.periode and v.annee < annee]
            base = connues[-1].valeur if connues else alea.randint(3, 40)
            if len(serie.pilotes) > 1 and serie.agregation == "somme":
                base = max(1, base // len(serie.pilotes))
            sortie[code] = max(
                0, round(base * (1 + (annee - (connues[-1].annee if connues else annee)) * alea.uniform(-0.02, 0.08)))
            )
    return sortie


def identification(wb: Any) -> d.Identification | None:
    """Identification of an openpyxl workbook: hidden sheet first, then custom properties."""
    if d.FEUILLE_ID in wb.sheetnames:
        ident = d.lire_identification(d.lire_paires(wb[d.FEUILLE_ID].iter_rows(values_only=True)))
        if ident is not None:
            return ident
    props = {
        p.name[len(d.PREFIXE_PROPRIETE) :]: p.value
        for p in wb.custom_doc_props
        if p.name and p.name.startswith(d.PREFIXE_PROPRIETE)
    }
    return d.lire_identification(props)


def trouver_saisie(wb: Any) -> tuple[Any, int, dict[str, int]]:
    """(sheet, header row, header text → column) of the input table, found by "Code action"."""
    feuilles = [wb[d.FEUILLE_SAISIE]] if d.FEUILLE_SAISIE in wb.sheetnames else []
    feuilles += [ws for ws in wb.worksheets if ws.title != d.FEUILLE_SAISIE]
    for ws in feuilles:
        for ligne, valeurs in enumerate(ws.iter_rows(values_only=True), start=1):
            textes = [v.strip() if isinstance(v, str) else v for v in valeurs]
            if d.CODE_ACTION in textes:
                colonnes = {t: i + 1 for i, t in enumerate(textes) if isinstance(t, str) and t}
                return ws, ligne, colonnes
    raise FichierRefuse(f"Aucune colonne « {d.CODE_ACTION} » trouvée : ce n'est pas un classeur de saisie vif38-bilan.")


def _cellules_identite(ws: Any, ligne_en_tete: int) -> dict[str, tuple[int, int]]:
    trouves: dict[str, tuple[int, int]] = {}
    for ligne in ws.iter_rows(min_row=1, max_row=ligne_en_tete - 1):
        for cellule in ligne:
            v = cellule.value
            if isinstance(v, str) and v.strip() in d.LIBELLES_IDENTITE and v.strip() not in trouves:
                trouves[v.strip()] = (cellule.row, cellule.column)
    return trouves


def _ecrire(cellule: Any, valeur: Any) -> None:
    if valeur is None or valeur == "":
        cellule.value = None
    elif isinstance(valeur, str):
        mettre_texte(cellule, valeur)
    else:
        cellule.value = valeur


# ---------------------------------------------------------------- invented answers

# Mostly ordinary statuses: the demo should look like a normal year, with a few exceptions.
_POIDS_STATUTS = {"EFFECTUÉE": 45, "EN COURS": 25, "POURSUIVRE": 20, "EN ATTENTE": 5, "LANCEMENT": 3, "ANNULÉE": 2}

_FAITS = (
    "Bilan partagé en comité de pilotage.",
    "Partenariat renforcé avec les associations du territoire.",
    "Couverture encore inégale en zone rurale.",
    "Financement reconduit pour l'an prochain.",
    "Outils de communication mis à jour.",
    "Forte participation des professionnels du secteur.",
    "Calendrier décalé au second semestre.",
    "Travail engagé avec les communes du Nord-Isère.",
)

_TEXTES = (
    "Mise à jour semestrielle",
    "Diffusion trimestrielle aux partenaires",
    "Données transmises aux partenaires",
    "Supports diffusés dans les structures partenaires",
)


def reponses_inventees(protocole: Protocole, pilote: str, annee: int, graine: int = 0) -> dict[str, dict]:
    """Plausible answers for every action of a pilot, the same for the same arguments.

    Counts stay near the annual target (or near a level fixed per action and indicator, so that
    two years of the same pilot do not look like outliers); observations hold aggregate facts only.
    """
    reponses: dict[str, dict] = {}
    for action, _role in protocole.actions_du_pilote(pilote):
        alea = random.Random(f"{graine}|{pilote}|{annee}|{action.code}")
        statut = alea.choices(list(_POIDS_STATUTS), weights=list(_POIDS_STATUTS.values()))[0]
        valeurs = [_valeur(action, k, statut, pilote, annee, graine) for k in range(len(action.indicateurs))]
        reponses[action.code] = {
            "statut": statut,
            "valeurs": valeurs,
            "observations": _observation(action, statut, valeurs, annee, alea),
        }
    return reponses


def _valeur(action: Action, k: int, statut: str, pilote: str, annee: int, graine: int) -> Any:
    ind = action.indicateurs[k]
    if statut in ("EN ATTENTE", "ANNULÉE"):
        return "Non" if ind.type == "oui_non" else None
    annuel = random.Random(f"{graine}|{pilote}|{annee}|{action.code}|{k}")
    if ind.type == "oui_non":
        return "Oui" if statut == "EFFECTUÉE" or annuel.random() < 0.6 else "Non"
    if ind.type == "texte":
        return annuel.choice(_TEXTES)
    niveau = random.Random(f"{graine}|{pilote}|{action.code}|{k}")  # same level every year
    if ind.cible_annuelle:
        base = ind.cible_annuelle * niveau.uniform(0.8, 1.2)
    else:
        libelle = ind.libelle.lower()
        if "personne" in libelle or "professionnel" in libelle or "femme" in libelle:
            base = niveau.uniform(40, 250)
        elif "place" in libelle:
            base = niveau.uniform(5, 30)
        else:
            base = niveau.uniform(2, 12)
    facteur = annuel.uniform(0.85, 1.15) * (0.5 if statut == "LANCEMENT" else 1.0)
    return max(0, round(base * facteur))


def _observation(action: Action, statut: str, valeurs: list[Any], annee: int, alea: random.Random) -> str:
    chiffres = [
        f"{v} ({ind.libelle[0].lower()}{ind.libelle[1:]})"
        for ind, v in zip(action.indicateurs, valeurs, strict=True)
        if ind.type == "entier" and v is not None
    ]
    fait = alea.choice(_FAITS)
    if statut == "ANNULÉE":
        return f"Action non reconduite en {annee} : plus d'actualité."
    if statut == "EN ATTENTE":
        return f"Action en attente en {annee} : financement ou décision des partenaires attendus."
    debut = {
        "EFFECTUÉE": f"Action réalisée en {annee}",
        "EN COURS": f"Action engagée en {annee}",
        "POURSUIVRE": f"Action menée en {annee}, à poursuivre",
        "LANCEMENT": f"Action lancée en {annee}",
    }[statut]
    return f"{debut} : {', '.join(chiffres)}. {fait}" if chiffres else f"{debut}. {fait}"


def date_saisie(annee: int, graine: int = 0) -> date:
    """A plausible 'Date de saisie' for a return of year annee (January–March of the next year)."""
    alea = random.Random(f"{graine}|date|{annee}")
    return date(annee + 1, alea.randint(1, 3), alea.randint(1, 28))


def identite_inventee(protocole: Protocole, pilote: str, annee: int, graine: int = 0) -> dict[str, Any]:
    """Identity block of an invented return: a role (never a person's name), reserved-domain
    e-mail, dummy phone. A collective pilot gets a distinct Structure per graine."""
    p = protocole.pilote(pilote)
    structure = f"{p.nom} – structure {graine + 1}" if p.collectif else p.nom
    return {
        "Structure": structure,
        "Contact": "Référent du protocole",
        "Courriel": f"contact-{pilote.lower().replace('_', '-')}@exemple.invalid",
        "Téléphone": f"04 76 00 00 {graine % 100:02d}",
        "Date de saisie": date_saisie(annee, graine),
    }
