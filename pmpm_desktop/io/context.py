"""Values a report gives every row outside its columns: a statement's coverage month in its
title, sheet name or file name; a roster's product in its sheet name (SPEC §6 "Values a file
does not carry")."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

from pmpm_desktop.io import layout
from pmpm_desktop.io.fields import label
from pmpm_desktop.io.options import DecisionKind, FileKind, ReadDecision, ReadOptions
from pmpm_desktop.io.table import RawTable


def context_values(
    raw: RawTable, kind: str, options: ReadOptions, *, skip: set[str]
) -> tuple[dict[str, str], list[ReadDecision]]:
    """Values a report gives every row outside its columns, for fields in no column and not
    given: a statement's coverage month named in its title (``Capitation for February 2026``),
    sheet name or file name; a roster's product named by the sheet name (``MCD Members``), the
    title or the file name (only the payer's own product codes count). Each found only when
    exactly one candidate is named, else nothing (the user is then asked for it)."""
    titles = [("the title", line) for line in raw.preamble]
    places = [("the sheet name", raw.sheet or ""), ("the file name", Path(raw.file_name).stem)]
    found: dict[str, str] = {}
    decisions: list[ReadDecision] = []

    def search(
        field_name: str, candidates: Callable[[str], set[str]], order: list[tuple[str, str]]
    ) -> None:
        groups = [
            [p for p in order if p[0] == "the title"],
            *[[p] for p in order if p[0] != "the title"],
        ]
        for group in groups:
            named = set().union(*(candidates(text) for _, text in group)) if group else set()
            if len(named) > 1:
                return  # several: the file does not say which
            if len(named) == 1:
                value = next(iter(named))
                where = group[0][0]
                found[field_name] = value
                decisions.append(
                    ReadDecision(
                        DecisionKind.VALUE,
                        f"{label(field_name)} is {value!r} on every row, as {where} says",
                    )
                )
                return

    if kind == FileKind.ROSTER and "product" not in skip and options.products:
        search(
            "product",
            lambda t: layout.products_named(t, options.products),
            [*places[:1], *titles, *places[1:]],
        )
    if kind == FileKind.STATEMENT and "coverage_month" not in skip:
        search(
            "coverage_month",
            lambda t: {f"{y:04d}-{m:02d}" for y, m in layout.months_in(t)},
            [*titles, *places],
        )
    return found, decisions
