"""Listing discrepancies and changing their status, with a dated history of every change."""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from dataclasses import dataclass
from enum import StrEnum
from typing import Any

import polars as pl
from sqlalchemy import Select, and_, func, select
from sqlalchemy.orm import Session, aliased

from pmpm_desktop.core.clock import now
from pmpm_desktop.core.money import cents_to_money
from pmpm_desktop.core.month import Month
from pmpm_desktop.core.summary import DISCREPANCY_KINDS, STATUSES, DiscrepancyRow, Status
from pmpm_desktop.db.database import Database
from pmpm_desktop.db.frames import read_frame, scaled
from pmpm_desktop.db.models import Discrepancy, DiscrepancyEvent, Member, Payer
from pmpm_desktop.errors import NotFound, UsageError
from pmpm_desktop.services.aging import payment_due_dates
from pmpm_desktop.services.audit import (
    RECONCILE_ACTOR,
    AuditAction,
    actor_in,
    discrepancy_subject,
    record,
)
from pmpm_desktop.services.payers import get_payer, typed_member_id


class Event(StrEnum):
    """What a history entry of a discrepancy records (the stored word)."""

    CREATED = "created"
    STATUS = "status"
    AMOUNTS = "amounts"
    NOTE = "note"
    #: a person took a change back (Edit ▸ Undo): the status it restored
    UNDO = "undo"
    #: a person's status change or note that was later taken back; it stays in the history
    #: but no longer counts (not the last note, not when a dispute began)
    UNDONE = "undone"


def _last_note_events() -> Select[int, int]:
    """Per discrepancy, the id of its last person's note that still counts (not undone)."""
    return (
        select(DiscrepancyEvent.discrepancy_id, func.max(DiscrepancyEvent.id).label("event_id"))
        .where(
            DiscrepancyEvent.note.is_not(None),
            DiscrepancyEvent.actor != RECONCILE_ACTOR,
            DiscrepancyEvent.event != Event.UNDONE,
        )
        .group_by(DiscrepancyEvent.discrepancy_id)
    )


def last_notes(s: Session, ids: Sequence[int]) -> dict[int, str]:
    """The last note (the grid's "Last note") of each discrepancy of ``ids`` that has one."""
    out: dict[int, str] = {}
    wanted = sorted(set(ids))
    for i in range(0, len(wanted), 800):
        latest = (
            _last_note_events()
            .where(DiscrepancyEvent.discrepancy_id.in_(wanted[i : i + 800]))
            .subquery()
        )
        q = select(latest.c.discrepancy_id, DiscrepancyEvent.note).join(
            DiscrepancyEvent, DiscrepancyEvent.id == latest.c.event_id
        )
        out.update((d, n) for d, n in s.execute(q) if n is not None)
    return out


def discrepancy_select() -> Select[Any]:
    """The columns of a :class:`DiscrepancyRow` (name and latest person's note), unfiltered.

    Shared by :func:`discrepancy_rows` and the Reconciliation page's paged query, which add
    their own filters and order; :func:`rows_from` turns the result into rows.
    """
    last_note_id = _last_note_events().subquery()
    note_event = aliased(DiscrepancyEvent, name="note_event")
    return (
        select(
            Payer.code.label("payer_code"),
            Discrepancy.member_id.label("member_id"),
            Member.last_name.label("last_name"),
            Member.first_name.label("first_name"),
            Member.dob.label("dob"),
            Discrepancy.month.label("month"),
            Discrepancy.kind.label("kind"),
            scaled(Discrepancy.expected, 100, "expected"),
            scaled(Discrepancy.paid, 100, "paid"),
            scaled(Discrepancy.variance, 100, "variance"),
            Discrepancy.status.label("status"),
            Discrepancy.created_at.label("created_at"),
            note_event.note.label("last_note"),
            Discrepancy.payer_id.label("payer_id"),
        )
        .join(Payer, Payer.id == Discrepancy.payer_id)
        .outerjoin(
            Member,
            and_(
                Member.payer_id == Discrepancy.payer_id, Member.member_id == Discrepancy.member_id
            ),
        )
        .outerjoin(last_note_id, last_note_id.c.discrepancy_id == Discrepancy.id)
        .outerjoin(note_event, note_event.id == last_note_id.c.event_id)
    )


def rows_from(db: Database, query: Select[Any]) -> list[DiscrepancyRow]:
    """Run a :func:`discrepancy_select` query (filtered, ordered as the caller likes); each row
    carries the day its month's payment was due (services/aging.py's rule)."""
    # Read as columns and build the rows in one pass: 100k discrepancies in well under a second.
    frame = read_frame(db, query, _ROW_SCHEMA)
    months = {i: Month.from_index(i) for i in frame["month"].unique().to_list()}
    pairs = frame.select("payer_id", "month").unique().iter_rows()
    due = payment_due_dates(db, ((payer_id, months[month]) for payer_id, month in pairs))
    return [
        DiscrepancyRow(
            payer,
            member,
            last_name,
            first_name,
            dob,
            months[month],
            kind_,
            cents_to_money(exp),
            cents_to_money(paid),
            cents_to_money(var),
            status_,
            created,
            note,
            due[(payer_id, months[month])],
        )
        for (
            payer,
            member,
            last_name,
            first_name,
            dob,
            month,
            kind_,
            exp,
            paid,
            var,
            status_,
            created,
            note,
            payer_id,
        ) in frame.iter_rows()
    ]


def discrepancy_rows(
    db: Database,
    *,
    payer_code: str | None = None,
    first: Month | None = None,
    last: Month | None = None,
    kind: str | None = None,
    status: str | None = None,
) -> list[DiscrepancyRow]:
    """Stored discrepancies with the member's name and the latest note, by payer, month, ID."""
    if kind is not None and kind not in DISCREPANCY_KINDS:
        raise UsageError(f"unknown kind {kind!r} (kinds: {', '.join(DISCREPANCY_KINDS)})")
    if status is not None and status not in STATUSES:
        raise UsageError(f"unknown status {status!r} (statuses: {', '.join(STATUSES)})")
    q = discrepancy_select().order_by(Payer.code, Discrepancy.month, Discrepancy.member_id)
    with db.sessions() as s:
        if payer_code is not None:
            q = q.where(Discrepancy.payer_id == get_payer(s, payer_code).id)
    if first is not None:
        q = q.where(Discrepancy.month >= first)
    if last is not None:
        q = q.where(Discrepancy.month <= last)
    if kind is not None:
        q = q.where(Discrepancy.kind == kind)
    if status is not None:
        q = q.where(Discrepancy.status == status)
    return rows_from(db, q)


_ROW_SCHEMA: dict[str, pl.DataType | type[pl.DataType]] = {
    "payer_code": pl.Utf8,
    "member_id": pl.Utf8,
    "last_name": pl.Utf8,
    "first_name": pl.Utf8,
    "dob": pl.Date,
    "month": pl.Int32,
    "kind": pl.Utf8,
    "expected": pl.Int64,
    "paid": pl.Int64,
    "variance": pl.Int64,
    "status": pl.Utf8,
    "created_at": pl.Datetime("us"),
    "last_note": pl.Utf8,
    "payer_id": pl.Int64,
}


@dataclass(frozen=True)
class HistoryEntry:
    at: object
    event: str
    old_status: str | None
    new_status: str | None
    note: str | None
    actor: str


def check_status(status: str) -> Status:
    """``status`` as a Status; an unknown word is refused in words."""
    if status not in STATUSES:
        raise UsageError(f"unknown status {status!r} (statuses: {', '.join(STATUSES)})")
    return Status(status)


def record_change(
    s: Session, d: Discrepancy, status: str, note: str | None, at: dt.datetime
) -> DiscrepancyEvent | None:
    """A person's status change (or note) on ``d``, with its history event and audit entry;
    the event, or None if neither changed."""
    if d.status != status:
        detail = f"{d.status} → {status}" + (", with a note" if note else "")
        _audit(s, d, AuditAction.STATUS, detail, at)
        event = _add_event(s, d, Event.STATUS, status, note, at)
        d.status = status
        d.auto_resolved = False
        d.updated_at = at
        return event
    if note:
        return add_note(s, d, note, at)
    return None


def add_note(
    s: Session, d: Discrepancy, note: str, at: dt.datetime, *, audited: bool = True
) -> DiscrepancyEvent:
    """A person's note in ``d``'s history; its status stays as it is. ``audited=False`` for a
    note written on behalf of an action with an audit entry of its own (an alias link)."""
    if audited:
        _audit(s, d, AuditAction.NOTE, "note added", at)
    return _add_event(s, d, Event.NOTE, d.status, note, at)


def _audit(s: Session, d: Discrepancy, action: AuditAction, detail: str, at: dt.datetime) -> None:
    """The audit entry of a person's change to ``d`` (its ID and month; the note's text stays in
    the discrepancy's history, as a note may name the member)."""
    # Asked once per payer and session: a bulk change of thousands stays one query per payer,
    # and without an autoflush before each.
    codes: dict[int, str | None] = s.info.setdefault("audit_payer_codes", {})
    if d.payer_id not in codes:
        with s.no_autoflush:
            codes[d.payer_id] = s.scalar(select(Payer.code).where(Payer.id == d.payer_id))
    record(s, action, codes[d.payer_id], discrepancy_subject(d.id, d.month), detail, at)


def _add_event(
    s: Session, d: Discrepancy, event: Event, new_status: str, note: str | None, at: dt.datetime
) -> DiscrepancyEvent:
    """A person's entry in ``d``'s history (before ``d.status`` changes to ``new_status``)."""
    entry = DiscrepancyEvent(
        discrepancy=d,
        at=at,
        event=event,
        old_status=d.status,
        new_status=new_status,
        note=note,
        actor=actor_in(s)[:40],  # the column's width; the audit entry keeps it whole
    )
    s.add(entry)
    return entry


def restore_change(
    s: Session,
    d: Discrepancy,
    status: str,
    auto_resolved: bool,
    undone: Sequence[int],
    at: dt.datetime,
) -> None:
    """Take a person's change back (Edit ▸ Undo): ``d`` gets ``status`` and ``auto_resolved``
    again, the change's events (``undone``) stop counting (so its note is no longer the last),
    and the history records the undo as an event of its own, audited as a status change."""
    for event in d.events:
        if event.id in undone:
            event.event = Event.UNDONE
    detail = f"{d.status} → {status} (undo)"
    _audit(s, d, AuditAction.STATUS, detail, at)
    _add_event(s, d, Event.UNDO, status, None, at)
    d.status = status
    d.auto_resolved = auto_resolved
    d.updated_at = at


def set_status(
    db: Database,
    payer_code: str,
    member_id: str,
    month: Month,
    status: str,
    note: str | None = None,
) -> DiscrepancyRow:
    """Change a discrepancy's status (and add a note), recording both in its history."""
    check_status(status)
    with db.sessions.begin() as s:
        payer = get_payer(s, payer_code)
        d = _find(s, payer, member_id, month)
        if d is None:
            shown = typed_member_id(payer, member_id)
            raise NotFound(f"no discrepancy for member {shown} in {month} at {payer.code}")
        record_change(s, d, status, note, now())
        member_id = d.member_id
    rows = discrepancy_rows(db, payer_code=payer_code, first=month, last=month)
    return next(r for r in rows if r.member_id == member_id)


def _find(s: Session, payer: Payer, member_id: str, month: Month) -> Discrepancy | None:
    """The payer's discrepancy of the member-month: under the ID exactly as given (as the
    screens pass it), else as the payer's files would write it (width, ID rule)."""
    found = {
        d.member_id: d
        for d in s.scalars(
            select(Discrepancy).where(
                Discrepancy.payer_id == payer.id,
                Discrepancy.member_id.in_(
                    {member_id.strip().upper(), typed_member_id(payer, member_id)}
                ),
                Discrepancy.month == month,
            )
        )
    }
    return found.get(member_id.strip().upper()) or next(iter(found.values()), None)


def history(db: Database, payer_code: str, member_id: str, month: Month) -> list[HistoryEntry]:
    with db.sessions() as s:
        payer = get_payer(s, payer_code)
        d = _find(s, payer, member_id, month)
        events = (
            s.scalars(
                select(DiscrepancyEvent)
                .where(DiscrepancyEvent.discrepancy_id == d.id)
                .order_by(DiscrepancyEvent.id)
            ).all()
            if d is not None
            else []
        )
        return [
            HistoryEntry(e.at, e.event, e.old_status, e.new_status, e.note, e.actor) for e in events
        ]
