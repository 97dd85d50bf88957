"""The local web page: the year at a glance, returns dropped in the browser, the bilan downloaded.

`vif38-bilan web` starts it (serveur.lancer); creer_app builds the application for tests.
Re-exported lazily (PEP 562): importing the command must not load Flask.
"""

_NOMS = {"creer_app": "app", "Demarre": "serveur", "demarrer": "serveur", "lancer": "serveur"}


def __getattr__(nom: str):
    if nom in _NOMS:
        from importlib import import_module

        return getattr(import_module(f"vif38_bilan.web.{_NOMS[nom]}"), nom)
    raise AttributeError(f"module 'vif38_bilan.web' has no attribute {nom!r}")


__all__ = ["Demarre", "creer_app", "demarrer", "lancer"]
