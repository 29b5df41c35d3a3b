"""834 benefit enrollment files read as rosters: full and change files, both versions."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pytest

from pmpm_desktop.core.month import Month
from pmpm_desktop.io.fields import MappingError
from pmpm_desktop.io.machine_file import CHANGE, Format, MachineFile
from pmpm_desktop.io.options import DecisionKind, FileKind, ReadOptions
from pmpm_desktop.io.parsed import Place
from pmpm_desktop.io.x12.read import read_x12
from tests.unit.x12_files import Coverage834, Member834, enrollment, x12_834


def _read(
    tmp_path: Path,
    data: bytes,
    *,
    products: tuple[str, ...] = (),
    mapping: dict[str, str] | None = None,
) -> MachineFile:
    path = tmp_path / "enrollment.edi"
    path.write_bytes(data)
    return read_x12(
        path,
        options=ReadOptions(products=products),
        mapping=mapping,
        roster_month=Month(2026, 4),
    )


def _facts(machine: MachineFile) -> dict[str, str]:
    return {f.label: f.value for f in machine.facts}


FAMILY = [
    Member834(
        "M100",
        last="SMITH",
        first="ROBERT",
        dob="19750820",
        sex="M",
        coverages=(Coverage834(plan="MCD", refs={"17": "TANF-A"}, pcp="1234567893"),),
    ),
    Member834(
        "M101",
        last="SMITH",
        first="MARY",
        dob="20100612",
        subscriber=False,
        subscriber_id="M100",
        coverages=(Coverage834(plan="MCD", refs={"17": "TANF-C"}, end="20260430"),),
    ),
]


@pytest.mark.parametrize("version", ["005010", "004010"])
def test_a_full_834_is_a_roster_of_every_member(tmp_path: Path, version: str) -> None:
    machine = _read(tmp_path, enrollment(FAMILY, version=version))
    assert machine.format is Format.X12 and machine.kind is FileKind.ROSTER
    assert not machine.change_file and not machine.problems
    guide = "005010X220A1" if version == "005010" else "004010X095A1"
    assert machine.standard == f"X12 834 ({guide})"
    assert (machine.interchange or "").startswith("X12 ZZ:ACMEHEALTH 000000001 #")
    frame = machine.parsed.frame
    assert CHANGE not in frame.columns
    assert frame.select("member_id", "last_name", "first_name", "sex").rows() == [
        ("M100", "SMITH", "ROBERT", "M"),
        ("M101", "SMITH", "MARY", "F"),
    ]
    assert frame["dob"].to_list() == [dt.date(1975, 8, 20), dt.date(2010, 6, 12)]
    assert frame["product"].to_list() == ["MCD", "MCD"]
    assert frame["rate_cell"].to_list() == ["TANF-A", "TANF-C"]
    assert frame["pcp"].to_list() == ["1234567893", None]
    assert frame["effective_date"].to_list() == [dt.date(2026, 1, 1)] * 2
    assert frame["term_date"].to_list() == [None, dt.date(2026, 4, 30)]
    # source_row is the INS segment of each member (ISA is segment 1).
    assert frame["source_row"].to_list() == [7, 18]
    assert machine.parsed.mapping == {
        "member_id": "NM1*IL09",
        "last_name": "NM1*IL03",
        "first_name": "NM1*IL04",
        "dob": "DMG02",
        "sex": "DMG03",
        "product": "HD04",
        "rate_cell": "REF*17",
        "pcp": "NM1*P309",
        "effective_date": "DTP*348",
        "term_date": "DTP*349",
    }
    facts = _facts(machine)
    assert facts["Contents"] == "full roster (BGN08 4)"
    assert facts["Members"] == "2 (1 subscriber, 1 dependent)"
    assert facts["Reference (BGN02)"] == "20260401-0001"
    assert facts["File date"] == "2026-04-01"
    assert facts["Plan sponsor"] == "STATE MEDICAID"
    assert facts["Insurer"] == "ACME HEALTH PLAN"
    assert facts["Interchange control number"] == "000000001"
    assert facts["Transaction sets"] == "834 (benefit enrollment and maintenance)"
    assert machine.reference == "20260401-0001"
    texts = [d.text for d in machine.parsed.decisions]
    assert "effective dates are DTP*348 (benefit begin)" in texts
    assert "term dates are DTP*349 (benefit end)" in texts


@pytest.mark.parametrize("version", ["005010", "004010"])
def test_a_change_file_carries_each_rows_change(tmp_path: Path, version: str) -> None:
    members = [
        Member834("A1", maintenance="021"),
        Member834("T1", maintenance="024", coverages=(Coverage834(end="20260331"),)),
        Member834("C1", maintenance="001", last="NEWNAME"),
        Member834("R1", maintenance="025"),
        Member834("A2", maintenance="021"),
        Member834("U1", maintenance="030"),
    ]
    machine = _read(tmp_path, enrollment(members, change=True, version=version))
    assert machine.change_file and not machine.problems
    frame = machine.parsed.frame
    assert frame.select("member_id", CHANGE).rows() == [
        ("A1", "add"),
        ("T1", "term"),
        ("C1", "change"),
        ("R1", "reinstate"),
        ("A2", "add"),
        ("U1", "change"),
    ]
    assert frame["term_date"][1] == dt.date(2026, 3, 31)
    facts = _facts(machine)
    assert facts["Contents"] == "changes (BGN08 2)"
    assert facts["Changes"] == "2 adds, 1 term, 2 changes, 1 reinstatement"
    assert any(d.text.startswith("1 audit record (INS03 030)") for d in machine.parsed.decisions)


def test_a_change_file_of_audit_records_is_a_full_roster(tmp_path: Path) -> None:
    machine = _read(tmp_path, enrollment([Member834("A1"), Member834("A2")], change=True))
    assert not machine.change_file
    assert any("every member is an audit record" in d.text for d in machine.parsed.decisions)


def test_a_maintenance_type_pmpm_does_not_apply_is_a_problem_at_ins03(tmp_path: Path) -> None:
    members = [Member834("A1", maintenance="021"), Member834("X1", maintenance="002")]
    machine = _read(tmp_path, enrollment(members, change=True))
    assert [str(p) for p in machine.problems] == [
        "segment 15 (INS), element 03: '002' is not a maintenance type PMPM applies (021 add, "
        "024 term, 001 change, 025 reinstate, 030 audit)"
    ]
    assert machine.parsed.frame["member_id"].to_list() == ["A1"]


def test_a_termination_without_an_end_date_is_a_problem(tmp_path: Path) -> None:
    machine = _read(tmp_path, enrollment([Member834("T1", maintenance="024")], change=True))
    assert [str(p) for p in machine.problems] == [
        "segment 7 (INS), element 03: '024': a termination with no end date (DTP*349 or DTP*357)"
    ]


def test_a_bad_date_is_placed_at_its_segment_and_element(tmp_path: Path) -> None:
    members = [
        Member834("A1"),
        Member834("B2", coverages=(Coverage834(end="20261340"),)),
        Member834("C3", dob="19801350"),
    ]
    machine = _read(tmp_path, enrollment(members))
    problems = machine.problems
    assert [str(p) for p in problems] == [
        "segment 23 (DTP*349), element 03: '20261340' is not a date (expected e.g. 2026-01-31 "
        "or 01/31/2026): there is no month 13",
        "segment 29 (DMG), element 02: '19801350' is not a date (expected e.g. 2026-01-31 or "
        "01/31/2026): there is no month 13",
    ]
    assert all(p.place is Place.SEGMENT for p in problems if not isinstance(p, str))
    assert machine.parsed.frame["member_id"].to_list() == ["A1"]


def test_an_ins_loop_without_nm1_il_is_a_problem_at_the_ins(tmp_path: Path) -> None:
    machine = _read(tmp_path, enrollment([Member834("A1"), Member834("B2", named=False)]))
    assert [str(p) for p in machine.problems] == [
        "segment 15 (INS): the member has no NM1*IL segment (loop 2100A: name and ID)"
    ]


def test_a_missing_member_id_element_is_placed_at_the_loop(tmp_path: Path) -> None:
    members = [Member834("A1"), Member834("B2", client_number=None)]
    machine = _read(tmp_path, enrollment(members), mapping={"member_id": "REF*23"})
    assert [str(p) for p in machine.problems] == [
        "segment 7 (INS): member ID is blank (this loop has no REF*23)",
        "segment 15 (INS): member ID is blank (this loop has no REF*23)",
    ]


def test_the_member_id_may_be_read_from_ref_0f_or_ref_23(tmp_path: Path) -> None:
    members = [
        Member834("SSN1", subscriber_id="SUB-1", client_number="MCD001"),
        Member834("SSN2", subscriber_id="SUB-2", client_number="MCD002", subscriber=False),
    ]
    by_0f = _read(tmp_path, enrollment(members), mapping={"member_id": "REF*0F"})
    assert by_0f.parsed.frame["member_id"].to_list() == ["SUB-1", "SUB-2"]
    assert by_0f.parsed.mapping["member_id"] == "REF*0F"
    assert any(
        d.text == "member ID is read from REF*0F (subscriber number), as chosen for this payer"
        for d in by_0f.parsed.decisions
    )
    by_23 = _read(tmp_path, enrollment(members), mapping={"member_id": "ref*23"})
    assert by_23.parsed.frame["member_id"].to_list() == ["MCD001", "MCD002"]


def test_a_mapping_of_an_element_that_cannot_hold_the_field_is_refused(tmp_path: Path) -> None:
    with pytest.raises(MappingError, match="product cannot be read from 'HD05'"):
        _read(tmp_path, enrollment(FAMILY), mapping={"product": "HD05"})
    # A spreadsheet profile's column names are not for this file: ignored.
    machine = _read(tmp_path, enrollment(FAMILY), mapping={"member_id": "Member ID"})
    assert machine.parsed.mapping["member_id"] == "NM1*IL09"


def test_the_saved_mapping_reads_the_next_file_the_same_way(tmp_path: Path) -> None:
    members = [Member834("A1", coverages=(Coverage834(plan="GOLD", refs={"CE": "MCD"}),))]
    first = _read(tmp_path, enrollment(members), products=("MCD",))
    again = _read(tmp_path, enrollment(members), products=("MCD",), mapping=first.parsed.mapping)
    assert again.parsed.frame.equals(first.parsed.frame)


def test_the_product_is_the_element_holding_the_payers_products(tmp_path: Path) -> None:
    members = [
        Member834("A1", coverages=(Coverage834(line="HMO", plan="GOLD 1", refs={"CE": "MCD"}),)),
        Member834("A2", coverages=(Coverage834(line="HMO", plan="GOLD 2", refs={"CE": "CHIP"}),)),
    ]
    machine = _read(tmp_path, enrollment(members), products=("MCD", "CHIP"))
    assert machine.parsed.frame["product"].to_list() == ["MCD", "CHIP"]
    assert machine.parsed.mapping["product"] == "REF*CE"
    decision = next(d for d in machine.parsed.decisions if d.column == "REF*CE")
    assert decision.kind is DecisionKind.COLUMN
    assert decision.text == (
        "product is read from REF*CE (class of contract code): 2 of 2 of its values are the "
        "payer's products"
    )
    # Without product codes: HD04 first.
    plain = _read(tmp_path, enrollment(members))
    assert plain.parsed.frame["product"].to_list() == ["GOLD 1", "GOLD 2"]


def test_a_product_code_inside_a_description_resolves(tmp_path: Path) -> None:
    members = [Member834("A1", coverages=(Coverage834(plan="MEDICAID HMO (MCD)"),))]
    machine = _read(tmp_path, enrollment(members), products=("MCD",))
    assert machine.parsed.frame["product"].to_list() == ["MCD"]


def test_the_rate_cell_prefers_ref_17_then_m7_then_zz(tmp_path: Path) -> None:
    members = [
        Member834("A1", coverages=(Coverage834(refs={"M7": "AID-1", "ZZ": "X"}),)),
        Member834("A2", coverages=(Coverage834(refs={"M7": "AID-2"}),)),
    ]
    machine = _read(tmp_path, enrollment(members))
    assert machine.parsed.frame["rate_cell"].to_list() == ["AID-1", "AID-2"]
    assert machine.parsed.mapping["rate_cell"] == "REF*M7"
    chosen = _read(tmp_path, enrollment(members), mapping={"rate_cell": "REF*ZZ"})
    assert chosen.parsed.frame["rate_cell"].to_list() == ["X", None]


def test_a_member_level_ref_serves_when_the_coverage_has_none(tmp_path: Path) -> None:
    members = [Member834("A1", refs={"17": "SSI"}, coverages=(Coverage834(),))]
    machine = _read(tmp_path, enrollment(members))
    assert machine.parsed.frame["rate_cell"].to_list() == ["SSI"]


def test_coverage_loops_of_lines_the_payer_does_not_contract_for_are_skipped(
    tmp_path: Path,
) -> None:
    members = [
        Member834(
            "A1",
            coverages=(
                Coverage834(line="DEN", plan="DENTAL PLUS"),
                Coverage834(line="HMO", plan="MCD"),
                Coverage834(line="VIS", plan="VISION"),
            ),
        ),
        Member834("A2", coverages=(Coverage834(line="DEN", plan="DENTAL PLUS"),)),
    ]
    machine = _read(tmp_path, enrollment(members), products=("MCD",))
    frame = machine.parsed.frame
    assert frame.select("member_id", "product").rows() == [("A1", "MCD"), ("A2", "DENTAL PLUS")]
    # The member's row is at its INS even though its first HD loop was skipped.
    assert frame["source_row"].to_list() == [7, 19]
    skipped = next(d for d in machine.parsed.decisions if d.kind is DecisionKind.SKIPPED)
    assert skipped.text.startswith("2 coverage loops (HD) of other lines skipped")
    assert len(skipped.rows) == 2
    # Without product codes, the medical line is kept.
    plain = _read(tmp_path, enrollment(members))
    assert plain.parsed.frame.select("member_id", "product").rows() == [
        ("A1", "MCD"),
        ("A2", "DENTAL PLUS"),
    ]


def test_a_member_with_two_contracted_products_gets_two_rows(tmp_path: Path) -> None:
    members = [
        Member834(
            "A1",
            coverages=(
                Coverage834(plan="MCD", end="20260228"),
                Coverage834(plan="CHIP", begin="20260301"),
            ),
        )
    ]
    machine = _read(tmp_path, enrollment(members), products=("MCD", "CHIP"))
    assert not machine.problems
    frame = machine.parsed.frame
    assert frame.select("member_id", "product").rows() == [("A1", "MCD"), ("A1", "CHIP")]
    # The second row is at its own HD segment.
    assert frame["source_row"].to_list() == [7, 16]
    assert _facts(machine)["Roster rows"] == "2 (a row per coverage)"


def test_overlapping_products_of_one_member_name_the_other_segment(tmp_path: Path) -> None:
    members = [Member834("A1", coverages=(Coverage834(plan="MCD"), Coverage834(plan="CHIP")))]
    machine = _read(tmp_path, enrollment(members), products=("MCD", "CHIP"))
    assert [str(p) for p in machine.problems] == [
        "segment 15 (HD), element 04: 'CHIP': member A1 is also at segment 7 with product 'MCD' "
        "for an overlapping month"
    ]


def test_eligibility_dates_serve_when_the_coverage_has_no_benefit_dates(tmp_path: Path) -> None:
    members = [
        Member834(
            "A1",
            eligibility=("20260201", "20261340"),
            coverages=(Coverage834(begin=None),),
        )
    ]
    machine = _read(tmp_path, enrollment(members))
    # The bad DTP*357 is named as DTP*357, not as the DTP*349 column it stands in for.
    assert [str(p) for p in machine.problems] == [
        "segment 10 (DTP*357), element 03: '20261340' is not a date (expected e.g. 2026-01-31 "
        "or 01/31/2026): there is no month 13"
    ]
    texts = [d.text for d in machine.parsed.decisions]
    assert (
        "effective dates are DTP*348 (benefit begin); DTP*356 (eligibility begin) for 1 row "
        "whose coverage has no DTP*348"
    ) in texts
    good = _read(
        tmp_path,
        enrollment([Member834("A1", eligibility=("20260201", None), coverages=())]),
    )
    assert good.parsed.frame["effective_date"].to_list() == [dt.date(2026, 2, 1)]


def test_several_transaction_sets_are_read_together(tmp_path: Path) -> None:
    members = [Member834(f"M{i}") for i in range(6)]
    machine = _read(tmp_path, enrollment(members, sets=3))
    assert machine.parsed.frame["member_id"].to_list() == [f"M{i}" for i in range(6)]
    assert _facts(machine)["Members"] == "6 (6 subscribers, 0 dependents)"


def test_a_payers_id_width_pads_member_ids(tmp_path: Path) -> None:
    path = tmp_path / "w.edi"
    path.write_bytes(enrollment([Member834("12345")]))
    machine = read_x12(path, options=ReadOptions(id_width=9), roster_month=Month(2026, 4))
    assert machine.parsed.frame["member_id"].to_list() == ["000012345"]


def test_the_roster_month_defaults_to_the_files_date(tmp_path: Path) -> None:
    path = tmp_path / "m.edi"
    path.write_bytes(enrollment(FAMILY))
    assert read_x12(path, options=ReadOptions()).parsed.frame.height == 2


def test_the_benchmark_file_reads_without_problems(tmp_path: Path) -> None:
    machine = _read(tmp_path, x12_834(2_000), products=("MCD", "CHIP"))
    assert not machine.problems
    frame = machine.parsed.frame
    assert frame.height == 2_000
    assert set(frame["product"]) == {"MCD", "CHIP"}
    assert frame["term_date"].null_count() == 2_000 - 40
    assert frame["pcp"].null_count() == 0
