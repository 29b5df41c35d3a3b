"""An X12 statement's paid lines as a text table, read by the spreadsheet statement reader, with
every problem put back at the segment and element its cell came from.

A walker of 820 loops appends one row per paid line (an RMR, or an ADX adjustment): its cells as
the file writes them and, beside each, where it came from. A column names the element most rows
take it from (``RMR04``); a row whose cell comes from another segment or element (an ADX's
ADX01, a coverage date in DTM02 rather than DTM06) says so, so a problem reads as the EDI
analyst looks for it. ``source_row`` is the line's own segment (RMR or ADX).
"""

from __future__ import annotations

import dataclasses
import datetime as dt
from collections.abc import Sequence
from dataclasses import dataclass

import polars as pl

from pmpm_desktop.io.machine_file import CellOrigins, text_table
from pmpm_desktop.io.options import DecisionKind, ReadDecision
from pmpm_desktop.io.parsed import ParsedFile, Place, RowProblem
from pmpm_desktop.io.remittance_file import read_remittance
from pmpm_desktop.io.table import SOURCE_ROW
from pmpm_desktop.io.x12.transaction import X12Input


@dataclass(frozen=True)
class Column:
    """A column of the table: the statement field it holds, its name in the table, and the
    segment and element most of its cells come from."""

    field: str
    name: str
    segment: str
    element: str


#: where each cell of a row came from: per column the segment's name and element
#: (``("DTM*582", "06")``); one tuple is shared by every row of the same shape
Labels = tuple[tuple[str, str], ...]


class StatementTable:
    """The paid lines of an X12 statement being built, and what its walker found."""

    def __init__(self, columns: Sequence[Column]) -> None:
        self.columns = list(columns)
        self.rows: list[int] = []
        #: the segment name of each row's own segment (``RMR``, ``ADX``)
        self.row_names: dict[int, str] = {}
        self._cells: list[tuple[str | None, ...]] = []
        #: per row, the number of the segment of each cell (0: none) and their labels
        self._numbers: list[tuple[int, ...]] = []
        self._labels: list[Labels] = []
        #: member names by row: joined after reading, as a name is no footer ("COUNT, JO")
        self.names: dict[int, str | None] = {}
        #: problems the walker found, placed already (their rows are not in the table)
        self.problems: list[RowProblem] = []
        self.decisions: list[ReadDecision] = []

    def __len__(self) -> int:
        return len(self.rows)

    def append(
        self,
        row: int,
        name: str,
        cells: tuple[str | None, ...],
        numbers: tuple[int, ...],
        labels: Labels,
        member_name: str | None = None,
    ) -> None:
        """A line opened by segment ``row`` (named ``name``): its cells in column order, the
        number of the segment each came from (0: the file has no such value for the line) and
        their segment names and elements."""
        self.rows.append(row)
        self.row_names[row] = name
        self._cells.append(cells)
        self._numbers.append(numbers)
        self._labels.append(labels)
        self.names[row] = member_name

    def read(
        self,
        source: X12Input,
        *,
        kind_text: str,
        payment_date: dt.date | None = None,
        reference: str | None = None,
    ) -> ParsedFile:
        """The table read as a statement (``read_remittance``), its problems at their segments;
        the member names, ``payment_date`` and ``reference`` filled into every line."""
        names = [c.name for c in self.columns]
        cells = list(zip(*self._cells, strict=True)) if self.rows else [()] * len(names)
        raw = text_table(
            dict(zip(names, cells, strict=True)),
            self.rows,
            sha256=source.sha256,
            file_name=source.file_name,
        )
        # X12 amounts are written with a decimal point whatever the payer's spreadsheets use.
        options = dataclasses.replace(source.options, decimal_comma=False)
        mapping = {c.field: c.name for c in self.columns}
        parsed = read_remittance(source.path, options=options, mapping=mapping, table=raw)
        problems = sorted(
            dict.fromkeys([*self._place(parsed.problems), *self.problems]),
            key=lambda p: (p.row, p.element),
        )
        frame = parsed.frame.with_columns(
            pl.col(SOURCE_ROW)
            .replace_strict(
                list(self.names), list(self.names.values()), default=None, return_dtype=pl.String
            )
            .alias("member_name"),
            pl.col("payment_date").fill_null(pl.lit(payment_date, dtype=pl.Date)),
            pl.col("reference").fill_null(pl.lit(reference, dtype=pl.String)),
        )
        decisions = (
            ReadDecision(DecisionKind.KIND, kind_text),
            *self.decisions,
            *(d for d in parsed.decisions if d.kind is not DecisionKind.KIND),
        )
        return dataclasses.replace(parsed, frame=frame, problems=problems, decisions=decisions)

    def _place(self, problems: Sequence[RowProblem]) -> list[RowProblem]:
        """The reader's problems at the segments and elements their cells came from."""
        index = {c.name: k for k, c in enumerate(self.columns)}
        origins = CellOrigins()
        for name in {p.column for p in problems if p.place is Place.ROW} & set(index):
            column = index[name]
            origins.add(name, self.columns[column].segment, self.columns[column].element)
            for row, numbers in zip(self.rows, self._numbers, strict=True):
                if numbers[column]:
                    origins.at(name, row, numbers[column])
        position = {row: n for n, row in enumerate(self.rows)}
        placed = []
        for p, q in zip(problems, origins.place(problems, {}), strict=True):
            k = index.get(p.column)
            n = position.get(p.row)
            if p.place is Place.SEGMENT or k is None or n is None:
                placed.append(q)
                continue
            if not self._numbers[n][k]:
                # The line has no such value: the problem is its own segment's.
                q = dataclasses.replace(
                    q,
                    column=self.row_names[p.row],
                    reason=f"{p.reason} (this line has no {self._labels[n][k][0]})",
                )
            else:
                segment, element = self._labels[n][k]
                q = dataclasses.replace(q, column=segment, element=element)
            placed.append(q)
        return placed
