"""The mail loop: contacts, .eml drafts read back with `email`, sending to a local SMTP server."""

from __future__ import annotations

import csv
import socket
from email import policy
from email.parser import BytesParser
from pathlib import Path

import pytest
from click.testing import CliRunner
from openpyxl import Workbook, load_workbook
from python_calamine import CalamineWorkbook

from vif38_bilan.regles import A_CORRIGER, AVERTISSEMENT, ERREUR, REMPLACE, VALIDE, Anomalie
from vif38_bilan.courriels.brouillons import preparer_courriels, texte_preparation
from vif38_bilan.cli.principal import cli
from vif38_bilan.courriels.contacts import (
    FICHIER_CONTACTS,
    contacts_demo,
    creer_contacts_vierges,
    lire_adresse,
    lire_contacts,
    sans_courriel,
)
from vif38_bilan.courriels.textes import textes_courriels
from vif38_bilan.gabarits.disposition import nom_fichier
from vif38_bilan.courriels.envoi import (
    COLONNES_JOURNAL,
    ECHEC,
    ENVOYE,
    VARIABLE_MOT_DE_PASSE,
    envoyer,
    parametres_smtp,
    planifier_envoi,
)
from vif38_bilan.espace.reglages import charger_config
from vif38_bilan.exceptions import ConfigurationInvalide, Vif38Error
from vif38_bilan.controle.resultats import FichierControle, ResultatControle

ANNEE = 2023
STRUCTURES = {"ASSOCIATIONS": ["Association Alpha", "Association Bêta"]}


# ------------------------------------------------------------------ helpers


def lire_eml(chemin: Path):
    with open(chemin, "rb") as f:
        return BytesParser(policy=policy.default).parse(f)


def pieces(msg) -> list[tuple[str, bytes]]:
    return [(p.get_filename(), p.get_content()) for p in msg.iter_attachments()]


def ecrire_contacts_demo(racine: Path, protocole, sans_courriel=("OFII",)) -> Path:
    return contacts_demo(protocole, racine / FICHIER_CONTACTS, structures=STRUCTURES, sans_courriel=sans_courriel)


def faux_gabarits(racine: Path, protocole, annee: int = ANNEE, sauf: tuple[str, ...] = ()) -> dict[str, Path]:
    """A small distinct workbook per active pilot, where gabarits.py would put it."""
    faits = {}
    for p in protocole.pilotes_actifs():
        if p.code in sauf:
            continue
        wb = Workbook()
        wb.active["A1"] = f"Classeur {annee} de {p.code}"
        chemin = racine / "gabarits" / str(annee) / nom_fichier(annee, p.code)
        chemin.parent.mkdir(parents=True, exist_ok=True)
        wb.save(chemin)
        faits[p.code] = chemin
    return faits


def modifier_config(racine: Path, **smtp) -> None:
    """Rewrite the [smtp] values of vif38.toml, optionally appending a [courriels] section."""
    chemin = racine / "vif38.toml"
    texte = chemin.read_text("utf-8")
    courriels = smtp.pop("courriels", None)
    for cle_, valeur in smtp.items():
        lignes = texte.splitlines()
        rendu = f"{cle_} = " + (
            ("true" if valeur else "false")
            if isinstance(valeur, bool)
            else str(valeur)
            if isinstance(valeur, int)
            else f'"{valeur}"'
        )
        lignes = [rendu if ligne.startswith(f"{cle_} = ") else ligne for ligne in lignes]
        texte = "\n".join(lignes) + "\n"
    if courriels is not None:
        texte += "\n[courriels]\n" + courriels
    chemin.write_text(texte, "utf-8")


def resultat(annee: int, fichiers=(), anomalies=(), manquants=()) -> ResultatControle:
    return ResultatControle(
        annee=annee, fichiers=list(fichiers), anomalies=list(anomalies), reponses=[], manquants=list(manquants)
    )


# ------------------------------------------------------------------ contacts


def test_init_cree_un_carnet_vierge(espace, protocole):
    chemin = espace / "contacts.xlsx"
    assert chemin.is_file()
    lignes = CalamineWorkbook.from_path(str(chemin)).get_sheet_by_name("Contacts").to_python()
    assert lignes[0] == [
        "Code pilote",
        "Structure",
        "Organisation",
        "Nom du contact",
        "Courriel",
        "Copie (courriels séparés par ;)",
        "Remarque",
    ]
    corps = lignes[1:]
    assert [r[0] for r in corps] == [p.code for p in protocole.pilotes_actifs()]
    ddfe = corps[0]
    assert ddfe[2] == protocole.pilote("DDFE").nom and ddfe[4] == "" and ddfe[6] == ""
    assoc = next(r for r in corps if r[0] == "ASSOCIATIONS")
    assert "une ligne par structure" in assoc[6]
    # Blank addresses: nothing to refuse, every pilot listed as without address.
    contacts, problemes = lire_contacts(protocole, chemin)
    assert problemes == []
    assert len(sans_courriel(protocole, contacts)) == len(protocole.pilotes_actifs())
    # init never overwrites the agent's contacts.
    from vif38_bilan.espace.reglages import initialiser

    ecrire_contacts_demo(espace, protocole)
    avant = chemin.read_bytes()
    initialiser(espace)
    assert chemin.read_bytes() == avant
    with pytest.raises(ConfigurationInvalide, match="existe déjà"):
        creer_contacts_vierges(protocole, chemin)


def test_contacts_demo_inventes(tmp_path, protocole):
    chemin = contacts_demo(protocole, tmp_path / "contacts.xlsx", structures=STRUCTURES, sans_courriel=["OFII"])
    contacts, problemes = lire_contacts(protocole, chemin)
    assert problemes == []
    assert all(c.courriel.endswith("@exemple.invalid") for c in contacts if c.courriel)
    assert [c.structure for c in contacts if c.pilote == "ASSOCIATIONS"] == STRUCTURES["ASSOCIATIONS"]
    assert {c.courriel for c in contacts if c.pilote == "ASSOCIATIONS"} == {
        "association-alpha@exemple.invalid",
        "association-beta@exemple.invalid",
    }
    assert next(c for c in contacts if c.pilote == "DDFE").courriel == "ddfe@exemple.invalid"
    assert next(c for c in contacts if c.pilote == "OFII").courriel == ""
    assert sans_courriel(protocole, contacts) == [f"OFII ({protocole.pilote('OFII').nom})"]
    assert all("Démo" in c.nom for c in contacts)


def test_contacts_erreurs_en_francais(tmp_path, protocole):
    wb = Workbook()
    ws = wb.active
    ws.title = "Contacts"
    ws.append(["Carnet d'adresses 2023"])  # a title row above the header is tolerated
    ws.append(
        ["Code pilote", "Structure", "Organisation", "Nom du contact", "Courriel", "Copie (courriels séparés par ;)"]
    )
    ws.append(["DDFE", None, None, "Camille", "Camille <ddfe@exemple.invalid>", "a@exemple.invalid; b@exemple.invalid"])
    ws.append(["DDFEE", None, None, None, "x@exemple.invalid", None])  # row 4: unknown code
    ws.append(["Département", None, None, None, "departement.exemple.invalid", None])  # row 5: bad address
    ws.append(["CAF", None, None, None, "caf@exemple.invalid", "pas une adresse"])  # row 6: bad copy
    ws.append([None, None, None, "Sans code", "y@exemple.invalid", None])  # row 7: no code
    ws.append(["ddfe", None, None, None, "ddfe@exemple.invalid", None])  # row 8: repeats row 3
    ws.append([None, None, None, None, None, None])  # empty: ignored
    ws.append(["Justice", "Parquet de Vienne", None, None, "mailto:parquet@exemple.invalid", None])
    chemin = tmp_path / "contacts.xlsx"
    wb.save(chemin)
    avant = chemin.read_bytes()

    contacts, problemes = lire_contacts(protocole, chemin)

    assert chemin.read_bytes() == avant
    assert [(c.pilote, c.structure, c.courriel, c.ligne) for c in contacts] == [
        ("DDFE", "", "ddfe@exemple.invalid", 3),
        ("JUSTICE", "Parquet de Vienne", "parquet@exemple.invalid", 10),
    ]
    assert contacts[0].copie == ("a@exemple.invalid", "b@exemple.invalid")
    assert contacts[0].organisation == protocole.pilote("DDFE").nom
    assert len(problemes) == 5
    assert problemes[0].startswith("contacts.xlsx, ligne 4 : code pilote « DDFEE » inconnu")
    assert problemes[1] == (
        "contacts.xlsx, ligne 5, colonne « Courriel » : « departement.exemple.invalid » n'est pas une adresse de "
        "courriel valable (exemple : prenom.nom@isere.gouv.fr). Corrigez-la."
    )
    assert problemes[2].startswith("contacts.xlsx, ligne 6, colonne « Copie » : « pas une adresse »")
    assert problemes[3].startswith("contacts.xlsx, ligne 7 : le code pilote est vide")
    assert problemes[4].startswith("contacts.xlsx, ligne 8 répète la ligne 3")


def test_contacts_illisible_ou_sans_entete(tmp_path, protocole):
    faux = tmp_path / "contacts.xlsx"
    faux.write_text("ceci n'est pas un classeur", "utf-8")
    with pytest.raises(ConfigurationInvalide, match="illisible"):
        lire_contacts(protocole, faux)
    wb = Workbook()
    wb.active.append(["Pilote", "Adresse postale"])
    wb.save(faux)
    with pytest.raises(ConfigurationInvalide, match="n'a pas les en-têtes attendus"):
        lire_contacts(protocole, faux)


@pytest.mark.parametrize(
    "texte, attendu",
    [
        ("ddfe@exemple.invalid", "ddfe@exemple.invalid"),
        ("  Prénom Nom <prenom.nom@isere.gouv.fr> ", "prenom.nom@isere.gouv.fr"),
        ("mailto:a.b-c@sous.domaine.fr;", "a.b-c@sous.domaine.fr"),
    ],
)
def test_lire_adresse(texte, attendu):
    assert lire_adresse(texte) == attendu


@pytest.mark.parametrize(
    "texte", ["jean dupont@x.fr", "a@b", "@exemple.fr", "a@@b.fr", "élodie@exemple.fr", "a@b.fr, c@d.fr"]
)
def test_lire_adresse_refuse(texte):
    with pytest.raises(ValueError, match="n'est pas une adresse de courriel valable"):
        lire_adresse(texte)


# ------------------------------------------------------------------ drafts


def test_brouillons_envoi(espace, protocole):
    ecrire_contacts_demo(espace, protocole)
    gabarits = faux_gabarits(espace, protocole)
    config = charger_config(espace)

    prep = preparer_courriels(config, protocole, ANNEE, "envoi")

    dossier = espace / "sorties" / "2023" / "courriels" / "envoi"
    assert prep.dossier == dossier
    emls = sorted(dossier.glob("*.eml"))
    # One draft per address: every active pilot but OFII, two structures for ASSOCIATIONS.
    assert len(emls) == len(prep.brouillons) == len(protocole.pilotes_actifs()) - 1 + 1
    assert {p.name for p in emls} >= {
        "DDFE.eml",
        "ASSOCIATIONS_Association-Alpha.eml",
        "ASSOCIATIONS_Association-Beta.eml",
    }
    assert not (dossier / "OFII.eml").exists()
    ligne_ofii = [p.code for p in protocole.pilotes_actifs()].index("OFII") + 2  # header on row 1
    assert prep.sans_adresse == [
        f"OFII ({protocole.pilote('OFII').nom}) : pas d'adresse (contacts.xlsx, ligne {ligne_ofii})."
    ]

    for eml in emls:
        brut = eml.read_bytes()
        assert brut.isascii() and b"\r\n" in brut  # headers and body encoded for any mail client
        msg = lire_eml(eml)
        assert msg["X-Unsent"] == "1"
        assert msg["From"] == "ddfe@exemple.invalid"
        code = msg["X-Vif38-Pilote"]
        ((nom, contenu),) = pieces(msg)
        assert nom == nom_fichier(ANNEE, code)
        assert contenu == gabarits[code].read_bytes()

    ddfe = lire_eml(dossier / "DDFE.eml")
    assert ddfe["To"].addresses[0].addr_spec == "ddfe@exemple.invalid"
    assert "Démo" in ddfe["To"].addresses[0].display_name
    assert ddfe["Subject"] == (
        f"Bilan 2023 du protocole départemental VIF : classeur à compléter ({protocole.pilote('DDFE').nom})"
    )
    corps = ddfe.get_body(("plain",)).get_content()
    assert "avant le 15/02/2024 à l'adresse ddfe@exemple.invalid" in corps
    for action, role in protocole.actions_du_pilote("DDFE"):
        assert f"  - {action.code} ({role}) : " in corps
    assert corps.rstrip().endswith("DDFE de l'Isère")

    justice = lire_eml(dossier / "JUSTICE.eml")
    assert [a.addr_spec for a in justice["Cc"].addresses] == ["ddfe-copie@exemple.invalid"]
    beta = lire_eml(dossier / "ASSOCIATIONS_Association-Beta.eml")
    assert beta["Subject"].endswith("(Association Bêta)")
    assert [a.addr_spec for a in beta["To"].addresses] == ["association-beta@exemple.invalid"]

    texte = texte_preparation(prep, espace)
    assert f"{len(emls)} brouillon(s) « envoi » écrit(s) dans sorties/2023/courriels/envoi :" in texte
    assert "ATTENTION : 1 destinataire(s) sans brouillon, faute d'adresse :" in texte


def test_envoi_sans_gabarits(espace, protocole):
    ecrire_contacts_demo(espace, protocole)
    config = charger_config(espace)
    with pytest.raises(Vif38Error, match=r"Aucun classeur dans .*lancez d'abord « vif38-bilan gabarits --annee 2023 »"):
        preparer_courriels(config, protocole, ANNEE, "envoi")
    faux_gabarits(espace, protocole, sauf=("CAF",))
    with pytest.raises(Vif38Error, match=r"1 classeur\(s\) introuvable\(s\) .*2023_CAF_bilan-protocole-VIF.xlsx"):
        preparer_courriels(config, protocole, ANNEE, "envoi")
    assert not (espace / "sorties" / "2023" / "courriels" / "envoi").exists()


def test_commande_sans_classeurs_le_dit_avant_les_adresses(espace):
    """A fresh workspace: blank contacts.xlsx, no workbooks. The command says the workbooks are missing,
    not a list of 30 missing addresses followed by « Aucun brouillon » (issue 27)."""
    for type_ in ("envoi", "relance"):
        if type_ == "relance":
            (espace / "saisies" / "2023").mkdir(parents=True, exist_ok=True)
        r = CliRunner().invoke(cli, ["courriels", "--annee", "2023", "--type", type_], prog_name="vif38-bilan")
        assert r.exit_code != 0, r.output
        assert "Aucun classeur dans" in r.output and "vif38-bilan gabarits --annee 2023" in r.output
        assert "ATTENTION" not in r.output and "pas d'adresse" not in r.output
    assert not (espace / "sorties" / "2023" / "courriels").exists()


def test_carnet_absent_puis_cree(espace, protocole):
    (espace / "contacts.xlsx").unlink()
    with pytest.raises(ConfigurationInvalide, match="un modèle vient d'être créé"):
        preparer_courriels(charger_config(espace), protocole, ANNEE, "envoi")
    assert (espace / "contacts.xlsx").is_file()


def test_anciens_brouillons_retires(espace, protocole):
    ecrire_contacts_demo(espace, protocole)
    faux_gabarits(espace, protocole)
    config = charger_config(espace)
    preparer_courriels(config, protocole, ANNEE, "envoi")
    dossier = espace / "sorties" / "2023" / "courriels" / "envoi"
    note = dossier / "a-garder.eml"
    note.write_bytes(b"Subject: not ours\r\n\r\nhello\r\n")
    ecrire_contacts_demo(espace, protocole, sans_courriel=("OFII", "CAF"))
    prep = preparer_courriels(config, protocole, ANNEE, "envoi")
    assert prep.supprimes == [dossier / "CAF.eml"]
    assert not (dossier / "CAF.eml").exists()
    assert note.exists()  # a file the tool did not write is left alone


def test_textes_personnalises(espace, protocole):
    ecrire_contacts_demo(espace, protocole)
    faux_gabarits(espace, protocole)
    modifier_config(
        espace,
        courriels='sujet_envoi = "Classeur {annee} pour {code_pilote}"\n'
        'corps_envoi = """Bonjour {contact},\n\nRetour avant le {date_limite}.\n{service}\n"""\n',
    )
    config = charger_config(espace)
    prep = preparer_courriels(config, protocole, ANNEE, "envoi")
    chemin = next(b.chemin for b in prep.brouillons if b.pilote == "CAF")
    assert chemin.read_bytes().isascii()  # a short accented body is quoted-printable, never raw 8-bit
    msg = lire_eml(chemin)
    assert msg["Subject"] == "Classeur 2023 pour CAF"
    contact = next(c for c in lire_contacts(protocole, espace / "contacts.xlsx")[0] if c.pilote == "CAF")
    assert (
        msg.get_body(("plain",)).get_content()
        == f"Bonjour {contact.nom},\n\nRetour avant le 15/02/2024.\nDDFE de l'Isère\n"
    )


@pytest.mark.parametrize(
    "section, message",
    [
        ('sujet_envoi = "Bilan {anne}"\n', r"\[courriels\] sujet_envoi : variable \{anne\} inconnue"),
        ('corps_relance = "Bonjour { à tous"\n', r"corps_relance : accolade isolée"),
        ('sujet_envois = "x"\n', r"clé\(s\) inconnue\(s\) sujet_envois"),
    ],
)
def test_textes_mal_ecrits(espace, protocole, section, message):
    modifier_config(espace, courriels=section)
    with pytest.raises(ConfigurationInvalide, match=message):
        textes_courriels(charger_config(espace))


def test_date_limite_absente(espace, protocole):
    ecrire_contacts_demo(espace, protocole)
    faux_gabarits(espace, protocole)
    texte = (espace / "vif38.toml").read_text("utf-8").replace('date_limite = "15/02/2024"', 'date_limite = ""')
    (espace / "vif38.toml").write_text(texte, "utf-8")
    with pytest.raises(ConfigurationInvalide, match=r"utilise \{date_limite\} .* ajoutez date_limite"):
        preparer_courriels(charger_config(espace), protocole, ANNEE, "envoi")


def test_relance_vise_les_manquants(espace, protocole):
    ecrire_contacts_demo(espace, protocole)
    gabarits = faux_gabarits(espace, protocole)
    saisies = espace / "saisies" / "2023"
    recus = ["DDFE", "JUSTICE", "CAF"]
    fichiers = [
        FichierControle(chemin=saisies / f"{c}.xlsx", nom=f"{c}.xlsx", etat=VALIDE, pilote=c, structure="")
        for c in recus
    ]
    # An older copy replaced by a newer one does not count; the newer one does.
    fichiers.append(FichierControle(chemin=saisies / "vieux.xlsx", nom="vieux.xlsx", etat=REMPLACE, pilote="SIAO"))
    # One structure of a collective pilot answered (name typed differently), the other did not.
    fichiers.append(
        FichierControle(
            chemin=saisies / "alpha.xlsx",
            nom="alpha.xlsx",
            etat=A_CORRIGER,
            pilote="ASSOCIATIONS",
            structure="association ALPHA",
            erreurs=1,
        )
    )
    manquants = [p.code for p in protocole.pilotes_actifs() if p.code not in recus + ["ASSOCIATIONS"]]
    res = resultat(ANNEE, fichiers=fichiers, manquants=manquants)

    prep = preparer_courriels(charger_config(espace), protocole, ANNEE, "relance", resultat=res)

    cibles = {(b.pilote, b.structure) for b in prep.brouillons}
    attendus = {(c, "") for c in manquants if c != "OFII"} | {("ASSOCIATIONS", "Association Bêta")}
    assert cibles == attendus
    assert ("SIAO", "") in cibles
    assert prep.sans_adresse and prep.sans_adresse[0].startswith("OFII")
    for b in prep.brouillons:
        msg = lire_eml(b.chemin)
        assert msg["Subject"].startswith("Relance : bilan 2023")
        ((nom, contenu),) = pieces(msg)
        assert contenu == gabarits[b.pilote].read_bytes()
    assert {p.name for p in (espace / "sorties" / "2023" / "courriels" / "relance").glob("*.eml")} == {
        b.chemin.name for b in prep.brouillons
    }


def test_relance_et_correction_exigent_le_resultat_du_controle(espace, protocole):
    """The drafts never run the check themselves: the caller passes its result."""
    ecrire_contacts_demo(espace, protocole)
    faux_gabarits(espace, protocole)
    for type_ in ("relance", "correction"):
        with pytest.raises(Vif38Error, match=f"Les courriels « {type_} » ont besoin du résultat du contrôle"):
            preparer_courriels(charger_config(espace), protocole, ANNEE, type_)
    assert not (espace / "sorties" / "2023" / "courriels").exists()


def test_l_espace_n_importe_pas_les_courriels(tmp_path, protocole):
    """The workspace module is a foundation: opening it loads none of the mail loop."""
    import subprocess
    import sys

    code = (
        "import sys, vif38_bilan.espace.reglages as e; "
        "print(sorted(m for m in sys.modules if m.split('.')[-1] in "
        "('contacts', 'courriels_textes', 'brouillons', 'envoi', 'controle')))"
    )
    sortie = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True).stdout
    assert sortie.strip() == "[]"
    # Without a writer, initialiser writes no address book; with one, it is called once.
    from vif38_bilan.espace.reglages import initialiser

    assert initialiser(tmp_path / "a") and not (tmp_path / "a" / "contacts.xlsx").exists()
    crees = initialiser(tmp_path / "b", contacts=lambda chemin: creer_contacts_vierges(protocole, chemin))
    assert tmp_path / "b" / "contacts.xlsx" in crees
    contacts, problemes = lire_contacts(protocole, tmp_path / "b" / "contacts.xlsx")
    assert problemes == [] and [c.pilote for c in contacts] == [p.code for p in protocole.pilotes_actifs()]


def _retour_a_corriger(espace, nom_retour: str, pilote: str, structure: str = "", identite=None):
    """A return in saisies/ and its annotated copy where rapport_controle puts it."""
    from vif38_bilan.controle import rapport as rapport_controle

    saisies = espace / "saisies" / "2023"
    retour = saisies / nom_retour
    retour.parent.mkdir(parents=True, exist_ok=True)
    wb = Workbook()
    wb.active["A1"] = f"retour {pilote} {structure}"
    wb.save(retour)
    annote = Path(rapport_controle.chemin_annote(espace / "sorties" / "2023", nom_retour))
    wb.active["A2"] = "annoté"
    annote.parent.mkdir(parents=True, exist_ok=True)
    wb.save(annote)
    fichier = FichierControle(
        chemin=retour,
        nom=nom_retour,
        etat=A_CORRIGER,
        pilote=pilote,
        structure=structure,
        erreurs=1,
        avertissements=1,
        identite=identite or {},
    )
    return fichier, annote


def test_correction_joint_la_copie_annotee(espace, protocole):
    ecrire_contacts_demo(espace, protocole)
    dep, annote_dep = _retour_a_corriger(espace, "Retour Département é.xlsx", "DEPARTEMENT")
    beta, annote_beta = _retour_a_corriger(espace, "sous/beta.xlsx", "ASSOCIATIONS", "Association Bêta")
    inconnue, _ = _retour_a_corriger(
        espace,
        "gamma.xlsx",
        "ASSOCIATIONS",
        "Association Gamma",
        identite={"Courriel": "gamma@exemple.invalid", "Contact": "Sacha Démo"},
    )
    sans, _ = _retour_a_corriger(espace, "delta.xlsx", "ASSOCIATIONS", "Association Delta")
    propre = FichierControle(
        chemin=espace / "saisies/2023/caf.xlsx", nom="caf.xlsx", etat=VALIDE, pilote="CAF", avertissements=1
    )
    anomalies = [
        Anomalie(
            "Retour Département é.xlsx",
            "Saisie",
            "K12",
            "1-1-1",
            ERREUR,
            "Saisissez un nombre entier, sans texte : 12 et non « 12 pers. ».",
            "nombre_invalide",
            "DEPARTEMENT",
        ),
        Anomalie(
            "Retour Département é.xlsx",
            "Saisie",
            "H14",
            "1-2-1",
            AVERTISSEMENT,
            "Statut « effectue » lu comme EFFECTUÉE.",
            "statut_variante",
            "DEPARTEMENT",
        ),
        Anomalie(
            "sous/beta.xlsx",
            "Saisie",
            "C3",
            None,
            ERREUR,
            "Indiquez le nom de votre structure.",
            "structure_manquante",
            "ASSOCIATIONS",
        ),
        Anomalie(
            "caf.xlsx",
            "Saisie",
            "H9",
            "1-3-1",
            AVERTISSEMENT,
            "Valeur très supérieure à 2022.",
            "valeur_atypique",
            "CAF",
        ),
    ]
    res = resultat(ANNEE, fichiers=[dep, beta, inconnue, sans, propre], anomalies=anomalies)

    prep = preparer_courriels(charger_config(espace), protocole, ANNEE, "correction", resultat=res)

    par_cible = {(b.pilote, b.structure): b for b in prep.brouillons}
    assert set(par_cible) == {
        ("DEPARTEMENT", ""),
        ("ASSOCIATIONS", "Association Bêta"),
        ("ASSOCIATIONS", "Association Gamma"),
    }
    assert prep.sans_adresse == [
        "ASSOCIATIONS – Association Delta : pas d'adresse pour renvoyer « delta.xlsx » "
        "(ajoutez la structure « Association Delta » dans contacts.xlsx)."
    ]

    msg = lire_eml(par_cible[("DEPARTEMENT", "")].chemin)
    assert msg.as_bytes().isascii()
    ((nom, contenu),) = pieces(msg)
    assert nom == "Retour Département é.xlsx"  # RFC 2231 file name survives the round trip
    assert contenu == annote_dep.read_bytes()
    assert msg["Subject"].endswith(f"classeur à corriger ({protocole.pilote('DEPARTEMENT').nom})")
    corps = msg.get_body(("plain",)).get_content()
    assert "À corriger (1) :\n  - feuille « Saisie », cellule K12, action 1-1-1 : Saisissez un nombre entier" in corps
    assert "À vérifier (1) :\n  - feuille « Saisie », cellule H14, action 1-2-1 : Statut « effectue »" in corps

    msg = lire_eml(par_cible[("ASSOCIATIONS", "Association Bêta")].chemin)
    ((nom, contenu),) = pieces(msg)
    assert (nom, contenu) == ("beta.xlsx", annote_beta.read_bytes())
    assert "cellule C3 : Indiquez le nom de votre structure." in msg.get_body(("plain",)).get_content()
    # No contact row for this structure: the address written in the return is used.
    gamma = par_cible[("ASSOCIATIONS", "Association Gamma")]
    assert (gamma.destinataire, gamma.nom_destinataire) == ("gamma@exemple.invalid", "Sacha Démo")


def test_correction_sans_copie_annotee(espace, protocole):
    import os

    ecrire_contacts_demo(espace, protocole)
    dep, annote = _retour_a_corriger(espace, "dep.xlsx", "DEPARTEMENT")
    res = resultat(ANNEE, fichiers=[dep])
    os.utime(dep.chemin, (annote.stat().st_mtime + 60, annote.stat().st_mtime + 60))
    with pytest.raises(
        Vif38Error,
        match=r"Copie annotée plus ancienne que le retour pour dep.xlsx. Lancez d'abord « vif38-bilan controler --annee 2023 »",
    ):
        preparer_courriels(charger_config(espace), protocole, ANNEE, "correction", resultat=res)
    annote.unlink()
    with pytest.raises(Vif38Error, match=r"Copie annotée introuvable pour dep.xlsx"):
        preparer_courriels(charger_config(espace), protocole, ANNEE, "correction", resultat=res)


# ------------------------------------------------------------------ SMTP


def port_libre() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


class Boite:
    """aiosmtpd handler: keeps what it receives, refuses some recipients with 550."""

    def __init__(self, refuses=()):
        self.recus: list[tuple[str, list[str], bytes]] = []
        self.refuses = {a.lower() for a in refuses}

    async def handle_RCPT(self, server, session, envelope, address, rcpt_options):
        if address.lower() in self.refuses:
            return "550 5.1.1 Destinataire inconnu"
        envelope.rcpt_tos.append(address)
        return "250 OK"

    async def handle_DATA(self, server, session, envelope):
        self.recus.append((envelope.mail_from, list(envelope.rcpt_tos), envelope.content))
        return "250 Message accepted for delivery"


@pytest.fixture
def serveur():
    """A real SMTP server on 127.0.0.1 (no STARTTLS); yields (boite, port, start)."""
    from aiosmtpd.controller import Controller

    controleurs = []

    def demarrer(boite: Boite, **kwargs) -> int:
        port = port_libre()
        c = Controller(boite, hostname="127.0.0.1", port=port, **kwargs)
        c.start()
        controleurs.append(c)
        return port

    yield demarrer
    for c in controleurs:
        c.stop()


def configurer_smtp(espace, port: int, utilisateur: str = "") -> None:
    modifier_config(
        espace,
        hote="127.0.0.1",
        port=port,
        starttls=False,
        utilisateur=utilisateur,
        expediteur="ddfe.envoi@exemple.invalid",
    )


def lire_journal_csv(espace) -> list[dict[str, str]]:
    chemin = espace / "sorties" / "2023" / "courriels" / "journal.csv"
    with open(chemin, encoding="utf-8-sig", newline="") as f:
        return list(csv.DictReader(f, delimiter=";"))


def test_envoi_smtp_refus_et_journal(espace, protocole, serveur):
    ecrire_contacts_demo(espace, protocole)
    gabarits = faux_gabarits(espace, protocole)
    boite = Boite(refuses=["departement@exemple.invalid"])
    configurer_smtp(espace, serveur(boite))
    config = charger_config(espace)
    smtp = parametres_smtp(config)
    assert (smtp.hote, smtp.starttls, smtp.expediteur) == ("127.0.0.1", False, "ddfe.envoi@exemple.invalid")

    prep = preparer_courriels(config, protocole, ANNEE, "envoi")
    plan = planifier_envoi(prep)
    assert len(plan.a_envoyer) == len(prep.brouillons) and plan.deja_envoyes == []
    resultats = envoyer(prep, smtp)

    n = len(prep.brouillons)
    echecs = [r for r in resultats if r.resultat == ECHEC]
    assert [r.brouillon.pilote for r in echecs] == ["DEPARTEMENT"]
    assert "550" in echecs[0].detail and "departement@exemple.invalid" in echecs[0].detail
    assert len(boite.recus) == n - 1  # the refusal did not stop the others
    envoyes = {rcpt[0]: (expediteur, rcpt, contenu) for expediteur, rcpt, contenu in boite.recus}
    expediteur, rcpt, contenu = envoyes["justice@exemple.invalid"]
    assert expediteur == "ddfe.envoi@exemple.invalid"
    assert rcpt == ["justice@exemple.invalid", "ddfe-copie@exemple.invalid"]
    msg = BytesParser(policy=policy.default).parsebytes(contenu)
    assert msg["X-Unsent"] is None and msg["X-Vif38-Type"] is None
    assert msg["From"] == "ddfe.envoi@exemple.invalid"
    assert pieces(msg) == [(nom_fichier(ANNEE, "JUSTICE"), gabarits["JUSTICE"].read_bytes())]

    journal = lire_journal_csv(espace)
    assert list(journal[0]) == list(COLONNES_JOURNAL)
    assert len(journal) == n
    dep = next(r for r in journal if r["destinataire"] == "departement@exemple.invalid")
    assert (dep["type"], dep["resultat"]) == ("envoi", "échec")
    ddfe = next(r for r in journal if r["destinataire"] == "ddfe@exemple.invalid")
    assert ddfe["resultat"] == "envoyé"
    import hashlib

    assert ddfe["sha256"] == hashlib.sha256(gabarits["DDFE"].read_bytes()).hexdigest()
    assert ddfe["piece_jointe"] == nom_fichier(ANNEE, "DDFE")

    # Second run: nothing already sent goes out again; the failed one is tried again.
    boite.refuses.clear()
    prep2 = preparer_courriels(config, protocole, ANNEE, "envoi")
    plan2 = planifier_envoi(prep2)
    assert [b.destinataire for b in plan2.a_envoyer] == ["departement@exemple.invalid"]
    resultats2 = envoyer(prep2, smtp)
    assert len(boite.recus) == n
    assert boite.recus[-1][1] == ["departement@exemple.invalid"]
    assert sum(r.resultat == "déjà envoyé" for r in resultats2) == n - 1
    # Third run: nothing at all.
    resultats3 = envoyer(preparer_courriels(config, protocole, ANNEE, "envoi"), smtp)
    assert len(boite.recus) == n and all(r.resultat == "déjà envoyé" for r in resultats3)
    assert len(lire_journal_csv(espace)) == n + 1

    # A new workbook (different SHA-256) for a pilot is a new message.
    wb = load_workbook(gabarits["CAF"])
    wb.active["A2"] = "version 2"
    wb.save(gabarits["CAF"])
    resultats4 = envoyer(preparer_courriels(config, protocole, ANNEE, "envoi"), smtp)
    assert [r.brouillon.pilote for r in resultats4 if r.resultat == ENVOYE] == ["CAF"]


def test_envoi_smtp_avec_identifiant(espace, protocole, serveur, monkeypatch):
    from aiosmtpd.smtp import AuthResult

    def verifier(server, session, envelope, mechanism, auth_data):
        ok = (auth_data.login, auth_data.password) == (b"ddfe", b"s3cret")
        return AuthResult(success=ok, handled=False)  # handled=False: the server answers 535 itself

    ecrire_contacts_demo(espace, protocole)
    faux_gabarits(espace, protocole)
    boite = Boite()
    configurer_smtp(espace, serveur(boite, authenticator=verifier, auth_require_tls=False), utilisateur="ddfe")
    config = charger_config(espace)
    prep = preparer_courriels(config, protocole, ANNEE, "envoi")

    with pytest.raises(Vif38Error, match="refuse l'identifiant « ddfe » ou le mot de passe"):
        envoyer(prep, parametres_smtp(config), "mauvais")
    assert boite.recus == []
    assert not (espace / "sorties" / "2023" / "courriels" / "journal.csv").exists()

    # Through the CLI: password from the environment, no prompt, --oui skips the confirmation.
    monkeypatch.setenv(VARIABLE_MOT_DE_PASSE, "s3cret")
    r = CliRunner().invoke(cli, ["courriels", "--annee", "2023", "--envoyer", "--oui"], catch_exceptions=False)
    assert r.exit_code == 0, r.output
    assert f"{len(prep.brouillons)} courriel(s) envoyé(s), 0 échec(s)." in r.output
    assert len(boite.recus) == len(prep.brouillons)
    assert "s3cret" not in (espace / "vif38.toml").read_text("utf-8")
    assert all("s3cret" not in p.read_text("utf-8", errors="replace") for p in (espace / "sorties").rglob("*.csv"))


def test_serveur_injoignable(espace, protocole):
    ecrire_contacts_demo(espace, protocole)
    faux_gabarits(espace, protocole)
    configurer_smtp(espace, port_libre())  # nothing listens there
    config = charger_config(espace)
    prep = preparer_courriels(config, protocole, ANNEE, "envoi")
    with pytest.raises(Vif38Error, match=r"Connexion impossible au serveur de courriel 127\.0\.0\.1:\d+"):
        envoyer(prep, parametres_smtp(config))
    assert not prep.journal.exists()


def test_parametres_smtp_incomplets(espace):
    with pytest.raises(ConfigurationInvalide, match=r"renseignez le serveur dans vif38.toml, section \[smtp\]"):
        parametres_smtp(charger_config(espace))
    modifier_config(espace, hote="smtp.exemple.invalid", port="vingt-cinq")
    with pytest.raises(ConfigurationInvalide, match="écrivez un numéro de port"):
        parametres_smtp(charger_config(espace))


# ------------------------------------------------------------------ CLI


def test_cli_brouillons(espace, protocole):
    ecrire_contacts_demo(espace, protocole)
    faux_gabarits(espace, protocole)
    r = CliRunner().invoke(cli, ["courriels", "--annee", "2023"], catch_exceptions=False)
    assert r.exit_code == 0, r.output
    n = len(list((espace / "sorties/2023/courriels/envoi").glob("*.eml")))
    assert f"{n} brouillon(s) « envoi » écrit(s) dans sorties/2023/courriels/envoi :" in r.output
    assert (
        "  JUSTICE → justice@exemple.invalid (copie : ddfe-copie@exemple.invalid) : 2023_JUSTICE_bilan-protocole-VIF.xlsx"
        in r.output
    )
    assert "  - OFII (" in r.output


def test_cli_erreurs(espace, protocole):
    runner = CliRunner()
    r = runner.invoke(cli, ["courriels", "--annee", "2019"])
    assert r.exit_code == 2 and "2019 n'est pas une année du protocole" in r.output
    r = runner.invoke(cli, ["courriels", "--annee", "2023", "--type", "rappel"])
    assert r.exit_code == 2
    # Blank contacts and no workbooks: the workbooks are asked for first, no address listed.
    r = runner.invoke(cli, ["courriels", "--annee", "2023"])
    assert r.exit_code == 1 and "lancez d'abord « vif38-bilan gabarits --annee 2023 »" in r.output
    assert "ATTENTION" not in r.output
    # Addresses but no workbooks yet.
    ecrire_contacts_demo(espace, protocole)
    r = runner.invoke(cli, ["courriels", "--annee", "2023"])
    assert r.exit_code == 1 and "lancez d'abord « vif38-bilan gabarits --annee 2023 »" in r.output
    # Workbooks, blank contacts: nobody to write to, every pilot listed.
    faux_gabarits(espace, protocole)
    (espace / "contacts.xlsx").unlink()
    from vif38_bilan.courriels.contacts import creer_contacts_vierges

    creer_contacts_vierges(protocole, espace / "contacts.xlsx")
    r = runner.invoke(cli, ["courriels", "--annee", "2023"])
    assert r.exit_code == 0, r.output
    assert "Aucun brouillon « envoi » à écrire pour 2023." in r.output
    assert f"ATTENTION : {len(protocole.pilotes_actifs())} destinataire(s) sans brouillon" in r.output
    ecrire_contacts_demo(espace, protocole)
    wb = load_workbook(espace / "contacts.xlsx")
    wb["Contacts"]["E2"] = "ddfe(at)exemple.invalid"
    wb.save(espace / "contacts.xlsx")
    r = runner.invoke(cli, ["courriels", "--annee", "2023"])
    assert r.exit_code == 1
    assert (
        "contacts.xlsx, ligne 2, colonne « Courriel » : « ddfe(at)exemple.invalid » n'est pas une adresse" in r.output
    )
    assert "Traceback" not in r.output
    r = runner.invoke(cli, ["courriels", "--annee", "2023", "--envoyer"])
    assert r.exit_code == 1 and "renseignez le serveur dans vif38.toml" in r.output


def test_cli_envoi_confirmation_et_echec(espace, protocole, serveur, monkeypatch):
    monkeypatch.delenv(VARIABLE_MOT_DE_PASSE, raising=False)
    ecrire_contacts_demo(espace, protocole)
    faux_gabarits(espace, protocole)
    boite = Boite(refuses=["caf@exemple.invalid"])
    configurer_smtp(espace, serveur(boite))
    runner = CliRunner()
    r = runner.invoke(cli, ["courriels", "--annee", "2023", "--envoyer"], input="n\n")
    assert r.exit_code == 1 and "Envoi annulé : rien n'a été envoyé." in r.output
    assert "courriel(s) à envoyer par 127.0.0.1:" in r.output and "Envoyer ces" in r.output
    assert boite.recus == [] and not (espace / "sorties/2023/courriels/journal.csv").exists()

    r = runner.invoke(cli, ["courriels", "--annee", "2023", "--envoyer"], input="o\n")
    assert r.exit_code == 1, r.output  # one failure → exit 1, after sending the others
    assert "ÉCHEC : caf@exemple.invalid : adresse refusée par le serveur : caf@exemple.invalid (550" in r.output
    assert "les courriels déjà partis ne seront pas renvoyés" in r.output
    n = len(boite.recus)
    assert n > 20

    boite.refuses.clear()
    r = runner.invoke(cli, ["courriels", "--annee", "2023", "--envoyer", "--oui"])
    assert r.exit_code == 0, r.output
    assert f"{n} courriel(s) déjà envoyé(s), non renvoyé(s) :" in r.output
    assert "1 courriel(s) envoyé(s), 0 échec(s)." in r.output
    assert len(boite.recus) == n + 1


# ------------------------------------------------------------------ end to end


def test_bout_en_bout_relance_et_correction(espace, protocole):
    """Real workbooks, filled returns, the real check and annotated copies, then the CLI."""
    from datetime import datetime

    from vif38_bilan.controle import retours as controle

    from vif38_bilan.controle import rapport as rapport_controle
    from vif38_bilan.gabarits.generation import generer_gabarits
    from vif38_bilan.gabarits.remplissage import remplir_gabarit, reponses_inventees

    ecrire_contacts_demo(espace, protocole)
    config = charger_config(espace)
    gabarits = espace / "gabarits" / "2023"
    generer_gabarits(protocole, ANNEE, gabarits, config=config, maintenant=datetime(2024, 1, 8, 9, 0))
    saisies = espace / "saisies" / "2023"
    saisies.mkdir(parents=True, exist_ok=True)

    def retour(code: str, nom: str, structure: str = "", abimer: bool = False) -> Path:
        reponses = reponses_inventees(protocole, code, ANNEE)
        if abimer:  # words in a count cell: an erreur
            action = next(c for c in reponses if protocole.action(c).indicateurs[0].type == "entier")
            reponses[action]["valeurs"][0] = "une dizaine"
        identite = {"Structure": structure or protocole.pilote(code).nom, "Contact": "Dominique Démo"}
        return remplir_gabarit(gabarits / nom_fichier(ANNEE, code), saisies / nom, reponses, identite=identite)

    retour("DDFE", "Bilan 2023 DDFE.xlsx")
    retour("JUSTICE", "RE_ bilan Justice.xlsx")
    retour("CAF", "copie de CAF.xlsx", abimer=True)
    retour("ASSOCIATIONS", "alpha.xlsx", structure="Association Alpha")

    res = controle.controler(protocole, ANNEE, saisies)
    rapport_controle.ecrire_retours_annotes(res, saisies, espace / "sorties" / "2023")
    assert [f.nom for f in res.fichiers if f.etat == A_CORRIGER] == ["copie de CAF.xlsx"]
    repondu = {"DDFE", "JUSTICE", "CAF", "ASSOCIATIONS"}
    assert set(res.manquants) == {p.code for p in protocole.pilotes_actifs()} - repondu

    runner = CliRunner()
    r = runner.invoke(cli, ["courriels", "--annee", "2023", "--type", "relance"], catch_exceptions=False)
    assert r.exit_code == 0, r.output
    dossier = espace / "sorties" / "2023" / "courriels" / "relance"
    vises = {(m["X-Vif38-Pilote"], m["To"].addresses[0].addr_spec) for m in map(lire_eml, dossier.glob("*.eml"))}
    attendus = {(c, f"{c.lower().replace('_', '-')}@exemple.invalid") for c in res.manquants if c != "OFII"}
    assert vises == attendus | {("ASSOCIATIONS", "association-beta@exemple.invalid")}
    siao = lire_eml(dossier / "SIAO.eml")
    assert pieces(siao) == [(nom_fichier(ANNEE, "SIAO"), (gabarits / nom_fichier(ANNEE, "SIAO")).read_bytes())]
    assert "  - OFII (" in r.output

    r = runner.invoke(cli, ["courriels", "--annee", "2023", "--type", "correction"], catch_exceptions=False)
    assert r.exit_code == 0, r.output
    dossier = espace / "sorties" / "2023" / "courriels" / "correction"
    assert [p.name for p in dossier.glob("*.eml")] == ["CAF.eml"]
    msg = lire_eml(dossier / "CAF.eml")
    annote = rapport_controle.chemin_annote(espace / "sorties" / "2023", "copie de CAF.xlsx")
    assert pieces(msg) == [("copie de CAF.xlsx", annote.read_bytes())]
    erreur = next(a for a in res.anomalies if a.fichier == "copie de CAF.xlsx" and a.gravite == ERREUR)
    corps = msg.get_body(("plain",)).get_content()
    assert f"cellule {erreur.cellule}, action {erreur.code_action} : {erreur.message}" in corps
    # The annotated copy really carries the finding on that cell.
    assert load_workbook(annote)[erreur.feuille][erreur.cellule].comment is not None


def test_correction_xls_renvoie_le_retour_tel_quel(espace, protocole):
    """No annotated copy exists for an .xls return: the return goes back with the list in the text."""
    ecrire_contacts_demo(espace, protocole)
    xls = espace / "saisies" / "2023" / "caf.xls"
    xls.parent.mkdir(parents=True)
    xls.write_bytes(b"\xd0\xcf\x11\xe0 stand-in for an xls return")
    f = FichierControle(chemin=xls, nom="caf.xls", etat=A_CORRIGER, pilote="CAF", erreurs=1, format="xls")
    a = Anomalie(
        "caf.xls", "Saisie", "K9", "1-3-1", ERREUR, "Choisissez un statut dans la liste.", "statut_inconnu", "CAF"
    )
    prep = preparer_courriels(
        charger_config(espace), protocole, ANNEE, "correction", resultat=resultat(ANNEE, [f], [a])
    )
    (b,) = prep.brouillons
    msg = lire_eml(b.chemin)
    assert pieces(msg) == [("caf.xls", xls.read_bytes())]
    corps = msg.get_body(("plain",)).get_content()
    assert "Votre fichier « caf.xls » (format .xls) ne peut pas être annoté" in corps
    assert "cellule K9, action 1-3-1 : Choisissez un statut dans la liste." in corps


def test_correction_ods_envoie_la_copie_annotee_xlsx_et_le_dit(espace, protocole):
    """An .ods return gets an annotated .xlsx copy (issue 14): that copy is attached, and the text says so."""
    ecrire_contacts_demo(espace, protocole)
    ods = espace / "saisies" / "2023" / "caf.ods"
    ods.parent.mkdir(parents=True)
    ods.write_bytes(b"PK\x03\x04 stand-in for an ods return")
    copie = espace / "sorties" / "2023" / "retours-annotes" / "caf (ods).xlsx"
    copie.parent.mkdir(parents=True)
    copie.write_bytes(b"PK\x03\x04 stand-in for the annotated copy")
    f = FichierControle(chemin=ods, nom="caf.ods", etat=A_CORRIGER, pilote="CAF", erreurs=1, format="ods")
    a = Anomalie(
        "caf.ods", "Saisie", "K9", "1-3-1", ERREUR, "Choisissez un statut dans la liste.", "statut_inconnu", "CAF"
    )
    prep = preparer_courriels(
        charger_config(espace), protocole, ANNEE, "correction", resultat=resultat(ANNEE, [f], [a])
    )
    (b,) = prep.brouillons
    msg = lire_eml(b.chemin)
    assert pieces(msg) == [("caf (ods).xlsx", copie.read_bytes())]
    corps = msg.get_body(("plain",)).get_content()
    assert "était au format .ods : la copie annotée jointe est au format .xlsx" in corps
    assert "ne peut pas être annoté" not in corps


def test_correction_classeur_annee_passee_joint_le_classeur_de_l_annee(espace, protocole):
    """Last year's workbook filled for this year (issue 25): the draft attaches this year's
    workbook and says to copy the answers into it, not the annotated old one."""
    from datetime import datetime

    from tests.fabriques import remplir

    from vif38_bilan.controle.retours import controler
    from vif38_bilan.gabarits.generation import generer_gabarits

    ecrire_contacts_demo(espace, protocole)
    config = charger_config(espace)
    gabarits = espace / "gabarits"
    generer_gabarits(protocole, ANNEE, gabarits / str(ANNEE), pilotes=["CAF"], config=config)
    generer_gabarits(protocole, ANNEE - 1, gabarits / "ancien", pilotes=["CAF"], maintenant=datetime(ANNEE, 1, 3))
    saisies = espace / "saisies" / str(ANNEE)
    remplir(protocole, gabarits / "ancien", saisies, "CAF", nom="CAF bilan.xlsx", annee=ANNEE - 1)
    res = controler(protocole, ANNEE, saisies)
    assert "CAF" not in res.manquants
    prep = preparer_courriels(config, protocole, ANNEE, "correction", resultat=res)
    (b,) = prep.brouillons
    msg = lire_eml(b.chemin)
    classeur = gabarits / str(ANNEE) / nom_fichier(ANNEE, "CAF")
    assert pieces(msg) == [(classeur.name, classeur.read_bytes())]
    corps = msg.get_body(("plain",)).get_content()
    assert f"est le classeur de l'année {ANNEE - 1}, rempli pour {ANNEE}" in corps
    assert f"Recopiez-les dans le classeur {ANNEE} joint" in corps


def test_journal_abime_bloque_l_envoi(espace, protocole, serveur):
    ecrire_contacts_demo(espace, protocole)
    faux_gabarits(espace, protocole)
    boite = Boite()
    configurer_smtp(espace, serveur(boite))
    config = charger_config(espace)
    prep = preparer_courriels(config, protocole, ANNEE, "envoi")
    prep.journal.write_text("quand;qui\n2024-01-10;ddfe@exemple.invalid\n", "utf-8")
    with pytest.raises(ConfigurationInvalide, match="n'a plus ses en-têtes .* rien n'a été envoyé"):
        envoyer(prep, parametres_smtp(config))
    assert boite.recus == []
