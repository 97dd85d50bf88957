"""Checks the returns of one year: findings (anomalies) as data, one pass over all files.

`controler_fichier` is a pure function of one path (no shared state beyond its arguments):
`controler` maps it over the returns folder, serially or over worker processes, then settles
what needs every file at once (several returns for the same pilot, missing pilots).
"""

from __future__ import annotations

import os
import re
from dataclasses import dataclass, field
from datetime import date, datetime, time
from pathlib import Path
from typing import Any

from vif38_bilan import disposition as d
from vif38_bilan.exceptions import FichierRefuse, Vif38Error
from vif38_bilan.pilotes import cle
from vif38_bilan.referentiel import Action, Protocole
from vif38_bilan.saisies import sans_accents

ERREUR = "erreur"
AVERTISSEMENT = "avertissement"

# States of a file in the control report.
VALIDE = "valide"
A_CORRIGER = "à corriger"
REMPLACE = "remplacé"
IGNORE = "ignoré"

# Below this many files, worker processes cost more than they save (jobs=None): a normal year
# (30 to 60 returns) never starts a pool. Measured for issue 11 with benchmarks' phase_controle
# (fresh process each, median of 5, 2 cores, "fork", machine shared, load ~6): serial vs
# 2 workers, 28 returns 0.06 s vs 0.20 s, 150 returns 0.42 s vs 0.79 s, 300 returns 1.96 s vs
# 2.07 s (even), 400 returns 1.54 s vs 1.18 s. "spawn" (Windows, macOS) re-imports everything in
# each worker: a pool only from SEUIL_PARALLELE_SPAWN.
SEUIL_PARALLELE = 300
SEUIL_PARALLELE_SPAWN = 1000

EFFECTUEE = "EFFECTUÉE"


@dataclass(frozen=True)
class Anomalie:
    fichier: str  # path relative to the returns folder
    feuille: str | None
    cellule: str | None  # A1 reference, None for a finding on the whole file
    code_action: str | None
    gravite: str  # ERREUR | AVERTISSEMENT
    message: str  # plain French, says what to do
    regle: str  # short rule id, e.g. "statut_inconnu"
    pilote: str | None = None
    structure: str | None = None


@dataclass(frozen=True)
class Source:
    """Where a figure comes from."""

    fichier: str
    feuille: str
    cellule: str
    sha256: str


@dataclass(frozen=True)
class Reponse:
    """The usable answers of one return for one action (values with an erreur are None)."""

    pilote: str
    structure: str
    code_action: str
    role: str  # "chef de file" | "co-pilote"
    statut: str | None
    statut_source: Source | None
    valeurs: tuple[Any, ...]  # one per indicator of the action: int, "Oui"/"Non", str or None
    valeurs_sources: tuple[Source | None, ...]
    observations: str
    observations_source: Source | None


@dataclass
class FichierControle:
    """One file found under the returns folder and what became of it."""

    chemin: Path
    nom: str  # relative to the returns folder
    etat: str  # VALIDE | A_CORRIGER | REMPLACE | IGNORE
    sha256: str = ""
    pilote: str | None = None
    structure: str | None = None
    annee: int | None = None
    modifie_le: datetime | None = None
    identite: dict[str, Any] = field(default_factory=dict)
    erreurs: int = 0
    avertissements: int = 0
    remplace_par: str | None = None
    motif: str = ""  # why ignored / replaced, in French
    format: str = ""  # "xlsx" | "xlsm" | "ods" | "xls" once recognised by its content
    feuille: str | None = None  # the sheet holding the table (annotated copies comment on it)


@dataclass
class ResultatControle:
    annee: int
    fichiers: list[FichierControle]
    anomalies: list[Anomalie]
    reponses: list[Reponse]
    manquants: list[str]  # pilot codes with no usable return

    @property
    def nb_erreurs(self) -> int:
        return sum(a.gravite == ERREUR for a in self.anomalies)

    @property
    def nb_avertissements(self) -> int:
        return sum(a.gravite == AVERTISSEMENT for a in self.anomalies)

    def anomalies_du_fichier(self, nom: str) -> list[Anomalie]:
        return [a for a in self.anomalies if a.fichier == nom]


@dataclass
class ResultatFichier:
    """What controler_fichier learned about one file (small: crosses process boundaries)."""

    fichier: FichierControle
    anomalies: list[Anomalie]
    reponses: list[Reponse]
    cle: tuple[str, str] | None = None  # (pilot, normalised structure) of a usable return


# ---------------------------------------------------------------- entry point


def controler(
    protocole: Protocole,
    annee: int,
    dossier_saisies: Path,
    valeurs_precedentes: dict[tuple[str, int], Any] | None = None,
    jobs: int | None = None,
) -> ResultatControle:
    """Check every file under dossier_saisies (sub-folders included) for year annee.

    valeurs_precedentes: last year's figures for the outlier rule, keyed (action code, indicator
    index from 0) for the consolidated value and (code, index, pilot code) for a pilot's own value. jobs: worker processes (None: automatic, 1: none).
    """
    from vif38_bilan import dossiers

    dossier = Path(dossier_saisies)
    if not dossier.is_dir():
        quoi = "n'est pas un dossier" if dossier.exists() else "n'existe pas"
        raise Vif38Error(
            f"Le dossier des saisies « {dossier} » {quoi} : créez-le, déposez-y les classeurs reçus des "
            "pilotes (le nom des fichiers n'a pas d'importance), puis relancez la commande."
        )
    a_lire, ecartes = dossiers.lister_saisies(dossier)
    precedentes = dict(valeurs_precedentes or {})

    resultats = _executer(a_lire, dossier, protocole, annee, precedentes, jobs)
    for chemin, raison in ecartes:
        resultats.append(_ecarte(chemin, dossier, raison))
    resultats.sort(key=lambda r: (r.fichier.nom.casefold(), r.fichier.nom))

    _departager(resultats)

    fichiers, anomalies, reponses = [], [], []
    for r in resultats:
        r.fichier.erreurs = sum(a.gravite == ERREUR for a in r.anomalies)
        r.fichier.avertissements = sum(a.gravite == AVERTISSEMENT for a in r.anomalies)
        if r.fichier.etat in (VALIDE, A_CORRIGER):
            r.fichier.etat = A_CORRIGER if r.fichier.erreurs else VALIDE
        fichiers.append(r.fichier)
        anomalies.extend(r.anomalies)
        reponses.extend(r.reponses)

    repondu = {rep.pilote for rep in reponses}
    manquants = [p.code for p in protocole.pilotes_actifs() if p.code not in repondu]
    return ResultatControle(annee, fichiers, anomalies, reponses, manquants)


def _executer(
    chemins: list[Path],
    racine: Path,
    protocole: Protocole,
    annee: int,
    precedentes: dict[tuple[str, int], Any],
    jobs: int | None,
) -> list[ResultatFichier]:
    if jobs is None:
        jobs = 1
        if len(chemins) >= SEUIL_PARALLELE:
            import multiprocessing

            if len(chemins) >= SEUIL_PARALLELE_SPAWN or multiprocessing.get_start_method() == "fork":
                jobs = os.cpu_count() or 1
    jobs = max(1, min(jobs, len(chemins) or 1))
    if jobs > 1:
        from concurrent.futures import ProcessPoolExecutor
        from concurrent.futures.process import BrokenProcessPool

        try:
            with ProcessPoolExecutor(
                jobs, initializer=_initialiser, initargs=(protocole, racine, annee, precedentes)
            ) as ex:
                # Chunks amortise the inter-process round trip; a few per worker keep them balanced.
                morceau = max(1, len(chemins) // (jobs * 4))
                return list(ex.map(_tache, chemins, chunksize=morceau))
        except (OSError, BrokenProcessPool):
            pass  # no process pool on this machine (or it died): do it here
    return [controler_fichier(c, racine, protocole, annee, precedentes) for c in chemins]


_CONTEXTE: tuple[Protocole, Path, int, dict] | None = None


def _initialiser(protocole: Protocole, racine: Path, annee: int, precedentes: dict) -> None:
    global _CONTEXTE
    _CONTEXTE = (protocole, racine, annee, precedentes)


def _tache(chemin: Path) -> ResultatFichier:
    protocole, racine, annee, precedentes = _CONTEXTE
    return controler_fichier(chemin, racine, protocole, annee, precedentes)


def _nom(chemin: Path, racine: Path) -> str:
    from vif38_bilan.securite import nom_lisible

    try:
        rel = Path(chemin).relative_to(racine).as_posix()
    except ValueError:
        rel = Path(chemin).name
    return rel if rel.isascii() and rel.isprintable() else nom_lisible(rel)


def _ecarte(chemin: Path, racine: Path, raison: str) -> ResultatFichier:
    """A file set aside by the listing (not a workbook, temporary, link...)."""
    nom = _nom(chemin, racine)
    fichier = FichierControle(chemin=Path(chemin), nom=nom, etat=IGNORE, motif=raison[:1].upper() + raison[1:])
    anomalies = []
    # Office/LibreOffice leftovers and hidden items are noise; anything else (a PDF, a link, a
    # .docx) may be a pilot's misdirected answer: flagged.
    if "temporaire" not in raison and "caché" not in raison:
        anomalies.append(Anomalie(nom, None, None, None, AVERTISSEMENT, f"Ignoré : {raison}.", "fichier_ecarte"))
    return ResultatFichier(fichier, anomalies, [])


# ---------------------------------------------------------------- one file


def controler_fichier(
    chemin: Path,
    racine: Path,
    protocole: Protocole,
    annee: int,
    valeurs_precedentes: dict[tuple[str, int], Any] | None = None,
) -> ResultatFichier:
    """Read and check one return. Never raises for a bad file: every problem is an anomalie."""
    nom = _nom(chemin, racine)
    fichier = FichierControle(chemin=Path(chemin), nom=nom, etat=IGNORE)
    try:
        return _Verificateur(protocole, annee, valeurs_precedentes or {}).fichier(chemin, racine, fichier)
    except FichierRefuse as e:
        regle = getattr(e, "regle", None) or "fichier_refuse"
        fichier.motif = str(e)
        return ResultatFichier(fichier, [Anomalie(nom, None, None, None, ERREUR, str(e), regle)], [])
    except Exception as e:  # a parser bug must not stop the other files
        message = (
            f"Ce fichier n'a pas pu être lu (erreur inattendue : {type(e).__name__}) : ouvrez-le, enregistrez-le "
            "de nouveau au format .xlsx et déposez-le à la place ; si cela persiste, signalez-le à l'équipe vif38-bilan."
        )
        fichier.motif = message
        return ResultatFichier(fichier, [Anomalie(nom, None, None, None, ERREUR, message, "fichier_illisible")], [])


class _Verificateur:
    def __init__(self, protocole: Protocole, annee: int, precedentes: dict[tuple[str, int], Any]):
        self.protocole = protocole
        self.annee = annee
        self.precedentes = precedentes

    def fichier(self, chemin: Path, racine: Path, fichier: FichierControle) -> ResultatFichier:
        from vif38_bilan import lecture, saisies

        nom = fichier.nom
        anomalies: list[Anomalie] = []
        lu = lecture.lire_classeur(chemin)  # read once: checked, then these bytes are parsed
        fichier.format = lu.format
        retour = saisies.lire_retour(chemin, racine, lu)
        fichier.sha256 = retour.sha256
        fichier.feuille = retour.feuille

        def sur_fichier(gravite: str, regle: str, message: str) -> None:
            pilote = fichier.pilote or (retour.identification.pilote if retour.identification else None)
            anomalies.append(Anomalie(nom, None, None, None, gravite, message, regle, pilote))

        for message in lu.avertissements:
            sur_fichier(AVERTISSEMENT, "macros", message)

        ident = retour.identification
        if ident is None and (ident := self._reconnaitre_par_contenu(retour)) is not None:
            fichier.pilote = ident.pilote
            sur_fichier(
                AVERTISSEMENT,
                "reconnu_par_contenu",
                f"Ce classeur a perdu son identification (recopié dans un nouveau fichier ?) : il a été reconnu par "
                f"son contenu comme le retour {ident.annee} de « {self.protocole.pilote(ident.pilote).nom} ». "
                "Vérifiez-le ; la prochaine fois, demandez au pilote de remplir directement le classeur envoyé.",
            )
        if ident is None:
            fichier.motif = "Classeur non reconnu (pas un classeur de collecte du protocole)."
            sur_fichier(
                ERREUR,
                "non_reconnu",
                "Ce classeur n'est pas un classeur de collecte du protocole (identification absente) : demandez au "
                "pilote de remplir le classeur qui lui a été envoyé, sans le recopier dans un nouveau fichier.",
            )
            return ResultatFichier(fichier, anomalies, [])
        fichier.annee = ident.annee
        fichier.pilote = ident.pilote
        if ident.protocole_id != self.protocole.id:
            fichier.motif = f"Classeur d'un autre protocole ({ident.protocole_id})."
            sur_fichier(
                ERREUR,
                "autre_protocole",
                f"Ce classeur appartient à un autre protocole (« {ident.protocole_id} ») : retirez-le de ce dossier, "
                f"ou demandez au pilote le classeur du protocole « {self.protocole.id} ».",
            )
            return ResultatFichier(fichier, anomalies, [])
        if ident.annee != self.annee:
            fichier.motif = f"Classeur de l'année {ident.annee}, pas {self.annee}."
            sur_fichier(
                ERREUR,
                "autre_annee",
                f"Ce classeur est celui de l'année {ident.annee}, pas {self.annee} : demandez au pilote de remplir "
                f"le classeur {self.annee} qui lui a été envoyé (ou déplacez ce fichier dans le dossier {ident.annee}).",
            )
            return ResultatFichier(fichier, anomalies, [])
        try:
            pilote = self.protocole.pilote(ident.pilote)
        except KeyError:
            fichier.motif = f"Pilote « {ident.pilote} » inconnu du protocole."
            sur_fichier(
                ERREUR,
                "pilote_inconnu",
                f"Le pilote « {ident.pilote} » indiqué dans ce classeur n'existe pas dans le protocole : "
                "régénérez son classeur avec « vif38-bilan gabarits » et renvoyez-le-lui.",
            )
            return ResultatFichier(fichier, anomalies, [])

        # From here the file is a return of this year: the pilot's answers are used.
        fichier.etat = VALIDE
        feuille = retour.feuille or d.FEUILLE_SAISIE
        structure = retour.texte_identite("Structure")
        fichier.identite = {k: _texte_identite(c.valeur) for k, c in retour.identite.items()}
        cle_doublon: tuple[str, str] | None = (pilote.code, cle(structure) if pilote.collectif else "")
        if not structure and not pilote.collectif:
            structure = pilote.nom
        fichier.structure = structure or None
        qui = {"pilote": pilote.code, "structure": structure or None}

        def ajouter(
            gravite: str, regle: str, message: str, cellule: str | None = None, code: str | None = None
        ) -> None:
            anomalies.append(Anomalie(nom, feuille, cellule, code, gravite, message, regle, **qui))

        if pilote.collectif and not structure:
            c = retour.identite.get("Structure")
            ajouter(
                ERREUR,
                "structure_manquante",
                f"Indiquez le nom de votre structure dans la case « Structure » : ce classeur est rempli par "
                f"plusieurs structures ({pilote.nom}) et les réponses ne peuvent pas être attribuées sans lui. "
                "Elles ne sont pas prises en compte tant qu'il manque.",
                c.ref if c else None,
            )
            cle_doublon = None

        if retour.ligne_entete is None:
            ajouter(
                ERREUR,
                "tableau_introuvable",
                f"Le tableau des actions est introuvable (pas de cellule « {d.CODE_ACTION} ») : demandez au pilote de "
                "remplir le classeur envoyé sans supprimer ni renommer de colonne ou de feuille.",
            )
            return ResultatFichier(fichier, anomalies, [], cle_doublon)
        for tete in retour.colonnes_manquantes:
            ajouter(
                ERREUR,
                "colonne_manquante",
                f"La colonne « {tete} » est introuvable : ne supprimez ni ne renommez aucune colonne ; reprenez le "
                "classeur envoyé et recopiez-y vos réponses.",
            )

        attendues = {a.code: (a, role) for a, role in self.protocole.actions_du_pilote(pilote.code)}
        reponses: list[Reponse] = []
        vues: dict[str, int] = {}  # code → its row
        for ligne in retour.lignes:
            code = ligne.code
            ref_code = ligne.cellule_code.ref
            if code in vues:
                ajouter(
                    ERREUR,
                    "action_en_double",
                    f"L'action {code} apparaît deux fois (lignes {vues[code]} et {ligne.cellule_code.ligne}) : gardez "
                    "une seule ligne par action et supprimez la copie ; cette ligne n'est pas prise en compte.",
                    ref_code,
                    code,
                )
                continue
            if code not in attendues:
                if _existe(self.protocole, code):
                    message = (
                        f"L'action {code} n'est pas pilotée par {pilote.nom} : supprimez cette ligne ajoutée "
                        "(parlez-en dans les observations d'une de vos actions si besoin)."
                    )
                else:
                    message = (
                        f"Le code « {ligne.brut} » n'est pas une action du protocole : ne modifiez pas la colonne "
                        f"« {d.CODE_ACTION} » et n'ajoutez pas de ligne ; supprimez celle-ci."
                    )
                ajouter(ERREUR, "action_inconnue", message, ref_code, code)
                continue
            vues[code] = ligne.cellule_code.ligne
            action, role = attendues[code]
            reponses.append(self._ligne(retour, ligne, action, role, pilote, structure, feuille, ajouter))
        for code in attendues:
            if code not in vues:
                ajouter(
                    ERREUR,
                    "action_manquante",
                    f"La ligne de l'action {code} a disparu : ne supprimez aucune ligne ; reprenez le classeur envoyé "
                    "ou recopiez la ligne de cette action, puis remplissez-la.",
                    None,
                    code,
                )
        if cle_doublon is None:
            reponses = []  # collective return without its structure: not attributable, not used
        return ResultatFichier(fichier, anomalies, reponses, cle_doublon)

    # ------------------------------------------------------------ one action row

    def _reconnaitre_par_contenu(self, retour) -> d.Identification | None:
        """A return pasted into a new workbook lost its identification: recognise it by its year
        header and its action codes (and its Structure when several pilots have the same actions)."""
        annee = retour.annee
        codes = {ligne.code for ligne in retour.lignes}
        if annee is None or not codes:
            return None
        candidats = [
            p
            for p in self.protocole.pilotes_actifs()
            if {a.code for a, _ in self.protocole.actions_du_pilote(p.code)} == codes
        ]
        if len(candidats) > 1:
            structure = retour.texte_identite("Structure")
            nommes = self.protocole.annuaire.chercher(structure) or ()
            candidats = [p for p in candidats if p.code in nommes or cle(p.nom) == cle(structure)]
        if len(candidats) != 1:
            return None
        p = candidats[0]
        attendues = tuple(a.code for a, _ in self.protocole.actions_du_pilote(p.code))
        return d.Identification(self.protocole.id, p.code, annee, "", None, attendues, p.collectif)

    def _ligne(
        self, retour, ligne, action: Action, role: str, pilote, structure: str, feuille: str, ajouter
    ) -> Reponse:
        code = action.code
        sha = retour.sha256

        def source(c) -> Source:
            return Source(retour.nom, feuille, c.ref, sha)

        def formule(c) -> bool:
            if c.ref in retour.formules_sans_valeur:
                ajouter(
                    ERREUR,
                    "formule_sans_valeur",
                    "La cellule contient une formule sans résultat enregistré : remplacez-la par la valeur elle-même "
                    "(tapez le nombre ou le texte), puis enregistrez le classeur avec Excel ou LibreOffice.",
                    c.ref,
                    code,
                )
                return True
            return False

        # Status.
        statut, statut_source = None, None
        c = ligne.statut
        if c is not None:
            if c.valeur is None:
                if not formule(c):
                    ajouter(
                        ERREUR,
                        "statut_manquant",
                        f"Choisissez le statut {self.annee} de l'action {code} dans la liste : {', '.join(d.STATUTS)}.",
                        c.ref,
                        code,
                    )
            else:
                statut, variante = normaliser_statut(c.valeur)
                if statut is None:
                    ajouter(
                        ERREUR,
                        "statut_inconnu",
                        f"« {_court(c.valeur)} » n'est pas un statut prévu : choisissez dans la liste l'un de "
                        f"{', '.join(d.STATUTS)}.",
                        c.ref,
                        code,
                    )
                else:
                    statut_source = source(c)
                    if variante:
                        ajouter(
                            AVERTISSEMENT,
                            "statut_variante",
                            f"« {_court(c.valeur)} » a été lu comme « {statut} » : choisissez le statut dans la liste "
                            "déroulante la prochaine fois.",
                            c.ref,
                            code,
                        )

        # Indicator values.
        valeurs: list[Any] = []
        sources: list[Source | None] = []
        for k, ind in enumerate(action.indicateurs):
            c = ligne.valeurs[k] if k < len(ligne.valeurs) else None
            valeur = None
            if c is not None:
                if c.valeur is None:
                    if not formule(c) and statut == EFFECTUEE:
                        ajouter(
                            AVERTISSEMENT,
                            "valeur_manquante",
                            f"L'action {code} est EFFECTUÉE mais « {ind.libelle} » est vide : saisissez la valeur "
                            f"{self.annee}{' (0 si aucune)' if ind.type == 'entier' else ''}.",
                            c.ref,
                            code,
                        )
                else:
                    valeur = self._valeur(c, ind, code, pilote, k, ajouter)
            valeurs.append(valeur)
            sources.append(source(c) if valeur is not None else None)

        # Observations.
        observations, obs_source = "", None
        c = ligne.observations
        if c is not None:
            if c.valeur is None:
                formule(c)
            else:
                texte = _en_texte(c.valeur).strip()
                if len(texte) > d.OBSERVATIONS_MAX:
                    ajouter(
                        ERREUR,
                        "observations_trop_longues",
                        f"Les observations font {len(texte)} caractères, au-delà de {d.OBSERVATIONS_MAX} : "
                        "raccourcissez-les (l'essentiel et les chiffres clés) ; elles ne sont pas reprises en l'état.",
                        c.ref,
                        code,
                    )
                else:
                    observations, obs_source = texte, source(c)
                    self._donnees_personnelles(texte, c.ref, code, ajouter)

        return Reponse(
            pilote=pilote.code,
            structure=structure,
            code_action=code,
            role=role,
            statut=statut,
            statut_source=statut_source,
            valeurs=tuple(valeurs),
            valeurs_sources=tuple(sources),
            observations=observations,
            observations_source=obs_source,
        )

    def _valeur(self, c, ind, code: str, pilote, k: int, ajouter) -> Any:
        if ind.type == "entier":
            n, probleme = lire_entier(c.valeur)
            if n is None:
                ajouter(ERREUR, "nombre_invalide", probleme, c.ref, code)
                return None
            if probleme:
                ajouter(AVERTISSEMENT, "nombre_avec_unite", probleme, c.ref, code)
            self._atypique(n, c, ind, code, pilote, k, ajouter)
            return n
        if ind.type == "oui_non":
            v, probleme = lire_oui_non(c.valeur)
            if v is None:
                ajouter(ERREUR, "oui_non_invalide", probleme, c.ref, code)
                return None
            if probleme:
                ajouter(AVERTISSEMENT, "oui_non_variante", probleme, c.ref, code)
            return v
        texte = _en_texte(c.valeur).strip()
        if len(texte) > d.TEXTE_MAX:
            ajouter(
                ERREUR,
                "texte_trop_long",
                f"La réponse fait {len(texte)} caractères, au-delà de {d.TEXTE_MAX} : gardez une réponse courte et "
                "mettez le détail dans les observations.",
                c.ref,
                code,
            )
            return None
        self._donnees_personnelles(texte, c.ref, code, ajouter)
        return texte

    def _atypique(self, n: int, c, ind, code: str, pilote, k: int, ajouter) -> None:
        # A collective pilot's structure reports its own part of a consolidated total: no comparison.
        if pilote.collectif:
            return
        # Compare with the same pilot's own figure; the consolidated total only stands for it
        # when the action has a single pilot (co-pilots' counts add up in the total).
        avant = self.precedentes.get((code, k, pilote.code))
        if avant is None and len(self.protocole.action(code).pilotes) == 1:
            avant = self.precedentes.get((code, k))
        if isinstance(avant, bool) or not isinstance(avant, int | float) or avant <= 0:
            return
        if n > 3 * avant or n * 3 < avant:
            avant_txt = f"{avant:g}"
            ajouter(
                AVERTISSEMENT,
                "valeur_atypique",
                f"{n} est très éloigné de la valeur de {self.annee - 1} ({avant_txt}) pour « {ind.libelle} » : "
                "vérifiez qu'il n'y a pas de faute de frappe ; si la valeur est juste, expliquez l'écart dans les "
                "observations.",
                c.ref,
                code,
            )

    def _donnees_personnelles(self, texte: str, ref: str, code: str, ajouter) -> None:
        trouve = donnees_personnelles(texte)
        if trouve:
            ajouter(
                AVERTISSEMENT,
                "donnees_personnelles",
                f"Le texte semble contenir des données personnelles ({', '.join(trouve)}) : retirez-les et gardez "
                "uniquement des faits et des chiffres agrégés (aucune identité de victime, d'auteur ou d'agent).",
                ref,
                code,
            )


# ---------------------------------------------------------------- several returns for one pilot


def _departager(resultats: list[ResultatFichier]) -> None:
    """Several usable returns for the same pilot and structure: keep the most recently saved one."""
    groupes: dict[tuple[str, str], list[ResultatFichier]] = {}
    for r in resultats:
        if r.cle is not None and r.fichier.etat != IGNORE:
            groupes.setdefault(r.cle, []).append(r)
    for groupe in groupes.values():
        if len(groupe) < 2:
            continue
        # Byte-identical copies: the first (path order) stands for all of them.
        distincts: list[ResultatFichier] = []
        par_sha: dict[str, ResultatFichier] = {}
        for r in groupe:
            premier = par_sha.get(r.fichier.sha256)
            if premier is None:
                par_sha[r.fichier.sha256] = r
                distincts.append(r)
            else:
                _remplacer(
                    r,
                    premier,
                    "doublon",
                    f"Doublon : ce fichier est identique à « {premier.fichier.nom} » ; il n'est compté qu'une fois.",
                )
        if len(distincts) < 2:
            continue
        for r in distincts:
            r.fichier.modifie_le = _modifie_le(r.fichier)
        avec_date = all(r.fichier.modifie_le is not None for r in distincts)

        def ordre(r: ResultatFichier, avec_date: bool = avec_date) -> tuple:
            mtime = _mtime(r.fichier.chemin)
            return (r.fichier.modifie_le, mtime) if avec_date else (mtime,)

        classes = sorted(distincts, key=ordre, reverse=True)
        if ordre(classes[0]) == ordre(classes[1]):
            noms = ", ".join(f"« {r.fichier.nom} »" for r in distincts)
            for r in distincts:
                r.reponses = []
                r.fichier.motif = "Plusieurs versions enregistrées au même moment : aucune n'est utilisée."
                r.anomalies.append(
                    Anomalie(
                        r.fichier.nom,
                        r.fichier.feuille,
                        None,
                        None,
                        ERREUR,
                        f"Plusieurs versions différentes du retour de {_qui(r)} portent la même date d'enregistrement "
                        f"({noms}) : aucune n'est utilisée. Gardez dans le dossier la bonne version seulement, puis "
                        "relancez la commande.",
                        "ordre_indecidable",
                        r.fichier.pilote,
                        r.fichier.structure,
                    )
                )
            continue
        gagnant = classes[0]
        for r in classes[1:]:
            quand = gagnant.fichier.modifie_le if avec_date else datetime.fromtimestamp(_mtime(gagnant.fichier.chemin))
            _remplacer(
                r,
                gagnant,
                "remplace",
                f"Remplacé par « {gagnant.fichier.nom} », enregistré plus récemment (le {quand:%d/%m/%Y à %H:%M}) : "
                "ce fichier n'est pas utilisé. Supprimez-le du dossier s'il s'agit d'une ancienne version.",
            )


def _remplacer(r: ResultatFichier, par: ResultatFichier, regle: str, message: str) -> None:
    """r is superseded by par: its answers and its own findings no longer count."""
    r.reponses = []
    r.anomalies = [
        Anomalie(
            r.fichier.nom,
            r.fichier.feuille,
            None,
            None,
            AVERTISSEMENT,
            message,
            regle,
            r.fichier.pilote,
            r.fichier.structure,
        )
    ]
    r.fichier.etat = REMPLACE
    r.fichier.remplace_par = par.fichier.nom
    r.fichier.motif = message


def _existe(protocole: Protocole, code: str) -> bool:
    try:
        protocole.action(code)
    except KeyError:
        return False
    return True


def _qui(r: ResultatFichier) -> str:
    if r.fichier.structure and r.fichier.structure != r.fichier.pilote:
        return f"{r.fichier.pilote} ({r.fichier.structure})"
    return str(r.fichier.pilote)


def _modifie_le(f: FichierControle) -> datetime | None:
    from vif38_bilan.lecture import lire_classeur
    from vif38_bilan.saisies import date_modification

    try:
        lu = lire_classeur(f.chemin)  # read again: checked, and the very file the check saw
    except FichierRefuse:
        return None
    return date_modification(lu.donnees, lu.format) if lu.sha256 == (f.sha256 or lu.sha256) else None


def _mtime(chemin: Path) -> float:
    try:
        return chemin.stat().st_mtime
    except OSError:
        return 0.0


# ---------------------------------------------------------------- value rules (pure functions)


def _cle_statut(texte: str) -> str:
    # Letters only, no accents, no final E/S: "Effectuée " = "EFFECTUE" = "effectuées", "POUR SUIVRE" = "POURSUIVRE".
    return re.sub(r"[^A-Z]", "", sans_accents(texte).upper()).rstrip("ES")


_STATUTS_PAR_CLE = {_cle_statut(s): s for s in d.STATUTS}


def normaliser_statut(valeur: Any) -> tuple[str | None, bool]:
    """(canonical status or None when unknown, True when it was a variant)."""
    if not isinstance(valeur, str):
        return None, False
    texte = valeur.strip()
    if texte in d.STATUTS:
        return texte, False
    canonique = _STATUTS_PAR_CLE.get(_cle_statut(texte))
    return canonique, canonique is not None


_ESPACES_MILLIERS = str.maketrans("", "", " \u00a0\u202f\u2009")
_RE_NOMBRE = re.compile(r"^[+-]?\d+(?:[.,]\d+)?$")
_RE_MILLIERS = re.compile(r"^\d{1,3}(?:[ \u00a0\u202f\u2009]\d{3})+$")
_RE_UNITE = re.compile(r"^(\d{1,3}(?:[ \u00a0\u202f\u2009]\d{3})+|\d+)\s*([^\W\d_][^\d]*)$")

_EXEMPLE = "12 et non « 12 pers. »"


def lire_entier(valeur: Any) -> tuple[int | None, str]:
    """A count: (value, "") when clean; (value, warning) when read from "12 personnes";
    (None, error message) when unusable."""
    if isinstance(valeur, bool) or isinstance(valeur, datetime | date | time):
        return None, f"Saisissez un nombre entier, sans texte : {_EXEMPLE} (la cellule contient « {_court(valeur)} »)."
    if isinstance(valeur, int | float):
        return _controle_nombre(float(valeur), _court(valeur))
    texte = str(valeur).strip()
    if _RE_MILLIERS.match(texte):
        return int(texte.translate(_ESPACES_MILLIERS)), ""
    if _RE_NOMBRE.match(texte):
        return _controle_nombre(float(texte.replace(",", ".")), texte)
    m = _RE_UNITE.match(texte)
    if m:
        n = int(m.group(1).translate(_ESPACES_MILLIERS))
        return n, (
            f"« {_court(texte)} » a été lu comme {n} : saisissez un nombre entier, sans texte ({_EXEMPLE}) ; "
            "précisez le reste dans les observations."
        )
    return None, (
        f"« {_court(texte)} » n'est pas un nombre : saisissez un nombre entier, sans texte ({_EXEMPLE}) ; "
        "si c'est une estimation, donnez le nombre et précisez-le dans les observations."
    )


def _controle_nombre(x: float, tel_quel: str) -> tuple[int | None, str]:
    if x != x or x in (float("inf"), float("-inf")):
        return None, f"Saisissez un nombre entier, sans texte : {_EXEMPLE}."
    if x < 0:
        return None, f"« {tel_quel} » est négatif : saisissez un nombre entier positif ou nul."
    if not x.is_integer():
        return None, (
            f"« {tel_quel} » n'est pas un nombre entier : saisissez un nombre entier, sans décimale "
            "(un nombre de personnes, d'actions, de places…)."
        )
    return int(x), ""


_OUI = {"oui", "o", "yes", "y", "x", "vrai", "ok"}
_NON = {"non", "n", "no", "faux"}


def lire_oui_non(valeur: Any) -> tuple[str | None, str]:
    """Oui/Non: (value, "") when exact; (value, warning) for a variant; (None, error)."""
    if isinstance(valeur, bool):
        return ("Oui" if valeur else "Non"), ""
    if isinstance(valeur, datetime | date):
        return "Oui", (
            f"Une date ({valeur:%d/%m/%Y}) a été lue comme « Oui » : choisissez Oui ou Non dans la liste et "
            "indiquez la date dans les observations."
        )
    if isinstance(valeur, int | float):
        if valeur in (0, 1):
            v = "Oui" if valeur == 1 else "Non"
            return v, f"« {valeur:g} » a été lu comme « {v} » : choisissez Oui ou Non dans la liste."
        return None, f"« {valeur:g} » n'est ni Oui ni Non : choisissez Oui ou Non dans la liste."
    texte = str(valeur).strip()
    if texte in d.OUI_NON:
        return texte, ""
    cle_ = sans_accents(texte).lower().strip(" .!")
    v = "Oui" if cle_ in _OUI else "Non" if cle_ in _NON else None
    if v is None:
        return None, (
            f"« {_court(texte)} » n'est ni Oui ni Non : choisissez Oui ou Non dans la liste et mettez les précisions "
            "dans les observations."
        )
    return v, f"« {_court(texte)} » a été lu comme « {v} » : choisissez Oui ou Non dans la liste."


_RE_COURRIEL = re.compile(r"[\w.+-]+@[\w-]+(?:\.[\w-]+)+")
_RE_TELEPHONE = re.compile(r"(?<![\d.,])(?:(?:\+|00)\s?33\s?(?:\(0\)\s?)?[1-9]|0[1-9])(?:[\s.\-]?\d{2}){4}(?![\d,])")
_RE_CIVILITE = re.compile(
    r"(?<![\w.])(?:M\.|MM\.|Mr\.?|Mme\.?|Mmes|Mlle\.?|Madame|Mademoiselle|Monsieur)\s+"
    r"[A-ZÀ-ÖØ-Þ][\w'’-]*"
)


def donnees_personnelles(texte: str) -> list[str]:
    """Kinds of likely personal data in a free text (never the data itself)."""
    trouve = []
    if "@" in texte and _RE_COURRIEL.search(texte):
        trouve.append("adresse électronique")
    if _RE_TELEPHONE.search(texte):
        trouve.append("numéro de téléphone")
    if "M" in texte and _RE_CIVILITE.search(texte):
        trouve.append("nom de personne précédé de « Mme », « M. »…")
    return trouve


def _en_texte(valeur: Any) -> str:
    if isinstance(valeur, float) and valeur.is_integer():
        return str(int(valeur))
    if isinstance(valeur, datetime):
        return f"{valeur:%d/%m/%Y}" if valeur.time() == time() else f"{valeur:%d/%m/%Y %H:%M}"
    if isinstance(valeur, date):
        return f"{valeur:%d/%m/%Y}"
    return str(valeur)


def _texte_identite(valeur: Any) -> Any:
    if valeur is None:
        return ""
    if isinstance(valeur, datetime | date):
        return valeur
    return " ".join(_en_texte(valeur).split())


def _court(valeur: Any, n: int = 60) -> str:
    texte = " ".join(_en_texte(valeur).split())
    return texte if len(texte) <= n else texte[: n - 1] + "…"
