"""An 820 premium payment (005010X218, 004010X061A1) read as a payment statement (SPEC §6).

Each individual remittance loop (2000B: ENT, its 2100B NM1) is a member; each of its 2300B RMR
segments is a paid line (RMR04) for the coverage month its DTM*582 names (the transaction's own
DTM*582 when the line has none). An ADX is an adjustment line, signed as the guide signs it
(negative reduces the payment): under an RMR (2320B) it is for that line's month; at the member
level (2200B, a previous payment's adjustment) for the month of the member's lines. A period
over several months is refused at its DTM, never split by guessing. BPR02 is the stated total,
BPR16 the payment date, TRN02 the reference. Organization summary loops (2000A) pay no member
and are left out, with a decision saying so.
"""

from __future__ import annotations

from collections.abc import Sequence
from decimal import Decimal

import polars as pl

from pmpm_desktop.core.money import cents_to_money, dollars_text
from pmpm_desktop.io.machine_file import Fact, Format, MachineFile
from pmpm_desktop.io.options import DecisionKind, FileKind, ReadDecision
from pmpm_desktop.io.parsed import ParsedFile
from pmpm_desktop.io.values import parse_amount, parse_month
from pmpm_desktop.io.x12.adjustment_codes import adjustment_line_type
from pmpm_desktop.io.x12.payment_header import (
    combined,
    payment_facts,
    segment_problem,
)
from pmpm_desktop.io.x12.premium_loops import Line, Period, Remittance, walk
from pmpm_desktop.io.x12.sources import Choice, chosen, first_filled, given_source
from pmpm_desktop.io.x12.statement_rows import Column, Labels, StatementTable
from pmpm_desktop.io.x12.transaction import X12Input, element

_IDS = ("NM1*IL09", "ENT04")
# The line's REF read as its line type when the payer names none: mutually defined first.
_LINE_TYPES = ("REF*ZZ", "REF*18")


def read_premium_payment(source: X12Input) -> MachineFile:
    """The 820 sets of ``source`` as a statement MachineFile."""
    payments, loops = walk(source)
    members = [r for r in loops if r.individual]
    member_id = _member_id_choice(source)
    rmrs = [line for r in members for line in r.lines if line.tag == "RMR"]
    line_type = _line_type_choice(source, rmrs)
    table = StatementTable(
        [
            Column("member_id", member_id.source or "NM1*IL09", *_origin(member_id.source)),
            Column("coverage_month", "DTM*582", "DTM*582", "06"),
            Column("coverage_end", "DTM*582 (end)", "DTM*582", "06"),
            Column("amount", "RMR04/ADX01", "RMR", "04"),
            # Named for the element chosen, so the mapping read back chooses it again.
            Column("line_type", line_type.source or "REF", line_type.source or "REF", "02"),
        ]
    )
    table.decisions.append(member_id.decision)
    if line_type.source is not None or any(line.refs for line in rmrs):
        table.decisions.append(line_type.decision)
    for p in payments:
        table.problems.extend(p.problems)
    shapes: dict[tuple[str, str, str, str], Labels] = {}
    for member in members:
        _add_member(table, member, member_id.source or "NM1*IL09", line_type.source, shapes)
    _organizations(table, [r for r in loops if not r.individual])
    total, date, reference = combined(payments)
    parsed = table.read(
        source,
        kind_text=f"it is a payment statement: {source.standard()}",
        payment_date=date,
        reference=reference,
    )
    facts = [
        *source.interchange.facts(),
        *payment_facts(payments),
        Fact("Members (loop 2000B)", f"{len(members):,}"),
        *_line_facts(parsed, total),
    ]
    return MachineFile(
        format=Format.X12,
        kind=FileKind.STATEMENT,
        standard=source.standard(),
        parsed=parsed,
        facts=tuple(facts),
        interchange=source.interchange.identity,
        stated_total=total,
        payment_date=date,
        reference=reference,
    )


def _add_member(
    table: StatementTable,
    member: Remittance,
    id_source: str,
    ref: str | None,
    shapes: dict[tuple[str, str, str, str], Labels],
) -> None:
    ident, id_number, id_segment = _member_ident(member, id_source)
    name = _name(member.nm1)
    header = member.header
    qualifier = ref.removeprefix("REF*") if ref else None
    for line in member.lines:
        period = _line_period(line, header)
        if line.tag == "ADX" and line.parent is None and line.period is None:
            months = _months_of(member)
            if len(months) > 1:
                shown = ", ".join(_shown(p) for p in months.values())
                table.problems.append(
                    segment_problem(
                        line.number,
                        "ADX",
                        "the adjustment is for a previous payment (loop 2200B) and names no "
                        f"coverage month, and the member's lines cover several ({shown}): "
                        "one month per line is expected",
                    )
                )
                continue
            period = next(iter(months.values())) if months else header
        if line.tag == "RMR":
            found = line.refs.get(qualifier) if qualifier else None
            kind, kind_number = found if found else (None, 0)
        else:
            kind, kind_number = adjustment_line_type(line.code), line.number
        when = period.element if period is not None else "06"
        shape = (id_segment, when, line.tag, ref or "REF")
        labels = shapes.get(shape)
        if labels is None:
            labels = shapes[shape] = _labels(*shape, id_source)
        start = period.number if period is not None else 0
        table.append(
            line.number,
            line.tag,
            (
                ident or None,
                (period.start or None) if period is not None else None,
                period.end if period is not None else None,
                line.amount or None,
                kind or None,
            ),
            (id_number, start, start if period and period.end else 0, line.number, kind_number),
            labels,
            name,
        )


def _labels(id_segment: str, when: str, tag: str, ref: str, id_source: str) -> Labels:
    """The segment names and elements of a row's cells, in column order."""
    amount = ("RMR", "04") if tag == "RMR" else ("ADX", "01")
    kind = (ref, "02") if tag == "RMR" else ("ADX", "02")
    return (
        (id_segment, _origin(id_source)[1]),
        ("DTM*582", when),
        ("DTM*582", "06"),
        amount,
        kind,
    )


def _months_of(member: Remittance) -> dict[str, Period | None]:
    """The distinct periods of a member's RMR lines, by what they cover."""
    periods = (_line_period(x, member.header) for x in member.lines if x.tag == "RMR")
    return {_period_key(p): p for p in periods}


def _line_period(line: Line, header: Period | None) -> Period | None:
    """A line's DTM*582: its own, its RMR's (an ADX under it), else the transaction's."""
    if line.period is not None:
        return line.period
    if line.parent is not None and line.parent.period is not None:
        return line.parent.period
    return header


def _period_key(period: Period | None) -> str:
    """What a period covers, for telling whether a member's lines cover one month."""
    if period is None:
        return ""
    try:
        first, last = parse_month(period.start), parse_month(period.end or period.start)
    except ValueError:
        return f"{period.start}-{period.end or ''}"
    return f"{first}-{last}"


def _shown(period: Period | None) -> str:
    if period is None:
        return "none"
    return f"{period.start}-{period.end}" if period.end else period.start


def _member_ident(member: Remittance, source: str) -> tuple[str, int, str]:
    """The member's ID, the number of its segment (0: none) and the segment's name."""
    if source == "NM1*IL09":
        if member.nm1 is None:
            return "", 0, "NM1*IL"
        nm1 = member.nm1
        ident = nm1[9].strip() if len(nm1) > 9 else ""
        return ident, member.nm1_number, f"NM1*{element(nm1, 1)}"
    if source == "ENT04":
        return member.ident, member.number, "ENT"
    value, number = member.refs.get(source.removeprefix("REF*"), ("", 0))
    return value, number, source


def _name(nm1: list[str] | None) -> str | None:
    """``LAST, FIRST`` from NM103 and NM104."""
    if nm1 is None:
        return None
    last = nm1[3].strip() if len(nm1) > 3 else ""
    first = nm1[4].strip() if len(nm1) > 4 else ""
    if last and first:
        return f"{last}, {first}"
    return last or first or None


def _origin(source: str | None) -> tuple[str, str]:
    if source is None or source.startswith("REF*"):
        return (source or "REF", "02")
    return source[:-2], source[-2:]


def _member_id_choice(source: X12Input) -> Choice:
    given = given_source("member_id", source.mapping, _IDS)
    if given is not None:
        return chosen("member_id", given)
    return Choice(
        "NM1*IL09",
        ReadDecision(
            DecisionKind.COLUMN,
            "member ID is read from NM109 of the member's NM1 (loop 2100B), the guide's "
            "individual identifier (ENT04 or a REF such as REF*0F can be chosen for this payer)",
            column="NM1*IL09",
        ),
    )


def _line_type_choice(source: X12Input, rmrs: Sequence[Line]) -> Choice:
    given = given_source("line_type", source.mapping, ())
    if given is not None:
        return chosen("line_type", given)
    order = dict.fromkeys([*_LINE_TYPES, *(f"REF*{q}" for line in rmrs for q in line.refs)])

    def values(name: str) -> list[str]:
        qualifier = name.removeprefix("REF*")
        return [line.refs.get(qualifier, ("", 0))[0] for line in rmrs]

    return first_filled("line_type", list(order), values)


def _organizations(table: StatementTable, loops: Sequence[Remittance]) -> None:
    """A decision for the organization summary loops (2000A), which pay no member."""
    lines = [line for r in loops for line in r.lines]
    if not loops:
        return
    total = Decimal(0)
    for line in lines:
        try:
            total += parse_amount(line.amount) or 0
        except ValueError:
            pass
    table.decisions.append(
        ReadDecision(
            DecisionKind.SKIPPED,
            f"{len(loops):,} organization summary loop{'s' if len(loops) != 1 else ''} "
            f"(2000A, {len(lines):,} line{'s' if len(lines) != 1 else ''}, {dollars_text(total)}) "
            f"name{'' if len(loops) != 1 else 's'} no member: left out (PMPM reads the "
            "members' lines, loop 2000B)",
            tuple(r.number for r in loops),
        )
    )


def _line_facts(parsed: ParsedFile, total: Decimal | None) -> list[Fact]:
    """Lines, their sum per coverage month, and the sum against BPR02."""
    frame = parsed.frame
    adjustments = frame.filter(pl.col("line_type").str.starts_with("adjustment ")).height
    facts = [
        Fact(
            "Lines (RMR, ADX)",
            f"{frame.height - adjustments:,} paid, {adjustments:,} adjustment"
            f"{'s' if adjustments != 1 else ''}",
        )
    ]
    months = (
        frame.group_by("coverage_month")
        .agg(pl.len().alias("n"), pl.col("amount_cents").sum().alias("cents"))
        .sort("coverage_month")
    )
    for month, n, cents in months.iter_rows():
        facts.append(
            Fact(
                f"Coverage month {month}",
                f"{n:,} line{'s' if n != 1 else ''}, {dollars_text(cents_to_money(cents))}",
            )
        )
    paid = cents_to_money(int(frame["amount_cents"].sum()))
    facts.append(Fact("Sum of the lines", dollars_text(paid)))
    if total is not None and total != paid and not parsed.problems:
        facts.append(
            Fact(
                "Stated total check",
                f"BPR02 {dollars_text(total)} differs from the sum of the lines "
                f"{dollars_text(paid)} by {dollars_text(total - paid)}",
            )
        )
    return facts
