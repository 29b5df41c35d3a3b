"""Plain result types of a reconciliation: what the CLI prints, reports export and the UI shows."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from decimal import Decimal
from enum import StrEnum

from pmpm_desktop.core.money import dollars_text
from pmpm_desktop.core.month import Month


class Kind(StrEnum):
    """What a member-month turned out to be (SPEC §7); every kind but ``MATCHED`` is a
    discrepancy. The values are the words stored and printed."""

    MATCHED = "matched"
    MISSING = "missing"
    UNDERPAID = "underpaid"
    OVERPAID = "overpaid"
    DUPLICATE = "duplicate"
    NOT_ELIGIBLE = "not_eligible"
    UNKNOWN_MEMBER = "unknown_member"
    NO_RATE = "no_rate"


class Status(StrEnum):
    """Where a discrepancy is in its life (SPEC §8), in life order."""

    OPEN = "open"
    DISPUTED = "disputed"
    RESOLVED = "resolved"
    WRITTEN_OFF = "written_off"

    @property
    def closed(self) -> bool:
        return self in CLOSED_STATUSES


#: Every reconciliation kind in SPEC §7's order of testing (``matched`` last).
KINDS_IN_TEST_ORDER: tuple[Kind, ...] = (
    Kind.UNKNOWN_MEMBER,
    Kind.NO_RATE,
    Kind.NOT_ELIGIBLE,
    Kind.MISSING,
    Kind.DUPLICATE,
    Kind.UNDERPAID,
    Kind.OVERPAID,
    Kind.MATCHED,
)
#: The kinds in the order the CLI's JSON ``counts`` object lists them.
KINDS: tuple[Kind, ...] = tuple(Kind)
#: Kinds that are discrepancies (everything but ``matched``).
DISCREPANCY_KINDS: tuple[Kind, ...] = tuple(k for k in KINDS if k != Kind.MATCHED)
#: Discrepancy statuses, in their usual life order.
STATUSES: tuple[Status, ...] = tuple(Status)
CLOSED_STATUSES: frozenset[Status] = frozenset({Status.RESOLVED, Status.WRITTEN_OFF})
#: Statuses of items still being worked.
OPEN_STATUSES: tuple[Status, ...] = (Status.OPEN, Status.DISPUTED)


# --- what disputes recovered: one definition for the Dashboard and the workbook ---------------

#: kinds whose resolution is money paid to the practice
SHORTFALL_KINDS = (Kind.MISSING, Kind.UNDERPAID)

#: the figure's name, the same on the Dashboard tile and the workbook's Cover and Aging sheets
RECOVERED_TITLE = "Recovered by disputes"
#: what the figure means, in the words every place that shows it uses
RECOVERED_RULE = (
    "What the payer paid for a disputed member-month on statements imported after it was "
    "first disputed (under the member's ID or a linked alias), for disputes now resolved "
    "whose kind is missing or underpaid. For other kinds the payer's answer is a recoupment, "
    "not money to the practice; written-off items recovered nothing."
)
#: the name and the rule together (a tooltip, a subtitle)
RECOVERED_DEFINITION = f"{RECOVERED_TITLE}: {RECOVERED_RULE[0].lower()}{RECOVERED_RULE[1:]}"


def recovered_caption(count: int, when: str) -> str:
    """The short sentence under a recovered amount; ``when``: "in 2026", "for 2026-01…"."""
    if not count:
        return f"no missing or underpaid dispute resolved {when} yet"
    return f"paid after the dispute for {count:,} resolved missing or underpaid item(s) {when}"


@dataclass(frozen=True)
class MonthSummary:
    """One coverage month of one payer."""

    month: Month
    eligible_members: int
    paid_members: int
    expected: Decimal
    paid: Decimal
    variance: Decimal
    #: member-months of each kind (every kind of ``KINDS`` present, zero included)
    counts: dict[str, int] = field(default_factory=dict)
    #: sum of (paid - expected) of the member-months of each kind
    amounts: dict[str, Decimal] = field(default_factory=dict)
    #: payments without members for this month (an 835's PLB), when the payer made any
    payer_level: PayerLevel | None = None


@dataclass(frozen=True)
class PayerLevel:
    """A month's payer-level payments (SPEC §7) beside the member-level figures."""

    #: the sum of every payer-level amount, signed as paid to the practice
    paid: Decimal
    #: per adjustment code (CT, CR, E3, …), signed as paid
    by_code: dict[str, Decimal]
    #: what the payer says it withheld (its E3 lines, as a positive amount)
    withhold_reported: Decimal
    #: what the contracts withhold of the month's eligible member-months
    withhold_contract: Decimal

    def describe(self) -> str:
        """ "$1,500.00 without members (CT $1,575.00, E3 -$75.00); the payer withheld
        $75.00, the contracts $75.00"."""
        codes = ", ".join(f"{c} {dollars_text(v)}" for c, v in self.by_code.items())
        return (
            f"{dollars_text(self.paid)} without members ({codes}); the payer withheld "
            f"{dollars_text(self.withhold_reported)}, the contracts "
            f"{dollars_text(self.withhold_contract)}"
        )


@dataclass(frozen=True)
class DiscrepancyRow:
    """One stored discrepancy, flattened for display and export."""

    payer_code: str
    member_id: str
    last_name: str | None
    first_name: str | None
    dob: dt.date | None
    month: Month
    kind: str
    expected: Decimal
    paid: Decimal
    variance: Decimal
    status: str
    created_at: dt.datetime
    last_note: str | None
    #: the day the payer should have paid the month (services/aging.py's rule); None when
    #: the row was built without it
    due_date: dt.date | None = None


@dataclass(frozen=True)
class ReconcileSummary:
    """A payer's reconciliation over a range of coverage months."""

    payer_code: str
    payer_name: str
    first: Month
    last: Month
    months: list[MonthSummary]
    counts: dict[str, int]
    expected: Decimal
    paid: Decimal
    variance: Decimal
    discrepancies: list[DiscrepancyRow]
    #: the range's payer-level payments, when there are any (``paid`` stays member-level)
    payer_level_paid: Decimal | None = None
