"""The Excel writers side by side, and the formatted report workbook (issue 5).

1. 100k plain rows × 12 columns (text, dates, money) with each candidate, from the input it
   takes naturally (prepared before the clock starts): openpyxl ``write_only``, xlsxwriter
   ``constant_memory``, pyexcelerate, and rustpy-xlsxwriter (a Rust writer on PyPI). The
   optional ones are skipped when not installed (``pip install -e .[dev]`` brings them).
2. The report workbook of 100k discrepancies with every sheet (cover, summary and charts,
   discrepancies, aging, late recoupments, membership, roster changes, a 150k-row member
   ledger), written by ``pmpm_desktop.io.report.write_report`` as ``pmpm report`` does.

Besides speed, each candidate is checked for what the report needs: is a payer's text that
starts with ``=`` written as text?
"""

from __future__ import annotations

import datetime as dt
import random
import time
from collections.abc import Callable
from decimal import Decimal
from pathlib import Path

from pmpm_desktop.core.month import Month
from pmpm_desktop.core.summary import KINDS, DiscrepancyRow, MonthSummary, ReconcileSummary

ROWS = 100_000
HEADERS = [
    "Member ID", "Last name", "First name", "DOB", "Month", "Kind",
    "Expected", "Paid", "Variance", "Status", "Opened", "Last note",
]  # fmt: skip
Figure = Callable[[str, float], None]


def plain_rows(n: int = ROWS, seed: int = 5) -> list[tuple[object, ...]]:
    rnd = random.Random(seed)
    base = dt.date(1940, 1, 1)
    rows = []
    for i in range(n):
        expected = rnd.randrange(9_000, 40_000) / 100
        paid = expected - (4.5 if i % 3 else expected)
        rows.append(
            (
                f"{rnd.randrange(10**9):09d}",
                f"LAST{rnd.randrange(5000)}",
                f"FIRST{rnd.randrange(800)}",
                base + dt.timedelta(days=rnd.randrange(30_000)),
                f"2026-{1 + i % 12:02d}",
                "Underpaid" if i % 3 else "Missing",
                expected,
                paid,
                round(paid - expected, 2),
                "Open",
                dt.date(2026, 7, 1),
                "=1+1 asked the payer" if i % 1000 == 0 else None,
            )
        )
    return rows


def _openpyxl(path: Path, rows: list[tuple[object, ...]]) -> None:
    import openpyxl

    wb = openpyxl.Workbook(write_only=True)
    ws = wb.create_sheet("Sheet1")
    ws.append(HEADERS)
    for r in rows:
        ws.append(r)
    wb.save(path)


def _xlsxwriter(path: Path, rows: list[tuple[object, ...]]) -> None:
    import xlsxwriter

    wb = xlsxwriter.Workbook(str(path), {"constant_memory": True, "strings_to_formulas": False})
    ws = wb.add_worksheet("Sheet1")
    date_f = wb.add_format({"num_format": "yyyy-mm-dd"})
    money_f = wb.add_format({"num_format": "#,##0.00"})
    ws.write_row(0, 0, HEADERS)
    for i, r in enumerate(rows, start=1):
        ws.write_string(i, 0, r[0])  # type: ignore[arg-type]
        ws.write_string(i, 1, r[1])  # type: ignore[arg-type]
        ws.write_string(i, 2, r[2])  # type: ignore[arg-type]
        ws.write_datetime(i, 3, r[3], date_f)  # type: ignore[arg-type]
        ws.write_string(i, 4, r[4])  # type: ignore[arg-type]
        ws.write_string(i, 5, r[5])  # type: ignore[arg-type]
        ws.write_number(i, 6, r[6], money_f)  # type: ignore[arg-type]
        ws.write_number(i, 7, r[7], money_f)  # type: ignore[arg-type]
        ws.write_number(i, 8, r[8], money_f)  # type: ignore[arg-type]
        ws.write_string(i, 9, r[9])  # type: ignore[arg-type]
        ws.write_datetime(i, 10, r[10], date_f)  # type: ignore[arg-type]
        if r[11] is not None:
            ws.write_string(i, 11, r[11])  # type: ignore[arg-type]
    wb.close()


def _streamed(path: Path, rows: list[tuple[object, ...]]) -> None:
    """xlsxwriter with the rows built as XML by polars: how the report writes its big sheets."""
    import polars as pl
    import xlsxwriter

    from pmpm_desktop.io.report_base import excel_date
    from pmpm_desktop.io.report_stream import StreamColumn, stream_frame

    wb = xlsxwriter.Workbook(str(path), {"constant_memory": True, "strings_to_formulas": False})
    ws = wb.add_worksheet("Sheet1")
    date_f = wb.add_format({"num_format": "yyyy-mm-dd"})
    money_f = wb.add_format({"num_format": "#,##0.00"})
    ws.write_row(0, 0, HEADERS)
    names = [f"c{i}" for i in range(12)]
    columns = list(zip(*rows, strict=True))
    data = {
        name: [excel_date(v) for v in col] if i in (3, 10) else list(col)  # type: ignore[arg-type]
        for i, (name, col) in enumerate(zip(names, columns, strict=True))
    }
    frame = pl.DataFrame(data)
    kinds = ["text"] * 3 + ["number"] + ["text"] * 2 + ["number"] * 3 + ["text", "number", "text"]
    fmts = [None, None, None, date_f, None, None, money_f, money_f, money_f, None, date_f, None]
    stream_frame(
        ws, 1, frame,
        [StreamColumn(n, k, f) for n, k, f in zip(names, kinds, fmts, strict=True)],
    )  # fmt: skip
    wb.close()


def _pyexcelerate(path: Path, rows: list[tuple[object, ...]]) -> None:
    import pyexcelerate

    wb = pyexcelerate.Workbook()
    wb.new_sheet("Sheet1", data=[HEADERS, *rows])
    wb.save(str(path))


def _rustpy(path: Path, records: list[dict[str, object]]) -> None:
    import rustpy_xlsxwriter

    rustpy_xlsxwriter.write_worksheet(records, str(path), sheet_name="Sheet1")


def _as_text(path: Path) -> bool:
    """Did the writer keep the note ``=1+1 …`` as text (not a formula)?"""
    import openpyxl

    ws = openpyxl.load_workbook(path, read_only=True).worksheets[0]
    for row in ws.iter_rows(min_row=2, max_row=3):
        cell = row[11]
        if cell.value is not None:
            return cell.data_type == "s"
    return False


def compare_writers(workdir: Path, figure: Figure) -> None:
    rows = plain_rows()
    candidates: list[tuple[str, Callable[[Path], None]]] = [
        ("openpyxl write_only", lambda p: _openpyxl(p, rows)),
        ("xlsxwriter constant_memory", lambda p: _xlsxwriter(p, rows)),
        ("xlsxwriter + polars-built row XML (the report's path)", lambda p: _streamed(p, rows)),
    ]
    try:
        import pyexcelerate  # noqa: F401

        candidates.append(("pyexcelerate", lambda p: _pyexcelerate(p, rows)))
    except ImportError:
        print("writer pyexcelerate: not installed (pip install pyexcelerate)")
    try:
        import rustpy_xlsxwriter  # noqa: F401

        records = [dict(zip(HEADERS, r, strict=True)) for r in rows]
        candidates.append(("rustpy-xlsxwriter (Rust)", lambda p: _rustpy(p, records)))
    except ImportError:
        print("writer rustpy-xlsxwriter: not installed (pip install rustpy-xlsxwriter)")
    for name, write in candidates:
        path = workdir / f"plain {name.split()[0]} {len(name)}.xlsx"
        start = time.perf_counter()
        write(path)
        elapsed = time.perf_counter() - start
        figure(f"writer {name} ({ROWS // 1000}k rows x 12 columns, plain)", elapsed)
        print(f"  {'keeps' if _as_text(path) else 'DOES NOT keep'} '=1+1 ...' as text")


# --- the formatted report --------------------------------------------------------------------


def synthetic_report(n: int = ROWS):  # type: ignore[no-untyped-def]
    """Three payers × 24 months with ``n`` discrepancies in all, and every extra sheet."""
    from pmpm_desktop.io.report_data import DisputeOutcome, LedgerLine, ReportExtras
    from pmpm_desktop.services.aging import BUCKETS, AgingRow, LateRecoupment
    from pmpm_desktop.services.roster_changes import RosterChange, RosterDiff

    rnd = random.Random(11)
    first = Month(2025, 1)
    months = [first + i for i in range(24)]
    kinds = ["missing", "underpaid", "duplicate", "not_eligible", "overpaid"]
    created = dt.datetime(2026, 7, 1, 8, 0)
    summaries, ledger, diffs, aging_rows, late = [], [], [], [], []
    zero = Decimal("0.00")
    for p, code in enumerate(("BAY", "HCA", "SUN")):
        rows = []
        for i in range(n // 3 + (1 if p < n % 3 else 0)):
            kind = kinds[i % len(kinds)]
            expected = Decimal(rnd.randrange(9_000, 40_000)) / 100
            paid = zero if kind == "missing" else expected - Decimal("4.50")
            rows.append(
                DiscrepancyRow(
                    code, f"{rnd.randrange(10**9):09d}", f"LAST{rnd.randrange(5000)}",
                    f"FIRST{rnd.randrange(800)}",
                    dt.date(1940, 1, 1) + dt.timedelta(days=rnd.randrange(30_000)),
                    months[i % 24], kind, expected, paid, paid - expected,
                    "open" if i % 7 else "disputed", created,
                    "called the payer" if i % 50 == 0 else None,
                )
            )  # fmt: skip
        month_rows = [
            MonthSummary(m, 30_000, 29_000, Decimal("3000000.00"), Decimal("2990000.00"),
                         Decimal("-10000.00"), dict.fromkeys(KINDS, 100),
                         dict.fromkeys(KINDS, Decimal("-450.00")))
            for m in months
        ]  # fmt: skip
        summaries.append(
            ReconcileSummary(
                code, f"{code} Health Plan", months[0], months[-1], month_rows,
                dict.fromkeys(KINDS, 2400), Decimal("72000000.00"), Decimal("71760000.00"),
                Decimal("-240000.00"), rows,
            )
        )  # fmt: skip
        for d in rows[: 150_000 // 3 // 4]:  # four ledger months per listed member
            for k in range(4):
                ledger.append(
                    LedgerLine(code, d.member_id, d.last_name, d.first_name, months[k], True,
                               9760, 9310 if k else 0, "underpaid", "open")
                )  # fmt: skip
        for m in months[1:]:
            changes = tuple(
                RosterChange(f"{rnd.randrange(10**9):09d}", "LAST, FIRST", "add", None, "MCD")
                for _ in range(400)
            )
            diffs.append(RosterDiff(code, m, m - 1, 1, 1, 30_000, 30_400, changes))
        aging_rows.append(
            AgingRow(code, f"{code} Health Plan", dict.fromkeys(BUCKETS, Decimal("-100.00")),
                     dict.fromkeys(BUCKETS, 1), Decimal("-400.00"), 4)
        )  # fmt: skip
        late += [
            LateRecoupment(code, f"{i:09d}", months[0], Decimal("-97.60"), dt.date(2026, 6, 5),
                           17, 12, "statement.xlsx", i + 2)
            for i in range(300)
        ]  # fmt: skip
    extras = ReportExtras(
        as_of=dt.date(2026, 7, 15),
        aging_buckets=BUCKETS,
        aging_short=aging_rows,
        aging_over=aging_rows,
        late_recoupments=late,
        disputes=[DisputeOutcome(s.payer_code, s.payer_name, 10, 3) for s in summaries],
        roster_diffs=diffs,
        ledger=ledger,
    )
    return summaries, extras


def formatted_report(workdir: Path, figure: Figure) -> None:
    from pmpm_desktop.io.report import write_report

    summaries, extras = synthetic_report()
    n = sum(len(s.discrepancies) for s in summaries)
    out = workdir / "formatted report.xlsx"
    start = time.perf_counter()
    write_report(
        out, summaries, generated_at=dt.datetime(2026, 7, 15, 9, 0),
        practice_name="Bench Clinic", extras=extras,
    )  # fmt: skip
    figure(
        f"report export, formatted workbook, every sheet, xlsxwriter ({n // 1000}k "
        f"discrepancies, {len(extras.ledger or ()) // 1000}k ledger rows, "
        f"{sum(len(d.changes) for d in extras.roster_diffs or ()) // 1000}k roster changes)",
        time.perf_counter() - start,
    )


def writer_figures(workdir: Path, figure: Figure) -> None:
    compare_writers(workdir, figure)
    formatted_report(workdir, figure)
