"""What disputes came to, per payer, for the report's Aging sheet and Cover.

A dispute is a discrepancy that was ever marked ``disputed`` (its history holds the change).
What it recovered is what the payer paid for that member-month in statements loaded after the
dispute was first sent; counted for the shortfalls only (missing, underpaid), since for the
other kinds the payer's answer is a recoupment, not money to the practice.
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from decimal import Decimal

from sqlalchemy import func, select

from pmpm_desktop.core.money import ZERO
from pmpm_desktop.core.month import Month
from pmpm_desktop.db.database import Database
from pmpm_desktop.db.models import (
    Discrepancy,
    DiscrepancyEvent,
    Payer,
    RemittanceImport,
    RemittanceLine,
)
from pmpm_desktop.io.report_data import DisputeOutcome

#: kinds whose resolution is money paid to the practice
SHORTFALL_KINDS = ("missing", "underpaid")
_CHUNK = 500  # member IDs per IN (…) query, well below SQLite's variable limit


def _naive_utc(ts: dt.datetime) -> dt.datetime:
    return ts.astimezone(dt.UTC).replace(tzinfo=None) if ts.tzinfo is not None else ts


def dispute_outcomes(
    db: Database, payers: dict[str, str], first: Month, last: Month
) -> list[DisputeOutcome]:
    """One outcome per payer of ``payers`` (code → name), coverage months ``first``..``last``."""
    disputed_at = (
        select(
            DiscrepancyEvent.discrepancy_id.label("discrepancy_id"),
            func.min(DiscrepancyEvent.at).label("at"),
        )
        .where(DiscrepancyEvent.new_status == "disputed")
        .group_by(DiscrepancyEvent.discrepancy_id)
        .subquery()
    )
    q = (
        select(
            Payer.id,
            Payer.code,
            Discrepancy.member_id,
            Discrepancy.month,
            Discrepancy.kind,
            Discrepancy.status,
            Discrepancy.variance,
            disputed_at.c.at,
        )
        .join(disputed_at, disputed_at.c.discrepancy_id == Discrepancy.id)
        .join(Payer, Payer.id == Discrepancy.payer_id)
        .where(
            Payer.code.in_(list(payers)),
            Discrepancy.month >= first,
            Discrepancy.month <= last,
        )
    )
    with db.sessions() as s:
        rows = s.execute(q).all()
    counts: dict[str, dict[str, int]] = defaultdict(lambda: defaultdict(int))
    amounts: dict[str, dict[str, Decimal]] = defaultdict(lambda: defaultdict(lambda: ZERO))
    # (payer id, member, month) → when it was first disputed, for the recovered shortfalls
    wanted: dict[tuple[int, str, Month], tuple[str, dt.datetime]] = {}
    for payer_id, code, member_id, month, kind, status, variance, at in rows:
        counts[code]["disputed"] += 1
        if status == "disputed":
            counts[code]["pending"] += 1
            amounts[code]["pending"] += abs(variance)
        elif status == "resolved":
            counts[code]["resolved"] += 1
            if kind in SHORTFALL_KINDS:
                wanted[(payer_id, member_id, month)] = (code, _naive_utc(at))
        elif status == "written_off":
            counts[code]["written_off"] += 1
            amounts[code]["written_off"] += abs(variance)
    for code, amount in _paid_after(db, wanted).items():
        amounts[code]["recovered"] += amount
    return [
        DisputeOutcome(
            payer_code=code,
            payer_name=name,
            disputed=counts[code]["disputed"],
            pending=counts[code]["pending"],
            pending_amount=amounts[code]["pending"],
            resolved=counts[code]["resolved"],
            recovered=amounts[code]["recovered"],
            written_off=counts[code]["written_off"],
            written_off_amount=amounts[code]["written_off"],
        )
        for code, name in sorted(payers.items())
    ]


def _paid_after(
    db: Database, wanted: dict[tuple[int, str, Month], tuple[str, dt.datetime]]
) -> dict[str, Decimal]:
    """Per payer code: the lines paid for the wanted member-months in statements loaded after
    each one's dispute."""
    out: dict[str, Decimal] = defaultdict(lambda: ZERO)
    by_payer: dict[int, set[str]] = defaultdict(set)
    months: dict[int, list[Month]] = defaultdict(list)
    for payer_id, member_id, month in wanted:
        by_payer[payer_id].add(member_id)
        months[payer_id].append(month)
    for payer_id, members in by_payer.items():
        # only the disputed months' lines can count: not every month the members were paid for
        lo, hi = min(months[payer_id]), max(months[payer_id])
        ids = sorted(members)
        for i in range(0, len(ids), _CHUNK):
            q = (
                select(
                    RemittanceLine.member_id,
                    RemittanceLine.coverage_month,
                    RemittanceLine.amount,
                    RemittanceImport.imported_at,
                )
                .join(RemittanceImport, RemittanceImport.id == RemittanceLine.import_id)
                .where(
                    RemittanceLine.payer_id == payer_id,
                    RemittanceLine.member_id.in_(ids[i : i + _CHUNK]),
                    RemittanceLine.coverage_month >= lo,
                    RemittanceLine.coverage_month <= hi,
                )
            )
            with db.sessions() as s:
                lines = s.execute(q).all()
            for member_id, month, amount, imported_at in lines:
                found = wanted.get((payer_id, member_id, month))
                if found is not None and _naive_utc(imported_at) > found[1]:
                    out[found[0]] += amount
    return out
