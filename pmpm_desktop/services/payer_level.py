"""Payer-level payments (SPEC §7): money a payer pays without members, such as an 835's PLB
capitation, shown per month beside the member-level figures and the contract's withhold.

Every place that shows a month summary (``reconcile``, the Reconciliation page's summary worked
out without storing, the Dashboard, the workbook) fills the months in here, so they agree."""

from __future__ import annotations

import dataclasses
from collections.abc import Sequence
from decimal import Decimal

import polars as pl
from sqlalchemy import select

from pmpm_desktop.core.money import cents_to_money
from pmpm_desktop.core.month import Month
from pmpm_desktop.core.summary import MonthSummary, PayerLevel, ReconcileSummary
from pmpm_desktop.db.database import Database
from pmpm_desktop.db.frames import read_frame, scaled
from pmpm_desktop.db.models import Payer, PayerPayment, RemittanceImport
from pmpm_desktop.io.report_data import PayerPaymentLine

#: the PLB code of a withholding (X12 835 adjustment reason E3)
WITHHOLD_CODE = "E3"


def payer_payments(db: Database, payer_id: int, first: Month, last: Month) -> pl.DataFrame:
    """month (index), code, amount_cents of the payer's payer-level payments in the range."""
    q = select(
        PayerPayment.month.label("month"),
        PayerPayment.code.label("code"),
        scaled(PayerPayment.amount, 100, "amount_cents"),
    ).where(
        PayerPayment.payer_id == payer_id,
        PayerPayment.month >= first,
        PayerPayment.month <= last,
    )
    return read_frame(db, q, {"month": pl.Int32, "code": pl.String, "amount_cents": pl.Int64})


def month_payer_levels(
    db: Database, payer_id: int, first: Month, last: Month, member_months: pl.DataFrame
) -> dict[Month, PayerLevel]:
    """Each month of the range that has payer-level payments, with the contracts' withhold of
    that month (the engine's ``member_months``: its ``month`` and ``withhold_cents``)."""
    payments = payer_payments(db, payer_id, first, last)
    if payments.height == 0:
        return {}
    withheld = dict(member_months.group_by("month").agg(pl.col("withhold_cents").sum()).iter_rows())
    by_month: dict[int, dict[str, int]] = {}
    for month, code, cents in (
        payments.group_by("month", "code").agg(pl.col("amount_cents").sum()).iter_rows()
    ):
        by_month.setdefault(int(month), {})[str(code)] = int(cents)
    return {
        Month.from_index(index): PayerLevel(
            paid=cents_to_money(sum(codes.values())),
            by_code={c: cents_to_money(v) for c, v in sorted(codes.items())},
            withhold_reported=cents_to_money(-codes.get(WITHHOLD_CODE, 0)),
            withhold_contract=cents_to_money(int(withheld.get(index, 0) or 0)),
        )
        for index, codes in by_month.items()
    }


def with_month_levels(
    months: Sequence[MonthSummary], levels: dict[Month, PayerLevel]
) -> list[MonthSummary]:
    """``months`` with the payer-level payments of those that have any."""
    return [
        dataclasses.replace(m, payer_level=levels[m.month]) if m.month in levels else m
        for m in months
    ]


def with_payer_level(
    db: Database, payer_id: int, summary: ReconcileSummary, member_months: pl.DataFrame
) -> ReconcileSummary:
    """``summary`` with each month's payer-level payments and the contract's withhold for it
    (from the engine's ``member_months``); unchanged when the payer made none in the range."""
    levels = month_payer_levels(db, payer_id, summary.first, summary.last, member_months)
    if not levels:
        return summary
    total = sum((lv.paid for lv in levels.values()), Decimal("0.00"))
    return dataclasses.replace(
        summary, months=with_month_levels(summary.months, levels), payer_level_paid=total
    )


def payer_payment_lines(
    db: Database, payer_codes: Sequence[str], first: Month, last: Month
) -> list[PayerPaymentLine]:
    """The payer-level payments of these payers in the range, one per PLB adjustment as
    stored: by payer code, month, code, then the statement's segment."""
    q = (
        select(
            Payer.code,
            PayerPayment.month,
            PayerPayment.code,
            PayerPayment.reference,
            PayerPayment.amount,
            RemittanceImport.file_name,
            PayerPayment.source_row,
        )
        .join(Payer, Payer.id == PayerPayment.payer_id)
        .join(RemittanceImport, RemittanceImport.id == PayerPayment.import_id)
        .where(
            Payer.code.in_(list(payer_codes)),
            PayerPayment.month >= first,
            PayerPayment.month <= last,
        )
        .order_by(
            Payer.code,
            PayerPayment.month,
            PayerPayment.code,
            RemittanceImport.id,
            PayerPayment.source_row,
        )
    )
    with db.sessions() as s:
        return [PayerPaymentLine(*row) for row in s.execute(q)]
