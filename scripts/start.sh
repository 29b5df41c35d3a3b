#!/usr/bin/env bash
# Set everything up and start PMPM Desktop (the window). On first use it offers the demo
# practice or an empty start. The database is pmpm.sqlite3 in the user's data folder unless
# PMPM_DB (or --db PATH) says otherwise. Without a display it says so and points to `pmpm`.
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/setup.sh
exec .venv/bin/pmpm-desktop "$@"
