"""Expected and paid as a reconciliation computes them right now, for the dashboard: nothing
is stored. Stored discrepancies hold only the member-months that differ, so the expected amount
of the matched ones exists nowhere else; the same computation tells whether the stored list is
behind the files (the "reconcile again" hint)."""

from __future__ import annotations

from decimal import Decimal

import polars as pl
from sqlalchemy import select

from pmpm_desktop.core.money import cents_to_money
from pmpm_desktop.core.month import Month
from pmpm_desktop.core.reconcile import summarise
from pmpm_desktop.core.summary import CLOSED_STATUSES, Kind
from pmpm_desktop.db.database import Database
from pmpm_desktop.db.frames import read_frame, scaled
from pmpm_desktop.db.models import Discrepancy
from pmpm_desktop.services.overview_types import MonthFigures
from pmpm_desktop.services.payer_level import month_payer_levels
from pmpm_desktop.services.reconciling import compute, load_inputs

_STORED_SCHEMA: dict[str, pl.DataType | type[pl.DataType]] = {
    "member_ref": pl.Utf8,
    "month": pl.Int32,
    "kind_stored": pl.Utf8,
    "expected_stored": pl.Int64,
    "paid_stored": pl.Int64,
    "status": pl.Utf8,
    "auto_resolved": pl.Boolean,
    "stale": pl.Boolean,
}


#: expected, paid, whether the stored discrepancies are behind, and the same month by month
Figures = tuple[Decimal, Decimal, bool, tuple[MonthFigures, ...]]


def expected_paid(db: Database, payer_id: int, code: str, first: Month, last: Month) -> Figures:
    """Expected and paid over first..last as a reconciliation computes them (nothing stored),
    whether the stored discrepancies differ from what a reconciliation would store now, and
    the same month by month."""
    inputs = load_inputs(db, code, first, last)
    expected, kinds = compute(inputs, first, last)
    months = summarise(kinds, first.index, last.index)
    levels = month_payer_levels(db, payer_id, first, last, expected.member_months)
    expected_cents, paid_cents = months.select(
        pl.col("expected_cents").sum(), pl.col("paid_cents").sum()
    ).row(0)
    stored = read_frame(
        db,
        select(
            Discrepancy.member_id.label("member_ref"),
            Discrepancy.month.label("month"),
            Discrepancy.kind.label("kind_stored"),
            scaled(Discrepancy.expected, 100, "expected_stored"),
            scaled(Discrepancy.paid, 100, "paid_stored"),
            Discrepancy.status.label("status"),
            Discrepancy.auto_resolved.label("auto_resolved"),
            Discrepancy.stale.label("stale"),
        ).where(
            Discrepancy.payer_id == payer_id, Discrepancy.month >= first, Discrepancy.month <= last
        ),
        _STORED_SCHEMA,
    )
    by_month = tuple(
        MonthFigures(
            Month.from_index(int(r["month"])),
            int(r["eligible_members"]),
            int(r["paid_members"]),
            cents_to_money(int(r["expected_cents"])),
            cents_to_money(int(r["paid_cents"])),
            levels.get(Month.from_index(int(r["month"]))),
        )
        for r in months.select(
            "month", "eligible_members", "paid_members", "expected_cents", "paid_cents"
        ).iter_rows(named=True)
    )
    return (
        cents_to_money(int(expected_cents or 0)),
        cents_to_money(int(paid_cents or 0)),
        _is_stale(kinds, stored),
        by_month,
    )


def _is_stale(kinds: pl.DataFrame, stored: pl.DataFrame) -> bool:
    """Would reconciling now change the stored discrepancies? (the rules of
    ``reconciling.store_discrepancies``: every difference found is stored with its current kind
    and amounts, and is not auto-closed; every open or disputed one is still a difference; none
    is marked stale, which only a reconciliation clears)."""
    if stored["stale"].any():
        return True
    found = kinds.filter(pl.col("kind") != Kind.MATCHED.value).select(
        "member_ref", "month", "kind", "expected_cents", "paid_cents"
    )
    joined = found.join(stored, on=["member_ref", "month"], how="left")
    behind = joined.filter(
        pl.col("kind_stored").is_null()
        | (pl.col("kind") != pl.col("kind_stored"))
        | (pl.col("expected_cents") != pl.col("expected_stored"))
        | (pl.col("paid_cents") != pl.col("paid_stored"))
        | (pl.col("status").is_in(list(CLOSED_STATUSES)) & pl.col("auto_resolved"))
    )
    if behind.height:
        return True
    still_open = stored.filter(~pl.col("status").is_in(list(CLOSED_STATUSES)))
    return still_open.join(found, on=["member_ref", "month"], how="anti").height > 0
