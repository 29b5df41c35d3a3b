"""Disputes: the facts of each one, and the ONE rule for what disputes recovered.

A dispute is a discrepancy that a person ever marked ``disputed`` (an event with
``new_status = 'disputed'`` in its history). What it recovered is the money the payer paid for
that member-month on statements imported AFTER the item was first disputed, under the
member's own ID or any alias linked to it. It counts only for items that are now ``resolved``
and whose kind is a shortfall (missing, underpaid): for the other kinds (overpaid, not
eligible, …) the payer's answer is a recoupment, not money to the practice, and a written-off
item recovered nothing by definition. Money paid before the dispute is not counted (the
dispute did not bring it), and neither is the stored variance (a reconciliation overwrites it
once the month matches).

The Dashboard tile and the workbook's Cover and Aging sheets all read their "recovered"
figure and their words from here, so they cannot drift apart.
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from sqlalchemy import func, select

from pmpm_desktop.core.money import ZERO
from pmpm_desktop.core.month import Month
from pmpm_desktop.core.summary import (  # the figure's words live with the domain's
    SHORTFALL_KINDS,
    Kind,
    Status,
)
from pmpm_desktop.db.database import Database
from pmpm_desktop.db.models import (
    Discrepancy,
    DiscrepancyEvent,
    Member,
    MemberAlias,
    Payer,
    RemittanceImport,
    RemittanceLine,
)
from pmpm_desktop.services.discrepancies import Event

_CHUNK = 500  # member IDs per IN (…) query, well below SQLite's variable limit


@dataclass(frozen=True)
class DisputeFact:
    """One discrepancy that was ever disputed, and what the payer paid after the dispute."""

    payer_code: str
    member_id: str
    month: Month
    kind: Kind
    #: disputed (still pending) | resolved | written_off | open (reopened)
    status: Status
    #: the stored variance (paid − expected) at the last reconciliation
    variance: Decimal
    first_disputed_at: dt.datetime
    #: the latest resolution, when the item is resolved now (None otherwise)
    resolved_at: dt.datetime | None
    #: every line paid for the member-month (own ID and linked aliases) on statements imported
    #: after ``first_disputed_at``, net (a later recoupment counts negative)
    paid_after: Decimal

    @property
    def pending(self) -> bool:
        return self.status == Status.DISPUTED

    @property
    def counts_as_recovered(self) -> bool:
        """Resolved now, and a shortfall: the only disputes whose answer is money to us."""
        return self.status == Status.RESOLVED and self.kind in SHORTFALL_KINDS

    @property
    def recovered(self) -> Decimal:
        return self.paid_after if self.counts_as_recovered else ZERO


@dataclass(frozen=True)
class Recovered:
    """The disputes counted as recovered (resolved shortfalls) and the money they brought."""

    count: int = 0
    amount: Decimal = ZERO


def _naive_utc(ts: dt.datetime) -> dt.datetime:
    return ts.astimezone(dt.UTC).replace(tzinfo=None) if ts.tzinfo is not None else ts


def _status_at(first_or_last: Any, status: Status) -> Any:
    """Per discrepancy (``id``), when (``at``) it was set to ``status``: the first or the last
    time, as ``first_or_last`` (``func.min`` / ``func.max``) picks."""
    return (
        select(
            DiscrepancyEvent.discrepancy_id.label("id"),
            first_or_last(DiscrepancyEvent.at).label("at"),
        )
        # a change taken back (and the undo itself) is not when the status was given
        .where(
            DiscrepancyEvent.new_status == status,
            DiscrepancyEvent.event.not_in((Event.UNDO, Event.UNDONE)),
        )
        .group_by(DiscrepancyEvent.discrepancy_id)
        .subquery()
    )


def dispute_facts(
    db: Database,
    *,
    payers: Iterable[str] | None = None,
    first: Month | None = None,
    last: Month | None = None,
    resolved_in: int | None = None,
) -> list[DisputeFact]:
    """Every dispute, optionally of payer codes ``payers``, of coverage months
    ``first``..``last``, and/or resolved (now) in the UTC year ``resolved_in``; in payer,
    month, member order."""
    disputed_at = _status_at(func.min, Status.DISPUTED)  # the first dispute
    resolved_at = _status_at(func.max, Status.RESOLVED)  # the last resolution
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
            resolved_at.c.at,
        )
        .join(disputed_at, disputed_at.c.id == Discrepancy.id)
        .outerjoin(resolved_at, resolved_at.c.id == Discrepancy.id)
        .join(Payer, Payer.id == Discrepancy.payer_id)
        .order_by(Payer.code, Discrepancy.month, Discrepancy.member_id)
    )
    if payers is not None:
        q = q.where(Payer.code.in_(list(payers)))
    if first is not None:
        q = q.where(Discrepancy.month >= first)
    if last is not None:
        q = q.where(Discrepancy.month <= last)
    if resolved_in is not None:
        q = q.where(
            Discrepancy.status == Status.RESOLVED,
            resolved_at.c.at >= dt.datetime(resolved_in, 1, 1),
            resolved_at.c.at < dt.datetime(resolved_in + 1, 1, 1),
        )
    with db.sessions() as s:
        rows = s.execute(q).all()
    wanted = {
        (payer_id, member_id, month): _naive_utc(at)
        for payer_id, _c, member_id, month, _k, _s, _v, at, _r in rows
    }
    paid = _paid_after(db, wanted)
    return [
        DisputeFact(
            payer_code=code,
            member_id=member_id,
            month=month,
            kind=Kind(kind),
            status=Status(status),
            variance=variance,
            first_disputed_at=_naive_utc(at),
            resolved_at=_naive_utc(resolved) if status == Status.RESOLVED and resolved else None,
            paid_after=paid.get((payer_id, member_id, month), ZERO),
        )
        for payer_id, code, member_id, month, kind, status, variance, at, resolved in rows
    ]


def recovered_by_payer(facts: Iterable[DisputeFact]) -> dict[str, Recovered]:
    """Per payer code: the disputes counted as recovered and what they brought."""
    out: dict[str, Recovered] = {}
    for f in facts:
        if f.counts_as_recovered:
            r = out.get(f.payer_code, Recovered())
            out[f.payer_code] = Recovered(r.count + 1, r.amount + f.recovered)
    return out


def total_recovered(facts: Iterable[DisputeFact]) -> Recovered:
    rs = recovered_by_payer(facts).values()
    return Recovered(sum(r.count for r in rs), sum((r.amount for r in rs), ZERO))


def _paid_after(
    db: Database, wanted: dict[tuple[int, str, Month], dt.datetime]
) -> dict[tuple[int, str, Month], Decimal]:
    """Per wanted (payer id, member ID, month): the lines paid for it, under the ID or a linked
    alias, on statements imported after its first dispute."""
    out: dict[tuple[int, str, Month], Decimal] = defaultdict(lambda: ZERO)
    if not wanted:
        return out
    members: dict[int, set[str]] = defaultdict(set)
    months: dict[int, list[Month]] = defaultdict(list)
    for payer_id, member_id, month in wanted:
        members[payer_id].add(member_id)
        months[payer_id].append(month)
    with db.sessions() as s:
        for payer_id, own_ids in members.items():
            # every ID a member was paid under → the member's own ID
            own_of: dict[str, str] = {m: m for m in own_ids}
            ids = sorted(own_ids)
            for i in range(0, len(ids), _CHUNK):
                for member_id, alias in s.execute(
                    select(Member.member_id, MemberAlias.alias_id)
                    .join(MemberAlias, MemberAlias.member_pk == Member.id)
                    .where(Member.payer_id == payer_id, Member.member_id.in_(ids[i : i + _CHUNK]))
                ):
                    own_of.setdefault(alias, member_id)
            # only the disputed months' lines can count: not every month the members were paid
            lo, hi = min(months[payer_id]), max(months[payer_id])
            paid_as = sorted(own_of)
            for i in range(0, len(paid_as), _CHUNK):
                for member_id, month, amount, imported_at in s.execute(
                    select(
                        RemittanceLine.member_id,
                        RemittanceLine.coverage_month,
                        RemittanceLine.amount,
                        RemittanceImport.imported_at,
                    )
                    .join(RemittanceImport, RemittanceImport.id == RemittanceLine.import_id)
                    .where(
                        RemittanceLine.payer_id == payer_id,
                        RemittanceLine.member_id.in_(paid_as[i : i + _CHUNK]),
                        RemittanceLine.coverage_month >= lo,
                        RemittanceLine.coverage_month <= hi,
                    )
                ):
                    key = (payer_id, own_of[member_id], month)
                    at = wanted.get(key)
                    if at is not None and _naive_utc(imported_at) > at:
                        out[key] += amount
    return out


@dataclass(frozen=True)
class PayerDisputes:
    """What the disputes of one payer came to (the Aging sheet's "What disputes came to")."""

    payer_code: str
    disputed: int = 0
    #: still disputed now, and the amount still in question (sum of |variance|)
    pending: int = 0
    pending_amount: Decimal = ZERO
    resolved: int = 0
    recovered: Recovered = Recovered()
    written_off: int = 0
    written_off_amount: Decimal = ZERO


def by_payer(facts: Sequence[DisputeFact], codes: Iterable[str]) -> list[PayerDisputes]:
    """One summary per payer code of ``codes`` (in that order), payers without disputes too."""
    recovered = recovered_by_payer(facts)
    grouped: dict[str, list[DisputeFact]] = defaultdict(list)
    for f in facts:
        grouped[f.payer_code].append(f)
    out = []
    for code in codes:
        fs = grouped.get(code, [])
        pending = [f for f in fs if f.pending]
        written = [f for f in fs if f.status == Status.WRITTEN_OFF]
        out.append(
            PayerDisputes(
                payer_code=code,
                disputed=len(fs),
                pending=len(pending),
                pending_amount=sum((abs(f.variance) for f in pending), ZERO),
                resolved=sum(1 for f in fs if f.status == Status.RESOLVED),
                recovered=recovered.get(code, Recovered()),
                written_off=len(written),
                written_off_amount=sum((abs(f.variance) for f in written), ZERO),
            )
        )
    return out
