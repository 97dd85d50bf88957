"""Status bars chart of the bilan's synthesis (matplotlib, imported only when a bilan is written)."""

from __future__ import annotations

import io
from collections import Counter

from vif38_bilan.disposition_consolidation import ORDRE_STATUTS

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
