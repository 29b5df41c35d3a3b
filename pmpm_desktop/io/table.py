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
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path

import fastexcel
import polars as pl

SOURCE_ROW = "source_row"
EXCEL_SUFFIXES = frozenset({".xlsx", ".xlsm", ".xls", ".xlsb", ".ods"})
TEXT_SUFFIXES = frozenset({".csv", ".txt", ".tsv"})
HEADER_SEARCH_ROWS = 30

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


def read_table(
    path: Path,
    *,
    sheet: str | None = None,
    header_row: int | None = None,
    header_scorer: HeaderScorer | None = None,
) -> RawTable:
    """Read ``path`` (xlsx/xlsm/xls/ods or CSV/TXT/TSV); fully blank rows are dropped.

    ``header_row`` is 1-based; when None, the row among the first 30 that ``header_scorer``
    rates best is the header (the first non-blank row without a scorer or without any match).
    """
    try:
        data = path.read_bytes()
    except FileNotFoundError:
        raise FileReadError(f"file not found: {path}") from None
    except OSError as exc:
        raise FileReadError(f"cannot read {path}: {exc.strerror or exc}") from None
    suffix = path.suffix.lower()
    if suffix in EXCEL_SUFFIXES:
        sheet_name, rows = _excel_cells(data, path, sheet)
    elif suffix in TEXT_SUFFIXES:
        if sheet is not None:
            raise FileReadError(f"{path.name} is a text file: it has no sheets (drop --sheet)")
        sheet_name, rows = None, _csv_cells(data, path)
    else:
        raise FileReadError(
            f"{path.name}: unsupported file type {suffix or '(none)'} "
            "(expected .xlsx, .xlsm, .xls, .ods or .csv)"
        )
    where = f"sheet {sheet_name!r}" if sheet_name is not None else path.name
    return _to_table(rows, where, sheet_name, header_row, header_scorer, data, path.name)


# --- Excel --------------------------------------------------------------------------------


def _excel_cells(data: bytes, path: Path, sheet: str | None) -> tuple[str, pl.DataFrame]:
    try:
        reader = fastexcel.read_excel(data)
        names = list(reader.sheet_names)
    except Exception as exc:  # fastexcel raises several unrelated types for non-spreadsheets
        raise FileReadError(
            f"{path.name} is not a spreadsheet this program can read ({_short(exc)})"
        ) from None
    if not names:
        raise FileReadError(f"{path.name} has no sheets")
    if sheet is None:
        hidden = _hidden_sheets(data)
        name = next((n for n in names if n not in hidden), names[0])
    else:
        name = _find_sheet(sheet, names, path)
    try:
        # header_row=None with skip_rows=0 keeps leading blank rows, so row i of the frame is
        # row i+1 of the sheet (calamine alone would start at the first used cell).
        frame = reader.load_sheet(
            name,
            header_row=None,
            skip_rows=0,
            dtypes="string",
            whitespace_as_null=True,
        ).to_polars()
    except Exception as exc:
        raise FileReadError(f"{path.name}: cannot read sheet {name!r} ({_short(exc)})") from None
    return name, frame


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
    try:
        return data.decode("utf-8")
    except UnicodeDecodeError:
        # Windows exports without a BOM are cp1252; latin-1 takes the bytes cp1252 leaves out.
        try:
            return data.decode("cp1252")
        except UnicodeDecodeError:
            return data.decode("latin-1")


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
    if b"\x00" in data[:4096] and not data.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):
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


def _to_table(
    cells: pl.DataFrame,
    where: str,
    sheet: str | None,
    header_row: int | None,
    scorer: HeaderScorer | None,
    data: bytes,
    file_name: str,
) -> RawTable:
    if SOURCE_ROW not in cells.columns:
        cells = cells.with_row_index(SOURCE_ROW, offset=1).with_columns(
            pl.col(SOURCE_ROW).cast(pl.Int64)
        )
    value_columns = [c for c in cells.columns if c != SOURCE_ROW]
    if not value_columns:
        raise FileReadError(f"{where} is empty")
    cells = _blank_to_null(cells, value_columns)
    cells = cells.filter(~pl.all_horizontal(pl.col(c).is_null() for c in value_columns))
    if cells.height == 0:
        raise FileReadError(f"{where} is empty")
    rows = cells[SOURCE_ROW].to_list()
    if header_row is None:
        index = _detect_header(cells.head(HEADER_SEARCH_ROWS), value_columns, scorer)
    else:
        if header_row < 1:
            raise FileReadError(f"header row must be 1 or more, not {header_row}")
        if header_row not in rows:
            last = rows[-1]
            reason = "is blank" if header_row < last else f"is past the last row ({last})"
            raise FileReadError(f"header row {header_row} of {where} {reason}")
        index = rows.index(header_row)
    header_cells: list[str | None] = list(cells.select(value_columns).row(index))
    headers = _unique_headers(header_cells)
    body = cells.slice(index + 1)
    # Columns with neither a header nor any value are layout, not data.
    keep = [
        (col, name)
        for col, name, cell in zip(value_columns, headers, header_cells, strict=True)
        if _clean_header(cell) or body[col].null_count() < body.height
    ]
    frame = body.select(*(pl.col(col).alias(name) for col, name in keep), pl.col(SOURCE_ROW))
    return RawTable(
        frame=frame,
        headers=[name for _, name in keep],
        sheet=sheet,
        header_row=int(rows[index]),
        sha256=hashlib.sha256(data).hexdigest(),
        file_name=file_name,
    )


def _detect_header(top: pl.DataFrame, columns: list[str], scorer: HeaderScorer | None) -> int:
    """Index (within the non-blank rows) of the header: best score, earliest on ties."""
    if scorer is None:
        return 0
    best, best_score = 0, 0
    for i, row in enumerate(top.select(columns).iter_rows()):
        score = scorer(list(row))
        if score > best_score:
            best, best_score = i, score
    return best
