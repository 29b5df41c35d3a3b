"""Build somewhere else, then move into place in one step: a scratch SQLite database in our
private folder, and the copy of its whole content into an empty target database.

The copy is the one step that changes the target, and it is one transaction: a SQLite target
gets SQLite's online backup of every page at once (``pages=-1``: one write transaction on the
target), any other database (PostgreSQL, or a SQLite connection of another driver) gets every
row inserted inside one transaction. A process killed before or during the copy leaves the
target as it was.
"""

from __future__ import annotations

import contextlib
import sqlite3
from collections.abc import Iterator
from itertools import islice
from pathlib import Path

from sqlalchemy import Connection, select, text

from pmpm_desktop.db.database import Database, open_database
from pmpm_desktop.db.models import Base

#: rows per INSERT batch of the row-by-row copy
_BATCH = 5_000


def is_empty(db: Database) -> bool:
    """No row in any table of ours (the schema and its version do not count)."""
    with db.engine.connect() as conn:
        return all(
            conn.execute(select(table).limit(1)).first() is None
            for table in Base.metadata.sorted_tables
        )


@contextlib.contextmanager
def scratch_database(path: Path) -> Iterator[Database]:
    """A new SQLite database (at the latest schema) at ``path``, a file in a folder of this run
    in our private folder (``private_temp_dir``, which removes it; a kill leaves it to
    ``remove_stale``); closed at the end, whatever happens."""
    db = open_database(path)
    try:
        yield db
    finally:
        db.dispose()


def copy_into(source: Database, target: Database) -> None:
    """Copy every row of ``source`` into ``target`` (both at the same schema revision; the
    target empty) in one transaction."""
    source_file = source.engine.url.database
    if target.is_sqlite and source.is_sqlite and source_file:
        raw = target.engine.raw_connection()
        try:
            conn = raw.driver_connection
            if isinstance(conn, sqlite3.Connection):
                source.dispose()  # its last connection closed: the WAL is in the main file
                with contextlib.closing(sqlite3.connect(source_file)) as src:
                    src.backup(conn, pages=-1)
                return
        finally:
            raw.close()
    _copy_rows(source, target)


def _copy_rows(source: Database, target: Database) -> None:
    with source.engine.connect() as src, target.engine.begin() as dst:
        for table in Base.metadata.sorted_tables:  # parents before children
            rows = src.execute(select(table)).mappings()
            while batch := [dict(r) for r in islice(rows, _BATCH)]:
                dst.execute(table.insert(), batch)
        if dst.dialect.name == "postgresql":
            _restart_sequences(dst)


def _restart_sequences(conn: Connection) -> None:
    """Rows came with their ids: each id sequence continues after the highest one."""
    for table in Base.metadata.sorted_tables:
        name = table.name
        conn.execute(
            text(
                f"SELECT setval(pg_get_serial_sequence('{name}', 'id'), "  # our table names
                f"COALESCE(MAX(id), 1), MAX(id) IS NOT NULL) FROM {name}"
            )
        )
