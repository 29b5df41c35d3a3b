"""`pmpm imports list|show|rollback`: the Rosters and Remittances pages on the command line."""

from __future__ import annotations

import io
import signal
import sqlite3
import sys
from collections.abc import Callable
from pathlib import Path

import pytest

from pmpm_desktop.cli import main
from tests.conftest import CliResult
from tests.unit.files import REMIT_HEADERS, ROSTER_HEADERS, A, B, worked_example_rates, xlsx

Cli = Callable[..., CliResult]


@pytest.fixture
def practice(cli: Cli, tmp_path: Path) -> Path:
    """SUN with January's roster (R1), February's twice (R2 replaced by R3) and January's
    statement (S1)."""
    steps = [
        ("payer", "add", "--code", "SUN", "--name", "Sunrise Health", "--id-width", "9"),
        ("contract", "add", "--payer", "SUN", "--name", "Medicaid HMO", "--from", "2026-01",
         "--products", "MCD"),  # fmt: skip
        ("rates", "import", "--payer", "SUN", "--contract", "Medicaid HMO",
         worked_example_rates(tmp_path / "rates.xlsx")),  # fmt: skip
        ("roster", "import", "--payer", "SUN", "--month", "2026-01",
         xlsx(tmp_path / "jan.xlsx", ROSTER_HEADERS, [A, B])),  # fmt: skip
        ("roster", "import", "--payer", "SUN", "--month", "2026-02",
         xlsx(tmp_path / "feb.xlsx", ROSTER_HEADERS, [B])),  # fmt: skip
        ("roster", "import", "--payer", "SUN", "--month", "2026-02",
         xlsx(tmp_path / "feb again.xlsx", ROSTER_HEADERS, [B, A])),  # fmt: skip
        ("remit", "import", "--payer", "SUN", "--stated-total", "185.00",
         xlsx(tmp_path / "pay jan.xlsx", REMIT_HEADERS,
              [["000000001", "2026-01", 90.00, "CAP"], ["000000002", "2026-01", 95.00, "CAP"]])),
    ]  # fmt: skip
    for step in steps:
        r = cli(*step)
        assert r.code == 0, (step[:2], r.err)
    return tmp_path


def _count(db_path: Path, table: str) -> int:
    with sqlite3.connect(db_path) as conn:
        return int(conn.execute(f"SELECT count(*) FROM {table}").fetchone()[0])


def test_list_prints_a_header_then_one_line_per_import(cli: Cli, practice: Path) -> None:
    r = cli("imports", "list")
    assert r.code == 0, r.err
    lines = r.out.splitlines()
    assert lines[0].split() == [
        "id", "payer", "kind", "month(s)", "file", "rows", "imported", "at", "status"
    ]  # fmt: skip
    assert set(lines[1]) == {"-", " "}
    rows = {line.split()[0]: line for line in lines[2:]}
    assert set(rows) == {"R1", "R2", "R3", "S1"}
    assert "replaced by R3" in rows["R2"] and "feb.xlsx" in rows["R2"]
    assert "statement" in rows["S1"] and "2026-01" in rows["S1"] and "active" in rows["S1"]


def test_list_filters_by_kind_and_payer_and_prints_json(cli: Cli, practice: Path) -> None:
    r = cli("imports", "list", "--kind", "statement", "--json")
    assert r.code == 0, r.err
    [statement] = r.json()
    assert statement["id"] == "S1" and statement["kind"] == "statement"
    assert statement["lines_total"] == "185.00" and statement["stated_total"] == "185.00"
    assert statement["first_month"] == statement["last_month"] == "2026-01"
    rosters = cli("imports", "list", "--kind", "roster", "--payer", "sun", "--json").json()
    assert [x["id"] for x in rosters] == ["R3", "R2", "R1"]
    assert rosters[1]["status"] == "replaced" and rosters[1]["replaced_by"] == "R3"
    assert cli("imports", "list", "--payer", "NOPE").code == 4
    assert cli("imports", "list", "--kind", "rates").code == 2


def test_an_empty_list_says_how_to_import(cli: Cli) -> None:
    r = cli("imports", "list")
    assert r.code == 0 and "pmpm roster import" in r.out


def test_show_gives_the_file_its_hash_and_what_it_changed(cli: Cli, practice: Path) -> None:
    r = cli("imports", "show", "R3")
    assert r.code == 0, r.err
    facts = dict(line.split(None, 1) for line in r.out.splitlines() if line.strip())
    assert facts["file"].strip() == "feb again.xlsx"
    assert len(facts["SHA-256"].strip()) == 64
    assert facts["month(s)"].strip() == "2026-02"
    assert facts["rows"].strip() == "2"
    assert "replaced R2 (feb.xlsx)" in r.out
    assert "discrepancies" in facts
    data = cli("imports", "show", "r3", "--json").json()
    assert data["replaced"] == "R2" and data["new_members"] == 0 and len(data["sha256"]) == 64
    assert cli("imports", "show", "R1", "--json").json()["new_members"] == 2


def test_show_takes_a_bare_number_only_when_one_kind_has_it(cli: Cli, practice: Path) -> None:
    assert "R2" in cli("imports", "show", "2").out
    r = cli("imports", "show", "1")
    assert r.code == 2 and "R1 or S1" in r.err
    r = cli("imports", "show", "S9")
    assert r.code == 4 and "no statement import 9" in r.err
    assert cli("imports", "show", "X1").code == 2


def test_rollback_without_a_terminal_needs_yes(cli: Cli, practice: Path, db_path: Path) -> None:
    r = cli("imports", "rollback", "S1")
    assert r.code == 2
    assert "--yes" in r.err and "nothing was changed" in r.err
    assert _count(db_path, "remittance_lines") == 2


class _Terminal(io.StringIO):
    def isatty(self) -> bool:
        return True


def test_rollback_asks_and_a_no_changes_nothing(
    cli: Cli, practice: Path, db_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(sys, "stdin", _Terminal("n\n"))
    r = cli("imports", "rollback", "R3")
    assert r.code == 1 and "nothing was changed" in r.err
    assert "The earlier 2026-02 roster, feb.xlsx, counts again" in r.out
    assert _count(db_path, "roster_imports") == 3


def test_rollback_confirmed_removes_exactly_what_the_import_added(
    cli: Cli, practice: Path, db_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(sys, "stdin", _Terminal("y\n"))
    r = cli("imports", "rollback", "R3")
    assert r.code == 0, r.err
    assert "feb.xlsx counts again" in r.out
    rosters = cli("imports", "list", "--kind", "roster", "--json").json()
    assert [(x["id"], x["status"]) for x in rosters] == [("R2", "active"), ("R1", "active")]
    assert _count(db_path, "roster_rows") == 3  # January's two and February's first one
    audit = cli("audit", "--json").json()
    assert audit[-1]["action"] == "rollback" and audit[-1]["subject"] == "roster import 3"


def test_rollback_yes_of_a_statement_reconciles_again(
    cli: Cli, practice: Path, db_path: Path
) -> None:
    assert cli("reconcile", "--payer", "SUN", "--from", "2026-01", "--to", "2026-02").code == 0
    r = cli("imports", "rollback", "S1", "--yes")
    assert r.code == 0, r.err
    assert "Rolled back the statement pay jan.xlsx (2 lines)" in r.out
    assert "SUN reconciled again" in r.out
    assert _count(db_path, "remittance_lines") == 0
    missing = cli("discrepancies", "--kind", "missing", "--json").json()
    assert {(d["member_id"], d["month"]) for d in missing} >= {
        ("000000001", "2026-01"),
        ("000000002", "2026-01"),
    }
    assert cli("imports", "rollback", "S1", "--yes").code == 4


class _InterruptingTerminal(io.StringIO):
    """A terminal on stderr where Ctrl+C is pressed when the progress line reaches ``at``."""

    def __init__(self, at: str) -> None:
        super().__init__()
        self.at = at
        self.pressed = False

    def isatty(self) -> bool:
        return True

    def write(self, text: str) -> int:
        if not self.pressed and text.endswith(self.at):
            self.pressed = True
            signal.raise_signal(signal.SIGINT)
        return super().write(text)


def _rollback_with_ctrl_c(
    db_path: Path, at: str, monkeypatch: pytest.MonkeyPatch
) -> tuple[int, str]:
    err = _InterruptingTerminal(at)
    monkeypatch.setattr(sys, "stderr", err)
    code = main(["--db", str(db_path), "imports", "rollback", "S1", "--yes"])
    return code, err.getvalue()


def test_ctrl_c_before_the_removal_is_saved_changes_nothing(
    practice: Path, db_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    # 25% is reported inside the transaction, after the lines were deleted and before commit
    code, err = _rollback_with_ctrl_c(db_path, "… 25%", monkeypatch)
    assert code == 1
    assert "nothing was changed" in err and "Traceback" not in err
    assert _count(db_path, "remittance_lines") == 2
    assert _count(db_path, "remittance_imports") == 1
    assert signal.getsignal(signal.SIGINT) is signal.default_int_handler


def test_ctrl_c_after_the_removal_was_saved_finishes_the_rollback(
    practice: Path, db_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    code, err = _rollback_with_ctrl_c(db_path, "… 50%", monkeypatch)
    assert code == 0
    assert "the rollback was finished" in err
    assert _count(db_path, "remittance_imports") == 0
