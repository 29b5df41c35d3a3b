"""Discrepancies an import may have caused, once that import stops counting.

When a roster import is replaced by a later import of its month, or a roster or statement
import is rolled back, the discrepancies of the months it could speak about are marked
``stale`` in the same transaction. The next reconciliation of their months
(``reconciling.store_discrepancies``) then treats them as a fresh reconciliation of the files
that still count would: still a difference → kept and refreshed; no longer a difference →
deleted, unless a person worked on it, in which case it is closed with :data:`GONE_NOTE` and
its history stays. Every discrepancy of those months is marked, worked on or not: whether a
person worked on one is decided when it is judged.
"""

from __future__ import annotations

import polars as pl
from sqlalchemy import ColumnElement, Connection, delete, func, select, update

from pmpm_desktop.core.month import Month
from pmpm_desktop.db.models import Discrepancy, DiscrepancyEvent, RemittanceLine, RosterRow

#: why a discrepancy a person worked on was closed when its import stopped counting
GONE_NOTE = (
    "no longer a difference after a roster or statement it may have come from was replaced "
    "or rolled back"
)
#: the actor of the history entries the reconciliation writes (everything else is a person)
RECONCILE_ACTOR = "reconcile"
_CHUNK = 500


def mark_roster_stale(
    conn: Connection, payer_id: int, import_ids: list[int], roster_month: Month
) -> int:
    """Mark stale the payer's discrepancies of the months the roster imports ``import_ids`` (of
    ``roster_month``) could speak about: the one that stops counting and the one taking its
    place. Call it while the rows of both are stored. Returns how many were marked.

    A roster speaks about its own month and, through rows whose effective date falls on or
    before an earlier month's last day, about that earlier month; never about a later one
    (SPEC §3). So the months run from the earliest effective date of their rows (a row without
    one starts in the roster month) to the roster month: in them, the old file's findings may
    be ghosts and the new file's may clear what was found before; past that, neither file says
    anything, and the history there (e.g. "paid in a later remittance") stays as it is.
    """
    earliest = conn.execute(
        select(func.min(RosterRow.effective_date)).where(RosterRow.import_id.in_(import_ids))
    ).scalar()
    first = min(Month.of(earliest), roster_month) if earliest is not None else roster_month
    return _mark(conn, payer_id, Discrepancy.month.between(first, roster_month))


def mark_statement_stale(conn: Connection, payer_id: int, import_id: int) -> int:
    """Mark stale the payer's discrepancies of the coverage months statement ``import_id``
    pays; call it before its lines are deleted. Returns how many were marked."""
    months = (
        select(RemittanceLine.coverage_month)
        .where(RemittanceLine.import_id == import_id)
        .distinct()
    )
    return _mark(conn, payer_id, Discrepancy.month.in_(months))


def _mark(conn: Connection, payer_id: int, months: ColumnElement[bool]) -> int:
    done = conn.execute(
        update(Discrepancy)
        .where(Discrepancy.payer_id == payer_id, months, Discrepancy.stale.is_(False))
        .values(stale=True)
    )
    return done.rowcount or 0


def worked_on(conn: Connection, payer_id: int, first: Month, last: Month) -> pl.DataFrame:
    """Ids (column ``id``) of the payer's stale discrepancies of first..last that a person
    worked on: a status set or a note written by anyone but the reconciliation."""
    rows = conn.execute(
        select(Discrepancy.id).where(
            Discrepancy.payer_id == payer_id,
            Discrepancy.month.between(first, last),
            Discrepancy.stale.is_(True),
            select(DiscrepancyEvent.id)
            .where(
                DiscrepancyEvent.discrepancy_id == Discrepancy.id,
                DiscrepancyEvent.actor != RECONCILE_ACTOR,
            )
            .exists(),
        )
    ).all()
    return pl.DataFrame({"id": [r[0] for r in rows]}, schema={"id": pl.Int64})


def delete_discrepancies(conn: Connection, ids: list[int]) -> None:
    """Delete discrepancies and their history. The events go first, explicitly, whatever the
    foreign key does (it cascades on SQLite with foreign_keys=ON and on PostgreSQL): an event
    left behind would attach to a later discrepancy that reuses the id, as SQLite reuses the
    highest ids."""
    for i in range(0, len(ids), _CHUNK):
        chunk = ids[i : i + _CHUNK]
        conn.execute(delete(DiscrepancyEvent).where(DiscrepancyEvent.discrepancy_id.in_(chunk)))
        conn.execute(delete(Discrepancy).where(Discrepancy.id.in_(chunk)))


def unmark_stale(conn: Connection, payer_id: int, first: Month, last: Month) -> None:
    """Drop the mark of the payer's discrepancies of first..last, once reconciled."""
    conn.execute(
        update(Discrepancy)
        .where(
            Discrepancy.payer_id == payer_id,
            Discrepancy.month.between(first, last),
            Discrepancy.stale.is_(True),
        )
        .values(stale=False)
    )
