"""Foundation shared by every stage: atomic writing and the workspace lock (ecriture), French
numbers and sizes (nombres), text cleaning and cutting (textes), streamed xlsx writing (classeur_flux),
hand-edited TOML in French (toml_fr), lazy package-level names (paresseux)."""

