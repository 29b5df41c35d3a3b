"""Writers of real payer files for tests: .xlsx through openpyxl, CSV as bytes."""

from __future__ import annotations

import csv
import datetime as dt
import io
from collections.abc import Sequence
from pathlib import Path

import openpyxl

ROSTER_HEADERS = [
    "Member ID",
    "Last Name",
    "First Name",
    "DOB",
    "Sex",
    "Product",
    "Rate Cell",
    "Eff Date",
    "Term Date",
]
REMIT_HEADERS = ["Member ID", "Coverage Month", "Paid Amount", "Line Type"]
RATE_HEADERS = [
    "Effective From",
    "Effective To",
    "Component",
    "Rate Cell",
    "Sex",
    "Age Min",
    "Age Max",
    "Amount",
]


def xlsx(
    path: Path, headers: Sequence[str], rows: Sequence[Sequence[object]], title: str | None = None
) -> Path:
    wb = openpyxl.Workbook()
    ws = wb.active
    assert ws is not None
    if title:
        ws.append([title])
        ws.append([])
    ws.append(list(headers))
    for row in rows:
        ws.append(list(row))
    for r in ws.iter_rows(min_row=1):
        for cell in r:
            if isinstance(cell.value, dt.date):
                cell.number_format = "mm/dd/yyyy"
    wb.save(path)
    return path


def csv_file(
    path: Path,
    headers: Sequence[str],
    rows: Sequence[Sequence[object]],
    *,
    delimiter: str = ",",
    encoding: str = "utf-8",
) -> Path:
    buf = io.StringIO()
    w = csv.writer(buf, delimiter=delimiter)
    w.writerow(headers)
    for row in rows:
        w.writerow(["" if v is None else v for v in row])
    path.write_bytes(buf.getvalue().encode(encoding))
    return path


def worked_example_rates(path: Path) -> Path:
    """SPEC §8's rate exhibit."""
    return xlsx(
        path,
        RATE_HEADERS,
        [
            ["2026-01", None, "Capitation", "TANF", None, 0, 1, 210.00],
            ["2026-01", None, "Capitation", "TANF", None, 2, 20, 95.00],
            ["2026-01", None, "Capitation", "TANF", "F", 21, None, 180.00],
            ["2026-01", None, "Capitation", "TANF", "M", 21, None, 150.00],
            ["2026-01", None, "Care Management", None, None, None, None, 4.50],
        ],
    )


A = ["000000001", "ALPHA", "ANN", dt.date(1990, 5, 10), "F", "MCD", "TANF", None, None]
B = ["000000002", "BRAVO", "BEN", dt.date(2024, 1, 15), "M", "MCD", "TANF", None, None]
B_MAY = [
    "000000002",
    "BRAVO",
    "BEN",
    dt.date(2024, 1, 15),
    "M",
    "MCD",
    "TANF",
    dt.date(2025, 6, 1),
    dt.date(2026, 2, 14),
]
