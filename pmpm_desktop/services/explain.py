"""Why a member-month is expected to pay what it does: the engine's trace, in words and values.

The arithmetic comes as values the screens show as they are (never recomputed from text): the
payable fraction as two integers, and per rate component the rate prorated by that fraction,
rounded half-up to cents (SPEC §4), and the risk score when the contract applies one.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

import polars as pl
from sqlalchemy import or_, select

from pmpm_desktop.core.money import cents_to_money, format_money, round_money
from pmpm_desktop.core.month import Month
from pmpm_desktop.db.database import Database
from pmpm_desktop.db.models import (
    Contract,
    Member,
    MemberAlias,
    RateRow,
    RemittanceImport,
    RemittanceLine,
    RosterImport,
    RosterRow,
)
from pmpm_desktop.errors import NotFound
from pmpm_desktop.services.discrepancies import HistoryEntry, history
from pmpm_desktop.services.payers import get_payer, rate_spec, typed_member_id
from pmpm_desktop.services.reconciling import compute, load_inputs

#: the component a risk score multiplies (SPEC §4)
CAP = "capitation"


@dataclass(frozen=True)
class ComponentLine:
    component: str
    #: the rate exhibit's rate (PMPM, for a whole month)
    rate: Decimal
    #: what the member-month is expected to pay for this component
    amount: Decimal
    rate_row: str
    #: the rate × the payable fraction, rounded half-up to cents (before any risk score)
    prorated: Decimal = Decimal("0.00")
    #: the risk score the amount was multiplied by (a risk-adjusted contract's capitation;
    #: None when none applies)
    risk_score: Decimal | None = None


@dataclass(frozen=True)
class PaidLine:
    file_name: str
    source_row: int
    member_id: str
    amount: Decimal
    line_type: str | None
    payment_date: dt.date | None


@dataclass(frozen=True)
class Explanation:
    payer_code: str
    member_id: str
    month: Month
    member_name: str | None
    kind: str | None
    eligible: bool
    deciding_roster: str | None
    span: str | None
    contract: str | None
    rule: str | None
    #: the payable fraction as text ("15/31"), for the CLI and JSON; the screens use the
    #: two integers below
    fraction: str | None
    age: int | None
    sex: str | None
    rate_cell: str | None
    risk_score: Decimal | None
    components: list[ComponentLine] = field(default_factory=list)
    withhold: Decimal = Decimal("0.00")
    withhold_pct: Decimal | None = None
    expected: Decimal = Decimal("0.00")
    paid: Decimal = Decimal("0.00")
    paid_lines: list[PaidLine] = field(default_factory=list)
    history: list[HistoryEntry] = field(default_factory=list)
    #: the payable fraction of the month: numerator and denominator (None when not eligible)
    fraction_num: int | None = None
    fraction_den: int | None = None

    @property
    def whole_month(self) -> bool:
        return self.fraction_num is not None and self.fraction_num == self.fraction_den


def explain(db: Database, payer_code: str, member_id: str, month: Month) -> Explanation:
    """Recompute one member-month with the same engine as reconciliation and describe it."""
    with db.sessions() as s:
        payer = get_payer(s, payer_code)
        member_id = typed_member_id(payer, member_id)
        member = s.scalar(
            select(Member).where(Member.payer_id == payer.id, Member.member_id == member_id)
        )
        if member is None:
            alias = s.scalar(
                select(MemberAlias).where(
                    MemberAlias.payer_id == payer.id, MemberAlias.alias_id == member_id
                )
            )
            if alias is not None:
                member = s.get(Member, alias.member_pk)
        ids = [member_id]
        if member is not None:
            ids = [member.member_id] + list(
                s.scalars(select(MemberAlias.alias_id).where(MemberAlias.member_pk == member.id))
            )
        lines = s.execute(
            select(RemittanceLine, RemittanceImport.file_name, RemittanceImport.payment_date)
            .join(RemittanceImport)
            .where(
                RemittanceLine.payer_id == payer.id,
                RemittanceLine.coverage_month == month,
                or_(*(RemittanceLine.member_id == i for i in ids)),
            )
            .order_by(RemittanceLine.id)
        ).all()
        paid_lines = [
            PaidLine(f, ln.source_row, ln.member_id, ln.amount, ln.line_type, pd)
            for ln, f, pd in lines
        ]
        if member is None and not paid_lines:
            raise NotFound(f"{payer.code} has no member {member_id} on any roster or statement")
        code = payer.code
        pk = member.id if member is not None else None
        name = ", ".join(x for x in (member.last_name, member.first_name) if x) if member else None
        own_id = member.member_id if member is not None else member_id

    inputs = load_inputs(
        db, code, month, month, member_pks=[pk] if pk is not None else [], line_ids=ids
    )
    expected, kinds = compute(inputs, month, month, with_components=True)
    mm = expected.member_months.filter(pl.col("month") == month.index)
    kind_row = kinds.filter(pl.col("month") == month.index)
    kind = kind_row["kind"][0] if kind_row.height else None
    paid = sum((p.amount for p in paid_lines), Decimal("0.00"))
    hist = history(db, code, own_id, month)
    base: dict[str, Any] = dict(
        payer_code=code,
        member_id=own_id,
        month=month,
        member_name=name,
        kind=kind,
        paid=paid,
        paid_lines=paid_lines,
        history=hist,
    )
    if mm.height == 0:
        return Explanation(
            **base,
            eligible=False,
            deciding_roster=None,
            span=None,
            contract=None,
            rule=None,
            fraction=None,
            age=None,
            sex=None,
            rate_cell=None,
            risk_score=None,
        )
    r = mm.row(0, named=True)
    with db.sessions() as s:
        row = s.get(RosterRow, r["row_id"])
        assert row is not None
        imp = s.get(RosterImport, row.import_id)
        assert imp is not None
        contract = s.get(Contract, r["contract_id"]) if r["contract_id"] is not None else None
        num, den = int(r["fraction_num"]), int(r["fraction_den"])
        risk = None if r["risk_micro"] is None else Decimal(r["risk_micro"]).scaleb(-6).normalize()
        comps = []
        for c in (
            expected.components.filter(pl.col("month") == month.index)
            .sort("component")
            .iter_rows(named=True)
        ):
            rate_row = s.get(RateRow, c["rate_row_id"])
            assert rate_row is not None
            rate = cents_to_money(c["rate_cents"])
            applies = contract is not None and contract.risk_adjusted and c["component"] == CAP
            comps.append(
                ComponentLine(
                    c["component"],
                    rate,
                    cents_to_money(c["amount_cents"]),
                    rate_spec(rate_row).label(),
                    prorated=_prorated(rate, num, den),
                    risk_score=risk if applies else None,
                )
            )
        start = (
            row.effective_date.isoformat()
            if row.effective_date
            else f"{imp.roster_month.first_day} (no effective date)"
        )
        end = (
            row.term_date.isoformat()
            if row.term_date
            else (
                "open"
                if row.effective_date
                else f"{imp.roster_month.last_day} (no dates: the roster month)"
            )
        )
        return Explanation(
            **base,
            eligible=bool(r["eligible"]),
            deciding_roster=(
                f"{imp.file_name} (roster month {imp.roster_month}, row {row.source_row})"
            ),
            span=f"{start} to {end}",
            contract=contract.name if contract else None,
            rule=contract.eligibility if contract else None,
            fraction=f"{num}/{den}",
            fraction_num=num,
            fraction_den=den,
            age=r["age"],
            sex=r["sex"],
            rate_cell=r["rate_cell"],
            risk_score=risk,
            components=comps,
            withhold=cents_to_money(r["withhold_cents"]),
            withhold_pct=contract.withhold_pct.normalize() if contract else None,
            expected=cents_to_money(r["expected_cents"]),
        )


def _prorated(rate: Decimal, num: int, den: int) -> Decimal:
    """``rate`` × ``num``/``den``, rounded half-up to cents (SPEC §4: round only at the end)."""
    return round_money(rate * num / den) if den else rate


def _or(value: object, fallback: str) -> str:
    return fallback if value is None or value == "" else str(value)


def explanation_text(e: Explanation) -> str:
    """The explanation as the lines a billing clerk reads, top to bottom."""
    name = f" ({e.member_name})" if e.member_name else ""
    out = [f"{e.payer_code} member {e.member_id}{name}, {e.month}"]
    if e.deciding_roster is None:
        out.append("  No roster speaks about this month: not eligible, expected 0.00.")
    else:
        out.append(f"  Decided by: {e.deciding_roster}; eligibility span {e.span}")
        if e.contract is None:
            out.append("  No contract of the payer covers this product and month: no_rate.")
        else:
            out.append(f"  Contract: {e.contract} (rule {e.rule}); payable fraction {e.fraction}")
        if e.eligible:
            out.append(
                f"  Age {_or(e.age, 'unknown')}, sex {_or(e.sex, 'unknown')}, "
                f"rate cell {_or(e.rate_cell, '-')}, risk score {_or(e.risk_score, 'none (1.0)')}"
            )
            if e.contract is not None and not any(c.component == CAP for c in e.components):
                out.append(
                    "  No capitation rate row of the contract matches this cell, sex and age: "
                    "no_rate (a contract set-up problem: add the rate, then reconcile again)."
                )
            for c in e.components:
                out.append(
                    f"  {c.component}: rate {format_money(c.rate)} → "
                    f"{format_money(c.amount)}  [{c.rate_row}]"
                )
            if e.withhold:
                out.append(
                    f"  withhold {e.withhold_pct}% of capitation: −{format_money(e.withhold)}"
                )
        else:
            out.append("  Not eligible this month under the contract's rule.")
    out.append(
        f"  Expected {format_money(e.expected)}; paid {format_money(e.paid)}; "
        f"kind {_or(e.kind, 'none (nothing to reconcile)')}"
    )
    for p in e.paid_lines:
        kind = f" ({p.line_type})" if p.line_type else ""
        out.append(
            f"    paid {format_money(p.amount)} as {p.member_id} in {p.file_name} "
            f"row {p.source_row}{kind}"
        )
    for h in e.history:
        out.append(
            f"    {h.at:%Y-%m-%d %H:%M} {h.event}: {_or(h.old_status, '')}→{_or(h.new_status, '')} "
            f"{_or(h.note, '')} ({h.actor})"
        )
    return "\n".join(out)


def explanation_json(e: Explanation) -> dict[str, Any]:
    return {
        "payer": e.payer_code,
        "member_id": e.member_id,
        "month": str(e.month),
        "kind": e.kind,
        "eligible": e.eligible,
        "deciding_roster": e.deciding_roster,
        "span": e.span,
        "contract": e.contract,
        "rule": e.rule,
        "fraction": e.fraction,
        "age": e.age,
        "sex": e.sex,
        "rate_cell": e.rate_cell,
        "risk_score": None if e.risk_score is None else str(e.risk_score),
        "components": [
            {
                "component": c.component,
                "rate": format_money(c.rate),
                "amount": format_money(c.amount),
                "rate_row": c.rate_row,
            }
            for c in e.components
        ],
        "withhold": format_money(e.withhold),
        "expected": format_money(e.expected),
        "paid": format_money(e.paid),
        "paid_lines": [
            {
                "file": p.file_name,
                "row": p.source_row,
                "member_id": p.member_id,
                "amount": format_money(p.amount),
                "line_type": p.line_type,
            }
            for p in e.paid_lines
        ],
    }
