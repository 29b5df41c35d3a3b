"""Bad payer files for tests and the bench: zip bombs (honest and lying sizes), entity
expansion, XXE, garbage, bad encodings, NUL and control characters, edge dates, duplicate
headers, very wide and very long files. Each builder writes one file and returns its path; all
are small on disk and quick to build (a bomb's deflate stream is one compressed block repeated).
"""

from __future__ import annotations

import codecs
import datetime as dt
import io
import struct
import zipfile
import zlib
from collections.abc import Callable, Sequence
from pathlib import Path

import xlsxwriter

from tests.unit.files import RATE_HEADERS, REMIT_HEADERS, ROSTER_HEADERS

#: a member-like row: the corpus checks that no such value reaches a message
SECRET_ID = "000424242"
SECRET_NAME = "Nguyenova"
ROSTER_ROW = [SECRET_ID, SECRET_NAME, "Linh", "2019-03-12", "F", "MCD", "TANF", "", ""]
REMIT_ROW = [SECRET_ID, "2026-01", "97.60", "Capitation"]
RATE_ROW = ["2026-01", "", "Capitation", "TANF", "", "0", "1", "210.00"]


# --- zip packages -------------------------------------------------------------------------


def workbook_parts(headers: Sequence[str], rows: Sequence[Sequence[object]]) -> dict[str, bytes]:
    """The parts of a small real .xlsx (xlsxwriter), name → bytes."""
    buf = io.BytesIO()
    wb = xlsxwriter.Workbook(buf, {"in_memory": True})
    ws = wb.add_worksheet("Data")
    ws.write_row(0, 0, list(headers))
    for r, row in enumerate(rows, start=1):
        ws.write_row(r, 0, [str(v) for v in row])
    wb.close()
    with zipfile.ZipFile(io.BytesIO(buf.getvalue())) as zf:
        return {n: zf.read(n) for n in zf.namelist()}


def _deflated(parts: Sequence[bytes], repeat_middle: int = 1) -> tuple[bytes, int, int]:
    """Raw deflate of head + middle × repeat + tail, built by repeating one flushed block (so a
    3 GiB part takes milliseconds); also the inflated size and its CRC."""
    head, middle, tail = parts
    c = zlib.compressobj(9, zlib.DEFLATED, -zlib.MAX_WBITS)
    out = c.compress(head) + c.flush(zlib.Z_FULL_FLUSH)
    block = c.compress(middle) + c.flush(zlib.Z_FULL_FLUSH)
    end = c.compress(tail) + c.flush(zlib.Z_FINISH)
    crc = zlib.crc32(head)
    if repeat_middle <= 64:
        for _ in range(repeat_middle):
            crc = zlib.crc32(middle, crc)
    crc = zlib.crc32(tail, crc)
    size = len(head) + len(middle) * repeat_middle + len(tail)
    return out + block * repeat_middle + end, size, crc


def raw_zip(path: Path, parts: Sequence[tuple[str, bytes, int, int]]) -> Path:
    """A zip written by hand: (name, deflated bytes, declared size, crc) per part, so the
    declared sizes can be anything."""
    body = io.BytesIO()
    central = io.BytesIO()
    for name, data, size, crc in parts:
        encoded = name.encode()
        offset = body.tell()
        body.write(
            struct.pack(
                "<4sHHHHHIIIHH",
                b"PK\x03\x04",
                20,
                0,
                8,
                0,
                0x21,
                crc,
                len(data),
                size,
                len(encoded),
                0,
            )
        )
        body.write(encoded)
        body.write(data)
        central.write(
            struct.pack(
                "<4sHHHHHHIIIHHHHHII",
                b"PK\x01\x02",
                20,
                20,
                0,
                8,
                0,
                0x21,
                crc,
                len(data),
                size,
                len(encoded),
                0,
                0,
                0,
                0,
                0,
                offset,
            )
        )
        central.write(encoded)
    start = body.tell()
    directory = central.getvalue()
    end = struct.pack(
        "<4sHHHHIIH", b"PK\x05\x06", 0, 0, len(parts), len(parts), len(directory), start, 0
    )
    path.write_bytes(body.getvalue() + directory + end)
    return path


def _package(path: Path, replaced: dict[str, tuple[bytes, int, int]], kind: str) -> Path:
    """A real workbook of ``kind`` whose parts in ``replaced`` are (deflated, size, crc)."""
    headers, row = _KINDS[kind]
    parts = workbook_parts(headers, [row])
    out: list[tuple[str, bytes, int, int]] = []
    for name, data in parts.items():
        if name in replaced:
            out.append((name, *replaced[name]))
        else:
            c = zlib.compressobj(6, zlib.DEFLATED, -zlib.MAX_WBITS)
            out.append((name, c.compress(data) + c.flush(), len(data), zlib.crc32(data)))
    for name, value in replaced.items():
        if name not in parts:
            out.append((name, *value))
    return raw_zip(path, out)


_SHEET = "xl/worksheets/sheet1.xml"
_SHEET_HEAD = (
    b'<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n<worksheet '
    b'xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main"><sheetData>'
    b'<row r="1"><c r="A1" t="inlineStr"><is><t>'
)
_SHEET_TAIL = b"</t></is></c></row></sheetData></worksheet>"


def bomb(path: Path, kind: str = "roster", *, gib: int = 3, lying: bool = False) -> Path:
    """A workbook whose sheet inflates to ``gib`` GiB of spaces inside one cell (a whitespace
    bomb; a few MB on disk); ``lying`` declares its size as 1 KB."""
    data, size, crc = _deflated((_SHEET_HEAD, b" " * (1 << 20), _SHEET_TAIL), gib << 10)
    return _package(path, {_SHEET: (data, 1024 if lying else size, crc)}, kind)


def shared_strings_bomb(path: Path, kind: str = "roster") -> Path:
    """A huge sharedStrings.xml: 600 MiB of one repeated string, honestly declared."""
    head = b'<?xml version="1.0"?><sst xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main">'
    data, size, crc = _deflated((head, b"<si><t>x</t></si>" * 65536, b"</sst>"), 600)
    return _package(path, {"xl/sharedStrings.xml": (data, size, crc)}, kind)


def _plain(data: bytes) -> tuple[bytes, int, int]:
    c = zlib.compressobj(6, zlib.DEFLATED, -zlib.MAX_WBITS)
    return c.compress(data) + c.flush(), len(data), zlib.crc32(data)


def billion_laughs(path: Path, kind: str = "roster") -> Path:
    """workbook.xml declaring nested entities (billion laughs)."""
    lol = "".join(
        f'<!ENTITY lol{i} "{("&lol" + str(i - 1) + ";") * 10 if i else "lol"}">' for i in range(10)
    )
    xml = (
        f'<?xml version="1.0"?><!DOCTYPE lolz [{lol}]>'
        '<workbook xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main" '
        'xmlns:r="http://schemas.openxmlformats.org/officeDocument/2006/relationships">'
        '<sheets><sheet name="&lol9;" sheetId="1" r:id="rId1"/></sheets></workbook>'
    ).encode()
    return _package(path, {"xl/workbook.xml": _plain(xml)}, kind)


def xxe(path: Path, kind: str = "roster") -> Path:
    """A sheet whose cell is an external entity reading /etc/passwd (XXE)."""
    xml = (
        b'<?xml version="1.0"?><!DOCTYPE ws [<!ENTITY xxe SYSTEM "file:///etc/passwd">]>'
        + _SHEET_HEAD[_SHEET_HEAD.index(b"<worksheet") :]
        + b"&xxe;"
        + _SHEET_TAIL
    )
    return _package(path, {_SHEET: _plain(xml)}, kind)


def truncated_zip(path: Path, kind: str = "roster") -> Path:
    headers, row = _KINDS[kind]
    whole = text_table(path.with_suffix(".tmp.xlsx"), headers, [row], suffix=".xlsx")
    data = whole.read_bytes()
    whole.unlink()
    path.write_bytes(data[: len(data) // 2])
    return path


# --- text files ---------------------------------------------------------------------------


def text_table(
    path: Path,
    headers: Sequence[str],
    rows: Sequence[Sequence[object]],
    *,
    suffix: str = ".csv",
) -> Path:
    """A small good file of ``headers``/``rows``: .csv as UTF-8 text, .xlsx via xlsxwriter."""
    if suffix == ".xlsx":
        wb = xlsxwriter.Workbook(str(path))
        ws = wb.add_worksheet("Data")
        ws.write_row(0, 0, list(headers))
        for r, row in enumerate(rows, start=1):
            ws.write_row(r, 0, [str(v) for v in row])
        wb.close()
        return path
    lines = [",".join(headers), *(",".join(str(v) for v in row) for row in rows)]
    path.write_bytes(("\r\n".join(lines) + "\r\n").encode("utf-8"))
    return path


def encoded(path: Path, kind: str, encoding: str, last_name: str) -> Path:
    """A CSV of ``kind`` in ``encoding`` whose member's last name is ``last_name``."""
    headers, row = _KINDS[kind]
    rows = [_with_name(row, kind, last_name, i) for i in range(20)]
    text = "\r\n".join([",".join(headers), *(",".join(r) for r in rows)]) + "\r\n"
    data = text.encode(encoding)
    if encoding == "utf-16":
        assert data.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE))
    path.write_bytes(data)
    return path


def mixed_encoding(path: Path, kind: str = "roster", bad_line: int = 14) -> Path:
    """UTF-8 text with one line's name in cp1252 (``Mu\\xf1oz``): the classic mix."""
    headers, row = _KINDS[kind]
    lines = [",".join(headers).encode()]
    for i in range(2, 30):
        name = "Muñoz"
        line = ",".join(_with_name(row, kind, name, i)).encode()
        if i == bad_line:
            line = line.replace("Muñoz".encode(), "Muñoz".encode("cp1252"))
        lines.append(line)
    path.write_bytes(b"\r\n".join(lines) + b"\r\n")
    return path


def _with_name(row: Sequence[str], kind: str, name: str, i: int) -> list[str]:
    out = list(row)
    if kind == "roster":
        out[0] = f"{i + 1:09d}"
        out[1] = name
    elif kind == "remittance":
        out[0] = f"{i + 1:09d}"
        out[3] = name
    else:
        out[3] = f"{name} {i}"
    return out


def with_cell(path: Path, kind: str, cell: str, *, column: int = 1, line: int = 5000) -> Path:
    """A CSV of ``kind`` with ``cell`` in column ``column`` of data line ``line`` (beyond the
    first 4 KB), the other lines good."""
    headers, row = _KINDS[kind]
    rows = []
    for i in range(line):
        r = _with_name(row, kind, "Smith", i)
        if i == line - 1:
            r[column] = cell
        rows.append(r)
    return text_table(path, headers, rows)


def junk_rows(path: Path, kind: str, n: int) -> Path:
    """A CSV with the kind's header and ``n`` rows of junk (two bad cells each, or more)."""
    headers, row = _KINDS[kind]
    junk = list(row)
    for at in _JUNK_CELLS[kind]:
        junk[at] = "junk"
    line = ",".join(junk).encode() + b"\r\n"
    path.write_bytes(",".join(headers).encode() + b"\r\n" + line * n)
    return path


#: the cells junk_rows spoils: two that must parse (a date and a sex or an amount)
_JUNK_CELLS = {"roster": (3, 4), "remittance": (1, 2), "rates": (0, 7)}


def wide(path: Path, kind: str, columns: int = 10_000) -> Path:
    """A CSV of ``columns`` columns none of which is a known field (no header found)."""
    names = [f"Field{i}" for i in range(columns)]
    path.write_bytes((",".join(names) + "\r\n" + ",".join(["x"] * columns) + "\r\n").encode())
    return path


def duplicate_header(path: Path, kind: str, suffix: str = ".csv") -> Path:
    """The kind's file with its amount (or birth date) column twice: the first holds a wrong
    value."""
    headers, row = _KINDS[kind]
    at = {"roster": 3, "remittance": 2, "rates": 7}[kind]
    decoy = {"roster": "1985-06-17", "remittance": "1.00", "rates": "1.00"}[kind]
    rows = [[*_decoy(row, at, decoy), row[at]]]
    return text_table(path, [*headers, headers[at]], rows, suffix=suffix)


def _decoy(row: Sequence[str], at: int, decoy: str) -> list[str]:
    out = list(row)
    out[at] = decoy
    return out


def edge_dates(path: Path, kind: str, date: str) -> Path:
    """The kind's file with ``date`` in its first date column."""
    headers, row = _KINDS[kind]
    at = {"roster": 3, "remittance": 1, "rates": 0}[kind]
    return text_table(path, headers, [_decoy(row, at, date)])


def garbage(path: Path, size: int = 20_000) -> Path:
    """Bytes that are no format at all (NULs and high bytes, a fixed pattern)."""
    pattern = bytes(range(256))
    path.write_bytes((pattern * (size // 256 + 1))[:size])
    return path


_KINDS: dict[str, tuple[Sequence[str], Sequence[str]]] = {
    "roster": (ROSTER_HEADERS, ROSTER_ROW),
    "remittance": (REMIT_HEADERS, REMIT_ROW),
    "rates": (RATE_HEADERS, RATE_ROW),
}

Builder = Callable[[Path, str], Path]
TODAY = dt.date(2026, 1, 1)
