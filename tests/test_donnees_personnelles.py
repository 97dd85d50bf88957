"""Personal data in free text: both sides of every rule, redaction, what the protocol prints."""

from __future__ import annotations

import time

import pytest

from vif38_bilan.controle.donnees_personnelles import (
    MARQUE,
    Exceptions,
    Nature,
    exceptions_du_protocole,
    natures,
    reperer,
    retirer,
)

# (sentence, kind, the exact passage that must disappear)
PERSONNELLES = [
    ("Situation de Mme Dupont suivie par le CIDFF", Nature.NOM, "Mme Dupont"),
    ("signalement par M. Martin le 3 mars", Nature.NOM, "M. Martin"),
    ("Madame Durand a témoigné lors du colloque", Nature.NOM, "Madame Durand"),
    ("Mme X a été relogée en urgence", Nature.NOM, "Mme X"),
    ("orientée vers le Dr Lefèvre, médecin légiste", Nature.NOM, "Dr Lefèvre"),
    ("accompagnement de mme dupont vers le CHU", Nature.NOM, "mme dupont"),
    ("M. J.-P. DURAND, conjoint violent, a été éloigné", Nature.NOM, "M. J.-P. DURAND"),
    ("Mme Le Goff a quitté le domicile", Nature.NOM, "Mme Le Goff"),
    ("Mlle Benali, 19 ans, hébergée au foyer", Nature.NOM, "Mlle Benali"),
    ("Mme de Villeneuve a porté plainte", Nature.NOM, "Mme de Villeneuve"),
    ("reçue par Maître Rossi, avocate de la victime", Nature.NOM, "Maître Rossi"),
    ("MME FONTAINE a été orientée", Nature.NOM, "MME FONTAINE"),
    ("Monsieur Jean-Marc Petit a été entendu", Nature.NOM, "Monsieur Jean-Marc Petit"),
    ("Appeler le 06 12 34 56 78 pour le suivi", Nature.TELEPHONE, "06 12 34 56 78"),
    ("standard 04.76.00.00.00", Nature.TELEPHONE, "04.76.00.00.00"),
    ("joignable au +33 4 76 00 00 00", Nature.TELEPHONE, "+33 4 76 00 00 00"),
    ("portable de la victime : 0612345678", Nature.TELEPHONE, "0612345678"),
    ("rappeler au 0033 6 12 34 56 78 avant vendredi", Nature.TELEPHONE, "0033 6 12 34 56 78"),
    ("numéro donné : +33 (0)6 12 34 56 78", Nature.TELEPHONE, "+33 (0)6 12 34 56 78"),
    ("tél. 06-12-34-56-78", Nature.TELEPHONE, "06-12-34-56-78"),
    ("Contact : jeanne.martin@exemple.fr pour le suivi", Nature.COURRIEL, "jeanne.martin@exemple.fr"),
    ("écrire à victime.x[at]gmail.com", Nature.COURRIEL, "victime.x[at]gmail.com"),
    ("domiciliée 12 rue de la Paix, 38000 Grenoble", Nature.ADRESSE, "12 rue de la Paix, 38000 Grenoble"),
    ("hébergée au 5 bis avenue Alsace-Lorraine", Nature.ADRESSE, "5 bis avenue Alsace-Lorraine"),
    ("vit 3 chemin des Alpes à Voiron", Nature.ADRESSE, "3 chemin des Alpes à Voiron"),
    ("née le 12/03/1985 à Vienne", Nature.NAISSANCE, "née le 12/03/1985 à Vienne"),
    ("date de naissance : 3 mars 1985", Nature.NAISSANCE, "date de naissance : 3 mars 1985"),
    ("DDN 12.03.85, deux enfants", Nature.NAISSANCE, "DDN 12.03.85"),
    ("l'enfant, né le 1er janvier 2015, est placé", Nature.NAISSANCE, "né le 1er janvier 2015"),
]

AGREGEES = [
    "12 femmes accompagnées en 2023",
    "156 professionnels formés, 12 sessions en 2023",
    "Réunion avec Mme la Préfète et M. le Procureur",
    "Madame la Présidente du Département a ouvert le colloque",
    "Réunion avec Monsieur le Préfet et Madame la Procureure",
    "M. le maire de Vienne a ouvert la séance",
    "Madame, Monsieur, veuillez trouver ci-joint le bilan",
    "Accueil des victimes : 3919, 119 et 115, ouverts 24h/24",
    "Budget 2023 : 12 000 euros, 3 919 appels",
    "Le numéro vert 0 800 05 95 95 a été diffusé dans les mairies",
    "Réunion le 12/03/2023 à la Préfecture",
    "1 place d'hébergement supplémentaire en 2023",
    "3 places ouvertes à Grenoble, 2 à Vienne",
    "10 cours de Français langue étrangère pour 45 femmes",
    "Permanence rue Lesdiguières chaque mardi",
    "Locaux situés à 38000 Grenoble",
    "Les femmes âgées de 18 à 25 ans représentent 34 % des appels",
    "Enfants nés en 2023 : suivi par la PMI",
    "n° SIRET 123 456 789 00012 transmis à la DDETS",
    "Mme la Directrice académique et M. le DASEN ont validé le projet",
    "Intervention du Docteur en psychologie de l'université",
    "Mesdames et Messieurs les élus ont été sensibilisés",
    "M. et Mme les maires des communes rurales",
    "Colloque du 25 novembre : 300 participants, 4 tables rondes",
    "Convention signée le 8 mars 2023 avec la CAF",
    "2 145 appels traités, dont 312 orientations",
    "Ratio de 0,5 ETP pour 20 places",
    "Madame la Vice-Présidente a présenté 12 actions",
    "3 réunions de la CDPD, 4 du comité de pilotage",
    "Mme a été orientée vers un accueil de jour (situation anonymisée)",
]


@pytest.mark.parametrize(("texte", "nature", "passage"), PERSONNELLES)
def test_donnee_personnelle_reperee_et_retiree(texte, nature, passage):
    (p,) = reperer(texte)
    assert p.nature is nature
    assert texte[p.debut : p.fin] == passage
    propre, passages = retirer(texte)
    assert propre == texte.replace(passage, MARQUE)
    assert passages == [p]
    assert natures(texte) == [nature.value]


@pytest.mark.parametrize("texte", AGREGEES)
def test_formulation_agregee_non_signalee(texte):
    assert reperer(texte) == []
    assert retirer(texte) == (texte, [])


def test_assez_de_phrases_de_chaque_cote():
    assert len(PERSONNELLES) >= 20 and len(AGREGEES) >= 20


def test_plusieurs_donnees_dans_une_observation_le_reste_est_garde():
    texte = (
        "12 femmes accompagnées. Mme Dupont (née le 12/03/1985), joignable au 06 12 34 56 78 ou "
        "dupont@exemple.fr, hébergée 4 rue Jean Jaurès : suivi renforcé. 3 orientations vers le SIAO."
    )
    propre, passages = retirer(texte)
    assert [p.nature for p in passages] == [
        Nature.NOM,
        Nature.NAISSANCE,
        Nature.TELEPHONE,
        Nature.COURRIEL,
        Nature.ADRESSE,
    ]
    assert propre == (
        f"12 femmes accompagnées. {MARQUE} ({MARQUE}), joignable au {MARQUE} ou {MARQUE}, hébergée {MARQUE} : "
        "suivi renforcé. 3 orientations vers le SIAO."
    )
    assert natures(texte) == [
        "un nom de personne",
        "une date ou un lieu de naissance",
        "un numéro de téléphone",
        "une adresse électronique",
        "une adresse postale",
    ]


def test_noms_des_autorites_du_protocole_autorises(protocole):
    exceptions = exceptions_du_protocole(protocole)
    texte = "Monsieur Laurent PREVOST, Préfet de l'Isère, et Mme Quey ont ouvert la séance"
    assert reperer(texte, exceptions) == []
    assert [p.nature for p in reperer(texte)] == [Nature.NOM, Nature.NOM]
    assert [p.nature for p in reperer("Mme Dupont et Mme Quey", exceptions)] == [Nature.NOM]


def test_numero_imprime_par_le_protocole_autorise(protocole):
    # The Isère protocol prints only short numbers (3919, 115): a protocol printing a switchboard
    # number gets it allowed.
    from dataclasses import replace

    action = protocole.actions[0]
    avec_standard = replace(action, description=action.description + " Standard de l'accueil : 04 76 60 34 34.")
    autre = replace(protocole, actions=(avec_standard, *protocole.actions[1:]))
    exceptions = exceptions_du_protocole(autre)
    assert exceptions.numeros == frozenset({"+33476603434"})
    assert reperer("Orientation par le standard 04.76.60.34.34", exceptions) == []
    assert [p.nature for p in reperer("Orientation par le 04.76.60.34.35", exceptions)] == [Nature.TELEPHONE]


def test_exceptions_vides_par_defaut():
    assert Exceptions().numeros == frozenset() and Exceptions().noms == frozenset()


def test_texte_vide_ou_long_rapide():
    assert reperer("") == []
    texte = ("Réunion du comité de pilotage avec M. le Préfet : 12 actions, 3 919 appels. " * 25)[:2000]
    debut = time.perf_counter()
    for _ in range(50):
        assert reperer(texte) == []
    assert time.perf_counter() - debut < 2.0


def test_un_nom_ne_passe_pas_a_la_ligne(protocole):
    # The signature block: the authority's name, then "Date et signature" on the next line.
    texte = "Préfet de l'Isère\nMonsieur Laurent PREVOST\n\nDate et signature :"
    (p,) = reperer(texte)
    assert texte[p.debut : p.fin] == "Monsieur Laurent PREVOST"
    assert reperer(texte, exceptions_du_protocole(protocole)) == []
