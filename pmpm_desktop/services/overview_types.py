"""The dashboard's figures as plain values: what ``services.overview`` reads and the page shows.

No Qt here: frozen dataclasses with Decimal money, so the unit tests read the same figures the
page shows. Money owed is always kept apart by the way it is owed (to the practice, back to the
payer); a net of the two is never a figure of its own.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from decimal import Decimal

from pmpm_desktop.core.age import Owed
from pmpm_desktop.core.money import ZERO
from pmpm_desktop.core.month import Month
from pmpm_desktop.core.summary import DISCREPANCY_KINDS, Kind, PayerLevel
from pmpm_desktop.io.options import FileKind
from pmpm_desktop.services.overview_hints import Hint


@dataclass(frozen=True)
class Tally:
    """A number of discrepancies and the sum of their variances (paid − expected), and the
    same apart by the way the money is owed (each a positive amount): never shown netted."""

    count: int = 0
    amount: Decimal = ZERO
    #: what the payer owes the practice (paid less than expected), summed as positive amounts
    owed_to_practice: Decimal = ZERO
    #: what the practice owes back to the payer (paid more than expected), positive
    owed_to_payer: Decimal = ZERO

    def __add__(self, other: Tally) -> Tally:
        return Tally(
            self.count + other.count,
            self.amount + other.amount,
            self.owed_to_practice + other.owed_to_practice,
            self.owed_to_payer + other.owed_to_payer,
        )

    def owed(self, way: Owed) -> Decimal:
        return self.owed_to_practice if way is Owed.TO_PRACTICE else self.owed_to_payer


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
    open_by_kind: dict[Kind, Tally]
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
    #: open and disputed discrepancies by kind (what is still owed, either way)
    outstanding_by_kind: dict[Kind, Tally] = field(default_factory=dict)

    @property
    def variance(self) -> Decimal | None:
        if self.expected is None or self.paid is None:
            return None
        return self.paid - self.expected

    @property
    def outstanding(self) -> Tally:
        """Open and disputed: still owed, one way or the other."""
        return self.open + self.disputed

    @property
    def owed_to_practice(self) -> Decimal:
        return self.outstanding.owed_to_practice

    @property
    def owed_to_payer(self) -> Decimal:
        return self.outstanding.owed_to_payer


@dataclass(frozen=True)
class AttentionItem:
    """Open discrepancies of one kind at one payer (the dashboard's "Needs attention")."""

    payer_code: str
    payer_name: str
    kind: Kind
    count: int
    amount: Decimal
    owed_to_practice: Decimal = ZERO
    owed_to_payer: Decimal = ZERO


@dataclass(frozen=True)
class OwedByAge:
    """What one payer owes the practice on open and disputed items, by days since due
    (positive amounts; every bucket present)."""

    payer_code: str
    payer_name: str
    amounts: dict[str, Decimal]
    counts: dict[str, int]

    @property
    def count(self) -> int:
        return sum(self.counts.values())


@dataclass(frozen=True)
class RecentFile:
    #: a roster or a payment statement
    kind: FileKind
    payer_code: str
    file_name: str
    imported_at: dt.datetime
    #: roster month for a roster, payment date for a statement
    detail: str
    rows: int


@dataclass(frozen=True)
class Overview:
    year: int
    payers: tuple[PayerOverview, ...]
    attention: tuple[AttentionItem, ...]
    recent: tuple[RecentFile, ...]
    hints: tuple[Hint, ...]
    #: what each payer owes the practice by days since due (every payer has a row), at as_of
    owed_by_age: tuple[OwedByAge, ...] = ()
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
        """Summed over payers: open | disputed | outstanding | recovered | resolved_this_year |
        written_off_this_year."""
        return sum((getattr(p, what) for p in self.payers), Tally())

    @property
    def owed_to_practice(self) -> Decimal:
        """Open and disputed, all payers: what they owe the practice."""
        return self.total("outstanding").owed_to_practice

    @property
    def owed_to_payer(self) -> Decimal:
        """Open and disputed, all payers: what the practice owes back to them."""
        return self.total("outstanding").owed_to_payer

    def monthly(self) -> list[tuple[Month, Decimal, Decimal]]:
        """(month, expected, paid) summed over payers, for every month any payer covers."""
        sums: dict[Month, tuple[Decimal, Decimal]] = {}
        for p in self.payers:
            for m in p.months:
                expected, paid = sums.get(m.month, (ZERO, ZERO))
                sums[m.month] = (expected + m.expected, paid + m.paid)
        return [(month, *sums[month]) for month in sorted(sums)]

    def open_by_kind(self) -> dict[Kind, Tally]:
        return {
            k: sum((p.open_by_kind[k] for p in self.payers), Tally()) for k in DISCREPANCY_KINDS
        }

    def outstanding_by_kind(self) -> dict[Kind, Tally]:
        """Open and disputed by kind, all payers."""
        return {
            k: sum((p.outstanding_by_kind.get(k, Tally()) for p in self.payers), Tally())
            for k in DISCREPANCY_KINDS
        }

    @property
    def months(self) -> tuple[Month, Month] | None:
        """The widest first..last over payers with statements (None when there are none)."""
        firsts = [p.first for p in self.payers if p.first is not None]
        lasts = [p.last for p in self.payers if p.last is not None]
        if not firsts or not lasts:
            return None
        return min(firsts), max(lasts)
