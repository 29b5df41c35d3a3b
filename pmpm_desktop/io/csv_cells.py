"""CSV, TSV and TXT exports as a frame of text cells: the encoding (BOM or not, UTF-16,
Windows code pages) and the delimiter are found from the bytes; each row keeps the line it
starts on, so problems can name it."""

from __future__ import annotations

import codecs
import csv
import re
from collections import Counter
from collections.abc import Iterator
from pathlib import Path

import polars as pl

from pmpm_desktop.io.read_errors import UnreadableFile
from pmpm_desktop.io.sheet_rows import SOURCE_ROW
from pmpm_desktop.io.text_encoding import Decoded, decode_text

_DELIMITERS = (",", ";", "\t", "|")
MIB = 1 << 20
#: the largest text file read: a million-row roster is ~150 MB
TEXT_LIMIT = 256 * MIB
_BATCH = 20_000
_LINE = re.compile(r"[^\r\n]*(?:\r\n|\n|\r|$)")


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


def csv_cells(data: bytes, path: Path) -> tuple[pl.DataFrame, Decoded]:
    """The file's cells as text columns ``c0``, ``c1``, … and SOURCE_ROW, and how its bytes
    were decoded. Rows go into the frame a batch at a time, so a million-row file never
    lives as Python lists (a cell in a polars column costs a few bytes, a str ~50)."""
    utf16 = data.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE))
    if len(data) > TEXT_LIMIT:
        raise UnreadableFile(
            f"{path.name} is {len(data) / MIB:,.0f} MB: a text file larger than "
            f"{TEXT_LIMIT // MIB} MB is not a payer file this program reads"
        )
    if b"\x00" in data[:4096] and not utf16 and _utf16_without_bom(data) is None:
        raise UnreadableFile(f"{path.name} is not a text (CSV) file")
    without_bom = None if utf16 else _utf16_without_bom(data)
    if without_bom is not None:
        decoded = Decoded(data.decode(without_bom, errors="replace"), without_bom)
    else:
        decoded = decode_text(data, path.name)
    text = decoded.text
    delimiter = _sniff_delimiter(text)
    reader = csv.reader(_lines(text), delimiter=delimiter)
    batches: list[pl.DataFrame] = []
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
                if len(records) == _BATCH:
                    batches.append(_batch(records, lines))
                    records, lines = [], []
            last_line = reader.line_num
    except csv.Error:
        # csv's own words ("field larger than field limit (131072)") mean nothing to a clerk
        raise UnreadableFile(
            f"{path.name} is not a CSV file PMPM can read: its quotes or line breaks are "
            f"damaged near line {reader.line_num:,}"
        ) from None
    if records or not batches:
        batches.append(_batch(records, lines))
    frame = pl.concat(batches, how="diagonal") if len(batches) > 1 else batches[0]
    width = len(frame.columns) - 1
    # Rows are numbered by line; _to_table reads them through this column.
    return frame.select(*(f"c{i}" for i in range(width)), SOURCE_ROW), decoded


def _lines(text: str) -> Iterator[str]:
    """The text's lines with their ends, one at a time (io.StringIO would copy the whole text
    at four bytes a character)."""
    for m in _LINE.finditer(text):
        if m[0]:
            yield m[0]


def _batch(records: list[list[str]], lines: list[int]) -> pl.DataFrame:
    width = max((len(r) for r in records), default=0)
    columns: list[list[str | None]] = [[] for _ in range(width)]
    for record in records:
        for i in range(width):
            columns[i].append(record[i] if i < len(record) else None)
    frame = pl.DataFrame(
        {f"c{i}": col for i, col in enumerate(columns)},
        schema={f"c{i}": pl.String for i in range(width)},
    )
    return frame.with_columns(pl.Series(SOURCE_ROW, lines, dtype=pl.Int64))
