"""Payers and their contracts: creating, listing, finding."""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass
from decimal import Decimal, InvalidOperation

from sqlalchemy import select
from sqlalchemy.orm import Session

from pmpm_desktop.core.eligibility import EligibilityRule, parse_age_basis
from pmpm_desktop.core.expected import ContractTerms
from pmpm_desktop.core.month import Month
from pmpm_desktop.db.database import Database
from pmpm_desktop.db.models import Contract, Payer
from pmpm_desktop.errors import InputRejected, NotFound

_CODE = re.compile(r"^[A-Za-z0-9_.-]{1,20}$")


@dataclass(frozen=True)
class PayerInfo:
    id: int
    code: str
    name: str
    id_width: int | None
    contracts: tuple[str, ...]


def get_payer(session: Session, code: str) -> Payer:
    """The payer with this code (case-insensitive), or NotFound listing the known codes."""
    payer = session.scalar(select(Payer).where(Payer.code == code.strip().upper()))
    if payer is None:
        known = ", ".join(session.scalars(select(Payer.code).order_by(Payer.code))) or "none yet"
        raise NotFound(f"no payer with code {code!r} (known payers: {known})")
    return payer


def add_payer(db: Database, code: str, name: str, id_width: int | None = None) -> PayerInfo:
    code = code.strip().upper()
    if not _CODE.match(code):
        raise InputRejected(f"payer code {code!r} must be 1–20 letters, digits, '.', '_' or '-'")
    if not name.strip():
        raise InputRejected("a payer needs a name")
    if id_width is not None and not 1 <= id_width <= 40:
        raise InputRejected(f"member-ID width must be between 1 and 40, not {id_width}")
    with db.sessions.begin() as s:
        if s.scalar(select(Payer.id).where(Payer.code == code)) is not None:
            raise InputRejected(f"a payer with code {code} already exists")
        payer = Payer(code=code, name=name.strip(), id_width=id_width)
        s.add(payer)
        s.flush()
        return PayerInfo(payer.id, payer.code, payer.name, payer.id_width, ())


def list_payers(db: Database) -> list[PayerInfo]:
    with db.sessions() as s:
        payers = s.scalars(select(Payer).order_by(Payer.code)).all()
        return [
            PayerInfo(
                p.id,
                p.code,
                p.name,
                p.id_width,
                tuple(c.name for c in sorted(p.contracts, key=lambda c: c.name)),
            )
            for p in payers
        ]


def _decimal(text: str | Decimal, what: str, places: int) -> Decimal:
    try:
        value = Decimal(str(text).strip().rstrip("%"))
    except InvalidOperation:
        raise InputRejected(f"{what} must be a number, not {text!r}") from None
    if value != value.quantize(Decimal(1).scaleb(-places)):
        raise InputRejected(f"{what} allows at most {places} decimals, not {text!r}")
    return value


@dataclass(frozen=True)
class ContractSpec:
    """A contract as the user states it (strings are validated by :func:`add_contract`)."""

    name: str
    effective_from: Month
    effective_to: Month | None = None
    products: Sequence[str] = ()
    eligibility: str = "first-of-month"
    age_basis: str = "first-of-month"
    withhold_pct: str | Decimal = "0"
    risk_adjusted: bool = False
    tolerance: str | Decimal = "0.01"
    retro_window_months: int = 12
    payment_due_day: int = 15


def add_contract(db: Database, payer_code: str, spec: ContractSpec) -> int:
    """Validate and store a contract; returns its id."""
    problems = []
    try:
        rule = EligibilityRule.parse(spec.eligibility)
    except ValueError as exc:
        problems.append(str(exc))
        rule = EligibilityRule("point", 1)
    try:
        basis = parse_age_basis(spec.age_basis)
    except ValueError as exc:
        problems.append(str(exc))
        basis = "first-of-month"
    withhold = Decimal(0)
    tolerance = Decimal("0.01")
    try:
        withhold = _decimal(spec.withhold_pct, "withhold %", 4)
        if not 0 <= withhold <= 100:
            problems.append(f"withhold % must be between 0 and 100, not {withhold}")
    except InputRejected as exc:
        problems.append(str(exc))
    try:
        tolerance = _decimal(spec.tolerance, "tolerance", 2)
        if tolerance < 0:
            problems.append("tolerance cannot be negative")
    except InputRejected as exc:
        problems.append(str(exc))
    if spec.effective_to is not None and spec.effective_to < spec.effective_from:
        problems.append(
            f"contract ends ({spec.effective_to}) before it starts ({spec.effective_from})"
        )
    if not spec.name.strip():
        problems.append("a contract needs a name")
    if not 0 <= spec.retro_window_months <= 120:
        problems.append("retro window must be 0–120 months")
    if not 1 <= spec.payment_due_day <= 31:
        problems.append("payment due day must be 1–31")
    products = [p.strip() for p in spec.products if p.strip()]
    if problems:
        raise InputRejected("the contract was not added:", problems)
    with db.sessions.begin() as s:
        payer = get_payer(s, payer_code)
        if any(c.name.lower() == spec.name.strip().lower() for c in payer.contracts):
            raise InputRejected(f"{payer.code} already has a contract named {spec.name.strip()!r}")
        taken = {code.upper(): c.name for c in payer.contracts for code in c.product_codes}
        clash = [
            f"{p} (already selects {taken[p.upper()]!r})" for p in products if p.upper() in taken
        ]
        if clash:
            raise InputRejected("product codes must select one contract:", clash)
        contract = Contract(
            payer=payer,
            name=spec.name.strip(),
            product_codes=products,
            effective_from=spec.effective_from,
            effective_to=spec.effective_to,
            eligibility=str(rule),
            age_basis=basis,
            risk_adjusted=spec.risk_adjusted,
            withhold_pct=withhold,
            tolerance=tolerance,
            retro_window_months=spec.retro_window_months,
            payment_due_day=spec.payment_due_day,
        )
        s.add(contract)
        s.flush()
        return contract.id


def get_contract(session: Session, payer: Payer, name: str) -> Contract:
    for contract in payer.contracts:
        if contract.name.lower() == name.strip().lower():
            return contract
    known = ", ".join(repr(c.name) for c in payer.contracts) or "none yet"
    raise NotFound(f"{payer.code} has no contract named {name!r} (contracts: {known})")


def contract_terms(contract: Contract) -> ContractTerms:
    return ContractTerms(
        id=contract.id,
        name=contract.name,
        product_codes=tuple(contract.product_codes or ()),
        effective_from=contract.effective_from,
        effective_to=contract.effective_to,
        rule=EligibilityRule.parse(contract.eligibility),
        age_basis=contract.age_basis,
        risk_adjusted=contract.risk_adjusted,
        withhold_pct=contract.withhold_pct,
        tolerance=contract.tolerance,
    )
