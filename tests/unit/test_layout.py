"""Report layouts (io/layout.py, io/xlsx_parts.py): headers over several rows, section rows,
notes, page stamps, months in titles, products named by a sheet; and the sheet reader that
applies them to real files (io/table.py)."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import openpyxl
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from pmpm_desktop.core.month import Month
from pmpm_desktop.io import layout
from pmpm_desktop.io.options import DecisionKind, ReadOptions
from pmpm_desktop.io.remittance_file import read_remittance
from pmpm_desktop.io.roster_file import read_roster
from pmpm_desktop.io.xlsx_parts import column_index, first_used_column, merged_ranges

FEB = Month(2026, 2)


def test_group_cells_combine_with_the_cells_below() -> None:
    top = [
        "Member",
        None,
        None,
        "Coverage",
        None,
        "Capitation",
        None,
        None,
        "Rate Cell",
        "Txn Type",
    ]
    low = ["ID", "Name", "DOB", "From", "Thru", "Base", "Adj", "Net", None, None]
    assert layout.is_group_row(top, low)
    assert layout.combine_header([top, low]) == [
        "Member ID",
        "Member Name",
        "Member DOB",
        "Coverage From",
        "Coverage Thru",
        "Capitation Base",
        "Capitation Adj",
        "Capitation Net",
        "Rate Cell",
        "Txn Type",
    ]


def test_a_label_over_a_full_name_or_merged_down_is_written_once() -> None:
    top = ["Member", "Member", "Rate Cell"]
    low = ["Member ID", "Name", "Rate Cell"]
    assert layout.combine_header([top, low]) == ["Member ID", "Member Name", "Rate Cell"]


def test_a_title_or_a_row_of_values_is_no_group_row() -> None:
    header = ["Member ID", "Name", "DOB", "Amount"]
    assert not layout.is_group_row(["Sunrise Health Plan statement", None, None, None], header)
    # merged across the sheet: one text
    assert not layout.is_group_row(["Capitation"] * 4, header)
    assert not layout.is_group_row(["000123456", "SMITH, ANA", None, None], header)
    # labels over one column each: not groups
    assert not layout.is_group_row(["Member ID", "Last Name", None, None], header[:2] + [None] * 2)


@pytest.mark.parametrize(
    ("text", "label", "value"),
    [
        ("PRODUCT: MEDICAID HMO (MCD)", "PRODUCT", "MEDICAID HMO (MCD)"),
        ("PCP - NGUYEN, ANH  NPI 1234567893", "PCP", "NGUYEN, ANH  NPI 1234567893"),
        ("Rate Cell = TANF", "Rate Cell", "TANF"),
    ],
)
def test_section_titles(text: str, label: str, value: str) -> None:
    assert layout.section_of(text) == layout.Section(label, value)


def test_a_total_is_no_section_and_a_pcp_section_gives_its_npi() -> None:
    assert layout.section_of("Total MCD Members: 12") is None
    assert layout.section_value("pcp", "NGUYEN, ANH  NPI 1234567893") == "1234567893"
    assert (
        layout.section_value("pcp", "NGUYEN, ANH (NPI 1234567890)")
        == "NGUYEN, ANH (NPI 1234567890)"
    )
    assert layout.section_value("product", "MCD 1234567893") == "MCD 1234567893"


@pytest.mark.parametrize(
    "text",
    [
        "*** END OF REPORT ***",
        "Legend: CR = credit to provider",
        "Run date: 03/02/2026  User: RPTSVC",
        "Page 2 of 3",
        "-----",
        "note",
        "Total MCD Members: 12",
    ],
)
def test_notes_are_skipped(text: str) -> None:
    assert layout.is_note(text)


@pytest.mark.parametrize("text", ["000123456", "ABC1234567", "165.00", "1G23AB4CD56", "(12.50)"])
def test_a_lone_id_or_amount_is_no_note(text: str) -> None:
    assert not layout.is_note(text)


@pytest.mark.parametrize(
    ("text", "months"),
    [
        ("Capitation for February 2026", {(2026, 2)}),
        ("SUN_CAP_STMT_202602.xlsx", {(2026, 2)}),
        ("Period 02/2026", {(2026, 2)}),
        ("Monatsabrechnung 02.2026", {(2026, 2)}),
        ("Coverage Feb-26, paid 2026-03-05", {(2026, 2)}),
        ("Run date: 03/02/2026", set()),
        ("Member 000123456", set()),
        ("January 2026 and February 2026", {(2026, 1), (2026, 2)}),
    ],
)
def test_months_named_in_titles_and_names(text: str, months: set[tuple[int, int]]) -> None:
    assert layout.months_in(text) == months


def test_products_named_and_resolved() -> None:
    assert layout.products_named("MCD Members", ["MCD", "CHIP"]) == {"MCD"}
    assert layout.products_named("Members", ["MCD", "CHIP"]) == set()
    assert layout.resolve_product("MEDICAID HMO (MCD)", ["mcd", "CHIP"]) == "MCD"
    assert layout.resolve_product("Medicaid HMO (MCD)", ["Medicaid HMO"]) == "Medicaid HMO"
    assert layout.resolve_product("CHIP PLUS", ["CHIP"]) == "CHIP PLUS"


@settings(max_examples=200)
@given(st.text(max_size=60))
def test_layout_text_functions_never_raise(text: str) -> None:
    layout.section_of(text)
    layout.is_note(text)
    layout.months_in(text)
    layout.value_like(text)
    layout.product_variants(text)


def test_column_letters() -> None:
    assert [column_index(c) for c in ("A", "Z", "AA", "AZ", "BA")] == [0, 25, 26, 51, 52]


def test_merges_and_the_first_used_column_come_from_the_sheet_xml(tmp_path: Path) -> None:
    wb = openpyxl.Workbook()
    ws = wb.active
    assert ws is not None
    ws["C3"] = "Member"
    ws.merge_cells("C3:E3")
    ws["C4"] = "000123456"
    ws.merge_cells("C4:C6")
    path = tmp_path / "m.xlsx"
    wb.save(path)
    import zipfile

    xml = zipfile.ZipFile(path).read("xl/worksheets/sheet1.xml")
    assert first_used_column(xml) == 2
    spans = {(m.first_row, m.first_col, m.last_row, m.last_col) for m in merged_ranges(xml)}
    assert spans == {(3, 2, 3, 4), (4, 2, 6, 2)}


# --- whole files ---------------------------------------------------------------------------


def _statement(path: Path) -> Path:
    """The issue's report: a Summary tab, then group cells over two header rows, CR/DR text,
    a subtotal and a grand total, an end-of-report line; data starting in column B."""
    wb = openpyxl.Workbook()
    summary = wb.active
    assert summary is not None
    summary.title = "Summary"
    summary.append(["Total paid", 165.0])
    ws = wb.create_sheet("Detail")
    ws["B1"] = "SUNRISE HEALTH PLAN - CAPITATION STATEMENT"
    ws.merge_cells("B1:K1")
    ws.append([])
    ws.append(
        [
            None,
            "Member",
            None,
            None,
            "Coverage",
            None,
            "Capitation",
            None,
            None,
            "Rate Cell",
            "Txn Type",
        ]
    )
    for span in ("B3:D3", "E3:F3", "G3:I3", "J3:J4", "K3:K4"):
        ws.merge_cells(span)
    ws.append([None, "ID", "Name", "DOB", "From", "Thru", "Base", "Adj", "Net"])
    rows = [
        (
            "000123456",
            "SMITH, ANA",
            dt.date(1990, 5, 10),
            dt.date(2026, 2, 1),
            dt.date(2026, 2, 28),
            "165.00 CR",
            "0.00",
            "165.00 CR",
            "TANF",
            "CAP",
        ),
        (
            "000234567",
            "PENA, JOSE",
            dt.date(1980, 3, 3),
            dt.date(2026, 1, 1),
            dt.date(2026, 1, 31),
            "165.00 DR",
            "0.00",
            "165.00 DR",
            "TANF",
            "RETRO TERM",
        ),
    ]
    for r in rows:
        ws.append([None, *r])
    ws.append([None, None, "Subtotal", None, None, None, None, None, "0.00 CR"])
    ws.append([None, "Grand Total", None, None, None, None, None, None, "0.00 CR"])
    ws.append([None, "*** END OF REPORT ***"])
    wb.save(path)
    return path


def test_the_issue_statement_reads_with_no_options(tmp_path: Path) -> None:
    parsed = read_remittance(_statement(tmp_path / "s.xlsx"))
    assert parsed.ok, parsed.problems
    assert parsed.sheet == "Detail" and parsed.detection.header_rows == (3, 4)
    assert parsed.mapping["member_id"] == "Member ID"
    assert parsed.mapping["amount"] == "Capitation Net"
    assert parsed.mapping["coverage_month"] == "Coverage From"
    frame = parsed.frame
    assert frame["member_id"].to_list() == ["000123456", "000234567"]
    assert frame["coverage_month"].to_list() == ["2026-02", "2026-01"]
    assert frame["amount_cents"].to_list() == [16500, -16500]
    kinds = {d.kind for d in parsed.decisions}
    assert {
        DecisionKind.KIND,
        DecisionKind.SHEET,
        DecisionKind.HEADER,
        DecisionKind.SKIPPED,
    } <= kinds


def test_a_coverage_period_over_several_months_is_refused(tmp_path: Path) -> None:
    wb = openpyxl.Workbook()
    ws = wb.active
    assert ws is not None
    ws.append(["Member ID", "Coverage From", "Coverage Thru", "Paid Amount"])
    ws.append(["000123456", "01/01/2026", "03/31/2026", 495.0])
    ws.append(["000234567", "02/01/2026", "02/28/2026", 165.0])
    wb.save(tmp_path / "p.xlsx")
    parsed = read_remittance(tmp_path / "p.xlsx")
    assert [(p.row, p.column) for p in parsed.problems] == [(2, "Coverage Thru")]
    assert "covers 2026-01 to 2026-03" in parsed.problems[0].reason


def test_sections_fill_their_field_and_never_become_members(tmp_path: Path) -> None:
    wb = openpyxl.Workbook()
    ws = wb.active
    assert ws is not None
    ws.append(["Member ID", "Last Name", "DOB", "Rate Cell"])
    ws.append(["PRODUCT: MEDICAID HMO (MCD)"])
    ws.merge_cells("A2:D2")
    ws.append(["000123456", "SMITH", "05/10/1990", "TANF"])
    ws.append(["Total MCD Members: 1"])
    ws.append(["PRODUCT: CHIP (CHIP)"])
    ws.append(["000234567", "PENA", "01/02/2015", "CHIP"])
    ws.append(["PCP: NGUYEN, ANH  NPI 1234567893"])
    ws.append(["000345678", "NGUYEN", "03/03/2012", "CHIP"])
    wb.save(tmp_path / "r.xlsx")
    parsed = read_roster(
        tmp_path / "r.xlsx", roster_month=FEB, options=ReadOptions(products=("MCD", "CHIP"))
    )
    assert parsed.ok, parsed.problems
    frame = parsed.frame
    assert frame["member_id"].to_list() == ["000123456", "000234567", "000345678"]
    assert frame["product"].to_list() == ["MCD", "CHIP", "CHIP"]
    assert frame["pcp"].to_list() == [None, None, "1234567893"]
    sections = [d for d in parsed.decisions if d.kind is DecisionKind.SECTION]
    assert sorted(r for d in sections for r in d.rows) == [2, 5, 7]


def test_a_statement_month_from_the_title_and_a_product_from_the_sheet_name(tmp_path: Path) -> None:
    wb = openpyxl.Workbook()
    ws = wb.active
    assert ws is not None
    ws.title = "MCD Members"
    ws.append(["Capitation for February 2026"])
    ws.append(["Member ID", "Member Name", "Paid Amount"])
    ws.append(["000123456", "SMITH, ANA", 165.0])
    wb.save(tmp_path / "s.xlsx")
    parsed = read_remittance(tmp_path / "s.xlsx")
    assert parsed.ok, parsed.problems
    assert parsed.frame["coverage_month"].to_list() == ["2026-02"]
    assert parsed.values == {"coverage_month": "2026-02"}

    wb = openpyxl.Workbook()
    ws = wb.active
    assert ws is not None
    ws.title = "MCD Members"
    ws.append(["Member ID", "Last Name", "DOB"])
    ws.append(["000123456", "SMITH", "05/10/1990"])
    wb.save(tmp_path / "r.xlsx")
    roster = read_roster(
        tmp_path / "r.xlsx", roster_month=FEB, options=ReadOptions(products=("MCD", "CHIP"))
    )
    assert roster.frame["product"].to_list() == ["MCD"]
    assert any("sheet name" in d.text for d in roster.decisions)


def test_member_blocks_left_blank_are_filled_but_one_blank_id_is_a_problem(tmp_path: Path) -> None:
    def write(rows: list[list[object]]) -> Path:
        wb = openpyxl.Workbook()
        ws = wb.active
        assert ws is not None
        ws.append(["Member ID", "Member Name", "Service Month", "Amount", "Type"])
        for r in rows:
            ws.append(r)
        path = tmp_path / f"b{len(rows)}.xlsx"
        wb.save(path)
        return path

    blocks = write(
        [
            ["000123456", "SMITH, ANA", "02/2026", 165.0, "CAP"],
            [None, None, "01/2026", -15.5, "ADJ"],
            ["000234567", "PENA, JOSE", "02/2026", 95.0, "CAP"],
            [None, None, "02/2026", 4.5, "CM FEE"],
        ]
    )
    parsed = read_remittance(blocks)
    assert parsed.ok, parsed.problems
    assert parsed.frame["member_id"].to_list() == ["000123456"] * 2 + ["000234567"] * 2
    assert any(d.kind is DecisionKind.BLOCK for d in parsed.decisions)

    stray = write(
        [
            ["000123456", "SMITH, ANA", "02/2026", 165.0, "CAP"],
            [None, None, "01/2026", -15.5, "ADJ"],
            ["000234567", "PENA, JOSE", "02/2026", 95.0, "CAP"],
        ]
    )
    problems = read_remittance(stray).problems
    assert [(p.row, p.reason) for p in problems] == [(3, "member ID is blank")]


def test_page_headers_made_of_a_title_and_a_page_stamp_are_skipped(tmp_path: Path) -> None:
    wb = openpyxl.Workbook()
    ws = wb.active
    assert ws is not None
    ws.append(["Member ID", "Member Name", "Coverage Month", "Paid Amount", "Line Type"])
    ws.append(["000123456", "SMITH, ANA", "02/2026", 165.0, "CAP"])
    ws.append([])
    ws.append(["Sunrise Health Plan", None, None, None, "Page 2 of 2"])
    ws.append(["Member ID", "Member Name", "Coverage Month", "Paid Amount", "Line Type"])
    ws.append(["000234567", "PENA, JOSE", "02/2026", 95.0, "CAP"])
    wb.save(tmp_path / "p.xlsx")
    parsed = read_remittance(tmp_path / "p.xlsx")
    assert parsed.ok, parsed.problems
    assert parsed.frame["member_id"].to_list() == ["000123456", "000234567"]


def _sheet_per_product(path: Path, extra: list[object] | None = None) -> Path:
    wb = openpyxl.Workbook()
    first = wb.active
    assert first is not None
    first.title = "MCD Members"
    second = wb.create_sheet("CHIP Members")
    for ws, member in ((first, "000123456"), (second, "000234567")):
        ws.append(["Sunrise Health Plan roster"])
        ws.append(["Member ID", "Last Name", "DOB"])
        ws.append([member, "SMITH", "05/10/1990"])
    if extra:
        second.append(extra)
    wb.save(path)
    return path


def test_a_sheet_per_product_is_read_whole(tmp_path: Path) -> None:
    path = _sheet_per_product(tmp_path / "r.xlsx", ["000345678", "NGUYEN", "13/13/2010"])
    parsed = read_roster(path, roster_month=FEB, options=ReadOptions(products=("MCD", "CHIP")))
    # every sheet is read; a problem names its sheet
    assert [(p.row, p.column) for p in parsed.problems] == [(4, "CHIP Members: DOB")]
    path = _sheet_per_product(tmp_path / "ok.xlsx")
    parsed = read_roster(path, roster_month=FEB, options=ReadOptions(products=("MCD", "CHIP")))
    assert parsed.ok, parsed.problems
    assert parsed.frame["member_id"].to_list() == ["000123456", "000234567"]
    assert parsed.frame["product"].to_list() == ["MCD", "CHIP"]
    assert parsed.detection.confident
    assert any("have the same columns" in d.text for d in parsed.decisions)
    # a sheet named by the user is read alone
    alone = read_roster(path, roster_month=FEB, sheet="CHIP Members")
    assert alone.frame["member_id"].to_list() == ["000234567"]


def test_a_sheet_per_product_keeps_being_read_whole_with_the_saved_layout(tmp_path: Path) -> None:
    from pmpm_desktop.db.database import open_database
    from pmpm_desktop.services import importing, payers

    db = open_database(tmp_path / "db.sqlite3")
    try:
        payers.add_payer(db, "BAY", "Bay Health")
        for name, code in (("Medicaid HMO", "MCD"), ("CHIP", "CHIP")):
            payers.add_contract(
                db,
                "BAY",
                payers.ContractSpec(name=name, effective_from=Month(2026, 1), products=[code]),
            )
        one = importing.import_roster(db, "BAY", FEB, _sheet_per_product(tmp_path / "feb.xlsx"))
        assert one.rows == 2
        mar = _sheet_per_product(tmp_path / "mar.xlsx", ["000345678", "NGUYEN", "01/02/2010"])
        two = importing.import_roster(db, "BAY", Month(2026, 3), mar)
        assert two.rows == 3 and two.read is not None and two.read.profile is not None
    finally:
        db.dispose()


def test_a_header_in_a_language_the_dictionary_lacks_is_read_by_its_values(tmp_path: Path) -> None:
    path = tmp_path / "dutch.csv"
    path.write_text(
        "Kapitatie overzicht;;\n"
        "Lid;Periode;Bedrag;Omschrijving\n"
        "000123456;02.2026;1.234,56;Kopfpauschale\n"
        "000234567;02.2026;-165,00;Terugvordering\n"
        "000345678;01.2026;95,00;Nabetaling\n"
        "Totaal;;1.164,56;\n",
        encoding="utf-8",
    )
    parsed = read_remittance(path)
    assert parsed.ok, parsed.problems
    assert parsed.mapping["member_id"] == "Lid" and parsed.mapping["amount"] == "Bedrag"
    assert parsed.frame["amount_cents"].to_list() == [123456, -16500, 9500]
    assert parsed.frame["coverage_month"].to_list() == ["2026-02", "2026-02", "2026-01"]
    chosen = {d.column for d in parsed.decisions if d.kind is DecisionKind.COLUMN}
    assert {"Lid", "Bedrag"} <= chosen
