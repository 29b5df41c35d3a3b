"""The parts of an .xlsx/.xlsm package that fastexcel does not hand over: which XML file holds a
sheet, its merged cells, and where its first used column is.

Report writers merge cells everywhere (group headers over two header rows, a section title
across the sheet, a member's ID down its block of lines). fastexcel gives a merged range's
value in its top-left cell only, and starts its frame at the first used column, not column A;
these helpers let ``io.table`` put the merged value back into every cell of the range.
"""

from __future__ import annotations

import io
import posixpath
import re
import zipfile
from dataclasses import dataclass

import polars as pl

from pmpm_desktop.io.zip_guard import MEMBER_LIMIT, read_part

_SHEET_TAG = re.compile(rb"<(?:\w+:)?sheet\b[^>]*>")
_ATTR = re.compile(rb'([\w:]+)="([^"]*)"')
_REL_TAG = re.compile(rb"<(?:\w+:)?Relationship\b[^>]*>")
_MERGE = re.compile(rb'<(?:\w+:)?mergeCell\b[^>]*\bref="([A-Z]+)(\d+)(?::([A-Z]+)(\d+))?"')
# A cell with a value: <c r="B7" ...>...<v>…</v> or an inline string <is>…</is>.
_VALUED_CELL = re.compile(rb'<(?:\w+:)?c\b[^>]*\br="([A-Z]+)\d+"[^>]*>\s*<(?:\w+:)?(?:v|is|f)\b')


@dataclass(frozen=True)
class MergedRange:
    """A merged range in sheet coordinates: rows 1-based, columns 0-based from column A."""

    first_row: int
    first_col: int
    last_row: int
    last_col: int


def column_index(letters: str) -> int:
    """``A`` → 0, ``Z`` → 25, ``AA`` → 26."""
    n = 0
    for ch in letters:
        n = n * 26 + (ord(ch) - 64)
    return n - 1


def column_letters(index: int) -> str:
    """0 → ``A``, 25 → ``Z``, 26 → ``AA``."""
    letters = ""
    index += 1
    while index:
        index, rest = divmod(index - 1, 26)
        letters = chr(65 + rest) + letters
    return letters


def _unescape(text: str) -> str:
    for entity, char in (("&lt;", "<"), ("&gt;", ">"), ("&quot;", '"'), ("&apos;", "'")):
        text = text.replace(entity, char)
    return text.replace("&amp;", "&")


def sheet_paths(zf: zipfile.ZipFile) -> dict[str, str]:
    """Sheet name → the zip member holding its XML (``xl/worksheets/sheet1.xml``)."""
    try:
        workbook = read_part(zf, "xl/workbook.xml")
        rels = read_part(zf, "xl/_rels/workbook.xml.rels")
    except KeyError:
        return {}
    targets: dict[bytes, str] = {}
    for tag in _REL_TAG.findall(rels):
        attrs = dict(_ATTR.findall(tag))
        target = attrs.get(b"Target", b"").decode("utf-8")
        if not target:
            continue
        path = target.lstrip("/") if target.startswith("/") else posixpath.join("xl", target)
        targets[attrs.get(b"Id", b"")] = posixpath.normpath(path)
    out: dict[str, str] = {}
    for tag in _SHEET_TAG.findall(workbook):
        attrs = dict(_ATTR.findall(tag))
        rel = attrs.get(b"r:id") or next((v for k, v in attrs.items() if k.endswith(b":id")), b"")
        name = _unescape(attrs.get(b"name", b"").decode("utf-8"))
        if rel in targets:
            out[name] = targets[rel]
    return out


def hidden_sheets(data: bytes) -> set[str]:
    """Names of the hidden sheets of an xlsx/xlsm (other formats: none): fastexcel only reports
    visibility after loading a sheet, which costs a full parse."""
    try:
        with zipfile.ZipFile(io.BytesIO(data)) as zf:
            xml = read_part(zf, "xl/workbook.xml")
    except (zipfile.BadZipFile, KeyError):
        return set()
    hidden: set[str] = set()
    for tag in _SHEET_TAG.findall(xml):
        attrs = dict(_ATTR.findall(tag))
        if attrs.get(b"state", b"visible") != b"visible":
            hidden.add(_unescape(attrs.get(b"name", b"").decode("utf-8")))
    return hidden


def sheet_xml(zf: zipfile.ZipFile, sheet: str) -> bytes | None:
    """The XML of a sheet, or None when the package does not say where it is."""
    path = sheet_paths(zf).get(sheet)
    if path is None:
        return None
    try:
        return read_part(zf, path, MEMBER_LIMIT)
    except KeyError:
        return None


def first_used_column(xml: bytes) -> int:
    """The first column (0 = A) holding a value: where fastexcel's frame starts."""
    first: int | None = None
    for m in _VALUED_CELL.finditer(xml):
        col = column_index(m[1].decode("ascii"))
        if first is None or col < first:
            first = col
            if first == 0:
                break
    return first or 0


def merged_ranges(xml: bytes) -> list[MergedRange]:
    """The sheet's merged ranges (declared after the cell data, so looked for from the end)."""
    start = xml.rfind(b"<mergeCells")
    if start < 0:
        start = xml.rfind(b":mergeCells")
        if start < 0:
            return []
    out: list[MergedRange] = []
    for m in _MERGE.finditer(xml, start):
        c1, r1 = column_index(m[1].decode("ascii")), int(m[2])
        if m[3] is None:
            continue  # a "range" of one cell merges nothing
        c2, r2 = column_index(m[3].decode("ascii")), int(m[4])
        out.append(MergedRange(min(r1, r2), min(c1, c2), max(r1, r2), max(c1, c2)))
    return out


def _sheet_of(data: bytes, sheet: str) -> bytes | None:
    """The XML of ``sheet`` of an .xlsx/.xlsm workbook; None for other formats."""
    if data[:4] != b"PK\x03\x04":
        return None
    try:
        with zipfile.ZipFile(io.BytesIO(data)) as zf:
            return sheet_xml(zf, sheet)
    except (zipfile.BadZipFile, OSError):
        return None


def fill_merged(
    frame: pl.DataFrame, data: bytes, sheet: str
) -> tuple[pl.DataFrame, frozenset[int]]:
    """Every cell of a merged range holds the range's value, as the user sees it: a group
    header over the columns below it, a section title across the sheet, a member's ID down
    the lines of its block (.xlsx/.xlsm; other formats do not say what is merged). Also the
    sheet rows that took a value merged down from a row above."""
    none: frozenset[int] = frozenset()
    xml = _sheet_of(data, sheet) if frame.width else None
    merges = merged_ranges(xml) if xml is not None else []
    if xml is None or not merges:
        return frame, none
    filled_down: set[int] = set()
    offset = first_used_column(xml)
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
