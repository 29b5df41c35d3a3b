"""Small builders for engine tests: roster rows, contracts and rates as plain values."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Sequence
from decimal import Decimal
from typing import Any

import polars as pl

from pmpm_desktop.core.eligibility import EligibilityRule
from pmpm_desktop.core.expected import ROSTER_SCHEMA, ContractTerms, RateTerms, compute_expected
from pmpm_desktop.core.money import cents_to_money, money_to_cents
from pmpm_desktop.core.month import Month
from pmpm_desktop.core.reconcile import IDS_SCHEMA, LINES_SCHEMA, classify, paid_member_months

M = Month.parse


def roster(*rows: dict[str, object]) -> pl.DataFrame:
    """Rows with keys member (pk), month ('YYYY-MM'), and optional
    eff/term/dob/sex/cell/product/risk/row_id."""
    data = []
    for i, r in enumerate(rows, start=1):
        risk = r.get("risk")
        data.append(
            {
                "row_id": r.get("row_id", i),
                "member_pk": r["member"],
                "roster_month": M(str(r["month"])).index,
                "effective_date": r.get("eff"),
                "term_date": r.get("term"),
                "product": r.get("product"),
                "rate_cell": r.get("cell", "TANF"),
                "dob": r.get("dob"),
                "sex": r.get("sex"),
                "risk_micro": None if risk is None else int(Decimal(str(risk)) * 1_000_000),
            }
        )
    return pl.DataFrame(data, schema=ROSTER_SCHEMA)


def contract(
    rule: str = "first-of-month",
    *,
    id: int = 1,
    withhold: str = "0",
    risk: bool = False,
    age_basis: str = "first-of-month",
    products: tuple[str, ...] = (),
    start: str = "2020-01",
    end: str | None = None,
    tolerance: str = "0.01",
) -> ContractTerms:
    return ContractTerms(
        id=id,
        name=f"C{id}",
        product_codes=products,
        effective_from=M(start),
        effective_to=M(end) if end else None,
        rule=EligibilityRule.parse(rule),
        age_basis=age_basis,
        risk_adjusted=risk,
        withhold_pct=Decimal(withhold),
        tolerance=Decimal(tolerance),
    )


_next_rate = [0]


def rate(
    amount: str,
    *,
    contract_id: int = 1,
    component: str = "capitation",
    cell: str | None = None,
    sex: str | None = None,
    age: tuple[int | None, int | None] = (None, None),
    start: str = "2020-01",
    end: str | None = None,
) -> RateTerms:
    _next_rate[0] += 1
    return RateTerms(
        id=_next_rate[0],
        contract_id=contract_id,
        effective_from=M(start),
        effective_to=M(end) if end else None,
        component=component,
        rate_cell=cell,
        sex=sex,
        age_min=age[0],
        age_max=age[1],
        amount=Decimal(amount),
    )


def d(text: str) -> dt.date:
    return dt.date.fromisoformat(text)


def worked_example_rates(contract_id: int = 1) -> list[RateTerms]:
    """SPEC §8's rate exhibit."""
    c, start = contract_id, "2026-01"
    return [
        rate("210.00", contract_id=c, cell="TANF", age=(0, 1), start=start),
        rate("95.00", contract_id=c, cell="TANF", age=(2, 20), start=start),
        rate("180.00", contract_id=c, cell="TANF", sex="F", age=(21, None), start=start),
        rate("150.00", contract_id=c, cell="TANF", sex="M", age=(21, None), start=start),
        rate("4.50", contract_id=c, component="care_management", start=start),
    ]


# --- running the engine on plain values -----------------------------------------------------

Key = tuple[object, str]  # (member_pk, 'YYYY-MM'), or (unknown member ID, 'YYYY-MM')


def member_id_of(pk: int) -> str:
    """The payer's ID of roster member ``pk`` in these tests."""
    return f"M{pk:04d}"


def month_text(index: int) -> str:
    return str(Month.from_index(index))


def expected_rows(
    roster_frame: pl.DataFrame,
    contracts: Sequence[ContractTerms],
    rates: Sequence[RateTerms],
    first: str,
    last: str,
) -> dict[Key, dict[str, Any]]:
    """The engine's member-month frame as {(member, 'YYYY-MM'): row}, with ``expected`` as a
    Decimal added to each row."""
    result = compute_expected(roster_frame, contracts, rates, M(first), M(last))
    out: dict[Key, dict[str, Any]] = {}
    for row in result.member_months.iter_rows(named=True):
        key = (row["member_pk"], month_text(row["month"]))
        assert key not in out, f"member-month {key} appears twice"
        out[key] = {**row, "expected": cents_to_money(row["expected_cents"])}
    return out


def expected_amounts(
    roster_frame: pl.DataFrame,
    contracts: Sequence[ContractTerms],
    rates: Sequence[RateTerms],
    first: str,
    last: str,
) -> dict[Key, Decimal]:
    """{(member, 'YYYY-MM'): expected} for the eligible member-months only."""
    rows = expected_rows(roster_frame, contracts, rates, first, last)
    return {k: r["expected"] for k, r in rows.items() if r["eligible"]}


def components_of(
    roster_frame: pl.DataFrame,
    contracts: Sequence[ContractTerms],
    rates: Sequence[RateTerms],
    first: str,
    last: str,
) -> dict[Key, dict[str, Decimal]]:
    """{(member, 'YYYY-MM'): {component: amount before withhold}}."""
    result = compute_expected(roster_frame, contracts, rates, M(first), M(last))
    out: dict[Key, dict[str, Decimal]] = {}
    for row in result.components.iter_rows(named=True):
        key = (row["member_pk"], month_text(row["month"]))
        out.setdefault(key, {})[row["component"]] = cents_to_money(row["amount_cents"])
    return out


def lines_frame(lines: Iterable[tuple[str, str, str]]) -> pl.DataFrame:
    """Remittance lines from (member ID, 'YYYY-MM', amount) tuples."""
    return pl.DataFrame(
        [
            {
                "line_id": i,
                "member_id": member_id,
                "month": M(month).index,
                "amount_cents": money_to_cents(Decimal(amount)),
            }
            for i, (member_id, month, amount) in enumerate(lines, start=1)
        ],
        schema=LINES_SCHEMA,
    )


def ids_frame(pairs: Iterable[tuple[str, int]]) -> pl.DataFrame:
    return pl.DataFrame([{"member_id": i, "member_pk": pk} for i, pk in pairs], schema=IDS_SCHEMA)


def classified(
    roster_frame: pl.DataFrame,
    contracts: Sequence[ContractTerms],
    rates: Sequence[RateTerms],
    first: str,
    last: str,
    lines: Iterable[tuple[str, str, str]] = (),
    aliases: dict[str, int] | None = None,
) -> pl.DataFrame:
    """compute_expected → paid_member_months → classify, as the reconciliation service runs them.

    Every roster member ``pk`` has the ID ``member_id_of(pk)``; ``aliases`` maps further IDs the
    user linked to a member."""
    result = compute_expected(roster_frame, contracts, rates, M(first), M(last))
    members = ids_frame(
        (member_id_of(pk), pk) for pk in sorted(set(roster_frame["member_pk"].to_list()))
    )
    ids = pl.concat([members, ids_frame((aliases or {}).items())])
    paid = paid_member_months(lines_frame(lines), ids)
    return classify(result.member_months, paid, members)


def outcome(
    roster_frame: pl.DataFrame,
    contracts: Sequence[ContractTerms],
    rates: Sequence[RateTerms],
    first: str,
    last: str,
    lines: Iterable[tuple[str, str, str]] = (),
    aliases: dict[str, int] | None = None,
) -> dict[Key, tuple[str, Decimal, Decimal]]:
    """{(member, 'YYYY-MM'): (kind, expected, paid)} for every member-month in scope; the key of
    an unknown member is the ID it was paid under."""
    kinds = classified(roster_frame, contracts, rates, first, last, lines, aliases)
    out: dict[Key, tuple[str, Decimal, Decimal]] = {}
    for row in kinds.iter_rows(named=True):
        who = row["member_pk"] if row["member_pk"] is not None else row["member_ref"]
        key = (who, month_text(row["month"]))
        assert key not in out, f"member-month {key} classified twice"
        assert row["variance_cents"] == row["paid_cents"] - row["expected_cents"]
        out[key] = (
            row["kind"],
            cents_to_money(row["expected_cents"]),
            cents_to_money(row["paid_cents"]),
        )
    return out


def kind_of(
    roster_frame: pl.DataFrame,
    contracts: Sequence[ContractTerms],
    rates: Sequence[RateTerms],
    month: str,
    lines: Iterable[tuple[str, str, str]] = (),
    member: object = 1,
    aliases: dict[str, int] | None = None,
) -> str | None:
    """The kind of one member-month (None when it is not in scope), reconciling that month only."""
    got = outcome(roster_frame, contracts, rates, month, month, lines, aliases)
    entry = got.get((member, month))
    return None if entry is None else entry[0]
