"""Opening databases: creation, upgrade, refusal of foreign files, migrations matching models."""

from __future__ import annotations

import os
import sqlite3
from contextlib import closing
from pathlib import Path

import pytest
from alembic import command
from alembic.autogenerate import compare_metadata
from alembic.config import Config
from alembic.migration import MigrationContext
from sqlalchemy import create_engine, text

from pmpm_desktop.db.database import MIGRATIONS, DatabaseError, open_database, resolve_url
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


def _database_at(path: Path, revision: str) -> None:
    """A database file built by our migrations up to ``revision`` (an older release's)."""
    engine = create_engine(f"sqlite:///{path}")
    cfg = Config()
    cfg.set_main_option("script_location", str(MIGRATIONS))
    with engine.begin() as conn:
        cfg.attributes["connection"] = conn
        command.upgrade(cfg, revision)
    engine.dispose()


def test_old_schema_is_upgraded_after_a_verified_copy_holding_the_wal(tmp_path: Path) -> None:
    path = tmp_path / "old.sqlite3"
    _database_at(path, "0003")
    path.chmod(0o640)
    # A committed payer still in the WAL (no checkpoint: the writer stays open) is part of
    # the database, so it must be part of the copy.
    writer = sqlite3.connect(path)
    writer.execute("PRAGMA journal_mode=WAL")
    writer.execute("PRAGMA wal_autocheckpoint=0")
    writer.execute("INSERT INTO payers (code, name) VALUES ('SUN', 'Sunrise')")
    writer.commit()
    assert (tmp_path / "old.sqlite3-wal").stat().st_size > 0
    try:
        db = open_database(path)
        db.dispose()
    finally:
        writer.close()
    (copy,) = tmp_path.glob("old.before-upgrade-*.sqlite3")
    assert copy.stat().st_mode & 0o777 == 0o640
    with sqlite3.connect(copy) as conn:
        assert conn.execute("SELECT code FROM payers").fetchall() == [("SUN",)]
        assert conn.execute("SELECT version_num FROM alembic_version").fetchall() == [("0003",)]
        assert conn.execute("PRAGMA quick_check").fetchall() == [("ok",)]
    assert not list(tmp_path.glob("*.partial*"))


def test_newer_schema_is_refused_once_without_a_copy(tmp_path: Path) -> None:
    path = tmp_path / "newer.sqlite3"
    open_database(path).dispose()
    with closing(sqlite3.connect(path)) as conn, conn:
        conn.execute("UPDATE alembic_version SET version_num = '0099'")
    before = path.read_bytes()
    for _ in range(3):
        with pytest.raises(DatabaseError) as caught:
            open_database(path)
        assert str(caught.value) == (
            f"{path} was made by a newer PMPM Desktop (schema 0099); install that version"
        )
    assert sorted(p.name for p in tmp_path.iterdir()) == ["newer.sqlite3"]
    assert path.read_bytes() == before


@pytest.mark.skipif(os.name != "posix", reason="file modes are POSIX")
def test_a_new_database_and_the_folders_made_for_it_are_private(tmp_path: Path) -> None:
    mine = tmp_path / "mine"
    mine.mkdir(mode=0o755)
    mine.chmod(0o755)
    path = mine / "a" / "b" / "new.sqlite3"
    db = open_database(path)
    try:
        with db.sessions.begin() as s:  # a write, so the -wal exists while we look
            s.execute(text("INSERT INTO payers (code, name) VALUES ('SUN', 'Sunrise')"))
        with db.engine.connect():
            assert (path.parent / "new.sqlite3-wal").stat().st_mode & 0o777 == 0o600
            assert (path.parent / "new.sqlite3-shm").stat().st_mode & 0o777 == 0o600
    finally:
        db.dispose()
    assert path.stat().st_mode & 0o777 == 0o600
    assert (mine / "a").stat().st_mode & 0o777 == 0o700
    assert (mine / "a" / "b").stat().st_mode & 0o777 == 0o700
    assert mine.stat().st_mode & 0o777 == 0o755  # the user's own folder is left alone


@pytest.mark.skipif(os.name != "posix", reason="file modes are POSIX")
def test_an_existing_database_keeps_its_mode(tmp_path: Path) -> None:
    path = tmp_path / "shared.sqlite3"
    open_database(path).dispose()
    path.chmod(0o664)
    open_database(path).dispose()
    assert path.stat().st_mode & 0o777 == 0o664


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


@pytest.mark.skipif(os.name != "posix", reason="file modes are POSIX")
def test_the_default_data_folder_is_made_private(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    monkeypatch.delenv("PMPM_DB")
    monkeypatch.setenv("XDG_DATA_HOME", str(tmp_path / "home-data"))
    open_database().dispose()
    folder = tmp_path / "home-data" / "PMPM Desktop"
    assert folder.stat().st_mode & 0o777 == 0o700
    assert (folder / "pmpm.sqlite3").stat().st_mode & 0o777 == 0o600
