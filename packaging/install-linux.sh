#!/usr/bin/env bash
# Install sysmap's desktop integration on Linux: the .desktop entry, the AppStream metainfo,
# the XMILE MIME type and the icons, then refresh the desktop, MIME and icon caches.
#
#   packaging/install-linux.sh                 into ~/.local/share (this user)
#   PREFIX=/usr/local packaging/install-linux.sh   into /usr/local/share (as root)
#   packaging/install-linux.sh --uninstall     remove what it installed
#
# The `sysmap` command itself comes from `pip install` (or `pipx install`) or from the
# PyInstaller bundle: set EXEC=/opt/sysmap/sysmap to point the menu entry at a bundle that is
# not on PATH. DESTDIR is honoured for staging (distribution packages).
set -euo pipefail
cd "$(dirname "$0")/.."

APP_ID=io.github.sysmap.sysmap
RES=resources
if [ -n "${PREFIX:-}" ]; then share="$PREFIX/share"; else share="${XDG_DATA_HOME:-$HOME/.local/share}"; fi
dest="${DESTDIR:-}$share"

say() { printf 'install-linux: %s\n' "$*" >&2; }

refresh() {
    [ -n "${DESTDIR:-}" ] && return 0   # staging: the package's own scripts refresh the caches
    if command -v update-desktop-database >/dev/null; then update-desktop-database -q "$dest/applications" || true; fi
    if command -v update-mime-database >/dev/null; then update-mime-database "$dest/mime" || true; fi
    # -t: a user's hicolor folder usually has no index.theme (GTK ignores a cache older than its folder)
    if command -v gtk-update-icon-cache >/dev/null; then gtk-update-icon-cache -q -t -f "$dest/icons/hicolor" || true; fi
}

if [ "${1:-}" = "--uninstall" ]; then
    rm -f "$dest/applications/$APP_ID.desktop" "$dest/metainfo/$APP_ID.metainfo.xml" \
          "$dest/mime/packages/$APP_ID.xml"
    find "$dest/icons/hicolor" -name "$APP_ID.*" -delete 2>/dev/null || true
    refresh
    say "removed sysmap's desktop integration from $dest"
    exit 0
elif [ $# -gt 0 ]; then
    sed -n '2,12p' "$0" | sed 's/^# \{0,1\}//'
    exit 2
fi

install -d "$dest/applications" "$dest/metainfo" "$dest/mime/packages"
if [ -n "${EXEC:-}" ]; then
    sed -e "s|^Exec=sysmap|Exec=$EXEC|" -e "s|^TryExec=sysmap|TryExec=$EXEC|" \
        "$RES/$APP_ID.desktop" > "$dest/applications/$APP_ID.desktop"
    chmod 644 "$dest/applications/$APP_ID.desktop"
else
    install -m 644 "$RES/$APP_ID.desktop" "$dest/applications/$APP_ID.desktop"
fi
install -m 644 "$RES/$APP_ID.metainfo.xml" "$dest/metainfo/$APP_ID.metainfo.xml"
install -m 644 "$RES/$APP_ID.xml" "$dest/mime/packages/$APP_ID.xml"
count=0
while IFS= read -r icon; do
    rel=${icon#"$RES/icons/"}
    install -D -m 644 "$icon" "$dest/icons/$rel"
    count=$((count + 1))
done < <(find "$RES/icons/hicolor" -type f -name "$APP_ID.*" | sort)
refresh
say "installed the desktop entry, metainfo, MIME type and $count icons under $dest"
if [ -z "${EXEC:-}" ] && ! command -v sysmap >/dev/null; then
    say "note: no 'sysmap' command on PATH yet: pip install sysmap, or set EXEC to the bundle's sysmap"
fi
