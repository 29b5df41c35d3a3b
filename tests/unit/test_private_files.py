"""Our private folder: modes, files moved into place whole, and the cleanup of killed runs."""

from __future__ import annotations

import logging.handlers
import os
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import openpyxl
import pytest

from pmpm_desktop.io import private_files as pf
from pmpm_desktop.io.problems_export import Problem, write_problems
from pmpm_desktop.io.xlsx_writer import write_sheet
from tests.conftest import mode

posix_only = pytest.mark.skipif(os.name != "posix", reason="file modes are POSIX")


def dead_pid() -> int:
    """The id of a process that has ended (and been reaped)."""
    proc = subprocess.Popen([sys.executable, "-c", "pass"])
    proc.wait()
    return proc.pid


@posix_only
def test_private_folder_is_created_0700_and_narrowed_when_wider(private: Path) -> None:
    assert pf.private_root() == private
    assert mode(private) == 0o700
    private.chmod(0o755)
    pf.private_root()
    assert mode(private) == 0o700


@posix_only
def test_private_file_is_0600_and_never_an_existing_one(private: Path) -> None:
    path = pf.private_root() / "x"
    os.close(pf.create_private_file(path))
    assert mode(path) == 0o600
    with pytest.raises(FileExistsError):
        pf.create_private_file(path)


@posix_only
def test_atomic_output_moves_a_complete_0600_file_and_leaves_nothing(
    tmp_path: Path, private: Path
) -> None:
    target = tmp_path / "out.csv"
    with pf.atomic_output(target) as tmp:
        assert tmp.parent.parent == private and tmp.parent.name.startswith(f"run-{os.getpid()}-")
        tmp.write_text("member 000424242\n")
        assert not target.exists()
    assert target.read_text() == "member 000424242\n"
    assert mode(target) == 0o600
    assert list(private.iterdir()) == []


def test_atomic_output_on_error_keeps_the_earlier_file(tmp_path: Path, private: Path) -> None:
    target = tmp_path / "out.csv"
    target.write_text("earlier")
    with pytest.raises(RuntimeError), pf.atomic_output(target) as tmp:
        tmp.write_text("half")
        raise RuntimeError("stop")
    assert target.read_text() == "earlier"
    assert list(private.iterdir()) == []
    assert sorted(p.name for p in tmp_path.iterdir()) == ["out.csv", "private"]


@posix_only
def test_a_target_on_another_device_gets_a_copy_then_a_rename(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    shm = Path("/dev/shm")
    if not shm.is_dir() or shm.stat().st_dev == tmp_path.stat().st_dev:
        pytest.skip("no second file system to write across")
    private = Path(tempfile.mkdtemp(dir=shm, prefix="pmpm-test-"))
    try:
        monkeypatch.setenv(pf.ENV_VAR, str(private))
        target = tmp_path / "report.csv"
        with pf.atomic_output(target) as tmp:
            tmp.write_text("rows")
        assert target.read_text() == "rows" and mode(target) == 0o600
        assert [p.name for p in tmp_path.iterdir()] == ["report.csv"]  # no partial copy left
        assert list(private.iterdir()) == []  # no marker, no run folder
    finally:
        shutil.rmtree(private, ignore_errors=True)


def test_remove_stale_takes_only_what_dead_or_day_old_runs_left(
    tmp_path: Path, private: Path
) -> None:
    root = pf.private_root()
    gone = dead_pid()
    dead_dir = root / f"run-{gone}-abc123-demo"
    dead_dir.mkdir()
    (dead_dir / "rows.xml").write_text("<c>Nguyen</c>")
    dead_file = root / f"run-{gone}-def456"
    dead_file.write_text("x")
    mine = root / pf.run_name("report")
    mine.mkdir()
    parent = root / f"run-{os.getppid()}-aaa111"  # a run still going (the test runner's parent)
    parent.mkdir()
    old = root / f"run-{os.getppid()}-bbb222"  # its pid is alive, but the item is two days old
    old.mkdir()
    two_days_ago = time.time() - 2 * 86400
    os.utime(old, (two_days_ago, two_days_ago))
    other = root / "notes.txt"  # not one of our run items: never touched
    other.write_text("keep")
    # a copy beside a target on another device, named by its marker
    partial = tmp_path / f".report.xlsx.run-{gone}-fed987.partial"
    partial.write_text("half")
    (root / f"run-{gone}-fed987.pending").write_text(str(partial))
    unrelated = tmp_path / "report.xlsx"
    unrelated.write_text("the user's")

    assert pf.remove_stale() == 4
    assert sorted(p.name for p in root.iterdir()) == sorted([mine.name, parent.name, "notes.txt"])
    assert not partial.exists() and unrelated.read_text() == "the user's"


def test_remove_stale_without_the_folder_does_nothing(private: Path) -> None:
    assert pf.remove_stale() == 0
    assert not private.exists()


def test_a_pid_that_ended_is_not_running() -> None:
    assert pf.pid_running(os.getpid())
    assert not pf.pid_running(dead_pid())


@posix_only
def test_problem_lists_and_payer_sheets_are_0600(tmp_path: Path, private: Path) -> None:
    problems = [Problem(2, "Member ID", "000424242", "not a valid ID")]
    for name in ("problems.csv", "problems.xlsx"):
        out = write_problems(tmp_path / name, problems)
        assert mode(out) == 0o600
    sheet = tmp_path / "roster.xlsx"
    write_sheet(sheet, ["Member ID"], [["000424242"]])
    assert mode(sheet) == 0o600
    assert openpyxl.load_workbook(sheet).active["A2"].value == "000424242"
    assert list(private.iterdir()) == []


@posix_only
def test_the_log_folder_is_0700_and_its_files_0600_rotated_ones_too(tmp_path: Path) -> None:
    from pmpm_desktop.ui import logs

    folder = logs.log_path().parent
    folder.mkdir(parents=True)
    folder.chmod(0o755)
    older = folder / "pmpm-desktop.log.1"
    older.write_text("old")
    older.chmod(0o644)
    path = logs.setup_logging()
    try:
        handler = next(
            h for h in logs.log.handlers if getattr(h, "baseFilename", None) == str(path)
        )
        logs.log.info("started")
        assert mode(folder) == 0o700 and mode(path) == 0o600 and mode(older) == 0o600
        assert isinstance(handler, logging.handlers.RotatingFileHandler)
        handler.doRollover()
        logs.log.info("after the rollover")
        assert {mode(p) for p in folder.iterdir()} == {0o600}
        assert len(list(folder.iterdir())) == 3
    finally:
        logs.log.removeHandler(handler)
        handler.close()


@posix_only
def test_missing_parents_of_a_private_folder_are_private_too(tmp_path: Path) -> None:
    """The log folder is often the first thing made in a fresh data folder: the data folder
    above it (which the database joins later) must not be left 0755."""
    pf.private_dir(tmp_path / "share" / "PMPM Desktop" / "logs")
    for folder in ("share", "share/PMPM Desktop", "share/PMPM Desktop/logs"):
        assert mode(tmp_path / folder) == 0o700, folder
    tmp_path.chmod(0o755)
    pf.create_folders(tmp_path)  # a folder that exists stays as it is
    assert mode(tmp_path) == 0o755
