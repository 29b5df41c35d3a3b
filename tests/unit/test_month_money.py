"""Months (``YYYY-MM``) and money (two-place Decimal, half-up; integer cents in bulk)."""

from __future__ import annotations

import datetime as dt
from decimal import ROUND_HALF_UP, Decimal

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from pmpm_desktop.core.money import (
    cents_to_money,
    div_round_half_up,
    format_money,
    money_to_cents,
    round_money,
    to_money,
)
from pmpm_desktop.core.month import Month, month_range

PROPERTY = settings(
    max_examples=100, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)

# --- Month ----------------------------------------------------------------------------------------


def test_month_parses_and_prints_yyyy_mm() -> None:
    assert Month.parse("2026-01") == Month(2026, 1)
    assert Month.parse(" 2026-1 ") == Month(2026, 1)
    assert str(Month(2026, 1)) == "2026-01"
    assert str(Month(5, 3)) == "0005-03"
    assert repr(Month(2026, 12)) == "Month('2026-12')"


@pytest.mark.parametrize("text", ["2026-13", "2026-00", "2026/01", "01-2026", "2026", "", "26-01"])
def test_month_parse_refuses_other_text(text: str) -> None:
    with pytest.raises(ValueError):
        Month.parse(text)


def test_month_refuses_out_of_range_values() -> None:
    with pytest.raises(ValueError):
        Month(2026, 0)
    with pytest.raises(ValueError):
        Month(2026, 13)
    with pytest.raises(ValueError):
        Month(0, 1)


def test_month_arithmetic_crosses_year_ends() -> None:
    assert Month(2026, 12) + 1 == Month(2027, 1)
    assert Month(2026, 1) - 1 == Month(2025, 12)
    assert Month(2026, 3) + 24 == Month(2028, 3)
    assert Month(2026, 3) + 0 == Month(2026, 3)
    assert Month(2026, 3) + -15 == Month(2024, 12)
    assert Month(2025, 11).months_until(Month(2026, 2)) == 3
    assert Month(2026, 2).months_until(Month(2025, 11)) == -3


def test_month_index_is_consecutive_and_invertible() -> None:
    assert Month(2026, 2).index - Month(2026, 1).index == 1
    assert Month(2026, 1).index - Month(2025, 12).index == 1
    assert Month.from_index(Month(2026, 7).index) == Month(2026, 7)


def test_months_are_ordered_and_hashable() -> None:
    a, b, c = Month(2025, 12), Month(2026, 1), Month(2026, 2)
    assert a < b < c
    assert c > a and a <= a and c >= b
    assert sorted([c, a, b]) == [a, b, c]
    assert max([a, c, b]) == c
    assert len({a, Month(2025, 12), b}) == 2
    assert Month.parse("2026-01") == b
    with pytest.raises(TypeError):
        _ = a < "2026-01"  # type: ignore[operator]


@pytest.mark.parametrize(
    ("month", "days"),
    [
        ("2026-01", 31),
        ("2026-02", 28),
        ("2026-04", 30),
        ("2026-12", 31),
        ("2028-02", 29),  # leap year
        ("2024-02", 29),
        ("2100-02", 28),  # divisible by 100, not by 400
        ("2000-02", 29),  # divisible by 400
    ],
)
def test_days_in_month_including_leap_years(month: str, days: int) -> None:
    m = Month.parse(month)
    assert m.days == days
    assert m.last_day == m.day(days)
    assert m.last_day + dt.timedelta(days=1) == (m + 1).first_day


def test_month_days_and_of() -> None:
    m = Month(2026, 3)
    assert m.first_day == dt.date(2026, 3, 1)
    assert m.last_day == dt.date(2026, 3, 31)
    assert m.day(15) == dt.date(2026, 3, 15)
    assert Month.of(dt.date(2026, 3, 31)) == m
    with pytest.raises(ValueError):
        Month(2026, 2).day(29)


def test_month_range_is_inclusive_and_empty_when_reversed() -> None:
    assert month_range(Month(2025, 11), Month(2026, 2)) == [
        Month(2025, 11),
        Month(2025, 12),
        Month(2026, 1),
        Month(2026, 2),
    ]
    assert month_range(Month(2026, 2), Month(2026, 2)) == [Month(2026, 2)]
    assert month_range(Month(2026, 2), Month(2026, 1)) == []


@PROPERTY
@given(year=st.integers(1, 9998), month=st.integers(1, 12), n=st.integers(-1000, 1000))
def test_property_month_arithmetic_round_trips(year: int, month: int, n: int) -> None:
    m = Month(year, month)
    if not 1 <= (m.index + n) // 12 <= 9999:
        return
    assert (m + n) - n == m
    assert m.months_until(m + n) == n
    assert Month.parse(str(m)) == m
    assert (m + n > m) == (n > 0)


# --- money ----------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("value", "want"),
    [
        ("0.005", "0.01"),
        ("0.015", "0.02"),
        ("0.025", "0.03"),  # half-even would give 0.02
        ("2.675", "2.68"),
        ("1.004", "1.00"),
        ("1.0049999", "1.00"),
        ("-0.005", "-0.01"),
        ("-0.025", "-0.03"),
        ("-1.004", "-1.00"),
        ("12", "12.00"),
    ],
)
def test_round_money_is_half_up_away_from_zero(value: str, want: str) -> None:
    got = round_money(Decimal(value))
    assert got == Decimal(want)
    assert str(got) == want


def test_to_money_refuses_floats_and_bad_text() -> None:
    assert to_money(5) == Decimal("5.00")
    assert to_money("1.005") == Decimal("1.01")
    assert to_money(Decimal("-3.333")) == Decimal("-3.33")
    with pytest.raises(TypeError):
        to_money(1.5)  # type: ignore[arg-type]
    with pytest.raises(ValueError):
        to_money("abc")


def test_cents_and_money_convert_exactly() -> None:
    assert cents_to_money(12345) == Decimal("123.45")
    assert str(cents_to_money(-5)) == "-0.05"
    assert str(cents_to_money(0)) == "0.00"
    assert money_to_cents(Decimal("123.45")) == 12345
    assert money_to_cents(Decimal("-0.05")) == -5
    assert money_to_cents(Decimal("1.005")) == 101  # rounded half-up to cents first
    assert money_to_cents(Decimal("7")) == 700


def test_format_money_has_two_places() -> None:
    assert format_money(Decimal("5")) == "5.00"
    assert format_money(Decimal("-0.125")) == "-0.13"
    assert format_money(Decimal("1234567.1")) == "1234567.10"


@pytest.mark.parametrize(
    ("num", "den", "want"),
    [
        (5, 2, 3),
        (-5, 2, -3),
        (4, 3, 1),
        (5, 3, 2),
        (-4, 3, -1),
        (-5, 3, -2),
        (0, 7, 0),
        (155, 1000, 0),
        (1550, 100, 16),
        (1549, 100, 15),
        (6, 3, 2),
    ],
)
def test_div_round_half_up(num: int, den: int, want: int) -> None:
    assert div_round_half_up(num, den) == want


def test_div_round_half_up_refuses_a_non_positive_denominator() -> None:
    with pytest.raises(ValueError):
        div_round_half_up(1, 0)
    with pytest.raises(ValueError):
        div_round_half_up(1, -2)


@PROPERTY
@given(num=st.integers(-(10**15), 10**15), den=st.integers(1, 10**9))
def test_property_div_round_half_up_matches_decimal(num: int, den: int) -> None:
    want = (Decimal(num) / Decimal(den)).quantize(Decimal(1), rounding=ROUND_HALF_UP)
    # Decimal's default 28 digits are plenty for these sizes.
    assert div_round_half_up(num, den) == int(want)


@PROPERTY
@given(cents=st.integers(-(10**12), 10**12))
def test_property_cents_round_trip(cents: int) -> None:
    money = cents_to_money(cents)
    assert money.as_tuple().exponent == -2
    assert money_to_cents(money) == cents
    assert round_money(money) == money


@PROPERTY
@given(value=st.decimals(min_value=-(10**9), max_value=10**9, places=4, allow_nan=False))
def test_property_round_money_is_within_half_a_cent(value: Decimal) -> None:
    rounded = round_money(value)
    assert abs(rounded - value) <= Decimal("0.005")
    assert round_money(-value) == -rounded  # symmetric: half away from zero
    assert cents_to_money(money_to_cents(value)) == rounded
