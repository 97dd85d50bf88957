"""Nothing the pilot wrote is lost (issue 25): every non-empty cell and every comment of a return
is either read as an answer or reported.

One invariant, checked here in one place: each non-empty cell of the table sheet belongs to
exactly one of (1) the cells read (identity values, header, code, status, values, observations),
(2) the workbook's own pre-filled text, which is compared with what was sent (a locked cell
typed over under ONLYOFFICE is an erreur saying where the value belongs), (3) the cells reported
as written outside the expected cells (added column or row, notes beside the table). The sheets
added by the pilot are reported cell by cell; comments on an action's row go into that action's
observations, the others are reported at their cell.
"""

from __future__ import annotations

import re
from collections.abc import Generator, Mapping
from typing import Any

from vif38_bilan import regles as r
from vif38_bilan.commun.textes import sans_invisibles, de, tronquer
from vif38_bilan.gabarits import disposition as d
from vif38_bilan.regles import Anomalie
from vif38_bilan.controle.valeurs import en_texte
from vif38_bilan.controle.donnees_personnelles import AUCUNE, exceptions_du_protocole, retirer
from vif38_bilan.lecture.classeur import lettre_colonne

Verif = Generator[Anomalie, None, Any]

_CITATION = 80  # characters of a text quoted in a finding
_PAR_FEUILLE = 20  # cells reported one by one on an added sheet; the rest are counted

# Texts the template writes above the table (gabarits.generation._saisie): title, instruction,
# legend and hints. A test (tests/test_envois_reels.py) checks that an untouched return yields
# no finding, so a template change that is not reflected here fails there.
_MODELE_PREFIXES = ("Bilan ", "Remplissez les cellules")
_MODELE_TEXTES = {"Légende", "À remplir", "Pré-rempli, non modifiable", "Sans objet", "JJ/MM/AAAA"}
_MODELE_TEXTES |= {"← obligatoire : indiquez le nom de votre structure"}


def _cle(v: Any) -> str:
    """Comparison key of a cell's text: numbers as written, spaces and case folded."""
    if isinstance(v, float) and v.is_integer():
        v = int(v)
    t = sans_invisibles(str(v)).replace("’", "'")
    return " ".join(t.split()).casefold().rstrip(" :")


def citer(texte: Any, protocole: Any = None) -> str:
    """The beginning of a text, for a message, with likely personal data removed (the text itself
    goes into the agent's working notes through the findings); protocole: what it prints itself
    (authorities, switchboard numbers) is kept."""
    return tronquer(_sans_donnees(" ".join(en_texte(texte).split()), protocole), _CITATION)


def _sans_donnees(texte: str, protocole: Any) -> str:
    """The personal-data gate (controle.donnees_personnelles.retirer, issue 24)."""
    return retirer(texte, exceptions_du_protocole(protocole) if protocole is not None else AUCUNE)[0]


def verifier_comptabilite(ctx: Any, retour: Any, pilote: Any) -> Verif:
    """Findings for every cell and comment not read as an answer; returns action code → the
    comments to add to its observations ("[Commentaire] …", no author nor cell), checked by the gate after.
    Past _PAR_FEUILLE cells of one sheet (a whole table pasted beside), one finding counts the rest."""
    if retour.ligne_entete is None:
        return {}
    comptes: dict[str | None, int] = {}
    for a in _cellules(ctx, retour, pilote):
        comptes[a.feuille] = comptes.get(a.feuille, 0) + 1
        if comptes[a.feuille] <= _PAR_FEUILLE:
            yield a
    for feuille, n in comptes.items():
        if n > _PAR_FEUILLE:
            import dataclasses

            message = r.TEXTE_HORS_TABLEAU.texte(
                ou=f"sur la feuille « {feuille} »", texte=f"et {n - _PAR_FEUILLE} autre(s) cellule(s) remplie(s)"
            )
            yield dataclasses.replace(ctx, feuille=feuille).anomalie(r.TEXTE_HORS_TABLEAU, message)
    par_ligne = {li.cellule_code.ligne: li for li in retour.lignes}
    return (yield from _commentaires(ctx, retour, par_ligne))


def _cellules(ctx: Any, retour: Any, pilote: Any) -> Verif:
    """The findings on cells: table sheet, key-figure sheet, sheets added by the pilot."""
    attendu = _modele(ctx, retour, pilote)
    lues = _cellules_lues(ctx, retour, attendu)
    h = retour.ligne_entete
    par_ligne = {li.cellule_code.ligne: li for li in retour.lignes}
    entetes = _entetes(ctx, retour)
    for ligne, colonne, valeur in retour.non_vides:
        if (ligne, colonne) in lues:
            continue
        ref = f"{_lettre(colonne)}{ligne}"
        if ligne < h:
            if any(str(valeur).startswith(p) for p in _MODELE_PREFIXES) or str(valeur).strip() in _MODELE_TEXTES:
                continue
            if _cle(valeur) in {_cle(x) for x in d.LIBELLES_IDENTITE}:
                continue
            yield _hors(ctx, ref, valeur, "au-dessus du tableau")
        elif ligne == h:
            if _cle(valeur) not in entetes:
                yield _hors(ctx, ref, valeur, "en tête d'une colonne ajoutée")
        elif ligne in par_ligne:
            li = par_ligne[ligne]
            prevu = attendu.get((ligne, colonne))
            if prevu is None:
                yield _hors(ctx, ref, valeur, f"sur la ligne de l'action {li.code}, dans une colonne ajoutée", li.code)
            elif prevu[0] is not None and _cle(valeur) != _cle(prevu[0]):
                yield _verrou(ctx, retour, ref, li, valeur, prevu)
        else:
            yield _hors(ctx, ref, valeur, "sur une ligne ajoutée ou sous le tableau")
    yield from _chiffres(ctx, retour)
    yield from _autres_feuilles(ctx, retour)


_RE_TETE_CHIFFRES = re.compile(r"^(rappel|valeur) \d{4}$")


def _chiffres(ctx: Any, retour: Any) -> Verif:
    """The key-figure sheet: its header, its rows' cells under a header, the title and
    instruction above the table in the code column; anything else is reported."""
    import dataclasses

    lecture = retour.chiffres
    if lecture is None or lecture.ligne_entete is None:
        return
    sur = dataclasses.replace(ctx, feuille=lecture.feuille)
    h = lecture.ligne_entete
    connus = {_cle(t) for t in (d.CODE_CHIFFRE, d.CHIFFRE, d.DETAIL, d.UNITE)}

    def connu(v: Any) -> bool:
        return _cle(v) in connus or bool(_RE_TETE_CHIFFRES.match(_cle(v)))

    entete = {c for ligne, c, v in retour.non_vides_chiffres if ligne == h and connu(v)}
    colonne_code = next((li.cellule_code.colonne for li in lecture.lignes), min(entete, default=1))
    lignes = {li.cellule_code.ligne for li in lecture.lignes}
    for ligne, colonne, valeur in retour.non_vides_chiffres:
        ref = f"{_lettre(colonne)}{ligne}"
        if ligne < h:
            if colonne != colonne_code:
                yield _hors(sur, ref, valeur, "au-dessus du tableau des chiffres clés")
        elif ligne == h:
            if not connu(valeur):
                yield _hors(sur, ref, valeur, "en tête d'une colonne ajoutée aux chiffres clés")
        elif ligne not in lignes:
            yield _hors(sur, ref, valeur, "sur une ligne ajoutée ou sous le tableau des chiffres clés")
        elif colonne not in entete:
            yield _hors(sur, ref, valeur, "dans une colonne ajoutée aux chiffres clés")


def _modele(ctx: Any, retour: Any, pilote: Any) -> dict[tuple[int, int], tuple[Any, str, int]]:
    """(row, column) → (text the workbook was sent with, or None when not checked; what it is;
    indicator slot, 0 when none) for the pre-filled cells of each expected action row."""
    col = {_cle(t): c for t, c in _colonnes_lues(ctx, retour).items()}
    roles = {a.code: role for a, role in ctx.protocole.actions_du_pilote(pilote.code)}
    modele: dict[tuple[int, int], tuple[Any, str, int]] = {}
    for li in retour.lignes:
        if li.code not in roles:
            continue
        action = ctx.protocole.action(li.code)
        n = li.cellule_code.ligne
        objectif = ctx.protocole.objectif(action.objectif)
        textes = [
            (d.OBJECTIF, f"N°{objectif.numero} : {objectif.titre}", "l'objectif", 0),
            (d.ACTION, action.description, "l'intitulé de l'action", 0),
            (d.PILOTAGE, None, "le pilotage", 0),
            (d.ROLE, roles[li.code], "le rôle", 0),
        ]
        textes += [
            (d.entete_statut(a), None, "un statut passé", 0) for a in d.annees_anterieures(ctx.protocole, ctx.annee)
        ]
        for k in range(1, d.nb_emplacements(ctx.protocole) + 1):
            ind = action.indicateurs[k - 1] if k <= len(action.indicateurs) else None
            libelle = ind.libelle if ind else ""
            cible = (ind.cible_annuelle if ind.cible_annuelle is not None else ind.cible_texte) if ind else None
            textes.append((d.entete_indicateur(k), libelle, "l'indicateur", k))
            textes.append((d.entete_cible(k), cible if cible is not None else "", "la cible annuelle", k))
            if ind is None:
                textes.append((d.entete_valeur(ctx.annee, k), "", "une case sans objet", k))
        for tete, texte, quoi, k in textes:
            c = col.get(_cle(tete))
            if c is not None:
                modele[(n, c)] = (texte, quoi, k)
    return modele


def _colonnes_lues(ctx: Any, retour: Any) -> dict[str, int]:
    """Header text → column of every header cell of the template found in the header row."""
    tetes = {_cle(t): t for t in d.en_tetes(ctx.protocole, ctx.annee)}
    trouvees: dict[str, int] = {}
    for ligne, colonne, valeur in retour.non_vides:
        if ligne == retour.ligne_entete and _cle(valeur) in tetes:
            trouvees.setdefault(tetes[_cle(valeur)], colonne)
    return trouvees


def _entetes(ctx: Any, retour: Any) -> set[str]:
    return {_cle(t) for t in d.en_tetes(ctx.protocole, ctx.annee)} | {_cle(t) for t in retour.colonnes}


def _cellules_lues(ctx: Any, retour: Any, attendu: Mapping) -> set[tuple[int, int]]:
    """Cells read as answers (or judged by another rule: a row added or doubled is reported whole).
    A value typed in a slot the action does not have (grey cell) is not read: it is in the model."""
    lues = {(c.ligne, c.colonne) for c in retour.identite.values()}
    vues: set[str] = set()
    for li in retour.lignes:
        n = li.cellule_code.ligne
        if li.code in vues or not any(k[0] == n for k in attendu):
            lues |= {(n, c) for ligne, c, _ in retour.non_vides if ligne == n}  # reported by its own rule
            continue
        vues.add(li.code)
        nb = len(ctx.protocole.action(li.code).indicateurs)
        cellules = [li.cellule_code, li.statut, li.observations, *li.valeurs[:nb]]
        lues |= {(c.ligne, c.colonne) for c in cellules if c is not None}
    return lues


def _hors(ctx: Any, ref: str, valeur: Any, ou: str, code: str | None = None) -> Anomalie:
    message = r.TEXTE_HORS_TABLEAU.texte(ou=ou, texte=citer(valeur, ctx.protocole))
    return ctx.anomalie(r.TEXTE_HORS_TABLEAU, message, ref, code)


def _verrou(ctx: Any, retour: Any, ref: str, li: Any, valeur: Any, prevu: tuple) -> Anomalie:
    """A pre-filled, locked cell typed over: what changed, and where the value probably belongs."""
    texte, quoi, k = prevu
    conseil = f"remettez « {citer(texte) if texte != '' else '(vide)'} » ; une précision va dans les observations"
    if li.observations is not None:
        conseil += f" ({li.observations.ref})"
    if k and k <= len(li.valeurs) and li.valeurs[k - 1].valeur is None and _nombre(valeur):
        v = li.valeurs[k - 1]
        conseil = (
            f"ce nombre est sans doute la valeur {ctx.annee} : saisissez-le dans la cellule {v.ref} "
            f"(« {d.entete_valeur(ctx.annee, k)} »), restée vide, et remettez la cible d'origine "
            f"(« {citer(texte) if texte != '' else '(vide)'} »)"
        )
    message = r.CELLULE_PREREMPLIE_MODIFIEE.texte(ref=ref, quoi=quoi, code=li.code, lu=citer(valeur), conseil=conseil)
    return ctx.anomalie(r.CELLULE_PREREMPLIE_MODIFIEE, message, ref, li.code)


def _nombre(valeur: Any) -> bool:
    return (
        isinstance(valeur, int | float)
        and not isinstance(valeur, bool)
        or bool(re.fullmatch(r"\s*\d[\d\s  ]*\s*", str(valeur)))
    )


def _autres_feuilles(ctx: Any, retour: Any) -> Verif:
    """Sheets added by the pilot (no table in them): each of their cells."""
    import dataclasses

    for feuille, ref, valeur in retour.autres_feuilles:
        yield _hors(dataclasses.replace(ctx, feuille=feuille), ref, valeur, f"sur la feuille ajoutée « {feuille} »")


def _commentaires(ctx: Any, retour: Any, par_ligne: Mapping[int, Any]) -> Verif:
    """Comments on an action's row join its observations; the others are reported at their cell."""
    import dataclasses

    repris: dict[str, list[str]] = {}
    for c in retour.commentaires:
        n = int("".join(ch for ch in c.ref if ch.isdigit()) or 0)
        sur = dataclasses.replace(ctx, feuille=c.feuille)
        qui = de(c.auteur) if c.auteur else "sans auteur"
        li = par_ligne.get(n) if c.feuille == retour.feuille else None
        if li is not None:
            # Carried as written: the gate (barriere.py, parent process) examines the observations it
            # joins with the language model, raises the erreur there and removes the data from every
            # output. In the observations (the signed bilan) the comment is the pilot's, like the
            # observations themselves: neither its author's name nor its cell (the report keeps both).
            repris.setdefault(li.code, []).append(f"[Commentaire] {' '.join(c.texte.split())}")
            message = r.COMMENTAIRE_REPRIS.texte(qui=qui, code=li.code, texte=citer(c.texte, ctx.protocole))
            yield sur.anomalie(r.COMMENTAIRE_REPRIS, message, c.ref, li.code)
        else:
            message = r.COMMENTAIRE_HORS_ACTION.texte(qui=qui, texte=citer(c.texte, ctx.protocole))
            yield sur.anomalie(r.COMMENTAIRE_HORS_ACTION, message, c.ref)
    return {k: tuple(v) for k, v in repris.items()}


def _lettre(colonne: int) -> str:
    return lettre_colonne(colonne)
