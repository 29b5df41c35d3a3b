"""Money: ``Decimal`` with two places, rounded half-up; integer cents in bulk computations."""

from __future__ import annotations

from decimal import ROUND_HALF_UP, Decimal, InvalidOperation
from functools import lru_cache

CENT = Decimal("0.01")
ZERO = Decimal("0.00")


def round_money(value: Decimal) -> Decimal:
    """Round half-up (away from zero on .5) to cents, as SPEC §4 requires."""
    return value.quantize(CENT, rounding=ROUND_HALF_UP)


def to_money(value: Decimal | int | str) -> Decimal:
    """A money value from a Decimal, int or decimal text; floats are refused on purpose."""
    if isinstance(value, float):
        raise TypeError("money must not come from a float")
    try:
        return round_money(Decimal(value))
    except InvalidOperation as exc:
        raise ValueError(f"not an amount: {value!r}") from exc


@lru_cache(maxsize=65536)
def cents_to_money(cents: int) -> Decimal:
    """Integer cents (as the bulk engine computes them) to a two-place Decimal.

    Cached: a reconciliation turns ~100k amounts into Decimals, and they repeat (rates do).
    """
    return Decimal(int(cents)).scaleb(-2).quantize(CENT)


def money_to_cents(value: Decimal) -> int:
    """A two-place Decimal to integer cents (exact: the value is rounded to cents first)."""
    return int(round_money(value).scaleb(2))


def format_money(value: Decimal) -> str:
    """Two decimals, no grouping: the form the CLI's JSON uses."""
    return f"{round_money(value):.2f}"


def dollars_text(value: Decimal) -> str:
    """``$1,234.56`` / ``-$12.00``: an amount in a sentence for a clerk."""
    return f"-${-value:,.2f}" if value < 0 else f"${value:,.2f}"


def div_round_half_up(numerator: int, denominator: int) -> int:
    """numerator / denominator rounded half away from zero, in exact integer arithmetic."""
    if denominator <= 0:
        raise ValueError("denominator must be positive")
    q, r = divmod(abs(numerator), denominator)
    if 2 * r >= denominator:
        q += 1
    return q if numerator >= 0 else -q
