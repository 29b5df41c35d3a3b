"""Amount styles read once per file: decimal comma or point, CR/DR, trailing minus (SPEC §6)."""

from __future__ import annotations

import sqlite3
from decimal import Decimal
from pathlib import Path

import polars as pl
import pytest

from pmpm_desktop.core.month import Month
from pmpm_desktop.io.number_style import NumberColumn, decide
from pmpm_desktop.io.options import DecisionKind, ReadOptions
from pmpm_desktop.io.remittance_file import read_remittance
from pmpm_desktop.io.roster_file import read_roster
from pmpm_desktop.services.preview import preview
from tests.unit.files import REMIT_HEADERS, csv_file, worked_example_rates, xlsx


def _column(header: str, *values: str | None, small: bool = False) -> NumberColumn:
    return NumberColumn(header, pl.Series(header, values, dtype=pl.String), small=small)


# --- the decision, once per file ------------------------------------------------------------


@pytest.mark.parametrize(
    "values",
    [("165,00", "1.234,56"), ("-165,00", "12"), ("1.234.567",), ("0,123",), ("165,5 CR",)],
)
def test_values_only_a_decimal_comma_can_write_decide_comma(values: tuple[str, ...]) -> None:
    choice = decide([_column("Betrag", *values, None)], None)
    assert choice.decided and choice.decimal_comma
    assert choice.decision is not None and choice.decision.kind == DecisionKind.AMOUNT_STYLE
    assert "decimal comma" in choice.decision.text and choice.decision.column == "Betrag"


@pytest.mark.parametrize(
    "values", [("165.50",), ("1,234.56", "5"), ("1,234,567",), ("0.125",), ("$12.5 DR",)]
)
def test_values_only_a_decimal_point_can_write_decide_point(values: tuple[str, ...]) -> None:
    choice = decide([_column("Amount", *values)], None)
    assert choice.decided and not choice.decimal_comma and choice.problem is None


def test_whole_numbers_need_no_decision() -> None:
    choice = decide([_column("Amount", "165", "-20", "(5)", None)], None)
    assert choice.decided and not choice.decimal_comma and choice.decision is None


def test_an_ambiguous_value_is_read_as_the_rest_of_the_file_says() -> None:
    choice = decide([_column("Amount", "1,234", "165.50")], None)
    assert choice.decided and not choice.decimal_comma
    assert choice.decision is not None and "'1,234' is read as 1234" in choice.decision.text
    choice = decide([_column("Betrag", "1.234", "165,50")], None)
    assert choice.decided and choice.decimal_comma
    assert choice.decision is not None and "'1.234' is read as 1234" in choice.decision.text


def test_only_ambiguous_values_leave_the_file_undecided() -> None:
    choice = decide([_column("Paid", "1,234", "165")], None)
    assert not choice.decided
    assert choice.problem == (
        "column 'Paid' holds numbers such as '1,234' that read as 1234 with a decimal point or "
        "1.234 with a decimal comma, and no value in the file says which; say which this file "
        "uses with --decimal comma or --decimal point"
    )
    assert choice.question is not None and choice.question.column == "Paid"
    assert not choice.question.conflict
    assert (
        choice.question.text
        == "In column 'Paid', is '1,234' 1234 (decimal point) or 1.234 (decimal comma)?"
    )


def test_both_styles_in_one_file_leave_it_undecided() -> None:
    choice = decide([_column("Net", "165,00"), _column("Risk", "1.5", small=True)], None)
    assert not choice.decided and choice.question is not None and choice.question.conflict
    assert choice.problem is not None
    assert "columns 'Net' and 'Risk' hold numbers written with a decimal comma" in choice.problem
    assert choice.problem.endswith("--decimal comma or --decimal point")


def test_risk_scores_are_never_thousands() -> None:
    assert decide([_column("RAF", "1.234", "0.9", small=True)], None).decided
    choice = decide([_column("RAF", "1,234", small=True)], None)
    assert choice.decided and choice.decimal_comma


@pytest.mark.parametrize("given", [True, False])
def test_the_users_choice_wins(given: bool) -> None:
    choice = decide([_column("Amount", "165,00", "165.50")], given)
    assert choice.decided and choice.decimal_comma is given and choice.problem is None


# --- through the readers --------------------------------------------------------------------


def test_semicolon_csv_with_decimal_commas(tmp_path: Path) -> None:
    path = csv_file(
        tmp_path / "abrechnung.csv",
        REMIT_HEADERS,
        [
            ["000000001", "02.2026", "1.234,56", "CAP"],
            ["000000002", "02.2026", "-165,00", "ADJ"],
            ["000000003", "01.02.2026", "165,00 CR", "CAP"],
            ["000000004", "Feb-2026", "12,5 DR", "ADJ"],
            ["000000005", "2026/02", "165,00-", "ADJ"],
        ],
        delimiter=";",
    )
    parsed = read_remittance(path)
    assert parsed.ok, (parsed.problems, parsed.file_problems)
    assert parsed.frame["amount_cents"].to_list() == [123456, -16500, 16500, -1250, -16500]
    assert parsed.frame["coverage_month"].to_list() == ["2026-02"] * 5
    texts = [d.text for d in parsed.decisions if d.kind == DecisionKind.AMOUNT_STYLE]
    assert any("decimal comma" in t for t in texts)
    assert any("1 amount(s) marked CR" in t and "1 marked DR" in t for t in texts)
    assert any("minus sign after the number" in t for t in texts)


def test_roster_risk_scores_with_decimal_commas(tmp_path: Path) -> None:
    path = csv_file(
        tmp_path / "r.csv",
        ["Member ID", "Last Name", "First Name", "DOB", "Risk Score"],
        [["1", "A", "B", "01.02.1980", "1,234"], ["2", "C", "D", "13.02.1980", "0,9"]],
        delimiter=";",
    )
    parsed = read_roster(path, roster_month=Month(2026, 2))
    assert parsed.ok, (parsed.problems, parsed.file_problems)
    assert parsed.frame["risk_score"].to_list() == [1_234_000, 900_000]


def test_ambiguous_file_is_refused_with_the_question(tmp_path: Path) -> None:
    path = csv_file(
        tmp_path / "s.csv",
        REMIT_HEADERS,
        [["000000001", "2026-02", "1,234", "CAP"], ["000000002", "2026-02", "165", "CAP"]],
    )
    parsed = read_remittance(path)
    assert not parsed.ok and not parsed.problems
    assert parsed.file_problems[0].startswith("column 'Paid Amount' holds numbers such as '1,234'")
    assert parsed.decimal_question is not None
    assert parsed.decimal_question.column == "Paid Amount"
    point = read_remittance(path, options=ReadOptions(decimal_comma=False))
    assert point.ok and point.frame["amount_cents"].to_list() == [123400, 16500]
    comma = read_remittance(path, options=ReadOptions(decimal_comma=True))
    assert comma.problems[0].reason == "more than two decimals"


def test_crdr_amounts_follow_the_payers_setting(tmp_path: Path) -> None:
    path = xlsx(
        tmp_path / "s.xlsx",
        REMIT_HEADERS,
        [
            ["000000001", "2026-02", "165.00 CR", "CAP"],
            ["000000002", "2026-02", "$1,234.56 DR", "ADJ"],
        ],
    )
    assert read_remittance(path).frame["amount_cents"].to_list() == [16500, -123456]
    reversed_ = read_remittance(path, options=ReadOptions(credit_is_payment=False))
    assert reversed_.frame["amount_cents"].to_list() == [-16500, 123456]
    assert any("marked DR are read as paid" in d.text for d in reversed_.decisions)


# --- the CLI and the wizard's preview ---------------------------------------------------------


@pytest.fixture
def payer(cli, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    assert cli("payer", "add", "--code", "SUN", "--name", "Sunrise").code == 0
    r = cli("contract", "add", "--payer", "SUN", "--name", "MCD", "--from", "2026-01")
    assert r.code == 0, r.err
    rates = worked_example_rates(tmp_path / "rates.xlsx")
    assert cli("rates", "import", "--payer", "SUN", "--contract", "MCD", rates).code == 0


def _ambiguous(tmp_path: Path) -> Path:
    return csv_file(
        tmp_path / "statement.csv",
        REMIT_HEADERS,
        [["000000001", "2026-02", "1.234", "CAP"], ["000000002", "2026-02", "165", "CAP"]],
        delimiter=";",
    )


def test_cli_refuses_an_ambiguous_file_and_imports_it_when_told(
    cli, payer: None, tmp_path: Path, db_path: Path
) -> None:  # type: ignore[no-untyped-def]
    path = _ambiguous(tmp_path)
    r = cli("remit", "import", "--payer", "SUN", path)
    assert r.code == 3
    assert "nothing was written" in r.err
    assert "column 'Paid Amount' holds numbers such as '1.234'" in r.err
    assert "--decimal comma or --decimal point" in r.err
    assert "unexpected" not in r.err
    r = cli("remit", "import", "--payer", "SUN", "--decimal", "comma", path)
    assert r.code == 0, r.err
    with sqlite3.connect(db_path) as conn:
        amounts = sorted(a for (a,) in conn.execute("select amount from remittance_lines"))
    assert [float(a) for a in amounts] == [165.0, 1234.0]


def test_cli_decimal_option_is_checked(cli, payer: None, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    r = cli("remit", "import", "--payer", "SUN", "--decimal", "dot", _ambiguous(tmp_path))
    assert r.code == 2 and "invalid choice: 'dot'" in r.err


def test_preview_asks_and_then_reads(db, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    from pmpm_desktop.services.payers import add_payer

    add_payer(db, "SUN", "Sunrise")
    path = _ambiguous(tmp_path)
    asked = preview(db, "SUN", "remittance", path)
    assert not asked.importable and asked.decimal_question is not None
    assert asked.decimal_question.examples == ("1.234",)
    assert asked.file_problems and "--decimal" in asked.file_problems[0]
    answered = preview(db, "SUN", "remittance", path, decimal_comma=True)
    assert answered.decimal_question is None and answered.importable
    amount = answered.columns.index("amount")
    assert [r[amount] for r in answered.rows] == [Decimal("1234.00"), Decimal("165.00")]
