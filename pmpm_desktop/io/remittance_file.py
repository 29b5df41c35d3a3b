"""Read a payer's remittance / capitation statement into canonical columns (SPEC §2, §5, §6)."""

from __future__ import annotations

from pathlib import Path

import polars as pl

from pmpm_desktop.core.money import money_to_cents
from pmpm_desktop.io.options import FileKind, ReadOptions
from pmpm_desktop.io.parsed import Columns, ParsedFile, read_raw
from pmpm_desktop.io.sheets import per_sheet
from pmpm_desktop.io.table import RawTable
from pmpm_desktop.io.values import (
    member_id_shortcut,
    parse_amount,
    parse_member_id,
    parse_month,
    parse_text,
)


def month_text(text: str) -> str | None:
    """A payer's month cell as canonical ``YYYY-MM`` text."""
    month = parse_month(text)
    return None if month is None else str(month)


def amount_cents(text: str) -> int | None:
    """A money cell as signed integer cents."""
    amount = parse_amount(text)
    return None if amount is None else money_to_cents(amount)


def read_remittance(
    path: Path,
    *,
    id_width: int | None = None,
    options: ReadOptions | None = None,
    mapping: dict[str, str] | None = None,
    sheet: str | None = None,
    header_row: int | None = None,
    table: RawTable | None = None,
) -> ParsedFile:
    """Read and validate a remittance file: one line per member per coverage month paid.

    Columns: member_id, coverage_month ('YYYY-MM'), amount_cents (Int64, signed), line_type,
    member_name, payment_date, reference, source_row. Total/footer rows are skipped.
    """
    raw = (
        table
        if table is not None
        else read_raw(path, FileKind.STATEMENT, sheet=sheet, header_row=header_row)
    )
    if raw.siblings:
        return per_sheet(
            raw,
            lambda t: read_remittance(
                path, options=options, id_width=id_width, mapping=mapping, table=t
            ),
        )
    options = options or ReadOptions(id_width=id_width)
    id_width, rule = options.id_width, options.id_rule
    cols = Columns.open(raw, FileKind.STATEMENT, mapping, options)
    cols.drop_footers("member_id", amount_field="amount")
    cols.fill_member_blocks(("member_id", "member_name"), ("coverage_month", "amount", "line_type"))

    member_id = cols.parse(
        "member_id",
        lambda v: parse_member_id(v, id_width, rule),
        pl.String,
        lambda raw: member_id_shortcut(raw, id_width, rule),
    )
    cols.require("member_id", "member ID")
    coverage = cols.months("coverage_month")
    cols.require("coverage_month", "coverage month")
    cols.refuse_far("coverage_month", coverage, "coverage month")
    # A line covers one month: a period over several is refused, never split by guessing.
    end = cols.months("coverage_end")
    cols.row_problem(
        (end != coverage).fill_null(False),
        "coverage_end",
        lambda r: (
            f"the line covers {r['coverage_month']} to {r['coverage_end']}: one line per "
            "coverage month is expected (the amount of each month is not known)"
        ),
        pl.DataFrame([coverage, end]),
    )
    amount = cols.amounts("amount").alias("amount_cents")
    cols.require("amount", "amount")
    return cols.finish(
        [
            member_id,
            coverage,
            amount,
            cols.parse("line_type", parse_text, pl.String),
            cols.parse("member_name", parse_text, pl.String),
            cols.dates("payment_date"),
            cols.parse("reference", parse_text, pl.String),
        ]
    )
