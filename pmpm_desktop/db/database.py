"""Opening a database: find it, connect, and bring its schema to the latest revision."""

from __future__ import annotations

import os
import shutil
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import platformdirs
from alembic import command
from alembic.config import Config
from alembic.runtime.migration import MigrationContext
from alembic.script import ScriptDirectory
from sqlalchemy import Engine, create_engine, event
from sqlalchemy.engine import make_url
from sqlalchemy.orm import Session, sessionmaker

from pmpm_desktop.core.clock import now_stamp

MIGRATIONS = Path(__file__).with_name("migrations")
APP_NAME = "PMPM Desktop"
#: PostgreSQL drivers built on libpq, which take ``client_encoding`` as a connect argument
_LIBPQ_DRIVERS = ("psycopg", "psycopg2")


class DatabaseError(Exception):
    """The database could not be opened or upgraded (the message says why, in one sentence)."""


def default_database_path() -> Path:
    """``pmpm.sqlite3`` in the user's data folder."""
    return Path(platformdirs.user_data_dir(APP_NAME, appauthor=False)) / "pmpm.sqlite3"


def resolve_url(target: str | os.PathLike[str] | None = None) -> str:
    """A SQLAlchemy URL from a path or URL; None means ``$PMPM_DB``, else the default file."""
    if target is None:
        target = os.environ.get("PMPM_DB") or default_database_path()
    text = os.fspath(target)
    if "://" in text:
        return text
    return f"sqlite:///{Path(text).expanduser().resolve()}"


def _sqlite_pragmas(dbapi_connection: Any, _record: Any) -> None:
    cursor = dbapi_connection.cursor()
    cursor.execute("PRAGMA foreign_keys=ON")
    cursor.execute("PRAGMA journal_mode=WAL")
    cursor.execute("PRAGMA synchronous=NORMAL")
    # 64 MB of page cache: bulk inserts into indexes of millions of rows otherwise thrash the
    # default 2 MB (measured: a 100k-row roster import 2.00 s → 1.68 s).
    cursor.execute("PRAGMA cache_size=-65536")
    cursor.close()


@dataclass
class Database:
    """An open database: its engine and the one session factory everything uses."""

    engine: Engine
    sessions: sessionmaker[Session]
    #: the password of an encrypted SQLite database (None: a plain one); backups reuse it
    key: str | None = field(default=None, repr=False)

    @property
    def is_sqlite(self) -> bool:
        return self.engine.dialect.name == "sqlite"

    def dispose(self) -> None:
        self.engine.dispose()


def _alembic_config() -> Config:
    cfg = Config()
    cfg.set_main_option("script_location", str(MIGRATIONS))
    return cfg


def open_database(
    target: str | os.PathLike[str] | None = None, *, key: str | None = None
) -> Database:
    """Connect, and create or upgrade the schema (backing up an existing SQLite file first).

    An encrypted SQLite file is opened with ``key``, else ``$PMPM_DB_KEY``, else the keyring
    (db/encryption.py: KeyNeeded, WrongKey); a new file given a ``key`` is created encrypted.
    """
    url = resolve_url(target)
    try:
        parsed = make_url(url)
    except Exception as exc:  # noqa: BLE001 - SQLAlchemy raises several types for a bad URL
        raise DatabaseError(f"not a database path or URL: {url}") from exc
    sqlite_file: Path | None = None
    if parsed.get_backend_name() == "sqlite" and parsed.database not in (None, "", ":memory:"):
        sqlite_file = Path(str(parsed.database))
        try:
            sqlite_file.parent.mkdir(parents=True, exist_ok=True)
        except OSError as exc:
            raise DatabaseError(f"cannot create the folder {sqlite_file.parent}: {exc}") from exc
    connect_args: dict[str, Any] = {}
    if parsed.get_driver_name() in _LIBPQ_DRIVERS and "client_encoding" not in parsed.query:
        # A server created in the C locale keeps SQL_ASCII databases, and psycopg then hands
        # back text as bytes; our text is UTF-8 (names like Muñoz), so say so.
        connect_args["client_encoding"] = "utf8"
    if sqlite_file is not None:
        from pmpm_desktop.db.encryption import key_for

        found = key_for(sqlite_file, key)
        key = found[0] if found is not None else None
    elif key is not None:
        raise DatabaseError("only a SQLite database file can be protected with a password")
    try:
        if key is not None:
            from pmpm_desktop.db.encryption import encrypted_engine

            engine = encrypted_engine(url, key, connect_args=connect_args)
        else:
            engine = create_engine(url, connect_args=connect_args)
    except Exception as exc:  # noqa: BLE001 - missing driver, bad URL syntax
        raise DatabaseError(f"cannot open {url}: {exc}") from exc
    if engine.dialect.name == "sqlite":
        event.listen(engine, "connect", _sqlite_pragmas)
    try:
        _upgrade(engine, sqlite_file)
    except DatabaseError:
        engine.dispose()
        raise
    except Exception as exc:  # noqa: BLE001 - any driver error becomes one clear message
        engine.dispose()
        raise DatabaseError(f"cannot open the database {url}: {exc}") from exc
    return Database(engine, sessionmaker(engine, expire_on_commit=False), key)


def _upgrade(engine: Engine, sqlite_file: Path | None) -> None:
    cfg = _alembic_config()
    head = ScriptDirectory.from_config(cfg).get_current_head()
    with engine.connect() as conn:
        current = MigrationContext.configure(conn).get_current_revision()
        if current == head:
            return
        has_tables = bool(engine.dialect.get_table_names(conn))
    if current is None and has_tables:
        raise DatabaseError("this file is not a PMPM Desktop database (it has other tables)")
    if current is not None and sqlite_file is not None and sqlite_file.exists():
        backup = sqlite_file.with_name(f"{sqlite_file.stem}.before-upgrade-{now_stamp()}.sqlite3")
        shutil.copy2(sqlite_file, backup)
    with engine.begin() as conn:
        cfg.attributes["connection"] = conn
        command.upgrade(cfg, "head")
