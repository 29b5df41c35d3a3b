"""Rate exhibits (SPEC §2, §4.2): component names, rate-cell keys, and the overlap check that
refuses an exhibit whose rows could both match one member-month."""

from __future__ import annotations

from dataclasses import replace
from decimal import Decimal

import pytest

from pmpm_desktop.core.month import Month
from pmpm_desktop.core.rates import (
    RateRowSpec,
    normalize_component,
    rate_cell_key,
    rows_overlap,
    validate_rate_rows,
)

M = Month.parse


def spec(
    row: int,
    *,
    component: str = "capitation",
    cell: str | None = "TANF",
    sex: str | None = None,
    age: tuple[int | None, int | None] = (None, None),
    start: str = "2026-01",
    end: str | None = None,
    amount: str = "100.00",
) -> RateRowSpec:
    return RateRowSpec(
        effective_from=M(start),
        effective_to=M(end) if end else None,
        component=component,
        rate_cell=cell,
        sex=sex,
        age_min=age[0],
        age_max=age[1],
        amount=Decimal(amount),
        source_row=row,
    )


@pytest.mark.parametrize(
    ("name", "want"),
    [
        ("Care Management", "care_management"),
        ("care_management", "care_management"),
        ("  CARE   management ", "care_management"),
        ("Capitation", "capitation"),
        ("", "capitation"),
        (None, "capitation"),
    ],
)
def test_component_names_are_case_insensitive_with_spaces_and_underscores_alike(
    name: str | None, want: str
) -> None:
    assert normalize_component(name) == want


def test_rate_cell_key_is_trimmed_upper_case_and_blank_is_any() -> None:
    assert rate_cell_key(" tanf ") == "TANF"
    assert rate_cell_key("") is None
    assert rate_cell_key("   ") is None
    assert rate_cell_key(None) is None


def test_worked_example_exhibit_is_accepted() -> None:
    rows = [
        spec(2, age=(0, 1), amount="210.00"),
        spec(3, age=(2, 20), amount="95.00"),
        spec(4, sex="F", age=(21, None), amount="180.00"),
        spec(5, sex="M", age=(21, None), amount="150.00"),
        spec(6, component="care_management", cell=None, amount="4.50"),
    ]
    assert validate_rate_rows(rows) == []


def test_overlapping_rows_are_refused_naming_both_rows() -> None:
    rows = [spec(2, age=(0, 20)), spec(3, age=(20, 64)), spec(4, age=(65, None))]
    problems = validate_rate_rows(rows)
    assert len(problems) == 1
    assert "row 2" in problems[0] and "row 3" in problems[0]
    assert "row 4" not in problems[0]
    assert "overlaps" in problems[0]


@pytest.mark.parametrize(
    ("a", "b", "why"),
    [
        (spec(2), spec(3), "identical"),
        (spec(2, cell=None), spec(3, cell="TANF"), "blank cell matches any cell"),
        (spec(2, cell=" tanf"), spec(3, cell="TANF"), "cells compared trimmed, any case"),
        (spec(2, sex=None), spec(3, sex="F"), "blank sex matches any sex"),
        (spec(2), spec(3, age=(21, None)), "no age limits matches every age"),
        (spec(2, age=(None, 20)), spec(3, age=(20, None)), "open-ended ages meet at 20"),
        (spec(2, start="2026-01"), spec(3, start="2026-06"), "open-ended first row"),
        (spec(2, end="2026-06"), spec(3, start="2026-06"), "both hold 2026-06"),
    ],
)
def test_rows_that_could_both_match_overlap(a: RateRowSpec, b: RateRowSpec, why: str) -> None:
    assert rows_overlap(a, b), why
    problems = validate_rate_rows([a, b])
    assert len(problems) == 1, why
    assert "row 2" in problems[0] and "row 3" in problems[0]


@pytest.mark.parametrize(
    ("a", "b", "why"),
    [
        (spec(2, cell="TANF"), spec(3, cell="SSI"), "different cells"),
        (spec(2, age=(0, 20)), spec(3, age=(21, None)), "disjoint ages"),
        (spec(2, age=(None, 1)), spec(3, age=(2, 20)), "disjoint ages, open minimum"),
        (spec(2, end="2026-03"), spec(3, start="2026-04"), "disjoint months"),
        (spec(2, sex="F"), spec(3, sex="M"), "different sex"),
        (spec(2, component="capitation"), spec(3, component="care_management"), "components"),
    ],
)
def test_rows_that_cannot_both_match_are_accepted(a: RateRowSpec, b: RateRowSpec, why: str) -> None:
    assert not rows_overlap(a, b), why
    assert validate_rate_rows([a, b]) == [], why


def test_every_overlapping_pair_is_reported() -> None:
    rows = [spec(2, cell=None), spec(3, cell="TANF"), spec(4, cell="SSI")]
    problems = validate_rate_rows(rows)
    assert len(problems) == 2
    assert any("row 2" in p and "row 3" in p for p in problems)
    assert any("row 2" in p and "row 4" in p for p in problems)


def test_overlap_is_symmetric() -> None:
    pairs = [
        (spec(2, cell=None), spec(3)),
        (spec(2, age=(0, 20)), spec(3, age=(21, None))),
        (spec(2, end="2026-03"), spec(3, start="2026-03", sex="F")),
    ]
    for a, b in pairs:
        assert rows_overlap(a, b) == rows_overlap(b, a)


def test_row_ending_before_it_starts_is_refused() -> None:
    problems = validate_rate_rows([spec(7, start="2026-05", end="2026-04")])
    assert len(problems) == 1 and "row 7" in problems[0] and "before" in problems[0]


def test_row_with_age_min_above_age_max_is_refused() -> None:
    problems = validate_rate_rows([spec(7, age=(21, 20))])
    assert len(problems) == 1 and "row 7" in problems[0] and "age" in problems[0]


def test_negative_rate_is_refused() -> None:
    problems = validate_rate_rows([spec(7, amount="-1.00")])
    assert len(problems) == 1 and "row 7" in problems[0] and "negative" in problems[0]


def test_label_describes_the_row() -> None:
    label = spec(9, sex="F", age=(21, None), end="2026-12").label()
    assert label.startswith("row 9 (")
    for part in ("capitation", "TANF", "F", "2026-01", "2026-12"):
        assert part in label
    assert replace(spec(9), source_row=None).label().startswith("a row (")
