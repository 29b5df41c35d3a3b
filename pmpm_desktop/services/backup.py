"""A consistent copy of the open database, taken while it is in use (SQLite's backup API;
an encrypted database gives an encrypted copy)."""

from __future__ import annotations

from pathlib import Path

from pmpm_desktop.db import sqlite_file
from pmpm_desktop.db.database import Database
from pmpm_desktop.errors import UsageError
from pmpm_desktop.progress import Progress

#: what a cancelled backup leaves: no file
CANCELLED = "backup cancelled: no file was written"


def backup_database(db: Database, target: Path, progress: Progress | None = None) -> Path:
    """Copy the SQLite database to ``target`` (replaced only when the copy is complete).

    The copy holds what is committed (the WAL included), keeps the database file's mode (a
    private database never gets a readable copy), and is verified by opening it; on failure
    or cancel no file is left (DatabaseError says why, Cancelled when cancelled).
    """
    if not db.is_sqlite:
        raise UsageError(
            "only a SQLite database file can be backed up from here; back up a shared "
            f"{db.engine.dialect.name} database with its own tools (for PostgreSQL: pg_dump)"
        )
    source_file = db.engine.url.database
    target = Path(target)
    if source_file and Path(source_file).resolve() == target.resolve():
        raise UsageError("choose another file: the backup cannot replace the database itself")
    mode = sqlite_file.file_mode(Path(source_file)) if source_file else sqlite_file.PRIVATE_FILE

    raw = db.engine.raw_connection()
    try:
        # an encrypted database is copied into a file keyed alike: the backup stays encrypted
        return sqlite_file.copy_database(
            raw.driver_connection, target, mode, progress, key=db.key, cancelled=CANCELLED
        )
    finally:
        raw.close()
