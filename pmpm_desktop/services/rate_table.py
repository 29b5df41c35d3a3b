"""A contract's rate table edited by hand: reading it, typing its cells, checking and saving it.

The checks are the rate exhibit import's own (``core.rates.validate_rate_rows``), and saving
goes through ``importing.replace_rates``: rows typed into the grid and rows read from a file
are refused and stored alike. ``change_rates`` saves and hands back the rows it replaced;
``restore_rates`` puts those back exactly (undo of a rate change).
"""

from __future__ import annotations

import dataclasses
from collections.abc import Sequence
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from sqlalchemy import select

from pmpm_desktop.core.month import Month
from pmpm_desktop.core.rates import (
    RateRowSpec,
    find_overlaps,
    normalize_component,
    validate_rate_rows,
)
from pmpm_desktop.db.database import Database
from pmpm_desktop.db.models import RateRow
from pmpm_desktop.errors import InputRejected
from pmpm_desktop.io.rate_file import age, rate_sex
from pmpm_desktop.io.values import parse_amount, parse_month, parse_text
from pmpm_desktop.services.importing import RatesResult, replace_rates
from pmpm_desktop.services.payers import get_contract, get_payer, rate_spec

#: the cells of a rate row, in grid order, with the titles the grid and messages use
FIELDS: tuple[tuple[str, str], ...] = (
    ("effective_from", "Effective from"),
    ("effective_to", "Effective to"),
    ("component", "Component"),
    ("rate_cell", "Rate cell"),
    ("sex", "Sex"),
    ("age_min", "Age min"),
    ("age_max", "Age max"),
    ("amount", "Amount (PMPM)"),
)
TITLES = dict(FIELDS)
_TEXT_LENGTH = 60  # component and rate cell columns are String(60)


@dataclass(frozen=True)
class GridRow:
    """One row of the grid as typed so far: required cells may still be blank (None)."""

    effective_from: Month | None = None
    effective_to: Month | None = None
    component: str = "capitation"
    rate_cell: str | None = None
    sex: str | None = None
    age_min: int | None = None
    age_max: int | None = None
    amount: Decimal | None = None

    def with_cell(self, field: str, value: object) -> GridRow:
        """This row with one cell changed (``value`` as :func:`parse_cell` typed it)."""
        if field not in TITLES:
            raise KeyError(field)
        changes: dict[str, Any] = {field: value}
        return dataclasses.replace(self, **changes)

    @classmethod
    def of(cls, spec: RateRowSpec) -> GridRow:
        return cls(
            spec.effective_from,
            spec.effective_to,
            spec.component,
            spec.rate_cell,
            spec.sex,
            spec.age_min,
            spec.age_max,
            spec.amount,
        )


def parse_cell(field: str, text: str) -> object:
    """The typed value of what the user typed into a cell; ValueError with the reason when it
    is not a value of that cell. Blank is None (the component's blank is ``capitation``)."""
    if field in ("effective_from", "effective_to"):
        return parse_month(text)
    if field == "component":
        name = normalize_component(text)
        if len(name) > _TEXT_LENGTH:
            raise ValueError(f"longer than {_TEXT_LENGTH} characters")
        return name
    if field == "rate_cell":
        cell = parse_text(text)
        if cell is not None and len(cell) > _TEXT_LENGTH:
            raise ValueError(f"longer than {_TEXT_LENGTH} characters")
        return cell
    if field == "sex":
        return rate_sex(text)
    if field in ("age_min", "age_max"):
        try:
            return age(text)
        except ValueError as exc:
            # parse_int's "not a whole number" is the reason for "4.5" and "abc" alike
            raise ValueError(f"{exc} (an age in whole years, 0 to 150)") from None
    if field == "amount":
        amount = parse_amount(text)
        return None if amount is None else amount.quantize(Decimal("0.01"))
    raise KeyError(field)


def cell_text(field: str, value: object) -> str:
    """How a typed cell value reads in the grid (and is edited again)."""
    if value is None:
        return ""
    if field == "amount":
        assert isinstance(value, Decimal)
        return f"{value:.2f}"
    if field == "component":
        # ``care_management`` reads "Care management" (and is typed back as the same name)
        text = str(value).replace("_", " ")
        return text[:1].upper() + text[1:]
    return str(value)


@dataclass(frozen=True)
class RateCheck:
    """The grid checked as a whole: every problem (sentences naming the rows), the rows to
    highlight (0-based), and the rows ready to save when there is no problem."""

    problems: list[str]
    bad_rows: frozenset[int]
    specs: list[RateRowSpec]

    @property
    def ok(self) -> bool:
        return not self.problems


def check_rate_rows(rows: Sequence[GridRow]) -> RateCheck:
    """Check a whole grid as a rate exhibit import is checked. Rows are numbered from 1 (the
    grid's row numbers) in the messages."""
    problems: list[str] = []
    bad: set[int] = set()
    specs: list[RateRowSpec] = []
    for i, row in enumerate(rows):
        missing = [
            title
            for title, value in (("effective from", row.effective_from), ("amount", row.amount))
            if value is None
        ]
        if missing:
            problems.append(f"row {i + 1}: {' and '.join(missing)} missing")
            bad.add(i)
            continue
        assert row.effective_from is not None and row.amount is not None
        specs.append(
            RateRowSpec(
                effective_from=row.effective_from,
                effective_to=row.effective_to,
                component=row.component or "capitation",
                rate_cell=row.rate_cell,
                sex=row.sex,
                age_min=row.age_min,
                age_max=row.age_max,
                amount=row.amount,
                source_row=i + 1,
            )
        )
    problems.extend(validate_rate_rows(specs))
    for spec in specs:
        if validate_rate_rows([spec]):
            bad.add(_index(spec))
    for a, b in find_overlaps(specs):
        bad.update((_index(a), _index(b)))
    return RateCheck(problems, frozenset(bad), specs if not problems else [])


def _index(spec: RateRowSpec) -> int:
    assert spec.source_row is not None
    return spec.source_row - 1


def rate_rows(db: Database, payer_code: str, contract_name: str) -> list[RateRowSpec]:
    """The contract's stored rate rows, in the order of its exhibit."""
    with db.sessions() as s:
        contract = get_contract(s, get_payer(s, payer_code), contract_name)
        stored = s.scalars(
            select(RateRow)
            .where(RateRow.contract_id == contract.id)
            .order_by(RateRow.source_row, RateRow.id)
        ).all()
        return [rate_spec(r) for r in stored]


def save_rates(
    db: Database, payer_code: str, contract_name: str, rows: Sequence[GridRow]
) -> RatesResult:
    """Replace the contract's rates with the grid's rows in one transaction; InputRejected
    (nothing written) naming the rows when the grid is not a valid exhibit. The rows are stored
    numbered as in the grid, so later messages and traces name the grid's rows."""
    check = check_rate_rows(rows)
    if not check.ok:
        raise InputRejected("the rates were not saved; nothing was written", check.problems)
    with db.sessions() as s:
        contract = get_contract(s, get_payer(s, payer_code), contract_name)
        contract_id, name = contract.id, contract.name
    return replace_rates(db, contract_id, name, check.specs)


@dataclass(frozen=True)
class RateChange:
    """A contract's rate table replaced: what was stored, and the rows it replaced exactly as
    they were stored (their exhibit row numbers too), to put back."""

    result: RatesResult
    replaced: list[RateRowSpec]


def change_rates(
    db: Database, payer_code: str, contract_name: str, rows: Sequence[GridRow]
) -> RateChange:
    """:func:`save_rates`, handing back the rows it replaced."""
    before = rate_rows(db, payer_code, contract_name)
    return RateChange(save_rates(db, payer_code, contract_name, rows), before)


def restore_rates(
    db: Database, payer_code: str, contract_name: str, specs: Sequence[RateRowSpec]
) -> RateChange:
    """Put back rows a change replaced, exactly as they were stored: a row the change added is
    gone again, one it removed or altered is back. Hands back what it replaced in turn."""
    before = rate_rows(db, payer_code, contract_name)
    with db.sessions() as s:
        contract = get_contract(s, get_payer(s, payer_code), contract_name)
        contract_id, name = contract.id, contract.name
    return RateChange(replace_rates(db, contract_id, name, list(specs)), before)
