"""A corpus of messy payer files, one trap each, written as real bytes (xlsx through openpyxl,
.xls through xlwt, CSV/TSV/TXT as encoded text), with what each must read as.

Each :class:`Messy` knows how to write its file, the explicit sheet / header row / mapping a
user would give, and the member IDs (and amounts, names, dates) the file holds.
"""

from __future__ import annotations

import csv
import datetime as dt
import io
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from pathlib import Path

import openpyxl
import xlwt

Row = Sequence[object]
D = dt.date


@dataclass(frozen=True)
class Messy:
    name: str
    kind: str  # roster | remittance | rates
    trap: str
    write: Callable[[Path], Path]
    header_row: int
    mapping: dict[str, str]
    expected: dict[str, list[object]]
    sheet: str | None = None
    id_width: int | None = None
    extra: dict[str, object] = field(default_factory=dict)


# --- people -------------------------------------------------------------------------------

IDS = ["000123456", "000234567", "012345678", "100200300", "000000789", "987654321"]
LAST = ["MUÑOZ", "PEÑA", "BRONTË", "O'BRIEN", "NGUYEN", "SMITH-JONES"]
FIRST = ["ANA", "JOSÉ", "ZOË", "SEAN", "THI", "MARY ANN"]
DOB = [D(1958, 3, 14), D(1990, 7, 2), D(2015, 11, 30), D(1947, 1, 9), D(2001, 5, 21), D(1979, 9, 8)]
SEX = ["F", "M", "F", "M", "F", "F"]
CELL = ["TANF", "TANF", "CHIP", "ABD", "TANF", "SSI"]
NPI = ["1234567893", "1245319599", "1003000126", "1234567893", "1992753883", "1555555550"]
EFF = [D(2025, 1, 1), D(2025, 6, 1), D(2026, 1, 1), D(2024, 3, 1), D(2025, 9, 1), D(2023, 1, 1)]
N = len(IDS)


def us(day: dt.date) -> str:
    return f"{day.month:02d}/{day.day:02d}/{day.year}"


# --- writers ------------------------------------------------------------------------------


def xlsx(
    path: Path,
    sheets: dict[str, Sequence[Row]],
    *,
    hidden: Sequence[str] = (),
    merge: dict[str, Sequence[str]] | None = None,
    date_format: str = "mm/dd/yyyy",
) -> Path:
    wb = openpyxl.Workbook()
    first = wb.active
    assert first is not None
    wb.remove(first)
    for name, rows in sheets.items():
        ws = wb.create_sheet(name)
        for r, row in enumerate(rows, start=1):
            for c, value in enumerate(row, start=1):
                if value is not None:
                    cell = ws.cell(r, c, value)
                    if isinstance(value, dt.date):
                        cell.number_format = date_format
        for span in (merge or {}).get(name, ()):
            ws.merge_cells(span)
        if name in hidden:
            ws.sheet_state = "hidden"
    wb.save(path)
    return path


def text_file(
    path: Path, rows: Sequence[Row], *, delimiter: str = ",", encoding: str = "utf-8"
) -> Path:
    buf = io.StringIO()
    writer = csv.writer(buf, delimiter=delimiter, lineterminator="\r\n")
    for row in rows:
        writer.writerow(["" if v is None else v for v in row])
    path.write_bytes(buf.getvalue().encode(encoding))
    return path


def xls(path: Path, sheets: dict[str, Sequence[Row]]) -> Path:
    wb = xlwt.Workbook(encoding="utf-8")
    date_style = xlwt.easyxf(num_format_str="MM/DD/YYYY")
    for name, rows in sheets.items():
        ws = wb.add_sheet(name)
        for r, row in enumerate(rows):
            for c, value in enumerate(row):
                if isinstance(value, dt.date):
                    ws.write(r, c, value, date_style)
                elif value is not None:
                    ws.write(r, c, value)
    wb.save(str(path))
    return path


def roster_rows(headers: Sequence[str], values: Callable[[int], Row]) -> list[Row]:
    return [list(headers), *(list(values(i)) for i in range(N))]


STANDARD = ["Member ID", "Last Name", "First Name", "DOB", "Sex", "Rate Cell", "Eff Date"]


def standard(i: int) -> Row:
    return [IDS[i], LAST[i], FIRST[i], DOB[i], SEX[i], CELL[i], EFF[i]]


STANDARD_MAP = {
    "member_id": "Member ID",
    "last_name": "Last Name",
    "first_name": "First Name",
    "dob": "DOB",
    "sex": "Sex",
    "rate_cell": "Rate Cell",
    "effective_date": "Eff Date",
}
ROSTER_EXPECTED: dict[str, list[object]] = {
    "member_id": list(IDS),
    "last_name": list(LAST),
    "first_name": list(FIRST),
    "dob": list(DOB),
}

# remittance lines: member, coverage month, amount as written, cents
LINES: list[tuple[str, str, object, int]] = [
    ("000123456", "2026-01", 176.40, 17640),
    ("000234567", "2026-01", "($1,234.56)", -123456),
    ("012345678", "2026-01", "$95.00", 9500),
    ("100200300", "2025-12", 320, 32000),
    ("000000789", "2026-01", "-12.34", -1234),
    ("987654321", "2026-01", "$1,234.56", 123456),
]
REMIT_EXPECTED: dict[str, list[object]] = {
    "member_id": [m for m, *_ in LINES],
    "coverage_month": [c for _, c, *_ in LINES],
    "amount_cents": [a for *_, a in LINES],
}


def _title_rows(path: Path) -> Path:
    rows: list[Row] = [
        [None, "Sunrise Health Plan"],
        [None, "Member Eligibility Roster — January 2026"],
        [],
        [None, "Prepared for: Main Street Family Practice", None, None, None, "Page 1"],
        *[[None, *r] for r in roster_rows(STANDARD, standard)],
    ]
    return xlsx(path, {"Roster": rows}, merge={"Roster": ["B1:H1", "B2:H2"]})


def _header_row_7(path: Path) -> Path:
    rows: list[Row] = [
        ["MONTHLY ELIGIBILITY REPORT"],
        ["Plan:", "Sunrise Health Plan"],
        ["Provider group:", "Main Street Family Practice", "Group #", "88812"],
        ["Report period:", "01/2026"],
        ["Run date:", "01/03/2026 04:12"],
        [],
        ["Subscriber ID", "Member Last Name", "Member First Name", "Birth Date", "Gender"],
        *[[IDS[i], LAST[i], FIRST[i], us(DOB[i]), SEX[i]] for i in range(N)],
    ]
    return text_file(path, rows)


def _summary_first(path: Path) -> Path:
    summary: list[Row] = [
        ["Capitation summary — January 2026"],
        [],
        ["Product", "Rate Cell", "Members", "Amount"],
        ["MCD", "TANF", 3, 471.40],
        ["MCD", "ABD", 1, 320.00],
        ["Grand Total", None, 4, 791.40],
    ]
    detail: list[Row] = [
        ["Member detail"],
        ["Mbr ID", "Cap Month", "Paid Amt"],
        *[[m, c, a] for m, c, a, _ in LINES],
    ]
    return xlsx(path, {"Summary": summary, "Detail": detail})


def _ids_as_numbers(path: Path) -> Path:
    rows = roster_rows(STANDARD, lambda i: [int(IDS[i]), *standard(i)[1:]])
    return xlsx(path, {"Sheet1": rows})


def _mixed_dates(path: Path) -> Path:
    forms: list[object] = [
        DOB[0],
        us(DOB[1]),
        DOB[2].isoformat(),
        DOB[3].strftime("%Y%m%d"),
        f"{DOB[4].month}/{DOB[4].day}/{DOB[4].year}",
        dt.datetime.combine(DOB[5], dt.time()),
    ]
    rows = roster_rows(STANDARD, lambda i: [IDS[i], LAST[i], FIRST[i], forms[i], *standard(i)[4:]])
    return xlsx(path, {"Sheet1": rows})


def _paren_amounts(path: Path) -> Path:
    rows: list[Row] = [
        ["Member #", "Coverage Month", "Capitation Amount", "Adj Reason"],
        *[[m, c, a, "Recoup" if cents < 0 else None] for m, c, a, cents in LINES],
    ]
    return xlsx(path, {"Payments": rows})


def _months(path: Path) -> Path:
    forms = ["JAN-26", "01/2026", "202601", "Dec 2025", "2026-01", "Jan 2026"]
    rows: list[Row] = [
        ["Member ID", "Service Month", "Amount Paid"],
        *[[m, forms[i], a] for i, (m, _, a, _) in enumerate(LINES)],
    ]
    return text_file(path, rows)


def _totals(path: Path) -> Path:
    rows: list[Row] = [
        ["Capitation Detail"],
        ["Member ID", "Member Name", "Coverage Month", "Net Amount"],
        *[[m, f"{LAST[i]}, {FIRST[i]}", c, a] for i, (m, c, a, _) in enumerate(LINES)],
        [],
        ["Total", None, None, 1234.56],
        [None, "Grand Total", None, 1234.56],
        [None, None, None, 1234.56],
        ["Report run 11/02/2026"],
        ["Page 1 of 3"],
    ]
    return xlsx(path, {"Statement": rows})


def _cp1252(path: Path) -> Path:
    rows = roster_rows(
        ["Medicaid ID", "Last Name", "First Name", "Date of Birth", "Sex"],
        lambda i: [IDS[i], LAST[i], FIRST[i], us(DOB[i]), SEX[i]],
    )
    return text_file(path, rows, encoding="cp1252")


def _semicolon(path: Path) -> Path:
    rows: list[Row] = [
        ["Enrollee ID", "Coverage Period", "Payment"],
        *[[m, c, a] for m, c, a, _ in LINES],
    ]
    return text_file(path, rows, delimiter=";")


def _bom(path: Path) -> Path:
    rows = roster_rows(
        ["Member ID", "Last Name", "First Name", "DOB"],
        lambda i: [IDS[i], LAST[i], FIRST[i], DOB[i].isoformat()],
    )
    text_file(path, rows)
    path.write_bytes(b"\xef\xbb\xbf" + path.read_bytes())
    return path


def _last_first(path: Path) -> Path:
    rows = roster_rows(
        ["Mbr #", "Member Name", "DOB", "Gender"],
        lambda i: [IDS[i], f"{LAST[i]}, {FIRST[i]}", DOB[i], SEX[i]],
    )
    return xlsx(path, {"Members": rows})


def _split_names_tsv(path: Path) -> Path:
    rows = roster_rows(
        ["MemberID", "LName", "FName", "BirthDt", "Sex"],
        lambda i: [IDS[i], LAST[i], FIRST[i], DOB[i].strftime("%Y%m%d"), SEX[i]],
    )
    return text_file(path, rows, delimiter="\t")


def _blank_trailing(path: Path) -> Path:
    rows: list[Row] = [*roster_rows(STANDARD, standard), *([[]] * 40)]
    xlsx(path, {"Sheet1": rows})
    wb = openpyxl.load_workbook(path)
    ws = wb.active
    assert ws is not None
    for r in range(N + 2, N + 60):  # formatted but empty rows and columns, as Excel leaves them
        for c in range(1, 12):
            ws.cell(r, c).number_format = "0.00"
            if c == 9:
                ws.cell(r, c, "   ")
    wb.save(path)
    return path


def _hidden_decoy(path: Path) -> Path:
    decoy = roster_rows(STANDARD, lambda i: [f"X{i:08d}", *standard(i)[1:]])
    real = [["January 2026 roster"], [], *roster_rows(STANDARD, standard)]
    return xlsx(path, {"Old roster": decoy, "Roster": real}, hidden=["Old roster"])


def _pcp_npi(path: Path) -> Path:
    rows: list[Row] = [
        ["Provider", None, "Member", None, None],
        ["ID", "Provider Name", "ID", "Member Name", "DOB"],
        *[[NPI[i], "DR WELBY", IDS[i], f"{LAST[i]}, {FIRST[i]}", DOB[i]] for i in range(N)],
    ]
    return xlsx(path, {"Sheet1": rows}, merge={"Sheet1": ["A1:B1", "C1:E1"]})


def _unusual_remit(path: Path) -> Path:
    rows: list[Row] = [
        ["Recipient ID", "Aid Cat", "Cap Period", "Net Paid", "Warrant #"],
        *[[m, CELL[i], c, a, "W-1001"] for i, (m, c, a, _) in enumerate(LINES)],
    ]
    return xlsx(path, {"Remit": rows})


def _unusual_roster(path: Path) -> Path:
    rows = roster_rows(
        [
            "Enrollee #",
            "Enrollee Last Name",
            "Enrollee First Name",
            "Birth Dt",
            "Gndr",
            "LOB",
            "Aid Cat",
            "Elig Begin",
            "Disenroll Date",
            "RAF",
            "PCP NPI",
        ],
        lambda i: [
            IDS[i],
            LAST[i],
            FIRST[i],
            us(DOB[i]),
            SEX[i],
            "MCD",
            CELL[i],
            us(EFF[i]),
            None,
            1.234,
            NPI[i],
        ],
    )
    return xlsx(path, {"Sheet1": rows})


def _two_date_columns(path: Path) -> Path:
    rows = roster_rows(
        ["Member ID", "Name", "Date", "Date"],
        lambda i: [IDS[i], f"{LAST[i]}, {FIRST[i]}", us(EFF[i]), us(DOB[i])],
    )
    return text_file(path, rows)


def _utf16(path: Path) -> Path:
    rows = roster_rows(
        ["Member ID", "Last Name", "First Name", "DOB"],
        lambda i: [IDS[i], LAST[i], FIRST[i], us(DOB[i])],
    )
    text_file(path, rows, delimiter="\t", encoding="utf-16")
    return path


def _pipe(path: Path) -> Path:
    rows: list[Row] = [
        ["MBR_ID", "CAP_MO", "PD_AMT", "TRAN_TYPE"],
        *[[m, c.replace("-", ""), a, "CAP"] for m, c, a, _ in LINES],
    ]
    return text_file(path, rows, delimiter="|")


def _xls(path: Path) -> Path:
    rows: list[Row] = [
        ["Capitation Remittance"],
        ["Sunrise Health Plan", None, "Check #", 98765],
        [],
        ["Medicaid ID", "Benefit Month", "Cap Amount"],
        *[[m, c, a] for m, c, a, _ in LINES],
        ["Total", None, 1234.56],
    ]
    return xls(path, {"Remittance": rows})


def _repeated_headers(path: Path) -> Path:
    header = ["Member ID", "Coverage Month", "Paid Amount"]
    rows: list[Row] = [["Page 1 of 2"], header]
    for i, (m, c, a, _) in enumerate(LINES):
        if i == 3:
            rows += [[], ["Page 2 of 2"], header]
        rows.append([m, c, a])
    return xlsx(path, {"Sheet1": rows})


def _rates(path: Path) -> Path:
    rows: list[Row] = [
        ["Exhibit B — Capitation Rates"],
        ["Effective 01/01/2026"],
        [],
        ["Rate Eff Date", "Aid Category", "Gender", "Age From", "Age To", "PMPM Rate"],
        ["01/01/2026", "TANF", None, 0, 1, "$210.00"],
        ["01/01/2026", "TANF", None, 2, 20, "$95.00"],
        ["01/01/2026", "TANF", "F", 21, None, "$180.00"],
        ["01/01/2026", "TANF", "M", 21, None, "$150.00"],
    ]
    return xlsx(path, {"Rates": rows})


def _roster_map(**fields: str) -> dict[str, str]:
    return dict(fields)


CORPUS: list[Messy] = [
    Messy(
        "title_rows.xlsx",
        "roster",
        "merged title cells, logo column, title rows",
        _title_rows,
        5,
        STANDARD_MAP,
        ROSTER_EXPECTED,
        sheet="Roster",
    ),
    Messy(
        "header_row_7.csv",
        "roster",
        "report preamble: header on line 7",
        _header_row_7,
        7,
        _roster_map(
            member_id="Subscriber ID",
            last_name="Member Last Name",
            first_name="Member First Name",
            dob="Birth Date",
            sex="Gender",
        ),
        ROSTER_EXPECTED,
    ),
    Messy(
        "summary_first.xlsx",
        "remittance",
        "a summary sheet before the detail sheet",
        _summary_first,
        2,
        {"member_id": "Mbr ID", "coverage_month": "Cap Month", "amount": "Paid Amt"},
        REMIT_EXPECTED,
        sheet="Detail",
    ),
    Messy(
        "ids_as_numbers.xlsx",
        "roster",
        "member IDs stored as numbers (id width 9)",
        _ids_as_numbers,
        1,
        STANDARD_MAP,
        ROSTER_EXPECTED,
        id_width=9,
    ),
    Messy(
        "mixed_dates.xlsx",
        "roster",
        "date cells and four text date forms in one column",
        _mixed_dates,
        1,
        STANDARD_MAP,
        ROSTER_EXPECTED,
    ),
    Messy(
        "paren_amounts.xlsx",
        "remittance",
        "($1,234.56) amounts",
        _paren_amounts,
        1,
        {
            "member_id": "Member #",
            "coverage_month": "Coverage Month",
            "amount": "Capitation Amount",
            "line_type": "Adj Reason",
        },
        REMIT_EXPECTED,
    ),
    Messy(
        "months.csv",
        "remittance",
        "JAN-26, 01/2026, 202601, Dec 2025 months",
        _months,
        1,
        {"member_id": "Member ID", "coverage_month": "Service Month", "amount": "Amount Paid"},
        REMIT_EXPECTED,
    ),
    Messy(
        "totals.xlsx",
        "remittance",
        "Total, Grand Total, report-run and page footers",
        _totals,
        2,
        {
            "member_id": "Member ID",
            "member_name": "Member Name",
            "coverage_month": "Coverage Month",
            "amount": "Net Amount",
        },
        REMIT_EXPECTED,
    ),
    Messy(
        "cp1252.csv",
        "roster",
        "cp1252 accents (Muñoz, Peña, Zoë)",
        _cp1252,
        1,
        _roster_map(
            member_id="Medicaid ID",
            last_name="Last Name",
            first_name="First Name",
            dob="Date of Birth",
            sex="Sex",
        ),
        ROSTER_EXPECTED,
    ),
    Messy(
        "semicolon.csv",
        "remittance",
        "semicolon-separated",
        _semicolon,
        1,
        {"member_id": "Enrollee ID", "coverage_month": "Coverage Period", "amount": "Payment"},
        REMIT_EXPECTED,
    ),
    Messy(
        "bom.csv",
        "roster",
        "UTF-8 byte-order mark",
        _bom,
        1,
        _roster_map(
            member_id="Member ID", last_name="Last Name", first_name="First Name", dob="DOB"
        ),
        ROSTER_EXPECTED,
    ),
    Messy(
        "last_first.xlsx",
        "roster",
        "one LAST, FIRST name column",
        _last_first,
        1,
        _roster_map(member_id="Mbr #", full_name="Member Name", dob="DOB", sex="Gender"),
        ROSTER_EXPECTED,
    ),
    Messy(
        "split_names.tsv",
        "roster",
        "split names, run-together headers, tabs",
        _split_names_tsv,
        1,
        _roster_map(
            member_id="MemberID", last_name="LName", first_name="FName", dob="BirthDt", sex="Sex"
        ),
        ROSTER_EXPECTED,
    ),
    Messy(
        "blank_trailing.xlsx",
        "roster",
        "formatted blank trailing rows and columns",
        _blank_trailing,
        1,
        STANDARD_MAP,
        ROSTER_EXPECTED,
    ),
    Messy(
        "hidden_decoy.xlsx",
        "roster",
        "a hidden sheet holding a decoy roster",
        _hidden_decoy,
        3,
        STANDARD_MAP,
        ROSTER_EXPECTED,
        sheet="Roster",
    ),
    Messy(
        "pcp_npi.xlsx",
        "roster",
        "provider NPI and member ID both headed 'ID' under merged group cells",
        _pcp_npi,
        2,
        _roster_map(
            member_id="Member ID", full_name="Member Name", dob="Member DOB", pcp="Provider ID"
        ),
        {"member_id": list(IDS), "dob": list(DOB), "last_name": list(LAST)},
    ),
    Messy(
        "unusual_remit.xlsx",
        "remittance",
        "Recipient ID, Aid Cat, Cap Period, Net Paid",
        _unusual_remit,
        1,
        {
            "member_id": "Recipient ID",
            "coverage_month": "Cap Period",
            "amount": "Net Paid",
            "reference": "Warrant #",
        },
        REMIT_EXPECTED,
    ),
    Messy(
        "unusual_roster.xlsx",
        "roster",
        "Enrollee #, Birth Dt, Gndr, LOB, Elig Begin, RAF",
        _unusual_roster,
        1,
        _roster_map(
            member_id="Enrollee #",
            last_name="Enrollee Last Name",
            first_name="Enrollee First Name",
            dob="Birth Dt",
            sex="Gndr",
            product="LOB",
            rate_cell="Aid Cat",
            effective_date="Elig Begin",
            term_date="Disenroll Date",
            risk_score="RAF",
            pcp="PCP NPI",
        ),
        {**ROSTER_EXPECTED, "effective_date": list(EFF), "pcp": list(NPI)},
    ),
    Messy(
        "two_date_columns.csv",
        "roster",
        "two columns headed 'Date': values decide",
        _two_date_columns,
        1,
        _roster_map(member_id="Member ID", full_name="Name", effective_date="Date", dob="Date (2)"),
        {**ROSTER_EXPECTED, "effective_date": list(EFF)},
    ),
    Messy(
        "utf16.txt",
        "roster",
        "UTF-16 tab-separated (Excel 'Unicode Text')",
        _utf16,
        1,
        _roster_map(
            member_id="Member ID", last_name="Last Name", first_name="First Name", dob="DOB"
        ),
        ROSTER_EXPECTED,
    ),
    Messy(
        "pipe.txt",
        "remittance",
        "pipe-separated, underscore headers, YYYYMM months",
        _pipe,
        1,
        {
            "member_id": "MBR_ID",
            "coverage_month": "CAP_MO",
            "amount": "PD_AMT",
            "line_type": "TRAN_TYPE",
        },
        REMIT_EXPECTED,
    ),
    Messy(
        "legacy.xls",
        "remittance",
        "an old .xls workbook with a title block",
        _xls,
        4,
        {"member_id": "Medicaid ID", "coverage_month": "Benefit Month", "amount": "Cap Amount"},
        REMIT_EXPECTED,
        sheet="Remittance",
    ),
    Messy(
        "repeated_headers.xlsx",
        "remittance",
        "the header repeated on every page",
        _repeated_headers,
        2,
        {"member_id": "Member ID", "coverage_month": "Coverage Month", "amount": "Paid Amount"},
        REMIT_EXPECTED,
    ),
    Messy(
        "rates.xlsx",
        "rates",
        "rate exhibit: title block, Age From/To, PMPM Rate",
        _rates,
        4,
        {
            "effective_from": "Rate Eff Date",
            "rate_cell": "Aid Category",
            "sex": "Gender",
            "age_min": "Age From",
            "age_max": "Age To",
            "amount": "PMPM Rate",
        },
        {
            "age_min": [0, 2, 21, 21],
            "age_max": [1, 20, None, None],
            "amount_cents": [21000, 9500, 18000, 15000],
            "sex": [None, None, "F", "M"],
        },
    ),
]
