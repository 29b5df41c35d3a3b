#!/usr/bin/env bash
# Build PMPM Desktop: one folder, dist/pmpm-desktop/, holding pmpm-desktop (the window) and
# pmpm (the command line). One command from a fresh checkout:
#
#   bash packaging/build.sh [--dist DIR] [--work DIR] [--no-setup] [--no-icons]
#                           [--windows-installer]
#
#   --dist DIR            where the folder goes (default: dist)
#   --work DIR            PyInstaller's work folder (default: build)
#   --no-setup            skip scripts/setup.sh (the venv is ready; used by the tests)
#   --no-icons            use resources/ as checked in (do not re-export the icons)
#   --windows-installer   also run NSIS: on Windows it builds dist/pmpm-desktop-VERSION-setup.exe;
#                         elsewhere it only compiles the script as a check (installing Debian's
#                         nsis package when root), since a Linux build cannot go into it
set -euo pipefail
cd "$(dirname "$0")/.."
ROOT="$(pwd)"
DIST=dist
WORK=build
SETUP=1
ICONS=1
NSIS=0
while [ $# -gt 0 ]; do
  case "$1" in
    --dist) DIST="$2"; shift 2 ;;
    --work) WORK="$2"; shift 2 ;;
    --no-setup) SETUP=0; shift ;;
    --no-icons) ICONS=0; shift ;;
    --windows-installer) NSIS=1; shift ;;
    -h|--help) sed -n '2,15p' "$0"; exit 0 ;;
    *) echo "build.sh: unknown option $1 (see --help)" >&2; exit 2 ;;
  esac
done
# absolute from here on (PyInstaller and makensis each resolve relative paths their own way)
absolute() { case "$1" in /*|[A-Za-z]:*) echo "$1" ;; *) echo "$ROOT/$1" ;; esac; }
DIST=$(absolute "$DIST")
WORK=$(absolute "$WORK")
case "$(uname -s)" in
  MINGW*|MSYS*|CYGWIN*) PY=.venv/Scripts/python.exe; WINDOWS=1 ;;
  *) PY=.venv/bin/python; WINDOWS=0 ;;
esac

started=$(date +%s)
if [ "$SETUP" = 1 ]; then
  bash scripts/setup.sh
fi
if [ "$(uname -s)" = Linux ] && ! command -v objdump >/dev/null; then
  echo "build.sh: PyInstaller needs objdump on Linux: install binutils (apt-get install binutils)" >&2
  exit 1
fi

if [ "$ICONS" = 1 ]; then
  echo "== icons"
  "$PY" packaging/make_icons.py >/dev/null
fi
VERSION=$("$PY" -c 'import pmpm_desktop; print(pmpm_desktop.__version__)')

echo "== PyInstaller (pmpm-desktop $VERSION)"
mkdir -p "$WORK"
LOG="$WORK/pyinstaller.log"
status=0
"$PY" -m PyInstaller --noconfirm --log-level WARN --distpath "$DIST" --workpath "$WORK" \
  packaging/pmpm-desktop.spec >"$LOG" 2>&1 || status=$?
# The X11/GTK plugins link system libraries the build machine may lack (libxcb-icccm4,
# libgtk-3-0, …): they are the user's desktop's, never bundled, so those notes go to the log only.
# PyInstaller's psycopg_binary hook asks for a _uuid module psycopg-binary 3.3 no longer has.
grep -v -e "Library not found: could not resolve" -e "required via ctypes not found" \
  -e " INFO: " -e 'psycopg_binary._uuid' "$LOG" || true
notes=$(grep -c "Library not found: could not resolve" "$LOG" || true)
[ "$notes" -gt 0 ] && echo "($notes notes about desktop system libraries: see $LOG)"
if [ "$status" != 0 ]; then
  echo "build.sh: PyInstaller failed (exit $status): see $LOG" >&2
  exit "$status"
fi

APP="$DIST/pmpm-desktop"
if [ ! -x "$APP/pmpm-desktop" ] && [ ! -f "$APP/pmpm-desktop.exe" ]; then
  echo "build.sh: PyInstaller finished but $APP holds no pmpm-desktop program" >&2
  exit 1
fi

if [ "$NSIS" = 1 ]; then
  echo "== NSIS installer"
  if ! command -v makensis >/dev/null; then
    if [ "$(id -u 2>/dev/null || echo 1)" = 0 ] && command -v apt-get >/dev/null; then
      DEBIAN_FRONTEND=noninteractive apt-get install -y -qq nsis >/dev/null ||
        { DEBIAN_FRONTEND=noninteractive apt-get update -qq &&
          DEBIAN_FRONTEND=noninteractive apt-get install -y -qq nsis >/dev/null; }
    else
      echo "build.sh: makensis not found: install NSIS (Windows: https://nsis.sourceforge.io," \
           "Debian: apt-get install nsis)" >&2
      exit 1
    fi
  fi
  if [ "$WINDOWS" = 1 ]; then
    makensis -V2 "-DVERSION=$VERSION" "-DSOURCE_DIR=$(cygpath -w "$APP")" \
      "-DOUTFILE=$(cygpath -w "$DIST")\\pmpm-desktop-$VERSION-setup.exe" \
      packaging/windows/pmpm-desktop.nsi
    echo "installer: $DIST/pmpm-desktop-$VERSION-setup.exe"
  else
    # A Linux folder in a Windows installer is no use: compile against a placeholder instead,
    # which checks the script (syntax, pages, icon) in a second.
    check="$WORK/nsis-check"
    rm -rf "$check" && mkdir -p "$check/app/_internal"
    touch "$check/app/pmpm-desktop.exe" "$check/app/pmpm.exe" "$check/app/_internal/placeholder"
    makensis -V2 "-DVERSION=$VERSION" "-DSOURCE_DIR=$check/app" \
      "-DOUTFILE=$check/pmpm-desktop-$VERSION-setup.exe" packaging/windows/pmpm-desktop.nsi
    echo "installer script compiles (check only; build the real installer on Windows)"
  fi
fi

size=$(du -sh "$APP" | cut -f1)
echo "built $APP ($size) in $(( $(date +%s) - started )) s"
echo "  run: $APP/pmpm-desktop    smoke test: $APP/pmpm-desktop --smoke-test"
