"""Read one sheet of a payer spreadsheet or CSV into a frame of text cells.

Every cell comes out as text (or null): member IDs keep their leading zeros, and one set of
value parsers (``io.values``) decides what each cell means whatever the file format. Each data
row keeps the 1-based row (or CSV line) number it had in the file, so problems can say "row 17".
"""

from __future__ import annotations

import hashlib
import io
import zipfile
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass, field, replace
from pathlib import Path

import fastexcel
import polars as pl

from pmpm_desktop.io import layout, sheet_rows, xlsx_parts
from pmpm_desktop.io.csv_cells import csv_cells
from pmpm_desktop.io.detect import Detection, FieldChoice, HeaderDetector, RowAssessment
from pmpm_desktop.io.header_search import HEADER_SEARCH_ROWS as HEADER_SEARCH_ROWS
from pmpm_desktop.io.header_search import VALUE_SAMPLE_ROWS as VALUE_SAMPLE_ROWS
from pmpm_desktop.io.header_search import Candidate, clean_header, find_header
from pmpm_desktop.io.number_formats import show_credit_formats
from pmpm_desktop.io.options import DecisionKind, ReadDecision
from pmpm_desktop.io.read_errors import FileReadError as FileReadError
from pmpm_desktop.io.read_errors import UnreadableFile, file_bytes, some_names
from pmpm_desktop.io.sheet_rows import (
    drop_repeats,
    header_decision,
    rows_text,
    sections_and_notes,
    verb,
)
from pmpm_desktop.io.text_encoding import Decoded
from pmpm_desktop.io.xlsx_parts import column_letters
from pmpm_desktop.io.zip_guard import check_workbook

#: the column holding each row's 1-based number in the file
SOURCE_ROW = sheet_rows.SOURCE_ROW
EXCEL_SUFFIXES = frozenset({".xlsx", ".xlsm", ".xls", ".xlsb", ".ods"})
TEXT_SUFFIXES = frozenset({".csv", ".txt", ".tsv"})
# Detection is "confident" when the best header row has every required field and beats any
# other row or sheet by this factor.
CONFIDENT_MARGIN = 1.5
#: the widest sheet read (payer files have a few dozen columns)
MAX_COLUMNS = 1_000

HeaderScorer = Callable[[Sequence[str | None]], int]


@dataclass(frozen=True)
class RawTable:
    """One sheet's data rows: a text column per header (as written, trimmed, made unique) and a
    ``source_row`` Int64 column with each row's 1-based number in the file."""

    frame: pl.DataFrame
    headers: list[str]
    sheet: str | None
    header_row: int
    sha256: str
    file_name: str
    detection: Detection = Detection(None, 0, 0.0, 0.0, False)
    #: field → the column added for the values section rows give the rows below them
    sections: dict[str, str] = field(default_factory=dict)
    #: the text of the rows above the header (titles, report parameters), top first
    preamble: tuple[str, ...] = ()
    #: what the layout reading decided (header rows, sections, rows skipped)
    decisions: tuple[ReadDecision, ...] = ()
    #: the other sheets of the workbook with the same columns (a sheet per product or month)
    siblings: tuple[RawTable, ...] = ()
    #: the codec a text file was read with ("utf-8"; workbooks: "")
    encoding: str = ""
    #: a text file of UTF-8 but for some bytes, which became text_encoding.BAD_BYTES
    mixed_bytes: bool = False
    #: header → every column of the same name, as made unique ("Paid Amount", "Paid Amount
    #: (2)"), each with its column letter: a field mapped to one of them by detection or a
    #: profile is refused until ``--map`` picks one
    duplicates: dict[str, tuple[tuple[str, str], ...]] = field(default_factory=dict)

    @property
    def sheets(self) -> tuple[RawTable, ...]:
        """This sheet and its siblings, each on its own."""
        return (replace(self, siblings=()), *self.siblings)


def read_table(
    path: Path,
    *,
    sheet: str | None = None,
    header_row: int | None = None,
    header_scorer: HeaderScorer | None = None,
    detector: HeaderDetector | None = None,
) -> RawTable:
    """Read ``path`` (xlsx/xlsm/xls/ods or CSV/TXT/TSV); fully blank rows are dropped, and so
    are rows repeating the header (reports repeat it on every page).

    ``header_row`` is 1-based; when None, the row among the first 30 that ``detector`` (or the
    older ``header_scorer``) rates best is the header (the first non-blank row without either).
    With a ``detector`` and no ``sheet``, every visible sheet of a workbook is scored and the
    best one read (hidden sheets only when named); a file where no row is recognisable raises
    FileReadError naming what was looked for. ``RawTable.detection`` says what was chosen.
    """
    if detector is None and header_scorer is not None:
        detector = _ScorerDetector(header_scorer)
    data = file_bytes(path)
    sheets, decoded = _sheets(data, path, sheet, several=detector is not None)
    scores: list[tuple[str, float]] = []
    empty: list[str] = []
    read: list[Candidate] = []
    for sheet_name, raw_cells, merged_down in sheets:
        where = f"sheet {sheet_name!r}" if sheet_name is not None else path.name
        cells = _non_blank(raw_cells)
        if cells is None:
            empty.append(where)
            continue
        if cells.width - 1 > MAX_COLUMNS:
            # Every layout check runs per column: 10,000 of them would take gigabytes.
            raise FileReadError(
                f"{where} has {cells.width - 1:,} columns: a payer file has at most "
                f"{MAX_COLUMNS:,} (is it the right file?)"
            )
        candidate = find_header(cells, where, sheet_name, header_row, detector)
        candidate.merged_down = merged_down
        read.append(candidate)
        if sheet_name is not None:
            scores.append((sheet_name, candidate.score))
    if not read:
        if len(empty) == 1:
            raise UnreadableFile(f"{empty[0]} is empty")
        raise UnreadableFile(f"{path.name} holds no data: every sheet is empty")
    best = max(read, key=lambda c: c.score)  # the first of equals
    if detector is not None and header_row is None and best.score <= 0:
        where = best.where if not scores or len(scores) == 1 else "any sheet of " + path.name
        raise FileReadError(
            f"no header row found in the first {HEADER_SEARCH_ROWS} rows of {where}: "
            f"looked for {detector.looked_for()}"
        )
    rival = max([c.score for c in read if c is not best] + [c.runner_up for c in read], default=0.0)
    table = _to_table(best, detector, data, path.name, header_row, rival, scores)
    if decoded is not None:
        table = _with_encoding(table, decoded)
    if detector is None or sheet is not None:
        return table
    same = _same_columns(best, read)
    if not same:
        return table
    return _with_siblings(best, same, read, detector, data, path.name, header_row, scores)


def _with_siblings(
    best: Candidate,
    same: list[Candidate],
    read: list[Candidate],
    detector: HeaderDetector,
    data: bytes,
    file_name: str,
    header_row: int | None,
    scores: list[tuple[str, float]],
) -> RawTable:
    """A sheet per product or month: every sheet with the header's columns is part of the
    file, and no rival of the header."""
    rival = max(
        [c.score for c in read if c is not best and c not in same] + [c.runner_up for c in read],
        default=0.0,
    )
    table = _to_table(best, detector, data, file_name, header_row, rival, scores)
    siblings = tuple(
        _to_table(c, detector, data, file_name, header_row, rival, scores) for c in same
    )
    names = some_names([str(c.sheet) for c in [best, *same]])
    note = ReadDecision(
        DecisionKind.SHEET,
        f"sheets {names} have the same columns: the rows of all of them are read",
    )
    return replace(table, siblings=siblings, decisions=(note, *table.decisions))


_Sheets = Iterator[tuple[str | None, pl.DataFrame, frozenset[int]]]


def _sheets(
    data: bytes, path: Path, sheet: str | None, *, several: bool
) -> tuple[_Sheets, Decoded | None]:
    """The sheets of a workbook (name, cells, merged-down columns), or a text file's one
    table with how its text was decoded."""
    suffix = path.suffix.lower()
    if suffix in EXCEL_SUFFIXES:
        return _excel_sheets(data, path, sheet, several=several), None
    if suffix in TEXT_SUFFIXES:
        if sheet is not None:
            raise FileReadError(f"{path.name} is a text file: it has no sheets (drop --sheet)")
        text_cells, decoded = csv_cells(data, path)
        return iter([(None, text_cells, frozenset())]), decoded
    raise UnreadableFile(
        f"{path.name}: unsupported file type {suffix or '(none)'} "
        "(expected .xlsx, .xlsm, .xls, .ods or .csv)"
    )


def _with_encoding(table: RawTable, decoded: Decoded) -> RawTable:
    """The table with how its text was decoded: a decision when it was not UTF-8."""
    note = decoded.note
    decisions = table.decisions
    if note is not None:
        decisions = (ReadDecision(DecisionKind.ENCODING, note), *decisions)
    return replace(table, encoding=decoded.encoding, mixed_bytes=decoded.mixed, decisions=decisions)


def _same_columns(best: Candidate, read: list[Candidate]) -> list[Candidate]:
    """The other sheets whose header has the best sheet's columns and which have rows below."""
    columns = [clean_header(c).casefold() for c in best.header]
    return [
        c
        for c in read
        if c is not best
        and c.score >= 0.9 * best.score
        and [clean_header(h).casefold() for h in c.header] == columns
        and c.cells.height > c.index + 1
    ]


# --- Excel --------------------------------------------------------------------------------


def _excel_sheets(
    data: bytes, path: Path, sheet: str | None, *, several: bool
) -> Iterator[tuple[str, pl.DataFrame, frozenset[int]]]:
    """The named sheet; else the visible sheets (all of them when ``several``, else the first),
    each loaded once, in workbook order."""
    check_workbook(data, path.name)
    if data[:4] == b"PK\x03\x04":
        _refuse_other_office_files(data, path)
    try:
        reader = fastexcel.read_excel(data)
        names = list(reader.sheet_names)
    except Exception:  # fastexcel raises several unrelated types for non-spreadsheets
        # Its words ("calamine error: Cannot detect file format") mean nothing to a clerk.
        raise UnreadableFile(
            f"{path.name} is not a spreadsheet PMPM can read: it may be damaged, protected by "
            f"a password, or another kind of file saved with a {path.suffix.lower()} name"
        ) from None
    if not names:
        raise UnreadableFile(f"{path.name} has no sheets")
    if sheet is not None:
        wanted = [_find_sheet(sheet, names, path)]
    else:
        hidden = xlsx_parts.hidden_sheets(data)
        wanted = [n for n in names if n not in hidden] or names[:1]
    for name in wanted:
        try:
            # header_row=None with skip_rows=0 keeps leading blank rows, so row i of the frame
            # is row i+1 of the sheet (calamine alone would start at the first used cell).
            loaded = reader.load_sheet(
                name,
                header_row=None,
                skip_rows=0,
                dtypes="string",
                whitespace_as_null=True,
            )
            if sheet is None and loaded.visible != "visible" and len(wanted) > 1:
                continue  # .xls/.ods: visibility is only known once loaded
            frame = loaded.to_polars()
            frame = show_credit_formats(data, name, frame, loaded)  # 165 shown as "165.00 CR"
        except Exception:  # as above
            raise UnreadableFile(
                f"{path.name}: the sheet {name!r} cannot be read (it may be damaged)"
            ) from None
        yield name, *xlsx_parts.fill_merged(frame, data, name)
        if not several:
            return


def _refuse_other_office_files(data: bytes, path: Path) -> None:
    """A .docx/.pptx renamed .xlsx is a zip too: say what it is."""
    try:
        with zipfile.ZipFile(io.BytesIO(data)) as zf:
            names = set(zf.namelist())
    except zipfile.BadZipFile:
        return
    for marker, what in (("word/document.xml", "Word"), ("ppt/presentation.xml", "PowerPoint")):
        if marker in names:
            raise UnreadableFile(
                f"{path.name} is a {what} document, not a spreadsheet "
                "(expected .xlsx, .xlsm, .xls, .ods or .csv)"
            )


def _find_sheet(sheet: str, names: list[str], path: Path) -> str:
    if sheet in names:
        return sheet
    folded = [n for n in names if n.strip().casefold() == sheet.strip().casefold()]
    if len(folded) == 1:
        return folded[0]
    listed = some_names(names)
    raise FileReadError(f"{path.name} has no sheet {sheet!r} (its sheets: {listed})")


# --- header and rows ----------------------------------------------------------------------


def _blank_to_null(frame: pl.DataFrame, columns: list[str]) -> pl.DataFrame:
    return frame.with_columns(
        pl.when(pl.col(c).str.strip_chars() == "").then(None).otherwise(pl.col(c)).alias(c)
        for c in columns
    )


def _unique_headers(cells: Sequence[str | None]) -> list[str]:
    headers: list[str] = []
    seen: set[str] = {SOURCE_ROW}
    for i, cell in enumerate(cells, start=1):
        name = clean_header(cell) or f"Column {i}"
        candidate, n = name, 1
        while candidate.casefold() in seen:
            n += 1
            candidate = f"{name} ({n})"
        seen.add(candidate.casefold())
        headers.append(candidate)
    return headers


def _duplicates(
    cells: Sequence[str | None], headers: list[str], kept: set[str]
) -> dict[str, tuple[tuple[str, str], ...]]:
    groups: dict[str, list[tuple[str, str]]] = {}
    for i, (cell, name) in enumerate(zip(cells, headers, strict=True)):
        written = clean_header(cell)
        if written and name in kept:
            groups.setdefault(written.casefold(), []).append((name, column_letters(i)))
    return {g[0][0]: tuple(g) for g in groups.values() if len(g) > 1}


class _ScorerDetector:
    """The older ``header_scorer`` callable seen as a detector (names only, no values)."""

    def __init__(self, scorer: HeaderScorer) -> None:
        self.scorer = scorer

    def assess(
        self, header: Sequence[str | None], below: Sequence[Sequence[str | None]]
    ) -> RowAssessment:
        return RowAssessment(float(self.scorer(header)), (), True)

    def looked_for(self) -> str:
        return "known column names"

    def section_field(self, label: str) -> str | None:
        return None


def _non_blank(cells: pl.DataFrame) -> pl.DataFrame | None:
    """The sheet's non-blank rows with their SOURCE_ROW, or None when there are none."""
    if SOURCE_ROW not in cells.columns:
        cells = cells.with_row_index(SOURCE_ROW, offset=1).with_columns(
            pl.col(SOURCE_ROW).cast(pl.Int64)
        )
    value_columns = [c for c in cells.columns if c != SOURCE_ROW]
    if not value_columns:
        return None
    cells = _blank_to_null(cells, value_columns)
    cells = cells.filter(~pl.all_horizontal(pl.col(c).is_null() for c in value_columns))
    return cells if cells.height else None


def _to_table(
    found: Candidate,
    detector: HeaderDetector | None,
    data: bytes,
    file_name: str,
    header_row: int | None,
    rival: float,
    sheets: list[tuple[str, float]],
) -> RawTable:
    cells, value_columns, index = found.cells, found.value_columns, found.index
    first = index - found.band + 1
    grid = cells.select(value_columns)
    band_rows = [list(grid.row(i)) for i in range(first, index + 1)]
    preamble_rows = [list(r) for r in grid.slice(0, first).iter_rows()]
    header_cells = found.header or band_rows[-1]
    headers = _unique_headers(header_cells)
    numbers = cells[SOURCE_ROW]
    decisions: list[ReadDecision] = [
        header_decision(int(numbers[first]), int(numbers[index]), band_rows, header_cells)
    ]
    body = cells.slice(index + 1)
    # Reports repeat the title and the header on every page: such rows are not data.
    body, repeated = drop_repeats(body, value_columns, [*band_rows, *preamble_rows])
    if repeated:
        decisions.append(
            ReadDecision(
                DecisionKind.SKIPPED,
                f"{rows_text(len(repeated))} {verb(len(repeated), 'repeats', 'repeat')} the title "
                "or the column header (page headers): skipped",
                tuple(repeated),
            )
        )
    body, sections, found_decisions = sections_and_notes(body, value_columns, headers, detector)
    decisions += found_decisions
    merged = sorted(set(body[SOURCE_ROW].to_list()) & found.merged_down)
    if merged:
        decisions.append(
            ReadDecision(
                DecisionKind.BLOCK,
                f"cells merged down over {rows_text(len(merged))} (member blocks) were filled "
                "into each row",
                tuple(merged),
            )
        )
    # Columns with neither a header nor any value are layout, not data.
    keep = [
        (col, name)
        for col, name, cell in zip(value_columns, headers, header_cells, strict=True)
        if clean_header(cell) or body[col].null_count() < body.height
    ]
    frame = body.select(
        *(pl.col(col).alias(name) for col, name in keep),
        *(pl.col(column) for column in sections.values()),
        pl.col(SOURCE_ROW),
    )
    kept = [name for _, name in keep]
    choices: tuple[FieldChoice, ...] = ()
    complete = found.assessment.complete
    if detector is not None:
        sample = list(frame.select(kept).head(VALUE_SAMPLE_ROWS).iter_rows())
        final = detector.assess(kept, sample)
        choices, complete = final.fields, final.complete
    runner_up = max(rival, found.runner_up)
    given = header_row is not None
    confident = given or (
        detector is not None
        and complete
        and found.score > 0
        and found.score >= CONFIDENT_MARGIN * runner_up
    )
    detection = Detection(
        sheet=found.sheet,
        header_row=int(numbers[index]),
        score=round(found.score, 3),
        runner_up=round(runner_up, 3),
        confident=confident,
        fields=choices,
        sheets=tuple((n, round(v, 3)) for n, v in sheets),
        given=given,
        header_rows=tuple(int(numbers[i]) for i in range(first, index + 1)),
    )
    if len(sheets) > 1 and found.sheet is not None:
        others = some_names([n for n, _ in sheets if n != found.sheet])
        decisions.insert(
            0,
            ReadDecision(
                DecisionKind.SHEET,
                f"sheet {found.sheet!r} holds the data (also looked at {others})",
            ),
        )
    return RawTable(
        duplicates=_duplicates(header_cells, headers, set(kept)),
        frame=frame,
        headers=kept,
        sheet=found.sheet,
        header_row=detection.header_row,
        sha256=hashlib.sha256(data).hexdigest(),
        file_name=file_name,
        detection=detection,
        sections={f: column for f, column in sections.items()},
        preamble=tuple(
            " ".join(layout.distinct_texts(r)) for r in preamble_rows if layout.distinct_texts(r)
        ),
        decisions=tuple(decisions),
    )
