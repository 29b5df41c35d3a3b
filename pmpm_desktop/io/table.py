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
import re
import zipfile
from collections import Counter
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass
from pathlib import Path

import fastexcel
import polars as pl

from pmpm_desktop.io.detect import Detection, FieldChoice, HeaderDetector, RowAssessment
from pmpm_desktop.io.number_formats import show_credit_formats

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
    sheets: Iterator[tuple[str | None, pl.DataFrame]]
    if suffix in EXCEL_SUFFIXES:
        sheets = _excel_sheets(data, path, sheet, several=detector is not None)
    elif suffix in TEXT_SUFFIXES:
        if sheet is not None:
            raise FileReadError(f"{path.name} is a text file: it has no sheets (drop --sheet)")
        sheets = iter([(None, _csv_cells(data, path))])
    else:
        raise FileReadError(
            f"{path.name}: unsupported file type {suffix or '(none)'} "
            "(expected .xlsx, .xlsm, .xls, .ods or .csv)"
        )
    best: _Candidate | None = None
    scores: list[tuple[str, float]] = []
    others: list[float] = []
    empty: list[str] = []
    for sheet_name, raw_cells in sheets:
        where = f"sheet {sheet_name!r}" if sheet_name is not None else path.name
        cells = _non_blank(raw_cells)
        if cells is None:
            empty.append(where)
            continue
        candidate = _find_header(cells, where, sheet_name, header_row, detector)
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
    return _to_table(best, detector, data, path.name, header_row, max(others, default=0.0), scores)


# --- Excel --------------------------------------------------------------------------------


def _excel_sheets(
    data: bytes, path: Path, sheet: str | None, *, several: bool
) -> Iterator[tuple[str, pl.DataFrame]]:
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
        hidden = _hidden_sheets(data)
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
        yield name, frame
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


_SHEET_TAG = re.compile(rb"<(?:\w+:)?sheet\b[^>]*>")
_ATTR = re.compile(rb'(\w+)="([^"]*)"')


def _hidden_sheets(data: bytes) -> set[str]:
    """Names of hidden sheets of an xlsx/xlsm (read from workbook.xml; other formats: none).

    fastexcel only reports visibility after loading a sheet, which costs a full parse.
    """
    try:
        with zipfile.ZipFile(io.BytesIO(data)) as zf:
            xml = zf.read("xl/workbook.xml")
    except (zipfile.BadZipFile, KeyError):
        return set()
    hidden: set[str] = set()
    for tag in _SHEET_TAG.findall(xml):
        attrs = dict(_ATTR.findall(tag))
        if attrs.get(b"state", b"visible") != b"visible":
            hidden.add(_xml_unescape(attrs.get(b"name", b"").decode("utf-8")))
    return hidden


def _xml_unescape(text: str) -> str:
    for entity, char in (("&lt;", "<"), ("&gt;", ">"), ("&quot;", '"'), ("&apos;", "'")):
        text = text.replace(entity, char)
    return text.replace("&amp;", "&")


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


@dataclass
class _Candidate:
    cells: pl.DataFrame  # non-blank rows, value columns + SOURCE_ROW
    value_columns: list[str]
    where: str
    sheet: str | None
    index: int  # header's index among the non-blank rows
    score: float
    runner_up: float
    assessment: RowAssessment


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
    top = cells.slice(candidates[0], candidates[-1] - candidates[0] + 1 + VALUE_SAMPLE_ROWS)
    grid = list(top.select(value_columns).iter_rows())
    empty = RowAssessment(0.0, (), False)
    if detector is None:
        return _Candidate(cells, value_columns, where, sheet, candidates[0], 0.0, 0.0, empty)
    assessed: list[tuple[float, int, RowAssessment]] = []
    for index in candidates:
        at = index - candidates[0]
        header = grid[at]
        below = [r for r in grid[at + 1 : at + 1 + VALUE_SAMPLE_ROWS] if r != header]
        assessment = detector.assess(header, below)
        assessed.append((assessment.score, index, assessment))
    # Best score, earliest on ties; the runner-up is the best row that is not a copy of it.
    score, index, assessment = max(assessed, key=lambda a: (a[0], -a[1]))
    header = grid[index - candidates[0]]
    # A header repeated on every page: the first copy is the header.
    index = next(a[1] for a in assessed if grid[a[1] - candidates[0]] == header)
    runner_up = max(
        (a[0] for a in assessed if a[1] != index and grid[a[1] - candidates[0]] != header),
        default=0.0,
    )
    return _Candidate(cells, value_columns, where, sheet, index, score, runner_up, assessment)


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
    header_cells: list[str | None] = list(cells.select(value_columns).row(index))
    headers = _unique_headers(header_cells)
    body = cells.slice(index + 1)
    # Reports repeat the header on every page: such rows are not data.
    repeat = pl.all_horizontal(
        pl.col(c).eq_missing(pl.lit(h, dtype=pl.String))
        for c, h in zip(value_columns, header_cells, strict=True)
    )
    body = body.filter(~repeat)
    # Columns with neither a header nor any value are layout, not data.
    keep = [
        (col, name)
        for col, name, cell in zip(value_columns, headers, header_cells, strict=True)
        if _clean_header(cell) or body[col].null_count() < body.height
    ]
    frame = body.select(*(pl.col(col).alias(name) for col, name in keep), pl.col(SOURCE_ROW))
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
        header_row=int(cells[SOURCE_ROW][index]),
        score=round(found.score, 3),
        runner_up=round(runner_up, 3),
        confident=confident,
        fields=choices,
        sheets=tuple((n, round(v, 3)) for n, v in sheets),
        given=given,
    )
    return RawTable(
        frame=frame,
        headers=kept,
        sheet=found.sheet,
        header_row=detection.header_row,
        sha256=hashlib.sha256(data).hexdigest(),
        file_name=file_name,
        detection=detection,
    )
