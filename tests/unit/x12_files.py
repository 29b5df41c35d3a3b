"""Writers of X12 interchanges for tests and the benchmark.

``interchange()`` wraps transaction-set bodies (the segments between ST and SE, each a list of
elements with the segment ID first) in ST/SE, GS/GE and ISA/IEA with the right counts and
control numbers, in any separators and line breaks; ``Wrong`` breaks a count or a control
number on purpose. ``enrollment()`` and ``eligibility()`` write 834 and 271 bodies from plain
member records; ``x12_834(members)`` writes a large 834 the way a Medicaid plan sends one.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from dataclasses import dataclass, field

from pmpm_desktop.io.x12.segments import Separators

Segment = Sequence[str]

#: the guide's usual separators
STANDARD = Separators("*", ":", "~", "^")
#: transaction set → (GS01 functional identifier, 005010 guide, 004010 guide)
_GROUPS = {
    "834": ("BE", "005010X220A1", "004010X095A1"),
    "271": ("HB", "005010X279A1", "004010X092A1"),
    "820": ("RA", "005010X218", "004010X061A1"),
    "835": ("HP", "005010X221A1", "004010X091A1"),
    "837": ("HC", "005010X222A1", "004010X098A1"),
}


@dataclass(frozen=True)
class Wrong:
    """Envelope values written wrong on purpose (None: the right value).

    ``se_count`` and ``se_control`` are per transaction set (its index); ``omit`` leaves out
    the named control segments ("SE", "GE", "IEA")."""

    se_count: dict[int, int] = field(default_factory=dict)
    se_control: dict[int, str] = field(default_factory=dict)
    ge_count: int | None = None
    ge_control: str | None = None
    iea_count: int | None = None
    iea_control: str | None = None
    omit: frozenset[str] = frozenset()


def interchange(
    transactions: Sequence[Sequence[Segment]],
    *,
    code: str = "834",
    version: str = "005010",
    guide: str | None = None,
    separators: Separators = STANDARD,
    line_breaks: str = "\n",
    control: int = 1,
    group_control: int = 1,
    sender: tuple[str, str] = ("ZZ", "ACMEHEALTH"),
    receiver: tuple[str, str] = ("ZZ", "SUNPRACTICE"),
    when: dt.datetime = dt.datetime(2026, 4, 1, 9, 30),
    usage: str = "P",
    groups: Sequence[int] | None = None,
    wrong: Wrong | None = None,
    bom: bool = False,
    encoding: str = "utf-8",
) -> bytes:
    """An interchange holding ``transactions`` (each the segments between its ST and SE) of
    transaction set ``code``, in ``version`` 005010 or 004010.

    ``groups`` splits the sets over functional groups (their sizes; default one group);
    ``line_breaks`` is written after every terminator ("" for none)."""
    wrong = wrong or Wrong()
    functional, guide5, guide4 = _GROUPS.get(code, ("XX", f"005010X{code}", f"004010X{code}"))
    gs08 = guide or (guide5 if version == "005010" else guide4)
    sizes = list(groups) if groups is not None else [len(transactions)]
    assert sum(sizes) == len(transactions)
    c = separators.component
    five = version >= "005010"
    rep = separators.repetition if five and separators.repetition else "U"
    isa = [
        "ISA",
        "00",
        " " * 10,
        "00",
        " " * 10,
        sender[0],
        sender[1].ljust(15),
        receiver[0],
        receiver[1].ljust(15),
        when.strftime("%y%m%d"),
        when.strftime("%H%M"),
        rep,
        "00501" if five else "00401",
        f"{control:09d}",
        "0",
        usage,
    ]
    out: list[Segment] = [[*isa, c]]
    index = 0
    for g, size in enumerate(sizes):
        gcontrol = str(group_control + g)
        out.append(
            [
                "GS",
                functional,
                sender[1],
                receiver[1],
                when.strftime("%Y%m%d"),
                when.strftime("%H%M"),
                gcontrol,
                "X",
                gs08,
            ]
        )
        for _ in range(size):
            body = transactions[index]
            st_control = f"{index + 1:04d}"
            st = ["ST", code, st_control, *([gs08] if five else [])]
            count = wrong.se_count.get(index, len(body) + 2)
            out.append(st)
            out.extend(body)
            if "SE" not in wrong.omit:
                out.append(["SE", str(count), wrong.se_control.get(index, st_control)])
            index += 1
        if "GE" not in wrong.omit:
            ge_count = wrong.ge_count if wrong.ge_count is not None else size
            out.append(["GE", str(ge_count), wrong.ge_control or gcontrol])
    if "IEA" not in wrong.omit:
        iea_count = wrong.iea_count if wrong.iea_count is not None else len(sizes)
        out.append(["IEA", str(iea_count), wrong.iea_control or f"{control:09d}"])
    text = write_segments(out, separators, line_breaks)
    data = text.encode(encoding)
    return (b"\xef\xbb\xbf" + data) if bom else data


def write_segments(segments: Sequence[Segment], separators: Separators, line_breaks: str) -> str:
    """Segments joined with the separators, trailing empty elements dropped (as the standard
    writes them; the ISA keeps all of its elements)."""
    e, term = separators.element, separators.segment
    lines = []
    for seg in segments:
        elements = list(seg)
        if elements[0] != "ISA":
            while len(elements) > 1 and elements[-1] == "":
                elements.pop()
        lines.append(e.join(elements) + term + line_breaks)
    return "".join(lines)


# --- 834 benefit enrollment ------------------------------------------------------------------


@dataclass(frozen=True)
class Coverage834:
    """One HD loop (2300) of a member."""

    line: str = "HLT"  # HD03
    plan: str = "MCD"  # HD04
    begin: str | None = "20260101"  # DTP*348
    end: str | None = None  # DTP*349
    #: 2300 REF qualifier → value (``{"17": "TANF-A"}``)
    refs: dict[str, str] = field(default_factory=dict)
    pcp: str | None = None  # NM1*P3 NPI in a 2310 loop
    maintenance: str = "030"  # HD01


@dataclass(frozen=True)
class Member834:
    """One INS loop (2000)."""

    member_id: str
    last: str = "DOE"
    first: str = "JANE"
    dob: str | None = "19800515"
    sex: str | None = "F"
    subscriber: bool = True
    maintenance: str = "030"  # INS03
    subscriber_id: str | None = None  # REF*0F (the member ID when None)
    client_number: str | None = None  # REF*23
    #: DTP*356 / DTP*357 eligibility begin and end (loop 2000)
    eligibility: tuple[str | None, str | None] = (None, None)
    #: loop 2000 REF qualifier → value
    refs: dict[str, str] = field(default_factory=dict)
    coverages: tuple[Coverage834, ...] = (Coverage834(),)
    #: False: the INS loop has no NM1*IL (a broken file)
    named: bool = True


def enrollment_body(
    members: Sequence[Member834],
    *,
    action: str = "4",
    reference: str = "20260401-0001",
    date: str = "20260401",
    sponsor: str = "STATE MEDICAID",
    insurer: str = "ACME HEALTH PLAN",
) -> list[list[str]]:
    """The segments of an 834 between ST and SE: BGN (BGN08 ``action``: 4 verify, 2 change,
    RX replace), the sponsor and insurer, and each member's loops."""
    body = [
        ["BGN", "00", reference, date, "0930", "", "", "", action],
        ["N1", "P5", sponsor, "FI", "123456789"],
        ["N1", "IN", insurer, "FI", "987654321"],
    ]
    for m in members:
        body.append(
            ["INS", "Y" if m.subscriber else "N", "18" if m.subscriber else "19", m.maintenance]
            + ["XN", "A", "", "", "FT"]
        )
        body.append(["REF", "0F", m.subscriber_id or m.member_id])
        if m.client_number:
            body.append(["REF", "23", m.client_number])
        body += [["REF", q, v] for q, v in m.refs.items()]
        begin, end = m.eligibility
        if begin:
            body.append(["DTP", "356", "D8", begin])
        if end:
            body.append(["DTP", "357", "D8", end])
        if m.named:
            body.append(["NM1", "IL", "1", m.last, m.first, "", "", "", "ZZ", m.member_id])
            body.append(["N3", "1 MAIN ST"])
            body.append(["N4", "ANYTOWN", "PA", "17011"])
            if m.dob or m.sex:
                body.append(["DMG", "D8", m.dob or "", m.sex or ""])
        for c in m.coverages:
            body.append(["HD", c.maintenance, "", c.line, c.plan, "IND"])
            if c.begin:
                body.append(["DTP", "348", "D8", c.begin])
            if c.end:
                body.append(["DTP", "349", "D8", c.end])
            body += [["REF", q, v] for q, v in c.refs.items()]
            if c.pcp:
                body.append(["LX", "1"])
                body.append(["NM1", "P3", "1", "WELBY", "MARCUS", "", "", "", "XX", c.pcp])
    return body


def enrollment(
    members: Sequence[Member834],
    *,
    change: bool = False,
    version: str = "005010",
    sets: int = 1,
    **envelope: object,
) -> bytes:
    """An 834 interchange: a full file (BGN08 4), or a change file (BGN08 2); ``sets`` spreads
    the members over that many transaction sets."""
    action = "2" if change else "4"
    per = -(-len(members) // sets) if members else 0
    bodies = [enrollment_body(members[k * per : (k + 1) * per], action=action) for k in range(sets)]
    return interchange(bodies, code="834", version=version, **envelope)  # type: ignore[arg-type]


def x12_834(members: int, *, seed: int = 7, products: Sequence[str] = ("MCD", "CHIP")) -> bytes:
    """A full 834 of ``members`` members as a Medicaid plan sends one (the benchmark's file):
    each with REF*0F, NM1*IL, address, DMG, one HD loop (HD04 the product) with its begin date,
    a REF*17 rate cell, and a PCP in a 2310 loop; some termed. Written straight as text."""
    import random

    rng = random.Random(seed)
    cells = ("TANF-A", "TANF-C", "SSI", "EXP")
    lines = [
        "BGN*00*BENCH-0001*20260401*0930****4~",
        "N1*P5*STATE MEDICAID*FI*123456789~",
        "N1*IN*ACME HEALTH PLAN*FI*987654321~",
    ]
    for i in range(members):
        ident = f"{100000000 + i:09d}"
        sex = "F" if i % 2 else "M"
        dob = f"{1940 + rng.randrange(80)}{1 + rng.randrange(12):02d}{1 + rng.randrange(28):02d}"
        begin = f"2025{1 + rng.randrange(12):02d}01"
        lines.append("INS*Y*18*030*XN*A***FT~")
        lines.append(f"REF*0F*{ident}~")
        lines.append(f"NM1*IL*1*LAST{i}*FIRST{i}****ZZ*{ident}~")
        lines.append(f"N3*{i} MAIN ST~")
        lines.append("N4*ANYTOWN*PA*17011~")
        lines.append(f"DMG*D8*{dob}*{sex}~")
        lines.append(f"HD*030**HMO*{products[i % len(products)]}*IND~")
        lines.append(f"DTP*348*D8*{begin}~")
        if i % 50 == 0:
            lines.append("DTP*349*D8*20260430~")
        lines.append(f"REF*17*{cells[i % len(cells)]}~")
        lines.append("LX*1~")
        lines.append(f"NM1*P3*1*WELBY*MARCUS****XX*{1000000000 + i % 300}~")
    body = "\n".join(lines) + "\n"
    head = interchange([[]], code="834").decode()
    # The envelope of an empty set, with the body put in and the SE count set right.
    st_end = head.index("SE*")
    se_end = head.index("\n", st_end)
    count = len(lines) + 2
    return (head[:st_end] + body + f"SE*{count}*0001~" + head[se_end:]).encode()


# --- 271 eligibility response ------------------------------------------------------------------


@dataclass(frozen=True)
class Member271:
    """A subscriber (HL 22) or dependent (HL 23) loop with its coverage EB."""

    member_id: str | None
    last: str = "DOE"
    first: str = "JANE"
    dob: str | None = "19800515"
    sex: str | None = "F"
    dependent: bool = False
    status: str = "1"  # EB01: 1 active, 6 inactive
    insurance: str = "HM"  # EB04
    plan: str = "GOLD PLAN"  # EB05
    begin: str | None = "20260101"  # DTP*346
    end: str | None = None  # DTP*347
    #: DTP*291 plan dates written instead of 346/347 (``20260101-20261231``)
    plan_dates: str | None = None
    pcp: str | None = None


def eligibility(members: Sequence[Member271], **envelope: object) -> bytes:
    """An unsolicited 271: the payer and the practice, then a subscriber or dependent loop per
    member (a dependent under the subscriber before it)."""
    body = [
        ["BHT", "0022", "11", "ROSTER-0001", "20260401", "0930"],
        ["HL", "1", "", "20", "1"],
        ["NM1", "PR", "2", "ACME HEALTH PLAN", "", "", "", "", "PI", "12345"],
        ["HL", "2", "1", "21", "1"],
        ["NM1", "1P", "2", "SUN PRACTICE", "", "", "", "", "XX", "1234567893"],
    ]
    n, parent = 2, 2
    for m in members:
        n += 1
        if not m.dependent:
            parent = n
        qualifier = "03" if m.dependent else "IL"
        body.append(
            ["HL", str(n), str(parent if m.dependent else 2), "23" if m.dependent else "22", "0"]
        )
        body.append(
            [
                "NM1",
                qualifier,
                "1",
                m.last,
                m.first,
                "",
                "",
                "",
                "MI" if m.member_id else "",
                m.member_id or "",
            ]
        )
        if m.dob or m.sex:
            body.append(["DMG", "D8", m.dob or "", m.sex or ""])
        if m.plan_dates:
            body.append(["DTP", "291", "RD8", m.plan_dates])
        if m.begin:
            body.append(["DTP", "346", "D8", m.begin])
        if m.end:
            body.append(["DTP", "347", "D8", m.end])
        body.append(["EB", m.status, "", "30", m.insurance, m.plan])
        if m.pcp:
            body.append(["EB", "L"])
            body.append(["LS", "2120"])
            body.append(["NM1", "P3", "1", "WELBY", "MARCUS", "", "", "", "XX", m.pcp])
            body.append(["LE", "2120"])
    return interchange([body], code="271", **envelope)  # type: ignore[arg-type]
