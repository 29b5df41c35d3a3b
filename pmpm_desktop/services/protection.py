"""Protect a database with a password, or remove it: the one place the CLI and the window use.

The database must be closed while it is converted (``Database.dispose()`` first); the caller
opens it again afterwards with the password (``open_database(path, key=...)``).
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from pmpm_desktop.db import encryption, keys
from pmpm_desktop.db.database import DatabaseError, open_database

#: what a user must know after encrypting: the old plain bytes are gone from the file system
#: but not from copies made before
LEFT_BEHIND = (
    "the plain file was replaced and deleted; backups and before-upgrade copies made before "
    "today are still plain: delete them or keep them as safe as the database"
)


@dataclass(frozen=True)
class ProtectionStatus:
    """Whether a database file is encrypted and where its password would come from."""

    path: Path
    encrypted: bool
    cipher: str | None
    key_source: keys.KeySource | None
    keyring: str | None

    def lines(self) -> list[str]:
        """The status as the user reads it, one fact a line."""
        if not self.path.exists() or self.path.stat().st_size == 0:
            state = "not created yet"
        elif self.encrypted:
            state = f"yes (SQLCipher {self.cipher})"
        else:
            state = "no (plain SQLite: anyone with the file can read it)"
        if self.key_source is not None:
            password = f"found in {self.key_source.value}"
        elif self.encrypted:
            password = "not stored (asked for at each start)"
        else:
            password = "none"
        return [
            f"database: {self.path}",
            f"encrypted: {state}",
            f"password: {password}",
            f"keyring: {self.keyring or 'none on this computer'}",
        ]


def sqlite_path(target: str | Path | None) -> Path:
    """The SQLite file of ``target`` (path, URL or None for the default), or a DatabaseError."""
    from sqlalchemy.engine import make_url

    from pmpm_desktop.db.database import resolve_url

    url = make_url(resolve_url(target))
    if url.get_backend_name() != "sqlite" or url.database in (None, "", ":memory:"):
        raise DatabaseError(
            "only a SQLite database file can be protected with a password; a shared server "
            "database is protected by its server"
        )
    return Path(str(url.database))


def status(path: Path) -> ProtectionStatus:
    encrypted = encryption.looks_encrypted(path)
    found = keys.find_key(path) if encrypted else None
    return ProtectionStatus(
        path=path,
        encrypted=encrypted,
        cipher=encryption.cipher_version(),
        key_source=found[1] if found is not None else None,
        keyring=keys.keyring_backend(),
    )


def protect(path: Path, key: str, *, remember: bool) -> encryption.Conversion | None:
    """Encrypt the (closed) database at ``path`` with ``key``; a new one is created encrypted.

    Returns what was converted, None for a new database. With ``remember`` the key goes to
    the keyring, checked available before anything changes.
    """
    encryption.check_password(key)
    if remember and keys.keyring_backend() is None:
        raise keys.KeyringUnavailable(
            "this computer has no keyring to remember the password in: protect the database "
            "without remembering it and set PMPM_DB_KEY or type the password at each start"
        )
    done: encryption.Conversion | None = None
    if path.exists() and path.stat().st_size > 0:
        done = encryption.encrypt_database(path, key)
    else:
        open_database(path, key=key).dispose()
    if remember:
        keys.store_key(path, key)
    return done


def unprotect(path: Path, key: str) -> encryption.Conversion:
    """Decrypt the (closed) database at ``path``; its keyring entry is removed too."""
    done = encryption.decrypt_database(path, key)
    keys.forget_key(path)
    return done
