"""What the ``pmpm`` commands share: argument types, the options many commands take (with
their help), and the plain-text table the listing commands print."""

from __future__ import annotations

import argparse
import datetime as dt
from collections.abc import Callable, Sequence
from decimal import Decimal
from enum import StrEnum
from typing import TYPE_CHECKING, TypeAlias, TypeVar

from pmpm_desktop.core.money import format_money
from pmpm_desktop.core.month import Month
from pmpm_desktop.errors import UsageError

if TYPE_CHECKING:  # argparse's class is generic only in its stubs
    Subparsers: TypeAlias = argparse._SubParsersAction[argparse.ArgumentParser]

E = TypeVar("E", bound=StrEnum)

PAYER_HELP = "the payer's code, e.g. SUN (`pmpm payer list` shows them)"
JSON_HELP = "print JSON instead of a table"
MONTH_HELP = "the month, as YYYY-MM (e.g. 2026-03)"
FROM_HELP = "the first month of the range, as YYYY-MM (included)"
TO_HELP = "the last month of the range, as YYYY-MM (included)"


def month(text: str) -> Month:
    try:
        return Month.parse(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"not a month (expected YYYY-MM): {text!r}") from None


def date(text: str) -> dt.date:
    from pmpm_desktop.io.values import parse_date

    try:
        value = parse_date(text)
    except ValueError as exc:
        raise argparse.ArgumentTypeError(str(exc)) from None
    if value is None:
        raise argparse.ArgumentTypeError("a date is required")
    return value


def amount(text: str) -> Decimal:
    """An amount typed on the command line, read as the files' amounts are."""
    from pmpm_desktop.errors import InputRejected
    from pmpm_desktop.services.importing import parse_stated_total

    try:
        value = parse_stated_total(text)
    except InputRejected as exc:
        raise argparse.ArgumentTypeError(str(exc)) from None
    if value is None:
        raise argparse.ArgumentTypeError("an amount is required")
    return value


def one_of(words: Sequence[E]) -> Callable[[str], E]:
    """An argument type taking one of ``words`` (any case) as its enum member."""
    by_word = {str(w): w for w in words}

    def parse(text: str) -> E:
        found = by_word.get(text.strip().lower())
        if found is None:
            raise argparse.ArgumentTypeError(f"{text!r} is not one of: {', '.join(by_word)}")
        return found

    return parse


def enum_option(
    sp: argparse.ArgumentParser,
    flag: str,
    words: Sequence[E],
    text: str,
    **kwargs: object,
) -> None:
    """``flag`` taking one of ``words``, listed in ``--help`` and parsed to the enum."""
    sp.add_argument(
        flag,
        type=one_of(words),
        metavar="{" + ",".join(str(w) for w in words) + "}",
        help=text,
        **kwargs,  # type: ignore[arg-type]
    )


def pairs(option: str, given: Sequence[str] | None, shape: str) -> dict[str, str] | None:
    """``NAME=VALUE`` pairs as a dict (the value may hold ``=``); UsageError naming ``option``
    and the ``shape`` expected otherwise."""
    if not given:
        return None
    out: dict[str, str] = {}
    for pair in given:
        name, sep, value = pair.partition("=")
        if not sep or not name.strip() or not value.strip():
            raise UsageError(f"{option} expects {shape}, got {pair!r}")
        out[name.strip()] = value.strip()
    return out


def add_payer(
    sp: argparse.ArgumentParser, text: str = PAYER_HELP, *, required: bool = True
) -> None:
    sp.add_argument("--payer", required=required, metavar="CODE", help=text)


def add_json(sp: argparse.ArgumentParser, text: str = JSON_HELP) -> None:
    sp.add_argument("--json", action="store_true", help=text)


def add_range(sp: argparse.ArgumentParser) -> None:
    """``--from YYYY-MM --to YYYY-MM`` (stored as ``start`` and ``end``)."""
    sp.add_argument(
        "--from", dest="start", required=True, type=month, metavar="YYYY-MM", help=FROM_HELP
    )
    sp.add_argument("--to", dest="end", required=True, type=month, metavar="YYYY-MM", help=TO_HELP)


def add_month(sp: argparse.ArgumentParser, text: str = MONTH_HELP) -> None:
    sp.add_argument("--month", required=True, type=month, metavar="YYYY-MM", help=text)


def money(value: Decimal) -> str:
    return format_money(value)


def months_text(months: Sequence[Month]) -> str:
    """``2026-03``, ``2026-01 to 2026-03`` (a run) or ``2026-01, 2026-03``."""
    if not months:
        return ""
    if len(months) == 1:
        return str(months[0])
    if months[0].months_until(months[-1]) == len(months) - 1:
        return f"{months[0]} to {months[-1]}"
    return ", ".join(str(m) for m in months)


def print_table(headers: Sequence[str], rows: Sequence[Sequence[object]], right: set[int]) -> None:
    """A header line, a rule, then the rows; columns in ``right`` right-aligned (numbers)."""
    cells = [[str(h) for h in headers]] + [[("" if c is None else str(c)) for c in r] for r in rows]
    widths = [max(len(r[i]) for r in cells) for i in range(len(headers))]
    for n, r in enumerate(cells):
        print(
            "  ".join(
                c.rjust(w) if i in right else c.ljust(w)
                for i, (c, w) in enumerate(zip(r, widths, strict=True))
            ).rstrip()
        )
        if n == 0:
            print("  ".join("-" * w for w in widths))
