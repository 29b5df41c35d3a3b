"""Services over a real SQLite file: storing imports, replacing months, explaining amounts."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import polars as pl
import pytest
from sqlalchemy import select

from pmpm_desktop.core.month import Month
from pmpm_desktop.db.database import Database
from pmpm_desktop.db.models import Member, MemberAlias
from pmpm_desktop.errors import InputRejected
from pmpm_desktop.io.roster_file import ROSTER_SCHEMA
from pmpm_desktop.services import importing, payers
from pmpm_desktop.services.explain import explain, explanation_text
from pmpm_desktop.services.reconciling import reconcile

M = Month.parse
# The reader's canonical roster frame: what store_roster takes.
ROSTER_COLUMNS = ROSTER_SCHEMA


def roster_frame(*rows: dict[str, object]) -> pl.DataFrame:
    data = [
        {k: r.get(k) for k in ROSTER_COLUMNS} | {"source_row": i + 2} for i, r in enumerate(rows)
    ]
    return pl.DataFrame(data, schema=ROSTER_COLUMNS)


def lines_frame(*rows: tuple[str, str, int]) -> pl.DataFrame:
    return pl.DataFrame(
        {
            "member_id": [r[0] for r in rows],
            "coverage_month": [r[1] for r in rows],
            "amount_cents": [r[2] for r in rows],
            "source_row": list(range(2, len(rows) + 2)),
        },
        schema={
            "member_id": pl.Utf8,
            "coverage_month": pl.Utf8,
            "amount_cents": pl.Int64,
            "source_row": pl.Int64,
        },
    )


@pytest.fixture
def two_contracts(db: Database) -> Database:
    payers.add_payer(db, "HCA", "Harbor", None)
    payers.add_contract(
        db, "HCA", payers.ContractSpec("HMO", M("2026-01"), products=("HMO",), eligibility="daily")
    )
    payers.add_contract(
        db, "HCA", payers.ContractSpec("Exchange", M("2026-01"), products=("EXCH", "QHP"))
    )
    with db.sessions() as s:
        ids = {c.name: c.id for c in payers.get_payer(s, "HCA").contracts}
    from pmpm_desktop.core.rates import RateRowSpec

    importing.replace_rates(
        db,
        ids["HMO"],
        "HMO",
        [RateRowSpec(M("2026-01"), None, "capitation", None, None, None, None, Decimal("31.00"))],
    )
    importing.replace_rates(
        db,
        ids["Exchange"],
        "Exchange",
        [RateRowSpec(M("2026-01"), None, "capitation", None, None, None, None, Decimal("44.10"))],
    )
    return db


def _store(db: Database, month: str, frame: pl.DataFrame, name: str) -> importing.ImportResult:
    return importing.store_roster(db, "HCA", M(month), frame, file_name=name, sha256=name * 2)


def test_a_product_that_selects_no_contract_is_refused_naming_it(two_contracts: Database) -> None:
    with pytest.raises(InputRejected) as err:
        _store(two_contracts, "2026-01", roster_frame({"member_id": "H1", "product": "PPO"}), "a")
    assert "PPO" in str(err.value) and "HMO" in str(err.value)


def test_products_select_their_contract_trimmed_and_case_insensitive(
    two_contracts: Database,
) -> None:
    _store(
        two_contracts,
        "2026-01",
        roster_frame(
            {"member_id": "H1", "product": " hmo ", "effective_date": dt.date(2026, 1, 11)},
            {"member_id": "H2", "product": "qhp", "effective_date": dt.date(2026, 1, 1)},
        ),
        "jan",
    )
    importing.store_remittance(
        two_contracts,
        "HCA",
        lines_frame(("H1", "2026-01", 2100), ("H2", "2026-01", 4410)),
        file_name="s",
        sha256="s1",
    )
    summary = reconcile(two_contracts, "HCA", M("2026-01"), M("2026-01"))
    # H1: daily, 21 of 31 days of 31.00 = 21.00; H2: Exchange, first of month, 44.10.
    assert summary.expected == Decimal("65.10")
    assert summary.counts["matched"] == 2


def test_overlapping_rows_of_one_member_are_merged(two_contracts: Database) -> None:
    result = _store(
        two_contracts,
        "2026-01",
        roster_frame(
            {
                "member_id": "H1",
                "product": "HMO",
                "effective_date": dt.date(2026, 1, 1),
                "term_date": dt.date(2026, 1, 10),
            },
            {
                "member_id": "H1",
                "product": "HMO",
                "effective_date": dt.date(2026, 1, 11),
                "term_date": dt.date(2026, 1, 20),
            },
            {
                "member_id": "H1",
                "product": "HMO",
                "effective_date": dt.date(2026, 1, 26),
                "term_date": None,
            },
        ),
        "jan",
    )
    assert result.rows == 2 and result.members == 1
    summary = reconcile(two_contracts, "HCA", M("2026-01"), M("2026-01"))
    # 20 days + 6 days = 26 of 31 → 26.00
    assert summary.expected == Decimal("26.00")


def test_replacing_a_roster_month_keeps_the_old_import_inactive(two_contracts: Database) -> None:
    first = _store(
        two_contracts, "2026-01", roster_frame({"member_id": "H1", "product": "HMO"}), "one"
    )
    second = _store(
        two_contracts, "2026-01", roster_frame({"member_id": "H2", "product": "HMO"}), "two"
    )
    assert second.replaced_import_id == first.import_id
    summary = reconcile(two_contracts, "HCA", M("2026-01"), M("2026-01"))
    assert summary.months[0].eligible_members == 1
    assert [d.member_id for d in summary.discrepancies] == ["H2"]


def test_an_alias_counts_as_the_member_and_explain_tells_why(two_contracts: Database) -> None:
    _store(
        two_contracts,
        "2026-01",
        roster_frame(
            {"member_id": "H1", "product": "EXCH", "last_name": "Muñoz", "first_name": "Ana"}
        ),
        "jan",
    )
    importing.store_remittance(
        two_contracts, "HCA", lines_frame(("HX1", "2026-01", 4410)), file_name="s", sha256="s1"
    )
    summary = reconcile(two_contracts, "HCA", M("2026-01"), M("2026-01"))
    assert {d.kind for d in summary.discrepancies} == {"missing", "unknown_member"}
    with two_contracts.sessions.begin() as s:
        payer = payers.get_payer(s, "HCA")
        member_pk = s.scalar(select(Member.id).where(Member.member_id == "H1"))
        assert member_pk is not None
        s.add(MemberAlias(payer_id=payer.id, alias_id="HX1", member_pk=member_pk))
    summary = reconcile(two_contracts, "HCA", M("2026-01"), M("2026-01"))
    assert summary.counts["matched"] == 1
    assert {d.status for d in summary.discrepancies} == {"resolved"}
    e = explain(two_contracts, "HCA", "H1", M("2026-01"))
    assert e.expected == Decimal("44.10") and e.paid == Decimal("44.10") and e.kind == "matched"
    assert e.contract == "Exchange" and e.fraction == "1/1"
    text = explanation_text(e)
    assert "Muñoz" in text and "HX1" in text and "capitation: rate 44.10" in text


def test_member_details_follow_the_newest_roster_month(two_contracts: Database) -> None:
    _store(
        two_contracts,
        "2026-02",
        roster_frame({"member_id": "H1", "product": "HMO", "last_name": "Smith"}),
        "feb",
    )
    _store(
        two_contracts,
        "2026-01",
        roster_frame({"member_id": "H1", "product": "HMO", "last_name": "Smyth"}),
        "jan",
    )
    with two_contracts.sessions() as s:
        assert s.scalar(select(Member.last_name).where(Member.member_id == "H1")) == "Smith"
    _store(
        two_contracts,
        "2026-03",
        roster_frame(
            {
                "member_id": "H1",
                "product": "HMO",
                "last_name": "Smith-Jones",
                "dob": dt.date(1980, 2, 3),
            }
        ),
        "mar",
    )
    with two_contracts.sessions() as s:
        member = s.scalars(select(Member).where(Member.member_id == "H1")).one()
        assert (member.last_name, member.dob) == ("Smith-Jones", dt.date(1980, 2, 3))
