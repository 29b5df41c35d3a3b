"""The dispute packet: one workbook per payer with only what the payer must act on, in the
payer's words, ready to email: the practice, the period, totals, one row per member-month and
a column for the payer's answer.

What goes in: open or disputed discrepancies of the kinds a payer acts on (a payment missing,
short, paid twice, or paid for a month the member was not eligible) and, on a second sheet,
recoupments taken later than the contract's retro window (which the practice asks to reverse).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from decimal import Decimal
from pathlib import Path

from xlsxwriter.worksheet import Worksheet

from pmpm_desktop.core.money import ZERO
from pmpm_desktop.core.month import Month
from pmpm_desktop.core.summary import OPEN_STATUSES, DiscrepancyRow, Kind, Status
from pmpm_desktop.io.report_base import (
    Formats,
    InMemorySheet,
    atomic_workbook,
    column_widths,
    excel_date,
    print_setup,
    write_date,
    write_money,
    write_text,
)
from pmpm_desktop.io.report_data import LateRecoupmentLike

PACKET_SHEET = "Items to review"
PACKET_LATE_SHEET = "Late recoupments"
#: the kinds a payer acts on, and the statuses still waiting for it
PACKET_KINDS: tuple[Kind, ...] = (Kind.MISSING, Kind.UNDERPAID, Kind.DUPLICATE, Kind.NOT_ELIGIBLE)
PACKET_STATUSES: frozenset[Status] = frozenset(OPEN_STATUSES)

#: what each kind means, said the way a plan's provider-services desk says it
ISSUE_TEXT: dict[str, str] = {
    Kind.MISSING: "No capitation paid for an eligible member-month",
    Kind.UNDERPAID: "Capitation paid below the contracted rate",
    Kind.DUPLICATE: "Capitation paid twice for the same member-month",
    Kind.NOT_ELIGIBLE: "Capitation paid for a month the member was not eligible",
}
REQUEST_TEXT: dict[str, str] = {
    Kind.MISSING: "Please pay the amount due",
    Kind.UNDERPAID: "Please pay the difference",
    Kind.DUPLICATE: "Please recoup the duplicate payment",
    Kind.NOT_ELIGIBLE: "Please confirm eligibility or recoup",
}
INTRO = (
    "Our reconciliation of your capitation remittances against your eligibility rosters and "
    "the contracted rates found the member-months below. Please review each one, answer in "
    "the 'Plan response' column and return this workbook to us."
)
ANSWERS = [
    "Agree - will pay",
    "Agree - will recoup",
    "Disagree - see comment",
    "Need more information",
]
PACKET_COLUMNS = [
    "Item",
    "Member ID",
    "Member name",
    "Date of birth",
    "Coverage month",
    "Issue",
    "Contracted amount",
    "Amount paid",
    "Due to provider",
    "Due to plan",
    "Requested action",
    "Plan response",
    "Plan comment / reference",
]
LATE_COLUMNS = [
    "Item",
    "Member ID",
    "Coverage month",
    "Amount recouped",
    "Payment date",
    "Months after coverage",
    "Contract retro window (months)",
    "Statement file",
    "Row",
    "Requested action",
    "Plan response",
    "Plan comment / reference",
]


def packet_items(discrepancies: Sequence[DiscrepancyRow]) -> list[DiscrepancyRow]:
    """What the payer must act on, by member and month."""
    return sorted(
        (d for d in discrepancies if d.kind in PACKET_KINDS and d.status in PACKET_STATUSES),
        key=lambda d: (d.member_id, d.month),
    )


def packet_file_name(payer_code: str, first: Month, last: Month) -> str:
    return f"Dispute packet {payer_code} {first} to {last}.xlsx"


def write_packet(
    path: Path,
    *,
    payer_code: str,
    payer_name: str,
    first: Month,
    last: Month,
    discrepancies: Sequence[DiscrepancyRow],
    late: Sequence[LateRecoupmentLike],
    generated_at: dt.datetime,
    practice_name: str | None,
) -> int:
    """Write the payer's packet to ``path``; returns the number of items listed."""
    items = packet_items(discrepancies)
    period = f"{first} \u2013 {last}"
    with atomic_workbook(
        path, title=f"Dispute packet {payer_code}", company=practice_name, created=generated_at
    ) as workbook:
        fmt = Formats(workbook)
        ws = workbook.add_worksheet(PACKET_SHEET, worksheet_class=InMemorySheet)
        _items_sheet(ws, fmt, items, payer_code, payer_name, period, generated_at, practice_name,
                     len(late))  # fmt: skip
        if late:
            late_ws = workbook.add_worksheet(PACKET_LATE_SHEET, worksheet_class=InMemorySheet)
            _late_sheet(late_ws, fmt, late, payer_name, period, practice_name)
    return len(items) + len(late)


def _heading(
    ws: Worksheet, fmt: Formats, title: str, payer_name: str, period: str,
    generated_at: dt.datetime, practice_name: str | None,
) -> int:  # fmt: skip
    ws.write_string(0, 0, practice_name or "Provider", fmt.title)
    ws.write_string(1, 0, title, fmt.heading)
    ws.write_string(2, 0, "To", fmt.label)
    ws.write_string(2, 2, payer_name, fmt.text)
    ws.write_string(3, 0, "Coverage months", fmt.label)
    ws.write_string(3, 2, period, fmt.text)
    ws.write_string(4, 0, "Prepared on", fmt.label)
    ws.write_string(4, 2, f"{generated_at:%Y-%m-%d}", fmt.text)
    return 6


def _items_sheet(
    ws: Worksheet, fmt: Formats, items: list[DiscrepancyRow], payer_code: str, payer_name: str,
    period: str, generated_at: dt.datetime, practice_name: str | None, late_count: int,
) -> None:  # fmt: skip
    row = _heading(ws, fmt, "Capitation payment review request", payer_name or payer_code,
                   period, generated_at, practice_name)  # fmt: skip
    due_provider = sum((-d.variance for d in items if d.variance < 0), ZERO)
    due_plan = sum((d.variance for d in items if d.variance > 0), ZERO)
    ws.merge_range(row, 0, row, 10, "", fmt.note)
    ws.write_string(row, 0, INTRO, fmt.note)
    ws.set_row(row, 32)
    row += 2
    ws.merge_range(row, 0, row, 5, "", fmt.header)
    ws.write_string(row, 0, "Summary", fmt.header)
    ws.write_string(row, 6, "Items", fmt.header)
    ws.write_string(row, 7, "Amount", fmt.header)
    row += 1
    by_kind = [(k, [d for d in items if d.kind == k]) for k in PACKET_KINDS]
    for kind, rows in by_kind:
        ws.merge_range(row, 0, row, 5, "", fmt.text)
        ws.write_string(row, 0, ISSUE_TEXT[kind], fmt.text)
        ws.write_number(row, 6, len(rows), fmt.count)
        write_money(ws, row, 7, sum((abs(d.variance) for d in rows), ZERO), fmt.money)
        row += 1
    for label, amount in (
        ("Total due to provider", due_provider),
        ("Total due to plan (to be recouped)", due_plan),
    ):
        ws.merge_range(row, 0, row, 5, "", fmt.total_text)
        ws.write_string(row, 0, label, fmt.total_text)
        ws.write_blank(row, 6, None, fmt.total_text)
        write_money(ws, row, 7, amount, fmt.total_money)
        row += 1
    if late_count:
        ws.write_string(
            row, 0,
            f"Also: {late_count} recoupment{'s' if late_count != 1 else ''} taken after the "
            f"contract's retro window: see the '{PACKET_LATE_SHEET}' sheet.",
            fmt.flag,
        )  # fmt: skip
        row += 1
    row += 1

    header_row = row
    for col, name in enumerate(PACKET_COLUMNS):
        ws.write_string(row, col, name, fmt.header)
    answer_col = PACKET_COLUMNS.index("Plan response")
    for n, d in enumerate(items, start=1):
        row += 1
        ws.write_number(row, 0, n, fmt.item)
        write_text(ws, row, 1, d.member_id, fmt.text)
        name = ", ".join(p for p in (d.last_name, d.first_name) if p)
        write_text(ws, row, 2, name, fmt.text)
        if d.dob is not None:
            ws.write_number(row, 3, excel_date(d.dob), fmt.date)
        ws.write_string(row, 4, str(d.month), fmt.text)
        ws.write_string(row, 5, ISSUE_TEXT[d.kind], fmt.text)
        write_money(ws, row, 6, d.expected, fmt.money)
        write_money(ws, row, 7, d.paid, fmt.money)
        if d.variance < 0:
            write_money(ws, row, 8, -d.variance, fmt.money)
        else:
            write_money(ws, row, 9, d.variance, fmt.money)
        ws.write_string(row, 10, REQUEST_TEXT[d.kind], fmt.spaced)
        ws.write_blank(row, answer_col, None, fmt.answer)
        ws.write_blank(row, answer_col + 1, None, fmt.answer)
    if not items:
        row += 1
        ws.write_string(row, 0, "Nothing to review for these months.", fmt.note)
    else:
        row += 1
        ws.write_string(row, 0, "Total", fmt.total_text)
        for col in range(1, 8):
            ws.write_blank(row, col, None, fmt.total_text)
        write_money(ws, row, 8, due_provider, fmt.total_money)
        write_money(ws, row, 9, due_plan, fmt.total_money)
        ws.autofilter(header_row, 0, row - 1, len(PACKET_COLUMNS) - 1)
        _answers(ws, header_row + 1, row - 1, answer_col)
    column_widths(ws, [6, 14, 26, 11, 10, 52, 12, 12, 12, 12, 34, 22, 30])
    ws.set_row(header_row, 30)
    ws.freeze_panes(header_row + 1, 0)
    print_setup(ws, header_row, practice=practice_name, period=period,
                title=f"Payment review: {payer_name or payer_code}")  # fmt: skip


def _answers(ws: Worksheet, first_row: int, last_row: int, col: int) -> None:
    """A drop-down of usual answers; any other text is accepted too."""
    ws.data_validation(
        first_row, col, last_row, col,
        {"validate": "list", "source": ANSWERS, "error_type": "information",
         "input_title": "Plan response", "input_message": "Choose an answer or type your own"},
    )  # fmt: skip


def _late_sheet(
    ws: Worksheet, fmt: Formats, late: Sequence[LateRecoupmentLike], payer_name: str,
    period: str, practice_name: str | None,
) -> None:  # fmt: skip
    ws.write_string(0, 0, practice_name or "Provider", fmt.title)
    ws.write_string(1, 0, "Recoupments taken after the contract's retro window", fmt.heading)
    ws.write_string(
        2, 0,
        "The contract lets the plan recoup a coverage month only within its retro window. "
        "These recoupments came later; we ask that they be reversed.",
        fmt.note,
    )  # fmt: skip
    header_row = 4
    for col, name in enumerate(LATE_COLUMNS):
        ws.write_string(header_row, col, name, fmt.header)
    row = header_row
    total = Decimal("0.00")
    for n, r in enumerate(late, start=1):
        row += 1
        ws.write_number(row, 0, n, fmt.item)
        write_text(ws, row, 1, r.member_id, fmt.text)
        ws.write_string(row, 2, str(r.coverage_month), fmt.text)
        write_money(ws, row, 3, r.amount, fmt.money)
        write_date(ws, row, 4, r.payment_date, fmt.date)
        ws.write_number(row, 5, r.months_back, fmt.count)
        ws.write_number(row, 6, r.retro_window_months, fmt.count)
        write_text(ws, row, 7, r.file_name, fmt.text)
        ws.write_number(row, 8, r.source_row, fmt.count)
        ws.write_string(row, 9, "Please reverse the recoupment", fmt.spaced)
        ws.write_blank(row, 10, None, fmt.answer)
        ws.write_blank(row, 11, None, fmt.answer)
        total += r.amount
    row += 1
    ws.write_string(row, 0, "Total", fmt.total_text)
    write_money(ws, row, 3, total, fmt.total_money)
    ws.autofilter(header_row, 0, row - 1, len(LATE_COLUMNS) - 1)
    _answers(ws, header_row + 1, row - 1, 10)
    column_widths(ws, [6, 14, 10, 13, 11, 11, 12, 34, 7, 28, 22, 30])
    ws.set_row(header_row, 30)
    ws.freeze_panes(header_row + 1, 0)
    print_setup(ws, header_row, practice=practice_name, period=period,
                title=f"Late recoupments: {payer_name}")  # fmt: skip
