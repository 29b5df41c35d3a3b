"""Reconciliation (SPEC §5, §7): paid amounts, the eight kinds and their order of testing, the
per-month summary, and SPEC §8's worked example end to end."""

from __future__ import annotations

from decimal import Decimal

import pytest

from pmpm_desktop.core.reconcile import paid_member_months, summarise
from pmpm_desktop.core.summary import KINDS

from .engine_helpers import (
    M,
    classified,
    contract,
    d,
    ids_frame,
    kind_of,
    lines_frame,
    member_id_of,
    month_text,
    outcome,
    rate,
    roster,
    worked_example_rates,
)

M1, M2, M3 = member_id_of(1), member_id_of(2), member_id_of(3)
CAP_100 = [rate("100.00")]
JAN = roster({"member": 1, "month": "2026-01"})  # member 1 eligible in January, expected 100.00


def jan_kind(*amounts: str, tolerance: str = "0.01", **kw: object) -> str | None:
    lines = [(M1, "2026-01", a) for a in amounts]
    return kind_of(JAN, [contract(tolerance=tolerance)], CAP_100, "2026-01", lines, **kw)  # type: ignore[arg-type]


# --- SPEC §8, the worked example --------------------------------------------------------------


def worked_example_roster():
    a = {"member": 1, "sex": "F", "dob": d("1990-05-10"), "cell": "TANF"}
    b = {"member": 2, "sex": "M", "dob": d("2024-01-15"), "cell": "TANF"}
    return roster(
        {**a, "month": "2026-01"},
        {**b, "month": "2026-01"},
        {**b, "month": "2026-02"},
        {**b, "month": "2026-03"},
        {**b, "month": "2026-05", "eff": d("2025-06-01"), "term": d("2026-02-14")},
    )


WORKED_LINES = [
    (M1, "2026-01", "176.40"),
    (M2, "2026-01", "210.30"),
    (M2, "2026-02", "97.60"),
    (M2, "2026-03", "97.60"),
]


def worked_example(lines: list[tuple[str, str, str]]):
    return outcome(
        worked_example_roster(),
        [contract("first-of-month", withhold="2")],
        worked_example_rates(),
        "2026-01",
        "2026-05",
        lines,
    )


def test_worked_example_member_a_is_underpaid_by_the_care_management_fee() -> None:
    got = worked_example(WORKED_LINES)
    assert got[(1, "2026-01")] == ("underpaid", Decimal("180.90"), Decimal("176.40"))
    kinds = classified(
        worked_example_roster(),
        [contract(withhold="2")],
        worked_example_rates(),
        "2026-01",
        "2026-01",
        WORKED_LINES,
    )
    a = kinds.filter(kinds["member_pk"] == 1).row(0, named=True)
    assert a["variance_cents"] == -450
    assert a["member_ref"] == M1


def test_worked_example_member_b_january_and_february_match() -> None:
    got = worked_example(WORKED_LINES)
    assert got[(2, "2026-01")] == ("matched", Decimal("210.30"), Decimal("210.30"))
    assert got[(2, "2026-02")] == ("matched", Decimal("97.60"), Decimal("97.60"))


def test_worked_example_retro_termed_march_paid_is_not_eligible() -> None:
    got = worked_example(WORKED_LINES)
    assert got[(2, "2026-03")] == ("not_eligible", Decimal("0.00"), Decimal("97.60"))
    assert (2, "2026-04") not in got
    assert (2, "2026-05") not in got
    assert set(got) == {(1, "2026-01"), (2, "2026-01"), (2, "2026-02"), (2, "2026-03")}


def test_worked_example_recoupment_of_march_drops_it_from_the_discrepancies() -> None:
    got = worked_example([*WORKED_LINES, (M2, "2026-03", "-97.60")])
    march = got.get((2, "2026-03"))
    # In scope only as matched (paid 0, expected 0), or not at all.
    assert march is None or march == ("matched", Decimal("0.00"), Decimal("0.00"))
    discrepancies = {k for k, v in got.items() if v[0] != "matched"}
    assert discrepancies == {(1, "2026-01")}


# --- the kinds (SPEC §7) ------------------------------------------------------------------------


def test_exact_payment_is_matched() -> None:
    assert jan_kind("100.00") == "matched"


def test_one_cent_difference_is_matched_with_default_tolerance() -> None:
    assert jan_kind("99.99") == "matched"
    assert jan_kind("100.01") == "matched"


def test_two_cents_short_is_underpaid() -> None:
    assert jan_kind("99.98") == "underpaid"


def test_two_cents_over_is_overpaid() -> None:
    assert jan_kind("100.02") == "overpaid"


def test_contract_tolerance_of_one_dollar_matches_differences_up_to_it() -> None:
    for paid in ("99.01", "100.99", "99.00", "101.00"):
        assert jan_kind(paid, tolerance="1.00") == "matched", paid
    assert jan_kind("98.99", tolerance="1.00") == "underpaid"
    assert jan_kind("101.01", tolerance="1.00") == "overpaid"


def test_unpaid_eligible_month_is_missing() -> None:
    assert jan_kind() == "missing"


def test_payment_fully_recouped_on_an_eligible_month_is_missing() -> None:
    assert jan_kind("100.00", "-100.00") == "missing"


def test_partial_payment_is_underpaid_not_missing() -> None:
    assert jan_kind("0.01") == "underpaid"


def test_two_equal_positive_lines_over_expected_is_duplicate_not_overpaid() -> None:
    assert jan_kind("100.00", "100.00") == "duplicate"
    assert jan_kind("60.00", "60.00") == "duplicate"


def test_two_equal_lines_adding_up_to_expected_are_matched() -> None:
    assert jan_kind("50.00", "50.00") == "matched"


def test_two_equal_lines_below_expected_are_underpaid_not_duplicate() -> None:
    assert jan_kind("40.00", "40.00") == "underpaid"


def test_duplicate_needs_paid_above_expected_plus_tolerance() -> None:
    assert jan_kind("50.50", "50.50", tolerance="1.00") == "matched"
    assert jan_kind("50.51", "50.51", tolerance="1.00") == "duplicate"


def test_two_different_positive_lines_over_expected_are_overpaid() -> None:
    assert jan_kind("100.00", "50.00") == "overpaid"


def test_equal_negative_lines_are_not_duplicates() -> None:
    assert jan_kind("250.00", "-50.00", "-50.00") == "overpaid"


def test_payment_for_a_month_not_eligible_is_not_eligible() -> None:
    lines = [(M1, "2026-02", "100.00")]
    got = outcome(JAN, [contract()], CAP_100, "2026-01", "2026-02", lines)
    assert got[(1, "2026-02")] == ("not_eligible", Decimal("0.00"), Decimal("100.00"))


def test_net_negative_payment_for_a_month_not_eligible_is_not_eligible() -> None:
    lines = [(M1, "2026-02", "-100.00")]
    assert kind_of(JAN, [contract()], CAP_100, "2026-02", lines) == "not_eligible"


def test_duplicate_lines_for_a_month_not_eligible_are_not_eligible() -> None:
    lines = [(M1, "2026-02", "100.00"), (M1, "2026-02", "100.00")]
    assert kind_of(JAN, [contract()], CAP_100, "2026-02", lines) == "not_eligible"


def test_payment_recouped_on_a_month_not_eligible_is_not_a_discrepancy() -> None:
    lines = [(M1, "2026-02", "100.00"), (M1, "2026-02", "-100.00")]
    assert kind_of(JAN, [contract()], CAP_100, "2026-02", lines) in (None, "matched")


def test_month_not_eligible_and_not_paid_is_out_of_scope() -> None:
    got = outcome(JAN, [contract()], CAP_100, "2026-01", "2026-03", [(M1, "2026-01", "100")])
    assert set(got) == {(1, "2026-01")}


def test_retro_term_with_payment_and_no_recoupment_is_not_eligible() -> None:
    rows = roster(
        {"member": 1, "month": "2026-01"},
        {"member": 1, "month": "2026-02"},
        {"member": 1, "month": "2026-03", "eff": d("2025-01-01"), "term": d("2026-01-31")},
    )
    lines = [(M1, m, "100.00") for m in ("2026-01", "2026-02", "2026-03")]
    got = outcome(rows, [contract()], CAP_100, "2026-01", "2026-03", lines)
    assert {k[1]: v[0] for k, v in got.items()} == {
        "2026-01": "matched",
        "2026-02": "not_eligible",
        "2026-03": "not_eligible",
    }
    recouped = [*lines, (M1, "2026-02", "-100.00"), (M1, "2026-03", "-100.00")]
    got = outcome(rows, [contract()], CAP_100, "2026-01", "2026-03", recouped)
    assert {k[1]: v[0] for k, v in got.items() if v[0] != "matched"} == {}


def test_retro_add_paid_late_is_matched_and_unpaid_is_missing() -> None:
    rows = roster(
        {"member": 2, "month": "2026-01"},
        {"member": 1, "month": "2026-03", "eff": d("2026-01-01")},
    )
    lines = [(M1, "2026-01", "100.00"), (M1, "2026-03", "100.00"), (M2, "2026-01", "100.00")]
    got = outcome(rows, [contract()], CAP_100, "2026-01", "2026-03", lines)
    assert got[(1, "2026-01")][0] == "matched"
    assert got[(1, "2026-02")] == ("missing", Decimal("100.00"), Decimal("0.00"))
    assert got[(1, "2026-03")][0] == "matched"


def test_eligible_month_without_capitation_rate_is_no_rate() -> None:
    rates = [rate("100.00", cell="SSI"), rate("4.50", component="care_management")]
    assert kind_of(JAN, [contract()], rates, "2026-01") == "no_rate"
    assert kind_of(JAN, [contract()], rates, "2026-01", [(M1, "2026-01", "100.00")]) == "no_rate"
    got = outcome(JAN, [contract()], rates, "2026-01", "2026-01", [(M1, "2026-01", "100.00")])
    assert got[(1, "2026-01")] == ("no_rate", Decimal("0.00"), Decimal("100.00"))


def test_eligible_month_without_contract_is_no_rate_even_when_paid_twice() -> None:
    c = contract(start="2026-02")
    lines = [(M1, "2026-01", "100.00"), (M1, "2026-01", "100.00")]
    assert kind_of(JAN, [c], CAP_100, "2026-01", lines) == "no_rate"


def test_payment_for_an_id_no_roster_listed_is_unknown_member() -> None:
    lines = [("X999", "2026-01", "80.00"), ("X999", "2026-01", "80.00"), (M1, "2026-01", "100")]
    got = outcome(JAN, [contract()], CAP_100, "2026-01", "2026-01", lines)
    assert got[("X999", "2026-01")] == ("unknown_member", Decimal("0.00"), Decimal("160.00"))
    assert got[(1, "2026-01")][0] == "matched"


def test_unknown_member_lines_are_kept_apart_by_id_and_month() -> None:
    lines = [("X1", "2026-01", "10.00"), ("X2", "2026-01", "20.00"), ("X1", "2026-02", "30.00")]
    got = outcome(JAN, [contract()], CAP_100, "2026-01", "2026-02", lines)
    unknown = {k: v for k, v in got.items() if v[0] == "unknown_member"}
    assert unknown == {
        ("X1", "2026-01"): ("unknown_member", Decimal("0.00"), Decimal("10.00")),
        ("X2", "2026-01"): ("unknown_member", Decimal("0.00"), Decimal("20.00")),
        ("X1", "2026-02"): ("unknown_member", Decimal("0.00"), Decimal("30.00")),
    }


def test_alias_linked_to_a_member_counts_as_that_member() -> None:
    lines = [("OLD-1", "2026-01", "100.00")]
    got = outcome(JAN, [contract()], CAP_100, "2026-01", "2026-01", lines, {"OLD-1": 1})
    assert got == {(1, "2026-01"): ("matched", Decimal("100.00"), Decimal("100.00"))}
    kinds = classified(JAN, [contract()], CAP_100, "2026-01", "2026-01", lines, {"OLD-1": 1})
    assert kinds["member_ref"].to_list() == [M1]


def test_alias_and_own_id_payments_add_up_and_can_be_duplicate() -> None:
    lines = [("OLD-1", "2026-01", "100.00"), (M1, "2026-01", "100.00")]
    got = outcome(JAN, [contract()], CAP_100, "2026-01", "2026-01", lines, {"OLD-1": 1})
    assert got == {(1, "2026-01"): ("duplicate", Decimal("100.00"), Decimal("200.00"))}


def test_alias_paid_for_a_month_not_eligible_is_not_eligible_not_unknown() -> None:
    lines = [("OLD-1", "2026-02", "100.00")]
    assert kind_of(JAN, [contract()], CAP_100, "2026-02", lines, aliases={"OLD-1": 1}) == (
        "not_eligible"
    )


def test_eligible_month_with_zero_rate_and_no_payment_is_matched() -> None:
    assert kind_of(JAN, [contract()], [rate("0.00")], "2026-01") == "matched"


@pytest.mark.parametrize(
    ("case", "want"),
    [
        ("unknown id, paid twice the same", "unknown_member"),
        ("no rate, paid", "no_rate"),
        ("not eligible, duplicate lines", "not_eligible"),
        ("eligible, paid nothing", "missing"),
        ("eligible, duplicate and overpaid", "duplicate"),
        ("eligible, underpaid", "underpaid"),
        ("eligible, overpaid by different lines", "overpaid"),
        ("eligible, paid right", "matched"),
    ],
)
def test_kinds_are_tested_in_spec_order(case: str, want: str) -> None:
    rows = roster(
        {"member": 1, "month": "2026-01"},  # eligible, 100.00
        {"member": 2, "month": "2026-01", "cell": "SSI"},  # eligible, no capitation rate
        {"member": 3, "month": "2025-12"},  # not eligible in January
    )
    rates = [rate("100.00", cell="TANF")]
    scenarios = {
        "unknown id, paid twice the same": ("X9", [("X9", "50.00"), ("X9", "50.00")]),
        "no rate, paid": (2, [(M2, "100.00"), (M2, "100.00")]),
        "not eligible, duplicate lines": (3, [(M3, "100.00"), (M3, "100.00")]),
        "eligible, paid nothing": (1, []),
        "eligible, duplicate and overpaid": (1, [(M1, "100.00"), (M1, "100.00")]),
        "eligible, underpaid": (1, [(M1, "50.00")]),
        "eligible, overpaid by different lines": (1, [(M1, "100.00"), (M1, "0.50")]),
        "eligible, paid right": (1, [(M1, "60.00"), (M1, "40.00")]),
    }
    who, paid = scenarios[case]
    lines = [(i, "2026-01", a) for i, a in paid]
    got = outcome(rows, [contract()], rates, "2026-01", "2026-01", lines)
    assert got[(who, "2026-01")][0] == want


def test_every_classified_kind_is_a_known_kind() -> None:
    lines = [("X9", "2026-01", "1.00"), (M1, "2026-01", "3.00")]
    kinds = classified(JAN, [contract()], CAP_100, "2026-01", "2026-02", lines)
    assert set(kinds["kind"].to_list()) <= set(KINDS)


# --- paid amounts (SPEC §5) ---------------------------------------------------------------------


def test_paid_sums_every_line_of_a_member_month_and_resolves_aliases() -> None:
    lines = lines_frame(
        [
            (M1, "2026-01", "60.00"),
            ("OLD-1", "2026-01", "40.00"),
            (M1, "2026-02", "100.00"),
            (M1, "2026-02", "-100.00"),
            ("X9", "2026-01", "5.00"),
            ("X9", "2026-01", "5.00"),
        ]
    )
    ids = ids_frame([(M1, 1), ("OLD-1", 1)])
    paid = paid_member_months(lines, ids)
    got = {
        (r["member_pk"], r["paid_id"] if r["member_pk"] is None else None, r["month"]): (
            r["paid_cents"],
            r["line_count"],
            r["has_duplicate_lines"],
        )
        for r in paid.iter_rows(named=True)
    }
    jan, feb = M("2026-01").index, M("2026-02").index
    assert got == {
        (1, None, jan): (10000, 2, False),
        (1, None, feb): (0, 2, False),
        (None, "X9", jan): (1000, 2, True),
    }


def test_paid_of_no_lines_is_empty() -> None:
    assert paid_member_months(lines_frame([]), ids_frame([(M1, 1)])).height == 0


# --- the summary (SPEC §7) ----------------------------------------------------------------------


def summary_by_month(first: str, last: str, rows, rates, lines) -> dict[str, dict[str, int]]:
    kinds = classified(rows, [contract()], rates, first, last, lines)
    frame = summarise(kinds, M(first).index, M(last).index)
    return {month_text(r["month"]): r for r in frame.iter_rows(named=True)}


def test_summary_per_month_counts_and_amounts_by_kind() -> None:
    rows = roster(
        {"member": 1, "month": "2026-01"},
        {"member": 2, "month": "2026-01"},
        {"member": 3, "month": "2026-01"},
        {"member": 1, "month": "2026-02"},
        {"member": 2, "month": "2026-02"},
        {"member": 1, "month": "2026-04"},
        {"member": 2, "month": "2026-04", "cell": "SSI"},
    )
    lines = [
        (M1, "2026-01", "100.00"),  # matched
        (M2, "2026-01", "90.00"),  # underpaid −10
        # M3 January: missing −100
        (M1, "2026-02", "100.00"),
        (M1, "2026-02", "100.00"),  # duplicate +100
        (M2, "2026-02", "100.00"),  # matched
        (M3, "2026-02", "100.00"),  # not eligible +100
        # March: nobody, nothing
        (M1, "2026-04", "130.00"),  # overpaid +30
        ("X9", "2026-04", "50.00"),  # unknown member +50
        # M2 April: no rate (cell SSI), unpaid
    ]
    got = summary_by_month("2026-01", "2026-04", rows, [rate("100.00", cell="TANF")], lines)
    assert list(got) == ["2026-01", "2026-02", "2026-03", "2026-04"]

    def nonzero(month: str, prefix: str) -> dict[str, int]:
        return {
            k[len(prefix) :]: v for k, v in got[month].items() if k.startswith(prefix) and v != 0
        }

    jan = got["2026-01"]
    assert (jan["eligible_members"], jan["paid_members"]) == (3, 2)
    assert (jan["expected_cents"], jan["paid_cents"], jan["variance_cents"]) == (
        30000,
        19000,
        -11000,
    )
    assert nonzero("2026-01", "count_") == {"matched": 1, "underpaid": 1, "missing": 1}
    assert nonzero("2026-01", "amount_") == {"underpaid": -1000, "missing": -10000}

    feb = got["2026-02"]
    assert (feb["eligible_members"], feb["paid_members"]) == (2, 3)
    assert (feb["expected_cents"], feb["paid_cents"], feb["variance_cents"]) == (
        20000,
        40000,
        20000,
    )
    assert nonzero("2026-02", "count_") == {"duplicate": 1, "matched": 1, "not_eligible": 1}
    assert nonzero("2026-02", "amount_") == {"duplicate": 10000, "not_eligible": 10000}

    mar = got["2026-03"]
    assert {k: v for k, v in mar.items() if k != "month" and v != 0} == {}

    apr = got["2026-04"]
    assert apr["eligible_members"] == 2
    assert (apr["expected_cents"], apr["paid_cents"], apr["variance_cents"]) == (
        10000,
        18000,
        8000,
    )
    assert nonzero("2026-04", "count_") == {"overpaid": 1, "unknown_member": 1, "no_rate": 1}
    assert nonzero("2026-04", "amount_") == {"overpaid": 3000, "unknown_member": 5000}


def test_summary_has_a_count_and_amount_column_for_every_kind() -> None:
    got = summary_by_month("2026-01", "2026-01", JAN, CAP_100, [(M1, "2026-01", "100.00")])
    for kind in KINDS:
        assert f"count_{kind}" in got["2026-01"]
        assert f"amount_{kind}" in got["2026-01"]
    assert got["2026-01"]["count_matched"] == 1


def test_summary_lists_every_month_of_the_range_even_with_nothing_in_it() -> None:
    got = summary_by_month("2025-11", "2026-02", roster(), CAP_100, [])
    assert list(got) == ["2025-11", "2025-12", "2026-01", "2026-02"]
    for row in got.values():
        assert {k: v for k, v in row.items() if k != "month" and v != 0} == {}


def test_summary_variance_is_paid_minus_expected_and_kind_amounts_add_up_to_it() -> None:
    rows = roster({"member": 1, "month": "2026-01"}, {"member": 2, "month": "2026-01"})
    lines = [(M1, "2026-01", "120.00"), (M2, "2026-01", "70.00"), ("X9", "2026-01", "5.00")]
    month = summary_by_month("2026-01", "2026-01", rows, CAP_100, lines)["2026-01"]
    assert month["variance_cents"] == month["paid_cents"] - month["expected_cents"] == -500
    assert sum(month[f"amount_{k}"] for k in KINDS) == month["variance_cents"]
