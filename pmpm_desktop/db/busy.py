"""Waiting for another program that holds the SQLite database's write lock.

SQLite's own busy timeout waits silently and then fails; an office keeps the database in a
shared folder where a second copy of the app, a sync tool or a DB browser may hold the lock
for a while. So each connection waits in short steps (``STEP_S`` inside SQLite), tells a
process-wide listener once per wait that it is waiting, and gives up only after
``WAIT_LIMIT_S`` in all. Only plain SQLITE_BUSY is retried: SQLITE_BUSY_SNAPSHOT (a stale read
snapshot) and every other error can never succeed by trying the same statement again.
"""

from __future__ import annotations

import threading
import time
from collections.abc import Callable, Iterable
from functools import cache
from typing import Any, TypeVar

#: how long a statement waits in all for another program's lock before it fails
WAIT_LIMIT_S = 30.0
#: the busy timeout handed to SQLite itself: how often we come back to tell the listener
STEP_S = 0.5
#: SQLite's primary result code for "database is locked" (not its extended codes)
SQLITE_BUSY = 5
#: a pause when SQLite answers busy without waiting (it does not wait inside a transaction)
_PAUSE_S = 0.05

Listener = Callable[[str], None]
_listener: Listener | None = None
_lock = threading.Lock()
T = TypeVar("T")


def on_wait(listener: Listener | None) -> Listener | None:
    """Call ``listener(database)`` when a statement starts waiting for another program's lock.

    Process-wide (the CLI prints a line, the GUI worker shows it in its progress label);
    ``None`` removes it. Returns the listener it replaced, so a caller can put it back.
    """
    global _listener
    with _lock:
        previous, _listener = _listener, listener
    return previous


def _is_plain_busy(exc: Exception) -> bool:
    # sqlite_errorcode is the extended code: 5 is SQLITE_BUSY itself, 517 BUSY_SNAPSHOT etc.
    # (sqlite3 and sqlcipher3 both carry it; their exception classes are unrelated)
    return getattr(exc, "sqlite_errorcode", None) == SQLITE_BUSY


def retry_busy(where: str, call: Callable[[], T]) -> T:
    """``call()``, again while it fails with plain SQLITE_BUSY, for up to ``WAIT_LIMIT_S``."""
    deadline: float | None = None
    while True:
        try:
            return call()
        except Exception as exc:
            if not _is_plain_busy(exc):
                raise
            now = time.monotonic()
            if deadline is None:
                deadline = now + WAIT_LIMIT_S
                listener = _listener
                if listener is not None:
                    listener(where)
            if now >= deadline:
                raise
            time.sleep(min(_PAUSE_S, max(0.0, deadline - now)))


@cache
def connection_class(base: type[Any], cursor_base: type[Any]) -> type[Any]:
    """A subclass of the DB-API connection ``base`` whose cursors and commits wait for locks.

    Generic over the module (sqlite3 or an API-compatible one such as sqlcipher3) so every
    SQLite connection of ours gets the same waiting.
    """

    class WaitingCursor(cursor_base):  # type: ignore[misc]
        def execute(self, sql: str, parameters: Any = ()) -> Any:
            run = super().execute
            return retry_busy(self.connection.where, lambda: run(sql, parameters))

        def executemany(self, sql: str, seq: Iterable[Any]) -> Any:
            # A failed executemany wrote nothing (the lock is taken before the first row), so
            # it can run again; the rows must be replayable, hence the list.
            rows = seq if isinstance(seq, list | tuple) else list(seq)
            run = super().executemany
            return retry_busy(self.connection.where, lambda: run(sql, rows))

    class WaitingConnection(base):  # type: ignore[misc]
        #: what the listener and messages call this database (set by whoever connects)
        where: str = "the database"

        def cursor(self, factory: Any = None) -> Any:
            return super().cursor(factory or WaitingCursor)

        def commit(self) -> None:
            retry_busy(self.where, super().commit)

    return WaitingConnection
