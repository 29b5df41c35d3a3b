#!/usr/bin/env bash
# Install the one-folder build (dist/pmpm-desktop) for one user or, as root, for everyone:
#
#   bash packaging/linux/install.sh                   # → ~/.local (no root needed)
#   sudo bash packaging/linux/install.sh --prefix /usr/local
#   bash packaging/linux/install.sh --uninstall [--prefix DIR]
#
# Puts the folder in PREFIX/lib/pmpm-desktop, links PREFIX/bin/pmpm-desktop and PREFIX/bin/pmpm,
# and adds the menu entry (Office ▸ PMPM Desktop) and its icons. The databases are not touched:
# they live in the user's data folder (~/.local/share/PMPM Desktop).
set -euo pipefail
HERE="$(cd "$(dirname "$0")" && pwd)"
ROOT="$(cd "$HERE/../.." && pwd)"
PREFIX="$HOME/.local"
DIST="$ROOT/dist/pmpm-desktop"
UNINSTALL=0
while [ $# -gt 0 ]; do
  case "$1" in
    --prefix) PREFIX="$2"; shift 2 ;;
    --dist) DIST="$2"; shift 2 ;;
    --uninstall) UNINSTALL=1; shift ;;
    -h|--help) sed -n '2,10p' "$0"; exit 0 ;;
    *) echo "install.sh: unknown option $1 (see --help)" >&2; exit 2 ;;
  esac
done
APPDIR="$PREFIX/lib/pmpm-desktop"
ICONS="$PREFIX/share/icons/hicolor"
DESKTOP_FILE="$PREFIX/share/applications/pmpm-desktop.desktop"
SIZES="16 24 32 48 64 128 256"

if [ "$UNINSTALL" = 1 ]; then
  rm -rf "$APPDIR"
  rm -f "$PREFIX/bin/pmpm-desktop" "$PREFIX/bin/pmpm" "$DESKTOP_FILE"
  for s in $SIZES; do rm -f "$ICONS/${s}x${s}/apps/pmpm-desktop.png"; done
  echo "PMPM Desktop removed from $PREFIX (databases in the data folder are kept)"
  exit 0
fi

if [ ! -x "$DIST/pmpm-desktop" ]; then
  echo "install.sh: no build in $DIST: run 'bash packaging/build.sh' first" >&2
  exit 1
fi
mkdir -p "$PREFIX/lib" "$PREFIX/bin" "$PREFIX/share/applications"
rm -rf "$APPDIR.new"
cp -a "$DIST" "$APPDIR.new"
rm -rf "$APPDIR"
mv "$APPDIR.new" "$APPDIR"
ln -sfn "$APPDIR/pmpm-desktop" "$PREFIX/bin/pmpm-desktop"
ln -sfn "$APPDIR/pmpm" "$PREFIX/bin/pmpm"
for s in $SIZES; do
  mkdir -p "$ICONS/${s}x${s}/apps"
  cp "$ROOT/resources/pmpm-$s.png" "$ICONS/${s}x${s}/apps/pmpm-desktop.png"
done
# the menu entry runs the installed program by its full path (PREFIX/bin may not be on PATH)
sed -e "s|^Exec=pmpm-desktop|Exec=$APPDIR/pmpm-desktop|" \
    -e "s|^TryExec=pmpm-desktop|TryExec=$APPDIR/pmpm-desktop|" \
    "$HERE/pmpm-desktop.desktop" > "$DESKTOP_FILE"
command -v update-desktop-database >/dev/null && update-desktop-database -q "$PREFIX/share/applications" || true
command -v gtk-update-icon-cache >/dev/null && gtk-update-icon-cache -q -t "$ICONS" 2>/dev/null || true
echo "PMPM Desktop installed in $APPDIR"
echo "  start it from the menu (Office ▸ PMPM Desktop) or with $PREFIX/bin/pmpm-desktop"
echo "  the command line: $PREFIX/bin/pmpm --help"
