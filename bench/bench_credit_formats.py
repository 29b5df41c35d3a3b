"""What reading CR/DR number formats costs (issue 9): a 100k-row statement sheet with three
amount columns, once with plain ``#,##0.00`` amounts and once with
``#,##0.00 "CR";#,##0.00 "DR"``. Prints the seconds of fastexcel's own load, of
``io.number_formats.show_credit_formats`` on that frame, and of the whole ``read_table``.

    python bench/bench_credit_formats.py [ROWS]
"""

from __future__ import annotations

import random
import sys
import tempfile
import time
import zipfile
from collections.abc import Callable
from pathlib import Path

import fastexcel
import xlsxwriter

from pmpm_desktop.io.number_formats import show_credit_formats
from pmpm_desktop.io.table import read_table

CR_DR = '#,##0.00 "CR";#,##0.00 "DR"'
HEADERS = ["Member ID", "Last", "First", "DOB", "Product", "Rate Cell", "Coverage Month"]


def write(path: Path, rows: int, number_format: str) -> None:
    wb = xlsxwriter.Workbook(str(path), {"constant_memory": True})
    ws = wb.add_worksheet("Detail")
    amount = wb.add_format({"num_format": number_format})
    ws.write_row(0, 0, [*HEADERS, "Base", "Adj", "Net"])
    rnd = random.Random(1)
    for i in range(1, rows + 1):
        ws.write_row(i, 0, [f"{i:09d}", f"LAST{i % 999}", "FIRST", "1980-01-01", "MCD", "TANF"])
        ws.write_string(i, 6, "2026-02")
        for j in range(3):
            ws.write_number(i, 7 + j, rnd.randint(-20_000, 20_000) / 100, amount)
    wb.close()


def best_of(runs: int, work: Callable[[], object]) -> float:
    best = float("inf")
    for _ in range(runs):
        start = time.perf_counter()
        work()
        best = min(best, time.perf_counter() - start)
    return best


def measure(folder: Path, label: str, number_format: str, rows: int) -> None:
    path = folder / "statement.xlsx"
    write(path, rows, number_format)
    data = path.read_bytes()
    xml = zipfile.ZipFile(path).getinfo("xl/worksheets/sheet1.xml").file_size
    sheet = fastexcel.read_excel(data).load_sheet(
        "Detail", header_row=None, skip_rows=0, dtypes="string", whitespace_as_null=True
    )
    frame = sheet.to_polars()
    load = best_of(3, sheet.to_polars)
    hook = best_of(3, lambda: show_credit_formats(data, "Detail", frame, sheet))
    whole = best_of(3, lambda: read_table(path))
    print(
        f"{label}: {rows:,} rows, sheet XML {xml / 1e6:.1f} MB: fastexcel load "
        f"{load:.3f} s, CR/DR pass {hook:.3f} s, read_table {whole:.3f} s"
    )


def main() -> None:
    rows = int(sys.argv[1]) if len(sys.argv) > 1 else 100_000
    with tempfile.TemporaryDirectory() as folder:
        measure(Path(folder), "plain #,##0.00", "#,##0.00", rows)
        measure(Path(folder), 'CR/DR #,##0.00 "CR";#,##0.00 "DR"', CR_DR, rows)


if __name__ == "__main__":
    main()
