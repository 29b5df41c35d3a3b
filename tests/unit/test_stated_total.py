"""A statement's stated total (the check / EFT amount): validated, stored, compared with the
sum of its lines, given on the command line, and never part of reconciliation."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator
from decimal import Decimal
from pathlib import Path
from typing import Any

import polars as pl
import pytest
from sqlalchemy import func, select

from pmpm_desktop.core.month import Month
from pmpm_desktop.db.database import Database, open_database
from pmpm_desktop.db.models import RemittanceImport, RemittanceLine
from pmpm_desktop.errors import InputRejected
from pmpm_desktop.services import importing
from pmpm_desktop.services.demo import CHECK_OVER, build_demo
from pmpm_desktop.services.import_history import list_imports
from pmpm_desktop.services.importing import (
    AmountRefused,
    parse_stated_total,
    total_mismatch,
)
from pmpm_desktop.services.reconciling import reconcile
from tests.unit.files import REMIT_HEADERS, ROSTER_HEADERS, A, B, xlsx
from tests.unit.practice import add_sunrise, sqlite_or_postgres

M = Month.parse
LINES = [[A[0], "2026-01", Decimal("180.90"), "CAP"], [B[0], "2026-01", Decimal("210.30"), "CAP"]]
LINES_TOTAL = Decimal("391.20")


@pytest.fixture(params=["sqlite", "postgresql"])
def db(request: pytest.FixtureRequest, db_path: Path) -> Iterator[Database]:
    """SQLite keeps Numeric as REAL, PostgreSQL as NUMERIC: the total comes back exact on both."""
    yield from sqlite_or_postgres(request, db_path)


def _practice(db: Database, tmp_path: Path) -> Database:
    add_sunrise(db, tmp_path)
    path = xlsx(tmp_path / "jan roster.xlsx", ROSTER_HEADERS, [A, B])
    importing.import_roster(db, "SUN", M("2026-01"), path)
    return db


@pytest.fixture
def practice(db: Database, tmp_path: Path) -> Database:
    return _practice(db, tmp_path)


def _statement(tmp_path: Path, name: str = "jan statement.xlsx", rows: Any = None) -> Path:
    return xlsx(tmp_path / name, REMIT_HEADERS, rows if rows is not None else LINES)


def _stored(db: Database) -> list[tuple[str, Decimal | None]]:
    with db.sessions() as s:
        return [
            (r.file_name, r.stated_total)
            for r in s.scalars(select(RemittanceImport).order_by(RemittanceImport.id))
        ]


# --- the service ------------------------------------------------------------------------------


def test_a_stated_total_is_stored_and_checked_against_the_lines(
    practice: Database, tmp_path: Path
) -> None:
    db = practice
    stated = Decimal("416.20")
    result = importing.import_remittance(
        db, "SUN", _statement(tmp_path), payment_date=dt.date(2026, 1, 15), stated_total=stated
    )
    assert result.lines_total == LINES_TOTAL and result.stated_total == stated
    assert result.total_mismatch == (
        "The lines add up to $391.20, $25.00 less than the statement's total of $416.20"
    )
    ((name, total),) = _stored(db)
    assert name == "jan statement.xlsx"
    assert total == stated and isinstance(total, Decimal) and str(total) == "416.20"
    (info,) = list_imports(db, "remittance")
    assert info.stated_total == stated and info.total_paid == LINES_TOTAL
    assert info.total_difference == Decimal("25.00")


def test_a_matching_or_missing_total_says_nothing(practice: Database, tmp_path: Path) -> None:
    db = practice
    same = importing.import_remittance(
        db, "SUN", _statement(tmp_path, "a.xlsx"), stated_total=LINES_TOTAL
    )
    assert same.total_mismatch is None and same.stated_total == LINES_TOTAL
    rows = [[A[0], "2026-01", Decimal("180.90"), "CAP"]]
    none = importing.import_remittance(db, "SUN", _statement(tmp_path, "b.xlsx", rows))
    assert none.stated_total is None and none.total_mismatch is None
    assert none.lines_total == Decimal("180.90")
    assert _stored(db) == [("a.xlsx", LINES_TOTAL), ("b.xlsx", None)]
    by_name = {i.file_name: i for i in list_imports(db, "remittance")}
    assert by_name["a.xlsx"].total_difference == 0
    assert by_name["b.xlsx"].total_difference is None


@pytest.mark.parametrize(
    "value",
    [Decimal("391.205"), Decimal("NaN"), Decimal("Infinity"), Decimal("1e10"), 391.2, "391.20"],
)
def test_a_stated_total_that_is_not_an_exact_two_place_amount_is_refused(
    practice: Database, tmp_path: Path, value: Any
) -> None:
    db = practice
    with pytest.raises(InputRejected, match="the statement total"):
        importing.import_remittance(db, "SUN", _statement(tmp_path), stated_total=value)
    with db.sessions() as s:
        assert s.scalar(select(func.count()).select_from(RemittanceImport)) == 0
        assert s.scalar(select(func.count()).select_from(RemittanceLine)) == 0


def test_store_remittance_validates_the_total_itself(practice: Database) -> None:
    """The wizard and other callers may store a frame they read: the check is in the store."""
    frame = pl.DataFrame({"member_id": ["1"], "amount_cents": [100]})
    with pytest.raises(InputRejected, match="more than two decimals"):
        importing.store_remittance(
            practice,
            "SUN",
            frame,
            file_name="x.xlsx",
            sha256="0" * 64,
            stated_total=Decimal("1.001"),
        )
    assert _stored(practice) == []


def test_a_whole_number_total_is_stored_with_two_places(practice: Database, tmp_path: Path) -> None:
    result = importing.import_remittance(
        practice, "SUN", _statement(tmp_path), stated_total=Decimal(400)
    )
    assert str(result.stated_total) == "400.00"
    assert _stored(practice)[0][1] == Decimal("400.00")


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("416.20", Decimal("416.20")),
        ("$1,234.56", Decimal("1234.56")),
        (" 12 ", Decimal("12.00")),
        ("(5.00)", Decimal("-5.00")),
        ("", None),
        ("   ", None),
        (None, None),
    ],
)
def test_typed_totals_are_read_like_the_files_amounts(
    text: str | None, expected: Decimal | None
) -> None:
    assert parse_stated_total(text) == expected


@pytest.mark.parametrize(
    ("text", "why"),
    [
        ("abc", "not an amount (expected e.g. 1234.56, $1,234.56 or (12.34))"),
        ("12.345", "not an amount: more than two decimals"),
        ("99999999999", "not an amount: too large"),
        ("1.2.3", "not an amount (expected"),
    ],
)
def test_typed_totals_that_are_not_amounts_are_refused_in_words(text: str, why: str) -> None:
    with pytest.raises(AmountRefused) as caught:
        parse_stated_total(text)
    assert caught.value.why.startswith(why)
    assert str(caught.value).startswith(f"the statement total {text!r} is not an amount")


def test_the_mismatch_sentence_says_which_way() -> None:
    lines, check = Decimal("18614.10"), Decimal("18639.10")
    assert total_mismatch(lines, check) == (
        "The lines add up to $18,614.10, $25.00 less than the statement's total of $18,639.10"
    )
    assert total_mismatch(Decimal("100.00"), Decimal("90.00")) == (
        "The lines add up to $100.00, $10.00 more than the statement's total of $90.00"
    )
    assert total_mismatch(Decimal("-5.00"), Decimal("0.00")) == (
        "The lines add up to -$5.00, $5.00 less than the statement's total of $0.00"
    )
    assert total_mismatch(Decimal("1"), Decimal("1.00")) is None
    assert total_mismatch(None, Decimal("1.00")) is None
    assert total_mismatch(Decimal("1.00"), None) is None


def test_the_stated_total_does_not_enter_reconciliation(tmp_path: Path) -> None:
    """Two practices alike but for the stated total reconcile the same."""
    outcomes = []
    for n, stated in enumerate((None, Decimal("999.99"))):
        folder = tmp_path / str(n)
        folder.mkdir()
        database = open_database(folder / "db.sqlite3")
        try:
            _practice(database, folder)
            importing.import_remittance(database, "SUN", _statement(folder), stated_total=stated)
            s = reconcile(database, "SUN", M("2026-01"), M("2026-01"))
            outcomes.append((s.months, s.counts, s.expected, s.paid))
        finally:
            database.dispose()
    assert outcomes[0] == outcomes[1]


# --- the command line -------------------------------------------------------------------------


@pytest.fixture
def cli_practice(cli, db_path: Path, tmp_path: Path) -> Path:  # type: ignore[no-untyped-def]
    database = open_database(db_path)
    try:
        _practice(database, tmp_path)
    finally:
        database.dispose()
    return _statement(tmp_path)


def _summary(out: str) -> list[str]:
    """What an import printed above its "how it was read" report."""
    lines = out.splitlines()
    return lines[: lines.index("how it was read:")] if "how it was read:" in lines else lines


def test_remit_import_takes_the_stated_total(cli, cli_practice: Path, db_path: Path) -> None:  # type: ignore[no-untyped-def]
    r = cli("remit", "import", "--payer", "SUN", "--stated-total", "$416.20", cli_practice)
    assert r.code == 0, r.err
    assert _summary(r.out) == [
        "imported jan statement.xlsx: 2 lines for 2 member IDs",
        "note: The lines add up to $391.20, $25.00 less than the statement's total of $416.20",
    ]
    database = open_database(db_path)
    try:
        assert _stored(database) == [("jan statement.xlsx", Decimal("416.20"))]
    finally:
        database.dispose()


def test_remit_import_with_a_matching_total_or_none_prints_as_before(  # type: ignore[no-untyped-def]
    cli, cli_practice: Path, tmp_path: Path
) -> None:
    r = cli("remit", "import", "--payer", "SUN", "--stated-total", "391.20", cli_practice)
    assert r.code == 0, r.err
    assert _summary(r.out) == ["imported jan statement.xlsx: 2 lines for 2 member IDs"]
    other = _statement(tmp_path, "feb.xlsx", [[A[0], "2026-02", Decimal("180.90"), "CAP"]])
    r = cli("remit", "import", "--payer", "SUN", other)
    assert r.code == 0, r.err
    assert _summary(r.out) == ["imported feb.xlsx: 1 lines for 1 member IDs"]


@pytest.mark.parametrize(
    ("text", "why"), [("abc", "is not an amount"), ("12.345", "more than two decimals")]
)
def test_remit_import_refuses_a_total_that_is_not_an_amount(  # type: ignore[no-untyped-def]
    cli, cli_practice: Path, db_path: Path, text: str, why: str
) -> None:
    r = cli("remit", "import", "--payer", "SUN", "--stated-total", text, cli_practice)
    assert r.code == 2
    assert "--stated-total" in r.err and why in r.err and "Traceback" not in r.err
    database = open_database(db_path)
    try:
        assert _stored(database) == []
    finally:
        database.dispose()


# --- the demo practice ------------------------------------------------------------------------


def test_the_demo_states_its_totals_and_one_check_is_25_dollars_over(tmp_path: Path) -> None:
    database = open_database(tmp_path / "demo.sqlite3")
    try:
        build_demo(database, members=30)
        statements = list_imports(database, "remittance")
        assert len(statements) == 18
        assert all(i.stated_total is not None for i in statements)
        off = [i for i in statements if i.total_difference]
        code, month, extra = CHECK_OVER
        assert [(i.payer_code, i.file_name, i.total_difference) for i in off] == [
            (code, f"{code} statement {month}.xlsx", Decimal("25.00"))
        ]
        assert extra == Decimal("25.00")
    finally:
        database.dispose()
