"""Stage 6 (beside bilan), the e-mails to the pilots. contacts (the address book) · textes
(subjects and bodies) · destinataires (who gets which workbook for each type of e-mail) · brouillons
(one .eml draft per recipient, workbook attached) · envoi
(sending over SMTP on request, journal against resending)."""

from vif38_bilan.commun.paresseux import exports

_NOMS = {
    "contacts_demo": "contacts",
}

__getattr__ = exports(__name__, _NOMS)
__all__ = sorted(_NOMS)
