"""A SQLite database file: created private, opened as its permissions allow, copied verified.

Member data lives in this file, so a new one is created 0600 (and folders we make for it
0700) before SQLite touches it: SQLite gives its -wal and -shm files the main file's mode.
A file the user cannot write is opened read-only, so read commands still work on it.
"""

from __future__ import annotations

import os
import sqlite3
import stat
from dataclasses import dataclass
from pathlib import Path
from types import ModuleType
from typing import Any

from pmpm_desktop.db import busy
from pmpm_desktop.db.db_errors import DatabaseError, explain
from pmpm_desktop.io.private_files import create_folders, partial_beside
from pmpm_desktop.progress import NOTHING_CHANGED, Cancelled, Progress

PRIVATE_FILE = 0o600
#: the files SQLite keeps beside a database
SIDE_SUFFIXES = ("-wal", "-shm", "-journal")
#: tables a copy must have to count as one of our databases
OUR_TABLES = frozenset({"alembic_version", "payers"})
_POSIX = os.name == "posix"


def create_file(path: Path, mode: int = PRIVATE_FILE) -> None:
    """Create ``path`` empty with exactly ``mode`` (POSIX); it must not exist yet."""
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, mode)
    os.close(fd)
    if _POSIX:
        os.chmod(path, mode)  # the umask may have narrowed it; a copy keeps its source's mode


def create_private_database(path: Path) -> None:
    """An empty, private database file at ``path`` (an empty file is an empty database)."""
    create_folders(path.parent)
    try:
        create_file(path)
    except FileExistsError:
        pass


def remove_database_files(path: Path) -> None:
    """Remove ``path`` and the journal files SQLite may have left beside it."""
    for name in (path.name, *(path.name + s for s in SIDE_SUFFIXES)):
        (path.parent / name).unlink(missing_ok=True)


def file_mode(path: Path) -> int:
    return stat.S_IMODE(path.stat().st_mode)


@dataclass(frozen=True)
class Access:
    """How a database file can be opened: ``why`` says what makes it read-only."""

    read_only: bool = False
    why: str = ""
    #: read without locks or journal files (a read-only folder holding no -wal to read)
    immutable: bool = False


def _on_read_only_disk(folder: Path) -> bool:
    try:
        return bool(os.statvfs(folder).f_flag & os.ST_RDONLY)
    except (AttributeError, OSError):
        return False


def access_of(path: Path) -> Access:
    """Whether we may write ``path`` and its folder (SQLite writes its journals beside it)."""
    folder = path.parent
    if _on_read_only_disk(folder):
        why = "the disk holding it is read-only"
    elif not os.access(path, os.W_OK):
        why = "the file is read-only"
    elif not os.access(folder, os.W_OK):
        why = "its folder is read-only"
    else:
        return Access()
    wal = folder / (path.name + "-wal")
    shm = folder / (path.name + "-shm")
    # Without a writable folder SQLite cannot create the -shm a WAL database needs to be read;
    # immutable=1 reads the main file alone, which is the whole database only when no -wal
    # holds committed pages, and no other program can write it while the folder is read-only.
    wal_empty = not wal.exists() or wal.stat().st_size == 0
    immutable = not os.access(folder, os.W_OK) and not shm.exists() and wal_empty
    return Access(read_only=True, why=why, immutable=immutable)


def connect(path: Path, access: Access, key: str | None = None) -> Any:
    """A DB-API connection to ``path`` that waits for other programs' locks (see ``busy``);
    with ``key``, a SQLCipher connection keyed with it (db/encryption.py)."""
    module = _module(key)
    factory = busy.connection_class(module.Connection, module.Cursor)
    target = str(path)
    if access.read_only:
        target = path.as_uri() + "?mode=ro" + ("&immutable=1" if access.immutable else "")
    conn = module.connect(
        target,
        uri=access.read_only,
        factory=factory,
        timeout=busy.STEP_S,
        # the GUI runs statements on worker threads; SQLAlchemy's pool hands out one
        # connection at a time, which is what SQLite's own check protects
        check_same_thread=False,
    )
    if key is not None:
        from pmpm_desktop.db.encryption import prepare

        try:
            prepare(conn, key)
        except BaseException:
            conn.close()
            raise
    conn.where = str(path)
    return conn


def _module(key: str | None) -> ModuleType:
    if key is None:
        return sqlite3
    import sqlcipher3

    return sqlcipher3.dbapi2


def copy_database(
    source: Any,
    target: Path,
    mode: int,
    progress: Progress | None = None,
    *,
    key: str | None = None,
    cancelled: str = NOTHING_CHANGED,
) -> Path:
    """A verified copy of ``source`` at ``target``, with file mode ``mode``; the copy of an
    encrypted database (``key``) is encrypted with the same password.

    Written by SQLite's backup API (pages still in the WAL included) into a hidden partial
    file beside it, checked by opening it (quick_check, our tables), then moved into place; on
    any failure, or a cancel (``progress`` answering False: ``Cancelled(cancelled)``), the
    partial file is removed, and if this process is killed the next start removes it
    (``private_files.partial_beside``).
    """
    with partial_beside(target) as partial:
        return _copy_to(source, partial, target, mode, progress, key, cancelled)


def _copy_to(
    source: Any,
    partial: Path,
    target: Path,
    mode: int,
    progress: Progress | None,
    key: str | None,
    cancelled: str,
) -> Path:
    stopped = False

    def pages(_status: int, remaining: int, total: int) -> None:
        nonlocal stopped
        stopped = progress is not None and progress(total - remaining, total) is False
        if stopped:
            raise Cancelled(cancelled)

    try:
        create_file(partial, mode)
        dest = connect(partial, Access(), key)
        try:
            source.backup(dest, pages=256, progress=pages)
        finally:
            dest.close()
        verify_copy(partial, target, key=key)
        os.replace(partial, target)
    except _module(key).Error as exc:
        if stopped:  # SQLite may report the abort as an error of its own
            raise Cancelled(cancelled) from None
        raise DatabaseError(_copy_failure(exc, target)) from None
    except OSError as exc:
        raise DatabaseError(f"cannot write the copy {target}: {exc.strerror}") from None
    return target


def _copy_failure(exc: Exception, target: Path) -> str:
    message = explain(exc, str(target))
    if getattr(exc, "sqlite_errorcode", 0) & 0xFF in (11, 26):  # CORRUPT, NOTADB: the source
        return "the database is damaged, so no copy of it could be made: restore a backup"
    return message or f"cannot write the copy {target} ({type(exc).__name__})"


def verify_copy(path: Path, name: Path | None = None, *, key: str | None = None) -> None:
    """Raise DatabaseError unless ``path`` is a sound database with our tables.

    ``name`` is what the message calls the copy (the final name of a partial file); ``key``
    opens an encrypted one."""
    conn = connect(path, Access(), key)
    try:
        check = [row[0] for row in conn.execute("PRAGMA quick_check")]
        tables = {row[0] for row in conn.execute("SELECT name FROM sqlite_master")}
    finally:
        conn.close()
    if check != ["ok"] or not OUR_TABLES <= tables:
        raise DatabaseError(
            f"the copy {name or path} did not check out as a sound database, so it was not "
            "kept: the database itself may be damaged; restore a backup"
        )
