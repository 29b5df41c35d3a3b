"""Benchmark: a practice of 100k members × 24 months; prints one figure a line.

    .venv/bin/python bench/bench.py [--members 100000] [--months 24] [--skip-obvious]
    .venv/bin/python bench/bench.py --writers     # only the Excel writers (about a minute)

Figures: roster .xlsx import (read + validate + store, 100k rows) beside the obvious way
(pandas ``read_excel`` with openpyxl + ORM ``add_all``), the raw readers side by side,
reconcile of members × months member-months (including the expected-amount computation),
report export (gather and write apart, then ``pmpm report`` whole: reconcile + gather + write),
and peak memory. ``--writers`` (also part of the full run) compares the Excel
writers on 100k plain rows × 12 columns and times the formatted report workbook of 100k
discrepancies with every sheet (bench/bench_writers.py). Earlier months and statements are
loaded from frames through the
same store functions the importers use (writing 47 more workbooks would only time xlsxwriter).
"""

from __future__ import annotations

import argparse
import datetime as dt
import hashlib
import random
import resource
import sys
import tempfile
import time
from pathlib import Path

import polars as pl

from pmpm_desktop.core.clock import now
from pmpm_desktop.core.month import Month, month_range
from pmpm_desktop.db.database import open_database
from pmpm_desktop.io.report import write_report
from pmpm_desktop.io.xlsx_writer import write_sheet
from pmpm_desktop.services import importing, payers
from pmpm_desktop.services.reconciling import compute, load_inputs, reconcile
from pmpm_desktop.services.reporting import (
    GATHER_END,
    RECONCILE_SHARE,
    build_report,
    gather_extras,
)

FIRST = Month(2025, 1)
ROSTER_HEADERS = [
    "Member ID",
    "Last Name",
    "First Name",
    "DOB",
    "Sex",
    "Product",
    "Rate Cell",
    "PCP",
    "Eff Date",
    "Term Date",
    "Risk Score",
]


def figure(name: str, value: float, unit: str = "s") -> None:
    print(f"{name}: {value:.2f} {unit}", flush=True)


def members_frame(n: int, seed: int = 7) -> pl.DataFrame:
    rnd = random.Random(seed)
    ids = rnd.sample(range(1, 999_999_999), n)
    base = dt.date(1940, 1, 1)
    return pl.DataFrame(
        {
            "member_id": [f"{i:09d}" for i in ids],
            "last_name": [f"LAST{rnd.randrange(5000)}" for _ in range(n)],
            "first_name": [f"FIRST{rnd.randrange(800)}" for _ in range(n)],
            "dob": [base + dt.timedelta(days=rnd.randrange(30_000)) for _ in range(n)],
            "sex": [rnd.choice("MF") for _ in range(n)],
            "product": ["MCD"] * n,
            "rate_cell": [rnd.choice(["TANF", "TANF", "TANF", "ABD"]) for _ in range(n)],
            "pcp": [f"PCP{rnd.randrange(200)}" for _ in range(n)],
            "effective_date": [dt.date(2020, 1, 1)] * n,
            "term_date": [None] * n,
            "risk_score": [rnd.randrange(500_000, 2_500_000) for _ in range(n)],
        },
        schema={
            "member_id": pl.Utf8,
            "last_name": pl.Utf8,
            "first_name": pl.Utf8,
            "dob": pl.Date,
            "sex": pl.Utf8,
            "product": pl.Utf8,
            "rate_cell": pl.Utf8,
            "pcp": pl.Utf8,
            "effective_date": pl.Date,
            "term_date": pl.Date,
            "risk_score": pl.Int64,
        },
    )


def setup_payer(db) -> None:  # type: ignore[no-untyped-def]
    payers.add_payer(db, "SUN", "Sunrise Health Plan", 9)
    payers.add_contract(
        db, "SUN", payers.ContractSpec("Medicaid HMO", FIRST, products=("MCD",), withhold_pct="2")
    )


def write_rates(path: Path) -> None:
    write_sheet(
        path,
        ["Effective From", "Component", "Rate Cell", "Sex", "Age Min", "Age Max", "Amount"],
        [
            ["2025-01", "capitation", "TANF", None, 0, 1, "210.00"],
            ["2025-01", "capitation", "TANF", None, 2, 20, "95.00"],
            ["2025-01", "capitation", "TANF", "F", 21, None, "180.00"],
            ["2025-01", "capitation", "TANF", "M", 21, None, "150.00"],
            ["2025-01", "capitation", "ABD", None, None, None, "320.00"],
            ["2025-01", "care management", None, None, None, None, "4.50"],
        ],
    )


def roster_rows(frame: pl.DataFrame) -> list[list[object]]:
    rows = []
    for r in frame.iter_rows():
        mid, last, first, dob, sex, product, cell, pcp, eff, term, risk = r
        rows.append([mid, last, first, dob, sex, product, cell, pcp, eff, term, risk / 1_000_000])
    return rows


def obvious_import(path: Path, workdir: Path) -> float:
    """pandas read_excel (openpyxl) + one ORM object per row: what most people would write."""
    import pandas as pd

    from pmpm_desktop.db.models import Member, RosterImport, RosterRow

    db = open_database(workdir / "obvious.sqlite3")
    setup_payer(db)
    start = time.perf_counter()
    # The file has two title rows above its header, as payers' files do.
    df = pd.read_excel(path, engine="openpyxl", header=2, dtype={"Member ID": str})
    with db.sessions.begin() as s:
        imp = RosterImport(
            payer_id=1,
            roster_month=Month(2026, 12),
            file_name=path.name,
            sha256="x",
            row_count=len(df),
        )
        s.add(imp)
        members = [
            Member(
                payer_id=1,
                member_id=str(r["Member ID"]),
                last_name=r["Last Name"],
                first_name=r["First Name"],
            )
            for _, r in df.iterrows()
        ]
        s.add_all(members)
        s.flush()
        s.add_all(
            RosterRow(import_id=imp.id, member_pk=m.id, source_row=i + 2)
            for i, m in enumerate(members)
        )
    elapsed = time.perf_counter() - start
    db.dispose()
    return elapsed


def reader_figures(path: Path) -> None:
    import fastexcel

    start = time.perf_counter()
    fastexcel.read_excel(str(path)).load_sheet(0, dtypes={"Member ID": "string"}).to_polars()
    figure("reader fastexcel (raw read, 100k rows)", time.perf_counter() - start)
    try:
        import python_calamine

        start = time.perf_counter()
        wb = python_calamine.CalamineWorkbook.from_path(str(path))
        wb.get_sheet_by_index(0).to_python()
        figure("reader python-calamine (raw read)", time.perf_counter() - start)
    except ImportError:
        pass
    import openpyxl

    start = time.perf_counter()
    wb = openpyxl.load_workbook(path, read_only=True)
    for _ in wb.worksheets[0].iter_rows(values_only=True):
        pass
    figure("reader openpyxl read-only (raw read)", time.perf_counter() - start)


def _ledger_frame(db, summary, first: Month, last: Month) -> pl.DataFrame:  # type: ignore[no-untyped-def]
    """The ledger rows the report service keeps (the members with a discrepancy)."""
    inputs = load_inputs(db, "SUN", first, last)
    _expected, kinds = compute(inputs, first, last)
    listed = pl.DataFrame({"member_ref": sorted({d.member_id for d in summary.discrepancies})})
    return kinds.join(listed, on="member_ref", how="semi").select(
        "member_ref", "month", "eligible", "expected_cents", "paid_cents", "kind"
    )


def report_figures(db, path: Path, first: Month, last: Month) -> None:  # type: ignore[no-untyped-def]
    """``pmpm report`` as the command runs it (services/reporting.py build_report: reconcile,
    gather, write), with each phase's share read off its progress callback."""
    marks: dict[str, float] = {}

    def progress(done: int, total: int) -> bool:
        for phase, at in (("reconcile", RECONCILE_SHARE), ("gather", GATHER_END)):
            if done >= at and phase not in marks:
                marks[phase] = time.perf_counter()
        return True

    start = time.perf_counter()
    build_report(db, path, "SUN", first, last, "Bench", progress)
    end = time.perf_counter()
    figure("pmpm report: reconcile", marks["reconcile"] - start)
    figure("pmpm report: gather", marks["gather"] - marks["reconcile"])
    figure("pmpm report: write", end - marks["gather"])
    figure("pmpm report, whole (reconcile + gather + write)", end - start)


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__)
    ap.add_argument("--members", type=int, default=100_000)
    ap.add_argument("--months", type=int, default=24)
    ap.add_argument("--skip-obvious", action="store_true")
    ap.add_argument("--workdir", type=Path)
    ap.add_argument("--writers", action="store_true", help="only the Excel writer figures")
    args = ap.parse_args()
    workdir = args.workdir or Path(tempfile.mkdtemp(prefix="pmpm-bench-"))
    workdir.mkdir(parents=True, exist_ok=True)
    from bench_writers import writer_figures

    writer_figures(workdir, figure)
    if args.writers:
        return 0
    months = month_range(FIRST, FIRST + (args.months - 1))
    last = months[-1]
    print(f"practice: {args.members} members × {args.months} months ({FIRST}–{last}) in {workdir}")

    db = open_database(workdir / "bench.sqlite3")
    setup_payer(db)
    rates = workdir / "rates.xlsx"
    write_rates(rates)
    importing.import_rates(db, "SUN", "Medicaid HMO", rates)
    members = members_frame(args.members)

    start = time.perf_counter()
    for i, month in enumerate(months[:-1]):
        frame = members.with_columns(source_row=pl.int_range(2, members.height + 2, dtype=pl.Int64))
        # ~1% leave each month (not listed), so later rosters differ from earlier ones.
        frame = frame.filter(pl.int_range(0, frame.height) % 97 != i % 97)
        importing.store_roster(
            db,
            "SUN",
            month,
            frame,
            file_name=f"roster {month}.xlsx",
            sha256=hashlib.sha256(f"roster {month}".encode()).hexdigest(),
        )
    figure(f"history: {len(months) - 1} rosters stored from frames", time.perf_counter() - start)

    roster_path = workdir / f"roster {last}.xlsx"
    write_sheet(
        roster_path,
        ROSTER_HEADERS,
        roster_rows(members),
        title_rows=["Sunrise Health Plan eligibility roster", ""],
    )
    start = time.perf_counter()
    result = importing.import_roster(db, "SUN", last, roster_path)
    figure(
        f"roster xlsx import ({result.rows} rows: read + validate + store)",
        time.perf_counter() - start,
    )
    if not args.skip_obvious:
        figure(
            "roster xlsx import, obvious way (pandas+openpyxl read_excel, ORM add_all)",
            obvious_import(roster_path, workdir),
        )
    reader_figures(roster_path)

    # Statements: what the contract says, with the payer's usual mistakes: 2% of member-months
    # missing, 1% short by the care-management fee, 1% paid twice.
    start = time.perf_counter()
    inputs = load_inputs(db, "SUN", FIRST, last)
    expected, _ = compute(inputs, FIRST, last)
    owed = (
        expected.member_months.filter(pl.col("eligible") & ~pl.col("no_rate"))
        .join(inputs.members, on="member_pk")
        .select("member_id", "month", "expected_cents")
        .with_columns(roll=pl.int_range(0, pl.len()) % 100)
    )
    for month in months:
        lines = owed.filter((pl.col("month") == month.index) & (pl.col("roll") >= 2))
        lines = pl.concat([lines, lines.filter(pl.col("roll") == 2)]).with_columns(
            amount_cents=pl.when(pl.col("roll") == 3)
            .then(pl.col("expected_cents") - 450)
            .otherwise(pl.col("expected_cents")),
            coverage_month=pl.lit(str(month)),
        )
        frame = lines.select(
            "member_id",
            "coverage_month",
            "amount_cents",
            source_row=pl.int_range(2, lines.height + 2, dtype=pl.Int64),
        )
        importing.store_remittance(
            db,
            "SUN",
            frame,
            file_name=f"statement {month}.xlsx",
            sha256=hashlib.sha256(f"statement {month}".encode()).hexdigest(),
        )
    figure(f"history: {len(months)} statements stored from frames", time.perf_counter() - start)

    start = time.perf_counter()
    summary = reconcile(db, "SUN", FIRST, last)
    figure(
        f"reconcile ({args.members * args.months} member-months, first run)",
        time.perf_counter() - start,
    )
    start = time.perf_counter()
    summary = reconcile(db, "SUN", FIRST, last)
    figure("reconcile again (statuses kept, nothing new)", time.perf_counter() - start)
    print(f"discrepancies: {len(summary.discrepancies)}; counts: {summary.counts}")

    out = workdir / "report.xlsx"
    start = time.perf_counter()
    write_report(out, [summary], generated_at=now())
    figure(
        f"report export, Summary + Discrepancies ({len(summary.discrepancies)} discrepancies)",
        time.perf_counter() - start,
    )
    generated_at = now()
    ledgers = [_ledger_frame(db, summary, FIRST, last)]  # what build_report keeps from reconcile
    start = time.perf_counter()
    extras = gather_extras(
        db, [summary], ledgers, FIRST, last, payer_code="SUN", as_of=generated_at.date()
    )
    figure("report gather (aging, roster changes, ledger)", time.perf_counter() - start)
    start = time.perf_counter()
    write_report(out, [summary], generated_at=generated_at, practice_name="Bench", extras=extras)
    figure(
        f"report write, formatted workbook, every sheet ({len(summary.discrepancies)} "
        f"discrepancies, {len(extras.ledger or ())} ledger rows)",
        time.perf_counter() - start,
    )
    del extras, ledgers
    report_figures(db, workdir / "pmpm report.xlsx", FIRST, last)
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    figure("peak memory", peak, "MB")
    db.dispose()
    return 0


if __name__ == "__main__":
    sys.exit(main())
