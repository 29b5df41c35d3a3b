"""Payer-level payments (SPEC §7): money a payer pays without members, such as an 835's PLB
capitation, shown per month beside the member-level figures and the contract's withhold."""

from __future__ import annotations

import dataclasses

import polars as pl
from sqlalchemy import select

from pmpm_desktop.core.money import cents_to_money
from pmpm_desktop.core.month import Month
from pmpm_desktop.core.summary import PayerLevel, ReconcileSummary
from pmpm_desktop.db.database import Database
from pmpm_desktop.db.frames import read_frame, scaled
from pmpm_desktop.db.models import PayerPayment

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


def with_payer_level(
    db: Database, payer_id: int, summary: ReconcileSummary, member_months: pl.DataFrame
) -> ReconcileSummary:
    """``summary`` with each month's payer-level payments and the contract's withhold for it
    (from the engine's ``member_months``); unchanged when the payer made none in the range."""
    payments = payer_payments(db, payer_id, summary.first, summary.last)
    if payments.height == 0:
        return summary
    withheld = dict(member_months.group_by("month").agg(pl.col("withhold_cents").sum()).iter_rows())
    by_month: dict[int, dict[str, int]] = {}
    for month, code, cents in (
        payments.group_by("month", "code").agg(pl.col("amount_cents").sum()).iter_rows()
    ):
        by_month.setdefault(int(month), {})[str(code)] = int(cents)
    months = []
    for m in summary.months:
        codes = by_month.get(m.month.index)
        if codes is None:
            months.append(m)
            continue
        level = PayerLevel(
            paid=cents_to_money(sum(codes.values())),
            by_code={c: cents_to_money(v) for c, v in sorted(codes.items())},
            withhold_reported=cents_to_money(-codes.get(WITHHOLD_CODE, 0)),
            withhold_contract=cents_to_money(int(withheld.get(m.month.index, 0) or 0)),
        )
        months.append(dataclasses.replace(m, payer_level=level))
    total = int(payments["amount_cents"].sum() or 0)
    return dataclasses.replace(summary, months=months, payer_level_paid=cents_to_money(total))
