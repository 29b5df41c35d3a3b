"""The Aging sheet (open and disputed amounts by payer and age; what disputes recovered) and the
Late recoupments sheet (recoupments older than the contract's retro window: disputable)."""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence

from xlsxwriter.worksheet import Worksheet

from pmpm_desktop.core.age import AGE_TITLE, AGE_TOOLTIP, bucket_label
from pmpm_desktop.core.money import ZERO
from pmpm_desktop.core.summary import RECOVERED_DEFINITION, RECOVERED_TITLE
from pmpm_desktop.io.report_base import (
    Formats,
    add_table,
    column_widths,
    print_setup,
    write_date,
    write_money,
    write_text,
)
from pmpm_desktop.io.report_data import AgingRowLike, DisputeOutcome, LateRecoupmentLike

AGING_SHEET = "Aging"
LATE_SHEET = "Late recoupments"

DISPUTE_COLUMNS = [
    "Payer",
    "Payer name",
    "Ever disputed",
    "Still disputed",
    "Amount still in dispute",
    "Resolved after dispute",
    RECOVERED_TITLE,
    "Written off",
    "Amount written off",
]
LATE_COLUMNS = [
    "Payer",
    "Member ID",
    "Coverage month",
    "Amount recouped",
    "Payment date",
    "Months back",
    "Retro window (months)",
    "Disputable",
    "Statement file",
    "Row",
]


def aging_columns(buckets: Sequence[str]) -> list[str]:
    return [
        "Payer",
        "Payer name",
        *(bucket_label(b) for b in buckets),
        "Total",
        "Discrepancies",
    ]


def write_aging_sheet(
    ws: Worksheet,
    fmt: Formats,
    *,
    buckets: Sequence[str],
    short: Sequence[AgingRowLike],
    over: Sequence[AgingRowLike],
    disputes: Sequence[DisputeOutcome],
    late_count: int,
    as_of: dt.date,
    practice_name: str | None,
    period: str,
) -> None:
    ws.write_string(0, 0, f"Open and disputed amounts by {AGE_TITLE.lower()}", fmt.title)
    ws.write_string(
        1,
        0,
        f"{AGE_TITLE}: {AGE_TOOLTIP.lower()} (the contract's payment due day of the coverage "
        f"month), counted to {as_of:%Y-%m-%d}. Open and disputed discrepancies only.",
        fmt.subtitle,
    )
    row = 3
    header_rows = []
    for title, rows, sign, name in (
        ("Owed to the practice (paid less than expected)", short, -1, "tbl_aging_owed"),
        ("Owed to the payer (paid more than expected: the payer may recoup)", over, 1,
         "tbl_aging_over"),
    ):  # fmt: skip
        ws.write_string(row, 0, title, fmt.heading)
        row += 1
        header_rows.append(row)
        row = _aging_table(ws, fmt, row, buckets, rows, sign, name)
        row += 2
    ws.write_string(row, 0, "What disputes came to", fmt.heading)
    row += 1
    # the words of the Dashboard's tile and the Cover (one rule: services.disputes); wrapped
    # over the table's columns, the row as high as its lines
    ws.merge_range(row, 0, row, len(DISPUTE_COLUMNS) - 1, "", fmt.wrap)
    ws.write_string(row, 0, f"Discrepancies ever marked disputed. {RECOVERED_DEFINITION}", fmt.wrap)
    ws.set_row(row, 45)
    row += 1
    dispute_row = row
    row = add_table(
        ws, row, DISPUTE_COLUMNS,
        [None, None, fmt.count, fmt.count, fmt.money, fmt.count, fmt.money, fmt.count, fmt.money],
        len(disputes), "tbl_disputes", fmt.header,
    )  # fmt: skip
    for d in disputes:
        write_text(ws, row, 0, d.payer_code, fmt.text)
        write_text(ws, row, 1, d.payer_name, fmt.text)
        ws.write_number(row, 2, d.disputed, fmt.count)
        ws.write_number(row, 3, d.pending, fmt.count)
        write_money(ws, row, 4, d.pending_amount, fmt.money)
        ws.write_number(row, 5, d.resolved, fmt.count)
        write_money(ws, row, 6, d.recovered, fmt.money)
        ws.write_number(row, 7, d.written_off, fmt.count)
        write_money(ws, row, 8, d.written_off_amount, fmt.money)
        row += 1
    if not disputes:
        ws.write_string(row, 0, "No payer has had a dispute yet.", fmt.note)
        row += 1
    row += 2
    ws.write_string(row, 0, "Recoupments outside the retro window", fmt.heading)
    ws.write_string(
        row + 1,
        0,
        f"{late_count:,} recoupment line{'' if late_count == 1 else 's'} older than the "
        f"contract's retro window: listed on the '{LATE_SHEET}' sheet; they are disputable.",
        fmt.subtitle if late_count == 0 else fmt.flag,
    )
    # the aging table and the disputes table share the columns: wide enough for both
    aging_widths = [10, 26, *[15] * len(buckets), 16, 14]
    dispute_widths = [10, 26, 11, 11, 16, 13, 18, 11, 14]
    n = max(len(aging_widths), len(dispute_widths))
    aging_widths += [0] * (n - len(aging_widths))
    dispute_widths += [0] * (n - len(dispute_widths))
    column_widths(ws, [max(a, b) for a, b in zip(aging_widths, dispute_widths, strict=True)])
    for r in (*header_rows, dispute_row):
        ws.set_row(r, 30)
    print_setup(ws, None, practice=practice_name, period=period, title="Aging")


def _aging_table(
    ws: Worksheet,
    fmt: Formats,
    row: int,
    buckets: Sequence[str],
    rows: Sequence[AgingRowLike],
    sign: int,
    name: str,
) -> int:
    """One aging table and its total row; amounts shown as positive sums (``sign`` × variance).
    Returns the row after the total."""
    columns = aging_columns(buckets)
    formats = [None, None, *[fmt.money] * (len(buckets) + 1), fmt.count]
    row = add_table(ws, row, columns, formats, len(rows), name, fmt.header)
    sums = dict.fromkeys(buckets, ZERO)
    total, count = ZERO, 0
    for a in rows:
        write_text(ws, row, 0, a.payer_code, fmt.text)
        write_text(ws, row, 1, a.payer_name, fmt.text)
        for i, bucket in enumerate(buckets):
            amount = sign * a.amounts.get(bucket, ZERO)
            write_money(ws, row, 2 + i, amount, fmt.money)
            sums[bucket] += amount
        write_money(ws, row, 2 + len(buckets), sign * a.total, fmt.money)
        ws.write_number(row, 3 + len(buckets), a.count, fmt.count)
        total += sign * a.total
        count += a.count
        row += 1
    if not rows:
        row += 1  # the table's one blank data row
    ws.write_string(row, 0, "All payers", fmt.total_text)
    ws.write_blank(row, 1, None, fmt.total_text)
    for i, bucket in enumerate(buckets):
        write_money(ws, row, 2 + i, sums[bucket], fmt.total_money)
    write_money(ws, row, 2 + len(buckets), total, fmt.total_money)
    ws.write_number(row, 3 + len(buckets), count, fmt.total_count)
    return row + 1


def write_late_sheet(
    ws: Worksheet,
    fmt: Formats,
    late: Sequence[LateRecoupmentLike],
    *,
    practice_name: str | None,
    period: str,
) -> None:
    """Streamed (may be long): a header, then one row per late recoupment line."""
    for col, name in enumerate(LATE_COLUMNS):
        ws.write_string(0, col, name, fmt.header)
    row = 0
    for r in late:
        row += 1
        write_text(ws, row, 0, r.payer_code, fmt.text)
        write_text(ws, row, 1, r.member_id, fmt.text)
        ws.write_string(row, 2, str(r.coverage_month), fmt.text)
        write_money(ws, row, 3, r.amount, fmt.money)
        write_date(ws, row, 4, r.payment_date, fmt.date)
        ws.write_number(row, 5, r.months_back, fmt.count)
        ws.write_number(row, 6, r.retro_window_months, fmt.count)
        ws.write_string(row, 7, "Yes: older than the retro window", fmt.flag)
        write_text(ws, row, 8, r.file_name, fmt.text)
        ws.write_number(row, 9, r.source_row, fmt.count)
    if not late:
        ws.write_string(1, 0, "No recoupment is older than its contract's retro window.", fmt.note)
    column_widths(ws, [10, 14, 10, 14, 12, 9, 11, 30, 36, 7])
    ws.set_row(0, 30)
    ws.freeze_panes(1, 0)
    ws.autofilter(0, 0, max(row, 1), len(LATE_COLUMNS) - 1)
    print_setup(ws, 0, practice=practice_name, period=period, title="Late recoupments")
