"""The fields of each payer file kind, their column-name synonyms, and header → field mapping.

The synonyms live in ``fields.json`` so they can grow without touching code. Matching ignores
case, spaces and punctuation (``Mbr. ID`` is ``MBR ID``); ``#`` reads as "number".
"""

from __future__ import annotations

import json
import re
from collections.abc import Sequence
from dataclasses import dataclass
from functools import cache
from importlib import resources

from pmpm_desktop.io.table import FileReadError

KINDS = ("roster", "remittance", "rates")
# Loose (prefix/suffix) matching only for synonyms this long: short ones like "ID" or "To"
# would otherwise claim unrelated columns ("PCP ID", "Paid To").
_MIN_LOOSE = 5
_NON_ALNUM = re.compile(r"[^0-9a-z]+")


class MappingError(FileReadError):
    """A required field has no column, or a ``--map`` override names an unknown field/column."""


@dataclass(frozen=True)
class Field:
    name: str
    required: bool
    synonyms: tuple[str, ...]
    keys: tuple[str, ...]  # normalized synonyms, same order


def normalize_header(text: str) -> str:
    """``Member #`` → ``membernumber``; ``Mbr. ID`` → ``mbrid``."""
    return _NON_ALNUM.sub("", text.lower().replace("#", "number").replace("&", "and"))


@cache
def fields(kind: str) -> tuple[Field, ...]:
    """The fields of a file kind, in the order of fields.json."""
    if kind not in KINDS:
        raise ValueError(f"unknown file kind {kind!r} (expected one of {', '.join(KINDS)})")
    raw = json.loads(resources.files("pmpm_desktop.io").joinpath("fields.json").read_text("utf-8"))
    return tuple(
        Field(
            name=name,
            required=bool(spec["required"]),
            synonyms=tuple(spec["synonyms"]),
            keys=tuple(normalize_header(s) for s in spec["synonyms"]),
        )
        for name, spec in raw[kind].items()
    )


def score_header(kind: str, cells: Sequence[str | None]) -> int:
    """How much a row looks like this kind's header: 2 per field named exactly by a synonym,
    1 per field named loosely. Title and data rows score 0 or close to it."""
    headers = [c for c in cells if c]
    exact, loose = _detect(kind, headers)
    return 2 * len(exact) + len(loose)


def _detect(kind: str, headers: Sequence[str]) -> tuple[dict[str, str], dict[str, str]]:
    """(exact, loose) field → header; each header used once, exact matches first."""
    normalized = [(h, normalize_header(h)) for h in headers]
    used: set[str] = set()
    exact: dict[str, str] = {}
    for field in fields(kind):
        # The best synonym (earliest in the list) wins; leftmost header on ties.
        best: tuple[int, str] | None = None
        for header, key in normalized:
            if header in used or key not in field.keys:
                continue
            rank = field.keys.index(key)
            if best is None or rank < best[0]:
                best = (rank, header)
        if best is not None:
            exact[field.name] = best[1]
            used.add(best[1])
    loose: dict[str, str] = {}
    for field in fields(kind):
        if field.name in exact:
            continue
        candidates = [
            (len(k), header)
            for header, key in normalized
            if header not in used
            for k in field.keys
            if len(k) >= _MIN_LOOSE and key != k and (key.startswith(k) or key.endswith(k))
        ]
        if candidates:
            header = max(candidates, key=lambda c: c[0])[1]
            loose[field.name] = header
            used.add(header)
    return exact, loose


def _looked_for(field: Field, limit: int = 8) -> str:
    shown = ", ".join(field.synonyms[:limit])
    return shown + (", …" if len(field.synonyms) > limit else "")


def _find_column(column: str, headers: Sequence[str]) -> str | None:
    if column in headers:
        return column
    key = normalize_header(column)
    matches = [h for h in headers if normalize_header(h) == key]
    return matches[0] if len(matches) == 1 else None


def map_columns(
    kind: str, headers: Sequence[str], overrides: dict[str, str] | None = None
) -> dict[str, str]:
    """field → header for every field found; ``overrides`` (``--map FIELD=COLUMN``) win.

    Raises MappingError for an unknown field or column in an override, or a required field
    left without a column.
    """
    by_name = {f.name: f for f in fields(kind)}
    columns = ", ".join(repr(h) for h in headers)
    chosen: dict[str, str] = {}
    for field, column in (overrides or {}).items():
        if field not in by_name:
            raise MappingError(
                f"unknown field {field!r} for a {kind} file (fields: {', '.join(by_name)})"
            )
        header = _find_column(column, headers)
        if header is None:
            raise MappingError(
                f"no column {column!r} (for {field!r}) in the file (its columns: {columns})"
            )
        chosen[field] = header
    taken = set(chosen.values())
    free = [h for h in headers if h not in taken]
    exact, loose = _detect(kind, free)
    for name, header in {**loose, **exact}.items():
        chosen.setdefault(name, header)
    for spec in fields(kind):
        if spec.required and spec.name not in chosen:
            raise MappingError(
                f"no column for {spec.name!r} (looked for: {_looked_for(spec)}); "
                f"the file's columns: {columns}. Name it with --map {spec.name}=COLUMN"
            )
    # Field order of fields.json, so saved profiles and messages read the same every time.
    return {f.name: chosen[f.name] for f in fields(kind) if f.name in chosen}
