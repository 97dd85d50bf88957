"""The "Mode d'emploi" sheet of a collection workbook: year, deadline, return address, statuses, rules."""

from __future__ import annotations

from datetime import date
from typing import Any

from openpyxl.styles.cell_style import StyleArray

from vif38_bilan.gabarits import disposition as d
from vif38_bilan.espace.reglages import Config
from vif38_bilan.gabarits.forme import Styles, hauteur, proteger
from vif38_bilan.referentiel.protocole import Protocole


def mode_emploi(
    ws: Any,
    s: Styles,
    protocole: Protocole,
    annee: int,
    nom_pilote: str,
    collectif: bool,
    nb_actions: int,
    config: Config,
    echeance: date | None,
    nb_chiffres: int = 0,
) -> None:
    largeur_a, largeur_b = 24, 95
    ws.column_dimensions["A"].width = largeur_a
    ws.column_dimensions["B"].width = largeur_b
    poser = s.poser
    ligne = 1
    poser(ws, ligne, 1, f"Bilan {annee} du protocole départemental – mode d'emploi", s.mode_titre)
    ligne += 1
    poser(ws, ligne, 1, protocole.titre, s.mode_texte)
    ws.merge_cells(start_row=ligne, start_column=1, end_row=ligne, end_column=2)
    ws.row_dimensions[ligne].height = 32
    ligne += 2

    couples = _consignes(s, annee, nom_pilote, collectif, nb_actions, config, echeance, nb_chiffres)
    for cle, texte, style in couples:
        poser(ws, ligne, 1, cle, s.mode_cle)
        poser(ws, ligne, 2, texte, style)
        ws.row_dimensions[ligne].height = hauteur(texte, largeur_b)
        ligne += 1

    ligne += 1
    poser(ws, ligne, 1, "Les statuts", s.mode_cle)
    ligne += 1
    for statut, sens in d.STATUTS.items():
        poser(ws, ligne, 1, statut, s.mode_cle)
        poser(ws, ligne, 2, sens[0].upper() + sens[1:] + ".", s.mode_texte)
        ligne += 1

    ligne += 1
    poser(ws, ligne, 1, "Couleurs", s.mode_cle)
    for texte, style in (
        ("À remplir", s.legende_saisie),
        ("Pré-rempli, non modifiable", s.legende_bleu),
        ("Sans objet", s.legende_gris),
    ):
        poser(ws, ligne, 2, texte, style)
        ligne += 1

    ws.page_setup.orientation = "portrait"
    ws.page_setup.paperSize = ws.PAPERSIZE_A4
    ws.page_setup.fitToWidth = 1
    ws.page_setup.fitToHeight = 0
    ws.sheet_properties.pageSetUpPr.fitToPage = True
    proteger(ws)


def _consignes(
    s: Styles, annee: int, nom_pilote: str, collectif: bool, nb_actions: int, config: Config,
    echeance: date | None, nb_chiffres: int,
) -> list[tuple[str, str, StyleArray]]:  # fmt: skip
    """(heading, text, style) of each instruction, in the sheet's order."""
    retour = config.courriel or f"{config.service}, en réponse au courriel qui vous a transmis ce classeur"
    couples: list[tuple[str, str, StyleArray]] = [
        ("Destinataire", nom_pilote, s.mode_texte),
        ("Année du bilan", f"{annee} (activité du 1er janvier au 31 décembre {annee})", s.mode_texte),
        (
            "Date limite de retour",
            f"{echeance:%d/%m/%Y}" if echeance else "indiquée dans le courriel d'envoi",
            s.mode_important,
        ),
        ("À renvoyer à", retour, s.mode_texte),
        ("Service coordonnateur", config.service, s.mode_texte),
        (
            "Ce qui vous est demandé",
            f"La feuille « {d.FEUILLE_SAISIE} » liste les {nb_actions} action(s) du protocole que vous pilotez "
            "(chef de file) ou copilotez. Pour chacune : son statut en "
            f"{annee}, la valeur de chaque indicateur et vos observations (faits marquants, chiffres clés). "
            "Seules les cellules jaunes se remplissent ; les autres sont verrouillées.",
            s.mode_texte,
        ),
        (
            "Étapes",
            "1. En haut de la feuille « Saisie », complétez le bloc d'identité (structure, contact, courriel, "
            "téléphone, date de saisie).\n"
            f"2. Pour chaque action, choisissez le statut {annee} dans la liste déroulante.\n"
            "3. Saisissez les valeurs des indicateurs : un nombre entier sans unité (12 et non « 12 pers. »), "
            "ou Oui / Non selon l'indicateur. La cible annuelle du protocole est rappelée à côté.\n"
            "4. Écrivez vos observations : ce qui a été fait, les chiffres clés, les difficultés.\n"
            "5. Enregistrez le classeur (Excel .xlsx ou LibreOffice .ods) et renvoyez-le en pièce jointe. "
            "Vous pouvez renommer le fichier.",
            s.mode_texte,
        ),
    ]
    if nb_chiffres:
        couples.append(
            (
                "Chiffres clés",
                f"La feuille « {d.FEUILLE_CHIFFRES} » demande {nb_chiffres} chiffre(s) clé(s) que le bilan suit "
                f"d'année en année : saisissez la valeur {annee} de chacun (un nombre entier, sans unité) ; les "
                "années précédentes sont rappelées. Laissez vide une valeur inconnue (jamais 0 par défaut).",
                s.mode_texte,
            )
        )
    if collectif:
        couples.append(
            (
                "Plusieurs structures",
                f"Ce classeur est adressé à plusieurs structures ({nom_pilote}). Chaque structure remplit son "
                "propre exemplaire et indique obligatoirement son nom dans la case « Structure ».",
                s.mode_important,
            )
        )
    couples.append(
        (
            "À ne pas faire",
            "N'ajoutez, ne supprimez et ne déplacez aucune ligne ni colonne, ne renommez pas les feuilles et ne "
            "modifiez pas les cellules verrouillées : l'outil de la DDFE relit le classeur automatiquement. "
            "Une précision à apporter ? Écrivez-la dans les observations.",
            s.mode_important,
        )
    )
    couples.append(
        (
            "Données personnelles",
            "N'écrivez aucune donnée personnelle sur les victimes ni sur les auteurs (nom, prénom, adresse, "
            "date de naissance, situation individuelle…) : uniquement des chiffres et des faits agrégés.",
            s.mode_important,
        )
    )
    return couples
