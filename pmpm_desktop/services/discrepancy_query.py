"""The Reconciliation page's grid reads: stored discrepancies filtered, sorted and paged in SQL,
and their age in days since the payment was due. (The month summary is in ``month_summary``;
status changes, with what they replaced for undo, in ``discrepancy_status``.)

Rows are the same :class:`DiscrepancyRow` as :func:`~pmpm_desktop.services.discrepancies.
discrepancy_rows` builds, from the same SELECT (:func:`~pmpm_desktop.services.discrepancies.
discrepancy_select`): a grid over 100k discrepancies reads one page, never the whole table.
"""

from __future__ import annotations

import datetime as dt
import re
import threading
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from sqlalchemy import BigInteger, ColumnElement, Select, and_, case, cast, func, or_, select

from pmpm_desktop.core.age import days_since_due as days_between
from pmpm_desktop.core.clock import now
from pmpm_desktop.core.member_ids import IdRule
from pmpm_desktop.core.money import cents_to_money
from pmpm_desktop.core.month import Month
from pmpm_desktop.core.summary import (
    DISCREPANCY_KINDS,
    DiscrepancyRow,
    Kind,
    Status,
)
from pmpm_desktop.db.database import Database
from pmpm_desktop.db.models import (
    Discrepancy,
    Member,
    Payer,
)
from pmpm_desktop.errors import UsageError
from pmpm_desktop.services.aging import DEFAULT_DUE_DAY, payment_due_dates
from pmpm_desktop.services.discrepancies import check_status, discrepancy_select, rows_from

# The month summary lives in services/month_summary.py (with what the page opens on); these
# two stay importable from here, where callers have always found them.
from pmpm_desktop.services.month_summary import month_summary as month_summary
from pmpm_desktop.services.month_summary import summary_total as summary_total
from pmpm_desktop.services.payers import id_rules, typed_id_forms

#: (payer code, member ID, coverage month): what names one stored discrepancy
Key = tuple[str, str, Month]

#: the sort keys :meth:`DiscrepancySource.fetch` takes (one per grid column)
ORDER_KEYS: tuple[str, ...] = (
    "payer",
    "member_id",
    "name",
    "month",
    "kind",
    "expected",
    "paid",
    "variance",
    "status",
    "days_since_due",
    "last_note",
)
# A typed text an ID rule may change: punctuation inside, or a letter prefix before digits.
_MAY_BE_RULED = re.compile(r"\w[-\s./*_\u00a0\u2013]|^[A-Za-z]+[0-9]")


@dataclass(frozen=True)
class DiscrepancyQuery:
    """Which stored discrepancies to show. Empty tuples mean "any"."""

    payers: tuple[str, ...] = ()
    first: Month | None = None
    last: Month | None = None
    kinds: tuple[Kind, ...] = ()
    statuses: tuple[Status, ...] = ()
    #: a member ID prefix, or words of the member's name (case-insensitive)
    text: str = ""

    def __post_init__(self) -> None:
        for kind in self.kinds:
            if kind not in DISCREPANCY_KINDS:
                raise UsageError(f"unknown kind {kind!r} (kinds: {', '.join(DISCREPANCY_KINDS)})")
        # the words as enums, so equal queries compare (and hash) equal however they were given
        object.__setattr__(self, "kinds", tuple(Kind(k) for k in self.kinds))
        object.__setattr__(self, "statuses", tuple(check_status(s) for s in self.statuses))


@dataclass(frozen=True)
class Totals:
    count: int
    variance: Decimal


def _like(text: str) -> str:
    """``text`` safe inside a LIKE pattern (``\\`` escapes)."""
    return text.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")


def _conditions(
    query: DiscrepancyQuery, rules: Mapping[int, IdRule] | None = None
) -> list[ColumnElement[bool]]:
    """The query's filters; ``rules`` (payers with an ID rule, see :func:`_rules`) let a typed
    ID prefix match as each payer's rule reads it."""
    out: list[ColumnElement[bool]] = []
    if query.payers:
        codes = [c.strip().upper() for c in query.payers]
        out.append(Discrepancy.payer_id.in_(select(Payer.id).where(Payer.code.in_(codes))))
    if query.first is not None:
        out.append(Discrepancy.month >= query.first)
    if query.last is not None:
        out.append(Discrepancy.month <= query.last)
    if query.kinds:
        out.append(Discrepancy.kind.in_(query.kinds))
    if query.statuses:
        out.append(Discrepancy.status.in_(query.statuses))
    text = query.text.strip()
    if text:
        # IDs are stored upper case; a name matches when every word is in the first or last name.
        by_id: ColumnElement[bool] = Discrepancy.member_id.like(
            _like(text.upper()) + "%", escape="\\"
        )
        for payer_id, form in typed_id_forms(text, rules or {})[1].items():
            by_id = or_(
                by_id,
                and_(
                    Discrepancy.payer_id == payer_id,
                    Discrepancy.member_id.like(_like(form) + "%", escape="\\"),
                ),
            )
        words = [
            or_(
                func.lower(Member.last_name).like(f"%{_like(w)}%", escape="\\"),
                func.lower(Member.first_name).like(f"%{_like(w)}%", escape="\\"),
            )
            for w in text.lower().replace(",", " ").split()
        ]
        out.append(or_(by_id, and_(*words)))
    return out


def _member_join(q: Select[Any]) -> Select[Any]:
    return q.outerjoin(
        Member,
        and_(Member.payer_id == Discrepancy.payer_id, Member.member_id == Discrepancy.member_id),
    )


def _rules(db: Database, query: DiscrepancyQuery) -> dict[int, IdRule]:
    """The payers' ID rules, when the query's text may be an ID a rule reads differently
    (punctuation, or letters before digits: a prefix); a name costs no extra query."""
    if not _MAY_BE_RULED.search(query.text.strip()):
        return {}
    with db.sessions() as s:
        return id_rules(s)


def _filtered_count(
    query: DiscrepancyQuery, *columns: Any, rules: Mapping[int, IdRule] | None = None
) -> Select[Any]:
    """``SELECT columns FROM discrepancies`` with the filters, joining members only for text."""
    q = select(*columns).select_from(Discrepancy)
    if query.text.strip():
        q = _member_join(q)
    return q.where(*_conditions(query, rules))


def count(db: Database, query: DiscrepancyQuery) -> int:
    """How many stored discrepancies match: one ``SELECT count(*)``."""
    with db.engine.connect() as conn:
        q = _filtered_count(query, func.count(), rules=_rules(db, query))
        return int(conn.execute(q).scalar_one())


def totals(db: Database, query: DiscrepancyQuery) -> Totals:
    """The number of matching discrepancies and the sum of their variance."""
    cents = func.sum(cast(func.round(Discrepancy.variance * 100), BigInteger))
    with db.engine.connect() as conn:
        q = _filtered_count(query, func.count(), cents, rules=_rules(db, query))
        n, total = conn.execute(q).one()
    return Totals(int(n), cents_to_money(int(total or 0)))


def _due_day(db: Database, among: Select[Any]) -> ColumnElement[Any] | None:
    """The day of its month each discrepancy's payment was due, as SQL: with the month, what
    sorts them by days since due (services/aging.py's rule, one CASE branch per payer and
    month whose due day is not the default). ``among`` selects (payer id, month) of the
    discrepancies to sort."""
    with db.sessions() as s:
        pairs = {(payer_id, month) for payer_id, month in s.execute(among.distinct())}
    odd = [
        (and_(Discrepancy.payer_id == payer_id, Discrepancy.month == month), due.day)
        for (payer_id, month), due in payment_due_dates(db, pairs).items()
        if due.day != DEFAULT_DUE_DAY
    ]
    # every payer's months due on the default day: the month alone sorts them
    return case(*odd, else_=DEFAULT_DUE_DAY) if odd else None


def _order(
    q: Select[Any],
    order_by: str | None,
    descending: bool,
    due_day: ColumnElement[Any] | None = None,
) -> Select[Any]:
    """``q`` sorted by a grid column (payer, month and member ID break ties).

    Columns are named on their tables, so the full row query and the light id query of
    :class:`DiscrepancySource` sort alike; only ``last_note`` needs the full query's note, and
    ``days_since_due`` the due days of :func:`_due_day`."""
    by: dict[str, list[Any]] = {
        "payer": [Payer.code],
        "member_id": [Discrepancy.member_id],
        "name": [Member.last_name, Member.first_name],
        "month": [Discrepancy.month],
        "kind": [Discrepancy.kind],
        "expected": [Discrepancy.expected],
        "paid": [Discrepancy.paid],
        "variance": [Discrepancy.variance],
        "status": [Discrepancy.status],
        # The longest overdue is the one whose payment was due first.
        "days_since_due": [Discrepancy.month, due_day],
    }
    if order_by == "last_note":
        by["last_note"] = [q.selected_columns.last_note]
    if order_by is not None and order_by not in by:
        raise UsageError(f"cannot sort by {order_by!r} (keys: {', '.join(ORDER_KEYS)})")
    chosen = [c for c in by.get(order_by or "", []) if c is not None]
    flip = descending != (order_by == "days_since_due")
    keys = [c.desc() if flip else c.asc() for c in chosen]
    # Payer, month and member ID name one discrepancy: pages follow each other without overlap.
    keys += [Payer.code, Discrepancy.month, Discrepancy.member_id]
    return q.order_by(*keys)


def _sorted(
    db: Database,
    q: Select[Any],
    query: DiscrepancyQuery,
    order_by: str | None,
    desc: bool,
    ids: Sequence[int] | None = None,
) -> Select[Any]:
    """:func:`_order`, with the due days when sorting by days since due (of the discrepancies
    of ``ids`` when given: a page, else of every match)."""
    if order_by != "days_since_due":
        return _order(q, order_by, desc)
    pair: tuple[Any, ...] = (Discrepancy.payer_id, Discrepancy.month)
    among: Select[Any]
    if ids is not None:
        among = select(*pair).where(Discrepancy.id.in_(ids))
    else:
        among = _filtered_count(query, *pair, rules=_rules(db, query))
    return _order(q, order_by, desc, _due_day(db, among))


def _ordered_ids(
    db: Database, query: DiscrepancyQuery, order_by: str | None, desc: bool
) -> list[int]:
    """The ids of every match in grid order, joining only what the filter and order need."""
    if order_by == "last_note":
        full = discrepancy_select().where(*_conditions(query, _rules(db, query)))
        q = _order(full, order_by, desc).with_only_columns(
            Discrepancy.id, maintain_column_froms=True
        )
    else:
        q = select(Discrepancy.id).join(Payer, Payer.id == Discrepancy.payer_id)
        if query.text.strip() or order_by == "name":
            q = _member_join(q)
        q = _sorted(db, q.where(*_conditions(query, _rules(db, query))), query, order_by, desc)
    with db.engine.connect() as conn:
        return list(conn.execute(q).scalars())


def fetch(
    db: Database,
    query: DiscrepancyQuery,
    offset: int,
    limit: int,
    order_by: str | None = None,
    descending: bool = False,
) -> list[DiscrepancyRow]:
    """One page of the matching discrepancies, sorted by ``order_by`` (see ORDER_KEYS)."""
    q = discrepancy_select().where(*_conditions(query, _rules(db, query)))
    q = _sorted(db, q, query, order_by, descending).limit(max(limit, 0)).offset(max(offset, 0))
    return rows_from(db, q)


class DiscrepancySource:
    """A ``PagedSource`` (ui.table_model) over one query; ``query`` may be replaced.

    The first page is one ``LIMIT`` query (SQLite keeps only the top rows while sorting). A
    page further down would make SQLite sort every match again to skip the rows before it, so
    the first such page reads the ordered ids of all matches once (about 0.5 s for 1M) and every
    later page reads just its own ids. ``count()`` — what a reload starts with — forgets them.
    """

    def __init__(self, db: Database, query: DiscrepancyQuery | None = None) -> None:
        self.db = db
        self.query = query or DiscrepancyQuery()
        self._ordered: tuple[tuple[DiscrepancyQuery, str | None, bool], list[int]] | None = None
        # A page read on the UI thread while a worker's ``prefetch`` reads the same ids waits
        # for it instead of reading them a second time alongside.
        self._ordering = threading.Lock()

    def count(self) -> int:
        self._ordered = None
        return count(self.db, self.query)

    def fetch(
        self, offset: int, limit: int, order_by: str | None, descending: bool
    ) -> Sequence[DiscrepancyRow]:
        if offset <= 0:
            return fetch(self.db, self.query, 0, limit, order_by, descending)
        ids = self._ordered_ids(order_by, descending)[offset : offset + max(limit, 0)]
        if not ids:
            return []
        q = discrepancy_select().where(Discrepancy.id.in_(ids))
        # The ids are one stretch of the whole order, so sorting them alone keeps it.
        return rows_from(self.db, _sorted(self.db, q, self.query, order_by, descending, ids))

    def prefetch(self, order_by: str | None, descending: bool) -> None:
        """Read the ordered ids now (a grid's worker does, right after its first page), so the
        first page further down reads just its own ids."""
        self._ordered_ids(order_by, descending)

    def prepared(self, order_by: str | None, descending: bool) -> bool:
        """Are the ordered ids of the query in this order read (pages past the first then
        read just their own rows)?"""
        ordered = self._ordered
        return ordered is not None and ordered[0] == (self.query, order_by, descending)

    def _ordered_ids(self, order_by: str | None, descending: bool) -> list[int]:
        # One query and one snapshot: a worker may read while the UI replaces ``query``.
        query, db = self.query, self.db
        key = (query, order_by, descending)
        with self._ordering:
            ordered = self._ordered
            if ordered is None or ordered[0] != key:
                ordered = (key, _ordered_ids(db, query, order_by, descending))
                self._ordered = ordered
        return ordered[1]

    def totals(self) -> Totals:
        return totals(self.db, self.query)


def days_since_due(row: DiscrepancyRow, today: dt.date | None = None) -> int | None:
    """Whole days since the payment for the row's month was due (0 before it is due): the
    one age of a discrepancy, as the Aging sheet and the Dashboard count it."""
    if row.due_date is None:
        return None
    return days_between(row.due_date, today or now().date())


def ids_matching(db: Database, query: DiscrepancyQuery) -> list[int]:
    """The ids of every matching discrepancy (for "apply to all N rows")."""
    q = _filtered_count(query, Discrepancy.id, rules=_rules(db, query))
    with db.engine.connect() as conn:
        return list(conn.execute(q).scalars())
