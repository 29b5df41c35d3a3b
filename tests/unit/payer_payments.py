"""Statements that pay part of the money without members (an 835's PLB, SPEC §7), stored the
way the machine-format import stores them: member lines and payer-level payments together."""

from __future__ import annotations

import hashlib
from collections.abc import Sequence
from decimal import Decimal

import polars as pl

from pmpm_desktop.core.money import money_to_cents
from pmpm_desktop.db.database import Database
from pmpm_desktop.io.machine_file import PAYER_PAYMENT_SCHEMA
from pmpm_desktop.services import importing

#: (month 'YYYY-MM', PLB code, reference, amount as paid to the practice)
Payment = tuple[str, str, str | None, str]
#: (member ID, coverage month 'YYYY-MM', amount)
Line = tuple[str, str, str]


def plb_frame(payments: Sequence[Payment], first_segment: int = 12) -> pl.DataFrame:
    """PAYER_PAYMENT_SCHEMA rows, one per PLB adjustment, numbered as segments of one file."""
    return pl.DataFrame(
        {
            "month": [p[0] for p in payments],
            "code": [p[1] for p in payments],
            "reference": [p[2] for p in payments],
            "amount_cents": [money_to_cents(Decimal(p[3])) for p in payments],
            "source_row": list(range(first_segment, first_segment + len(payments))),
        },
        schema=PAYER_PAYMENT_SCHEMA,
    )


def lines_frame(lines: Sequence[Line]) -> pl.DataFrame:
    """Member lines in the reader's canonical columns."""
    return pl.DataFrame(
        {
            "member_id": [x[0] for x in lines],
            "coverage_month": [x[1] for x in lines],
            "amount_cents": [money_to_cents(Decimal(x[2])) for x in lines],
            "source_row": list(range(2, len(lines) + 2)),
        },
        schema={
            "member_id": pl.Utf8,
            "coverage_month": pl.Utf8,
            "amount_cents": pl.Int64,
            "source_row": pl.Int64,
        },
    )


def store_statement(
    db: Database,
    payer_code: str,
    name: str,
    lines: Sequence[Line] = (),
    payments: Sequence[Payment] = (),
) -> int:
    """A statement with member ``lines`` and payer-level ``payments``; its import id."""
    result = importing.store_remittance(
        db,
        payer_code,
        lines_frame(lines),
        file_name=name,
        sha256=hashlib.sha256(name.encode()).hexdigest(),
        payer_payments=plb_frame(payments),
    )
    return result.import_id
