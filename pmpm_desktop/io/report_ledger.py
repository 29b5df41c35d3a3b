"""The Member ledger sheet: every coverage month of the period for each member the report lists
(the members with a discrepancy): eligible or not, expected, paid, variance, kind and status."""

from __future__ import annotations

from collections.abc import Sequence

import polars as pl
from xlsxwriter.worksheet import Worksheet

from pmpm_desktop.core.month import Month
from pmpm_desktop.io.report_base import (
    KIND_LABELS,
    STATUS_LABELS,
    Formats,
    column_widths,
    print_setup,
)
from pmpm_desktop.io.report_data import LedgerLine
from pmpm_desktop.io.report_stream import StreamColumn, can_stream, stream_frame
from pmpm_desktop.progress import Counter

LEDGER_SHEET = "Member ledger"

LEDGER_COLUMNS = [
    "Payer",
    "Member ID",
    "Last name",
    "First name",
    "Month",
    "Eligible",
    "Expected",
    "Paid",
    "Variance",
    "Kind",
    "Status",
]


def write_ledger_sheet(
    ws: Worksheet,
    fmt: Formats,
    ledger: Sequence[LedgerLine],
    *,
    left_out: int,
    ticker: Counter,
    practice_name: str | None,
    period: str,
) -> None:
    for col, name in enumerate(LEDGER_COLUMNS):
        ws.write_string(0, col, name, fmt.header)
    if can_stream(ws):
        row, longest = _stream_rows(ws, fmt, ledger, ticker)
    else:
        row, longest = _write_rows(ws, fmt, ledger, ticker)
    if left_out:
        row += 2
        ws.write_string(
            row,
            0,
            f"The ledger is limited to the members above: {left_out:,} more members with a "
            "discrepancy are not listed (see each one on the Members page).",
            fmt.flag,
        )
    column_widths(
        ws,
        [10, min(24, max(12, longest[1] + 2)), min(30, max(12, longest[2] + 2)),
         min(24, max(12, longest[3] + 2)), 9, 9, 13, 13, 13, 16, 12],
    )  # fmt: skip
    ws.freeze_panes(1, 2)
    ws.autofilter(0, 0, max(len(ledger), 1), len(LEDGER_COLUMNS) - 1)
    print_setup(ws, 0, practice=practice_name, period=period, title="Member ledger")


def _stream_rows(
    ws: Worksheet, fmt: Formats, ledger: Sequence[LedgerLine], ticker: Counter
) -> tuple[int, list[int]]:
    """The fast path (report_stream): the ledger as one frame, written as XML by polars."""
    month_text: dict[Month, str] = {}
    months = []
    for line in ledger:
        m = month_text.get(line.month)
        if m is None:
            m = month_text[line.month] = str(line.month)
        months.append(m)
    kinds: dict[str | None, str | None] = {k: v for k, v in KIND_LABELS.items()}
    statuses: dict[str | None, str | None] = {k: v for k, v in STATUS_LABELS.items()}
    kinds[None] = statuses[None] = None
    frame = pl.DataFrame(
        {
            "payer": [x.payer_code for x in ledger],
            "member_id": [x.member_id for x in ledger],
            "last_name": [x.last_name for x in ledger],
            "first_name": [x.first_name for x in ledger],
            "month": months,
            "eligible": ["Yes" if x.eligible else "No" for x in ledger],
            # cents / 100 in Python: the double nearest the amount, as float(Decimal) gives
            # (polars divides by a literal through its reciprocal: 97.60000000000001)
            "expected": [x.expected_cents / 100 for x in ledger],
            "paid": [x.paid_cents / 100 for x in ledger],
            "variance": [(x.paid_cents - x.expected_cents) / 100 for x in ledger],
            "kind": [kinds.get(x.kind, x.kind) for x in ledger],
            "status": [statuses.get(x.status, x.status) for x in ledger],
        },
        schema={
            "payer": pl.Utf8, "member_id": pl.Utf8, "last_name": pl.Utf8,
            "first_name": pl.Utf8, "month": pl.Utf8, "eligible": pl.Utf8,
            "expected": pl.Float64, "paid": pl.Float64, "variance": pl.Float64,
            "kind": pl.Utf8, "status": pl.Utf8,
        },
    )  # fmt: skip
    text, money = fmt.text, fmt.money
    columns = [
        StreamColumn("payer", "text", text),
        StreamColumn("member_id", "text", text),
        StreamColumn("last_name", "text", text),
        StreamColumn("first_name", "text", text),
        StreamColumn("month", "text", text),
        StreamColumn("eligible", "text", text),
        StreamColumn("expected", "number", money),
        StreamColumn("paid", "number", money),
        StreamColumn("variance", "number", money),
        StreamColumn("kind", "text", fmt.spaced),
        StreamColumn("status", "text", text),
    ]
    done = ticker.done
    stream_frame(ws, 1, frame, columns, tick=lambda n: ticker.tick(done + n))
    ticker.done = done + frame.height
    lengths = frame.select(
        pl.col(c).str.len_chars().max().alias(c) for c in ("member_id", "last_name", "first_name")
    ).row(0)
    return frame.height, [0, *(int(n or 0) for n in lengths)]


def _write_rows(
    ws: Worksheet, fmt: Formats, ledger: Sequence[LedgerLine], ticker: Counter
) -> tuple[int, list[int]]:
    """Cell by cell through xlsxwriter: the path when streaming is not available."""
    write_string = getattr(ws, "_write_string", ws.write_string)
    write_number = getattr(ws, "_write_number", ws.write_number)
    text_f, money_f = fmt.text, fmt.money
    month_text: dict[Month, str] = {}
    kinds: dict[str | None, str] = {k: v for k, v in KIND_LABELS.items()}
    statuses: dict[str | None, str] = {k: v for k, v in STATUS_LABELS.items()}
    kinds[None] = statuses[None] = ""
    longest = [0, 0, 0, 0]
    row = 0
    done = ticker.done
    next_tick = ticker.next_due
    for line in ledger:
        row += 1
        payer, member_id, last_name, first_name, month, eligible, exp_c, paid_c, kind, status = line
        write_string(row, 0, payer, text_f)
        write_string(row, 1, member_id, text_f)
        if len(member_id) > longest[1]:
            longest[1] = len(member_id)
        if last_name:
            write_string(row, 2, last_name, text_f)
            if len(last_name) > longest[2]:
                longest[2] = len(last_name)
        if first_name:
            write_string(row, 3, first_name, text_f)
            if len(first_name) > longest[3]:
                longest[3] = len(first_name)
        m = month_text.get(month)
        if m is None:
            m = month_text[month] = str(month)
        write_string(row, 4, m, text_f)
        write_string(row, 5, "Yes" if eligible else "No", text_f)
        write_number(row, 6, exp_c / 100, money_f)
        write_number(row, 7, paid_c / 100, money_f)
        write_number(row, 8, (paid_c - exp_c) / 100, money_f)
        k = kinds.get(kind, kind)
        if k:
            write_string(row, 9, k, fmt.spaced)
        s = statuses.get(status, status)
        if s:
            write_string(row, 10, s, text_f)
        if done + row >= next_tick:
            ticker.tick(done + row)
            next_tick = ticker.next_due
    ticker.done = done + row
    return row, longest
