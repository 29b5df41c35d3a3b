"""HL7 Da Vinci ATR attribution lists read as rosters (io.fhir_atr)."""

from __future__ import annotations

import datetime as dt
import json
import random
import shutil
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from pmpm_desktop.core.member_ids import IdRule
from pmpm_desktop.core.month import Month
from pmpm_desktop.io.fhir_atr import looks_like_atr, read_atr
from pmpm_desktop.io.fhir_resources import CHUNK_LINES
from pmpm_desktop.io.fields import MappingError
from pmpm_desktop.io.machine_file import Format, MachineFile
from pmpm_desktop.io.options import DecisionKind, FileKind, ReadOptions
from pmpm_desktop.io.read_errors import FileReadError
from tests.unit.atr_files import (
    bundle,
    coverage,
    export,
    group,
    member,
    patient,
    write_json,
    write_ndjson,
)

JAN = Month(2026, 1)
IG_EXAMPLE = Path(__file__).parents[1] / "data" / "fhir_atr" / "ig-example"


def read(path: Path, **kwargs: object) -> MachineFile:
    options = kwargs.pop("options", ReadOptions())
    return read_atr(path, options=options, roster_month=JAN, **kwargs)  # type: ignore[arg-type]


def facts(found: MachineFile) -> dict[str, str]:
    return {f.label: f.value for f in found.facts}


def messages(found: MachineFile) -> list[str]:
    return [str(p) for p in found.problems]


# --- the three shapes a payer sends ---------------------------------------------------------


def test_group_beside_patient_and_coverage_ndjson_reads_as_roster(tmp_path: Path) -> None:
    path = export(4).write_folder(tmp_path / "export")
    found = read(path)
    assert found.format is Format.FHIR_ATR and found.kind is FileKind.ROSTER
    assert found.standard == "HL7 Da Vinci ATR member attribution list (FHIR Group)"
    assert found.parsed.ok, messages(found)
    rows = found.parsed.frame.to_dicts()
    assert [r["member_id"] for r in rows] == ["M0001", "M0002", "M0003", "M0004"]
    assert [r["sex"] for r in rows] == ["M", "U", "U", "F"]  # male, unknown, other, female
    assert rows[0] | {} == rows[0] and rows[0]["last_name"] == "LAST1"
    assert rows[0]["first_name"] == "FIRST1 Q"
    assert rows[0]["dob"] == dt.date(1980, 2, 3)
    assert {r["product"] for r in rows} == {"MCD"}
    # the NPI through the Practitioner, and through the PractitionerRole's practitioner
    assert {r["pcp"] for r in rows} == {"1234567893"}
    assert {r["effective_date"] for r in rows} == {dt.date(2026, 1, 1)}
    assert [r["source_row"] for r in rows] == [1, 2, 3, 4]
    assert found.parsed.mapping == {
        "member_id": "Coverage.subscriberId",
        "last_name": "Patient.name.family",
        "first_name": "Patient.name.given",
        "dob": "Patient.birthDate",
        "sex": "Patient.gender",
        "product": "Coverage.class:plan",
        "pcp": "Group.member.extension:attributedProvider",
        "effective_date": "Group.member.period.start",
        "term_date": "Group.member.period.end",
    }
    shown = facts(found)
    assert shown["Attribution list"] == "ACME PCP LIST (Group/atr-1)"
    assert shown["Group identifiers"] == "NPI 1234567893, TAX 123456789"
    assert shown["Managing organization"] == "ACME HEALTH PLAN"
    assert shown["Contract period"] == "2026-01-01 to 2026-12-31"
    assert shown["List status"] == "final"
    assert shown["Last updated"] == "2026-01-05T08:00:00Z"
    assert shown["Members"] == "4 listed, 4 on the roster"
    assert shown["Change types"] == "unchanged 4"
    assert shown["Joined files"] == (
        "4 Coverage, 4 Patient, 1 Practitioner, 1 PractitionerRole "
        "from Coverage.ndjson, Patient.ndjson, Practitioner.ndjson"
    )


def test_group_json_with_bom_beside_ndjson_files(tmp_path: Path) -> None:
    exp = export(2)
    exp.write_folder(tmp_path)
    (tmp_path / "Group.ndjson").unlink()
    path = write_json(tmp_path / "attribution.json", exp.group, bom=True)
    found = read(path)
    assert found.parsed.ok, messages(found)
    assert found.parsed.frame["member_id"].to_list() == ["M0001", "M0002"]


@pytest.mark.parametrize("kind", ["collection", "searchset"])
@pytest.mark.parametrize("urn", [False, True])
def test_bundle_holds_the_group_and_its_resources(tmp_path: Path, kind: str, urn: bool) -> None:
    path = export(3).write_bundle(tmp_path / "list" / "bundle.json", kind, urn)
    # an unrelated export beside it is not needed and not read
    write_ndjson(tmp_path / "list" / "Patient.ndjson", [patient("p1", family="OTHER")])
    found = read(path)
    assert found.parsed.ok, messages(found)
    assert found.parsed.frame["last_name"].to_list() == ["LAST1", "LAST2", "LAST3"]
    assert set(found.parsed.frame["pcp"]) == {"1234567893"}
    shown = facts(found)
    assert shown["Resources in the file"] == (
        f"Bundle ({kind}): 3 Coverage, 3 Patient, 1 Practitioner, 1 PractitionerRole"
    )
    assert "Joined files" not in shown
    assert found.parsed.sha256 == __import__("hashlib").sha256(path.read_bytes()).hexdigest()


def test_contained_and_absolute_references(tmp_path: Path) -> None:
    pat = patient("p1", mb="MB77")
    listing = group(
        [member("#p1", coverage_ref="https://payer.example/fhir/Coverage/c1/_history/3")]
    )
    listing["contained"] = [pat]
    write_ndjson(tmp_path / "cov.ndjson", [coverage("c1", "p1", subscriber_id="S1")])
    found = read(write_json(tmp_path / "g.json", listing))
    assert found.parsed.ok, messages(found)
    assert found.parsed.frame["member_id"].to_list() == ["S1"]


# --- who is on the roster -------------------------------------------------------------------


def test_period_end_inactive_and_change_types(tmp_path: Path) -> None:
    exp = export(6)
    m = exp.group["member"]
    m[0].update(
        member("Patient/p1", coverage_ref="Coverage/c1", end="2026-01-15", change="changed")
    )
    m[1].update(member("Patient/p2", coverage_ref="Coverage/c2", inactive=True, change="dropped"))
    m[2].update(member("Patient/p3", coverage_ref="Coverage/c3", change="cancelled"))
    m[3].update(
        member("Patient/p4", coverage_ref="Coverage/c4", end="2026-01", inactive=True, change="new")
    )
    m[4].update(member("Patient/p5", coverage_ref="Coverage/c5", change="dropped"))
    found = read(exp.write_folder(tmp_path))
    assert found.parsed.ok, messages(found)
    rows = {r["source_row"]: r for r in found.parsed.frame.to_dicts()}
    assert sorted(rows) == [1, 4, 6]
    assert rows[1]["term_date"] == dt.date(2026, 1, 15)
    assert rows[4]["term_date"] == dt.date(2026, 1, 31)  # a month alone ends on its last day
    assert rows[6]["term_date"] is None
    shown = facts(found)
    assert shown["Members"] == (
        "6 listed, 3 on the roster, 1 inactive without an end date (left out), "
        "1 cancelled as added in error (left out), 1 dropped without an end date (left out)"
    )
    assert shown["Change types"] == "changed 1, dropped 2, cancelled 1, new 1, unchanged 1"
    skipped = {d.text: d.rows for d in found.parsed.decisions if d.kind is DecisionKind.SKIPPED}
    assert skipped == {
        "1 member(s) inactive without an end date (left out)": (2,),
        "1 member(s) dropped without an end date (left out)": (5,),
        "1 member(s) cancelled as added in error (left out)": (3,),
    }


def test_coverage_found_by_beneficiary_when_the_member_names_none(tmp_path: Path) -> None:
    exp = export(2)
    for m in exp.group["member"]:
        m["extension"] = [e for e in m["extension"] if "coverageReference" not in e["url"]]
    # an old Coverage of the first Patient, ended before the roster month
    exp.coverages.append(
        coverage("old", "p1", subscriber_id="OLD1", period=("2024-01-01", "2025-06-30"))
    )
    exp.coverages.append(coverage("c1b", "p1", subscriber_id="M0001", status="cancelled"))
    found = read(exp.write_folder(tmp_path))
    assert found.parsed.ok, messages(found)
    assert found.parsed.frame["member_id"].to_list() == ["M0001", "M0002"]


# --- problems of an entry --------------------------------------------------------------------


def test_missing_patient_and_coverage_are_problems_of_their_entries(tmp_path: Path) -> None:
    exp = export(5)
    exp.group["member"][1]["entity"] = {"reference": "Patient/gone"}
    exp.group["member"][4]["entity"] = {"reference": "Practitioner/dr1"}
    exp.group["member"][2]["extension"][0] = {
        "url": "http://hl7.org/fhir/us/davinci-atr/StructureDefinition/ext-coverageReference",
        "valueReference": {"reference": "Coverage/gone"},
    }
    del exp.group["member"][3]["entity"]
    path = exp.write_folder(tmp_path, group_name="Group.json")
    found = read(path)
    assert messages(found) == [
        "row 2, column 'Group.member.entity', value 'Patient/gone': no such Patient in "
        "Group.json or in the export files beside it",
        "row 3, column 'Group.member.extension:coverageReference', value 'Coverage/gone': no "
        "such Coverage in Group.json or in the export files beside it",
        "row 4, column 'Group.member.entity', value '': the member names no Patient",
        "row 5, column 'Group.member.entity', value 'Practitioner/dr1': not a Patient reference",
    ]
    assert found.parsed.frame["source_row"].to_list() == [1]
    assert not found.parsed.ok


def test_no_coverage_is_no_problem_when_no_column_reads_one(tmp_path: Path) -> None:
    pats = [patient(f"p{i}", mb=f"MB{i}") for i in (1, 2)]
    listing = group([member("Patient/p1"), member("Patient/p2")])
    write_ndjson(tmp_path / "pat.ndjson", pats)
    found = read(
        write_json(tmp_path / "g.json", listing), options=ReadOptions(values={"product": "MCD"})
    )
    assert found.parsed.ok, messages(found)
    assert found.parsed.mapping["member_id"] == "Patient.identifier:MB"
    assert found.parsed.frame["member_id"].to_list() == ["MB1", "MB2"]
    assert found.parsed.frame["product"].to_list() == ["MCD", "MCD"]
    assert "Coverage.class:plan" not in found.parsed.mapping.values()


def test_a_product_given_for_every_row_needs_no_coverage(tmp_path: Path) -> None:
    exp = export(2)
    for i, pat in enumerate(exp.patients, 1):
        pat["identifier"] = [{"type": {"coding": [{"code": "MB"}]}, "value": f"P{i}"}]
    del exp.coverages[1]
    options = ReadOptions(values={"product": "MCD"})
    found = read(
        exp.write_folder(tmp_path), options=options, mapping={"member_id": "Patient.identifier:MB"}
    )
    assert found.parsed.ok, messages(found)
    assert found.parsed.frame["product"].to_list() == ["MCD", "MCD"]
    assert "product" not in found.parsed.mapping


def test_values_fhir_writes_its_own_way(tmp_path: Path) -> None:
    exp = export(4)
    exp.patients[0]["birthDate"] = "1980"  # a year alone (the reader would take it as a serial)
    exp.patients[1]["birthDate"] = "1980-02-30"
    exp.group["member"][2]["period"] = {"start": "2026-01-01T00:00:00-05:00", "end": "31/01/2026"}
    exp.group["member"][3]["period"] = {"start": "2026"}
    found = read(exp.write_folder(tmp_path))
    assert messages(found) == [
        "row 1, column 'Patient.birthDate', value '1980': a year or month only: a date of "
        "birth needs the day",
        "row 2, column 'Patient.birthDate', value '1980-02-30': not a date (expected e.g. "
        "2026-01-31 or 01/31/2026): 1980-02 has no day 30",
        "row 3, column 'Group.member.period.end', value '31/01/2026': not a FHIR date (YYYY-MM-DD)",
    ]
    rows = {r["source_row"]: r for r in found.parsed.frame.to_dicts()}
    assert rows[4]["effective_date"] == dt.date(2026, 1, 1)


def test_ids_follow_the_payer_width_and_rule(tmp_path: Path) -> None:
    exp = export(2)
    exp.coverages[0]["subscriberId"] = "123-45"
    exp.coverages[1]["subscriberId"] = "77"
    options = ReadOptions(id_width=6, id_rule=IdRule(strip_punctuation=True))
    found = read(exp.write_folder(tmp_path), options=options)
    assert found.parsed.frame["member_id"].to_list() == ["012345", "000077"]


def test_the_same_member_twice_with_two_products_is_a_problem(tmp_path: Path) -> None:
    exp = export(2)
    exp.coverages[1]["subscriberId"] = "M0001"
    exp.coverages[1]["class"][0]["value"] = "CHIP"
    found = read(exp.write_folder(tmp_path))
    assert messages(found) == [
        "row 2, column 'Coverage.class:plan', value 'CHIP': member M0001 is also on row 1 "
        "with product 'MCD' for an overlapping month"
    ]


# --- sources: the per-file choice and the payer's mapping --------------------------------------


def test_member_id_and_product_fall_back_per_file(tmp_path: Path) -> None:
    exp = export(2)
    for i, cov in enumerate(exp.coverages, 1):
        del cov["subscriberId"]
        cov["identifier"] = [{"type": {"coding": [{"code": "MB"}]}, "value": f"MB{i}"}]
        cov["class"] = [{"type": {"coding": [{"code": "group"}]}, "value": "GRP9"}]
    found = read(exp.write_folder(tmp_path))
    assert found.parsed.ok, messages(found)
    assert found.parsed.frame["member_id"].to_list() == ["MB1", "MB2"]
    assert found.parsed.frame["product"].to_list() == ["GRP9", "GRP9"]
    columns = [d.text for d in found.parsed.decisions if d.kind is DecisionKind.COLUMN]
    assert columns == [
        "member ID is Coverage.identifier:MB: the first of Coverage.subscriberId, "
        "Coverage.identifier:MB, Patient.identifier:MB, Coverage.subscriberId+dependent that "
        "every member has, each their own",
        "product is Coverage.class:group: no member's Coverage has a class of type plan",
    ]


def test_a_member_without_the_chosen_id_is_a_blank_id(tmp_path: Path) -> None:
    exp = export(3)
    del exp.coverages[1]["subscriberId"]
    found = read(exp.write_folder(tmp_path))
    assert messages(found) == [
        "row 2, column 'Coverage.subscriberId', value '': member ID is blank"
    ]


def test_mapping_names_the_source_and_the_preview_shows_it(tmp_path: Path) -> None:
    exp = export(2)
    for i, pat in enumerate(exp.patients, 1):
        pat["identifier"] = [{"type": {"coding": [{"code": "MB"}]}, "value": f"P{i}"}]
    exp.coverages[0]["class"].append({"type": {"coding": [{"code": "subgroup"}]}, "value": "TANF"})
    mapping = {"member_id": "Patient.identifier:MB", "rate_cell": "Coverage.class:subgroup"}
    found = read(exp.write_folder(tmp_path), mapping=mapping)
    assert found.parsed.ok, messages(found)
    assert found.parsed.mapping["member_id"] == "Patient.identifier:MB"
    assert found.parsed.mapping["rate_cell"] == "Coverage.class:subgroup"
    assert found.parsed.frame["member_id"].to_list() == ["P1", "P2"]
    assert found.parsed.frame["rate_cell"].to_list() == ["TANF", None]
    assert found.parsed.report().mapping["member_id"] == "Patient.identifier:MB"


def test_mapping_to_an_unknown_source_is_refused(tmp_path: Path) -> None:
    path = export(1).write_folder(tmp_path)
    with pytest.raises(MappingError, match="'Patient.ssn' \\(for 'member_id'\\) is not a FHIR"):
        read(path, mapping={"member_id": "Patient.ssn"})
    with pytest.raises(MappingError, match="unknown field 'plan'"):
        read(path, mapping={"plan": "Coverage.class:plan"})


# --- the guide's own example ----------------------------------------------------------------


def test_the_guides_example_group(tmp_path: Path) -> None:
    folder = shutil.copytree(IG_EXAMPLE, tmp_path / "ig")
    path = folder / "group-fullexample.json"
    assert looks_like_atr(path.read_bytes()[:2048])
    found = read_atr(path, options=ReadOptions(), roster_month=Month(2020, 9))
    # Patients 1 and 3 share subscriberId AB3658 (a dependent's Coverage names the
    # subscriber's ID): each member's own ID is the subscriber's with the dependent number.
    assert found.parsed.ok, messages(found)
    assert found.parsed.frame["member_id"].to_list() == ["AB3658-00", "AB3999-01", "AB3658-01"]
    assert found.parsed.mapping["member_id"] == "Coverage.subscriberId+dependent"
    shared = read_atr(
        path,
        options=ReadOptions(),
        roster_month=Month(2020, 9),
        mapping={"member_id": "Coverage.subscriberId"},
    )
    # Read as the shared subscriber ID, one member with two products is refused.
    assert messages(shared) == [
        "row 3, column 'Coverage.class:plan', value 'B37FC': member AB3658 is also on row 1 "
        "with product 'PPO' for an overlapping month"
    ]
    found = read_atr(
        path,
        options=ReadOptions(),
        roster_month=Month(2020, 9),
        mapping={"member_id": "Patient.identifier:MR"},
    )
    assert found.parsed.ok, messages(found)
    rows = found.parsed.frame.to_dicts()
    assert [(r["member_id"], r["last_name"], r["sex"], r["product"]) for r in rows] == [
        ("SMART-1213208", "Ledner144", "F", "PPO"),
        ("SMART-8888804", "Cole117", "M", "HMO"),
        ("SMART-1577780", "Erdman779", "F", "B37FC"),
    ]
    # Organization/2 has no NPI; Practitioner/1 has one, PractitionerRole/1 points at it
    assert [r["pcp"] for r in rows] == ["Organization/2", "9941339100", "9941339100"]
    assert [r["term_date"] for r in rows] == [
        dt.date(2020, 10, 8),
        dt.date(2021, 12, 12),
        dt.date(2022, 5, 10),
    ]
    shown = facts(found)
    assert shown["Attribution list"] == "Test Group 3 (Group/fullexample)"
    assert shown["Group identifiers"] == "NPI 9941339108, TAX 789456231"
    assert shown["Managing organization"] == "Example Organization"
    assert shown["Contract period"] == "2020-07-25 to 2021-06-24"
    assert shown["Change types"] == "new 3"  # the example's "add" is the STU1 code
    assert shown["Joined files"].startswith(
        "3 Coverage, 2 Organization, 3 Patient, 1 Practitioner, 1 PractitionerRole from "
        "coverage-1.json, coverage-2.json, coverage-3.json, organization-1.json, "
        "organization-2.json and 5 more"
    )


# --- files that are not attribution lists -----------------------------------------------------


def test_invalid_json_names_line_and_column(tmp_path: Path) -> None:
    path = tmp_path / "Group.json"
    path.write_text('{\n  "resourceType": "Group",\n  "member": [ {"entity" {}} ]\n}\n')
    with pytest.raises(FileReadError) as err:
        read(path)
    assert str(err.value) == (
        "Group.json is not valid JSON: line 3, column 25: Expecting ':' delimiter"
    )


def test_invalid_ndjson_beside_the_group_names_its_line(tmp_path: Path) -> None:
    exp = export(2)
    path = exp.write_folder(tmp_path)
    lines = (tmp_path / "Patient.ndjson").read_text().splitlines()
    lines[1] = lines[1][:40]
    (tmp_path / "Patient.ndjson").write_text("\n".join(lines) + "\n")
    with pytest.raises(FileReadError) as err:
        read(path)
    assert str(err.value).startswith("Patient.ndjson is not valid JSON: line 2, column ")


def test_a_json_file_with_an_extra_brace_keeps_its_own_error(tmp_path: Path) -> None:
    path = tmp_path / "g.json"
    path.write_text(json.dumps(group([]), indent=1) + "}\n")
    with pytest.raises(FileReadError, match=r"^g.json is not valid JSON: line \d+, column 2: "):
        read(path)


@pytest.mark.parametrize(
    ("content", "message"),
    [
        (patient("p1"), "x.json is a FHIR Patient resource, not a Group (an attribution list)"),
        (
            bundle([patient("p1"), coverage("c1", "p1"), patient("p2")]),
            "x.json is a FHIR Bundle (2 Patient, 1 Coverage) with no Group (an attribution list)",
        ),
        ({"members": []}, "x.json is JSON but not a FHIR resource (it has no resourceType)"),
        ([1, 2], "x.json is JSON but not a FHIR resource (a list)"),
        (
            bundle([group([], gid="a"), group([], gid="b")]),
            "x.json holds 2 Group resources; an attribution list is one Group",
        ),
    ],
)
def test_json_that_is_not_a_group_is_refused(tmp_path: Path, content: object, message: str) -> None:
    with pytest.raises(FileReadError) as err:
        read(write_json(tmp_path / "x.json", content))
    assert str(err.value) == message


def test_ndjson_of_patients_is_refused(tmp_path: Path) -> None:
    path = write_ndjson(tmp_path / "x.ndjson", [patient("p1"), patient("p2")])
    with pytest.raises(FileReadError) as err:
        read(path)
    assert str(err.value) == "x.ndjson is NDJSON of 2 Patient, with no Group (an attribution list)"


def test_not_utf8_names_the_line(tmp_path: Path) -> None:
    path = tmp_path / "g.json"
    path.write_bytes(b'{\n"resourceType": "Group",\n"name": "\xe9"}')
    with pytest.raises(FileReadError) as err:
        read(path)
    assert str(err.value) == "g.json is not UTF-8 text: line 3, column 10 (FHIR JSON is UTF-8)"


def test_an_empty_group_has_no_rows(tmp_path: Path) -> None:
    found = read(write_json(tmp_path / "g.json", group([])))
    assert found.parsed.frame.height == 0 and not found.parsed.ok
    assert facts(found)["Members"] == "0 listed, 0 on the roster"


# --- the folder beside the Group ------------------------------------------------------------


def test_files_beside_are_found_by_content_and_reading_stops_when_nothing_is_missing(
    tmp_path: Path,
) -> None:
    exp = export(2)
    path = exp.write_folder(tmp_path)
    (tmp_path / "Patient.ndjson").rename(tmp_path / "a_members.jsonl")
    (tmp_path / "notes.json").write_text("not json at all")
    (tmp_path / "roster.csv").write_text("Member ID\nM1\n")
    # beyond the first file every Patient is found: a broken old export is never read
    (tmp_path / "z_old.ndjson").write_text(json.dumps(patient("p9")) + "\n{broken\n")
    found = read(path)
    assert found.parsed.ok, messages(found)
    assert "a_members.jsonl" in facts(found)["Joined files"]
    assert "z_old" not in facts(found)["Joined files"]


def test_a_big_export_is_read_in_chunks_and_a_fault_keeps_its_line(tmp_path: Path) -> None:
    exp = export(2)
    path = exp.write_folder(tmp_path)
    crowd = [patient(f"x{i}") for i in range(CHUNK_LINES + 10)]
    write_ndjson(tmp_path / "Patient.ndjson", [*crowd, *exp.patients])
    found = read(path)
    assert found.parsed.ok, messages(found)
    assert facts(found)["Joined files"].startswith(f"2 Coverage, {CHUNK_LINES + 12} Patient")
    lines = (tmp_path / "Patient.ndjson").read_text().splitlines()
    lines[CHUNK_LINES + 2] = lines[CHUNK_LINES + 2].replace('"id"', "'id'")
    (tmp_path / "Patient.ndjson").write_text("\n".join(lines) + "\n")
    with pytest.raises(FileReadError) as err:
        read(path)
    assert str(err.value) == (
        f"Patient.ndjson is not valid JSON: line {CHUNK_LINES + 3}, column 29: Expecting "
        "property name enclosed in double quotes"
    )


def test_the_digest_covers_the_joined_files(tmp_path: Path) -> None:
    exp = export(2)
    path = exp.write_folder(tmp_path)
    first = read(path).parsed.sha256
    exp.patients[0]["birthDate"] = "1981-02-03"
    write_ndjson(tmp_path / "Patient.ndjson", exp.patients)
    assert read(path).parsed.sha256 != first


# --- detection -------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("head", "expected"),
    [
        (json.dumps(group([])).encode(), True),
        (b"\xef\xbb\xbf" + json.dumps(group([]), indent=2).encode(), True),
        (b'{"id": "x", "meta": {}, "resourceType": "Group", "member": [', True),
        ((json.dumps(group([])) + "\n").encode() * 2, True),
        (json.dumps(bundle([group([]), patient("p1")]))[:300].encode(), True),
        (json.dumps(bundle([patient("p1")])).encode(), False),
        (json.dumps(patient("p1")).encode(), False),
        (b'{"resource": {"resourceType": "Group"}}', False),
        (b'{"note": "\\"resourceType\\": \\"Group\\""}', False),
        (b"Member ID,Name\n1,A\n", False),
        (b"ISA*00*          *00*          *ZZ*SENDER", False),
        (b"", False),
    ],
)
def test_looks_like_atr(head: bytes, expected: bool) -> None:
    assert looks_like_atr(head) is expected


# --- properties ------------------------------------------------------------------------------

_SETTINGS = settings(
    max_examples=25, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)


@_SETTINGS
@given(seed=st.integers(0, 2**32 - 1), indent=st.sampled_from([None, 0, 2]), bom=st.booleans())
def test_resource_order_and_layout_do_not_change_the_roster(
    tmp_path_factory: pytest.TempPathFactory, seed: int, indent: int | None, bom: bool
) -> None:
    exp = export(6)
    reference = read(exp.write_folder(tmp_path_factory.mktemp("plain"))).parsed.frame
    shuffle = random.Random(seed).shuffle
    shuffle(exp.patients)
    shuffle(exp.coverages)
    shuffle(exp.providers)
    folder = tmp_path_factory.mktemp("shuffled")
    exp.write_folder(folder)
    (folder / "Group.ndjson").unlink()
    path = write_json(folder / "g.json", exp.group, indent=indent, bom=bom)
    assert read(path).parsed.frame.equals(reference)
    items = [exp.group, *exp.patients, *exp.coverages, *exp.providers]
    shuffle(items)
    one = write_json(tmp_path_factory.mktemp("bundle") / "b.json", bundle(items), indent=indent)
    assert read(one).parsed.frame.equals(reference)


@_SETTINGS
@given(cut=st.integers(1, 400))
def test_a_truncated_group_is_a_read_error_never_a_crash(
    tmp_path_factory: pytest.TempPathFactory, cut: int
) -> None:
    text = json.dumps(export(2).group, indent=2)
    path = tmp_path_factory.mktemp("cut") / "g.json"
    path.write_text(text[: len(text) * cut // 401])
    with pytest.raises(FileReadError, match=r"^g.json is not valid JSON: line \d+, column \d+: "):
        read(path)
