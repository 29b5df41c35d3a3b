"""The expected-amount engine (SPEC §3–§4): eligibility rules, roster defaults, latest word wins,
age, rate matching, risk and withhold — example by example, then property tests against plain
reference implementations written from the SPEC's text."""

from __future__ import annotations

import datetime as dt
import random
from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal, localcontext

import polars as pl
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from pmpm_desktop.core.expected import deciding_rows
from pmpm_desktop.core.month import Month, month_range

from .engine_helpers import (
    M,
    components_of,
    contract,
    d,
    expected_amounts,
    expected_rows,
    rate,
    roster,
    worked_example_rates,
)

CAP_100 = [rate("100.00")]


def amounts(rows: pl.DataFrame, rule: str, rates: list, first: str, last: str, **kw: object):
    return expected_amounts(rows, [contract(rule, **kw)], rates, first, last)  # type: ignore[arg-type]


def one_month(rule: str, rates: list, month: str, **row: object) -> Decimal | None:
    """Expected of member 1 in ``month`` (None when not eligible), roster of that month."""
    row.setdefault("month", month)
    got = amounts(roster({"member": 1, **row}), rule, rates, month, month)
    return got.get((1, month))


# --- SPEC §8, the worked example --------------------------------------------------------------


def worked_example_roster() -> pl.DataFrame:
    a = {"member": 1, "sex": "F", "dob": d("1990-05-10"), "cell": "TANF"}
    b = {"member": 2, "sex": "M", "dob": d("2024-01-15"), "cell": "TANF"}
    return roster(
        {**a, "month": "2026-01"},
        {**b, "month": "2026-01"},
        {**b, "month": "2026-02"},
        {**b, "month": "2026-03"},
        {**b, "month": "2026-05", "eff": d("2025-06-01"), "term": d("2026-02-14")},
    )


WORKED_CONTRACT = contract("first-of-month", withhold="2")


def test_worked_example_member_a_january_components_and_total() -> None:
    rows = worked_example_roster()
    comps = components_of(rows, [WORKED_CONTRACT], worked_example_rates(), "2026-01", "2026-01")
    assert comps[(1, "2026-01")] == {
        "capitation": Decimal("180.00"),
        "care_management": Decimal("4.50"),
    }
    got = expected_rows(rows, [WORKED_CONTRACT], worked_example_rates(), "2026-01", "2026-01")
    a = got[(1, "2026-01")]
    assert a["age"] == 35
    assert a["capitation_cents"] == 18000
    assert a["withhold_cents"] == 360
    assert a["expected"] == Decimal("180.90")


def test_worked_example_member_b_by_month() -> None:
    got = expected_rows(
        worked_example_roster(), [WORKED_CONTRACT], worked_example_rates(), "2026-01", "2026-05"
    )
    jan, feb = got[(2, "2026-01")], got[(2, "2026-02")]
    assert (jan["age"], jan["capitation_cents"], jan["withhold_cents"]) == (1, 21000, 420)
    assert jan["expected"] == Decimal("210.30")
    assert (feb["age"], feb["capitation_cents"], feb["withhold_cents"]) == (2, 9500, 190)
    assert feb["expected"] == Decimal("97.60")
    # The May roster (term 2026-02-14) decides January to May.
    for month in ("2026-01", "2026-02", "2026-03", "2026-04", "2026-05"):
        assert got[(2, month)]["roster_month"] == M("2026-05").index
    for month in ("2026-03", "2026-04", "2026-05"):
        assert not got[(2, month)]["eligible"]
        assert got[(2, month)]["expected"] == Decimal("0.00")


def test_worked_example_member_a_is_not_eligible_after_january() -> None:
    got = expected_amounts(
        worked_example_roster(), [WORKED_CONTRACT], worked_example_rates(), "2026-01", "2026-05"
    )
    assert {k: v for k, v in got.items() if k[0] == 1} == {(1, "2026-01"): Decimal("180.90")}


# --- eligibility rules (SPEC §3) ----------------------------------------------------------------


def test_first_of_month_span_starting_on_the_2nd_is_not_payable_that_month() -> None:
    rows = roster({"member": 1, "month": "2026-04", "eff": d("2026-03-02")})
    got = amounts(rows, "first-of-month", CAP_100, "2026-03", "2026-04")
    assert got == {(1, "2026-04"): Decimal("100.00")}


def test_first_of_month_span_starting_on_the_1st_is_payable_in_full() -> None:
    assert one_month("first-of-month", CAP_100, "2026-03", eff=d("2026-03-01")) == Decimal("100.00")


def test_first_of_month_span_ending_on_the_1st_is_payable_in_full() -> None:
    got = one_month("first-of-month", CAP_100, "2026-03", eff=d("2026-01-01"), term=d("2026-03-01"))
    assert got == Decimal("100.00")


def test_first_of_month_span_ending_on_last_day_of_previous_month_is_not_payable() -> None:
    got = one_month("first-of-month", CAP_100, "2026-03", eff=d("2026-01-01"), term=d("2026-02-28"))
    assert got is None


def test_mid_month_15_span_starting_on_the_15th_is_payable() -> None:
    assert one_month("mid-month:15", CAP_100, "2026-03", eff=d("2026-03-15")) == Decimal("100.00")


def test_mid_month_15_span_starting_on_the_16th_is_not_payable() -> None:
    assert one_month("mid-month:15", CAP_100, "2026-03", eff=d("2026-03-16")) is None


def test_mid_month_15_span_ending_on_the_14th_is_not_payable_and_on_the_15th_is() -> None:
    span = {"eff": d("2026-01-01")}
    assert one_month("mid-month:15", CAP_100, "2026-03", **span, term=d("2026-03-14")) is None
    assert one_month("mid-month:15", CAP_100, "2026-03", **span, term=d("2026-03-15")) == Decimal(
        "100.00"
    )


def test_mid_month_15_span_starting_on_the_2nd_is_payable() -> None:
    assert one_month("mid-month:15", CAP_100, "2026-03", eff=d("2026-03-02")) == Decimal("100.00")


def test_any_day_span_of_one_day_is_payable_in_full() -> None:
    day = d("2026-03-31")
    assert one_month("any-day", CAP_100, "2026-03", eff=day, term=day) == Decimal("100.00")


def test_any_day_span_ending_before_the_month_is_not_payable() -> None:
    got = one_month("any-day", CAP_100, "2026-03", eff=d("2026-01-01"), term=d("2026-02-28"))
    assert got is None


@pytest.mark.parametrize(
    ("eff", "month", "expected"),
    [
        ("2026-01-22", "2026-01", "32.26"),  # 10 of 31 days
        ("2026-04-21", "2026-04", "33.33"),  # 10 of 30 days
        ("2028-02-15", "2028-02", "51.72"),  # 15 of 29 days, leap February
        ("2027-02-15", "2027-02", "50.00"),  # 14 of 28 days
        ("2026-03-01", "2026-03", "100.00"),  # the whole month
        ("2026-03-31", "2026-03", "3.23"),  # 1 of 31 days
    ],
)
def test_daily_proration_exact_figures(eff: str, month: str, expected: str) -> None:
    assert one_month("daily", CAP_100, month, eff=d(eff)) == Decimal(expected)


def test_daily_proration_counts_days_up_to_the_term_date() -> None:
    got = one_month("daily", CAP_100, "2026-04", eff=d("2026-01-01"), term=d("2026-04-10"))
    assert got == Decimal("33.33")  # 10 of 30


def test_daily_proration_rounds_an_exact_half_cent_up() -> None:
    # 0.31 × 15 / 30 = 0.155 exactly → 0.16 (banker's rounding would give 0.16 too, so also
    # check 0.25 × 15 / 30 = 0.125 → 0.13, where round-half-even gives 0.12).
    assert one_month("daily", [rate("0.31")], "2026-04", eff=d("2026-04-16")) == Decimal("0.16")
    assert one_month("daily", [rate("0.25")], "2026-04", eff=d("2026-04-16")) == Decimal("0.13")


def test_daily_proration_rounds_each_component_separately() -> None:
    rates = [rate("0.25"), rate("0.25", component="care_management")]
    comps = components_of(
        roster({"member": 1, "month": "2026-04", "eff": d("2026-04-16")}),
        [contract("daily")],
        rates,
        "2026-04",
        "2026-04",
    )
    assert comps[(1, "2026-04")] == {
        "capitation": Decimal("0.13"),
        "care_management": Decimal("0.13"),
    }
    assert one_month("daily", rates, "2026-04", eff=d("2026-04-16")) == Decimal("0.26")


def test_risk_adjusted_daily_with_withhold() -> None:
    # 200.00 × 10/30 × 1.25 = 83.333… → 83.33; withhold 2 % of 83.33 = 1.6666 → 1.67;
    # care management 4.50 × 10/30 = 1.50 (no risk, no withhold) → 83.33 − 1.67 + 1.50.
    rows = roster({"member": 1, "month": "2026-04", "eff": d("2026-04-21"), "risk": "1.25"})
    rates = [rate("200.00"), rate("4.50", component="care_management")]
    c = contract("daily", risk=True, withhold="2")
    got = expected_rows(rows, [c], rates, "2026-04", "2026-04")[(1, "2026-04")]
    assert (got["fraction_num"], got["fraction_den"]) == (10, 30)
    assert got["capitation_cents"] == 8333
    assert got["withhold_cents"] == 167
    assert got["expected"] == Decimal("83.16")


def test_risk_adjusted_daily_rounds_once_after_the_risk_score() -> None:
    # 100.00 × 10/30 × 3 = 100.00 exactly; rounding 33.33 first would give 99.99.
    rows = roster({"member": 1, "month": "2026-04", "eff": d("2026-04-21"), "risk": "3"})
    got = expected_amounts(rows, [contract("daily", risk=True)], CAP_100, "2026-04", "2026-04")
    assert got == {(1, "2026-04"): Decimal("100.00")}


# --- roster defaults (SPEC §3) ------------------------------------------------------------------


def test_row_without_dates_covers_exactly_its_roster_month() -> None:
    rows = roster({"member": 1, "month": "2026-03"})
    got = amounts(rows, "daily", CAP_100, "2026-01", "2026-06")
    assert got == {(1, "2026-03"): Decimal("100.00")}
    span = deciding_rows(rows, M("2026-01"), M("2026-06"))
    assert span.select("month", "eff", "term").rows() == [
        (M("2026-03").index, d("2026-03-01"), d("2026-03-31"))
    ]


def test_row_with_effective_date_only_is_open_ended() -> None:
    rows = roster({"member": 1, "month": "2026-03", "eff": d("2026-01-10")})
    span = deciding_rows(rows, M("2026-01"), M("2026-03"))
    assert span["term"].to_list() == [None, None, None]
    got = amounts(rows, "daily", [rate("310.00")], "2026-01", "2026-04")
    assert got == {
        (1, "2026-01"): Decimal("220.00"),  # 22 of 31
        (1, "2026-02"): Decimal("310.00"),
        (1, "2026-03"): Decimal("310.00"),
    }


def test_row_with_term_date_only_starts_on_day_1_of_its_roster_month() -> None:
    rows = roster({"member": 1, "month": "2026-03", "term": d("2026-03-20")})
    span = deciding_rows(rows, M("2026-01"), M("2026-03"))
    assert span.select("month", "eff", "term").rows() == [
        (M("2026-03").index, d("2026-03-01"), d("2026-03-20"))
    ]
    got = amounts(rows, "daily", [rate("310.00")], "2026-01", "2026-04")
    assert got == {(1, "2026-03"): Decimal("200.00")}  # 20 of 31


# --- latest word wins (SPEC §3) -----------------------------------------------------------------


def test_retro_add_later_roster_makes_an_unlisted_month_eligible() -> None:
    rows = roster(
        {"member": 2, "month": "2026-01"},  # January's roster: member 1 not listed
        {"member": 1, "month": "2026-03", "eff": d("2026-01-01")},
    )
    got = amounts(rows, "first-of-month", CAP_100, "2026-01", "2026-03")
    assert {k for k in got if k[0] == 1} == {(1, "2026-01"), (1, "2026-02"), (1, "2026-03")}


def test_retro_term_makes_month_not_eligible() -> None:
    rows = roster(
        {"member": 1, "month": "2026-01"},
        {"member": 1, "month": "2026-02"},
        {"member": 1, "month": "2026-03"},
        {"member": 1, "month": "2026-04", "eff": d("2025-01-01"), "term": d("2026-01-31")},
    )
    got = expected_rows(rows, [contract()], CAP_100, "2026-01", "2026-04")
    assert [got[(1, m)]["eligible"] for m in ("2026-01", "2026-02", "2026-03", "2026-04")] == [
        True,
        False,
        False,
        False,
    ]


def test_retro_term_before_the_mid_month_day_ends_eligibility() -> None:
    base = [{"member": 1, "month": "2026-02"}]
    term_14 = roster(
        *base, {"member": 1, "month": "2026-03", "eff": d("2026-01-01"), "term": d("2026-02-14")}
    )
    term_15 = roster(
        *base, {"member": 1, "month": "2026-03", "eff": d("2026-01-01"), "term": d("2026-02-15")}
    )
    assert (1, "2026-02") not in amounts(term_14, "mid-month:15", CAP_100, "2026-02", "2026-02")
    assert (1, "2026-02") in amounts(term_15, "mid-month:15", CAP_100, "2026-02", "2026-02")


def test_later_roster_row_effective_after_the_month_does_not_speak_about_it() -> None:
    rows = roster(
        {"member": 1, "month": "2026-02"},
        {"member": 1, "month": "2026-04", "eff": d("2026-03-01")},
    )
    got = expected_rows(rows, [contract()], CAP_100, "2026-02", "2026-04")
    assert got[(1, "2026-02")]["roster_month"] == M("2026-02").index
    assert got[(1, "2026-02")]["eligible"]
    assert got[(1, "2026-03")]["roster_month"] == M("2026-04").index  # a retro add
    assert got[(1, "2026-03")]["eligible"]


def test_later_roster_without_effective_date_does_not_speak_about_earlier_months() -> None:
    rows = roster(
        {"member": 1, "month": "2026-01", "eff": d("2025-06-01")},
        {"member": 1, "month": "2026-03"},
    )
    got = amounts(rows, "first-of-month", CAP_100, "2026-01", "2026-03")
    assert set(got) == {(1, "2026-01"), (1, "2026-03")}


def test_month_without_roster_and_no_later_roster_speaking_is_not_eligible() -> None:
    rows = roster({"member": 1, "month": "2026-01", "eff": d("2025-06-01")})
    got = expected_rows(rows, [contract()], CAP_100, "2026-01", "2026-04")
    assert set(got) == {(1, "2026-01")}


def test_earlier_roster_never_speaks_about_a_later_month() -> None:
    # January's row is open-ended, February's roster does not list the member.
    rows = roster(
        {"member": 1, "month": "2026-01", "eff": d("2025-06-01")},
        {"member": 2, "month": "2026-02"},
    )
    got = amounts(rows, "first-of-month", CAP_100, "2026-01", "2026-02")
    assert (1, "2026-02") not in got
    assert (1, "2026-01") in got


def test_later_roster_overrides_the_months_own_roster_in_any_row_order() -> None:
    rows = [
        {"member": 1, "month": "2026-03", "eff": d("2026-01-01"), "term": d("2026-01-31")},
        {"member": 1, "month": "2026-02", "cell": "SSI"},
        {"member": 1, "month": "2026-01"},
    ]
    for order in (rows, rows[::-1]):
        got = expected_rows(roster(*order), [contract()], CAP_100, "2026-01", "2026-03")
        assert {m: got[(1, m)]["roster_month"] for m in ("2026-01", "2026-02", "2026-03")} == {
            "2026-01": M("2026-03").index,
            "2026-02": M("2026-03").index,
            "2026-03": M("2026-03").index,
        }
        assert [got[(1, m)]["eligible"] for m in ("2026-01", "2026-02", "2026-03")] == [
            True,
            False,
            False,
        ]


def test_deciding_row_gives_the_rate_cell() -> None:
    rows = roster(
        {"member": 1, "month": "2026-01", "cell": "TANF"},
        {"member": 1, "month": "2026-02", "eff": d("2026-01-01"), "cell": "SSI"},
    )
    rates = [rate("100.00", cell="TANF"), rate("300.00", cell="SSI")]
    got = amounts(rows, "first-of-month", rates, "2026-01", "2026-02")
    assert got == {(1, "2026-01"): Decimal("300.00"), (1, "2026-02"): Decimal("300.00")}


def test_member_in_two_disjoint_rows_of_one_import_daily_sums_covered_days() -> None:
    rows = roster(
        {"member": 1, "month": "2026-03", "eff": d("2026-03-01"), "term": d("2026-03-10")},
        {"member": 1, "month": "2026-03", "eff": d("2026-03-21")},
    )
    got = amounts(rows, "daily", [rate("310.00")], "2026-03", "2026-03")
    assert got == {(1, "2026-03"): Decimal("210.00")}  # 10 + 11 of 31 days


def test_member_in_two_disjoint_rows_of_one_import_speaks_through_either_row() -> None:
    rows = roster(
        {"member": 1, "month": "2026-03", "eff": d("2026-01-01"), "term": d("2026-01-10")},
        {"member": 1, "month": "2026-03", "eff": d("2026-02-20")},
    )
    got = expected_rows(rows, [contract()], CAP_100, "2026-01", "2026-03")
    assert [got[(1, m)]["eligible"] for m in ("2026-01", "2026-02", "2026-03")] == [
        True,
        False,
        True,
    ]


def test_member_in_two_rows_takes_cell_from_the_row_covering_most_of_the_month() -> None:
    rows = roster(
        {
            "member": 1,
            "month": "2026-03",
            "eff": d("2026-03-01"),
            "term": d("2026-03-10"),
            "cell": "TANF",
        },
        {"member": 1, "month": "2026-03", "eff": d("2026-03-11"), "cell": "SSI"},
    )
    rates = [rate("100.00", cell="TANF"), rate("300.00", cell="SSI")]
    got = expected_rows(rows, [contract("any-day")], rates, "2026-03", "2026-03")[(1, "2026-03")]
    assert got["rate_cell"] == "SSI"
    assert got["expected"] == Decimal("300.00")


def test_members_are_decided_independently() -> None:
    rows = roster(
        {"member": 1, "month": "2026-01"},
        {"member": 2, "month": "2026-02", "eff": d("2025-12-01"), "term": d("2025-12-31")},
        {"member": 1, "month": "2026-02"},
    )
    got = amounts(rows, "first-of-month", CAP_100, "2026-01", "2026-02")
    assert set(got) == {(1, "2026-01"), (1, "2026-02")}


# --- age (SPEC §4.1) ----------------------------------------------------------------------------

AGED = [rate("100.00", age=(0, 19)), rate("200.00", age=(20, None))]


def by_month(rows: pl.DataFrame, first: str, last: str, **kw: object) -> dict[str, Decimal]:
    got = expected_amounts(rows, [contract(**kw)], AGED, first, last)  # type: ignore[arg-type]
    return {m: v for (_, m), v in got.items()}


def test_age_band_changes_in_the_month_of_a_birthday_on_the_1st() -> None:
    rows = roster({"member": 1, "month": "2026-04", "eff": d("2026-01-01"), "dob": d("2006-03-01")})
    assert by_month(rows, "2026-02", "2026-04") == {
        "2026-02": Decimal("100.00"),
        "2026-03": Decimal("200.00"),
        "2026-04": Decimal("200.00"),
    }


def test_age_band_changes_the_month_after_a_birthday_on_the_2nd() -> None:
    rows = roster({"member": 1, "month": "2026-04", "eff": d("2026-01-01"), "dob": d("2006-03-02")})
    assert by_month(rows, "2026-02", "2026-04") == {
        "2026-02": Decimal("100.00"),
        "2026-03": Decimal("100.00"),
        "2026-04": Decimal("200.00"),
    }


def test_first_of_year_age_basis_keeps_the_age_of_january_1_all_year() -> None:
    rows = roster({"member": 1, "month": "2027-01", "eff": d("2026-01-01"), "dob": d("2006-03-01")})
    got = by_month(rows, "2026-01", "2027-01", age_basis="first-of-year")
    assert {m: v for m, v in got.items() if m < "2027"} == {
        str(m): Decimal("100.00") for m in month_range(M("2026-01"), M("2026-12"))
    }
    assert got["2027-01"] == Decimal("200.00")


def test_first_of_year_age_basis_birthday_on_january_1_counts_that_year() -> None:
    rows = roster({"member": 1, "month": "2026-01", "dob": d("2006-01-01")})
    assert by_month(rows, "2026-01", "2026-01", age_basis="first-of-year") == {
        "2026-01": Decimal("200.00")
    }
    rows = roster({"member": 1, "month": "2026-01", "dob": d("2006-01-02")})
    assert by_month(rows, "2026-01", "2026-01", age_basis="first-of-year") == {
        "2026-01": Decimal("100.00")
    }


def test_unknown_dob_with_only_aged_rows_is_no_rate() -> None:
    got = expected_rows(
        roster({"member": 1, "month": "2026-01"}), [contract()], AGED, "2026-01", "2026-01"
    )[(1, "2026-01")]
    assert got["eligible"] and got["no_rate"]
    assert got["age"] is None
    assert got["expected"] == Decimal("0.00")


def test_unknown_dob_matches_only_rows_without_age_limits() -> None:
    rates = [
        rate("300.00", cell="SSI"),
        rate("100.00", cell="TANF", age=(0, 19)),
        rate("200.00", cell="TANF", age=(20, None)),
        rate("5.00", component="care_management", age=(0, 17)),
        rate("2.00", component="transport"),
    ]
    rows = roster(
        {"member": 1, "month": "2026-01", "cell": "SSI"},
        {"member": 2, "month": "2026-01", "cell": "TANF"},
    )
    got = expected_rows(rows, [contract()], rates, "2026-01", "2026-01")
    assert got[(1, "2026-01")]["expected"] == Decimal("302.00")
    assert not got[(1, "2026-01")]["no_rate"]
    assert got[(2, "2026-01")]["no_rate"]


def test_newborn_born_after_day_1_counts_as_age_0() -> None:
    rows = roster({"member": 1, "month": "2026-03", "eff": d("2026-03-10"), "dob": d("2026-03-10")})
    for basis in ("first-of-month", "first-of-year"):
        got = expected_rows(
            rows,
            [contract("any-day", age_basis=basis)],
            worked_example_rates(),
            "2026-03",
            "2026-03",
        )[(1, "2026-03")]
        assert got["age"] == 0
        assert got["expected"] == Decimal("214.50")


# --- rates (SPEC §4.2–§4.5) ---------------------------------------------------------------------


def test_rate_change_mid_range_applies_by_month() -> None:
    rates = [rate("100.00", start="2026-01", end="2026-03"), rate("120.00", start="2026-04")]
    rows = roster({"member": 1, "month": "2026-06", "eff": d("2026-01-01")})
    got = amounts(rows, "first-of-month", rates, "2026-01", "2026-06")
    assert {m: v for (_, m), v in got.items()} == {
        "2026-01": Decimal("100.00"),
        "2026-02": Decimal("100.00"),
        "2026-03": Decimal("100.00"),
        "2026-04": Decimal("120.00"),
        "2026-05": Decimal("120.00"),
        "2026-06": Decimal("120.00"),
    }


def test_rate_row_starting_after_the_month_does_not_apply() -> None:
    rows = roster({"member": 1, "month": "2026-03"})
    got = expected_rows(rows, [contract()], [rate("100.00", start="2026-04")], "2026-03", "2026-03")
    assert got[(1, "2026-03")]["no_rate"]


def test_blank_rate_cell_matches_any_cell() -> None:
    assert one_month("first-of-month", [rate("100.00")], "2026-01", cell="XYZ") == Decimal("100.00")


def test_rate_cell_is_compared_trimmed_and_case_insensitively() -> None:
    rates = [rate("100.00", cell="TANF"), rate("300.00", cell="SSI")]
    assert one_month("first-of-month", rates, "2026-01", cell=" tanf ") == Decimal("100.00")


def test_rate_cell_without_a_row_is_no_rate() -> None:
    rows = roster({"member": 1, "month": "2026-01", "cell": "ABD"})
    got = expected_rows(rows, [contract()], [rate("100.00", cell="TANF")], "2026-01", "2026-01")
    assert got[(1, "2026-01")]["no_rate"]


def test_blank_sex_rate_row_matches_any_sex() -> None:
    for sex in ("M", "F", "U", None):
        assert one_month("first-of-month", CAP_100, "2026-01", sex=sex) == Decimal("100.00")


def test_sex_specific_rows_pick_by_sex() -> None:
    rates = [rate("180.00", sex="F"), rate("150.00", sex="M")]
    assert one_month("first-of-month", rates, "2026-01", sex="F") == Decimal("180.00")
    assert one_month("first-of-month", rates, "2026-01", sex="M") == Decimal("150.00")


def test_unknown_sex_matches_only_blank_sex_rows() -> None:
    rates = [rate("180.00", sex="F"), rate("150.00", sex="M")]
    for sex in ("U", None):
        rows = roster({"member": 1, "month": "2026-01", "sex": sex})
        got = expected_rows(rows, [contract()], rates, "2026-01", "2026-01")[(1, "2026-01")]
        assert got["eligible"] and got["no_rate"]
    mixed = [rate("180.00", sex="F", cell="TANF"), rate("120.00", cell="ABD")]
    assert one_month("first-of-month", mixed, "2026-01", sex="U", cell="ABD") == Decimal("120.00")


def test_component_without_a_matching_row_is_just_not_added() -> None:
    rates = [rate("100.00"), rate("4.50", component="care_management", cell="TANF")]
    assert one_month("first-of-month", rates, "2026-01", cell="TANF") == Decimal("104.50")
    assert one_month("first-of-month", rates, "2026-01", cell="SSI") == Decimal("100.00")


def test_only_a_non_capitation_row_matching_is_no_rate() -> None:
    rates = [rate("100.00", cell="TANF"), rate("4.50", component="care_management")]
    rows = roster({"member": 1, "month": "2026-01", "cell": "SSI"})
    got = expected_rows(rows, [contract()], rates, "2026-01", "2026-01")[(1, "2026-01")]
    assert got["no_rate"]
    assert got["expected"] == Decimal("0.00")
    assert components_of(rows, [contract()], rates, "2026-01", "2026-01") == {}


def test_risk_score_multiplies_capitation_only() -> None:
    rates = [rate("100.00"), rate("10.00", component="care_management")]
    rows = roster({"member": 1, "month": "2026-01", "risk": "1.5"})
    c = contract(risk=True)
    assert expected_amounts(rows, [c], rates, "2026-01", "2026-01") == {
        (1, "2026-01"): Decimal("160.00")
    }
    assert components_of(rows, [c], rates, "2026-01", "2026-01")[(1, "2026-01")] == {
        "capitation": Decimal("150.00"),
        "care_management": Decimal("10.00"),
    }


def test_risk_score_is_ignored_by_a_contract_that_is_not_risk_adjusted() -> None:
    rates = [rate("100.00")]
    rows = roster({"member": 1, "month": "2026-01", "risk": "1.5"})
    assert expected_amounts(rows, [contract()], rates, "2026-01", "2026-01") == {
        (1, "2026-01"): Decimal("100.00")
    }


def test_blank_risk_score_counts_as_one() -> None:
    rows = roster({"member": 1, "month": "2026-01"})
    assert expected_amounts(rows, [contract(risk=True)], CAP_100, "2026-01", "2026-01") == {
        (1, "2026-01"): Decimal("100.00")
    }


def test_risk_adjusted_capitation_is_rounded_half_up() -> None:
    # 100.00 × 1.234565 = 123.4565 → 123.46
    rows = roster({"member": 1, "month": "2026-01", "risk": "1.234565"})
    assert expected_amounts(rows, [contract(risk=True)], CAP_100, "2026-01", "2026-01") == {
        (1, "2026-01"): Decimal("123.46")
    }


def test_withhold_applies_to_capitation_only() -> None:
    rates = [rate("100.00"), rate("10.00", component="care_management")]
    rows = roster({"member": 1, "month": "2026-01"})
    got = expected_rows(rows, [contract(withhold="10")], rates, "2026-01", "2026-01")
    assert got[(1, "2026-01")]["withhold_cents"] == 1000
    assert got[(1, "2026-01")]["expected"] == Decimal("100.00")


def test_withhold_is_taken_after_the_risk_score() -> None:
    rates = [rate("100.00"), rate("10.00", component="care_management")]
    rows = roster({"member": 1, "month": "2026-01", "risk": "1.5"})
    c = contract(withhold="10", risk=True)
    assert expected_amounts(rows, [c], rates, "2026-01", "2026-01") == {
        (1, "2026-01"): Decimal("145.00")
    }


def test_withhold_is_rounded_half_up() -> None:
    # 2 % of 25.25 = 0.505 → 0.51
    rows = roster({"member": 1, "month": "2026-01"})
    got = expected_rows(rows, [contract(withhold="2")], [rate("25.25")], "2026-01", "2026-01")
    assert got[(1, "2026-01")]["withhold_cents"] == 51
    assert got[(1, "2026-01")]["expected"] == Decimal("24.74")


def test_fractional_withhold_percentage() -> None:
    # 1.5 % of 200.00 = 3.00
    rows = roster({"member": 1, "month": "2026-01"})
    got = expected_amounts(rows, [contract(withhold="1.5")], [rate("200.00")], "2026-01", "2026-01")
    assert got == {(1, "2026-01"): Decimal("197.00")}


TWO_CONTRACTS = [
    contract("first-of-month", id=1, products=("HMO",)),
    contract("daily", id=2, products=("PPO", "PPO-PLUS")),
]
TWO_CONTRACT_RATES = [rate("100.00", contract_id=1), rate("310.00", contract_id=2)]


def test_contract_is_selected_by_product_trimmed_and_case_insensitive() -> None:
    rows = roster(
        {"member": 1, "month": "2026-01", "product": " hmo "},
        {"member": 2, "month": "2026-01", "product": "Ppo"},
        {"member": 3, "month": "2026-01", "product": "ppo-plus", "eff": d("2026-01-21")},
    )
    got = expected_rows(rows, TWO_CONTRACTS, TWO_CONTRACT_RATES, "2026-01", "2026-01")
    assert {k[0]: (r["contract_id"], r["expected"]) for k, r in got.items()} == {
        1: (1, Decimal("100.00")),
        2: (2, Decimal("310.00")),
        3: (2, Decimal("110.00")),  # the PPO contract's daily rule: 11 of 31 days
    }


def test_product_selecting_no_contract_is_no_rate_when_day_1_is_covered() -> None:
    rows = roster(
        {"member": 1, "month": "2026-01", "product": "EPO"},
        {"member": 2, "month": "2026-01", "product": None},
        {"member": 3, "month": "2026-01", "product": "EPO", "eff": d("2026-01-02")},
    )
    got = expected_rows(rows, TWO_CONTRACTS, TWO_CONTRACT_RATES, "2026-01", "2026-01")
    for member in (1, 2):
        r = got[(member, "2026-01")]
        assert r["contract_id"] is None
        assert r["eligible"] and r["no_rate"]
        assert r["tolerance_cents"] == 1
    assert not got[(3, "2026-01")]["eligible"]


def test_single_contract_is_used_whatever_the_product() -> None:
    rows = roster({"member": 1, "month": "2026-01", "product": "anything"})
    c = contract(products=("HMO",))
    assert expected_amounts(rows, [c], CAP_100, "2026-01", "2026-01") == {
        (1, "2026-01"): Decimal("100.00")
    }


def test_month_outside_every_contract_range_is_no_rate_when_covered_on_day_1() -> None:
    c = contract("any-day", start="2026-01", end="2026-03")
    rows = roster(
        {"member": 1, "month": "2026-04", "eff": d("2026-03-01")},
        {"member": 2, "month": "2026-04", "eff": d("2026-04-02")},
    )
    got = expected_rows(rows, [c], CAP_100, "2026-03", "2026-04")
    assert got[(1, "2026-03")]["expected"] == Decimal("100.00")
    assert got[(1, "2026-04")]["contract_id"] is None
    assert got[(1, "2026-04")]["eligible"] and got[(1, "2026-04")]["no_rate"]
    # Covered from the 2nd: the any-day rule would pay, but there is no contract for April.
    assert not got[(2, "2026-04")]["eligible"]


def test_contract_ranges_of_two_contracts_for_one_product_pick_by_month() -> None:
    contracts = [
        contract(id=1, products=("HMO",), end="2026-02"),
        contract(id=2, products=("HMO",), start="2026-03"),
    ]
    rates = [rate("100.00", contract_id=1), rate("150.00", contract_id=2)]
    rows = roster({"member": 1, "month": "2026-04", "eff": d("2026-01-01"), "product": "HMO"})
    got = amounts_many(rows, contracts, rates, "2026-01", "2026-04")
    assert got == {
        "2026-01": Decimal("100.00"),
        "2026-02": Decimal("100.00"),
        "2026-03": Decimal("150.00"),
        "2026-04": Decimal("150.00"),
    }


def amounts_many(rows: pl.DataFrame, contracts: list, rates: list, first: str, last: str):
    return {m: v for (_, m), v in expected_amounts(rows, contracts, rates, first, last).items()}


def test_no_rate_rows_at_all_is_no_rate() -> None:
    rows = roster({"member": 1, "month": "2026-01"})
    got = expected_rows(rows, [contract()], [], "2026-01", "2026-01")[(1, "2026-01")]
    assert got["no_rate"] and got["expected"] == Decimal("0.00")


def test_empty_roster_gives_no_member_months() -> None:
    got = expected_rows(roster(), [contract()], CAP_100, "2026-01", "2026-03")
    assert got == {}


# --- property tests against plain references ----------------------------------------------------

PROPERTY = settings(
    max_examples=80,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
CENT = Decimal("0.01")
ROSTER_MONTHS = month_range(M("2025-11"), M("2026-04"))


def half_up(value: Decimal) -> Decimal:
    return value.quantize(CENT, rounding=ROUND_HALF_UP)


def ref_span(roster_month: Month, eff: dt.date | None, term: dt.date | None):
    """SPEC §3's defaults, literally."""
    if eff is None and term is None:
        return roster_month.first_day, roster_month.last_day
    return (eff if eff is not None else roster_month.first_day), term


def ref_covers(span: tuple[dt.date, dt.date | None], day: dt.date) -> bool:
    return span[0] <= day and (span[1] is None or day <= span[1])


def ref_covered_days(span: tuple[dt.date, dt.date | None], m: Month) -> int:
    return sum(1 for n in range(1, m.days + 1) if ref_covers(span, m.day(n)))


def ref_fraction(rule: str, span: tuple[dt.date, dt.date | None], m: Month) -> Decimal:
    covered = ref_covered_days(span, m)
    if rule == "daily":
        return Decimal(covered) / Decimal(m.days)
    if rule == "any-day":
        return Decimal(1 if covered else 0)
    day = 1 if rule == "first-of-month" else int(rule.split(":")[1])
    return Decimal(1 if ref_covers(span, m.day(day)) else 0)


@dataclass(frozen=True)
class Case:
    roster_month: Month
    eff: dt.date | None
    term: dt.date | None
    cap: Decimal
    care: Decimal
    risk: Decimal | None
    risk_adjusted: bool
    withhold: Decimal


DAY0 = dt.date(2025, 9, 1)


@st.composite
def single_row_cases(draw: st.DrawFn) -> Case:
    roster_month = draw(st.sampled_from(ROSTER_MONTHS))
    eff = draw(st.none() | st.integers(0, 300).map(lambda n: DAY0 + dt.timedelta(days=n)))
    if draw(st.booleans()):
        term = None
    elif eff is not None:
        term = eff + dt.timedelta(days=draw(st.integers(0, 120)))
    else:
        term = DAY0 + dt.timedelta(days=draw(st.integers(0, 300)))
    return Case(
        roster_month=roster_month,
        eff=eff,
        term=term,
        cap=Decimal(draw(st.integers(0, 99_999))) / 100,
        care=Decimal(draw(st.integers(0, 2_000))) / 100,
        risk=draw(st.none() | st.integers(1, 3_000_000).map(lambda n: Decimal(n) / 1_000_000)),
        risk_adjusted=draw(st.booleans()),
        withhold=Decimal(draw(st.integers(0, 2_000))) / 100,
    )


def reference_expected(case: Case, rule: str, first: Month, last: Month) -> dict[str, Decimal]:
    """{month: expected} for the eligible months, computed day by day in Decimal."""
    span = ref_span(case.roster_month, case.eff, case.term)
    out = {}
    with localcontext() as ctx:
        ctx.prec = 60
        for m in month_range(first, last):
            speaks = m == case.roster_month or (
                m < case.roster_month and case.eff is not None and case.eff <= m.last_day
            )
            if not speaks:
                continue
            f = ref_fraction(rule, span, m)
            if f == 0:
                continue
            risk = (
                (case.risk if case.risk is not None else Decimal(1))
                if case.risk_adjusted
                else Decimal(1)
            )
            cap = half_up(case.cap * f * risk)
            withhold = half_up(cap * case.withhold / 100)
            care = half_up(case.care * f)
            out[str(m)] = cap - withhold + care
    return out


def engine_expected(case: Case, rule: str, first: Month, last: Month) -> dict[str, Decimal]:
    rows = roster(
        {
            "member": 7,
            "month": str(case.roster_month),
            "eff": case.eff,
            "term": case.term,
            "risk": case.risk,
        }
    )
    c = contract(rule, risk=case.risk_adjusted, withhold=str(case.withhold))
    rates = [rate(str(case.cap)), rate(str(case.care), component="care_management")]
    got = expected_amounts(rows, [c], rates, str(first), str(last))
    return {m: v for (_, m), v in got.items()}


@PROPERTY
@given(case=single_row_cases())
def test_property_daily_rule_matches_a_day_by_day_reference(case: Case) -> None:
    first, last = case.roster_month - 4, case.roster_month + 1
    assert engine_expected(case, "daily", first, last) == reference_expected(
        case, "daily", first, last
    )


POINT_RULES = st.sampled_from(["first-of-month", "any-day"]) | st.integers(1, 28).map(
    lambda n: f"mid-month:{n}"
)


@PROPERTY
@given(case=single_row_cases(), rule=POINT_RULES)
def test_property_point_and_any_day_rules_match_a_reference(case: Case, rule: str) -> None:
    first, last = case.roster_month - 4, case.roster_month + 1
    assert engine_expected(case, rule, first, last) == reference_expected(case, rule, first, last)


# Latest word wins: random imports for two members, one per roster month; each import either
# lists the member (with optional dates) or does not.
Listing = tuple[dt.date | None, dt.date | None] | None


@st.composite
def listings(draw: st.DrawFn) -> Listing:
    if draw(st.integers(0, 3)) == 0:
        return None  # the import does not list the member
    eff = draw(st.none() | st.integers(0, 400).map(lambda n: DAY0 + dt.timedelta(days=n)))
    if draw(st.booleans()):
        term = None
    elif eff is not None:
        term = eff + dt.timedelta(days=draw(st.integers(0, 200)))
    else:
        term = DAY0 + dt.timedelta(days=draw(st.integers(0, 400)))
    return (eff, term)


IMPORT_MONTHS = month_range(M("2025-10"), M("2026-06"))
imports_strategy = st.dictionaries(st.sampled_from(IMPORT_MONTHS), listings(), max_size=6)


def reference_decider(imports: dict[Month, Listing], m: Month) -> tuple[Month, Listing] | None:
    """SPEC §3 literally: every import that speaks about m, the latest roster month wins."""
    speaking = []
    for r, listing in imports.items():
        if r == m:
            speaking.append((r, listing))  # listed → its span; not listed → not eligible
        elif r > m and listing is not None and listing[0] is not None and listing[0] <= m.last_day:
            speaking.append((r, listing))
    return max(speaking, key=lambda s: s[0].index) if speaking else None


@PROPERTY
@given(per_member=st.lists(imports_strategy, min_size=1, max_size=2), rnd=st.randoms())
def test_property_latest_word_wins_matches_a_brute_force_reference(
    per_member: list[dict[Month, Listing]], rnd: random.Random
) -> None:
    first, last = M("2025-09"), M("2026-06")
    rows = [
        {"member": member, "month": str(r), "eff": listing[0], "term": listing[1]}
        for member, imports in enumerate(per_member, start=1)
        for r, listing in imports.items()
        if listing is not None
    ]
    rnd.shuffle(rows)  # the answer never depends on the order rows arrive in
    frame = roster(*rows)
    decided = {
        (pk, mi): rm
        for pk, mi, rm in deciding_rows(frame, first, last)
        .select("member_pk", "month", "roster_month")
        .iter_rows()
    }
    eligible = {
        k
        for k, r in expected_rows(frame, [contract()], CAP_100, str(first), str(last)).items()
        if r["eligible"]
    }
    want_decided, want_eligible = {}, set()
    for member, imports in enumerate(per_member, start=1):
        for m in month_range(first, last):
            decider = reference_decider(imports, m)
            if decider is None or decider[1] is None:
                continue  # nothing said, or "not listed": not eligible
            r, (eff, term) = decider
            want_decided[(member, m.index)] = r.index
            if ref_covers(ref_span(r, eff, term), m.first_day):
                want_eligible.add((member, str(m)))
    assert decided == want_decided
    assert eligible == want_eligible


@st.composite
def two_disjoint_rows(draw: st.DrawFn) -> tuple[Month, list[tuple[dt.date, dt.date | None]]]:
    roster_month = draw(st.sampled_from(ROSTER_MONTHS))
    eff1 = DAY0 + dt.timedelta(days=draw(st.integers(0, 250)))
    term1 = eff1 + dt.timedelta(days=draw(st.integers(0, 60)))
    eff2 = term1 + dt.timedelta(days=draw(st.integers(1, 60)))
    term2 = draw(st.none() | st.integers(0, 90).map(lambda n: eff2 + dt.timedelta(days=n)))
    spans = [(eff1, term1), (eff2, term2)]
    return roster_month, draw(st.permutations(spans))


@PROPERTY
@given(case=two_disjoint_rows(), cap_cents=st.integers(0, 99_999))
def test_property_two_disjoint_rows_of_one_import_add_their_covered_days(
    case: tuple[Month, list[tuple[dt.date, dt.date | None]]], cap_cents: int
) -> None:
    roster_month, spans = case
    first, last = roster_month - 5, roster_month
    rows = roster(
        *({"member": 1, "month": str(roster_month), "eff": e, "term": t} for e, t in spans)
    )
    cap = Decimal(cap_cents) / 100
    got = expected_amounts(rows, [contract("daily")], [rate(str(cap))], str(first), str(last))
    want = {}
    with localcontext() as ctx:
        ctx.prec = 60
        for m in month_range(first, last):
            if m < roster_month and not any(e <= m.last_day for e, _ in spans):
                continue  # no row speaks about m
            covered = sum(
                1 for n in range(1, m.days + 1) if any(ref_covers(s, m.day(n)) for s in spans)
            )
            if covered:
                want[(1, str(m))] = half_up(cap * covered / m.days)
    assert got == want


AGE_RATES = [
    rate("210.00", age=(0, 1)),
    rate("95.00", age=(2, 20)),
    rate("180.00", age=(21, 64)),
    rate("300.00", age=(65, None)),
]


def ref_age(dob: dt.date, on: dt.date) -> int:
    age = on.year - dob.year - (1 if (on.month, on.day) < (dob.month, dob.day) else 0)
    return max(age, 0)


@PROPERTY
@given(
    dob=st.dates(dt.date(1940, 1, 1), dt.date(2026, 12, 31)),
    month=st.sampled_from(month_range(M("2026-01"), M("2026-12"))),
    basis=st.sampled_from(["first-of-month", "first-of-year"]),
)
def test_property_age_band_follows_the_age_on_the_age_date(
    dob: dt.date, month: Month, basis: str
) -> None:
    rows = roster({"member": 1, "month": str(month), "dob": dob})
    got = expected_rows(
        rows, [contract("any-day", age_basis=basis)], AGE_RATES, str(month), str(month)
    )[(1, str(month))]
    on = month.first_day if basis == "first-of-month" else dt.date(month.year, 1, 1)
    age = ref_age(dob, on)
    assert got["age"] == age
    band = 210 if age <= 1 else 95 if age <= 20 else 180 if age <= 64 else 300
    assert got["expected"] == Decimal(band)
