"""The dashboard's figures on the demo practice equal what reconciling and listing give."""

from __future__ import annotations

import json
from decimal import Decimal
from pathlib import Path

import pytest
from sqlalchemy import func, select

from pmpm_desktop.core.clock import now
from pmpm_desktop.core.money import format_money
from pmpm_desktop.core.month import Month
from pmpm_desktop.core.summary import DISCREPANCY_KINDS
from pmpm_desktop.db.database import Database
from pmpm_desktop.db.models import Payer, RosterImport, RosterRow
from pmpm_desktop.io.options import FileKind
from pmpm_desktop.progress import Cancelled
from pmpm_desktop.services import importing, payers
from pmpm_desktop.services.aging import aging_items, aging_table
from pmpm_desktop.services.demo import FIRST, LAST
from pmpm_desktop.services.discrepancies import discrepancy_rows, set_status
from pmpm_desktop.services.disputes import dispute_facts, total_recovered
from pmpm_desktop.services.overview import Tally, overview
from pmpm_desktop.services.reconciling import reconcile
from tests.conftest import cli_runner
from tests.unit.files import REMIT_HEADERS, ROSTER_HEADERS, worked_example_rates, xlsx

M = Month.parse


def _tally(rows: list) -> Tally:  # type: ignore[type-arg]
    zero = Decimal("0.00")
    return Tally(
        len(rows),
        sum((r.variance for r in rows), zero),
        sum((-r.variance for r in rows if r.variance < 0), zero),
        sum((r.variance for r in rows if r.variance > 0), zero),
    )


def test_expected_and_paid_are_the_reconciliation_figures(demo: Database) -> None:
    o = overview(demo)
    assert [p.code for p in o.payers] == ["BAY", "HCA", "SUN"]
    for p in o.payers:
        assert (p.first, p.last) == (FIRST, LAST)
        summary = reconcile(demo, p.code, p.first, p.last)
        assert p.expected == summary.expected
        assert p.paid == summary.paid
        assert p.variance == summary.variance
        assert p.needs_reconcile is False  # the demo was reconciled over the same months
    assert o.expected == sum(p.expected for p in o.payers)  # type: ignore[misc]
    assert o.months == (FIRST, LAST)
    assert o.hints == ()


def test_members_are_the_latest_roster_months(demo: Database) -> None:
    o = overview(demo)
    with demo.sessions() as s:
        for p in o.payers:
            assert p.roster_month == LAST
            n = s.scalar(
                select(func.count(func.distinct(RosterRow.member_pk)))
                .join(RosterImport, RosterImport.id == RosterRow.import_id)
                .join(Payer, Payer.id == RosterImport.payer_id)
                .where(Payer.code == p.code, RosterImport.roster_month == LAST)
            )
            assert p.members == n > 0
            assert p.roster_imports == 6 and p.statements == 6
    assert o.members == sum(p.members for p in o.payers)


def test_discrepancy_tallies_equal_the_stored_rows(demo: Database) -> None:
    rows = discrepancy_rows(demo, status="open")
    # Dispute three, resolve two, write one off.
    for r in rows[:3]:
        set_status(demo, r.payer_code, r.member_id, r.month, "disputed", "sent to the payer")
    for r in rows[3:5]:
        set_status(demo, r.payer_code, r.member_id, r.month, "resolved")
    set_status(demo, rows[5].payer_code, rows[5].member_id, rows[5].month, "written_off")
    o = overview(demo)
    for p in o.payers:
        for kind in DISCREPANCY_KINDS:
            listed = discrepancy_rows(demo, payer_code=p.code, kind=kind, status="open")
            assert p.open_by_kind[kind] == _tally(listed), (p.code, kind)
        assert p.open == _tally(discrepancy_rows(demo, payer_code=p.code, status="open"))
        assert p.disputed == _tally(discrepancy_rows(demo, payer_code=p.code, status="disputed"))
    assert o.total("open") == _tally(discrepancy_rows(demo, status="open"))
    assert o.total("disputed") == _tally(rows[:3])
    assert o.total("resolved_this_year") == _tally(rows[3:5])
    assert o.total("written_off_this_year") == _tally(rows[5:6])
    # Closed in another year: not "this year".
    earlier = overview(demo, year=now().year - 1)
    assert earlier.total("resolved_this_year") == Tally()
    assert earlier.total("disputed") == _tally(rows[:3])


def test_needs_attention_lists_the_biggest_open_groups(demo: Database) -> None:
    o = overview(demo)
    groups: dict[tuple[str, str], list] = {}  # type: ignore[type-arg]
    for r in discrepancy_rows(demo, status="open"):
        groups.setdefault((r.payer_code, r.kind), []).append(r)
    assert 0 < len(o.attention) <= 8
    for item in o.attention:
        assert _tally(groups[(item.payer_code, item.kind)]) == Tally(
            item.count, item.amount, item.owed_to_practice, item.owed_to_payer
        )
    stakes = sorted((abs(_tally(g).amount) for g in groups.values()), reverse=True)
    assert [abs(i.amount) for i in o.attention] == stakes[: len(o.attention)]


def test_latest_files_are_the_last_five_imports(demo: Database) -> None:
    o = overview(demo)
    assert len(o.recent) == 5
    stamps = [f.imported_at for f in o.recent]
    assert stamps == sorted(stamps, reverse=True)
    # The demo imports each payer's statements after its rosters; HCA goes last.
    assert {f.kind for f in o.recent} == {FileKind.STATEMENT}
    assert o.recent[0].file_name == "HCA statement 2026-06.xlsx"
    assert o.recent[0].detail == "statement, paid 2026-06-15"


def test_a_new_statement_shows_at_once_and_asks_for_a_reconcile(
    demo: Database, tmp_path: Path
) -> None:
    before = {p.code: p for p in overview(demo).payers}
    member = discrepancy_rows(demo, payer_code="SUN", kind="missing", status="open")[0]
    amount = -member.variance
    path = xlsx(
        tmp_path / "SUN late payment.xlsx",
        REMIT_HEADERS,
        [[member.member_id, str(member.month), amount, "RETRO"]],
    )
    importing.import_remittance(demo, "SUN", path)
    after = {p.code: p for p in overview(demo).payers}
    assert after["SUN"].paid == before["SUN"].paid + amount  # type: ignore[operator]
    assert after["SUN"].expected == before["SUN"].expected
    assert after["SUN"].needs_reconcile and not after["BAY"].needs_reconcile
    hints = overview(demo).hints
    assert [(h.action, h.payer_code) for h in hints] == [("reconcile", "SUN")]
    assert "2026-01 to 2026-06" in hints[0].text
    reconcile(demo, "SUN", FIRST, LAST)
    assert not overview(demo).payers[2].needs_reconcile
    assert overview(demo).recent[0].file_name == "SUN late payment.xlsx"


def test_hints_for_partial_data(db: Database, tmp_path: Path) -> None:
    payers.add_payer(db, "AAA", "No Contract Plan")
    payers.add_payer(db, "BBB", "No Rates Plan")
    payers.add_contract(db, "BBB", payers.ContractSpec("Medicaid", M("2026-01")))
    payers.add_payer(db, "CCC", "Rosters Only Plan", 9)
    payers.add_contract(db, "CCC", payers.ContractSpec("Medicaid", M("2026-01")))
    importing.import_rates(db, "CCC", "Medicaid", worked_example_rates(tmp_path / "r.xlsx"))
    roster = xlsx(
        tmp_path / "roster.xlsx",
        ROSTER_HEADERS,
        [["000000001", "ALPHA", "ANN", "1990-05-10", "F", "MCD", "TANF", None, None]],
    )
    importing.import_roster(db, "CCC", M("2026-01"), roster)
    o = overview(db)
    assert [(h.action, h.payer_code) for h in o.hints] == [
        ("payers", "AAA"),
        ("import_roster", "AAA"),
        ("import_rates", "BBB"),
        ("import_roster", "BBB"),
        ("import_remittance", "CCC"),
    ]
    assert "Medicaid" in o.hints[2].text
    ccc = o.payers[2]
    assert (ccc.members, ccc.roster_month, ccc.expected, ccc.first) == (1, M("2026-01"), None, None)
    assert o.expected is None and o.months is None
    assert o.attention == () and o.recent[0].kind == "roster"


def test_empty_database_and_cancel(db: Database) -> None:
    o = overview(db)
    assert o.empty and o.members == 0 and o.expected is None and o.hints == ()
    payers.add_payer(db, "AAA", "A Plan")
    with pytest.raises(Cancelled):
        overview(db, lambda done, total: False)


def test_dashboard_figures_equal_reconcile_json(
    demo: Database, capsys: pytest.CaptureFixture[str]
) -> None:
    """Month by month, each payer's figures are what ``pmpm reconcile --json`` prints for the
    same payer and months, and the year's expected/paid are its totals."""
    o = overview(demo)
    run = cli_runner(str(demo.engine.url.database), capsys)
    for p in o.payers:
        result = run(
            "reconcile", "--payer", p.code, "--from", str(p.first), "--to", str(p.last), "--json"
        )
        assert result.code == 0, result.err
        data = json.loads(result.out)
        assert (data["from"], data["to"]) == (str(p.first), str(p.last))
        assert data["totals"]["expected"] == format_money(p.expected)  # type: ignore[arg-type]
        assert data["totals"]["paid"] == format_money(p.paid)  # type: ignore[arg-type]
        assert [
            {
                "month": str(m.month),
                "eligible_members": m.eligible_members,
                "paid_members": m.paid_members,
                "expected": format_money(m.expected),
                "paid": format_money(m.paid),
                "variance": format_money(m.variance),
            }
            for m in p.months
        ] == data["months"]
    # the whole practice by month: the sum over the payers' JSON
    sums: dict[str, list[Decimal]] = {}
    for p in o.payers:
        data = json.loads(
            run(
                "reconcile", "--payer", p.code, "--from", "2026-01", "--to", "2026-06", "--json"
            ).out
        )
        for m in data["months"]:
            e, pd = sums.setdefault(m["month"], [Decimal(0), Decimal(0)])
            sums[m["month"]] = [e + Decimal(m["expected"]), pd + Decimal(m["paid"])]
    assert [(str(m), e, pd) for m, e, pd in o.monthly()] == [(k, *v) for k, v in sums.items()]


def test_aging_and_open_by_kind_equal_the_listed_discrepancies(demo: Database) -> None:
    rows = discrepancy_rows(demo, status="open")
    set_status(demo, rows[0].payer_code, rows[0].member_id, rows[0].month, "disputed")
    o = overview(demo)
    assert o.as_of == now().date()
    assert [r.payer_code for r in o.owed_by_age] == ["BAY", "HCA", "SUN"]
    for r in o.owed_by_age:
        listed = discrepancy_rows(demo, payer_code=r.payer_code, status="open") + discrepancy_rows(
            demo, payer_code=r.payer_code, status="disputed"
        )
        owed = _tally([x for x in listed if x.variance < 0])
        # owed to the practice, as positive amounts: nothing owed back is netted against it
        assert (r.count, sum(r.amounts.values())) == (owed.count, owed.owed_to_practice)
    short = [i for i in aging_items(demo, as_of=o.as_of) if i.variance < 0]
    table = aging_table(short, {p.code: p.name for p in o.payers})
    assert [(r.payer_code, {b: -v for b, v in r.amounts.items()}, r.counts) for r in table] == [
        (r.payer_code, r.amounts, r.counts) for r in o.owed_by_age
    ]
    for p in o.payers:
        listed = discrepancy_rows(demo, payer_code=p.code, status="open") + discrepancy_rows(
            demo, payer_code=p.code, status="disputed"
        )
        assert p.owed_to_practice == _tally(listed).owed_to_practice > 0
        assert p.owed_to_payer == _tally(listed).owed_to_payer > 0
    assert o.owed_to_practice == sum(p.owed_to_practice for p in o.payers)
    # aged from the 15th of each coverage month (the demo contracts' default due day)
    for item in aging_items(demo, as_of=o.as_of):
        assert item.due_date == item.month.day(15)
        assert item.age_days == max(0, (o.as_of - item.due_date).days)
    assert sum(r.count for r in o.owed_by_age) > 0


def test_recovered_is_what_the_payer_paid_after_the_dispute(demo: Database, tmp_path: Path) -> None:
    missing = discrepancy_rows(demo, payer_code="SUN", kind="missing", status="open")
    won, lost, never = missing[0], missing[1], missing[2]
    for r in (won, lost, never):
        set_status(demo, "SUN", r.member_id, r.month, "disputed", "asked the payer")
    # explained without money: resolved by a person, nothing recovered
    set_status(demo, "SUN", lost.member_id, lost.month, "resolved", "member moved")
    assert overview(demo).total("recovered") == Tally(1, Decimal("0.00"))
    # the payer pays the first one on a later statement; reconciling closes it
    path = xlsx(
        tmp_path / "SUN retro.xlsx",
        REMIT_HEADERS,
        [[won.member_id, str(won.month), -won.variance, "RETRO"]],
    )
    importing.import_remittance(demo, "SUN", path)
    reconcile(demo, "SUN", FIRST, LAST)
    o = overview(demo)
    sun = {p.code: p for p in o.payers}["SUN"]
    assert sun.recovered == Tally(2, -won.variance)
    assert o.total("recovered") == Tally(2, -won.variance)
    assert {p.code: p for p in o.payers}["BAY"].recovered == Tally()
    # the one still disputed recovered nothing yet, and another year saw none of this
    assert overview(demo, year=now().year - 1).total("recovered") == Tally()
    # an overpayment disputed then resolved is answered by a recoupment: not counted
    over = discrepancy_rows(demo, kind="overpaid", status="open")[0]
    set_status(demo, over.payer_code, over.member_id, over.month, "disputed", "asked the payer")
    set_status(demo, over.payer_code, over.member_id, over.month, "resolved", "they recouped")
    assert overview(demo).total("recovered") == Tally(2, -won.variance)
    # the tile's figure is the one rule of services.disputes, over the year's resolutions
    rule = total_recovered(dispute_facts(demo, resolved_in=now().year))
    assert overview(demo).total("recovered") == Tally(rule.count, rule.amount)
