"""The Discrepancies sheet: every discrepancy of the report in one filterable, streamed table.

Its age column is the one age of the whole app: days since the payment for the month was due
(``core.summary.days_since_due``, from the due date the services put on each row), at the
report's date. This is the sheet that can hold 100k rows, so its loop is written for speed."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Sequence

import polars as pl
from xlsxwriter.format import Format
from xlsxwriter.worksheet import Worksheet

from pmpm_desktop.core.age import AGE_TITLE, days_since_due
from pmpm_desktop.core.month import Month
from pmpm_desktop.core.summary import (
    DiscrepancyRow,
    ReconcileSummary,
)
from pmpm_desktop.io.report_base import (
    KIND_LABELS,
    STATUS_LABELS,
    Formats,
    excel_date,
    local_date,
    print_setup,
)
from pmpm_desktop.io.report_stream import StreamColumn, can_stream, stream_frame
from pmpm_desktop.progress import Counter

DISCREPANCY_SHEET = "Discrepancies"

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
    AGE_TITLE,
    "Last note",
)


def write_discrepancy_sheet(
    ws: Worksheet,
    fmt: Formats,
    summaries: Sequence[ReconcileSummary],
    *,
    generated_at: dt.datetime,
    ticker: Counter,
    practice_name: str | None,
    period: str,
) -> None:
    for col, name in enumerate(DISCREPANCY_COLUMNS):
        ws.write_string(0, col, name, fmt.header)
    if can_stream(ws):
        row, longest = _stream_rows(ws, fmt, summaries, generated_at, ticker)
    else:
        row, longest = _write_rows(ws, fmt, summaries, generated_at, ticker)
    _finish(ws, summaries, row, longest, practice_name=practice_name, period=period)


def _columns(fmt: Formats) -> list[StreamColumn]:
    text, money, date, count = fmt.text, fmt.money, fmt.date, fmt.count
    return [
        StreamColumn("payer", "text", text),
        StreamColumn("member_id", "text", text),
        StreamColumn("last_name", "text", text),
        StreamColumn("first_name", "text", text),
        StreamColumn("dob", "number", date),
        StreamColumn("month", "text", text),
        StreamColumn("kind", "text", text),
        StreamColumn("expected", "number", money),
        StreamColumn("paid", "number", money),
        StreamColumn("variance", "number", money),
        StreamColumn("status", "text", fmt.spaced),
        StreamColumn("opened", "number", date),
        StreamColumn("age", "number", count),
        StreamColumn("note", "text", text),
    ]


def _stream_rows(
    ws: Worksheet,
    fmt: Formats,
    summaries: Sequence[ReconcileSummary],
    generated_at: dt.datetime,
    ticker: Counter,
) -> tuple[int, dict[int, int]]:
    """The fast path (report_stream): the rows as one frame, written as XML by polars."""
    rows = [d for s in summaries for d in s.discrepancies]
    today = generated_at.date()
    month_text: dict[Month, str] = {}
    opened_cache: dict[dt.datetime, int] = {}
    dob_cache: dict[dt.date, int] = {}
    age_of = _AgeOf(today)
    months: list[str] = []
    dobs: list[int | None] = []
    opened: list[int] = []
    ages: list[int | None] = []
    for d in rows:
        m = month_text.get(d.month)
        if m is None:
            m = month_text[d.month] = str(d.month)
        months.append(m)
        if d.dob is None:
            dobs.append(None)
        else:
            serial = dob_cache.get(d.dob)
            if serial is None:
                serial = dob_cache[d.dob] = excel_date(d.dob)
            dobs.append(serial)
        o = opened_cache.get(d.created_at)
        if o is None:
            o = opened_cache[d.created_at] = excel_date(local_date(d.created_at, generated_at))
        opened.append(o)
        ages.append(age_of(d))
    frame = pl.DataFrame(
        {
            "payer": [d.payer_code for d in rows],
            "member_id": [d.member_id for d in rows],
            "last_name": [d.last_name for d in rows],
            "first_name": [d.first_name for d in rows],
            "dob": dobs,
            "month": months,
            "kind": [KIND_LABELS.get(d.kind, d.kind) for d in rows],
            "expected": [float(d.expected) for d in rows],
            "paid": [float(d.paid) for d in rows],
            "variance": [float(d.variance) for d in rows],
            "status": [STATUS_LABELS.get(d.status, d.status) for d in rows],
            "opened": opened,
            "age": ages,
            "note": [d.last_note for d in rows],
        },
        schema=_SCHEMA,
    )
    done = ticker.done
    stream_frame(ws, 1, frame, _columns(fmt), tick=lambda n: ticker.tick(done + n))
    ticker.done = done + frame.height
    lengths = frame.select(
        pl.col(c).str.len_chars().max().alias(c)
        for c in ("member_id", "last_name", "first_name", "note")
    ).row(0)
    longest = {i: int(n or 0) for i, n in zip((1, 2, 3, 13), lengths, strict=True)}
    return frame.height, longest


_SCHEMA: dict[str, pl.DataType | type[pl.DataType]] = {
    "payer": pl.Utf8,
    "member_id": pl.Utf8,
    "last_name": pl.Utf8,
    "first_name": pl.Utf8,
    "dob": pl.Int64,
    "month": pl.Utf8,
    "kind": pl.Utf8,
    "expected": pl.Float64,
    "paid": pl.Float64,
    "variance": pl.Float64,
    "status": pl.Utf8,
    "opened": pl.Int64,
    "age": pl.Int64,
    "note": pl.Utf8,
}


def _write_rows(
    ws: Worksheet,
    fmt: Formats,
    summaries: Sequence[ReconcileSummary],
    generated_at: dt.datetime,
    ticker: Counter,
) -> tuple[int, dict[int, int]]:
    """Cell by cell through xlsxwriter: the path when streaming is not available."""

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
    opened_cache: dict[dt.datetime, int] = {}
    dob_cache: dict[dt.date, int] = {}
    age_of = _AgeOf(today)
    longest = dict.fromkeys((1, 2, 3, 13), 0)

    row = 0
    done = ticker.done
    next_tick = ticker.next_due
    for summary in summaries:
        for d in summary.discrepancies:
            row += 1
            write_string(row, 0, d.payer_code, text_f)
            _write_texts(write_string, row, text_f, longest, d)
            if d.dob is not None:
                serial = dob_cache.get(d.dob)
                if serial is None:
                    serial = dob_cache[d.dob] = excel_date(d.dob)
                write_number(row, 4, serial, date_f)
            month = month_text.get(d.month)
            if month is None:
                month = month_text[d.month] = str(d.month)
            write_string(row, 5, month, text_f)
            write_string(row, 6, KIND_LABELS.get(d.kind, d.kind), text_f)
            write_number(row, 7, float(d.expected), money_f)
            write_number(row, 8, float(d.paid), money_f)
            write_number(row, 9, float(d.variance), money_f)
            write_string(row, 10, STATUS_LABELS.get(d.status, d.status), fmt.spaced)
            opened = opened_cache.get(d.created_at)
            if opened is None:
                opened = opened_cache[d.created_at] = excel_date(
                    local_date(d.created_at, generated_at)
                )
            write_number(row, 11, opened, date_f)
            age = age_of(d)
            if age is not None:
                write_number(row, 12, age, count_f)
            if done + row >= next_tick:
                ticker.tick(done + row)
                next_tick = ticker.next_due
    ticker.done = done + row
    return row, longest


def _write_texts(
    write_string: Callable[[int, int, str, Format], object],
    row: int,
    text_f: Format,
    longest: dict[int, int],
    d: DiscrepancyRow,
) -> None:
    """The member's ID and name and the last note, noting the longest of each column."""
    write_string(row, 1, d.member_id, text_f)
    longest[1] = max(longest[1], len(d.member_id))
    for col, value in ((2, d.last_name), (3, d.first_name), (13, d.last_note)):
        if value:
            write_string(row, col, value, text_f)
            if len(value) > longest[col]:
                longest[col] = len(value)


class _AgeOf:
    """Days since due of a row at the report's date (worked out once per due date)."""

    def __init__(self, today: dt.date) -> None:
        self._today = today
        self._ages: dict[dt.date, int] = {}

    def __call__(self, d: DiscrepancyRow) -> int | None:
        due = d.due_date
        if due is None:
            return None
        age = self._ages.get(due)
        if age is None:
            age = self._ages[due] = days_since_due(due, self._today)
        return age


def _finish(
    ws: Worksheet,
    summaries: Sequence[ReconcileSummary],
    row: int,
    longest: dict[int, int],
    *,
    practice_name: str | None,
    period: str,
) -> None:
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
    print_setup(ws, 0, practice=practice_name, period=period, title="Discrepancies")
