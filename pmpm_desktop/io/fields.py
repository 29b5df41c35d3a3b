"""The fields of each payer file kind, their column-name synonyms, and header → field mapping.

The synonyms live in ``fields.json`` so they can grow without touching code. Matching ignores
case, spaces and punctuation (``Mbr. ID`` is ``MBR ID``); ``#`` reads as "number", and the
dictionary's abbreviations are read as the words they stand for (``Mbr Eff Dt`` is
``Member Effective Date``). When two columns could hold the same field, their values decide
(member IDs vs 10-digit NPIs, birth dates vs coverage dates, amounts vs counts):
see ``io.detect``.
"""

from __future__ import annotations

import json
import re
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from functools import cache, lru_cache
from importlib import resources
from typing import Any

from pmpm_desktop.io.detect import (
    ColumnProfile,
    FieldChoice,
    RowAssessment,
    profile,
    value_fit,
)
from pmpm_desktop.io.layout import value_like
from pmpm_desktop.io.options import FileKind
from pmpm_desktop.io.read_errors import some_names
from pmpm_desktop.io.table import VALUE_SAMPLE_ROWS, FileReadError

KINDS: tuple[FileKind, ...] = tuple(FileKind)
# Loose (prefix/suffix) matching only for synonyms this long: short ones like "ID" or "To"
# would otherwise claim unrelated columns ("PCP ID", "Paid To").
_MIN_LOOSE = 6
_NON_ALNUM = re.compile(r"[^0-9a-z]+")
_CAMEL = re.compile(r"(?<=[a-z])(?=[A-Z])")
_UNIQUE_SUFFIX = re.compile(r"\s+\(\d+\)$")
# How many rows under a header the values are judged on.
SAMPLE_ROWS = VALUE_SAMPLE_ROWS
# A generic column name (``Date``, ``Amount``, ``ID``…) names a field only through its values.
_TYPE_WORDS: dict[str, tuple[str, ...]] = {
    "date": ("birth_date", "coverage_date", "month"),
    "month": ("month",),
    "period": ("month",),
    "amount": ("money",),
    "paid": ("money",),
    "payment": ("money",),
    "id": ("member_id",),
    "identifier": ("member_id",),
    "name": ("name", "full_name"),
    "gender": ("sex",),
    "sex": ("sex",),
    "age": ("age",),
}
# Headers that name only the person (SPEC §6): the values say whether the column holds IDs
# or names. English and the languages payers' exports come in.
_ENTITY_WORDS = frozenset(
    "member patient enrollee recipient subscriber beneficiary insured participant client "
    "cardholder mitglied versicherter versicherte patientin afiliado miembro paciente "
    "beneficiario asegurado derechohabiente membre assure adherent beneficiaire".split()
)
# Words naming someone or something other than the member: such a column is never the
# member's ID or name by its values alone.
_OTHER_ENTITIES = frozenset(
    "provider pcp physician doctor dr plan product group employer payer clinic practice "
    "facility site office npi program prescriber arzt medico proveedor".split()
)
_WEAK_NAME = 0.3
_MIN_FIT_WEAK = 0.6
_MIN_PAIR = 0.12


# Fields a section title may give the rows below it (SPEC §6 "Report layouts").
SECTION_FIELDS = frozenset({"product", "rate_cell", "pcp", "coverage_month", "line_type"})


class MappingError(FileReadError):
    """A required field has no column, or a ``--map`` override names an unknown field/column."""


@dataclass(frozen=True)
class Field:
    name: str
    required: bool
    synonyms: tuple[str, ...]
    keys: tuple[str, ...]  # normalized synonyms, same order
    values: str = "text"  # what its cells hold (io.detect.value_fit)
    canon: tuple[str, ...] = ()  # synonyms with abbreviations spelled out, same order


def normalize_header(text: str) -> str:
    """``Member #`` → ``membernumber``; ``Mbr. ID`` → ``mbrid``."""
    return _NON_ALNUM.sub("", text.lower().replace("#", "number").replace("&", "and"))


@cache
def _dictionary() -> dict[str, Any]:
    text = resources.files("pmpm_desktop.io").joinpath("fields.json").read_text("utf-8")
    data: dict[str, Any] = json.loads(text)
    return data


@cache
def _abbreviations() -> dict[str, str]:
    return {k: v for k, v in _dictionary().get("abbreviations", {}).items()}


def words(text: str) -> tuple[str, ...]:
    """A header's words, abbreviations spelled out: ``MbrEffDt`` → (member, effective, date)."""
    text = _CAMEL.sub(" ", text.replace("#", " number ").replace("&", " and "))
    abbreviations = _abbreviations()
    out: list[str] = []
    for token in re.findall(r"[a-z0-9]+", text.lower()):
        out.extend(abbreviations.get(token, token).split())
    return tuple(out)


def canonical(text: str) -> str:
    return "".join(words(text))


@cache
def fields(kind: str) -> tuple[Field, ...]:
    """The fields of a file kind, in the order of fields.json."""
    if kind not in KINDS:
        raise ValueError(f"unknown file kind {kind!r} (expected one of {', '.join(KINDS)})")
    return tuple(
        Field(
            name=name,
            required=bool(spec["required"]),
            synonyms=tuple(spec["synonyms"]),
            keys=tuple(normalize_header(s) for s in spec["synonyms"]),
            values=str(spec.get("values", "text")),
            canon=tuple(canonical(s) for s in spec["synonyms"]),
        )
        for name, spec in _dictionary()[kind].items()
    )


@cache
def _index(kind: str) -> tuple[dict[str, dict[str, int]], dict[frozenset[str], dict[str, int]]]:
    """key → {field: rank of its best synonym}; and the same by set of words."""
    by_key: dict[str, dict[str, int]] = {}
    by_words: dict[frozenset[str], dict[str, int]] = {}
    for f in fields(kind):
        for rank, (key, canon, synonym) in enumerate(zip(f.keys, f.canon, f.synonyms, strict=True)):
            for k in (key, canon):
                by_key.setdefault(k, {}).setdefault(f.name, rank)
            by_words.setdefault(frozenset(words(synonym)), {}).setdefault(f.name, rank)
    return by_key, by_words


@cache
def _synonym_words(kind: str, field: str) -> tuple[tuple[str, ...], ...]:
    spec = next(f for f in fields(kind) if f.name == field)
    return tuple(words(s) for s in spec.synonyms)


@lru_cache(maxsize=8192)
def name_matches(kind: str, header: str) -> tuple[tuple[str, float, str], ...]:
    """(field, 0..1 name score, how) for each field ``header`` could name.

    1.0 for a field's first synonym, a little less for later ones (so ``Member ID`` beats
    ``Subscriber ID`` when both are present); 0.9 for the same words in another order; about
    0.6–0.9 for a synonym that starts or ends the header (``Member ID (9 digits)``); 0.3 for a
    generic word such as ``Date`` that only the values can turn into a field.
    """
    header = _UNIQUE_SUFFIX.sub("", header).strip()
    if not header or len(header) > 80:
        return ()
    key, canon, tokens = normalize_header(header), canonical(header), words(header)
    if not canon:
        return ()
    found: dict[str, tuple[float, str]] = {}

    def offer(field: str, score: float, how: str) -> None:
        if score > found.get(field, (0.0, ""))[0]:
            found[field] = (score, how)

    for field, score in _synonym_scores(kind, key, canon, tokens):
        offer(field, score, "name")
    if not any(score >= 0.9 for score, _ in found.values()):
        for f in fields(kind):
            best = _partial_length(kind, f, canon, tokens)
            if best:
                offer(f.name, 0.55 + 0.35 * best / len(canon), "partial name")
    weak = _weak_values(tokens)
    for f in fields(kind):
        if f.values in weak:
            offer(f.name, _WEAK_NAME, "values")
    order = {f.name: i for i, f in enumerate(fields(kind))}
    return tuple(
        (name, round(score, 4), how)
        for name, (score, how) in sorted(found.items(), key=lambda kv: order[kv[0]])
    )


def _synonym_scores(
    kind: str, key: str, canon: str, tokens: tuple[str, ...]
) -> list[tuple[str, float]]:
    """(field, score) for each synonym the header is, as written or word for word in another
    order; a field's later synonyms score a little less."""
    by_key, by_words = _index(kind)
    sizes = {f.name: len(f.synonyms) for f in fields(kind)}
    scores = [
        (field, 1.0 - 0.1 * rank / sizes[field])
        for k in (key, canon)
        for field, rank in by_key.get(k, {}).items()
    ]
    for field, rank in by_words.get(frozenset(tokens), {}).items():
        scores.append((field, 0.9 - 0.05 * rank / sizes[field]))
    return scores


def _partial_length(kind: str, f: Field, canon: str, tokens: tuple[str, ...]) -> int:
    """The length of ``f``'s longest synonym that starts or ends the header, word for word
    ("Member ID (9 digits)", not "Disenroll Date" for "Enroll Date"); letter for letter only
    in run-together headers ("MEMBERIDNUMBER"). 0 when none does."""
    best = 0
    for syn, syn_words in zip(f.canon, _synonym_words(kind, f.name), strict=True):
        n = len(syn_words)
        if len(syn) < _MIN_LOOSE or syn == canon:
            continue
        if len(tokens) > 1:
            hit = n < len(tokens) and syn_words in (tokens[:n], tokens[-n:])
        else:
            hit = canon.startswith(syn) or canon.endswith(syn)
        if hit:
            best = max(best, len(syn))
    return best


def _weak_values(tokens: tuple[str, ...]) -> set[str]:
    """The kinds of values a generic header (``Date``, ``Member``) may name: only the
    column's values can make it one of those fields."""
    weak = {v for t in tokens for v in _TYPE_WORDS.get(t, ())}
    if "number" in tokens and len(tokens) <= 2:
        weak.add("member_id")
    if len(tokens) <= 2 and any(t in _ENTITY_WORDS for t in tokens):
        # "Member", "Patient", "Mitglied": the member's ID or name, whichever its values are.
        weak |= {"member_id", "full_name"}
    if any(t in _OTHER_ENTITIES for t in tokens):
        weak.clear()  # "Provider Name" is no member's name, whatever its values look like
    return weak


def score_header(kind: str, cells: Sequence[str | None]) -> int:
    """How much a row looks like this kind's header by names alone: 2 per field named by a
    synonym, 1 per field named partly. Title and data rows score 0 or close to it."""
    best: dict[str, float] = {}
    for cell in cells:
        if cell:
            for field, score, how in name_matches(kind, cell):
                if how != "values":
                    best[field] = max(best.get(field, 0.0), score)
    return sum(2 if s >= 0.9 else 1 for s in best.values())


def choose_fields(
    kind: str,
    headers: Sequence[str | None],
    columns: Sequence[Sequence[str | None]] | None = None,
    fixed: Mapping[str, str] | None = None,
) -> tuple[float, list[FieldChoice]]:
    """(row score, one choice per field found) for a header row.

    ``columns[i]`` holds sample cells of column i (the rows under the header); ``fixed``
    (field → header) are taken as given and their columns are not offered to other fields.
    """
    spec = {f.name: f for f in fields(kind)}
    order = {f.name: i for i, f in enumerate(fields(kind))}
    taken = set((fixed or {}).values())
    profiles: dict[int, ColumnProfile] = {}

    def column_profile(i: int) -> ColumnProfile:
        if i not in profiles:
            cells = columns[i] if columns is not None and i < len(columns) else ()
            profiles[i] = profile(cells)
        return profiles[i]

    profiles_of = column_profile if columns is not None else None
    pairs = _pairs(kind, headers, taken, fixed or {}, profiles_of)
    chosen: dict[str, tuple[float, int, str]] = {}
    used: set[int] = set()
    for pair, field_index, i, how in pairs:
        name = fields(kind)[field_index].name
        if name in chosen or i in used:
            continue
        chosen[name] = (pair, i, how)
        used.add(i)
    if columns is not None:
        _required_by_values(kind, headers, column_profile, chosen, used, taken, fixed or {})
    choices: list[FieldChoice] = []
    score = 0.0
    for name, column in (fixed or {}).items():
        choices.append(FieldChoice(name, column, 1.0, "given"))
    for name, (pair, i, how) in chosen.items():
        rival = max(
            (
                p[0]
                for p in pairs
                if p[1] == order[name] and p[2] != i and (how == "values" or p[3] != "values")
            ),
            default=0.0,
        )
        confidence = max(0.0, pair - 0.5 * rival)
        weight = (2.0 if spec[name].required else 1.0) * (0.5 if how == "values" else 1.0)
        score += weight * pair
        choices.append(FieldChoice(name, str(headers[i]), round(confidence, 3), how))
    choices.sort(key=lambda c: order[c.field])
    return round(score, 4), choices


def _pairs(
    kind: str,
    headers: Sequence[str | None],
    taken: set[str],
    fixed: Mapping[str, str],
    column_profile: Callable[[int], ColumnProfile] | None,
) -> list[tuple[float, int, int, str]]:
    """(score, field's place, column, how) for every field a header may name, best first;
    without ``column_profile`` (no sample values) every column's values fit moderately."""
    spec = {f.name: f for f in fields(kind)}
    order = {f.name: i for i, f in enumerate(fields(kind))}
    pairs: list[tuple[float, int, int, str]] = []
    for i, header in enumerate(headers):
        if not header or header in taken:
            continue
        for field, name_score, how in name_matches(kind, header):
            if field in fixed:
                continue
            values = column_profile(i) if column_profile is not None else None
            fit = value_fit(spec[field].values, values) if values is not None else 0.7
            if how == "values" and (fit < _MIN_FIT_WEAK or values is None or values.count == 0):
                continue  # a generic name counts only through values that fit
            pair = name_score * (0.4 + 0.6 * fit)
            if pair >= _MIN_PAIR:
                pairs.append((pair, order[field], i, how))
    pairs.sort(key=lambda p: (-p[0], p[1], p[2]))
    return pairs


# Value kinds plain enough to find a required field's column by its values alone.
_PLAIN_VALUES = frozenset({"member_id", "month", "money"})
_VALUES_ALONE_FIT = 0.8
_VALUES_ALONE_MARGIN = 0.15


def _required_by_values(
    kind: str,
    headers: Sequence[str | None],
    column_profile: Callable[[int], ColumnProfile],
    chosen: dict[str, tuple[float, int, str]],
    used: set[int],
    taken: set[str],
    fixed: Mapping[str, str],
) -> None:
    """A required field no column names (a header in another language, or only the entity)
    takes the column whose values plainly are its kind of value (member IDs, months, amounts):
    the one that fits well, clearly better than any other."""
    for spec in fields(kind):
        if not spec.required or spec.name in chosen or spec.name in fixed:
            continue
        if spec.values not in _PLAIN_VALUES:
            continue
        fits = sorted(
            (
                (value_fit(spec.values, column_profile(i)), i)
                for i, header in enumerate(headers)
                if header and i not in used and header not in taken and column_profile(i).count >= 2
            ),
            reverse=True,
        )
        if not fits or fits[0][0] < _VALUES_ALONE_FIT:
            continue
        if len(fits) > 1 and fits[1][0] > fits[0][0] - _VALUES_ALONE_MARGIN:
            continue  # two columns could be it: the user says which
        fit, i = fits[0]
        chosen[spec.name] = (_WEAK_NAME * fit, i, "values")
        used.add(i)


class FieldDetector:
    """Header detection for one file kind (``io.table.read_table``'s ``detector``)."""

    def __init__(self, kind: str) -> None:
        fields(kind)  # unknown kind → ValueError now
        self.kind = kind

    def assess(
        self, header: Sequence[str | None], below: Sequence[Sequence[str | None]]
    ) -> RowAssessment:
        cells = [_clean(c) for c in header]
        # A row of labels none of which the dictionary knows (another language) may still be
        # the header, when its columns' values plainly hold every required field.
        labels = [c for c in cells if c]
        unknown_words = len(labels) >= 2 and not any(value_like(c) for c in labels)
        if not unknown_words and not any(name_matches(self.kind, c) for c in labels):
            return RowAssessment(0.0, (), False)
        width = len(cells)
        columns = [[row[i] if i < len(row) else None for row in below] for i in range(width)]
        score, choices = choose_fields(self.kind, cells, columns)
        found = {c.field for c in choices}
        complete = all(f.name in found for f in fields(self.kind) if f.required)
        if not any(c.how != "values" for c in choices) and not (unknown_words and complete):
            return RowAssessment(0.0, (), False)
        return RowAssessment(score, tuple(choices), complete)

    def section_field(self, label: str) -> str | None:
        """The field a section title names, among those a section can give its rows."""
        best = max(
            (
                (score, name)
                for name, score, how in name_matches(self.kind, label)
                if how == "name" and score >= 0.85 and name in SECTION_FIELDS
            ),
            default=None,
        )
        return best[1] if best is not None else None

    def looked_for(self) -> str:
        wanted = [f for f in fields(self.kind) if f.required]
        parts = [f"{with_article(_label(f.name))} column ({_looked_for(f, 4)})" for f in wanted]
        text = parts[0] if len(parts) == 1 else ", ".join(parts[:-1]) + " and " + parts[-1]
        others = [_label(f.name) for f in fields(self.kind) if not f.required][:4]
        if others:
            text += f", with columns such as {', '.join(others)}"
        return text


def given_values(kind: str, values: Mapping[str, str]) -> dict[str, str]:
    """The ``--set FIELD=VALUE`` values that are fields of ``kind`` (blank ones left out);
    MappingError for a name that is no field of any kind. A field of another kind is ignored:
    one set of values may serve a wizard that changes its mind about the kind."""
    known = {f.name for f in fields(kind)}
    every = {f.name for k in KINDS for f in fields(k)}
    out: dict[str, str] = {}
    for name, value in values.items():
        if name not in every:
            raise MappingError(
                f"--set {name}=…: unknown field {name!r} "
                f"(fields of a {kind} file: {', '.join(sorted(known))})"
            )
        if name in known and value is not None and str(value).strip():
            out[name] = str(value).strip()
    return out


def label(name: str) -> str:
    """A field's name in words: ``member_id`` → "member ID"."""
    return _label(name)


def _clean(cell: str | None) -> str | None:
    return " ".join(cell.split()) if cell else None


_LABELS = {"member_id": "member ID", "dob": "date of birth", "pcp": "PCP"}


_SAID_AS_WORDS = frozenset({"FHIR"})  # "a FHIR list": said "fire", not letter by letter


def with_article(noun: str) -> str:
    """ "a roster", "an amount", "an X12 EDI file": a noun as a sentence names one (a word
    in capitals is said letter by letter: "an MMR", "an HL7 list", "a CMS report")."""
    first = noun.split(" ", 1)[0]
    spelled = first not in _SAID_AS_WORDS and (first.isupper() or any(c.isdigit() for c in first))
    vowel = noun[0] in "aeiou" or (spelled and noun[0] in "AEFHILMNORSX")
    return ("an " if vowel else "a ") + noun


def _label(name: str) -> str:
    return _LABELS.get(name, name.replace("_", " "))


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
    kind: str,
    headers: Sequence[str],
    overrides: dict[str, str] | None = None,
    *,
    samples: Mapping[str, Sequence[str | None]] | None = None,
    given: Mapping[str, str] | None = None,
    require: bool = True,
) -> dict[str, str]:
    """field → header for every field found; ``overrides`` (``--map FIELD=COLUMN``) win.

    ``samples`` (header → cells under it) let values break ties between columns.
    Raises MappingError for an unknown field or column in an override, or a required field
    left without a column.
    """
    by_name = {f.name: f for f in fields(kind)}
    columns = some_names(list(headers))
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
    values = [samples.get(h, ()) for h in headers] if samples is not None else None
    _, choices = choose_fields(kind, list(headers), values, chosen)
    for choice in choices:
        if choice.field not in (given or {}):
            chosen.setdefault(choice.field, choice.column)
    if not require:
        return chosen
    return check_required(kind, headers, chosen, given=given)


def check_required(
    kind: str,
    headers: Sequence[str],
    chosen: Mapping[str, str],
    *,
    given: Mapping[str, str] | None = None,
) -> dict[str, str]:
    """``chosen`` in field order, or MappingError naming a required field with neither a column
    nor a value ``given`` for every row."""
    columns = some_names(list(headers))
    for spec in fields(kind):
        if spec.required and spec.name not in chosen and spec.name not in (given or {}):
            raise MappingError(
                f"no column for {spec.name!r} (looked for: {_looked_for(spec)}); "
                f"the file's columns: {columns}. Name it with --map {spec.name}=COLUMN, or "
                f"give its value for every row with --set {spec.name}=VALUE"
            )
    # Field order of fields.json, so saved profiles and messages read the same every time.
    return {f.name: chosen[f.name] for f in fields(kind) if f.name in chosen}
