#!/usr/bin/env bash
# Build sysmap as a PyInstaller one-folder application: dist/sysmap/sysmap (sysmap.exe on
# Windows, dist/sysmap.app on macOS), which runs on a machine with no Python.
#
#   packaging/build.sh            use the active virtualenv, else the repository's .venv
#   packaging/build.sh --fresh    build in a new virtualenv (build/pyinstaller-venv) holding only
#                                 sysmap's own dependencies (needs the package index)
#
# Installs PyInstaller (the `packaging` extra) when missing, builds, and prints the bundle's
# size, its file count and the build time (also written to dist/sysmap-build.txt, which
# packaging/check_bundle.py reads).
set -euo pipefail
cd "$(dirname "$0")/.."

say() { printf 'build: %s\n' "$*" >&2; }

fresh=0
for arg in "$@"; do
    case "$arg" in
        --fresh) fresh=1 ;;
        -h|--help) sed -n '2,11p' "$0" | sed 's/^# \{0,1\}//'; exit 0 ;;
        *) say "unknown option $arg"; exit 2 ;;
    esac
done

if [ "$fresh" = 1 ]; then
    venv=build/pyinstaller-venv
    if [ ! -x "$venv/bin/python" ]; then
        say "creating $venv"
        "${PYTHON:-python3}" -m venv "$venv"
        "$venv/bin/python" -m pip install -q --upgrade pip
    fi
    say "installing sysmap and PyInstaller into $venv"
    "$venv/bin/python" -m pip install -q '.[packaging]'
    python="$venv/bin/python"
elif [ -n "${VIRTUAL_ENV:-}" ] && [ -x "$VIRTUAL_ENV/bin/python" ]; then
    python="$VIRTUAL_ENV/bin/python"
elif [ -x .venv/bin/python ]; then
    python=.venv/bin/python
else
    say "no virtualenv active and no .venv here: run ./dev test once, or use --fresh"
    exit 1
fi

if ! "$python" -c 'import PyInstaller' 2>/dev/null; then
    say "installing PyInstaller"
    "$python" -m pip install -q 'pyinstaller>=6'
fi

say "building with $("$python" -m PyInstaller --version 2>/dev/null | head -1 | sed 's/^/PyInstaller /') ($python)"
start=$(date +%s.%N)
"$python" -m PyInstaller --noconfirm --clean --log-level WARN \
    --distpath dist --workpath build/pyinstaller packaging/sysmap.spec
if [ "$(uname -s)" = Linux ] && command -v strip >/dev/null; then
    # Python's own libraries carry debug symbols (about 25 MB). PyInstaller's strip option would
    # strip everything and break auditwheel-patched libraries (numpy's OpenBLAS), so only these.
    find dist/sysmap/_internal -maxdepth 1 -name 'libpython3*.so*' -exec strip --strip-unneeded {} +
    find dist/sysmap/_internal -path '*/lib-dynload/*.so' -exec strip --strip-unneeded {} +
fi
end=$(date +%s.%N)
seconds=$(awk -v a="$start" -v b="$end" 'BEGIN { printf "%.1f", b - a }')

bundle=dist/sysmap
size_mb=$(du -sk "$bundle" | awk '{ printf "%.1f", $1 / 1024 }')
files=$(find "$bundle" -type f | wc -l | tr -d ' ')
printf 'build_seconds=%s\nsize_mb=%s\nfiles=%s\n' "$seconds" "$size_mb" "$files" > dist/sysmap-build.txt
echo "bundle:      $bundle ($(ls "$bundle"/sysmap* | head -1))"
echo "size:        $size_mb MB"
echo "files:       $files"
echo "build time:  $seconds s"
