"""A 271 eligibility response (005010X279A1) sent unsolicited as a roster (SPEC §6).

Each subscriber (HL level 22, loop 2000C) and dependent (HL 23, 2000D) is a member: the name
and ID from NM1*IL (NM1*03 for a dependent), DMG, and an EB coverage loop (2110) whose EB01
says whether the coverage is active (1–5) or inactive (6–8). Dates: DTP*346 plan begin and
DTP*347 plan end (the EB loop's own, else the member's), DTP*291 or DTP*307 where neither is
given; the PCP is the NM1*P3 of a 2120 loop (between LS and LE). The product is EB05 (plan
coverage description) or EB04 (insurance type code), chosen as for an 834.
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, field

from pmpm_desktop.io.machine_file import Fact, Format, MachineFile
from pmpm_desktop.io.options import DecisionKind, FileKind, ReadDecision
from pmpm_desktop.io.x12.enrollment_loops import begin_of, end_of
from pmpm_desktop.io.x12.roster_rows import Column, RosterTable, loop_problem
from pmpm_desktop.io.x12.sources import (
    chosen,
    given_source,
    matches,
    product_source,
)
from pmpm_desktop.io.x12.transaction import X12Input, counted, element, month_of, shown_date

_ACTIVE = frozenset("12345")
_INACTIVE = frozenset("678")
_HEADER, _MEMBER, _NAME, _BENEFIT, _PROVIDER = range(5)
Dates = dict[str, tuple[str, int]]


class _Benefit:
    __slots__ = ("segment", "status", "services", "insurance", "plan", "dates", "pcp")

    def __init__(self, segment: int, eb: list[str]) -> None:
        self.segment = segment
        self.status = element(eb, 1)  # EB01
        self.services = element(eb, 3)  # EB03, repeated service type codes
        self.insurance = element(eb, 4)  # EB04
        self.plan = element(eb, 5)  # EB05
        self.dates: Dates = {}
        self.pcp: tuple[str, int] | None = None


class _Member:
    __slots__ = (
        "segment",
        "dependent",
        "parent",
        "name_segment",
        "last",
        "first",
        "ident",
        "refs",
        "dmg_segment",
        "dob",
        "sex",
        "dates",
        "benefits",
        "rejected",
    )

    def __init__(self, segment: int, hl: list[str]) -> None:
        self.segment = segment
        self.dependent = element(hl, 3) == "23"
        self.parent = element(hl, 4) == "1"  # HL04: other levels below this one
        self.name_segment = self.dmg_segment = 0
        self.last = self.first = self.ident = self.dob = self.sex = ""
        self.refs: Dates = {}
        self.dates: Dates = {}
        self.benefits: list[_Benefit] = []
        self.rejected = False


@dataclass
class _Response:
    members: list[_Member] = field(default_factory=list)
    reference: str = ""  # BHT03
    date: str = ""  # BHT04
    source: str = ""  # NM1*PR, the information source (the payer)
    receiver: str = ""  # NM1*1P (or another 2100B name), the practice


def read_eligibility(source: X12Input) -> MachineFile:
    """The 271 sets of ``source`` as a roster MachineFile."""
    found = _walk(source)
    table, statuses = _table(source, found)
    parsed = table.read(
        source,
        month_hint=month_of(found.date),
        kind_text=f"it is a roster: {source.standard()}, an eligibility response",
    )
    return MachineFile(
        format=Format.X12,
        kind=FileKind.ROSTER,
        standard=source.standard(),
        parsed=parsed,
        facts=(*source.interchange.facts(), *_facts(found, table, statuses)),
        interchange=source.interchange.identity,
        reference=found.reference or None,
    )


def _walk(source: X12Input) -> _Response:
    out = _Response()
    texts, e = source.segments.texts, source.segments.separators.element
    for ts in source.sets:
        walker = _SetWalker(out)
        for i in ts.body:
            walker.segment(i + 1, texts[i].split(e))
    return out


class _SetWalker:
    """One transaction set's segments in order, and which member, benefit (EB) and loop the
    current one is in. Segments are numbered from 1, as messages name them."""

    def __init__(self, out: _Response) -> None:
        self.out = out
        self.member: _Member | None = None
        self.benefit: _Benefit | None = None
        self.loop = _HEADER

    def segment(self, n: int, seg: list[str]) -> None:
        if seg[0] == "HL":
            self._level(n, seg)
        elif self.member is None:
            _header(self.out, seg)
        else:
            self._member_segment(self.member, n, seg)

    def _level(self, n: int, seg: list[str]) -> None:
        self.benefit = None
        if element(seg, 3) in ("22", "23"):
            self.member = _Member(n, seg)
            self.out.members.append(self.member)
            self.loop = _MEMBER
        else:
            self.member, self.loop = None, _HEADER

    def _member_segment(self, member: _Member, n: int, seg: list[str]) -> None:
        tag = seg[0]
        if tag == "NM1":
            self._name(member, n, seg)
        elif tag in ("DTP", "REF", "DMG"):
            self._detail(member, n, seg)
        elif tag == "EB":
            self.benefit = _Benefit(n, seg)
            member.benefits.append(self.benefit)
            self.loop = _BENEFIT
        elif tag == "LS" and self.benefit is not None:
            self.loop = _PROVIDER
        elif tag == "LE" and self.benefit is not None:
            self.loop = _BENEFIT
        elif tag == "AAA" and self.loop in (_MEMBER, _NAME):
            member.rejected = True

    def _name(self, member: _Member, n: int, seg: list[str]) -> None:
        qualifier = element(seg, 1)
        benefit = self.benefit
        if self.loop == _MEMBER and qualifier in ("IL", "03"):
            member.name_segment = n
            member.last, member.first = element(seg, 3), element(seg, 4)
            member.ident = element(seg, 9)
            self.loop = _NAME
        elif self.loop == _PROVIDER and benefit is not None and qualifier == "P3":
            if element(seg, 9) and (benefit.pcp is None or element(seg, 8) == "XX"):
                benefit.pcp = (element(seg, 9), n)

    def _detail(self, member: _Member, n: int, seg: list[str]) -> None:
        """A date, reference or demographics segment of the member's name or its benefit."""
        tag, loop, benefit = seg[0], self.loop, self.benefit
        if tag == "DTP":
            dates = member.dates if loop == _NAME else benefit.dates if benefit else None
            if dates is not None and loop in (_NAME, _BENEFIT):
                dates.setdefault(element(seg, 1), (element(seg, 3), n))
        elif loop != _NAME:
            return
        elif tag == "REF":
            member.refs.setdefault(element(seg, 1), (element(seg, 2), n))
        elif not member.dmg_segment:  # DMG
            member.dmg_segment = n
            member.dob, member.sex = element(seg, 2), element(seg, 3)


def _header(out: _Response, seg: list[str]) -> None:
    tag = seg[0]
    if tag == "BHT" and not out.reference:
        out.reference, out.date = element(seg, 3), element(seg, 4)
    elif tag == "NM1":
        name = element(seg, 3) or element(seg, 9)
        if element(seg, 1) == "PR" and not out.source:
            out.source = name
        elif element(seg, 1) != "PR" and not out.receiver:
            out.receiver = name


def _coverage(m: _Member, source: X12Input, product: str | None) -> _Benefit | None:
    """The member's coverage EB: one of the payer's products when one is, else the health
    benefit plan coverage (service type 30), else the first."""
    covs = [b for b in m.benefits if b.status in _ACTIVE or b.status in _INACTIVE]
    if not covs:
        return None
    products = source.options.products
    if products and product is not None:
        for b in covs:
            if matches(_product_of(b, product), products):
                return b
    rep = source.segments.separators.repetition
    for b in covs:
        if "30" in (b.services.split(rep) if rep else [b.services]):
            return b
    return covs[0]


def _product_of(b: _Benefit, source: str) -> str:
    return b.plan if source == "EB05" else b.insurance


def _table(source: X12Input, found: _Response) -> tuple[RosterTable, Counter[str]]:
    given = given_source("product", source.mapping, ("EB04", "EB05"), refs=False)
    if given is not None:
        product = chosen("product", given)
    else:
        covs = [b for m in found.members for b in m.benefits if b.status in _ACTIVE | _INACTIVE]
        product = product_source(
            ("EB05", "EB04"),
            lambda name: [_product_of(b, name) for b in covs],
            source.options.products,
        )
    id_source = given_source("member_id", source.mapping, ("NM1*IL09",)) or "NM1*IL09"
    rate_cell = given_source("rate_cell", source.mapping, ())
    table = RosterTable(
        "HL",
        [
            Column("member_id", id_source, *_origin(id_source)),
            Column("last_name", "NM1*IL03", "NM1*IL", "03"),
            Column("first_name", "NM1*IL04", "NM1*IL", "04"),
            Column("dob", "DMG02", "DMG", "02"),
            Column("sex", "DMG03", "DMG", "03"),
            Column("product", product.source or "EB05", "EB", (product.source or "EB05")[2:]),
            *([Column("rate_cell", rate_cell, rate_cell, "02")] if rate_cell else []),
            Column("pcp", "NM1*P309", "NM1*P3", "09"),
            Column("effective_date", "DTP*346", "DTP*346", "03"),
            Column("term_date", "DTP*347", "DTP*347", "03"),
        ],
    )
    table.decisions.append(product.decision)
    if id_source != "NM1*IL09":
        table.decisions.append(chosen("member_id", id_source).decision)
    skipped = [m for m in found.members if not m.benefits and (m.parent or m.rejected)]
    if skipped:
        table.decisions.append(
            ReadDecision(
                DecisionKind.SKIPPED,
                f"{counted(len(skipped), 'subscriber loop')} with no coverage (EB) of their own, "
                "only dependents or a rejection (AAA): not members",
                tuple(m.segment for m in skipped),
            )
        )
    statuses: Counter[str] = Counter()
    for m in found.members:
        if not m.benefits and (m.parent or m.rejected):
            continue
        coverage = _coverage(m, source, product.source)
        if coverage is not None:
            statuses["active" if coverage.status in _ACTIVE else "inactive"] += 1
        _row(table, m, coverage, product.source, rate_cell)
    return table, statuses


def _origin(source: str) -> tuple[str, str]:
    return ("NM1*IL", "09") if source == "NM1*IL09" else (source, "02")


def _row(
    table: RosterTable,
    m: _Member,
    b: _Benefit | None,
    product: str | None,
    rate_cell: str | None,
) -> None:
    row = m.segment
    id_name = table.columns[0].name
    if m.dependent:
        # A dependent's name (and ID) is in NM1*03, in the columns named for NM1*IL.
        named = ["NM1*IL03", "NM1*IL04", *(["NM1*IL09"] if id_name == "NM1*IL09" else [])]
        for name in named:
            table.relabeled.setdefault(name, {})[row] = "NM1*03"
    if id_name == "NM1*IL09":
        ident, ident_at = m.ident, m.name_segment
    else:
        ident, ident_at = m.refs.get(id_name[4:], ("", 0))
    value, value_at = "", 0
    if b is not None and product is not None:
        others = [x for x in m.benefits if x is not b and x.status == b.status]
        holder = next((x for x in (b, *others) if _product_of(x, product)), b)
        value, value_at = _product_of(holder, product), holder.segment
    cells: list[str | None] = [ident, m.last, m.first, m.dob, m.sex, value]
    numbers = [ident_at, m.name_segment, m.name_segment, m.dmg_segment, m.dmg_segment, value_at]
    if rate_cell is not None:
        ref, ref_at = m.refs.get(rate_cell[4:], ("", 0))
        cells.append(ref)
        numbers.append(ref_at)
    pcp = next((x.pcp for x in m.benefits if x.status == "L" and x.pcp), None)
    pcp = pcp or (b.pcp if b is not None else None)
    pcp = pcp or next((x.pcp for x in m.benefits if x.pcp), None)
    begin = _date(table, row, "346", ("291", "307"), b, m)
    end = _date(table, row, "347", ("291", "307"), b, m, ranges_only=True)
    cells += [pcp[0] if pcp else None, begin[0], end[0]]
    numbers += [pcp[1] if pcp else 0, begin[1], end[1]]
    table.append(row, tuple(c or None for c in cells), tuple(numbers))
    if not m.name_segment:
        who = "dependent" if m.dependent else "subscriber"
        table.problem(
            row,
            loop_problem(row, "HL", f"the {who} has no NM1 segment (name and member ID)"),
            covers=id_name,
        )
    elif m.dependent and id_name == "NM1*IL09" and not m.ident:
        table.problem(
            row,
            loop_problem(
                m.name_segment,
                "NM1*03",
                "the dependent has no member ID of its own; PMPM keeps one ID per member",
                element="09",
            ),
            covers=id_name,
        )
    if b is not None and b.status in _INACTIVE and not end[0]:
        table.problem(
            row,
            loop_problem(
                b.segment, "EB", "inactive coverage with no end date (DTP*347)", b.status, "01"
            ),
        )


def _date(
    table: RosterTable,
    row: int,
    own: str,
    others: tuple[str, ...],
    b: _Benefit | None,
    m: _Member,
    *,
    ranges_only: bool = False,
) -> tuple[str, int]:
    """A plan date: DTP*<own> of the coverage, else of the member; else the begin (or end) of
    DTP*291 or DTP*307, relabeled so a problem names the segment it came from."""
    holders = [x.dates for x in (b,) if x is not None] + [m.dates]
    for dates in holders:
        if own in dates:
            return dates[own]
    for q in others:
        for dates in holders:
            if q in dates:
                text, at = dates[q]
                if ranges_only and "-" not in text:
                    continue
                table.relabeled.setdefault(f"DTP*{own}", {})[row] = f"DTP*{q}"
                pick = begin_of if not ranges_only else end_of
                return pick(text), at
    return "", 0


def _facts(found: _Response, table: RosterTable, statuses: Counter[str]) -> list[Fact]:
    facts = []
    if found.source:
        facts.append(Fact("Information source (payer)", found.source))
    if found.receiver:
        facts.append(Fact("Information receiver", found.receiver))
    if found.reference:
        facts.append(Fact("Reference (BHT03)", found.reference))
    if found.date:
        facts.append(Fact("Response date (BHT04)", shown_date(found.date)))
    dependents = sum(1 for m in found.members if m.dependent)
    facts.append(
        Fact(
            "Members",
            f"{len(table):,} read ({counted(len(found.members) - dependents, 'subscriber loop')}"
            f", {counted(dependents, 'dependent loop')})",
        )
    )
    if statuses:
        facts.append(
            Fact("Coverage", ", ".join(f"{n:,} {word}" for word, n in sorted(statuses.items())))
        )
    return facts
