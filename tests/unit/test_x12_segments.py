"""X12 text into segments: separators from the ISA header, any terminators and line breaks."""

from __future__ import annotations

from pathlib import Path

import polars as pl
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from pmpm_desktop.core.month import Month
from pmpm_desktop.io.options import ReadOptions
from pmpm_desktop.io.read_errors import FileReadError
from pmpm_desktop.io.x12.read import read_x12
from pmpm_desktop.io.x12.segments import Separators, looks_like_x12, split_segments
from tests.unit.x12_files import (
    STANDARD,
    Coverage834,
    Member834,
    enrollment,
    enrollment_body,
    interchange,
)

BODY = [["BGN", "00", "REF 1", "20260401", "0930", "", "", "", "4"], ["INS", "Y", "18", "030"]]


def test_standard_separators_come_from_the_isa() -> None:
    segments = split_segments(interchange([BODY]))
    assert segments.separators == STANDARD
    assert segments.items[0][0] == "ISA" and len(segments.items[0]) == 17
    assert segments.items[3] == ["BGN", "00", "REF 1", "20260401", "0930", "", "", "", "4"]
    assert segments.tag(len(segments) - 1) == "IEA"


@pytest.mark.parametrize("line_breaks", ["", "\n", "\r\n", "\r"])
@pytest.mark.parametrize(
    "separators",
    [
        STANDARD,
        Separators("|", ">", "\n", None),
        Separators("^", "\\", "'", "{"),
        Separators("\x1d", "\x1f", "\x1c", "\x1e"),
        Separators("*", ":", "\r\n", "^"),
    ],
)
def test_any_separators_and_line_breaks_split_alike(
    separators: Separators, line_breaks: str
) -> None:
    reference = split_segments(interchange([BODY])).items
    data = interchange([BODY], separators=separators, line_breaks=line_breaks)
    segments = split_segments(data)
    assert segments.items[1:] == reference[1:]
    assert segments.separators.element == separators.element
    assert segments.separators.component == separators.component


def test_4010_has_no_repetition_separator() -> None:
    segments = split_segments(interchange([BODY], version="004010"))
    assert segments.separators.repetition is None
    assert segments.items[0][12] == "00401"


def test_bom_leading_whitespace_and_a_space_after_terminators_are_tolerated() -> None:
    data = b"\xef\xbb\xbf \r\n" + interchange([BODY], line_breaks=" \r\n")
    assert split_segments(data).items[3][0] == "BGN"


def test_text_wrapped_at_a_fixed_width_is_read_whole() -> None:
    text = interchange([BODY], line_breaks="").decode()
    wrapped = "\n".join(text[i : i + 80] for i in range(0, len(text), 80))
    assert split_segments(wrapped.encode()).items == split_segments(text.encode()).items


def test_latin1_and_utf16_text_decode() -> None:
    body = [["NM1", "IL", "1", "MUÑOZ", "JOSÉ"]]
    latin = interchange([body], encoding="latin-1")
    assert split_segments(latin).items[3][3:5] == ["MUÑOZ", "JOSÉ"]
    utf16 = interchange([body], encoding="utf-16")
    assert split_segments(utf16).items[3][3] == "MUÑOZ"


def test_an_isa_whose_fields_are_not_padded_is_read_by_its_separators() -> None:
    text = interchange([BODY]).decode().replace("ACMEHEALTH     ", "ACMEHEALTH", 1)
    segments = split_segments(text.encode())
    assert segments.separators == STANDARD
    assert segments.items[0][6] == "ACMEHEALTH"


def test_a_file_that_is_not_x12_is_refused() -> None:
    with pytest.raises(FileReadError, match="does not begin with an ISA"):
        split_segments(b"Member ID,Name\n1,DOE\n")
    with pytest.raises(FileReadError, match="segment 1 \\(ISA\\)"):
        split_segments(b"ISA*00*short")


def test_looks_like_x12() -> None:
    data = interchange([BODY])
    assert looks_like_x12(data[:20])
    assert looks_like_x12(b"\xef\xbb\xbf\r\n" + data[:30])
    assert looks_like_x12("ISA*00".encode("utf-16"))
    assert not looks_like_x12(b"ISAAC,NEWTON\n")
    assert not looks_like_x12(b"Member ID,ISA\n")
    assert not looks_like_x12(b"ISA 00")


def test_a_million_segments_split_whole() -> None:
    """Speed is measured by bench/bench_x12.py, not here: this checks a big file splits right."""
    body = [["REF", "0F", f"{i:09d}"] for i in range(1_000_000)]
    segments = split_segments(interchange([body]))
    assert len(segments) == 1_000_006
    assert segments.elements(500_003) == ["REF", "0F", f"{500_000:09d}"]


# --- any legal separators: the same roster ------------------------------------------------------

# Punctuation and the ASCII information separators; never a character of the data.
_POOL = "*|^~:>!+\\/#&@%$=?;{}[]`\x1c\x1d\x1e\x1f"
_MEMBERS = [
    Member834("A100", last="ALPHA", dob="19800101", sex="F"),
    Member834(
        "B200", last="BRAVO", dob="19900202", sex="M", coverages=(Coverage834(end="20260630"),)
    ),
    Member834(
        "C300",
        last="CHARLIE",
        subscriber=False,
        coverages=(Coverage834(plan="CHIP", refs={"17": "TANF"}, pcp="1234567893"),),
    ),
]


def _frame(data: bytes, tmp_path: Path, name: str) -> pl.DataFrame:
    path = tmp_path / name
    path.write_bytes(data)
    machine = read_x12(path, options=ReadOptions(), roster_month=Month(2026, 4))
    assert not machine.problems
    return machine.parsed.frame


@settings(
    max_examples=40, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(
    chars=st.lists(st.sampled_from(_POOL), min_size=4, max_size=4, unique=True),
    terminator_is_line_break=st.booleans(),
    line_breaks=st.sampled_from(["", "\n", "\r\n"]),
    version=st.sampled_from(["005010", "004010"]),
    bom=st.booleans(),
)
def test_any_legal_separator_choice_reads_the_same_roster(
    tmp_path: Path,
    chars: list[str],
    terminator_is_line_break: bool,
    line_breaks: str,
    version: str,
    bom: bool,
) -> None:
    element, component, terminator, repetition = chars
    if terminator_is_line_break:
        terminator, line_breaks = "\n", ""
    separators = Separators(element, component, terminator, repetition)
    reference = _frame(enrollment(_MEMBERS, version=version), tmp_path, "reference.834")
    data = enrollment(
        _MEMBERS, version=version, separators=separators, line_breaks=line_breaks, bom=bom
    )
    assert split_segments(data).separators.element == element
    assert _frame(data, tmp_path, "other.dat").equals(reference)


def test_the_body_generator_writes_what_the_reader_reads() -> None:
    body = enrollment_body([Member834("X1")])
    assert body[0][0] == "BGN" and body[3][0] == "INS"
