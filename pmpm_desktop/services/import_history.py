"""The imports of rosters and statements as history: listing them, reading their rows a page at
a time, and rolling one back.

Rolling back deletes the import and its rows in one transaction (a roster month's earlier
import counts again) and marks stale the discrepancies of the months either spoke about, then
reconciles the payer again so the stored discrepancies follow, as a fresh reconciliation
without the file would find them: the ones the removed file caused are deleted (closed with a
note when a person worked on them), the others refreshed, and new ones appear (a statement's
months that are now unpaid). The reconciliation is a second transaction because it reads
through its own connections, which on SQLite cannot see a write still in progress.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from sqlalchemy import BigInteger, Select, Table, cast, delete, func, or_, select, update
from sqlalchemy.engine import Connection

from pmpm_desktop.core.money import cents_to_money
from pmpm_desktop.core.month import Month
from pmpm_desktop.core.summary import OPEN_STATUSES, ReconcileSummary
from pmpm_desktop.db.database import Database
from pmpm_desktop.db.models import (
    AuditEntry,
    Discrepancy,
    DiscrepancyEvent,
    Member,
    MemberAlias,
    Payer,
    PayerPayment,
    RemittanceImport,
    RemittanceLine,
    RosterImport,
    RosterRow,
)
from pmpm_desktop.errors import NotFound, PmpmError, UsageError
from pmpm_desktop.io.options import FileKind
from pmpm_desktop.progress import Progress, report, scaled, tell
from pmpm_desktop.services.audit import AuditAction, import_subject, record
from pmpm_desktop.services.payers import get_payer
from pmpm_desktop.services.reconciling import reconcile
from pmpm_desktop.services.stale_discrepancies import mark_roster_stale, mark_statement_stale

#: what a cancelled rollback keeps: everything (it asks only before its commit)
CANCELLED = "rollback cancelled: nothing was changed"

ROSTER = FileKind.ROSTER
REMITTANCE = FileKind.STATEMENT
_KINDS = {"roster": ROSTER, "remittance": REMITTANCE, "statement": REMITTANCE}
#: the longest range services.reconciling.reconcile takes (it refuses more than 240 months)
_MAX_SPAN = 240


def _kind(kind: str) -> str:
    found = _KINDS.get(kind.strip().lower()) if isinstance(kind, str) else None
    if found is None:
        raise UsageError(f"unknown kind of import {kind!r} (kinds: roster, remittance)")
    return found


def _what(kind: str) -> str:
    return "roster" if kind == ROSTER else "statement"


# --- listing ---------------------------------------------------------------------------------


@dataclass(frozen=True)
class ImportInfo:
    """One roster or statement import, as the history lists it."""

    id: int
    kind: str
    payer_code: str
    payer_name: str
    file_name: str
    rows: int
    imported_at: dt.datetime
    sha256: str
    # rosters
    roster_month: Month | None = None
    #: False once a later import of the same roster month replaced it
    active: bool = True
    replaced_by_id: int | None = None
    replaced_by_file: str | None = None
    # statements
    payment_date: dt.date | None = None
    reference: str | None = None
    stated_total: Decimal | None = None
    #: the sum of the statement's lines
    total_paid: Decimal | None = None
    #: the coverage months its lines pay (first, last)
    first_month: Month | None = None
    last_month: Month | None = None

    @property
    def total_difference(self) -> Decimal | None:
        """Stated total − sum of the lines; None when the statement states no total."""
        if self.stated_total is None or self.total_paid is None:
            return None
        return self.stated_total - self.total_paid

    @property
    def months_text(self) -> str:
        """The coverage months of a statement: ``2026-02`` or ``2026-01 – 2026-03``."""
        if self.first_month is None or self.last_month is None:
            return ""
        if self.first_month == self.last_month:
            return str(self.first_month)
        return f"{self.first_month} – {self.last_month}"


def list_imports(db: Database, kind: str, payer_code: str | None = None) -> list[ImportInfo]:
    """The imports of one kind (``roster`` or ``remittance``), newest first."""
    kind = _kind(kind)
    with db.sessions() as s:
        payer_id = get_payer(s, payer_code).id if payer_code else None
        if kind == ROSTER:
            return _list_rosters(s, payer_id)
        return _list_statements(s, payer_id)


def _listed(
    s: Any, kind: str, table: Any, payer_id: int | None, *extra: Any, join: Any = None
) -> list[tuple[dict[str, Any], Any]]:
    """The imports in ``table``, newest first: what every import shows (as ImportInfo's
    arguments) and the row, whose ``extra`` columns follow from index 7."""
    q = (
        select(
            table.id,
            Payer.code,
            Payer.name,
            table.file_name,
            table.row_count,
            table.imported_at,
            table.sha256,
            *extra,
        )
        .join(Payer, Payer.id == table.payer_id)
        .order_by(table.imported_at.desc(), table.id.desc())
    )
    if join is not None:
        q = q.outerjoin(*join)
    if payer_id is not None:
        q = q.where(table.payer_id == payer_id)
    names = ("id", "payer_code", "payer_name", "file_name", "rows", "imported_at", "sha256")
    return [({"kind": kind, **dict(zip(names, r[:7], strict=True))}, r) for r in s.execute(q)]


def _list_rosters(s: Any, payer_id: int | None) -> list[ImportInfo]:
    later = RosterImport.__table__.alias("later")
    listed = _listed(
        s,
        ROSTER,
        RosterImport,
        payer_id,
        RosterImport.roster_month,
        RosterImport.active,
        RosterImport.replaced_by_id,
        later.c.file_name,
        join=(later, later.c.id == RosterImport.replaced_by_id),
    )
    return [
        ImportInfo(
            **common,
            roster_month=r[7],
            active=bool(r[8]),
            replaced_by_id=r[9],
            replaced_by_file=r[10],
        )
        for common, r in listed
    ]


def _list_statements(s: Any, payer_id: int | None) -> list[ImportInfo]:
    # Sums as integer cents: SQLite keeps Numeric as REAL, and a sum of floats is not exact.
    cents = cast(func.round(RemittanceLine.amount * 100), BigInteger)
    totals = (
        select(
            RemittanceLine.import_id.label("import_id"),
            func.sum(cents).label("cents"),
            func.min(RemittanceLine.coverage_month).label("first"),
            func.max(RemittanceLine.coverage_month).label("last"),
        )
        .group_by(RemittanceLine.import_id)
        .subquery()
    )
    listed = _listed(
        s,
        REMITTANCE,
        RemittanceImport,
        payer_id,
        RemittanceImport.payment_date,
        RemittanceImport.reference,
        RemittanceImport.stated_total,
        totals.c.cents,
        totals.c.first,
        totals.c.last,
        join=(totals, totals.c.import_id == RemittanceImport.id),
    )
    return [
        ImportInfo(
            **common,
            payment_date=r[7],
            reference=r[8],
            stated_total=r[9],
            total_paid=cents_to_money(int(r[10] or 0)),
            first_month=Month.parse(str(r[11])) if r[11] else None,
            last_month=Month.parse(str(r[12])) if r[12] else None,
        )
        for common, r in listed
    ]


def get_import(db: Database, kind: str, import_id: int) -> ImportInfo:
    """One import as :func:`list_imports` shows it; NotFound when there is none."""
    kind = _kind(kind)
    table = RosterImport if kind == ROSTER else RemittanceImport
    with db.sessions() as s:
        payer_id = s.scalar(select(table.payer_id).where(table.id == import_id))
        if payer_id is None:
            raise NotFound(f"there is no {_what(kind)} import {import_id} (it may be rolled back)")
        rows = _list_rosters(s, payer_id) if kind == ROSTER else _list_statements(s, payer_id)
    return next(r for r in rows if r.id == import_id)


def latest_roster_month(db: Database, payer_code: str) -> Month | None:
    """The payer's latest active roster month (None before its first roster; one indexed MAX,
    cheap enough to ask while the user picks a payer)."""
    with db.sessions() as s:
        value = s.scalar(
            select(func.max(RosterImport.roster_month))
            .join(Payer, Payer.id == RosterImport.payer_id)
            .where(Payer.code == payer_code, RosterImport.active.is_(True))
        )
    return value if isinstance(value, Month) else None


def roster_stored(db: Database, payer_code: str, month: Month) -> bool:
    """Whether the payer has an active roster for ``month`` (which a new import replaces)."""
    with db.sessions() as s:
        found = s.scalar(
            select(RosterImport.id)
            .join(Payer, Payer.id == RosterImport.payer_id)
            .where(
                Payer.code == payer_code,
                RosterImport.roster_month == month,
                RosterImport.active.is_(True),
            )
            .limit(1)
        )
    return found is not None


# --- an import's rows, a page at a time ----------------------------------------------------------


@dataclass(frozen=True)
class RosterRowInfo:
    member_id: str
    last_name: str | None
    first_name: str | None
    dob: dt.date | None
    sex: str | None
    product: str | None
    rate_cell: str | None
    pcp: str | None
    effective_date: dt.date | None
    term_date: dt.date | None
    risk_score: Decimal | None
    source_row: int

    @property
    def name(self) -> str:
        return ", ".join(p for p in (self.last_name, self.first_name) if p)


@dataclass(frozen=True)
class LineInfo:
    member_id: str
    #: the name as the statement wrote it
    member_name: str | None
    coverage_month: Month
    amount: Decimal
    line_type: str | None
    source_row: int


class ImportRows:
    """The rows of one import as a ``PagedSource``: counted, sorted and paged in SQL.

    ``search`` (set it, then reload the model) keeps the rows whose member ID or name contains
    the text."""

    #: sort names → columns, per kind
    ROSTER_KEYS: dict[str, Sequence[Any]] = {
        "member_id": (Member.member_id,),
        "name": (RosterRow.last_name, RosterRow.first_name),
        "dob": (RosterRow.dob,),
        "sex": (RosterRow.sex,),
        "product": (RosterRow.product,),
        "rate_cell": (RosterRow.rate_cell,),
        "pcp": (RosterRow.pcp,),
        "effective": (RosterRow.effective_date,),
        "term": (RosterRow.term_date,),
        "risk_score": (RosterRow.risk_score,),
        "source_row": (RosterRow.source_row,),
    }
    LINE_KEYS: dict[str, Sequence[Any]] = {
        "member_id": (RemittanceLine.member_id,),
        "name": (RemittanceLine.member_name,),
        "coverage_month": (RemittanceLine.coverage_month,),
        "amount": (RemittanceLine.amount,),
        "line_type": (RemittanceLine.line_type,),
        "source_row": (RemittanceLine.source_row,),
    }

    def __init__(self, db: Database, import_id: int, kind: str, search: str = "") -> None:
        self.db = db
        self.import_id = import_id
        self.kind = _kind(kind)
        self.search = search

    @property
    def sort_keys(self) -> tuple[str, ...]:
        return tuple(self.ROSTER_KEYS if self.kind == ROSTER else self.LINE_KEYS)

    def _filtered(self, q: Select[Any]) -> Select[Any]:
        text = self.search.strip()
        if not text:
            return q
        like = f"%{text.replace('%', '').replace('_', '')}%"
        if self.kind == ROSTER:
            return q.where(
                or_(
                    Member.member_id.ilike(like),
                    RosterRow.last_name.ilike(like),
                    RosterRow.first_name.ilike(like),
                )
            )
        return q.where(
            or_(RemittanceLine.member_id.ilike(like), RemittanceLine.member_name.ilike(like))
        )

    def _base(self, *columns: Any) -> Select[Any]:
        if self.kind == ROSTER:
            q = (
                select(*columns)
                .select_from(RosterRow)
                .join(Member, Member.id == RosterRow.member_pk)
                .where(RosterRow.import_id == self.import_id)
            )
        else:
            q = select(*columns).where(RemittanceLine.import_id == self.import_id)
        return self._filtered(q)

    def count(self) -> int:
        key = RosterRow.id if self.kind == ROSTER else RemittanceLine.id
        with self.db.sessions() as s:
            return int(s.scalar(self._base(func.count(key))) or 0)

    def fetch(
        self, offset: int, limit: int, order_by: str | None, descending: bool
    ) -> list[RosterRowInfo] | list[LineInfo]:
        keys = self.ROSTER_KEYS if self.kind == ROSTER else self.LINE_KEYS
        if order_by is not None and order_by not in keys:
            raise UsageError(f"cannot sort by {order_by!r} (sort by: {', '.join(keys)})")
        sort_columns = keys[order_by or "source_row"]
        # Blanks last either way (as RowsModel sorts), then the file's order breaks ties.
        order: list[Any] = []
        for c in sort_columns:
            order += [c.is_(None), c.desc() if descending else c.asc()]
        tie = RosterRow.id if self.kind == ROSTER else RemittanceLine.id
        order.append(tie)
        if self.kind == ROSTER:
            q = self._base(
                Member.member_id,
                RosterRow.last_name,
                RosterRow.first_name,
                RosterRow.dob,
                RosterRow.sex,
                RosterRow.product,
                RosterRow.rate_cell,
                RosterRow.pcp,
                RosterRow.effective_date,
                RosterRow.term_date,
                RosterRow.risk_score,
                RosterRow.source_row,
            )
        else:
            q = self._base(
                RemittanceLine.member_id,
                RemittanceLine.member_name,
                RemittanceLine.coverage_month,
                RemittanceLine.amount,
                RemittanceLine.line_type,
                RemittanceLine.source_row,
            )
        q = q.order_by(*order).offset(max(0, offset)).limit(max(0, limit))
        with self.db.sessions() as s:
            rows = s.execute(q).all()
        if self.kind == ROSTER:
            return [RosterRowInfo(*r) for r in rows]
        return [LineInfo(*r) for r in rows]


def import_rows(db: Database, import_id: int, kind: str) -> ImportRows:
    """The rows of one import (roster rows or statement lines), as a paged source."""
    return ImportRows(db, import_id, kind)


# --- rolling back ----------------------------------------------------------------------------


@dataclass(frozen=True)
class RollbackResult:
    kind: str
    import_id: int
    payer_code: str
    file_name: str
    roster_month: Month | None
    #: roster rows or statement lines deleted
    rows_removed: int
    #: members that were on no other roster of the payer and were removed with it
    members_removed: int
    #: members on no roster any more, kept because an alias or a person's work refers to them
    members_kept: int
    #: the earlier import of the same roster month that counts again
    reactivated_id: int | None
    reactivated_file: str | None
    #: the months reconciled again (None when the payer had nothing to reconcile)
    first: Month | None
    last: Month | None
    summary: ReconcileSummary | None

    def describe(self) -> str:
        """One sentence for the status bar."""
        if self.roster_month is not None:
            what, rows = f"the {self.roster_month} roster", "rows"
        else:
            what, rows = "the statement", "lines"
        text = f"Rolled back {what} {self.file_name} ({self.rows_removed:,} {rows})"
        if self.reactivated_file:
            text += f"; {self.reactivated_file} counts again"
        if self.members_removed:
            text += f"; {self.members_removed:,} member(s) on no other roster removed"
        if self.first is not None and self.last is not None:
            span = str(self.first) if self.first == self.last else f"{self.first} – {self.last}"
            text += f"; {self.payer_code} reconciled again for {span}"
        return text + "."


def rollback_import(
    db: Database, kind: str, import_id: int, progress: Progress | None = None
) -> RollbackResult:
    """Delete an import and its rows in one transaction, then reconcile the payer again.

    A roster import that had replaced an earlier import of its month makes that one active
    again; a replaced (inactive) import may be rolled back too and just leaves the history.
    Members on no roster of the payer any more are removed unless an alias or a discrepancy a
    person worked on refers to them. Cancelling is possible until the delete is committed; the
    reconciliation that follows always runs to its end, so discrepancies never lag the files.
    """
    kind = _kind(kind)
    report(progress, 0, 4, cancelled=CANCELLED)
    with db.engine.begin() as conn:
        if kind == ROSTER:
            removed = _delete_roster(conn, import_id)
        else:
            removed = _delete_statement(conn, import_id)
        _audit_rollback(conn, kind, import_id, removed)
        # The last moment to change one's mind: leaving the block by an exception rolls back.
        report(progress, 1, 4, cancelled=CANCELLED)
    first, last = removed.range
    summary = None
    if first is not None and last is not None:
        phase = scaled(progress, 1, 3, 4)

        def reconcile_progress(done: int, total: int) -> bool:
            tell(phase, done, total)
            return True  # the files already changed: the discrepancies must follow

        try:
            summary = reconcile(db, removed.payer_code, first, last, reconcile_progress)
        except Exception as exc:  # the delete is committed: say so, whatever went wrong
            raise PmpmError(
                f"{removed.file_name} was rolled back, but reconciling {removed.payer_code} "
                f"again failed: {exc}. Reconcile {first} – {last} again."
            ) from exc
    tell(progress, 4, 4)
    return RollbackResult(
        kind=kind,
        import_id=import_id,
        payer_code=removed.payer_code,
        file_name=removed.file_name,
        roster_month=removed.roster_month,
        rows_removed=removed.rows,
        members_removed=removed.members_removed,
        members_kept=removed.members_kept,
        reactivated_id=removed.reactivated_id,
        reactivated_file=removed.reactivated_file,
        first=first,
        last=last,
        summary=summary,
    )


@dataclass(frozen=True)
class _Removed:
    payer_code: str
    file_name: str
    roster_month: Month | None
    rows: int
    range: tuple[Month | None, Month | None]
    members_removed: int = 0
    members_kept: int = 0
    reactivated_id: int | None = None
    reactivated_file: str | None = None


def _audit_rollback(conn: Connection, kind: str, import_id: int, removed: _Removed) -> None:
    """The rollback's audit entry, in its transaction; the import's own entry stays."""
    if kind == ROSTER:
        detail = f"{removed.rows:,} rows of roster month {removed.roster_month}"
    else:
        detail = f"{removed.rows:,} lines"
    detail = f"{removed.file_name}: {detail} removed"
    if removed.reactivated_id is not None:
        detail += f"; roster import {removed.reactivated_id} counts again"
    if removed.members_removed:
        detail += f"; {removed.members_removed:,} member(s) on no other roster removed"
    subject = import_subject("roster" if kind == ROSTER else "statement", import_id)
    record(conn, AuditAction.ROLLBACK, removed.payer_code, subject, detail)


def _payer_code(conn: Connection, payer_id: int) -> str:
    return str(conn.execute(select(Payer.code).where(Payer.id == payer_id)).scalar_one())


def _known_months(conn: Connection, payer_id: int) -> tuple[Month | None, Month | None]:
    """The months the payer is tracked over: its stored discrepancies and its roster months."""
    found: list[Month] = []
    for column, where in (
        (Discrepancy.month, Discrepancy.payer_id == payer_id),
        (RosterImport.roster_month, RosterImport.payer_id == payer_id),
    ):
        lo, hi = conn.execute(select(func.min(column), func.max(column)).where(where)).one()
        found += [Month.parse(str(m)) for m in (lo, hi) if m is not None]
    if not found:
        return None, None
    return min(found), max(found)


def _span(
    known: tuple[Month | None, Month | None], affected: tuple[Month | None, Month | None]
) -> tuple[Month | None, Month | None]:
    """The months to reconcile again: what the payer is tracked over and what the file touched,
    at most the 240 months reconcile takes (the latest ones)."""
    months = [m for m in (*known, *affected) if m is not None]
    if not months:
        return None, None
    first, last = min(months), max(months)
    if first.months_until(last) > _MAX_SPAN:
        first = last - _MAX_SPAN
    return first, last


def _delete_statement(conn: Connection, import_id: int) -> _Removed:
    imp = conn.execute(
        select(RemittanceImport.payer_id, RemittanceImport.file_name).where(
            RemittanceImport.id == import_id
        )
    ).first()
    if imp is None:
        raise NotFound(f"there is no statement import {import_id} (it may be rolled back already)")
    payer_id, file_name = imp
    lo, hi = conn.execute(
        select(
            func.min(RemittanceLine.coverage_month), func.max(RemittanceLine.coverage_month)
        ).where(RemittanceLine.import_id == import_id)
    ).one()
    affected = tuple(Month.parse(str(m)) if m is not None else None for m in (lo, hi))
    span = _span(_known_months(conn, payer_id), affected)  # type: ignore[arg-type]
    mark_statement_stale(conn, payer_id, import_id)
    rows = conn.execute(delete(RemittanceLine).where(RemittanceLine.import_id == import_id))
    # Explicit, as PostgreSQL and SQLite differ in when they cascade.
    conn.execute(delete(PayerPayment).where(PayerPayment.import_id == import_id))
    conn.execute(delete(RemittanceImport).where(RemittanceImport.id == import_id))
    return _Removed(_payer_code(conn, payer_id), file_name, None, rows.rowcount or 0, span)


def _delete_roster(conn: Connection, import_id: int) -> _Removed:
    imp = conn.execute(
        select(
            RosterImport.payer_id,
            RosterImport.file_name,
            RosterImport.roster_month,
            RosterImport.active,
            RosterImport.replaced_by_id,
        ).where(RosterImport.id == import_id)
    ).first()
    if imp is None:
        raise NotFound(f"there is no roster import {import_id} (it may be rolled back already)")
    payer_id, file_name, month, active, replaced_by = imp
    known = _known_months(conn, payer_id)
    # The earlier import this one replaced takes its place: active again if this one was, else
    # replaced by whatever replaced this one.
    earlier = conn.execute(
        select(RosterImport.id, RosterImport.file_name).where(
            RosterImport.replaced_by_id == import_id
        )
    ).first()
    if active:
        # (A replaced import stopped counting, and was marked, when it was replaced.)
        counting = [import_id] if earlier is None else [import_id, earlier[0]]
        mark_roster_stale(conn, payer_id, counting, month)
    conn.execute(
        update(RosterImport)
        .where(RosterImport.replaced_by_id == import_id)
        .values(active=bool(active), replaced_by_id=None if active else replaced_by)
    )
    member_pks = [
        r[0]
        for r in conn.execute(
            select(RosterRow.member_pk).where(RosterRow.import_id == import_id).distinct()
        )
    ]
    rows = conn.execute(delete(RosterRow).where(RosterRow.import_id == import_id))
    conn.execute(delete(RosterImport).where(RosterImport.id == import_id))
    removed, kept = _remove_orphans(conn, payer_id, member_pks)
    _refresh_member_fields(conn, payer_id, member_pks)
    # A roster month speaks about itself and, through retro dates, earlier months: those the
    # payer is tracked over are reconciled again (the month itself always).
    return _Removed(
        _payer_code(conn, payer_id),
        file_name,
        month,
        rows.rowcount or 0,
        _span(known, (month, month)),
        members_removed=removed,
        members_kept=kept,
        reactivated_id=earlier[0] if earlier is not None and active else None,
        reactivated_file=earlier[1] if earlier is not None and active else None,
    )


def _chunks(values: list[int], size: int = 500) -> list[list[int]]:
    return [values[i : i + size] for i in range(0, len(values), size)]


def _remove_orphans(conn: Connection, payer_id: int, member_pks: list[int]) -> tuple[int, int]:
    """Delete the members of ``member_pks`` listed on no roster of the payer any more, unless
    something else refers to them: an alias the user linked to them, or a discrepancy under
    their ID that a person changed or noted (its history would lose the member's name).
    Discrepancies only the reconciliation wrote are keyed by the ID text and stay valid: the
    next reconciliation closes them, or counts the ID's lines as an unknown member's, as before
    the roster was imported. Returns (removed, kept)."""
    orphans: list[tuple[int, str]] = []
    for chunk in _chunks(member_pks):
        listed = select(RosterRow.id).where(RosterRow.member_pk == Member.id).exists()
        orphans += [
            (r[0], r[1])
            for r in conn.execute(
                select(Member.id, Member.member_id).where(Member.id.in_(chunk), ~listed)
            )
        ]
    if not orphans:
        return 0, 0
    keep: set[int] = set()
    by_id = {member_id: pk for pk, member_id in orphans}
    for chunk in _chunks([pk for pk, _ in orphans]):
        keep |= {
            r[0]
            for r in conn.execute(
                select(MemberAlias.member_pk).where(MemberAlias.member_pk.in_(chunk)).distinct()
            )
        }
    ids = list(by_id)
    for i in range(0, len(ids), 500):
        worked = conn.execute(
            select(Discrepancy.member_id)
            .join(DiscrepancyEvent, DiscrepancyEvent.discrepancy_id == Discrepancy.id)
            .where(
                Discrepancy.payer_id == payer_id,
                Discrepancy.member_id.in_(ids[i : i + 500]),
                DiscrepancyEvent.actor != "reconcile",
            )
            .distinct()
        )
        keep |= {by_id[r[0]] for r in worked}
    gone = [pk for pk, _ in orphans if pk not in keep]
    for chunk in _chunks(gone):
        conn.execute(delete(Member).where(Member.id.in_(chunk)))
    return len(gone), len(keep)


def _refresh_member_fields(conn: Connection, payer_id: int, member_pks: list[int]) -> None:
    """Names, DOB and sex follow the payer's newest roster month (as the import does): for the
    members of the removed import, copy them again from the newest active import listing them."""
    rank = (
        func.rank()
        .over(
            partition_by=RosterRow.member_pk,
            order_by=(RosterImport.roster_month.desc(), RosterImport.id.desc()),
        )
        .label("rk")
    )
    fields = ("last_name", "first_name", "dob", "sex")
    members: Table = Member.__table__  # type: ignore[assignment]
    for chunk in _chunks(member_pks):
        ranked = (
            select(
                RosterRow.member_pk.label("member_pk"),
                *(getattr(RosterRow, f).label(f) for f in fields),
                rank,
            )
            .join(RosterImport, RosterImport.id == RosterRow.import_id)
            .where(
                RosterImport.payer_id == payer_id,
                RosterImport.active.is_(True),
                RosterRow.member_pk.in_(chunk),
            )
            .subquery()
        )
        newest = (
            select(ranked.c.member_pk, *(func.min(ranked.c[f]).label(f) for f in fields))
            .where(ranked.c.rk == 1)
            .group_by(ranked.c.member_pk)
            .subquery()
        )
        conn.execute(
            update(members)
            .where(members.c.id == newest.c.member_pk)
            .where(or_(*(members.c[f].is_distinct_from(newest.c[f]) for f in fields)))
            .values({f: newest.c[f] for f in fields})
        )


# --- the command line's view: one import's details, and which payers have files -------------


@dataclass(frozen=True)
class ImportDetails:
    """What ``pmpm imports show`` tells beyond the listing: who imported it and what it did."""

    info: ImportInfo
    #: the OS or database user the audit trail names (None when the trail has no entry)
    imported_by: str | None
    #: rosters: the earlier import of the month it replaced (it counts again on a rollback)
    replaced_id: int | None
    replaced_file: str | None
    #: rosters: members whose first roster of the payer this file was
    new_members: int
    #: statements: payments without members (an 835's PLB) it carried, signed as paid
    payer_level_total: Decimal | None
    #: the payer's discrepancies in the months the import speaks about (its roster month, or
    #: the months its lines pay): still worked (open or disputed), and all of them
    open_discrepancies: int
    discrepancies: int


def import_details(db: Database, kind: str, import_id: int) -> ImportDetails:
    """One import with what it changed; NotFound when there is none."""
    info = get_import(db, kind, import_id)
    with db.sessions() as s:
        payer_id = s.scalar(select(Payer.id).where(Payer.code == info.payer_code))
        word = "roster" if info.kind == ROSTER else "statement"
        imported_by = s.scalar(
            select(AuditEntry.actor)
            .where(AuditEntry.subject == import_subject(word, import_id))
            .where(AuditEntry.action != AuditAction.ROLLBACK.value)
            .order_by(AuditEntry.id.desc())
            .limit(1)
        )
        replaced = None
        if info.kind == ROSTER:
            replaced = s.execute(
                select(RosterImport.id, RosterImport.file_name).where(
                    RosterImport.replaced_by_id == import_id
                )
            ).first()
            first, last = info.roster_month, info.roster_month
        else:
            first, last = info.first_month, info.last_month
        opened, total = _discrepancy_counts(s, payer_id, first, last)
        return ImportDetails(
            info=info,
            imported_by=imported_by,
            replaced_id=replaced[0] if replaced else None,
            replaced_file=replaced[1] if replaced else None,
            new_members=_first_seen(s, import_id) if info.kind == ROSTER else 0,
            payer_level_total=None if info.kind == ROSTER else _payer_level(s, import_id),
            open_discrepancies=opened,
            discrepancies=total,
        )


def _first_seen(s: Any, import_id: int) -> int:
    """Members of the roster import listed on no earlier roster import of the payer."""
    earlier = RosterRow.__table__.alias("earlier")
    before = (
        select(earlier.c.id)
        .where(earlier.c.member_pk == RosterRow.member_pk, earlier.c.import_id < import_id)
        .exists()
    )
    q = select(func.count(func.distinct(RosterRow.member_pk))).where(
        RosterRow.import_id == import_id, ~before
    )
    return int(s.scalar(q) or 0)


def _payer_level(s: Any, import_id: int) -> Decimal | None:
    cents = cast(func.round(PayerPayment.amount * 100), BigInteger)
    total, count = s.execute(
        select(func.sum(cents), func.count(PayerPayment.id)).where(
            PayerPayment.import_id == import_id
        )
    ).one()
    return cents_to_money(int(total or 0)) if count else None


def _discrepancy_counts(
    s: Any, payer_id: int | None, first: Month | None, last: Month | None
) -> tuple[int, int]:
    if payer_id is None or first is None or last is None:
        return 0, 0
    worked = Discrepancy.status.in_([str(x) for x in OPEN_STATUSES])
    opened, total = s.execute(
        select(func.count(Discrepancy.id).filter(worked), func.count(Discrepancy.id)).where(
            Discrepancy.payer_id == payer_id,
            Discrepancy.month >= first,
            Discrepancy.month <= last,
        )
    ).one()
    return int(opened or 0), int(total or 0)


__all__ = [
    "ImportDetails",
    "ImportInfo",
    "ImportRows",
    "LineInfo",
    "RollbackResult",
    "RosterRowInfo",
    "get_import",
    "import_details",
    "import_rows",
    "list_imports",
    "rollback_import",
]
