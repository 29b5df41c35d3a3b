"""Adding and editing payers, contracts and rate tables through the services (no Qt)."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import polars as pl
import pytest

from pmpm_desktop.core.month import Month
from pmpm_desktop.db.database import Database
from pmpm_desktop.errors import InputRejected, NotFound
from pmpm_desktop.io.roster_file import ROSTER_SCHEMA
from pmpm_desktop.services import importing, payers
from pmpm_desktop.services.payers import ContractSpec
from pmpm_desktop.services.rate_table import (
    GridRow,
    check_rate_rows,
    parse_cell,
    rate_rows,
    save_rates,
)
from pmpm_desktop.services.reconciling import reconcile

M = Month.parse
D = Decimal


def _problems(exc: pytest.ExceptionInfo[InputRejected]) -> str:
    return str(exc.value)


# --- payers ---------------------------------------------------------------------------------


def test_add_and_update_payer(db: Database) -> None:
    added = payers.add_payer(db, " sun ", "Sunrise", "9")
    assert (added.code, added.name, added.id_width) == ("SUN", "Sunrise", 9)
    updated = payers.update_payer(db, "sun", "  Sunrise Health Plan ", "")
    assert (updated.code, updated.name, updated.id_width) == ("SUN", "Sunrise Health Plan", None)
    [info] = payers.list_payers(db)
    assert (info.name, info.id_width) == ("Sunrise Health Plan", None)
    payers.update_payer(db, "SUN", "Sunrise", 12)
    assert payers.list_payers(db)[0].id_width == 12


@pytest.mark.parametrize(
    ("name", "width", "says"),
    [
        ("  ", None, "needs a name"),
        ("x" * 201, None, "at most 200 characters"),
        ("Sunrise", 0, "between 1 and 40, not 0"),
        ("Sunrise", 41, "between 1 and 40, not 41"),
        ("Sunrise", "abc", "whole number, not 'abc'"),
        ("Sunrise", "9.5", "whole number, not '9.5'"),
    ],
)
def test_payer_values_refused_alike_on_add_and_update(
    db: Database, name: str, width: int | str | None, says: str
) -> None:
    with pytest.raises(InputRejected) as added:
        payers.add_payer(db, "NEW", name, width)
    assert says in _problems(added)
    payers.add_payer(db, "SUN", "Sunrise")
    with pytest.raises(InputRejected) as updated:
        payers.update_payer(db, "SUN", name, width)
    assert says in _problems(updated)
    assert updated.value.problems  # listed one by one, for the dialog
    assert payers.list_payers(db)[0].name == "Sunrise"  # nothing was written


def test_every_payer_problem_is_listed_at_once(db: Database) -> None:
    with pytest.raises(InputRejected) as exc:
        payers.add_payer(db, "no spaces", "", "0")
    assert len(exc.value.problems) == 3


def test_payer_code_refusals(db: Database) -> None:
    payers.add_payer(db, "SUN", "Sunrise")
    with pytest.raises(InputRejected, match="already exists"):
        payers.add_payer(db, "sun", "Another")
    with pytest.raises(InputRejected, match="1–20 letters"):
        payers.add_payer(db, "A" * 21, "Long")
    with pytest.raises(NotFound, match="known payers: SUN"):
        payers.update_payer(db, "BAY", "Bayview", None)


# --- contracts ------------------------------------------------------------------------------


@pytest.fixture
def sun(db: Database) -> Database:
    payers.add_payer(db, "SUN", "Sunrise")
    return db


def _contract(db: Database, name: str) -> payers.ContractInfo:
    return next(c for c in payers.list_contracts(db, "SUN") if c.name == name)


def test_add_contract_from_typed_text_and_list_it(sun: Database) -> None:
    payers.add_contract(
        sun,
        "SUN",
        ContractSpec(
            "Exchange",
            "2026-01",
            "",
            products=payers.split_products(" EXCH, qhp ,, EXCH "),
            eligibility="mid-month:15",
            age_basis="first-of-year",
            withhold_pct="1.5%",
            risk_adjusted=True,
            tolerance="0.50",
            retro_window_months=6,
            payment_due_day=20,
        ),
    )
    c = _contract(sun, "Exchange")
    assert c.products == ("EXCH", "qhp")  # trimmed, duplicates dropped
    assert (c.effective_from, c.effective_to) == (M("2026-01"), None)
    assert (c.eligibility, c.age_basis, c.risk_adjusted) == ("mid-month:15", "first-of-year", True)
    assert (c.withhold_pct, c.tolerance) == (D("1.5"), D("0.50"))
    assert (c.retro_window_months, c.payment_due_day, c.rate_rows) == (6, 20, 0)
    assert payers.list_payers(sun)[0].contracts == ("Exchange",)


def test_update_contract_changes_every_term_and_keeps_rates(sun: Database) -> None:
    cid = payers.add_contract(sun, "SUN", ContractSpec("HMO", M("2026-01"), products=("HMO",)))
    save_rates(sun, "SUN", "HMO", [GridRow(M("2026-01"), amount=D("40.00"))])
    spec = ContractSpec(
        "Commercial HMO",
        "2026-02",
        "12/2026",
        products=("HMO", "HMO2"),
        eligibility="daily",
        withhold_pct="2",
        tolerance="1",
        retro_window_months=3,
        payment_due_day=1,
    )
    assert payers.update_contract(sun, "SUN", cid, spec) == cid
    c = _contract(sun, "Commercial HMO")
    assert (c.id, c.products, c.effective_to, c.eligibility) == (
        cid,
        ("HMO", "HMO2"),
        M("2026-12"),
        "daily",
    )
    assert (c.withhold_pct, c.tolerance, c.rate_rows) == (D("2"), D("1"), 1)
    # by name, and its own name and codes are no clash with itself
    payers.update_contract(sun, "SUN", "commercial hmo", c.spec())
    assert _contract(sun, "Commercial HMO").withhold_pct == D("2")


@pytest.mark.parametrize(
    ("changes", "says"),
    [
        ({"name": " "}, "needs a name"),
        ({"effective_from": ""}, "needs an effective-from month"),
        ({"effective_from": "soon"}, "effective from: not a month"),
        ({"effective_to": "2025-12"}, "contract ends (2025-12) before it starts (2026-01)"),
        ({"eligibility": "mid-month:29"}, "unknown eligibility rule"),
        ({"eligibility": "weekly"}, "unknown eligibility rule"),
        ({"age_basis": "birthday"}, "unknown age basis"),
        ({"withhold_pct": "abc"}, "withhold % must be a number, not 'abc'"),
        ({"withhold_pct": "101"}, "between 0 and 100"),
        ({"withhold_pct": "1.00001"}, "at most 4 decimals"),
        ({"tolerance": "-1"}, "cannot be negative"),
        ({"tolerance": "0.005"}, "at most 2 decimals"),
        ({"tolerance": "NaN"}, "must be a number"),
        ({"retro_window_months": 121}, "retro window must be 0–120"),
        ({"payment_due_day": 0}, "payment due day must be 1–31"),
        ({"payment_due_day": 32}, "payment due day must be 1–31"),
    ],
)
def test_contract_terms_refused_alike_on_add_and_update(
    sun: Database, changes: dict[str, object], says: str
) -> None:
    base = {"name": "HMO", "effective_from": "2026-01", "products": ("HMO",)}
    spec = ContractSpec(**(base | changes))  # type: ignore[arg-type]
    with pytest.raises(InputRejected) as added:
        payers.add_contract(sun, "SUN", spec)
    assert says in _problems(added) and "not added" in _problems(added)
    cid = payers.add_contract(sun, "SUN", ContractSpec(**base))  # type: ignore[arg-type]
    with pytest.raises(InputRejected) as updated:
        payers.update_contract(sun, "SUN", cid, spec)
    assert says in _problems(updated) and "not saved" in _problems(updated)
    assert any(says in p for p in updated.value.problems)
    assert _contract(sun, "HMO").spec() == ContractSpec(
        "HMO", M("2026-01"), None, ("HMO",), withhold_pct=D(0), tolerance=D("0.01")
    )


def test_contract_clashes_with_other_contracts_refused(sun: Database) -> None:
    payers.add_contract(sun, "SUN", ContractSpec("HMO", M("2026-01"), products=("HMO",)))
    other = payers.add_contract(sun, "SUN", ContractSpec("PPO", M("2026-01"), products=("PPO",)))
    with pytest.raises(InputRejected, match="already has a contract named 'hmo'"):
        payers.add_contract(sun, "SUN", ContractSpec("hmo", M("2026-01")))
    with pytest.raises(InputRejected, match="already has a contract named 'HMO'"):
        payers.update_contract(sun, "SUN", other, ContractSpec("HMO", M("2026-01")))
    with pytest.raises(InputRejected) as exc:
        payers.update_contract(
            sun, "SUN", other, ContractSpec("PPO", M("2026-01"), products=("PPO", " hmo "))
        )
    assert exc.value.problems == ["hmo (already selects 'HMO')"]
    assert _contract(sun, "PPO").products == ("PPO",)


def test_update_unknown_contract(sun: Database) -> None:
    with pytest.raises(NotFound, match="no contract named 'Gold'"):
        payers.update_contract(sun, "SUN", "Gold", ContractSpec("Gold", M("2026-01")))
    with pytest.raises(NotFound, match="no contract with id 999"):
        payers.update_contract(sun, "SUN", 999, ContractSpec("Gold", M("2026-01")))


# --- rate tables ----------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("field", "text", "value"),
    [
        ("effective_from", "2026-03", M("2026-03")),
        ("effective_from", "3/15/2026", M("2026-03")),
        ("effective_to", " ", None),
        ("component", "Care Management", "care_management"),
        ("component", "", "capitation"),
        ("rate_cell", " tanf ", "tanf"),
        ("sex", "female", "F"),
        ("sex", "Any", None),
        ("age_min", "21", 21),
        ("age_max", "", None),
        ("amount", "95", D("95.00")),
        ("amount", "$1,234.5", D("1234.50")),
    ],
)
def test_cells_are_typed(field: str, text: str, value: object) -> None:
    assert parse_cell(field, text) == value


@pytest.mark.parametrize(
    ("field", "text", "says"),
    [
        ("amount", "abc", "not an amount"),
        ("amount", "12.345", "more than two decimals"),
        ("effective_from", "later", "not a month"),
        ("sex", "X", "not a sex"),
        ("age_min", "4.5", "whole number"),
        ("age_max", "200", "0 to 150"),
        ("rate_cell", "x" * 61, "longer than 60"),
    ],
)
def test_bad_cells_refused(field: str, text: str, says: str) -> None:
    with pytest.raises(ValueError, match=says):
        parse_cell(field, text)


def test_overlapping_rows_are_named_and_marked() -> None:
    rows = [
        GridRow(M("2026-01"), None, "capitation", "TANF", None, 0, 20, D("95.00")),
        GridRow(M("2026-01"), None, "capitation", "ABD", None, None, None, D("320.00")),
        GridRow(M("2026-01"), None, "capitation", "TANF", "F", 18, None, D("180.00")),
        GridRow(M("2026-01"), None, "care_management", None, None, None, None, D("4.50")),
    ]
    check = check_rate_rows(rows)
    assert not check.ok and check.specs == []
    assert check.bad_rows == {0, 2}
    [problem] = check.problems
    assert problem.startswith("row 1 (capitation, TANF") and "overlaps row 3 (capitation" in problem


def test_missing_and_inconsistent_rows_are_marked() -> None:
    rows = [
        GridRow(M("2026-01"), amount=D("1.00")),
        GridRow(None, amount=None, component="care_management"),
        GridRow(M("2026-03"), M("2026-02"), "x", amount=D("1.00")),
        GridRow(M("2026-01"), None, "y", age_min=30, age_max=20, amount=D("-1.00")),
    ]
    check = check_rate_rows(rows)
    assert check.bad_rows == {1, 2, 3}
    text = "\n".join(check.problems)
    assert "row 2: effective from and amount missing" in text
    assert "row 3 (x" in text and "effective to is before effective from" in text
    assert "age min is above age max" in text and "negative rate" in text


def _roster(*rows: dict[str, object]) -> pl.DataFrame:
    data = [
        {k: r.get(k) for k in ROSTER_SCHEMA} | {"source_row": i + 2} for i, r in enumerate(rows)
    ]
    return pl.DataFrame(data, schema=ROSTER_SCHEMA)


def test_saving_a_grid_replaces_rates_and_reconciliation_uses_them(sun: Database) -> None:
    payers.add_contract(sun, "SUN", ContractSpec("HMO", M("2026-01"), products=("HMO",)))
    save_rates(sun, "SUN", "HMO", [GridRow(M("2026-01"), amount=D("10.00"))] * 1)
    importing.store_roster(
        sun,
        "SUN",
        M("2026-01"),
        _roster(
            {"member_id": "A1", "product": "HMO", "sex": "F", "dob": dt.date(1990, 5, 1)},
            {"member_id": "A2", "product": "HMO", "sex": "M", "dob": dt.date(2020, 5, 1)},
        ),
        file_name="jan.xlsx",
        sha256="jan",
    )
    assert reconcile(sun, "SUN", M("2026-01"), M("2026-01")).expected == D("20.00")

    grid = [
        GridRow(M("2026-01"), None, "capitation", None, None, 0, 17, D("38.00")),
        GridRow(M("2026-01"), None, "capitation", None, None, 18, None, D("52.75")),
        GridRow(M("2026-01"), None, "care management", None, None, None, None, D("4.50")),
    ]
    result = save_rates(sun, "SUN", "HMO", grid)
    assert (result.rows, result.replaced) == (3, 1)
    stored = rate_rows(sun, "SUN", "hmo")
    assert [(r.source_row, r.age_min, r.amount) for r in stored] == [
        (1, 0, D("38.00")),
        (2, 18, D("52.75")),
        (3, None, D("4.50")),
    ]
    assert _contract(sun, "HMO").rate_rows == 3
    # 38.00 + 52.75 + two care-management fees of 4.50
    assert reconcile(sun, "SUN", M("2026-01"), M("2026-01")).expected == D("99.75")


def test_an_invalid_grid_writes_nothing(sun: Database) -> None:
    payers.add_contract(sun, "SUN", ContractSpec("HMO", M("2026-01")))
    save_rates(sun, "SUN", "HMO", [GridRow(M("2026-01"), amount=D("10.00"))])
    overlapping = [GridRow(M("2026-01"), amount=D("1.00")), GridRow(M("2026-06"), amount=D("2"))]
    with pytest.raises(InputRejected) as exc:
        save_rates(sun, "SUN", "HMO", overlapping)
    assert "row 1" in exc.value.problems[0] and "overlaps row 2" in exc.value.problems[0]
    assert [r.amount for r in rate_rows(sun, "SUN", "HMO")] == [D("10.00")]
