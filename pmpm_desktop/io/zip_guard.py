"""Refuse a zip-packaged workbook (.xlsx, .xlsm, .xlsb, .ods) that would inflate past what an
office PC can hold, before fastexcel or our own readers decompress anything.

A zip says how big each part is, but those sizes can lie, and the spreadsheet reader (calamine)
inflates a part whole: so every part is first checked by its declared size and then inflated
here as a stream, counting bytes, 1 MiB at a time, until it ends or passes a limit. That costs
one pass of zlib over the package (about 0.1 s for a 100k-row sheet), far less than parsing it,
and never holds more than a chunk. The same pass refuses an XML part declaring a DOCTYPE or an
entity (billion laughs, XXE): workbooks never need one.
"""

from __future__ import annotations

import io
import struct
import zipfile
import zlib
from dataclasses import dataclass
from xml.etree import ElementTree

from pmpm_desktop.io.read_errors import UnreadableFile

GIB = 1 << 30
MIB = 1 << 20
#: the most one part (a sheet, sharedStrings.xml) may inflate to: ~1M rows of 10-15 columns
MEMBER_LIMIT = 512 * MIB
#: the most all parts together may inflate to
TOTAL_LIMIT = 1 * GIB
#: the most a part may inflate per compressed byte once it is past RATIO_FLOOR (real sheets
#: inflate 6-15 times; a bomb or a sheet of blanks ~1,000 times)
RATIO_LIMIT = 100
RATIO_FLOOR = 16 * MIB
#: the most parts a package may have (a workbook has a dozen or a few hundred)
MEMBER_COUNT_LIMIT = 10_000
#: the most one of our own reads of a small part (workbook.xml, styles.xml, rels) takes
SMALL_PART_LIMIT = 64 * MIB

_CHUNK = MIB
_MARKERS = (b"<!DOCTYPE", b"<!ENTITY")
_LOCAL_HEADER = struct.Struct("<4s22xHH")


@dataclass(frozen=True)
class _Part:
    name: str
    method: int
    offset: int
    compressed: int


def check_package(data: bytes, file_name: str) -> None:
    """UnreadableFile in one sentence when the zip package ``data`` is a bomb (a part or the
    whole inflating past the limits, or far more than real workbooks do), has too many parts,
    or holds XML with a DOCTYPE. A file that is not a zip at all passes (its reader says)."""
    try:
        with zipfile.ZipFile(io.BytesIO(data)) as zf:
            infos = zf.infolist()
    except (zipfile.BadZipFile, OSError, ValueError, EOFError):
        return
    if len(infos) > MEMBER_COUNT_LIMIT:
        raise UnreadableFile(
            f"{file_name} is not a usable workbook: it has {len(infos):,} parts "
            f"(the limit is {MEMBER_COUNT_LIMIT:,})"
        )
    declared = 0
    for info in infos:
        _check_size(file_name, info.filename, info.file_size, info.compress_size)
        declared += info.file_size
        if declared > TOTAL_LIMIT:
            raise UnreadableFile(
                f"{file_name} is not a usable workbook: its parts would inflate to more than "
                f"{_size(TOTAL_LIMIT)} together (a zip bomb)"
            )
    total = 0
    for info in infos:
        if info.is_dir():
            continue
        total += _inflate(data, _part(data, info), file_name, TOTAL_LIMIT - total)


def read_part(zf: zipfile.ZipFile, name: str, limit: int = SMALL_PART_LIMIT) -> bytes:
    """The bytes of part ``name`` (KeyError when absent), read with a cap: UnreadableFile when
    it inflates past ``limit``, whatever the package declares."""
    with zf.open(name) as stream:
        data = stream.read(limit + 1)
    if len(data) > limit:
        raise UnreadableFile(
            f"the workbook's part {_shown(name)} is larger than {_size(limit)}: "
            "it is not a usable workbook"
        )
    return data


def _check_size(file_name: str, name: str, size: int, compressed: int) -> None:
    if size > MEMBER_LIMIT:
        raise UnreadableFile(_too_big(file_name, name, size))
    if size > RATIO_FLOOR and size > RATIO_LIMIT * max(compressed, 1):
        raise UnreadableFile(_too_dense(file_name, name))


def _inflate(data: bytes, part: _Part, file_name: str, room: int) -> int:
    """The inflated size of ``part``, counted while streaming; UnreadableFile past a limit or at
    a DOCTYPE/ENTITY declaration."""
    view = memoryview(data)[part.offset :]
    if part.method == zipfile.ZIP_STORED:
        _scan(file_name, part.name, bytes(view[: min(part.compressed, 4 * _CHUNK)]))
        return part.compressed
    if part.method != zipfile.ZIP_DEFLATED:
        raise UnreadableFile(
            f"{file_name} is not a usable workbook: its part {_shown(part.name)} is compressed "
            f"in a way workbooks are not (method {part.method})"
        )
    inflater = zlib.decompressobj(-zlib.MAX_WBITS)
    out = consumed = 0
    tail = b""
    while not inflater.eof and consumed < len(view):
        pending: bytes | memoryview = view[consumed : consumed + _CHUNK]
        consumed += len(pending)
        while pending:
            try:
                chunk = inflater.decompress(pending, _CHUNK)
            except zlib.error:
                return out  # a damaged part: the reader says so in its own words
            pending = inflater.unconsumed_tail
            out += len(chunk)
            if out > MEMBER_LIMIT or out > room:
                raise UnreadableFile(_too_big(file_name, part.name, max(out, part.compressed)))
            if out > RATIO_FLOOR and out > RATIO_LIMIT * (consumed - len(pending)):
                raise UnreadableFile(_too_dense(file_name, part.name))
            _scan(file_name, part.name, tail + chunk)
            tail = chunk[-16:]
            if not chunk:
                break
    return out


def _scan(file_name: str, name: str, text: bytes) -> None:
    if any(marker in text for marker in _MARKERS):
        raise UnreadableFile(
            f"{file_name} is not a usable workbook: its part {_shown(name)} declares a DOCTYPE "
            "or an entity, which workbooks never need (it could expand without bound or read "
            "other files)"
        )


def _part(data: bytes, info: zipfile.ZipInfo) -> _Part:
    """Where the part's compressed bytes start (after its local header, whose name and extra
    field lengths can differ from the central directory's)."""
    start = info.header_offset
    try:
        magic, name_len, extra_len = _LOCAL_HEADER.unpack_from(data, start)
    except struct.error:
        return _Part(info.filename, zipfile.ZIP_STORED, len(data), 0)
    if magic != b"PK\x03\x04":
        return _Part(info.filename, zipfile.ZIP_STORED, len(data), 0)
    offset = start + _LOCAL_HEADER.size + name_len + extra_len
    return _Part(info.filename, info.compress_type, offset, info.compress_size)


def _too_big(file_name: str, name: str, size: int) -> str:
    return (
        f"{file_name} is not a usable workbook: its part {_shown(name)} would inflate to "
        f"{_size(size)} (the limit is {_size(MEMBER_LIMIT)})"
    )


def _too_dense(file_name: str, name: str) -> str:
    return (
        f"{file_name} is not a usable workbook: its part {_shown(name)} inflates more than "
        f"{RATIO_LIMIT} times its packed size, as zip bombs do (real sheets: 5 to 20 times)"
    )


def _shown(name: str) -> str:
    return repr(name if len(name) <= 80 else name[:77] + "...")


def _size(n: int) -> str:
    if n >= GIB:
        return f"{n / GIB:.1f} GB"
    return f"{n / MIB:.0f} MB"


_OLE_MAGIC = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"


def check_workbook(data: bytes, file_name: str) -> None:
    """:func:`check_package` for a zip workbook; for an .xls (an OLE compound file), a header
    whose sector counts the file could hold (calamine would allocate what a forged one says)."""
    if data[:2] == b"PK":
        check_package(data, file_name)
    elif data[:8] == _OLE_MAGIC:
        _check_ole(data, file_name)


def _check_ole(data: bytes, file_name: str) -> None:
    try:
        # sector shift at byte 30; FAT, mini FAT and DIFAT sector counts at 44, 64 and 72
        (shift,) = struct.unpack_from("<H", data, 30)
        fat, mini, difat = (struct.unpack_from("<I", data, at)[0] for at in (44, 64, 72))
    except struct.error:
        raise UnreadableFile(f"{file_name} is not a usable workbook: it is cut short") from None
    if shift not in (9, 12):
        raise UnreadableFile(f"{file_name} is not a usable workbook: its header is damaged")
    sector = 1 << shift
    if max(fat, mini, difat) * sector > len(data):
        raise UnreadableFile(
            f"{file_name} is not a usable workbook: its header claims more sectors than the "
            "file holds"
        )


def xml_part(zf: zipfile.ZipFile, name: str) -> ElementTree.Element:
    """Part ``name`` parsed as XML, read with a cap (KeyError when absent, ParseError when not
    XML); a part declaring a DOCTYPE or an entity is refused before the parser sees it."""
    data = read_part(zf, name)
    _scan("the workbook", name, data)
    return ElementTree.fromstring(data)
