"""The pages: each one reads the year through etapes.py / etat.py and renders a template.

GET never changes the workspace; every action is a POST form (CSRF checked in app._garde) that
starts a job (travaux.py) and sends the browser to its progress page.
"""

from __future__ import annotations

import io
import zipfile
from datetime import datetime
from pathlib import Path

from flask import Blueprint, abort, jsonify, redirect, render_template, request, send_file, url_for

from vif38_bilan.web import etapes
from vif38_bilan.web.etapes import TYPES_COURRIELS, EspaceVerrouille, Vif38Error, etat_annee, lire_date
from vif38_bilan.web.etat_serveur import serveur
from vif38_bilan.web.securite import fichier_telechargeable
from vif38_bilan.web.travaux import ECHEC, EN_COURS, TERMINE

pages = Blueprint("pages", __name__)

GRAVITES = {"toutes": None, "erreur": "erreur", "avertissement": "avertissement"}


def annee_connue(annee: int) -> int:
    """annee itself when it is a year of the workspace's protocols; 404 otherwise."""
    if annee not in serveur().espace.annees:
        abort(404)
    return annee


def _annee_par_defaut() -> int:
    """The latest protocol year the workspace has something for, else the first one."""
    s = serveur()
    annees = s.espace.annees
    avec = [a for a in annees if any(s.espace.dossier(n, a).is_dir() for n in ("gabarits", "saisies", "sorties"))]
    return max(avec) if avec else min(annees)


def _lancer(titre: str, annee: int, page: str, fonction, apres=None, total=None):
    """Start a job; if another one runs, its progress page is shown instead."""
    t = serveur().travaux.lancer(titre, annee, page, fonction, apres=apres, total=total)
    return redirect(url_for("pages.travail", id_=t.id), code=303)


def _controle(annee: int, ecrire: bool):
    """A job function checking annee, remembering the result for the pages."""
    s = serveur()

    def fonction(_t):
        empreinte = s.empreinte(annee)
        r = etapes.controler_annee(s.espace, annee, ecrire=ecrire)
        s.retenir(annee, empreinte, r)
        return r

    return fonction


def _resultat_ou_lecture(annee: int):
    """The latest check if still valid; else a read-only check is started (nothing is written)."""
    s = serveur()
    r = s.resultat(annee)
    if r is None and s.travaux.en_cours() is None and s.espace.dossier("saisies", annee).is_dir():
        s.travaux.lancer(f"Lecture des retours {annee}", annee, "tableau", _controle(annee, ecrire=False))
    return r


# ---------------------------------------------------------------- pages


@pages.get("/")
def accueil():
    return redirect(url_for("pages.tableau", annee=_annee_par_defaut()), code=303)


@pages.get("/<int:annee>/")
def tableau(annee: int):
    s = serveur()
    resultat = _resultat_ou_lecture(annee_connue(annee))
    dernier = s.bilans.get(annee)  # its consolidation tells what is left to arbitrate (issue 23)
    etat = etat_annee(s.espace, annee, resultat, dernier.donnees if dernier is not None else None)
    return render_template(
        "tableau.html", annee=annee, page="tableau", etat=etat, lecture=s.travaux.en_cours(), echec=_echec(annee)
    )


def _echec(annee: int) -> str:
    """The French message of the year's latest job when it failed (lock taken, unreadable folder…)
    and its progress page did not already show it (the automatic reading has none)."""
    t = serveur().travaux.dernier(annee)
    return t.erreur if t is not None and t.etat == ECHEC and not t.vu else ""


@pages.get("/travail/<int:id_>")
def travail(id_: int):
    t = serveur().travaux.get(id_)
    if t is None:
        abort(404)
    if t.etat == TERMINE:
        return redirect(url_for(f"pages.{t.page}", annee=t.annee), code=303)
    t.vu = t.etat == ECHEC
    return render_template("travail.html", annee=t.annee, page="", t=t, en_cours=t.etat == EN_COURS)


@pages.get("/travail/<int:id_>.json")
def travail_etat(id_: int):
    """The job's state for the progress script (static/suivi.js): no page reloads itself."""
    t = serveur().travaux.get(id_)
    if t is None:
        abort(404)
    return jsonify(
        etat=t.etat,
        fini=t.etat != EN_COURS,
        fait=t.fait,
        total=t.total,
        pourcentage=t.pourcentage,
        duree=t.duree,
        avancement=t.avancement,
        suite=url_for("pages.travail", id_=t.id),
    )


@pages.get("/fichier")
def fichier():
    chemin = fichier_telechargeable(serveur().racine, request.args.get("chemin", ""))
    if chemin is None:
        abort(404)
    return send_file(chemin, as_attachment=True, download_name=chemin.name, max_age=0)


def _zip(nom: str, chemins: list[Path]):
    tampon = io.BytesIO()
    with zipfile.ZipFile(tampon, "w", zipfile.ZIP_DEFLATED) as z:
        for c in chemins:
            z.write(c, c.name)
    tampon.seek(0)
    return send_file(tampon, as_attachment=True, download_name=nom, mimetype="application/zip", max_age=0)


# ---------------------------------------------------------------- gabarits


@pages.get("/<int:annee>/gabarits")
def gabarits(annee: int):
    etat = etat_annee(serveur().espace, annee_connue(annee))
    return render_template("gabarits.html", annee=annee, page="gabarits", etat=etat)


@pages.post("/<int:annee>/gabarits")
def gabarits_produire(annee: int):
    s = serveur()
    annee_connue(annee)
    try:
        date_limite = lire_date(request.form.get("date_limite", "").strip())
    except ValueError as e:
        return render_template(
            "gabarits.html", annee=annee, page="gabarits", etat=etat_annee(s.espace, annee), erreur=str(e)
        ), 400
    nb = len(s.espace.pour_annee(annee).protocole.pilotes_actifs())
    return _lancer(
        f"Production des classeurs de collecte {annee}", annee, "gabarits",
        lambda t: etapes.produire_gabarits(s.espace, annee, date_limite=date_limite, progression=t.avancer),
        total=nb,
    )  # fmt: skip


@pages.get("/<int:annee>/gabarits.zip")
def gabarits_zip(annee: int):
    etat = etat_annee(serveur().espace, annee_connue(annee))
    if not etat.gabarits.nombre:
        abort(404)
    return _zip(f"gabarits-{annee}.zip", list(etat.gabarits.chemins))


# ---------------------------------------------------------------- dépôt des retours


@pages.get("/<int:annee>/depot")
def depot(annee: int):
    s = serveur()
    annee_connue(annee)
    dernier = s.depots.get(annee)
    resultat = s.resultat(annee)
    lignes = []
    if dernier:
        par_chemin = {f.chemin.resolve(): f for f in resultat.fichiers} if resultat else {}
        for d in dernier["deposes"]:
            f = par_chemin.get(d.chemin.resolve())
            raisons = []
            if f is not None:
                raisons = [f.motif] if f.motif else []
                raisons += [a.message for a in resultat.anomalies_du_fichier(f.nom) if a.cellule is None]
                raisons = list(dict.fromkeys(raisons))
            noms = (etapes.nom_sans_donnees(s.espace, d.nom_recu), etapes.nom_sans_donnees(s.espace, d.chemin.name))
            lignes.append({"depot": d, "fichier": f, "raisons": raisons, "recu": noms[0], "enregistre": noms[1]})
    return render_template(
        "depot.html",
        annee=annee,
        page="depot",
        dernier=dernier,
        lignes=lignes,
        controle=resultat is not None,
        taille_max=etapes.TAILLE_DEPOT_MAX,
    )


@pages.post("/<int:annee>/depot")
def depot_envoyer(annee: int):
    s = serveur()
    annee_connue(annee)
    # Read whole (the request itself is bounded by MAX_CONTENT_LENGTH): a file over the limit is
    # refused with its true size, never the size of a cut.
    envois = [(f.filename, f.stream.read()) for f in request.files.getlist("fichiers")]
    bloque = ""
    try:
        depot = etapes.deposer_retours(s.espace, annee, [(nom, donnees) for nom, donnees in envois if nom])
        deposes, refuses = depot.deposes, depot.refuses
    except EspaceVerrouille as e:  # nothing written: said once, the files named
        deposes, refuses, bloque = [], [(nom, "") for nom, _ in envois if nom], str(e)
    refuses = [(etapes.nom_sans_donnees(s.espace, nom), raison) for nom, raison in refuses]  # never a name verbatim
    # Files refused for the same reason (a signed year, a lock) are named together, the reason once.
    par_raison: dict[str, list[str]] = {}
    for nom, raison in refuses:
        par_raison.setdefault(raison, []).append(nom)
    s.depots[annee] = {
        "deposes": deposes, "refuses": refuses, "par_raison": list(par_raison.items()), "bloque": bloque,
        "date": datetime.now(),
    }  # fmt: skip
    if not deposes:
        return redirect(url_for("pages.depot", annee=annee), code=303)
    return _lancer(f"Contrôle des retours {annee}", annee, "depot", _controle(annee, ecrire=True))


# ---------------------------------------------------------------- rapport de contrôle


@pages.get("/<int:annee>/rapport")
def rapport(annee: int):
    s = serveur()
    resultat = _resultat_ou_lecture(annee_connue(annee))
    gravite = request.args.get("gravite", "toutes")
    if gravite not in GRAVITES:
        gravite = "toutes"
    fichiers = []
    if resultat is not None:
        sortie = s.espace.dossier("sorties", annee)
        copies = {Path(c).resolve() for c in (getattr(resultat, "copies", None) or [])}
        for f in sorted(resultat.fichiers, key=lambda f: (f.pilote or "~", f.structure or "", f.nom)):
            anomalies = [a for a in resultat.anomalies_du_fichier(f.nom) if gravite == "toutes" or a.gravite == gravite]
            copie = etapes.chemin_annote(sortie, f.nom)
            fichiers.append({"f": f, "anomalies": anomalies, "copie": copie if copie.resolve() in copies else None})
    return render_template(
        "rapport.html", annee=annee, page="rapport", resultat=resultat, fichiers=fichiers, gravite=gravite,
        gravites=GRAVITES, lecture=s.travaux.en_cours(), rapport=getattr(resultat, "rapport", None), echec=_echec(annee),
    )  # fmt: skip


@pages.post("/<int:annee>/rapport")
def rapport_controler(annee: int):
    return _lancer(f"Contrôle des retours {annee_connue(annee)}", annee, "rapport", _controle(annee, ecrire=True))


# ---------------------------------------------------------------- courriels


@pages.get("/<int:annee>/courriels")
def courriels(annee: int):
    s = serveur()
    etat = etat_annee(s.espace, annee_connue(annee))
    preparations = {t: s.preparations.get((annee, t)) for t in TYPES_COURRIELS}
    return render_template(
        "courriels.html", annee=annee, page="courriels", etat=etat, types=TYPES_COURRIELS, preparations=preparations
    )


@pages.post("/<int:annee>/courriels")
def courriels_preparer(annee: int):
    s = serveur()
    annee_connue(annee)
    type_ = request.form.get("type", "")
    if type_ not in TYPES_COURRIELS:
        abort(400)

    def fonction(_t):
        prep = etapes.preparer_courriels(s.espace, annee, type_, resultat=s.resultat(annee))
        s.preparations[(annee, type_)] = prep
        return prep

    return _lancer(f"Préparation des courriels « {type_} » {annee}", annee, "courriels", fonction)


@pages.get("/<int:annee>/courriels/<type_>.zip")
def courriels_zip(annee: int, type_: str):
    etat = etat_annee(serveur().espace, annee_connue(annee))
    if type_ not in TYPES_COURRIELS or not etat.brouillons[type_].nombre:
        abort(404)
    return _zip(f"courriels-{type_}-{annee}.zip", list(etat.brouillons[type_].chemins))


# ---------------------------------------------------------------- bilan


def _documents_bilan(annee: int) -> list[Path]:
    """Every document of sorties/AAAA/ besides the bilan itself (PDF, points to check…)."""
    sortie = serveur().espace.dossier("sorties", annee)
    if not sortie.is_dir():
        return []
    return sorted(
        p for p in sortie.iterdir()
        if p.is_file() and p.suffix.lower() in (".docx", ".pdf") and not p.name.startswith((".", "~$"))
    )  # fmt: skip


@pages.get("/<int:annee>/bilan")
def bilan(annee: int):
    s = serveur()
    etat = etat_annee(s.espace, annee_connue(annee), s.resultat(annee))
    return render_template(
        "bilan.html", annee=annee, page="bilan", etat=etat, documents=_documents_bilan(annee),
        dernier=s.bilans.get(annee), annonce=s.annonces.pop(annee, ""), points=etapes.nom_points(annee),
    )  # fmt: skip


@pages.post("/<int:annee>/rouvrir")
def rouvrir(annee: int):
    """Reopen a validated year, as `vif38-bilan valider --rouvrir --motif …` (same function, same log)."""
    s = serveur()
    annee_connue(annee)
    motif = " ".join(request.form.get("motif", "").split())
    if not motif:
        etat = etat_annee(s.espace, annee, s.resultat(annee))
        return render_template(
            "bilan.html", annee=annee, page="bilan", etat=etat, documents=_documents_bilan(annee),
            points=etapes.nom_points(annee), erreur_motif="Écrivez le motif de la réouverture : il est gardé au journal.",
        ), 400  # fmt: skip
    try:
        archive = etapes.rouvrir_annee(s.espace, annee, motif)
    except Vif38Error as e:
        s.annonces[annee] = f"L'année {annee} n'a pas été rouverte : {e}"
    else:
        s.annonces[annee] = (
            f"L'année {annee} est rouverte : les fichiers signés sont archivés dans "
            f"sorties/{annee}/{archive.relative_to(s.espace.dossier('sorties', annee)).as_posix()}/ et le motif "
            "est noté au journal. Refaites le bilan, faites-le signer, puis validez à nouveau."
        )
    return redirect(url_for("pages.bilan", annee=annee), code=303)


@pages.post("/<int:annee>/bilan")
def bilan_produire(annee: int):
    s = serveur()
    annee_connue(annee)
    presentation = request.form.get("presentation", "annexe")
    pdf = request.form.get("pdf") == "oui"
    if presentation not in ("annexe", "protocole"):
        abort(400)
    try:
        date_edition = lire_date(request.form.get("date", "").strip())
    except ValueError as e:
        etat = etat_annee(s.espace, annee, s.resultat(annee))
        return render_template(
            "bilan.html", annee=annee, page="bilan", etat=etat, documents=_documents_bilan(annee), erreur=str(e),
            points=etapes.nom_points(annee),
        ), 400  # fmt: skip

    def fonction(_t):
        empreinte = s.empreinte(annee)
        r = etapes.produire_bilan(s.espace, annee, presentation=presentation, date_edition=date_edition, pdf=pdf)
        s.retenir(annee, empreinte, r.resultat)
        s.bilans[annee] = r
        return r

    return _lancer(f"Production du bilan {annee}", annee, "bilan", fonction)


# ---------------------------------------------------------------- historique


def _traitee_par_l_outil(annee: int) -> bool:
    """The year went through the tool (returns deposited, a bilan written, or signed): its
    consolidation comes from the bilan and is never offered to be blanked or replaced by hand."""
    etat = etat_annee(serveur().espace, annee)
    return bool(etat.bilan or etat.saisies.nombre or etat.validee_le)


@pages.get("/<int:annee>/historique")
def historique(annee: int):
    s = serveur()
    annee_connue(annee)
    chemin = s.espace.dossier("sorties", annee) / etapes.nom_consolidation(annee)
    suivante = next((a for a in s.espace.pour_annee(annee).protocole.annees if a > annee), None)
    anomalies = []
    if suivante is not None and chemin.is_file():
        h = etapes.lire_historique_annee(s.espace, suivante)
        anomalies = [a for a in h.anomalies if a.fichier.startswith(f"{annee}/")]
    return render_template(
        "historique.html", annee=annee, page="historique", chemin=chemin if chemin.is_file() else None,
        suivante=suivante, anomalies=anomalies, message=s.annonces.pop(("historique", annee), ""),
        outil=_traitee_par_l_outil(annee),
    )  # fmt: skip


@pages.post("/<int:annee>/historique")
def historique_produire(annee: int):
    s = serveur()
    if _traitee_par_l_outil(annee_connue(annee)):
        s.annonces[("historique", annee)] = (
            f"L'année {annee} a été traitée par vif38-bilan : sa consolidation vient du bilan, elle n'est pas "
            "remplacée par un classeur vierge."
        )
        return redirect(url_for("pages.historique", annee=annee), code=303)
    remplacer = request.form.get("remplacer") == "oui"
    return _lancer(
        f"Classeur historique {annee}", annee, "historique",
        lambda _t: etapes.produire_historique_vierge(s.espace, annee, remplacer=remplacer),
    )  # fmt: skip


@pages.post("/<int:annee>/historique/depot")
def historique_deposer(annee: int):
    s = serveur()
    annee_connue(annee)
    f = request.files.get("fichier")
    if _traitee_par_l_outil(annee):
        message = (
            f"L'année {annee} a été traitée par vif38-bilan : sa consolidation vient du bilan. Pour la changer, "
            "déposez les retours corrigés et produisez à nouveau le bilan."
        )
    elif f is None or not f.filename:
        message = "Choisissez un classeur."
    else:
        nom = etapes.nom_affichable(f.filename)
        try:
            chemin, ancien = etapes.deposer_historique(s.espace, annee, f.stream.read())
        except Vif38Error as e:
            message = f"« {nom} » n'a pas été déposé : {e}"
        else:
            garde = f" L'ancien classeur est gardé sous « {ancien.name} »." if ancien else ""
            message = f"« {nom} » déposé comme {chemin.name}.{garde}"
    s.annonces[("historique", annee)] = message
    return redirect(url_for("pages.historique", annee=annee), code=303)
