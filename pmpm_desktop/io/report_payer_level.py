"""The "Payer-level payments" table under the Summary sheet's months: every payment a payer
made without members in the period (SPEC §7: an 835's PLB), with what its code means, the
reference the payer gave it and where it came from."""

from __future__ import annotations

from collections.abc import Sequence

from xlsxwriter.worksheet import Worksheet

from pmpm_desktop.core.money import ZERO
from pmpm_desktop.core.payer_level import code_meaning
from pmpm_desktop.io.report_base import Formats, write_money, write_text
from pmpm_desktop.io.report_data import PayerPaymentLine

PAYER_PAYMENTS_TITLE = "Payer-level payments"
#: the table's header; "What it is" spans two columns of the Summary's (it is the long one)
PAYER_PAYMENT_COLUMNS: tuple[str, ...] = (
    "Payer",
    "Month",
    "Code",
    "What it is",
    "",
    "Reference",
    "Amount",
    "Statement",
)
_COL_CODE, _COL_MEANING, _COL_REFERENCE, _COL_AMOUNT, _COL_SOURCE = 2, 3, 5, 6, 7


def write_payer_payments(
    ws: Worksheet, fmt: Formats, lines: Sequence[PayerPaymentLine], row: int
) -> int:
    """The table from ``row`` on (a heading, a sentence, the payments, a total per payer);
    returns the row after it."""
    ws.write_string(row, 0, PAYER_PAYMENTS_TITLE, fmt.heading)
    row += 1
    ws.write_string(
        row,
        0,
        "Money paid without members (signed as paid to the practice: a withholding or a "
        "recovery is negative), for the month each names. Not in Paid or the kinds above.",
        fmt.subtitle,
    )
    row += 1
    for col, name in enumerate(PAYER_PAYMENT_COLUMNS):
        if col == _COL_MEANING:
            ws.merge_range(row, col, row, col + 1, name, fmt.header)
        elif col != _COL_MEANING + 1:
            ws.write_string(row, col, name, fmt.header)
    row += 1
    payers = list(dict.fromkeys(line.payer_code for line in lines))
    for code in payers:
        mine = [line for line in lines if line.payer_code == code]
        for line in mine:
            ws.write_string(row, 0, line.payer_code, fmt.text)
            ws.write_string(row, 1, str(line.month), fmt.text)
            write_text(ws, row, _COL_CODE, line.code, fmt.text)
            ws.merge_range(row, _COL_MEANING, row, _COL_MEANING + 1, "", fmt.text)
            ws.write_string(row, _COL_MEANING, code_meaning(line.code), fmt.text)
            write_text(ws, row, _COL_REFERENCE, line.reference, fmt.text)
            write_money(ws, row, _COL_AMOUNT, line.amount, fmt.money)
            ws.write_string(
                row, _COL_SOURCE, f"{line.file_name}, segment {line.source_row}", fmt.spaced
            )
            row += 1
        ws.write_string(row, 0, code, fmt.total_text)
        ws.write_string(row, 1, "Total", fmt.total_text)
        for col in range(2, _COL_AMOUNT):
            ws.write_blank(row, col, None, fmt.total_text)
        write_money(ws, row, _COL_AMOUNT, sum((x.amount for x in mine), ZERO), fmt.total_money)
        ws.write_blank(row, _COL_SOURCE, None, fmt.total_text)
        row += 1
    return row
