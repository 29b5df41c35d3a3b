"""Locked, read-only, damaged, newer and full databases: each gets its sentence, exit code 1,
no SQL text, no member data, and the database is left as it was."""

from __future__ import annotations

import os
import shutil
import sqlite3
import subprocess
import sys
from collections.abc import Callable, Iterator
from contextlib import closing
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import Engine, event

from pmpm_desktop.db import busy
from tests.unit.db_states import (
    MEMBER,
    assert_clean,
    fill,
    fingerprint,
    lock_holder,
    read_only_file,
    read_only_folder,
    release,
    roster_file,
    small_disk,
)
from tests.unit.test_database import _database_at

Cli = Callable[..., Any]
IMPORT = ("roster", "import", "--payer", "SUN", "--month", "2026-07")


# --- locked -------------------------------------------------------------------------------


def test_a_lock_held_past_the_limit_fails_naming_the_database_and_writes_nothing(
    demo_db: Path, cli: Cli, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(busy, "WAIT_LIMIT_S", 0.3)
    monkeypatch.setattr(busy, "STEP_S", 0.05)
    roster = roster_file(tmp_path)
    holder = lock_holder(demo_db)
    try:
        r = cli(*IMPORT, roster)
    finally:
        release(holder)
    assert r.code == 1
    lines = r.err.splitlines()
    assert lines == [
        f"pmpm: waiting for another program using the database {demo_db}…",
        f"pmpm: the database {demo_db} is in use by another program (waited 0.3 s); "
        "close it and try again",
    ]
    assert_clean(r.err + r.out)
    with closing(sqlite3.connect(demo_db)) as conn:
        assert conn.execute(
            "SELECT count(*) FROM members WHERE member_id = ?", MEMBER[:1]
        ).fetchone() == (0,)


def test_an_import_waits_for_another_program_and_then_succeeds(
    demo_db: Path, tmp_path: Path
) -> None:
    """A real `pmpm` process: once it says it is waiting, the other program lets go."""
    roster = roster_file(tmp_path)
    holder = lock_holder(demo_db)
    try:
        proc = subprocess.Popen(
            [sys.executable, "-m", "pmpm_desktop.cli", "--db", str(demo_db), *IMPORT, str(roster)],
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
            cwd=Path(__file__).parents[2],
        )
        assert proc.stderr is not None
        first = proc.stderr.readline()
        assert first == f"pmpm: waiting for another program using the database {demo_db}…\n"
    finally:
        release(holder)
    out, err = proc.communicate(timeout=60)
    assert proc.returncode == 0, err
    assert err == ""
    with closing(sqlite3.connect(demo_db)) as conn:
        assert conn.execute("SELECT code FROM payers WHERE code = 'OTH'").fetchone() == ("OTH",)
        assert conn.execute(
            "SELECT count(*) FROM members WHERE member_id = ?", MEMBER[:1]
        ).fetchone() == (1,)


def test_only_plain_busy_is_retried() -> None:
    calls: list[int] = []
    stale = sqlite3.OperationalError("database is locked")
    stale.sqlite_errorcode = 517  # type: ignore[attr-defined] - SQLITE_BUSY_SNAPSHOT

    def snapshot() -> None:
        calls.append(1)
        raise stale

    with pytest.raises(sqlite3.OperationalError):
        busy.retry_busy("db", snapshot)
    assert calls == [1]


# --- read-only ----------------------------------------------------------------------------


@pytest.fixture
def frozen(tmp_path: Path, _demo_template: Path) -> Iterator[Path]:
    """The demo practice in a folder nobody may write (a WAL database without its -shm)."""
    folder = tmp_path / "frozen"
    folder.mkdir()
    path = folder / "pmpm.sqlite3"
    shutil.copyfile(_demo_template, path)
    with read_only_folder(folder):
        yield path


def _read_commands_work(cli: Cli, tmp_path: Path) -> None:
    r = cli("payer", "list")
    assert r.code == 0, r.err
    assert "SUN" in r.out
    r = cli("discrepancies", "--payer", "SUN")
    assert r.code == 0, r.err
    r = cli("report", "--from", "2026-01", "--to", "2026-06", "--out", tmp_path / "r.xlsx")
    assert r.code == 0, r.err


def test_a_database_in_a_read_only_folder_serves_reads_and_refuses_writes(
    frozen: Path, capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    from tests.conftest import cli_runner

    cli = cli_runner(frozen, capsys)
    before = fingerprint(frozen, immutable=True)
    _read_commands_work(cli, tmp_path)
    r = cli(*IMPORT, roster_file(tmp_path))
    assert r.code == 1
    why = "the disk holding it is read-only" if os.geteuid() == 0 else "the file is read-only"
    assert r.err == (
        f"pmpm: the database {frozen} is read-only ({why}): make it writable, or open a copy "
        "of it in a folder you can write\n"
    )
    assert_clean(r.err + r.out)
    assert fingerprint(frozen, immutable=True) == before
    assert sorted(p.name for p in frozen.parent.iterdir()) == ["pmpm.sqlite3"]


def test_a_read_only_file_in_a_writable_folder_serves_reads_and_refuses_writes(
    demo_db: Path, cli: Cli, tmp_path: Path
) -> None:
    before = fingerprint(demo_db)
    with read_only_file(demo_db):
        _read_commands_work(cli, tmp_path)
        r = cli("payer", "add", "--code", "NEW", "--name", "New Plan")
        assert r.code == 1
        assert f"the database {demo_db} is read-only (" in r.err
        assert_clean(r.err)
    assert fingerprint(demo_db) == before


def test_a_read_only_database_that_needs_an_upgrade_says_it_cannot_be(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    from tests.conftest import cli_runner

    folder = tmp_path / "old"
    folder.mkdir()
    path = folder / "old.sqlite3"
    _database_at(path, "0003")
    with read_only_folder(folder):
        r = cli_runner(path, capsys)("payer", "list")
        assert r.code == 1
        assert "so it cannot be upgraded to this version of PMPM Desktop" in r.err
        assert r.err.startswith(f"pmpm: the database {path} is read-only (")
        assert sorted(p.name for p in folder.iterdir()) == ["old.sqlite3"]


# --- damaged and newer --------------------------------------------------------------------


def _garbage(data: bytes) -> bytes:
    return bytes((i * 7 + 3) % 256 for i in range(len(data)))


def _truncated(data: bytes) -> bytes:
    return data[: len(data) // 2]


def _bad_header(data: bytes) -> bytes:
    return b"Not a database!\0" + data[16:]


def _bad_pages(data: bytes) -> bytes:
    middle = len(data) // 4096 // 2 * 4096
    return data[:middle] + b"\xa5" * 8 * 4096 + data[middle + 8 * 4096 :]


@pytest.mark.parametrize("damage", [_garbage, _truncated, _bad_header, _bad_pages])
def test_a_damaged_database_says_so_without_sql(
    demo_db: Path, cli: Cli, damage: Callable[[bytes], bytes]
) -> None:
    demo_db.write_bytes(damage(demo_db.read_bytes()))
    before = demo_db.read_bytes()
    r = cli("reconcile", "--payer", "SUN", "--from", "2026-01", "--to", "2026-06")
    assert r.code == 1
    if damage is _garbage:
        # whole pages of noise cannot be told from a database encrypted with a password
        assert r.err.startswith(f"pmpm: {demo_db} is protected with a password (or damaged): ")
    else:
        assert r.err == (
            f"pmpm: {demo_db} is damaged or not a PMPM Desktop database: restore a backup\n"
        )
    assert demo_db.read_bytes() == before
    assert not list(demo_db.parent.glob("*before-upgrade*"))


def test_a_newer_database_is_refused_without_a_copy(db_path: Path, cli: Cli) -> None:
    assert cli("init").code == 0
    with closing(sqlite3.connect(db_path)) as conn, conn:
        conn.execute("UPDATE alembic_version SET version_num = '0099'")
    for _ in range(3):
        r = cli("payer", "list")
        assert r.code == 1
        assert r.err == (
            f"pmpm: {db_path} was made by a newer PMPM Desktop (schema 0099); "
            "install that version\n"
        )
    assert not list(db_path.parent.glob("*before-upgrade*"))


# --- full disk ----------------------------------------------------------------------------


def test_a_full_database_saves_nothing_and_says_so(demo_db: Path, cli: Cli, tmp_path: Path) -> None:
    """SQLite's own page limit (PRAGMA max_page_count) stands in for a full disk."""
    roster = roster_file(tmp_path)
    before = fingerprint(demo_db)

    def no_room(dbapi_connection: Any, _record: Any) -> None:
        pages = dbapi_connection.execute("PRAGMA page_count").fetchone()[0]
        dbapi_connection.execute(f"PRAGMA max_page_count={pages}")

    event.listen(Engine, "connect", no_room)
    try:
        r = cli(*IMPORT, roster)
    finally:
        event.remove(Engine, "connect", no_room)
    assert r.code == 1
    assert r.err == (
        f"pmpm: the disk holding {demo_db} is full: nothing was saved; free space and try again\n"
    )
    assert_clean(r.err + r.out)
    assert fingerprint(demo_db) == before


def test_a_full_disk_during_an_import_saves_nothing(
    tmp_path: Path, _demo_template: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    from tests.conftest import cli_runner

    size = _demo_template.stat().st_size
    with small_disk(tmp_path / "disk", size // 1024 + 256) as disk:
        path = disk / "pmpm.sqlite3"
        shutil.copyfile(_demo_template, path)
        cli = cli_runner(path, capsys)
        assert cli("payer", "list").code == 0
        before = fingerprint(path)
        fill(disk, 8 * 1024)
        r = cli(*IMPORT, roster_file(tmp_path))
        assert r.code == 1
        assert r.err == (
            f"pmpm: the disk holding {path} is full: nothing was saved; free space and try again\n"
        )
        (disk / "filler").unlink()
        assert fingerprint(path) == before
