"""The members of an attribution list (Group.member) with the Patient, Coverage and attributed
provider each points at, and the per-file choice of the member ID and product sources.

Who is on the roster: a member whose changeType is ``cancelled`` (added in error) never is; a
member marked ``inactive`` or ``dropped`` without a period end is no longer attributed and is
left out; one with a period end stays, termed at that end (the roster reader's term date).
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Collection
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
    MemberCells,
    Refused,
    fhir_day,
    needs_coverage,
    npi,
    obj,
    objects,
    text,
)
from pmpm_desktop.io.fields import fields
from pmpm_desktop.io.options import DecisionKind, FileKind, ReadDecision
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


def extensions(element: object) -> dict[str, JsonObject]:
    """The extensions of ``element`` by the last segment of their URL (the guide's URLs have
    moved between versions; their last segment has not); the first of a name wins."""
    found: dict[str, JsonObject] = {}
    for ext in objects(element, "extension"):
        url = ext.get("url")
        if isinstance(url, str):
            found.setdefault(url.rsplit("/", 1)[-1], ext)
    return found


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


@dataclass(slots=True)  # not frozen: a frozen dataclass is ~20x slower to build
class _Pending:
    """A listed member on its way to the roster: its Patient reference and extensions."""

    position: int
    entry: JsonObject
    patient: str
    coverage: JsonObject
    provider: JsonObject


def resolve_members(
    group: JsonObject, resources: Resources, group_path: Path, roster_month: Month
) -> Attribution:
    """Each Group.member with its resources, joining the export files beside ``group_path``
    when the Group's own file lacks some of them."""
    out = Attribution()
    pending: list[_Pending] = []
    for position, entry in enumerate(objects(group, "member"), 1):
        listed = _listed(out, position, entry)
        if listed is not None:
            pending.append(listed)
    if pending:
        _join(resources, pending, group_path)
    where = f"in {group_path.name} or in the export files beside it"
    by_key = resources.by_key
    providers: dict[str, tuple[str, bool] | None] = {}
    for p in pending:
        patient = by_key.get(p.patient) or by_key.get(reference_key(p.patient))
        if patient is None or patient.get("resourceType") != "Patient":
            out.missing.append(
                RowProblem(p.position, ENTITY, p.patient, f"no such Patient {where}")
            )
            continue
        coverage, lacking = _coverage(p, patient, resources, roster_month, where)
        if lacking is not None:
            out.no_coverage[p.position] = lacking
        # A list names a few providers for many members: each is resolved once.
        said = text(p.provider.get("reference"))
        pcp = providers[said] if said in providers else _provider(p.provider, resources)
        if said is not None:
            providers[said] = pcp
        if pcp is not None and pcp[1] is False:
            out.no_npi.append(p.position)
        out.members.append(Member(p.position, p.entry, patient, coverage, pcp[0] if pcp else None))
    return out


def _listed(out: Attribution, position: int, entry: JsonObject) -> _Pending | None:
    """A Group.member to resolve; None for one left out or naming no Patient (noted in
    ``out``, with the change types counted)."""
    ext = extensions(entry)
    code = text(ext.get("ext-changeType", {}).get("valueCode"))
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
        named = obj(ext.get("ext-coverageReference"), "valueReference")
        provider = obj(ext.get("ext-attributedProvider"), "valueReference")
        return _Pending(position, entry, ref, named, provider)
    return None


def _join(resources: Resources, pending: list[_Pending], path: Path) -> None:
    """Join the files beside the Group while a Patient, Coverage or provider is missing."""
    patients = {reference_key(p.patient) for p in pending}
    coverages = {reference_key(r) for p in pending if (r := text(p.coverage.get("reference")))}
    unnamed = {reference_key(p.patient) for p in pending if not p.coverage}
    providers = {reference_key(r) for p in pending if (r := text(p.provider.get("reference")))}

    def wanted() -> set[str]:
        # references as Type/id, or urn:uuid / #contained as written: the keys of by_key
        patients.difference_update(resources.by_key.keys())
        coverages.difference_update(resources.by_key.keys())
        unnamed.difference_update(resources.coverage_of.keys())
        providers.difference_update(resources.by_key.keys())
        still = {"Patient"} if patients else set()
        still |= {"Coverage"} if coverages or unnamed else set()
        return still | (set(PROVIDER_TYPES) if providers else set())

    resources.join_siblings(path, wanted)


def _coverage(
    p: _Pending, patient: JsonObject, resources: Resources, roster_month: Month, where: str
) -> tuple[JsonObject | None, RowProblem | None]:
    """The member's Coverage: the one its coverageReference names, else the one Coverage of
    its Patient (of several: those active and covering the roster month)."""
    if ref := text(p.coverage.get("reference")):
        found = resources.resolve(p.coverage)
        if found is None or found.get("resourceType") != "Coverage":
            return None, RowProblem(
                p.position, COVERAGE_REFERENCE, ref, f"no such Coverage {where}"
            )
        return found, None
    key = f"Patient/{text(patient.get('id'))}"
    mine: list[JsonObject] = []
    for beneficiary in dict.fromkeys((key, reference_key(p.patient))):
        mine += resources.coverage_of.get(beneficiary, [])
    if len(mine) > 1:
        mine = [c for c in mine if _current(c, roster_month)]
    if len(mine) == 1:
        return mine[0], None
    why = (
        f"no Coverage for this Patient {where}"
        if not mine
        else f"{len(mine)} Coverage resources for this Patient cover the roster month"
    )
    return None, RowProblem(p.position, "Coverage.beneficiary", key, why)


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


def _provider(ref: JsonObject, resources: Resources) -> tuple[str, bool] | None:
    """(NPI, True), or (the reference as written, False) when no NPI is found for it."""
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
    cells: MemberCells, wanted: dict[str, str], given: Collection[str] = ()
) -> tuple[dict[str, str], list[ReadDecision]]:
    """field → FHIR path of every column: ``wanted`` (the payer's mapping), the defaults, and
    per file the member ID source (the first of MEMBER_ID_SOURCES every member has) and the
    product source (the first of PRODUCT_SOURCES any member has). Fields ``given`` a value
    for every row (``--set``) get no column."""
    chosen = {**DEFAULT_SOURCES, **wanted}
    decisions = []
    if "member_id" not in wanted and "member_id" not in given:
        path, why = _member_id_source(cells)
        chosen["member_id"] = path
        decisions.append(
            ReadDecision(DecisionKind.COLUMN, f"member ID is {path}: {why}", column=path)
        )
    if "product" not in wanted and "product" not in given:
        product = next((p for p in PRODUCT_SOURCES if cells.count(p)[0]), None)
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
    order = [f.name for f in fields(FileKind.ROSTER)]
    return {f: chosen[f] for f in order if f in chosen and f not in given}, decisions


def _member_id_source(cells: MemberCells) -> tuple[str, str]:
    order = ", ".join(MEMBER_ID_SOURCES)
    counts = {path: cells.count(path) for path in MEMBER_ID_SOURCES}
    complete = [p for p in MEMBER_ID_SOURCES if counts[p][0] and counts[p][0] == counts[p][1]]
    for path in complete:
        values = [v for v in cells.column(path) if v]
        if len(set(values)) == len(values):
            return path, f"the first of {order} that every member has, each their own"
    if complete:
        # Dependents often carry their subscriber's ID: shared, it is no member's own, but
        # with no better source the rows' conflicts then say so member by member.
        return complete[0], f"the first of {order} that every member has (some share it)"
    best = max(MEMBER_ID_SOURCES, key=lambda p: counts[p][0])
    have, could = counts[best]
    if not have:
        return best, f"no member has any of {order}"
    return best, f"{have} of {could} members have it (none of {order} is on every member)"
