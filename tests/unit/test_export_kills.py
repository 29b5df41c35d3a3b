"""``pmpm report`` killed (SIGKILL) at several points: no partial workbook, no row files with
member data anywhere once the next start has cleaned up; the database intact; a re-run writes
a private report."""

from __future__ import annotations

import os
from collections.abc import Callable
from pathlib import Path

import pytest

from pmpm_desktop.io.private_files import remove_stale
from tests.conftest import CliResult, mode
from tests.unit.kill_checks import files_holding, integrity, members_of, run_killed


# build_report's progress runs 0..1000: reconciling to 400, gathering to 500, the workbook to
# 900 (its last report comes with every row written, before the file is closed), packets last
@pytest.mark.parametrize("call", [200, 900], ids=["reconciling", "rows-written"])
def test_a_killed_report_leaves_no_member_data_outside_the_database(
    tmp_path: Path,
    demo_db: Path,
    private: Path,
    cli: Callable[..., CliResult],
    call: int,
) -> None:
    out = tmp_path / "out" / "report.xlsx"
    out.parent.mkdir()
    needles = members_of(demo_db)
    assert len(needles) > 100
    database_files = list(tmp_path.glob(f"{demo_db.name}*"))

    run_killed(tmp_path, "report", demo_db, out, call)

    assert integrity(demo_db) == "ok"
    assert not out.exists()
    assert not list(tmp_path.rglob("*.partial"))
    assert list((tmp_path / "tmp").iterdir()) == []  # xlsxwriter's row files never in TMPDIR
    leftovers = files_holding(tmp_path, needles, skip=database_files)
    assert all(line.startswith("private/") for line in leftovers), leftovers
    if call == 900:  # the row files and the workbook were there, in the private folder only
        assert leftovers
    remove_stale()  # what the next start does
    assert list(private.glob("*")) == []
    assert files_holding(tmp_path, needles, skip=database_files) == []

    result = cli("report", "--from", "2026-01", "--to", "2026-06", "--out", out)
    assert result.code == 0, result.err
    assert "Contains member data (PHI): keep it private." in result.out
    if os.name == "posix":
        assert mode(out) == 0o600
    assert list(private.glob("*")) == []
