"""Write a rejected file's problem list (row, column, value, reason; for an X12 file segment,
segment ID, element, value, reason) to CSV or .xlsx.

Used by ``pmpm … import --errors-out FILE`` and by the import wizard's "export problems" button.
Values come from payer files, so nothing in them may become a formula: the .xlsx keeps every
cell as text, and the CSV puts a ``'`` before a value Excel would take for a formula.
"""

from __future__ import annotations

import csv
import re
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

import xlsxwriter
from xlsxwriter.format import Format
from xlsxwriter.worksheet import Worksheet

from pmpm_desktop.io.parsed import Place, RowProblem
from pmpm_desktop.io.private_files import atomic_output

HEADERS = ("row", "column", "value", "reason")
#: an X12 file's list: its problems sit at segments and elements, not rows and columns
SEGMENT_HEADERS = ("segment", "segment ID", "element", "value", "reason")
SUFFIXES = (".csv", ".xlsx")
#: problems on one sheet of the .xlsx list: Excel's 1,048,576 rows less the header
SHEET_ROWS = 1_048_575
_FORMULA_START = ("=", "+", "-", "@", "\t", "\r")
_PLAIN_NUMBER = re.compile(r"^[-+]?\d[\d,]*(?:\.\d+)?$")


@dataclass(frozen=True)
class Problem:
    """One line of the list: ``row`` None for a problem of the whole file (e.g. overlapping
    rates, a product no contract takes)."""

    row: int | None
    column: str
    value: str
    reason: str
    #: the element of an X12 segment ("" elsewhere)
    element: str = ""
    place: Place = Place.ROW

    def cells(self, segments: bool) -> tuple[str, ...]:
        """The text cells after the number, in the list's columns."""
        if segments:
            return (self.column, self.element, self.value, self.reason)
        return (self.column, self.value, self.reason)


def _by_segment(rows: list[Problem]) -> bool:
    return any(p.place is Place.SEGMENT for p in rows)


def as_problems(problems: Sequence[RowProblem | Problem | str]) -> list[Problem]:
    """Row problems as they are; a sentence with no row becomes a reason-only line."""
    out: list[Problem] = []
    for p in problems:
        if isinstance(p, str):
            out.append(Problem(None, "", "", p))
        elif isinstance(p, Problem):
            out.append(p)
        else:
            out.append(Problem(p.row, p.column, p.value, p.reason, p.element, p.place))
    return out


def check_suffix(path: Path) -> None:
    """ValueError unless ``path`` ends in .csv or .xlsx (checked before an import starts)."""
    if path.suffix.lower() not in SUFFIXES:
        raise ValueError(f"the problem list is written as .csv or .xlsx, not {path.name!r}")


def write_problems(path: Path, problems: Sequence[RowProblem | Problem | str]) -> Path:
    """Write the list to ``path`` (.csv: UTF-8 with BOM; .xlsx: text cells). Returns ``path``.

    ValueError for another suffix; OSError when the file cannot be written.
    """
    check_suffix(path)
    rows = as_problems(problems)
    # created 0600 in our private folder and moved into place whole: the values are members'
    with atomic_output(Path(path), "problems") as tmp:
        if path.suffix.lower() == ".csv":
            _write_csv(tmp, rows)
        else:
            _write_xlsx(tmp, rows)
    return path


def _csv_safe(text: str) -> str:
    """A leading ``'`` on text Excel would read as a formula (plain numbers like ``-12.34``
    stay as they are)."""
    if text.startswith(_FORMULA_START) and not _PLAIN_NUMBER.match(text):
        return "'" + text
    return text


def _write_csv(path: Path, rows: list[Problem]) -> None:
    # utf-8-sig: the BOM tells Excel the file is UTF-8, so accented names open right.
    with path.open("w", encoding="utf-8-sig", newline="") as f:
        w = csv.writer(f)
        segments = _by_segment(rows)
        w.writerow(SEGMENT_HEADERS if segments else HEADERS)
        for p in rows:
            w.writerow(["" if p.row is None else p.row, *map(_csv_safe, p.cells(segments))])


def _write_xlsx(path: Path, rows: list[Problem]) -> None:
    """Every problem, across sheets "Problems", "Problems 2", … of at most SHEET_ROWS rows
    each (Excel's limit less the header): never cut short."""
    wb = xlsxwriter.Workbook(
        str(path),
        {
            "strings_to_numbers": False,
            "strings_to_formulas": False,
            "strings_to_urls": False,
            "tmpdir": str(path.parent),  # atomic_output's private folder
            "constant_memory": True,
        },
    )
    try:
        bold = wb.add_format({"bold": True})
        text = wb.add_format({"num_format": "@"})
        segments = _by_segment(rows)
        headers = SEGMENT_HEADERS if segments else HEADERS
        starts = range(0, max(len(rows), 1), SHEET_ROWS)
        for n, start in enumerate(starts, start=1):
            ws = wb.add_worksheet("Problems" if n == 1 else f"Problems {n}")
            _write_sheet(ws, rows[start : start + SHEET_ROWS], headers, segments, bold, text)
    finally:
        wb.close()


def _write_sheet(
    ws: Worksheet,
    rows: list[Problem],
    headers: Sequence[str],
    segments: bool,
    bold: Format,
    text: Format,
) -> None:
    # Widths from the first rows: constant_memory writes rows as they come, so the columns
    # must be set before them.
    widths = [len(h) for h in headers]
    for p in rows[:1000]:
        for c, value in enumerate(p.cells(segments), start=1):
            widths[c] = max(widths[c], min(len(value), 80))
    for c, w in enumerate(widths):
        ws.set_column(c, c, w + 2)
    for c, h in enumerate(headers):
        ws.write_string(0, c, h, bold)
    for r, p in enumerate(rows, start=1):
        if p.row is not None:
            ws.write_number(r, 0, p.row)
        for c, value in enumerate(p.cells(segments), start=1):
            # write_string: a payer's "=SUM(A1)" or "@cmd" stays text, never a formula.
            ws.write_string(r, c, value, text)
    ws.freeze_panes(1, 0)
    ws.autofilter(0, 0, max(len(rows), 1), len(headers) - 1)
