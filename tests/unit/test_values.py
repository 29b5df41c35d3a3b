"""Cell value parsers: every format SPEC §6 names, plus round-trip properties."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import polars as pl
import pytest
from hypothesis import given
from hypothesis import strategies as st

from pmpm_desktop.core.month import Month
from pmpm_desktop.core.rates import normalize_component
from pmpm_desktop.io.values import (
    date_shortcut,
    member_id_shortcut,
    parse_amount,
    parse_date,
    parse_decimal,
    parse_int,
    parse_member_id,
    parse_month,
    parse_sex,
    parse_text,
    scaled_shortcut,
    split_full_name,
    two_digit_year,
)

ALL_PARSERS = [
    parse_member_id,
    parse_date,
    parse_month,
    parse_amount,
    lambda v: parse_decimal(v, 6),
    parse_int,
    parse_sex,
    parse_text,
    split_full_name,
]

dates = st.dates(min_value=dt.date(1900, 3, 1), max_value=dt.date(9999, 12, 31))
months = st.builds(Month, st.integers(1000, 9999), st.integers(1, 12))
cents = st.integers(min_value=-(10**12) + 1, max_value=10**12 - 1)
MONTH_ABBR = "Jan Feb Mar Apr May Jun Jul Aug Sep Oct Nov Dec".split()
MONTH_FULL = [
    "January",
    "February",
    "March",
    "April",
    "May",
    "June",
    "July",
    "August",
    "September",
    "October",
    "November",
    "December",
]


# --- blanks -------------------------------------------------------------------------------


@pytest.mark.parametrize("blank", [None, "", "   ", "\t"])
def test_blank_is_none(blank: str | None) -> None:
    for parser in ALL_PARSERS[:-1]:
        assert parser(blank) is None
    assert split_full_name(blank) == (None, None)


# --- never anything but ValueError --------------------------------------------------------


@given(
    st.one_of(
        st.text(),
        st.floats(),
        st.integers(),
        st.booleans(),
        st.dates(),
        st.datetimes(),
        st.decimals(),
    )
)
def test_parsers_only_raise_value_error(value: object) -> None:
    for parser in ALL_PARSERS:
        try:
            parser(value)  # type: ignore[operator]
        except ValueError:
            pass
    try:
        parse_member_id(value, 9)  # type: ignore[arg-type]
    except ValueError:
        pass


# --- member IDs ---------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("raw", "width", "expected"),
    [
        ("000123456", None, "000123456"),
        (" abc123 ", None, "ABC123"),
        (123456.0, None, "123456"),
        (123456, None, "123456"),
        ("123456.0", None, "123456"),
        (123456.0, 9, "000123456"),
        ("123456", 9, "000123456"),
        ("0001234567890", 9, "0001234567890"),
        ("AB12", 9, "AB12"),
        ("A 12", None, "A 12"),
        (Decimal("42"), 4, "0042"),
    ],
)
def test_member_id_examples(raw: object, width: int | None, expected: str) -> None:
    assert parse_member_id(raw, width) == expected  # type: ignore[arg-type]


@pytest.mark.parametrize("raw", [123.5, -5, True, dt.date(2026, 1, 1), float("nan")])
def test_member_id_refused(raw: object) -> None:
    with pytest.raises(ValueError):
        parse_member_id(raw)  # type: ignore[arg-type]


@given(st.from_regex(r"0+[0-9]{1,12}", fullmatch=True), st.none() | st.integers(1, 20))
def test_leading_zeros_never_lost(text: str, width: int | None) -> None:
    result = parse_member_id(text, width)
    assert result is not None
    assert result.endswith(text)
    assert set(result[: len(result) - len(text)]) <= {"0"}
    assert len(result) == max(len(text), width or 0)


@given(st.integers(0, 10**15), st.integers(1, 20))
def test_float_ids_lose_point_zero_and_pad(n: int, width: int) -> None:
    assert parse_member_id(float(n)) == str(n)
    assert parse_member_id(float(n), width) == str(n).zfill(width)
    assert parse_member_id(f"{n}.0", width) == str(n).zfill(width)


# --- dates --------------------------------------------------------------------------------


def _formats(d: dt.date) -> list[object]:
    return [
        d,
        dt.datetime(d.year, d.month, d.day, 13, 5),
        d.isoformat(),
        f"{d.month:02d}/{d.day:02d}/{d.year:04d}",
        f"{d.month}/{d.day}/{d.year}",
        f"{d:%Y%m%d}",
        f"{d.isoformat()} 00:00:00",
        f"{d.isoformat()}T00:00:00",
        (d - dt.date(1899, 12, 30)).days,
        float((d - dt.date(1899, 12, 30)).days),
        str((d - dt.date(1899, 12, 30)).days),
        f"{d.day}-{MONTH_ABBR[d.month - 1]}-{d.year}",
        f"{MONTH_FULL[d.month - 1]} {d.day}, {d.year}",
    ]


@given(dates.filter(lambda d: d.year >= 1000))
def test_date_round_trip(d: dt.date) -> None:
    for form in _formats(d):
        assert parse_date(form) == d, form  # type: ignore[arg-type]


@given(dates.filter(lambda d: 1990 <= d.year <= 2060))
def test_two_digit_year_round_trip(d: dt.date) -> None:
    expected_year = two_digit_year(d.year % 100)
    if expected_year == d.year:
        assert parse_date(f"{d.month}/{d.day}/{d.year % 100:02d}") == d


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        ("2026-01-31", dt.date(2026, 1, 31)),
        ("01/31/2026", dt.date(2026, 1, 31)),
        ("1/31/26", dt.date(2026, 1, 31)),
        ("20260131", dt.date(2026, 1, 31)),
        (20260131, dt.date(2026, 1, 31)),
        ("2026-01-31 00:00:00", dt.date(2026, 1, 31)),
        ("2026-01-31T00:00:00", dt.date(2026, 1, 31)),
        ("1/31/2026 12:00 AM", dt.date(2026, 1, 31)),
        (46053, dt.date(2026, 1, 31)),
        (46053.75, dt.date(2026, 1, 31)),
        ("46053", dt.date(2026, 1, 31)),
        (1, dt.date(1900, 1, 1)),
        (59, dt.date(1900, 2, 28)),
        (61, dt.date(1900, 3, 1)),
        (2958465, dt.date(9999, 12, 31)),
        (dt.datetime(2026, 1, 31, 8, 30), dt.date(2026, 1, 31)),
        ("31-JAN-2026", dt.date(2026, 1, 31)),
    ],
)
def test_date_examples(raw: object, expected: dt.date) -> None:
    assert parse_date(raw) == expected  # type: ignore[arg-type]


def test_two_digit_year_pivot() -> None:
    today = dt.date(2026, 6, 1)
    assert two_digit_year(26, today) == 2026
    assert two_digit_year(36, today) == 2036
    assert two_digit_year(37, today) == 1937
    assert two_digit_year(85, today) == 1985


@pytest.mark.parametrize(
    "raw", ["13/45/2020", "2026-02-30", "02/29/2025", "tomorrow", 60, 0, 2958466, -3, True, "1/2"]
)
def test_date_refused(raw: object) -> None:
    with pytest.raises(ValueError):
        parse_date(raw)  # type: ignore[arg-type]


def test_date_reason_is_readable() -> None:
    with pytest.raises(ValueError, match=r"not a date \(expected e.g. 2026-01-31"):
        parse_date("soon")


# --- months -------------------------------------------------------------------------------


def _month_forms(m: Month) -> list[object]:
    abbr, full = MONTH_ABBR[m.month - 1], MONTH_FULL[m.month - 1]
    return [
        str(m),
        f"{m.month:02d}/{m.year}",
        f"{m.month}/{m.year}",
        f"{abbr} {m.year}",
        f"{full} {m.year}",
        f"{abbr.upper()}-{m.year}",
        f"{m.year}{m.month:02d}",
        m.year * 100 + m.month,
        m.first_day,
        m.last_day,
        m.last_day.isoformat(),
        f"{m.month:02d}/15/{m.year}",
    ]


@given(months)
def test_month_round_trip(m: Month) -> None:
    for form in _month_forms(m):
        assert parse_month(form) == m, form  # type: ignore[arg-type]


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        ("2026-01", Month(2026, 1)),
        ("01/2026", Month(2026, 1)),
        ("1/2026", Month(2026, 1)),
        ("Jan 2026", Month(2026, 1)),
        ("January 2026", Month(2026, 1)),
        ("JAN-26", Month(2026, 1)),
        ("Jan-2026", Month(2026, 1)),
        ("202601", Month(2026, 1)),
        (202601, Month(2026, 1)),
        ("2026-01-31", Month(2026, 1)),
        ("01/31/2026", Month(2026, 1)),
        (dt.date(2026, 1, 31), Month(2026, 1)),
        (dt.datetime(2026, 1, 31, 10, 0), Month(2026, 1)),
        (46053, Month(2026, 1)),
        ("Sept 2026", Month(2026, 9)),
    ],
)
def test_month_examples(raw: object, expected: Month) -> None:
    assert parse_month(raw) == expected  # type: ignore[arg-type]


@pytest.mark.parametrize("raw", ["2026-13", "13/2026", "Foo 2026", "later", 202613, True])
def test_month_refused(raw: object) -> None:
    with pytest.raises(ValueError):
        parse_month(raw)  # type: ignore[arg-type]


# --- amounts and numbers ------------------------------------------------------------------


def _amount_forms(amount: Decimal) -> list[object]:
    magnitude = f"{abs(amount):,.2f}"
    plain = f"{amount:.2f}"
    negative = amount < 0
    forms: list[object] = [
        amount,
        plain,
        f"({magnitude})" if negative else magnitude,
        f"(${magnitude})" if negative else f"${magnitude}",
        f"-${magnitude}" if negative else f"${magnitude}",
        f"$-{magnitude}" if negative else f"${magnitude}",
        f"{magnitude}-" if negative else magnitude,
        float(amount),
    ]
    if amount == amount.to_integral_value():
        forms.append(int(amount))
    return forms


@given(cents)
def test_amount_round_trip(c: int) -> None:
    amount = Decimal(c).scaleb(-2)
    for form in _amount_forms(amount):
        parsed = parse_amount(form)  # type: ignore[arg-type]
        assert parsed == amount, form
        assert parsed is not None and parsed.as_tuple().exponent == -2


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        ("$1,234.56", "1234.56"),
        ("-12.34", "-12.34"),
        ("(12.34)", "-12.34"),
        ("($1,234.56)", "-1234.56"),
        ("-$5.00", "-5.00"),
        ("$-5.00", "-5.00"),
        ("12.34-", "-12.34"),
        (" 95 ", "95.00"),
        (180.9, "180.90"),
        (0.1 + 0.2, "0.30"),
        ("12.340", "12.34"),
        (42, "42.00"),
    ],
)
def test_amount_examples(raw: object, expected: str) -> None:
    assert parse_amount(raw) == Decimal(expected)  # type: ignore[arg-type]


@pytest.mark.parametrize("raw", ["1,2", "12.345", 12.345, "abc", "$$5", "(-5)", "1e5", True])
def test_amount_refused(raw: object) -> None:
    with pytest.raises(ValueError):
        parse_amount(raw)  # type: ignore[arg-type]


def test_amount_more_than_two_decimals_reason() -> None:
    with pytest.raises(ValueError, match="more than two decimals"):
        parse_amount("1.005")


@pytest.mark.parametrize(
    ("raw", "places", "expected"),
    [(1.234, 6, "1.234"), ("0.987654", 6, "0.987654"), (" 2 ", 2, "2"), ("-1.5", 3, "-1.5")],
)
def test_decimal_examples(raw: object, places: int, expected: str) -> None:
    assert parse_decimal(raw, places) == Decimal(expected)  # type: ignore[arg-type]


def test_decimal_refuses_too_many_places() -> None:
    with pytest.raises(ValueError, match="more than 6 decimals"):
        parse_decimal("1.2345678", 6)
    with pytest.raises(ValueError):
        parse_decimal("$5", 2)


@given(st.decimals(min_value=-1000, max_value=1000, places=6))
def test_decimal_float_round_trip(d: Decimal) -> None:
    assert parse_decimal(float(d), 6) == d
    assert parse_decimal(str(d), 6) == d


def test_int() -> None:
    assert parse_int(21) == 21
    assert parse_int(21.0) == 21
    assert parse_int("21") == 21
    assert parse_int(" 21.0 ") == 21
    for bad in (21.5, "21.5", "x", True):
        with pytest.raises(ValueError):
            parse_int(bad)


# --- sex, text, names, components ---------------------------------------------------------


@pytest.mark.parametrize(
    ("raw", "expected"),
    [("M", "M"), ("f", "F"), ("Male", "M"), ("FEMALE", "F"), ("u", "U"), ("Unknown", "U")],
)
def test_sex(raw: str, expected: str) -> None:
    assert parse_sex(raw) == expected


def test_sex_refused() -> None:
    with pytest.raises(ValueError, match="not a sex"):
        parse_sex("X")


def test_text() -> None:
    assert parse_text("  Smith ") == "Smith"
    assert parse_text(123.0) == "123"
    assert parse_text(1.5) == "1.5"
    assert parse_text(7) == "7"
    assert parse_text(dt.date(2026, 1, 2)) == "2026-01-02"
    assert parse_text(True) == "TRUE"


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        ("SMITH, JOHN", ("SMITH", "JOHN")),
        ("SMITH,JOHN Q", ("SMITH", "JOHN Q")),
        ("  Muñoz ,  Ana ", ("Muñoz", "Ana")),
        ("Cher", ("Cher", None)),
        ("SMITH,", ("SMITH", None)),
    ],
)
def test_split_full_name(raw: str, expected: tuple[str | None, str | None]) -> None:
    assert split_full_name(raw) == expected


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        ("Care Management", "care_management"),
        ("care_management", "care_management"),
        (" CARE-MANAGEMENT ", "care_management"),
        ("Capitation", "capitation"),
        ("care  _ management", "care_management"),
    ],
)
def test_normalize_component(raw: str, expected: str) -> None:
    assert normalize_component(raw) == expected


def test_float_written_out_in_full_reads_as_excel_shows() -> None:
    assert parse_amount("0.30000000000000004") == Decimal("0.30")
    assert parse_decimal("1.2339999999999999857891452847979962825775146484375", 6) == Decimal(
        "1.234"
    )


# --- vectorised shortcuts agree with the parsers ------------------------------------------

id_like = st.one_of(
    st.text(max_size=12),
    st.from_regex(r"[0-9A-Za-z .]{1,12}", fullmatch=True),
    st.from_regex(r"[0-9]{1,12}(\.0*)?", fullmatch=True),
)


@given(st.lists(id_like, max_size=30), st.none() | st.integers(1, 12))
def test_member_id_shortcut_agrees(values: list[str], width: int | None) -> None:
    fast = member_id_shortcut(pl.Series("id", values, dtype=pl.String), width).to_list()
    for value, got in zip(values, fast, strict=True):
        if got is not None:
            assert got == parse_member_id(value, width)


date_like = st.one_of(
    st.text(max_size=20),
    st.from_regex(r"[0-9]{4}-[0-9]{2}-[0-9]{2}( 00:00:00)?", fullmatch=True),
    dates.map(lambda d: f"{d.isoformat()} 00:00:00"),
)


@given(st.lists(date_like, max_size=30))
def test_date_shortcut_agrees(values: list[str]) -> None:
    fast = date_shortcut(pl.Series("d", values, dtype=pl.String)).to_list()
    for value, got in zip(values, fast, strict=True):
        if got is not None:
            assert got == parse_date(value)


decimal_like = st.one_of(
    st.text(max_size=12),
    st.from_regex(r"[0-9]{1,9}(\.[0-9]{0,8})?", fullmatch=True),
    st.decimals(min_value=0, max_value=10**6, places=6, allow_nan=False).map(str),
)


@given(st.lists(decimal_like, max_size=30), st.integers(0, 6))
def test_scaled_shortcut_agrees(values: list[str], places: int) -> None:
    fast = scaled_shortcut(pl.Series("r", values, dtype=pl.String), places).to_list()
    for value, got in zip(values, fast, strict=True):
        if got is not None:
            parsed = parse_decimal(value, places)
            assert parsed is not None and got == int(parsed.scaleb(places))
