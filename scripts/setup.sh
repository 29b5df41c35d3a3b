#!/usr/bin/env bash
# Create .venv (if needed) and install PMPM Desktop with its development tools into it.
# Also checks the system libraries Qt needs (even offscreen), objdump (binutils, which
# PyInstaller needs on Linux), and Xvfb, openbox and a font for the real-window test; missing
# ones are installed with apt-get when running as root.
set -euo pipefail
cd "$(dirname "$0")/.."
PYTHON=${PYTHON:-python3}

# Debian package → what proves it is installed (a command, or a library ldconfig knows).
system_packages_missing() {
  local libs
  libs=$(ldconfig -p 2>/dev/null || true)
  command -v objdump >/dev/null || echo binutils
  # The real-window test (tests/window) runs the app on an X server of its own with a window
  # manager, and Qt draws text only with a font installed (a bare Debian image has none).
  command -v Xvfb >/dev/null || echo xvfb
  command -v openbox >/dev/null || echo openbox
  local font
  font=$(find /usr/share/fonts /usr/local/share/fonts -name '*.[ot]tf' -print -quit 2>/dev/null || true)
  [ -n "$font" ] || echo fonts-dejavu-core
  local pair
  # The first line is what Qt needs even offscreen; the rest is what its X11 (xcb) display
  # plugin links (read with ldd on PySide6's libqxcb.so and libQt6XcbQpa.so): without them a
  # stock Debian desktop gets "Qt's display plugin failed to load" and no window.
  for pair in libegl1:libEGL.so.1 libxkbcommon0:libxkbcommon.so.0 libfontconfig1:libfontconfig.so.1 \
              libgl1:libGL.so.1 libglib2.0-0:libglib-2.0.so.0 libdbus-1-3:libdbus-1.so.3 \
              libxkbcommon-x11-0:libxkbcommon-x11.so.0 libxcb-cursor0:libxcb-cursor.so.0 \
              libxcb-icccm4:libxcb-icccm.so.4 libxcb-util1:libxcb-util.so.1 \
              libxcb-image0:libxcb-image.so.0 libxcb-keysyms1:libxcb-keysyms.so.1 \
              libxcb-randr0:libxcb-randr.so.0 libxcb-render-util0:libxcb-render-util.so.0 \
              libxcb-shm0:libxcb-shm.so.0 libxcb-sync1:libxcb-sync.so.1 \
              libxcb-xfixes0:libxcb-xfixes.so.0 libxcb-render0:libxcb-render.so.0 \
              libxcb-shape0:libxcb-shape.so.0 libxcb-xkb1:libxcb-xkb.so.1 libxcb1:libxcb.so.1 \
              libx11-xcb1:libX11-xcb.so.1 libx11-6:libX11.so.6; do
    grep -q "${pair#*:} " <<<"$libs" || echo "${pair%%:*}"
  done
}

if [ "$(uname -s)" = Linux ]; then
  missing=$(system_packages_missing | tr '\n' ' ' | sed 's/ *$//')
  if [ -n "$missing" ]; then
    if [ "$(id -u)" = 0 ] && command -v apt-get >/dev/null; then
      echo "setup: installing the system packages Qt and PyInstaller need: $missing"
      DEBIAN_FRONTEND=noninteractive apt-get update -qq
      # shellcheck disable=SC2086 # one word per package
      DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends $missing >/dev/null
    elif command -v apt-get >/dev/null; then
      echo "setup: missing system packages (the window and the packaged build need them):" \
           "run 'sudo apt-get install $missing' and then this script again" >&2
    else
      echo "setup: missing system libraries (Debian names: $missing); install your" \
           "distribution's equivalents for the window and the packaged build" >&2
    fi
  fi
fi

VENV_PY=.venv/bin/python
case "$(uname -s)" in MINGW*|MSYS*|CYGWIN*) VENV_PY=.venv/Scripts/python.exe ;; esac  # Git Bash
if [ ! -x "$VENV_PY" ]; then
  "$PYTHON" -m venv .venv
fi
"$VENV_PY" -m pip install --quiet --disable-pip-version-check --upgrade pip
# setuptools' editable build warns on every install about a case that is not ours (a folder
# named like the package in the working directory); it would be the first thing a user reads.
PYTHONWARNINGS=ignore "$VENV_PY" -m pip install --quiet --disable-pip-version-check -e ".[dev]"

# What the X11 display plugin still cannot find (a library outside the list above, a newer
# Qt): named in one line, so the window's "display plugin failed to load" has a cause.
if [ "$(uname -s)" = Linux ] && command -v ldd >/dev/null; then
  qxcb=$("$VENV_PY" -c 'import pathlib, PySide6; print(pathlib.Path(PySide6.__file__).parent / "Qt/plugins/platforms/libqxcb.so")' 2>/dev/null || true)
  if [ -n "$qxcb" ] && [ -f "$qxcb" ]; then
    unresolved=$(ldd "$qxcb" 2>/dev/null | awk '/not found/ {print $1}' | tr '\n' ' ' | sed 's/ *$//')
    if [ -n "$unresolved" ]; then
      echo "setup: the window's X11 display plugin cannot find: $unresolved (install the" \
           "packages that provide them; the command line and the offscreen tests work without)" >&2
    fi
  fi
fi
