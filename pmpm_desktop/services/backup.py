"""A consistent copy of the open database, taken while it is in use (SQLite's backup API)."""

from __future__ import annotations

import sqlite3
from collections.abc import Callable
from pathlib import Path
from typing import Any

from pmpm_desktop.db import encryption
from pmpm_desktop.db.database import Database
from pmpm_desktop.errors import PmpmError, UsageError

Progress = Callable[[int, int], bool]


class BackupCancelled(PmpmError):
    """The user cancelled the backup; no file was left behind."""


def backup_database(db: Database, target: Path, progress: Progress | None = None) -> Path:
    """Copy the SQLite database to ``target`` (replaced only when the copy is complete)."""
    if not db.is_sqlite:
        raise UsageError(
            "only a SQLite database file can be backed up from here; back up a shared "
            f"{db.engine.dialect.name} database with its own tools (for PostgreSQL: pg_dump)"
        )
    source_file = db.engine.url.database
    target = Path(target)
    if source_file and Path(source_file).resolve() == target.resolve():
        raise UsageError("choose another file: the backup cannot replace the database itself")
    partial = target.with_name(target.name + ".partial")
    cancelled = False

    def report(_status: int, remaining: int, total: int) -> None:
        nonlocal cancelled
        if progress is not None and progress(total - remaining, total) is False:
            cancelled = True
            raise BackupCancelled("backup cancelled: no file was written")

    raw = db.engine.raw_connection()
    try:
        dbapi: Any = raw.driver_connection
        # An encrypted database is copied page by page into a file keyed alike: the backup
        # stays encrypted with the same password.
        dest = sqlite3.connect(partial) if db.key is None else encryption.connect(partial, db.key)
        try:
            dbapi.backup(dest, pages=256, progress=report)
        finally:
            dest.close()
    except BaseException:
        partial.unlink(missing_ok=True)
        if cancelled:
            raise BackupCancelled("backup cancelled: no file was written") from None
        raise
    finally:
        raw.close()
    partial.replace(target)
    return target
