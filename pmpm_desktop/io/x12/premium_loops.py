"""The loops of an 820 premium payment (005010X218, 004010X061A1), walked once.

Table 2 of the guide: organization summary loops (2000A: ENT, RMR, ADX) and individual
remittance loops (2000B: ENT, the 2100B NM1, 2200B ADX of a previous payment, then 2300B RMR
lines with their REF and DTM*582 and 2320B ADX adjustments). The walk keeps each segment's
number, for problems placed where the analyst looks.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from pmpm_desktop.io.x12.payment_header import Payment, read_payment
from pmpm_desktop.io.x12.transaction import X12Input, element


@dataclass(slots=True)
class Period:
    """A DTM*582 coverage period: its segment, first and last date as written, and the element
    they are in (06: DTM05 RD8/D8 and DTM06; 02: a single date in DTM02)."""

    number: int
    start: str
    end: str | None
    element: str


@dataclass(slots=True)
class Line:
    """An RMR (a paid line) or an ADX (an adjustment) of a member."""

    number: int
    tag: str
    amount: str
    code: str = ""
    period: Period | None = None
    refs: dict[str, tuple[str, int]] = field(default_factory=dict)
    #: the RMR an ADX adjusts (2320B); None for a member-level ADX (2200B)
    parent: Line | None = None


@dataclass(slots=True)
class Remittance:
    """An ENT loop: a member (2000B) or an organization summary (2000A)."""

    number: int
    entity: str  # ENT02: 2J individual, 2L corporation
    ident: str  # ENT04
    #: the period of lines without their own: the transaction's DTM*582 (or the loop's)
    header: Period | None
    nm1: list[str] | None = None
    nm1_number: int = 0
    refs: dict[str, tuple[str, int]] = field(default_factory=dict)
    lines: list[Line] = field(default_factory=list)

    @property
    def individual(self) -> bool:
        return self.nm1 is not None or self.entity == "2J"


def walk(source: X12Input) -> tuple[list[Payment], list[Remittance]]:
    """The payment and the ENT loops of every 820 set of ``source``, in file order."""
    texts = source.segments.texts
    separator = source.segments.separators.element
    payments: list[Payment] = []
    loops: list[Remittance] = []
    for ts in source.sets:
        payments.append(read_payment(source.segments, ts, frozenset({"ENT"})))
        header: Period | None = None
        loop: Remittance | None = None
        line: Line | None = None
        for i in ts.body:
            seg = texts[i].split(separator)
            tag = seg[0]
            # The frequent segments first: a 100k-member file has a million of them.
            # element() inlined where a segment of every line is read
            if loop is not None and tag == "RMR":
                line = Line(i + 1, "RMR", seg[4].strip() if len(seg) > 4 else "")
                loop.lines.append(line)
            elif tag == "DTM":
                if len(seg) > 1 and seg[1] == "582":
                    header = _period_paid(seg, i + 1, header, loop, line)
            elif loop is not None and tag == "REF":
                refs = line.refs if line is not None else loop.refs
                if len(seg) > 2:
                    refs.setdefault(seg[1].strip(), (seg[2].strip(), i + 1))
            elif tag == "ENT":
                loop = Remittance(i + 1, element(seg, 2), element(seg, 4), header)
                loops.append(loop)
                line = None
            elif loop is None:
                continue
            elif tag == "NM1" and loop.nm1 is None:
                loop.nm1, loop.nm1_number = seg, i + 1
            elif tag == "ADX":
                loop.lines.append(
                    Line(i + 1, "ADX", element(seg, 1), element(seg, 2), None, {}, line)
                )
    return payments, loops


def _period_paid(
    seg: list[str], number: int, header: Period | None, loop: Remittance | None, line: Line | None
) -> Period | None:
    """A DTM*582 (the period paid for) of the transaction, a member or a line: the
    transaction's period after it."""
    if loop is None:
        return _period(seg, number)
    if line is None:
        # Not in the guide: a member's own period, for its lines without one.
        loop.header = _period(seg, number) or loop.header
    elif line.period is None:
        line.period = _period(seg, number)
    return header


def _period(seg: list[str], number: int) -> Period | None:
    n = len(seg)
    dates, single = seg[6].strip() if n > 6 else "", seg[2].strip() if n > 2 else ""
    if dates:
        start, dash, end = dates.partition("-")
        return Period(number, start, end if dash else None, "06")
    if single:
        return Period(number, single, None, "02")
    return None
