"""A saved layout of a fixed-width payer file (SPEC §6): where each field sits on a line,
which lines are data, and the JSON it is saved as (``pmpm … import --layout FILE.json``, or
set once per payer in the wizard over a ruler of the file's first lines)."""

from __future__ import annotations

import json
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

from pmpm_desktop.io.fields import fields as kind_fields
from pmpm_desktop.io.fields import label, with_article
from pmpm_desktop.io.options import FileKind

_KEYS = ("kind", "fields", "record_prefix", "skip_lines")
_KIND_WORDS = {
    "roster": FileKind.ROSTER,
    "statement": FileKind.STATEMENT,
    "remittance": FileKind.STATEMENT,
    "payment statement": FileKind.STATEMENT,
}
_JSON_KIND = {FileKind.ROSTER: "roster", FileKind.STATEMENT: "statement"}


class LayoutError(ValueError):
    """A layout that cannot be used; the message says what is wrong in one sentence."""


@dataclass(frozen=True)
class FixedLayout:
    """Where each field of a fixed-width roster or statement sits on a line.

    ``fields`` maps a field name (``member_id``, ``dob``, ``amount``…) to ``(start, length)``
    with ``start`` counted from 1. Only lines starting with ``record_prefix`` (when given) are
    data; the first ``skip_lines`` lines are never data. A bad layout raises LayoutError.
    """

    kind: FileKind
    fields: Mapping[str, tuple[int, int]] = field(default_factory=dict)
    record_prefix: str | None = None
    skip_lines: int = 0

    def __post_init__(self) -> None:
        object.__setattr__(self, "fields", dict(self.fields))
        _check(self)

    def __hash__(self) -> int:
        return hash((self.kind, tuple(self.fields.items()), self.record_prefix, self.skip_lines))

    @classmethod
    def from_json(cls, data: str | Mapping[str, Any], kind: FileKind | None = None) -> FixedLayout:
        """A layout from its JSON text or object:
        ``{"kind": "roster", "fields": {"member_id": {"start": 1, "length": 12}, …},
        "record_prefix": "D", "skip_lines": 1}`` (``end``, inclusive, may replace ``length``).

        Also taken as record layouts are written by hand: a field as ``[start, length]``,
        ``fields`` as a list of ``{"field": "member_id", "start": 1, "length": 12}``, field
        names in any case with spaces; without a ``kind``, ``kind`` (the command's) is used."""
        if isinstance(data, str):
            try:
                data = json.loads(data)
            except json.JSONDecodeError as exc:
                raise LayoutError(
                    f"the layout is not JSON: {exc.msg} at line {exc.lineno}, column {exc.colno}"
                ) from None
        if not isinstance(data, Mapping):
            raise LayoutError("the layout is a JSON object with a kind and its fields")
        unknown = [k for k in data if k not in _KEYS]
        if unknown:
            raise LayoutError(
                f"unknown key {unknown[0]!r} in the layout (expected {', '.join(_KEYS)})"
            )
        kind_word = data.get("kind")
        if kind_word is None and kind is None:
            raise LayoutError("the layout has no kind (roster or statement)")
        if kind_word is not None:
            kind = _KIND_WORDS.get(str(kind_word).strip().lower())
            if kind is None:
                raise LayoutError(
                    f"kind {kind_word!r} is not one a layout reads: roster or statement"
                )
        assert kind is not None
        raw_fields = _field_map(data.get("fields"))
        prefix = data.get("record_prefix")
        if prefix is not None and not isinstance(prefix, str):
            raise LayoutError(f"record_prefix {prefix!r} is not text")
        skip = data.get("skip_lines", 0)
        if not _is_int(skip):
            raise LayoutError(f"skip_lines {skip!r} is not a whole number")
        spans = {_name(name): _span(_name(name), spec) for name, spec in raw_fields.items()}
        return cls(kind, spans, record_prefix=prefix or None, skip_lines=skip)

    def to_json(self) -> dict[str, Any]:
        """The layout as the JSON object :meth:`from_json` reads."""
        out: dict[str, Any] = {
            "kind": _JSON_KIND[self.kind],
            "fields": {n: {"start": s, "length": n_} for n, (s, n_) in self.fields.items()},
        }
        if self.record_prefix is not None:
            out["record_prefix"] = self.record_prefix
        if self.skip_lines:
            out["skip_lines"] = self.skip_lines
        return out

    def columns(self, name: str) -> str:
        """Where a field sits, as a ruler shows it: ``40–47``."""
        start, length = self.fields[name]
        return f"{start}–{start + length - 1}"

    def describe(self) -> str:
        """``roster: member_id 1–12, dob 40–47``."""
        spans = ", ".join(f"{n} {self.columns(n)}" for n in self.fields)
        return f"{self.kind.label}: {spans}"


def _field_map(raw: object) -> Mapping[str, object]:
    """``fields`` as a mapping of field → span, from a mapping or a list of field objects."""
    if isinstance(raw, list) and raw:
        out: dict[str, object] = {}
        for item in raw:
            name = item.get("field", item.get("name")) if isinstance(item, Mapping) else None
            if not isinstance(name, str):
                raise LayoutError(
                    'each field of the list needs its name: {"field": "member_id", "start": 1, '
                    '"length": 12}'
                )
            out[name] = item
        return out
    if not isinstance(raw, Mapping) or not raw:
        raise LayoutError('the layout has no fields (expected "fields": {"member_id": …})')
    return raw


def _name(name: object) -> str:
    """``Member ID`` → ``member_id``: a field name as a person may write it."""
    return "_".join(str(name).strip().lower().replace("-", " ").split())


def _is_int(value: object) -> bool:
    return isinstance(value, int) and not isinstance(value, bool)


def _span(name: str, spec: object) -> tuple[int, int]:
    shape = f'field {name}: expected {{"start": N, "length": N}}'
    if isinstance(spec, list | tuple) and len(spec) == 2:
        spec = {"start": spec[0], "length": spec[1]}
    if isinstance(spec, Mapping) and "length" not in spec and "width" in spec:
        spec = {**spec, "length": spec["width"]}
    if not isinstance(spec, Mapping) or "start" not in spec:
        raise LayoutError(shape)
    start, length, end = spec.get("start"), spec.get("length"), spec.get("end")
    if not _is_int(start) or (length is not None and not _is_int(length)):
        raise LayoutError(shape + " with whole numbers")
    assert isinstance(start, int)
    if end is not None:
        if not _is_int(end):
            raise LayoutError(shape + " with whole numbers")
        assert isinstance(end, int)
        from_end = end - start + 1
        if length is not None and length != from_end:
            raise LayoutError(
                f"field {name}: length {length} does not match columns {start}–{end} "
                f"({from_end} characters)"
            )
        length = from_end
    if length is None:
        raise LayoutError(shape)
    assert isinstance(length, int)
    return start, length


def _check_place(name: str, start: int, length: int) -> None:
    if not _is_int(start) or not _is_int(length):
        raise LayoutError(f"field {name}: start and length are whole numbers")
    if start < 1:
        raise LayoutError(f"field {name} starts at column {start}: columns count from 1")
    if length < 1:
        raise LayoutError(f"field {name} is {length} characters long: at least 1")


def _check(layout: FixedLayout) -> None:
    kind = layout.kind
    if kind not in _JSON_KIND:
        raise LayoutError(f"a layout reads a roster or a payment statement, not {kind.label}s")
    known = [f.name for f in kind_fields(kind.value)]
    if not layout.fields:
        raise LayoutError("the layout has no fields")
    for name, (start, length) in layout.fields.items():
        if name not in known:
            raise LayoutError(
                f"unknown field {name!r} for {with_article(kind.label)} layout "
                f"(fields: {', '.join(known)})"
            )
        _check_place(name, start, length)
    ordered = sorted(layout.fields.items(), key=lambda item: item[1])
    for (a, (sa, la)), (b, (sb, lb)) in zip(ordered, ordered[1:], strict=False):
        if sb <= sa + la - 1:
            raise LayoutError(
                f"fields {a} (columns {sa}–{sa + la - 1}) and {b} (columns {sb}–{sb + lb - 1}) "
                "overlap"
            )
    needed = ["member_id"] + (["amount"] if kind is FileKind.STATEMENT else [])
    for name in needed:
        if name not in layout.fields:
            raise LayoutError(
                f"the layout has no {name} field: every line of {with_article(kind.label)} "
                f"needs its {label(name)}"
            )
    if layout.record_prefix == "":
        raise LayoutError("record_prefix is empty: leave it out to read every line")
    if not _is_int(layout.skip_lines) or layout.skip_lines < 0:
        raise LayoutError(f"skip_lines is {layout.skip_lines}: lines to skip, 0 or more")
