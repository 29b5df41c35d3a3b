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
from pmpm_desktop.io.date_columns import decide_order
from pmpm_desktop.io.number_style import NumberColumn, decide
from pmpm_desktop.io.values import (
    NumberStyle,
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


# --- amount styles: CR/DR, trailing minus, decimal comma (SPEC §6) ------------------------

DECIMAL_COMMA = NumberStyle(decimal_comma=True)
DR_IS_PAYMENT = NumberStyle(credit_is_payment=False)


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        ("165.00 CR", "165.00"),
        ("165.00 DR", "-165.00"),
        ("CR 165.00", "165.00"),
        ("DR 165.00", "-165.00"),
        ("165.00CR", "165.00"),
        ("165.00dr", "-165.00"),
        ("165.00 Cr", "165.00"),
        ("$1,234.56 CR", "1234.56"),
        ("$1,234.56 DR", "-1234.56"),
        ("165.00-", "-165.00"),
        ("$165.00-", "-165.00"),
        ("(12.34)", "-12.34"),
        ("0.00 DR", "0.00"),
    ],
)
def test_amount_styles(raw: str, expected: str) -> None:
    assert parse_amount(raw) == Decimal(expected)


def test_which_sign_cr_and_dr_mean_is_the_payers_setting() -> None:
    assert parse_amount("165.00 CR", DR_IS_PAYMENT) == Decimal("-165.00")
    assert parse_amount("165.00 DR", DR_IS_PAYMENT) == Decimal("165.00")
    # Unmarked amounts keep their own sign whatever the setting.
    assert parse_amount("-5.00", DR_IS_PAYMENT) == Decimal("-5.00")


@pytest.mark.parametrize("raw", ["-165.00 CR", "(165.00) DR", "165.00- CR", "CR", "DR 5 CR"])
def test_amount_marked_twice_is_refused(raw: str) -> None:
    with pytest.raises(ValueError, match="amount"):
        parse_amount(raw)


def test_amount_marked_negative_and_cr_says_why() -> None:
    with pytest.raises(ValueError, match="marked negative and CR/DR at once"):
        parse_amount("-165.00 CR")


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        ("1.234,56", "1234.56"),
        ("-165,00", "-165.00"),
        ("165,00 CR", "165.00"),
        ("165,00 DR", "-165.00"),
        ("165,00-", "-165.00"),
        ("(1.234,50)", "-1234.50"),
        ("1.234.567,89", "1234567.89"),
        ("1 234,56", "1234.56"),
        ("1\u00a0234,56", "1234.56"),
        ("1.234,56 €", "1234.56"),
        ("165", "165.00"),
        ("1.234", "1234.00"),
        (",5", "0.50"),
    ],
)
def test_amount_with_decimal_comma(raw: str, expected: str) -> None:
    assert parse_amount(raw, DECIMAL_COMMA) == Decimal(expected)


@pytest.mark.parametrize("raw", ["1,234.56", "12.34", "1.23,45", "1,2,3"])
def test_amount_with_decimal_comma_refuses_decimal_point_forms(raw: str) -> None:
    with pytest.raises(ValueError, match=r"expected e\.g\. 1234,56"):
        parse_amount(raw, DECIMAL_COMMA)


def test_decimal_with_decimal_comma() -> None:
    assert parse_decimal("1,234", 6, decimal_comma=True) == Decimal("1.234")
    assert parse_decimal("0,98765", 6, decimal_comma=True) == Decimal("0.98765")
    assert parse_decimal("1,234", 6) == Decimal("1234")  # grouping, with a decimal point


def _grouped(whole: int, separator: str) -> str:
    text = str(whole)
    groups = []
    while len(text) > 3:
        groups.insert(0, text[-3:])
        text = text[:-3]
    return separator.join([text, *groups])


def _styled(amount: Decimal, style: str) -> tuple[str, NumberStyle]:
    """``amount`` written as a payer's report writer would, and the style to read it with."""
    negative, magnitude = amount < 0, abs(amount)
    whole, cents = divmod(int(magnitude * 100), 100)
    point = f"{_grouped(whole, ',')}.{cents:02d}"
    comma = f"{_grouped(whole, '.')},{cents:02d}"
    if style == "us":
        return (f"-{point}" if negative else point), NumberStyle()
    if style == "comma":
        return (f"-{comma}" if negative else comma), DECIMAL_COMMA
    if style == "crdr":
        return f"{point} {'DR' if negative else 'CR'}", NumberStyle()
    if style == "crdr_comma":
        return f"{comma}{'DR' if negative else 'CR'}", DECIMAL_COMMA
    if style == "drcr_payer":  # a payer whose DR is money paid
        return f"{'CR' if negative else 'DR'} {point}", DR_IS_PAYMENT
    if style == "trailing":
        return (f"{point}-" if negative else point), NumberStyle()
    if style == "parentheses":
        return (f"(${point})" if negative else f"${point}"), NumberStyle()
    raise AssertionError(style)


STYLES = ["us", "comma", "crdr", "crdr_comma", "drcr_payer", "trailing", "parentheses"]


@given(cents, st.sampled_from(STYLES))
def test_amount_styles_round_trip(c: int, style: str) -> None:
    amount = Decimal(c).scaleb(-2)
    text, number_style = _styled(amount, style)
    assert parse_amount(text, number_style) == amount, text


@given(st.lists(decimal_like, max_size=30), st.integers(0, 6))
def test_scaled_shortcut_agrees_with_decimal_comma(values: list[str], places: int) -> None:
    values = [v.replace(".", ",") for v in values]
    fast = scaled_shortcut(pl.Series("r", values, dtype=pl.String), places, decimal_comma=True)
    for value, got in zip(values, fast.to_list(), strict=True):
        if got is not None:
            parsed = parse_decimal(value, places, decimal_comma=True)
            assert parsed is not None and got == int(parsed.scaleb(places))


# --- day/month order, months as payers write them ------------------------------------------


@pytest.mark.parametrize(
    ("raw", "day_first", "expected"),
    [
        ("31.01.2026", None, dt.date(2026, 1, 31)),
        ("01/31/2026", None, dt.date(2026, 1, 31)),
        ("01.02.2026", None, dt.date(2026, 2, 1)),  # dots: day first
        ("01/02/2026", None, dt.date(2026, 1, 2)),  # slashes: month first
        ("01-02-2026", None, dt.date(2026, 1, 2)),
        ("01/02/2026", True, dt.date(2026, 2, 1)),
        ("01.02.2026", False, dt.date(2026, 1, 2)),
        ("31.01.26", None, dt.date(2026, 1, 31)),
        ("31/01/2026 00:00", None, dt.date(2026, 1, 31)),
        ("2026-01-31", True, dt.date(2026, 1, 31)),  # ISO whatever the order
    ],
)
def test_date_order(raw: str, day_first: bool | None, expected: dt.date) -> None:
    assert parse_date(raw, day_first) == expected


def test_date_in_the_other_order_is_refused() -> None:
    with pytest.raises(ValueError, match="no month 31"):
        parse_date("31.01.2026", day_first=False)
    with pytest.raises(ValueError, match="no month 31"):
        parse_date("01/31/2026", day_first=True)


@given(dates.filter(lambda d: d.year >= 1000))
def test_day_first_forms_round_trip(d: dt.date) -> None:
    assert parse_date(f"{d.day:02d}.{d.month:02d}.{d.year}") == d
    assert parse_date(f"{d.day}/{d.month}/{d.year}", day_first=True) == d
    assert parse_month(f"{d.day:02d}.{d.month:02d}.{d.year}") == Month.of(d)


@pytest.mark.parametrize(
    "raw",
    [
        "02.2026",
        "2026/02",
        "Feb-2026",
        "February 2026",
        "Feb 2026",
        "2026-02",
        "02/2026",
        "202602",
        "FEB-26",
        "Feb.2026",
        "2026 Feb",
        "15.02.2026",
        "02/15/2026",
        "2026-02-28",
    ],
)
def test_months_as_payers_write_them(raw: str) -> None:
    assert parse_month(raw) == Month(2026, 2)


def test_month_of_a_date_follows_the_columns_order() -> None:
    assert parse_month("01/02/2026") == Month(2026, 1)
    assert parse_month("01/02/2026", day_first=True) == Month(2026, 2)
    assert parse_month("Jan-26") == Month(2026, 1)


def test_far_dates_parse() -> None:
    for raw in ["9999-12-31", "12/31/9999", "31.12.9999", 2958465, "2958465", "99991231"]:
        assert parse_date(raw) == dt.date(9999, 12, 31)  # type: ignore[arg-type]
    assert parse_date("2099-12-31") == dt.date(2099, 12, 31)
    assert parse_month("9999-12-31") == Month(9999, 12)


@given(
    st.lists(
        st.one_of(
            st.text(max_size=14),
            st.from_regex(r"[0-9]{1,3}[./-][0-9]{1,3}[./-][0-9]{2,4}", fullmatch=True),
        ),
        max_size=20,
    ),
    st.none() | st.booleans(),
)
def test_column_decisions_never_raise(values: list[str], given_order: bool | None) -> None:
    order = decide_order("Date", pl.Series("d", values, dtype=pl.String), given_order)
    choice = decide([NumberColumn("Amount", pl.Series("a", values, dtype=pl.String))], None)
    for value in values:
        for read in (order.dates(), order.months()):
            try:
                read(value)
            except ValueError:
                pass
        for style in (choice.style(True), DECIMAL_COMMA, DR_IS_PAYMENT):
            try:
                parse_amount(value, style)
            except ValueError:
                pass
