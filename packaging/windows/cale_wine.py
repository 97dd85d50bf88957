"""TEST ONLY, never shipped: let numpy's Windows wheel import under Wine 10.

Wine 10's ucrtbase.dll lacks crealf (and its siblings): numpy's _multiarray_umath imports them
from api-ms-win-crt-math-l1-1-0.dll and the process aborts at `import numpy` (« unimplemented
function ucrtbase.dll.crealf »). In the unpacked copy under test only, each binary importing
one of them is pointed (its import's DLL name, same length) at a small DLL built here with
Debian's mingw-w64: it implements those few functions and forwards every other name to ucrtbase.

    python cale_wine.py DOSSIER   (the unpacked bundle; needs pefile and x86_64-w64-mingw32-gcc)
"""

from __future__ import annotations

import subprocess
import sys
import tempfile
from pathlib import Path

import pefile

API = b"api-ms-win-crt-math-l1-1-0.dll"
CALE = b"vif38-cale-crt-math-l1-1-0.dll"  # same length: patched in place
assert len(API) == len(CALE)
# MSVC's _Fcomplex/_Dcomplex/_Lcomplex are structs of two floats/doubles (long double = double).
C = """
typedef struct { float v[2]; } fcx;
typedef struct { double v[2]; } dcx;
float crealf(fcx z) { return z.v[0]; }
float cimagf(fcx z) { return z.v[1]; }
double creal(dcx z) { return z.v[0]; }
double cimag(dcx z) { return z.v[1]; }
double creall(dcx z) { return z.v[0]; }
double cimagl(dcx z) { return z.v[1]; }
"""
FOURNIES = {"crealf", "cimagf", "creal", "cimag", "creall", "cimagl"}


def _imports(chemin: Path) -> list[str] | None:
    pe = pefile.PE(str(chemin), fast_load=True)
    pe.parse_data_directories([pefile.DIRECTORY_ENTRY["IMAGE_DIRECTORY_ENTRY_IMPORT"]])
    for e in getattr(pe, "DIRECTORY_ENTRY_IMPORT", []):
        if e.dll.lower() == API:
            return [i.name.decode() for i in e.imports if i.name]
    return None


def caler(dossier: Path) -> list[Path]:
    """Patch the binaries that need a missing function; return them."""
    cibles = {}
    for p in [*dossier.rglob("*.pyd"), *dossier.rglob("*.dll")]:
        noms = _imports(p)
        if noms and FOURNIES & set(noms):
            cibles[p] = noms
    if not cibles:
        return []
    exports = sorted({n for noms in cibles.values() for n in noms})
    with tempfile.TemporaryDirectory() as tmp:
        t = Path(tmp)
        (t / "cale.c").write_text(C)
        lignes = [n if n in FOURNIES else f"{n} = ucrtbase.{n}" for n in exports]
        (t / "cale.def").write_text(f"LIBRARY {CALE.decode()}\nEXPORTS\n" + "\n".join(lignes) + "\n")
        dll = t / CALE.decode()
        subprocess.run(
            [
                "x86_64-w64-mingw32-gcc",
                "-O2",
                "-fno-builtin",
                "-shared",
                "-o",
                str(dll),
                str(t / "cale.c"),
                str(t / "cale.def"),
            ],
            check=True,
        )
        for p in cibles:
            donnees = p.read_bytes()
            i = donnees.lower().find(API + b"\0")
            p.write_bytes(donnees[:i] + CALE + donnees[i + len(API) :])
            (p.parent / CALE.decode()).write_bytes(dll.read_bytes())
    return list(cibles)


if __name__ == "__main__":
    for p in caler(Path(sys.argv[1])):
        print(f"cale de test (Wine) : {p.name} → {CALE.decode()}")
