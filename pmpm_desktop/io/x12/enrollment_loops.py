"""The member loops of an 834 (005010X220A1 and 004010X095A1), walked segment by segment.

Loop 2000 (INS) opens each member, subscriber or dependent; its REF and DTP (356/357
eligibility begin and end) belong to the member. 2100A (NM1*IL, or NM1*74 when the name is
corrected) gives the name and ID, with DMG. Each HD opens a 2300 coverage loop with its DTP
(348/349 benefit begin and end) and REF (17, CE, M7, ZZ, …); an LX opens 2310, whose NM1*P3
is the primary care provider. The name loops of other people (2100B–H), the disability loop
(2200), COB (2320/2330) and the reporting categories (2700, between LS and LE) hold REF, DTP
and DMG segments of their own: they are told apart by the loop they are in, never by their
qualifier alone.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterator, Sequence
from dataclasses import dataclass, field
from typing import Any

from pmpm_desktop.io.x12.envelope import TransactionSet
from pmpm_desktop.io.x12.segments import Segments
from pmpm_desktop.io.x12.transaction import element

# Loops (only those whose segments are read are told apart).
_HEADER, _MEMBER, _NAME, _OTHER, _COVERAGE, _PROVIDER, _ELSEWHERE = range(7)


class Coverage:
    """One HD loop (2300) of a member."""

    __slots__ = ("segment", "maintenance", "line", "plan", "refs", "dates", "pcp")

    def __init__(self, segment: int, hd: list[str]) -> None:
        n = len(hd)
        self.segment = segment
        self.maintenance = hd[1] if n > 1 else ""  # HD01
        self.line = hd[3] if n > 3 else ""  # HD03 insurance line code: HLT, HMO, DEN, VIS …
        self.plan = hd[4] if n > 4 else ""  # HD04 plan coverage description
        #: qualifier → (value, segment number), the first of each
        self.refs: dict[str, tuple[str, int]] = {}
        self.dates: dict[str, tuple[str, int]] = {}
        #: the PCP's ID (NM1*P3 09, an NPI when NM108 is XX) and its segment
        self.pcp: tuple[str, int] | None = None


class Member:
    """One INS loop (2000): a subscriber or a dependent."""

    __slots__ = (
        "segment",
        "subscriber",
        "maintenance",
        "name_segment",
        "last",
        "first",
        "ident",
        "dmg_segment",
        "dob",
        "sex",
        "refs",
        "dates",
        "coverages",
    )

    def __init__(self, segment: int, ins: list[str]) -> None:
        n = len(ins)
        self.segment = segment
        self.subscriber = n > 1 and ins[1] == "Y"  # INS01
        self.maintenance = ins[3] if n > 3 else ""  # INS03: 021 add, 024 term, 001 change…
        self.name_segment = 0
        self.last = self.first = self.ident = ""
        self.dmg_segment = 0
        self.dob = self.sex = ""
        self.refs: dict[str, tuple[str, int]] = {}
        self.dates: dict[str, tuple[str, int]] = {}
        self.coverages: list[Coverage] = []


#: The fields of each row the walker writes: one per coverage loop of a member (one for a
#: member without any), the member's own fields repeated. ``*_at`` are segment numbers (0:
#: none); ``begin``/``end`` are the coverage's DTP*348/349, else the member's DTP*356/357
#: (``begin_own``/``end_own`` say which). ``refs`` and ``coverage_refs`` are the member's and
#: the coverage's REF segments (qualifier → value and number), read by :func:`ref_column`.
FIELDS = (
    "member",
    "ins_at",
    "subscriber",
    "maintenance",
    "name_at",
    "last",
    "first",
    "ident",
    "dmg_at",
    "dob",
    "sex",
    "hd_at",
    "hd03",
    "hd04",
    "begin",
    "begin_at",
    "begin_own",
    "end",
    "end_at",
    "end_own",
    "pcp",
    "pcp_at",
    "refs",
    "coverage_refs",
)


@dataclass
class Enrollment:
    """What an 834's transaction sets hold: the header, and the members' rows column by
    column (FIELDS)."""

    columns: dict[str, list[Any]] = field(default_factory=dict)
    members: int = 0
    dependents: int = 0
    #: INS03 → members
    maintenance: Counter[str] = field(default_factory=Counter)
    #: BGN02 reference, BGN03 date, BGN08 action code (of the first set)
    reference: str = ""
    date: str = ""
    action: str = ""
    #: N1*P5 plan sponsor, N1*IN insurer (names, or their IDs when unnamed)
    sponsor: str = ""
    insurer: str = ""
    #: DTP*007 file effective date
    effective: str = ""
    #: QTY*TO, the members the sender counted
    stated_total: str = ""


def walk(segments: Segments, sets: Sequence[TransactionSet]) -> Enrollment:
    """The 834 sets' header and members' rows.

    Only the segments read are split into elements; a member's objects live until its rows
    are written, so a large file never holds them all."""
    out = Enrollment()
    texts = segments.texts
    e = segments.separators.element
    # The segments read, by their first three characters (a two-letter ID and the separator).
    kinds = {
        "INS": _INS,
        "REF": _REF,
        "DTP": _DTP,
        "NM1": _NM1,
        "DMG": _DMG,
        "HD" + e: _HD,
        "LX" + e: _LX,
        # 2200, 2320, 2700: loops whose REF, DTP and NM1 are not the member's
        "DSB": _AWAY,
        "COB": _AWAY,
        "LS" + e: _AWAY,
    }
    rows: list[tuple[Any, ...]] = []
    for ts in sets:
        first = next((i for i in ts.body if texts[i][:3] == "INS"), ts.end)
        for i in range(ts.start + 1, first):
            _header(out, texts[i].split(e))
        for member in _members(texts, first, ts.end, e, kinds):
            _emit(rows, out, member)
    if rows:
        out.columns = {
            name: list(cells) for name, cells in zip(FIELDS, zip(*rows, strict=True), strict=True)
        }
    else:
        out.columns = {name: [] for name in FIELDS}
    return out


def ref_column(
    refs: Sequence[dict[str, tuple[str, int]]],
    coverage_refs: Sequence[dict[str, tuple[str, int]]],
    qualifier: str,
) -> tuple[list[str], list[int]]:
    """A REF's value on each row ("" when none) and its segment number (0): the coverage
    loop's own, else the member's (loop 2000)."""
    found = [
        c.get(qualifier) or m.get(qualifier) or _NONE
        for m, c in zip(refs, coverage_refs, strict=True)
    ]
    return [f[0] for f in found], [f[1] for f in found]


_NONE = ("", 0)
_NO_DATES: dict[str, tuple[str, int]] = {}


def _emit(rows: list[tuple[Any, ...]], out: Enrollment, m: Member) -> None:
    """The rows of a member: one per coverage loop, or one without."""
    number = out.members
    out.members += 1
    out.dependents += not m.subscriber
    out.maintenance[m.maintenance] += 1
    head = (number, m.segment, m.subscriber, m.maintenance, m.name_segment, m.last, m.first)
    person = (m.ident, m.dmg_segment, m.dob, m.sex)
    dates = m.dates
    for c in m.coverages or (None,):
        own = c.dates if c is not None else _NO_DATES
        begin = own.get("348")
        begin_own = begin is not None
        begin = begin or dates.get("356") or _NONE
        end = own.get("349")
        end_own = end is not None
        end = end or dates.get("357") or _NONE
        if c is not None:
            coverage = (c.segment, c.line, c.plan)
            pcp, coverage_refs = c.pcp or _NONE, c.refs
        else:
            coverage, pcp, coverage_refs = (0, "", ""), _NONE, _NO_DATES
        rows.append(
            (
                *head,
                *person,
                *coverage,
                begin_of(begin[0]),
                begin[1],
                begin_own,
                end_of(end[0]),
                end[1],
                end_own,
                *pcp,
                m.refs,
                coverage_refs,
            )
        )


# What a segment does in a member loop.
_INS, _REF, _DTP, _NM1, _DMG, _HD, _LX, _AWAY = range(8)


def _members(
    texts: list[str], first: int, end: int, e: str, kinds: dict[str, int]
) -> Iterator[Member]:
    """The INS loops of segments ``first`` to ``end`` (indexes), each when it is complete."""
    member: Member | None = None
    coverage: Coverage | None = None
    # The loop whose REF and DTP are read (the member's 2000, a coverage's 2300), or None.
    holder: Member | Coverage | None = None
    loop = _HEADER
    for i, text in enumerate(texts[first:end], first):
        kind = kinds.get(text[:3])
        if kind is None:
            continue
        if kind == _REF or kind == _DTP:
            if holder is not None:
                _keep(holder, kind, text.split(e, 4), i + 1)
        elif kind == _INS:
            if member is not None:
                yield member
            member = holder = Member(i + 1, text.split(e, 4))
            coverage = None
            loop = _MEMBER
        elif member is None:
            continue
        elif kind == _NM1:
            loop = _name(text.split(e, 10), i + 1, member, coverage, loop)
            holder = None
        elif kind == _DMG:
            _demographics(member, loop, text, e, i + 1)
        elif kind == _HD:
            coverage = holder = Coverage(i + 1, text.split(e, 5))
            member.coverages.append(coverage)
            loop = _COVERAGE
        else:
            loop, holder = _other_loop(kind, loop, holder, coverage)
    if member is not None:
        yield member


def _other_loop(
    kind: int, loop: int, holder: Member | Coverage | None, coverage: Coverage | None
) -> tuple[int, Member | Coverage | None]:
    """(loop, holder) after an LX (a provider loop of the coverage) or the start of a loop
    whose REF, DTP and NM1 are not the member's."""
    if kind != _LX:
        return _ELSEWHERE, None
    if coverage is not None:
        return _PROVIDER, None
    return loop, holder


def _keep(holder: Member | Coverage, kind: int, seg: list[str], number: int) -> None:
    """A REF or DTP of the loop being read: the first of each qualifier counts."""
    if kind == _REF:
        if len(seg) > 2 and seg[1] not in holder.refs:
            holder.refs[seg[1]] = (seg[2], number)
    elif len(seg) > 3 and seg[1] not in holder.dates:
        holder.dates[seg[1]] = (seg[3], number)


def _demographics(member: Member, loop: int, text: str, e: str, number: int) -> None:
    """The member's own DMG (the first in its name loop)."""
    if loop != _NAME or member.dmg_segment:
        return
    seg = text.split(e, 4)
    n = len(seg)
    member.dmg_segment = number
    member.dob = seg[2] if n > 2 and seg[1] in ("D8", "") else ""
    member.sex = seg[3] if n > 3 else ""


def _name(seg: list[str], number: int, member: Member, coverage: Coverage | None, loop: int) -> int:
    """An NM1 in a member loop: the member's own name (2100A), the PCP (2310), or another
    party's name (2100B–H, 2330), whose DMG and REF are not the member's."""
    n = len(seg)
    qualifier = seg[1] if n > 1 else ""
    if qualifier in ("IL", "74") and loop in (_MEMBER, _NAME, _OTHER):
        if not member.name_segment:
            member.name_segment = number
            member.last = seg[3] if n > 3 else ""
            member.first = seg[4] if n > 4 else ""
            member.ident = seg[9] if n > 9 else ""
            return _NAME
        return _OTHER
    if loop == _PROVIDER and coverage is not None:
        if qualifier == "P3":
            ident = element(seg, 9)
            # An NPI (NM108 XX) wins over another kind of provider number.
            if ident and (coverage.pcp is None or element(seg, 8) == "XX"):
                coverage.pcp = (ident, number)
        return _PROVIDER
    if loop in (_MEMBER, _NAME, _OTHER):
        return _OTHER
    return loop


def _header(out: Enrollment, seg: list[str]) -> None:
    tag = seg[0]
    if tag == "BGN" and not out.reference:
        out.reference = element(seg, 2)
        out.date = element(seg, 3)
        out.action = element(seg, 8)
    elif tag == "N1":
        who = element(seg, 2) or element(seg, 4)
        if element(seg, 1) == "P5" and not out.sponsor:
            out.sponsor = who
        elif element(seg, 1) == "IN" and not out.insurer:
            out.insurer = who
    elif tag == "DTP" and element(seg, 1) == "007" and not out.effective:
        out.effective = element(seg, 3)
    elif tag == "QTY" and element(seg, 1) == "TO" and not out.stated_total:
        out.stated_total = element(seg, 2)


def begin_of(text: str) -> str:
    """The begin of a DTP date or range (``20260101-20261231`` → ``20260101``)."""
    return text.split("-", 1)[0] if "-" in text and len(text) == 17 else text


def end_of(text: str) -> str:
    """The end of a DTP date or range (``20260101-20261231`` → ``20261231``)."""
    return text.split("-", 1)[1] if "-" in text and len(text) == 17 else text
