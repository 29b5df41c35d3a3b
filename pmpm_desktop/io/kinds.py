"""What kind of payer file this is, from its columns and values (SPEC §6 "The file's kind").

A statement imported as a roster once replaced a month's real roster. Every import now weighs
the file's header as a roster, a payment statement and a rate exhibit: each kind has columns
that only it has (a roster: dates of birth, sex, eligibility dates, PCPs, risk scores; a
statement: coverage months and paid amounts, line types, payment dates; a rate exhibit: age
bands, components, rates and no member IDs). A file whose columns plainly belong to another
kind is refused before anything is written, with a sentence saying what it looks like and why.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

from pmpm_desktop.io.detect import profile, value_fit
from pmpm_desktop.io.fields import name_matches, with_article
from pmpm_desktop.io.options import FileKind
from pmpm_desktop.io.table import FileReadError, read_table

# How much a column named for a field says the file is of that kind. Fields every kind may
# have (member ID, names, rate cell in some statements, sex in rate exhibits) weigh little.
_WEIGHTS: dict[FileKind, dict[str, float]] = {
    FileKind.ROSTER: {
        "dob": 1.5,
        "sex": 1.0,
        "effective_date": 1.5,
        "term_date": 1.5,
        "pcp": 1.5,
        "risk_score": 2.0,
        "product": 1.0,
        "rate_cell": 0.5,
    },
    FileKind.STATEMENT: {
        "amount": 3.0,
        "coverage_month": 2.0,
        "coverage_end": 0.5,
        "line_type": 1.5,
        "payment_date": 1.0,
        "reference": 1.0,
    },
    FileKind.RATES: {
        "age_min": 2.0,
        "age_max": 2.0,
        "component": 2.0,
        "effective_from": 1.0,
        "effective_to": 1.0,
        "amount": 1.0,
        "sex": 0.5,
        "rate_cell": 0.5,
    },
}
# The columns a clerk would name to say why a file is of a kind.
_WORDS: dict[str, str] = {
    "dob": "dates of birth",
    "sex": "sex",
    "effective_date": "eligibility dates",
    "term_date": "eligibility dates",
    "pcp": "PCPs",
    "risk_score": "risk scores",
    "product": "products",
    "amount": "paid amounts",
    "coverage_month": "coverage months",
    "line_type": "line types",
    "payment_date": "payment dates",
    "reference": "check numbers",
    "age_min": "age bands",
    "age_max": "age bands",
    "component": "rate components",
}
_KIND_WORDS: dict[FileKind, dict[str, str]] = {
    FileKind.RATES: {"amount": "rates", "effective_date": "effective months"},
}
_STRONG = 0.85
# Evidence below this says nothing either way; a refusal also needs the other kind to weigh
# this many times the kind asked for.
_CLEAR_SCORE = 3.0
_CLEAR_RATIO = 2.5


@dataclass(frozen=True)
class KindVerdict:
    """How much a file looks like each kind. ``kind`` is the likeliest; ``clear`` says the
    evidence is strong enough to refuse a file given as another kind."""

    kind: FileKind
    scores: dict[FileKind, float]
    #: per kind, the fields its columns name (strongly), in field order
    found: dict[FileKind, tuple[str, ...]]
    has_member_ids: bool

    def looks_like(self, asked: FileKind) -> FileKind | None:
        """The kind this file plainly is when it is not ``asked``, else None."""
        own = self.scores[asked]
        best = max((k for k in FileKind if k != asked), key=lambda k: self.scores[k])
        other = self.scores[best]
        if other >= _CLEAR_SCORE and other >= _CLEAR_RATIO * max(own, 0.5):
            return best
        return None

    def reason(self, kind: FileKind) -> str:
        """Why the file looks like ``kind``: "it has coverage months and paid amounts and no
        eligibility or demographic columns"."""
        words = {**_WORDS, **_KIND_WORDS.get(kind, {})}
        has = list(dict.fromkeys(words[f] for f in self.found[kind] if f in words))
        text = f"it has {_and(has)}" if has else "its columns are those of one"
        if kind is FileKind.STATEMENT and not self.found[FileKind.ROSTER]:
            text += " and no eligibility or demographic columns"
        elif kind is FileKind.ROSTER and "amount" not in self.found[FileKind.STATEMENT]:
            text += " and no paid amounts"
        elif kind is FileKind.RATES and not self.has_member_ids:
            text += " and no member IDs"
        return text


def _and(items: list[str]) -> str:
    return items[0] if len(items) == 1 else ", ".join(items[:-1]) + " and " + items[-1]


def _holds_member_ids(header: str, cells: Sequence[str | None]) -> bool:
    """A column of member IDs by its name, or by its values when its name says nothing else
    (distinct ID-like codes, not months, not NPIs)."""
    named = name_matches(FileKind.ROSTER.value, header)
    if any(n == "member_id" and how == "name" and s >= _STRONG for n, s, how in named):
        return True
    if any(
        how == "name" and s >= _STRONG
        for kind in FileKind
        for _, s, how in name_matches(kind.value, header)
    ):
        return False
    p = profile(cells)
    return p.count >= 2 and p.month < 0.5 and p.distinct >= 0.8 and value_fit("member_id", p) >= 0.8


def assess_kind(
    headers: Sequence[str],
    columns: Sequence[Sequence[str | None]] | None = None,
    *,
    member_ids: bool = False,
) -> KindVerdict:
    """Weigh a header (and the sample cells under each column) as each kind of file;
    ``member_ids`` says the user named the member-ID column (``--map``)."""
    found: dict[FileKind, dict[str, None]] = {k: {} for k in FileKind}
    has_ids = member_ids
    for i, header in enumerate(headers):
        cells = columns[i] if columns is not None and i < len(columns) else ()
        for kind in FileKind:
            for name, score, how in name_matches(kind.value, header):
                if how == "name" and score >= _STRONG and name in _WEIGHTS[kind]:
                    found[kind].setdefault(name, None)
        has_ids = has_ids or _holds_member_ids(header, cells)
    scores: dict[FileKind, float] = {}
    for kind in FileKind:
        weight = sum(_WEIGHTS[kind][name] for name in found[kind])
        if kind is FileKind.RATES:
            # No member IDs says "rate exhibit" only beside what only rate exhibits have.
            own = {"age_min", "age_max", "component"} & set(found[kind])
            weight = weight * 0.2 if has_ids else weight + (2.0 if own else 0.0)
        elif not has_ids:
            weight *= 0.2  # rosters and statements are about members
        scores[kind] = round(weight, 3)
    best = max(FileKind, key=lambda k: scores[k])
    return KindVerdict(best, scores, {k: tuple(v) for k, v in found.items()}, has_ids)


class WrongKind(FileReadError):
    """A file given as one kind whose columns plainly say it is another."""

    def __init__(self, file_name: str, asked: FileKind, verdict: KindVerdict, is_: FileKind):
        self.asked, self.kind, self.verdict = asked, is_, verdict
        super().__init__(
            f"{file_name} was not imported as a {asked.label}: this looks like "
            f"{with_article(is_.label)}: {verdict.reason(is_)}. Nothing was written; import it as "
            f"{with_article(is_.label)} ({_COMMANDS[is_]})"
        )


_COMMANDS = {
    FileKind.ROSTER: "pmpm roster import",
    FileKind.STATEMENT: "pmpm remit import",
    FileKind.RATES: "pmpm rates import",
}


def check_kind(
    file_name: str,
    asked: FileKind,
    headers: Sequence[str],
    columns: Sequence[Sequence[str | None]] | None = None,
    *,
    member_ids: bool = False,
) -> KindVerdict:
    """The verdict on a file given as ``asked``; WrongKind when it plainly is another kind."""
    verdict = assess_kind(headers, columns, member_ids=member_ids)
    other = verdict.looks_like(asked)
    if other is not None:
        raise WrongKind(file_name, asked, verdict, other)
    return verdict


# --- the kind a file's name suggests ----------------------------------------------------------

_NAME_WORDS: dict[FileKind, tuple[str, ...]] = {
    FileKind.ROSTER: (
        "roster",
        "elig",
        "eligibility",
        "enrollment",
        "enrolment",
        "membership",
        "members",
        "attribution",
        "panel",
        "census",
        "834",
        "271",
    ),
    FileKind.STATEMENT: (
        "statement",
        "stmt",
        "remit",
        "remittance",
        "payment",
        "payments",
        "pmt",
        "paid",
        "eft",
        "check",
        "820",
        "835",
        "capitation",
        "cap",
    ),
    FileKind.RATES: ("rate", "rates", "exhibit", "schedule", "fee"),
}


def kind_from_name(file_name: str) -> FileKind | None:
    """The kind a file's name suggests (``SUN statement 2026-06.xlsx`` → statement), or None
    when it suggests none or several."""
    words = set(re.findall(r"[a-z]+|\d+", file_name.lower()))
    hits = [k for k, names in _NAME_WORDS.items() if words & set(names)]
    weak = {"cap", "capitation"}  # "capitation roster", "capitation rates"
    if len(hits) > 1 and not (words & set(_NAME_WORDS[FileKind.STATEMENT])) - weak:
        hits.remove(FileKind.STATEMENT)
    return hits[0] if len(hits) == 1 else None


# --- the kind to propose for a file -------------------------------------------------------------


@dataclass(frozen=True)
class KindProposal:
    """The kind the import wizard proposes for a file, from its columns and its name."""

    #: what to propose (None: neither the columns nor the name say)
    kind: FileKind | None
    #: what the columns say, when they say it plainly
    from_content: FileKind | None
    #: what the file name says
    from_name: FileKind | None
    #: why, in a sentence for the user
    sentence: str

    @property
    def disagree(self) -> bool:
        """The name says one kind and the columns plainly another."""
        return (
            self.from_content is not None
            and self.from_name is not None
            and self.from_content != self.from_name
        )


def content_kind(verdict: KindVerdict) -> FileKind | None:
    """The kind a verdict plainly names (by the same margin a refusal needs), else None."""
    best = verdict.kind
    others = [verdict.scores[k] for k in FileKind if k != best]
    top = verdict.scores[best]
    if top >= _CLEAR_SCORE and top >= _CLEAR_RATIO * max(max(others), 0.5):
        return best
    return None


def read_verdict(path: Path, *, sheet: str | None = None) -> KindVerdict | None:
    """The verdict on a file read as each kind in turn (each finds its own header), the best
    evidence of each kind kept; None when no reading finds a header."""
    from pmpm_desktop.io.fields import FieldDetector  # the dictionary, not the kind check

    found: list[KindVerdict] = []
    for kind in FileKind:
        try:
            raw = read_table(path, sheet=sheet, detector=FieldDetector(kind.value))
        except FileReadError:
            continue
        sample = raw.frame.head(60)
        found.append(assess_kind(raw.headers, [sample[h].to_list() for h in raw.headers]))
    if not found:
        return None
    scores = {k: max(v.scores[k] for v in found) for k in FileKind}
    kinds = {k: max((v.found[k] for v in found), key=len) for k in FileKind}
    best = max(FileKind, key=lambda k: scores[k])
    return KindVerdict(best, scores, kinds, any(v.has_member_ids for v in found))


def propose_kind(path: Path) -> KindProposal:
    """What the wizard proposes for ``path``: the kind its columns plainly say, else the kind
    its name says; the sentence says when the two disagree."""
    by_name = kind_from_name(path.name)
    verdict = read_verdict(path)
    by_content = content_kind(verdict) if verdict is not None else None
    if by_content is not None and verdict is not None:
        why = verdict.reason(by_content)
        if by_name is not None and by_name != by_content:
            sentence = (
                f"The name {path.name!r} says {with_article(by_name.label)}, but its columns say "
                f"{with_article(by_content.label)}: {why}."
            )
        else:
            sentence = f"This looks like {with_article(by_content.label)}: {why}."
        return KindProposal(by_content, by_content, by_name, sentence)
    if by_name is not None:
        return KindProposal(
            by_name,
            None,
            by_name,
            f"The name {path.name!r} says {with_article(by_name.label)}; "
            "its columns do not say plainly.",
        )
    return KindProposal(None, None, None, "Neither its name nor its columns say what it is.")
