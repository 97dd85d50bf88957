"""Face: the command line (click). principal (the group and the year's commands) · accueil
(init, config, common options) · courriels · document (modele, valider, verifier) · arbitrages (the arbitrer command) · imports (the
--importer options) · francais (click's own messages in French) · console
(output that never fails on a code page) · poste (what the Windows launchers run)."""

