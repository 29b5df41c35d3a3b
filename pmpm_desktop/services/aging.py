"""Aging of what is still owed: open and disputed discrepancies by payer and age bucket, and
recoupments the payer made later than its contract allows (SPEC §2: retro window, due day).

The age is ``core.age``'s one definition ("Days since due"): days from the day the coverage
month should have been paid (the governing contract's payment due day) to the day aged at.

No Qt here: plain frozen dataclasses and Decimal money, shared by the Dashboard and the Excel
Aging sheet.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from decimal import Decimal

from sqlalchemy import BigInteger, ColumnElement, String, cast, func, select, type_coerce
from sqlalchemy.orm import InstrumentedAttribute

from pmpm_desktop.core.age import BUCKETS, Owed, bucket_of, days_since_due, due_date
from pmpm_desktop.core.clock import now
from pmpm_desktop.core.money import ZERO, cents_to_money
from pmpm_desktop.core.month import Month
from pmpm_desktop.core.summary import OPEN_STATUSES, Kind, Status
from pmpm_desktop.db.database import Database
from pmpm_desktop.db.frames import scaled
from pmpm_desktop.db.models import (
    Contract,
    Discrepancy,
    Payer,
    RemittanceImport,
    RemittanceLine,
)

__all__ = [
    "AGING_STATUSES",
    "BUCKETS",
    "AgingItem",
    "AgingRow",
    "LateRecoupment",
    "Owed",
    "aging_items",
    "aging_summary",
    "aging_table",
    "bucket_of",
    "late_recoupments",
]

#: SPEC §2 defaults, used when no contract governs a month
DEFAULT_DUE_DAY = 15
DEFAULT_RETRO_WINDOW = 12
#: the statuses still waiting for money
AGING_STATUSES: tuple[Status, ...] = OPEN_STATUSES


@dataclass(frozen=True)
class AgingItem:
    """One open or disputed discrepancy, aged."""

    payer_code: str
    member_id: str
    month: Month
    kind: Kind
    status: Status
    #: paid − expected, as stored
    variance: Decimal
    #: payment due day of the coverage month (clamped to the month's length)
    due_date: dt.date
    #: days since due (``core.age``): (as_of − due_date).days, at least 0
    age_days: int
    bucket: str


@dataclass(frozen=True)
class AgingRow:
    """One payer's open and disputed amounts by bucket."""

    payer_code: str
    payer_name: str
    #: bucket → sum of variance of open+disputed items (every bucket present)
    amounts: dict[str, Decimal]
    counts: dict[str, int]
    total: Decimal
    count: int


@dataclass(frozen=True)
class LateRecoupment:
    """A negative remittance line recouping a month older than the contract's retro window."""

    payer_code: str
    member_id: str
    coverage_month: Month
    amount: Decimal
    #: the statement's payment date, else its import date
    payment_date: dt.date
    #: whole months from the coverage month to the payment month
    months_back: int
    retro_window_months: int
    file_name: str
    source_row: int


@dataclass(frozen=True)
class _Terms:
    """A contract's span and the two terms aging needs."""

    first: Month
    last: Month | None
    due_day: int
    retro_window: int

    def covers(self, month: Month) -> bool:
        return self.first <= month and (self.last is None or month <= self.last)


class _ContractTerms:
    """Per payer and month, the terms of the contract that governs the month.

    The governing contract is the payer's contract effective in that month. A payer may have
    several at once (one per product line); telling which one a member falls under needs the
    member's roster product, which unknown members do not have, so aging takes the strictest
    terms of those in effect: the smallest due day (the earliest the money was owed) and the
    smallest retro window. No contract in effect → the SPEC defaults (due day 15, window 12).
    """

    def __init__(self, db: Database, payer_ids: set[int] | None = None) -> None:
        query = select(
            Contract.payer_id,
            Contract.effective_from,
            Contract.effective_to,
            Contract.payment_due_day,
            Contract.retro_window_months,
        )
        if payer_ids is not None:
            query = query.where(Contract.payer_id.in_(payer_ids))
        self._by_payer: dict[int, list[_Terms]] = {}
        with db.sessions() as s:
            for payer_id, first, last, due, window in s.execute(query):
                self._by_payer.setdefault(payer_id, []).append(
                    _Terms(
                        first,
                        last,
                        int(due if due is not None else DEFAULT_DUE_DAY),
                        int(window if window is not None else DEFAULT_RETRO_WINDOW),
                    )
                )
        self._cache: dict[tuple[int, Month], tuple[int, int]] = {}

    def terms(self, payer_id: int, month: Month) -> tuple[int, int]:
        """(due day, retro window months) for the payer's coverage month."""
        key = (payer_id, month)
        found = self._cache.get(key)
        if found is None:
            governing = [t for t in self._by_payer.get(payer_id, []) if t.covers(month)]
            if governing:
                found = (
                    min(t.due_day for t in governing),
                    min(t.retro_window for t in governing),
                )
            else:
                found = (DEFAULT_DUE_DAY, DEFAULT_RETRO_WINDOW)
            self._cache[key] = found
        return found

    def due_date(self, payer_id: int, month: Month) -> dt.date:
        due_day, _window = self.terms(payer_id, month)
        return due_date(month, due_day)


def payment_due_dates(
    db: Database, keys: Iterable[tuple[int, Month]]
) -> dict[tuple[int, Month], dt.date]:
    """The day each (payer id, coverage month) should have been paid, by the rule above: what
    "days since due" counts from wherever a discrepancy's age is shown."""
    wanted = set(keys)
    if not wanted:
        return {}
    terms = _ContractTerms(db, {payer_id for payer_id, _month in wanted})
    return {key: terms.due_date(*key) for key in wanted}


def _month_filters(
    column: InstrumentedAttribute[Month], first: Month | None, last: Month | None
) -> list[ColumnElement[bool]]:
    filters: list[ColumnElement[bool]] = []
    if first is not None:
        filters.append(column >= first)
    if last is not None:
        filters.append(column <= last)
    return filters


def _owed_filter(owed: Owed | None) -> list[ColumnElement[bool]]:
    """Only the differences owed one way (``None``: both)."""
    if owed is Owed.TO_PRACTICE:
        return [Discrepancy.variance < 0]
    if owed is Owed.TO_PAYER:
        return [Discrepancy.variance > 0]
    return []


def aging_items(
    db: Database,
    payer_code: str | None = None,
    *,
    as_of: dt.date | None = None,
    first: Month | None = None,
    last: Month | None = None,
    owed: Owed | None = None,
) -> list[AgingItem]:
    """Every open or disputed discrepancy (of one payer, or all), aged at ``as_of`` (default
    today, UTC), ordered by payer, month and member. ``first``/``last`` bound the coverage
    month; ``owed`` keeps the ones owed that way only."""
    as_of = as_of or now().date()
    # Money as integer cents and months as their text: a large practice has tens of thousands
    # of open items, and the column types' per-row conversions were most of the time.
    query = (
        select(
            Payer.id,
            Payer.code,
            Discrepancy.member_id,
            type_coerce(Discrepancy.month, String()),
            Discrepancy.kind,
            Discrepancy.status,
            scaled(Discrepancy.variance, 100, "cents"),
        )
        .join(Payer, Payer.id == Discrepancy.payer_id)
        .where(
            Discrepancy.status.in_(AGING_STATUSES),
            *_month_filters(Discrepancy.month, first, last),
            *_owed_filter(owed),
        )
        .order_by(Payer.code, Discrepancy.month, Discrepancy.member_id)
    )
    if payer_code is not None:
        query = query.where(Payer.code == payer_code)
    with db.sessions() as s:
        rows = s.execute(query).all()
    terms = _ContractTerms(db, {r[0] for r in rows})
    # every item of one payer and month shares its due date and age: worked out once
    aged: dict[tuple[int, str], tuple[Month, dt.date, int, str]] = {}
    items: list[AgingItem] = []
    for payer_id, code, member_id, month_text, kind, status, cents in rows:
        known = aged.get((payer_id, month_text))
        if known is None:
            month = Month.parse(month_text)
            due = terms.due_date(payer_id, month)
            age = days_since_due(due, as_of)
            known = aged[(payer_id, month_text)] = (month, due, age, bucket_of(age))
        month, due, age, bucket = known
        items.append(
            AgingItem(
                payer_code=code,
                member_id=member_id,
                month=month,
                kind=Kind(kind),
                status=Status(status),
                variance=cents_to_money(int(cents)),
                due_date=due,
                age_days=age,
                bucket=bucket,
            )
        )
    return items


def aging_table(items: Sequence[AgingItem], payers: dict[str, str]) -> list[AgingRow]:
    """One row per payer (every payer of ``payers``, code → name, even with nothing open; a
    payer that has items but is missing from ``payers`` is named by its code), by code."""
    amounts, counts = _empty_rows(list(payers) + [i.payer_code for i in items])
    for item in items:
        amounts[item.payer_code][item.bucket] += item.variance
        counts[item.payer_code][item.bucket] += 1
    return _rows(amounts, counts, payers)


def _empty_rows(
    codes: list[str],
) -> tuple[dict[str, dict[str, Decimal]], dict[str, dict[str, int]]]:
    amounts: dict[str, dict[str, Decimal]] = {}
    counts: dict[str, dict[str, int]] = {}
    for code in codes:
        amounts.setdefault(code, dict.fromkeys(BUCKETS, ZERO))
        counts.setdefault(code, dict.fromkeys(BUCKETS, 0))
    return amounts, counts


def _rows(
    amounts: dict[str, dict[str, Decimal]],
    counts: dict[str, dict[str, int]],
    payers: dict[str, str],
) -> list[AgingRow]:
    return [
        AgingRow(
            payer_code=code,
            payer_name=payers.get(code, code),
            amounts=amounts[code],
            counts=counts[code],
            total=sum(amounts[code].values(), ZERO),
            count=sum(counts[code].values()),
        )
        for code in sorted(amounts)
    ]


def aging_summary(
    db: Database,
    payers: dict[str, str],
    *,
    as_of: dt.date | None = None,
    first: Month | None = None,
    last: Month | None = None,
    owed: Owed | None = None,
) -> list[AgingRow]:
    """``aging_table(aging_items(db, ...), payers)`` without listing the items: every item of
    one payer and coverage month has the same due date, so SQL sums them by payer and month
    and only those sums are bucketed (a dozen rows instead of tens of thousands)."""
    as_of = as_of or now().date()
    query = (
        select(
            Payer.id,
            Payer.code,
            type_coerce(Discrepancy.month, String()),
            func.count(Discrepancy.id),
            func.coalesce(func.sum(cast(func.round(Discrepancy.variance * 100), BigInteger)), 0),
        )
        .join(Payer, Payer.id == Discrepancy.payer_id)
        .where(
            Discrepancy.status.in_(AGING_STATUSES),
            *_month_filters(Discrepancy.month, first, last),
            *_owed_filter(owed),
        )
        .group_by(Payer.id, Payer.code, Discrepancy.month)
    )
    with db.sessions() as s:
        rows = s.execute(query).all()
    terms = _ContractTerms(db, {r[0] for r in rows})
    amounts, counts = _empty_rows(list(payers) + [r[1] for r in rows])
    for payer_id, code, month_text, n, cents in rows:
        due = terms.due_date(payer_id, Month.parse(month_text))
        bucket = bucket_of(days_since_due(due, as_of))
        amounts[code][bucket] += cents_to_money(int(cents))
        counts[code][bucket] += int(n)
    return _rows(amounts, counts, payers)


def late_recoupments(
    db: Database,
    payer_code: str | None = None,
    *,
    first: Month | None = None,
    last: Month | None = None,
) -> list[LateRecoupment]:
    """Negative remittance lines whose coverage month is more than the governing contract's
    retro window before the payment month (exactly the window back is still allowed): the
    payer recouped later than the contract lets it, so the recoupment is disputable.
    ``first``/``last`` bound the coverage month. Ordered by payer, payment date, file, row."""
    query = (
        select(
            Payer.id,
            Payer.code,
            RemittanceLine.member_id,
            RemittanceLine.coverage_month,
            RemittanceLine.amount,
            RemittanceImport.payment_date,
            RemittanceImport.imported_at,
            RemittanceImport.file_name,
            RemittanceLine.source_row,
        )
        .join(RemittanceImport, RemittanceImport.id == RemittanceLine.import_id)
        .join(Payer, Payer.id == RemittanceLine.payer_id)
        .where(
            RemittanceLine.amount < 0, *_month_filters(RemittanceLine.coverage_month, first, last)
        )
    )
    if payer_code is not None:
        query = query.where(Payer.code == payer_code)
    with db.sessions() as s:
        rows = s.execute(query).all()
    terms = _ContractTerms(db, {r[0] for r in rows})
    late: list[LateRecoupment] = []
    for payer_id, code, member_id, month, amount, paid_on, imported_at, file_name, row in rows:
        payment_date = paid_on or imported_at.date()
        back = month.months_until(Month.of(payment_date))
        _due, window = terms.terms(payer_id, month)
        if back > window:
            late.append(
                LateRecoupment(
                    payer_code=code,
                    member_id=member_id,
                    coverage_month=month,
                    amount=amount,
                    payment_date=payment_date,
                    months_back=back,
                    retro_window_months=window,
                    file_name=file_name,
                    source_row=int(row),
                )
            )
    late.sort(key=lambda r: (r.payer_code, r.payment_date, r.file_name, r.source_row))
    return late
