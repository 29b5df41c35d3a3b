"""The encrypted database: nothing readable in its bytes, round trips, keys, sentences, kills."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from pmpm_desktop.core.month import Month
from pmpm_desktop.db import encryption, keys
from pmpm_desktop.db.database import Database, DatabaseError, open_database
from pmpm_desktop.db.encryption import KeyNeeded, WrongKey
from pmpm_desktop.services import importing
from pmpm_desktop.services.backup import backup_database
from pmpm_desktop.services.payers import add_payer, list_payers
from pmpm_desktop.services.reconciling import reconcile
from tests.conftest import cli_runner
from tests.unit.files import ROSTER_HEADERS, xlsx
from tests.unit.memory_keyring import locked_keyring, memory_keyring  # noqa: F401 - fixtures
from tests.unit.practice import add_sunrise

KEY = 'cor\'rect "horse" ñ'
NAME = b"ZAMBRANOQX"
MEMBER_ID = b"987654321"
HEADER = b"SQLite format 3"
ROOT = Path(__file__).resolve().parents[2]


@pytest.fixture(autouse=True)
def _no_env_key(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv(keys.KEY_ENV, raising=False)


def _fill(db: Database, tmp_path: Path) -> None:
    """A payer, rates, one roster of two members, reconciled (the Arrow caches filled too)."""
    add_sunrise(db, tmp_path)
    import datetime as dt

    rows = [
        [MEMBER_ID.decode(), NAME.decode(), "LINH", dt.date(2019, 3, 12), "F", "MCD", "TANF"],
        ["000000002", "BRAVO", "BEN", dt.date(2024, 1, 15), "M", "MCD", "TANF"],
    ]
    rows = [[*r, None, None] for r in rows]
    importing.import_roster(
        db, "SUN", Month(2026, 1), xlsx(tmp_path / "r.xlsx", ROSTER_HEADERS, rows)
    )
    reconcile(db, "SUN", Month(2026, 1), Month(2026, 1))


def _counts(db: Database) -> dict[str, int]:
    raw = db.engine.raw_connection()
    try:
        return encryption.row_counts(raw.driver_connection)
    finally:
        raw.close()


def _assert_unreadable(path: Path) -> None:
    data = path.read_bytes()
    assert data, path
    for secret in (NAME, MEMBER_ID, HEADER):
        assert secret not in data, (path.name, secret)


def test_encrypted_file_its_wal_and_its_backup_hold_no_member_data(tmp_path: Path) -> None:
    folder = tmp_path / "office"
    path = folder / "pmpm.sqlite3"
    db = open_database(path, key=KEY)
    try:
        _fill(db, tmp_path)
        wal = path.with_name(path.name + "-wal")
        assert wal.stat().st_size > 0
        _assert_unreadable(wal)
        backup = backup_database(db, folder / "copy.sqlite3")
        with db.engine.connect() as conn:
            # temporary tables and sorts stay in memory: no plain temp file beside or in TMPDIR
            assert conn.exec_driver_sql("PRAGMA temp_store").scalar() == 2
    finally:
        db.dispose()
    _assert_unreadable(path)
    _assert_unreadable(backup)
    assert sorted(p.name for p in folder.iterdir()) == ["copy.sqlite3", "pmpm.sqlite3"]
    with pytest.raises(KeyNeeded):
        open_database(backup)
    copy = open_database(backup, key=KEY)
    try:
        assert [p.code for p in list_payers(copy)] == ["SUN"]
    finally:
        copy.dispose()


def test_encrypt_use_decrypt_keeps_every_row(db: Database, db_path: Path, tmp_path: Path) -> None:
    _fill(db, tmp_path)
    before = _counts(db)
    db.dispose()
    done = encryption.encrypt_database(db_path, KEY)
    assert done.rows == sum(before.values())
    _assert_unreadable(db_path)
    assert db_path.stat().st_mode & 0o777 == 0o600
    enc = open_database(db_path, key=KEY)
    try:
        assert _counts(enc) == before
        reconcile(enc, "SUN", Month(2026, 1), Month(2026, 1))
        after_use = _counts(enc)
    finally:
        enc.dispose()
    encryption.decrypt_database(db_path, KEY)
    assert db_path.read_bytes().startswith(HEADER)
    plain = open_database(db_path)
    try:
        assert _counts(plain) == after_use
    finally:
        plain.dispose()
    assert sorted(p.name for p in db_path.parent.glob("pmpm.sqlite3*")) == ["pmpm.sqlite3"]


def test_wrong_and_missing_passwords_are_one_sentence(tmp_path: Path) -> None:
    path = tmp_path / "p.sqlite3"
    open_database(path, key=KEY).dispose()
    with pytest.raises(KeyNeeded) as no_key:
        open_database(path)
    assert str(no_key.value) == (
        f"{path} is protected with a password (or damaged): set PMPM_DB_KEY, or store the "
        "password in this computer's keyring with `pmpm db unlock`"
    )
    with pytest.raises(WrongKey) as wrong:
        open_database(path, key="not it")
    assert str(wrong.value) == f"the password does not open {path}"
    with pytest.raises(DatabaseError, match="the password is empty"):
        open_database(path, key="")


def test_a_password_given_for_a_plain_database_is_refused(db: Database, db_path: Path) -> None:
    db.dispose()
    with pytest.raises(DatabaseError, match="is not protected with a password"):
        open_database(db_path, key=KEY)


@pytest.mark.usefixtures("memory_keyring")
def test_the_environment_then_the_keyring_give_the_password(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    path = tmp_path / "p.sqlite3"
    open_database(path, key=KEY).dispose()
    keys.store_key(path, KEY)
    db = open_database(path)
    assert db.key == KEY
    db.dispose()
    monkeypatch.setenv(keys.KEY_ENV, "wrong")
    with pytest.raises(WrongKey):
        open_database(path)  # the environment comes first, even when the keyring is right
    assert keys.forget_key(path)
    assert not keys.forget_key(path)


@pytest.mark.usefixtures("locked_keyring")
def test_a_locked_keyring_means_no_password_not_an_error(tmp_path: Path) -> None:
    path = tmp_path / "p.sqlite3"
    open_database(path, key=KEY).dispose()
    with pytest.raises(KeyNeeded):
        open_database(path)
    with pytest.raises(keys.KeyringUnavailable, match="the keyring refused to store"):
        keys.store_key(path, KEY)
    assert keys.forget_key(path) is False


def test_no_keyring_on_this_machine_is_said_in_words(tmp_path: Path) -> None:
    import keyring
    from keyring.backends import fail

    before = keyring.get_keyring()
    keyring.set_keyring(fail.Keyring())
    try:
        assert keys.keyring_backend() is None
        assert keys.keyring_key(tmp_path / "p.sqlite3") is None
        with pytest.raises(keys.KeyringUnavailable, match="this computer has no keyring"):
            keys.store_key(tmp_path / "p.sqlite3", KEY)
    finally:
        keyring.set_keyring(before)


def test_a_file_that_is_neither_sqlite_nor_whole_pages_is_not_taken_for_encrypted(
    tmp_path: Path,
) -> None:
    path = tmp_path / "notes.sqlite3"
    path.write_bytes(b"PK\x03\x04 a workbook, not a database")
    assert not encryption.looks_encrypted(path)
    with pytest.raises(DatabaseError) as err:
        open_database(path)
    assert "password" not in str(err.value)


_HOLDER = """
import sqlite3, sys
conn = sqlite3.connect(sys.argv[1])
conn.execute("SELECT count(*) FROM payers").fetchall()
print("open", flush=True)
sys.stdin.read()
"""


def test_a_database_open_in_another_program_is_not_converted(db: Database, db_path: Path) -> None:
    db.dispose()
    before = db_path.read_bytes()
    # Another process: SQLite's POSIX locks cannot tell two connections of one process apart.
    holder = subprocess.Popen(
        [sys.executable, "-c", _HOLDER, str(db_path)],
        stdin=subprocess.PIPE,
        stdout=subprocess.PIPE,
        text=True,
    )
    try:
        assert holder.stdout is not None and holder.stdout.readline() == "open\n"
        with pytest.raises(DatabaseError, match="another program is using"):
            encryption.encrypt_database(db_path, KEY)
    finally:
        holder.communicate("")
    assert db_path.read_bytes() == before
    assert sorted(p.name for p in db_path.parent.glob("pmpm.sqlite3*")) == ["pmpm.sqlite3"]


def test_the_copy_before_an_upgrade_stays_encrypted(tmp_path: Path) -> None:
    from alembic import command

    from pmpm_desktop.db.database import _alembic_config

    path = tmp_path / "old.sqlite3"
    db = open_database(path, key=KEY)
    with db.engine.begin() as conn:  # an encrypted database of the previous version
        cfg = _alembic_config()
        cfg.attributes["connection"] = conn
        command.downgrade(cfg, "0004")
    db.dispose()
    open_database(path, key=KEY).dispose()
    [copy] = tmp_path.glob("old.before-upgrade-*.sqlite3")
    assert HEADER not in copy.read_bytes()
    conn = encryption.open_checked(copy, KEY)
    assert conn.execute("SELECT version_num FROM alembic_version").fetchone()[0] == "0004"
    conn.close()


@settings(max_examples=4, deadline=None)
@given(st.text(st.characters(blacklist_characters="\x00"), min_size=1, max_size=40))
def test_any_password_opens_what_it_locked(
    tmp_path_factory: pytest.TempPathFactory, key: str
) -> None:
    path = tmp_path_factory.mktemp("k") / "k.sqlite3"
    conn = encryption.connect(path, key)
    conn.execute("CREATE TABLE t (x)")
    conn.commit()
    conn.close()
    encryption.open_checked(path, key).close()
    with pytest.raises(WrongKey):
        encryption.open_checked(path, key + "x")


def test_cli_encrypts_then_works_with_pmpm_db_key(
    db_path: Path,
    tmp_path: Path,
    capsys: pytest.CaptureFixture[str],
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    cli = cli_runner(db_path, capsys)
    assert cli("payer", "add", "--code", "SUN", "--name", NAME.decode()).code == 0
    r = cli("db", "encrypt")
    assert r.code == 1 and "set PMPM_DB_KEY, or run this in a terminal" in r.err
    monkeypatch.setenv(keys.KEY_ENV, KEY)
    r = cli("db", "encrypt")
    assert r.code == 0, r.err
    assert "the plain file was replaced and deleted" in r.out
    _assert_unreadable(db_path)
    r = cli("payer", "list", "--json")
    assert r.code == 0 and NAME.decode() in r.out
    status = cli("db", "status", "--json").json()
    assert status["encrypted"] is True and status["password"] == "env"
    assert status["cipher"].startswith("SQLCipher 4.")
    monkeypatch.delenv(keys.KEY_ENV)
    r = cli("payer", "list")
    assert r.code == 1
    assert r.err == (
        f"pmpm: {db_path} is protected with a password (or damaged): set PMPM_DB_KEY, or "
        "store the password in this computer's keyring with `pmpm db unlock`\n"
    )
    monkeypatch.setenv(keys.KEY_ENV, "wrong")
    r = cli("payer", "list")
    assert (r.code, r.err) == (1, f"pmpm: the password does not open {db_path}\n")
    monkeypatch.setenv(keys.KEY_ENV, KEY)
    assert cli("db", "decrypt").code == 0
    monkeypatch.delenv(keys.KEY_ENV)
    assert NAME.decode() in cli("payer", "list").out


@pytest.mark.usefixtures("memory_keyring")
def test_cli_remembers_in_the_keyring_and_unlocks(
    db_path: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    cli = cli_runner(db_path, capsys)
    monkeypatch.setenv(keys.KEY_ENV, KEY)
    r = cli("db", "encrypt", "--remember")
    assert r.code == 0 and "created" in r.out and "stored in the keyring" in r.out
    monkeypatch.delenv(keys.KEY_ENV)
    assert cli("payer", "list").code == 0
    assert cli("db", "status", "--json").json()["password"] == "keyring"
    assert cli("db", "forget").code == 0
    assert cli("payer", "list").code == 1
    monkeypatch.setenv(keys.KEY_ENV, KEY)
    assert cli("db", "unlock").code == 0
    monkeypatch.delenv(keys.KEY_ENV)
    assert cli("payer", "list").code == 0


def test_cli_remember_without_a_keyring_changes_nothing(
    db_path: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    cli = cli_runner(db_path, capsys)
    assert cli("init").code == 0
    monkeypatch.setenv(keys.KEY_ENV, KEY)
    r = cli("db", "encrypt", "--remember")
    assert r.code == 1 and "this computer has no keyring" in r.err
    assert db_path.read_bytes().startswith(HEADER)


_KILLER = """
import os, signal, sys
from pathlib import Path
from pmpm_desktop.db import encryption
path, at, direction = Path(sys.argv[1]), sys.argv[2], sys.argv[3]
def step(name):
    if name == at:
        os.kill(os.getpid(), signal.SIGKILL)
old, new = (None, sys.argv[4]) if direction == "encrypt" else (sys.argv[4], None)
encryption._convert(path, old, new, step=step)
"""


@pytest.mark.parametrize(
    ("direction", "at"),
    [("encrypt", "exported"), ("encrypt", "replaced"), ("decrypt", "checked")],
)
def test_a_kill_during_a_conversion_leaves_one_whole_database(
    db: Database, db_path: Path, tmp_path: Path, at: str, direction: str
) -> None:
    add_payer(db, "SUN", NAME.decode(), 9)
    before = _counts(db)
    db.dispose()
    if direction == "decrypt":
        encryption.encrypt_database(db_path, KEY)
    run = subprocess.run(
        [sys.executable, "-c", _KILLER, str(db_path), at, direction, KEY],
        cwd=ROOT,
        capture_output=True,
        check=False,
    )
    assert run.returncode == -signal.SIGKILL, run.stderr
    now_encrypted = encryption.looks_encrypted(db_path)
    switched = at == "replaced"
    assert now_encrypted == ((direction == "encrypt") == switched)
    again = open_database(db_path, key=KEY if now_encrypted else None)
    try:
        assert _counts(again) == before
        with again.engine.connect() as conn:
            assert conn.exec_driver_sql("PRAGMA integrity_check").scalar() == "ok"
    finally:
        again.dispose()
    # what the killed conversion left beside the database went at this open
    assert sorted(p.name for p in tmp_path.glob("pmpm.sqlite3.*")) == []
    assert os.access(db_path, os.R_OK)
