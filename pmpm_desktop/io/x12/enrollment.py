"""An 834 benefit enrollment (005010X220A1, 004010X095A1) read as a roster (SPEC §6).

One roster row per member INS loop, subscribers and dependents alike; a member with coverage
loops (HD) of several products the payer contracts for gets a row for each. BGN08 tells a full
file (every member, replacing the roster month) from a change file (BGN08 2: adds, terms,
changes and reinstatements to apply on top of the payer's latest roster, from INS03).
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Callable, Sequence

from pmpm_desktop.core.month import Month
from pmpm_desktop.io.machine_file import Fact, Format, MachineFile, RosterChange
from pmpm_desktop.io.options import DecisionKind, FileKind, ReadDecision
from pmpm_desktop.io.values import parse_date
from pmpm_desktop.io.x12.enrollment_loops import (
    Coverage,
    Enrollment,
    Member,
    begin_of,
    end_of,
    walk,
)
from pmpm_desktop.io.x12.roster_rows import Column, RosterTable, loop_problem
from pmpm_desktop.io.x12.sources import (
    Choice,
    chosen,
    first_filled,
    given_source,
    matches,
    product_source,
)
from pmpm_desktop.io.x12.transaction import X12Input, counted

_PRODUCTS = ("HD04", "REF*CE", "HD03", "REF*17", "REF*M7", "REF*ZZ")
_RATE_CELLS = ("REF*17", "REF*M7", "REF*ZZ")
_CHANGES = {
    "021": RosterChange.ADD,
    "024": RosterChange.TERM,
    "001": RosterChange.CHANGE,
    "025": RosterChange.REINSTATE,
    # An audit record in a change file states the member as it is now: applied as a change.
    "030": RosterChange.CHANGE,
}
# Lines of coverage a medical practice is not capitated for, skipped beside a medical line
# when the payer has no product codes to tell them apart: dental, vision, drugs, hearing,
# disability and long-term care.
_NOT_MEDICAL = frozenset({"DEN", "DCP", "VIS", "PDG", "MOD", "HE", "STD", "LTD", "LTC"})


def read_enrollment(source: X12Input) -> MachineFile:
    """The 834 sets of ``source`` as a roster MachineFile."""
    found = walk(source.segments, source.sets)
    change_file = found.action == "2" and any(m.maintenance != "030" for m in found.members)
    pairs = _Pairs(found.members)
    products = source.options.products
    product = _product_choice(source, pairs)
    rate_cell = _rate_cell_choice(source, pairs, product.source)
    member_id = _member_id_choice(source, found.members)
    table = RosterTable(
        "INS",
        [
            Column("member_id", member_id.source or "NM1*IL09", *_origin(member_id.source)),
            Column("last_name", "NM1*IL03", "NM1*IL", "03"),
            Column("first_name", "NM1*IL04", "NM1*IL", "04"),
            Column("dob", "DMG02", "DMG", "02"),
            Column("sex", "DMG03", "DMG", "03"),
            *[
                Column(name, choice.source, *_origin(choice.source))
                for name, choice in (("product", product), ("rate_cell", rate_cell))
                if choice.source is not None
            ],
            Column("pcp", "NM1*P309", "NM1*P3", "09"),
            Column("effective_date", "DTP*348", "DTP*348", "03"),
            Column("term_date", "DTP*349", "DTP*349", "03"),
        ],
    )
    table.decisions += [member_id.decision, product.decision, rate_cell.decision]
    if found.action == "2" and not change_file:
        table.decisions.append(
            ReadDecision(
                DecisionKind.KIND,
                "BGN08 says the file holds changes (2), but every member is an audit record "
                "(INS03 030): read as a full roster",
            )
        )
    kept = _coverages_kept(table, pairs, product.source, products)
    _fill(table, pairs, kept, change_file)
    label = "a change file" if change_file else "a full roster"
    parsed = table.read(
        source,
        month_hint=month_of(found.effective) or month_of(found.date),
        kind_text=f"it is a roster: {source.standard()}, {label} (BGN08 {found.action or 'blank'})",
    )
    return MachineFile(
        format=Format.X12,
        kind=FileKind.ROSTER,
        standard=source.standard(),
        parsed=parsed,
        facts=(*source.interchange.facts(), *_facts(found, table, change_file)),
        interchange=source.interchange.identity,
        change_file=change_file,
        reference=found.reference or None,
    )


def _origin(source: str | None) -> tuple[str, str]:
    """The segment and element of a source: ``HD04`` → (HD, 04), ``REF*CE`` → (REF*CE, 02),
    ``NM1*IL09`` → (NM1*IL, 09)."""
    if source is None or source.startswith("REF*"):
        return (source or "REF", "02")
    return source[:-2], source[-2:]


class _Pairs:
    """Each member with each of its coverage loops (a member without one: with None), and
    the values of a source (``HD04``, ``REF*17``) over them, read once."""

    def __init__(self, members: Sequence[Member]) -> None:
        self.members: list[Member] = []
        self.coverages: list[Coverage | None] = []
        for m in members:
            for c in m.coverages or (None,):
                self.members.append(m)
                self.coverages.append(c)
        self._values: dict[str, tuple[list[str], list[int]]] = {}

    def __len__(self) -> int:
        return len(self.members)

    def values(self, source: str) -> tuple[list[str], list[int]]:
        """The source's value on each pair ("" when none) and its segment number (0)."""
        if source not in self._values:
            self._values[source] = self._read(source)
        return self._values[source]

    def _read(self, source: str) -> tuple[list[str], list[int]]:
        cs = self.coverages
        if source in ("HD03", "HD04"):
            attr = "line" if source == "HD03" else "plan"
            values = [getattr(c, attr) if c is not None else "" for c in cs]
            return values, [c.segment if c is not None else 0 for c in cs]
        if source == "NM1*IL09":
            ms = self.members
            return [m.ident for m in ms], [m.name_segment for m in ms]
        # A REF of the coverage loop, else of the member's loop 2000.
        q = source.removeprefix("REF*")
        none = ("", 0)
        found = [
            (c.refs.get(q) if c is not None else None) or m.refs.get(q) or none
            for m, c in zip(self.members, cs, strict=True)
        ]
        return [f[0] for f in found], [f[1] for f in found]


def _product_choice(source: X12Input, pairs: _Pairs) -> Choice:
    given = given_source("product", source.mapping, ("HD03", "HD04"))
    if given is not None:
        return chosen("product", given)
    candidates = _PRODUCTS if source.options.products else _PRODUCTS[:3]
    return product_source(candidates, lambda name: pairs.values(name)[0], source.options.products)


def _rate_cell_choice(source: X12Input, pairs: _Pairs, product: str | None) -> Choice:
    given = given_source("rate_cell", source.mapping, ("HD03", "HD04"))
    if given is not None:
        return chosen("rate_cell", given)
    order = [name for name in _RATE_CELLS if name != product]
    return first_filled("rate_cell", order, lambda name: pairs.values(name)[0])


def _member_id_choice(source: X12Input, members: Sequence[Member]) -> Choice:
    given = given_source("member_id", source.mapping, ("NM1*IL09",))
    if given is not None:
        return chosen("member_id", given)
    if not any(m.ident for m in members) and any("0F" in m.refs for m in members):
        return Choice(
            "REF*0F",
            ReadDecision(
                DecisionKind.COLUMN,
                "member ID is read from REF*0F (subscriber number): no member has an NM1*IL09",
                column="REF*0F",
            ),
        )
    return Choice(
        "NM1*IL09",
        ReadDecision(
            DecisionKind.COLUMN,
            "member ID is read from NM1*IL09 (member identifier), the guide's member ID "
            "(REF*0F or REF*23 can be chosen for this payer)",
            column="NM1*IL09",
        ),
    )


def _coverages_kept(
    table: RosterTable, pairs: _Pairs, product: str | None, products: Sequence[str]
) -> list[int]:
    """The pairs read as rows. Of a member's several HD loops, those of lines the payer has
    no contract for are skipped when another is one the payer contracts for: with product
    codes, the loops whose product is one; without, the medical ones."""
    ms, cs = pairs.members, pairs.coverages
    several = [k for k in range(1, len(ms)) if ms[k] is ms[k - 1]]
    if not several:
        return list(range(len(ms)))
    if products and product is not None:
        values = pairs.values(product)[0]
        verdicts = {v: matches(v, products) for v in set(values)}
        wanted = [verdicts[v] for v in values]
    else:
        wanted = [c is None or c.line.upper() not in _NOT_MEDICAL for c in cs]
    kept: list[int] = []
    skipped: list[int] = []
    k = 0
    while k < len(ms):
        end = k + 1
        while end < len(ms) and ms[end] is ms[k]:
            end += 1
        good = [j for j in range(k, end) if wanted[j]]
        if good and len(good) < end - k:
            kept += good
            skipped += [j for j in range(k, end) if not wanted[j]]
        else:
            kept += range(k, end)
        k = end
    if skipped:
        lines = Counter(_line(cs[j]) for j in skipped)
        shown = ", ".join(f"{line} ({n:,})" for line, n in lines.most_common(6))
        why = "of a product the payer has" if products else "of a medical line"
        table.decisions.append(
            ReadDecision(
                DecisionKind.SKIPPED,
                f"{counted(len(skipped), 'coverage loop')} (HD) of other lines skipped: {shown}; "
                f"each of their members has a coverage loop {why}",
                tuple(c.segment for j in skipped if (c := cs[j]) is not None),
            )
        )
    return kept


def _line(c: Coverage | None) -> str:
    return (c.line or c.plan or "?") if c is not None else "?"


def _fill(table: RosterTable, pairs: _Pairs, kept: list[int], change_file: bool) -> None:
    """A row per kept pair, column by column, and the problems of each INS loop."""
    ms = [pairs.members[k] for k in kept]
    cs = [pairs.coverages[k] for k in kept]
    # The first row of a member is at its INS; another coverage's row at its HD.
    rows = [
        m.segment if j == 0 or ms[j - 1] is not m or c is None else c.segment
        for j, (m, c) in enumerate(zip(ms, cs, strict=True))
    ]
    table.loops = {r: "HD" for r, m in zip(rows, ms, strict=True) if r != m.segment}
    cells: dict[str, list[str | None]] = {}
    segments: dict[str, list[int]] = {}
    for column in table.columns:
        if column.field in ("member_id", "product", "rate_cell"):
            values, numbers = pairs.values(column.name)
            cells[column.name] = [values[k] for k in kept]
            segments[column.name] = [numbers[k] for k in kept]
    cells["NM1*IL03"] = [m.last for m in ms]
    cells["NM1*IL04"] = [m.first for m in ms]
    segments["NM1*IL03"] = segments["NM1*IL04"] = [m.name_segment for m in ms]
    cells["DMG02"] = [m.dob for m in ms]
    cells["DMG03"] = [m.sex for m in ms]
    segments["DMG02"] = segments["DMG03"] = [m.dmg_segment for m in ms]
    pcps = [c.pcp if c is not None else None for c in cs]
    cells["NM1*P309"] = [p[0] if p else None for p in pcps]
    segments["NM1*P309"] = [p[1] if p else 0 for p in pcps]
    for name, own, other, part in (
        ("DTP*348", "348", "356", begin_of),
        ("DTP*349", "349", "357", end_of),
    ):
        found, numbers, relabeled = _dates(rows, ms, cs, own, other, part)
        cells[name], segments[name] = found, numbers
        if relabeled:
            table.relabeled[name] = relabeled
            which = "begin" if own == "348" else "end"
            table.decisions.append(
                ReadDecision(
                    DecisionKind.COLUMN,
                    f"{'effective' if own == '348' else 'term'} dates are DTP*{own} (benefit "
                    f"{which}); DTP*{other} (eligibility {which}) for "
                    f"{counted(len(relabeled), 'row')} whose coverage has no DTP*{own}",
                    column=name,
                )
            )
    table.set_columns(rows, cells, segments)
    if change_file:
        table.changes = [_CHANGES.get(m.maintenance) for m in ms]
    terms = cells["DTP*349"]
    for row, m, term in zip(rows, ms, terms, strict=True):
        if not m.name_segment or m.maintenance == "024" or change_file:
            _check(table, m, row, change_file, bool(term))


def _dates(
    rows: Sequence[int],
    ms: Sequence[Member],
    cs: Sequence[Coverage | None],
    own: str,
    other: str,
    part: Callable[[str], str],
) -> tuple[list[str | None], list[int], dict[int, str]]:
    """The coverage's DTP*<own> of each row, else the member's DTP*<other>; the rows that
    took the member's, with the segment name a problem there must give."""
    found: list[str | None] = []
    numbers: list[int] = []
    relabeled: dict[int, str] = {}
    label = f"DTP*{other}"
    for row, m, c in zip(rows, ms, cs, strict=True):
        date = c.dates.get(own) if c is not None else None
        if date is None:
            date = m.dates.get(other)
            if date is not None:
                relabeled[row] = label
        if date is None:
            found.append(None)
            numbers.append(0)
        else:
            found.append(part(date[0]))
            numbers.append(date[1])
    return found, numbers, relabeled


def _check(table: RosterTable, m: Member, row: int, change_file: bool, ends: bool) -> None:
    """The problems of a member's INS loop, at the INS segment."""
    id_column = table.columns[0].name
    if not m.name_segment:
        table.problem(
            row,
            loop_problem(
                m.segment, "INS", "the member has no NM1*IL segment (loop 2100A: name and ID)"
            ),
            covers=id_column,
        )
    if change_file and m.maintenance not in _CHANGES:
        table.problem(
            row,
            loop_problem(
                m.segment,
                "INS",
                "not a maintenance type PMPM applies (021 add, 024 term, 001 change, "
                "025 reinstate, 030 audit)",
                m.maintenance,
                "03",
            ),
        )
    if m.maintenance == "024" and not ends:
        table.problem(
            row,
            loop_problem(
                m.segment,
                "INS",
                "a termination with no end date (DTP*349 or DTP*357)",
                m.maintenance,
                "03",
            ),
        )


def month_of(text: str) -> Month | None:
    """The month of a CCYYMMDD date of the file's header, None when it is not a date."""
    try:
        day = parse_date(text) if text else None
    except ValueError:
        return None
    return Month.of(day) if day is not None else None


def _facts(found: Enrollment, table: RosterTable, change_file: bool) -> list[Fact]:
    members = found.members
    dependents = sum(1 for m in members if not m.subscriber)
    facts = [
        Fact(
            "Contents",
            ("changes" if change_file else "full roster") + f" (BGN08 {found.action or 'blank'})",
        ),
    ]
    day = shown_date(found.date)
    if day:
        facts.append(Fact("File date", day))
    if found.reference:
        facts.append(Fact("Reference (BGN02)", found.reference))
    if found.sponsor:
        facts.append(Fact("Plan sponsor", found.sponsor))
    if found.insurer:
        facts.append(Fact("Insurer", found.insurer))
    facts.append(
        Fact(
            "Members",
            f"{len(members):,} ({counted(len(members) - dependents, 'subscriber')}, "
            f"{counted(dependents, 'dependent')})",
        )
    )
    if len(table) != len(members):
        facts.append(Fact("Roster rows", f"{len(table):,} (a row per coverage)"))
    if found.stated_total:
        facts.append(Fact("Members stated (QTY*TO)", found.stated_total))
    if change_file:
        counts = Counter(_CHANGES.get(m.maintenance) for m in members)
        words = [
            counted(counts[c], c.value)
            for c in (RosterChange.ADD, RosterChange.TERM, RosterChange.CHANGE)
            if counts[c]
        ]
        if counts[RosterChange.REINSTATE]:
            words.append(counted(counts[RosterChange.REINSTATE], "reinstatement"))
        facts.append(Fact("Changes", ", ".join(words) or "none"))
    return facts


def shown_date(text: str) -> str:
    """A CCYYMMDD date of the file's header as ``2026-04-01`` (as written when not a date)."""
    try:
        day = parse_date(text) if text else None
    except ValueError:
        return text
    return day.isoformat() if day is not None else text
