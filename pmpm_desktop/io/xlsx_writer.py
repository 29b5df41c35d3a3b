"""Plain payer-style sheets (demo files, benchmark inputs) written with xlsxwriter."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Sequence
from decimal import Decimal
from pathlib import Path

import xlsxwriter

from pmpm_desktop.io.private_files import atomic_output


def write_sheet(
    path: Path,
    headers: Sequence[str],
    rows: Iterable[Sequence[object]],
    *,
    title_rows: Sequence[str] = (),
    sheet_name: str = "Sheet1",
    created: dt.datetime | None = None,
) -> None:
    """One sheet: optional title rows, a header row, then the rows.

    Strings stay text (member IDs keep their zeros), dates become date cells, Decimals and
    numbers become numbers, None leaves the cell blank. The file is created 0600 and moved onto
    ``path`` when complete (its rows are members): see :func:`atomic_output`.
    """
    with atomic_output(Path(path), "sheet") as tmp:
        _write(tmp, headers, rows, title_rows, sheet_name, created)


def _write(
    path: Path,
    headers: Sequence[str],
    rows: Iterable[Sequence[object]],
    title_rows: Sequence[str],
    sheet_name: str,
    created: dt.datetime | None,
) -> None:
    wb = xlsxwriter.Workbook(
        str(path),
        {
            "constant_memory": True,
            "strings_to_numbers": False,
            "strings_to_formulas": False,
            "strings_to_urls": False,
            "tmpdir": str(path.parent),
        },
    )
    if created is not None:
        # the same content at the same "created" time gives the same bytes (and hash)
        wb.set_properties({"created": created})
    try:
        ws = wb.add_worksheet(sheet_name)
        date_fmt = wb.add_format({"num_format": "mm/dd/yyyy"})
        money_fmt = wb.add_format({"num_format": "#,##0.00"})
        bold = wb.add_format({"bold": True})
        r = 0
        for title in title_rows:
            ws.write_string(r, 0, title, bold)
            r += 1
        for c, h in enumerate(headers):
            ws.write_string(r, c, h, bold)
        r += 1
        for row in rows:
            for c, value in enumerate(row):
                if value is None:
                    continue
                if isinstance(value, str):
                    ws.write_string(r, c, value)
                elif isinstance(value, dt.date):
                    ws.write_datetime(
                        r, c, dt.datetime(value.year, value.month, value.day), date_fmt
                    )
                elif isinstance(value, Decimal):
                    ws.write_number(r, c, float(value), money_fmt)
                elif isinstance(value, (int, float)):
                    ws.write_number(r, c, value)
                else:
                    ws.write_string(r, c, str(value))
            r += 1
    finally:
        wb.close()
