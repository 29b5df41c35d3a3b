"""``pmpm db encrypt|decrypt|status|unlock|forget``, and the password asked for at a terminal.

Passwords come from ``$PMPM_DB_KEY`` (automation), the OS keyring, or ``getpass`` when stdin is
a terminal; they are never taken on the command line, where other users see them in ``ps``.
"""

from __future__ import annotations

import argparse
import getpass
import json
import os
import sys
from pathlib import Path

from pmpm_desktop.db import keys
from pmpm_desktop.db.database import Database, open_database
from pmpm_desktop.db.encryption import KeyNeeded, WrongKey, looks_encrypted
from pmpm_desktop.errors import PmpmError

_TRIES = 3


def add_parser(sub: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    """The ``db`` command and its actions."""
    db = sub.add_parser(
        "db",
        help="protect the database with a password, or see whether it is",
        description="An encrypted database (SQLCipher) shows nothing to whoever copies the "
        "file. The password comes from $PMPM_DB_KEY, else this computer's keyring (service "
        "'PMPM Desktop', user = the database's path), else it is asked for at a terminal.",
    ).add_subparsers(dest="action", required=True)
    enc = db.add_parser(
        "encrypt",
        help="protect the database with a password (a new database is created protected)",
    )
    enc.add_argument(
        "--remember", action="store_true", help="store the password in this computer's keyring"
    )
    db.add_parser("decrypt", help="remove the password: the database becomes a plain file")
    st = db.add_parser("status", help="encrypted or not, the cipher, where the password is")
    st.add_argument("--json", action="store_true", help="print JSON instead of lines")
    db.add_parser("unlock", help="check the password and store it in this computer's keyring")
    db.add_parser("forget", help="remove the password from this computer's keyring")


def run(args: argparse.Namespace) -> int:
    from pmpm_desktop.services import protection

    path = protection.sqlite_path(args.db)
    action = args.action
    if action == "status":
        state = protection.status(path)
        if args.json:
            print(json.dumps(_status_json(state), indent=2))
        else:
            print("\n".join(state.lines()))
        return 0
    if action == "forget":
        gone = keys.forget_key(path)
        print(f"password {'removed from' if gone else 'was not in'} the keyring for {path}")
        return 0
    try:
        return _convert_or_unlock(action, path, args)
    except keys.KeyringUnavailable as exc:
        raise PmpmError(str(exc)) from None


def _convert_or_unlock(action: str, path: Path, args: argparse.Namespace) -> int:
    from pmpm_desktop.services import protection

    if action == "encrypt":
        if looks_encrypted(path):
            raise PmpmError(f"{path} is already protected with a password")
        key = _new_key()
        done = protection.protect(path, key, remember=args.remember)
        where = " and stored in the keyring" if args.remember else ""
        if done is None:
            print(f"created {path} protected with the password{where}")
        else:
            print(
                f"encrypted {path} ({done.tables} tables, {done.rows} rows checked){where}; "
                f"{protection.LEFT_BEHIND}"
            )
        return 0
    if not looks_encrypted(path):
        raise PmpmError(f"{path} is not protected with a password")
    key = _existing_key(path)
    if action == "decrypt":
        done = protection.unprotect(path, key)
        print(
            f"decrypted {path} ({done.tables} tables, {done.rows} rows checked): it is a plain "
            "file again, readable by anyone who has it"
        )
        return 0
    keys.store_key(path, key)
    print(f"the password of {path} is stored in the keyring ({keys.keyring_backend()})")
    return 0


def _status_json(state: object) -> dict[str, object]:
    from pmpm_desktop.services.protection import ProtectionStatus

    assert isinstance(state, ProtectionStatus)
    return {
        "database": str(state.path),
        "encrypted": state.encrypted,
        "cipher": f"SQLCipher {state.cipher}" if state.encrypted else None,
        "password": state.key_source.name.lower() if state.key_source else None,
        "keyring": state.keyring,
    }


def _tty() -> bool:
    return sys.stdin is not None and sys.stdin.isatty()


def _new_key() -> str:
    key = keys.env_key()
    if key is not None:
        return key
    if not _tty():
        raise PmpmError(
            "no password to protect the database with: set PMPM_DB_KEY, or run this in a "
            "terminal to type it"
        )
    first = getpass.getpass("New password for the database: ")
    if not first:
        raise PmpmError("the password is empty: nothing was changed")
    if getpass.getpass("The same password again: ") != first:
        raise PmpmError("the two passwords differ: nothing was changed")
    return first


def _existing_key(path: Path) -> str:
    """The password of the encrypted ``path``: environment, keyring, else typed (checked)."""
    found = keys.find_key(path)
    if found is not None:
        return _checked(path, found[0])
    if not _tty():
        raise PmpmError(
            f"{path} is protected with a password: set PMPM_DB_KEY, or run this in a terminal "
            "to type it"
        )
    for _ in range(_TRIES):
        key = getpass.getpass(f"Password for {path}: ")
        try:
            return _checked(path, key)
        except WrongKey as exc:
            print(f"pmpm: {exc}", file=sys.stderr)
    raise WrongKey(path)


def _checked(path: Path, key: str) -> str:
    from pmpm_desktop.db.encryption import open_checked

    open_checked(path, key).close()
    return key


def open_asking(target: str | os.PathLike[str] | None) -> Database:
    """``open_database``, asking for the password at a terminal when none is found."""
    try:
        return open_database(target)
    except KeyNeeded as exc:
        if not _tty():
            raise
        path = exc.path
    for attempt in range(_TRIES):
        key = getpass.getpass(f"Password for {path}: ")
        try:
            return open_database(target, key=key)
        except WrongKey:
            if attempt == _TRIES - 1:
                raise
            print(f"pmpm: the password does not open {path}; try again", file=sys.stderr)
    raise WrongKey(path)
