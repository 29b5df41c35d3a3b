"""Read a payer's monthly roster into canonical columns (SPEC §2, §3, §6)."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from pathlib import Path
from typing import Any

import polars as pl

from pmpm_desktop.core.month import Month
from pmpm_desktop.io.layout import resolve_product
from pmpm_desktop.io.options import FileKind, ReadOptions
from pmpm_desktop.io.parsed import Columns, ParsedFile, RowProblem, read_raw
from pmpm_desktop.io.sheets import per_sheet
from pmpm_desktop.io.table import SOURCE_ROW, RawTable
from pmpm_desktop.io.values import (
    NumberStyle,
    member_id_shortcut,
    parse_decimal,
    parse_member_id,
    parse_sex,
    parse_text,
    scaled_shortcut,
    split_full_name,
)

ROSTER_SCHEMA: dict[str, pl.DataType | type[pl.DataType]] = {
    "member_id": pl.String,
    "last_name": pl.String,
    "first_name": pl.String,
    "dob": pl.Date,
    "sex": pl.String,
    "product": pl.String,
    "rate_cell": pl.String,
    "pcp": pl.String,
    "effective_date": pl.Date,
    "term_date": pl.Date,
    "risk_score": pl.Int64,
    SOURCE_ROW: pl.Int64,
}
_MICRO = Decimal(1_000_000)


def _product(text: str, products: tuple[str, ...]) -> str | None:
    """A product as written, or the variant of it that is one of the payer's product codes
    (``MEDICAID HMO (MCD)`` → ``MCD``)."""
    value = parse_text(text)
    if value is None or not products:
        return value
    return resolve_product(value, products)


def _risk_micro(text: str, style: NumberStyle | None = None) -> int:
    """Risk score in millionths: ``1.234`` → 1234000 (integers keep it exact in frames)."""
    score = parse_decimal(text, 6, decimal_comma=style is not None and style.decimal_comma)
    if score is None:
        raise ValueError("not a number")
    if score < 0:
        raise ValueError("a risk score cannot be negative")
    return int(score * _MICRO)


def read_roster(
    path: Path,
    *,
    roster_month: Month,
    id_width: int | None = None,
    options: ReadOptions | None = None,
    mapping: dict[str, str] | None = None,
    sheet: str | None = None,
    header_row: int | None = None,
    table: RawTable | None = None,
) -> ParsedFile:
    """Read and validate a roster file; the result lists every problem of every row.

    ``roster_month`` gives rows without dates their span (for the duplicate-member check).
    """
    raw = (
        table
        if table is not None
        else read_raw(path, FileKind.ROSTER, sheet=sheet, header_row=header_row)
    )
    if raw.siblings:
        return per_sheet(
            raw,
            lambda t: read_roster(
                path,
                roster_month=roster_month,
                options=options,
                id_width=id_width,
                mapping=mapping,
                table=t,
            ),
        )
    options = options or ReadOptions(id_width=id_width)
    id_width, rule = options.id_width, options.id_rule
    cols = Columns.open(raw, FileKind.ROSTER, mapping, options)
    cols.drop_footers("member_id")
    cols.fill_member_blocks(
        ("member_id", "last_name", "first_name", "full_name", "dob", "sex"),
        ("product", "rate_cell", "pcp", "effective_date", "term_date", "risk_score"),
    )

    member_id = cols.parse(
        "member_id",
        lambda v: parse_member_id(v, id_width, rule),
        pl.String,
        lambda raw: member_id_shortcut(raw, id_width, rule),
    )
    cols.require("member_id", "member ID")
    if cols.has("last_name") or cols.has("first_name") or not cols.has("full_name"):
        last = cols.parse("last_name", parse_text, pl.String)
        first = cols.parse("first_name", parse_text, pl.String)
    else:
        last, first = _split_names(cols)
    effective = cols.dates("effective_date")
    cols.refuse_far("effective_date", effective, "effective date")
    term = cols.open_ended("term_date", cols.dates("term_date"))
    dob = cols.dates("dob")
    cols.refuse_odd_births("dob", dob)
    rate_cell = cols.parse("rate_cell", parse_text, pl.String)
    product = cols.parse("product", lambda v: _product(v, options.products), pl.String)

    spans = pl.DataFrame([effective.alias("eff"), term.alias("term")])
    cols.row_problem(
        (term < effective).fill_null(False),
        "term_date",
        lambda r: f"term date {r['term']} is before effective date {r['eff']}",
        spans,
    )
    columns = [
        member_id,
        last.alias("last_name"),
        first.alias("first_name"),
        dob,
        cols.parse("sex", parse_sex, pl.String),
        product,
        rate_cell,
        cols.parse("pcp", parse_text, pl.String),
        effective,
        term,
        cols.parse(
            "risk_score",
            cols.number_parser(_risk_micro),
            pl.Int64,
            lambda raw: scaled_shortcut(raw, 6, decimal_comma=cols.style.decimal_comma),
        ),
    ]
    _conflicting_duplicates(cols, roster_month, pl.DataFrame(columns))
    return cols.finish(columns)


def _split_names(cols: Columns) -> tuple[pl.Series, pl.Series]:
    raw = cols.text("full_name")
    uniques = raw.drop_nulls().unique().to_list()
    pairs = {v: split_full_name(v) for v in uniques}
    last = raw.replace_strict(
        uniques, [pairs[v][0] for v in uniques], default=None, return_dtype=pl.String
    )
    first = raw.replace_strict(
        uniques, [pairs[v][1] for v in uniques], default=None, return_dtype=pl.String
    )
    return last, first


def _conflicting_duplicates(cols: Columns, roster_month: Month, frame: pl.DataFrame) -> None:
    """A member listed twice with spans sharing a month must agree on rate cell and product
    (SPEC §3); each disagreement is a problem naming both rows."""
    frame = frame.with_columns(cols.rows.alias(SOURCE_ROW))
    dup = frame.filter(pl.col("member_id").is_not_null() & pl.col("member_id").is_duplicated())
    if dup.height == 0:
        return
    # Only a member whose rows differ in rate cell or product can conflict: the others (a
    # junk file repeating one ID a million times) are not compared pair by pair.
    differ = (
        dup.group_by("member_id")
        .agg(pl.struct("rate_cell", "product").n_unique().alias("kinds"))
        .filter(pl.col("kinds") > 1)["member_id"]
    )
    dup = dup.filter(pl.col("member_id").is_in(differ.implode()))
    for _, group in dup.group_by("member_id", maintain_order=True):
        rows = sorted(group.iter_rows(named=True), key=lambda r: r[SOURCE_ROW])
        for i, later in enumerate(rows):
            for earlier in rows[:i]:
                if not _months_overlap(earlier, later, roster_month):
                    continue
                for name, label in (("rate_cell", "rate cell"), ("product", "product")):
                    if earlier[name] != later[name]:
                        cols.problems.append(
                            RowProblem(
                                int(later[SOURCE_ROW]),
                                cols.mapping.get(name, name),
                                later[name] or "",
                                f"member {later['member_id']} is also on row "
                                f"{earlier[SOURCE_ROW]} with {label} "
                                f"{earlier[name] or '(blank)'!r} for an overlapping month",
                            )
                        )


def _span_months(row: dict[str, Any], roster_month: Month) -> tuple[Month, Month | None]:
    eff: dt.date | None = row["effective_date"]
    term: dt.date | None = row["term_date"]
    if eff is None and term is None:
        return roster_month, roster_month
    start = Month.of(eff) if eff is not None else roster_month
    return start, Month.of(term) if term is not None else None


def _months_overlap(a: dict[str, Any], b: dict[str, Any], roster_month: Month) -> bool:
    a_start, a_end = _span_months(a, roster_month)
    b_start, b_end = _span_months(b, roster_month)
    a_last = a_end if a_end is not None else Month(9999, 12)
    b_last = b_end if b_end is not None else Month(9999, 12)
    return a_start <= b_last and b_start <= a_last
