"""Encrypted SQLite databases (SQLCipher 4 through ``sqlcipher3``): open, encrypt, decrypt.

An encrypted file is a SQLCipher database: every page (the first one too) is AES-256 encrypted,
so the file shows no ``SQLite format 3`` header, no member name and no ID; its WAL is encrypted
the same way. SQLCipher derives the page key from the password with PBKDF2 (256,000 rounds),
about 0.1 s per new connection, which the connection pool pays once.

Converting a database (plain → encrypted or back) never touches the file in place: the whole
database is exported with ``sqlcipher_export`` into a new 0600 file next to it, checked (opened
with the new key, every table's row count compared), then moved over the original in one
rename. A kill before the rename leaves the old database, after it the new one.
"""

from __future__ import annotations

import os
import secrets
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from sqlalchemy import Engine, create_engine, event

from pmpm_desktop.db.database import DatabaseError
from pmpm_desktop.db.keys import KeySource, find_key

SQLITE_HEADER = b"SQLite format 3\x00"
#: SQLCipher and SQLite files are whole pages, and no page is smaller than this
_SMALLEST_PAGE = 512
#: the bytes of a SQLite header that hold its fixed payload fractions
_PLAIN_FRACTIONS_AT = 21
_PLAIN_FRACTIONS = b"\x40\x20\x20"
_PARTIAL_SUFFIX = ".converting"


class KeyNeeded(DatabaseError):
    """The database is encrypted and no password was given or found."""

    def __init__(self, path: Path) -> None:
        super().__init__(
            f"{path} is protected with a password (or damaged): set PMPM_DB_KEY, or store the "
            "password in this computer's keyring with `pmpm db unlock`"
        )
        self.path = path


class WrongKey(DatabaseError):
    """The password given does not open the database."""

    def __init__(self, path: Path) -> None:
        super().__init__(f"the password does not open {path}")
        self.path = path


@dataclass(frozen=True)
class Conversion:
    """What a conversion copied: tables and rows, checked equal in the new file."""

    tables: int
    rows: int


def looks_encrypted(path: Path) -> bool:
    """True when ``path`` is a non-empty file that is not plain SQLite but could be SQLCipher."""
    try:
        size = path.stat().st_size
        if size == 0:
            return False
        with path.open("rb") as f:
            head = f.read(_PLAIN_FRACTIONS_AT + len(_PLAIN_FRACTIONS))
    except OSError:
        return False
    if head.startswith(SQLITE_HEADER) or size % _SMALLEST_PAGE:
        return False
    # A plain SQLite file whose first bytes were damaged still has the payload fractions
    # SQLite always writes (64, 32, 32); SQLCipher encrypts them with the rest.
    fractions = head[_PLAIN_FRACTIONS_AT : _PLAIN_FRACTIONS_AT + len(_PLAIN_FRACTIONS)]
    return fractions != _PLAIN_FRACTIONS


def is_plain_sqlite(path: Path) -> bool:
    try:
        with path.open("rb") as f:
            return f.read(len(SQLITE_HEADER)) == SQLITE_HEADER
    except OSError:
        return False


def check_password(key: str) -> None:
    """Refuse a password SQLCipher cannot take (empty, or with a NUL character)."""
    if not key:
        raise DatabaseError("the password is empty: type at least one character")
    if "\x00" in key:
        raise DatabaseError("the password holds a NUL character; type it without")


def _key_pragma(key: str) -> str:
    # PRAGMA takes no bound parameters: the password goes in as an SQL string literal, each
    # quote doubled, which SQLCipher reads back byte for byte (UTF-8).
    return "PRAGMA key = '" + key.replace("'", "''") + "'"


def connect(path: Path | str, key: str | None, /, **kwargs: Any) -> Any:
    """A ``sqlcipher3`` connection to ``path`` keyed with ``key`` (None: a plain database).

    ``kwargs`` go to ``sqlcipher3.connect``; see :func:`prepare`.
    """
    import sqlcipher3

    conn = sqlcipher3.connect(str(path), **kwargs)
    try:
        prepare(conn, key)
    except BaseException:
        conn.close()
        raise
    return conn


def prepare(conn: Any, key: str | None) -> None:
    """Key a new sqlcipher3 connection before anything else runs on it.

    Temporary tables and sort files stay in memory, so nothing of an encrypted database is
    ever written outside it unencrypted.
    """
    # SQLCipher logs a failed page check to stderr; a wrong password is our sentence.
    conn.execute("PRAGMA cipher_log_level = NONE")
    if key is not None:
        conn.execute(_key_pragma(key))
    conn.execute("PRAGMA temp_store = MEMORY")


def open_checked(path: Path, key: str | None) -> Any:
    """``connect``, then read the schema, so a wrong password is WrongKey here."""
    import sqlcipher3

    conn = connect(path, key)
    try:
        conn.execute("SELECT count(*) FROM sqlite_master").fetchone()
    except sqlcipher3.DatabaseError:
        conn.close()
        raise WrongKey(path) from None
    return conn


def key_for(path: Path, key: str | None) -> tuple[str, KeySource] | None:
    """The password to open ``path`` with, checked; None for a plain (or new) database.

    ``key`` is the one the caller has (typed in); without it ``$PMPM_DB_KEY`` and the keyring
    are tried. Raises KeyNeeded when the file is encrypted and no password is found, WrongKey
    when the one found does not open it, DatabaseError when a password is given for a plain file.
    """
    remove_stale_partials(path)
    if key is not None:
        check_password(key)
    if is_plain_sqlite(path):
        if key is not None:
            raise DatabaseError(
                f"{path} is not protected with a password; protect it with `pmpm db encrypt`"
            )
        return None
    if not looks_encrypted(path):
        # A new or empty file is created encrypted when a password is given; anything else
        # is left to SQLite, which says it is not a database.
        return (key, KeySource.GIVEN) if key is not None else None
    found = (key, KeySource.GIVEN) if key is not None else find_key(path)
    if found is None:
        raise KeyNeeded(path)
    open_checked(path, found[0]).close()
    return found


def encrypted_engine(url: str, key: str, **options: Any) -> Engine:
    """A SQLAlchemy engine on the SQLite ``url`` whose every connection is keyed with ``key``.

    The pysqlite dialect is kept (sqlcipher3 is its fork, same API), given sqlcipher3 as its
    module so the driver's errors are wrapped like sqlite3's; each connection is made here,
    keyed before anything else runs on it, with whatever arguments the dialect chose.
    """
    import sqlcipher3

    engine = create_engine(url, module=sqlcipher3.dbapi2, **options)

    @event.listens_for(engine, "do_connect")
    def _keyed(_dialect: Any, _record: Any, cargs: Any, cparams: Any) -> Any:
        return connect(cargs[0], key, **cparams)

    return engine


def row_counts(conn: Any, schema: str = "main") -> dict[str, int]:
    """Every table's row count in ``schema`` of a DB-API connection."""
    names = [
        r[0]
        for r in conn.execute(
            f"SELECT name FROM {schema}.sqlite_master WHERE type = 'table' ORDER BY name"
        )
    ]
    counts: dict[str, int] = {}
    for name in names:
        quoted = '"' + name.replace('"', '""') + '"'
        counts[name] = int(conn.execute(f"SELECT count(*) FROM {schema}.{quoted}").fetchone()[0])
    return counts


def cipher_version() -> str:
    """The SQLCipher version in use, e.g. ``4.12.0 community``."""
    conn = connect(":memory:", None)
    try:
        return str(conn.execute("PRAGMA cipher_version").fetchone()[0])
    finally:
        conn.close()


def remove_stale_partials(path: Path) -> None:
    """Remove what a killed conversion of ``path`` left beside it (never the database)."""
    for stale in path.parent.glob(f"{path.name}.*{_PARTIAL_SUFFIX}*"):
        stale.unlink(missing_ok=True)


def encrypt_database(path: Path, key: str) -> Conversion:
    """Replace the plain database at ``path`` by an encrypted copy keyed with ``key``."""
    check_password(key)
    if looks_encrypted(path):
        raise DatabaseError(f"{path} is already protected with a password")
    return _convert(path, None, key)


def decrypt_database(path: Path, key: str) -> Conversion:
    """Replace the encrypted database at ``path`` by a plain copy."""
    if not looks_encrypted(path):
        raise DatabaseError(f"{path} is not protected with a password")
    return _convert(path, key, None)


Step = Callable[[str], None]


def _convert(
    path: Path, old_key: str | None, new_key: str | None, step: Step | None = None
) -> Conversion:
    """Export ``path`` into a new file keyed ``new_key``, check it, rename it over ``path``."""
    path = Path(path)
    if not path.is_file():
        raise DatabaseError(f"there is no database at {path}")
    remove_stale_partials(path)
    partial = path.with_name(f"{path.name}.{secrets.token_hex(4)}{_PARTIAL_SUFFIX}")
    try:
        os.close(os.open(partial, os.O_CREAT | os.O_EXCL | os.O_WRONLY, 0o600))
        counts = _export(path, old_key, partial, new_key)
        _step(step, "exported")
        _verify(partial, new_key, counts)
        _fsync(partial)
        _step(step, "checked")
        _refuse_if_in_use(path)
        os.replace(partial, path)
    except BaseException:
        remove_stale_partials(path)
        raise
    _step(step, "replaced")
    _fsync_folder(path.parent)
    return Conversion(len(counts), sum(counts.values()))


def _step(step: Step | None, name: str) -> None:
    # The tests kill the process here (a real SIGKILL) to prove the rename is the only switch.
    if step is not None:
        step(name)


def _export(path: Path, old_key: str | None, partial: Path, new_key: str | None) -> dict[str, int]:
    import sqlcipher3

    src = open_checked(path, old_key)
    try:
        busy, _log, _done = src.execute("PRAGMA wal_checkpoint(TRUNCATE)").fetchone()
        if busy:
            raise DatabaseError(_in_use(path))
        counts = row_counts(src)
        user_version = int(src.execute("PRAGMA user_version").fetchone()[0])
        src.execute("ATTACH DATABASE ? AS converted KEY ?", (str(partial), new_key or ""))
        src.execute("SELECT sqlcipher_export('converted')")
        src.execute(f"PRAGMA converted.user_version = {user_version}")
        src.execute("DETACH DATABASE converted")
    except sqlcipher3.OperationalError as exc:
        raise DatabaseError(_in_use(path) if "locked" in str(exc) else _failed(path)) from None
    finally:
        src.close()
    return counts


def _verify(partial: Path, key: str | None, counts: dict[str, int]) -> None:
    conn = open_checked(partial, key)
    try:
        ok = conn.execute("PRAGMA quick_check").fetchone()[0] == "ok"
        same = row_counts(conn) == counts
        # The converted file is a WAL database like every database we open.
        conn.execute("PRAGMA journal_mode = WAL").fetchone()
    finally:
        conn.close()
    if not (ok and same):
        raise DatabaseError(_failed(partial))


def _refuse_if_in_use(path: Path) -> None:
    # Our own connection is closed: a WAL or shared-memory file now means another program
    # has the database open, and would go on writing to the file we are about to replace.
    for suffix in ("-wal", "-shm"):
        if path.with_name(path.name + suffix).exists():
            raise DatabaseError(_in_use(path))


def _in_use(path: Path) -> str:
    return f"another program is using {path}: close it (and PMPM Desktop) and try again"


def _failed(path: Path) -> str:
    return f"the converted copy of {path} did not check out; the database was left unchanged"


def _fsync(path: Path) -> None:
    fd = os.open(path, os.O_RDONLY)
    try:
        os.fsync(fd)
    finally:
        os.close(fd)


def _fsync_folder(folder: Path) -> None:
    if os.name != "posix":
        return
    fd = os.open(folder, os.O_RDONLY)
    try:
        os.fsync(fd)
    finally:
        os.close(fd)
