#!/usr/bin/env bash
# Set everything up and run the whole test suite (lint and strict types included).
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/setup.sh
.venv/bin/ruff check .
# The whole package is typed strictly (pyproject: [tool.mypy]).
.venv/bin/mypy pmpm_desktop
.venv/bin/python -m pytest "$@"
