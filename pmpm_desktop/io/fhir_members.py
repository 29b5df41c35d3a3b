"""The members of an attribution list (Group.member) with the Patient, Coverage and attributed
provider each points at, and the per-file choice of the member ID and product sources.

Who is on the roster: a member whose changeType is ``cancelled`` (added in error) never is; a
member marked ``inactive`` or ``dropped`` without a period end is no longer attributed and is
left out; one with a period end stays, termed at that end (the roster reader's term date).
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, field
from enum import StrEnum
from pathlib import Path

from pmpm_desktop.core.month import Month
from pmpm_desktop.io.fhir_resources import PROVIDER_TYPES, JsonObject, Resources, reference_key
from pmpm_desktop.io.fhir_sources import (
    DEFAULT_SOURCES,
    MEMBER_ID_SOURCES,
    PRODUCT_SOURCES,
    Member,
    Refused,
    fhir_day,
    needs_coverage,
    npi,
    obj,
    objects,
    source,
    text,
)
from pmpm_desktop.io.fields import fields
from pmpm_desktop.io.options import DecisionKind, ReadDecision
from pmpm_desktop.io.parsed import RowProblem

ENTITY = "Group.member.entity"
COVERAGE_REFERENCE = "Group.member.extension:coverageReference"


class AttributionChange(StrEnum):
    """Group.member changeType (ATR code system atr-changetype)."""

    NEW = "new"
    CHANGED = "changed"
    NO_CHANGE = "nochange"
    DROPPED = "dropped"
    CANCELLED = "cancelled"


# "add" and "change" are the codes of the guide's first examples.
_CHANGE_CODES = {
    "new": AttributionChange.NEW,
    "add": AttributionChange.NEW,
    "changed": AttributionChange.CHANGED,
    "change": AttributionChange.CHANGED,
    "nochange": AttributionChange.NO_CHANGE,
    "dropped": AttributionChange.DROPPED,
    "cancelled": AttributionChange.CANCELLED,
}
_CHANGE_LABELS = {
    AttributionChange.NEW: "new",
    AttributionChange.CHANGED: "changed",
    AttributionChange.NO_CHANGE: "unchanged",
    AttributionChange.DROPPED: "dropped",
    AttributionChange.CANCELLED: "cancelled",
}


class LeftOut(StrEnum):
    """Why a listed member is not a roster row."""

    INACTIVE = "inactive"
    DROPPED = "dropped"
    CANCELLED = "cancelled"

    @property
    def label(self) -> str:
        return {
            LeftOut.INACTIVE: "inactive without an end date (left out)",
            LeftOut.DROPPED: "dropped without an end date (left out)",
            LeftOut.CANCELLED: "cancelled as added in error (left out)",
        }[self]


def extension(element: object, name: str) -> JsonObject:
    """The first extension of ``element`` whose URL ends with ``name`` (the guide's URLs have
    moved between versions; their last segment has not)."""
    for ext in objects(element, "extension"):
        if (text(ext.get("url")) or "").rsplit("/", 1)[-1] == name:
            return ext
    return {}


@dataclass
class Attribution:
    """The Group's members, resolved: those with a Patient, those left out, and problems."""

    members: list[Member] = field(default_factory=list)
    left_out: dict[int, LeftOut] = field(default_factory=dict)
    #: entries without a Patient: always problems
    missing: list[RowProblem] = field(default_factory=list)
    #: entries without their Coverage: problems when a column is read from the Coverage
    no_coverage: dict[int, RowProblem] = field(default_factory=dict)
    changes: Counter[str] = field(default_factory=Counter)
    #: positions whose attributed provider has no NPI in the files (the reference is written)
    no_npi: list[int] = field(default_factory=list)

    def problems_for(self, sources: dict[str, str]) -> list[RowProblem]:
        coverage = any(needs_coverage(p) for p in sources.values())
        return [*self.missing, *(self.no_coverage.values() if coverage else ())]

    def placed(self, member: Member, sources: dict[str, str]) -> bool:
        """Whether the member is a table row: not when a column needs its missing Coverage."""
        if member.coverage is not None:
            return True
        return not any(needs_coverage(p) for p in sources.values())

    def decisions(self) -> list[ReadDecision]:
        found = []
        for reason in LeftOut:
            rows = tuple(p for p, r in self.left_out.items() if r is reason)
            if rows:
                found.append(
                    ReadDecision(
                        DecisionKind.SKIPPED, f"{len(rows)} member(s) {reason.label}", rows
                    )
                )
        if self.no_npi:
            found.append(
                ReadDecision(
                    DecisionKind.COLUMN,
                    f"PCP: the attributed provider of {len(self.no_npi)} member(s) has no NPI in "
                    "the files; its reference is written instead",
                    tuple(self.no_npi),
                    "Group.member.extension:attributedProvider",
                )
            )
        return found

    def change_counts(self) -> str:
        """``new 3, changed 1, unchanged 10`` (members by changeType), or "" when none."""
        return ", ".join(
            f"{_CHANGE_LABELS[c] if isinstance(c, AttributionChange) else c} {n}"
            for c, n in self.changes.items()
        )


def resolve_members(
    group: JsonObject, resources: Resources, group_path: Path, roster_month: Month
) -> Attribution:
    """Each Group.member with its resources, joining the export files beside ``group_path``
    when the Group's own file lacks some of them."""
    out = Attribution()
    pending: list[tuple[int, JsonObject, str]] = []
    for position, entry in enumerate(objects(group, "member"), 1):
        code = text(extension(entry, "ext-changeType").get("valueCode"))
        change = _CHANGE_CODES.get(code.lower()) if code is not None else None
        if code is not None:
            out.changes[change or code] += 1
        ended = text(obj(entry, "period").get("end")) is not None
        if change is AttributionChange.CANCELLED:
            out.left_out[position] = LeftOut.CANCELLED
        elif entry.get("inactive") is True and not ended:
            out.left_out[position] = LeftOut.INACTIVE
        elif change is AttributionChange.DROPPED and not ended:
            out.left_out[position] = LeftOut.DROPPED
        elif (ref := text(obj(entry, "entity").get("reference"))) is None:
            out.missing.append(RowProblem(position, ENTITY, "", "the member names no Patient"))
        elif not reference_key(ref).startswith("Patient/") and not ref.startswith(("#", "urn:")):
            out.missing.append(RowProblem(position, ENTITY, ref, "not a Patient reference"))
        else:
            pending.append((position, entry, ref))
    if pending:
        _join(resources, pending, group_path)
    where = f"in {group_path.name} or in the export files beside it"
    for position, entry, ref in pending:
        patient = resources.by_key.get(ref) or resources.by_key.get(reference_key(ref))
        if patient is None or patient.get("resourceType") != "Patient":
            out.missing.append(RowProblem(position, ENTITY, ref, f"no such Patient {where}"))
            continue
        coverage, problem = _coverage(position, entry, patient, resources, roster_month, where)
        if problem is not None:
            out.no_coverage[position] = problem
        provider = _provider(entry, resources)
        if provider is not None and provider[1] is False:
            out.no_npi.append(position)
        out.members.append(
            Member(position, entry, patient, coverage, provider[0] if provider else None)
        )
    return out


def _join(resources: Resources, pending: list[tuple[int, JsonObject, str]], path: Path) -> None:
    """Join the files beside the Group while a Patient, Coverage or provider is missing."""
    patients = {ref for _, _, ref in pending}
    coverages = {
        r for _, e, _ in pending if (r := text(_coverage_ref(e).get("reference"))) is not None
    }
    unnamed = {ref for _, e, ref in pending if not _coverage_ref(e)}
    providers = {
        r for _, e, _ in pending if (r := text(_provider_ref(e).get("reference"))) is not None
    }

    def found(ref: str) -> bool:
        return ref in resources.by_key or reference_key(ref) in resources.by_key

    def wanted() -> set[str]:
        patients.difference_update({r for r in patients if found(r)})
        coverages.difference_update({r for r in coverages if found(r)})
        unnamed.difference_update({r for r in unnamed if reference_key(r) in resources.coverage_of})
        providers.difference_update({r for r in providers if found(r)})
        still = {"Patient"} if patients else set()
        still |= {"Coverage"} if coverages or unnamed else set()
        return still | (set(PROVIDER_TYPES) if providers else set())

    resources.join_siblings(path, wanted)


def _coverage_ref(entry: JsonObject) -> JsonObject:
    return obj(extension(entry, "ext-coverageReference"), "valueReference")


def _provider_ref(entry: JsonObject) -> JsonObject:
    return obj(extension(entry, "ext-attributedProvider"), "valueReference")


def _coverage(
    position: int,
    entry: JsonObject,
    patient: JsonObject,
    resources: Resources,
    roster_month: Month,
    where: str,
) -> tuple[JsonObject | None, RowProblem | None]:
    """The member's Coverage: the one its coverageReference names, else the one Coverage of
    its Patient (of several: those active and covering the roster month)."""
    named = _coverage_ref(entry)
    if ref := text(named.get("reference")):
        found = resources.resolve(named)
        if found is None or found.get("resourceType") != "Coverage":
            return None, RowProblem(position, COVERAGE_REFERENCE, ref, f"no such Coverage {where}")
        return found, None
    key = f"Patient/{text(patient.get('id'))}"
    mine = resources.coverage_of.get(key, [])
    if len(mine) > 1:
        mine = [c for c in mine if _current(c, roster_month)]
    if len(mine) == 1:
        return mine[0], None
    why = (
        f"no Coverage for this Patient {where}"
        if not mine
        else f"{len(mine)} Coverage resources for this Patient cover the roster month"
    )
    return None, RowProblem(position, "Coverage.beneficiary", key, why)


def _current(coverage: JsonObject, month: Month) -> bool:
    """Active (or without a status) and with a period that reaches into ``month``."""
    if text(coverage.get("status")) not in (None, "active"):
        return False
    period = obj(coverage, "period")
    try:
        start = fhir_day(text(period.get("start")))
        end = fhir_day(text(period.get("end")), end=True)
    except Refused:
        return True  # a date that is not FHIR does not rule a Coverage out
    first, last = month.first_day.isoformat(), month.last_day.isoformat()
    return (start is None or start <= last) and (end is None or end >= first)


def _provider(entry: JsonObject, resources: Resources) -> tuple[str, bool] | None:
    """(NPI, True), or (the reference as written, False) when no NPI is found for it."""
    ref = _provider_ref(entry)
    if not ref:
        return None
    ident = obj(ref, "identifier")
    if ident and (value := npi({"identifier": [ident]})) is not None:
        return value, True
    found = resources.resolve(ref)
    if found is not None:
        if (value := npi(found)) is not None:
            return value, True
        practitioner = resources.resolve(found.get("practitioner"))
        if practitioner is not None and (value := npi(practitioner)) is not None:
            return value, True
    written = text(ref.get("reference")) or text(ref.get("display")) or text(ident.get("value"))
    return (written, False) if written is not None else None


def choose_sources(
    members: list[Member], wanted: dict[str, str]
) -> tuple[dict[str, str], list[ReadDecision]]:
    """field → FHIR path of every column: ``wanted`` (the payer's mapping), the defaults, and
    per file the member ID source (the first of MEMBER_ID_SOURCES every member has) and the
    product source (the first of PRODUCT_SOURCES any member has)."""
    chosen = {**DEFAULT_SOURCES, **wanted}
    decisions = []
    if "member_id" not in wanted:
        path, why = _member_id_source(members)
        chosen["member_id"] = path
        decisions.append(
            ReadDecision(DecisionKind.COLUMN, f"member ID is {path}: {why}", column=path)
        )
    if "product" not in wanted:
        product = next((p for p in PRODUCT_SOURCES if _count(members, p)[0]), None)
        if product is not None:
            chosen["product"] = product
        if product != PRODUCT_SOURCES[0]:
            said = f"product is {product}" if product else "product is not in the file"
            decisions.append(
                ReadDecision(
                    DecisionKind.COLUMN,
                    f"{said}: no member's Coverage has a class of type plan",
                    column=product,
                )
            )
    order = [f.name for f in fields("roster")]
    return {f: chosen[f] for f in order if f in chosen}, decisions


def _count(members: list[Member], path: str) -> tuple[int, int]:
    """(members with a value at ``path``, members that could have one)."""
    read = source(path)
    assert read is not None
    could = [m for m in members if m.coverage is not None or not needs_coverage(path)]
    have = 0
    for m in could:
        try:
            have += read(m) is not None
        except Refused:
            have += 1
    return have, len(could)


def _member_id_source(members: list[Member]) -> tuple[str, str]:
    counts = {p: _count(members, p) for p in MEMBER_ID_SOURCES}
    order = ", ".join(MEMBER_ID_SOURCES)
    for path, (have, could) in counts.items():
        if have and have == could:
            return path, f"the first of {order} that every member has"
    best = max(MEMBER_ID_SOURCES, key=lambda p: counts[p][0])
    have, could = counts[best]
    if not have:
        return best, f"no member has any of {order}"
    return best, f"{have} of {could} members have it (none of {order} is on every member)"
