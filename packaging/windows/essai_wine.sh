#!/usr/bin/env bash
# The Windows bundle run under Wine 10 (Debian 13 "trixie" chroot), compared with Linux.
#
#   packaging/windows/essai_wine.sh [ZIP]     (root; builds the zip with construire.py when not given)
#
# 1. A trixie chroot with Wine (debootstrap --variant=minbase, the mirror of this machine's apt
#    sources; apt-get install --no-install-recommends wine wine64), cached in $VIF38_CACHE_WINE
#    (default /var/cache/vif38-bilan/wine-trixie): made once, reused by later runs.
# 2. The zip unpacked into a folder whose path has spaces and accents (an OneDrive-like folder).
# 3. Under Wine, from a workspace folder with an accent: `demo`, then `controler` and
#    `bilan --annee 2023` in demo-vif38; `--help` redirected to a file through the launcher and
#    through python.exe without -X utf8 (the code page fallback); `web --sans-navigateur`: the
#    page answers 200 with its token, 403 without.
# 4. The same commands natively on Linux (this commit, a venv under the cache); the bilans' text
#    must be identical.
# Mounts are made in a private mount namespace (unshare): they vanish with the script.
set -euo pipefail
ICI="$(cd "$(dirname "$0")" && pwd)"
RACINE="$(cd "$ICI/../.." && pwd)"
CACHE="${VIF38_CACHE_WINE:-/var/cache/vif38-bilan/wine-trixie}"
VENV_LINUX="${CACHE}-venv-linux"
TRAVAIL="$(mktemp -d /tmp/vif38-essai-wine.XXXXXX)"
PORT="${VIF38_PORT_ESSAI:-$((20000 + RANDOM % 20000))}"
DEBUT=$(date +%s)
etape() { echo "[essai_wine $(($(date +%s) - DEBUT)) s] $*"; }
echec() { echo "ÉCHEC : $*" >&2; exit 1; }

dans_le_chroot() {  # dans_le_chroot COMMAND... : run in the chroot with /proc and /dev
  # (the chroot's own /tmp is kept: Wine finds its running wineserver through it)
  unshare --mount --propagation private bash -c '
    c="$1"; shift
    mount --bind /proc "$c/proc"; mount --bind /dev "$c/dev"
    mount -t tmpfs tmpfs "$c/dev/shm"
    exec chroot "$c" env -i HOME=/root PATH=/usr/local/bin:/usr/bin:/bin LANG=C.UTF-8 \
      XDG_RUNTIME_DIR=/tmp WINEDEBUG=-all WINEPREFIX=/root/.wine-vif38 "$@"
  ' _ "$CACHE" "$@"
}

# ---------------------------------------------------------------- 1. the chroot
if [ ! -e "$CACHE/.pret" ]; then
  etape "chroot Debian 13 + Wine dans $CACHE (une seule fois)"
  command -v debootstrap >/dev/null || { apt-get update -qq && apt-get install -y -qq debootstrap >/dev/null; }
  miroir="$(sed -n 's/^URIs: *//p' /etc/apt/sources.list.d/*.sources 2>/dev/null | grep -v security | head -1 || true)"
  [ -n "$miroir" ] || miroir="$(awk '$1 == "deb" && $3 !~ /security/ {print $2; exit}' /etc/apt/sources.list 2>/dev/null || true)"
  [ -n "$miroir" ] || echec "aucun miroir Debian dans les sources apt de cette machine"
  rm -rf "$CACHE.tmp" && mkdir -p "$(dirname "$CACHE")"
  debootstrap --variant=minbase trixie "$CACHE.tmp" "$miroir" >"$TRAVAIL/debootstrap.log" 2>&1 \
    || { tail -20 "$TRAVAIL/debootstrap.log"; echec "debootstrap"; }
  rm -rf "$CACHE" && mv "$CACHE.tmp" "$CACHE"
  dans_le_chroot bash -c 'apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq \
    --no-install-recommends wine wine64 >/dev/null && apt-get clean && wineboot -i >/dev/null 2>&1; wineserver -w'
  touch "$CACHE/.pret"
fi
dans_le_chroot wine --version
trap 'dans_le_chroot wineserver -k >/dev/null 2>&1 || true' EXIT

# ---------------------------------------------------------------- 2. the bundle
ZIP="${1:-}"
if [ -z "$ZIP" ]; then
  etape "construction du zip"
  python3 "$ICI/construire.py" --sortie "$TRAVAIL/sortie" >"$TRAVAIL/construire.log" 2>&1 \
    || { tail -30 "$TRAVAIL/construire.log"; echec "construire.py"; }
  grep -v '^WARNING' "$TRAVAIL/construire.log" | grep -E 'Mo|CPython' || true
  ZIP="$TRAVAIL/sortie/vif38-bilan-windows-x64.zip"
fi
ESSAI="$CACHE/root/.wine-vif38/drive_c/users/root"
rm -rf "$ESSAI/OneDrive - Préfecture" "$ESSAI/Documents/Bilans été"
OUTIL="$ESSAI/OneDrive - Préfecture/Outils été 2024/vif38-bilan"
ESPACE="$ESSAI/Documents/Bilans été"
mkdir -p "$OUTIL" "$ESPACE" && (cd "$OUTIL" && python3 -m zipfile -e "$ZIP" .)
etape "venv Linux (même commit) et cale de test si numpy est livré"
[ -x "$VENV_LINUX/bin/python" ] || python3 -m venv "$VENV_LINUX"
"$VENV_LINUX/bin/python" -m pip install -q "$RACINE" pefile >"$TRAVAIL/pip-linux.log" 2>&1 \
  || { tail "$TRAVAIL/pip-linux.log"; echec "pip install (Linux)"; }
if [ -d "$OUTIL/python/Lib/site-packages/numpy" ]; then
  # Wine 10 lacks ucrtbase's crealf, which numpy imports: a test-only shim (cale_wine.py), never shipped.
  command -v x86_64-w64-mingw32-gcc >/dev/null || { apt-get update -qq && \
    DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends gcc-mingw-w64-x86-64-win32 >/dev/null; }
  "$VENV_LINUX/bin/python" "$ICI/cale_wine.py" "$OUTIL"
fi
W_OUTIL='C:\users\root\OneDrive - Préfecture\Outils été 2024\vif38-bilan'
C_ESPACE="/root/.wine-vif38/drive_c/users/root/Documents/Bilans été"

# ---------------------------------------------------------------- 3. under Wine
etape "Wine : demo, controler, bilan --annee 2023, --help"
cat >"$CACHE/root/essai.sh" <<EOF
set -u
cd "$C_ESPACE"
outil='$W_OUTIL'
wine cmd /c "\$outil\\vif38-bilan.cmd" demo >demo.log 2>&1; echo "demo \$?" >codes.txt
cd demo-vif38
wine cmd /c "\$outil\\vif38-bilan.cmd" controler --annee 2023 >../controler.log 2>&1; echo "controler \$?" >>../codes.txt
wine cmd /c "\$outil\\vif38-bilan.cmd" bilan --annee 2023 >../bilan.log 2>&1; echo "bilan \$?" >>../codes.txt
# Redirections in small ASCII .cmd files: the tool's path (accents, spaces) comes through the
# environment, converted by Wine like any Windows variable.
export VIF38_OUTIL="\$outil"
printf '@call "%%VIF38_OUTIL%%\\\\vif38-bilan.cmd" --help > aide.txt\r\n' >aide.cmd
printf '@"%%VIF38_OUTIL%%\\\\python\\\\python.exe" -m vif38_bilan --help > aide-sans-utf8.txt\r\n' >aide2.cmd
wine cmd /c aide.cmd; echo "aide \$?" >>../codes.txt
wine cmd /c aide2.cmd; echo "aide-sans-utf8 \$?" >>../codes.txt
wineserver -w
EOF
dans_le_chroot bash /root/essai.sh
cat "$ESPACE/codes.txt"
for f in demo controler bilan; do echo "--- $f (fin)"; tail -5 "$ESPACE/$f.log" | tr -d '\r'; done

etape "Wine : web --sans-navigateur sur le port $PORT"
cat >"$CACHE/root/web.sh" <<EOF
cd "$C_ESPACE/demo-vif38"
wine cmd /c '$W_OUTIL\\vif38-bilan.cmd' web --sans-navigateur --port $PORT >../web.log 2>&1
EOF
dans_le_chroot bash /root/web.sh &
WEB=$!
python3 - "$ESPACE/web.log" "$PORT" <<'PY' || WEB_ECHEC=1
import http.cookiejar, re, sys, time, urllib.error, urllib.request
journal, port = sys.argv[1], sys.argv[2]
adresse = None
for _ in range(240):
    try:
        m = re.search(r"(http://127\.0\.0\.1:%s/\S+)" % port, open(journal, encoding="utf-8", errors="replace").read())
    except OSError:
        m = None
    if m:
        adresse = m.group(1)
        break
    time.sleep(0.5)
if not adresse:
    sys.exit("la page n'a pas donné son adresse en 2 minutes")
def code(url):
    navigateur = urllib.request.build_opener(urllib.request.HTTPCookieProcessor(http.cookiejar.CookieJar()))
    try:
        return navigateur.open(url, timeout=60).status
    except urllib.error.HTTPError as e:
        return e.code
avec, sans = code(adresse), code(f"http://127.0.0.1:{port}/")
print(f"web : {avec} avec le jeton, {sans} sans")
sys.exit(0 if (avec, sans) == (200, 403) else 1)
PY
dans_le_chroot wineserver -k || true
wait "$WEB" 2>/dev/null || true

# ---------------------------------------------------------------- 3b. the MSI, under Wine
MSI="${ZIP%.zip}.msi"
if [ -f "$MSI" ]; then
  etape "Wine : MSI par utilisateur (installation, --help, raccourcis, désinstallation)"
  cp "$MSI" "$CACHE/root/vif38.msi"
  cat >"$CACHE/root/msi.sh" <<'EOF'
set -u
base=/root/.wine-vif38/drive_c/users/root
prog="$base/AppData/Local/Programs/vif38-bilan"
menu="$base/AppData/Roaming/Microsoft/Windows/Start Menu/Programs/vif38-bilan"
cd /root && rm -f msi.txt aide-msi.txt raccourcis.txt
wine msiexec /i 'Z:\root\vif38.msi' /qn; echo "installation $?" >>msi.txt
[ -f "$prog/vif38-bilan.cmd" ] && echo "programme 0" >>msi.txt || echo "programme 1" >>msi.txt
ls "$menu" >raccourcis.txt 2>&1; [ -f "$menu/Page de travail vif38-bilan.lnk" ] && [ -f "$menu/Console vif38-bilan.lnk" ] \
  && echo "raccourcis 0" >>msi.txt || echo "raccourcis 1" >>msi.txt
printf '@call "%%LOCALAPPDATA%%\\Programs\\vif38-bilan\\vif38-bilan.cmd" --help > aide-msi.txt\r\n' >aide-msi.cmd
wine cmd /c aide-msi.cmd; echo "aide-msi $?" >>msi.txt
grep -q "Utilisation : vif38-bilan" aide-msi.txt && echo "aide-msi-texte 0" >>msi.txt || echo "aide-msi-texte 1" >>msi.txt
wine msiexec /x 'Z:\root\vif38.msi' /qn; echo "desinstallation $?" >>msi.txt
[ ! -e "$prog" ] && [ ! -e "$menu" ] && echo "propre 0" >>msi.txt || echo "propre 1" >>msi.txt
wineserver -w
EOF
  dans_le_chroot bash /root/msi.sh >"$TRAVAIL/msi.log" 2>&1 || true
  cat "$CACHE/root/msi.txt" "$CACHE/root/raccourcis.txt"
  if grep -qv " 0$" "$CACHE/root/msi.txt"; then MSI_ECHEC=1; fi
fi

# ---------------------------------------------------------------- 4. Linux, same commit
etape "Linux : les mêmes commandes"
mkdir -p "$TRAVAIL/linux"
(
  cd "$TRAVAIL/linux" && export PYTHONPATH="$RACINE"
  lancer() {  # lancer NAME ARGS...: run the tool, log its output, record its exit code
    local nom="$1" rc=0; shift
    "$VENV_LINUX/bin/python" -m vif38_bilan "$@" >"$TRAVAIL/linux/$nom.log" 2>&1 || rc=$?
    echo "$nom $rc" >>"$TRAVAIL/linux/codes.txt"
  }
  lancer demo demo
  cd demo-vif38
  lancer controler controler --annee 2023
  lancer bilan bilan --annee 2023
)

etape "comparaison"
PYTHONPATH="$RACINE" "$VENV_LINUX/bin/python" - "$ESPACE" "$TRAVAIL/linux" <<'PY' || ECHEC_COMPARAISON=1
import sys
from pathlib import Path
import docx

wine, linux = map(Path, sys.argv[1:3])
erreurs = []
codes = dict(l.split() for l in (wine / "codes.txt").read_text().splitlines())
attendus = {"aide": "0", "aide-sans-utf8": "0"}
attendus.update(l.split() for l in (linux / "codes.txt").read_text().splitlines())
print("codes de sortie (Wine) :", codes, "; (Linux) :", attendus)
erreurs += [f"{c} : code {codes.get(c)} sous Wine, {v} sous Linux" for c, v in attendus.items() if codes.get(c) != v]
for nom in ("aide.txt", "aide-sans-utf8.txt"):
    f = wine / "demo-vif38" / nom
    texte = f.read_bytes().decode("utf-8", "replace") if f.is_file() else ""
    if not texte.startswith("Utilisation : vif38-bilan") or "→" not in texte:
        erreurs.append(f"{nom} : aide absente ou mal encodée ({texte[:60]!r})")

def texte(chemin):
    d = docx.Document(chemin)
    lignes = [p.text for p in d.paragraphs]
    lignes += [c.text for t in d.tables for r in t.rows for c in r.cells]
    return lignes

def bilans(racine):
    return sorted(p.relative_to(racine) for p in (racine / "demo-vif38" / "sorties").rglob("*.docx"))

bw, bl = bilans(wine), bilans(linux)
if bw != bl or not any(r.name.startswith("bilan-") for r in bl):
    erreurs.append(f"documents Word différents : Wine {[str(p) for p in bw]} ; Linux {[str(p) for p in bl]}")
# The signed bilans must match; the working notes beside them hold absolute paths and the SHA-256
# of files the demo generates anew at each run, so they differ between any two runs.
for rel in [r for r in bl if r.name.startswith("bilan-")]:
    if (wine / rel).is_file():
        a, b = texte(wine / rel), texte(linux / rel)
        if a != b:
            diff = [(x, y) for x, y in zip(a, b) if x != y][:3]
            erreurs.append(f"{rel} : texte différent ({len(a)} / {len(b)} lignes), par exemple {diff}")
        else:
            print(f"identique sous Wine et sous Linux : {rel} ({len(a)} paragraphes et cellules)")
for e in erreurs:
    print("ÉCHEC :", e)
sys.exit(1 if erreurs else 0)
PY
DUREE=$(($(date +%s) - DEBUT))
if [ -n "${WEB_ECHEC:-}${ECHEC_COMPARAISON:-}${MSI_ECHEC:-}" ]; then
  echo "essai_wine : ÉCHEC en $DUREE s (journaux : $ESPACE, $TRAVAIL)"
  exit 1
fi
rm -rf "$TRAVAIL"
echo "essai_wine : RÉUSSI en $DUREE s"
