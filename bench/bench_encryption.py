"""Benchmark: what encryption costs: import and reconcile on plain vs encrypted SQLite.

    .venv/bin/python bench/bench_encryption.py [--members 100000] [--months 12]

The same practice is built twice with bench.py's helpers, once in a plain database and once
in an encrypted one (SQLCipher 4, AES-256, a password through PBKDF2): earlier rosters and
statements stored from frames, then the last roster imported from its .xlsx and the whole
range reconciled (first run, then again). Prints each figure side by side with the ratio
encrypted / plain, then the open time (the key derivation) and the file sizes.
"""

from __future__ import annotations

import argparse
import hashlib
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path

import polars as pl

HERE = Path(__file__).resolve().parent
# bench.py beside this file, and this checkout's pmpm_desktop before any installed one
sys.path[:0] = [str(HERE), str(HERE.parent)]

from bench import (  # noqa: E402
    FIRST,
    ROSTER_HEADERS,
    members_frame,
    roster_rows,
    setup_payer,
    write_rates,
)
from pmpm_desktop.core.month import Month, month_range  # noqa: E402
from pmpm_desktop.db.database import Database, open_database  # noqa: E402
from pmpm_desktop.io.xlsx_writer import write_sheet  # noqa: E402
from pmpm_desktop.services import importing  # noqa: E402
from pmpm_desktop.services.reconciling import reconcile  # noqa: E402

KEY = "bench password"


def _timed(fn: Callable[[], object]) -> float:
    start = time.perf_counter()
    fn()
    return time.perf_counter() - start


def _statements(db: Database, members: pl.DataFrame, months: list[Month]) -> None:
    """One statement a month paying 95.00 for 98% of the members (the rest: missing)."""
    for i, month in enumerate(months):
        paid = members.filter(pl.int_range(0, members.height) % 50 != i % 50)
        frame = paid.select(
            "member_id",
            coverage_month=pl.lit(str(month)),
            amount_cents=pl.lit(9500, dtype=pl.Int64),
            source_row=pl.int_range(2, paid.height + 2, dtype=pl.Int64),
        )
        importing.store_remittance(
            db,
            "SUN",
            frame,
            file_name=f"statement {month}.xlsx",
            sha256=hashlib.sha256(f"statement {month}".encode()).hexdigest(),
        )


def run(
    path: Path,
    key: str | None,
    members: pl.DataFrame,
    months: list[Month],
    roster: Path,
    rates: Path,
) -> dict[str, float]:
    figures: dict[str, float] = {}
    figures["open a new database"] = _timed(lambda: open_database(path, key=key).dispose())
    db = open_database(path, key=key)
    try:
        setup_payer(db)
        importing.import_rates(db, "SUN", "Medicaid HMO", rates)

        def history() -> None:
            for i, month in enumerate(months[:-1]):
                frame = members.with_columns(
                    source_row=pl.int_range(2, members.height + 2, dtype=pl.Int64)
                ).filter(pl.int_range(0, members.height) % 97 != i % 97)
                importing.store_roster(
                    db,
                    "SUN",
                    month,
                    frame,
                    file_name=f"roster {month}.xlsx",
                    sha256=hashlib.sha256(f"roster {month}".encode()).hexdigest(),
                )

        figures[f"{len(months) - 1} rosters stored from frames"] = _timed(history)
        figures["roster .xlsx import (read + validate + store)"] = _timed(
            lambda: importing.import_roster(db, "SUN", months[-1], roster)
        )
        figures[f"{len(months)} statements stored from frames"] = _timed(
            lambda: _statements(db, members, months)
        )
        figures["reconcile (first run)"] = _timed(lambda: reconcile(db, "SUN", FIRST, months[-1]))
        figures["reconcile again"] = _timed(lambda: reconcile(db, "SUN", FIRST, months[-1]))
    finally:
        db.dispose()
    figures["open the filled database"] = _timed(lambda: open_database(path, key=key).dispose())
    figures["file size (MB)"] = path.stat().st_size / 1e6
    return figures


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__)
    ap.add_argument("--members", type=int, default=100_000)
    ap.add_argument("--months", type=int, default=12)
    ap.add_argument("--workdir", type=Path)
    args = ap.parse_args()
    workdir = args.workdir or Path(tempfile.mkdtemp(prefix="pmpm-bench-enc-"))
    workdir.mkdir(parents=True, exist_ok=True)
    months = month_range(FIRST, FIRST + (args.months - 1))
    members = members_frame(args.members)
    rates = workdir / "rates.xlsx"
    write_rates(rates)
    roster = workdir / f"roster {months[-1]}.xlsx"
    write_sheet(roster, ROSTER_HEADERS, roster_rows(members), title_rows=["Roster", ""])
    print(
        f"practice: {args.members} members × {args.months} months, plain vs encrypted "
        f"(SQLCipher) in {workdir}",
        flush=True,
    )
    plain = run(workdir / "plain.sqlite3", None, members, months, roster, rates)
    encrypted = run(workdir / "encrypted.sqlite3", KEY, members, months, roster, rates)
    width = max(map(len, plain))
    print(f"{'':{width}}  {'plain':>9}  {'encrypted':>9}  ratio")
    for name, value in plain.items():
        unit = "" if "MB" in name else " s"
        other = encrypted[name]
        print(f"{name:{width}}  {value:>7.2f}{unit:2}  {other:>7.2f}{unit:2}  ×{other / value:.2f}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
