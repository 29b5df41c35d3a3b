"""Writers of HL7 Da Vinci ATR attribution lists for tests: a Group with its Patient, Coverage
and provider resources, as JSON, a Bundle, or a bulk export (NDJSON files in one folder)."""

from __future__ import annotations

import json
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

Resource = dict[str, Any]

ATR = "http://hl7.org/fhir/us/davinci-atr/StructureDefinition/"
V2_0203 = "http://terminology.hl7.org/CodeSystem/v2-0203"
NPI = "http://hl7.org/fhir/sid/us-npi"
CLASS = "http://terminology.hl7.org/CodeSystem/coverage-class"


def _type(code: str) -> dict[str, Any]:
    return {"coding": [{"system": V2_0203, "code": code}]}


def patient(
    pid: str,
    *,
    family: str | None = "DOE",
    given: Sequence[str] = ("JANE",),
    birth: str | None = "1980-02-03",
    gender: str | None = "female",
    mb: str | None = None,
    mr: str | None = None,
) -> Resource:
    res: Resource = {"resourceType": "Patient", "id": pid}
    idents = [
        {"type": _type(code), "system": "https://payer.example/id", "value": value}
        for code, value in (("MR", mr), ("MB", mb))
        if value is not None
    ]
    if idents:
        res["identifier"] = idents
    name: dict[str, Any] = {"use": "official"}
    if family is not None:
        name["family"] = family
    if given:
        name["given"] = list(given)
    res["name"] = [{"use": "old", "family": "FORMER"}, name]
    if birth is not None:
        res["birthDate"] = birth
    if gender is not None:
        res["gender"] = gender
    return res


def coverage(
    cid: str,
    beneficiary: str,
    *,
    subscriber_id: str | None = None,
    mb: str | None = None,
    plan: str | None = "MCD",
    group: str | None = None,
    status: str = "active",
    period: tuple[str, str | None] | None = None,
) -> Resource:
    res: Resource = {
        "resourceType": "Coverage",
        "id": cid,
        "status": status,
        "beneficiary": {"reference": f"Patient/{beneficiary}"},
        "payor": [{"reference": "Organization/payer"}],
    }
    if mb is not None:
        res["identifier"] = [{"type": _type("MB"), "value": mb}]
    if subscriber_id is not None:
        res["subscriberId"] = subscriber_id
    classes = [
        {"type": {"coding": [{"system": CLASS, "code": kind}]}, "value": value}
        for kind, value in (("group", group), ("plan", plan))
        if value is not None
    ]
    if classes:
        res["class"] = classes
    if period is not None:
        res["period"] = {"start": period[0], **({"end": period[1]} if period[1] else {})}
    return res


def practitioner(pid: str, npi: str | None = "1234567893") -> Resource:
    res: Resource = {"resourceType": "Practitioner", "id": pid, "name": [{"family": "WELBY"}]}
    if npi is not None:
        res["identifier"] = [{"system": NPI, "value": npi}]
    return res


def practitioner_role(rid: str, practitioner_id: str) -> Resource:
    return {
        "resourceType": "PractitionerRole",
        "id": rid,
        "practitioner": {"reference": f"Practitioner/{practitioner_id}"},
    }


def member(
    patient_ref: str | None,
    *,
    coverage_ref: str | None = None,
    provider_ref: str | None = None,
    start: str | None = "2026-01-01",
    end: str | None = None,
    change: str | None = None,
    inactive: bool | None = None,
) -> Resource:
    ext = []
    if change is not None:
        ext.append({"url": ATR + "ext-changeType", "valueCode": change})
    if coverage_ref is not None:
        ext.append(
            {"url": ATR + "ext-coverageReference", "valueReference": {"reference": coverage_ref}}
        )
    if provider_ref is not None:
        ext.append(
            {"url": ATR + "ext-attributedProvider", "valueReference": {"reference": provider_ref}}
        )
    res: Resource = {}
    if ext:
        res["extension"] = ext
    if patient_ref is not None:
        res["entity"] = {"reference": patient_ref}
    period = {k: v for k, v in (("start", start), ("end", end)) if v is not None}
    if period:
        res["period"] = period
    if inactive is not None:
        res["inactive"] = inactive
    return res


def group(
    members: Iterable[Resource], *, gid: str = "atr-1", name: str = "ACME PCP LIST"
) -> Resource:
    return {
        "resourceType": "Group",
        "id": gid,
        "meta": {
            "lastUpdated": "2026-01-05T08:00:00Z",
            "profile": [ATR + "atr-group"],
        },
        "extension": [
            {
                "url": ATR + "ext-contractValidityPeriod",
                "valuePeriod": {"start": "2026-01-01", "end": "2026-12-31"},
            },
            {"url": ATR + "ext-attributionListStatus", "valueCode": "final"},
        ],
        "identifier": [
            {"type": _type("NPI"), "system": NPI, "value": "1234567893"},
            {"type": _type("TAX"), "system": "urn:oid:2.16.840.1.113883.4.4", "value": "123456789"},
        ],
        "active": True,
        "type": "person",
        "actual": True,
        "name": name,
        "managingEntity": {"display": "ACME HEALTH PLAN"},
        "member": list(members),
    }


def bundle(resources: Iterable[Resource], kind: str = "collection", urn: bool = False) -> Resource:
    """A Bundle of ``resources``; with ``urn`` each entry's fullUrl is a urn:uuid and the
    Group's references use those (as a transaction-style export does)."""
    items = list(resources)
    urls = {
        f"{r['resourceType']}/{r['id']}": (
            f"urn:uuid:00000000-0000-0000-0000-{i:012d}"
            if urn
            else f"https://payer.example/fhir/{r['resourceType']}/{r['id']}"
        )
        for i, r in enumerate(items)
    }
    if urn:
        items = [json.loads(_swap(json.dumps(r), urls)) for r in items]
    return {
        "resourceType": "Bundle",
        "type": kind,
        "entry": [
            {"fullUrl": urls[f"{r['resourceType']}/{r['id']}"], "resource": r} for r in items
        ],
    }


def _swap(text: str, urls: dict[str, str]) -> str:
    for key, url in urls.items():
        text = text.replace(f'"reference": "{key}"', f'"reference": "{url}"')
    return text


def write_json(path: Path, resource: Any, *, indent: int | None = 2, bom: bool = False) -> Path:
    data = json.dumps(resource, indent=indent).encode()
    path.write_bytes((b"\xef\xbb\xbf" if bom else b"") + data + b"\n")
    return path


def write_ndjson(path: Path, resources: Iterable[Resource]) -> Path:
    path.write_text("".join(json.dumps(r) + "\n" for r in resources))
    return path


@dataclass
class Export:
    """An attribution list as written: the Group and its resources."""

    group: Resource
    patients: list[Resource]
    coverages: list[Resource]
    providers: list[Resource]

    def write_folder(self, folder: Path, *, group_name: str = "Group.ndjson") -> Path:
        """A bulk export: Group, Patient, Coverage and provider NDJSON files in ``folder``."""
        folder.mkdir(parents=True, exist_ok=True)
        write_ndjson(folder / "Patient.ndjson", self.patients)
        write_ndjson(folder / "Coverage.ndjson", self.coverages)
        write_ndjson(folder / "Practitioner.ndjson", self.providers)
        if group_name.endswith(".ndjson"):
            return write_ndjson(folder / group_name, [self.group])
        return write_json(folder / group_name, self.group)

    def write_bundle(self, path: Path, kind: str = "collection", urn: bool = False) -> Path:
        path.parent.mkdir(parents=True, exist_ok=True)
        items = [self.group, *self.patients, *self.coverages, *self.providers]
        return write_json(path, bundle(items, kind, urn))


def export(n: int = 3, *, start: str = "2026-01-01") -> Export:
    """``n`` members: member IDs M0001…, PCP NPI 1234567893 (via a PractitionerRole for the
    even members), product MCD, sexes female/male/unknown in turn."""
    genders = ("female", "male", "unknown", "other")
    patients = [
        patient(f"p{i}", family=f"LAST{i}", given=(f"FIRST{i}", "Q"), gender=genders[i % 4])
        for i in range(1, n + 1)
    ]
    coverages = [coverage(f"c{i}", f"p{i}", subscriber_id=f"M{i:04d}") for i in range(1, n + 1)]
    providers = [practitioner("dr1"), practitioner_role("role1", "dr1")]
    members = [
        member(
            f"Patient/p{i}",
            coverage_ref=f"Coverage/c{i}",
            provider_ref="PractitionerRole/role1" if i % 2 == 0 else "Practitioner/dr1",
            start=start,
            change="nochange",
        )
        for i in range(1, n + 1)
    ]
    return Export(group(members), patients, coverages, providers)
