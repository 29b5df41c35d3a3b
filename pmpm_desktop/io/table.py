"""Read one sheet of a payer spreadsheet or CSV into a frame of text cells.

Every cell comes out as text (or null): member IDs keep their leading zeros, and one set of
value parsers (``io.values``) decides what each cell means whatever the file format. Each data
row keeps the 1-based row (or CSV line) number it had in the file, so problems can say "row 17".
"""

from __future__ import annotations

import codecs
import csv
import hashlib
import io
import zipfile
from collections import Counter
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass, field, replace
from pathlib import Path

import fastexcel
import polars as pl

from pmpm_desktop.io import layout, xlsx_parts
from pmpm_desktop.io.detect import Detection, FieldChoice, HeaderDetector, RowAssessment
from pmpm_desktop.io.number_formats import show_credit_formats
from pmpm_desktop.io.options import DecisionKind, ReadDecision

SOURCE_ROW = "source_row"
EXCEL_SUFFIXES = frozenset({".xlsx", ".xlsm", ".xls", ".xlsb", ".ods"})
TEXT_SUFFIXES = frozenset({".csv", ".txt", ".tsv"})
HEADER_SEARCH_ROWS = 30
# Rows under a candidate header whose values are weighed (member IDs vs NPIs, …).
VALUE_SAMPLE_ROWS = 60
# Detection is "confident" when the best header row has every required field and beats any
# other row or sheet by this factor.
CONFIDENT_MARGIN = 1.5

HeaderScorer = Callable[[Sequence[str | None]], int]


class FileReadError(Exception):
    """The file cannot be read as a table at all; the message is one line a user can act on."""


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
    try:
        data = path.read_bytes()
    except FileNotFoundError:
        raise FileReadError(f"file not found: {path}") from None
    except OSError as exc:
        raise FileReadError(f"cannot read {path}: {exc.strerror or exc}") from None
    suffix = path.suffix.lower()
    sheets: Iterator[tuple[str | None, pl.DataFrame, frozenset[int]]]
    if suffix in EXCEL_SUFFIXES:
        sheets = _excel_sheets(data, path, sheet, several=detector is not None)
    elif suffix in TEXT_SUFFIXES:
        if sheet is not None:
            raise FileReadError(f"{path.name} is a text file: it has no sheets (drop --sheet)")
        sheets = iter([(None, _csv_cells(data, path), frozenset())])
    else:
        raise FileReadError(
            f"{path.name}: unsupported file type {suffix or '(none)'} "
            "(expected .xlsx, .xlsm, .xls, .ods or .csv)"
        )
    best: _Candidate | None = None
    scores: list[tuple[str, float]] = []
    others: list[float] = []
    empty: list[str] = []
    read: list[_Candidate] = []
    for sheet_name, raw_cells, merged_down in sheets:
        where = f"sheet {sheet_name!r}" if sheet_name is not None else path.name
        cells = _non_blank(raw_cells)
        if cells is None:
            empty.append(where)
            continue
        candidate = _find_header(cells, where, sheet_name, header_row, detector)
        candidate.merged_down = merged_down
        read.append(candidate)
        if sheet_name is not None:
            scores.append((sheet_name, candidate.score))
        if best is None or candidate.score > best.score:
            if best is not None:
                others.append(best.score)
            best = candidate
        else:
            others.append(candidate.score)
        others.append(candidate.runner_up)
    if best is None:
        if len(empty) == 1:
            raise FileReadError(f"{empty[0]} is empty")
        raise FileReadError(f"{path.name} holds no data: every sheet is empty")
    if detector is not None and header_row is None and best.score <= 0:
        where = best.where if not scores or len(scores) == 1 else "any sheet of " + path.name
        raise FileReadError(
            f"no header row found in the first {HEADER_SEARCH_ROWS} rows of {where}: "
            f"looked for {detector.looked_for()}"
        )
    rival = max(others, default=0.0)
    table = _to_table(best, detector, data, path.name, header_row, rival, scores)
    if detector is None or sheet is not None:
        return table
    same = _same_columns(best, read)
    if not same:
        return table
    # A sheet per product or month: every sheet with the header's columns is part of the file,
    # and no rival of the header.
    rival = max(
        [c.score for c in read if c is not best and c not in same] + [c.runner_up for c in read],
        default=0.0,
    )
    table = _to_table(best, detector, data, path.name, header_row, rival, scores)
    siblings = tuple(
        _to_table(c, detector, data, path.name, header_row, rival, scores) for c in same
    )
    names = ", ".join(repr(c.sheet) for c in [best, *same])
    note = ReadDecision(
        DecisionKind.SHEET,
        f"sheets {names} have the same columns: the rows of all of them are read",
    )
    return replace(table, siblings=siblings, decisions=(note, *table.decisions))


def _same_columns(best: _Candidate, read: list[_Candidate]) -> list[_Candidate]:
    """The other sheets whose header has the best sheet's columns and which have rows below."""
    columns = [_clean_header(c).casefold() for c in best.header]
    return [
        c
        for c in read
        if c is not best
        and c.score >= 0.9 * best.score
        and [_clean_header(h).casefold() for h in c.header] == columns
        and c.cells.height > c.index + 1
    ]


# --- Excel --------------------------------------------------------------------------------


def _excel_sheets(
    data: bytes, path: Path, sheet: str | None, *, several: bool
) -> Iterator[tuple[str, pl.DataFrame, frozenset[int]]]:
    """The named sheet; else the visible sheets (all of them when ``several``, else the first),
    each loaded once, in workbook order."""
    if data[:4] == b"PK\x03\x04":
        _refuse_other_office_files(data, path)
    try:
        reader = fastexcel.read_excel(data)
        names = list(reader.sheet_names)
    except Exception as exc:  # fastexcel raises several unrelated types for non-spreadsheets
        raise FileReadError(
            f"{path.name} is not a spreadsheet this program can read ({_short(exc)})"
        ) from None
    if not names:
        raise FileReadError(f"{path.name} has no sheets")
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
        except Exception as exc:
            raise FileReadError(
                f"{path.name}: cannot read sheet {name!r} ({_short(exc)})"
            ) from None
        yield name, *_fill_merged(frame, data, name)
        if not several:
            return


def _fill_merged(
    frame: pl.DataFrame, data: bytes, sheet: str
) -> tuple[pl.DataFrame, frozenset[int]]:
    """Every cell of a merged range holds the range's value, as the user sees it: a group
    header over the columns below it, a section title across the sheet, a member's ID down
    the lines of its block (.xlsx/.xlsm; other formats do not say what is merged). Also the
    sheet rows that took a value merged down from a row above."""
    none: frozenset[int] = frozenset()
    if data[:4] != b"PK\x03\x04" or frame.width == 0:
        return frame, none
    try:
        with zipfile.ZipFile(io.BytesIO(data)) as zf:
            xml = xlsx_parts.sheet_xml(zf, sheet)
    except (zipfile.BadZipFile, OSError):
        return frame, none
    if xml is None:
        return frame, none
    merges = xlsx_parts.merged_ranges(xml)
    if not merges:
        return frame, none
    filled_down: set[int] = set()
    offset = xlsx_parts.first_used_column(xml)
    names = frame.columns
    cells: dict[int, list[str | None]] = {}
    for m in merges:
        first, top = m.first_col - offset, m.first_row - 1
        if not (0 <= first < frame.width and 0 <= top < frame.height):
            continue
        if first not in cells:
            cells[first] = frame[names[first]].to_list()
        value = cells[first][top]
        if value is None or not value.strip():
            continue
        for c in range(first, min(m.last_col - offset, frame.width - 1) + 1):
            if c not in cells:
                cells[c] = frame[names[c]].to_list()
            column = cells[c]
            for r in range(top, min(m.last_row - 1, frame.height - 1) + 1):
                if column[r] is None:
                    column[r] = value
                    if r > top:
                        filled_down.add(r + 1)
    filled = frame.with_columns(
        pl.Series(names[c], values, dtype=pl.String) for c, values in cells.items()
    )
    return filled, frozenset(filled_down)


def _refuse_other_office_files(data: bytes, path: Path) -> None:
    """A .docx/.pptx renamed .xlsx is a zip too: say what it is."""
    try:
        with zipfile.ZipFile(io.BytesIO(data)) as zf:
            names = set(zf.namelist())
    except zipfile.BadZipFile:
        return
    for marker, what in (("word/document.xml", "Word"), ("ppt/presentation.xml", "PowerPoint")):
        if marker in names:
            raise FileReadError(
                f"{path.name} is a {what} document, not a spreadsheet "
                "(expected .xlsx, .xlsm, .xls, .ods or .csv)"
            )


def _find_sheet(sheet: str, names: list[str], path: Path) -> str:
    if sheet in names:
        return sheet
    folded = [n for n in names if n.strip().casefold() == sheet.strip().casefold()]
    if len(folded) == 1:
        return folded[0]
    listed = ", ".join(repr(n) for n in names)
    raise FileReadError(f"{path.name} has no sheet {sheet!r} (its sheets: {listed})")


def _short(exc: Exception) -> str:
    text = str(exc).strip().splitlines()
    return text[0][:160] if text else type(exc).__name__


# --- CSV ----------------------------------------------------------------------------------

_DELIMITERS = (",", ";", "\t", "|")


def _decode(data: bytes) -> str:
    if data.startswith(codecs.BOM_UTF8):
        return data[len(codecs.BOM_UTF8) :].decode("utf-8", errors="replace")
    if data.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):
        return data.decode("utf-16")  # Excel's "Unicode Text" export
    utf16 = _utf16_without_bom(data)
    if utf16 is not None:
        return data.decode(utf16, errors="replace")
    try:
        return data.decode("utf-8")
    except UnicodeDecodeError:
        # Windows exports without a BOM are cp1252; latin-1 takes the bytes cp1252 leaves out.
        try:
            return data.decode("cp1252")
        except UnicodeDecodeError:
            return data.decode("latin-1")


def _utf16_without_bom(data: bytes) -> str | None:
    """``utf-16-le``/``-be`` for UTF-16 text without a BOM (mostly ASCII: every other byte
    is NUL), else None."""
    head = data[:4096]
    if len(head) < 4 or len(head) % 2:
        head = head[: len(head) - len(head) % 2]
    if len(head) < 4:
        return None
    even, odd = head[0::2], head[1::2]
    if odd.count(0) > 0.9 * len(odd) and even.count(0) < 0.1 * len(even):
        return "utf-16-le"
    if even.count(0) > 0.9 * len(even) and odd.count(0) < 0.1 * len(odd):
        return "utf-16-be"
    return None


def _sniff_delimiter(text: str) -> str:
    """The delimiter that splits the opening lines into the most consistent, widest rows
    (title lines above the header have fewer cells, so a plain count would mislead)."""
    sample = text[:65536].splitlines()[:50]
    best, best_score = ",", (0, 0)
    for delimiter in _DELIMITERS:
        widths = Counter(len(r) for r in csv.reader(sample, delimiter=delimiter) if len(r) > 1)
        if not widths:
            continue
        width, count = max(widths.items(), key=lambda wc: (wc[1], wc[0]))
        if (count, width) > best_score:
            best, best_score = delimiter, (count, width)
    return best


def _csv_cells(data: bytes, path: Path) -> pl.DataFrame:
    utf16 = data.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE))
    if b"\x00" in data[:4096] and not utf16 and _utf16_without_bom(data) is None:
        raise FileReadError(f"{path.name} is not a text (CSV) file")
    text = _decode(data)
    delimiter = _sniff_delimiter(text)
    reader = csv.reader(io.StringIO(text, newline=""), delimiter=delimiter)
    records: list[list[str]] = []
    lines: list[int] = []
    last_line = 0
    try:
        for record in reader:
            # A record starts on the line after the previous one ended (quoted cells may hold
            # line breaks, so reader.line_num alone is the record's last line).
            if record:
                records.append(record)
                lines.append(last_line + 1)
            last_line = reader.line_num
    except csv.Error as exc:
        raise FileReadError(f"{path.name}: not a readable CSV file ({exc})") from None
    width = max((len(r) for r in records), default=0)
    columns: list[list[str | None]] = [[] for _ in range(width)]
    for record in records:
        for i in range(width):
            columns[i].append(record[i] if i < len(record) else None)
    frame = pl.DataFrame(
        {f"c{i}": col for i, col in enumerate(columns)},
        schema={f"c{i}": pl.String for i in range(width)},
    )
    # Rows are numbered by line; _to_table reads them through this column.
    return frame.with_columns(pl.Series(SOURCE_ROW, lines, dtype=pl.Int64))


# --- header and rows ----------------------------------------------------------------------


def _blank_to_null(frame: pl.DataFrame, columns: list[str]) -> pl.DataFrame:
    return frame.with_columns(
        pl.when(pl.col(c).str.strip_chars() == "").then(None).otherwise(pl.col(c)).alias(c)
        for c in columns
    )


def _clean_header(cell: str | None) -> str:
    return " ".join(cell.split()) if cell else ""


def _unique_headers(cells: Sequence[str | None]) -> list[str]:
    headers: list[str] = []
    seen: set[str] = {SOURCE_ROW}
    for i, cell in enumerate(cells, start=1):
        name = _clean_header(cell) or f"Column {i}"
        candidate, n = name, 1
        while candidate.casefold() in seen:
            n += 1
            candidate = f"{name} ({n})"
        seen.add(candidate.casefold())
        headers.append(candidate)
    return headers


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


@dataclass
class _Candidate:
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


def _find_header(
    cells: pl.DataFrame,
    where: str,
    sheet: str | None,
    header_row: int | None,
    detector: HeaderDetector | None,
) -> _Candidate:
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
        return _Candidate(
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
    return _Candidate(
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


def _to_table(
    found: _Candidate,
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
    decisions: list[ReadDecision] = [_header_decision(found, numbers, band_rows, header_cells)]
    body = cells.slice(index + 1)
    # Reports repeat the title and the header on every page: such rows are not data.
    body, repeated = _drop_repeats(body, value_columns, [*band_rows, *preamble_rows])
    if repeated:
        decisions.append(
            ReadDecision(
                DecisionKind.SKIPPED,
                f"{_rows(len(repeated))} {_verb(len(repeated), 'repeats', 'repeat')} the title "
                "or the column header (page headers): skipped",
                tuple(repeated),
            )
        )
    body, sections, found_decisions = _sections_and_notes(body, value_columns, headers, detector)
    decisions += found_decisions
    merged = sorted(set(body[SOURCE_ROW].to_list()) & found.merged_down)
    if merged:
        decisions.append(
            ReadDecision(
                DecisionKind.BLOCK,
                f"cells merged down over {_rows(len(merged))} (member blocks) were filled "
                "into each row",
                tuple(merged),
            )
        )
    # Columns with neither a header nor any value are layout, not data.
    keep = [
        (col, name)
        for col, name, cell in zip(value_columns, headers, header_cells, strict=True)
        if _clean_header(cell) or body[col].null_count() < body.height
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
        others = ", ".join(repr(n) for n, _ in sheets if n != found.sheet)
        decisions.insert(
            0,
            ReadDecision(
                DecisionKind.SHEET,
                f"sheet {found.sheet!r} holds the data (also looked at {others})",
            ),
        )
    return RawTable(
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


def _rows(n: int) -> str:
    return f"{n} row" if n == 1 else f"{n} rows"


def _verb(n: int, one: str, many: str) -> str:
    return one if n == 1 else many


def _header_decision(
    found: _Candidate,
    numbers: pl.Series,
    band_rows: list[list[str | None]],
    header: list[str | None],
) -> ReadDecision:
    first, last = int(numbers[found.index - found.band + 1]), int(numbers[found.index])
    rows = tuple(range(first, last + 1))
    if found.band == 1:
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


def _drop_repeats(
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
    sparse = pl.sum_horizontal(pl.col(c).is_not_null() for c in columns) <= _FURNITURE_CELLS
    page_header = (
        pl.when(sparse)
        .then(pl.all_horizontal(furniture) | (stamped & pl.all_horizontal(wordy)))
        .otherwise(False)
    )
    hit = body.select((repeat | page_header.fill_null(False)).alias("hit"))["hit"]
    return body.filter(~hit), body.filter(hit)[SOURCE_ROW].to_list()


# A page header made of title texts and stamps has at most this many cells.
_FURNITURE_CELLS = 3


def _sections_and_notes(
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
                f"{_rows(len(rows))} {_verb(len(rows), 'is a', 'are')} {labels[field_name]} "
                f"section{'s' if len(rows) != 1 else ''} ({shown}): "
                f"{_verb(len(rows), 'its', 'their')} value goes to the rows below",
                tuple(rows),
            )
        )
    if notes:
        decisions.append(
            ReadDecision(
                DecisionKind.SKIPPED,
                f"{_rows(len(notes))} {_verb(len(notes), 'holds', 'hold')} a single text "
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
