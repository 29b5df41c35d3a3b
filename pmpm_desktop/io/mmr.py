"""Read a CMS Monthly Membership Report detail file (MARx MMR, PCUG Appendix F) as both the
payment detail and the roster of its payment month (SPEC §6). The record is in
:mod:`io.mmr_layout`, with where its positions come from and what was assumed.

Payment detail (``parsed``, a statement): one line per member per month paid or adjusted.
``member_id`` is the MBI, ``coverage_month`` a month of the record's payment/adjustment
period, ``amount`` its share of the record's Total MA Payment Amount (the member's Part C
payment, Part A plus Part B, what an MA capitation is a share of; the payer's mapping may
name other amount fields by their PCUG names, ``"Total MA Payment Amount + Total Part D
Payment"``), ``line_type`` "payment" or the adjustment reason code with its meaning,
``reference`` "MMR <contract> <payment month>". A record covering several months (a retro
enrollment, a retro disenrollment, a RAF change) gives each month an even share of its amount
(the PCUG gives the amount for the whole period), the cents left over going to the earliest
months; a retro disenrollment is thus a negative line for each month it takes back.

Roster (``roster``): the members with a payment record for the payment month: MBI, surname,
first initial, sex, date of birth, product ``<contract>-<PBP>`` (``H1234-001``), risk score
= Risk Adjuster Factor A (Part C RAF), effective date = the start of the member's retroactive
enrollment in this file, else the first day of the payment month.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Mapping
from hashlib import sha256
from pathlib import Path

import polars as pl

from pmpm_desktop.core.money import cents_to_money, dollars_text
from pmpm_desktop.core.month import Month
from pmpm_desktop.io.fields import MappingError
from pmpm_desktop.io.fixed_width import and_list, decode_head, decode_text, split_lines
from pmpm_desktop.io.machine_file import Fact, Format, MachineFile, text_table
from pmpm_desktop.io.mmr_layout import (
    AMOUNTS,
    ARC,
    BENEFICIARY_ID,
    BIRTH_DATE,
    CONTRACT,
    CONTRACT_NUMBER,
    DEFAULT_AMOUNT,
    END_DATE,
    FIRST_INITIAL,
    PAYMENT_CODES,
    PAYMENT_DATE,
    RAF_A,
    RATES,
    RETRO_ENROLLMENT,
    RUN_DATE,
    SEX,
    START_DATE,
    SURNAME,
    MmrField,
    line_type,
)
from pmpm_desktop.io.mmr_records import Records, read_records
from pmpm_desktop.io.options import DecisionKind, FileKind, ReadDecision, ReadOptions
from pmpm_desktop.io.parsed import ParsedFile, RowProblem
from pmpm_desktop.io.read_errors import file_bytes
from pmpm_desktop.io.remittance_file import read_remittance
from pmpm_desktop.io.roster_file import read_roster

STANDARD = "CMS MMR (MARx Monthly Membership Detail Report data file)"
PRODUCT = "MCO Contract Number-Plan Benefit Package Id"


def amount_fields(mapping: Mapping[str, str] | None) -> tuple[MmrField, ...]:
    """The fields a line's amount is read from: ``mapping["amount"]`` names them by PCUG name
    (several joined by ``+``), else the Total MA Payment Amount. MappingError for a name that
    is no amount field of the record."""
    wanted = (mapping or {}).get("amount") or DEFAULT_AMOUNT
    by_key = {name.casefold(): f for name, f in AMOUNTS.items()}
    chosen = []
    for name in (part.strip() for part in wanted.split("+")):
        if name.casefold() in {r.casefold() for r in RATES}:
            raise MappingError(f"{name!r} is a monthly rate of the MMR, not an amount paid")
        if name.casefold() not in by_key:
            raise MappingError(
                f"{name!r} is no amount field of the MMR detail record "
                f"(amounts: {', '.join(AMOUNTS)})"
            )
        chosen.append(by_key[name.casefold()])
    return tuple(chosen)


def looks_like_mmr(head: bytes) -> bool:
    """True when the first bytes of a file are MMR detail records: each complete line at least
    as long as the record up to its Total MA Payment Amount, with a contract number (H, R or E
    and four digits) in columns 1–5, a run date and a payment month; and most lines with a
    payment period (a bad date in a record is a problem of that record, not another format).
    The file's name says nothing."""
    if b"\x00" in head:
        return False
    lines = split_lines(decode_head(head))
    complete = lines if head.endswith((b"\n", b"\r")) else lines[:-1]
    candidates = [line for line in complete if line.strip()][:20]
    minimum = AMOUNTS[DEFAULT_AMOUNT].end
    if not candidates and lines and len(lines[0]) >= END_DATE.end:
        candidates, minimum = lines[:1], END_DATE.end
    if not candidates or not all(len(line) >= minimum and _record(line) for line in candidates):
        return False
    periods = sum(1 for line in candidates if _period(line))
    return periods * 2 >= len(candidates)


def _cut(line: str, f: MmrField) -> str:
    return line[f.start - 1 : f.end]


def _record(line: str) -> bool:
    return (
        CONTRACT_NUMBER.match(_cut(line, CONTRACT)) is not None
        and _is_day(_cut(line, RUN_DATE))
        and _is_day(_cut(line, PAYMENT_DATE) + "01")
    )


def _period(line: str) -> bool:
    return _is_day(_cut(line, START_DATE)) and _is_day(_cut(line, END_DATE))


def _is_day(text: str) -> bool:
    # isascii: str.isdigit() is also true of '²', which int() refuses
    if len(text) != 8 or not (text.isascii() and text.isdigit()):
        return False
    year, month, day = int(text[:4]), int(text[4:6]), int(text[6:])
    return 1900 <= year <= 2999 and 1 <= month <= 12 and 1 <= day <= 31


def read_mmr(
    path: Path, *, options: ReadOptions, mapping: Mapping[str, str] | None = None
) -> MachineFile:
    """Read an MMR detail file: ``parsed`` its payment detail, ``roster`` the members paid
    for its payment month (``month``). FileReadError for a file that is not one (a line that
    is no detail record names its line and columns); every value problem is in the result."""
    amounts = amount_fields(mapping)
    data = file_bytes(path)
    records = read_records(path.name, split_lines(decode_text(data)), amounts)
    digest = sha256(data).hexdigest()
    month = max(records.payment_months)
    statement = _statement(path, records, amounts, options, digest)
    roster = _roster(path, records, month, options, digest)
    file_problems: tuple[str, ...] = ()
    if len(records.payment_months) > 1:
        named = and_list([str(m) for m in sorted(records.payment_months)])
        file_problems = (
            f"the records name {len(records.payment_months)} payment months ({named}): an MMR "
            "is the file of one payment month",
        )
    contracts = ", ".join(records.contracts)
    return MachineFile(
        format=Format.MMR,
        kind=FileKind.STATEMENT,
        standard=STANDARD,
        parsed=statement,
        roster=roster,
        facts=_facts(records, amounts, month, roster),
        interchange=f"MMR {contracts} {month} run {records.run_date}",
        month=month,
        reference=f"MMR {contracts} {month}",
        file_problems=file_problems,
    )


def _statement(
    path: Path,
    records: Records,
    amounts: tuple[MmrField, ...],
    options: ReadOptions,
    digest: str,
) -> ParsedFile:
    lines = records.lines
    amount_name = " + ".join(f.name for f in amounts)
    frame = lines.select(
        pl.col("mbi").alias(BENEFICIARY_ID.name),
        pl.col("month").alias(START_DATE.name),
        pl.col("amount").alias(amount_name),
        pl.col("arc").replace_strict(_line_types(lines["arc"])).alias(ARC.name),
        pl.col("member_name").alias(SURNAME.name),
        pl.format("MMR {} {}", pl.col("contract"), pl.col("payment_month")).alias(
            PAYMENT_DATE.name
        ),
    )
    mapping = {
        "member_id": BENEFICIARY_ID.name,
        "coverage_month": START_DATE.name,
        "amount": amount_name,
        "line_type": ARC.name,
        "member_name": SURNAME.name,
        "reference": PAYMENT_DATE.name,
    }
    raw = text_table(
        {c: frame[c].to_list() for c in frame.columns},
        lines["line"].to_list(),
        sha256=digest,
        file_name=path.name,
    )
    parsed = read_remittance(path, options=options, mapping=mapping, table=raw)
    return _merged(parsed, records.problems, records.decisions)


def _line_types(codes: pl.Series) -> dict[str, str]:
    return {code: line_type(code) for code in codes.unique().to_list()}


def _roster(
    path: Path, records: Records, month: Month, options: ReadOptions, digest: str
) -> ParsedFile:
    rec = records.records.filter(pl.col("roster_ok"))
    paid = rec.filter(
        pl.col("arc").is_in(list(PAYMENT_CODES)) & (pl.col("start_month") == str(month))
    )
    retro = (
        rec.filter(pl.col("arc") == RETRO_ENROLLMENT)
        .group_by("mbi")
        .agg(pl.col("start").min().alias("retro_start"))
    )
    members = paid.join(retro, on="mbi", how="left").with_columns(
        pl.min_horizontal("start", "retro_start").alias("effective")
    )
    columns = {
        BENEFICIARY_ID.name: pl.col("mbi"),
        SURNAME.name: pl.col("surname"),
        FIRST_INITIAL.name: pl.col("initial"),
        SEX.name: pl.col("sex"),
        BIRTH_DATE.name: pl.col("dob"),
        START_DATE.name: pl.col("effective"),
        PRODUCT: pl.col("product"),
        RAF_A.name: pl.col("raf"),
    }
    frame = members.select(*(e.alias(n) for n, e in columns.items()), pl.col("line"))
    frame = frame.unique(subset=list(columns), keep="first", maintain_order=True)
    mapping = {
        "member_id": BENEFICIARY_ID.name,
        "last_name": SURNAME.name,
        "first_name": FIRST_INITIAL.name,
        "sex": SEX.name,
        "dob": BIRTH_DATE.name,
        "effective_date": START_DATE.name,
        "product": PRODUCT,
        "risk_score": RAF_A.name,
    }
    raw = text_table(
        {c: frame[c].to_list() for c in columns},
        frame["line"].to_list(),
        sha256=digest,
        file_name=path.name,
    )
    parsed = read_roster(path, roster_month=month, options=options, mapping=mapping, table=raw)
    decisions = [*records.roster_decisions]
    others = records.records.height - paid.height
    if others:
        decisions.append(
            ReadDecision(
                DecisionKind.SKIPPED,
                f"{others} record(s) are adjustments or pay another month than {month}: "
                "payment detail only, not roster rows",
            )
        )
    if retro.height:
        decisions.append(
            ReadDecision(
                DecisionKind.VALUE,
                f"effective date: the start of the member's retroactive enrollment (ARC "
                f"{RETRO_ENROLLMENT}) for {retro.height} member(s), else the first day of {month}",
            )
        )
    return _merged(parsed, records.roster_problems, decisions)


def _merged(
    parsed: ParsedFile, problems: list[RowProblem], decisions: list[ReadDecision]
) -> ParsedFile:
    every = sorted([*parsed.problems, *problems], key=lambda p: p.row)
    return dataclasses.replace(
        parsed,
        problems=every,
        decisions=(*parsed.decisions[:1], *decisions, *parsed.decisions[1:]),
    )


def _facts(
    records: Records, amounts: tuple[MmrField, ...], month: Month, roster: ParsedFile
) -> tuple[Fact, ...]:
    rec = records.records
    adjustments = rec.filter(~pl.col("arc").is_in(list(PAYMENT_CODES))).height
    total = int(records.lines["cents"].sum()) if records.lines.height else 0
    what = " + ".join(f.name for f in amounts)
    return (
        Fact("Contract", ", ".join(records.contracts)),
        Fact("Payment month", str(month)),
        Fact("Run date", records.run_date.isoformat()),
        Fact("Records", f"{rec.height:,}"),
        Fact("Members", f"{roster.frame['member_id'].n_unique():,}"),
        Fact("Adjustment records", f"{adjustments:,}"),
        Fact(f"Total payment ({what})", dollars_text(cents_to_money(total))),
    )
