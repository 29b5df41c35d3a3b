"""Payers and their contracts: creating, editing, listing, finding.

Adding and editing share one validation per entity (``_payer_values``, ``_contract_values``,
``_refuse_clashes``), so a value the CLI refuses is refused the same way by the desktop dialogs.
"""

from __future__ import annotations

import dataclasses
import re
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from decimal import Decimal, InvalidOperation
from enum import StrEnum

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from pmpm_desktop.core.eligibility import EligibilityRule, parse_age_basis
from pmpm_desktop.core.expected import ContractTerms, RateTerms
from pmpm_desktop.core.member_ids import IdRule
from pmpm_desktop.core.month import Month
from pmpm_desktop.core.rates import RateRowSpec
from pmpm_desktop.db.database import Database
from pmpm_desktop.db.models import Contract, Payer, RateRow
from pmpm_desktop.errors import InputRejected, NotFound, UsageError
from pmpm_desktop.io.options import ReadOptions, known_values
from pmpm_desktop.io.values import parse_member_id, parse_month
from pmpm_desktop.services.id_rule_change import IdChange, reapply_id_rule

_CODE = re.compile(r"^[A-Za-z0-9_.-]{1,20}$")
#: the names' column width (String(200)); SQLite would keep longer text, PostgreSQL refuse it
_NAME_LENGTH = 200


@dataclass(frozen=True)
class PayerInfo:
    id: int
    code: str
    name: str
    id_width: int | None
    contracts: tuple[str, ...]
    #: how the payer writes member IDs (SPEC §6)
    id_rule: IdRule = IdRule()
    #: what "CR" means on the payer's statements: True = paid to the practice (the default)
    credit_is_payment: bool = True
    #: set by :func:`update_payer` when a new ID rule or width was re-applied to stored IDs
    id_change: IdChange | None = None

    @property
    def cr_means(self) -> CrMeaning:
        return CrMeaning.PAID if self.credit_is_payment else CrMeaning.RECOUPED


class CrMeaning(StrEnum):
    """What "CR" on a payer's statements means (``--cr-means``)."""

    PAID = "paid"
    RECOUPED = "recouped"

    @property
    def credit_is_payment(self) -> bool:
        return self is CrMeaning.PAID


def get_payer(session: Session, code: str) -> Payer:
    """The payer with this code (case-insensitive), or NotFound listing the known codes."""
    payer = session.scalar(select(Payer).where(Payer.code == code.strip().upper()))
    if payer is None:
        known = ", ".join(session.scalars(select(Payer.code).order_by(Payer.code))) or "none yet"
        raise NotFound(f"no payer with code {code!r} (known payers: {known})")
    return payer


def _payer_values(
    name: str, id_width: int | str | None, problems: list[str]
) -> tuple[str, int | None]:
    """A payer's name and member-ID width, validated (problems appended, one sentence each).

    ``id_width`` may be typed text: blank means none."""
    clean = name.strip()
    if not clean:
        problems.append("a payer needs a name")
    elif len(clean) > _NAME_LENGTH:
        problems.append(f"a payer name is at most {_NAME_LENGTH} characters")
    width: int | None = None
    if isinstance(id_width, str):
        text = id_width.strip()
        if text:
            if text.isdigit():
                width = int(text)
            else:
                problems.append(f"member-ID width must be a whole number, not {text!r}")
    else:
        width = id_width
    if width is not None and not 1 <= width <= 40:
        problems.append(f"member-ID width must be between 1 and 40, not {width}")
    return clean, width


def _id_rule(rule: IdRule | str | None, problems: list[str]) -> IdRule | None:
    """The rule as given: an IdRule, or its command-line form (validated into ``problems``)."""
    if rule is None or isinstance(rule, IdRule):
        return rule
    try:
        return IdRule.parse(rule)
    except ValueError as exc:
        problems.append(f"ID rule: {exc}")
        return None


def _credit(value: bool | CrMeaning | str | None, problems: list[str]) -> bool | None:
    """What CR means, as a bool, a CrMeaning or its word (``paid`` / ``recouped``)."""
    if value is None or isinstance(value, bool):
        return value
    try:
        return CrMeaning(str(value).strip().lower()).credit_is_payment
    except ValueError:
        problems.append(f"CR means 'paid' or 'recouped', not {str(value)!r}")
        return None


def _info(payer: Payer, id_change: IdChange | None = None) -> PayerInfo:
    return PayerInfo(
        payer.id,
        payer.code,
        payer.name,
        payer.id_width,
        tuple(c.name for c in sorted(payer.contracts, key=lambda c: c.name)),
        IdRule.from_json(payer.id_rule),
        payer.credit_is_payment is not False,
        id_change,
    )


def add_payer(
    db: Database,
    code: str,
    name: str,
    id_width: int | str | None = None,
    *,
    id_rule: IdRule | str | None = None,
    credit_is_payment: bool | CrMeaning | str | None = None,
) -> PayerInfo:
    """Add a payer. ``id_rule``: how it writes member IDs (an IdRule or its command-line
    form; none by default); ``credit_is_payment``: what CR means on its statements (True, the
    default: paid to the practice)."""
    code = code.strip().upper()
    problems: list[str] = []
    if not _CODE.match(code):
        problems.append(f"payer code {code!r} must be 1–20 letters, digits, '.', '_' or '-'")
    clean, width = _payer_values(name, id_width, problems)
    rule = _id_rule(id_rule, problems) or IdRule()
    credit = _credit(credit_is_payment, problems)
    if problems:
        raise InputRejected("the payer was not added:", problems)
    with db.sessions.begin() as s:
        if s.scalar(select(Payer.id).where(Payer.code == code)) is not None:
            raise InputRejected(f"a payer with code {code} already exists")
        payer = Payer(
            code=code,
            name=clean,
            id_width=width,
            id_rule=rule.to_json(),
            credit_is_payment=credit is not False,
        )
        s.add(payer)
        s.flush()
        return _info(payer)


def update_payer(
    db: Database,
    code: str,
    name: str,
    id_width: int | str | None,
    *,
    id_rule: IdRule | str | None = None,
    credit_is_payment: bool | CrMeaning | str | None = None,
) -> PayerInfo:
    """Change a payer's name and member-ID width, and (when given) its ID rule and what CR
    means (its code never changes: files and profiles are filed under it).

    A new ID rule or width is re-applied to the payer's stored IDs in the same transaction
    (``services.id_rule_change``); it is refused, nothing changed, when it would make two
    members one. A new CR meaning applies to statements read from now on."""
    problems: list[str] = []
    clean, width = _payer_values(name, id_width, problems)
    rule = _id_rule(id_rule, problems)
    credit = _credit(credit_is_payment, problems)
    if problems:
        raise InputRejected("the payer was not saved:", problems)
    with db.sessions.begin() as s:
        payer = get_payer(s, code)
        old_rule = IdRule.from_json(payer.id_rule)
        new_rule = old_rule if rule is None else rule
        change = None
        if new_rule != old_rule or width != payer.id_width:
            change = reapply_id_rule(s.connection(), payer.id, payer.code, width, new_rule)
        payer.name = clean
        payer.id_width = width
        payer.id_rule = new_rule.to_json()
        if credit is not None:
            payer.credit_is_payment = credit
        s.flush()
        return _info(payer, change)


def payer_rule(payer: Payer) -> IdRule:
    """The payer's ID rule (the identity when none is set)."""
    return IdRule.from_json(payer.id_rule)


def typed_member_id(payer: Payer, text: str) -> str:
    """A member ID the user typed, read as the payer's files are (its ID width and rule), so
    it finds what those files stored. UsageError when nothing is left of it."""
    try:
        value = parse_member_id(text, payer.id_width, payer_rule(payer))
    except ValueError as exc:
        raise UsageError(f"member ID {text!r}: {exc}") from None
    if not value:
        raise UsageError("a member ID is required")
    return value


def id_rules(s: Session, payer_id: int | None = None) -> dict[int, IdRule]:
    """The payers (by id; only ``payer_id`` when given) that have an ID rule."""
    q = select(Payer.id, Payer.id_rule)
    if payer_id is not None:
        q = q.where(Payer.id == payer_id)
    return {
        pid: rule
        for pid, data in s.execute(q).all()
        if not (rule := IdRule.from_json(data)).is_identity
    }


def typed_id_forms(text: str, rules: Mapping[int, IdRule]) -> tuple[str | None, dict[int, str]]:
    """What a clerk typed into a search, as an ID prefix: as written (no width: a search
    matches the start of IDs), and, for each payer in ``rules``, as its ID rule reads it where
    that differs (``000-123`` is ``000123`` where dashes are ignored). None / left out where
    it cannot be an ID (a space or comma is left: a name)."""

    def form(rule: IdRule) -> str | None:
        try:
            ident = parse_member_id(text, None, rule)
        except ValueError:
            return None
        return None if not ident or " " in ident or "," in ident else ident

    plain = form(IdRule())
    ruled = {pid: f for pid, rule in rules.items() if (f := form(rule)) is not None}
    return plain, {pid: f for pid, f in ruled.items() if f != plain}


def read_options(payer: Payer, values: Mapping[str, str] | None = None) -> ReadOptions:
    """How this payer's files are read: its ID width and rule, what CR means on its statements,
    its contracts' product codes; ``values`` are the user's ``--set FIELD=VALUE``."""
    products = tuple(dict.fromkeys(code for c in payer.contracts for code in c.product_codes or ()))
    return ReadOptions(
        id_width=payer.id_width,
        id_rule=payer_rule(payer),
        credit_is_payment=payer.credit_is_payment is not False,
        values=known_values(values or {}),
        products=products,
    )


def payer_info(db: Database, code: str) -> PayerInfo:
    """One payer as the screens show it (NotFound listing the known codes)."""
    with db.sessions() as s:
        return _info(get_payer(s, code))


def list_payers(db: Database) -> list[PayerInfo]:
    with db.sessions() as s:
        payers = s.scalars(select(Payer).order_by(Payer.code)).all()
        return [_info(p) for p in payers]


def has_payers(db: Database) -> bool:
    """Whether any payer is set up (the first start asks what to do only when none is)."""
    with db.sessions() as s:
        return s.scalar(select(Payer.id).limit(1)) is not None


def payers_named(payers: Sequence[PayerInfo], texts: Iterable[str]) -> tuple[str, ...]:
    """The codes of ``payers`` that ``texts`` name (a file's name, its title rows, its
    sender): a payer's whole name in any case ("Sunrise Health Plan"), or its code as a word
    in capitals ("SUN roster 2026-07"; "sun" in "Sunday" or "sun" alone is no payer). In the
    order of ``payers``."""
    joined = "\n".join(texts)
    folded = " ".join(re.split(r"[^\w]+", joined.casefold()))
    words = set(re.split(r"[^A-Za-z0-9_.-]+", joined)) | set(re.split(r"[^A-Za-z0-9]+", joined))
    found: list[str] = []
    for p in payers:
        name = " ".join(re.split(r"[^\w]+", p.name.casefold())).strip()
        by_name = bool(name) and f" {name} " in f" {folded} "
        if by_name or p.code.upper() in words:
            found.append(p.code)
    return tuple(found)


def _decimal(text: str | Decimal, what: str, places: int) -> Decimal:
    raw = str(text).strip().rstrip("%").strip()
    try:
        value = Decimal(raw)
    except InvalidOperation:
        raise InputRejected(f"{what} must be a number, not {str(text).strip()!r}") from None
    if not value.is_finite():
        raise InputRejected(f"{what} must be a number, not {str(text).strip()!r}")
    if value != value.quantize(Decimal(1).scaleb(-places)):
        raise InputRejected(f"{what} allows at most {places} decimals, not {text!r}")
    return value


@dataclass(frozen=True)
class ContractSpec:
    """A contract as the user states it (strings are validated by :func:`add_contract`).

    Months may be given as text (``2026-01``, a date, …): a blank "to" is open-ended."""

    name: str
    effective_from: Month | str
    effective_to: Month | str | None = None
    products: Sequence[str] = ()
    eligibility: str = "first-of-month"
    age_basis: str = "first-of-month"
    withhold_pct: str | Decimal = "0"
    risk_adjusted: bool = False
    tolerance: str | Decimal = "0.01"
    retro_window_months: int = 12
    payment_due_day: int = 15


def split_products(text: str) -> tuple[str, ...]:
    """``"EXCH, QHP"`` → ``("EXCH", "QHP")``: product codes as a user types them."""
    return tuple(p.strip() for p in text.split(",") if p.strip())


@dataclass(frozen=True)
class _ContractValues:
    """A contract spec once validated: what is stored."""

    name: str
    products: list[str]
    effective_from: Month
    effective_to: Month | None
    eligibility: str
    age_basis: str
    risk_adjusted: bool
    withhold: Decimal
    tolerance: Decimal
    retro_window_months: int
    payment_due_day: int


def _month(value: Month | str | None, what: str, problems: list[str]) -> Month | None:
    if value is None or isinstance(value, Month):
        return value
    try:
        return parse_month(value)
    except ValueError as exc:
        problems.append(f"{what}: {exc} ({value.strip()!r})")
        return None


def _withhold_and_tolerance(spec: ContractSpec, problems: list[str]) -> tuple[Decimal, Decimal]:
    """The contract's withhold % and tolerance, checked (0 % and $0.01 where wrong)."""
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
        elif tolerance >= 10**10:
            problems.append("tolerance is too large")
    except InputRejected as exc:
        problems.append(str(exc))
    return withhold, tolerance


def _unique_codes(codes: Sequence[str]) -> list[str]:
    """One code listed twice (any case) is the same code: the first spelling is kept."""
    out: list[str] = []
    for code in (p.strip() for p in codes):
        if code and code.upper() not in {p.upper() for p in out}:
            out.append(code)
    return out


def _contract_values(spec: ContractSpec, head: str) -> _ContractValues:
    """Validate every field of ``spec``; InputRejected(head, every problem) when any is wrong."""
    problems: list[str] = []
    name = spec.name.strip()
    if not name:
        problems.append("a contract needs a name")
    elif len(name) > _NAME_LENGTH:
        problems.append(f"a contract name is at most {_NAME_LENGTH} characters")
    start = _month(spec.effective_from, "effective from", problems)
    if start is None and not any(p.startswith("effective from") for p in problems):
        problems.append("a contract needs an effective-from month")
    end = _month(spec.effective_to, "effective to", problems)
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
    withhold, tolerance = _withhold_and_tolerance(spec, problems)
    if start is not None and end is not None and end < start:
        problems.append(f"contract ends ({end}) before it starts ({start})")
    if not 0 <= spec.retro_window_months <= 120:
        problems.append("retro window must be 0–120 months")
    if not 1 <= spec.payment_due_day <= 31:
        problems.append("payment due day must be 1–31")
    products = _unique_codes(spec.products)
    if problems or start is None:
        raise InputRejected(head, problems)
    return _ContractValues(
        name=name,
        products=products,
        effective_from=start,
        effective_to=end,
        eligibility=str(rule),
        age_basis=basis,
        risk_adjusted=spec.risk_adjusted,
        withhold=withhold,
        tolerance=tolerance,
        retro_window_months=spec.retro_window_months,
        payment_due_day=spec.payment_due_day,
    )


def _refuse_clashes(payer: Payer, values: _ContractValues, other_than: int | None) -> None:
    """A contract name is unique within its payer, and a product code selects one contract."""
    others = [c for c in payer.contracts if c.id != other_than]
    if any(c.name.lower() == values.name.lower() for c in others):
        raise InputRejected(f"{payer.code} already has a contract named {values.name!r}")
    taken = {code.strip().upper(): c.name for c in others for code in c.product_codes or ()}
    clash = [
        f"{p} (already selects {taken[p.upper()]!r})" for p in values.products if p.upper() in taken
    ]
    if clash:
        raise InputRejected("product codes must select one contract:", clash)


def _store(contract: Contract, values: _ContractValues) -> None:
    contract.name = values.name
    contract.product_codes = list(values.products)
    contract.effective_from = values.effective_from
    contract.effective_to = values.effective_to
    contract.eligibility = values.eligibility
    contract.age_basis = values.age_basis
    contract.risk_adjusted = values.risk_adjusted
    contract.withhold_pct = values.withhold
    contract.tolerance = values.tolerance
    contract.retro_window_months = values.retro_window_months
    contract.payment_due_day = values.payment_due_day


def add_contract(db: Database, payer_code: str, spec: ContractSpec) -> int:
    """Validate and store a contract; returns its id."""
    values = _contract_values(spec, "the contract was not added:")
    with db.sessions.begin() as s:
        payer = get_payer(s, payer_code)
        _refuse_clashes(payer, values, None)
        contract = Contract(payer=payer)
        _store(contract, values)
        s.add(contract)
        s.flush()
        return contract.id


def update_contract(
    db: Database, payer_code: str, contract_id_or_name: int | str, spec: ContractSpec
) -> int:
    """Replace every term of one of the payer's contracts (validated as :func:`add_contract`;
    the name and product codes must not clash with the payer's other contracts). Its rate rows
    stay with it. Returns its id."""
    values = _contract_values(spec, "the contract was not saved:")
    with db.sessions.begin() as s:
        payer = get_payer(s, payer_code)
        contract = _find_contract(s, payer, contract_id_or_name)
        _refuse_clashes(payer, values, contract.id)
        _store(contract, values)
        s.flush()
        return contract.id


def _find_contract(session: Session, payer: Payer, contract_id_or_name: int | str) -> Contract:
    if isinstance(contract_id_or_name, str):
        return get_contract(session, payer, contract_id_or_name)
    for contract in payer.contracts:
        if contract.id == contract_id_or_name:
            return contract
    raise NotFound(f"{payer.code} has no contract with id {contract_id_or_name}")


def get_contract(session: Session, payer: Payer, name: str) -> Contract:
    for contract in payer.contracts:
        if contract.name.lower() == name.strip().lower():
            return contract
    known = ", ".join(repr(c.name) for c in payer.contracts) or "none yet"
    raise NotFound(f"{payer.code} has no contract named {name!r} (contracts: {known})")


@dataclass(frozen=True)
class ContractInfo:
    """One contract of a payer, as the screens show it (a plain value, not an ORM object)."""

    id: int
    payer_code: str
    name: str
    products: tuple[str, ...]
    effective_from: Month
    effective_to: Month | None
    eligibility: str
    age_basis: str
    risk_adjusted: bool
    withhold_pct: Decimal
    tolerance: Decimal
    retro_window_months: int
    payment_due_day: int
    #: how many rate rows the contract has
    rate_rows: int

    def spec(self) -> ContractSpec:
        """The contract's terms as a spec (to edit and save back)."""
        return ContractSpec(
            name=self.name,
            effective_from=self.effective_from,
            effective_to=self.effective_to,
            products=self.products,
            eligibility=self.eligibility,
            age_basis=self.age_basis,
            withhold_pct=self.withhold_pct,
            risk_adjusted=self.risk_adjusted,
            tolerance=self.tolerance,
            retro_window_months=self.retro_window_months,
            payment_due_day=self.payment_due_day,
        )


def list_contracts(db: Database, payer_code: str) -> list[ContractInfo]:
    """The payer's contracts by name, with how many rate rows each has."""
    with db.sessions() as s:
        payer = get_payer(s, payer_code)
        ids = [c.id for c in payer.contracts]
        counts = dict(
            s.execute(
                select(RateRow.contract_id, func.count())
                .where(RateRow.contract_id.in_(ids))
                .group_by(RateRow.contract_id)
            ).all()
        )
        return [
            ContractInfo(
                id=c.id,
                payer_code=payer.code,
                name=c.name,
                products=tuple(c.product_codes or ()),
                effective_from=c.effective_from,
                effective_to=c.effective_to,
                eligibility=c.eligibility,
                age_basis=c.age_basis,
                risk_adjusted=c.risk_adjusted,
                withhold_pct=c.withhold_pct,
                tolerance=c.tolerance,
                retro_window_months=c.retro_window_months,
                payment_due_day=c.payment_due_day,
                rate_rows=int(counts.get(c.id, 0)),
            )
            for c in sorted(payer.contracts, key=lambda c: c.name.lower())
        ]


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


# The stored rate row (db.models.RateRow) has exactly the exhibit line's fields plus its ids, so
# one list of names converts both ways; core must not import db, so the conversions live here.
_RATE_FIELDS = tuple(f.name for f in dataclasses.fields(RateRowSpec))


def _rate_values(r: RateRow | RateRowSpec) -> dict[str, object]:
    return {name: getattr(r, name) for name in _RATE_FIELDS}


def rate_spec(r: RateRow) -> RateRowSpec:
    """The stored rate row as the exhibit line it was saved from."""
    return RateRowSpec(**_rate_values(r))  # type: ignore[arg-type]


def rate_terms(r: RateRow) -> RateTerms:
    """The stored rate row as the engine reads it: the exhibit line plus its ids."""
    return RateTerms(id=r.id, contract_id=r.contract_id, **_rate_values(r))  # type: ignore[arg-type]


def rate_row(contract_id: int, spec: RateRowSpec) -> RateRow:
    """The exhibit line as a new stored row of the contract."""
    return RateRow(contract_id=contract_id, **_rate_values(spec))
