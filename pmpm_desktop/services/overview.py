"""The figures the dashboard shows: members, expected vs paid, what is owed each way,
discrepancies, latest files, next steps.

Everything is read from stored data. Counts and sums over stored rows are done in SQL. Expected
and paid amounts are recomputed with the reconciliation engine (``overview_expected``) and are
NOT stored. The values are the dataclasses of ``overview_types``.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from dataclasses import replace
from typing import Any

from sqlalchemy import BigInteger, and_, case, cast, distinct, func, select
from sqlalchemy.orm import Session

from pmpm_desktop.core.age import BUCKETS, Owed
from pmpm_desktop.core.clock import now
from pmpm_desktop.core.money import ZERO, cents_to_money
from pmpm_desktop.core.month import Month
from pmpm_desktop.core.summary import CLOSED_STATUSES, DISCREPANCY_KINDS, Kind, Status
from pmpm_desktop.db.database import Database
from pmpm_desktop.db.models import (
    Contract,
    Discrepancy,
    DiscrepancyEvent,
    Payer,
    PayerPayment,
    RateRow,
    RemittanceImport,
    RemittanceLine,
    RosterImport,
    RosterRow,
)
from pmpm_desktop.io.options import FileKind
from pmpm_desktop.progress import Progress, report
from pmpm_desktop.services.aging import aging_summary
from pmpm_desktop.services.disputes import dispute_facts, recovered_by_payer
from pmpm_desktop.services.file_months import months_with_files
from pmpm_desktop.services.overview_expected import Figures, expected_paid
from pmpm_desktop.services.overview_hints import Hint, HintAction, hints_for
from pmpm_desktop.services.overview_types import (
    AttentionItem,
    MonthFigures,
    Overview,
    OwedByAge,
    PayerOverview,
    RecentFile,
    Tally,
)

__all__ = [
    "AttentionItem",
    "Hint",
    "HintAction",
    "MonthFigures",
    "OwedByAge",
    "Overview",
    "PayerOverview",
    "RecentFile",
    "Tally",
    "hints_for",
    "overview",
]

#: how many "needs attention" items and latest files the dashboard lists
ATTENTION_ITEMS = 8
LATEST_FILES = 5
#: what the dashboard's read keeps when it is cancelled: nothing (it only reads)
CANCELLED = "cancelled: the figures were not read"

_SHORT = case((Discrepancy.variance < 0, Discrepancy.variance), else_=0)
_OVER = case((Discrepancy.variance > 0, Discrepancy.variance), else_=0)


def _cents(column: Any) -> Any:
    """SUM of a money column as exact integer cents."""
    return func.coalesce(func.sum(cast(func.round(column * 100), BigInteger)), 0)


def _tally(n: Any, net: Any, short: Any, over: Any) -> Tally:
    """A Tally from SQL's count and cent sums (``short`` is the sum of negative variances)."""
    return Tally(
        int(n), cents_to_money(int(net)), cents_to_money(-int(short)), cents_to_money(int(over))
    )


def _contracts(s: Session) -> tuple[dict[int, list[str]], dict[int, list[str]]]:
    """Per payer id: its contracts' names, and those without rate rows."""
    contracts: dict[int, list[str]] = {}
    without_rates: dict[int, list[str]] = {}
    rate_counts = (
        select(Contract.payer_id, Contract.name, func.count(RateRow.id))
        .outerjoin(RateRow, RateRow.contract_id == Contract.id)
        .group_by(Contract.id, Contract.payer_id, Contract.name)
        .order_by(Contract.name)
    )
    for payer_id, name, n in s.execute(rate_counts):
        contracts.setdefault(payer_id, []).append(name)
        if not n:
            without_rates.setdefault(payer_id, []).append(name)
    return contracts, without_rates


def _members(s: Session) -> dict[int, tuple[Month, int]]:
    """Per payer id: its latest roster month in use and the members on it."""
    latest = (
        select(RosterImport.payer_id, func.max(RosterImport.roster_month).label("month"))
        .where(RosterImport.active.is_(True))
        .group_by(RosterImport.payer_id)
        .subquery()
    )
    query = (
        select(
            RosterImport.payer_id,
            RosterImport.roster_month,
            func.count(distinct(RosterRow.member_pk)),
        )
        .join(RosterRow, RosterRow.import_id == RosterImport.id)
        .join(
            latest,
            and_(
                latest.c.payer_id == RosterImport.payer_id,
                latest.c.month == RosterImport.roster_month,
            ),
        )
        .where(RosterImport.active.is_(True))
        .group_by(RosterImport.payer_id, RosterImport.roster_month)
    )
    return {pid: (month, int(n)) for pid, month, n in s.execute(query)}


def _import_counts(s: Session) -> tuple[dict[int, int], dict[int, int]]:
    """Per payer id: rosters in use, and statements."""
    rosters = s.execute(
        select(RosterImport.payer_id, func.count(RosterImport.id))
        .where(RosterImport.active.is_(True))
        .group_by(RosterImport.payer_id)
    ).all()
    statements = s.execute(
        select(RemittanceImport.payer_id, func.count(RemittanceImport.id)).group_by(
            RemittanceImport.payer_id
        )
    ).all()
    return {p: int(n) for p, n in rosters}, {p: int(n) for p, n in statements}


def _windows(s: Session) -> dict[int, tuple[Month, Month]]:
    """Per payer id with payments: the months expected and paid speak about (the latest year
    with payments, from its first coverage month paid to its last)."""
    last_paid: dict[int, Month] = dict(
        s.execute(
            select(RemittanceLine.payer_id, func.max(RemittanceLine.coverage_month)).group_by(
                RemittanceLine.payer_id
            )
        ).all()
    )
    # a month paid only at payer level (an 835 with PLB capitation alone) is paid too
    for payer_id, newest in s.execute(
        select(PayerPayment.payer_id, func.max(PayerPayment.month)).group_by(PayerPayment.payer_id)
    ):
        last_paid[payer_id] = max(newest, last_paid.get(payer_id, newest))
    windows: dict[int, tuple[Month, Month]] = {}
    for payer_id, last in last_paid.items():
        since = Month(last.year, 1)
        firsts = [
            s.scalar(select(func.min(column)).where(payer == payer_id, column >= since))
            for payer, column in (
                (RemittanceLine.payer_id, RemittanceLine.coverage_month),
                (PayerPayment.payer_id, PayerPayment.month),
            )
        ]
        found = [f for f in firsts if f is not None]
        windows[payer_id] = (min(found) if found else last, last)
    return windows


def _by_status(s: Session) -> dict[tuple[int, str, str], Tally]:
    """Stored discrepancies by payer id, kind and status."""
    query = select(
        Discrepancy.payer_id,
        Discrepancy.kind,
        Discrepancy.status,
        func.count(Discrepancy.id),
        _cents(Discrepancy.variance),
        _cents(_SHORT),
        _cents(_OVER),
    ).group_by(Discrepancy.payer_id, Discrepancy.kind, Discrepancy.status)
    return {(p, k, st): _tally(n, c, sh, ov) for p, k, st, n, c, sh, ov in s.execute(query)}


def _closed_in(s: Session, year: int) -> dict[tuple[int, str], Tally]:
    """Discrepancies closed in ``year`` (their latest move to their closed status), by payer id
    and status."""
    closed_at = (
        select(
            DiscrepancyEvent.discrepancy_id,
            DiscrepancyEvent.new_status,
            func.max(DiscrepancyEvent.at).label("at"),
        )
        .where(DiscrepancyEvent.new_status.in_(list(CLOSED_STATUSES)))
        .group_by(DiscrepancyEvent.discrepancy_id, DiscrepancyEvent.new_status)
        .subquery()
    )
    query = (
        select(
            Discrepancy.payer_id,
            Discrepancy.status,
            func.count(Discrepancy.id),
            _cents(Discrepancy.variance),
            _cents(_SHORT),
            _cents(_OVER),
        )
        .join(
            closed_at,
            and_(
                closed_at.c.discrepancy_id == Discrepancy.id,
                closed_at.c.new_status == Discrepancy.status,
            ),
        )
        .where(
            closed_at.c.at >= dt.datetime(year, 1, 1),
            closed_at.c.at < dt.datetime(year + 1, 1, 1),
        )
        .group_by(Discrepancy.payer_id, Discrepancy.status)
    )
    return {(p, st): _tally(n, c, sh, ov) for p, st, n, c, sh, ov in s.execute(query)}


class _Stored:
    """What ``overview`` reads in SQL, in one session."""

    def __init__(self, s: Session, year: int) -> None:
        self.payers = s.execute(select(Payer.id, Payer.code, Payer.name).order_by(Payer.code)).all()
        self.contracts, self.without_rates = _contracts(s)
        self.members = _members(s)
        self.rosters, self.statements = _import_counts(s)
        self.windows = _windows(s)
        self.by_status = _by_status(s)
        self.closed = _closed_in(s, year)
        self.recent = _recent_files(s)

    def tally(
        self, payer_id: int, status: Status, kinds: Sequence[Kind] = DISCREPANCY_KINDS
    ) -> Tally:
        return sum((self.by_status.get((payer_id, k, status), Tally()) for k in kinds), Tally())


def overview(
    db: Database, progress: Progress | None = None, *, year: int | None = None
) -> Overview:
    """Every figure of the dashboard. ``year`` is the "this year" of resolved items (default:
    the current UTC year)."""
    year = year or now().year
    with db.sessions() as s:
        stored = _Stored(s, year)
    # the one rule for "recovered" (services.disputes), over the disputes resolved in ``year``
    recovered = {
        code: Tally(r.count, r.amount)
        for code, r in recovered_by_payer(dispute_facts(db, resolved_in=year)).items()
    }
    as_of = now().date()
    names = {code: name for _pid, code, name in stored.payers}
    owed_by_age = tuple(
        OwedByAge(r.payer_code, r.payer_name, {b: -r.amounts[b] for b in BUCKETS}, r.counts)
        for r in aging_summary(db, names, as_of=as_of, owed=Owed.TO_PRACTICE)
    )
    with_files = months_with_files(db)
    steps = len(stored.windows) + 1
    report(progress, 0, steps, cancelled=CANCELLED)
    result: list[PayerOverview] = []
    for payer_id, code, name in stored.payers:
        figures = None
        window = stored.windows.get(payer_id)
        if window is not None:
            figures = expected_paid(db, payer_id, code, *window)
            report(progress, len(result) + 1, steps, cancelled=CANCELLED)
        payer = _payer(stored, payer_id, code, name, window, figures, with_files.get(code, ()))
        result.append(replace(payer, recovered=recovered.get(code, Tally())))
    report(progress, steps, steps, cancelled=CANCELLED)
    return Overview(
        year=year,
        payers=tuple(result),
        attention=_attention(result),
        recent=stored.recent,
        hints=tuple(h for p in result for h in hints_for(p)),
        owed_by_age=owed_by_age,
        as_of=as_of,
    )


def _payer(
    stored: _Stored,
    payer_id: int,
    code: str,
    name: str,
    window: tuple[Month, Month] | None,
    figures: Figures | None,
    file_months: Sequence[Month],
) -> PayerOverview:
    """One payer's figures from what was read."""
    expected, paid, stale, by_month = figures or (None, None, False, ())
    # a month no file speaks about is not a month of zeros on the charts
    by_month = tuple(m for m in by_month if m.month in set(file_months))
    levels = [m.payer_level.paid for m in by_month if m.payer_level is not None]
    month, count = stored.members.get(payer_id, (None, 0))

    def tally(status: Status, kinds: Sequence[Kind] = DISCREPANCY_KINDS) -> Tally:
        return stored.tally(payer_id, status, kinds)

    return PayerOverview(
        code=code,
        name=name,
        contracts=tuple(stored.contracts.get(payer_id, [])),
        contracts_without_rates=tuple(stored.without_rates.get(payer_id, [])),
        roster_month=month,
        members=count,
        roster_imports=stored.rosters.get(payer_id, 0),
        statements=stored.statements.get(payer_id, 0),
        first=window[0] if window else None,
        last=window[1] if window else None,
        expected=expected,
        paid=paid,
        open=tally(Status.OPEN),
        open_by_kind={k: tally(Status.OPEN, (k,)) for k in DISCREPANCY_KINDS},
        disputed=tally(Status.DISPUTED),
        resolved_this_year=stored.closed.get((payer_id, Status.RESOLVED), Tally()),
        written_off_this_year=stored.closed.get((payer_id, Status.WRITTEN_OFF), Tally()),
        needs_reconcile=stale,
        months=by_month,
        payer_level_paid=sum(levels, ZERO) if levels else None,
        outstanding_by_kind={
            k: tally(Status.OPEN, (k,)) + tally(Status.DISPUTED, (k,)) for k in DISCREPANCY_KINDS
        },
    )


def _attention(payers: list[PayerOverview]) -> tuple[AttentionItem, ...]:
    """The biggest open groups (payer × kind), by amount at stake, then by count."""
    items = [
        AttentionItem(p.code, p.name, kind, t.count, t.amount, t.owed_to_practice, t.owed_to_payer)
        for p in payers
        for kind, t in p.open_by_kind.items()
        if t.count
    ]
    items.sort(key=lambda i: (-abs(i.amount), -i.count, i.payer_code, i.kind))
    return tuple(items[:ATTENTION_ITEMS])


def _latest(s: Session, table: Any, when: Any) -> Sequence[Any]:
    """The newest imports in ``table``: payer code, file, imported at, ``when``, rows, id."""
    return s.execute(
        select(Payer.code, table.file_name, table.imported_at, when, table.row_count, table.id)
        .join(Payer, Payer.id == table.payer_id)
        .order_by(table.imported_at.desc(), table.id.desc())
        .limit(LATEST_FILES)
    ).all()


def _recent_files(s: Session) -> tuple[RecentFile, ...]:
    rosters = _latest(s, RosterImport, RosterImport.roster_month)
    statements = _latest(s, RemittanceImport, RemittanceImport.payment_date)
    files = [
        (at, 0, i, RecentFile(FileKind.ROSTER, code, name, at, f"roster for {month}", rows))
        for code, name, at, month, rows, i in rosters
    ] + [
        (
            at,
            1,
            i,
            RecentFile(
                FileKind.STATEMENT,
                code,
                name,
                at,
                f"statement, paid {paid.isoformat()}" if paid else "statement",
                rows,
            ),
        )
        for code, name, at, paid, rows, i in statements
    ]
    files.sort(key=lambda f: (f[0], f[1], f[2]), reverse=True)
    return tuple(f[3] for f in files[:LATEST_FILES])
