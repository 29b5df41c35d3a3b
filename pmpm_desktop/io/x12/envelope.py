"""The envelopes of an X12 interchange checked: ISA/IEA, GS/GE and ST/SE.

Every count and control number the envelopes state is compared with what the file holds (IEA01
functional groups, GE01 transaction sets, SE01 segments including ST and SE; IEA02 = ISA13,
GE02 = GS06, SE02 = ST02). A broken envelope or a file cut off before its IEA is a
FileReadError naming the segment, as the sender's EDI team looks for it. Only the control
segments are walked: a million-segment file is checked in a few hundredths of a second.
"""

from __future__ import annotations

import datetime as dt
from collections import Counter
from dataclasses import dataclass

from pmpm_desktop.io.machine_file import Fact
from pmpm_desktop.io.read_errors import FileReadError
from pmpm_desktop.io.x12.codes import ID_QUALIFIERS
from pmpm_desktop.io.x12.codes import KINDS as KINDS
from pmpm_desktop.io.x12.codes import TRANSACTION_NAMES as TRANSACTION_NAMES
from pmpm_desktop.io.x12.codes import transaction_of_guide as transaction_of_guide
from pmpm_desktop.io.x12.segments import Segments

_CONTROL = frozenset({"ISA", "IEA", "GS", "GE", "ST", "SE"})
_PREFIXES = frozenset(c[:2] for c in _CONTROL)


@dataclass(frozen=True)
class TransactionSet:
    """One ST … SE: ``start`` and ``end`` are the indexes of its ST and SE in the segments
    (segment numbers ``start + 1`` and ``end + 1``)."""

    code: str  # ST01
    control: str  # ST02
    #: the implementation guide: ST03 (005010), else the group's GS08
    guide: str
    start: int
    end: int

    @property
    def body(self) -> range:
        """The indexes of the segments between ST and SE."""
        return range(self.start + 1, self.end)


@dataclass(frozen=True)
class FunctionalGroup:
    code: str  # GS01: BE, HB, RA, HP, …
    sender: str  # GS02
    receiver: str  # GS03
    date: str  # GS04, CCYYMMDD
    time: str  # GS05
    control: str  # GS06
    version: str  # GS08: 005010X220A1
    sets: tuple[TransactionSet, ...]


@dataclass(frozen=True)
class Interchange:
    """An interchange's header and envelopes, checked."""

    sender_qualifier: str  # ISA05
    sender: str  # ISA06, trimmed
    receiver_qualifier: str  # ISA07
    receiver: str  # ISA08, trimmed
    date: str  # ISA09, YYMMDD
    time: str  # ISA10, HHMM
    version: str  # ISA12: 00401, 00501
    control: str  # ISA13
    usage: str  # ISA15: P production, T test
    groups: tuple[FunctionalGroup, ...]

    @property
    def identity(self) -> str:
        """``X12 <ISA05>:<ISA06> <ISA13>``: the same interchange re-sent is still a duplicate."""
        return f"X12 {self.sender_qualifier}:{self.sender} {self.control}"

    @property
    def sets(self) -> tuple[TransactionSet, ...]:
        return tuple(s for g in self.groups for s in g.sets)

    def facts(self) -> tuple[Fact, ...]:
        """Sender, receiver, date, control numbers and version, as a clerk or analyst reads
        them."""
        first = self.groups[0] if self.groups else None
        found = [
            Fact(
                "Sender",
                _party(self.sender, self.sender_qualifier, first.sender if first else None),
            ),
            Fact(
                "Receiver",
                _party(self.receiver, self.receiver_qualifier, first.receiver if first else None),
            ),
            Fact("Interchange date", self.when()),
            Fact("Interchange control number", self.control),
        ]
        if first is not None:
            controls = ", ".join(g.control for g in self.groups)
            found.append(Fact("Group control number", controls))
            found.append(Fact("Version", first.version or self.version))
        sets = Counter(s.code for s in self.sets)
        if sets:
            shown = [
                f"{code} ({TRANSACTION_NAMES.get(code, 'unknown')})"
                + (f" × {n:,}" if n > 1 else "")
                for code, n in sets.items()
            ]
            found.append(Fact("Transaction sets", ", ".join(shown)))
        if self.usage == "T":
            found.append(Fact("Usage", "test data (ISA15 T)"))
        return tuple(found)

    def when(self) -> str:
        """The interchange's date and time, ``2026-04-01 09:00`` (GS04's four-digit year when
        a group has one)."""
        first = self.groups[0] if self.groups else None
        day = _date(first.date) if first is not None else None
        if day is None:
            day = _date("20" + self.date) if len(self.date) == 6 else None
        hhmm = self.time if len(self.time) == 4 and self.time.isdigit() else ""
        shown = day.isoformat() if day is not None else self.date
        return f"{shown} {hhmm[:2]}:{hhmm[2:]}" if hhmm else shown


def check_envelope(segments: Segments) -> Interchange:
    """The interchange's envelopes, with every count and control number checked.

    FileReadError names the first broken segment, or says the file was cut off."""
    texts = segments.texts
    isa = segments.elements(0)
    if len(isa) != 17:
        raise FileReadError(
            f"segment 1 (ISA): the interchange header has {len(isa) - 1} elements; it must have 16"
        )
    last = segments.elements(len(texts) - 1)
    if not segments.terminated and (last[0] != "IEA" or len(_element(last, 2)) < 9):
        # No terminator after the last segment: a complete IEA may lack one, nothing else.
        raise FileReadError(
            f"the file ends before its IEA: it was cut off in the middle of segment "
            f"{len(texts):,} ({last[0][:3] or '?'})"
        )
    # Control segments by their first two letters, then by their whole ID (STC is not ST).
    control = [i for i, t in enumerate(texts) if t[:2] in _PREFIXES and segments.tag(i) in _CONTROL]
    walk = _Walk(segments)
    for n, i in enumerate(control[1:], start=1):
        walk.gap(control[n - 1], i)
        walk.step(i)
    if walk.closed is None:
        raise FileReadError(
            f"the file ends before its IEA: it was cut off after segment {len(texts):,} "
            f"({last[0][:3] or '?'})"
        )
    if walk.closed < len(texts) - 1:
        after = walk.closed + 1
        raise FileReadError(
            f"segment {after + 1:,} ({segments.tag(after)[:3]}): after the interchange's IEA "
            f"(segment {walk.closed + 1:,}); PMPM reads one interchange per file"
        )
    return Interchange(
        sender_qualifier=isa[5].strip(),
        sender=isa[6].strip(),
        receiver_qualifier=isa[7].strip(),
        receiver=isa[8].strip(),
        date=isa[9].strip(),
        time=isa[10].strip(),
        version=isa[12].strip(),
        control=isa[13].strip(),
        usage=isa[15].strip(),
        groups=tuple(walk.groups),
    )


class _Walk:
    """The envelope state while walking the control segments in order."""

    def __init__(self, segments: Segments) -> None:
        self.segments = segments
        self.isa13 = segments.elements(0)[13].strip()
        self.groups: list[FunctionalGroup] = []
        self.group: int | None = None  # index of the open GS
        self.sets: list[TransactionSet] = []
        self.open_set: int | None = None  # index of the open ST
        self.closed: int | None = None  # index of the IEA

    def gap(self, before: int, after: int) -> None:
        """Segments between two control segments belong inside a transaction set."""
        if after - before == 1 or self.open_set is not None:
            return
        first = before + 1
        where = f"segment {first + 1:,} ({self.segments.tag(first)[:3]})"
        if self.closed is not None:
            raise FileReadError(f"{where}: after the interchange's IEA (segment {before + 1:,})")
        what = "before the first GS" if self.group is None else "outside a transaction set"
        raise FileReadError(f"{where}: {what} (segments belong between an ST and its SE)")

    def step(self, i: int) -> None:
        seg = self.segments.elements(i)
        tag = seg[0]
        where = f"segment {i + 1:,} ({tag})"
        if self.closed is not None:
            if tag == "ISA":
                raise FileReadError(
                    f"{where}: a second interchange in the file; PMPM reads one interchange "
                    "per file"
                )
            raise FileReadError(
                f"{where}: after the interchange's IEA (segment {self.closed + 1:,})"
            )
        if self.open_set is not None:
            if tag != "SE":
                raise FileReadError(
                    f"{where}: the transaction set opened at segment {self.open_set + 1:,} (ST) "
                    "has no SE"
                )
            self._close_set(i, seg)
        elif self.group is not None:
            self._in_group(i, seg, self.group, where)
        elif tag == "GS":
            self.group = i
            self.sets = []
        elif tag == "IEA":
            self._close_interchange(i, seg)
        elif tag == "ISA":
            raise FileReadError(f"{where}: a second interchange header before the first one's IEA")
        elif tag == "ST":
            raise FileReadError(f"{where}: a transaction set outside a functional group (no GS)")
        else:
            raise FileReadError(f"{where}: no functional group is open (no GS before it)")

    def _in_group(self, i: int, seg: list[str], group: int, where: str) -> None:
        """A control segment inside the functional group opened at segment ``group``."""
        tag = seg[0]
        if tag == "ST":
            self.open_set = i
        elif tag == "GE":
            self._close_group(i, seg)
        elif tag == "SE":
            raise FileReadError(f"{where}: no transaction set is open (no ST before it)")
        else:
            raise FileReadError(
                f"{where}: the functional group opened at segment {group + 1:,} (GS) has no GE"
            )

    def _close_set(self, i: int, se: list[str]) -> None:
        assert self.open_set is not None and self.group is not None
        st = self.segments.elements(self.open_set)
        has = i - self.open_set + 1
        said = _count(se, 1, i, "segments")
        if said != has:
            raise FileReadError(
                f"segment {i + 1:,} (SE): the transaction set says it has {said:,} segments; "
                f"it has {has:,}"
            )
        _same(se, 2, _element(st, 2), i, f"its ST's (segment {self.open_set + 1:,})")
        guide = _element(st, 3) or _element(self.segments.elements(self.group), 8)
        self.sets.append(TransactionSet(_element(st, 1), _element(st, 2), guide, self.open_set, i))
        self.open_set = None

    def _close_group(self, i: int, ge: list[str]) -> None:
        assert self.group is not None
        gs = self.segments.elements(self.group)
        said = _count(ge, 1, i, "transaction sets")
        if said != len(self.sets):
            raise FileReadError(
                f"segment {i + 1:,} (GE): the functional group says it has {said:,} "
                f"transaction set{'s' if said != 1 else ''}; it has {len(self.sets):,}"
            )
        _same(ge, 2, _element(gs, 6), i, f"its GS's (segment {self.group + 1:,})")
        self.groups.append(
            FunctionalGroup(
                code=_element(gs, 1),
                sender=_element(gs, 2),
                receiver=_element(gs, 3),
                date=_element(gs, 4),
                time=_element(gs, 5),
                control=_element(gs, 6),
                version=_element(gs, 8),
                sets=tuple(self.sets),
            )
        )
        self.group = None

    def _close_interchange(self, i: int, iea: list[str]) -> None:
        said = _count(iea, 1, i, "functional groups")
        if said != len(self.groups):
            raise FileReadError(
                f"segment {i + 1:,} (IEA): the interchange says it has {said:,} functional "
                f"group{'s' if said != 1 else ''}; it has {len(self.groups):,}"
            )
        _same(iea, 2, self.isa13, i, "its ISA's (ISA13)")
        self.closed = i


def _element(seg: list[str], n: int) -> str:
    return seg[n].strip() if n < len(seg) else ""


def _count(seg: list[str], n: int, i: int, what: str) -> int:
    text = _element(seg, n)
    # isascii: str.isdigit() is also true of '²', which int() refuses
    if not (text.isascii() and text.isdigit()):
        raise FileReadError(
            f"segment {i + 1:,} ({seg[0]}), element {n:02d}: {text!r} is not a number of {what}"
        )
    return int(text)


def _same(seg: list[str], n: int, expected: str, i: int, whose: str) -> None:
    """The control number in element ``n`` of ``seg`` must be ``expected`` (leading zeros
    aside: ``1`` and ``000000001`` are the same number)."""
    text = _element(seg, n)
    if text != expected and not (
        text.isascii()
        and expected.isascii()
        and text.isdigit()
        and expected.isdigit()
        and int(text) == int(expected)
    ):
        raise FileReadError(
            f"segment {i + 1:,} ({seg[0]}), element {n:02d}: control number {text!r} is not "
            f"{whose} {expected!r}"
        )


def _party(ident: str, qualifier: str, application: str | None) -> str:
    named = ID_QUALIFIERS.get(qualifier)
    shown = f"{ident} ({qualifier}{': ' + named if named else ''})"
    if application and application != ident:
        shown += f", application code {application}"
    return shown


def _date(text: str) -> dt.date | None:
    if len(text) != 8 or not text.isdigit():
        return None
    try:
        return dt.date(int(text[:4]), int(text[4:6]), int(text[6:]))
    except ValueError:
        return None
