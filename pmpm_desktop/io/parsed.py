"""What a payer-file reader returns, and the column toolkit the three readers share.

Values are parsed once per distinct cell text (payer columns repeat: a 100k-row roster has a
few products, rate cells and dates), then mapped back onto the column; every refused cell
becomes a :class:`RowProblem` with its row number, so a file is judged as a whole.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from enum import StrEnum
from functools import cached_property
from pathlib import Path
from typing import Any

import polars as pl

from pmpm_desktop.core.clock import now
from pmpm_desktop.core.money import money_to_cents
from pmpm_desktop.errors import LISTED_PROBLEMS
from pmpm_desktop.io import layout
from pmpm_desktop.io.cell_characters import bad_cells
from pmpm_desktop.io.context import context_values
from pmpm_desktop.io.date_columns import (
    OPEN_ENDED_MONTH,
    DateOrder,
    decide_order,
    far_ends,
    open_ended_decision,
)
from pmpm_desktop.io.detect import Detection
from pmpm_desktop.io.fields import (
    SAMPLE_ROWS,
    FieldDetector,
    MappingError,
    check_required,
    choose_fields,
    fields,
    given_values,
    label,
    map_columns,
    with_article,
)
from pmpm_desktop.io.kinds import KindVerdict, check_kind
from pmpm_desktop.io.number_style import (
    DecimalChoice,
    DecimalQuestion,
    NumberColumn,
    amount_marks,
    decide,
)
from pmpm_desktop.io.options import DecisionKind, FileKind, ReadDecision, ReadOptions
from pmpm_desktop.io.read_report import ReadReport
from pmpm_desktop.io.table import SOURCE_ROW, FileReadError, RawTable, read_table
from pmpm_desktop.io.values import (
    EARLIEST_BIRTH,
    OPEN_ENDED_FROM,
    NumberStyle,
    date_shortcut,
    parse_amount,
)

# A footer row: totals, counts, report stamps (io.layout.TOTAL), in the member-ID cell or in
# any other cell; such rows are not members (SPEC §6).
FOOTER = layout.TOTAL
_NUMBERISH = re.compile(r"^\s*[-+(]?\$?\s*[\d,]*\.?\d+\s*\)?-?\s*$")


def shown(value: str) -> str:
    """A cell as a problem list shows it: date cells without fastexcel's midnight time."""
    return value[:-9] if _MIDNIGHT.match(value) else value


_MIDNIGHT = re.compile(r"^\d{4}-\d{2}-\d{2} 00:00:00$")


class Place(StrEnum):
    """What a problem's number counts: spreadsheet rows (and text lines), or X12 segments."""

    ROW = "row"
    SEGMENT = "segment"


@dataclass(frozen=True, slots=True)
class RowProblem:
    """One refused cell or row: ``row`` is the 1-based row (CSV line) number in the file,
    ``column`` the header as written in the file.

    In an X12 file (``place`` SEGMENT) ``row`` is the segment's 1-based number from the ISA,
    ``column`` the segment as the guide names it (``DTP*349``) and ``element`` its element
    (``03``), so the problem reads as an EDI analyst looks for it."""

    row: int
    column: str
    value: str
    reason: str
    place: Place = Place.ROW
    element: str = ""

    def __str__(self) -> str:
        if self.place is Place.ROW:
            return f"row {self.row}, column {self.column!r}, value {self.value!r}: {self.reason}"
        where = f"segment {self.row} ({self.column})"
        if self.element:
            where += f", element {self.element}"
        if not self.value:
            return f"{where}: {self.reason}"
        # "'20261340' is not a date", as the parsers' reasons start "not a date …"
        joint = " is " if self.reason.startswith("not ") else ": "
        return f"{where}: {self.value!r}{joint}{self.reason}"


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
    #: field → value on every row (``--set``, or found in the title, sheet or file name)
    values: dict[str, str] = field(default_factory=dict)
    #: problems of the whole file, a sentence each (e.g. its decimal separator is unclear)
    file_problems: tuple[str, ...] = ()
    #: the file's numbers read either with a decimal comma or a decimal point: ask the user
    decimal_question: DecimalQuestion | None = None

    def report(self) -> ReadReport:
        """How the file was read, for the import's output and the wizard."""
        d = self.detection
        return ReadReport(
            sheet=self.sheet,
            header_rows=d.header_rows or (self.header_row,),
            mapping=dict(self.mapping),
            values=dict(self.values),
            confident=d.confident,
            given=d.given,
            score=d.score,
            runner_up=d.runner_up,
            decisions=self.decisions,
        )

    @property
    def ok(self) -> bool:
        """Importable: no problems and at least one data row."""
        return not self.problems and not self.file_problems and self.frame.height > 0

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
        whole = self.parsed.file_problems
        if not self.problems and not whole:
            return f"{self.parsed.file_name} was not imported: it has no data rows"
        total = len(self.problems) + len(whole)
        listed = [*whole, *self.problems[: max(LISTED_PROBLEMS - len(whole), 0)]]
        lines = [
            f"{self.parsed.file_name} was not imported: {total:,} problem(s)",
            *(f"  {p}" for p in listed[:LISTED_PROBLEMS]),
        ]
        if total > LISTED_PROBLEMS:
            lines.append(f"  … and {total - LISTED_PROBLEMS:,} more")
        return "\n".join(lines)


def read_raw(path: Path, kind: str, *, sheet: str | None, header_row: int | None) -> RawTable:
    """One sheet of ``path`` as text cells; the sheet (unless named) and the header row (unless
    given) are the ones that best match ``kind``'s field dictionary.

    A file in which no header of ``kind`` is found, or one without a column for a required
    field, is read as the other kinds too: WrongKind when it plainly is one of them."""
    try:
        raw = read_table(path, sheet=sheet, header_row=header_row, detector=FieldDetector(kind))
    except FileReadError:
        _refuse_other_kind(path, kind, sheet, header_row)
        raise
    found = raw.detection.mapping
    if any(f.required and f.name not in found for f in fields(kind)):
        _refuse_other_kind(path, kind, sheet, header_row)
    return raw


def _refuse_other_kind(path: Path, kind: str, sheet: str | None, header_row: int | None) -> None:
    """WrongKind when ``path`` reads completely as another kind and plainly is that kind."""
    for other in FileKind:
        if other == kind:
            continue
        try:
            raw = read_table(
                path, sheet=sheet, header_row=header_row, detector=FieldDetector(other)
            )
        except FileReadError:
            continue
        if any(f.required and f.name not in raw.detection.mapping for f in fields(other)):
            continue
        sample = raw.frame.head(SAMPLE_ROWS)
        check_kind(
            raw.file_name, FileKind(kind), raw.headers, [sample[h].to_list() for h in raw.headers]
        )


@dataclass
class Columns:
    """The mapped columns of one raw table, parsed field by field into canonical Series."""

    kind: str
    raw: RawTable
    mapping: dict[str, str]
    options: ReadOptions = field(default_factory=ReadOptions)
    #: field → value for every row: the user's ``--set``, or found in the sheet's context
    given: dict[str, str] = field(default_factory=dict)
    frame: pl.DataFrame = field(init=False)
    problems: list[RowProblem] = field(default_factory=list)
    decisions: list[ReadDecision] = field(default_factory=list)
    file_problems: list[str] = field(default_factory=list)

    @classmethod
    def open(
        cls,
        raw: RawTable,
        kind: str,
        overrides: dict[str, str] | None,
        options: ReadOptions | None = None,
    ) -> Columns:
        """Map the table's columns to ``kind``'s fields: the user's ``overrides``, else what
        detection found; a field without a column takes a section's values, then a value the
        sheet's title, sheet name or file name gives (a statement's month, a roster's product).
        MappingError names a required field left with neither."""
        options = options or ReadOptions()
        sample = raw.frame.head(SAMPLE_ROWS)
        verdict = check_kind(
            raw.file_name,
            FileKind(kind),
            raw.headers,
            [sample[h].to_list() for h in raw.headers],
            member_ids="member_id" in (overrides or {}),
        )
        given = given_values(kind, options.values)
        if not overrides and raw.detection.fields:
            # Detection already matched the columns (names, then values under them).
            mapping = {f: c for f, c in raw.detection.mapping.items() if f not in given}
        else:
            samples = {h: sample[h].to_list() for h in raw.headers}
            mapping = map_columns(
                kind,
                [*raw.headers, *raw.sections.values()],
                _known(overrides, raw),
                samples=samples,
                given=given,
                require=False,
            )
        decisions = [_kind_decision(FileKind(kind), verdict), *raw.decisions]
        decisions += [
            ReadDecision(
                DecisionKind.COLUMN,
                f"{label(c.field)} is column {c.column!r}, chosen by its values "
                "(its name does not say)",
                column=c.column,
            )
            for c in raw.detection.fields
            if c.how == "values" and mapping.get(c.field) == c.column
        ]
        for name, column in raw.sections.items():
            if name not in mapping and name not in given:
                mapping[name] = column
        found, found_decisions = context_values(raw, kind, options, skip={*mapping, *given})
        decisions += found_decisions
        values = {**found, **given}
        mapping = check_required(
            kind, [*raw.headers, *raw.sections.values()], mapping, given=values
        )
        for name, value in given.items():
            decisions.append(
                ReadDecision(DecisionKind.VALUE, f"{label(name)} is {value!r} on every row (given)")
            )
        rule = options.id_rule
        if "member_id" in mapping and not rule.is_identity:
            decisions.append(
                ReadDecision(
                    DecisionKind.ID_RULE,
                    f"member IDs read with the payer's ID rule '{rule}': {rule.describe()}",
                    column=mapping["member_id"],
                )
            )
        _refuse_duplicates(kind, raw, mapping, overrides or {})
        cols = cls(kind, raw, mapping, options, values, decisions=decisions)
        for row, column, reason in bad_cells(raw.frame, mapping.values(), mixed=raw.mixed_bytes):
            cols.problems.append(RowProblem(row, column, "", reason))
        return cols

    def __post_init__(self) -> None:
        self.frame = self.raw.frame
        self._orders: dict[str, DateOrder] = {}

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
        # One shown text per distinct value: a million refused cells share a few strings.
        texts = {value: shown(value) for value in bad}
        for row, value in zip(
            self.rows.filter(hit).to_list(), raw.filter(hit).to_list(), strict=True
        ):
            self.problems.append(RowProblem(row, column, texts[value], bad[value]))

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

    def drop_footers(self, member_field: str, *, amount_field: str | None = None) -> None:
        """Drop the rows that are totals, counts or report footers (SPEC §6), and say so."""
        footers = self.footer_rows(member_field, amount_field=amount_field)
        if footers.any():
            rows = self.rows.filter(footers).to_list()
            self.decisions.append(
                ReadDecision(
                    DecisionKind.SKIPPED,
                    f"{len(rows)} row{'s are' if len(rows) != 1 else ' is a'} "
                    f"total{'s' if len(rows) != 1 else ''} or report footer"
                    f"{'s' if len(rows) != 1 else ''}: skipped",
                    tuple(int(r) for r in rows),
                )
            )
            self.drop_rows(footers)

    def fill_member_blocks(self, identity: Sequence[str], lines: Sequence[str]) -> None:
        """Member blocks: a member's cells written once (or merged down) over the lines of its
        block. A row whose member cells (``identity`` fields) are all blank and which holds
        line values (``lines`` fields), directly under a row of a member (no row between in
        the file), takes that member's cells, when the file has two or more such rows. A
        member's own row that holds no line values while lines follow it (a heading row of the
        block) is dropped. Anything less clear is left alone (it is then a "member ID is blank"
        problem)."""
        ident = [self.mapping[f] for f in identity if f in self.mapping and f not in self.given]
        line = [self.mapping[f] for f in lines if f in self.mapping and f not in self.given]
        if not ident or not line or self.frame.height < 2:
            return
        frame = self.frame
        blank_member = pl.all_horizontal(pl.col(c).is_null() for c in ident)
        has_line = pl.any_horizontal(pl.col(c).is_not_null() for c in line)
        adjacent = pl.col(SOURCE_ROW).diff().fill_null(0) == 1
        marks = frame.select(
            cont=(blank_member & has_line & adjacent),
            line=has_line,
        )
        cont = marks["cont"]
        if cont.sum() < 2:
            return  # one such row is a blank ID in a flat file, not a block structure
        block = (~cont).cast(pl.Int64).cum_sum().alias("__block__")
        filled = frame.with_columns(block).with_columns(
            pl.col(c).forward_fill().over("__block__") for c in ident
        )
        # A block's first row with the member only, over lines: a heading, not a line.
        starts = filled.select(heading=~cont & ~marks["line"] & cont.shift(-1, fill_value=False))[
            "heading"
        ]
        rows = self.rows.filter(cont).to_list()
        self.decisions.append(
            ReadDecision(
                DecisionKind.BLOCK,
                f"member blocks: the member's cells were filled into {len(rows)} "
                "continuation row(s) of its block",
                tuple(int(r) for r in rows),
            )
        )
        if starts.any():
            headings = self.rows.filter(starts).to_list()
            self.decisions.append(
                ReadDecision(
                    DecisionKind.SKIPPED,
                    f"{len(headings)} member heading row(s) over their lines: skipped",
                    tuple(int(r) for r in headings),
                )
            )
        self.frame = filled.drop("__block__").filter(~starts)

    # --- numbers: one decimal separator per file ---------------------------------------------

    @cached_property
    def decimal(self) -> DecimalChoice:
        """The file's decimal separator, decided once from every number column it has
        (amounts, risk scores, rates); an undecidable file gets a whole-file problem."""
        numbers = [
            NumberColumn(self.mapping[f.name], self.text(f.name), small=f.values == "score")
            for f in fields(self.kind)
            if f.values in _NUMBER_VALUES and f.name in self.mapping
        ]
        choice = decide(numbers, self.options.decimal_comma)
        if choice.decision is not None:
            self.decisions.append(choice.decision)
        if choice.problem is not None:
            self.file_problems.append(choice.problem)
        return choice

    @property
    def style(self) -> NumberStyle:
        """How this file's numbers read (decimal separator, what CR and DR mean)."""
        return self.decimal.style(self.options.credit_is_payment)

    def number_parser(self, parse: Callable[[str, NumberStyle], Any]) -> Callable[[str], Any]:
        """``parse`` with the file's style. While the separator is undecided (the file is
        refused for it anyway) a value that reads in either style is not a row problem."""
        style = self.style
        if self.decimal.decided:
            return lambda text: parse(text, style)
        other = NumberStyle(not style.decimal_comma, style.credit_is_payment)

        def either(text: str) -> Any:
            try:
                return parse(text, style)
            except ValueError:
                try:
                    return parse(text, other)
                except ValueError:
                    pass
                raise

        return either

    def amounts(self, name: str) -> pl.Series:
        """A money field as signed integer cents (Int64), in the file's amount style; what
        the style made of CR/DR and trailing minus signs is recorded as a decision."""
        cents = self.parse(name, self.number_parser(_cents), pl.Int64)
        if name in self.mapping and name not in self.given:
            column, credit = self.mapping[name], self.options.credit_is_payment
            self.decisions.extend(amount_marks(column, self.text(name), credit))
        return cents

    # --- dates: day/month order per column, dates at the edges -------------------------------

    def date_order(self, name: str) -> DateOrder:
        """The day/month order of a date or month field, decided from its whole column once
        (``ReadOptions.day_first`` wins); the decision is recorded."""
        if name not in self._orders:
            if name not in self.mapping or name in self.given:
                order = DateOrder(self.options.day_first)
            else:
                order = decide_order(self.mapping[name], self.text(name), self.options.day_first)
                if order.decision is not None:
                    self.decisions.append(order.decision)
            self._orders[name] = order
        return self._orders[name]

    def dates(self, name: str) -> pl.Series:
        """A date field (pl.Date), its day/month order decided from the whole column."""
        return self.parse(name, self.date_order(name).dates(), pl.Date, date_shortcut)

    def months(self, name: str) -> pl.Series:
        """A month field as ``YYYY-MM`` text, dates in it read in the column's order."""
        return self.parse(name, self.date_order(name).months(), pl.String)

    def open_ended(self, name: str, values: pl.Series) -> pl.Series:
        """``values`` (dates, or ``YYYY-MM`` months) with every "no end" placeholder
        (9999-12-31, 2099-12-31, 2078-12-31, Excel's largest date …) made null; how many
        there were is recorded as a decision."""
        far = far_ends(values)
        if far.any():
            self.decisions.append(open_ended_decision(self.mapping.get(name, name), values, far))
        kept = pl.select(pl.when(pl.lit(far)).then(None).otherwise(pl.lit(values)))
        return kept.to_series().alias(values.name)

    def refuse_far(self, name: str, values: pl.Series, what: str) -> None:
        """A row problem for each start date or month from 2078-12-31 on: such a date is a
        placeholder for "no end", never the start of anything."""
        since = OPEN_ENDED_FROM if values.dtype == pl.Date else OPEN_ENDED_MONTH
        self.row_problem(
            far_ends(values),
            name,
            lambda r: (
                f"{what} {r['v']} is a placeholder for 'no end' (from {since} on), not a "
                f"real {what}"
            ),
            pl.DataFrame([values.alias("v")]),
        )

    def refuse_odd_births(self, name: str, values: pl.Series) -> None:
        """A row problem for each date of birth in the future or before 1900."""
        today = now().date()
        frame = pl.DataFrame([values.alias("v")])
        self.row_problem(
            (values > today).fill_null(False),
            name,
            lambda r: f"date of birth {r['v']} is in the future",
            frame,
        )
        self.row_problem(
            (values < EARLIEST_BIRTH).fill_null(False),
            name,
            lambda r: f"date of birth {r['v']} is before {EARLIEST_BIRTH.year}",
            frame,
        )

    def footer_rows(self, member_field: str, *, amount_field: str | None = None) -> pl.Series:
        """Rows that are totals or report footers, not members (SPEC §6)."""
        headers = [h for h in self.raw.headers if h in self.frame.columns]
        member_header = self.mapping.get(member_field)
        line_header = self.mapping.get("line_type")
        if member_header is None or member_field in self.given:
            return pl.Series("footer", [False] * self.frame.height, dtype=pl.Boolean)
        pattern = "(?i)" + FOOTER.pattern
        # A member's line may have a line type such as "Total Capitation": that cell only
        # counts where the row has no member ID.
        said = (
            pl.any_horizontal(
                pl.col(h).str.contains(pattern).fill_null(False)
                for h in headers
                if h not in (member_header, line_header)
            )
            if len(headers) > 1
            else pl.lit(False)
        )
        member = pl.col(member_header)
        candidates = self.frame.select(
            (member.is_null() | member.str.contains(pattern).fill_null(False) | said).alias("c")
        )["c"]
        if not candidates.any():
            return candidates
        amount_header = self.mapping.get(amount_field) if amount_field else None
        flags = [False] * self.frame.height
        sub = self.frame.with_row_index("__i__").filter(candidates)
        for record in sub.iter_rows(named=True):
            cells = [(h, record[h]) for h in headers if record[h] is not None]
            flags[record["__i__"]] = _is_footer(cells, member_header, amount_header, line_header)
        return pl.Series("footer", flags, dtype=pl.Boolean)

    def finish(self, columns: Sequence[pl.Series]) -> ParsedFile:
        decimal = self.decimal  # decided by now when the file has number columns
        frame = pl.DataFrame([*columns, self.rows.cast(pl.Int64)])
        bad_rows = {p.row for p in self.problems}
        if bad_rows:
            frame = frame.filter(~pl.col(SOURCE_ROW).is_in(list(bad_rows)))
        order = {h: i for i, h in enumerate(self.raw.headers)}
        width = len(order) + 1
        # One int a key, not a tuple: a refused million-row file has two million problems.
        self.problems.sort(key=lambda p: p.row * width + order.get(p.column, len(order)))
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
            values=dict(self.given),
            file_problems=tuple(self.file_problems),
            decimal_question=decimal.question,
        )


_NUMBER_VALUES = frozenset({"money", "score"})


def _cents(text: str, style: NumberStyle) -> int | None:
    amount = parse_amount(text, style)
    return None if amount is None else money_to_cents(amount)


def _known(overrides: dict[str, str] | None, raw: RawTable) -> dict[str, str] | None:
    """``overrides`` without a section column of an earlier file that this one lacks (a saved
    profile may name one): the field then takes this file's section, or detection's column."""
    if not overrides:
        return overrides
    present = {*raw.headers, *raw.sections.values()}
    return {f: c for f, c in overrides.items() if not c.endswith(" (section)") or c in present}


def _refuse_duplicates(
    kind: str, raw: RawTable, mapping: dict[str, str], chosen: dict[str, str]
) -> None:
    """MappingError when a field takes one of several columns of the same name and another of
    them would serve it as well, unless the user said which (``--map``): the first is not
    always the one meant. Columns the values tell apart (member IDs beside NPIs, birth dates
    beside effective dates) are fine."""
    for group in raw.duplicates.values():
        names = [name for name, _ in group]
        for field_name, column in mapping.items():
            if column not in names or field_name in chosen:
                continue
            if not _rival_in(kind, raw, mapping, field_name, column, names):
                continue
            letters = " and ".join(letter for _, letter in group)
            choices = " or ".join(f"{field_name}={name!r}" for name in names[:3])
            raise MappingError(
                f"the columns {names[0]!r} ({letters}) have the same name: choose the one that "
                f"holds the {label(field_name)} (on the command line: --map {choices})"
            )


def _rival_in(
    kind: str,
    raw: RawTable,
    mapping: dict[str, str],
    field_name: str,
    column: str,
    names: list[str],
) -> bool:
    """Another of ``names`` fits the field about as well as ``column`` does, judged by
    detection on each of them alone (name and values)."""
    others = {f: c for f, c in mapping.items() if f != field_name and c in raw.headers}
    sample = raw.frame.head(SAMPLE_ROWS)
    values = [sample[h].to_list() for h in raw.headers]

    def fit(without: set[str]) -> tuple[str | None, float]:
        headers = [None if h in without else h for h in raw.headers]
        _, choices = choose_fields(kind, headers, values, others)
        found = next((c for c in choices if c.field == field_name), None)
        return (found.column, found.confidence) if found is not None else (None, 0.0)

    _, alone = fit(set(names) - {column})
    rival, rival_fit = fit({column})
    return rival in names and rival_fit >= RIVAL_SHARE * alone


#: a same-named column fitting a field this well beside the one taken makes the choice a guess
RIVAL_SHARE = 0.9


def _kind_decision(kind: FileKind, verdict: KindVerdict) -> ReadDecision:
    scores = ", ".join(f"{k.label} {verdict.scores[k]:g}" for k in FileKind)
    if verdict.kind is kind and verdict.scores[kind] > 0:
        text = f"it reads as {with_article(kind.label)}: {verdict.reason(kind)} (weights: {scores})"
    else:
        text = f"read as {with_article(kind.label)}, as asked (weights: {scores})"
    return ReadDecision(DecisionKind.KIND, text)


def _is_footer(
    cells: list[tuple[str, str]],
    member_header: str,
    amount_header: str | None,
    line_header: str | None = None,
) -> bool:
    member = next((v for h, v in cells if h == member_header), None)
    if member is not None:
        # "TOTAL" in the ID column, or a subtotal beside an ID ("Total for member", a count).
        return FOOTER.match(member) is not None or any(
            FOOTER.match(v) for h, v in cells if h not in (member_header, line_header)
        )
    # Blank member ID: a footer when any cell says so, or when the row holds nothing but
    # numbers (a count or an amount total).
    return any(FOOTER.match(v) for _, v in cells) or all(
        _NUMBERISH.match(v) or h == amount_header for h, v in cells
    )
