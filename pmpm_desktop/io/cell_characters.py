"""Cells holding characters no payer value has: NUL bytes, other control characters (C0 but
tab, CR and LF; DEL), and in a mixed-encoding text file the bytes that were not UTF-8. Such a
cell means a damaged file or a wrong encoding; it is refused with its row, never stored."""

from __future__ import annotations

from collections.abc import Iterable

import polars as pl

from pmpm_desktop.io.sheet_rows import SOURCE_ROW
from pmpm_desktop.io.text_encoding import BAD_BYTES

_CONTROL = "[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]"
NUL_REASON = "holds a NUL byte: this part of the file is damaged or not text"
MIXED_REASON = (
    "bytes that are not UTF-8 in a file that is otherwise UTF-8; save it as UTF-8 and import again"
)


def control_reason(char: str) -> str:
    return f"holds the control character U+{ord(char):04X}, which no payer value has"


def bad_cells(
    frame: pl.DataFrame, columns: Iterable[str], *, mixed: bool
) -> list[tuple[int, str, str]]:
    """(row, column, reason) for each cell of ``columns`` holding such characters, in row
    order within each column; ``mixed`` also looks for the bytes that were not UTF-8."""
    pattern = f"{_CONTROL}|{BAD_BYTES}" if mixed else _CONTROL
    out: list[tuple[int, str, str]] = []
    for column in dict.fromkeys(columns):
        if column not in frame.columns or frame.schema[column] != pl.String:
            continue
        hit = frame[column].str.contains(pattern).fill_null(False)
        if not hit.any():
            continue
        picked = frame.filter(hit).select(SOURCE_ROW, column)
        for row, value in picked.iter_rows():
            out.append((int(row), column, _reason(value, mixed=mixed)))
    return out


def _reason(value: str, *, mixed: bool) -> str:
    if "\x00" in value:
        return NUL_REASON
    if mixed and BAD_BYTES in value:
        return MIXED_REASON
    char = next(c for c in value if c < " " and c not in "\t\r\n" or c == "\x7f")
    return control_reason(char)
