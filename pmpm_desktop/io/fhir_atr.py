"""HL7 Da Vinci ATR member attribution lists (a FHIR Group) read as a roster (SPEC §6).

A payer sends the Group as JSON, as a Bundle holding the Group with its Patient, Coverage and
provider resources, or as a bulk export: the Group (JSON or NDJSON) beside Patient and Coverage
NDJSON files, found in its folder by their content. Each Group.member is a table row (its
1-based position is the row number) with one column per FHIR path (io.fhir_sources), read by the
same roster reader as a spreadsheet.
"""

from __future__ import annotations

import dataclasses
import hashlib
from collections import Counter
from collections.abc import Mapping
from pathlib import Path
from typing import Any

from pmpm_desktop.core.month import Month
from pmpm_desktop.io.collector import collection_paused
from pmpm_desktop.io.fhir_members import Attribution, choose_sources, extensions, resolve_members
from pmpm_desktop.io.fhir_resources import (
    JsonObject,
    Resources,
    parse_json_file,
    top_type,
)
from pmpm_desktop.io.fhir_sources import (
    MemberCells,
    check_mapping,
    codes,
    obj,
    objects,
    text,
)
from pmpm_desktop.io.machine_file import Fact, Format, MachineFile, text_table
from pmpm_desktop.io.options import FileKind, ReadOptions, known_values
from pmpm_desktop.io.parsed import RowProblem
from pmpm_desktop.io.read_errors import FileReadError, file_bytes
from pmpm_desktop.io.roster_file import read_roster
from pmpm_desktop.io.table import RawTable

_ENTRY_DEPTH = 4
_NAMES_SHOWN = 5
_ATR = "davinci-atr"
_IDENTIFIER_LABELS = {
    "http://hl7.org/fhir/sid/us-npi": "NPI",
    "urn:oid:2.16.840.1.113883.4.4": "TIN",
}


def looks_like_atr(head: bytes) -> bool:
    """True when a file's first bytes are a FHIR Group (JSON, or the first line of NDJSON; a
    BOM is fine) or a Bundle holding one (its Group within these bytes)."""
    top, types = top_type(head)
    if top == "Group":
        return True
    return top == "Bundle" and any(d == _ENTRY_DEPTH and t == "Group" for d, t in types)


def read_atr(
    path: Path,
    *,
    options: ReadOptions,
    mapping: Mapping[str, str] | None = None,
    roster_month: Month,
) -> MachineFile:
    """Read an attribution list as the roster of ``roster_month``.

    ``mapping`` (field → FHIR path, e.g. ``{"member_id": "Patient.identifier:MB"}``) names
    another source for a field than the default; it is what ``ParsedFile.mapping`` shows.
    FileReadError when the file is not JSON, holds no Group, or a joined file is not JSON."""
    wanted = dict(mapping or {})
    check_mapping(wanted)
    data = file_bytes(path)
    with collection_paused():
        return _read(path, data, options, wanted, roster_month)


def _read(
    path: Path, data: bytes, options: ReadOptions, wanted: dict[str, str], roster_month: Month
) -> MachineFile:
    group, resources, container = _load_group(path.name, data)
    attribution = resolve_members(group, resources, path, roster_month)
    cells = MemberCells(attribution.members)
    sources, decisions = choose_sources(cells, wanted, known_values(options.values))
    problems = attribution.problems_for(sources)
    raw, cell_problems = _table(cells, attribution, sources, path.name, _digest(data, resources))
    parsed = read_roster(
        path,
        roster_month=roster_month,
        options=options,
        mapping=dict(sources),
        table=raw,
    )
    every = sorted([*problems, *cell_problems, *parsed.problems], key=lambda p: p.row)
    parsed = dataclasses.replace(
        parsed,
        problems=every,
        decisions=(*decisions, *attribution.decisions(), *parsed.decisions),
    )
    return MachineFile(
        format=Format.FHIR_ATR,
        kind=FileKind.ROSTER,
        standard=_standard(group),
        parsed=parsed,
        facts=_facts(group, resources, attribution, container, kept_count=raw.frame.height),
    )


def _load_group(name: str, data: bytes) -> tuple[JsonObject, Resources, str | None]:
    """The Group, the resources beside it in its own file, and what held it (``Bundle
    (collection)``, or None for a Group on its own)."""
    values = parse_json_file(name, data)
    groups: list[JsonObject] = []
    container = None
    for value in values:
        if not isinstance(value, dict):
            continue
        if value.get("resourceType") == "Group":
            groups.append(value)
        elif value.get("resourceType") == "Bundle":
            container = f"Bundle ({text(value.get('type')) or 'no type'})"
            groups.extend(
                r
                for r in (obj(e, "resource") for e in objects(value, "entry"))
                if r.get("resourceType") == "Group"
            )
    if len(groups) != 1:
        raise FileReadError(_not_one_group(name, values, len(groups)))
    group = groups[0]
    resources = Resources()
    resources.own = resources.add_all(values)
    for contained in objects(group, "contained"):
        if isinstance(rid := contained.get("id"), str):
            resources.add(contained, f"#{rid}")
    return group, resources, container


def _not_one_group(name: str, values: list[Any], groups: int) -> str:
    if groups > 1:
        return f"{name} holds {groups} Group resources; an attribution list is one Group"
    if len(values) == 1 and isinstance(values[0], dict):
        kind = text(values[0].get("resourceType"))
        if kind == "Bundle":
            inner = Counter(
                text(obj(e, "resource").get("resourceType")) or "?"
                for e in objects(values[0], "entry")
            )
            held = ", ".join(f"{n} {t}" for t, n in inner.most_common()) or "no resources"
            return f"{name} is a FHIR Bundle ({held}) with no Group (an attribution list)"
        if kind is not None:
            return f"{name} is a FHIR {kind} resource, not a Group (an attribution list)"
        return f"{name} is JSON but not a FHIR resource (it has no resourceType)"
    if len(values) == 1:
        return f"{name} is JSON but not a FHIR resource (a {type(values[0]).__name__})"
    kinds = Counter(text(v.get("resourceType")) or "?" for v in values if isinstance(v, dict))
    held = ", ".join(f"{n} {t}" for t, n in kinds.most_common())
    return f"{name} is NDJSON of {held}, with no Group (an attribution list)"


def _table(
    cells: MemberCells,
    attribution: Attribution,
    sources: dict[str, str],
    file_name: str,
    sha256: str,
) -> tuple[RawTable, list[RowProblem]]:
    """The members on the roster as text cells, one column per FHIR path; cells a source
    refuses (a partial date of birth, a date that is not FHIR) are problems and stay blank."""
    kept = [attribution.placed(m, sources) for m in cells.members]
    rows = [m.position for m, keep in zip(cells.members, kept, strict=True) if keep]
    columns: dict[str, list[str | None]] = {}
    problems: list[RowProblem] = []
    on_roster = set(rows)
    for path in dict.fromkeys(sources.values()):
        column = cells.column(path)
        columns[path] = [v for v, keep in zip(column, kept, strict=True) if keep]
        problems += [p for p in cells.problems[path] if p.row in on_roster]
    return text_table(columns, rows, sha256=sha256, file_name=file_name), problems


def _digest(data: bytes, resources: Resources) -> str:
    """The file's SHA-256, or with joined files beside it, one over all of them (the same
    Group with corrected Patient files is another import)."""
    own = hashlib.sha256(data).hexdigest()
    if not resources.joined:
        return own
    whole = hashlib.sha256(own.encode())
    for joined in resources.joined:
        whole.update(joined.sha256.encode())
    return whole.hexdigest()


def _standard(group: JsonObject) -> str:
    profiles = obj(group, "meta").get("profile")
    urls = [p for p in profiles if isinstance(p, str)] if isinstance(profiles, list) else []
    # the Group's own extensions, and its first member's (enough to know the guide)
    for element in (group, *objects(group, "member")[:1]):
        urls += [text(e.get("url")) or "" for e in objects(element, "extension")]
    if any(_ATR in u for u in urls):
        return "HL7 Da Vinci ATR member attribution list (FHIR Group)"
    return "FHIR Group (attribution list)"


def _identifiers(resource: JsonObject) -> str:
    out = []
    for ident in objects(resource, "identifier"):
        value = text(ident.get("value"))
        if value is None:
            continue
        system = text(ident.get("system")) or ""
        label = next(iter(codes(ident.get("type"))), None) or _IDENTIFIER_LABELS.get(system)
        out.append(f"{label or system or 'identifier'} {value}")
    return ", ".join(out)


def _joined(resources: Resources) -> str:
    """``3 Patient, 3 Coverage from Patient.ndjson, Coverage.ndjson`` (at most five names)."""
    total: Counter[str] = Counter()
    for joined in resources.joined:
        total.update(joined.counts)
    held = ", ".join(f"{n} {t}" for t, n in sorted(total.items()))
    names = [j.name for j in resources.joined]
    more = f" and {len(names) - _NAMES_SHOWN} more" if len(names) > _NAMES_SHOWN else ""
    return f"{held} from {', '.join(names[:_NAMES_SHOWN])}{more}"


def _facts(
    group: JsonObject,
    resources: Resources,
    attribution: Attribution,
    container: str | None,
    *,
    kept_count: int,
) -> tuple[Fact, ...]:
    facts = []
    title = text(group.get("name")) or "(no name)"
    if (gid := text(group.get("id"))) is not None:
        title += f" (Group/{gid})"
    facts.append(Fact("Attribution list", title))
    if idents := _identifiers(group):
        facts.append(Fact("Group identifiers", idents))
    managing = obj(group, "managingEntity")
    org = resources.resolve(managing)
    payer = text(org.get("name")) if org else None
    if payer := payer or text(managing.get("display")) or text(managing.get("reference")):
        facts.append(Fact("Managing organization", payer))
    ext = extensions(group)
    period = obj(ext.get("ext-contractValidityPeriod"), "valuePeriod")
    if period:
        start, end = text(period.get("start")) or "?", text(period.get("end")) or "open"
        facts.append(Fact("Contract period", f"{start} to {end}"))
    if status := text(obj(ext, "ext-attributionListStatus").get("valueCode")):
        facts.append(Fact("List status", status))
    if updated := text(obj(group, "meta").get("lastUpdated")):
        facts.append(Fact("Last updated", updated))
    listed = len(objects(group, "member"))
    left = Counter(reason for reason in attribution.left_out.values())
    parts = [f"{listed} listed", f"{kept_count} on the roster"]
    parts += [f"{n} {reason.label}" for reason, n in left.items()]
    facts.append(Fact("Members", ", ".join(parts)))
    changes = attribution.change_counts()
    facts.append(Fact("Change types", changes or "none given"))
    if container is not None:
        held = ", ".join(f"{n} {t}" for t, n in sorted(resources.own.items()))
        facts.append(Fact("Resources in the file", f"{container}: {held or 'the Group only'}"))
    if resources.joined:
        facts.append(Fact("Joined files", _joined(resources)))
    if resources.unexamined:
        facts.append(
            Fact("Files not looked at", f"{resources.unexamined} (only the first 200 are read)")
        )
    return tuple(facts)
