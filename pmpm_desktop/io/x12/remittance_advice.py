"""An 835 health care claim payment (005010X221A1, 004010X091A1) read for its capitation.

Capitation is paid in the PLB segment, without members (X12 RFI 1921 and 1809, the 835 guide's
§1.10.2.10): each PLB holds up to six adjustments (PLB03/04 … PLB13/14), a composite "reason
code:reference" and an amount. Each is stored as a payer-level payment (SPEC §7): CT
capitation, CR capitation interest, E3 withholding and the others as written. A PLB amount is
negative when it adds to the payment, so the money to the practice is the amount negated. The
month is the one the reference names (``CAP202603``, ``MAR2026``), else the payment's (BPR16),
else, without a payment date, the fiscal period date (PLB02).

An 835 with claims (CLP loops) and no capitation adjustment (CT, CR, E3) pays claims, not
capitation: it is refused. Claims beside capitation are left out, with a decision saying so.
"""

from __future__ import annotations

import dataclasses
import re
from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass
from decimal import Decimal
from functools import lru_cache

import polars as pl

from pmpm_desktop.core.money import cents_to_money, dollars_text, money_to_cents
from pmpm_desktop.core.month import Month
from pmpm_desktop.io.machine_file import PAYER_PAYMENT_SCHEMA, Fact, Format, MachineFile
from pmpm_desktop.io.options import DecisionKind, FileKind, ReadDecision
from pmpm_desktop.io.parsed import RowProblem
from pmpm_desktop.io.read_errors import FileReadError
from pmpm_desktop.io.values import parse_amount, parse_date, parse_month
from pmpm_desktop.io.x12.adjustment_codes import CAPITATION_CODES, plb_label
from pmpm_desktop.io.x12.payment_header import (
    Payment,
    combined,
    payment_facts,
    read_payment,
    segment_problem,
)
from pmpm_desktop.io.x12.statement_rows import Column, StatementTable
from pmpm_desktop.io.x12.transaction import X12Input, element

_NAMES = (
    "JANUARY|FEBRUARY|MARCH|APRIL|MAY|JUNE|JULY|AUGUST|SEPTEMBER|OCTOBER|NOVEMBER|DECEMBER|"
    "JAN|FEB|MAR|APR|JUN|JUL|AUG|SEPT|SEP|OCT|NOV|DEC"
)
# A month in a reference: 202603 (or a date 20260315), 2026-03, 03/2026, MAR2026. Digits
# either side are part of another number (a claim or check number), never a month.
_MONTH = re.compile(
    r"(?<!\d)20\d\d(?:0[1-9]|1[0-2])(?:0[1-9]|[12]\d|3[01])?(?!\d)"
    r"|(?<!\d)20\d\d[-/.](?:0?[1-9]|1[0-2])(?!\d)"
    r"|(?<![\d/.-])(?:0?[1-9]|1[0-2])[-/.]20\d\d(?!\d)"
    rf"|(?:{_NAMES})[-/. ']?20\d\d(?!\d)"
)


@dataclass(frozen=True)
class Adjustment:
    """One PLB adjustment: the PLB's segment number, its element (03 … 13), the reason code,
    the reference as written and the amount as the 835 signs it."""

    segment: int
    element: int
    code: str
    reference: str
    amount: Decimal
    month: Month | None
    #: where the month came from: "reference", "payment", "fiscal period"
    month_from: str


@dataclass
class Advice:
    """What the 835 sets hold: their payments, claim count and paid sum, and PLB adjustments."""

    payments: list[Payment]
    claims: int = 0
    claims_paid: Decimal = Decimal(0)
    providers: tuple[str, ...] = ()
    #: every PLB reason code written, an adjustment refused for its amount included
    codes: tuple[str, ...] = ()
    adjustments: tuple[Adjustment, ...] = ()
    problems: tuple[RowProblem, ...] = ()
    #: references naming more than one month (the payment's month is used for them)
    unclear: tuple[tuple[str, str], ...] = ()


def read_remittance_advice(source: X12Input) -> MachineFile:
    """The 835 sets of ``source`` as a statement MachineFile of payer-level payments;
    FileReadError for an 835 of claim payments only."""
    advice = walk(source)
    if advice.claims and not set(advice.codes) & CAPITATION_CODES:
        n = advice.claims
        raise FileReadError(
            f"{source.file_name} holds claim payments ({n:,} claim{'s' if n != 1 else ''}), not "
            "capitation: PMPM reads capitation from an 835's PLB segment (CT, CR, E3). Nothing "
            "was written"
        )
    if not advice.adjustments and not advice.problems:
        raise FileReadError(
            f"{source.file_name} holds no provider adjustments (PLB) and no claims: it pays no "
            "capitation. Nothing was written"
        )
    table = StatementTable(
        [
            Column("member_id", "NM1*QC09", "NM1*QC", "09"),
            Column("coverage_month", "DTM*582", "DTM*582", "06"),
            Column("amount", "CLP04", "CLP", "04"),
        ]
    )
    table.problems = [p for pay in advice.payments for p in pay.problems] + list(advice.problems)
    table.decisions = _decisions(advice)
    total, date, reference = combined(advice.payments)
    parsed = table.read(
        source,
        kind_text=(
            f"it is a payment statement: {source.standard()}, capitation paid at payer level (PLB)"
        ),
        payment_date=date,
        reference=reference,
    )
    # No field is read from a member's element: a profile saved from this file names none.
    parsed = dataclasses.replace(parsed, mapping={})
    payer_payments = pl.DataFrame(
        [
            (str(a.month), a.code, a.reference, -money_to_cents(a.amount), a.segment)
            for a in advice.adjustments
            if a.month is not None
        ],
        schema=PAYER_PAYMENT_SCHEMA,
        orient="row",
    )
    return MachineFile(
        format=Format.X12,
        kind=FileKind.STATEMENT,
        standard=source.standard(),
        parsed=parsed,
        facts=(
            *source.interchange.facts(),
            *payment_facts(advice.payments),
            *_facts(advice, payer_payments),
        ),
        interchange=source.interchange.identity,
        payer_payments=payer_payments,
        stated_total=total,
        payment_date=date,
        reference=reference,
    )


def walk(source: X12Input) -> Advice:
    """The payments, claims and PLB adjustments of every 835 set of ``source``."""
    texts = source.segments.texts
    separator = source.segments.separators.element
    # Only CLP and PLB segments are split: an 835 of claims has many more of others.
    claim, adjustment = "CLP" + separator, "PLB" + separator
    component = source.segments.separators.component
    advice = Advice([])
    adjustments: list[Adjustment] = []
    problems: list[RowProblem] = []
    providers: dict[str, None] = {}
    codes: dict[str, None] = {}
    unclear: list[tuple[str, str]] = []
    for ts in source.sets:
        payment = read_payment(source.segments, ts, frozenset({"LX", "CLP", "PLB"}))
        advice.payments.append(payment)
        for i in ts.body:
            text = texts[i]
            if text.startswith(claim):
                seg = text.split(separator)
                advice.claims += 1
                try:
                    advice.claims_paid += parse_amount(element(seg, 4)) or 0
                except ValueError:
                    pass  # a claim's amount is not read: the claims are left out
            elif text.startswith(adjustment):
                seg = text.split(separator)
                if element(seg, 1):
                    providers.setdefault(element(seg, 1))
                for k in range(3, min(len(seg), 15), 2):
                    codes.setdefault(element(seg, k).partition(component)[0].strip())
                    found = _adjustment(seg, i + 1, k, component, payment, problems, unclear)
                    if found is not None:
                        adjustments.append(found)
    advice.providers = tuple(providers)
    advice.codes = tuple(c for c in codes if c)
    advice.adjustments = tuple(adjustments)
    advice.problems = tuple(problems)
    advice.unclear = tuple(unclear)
    return advice


def _adjustment(
    seg: list[str],
    number: int,
    k: int,
    component: str,
    payment: Payment,
    problems: list[RowProblem],
    unclear: list[tuple[str, str]],
) -> Adjustment | None:
    """The adjustment in PLB element ``k`` (its composite) and ``k + 1`` (its amount)."""
    composite, text = element(seg, k), element(seg, k + 1)
    if not composite and not text:
        return None
    code, _, reference = (part.strip() for part in composite.partition(component))
    if not code:
        problems.append(
            segment_problem(
                number,
                "PLB",
                "the adjustment has no reason code",
                value=composite,
                element=f"{k:02d}",
            )
        )
        return None
    try:
        amount = parse_amount(text)
    except ValueError as exc:
        problems.append(
            segment_problem(number, "PLB", str(exc), value=text, element=f"{k + 1:02d}")
        )
        return None
    if amount is None:
        problems.append(
            segment_problem(
                number, "PLB", f"the adjustment {code} has no amount", element=f"{k + 1:02d}"
            )
        )
        return None
    named = months_named(reference)
    if len(named) == 1:
        return Adjustment(number, k, code, reference, amount, named[0], "reference")
    if len(named) > 1:
        unclear.append((reference, ", ".join(str(m) for m in named)))
    if payment.month is not None:
        return Adjustment(number, k, code, reference, amount, payment.month, "payment")
    try:
        fiscal = parse_date(element(seg, 2), day_first=False)
    except ValueError as exc:
        problems.append(
            segment_problem(
                number,
                "PLB",
                f"{exc}; the adjustment's month cannot be known (its reference names none and "
                "the 835 has no payment date, BPR16)",
                value=element(seg, 2),
                element="02",
            )
        )
        return None
    month = Month.of(fiscal) if fiscal is not None else None
    return Adjustment(number, k, code, reference, amount, month, "fiscal period")


@lru_cache(maxsize=4096)
def months_named(reference: str) -> tuple[Month, ...]:
    """The distinct months a PLB reference names (``CAP202603`` → (2026-03,))."""
    found: dict[Month, None] = {}
    for token in _MONTH.findall(reference.upper()):
        try:
            month = parse_month(token, day_first=False)
        except ValueError:
            continue
        if month is not None:
            found.setdefault(month)
    return tuple(found)


def _decisions(advice: Advice) -> list[ReadDecision]:
    out: list[ReadDecision] = []
    if advice.claims:
        n = advice.claims
        out.append(
            ReadDecision(
                DecisionKind.SKIPPED,
                f"{n:,} claim payment{'s' if n != 1 else ''} "
                f"(CLP, {dollars_text(advice.claims_paid)}) "
                f"{'are' if n != 1 else 'is'} no capitation: left out; the capitation is read "
                "from the PLB",
            )
        )
    by_source = Counter(a.month_from for a in advice.adjustments)
    named = [a for a in advice.adjustments if a.month_from == "reference"]
    if named:
        examples = ", ".join(dict.fromkeys(f"{a.reference} → {a.month}" for a in named[:20]))
        out.append(_month_decision(named, f"the month their reference names ({examples})"))
    for how, what in (
        ("payment", "the payment's month (BPR16): their reference names no month"),
        (
            "fiscal period",
            "the month of the fiscal period date (PLB02): their reference names no month and "
            "the 835 has no payment date (BPR16)",
        ),
    ):
        if by_source[how]:
            out.append(
                _month_decision([a for a in advice.adjustments if a.month_from == how], what)
            )
    for reference, months in advice.unclear:
        out.append(
            ReadDecision(
                DecisionKind.VALUE,
                f"PLB reference {reference!r} names several months ({months}): the payment's "
                "month is used for it",
            )
        )
    return out


def _month_decision(adjustments: Sequence[Adjustment], how: str) -> ReadDecision:
    n = len(adjustments)
    return ReadDecision(
        DecisionKind.VALUE,
        f"{n:,} payer-level payment{'s take' if n != 1 else ' takes'} {how}",
        tuple(dict.fromkeys(a.segment for a in adjustments)),
    )


def _facts(advice: Advice, rows: pl.DataFrame) -> list[Fact]:
    facts: list[Fact] = []
    if advice.providers:
        facts.append(Fact("Provider (PLB01)", ", ".join(advice.providers)))
    segments = len({a.segment for a in advice.adjustments})
    n = len(advice.adjustments)
    facts.append(
        Fact(
            "Provider adjustments (PLB)",
            f"{n:,} adjustment{'s' if n != 1 else ''} in {segments:,} PLB segment"
            f"{'s' if segments != 1 else ''}",
        )
    )
    by_code = rows.group_by("code", maintain_order=True).agg(pl.col("amount_cents").sum())
    for code, cents in by_code.iter_rows():
        facts.append(Fact(f"PLB {plb_label(code)}", dollars_text(cents_to_money(cents))))
    withheld = int(rows.filter(pl.col("code") == "E3")["amount_cents"].sum())
    if withheld:
        facts.append(Fact("Withheld by the payer (E3)", dollars_text(cents_to_money(-withheld))))
    by_month = rows.group_by("month").agg(pl.col("amount_cents").sum()).sort("month")
    for month, cents in by_month.iter_rows():
        facts.append(Fact(f"Payer-level payments {month}", dollars_text(cents_to_money(cents))))
    if advice.claims:
        facts.append(
            Fact(
                "Claims (CLP, left out)",
                f"{advice.claims:,} claim{'s' if advice.claims != 1 else ''}, paid "
                f"{dollars_text(advice.claims_paid)}",
            )
        )
    return facts
