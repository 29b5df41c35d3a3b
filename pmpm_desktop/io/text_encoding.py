"""The text of a payer's text file, in the encoding it was written in, or a refusal: never
garbled names stored without a word.

UTF-8 (with or without a BOM) and UTF-16 with a BOM are read as they are. A file that is mostly
valid UTF-8 but holds a few bytes that are not (a line pasted from a Windows program: the
classic ``Mu\\xf1oz`` among ``Muñoz``) is MIXED: it is decoded with those bytes marked, and the
table reader refuses the cells holding them with their rows. Anything else goes to
charset-normalizer, on a sample of the lines that are not ASCII (it is slow on whole files and
unsure on Latin text: it takes a Spanish name for Polish cp1250): a text in a non-Latin script
(Shift-JIS, Windows-1251, …) is decoded in the encoding it finds when the whole file decodes
cleanly in it; Latin text is read as Windows-1252, as Windows programs write it.
"""

from __future__ import annotations

import codecs
import re
import unicodedata
from dataclasses import dataclass

import charset_normalizer
from charset_normalizer.utils import is_multi_byte_encoding

from pmpm_desktop.io.read_errors import UnreadableFile

#: what a byte that is not UTF-8 becomes in a MIXED file (the reader refuses cells holding it)
BAD_BYTES = "\ufffd"
UTF8 = "utf-8"
WINDOWS_LATIN = "cp1252"
_NON_ASCII_LINE = re.compile(rb"[^\n]*[\x80-\xff][^\n]*\n?")
#: how much of the non-ASCII text the detector sees
SAMPLE_BYTES = 32 * 1024
#: fewer non-ASCII bytes than this cannot tell one multi-byte encoding from another
MIN_EVIDENCE = 24
_NAMES = {
    "cp1252": "Windows-1252 (Western European)",
    "latin_1": "Latin-1",
    "utf_16": "UTF-16",
    "cp932": "Shift-JIS (Japanese)",
    "shift_jis": "Shift-JIS (Japanese)",
    "cp1251": "Windows-1251 (Cyrillic)",
}


@dataclass(frozen=True)
class Decoded:
    """A file's text and how it was read."""

    text: str
    #: the Python codec used
    encoding: str
    #: valid UTF-8 but for some bytes, which became BAD_BYTES
    mixed: bool = False

    @property
    def note(self) -> str | None:
        """The sentence for the "how it was read" list when the file was not plain UTF-8."""
        if self.mixed:
            return (
                "the file is UTF-8 but for some bytes that are not: the cells holding them "
                "are refused"
            )
        if self.encoding in (UTF8, "utf-8-sig"):
            return None
        return f"the file is not UTF-8: read as {encoding_name(self.encoding)}"


def encoding_name(codec: str) -> str:
    """A codec's name as people know it."""
    key = codecs.lookup(codec).name.replace("-", "_")
    return _NAMES.get(key, _NAMES.get(codec, codec.replace("_", "-").upper()))


def decode_text(data: bytes, file_name: str, *, single_byte: bool = False) -> Decoded:
    """The text of ``data`` (see the module's docstring). ``single_byte``: the caller counts
    characters as bytes (fixed-width files), so a multi-byte encoding is refused.
    UnreadableFile in a sentence when no encoding reads the file cleanly."""
    if data.startswith(codecs.BOM_UTF8):
        with_bom = _utf8(data[len(codecs.BOM_UTF8) :], force_mixed=True)
        assert with_bom is not None  # force_mixed: UTF-8 with its bad bytes marked
        return with_bom
    if data.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):
        if single_byte:
            raise UnreadableFile(f"{file_name} is UTF-16 text: save it as UTF-8 or ANSI text")
        try:
            return Decoded(data.decode("utf-16"), "utf-16")
        except UnicodeDecodeError:
            raise UnreadableFile(
                f"{file_name} says it is UTF-16 but is not: save it as UTF-8 and import again"
            ) from None
    decoded = _utf8(data)
    if decoded is not None:
        return decoded
    return _legacy(data, file_name, single_byte=single_byte)


def _utf8(data: bytes, *, force_mixed: bool = False) -> Decoded | None:
    try:
        return Decoded(data.decode(UTF8), UTF8)
    except UnicodeDecodeError:
        pass
    text = data.decode(UTF8, errors="replace")
    invalid = text.count(BAD_BYTES)
    valid = len(text) - len(text.encode("ascii", errors="ignore")) - invalid
    if force_mixed or (valid and valid >= invalid):
        return Decoded(text, UTF8, mixed=True)
    return None


def _legacy(data: bytes, file_name: str, *, single_byte: bool) -> Decoded:
    sample = b"".join(_sample_lines(data))
    guess = charset_normalizer.from_bytes(sample).best()
    evidence = sum(b >= 0x80 for b in sample)
    if guess is not None and not _latin(str(guess)):
        codec = guess.encoding
        multi = is_multi_byte_encoding(codec)
        if multi and single_byte:
            raise UnreadableFile(
                f"{file_name} is {encoding_name(codec)} text: a fixed-width file must be "
                "UTF-8 or ANSI (one byte a character); save it as UTF-8"
            )
        if evidence >= MIN_EVIDENCE:
            try:
                return Decoded(data.decode(codec), codec)
            except (UnicodeDecodeError, LookupError):
                pass
        # A few odd bytes tell nothing about a non-Latin script; a multi-byte guess read as
        # Windows-1252 would be stored garbled, a single-byte one is an accent (as before).
        if (multi and not _western_bytes(sample)) or evidence >= MIN_EVIDENCE:
            raise UnreadableFile(
                f"{file_name} is not UTF-8 and no encoding reads it cleanly: save it as UTF-8 "
                "and import again"
            )
    try:
        return Decoded(data.decode(WINDOWS_LATIN), WINDOWS_LATIN)
    except UnicodeDecodeError:
        # latin-1 takes the five bytes cp1252 leaves out (control codes there): as before.
        return Decoded(data.decode("latin_1"), "latin_1")


def _western_bytes(sample: bytes) -> bool:
    """Every byte beyond ASCII is an accented letter of Windows-1252 (0xC0-0xFF) or its euro
    sign, quotes and dashes: what a few odd bytes in a Western file are. Shift-JIS and the
    other multi-byte encodings start most characters with 0x81-0x9F."""
    return all(b < 0x80 or b >= 0xC0 or b in _WESTERN_PUNCTUATION for b in sample)


_WESTERN_PUNCTUATION = frozenset(b"\x80\x85\x91\x92\x93\x94\x96\x97")


def _sample_lines(data: bytes) -> list[bytes]:
    out: list[bytes] = []
    size = 0
    for m in _NON_ASCII_LINE.finditer(data):
        out.append(m[0])
        size += len(m[0])
        if size >= SAMPLE_BYTES:
            break
    return out


def _latin(text: str) -> bool:
    """Every letter of ``text`` beyond ASCII is a Latin letter (or the text has none)."""
    for ch in set(text):
        if ch < "\x80" or not ch.isalpha():
            continue
        if not unicodedata.name(ch, "").startswith("LATIN"):
            return False
    return True
