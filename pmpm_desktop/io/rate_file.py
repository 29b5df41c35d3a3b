"""Read a contract's rate exhibit into canonical columns (SPEC §2, §4)."""

from __future__ import annotations

from pathlib import Path

import polars as pl

from pmpm_desktop.core.rates import normalize_component
from pmpm_desktop.io.options import FileKind, ReadOptions
from pmpm_desktop.io.parsed import Columns, ParsedFile, read_raw
from pmpm_desktop.io.sheets import per_sheet
from pmpm_desktop.io.table import RawTable
from pmpm_desktop.io.values import parse_int, parse_text

BASE_COMPONENT = "capitation"
_ANY_SEX = {"any", "all", "both", "b", "a", "*"}


def rate_sex(text: str) -> str | None:
    """M or F; a blank, ``Any`` or ``All`` rate row matches either sex (null)."""
    value = text.strip()
    if not value or value.lower() in _ANY_SEX:
        return None
    sex = {"m": "M", "male": "M", "f": "F", "female": "F"}.get(value.lower())
    if sex is None:
        raise ValueError("not a sex for a rate row (expected M, F, or blank/Any for either)")
    return sex


def age(text: str) -> int | None:
    years = parse_int(text)
    if years is not None and not 0 <= years <= 150:
        raise ValueError("not an age in years (expected 0 to 150)")
    return years


def component(text: str) -> str:
    return normalize_component(text) or BASE_COMPONENT


def read_rates(
    path: Path,
    *,
    options: ReadOptions | None = None,
    mapping: dict[str, str] | None = None,
    sheet: str | None = None,
    header_row: int | None = None,
    table: RawTable | None = None,
) -> ParsedFile:
    """Read and validate a rate exhibit.

    Columns: effective_from ('YYYY-MM'), effective_to ('YYYY-MM' or null), component
    (normalized; 'capitation' when absent or blank), rate_cell, sex ('M'/'F'/null), age_min,
    age_max (Int64), amount_cents (Int64), source_row. Overlaps between rows are the core's
    business (core.rates.validate_rate_rows).
    """
    raw = (
        table
        if table is not None
        else read_raw(path, FileKind.RATES, sheet=sheet, header_row=header_row)
    )
    if raw.siblings:
        return per_sheet(raw, lambda t: read_rates(path, options=options, mapping=mapping, table=t))
    cols = Columns.open(raw, FileKind.RATES, mapping, options)
    cols.drop_footers("amount")

    start = cols.months("effective_from")
    cols.require("effective_from", "effective from")
    cols.refuse_far("effective_from", start, "effective from month")
    end = cols.open_ended("effective_to", cols.months("effective_to"))
    amount = cols.amounts("amount").alias("amount_cents")
    cols.require("amount", "amount")
    age_min = cols.parse("age_min", age, pl.Int64)
    age_max = cols.parse("age_max", age, pl.Int64)
    ranges = pl.DataFrame([start, end, age_min, age_max])
    cols.row_problem(
        (end < start).fill_null(False),
        "effective_to",
        lambda r: (
            f"effective to {r['effective_to']} is before effective from {r['effective_from']}"
        ),
        ranges,
    )
    cols.row_problem(
        (age_min > age_max).fill_null(False),
        "age_max",
        lambda r: f"age max {r['age_max']} is below age min {r['age_min']}",
        ranges,
    )
    return cols.finish(
        [
            start,
            end,
            cols.parse("component", component, pl.String).fill_null(BASE_COMPONENT),
            cols.parse("rate_cell", parse_text, pl.String),
            cols.parse("sex", rate_sex, pl.String),
            age_min,
            age_max,
            amount,
        ]
    )
