"""`pmpm report` never writes an empty workbook; `pmpm discrepancies` heads its rows."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import pytest

from pmpm_desktop.db.database import Database
from tests.conftest import CliResult
from tests.unit.files import ROSTER_HEADERS, A, B, xlsx
from tests.unit.practice import add_sunrise

Cli = Callable[..., CliResult]


@pytest.fixture
def sunrise(db: Database, tmp_path: Path, cli: Cli) -> Path:
    """SUN with January's roster only."""
    add_sunrise(db, tmp_path)
    jan = xlsx(tmp_path / "jan.xlsx", ROSTER_HEADERS, [A, B])
    assert cli("roster", "import", "--payer", "SUN", "--month", "2026-01", jan).code == 0
    return tmp_path


def _report(cli: Cli, out: Path, *args: str) -> CliResult:
    return cli("report", "--from", "2026-01", "--to", "2026-03", "--out", out, *args)


def _one_sentence(r: CliResult) -> str:
    lines = r.err.strip().splitlines()
    assert len(lines) == 1, r.err
    return lines[0]


def test_an_empty_database_writes_no_workbook(cli: Cli, tmp_path: Path) -> None:
    out = tmp_path / "report.xlsx"
    r = _report(cli, out)
    assert r.code == 4
    assert "no payers yet" in _one_sentence(r) and "pmpm payer add" in r.err
    assert not out.exists()


def test_a_payer_without_files_writes_no_workbook(db: Database, cli: Cli, tmp_path: Path) -> None:
    add_sunrise(db, tmp_path)
    out = tmp_path / "report.xlsx"
    for args in ((), ("--payer", "SUN")):
        r = _report(cli, out, *args)
        assert r.code == 4, r.err
        sentence = _one_sentence(r)
        assert "roster or statement for 2026-01 to 2026-03" in sentence
        assert "pmpm roster import" in sentence and "nothing was written" in sentence
        assert not out.exists()


def test_months_without_files_write_no_workbook(cli: Cli, sunrise: Path) -> None:
    out = sunrise / "july.xlsx"
    r = cli("report", "--from", "2026-07", "--to", "2026-07", "--out", out)
    assert r.code == 4 and "SUN" not in r.err and "no payer has" in r.err
    r = cli("report", "--payer", "SUN", "--from", "2026-07", "--to", "2026-07", "--out", out)
    assert r.code == 4 and "SUN has no roster or statement for 2026-07" in r.err
    assert not out.exists()


def test_a_payer_asked_for_without_files_while_another_has_some(
    db: Database, cli: Cli, sunrise: Path
) -> None:
    assert cli("payer", "add", "--code", "BAY", "--name", "Bayview").code == 0
    out = sunrise / "bay.xlsx"
    r = _report(cli, out, "--payer", "BAY")
    assert r.code == 4 and "BAY has no roster or statement" in r.err
    assert not out.exists()
    r = _report(cli, out)
    assert r.code == 0, r.err
    assert out.exists()
    assert "note: BAY has no roster or statement for 2026-01 to 2026-03" in r.out


def test_an_unknown_payer_is_not_found(cli: Cli, sunrise: Path) -> None:
    r = _report(cli, sunrise / "x.xlsx", "--payer", "NOPE")
    assert r.code == 4 and "no payer with code" in r.err


def test_discrepancies_print_a_header_line_before_their_rows(cli: Cli, sunrise: Path) -> None:
    assert cli("reconcile", "--payer", "SUN", "--from", "2026-01", "--to", "2026-01").code == 0
    r = cli("discrepancies", "--payer", "SUN")
    assert r.code == 0, r.err
    header, rule, *rows = r.out.splitlines()
    assert header.split() == [
        "payer", "member", "name", "month", "kind", "expected", "paid", "variance", "status"
    ]  # fmt: skip
    assert set(rule) == {"-", " "}
    assert rows and all(row.startswith("SUN") for row in rows)
    data = cli("discrepancies", "--payer", "SUN", "--kind", "MISSING", "--json").json()
    assert {d["kind"] for d in data} == {"missing"} and len(data) == len(rows)
    r = cli("discrepancies", "--kind", "paid")
    assert r.code == 2 and "missing" in r.err
