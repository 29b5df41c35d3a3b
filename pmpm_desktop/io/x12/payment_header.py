"""The payment of an 820 or 835: BPR (amount, date), TRN (trace number) and the N1 parties.

Both transaction sets open with the same financial segments: BPR02 is the total paid (the
stated total a statement is checked against), BPR16 the payment's effective date and TRN02 the
check or EFT trace number. A value that is not what the guide says (an amount or date that
does not read) is a problem placed at its segment and element, as a line's problem is.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from decimal import Decimal

from pmpm_desktop.core.money import dollars_text
from pmpm_desktop.core.month import Month
from pmpm_desktop.io.machine_file import Fact
from pmpm_desktop.io.parsed import Place, RowProblem
from pmpm_desktop.io.values import parse_amount, parse_date
from pmpm_desktop.io.x12.envelope import TransactionSet
from pmpm_desktop.io.x12.segments import Segments
from pmpm_desktop.io.x12.transaction import element

# N103 qualifiers of the parties' identifiers, as a clerk reads them.
_ID_KINDS = {
    "XX": "NPI",
    "FI": "TIN",
    "PI": "payer ID",
    "XV": "plan ID",
    "58": "originating company",
    "24": "EIN",
    "34": "SSN",
    "EQ": "group number",
}
_METHODS = {
    "ACH": "ACH (automated clearing house)",
    "CHK": "check",
    "FWT": "wire transfer",
    "BOP": "financial institution option",
    "NON": "no payment (remittance only)",
}


@dataclass
class Party:
    """An N1 loop's party: name and identifiers (N103/N104 and REF*TJ, REF*2U …)."""

    name: str
    ids: list[str] = field(default_factory=list)

    def shown(self) -> str:
        return f"{self.name} ({', '.join(self.ids)})" if self.ids else self.name


@dataclass
class Payment:
    """The payment of one transaction set, read from its header segments."""

    #: the segment number of the BPR (0: none)
    segment: int = 0
    total: Decimal | None = None
    date: dt.date | None = None
    method: str = ""
    trace: str | None = None
    parties: dict[str, Party] = field(default_factory=dict)
    problems: list[RowProblem] = field(default_factory=list)

    @property
    def month(self) -> Month | None:
        return Month.of(self.date) if self.date is not None else None


def read_payment(segments: Segments, ts: TransactionSet, stop: frozenset[str]) -> Payment:
    """The BPR, TRN and N1 loops of transaction set ``ts``, up to its first segment whose ID is
    in ``stop`` (where the detail begins)."""
    out = Payment()
    party: Party | None = None
    for i in ts.body:
        seg = segments.elements(i)
        tag = seg[0]
        if tag in stop:
            break
        if tag == "BPR" and not out.segment:
            out.segment = i + 1
            out.total = _amount(seg, 2, i + 1, out.problems)
            out.method = element(seg, 4)
            out.date = _date(seg, 16, i + 1, out.problems)
        elif tag == "TRN" and out.trace is None:
            out.trace = element(seg, 2) or None
        elif tag == "N1":
            party = Party(element(seg, 2) or element(seg, 1))
            kind, ident = element(seg, 3), element(seg, 4)
            if ident:
                party.ids.append(f"{_ID_KINDS.get(kind, kind)} {ident}".strip())
            out.parties.setdefault(element(seg, 1), party)
        elif tag == "REF" and party is not None and element(seg, 1) in ("TJ", "2U", "PQ"):
            kind = {"TJ": "TIN", "2U": "payer ID", "PQ": "payee ID"}[element(seg, 1)]
            if element(seg, 2):
                party.ids.append(f"{kind} {element(seg, 2)}")
    return out


def payment_facts(payments: Sequence[Payment]) -> list[Fact]:
    """Payer, payee, amount, method, date and trace number: one value per fact, the values of
    several transaction sets side by side."""
    facts: list[Fact] = []
    for code, what in (("PR", "Payer (N1*PR)"), ("PE", "Payee (N1*PE)")):
        names = _distinct(p.parties[code].shown() for p in payments if code in p.parties)
        if names:
            facts.append(Fact(what, "; ".join(names)))
    totals = [p.total for p in payments if p.total is not None]
    if totals:
        shown = dollars_text(sum(totals, Decimal(0)))
        if len(totals) > 1:
            shown += f" ({', '.join(dollars_text(t) for t in totals)})"
        facts.append(Fact("Payment amount (BPR02)", shown))
    methods = _distinct(_METHODS.get(p.method, p.method) for p in payments if p.method)
    if methods:
        facts.append(Fact("Payment method (BPR04)", ", ".join(methods)))
    dates = _distinct(p.date.isoformat() for p in payments if p.date is not None)
    if dates:
        facts.append(Fact("Payment date (BPR16)", ", ".join(dates)))
    traces = _distinct(p.trace for p in payments if p.trace is not None)
    if traces:
        facts.append(Fact("Trace number (TRN02)", ", ".join(traces)))
    return facts


def combined(payments: Sequence[Payment]) -> tuple[Decimal | None, dt.date | None, str | None]:
    """The stated total (the sum of the BPR02s), the payment date (when every set has the
    same) and the reference (the TRN02s) of the file's transaction sets."""
    totals = [p.total for p in payments if p.total is not None]
    total = sum(totals, Decimal(0)) if totals and len(totals) == len(payments) else None
    dates = {p.date for p in payments if p.date is not None}
    date = dates.pop() if len(dates) == 1 else None
    traces = _distinct(p.trace for p in payments if p.trace is not None)
    return total, date, ", ".join(traces) if traces else None


def segment_problem(
    segment: int, name: str, reason: str, *, value: str = "", element: str = ""
) -> RowProblem:
    """A problem at a segment (and element) of the file."""
    return RowProblem(segment, name, value, reason, place=Place.SEGMENT, element=element)


def _amount(seg: list[str], n: int, number: int, problems: list[RowProblem]) -> Decimal | None:
    text = element(seg, n)
    try:
        return parse_amount(text) if text else None
    except ValueError as exc:
        problems.append(segment_problem(number, seg[0], str(exc), value=text, element=f"{n:02d}"))
        return None


def _date(seg: list[str], n: int, number: int, problems: list[RowProblem]) -> dt.date | None:
    text = element(seg, n)
    if not text:
        return None
    try:
        # X12 dates are CCYYMMDD: never read day-first.
        return parse_date(text, day_first=False)
    except ValueError as exc:
        problems.append(segment_problem(number, seg[0], str(exc), value=text, element=f"{n:02d}"))
        return None


def _distinct(values: Iterable[str]) -> list[str]:
    return list(dict.fromkeys(values))
