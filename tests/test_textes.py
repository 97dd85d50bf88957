"""Clean text: Windows and Excel line breaks, control characters, one-line folding."""

from __future__ import annotations

import pytest

from vif38_bilan.commun.textes import a_des_controles, texte_propre


@pytest.mark.parametrize(
    ("brut", "propre"),
    [
        ("ligne 1\r\nligne 2", "ligne 1\nligne 2"),  # Windows line breaks pasted from Word
        ("ligne 1\rligne 2", "ligne 1\nligne 2"),  # lone carriage return
        ("ligne 1_x000D_\nligne 2", "ligne 1\nligne 2"),  # Excel's escaped CR kept literally
        ("ligne 1_x000d_ligne 2", "ligne 1\nligne 2"),
        ("ligne 1\vligne 2", "ligne 1\nligne 2"),  # vertical tab (Word manual line break)
        ("page 1\fpage 2", "page 1\npage 2"),  # form feed
        ("a\u2028b\u2029c\x85d", "a\nb\nc\nd"),
        ("12\tfemmes", "12 femmes"),
        ("bip\x07 nul\x00 esc\x1b del\x7f c1\x90", "bip nul esc del c1"),
        ("\ufeffdébut", "début"),
        ("fin de ligne   \r\nsuite", "fin de ligne\nsuite"),
        ("a\r\n\r\n\r\n\r\nb", "a\n\nb"),
        ("_x005F_x000D_ reste écrit", "_x000D_ reste écrit"),  # an escaped underscore is not a CR
        ("code _x0041_ tapé", "code _x0041_ tapé"),
        ("  12 femmes  ", "12 femmes"),
        (None, ""),
        (12, "12"),
    ],
)
def test_texte_propre(brut, propre):
    assert texte_propre(brut) == propre


def test_une_ligne():
    assert texte_propre("Objet :\r\n relance\t2023\x0b", une_ligne=True) == "Objet : relance 2023"


def test_observation_windows_de_1800_caracteres_sans_controle():
    brut = "\r\n".join(f"Paragraphe {i} : 12 femmes accompagnées, 3 réunions_x000D_" for i in range(40))[:1800]
    propre = texte_propre(brut)
    assert not a_des_controles(propre)
    assert "\r" not in propre and "_x000D_" not in propre
    assert propre.count("\n") >= 30


def test_a_des_controles():
    assert a_des_controles("a\rb") and a_des_controles("a\x0bb") and not a_des_controles("a\nb\tc")
