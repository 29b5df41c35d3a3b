"""What the report workbook is written from, beyond the reconcile summaries.

The services gather these (``services/reporting.py``); the writers only lay them out. The shapes
of the service results the writers read (aging rows, late recoupments, roster diffs) are given
as Protocols so that ``io`` does not import ``services``.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from dataclasses import dataclass, field
from decimal import Decimal
from typing import NamedTuple, Protocol

from pmpm_desktop.core.month import Month


class AgingRowLike(Protocol):
    @property
    def payer_code(self) -> str: ...
    @property
    def payer_name(self) -> str: ...
    @property
    def amounts(self) -> dict[str, Decimal]: ...
    @property
    def counts(self) -> dict[str, int]: ...
    @property
    def total(self) -> Decimal: ...
    @property
    def count(self) -> int: ...


class LateRecoupmentLike(Protocol):
    @property
    def payer_code(self) -> str: ...
    @property
    def member_id(self) -> str: ...
    @property
    def coverage_month(self) -> Month: ...
    @property
    def amount(self) -> Decimal: ...
    @property
    def payment_date(self) -> dt.date | None: ...
    @property
    def months_back(self) -> int: ...
    @property
    def retro_window_months(self) -> int: ...
    @property
    def file_name(self) -> str: ...
    @property
    def source_row(self) -> int: ...


class RosterChangeLike(Protocol):
    @property
    def member_id(self) -> str: ...
    @property
    def name(self) -> str: ...
    @property
    def kind(self) -> str: ...
    @property
    def before(self) -> str | None: ...
    @property
    def after(self) -> str | None: ...
    @property
    def months(self) -> tuple[Month, ...]: ...


class RosterDiffLike(Protocol):
    @property
    def payer_code(self) -> str: ...
    @property
    def month(self) -> Month: ...
    @property
    def previous_month(self) -> Month | None: ...
    @property
    def before(self) -> int: ...
    @property
    def after(self) -> int: ...
    @property
    def changes(self) -> Sequence[RosterChangeLike]: ...


@dataclass(frozen=True)
class DisputeOutcome:
    """What disputes sent to one payer came to (discrepancies ever marked ``disputed``)."""

    payer_code: str
    payer_name: str
    disputed: int = 0
    #: still disputed now, and the amount still in question (sum of |variance|)
    pending: int = 0
    pending_amount: Decimal = Decimal("0.00")
    #: resolved after the dispute, and what the payer paid for them after it was sent
    resolved: int = 0
    recovered: Decimal = Decimal("0.00")
    written_off: int = 0
    written_off_amount: Decimal = Decimal("0.00")


class LedgerLine(NamedTuple):
    """One member-month of the ledger (money in cents, as the engine gives it)."""

    payer_code: str
    member_id: str
    last_name: str | None
    first_name: str | None
    month: Month
    eligible: bool
    expected_cents: int
    paid_cents: int
    kind: str | None
    status: str | None


class PayerPaymentLine(NamedTuple):
    """One payer-level payment (SPEC §7: an 835's PLB adjustment), signed as paid to the
    practice: capitation positive, a withholding negative."""

    payer_code: str
    month: Month
    #: the adjustment reason code (PLB03-1): CT, CR, E3, …
    code: str
    #: PLB03-2 as written, often a re-association key (None when the file has none)
    reference: str | None
    amount: Decimal
    #: the statement it came from and its segment there
    file_name: str
    source_row: int


@dataclass(frozen=True)
class ReportExtras:
    """The sheets beyond Summary and Discrepancies; ``None`` leaves a sheet out."""

    #: the day ages are counted to (days since the payment was due)
    as_of: dt.date | None = None
    #: bucket names in order, e.g. ("0-30", "31-60", "61-90", "90+")
    aging_buckets: tuple[str, ...] = ()
    #: open and disputed amounts by payer and bucket: the shortfalls (variance < 0, owed to
    #: the practice) and the overpayments (variance > 0, the payer may recoup), kept apart so
    #: that one does not hide the other
    aging_short: Sequence[AgingRowLike] | None = None
    aging_over: Sequence[AgingRowLike] | None = None
    late_recoupments: Sequence[LateRecoupmentLike] | None = None
    disputes: Sequence[DisputeOutcome] | None = None
    roster_diffs: Sequence[RosterDiffLike] | None = None
    ledger: Sequence[LedgerLine] | None = None
    #: payments without members in the range (the Summary sheet lists them when there are any)
    payer_payments: Sequence[PayerPaymentLine] = ()
    #: members the ledger would list beyond what it holds (it is capped), 0 when complete
    ledger_members_left_out: int = 0
    notes: list[str] = field(default_factory=list)
