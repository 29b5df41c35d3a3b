"""Number cells with a CR/DR number format read as Excel shows them (io.number_formats)."""

from __future__ import annotations

import io
import zipfile
from collections.abc import Sequence
from decimal import Decimal
from pathlib import Path

import fastexcel
import openpyxl
import polars as pl
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from pmpm_desktop.io.number_formats import credit_cells, parse_format, show_credit_formats
from pmpm_desktop.io.options import ReadOptions
from pmpm_desktop.io.remittance_file import read_remittance
from pmpm_desktop.io.table import read_table

CR_DR = '#,##0.00 "CR";#,##0.00 "DR"'
DR_CR = '#,##0.00 "DR";#,##0.00 "CR"'


@pytest.mark.parametrize(
    "code",
    [
        CR_DR,
        DR_CR,
        '#,##0.00\\ "CR";#,##0.00\\ "DR";"-"',
        "0.00\\ \\C\\R;0.00\\ \\D\\R",
        '[Red]#,##0.00 "DR";#,##0.00 "CR"',
        '$#,##0.00 "CR";($#,##0.00)',
        '#,##0.00;#,##0.00 "DR"',
    ],
)
def test_formats_with_a_credit_section(code: str) -> None:
    assert parse_format(code) is not None


@pytest.mark.parametrize(
    "code",
    ["#,##0.00", "0.00;(0.00)", '[>=100]0.00 "CR";0.00 "DR"', '0.00% "CR"', '"CREDIT"0.00', "@"],
)
def test_other_formats_are_left_alone(code: str) -> None:
    assert parse_format(code) is None


def _statement(
    path: Path,
    rows: Sequence[tuple[str, float | int]],
    formats: Sequence[str],
    *,
    first_column: int = 1,
    first_row: int = 1,
    sheet: str = "Detail",
    before: str | None = None,
) -> Path:
    """A statement whose amounts (one column per format) are number cells with ``formats``;
    the table starts at (``first_row``, ``first_column``), 1-based; ``before`` adds a sheet in
    front of it."""
    wb = openpyxl.Workbook()
    ws = wb.active
    assert ws is not None
    if before is not None:
        ws.title = before
        ws["A1"] = "Summary"
        ws = wb.create_sheet(sheet)
    else:
        ws.title = sheet
    headers = ["Member ID", "Coverage Month", *(f"Amount {i + 1}" for i in range(len(formats)))]
    for j, header in enumerate(headers):
        ws.cell(first_row, first_column + j, header)
    for i, (member, amount) in enumerate(rows, start=first_row + 1):
        ws.cell(i, first_column, member)
        ws.cell(i, first_column + 1, "2026-02")
        for j, code in enumerate(formats):
            cell = ws.cell(i, first_column + 2 + j, amount)
            cell.number_format = code
    wb.save(path)
    return path


def _amounts(path: Path, column: str = "Amount 1", **options: object) -> list[int]:
    parsed = read_remittance(
        path,
        mapping={"amount": column},
        options=ReadOptions(**options),  # type: ignore[arg-type]
    )
    assert parsed.ok, parsed.problems
    return list(parsed.frame["amount_cents"])


ROWS = [("000000001", 165), ("000000002", -165.5), ("000000003", 0), ("000000004", 1234.56)]


def test_cr_dr_number_format_read_as_shown(tmp_path: Path) -> None:
    path = _statement(tmp_path / "s.xlsx", ROWS, [CR_DR, DR_CR])
    table = read_table(path)
    assert table.frame["Amount 1"].to_list() == ["165.00 CR", "165.50 DR", "0.00 CR", "1234.56 CR"]
    assert table.frame["Amount 2"].to_list() == ["165.00 DR", "165.50 CR", "0.00 DR", "1234.56 DR"]
    assert _amounts(path) == [16500, -16550, 0, 123456]
    # The reversed format shows positive numbers as DR: money taken back by default.
    assert _amounts(path, "Amount 2") == [-16500, 16550, 0, -123456]
    assert _amounts(path, "Amount 2", credit_is_payment=False) == [16500, -16550, 0, 123456]


def test_table_away_from_column_a_and_row_1(tmp_path: Path) -> None:
    # Column A and B empty, three blank rows, a summary sheet in front: fastexcel's frame
    # starts at column C, and each cell must still be rewritten in its own place.
    path = _statement(
        tmp_path / "s.xlsx", ROWS, [CR_DR], first_column=3, first_row=4, before="Summary"
    )
    parsed = read_remittance(path, sheet="Detail")
    assert parsed.frame["amount_cents"].to_list() == [16500, -16550, 0, 123456]
    assert parsed.frame["source_row"].to_list() == [5, 6, 7, 8]


def test_sections_without_a_marker_keep_the_numbers_sign(tmp_path: Path) -> None:
    formats = ['#,##0.00 "CR";(#,##0.00)', '#,##0.00;#,##0.00 "DR"', '0.00 "CR";0.00;"-"']
    path = _statement(tmp_path / "s.xlsx", ROWS, formats)
    table = read_table(path).frame
    assert table["Amount 1"].to_list() == ["165.00 CR", "(165.50)", "0.00 CR", "1234.56 CR"]
    assert table["Amount 2"].to_list() == ["165.00", "165.50 DR", "0.00", "1234.56"]
    # The zero section shows no number: the cell keeps its number.
    assert table["Amount 3"].to_list() == ["165.00 CR", "-165.50", "0", "1234.56 CR"]
    for column in ("Amount 1", "Amount 2", "Amount 3"):
        assert _amounts(path, column) == [16500, -16550, 0, 123456], column


def test_one_section_format_keeps_the_minus(tmp_path: Path) -> None:
    path = _statement(tmp_path / "s.xlsx", ROWS[:2], ['0.00 "CR"'])
    assert read_table(path).frame["Amount 1"].to_list() == ["165.00 CR", "-165.50 CR"]
    parsed = read_remittance(path, mapping={"amount": "Amount 1"})
    assert parsed.problems[0].reason == "not an amount: it is marked negative and CR/DR at once"


def test_text_cells_and_plain_numbers_are_left_alone(tmp_path: Path) -> None:
    path = _statement(tmp_path / "s.xlsx", [("000000001", 5)], [CR_DR])
    wb = openpyxl.load_workbook(path)
    ws = wb["Detail"]
    ws["C3"] = "12.00 DR"  # text in a CR/DR-formatted cell
    ws["C3"].number_format = CR_DR
    ws["A3"], ws["B3"] = "000000002", "2026-02"
    ws["D2"] = 7  # a plain number beside
    wb.save(path)
    frame = read_table(path).frame
    assert frame["Amount 1"].to_list() == ["5.00 CR", "12.00 DR"]
    assert frame["Column 4"].to_list() == ["7", None]


def test_workbook_without_credit_formats_is_not_scanned(tmp_path: Path) -> None:
    path = _statement(tmp_path / "s.xlsx", ROWS, ["#,##0.00"])
    data = path.read_bytes()
    assert credit_cells(data, "Detail").height == 0
    loaded = fastexcel.read_excel(data).load_sheet(
        "Detail", header_row=None, skip_rows=0, dtypes="string"
    )
    frame = loaded.to_polars()
    assert show_credit_formats(data, "Detail", frame, loaded) is frame


@settings(max_examples=25, deadline=None)
@given(st.lists(st.integers(-(10**9), 10**9), min_size=1, max_size=20))
def test_any_amount_round_trips_through_both_section_orders(cents: list[int]) -> None:
    import tempfile

    amounts = [float(Decimal(c).scaleb(-2)) for c in cents]
    rows = [(f"{i:09d}", a) for i, a in enumerate(amounts, start=1)]
    with tempfile.TemporaryDirectory() as folder:
        path = _statement(Path(folder) / "s.xlsx", rows, [CR_DR, DR_CR])
        assert _amounts(path) == cents
        assert _amounts(path, "Amount 2") == [-c for c in cents]


# --- sheets as other writers make them ----------------------------------------------------


def _package(sheet_xml: str, styles_xml: str, sheet_name: str = "R&D Detail") -> bytes:
    """A minimal .xlsx written by hand (prefixed namespaces, formulas, cells without ``r``)."""
    main = "http://schemas.openxmlformats.org/spreadsheetml/2006/main"
    rel = "http://schemas.openxmlformats.org/officeDocument/2006/relationships"
    pkg = "http://schemas.openxmlformats.org/package/2006/relationships"
    files = {
        "[Content_Types].xml": (
            '<Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types">'
            '<Default Extension="rels" '
            'ContentType="application/vnd.openxmlformats-package.relationships+xml"/>'
            '<Default Extension="xml" ContentType="application/xml"/>'
            '<Override PartName="/xl/workbook.xml" ContentType="application/'
            'vnd.openxmlformats-officedocument.spreadsheetml.sheet.main+xml"/>'
            '<Override PartName="/xl/worksheets/data.xml" ContentType="application/'
            'vnd.openxmlformats-officedocument.spreadsheetml.worksheet+xml"/>'
            '<Override PartName="/xl/styles.xml" ContentType="application/'
            'vnd.openxmlformats-officedocument.spreadsheetml.styles+xml"/></Types>'
        ),
        "_rels/.rels": (
            f'<Relationships xmlns="{pkg}"><Relationship Id="rId1" Type="{rel}/officeDocument" '
            'Target="xl/workbook.xml"/></Relationships>'
        ),
        "xl/workbook.xml": (
            f'<x:workbook xmlns:x="{main}" xmlns:r="{rel}"><x:sheets>'
            f'<x:sheet name="{sheet_name.replace("&", "&amp;")}" sheetId="1" r:id="rId7"/>'
            "</x:sheets></x:workbook>"
        ),
        "xl/_rels/workbook.xml.rels": (
            f'<Relationships xmlns="{pkg}">'
            f'<Relationship Id="rId7" Type="{rel}/worksheet" Target="/xl/worksheets/data.xml"/>'
            f'<Relationship Id="rId8" Type="{rel}/styles" Target="styles.xml"/>'
            "</Relationships>"
        ),
        "xl/styles.xml": styles_xml,
        "xl/worksheets/data.xml": sheet_xml,
    }
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as zf:
        for name, text in files.items():
            zf.writestr(name, text)
    return buffer.getvalue()


STYLES = (
    '<x:styleSheet xmlns:x="http://schemas.openxmlformats.org/spreadsheetml/2006/main">'
    '<x:numFmts count="1"><x:numFmt numFmtId="170" formatCode="0.00&quot; CR&quot;;'
    '0.00&quot; DR&quot;"/></x:numFmts>'
    '<x:fonts count="1"><x:font/></x:fonts><x:fills count="1"><x:fill/></x:fills>'
    '<x:borders count="1"><x:border/></x:borders>'
    '<x:cellStyleXfs count="1"><x:xf numFmtId="0"/></x:cellStyleXfs>'
    '<x:cellXfs count="2"><x:xf numFmtId="0"/><x:xf numFmtId="170" applyNumberFormat="1"/>'
    "</x:cellXfs></x:styleSheet>"
)


def _sheet(rows: str) -> str:
    main = "http://schemas.openxmlformats.org/spreadsheetml/2006/main"
    return f'<x:worksheet xmlns:x="{main}"><x:sheetData>{rows}</x:sheetData></x:worksheet>'


def _text(ref: str, text: str) -> str:
    return f'<x:c r="{ref}" t="inlineStr"><x:is><x:t>{text}</x:t></x:is></x:c>'


def test_prefixed_namespaces_and_formulas(tmp_path: Path) -> None:
    rows = (
        f'<x:row r="1">{_text("B1", "Member ID")}{_text("C1", "Month")}{_text("D1", "Paid")}'
        "</x:row>"
        f'<x:row r="2">{_text("B2", "1")}{_text("C2", "2026-02")}'
        '<x:c r="D2" s="1"><x:f>10*16.5</x:f><x:v>165</x:v></x:c></x:row>'
        f'<x:row r="3">{_text("B3", "2")}{_text("C3", "2026-02")}'
        '<x:c r="D3" s="1" t="n"><x:v>-12.5</x:v></x:c></x:row>'
        '<x:row r="4"><x:c r="D4" s="1"/></x:row>'
    )
    path = tmp_path / "hand.xlsx"
    path.write_bytes(_package(_sheet(rows), STYLES))
    table = read_table(path, sheet="R&D Detail")
    assert table.frame["Paid"].to_list() == ["165.00 CR", "12.50 DR"]


def test_cells_without_references_are_counted(tmp_path: Path) -> None:
    # The format lets a writer leave out r="…": positions are then counted.
    rows = (
        f"<x:row>{_text('A1', 'Member ID')}{_text('B1', 'Month')}{_text('C1', 'Paid')}</x:row>"
        '<x:row><x:c t="inlineStr"><x:is><x:t>1</x:t></x:is></x:c>'
        '<x:c t="inlineStr"><x:is><x:t>2026-02</x:t></x:is></x:c>'
        '<x:c s="1"><x:v>-7</x:v></x:c></x:row>'
    )
    shown = credit_cells(_package(_sheet(rows), STYLES), "R&D Detail")
    assert shown.select("row", "column", "text").rows() == [(1, 2, "7.00 DR")]


def test_shown_cells_frame(tmp_path: Path) -> None:
    path = _statement(tmp_path / "s.xlsx", ROWS, [CR_DR], first_column=2)
    shown = credit_cells(path.read_bytes(), "Detail").sort("row")
    assert shown.schema == pl.Schema(
        {"row": pl.Int64, "column": pl.Int64, "number": pl.Float64, "text": pl.String}
    )
    assert shown["column"].unique().to_list() == [3]  # column D
    assert shown["row"].to_list() == [1, 2, 3, 4]
