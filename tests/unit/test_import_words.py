"""What the import services hand the wizard and the pages (issue 12, items 9 and 10): a file's
payers named, a statement's total paid and payment date, an unreadable file told apart from a
misread one, a saved layout's name, and a member's ledger totals — values, not words to parse."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from pathlib import Path

import openpyxl
import pytest

from pmpm_desktop.core.month import Month
from pmpm_desktop.db.database import Database
from pmpm_desktop.io.read_errors import UnreadableFile
from pmpm_desktop.io.table import read_table
from pmpm_desktop.services import importing, payers, profiles
from pmpm_desktop.services.member_ledger import LedgerRow, ledger_totals
from pmpm_desktop.services.members import has_members
from pmpm_desktop.services.payers import PayerInfo, has_payers, payers_named
from pmpm_desktop.services.preview import preview
from tests.unit.files import REMIT_HEADERS, ROSTER_HEADERS, A, B, xlsx
from tests.unit.x12_pay_files import Advice, write_835

LINES = [["000000001", "2026-07", 180.90, "CAP"], ["000000002", "2026-07", 97.60, "CAP"]]
PAYERS = [
    PayerInfo(1, "BAY", "Bayview Medicare Advantage", None, ()),
    PayerInfo(2, "SUN", "Sunrise Health Plan", 9, ()),
]


@pytest.fixture
def sun(db: Database) -> Database:
    payers.add_payer(db, "SUN", "Sunrise Health Plan", id_width=9)
    payers.add_payer(db, "BAY", "Bayview Medicare Advantage")
    return db


def test_payers_are_named_by_their_whole_name_or_their_code_in_capitals() -> None:
    assert payers_named(PAYERS, ["Sunrise Health Plan capitation statement"]) == ("SUN",)
    assert payers_named(PAYERS, ["BAYVIEW MEDICARE ADVANTAGE (ZZ 12345)"]) == ("BAY",)
    assert payers_named(PAYERS, ["SUN-2026 report"]) == ("SUN",)
    # a word that is no payer: "Sun" in a sentence, "Sunrise" alone, "bay" in lower case
    assert payers_named(PAYERS, ["Sunday sun report", "Sunrise", "the bay area"]) == ()
    assert payers_named(PAYERS, ["SUN and BAY"]) == ("BAY", "SUN")


def test_has_payers_and_has_members(db: Database, tmp_path: Path) -> None:
    assert not has_payers(db) and not has_members(db)
    payers.add_payer(db, "SUN", "Sunrise Health Plan", id_width=9)
    assert has_payers(db) and not has_members(db)
    importing.import_roster(
        db, "SUN", Month(2026, 1), xlsx(tmp_path / "r.xlsx", ROSTER_HEADERS, [A])
    )
    assert has_members(db)


def test_a_statement_preview_gives_its_total_paid_and_stated_payment_date(
    sun: Database, tmp_path: Path
) -> None:
    plain = preview(sun, "SUN", "remittance", xlsx(tmp_path / "a.xlsx", REMIT_HEADERS, LINES))
    assert plain.total_paid == Decimal("278.50") and isinstance(plain.total_paid, Decimal)
    assert plain.payment_date is None and plain.payer_level_paid is None
    dated = [[*line, dt.date(2026, 7, 20)] for line in LINES]
    path = xlsx(tmp_path / "b.xlsx", [*REMIT_HEADERS, "Check Date"], dated)
    assert preview(sun, "SUN", "remittance", path).payment_date == dt.date(2026, 7, 20)
    # a roster has no such figures
    roster = preview(sun, "SUN", "roster", xlsx(tmp_path / "r.xlsx", ROSTER_HEADERS, [A, B]))
    assert roster.total_paid is None and roster.payment_date is None


def test_an_835s_payment_date_is_its_bpr16(sun: Database, tmp_path: Path) -> None:
    advice = Advice(total="100.00", plbs=[[("CT:CAP202603", "-100.00")]])
    found = preview(sun, "SUN", "remittance", write_835(tmp_path / "cap.835", [advice]))
    assert found.error is None, found.error
    assert found.payment_date == dt.date(2026, 3, 15)
    assert found.payer_level_paid == Decimal("100.00") and found.total_paid == Decimal("0.00")


def test_a_preview_names_the_payers_its_title_rows_name(sun: Database, tmp_path: Path) -> None:
    wb = openpyxl.Workbook()
    ws = wb.active
    ws.append(["Sunrise Health Plan capitation statement"])
    ws.append(REMIT_HEADERS)
    for line in LINES:
        ws.append(line)
    wb.save(tmp_path / "july.xlsx")
    assert preview(sun, "BAY", "remittance", tmp_path / "july.xlsx").named_payers == ("SUN",)


def test_an_unreadable_file_is_told_apart_from_one_read_wrong(
    sun: Database, tmp_path: Path
) -> None:
    garbage = tmp_path / "SUN roster.xlsx"
    garbage.write_bytes(b"not a workbook at all " * 20)
    with pytest.raises(UnreadableFile, match="is not a spreadsheet PMPM can read") as caught:
        read_table(garbage)
    assert "calamine" not in str(caught.value).lower()
    p = preview(sun, "SUN", "roster", garbage, roster_month=Month(2026, 1))
    assert p.unreadable and p.error is not None and not p.importable
    # A file whose cells read but whose columns say nothing of a roster is not unreadable:
    # choosing its columns helps.
    odd = xlsx(tmp_path / "odd.xlsx", ["Key", "Who"], [["1", "x"], ["2", "y"]])
    q = preview(sun, "SUN", "roster", odd, roster_month=Month(2026, 1))
    assert q.error is not None and not q.unreadable


def test_a_saved_layout_is_named_for_its_payer_and_kind_and_old_names_still_work(
    sun: Database, tmp_path: Path
) -> None:
    importing.import_roster(
        sun, "SUN", Month(2026, 1), xlsx(tmp_path / "a.xlsx", ROSTER_HEADERS, [A])
    )
    result = importing.import_remittance(
        sun, "SUN", xlsx(tmp_path / "s.xlsx", REMIT_HEADERS, LINES)
    )
    assert result.layout == "SUN payment statement layout"
    other = xlsx(tmp_path / "b.xlsx", [*ROSTER_HEADERS, "Extra"], [[*A, "x"]])
    importing.import_roster(sun, "SUN", Month(2026, 2), other)
    names = [p.name for p in profiles.list_profiles(sun, "SUN", kind="roster")]
    assert names == ["SUN roster layout", "SUN roster layout 2"]
    # A layout saved before under the old words keeps working, and is found by its name.
    profiles.rename_profile(sun, "SUN", "SUN roster layout", "roster profile 1")
    again = xlsx(tmp_path / "c.xlsx", ROSTER_HEADERS, [B])
    p = preview(sun, "SUN", "roster", again, roster_month=Month(2026, 3))
    assert p.profile == "roster profile 1"
    # the next new layout takes the first free name
    third = xlsx(tmp_path / "d.xlsx", [*ROSTER_HEADERS, "Other"], [[*A, "y"]])
    assert importing.import_roster(sun, "SUN", Month(2026, 4), third).layout == (
        "SUN roster layout"
    )


def test_ledger_totals_add_up_the_months_in_the_service() -> None:
    def month(n: int, expected: str, paid: str, kind: str | None) -> LedgerRow:
        return LedgerRow(Month(2026, n), True, Decimal(expected), Decimal(paid),
                         Decimal(paid) - Decimal(expected), kind, None)  # fmt: skip

    rows = [month(1, "210.00", "210.00", "matched"), month(2, "210.00", "205.50", "underpaid")]
    totals = ledger_totals(rows)
    assert (totals.months, totals.first, totals.last) == (2, Month(2026, 1), Month(2026, 2))
    assert (totals.expected, totals.paid, totals.variance) == (
        Decimal("420.00"),
        Decimal("415.50"),
        Decimal("-4.50"),
    )
    assert totals.differing == 1
    assert ledger_totals([]).months == 0
