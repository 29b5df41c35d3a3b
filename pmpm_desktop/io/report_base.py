"""What every sheet of the report workbooks shares: labels, cell formats, dates, print setup,
progress and the write-to-a-temporary-file-then-rename of a whole workbook.

Two kinds of worksheet go into one xlsxwriter workbook opened in ``constant_memory`` mode:

* the big sheets (Discrepancies, Member ledger) stream their rows to disk in order, so 100k
  rows need little memory; they get an autofilter (xlsxwriter refuses Excel tables there);
* the small sheets (cover, aging, roster changes, packets) are built in memory through
  :class:`InMemorySheet` so they can hold Excel tables, whose cells xlsxwriter writes itself.

Every text that may come from payer data goes through ``write_string``: ``000123`` stays text and
``=HYPERLINK(...)``, ``+1``, ``-2``, ``@SUM`` are never formulas (the workbook is also opened with
``strings_to_formulas`` off, so even ``write()`` could not make one).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from decimal import Decimal
from pathlib import Path
from typing import Any

import xlsxwriter
from xlsxwriter.format import Format
from xlsxwriter.worksheet import Worksheet

from pmpm_desktop.core.summary import Kind, Status
from pmpm_desktop.io.private_files import atomic_output, private_root
from pmpm_desktop.progress import Counter
from pmpm_desktop.progress import Progress as ProgressCallback

MONEY_FORMAT = "#,##0.00;[Red]-#,##0.00"
COUNT_FORMAT = "#,##0"
PERCENT_FORMAT = "0.0%;[Red]-0.0%"
DATE_FORMAT = "yyyy-mm-dd"
#: said on every export that holds members (cover sheet, file properties, the CLI)
PHI_NOTICE = "Contains member data (PHI): keep it private."

KIND_LABELS: dict[str, str] = {
    Kind.MATCHED: "Matched",
    Kind.MISSING: "Missing",
    Kind.UNDERPAID: "Underpaid",
    Kind.OVERPAID: "Overpaid",
    Kind.DUPLICATE: "Duplicate",
    Kind.NOT_ELIGIBLE: "Not eligible",
    Kind.UNKNOWN_MEMBER: "Unknown member",
    Kind.NO_RATE: "No rate",
}

STATUS_LABELS: dict[str, str] = {
    Status.OPEN: "Open",
    Status.DISPUTED: "Disputed",
    Status.RESOLVED: "Resolved",
    Status.WRITTEN_OFF: "Written off",
}

#: Excel's last row index (0-based) is 1_048_575; row 0 is the header.
MAX_DATA_ROWS = 1_048_575
#: ``progress`` is called every this many rows (and at the start and the end).
PROGRESS_EVERY = 2_000
#: what a cancelled export leaves: no file (the workbook is renamed into place when complete)
CANCELLED = "report export cancelled: no file was written"

_EXCEL_EPOCH_ORDINAL = dt.date(1899, 12, 31).toordinal()


#: what a cancelled workbook leaves: nothing (it is written aside, then moved into place)
CANCELLED = "export cancelled: no file was written"


def kind_label(kind: str) -> str:
    return KIND_LABELS.get(kind, kind)


def status_label(status: str) -> str:
    return STATUS_LABELS.get(status, status)


class InMemorySheet(Worksheet):  # type: ignore[misc]
    """A worksheet kept in memory although the workbook streams (``constant_memory``).

    Used for the small sheets only, so they can have Excel tables (``add_table``) and cells
    written in any order. xlsxwriter's ``worksheet_class`` option is the documented way to
    give a workbook another worksheet class; the two ``_opt_*`` hooks only manage the row file
    that streamed sheets have and this one does not.
    """

    def _initialize(self, init_data: dict[str, Any]) -> None:
        super()._initialize({**init_data, "constant_memory": False})

    def _opt_close(self) -> None:
        pass

    def _opt_reopen(self) -> None:
        pass


#: the rows-written counter every sheet writer ticks (``progress.Counter``)
Progress = Counter


def row_counter(callback: ProgressCallback | None, total: int) -> Counter:
    """Counts rows written and calls ``callback(done, total)`` every PROGRESS_EVERY rows; a
    ``False`` answer raises ``progress.Cancelled``."""
    return Counter(callback, total, every=PROGRESS_EVERY, cancelled=CANCELLED)


class Formats:
    """The cell formats of one workbook (xlsxwriter formats belong to their workbook)."""

    def __init__(self, workbook: xlsxwriter.Workbook) -> None:
        add = workbook.add_format
        self.title = add({"bold": True, "font_size": 14})
        self.heading = add({"bold": True, "font_size": 12, "font_color": "#1F3864"})
        self.subtitle = add({"italic": True, "font_color": "#595959"})
        self.note = add({"font_color": "#595959", "text_wrap": True, "valign": "top"})
        self.label = add({"bold": True, "valign": "top"})
        self.link = add({"font_color": "#0563C1", "underline": 1, "valign": "top"})
        self.header = add(
            {"bold": True, "text_wrap": True, "valign": "top", "bg_color": "#D9E1F2", "bottom": 1}
        )
        self.text: Format | None = None  # default cell format: no "s" attribute to write
        self.wrap = add({"text_wrap": True, "valign": "top"})
        #: text right after a money column: indented, so "25.00" and "Open" do not touch
        self.spaced = add({"indent": 1})
        self.money = add({"num_format": MONEY_FORMAT})
        self.count = add({"num_format": COUNT_FORMAT})
        self.item = add({"num_format": COUNT_FORMAT, "align": "center"})
        self.percent = add({"num_format": PERCENT_FORMAT})
        self.date = add({"num_format": DATE_FORMAT, "align": "left"})
        self.flag = add({"bold": True, "font_color": "#C00000"})
        self.answer = add({"bg_color": "#FFF2CC", "border": 1, "border_color": "#BFBFBF"})
        self.total_text = add({"bold": True, "top": 1})
        self.total_money = add({"bold": True, "top": 1, "num_format": MONEY_FORMAT})
        self.total_count = add({"bold": True, "top": 1, "num_format": COUNT_FORMAT})
        self.total_percent = add({"bold": True, "top": 1, "num_format": PERCENT_FORMAT})
        self.grand_text = add({"bold": True, "top": 6})
        self.grand_money = add({"bold": True, "top": 6, "num_format": MONEY_FORMAT})
        self.grand_count = add({"bold": True, "top": 6, "num_format": COUNT_FORMAT})
        self.grand_percent = add({"bold": True, "top": 6, "num_format": PERCENT_FORMAT})
        self.big_money = add({"bold": True, "font_size": 12, "num_format": MONEY_FORMAT})
        self.big_count = add({"bold": True, "font_size": 12, "num_format": COUNT_FORMAT})


def naive(ts: dt.datetime) -> dt.datetime:
    """A datetime xlsxwriter accepts: aware values are taken in their own zone's wall time."""
    return ts.replace(tzinfo=None) if ts.tzinfo is not None else ts


def local_date(ts: dt.datetime, ref: dt.datetime) -> dt.date:
    """The calendar date of ``ts`` as seen in ``ref``'s zone when both are aware."""
    if ts.tzinfo is not None and ref.tzinfo is not None:
        return ts.astimezone(ref.tzinfo).date()
    return ts.date()


def excel_date(day: dt.date) -> int:
    """Excel's serial number of a date (1900 system, as xlsxwriter computes it)."""
    serial = day.toordinal() - _EXCEL_EPOCH_ORDINAL
    return serial + 1 if serial > 59 else serial  # Excel's phantom 1900-02-29


def write_money(ws: Worksheet, row: int, col: int, value: Decimal, fmt: Format | None) -> None:
    ws.write_number(row, col, float(value), fmt)  # the one float boundary: Excel stores doubles


def write_date(ws: Worksheet, row: int, col: int, day: dt.date | None, fmt: Format) -> None:
    if day is not None:
        ws.write_number(row, col, excel_date(day), fmt)


def write_text(ws: Worksheet, row: int, col: int, text: str | None, fmt: Format | None) -> None:
    """Payer text, always as a string cell (never a formula, number or link)."""
    if text:
        ws.write_string(row, col, text, fmt)


def header_text(text: str) -> str:
    """Text for a page header/footer: ``&`` starts a code there, so it is doubled."""
    return text.replace("&", "&&")


def print_setup(
    ws: Worksheet,
    header_row: int | None,
    *,
    practice: str | None,
    period: str,
    title: str,
    landscape: bool = True,
) -> None:
    """Landscape, one page wide, the header row on every page, practice and period on top,
    page numbers at the bottom."""
    if landscape:
        ws.set_landscape()
    ws.set_paper(1)  # Letter: the practices are US ones (Medicaid managed care)
    ws.fit_to_pages(1, 0)
    if header_row is not None:
        ws.repeat_rows(header_row)
    ws.set_margins(left=0.4, right=0.4, top=0.75, bottom=0.6)
    left = header_text(practice or "PMPM reconciliation")
    ws.set_header(f"&L{left}&C&B{header_text(title)}&R{header_text(period)}")
    ws.set_footer("&L&A&RPage &P of &N")


def open_workbook(  # type: ignore[no-untyped-def]
    path: Path,
    *,
    title: str,
    company: str | None,
    created: dt.datetime,
    tmpdir: Path | None = None,
):
    """A streaming workbook at ``path``; xlsxwriter's own row and part files go to ``tmpdir``
    (a private folder: they hold the rows' member data until the workbook is closed)."""
    workbook = xlsxwriter.Workbook(
        str(path),
        {
            "constant_memory": True,
            "strings_to_formulas": False,
            "strings_to_urls": False,
            "strings_to_numbers": False,
            "tmpdir": str(tmpdir if tmpdir is not None else private_root()),
        },
    )
    workbook.set_properties(
        {
            "title": title,
            "company": company or "",
            "created": naive(created),
            "comments": PHI_NOTICE,
        }
    )
    return workbook


@contextmanager
def atomic_workbook(
    path: Path, *, title: str, company: str | None, created: dt.datetime
) -> Iterator[xlsxwriter.Workbook]:
    """A workbook written in our private folder (0600, its row files beside it) and moved onto
    ``path`` when complete, so a cancelled, failed or killed export leaves no partial file
    (and keeps an earlier one)."""
    with atomic_output(Path(path), "workbook") as tmp_path:
        workbook = open_workbook(
            tmp_path, title=title, company=company, created=created, tmpdir=tmp_path.parent
        )
        try:
            yield workbook
        finally:
            # Always close: in constant_memory mode xlsxwriter keeps each sheet's rows in a
            # temporary file that only close() removes. On cancel the result is thrown away.
            workbook.close()


def column_widths(ws: Worksheet, widths: Sequence[float]) -> None:
    for col, width in enumerate(widths):
        ws.set_column(col, col, width)


def table_columns(names: list[str], formats: list[Format | None]) -> list[dict[str, Any]]:
    """``add_table`` column options: header names and each column's cell format."""
    out: list[dict[str, Any]] = []
    for name, fmt in zip(names, formats, strict=True):
        col: dict[str, Any] = {"header": name}
        if fmt is not None:
            col["format"] = fmt
        out.append(col)
    return out


def add_table(
    ws: Worksheet,
    first_row: int,
    names: list[str],
    formats: list[Format | None],
    n_rows: int,
    name: str,
    header_format: Format,
) -> int:
    """An Excel table with a header at ``first_row`` and ``n_rows`` data rows below it (at
    least one, blank, since Excel needs a data row); returns the first data row."""
    last_row = first_row + max(n_rows, 1)
    ws.add_table(
        first_row,
        0,
        last_row,
        len(names) - 1,
        {
            "name": name,
            "style": "Table Style Light 9",
            "columns": table_columns(names, formats),
            "header_row": True,
        },
    )
    for col, title in enumerate(names):
        ws.write_string(first_row, col, title, header_format)
    return first_row + 1
