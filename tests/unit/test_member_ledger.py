"""One member's months, roster history and search (services/member_ledger.py), and the report
service shared by `pmpm report` and the Reports page (services/reporting.py), on SPEC §8."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from pathlib import Path

import openpyxl
import pytest

from pmpm_desktop.core.month import Month
from pmpm_desktop.db.database import Database
from pmpm_desktop.errors import NotFound, PmpmError, UsageError
from pmpm_desktop.progress import Cancelled
from pmpm_desktop.services import importing, payers
from pmpm_desktop.services.member_ledger import (
    eligibility_history,
    member_detail,
    member_ledger,
    search_members,
    typed_date,
)
from pmpm_desktop.services.members import link_alias
from pmpm_desktop.services.reconciling import reconcile
from pmpm_desktop.services.reporting import PROGRESS_TOTAL, build_report
from tests.unit.files import (
    B_MAY,
    REMIT_HEADERS,
    ROSTER_HEADERS,
    A,
    B,
    worked_example_rates,
    xlsx,
)

M = Month.parse
D = Decimal


@pytest.fixture
def practice(db: Database, tmp_path: Path) -> Database:
    """SPEC §8 through the services: payer, contract, rates, January–March and May rosters,
    and a statement paying A's January short, B's January to March."""
    payers.add_payer(db, "SUN", "Sunrise Health Plan", 9)
    payers.add_contract(
        db,
        "SUN",
        payers.ContractSpec("Medicaid HMO", M("2026-01"), products=("MCD",), withhold_pct="2"),
    )
    importing.import_rates(db, "SUN", "Medicaid HMO", worked_example_rates(tmp_path / "r.xlsx"))
    for month, rows in (
        ("2026-01", [A, B]),
        ("2026-02", [B]),
        ("2026-03", [B]),
        ("2026-05", [B_MAY]),
    ):
        path = xlsx(tmp_path / f"roster {month}.xlsx", ROSTER_HEADERS, rows, f"Roster {month}")
        importing.import_roster(db, "SUN", M(month), path)
    statement = xlsx(
        tmp_path / "statement.xlsx",
        REMIT_HEADERS,
        [
            ["000000001", "2026-01", 176.40, "CAP"],
            ["000000002", "2026-01", 210.30, "CAP"],
            ["000000002", "2026-02", 97.60, "CAP"],
            ["000000002", "2026-03", 97.60, "CAP"],
        ],
    )
    importing.import_remittance(db, "SUN", statement)
    reconcile(db, "SUN", M("2026-01"), M("2026-05"))
    return db


def test_member_b_ledger_follows_the_worked_example(practice: Database) -> None:
    rows = member_ledger(practice, "SUN", "000000002")
    assert [str(r.month) for r in rows] == ["2026-01", "2026-02", "2026-03", "2026-04", "2026-05"]
    jan, feb, mar, apr, may = rows
    assert (jan.eligible, jan.expected, jan.paid, jan.variance, jan.kind, jan.status) == (
        True, D("210.30"), D("210.30"), D("0.00"), "matched", None,
    )  # fmt: skip
    assert (feb.expected, feb.paid, feb.kind) == (D("97.60"), D("97.60"), "matched")
    # The May roster's term date (2026-02-14) ends March: not eligible, paid → a recoupment due.
    assert (mar.eligible, mar.expected, mar.paid, mar.variance) == (
        False, D("0.00"), D("97.60"), D("97.60"),
    )  # fmt: skip
    assert (mar.kind, mar.status, mar.is_discrepancy) == ("not_eligible", "open", True)
    assert (apr.eligible, apr.kind, apr.paid, apr.lines, apr.is_discrepancy) == (
        False, None, D("0.00"), 0, False,
    )  # fmt: skip
    assert may.kind is None and not may.eligible
    assert not jan.is_discrepancy and jan.lines == 1


def test_ledger_takes_a_range_and_alias_ids(practice: Database) -> None:
    a = member_ledger(practice, "SUN", "1")  # zeros are padded back to the payer's width
    assert [(str(r.month), r.expected, r.paid, r.kind, r.status) for r in a] == [
        ("2026-01", D("180.90"), D("176.40"), "underpaid", "open")
    ]
    ranged = member_ledger(practice, "SUN", "000000002", M("2026-02"), M("2026-03"))
    assert [str(r.month) for r in ranged] == ["2026-02", "2026-03"]
    with pytest.raises(UsageError):
        member_ledger(practice, "SUN", "000000002", M("2026-03"), M("2026-02"))
    with pytest.raises(NotFound):
        member_ledger(practice, "SUN", "999999999")


def test_lines_paid_under_a_linked_alias_count_as_the_members(
    practice: Database, tmp_path: Path
) -> None:
    importing.import_remittance(
        practice,
        "SUN",
        xlsx(tmp_path / "alias.xlsx", REMIT_HEADERS, [["XB2", "2026-01", 4.50, "CM ADJ"]]),
    )
    # before the link the alias is a member of its own, paid but never rostered
    unknown = member_ledger(practice, "SUN", "XB2")
    assert [(r.kind, r.paid) for r in unknown] == [("unknown_member", D("4.50"))]
    link_alias(practice, "SUN", "XB2", "000000001")
    a = member_ledger(practice, "SUN", "000000001")
    assert (a[0].paid, a[0].kind, a[0].lines) == (D("180.90"), "matched", 2)
    assert member_ledger(practice, "SUN", "XB2") == a  # the alias opens the member's ledger
    history = eligibility_history(practice, "SUN", "000000001")
    assert [x.alias_id for x in history.aliases] == ["XB2"]


def test_eligibility_history_lists_every_roster_newest_first(
    practice: Database, tmp_path: Path
) -> None:
    # March again, from another file: the first March import stays in the history, replaced.
    b_mar = [*B[:7], dt.date(2026, 3, 1), None]
    path = xlsx(tmp_path / "roster 2026-03 corrected.xlsx", ROSTER_HEADERS, [b_mar])
    importing.import_roster(practice, "SUN", M("2026-03"), path)
    history = eligibility_history(practice, "SUN", "000000002")
    assert [(str(r.roster_month), r.file_name, r.active) for r in history.rows] == [
        ("2026-05", "roster 2026-05.xlsx", True),
        ("2026-03", "roster 2026-03 corrected.xlsx", True),
        ("2026-03", "roster 2026-03.xlsx", False),
        ("2026-02", "roster 2026-02.xlsx", True),
        ("2026-01", "roster 2026-01.xlsx", True),
    ]
    may = history.rows[0]
    assert (may.product, may.rate_cell, may.effective_date, may.term_date) == (
        "MCD", "TANF", dt.date(2025, 6, 1), dt.date(2026, 2, 14),
    )  # fmt: skip
    assert history.aliases == []
    detail = member_detail(practice, "SUN", "000000002")
    assert (detail.info.last_name, detail.info.first_name, detail.info.sex) == ("BRAVO", "BEN", "M")
    assert detail.history == history and len(detail.ledger) == 5


def _ids(practice: Database, text: str, payer: str | None = None) -> list[str]:
    source = search_members(practice, text, payer)
    rows = source.fetch(0, 50, None, False)
    assert source.count() == len(rows)
    return [r.member_id for r in rows]


def test_search_by_id_prefix_name_and_date_of_birth(practice: Database) -> None:
    assert _ids(practice, "") == ["000000001", "000000002"]  # by name: ALPHA, BRAVO
    assert _ids(practice, "0000000") == ["000000001", "000000002"]
    assert _ids(practice, "000000002") == ["000000002"]
    assert _ids(practice, "2") == ["000000002"]  # the ID without its leading zeros
    assert _ids(practice, "bravo, ben") == ["000000002"]
    assert _ids(practice, "BRAVO,") == ["000000002"]
    assert _ids(practice, "Ben Bravo") == ["000000002"]
    assert _ids(practice, "bravo b") == ["000000002"]
    assert _ids(practice, "al") == ["000000001"]
    assert _ids(practice, "2024-01-15") == ["000000002"]
    assert _ids(practice, "01/15/2024") == ["000000002"]
    assert _ids(practice, "5/10/1990") == ["000000001"]
    assert _ids(practice, "12") == []  # a number is an ID, not the Excel date 1900-01-12
    assert _ids(practice, "50%") == [] and _ids(practice, "_") == []  # LIKE wildcards are text
    assert _ids(practice, "bravo", "sun") == ["000000002"]
    with pytest.raises(NotFound):
        search_members(practice, "", "NOPE")


def test_search_rows_sort_and_page_in_sql(practice: Database) -> None:
    source = search_members(practice, "")
    first = source.fetch(0, 1, "dob", True)
    assert [r.member_id for r in first] == ["000000002"]  # born 2024: the youngest first
    assert [r.member_id for r in source.fetch(1, 1, "dob", True)] == ["000000001"]
    b = source.fetch(0, 1, "sex", True)[0]  # M before F
    assert (b.payer_code, b.last_name, b.first_name, b.dob, b.sex) == (
        "SUN", "BRAVO", "BEN", dt.date(2024, 1, 15), "M",
    )  # fmt: skip
    assert (b.latest_month, b.open_discrepancies) == (M("2026-05"), 1)
    a = source.fetch(0, 1, "latest_month", False)[0]
    assert (a.member_id, a.latest_month, a.open_discrepancies) == ("000000001", M("2026-01"), 1)
    with pytest.raises(UsageError):
        source.fetch(0, 1, "salary", False)


def test_typed_date_only_takes_dates() -> None:
    assert typed_date("2024-01-15") == dt.date(2024, 1, 15)
    assert typed_date("20240115") == dt.date(2024, 1, 15)
    assert typed_date("000000002") is None and typed_date("smith") is None
    assert typed_date("") is None


# --- the report service ------------------------------------------------------------------------


def _sheet_rows(path: Path, sheet: str, header_cell: str) -> list[dict[str, object]]:
    ws = openpyxl.load_workbook(path)[sheet]
    rows = list(ws.iter_rows(values_only=True))
    at = next(i for i, r in enumerate(rows) if r and r[0] == header_cell)
    header = rows[at]
    return [dict(zip(header, r, strict=False)) for r in rows[at + 1 :] if any(r)]


def test_build_report_writes_what_reconcile_gives(practice: Database, tmp_path: Path) -> None:
    seen: list[tuple[int, int]] = []
    out = tmp_path / "report.xlsx"
    result = build_report(
        practice, out, "sun", M("2026-01"), M("2026-03"), "Main St Pediatrics",
        lambda done, total: seen.append((done, total)) is None,
    )  # fmt: skip
    assert result.path == out and out.exists()
    assert seen[-1] == (PROGRESS_TOTAL, PROGRESS_TOTAL)
    assert [d for d, _ in seen] == sorted(d for d, _ in seen)
    summary = reconcile(practice, "SUN", M("2026-01"), M("2026-03"))
    assert result.summaries[0].expected == summary.expected
    wb = openpyxl.load_workbook(out)
    assert wb.sheetnames[:3] == ["Cover", "Summary", "Discrepancies"]
    assert wb["Summary"]["A1"].value == "Main St Pediatrics"
    months = _sheet_rows(out, "Summary", "Payer")
    by_month = {r["Month"]: r for r in months}
    for m in summary.months:
        assert f"{by_month[str(m.month)]['Expected']:.2f}" == f"{m.expected:.2f}"
        assert f"{by_month[str(m.month)]['Paid']:.2f}" == f"{m.paid:.2f}"
    found = _sheet_rows(out, "Discrepancies", "Payer")
    assert sorted((r["Member ID"], r["Month"]) for r in found) == sorted(
        (d.member_id, str(d.month)) for d in summary.discrepancies
    )


def test_build_report_refuses_bad_targets_and_leaves_no_file_on_cancel(
    practice: Database, tmp_path: Path
) -> None:
    with pytest.raises(PmpmError, match="does not exist"):
        build_report(practice, tmp_path / "nowhere" / "r.xlsx", None, M("2026-01"), M("2026-02"))
    with pytest.raises(UsageError, match=".xlsx"):
        build_report(practice, tmp_path / "r.csv", None, M("2026-01"), M("2026-02"))
    with pytest.raises(NotFound):
        build_report(practice, tmp_path / "r.xlsx", "NOPE", M("2026-01"), M("2026-02"))
    for stop_at in (0, 500):  # while reconciling, and while writing
        out = tmp_path / f"cancelled {stop_at}.xlsx"
        with pytest.raises(Cancelled):
            build_report(
                practice, out, None, M("2026-01"), M("2026-02"),
                progress=lambda done, total, stop=stop_at: done < stop,
            )  # fmt: skip
        assert not out.exists()
    assert sorted(p.name for p in tmp_path.iterdir() if "cancelled" in p.name) == []
