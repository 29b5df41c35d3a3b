"""Writers of X12 payment files for tests: 820 premium payments and 835 claim payments with PLB
capitation, as transaction-set bodies for ``x12_files.interchange``.

A payer here is ACME HEALTH PLAN paying SUN VALLEY PRIMARY CARE (NPI 1234567890); amounts
are written as the payer writes them (decimal text, ``-250.00``)."""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path

from pmpm_desktop.io.x12.segments import Separators
from tests.unit.x12_files import STANDARD, Segment, Wrong, interchange

PRACTICE_NPI = "1234567890"


@dataclass(frozen=True)
class PremiumLine:
    """A 2300B RMR line: its amount, its DTM*582 period (``20260301-20260331`` as RD8, a
    single date ``20260301`` in DTM02, or None), a REF and 2320B ADX adjustments
    (amount, reason code)."""

    amount: str
    period: str | None
    ref: tuple[str, str] | None = ("ZZ", "CAPITATION")
    adjustments: Sequence[tuple[str, str]] = ()


@dataclass(frozen=True)
class PremiumMember:
    """A 2000B loop: the member's NM1 (``qualifier`` IL, EY or QE), member-level REFs, 2200B
    ADX adjustments of a previous payment and the RMR lines."""

    member_id: str
    last: str
    first: str
    lines: Sequence[PremiumLine]
    previous: Sequence[tuple[str, str]] = ()
    qualifier: str = "IL"
    refs: Sequence[tuple[str, str]] = ()
    name: bool = True


def premium_payment(
    members: Sequence[PremiumMember],
    *,
    total: str,
    paid: dt.date | None = dt.date(2026, 3, 15),
    trace: str = "EFT0315",
    coverage: str | None = None,
    organization: Sequence[str] = (),
) -> list[Segment]:
    """An 820 body: BPR (``total``, BPR16 ``paid``), TRN, an optional header DTM*582
    ``coverage``, the two N1 loops, an optional organization summary loop (2000A) with RMR
    lines of ``organization`` amounts, then one 2000B loop per member."""
    body: list[Segment] = [
        _bpr(total, paid),
        ["TRN", "1", trace, "1512345678"],
    ]
    if coverage is not None:
        body.append(_dtm(coverage))
    body += [
        ["N1", "PE", "SUN VALLEY PRIMARY CARE", "FI", "123456789"],
        ["N1", "PR", "ACME HEALTH PLAN", "FI", "987654321"],
    ]
    ent = 0
    if organization:
        ent += 1
        body.append(["ENT", str(ent), "2L", "FI", "123456789"])
        body += [["RMR", "IK", f"ORG{k}", "", amount] for k, amount in enumerate(organization)]
    for m in members:
        ent += 1
        body.append(["ENT", str(ent), "2J", "EI", f"E{m.member_id}"])
        if m.name:
            body.append(["NM1", m.qualifier, "1", m.last, m.first, "", "", "", "N", m.member_id])
        body += [["REF", q, v] for q, v in m.refs]
        body += [["ADX", amount, code] for amount, code in m.previous]
        for n, line in enumerate(m.lines, 1):
            body.append(["RMR", "IK", f"INV{m.member_id}{n}", "", line.amount])
            if line.ref is not None:
                body.append(["REF", *line.ref])
            if line.period is not None:
                body.append(_dtm(line.period))
            body += [["ADX", amount, code] for amount, code in line.adjustments]
    return body


@dataclass(frozen=True)
class Claim:
    """A claim payment (2100 CLP) with one service line."""

    number: str
    paid: str = "150.00"
    charged: str = "200.00"


@dataclass(frozen=True)
class Advice:
    """An 835: its payment, claims and PLB segments (each a list of (composite, amount))."""

    total: str
    plbs: Sequence[Sequence[tuple[str, str]]] = ()
    claims: Sequence[Claim] = ()
    paid: dt.date | None = dt.date(2026, 3, 15)
    trace: str = "EFT0315"
    fiscal: str = "20261231"
    provider: str = PRACTICE_NPI
    extra: Sequence[Segment] = field(default_factory=list)


def remittance_advice(advice: Advice) -> list[Segment]:
    """An 835 body: BPR, TRN, DTM*405, the payer and payee loops, claims (LX/CLP/NM1/SVC) and
    the PLB segments."""
    body: list[Segment] = [
        _bpr(advice.total, advice.paid),
        ["TRN", "1", advice.trace, "1512345678"],
        ["DTM", "405", "20260314"],
        ["N1", "PR", "ACME HEALTH PLAN"],
        ["N3", "1 PLAN WAY"],
        ["N4", "SPRINGFIELD", "IL", "62701"],
        ["REF", "2U", "ACME01"],
        ["N1", "PE", "SUN VALLEY PRIMARY CARE", "XX", PRACTICE_NPI],
        ["REF", "TJ", "123456789"],
        *advice.extra,
    ]
    if advice.claims:
        body.append(["LX", "1"])
    for c in advice.claims:
        body += [
            ["CLP", c.number, "1", c.charged, c.paid, "", "12", f"ICN{c.number}"],
            ["NM1", "QC", "1", "DOE", "JOHN", "", "", "", "MI", f"M{c.number}"],
            ["SVC", "HC:99213", c.charged, c.paid],
            ["DTM", "472", "20260301"],
            ["CAS", "CO", "45", "50.00"],
        ]
    for plb in advice.plbs:
        pairs = [element for pair in plb for element in pair]
        body.append(["PLB", advice.provider, advice.fiscal, *pairs])
    return body


def write_820(
    path: Path,
    transactions: Sequence[Sequence[Segment]],
    *,
    version: str = "005010",
    wrong: Wrong | None = None,
    control: int = 1,
    separators: Separators = STANDARD,
    line_breaks: str = "\n",
) -> Path:
    path.write_bytes(
        interchange(
            transactions,
            code="820",
            version=version,
            wrong=wrong,
            control=control,
            separators=separators,
            line_breaks=line_breaks,
        )
    )
    return path


def write_835(
    path: Path,
    advices: Sequence[Advice],
    *,
    version: str = "005010",
    wrong: Wrong | None = None,
    separators: Separators = STANDARD,
    line_breaks: str = "\n",
) -> Path:
    """The 835s of ``advices``; their PLB composites are written with ``separators``'
    component separator."""
    bodies = [remittance_advice(a) for a in advices]
    if separators.component != ":":
        for body in bodies:
            for n, seg in enumerate(body):
                if seg[0] == "PLB":
                    body[n] = [e.replace(":", separators.component) for e in seg]
    path.write_bytes(
        interchange(
            bodies,
            code="835",
            version=version,
            wrong=wrong,
            separators=separators,
            line_breaks=line_breaks,
        )
    )
    return path


def _bpr(total: str, paid: dt.date | None) -> Segment:
    return [
        "BPR",
        "I",
        total,
        "C",
        "ACH",
        "CCP",
        "01",
        "011000015",
        "DA",
        "123456789",
        "1512345678",
        "",
        "01",
        "021000021",
        "DA",
        "987654321",
        paid.strftime("%Y%m%d") if paid is not None else "",
    ]


def _dtm(period: str) -> Segment:
    if "-" in period:
        return ["DTM", "582", "", "", "", "RD8", period]
    return ["DTM", "582", period]
