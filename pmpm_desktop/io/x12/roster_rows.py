"""An X12 roster's members as a text table, read by the spreadsheet roster reader, with every
problem put back at the segment and element its cell came from.

A walker of 834 or 271 loops appends one row per member (or per member's coverage): its cells
as the file writes them and, beside each, the number of the segment it came from. The table's
``source_row`` is the segment opening the row's loop (INS, HL, or HD for a member's second
coverage), so a problem of a whole row is placed there too.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Mapping, Sequence
from dataclasses import dataclass

import polars as pl

from pmpm_desktop.core.clock import now
from pmpm_desktop.core.month import Month
from pmpm_desktop.io.machine_file import CHANGE, CellOrigins, RosterChange, text_table
from pmpm_desktop.io.options import DecisionKind, ReadDecision
from pmpm_desktop.io.parsed import ParsedFile, Place, RowProblem
from pmpm_desktop.io.roster_file import read_roster
from pmpm_desktop.io.table import SOURCE_ROW
from pmpm_desktop.io.x12.transaction import X12Input


@dataclass(frozen=True)
class Column:
    """A column of the table: the roster field it holds (None: shown, not read), its name as
    the guide names the element (``DTP*349``), and the segment and element it comes from."""

    field: str | None
    name: str
    segment: str
    element: str


_DATE_FIELDS = frozenset({"dob", "effective_date", "term_date"})


class RosterTable:
    """The rows of an X12 roster being built, and what its walker found and decided."""

    def __init__(self, loop: str, columns: Sequence[Column]) -> None:
        #: the segment that opens each row's loop (``INS``, ``HL``)
        self.loop = loop
        self.columns = list(columns)
        self.rows: list[int] = []
        self.cells: dict[str, list[str | None]] = {c.name: [] for c in self.columns}
        #: column → the number of the segment each cell came from (0: none)
        self.segments: dict[str, list[int]] = {c.name: [] for c in self.columns}
        #: row → the segment opening its loop, where it is not ``loop`` (a second HD)
        self.loops: dict[int, str] = {}
        #: column → {row: segment}: cells taken from another segment than the column names
        #: (an eligibility begin DTP*356 where the coverage has no DTP*348)
        self.relabeled: dict[str, dict[int, str]] = {}
        #: problems the walker found, placed at their segments already
        self.problems: list[RowProblem] = []
        #: rows with a walker problem; (row, column) pairs whose reader problem a walker
        #: problem says better (an INS loop without NM1*IL: not also "member ID is blank")
        self.bad_rows: set[int] = set()
        self.covered: set[tuple[int, str]] = set()
        self.decisions: list[ReadDecision] = []
        self.changes: list[RosterChange | None] | None = None

    def __len__(self) -> int:
        return len(self.rows)

    def append(self, row: int, cells: Sequence[str | None], segments: Sequence[int]) -> None:
        """A row: its cells in column order and the number of the segment of each (0: none)."""
        self.rows.append(row)
        for column, cell, number in zip(self.columns, cells, segments, strict=True):
            self.cells[column.name].append(cell)
            self.segments[column.name].append(number)

    def set_columns(
        self,
        rows: list[int],
        cells: Mapping[str, Sequence[str | None]],
        segments: Mapping[str, Sequence[int]],
    ) -> None:
        """All rows at once, column by column."""
        self.rows = rows
        self.cells = {name: list(cells[name]) for name in self.cells}
        self.segments = {name: list(segments[name]) for name in self.segments}

    def problem(self, row: int, problem: RowProblem, *, covers: str | None = None) -> None:
        """A problem the walker found in table row ``row``; ``covers`` names the column whose
        reader problem it replaces."""
        self.problems.append(problem)
        self.bad_rows.add(row)
        if covers is not None:
            self.covered.add((row, covers))

    def read(self, source: X12Input, *, month_hint: Month | None, kind_text: str) -> ParsedFile:
        """The table read as a roster (``read_roster``), its problems at their segments; a
        change file's frame gets the ``change`` column."""
        self._refuse_odd_dates()
        raw = text_table(self.cells, self.rows, sha256=source.sha256, file_name=source.file_name)
        # An element written empty is no value, as a blank spreadsheet cell.
        blank = [
            pl.when(pl.col(c.name) == "").then(None).otherwise(pl.col(c.name)).alias(c.name)
            for c in self.columns
        ]
        raw = dataclasses.replace(raw, frame=raw.frame.with_columns(blank))
        mapping = {c.field: c.name for c in self.columns if c.field is not None}
        month = source.roster_month or month_hint or Month.of(now().date())
        parsed = read_roster(
            source.path, roster_month=month, options=source.options, mapping=mapping, table=raw
        )
        problems = sorted(
            [*self._place(parsed.problems), *self.problems], key=lambda p: (p.row, p.element)
        )
        frame = parsed.frame
        if self.bad_rows:
            frame = frame.filter(~pl.col(SOURCE_ROW).is_in(list(self.bad_rows)))
        if self.changes is not None:
            frame = frame.with_columns(
                pl.col(SOURCE_ROW)
                .replace_strict(
                    self.rows,
                    [c.value if c is not None else None for c in self.changes],
                    default=None,
                    return_dtype=pl.String,
                )
                .alias(CHANGE)
            )
        decisions = (
            ReadDecision(DecisionKind.KIND, kind_text),
            *self.decisions,
            *(d for d in parsed.decisions if d.kind is not DecisionKind.KIND),
        )
        return dataclasses.replace(parsed, frame=frame, problems=problems, decisions=decisions)

    def _refuse_odd_dates(self) -> None:
        """A date element (D8) is CCYYMMDD, eight digits: anything else is refused here, where
        the spreadsheet readers would take ``2026013`` for an Excel serial number."""
        for column in self.columns:
            if column.field not in _DATE_FIELDS:
                continue
            cells, segments = self.cells[column.name], self.segments[column.name]
            odd = pl.Series(cells, dtype=pl.String).str.contains(r"^[0-9]{8}$").not_()
            for k in odd.arg_true().to_list():  # the few odd ones, one by one
                cell = cells[k]
                if cell:
                    self.problem(
                        self.rows[k],
                        loop_problem(
                            segments[k] or self.rows[k],
                            column.segment,
                            "not a date (X12 dates are CCYYMMDD)",
                            cell,
                            column.element,
                        ),
                        covers=column.name,
                    )
                    cells[k] = None

    def _place(self, problems: Sequence[RowProblem]) -> list[RowProblem]:
        """The reader's problems at the segments and elements their cells came from."""
        index = {c.name: c for c in self.columns}
        origins = CellOrigins()
        for name in {p.column for p in problems if p.place is Place.ROW} & set(index):
            origins.add(name, index[name].segment, index[name].element)
            for row, number in zip(self.rows, self.segments[name], strict=True):
                if number:
                    origins.at(name, row, number)
        placed = []
        for p in problems:
            if (p.row, p.column) in self.covered:
                continue
            (q,) = origins.place([p], {p.row: p.row})
            if _ROW_WORDS in q.reason:
                # The roster reader names the other row by its source_row: here a segment.
                q = dataclasses.replace(q, reason=q.reason.replace(_ROW_WORDS, " at segment "))
            if p.place is Place.ROW and p.column in index:
                if not q.element:
                    q = dataclasses.replace(
                        q,
                        column=self.loops.get(p.row, self.loop),
                        reason=f"{p.reason} (this loop has no {p.column})",
                    )
                elif p.row in self.relabeled.get(p.column, {}):
                    q = dataclasses.replace(q, column=self.relabeled[p.column][p.row])
            placed.append(q)
        return placed


_ROW_WORDS = " on row "


def loop_problem(
    segment: int, name: str, reason: str, value: str = "", element: str = ""
) -> RowProblem:
    """A problem at a segment (and element) of the file."""
    return RowProblem(segment, name, value, reason, place=Place.SEGMENT, element=element)
