"""Two columns of the same name: refused until --map says which, in every import."""

from __future__ import annotations

import sqlite3
from pathlib import Path

import pytest

from pmpm_desktop.io.fields import MappingError
from pmpm_desktop.io.remittance_file import read_remittance
from tests.unit import bad_files


@pytest.mark.parametrize("suffix", [".csv", ".xlsx"])
def test_a_duplicated_amount_column_is_refused_naming_both(tmp_path: Path, suffix: str) -> None:
    path = bad_files.duplicate_header(tmp_path / f"r{suffix}", "remittance", suffix)
    with pytest.raises(MappingError) as caught:
        read_remittance(path)
    assert str(caught.value) == (
        "the columns 'Paid Amount' (C and E) have the same name: choose the one that holds "
        "the amount (on the command line: --map amount='Paid Amount' or "
        "amount='Paid Amount (2)')"
    )


def test_map_picks_the_column_and_the_file_imports(tmp_path: Path) -> None:
    path = bad_files.duplicate_header(tmp_path / "r.csv", "remittance")
    parsed = read_remittance(path, mapping={"amount": "Paid Amount (2)"})
    assert parsed.ok
    assert parsed.frame["amount_cents"].to_list() == [9760]


def test_duplicates_no_field_uses_are_allowed(tmp_path: Path) -> None:
    headers = [*bad_files.REMIT_HEADERS, "Note", "Note"]
    path = bad_files.text_table(tmp_path / "r.csv", headers, [[*bad_files.REMIT_ROW, "a", "b"]])
    assert read_remittance(path).ok


def test_cli_rates_import_with_duplicates_replaces_nothing(
    cli, db_path: Path, tmp_path: Path
) -> None:  # type: ignore[no-untyped-def]
    assert cli("payer", "add", "--code", "SUN", "--name", "Sun").code == 0
    args = ("--payer", "SUN", "--name", "M", "--from", "2026-01", "--products", "MCD")
    assert cli("contract", "add", *args).code == 0
    good = bad_files.text_table(
        tmp_path / "good.csv",
        bad_files.RATE_HEADERS,
        [[*bad_files.RATE_ROW[:5], str(a), str(a + 1), "10.00"] for a in range(0, 14, 2)],
    )
    assert cli("rates", "import", "--payer", "SUN", "--contract", "M", good).code == 0
    bad = bad_files.duplicate_header(tmp_path / "dup.csv", "rates")
    r = cli("rates", "import", "--payer", "SUN", "--contract", "M", bad)
    assert r.code == 3, r.err
    assert "have the same name" in r.err
    assert _rate_rows(db_path) == 7
    r = cli(
        "rates", "import", "--payer", "SUN", "--contract", "M", "--map", "amount=Amount (2)", bad
    )
    assert r.code == 0, r.err
    assert _rate_rows(db_path) == 1


def _rate_rows(db_path: Path) -> int:
    with sqlite3.connect(db_path) as conn:
        return int(conn.execute("SELECT count(*) FROM rate_rows").fetchone()[0])
