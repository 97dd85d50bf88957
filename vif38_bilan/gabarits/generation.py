"""Collection workbooks: one protected .xlsx per pilot, laid out as disposition.py says."""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from datetime import UTC, date, datetime
from pathlib import Path
from typing import Any

from openpyxl import Workbook
from openpyxl.packaging.custom import StringProperty
from openpyxl.utils import get_column_letter
from openpyxl.workbook.protection import WorkbookProtection
from openpyxl.worksheet.datavalidation import DataValidation

from vif38_bilan.gabarits import disposition as d
from vif38_bilan.referentiel.chiffres_cles import codes_du_pilote
from vif38_bilan.commun.ecriture import ecrire_atomique
from vif38_bilan.espace.reglages import Config
from vif38_bilan.exceptions import PiloteInconnu
from vif38_bilan.gabarits.chiffres_cles import feuille_chiffres
from vif38_bilan.gabarits.forme import (
    paysage_a4,
    Styles,
    hauteur_ligne,
    proteger,
    validation_entier,
    validation_liste,
    validation_longueur,
)
from vif38_bilan.gabarits.mode_emploi import mode_emploi
from vif38_bilan.referentiel.protocole import CHEF_DE_FILE, Action, Protocole, verifier_annee

# Rows of the Saisie sheet. Readers must not rely on them (they find labels and headers);
# they are here so the writer and its tests agree.
LIGNE_TITRE = 1
LIGNE_CONSIGNE = 2
LIGNE_IDENTITE = 3  # first identity label; one row per label
LIGNE_EN_TETE = LIGNE_IDENTITE + len(d.LIBELLES_IDENTITE) + 1  # one blank row in between
COLONNE_LIBELLE = 2  # identity labels in column B, values in C, hints in D
COLONNE_VALEUR = COLONNE_LIBELLE + 1

# Which identity values are dates (the others are short texts).
IDENTITE_DATE = "Date de saisie"


@dataclass(frozen=True)
class GabaritGenere:
    pilote: str
    nom: str
    nb_chef_de_file: int
    nb_co_pilote: int
    chemin: Path


# ---------------------------------------------------------------- public API


def resoudre_pilotes(protocole: Protocole, demandes: Iterable[str] | None) -> list[str]:
    """Pilot codes to generate: all active pilots, or the ones asked for (code, any case, or a
    known alias such as "Département"). Unknown ones raise PiloteInconnu listing valid codes."""
    actifs = [p.code for p in protocole.pilotes_actifs()]
    if demandes is None:
        return actifs
    par_majuscule = {p.code.upper(): p.code for p in protocole.pilotes}
    codes: list[str] = []
    inconnus: list[str] = []
    for demande in demandes:
        texte = str(demande).strip()
        code = par_majuscule.get(texte.upper())
        if code is None:
            trouve = protocole.annuaire.chercher(texte)
            code = trouve[0] if trouve and len(trouve) == 1 else None
        if code is None:
            inconnus.append(texte)
        elif code not in codes:
            codes.append(code)
    if inconnus:
        liste = ", ".join(f"« {x} »" for x in inconnus)
        raise PiloteInconnu(
            f"Pilote inconnu : {liste}. Codes valides : {', '.join(actifs)}. "
            "Relancez avec l'un de ces codes (option --pilote)."
        )
    sans_action = [c for c in codes if c not in actifs]
    if sans_action:
        raise PiloteInconnu(
            f"Le pilote {', '.join(sans_action)} n'a aucune action dans le protocole : aucun classeur à produire."
        )
    return codes


def generer_gabarits(
    protocole: Protocole,
    annee: int,
    dossier: Path,
    pilotes: list[str] | None = None,
    config: Config | None = None,
    date_limite: date | None = None,
    statuts_anterieurs: dict[int, dict[str, str]] | None = None,
    progression: Callable[[str], None] | None = None,
    maintenant: datetime | None = None,
    chiffres_anterieurs: dict[int, dict[str, Any]] | None = None,
) -> list[GabaritGenere]:
    """Write one workbook per pilot into dossier; progression(code) is called after each one.

    chiffres_anterieurs: earlier protocol years' key figures (year → row code → value), shown
    for reference beside the referential's older values."""
    verifier_annee(protocole, annee)
    codes = resoudre_pilotes(protocole, pilotes)
    maintenant = _maintenant(maintenant)
    dossier = Path(dossier)
    faits: list[GabaritGenere] = []
    for code in codes:
        faits.append(
            generer_gabarit(
                protocole,
                annee,
                code,
                dossier / d.nom_fichier(annee, code),
                config=config,
                date_limite=date_limite,
                statuts_anterieurs=statuts_anterieurs,
                maintenant=maintenant,
                chiffres_anterieurs=chiffres_anterieurs,
            )
        )
        if progression is not None:
            progression(code)
    return faits


def generer_gabarit(
    protocole: Protocole,
    annee: int,
    pilote: str,
    chemin: Path,
    config: Config | None = None,
    date_limite: date | None = None,
    statuts_anterieurs: dict[int, dict[str, str]] | None = None,
    maintenant: datetime | None = None,
    chiffres_anterieurs: dict[int, dict[str, Any]] | None = None,
) -> GabaritGenere:
    """Write the workbook of one pilot at chemin (atomically)."""
    verifier_annee(protocole, annee)
    (code,) = resoudre_pilotes(protocole, [pilote])
    maintenant = _maintenant(maintenant)
    config = config or Config(racine=Path.cwd())
    echeance = date_limite or config.date_limite
    wb = construire_classeur(
        protocole, annee, code, config, echeance, statuts_anterieurs or {}, maintenant, chiffres_anterieurs or {}
    )
    ecrire_atomique(chemin, lambda p: enregistrer(wb, p, modifie_le=maintenant))
    roles = [r for _, r in protocole.actions_du_pilote(code)]
    nb_chef = sum(r == CHEF_DE_FILE for r in roles)
    return GabaritGenere(code, protocole.pilote(code).nom, nb_chef, len(roles) - nb_chef, Path(chemin))


def enregistrer(wb: Workbook, chemin: Path, modifie_le: datetime | None = None) -> None:
    """Save wb at chemin keeping modifie_le as the core 'modified' property.

    openpyxl's save() stamps the current time; the returns check orders several returns of
    one pilot by this property, so tests and the demo need to choose it.
    """
    from zipfile import ZIP_DEFLATED, ZipFile

    from openpyxl.writer.excel import ExcelWriter

    if modifie_le is None:
        wb.save(chemin)
        return
    wb.properties.modified = _utc_naif(modifie_le)
    with ZipFile(chemin, "w", ZIP_DEFLATED, allowZip64=True) as archive:
        ExcelWriter(wb, archive).write_data()


# ---------------------------------------------------------------- building the workbook


def construire_classeur(
    protocole: Protocole,
    annee: int,
    code: str,
    config: Config,
    echeance: date | None,
    statuts_anterieurs: dict[int, dict[str, str]],
    maintenant: datetime,
    chiffres_anterieurs: dict[int, dict[str, Any]] | None = None,
) -> Workbook:
    pilote = protocole.pilote(code)
    actions = protocole.actions_du_pilote(code)
    wb = Workbook()
    mode = wb.active
    mode.title = d.FEUILLE_MODE
    saisie = wb.create_sheet(d.FEUILLE_SAISIE)
    ident = wb.create_sheet(d.FEUILLE_ID)
    styles = Styles(saisie)

    mode_emploi(
        mode,
        styles,
        protocole,
        annee,
        pilote.nom,
        pilote.collectif,
        len(actions),
        config,
        echeance,
        nb_chiffres=len(codes_du_pilote(protocole.chiffres, code)),
    )
    _saisie(saisie, styles, protocole, annee, code, actions, statuts_anterieurs, config, echeance)
    chiffres = feuille_chiffres(wb, protocole, annee, code, chiffres_anterieurs or {})

    identification = d.Identification(
        protocole_id=protocole.id,
        pilote=code,
        annee=annee,
        version=d.VERSION_GABARIT,
        genere_le=maintenant,
        actions=tuple(a.code for a, _ in actions),
        collectif=pilote.collectif,
        chiffres=tuple(chiffres),
    )
    for cle, valeur in identification.paires():
        ident.append([cle, valeur])
        wb.custom_doc_props.append(StringProperty(name=d.PREFIXE_PROPRIETE + cle, value=valeur))
    ident.column_dimensions["A"].width = 18
    ident.column_dimensions["B"].width = 60
    ident.sheet_state = "veryHidden"
    ident.protection.sheet = True

    props = wb.properties
    props.title = f"Bilan {annee} du protocole VIF – {pilote.nom}"
    props.subject = protocole.titre
    props.keywords = f"vif38-bilan; {protocole.id}; {code}; {annee}"
    props.description = f"Classeur de collecte {annee} pour {pilote.nom} (gabarit version {d.VERSION_GABARIT})."
    props.creator = config.service
    props.lastModifiedBy = config.service
    props.created = _utc_naif(maintenant)
    props.modified = _utc_naif(maintenant)

    # No password: an administrator can lift it, a pilot cannot break the layout by accident.
    wb.security = WorkbookProtection(lockStructure=True)
    wb.active = 0
    return wb


@dataclass
class _Validations:
    """The drop-downs and checks of the Saisie sheet: one object per kind, cells added as laid out."""

    statut: DataValidation
    entier: DataValidation
    oui_non: DataValidation
    texte: DataValidation
    observations: DataValidation
    identite: DataValidation
    date: DataValidation
    autres: list[DataValidation] = field(default_factory=list)

    def toutes(self) -> list[DataValidation]:
        return [self.statut, self.entier, self.oui_non, self.texte, self.observations, self.identite, self.date,
                *self.autres]  # fmt: skip


def _validations(annee: int) -> _Validations:
    return _Validations(
        statut=validation_liste(
            d.STATUTS,
            "Statut de l'action",
            f"Choisissez dans la liste le statut de l'action en {annee}.",
            "Choisissez l'un des statuts de la liste : " + ", ".join(d.STATUTS) + ".",
        ),
        entier=validation_entier(
            "12 pers.",
            "Saisissez un nombre entier positif ou nul, sans unité ni texte : 12 et non « 12 pers. ». "
            "Précisez le reste dans les observations.",
        ),
        oui_non=validation_liste(
            d.OUI_NON, "Oui ou Non", "Choisissez Oui ou Non dans la liste.", "Choisissez Oui ou Non dans la liste."
        ),
        texte=validation_longueur(
            d.TEXTE_MAX,
            "Texte court",
            f"Réponse courte (au plus {d.TEXTE_MAX} caractères). Aucune donnée personnelle.",
            f"Le texte dépasse {d.TEXTE_MAX} caractères : raccourcissez-le ou détaillez dans les observations.",
        ),
        observations=validation_longueur(
            d.OBSERVATIONS_MAX,
            "Observations",
            f"Faits marquants et chiffres clés (au plus {d.OBSERVATIONS_MAX} caractères). "
            "Aucune donnée personnelle sur les victimes.",
            f"Les observations dépassent {d.OBSERVATIONS_MAX} caractères : raccourcissez-les.",
        ),
        identite=validation_longueur(
            d.IDENTITE_MAX,
            "Identité",
            "Coordonnées de la personne à contacter pour ce bilan.",
            f"Au plus {d.IDENTITE_MAX} caractères.",
        ),
        date=DataValidation(
            type="date",
            operator="greaterThanOrEqual",
            formula1=str((date(annee, 1, 1) - date(1899, 12, 30)).days),
            allow_blank=True,
            showInputMessage=True,
            showErrorMessage=True,
            errorStyle="stop",
            promptTitle="Date",
            prompt="Date à laquelle vous remplissez ce classeur, au format JJ/MM/AAAA.",
            errorTitle="Date attendue",
            error=f"Saisissez une date au format JJ/MM/AAAA, à partir du 01/01/{annee}.",
        ),
    )


def _saisie(
    ws: Any,
    s: Styles,
    protocole: Protocole,
    annee: int,
    code: str,
    actions: list[tuple[Action, str]],
    statuts_anterieurs: dict[int, dict[str, str]],
    config: Config,
    echeance: date | None,
) -> None:
    """The Saisie sheet: title, identity block, legend, one row per action, then protection."""
    pilote = protocole.pilote(code)
    col = {t: i + 1 for i, t in enumerate(d.en_tetes(protocole, annee))}
    v = _validations(annee)
    _titre(ws, s, pilote, annee, config, echeance)
    _identite(ws, s, pilote, v)
    col_legende = col[d.entete_indicateur(1)]  # right of the identity block, under the first indicator column
    for k, (texte, style) in enumerate(
        (("Légende", s.libelle), ("À remplir", s.legende_saisie), ("Pré-rempli, non modifiable", s.legende_bleu),
         ("Sans objet", s.legende_gris))
    ):  # fmt: skip
        s.poser(ws, LIGNE_IDENTITE + k, col_legende, texte, style)
    for texte, c in col.items():
        s.poser(ws, LIGNE_EN_TETE, c, texte, s.entete)
        ws.column_dimensions[get_column_letter(c)].width = d.largeur(texte)
    ws.row_dimensions[LIGNE_EN_TETE].height = 30
    for ligne, (action, role) in enumerate(actions, LIGNE_EN_TETE + 1):
        _ligne_action(ws, s, protocole, annee, ligne, action, role, col, statuts_anterieurs, v)
    for validation in v.toutes():
        if validation.sqref.ranges:
            ws.add_data_validation(validation)
    _mise_en_page(ws, pilote, annee)
    proteger(ws)


def _titre(ws: Any, s: Styles, pilote: Any, annee: int, config: Config, echeance: date | None) -> None:
    s.poser(ws, LIGNE_TITRE, 1, f"Bilan {annee} du protocole départemental VIF – {pilote.nom}", s.titre)
    retour = f" à {config.courriel}" if config.courriel else f" à {config.service}"
    limite = f" avant le {echeance:%d/%m/%Y}" if echeance else ""
    s.poser(
        ws,
        LIGNE_CONSIGNE,
        1,
        f"Remplissez les cellules jaunes (une ligne par action, ne rien ajouter ni déplacer), "
        f"puis renvoyez le classeur{retour}{limite}. Voir la feuille « {d.FEUILLE_MODE} ».",
        s.consigne,
    )


def _identite(ws: Any, s: Styles, pilote: Any, v: _Validations) -> None:
    """Identity block: label in column B, value to its right (Structure required for a collective pilot)."""
    poser = s.poser
    for i, libelle in enumerate(d.LIBELLES_IDENTITE):
        ligne = LIGNE_IDENTITE + i
        poser(ws, ligne, COLONNE_LIBELLE, libelle, s.libelle)
        ref = f"{get_column_letter(COLONNE_VALEUR)}{ligne}"
        if libelle == "Structure" and pilote.collectif:
            poser(ws, ligne, COLONNE_VALEUR, None, s.saisie_identite)
            structure = validation_longueur(
                d.IDENTITE_MAX,
                "Structure (obligatoire)",
                f"Nom de votre structure. Ce classeur est envoyé à plusieurs structures ({pilote.nom}).",
                "Indiquez le nom de votre structure (2 à 200 caractères).",
                minimum=2,
            )
            structure.allow_blank = False
            structure.add(ref)
            v.autres.append(structure)
            poser(ws, ligne, COLONNE_VALEUR + 1, "← obligatoire : indiquez le nom de votre structure", s.indice)
        elif libelle == "Structure":
            poser(ws, ligne, COLONNE_VALEUR, pilote.nom, s.prerempli_gauche)
        elif libelle == IDENTITE_DATE:
            poser(ws, ligne, COLONNE_VALEUR, None, s.saisie_date)
            v.date.add(ref)
            poser(ws, ligne, COLONNE_VALEUR + 1, "JJ/MM/AAAA", s.indice)
        else:
            poser(ws, ligne, COLONNE_VALEUR, None, s.saisie_identite)
            v.identite.add(ref)


def _ligne_action(
    ws: Any, s: Styles, protocole: Protocole, annee: int, ligne: int, action: Action, role: str,
    col: dict[str, int], statuts_anterieurs: dict[int, dict[str, str]], v: _Validations,
) -> None:  # fmt: skip
    """One action's row: pre-filled cells (blue), input cells (yellow), unused indicator slots (grey)."""
    poser, lettre = s.poser, get_column_letter
    objectif = protocole.objectif(action.objectif)
    poser(ws, ligne, col[d.CODE_ACTION], action.code, s.texte_centre)
    poser(ws, ligne, col[d.OBJECTIF], f"N°{objectif.numero} : {objectif.titre}", s.texte)
    poser(ws, ligne, col[d.ACTION], action.description, s.texte)
    poser(ws, ligne, col[d.PILOTAGE], action.pilotage, s.texte)
    poser(ws, ligne, col[d.ROLE], role, s.texte_centre)
    for a in d.annees_anterieures(protocole, annee):
        poser(ws, ligne, col[d.entete_statut(a)], statuts_anterieurs.get(a, {}).get(action.code), s.prerempli)
    c_statut = col[d.entete_statut(annee)]
    poser(ws, ligne, c_statut, None, s.saisie_centre)
    v.statut.add(f"{lettre(c_statut)}{ligne}")
    for k in range(1, d.nb_emplacements(protocole) + 1):
        c_ind, c_cible, c_val = col[d.entete_indicateur(k)], col[d.entete_cible(k)], col[d.entete_valeur(annee, k)]
        if k > len(action.indicateurs):
            for c in (c_ind, c_cible, c_val):
                poser(ws, ligne, c, None, s.sans_objet)
            continue
        ind = action.indicateurs[k - 1]
        poser(ws, ligne, c_ind, ind.libelle, s.texte)
        poser(ws, ligne, c_cible, ind.cible_annuelle, s.texte_centre)
        validation = {"entier": v.entier, "oui_non": v.oui_non}.get(ind.type, v.texte)
        poser(ws, ligne, c_val, None, s.saisie if validation is v.texte else s.saisie_centre)
        validation.add(f"{lettre(c_val)}{ligne}")
    c_obs = col[d.entete_observations(annee)]
    poser(ws, ligne, c_obs, None, s.saisie)
    v.observations.add(f"{lettre(c_obs)}{ligne}")
    # LibreOffice does not fit row heights to wrapped text on opening: set them.
    ws.row_dimensions[ligne].height = hauteur_ligne(
        [
            (objectif.titre, d.largeur(d.OBJECTIF)),
            (action.description, d.largeur(d.ACTION)),
            (action.pilotage, d.largeur(d.PILOTAGE)),
            *((i.libelle, d.largeur(d.entete_indicateur(1))) for i in action.indicateurs),
        ]
    )


def _mise_en_page(ws: Any, pilote: Any, annee: int) -> None:
    """Frozen header, A4 landscape fit to width, repeated header row, footer."""
    paysage_a4(ws, LIGNE_EN_TETE)
    ws.sheet_view.zoomScale = 90
    ws.page_margins.left = ws.page_margins.right = 0.4
    ws.page_margins.top = ws.page_margins.bottom = 0.6
    ws.oddFooter.left.text = f"{pilote.code} – bilan {annee}"
    ws.oddFooter.right.text = "Page &P / &N"


# ---------------------------------------------------------------- helpers


def _maintenant(maintenant: datetime | None) -> datetime:
    return (maintenant or datetime.now()).replace(microsecond=0)


def _utc_naif(moment: datetime) -> datetime:
    """openpyxl writes naive datetimes as UTC: convert aware ones, keep naive ones."""

    if moment.tzinfo is not None:
        moment = moment.astimezone(UTC).replace(tzinfo=None)
    return moment.replace(microsecond=0)
