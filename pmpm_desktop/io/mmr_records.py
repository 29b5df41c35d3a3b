"""The records of an MMR detail file, sliced, checked and spread over the months they pay for
(the reader in :mod:`io.mmr` turns them into the payment detail and the roster).

A line that is no detail record (too short, no contract number, no payment month or run date)
makes the file unreadable: FileReadError names the line and its columns. A record whose
amount, dates or month count cannot be spread over months is a row problem of its line.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from dataclasses import dataclass, field

import polars as pl

from pmpm_desktop.core.month import Month
from pmpm_desktop.io.mmr_layout import (
    ARC,
    BENEFICIARY_ID,
    BIRTH_DATE,
    CONTRACT,
    CONTRACT_NUMBER,
    END_DATE,
    FIRST_INITIAL,
    MONTHS_A,
    MONTHS_B,
    MONTHS_D,
    PAYMENT_DATE,
    PBP,
    PCUG_AMOUNT,
    PCUG_FACTOR,
    RAF_A,
    RECORD_LENGTH,
    RETRO_DISENROLLMENT,
    RUN_DATE,
    SEX,
    START_DATE,
    SURNAME,
    MmrField,
    months_field,
)
from pmpm_desktop.io.options import DecisionKind, ReadDecision
from pmpm_desktop.io.parsed import RowProblem
from pmpm_desktop.io.read_errors import FileReadError
from pmpm_desktop.io.values import parse_date

_TEXT = (CONTRACT, RUN_DATE, PAYMENT_DATE, BENEFICIARY_ID, SURNAME, FIRST_INITIAL, SEX)
_SLICED = (*_TEXT, BIRTH_DATE, RAF_A, MONTHS_A, MONTHS_B, MONTHS_D, ARC, START_DATE, END_DATE, PBP)
# The fields every record must hold (a line trimmed before them is cut, not blank-trimmed).
_NEEDED = (BIRTH_DATE, RAF_A, MONTHS_A, MONTHS_B, ARC, START_DATE, END_DATE, PBP)
_COLUMN = {
    CONTRACT: "contract",
    RUN_DATE: "run",
    PAYMENT_DATE: "paid_for",
    BENEFICIARY_ID: "mbi",
    SURNAME: "surname",
    FIRST_INITIAL: "initial",
    SEX: "sex",
    BIRTH_DATE: "dob",
    RAF_A: "raf",
    MONTHS_A: "months_a",
    MONTHS_B: "months_b",
    MONTHS_D: "months_d",
    ARC: "arc",
    START_DATE: "start",
    END_DATE: "end",
    PBP: "pbp",
}
# Social Security's sex codes, which some CMS files use in place of M and F.
_SEX_CODES = {"1": "M", "2": "F", "0": "U"}


@dataclass
class Records:
    """An MMR's records (``records``: one row per line) and their months (``lines``: one row
    per record and month paid or adjusted, ``cents`` that month's share)."""

    records: pl.DataFrame
    lines: pl.DataFrame
    payment_months: set[Month]
    contracts: list[str]
    run_date: dt.date
    problems: list[RowProblem] = field(default_factory=list)
    decisions: list[ReadDecision] = field(default_factory=list)
    roster_problems: list[RowProblem] = field(default_factory=list)
    roster_decisions: list[ReadDecision] = field(default_factory=list)


def read_records(file_name: str, lines: Sequence[str], amounts: tuple[MmrField, ...]) -> Records:
    """The detail records of ``lines`` (a file's lines, numbered from 1) with ``amounts``
    summed as each record's amount."""
    numbers = [i for i, line in enumerate(lines, start=1) if line.strip()]
    if not numbers:
        raise FileReadError(f"{file_name} has no MMR detail records (every line is blank)")
    texts = pl.Series("text", [lines[i - 1] for i in numbers], dtype=pl.String)
    frame = pl.DataFrame({"line": numbers, "text": texts})
    decisions = [*_blank_lines(len(lines) - len(numbers), lines, numbers)]
    decisions += _check_lengths(frame, amounts)
    frame = frame.with_columns(
        *(_slice(f).str.strip_chars().alias(_COLUMN[f]) for f in _SLICED),
        *(_slice(f).alias(f"amount{i}") for i, f in enumerate(amounts)),
    ).drop("text")
    _check_structure(frame)
    records = Records(
        records=frame,
        lines=pl.DataFrame(),
        payment_months={Month(int(t[:4]), int(t[4:])) for t in frame["paid_for"].unique()},
        contracts=sorted(frame["contract"].unique().to_list()),
        run_date=max(dt.date(int(t[:4]), int(t[4:6]), int(t[6:])) for t in frame["run"].unique()),
        decisions=decisions,
    )
    _amounts(records, amounts)
    _periods(records, amounts)
    _spread(records, amounts)
    _roster_values(records)
    return records


def _slice(f: MmrField) -> pl.Expr:
    return pl.col("text").str.slice(f.start - 1, f.length)


def _blank_lines(count: int, lines: Sequence[str], numbers: list[int]) -> list[ReadDecision]:
    if not count:
        return []
    kept = set(numbers)
    rows = tuple(i for i in range(1, len(lines) + 1) if i not in kept)
    return [ReadDecision(DecisionKind.SKIPPED, f"{count} blank line(s): skipped", rows)]


def _check_lengths(frame: pl.DataFrame, amounts: tuple[MmrField, ...]) -> list[ReadDecision]:
    """FileReadError for a line too short to hold the fields read; a decision for lines
    shorter than the record (their trailing blanks trimmed on the way)."""
    read = (*_NEEDED, *amounts, *(months_field(f.name) for f in amounts))
    last = max(read, key=lambda f: f.end)
    lengths = frame["text"].str.len_chars()
    short = frame.filter(lengths < last.end)
    if short.height:
        line, text = short.row(0)
        raise FileReadError(
            f"line {line} is {len(text)} characters long; the MMR detail record is "
            f"{RECORD_LENGTH} ({last.name} is at columns {last.columns})"
        )
    trimmed = frame.filter(lengths < RECORD_LENGTH)["line"].to_list()
    if not trimmed:
        return []
    return [
        ReadDecision(
            DecisionKind.VALUE,
            f"{len(trimmed)} record(s) are shorter than the {RECORD_LENGTH} characters of the "
            "record (trailing blanks trimmed): their missing columns read as blank",
            tuple(trimmed),
        )
    ]


def _check_structure(frame: pl.DataFrame) -> None:
    """FileReadError for the first line whose contract, payment month or run date is not one:
    such a line is no MMR detail record."""
    checks = (
        (CONTRACT, pl.col("contract").str.contains(CONTRACT_NUMBER.pattern), "a contract number"),
        (PAYMENT_DATE, _day(pl.col("paid_for") + "01").is_not_null(), "a payment month (YYYYMM)"),
        (RUN_DATE, _day(pl.col("run")).is_not_null(), "a run date (YYYYMMDD)"),
    )
    for f, good, what in checks:
        bad = frame.filter(~good.fill_null(False))
        if bad.height:
            line, value = bad["line"][0], bad[_COLUMN[f]][0]
            raise FileReadError(
                f"line {line} is not an MMR detail record: columns {f.columns} ({f.name}) hold "
                f"{value!r}, not {what}"
            )


def _day(text: pl.Expr) -> pl.Expr:
    return text.str.strptime(pl.Date, "%Y%m%d", strict=False)


def _amounts(records: Records, amounts: tuple[MmrField, ...]) -> None:
    """Each record's amount in ``cents``: the sum of ``amounts``, as the PCUG writes them
    (a minus, digits, a point, two decimals); blank reads as 0.00."""
    frame = records.records
    total = pl.lit(0, dtype=pl.Int64)
    for i, f in enumerate(amounts):
        text = pl.col(f"amount{i}")
        # Two decimals after the point (checked below): without the point and the blanks,
        # the digits are the cents.
        signed = text.str.replace_all(r"[ .]", "").cast(pl.Int64, strict=False)
        blank = text.str.strip_chars() == ""
        bad = frame.filter(~blank & ~text.str.contains(PCUG_AMOUNT))
        for line, value in bad.select("line", f"amount{i}").iter_rows():
            records.problems.append(
                RowProblem(
                    line,
                    f.name,
                    value.strip(),
                    "not an amount as the MMR writes it (a minus sign for a negative, digits, "
                    "a point and two decimals)",
                )
            )
        blanks = frame.filter(blank)["line"].to_list()
        if blanks:
            records.decisions.append(
                ReadDecision(
                    DecisionKind.AMOUNT_STYLE,
                    f"{len(blanks)} record(s) have a blank {f.name}: read as 0.00",
                    tuple(blanks),
                    f.name,
                )
            )
        total = total + pl.when(blank).then(0).otherwise(signed.fill_null(0))
    records.records = frame.with_columns(total.alias("cents"))


def _periods(records: Records, amounts: tuple[MmrField, ...]) -> None:
    """Each record's period (``first`` and ``months``), checked against its dates and its
    month counts; a record that cannot be spread over months is a problem, ``ok`` false."""
    frame = records.records.with_columns(
        _day(pl.col("start")).alias("start_day"), _day(pl.col("end")).alias("end_day")
    )
    for f, column in ((START_DATE, "start"), (END_DATE, "end")):
        for line, value in (
            frame.filter(pl.col(f"{column}_day").is_null()).select("line", column).iter_rows()
        ):
            records.problems.append(RowProblem(line, f.name, value.strip(), _date_reason(value)))
    first = pl.col("start_day").dt.year() * 12 + pl.col("start_day").dt.month() - 1
    last = pl.col("end_day").dt.year() * 12 + pl.col("end_day").dt.month() - 1
    frame = frame.with_columns(first.alias("first"), (last - first + 1).alias("months"))
    problems = records.problems
    for line, start, end in (
        frame.filter(pl.col("months") < 1).select("line", "start_day", "end_day").iter_rows()
    ):
        problems.append(
            RowProblem(
                line,
                END_DATE.name,
                end.strftime("%Y%m%d"),
                f"the record ends on {end} before it starts on {start}",
            )
        )
    counts = [months_field(f.name) for f in amounts]
    parts: list[tuple[MmrField, ...]] = [(MONTHS_A, MONTHS_B)] if MONTHS_A in counts else []
    parts += [(MONTHS_D,)] if MONTHS_D in counts else []
    for fields in parts:
        said = pl.max_horizontal(
            *(pl.col(_COLUMN[f]).str.strip_chars().cast(pl.Int64, strict=False) for f in fields)
        )
        wrong = frame.filter((said > 0) & (said != pl.col("months"))).with_columns(said.alias("s"))
        for line, start, end, months, s in wrong.select(
            "line", "start_day", "end_day", "months", "s"
        ).iter_rows():
            names = " and ".join(f.name for f in fields)
            problems.append(
                RowProblem(
                    line,
                    fields[0].name,
                    str(s),
                    f"the record covers {Month.of(start)} to {Month.of(end)} ({months} months) "
                    f"but its {names} say {s}: the amount of each month is not known",
                )
            )
    for (line,) in (
        frame.filter((pl.col("arc") == RETRO_DISENROLLMENT) & (pl.col("cents") > 0))
        .select("line")
        .iter_rows()
    ):
        problems.append(
            RowProblem(
                line,
                ARC.name,
                RETRO_DISENROLLMENT,
                "a retroactive disenrollment takes money back, but the record's amount is "
                "positive: which way it goes is not known",
            )
        )
    bad = {p.row for p in problems}
    records.records = frame.with_columns(
        (~pl.col("line").is_in(list(bad))).alias("ok"),
        pl.col("start_day").dt.strftime("%Y-%m").alias("start_month"),
        pl.format(
            "{}-{}", pl.col("paid_for").str.slice(0, 4), pl.col("paid_for").str.slice(4, 2)
        ).alias("payment_month"),
    )


def _date_reason(text: str) -> str:
    try:
        parse_date(text)
    except ValueError as exc:
        return str(exc)
    return "blank: the record has no date here"


def _spread(records: Records, amounts: tuple[MmrField, ...]) -> None:
    """One line per record and month; a record's cents are spread evenly over its months, the
    cents left over going one each to the earliest months (the months sum to the record)."""
    ok = records.records.filter(pl.col("ok"))
    exploded = ok.with_columns(pl.int_ranges(0, pl.col("months")).alias("k")).explode("k")
    size = pl.col("cents").abs()
    share = size // pl.col("months") + (pl.col("k") < size % pl.col("months")).cast(pl.Int64)
    signed = pl.when(pl.col("cents") < 0).then(-share).otherwise(share)
    index = pl.col("first") + pl.col("k")
    records.lines = exploded.with_columns(signed.alias("cents")).select(
        "line",
        "mbi",
        "arc",
        "contract",
        "payment_month",
        "cents",
        index.alias("month"),
        _money_text(pl.col("cents")).alias("amount"),
        pl.when(pl.col("initial") == "")
        .then(pl.col("surname"))
        .otherwise(pl.format("{}, {}", pl.col("surname"), pl.col("initial")))
        .alias("member_name"),
    )
    # A file pays a few dozen months at most: each month's text is made once.
    names = {i: str(Month.from_index(i)) for i in records.lines["month"].unique().to_list()}
    records.lines = records.lines.with_columns(
        pl.col("month").replace_strict(names, return_dtype=pl.String)
    )
    spread = ok.filter(pl.col("months") > 1)
    if spread.height:
        what = " + ".join(f.name for f in amounts)
        records.decisions.append(
            ReadDecision(
                DecisionKind.VALUE,
                f"{spread.height} record(s) pay or adjust several months: each record's {what} "
                "(the amount of its whole period) was spread evenly over its months, a cent "
                "left over going to the earliest months",
                tuple(spread["line"].to_list()),
            )
        )


def _money_text(cents: pl.Expr) -> pl.Expr:
    """Cents as plain decimal text (``-1234.56``), in exact decimal arithmetic."""
    return (cents.cast(pl.Decimal(20, 2)) / 100).cast(pl.String)


def _roster_values(records: Records) -> None:
    """The roster's cells: trimmed names, sex (Social Security's 1/2/0 read as M/F/U), the
    product ``<contract>-<PBP>``; a RA factor not written as the PCUG does is a problem."""
    frame = records.records
    bad_raf = frame.filter(
        (pl.col("raf").str.strip_chars() != "") & ~pl.col("raf").str.contains(PCUG_FACTOR)
    )
    for line, value in bad_raf.select("line", "raf").iter_rows():
        records.roster_problems.append(
            RowProblem(
                line,
                RAF_A.name,
                value.strip(),
                "not a factor as the MMR writes it (digits, a point and four decimals)",
            )
        )
    digits = frame.filter(pl.col("sex").is_in(list(_SEX_CODES)))
    if digits.height:
        records.roster_decisions.append(
            ReadDecision(
                DecisionKind.VALUE,
                f"sex written as Social Security codes on {digits.height} record(s): "
                "1 read as M, 2 as F, 0 as U",
                tuple(digits["line"].to_list()),
                SEX.name,
            )
        )
    pbp = pl.col("pbp")
    records.records = frame.with_columns(
        pl.col("sex").replace(_SEX_CODES),
        pl.when(pbp == "")
        .then(pl.col("contract"))
        .otherwise(pl.format("{}-{}", pl.col("contract"), pbp))
        .alias("product"),
        (pl.col("ok") & ~pl.col("line").is_in(bad_raf["line"].to_list())).alias("roster_ok"),
    )
