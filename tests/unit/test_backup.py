"""Backing up the open SQLite database while it is in use."""

from __future__ import annotations

import os
import sqlite3
from contextlib import closing
from pathlib import Path

import pytest

from pmpm_desktop.db.database import Database, DatabaseError, open_database
from pmpm_desktop.db.sqlite_file import verify_copy
from pmpm_desktop.errors import UsageError
from pmpm_desktop.progress import Cancelled
from pmpm_desktop.services.backup import backup_database
from pmpm_desktop.services.payers import add_payer, list_payers
from tests.unit.db_states import small_disk


def test_backup_is_a_complete_database(db: Database, tmp_path: Path) -> None:
    add_payer(db, "SUN", "Sunrise Health Plan", 9)
    target = backup_database(db, tmp_path / "copy.sqlite3")
    copy = open_database(target)
    try:
        assert [p.code for p in list_payers(copy)] == ["SUN"]
    finally:
        copy.dispose()


def test_cancelled_backup_leaves_no_file(db: Database, tmp_path: Path) -> None:
    add_payer(db, "SUN", "Sunrise Health Plan")
    target = tmp_path / "copy.sqlite3"
    with pytest.raises(Cancelled):
        backup_database(db, target, lambda done, total: False)
    assert not target.exists()
    assert not list(tmp_path.glob("copy.sqlite3*"))


def test_backup_cannot_overwrite_the_database_itself(db: Database, db_path: Path) -> None:
    with pytest.raises(UsageError, match="cannot replace the database"):
        backup_database(db, db_path)


@pytest.mark.skipif(os.name != "posix", reason="file modes are POSIX")
@pytest.mark.parametrize("mode", [0o600, 0o640])
def test_backup_keeps_the_database_files_mode(
    db: Database, db_path: Path, tmp_path: Path, mode: int
) -> None:
    db_path.chmod(mode)
    target = backup_database(db, tmp_path / "copy.sqlite3")
    assert target.stat().st_mode & 0o777 == mode


def test_backup_holds_rows_committed_but_still_in_the_wal(
    db: Database, db_path: Path, tmp_path: Path
) -> None:
    writer = sqlite3.connect(db_path)
    try:
        writer.execute("PRAGMA wal_autocheckpoint=0")
        writer.execute("INSERT INTO payers (code, name) VALUES ('WAL', 'Only in the WAL')")
        writer.commit()
        assert (tmp_path / "pmpm.sqlite3-wal").stat().st_size > 0
        target = backup_database(db, tmp_path / "copy.sqlite3")
    finally:
        writer.close()
    with closing(sqlite3.connect(target)) as conn:
        assert conn.execute("SELECT code FROM payers").fetchall() == [("WAL",)]


def test_a_full_disk_during_backup_leaves_no_file(demo: Database, tmp_path: Path) -> None:
    with small_disk(tmp_path / "disk", 64) as disk:
        target = disk / "copy.sqlite3"
        with pytest.raises(DatabaseError) as caught:
            backup_database(demo, target)
        assert str(caught.value) == (
            f"the disk holding {target} is full: nothing was saved; free space and try again"
        )
        assert list(disk.iterdir()) == []


def test_a_database_that_fails_its_check_is_not_kept_as_a_backup(
    db: Database, tmp_path: Path
) -> None:
    """A copy of a damaged database must not pass for a backup (quick_check on the copy)."""
    damaged = tmp_path / "damaged.sqlite3"
    damaged.write_bytes(b"")
    with pytest.raises(DatabaseError, match="did not check out"):
        verify_copy(damaged, tmp_path / "copy.sqlite3")
