"""A person's status changes and notes on discrepancies, many at once, and taking them back.

Every change is ONE transaction with one history event (and audit entry) per discrepancy it
changed, and returns what it replaced: per discrepancy its status, note and whether the
reconciliation had closed it, with the events the change wrote. :func:`restore` puts exactly
that back (Edit ▸ Undo): the status again, the change's events marked undone (so the note
before it is the last note again), and the undo recorded as an event of its own.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from sqlalchemy import select, tuple_
from sqlalchemy.orm import Session, selectinload

from pmpm_desktop.core.clock import now
from pmpm_desktop.core.month import Month
from pmpm_desktop.core.summary import Status
from pmpm_desktop.db.database import Database
from pmpm_desktop.db.models import Discrepancy, DiscrepancyEvent, Payer
from pmpm_desktop.errors import UsageError
from pmpm_desktop.services.discrepancies import (
    check_status,
    last_notes,
    record_change,
    restore_change,
)
from pmpm_desktop.services.discrepancy_query import DiscrepancyQuery, Key, ids_matching

# How many keys go into one ``IN (…)``: SQLite allows 32k parameters, and tuples take 2 each.
_CHUNK = 400


@dataclass(frozen=True)
class Before:
    """One discrepancy as a change found it."""

    discrepancy_id: int
    status: Status
    #: the last note shown for it (the grid's "Last note")
    note: str | None
    #: closed by the reconciliation (so a new difference reopens it), not by a person
    auto_resolved: bool
    #: the history events the change wrote (taken back with it)
    events: tuple[int, ...]


@dataclass(frozen=True)
class StatusChange:
    """What a status change (or note) did: the status and note it gave, and what it replaced
    for every discrepancy it changed (one already at the status without a note is not)."""

    status: Status
    note: str | None
    before: tuple[Before, ...]

    @property
    def count(self) -> int:
        return len(self.before)

    @property
    def ids(self) -> tuple[int, ...]:
        return tuple(b.discrepancy_id for b in self.before)


def set_status_many(
    db: Database, keys: Sequence[Key], status: str, note: str | None = None
) -> StatusChange:
    """Give every discrepancy of ``keys`` ``status`` (and ``note``). Unknown keys are refused
    before anything is written."""
    wanted: dict[str, set[tuple[str, Month]]] = {}
    for code, member_id, month in keys:
        wanted.setdefault(code.strip().upper(), set()).add((member_id.strip().upper(), month))
    with db.sessions.begin() as s:
        payer_ids = dict(
            s.execute(select(Payer.code, Payer.id).where(Payer.code.in_(list(wanted)))).all()
        )
        found: list[Discrepancy] = []
        for code, pairs in wanted.items():
            if code not in payer_ids:
                raise UsageError(f"no payer {code}")
            ordered = sorted(pairs, key=lambda p: (p[1].index, p[0]))
            mine = [
                d
                for i in range(0, len(ordered), _CHUNK)
                for d in s.scalars(
                    select(Discrepancy).where(
                        Discrepancy.payer_id == payer_ids[code],
                        tuple_(Discrepancy.member_id, Discrepancy.month).in_(
                            ordered[i : i + _CHUNK]
                        ),
                    )
                )
            ]
            if len(mine) != len(ordered):
                raise UsageError(
                    f"{len(ordered) - len(mine)} of the chosen {code} discrepancies no longer "
                    "exist; nothing was changed (refresh and try again)"
                )
            found += mine
        return _change(s, found, status, note)


def set_status_of(
    db: Database, ids: Sequence[int], status: str, note: str | None = None
) -> StatusChange:
    """:func:`set_status_many` by discrepancy id (a change made again after its undo)."""
    with db.sessions.begin() as s:
        return _change(s, _by_id(s, ids), status, note)


def set_status_matching(
    db: Database, query: DiscrepancyQuery, status: str, note: str | None = None
) -> StatusChange:
    """:func:`set_status_many` over every discrepancy ``query`` matches."""
    return set_status_of(db, ids_matching(db, query), status, note)


def restore(db: Database, before: Sequence[Before]) -> int:
    """Put back what a change replaced (see the module docstring); how many discrepancies.
    One that no longer exists (a later reconciliation removed it) is refused, nothing is
    changed."""
    wanted = {b.discrepancy_id: b for b in before}
    at = now()
    with db.sessions.begin() as s:
        for d in _by_id(s, list(wanted), with_events=True):
            b = wanted[d.id]
            restore_change(s, d, b.status, b.auto_resolved, b.events, at)
    return len(wanted)


def _by_id(s: Session, ids: Sequence[int], *, with_events: bool = False) -> list[Discrepancy]:
    wanted = sorted(set(ids))
    found: list[Discrepancy] = []
    for i in range(0, len(wanted), _CHUNK * 2):
        q = select(Discrepancy).where(Discrepancy.id.in_(wanted[i : i + _CHUNK * 2]))
        if with_events:
            q = q.options(selectinload(Discrepancy.events))
        found += s.scalars(q)
    if len(found) != len(wanted):
        raise UsageError(
            f"{len(wanted) - len(found)} of the discrepancies no longer exist (a later "
            "reconciliation removed them); nothing was changed"
        )
    return found


def _change(
    s: Session, found: Sequence[Discrepancy], status: str, note: str | None
) -> StatusChange:
    """Record the change on every discrepancy of ``found``, remembering what it replaced."""
    to = check_status(status)
    note = (note or "").strip() or None
    notes = last_notes(s, [d.id for d in found])
    at = now()
    changed: list[tuple[Discrepancy, Status, bool, DiscrepancyEvent]] = []
    for d in found:
        was, auto = Status(d.status), d.auto_resolved
        event = record_change(s, d, to, note, at)
        if event is not None:
            changed.append((d, was, auto, event))
    s.flush()  # the events' ids
    before = tuple(
        Before(d.id, was, notes.get(d.id), auto, (event.id,)) for d, was, auto, event in changed
    )
    return StatusChange(to, note, before)


__all__ = [
    "Before",
    "StatusChange",
    "restore",
    "set_status_many",
    "set_status_matching",
    "set_status_of",
]
