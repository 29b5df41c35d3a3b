"""Problem lists: the message shows fifty and counts the rest; the files hold every one."""

from __future__ import annotations

import csv
from pathlib import Path

import openpyxl
import pytest

from pmpm_desktop.errors import LISTED_PROBLEMS, InputRejected
from pmpm_desktop.io import problems_export
from pmpm_desktop.io.problems_export import Problem, write_problems


def test_the_message_lists_fifty_and_counts_the_rest() -> None:
    text = str(InputRejected("r.csv was not imported", [f"row {i}: bad" for i in range(2000)]))
    lines = text.splitlines()
    assert len(lines) == 1 + LISTED_PROBLEMS + 1
    assert lines[-1] == "  … and 1,950 more; write them all with --errors-out FILE.csv"


def test_xlsx_splits_across_sheets_and_keeps_every_problem(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(problems_export, "SHEET_ROWS", 3)  # Excel's 1,048,575, made small
    rows = [Problem(i, "DOB", "junk", "not a date") for i in range(2, 10)]
    wb = openpyxl.load_workbook(write_problems(tmp_path / "p.xlsx", rows), read_only=True)
    assert wb.sheetnames == ["Problems", "Problems 2", "Problems 3"]
    written = [r[0] for ws in wb for r in ws.iter_rows(min_row=2, values_only=True)]
    assert written == list(range(2, 10))


def test_csv_holds_every_problem(tmp_path: Path) -> None:
    rows = [Problem(i, "DOB", "junk", "not a date") for i in range(5000)]
    with write_problems(tmp_path / "p.csv", rows).open(encoding="utf-8-sig") as f:
        assert sum(1 for _ in csv.reader(f)) == 5001
