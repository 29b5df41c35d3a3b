"""An X12 interchange's text split into segments and elements.

The separators are the interchange's own, read from its ISA header: the element separator is
the character after ``ISA``, the component separator is ISA16, the segment terminator is the
character after ISA16 and the repetition separator (005010) is ISA11. The ISA is fixed-length
(106 characters) when written by the guide; a header whose fields are not padded is read by its
separators instead. Line breaks after terminators (or wrapping the text at a fixed width) are
not part of the data and are dropped; a file whose segments end with a line break alone is
read too.

Splitting is ``str.split``: the text into segments at once (a 100k-member 834, about a million
segments, in a few hundredths of a second), each segment into its elements when it is read.
"""

from __future__ import annotations

import codecs
from dataclasses import dataclass
from functools import cached_property

from pmpm_desktop.io.collector import collection_paused as collection_paused
from pmpm_desktop.io.read_errors import FileReadError

#: The ISA written by the guide: "ISA" and 16 fixed-width elements with their separators.
ISA_LENGTH = 106
_LINE_BREAKS = ("\r\n", "\n", "\r")
# Trailing bytes some systems add after the last segment (DOS end-of-file mark, padding).
_TRAILING = "\x00\x1a \t\r\n"
# Spaces and line breaks are never separators (the ASCII control characters FS, GS, RS and US,
# which Python counts as whitespace, are: some systems use them).
_BLANKS = " \t\r\n"
_BOMS = (codecs.BOM_UTF8, codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)


@dataclass(frozen=True)
class Separators:
    """The delimiters of one interchange (the guide's usual ones by default)."""

    element: str = "*"
    component: str = ":"
    #: the segment terminator; ``"\\n"`` or ``"\\r\\n"`` when segments end with a line break
    segment: str = "~"
    #: ISA11 in 005010 and later; None in 004010, where ISA11 is the standards identifier
    repetition: str | None = "^"


@dataclass(frozen=True)
class Segments:
    """The segments of an interchange: ``texts[i]`` is segment number ``i + 1`` (counted from
    the ISA, as EDI tools count them) as written, without its terminator.

    ``items`` gives every segment as a list of its elements (the segment ID first), made on
    first use; a reader of large files walks ``texts`` and splits only the segments it reads
    (:meth:`elements`), which spares a million lists."""

    texts: list[str]
    separators: Separators
    #: the text ended with a segment terminator (a file cut off mid-segment does not)
    terminated: bool = True

    def __len__(self) -> int:
        return len(self.texts)

    @cached_property
    def items(self) -> list[list[str]]:
        """Every segment as a list of its elements."""
        element = self.separators.element
        with collection_paused():
            return [t.split(element) for t in self.texts]

    def elements(self, index: int) -> list[str]:
        """Segment ``index + 1`` as a list of its elements."""
        return self.texts[index].split(self.separators.element)

    def tag(self, index: int) -> str:
        """The ID of segment ``index + 1`` (``INS``, ``HD``)."""
        text = self.texts[index]
        return text.split(self.separators.element, 1)[0]


def decode(data: bytes) -> str:
    """The file's text: UTF-8 (with or without a BOM), UTF-16 with a BOM, else Latin-1 (which
    reads any byte), so no file fails to decode."""
    if data.startswith(codecs.BOM_UTF8):
        data = data[len(codecs.BOM_UTF8) :]
    elif data.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):
        try:
            return data.decode("utf-16")
        except UnicodeDecodeError:
            pass
    try:
        return data.decode("utf-8")
    except UnicodeDecodeError:
        return data.decode("latin-1")


def looks_like_x12(head: bytes) -> bool:
    """Whether the first bytes of a file are an X12 interchange header (BOM and leading
    whitespace allowed): ``ISA``, a separator, then the two-digit ISA01."""
    for bom in _BOMS:
        if head.startswith(bom):
            head = head[len(bom) :]
            if bom is not codecs.BOM_UTF8:
                head = head.decode("utf-16", errors="ignore").encode("latin-1", errors="ignore")
            break
    head = head.lstrip(b" \t\r\n")
    if not head.startswith(b"ISA") or len(head) < 4:
        return False
    sep = head[3:4]
    if sep.isalnum() or sep in b" \t\r\n":
        return False
    if len(head) < 7:
        return True
    return head[4:6].isdigit() and head[6:7] == sep


def separators_of(text: str) -> tuple[Separators, int]:
    """The separators of the interchange whose ISA begins ``text``, and the length of the ISA
    up to and including its terminator. FileReadError when the header cannot be an ISA."""
    if not text.startswith("ISA") or len(text) < 4:
        raise FileReadError("this is not an X12 file: it does not begin with an ISA segment")
    element = text[3]
    if element.isalnum() or element in _BLANKS:
        raise FileReadError(
            f"segment 1 (ISA): {element!r} after 'ISA' cannot be an element separator"
        )
    if len(text) >= ISA_LENGTH and text[103] == element and text.count(element, 0, 104) == 16:
        end = 104  # the guide's fixed-length header: ISA16 at 104, the terminator after it
    else:
        end = -1
        for _ in range(16):
            end = text.find(element, end + 1)
            if end < 0:
                raise FileReadError(
                    "segment 1 (ISA): the interchange header ends before its 16th element"
                )
        end += 1
    if end + 1 >= len(text):
        raise FileReadError("segment 1 (ISA): the interchange header ends before its terminator")
    component = text[end]
    terminator = text[end + 1]
    if terminator == "\r" and text[end + 2 : end + 3] == "\n":
        terminator = "\r\n"
    if terminator.isalnum() or terminator in (" ", element, component):
        raise FileReadError(
            f"segment 1 (ISA): {terminator!r} after ISA16 cannot end a segment; the header is "
            "not written as the X12 standard says"
        )
    fields = text[:end].split(element)
    version, isa11 = fields[12], fields[11]
    repetition: str | None = None
    if (
        version >= "00402"
        and len(isa11) == 1
        and not isa11.isalnum()
        and isa11 not in _BLANKS
        and isa11 not in (element, component, terminator)
    ):
        repetition = isa11
    return Separators(element, component, terminator, repetition), end + 1 + len(terminator)


def split_segments(data: bytes) -> Segments:
    """The interchange in ``data`` as segments of elements, its separators from its ISA.

    Leading BOM and whitespace are skipped; line breaks between (or inside) segments are
    dropped unless they are the terminator; empty segments are left out. FileReadError when
    the text does not begin with an ISA header."""
    text = decode(data).lstrip("\ufeff \t\r\n")
    seps, _ = separators_of(text)
    term = seps.segment
    if term in _LINE_BREAKS:
        body = text.rstrip("\x00\x1a \t")
        terminated = body.endswith(("\n", "\r"))
        if "\r" in body:
            body = body.replace("\r\n", "\n").replace("\r", "\n")
        term = "\n"
    else:
        body = text.rstrip(_TRAILING)
        terminated = body.endswith(term)
        if "\n" in body or "\r" in body:
            body = body.replace("\r", "").replace("\n", "")
    pieces = body.split(term)
    if term + " " in body or term + "\t" in body or (term == "\n" and "\n " in body):
        pieces = [p.strip(" \t") for p in pieces]
    if "" in pieces:
        pieces = [p for p in pieces if p]
    return Segments(pieces, seps, terminated)


def segment_name(segment: list[str]) -> str:
    """A segment as an analyst names it: the ID, with its qualifier where the guide's loops
    are told apart by one (``DTP*349``, ``NM1*IL``, ``REF*0F``)."""
    tag = segment[0]
    if tag in _QUALIFIED and len(segment) > 1 and segment[1]:
        return f"{tag}*{segment[1]}"
    return tag


_QUALIFIED = frozenset({"DTP", "DTM", "NM1", "REF", "N1", "AMT", "QTY", "PER", "ENT", "LS", "LE"})
