"""The columns of an attribution list's member table, each named by the FHIR path it is read
from (``Coverage.subscriberId``, ``Patient.birthDate``, ``Group.member.period.start``), and the
roster field each fills by default (HL7 Da Vinci ATR, SPEC §6).

A payer may name another source for a field (``{"member_id": "Patient.identifier:MB"}``):
``Patient.identifier:<type code or system>``, ``Coverage.identifier:<…>`` and
``Coverage.class:<class type>`` take what follows the colon as the identifier's type code
(``MB``) or system (a URI), or the class's type (``plan``, ``group``, ``subgroup``, …).
"""

from __future__ import annotations

import calendar
import re
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from pmpm_desktop.io.fhir_resources import JsonObject
from pmpm_desktop.io.fields import MappingError, fields
from pmpm_desktop.io.options import FileKind
from pmpm_desktop.io.parsed import RowProblem

NPI_SYSTEM = "http://hl7.org/fhir/sid/us-npi"

#: field → source of the columns every attribution list has (member ID and product are chosen
#: per file from MEMBER_ID_SOURCES and PRODUCT_SOURCES)
DEFAULT_SOURCES = {
    "last_name": "Patient.name.family",
    "first_name": "Patient.name.given",
    "dob": "Patient.birthDate",
    "sex": "Patient.gender",
    "pcp": "Group.member.extension:attributedProvider",
    "effective_date": "Group.member.period.start",
    "term_date": "Group.member.period.end",
}
#: the member ID, in the order of preference: the first one every member has is taken
MEMBER_ID_SOURCES = (
    "Coverage.subscriberId",
    "Coverage.identifier:MB",
    "Patient.identifier:MB",
    # the subscriber's ID with the dependent's number (AB3658-01): each family member's own
    "Coverage.subscriberId+dependent",
)
#: the product: the Coverage class of type plan, else of type group
PRODUCT_SOURCES = ("Coverage.class:plan", "Coverage.class:group")

_GENDERS = {"male": "M", "female": "F", "unknown": "U", "other": "U"}
_FHIR_DAY = re.compile(
    r"([0-9]{4})(?:-([0-9]{2})(?:-([0-9]{2})(?:T[0-9:.]+(?:Z|[+-][0-9]{2}:[0-9]{2})?)?)?)?"
)
_NAME_USES = ("official", "usual", None)


class Refused(ValueError):
    """A cell whose FHIR value cannot stand in a roster: ``value`` as written, the reason as
    the message."""

    def __init__(self, value: str, reason: str) -> None:
        super().__init__(reason)
        self.value = value


@dataclass(slots=True)  # not frozen: a frozen dataclass is ~20x slower to build
class Member:
    """One entry of Group.member with the resources it points at."""

    #: 1-based position in Group.member: the row number of its problems
    position: int
    entry: JsonObject
    patient: JsonObject
    coverage: JsonObject | None
    #: the attributed provider's NPI, else the reference as written
    provider: str | None


Source = Callable[[Member], str | None]


def text(value: object) -> str | None:
    """A JSON scalar as cell text (numbers as written); anything else is no value."""
    if isinstance(value, str):
        return value.strip() or None
    if isinstance(value, bool) or value is None:
        return None
    if isinstance(value, int | float):
        return str(value)
    return None


def obj(value: object, key: str) -> JsonObject:
    """``value[key]`` when both are JSON objects, else an empty object."""
    found = value.get(key) if isinstance(value, dict) else None
    return found if isinstance(found, dict) else {}


def objects(value: object, key: str) -> list[JsonObject]:
    """The JSON objects in the array ``value[key]``."""
    found = value.get(key) if isinstance(value, dict) else None
    return [v for v in found if isinstance(v, dict)] if isinstance(found, list) else []


def codes(concept: object) -> list[str]:
    """The codes of a CodeableConcept's codings."""
    return [c for x in objects(concept, "coding") if (c := text(x.get("code"))) is not None]


def fhir_day(raw: str | None, *, end: bool = False, whole: bool = False) -> str | None:
    """``YYYY-MM-DD`` from a FHIR date or dateTime (the day as written, whatever its zone).
    A year or month alone is its first day, or with ``end`` its last; with ``whole`` (a date
    of birth) it is refused."""
    if raw is None:
        return None
    m = _FHIR_DAY.fullmatch(raw)
    if m is None:
        raise Refused(raw, "not a FHIR date (YYYY-MM-DD)")
    year, month, day = m[1], m[2], m[3]
    if day is not None:
        return f"{year}-{month}-{day}"
    if whole:
        raise Refused(raw, "a year or month only: a date of birth needs the day")
    number = int(month) if month is not None else (12 if end else 1)
    if not 1 <= number <= 12:
        raise Refused(raw, "not a date: no month " + str(number))
    last = calendar.monthrange(int(year), number)[1] if end else 1
    return f"{year}-{number:02d}-{last:02d}"


def identifier(resource: JsonObject, wanted: str) -> str | None:
    """The value of the first identifier whose type has the code ``wanted`` (``MB``), or whose
    system is ``wanted`` when it is a URI."""
    by_system = ":" in wanted or "/" in wanted
    for ident in objects(resource, "identifier"):
        if by_system:
            hit = text(ident.get("system")) == wanted
        else:
            hit = wanted.upper() in (c.upper() for c in codes(ident.get("type")))
        if hit and (value := text(ident.get("value"))) is not None:
            return value
    return None


def npi(resource: JsonObject) -> str | None:
    return identifier(resource, NPI_SYSTEM)


def _name(patient: JsonObject) -> JsonObject:
    names = objects(patient, "name")
    for use in _NAME_USES:
        for name in names:
            if name.get("use") == use or use is None and name.get("use") not in ("old", "maiden"):
                return name
    return {}


def _given(patient: JsonObject) -> str | None:
    given = _name(patient).get("given")
    parts = [t for g in given if (t := text(g))] if isinstance(given, list) else []
    return " ".join(parts) or None


def _gender(patient: JsonObject) -> str | None:
    raw = text(patient.get("gender"))
    return _GENDERS.get(raw, raw) if raw is not None else None


def _coverage(read: Callable[[JsonObject], str | None]) -> Source:
    return lambda m: read(m.coverage) if m.coverage is not None else None


def _class(kind: str) -> Callable[[JsonObject], str | None]:
    def value(coverage: JsonObject) -> str | None:
        for item in objects(coverage, "class"):
            if kind.lower() in (c.lower() for c in codes(item.get("type"))):
                return text(item.get("value"))
        return None

    return value


def _subscriber_dependent(coverage: JsonObject) -> str | None:
    subscriber = text(coverage.get("subscriberId"))
    dependent = text(coverage.get("dependent"))
    if subscriber is None or dependent is None:
        return subscriber
    return f"{subscriber}-{dependent}"


def _period(resource: Callable[[Member], Any], end: bool) -> Source:
    key = "end" if end else "start"
    return lambda m: fhir_day(text(obj(resource(m), "period").get(key)), end=end)


_FIXED: dict[str, Source] = {
    "Group.member.period.start": _period(lambda m: m.entry, end=False),
    "Group.member.period.end": _period(lambda m: m.entry, end=True),
    "Group.member.extension:attributedProvider": lambda m: m.provider,
    "Patient.name.family": lambda m: text(_name(m.patient).get("family")),
    "Patient.name.given": lambda m: _given(m.patient),
    "Patient.birthDate": lambda m: fhir_day(text(m.patient.get("birthDate")), whole=True),
    "Patient.gender": lambda m: _gender(m.patient),
    "Coverage.subscriberId": _coverage(lambda c: text(c.get("subscriberId"))),
    "Coverage.dependent": _coverage(lambda c: text(c.get("dependent"))),
    "Coverage.subscriberId+dependent": _coverage(_subscriber_dependent),
    "Coverage.type": _coverage(lambda c: next(iter(codes(c.get("type"))), None)),
    "Coverage.period.start": _period(lambda m: m.coverage, end=False),
    "Coverage.period.end": _period(lambda m: m.coverage, end=True),
}


def source(path: str) -> Source | None:
    """The reader of a FHIR path as this module names it, or None for a path it does not
    know."""
    if path in _FIXED:
        return _FIXED[path]
    base, colon, wanted = path.partition(":")
    wanted = wanted.strip()
    if not colon or not wanted:
        return None
    if base == "Patient.identifier":
        return lambda m: identifier(m.patient, wanted)
    if base == "Coverage.identifier":
        return _coverage(lambda c: identifier(c, wanted))
    if base == "Coverage.class":
        return _coverage(_class(wanted))
    return None


class MemberCells:
    """The cells of each FHIR path for a list of members, each path read once; a cell its
    source refuses is blank, with a problem."""

    def __init__(self, members: list[Member]) -> None:
        self.members = members
        self._columns: dict[str, list[str | None]] = {}
        self.problems: dict[str, list[RowProblem]] = {}

    def column(self, path: str) -> list[str | None]:
        """The cells of ``path``, one per member (``path`` must be a known source)."""
        if (cells := self._columns.get(path)) is not None:
            return cells
        read = source(path)
        if read is None:
            raise MappingError(f"{path!r} is not a FHIR path an attribution list is read from")
        cells = []
        problems = []
        for m in self.members:
            try:
                cells.append(read(m))
            except Refused as exc:
                cells.append(None)
                problems.append(RowProblem(m.position, path, exc.value, str(exc)))
        self._columns[path] = cells
        self.problems[path] = problems
        return cells

    def count(self, path: str) -> tuple[int, int]:
        """(members with a value at ``path``, refused ones included; members that could have
        one: those with a Coverage for a Coverage path)."""
        cells = self.column(path)
        have = sum(v is not None for v in cells) + len(self.problems[path])
        if not needs_coverage(path):
            return have, len(cells)
        return have, sum(m.coverage is not None for m in self.members)


def needs_coverage(path: str) -> bool:
    return path.startswith("Coverage.")


def check_mapping(mapping: dict[str, str]) -> None:
    """MappingError for a field that is not a roster field or a source this module cannot
    read."""
    roster_fields = {f.name for f in fields(FileKind.ROSTER)}
    for name, path in mapping.items():
        if name not in roster_fields:
            raise MappingError(
                f"unknown field {name!r} for a roster (fields: {', '.join(sorted(roster_fields))})"
            )
        if source(path) is None:
            known = ", ".join([*_FIXED, "Patient.identifier:<type>", "Coverage.identifier:<type>"])
            raise MappingError(
                f"{path!r} (for {name!r}) is not a FHIR path an attribution list is read from "
                f"(known: {known}, Coverage.class:<type>)"
            )
