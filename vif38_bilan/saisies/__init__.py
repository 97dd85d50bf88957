"""Stage 3, the returns received. retour (one return read: cells and their places) ·
chiffres_cles (its key-figure sheet) · dossiers (the returns folder: what is read, what is set
aside) · depot (files dropped into the workspace, never overwriting) · pieces_jointes (attachments taken out
of e-mails, winmail.dat and archives, names decoded) · proprietes (saved time and custom properties)."""

