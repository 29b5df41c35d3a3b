"""Workbooks with a sheet per product or month: each sheet read on its own, the results as one
file (SPEC §6: a file is imported whole or not at all)."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import replace

import polars as pl

from pmpm_desktop.io.options import DecisionKind, ReadDecision
from pmpm_desktop.io.parsed import ParsedFile, RowProblem
from pmpm_desktop.io.table import RawTable


def per_sheet(raw: RawTable, read_one: Callable[[RawTable], ParsedFile]) -> ParsedFile:
    """``read_one`` applied to each sheet of ``raw`` (a workbook with a sheet per product or
    month), the results as one file: rows in sheet order, problems and decisions naming their
    sheet."""
    if not raw.siblings:
        return read_one(raw)
    parts = [read_one(table) for table in raw.sheets]
    first = parts[0]
    problems: list[RowProblem] = []
    decisions: list[ReadDecision] = []
    once = (DecisionKind.SHEET, DecisionKind.KIND, DecisionKind.HEADER)
    for n, part in enumerate(parts):
        where = f"{part.sheet}: " if part.sheet else ""
        problems += [replace(p, column=f"{where}{p.column}") for p in part.problems]
        decisions += [
            d if d.kind in once else replace(d, text=f"sheet {part.sheet!r}: {d.text}")
            for d in part.decisions
            if n == 0 or d.kind not in once
        ]
    return replace(
        first,
        frame=pl.concat([p.frame for p in parts], how="vertical_relaxed"),
        problems=problems,
        decisions=tuple(decisions),
        # a value every sheet shares (a sheet's own product is said per sheet above)
        values={k: v for k, v in first.values.items() if all(p.values.get(k) == v for p in parts)},
        file_problems=tuple(f for p in parts for f in p.file_problems),
        decimal_question=next(
            (p.decimal_question for p in parts if p.decimal_question is not None), None
        ),
    )
