"""Payer-level payments (SPEC §7) beside the month figures, on a real database: reconcile, the
Reconciliation page's summary, the Dashboard's figures, ``pmpm reconcile --json`` and rollback.

SPEC §8's Sunrise practice (withhold 2 %): January lists A (expects 180.90, withhold 3.60) and
B (210.30, withhold 4.20); February lists A alone. The statement pays A at member level and
the rest in PLB segments: January CT 210.30, E3 -7.80, CR 1.25; February CT 100.00, WO -25.00.
"""

from __future__ import annotations

from decimal import Decimal
from pathlib import Path
from typing import Any

import openpyxl
import pytest

from pmpm_desktop.core.month import Month
from pmpm_desktop.core.payer_level import code_meaning, code_text, total_payer_level
from pmpm_desktop.core.summary import PayerLevel
from pmpm_desktop.db.database import Database
from pmpm_desktop.io.report import SUMMARY_SHEET, summary_columns
from pmpm_desktop.services import discrepancy_query as dq
from pmpm_desktop.services import importing, payers
from pmpm_desktop.services.import_history import rollback_import
from pmpm_desktop.services.overview import overview
from pmpm_desktop.services.payer_level import payer_payment_lines
from pmpm_desktop.services.reconciling import reconcile, reconcile_payers
from pmpm_desktop.services.reporting import build_report
from tests.unit.files import ROSTER_HEADERS, A, B, xlsx
from tests.unit.payer_payments import store_statement
from tests.unit.practice import add_sunrise

M = Month.parse
D = Decimal
FIRST, LAST = M("2026-01"), M("2026-03")
PAYMENTS = [
    ("2026-01", "CT", "REASSOC-0126", "210.30"),
    ("2026-01", "E3", "REASSOC-0126", "-7.80"),
    ("2026-01", "CR", None, "1.25"),
    ("2026-02", "CT", "REASSOC-0226", "100.00"),
    ("2026-02", "WO", "CLM 88812", "-25.00"),
]
LINES = [("000000001", "2026-01", "176.40"), ("000000001", "2026-02", "180.90")]
JANUARY = PayerLevel(
    paid=D("203.75"),
    by_code={"CR": D("1.25"), "CT": D("210.30"), "E3": D("-7.80")},
    withhold_reported=D("7.80"),
    withhold_contract=D("7.80"),
)
FEBRUARY = PayerLevel(
    paid=D("75.00"),
    by_code={"CT": D("100.00"), "WO": D("-25.00")},
    withhold_reported=D("0.00"),
    withhold_contract=D("3.60"),
)


@pytest.fixture
def practice(db: Database, tmp_path: Path) -> Database:
    """Sunrise with its January and February rosters, and a second payer paid only per member."""
    add_sunrise(db, tmp_path)
    for month, rows in (("2026-01", [A, B]), ("2026-02", [A])):
        path = xlsx(tmp_path / f"{month}.xlsx", ROSTER_HEADERS, rows, title=f"Sunrise {month}")
        importing.import_roster(db, "SUN", M(month), path)
    payers.add_payer(db, "BAY", "Bayside", 9)
    payers.add_contract(db, "BAY", payers.ContractSpec("Bay HMO", M("2026-01"), products=("MCD",)))
    return db


@pytest.fixture
def paid(practice: Database) -> int:
    """The statement with member lines and PLB payments; its import id."""
    return store_statement(practice, "SUN", "sun-0226.835", LINES, PAYMENTS)


def test_each_month_shows_its_payer_level_payments_and_both_withholds(
    practice: Database, paid: int
) -> None:
    s = reconcile(practice, "SUN", FIRST, LAST)
    jan, feb, mar = s.months
    assert jan.payer_level == JANUARY
    assert feb.payer_level == FEBRUARY
    assert mar.payer_level is None  # nothing paid at payer level: blank, not zero
    assert s.payer_level_paid == D("278.75")
    # Paid stays member-level, and the kinds are the member-months' own: B's January is
    # missing although CT paid its 210.30 without naming it.
    assert (jan.expected, jan.paid, feb.expected, feb.paid) == (
        D("391.20"),
        D("176.40"),
        D("180.90"),
        D("180.90"),
    )
    assert s.paid == D("357.30")
    assert {(d.member_id, d.month, d.kind) for d in s.discrepancies} == {
        ("000000001", M("2026-01"), "underpaid"),
        ("000000002", M("2026-01"), "missing"),
    }
    assert jan.payer_level is not None
    assert jan.payer_level.describe() == (
        "$203.75 without members (CR $1.25, CT $210.30, E3 -$7.80); the payer withheld "
        "$7.80, the contracts $7.80"
    )


def test_a_payer_never_paid_at_payer_level_has_none(practice: Database, paid: int) -> None:
    bay = reconcile(practice, "BAY", FIRST, LAST)
    assert bay.payer_level_paid is None
    assert all(m.payer_level is None for m in bay.months)
    assert {
        s.payer_code: s.payer_level_paid for s in reconcile_payers(practice, None, FIRST, LAST)
    } == {
        "BAY": None,
        "SUN": D("278.75"),
    }


def test_page_summary_totals_and_dashboard_agree_with_reconcile(
    practice: Database, paid: int
) -> None:
    months = dq.month_summary(practice, "SUN", FIRST, LAST)  # the page's, nothing stored
    assert months == reconcile(practice, "SUN", FIRST, LAST).months
    total = dq.summary_total(months)
    assert total.payer_level == PayerLevel(
        paid=D("278.75"),
        by_code={"CR": D("1.25"), "CT": D("310.30"), "E3": D("-7.80"), "WO": D("-25.00")},
        withhold_reported=D("7.80"),
        # the contracts' withhold of the months paid at payer level only (January, February)
        withhold_contract=D("11.40"),
    )
    assert total.paid == D("357.30")

    sun = next(p for p in overview(practice).payers if p.code == "SUN")
    assert (sun.first, sun.last) == (M("2026-01"), M("2026-02"))
    assert sun.payer_level_paid == D("278.75") and sun.paid == D("357.30")
    assert [m.payer_level for m in sun.months] == [JANUARY, FEBRUARY]
    bay = next(p for p in overview(practice).payers if p.code == "BAY")
    assert bay.payer_level_paid is None


def test_a_statement_paying_only_at_payer_level_still_sets_the_dashboard_months(
    practice: Database,
) -> None:
    store_statement(practice, "SUN", "plb-only.835", payments=[("2026-02", "CT", "R1", "50.00")])
    o = overview(practice)
    sun = next(p for p in o.payers if p.code == "SUN")
    assert (sun.first, sun.last) == (M("2026-02"), M("2026-02"))
    assert sun.paid == D("0.00") and sun.payer_level_paid == D("50.00")
    assert o.payer_level_paid == D("50.00")


def test_reconcile_json_adds_the_payer_level_keys_to_the_months_that_have_them(
    practice: Database, paid: int, cli: Any
) -> None:
    out = cli("reconcile", "--payer", "SUN", "--from", "2026-01", "--to", "2026-03", "--json")
    assert out.code == 0, out.err
    data = out.json()
    assert data["totals"] == {
        "expected": "572.10",
        "paid": "357.30",
        "variance": "-214.80",
        "payer_level_paid": "278.75",
    }
    jan, feb, mar = data["months"]
    assert jan["paid"] == "176.40" and jan["payer_level_paid"] == "203.75"
    assert jan["payer_level_by_code"] == {"CR": "1.25", "CT": "210.30", "E3": "-7.80"}
    assert (jan["payer_withhold"], jan["contract_withhold"]) == ("7.80", "7.80")
    assert (feb["payer_level_paid"], feb["payer_withhold"], feb["contract_withhold"]) == (
        "75.00",
        "0.00",
        "3.60",
    )
    assert not any(k.startswith(("payer_", "contract_")) for k in mar)
    text = cli("reconcile", "--payer", "SUN", "--from", "2026-01", "--to", "2026-03").out
    assert "2026-02 payer-level: $75.00 without members (CT $100.00, WO -$25.00)" in text

    bay = cli("reconcile", "--payer", "BAY", "--from", "2026-01", "--to", "2026-03", "--json")
    assert "payer_level_paid" not in bay.json()["totals"]
    assert all("payer_level_paid" not in m for m in bay.json()["months"])


def test_rolling_the_statement_back_removes_its_payer_level_payments(
    practice: Database, paid: int
) -> None:
    assert len(payer_payment_lines(practice, ["SUN"], FIRST, LAST)) == 5
    result = rollback_import(practice, "statement", paid)
    assert result.summary is not None and result.summary.payer_level_paid is None
    assert payer_payment_lines(practice, ["SUN"], FIRST, LAST) == []
    s = reconcile(practice, "SUN", FIRST, LAST)
    assert s.payer_level_paid is None and all(m.payer_level is None for m in s.months)


def test_the_report_lists_every_payment_with_its_statement_and_segment(
    practice: Database, paid: int
) -> None:
    lines = payer_payment_lines(practice, ["SUN", "BAY"], FIRST, LAST)
    assert [(str(x.month), x.code, x.reference, x.amount) for x in lines] == [
        ("2026-01", "CR", None, D("1.25")),
        ("2026-01", "CT", "REASSOC-0126", D("210.30")),
        ("2026-01", "E3", "REASSOC-0126", D("-7.80")),
        ("2026-02", "CT", "REASSOC-0226", D("100.00")),
        ("2026-02", "WO", "CLM 88812", D("-25.00")),
    ]
    assert {(x.payer_code, x.file_name) for x in lines} == {("SUN", "sun-0226.835")}
    assert sorted(x.source_row for x in lines) == [12, 13, 14, 15, 16]
    assert payer_payment_lines(practice, ["SUN"], M("2026-03"), M("2026-03")) == []


def test_codes_read_as_a_clerk_reads_them() -> None:
    assert code_meaning("CT") == "Capitation payment"
    assert code_meaning("cr") == "Capitation interest"
    assert code_text("E3") == "E3 (withholding)"
    assert code_meaning("ZZ") == "Adjustment (code not in the X12 list)"
    assert total_payer_level([None, None]) is None
    assert total_payer_level([None, JANUARY]) == JANUARY


def test_a_month_paid_twice_at_payer_level_sums_both_statements(
    practice: Database, paid: int
) -> None:
    store_statement(
        practice,
        "SUN",
        "sun-0326.835",
        payments=[("2026-01", "CT", "LATE", "10.00"), ("2026-01", "E3", "LATE", "-0.20")],
    )
    jan = reconcile(practice, "SUN", FIRST, LAST).months[0]
    assert jan.payer_level is not None
    assert jan.payer_level.by_code == {"CR": D("1.25"), "CT": D("220.30"), "E3": D("-8.00")}
    assert (jan.payer_level.withhold_reported, jan.payer_level.withhold_contract) == (
        D("8.00"),
        D("7.80"),
    )


def _summary_table(ws: Any) -> tuple[list[str], list[list[Any]]]:
    """The Summary sheet's header and its rows up to the first blank one."""
    header_row = next(r[0].row for r in ws.iter_rows(min_col=1, max_col=1) if r[0].value == "Payer")
    header = [c.value for c in ws[header_row] if c.value is not None]
    rows = []
    for r in ws.iter_rows(min_row=header_row + 1, max_col=len(header)):
        if r[0].value is None:
            break
        rows.append([c.value for c in r])
    return header, rows


def _money(value: Any) -> Decimal:
    return Decimal(str(value)).quantize(Decimal("0.01"))


def test_the_workbook_shows_the_payer_level_columns_and_the_payments(
    practice: Database, paid: int, tmp_path: Path
) -> None:
    # March has a roster but nothing paid without members: its payer-level cells stay blank
    march = xlsx(tmp_path / "2026-03.xlsx", ROSTER_HEADERS, [A], title="Sunrise 2026-03")
    importing.import_roster(practice, "SUN", M("2026-03"), march)
    out = build_report(practice, tmp_path / "r.xlsx", None, FIRST, LAST).path
    wb = openpyxl.load_workbook(out)
    ws = wb[SUMMARY_SHEET]
    header, rows = _summary_table(ws)
    assert header == summary_columns(payer_level=True)
    assert header[5:11] == [
        "Paid",
        "Variance",
        "Variance %",
        "Paid at payer level",
        "Withhold (payer)",
        "Withhold (contract)",
    ]
    col = {name: i for i, name in enumerate(header)}

    def level(row: list[Any]) -> tuple[Any, ...]:
        cells = [row[col[c]] for c in header[8:11]]
        return tuple(None if v is None else _money(v) for v in cells)

    by_key = {(r[0], r[1]): r for r in rows}
    assert level(by_key[("SUN", "2026-01")]) == (D("203.75"), D("7.80"), D("7.80"))
    assert level(by_key[("SUN", "2026-02")]) == (D("75.00"), D("0.00"), D("3.60"))
    assert level(by_key[("SUN", "2026-03")]) == (None, None, None)
    assert level(by_key[("SUN", "Total")]) == (D("278.75"), D("7.80"), D("11.40"))
    # BAY has no file in these months: left out, not a block of zeros
    assert {key[0] for key in by_key} == {"SUN"}
    assert _money(by_key[("SUN", "2026-01")][col["Paid"]]) == D("176.40")  # member level
    assert by_key[("SUN", "2026-01")][col["Missing (count)"]] == 1

    titles = [c.value for c in ws["A"] if isinstance(c.value, str)]
    assert any(t.startswith("Paid at payer level: payments without members") for t in titles)
    start = next(c.row for c in ws["A"] if c.value == "Payer-level payments")
    assert [ws.cell(start + 2, c).value for c in range(1, 9)] == [
        "Payer", "Month", "Code", "What it is", None, "Reference", "Amount", "Statement",
    ]  # fmt: skip
    table = [[ws.cell(r, c).value for c in range(1, 9)] for r in range(start + 3, start + 9)]
    assert table[0] == [
        "SUN", "2026-01", "CR", "Capitation interest", None, None, 1.25,
        "sun-0226.835, segment 14",
    ]  # fmt: skip
    assert [(r[1], r[2], r[3], r[5], _money(r[6])) for r in table[1:5]] == [
        ("2026-01", "CT", "Capitation payment", "REASSOC-0126", D("210.30")),
        ("2026-01", "E3", "Withholding", "REASSOC-0126", D("-7.80")),
        ("2026-02", "CT", "Capitation payment", "REASSOC-0226", D("100.00")),
        ("2026-02", "WO", "Overpayment recovery", "CLM 88812", D("-25.00")),
    ]
    assert (table[5][0], table[5][1], _money(table[5][6])) == ("SUN", "Total", D("278.75"))
    cover = [c.value for row in wb["Cover"].iter_rows() for c in row if isinstance(c.value, str)]
    assert any(t.startswith("SUN $278.75: payments without members") for t in cover)


def test_a_workbook_without_payer_level_payments_has_no_such_columns(
    practice: Database, tmp_path: Path
) -> None:
    store_statement(practice, "SUN", "lines.csv", LINES)
    ws = openpyxl.load_workbook(
        build_report(practice, tmp_path / "r.xlsx", "SUN", FIRST, LAST).path
    )[SUMMARY_SHEET]
    header, _rows = _summary_table(ws)
    assert header == summary_columns()
    assert "Payer-level payments" not in [c.value for c in ws["A"]]
