"""Number cells shown with a CR/DR number format read as Excel shows them (SPEC §6).

A payer's workbook may hold the number 165 in a cell formatted ``#,##0.00 "CR";#,##0.00 "DR"``:
Excel shows ``165.00 CR``, and -165 as ``165.00 DR``. The spreadsheet reader hands over only the
number, so the sign the clerk sees would be lost in the payer's own words. This module finds
such cells in the .xlsx/.xlsm package (styles, then a streamed scan of the sheet's XML) and
rewrites their text to what Excel shows; ``io.values`` then reads CR and DR as the payer's
setting says. A workbook without a CR/DR format costs one read of its (small) styles part.
"""

from __future__ import annotations

import io
import posixpath
import re
import zipfile
from dataclasses import dataclass
from typing import IO
from xml.etree import ElementTree

import fastexcel
import polars as pl

from pmpm_desktop.io.values import float_text
from pmpm_desktop.io.zip_guard import xml_part

_CHUNK = 1 << 22
_CREDIT_WORD = re.compile(r"\b(?:CR|DR)\b")
_PLACEHOLDERS = frozenset("0#?")
_CELL_REF = re.compile(rb"([A-Z]{1,3})([0-9]+)")
_LETTERS = "ABCDEFGHIJKLMNOPQRSTUVWXYZ"
_ROOT = re.compile(r"<(\w+:)?worksheet\b")


@dataclass(frozen=True)
class _Section:
    """One ``;``-separated section of a number format: the literal text around its number,
    how many decimals it shows, and whether it shows a number at all."""

    prefix: str
    suffix: str
    places: int
    has_number: bool

    @property
    def literal(self) -> str:
        return f"{self.prefix} {self.suffix}"

    @property
    def shows_sign(self) -> bool:
        """The section marks its values as negative or as credit/debit by itself."""
        text = self.literal.upper()
        return "-" in text or "(" in text or _CREDIT_WORD.search(text) is not None


@dataclass(frozen=True)
class CreditFormat:
    """A number format with a ``CR`` or ``DR`` literal in some section."""

    sections: tuple[_Section, ...]


def parse_format(code: str) -> CreditFormat | None:
    """The format ``code`` if it shows CR or DR in some section and can be rendered here
    (no conditions, percentages or exponents), else None."""
    parts = _split_sections(code)[:3]
    sections: list[_Section] = []
    for part in parts:
        section = _parse_section(part)
        if section is None:
            return None
        sections.append(section)
    if not any(_CREDIT_WORD.search(s.literal.upper()) for s in sections):
        return None
    return CreditFormat(tuple(sections))


def _split_sections(code: str) -> list[str]:
    sections, current, i = [], [], 0
    while i < len(code):
        ch = code[i]
        if ch == '"':
            end = code.find('"', i + 1)
            end = len(code) if end < 0 else end
            current.append(code[i : end + 1])
            i = end + 1
            continue
        if ch == "\\" and i + 1 < len(code):
            current.append(code[i : i + 2])
            i += 2
            continue
        if ch == ";":
            sections.append("".join(current))
            current = []
        else:
            current.append(ch)
        i += 1
    sections.append("".join(current))
    return sections


def _parse_section(part: str) -> _Section | None:
    before: list[str] = []
    after: list[str] = []
    places, in_number, seen_number, decimals = 0, False, False, False
    i = 0
    while i < len(part):
        ch = part[i]
        literal: str | None = None
        if ch == '"':
            end = part.find('"', i + 1)
            end = len(part) if end < 0 else end
            literal, i = part[i + 1 : end], end + 1
        elif ch == "\\" and i + 1 < len(part):
            literal, i = part[i + 1], i + 2
        elif ch == "[":
            end = part.find("]", i)
            end = len(part) if end < 0 else end
            inner = part[i + 1 : end]
            i = end + 1
            if inner[:1] and inner[0] in "<>=":
                return None  # a condition: which section applies is not by sign
            if inner.startswith("$"):
                literal = inner[1:].split("-", 1)[0]  # [$€-407]: a currency symbol
            else:
                continue  # a colour
        elif ch == "_" and i + 1 < len(part):
            literal, i = " ", i + 2
        elif ch == "*" and i + 1 < len(part):
            i += 2
            continue
        elif ch in "%Ee" or ch == "@":
            return None
        elif ch in _PLACEHOLDERS or (ch in ".," and in_number):
            seen_number = in_number = True
            decimals = decimals or ch == "."
            places += ch in _PLACEHOLDERS and decimals
            i += 1
            continue
        else:
            literal, i = ch, i + 1
        if literal is not None:
            (after if seen_number else before).append(literal)
            in_number = False
    return _Section("".join(before), "".join(after), places, seen_number)


# --- the package ----------------------------------------------------------------------------


def _local(tag: str) -> str:
    return tag.rsplit("}", 1)[-1]


def _attr(element: ElementTree.Element, name: str) -> str | None:
    for key, value in element.attrib.items():
        if _local(key) == name:
            return value
    return None


def credit_styles(zf: zipfile.ZipFile) -> dict[int, CreditFormat]:
    """Cell style index → its CR/DR format, for the styles that have one."""
    try:
        root = xml_part(zf, "xl/styles.xml")
    except (KeyError, ElementTree.ParseError):
        return {}
    formats: dict[int, CreditFormat] = {}
    for element in root.iter():
        if _local(element.tag) == "numFmt":
            code, number = _attr(element, "formatCode"), _attr(element, "numFmtId")
            if code and number and number.isdigit() and (found := parse_format(code)):
                formats[int(number)] = found
    if not formats:
        return {}
    styles: dict[int, CreditFormat] = {}
    for container in root:
        if _local(container.tag) != "cellXfs":
            continue
        for index, xf in enumerate(x for x in container if _local(x.tag) == "xf"):
            number = _attr(xf, "numFmtId")
            if number and number.isdigit() and int(number) in formats:
                styles[index] = formats[int(number)]
    return styles


def _sheet_part(zf: zipfile.ZipFile, sheet: str) -> str | None:
    """The package part holding the sheet named ``sheet``."""
    try:
        workbook = xml_part(zf, "xl/workbook.xml")
        rels = xml_part(zf, "xl/_rels/workbook.xml.rels")
    except (KeyError, ElementTree.ParseError):
        return None
    rel_id = next(
        (
            _attr(e, "id")
            for e in workbook.iter()
            if _local(e.tag) == "sheet" and _attr(e, "name") == sheet
        ),
        None,
    )
    for rel in rels:
        if _attr(rel, "Id") == rel_id and (target := _attr(rel, "Target")):
            if target.startswith("/"):
                return target.lstrip("/")
            return posixpath.normpath(posixpath.join("xl", target))
    return None


_CELLS = {"row": pl.Int64, "column": pl.Int64, "style": pl.Int64, "value": pl.String}


def _letters_index(letters: str) -> int:
    index = 0
    for letter in letters:
        index = index * 26 + ord(letter) - 64
    return index - 1


class _NoReference(Exception):
    """A cell without its ``r`` reference: positions must be counted (``_counted_cells``)."""


def _cells(stream: IO[bytes], styles: dict[int, CreditFormat]) -> pl.DataFrame:
    """Row, column (0-based), style and value text of the number cells whose style is one of
    ``styles``. The sheet is read in pieces cut after a row; one regular expression finds the
    cells in each (a 50 MB sheet is never parsed element by element), polars does the rest."""
    found: list[str] = []
    cell: re.Pattern[str] | None = None
    tail = b""
    while True:
        chunk = stream.read(_CHUNK)
        buffer = tail + chunk
        cut = _row_end(buffer) if chunk else len(buffer)
        if cut < 0:
            tail = buffer
            continue
        text = buffer[:cut].decode("utf-8", errors="replace")
        cell = cell or _cell_pattern(text, styles)
        found += cell.findall(text)
        tail = buffer[cut:]
        if not chunk:
            break
    return _positions(found, single_style=next(iter(styles)) if len(styles) == 1 else None)


def _cell_pattern(head: str, styles: dict[int, CreditFormat]) -> re.Pattern[str]:
    """The valued cells of ``styles``, with the namespace prefix the sheet uses (``x:c``). A
    literal ``<c `` start keeps the search fast; a self-closing ``<c …/>`` has no value."""
    root = _ROOT.search(head)
    p = re.escape(root[1] or "") if root else ""
    alternatives = "|".join(str(s) for s in sorted(styles))
    return re.compile(
        rf'<{p}c ((?:[^>]*\s)?s="(?:{alternatives})"[^>/]*>'
        rf"(?:<{p}f[^>]*/>|<{p}f[^>]*>[^<]*</{p}f>)?<{p}v>[^<]*)</"
    )


def _row_end(buffer: bytes) -> int:
    """The index just after the last ``</row>`` of ``buffer`` (-1 when it has none)."""
    for end in (b"</row>", b":row>"):
        found = buffer.rfind(end)
        if found >= 0:
            return found + len(end)
    return -1


def _positions(found: list[str], single_style: int | None) -> pl.DataFrame:
    """Each cell found (``r="H2" s="1"><v>-111.95``) → row, column, style, value."""
    if not found:
        return pl.DataFrame(schema=_CELLS)
    cell = pl.Series("cell", found, dtype=pl.String)
    split = cell.str.split_exact(">", 1)
    attributes = split.struct.field("field_0")
    values = cell.str.extract(r">([^<>]*)$")
    a = pl.col("attributes")
    # r="H2" first, as every common writer puts it: plain string operations; else a search.
    first = a.str.starts_with('r="')
    ref = (
        pl.when(first)
        .then(a.str.slice(3).str.split_exact('"', 1).struct.field("field_0"))
        .otherwise(a.str.extract(r'\sr="([A-Z]{1,3}[0-9]+)"'))
    )
    row_digits = ref.str.strip_chars_start(_LETTERS)
    style = (
        pl.lit(single_style, dtype=pl.Int64)
        if single_style is not None
        else a.str.extract(r'(?:^|\s)s="([0-9]+)"').cast(pl.Int64)
    )
    # Text, boolean and error cells: a number format does not apply.
    kind = pl.when(a.str.contains('t="', literal=True)).then(
        a.str.extract(r'(?:^|\s)t="([a-zA-Z]+)"')
    )
    cells = (
        pl.DataFrame(
            {
                "attributes": attributes,
                "value": values,
            }
        )
        .filter(kind.is_null() | (kind == "n"))
        .select(
            ref.str.head(ref.str.len_chars() - row_digits.str.len_chars()).alias("letters"),
            (row_digits.cast(pl.Int64, strict=False) - 1).alias("row"),
            style.alias("style"),
            "value",
        )
    )
    if cells["letters"].null_count() or cells["row"].null_count():
        raise _NoReference
    letters = cells["letters"].unique().to_list()
    column = cells["letters"].replace_strict(
        letters, [_letters_index(x) for x in letters], return_dtype=pl.Int64
    )
    return cells.select("row", column.alias("column"), "style", "value")


def _counted_cells(stream: IO[bytes], styles: dict[int, CreditFormat]) -> pl.DataFrame:
    """As ``_cells`` for sheets whose rows or cells leave out their reference (allowed by the
    format, written by a few generators): every element is visited, so it is slower."""
    rows: list[tuple[int, int, int, str]] = []
    row, column = -1, -1
    for event, element in ElementTree.iterparse(stream, events=("start", "end")):
        name = _local(element.tag)
        if event == "start":
            if name == "row":
                r = element.get("r")
                row = int(r) - 1 if r and r.isdigit() else row + 1
                column = -1
            elif name == "c":
                ref = _CELL_REF.fullmatch((element.get("r") or "").encode())
                column = _letters_index(ref[1].decode()) if ref else column + 1
            continue
        if name == "c":
            style = element.get("s")
            if style and style.isdigit() and int(style) in styles:
                value = next((v.text for v in element if _local(v.tag) == "v"), None)
                if element.get("t", "n") == "n" and value:
                    rows.append((row, column, int(style), value))
            element.clear()
        elif name == "row":
            element.clear()
    return pl.DataFrame(rows, schema=_CELLS, orient="row")


# --- what Excel shows -------------------------------------------------------------------------


def _shown(cells: pl.DataFrame, styles: dict[int, CreditFormat]) -> pl.DataFrame:
    """``cells`` with ``number`` (Float64) and ``text``, what Excel shows (null: keep the
    number as it is); each distinct (style, number) is rendered once, a column at a time."""
    cells = cells.with_columns(number=pl.col("value").cast(pl.Float64, strict=False))
    distinct = cells.select("style", "number").drop_nulls().unique()
    # The shortest text of each float (94.56999999999999 → 94.57); as Excel shows a float
    # (15 significant digits) where that is longer, or in exponent form.
    magnitude = distinct["number"].abs().cast(pl.String)
    odd = magnitude.filter(
        magnitude.str.contains("e", literal=True) | (magnitude.str.len_chars() > 16)
    ).unique()
    if odd.len():
        odd_list = odd.to_list()
        magnitude = magnitude.replace(odd_list, [float_text(float(v)) for v in odd_list])
    distinct = distinct.with_columns(magnitude=magnitude)
    parts = [
        group.with_columns(text=_text(styles[int(str(style))]))
        for (style,), group in distinct.group_by("style")
    ]
    if not parts:
        return pl.DataFrame(schema={**_CELLS, "number": pl.Float64, "text": pl.String})
    texts = pl.concat(parts).select("style", "number", "text").drop_nulls("text")
    return cells.join(texts, on=["style", "number"]).select("row", "column", "number", "text")


def _text(fmt: CreditFormat) -> pl.Expr:
    number, magnitude = pl.col("number"), pl.col("magnitude")
    parts = magnitude.str.split_exact(".", 1)
    whole = parts.struct.field("field_0")
    # 165.0 has no decimals to show; a format's places are added back below.
    fraction = parts.struct.field("field_1").fill_null("").str.strip_chars_end("0")

    def render(section: _Section, negative: bool) -> pl.Expr:
        if not section.has_number:
            return pl.lit(None, dtype=pl.String)
        padded = (
            pl.when(fraction.str.len_chars() < section.places)
            .then(fraction.str.pad_end(section.places, "0"))
            .otherwise(fraction)
        )
        digits = whole + pl.when(padded == "").then(pl.lit("")).otherwise("." + padded)
        text = pl.lit(section.prefix) + digits + pl.lit(section.suffix)
        if negative and (len(fmt.sections) == 1 or not section.shows_sign):
            # Excel adds the minus itself in a one-section format; a negative section that
            # shows no sign of its own would lose it, and the number is what the payer meant.
            text = "-" + text
        return text.str.replace_all(r"\s+", " ").str.strip_chars()

    sections = fmt.sections
    negative = sections[1] if len(sections) >= 2 else sections[0]
    zero = sections[2] if len(sections) >= 3 else sections[0]
    return (
        pl.when(number > 0)
        .then(render(sections[0], negative=False))
        .when(number < 0)
        .then(render(negative, negative=True))
        .otherwise(render(zero, negative=False))
    )


def credit_cells(data: bytes, sheet: str) -> pl.DataFrame:
    """Every number cell of ``sheet`` whose format shows CR or DR: its 0-based ``row`` and
    ``column`` in the sheet, its ``number`` and the ``text`` Excel shows (no rows when the
    workbook has no such format)."""
    none = pl.DataFrame(
        schema={"row": pl.Int64, "column": pl.Int64, "number": pl.Float64, "text": pl.String}
    )
    if data[:4] != b"PK\x03\x04":
        return none
    try:
        with zipfile.ZipFile(io.BytesIO(data)) as zf:
            styles = credit_styles(zf)
            if not styles:
                return none
            part = _sheet_part(zf, sheet)
            if part is None:
                return none
            try:
                with zf.open(part) as stream:
                    cells = _cells(stream, styles)
            except _NoReference:
                with zf.open(part) as stream:
                    cells = _counted_cells(stream, styles)
    except (zipfile.BadZipFile, KeyError, ElementTree.ParseError):
        return none
    return _shown(cells, styles)


def show_credit_formats(
    data: bytes, sheet: str, frame: pl.DataFrame, loaded: fastexcel.ExcelSheet
) -> pl.DataFrame:
    """``frame`` (the sheet as fastexcel loaded it: row i is sheet row i+1, its columns the
    sheet columns ``loaded.available_columns()`` names) with every CR/DR-formatted number cell
    written as Excel shows it. Unchanged when the workbook has no such format, or when a cell
    found in the sheet is not where the frame has it (never rewrite the wrong cell)."""
    shown = credit_cells(data, sheet)
    if shown.height == 0:
        return frame
    names = {c.absolute_index: c.name for c in loaded.available_columns()}
    if not set(shown["column"].unique().to_list()) <= names.keys():
        return frame
    if shown["row"].max() >= frame.height:  # type: ignore[operator]
        return frame
    replaced: list[pl.Series] = []
    for (column,), cells in shown.group_by("column"):
        name = names[int(str(column))]
        rows = cells["row"]
        held = frame[name].gather(rows).cast(pl.Float64, strict=False)
        close = (held - cells["number"]).abs() <= 1e-9 * cells["number"].abs().clip(1.0, None)
        if not close.fill_null(False).all():
            return frame
        replaced.append(frame[name].clone().scatter(rows, cells["text"]))
    return frame.with_columns(replaced)
