"""The audit trail: who imported, rolled back, linked or changed what, and when.

Every action a person takes on the data writes one :class:`~pmpm_desktop.db.models.AuditEntry`
inside the action's own transaction (:func:`record`), so an entry exists exactly when the
action was committed. The actor is the OS user on a SQLite file and the database user on a
shared server, where the OS user of each clerk's PC says less than the login the office gave
them (:func:`actor_for`). Entries carry no member names or dates of birth; a link entry names
the two member IDs it joined, as that is what was done.
"""

from __future__ import annotations

import datetime as dt
import getpass
import weakref
from collections.abc import Sequence
from dataclasses import dataclass
from enum import StrEnum
from typing import Any

from sqlalchemy import Connection, Engine, func, insert, select, text
from sqlalchemy.orm import Session

from pmpm_desktop.core.clock import now
from pmpm_desktop.core.month import Month
from pmpm_desktop.db.database import Database
from pmpm_desktop.db.models import AuditEntry
from pmpm_desktop.errors import UsageError

#: the actor when the OS will not say who is logged in
UNKNOWN_ACTOR = "unknown"
#: the actor of the work a database held before it kept an audit trail (migration 0005)
UNRECORDED_ACTOR = "unrecorded"
#: the actor of the discrepancy events the reconciliation writes; any other actor is a person
RECONCILE_ACTOR = "reconcile"


class AuditAction(StrEnum):
    IMPORT_ROSTER = "import_roster"
    IMPORT_STATEMENT = "import_statement"
    IMPORT_RATES = "import_rates"
    #: rates typed into the rate grid and saved
    EDIT_RATES = "edit_rates"
    ROLLBACK = "rollback"
    STATUS = "status"
    NOTE = "note"
    LINK = "link"
    UNLINK = "unlink"
    #: a payer's new ID rule or width re-applied to its stored member IDs
    ID_RULE = "id_rule"


@dataclass(frozen=True)
class AuditRecord:
    """One entry of the trail as read back."""

    at: dt.datetime
    actor: str
    action: str
    payer_code: str | None
    subject: str
    detail: str

    @property
    def local_at(self) -> dt.datetime:
        """When, in the machine's time zone (stored as UTC)."""
        return self.at.replace(tzinfo=dt.UTC).astimezone()

    def as_json(self) -> dict[str, Any]:
        """The shape of ``pmpm audit --json``: the time in local time with its UTC offset."""
        return {
            "at": self.local_at.isoformat(timespec="seconds"),
            "actor": self.actor,
            "action": self.action,
            "payer": self.payer_code,
            "subject": self.subject,
            "detail": self.detail,
        }


# --- the actor ----------------------------------------------------------------------------------

_actors: weakref.WeakKeyDictionary[Engine, str] = weakref.WeakKeyDictionary()


def os_user() -> str:
    """The logged-in user's name, or ``unknown`` when the OS will not tell."""
    try:
        name = getpass.getuser().strip()
    except Exception:  # OSError, KeyError or ImportError depending on the OS
        return UNKNOWN_ACTOR
    return name or UNKNOWN_ACTOR


def actor_for(db: Database) -> str:
    """Who acts on ``db``: the OS user for a SQLite file, the database user (``current_user``)
    for a server, where clerks share the database but each logs in as themself. Asked once per
    database."""
    return _actor_of(db.engine)


def _actor_of(engine: Engine) -> str:
    known = _actors.get(engine)
    if known is not None:
        return known
    if engine.dialect.name == "sqlite":
        actor = os_user()
    else:
        with engine.connect() as conn:
            actor = str(conn.execute(text("SELECT current_user")).scalar() or UNKNOWN_ACTOR)
    _actors[engine] = actor[:100]
    return _actors[engine]


def actor_in(bind: Session | Connection) -> str:
    """:func:`actor_for` the database a session or connection works on."""
    engine = bind.engine if isinstance(bind, Connection) else bind.get_bind().engine
    return _actor_of(engine)


# --- writing ------------------------------------------------------------------------------------


def record(
    bind: Session | Connection,
    action: AuditAction,
    payer_code: str | None,
    subject: str,
    detail: str = "",
    at: dt.datetime | None = None,
) -> None:
    """Add one entry inside the caller's transaction (it commits or rolls back with it)."""
    values = {
        "at": at or now(),
        "actor": actor_in(bind),
        "action": action.value,
        "payer_code": payer_code,
        "subject": subject[:200],
        "detail": detail,
    }
    if isinstance(bind, Session):
        bind.add(AuditEntry(**values))
    else:
        bind.execute(insert(AuditEntry), [values])


def discrepancy_subject(discrepancy_id: int, month: Month) -> str:
    return f"discrepancy {discrepancy_id} ({month})"


def import_subject(kind_word: str, import_id: int) -> str:
    """``roster import 12`` / ``statement import 7``."""
    return f"{kind_word} import {import_id}"


# --- reading ------------------------------------------------------------------------------------


def audit_entries(
    db: Database,
    *,
    first: dt.date | None = None,
    last: dt.date | None = None,
    payer_code: str | None = None,
    actor: str | None = None,
) -> list[AuditRecord]:
    """The entries from ``first`` to ``last`` (whole local days, both included), oldest first;
    ``payer_code`` and ``actor`` (any case) narrow them."""
    if first is not None and last is not None and first > last:
        raise UsageError(f"the first day {first} is after the last day {last}")
    q = select(AuditEntry).order_by(AuditEntry.at, AuditEntry.id)
    if first is not None:
        q = q.where(AuditEntry.at >= _day_start(first))
    if last is not None:
        q = q.where(AuditEntry.at < _day_start(last + dt.timedelta(days=1)))
    if payer_code is not None:
        q = q.where(AuditEntry.payer_code == payer_code.strip().upper())
    if actor is not None:
        q = q.where(func.lower(AuditEntry.actor) == actor.strip().lower())
    with db.sessions() as s:
        return [
            AuditRecord(e.at, e.actor, e.action, e.payer_code, e.subject, e.detail)
            for e in s.scalars(q)
        ]


def _day_start(day: dt.date) -> dt.datetime:
    """The local midnight starting ``day``, as the stored (naive UTC) time."""
    return dt.datetime.combine(day, dt.time()).astimezone(dt.UTC).replace(tzinfo=None)


def audit_json(entries: Sequence[AuditRecord]) -> list[dict[str, Any]]:
    return [e.as_json() for e in entries]
