"""The figures the dashboard shows: members, expected vs paid, discrepancies, latest files, hints.

Everything is read from stored data. Counts and sums over stored rows are done in SQL. Expected
and paid amounts are recomputed with the reconciliation engine (``load_inputs`` + ``compute`` +
``summarise``) and are NOT stored: stored discrepancies hold only the member-months that differ,
so the expected amount of the matched ones exists nowhere else. The same computation tells
whether the stored discrepancy list is behind the files (a "reconcile again" hint).

No Qt here: plain dataclasses, so the unit tests read the same figures the page shows.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

import polars as pl
from sqlalchemy import BigInteger, and_, cast, distinct, func, select
from sqlalchemy.orm import Session

from pmpm_desktop.core.clock import now
from pmpm_desktop.core.money import ZERO, cents_to_money
from pmpm_desktop.core.month import Month
from pmpm_desktop.core.reconcile import summarise
from pmpm_desktop.core.summary import (
    CLOSED_STATUSES,
    DISCREPANCY_KINDS,
    Kind,
    PayerLevel,
    Status,
)
from pmpm_desktop.db.database import Database
from pmpm_desktop.db.frames import read_frame, scaled
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
from pmpm_desktop.progress import Progress, report
from pmpm_desktop.services.aging import AgingRow, aging_summary
from pmpm_desktop.services.disputes import dispute_facts, recovered_by_payer
from pmpm_desktop.services.payer_level import month_payer_levels
from pmpm_desktop.services.reconciling import compute, load_inputs

#: a dashboard closed or refreshed again while it was reading: it only reads
CANCELLED = "cancelled"
#: how many "needs attention" items and latest files the dashboard lists
ATTENTION_ITEMS = 8
LATEST_FILES = 5


@dataclass(frozen=True)
class Tally:
    """A number of discrepancies and the sum of their variances (paid − expected)."""

    count: int = 0
    amount: Decimal = ZERO

    def __add__(self, other: Tally) -> Tally:
        return Tally(self.count + other.count, self.amount + other.amount)


@dataclass(frozen=True)
class MonthFigures:
    """One coverage month of one payer, as ``pmpm reconcile --json`` lists it in ``months``."""

    month: Month
    eligible_members: int
    paid_members: int
    expected: Decimal
    paid: Decimal
    #: the month's payments without members (SPEC §7), when the payer made any
    payer_level: PayerLevel | None = None

    @property
    def variance(self) -> Decimal:
        return self.paid - self.expected


@dataclass(frozen=True)
class PayerOverview:
    code: str
    name: str
    contracts: tuple[str, ...]
    #: contracts that have no rate rows yet
    contracts_without_rates: tuple[str, ...]
    #: the latest roster month imported (active imports), and its members
    roster_month: Month | None
    members: int
    roster_imports: int
    statements: int
    #: the months expected/paid speak about: the latest year with payments, up to its last
    #: coverage month paid (None when no statement was imported)
    first: Month | None
    last: Month | None
    expected: Decimal | None
    paid: Decimal | None
    #: stored discrepancies (every month) by status, and the open ones by kind
    open: Tally
    open_by_kind: dict[str, Tally]
    disputed: Tally
    resolved_this_year: Tally
    written_off_this_year: Tally
    #: the stored discrepancy list differs from what reconciling ``first``..``last`` gives now
    needs_reconcile: bool
    #: ``first``..``last`` month by month (empty when no statement was imported)
    months: tuple[MonthFigures, ...] = ()
    #: the missing/underpaid disputes resolved this year and what the payer paid after them
    #: (the rule of ``services.disputes``)
    recovered: Tally = Tally()
    #: payments without members over ``first``..``last`` (None when the payer made none);
    #: ``paid`` stays the member-level sum, as in ``pmpm reconcile``
    payer_level_paid: Decimal | None = None

    @property
    def variance(self) -> Decimal | None:
        if self.expected is None or self.paid is None:
            return None
        return self.paid - self.expected


@dataclass(frozen=True)
class AttentionItem:
    """Open discrepancies of one kind at one payer (the dashboard's "Needs attention")."""

    payer_code: str
    payer_name: str
    kind: str
    count: int
    amount: Decimal


@dataclass(frozen=True)
class RecentFile:
    #: "roster" or "statement"
    kind: str
    payer_code: str
    file_name: str
    imported_at: dt.datetime
    #: roster month for a roster, payment date for a statement
    detail: str
    rows: int


@dataclass(frozen=True)
class Hint:
    """A next step when data is partial: a sentence, and what its button does."""

    #: payers | import_roster | import_remittance | import_rates | reconcile
    action: str
    text: str
    button: str
    payer_code: str


@dataclass(frozen=True)
class Overview:
    year: int
    payers: tuple[PayerOverview, ...]
    attention: tuple[AttentionItem, ...]
    recent: tuple[RecentFile, ...]
    hints: tuple[Hint, ...]
    #: open and disputed amounts by payer and age bucket (every payer has a row), aged at as_of
    aging: tuple[AgingRow, ...] = ()
    as_of: dt.date | None = None

    @property
    def empty(self) -> bool:
        return not self.payers

    @property
    def members(self) -> int:
        return sum(p.members for p in self.payers)

    def _sum(self, values: list[Decimal | None]) -> Decimal | None:
        known = [v for v in values if v is not None]
        return sum(known, ZERO) if known else None

    @property
    def expected(self) -> Decimal | None:
        return self._sum([p.expected for p in self.payers])

    @property
    def paid(self) -> Decimal | None:
        return self._sum([p.paid for p in self.payers])

    @property
    def variance(self) -> Decimal | None:
        return self._sum([p.variance for p in self.payers])

    @property
    def payer_level_paid(self) -> Decimal | None:
        """Payments without members over the payers' months (None when no payer made any)."""
        return self._sum([p.payer_level_paid for p in self.payers])

    def total(self, what: str) -> Tally:
        """Summed over payers: open | disputed | resolved_this_year | written_off_this_year."""
        return sum((getattr(p, what) for p in self.payers), Tally())

    def monthly(self) -> list[tuple[Month, Decimal, Decimal]]:
        """(month, expected, paid) summed over payers, for every month any payer covers."""
        sums: dict[Month, tuple[Decimal, Decimal]] = {}
        for p in self.payers:
            for m in p.months:
                expected, paid = sums.get(m.month, (ZERO, ZERO))
                sums[m.month] = (expected + m.expected, paid + m.paid)
        return [(month, *sums[month]) for month in sorted(sums)]

    def open_by_kind(self) -> dict[str, Tally]:
        return {
            k: sum((p.open_by_kind[k] for p in self.payers), Tally()) for k in DISCREPANCY_KINDS
        }

    @property
    def months(self) -> tuple[Month, Month] | None:
        """The widest first..last over payers with statements (None when there are none)."""
        firsts = [p.first for p in self.payers if p.first is not None]
        lasts = [p.last for p in self.payers if p.last is not None]
        if not firsts or not lasts:
            return None
        return min(firsts), max(lasts)


def _cents(column: Any) -> Any:
    """SUM of a money column as exact integer cents."""
    return func.coalesce(func.sum(cast(func.round(column * 100), BigInteger)), 0)


def overview(
    db: Database, progress: Progress | None = None, *, year: int | None = None
) -> Overview:
    """Every figure of the dashboard. ``year`` is the "this year" of resolved items (default:
    the current UTC year)."""
    year = year or now().year
    with db.sessions() as s:
        payers = s.execute(select(Payer.id, Payer.code, Payer.name).order_by(Payer.code)).all()
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
        latest = (
            select(RosterImport.payer_id, func.max(RosterImport.roster_month).label("month"))
            .where(RosterImport.active.is_(True))
            .group_by(RosterImport.payer_id)
            .subquery()
        )
        members_q = (
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
        members = {pid: (month, n) for pid, month, n in s.execute(members_q)}
        roster_imports = dict(
            s.execute(
                select(RosterImport.payer_id, func.count(RosterImport.id))
                .where(RosterImport.active.is_(True))
                .group_by(RosterImport.payer_id)
            ).all()
        )
        statements = dict(
            s.execute(
                select(RemittanceImport.payer_id, func.count(RemittanceImport.id)).group_by(
                    RemittanceImport.payer_id
                )
            ).all()
        )
        last_paid = dict(
            s.execute(
                select(RemittanceLine.payer_id, func.max(RemittanceLine.coverage_month)).group_by(
                    RemittanceLine.payer_id
                )
            ).all()
        )
        # a month paid only at payer level (an 835 with PLB capitation alone) is paid too
        for payer_id, newest in s.execute(
            select(PayerPayment.payer_id, func.max(PayerPayment.month)).group_by(
                PayerPayment.payer_id
            )
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
        by_status: dict[tuple[int, str, str], Tally] = {}
        for payer_id, kind, status, n, cents in s.execute(
            select(
                Discrepancy.payer_id,
                Discrepancy.kind,
                Discrepancy.status,
                func.count(Discrepancy.id),
                _cents(Discrepancy.variance),
            ).group_by(Discrepancy.payer_id, Discrepancy.kind, Discrepancy.status)
        ):
            by_status[(payer_id, kind, status)] = Tally(int(n), cents_to_money(int(cents)))
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
        this_year: dict[tuple[int, str], Tally] = {}
        for payer_id, status, n, cents in s.execute(
            select(
                Discrepancy.payer_id,
                Discrepancy.status,
                func.count(Discrepancy.id),
                _cents(Discrepancy.variance),
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
        ):
            this_year[(payer_id, status)] = Tally(int(n), cents_to_money(int(cents)))
        recent = _recent_files(s)
    # the one rule for "recovered" (services.disputes), over the disputes resolved in ``year``
    recovered = {
        code: Tally(r.count, r.amount)
        for code, r in recovered_by_payer(dispute_facts(db, resolved_in=year)).items()
    }

    as_of = now().date()
    aging = aging_summary(db, {code: name for _pid, code, name in payers}, as_of=as_of)
    steps = len(windows) + 1
    report(progress, 0, steps, cancelled=CANCELLED)
    result: list[PayerOverview] = []
    done = 0
    for payer_id, code, name in payers:
        window = windows.get(payer_id)
        expected = paid = None
        stale = False
        by_month: tuple[MonthFigures, ...] = ()
        if window is not None:
            expected, paid, stale, by_month = _expected_paid(db, payer_id, code, *window)
            done += 1
            report(progress, done, steps, cancelled=CANCELLED)
        levels = [m.payer_level.paid for m in by_month if m.payer_level is not None]

        def tally(
            status: str, kinds: tuple[str, ...] = DISCREPANCY_KINDS, pid: int = payer_id
        ) -> Tally:
            return sum((by_status.get((pid, k, status), Tally()) for k in kinds), Tally())

        month, count = members.get(payer_id, (None, 0))
        result.append(
            PayerOverview(
                code=code,
                name=name,
                contracts=tuple(contracts.get(payer_id, [])),
                contracts_without_rates=tuple(without_rates.get(payer_id, [])),
                roster_month=month,
                members=int(count),
                roster_imports=int(roster_imports.get(payer_id, 0)),
                statements=int(statements.get(payer_id, 0)),
                first=window[0] if window else None,
                last=window[1] if window else None,
                expected=expected,
                paid=paid,
                open=tally(Status.OPEN),
                open_by_kind={k: tally(Status.OPEN, (k,)) for k in DISCREPANCY_KINDS},
                disputed=tally(Status.DISPUTED),
                resolved_this_year=this_year.get((payer_id, Status.RESOLVED), Tally()),
                written_off_this_year=this_year.get((payer_id, Status.WRITTEN_OFF), Tally()),
                needs_reconcile=stale,
                months=by_month,
                recovered=recovered.get(code, Tally()),
                payer_level_paid=sum(levels, ZERO) if levels else None,
            )
        )
    report(progress, steps, steps, cancelled=CANCELLED)
    return Overview(
        year=year,
        payers=tuple(result),
        attention=_attention(result),
        recent=recent,
        hints=tuple(h for p in result for h in hints_for(p)),
        aging=tuple(aging),
        as_of=as_of,
    )


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


def _expected_paid(
    db: Database, payer_id: int, code: str, first: Month, last: Month
) -> tuple[Decimal, Decimal, bool, tuple[MonthFigures, ...]]:
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
    found = kinds.filter(pl.col("kind") != Kind.MATCHED).select(
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


def _attention(payers: list[PayerOverview]) -> tuple[AttentionItem, ...]:
    """The biggest open groups (payer × kind), by amount at stake, then by count."""
    items = [
        AttentionItem(p.code, p.name, kind, t.count, t.amount)
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
        (at, 0, i, RecentFile("roster", code, name, at, f"roster for {month}", rows))
        for code, name, at, month, rows, i in rosters
    ] + [
        (
            at,
            1,
            i,
            RecentFile(
                "statement",
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


def hints_for(p: PayerOverview) -> list[Hint]:
    """What is missing before this payer's figures mean something, as next steps."""
    hints: list[Hint] = []
    if not p.contracts:
        hints.append(
            Hint(
                "payers",
                f"{p.name} has no contract yet: add one (products, eligibility rule, withhold) "
                "so PMPM Desktop knows what to expect.",
                "Add a contract",
                p.code,
            )
        )
    for contract in p.contracts_without_rates:
        hints.append(
            Hint(
                "import_rates",
                f"The {p.name} contract “{contract}” has no rates: import its rate exhibit.",
                "Import rates…",
                p.code,
            )
        )
    if not p.roster_imports:
        hints.append(
            Hint(
                "import_roster",
                f"No roster of {p.name} yet: import the member list the payer sent.",
                "Import roster…",
                p.code,
            )
        )
    elif not p.statements:
        hints.append(
            Hint(
                "import_remittance",
                f"{p.name} has rosters but no payment statement: import one to see what was paid.",
                "Import statement…",
                p.code,
            )
        )
    if p.needs_reconcile and p.first and p.last:
        span = str(p.first) if p.first == p.last else f"{p.first} to {p.last}"
        hints.append(
            Hint(
                "reconcile",
                f"{p.name} has files the discrepancy list does not reflect yet: reconcile {span}.",
                "Reconcile…",
                p.code,
            )
        )
    return hints
