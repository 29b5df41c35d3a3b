"""The rows between a sheet's header and its data: page headers repeated on every page, rows
holding a single text (titles, legends, section titles that give their value to the rows below),
and the sentences that say what was done with them (SPEC §6 "Report layouts")."""

from __future__ import annotations

import polars as pl

from pmpm_desktop.io import layout
from pmpm_desktop.io.detect import HeaderDetector
from pmpm_desktop.io.options import DecisionKind, ReadDecision

SOURCE_ROW = "source_row"


def rows_text(n: int) -> str:
    return f"{n} row" if n == 1 else f"{n} rows"


def verb(n: int, one: str, many: str) -> str:
    return one if n == 1 else many


def header_decision(
    first: int, last: int, band_rows: list[list[str | None]], header: list[str | None]
) -> ReadDecision:
    """Which rows are the header, with an example of group cells combined."""
    rows = tuple(range(first, last + 1))
    if first == last:
        return ReadDecision(DecisionKind.HEADER, f"row {last} is the header", rows)
    example = ""
    for i, name in enumerate(header):
        parts = dict.fromkeys(
            str(r[i]).strip() for r in band_rows if i < len(r) and not layout.blank(r[i])
        )
        if len(parts) > 1:
            example = f"{' + '.join(parts)} → {name}"
            break
    return ReadDecision(
        DecisionKind.HEADER,
        f"rows {first}–{last} are the header: group cells combined with the cells below"
        + (f" ({example})" if example else ""),
        rows,
    )


def drop_repeats(
    body: pl.DataFrame, columns: list[str], repeats: list[list[str | None]]
) -> tuple[pl.DataFrame, list[int]]:
    """``body`` without the page headers a report repeats on every page, and the numbers of
    the rows dropped: rows equal to one of ``repeats`` (the header and title rows), and rows
    holding nothing but title texts and page stamps (``Sunrise Health Plan … Page 2 of 3``)."""
    distinct = [list(r) for r in dict.fromkeys(tuple(r) for r in repeats if any(r))]
    if not distinct or body.height == 0:
        return body, []
    repeat = pl.any_horizontal(
        pl.all_horizontal(
            pl.col(c).eq_missing(pl.lit(v, dtype=pl.String))
            for c, v in zip(columns, row, strict=True)
        )
        for row in distinct
    )
    titles = sorted({t for r in distinct for t in layout.distinct_texts(r)})
    furniture = [
        pl.col(c).is_null()
        | pl.col(c).str.strip_chars().is_in(titles)
        | pl.col(c).str.contains(layout.PAGE_STAMP.pattern)
        for c in columns
    ]
    # A page stamp beside words (a title the report did not print above the header).
    stamped = pl.any_horizontal(
        pl.col(c).str.contains(layout.PAGE_STAMP.pattern).fill_null(False) for c in columns
    )
    wordy = [
        furniture[i] | pl.col(c).str.contains(r"^[^\d]*[^\W\d_][^\d]*\s[^\d]*$")
        for i, c in enumerate(columns)
    ]
    # Only rows with a few cells can be page furniture: the costly checks run on those.
    sparse = pl.sum_horizontal(pl.col(c).is_not_null() for c in columns) <= FURNITURE_CELLS
    page_header = (
        pl.when(sparse)
        .then(pl.all_horizontal(furniture) | (stamped & pl.all_horizontal(wordy)))
        .otherwise(False)
    )
    hit = body.select((repeat | page_header.fill_null(False)).alias("hit"))["hit"]
    return body.filter(~hit), body.filter(hit)[SOURCE_ROW].to_list()


# A page header made of title texts and stamps has at most this many cells.
FURNITURE_CELLS = 3


def sections_and_notes(
    body: pl.DataFrame,
    columns: list[str],
    headers: list[str],
    detector: HeaderDetector | None,
) -> tuple[pl.DataFrame, dict[str, str], list[ReadDecision]]:
    """Rows holding a single text: a section title (``PRODUCT: MEDICAID HMO (MCD)``) gives its
    value to the rows below it, in a column of its own; a title, legend, report parameter or
    footer is skipped; an ID or amount alone stays (it may be a member's line)."""
    if body.height == 0 or not columns:
        return body, {}, []
    # A row with one text: one cell, or a merged range repeating it across the row.
    first = pl.coalesce(pl.col(c) for c in columns)
    one_text = first.is_not_null() & pl.all_horizontal(
        pl.col(c).is_null() | (pl.col(c) == first) for c in columns
    )
    lonely = body.select(one_text.alias("one"))["one"].arg_true().to_list()
    if not lonely:
        return body, {}, []
    texts = body.select(first.alias("text"))["text"]
    numbers = body[SOURCE_ROW].to_list()
    section_at: dict[str, dict[int, str]] = {}
    labels: dict[str, str] = {}
    notes: list[int] = []
    sections_rows: dict[str, list[int]] = {}
    drop: set[int] = set()
    for i in lonely:
        text = " ".join(str(texts[i]).split())
        section = layout.section_of(text)
        field_name = (
            detector.section_field(section.label)
            if section is not None and detector is not None
            else None
        )
        if section is not None and field_name is not None:
            section_at.setdefault(field_name, {})[i] = layout.section_value(
                field_name, section.value
            )
            labels.setdefault(field_name, section.label)
            sections_rows.setdefault(field_name, []).append(numbers[i])
            drop.add(i)
        elif layout.is_note(text):
            notes.append(numbers[i])
            drop.add(i)
    decisions: list[ReadDecision] = []
    taken = {h.casefold() for h in headers}
    added: dict[str, str] = {}
    new_columns: list[pl.Series] = []
    for field_name, at in section_at.items():
        name = f"{labels[field_name]} (section)"
        while name.casefold() in taken:
            name += "'"
        taken.add(name.casefold())
        values: list[str | None] = [None] * body.height
        for i, value in at.items():
            values[i] = value
        new_columns.append(pl.Series(name, values, dtype=pl.String))
        added[field_name] = name
        rows = sections_rows[field_name]
        shown = ", ".join(repr(v) for v in dict.fromkeys(at.values()))
        decisions.append(
            ReadDecision(
                DecisionKind.SECTION,
                f"{rows_text(len(rows))} {verb(len(rows), 'is a', 'are')} {labels[field_name]} "
                f"section{'s' if len(rows) != 1 else ''} ({shown}): "
                f"{verb(len(rows), 'its', 'their')} value goes to the rows below",
                tuple(rows),
            )
        )
    if notes:
        decisions.append(
            ReadDecision(
                DecisionKind.SKIPPED,
                f"{rows_text(len(notes))} {verb(len(notes), 'holds', 'hold')} a single text "
                "(titles, legends, report notes): skipped",
                tuple(notes),
            )
        )
    if new_columns:
        body = body.with_columns(new_columns).with_columns(
            pl.col(name).forward_fill() for name in added.values()
        )
    keep = pl.Series([i not in drop for i in range(body.height)])
    return body.filter(keep), added, decisions
