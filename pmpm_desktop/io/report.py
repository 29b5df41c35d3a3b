"""The Excel report of a reconciliation (SPEC §7): a "Summary" and a "Discrepancies" sheet.

Written with xlsxwriter in ``constant_memory`` mode: rows are streamed to disk in order, so a
report of 100k discrepancies needs little memory and the final ``close()`` only zips.

Rules kept here:

* money is ``Decimal`` everywhere and becomes a float only at the xlsxwriter call;
* every text that may come from payer data (member IDs, names, notes, payer codes) goes
  through ``write_string``: ``000123`` stays text and ``=HYPERLINK(...)`` is never a formula;
* the file appears at ``path`` only when complete: the workbook is written next to it under a
  temporary name and renamed at the end, so a cancelled or failed export leaves no partial file
  (and does not clobber an earlier report at ``path``).
"""

from __future__ import annotations

import datetime as dt
import os
import uuid
from collections.abc import Callable, Sequence
from decimal import Decimal
from pathlib import Path

import xlsxwriter
from xlsxwriter.format import Format
from xlsxwriter.worksheet import Worksheet

from pmpm_desktop.core.money import ZERO
from pmpm_desktop.core.month import Month
from pmpm_desktop.core.summary import (
    DISCREPANCY_KINDS,
    MonthSummary,
    ReconcileSummary,
)
from pmpm_desktop.errors import PmpmError

__all__ = [
    "KIND_LABELS",
    "STATUS_LABELS",
    "SUMMARY_SHEET",
    "DISCREPANCY_SHEET",
    "DISCREPANCY_COLUMNS",
    "MONEY_FORMAT",
    "DATE_FORMAT",
    "ReportCancelled",
    "summary_columns",
    "write_report",
]

SUMMARY_SHEET = "Summary"
DISCREPANCY_SHEET = "Discrepancies"

MONEY_FORMAT = "#,##0.00;[Red]-#,##0.00"
COUNT_FORMAT = "#,##0"
DATE_FORMAT = "yyyy-mm-dd"

KIND_LABELS: dict[str, str] = {
    "matched": "Matched",
    "missing": "Missing",
    "underpaid": "Underpaid",
    "overpaid": "Overpaid",
    "duplicate": "Duplicate",
    "not_eligible": "Not eligible",
    "unknown_member": "Unknown member",
    "no_rate": "No rate",
}

STATUS_LABELS: dict[str, str] = {
    "open": "Open",
    "disputed": "Disputed",
    "resolved": "Resolved",
    "written_off": "Written off",
}

DISCREPANCY_COLUMNS: tuple[str, ...] = (
    "Payer",
    "Member ID",
    "Last name",
    "First name",
    "DOB",
    "Month",
    "Kind",
    "Expected",
    "Paid",
    "Variance",
    "Status",
    "Opened",
    "Age (days)",
    "Last note",
)

#: Excel's last row index (0-based) is 1_048_575; row 0 is the header.
_MAX_DATA_ROWS = 1_048_575
#: ``progress`` is called every this many rows (and at the start and the end).
_PROGRESS_EVERY = 2_000

_SUMMARY_FIXED_COLUMNS: tuple[str, ...] = (
    "Payer",
    "Month",
    "Eligible members",
    "Paid members",
    "Expected",
    "Paid",
    "Variance",
    "Matched (count)",
)


class ReportCancelled(Exception):
    """The ``progress`` callback asked to stop; no file was left at the target path."""


def kind_label(kind: str) -> str:
    return KIND_LABELS.get(kind, kind)


def summary_columns() -> list[str]:
    """The header of the Summary sheet's table, in order."""
    columns = list(_SUMMARY_FIXED_COLUMNS)
    for kind in DISCREPANCY_KINDS:
        label = kind_label(kind)
        columns.append(f"{label} (count)")
        columns.append(f"{label} (amount)")
    return columns


def write_report(
    path: Path,
    summaries: Sequence[ReconcileSummary],
    *,
    generated_at: dt.datetime,
    practice_name: str | None = None,
    progress: Callable[[int, int], bool] | None = None,
) -> None:
    """Write the reconciliation report of ``summaries`` to ``path`` (an ``.xlsx`` file).

    Summaries, their months and their discrepancies are written in the order given.
    ``progress(done, total)`` is called now and then with a count of rows written (the
    Summary's month rows plus the discrepancy rows); when it returns ``False`` the export
    stops, nothing is left at ``path`` and :class:`ReportCancelled` is raised. An existing
    file at ``path`` is replaced only when the new report is complete.
    """
    path = Path(path)
    n_discrepancies = sum(len(s.discrepancies) for s in summaries)
    if n_discrepancies > _MAX_DATA_ROWS:
        raise PmpmError(
            f"{n_discrepancies:,} discrepancies do not fit in one Excel sheet "
            f"(at most {_MAX_DATA_ROWS:,} rows); export fewer payers or months at a time"
        )
    total = sum(len(s.months) for s in summaries) + n_discrepancies
    ticker = _Progress(progress, total)
    ticker.tick(0)

    # Same directory, so the final rename is atomic; created by xlsxwriter (usual permissions).
    tmp_path = path.with_name(f".{path.name}.{uuid.uuid4().hex[:12]}.partial")
    finished = False
    try:
        workbook = xlsxwriter.Workbook(
            str(tmp_path),
            {
                "constant_memory": True,
                "strings_to_formulas": False,
                "strings_to_urls": False,
                "strings_to_numbers": False,
            },
        )
        try:
            fmt = _Formats(workbook)
            _write_summary_sheet(
                workbook.add_worksheet(SUMMARY_SHEET),
                fmt,
                summaries,
                generated_at=generated_at,
                practice_name=practice_name,
                ticker=ticker,
            )
            _write_discrepancy_sheet(
                workbook.add_worksheet(DISCREPANCY_SHEET),
                fmt,
                summaries,
                generated_at=generated_at,
                ticker=ticker,
            )
            workbook.set_properties(
                {
                    "title": "PMPM reconciliation",
                    "company": practice_name or "",
                    "created": _naive(generated_at),
                }
            )
        finally:
            # Always close: in constant_memory mode xlsxwriter keeps each sheet's rows in a
            # temporary file that only close() removes. On cancel the result is thrown away.
            workbook.close()
        ticker.tick(total, force=True)
        os.replace(tmp_path, path)
        finished = True
    finally:
        if not finished:
            tmp_path.unlink(missing_ok=True)


# --------------------------------------------------------------------------------------------
# internals


class _Progress:
    def __init__(self, callback: Callable[[int, int], bool] | None, total: int) -> None:
        self._callback = callback
        self.total = total
        self.done = 0
        #: the ``done`` at which the callback is next due
        self.next_due = _PROGRESS_EVERY

    def tick(self, done: int, *, force: bool = False) -> None:
        """Report ``done`` rows when due (or when forced); raise when the callback says stop."""
        self.done = done
        if not force and 0 < done < self.next_due:
            return
        self.next_due = done + _PROGRESS_EVERY
        if self._callback is not None and self._callback(done, self.total) is False:
            raise ReportCancelled("report export cancelled")

    def step(self) -> None:
        self.done += 1
        if self.done >= self.next_due:
            self.tick(self.done)


class _Formats:
    def __init__(self, workbook: xlsxwriter.Workbook) -> None:
        add = workbook.add_format
        self.title = add({"bold": True, "font_size": 14})
        self.subtitle = add({"italic": True, "font_color": "#595959"})
        self.header = add(
            {
                "bold": True,
                "text_wrap": True,
                "valign": "top",
                "bg_color": "#D9E1F2",
                "bottom": 1,
            }
        )
        self.text: Format | None = None  # default cell format: no "s" attribute to write
        self.money = add({"num_format": MONEY_FORMAT})
        self.count = add({"num_format": COUNT_FORMAT})
        self.date = add({"num_format": DATE_FORMAT, "align": "left"})
        self.total_text = add({"bold": True, "top": 1})
        self.total_money = add({"bold": True, "top": 1, "num_format": MONEY_FORMAT})
        self.total_count = add({"bold": True, "top": 1, "num_format": COUNT_FORMAT})
        self.grand_text = add({"bold": True, "top": 6})
        self.grand_money = add({"bold": True, "top": 6, "num_format": MONEY_FORMAT})
        self.grand_count = add({"bold": True, "top": 6, "num_format": COUNT_FORMAT})


class _Totals:
    """Exact sums of month rows (ints and Decimals, never floats)."""

    def __init__(self) -> None:
        self.eligible = 0
        self.paid_members = 0
        self.expected = ZERO
        self.paid = ZERO
        self.variance = ZERO
        self.counts: dict[str, int] = {}
        self.amounts: dict[str, Decimal] = {}

    def add_month(self, m: MonthSummary) -> None:
        self.eligible += m.eligible_members
        self.paid_members += m.paid_members
        self.expected += m.expected
        self.paid += m.paid
        self.variance += m.variance
        for kind, n in m.counts.items():
            self.counts[kind] = self.counts.get(kind, 0) + n
        for kind, amount in m.amounts.items():
            self.amounts[kind] = self.amounts.get(kind, ZERO) + amount

    def add(self, other: _Totals) -> None:
        self.eligible += other.eligible
        self.paid_members += other.paid_members
        self.expected += other.expected
        self.paid += other.paid
        self.variance += other.variance
        for kind, n in other.counts.items():
            self.counts[kind] = self.counts.get(kind, 0) + n
        for kind, amount in other.amounts.items():
            self.amounts[kind] = self.amounts.get(kind, ZERO) + amount


def _naive(ts: dt.datetime) -> dt.datetime:
    """A datetime xlsxwriter accepts: aware values are taken in their own zone's wall time."""
    return ts.replace(tzinfo=None) if ts.tzinfo is not None else ts


def _local_date(ts: dt.datetime, ref: dt.datetime) -> dt.date:
    """The calendar date of ``ts`` as seen in ``ref``'s zone when both are aware."""
    if ts.tzinfo is not None and ref.tzinfo is not None:
        return ts.astimezone(ref.tzinfo).date()
    return ts.date()


def _period(summaries: Sequence[ReconcileSummary]) -> str:
    if not summaries:
        return ""
    first = min(s.first for s in summaries)
    last = max(s.last for s in summaries)
    return f"{first} \u2013 {last}"


def _write_money(ws: Worksheet, row: int, col: int, value: Decimal, fmt: Format) -> None:
    ws.write_number(row, col, float(value), fmt)  # the one float boundary: Excel stores doubles


def _write_figures(
    ws: Worksheet, row: int, t: _Totals, count_fmt: Format, money_fmt: Format
) -> None:
    ws.write_number(row, 2, t.eligible, count_fmt)
    ws.write_number(row, 3, t.paid_members, count_fmt)
    _write_money(ws, row, 4, t.expected, money_fmt)
    _write_money(ws, row, 5, t.paid, money_fmt)
    _write_money(ws, row, 6, t.variance, money_fmt)
    ws.write_number(row, 7, t.counts.get("matched", 0), count_fmt)
    col = 8
    for kind in DISCREPANCY_KINDS:
        ws.write_number(row, col, t.counts.get(kind, 0), count_fmt)
        _write_money(ws, row, col + 1, t.amounts.get(kind, ZERO), money_fmt)
        col += 2


def _write_summary_sheet(
    ws: Worksheet,
    fmt: _Formats,
    summaries: Sequence[ReconcileSummary],
    *,
    generated_at: dt.datetime,
    practice_name: str | None,
    ticker: _Progress,
) -> None:
    row = 0
    if practice_name:
        ws.write_string(row, 0, practice_name, fmt.title)
        row += 1
    ws.write_string(row, 0, "PMPM reconciliation", fmt.title)
    row += 1
    ws.write_string(row, 0, f"Period: {_period(summaries)}", fmt.subtitle)
    row += 1
    payers = ", ".join(
        s.payer_code
        if not s.payer_name or s.payer_name == s.payer_code
        else f"{s.payer_code} ({s.payer_name})"
        for s in summaries
    )
    ws.write_string(row, 0, f"Payers: {payers}" if payers else "Payers: none", fmt.subtitle)
    row += 1
    ws.write_string(row, 0, f"Generated at {_naive(generated_at):%Y-%m-%d %H:%M}", fmt.subtitle)
    row += 2

    columns = summary_columns()
    header_row = row
    for col, name in enumerate(columns):
        ws.write_string(row, col, name, fmt.header)
    row += 1

    grand = _Totals()
    for summary in summaries:
        totals = _Totals()
        for m in summary.months:
            ws.write_string(row, 0, summary.payer_code, fmt.text)
            ws.write_string(row, 1, str(m.month), fmt.text)
            one = _Totals()
            one.add_month(m)
            _write_figures(ws, row, one, fmt.count, fmt.money)
            totals.add(one)
            row += 1
            ticker.step()
        ws.write_string(row, 0, summary.payer_code, fmt.total_text)
        ws.write_string(row, 1, "Total", fmt.total_text)
        _write_figures(ws, row, totals, fmt.total_count, fmt.total_money)
        row += 1
        grand.add(totals)
    if len(summaries) > 1:
        ws.write_string(row, 0, "All payers", fmt.grand_text)
        ws.write_string(row, 1, "Total", fmt.grand_text)
        _write_figures(ws, row, grand, fmt.grand_count, fmt.grand_money)
        row += 1

    ws.set_column(0, 0, max([12, *(len(s.payer_code) + 2 for s in summaries)]))
    ws.set_column(1, 1, 9)
    ws.set_column(2, 3, 10)
    ws.set_column(4, 6, 14)
    ws.set_column(7, 7, 10)
    for i in range(len(DISCREPANCY_KINDS)):
        ws.set_column(8 + 2 * i, 8 + 2 * i, 10)
        ws.set_column(9 + 2 * i, 9 + 2 * i, 13)
    ws.set_row(header_row, 30)
    ws.freeze_panes(header_row + 1, 2)
    _print_setup(ws, header_row)


def _excel_date(day: dt.date) -> int:
    """Excel's serial number of a date (1900 system, as xlsxwriter computes it)."""
    serial = day.toordinal() - _EXCEL_EPOCH_ORDINAL
    return serial + 1 if serial > 59 else serial  # Excel's phantom 1900-02-29


_EXCEL_EPOCH_ORDINAL = dt.date(1899, 12, 31).toordinal()


def _write_discrepancy_sheet(
    ws: Worksheet,
    fmt: _Formats,
    summaries: Sequence[ReconcileSummary],
    *,
    generated_at: dt.datetime,
    ticker: _Progress,
) -> None:
    for col, name in enumerate(DISCREPANCY_COLUMNS):
        ws.write_string(0, col, name, fmt.header)

    # This loop writes ~14 cells per discrepancy and dominates the export time (100k rows must
    # take well under 5 s), hence the local names, the caches and the undecorated writers:
    # xlsxwriter's _write_string/_write_number are what write_string/write_number call after
    # parsing "A1" arguments, which we never pass.
    today = generated_at.date()
    text_f, money_f, date_f, count_f = fmt.text, fmt.money, fmt.date, fmt.count
    # (falling back to the public ones should a later xlsxwriter drop the private names).
    write_string = getattr(ws, "_write_string", ws.write_string)
    write_number = getattr(ws, "_write_number", ws.write_number)
    month_text: dict[Month, str] = {}
    opened_cache: dict[dt.datetime, tuple[int, int]] = {}
    longest = dict.fromkeys((1, 2, 3, 13), 0)

    row = 0
    done = ticker.done
    next_tick = ticker.next_due
    for summary in summaries:
        for d in summary.discrepancies:
            row += 1
            member_id = d.member_id
            write_string(row, 0, d.payer_code, text_f)
            write_string(row, 1, member_id, text_f)
            if len(member_id) > longest[1]:
                longest[1] = len(member_id)
            if d.last_name:
                write_string(row, 2, d.last_name, text_f)
                if len(d.last_name) > longest[2]:
                    longest[2] = len(d.last_name)
            if d.first_name:
                write_string(row, 3, d.first_name, text_f)
                if len(d.first_name) > longest[3]:
                    longest[3] = len(d.first_name)
            if d.dob is not None:
                write_number(row, 4, _excel_date(d.dob), date_f)
            month = month_text.get(d.month)
            if month is None:
                month = month_text[d.month] = str(d.month)
            write_string(row, 5, month, text_f)
            write_string(row, 6, KIND_LABELS.get(d.kind, d.kind), text_f)
            write_number(row, 7, float(d.expected), money_f)
            write_number(row, 8, float(d.paid), money_f)
            write_number(row, 9, float(d.variance), money_f)
            write_string(row, 10, STATUS_LABELS.get(d.status, d.status), text_f)
            opened = opened_cache.get(d.created_at)
            if opened is None:
                day = _local_date(d.created_at, generated_at)
                opened = opened_cache[d.created_at] = (_excel_date(day), max(0, (today - day).days))
            write_number(row, 11, opened[0], date_f)
            write_number(row, 12, opened[1], count_f)
            if d.last_note:
                write_string(row, 13, d.last_note, text_f)
                if len(d.last_note) > longest[13]:
                    longest[13] = len(d.last_note)
            if done + row >= next_tick:
                ticker.tick(done + row)
                next_tick = ticker.next_due
    ticker.done = done + row

    widths = [len(name) + 2 for name in DISCREPANCY_COLUMNS]
    widths[0] = max([widths[0], *(len(s.payer_code) + 2 for s in summaries)])
    for col, cap in ((1, 24), (2, 30), (3, 24), (13, 80)):
        widths[col] = min(cap, max(widths[col], longest[col] + 2))
    widths[4] = widths[11] = 11
    widths[7] = widths[8] = widths[9] = 13
    widths[6] = max(widths[6], max(len(v) for v in KIND_LABELS.values()) + 2)
    widths[10] = 12
    for col, width in enumerate(widths):
        ws.set_column(col, col, width)

    ws.freeze_panes(1, 0)
    ws.autofilter(0, 0, row, len(DISCREPANCY_COLUMNS) - 1)
    _print_setup(ws, 0)


def _print_setup(ws: Worksheet, header_row: int) -> None:
    ws.set_landscape()
    ws.fit_to_pages(1, 0)
    ws.repeat_rows(header_row)
    ws.set_margins(left=0.4, right=0.4, top=0.6, bottom=0.6)
    ws.set_footer("&L&A&RPage &P of &N")
