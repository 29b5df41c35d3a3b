"""Opening databases: creation, upgrade, refusal of foreign files, migrations matching models."""

from __future__ import annotations

import sqlite3
from pathlib import Path

import pytest
from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext

from pmpm_desktop.db.database import DatabaseError, open_database, resolve_url
from pmpm_desktop.db.models import Base


def test_new_file_is_created_at_head_with_wal_and_foreign_keys(tmp_path: Path) -> None:
    db = open_database(tmp_path / "sub" / "new.sqlite3")
    with db.engine.connect() as conn:
        assert conn.exec_driver_sql("PRAGMA journal_mode").scalar() == "wal"
        assert conn.exec_driver_sql("PRAGMA foreign_keys").scalar() == 1
        assert "payers" in db.engine.dialect.get_table_names(conn)
    db.dispose()


def test_migrations_build_exactly_the_models(tmp_path: Path) -> None:
    db = open_database(tmp_path / "m.sqlite3")
    with db.engine.connect() as conn:
        diff = compare_metadata(MigrationContext.configure(conn), Base.metadata)
    db.dispose()
    assert diff == []


def test_reopening_is_idempotent(tmp_path: Path) -> None:
    path = tmp_path / "again.sqlite3"
    open_database(path).dispose()
    open_database(path).dispose()
    assert not list(tmp_path.glob("*before-upgrade*"))


def test_old_schema_is_backed_up_before_upgrade(tmp_path: Path) -> None:
    path = tmp_path / "old.sqlite3"
    open_database(path).dispose()
    with sqlite3.connect(path) as conn:
        conn.execute("UPDATE alembic_version SET version_num = 'base_fake'")
    with pytest.raises(DatabaseError):
        # An unknown revision cannot be upgraded; the file must be left as it was, with a copy.
        open_database(path)
    assert list(tmp_path.glob("old.before-upgrade-*.sqlite3"))


def test_a_foreign_sqlite_file_is_refused_clearly(tmp_path: Path) -> None:
    path = tmp_path / "other.sqlite3"
    with sqlite3.connect(path) as conn:
        conn.execute("CREATE TABLE customers (id INTEGER)")
    with pytest.raises(DatabaseError, match="not a PMPM Desktop database"):
        open_database(path)


def test_pmpm_db_variable_chooses_the_default(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    monkeypatch.setenv("PMPM_DB", str(tmp_path / "env.sqlite3"))
    assert resolve_url(None).endswith("env.sqlite3")
    assert resolve_url("postgresql://u@h/db") == "postgresql://u@h/db"
