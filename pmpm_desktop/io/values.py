"""Cell value parsers: the single place that decides what a payer's cell means (SPEC §6).

Every parser takes a raw cell as any reader hands it over (``str``, ``int``, ``float``,
``bool``, ``date``, ``datetime``, ``Decimal`` or ``None``) and returns the typed value, ``None``
for a blank cell, or raises ``ValueError`` with a short reason a billing clerk can act on.
Callers decide whether a blank is allowed.
"""

from __future__ import annotations

import datetime as dt
import math
import re
from dataclasses import dataclass
from decimal import Decimal, InvalidOperation

import polars as pl

from pmpm_desktop.core.member_ids import IdRule
from pmpm_desktop.core.month import Month

Raw = str | int | float | bool | dt.date | dt.datetime | Decimal | None

_DATE_HINT = "not a date (expected e.g. 2026-01-31 or 01/31/2026)"
_MONTH_HINT = "not a month (expected e.g. 2026-01, 01/2026 or Jan 2026)"

# Excel's 1900 date system: serial 1 is 1900-01-01 and serial 60 is the 1900-02-29 that never
# was (Lotus bug kept for compatibility); 2958465 is 9999-12-31.
_SERIAL_MIN, _SERIAL_MAX, _SERIAL_FAKE_LEAP_DAY = 1, 2958465, 60
_EPOCH_BEFORE_LEAP = dt.date(1899, 12, 31)
_EPOCH_AFTER_LEAP = dt.date(1899, 12, 30)

# A term or end date from here on means "no end": payers write 9999-12-31, 12/31/9999,
# 2099-12-31, Excel's largest serial, or SQL Server smalldatetime's last years (it ends
# 2079-06-06, so 2078-12-31 and 2079-06-06 are common placeholders).
OPEN_ENDED_FROM = dt.date(2078, 12, 31)
# A date of birth before this is a typo or a placeholder (1800-01-01, 0001-01-01).
EARLIEST_BIRTH = dt.date(1900, 1, 1)

# Money columns are Numeric(12, 2); refusing bigger values here keeps the reason readable.
_AMOUNT_LIMIT = Decimal(10) ** 10
# Generic numbers end up as integer millionths in Int64 frames: keep far from overflow.
_DECIMAL_LIMIT = Decimal(10) ** 12

_MONTH_NAMES = {
    name: i + 1
    for i, names in enumerate(
        [
            ("jan", "january"),
            ("feb", "february"),
            ("mar", "march"),
            ("apr", "april"),
            ("may",),
            ("jun", "june"),
            ("jul", "july"),
            ("aug", "august"),
            ("sep", "sept", "september"),
            ("oct", "october"),
            ("nov", "november"),
            ("dec", "december"),
        ]
    )
    for name in names
}

_TIME = r"(?:[ T]\d{1,2}:\d{2}(?::\d{2}(?:\.\d+)?)?(?:\s*[AaPp][Mm])?)?"
_YMD = re.compile(r"(\d{4})([-/.])(\d{1,2})\2(\d{1,2})" + _TIME, re.ASCII)
_MDY = re.compile(r"(\d{1,2})([-/.])(\d{1,2})\2(\d{4}|\d{2})" + _TIME, re.ASCII)
_YYYYMMDD = re.compile(r"(\d{4})(\d{2})(\d{2})", re.ASCII)
_D_MON_Y = re.compile(r"(\d{1,2})[- ]([A-Za-z]{3,9})\.?[- ,]*(\d{4}|\d{2})", re.ASCII)
_MON_D_Y = re.compile(r"([A-Za-z]{3,9})\.? (\d{1,2}),? (\d{4})", re.ASCII)
_SERIAL_TEXT = re.compile(r"\d{1,7}(?:\.\d+)?", re.ASCII)

_YM = re.compile(r"(\d{4})[-/.](\d{1,2})", re.ASCII)
_MY = re.compile(r"(\d{1,2})[-/.](\d{4})", re.ASCII)
_YYYYMM = re.compile(r"(\d{4})(\d{2})", re.ASCII)
_MON_Y = re.compile(r"([A-Za-z]{3,9})\.?[- ,/']*(\d{4}|\d{2})", re.ASCII)
_Y_MON = re.compile(r"(\d{4})[- ]([A-Za-z]{3,9})", re.ASCII)

_PLAIN_NUMBER = re.compile(r"(?:\d+(?:\.\d*)?|\.\d+)", re.ASCII)
# Thousands may be grouped by the separator that is not the decimal one, or by a space, a
# no-break space or an apostrophe (1 234,56; 1'234.56).
_GAP = "[ \u00a0\u202f']"
_POINT_GROUPED = re.compile(rf"\d{{1,3}}(?:(?:,\d{{3}})+|(?:{_GAP}\d{{3}})+)(?:\.\d*)?", re.ASCII)
_COMMA_GROUPED = re.compile(rf"\d{{1,3}}(?:(?:\.\d{{3}})+|(?:{_GAP}\d{{3}})+)(?:,\d*)?", re.ASCII)
_COMMA_PLAIN = re.compile(r"(?:\d+(?:,\d*)?|,\d+)", re.ASCII)
_GROUPING_POINT_STYLE = re.compile(rf",|{_GAP}")
_GROUPING_COMMA_STYLE = re.compile(rf"\.|{_GAP}")
_CURRENCY = frozenset("$€£")
_DIGITS = re.compile(r"[0-9]+", re.ASCII)
_ID_FLOAT_TEXT = re.compile(r"([0-9]+)\.0*", re.ASCII)
_INT_TEXT = re.compile(r"[-+]?[0-9]+(?:\.0*)?", re.ASCII)


def _is_blank(value: Raw) -> bool:
    return value is None or (isinstance(value, str) and not value.strip())


def _refuse_odd_types(value: object, what: str) -> None:
    # bool is an int subclass: a TRUE/FALSE cell must not become 1/0 by accident.
    if isinstance(value, bool):
        raise ValueError(f"{what}: got TRUE/FALSE")
    if isinstance(value, float | Decimal) and not math.isfinite(value):
        raise ValueError(f"{what}: got {value}")


def float_text(value: float) -> str:
    """The text Excel shows for a float: 15 significant digits, no trailing ``.0``."""
    if value.is_integer() and abs(value) < 1e15:
        return str(int(value))
    return format(value, ".15g")


def float_decimal(value: float) -> Decimal:
    """A float as the decimal Excel shows: ``1.234``, never ``1.23399999999999998578…``."""
    if not math.isfinite(value):
        raise ValueError(f"not a number: {value}")
    return Decimal(format(value, ".15g"))


def two_digit_year(yy: int, today: dt.date | None = None) -> int:
    """Century for a 2-digit year: up to ten years ahead of today is 20yy, the rest 19yy.

    Rosters carry birth dates (mostly in the past) and coverage/term dates (near today), so a
    pivot a little after the current year reads both the way a person would.
    """
    year = (today or dt.date.today()).year
    return 2000 + yy if yy <= year % 100 + 10 else 1900 + yy


def _month_number(name: str) -> int | None:
    return _MONTH_NAMES.get(name.lower())


def _make_date(year: int, month: int, day: int) -> dt.date:
    try:
        return dt.date(year, month, day)
    except ValueError:
        if not 1 <= month <= 12:
            raise ValueError(f"{_DATE_HINT}: there is no month {month}") from None
        if year < 1:
            raise ValueError(f"{_DATE_HINT}: there is no year {year}") from None
        raise ValueError(f"{_DATE_HINT}: {year:04d}-{month:02d} has no day {day}") from None


def _serial_date(serial: float) -> dt.date:
    whole = math.floor(serial)  # a fraction is a time of day
    if not _SERIAL_MIN <= whole <= _SERIAL_MAX:
        raise ValueError(f"{_DATE_HINT}: {float_text(serial)} is not a date serial number")
    if whole == _SERIAL_FAKE_LEAP_DAY:
        raise ValueError("not a date: serial 60 is Excel's 1900-02-29, which never existed")
    epoch = _EPOCH_BEFORE_LEAP if whole < _SERIAL_FAKE_LEAP_DAY else _EPOCH_AFTER_LEAP
    return epoch + dt.timedelta(days=whole)


def _number_date(value: float) -> dt.date:
    # A number cell may hold 20260131 (the payer's YYYYMMDD) rather than a serial; serials stop
    # at 2958465, so the two never collide.
    if value.is_integer() and 10_000_000 <= value <= 99_991_231:
        n = int(value)
        return _make_date(n // 10000, n // 100 % 100, n % 100)
    return _serial_date(value)


def day_first_reading(first: int, second: int, separator: str) -> bool:
    """Whether ``first.second.year`` reads day first when nothing else says: a first part
    above 12 is a day, a second part above 12 is a day; when both could be months, dots are
    day first (European) and slashes or dashes month first (US payers)."""
    if first > 12 >= second:
        return True
    if second > 12:
        return False
    return separator == "."


def _text_date(text: str, day_first: bool | None = None) -> dt.date:
    if m := _YMD.fullmatch(text):
        return _make_date(int(m[1]), int(m[3]), int(m[4]))
    if m := _MDY.fullmatch(text):
        year = int(m[4]) if len(m[4]) == 4 else two_digit_year(int(m[4]))
        first, second = int(m[1]), int(m[3])
        if day_first is None:
            day_first = day_first_reading(first, second, m[2])
        if day_first:
            return _make_date(year, second, first)
        return _make_date(year, first, second)
    if m := _YYYYMMDD.fullmatch(text):
        return _make_date(int(m[1]), int(m[2]), int(m[3]))
    if m := _D_MON_Y.fullmatch(text):
        month = _month_number(m[2])
        if month is not None:
            year = int(m[3]) if len(m[3]) == 4 else two_digit_year(int(m[3]))
            return _make_date(year, month, int(m[1]))
    if m := _MON_D_Y.fullmatch(text):
        month = _month_number(m[1])
        if month is not None:
            return _make_date(int(m[3]), month, int(m[2]))
    if _SERIAL_TEXT.fullmatch(text):
        return _serial_date(float(text))
    raise ValueError(_DATE_HINT)


def parse_date(value: Raw, day_first: bool | None = None) -> dt.date | None:
    """A date from a date cell, an Excel serial, or text (ISO, ``M/D/Y``, ``D.M.Y``,
    ``YYYYMMDD``, …).

    ``day_first`` says how ``01/02/2026`` reads; None: as :func:`day_first_reading` says for
    the one value (a reader decides it for a whole column, ``io.date_columns``). Two-digit
    years follow :func:`two_digit_year`.
    """
    if _is_blank(value):
        return None
    _refuse_odd_types(value, "not a date")
    if isinstance(value, dt.datetime):
        return value.date()
    if isinstance(value, dt.date):
        return value
    if isinstance(value, int | float | Decimal):
        return _number_date(float(value))
    if isinstance(value, str):
        return _text_date(value.strip(), day_first)
    raise ValueError(_DATE_HINT)


def _text_month(text: str, day_first: bool | None = None) -> Month:
    if m := _YM.fullmatch(text):
        return _make_month(int(m[1]), int(m[2]))
    if m := _MY.fullmatch(text):
        return _make_month(int(m[2]), int(m[1]))
    if m := _YYYYMM.fullmatch(text):
        return _make_month(int(m[1]), int(m[2]))
    if m := _MON_Y.fullmatch(text):
        month = _month_number(m[1])
        if month is not None:
            year = int(m[2]) if len(m[2]) == 4 else two_digit_year(int(m[2]))
            return Month(year, month)
    if m := _Y_MON.fullmatch(text):
        month = _month_number(m[2])
        if month is not None:
            return Month(int(m[1]), month)
    try:
        return Month.of(_text_date(text, day_first))
    except ValueError:
        raise ValueError(_MONTH_HINT) from None


def _make_month(year: int, month: int) -> Month:
    try:
        return Month(year, month)
    except ValueError:
        raise ValueError(f"{_MONTH_HINT}: month {month} of {year} does not exist") from None


def parse_month(value: Raw, day_first: bool | None = None) -> Month | None:
    """A month from ``2026-01``, ``01/2026``, ``02.2026``, ``2026/02``, ``Jan 2026``, ``JAN-26``,
    ``February 2026``, ``202601``, any date form (``day_first`` as for :func:`parse_date`), a
    date cell or an Excel serial."""
    if _is_blank(value):
        return None
    _refuse_odd_types(value, "not a month")
    if isinstance(value, dt.date):
        return Month.of(value)
    if isinstance(value, int | float | Decimal):
        number = float(value)
        # 202601 as a number cell is the payer's YYYYMM, not serial 202601 (year 2454).
        if number.is_integer() and 100_001 <= number <= 999_912:
            n = int(number)
            return _make_month(n // 100, n % 100)
        try:
            return Month.of(_number_date(number))
        except ValueError:
            raise ValueError(_MONTH_HINT) from None
    if isinstance(value, str):
        return _text_month(value.strip(), day_first)
    raise ValueError(_MONTH_HINT)


@dataclass(frozen=True)
class NumberStyle:
    """How a file writes its numbers: the decimal separator (decided once per file,
    ``io.number_style``) and what ``CR`` / ``DR`` mean (the payer's setting)."""

    decimal_comma: bool = False
    #: True: ``CR`` is money paid to the practice (+) and ``DR`` money taken back (−)
    credit_is_payment: bool = True


POINT_STYLE = NumberStyle()


class _NotANumber(ValueError):
    """Text that is no number at all: the caller names what was expected."""


def _credit_mark(text: str) -> tuple[str | None, str]:
    """(``CR``/``DR`` or None, the rest) for ``165.00 CR``, ``CR 165.00``, ``165.00cr``."""
    upper = text.upper()
    if upper.endswith(("CR", "DR")):
        return upper[-2:], text[:-2].rstrip()
    if upper.startswith(("CR", "DR")):
        return upper[:2], text[2:].lstrip()
    return None, text


def _strip_currency(text: str) -> str:
    if text[:1] in _CURRENCY:
        return text[1:].lstrip()
    if text[-1:] in _CURRENCY:
        return text[:-1].rstrip()
    return text


def _canonical_digits(text: str, decimal_comma: bool) -> str:
    """``1.234,56`` (decimal comma) or ``1,234.56`` as ``1234.56``; _NotANumber otherwise."""
    if decimal_comma:
        if _COMMA_GROUPED.fullmatch(text):
            text = _GROUPING_COMMA_STYLE.sub("", text)
        elif not _COMMA_PLAIN.fullmatch(text):
            raise _NotANumber(text)
        return text.replace(",", ".")
    if _POINT_GROUPED.fullmatch(text):
        text = _GROUPING_POINT_STYLE.sub("", text)
    if not _PLAIN_NUMBER.fullmatch(text):
        raise _NotANumber(text)
    return text


def _number_text(text: str, *, currency: bool, style: NumberStyle = POINT_STYLE) -> Decimal:
    """Decimal from text like ``$1,234.56``, ``(12.34)``, ``-$5``, ``12.34-``; with
    ``currency``, also ``165.00 CR`` / ``DR 165.00``; with a decimal comma ``1.234,56``."""
    s = text.strip()
    mark: str | None = None
    if currency:
        mark, s = _credit_mark(s)
    signs = 0  # more than one negative marker, as in "(-5)", is a typo we must not guess at
    if s.startswith("(") and s.endswith(")"):
        signs, s = signs + 1, s[1:-1].strip()
    if s.endswith("-"):
        signs, s = signs + 1, s[:-1].strip()
    if s.startswith(("-", "+")):
        signs, s = signs + (s[0] == "-"), s[1:].strip()
    if currency and s:
        s = _strip_currency(s)
        if s.startswith("-"):
            signs, s = signs + 1, s[1:].strip()
    if signs > 1:
        raise _NotANumber(text)
    if mark is not None and signs:
        raise ValueError("not an amount: it is marked negative and CR/DR at once")
    negative = signs == 1
    if mark is not None:
        negative = (mark == "DR") == style.credit_is_payment
    number = Decimal(_canonical_digits(s, style.decimal_comma))
    if len(number.as_tuple().digits) > 15:
        # Nobody types 16+ significant digits: this is a float written out in full by some
        # export (0.30000000000000004); read it as Excel would show it.
        number = float_decimal(float(number))
    return -number if negative else number


def _to_decimal(
    value: Raw, *, currency: bool, what: str, style: NumberStyle = POINT_STYLE
) -> Decimal | None:
    if _is_blank(value):
        return None
    _refuse_odd_types(value, what)
    if isinstance(value, Decimal):
        return value
    if isinstance(value, int):
        return Decimal(value)
    if isinstance(value, float):
        return float_decimal(value)
    if isinstance(value, str):
        try:
            return _number_text(value, currency=currency, style=style)
        except _NotANumber:
            raise ValueError(what) from None
    raise ValueError(what)


def _check_places(number: Decimal, places: int, limit: Decimal, what: str) -> Decimal:
    if abs(number) >= limit:
        raise ValueError(f"{what}: too large")
    step = Decimal(1).scaleb(-places)
    try:
        rounded = number.quantize(step)
    except InvalidOperation:
        raise ValueError(f"{what}: too large") from None
    if rounded != number:
        raise ValueError(
            "more than two decimals" if places == 2 else f"more than {places} decimals"
        )
    return rounded


def parse_amount(value: Raw, style: NumberStyle = POINT_STYLE) -> Decimal | None:
    """Money with two places: numbers, ``$1,234.56``, ``-12.34``, ``(12.34)``, ``12.34-``,
    ``165.00 CR`` / ``165.00 DR`` (signed as ``style.credit_is_payment`` says), and with
    ``style.decimal_comma`` ``1.234,56`` / ``-165,00``."""
    what = (
        "not an amount (expected e.g. 1234,56, 1.234,56 or -12,34)"
        if style.decimal_comma
        else "not an amount (expected e.g. 1234.56, $1,234.56 or (12.34))"
    )
    number = _to_decimal(value, currency=True, what=what, style=style)
    if number is None:
        return None
    return _check_places(number, 2, _AMOUNT_LIMIT, "not an amount")


def parse_decimal(value: Raw, max_places: int, *, decimal_comma: bool = False) -> Decimal | None:
    """A plain number (risk score, percentage) with at most ``max_places`` decimals.

    Returned as written (``1.234`` stays ``Decimal('1.234')``, or ``1,234`` with
    ``decimal_comma``); floats as Excel shows them.
    """
    style = NumberStyle(decimal_comma=decimal_comma)
    number = _to_decimal(value, currency=False, what="not a number", style=style)
    if number is None:
        return None
    _check_places(number, max_places, _DECIMAL_LIMIT, "not a number")
    return number


def parse_int(value: Raw) -> int | None:
    """A whole number; ``21.0`` is 21, ``21.5`` is refused."""
    if _is_blank(value):
        return None
    _refuse_odd_types(value, "not a whole number")
    if isinstance(value, int):
        return value
    if isinstance(value, float | Decimal):
        if value != int(value):
            raise ValueError("not a whole number")
        return int(value)
    if isinstance(value, str) and _INT_TEXT.fullmatch(value.strip()):
        return int(Decimal(value.strip()))
    raise ValueError("not a whole number")


_SEXES = {"m": "M", "male": "M", "f": "F", "female": "F", "u": "U", "unknown": "U"}


def parse_sex(value: Raw) -> str | None:
    """``M``/``F``/``U`` from M, F, Male, Female, U, Unknown (any case)."""
    if _is_blank(value):
        return None
    if isinstance(value, str) and (sex := _SEXES.get(value.strip().lower())):
        return sex
    raise ValueError("not a sex (expected M, F, Male, Female or U)")


def parse_text(value: Raw) -> str | None:
    """Trimmed text; numbers as Excel shows them (``123``, not ``123.0``)."""
    if value is None:
        return None
    if isinstance(value, bool):
        return "TRUE" if value else "FALSE"
    if isinstance(value, str):
        return value.strip() or None
    _refuse_odd_types(value, "not text")
    if isinstance(value, float):
        return float_text(value)
    if isinstance(value, int | Decimal):
        return str(value)
    if isinstance(value, dt.datetime):
        return value.date().isoformat() if value.time() == dt.time() else value.isoformat(" ")
    return value.isoformat()


def parse_member_id(
    value: Raw, id_width: int | None = None, rule: IdRule | None = None
) -> str | None:
    """A member ID as text: trimmed, upper-cased, ``123456.0`` → ``123456``, leading zeros kept;
    the payer's ID ``rule`` applied (punctuation, dependent suffix, prefix); then purely numeric
    IDs shorter than ``id_width`` are left-padded with zeros (never cut)."""
    if _is_blank(value):
        return None
    _refuse_odd_types(value, "not a member ID")
    text: str
    if isinstance(value, int):
        if value < 0:
            raise ValueError("not a member ID: negative number")
        text = str(value)
    elif isinstance(value, float | Decimal):
        if value != int(value) or value < 0:
            raise ValueError("not a member ID: a number with decimals")
        text = str(int(value))
    elif isinstance(value, str):
        text = value.strip().upper()
        # A text cell holding "123456.0" comes from an ID that went through a float somewhere.
        if m := _ID_FLOAT_TEXT.fullmatch(text):
            text = m[1]
    else:
        raise ValueError("not a member ID: got a date")
    if rule is not None:
        text = rule.apply(text)
    if id_width is not None and len(text) < id_width and _DIGITS.fullmatch(text):
        text = text.zfill(id_width)
    return text


def split_full_name(value: Raw) -> tuple[str | None, str | None]:
    """(last, first) from ``LAST, FIRST`` or ``LAST,FIRST M``; no comma → (value, None)."""
    text = parse_text(value)
    if text is None:
        return None, None
    last, comma, first = text.partition(",")
    if not comma:
        return text, None
    return last.strip() or None, first.strip() or None


# --- vectorised shortcuts -------------------------------------------------------------------
# Big columns are mostly in one tidy form. These give the parser's answer for cells in that
# form without a Python call per cell, and null for every other cell, which the caller then
# sends through the parser above. They only ever recognise forms the parser maps the same way
# (tests/unit/test_values.py checks that on arbitrary text).

_CANONICAL_ID = r"^[0-9A-Z]+$"
_ISO_DAY = r"^[1-9][0-9]{3}-[0-9]{2}-[0-9]{2}( 00:00:00)?$"
_COMPACT_DAY = r"^[1-9][0-9]{3}[0-1][0-9][0-3][0-9]$"


def member_id_shortcut(
    raw: pl.Series, id_width: int | None = None, rule: IdRule | None = None
) -> pl.Series:
    """``parse_member_id`` for IDs already trimmed, upper-case and needing no padding (and, with
    a prefix rule, not starting with the prefix)."""
    keep = raw.str.contains(_CANONICAL_ID)
    if rule is not None and rule.prefix:
        keep &= ~raw.str.starts_with(rule.prefix)
    if id_width is not None:
        keep &= ~(raw.str.contains(r"^[0-9]+$") & (raw.str.len_chars() < id_width))
    return pl.select(pl.when(pl.lit(keep)).then(pl.lit(raw))).to_series().alias(raw.name)


def date_shortcut(raw: pl.Series) -> pl.Series:
    """``parse_date`` for ISO days (``2026-01-31``, or with a midnight time as fastexcel renders
    date cells) and ``YYYYMMDD`` (X12's CCYYMMDD, which parse_date reads so whatever the
    column's day order); impossible days come back null and reach the parser for its reason."""
    iso = raw.str.contains(_ISO_DAY)
    parsed = raw.str.slice(0, 10).str.strptime(pl.Date, "%Y-%m-%d", strict=False)
    compact = raw.str.contains(_COMPACT_DAY)
    packed = raw.str.strptime(pl.Date, "%Y%m%d", strict=False)
    return (
        pl.select(
            pl.when(pl.lit(iso)).then(pl.lit(parsed)).when(pl.lit(compact)).then(pl.lit(packed))
        )
        .to_series()
        .alias(raw.name)
    )


def scaled_shortcut(raw: pl.Series, places: int, *, decimal_comma: bool = False) -> pl.Series:
    """``parse_decimal(text, places, decimal_comma=…)`` × 10**places for plain non-negative
    decimals (``1.234``, or ``1,234`` with a decimal comma): risk scores are nearly all
    distinct, so a Python call per cell would dominate the read."""
    point = "," if decimal_comma else r"\."
    fraction_part = rf"({point}[0-9]{{1,{places}}})?" if places else ""
    pattern = rf"^[0-9]{{1,9}}{fraction_part}$"
    plain = raw.str.contains(pattern)
    whole = raw.str.extract(r"^([0-9]+)", 1).cast(pl.Int64, strict=False)
    fraction = raw.str.extract(rf"{point}([0-9]+)$", 1).fill_null("").str.pad_end(places, "0")
    value = whole * 10**places + fraction.cast(pl.Int64, strict=False)
    return pl.select(pl.when(pl.lit(plain)).then(pl.lit(value))).to_series().alias(raw.name)
