#!/usr/bin/env bash
# Create .venv (if needed) and install PMPM Desktop with its development tools into it.
# Also checks the system libraries Qt needs (even offscreen) and objdump (binutils, which
# PyInstaller needs on Linux); missing ones are installed with apt-get when running as root.
set -euo pipefail
cd "$(dirname "$0")/.."
PYTHON=${PYTHON:-python3}

# Debian package → what proves it is installed (a command, or a library ldconfig knows).
system_packages_missing() {
  local libs
  libs=$(ldconfig -p 2>/dev/null || true)
  command -v objdump >/dev/null || echo binutils
  local pair
  for pair in libegl1:libEGL.so.1 libxkbcommon0:libxkbcommon.so.0 libfontconfig1:libfontconfig.so.1 \
              libgl1:libGL.so.1 libglib2.0-0:libglib-2.0.so.0 libdbus-1-3:libdbus-1.so.3; do
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
