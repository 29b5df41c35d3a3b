"""X12 envelopes checked: counts and control numbers, cut-off files, what the file is."""

from __future__ import annotations

from pathlib import Path

import pytest

from pmpm_desktop.io.options import FileKind, ReadOptions
from pmpm_desktop.io.read_errors import FileReadError
from pmpm_desktop.io.x12.codes import KINDS, transaction_of_guide
from pmpm_desktop.io.x12.envelope import check_envelope
from pmpm_desktop.io.x12.read import read_x12
from pmpm_desktop.io.x12.segments import split_segments
from tests.unit.x12_files import Member834, Wrong, enrollment, interchange

BODY = [["BGN", "00", "R1", "20260401", "0930", "", "", "", "4"], ["INS", "Y", "18", "030"]]


def _check(data: bytes) -> None:
    check_envelope(split_segments(data))


def test_a_good_envelope_gives_the_interchange_facts() -> None:
    data = interchange(
        [BODY, BODY, BODY], groups=[2, 1], control=1234, sender=("30", "123456789"), usage="T"
    )
    found = check_envelope(split_segments(data))
    assert found.identity == "X12 30:123456789 000001234"
    assert [len(g.sets) for g in found.groups] == [2, 1]
    assert [s.code for s in found.sets] == ["834"] * 3
    assert found.sets[0].guide == "005010X220A1"
    assert found.sets[1].start == found.sets[0].end + 1
    facts = {f.label: f.value for f in found.facts()}
    assert facts["Sender"] == "123456789 (30: federal tax ID)"
    assert facts["Receiver"].startswith("SUNPRACTICE (ZZ")
    assert facts["Interchange date"] == "2026-04-01 09:30"
    assert facts["Interchange control number"] == "000001234"
    assert facts["Group control number"] == "1, 2"
    assert facts["Version"] == "005010X220A1"
    assert facts["Usage"] == "test data (ISA15 T)"
    assert facts["Transaction sets"] == "834 (benefit enrollment and maintenance) × 3"


def test_4010_sets_take_their_guide_from_gs08() -> None:
    found = check_envelope(split_segments(interchange([BODY], version="004010")))
    assert found.version == "00401"
    assert found.sets[0].guide == "004010X095A1"


@pytest.mark.parametrize(
    ("wrong", "message"),
    [
        (
            Wrong(se_count={1: 9}),
            "segment 10 (SE): the transaction set says it has 9 segments; it has 4",
        ),
        (
            Wrong(se_control={0: "0002"}),
            "segment 6 (SE), element 02: control number '0002' is not its ST's (segment 3) '0001'",
        ),
        (
            Wrong(ge_count=3),
            "segment 11 (GE): the functional group says it has 3 transaction sets; it has 2",
        ),
        (
            Wrong(ge_control="77"),
            "segment 11 (GE), element 02: control number '77' is not its GS's",
        ),
        (
            Wrong(iea_count=2),
            "segment 12 (IEA): the interchange says it has 2 functional groups; it has 1",
        ),
        (
            Wrong(iea_control="000000002"),
            "segment 12 (IEA), element 02: control number '000000002' is not its ISA's (ISA13) "
            "'000000001'",
        ),
        (
            Wrong(omit=frozenset({"GE"})),
            "segment 11 (IEA): the functional group opened at segment 2",
        ),
        (Wrong(omit=frozenset({"SE"})), "segment 6 (ST): the transaction set opened at segment 3"),
        (
            Wrong(omit=frozenset({"IEA"})),
            "the file ends before its IEA: it was cut off after segment 11",
        ),
    ],
)
def test_a_broken_envelope_names_the_segment(wrong: Wrong, message: str) -> None:
    with pytest.raises(FileReadError) as caught:
        _check(interchange([BODY, BODY], wrong=wrong))
    assert str(caught.value).startswith(message)


def test_counts_are_written_with_thousands_separators() -> None:
    body = [["REF", "0F", str(i)] for i in range(1_201)]
    with pytest.raises(
        FileReadError,
        match="segment 1,205 \\(SE\\): the transaction set says it "
        "has 1,180 segments; it has 1,203",
    ):
        _check(interchange([body], wrong=Wrong(se_count={0: 1_180})))


@pytest.mark.parametrize("cut", [5, 25, 60])
def test_a_truncated_file_says_it_was_cut_off(cut: int) -> None:
    data = interchange([BODY])
    with pytest.raises(FileReadError, match="the file ends before its IEA: it was cut off"):
        _check(data[: len(data) - cut])


def test_an_iea_without_a_final_terminator_is_complete() -> None:
    data = interchange([BODY], line_breaks="")
    _check(data[:-1])


def test_segments_outside_a_transaction_set_are_refused() -> None:
    text = interchange([BODY]).decode().replace("GE*", "REF*0F*STRAY~\nGE*", 1)
    with pytest.raises(FileReadError, match="segment 7 \\(REF\\): outside a transaction set"):
        _check(text.encode())


def test_a_second_interchange_is_refused() -> None:
    data = interchange([BODY]) + interchange([BODY], control=2)
    with pytest.raises(FileReadError, match="a second interchange in the file"):
        _check(data)


def test_an_st_outside_a_group_is_refused() -> None:
    text = interchange([BODY]).decode()
    text = text.replace(text[text.index("GS*") : text.index("ST*")], "", 1)
    with pytest.raises(FileReadError, match="segment 2 \\(ST\\): a transaction set outside"):
        _check(text.encode())


def test_a_count_that_is_not_a_number() -> None:
    text = interchange([BODY]).decode().replace("SE*4*", "SE*four*")
    with pytest.raises(FileReadError, match="element 01: 'four' is not a number of segments"):
        _check(text.encode())


def test_the_kind_comes_from_the_transaction_set() -> None:
    assert KINDS["834"] is FileKind.ROSTER and KINDS["271"] is FileKind.ROSTER
    assert KINDS["820"] is FileKind.STATEMENT and KINDS["835"] is FileKind.STATEMENT
    assert transaction_of_guide("005010X220A1") == "834"
    assert transaction_of_guide("004010X092A1") == "271"
    assert transaction_of_guide("005010X221A1") == "835"


@pytest.mark.parametrize(
    "name", ["roster.834", "members.edi", "x.x12", "in.txt", "in.dat", "noext"]
)
def test_an_834_is_read_whatever_its_extension(tmp_path: Path, name: str) -> None:
    path = tmp_path / name
    path.write_bytes(enrollment([Member834("A1")]))
    assert read_x12(path, options=ReadOptions()).kind is FileKind.ROSTER


def test_a_transaction_set_pmpm_does_not_read_is_named(tmp_path: Path) -> None:
    path = tmp_path / "claims.edi"
    path.write_bytes(interchange([[["BHT", "0019", "00", "1"]]], code="837"))
    with pytest.raises(FileReadError) as caught:
        read_x12(path, options=ReadOptions())
    assert str(caught.value).startswith(
        "this X12 file is an 837 (health care claim); PMPM reads 834"
    )


def test_a_guide_of_another_transaction_is_refused(tmp_path: Path) -> None:
    path = tmp_path / "odd.edi"
    path.write_bytes(interchange([BODY], code="834", guide="005010X221A1"))
    with pytest.raises(
        FileReadError,
        match="segment 3 \\(ST\\): the transaction set says it is "
        "an 834 \\(benefit enrollment and maintenance\\) but its guide",
    ):
        read_x12(path, options=ReadOptions())


def test_an_interchange_without_sets_is_refused(tmp_path: Path) -> None:
    path = tmp_path / "empty.edi"
    path.write_bytes(interchange([]))
    with pytest.raises(FileReadError, match="holds no transaction sets"):
        read_x12(path, options=ReadOptions())


def test_a_missing_file(tmp_path: Path) -> None:
    with pytest.raises(FileReadError, match="file not found"):
        read_x12(tmp_path / "nothing.834", options=ReadOptions())
