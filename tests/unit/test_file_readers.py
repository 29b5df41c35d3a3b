"""Roster, remittance and rate-exhibit readers on real files (openpyxl xlsx, CSV bytes)."""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from pathlib import Path

import openpyxl
import polars as pl
import pytest

from pmpm_desktop.core.month import Month
from pmpm_desktop.io.fields import MappingError
from pmpm_desktop.io.options import ReadOptions
from pmpm_desktop.io.parsed import FileRejected, ParsedFile, RowProblem
from pmpm_desktop.io.rate_file import read_rates
from pmpm_desktop.io.remittance_file import read_remittance
from pmpm_desktop.io.roster_file import read_roster
from pmpm_desktop.io.table import FileReadError

JAN = Month(2026, 1)
ROSTER = [
    "Member ID",
    "Last Name",
    "First Name",
    "DOB",
    "Sex",
    "Product",
    "Rate Cell",
    "Eff Date",
    "Term Date",
    "Risk Score",
]


def xlsx(
    path: Path,
    headers: Sequence[object],
    rows: Sequence[Sequence[object]],
    *,
    title: Sequence[Sequence[object]] = (),
    sheet: str = "Sheet1",
) -> Path:
    wb = openpyxl.Workbook()
    ws = wb.active
    assert ws is not None
    ws.title = sheet
    for r, row in enumerate([*title, headers, *rows], start=1):
        for c, value in enumerate(row, start=1):
            if value is not None:
                ws.cell(r, c, value)
    wb.save(path)
    return path


def csv_bytes(path: Path, lines: Sequence[str], encoding: str = "utf-8") -> Path:
    path.write_bytes("\r\n".join(lines).encode(encoding))
    return path


def roster_row(member: object, **kw: object) -> list[object]:
    values: dict[str, object] = {
        "Last Name": "SMITH",
        "First Name": "ANA",
        "DOB": dt.date(1990, 5, 10),
        "Sex": "F",
        "Product": "MCD",
        "Rate Cell": "TANF",
        "Eff Date": None,
        "Term Date": None,
        "Risk Score": None,
    }
    values.update({k.replace("_", " "): v for k, v in kw.items()})
    return [member, *(values[h] for h in ROSTER[1:])]


def problems(parsed: ParsedFile) -> list[tuple[int, str, str]]:
    return [(p.row, p.column, p.value) for p in parsed.problems]


# --- roster -------------------------------------------------------------------------------


def test_roster_canonical_frame(tmp_path: Path) -> None:
    path = xlsx(
        tmp_path / "r.xlsx",
        ROSTER,
        [
            roster_row("000123456", Risk_Score=1.234, Eff_Date=dt.date(2025, 6, 1)),
            roster_row(123456, Sex="Male", Last_Name="Muñoz", Term_Date=dt.date(2026, 2, 14)),
        ],
    )
    parsed = read_roster(path, roster_month=JAN, id_width=9)
    assert parsed.ok and parsed.kind == "roster"
    assert parsed.frame.schema == pl.Schema(
        {
            "member_id": pl.String,
            "last_name": pl.String,
            "first_name": pl.String,
            "dob": pl.Date,
            "sex": pl.String,
            "product": pl.String,
            "rate_cell": pl.String,
            "pcp": pl.String,
            "effective_date": pl.Date,
            "term_date": pl.Date,
            "risk_score": pl.Int64,
            "source_row": pl.Int64,
        }
    )
    rows = parsed.frame.to_dicts()
    assert [r["member_id"] for r in rows] == ["000123456", "000123456"]
    assert rows[0]["risk_score"] == 1_234_000
    assert rows[0]["effective_date"] == dt.date(2025, 6, 1)
    assert rows[1]["sex"] == "M" and rows[1]["last_name"] == "Muñoz"
    assert rows[1]["term_date"] == dt.date(2026, 2, 14)
    assert rows[0]["pcp"] is None
    assert [r["source_row"] for r in rows] == [2, 3]
    assert parsed.mapping["member_id"] == "Member ID" and "pcp" not in parsed.mapping


def test_roster_number_cell_ids_without_width(tmp_path: Path) -> None:
    path = xlsx(tmp_path / "r.xlsx", ["Mbr ID"], [[123456], [123456.0], ["00042 "], ["ab1"]])
    parsed = read_roster(path, roster_month=JAN)
    assert parsed.frame["member_id"].to_list() == ["123456", "123456", "00042", "AB1"]


def test_roster_title_rows_and_sheet(tmp_path: Path) -> None:
    path = xlsx(
        tmp_path / "r.xlsx",
        ROSTER,
        [roster_row("A1")],
        title=[["Sunrise Health Plan"], ["Roster January 2026"], []],
        sheet="Members",
    )
    parsed = read_roster(path, roster_month=JAN, sheet="Members")
    assert parsed.header_row == 4 and parsed.sheet == "Members"
    assert parsed.frame["source_row"].to_list() == [5]


def test_roster_header_and_mapping_override(tmp_path: Path) -> None:
    path = xlsx(
        tmp_path / "r.xlsx",
        ["Ident", "Surname", "Born"],
        [["X1", "SMITH", "01/31/1990"]],
        title=[["Member ID", "Last Name"]],
    )
    parsed = read_roster(
        path, roster_month=JAN, header_row=2, mapping={"member_id": "ident", "dob": "Born"}
    )
    assert parsed.mapping == {"member_id": "Ident", "last_name": "Surname", "dob": "Born"}
    assert parsed.frame.row(0, named=True)["dob"] == dt.date(1990, 1, 31)


def test_unknown_override_field_or_column(tmp_path: Path) -> None:
    path = xlsx(tmp_path / "r.xlsx", ["Member ID"], [["1"]])
    with pytest.raises(MappingError, match="unknown field 'mbr' for a roster file"):
        read_roster(path, roster_month=JAN, mapping={"mbr": "Member ID"})
    with pytest.raises(MappingError, match=r"no column 'Nope' \(for 'dob'\)"):
        read_roster(path, roster_month=JAN, mapping={"dob": "Nope"})


def test_roster_csv_semicolons_cp1252(tmp_path: Path) -> None:
    path = csv_bytes(
        tmp_path / "r.csv",
        [
            "Member #;Name (Last, First);Date of Birth;Gender",
            "000777;MUÑOZ, ANA MARIA;1/31/90;female",
            "000778;CHER;19900131;U",
        ],
        encoding="cp1252",
    )
    parsed = read_roster(path, roster_month=JAN)
    assert parsed.ok
    assert parsed.frame.select("member_id", "last_name", "first_name", "dob", "sex").rows() == [
        ("000777", "MUÑOZ", "ANA MARIA", dt.date(1990, 1, 31), "F"),
        ("000778", "CHER", None, dt.date(1990, 1, 31), "U"),
    ]


def test_roster_dates_in_every_format(tmp_path: Path) -> None:
    day = dt.date(2026, 1, 31)
    forms: list[object] = [
        day,
        dt.datetime(2026, 1, 31, 8, 0),
        46053,
        "2026-01-31",
        "01/31/2026",
        "1/31/26",
        "20260131",
        "2026-01-31T00:00:00",
    ]
    path = xlsx(
        tmp_path / "r.xlsx",
        ["Member ID", "Eff Date"],
        [[f"M{i}", form] for i, form in enumerate(forms)],
    )
    parsed = read_roster(path, roster_month=JAN)
    assert parsed.ok, parsed.problems
    assert parsed.frame["effective_date"].to_list() == [day] * len(forms)


def test_roster_totals_and_footers_skipped(tmp_path: Path) -> None:
    path = xlsx(
        tmp_path / "r.xlsx",
        ROSTER,
        [
            roster_row("1"),
            [None] * len(ROSTER),
            roster_row("2"),
            ["Total", None, None, None, None, None, None, None, None, None],
            [None, "Grand Total:", 2],
            [None, None, None, None, None, None, None, None, None, 2],
            ["Report run 2026-01-05 by SYSTEM"],
        ],
    )
    parsed = read_roster(path, roster_month=JAN)
    assert parsed.ok, parsed.problems
    assert parsed.frame["member_id"].to_list() == ["1", "2"]


def test_bad_roster_reports_every_bad_row(tmp_path: Path) -> None:
    path = xlsx(
        tmp_path / "r.xlsx",
        ROSTER,
        [
            roster_row("1"),
            [None] * len(ROSTER),
            roster_row("2", DOB="13/45/2020", Sex="X"),
            roster_row("3", Risk_Score="1.2345678"),
            [None] * len(ROSTER),
            roster_row(None),
            roster_row("5", Eff_Date=dt.date(2026, 2, 1), Term_Date=dt.date(2026, 1, 31)),
            roster_row("6", DOB="13/45/2020"),
        ],
    )
    parsed = read_roster(path, roster_month=JAN)
    assert not parsed.ok
    assert problems(parsed) == [
        (4, "DOB", "13/45/2020"),
        (4, "Sex", "X"),
        (5, "Risk Score", "1.2345678"),
        (7, "Member ID", ""),
        (8, "Term Date", "2026-01-31"),
        (9, "DOB", "13/45/2020"),
    ]
    assert parsed.problems[0].reason.startswith("not a date")
    assert parsed.problems[2].reason == "more than 6 decimals"
    assert parsed.problems[3].reason == "member ID is blank"
    assert "before effective date 2026-02-01" in parsed.problems[4].reason
    assert parsed.frame["member_id"].to_list() == ["1"]
    with pytest.raises(FileRejected) as info:
        parsed.check()
    text = str(info.value)
    assert text.startswith("r.xlsx was not imported: 6 problem(s)")
    assert "row 4, column 'DOB', value '13/45/2020': not a date (expected e.g." in text


def test_member_listed_twice_with_conflicting_rate_cells(tmp_path: Path) -> None:
    path = xlsx(
        tmp_path / "r.xlsx",
        ROSTER,
        [
            roster_row("1", Rate_Cell="TANF"),
            roster_row("1", Rate_Cell="SSI"),
            roster_row(
                "2", Rate_Cell="TANF", Term_Date=dt.date(2025, 12, 31), Eff_Date=dt.date(2025, 1, 1)
            ),
            roster_row("2", Rate_Cell="SSI", Eff_Date=dt.date(2026, 1, 1)),
            roster_row("3", Rate_Cell="TANF"),
            roster_row("3", Rate_Cell="TANF", Eff_Date=dt.date(2025, 1, 1)),
        ],
    )
    parsed = read_roster(path, roster_month=JAN)
    assert parsed.problems == [
        RowProblem(
            3,
            "Rate Cell",
            "SSI",
            "member 1 is also on row 2 with rate cell 'TANF' for an overlapping month",
        ),
    ]


def test_missing_member_id_column(tmp_path: Path) -> None:
    path = xlsx(tmp_path / "r.xlsx", ["Last Name", "DOB"], [["SMITH", "2020-01-01"]])
    with pytest.raises(MappingError, match=r"no column for 'member_id' \(looked for: Member ID"):
        read_roster(path, roster_month=JAN)


def test_not_a_spreadsheet(tmp_path: Path) -> None:
    path = tmp_path / "roster.xlsx"
    path.write_bytes(b"\x89PNG\r\n\x1a\n" + bytes(100))
    with pytest.raises(FileReadError, match="roster.xlsx is not a spreadsheet"):
        read_roster(path, roster_month=JAN)


def test_no_data_rows_is_not_ok(tmp_path: Path) -> None:
    path = xlsx(tmp_path / "r.xlsx", ROSTER, [])
    parsed = read_roster(path, roster_month=JAN)
    assert not parsed.ok and parsed.problems == []
    with pytest.raises(FileRejected, match="no data rows"):
        parsed.check()


# --- remittance ---------------------------------------------------------------------------


def test_remittance_months_amounts_and_totals(tmp_path: Path) -> None:
    path = xlsx(
        tmp_path / "p.xlsx",
        ["Mbr ID", "Cap Month", "Net Paid", "Reason", "Check #"],
        [
            ["000123", "JAN-26", "($1,234.56)", "Recoup", 98765],
            [123, "01/2026", 176.4, None, None],
            ["000123", "202601", "$95.00", "Retro", None],
            ["000124", dt.date(2026, 2, 1), 5, None, None],
            ["000125", 202603, "-$5.00", None, None],
            [None, None, 1000.0],
            ["Grand Total", None, 1000.0],
            [None, "Total", 1000.0],
        ],
        title=[["Capitation statement"], []],
    )
    parsed = read_remittance(path, id_width=6)
    assert parsed.ok, parsed.problems
    assert parsed.frame.columns == [
        "member_id",
        "coverage_month",
        "amount_cents",
        "line_type",
        "member_name",
        "payment_date",
        "reference",
        "source_row",
    ]
    assert parsed.frame.rows() == [
        ("000123", "2026-01", -123456, "Recoup", None, None, "98765", 4),
        ("000123", "2026-01", 17640, None, None, None, None, 5),
        ("000123", "2026-01", 9500, "Retro", None, None, None, 6),
        ("000124", "2026-02", 500, None, None, None, None, 7),
        ("000125", "2026-03", -500, None, None, None, None, 8),
    ]


def test_remittance_required_values(tmp_path: Path) -> None:
    path = csv_bytes(
        tmp_path / "p.csv",
        [
            "Member ID,Coverage Month,Amount",
            "1,2026-01,12.345",
            "2,,10",
            ",2026-01,",
            "3,2026-13,",
            "4,Jan 2026,95",
            "",
            "Total,,117",
        ],
    )
    # 12.345 could be 12345 with a decimal comma: the file cannot say, so it is asked once
    # for the whole file; read with a decimal point, it is one bad amount.
    undecided = read_remittance(path)
    assert undecided.decimal_question is not None and not undecided.ok
    assert "--decimal comma or --decimal point" in undecided.file_problems[0]
    parsed = read_remittance(path, options=ReadOptions(decimal_comma=False))
    assert not parsed.file_problems
    assert problems(parsed) == [
        (2, "Amount", "12.345"),
        (3, "Coverage Month", ""),
        (4, "Member ID", ""),
        (4, "Amount", ""),
        (5, "Coverage Month", "2026-13"),
        (5, "Amount", ""),
    ]
    assert parsed.problems[0].reason == "more than two decimals"
    assert parsed.frame["member_id"].to_list() == ["4"]


def test_remittance_missing_required_column(tmp_path: Path) -> None:
    path = xlsx(tmp_path / "p.xlsx", ["Member ID", "Paid"], [["1", 5]])
    with pytest.raises(
        MappingError,
        match=r"no column for 'coverage_month' \(looked for: "
        r"Coverage Month, Cap Month",
    ):
        read_remittance(path)


# --- rates --------------------------------------------------------------------------------


def test_rates_component_default_and_normalisation(tmp_path: Path) -> None:
    path = xlsx(
        tmp_path / "rates.xlsx",
        [
            "Effective From",
            "Effective To",
            "Component",
            "Rate Cell",
            "Sex",
            "Age Min",
            "Age Max",
            "PMPM",
        ],
        [
            [dt.date(2026, 1, 1), None, None, "TANF", None, 0, 1, 210],
            ["2026-01", "Dec 2026", "Capitation", "TANF", "F", 21, None, "180.00"],
            ["01/2026", None, "Care Management", None, "Any", None, None, 4.5],
            ["202601", None, "care-management ", None, "All", None, None, "$4.50"],
        ],
    )
    parsed = read_rates(path)
    assert parsed.ok, parsed.problems
    assert parsed.frame.columns == [
        "effective_from",
        "effective_to",
        "component",
        "rate_cell",
        "sex",
        "age_min",
        "age_max",
        "amount_cents",
        "source_row",
    ]
    assert parsed.frame.rows() == [
        ("2026-01", None, "capitation", "TANF", None, 0, 1, 21000, 2),
        ("2026-01", "2026-12", "capitation", "TANF", "F", 21, None, 18000, 3),
        ("2026-01", None, "care_management", None, None, None, None, 450, 4),
        ("2026-01", None, "care_management", None, None, None, None, 450, 5),
    ]


def test_rates_without_component_column(tmp_path: Path) -> None:
    path = csv_bytes(tmp_path / "rates.csv", ["Eff Date,Rate", "2026-01-01,95"])
    parsed = read_rates(path)
    assert parsed.frame.select("effective_from", "component", "amount_cents").rows() == [
        ("2026-01", "capitation", 9500)
    ]


def test_rates_problems(tmp_path: Path) -> None:
    path = xlsx(
        tmp_path / "rates.xlsx",
        ["Effective From", "Effective To", "Sex", "Age Min", "Age Max", "Amount"],
        [
            ["2026-06", "2026-01", None, 21, 2, 10],
            [None, None, "U", 1.5, None, None],
        ],
    )
    parsed = read_rates(path)
    assert [(p.row, p.column) for p in parsed.problems] == [
        (2, "Effective To"),
        (2, "Age Max"),
        (3, "Effective From"),
        (3, "Sex"),
        (3, "Age Min"),
        (3, "Amount"),
    ]
    assert parsed.problems[0].reason == "effective to 2026-01 is before effective from 2026-06"
    assert parsed.problems[1].reason == "age max 2 is below age min 21"


# --- field dictionary -----------------------------------------------------------------------


@pytest.mark.parametrize(
    ("kind", "header", "field"),
    [
        ("roster", "MBR. ID", "member_id"),
        ("roster", "member_id", "member_id"),
        ("roster", "Mbr #", "member_id"),
        ("roster", "MEDICAID  RECIPIENT ID", "member_id"),
        ("roster", "MBI", "member_id"),
        ("roster", "CIN", "member_id"),
        ("roster", "SubscriberID", "member_id"),
        ("roster", "D.O.B.", "dob"),
        ("roster", "Mbr Birth Dt", "dob"),
        ("roster", "GENDER", "sex"),
        ("roster", "Line of Business", "product"),
        ("roster", "Aid Cat", "rate_cell"),
        ("roster", "C.O.A.", "rate_cell"),
        ("roster", "Eff. Dt", "effective_date"),
        ("roster", "Elig Begin Date", "effective_date"),
        ("roster", "Disenroll Date", "term_date"),
        ("roster", "Thru Dt", "term_date"),
        ("roster", "Risk Adj. Factor", "risk_score"),
        ("remittance", "Cap Period", "coverage_month"),
        ("remittance", "Benefit Month", "coverage_month"),
        ("remittance", "NET PAID", "amount"),
        ("remittance", "Cap Amt", "amount"),
        ("rates", "Lower Age", "age_min"),
        ("rates", "Min Age", "age_min"),
        ("rates", "Age Thru", "age_max"),
        ("rates", "Rate Code", "rate_cell"),
    ],
)
def test_synonyms_ignore_case_spaces_punctuation(kind: str, header: str, field: str) -> None:
    from pmpm_desktop.io.fields import name_matches

    best = max(name_matches(kind, header), key=lambda m: m[1])
    assert best[0] == field and best[1] >= 0.9, name_matches(kind, header)


def test_values_break_ties_between_id_columns(tmp_path: Path) -> None:
    """Both columns may be "the ID": the 10-digit NPIs are not member IDs."""
    path = csv_bytes(
        tmp_path / "r.csv",
        [
            "ID Number,ID,Member Name",
            '1234567893,000123456,"MUÑOZ, ANA"',
            '1245319599,000234567,"PEÑA, JOSÉ"',
            '1003000126,012345678,"BRONTË, ZOË"',
        ],
    )
    parsed = read_roster(path, roster_month=JAN)
    assert parsed.mapping["member_id"] == "ID"
    assert parsed.frame["first_name"].to_list() == ["ANA", "JOSÉ", "ZOË"]


def test_amounts_beat_counts(tmp_path: Path) -> None:
    path = csv_bytes(
        tmp_path / "p.csv",
        [
            "Member ID,Coverage Month,Paid,Payment",
            "1,2026-01,1,$176.40",
            "2,2026-01,1,(95.00)",
            "3,2026-01,2,1234.56",
        ],
    )
    parsed = read_remittance(path)
    assert parsed.mapping["amount"] == "Payment"
    assert parsed.frame["amount_cents"].to_list() == [17640, -9500, 123456]
