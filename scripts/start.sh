#!/usr/bin/env bash
# Set everything up and start PMPM: on first use the demo practice is built and reconciled.
# The database is pmpm.sqlite3 in the user's data folder unless PMPM_DB says otherwise.
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/setup.sh
PMPM=.venv/bin/pmpm
"$PMPM" init
if ! "$PMPM" payer list --json | grep -q '"code"'; then
  "$PMPM" demo
fi
for code in $("$PMPM" payer list --json | .venv/bin/python -c 'import json,sys; print(" ".join(p["code"] for p in json.load(sys.stdin)))'); do
  "$PMPM" reconcile --payer "$code" --from 2026-01 --to 2026-06
  echo
done
echo "Next: '$PMPM discrepancies', '$PMPM explain --payer SUN --member ID --month 2026-02', '$PMPM report --from 2026-01 --to 2026-06 --out report.xlsx' (all commands: '$PMPM --help')."
