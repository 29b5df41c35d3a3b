"""The report service on SPEC §8's practice with a dispute, a late recoupment and payer text that
looks like formulas: what disputes recovered, the Late recoupments sheet, the dispute packet,
the ledger cap, and formula injection neutralised in every workbook."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from pathlib import Path
from typing import Any

import openpyxl
import pytest

from pmpm_desktop.core.month import Month
from pmpm_desktop.core.summary import RECOVERED_DEFINITION, RECOVERED_RULE, RECOVERED_TITLE
from pmpm_desktop.db.database import Database
from pmpm_desktop.errors import PmpmError
from pmpm_desktop.io.report import (
    AGING_SHEET,
    COVER_SHEET,
    LATE_SHEET,
    LEDGER_SHEET,
)
from pmpm_desktop.io.report_packet import PACKET_LATE_SHEET, PACKET_SHEET
from pmpm_desktop.progress import Cancelled
from pmpm_desktop.services import importing, payers, report_extras, reporting
from pmpm_desktop.services.discrepancies import set_status
from pmpm_desktop.services.reconciling import reconcile
from pmpm_desktop.services.reporting import PROGRESS_TOTAL, build_report
from tests.unit.files import (
    B_MAY,
    REMIT_HEADERS,
    ROSTER_HEADERS,
    B,
    csv_file,
    worked_example_rates,
    xlsx,
)

M = Month.parse
D = Decimal
HYPERLINK = '=HYPERLINK("http://evil.example","click")'
AT_SUM = "@SUM(A1)"
PLUS = "+CMD"
MINUS = "-2+3"
NOTE = "=1+1 asked the payer"
LATE_FILE = "=late statement.xlsx"
INJECTIONS = (HYPERLINK, AT_SUM, PLUS, MINUS, NOTE, LATE_FILE)

A = ["000000001", HYPERLINK, AT_SUM, dt.date(1990, 5, 10), "F", "MCD", "TANF", None, None]
C = ["000000003", PLUS, MINUS, dt.date(1985, 3, 3), "F", "MCD", "TANF", None, None]


@pytest.fixture
def practice(db: Database, tmp_path: Path) -> Database:
    """A (underpaid in January, disputed, then paid the difference), B (retro-termed for March
    and recouped five months later, past a two-month retro window), C (never paid)."""
    payers.add_payer(db, "SUN", "Sunrise Health Plan", 9)
    payers.add_contract(
        db,
        "SUN",
        payers.ContractSpec(
            "Medicaid HMO", M("2026-01"), products=("MCD",), withhold_pct="2",
            retro_window_months=2,
        ),
    )  # fmt: skip
    importing.import_rates(db, "SUN", "Medicaid HMO", worked_example_rates(tmp_path / "r.xlsx"))
    for month, rows in (("2026-01", [A, B, C]), ("2026-02", [B]), ("2026-03", [B]),
                        ("2026-05", [B_MAY])):  # fmt: skip
        # January as CSV: an .xlsx written by openpyxl would store "=…" as a formula cell
        path = (
            csv_file(tmp_path / "roster.csv", ROSTER_HEADERS, rows)
            if month == "2026-01"
            else xlsx(tmp_path / f"roster {month}.xlsx", ROSTER_HEADERS, rows, f"Roster {month}")
        )
        importing.import_roster(db, "SUN", M(month), path)
    first = xlsx(
        tmp_path / "february.xlsx",
        REMIT_HEADERS,
        [
            ["000000001", "2026-01", 176.40, "CAP"],
            ["000000002", "2026-01", 210.30, "CAP"],
            ["000000002", "2026-02", 97.60, "CAP"],
            ["000000002", "2026-03", 97.60, "CAP"],
        ],
    )
    importing.import_remittance(db, "SUN", first, payment_date=dt.date(2026, 2, 10))
    reconcile(db, "SUN", M("2026-01"), M("2026-05"))
    set_status(db, "SUN", "000000001", M("2026-01"), "disputed", NOTE)
    later = xlsx(
        tmp_path / LATE_FILE,
        REMIT_HEADERS,
        [["000000001", "2026-01", 4.50, "CAP"], ["000000002", "2026-03", -97.60, "RECOUP"]],
    )
    importing.import_remittance(db, "SUN", later, payment_date=dt.date(2026, 8, 5))
    return db


def rows_under(ws: Any, header_cell: str) -> list[dict[str, Any]]:
    rows = list(ws.iter_rows(values_only=True))
    at = next(i for i, r in enumerate(rows) if r and r[0] == header_cell)
    out = []
    for r in rows[at + 1 :]:
        if r[0] is None:
            break
        out.append(dict(zip(rows[at], r, strict=False)))
    return out


def export(db: Database, tmp_path: Path, **kwargs: Any) -> reporting.ReportResult:
    return build_report(
        db, tmp_path / "report.xlsx", "SUN", M("2026-01"), M("2026-05"), "Clinic",
        packet_dir=tmp_path / "packets", **kwargs,
    )  # fmt: skip


def test_disputes_recovered_and_late_recoupments(practice: Database, tmp_path: Path) -> None:
    result = export(practice, tmp_path)
    wb = openpyxl.load_workbook(result.path)
    disputes = rows_under(wb[AGING_SHEET], "Payer")  # the first table is owed-to-practice
    ws = wb[AGING_SHEET]
    all_rows = list(ws.iter_rows(values_only=True))
    at = next(i for i, r in enumerate(all_rows) if r[0] == "What disputes came to")
    header = all_rows[at + 2]
    outcome = dict(zip(header, all_rows[at + 3], strict=False))
    assert outcome["Payer"] == "SUN"
    assert outcome["Ever disputed"] == 1
    assert outcome["Resolved after dispute"] == 1
    assert outcome["Still disputed"] == 0
    assert outcome[RECOVERED_TITLE] == pytest.approx(4.50)
    assert disputes[0]["Payer"] == "SUN"
    glance = rows_under(wb[COVER_SHEET], "Payer")[0]
    assert glance[RECOVERED_TITLE] == pytest.approx(4.50)
    # both sheets say what the figure is in the Dashboard tile's words
    assert RECOVERED_DEFINITION in all_rows[at + 1][0]
    cover = {r[0]: r[1] for r in wb[COVER_SHEET].iter_rows(values_only=True) if r[0]}
    assert cover[RECOVERED_TITLE] == RECOVERED_RULE

    late = rows_under(wb[LATE_SHEET], "Payer")
    assert len(late) == 1
    (r,) = late
    assert (r["Member ID"], r["Coverage month"]) == ("000000002", "2026-03")
    assert r["Amount recouped"] == pytest.approx(-97.60)
    assert r["Months back"] == 5 and r["Retro window (months)"] == 2
    assert r["Disputable"].startswith("Yes")
    assert r["Statement file"] == LATE_FILE
    assert r["Payment date"] == dt.datetime(2026, 8, 5)


def test_packet_lists_the_open_items_and_the_late_recoupment(
    practice: Database, tmp_path: Path
) -> None:
    result = export(practice, tmp_path)
    assert [p.name for p in result.packets] == ["Dispute packet SUN 2026-01 to 2026-05.xlsx"]
    wb = openpyxl.load_workbook(result.packets[0])
    assert wb.sheetnames == [PACKET_SHEET, PACKET_LATE_SHEET]
    items = [r for r in rows_under(wb[PACKET_SHEET], "Item") if isinstance(r["Item"], int)]
    # A's January was resolved by the payment after the dispute; B's March by the recoupment:
    # C's January is what is left to act on.
    assert [(r["Member ID"], r["Coverage month"]) for r in items] == [("000000003", "2026-01")]
    (c,) = items
    assert c["Issue"] == "No capitation paid for an eligible member-month"
    assert c["Due to provider"] == pytest.approx(c["Contracted amount"])
    assert c["Due to plan"] is None
    assert c["Member name"] == f"{PLUS}, {MINUS}"
    late = [r for r in rows_under(wb[PACKET_LATE_SHEET], "Item") if isinstance(r["Item"], int)]
    assert [(r["Member ID"], r["Coverage month"]) for r in late] == [("000000002", "2026-03")]
    assert late[0]["Requested action"] == "Please reverse the recoupment"


def test_formula_injection_is_neutralised_in_every_workbook(
    practice: Database, tmp_path: Path
) -> None:
    result = export(practice, tmp_path)
    seen: set[str] = set()
    for path in (result.path, *result.packets):
        wb = openpyxl.load_workbook(path)
        for ws in wb.worksheets:
            for row in ws.iter_rows():
                for cell in row:
                    assert cell.data_type != "f", (path.name, ws.title, cell.coordinate)
                    if isinstance(cell.value, str):
                        for text in INJECTIONS:
                            if text in cell.value:
                                assert cell.data_type == "s"
                                seen.add(text)
    assert seen == set(INJECTIONS)


def test_ledger_is_capped_at_whole_members(
    practice: Database, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(report_extras, "LEDGER_MAX_ROWS", 1)
    result = export(practice, tmp_path)
    wb = openpyxl.load_workbook(result.path)
    ledger = rows_under(wb[LEDGER_SHEET], "Payer")
    members = {r["Member ID"] for r in ledger}
    assert members == {"000000001"}  # the first member (one month in scope), B and C left out
    texts = [c.value for row in wb[LEDGER_SHEET].iter_rows() for c in row if c.value]
    assert any(isinstance(t, str) and "2 more members" in t for t in texts)
    cover = [c.value for row in wb[COVER_SHEET].iter_rows() for c in row if c.value]
    assert any(isinstance(t, str) and "member ledger lists" in t for t in cover)


def test_progress_ends_at_total_and_bad_packet_folder_is_refused(
    practice: Database, tmp_path: Path
) -> None:
    seen: list[int] = []
    export(practice, tmp_path, progress=lambda done, total: seen.append(done) is None)
    assert seen == sorted(seen) and seen[-1] == PROGRESS_TOTAL
    assert any(400 < d < 500 for d in seen)  # the roster comparisons report as they go
    # a Cancel while gathering (after reconciling, before writing) leaves no file
    out = tmp_path / "cancelled.xlsx"
    with pytest.raises(Cancelled):
        build_report(
            practice, out, "SUN", M("2026-01"), M("2026-05"), packet_dir=tmp_path / "cp",
            progress=lambda done, total: done <= 400,
        )  # fmt: skip
    assert not out.exists() and not list((tmp_path / "cp").iterdir())
    not_a_folder = tmp_path / "file.txt"
    not_a_folder.write_text("x")
    with pytest.raises(PmpmError, match="not a folder"):
        build_report(
            practice, tmp_path / "r.xlsx", "SUN", M("2026-01"), M("2026-05"),
            packet_dir=not_a_folder,
        )  # fmt: skip
    with pytest.raises(PmpmError, match="does not exist"):
        build_report(
            practice, tmp_path / "r.xlsx", "SUN", M("2026-01"), M("2026-05"),
            packet_dir=tmp_path / "no" / "such",
        )  # fmt: skip


def test_no_packet_for_a_payer_with_nothing_to_act_on(db: Database, tmp_path: Path) -> None:
    payers.add_payer(db, "SUN", "Sunrise Health Plan", 9)
    payers.add_contract(db, "SUN", payers.ContractSpec("Medicaid HMO", M("2026-01")))
    importing.import_rates(db, "SUN", "Medicaid HMO", worked_example_rates(tmp_path / "r.xlsx"))
    importing.import_roster(
        db, "SUN", M("2026-01"), xlsx(tmp_path / "jan.xlsx", ROSTER_HEADERS, [B])
    )
    statement = xlsx(tmp_path / "s.xlsx", REMIT_HEADERS, [["000000002", "2026-01", 214.50, "CAP"]])
    importing.import_remittance(db, "SUN", statement)
    result = build_report(
        db, tmp_path / "r.xlsx", None, M("2026-01"), M("2026-01"), packet_dir=tmp_path / "p"
    )
    assert result.packets == []
    assert list((tmp_path / "p").iterdir()) == []
    assert result.summaries[0].counts["matched"] == 1
