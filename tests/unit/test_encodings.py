"""Text files in any encoding are read right or refused: never stored garbled."""

from __future__ import annotations

import codecs
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from pmpm_desktop.core.month import Month
from pmpm_desktop.io.read_errors import FileReadError
from pmpm_desktop.io.remittance_file import read_remittance
from pmpm_desktop.io.roster_file import read_roster
from pmpm_desktop.io.text_encoding import decode_text
from tests.unit import bad_files

JAN = Month(2026, 1)


@pytest.mark.parametrize(
    ("encoding", "note"),
    [
        ("utf-8", None),
        ("utf-8-sig", None),
        ("utf-16", "read as UTF-16"),
        ("cp1252", "read as Windows-1252"),
    ],
)
def test_latin_names_read_right(tmp_path: Path, encoding: str, note: str | None) -> None:
    path = bad_files.encoded(tmp_path / "r.csv", "roster", encoding, "Muñoz")
    parsed = read_roster(path, roster_month=JAN)
    assert parsed.ok, parsed.problems
    assert set(parsed.frame["last_name"].to_list()) == {"Muñoz"}
    notes = [d.text for d in parsed.decisions if d.kind == "encoding"]
    assert notes == (
        []
        if note is None
        else [
            f"the file is not UTF-8: {note} (Western European)"
            if "1252" in note
            else f"the file is not UTF-8: {note}"
        ]
    )


def test_shift_jis_is_read_in_its_own_encoding(tmp_path: Path) -> None:
    path = bad_files.encoded(tmp_path / "r.csv", "roster", "shift_jis", "山田太郎")
    parsed = read_roster(path, roster_month=JAN)
    assert set(parsed.frame["last_name"].to_list()) == {"山田太郎"}
    assert any("Shift-JIS" in d.text for d in parsed.decisions)


def test_a_few_shift_jis_bytes_are_refused_not_guessed() -> None:
    data = "Member ID,Last Name\r\n000000001,山田\r\n".encode("shift_jis")
    with pytest.raises(FileReadError, match="no encoding reads it cleanly"):
        decode_text(data, "r.csv")


def test_a_mixed_file_is_refused_with_the_row_and_column(tmp_path: Path) -> None:
    parsed = read_roster(bad_files.mixed_encoding(tmp_path / "r.csv"), roster_month=JAN)
    assert not parsed.ok
    assert [(p.row, p.column) for p in parsed.problems] == [(14, "Last Name")]
    assert parsed.problems[0].reason.startswith("bytes that are not UTF-8 in a file that is")


@pytest.mark.parametrize(("cell", "reason"), [("Sm\x00ith", "NUL byte"), ("Sm\x1bith", "U+001B")])
def test_nul_and_control_characters_past_the_first_4_kb_are_refused(
    tmp_path: Path, cell: str, reason: str
) -> None:
    path = bad_files.with_cell(tmp_path / "r.csv", "remittance", cell, column=3, line=300)
    parsed = read_remittance(path)
    assert [(p.row, p.column) for p in parsed.problems] == [(301, "Line Type")]
    assert reason in parsed.problems[0].reason


def test_a_binary_file_is_one_sentence(tmp_path: Path) -> None:
    with pytest.raises(FileReadError):
        read_roster(bad_files.garbage(tmp_path / "g.csv"), roster_month=JAN)


@settings(max_examples=60, deadline=None)
@given(st.text(st.characters(codec="utf-8", exclude_categories=("Cs",)), max_size=200))
def test_any_utf8_text_decodes_as_itself(text: str) -> None:
    for data in (text.encode(), codecs.BOM_UTF8 + text.encode()):
        decoded = decode_text(data, "f.csv")
        assert (decoded.text, decoded.mixed) == (text, False)


@settings(max_examples=60, deadline=None)
@given(st.text(st.sampled_from("abcXYZ 019,;ñéüßÀÇ"), max_size=200))
def test_latin_text_in_cp1252_decodes_as_itself(text: str) -> None:
    data = text.encode("cp1252")
    assert decode_text(data, "f.csv").text == text
