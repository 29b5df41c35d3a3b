"""One member at a time: find members, and show a member's months and roster history.

:class:`MemberSearch` is a paged source (count / fetch with SQL LIMIT/OFFSET) over the members
matching what a clerk types: an ID prefix, a name (``LAST, FIRST`` or ``first last``) or a date
of birth. :func:`member_ledger` recomputes the member's months with the reconciliation engine
(only this member's rows are read, as ``explain`` does), so the ledger is current even before
the next reconciliation; the stored discrepancy's status is shown beside it.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

import polars as pl
from sqlalchemy import ColumnElement, and_, false, func, or_, select
from sqlalchemy.orm import Session

from pmpm_desktop.core.member_ids import IdRule
from pmpm_desktop.core.money import ZERO, cents_to_money
from pmpm_desktop.core.month import Month, month_range
from pmpm_desktop.core.summary import CLOSED_STATUSES, STATUSES, Kind, Status
from pmpm_desktop.db.database import Database
from pmpm_desktop.db.models import (
    Discrepancy,
    Member,
    MemberAlias,
    Payer,
    RemittanceLine,
    RosterImport,
    RosterRow,
)
from pmpm_desktop.errors import NotFound, UsageError
from pmpm_desktop.io.values import parse_date
from pmpm_desktop.services.payers import get_payer, id_rules, typed_id_forms, typed_member_id
from pmpm_desktop.services.reconciling import compute, load_inputs

#: statuses of a discrepancy still waiting for someone (counted as "open" in search results)
OPEN_STATUSES: tuple[str, ...] = tuple(s for s in STATUSES if s not in CLOSED_STATUSES)
#: the longest ledger computed at once (as reconcile: 20 years)
MAX_LEDGER_MONTHS = 240


# --- search -----------------------------------------------------------------------------------


@dataclass(frozen=True)
class MemberRow:
    """One search result."""

    payer_code: str
    member_id: str
    last_name: str | None
    first_name: str | None
    dob: dt.date | None
    sex: str | None
    #: the newest roster month (active imports) that lists the member
    latest_month: Month | None
    #: stored discrepancies of the member still open or disputed
    open_discrepancies: int


def _like_prefix(text: str) -> str:
    """``text`` as a LIKE prefix pattern, its own ``%``, ``_`` and ``\\`` taken literally."""
    escaped = text.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")
    return escaped + "%"


def _starts(column: Any, text: str) -> ColumnElement[bool]:
    """Case-insensitive prefix match (lower() on both sides: PostgreSQL's LIKE is
    case-sensitive, SQLite's is not)."""
    return func.lower(column).like(_like_prefix(text.lower()), escape="\\")


def typed_date(text: str) -> dt.date | None:
    """The date a clerk typed, or None. Plain numbers are IDs, not Excel serials (``12`` is not
    1900-01-12), except eight digits, which may be ``YYYYMMDD``."""
    text = text.strip()
    if not text or (text.isdigit() and len(text) != 8):
        return None
    try:
        return parse_date(text)
    except ValueError:
        return None


def _name_condition(text: str) -> ColumnElement[bool] | None:
    """``LAST, FIRST`` (either part may be partial), or words in either order."""
    last, comma, first = text.partition(",")
    if comma:
        last, first = last.strip(), first.strip()
        parts = []
        if last:
            parts.append(_starts(Member.last_name, last))
        if first:
            parts.append(_starts(Member.first_name, first))
        return and_(*parts) if parts else None
    words = text.split()
    if not words:
        return None
    whole = " ".join(words)
    options: list[ColumnElement[bool]] = [
        _starts(Member.last_name, whole),
        _starts(Member.first_name, whole),
    ]
    # "ben bravo", "bravo ben", "maria de la cruz": every split into two parts, both orders.
    for i in range(1, len(words)):
        a, b = " ".join(words[:i]), " ".join(words[i:])
        options.append(and_(_starts(Member.first_name, a), _starts(Member.last_name, b)))
        options.append(and_(_starts(Member.last_name, a), _starts(Member.first_name, b)))
    return or_(*options)


def _id_condition(ident: str) -> ColumnElement[bool]:
    """Members whose own ID or a linked alias starts with ``ident``."""
    options = [Member.member_id.like(_like_prefix(ident), escape="\\")]
    if ident.isdigit() and ident.lstrip("0"):
        # "2" finds 000000002: payers with a fixed ID width pad IDs with zeros (SPEC §6)
        options.append(
            func.ltrim(Member.member_id, "0").like(_like_prefix(ident.lstrip("0")), escape="\\")
        )
    options.append(
        Member.id.in_(
            select(MemberAlias.member_pk).where(
                MemberAlias.alias_id.like(_like_prefix(ident), escape="\\")
            )
        )
    )
    return or_(*options)


def _search_condition(
    text: str, rules: Mapping[int, IdRule] | None = None
) -> ColumnElement[bool] | None:
    """Members matching ``text`` by ID prefix (own or alias), name, or date of birth.

    ``rules``: the payers (by id) that have an ID rule; their members are also searched for
    the text as their rule reads it (``000-123`` finds 000123456 where dashes are ignored)."""
    text = text.strip()
    if not text:
        return None
    options: list[ColumnElement[bool]] = []
    ident, ruled = typed_id_forms(text, rules or {})
    if ident is not None:
        options.append(_id_condition(ident))
    for payer_id, form in ruled.items():
        options.append(and_(Member.payer_id == payer_id, _id_condition(form)))
    name = _name_condition(text)
    if name is not None:
        options.append(name)
    day = typed_date(text)
    if day is not None:
        options.append(Member.dob == day)
    return or_(*options) if options else false()


_LATEST = (
    select(func.max(RosterImport.roster_month))
    .select_from(RosterRow)
    .join(RosterImport, RosterImport.id == RosterRow.import_id)
    .where(RosterRow.member_pk == Member.id, RosterImport.active.is_(True))
    .correlate(Member)
    .scalar_subquery()
    .label("latest_month")
)
_OPEN = (
    select(func.count(Discrepancy.id))
    .where(
        Discrepancy.payer_id == Member.payer_id,
        Discrepancy.member_id == Member.member_id,
        Discrepancy.status.in_(OPEN_STATUSES),
    )
    .correlate(Member)
    .scalar_subquery()
    .label("open_discrepancies")
)

#: the sort keys ``MemberSearch.fetch`` takes (``Column.sort_key`` of the page's columns)
SORT_KEYS: dict[str, Any] = {
    "payer": Payer.code,
    "member_id": Member.member_id,
    "last_name": func.lower(Member.last_name),
    "first_name": func.lower(Member.first_name),
    "dob": Member.dob,
    "sex": Member.sex,
    "latest_month": _LATEST,
    "open_discrepancies": _OPEN,
}


class MemberSearch:
    """Members matching a search text (and a payer), counted and read a page at a time."""

    def __init__(self, db: Database, text: str = "", payer_code: str | None = None) -> None:
        self.db = db
        self.text = text.strip()
        self.payer_id: int | None = None
        with db.sessions() as s:
            if payer_code:
                self.payer_id = get_payer(s, payer_code).id
            rules = id_rules(s, self.payer_id)
        self._where: list[ColumnElement[bool]] = []
        if self.payer_id is not None:
            self._where.append(Member.payer_id == self.payer_id)
        condition = _search_condition(self.text, rules)
        if condition is not None:
            self._where.append(condition)

    def count(self) -> int:
        with self.db.sessions() as s:
            return int(s.scalar(select(func.count(Member.id)).where(*self._where)) or 0)

    def fetch(
        self, offset: int, limit: int, order_by: str | None = None, descending: bool = False
    ) -> list[MemberRow]:
        if order_by is not None and order_by not in SORT_KEYS:
            raise UsageError(f"cannot sort members by {order_by!r}")
        order: list[Any] = []
        if order_by is not None:
            key = SORT_KEYS[order_by]
            order.append((key.desc() if descending else key.asc()).nulls_last())
        # then by name and ID, so pages never overlap or skip rows
        order += [
            func.lower(Member.last_name).asc().nulls_last(),
            func.lower(Member.first_name).asc().nulls_last(),
            Payer.code,
            Member.member_id,
        ]
        q = (
            select(
                Payer.code,
                Member.member_id,
                Member.last_name,
                Member.first_name,
                Member.dob,
                Member.sex,
                _LATEST,
                _OPEN,
            )
            .join(Payer, Payer.id == Member.payer_id)
            .where(*self._where)
            .order_by(*order)
            .offset(max(offset, 0))
            .limit(max(limit, 0))
        )
        with self.db.sessions() as s:
            return [
                MemberRow(code, member_id, last, first, dob, sex, latest, int(open_items or 0))
                for code, member_id, last, first, dob, sex, latest, open_items in s.execute(q)
            ]


def search_members(db: Database, text: str, payer_code: str | None = None) -> MemberSearch:
    """The members matching ``text`` (ID prefix, ``LAST, FIRST`` / ``first last``, or a DOB
    such as ``2024-01-15`` or ``01/15/2024``), of one payer or all; every member when blank."""
    return MemberSearch(db, text, payer_code)


# --- one member -------------------------------------------------------------------------------


@dataclass(frozen=True)
class MemberInfo:
    payer_code: str
    payer_name: str
    member_id: str
    last_name: str | None
    first_name: str | None
    dob: dt.date | None
    sex: str | None
    #: False for an ID the payer paid that no roster lists (an unknown member)
    on_roster: bool = True


@dataclass(frozen=True)
class LedgerRow:
    """One coverage month of a member: what the engine expects, what was paid, and the verdict."""

    month: Month
    #: eligible (payable fraction above 0) per the rosters' latest word
    eligible: bool
    expected: Decimal
    paid: Decimal
    variance: Decimal
    #: the kind the engine gives the month now; None when it is neither eligible nor paid
    kind: Kind | None
    #: the status of the stored discrepancy of this month, if there is one
    status: Status | None
    #: how many payment statement lines were paid for the month (own ID and aliases)
    lines: int = 0

    @property
    def is_discrepancy(self) -> bool:
        return (self.kind is not None and self.kind != Kind.MATCHED) or self.status is not None


@dataclass(frozen=True)
class LedgerTotals:
    """A member's months added up, as the Members page says them under the ledger."""

    months: int
    first: Month | None
    last: Month | None
    expected: Decimal
    paid: Decimal
    #: paid − expected
    variance: Decimal
    #: the months with a discrepancy
    differing: int


def ledger_totals(rows: Sequence[LedgerRow]) -> LedgerTotals:
    """The totals of a member's ledger (``rows`` in month order)."""
    expected = sum((r.expected for r in rows), ZERO)
    paid = sum((r.paid for r in rows), ZERO)
    return LedgerTotals(
        months=len(rows),
        first=rows[0].month if rows else None,
        last=rows[-1].month if rows else None,
        expected=expected,
        paid=paid,
        variance=paid - expected,
        differing=sum(1 for r in rows if r.is_discrepancy),
    )


@dataclass(frozen=True)
class EligibilityRow:
    """One roster row that lists the member."""

    roster_month: Month
    file_name: str
    imported_at: dt.datetime
    #: False when a later import of the same roster month replaced this one
    active: bool
    product: str | None
    rate_cell: str | None
    pcp: str | None
    effective_date: dt.date | None
    term_date: dt.date | None
    risk_score: Decimal | None
    source_row: int


@dataclass(frozen=True)
class AliasRow:
    alias_id: str
    linked_at: dt.datetime


@dataclass(frozen=True)
class EligibilityHistory:
    rows: list[EligibilityRow]
    aliases: list[AliasRow]


@dataclass(frozen=True)
class MemberDetail:
    """Everything the Members page shows for one member, read in one background task."""

    info: MemberInfo
    ledger: list[LedgerRow]
    history: EligibilityHistory

    @property
    def totals(self) -> LedgerTotals:
        return ledger_totals(self.ledger)


@dataclass(frozen=True)
class _Resolved:
    payer_id: int
    info: MemberInfo
    member_pk: int | None
    #: the member's own ID and its linked aliases: the IDs its lines may carry
    ids: list[str]


def _resolve(s: Session, payer_code: str, member_id: str) -> _Resolved:
    """The member by its own ID or a linked alias; an ID only paid (never rostered) is allowed."""
    payer = get_payer(s, payer_code)
    # as the payer's files are read: "2" is 000000002 at width 9, its ID rule applied
    wanted = typed_member_id(payer, member_id)
    member = s.scalar(select(Member).where(Member.payer_id == payer.id, Member.member_id == wanted))
    if member is None:
        pk = s.scalar(
            select(MemberAlias.member_pk).where(
                MemberAlias.payer_id == payer.id, MemberAlias.alias_id == wanted
            )
        )
        member = s.get(Member, pk) if pk is not None else None
    if member is None:
        paid = s.scalar(
            select(func.count(RemittanceLine.id)).where(
                RemittanceLine.payer_id == payer.id, RemittanceLine.member_id == wanted
            )
        )
        if not paid:
            raise NotFound(f"{payer.code} has no member {wanted} on any roster or statement")
        info = MemberInfo(payer.code, payer.name, wanted, None, None, None, None, on_roster=False)
        return _Resolved(payer.id, info, None, [wanted])
    aliases = list(
        s.scalars(
            select(MemberAlias.alias_id)
            .where(MemberAlias.member_pk == member.id)
            .order_by(MemberAlias.alias_id)
        )
    )
    info = MemberInfo(
        payer.code,
        payer.name,
        member.member_id,
        member.last_name,
        member.first_name,
        member.dob,
        member.sex,
    )
    return _Resolved(payer.id, info, member.id, [member.member_id, *aliases])


def member_info(db: Database, payer_code: str, member_id: str) -> MemberInfo:
    with db.sessions() as s:
        return _resolve(s, payer_code, member_id).info


def _default_range(s: Session, r: _Resolved) -> tuple[Month, Month] | None:
    """From the member's first roster month (or first paid month) to the latest of either."""
    bounds: list[Month] = []
    if r.member_pk is not None:
        lo, hi = s.execute(
            select(func.min(RosterImport.roster_month), func.max(RosterImport.roster_month))
            .join(RosterRow, RosterRow.import_id == RosterImport.id)
            .where(RosterRow.member_pk == r.member_pk, RosterImport.active.is_(True))
        ).one()
        bounds += [m for m in (lo, hi) if m is not None]
    lo, hi = s.execute(
        select(
            func.min(RemittanceLine.coverage_month), func.max(RemittanceLine.coverage_month)
        ).where(RemittanceLine.payer_id == r.payer_id, RemittanceLine.member_id.in_(r.ids))
    ).one()
    bounds += [m for m in (lo, hi) if m is not None]
    return (min(bounds), max(bounds)) if bounds else None


def _ledger(db: Database, r: _Resolved, first: Month | None, last: Month | None) -> list[LedgerRow]:
    with db.sessions() as s:
        default = _default_range(s, r)
    if default is None and (first is None or last is None):
        return []
    first = first or default[0]  # type: ignore[index]
    last = last or default[1]  # type: ignore[index]
    if last < first:
        raise UsageError(f"the range ends ({last}) before it starts ({first})")
    if first.months_until(last) >= MAX_LEDGER_MONTHS:
        raise UsageError("a ledger covers at most 20 years at a time")
    inputs = load_inputs(
        db,
        r.info.payer_code,
        first,
        last,
        member_pks=[r.member_pk] if r.member_pk is not None else [],
        line_ids=r.ids,
    )
    expected, kinds = compute(inputs, first, last)
    eligible: dict[int, bool] = {}
    if r.member_pk is not None:
        months = expected.member_months.filter(pl.col("member_pk") == r.member_pk)
        eligible = {m: bool(e) for m, e in months.select("month", "eligible").iter_rows()}
    mine = (
        pl.col("member_pk") == r.member_pk
        if r.member_pk is not None
        else pl.col("member_ref").is_in(r.ids)
    )
    verdicts = {
        row["month"]: row for row in kinds.filter(mine).iter_rows(named=True)
    }  # month index → the engine's row
    line_counts = dict(inputs.lines.group_by("month").len().select("month", "len").iter_rows())
    with db.sessions() as s:
        statuses = {
            m.index: Status(status)
            for m, status in s.execute(
                select(Discrepancy.month, Discrepancy.status).where(
                    Discrepancy.payer_id == r.payer_id,
                    Discrepancy.member_id == r.info.member_id,
                    Discrepancy.month >= first,
                    Discrepancy.month <= last,
                )
            ).all()
        }
    zero = Decimal("0.00")
    out = []
    for month in month_range(first, last):
        v = verdicts.get(month.index)
        out.append(
            LedgerRow(
                month=month,
                eligible=eligible.get(month.index, False),
                expected=cents_to_money(v["expected_cents"]) if v else zero,
                paid=cents_to_money(v["paid_cents"]) if v else zero,
                variance=cents_to_money(v["variance_cents"]) if v else zero,
                kind=Kind(v["kind"]) if v else None,
                status=statuses.get(month.index),
                lines=int(line_counts.get(month.index, 0)),
            )
        )
    return out


def member_ledger(
    db: Database,
    payer_code: str,
    member_id: str,
    first: Month | None = None,
    last: Month | None = None,
) -> list[LedgerRow]:
    """The member's coverage months, oldest first: expected (recomputed by the engine for this
    member alone), paid (own ID and linked aliases), variance, kind, and the stored
    discrepancy's status. Without a range: from the first to the latest month a roster lists
    the member or a line pays for it."""
    with db.sessions() as s:
        resolved = _resolve(s, payer_code, member_id)
    return _ledger(db, resolved, first, last)


def _history(s: Session, r: _Resolved) -> EligibilityHistory:
    rows: list[EligibilityRow] = []
    if r.member_pk is not None:
        found = s.execute(
            select(RosterRow, RosterImport)
            .join(RosterImport, RosterImport.id == RosterRow.import_id)
            .where(RosterRow.member_pk == r.member_pk)
            .order_by(
                RosterImport.roster_month.desc(),
                RosterImport.imported_at.desc(),
                RosterImport.id.desc(),
                RosterRow.source_row,
            )
        ).all()
        rows = [
            EligibilityRow(
                roster_month=imp.roster_month,
                file_name=imp.file_name,
                imported_at=imp.imported_at,
                active=imp.active,
                product=row.product,
                rate_cell=row.rate_cell,
                pcp=row.pcp,
                effective_date=row.effective_date,
                term_date=row.term_date,
                risk_score=row.risk_score.normalize() if row.risk_score is not None else None,
                source_row=row.source_row,
            )
            for row, imp in found
        ]
        aliases = [
            AliasRow(a.alias_id, a.created_at)
            for a in s.scalars(
                select(MemberAlias)
                .where(MemberAlias.member_pk == r.member_pk)
                .order_by(MemberAlias.alias_id)
            )
        ]
    else:
        aliases = []
    return EligibilityHistory(rows, aliases)


def eligibility_history(db: Database, payer_code: str, member_id: str) -> EligibilityHistory:
    """Every roster row listing the member (newest roster month first, replaced imports
    included and marked), and the payer's other IDs linked to the member."""
    with db.sessions() as s:
        return _history(s, _resolve(s, payer_code, member_id))


def member_detail(
    db: Database,
    payer_code: str,
    member_id: str,
    first: Month | None = None,
    last: Month | None = None,
) -> MemberDetail:
    """Header, ledger and eligibility history of one member (what the Members page shows)."""
    with db.sessions() as s:
        resolved = _resolve(s, payer_code, member_id)
        history = _history(s, resolved)
    return MemberDetail(resolved.info, _ledger(db, resolved, first, last), history)
