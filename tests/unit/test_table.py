"""read_table on real files: xlsx written with openpyxl, CSV as bytes (no mocks)."""

from __future__ import annotations

import codecs
import datetime as dt
import hashlib
from collections.abc import Sequence
from pathlib import Path

import openpyxl
import pytest

from pmpm_desktop.io.fields import FieldDetector, score_header
from pmpm_desktop.io.table import SOURCE_ROW, FileReadError, read_table


def roster_scorer(cells: Sequence[str | None]) -> int:
    return score_header("roster", cells)


def write_xlsx(path: Path, rows: dict[str, list[list[object]]], hidden: Sequence[str] = ()) -> Path:
    wb = openpyxl.Workbook()
    first = wb.active
    assert first is not None
    wb.remove(first)
    for name, sheet_rows in rows.items():
        ws = wb.create_sheet(name)
        for r, row in enumerate(sheet_rows, start=1):
            for c, value in enumerate(row, start=1):
                if value is not None:
                    ws.cell(r, c, value)
        if name in hidden:
            ws.sheet_state = "hidden"
    wb.save(path)
    return path


def test_title_rows_blank_rows_and_row_numbers(tmp_path: Path) -> None:
    path = write_xlsx(
        tmp_path / "r.xlsx",
        {
            "Roster": [
                [],
                ["Sunrise Health Plan"],
                ["Roster for January 2026"],
                [],
                ["Member ID", "Last Name", "DOB"],
                ["000123", "SMITH", dt.date(1990, 5, 10)],
                [],
                [],
                [123456, "  ", dt.datetime(2001, 2, 3, 4, 5)],
                [],
            ]
        },
    )
    table = read_table(path, header_scorer=roster_scorer)
    assert table.header_row == 5
    assert table.sheet == "Roster"
    assert table.headers == ["Member ID", "Last Name", "DOB"]
    assert table.frame[SOURCE_ROW].to_list() == [6, 9]
    assert table.frame["Member ID"].to_list() == ["000123", "123456"]
    assert table.frame["Last Name"].to_list() == ["SMITH", None]
    assert table.frame["DOB"].to_list() == ["1990-05-10 00:00:00", "2001-02-03 04:05:00"]
    assert table.sha256 == hashlib.sha256(path.read_bytes()).hexdigest()
    assert table.file_name == "r.xlsx"


def test_header_override_and_bounds(tmp_path: Path) -> None:
    path = write_xlsx(tmp_path / "r.xlsx", {"S": [["Title"], [], ["A", "B"], ["1", "2"]]})
    table = read_table(path, header_row=3)
    assert table.headers == ["A", "B"] and table.frame.height == 1
    assert read_table(path, header_row=1).headers == ["Title", "Column 2"]
    with pytest.raises(FileReadError, match="header row 2 of sheet 'S' is blank"):
        read_table(path, header_row=2)
    with pytest.raises(FileReadError, match="header row 9 of sheet 'S' is past the last row"):
        read_table(path, header_row=9)


def test_duplicate_and_blank_headers_are_made_unique(tmp_path: Path) -> None:
    path = write_xlsx(
        tmp_path / "r.xlsx", {"S": [["Name", None, "Name", "source_row"], ["a", "b", "c", "d"]]}
    )
    table = read_table(path, header_row=1)
    assert table.headers == ["Name", "Column 2", "Name (2)", "source_row (2)"]
    assert table.frame.row(0) == ("a", "b", "c", "d", 2)


def test_sheet_selection(tmp_path: Path) -> None:
    path = write_xlsx(
        tmp_path / "r.xlsx",
        {"Notes": [["hidden"]], "Jan": [["Member ID"], ["1"]], "Feb": [["Member ID"], ["2"]]},
        hidden=["Notes"],
    )
    assert read_table(path).sheet == "Jan"
    assert read_table(path, sheet="feb").frame["Member ID"].to_list() == ["2"]
    listed = r"no sheet 'Mar' \(its sheets: 'Notes', 'Jan', 'Feb'\)"
    with pytest.raises(FileReadError, match=listed):
        read_table(path, sheet="Mar")


def test_empty_sheet(tmp_path: Path) -> None:
    path = write_xlsx(tmp_path / "r.xlsx", {"Empty": []})
    with pytest.raises(FileReadError, match="sheet 'Empty' is empty"):
        read_table(path)


def test_not_a_spreadsheet(tmp_path: Path) -> None:
    png = tmp_path / "logo.xlsx"
    png.write_bytes(b"\x89PNG\r\n\x1a\n" + bytes(200))
    with pytest.raises(FileReadError, match="logo.xlsx is not a spreadsheet"):
        read_table(png)
    with pytest.raises(FileReadError, match="file not found"):
        read_table(tmp_path / "missing.xlsx")
    pdf = tmp_path / "r.pdf"
    pdf.write_bytes(b"%PDF")
    with pytest.raises(FileReadError, match="unsupported file type .pdf"):
        read_table(pdf)
    binary = tmp_path / "r.csv"
    binary.write_bytes(b"\x89PNG\x00\x00")
    with pytest.raises(FileReadError, match="not a text"):
        read_table(binary)


@pytest.mark.parametrize("delimiter", [",", ";", "\t", "|"])
def test_csv_delimiters_keep_ids_as_text(tmp_path: Path, delimiter: str) -> None:
    text = "\n".join(
        [
            "Sunrise roster",
            "",
            delimiter.join(["Member ID", "Last Name", "Amount"]),
            delimiter.join(["000123", '"Smith, Jr"' if delimiter == "," else "Smith, Jr", "1.50"]),
            delimiter.join(["", "", ""]),
            delimiter.join(["0042", "Lee", "2"]),
        ]
    )
    path = tmp_path / "r.csv"
    path.write_text(text, encoding="utf-8")
    table = read_table(path, header_scorer=roster_scorer)
    assert table.header_row == 3
    assert table.sheet is None
    assert table.frame["Member ID"].to_list() == ["000123", "0042"]
    assert table.frame["Last Name"].to_list() == ["Smith, Jr", "Lee"]
    assert table.frame[SOURCE_ROW].to_list() == [4, 6]


@pytest.mark.parametrize(
    ("encoding", "bom"), [("utf-8", b""), ("utf-8", b"\xef\xbb\xbf"), ("cp1252", b"")]
)
def test_csv_encodings(tmp_path: Path, encoding: str, bom: bytes) -> None:
    path = tmp_path / "r.csv"
    path.write_bytes(bom + "Member ID;Last Name\r\n001;Muñoz\r\n".encode(encoding))
    table = read_table(path, header_scorer=roster_scorer)
    assert table.headers == ["Member ID", "Last Name"]
    assert table.frame["Last Name"].to_list() == ["Muñoz"]


def test_csv_utf16_tab_export(tmp_path: Path) -> None:
    path = tmp_path / "r.txt"
    path.write_bytes("Member ID\tLast Name\r\n001\tMuñoz\r\n".encode("utf-16"))
    assert read_table(path).frame["Last Name"].to_list() == ["Muñoz"]


def test_csv_quoted_line_breaks_keep_line_numbers(tmp_path: Path) -> None:
    path = tmp_path / "r.csv"
    path.write_text('Member ID,Note\n1,"two\nlines"\n2,x\n', encoding="utf-8")
    table = read_table(path)
    assert table.frame[SOURCE_ROW].to_list() == [2, 4]
    assert table.frame["Note"].to_list() == ["two\nlines", "x"]


def test_csv_with_sheet_is_refused(tmp_path: Path) -> None:
    path = tmp_path / "r.csv"
    path.write_text("a,b\n1,2\n", encoding="utf-8")
    with pytest.raises(FileReadError, match="no sheets"):
        read_table(path, sheet="Sheet1")


# --- detection with the field dictionary -----------------------------------------------------


def roster_detector() -> FieldDetector:
    return FieldDetector("roster")


def test_sheet_with_the_best_header_wins(tmp_path: Path) -> None:
    path = write_xlsx(
        tmp_path / "r.xlsx",
        {
            "Summary": [["Roster summary"], ["Product", "Members"], ["MCD", 2]],
            "Decoy": [["Member ID", "Last Name", "DOB"], ["X1", "DECOY", "1990-01-01"]],
            "Members": [
                [],
                ["Member ID", "Last Name", "First Name", "DOB"],
                ["000123", "MUÑOZ", "ANA", "1990-05-10"],
                ["000124", "PEÑA", "ZOË", "1985-01-02"],
            ],
        },
        hidden=["Decoy"],
    )
    table = read_table(path, detector=roster_detector())
    assert table.sheet == "Members" and table.header_row == 2
    assert table.frame["Last Name"].to_list() == ["MUÑOZ", "PEÑA"]
    detection = table.detection
    assert detection.sheets == (("Summary", detection.runner_up), ("Members", detection.score))
    assert detection.confident and not detection.given
    assert detection.mapping == {
        "member_id": "Member ID",
        "last_name": "Last Name",
        "first_name": "First Name",
        "dob": "DOB",
    }
    # A named sheet wins, hidden or not; an explicit header row is reported as given.
    named = read_table(path, sheet="Decoy", detector=roster_detector())
    assert named.frame["Member ID"].to_list() == ["X1"]
    given = read_table(path, sheet="Members", header_row=2, detector=roster_detector())
    assert given.detection.given and given.detection.confident
    assert given.detection.mapping == detection.mapping


def test_detection_without_required_field_is_not_confident(tmp_path: Path) -> None:
    path = write_xlsx(tmp_path / "r.xlsx", {"S": [["Last Name", "DOB"], ["SMITH", "1990-01-01"]]})
    table = read_table(path, detector=roster_detector())
    assert table.header_row == 1 and not table.detection.confident


def test_repeated_page_headers_are_dropped(tmp_path: Path) -> None:
    path = write_xlsx(
        tmp_path / "r.xlsx",
        {"S": [["Member ID", "DOB"], ["1", "1990-01-01"], ["Member ID", "DOB"], ["2", None]]},
    )
    table = read_table(path, detector=roster_detector())
    assert table.header_row == 1
    assert table.frame["Member ID"].to_list() == ["1", "2"]
    assert table.frame[SOURCE_ROW].to_list() == [2, 4]


@pytest.mark.parametrize(
    ("encoding", "bom"),
    [
        ("utf-16-le", codecs.BOM_UTF16_LE),
        ("utf-16-be", codecs.BOM_UTF16_BE),
        ("utf-16-le", b""),
        ("utf-16-be", b""),
        ("latin-1", b""),
    ],
)
def test_csv_utf16_and_latin1(tmp_path: Path, encoding: str, bom: bytes) -> None:
    path = tmp_path / "r.txt"
    text = "Member ID\tLast Name\tFirst Name\r\n001\tMuñoz\tZoë\r\n002\tPeña\tJosé\r\n"
    path.write_bytes(bom + text.encode(encoding))
    table = read_table(path, detector=roster_detector())
    assert table.frame["Last Name"].to_list() == ["Muñoz", "Peña"]
    assert table.frame["First Name"].to_list() == ["Zoë", "José"]


def test_no_header_row_found(tmp_path: Path) -> None:
    path = tmp_path / "r.csv"
    path.write_text("hello,world\n1,2\n", encoding="utf-8")
    with pytest.raises(
        FileReadError,
        match=r"no header row found in the first 30 rows of r.csv: looked for a member ID column",
    ):
        read_table(path, detector=roster_detector())
