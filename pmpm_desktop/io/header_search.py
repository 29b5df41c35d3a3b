"""Finding a sheet's header: the row (or the two or three rows, group cells over column
names) that best names a file kind's fields, whose cells read as labels, not values."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field

import polars as pl

from pmpm_desktop.io import layout
from pmpm_desktop.io.detect import HeaderDetector, RowAssessment
from pmpm_desktop.io.read_errors import FileReadError
from pmpm_desktop.io.sheet_rows import SOURCE_ROW

HEADER_SEARCH_ROWS = 30
# Rows under a candidate header whose values are weighed (member IDs vs NPIs, …).
VALUE_SAMPLE_ROWS = 60


def clean_header(cell: str | None) -> str:
    return " ".join(cell.split()) if cell else ""


@dataclass
class Candidate:
    cells: pl.DataFrame  # non-blank rows, value columns + SOURCE_ROW
    value_columns: list[str]
    where: str
    sheet: str | None
    index: int  # the (last) header row's index among the non-blank rows
    score: float
    runner_up: float
    assessment: RowAssessment
    #: the column names, combined over the header's rows
    header: list[str | None] = field(default_factory=list)
    #: how many rows the header spans (its last row is ``index``)
    band: int = 1
    #: sheet rows that took a value merged down from a row above
    merged_down: frozenset[int] = frozenset()


def find_header(
    cells: pl.DataFrame,
    where: str,
    sheet: str | None,
    header_row: int | None,
    detector: HeaderDetector | None,
) -> Candidate:
    value_columns = [c for c in cells.columns if c != SOURCE_ROW]
    rows = cells[SOURCE_ROW]
    if header_row is not None:
        if header_row < 1:
            raise FileReadError(f"header row must be 1 or more, not {header_row}")
        hit = (rows == header_row).arg_true()
        if hit.len() == 0:
            last = int(rows[-1])
            reason = "is blank" if header_row < last else f"is past the last row ({last})"
            raise FileReadError(f"header row {header_row} of {where} {reason}")
        candidates = [int(hit[0])]
    else:
        candidates = list(range(min(HEADER_SEARCH_ROWS, cells.height)))
    # Rows above the first candidate may be the group rows of a header spread over them.
    start = max(0, candidates[0] - (MAX_HEADER_ROWS - 1))
    top = cells.slice(start, candidates[-1] - start + 1 + VALUE_SAMPLE_ROWS)
    grid = list(top.select(value_columns).iter_rows())
    numbers = top[SOURCE_ROW].to_list()
    empty = RowAssessment(0.0, (), False)
    if detector is None:
        first = grid[candidates[0] - start]
        return Candidate(
            cells, value_columns, where, sheet, candidates[0], 0.0, 0.0, empty, list(first)
        )
    assessed: list[tuple[float, int, RowAssessment, list[str | None], int]] = []
    for index in candidates:
        at = index - start
        # Group cells over the column names make one header with them, whatever the file's
        # kind: the reading must not depend on which import was asked for.
        band = _bands(grid, numbers, at, detector)[-1]
        header = layout.combine_header(grid[at - band + 1 : at + 1])
        below = [r for r in grid[at + 1 : at + 1 + VALUE_SAMPLE_ROWS] if r != grid[at]]
        assessment = detector.assess(header, below)
        score = assessment.score * _label_likeness(header)
        assessed.append((score, index, assessment, header, band))
    # Best score, earliest on ties; the runner-up is the best row that is not a copy of it.
    score, index, assessment, header, band = max(assessed, key=lambda a: (a[0], -a[1]))
    row = grid[index - start]
    # A header repeated on every page: the first copy is the header.
    first_copy = next(a for a in assessed if grid[a[1] - start] == row and a[4] == band)
    index, header = first_copy[1], first_copy[3]
    runner_up = max(
        (
            a[0]
            for a in assessed
            if a[1] != index
            and grid[a[1] - start] != row
            and not index - band < a[1] < index  # the header's own group rows
        ),
        default=0.0,
    )
    return Candidate(
        cells, value_columns, where, sheet, index, score, runner_up, assessment, header, band
    )


# A header spans at most this many rows (group cells over group cells over column names).
MAX_HEADER_ROWS = 3


def _bands(
    grid: list[tuple[str | None, ...]], numbers: list[int], at: int, detector: HeaderDetector
) -> list[int]:
    """How many rows a header ending at ``grid[at]`` may span: 1, and 2 or 3 where the rows
    directly above are group rows (short labels over the columns below)."""
    out = [1]
    for band in range(2, MAX_HEADER_ROWS + 1):
        upper = at - band + 1
        if upper < 0 or numbers[upper] != numbers[upper + 1] - 1:
            break
        if not layout.is_group_row(grid[upper], grid[upper + 1]):
            break
        if _is_header_of_its_own(grid[upper], grid[upper + 1], detector):
            break
        out.append(band)
    return out


def _is_header_of_its_own(
    row: tuple[str | None, ...], below: tuple[str | None, ...], detector: HeaderDetector
) -> bool:
    """A row whose labels over other labels are mostly whole column names (``Member ID`` over
    ``Ident``) is another table's header or a decoy, not group cells (``Member`` over ``ID``);
    labels with nothing below (merged down, like ``Rate Cell``) do not count."""
    over = [
        cell
        if not layout.blank(cell)
        and i < len(below)
        and not layout.blank(below[i])
        and cell != below[i]
        else None
        for i, cell in enumerate(row)
    ]
    labels = len(layout.distinct_texts(over))
    named = sum(c.how == "name" for c in detector.assess(over, []).fields)
    return named >= 2 and 2 * named >= labels


def _label_likeness(header: Sequence[str | None]) -> float:
    """1 for a row of labels; less for a row whose cells read as values (IDs, dates, amounts):
    a data row must not win as the header because one of its values is a column word."""
    cells = [c for c in header if c is not None and c.strip()]
    if not cells:
        return 0.0
    values = sum(layout.value_like(c) for c in cells)
    return 1.0 - 0.8 * values / len(cells)
