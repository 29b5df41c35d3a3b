"""Rows of a streamed sheet written as XML built by polars: the fast path of the big sheets.

xlsxwriter spends ~5 µs of Python per cell; a 100k-discrepancy report has 3M cells, so the
formatted workbook could not be written in the 5 s the issue allows. In ``constant_memory`` mode
xlsxwriter writes each finished row as ``<row>`` XML to a temporary file and copies that file
into the sheet at the end; this module builds the same XML for a whole frame at once with
polars string expressions (Rust, vectorised) and writes it to that file, then tells xlsxwriter
how far the sheet now reaches. Everything else (formats, widths, filters, print setup, the zip)
stays xlsxwriter's.

Cells are exactly what ``write_string``/``write_number`` would give in constant_memory mode:
inline strings (never formulas: ``=1+1`` from a payer stays text), XML-escaped, control
characters as ``_xHHHH_``, ``xml:space="preserve"`` for leading or trailing blanks; numbers as
``<v>``; a null leaves the cell out. The column letter and the style index are baked into each
column's template.

:func:`can_stream` says whether the worksheet has the internals this relies on (xlsxwriter
3.x); when it does not, the callers write cell by cell as before, with the same result.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass

import polars as pl
from xlsxwriter.format import Format
from xlsxwriter.utility import xl_col_to_name
from xlsxwriter.worksheet import Worksheet
from xlsxwriter.xmlwriter import XMLwriter

#: rows per chunk: bounds the memory of one XML string (~25 MB) and sets the progress steps
CHUNK_ROWS = 25_000

_CONTROL = r"[\x00-\x08\x0b-\x1f\ufffe\uffff]|_x[0-9a-fA-F]{4}_"
_EDGE_SPACE = r"^\s|\s$"


@dataclass(frozen=True)
class StreamColumn:
    """One column of the sheet: the frame column it comes from, text or number, its format."""

    name: str
    kind: str  # "text" | "number"
    fmt: Format | None = None


def can_stream(ws: Worksheet) -> bool:
    """True when ``ws`` streams its rows to a temporary file the way xlsxwriter 3.x does."""
    return (
        bool(getattr(ws, "constant_memory", False))
        and getattr(ws, "row_data_fh", None) is not None
        and getattr(ws, "fh", None) is getattr(ws, "row_data_fh", None)
        and hasattr(ws, "_write_single_row")
        and hasattr(ws, "_check_dimensions")
        and hasattr(ws, "previous_row")
    )


def _escape_control(text: str) -> str:
    return str(XMLwriter._escape_control_characters(text))  # xlsxwriter's own rule


def _text_cell(col: int, column: StreamColumn, row: pl.Expr) -> pl.Expr:
    letter = xl_col_to_name(col)
    style = f' s="{column.fmt._get_xf_index()}"' if column.fmt is not None else ""
    value = pl.col(column.name)
    # Rare: control characters (or text looking like their escapes) go through xlsxwriter's
    # own escaping, one value at a time.
    value = (
        pl.when(value.str.contains(_CONTROL))
        .then(value.map_elements(_escape_control, return_dtype=pl.Utf8))
        .otherwise(value)
    )
    value = (
        value.str.replace_all("&", "&amp;", literal=True)
        .str.replace_all("<", "&lt;", literal=True)
        .str.replace_all(">", "&gt;", literal=True)
    )
    plain = pl.format(
        f'<c r="{letter}{{}}"{style} t="inlineStr"><is><t>{{}}</t></is></c>', row, value
    )
    kept = pl.format(
        f'<c r="{letter}{{}}"{style} t="inlineStr"><is><t xml:space="preserve">{{}}</t></is></c>',
        row,
        value,
    )
    raw = pl.col(column.name)
    return (
        pl.when(raw.is_null() | (raw == ""))
        .then(pl.lit(None, dtype=pl.Utf8))
        .when(raw.str.contains(_EDGE_SPACE))
        .then(kept)
        .otherwise(plain)
    )


def _number_cell(col: int, column: StreamColumn, row: pl.Expr) -> pl.Expr:
    letter = xl_col_to_name(col)
    style = f' s="{column.fmt._get_xf_index()}"' if column.fmt is not None else ""
    value = pl.col(column.name)
    return (
        pl.when(value.is_null())
        .then(pl.lit(None, dtype=pl.Utf8))
        .otherwise(pl.format(f'<c r="{letter}{{}}"{style}><v>{{}}</v></c>', row, value))
    )


def row_xml(frame: pl.DataFrame, columns: Sequence[StreamColumn], first_row: int) -> pl.Series:
    """One ``<row>`` element per frame row; ``first_row`` is the 0-based sheet row of the first."""
    row = pl.int_range(first_row + 1, first_row + 1 + pl.len(), dtype=pl.Int64)
    cells = [
        _text_cell(i, c, row) if c.kind == "text" else _number_cell(i, c, row)
        for i, c in enumerate(columns)
    ]
    return frame.select(
        pl.format('<row r="{}">{}</row>', row, pl.concat_str(cells, ignore_nulls=True)).alias("xml")
    )["xml"]


def stream_frame(
    ws: Worksheet,
    first_row: int,
    frame: pl.DataFrame,
    columns: Sequence[StreamColumn],
    tick: Callable[[int], None] | None = None,
) -> int:
    """Write ``frame``'s rows from sheet row ``first_row`` (0-based) on; returns the last row
    written (``first_row - 1`` when the frame is empty). Rows above ``first_row`` must already
    be written; rows below may be written afterwards with the usual calls.

    ``tick(rows_done)`` is called after each chunk (it may raise to stop)."""
    if frame.height == 0:
        return first_row - 1
    # Flush the rows xlsxwriter still holds (the header) and move it past them.
    ws._write_single_row(first_row)
    fh = ws.fh
    for start in range(0, frame.height, CHUNK_ROWS):
        chunk = frame.slice(start, CHUNK_ROWS)
        fh.write("".join(row_xml(chunk, columns, first_row + start).to_list()))
        if tick is not None:
            tick(start + chunk.height)
    last_row = first_row + frame.height - 1
    ws._check_dimensions(last_row, len(columns) - 1)
    ws._check_dimensions(first_row, 0)
    ws.previous_row = last_row
    return last_row
