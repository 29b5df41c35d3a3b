"""X12 820 premium payments read as payment statements: members' RMR lines per coverage month,
ADX adjustments as signed lines, periods over several months refused at their DTM, BPR02 as
the stated total (a mismatch is a fact), problems at their segment and element."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from pathlib import Path

import polars as pl
import pytest

from pmpm_desktop.io.fields import MappingError
from pmpm_desktop.io.machine_file import Format, MachineFile
from pmpm_desktop.io.options import DecisionKind, FileKind, ReadOptions
from pmpm_desktop.io.read_errors import FileReadError
from pmpm_desktop.io.x12.read import read_x12
from pmpm_desktop.io.x12.segments import Separators
from tests.unit.x12_files import Segment, Wrong
from tests.unit.x12_pay_files import PremiumLine, PremiumMember, premium_payment, write_820

MARCH = "20260301-20260331"
FEBRUARY = "20260201-20260228"

# The statement of the tests, paid 2026-03-15: one member paid for March; one for March with a
# retro February line recouped in part (2320B ADX 52); one paid for March (a single date in
# DTM02) with a previous payment's overpayment taken back (2200B ADX 80).
MEMBERS = [
    PremiumMember("A001", "DOE", "JANE", [PremiumLine("300.00", MARCH)]),
    PremiumMember(
        "A002",
        "ROE",
        "RICK",
        [
            PremiumLine("250.00", MARCH),
            PremiumLine("250.00", FEBRUARY, adjustments=[("-25.00", "52")]),
        ],
    ),
    PremiumMember(
        "A003",
        "POE",
        "ANN",
        [PremiumLine("180.00", "20260301", ref=("18", "PLAN-B"))],
        previous=[("-150.00", "80")],
    ),
]
# 300 + 250 + 250 - 25 + 180 - 150
TOTAL = "805.00"


def read(path: Path, mapping: dict[str, str] | None = None) -> MachineFile:
    return read_x12(path, options=ReadOptions(), mapping=mapping)


def number(body: list[Segment], segment: Segment) -> int:
    """The number of a body segment in the file (ISA 1, GS 2, ST 3, the body from 4)."""
    return [list(s) for s in body].index(list(segment)) + 4


def facts(machine: MachineFile) -> dict[str, str]:
    return {f.label: f.value for f in machine.facts}


def per_month(frame: pl.DataFrame) -> dict[str, tuple[int, int]]:
    """coverage month → (lines, cents)."""
    grouped = frame.group_by("coverage_month").agg(pl.len(), pl.col("amount_cents").sum())
    return {m: (n, cents) for m, n, cents in grouped.rows()}


def test_an_820_reads_each_members_lines_per_coverage_month(tmp_path: Path) -> None:
    body = premium_payment(MEMBERS, total=TOTAL)
    machine = read(write_820(tmp_path / "march.edi", [body]))

    assert machine.format is Format.X12
    assert machine.kind is FileKind.STATEMENT
    assert machine.standard == "X12 820 (005010X218)"
    assert machine.problems == []
    lines = machine.parsed.frame.sort("source_row")
    assert lines.select("member_id", "coverage_month", "amount_cents", "line_type").rows() == [
        ("A001", "2026-03", 30000, "CAPITATION"),
        ("A002", "2026-03", 25000, "CAPITATION"),
        ("A002", "2026-02", 25000, "CAPITATION"),
        ("A002", "2026-02", -2500, "adjustment 52 credit for overpayment"),
        ("A003", "2026-03", -15000, "adjustment 80 overpayment"),
        ("A003", "2026-03", 18000, None),
    ]
    # March: 4 lines, $580.00; February (retro): 2 lines, $225.00.
    assert per_month(lines) == {"2026-03": (4, 58000), "2026-02": (2, 22500)}
    assert machine.stated_total == Decimal("805.00")
    assert machine.payment_date == dt.date(2026, 3, 15)
    assert machine.reference == "EFT0315"
    assert lines["payment_date"].unique().to_list() == [dt.date(2026, 3, 15)]
    assert lines["reference"].unique().to_list() == ["EFT0315"]
    assert lines["member_name"].to_list()[:2] == ["DOE, JANE", "ROE, RICK"]
    adjustment = lines.filter(pl.col("amount_cents") == -2500)
    assert adjustment["source_row"].item() == number(body, ["ADX", "-25.00", "52"])
    shown = facts(machine)
    assert shown["Coverage month 2026-03"] == "4 lines, $580.00"
    assert shown["Coverage month 2026-02"] == "2 lines, $225.00"
    assert shown["Lines (RMR, ADX)"] == "4 paid, 2 adjustments"
    assert shown["Sum of the lines"] == "$805.00"
    assert shown["Payment amount (BPR02)"] == "$805.00"
    assert shown["Payment date (BPR16)"] == "2026-03-15"
    assert shown["Trace number (TRN02)"] == "EFT0315"
    assert shown["Payer (N1*PR)"] == "ACME HEALTH PLAN (TIN 987654321)"
    assert shown["Members (loop 2000B)"] == "3"
    assert "Stated total check" not in shown
    assert (machine.interchange or "").startswith("X12 ZZ:ACMEHEALTH 000000001 #")


def test_a_period_over_several_months_is_refused_at_its_dtm(tmp_path: Path) -> None:
    quarter = PremiumMember("A004", "LEE", "KIM", [PremiumLine("750.00", "20260101-20260331")])
    body = premium_payment([*MEMBERS, quarter], total="1555.00")
    machine = read(write_820(tmp_path / "quarter.edi", [body]))

    dtm = number(body, ["DTM", "582", "", "", "", "RD8", "20260101-20260331"])
    assert [str(p) for p in machine.problems] == [
        f"segment {dtm} (DTM*582), element 06: '20260331': the line covers 2026-01 to 2026-03: "
        "one line per coverage month is expected (the amount of each month is not known)"
    ]
    assert "A004" not in machine.parsed.frame["member_id"].to_list()
    assert machine.parsed.frame.height == 6


@pytest.mark.parametrize(
    ("period", "month"),
    [
        ("20260301-20260331", "2026-03"),
        ("20260315-20260331", "2026-03"),  # part of a month: that month
        ("20260301", "2026-03"),
        ("20260115-20260214", None),  # over two months: refused
    ],
)
def test_a_coverage_period_inside_one_month_is_that_month(
    tmp_path: Path, period: str, month: str | None
) -> None:
    body = premium_payment(
        [PremiumMember("A001", "DOE", "JANE", [PremiumLine("300.00", period)])], total="300.00"
    )
    machine = read(write_820(tmp_path / "period.edi", [body]))

    assert machine.parsed.frame["coverage_month"].to_list() == ([month] if month else [])
    assert len(machine.problems) == (0 if month else 1)


def test_a_mismatch_of_bpr02_and_the_lines_is_a_fact_not_a_refusal(tmp_path: Path) -> None:
    machine = read(write_820(tmp_path / "short.edi", [premium_payment(MEMBERS, total="900.00")]))

    assert machine.problems == []
    assert machine.stated_total == Decimal("900.00")
    assert facts(machine)["Stated total check"] == (
        "BPR02 $900.00 differs from the sum of the lines $805.00 by $95.00"
    )


def test_an_004010x061a1_820_reads_the_same(tmp_path: Path) -> None:
    members = [
        PremiumMember(m.member_id, m.last, m.first, m.lines, m.previous, qualifier="QE")
        for m in MEMBERS
    ]
    machine = read(
        write_820(tmp_path / "old.x12", [premium_payment(members, total=TOTAL)], version="004010")
    )

    assert machine.standard == "X12 820 (004010X061A1)"
    assert machine.problems == []
    assert per_month(machine.parsed.frame) == {"2026-03": (4, 58000), "2026-02": (2, 22500)}


def test_bad_amounts_and_dates_are_placed_at_their_segment_and_element(tmp_path: Path) -> None:
    members = [
        PremiumMember("B001", "DOE", "JANE", [PremiumLine("3OO.00", MARCH)]),
        PremiumMember("B002", "ROE", "RICK", [PremiumLine("250.00", "20261340-20261341")]),
        PremiumMember(
            "B003", "POE", "ANN", [PremiumLine("100.00", MARCH, adjustments=[("1O", "52")])]
        ),
    ]
    body = premium_payment(members, total="350.00")
    machine = read(write_820(tmp_path / "bad.edi", [body]))

    rmr = number(body, ["RMR", "IK", "INVB0011", "", "3OO.00"])
    dtm = number(body, ["DTM", "582", "", "", "", "RD8", "20261340-20261341"])
    adx = number(body, ["ADX", "1O", "52"])
    shown = [str(p) for p in machine.problems]
    assert shown[0] == (
        f"segment {rmr} (RMR), element 04: '3OO.00' is not an amount (expected e.g. 1234.56, "
        "$1,234.56 or (12.34))"
    )
    assert shown[1].startswith(f"segment {dtm} (DTM*582), element 06: '20261340' is not a")
    assert shown[-1].startswith(f"segment {adx} (ADX), element 01: '1O' is not an amount")
    assert machine.parsed.frame["member_id"].to_list() == ["B003"]


def test_a_bad_payment_date_is_placed_at_bpr16(tmp_path: Path) -> None:
    body = premium_payment(MEMBERS[:1], total="300.00")
    body[0] = [*body[0][:16], "20261331"]
    machine = read(write_820(tmp_path / "date.edi", [body]))

    assert [str(p) for p in machine.problems] == [
        "segment 4 (BPR), element 16: '20261331' is not a date (expected e.g. 2026-01-31 or "
        "01/31/2026): there is no month 13"
    ]


def test_the_member_id_comes_from_a_ref_when_the_payer_says_so(tmp_path: Path) -> None:
    members = [
        PremiumMember("A001", "DOE", "JANE", [PremiumLine("300.00", MARCH)], refs=[("0F", "S1")]),
        PremiumMember("A002", "ROE", "RICK", [PremiumLine("250.00", MARCH)], refs=[("0F", "S2")]),
    ]
    path = write_820(tmp_path / "refs.edi", [premium_payment(members, total="550.00")])

    by_ref = read(path, {"member_id": "REF*0F"})
    assert by_ref.parsed.frame["member_id"].to_list() == ["S1", "S2"]
    assert any("REF*0F" in d.text for d in by_ref.parsed.decisions)
    by_ent = read(path, {"member_id": "ENT04"})
    assert by_ent.parsed.frame["member_id"].to_list() == ["EA001", "EA002"]
    assert read(path).parsed.frame["member_id"].to_list() == ["A001", "A002"]
    # The mapping a file was read with, saved as the payer's profile, reads it the same way.
    again = read(path, by_ref.parsed.mapping)
    assert again.parsed.frame.equals(by_ref.parsed.frame)


def test_the_line_type_comes_from_the_ref_the_payer_names(tmp_path: Path) -> None:
    path = write_820(tmp_path / "march.edi", [premium_payment(MEMBERS, total=TOTAL)])

    by_plan = read(path, {"line_type": "REF*18"})
    assert by_plan.parsed.frame["line_type"].to_list()[-1] == "PLAN-B"
    assert by_plan.parsed.mapping["line_type"] == "REF*18"
    assert read(path, by_plan.parsed.mapping).parsed.frame.equals(by_plan.parsed.frame)
    with pytest.raises(MappingError, match="line type cannot be read from 'RMR02'"):
        read(path, {"line_type": "RMR02"})


def test_a_member_without_its_id_is_a_problem_at_its_nm1_or_line(tmp_path: Path) -> None:
    members = [
        PremiumMember("A001", "DOE", "JANE", [PremiumLine("300.00", MARCH)]),
        PremiumMember("", "ROE", "RICK", [PremiumLine("250.00", MARCH)]),
        PremiumMember("A003", "POE", "ANN", [PremiumLine("180.00", MARCH)], name=False),
    ]
    body = premium_payment(members, total="730.00")
    machine = read(write_820(tmp_path / "noid.edi", [body]))

    nm1 = number(body, ["NM1", "IL", "1", "ROE", "RICK", "", "", "", "N", ""])
    rmr = number(body, ["RMR", "IK", "INVA0031", "", "180.00"])
    assert [str(p) for p in machine.problems] == [
        f"segment {nm1} (NM1*IL), element 09: member ID is blank",
        f"segment {rmr} (RMR): member ID is blank (this line has no NM1*IL)",
    ]


def test_a_previous_payments_adjustment_needs_one_month(tmp_path: Path) -> None:
    member = PremiumMember(
        "A002",
        "ROE",
        "RICK",
        [PremiumLine("250.00", MARCH), PremiumLine("250.00", FEBRUARY)],
        previous=[("-40.00", "86")],
    )
    body = premium_payment([member], total="460.00")
    machine = read(write_820(tmp_path / "prev.edi", [body]))

    adx = number(body, ["ADX", "-40.00", "86"])
    assert [str(p) for p in machine.problems] == [
        f"segment {adx} (ADX): the adjustment is for a previous payment (loop 2200B) and names "
        "no coverage month, and the member's lines cover several (20260301-20260331, "
        "20260201-20260228): one month per line is expected"
    ]


def test_the_transactions_coverage_period_serves_lines_without_their_own(tmp_path: Path) -> None:
    members = [
        PremiumMember("A001", "DOE", "JANE", [PremiumLine("300.00", None)]),
        PremiumMember("A002", "ROE", "RICK", [PremiumLine("250.00", FEBRUARY)]),
    ]
    body = premium_payment(members, total="550.00", coverage=MARCH)
    machine = read(write_820(tmp_path / "header.edi", [body]))

    assert machine.problems == []
    assert per_month(machine.parsed.frame) == {"2026-03": (1, 30000), "2026-02": (1, 25000)}


def test_a_line_without_any_coverage_period_is_a_problem(tmp_path: Path) -> None:
    body = premium_payment(
        [PremiumMember("A001", "DOE", "JANE", [PremiumLine("300.00", None)])], total="300.00"
    )
    machine = read(write_820(tmp_path / "nodtm.edi", [body]))

    rmr = number(body, ["RMR", "IK", "INVA0011", "", "300.00"])
    assert [str(p) for p in machine.problems] == [
        f"segment {rmr} (RMR): coverage month is blank (this line has no DTM*582)"
    ]
    given = read_x12(
        tmp_path / "nodtm.edi", options=ReadOptions(values={"coverage_month": "2026-03"})
    )
    assert given.problems == []
    assert given.parsed.frame["coverage_month"].to_list() == ["2026-03"]


def test_organization_summary_loops_are_left_out_with_a_decision(tmp_path: Path) -> None:
    body = premium_payment(MEMBERS, total=TOTAL, organization=["805.00"])
    machine = read(write_820(tmp_path / "org.edi", [body]))

    assert machine.problems == []
    assert machine.parsed.frame.height == 6
    skipped = [d.text for d in machine.parsed.decisions if d.kind is DecisionKind.SKIPPED]
    assert skipped == [
        "1 organization summary loop (2000A, 1 line, $805.00) names no member: left out "
        "(PMPM reads the members' lines, loop 2000B)"
    ]


def test_an_820_without_line_breaks_in_other_separators_reads_the_same(tmp_path: Path) -> None:
    path = write_820(
        tmp_path / "820",
        [premium_payment(MEMBERS, total=TOTAL)],
        separators=Separators("|", ">", "'", None),
        line_breaks="",
    )
    machine = read(path)

    assert machine.problems == []
    assert per_month(machine.parsed.frame) == {"2026-03": (4, 58000), "2026-02": (2, 22500)}


def test_two_transaction_sets_add_up(tmp_path: Path) -> None:
    first = premium_payment(MEMBERS[:1], total="300.00", trace="EFT1")
    second = premium_payment(MEMBERS[1:2], total="475.00", trace="EFT2")
    machine = read(write_820(tmp_path / "two.edi", [first, second]))

    assert machine.problems == []
    assert machine.stated_total == Decimal("775.00")
    assert machine.reference == "EFT1, EFT2"
    assert machine.parsed.frame["amount_cents"].sum() == 77500


@pytest.mark.parametrize(
    ("wrong", "where"),
    [
        (Wrong(se_count={0: 99}), "(SE)"),
        (Wrong(ge_control="7"), "(GE)"),
        (Wrong(omit=frozenset({"IEA"})), "IEA"),
    ],
)
def test_a_broken_envelope_names_the_segment(tmp_path: Path, wrong: Wrong, where: str) -> None:
    path = write_820(tmp_path / "broken.edi", [premium_payment(MEMBERS, total=TOTAL)], wrong=wrong)

    with pytest.raises(FileReadError, match=r"segment \d+|IEA") as caught:
        read(path)
    assert where in str(caught.value)
