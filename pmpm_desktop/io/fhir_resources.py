"""FHIR JSON as payers export it: one resource, a Bundle, or NDJSON (a resource a line, as a
bulk export writes), with the resources a Group points at found by reference, in the file or
in the export files beside it (found by their content, never by their names).

Only what an attribution list needs is kept: the Group, and the Patient, Coverage and provider
resources it references. JSON that cannot be parsed is a :class:`FileReadError` naming the line
and column; no message quotes a value (they are member data).
"""

from __future__ import annotations

import hashlib
import json
import re
from collections import Counter
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from pmpm_desktop.io.read_errors import FileReadError

JsonObject = dict[str, Any]

_BOM = b"\xef\xbb\xbf"
#: resources an attribution list's members point at; anything else in a file is ignored
JOINED_TYPES = ("Patient", "Coverage", "Practitioner", "PractitionerRole", "Organization")
PROVIDER_TYPES = frozenset({"Practitioner", "PractitionerRole", "Organization"})
#: a folder may hold years of exports: look at this many files beside the Group at most…
MAX_SIBLING_FILES = 200
#: …and at this many bytes of each to see what it holds
SNIFF_BYTES = 64 * 1024
_SIBLING_SUFFIXES = (".ndjson", ".json", ".jsonl")
#: NDJSON lines parsed at once: memory stays bounded, the parse stays one call per chunk
CHUNK_LINES = 5000
# The elements io.fhir_sources reads, by resource type: the rest of a resource (narrative,
# addresses, telecom, extensions) is dropped as it is joined; a real export's Patient is
# mostly the rest.
_KEPT = {
    "Patient": ("resourceType", "id", "identifier", "name", "birthDate", "gender"),
    "Coverage": (
        "resourceType",
        "id",
        "status",
        "beneficiary",
        "subscriberId",
        "dependent",
        "identifier",
        "type",
        "class",
        "period",
    ),
    **{
        kind: ("resourceType", "id", "identifier", "name", "practitioner")
        for kind in ("Practitioner", "PractitionerRole", "Organization")
    },
}
# A JSON string, or a bracket: enough to know how deep each "resourceType" sits in a head
# that may end mid-file.
_TOKEN = re.compile(r'"(?:[^"\\]|\\.)*"|[{}\[\]]')
_TYPE_VALUE = re.compile(r'\s*:\s*"([A-Za-z]+)"')
# a Bundle's entry resources: { entry [ { resource {
_ENTRY_DEPTH = 4


def _decode(name: str, data: bytes) -> str:
    if data.startswith(_BOM):
        data = data[len(_BOM) :]
    try:
        return data.decode("utf-8")
    except UnicodeDecodeError as exc:
        line = data.count(b"\n", 0, exc.start) + 1
        column = exc.start - data.rfind(b"\n", 0, exc.start)
        raise FileReadError(
            f"{name} is not UTF-8 text: line {line}, column {column} (FHIR JSON is UTF-8)"
        ) from None


def resource_types(text: str) -> list[tuple[int, str]]:
    """(depth, resourceType) of every resource whose type is written in ``text`` (which may
    stop anywhere): depth 1 is the top level, a Bundle entry's resource is at depth 4."""
    found = []
    depth = 0
    for m in _TOKEN.finditer(text):
        token = m.group()
        if token in "{[":
            depth += 1
        elif token in "}]":
            depth -= 1
        elif token == '"resourceType"' and (t := _TYPE_VALUE.match(text, m.end())):
            found.append((depth, t[1]))
    return found


def top_type(head: bytes) -> tuple[str | None, list[tuple[int, str]]]:
    """The top-level resourceType of a JSON or NDJSON file from its first bytes (None when
    none is seen: not JSON, or not a resource), and every resource type seen with its depth."""
    if head.startswith(_BOM):
        head = head[len(_BOM) :]
    text = head.decode("utf-8", errors="replace").lstrip()
    if not text.startswith("{"):
        return None, []
    types = resource_types(text)
    return next((t for d, t in types if d == 1), None), types


def _is_whole_object(line: str) -> bool:
    try:
        return isinstance(json.loads(line), dict)
    except ValueError:
        return False


def parse_json_file(name: str, data: bytes) -> list[Any]:
    """The JSON values of a file: one for a JSON file, one a line for NDJSON.

    FileReadError for text that is neither, naming the line and column of the first fault."""
    text = _decode(name, data)
    try:
        return [json.loads(text)]
    except json.JSONDecodeError as exc:
        # the fault's place only: an exception kept would hold this frame (and every value
        # parsed here) in a reference cycle
        fault = (exc.msg, exc.lineno, exc.colno)
    filled = [(i, line) for i, line in enumerate(text.splitlines(), 1) if line.strip()]
    # NDJSON only when its first line is a whole object: a JSON file with an extra brace
    # keeps the error JSON gives it.
    if fault[0] != "Extra data" or not filled or not _is_whole_object(filled[0][1]):
        raise _invalid(name, *fault)
    values: list[Any] | None = None
    try:
        # One parse of the lines as an array is faster than a parse per line.
        values = json.loads("[" + ",".join(line for _, line in filled) + "]")
    except json.JSONDecodeError:
        pass
    if isinstance(values, list) and len(values) == len(filled):
        return values
    values = []
    for number, line in filled:
        try:
            values.append(json.loads(line))
        except json.JSONDecodeError as exc:
            fault = (exc.msg, number, exc.colno)
            break
    else:
        return values
    raise _invalid(name, *fault)


def _invalid(name: str, reason: str, line: int, column: int) -> FileReadError:
    return FileReadError(f"{name} is not valid JSON: line {line}, column {column}: {reason}")


def file_values(path: Path, digest: Any) -> Iterator[Any]:
    """The JSON values of a file beside the Group, fed to ``digest`` (a hashlib object) as
    read. NDJSON is parsed CHUNK_LINES lines at a time, so a bulk export of any size needs
    little more memory than the resources kept from it."""
    with path.open("rb") as handle:
        seen: list[bytes] = []
        for raw in handle:
            digest.update(raw)
            seen.append(raw)
            if raw.strip():
                break
        first = seen[-1] if seen else b""
        if not _is_whole_object(first.removeprefix(_BOM).decode("utf-8", errors="replace")):
            rest = handle.read()
            digest.update(rest)
            yield from parse_json_file(path.name, b"".join(seen) + rest)
            return
        chunk = [(len(seen), first.removeprefix(_BOM))]
        for number, raw in enumerate(handle, len(seen) + 1):
            digest.update(raw)
            if raw.strip():
                chunk.append((number, raw))
            if len(chunk) >= CHUNK_LINES:
                yield from _ndjson_chunk(path.name, chunk)
                chunk = []
        yield from _ndjson_chunk(path.name, chunk)


def _ndjson_chunk(name: str, chunk: list[tuple[int, bytes]]) -> list[Any]:
    lines = []
    for number, raw in chunk:
        try:
            lines.append(raw.decode("utf-8"))
        except UnicodeDecodeError as exc:
            raise FileReadError(
                f"{name} is not UTF-8 text: line {number}, column {exc.start + 1} "
                "(FHIR JSON is UTF-8)"
            ) from None
    values: list[Any] | None = None
    try:
        values = json.loads("[" + ",".join(lines) + "]")
    except json.JSONDecodeError:
        pass
    if isinstance(values, list) and len(values) == len(lines):
        return values
    for (number, _), line in zip(chunk, lines, strict=True):
        try:
            json.loads(line)
        except json.JSONDecodeError as exc:
            fault = (exc.msg, number, exc.colno)
            break
    else:
        return [json.loads(line) for line in lines]  # a line holding two values: each taken
    raise _invalid(name, *fault)


def reference_key(reference: str) -> str:
    """``Type/id`` of a literal reference, whether relative, absolute or versioned
    (``https://payer.example/fhir/Patient/7/_history/2`` → ``Patient/7``); other references
    (``urn:uuid:…``, ``#contained``) as written."""
    if reference.count("/") == 1 or reference.startswith(("urn:", "#")):
        return reference
    parts = reference.rstrip("/").split("/")
    if len(parts) >= 4 and parts[-2] == "_history":
        parts = parts[:-2]
    return "/".join(parts[-2:]) if len(parts) >= 2 else reference


@dataclass(frozen=True)
class JoinedFile:
    """An export file beside the Group whose resources were joined."""

    name: str
    #: resource type → how many were taken from it
    counts: Counter[str]
    sha256: str


@dataclass
class Resources:
    """Joined resources by reference key, and where they came from."""

    by_key: dict[str, JsonObject] = field(default_factory=dict)
    #: Coverage resources by their beneficiary's key (for members without coverageReference)
    coverage_of: dict[str, list[JsonObject]] = field(default_factory=dict)
    #: resource type → count of the resources in the Group's own file (a Bundle's entries)
    own: Counter[str] = field(default_factory=Counter)
    joined: list[JoinedFile] = field(default_factory=list)
    #: how many files beside the Group were not looked at (over MAX_SIBLING_FILES)
    unexamined: int = 0

    def add(self, resource: JsonObject, full_url: str | None = None) -> bool:
        kind, rid = resource.get("resourceType"), resource.get("id")
        if kind not in JOINED_TYPES or not isinstance(rid, str):
            return False
        key = f"{kind}/{rid}"
        if key in self.by_key:
            return False  # the Group's own file, then files in name order: the first wins
        resource = {k: resource[k] for k in _KEPT[kind] if k in resource}
        self.by_key[key] = resource
        if isinstance(full_url, str) and full_url:
            self.by_key.setdefault(full_url, resource)
        if kind == "Coverage":
            beneficiary = resource.get("beneficiary")
            ref = beneficiary.get("reference") if isinstance(beneficiary, dict) else None
            if isinstance(ref, str):
                self.coverage_of.setdefault(reference_key(ref), []).append(resource)
        return True

    def add_all(self, values: Iterable[Any]) -> Counter[str]:
        """Add the resources of ``values`` (resources or Bundles of them); counts by type."""
        counts: Counter[str] = Counter()
        for value in values:
            if not isinstance(value, dict):
                continue
            if value.get("resourceType") == "Bundle":
                for entry in value.get("entry") or ():
                    if isinstance(entry, dict) and isinstance(entry.get("resource"), dict):
                        if self.add(entry["resource"], entry.get("fullUrl")):
                            counts[entry["resource"]["resourceType"]] += 1
            elif self.add(value):
                counts[value["resourceType"]] += 1
        return counts

    def resolve(self, reference: object) -> JsonObject | None:
        """The resource a Reference's ``reference`` names, when it is here."""
        ref = reference.get("reference") if isinstance(reference, dict) else None
        if not isinstance(ref, str):
            return None
        return self.by_key.get(ref) or self.by_key.get(reference_key(ref))

    def join_siblings(self, group_path: Path, wanted: Callable[[], set[str]]) -> None:
        """Add the resources of the export files beside ``group_path`` (in name order) whose
        first resource is of a type ``wanted()`` still names, or a Bundle holding such; stop
        when it names none."""
        try:
            beside = sorted(
                p
                for p in group_path.parent.iterdir()
                if p.suffix.lower() in _SIBLING_SUFFIXES and p.is_file() and p != group_path
            )
        except OSError:
            return
        self.unexamined = max(0, len(beside) - MAX_SIBLING_FILES)
        for path in beside[:MAX_SIBLING_FILES]:
            still = wanted()
            if not still:
                return
            try:
                with path.open("rb") as handle:
                    head = handle.read(SNIFF_BYTES)
            except OSError:
                continue
            top, types = top_type(head)
            holds = {t for d, t in types if d == _ENTRY_DEPTH} if top == "Bundle" else {top}
            if not holds & still:
                continue
            digest = hashlib.sha256()
            counts = self.add_all(file_values(path, digest))
            if counts:
                self.joined.append(JoinedFile(path.name, counts, digest.hexdigest()))
