"""A consistent copy of the open database, taken while it is in use (SQLite's backup API;
an encrypted database gives an encrypted copy)."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

from pmpm_desktop.db import sqlite_file
from pmpm_desktop.db.database import Database
from pmpm_desktop.errors import PmpmError, UsageError

Progress = Callable[[int, int], bool]


class BackupCancelled(PmpmError):
    """The user cancelled the backup; no file was left behind."""


def backup_database(db: Database, target: Path, progress: Progress | None = None) -> Path:
    """Copy the SQLite database to ``target`` (replaced only when the copy is complete).

    The copy holds what is committed (the WAL included), keeps the database file's mode (a
    private database never gets a readable copy), and is verified by opening it; on failure
    or cancel no file is left (DatabaseError says why, BackupCancelled when cancelled).
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

    cancelled = False

    def report(done: int, total: int) -> None:
        nonlocal cancelled
        if progress is not None and progress(done, total) is False:
            cancelled = True
            raise BackupCancelled("backup cancelled: no file was written")

    raw = db.engine.raw_connection()
    try:
        # an encrypted database is copied into a file keyed alike: the backup stays encrypted
        return sqlite_file.copy_database(raw.driver_connection, target, mode, report, key=db.key)
    except PmpmError:
        # SQLite may report the abort as an error of its own: the cancel is what happened
        if cancelled:
            raise BackupCancelled("backup cancelled: no file was written") from None
        raise
    finally:
        raw.close()
