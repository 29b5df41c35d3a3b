"""An 834 benefit enrollment (005010X220A1, 004010X095A1) read as a roster (SPEC §6).

One roster row per member INS loop, subscribers and dependents alike; a member with coverage
loops (HD) of several products the payer contracts for gets a row for each. BGN08 tells a full
file (every member, replacing the roster month) from a change file (BGN08 2: adds, terms,
changes and reinstatements to apply on top of the payer's latest roster, from INS03).
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Mapping, Sequence
from typing import Any

from pmpm_desktop.io.machine_file import Fact, Format, MachineFile, RosterChange
from pmpm_desktop.io.options import DecisionKind, FileKind, ReadDecision
from pmpm_desktop.io.x12.enrollment_loops import Enrollment, ref_column, walk
from pmpm_desktop.io.x12.roster_rows import Column, RosterTable, loop_problem
from pmpm_desktop.io.x12.sources import (
    Choice,
    chosen,
    first_filled,
    given_source,
    matches,
    product_source,
)
from pmpm_desktop.io.x12.transaction import X12Input, counted, month_of, shown_date

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
Columns = dict[str, list[Any]]
# The fields read from an element chosen per payer.
_CHOSEN = ("member_id", "product", "rate_cell")


def read_enrollment(source: X12Input) -> MachineFile:
    """The 834 sets of ``source`` as a roster MachineFile."""
    given = {
        "member_id": given_source("member_id", source.mapping, ("NM1*IL09",)),
        "product": given_source("product", source.mapping, ("HD03", "HD04")),
        "rate_cell": given_source("rate_cell", source.mapping, ("HD03", "HD04")),
    }
    found = walk(source.segments, source.sets)
    cols = found.columns
    change_file = found.action == "2" and any(k != "030" for k in found.maintenance)
    products = source.options.products
    product = _product_choice(given["product"], cols, products)
    rate_cell = _rate_cell_choice(given["rate_cell"], cols, product.source)
    member_id = _member_id_choice(given["member_id"], cols)
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
    audits = found.maintenance["030"]
    if change_file and audits:
        table.decisions.append(
            ReadDecision(
                DecisionKind.KIND,
                f"{counted(audits, 'audit record')} (INS03 030) in this change file: each "
                "applied as a change (the member as the file states it now)",
            )
        )
    kept = _coverages_kept(table, cols, product.source, products)
    for column in table.columns:
        if column.field in _CHOSEN:
            _values(cols, column.name)  # made before the rows are picked
    _fill(table, {name: _pick(cells, kept) for name, cells in cols.items()}, change_file)
    _people_sharing_ids(table, member_id.source or "NM1*IL09")
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


_SOURCES = {"HD04": ("hd04", "hd_at"), "HD03": ("hd03", "hd_at"), "NM1*IL09": ("ident", "name_at")}


def _values(cols: Columns, source: str) -> tuple[list[str], list[int]]:
    """A source's value on each row ("" when none) and the number of its segment (0); a REF
    column is made when first asked for."""
    value, at = _SOURCES.get(source, (source, source + "@"))
    if value not in cols:
        cols[value], cols[at] = ref_column(cols["refs"], cols["coverage_refs"], value[4:])
    return cols[value], cols[at]


def _pick(cells: list[Any], kept: list[int] | None) -> list[Any]:
    return cells if kept is None else [cells[k] for k in kept]


def _product_choice(given: str | None, cols: Columns, products: Sequence[str]) -> Choice:
    if given is not None:
        return chosen("product", given)
    order = _PRODUCTS if products else _PRODUCTS[:3]
    return product_source(order, lambda name: _values(cols, name)[0], products)


def _rate_cell_choice(given: str | None, cols: Columns, product: str | None) -> Choice:
    if given is not None:
        return chosen("rate_cell", given)
    order = [name for name in _RATE_CELLS if name != product]
    return first_filled("rate_cell", order, lambda name: _values(cols, name)[0])


def _member_id_choice(given: str | None, cols: Columns) -> Choice:
    if given is not None:
        return chosen("member_id", given)
    if not any(cols["ident"]) and any(_values(cols, "REF*0F")[0]):
        client = _values(cols, "REF*23")[0]
        if _shared(_values(cols, "REF*0F")[0], cols) and all(client) and not _shared(client, cols):
            return Choice(
                "REF*23",
                ReadDecision(
                    DecisionKind.COLUMN,
                    "member ID is read from REF*23 (client number): no member has an "
                    "NM1*IL09, and dependents share their subscriber's REF*0F",
                    column="REF*23",
                ),
            )
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


def _people_sharing_ids(table: RosterTable, source: str) -> None:
    """INS loops of two people (another date of birth or first name) under one member ID are
    a problem, never one member: the ID read is then not the member's own (a subscriber's
    REF*0F on a dependent), and the payer's member ID must be chosen."""
    ids, dobs, firsts = (table.cells[c] for c in (source, "DMG02", "NM1*IL04"))
    first_seen: dict[str, tuple[int, str | None, str | None]] = {}
    for k, row in enumerate(table.rows):
        ident = ids[k]
        if not ident:
            continue
        person = (row, dobs[k], firsts[k])
        seen = first_seen.setdefault(ident, person)
        if seen[1:] == person[1:] or seen[0] == row:
            continue
        table.problem(
            row,
            loop_problem(
                row,
                "INS",
                f"this member has the member ID ({source}) of the member at segment {seen[0]}, "
                "with another name or date of birth: it is not the member's own ID; choose "
                "the element that holds it (NM1*IL09, REF*23 or REF*0F)",
            ),
        )


def _shared(values: list[str], cols: Columns) -> bool:
    """Whether two members (INS loops) have the same value: then it is no member's own ID."""
    owner: dict[str, int] = {}
    for value, member in zip(values, cols["member"], strict=True):
        if value and owner.setdefault(value, member) != member:
            return True
    return False


def _coverages_kept(
    table: RosterTable, cols: Columns, product: str | None, products: Sequence[str]
) -> list[int] | None:
    """The rows read (None: all). Of a member's several HD loops, those of lines the payer
    has no contract for are skipped when another is one the payer contracts for: with
    product codes, the loops whose product is one; without, the medical ones."""
    members = cols["member"]
    if len(set(members)) == len(members):
        return None
    if products and product is not None:
        values = _values(cols, product)[0]
        verdicts = {v: matches(v, products) for v in set(values)}
        wanted = [verdicts[v] for v in values]
    else:
        wanted = [line.upper() not in _NOT_MEDICAL for line in cols["hd03"]]
    kept: list[int] = []
    skipped: list[int] = []
    k = 0
    while k < len(members):
        end = k + 1
        while end < len(members) and members[end] == members[k]:
            end += 1
        good = [j for j in range(k, end) if wanted[j]]
        if good and len(good) < end - k:
            kept += good
            skipped += [j for j in range(k, end) if not wanted[j]]
        else:
            kept += range(k, end)
        k = end
    if skipped:
        lines = Counter(cols["hd03"][j] or cols["hd04"][j] or "?" for j in skipped)
        shown = ", ".join(f"{line} ({n:,})" for line, n in lines.most_common(6))
        why = "of a product the payer has" if products else "of a medical line"
        table.decisions.append(
            ReadDecision(
                DecisionKind.SKIPPED,
                f"{counted(len(skipped), 'coverage loop')} (HD) of other lines skipped: {shown}; "
                f"each of their members has a coverage loop {why}",
                tuple(cols["hd_at"][j] for j in skipped),
            )
        )
    return kept


def _fill(table: RosterTable, cols: Columns, change_file: bool) -> None:
    """The table's rows, column by column, and the problems of each INS loop."""
    members, ins_at, hd_at = cols["member"], cols["ins_at"], cols["hd_at"]
    # A member's first row is at its INS; another coverage's row at its HD.
    rows = [
        ins if j == 0 or members[j - 1] != m or not hd else hd
        for j, (m, ins, hd) in enumerate(zip(members, ins_at, hd_at, strict=True))
    ]
    table.loops = {r: "HD" for r, ins in zip(rows, ins_at, strict=True) if r != ins}
    cells: dict[str, Sequence[str | None]] = {}
    segments: dict[str, Sequence[int]] = {}
    for column in table.columns:
        if column.field in _CHOSEN:
            cells[column.name], segments[column.name] = _values(cols, column.name)
    for name, value, at in (
        ("NM1*IL03", "last", "name_at"),
        ("NM1*IL04", "first", "name_at"),
        ("DMG02", "dob", "dmg_at"),
        ("DMG03", "sex", "dmg_at"),
        ("NM1*P309", "pcp", "pcp_at"),
        ("DTP*348", "begin", "begin_at"),
        ("DTP*349", "end", "end_at"),
    ):
        cells[name], segments[name] = cols[value], cols[at]
    for name, key, own, other in (
        ("DTP*348", "begin", "348", "356"),
        ("DTP*349", "end", "349", "357"),
    ):
        relabeled = {
            row: f"DTP*{other}"
            for row, at, mine in zip(rows, cols[f"{key}_at"], cols[f"{key}_own"], strict=True)
            if at and not mine
        }
        which = "begin" if own == "348" else "end"
        text = f"{'effective' if own == '348' else 'term'} dates are DTP*{own} (benefit {which})"
        if relabeled:
            table.relabeled[name] = relabeled
            text += (
                f"; DTP*{other} (eligibility {which}) for {counted(len(relabeled), 'row')} "
                f"whose coverage has no DTP*{own}"
            )
        if any(cols[f"{key}_at"]):
            table.decisions.append(ReadDecision(DecisionKind.COLUMN, text, column=name))
    table.set_columns(rows, cells, segments)
    maintenance = cols["maintenance"]
    if change_file:
        table.changes = [_CHANGES.get(code) for code in maintenance]
    for row, ins, name_at, code, end in zip(
        rows, ins_at, cols["name_at"], maintenance, cols["end"], strict=True
    ):
        if not name_at or code == "024" or (change_file and code not in _CHANGES):
            _check(table, row, ins, name_at, code, change_file, bool(end))


def _check(
    table: RosterTable, row: int, ins: int, name_at: int, code: str, change_file: bool, ends: bool
) -> None:
    """The problems of a member's INS loop, at the INS segment."""
    if not name_at:
        table.problem(
            row,
            loop_problem(ins, "INS", "the member has no NM1*IL segment (loop 2100A: name and ID)"),
            covers=table.columns[0].name,
        )
    if change_file and code not in _CHANGES:
        table.problem(
            row,
            loop_problem(
                ins,
                "INS",
                "not a maintenance type PMPM applies (021 add, 024 term, 001 change, "
                "025 reinstate, 030 audit)",
                code,
                "03",
            ),
        )
    if code == "024" and not ends:
        reason = "a termination with no end date (DTP*349 or DTP*357)"
        table.problem(row, loop_problem(ins, "INS", reason, code, "03"))


def _facts(found: Enrollment, table: RosterTable, change_file: bool) -> list[Fact]:
    members, dependents = found.members, found.dependents
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
            f"{members:,} ({counted(members - dependents, 'subscriber')}, "
            f"{counted(dependents, 'dependent')})",
        )
    )
    if len(table) != members:
        facts.append(Fact("Roster rows", f"{len(table):,} (a row per coverage)"))
    if found.stated_total:
        facts.append(Fact("Members stated (QTY*TO)", found.stated_total))
    if change_file:
        facts.append(Fact("Changes", _changes(found.maintenance)))
    return facts


def _changes(maintenance: Mapping[str, int]) -> str:
    """``2 adds, 1 term, 1 change, 1 reinstatement``."""
    counts: Counter[RosterChange | None] = Counter()
    for code, n in maintenance.items():
        counts[_CHANGES.get(code)] += n
    words = [
        counted(counts[c], c.value)
        for c in (RosterChange.ADD, RosterChange.TERM, RosterChange.CHANGE)
        if counts[c]
    ]
    if counts[RosterChange.REINSTATE]:
        words.append(counted(counts[RosterChange.REINSTATE], "reinstatement"))
    return ", ".join(words) or "none"
