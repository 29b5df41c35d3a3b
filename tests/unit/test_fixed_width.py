"""Fixed-width files through a saved layout (io/fixed_width.py): the layout's JSON, what a
bad layout is told, and rosters and statements read with the spreadsheet readers' rules."""

from __future__ import annotations

import datetime as dt
import json
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from pmpm_desktop.core.month import Month
from pmpm_desktop.io.fixed_width import (
    FixedLayout,
    LayoutError,
    decode_head,
    first_lines,
    looks_fixed_width,
    read_fixed_width,
)
from pmpm_desktop.io.machine_file import Format
from pmpm_desktop.io.options import FileKind, ReadOptions
from pmpm_desktop.io.read_errors import FileReadError
from tests.unit.mmr_files import (
    ROSTER_LAYOUT,
    STATEMENT_LAYOUT,
    fixed,
    roster_line,
    statement_line,
    write_fixed_roster,
)

JAN = Month(2026, 1)
OPTIONS = ReadOptions()


@pytest.fixture
def roster_file(tmp_path: Path) -> Path:
    return write_fixed_roster(
        tmp_path / "ROSTER.DAT",
        [
            roster_line("A000000001", "ALVAREZ", "MARIA", "19500101", "F", "HMO"),
            roster_line("A000000002", "BROWN", "JAMES", "19621231", "M", "HMO"),
            roster_line("A000000003", "CHEN", "LI", "19880704", "F", "PPO"),
        ],
    )


def test_a_roster_reads_through_its_saved_layout(roster_file: Path) -> None:
    layout = FixedLayout.from_json(ROSTER_LAYOUT)
    read = read_fixed_width(roster_file, layout, options=OPTIONS, roster_month=JAN)
    assert read.format is Format.FIXED_WIDTH and read.kind is FileKind.ROSTER
    assert read.problems == []
    frame = read.parsed.frame
    # The header (skipped at the top) and the trailer (no "D") are not members: 3 members.
    assert frame["member_id"].to_list() == ["A000000001", "A000000002", "A000000003"]
    assert frame["source_row"].to_list() == [2, 3, 4]
    assert frame.row(0, named=True) | {"source_row": 0} == {
        "member_id": "A000000001",
        "last_name": "ALVAREZ",
        "first_name": "MARIA",
        "dob": dt.date(1950, 1, 1),
        "sex": "F",
        "product": "HMO",
        "rate_cell": None,
        "pcp": None,
        "effective_date": dt.date(2026, 1, 1),
        "term_date": None,
        "risk_score": None,
        "source_row": 0,
    }
    skipped = [d.text for d in read.parsed.decisions if d.kind.value == "skipped"]
    assert skipped == [
        "1 line at the top of the file (the layout says so): skipped",
        "1 line does not start with 'D' (header or trailer records): skipped",
    ]
    facts = {f.label: f.value for f in read.facts}
    assert facts == {
        "Layout": "roster: member_id 2–11, last_name 12–23, first_name 24–33, dob 34–41, "
        "sex 42–42, product 43–48, effective_date 49–56",
        "Lines read": "5",
        "Records": "3",
        "Lines skipped": "2",
    }


def test_a_statement_reads_amounts_and_months_by_the_shared_rules(tmp_path: Path) -> None:
    path = tmp_path / "remit.txt"
    lines = [
        statement_line("100000001", "202601", "165.00"),
        statement_line("100000002", "JAN-26", "(12.34)", "RECOUP"),
        statement_line("100000003", "202601", "1,234.56"),
    ]
    path.write_text("\n".join(lines) + "\n")
    layout = FixedLayout.from_json(json.dumps(STATEMENT_LAYOUT))
    read = read_fixed_width(path, layout, options=OPTIONS)
    assert read.problems == []
    frame = read.parsed.frame
    assert frame.select("member_id", "coverage_month", "amount_cents", "line_type").rows() == [
        ("100000001", "2026-01", 16500, "CAPITATION"),
        ("100000002", "2026-01", -1234, "RECOUP"),
        ("100000003", "2026-01", 123456, "CAPITATION"),
    ]
    # The file reconciles to 1,387.22 paid for January.
    assert {f.label: f.value for f in read.facts}["Total"] == "$1,387.22"


def test_bad_dates_are_problems_of_their_line_numbers(roster_file: Path, tmp_path: Path) -> None:
    path = write_fixed_roster(
        tmp_path / "bad.dat",
        [
            roster_line("A000000001", "ALVAREZ", "MARIA", "19500101", "F", "HMO"),
            roster_line("A000000002", "BROWN", "JAMES", "19621340", "M", "HMO"),
            roster_line("A000000003", "CHEN", "LI", "19880704", "X", "PPO"),
        ],
    )
    read = read_fixed_width(
        path, FixedLayout.from_json(ROSTER_LAYOUT), options=OPTIONS, roster_month=JAN
    )
    assert [str(p) for p in read.problems] == [
        "row 3, column 'dob', value '19621340': not a date (expected e.g. 2026-01-31 or "
        "01/31/2026): there is no month 13",
        "row 4, column 'sex', value 'X': not a sex (expected M, F, Male, Female or U)",
    ]
    assert read.parsed.frame["source_row"].to_list() == [2]


def test_a_line_too_short_names_the_line_and_the_columns(tmp_path: Path) -> None:
    path = tmp_path / "remit.txt"
    lines = [
        statement_line("100000001", "202601", "165.00"),
        statement_line("100000002", "202601", "")[:16],  # ends before the amount
        statement_line("100000003", "202601", "165.00")[:23],  # cuts the amount: "16"
        statement_line("100000004", "202601", "165.00", line_type="CAP")[:31],  # text may end
    ]
    path.write_text("\n".join(lines) + "\n")
    read = read_fixed_width(path, FixedLayout.from_json(STATEMENT_LAYOUT), options=OPTIONS)
    assert [str(p) for p in read.problems] == [
        "row 2, column 'amount', value '': line 2 is 16 characters long; amount is at columns "
        "18–27",
        "row 3, column 'amount', value '16': line 3 is 23 characters long; amount is at columns "
        "18–27",
    ]
    assert read.parsed.frame["source_row"].to_list() == [1, 4]
    assert read.parsed.frame["line_type"].to_list() == ["CAPITATION", "CAP"]


def test_a_short_line_lists_every_field_it_lacks_or_cuts(tmp_path: Path) -> None:
    layout = FixedLayout(
        FileKind.STATEMENT,
        {
            "member_id": (1, 12),
            "member_name": (13, 20),
            "coverage_month": (33, 8),
            "amount": (41, 9),
        },
    )
    path = tmp_path / "s.txt"
    # The name may end early (trailing blanks trimmed); the month is cut; the amount is absent.
    path.write_text("A00000000001SMITH               2026\n")
    read = read_fixed_width(path, layout, options=OPTIONS)
    assert [str(p) for p in read.problems] == [
        "row 1, column 'coverage_month', value '2026': line 1 is 36 characters long; "
        "coverage_month is at columns 33–40 and amount at 41–49"
    ]


def test_cp1252_and_utf8_bom_files_keep_their_columns(tmp_path: Path) -> None:
    lines = [
        roster_line("A000000001", "MUÑOZ", "JOSÉ", "19500101", "M", "HMO"),
        roster_line("A000000002", "BROWN", "JAMES", "19621231", "M", "HMO"),
    ]
    layout = FixedLayout.from_json(ROSTER_LAYOUT)
    for name, encoding, bom in (("a.dat", "cp1252", b""), ("b.dat", "utf-8", b"\xef\xbb\xbf")):
        path = write_fixed_roster(tmp_path / name, lines, encoding=encoding)
        path.write_bytes(bom + path.read_bytes())
        read = read_fixed_width(path, layout, options=OPTIONS, roster_month=JAN)
        assert read.problems == [], name
        assert read.parsed.frame["last_name"].to_list() == ["MUÑOZ", "BROWN"], name
        assert read.parsed.frame["dob"][0] == dt.date(1950, 1, 1), name


def test_a_head_cut_inside_a_utf8_character_is_still_utf8() -> None:
    data = "DA000000001MUÑOZ\n".encode()
    cut = data[: data.index("Ñ".encode()) + 1]
    assert decode_head(cut) == "DA000000001MU"
    assert decode_head(b"DA000000001MU\xd1OZ\n") == "DA000000001MUÑOZ\n"  # cp1252


def test_undefined_cp1252_bytes_never_stop_the_read(tmp_path: Path) -> None:
    path = tmp_path / "r.txt"
    path.write_bytes(b"A000000001\x81X  SMITH\r\nA000000002    BROWN\r\n")
    layout = FixedLayout(FileKind.ROSTER, {"member_id": (1, 10), "last_name": (15, 5)})
    read = read_fixed_width(path, layout, options=OPTIONS, roster_month=JAN)
    assert read.parsed.frame["last_name"].to_list() == ["SMITH", "BROWN"]


def test_a_file_without_data_lines_says_why(tmp_path: Path) -> None:
    path = tmp_path / "r.txt"
    path.write_text("HDR 2026\nTRL 0\n")
    with pytest.raises(FileReadError) as caught:
        read_fixed_width(
            path, FixedLayout.from_json(ROSTER_LAYOUT), options=OPTIONS, roster_month=JAN
        )
    assert str(caught.value) == "no line of r.txt starts with the layout's record prefix 'D'"


def test_a_roster_needs_its_roster_month(roster_file: Path) -> None:
    with pytest.raises(ValueError, match="roster month"):
        read_fixed_width(roster_file, FixedLayout.from_json(ROSTER_LAYOUT), options=OPTIONS)


def test_given_values_fill_what_the_layout_lacks(tmp_path: Path) -> None:
    layout = FixedLayout(FileKind.STATEMENT, {"member_id": (1, 9), "amount": (11, 8)})
    path = tmp_path / "s.txt"
    path.write_text(fixed([("100000001", 10), ("25.00", 8)]) + "\n")
    options = ReadOptions(values={"coverage_month": "2026-03"})
    read = read_fixed_width(path, layout, options=options)
    assert read.parsed.frame.select("coverage_month", "amount_cents").rows() == [("2026-03", 2500)]


def test_layout_json_round_trips() -> None:
    layout = FixedLayout.from_json(ROSTER_LAYOUT)
    assert layout.to_json() == ROSTER_LAYOUT
    assert FixedLayout.from_json(layout.to_json()) == layout
    assert len({layout, FixedLayout.from_json(layout.to_json())}) == 1  # hashable, by value
    statement = FixedLayout.from_json({**STATEMENT_LAYOUT, "kind": "remittance"})
    assert statement.kind is FileKind.STATEMENT
    assert statement.to_json() == STATEMENT_LAYOUT
    # "end" (inclusive) may stand for the length, as record layouts print "From-To".
    ended = FixedLayout.from_json(
        {"kind": "roster", "fields": {"member_id": {"start": 3, "end": 14}}}
    )
    assert ended.fields == {"member_id": (3, 12)}


def test_a_layout_written_by_hand_is_taken_as_meant() -> None:
    """[start, length] pairs, a list of fields, names as people write them, no kind (the
    command's), width for length: all one layout."""
    by_hand = {
        "fields": [
            {"field": "Member ID", "start": 1, "length": 9},
            {"name": "coverage month", "start": 11, "width": 6},
        ]
    }
    pairs = {"fields": {"member_id": [1, 9], "coverage_month": [11, 6], "amount": [18, 10]}}
    with pytest.raises(LayoutError, match="no amount field"):
        FixedLayout.from_json(by_hand, FileKind.STATEMENT)
    layout = FixedLayout.from_json(pairs, FileKind.STATEMENT)
    assert layout.kind is FileKind.STATEMENT
    assert layout.fields == {"member_id": (1, 9), "coverage_month": (11, 6), "amount": (18, 10)}
    by_hand["fields"].append({"field": "amount", "start": 18, "length": 10})  # type: ignore[attr-defined]
    assert FixedLayout.from_json(by_hand, FileKind.STATEMENT) == layout


@pytest.mark.parametrize(
    ("layout", "sentence"),
    [
        (
            {"kind": "roster", "fields": {"member_id": [1, 12, 3]}},
            'field member_id: expected {"start": N, "length": N}',
        ),
        (
            {
                "kind": "roster",
                "fields": {
                    "member_id": {"start": 1, "length": 12},
                    "dob": {"start": 10, "length": 8},
                },
            },
            "fields member_id (columns 1–12) and dob (columns 10–17) overlap",
        ),
        (
            {"kind": "roster", "fields": {"dob": {"start": 1, "length": 8}}},
            "the layout has no member_id field: every line of a roster needs its member ID",
        ),
        (
            {"kind": "statement", "fields": {"member_id": {"start": 1, "length": 8}}},
            "the layout has no amount field: every line of a payment statement needs its amount",
        ),
        (
            {"kind": "roster", "fields": {"member_id": {"start": 0, "length": 8}}},
            "field member_id starts at column 0: columns count from 1",
        ),
        (
            {"kind": "roster", "fields": {"member_id": {"start": 1, "length": 0}}},
            "field member_id is 0 characters long: at least 1",
        ),
        (
            {"kind": "roster", "fields": {"member_id": {"start": 1, "length": 8}, "amount": {}}},
            'field amount: expected {"start": N, "length": N}',
        ),
        (
            {
                "kind": "roster",
                "fields": {
                    "member_id": {"start": 1, "length": 8},
                    "amount": {"start": 9, "length": 8},
                },
            },
            "unknown field 'amount' for a roster layout (fields: member_id, last_name, "
            "first_name, full_name, dob, sex, product, rate_cell, pcp, effective_date, "
            "term_date, risk_score)",
        ),
        (
            {"kind": "rates", "fields": {"member_id": {"start": 1, "length": 8}}},
            "kind 'rates' is not one a layout reads: roster or statement",
        ),
        ({"fields": {}}, "the layout has no kind (roster or statement)"),
        (
            {"kind": "roster", "fields": {}},
            'the layout has no fields (expected "fields": {"member_id": …})',
        ),
        (
            {"kind": "roster", "fields": {"member_id": {"start": 1, "length": 8}}, "width": 80},
            "unknown key 'width' in the layout (expected kind, fields, record_prefix, skip_lines)",
        ),
        (
            {
                "kind": "roster",
                "fields": {"member_id": {"start": 1, "length": 8}},
                "skip_lines": -1,
            },
            "skip_lines is -1: lines to skip, 0 or more",
        ),
        (
            {
                "kind": "roster",
                "fields": {"member_id": {"start": 1, "length": 8}},
                "skip_lines": "1",
            },
            "skip_lines '1' is not a whole number",
        ),
        (
            {"kind": "roster", "fields": {"member_id": {"start": 1, "length": 8, "end": 9}}},
            "field member_id: length 8 does not match columns 1–9 (9 characters)",
        ),
        (
            {"kind": "roster", "fields": {"member_id": {"start": 1.5, "length": 8}}},
            'field member_id: expected {"start": N, "length": N} with whole numbers',
        ),
        (
            '{"kind": "roster",',
            "the layout is not JSON: Expecting property name enclosed in double quotes at line 1, "
            "column 19",
        ),
        ("[]", "the layout is a JSON object with a kind and its fields"),
    ],
)
def test_a_bad_layout_is_refused_with_a_specific_sentence(layout: object, sentence: str) -> None:
    data = layout if isinstance(layout, str) else json.dumps(layout)
    with pytest.raises(LayoutError) as caught:
        FixedLayout.from_json(data)
    assert str(caught.value) == sentence


def test_first_lines_feed_the_ruler(roster_file: Path) -> None:
    lines = first_lines(roster_file, 2)
    assert lines == [
        "HDR ACME HEALTH PLAN  ROSTER 202601",
        roster_line("A000000001", "ALVAREZ", "MARIA", "19500101", "F", "HMO"),
    ]


def test_looks_fixed_width(roster_file: Path, tmp_path: Path) -> None:
    body = "\n".join(statement_line(f"1000000{i:02d}", "202601", "165.00") for i in range(30))
    assert looks_fixed_width(body.encode() + b"\n")
    assert looks_fixed_width(roster_file.read_bytes())
    csv = "\n".join(f"1000000{i:02d},202601,165.00,CAPITATION" for i in range(30))
    assert not looks_fixed_width(csv.encode())
    tsv = "\n".join(f"1000000{i:02d}\t202601\t165.00" for i in range(30))
    assert not looks_fixed_width(tsv.encode())
    assert not looks_fixed_width(b"PK\x03\x04" + b"x" * 100)
    assert not looks_fixed_width(b"short\nlines\nhere\n")
    ragged = "\n".join("x" * (20 + 7 * i) for i in range(20))
    assert not looks_fixed_width(ragged.encode())


_TEXT_FIELDS = ("member_id", "last_name", "first_name", "product", "rate_cell", "pcp")
# A digit first: no value can read as a footer word ("TTL", "SUMME") the readers skip.
_VALUE = st.from_regex(r"[0-9][A-Z0-9]{0,8}", fullmatch=True)


@st.composite
def layouts_and_rows(draw: st.DrawFn) -> tuple[FixedLayout, list[dict[str, str]]]:
    names = draw(st.lists(st.sampled_from(_TEXT_FIELDS[1:]), unique=True, max_size=5))
    names = draw(st.permutations(["member_id", *names]))
    fields: dict[str, tuple[int, int]] = {}
    column = 1
    for name in names:
        column += draw(st.integers(min_value=0, max_value=3))
        width = draw(st.integers(min_value=9, max_value=14))
        fields[name] = (column, width)
        column += width
    rows = draw(
        st.lists(
            st.fixed_dictionaries({n: _VALUE for n in names}),
            min_size=1,
            max_size=6,
            unique_by=lambda r: r["member_id"],
        )
    )
    return FixedLayout(FileKind.ROSTER, fields), rows


@settings(max_examples=60, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(case=layouts_and_rows())
def test_any_layout_of_separate_fields_round_trips_the_values_written(
    tmp_path: Path, case: tuple[FixedLayout, list[dict[str, str]]]
) -> None:
    layout, rows = case
    width = max(start + length for start, length in layout.fields.values())
    lines = []
    for row in rows:
        line = [" "] * width
        for name, (start, _) in layout.fields.items():
            line[start - 1 : start - 1 + len(row[name])] = row[name]
        lines.append("".join(line))
    path = tmp_path / "roster.dat"
    path.write_text("\n".join(lines) + "\n")
    again = FixedLayout.from_json(json.dumps(layout.to_json()))
    assert again == layout
    read = read_fixed_width(path, again, options=OPTIONS, roster_month=JAN)
    assert read.problems == []
    frame = read.parsed.frame.select(list(layout.fields))
    assert frame.to_dicts() == rows
