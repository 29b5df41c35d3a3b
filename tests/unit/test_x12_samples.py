"""Public 834 and 271 files (pyx12, LinuxForHealth x12) read as they are."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pytest

from pmpm_desktop.core.month import Month
from pmpm_desktop.io.machine_file import CHANGE, MachineFile
from pmpm_desktop.io.options import FileKind, ReadOptions
from pmpm_desktop.io.read_errors import FileReadError
from pmpm_desktop.io.x12.read import read_x12

DATA = Path(__file__).parent.parent / "data" / "x12"


def _read(name: str, products: tuple[str, ...] = ()) -> MachineFile:
    return read_x12(
        DATA / name, options=ReadOptions(products=products), roster_month=Month(2026, 4)
    )


@pytest.mark.parametrize(
    "name",
    [
        "pyx12_834_deident_family.txt",
        "pyx12_834_deident_term.txt",
        "pyx12_834_ls_le_ls.txt",
        "pyx12_example834_5010.txt",
        "lfh_enroll-employee-multiple-products.834",
        "lfh_enroll-employee-managed-care.834",
        "lfh_terminate-subscriber-eligibility.834",
        "lfh_subscriber-health-benefit-check.271",
    ],
)
def test_a_public_file_reads_without_problems(name: str) -> None:
    machine = _read(name)
    assert machine.kind is FileKind.ROSTER
    assert not machine.problems
    assert machine.parsed.frame.height > 0


def test_a_family_change_file() -> None:
    machine = _read("pyx12_834_deident_family.txt")
    assert machine.change_file
    frame = machine.parsed.frame
    assert frame.select("member_id", "first_name", CHANGE).rows() == [
        ("000000002", "ROBERT", "add"),
        ("000000003", "MARY", "add"),
        ("000000004", "MICHAEL", "add"),
    ]
    facts = {f.label: f.value for f in machine.facts}
    assert facts["Members"] == "3 (1 subscriber, 2 dependents)"
    assert facts["Plan sponsor"] == "WIDGET CORPORATION"
    assert (machine.interchange or "").startswith("X12 ZZ:WIDGETCORP 000000002 #")


def test_terminations_with_benefit_end_dates() -> None:
    frame = _read("pyx12_834_deident_term.txt").parsed.frame
    assert frame.select(CHANGE, "term_date").rows() == [("term", dt.date(2026, 3, 31))] * 2


def test_the_member_name_loop_is_told_from_the_incorrect_name_loop() -> None:
    frame = _read("pyx12_834_ls_le_ls.txt").parsed.frame
    # NM1*74 (corrected name) is the member; NM1*70 with its own DMG is not.
    assert frame.select("member_id", "dob", "rate_cell").rows() == [
        ("544001234", dt.date(1983, 7, 19), "D4")
    ]


def test_a_space_after_each_terminator_and_an_audit_file() -> None:
    machine = _read("pyx12_example834_5010.txt")
    assert not machine.change_file
    assert machine.parsed.frame.select("member_id", "product", "rate_cell").rows() == [
        ("999999999", "064703", "E  1F")
    ]


def test_several_transaction_sets_of_one_interchange() -> None:
    machine = _read("pyx12_multiple_st_loops.txt")
    assert machine.parsed.frame.height == 4


def test_vision_coverage_beside_health_is_skipped() -> None:
    frame = _read("lfh_enroll-employee-multiple-products.834").parsed.frame
    assert frame["product"].to_list() == ["HLT"]


def test_the_pcp_of_a_managed_care_enrollment() -> None:
    frame = _read("lfh_enroll-employee-managed-care.834").parsed.frame
    assert frame["pcp"].to_list() == ["143766"]


def test_a_271_member_with_plan_and_pcp() -> None:
    frame = _read("lfh_subscriber-health-benefit-check.271").parsed.frame
    assert frame.select("member_id", "product", "pcp", "effective_date").rows() == [
        ("123456789", "GOLD 123 PLAN", "0202034", dt.date(2006, 1, 1))
    ]


def test_a_271_dependent_without_its_own_id_is_named() -> None:
    machine = _read("lfh_dependent-health-benefit-check.271")
    assert [str(p) for p in machine.problems] == [
        "segment 16 (NM1*03), element 09: the dependent has no member ID of its own; PMPM "
        "keeps one ID per member"
    ]


def test_a_public_file_with_a_broken_envelope() -> None:
    with pytest.raises(FileReadError) as caught:
        _read("lfh_subscriber-health-benefit-check-error.271")
    assert str(caught.value) == (
        "segment 10 (SE), element 02: control number '4323' is not its ST's (segment 3) '4321'"
    )
