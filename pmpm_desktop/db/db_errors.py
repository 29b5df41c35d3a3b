"""Database errors in one sentence each, without SQL text, parameters or the driver's words.

SQLAlchemy's errors print the statement and its parameters (member IDs, names, DOBs) and a
driver's message may quote a row (PostgreSQL's "Key (member_id)=(…) already exists"), so no
message of ours ever includes their text: we read the error's code and say what it means.
"""

from __future__ import annotations

import os
import sqlite3
from pathlib import Path

from sqlalchemy.engine import make_url
from sqlalchemy.exc import DBAPIError, StatementError

from pmpm_desktop.db import busy
from pmpm_desktop.errors import PmpmError

#: SQLite's primary result codes we explain (sqlite3.h)
SQLITE_PERM, SQLITE_BUSY, SQLITE_LOCKED, SQLITE_READONLY = 3, 5, 6, 8
SQLITE_IOERR, SQLITE_CORRUPT, SQLITE_FULL, SQLITE_CANTOPEN = 10, 11, 13, 14
SQLITE_AUTH, SQLITE_NOTADB = 23, 26
SQLITE_BUSY_SNAPSHOT = 517
#: PostgreSQL SQLSTATEs: bad password, no such role or database
_PG_AUTH = ("28P01", "28000")
_PG_NO_DATABASE = "3D000"
#: the attribute on an exception naming the database it came from (set by ``tag``)
_TAG = "_pmpm_database_url"


class DatabaseError(PmpmError):
    """The database could not be opened, read or written (the message says why, in one
    sentence, naming the database)."""


def tag(exc: BaseException, url: str) -> None:
    """Remember on ``exc`` which database raised it, for a message written far away."""
    try:
        setattr(exc, _TAG, url)
    except AttributeError:  # an exception type with __slots__
        pass


def label(url: str | None) -> str:
    """How messages name a database: the file for SQLite, else the URL without password."""
    if not url:
        return "the database"
    if "://" not in url:  # a file path
        return url
    try:
        parsed = make_url(url)
    except Exception:  # a URL we cannot parse is not shown either
        return "the database"
    if parsed.get_backend_name() == "sqlite":
        return (
            str(parsed.database)
            if parsed.database not in (None, "", ":memory:")
            else ("the in-memory database")
        )
    return parsed.render_as_string(hide_password=True)


def _driver_error(exc: BaseException) -> BaseException | None:
    if isinstance(exc, DBAPIError):
        return exc.orig
    if isinstance(exc, sqlite3.Error) or type(exc).__module__.split(".")[0] in (
        "psycopg",
        "psycopg2",
        "sqlcipher3",
    ):
        return exc
    return None


def explain(exc: BaseException, url: str | None = None) -> str | None:
    """The sentence for a database error, or None when ``exc`` is not one.

    ``url`` (a SQLAlchemy URL or a file path) names the database; without it, the one
    ``tag`` recorded on the error is used.
    """
    url = url or getattr(exc, _TAG, None)
    where = label(url)
    orig = _driver_error(exc)
    if orig is None:
        if isinstance(exc, StatementError):
            inner = type(exc.orig).__name__ if exc.orig is not None else "StatementError"
            return f"the database {where} could not take a value ({inner}): nothing was saved"
        return None
    code = getattr(orig, "sqlite_errorcode", None)
    if isinstance(code, int):
        return _sqlite_sentence(code, where, url, type(orig).__name__)
    return _server_sentence(orig, where)


def _sqlite_sentence(code: int, where: str, url: str | None, kind: str) -> str:
    primary = code & 0xFF
    if code == SQLITE_BUSY_SNAPSHOT:
        return (
            f"the database {where} was changed by another program during this step: "
            "nothing was saved; try again"
        )
    if primary in (SQLITE_BUSY, SQLITE_LOCKED):
        return (
            f"the database {where} is in use by another program (waited {busy.WAIT_LIMIT_S:g} s); "
            "close it and try again"
        )
    if primary in (SQLITE_READONLY, SQLITE_PERM, SQLITE_AUTH):
        return read_only_sentence(where, _read_only_why(url))
    if primary in (SQLITE_CORRUPT, SQLITE_NOTADB):
        return damaged_sentence(where)
    if primary == SQLITE_FULL:
        return f"the disk holding {where} is full: nothing was saved; free space and try again"
    if primary == SQLITE_IOERR:
        return (
            f"the disk holding {where} could not be read or written (an I/O error): nothing "
            "was saved; check the disk or network folder and try again"
        )
    if primary == SQLITE_CANTOPEN:
        why = _read_only_why(url)
        if why:
            return read_only_sentence(where, why)
        return f"cannot open the database {where}: the file or its folder cannot be reached"
    return f"the database {where} reported an error ({kind}): nothing of this step was saved"


def _server_sentence(orig: BaseException, where: str) -> str:
    state = getattr(orig, "sqlstate", None) or getattr(orig, "pgcode", None)
    if state in _PG_AUTH:
        return (
            f"the database server of {where} refused the user name or password: check them "
            "in the database address"
        )
    if state == _PG_NO_DATABASE:
        return f"the database {where} does not exist on its server: create it, or check the name"
    # Connection failures carry no SQLSTATE; their text is the driver's, read but never shown.
    text = str(orig).lower()
    if type(orig).__name__ == "OperationalError" and (
        "connect" in text or "refused" in text or "timeout" in text or "resolve" in text
    ):
        return (
            f"cannot reach the database server of {where}: check that it is running and that "
            "the address is right"
        )
    kind = type(orig).__name__
    return f"the database {where} reported an error ({kind}): nothing of this step was saved"


def read_only_sentence(where: str, why: str) -> str:
    because = f" ({why})" if why else ""
    return (
        f"the database {where} is read-only{because}: make it writable, or open a copy of it "
        "in a folder you can write"
    )


def damaged_sentence(where: str) -> str:
    return f"{where} is damaged or not a PMPM Desktop database: restore a backup"


def _read_only_why(url: str | None) -> str:
    """Why a SQLite file cannot be written, as far as the file system tells ("" if it can)."""
    if not url:
        return ""
    if "://" in url:
        try:
            parsed = make_url(url)
        except Exception:  # no path, no reason to give
            return ""
        if parsed.get_backend_name() != "sqlite" or not parsed.database:
            return ""
        url = str(parsed.database)
    from pmpm_desktop.db.sqlite_file import access_of

    path = Path(url)
    if not os.path.exists(path):
        return ""
    return access_of(path).why
