"""CSV, TSV and TXT exports as a frame of text cells: the encoding (BOM or not, UTF-16,
Windows code pages) and the delimiter are found from the bytes; each row keeps the line it
starts on, so problems can name it."""

from __future__ import annotations

import codecs
import csv
import io
from collections import Counter
from pathlib import Path

import polars as pl

from pmpm_desktop.io.read_errors import FileReadError
from pmpm_desktop.io.sheet_rows import SOURCE_ROW

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


def csv_cells(data: bytes, path: Path) -> pl.DataFrame:
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
