"""Dates at the edges and day/month order (SPEC §6): open-ended term and end dates, birth
dates out of range, far start dates, and the order of a date column decided as a whole."""

from __future__ import annotations

import datetime as dt
import sqlite3
from pathlib import Path

import openpyxl
import polars as pl
import pytest

from pmpm_desktop.core.month import Month
from pmpm_desktop.io.date_columns import decide_order
from pmpm_desktop.io.detect import profile
from pmpm_desktop.io.options import DecisionKind, ReadOptions
from pmpm_desktop.io.parsed import ParsedFile
from pmpm_desktop.io.rate_file import read_rates
from pmpm_desktop.io.roster_file import read_roster
from pmpm_desktop.services.importing import merge_member_rows
from tests.unit.engine_helpers import contract, d, expected_amounts, rate, roster
from tests.unit.files import RATE_HEADERS, ROSTER_HEADERS, csv_file, worked_example_rates, xlsx

FEB = Month(2026, 2)


def _member(i: int, dob: object, eff: object = None, term: object = None) -> list[object]:
    return [f"{i:09d}", f"LAST{i}", "FIRST", dob, "F", "MCD", "TANF", eff, term]


def _decisions(parsed: ParsedFile, kind: DecisionKind) -> list[str]:
    return [x.text for x in parsed.decisions if x.kind == kind]


# --- open-ended term and end dates ----------------------------------------------------------


OPEN_ENDS: list[object] = [
    dt.date(9999, 12, 31),
    "9999-12-31",
    "12/31/9999",
    "2099-12-31",
    "2078-12-31",
    "2079-06-06",
    2958465,  # Excel's largest date, as a plain number cell
]


def test_open_ended_term_dates_are_read_as_no_end(tmp_path: Path) -> None:
    rows = [_member(i, dt.date(1980, 1, 1), "2025-01-01", t) for i, t in enumerate(OPEN_ENDS)]
    rows.append(_member(99, dt.date(1980, 1, 1), "2025-01-01", "2078-12-30"))
    parsed = read_roster(xlsx(tmp_path / "r.xlsx", ROSTER_HEADERS, rows), roster_month=FEB)
    assert parsed.ok, parsed.problems
    assert parsed.frame["term_date"].to_list() == [None] * len(OPEN_ENDS) + [dt.date(2078, 12, 30)]
    (text,) = _decisions(parsed, DecisionKind.OPEN_ENDED)
    assert text.startswith(f"column 'Term Date': {len(OPEN_ENDS)} row(s) with 2078-12-31,")
    assert text.endswith("(from 2078-12-31 on) are read as having no end")


def test_open_ended_rate_rows(tmp_path: Path) -> None:
    rows = [
        ["2026-01", "9999-12-31", "Capitation", "TANF", None, 0, 20, 95.00],
        ["2026-01", "12/2099", "Capitation", "SSI", None, 0, 20, 195.00],
        ["2026-01", "2026-12", "Capitation", "ABD", None, 0, 20, 295.00],
    ]
    parsed = read_rates(xlsx(tmp_path / "rates.xlsx", RATE_HEADERS, rows))
    assert parsed.ok, parsed.problems
    assert parsed.frame["effective_to"].to_list() == [None, None, "2026-12"]
    assert _decisions(parsed, DecisionKind.OPEN_ENDED)


def test_far_start_dates_are_row_problems(tmp_path: Path) -> None:
    rates = read_rates(
        xlsx(tmp_path / "rates.xlsx", RATE_HEADERS, [["9999-12", None, None, "T", None, 0, 9, 1]])
    )
    assert [(p.row, p.column) for p in rates.problems] == [(2, "Effective From")]
    assert "placeholder for 'no end' (from 2078-12 on)" in rates.problems[0].reason
    roster_file = xlsx(
        tmp_path / "r.xlsx", ROSTER_HEADERS, [_member(1, "1980-01-01", "9999-12-31")]
    )
    parsed = read_roster(roster_file, roster_month=FEB)
    (problem,) = parsed.problems
    assert (problem.row, problem.column, problem.value) == (2, "Eff Date", "9999-12-31")
    assert problem.reason.startswith("effective date 9999-12-31 is a placeholder for 'no end'")


@pytest.mark.parametrize(
    ("dob", "reason"),
    [
        ("9999-12-31", "date of birth 9999-12-31 is in the future"),
        ("2999-01-01", "date of birth 2999-01-01 is in the future"),
        ("1899-12-31", "date of birth 1899-12-31 is before 1900"),
        ("0001-01-01", "date of birth 0001-01-01 is before 1900"),
    ],
)
def test_birth_dates_out_of_range_are_row_problems(tmp_path: Path, dob: str, reason: str) -> None:
    rows = [_member(1, "1980-05-01"), _member(2, dob)]
    parsed = read_roster(xlsx(tmp_path / "r.xlsx", ROSTER_HEADERS, rows), roster_month=FEB)
    assert [(p.row, p.column, p.reason) for p in parsed.problems] == [(3, "DOB", reason)]


def test_cli_imports_a_roster_with_open_ended_term_dates(
    cli, tmp_path: Path, db_path: Path
) -> None:  # type: ignore[no-untyped-def]
    assert cli("payer", "add", "--code", "SUN", "--name", "Sunrise", "--id-width", "9").code == 0
    r = cli("contract", "add", "--payer", "SUN", "--name", "MCD", "--from", "2026-01")
    assert r.code == 0, r.err
    rates = worked_example_rates(tmp_path / "rates.xlsx")
    assert cli("rates", "import", "--payer", "SUN", "--contract", "MCD", rates).code == 0
    rows = [
        _member(1, dt.date(1990, 5, 10), dt.date(2025, 1, 1), dt.date(9999, 12, 31)),
        # The same member twice, the open-ended span first: merging must not step past 9999.
        _member(2, dt.date(1980, 5, 10), dt.date(2024, 1, 1), "12/31/9999"),
        _member(2, dt.date(1980, 5, 10), dt.date(2025, 6, 1), dt.date(2026, 6, 30)),
    ]
    path = xlsx(tmp_path / "roster.xlsx", ROSTER_HEADERS, rows)
    r = cli("roster", "import", "--payer", "SUN", "--month", "2026-02", path)
    assert r.code == 0, r.err
    assert "unexpected" not in r.err
    with sqlite3.connect(db_path) as conn:
        terms = conn.execute("select effective_date, term_date from roster_rows").fetchall()
    assert sorted(terms) == [("2024-01-01", None), ("2025-01-01", None)]
    assert cli("reconcile", "--payer", "SUN", "--from", "2026-01", "--to", "2026-03").code == 0


def test_merging_after_an_open_end_does_not_overflow() -> None:
    frame = pl.DataFrame(
        {
            "member_id": ["1", "1", "1"],
            "effective_date": [d("2024-01-01"), d("2025-06-01"), d("0001-01-01")],
            "term_date": [None, d("2026-06-30"), d("0001-01-31")],
            "source_row": [2, 3, 4],
        }
    )
    merged = merge_member_rows(frame, FEB)
    assert merged.select("effective_date", "term_date").rows() == [
        (d("2024-01-01"), None),
        (d("0001-01-01"), d("0001-01-31")),
    ]


@pytest.mark.parametrize("rule", ["first-of-month", "mid-month:15", "any-day", "daily"])
@pytest.mark.parametrize(
    ("first", "last", "eff", "term"),
    [
        ("2026-01", "2026-01", "0001-01-01", "9999-12-31"),
        ("9999-12", "9999-12", "9999-01-01", "9999-12-31"),
        ("0001-01", "0001-01", "0001-01-01", None),
    ],
)
def test_engine_with_dates_at_the_edges(
    rule: str, first: str, last: str, eff: str, term: str | None
) -> None:
    rows = roster(
        {
            "member": 1,
            "month": first,
            "eff": d(eff),
            "term": d(term) if term else None,
            "dob": d("9999-12-31"),
        }
    )
    got = expected_amounts(
        rows, [contract(rule, start="0001-01")], [rate("100.00", start="0001-01")], first, last
    )
    assert got == {(1, first): pytest.approx(100)}


def test_profile_of_far_dates_does_not_overflow() -> None:
    p = profile(["9999-12-31", "12/31/9999", "2026-01-31", "2026-02-01", "2958465"])
    assert p.date == pytest.approx(0.8) and p.coverage_date == pytest.approx(0.8)


# --- months and day/month order -----------------------------------------------------------


MONTH_FORMS = [
    "02.2026",
    "2026/02",
    "Feb-2026",
    "February 2026",
    "Feb 2026",
    "2026-02",
    "02/2026",
    "202602",
    "Jan-26",
    "28.02.2026",
]


def test_profile_sees_months_as_months() -> None:
    assert profile(MONTH_FORMS).month == 1.0
    for form in MONTH_FORMS:
        assert profile([form] * 3).month == 1.0, form


def _order(*values: str | None, given: bool | None = None) -> tuple[bool | None, str | None]:
    order = decide_order("Eff Date", pl.Series("x", values, dtype=pl.String), given)
    return order.day_first, order.decision.text if order.decision else None


def test_order_decided_by_values_that_can_only_be_read_one_way() -> None:
    day_first, text = _order("31.01.2026", "01.02.2026", None)
    assert day_first is True
    assert text == (
        "dates in column 'Eff Date' are read day first (31.01.2026 is 31 January 2026): "
        "1 date(s) can only be read that way"
    )
    assert _order("01/31/2026", "01/02/2026") == (False, None)  # as US payers write, silently


def test_every_value_ambiguous_dots_day_first_slashes_month_first() -> None:
    day_first, text = _order("01.02.2026", "03.04.2026")
    assert day_first is True and text is not None
    assert "every date could be read either way" in text and "dots, as in Europe" in text
    assert text.endswith("(01.02.2026 is 1 February 2026)")
    day_first, text = _order("01/02/2026", "03/04/2026")
    assert day_first is False and text is not None
    assert "slashes, as US payers do" in text and text.endswith("(01/02/2026 is January 2, 2026)")


def test_given_order_wins() -> None:
    assert _order("31.01.2026", given=False) == (False, None)


def test_no_day_month_values_no_decision() -> None:
    assert _order("2026-01-31", "20260131", "Jan 5, 2026") == (None, None)


def test_rows_against_the_columns_order_are_row_problems(tmp_path: Path) -> None:
    rows = [
        _member(1, "31/01/1980"),
        _member(2, "25/12/1975"),
        _member(3, "01/02/1990"),
        _member(4, "12/31/1985"),  # month first: against the column
    ]
    parsed = read_roster(csv_file(tmp_path / "r.csv", ROSTER_HEADERS, rows), roster_month=FEB)
    assert [(p.row, p.column, p.value) for p in parsed.problems] == [(5, "DOB", "12/31/1985")]
    assert parsed.problems[0].reason == (
        "can only be read month first, but this column's dates are read day first"
    )
    assert parsed.frame["dob"].to_list() == [d("1980-01-31"), d("1975-12-25"), d("1990-02-01")]
    (text,) = _decisions(parsed, DecisionKind.DATE_ORDER)
    assert (
        "2 date(s) can only be read that way; 1 date(s) that can only be read month first" in text
    )


def test_each_column_has_its_own_order(tmp_path: Path) -> None:
    rows = [
        _member(1, "31.01.1980", "02/01/2026", "03/31/2026"),
        _member(2, "01.02.1990", "02/01/2026", "04/30/2026"),
    ]
    parsed = read_roster(csv_file(tmp_path / "r.csv", ROSTER_HEADERS, rows), roster_month=FEB)
    assert parsed.ok, parsed.problems
    assert parsed.frame["dob"].to_list() == [d("1980-01-31"), d("1990-02-01")]
    assert parsed.frame["effective_date"].to_list() == [d("2026-02-01")] * 2
    assert parsed.frame["term_date"].to_list() == [d("2026-03-31"), d("2026-04-30")]


def test_day_first_option_overrides(tmp_path: Path) -> None:
    rows = [_member(1, "1980-01-01", "01/02/2026", "03/04/2026")]
    path = csv_file(tmp_path / "r.csv", ROSTER_HEADERS, rows)
    parsed = read_roster(path, roster_month=FEB, options=ReadOptions(day_first=True))
    assert parsed.frame.select("effective_date", "term_date").row(0) == (
        d("2026-02-01"),
        d("2026-04-03"),
    )
    assert not _decisions(parsed, DecisionKind.DATE_ORDER)


def test_months_of_a_statement_in_day_first_dates(tmp_path: Path) -> None:
    from pmpm_desktop.io.remittance_file import read_remittance

    path = csv_file(
        tmp_path / "s.csv",
        ["Member ID", "Coverage Month", "Paid Amount"],
        [["1", "01.02.2026", "165,00"], ["2", "01.03.2026", "165,00"], ["3", "02.2026", "5,00"]],
        delimiter=";",
    )
    parsed = read_remittance(path)
    assert parsed.ok, parsed.problems
    assert parsed.frame["coverage_month"].to_list() == ["2026-02", "2026-03", "2026-02"]


def test_xlsx_date_cells_are_not_reordered(tmp_path: Path) -> None:
    # Real date cells come through as ISO text: no order to decide.
    wb = openpyxl.Workbook()
    ws = wb.active
    assert ws is not None
    ws.append(ROSTER_HEADERS)
    ws.append(_member(1, dt.date(1980, 1, 2), dt.date(2026, 2, 1)))
    wb.save(tmp_path / "r.xlsx")
    parsed = read_roster(tmp_path / "r.xlsx", roster_month=FEB)
    assert parsed.frame["dob"].to_list() == [d("1980-01-02")]
    assert not _decisions(parsed, DecisionKind.DATE_ORDER)
