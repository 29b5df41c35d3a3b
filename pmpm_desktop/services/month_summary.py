"""The Reconciliation page's month summary of the stored files (what a reconciliation would
give, writing nothing) with its totals line, and what the page opens on: the payers, the
months, whether there is anything to show, and the months an imported file speaks about."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from decimal import Decimal

from sqlalchemy import func, select

from pmpm_desktop.core.month import Month
from pmpm_desktop.core.payer_level import total_payer_level
from pmpm_desktop.core.reconcile import summarise
from pmpm_desktop.core.summary import KINDS, MonthSummary, PayerLevel
from pmpm_desktop.db.database import Database
from pmpm_desktop.db.models import Discrepancy, Payer, RemittanceLine, RosterImport
from pmpm_desktop.errors import UsageError
from pmpm_desktop.io.options import FileKind
from pmpm_desktop.progress import Progress, report
from pmpm_desktop.services.payer_level import month_payer_levels, with_month_levels
from pmpm_desktop.services.reconciling import compute, load_inputs, month_summaries


def roster_range(db: Database, payer_code: str | None = None) -> tuple[Month, Month] | None:
    """The first and last roster month of the stored (active) rosters; None without rosters."""
    q = select(func.min(RosterImport.roster_month), func.max(RosterImport.roster_month)).where(
        RosterImport.active.is_(True)
    )
    if payer_code is not None:
        q = q.join(Payer, Payer.id == RosterImport.payer_id).where(
            Payer.code == payer_code.strip().upper()
        )
    with db.sessions() as s:
        return _months(*s.execute(q).one())


def _months(first: object, last: object) -> tuple[Month, Month] | None:
    if first is None or last is None:
        return None
    # SQL's min() may hand back the stored text rather than the column type's Month.
    as_month = [Month.parse(v) if isinstance(v, str) else v for v in (first, last)]
    return as_month[0], as_month[1]  # type: ignore[return-value]


def default_range(db: Database) -> tuple[Month, Month] | None:
    """The months the page opens on: the stored rosters' range, else the discrepancies'."""
    found = roster_range(db)
    if found is not None:
        return found
    with db.sessions() as s:
        return _months(
            *s.execute(select(func.min(Discrepancy.month), func.max(Discrepancy.month))).one()
        )


def has_work(db: Database) -> bool:
    """Is there anything to reconcile or look at: a stored roster or discrepancy?"""
    with db.engine.connect() as conn:
        roster = conn.execute(select(RosterImport.id).limit(1)).first()
        found = roster or conn.execute(select(Discrepancy.id).limit(1)).first()
    return found is not None


def payer_codes(db: Database) -> list[tuple[str, str]]:
    """(code, name) of every payer, by code."""
    with db.sessions() as s:
        return [(c, n) for c, n in s.execute(select(Payer.code, Payer.name).order_by(Payer.code))]


@dataclass(frozen=True)
class PageFacts:
    """What the Reconciliation page opens on, read at once."""

    #: a stored roster or discrepancy: something to reconcile or look at
    has_work: bool
    #: (code, name) of every payer, by code
    payers: list[tuple[str, str]]
    #: the months to show at first (:func:`default_range`)
    default_range: tuple[Month, Month] | None


def page_facts(db: Database) -> PageFacts:
    """:func:`has_work`, :func:`payer_codes` and :func:`default_range` in one call."""
    work = has_work(db)
    return PageFacts(work, payer_codes(db), default_range(db) if work else None)


def import_months(db: Database, kind: FileKind, import_id: int) -> tuple[Month, Month] | None:
    """The coverage months one imported file speaks about: a roster's month, a statement's
    first and last coverage month (None for a statement without lines, or another kind)."""
    with db.sessions() as s:
        if kind == FileKind.ROSTER:
            month = s.scalar(select(RosterImport.roster_month).where(RosterImport.id == import_id))
            return None if month is None else (month, month)
        if kind == FileKind.STATEMENT:
            q = select(
                func.min(RemittanceLine.coverage_month), func.max(RemittanceLine.coverage_month)
            ).where(RemittanceLine.import_id == import_id)
            return _months(*s.execute(q).one())
    return None


def month_summary(db: Database, payer_code: str, first: Month, last: Month) -> list[MonthSummary]:
    """The month summary a reconciliation of the stored files would give, writing nothing.

    The same engine as :func:`~pmpm_desktop.services.reconciling.reconcile` (so the figures are
    equal), without storing discrepancies: for opening the page before anyone reconciled.
    """
    if last < first:
        raise UsageError(f"the range ends ({last}) before it starts ({first})")
    inputs = load_inputs(db, payer_code, first, last)
    expected, kinds = compute(inputs, first, last)
    months = month_summaries(summarise(kinds, first.index, last.index))
    levels = month_payer_levels(db, inputs.payer_id, first, last, expected.member_months)
    return with_month_levels(months, levels)


def month_summaries_of(
    db: Database,
    codes: Sequence[str],
    first: Month,
    last: Month,
    progress: Progress | None = None,
) -> dict[str, list[MonthSummary]]:
    """:func:`month_summary` of each payer of ``codes`` (code → months), one after the other
    with one progress bar; a cancel stops between payers (nothing is written either way)."""
    out: dict[str, list[MonthSummary]] = {}
    for i, code in enumerate(codes):
        report(progress, i, len(codes))
        out[code] = month_summary(db, code, first, last)
    return out


@dataclass(frozen=True)
class SummaryTotal:
    """The totals line under the month summary."""

    eligible_members: int
    paid_members: int
    expected: Decimal
    paid: Decimal
    variance: Decimal
    counts: dict[str, int] = field(default_factory=dict)
    #: the payer-level payments of the months that have any (None when none has)
    payer_level: PayerLevel | None = None


def summary_total(months: Sequence[MonthSummary]) -> SummaryTotal:
    """Sum the month rows (member counts are member-months)."""
    zero = Decimal("0.00")
    return SummaryTotal(
        eligible_members=sum(m.eligible_members for m in months),
        paid_members=sum(m.paid_members for m in months),
        expected=sum((m.expected for m in months), zero),
        paid=sum((m.paid for m in months), zero),
        variance=sum((m.variance for m in months), zero),
        counts={k: sum(m.counts.get(k, 0) for m in months) for k in KINDS},
        payer_level=total_payer_level(m.payer_level for m in months),
    )
