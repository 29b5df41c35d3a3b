"""Decimal comma or decimal point: decided once per file from the values of its number columns
(amounts, risk scores, rates), never guessed cell by cell (SPEC §6 "amount styles").

``165,00`` or ``1.234,56`` can only be written with a decimal comma; ``165.50`` or
``1,234.56`` only with a decimal point; ``1,234`` and ``1.234`` (three digits after the only
separator) either way. A file whose values say both, or say nothing while some value needs
the answer, is not read until the user says which (``--decimal comma|point``, or the wizard's
question).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from enum import StrEnum

import polars as pl

from pmpm_desktop.io.options import DecisionKind, ReadDecision
from pmpm_desktop.io.values import NumberStyle

# Classification looks at the digits and separators only: signs, currency, CR/DR, spaces and
# parentheses go first.
_NOISE = r"(?i)cr|dr|[\s$€£()+\-'\u00a0\u202f]"
_AMBIGUOUS = r"^[1-9][0-9]{0,2}[.,][0-9]{3}$"
_COMMA = r"^(?:(?:[0-9]+|[0-9]{1,3}(?:\.[0-9]{3})+)?,[0-9]+|[0-9]{1,3}(?:\.[0-9]{3}){2,})$"
_POINT = r"^(?:(?:[0-9]+|[0-9]{1,3}(?:,[0-9]{3})+)?\.[0-9]+|[0-9]{1,3}(?:,[0-9]{3}){2,})$"
# A thousands group never starts a number with 0, so 0,123 / 0.123 are decimals.
_EXAMPLES = 3


class Separator(StrEnum):
    """What one value says about the file's decimal separator."""

    COMMA = "comma"
    POINT = "point"
    EITHER = "either"  # 1,234 or 1.234


@dataclass(frozen=True)
class DecimalQuestion:
    """The question the wizard asks when the file cannot say: ``column`` as written in the
    file, ``examples`` of its values that need the answer; ``conflict`` when the file has
    values of both styles (else only values that read either way)."""

    column: str
    examples: tuple[str, ...]
    conflict: bool

    @property
    def text(self) -> str:
        """The question in a sentence."""
        example = self.examples[0] if self.examples else "1,234"
        if self.conflict:
            return (
                f"Column {self.column!r} has numbers written with a decimal comma and with a "
                f"decimal point (e.g. {example!r}). Which does this file use?"
            )
        return (
            f"In column {self.column!r}, is {example!r} "
            f"{_as_point(example)} (decimal point) or {_as_comma(example)} (decimal comma)?"
        )


@dataclass(frozen=True)
class DecimalChoice:
    """The file's decimal separator: ``style`` to read its numbers with; ``decided`` False when
    the file cannot say (then ``problem`` says how to decide and ``question`` is for the
    wizard); ``decision`` when the file's values decided it."""

    decimal_comma: bool
    decided: bool = True
    decision: ReadDecision | None = None
    problem: str | None = None
    question: DecimalQuestion | None = None

    def style(self, credit_is_payment: bool) -> NumberStyle:
        return NumberStyle(decimal_comma=self.decimal_comma, credit_is_payment=credit_is_payment)


def classify(raw: pl.Series, *, small: bool = False) -> pl.DataFrame:
    """Each distinct value with what it says (``separator``: comma, point, either or null) and
    how many rows hold it (``rows``). ``small``: the column's numbers are never in the
    thousands (risk scores), so ``1.234`` / ``1,234`` are decimals, not either."""
    counts = raw.drop_nulls().value_counts(name="rows")
    text = counts[raw.name].str.replace_all(_NOISE, "")
    either = text.str.contains(_AMBIGUOUS) & (not small)
    separator = (
        pl.when(either)
        .then(pl.lit(Separator.EITHER.value))
        .when(text.str.contains(_COMMA))
        .then(pl.lit(Separator.COMMA.value))
        .when(text.str.contains(_POINT))
        .then(pl.lit(Separator.POINT.value))
    )
    return counts.select(
        pl.col(raw.name).alias("value"), pl.col("rows"), separator.alias("separator")
    )


@dataclass(frozen=True)
class NumberColumn:
    """One number column of a file: its header as written, its cell texts, and whether its
    numbers are always below a thousand (risk scores)."""

    header: str
    cells: pl.Series
    small: bool = False


def decide(columns: Sequence[NumberColumn], given: bool | None) -> DecimalChoice:
    """The decimal separator of a file whose number columns are ``columns``; ``given`` (the
    user's or the payer's choice) wins."""
    if given is not None:
        if not given:
            return DecimalChoice(False)
        return DecimalChoice(
            True,
            decision=ReadDecision(
                DecisionKind.AMOUNT_STYLE,
                "numbers are read with a decimal comma (1.234,56 is 1234.56), as chosen "
                "for this import",
            ),
        )
    seen: dict[Separator, list[tuple[str, str, int]]] = {s: [] for s in Separator}
    for column in columns:
        found = classify(column.cells, small=column.small)
        found = found.filter(pl.col("separator").is_not_null()).sort("value")
        for value, rows, separator in found.iter_rows():
            seen[Separator(separator)].append((column.header, value, rows))
    comma, point, either = seen[Separator.COMMA], seen[Separator.POINT], seen[Separator.EITHER]
    if comma and point:
        return _undecided(comma, point)
    if comma or point:
        evidence = comma or point
        return DecimalChoice(bool(comma), decision=_decision(bool(comma), evidence, either))
    if either:
        return _undecided(either, None)
    return DecimalChoice(False)


def _decision(
    decimal_comma: bool, evidence: list[tuple[str, str, int]], either: list[tuple[str, str, int]]
) -> ReadDecision | None:
    header, value, _ = evidence[0]
    rows = sum(n for _, _, n in evidence)
    if decimal_comma:
        text = (
            f"numbers are read with a decimal comma (1.234,56 is 1234.56): {rows} value(s) "
            f"can only be read that way, e.g. {value!r} in column {header!r}"
        )
    elif either:
        text = f"numbers are read with a decimal point: e.g. {value!r} in column {header!r}"
    else:
        return None  # the usual style, with nothing that could be read another way
    if either:
        _, other, _ = either[0]
        reading = _as_comma(other) if decimal_comma else _as_point(other)
        text += f"; so {other!r} is read as {reading}"
    return ReadDecision(DecisionKind.AMOUNT_STYLE, text, column=header)


def _undecided(
    first: list[tuple[str, str, int]], second: list[tuple[str, str, int]] | None
) -> DecimalChoice:
    header, value, _ = first[0]
    if second is not None:
        other_header, other, _ = second[0]
        where = (
            f"column {header!r} holds"
            if other_header == header
            else f"columns {header!r} and {other_header!r} hold"
        )
        problem = (
            f"{where} numbers written with a decimal comma (e.g. {value!r}) and with a "
            f"decimal point (e.g. {other!r}); say which this file uses with "
            "--decimal comma or --decimal point"
        )
        examples: tuple[str, ...] = (value, other)
    else:
        problem = (
            f"column {header!r} holds numbers such as {value!r} that read as "
            f"{_as_point(value)} with a decimal point or {_as_comma(value)} with a decimal "
            "comma, and no value in the file says which; say which this file uses with "
            "--decimal comma or --decimal point"
        )
        examples = tuple(v for _, v, _ in first[:_EXAMPLES])
    return DecimalChoice(
        False,
        decided=False,
        problem=problem,
        question=DecimalQuestion(header, examples, conflict=second is not None),
    )


def _reading(value: str, decimal_comma: bool) -> str:
    """How an ``either`` value (``1,234`` / ``1.234``) reads in one style, written with a
    decimal point: ``1234`` or ``1.234``."""
    text = "".join(c for c in value if c.isdigit() or c in ".,")
    separator = "," if "," in text else "."
    whole, _, fraction = text.partition(separator)
    if (separator == ",") == decimal_comma:
        return f"{whole}.{fraction}"
    return f"{whole}{fraction}"


def _as_point(value: str) -> str:
    return _reading(value, decimal_comma=False)


def _as_comma(value: str) -> str:
    return _reading(value, decimal_comma=True)


def amount_marks(column: str, cells: pl.Series, credit_is_payment: bool) -> list[ReadDecision]:
    """What the amount style made of an amount column's CR/DR marks and trailing minus
    signs, as decisions to show (none when it has neither)."""
    cells = cells.drop_nulls()
    decisions: list[ReadDecision] = []
    counts = {
        "CR": int(cells.str.contains(r"(?i)^\s*cr|cr\s*$").sum()),
        "DR": int(cells.str.contains(r"(?i)^\s*dr|dr\s*$").sum()),
    }
    if counts["CR"] or counts["DR"]:
        paid, back = ("CR", "DR") if credit_is_payment else ("DR", "CR")
        decisions.append(
            ReadDecision(
                DecisionKind.AMOUNT_STYLE,
                f"column {column!r}: {counts[paid]} amount(s) marked {paid} are read as paid to "
                f"the practice (+) and {counts[back]} marked {back} as taken back (−), as this "
                "payer's setting says",
                column=column,
            )
        )
    trailing = int(cells.str.contains(r"[0-9]\s*-\s*$").sum())
    if trailing:
        decisions.append(
            ReadDecision(
                DecisionKind.AMOUNT_STYLE,
                f"column {column!r}: {trailing} amount(s) with a minus sign after the number "
                "(165.00-) are read as negative",
                column=column,
            )
        )
    return decisions
