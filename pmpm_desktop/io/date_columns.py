"""Day/month order of a date column, decided from the whole column (SPEC §6 "dates").

``31.01.2026`` can only be day first and ``01/31/2026`` only month first; ``01/02/2026`` is
either. A column's order is what its unambiguous values say (the majority when they disagree;
the rows that contradict it are refused, each with its row number). When every value could be
either, the separator decides: dots are day first (European), slashes and dashes month first
(US payers), and the decision says so. ``ReadOptions.day_first`` overrides all of this.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass

import polars as pl

from pmpm_desktop.core.month import Month
from pmpm_desktop.io.options import DecisionKind, ReadDecision
from pmpm_desktop.io.values import OPEN_ENDED_FROM, Raw, parse_date, parse_month

# First part, separator, second part, year, as io.values reads "D/M/Y or M/D/Y" text.
_DMY = r"^\s*([0-9]{1,2})([-/.])([0-9]{1,2})[-/.](?:[0-9]{4}|[0-9]{2})(?:[ T].*)?$"
_DMY_TEXT = re.compile(_DMY)
_MONTH_NAMES = (
    "January February March April May June July August September October November December"
).split()
#: the first month of "no end" placeholders (OPEN_ENDED_FROM's month), for month fields
OPEN_ENDED_MONTH = Month.of(OPEN_ENDED_FROM)


@dataclass(frozen=True)
class DateOrder:
    """How a column's ``01/02/2026`` reads: ``day_first`` (None: the column has no such value,
    each is read as :func:`io.values.day_first_reading` says); ``decision`` to show."""

    day_first: bool | None
    decision: ReadDecision | None = None

    def parser(self, parse: Callable[[Raw, bool | None], object]) -> Callable[[str], object]:
        """``parse`` (parse_date or parse_month) with this order; a value that can only be
        read the other way is refused with a reason that says so."""
        day_first = self.day_first

        def read(text: str) -> object:
            if day_first is not None and _contradicts(text, day_first):
                raise ValueError(
                    f"can only be read {_order(not day_first)}, but this column's dates are "
                    f"read {_order(day_first)}"
                )
            return parse(text, day_first)

        return read

    def dates(self) -> Callable[[str], object]:
        return self.parser(parse_date)

    def months(self) -> Callable[[str], object]:
        def month_text(text: Raw, day_first: bool | None) -> str | None:
            month = parse_month(text, day_first)
            return None if month is None else str(month)

        return self.parser(month_text)


def _order(day_first: bool) -> str:
    return "day first" if day_first else "month first"


def _parts(text: str) -> tuple[int, str, int] | None:
    m = _DMY_TEXT.match(text)
    return (int(m[1]), m[2], int(m[3])) if m else None


def _contradicts(text: str, day_first: bool) -> bool:
    parts = _parts(text)
    if parts is None:
        return False
    first, _, second = parts
    only_day_first = first > 12 >= second
    only_month_first = second > 12 >= first
    return only_month_first if day_first else only_day_first


def decide_order(header: str, raw: pl.Series, given: bool | None) -> DateOrder:
    """The order of column ``header`` (its cell texts ``raw``); ``given`` wins."""
    if given is not None:
        return DateOrder(given)
    text = raw.drop_nulls().str.strip_chars()
    parts = (
        pl.DataFrame({"text": text})
        .with_columns(
            pl.col("text")
            .str.extract_groups(_DMY)
            .struct.rename_fields(["first", "separator", "second"])
            .alias("parts")
        )
        .unnest("parts")
        .drop_nulls()
        .with_columns(pl.col("first", "second").cast(pl.Int32))
    )
    if parts.height == 0:
        return DateOrder(None)
    first, second = pl.col("first"), pl.col("second")
    day = parts.filter((first > 12) & (second <= 12)).height
    month = parts.filter((second > 12) & (first <= 12)).height
    if day != month:
        day_first = day > month
        against = min(day, month)
        if day_first or against:
            return DateOrder(day_first, _evidence(header, day_first, max(day, month), against))
        return DateOrder(False)  # month first as US payers write, nothing against it
    either = parts.filter((first <= 12) & (second <= 12))
    if either.height == 0:
        if day == 0:
            return DateOrder(None)  # no valid d/m/y value: each is refused for its own reason
        either = parts  # a tie: the separator decides, and the other side is refused
    separator = str(either["separator"].value_counts(sort=True)["separator"][0])
    day_first = separator == "."
    example = str(either.filter(pl.col("separator") == separator)["text"][0])
    return DateOrder(day_first, _guess(header, day_first, separator, example, tie=day > 0))


def _evidence(header: str, day_first: bool, count: int, against: int) -> ReadDecision:
    example = "31.01.2026 is 31 January 2026" if day_first else "01/31/2026 is January 31, 2026"
    text = (
        f"dates in column {header!r} are read {_order(day_first)} ({example}): {count} "
        f"date(s) can only be read that way"
    )
    if against:
        text += f"; {against} date(s) that can only be read {_order(not day_first)} are refused"
    return ReadDecision(DecisionKind.DATE_ORDER, text, column=header)


def _guess(
    header: str, day_first: bool, separator: str, example: str, *, tie: bool
) -> ReadDecision:
    why = {
        ".": "they are written with dots, as in Europe",
        "/": "they are written with slashes, as US payers do",
        "-": "they are written with dashes, read as US payers write them",
    }[separator]
    reading = _reading(example, day_first)
    either = (
        "as many dates can only be read day first as month first"
        if tie
        else "every date could be read either way"
    )
    text = f"dates in column {header!r} are read {_order(day_first)}: {either}, and {why}"
    if reading:
        text += f" ({example} is {reading})"
    return ReadDecision(DecisionKind.DATE_ORDER, text, column=header)


def _reading(example: str, day_first: bool) -> str:
    try:
        day = parse_date(example, day_first)
    except ValueError:
        return ""
    if day is None:
        return ""
    month = _MONTH_NAMES[day.month - 1]
    return f"{day.day} {month} {day.year}" if day_first else f"{month} {day.day}, {day.year}"


def far_ends(values: pl.Series) -> pl.Series:
    """Where ``values`` (dates, or ``YYYY-MM`` months as text) are "no end" placeholders:
    9999-12-31, 2099-12-31, 2078-12-31, Excel's largest date, anything from 2078-12-31 on."""
    if values.dtype == pl.Date:
        far = values >= OPEN_ENDED_FROM
    else:
        far = values >= str(OPEN_ENDED_MONTH)
    return far.fill_null(False)


def open_ended_decision(column: str, values: pl.Series, far: pl.Series) -> ReadDecision:
    """The decision that ``far`` rows of ``column`` were read as having no end."""
    shown = ", ".join(sorted({str(v) for v in values.filter(far).unique()})[:3])
    return ReadDecision(
        DecisionKind.OPEN_ENDED,
        f"column {column!r}: {int(far.sum())} row(s) with {shown} (from {OPEN_ENDED_FROM} on) "
        "are read as having no end",
        column=column,
    )
