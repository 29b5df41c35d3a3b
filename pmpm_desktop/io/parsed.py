"""What a payer-file reader returns, and the column toolkit the three readers share.

Values are parsed once per distinct cell text (payer columns repeat: a 100k-row roster has a
few products, rate cells and dates), then mapped back onto the column; every refused cell
becomes a :class:`RowProblem` with its row number, so a file is judged as a whole.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import polars as pl

from pmpm_desktop.io.detect import Detection
from pmpm_desktop.io.fields import (
    SAMPLE_ROWS,
    FieldDetector,
    MappingError,
    check_required,
    given_values,
    label,
    map_columns,
)
from pmpm_desktop.io.options import DecisionKind, ReadDecision, ReadOptions
from pmpm_desktop.io.table import SOURCE_ROW, RawTable, read_table

# A footer row: totals, counts, report stamps. Matched on the member-ID cell, or on any cell
# when the member ID is blank; such rows are not members (SPEC §6).
FOOTER = re.compile(
    r"^\s*(?:grand\s*totals?|sub\s*-?\s*totals?|totals?\b|count\b|record\s*count|"
    r"(?:number|no\.?|#)\s+of\s+(?:members|records|lines)|members?\s*:|report\s+(?:run|date|generated)|"
    r"run\s+date|end\s+of\s+(?:report|file)|page\s+\d+|\*+\s*end)",
    re.IGNORECASE,
)
_NUMBERISH = re.compile(r"^\s*[-+(]?\$?\s*[\d,]*\.?\d+\s*\)?-?\s*$")


def shown(value: str) -> str:
    """A cell as a problem list shows it: date cells without fastexcel's midnight time."""
    return value[:-9] if _MIDNIGHT.match(value) else value


_MIDNIGHT = re.compile(r"^\d{4}-\d{2}-\d{2} 00:00:00$")


@dataclass(frozen=True)
class RowProblem:
    """One refused cell or row: ``row`` is the 1-based row (CSV line) number in the file,
    ``column`` the header as written in the file."""

    row: int
    column: str
    value: str
    reason: str

    def __str__(self) -> str:
        return f"row {self.row}, column {self.column!r}, value {self.value!r}: {self.reason}"


@dataclass(frozen=True)
class ParsedFile:
    """A read file: the good rows in canonical columns, and every problem found."""

    kind: str
    frame: pl.DataFrame
    problems: list[RowProblem]
    mapping: dict[str, str]
    sheet: str | None
    header_row: int
    sha256: str
    file_name: str
    # What header detection chose and how sure it is (the UI asks when not confident).
    detection: Detection = Detection(None, 0, 0.0, 0.0, False)
    #: what the reader decided on its own (sections, totals skipped, amount style, …)
    decisions: tuple[ReadDecision, ...] = ()

    @property
    def ok(self) -> bool:
        """Importable: no problems and at least one data row."""
        return not self.problems and self.frame.height > 0

    def check(self) -> ParsedFile:
        """self, or FileRejected when the file must not be imported."""
        if not self.ok:
            raise FileRejected(self)
        return self


class FileRejected(Exception):
    """A file with problems; ``str()`` lists every one, a line each."""

    def __init__(self, parsed: ParsedFile) -> None:
        self.parsed = parsed
        self.problems = parsed.problems
        super().__init__(parsed.file_name)

    def __str__(self) -> str:
        if not self.problems:
            return f"{self.parsed.file_name} was not imported: it has no data rows"
        lines = [
            f"{self.parsed.file_name} was not imported: {len(self.problems)} problem(s)",
            *(f"  {p}" for p in self.problems),
        ]
        return "\n".join(lines)


def read_raw(path: Path, kind: str, *, sheet: str | None, header_row: int | None) -> RawTable:
    """One sheet of ``path`` as text cells; the sheet (unless named) and the header row (unless
    given) are the ones that best match ``kind``'s field dictionary."""
    return read_table(path, sheet=sheet, header_row=header_row, detector=FieldDetector(kind))


@dataclass
class Columns:
    """The mapped columns of one raw table, parsed field by field into canonical Series."""

    kind: str
    raw: RawTable
    mapping: dict[str, str]
    options: ReadOptions = field(default_factory=ReadOptions)
    frame: pl.DataFrame = field(init=False)
    problems: list[RowProblem] = field(default_factory=list)
    decisions: list[ReadDecision] = field(default_factory=list)

    @classmethod
    def open(
        cls,
        raw: RawTable,
        kind: str,
        overrides: dict[str, str] | None,
        options: ReadOptions | None = None,
    ) -> Columns:
        options = options or ReadOptions()
        given = given_values(kind, options.values)
        if not overrides and raw.detection.fields:
            # Detection already matched the columns (names, then values under them).
            detected = {f: c for f, c in raw.detection.mapping.items() if f not in given}
            mapping = check_required(kind, raw.headers, detected, given=given)
        else:
            sample = raw.frame.head(SAMPLE_ROWS)
            samples = {h: sample[h].to_list() for h in raw.headers}
            mapping = map_columns(kind, raw.headers, overrides, samples=samples, given=given)
        cols = cls(kind, raw, mapping, options)
        for name, value in given.items():
            cols.decisions.append(
                ReadDecision(DecisionKind.VALUE, f"{label(name)} is {value!r} on every row (given)")
            )
        rule = options.id_rule
        if "member_id" in mapping and not rule.is_identity:
            cols.decisions.append(
                ReadDecision(
                    DecisionKind.ID_RULE,
                    f"member IDs read with the payer's ID rule '{rule}': {rule.describe()}",
                    column=mapping["member_id"],
                )
            )
        return cols

    @property
    def given(self) -> dict[str, str]:
        """field → value given for every row (``--set``), for this kind's fields."""
        return given_values(self.kind, self.options.values)

    def __post_init__(self) -> None:
        self.frame = self.raw.frame

    @property
    def rows(self) -> pl.Series:
        return self.frame[SOURCE_ROW]

    def has(self, name: str) -> bool:
        return name in self.mapping or name in self.given

    def text(self, name: str) -> pl.Series:
        """The raw cell text of a field: the value given for every row (``--set``), else its
        column (all null when the field has no column)."""
        given = self.given.get(name)
        if given is not None:
            return pl.Series(name, [given] * self.frame.height, dtype=pl.String)
        if name not in self.mapping:
            return pl.Series(name, [None] * self.frame.height, dtype=pl.String)
        return self.frame[self.mapping[name]].alias(name)

    def drop_rows(self, mask: pl.Series) -> None:
        self.frame = self.frame.filter(~mask)

    def parse(
        self,
        name: str,
        parser: Callable[[str], Any],
        dtype: pl.DataType | type[pl.DataType],
        shortcut: Callable[[pl.Series], pl.Series] | None = None,
    ) -> pl.Series:
        """Apply ``parser`` to each distinct cell text of the field; refused cells → problems
        and null. ``shortcut`` may answer for many cells at once (null where it cannot).
        Returns the parsed Series named ``name``. A value given for every row that the
        parser refuses is refused as a whole (MappingError), not row by row."""
        given = self.given.get(name)
        if given is not None:
            try:
                value = parser(given)
            except ValueError as exc:
                raise MappingError(f"--set {name}={given}: {exc}") from None
            return pl.Series(name, [value] * self.frame.height, dtype=dtype)
        raw = self.text(name)
        if name not in self.mapping:
            return raw.cast(dtype)
        done: pl.Series | None = None
        todo = raw
        if shortcut is not None:
            done = shortcut(raw)
            todo = raw.filter(done.is_null())
        good: dict[str, Any] = {}
        bad: dict[str, str] = {}
        for value in todo.drop_nulls().unique().to_list():
            try:
                good[value] = parser(value)
            except ValueError as exc:
                bad[value] = str(exc)
        self.report(name, raw, bad)
        if good:
            parsed = raw.replace_strict(
                list(good), list(good.values()), default=None, return_dtype=dtype
            )
        else:
            parsed = pl.Series(name, [None] * raw.len(), dtype=dtype)
        if done is not None:
            parsed = done.cast(dtype).fill_null(parsed)
        return parsed.alias(name)

    def report(self, name: str, raw: pl.Series, bad: dict[str, str]) -> None:
        """A problem for each row whose cell text is a key of ``bad`` (text → reason)."""
        if not bad:
            return
        hit = raw.is_in(list(bad))
        column = self.mapping[name]
        for row, value in zip(
            self.rows.filter(hit).to_list(), raw.filter(hit).to_list(), strict=True
        ):
            self.problems.append(RowProblem(int(row), column, shown(value), bad[value]))

    def require(self, name: str, what: str) -> None:
        """A problem for each row whose field is blank (refused cells are reported already)."""
        raw = self.text(name)
        column = self.mapping.get(name, name)
        for row in self.rows.filter(raw.is_null()).to_list():
            self.problems.append(RowProblem(int(row), column, "", f"{what} is blank"))

    def row_problem(
        self,
        mask: pl.Series,
        name: str,
        reason: Callable[[dict[str, Any]], str],
        values: pl.DataFrame,
    ) -> None:
        """A problem for each row where ``mask`` holds; ``reason`` gets that row of ``values``."""
        if not mask.any():
            return
        raw = self.text(name)
        column = self.mapping.get(name, name)
        picked = values.with_columns(self.rows, raw.alias("__raw__")).filter(mask)
        for record in picked.iter_rows(named=True):
            self.problems.append(
                RowProblem(
                    int(record[SOURCE_ROW]), column, shown(record["__raw__"] or ""), reason(record)
                )
            )

    def footer_rows(self, member_field: str, *, amount_field: str | None = None) -> pl.Series:
        """Rows that are totals or report footers, not members (SPEC §6)."""
        member = self.text(member_field)
        candidates = member.is_null() | member.str.contains("(?i)" + FOOTER.pattern)
        if not candidates.any():
            return candidates
        headers = self.raw.headers
        amount_header = self.mapping.get(amount_field) if amount_field else None
        member_header = self.mapping[member_field]
        flags = [False] * self.frame.height
        sub = self.frame.with_row_index("__i__").filter(candidates)
        for record in sub.iter_rows(named=True):
            cells = [(h, record[h]) for h in headers if record[h] is not None]
            flags[record["__i__"]] = _is_footer(cells, member_header, amount_header)
        return pl.Series("footer", flags, dtype=pl.Boolean)

    def finish(self, columns: Sequence[pl.Series]) -> ParsedFile:
        frame = pl.DataFrame([*columns, self.rows.cast(pl.Int64)])
        bad_rows = {p.row for p in self.problems}
        if bad_rows:
            frame = frame.filter(~pl.col(SOURCE_ROW).is_in(list(bad_rows)))
        order = {h: i for i, h in enumerate(self.raw.headers)}
        self.problems.sort(key=lambda p: (p.row, order.get(p.column, len(order))))
        return ParsedFile(
            kind=self.kind,
            frame=frame,
            problems=self.problems,
            mapping=dict(self.mapping),
            sheet=self.raw.sheet,
            header_row=self.raw.header_row,
            sha256=self.raw.sha256,
            file_name=self.raw.file_name,
            detection=self.raw.detection,
            decisions=tuple(self.decisions),
        )


def _is_footer(cells: list[tuple[str, str]], member_header: str, amount_header: str | None) -> bool:
    member = next((v for h, v in cells if h == member_header), None)
    if member is not None:
        return FOOTER.match(member) is not None
    # Blank member ID: a footer when any cell says so, or when the row holds nothing but
    # numbers (a count or an amount total).
    return any(FOOTER.match(v) for _, v in cells) or all(
        _NUMBERISH.match(v) or h == amount_header for h, v in cells
    )
