"""271 eligibility responses sent as rosters."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

from pmpm_desktop.core.month import Month
from pmpm_desktop.io.machine_file import MachineFile
from pmpm_desktop.io.options import FileKind, ReadOptions
from pmpm_desktop.io.x12.read import read_x12
from tests.unit.x12_files import Member271, eligibility


def _read(
    tmp_path: Path,
    data: bytes,
    *,
    products: tuple[str, ...] = (),
    mapping: dict[str, str] | None = None,
) -> MachineFile:
    path = tmp_path / "roster.271"
    path.write_bytes(data)
    return read_x12(
        path, options=ReadOptions(products=products), mapping=mapping, roster_month=Month(2026, 4)
    )


def test_a_271_is_a_roster_of_its_subscribers_and_dependents(tmp_path: Path) -> None:
    members = [
        Member271("S1", last="SMITH", first="JOHN", sex="M", pcp="1234567893"),
        Member271("D1", last="SMITH", first="MARY", dependent=True, begin="20260201"),
        Member271("S2", last="JONES", status="6", end="20260331"),
    ]
    machine = _read(tmp_path, eligibility(members))
    assert machine.kind is FileKind.ROSTER and not machine.change_file
    assert machine.standard == "X12 271 (005010X279A1)"
    assert not machine.problems
    frame = machine.parsed.frame
    assert frame.select("member_id", "last_name", "first_name", "sex").rows() == [
        ("S1", "SMITH", "JOHN", "M"),
        ("D1", "SMITH", "MARY", "F"),
        ("S2", "JONES", "JANE", "F"),
    ]
    assert frame["product"].to_list() == ["GOLD PLAN"] * 3
    assert frame["pcp"].to_list() == ["1234567893", None, None]
    assert frame["effective_date"].to_list() == [
        dt.date(2026, 1, 1),
        dt.date(2026, 2, 1),
        dt.date(2026, 1, 1),
    ]
    assert frame["term_date"].to_list() == [None, None, dt.date(2026, 3, 31)]
    # source_row is each member's HL segment.
    assert frame["source_row"].to_list() == [9, 18, 23]
    facts = {f.label: f.value for f in machine.facts}
    assert facts["Information source (payer)"] == "ACME HEALTH PLAN"
    assert facts["Information receiver"] == "SUN PRACTICE"
    assert facts["Members"] == "3 read (2 subscriber loops, 1 dependent loop)"
    assert facts["Coverage"] == "2 active, 1 inactive"
    assert facts["Response date (BHT04)"] == "2026-04-01"


def test_inactive_coverage_without_an_end_date_is_a_problem_at_the_eb(tmp_path: Path) -> None:
    machine = _read(tmp_path, eligibility([Member271("S1", status="6")]))
    assert [str(p) for p in machine.problems] == [
        "segment 13 (EB), element 01: '6': inactive coverage with no end date (DTP*347)"
    ]


def test_plan_dates_serve_when_346_and_347_are_missing(tmp_path: Path) -> None:
    member = Member271("S1", begin=None, plan_dates="20260101-20261340")
    machine = _read(tmp_path, eligibility([member]))
    assert [str(p) for p in machine.problems] == [
        "segment 12 (DTP*291), element 03: '20261340' is not a date (expected e.g. 2026-01-31 "
        "or 01/31/2026): there is no month 13"
    ]
    good = _read(
        tmp_path, eligibility([Member271("S1", begin=None, plan_dates="20260101-20261231")])
    )
    frame = good.parsed.frame
    assert frame["effective_date"].to_list() == [dt.date(2026, 1, 1)]
    assert frame["term_date"].to_list() == [dt.date(2026, 12, 31)]


def test_a_dependent_without_an_id_of_its_own_is_a_problem(tmp_path: Path) -> None:
    members = [Member271("S1"), Member271(None, dependent=True)]
    machine = _read(tmp_path, eligibility(members))
    assert [str(p) for p in machine.problems] == [
        "segment 15 (NM1*03), element 09: the dependent has no member ID of its own; PMPM "
        "keeps one ID per member"
    ]


def test_the_product_follows_the_payers_products(tmp_path: Path) -> None:
    members = [Member271("S1", insurance="MC", plan="STAR KIDS"), Member271("S2", insurance="HM")]
    machine = _read(tmp_path, eligibility(members), products=("MC", "HM"))
    assert machine.parsed.frame["product"].to_list() == ["MC", "HM"]
    assert machine.parsed.mapping["product"] == "EB04"
    chosen = _read(tmp_path, eligibility(members), mapping={"product": "EB05"})
    assert chosen.parsed.frame["product"].to_list() == ["STAR KIDS", "GOLD PLAN"]
