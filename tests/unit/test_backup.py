"""Backing up the open SQLite database while it is in use."""

from __future__ import annotations

from pathlib import Path

import pytest

from pmpm_desktop.db.database import Database, open_database
from pmpm_desktop.errors import UsageError
from pmpm_desktop.services.backup import BackupCancelled, backup_database
from pmpm_desktop.services.payers import add_payer, list_payers


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
    with pytest.raises(BackupCancelled):
        backup_database(db, target, lambda done, total: False)
    assert not target.exists()
    assert not list(tmp_path.glob("copy.sqlite3*"))


def test_backup_cannot_overwrite_the_database_itself(db: Database, db_path: Path) -> None:
    with pytest.raises(UsageError, match="cannot replace the database"):
        backup_database(db, db_path)
