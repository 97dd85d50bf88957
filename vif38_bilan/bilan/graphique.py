"""Status bars chart of the bilan's synthesis (matplotlib, imported only when a bilan is written)."""

from __future__ import annotations

import io
from collections import Counter

from vif38_bilan.consolidation.disposition import ORDRE_STATUTS

# Stronger tones of the status fills (bilan_textes.COULEURS_STATUTS) for the chart.
COULEURS_GRAPHIQUE = {
    "EFFECTUÉE": "#63BE7B",
    "EN COURS": "#5B9BD5",
    "POURSUIVRE": "#FFD966",
    "LANCEMENT": "#9E86C8",
    "EN ATTENTE": "#F4B183",
    "ANNULÉE": "#A6A6A6",
    "NON RENSEIGNÉ": "#FFFFFF",
}


def graphique_statuts(comptes: list[tuple[str, Counter]], largeur_cm: float = 16.0) -> bytes:
    """Horizontal stacked bars: actions by status per axe. PNG bytes, stable for the same input."""
    import matplotlib

    matplotlib.use("Agg")
    from matplotlib.figure import Figure

    categories = [*ORDRE_STATUTS, "NON RENSEIGNÉ"]
    with matplotlib.rc_context(
        {"svg.hashsalt": "vif38", "font.family": "DejaVu Sans", "font.size": 8, "path.simplify": False}
    ):
        hauteur_in = 0.45 * len(comptes) + 1.0
        fig = Figure(figsize=(largeur_cm / 2.54, hauteur_in), dpi=150)
        ax = fig.add_subplot()
        etiquettes = [e for e, _ in comptes][::-1]
        gauche = [0] * len(comptes)
        for cat in categories:
            valeurs = [c.get(cat, 0) for _, c in comptes][::-1]
            if not any(valeurs):
                continue
            barres = ax.barh(
                etiquettes,
                valeurs,
                left=gauche,
                color=COULEURS_GRAPHIQUE[cat],
                edgecolor="#404040",
                linewidth=0.5,
                label=cat.capitalize(),
            )
            for b, v in zip(barres, valeurs, strict=True):
                if v:
                    ax.text(
                        b.get_x() + b.get_width() / 2,
                        b.get_y() + b.get_height() / 2,
                        str(v),
                        ha="center",
                        va="center",
                        fontsize=7,
                    )
            gauche = [g + v for g, v in zip(gauche, valeurs, strict=True)]
        ax.set_xlabel("Nombre d'actions")
        ax.spines[["top", "right"]].set_visible(False)
        ax.set_xlim(0, max(gauche + [1]) * 1.02)
        ax.legend(
            loc="upper center",
            bbox_to_anchor=(0.5, -0.35 if len(comptes) > 2 else -0.5),
            ncol=4,
            frameon=False,
            fontsize=7,
        )
        fig.subplots_adjust(left=0.12, right=0.98, top=0.97, bottom=0.38 if len(comptes) > 2 else 0.5)
        sortie = io.BytesIO()
        fig.savefig(sortie, format="png", metadata={"Software": None})
    return sortie.getvalue()


PALETTE_CHIFFRES = ("#5B9BD5", "#63BE7B", "#F4B183", "#9E86C8", "#FFD966", "#A6A6A6")


def graphique_chiffres(
    annees: list[int], series: list[tuple[str, list[int | None]]], unite: str = "", largeur_cm: float = 16.0
) -> bytes:
    """A key figure year over year: one bar per row and year (a missing year is a gap, never 0). PNG bytes, stable for the same input; same fonts as the status chart."""
    import matplotlib

    matplotlib.use("Agg")
    from matplotlib.figure import Figure
    from matplotlib.ticker import MaxNLocator

    with matplotlib.rc_context(
        {"svg.hashsalt": "vif38", "font.family": "DejaVu Sans", "font.size": 8, "path.simplify": False}
    ):
        fig = Figure(figsize=(largeur_cm / 2.54, 2.2), dpi=150)
        ax = fig.add_subplot()
        positions = list(range(len(annees)))
        haut = max([v for _, valeurs in series for v in valeurs if v is not None] + [1])
        # Grouped bars: a missing year stays a gap, never a bar at 0.
        largeur_barre = 0.7 / len(series)
        for k, (libelle, valeurs) in enumerate(series):
            decalage = (k - (len(series) - 1) / 2) * largeur_barre
            x = [p + decalage for p, v in zip(positions, valeurs, strict=True) if v is not None]
            y = [v for v in valeurs if v is not None]
            barres = ax.bar(
                x,
                y,
                width=largeur_barre * 0.92,
                color=PALETTE_CHIFFRES[k % len(PALETTE_CHIFFRES)],
                edgecolor="#404040",
                linewidth=0.5,
                label=libelle,
            )
            if len(series) <= 3:
                for b, v in zip(barres, y, strict=True):
                    ax.text(
                        b.get_x() + b.get_width() / 2, b.get_height() + haut * 0.02, str(v), ha="center", fontsize=6.5
                    )
        if len(series) > 1:
            colonnes = 1 if max(len(libelle) for libelle, _ in series) > 28 else min(3, len(series))
            ax.legend(loc="upper center", bbox_to_anchor=(0.5, -0.12), ncol=colonnes, frameon=False, fontsize=7)
        ax.yaxis.set_major_locator(MaxNLocator(integer=True))
        ax.set_xticks(positions, [str(a) for a in annees])
        ax.set_ylim(0, haut * 1.15)
        if unite:
            ax.set_ylabel(unite.capitalize())
        ax.spines[["top", "right"]].set_visible(False)
        sortie = io.BytesIO()
        # Cropped to what is drawn: a long legend under the bars is neither cut off nor padded.
        fig.savefig(sortie, format="png", metadata={"Software": None}, bbox_inches="tight", pad_inches=0.05)
    return sortie.getvalue()
