#!/usr/bin/env bash
# Set everything up and run the whole test suite (lint and strict types included).
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/setup.sh
.venv/bin/ruff check .
# The core, storage and file layers are typed strictly (pyproject: [tool.mypy] overrides).
.venv/bin/mypy pmpm_desktop/core pmpm_desktop/db pmpm_desktop/io
.venv/bin/python -m pytest "$@"
