"""What header detection chose and how sure it is, and what a column's values look like.

:class:`Detection` is plain data (a UI shows it and asks the user when ``confident`` is False).
:func:`profile` describes a column from a sample of its cells (member IDs vs NPIs, birth dates
vs coverage dates, amounts vs counts, …); ``io.fields`` uses it to break ties between columns
whose names could mean the same field.
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Protocol

from pmpm_desktop.io.values import (
    OPEN_ENDED_FROM,
    NumberStyle,
    parse_amount,
    parse_date,
    parse_month,
)

_DAY = dt.timedelta(days=1)
_DECIMAL_COMMA = NumberStyle(decimal_comma=True)


@dataclass(frozen=True)
class FieldChoice:
    """One field's column: ``column`` is the header as in ``RawTable.headers``;
    ``confidence`` runs from 0 (a guess) to 1 (named exactly, values agree, no rival column);
    ``how`` is ``"name"`` (a synonym), ``"partial name"``, ``"values"`` (a generic name such as
    ``Date`` decided by its values) or ``"given"`` (the user's mapping)."""

    field: str
    column: str
    confidence: float
    how: str


@dataclass(frozen=True)
class Detection:
    """The sheet and header row a file was read with, and why.

    ``score`` rates the chosen header row against the field dictionary (and its values);
    ``runner_up`` is the best score of any other row or sheet. ``confident`` is False when the
    choice is close or a required field is missing: the UI should then ask.
    ``sheets`` lists each visible sheet considered with its best score.
    """

    sheet: str | None
    header_row: int
    score: float
    runner_up: float
    confident: bool
    fields: tuple[FieldChoice, ...] = ()
    sheets: tuple[tuple[str, float], ...] = ()
    given: bool = False  # sheet/header row came from the caller, not from detection
    #: the rows the header spans (several when group cells sit over the column names)
    header_rows: tuple[int, ...] = ()

    @property
    def mapping(self) -> dict[str, str]:
        return {f.field: f.column for f in self.fields}

    def choice(self, field: str) -> FieldChoice | None:
        return next((f for f in self.fields if f.field == field), None)


@dataclass(frozen=True)
class RowAssessment:
    """How much one row looks like the header of a file kind, given the rows below it."""

    score: float
    fields: tuple[FieldChoice, ...]
    complete: bool  # every required field has a column


class HeaderDetector(Protocol):
    def assess(
        self, header: Sequence[str | None], below: Sequence[Sequence[str | None]]
    ) -> RowAssessment: ...

    def looked_for(self) -> str: ...

    def section_field(self, label: str) -> str | None:
        """The field a section title's label names (``PRODUCT`` → product), if any."""
        ...


# --- column values ---------------------------------------------------------------------------

_ALNUM_ID = re.compile(r"[A-Z0-9][A-Z0-9\-]{3,19}")
_DIGITS = re.compile(r"[0-9]+")
_MONEY_MARK = re.compile(r"[$(),]|\.\d\d?\)?$")
_NAME = re.compile(r"[^\W\d_]+(?:[ .,'\-]+[^\W\d_]+)*\.?")
_SCORE = re.compile(r"\d{1,2}(?:\.\d{1,6})?")
_SEX = {"m", "f", "u", "male", "female", "unknown"}
_TEXT_DATE = re.compile(
    r"\d{1,4}[-/.]\d{1,2}[-/.]\d{1,4}|[A-Za-z]{3,9}\.? \d|\d{1,2}[- ][A-Za-z]{3}"
)
_MONTH_ONLY = re.compile(
    r"(?:\d{4}[-/.]\d{1,2}|\d{1,2}[-/.]\d{4}|[A-Za-z]{3,9}\.?[- ,/']*(?:\d{4}|\d{2})|"
    r"\d{4}[- ][A-Za-z]{3,9}|(?:19|20)\d{2}(?:0[1-9]|1[0-2]))"
)


def npi_valid(text: str) -> bool:
    """A 10-digit NPI with a good check digit (Luhn over ``80840`` + the first nine digits)."""
    if len(text) != 10 or not text.isdigit() or text[0] not in "12":
        return False
    total = 0
    for i, ch in enumerate(reversed("80840" + text[:9])):
        d = int(ch)
        if i % 2 == 0:
            d *= 2
            d = d - 9 if d > 9 else d
        total += d
    return (10 - total % 10) % 10 == int(text[9])


@dataclass(frozen=True)
class ColumnProfile:
    """Fractions of a column's non-blank sample cells that look like each kind of value."""

    count: int
    distinct: float  # distinct values / count
    member_id: float
    npi: float
    date: float
    birth_date: float
    coverage_date: float
    month: float
    money: float
    money_marked: float  # with $, parentheses, thousands commas or cents
    small_int: float
    age: float
    score: float
    sex: float
    name: float
    comma_name: float
    code: float


EMPTY_PROFILE = ColumnProfile(0, 0, *([0.0] * 15))


def _date_of(text: str) -> dt.date | None:
    if _DIGITS.fullmatch(text):
        # A bare number is a date only as YYYYMMDD (serials are too easily counts or IDs).
        if len(text) != 8 or not text.startswith(("19", "20")):
            return None
    elif not _TEXT_DATE.match(text):
        return None
    try:
        return parse_date(text)
    except ValueError:
        return None


def _is_month(text: str) -> bool:
    if not _MONTH_ONLY.fullmatch(text) and _date_of(text) is None:
        return False
    try:
        return parse_month(text) is not None
    except ValueError:
        return False


def _money(text: str) -> bool:
    if not any(c.isdigit() for c in text):
        return False
    # Money in either decimal style: which one a file uses is decided later, once per file.
    for style in (None, _DECIMAL_COMMA):
        try:
            if (parse_amount(text) if style is None else parse_amount(text, style)) is not None:
                return True
        except ValueError:
            pass
    return False


def profile(cells: Sequence[str | None], today: dt.date | None = None) -> ColumnProfile:
    """What the non-blank cells of a column sample look like."""
    values = [c.strip() for c in cells if c is not None and c.strip()]
    n = len(values)
    if n == 0:
        return EMPTY_PROFILE
    year = (today or dt.date.today()).year
    counts = dict.fromkeys(
        (
            "member_id npi date birth coverage month money marked small_int age score sex name "
            "comma code"
        ).split(),
        0,
    )
    birth_years: set[int] = set()
    for text in values:
        day = _date_of(text)
        money = day is None and _money(text)
        if day is not None:
            _count_date(day, year, counts, birth_years)
        if money:
            _count_money(text, counts)
        _count_shapes(text, day, money, counts)
    distinct = len(set(values)) / n
    births = counts["birth"] / n
    if n >= 5 and len(birth_years) < 3:
        births *= 0.5  # real birth dates spread over many years
    return ColumnProfile(
        count=n,
        distinct=distinct,
        member_id=counts["member_id"] / n,
        npi=counts["npi"] / n,
        date=counts["date"] / n,
        birth_date=births,
        coverage_date=counts["coverage"] / n,
        month=counts["month"] / n,
        money=counts["money"] / n,
        money_marked=counts["marked"] / n,
        small_int=counts["small_int"] / n,
        age=counts["age"] / n,
        score=counts["score"] / n,
        sex=counts["sex"] / n,
        name=counts["name"] / n,
        comma_name=counts["comma"] / n,
        code=counts["code"] / n,
    )


def _count_date(day: dt.date, year: int, counts: dict[str, int], birth_years: set[int]) -> None:
    counts["date"] += 1
    if 1900 <= day.year <= year and not (day.month == 1 and day.day == 1):
        counts["birth"] += 1
        birth_years.add(day.year)
    if year - 30 <= day.year <= year + 5 or day >= OPEN_ENDED_FROM:
        # "No end" placeholders first: 9999-12-31 + 1 day does not exist.
        if day >= OPEN_ENDED_FROM or day.day == 1 or (day + _DAY).day == 1:
            counts["coverage"] += 1


def _count_money(text: str, counts: dict[str, int]) -> None:
    counts["money"] += 1
    if _MONEY_MARK.search(text):
        counts["marked"] += 1
    number = text.lstrip("-+")
    if _DIGITS.fullmatch(text) is not None or number.isdigit():
        if len(number) <= 4:
            counts["small_int"] += 1
        if int(number) <= 150:
            counts["age"] += 1


def _count_shapes(text: str, day: dt.date | None, money: bool, counts: dict[str, int]) -> None:
    """The counts every value adds to, date or money or neither."""
    upper = text.upper()
    if _is_month(text):
        counts["month"] += 1
    if _SCORE.fullmatch(text):
        counts["score"] += 1
    if npi_valid(text):
        counts["npi"] += 1
    if day is None and _ALNUM_ID.fullmatch(upper) and any(c.isdigit() for c in upper):
        if not re.fullmatch(r"[0-9]{1,4}(?:\.[0-9]+)?", text) and "." not in text:
            counts["member_id"] += 1
    sex = text.lower() in _SEX
    if sex:
        counts["sex"] += 1
    if _NAME.fullmatch(text) and len(text) > 1 and not sex:
        counts["name"] += 1
        if "," in text:
            counts["comma"] += 1
    if len(text) <= 16 and day is None and not money:
        counts["code"] += 1


def _member_id_fit(p: ColumnProfile) -> float:
    fit = p.member_id * (1 - 0.9 * p.npi) * (1 - 0.8 * p.date)
    return min(1.0, fit * (0.75 + 0.25 * p.distinct) + 0.05)


def _money_fit(p: ColumnProfile) -> float:
    fit = p.money * (0.7 + 0.3 * p.money_marked)
    return fit * (0.7 if p.small_int > 0.95 and p.money_marked < 0.05 else 1.0)


#: how well a column's values suit each kind of values a field holds
_FITS: dict[str, Callable[[ColumnProfile], float]] = {
    "member_id": _member_id_fit,
    "provider": lambda p: max(0.5, p.npi),
    "birth_date": lambda p: p.birth_date * (1 - 0.5 * max(0.0, p.coverage_date - p.birth_date)),
    "coverage_date": lambda p: (
        p.date * (0.5 + 0.5 * p.coverage_date) * (1 - 0.5 * max(0.0, p.birth_date - 0.5))
    ),
    "month": lambda p: p.month,
    "money": _money_fit,
    "age": lambda p: p.age,
    "score": lambda p: max(p.score, 0.6 * p.money),
    "sex": lambda p: p.sex,
    "name": lambda p: p.name * (1 - 0.5 * p.comma_name),
    "full_name": lambda p: p.name * (0.7 + 0.3 * p.comma_name),
    "code": lambda p: 0.3 + 0.7 * p.code * (1 - p.date),
}


def value_fit(kind_of_values: str, p: ColumnProfile) -> float:
    """0..1: how well a column's values suit a field holding ``kind_of_values``; 0.6 for a
    column without values in the sample (a blank term-date column is normal)."""
    if p.count == 0:
        return 0.6
    fit = _FITS.get(kind_of_values)
    return 0.8 if fit is None else fit(p)  # no fit: free text
