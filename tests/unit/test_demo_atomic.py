"""The demo practice is built aside and moved in at the end: a kill or a cancel leaves the
database empty and the demo re-runnable, and no member data behind."""

from __future__ import annotations

import os
from collections.abc import Callable
from pathlib import Path

import pytest

from pmpm_desktop.db.database import open_database
from pmpm_desktop.io.private_files import remove_stale
from pmpm_desktop.progress import Cancelled
from pmpm_desktop.services import payers
from pmpm_desktop.services.database_copy import is_empty
from pmpm_desktop.services.demo import build_demo
from tests.conftest import CliResult, cli_runner, mode
from tests.unit.kill_checks import files_holding, integrity, run_killed

#: demo last names long enough not to turn up in bytes by chance
NAMES = ["Rodriguez", "Hernandez", "Martinez", "Gonzalez", "Anderson", "Thompson", "Robinson"]


@pytest.mark.parametrize("step", [2, 44], ids=["first-import", "before-moving-in"])
def test_a_killed_demo_leaves_the_database_empty_and_nothing_readable(
    tmp_path: Path, db_path: Path, private: Path, cli: Callable[..., CliResult], step: int
) -> None:
    open_database(db_path).dispose()  # an empty database at the latest schema
    run_killed(tmp_path, "demo", db_path, str(step))

    assert integrity(db_path) == "ok"
    database = open_database(db_path)
    try:
        assert is_empty(database)
    finally:
        database.dispose()
    assert not (tmp_path / "demo-files").exists()
    assert not list(tmp_path.rglob("*.partial"))
    assert list((tmp_path / "tmp").iterdir()) == []  # nothing in TMPDIR
    # the killed run's scratch database and files are in the private folder, and only there
    assert files_holding(private, NAMES)
    assert not files_holding(tmp_path, NAMES, skip=private.rglob("*"))

    if step == 2:
        remove_stale()  # what the next start does: then no member data is left anywhere
        assert list(private.glob("*")) == []
        assert files_holding(tmp_path, NAMES) == []
    else:
        result = cli("demo", "--members", "10")  # the next start cleans up, and the demo runs
        assert result.code == 0, result.err
        assert "needs an empty database" not in result.err
        assert list(private.glob("*")) == []


def test_a_cancelled_demo_leaves_an_empty_database(db_path: Path, private: Path) -> None:
    database = open_database(db_path)
    try:
        with pytest.raises(Cancelled):
            build_demo(database, members=10, progress=lambda done, total: done < 5)
        assert is_empty(database)
        assert not (db_path.parent / "demo-files").exists()
        assert list(private.glob("*")) == []
    finally:
        database.dispose()


def test_the_demo_refuses_a_database_with_data_but_not_an_empty_schema(
    db_path: Path, private: Path
) -> None:
    database = open_database(db_path)
    try:
        payers.add_payer(database, "ACME", "Acme Health", None)
        with pytest.raises(Exception, match="needs an empty database"):
            build_demo(database, members=10)
        assert [p.code for p in payers.list_payers(database)] == ["ACME"]
    finally:
        database.dispose()
    assert remove_stale() == 0


@pytest.mark.skipif(os.name != "posix", reason="file modes are POSIX")
def test_demo_files_are_private(demo_db: Path, _demo_template: Path) -> None:
    folder = _demo_template.parent / "demo-files"
    assert mode(folder) == 0o700 and mode(folder / "new-month") == 0o700
    files = list(folder.rglob("*.xlsx"))
    assert len(files) > 40
    assert {mode(f) for f in files} == {0o600}


def test_on_postgresql_the_demo_is_copied_in_and_new_ids_follow_its_rows(
    postgres_url: str, capsys: pytest.CaptureFixture[str]
) -> None:
    from tests.unit.test_postgres import _create_database

    run = cli_runner(_create_database(postgres_url), capsys)
    assert run("demo", "--members", "10").code == 0
    assert "needs an empty database" in run("demo", "--members", "10").err
    # the rows came with their ids: the sequences continue after them
    assert run("payer", "add", "--code", "ZED", "--name", "Zed Health").code == 0
    assert "ZED" in run("payer", "list").out
