"""Where the password of an encrypted database comes from: ``$PMPM_DB_KEY``, then the OS keyring.

The keyring entry is service "PMPM Desktop", user name = the database's absolute path, so each
database file has its own entry. A machine may have no keyring at all (a server, a bare Linux
desktop: ``keyring.backends.fail``); every function here turns that into None or one sentence.
"""

from __future__ import annotations

import enum
import os
from pathlib import Path

KEY_ENV = "PMPM_DB_KEY"
KEYRING_SERVICE = "PMPM Desktop"


class KeySource(enum.Enum):
    """Where a database's password was found."""

    ENV = "the PMPM_DB_KEY environment variable"
    KEYRING = "the keyring"
    GIVEN = "typed in"


class KeyringUnavailable(Exception):
    """The OS keyring cannot store or remove the password (the message says why)."""


def keyring_user(path: Path) -> str:
    """The keyring user name of the database at ``path``: its absolute path."""
    return str(Path(path).expanduser().resolve())


def env_key() -> str | None:
    """``$PMPM_DB_KEY`` when it is set and not empty."""
    return os.environ.get(KEY_ENV) or None


def keyring_backend() -> str | None:
    """The name of the OS keyring in use, or None when this machine has none."""
    try:
        import keyring
        from keyring.backends import fail

        backend = keyring.get_keyring()
    except Exception:  # a broken keyring install is "no keyring"
        return None
    if isinstance(backend, fail.Keyring):
        return None
    return type(backend).__name__


def keyring_key(path: Path) -> str | None:
    """The password stored in the keyring for ``path``; None when absent or no keyring works."""
    try:
        import keyring

        return keyring.get_password(KEYRING_SERVICE, keyring_user(path))
    except Exception:  # no backend, a locked or broken keyring: no key there
        return None


def find_key(path: Path) -> tuple[str, KeySource] | None:
    """The password for ``path`` from the environment, else the keyring, else None."""
    key = env_key()
    if key is not None:
        return key, KeySource.ENV
    key = keyring_key(path)
    if key:
        return key, KeySource.KEYRING
    return None


def store_key(path: Path, key: str) -> None:
    """Remember ``key`` for ``path`` in the keyring, or raise KeyringUnavailable."""
    try:
        import keyring

        keyring.set_password(KEYRING_SERVICE, keyring_user(path), key)
    except Exception as exc:  # every backend failure is one sentence
        raise KeyringUnavailable(_no_keyring(exc)) from None


def forget_key(path: Path) -> bool:
    """Remove the keyring entry of ``path``; False when there was none (or no keyring)."""
    try:
        import keyring

        if keyring.get_password(KEYRING_SERVICE, keyring_user(path)) is None:
            return False
        keyring.delete_password(KEYRING_SERVICE, keyring_user(path))
    except Exception:  # nothing stored where nothing can be stored
        return False
    return True


def _no_keyring(exc: Exception) -> str:
    from keyring.errors import NoKeyringError

    if isinstance(exc, NoKeyringError):
        return (
            "this computer has no keyring to remember the password in; set PMPM_DB_KEY or "
            "type the password at each start"
        )
    return (
        f"the keyring refused to store the password ({type(exc).__name__}); set PMPM_DB_KEY "
        "or type the password at each start"
    )
