"""The one rule for what disputes recovered (services.disputes), on a practice where every kind
of dispute outcome happens: paid in full later, paid under an alias, resolved without money,
an overpayment recouped, written off, still disputed."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from pathlib import Path

import pytest

from pmpm_desktop.core.clock import now
from pmpm_desktop.core.month import Month
from pmpm_desktop.core.summary import RECOVERED_DEFINITION, RECOVERED_RULE, recovered_caption
from pmpm_desktop.db.database import Database
from pmpm_desktop.services import importing, payers
from pmpm_desktop.services.discrepancies import discrepancy_rows, set_status
from pmpm_desktop.services.disputes import (
    Recovered,
    by_payer,
    dispute_facts,
    recovered_by_payer,
    total_recovered,
)
from pmpm_desktop.services.members import link_alias
from pmpm_desktop.services.overview import Tally, overview
from pmpm_desktop.services.reconciling import reconcile
from tests.unit.files import REMIT_HEADERS, ROSTER_HEADERS, worked_example_rates, xlsx

M = Month.parse
D = Decimal
JAN = M("2026-01")
#: an adult woman's January under SPEC §8's rates: 180.00 less the 2 % withhold, plus 4.50
EXPECTED = D("180.90")

UNDERPAID_PAID_LATER = "000000001"
MISSING_PAID_AS_ALIAS = "000000003"
ALIAS = "900000003"
MISSING_RESOLVED_BY_HAND = "000000004"
OVERPAID_RECOUPED = "000000005"
MISSING_WRITTEN_OFF = "000000006"
MISSING_STILL_DISPUTED = "000000007"
UNDERPAID_NEVER_DISPUTED = "000000008"
DISPUTED = (
    UNDERPAID_PAID_LATER,
    MISSING_PAID_AS_ALIAS,
    MISSING_RESOLVED_BY_HAND,
    OVERPAID_RECOUPED,
    MISSING_WRITTEN_OFF,
    MISSING_STILL_DISPUTED,
)


def _adult(member_id: str) -> list[object]:
    return [member_id, f"LAST{member_id[-1]}", "ANN", dt.date(1990, 5, 10), "F", "MCD", "TANF",
            None, None]  # fmt: skip


@pytest.fixture
def practice(db: Database, tmp_path: Path) -> Database:
    payers.add_payer(db, "SUN", "Sunrise Health Plan", 9)
    payers.add_contract(
        db, "SUN", payers.ContractSpec("Medicaid HMO", JAN, products=("MCD",), withhold_pct="2")
    )
    importing.import_rates(db, "SUN", "Medicaid HMO", worked_example_rates(tmp_path / "r.xlsx"))
    roster = [_adult(m) for m in (*DISPUTED, UNDERPAID_NEVER_DISPUTED)]
    importing.import_roster(db, "SUN", JAN, xlsx(tmp_path / "roster.xlsx", ROSTER_HEADERS, roster))
    first = xlsx(
        tmp_path / "february.xlsx",
        REMIT_HEADERS,
        [
            [UNDERPAID_PAID_LATER, "2026-01", 176.40, "CAP"],
            [OVERPAID_RECOUPED, "2026-01", 200.00, "CAP"],
            [UNDERPAID_NEVER_DISPUTED, "2026-01", 176.40, "CAP"],
        ],
    )
    importing.import_remittance(db, "SUN", first, payment_date=dt.date(2026, 2, 10))
    reconcile(db, "SUN", JAN, JAN)
    for member in DISPUTED:
        set_status(db, "SUN", member, JAN, "disputed", "sent to Sunrise")
    # the payer answers: the shortfall paid, the missing month paid under another ID, the
    # overpayment recouped
    later = xlsx(
        tmp_path / "march.xlsx",
        REMIT_HEADERS,
        [
            [UNDERPAID_PAID_LATER, "2026-01", 4.50, "CAP"],
            [ALIAS, "2026-01", 180.90, "CAP"],
            [OVERPAID_RECOUPED, "2026-01", -19.10, "RECOUP"],
        ],
    )
    importing.import_remittance(db, "SUN", later, payment_date=dt.date(2026, 3, 10))
    link_alias(db, "SUN", ALIAS, MISSING_PAID_AS_ALIAS)
    reconcile(db, "SUN", JAN, JAN)  # closes the three the payer settled
    set_status(db, "SUN", MISSING_RESOLVED_BY_HAND, JAN, "resolved", "member moved away")
    set_status(db, "SUN", MISSING_WRITTEN_OFF, JAN, "written_off", "too old to chase")
    return db


def test_the_setup_is_what_the_rule_is_about(practice: Database) -> None:
    rows = {r.member_id: r for r in discrepancy_rows(practice, payer_code="SUN")}
    assert rows[UNDERPAID_PAID_LATER].kind == "underpaid"
    assert rows[OVERPAID_RECOUPED].kind == "overpaid"
    assert rows[MISSING_STILL_DISPUTED].kind == "missing"
    assert rows[MISSING_STILL_DISPUTED].variance == -EXPECTED
    for member in (UNDERPAID_PAID_LATER, MISSING_PAID_AS_ALIAS, OVERPAID_RECOUPED):
        assert rows[member].status == "resolved"  # by the reconciliation, once paid as expected


def test_each_dispute_and_what_it_recovered(practice: Database) -> None:
    facts = {f.member_id: f for f in dispute_facts(practice)}
    # only what was ever disputed; the underpayment nobody disputed is not a dispute
    assert set(facts) == set(DISPUTED)

    # paid in full later: the new line only, not the 176.40 paid before the dispute
    paid = facts[UNDERPAID_PAID_LATER]
    assert (paid.payer_code, paid.month, paid.kind, paid.status) == ("SUN", JAN, "underpaid",
                                                                     "resolved")  # fmt: skip
    assert paid.counts_as_recovered and paid.recovered == D("4.50")
    assert paid.resolved_at is not None and paid.resolved_at > paid.first_disputed_at
    # paid under an alias linked to the member: counted as the member's
    assert facts[MISSING_PAID_AS_ALIAS].recovered == EXPECTED
    # resolved without new money: counted, with nothing recovered
    by_hand = facts[MISSING_RESOLVED_BY_HAND]
    assert by_hand.counts_as_recovered and by_hand.recovered == D("0.00")
    # an overpayment's answer is a recoupment: not money to the practice, not counted
    over = facts[OVERPAID_RECOUPED]
    assert over.status == "resolved" and over.paid_after == D("-19.10")
    assert not over.counts_as_recovered and over.recovered == D("0.00")
    # written off: not counted
    off = facts[MISSING_WRITTEN_OFF]
    assert off.status == "written_off" and not off.counts_as_recovered and off.recovered == 0
    # still disputed: pending, nothing recovered yet, not resolved
    waiting = facts[MISSING_STILL_DISPUTED]
    assert waiting.pending and waiting.resolved_at is None
    assert not waiting.counts_as_recovered and waiting.recovered == 0

    assert total_recovered(facts.values()) == Recovered(3, D("4.50") + EXPECTED)
    assert recovered_by_payer(facts.values()) == {"SUN": Recovered(3, D("4.50") + EXPECTED)}


def test_filters_by_payer_months_and_resolution_year(practice: Database) -> None:
    year = now().year
    resolved = {f.member_id for f in dispute_facts(practice, resolved_in=year)}
    assert resolved == {UNDERPAID_PAID_LATER, MISSING_PAID_AS_ALIAS, MISSING_RESOLVED_BY_HAND,
                        OVERPAID_RECOUPED}  # fmt: skip
    assert dispute_facts(practice, resolved_in=year - 1) == []
    assert dispute_facts(practice, payers=["BAY"]) == []
    assert len(dispute_facts(practice, payers=["SUN"], first=JAN, last=JAN)) == len(DISPUTED)
    assert dispute_facts(practice, first=M("2026-02")) == []
    assert dispute_facts(practice, last=M("2025-12")) == []


def test_per_payer_summary_and_the_dashboard_use_the_same_rule(practice: Database) -> None:
    facts = dispute_facts(practice, payers=["SUN"], first=JAN, last=JAN)
    (sun, bay) = by_payer(facts, ["SUN", "BAY"])
    assert (sun.disputed, sun.pending, sun.resolved, sun.written_off) == (6, 1, 4, 1)
    assert sun.pending_amount == EXPECTED and sun.written_off_amount == EXPECTED
    assert sun.recovered == Recovered(3, D("4.50") + EXPECTED)
    assert bay.disputed == 0 and bay.recovered == Recovered()
    o = overview(practice)
    assert o.total("recovered") == Tally(3, D("4.50") + EXPECTED)


def test_the_words() -> None:
    assert recovered_caption(0, "in 2026") == (
        "no missing or underpaid dispute resolved in 2026 yet"
    )
    assert recovered_caption(3, "in 2026") == (
        "paid after the dispute for 3 resolved missing or underpaid item(s) in 2026"
    )
    assert RECOVERED_DEFINITION.startswith("Recovered by disputes: what the payer paid")
    assert RECOVERED_DEFINITION.endswith(RECOVERED_RULE[1:])
