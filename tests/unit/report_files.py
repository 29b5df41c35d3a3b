"""A second corpus of payer files: rosters and statements as plan portals and report writers
(Crystal Reports, SSRS, Cognos, Excel exports) lay them out, one trap each, written as real
bytes (.xlsx through openpyxl with merged cells, fonts, number formats and column widths; .xls
through xlwt; CSV/TXT as encoded text).

Each :class:`Report` knows how to write its file, the payer set-up it needs, the explicit
command-line options a user would give to read it right, and the values the import must store.
Conventions the explicit options follow: ``--header-row`` names the last header row of a header
spread over several rows, whose column names join the group cell and the cells below with a
space (``Member`` over ``ID`` → ``Member ID``; a cell merged down over the header rows keeps its
text once); a file with one section row (``PRODUCT: …``, ``PCP: …``) is read explicitly with
``--set product=…`` / ``--set pcp=…``; a file with several sections has no explicit equivalent.
"""

from __future__ import annotations

import csv
import datetime as dt
import io
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from decimal import Decimal
from pathlib import Path
from typing import TypeVar

import openpyxl
import xlwt
from openpyxl.styles import Alignment, Border, Font, PatternFill, Side
from openpyxl.utils import get_column_letter
from openpyxl.worksheet.worksheet import Worksheet

Row = Sequence[object]
D = dt.date

# --- payers -------------------------------------------------------------------------------


@dataclass(frozen=True)
class Contract:
    name: str
    products: tuple[str, ...]


@dataclass(frozen=True)
class Payer:
    code: str
    name: str
    id_width: int | None
    contracts: tuple[Contract, ...]


#: One contract: section rows and sheet names name its product, nothing needs it.
SUN = Payer("SUN", "Sunrise Health Plan", 9, (Contract("Medicaid HMO", ("MCD",)),))
#: Two contracts: every roster row must say MCD or CHIP.
BAY = Payer(
    "BAY",
    "Bayview Community Health Plan",
    None,
    (Contract("Medicaid HMO", ("MCD",)), Contract("CHIP", ("CHIP",))),
)
PAYERS = (SUN, BAY)


# --- people -------------------------------------------------------------------------------


def npi(base: str) -> str:
    """A valid NPI from nine digits (Luhn over the ``80840`` prefix)."""
    total = 24  # the 80840 prefix's share of the Luhn sum
    for k, ch in enumerate(reversed(base)):
        d = int(ch)
        if k % 2 == 0:
            d *= 2
            d = d - 9 if d > 9 else d
        total += d
    return base + str((10 - total % 10) % 10)


NPIS = [npi("123456789"), npi("124531959"), npi("100300012"), npi("199275388")]
PCP_NAMES = ["NGUYEN, ANH", "OKAFOR, CHIDI MD", "GARCIA-LOPEZ, MARIA", "WEISS, DAVID DO"]

LASTS = [
    "MUÑOZ",
    "PEÑA",
    "NGUYEN",
    "O'BRIEN",
    "SMITH-JONES",
    "WASHINGTON",
    "GARCIA",
    "JOHNSON",
    "KOWALSKI",
    "DE LA CRUZ",
    "LEE",
    "PATEL",
    "WILLIAMS",
    "BROWN",
    "RIVERA",
    "THOMPSON",
    "OKAFOR",
    "MARTINEZ",
    "ANDERSON",
    "HERNANDEZ",
]
FIRSTS = [
    "ANA",
    "JOSÉ",
    "THI",
    "SEAN",
    "MARY ANN",
    "DESHAWN",
    "LUIS",
    "EMMA",
    "PIOTR",
    "ROSA",
    "MIN-JUN",
    "PRIYA",
    "JAMES",
    "OLIVIA",
    "CARLOS",
    "GRACE",
    "CHIDI",
    "SOFIA",
    "ETHAN",
    "MARIA",
]
MEDICAID_CELLS = ["TANF", "TANF", "ABD", "SSI", "TANF", "EXP"]
#: capitation PMPM in cents by rate cell
RATE = {"TANF": 16500, "ABD": 41235, "SSI": 38910, "EXP": 52040, "CHIP": 9875}
_L = "ABCDEFGHJKLMNPRSTUVWXYZ"


@dataclass(frozen=True)
class Person:
    member_id: str  # SUN's: nine digits, leading zeros
    cin: str  # BAY's: a CIN-like ID (AB12345C)
    last: str
    first: str
    dob: dt.date
    sex: str
    cell: str
    pcp: int  # index into NPIS / PCP_NAMES
    effective: dt.date

    @property
    def name(self) -> str:
        return f"{self.last}, {self.first}"


def _cin_of(i: int) -> str:
    digits = (i * 3_571 + 10_007) % 100_000
    return f"{_L[i % 23]}{_L[(i * 7 + 3) % 23]}{digits:05d}{_L[(i * 11) % 23]}"


def _person(i: int) -> Person:
    return Person(
        member_id=f"{(i * 48_271 + 123_456) % 10**9:09d}",
        cin=_cin_of(i),
        last=LASTS[i % 20],
        first=FIRSTS[(i * 3 + i // 20) % 20],
        # 60 and above are children: the CHIP members are taken from them
        dob=D(
            1945 + (i * 17) % 75 if i < 60 else 2008 + i % 13, 1 + (i * 5) % 12, 1 + (i * 13) % 28
        ),
        sex="F" if i % 3 else "M",
        cell=MEDICAID_CELLS[i % 6],
        pcp=i % 4,
        effective=D(2025, 1 + (i * 5) % 12, 1) if i % 7 else D(2026, 2, 1),
    )


PEOPLE = [_person(i) for i in range(90)]
assert len({p.member_id for p in PEOPLE}) == len({p.cin for p in PEOPLE}) == len(PEOPLE)


def people(start: int, count: int) -> list[Person]:
    return PEOPLE[start : start + count]


# --- value styles -------------------------------------------------------------------------

MONTH_NAMES = [
    "January",
    "February",
    "March",
    "April",
    "May",
    "June",
    "July",
    "August",
    "September",
    "October",
    "November",
    "December",
]


def us(day: dt.date) -> str:
    return f"{day.month:02d}/{day.day:02d}/{day.year}"


def eu(day: dt.date) -> str:
    return f"{day.day:02d}.{day.month:02d}.{day.year}"


def ym(month: str) -> tuple[int, int]:
    year, mon = month.split("-")
    return int(year), int(mon)


def month_us(month: str) -> str:  # 02/2026
    y, m = ym(month)
    return f"{m:02d}/{y}"


def month_dot(month: str) -> str:  # 02.2026
    y, m = ym(month)
    return f"{m:02d}.{y}"


def month_slash(month: str) -> str:  # 2026/02
    y, m = ym(month)
    return f"{y}/{m:02d}"


def month_abbr(month: str) -> str:  # Feb-2026
    y, m = ym(month)
    return f"{MONTH_NAMES[m - 1][:3]}-{y}"


def month_long(month: str) -> str:  # February 2026
    y, m = ym(month)
    return f"{MONTH_NAMES[m - 1]} {y}"


def first_day(month: str) -> dt.date:
    y, m = ym(month)
    return D(y, m, 1)


def last_day(month: str) -> dt.date:
    y, m = ym(month)
    return (D(y + m // 12, m % 12 + 1, 1)) - dt.timedelta(days=1)


def grouped(cents: int, thousands: str = ",", point: str = ".") -> str:
    whole, frac = divmod(abs(cents), 100)
    return f"{whole:,}".replace(",", thousands) + f"{point}{frac:02d}"


def cr_dr(cents: int) -> str:  # 1,234.56 CR / 165.00 DR
    return f"{grouped(cents)} {'CR' if cents >= 0 else 'DR'}"


def trailing_minus(cents: int) -> str:  # 165.00-
    return grouped(cents, thousands="") + ("-" if cents < 0 else "")


def decimal_comma(cents: int) -> str:  # 1.234,56 / -165,00
    return ("-" if cents < 0 else "") + grouped(cents, thousands=".", point=",")


def number(cents: int) -> float:
    """The float a spreadsheet cell holds for an amount (what Excel keeps)."""
    return cents / 100


CR_DR_FORMAT = '#,##0.00 "CR";#,##0.00 "DR"'


# --- writers ------------------------------------------------------------------------------


@dataclass(frozen=True)
class Fmt:
    """A cell value with its own number format."""

    value: object
    number_format: str


THIN = Side(style="thin", color="808080")
HEADER_FILL = PatternFill("solid", fgColor="D9E1F2")
SECTION_FILL = PatternFill("solid", fgColor="F2F2F2")


@dataclass
class Sheet:
    """One worksheet as a report writer lays it out: rows, merged cells and styles."""

    name: str
    width: int  # the columns the report spans: titles and section rows merge across them
    rows: list[list[object]] = field(default_factory=list)
    merges: list[str] = field(default_factory=list)
    bold: set[int] = field(default_factory=set)
    headers: set[int] = field(default_factory=set)
    titles: set[int] = field(default_factory=set)
    sections: set[int] = field(default_factory=set)
    heights: dict[int, float] = field(default_factory=dict)
    widths: Sequence[float] = ()
    date_format: str = "mm/dd/yyyy"

    def add(self, *values: object, bold: bool = False) -> int:
        self.rows.append(list(values))
        if bold:
            self.bold.add(len(self.rows))
        return len(self.rows)

    def blank(self) -> int:
        return self.add()

    def title(self, text: str, *, size_row: bool = False) -> int:
        r = self.add(text)
        self.titles.add(r)
        self.merges.append(f"A{r}:{get_column_letter(self.width)}{r}")
        if size_row:
            self.heights[r] = 24
        return r

    def header(self, *values: object) -> int:
        r = self.add(*values)
        self.headers.add(r)
        return r

    def section(self, text: str) -> int:
        """A row whose one cell, merged across the report, speaks for the rows below."""
        r = self.add(text)
        self.sections.add(r)
        self.merges.append(f"A{r}:{get_column_letter(self.width)}{r}")
        return r

    def merge(self, span: str) -> None:
        self.merges.append(span)

    @property
    def next_row(self) -> int:
        return len(self.rows) + 1


def _write_cell(ws: Worksheet, sheet: Sheet, r: int, c: int, raw: object) -> None:
    value, number_format = (raw.value, raw.number_format) if isinstance(raw, Fmt) else (raw, None)
    if value is None:
        return
    cell = ws.cell(r, c, value)
    if number_format is not None:
        cell.number_format = number_format
    elif isinstance(value, dt.date):
        cell.number_format = sheet.date_format
    elif isinstance(value, float):
        cell.number_format = "#,##0.00"
    if r in sheet.bold or r in sheet.sections:
        cell.font = Font(bold=True)
    if r in sheet.titles:
        cell.font = Font(bold=True, size=14 if r == 1 else 11)


def workbook(path: Path, sheets: Sequence[Sheet]) -> Path:
    wb = openpyxl.Workbook()
    first = wb.active
    assert first is not None
    wb.remove(first)
    for sheet in sheets:
        ws = wb.create_sheet(sheet.name)
        for r, row in enumerate(sheet.rows, start=1):
            for c, raw in enumerate(row, start=1):
                _write_cell(ws, sheet, r, c, raw)
        for r in sheet.headers:
            for c in range(1, sheet.width + 1):
                cell = ws.cell(r, c)
                cell.font = Font(bold=True)
                cell.fill = HEADER_FILL
                cell.border = Border(top=THIN, bottom=THIN, left=THIN, right=THIN)
                cell.alignment = Alignment(horizontal="center", vertical="center", wrap_text=True)
        for r in sheet.sections:
            ws.cell(r, 1).fill = SECTION_FILL
        for span in sheet.merges:
            ws.merge_cells(span)
        for c, width in enumerate(sheet.widths, start=1):
            ws.column_dimensions[get_column_letter(c)].width = width
        for r, height in sheet.heights.items():
            ws.row_dimensions[r].height = height
    wb.save(path)
    return path


def text_report(
    path: Path,
    rows: Sequence[Row],
    *,
    delimiter: str = ",",
    encoding: str = "utf-8",
    quote_all: bool = False,
    bom: bool = False,
) -> Path:
    buf = io.StringIO()
    writer = csv.writer(
        buf,
        delimiter=delimiter,
        lineterminator="\r\n",
        quoting=csv.QUOTE_ALL if quote_all else csv.QUOTE_MINIMAL,
    )
    for row in rows:
        writer.writerow(["" if v is None else v for v in row])
    data = buf.getvalue().encode(encoding)
    path.write_bytes((b"\xef\xbb\xbf" if bom else b"") + data)
    return path


def xls_report(
    path: Path, name: str, rows: Sequence[Row], *, bold: set[int], merges: Sequence[tuple[int, int]]
) -> Path:
    """An old .xls workbook; ``merges`` are (0-based row, last column) spans from column 0."""
    wb = xlwt.Workbook(encoding="utf-8")
    ws = wb.add_sheet(name)
    plain = xlwt.easyxf("")
    strong = xlwt.easyxf("font: bold on")
    date_style = xlwt.easyxf(num_format_str="MM/DD/YYYY")
    merged = {r: last for r, last in merges}
    for r, row in enumerate(rows):
        style = strong if r + 1 in bold else plain
        if r in merged:
            ws.write_merge(r, r, 0, merged[r], row[0], style)
            continue
        for c, value in enumerate(row):
            if isinstance(value, dt.date):
                ws.write(r, c, value, date_style)
            elif value is not None:
                ws.write(r, c, value, style)
    for c in range(12):
        ws.col(c).width = 256 * 14
    wb.save(str(path))
    return path


# --- cases --------------------------------------------------------------------------------


@dataclass(frozen=True)
class Report:
    name: str
    kind: str  # roster | remittance
    trap: str
    write: Callable[[Path], Path]
    payer: Payer
    #: what a user types to read it right; None: no explicit equivalent (several sections)
    options: tuple[str, ...] | None
    #: stored values, in file order: roster fields (member_id, last_name, first_name, dob, sex,
    #: product, rate_cell, pcp, effective_date, term_date, risk_score) or remittance fields
    #: (member_id, coverage_month ``YYYY-MM``, amount in cents, line_type)
    expected: dict[str, list[object]]
    month: str | None = None  # the roster month


def opts(
    *,
    sheet: str | None = None,
    header_row: int | None = None,
    maps: dict[str, str] | None = None,
    sets: dict[str, str] | None = None,
    decimal_comma: bool = False,
) -> tuple[str, ...]:
    out: list[str] = []
    if sheet is not None:
        out += ["--sheet", sheet]
    if header_row is not None:
        out += ["--header-row", str(header_row)]
    for name, column in (maps or {}).items():
        out += ["--map", f"{name}={column}"]
    for name, value in (sets or {}).items():
        out += ["--set", f"{name}={value}"]
    if decimal_comma:
        out += ["--decimal", "comma"]
    return tuple(out)


@dataclass(frozen=True)
class Line:
    """One paid line of a statement."""

    who: Person
    month: str  # YYYY-MM
    cents: int
    kind: str  # the line type as the payer writes it

    @property
    def member_id(self) -> str:
        return self.who.member_id


def statement_expected(
    lines: Sequence[Line], *, ids: Callable[[Person], str] | None = None, types: bool = True
) -> dict[str, list[object]]:
    pick = ids or (lambda p: p.member_id)
    out: dict[str, list[object]] = {
        "member_id": [pick(x.who) for x in lines],
        "coverage_month": [x.month for x in lines],
        "amount": [x.cents for x in lines],
    }
    if types:
        out["line_type"] = [x.kind for x in lines]
    return out


def roster_expected(
    members: Sequence[Person],
    *,
    ids: Callable[[Person], str] | None = None,
    **fields: Sequence[object],
) -> dict[str, list[object]]:
    pick = ids or (lambda p: p.member_id)
    return {
        "member_id": [pick(p) for p in members],
        "last_name": [p.last for p in members],
        "first_name": [p.first for p in members],
        "dob": [p.dob for p in members],
        **{name: list(values) for name, values in fields.items()},
    }


def cap_lines(members: Sequence[Person], month: str, kind: str = "CAP") -> list[Line]:
    return [Line(p, month, RATE[p.cell], kind) for p in members]


DEC = "2025-12"
JAN = "2026-01"
FEB = "2026-02"
MAR = "2026-03"
STATEMENT_MAP = {
    "member_id": "Member ID",
    "member_name": "Member Name",
    "coverage_month": "Coverage Month",
    "amount": "Paid Amount",
    "line_type": "Line Type",
}

# 1 --- the issue's statement: Summary tab, two-row header, CR/DR text, subtotals ------------

ISSUE_GROUPS = {
    "TANF": [p for p in people(0, 30) if p.cell == "TANF"][:6],
    "ABD": [p for p in people(0, 30) if p.cell == "ABD"][:3],
    "SSI": [p for p in people(0, 30) if p.cell == "SSI"][:3],
}


def _issue_lines() -> list[list[Line]]:
    groups = [cap_lines(ps, FEB) for ps in ISSUE_GROUPS.values()]
    tanf, abd = ISSUE_GROUPS["TANF"], ISSUE_GROUPS["ABD"]
    groups[0].insert(2, Line(tanf[1], JAN, -RATE["TANF"], "ADJ"))  # retro term, recouped
    groups[1].append(Line(abd[2], JAN, RATE["ABD"], "RETRO"))  # retro add, paid
    return groups


ISSUE_LINES = _issue_lines()


def _issue_statement(path: Path) -> Path:
    summary = Sheet("Summary", 5, widths=(18, 10, 14, 14, 16))
    summary.title("Sunrise Health Plan", size_row=True)
    summary.title("Capitation Statement Summary")
    summary.add("Payee:", "MAIN STREET FAMILY PRACTICE", None, "Payee ID:", "88812")
    summary.add("Payment Date:", D(2026, 2, 13), None, "EFT Trace #:", "0004471920")
    summary.blank()
    summary.header("Rate Cell", "Members", "Base", "Adj", "Net")
    for cell, lines in zip(ISSUE_GROUPS, ISSUE_LINES, strict=True):
        net = sum(x.cents for x in lines)
        base = sum(x.cents for x in lines if x.kind != "ADJ")
        summary.add(cell, len(ISSUE_GROUPS[cell]), number(base), number(net - base), cr_dr(net))
    total = sum(x.cents for g in ISSUE_LINES for x in g)
    summary.add("Total", sum(map(len, ISSUE_GROUPS.values())), None, None, cr_dr(total), bold=True)

    detail = Sheet("Detail", 10, widths=(13, 24, 11, 11, 11, 10, 11, 11, 14, 9))
    detail.title("Sunrise Health Plan", size_row=True)
    detail.title("Capitation Statement — Detail")
    detail.add("Payee: MAIN STREET FAMILY PRACTICE (88812)")
    detail.blank()
    top = detail.header(
        "Member", None, None, "Coverage", None, "Rate Cell", "Capitation", None, None, "Txn Type"
    )
    detail.header("ID", "Name", "DOB", "From", "Thru", None, "Base", "Adj", "Net", None)
    for span in ("A{0}:C{0}", "D{0}:E{0}", "G{0}:I{0}"):
        detail.merge(span.format(top))
    detail.merge(f"F{top}:F{top + 1}")
    detail.merge(f"J{top}:J{top + 1}")
    for cell, lines in zip(ISSUE_GROUPS, ISSUE_LINES, strict=True):
        for x in lines:
            base, adj = (x.cents, 0) if x.kind != "ADJ" else (0, x.cents)
            detail.add(
                x.member_id,
                x.who.name,
                x.who.dob,
                first_day(x.month),
                last_day(x.month),
                cell,
                number(base),
                number(adj),
                cr_dr(x.cents),
                x.kind,
            )
        net = sum(x.cents for x in lines)
        base = sum(x.cents for x in lines if x.kind != "ADJ")
        subtotal = [number(base), number(net - base), cr_dr(net)]
        detail.add(f"Subtotal {cell}", *[None] * 5, *subtotal, bold=True)
        detail.blank()
    detail.add("Grand Total", *[None] * 7, cr_dr(total), bold=True)
    return workbook(path, [summary, detail])


# 2 --- a two-row header after a Summary tab, product subtotals, CR/DR text -----------------

BAY_MCD = [p for p in people(30, 30) if p.cell != "EXP"][:7]
BAY_CHIP = people(60, 5)


def _bay_lines() -> tuple[list[Line], list[Line]]:
    mcd = cap_lines(BAY_MCD, FEB, "CAPITATION")
    chip = [Line(p, FEB, RATE["CHIP"], "CAPITATION") for p in BAY_CHIP]
    mcd.insert(4, Line(BAY_MCD[3], JAN, -RATE[BAY_MCD[3].cell], "RETRO TERM"))
    chip.append(Line(BAY_CHIP[1], JAN, RATE["CHIP"], "RETRO ADD"))
    return mcd, chip


BAY_MCD_LINES, BAY_CHIP_LINES = _bay_lines()


def _bay_remit(path: Path) -> Path:
    groups = {"MCD": BAY_MCD_LINES, "CHIP": BAY_CHIP_LINES}
    summary = Sheet("Summary", 3, widths=(22, 10, 16))
    summary.title("Bayview Community Health Plan")
    summary.title("Remittance Summary — Check Date 02/20/2026")
    summary.blank()
    summary.header("Product", "Members", "Payment")
    for product, lines in groups.items():
        summary.add(product, len({x.who for x in lines}), cr_dr(sum(x.cents for x in lines)))
    total = sum(x.cents for g in groups.values() for x in g)
    summary.add("Total Paid", None, cr_dr(total), bold=True)

    detail = Sheet("Remittance Detail", 6, widths=(14, 26, 12, 10, 16, 14))
    detail.title("Bayview Community Health Plan - Capitation Remittance Advice", size_row=True)
    detail.add("Provider: MAIN STREET FAMILY PRACTICE", None, None, None, "Check #:", "77120455")
    detail.blank()
    top = detail.header("Member", None, "Service", "Product", "Payment", None)
    detail.header("Number", "Name", "Month", None, "Amount", "Reason")
    detail.merge(f"A{top}:B{top}")
    detail.merge(f"E{top}:F{top}")
    detail.merge(f"D{top}:D{top + 1}")
    for product, lines in groups.items():
        for x in lines:
            detail.add(x.who.cin, x.who.name, month_us(x.month), product, cr_dr(x.cents), x.kind)
        net = sum(x.cents for x in lines)
        detail.add("Subtotal", None, None, product, cr_dr(net), None, bold=True)
        detail.blank()
    detail.add("Total Paid", None, None, None, cr_dr(total), None, bold=True)
    return workbook(path, [summary, detail])


# 3 --- a three-row header ----------------------------------------------------------------

THREE_ROW = people(0, 10)
THREE_ROW_TERM = {3: D(2026, 2, 28)}


def _three_row_header(path: Path) -> Path:
    s = Sheet("Eligibility", 9, widths=(13, 16, 12, 11, 6, 11, 11, 10, 9))
    s.title("Sunrise Health Plan — Member Eligibility Detail", size_row=True)
    s.add("Roster month: 02/2026")
    s.blank()
    r1 = s.header("Member", None, None, None, None, "Eligibility", None, None, "Product")
    s.header("ID", "Name", None, "DOB", "Sex", "Span", None, "Rate Cell", None)
    s.header(None, "Last", "First", None, None, "Begin", "End", None, None)
    r2, r3 = r1 + 1, r1 + 2
    for span in (
        f"A{r1}:E{r1}",
        f"F{r1}:H{r1}",
        f"I{r1}:I{r3}",
        f"A{r2}:A{r3}",
        f"B{r2}:C{r2}",
        f"D{r2}:D{r3}",
        f"E{r2}:E{r3}",
        f"F{r2}:G{r2}",
        f"H{r2}:H{r3}",
    ):
        s.merge(span)
    for i, p in enumerate(THREE_ROW):
        s.add(
            p.member_id,
            p.last,
            p.first,
            p.dob,
            p.sex,
            p.effective,
            THREE_ROW_TERM.get(i),
            p.cell,
            "MCD",
        )
    s.blank()
    s.add(f"Total Members: {len(THREE_ROW)}", bold=True)
    return workbook(path, [s])


# 4 --- one product section on the one-contract payer, "Total MCD Members: n" --------------

ONE_SECTION = people(10, 12)


def _one_product_section(path: Path) -> Path:
    s = Sheet("Roster", 7, widths=(13, 26, 11, 6, 10, 13, 11))
    s.title("Sunrise Health Plan", size_row=True)
    s.title("Membership Roster by Product — February 2026")
    s.blank()
    s.header("Member ID", "Member Name", "DOB", "Sex", "Rate Cell", "PCP NPI", "Eff Date")
    s.section("PRODUCT: MEDICAID HMO (MCD)")
    for p in ONE_SECTION:
        s.add(p.member_id, p.name, p.dob, p.sex, p.cell, NPIS[p.pcp], p.effective)
    s.add(f"Total MCD Members: {len(ONE_SECTION)}", bold=True)
    s.blank()
    s.add(f"Report Total: {len(ONE_SECTION)} members", bold=True)
    return workbook(path, [s])


# 5 --- two product sections on the two-contract payer ------------------------------------

TWO_MCD = people(20, 8)
TWO_CHIP = people(70, 5)


def _two_product_sections(path: Path) -> Path:
    s = Sheet("Membership", 8, widths=(12, 16, 14, 11, 8, 10, 13, 11))
    s.title("Bayview Community Health Plan", size_row=True)
    s.title("Membership Roster — Benefit Month 02/2026")
    s.add("Provider Group: MAIN STREET FAMILY PRACTICE")
    s.blank()
    s.header(
        "Member ID", "Last Name", "First Name", "DOB", "Gender", "Rate Cell", "PCP NPI", "Eff Date"
    )
    for label, code, members in (
        ("MEDICAID HMO", "MCD", TWO_MCD),
        ("CHIP", "CHIP", TWO_CHIP),
    ):
        s.section(f"PRODUCT: {label} ({code})")
        for p in members:
            cell = "CHIP" if code == "CHIP" else p.cell
            s.add(p.cin, p.last, p.first, p.dob, p.sex, cell, NPIS[p.pcp], p.effective)
        s.add(f"Total {code} Members: {len(members)}", bold=True)
        s.blank()
    s.add(f"Grand Total Members: {len(TWO_MCD) + len(TWO_CHIP)}", bold=True)
    return workbook(path, [s])


# 6 --- one PCP section (a PCP's panel roster) ---------------------------------------------

PANEL = people(30, 9)


def _one_pcp_section(path: Path) -> Path:
    s = Sheet("Panel", 7, widths=(13, 16, 14, 11, 6, 10, 11))
    s.title("Sunrise Health Plan — PCP Panel Roster", size_row=True)
    s.add("Roster Month: February 2026")
    s.blank()
    s.header("Member ID", "Last Name", "First Name", "DOB", "Sex", "Rate Cell", "Effective")
    s.section(f"PCP: {PCP_NAMES[0]}  NPI {NPIS[0]}")
    for p in PANEL:
        s.add(p.member_id, p.last, p.first, p.dob, p.sex, p.cell, p.effective)
    s.add(f"Total Panel Members: {len(PANEL)}", bold=True)
    return workbook(path, [s])


# 7 --- several PCP sections ---------------------------------------------------------------

PCP_GROUPS = [people(40, 4), people(44, 3), people(47, 4)]
PCP_TERM = {(1, 2): D(2026, 2, 28)}


def _pcp_sections(path: Path) -> Path:
    s = Sheet("Panel by PCP", 7, widths=(13, 26, 11, 7, 8, 11, 11))
    s.title("Sunrise Health Plan", size_row=True)
    s.title("Assigned Members by Primary Care Provider — 02/2026")
    s.blank()
    s.header("Member ID", "Member Name", "DOB", "Gender", "Aid Cat", "Eff Date", "Term Date")
    for g, members in enumerate(PCP_GROUPS):
        s.section(f"PCP: {PCP_NAMES[g]}  NPI {NPIS[g]}")
        for k, p in enumerate(members):
            s.add(p.member_id, p.name, p.dob, p.sex, p.cell, p.effective, PCP_TERM.get((g, k)))
        s.add(f"Total Members: {len(members)}", bold=True)
        s.blank()
    return workbook(path, [s])


# 8 --- the product only in the sheet name --------------------------------------------------

SHEET_PRODUCT = people(50, 8)


def _product_in_sheet_name(path: Path) -> Path:
    s = Sheet("MCD Members", 8, widths=(12, 16, 14, 11, 8, 10, 13, 14))
    s.header(
        "Member ID",
        "Last Name",
        "First Name",
        "DOB",
        "Gender",
        "Rate Cell",
        "PCP NPI",
        "Effective Date",
    )
    for p in SHEET_PRODUCT:
        s.add(p.cin, p.last, p.first, p.dob, p.sex, p.cell, NPIS[p.pcp], p.effective)
    return workbook(path, [s])


# 9 --- semicolon CSV, decimal commas, months 02.2026, a "Member" header, a "Summe" row -----

SEMICOLON = [
    *cap_lines(people(0, 4), FEB),
    Line(PEOPLE[4], FEB, 123_456, "CAP"),  # 1.234,56
    Line(PEOPLE[1], JAN, -16_500, "ADJ"),  # -165,00
    *cap_lines(people(5, 3), FEB),
]


def _semicolon_decimal_comma(path: Path) -> Path:
    rows: list[Row] = [
        ["Member", "Name", "Coverage Month", "Amount", "Type"],
        *[
            [x.member_id, x.who.name, month_dot(x.month), decimal_comma(x.cents), x.kind]
            for x in SEMICOLON
        ],
        ["Summe", None, None, decimal_comma(sum(x.cents for x in SEMICOLON)), None],
    ]
    return text_report(path, rows, delimiter=";", encoding="cp1252")


# 10 --- member blocks merged down, CR/DR number format ------------------------------------


def _block_lines() -> list[list[Line]]:
    blocks: list[list[Line]] = []
    for k, p in enumerate(people(12, 8)):
        block = [Line(p, FEB, RATE[p.cell], "CAPITATION")]
        if k % 3 == 1:
            block.append(Line(p, JAN, -RATE[p.cell], "RETRO TERM RECOUP"))
        if k % 4 == 2:
            block.append(Line(p, JAN, 2_500, "RATE ADJ"))
            block.append(Line(p, DEC, 16_500, "RETRO ADD"))
        blocks.append(block)
    return blocks


MERGED_BLOCKS = _block_lines()


def _merged_member_blocks(path: Path) -> Path:
    s = Sheet("Member Detail", 5, widths=(13, 26, 12, 22, 14), date_format="mm/yyyy")
    s.title("Sunrise Health Plan — Member Capitation Detail", size_row=True)
    s.add("Payment Date: 02/13/2026", None, None, "EFT #:", "0004471920")
    s.blank()
    s.header("Member ID", "Member Name", "Service Month", "Transaction", "Amount")
    for block in MERGED_BLOCKS:
        start = s.next_row
        for k, x in enumerate(block):
            s.add(
                x.member_id if k == 0 else None,
                x.who.name if k == 0 else None,
                first_day(x.month),
                x.kind,
                Fmt(number(x.cents), CR_DR_FORMAT),
            )
        if len(block) > 1:
            end = start + len(block) - 1
            s.merge(f"A{start}:A{end}")
            s.merge(f"B{start}:B{end}")
    total = sum(x.cents for b in MERGED_BLOCKS for x in b)
    s.add("Total", None, None, None, Fmt(number(total), CR_DR_FORMAT), bold=True)
    return workbook(path, [s])


# 11 --- member blocks left blank on continuation rows (Crystal Reports CSV) ----------------


def _blank_block_lines() -> list[list[Line]]:
    blocks: list[list[Line]] = []
    for k, p in enumerate(people(60, 7)):
        cents = RATE["CHIP"] if k % 2 else RATE[p.cell]
        block = [Line(p, FEB, cents, "Monthly Capitation")]
        if k % 2 == 0:
            block.append(Line(p, JAN, cents, "Retro Capitation"))
        if k == 3:
            block.append(Line(p, JAN, -cents, "Retro Termination"))
        blocks.append(block)
    return blocks


BLANK_BLOCKS = _blank_block_lines()


def _blank_member_blocks(path: Path) -> Path:
    rows: list[Row] = [
        ["Bayview Community Health Plan"],
        ["Capitation Detail by Member"],
        [],
        ["Member ID", "Member Name", "Product", "Cov Month", "Description", "Net Amount"],
    ]
    for k, block in enumerate(BLANK_BLOCKS):
        for j, x in enumerate(block):
            rows.append(
                [
                    x.who.cin if j == 0 else "",
                    x.who.name if j == 0 else "",
                    ("CHIP" if k % 2 else "MCD") if j == 0 else "",
                    month_us(x.month),
                    x.kind,
                    f"{x.cents / 100:.2f}",
                ]
            )
    total = sum(x.cents for b in BLANK_BLOCKS for x in b)
    rows.append(["", "", "", "", "Report Total", f"{total / 100:.2f}"])
    return text_report(path, rows, quote_all=True)


# 12 --- page headers every 25 rows --------------------------------------------------------

REGISTER = cap_lines(people(0, 62), FEB, "CAP")
PAGE_ROWS = 25


def _page_headers(path: Path) -> Path:
    s = Sheet("Capitation Register", 5, widths=(13, 26, 10, 11, 13))
    pages = -(-len(REGISTER) // PAGE_ROWS)
    for page in range(pages):
        s.add(
            "Sunrise Health Plan — Capitation Register",
            None,
            None,
            None,
            f"Page {page + 1} of {pages}",
            bold=True,
        )
        s.add("Payee: MAIN STREET FAMILY PRACTICE", None, None, "Run:", "02/13/2026")
        s.blank()
        s.header("Member ID", "Member Name", "Rate Cell", "Cap Month", "Paid Amount")
        for x in REGISTER[page * PAGE_ROWS : (page + 1) * PAGE_ROWS]:
            s.add(int(x.member_id), x.who.name, x.who.cell, month_us(x.month), number(x.cents))
        s.blank()
    s.add("Total Paid", None, None, None, number(sum(x.cents for x in REGISTER)), bold=True)
    return workbook(path, [s])


# 13 --- legend and *** END OF REPORT *** (.xls) --------------------------------------------

XLS_MEMBERS = [*people(22, 6), *people(75, 4)]
XLS_TERM = {4: D(2026, 2, 28)}


def _xls_product(i: int) -> str:
    return "CHIP" if i >= 6 else "MCD"


def _legend_end_of_report(path: Path) -> Path:
    rows: list[Row] = [
        ["BAYVIEW COMMUNITY HEALTH PLAN"],
        ["ELIGIBILITY CHANGE REPORT - BENEFIT MONTH 02/2026"],
        ["PROVIDER: MAIN STREET FAMILY PRACTICE"],
        [],
        [
            "Chg",
            "Member ID",
            "Last Name",
            "First Name",
            "DOB",
            "Sex",
            "Program",
            "Aid Code",
            "Eff Date",
            "Term Date",
        ],
    ]
    for i, p in enumerate(XLS_MEMBERS):
        chg = "T" if i in XLS_TERM else ("A" if p.effective == D(2026, 2, 1) else "")
        cell = "CHIP" if _xls_product(i) == "CHIP" else p.cell
        rows.append(
            [
                chg,
                p.cin,
                p.last,
                p.first,
                p.dob,
                p.sex,
                _xls_product(i),
                cell,
                p.effective,
                XLS_TERM.get(i),
            ]
        )
    legend = 5 + len(XLS_MEMBERS) + 1  # 0-based: a blank row after the members
    rows += [
        [],
        [
            "Legend: A = Added  T = Termed  C = Changed   Program: MCD = Medicaid HMO, "
            "CHIP = Children's Health Insurance Program"
        ],
        [],
        ["*** END OF REPORT ***"],
    ]
    return xls_report(
        path,
        "ELIG_CHG",
        rows,
        bold={5, len(rows)},
        merges=[(0, 9), (1, 9), (legend, 9), (len(rows) - 1, 9)],
    )


# 14 --- retro adjustments with their own service months -----------------------------------

RETRO = [
    *cap_lines(people(30, 5), MAR),
    Line(PEOPLE[35], JAN, RATE[PEOPLE[35].cell], "RETRO ADD"),
    Line(PEOPLE[35], FEB, RATE[PEOPLE[35].cell], "RETRO ADD"),
    Line(PEOPLE[35], MAR, RATE[PEOPLE[35].cell], "CAPITATION"),
    Line(PEOPLE[31], FEB, -RATE[PEOPLE[31].cell], "RETRO TERM"),
    Line(PEOPLE[32], JAN, 1_250, "RATE CHANGE ADJ"),
    Line(PEOPLE[32], FEB, 1_250, "RATE CHANGE ADJ"),
]


def _retro_months(path: Path) -> Path:
    s = Sheet("Remittance", 5, widths=(13, 26, 11, 20, 13))
    s.title("Sunrise Health Plan", size_row=True)
    s.title("Capitation Remittance — Payment Period March 2026")
    s.header("Member ID", "Member Name", "Svc Period", "Description", "Amount")
    for x in RETRO:
        s.add(x.member_id, x.who.name, month_slash(x.month), x.kind, number(x.cents))
    s.add("Total", None, None, None, number(sum(x.cents for x in RETRO)), bold=True)
    return workbook(path, [s])


# 15 --- term date 9999-12-31 (open-ended) ---------------------------------------------------

EXTRACT = people(0, 9)
EXTRACT_TERM = {2: D(2026, 2, 28), 6: D(2026, 3, 31)}
RISK = [Decimal("1.234"), Decimal("0.872"), Decimal("2.105")]


def _term_9999(path: Path) -> Path:
    rows: list[Row] = [
        [
            "MEMBER_ID",
            "LAST_NAME",
            "FIRST_NAME",
            "BIRTH_DATE",
            "GENDER",
            "PRODUCT",
            "RATE_CELL",
            "PCP_NPI",
            "EFF_DATE",
            "TERM_DATE",
            "RISK_SCORE",
        ],
    ]
    for i, p in enumerate(EXTRACT):
        term = EXTRACT_TERM.get(i, D(9999, 12, 31))
        rows.append(
            [
                p.member_id,
                p.last,
                p.first,
                p.dob.isoformat(),
                p.sex,
                "MCD",
                p.cell,
                NPIS[p.pcp],
                p.effective.isoformat(),
                term.isoformat(),
                str(RISK[i % 3]),
            ]
        )
    return text_report(path, rows)


# 16 --- 12/31/9999 as Excel's largest date and as text ------------------------------------

EXCEL_MAX = people(40, 8)
EXCEL_MAX_TERM = {5: D(2026, 2, 15)}


def _term_excel_max(path: Path) -> Path:
    s = Sheet("Roster", 7, widths=(13, 26, 11, 8, 10, 11, 11))
    s.title("Sunrise Health Plan Roster — 02/2026")
    s.blank()
    s.header("Member ID", "Member Name", "DOB", "Gender", "Rate Cell", "Eff Date", "Term Date")
    for i, p in enumerate(EXCEL_MAX):
        term: object
        if i in EXCEL_MAX_TERM:
            term = EXCEL_MAX_TERM[i]
        elif i % 2:
            term = "12/31/9999"
        else:
            term = dt.datetime(9999, 12, 31)  # serial 2958465, Excel's largest date
        s.add(p.member_id, p.name, p.dob, p.sex, p.cell, p.effective, term)
    return workbook(path, [s])


# 17 --- trailing minus amounts, months Feb-2026 (an AS/400 export) -------------------------

TRAILING = [
    *cap_lines(people(18, 5), FEB, "CAP"),
    Line(PEOPLE[19], JAN, -RATE[PEOPLE[19].cell], "RTRM"),
    Line(PEOPLE[21], FEB, -2_500, "RADJ"),
    *cap_lines(people(23, 3), FEB, "CAP"),
]


def _trailing_minus(path: Path) -> Path:
    rows: list[Row] = [
        ["SUNRISE HEALTH PLAN   CAPITATION REMITTANCE   PAYEE 88812"],
        ["MBR-NBR", "MBR-NAME", "COV-MO", "CAP-AMT", "RSN"],
        *[
            [x.member_id, x.who.name, month_abbr(x.month), trailing_minus(x.cents), x.kind]
            for x in TRAILING
        ],
        ["", "", "", trailing_minus(sum(x.cents for x in TRAILING)), "TOT"],
    ]
    return text_report(path, rows, delimiter="\t")


# 18 --- German headers ---------------------------------------------------------------------

GERMAN = [
    *cap_lines(people(1, 5), FEB, "Kapitation"),
    Line(PEOPLE[2], JAN, -RATE[PEOPLE[2].cell], "Rückforderung"),
    *cap_lines(people(6, 2), FEB, "Kapitation"),
]


def _german(path: Path) -> Path:
    s = Sheet("Abrechnung", 5, widths=(13, 26, 11, 12, 16), date_format="mm.yyyy")
    s.title("Kapitationsabrechnung Februar 2026", size_row=True)
    s.add("Leistungserbringer: MAIN STREET FAMILY PRACTICE")
    s.blank()
    s.header("Mitglied", "Name", "Zeitraum", "Betrag", "Buchungsart")
    for x in GERMAN:
        s.add(x.member_id, x.who.name, first_day(x.month), number(x.cents), x.kind)
    s.add("Summe", None, None, number(sum(x.cents for x in GERMAN)), None, bold=True)
    return workbook(path, [s])


# 19 --- Spanish headers --------------------------------------------------------------------

SPANISH = [
    *cap_lines(people(8, 4), FEB, "CAPITACION"),
    Line(PEOPLE[9], JAN, -RATE[PEOPLE[9].cell], "AJUSTE"),
    *cap_lines(people(12, 3), FEB, "CAPITACION"),
]


def _spanish(path: Path) -> Path:
    rows: list[Row] = [
        ["Plan de Salud del Sol - Estado de Capitación"],
        [],
        ["Afiliado", "Nombre del Afiliado", "Periodo", "Importe", "Concepto"],
        *[
            [x.member_id, x.who.name, month_us(x.month), f"{x.cents / 100:.2f}", x.kind]
            for x in SPANISH
        ],
        ["Total", None, None, f"{sum(x.cents for x in SPANISH) / 100:.2f}", None],
    ]
    return text_report(path, rows, bom=True)


# 20 --- a report-parameters block and a logo row above the header (Cognos) ----------------

PARAMS = people(25, 10)
PARAMS_TERM = {7: D(2026, 2, 28)}


def _report_parameters(path: Path) -> Path:
    s = Sheet("Member Roster", 9, widths=(13, 16, 14, 11, 8, 10, 13, 11, 11))
    s.add()  # the logo row: a picture floats here, the cells are empty
    s.heights[1] = 48
    s.add("Member Roster Report", bold=True)
    s.add("Run date: 03/02/2026  User: RPTSVC")
    s.add(
        "Criteria:",
        "Plan = SUNRISE HEALTH PLAN; Product = MCD; Roster Month = 02/2026; Provider Group = 88812",
    )
    s.add("Report ID: RPT0412")
    s.blank()
    s.header(
        "Member ID",
        "Last Name",
        "First Name",
        "Birth Date",
        "Gender",
        "Rate Cell",
        "PCP NPI",
        "Eff Date",
        "Term Date",
    )
    for i, p in enumerate(PARAMS):
        s.add(
            p.member_id,
            p.last,
            p.first,
            p.dob,
            p.sex,
            p.cell,
            NPIS[p.pcp],
            p.effective,
            PARAMS_TERM.get(i),
        )
    s.blank()
    s.add(
        "IBM Cognos Analytics — 03/02/2026 4:12:33 AM",
        None,
        None,
        None,
        None,
        None,
        None,
        None,
        "Page 1",
    )
    return workbook(path, [s])


# 21 --- "Enrollee" as the ID column --------------------------------------------------------

ENROLLEES = [*people(55, 6), *people(80, 4)]


def _enrollee_product(i: int) -> str:
    return "CHIP" if i >= 6 else "MCD"


def _enrollee(path: Path) -> Path:
    s = Sheet("Enrollees", 8, widths=(12, 26, 11, 8, 9, 12, 13, 11))
    s.header(
        "Enrollee",
        "Enrollee Name",
        "Birth Date",
        "Gender",
        "Program",
        "Aid Category",
        "PCP",
        "Start Date",
    )
    for i, p in enumerate(ENROLLEES):
        product = _enrollee_product(i)
        s.add(
            p.cin,
            p.name,
            p.dob,
            p.sex,
            product,
            "CHIP" if product == "CHIP" else p.cell,
            NPIS[p.pcp],
            p.effective,
        )
    return workbook(path, [s])


# 22 --- the month only in the title --------------------------------------------------------

TITLE_MONTH = cap_lines(people(3, 9), FEB)


def _month_in_title(path: Path) -> Path:
    s = Sheet("Statement", 4, widths=(13, 26, 10, 17))
    s.title("Sunrise Health Plan", size_row=True)
    s.title("Capitation for February 2026")
    s.add("Payee: Main Street Family Practice")
    s.blank()
    s.header("Member ID", "Member Name", "Rate Cell", "Capitation Amount")
    for x in TITLE_MONTH:
        s.add(x.member_id, x.who.name, x.who.cell, number(x.cents))
    s.add("Total", None, None, number(sum(x.cents for x in TITLE_MONTH)), bold=True)
    return workbook(path, [s])


# 23 --- dates 31.01.2026 ------------------------------------------------------------------

EU_DATES = people(33, 8)
EU_TERM = {1: D(2026, 3, 31), 5: D(2026, 2, 28)}


def _eu_dates(path: Path) -> Path:
    s = Sheet("Roster", 8, widths=(13, 16, 14, 11, 6, 10, 11, 11))
    s.title("Sunrise Health Plan — Roster 02/2026")
    s.header(
        "Member ID", "Last Name", "First Name", "DOB", "Sex", "Rate Cell", "Eff Date", "Term Date"
    )
    for i, p in enumerate(EU_DATES):
        term = EU_TERM.get(i)
        s.add(
            p.member_id,
            p.last,
            p.first,
            eu(p.dob),
            p.sex,
            p.cell,
            eu(p.effective),
            eu(term) if term else None,
        )
    return workbook(path, [s])


# 24 --- product sections in a statement, months "February 2026" ---------------------------

SECTIONED = {
    "MCD": [
        *cap_lines(BAY_MCD[:5], FEB, "Capitation"),
        Line(BAY_MCD[0], JAN, -RATE[BAY_MCD[0].cell], "Recoupment"),
    ],
    "CHIP": [Line(p, FEB, RATE["CHIP"], "Capitation") for p in BAY_CHIP[:4]],
}


def _statement_sections(path: Path) -> Path:
    s = Sheet("Payment Detail", 5, widths=(12, 26, 16, 14, 13))
    s.title("Bayview Community Health Plan", size_row=True)
    s.title("Capitation Payment Detail — Check Date 02/20/2026")
    s.blank()
    s.header("Member ID", "Member Name", "Coverage Month", "Payment Type", "Paid Amount")
    labels = {"MCD": "MEDICAID HMO", "CHIP": "CHIP"}
    for code, lines in SECTIONED.items():
        s.section(f"PRODUCT: {labels[code]} ({code})")
        for x in lines:
            s.add(x.who.cin, x.who.name, month_long(x.month), x.kind, number(x.cents))
        s.add(f"Total {code}", None, None, None, number(sum(x.cents for x in lines)), bold=True)
        s.blank()
    total = sum(x.cents for g in SECTIONED.values() for x in g)
    s.add("Grand Total", None, None, None, number(total), bold=True)
    return workbook(path, [s])


# --- the corpus ---------------------------------------------------------------------------


def _cin(p: Person) -> str:
    return p.cin


_T = TypeVar("_T")


def _flat(groups: Sequence[Sequence[_T]]) -> list[_T]:
    return [x for g in groups for x in g]


REPORTS: list[Report] = [
    Report(
        "SUN_CAP_STMT_202602.xlsx",
        "remittance",
        "the issue's statement: Summary tab, Member|Coverage|Capitation groups over a second "
        "header row, Rate Cell and Txn Type merged down, Subtotal rows, 165.00 CR/DR text",
        _issue_statement,
        SUN,
        opts(
            sheet="Detail",
            header_row=6,
            maps={
                "member_id": "Member ID",
                "member_name": "Member Name",
                "coverage_month": "Coverage From",
                "amount": "Capitation Net",
                "line_type": "Txn Type",
            },
        ),
        statement_expected(_flat(ISSUE_LINES)),
    ),
    Report(
        "BAY_REMIT_ADVICE_FEB2026.xlsx",
        "remittance",
        "a two-row header (Member|Service|Payment over Number, Name, Month, Amount, Reason) "
        "after a Summary tab, Subtotal rows per product, CR/DR text amounts",
        _bay_remit,
        BAY,
        opts(
            sheet="Remittance Detail",
            header_row=5,
            maps={
                "member_id": "Member Number",
                "member_name": "Member Name",
                "coverage_month": "Service Month",
                "amount": "Payment Amount",
                "line_type": "Payment Reason",
            },
        ),
        statement_expected([*BAY_MCD_LINES, *BAY_CHIP_LINES], ids=_cin),
    ),
    Report(
        "SUN_ELIG_DETAIL_FEB2026.xlsx",
        "roster",
        "a three-row header: Member|Eligibility over ID, Name, Span over Last, First, Begin, End",
        _three_row_header,
        SUN,
        opts(
            header_row=6,
            maps={
                "member_id": "Member ID",
                "last_name": "Member Name Last",
                "first_name": "Member Name First",
                "dob": "Member DOB",
                "sex": "Member Sex",
                "effective_date": "Eligibility Span Begin",
                "term_date": "Eligibility Span End",
                "rate_cell": "Eligibility Rate Cell",
                "product": "Product",
            },
        ),
        roster_expected(
            THREE_ROW,
            sex=[p.sex for p in THREE_ROW],
            rate_cell=[p.cell for p in THREE_ROW],
            product=["MCD"] * len(THREE_ROW),
            effective_date=[p.effective for p in THREE_ROW],
            term_date=[THREE_ROW_TERM.get(i) for i in range(len(THREE_ROW))],
        ),
        month=FEB,
    ),
    Report(
        "SUN_Roster_By_Product_202602.xlsx",
        "roster",
        "a PRODUCT: MEDICAID HMO (MCD) section row on a one-contract payer, then "
        "Total MCD Members: 12 and a report total",
        _one_product_section,
        SUN,
        opts(
            header_row=4,
            maps={
                "member_id": "Member ID",
                "full_name": "Member Name",
                "dob": "DOB",
                "sex": "Sex",
                "rate_cell": "Rate Cell",
                "pcp": "PCP NPI",
                "effective_date": "Eff Date",
            },
            sets={"product": "MCD"},
        ),
        roster_expected(
            ONE_SECTION,
            product=["MCD"] * len(ONE_SECTION),
            rate_cell=[p.cell for p in ONE_SECTION],
            pcp=[NPIS[p.pcp] for p in ONE_SECTION],
            effective_date=[p.effective for p in ONE_SECTION],
        ),
        month=FEB,
    ),
    Report(
        "BAY_Membership_Roster_202602.xlsx",
        "roster",
        "two product sections (MEDICAID HMO (MCD), CHIP (CHIP)) on the two-contract payer, "
        "Total MCD/CHIP Members: n after each",
        _two_product_sections,
        BAY,
        None,
        roster_expected(
            [*TWO_MCD, *TWO_CHIP],
            ids=_cin,
            product=["MCD"] * len(TWO_MCD) + ["CHIP"] * len(TWO_CHIP),
            rate_cell=[p.cell for p in TWO_MCD] + ["CHIP"] * len(TWO_CHIP),
            pcp=[NPIS[p.pcp] for p in [*TWO_MCD, *TWO_CHIP]],
        ),
        month=FEB,
    ),
    Report(
        "SUN_PCP_Panel_NGUYEN_202602.xlsx",
        "roster",
        "a PCP section row (PCP: NGUYEN, ANH  NPI 1234567893) over a panel roster",
        _one_pcp_section,
        SUN,
        opts(
            header_row=4,
            maps={
                "member_id": "Member ID",
                "last_name": "Last Name",
                "first_name": "First Name",
                "dob": "DOB",
                "sex": "Sex",
                "rate_cell": "Rate Cell",
                "effective_date": "Effective",
            },
            sets={"pcp": NPIS[0]},
        ),
        roster_expected(
            PANEL,
            pcp=[NPIS[0]] * len(PANEL),
            rate_cell=[p.cell for p in PANEL],
            effective_date=[p.effective for p in PANEL],
        ),
        month=FEB,
    ),
    Report(
        "SUN_Panel_By_PCP_Feb26.xlsx",
        "roster",
        "three PCP sections, each with its members and a Total Members: n row",
        _pcp_sections,
        SUN,
        None,
        roster_expected(
            _flat(PCP_GROUPS),
            pcp=[NPIS[g] for g, members in enumerate(PCP_GROUPS) for _ in members],
            rate_cell=[p.cell for p in _flat(PCP_GROUPS)],
            term_date=[
                PCP_TERM.get((g, k)) for g, ms in enumerate(PCP_GROUPS) for k in range(len(ms))
            ],
        ),
        month=FEB,
    ),
    Report(
        "BAY_Roster_Export_202602.xlsx",
        "roster",
        "the product only in the sheet name (MCD Members) on the two-contract payer",
        _product_in_sheet_name,
        BAY,
        opts(
            sheet="MCD Members",
            header_row=1,
            maps={
                "member_id": "Member ID",
                "last_name": "Last Name",
                "first_name": "First Name",
                "dob": "DOB",
                "sex": "Gender",
                "rate_cell": "Rate Cell",
                "pcp": "PCP NPI",
                "effective_date": "Effective Date",
            },
            sets={"product": "MCD"},
        ),
        roster_expected(
            SHEET_PRODUCT,
            ids=_cin,
            product=["MCD"] * len(SHEET_PRODUCT),
            rate_cell=[p.cell for p in SHEET_PRODUCT],
        ),
        month=FEB,
    ),
    Report(
        "SUN_Capitation_Export_2026-02.csv",
        "remittance",
        "semicolon CSV (cp1252), decimal commas 1.234,56 and -165,00, months 02.2026, "
        "a header of just Member holding the IDs, a Summe total row",
        _semicolon_decimal_comma,
        SUN,
        opts(
            header_row=1,
            maps={
                "member_id": "Member",
                "member_name": "Name",
                "coverage_month": "Coverage Month",
                "amount": "Amount",
                "line_type": "Type",
            },
            decimal_comma=True,
        ),
        statement_expected(SEMICOLON),
    ),
    Report(
        "SUN_Member_Capitation_Detail_Feb2026.xlsx",
        "remittance",
        "member blocks: ID and name merged down over capitation and adjustment lines, "
        'amounts as numbers shown with #,##0.00 "CR";#,##0.00 "DR"',
        _merged_member_blocks,
        SUN,
        opts(
            header_row=4,
            maps={
                "member_id": "Member ID",
                "member_name": "Member Name",
                "coverage_month": "Service Month",
                "amount": "Amount",
                "line_type": "Transaction",
            },
        ),
        statement_expected(_flat(MERGED_BLOCKS)),
    ),
    Report(
        "BAY_Cap_Detail_By_Member_202602.csv",
        "remittance",
        "member blocks left blank (not merged) on continuation rows, Crystal Reports CSV "
        "with every field quoted",
        _blank_member_blocks,
        BAY,
        opts(
            header_row=4,
            maps={
                "member_id": "Member ID",
                "member_name": "Member Name",
                "coverage_month": "Cov Month",
                "amount": "Net Amount",
                "line_type": "Description",
            },
        ),
        statement_expected(_flat(BLANK_BLOCKS), ids=_cin),
    ),
    Report(
        "SUN_CAP_REGISTER_202602.xlsx",
        "remittance",
        "Page n of m, the title and the column header repeated every 25 rows; IDs as numbers",
        _page_headers,
        SUN,
        opts(
            header_row=4,
            maps={
                "member_id": "Member ID",
                "member_name": "Member Name",
                "coverage_month": "Cap Month",
                "amount": "Paid Amount",
            },
        ),
        statement_expected(REGISTER, types=False),
    ),
    Report(
        "BAY_ELIG_CHG_RPT_FEB2026.xls",
        "roster",
        "an .xls change report with a Legend row and *** END OF REPORT ***",
        _legend_end_of_report,
        BAY,
        opts(
            header_row=5,
            maps={
                "member_id": "Member ID",
                "last_name": "Last Name",
                "first_name": "First Name",
                "dob": "DOB",
                "sex": "Sex",
                "product": "Program",
                "rate_cell": "Aid Code",
                "effective_date": "Eff Date",
                "term_date": "Term Date",
            },
        ),
        roster_expected(
            XLS_MEMBERS,
            ids=_cin,
            product=[_xls_product(i) for i in range(len(XLS_MEMBERS))],
            term_date=[XLS_TERM.get(i) for i in range(len(XLS_MEMBERS))],
            effective_date=[p.effective for p in XLS_MEMBERS],
        ),
        month=FEB,
    ),
    Report(
        "SUN_Capitation_Remittance_Mar2026.xlsx",
        "remittance",
        "retro adjustment rows carrying their own service months (2026/01, 2026/02) under a "
        "title naming March 2026",
        _retro_months,
        SUN,
        opts(
            header_row=3,
            maps={
                "member_id": "Member ID",
                "member_name": "Member Name",
                "coverage_month": "Svc Period",
                "amount": "Amount",
                "line_type": "Description",
            },
        ),
        statement_expected(RETRO),
    ),
    Report(
        "SUN_Eligibility_Extract_20260201.csv",
        "roster",
        "TERM_DATE 9999-12-31 for open-ended rows (stored as no term date)",
        _term_9999,
        SUN,
        opts(
            header_row=1,
            maps={
                "member_id": "MEMBER_ID",
                "last_name": "LAST_NAME",
                "first_name": "FIRST_NAME",
                "dob": "BIRTH_DATE",
                "sex": "GENDER",
                "product": "PRODUCT",
                "rate_cell": "RATE_CELL",
                "pcp": "PCP_NPI",
                "effective_date": "EFF_DATE",
                "term_date": "TERM_DATE",
                "risk_score": "RISK_SCORE",
            },
        ),
        roster_expected(
            EXTRACT,
            sex=[p.sex for p in EXTRACT],
            product=["MCD"] * len(EXTRACT),
            pcp=[NPIS[p.pcp] for p in EXTRACT],
            effective_date=[p.effective for p in EXTRACT],
            term_date=[EXTRACT_TERM.get(i) for i in range(len(EXTRACT))],
            risk_score=[RISK[i % 3] for i in range(len(EXTRACT))],
        ),
        month=FEB,
    ),
    Report(
        "SUN_Roster_Feb2026.xlsx",
        "roster",
        "Term Date 12/31/9999 as Excel's largest date cell and as text (open-ended)",
        _term_excel_max,
        SUN,
        opts(
            header_row=3,
            maps={
                "member_id": "Member ID",
                "full_name": "Member Name",
                "dob": "DOB",
                "sex": "Gender",
                "rate_cell": "Rate Cell",
                "effective_date": "Eff Date",
                "term_date": "Term Date",
            },
        ),
        roster_expected(
            EXCEL_MAX,
            effective_date=[p.effective for p in EXCEL_MAX],
            term_date=[EXCEL_MAX_TERM.get(i) for i in range(len(EXCEL_MAX))],
        ),
        month=FEB,
    ),
    Report(
        "SUN_CAPRMT_P202602.txt",
        "remittance",
        "trailing minus amounts (165.00-), months Feb-2026, tab-separated AS/400 export",
        _trailing_minus,
        SUN,
        opts(
            header_row=2,
            maps={
                "member_id": "MBR-NBR",
                "member_name": "MBR-NAME",
                "coverage_month": "COV-MO",
                "amount": "CAP-AMT",
                "line_type": "RSN",
            },
        ),
        statement_expected(TRAILING),
    ),
    Report(
        "Kapitationsabrechnung_2026-02.xlsx",
        "remittance",
        "German headers (Mitglied, Zeitraum, Betrag, Buchungsart), months as date cells "
        "shown mm.yyyy, a Summe row",
        _german,
        SUN,
        opts(
            header_row=4,
            maps={
                "member_id": "Mitglied",
                "member_name": "Name",
                "coverage_month": "Zeitraum",
                "amount": "Betrag",
                "line_type": "Buchungsart",
            },
        ),
        statement_expected(GERMAN),
    ),
    Report(
        "Estado_de_Capitacion_FEB2026.csv",
        "remittance",
        "Spanish headers (Afiliado, Periodo, Importe, Concepto) in a UTF-8 CSV with a BOM",
        _spanish,
        SUN,
        opts(
            header_row=3,
            maps={
                "member_id": "Afiliado",
                "member_name": "Nombre del Afiliado",
                "coverage_month": "Periodo",
                "amount": "Importe",
                "line_type": "Concepto",
            },
        ),
        statement_expected(SPANISH),
    ),
    Report(
        "SUN_MBR_ROSTER_RPT0412_20260302.xlsx",
        "roster",
        "a logo row and a report-parameters block (Run date, User, Criteria, Report ID) "
        "above the header, a Cognos footer",
        _report_parameters,
        SUN,
        opts(
            header_row=7,
            maps={
                "member_id": "Member ID",
                "last_name": "Last Name",
                "first_name": "First Name",
                "dob": "Birth Date",
                "sex": "Gender",
                "rate_cell": "Rate Cell",
                "pcp": "PCP NPI",
                "effective_date": "Eff Date",
                "term_date": "Term Date",
            },
        ),
        roster_expected(
            PARAMS,
            sex=[p.sex for p in PARAMS],
            pcp=[NPIS[p.pcp] for p in PARAMS],
            term_date=[PARAMS_TERM.get(i) for i in range(len(PARAMS))],
        ),
        month=FEB,
    ),
    Report(
        "BAY_Enrollee_List_2026-02.xlsx",
        "roster",
        "the ID column headed only Enrollee, beside Enrollee Name",
        _enrollee,
        BAY,
        opts(
            header_row=1,
            maps={
                "member_id": "Enrollee",
                "full_name": "Enrollee Name",
                "dob": "Birth Date",
                "sex": "Gender",
                "product": "Program",
                "rate_cell": "Aid Category",
                "pcp": "PCP",
                "effective_date": "Start Date",
            },
        ),
        roster_expected(
            ENROLLEES,
            ids=_cin,
            product=[_enrollee_product(i) for i in range(len(ENROLLEES))],
            pcp=[NPIS[p.pcp] for p in ENROLLEES],
        ),
        month=FEB,
    ),
    Report(
        "SUN Capitation Statement - February 2026.xlsx",
        "remittance",
        "no month column: the month only in the title (Capitation for February 2026)",
        _month_in_title,
        SUN,
        opts(
            header_row=5,
            maps={
                "member_id": "Member ID",
                "member_name": "Member Name",
                "amount": "Capitation Amount",
            },
            sets={"coverage_month": FEB},
        ),
        statement_expected(TITLE_MONTH, types=False),
    ),
    Report(
        "SUN_Roster_EU_Export_Feb2026.xlsx",
        "roster",
        "dates written 31.01.2026 (DOB, Eff Date, Term Date) as text",
        _eu_dates,
        SUN,
        opts(
            header_row=2,
            maps={
                "member_id": "Member ID",
                "last_name": "Last Name",
                "first_name": "First Name",
                "dob": "DOB",
                "sex": "Sex",
                "rate_cell": "Rate Cell",
                "effective_date": "Eff Date",
                "term_date": "Term Date",
            },
        ),
        roster_expected(
            EU_DATES,
            effective_date=[p.effective for p in EU_DATES],
            term_date=[EU_TERM.get(i) for i in range(len(EU_DATES))],
        ),
        month=FEB,
    ),
    Report(
        "BAY_Cap_Payment_Detail_Feb2026.xlsx",
        "remittance",
        "product section rows and Total MCD / Grand Total rows in a statement, months "
        "written February 2026",
        _statement_sections,
        BAY,
        opts(
            header_row=4,
            maps={
                "member_id": "Member ID",
                "member_name": "Member Name",
                "coverage_month": "Coverage Month",
                "amount": "Paid Amount",
                "line_type": "Payment Type",
            },
        ),
        statement_expected(_flat(list(SECTIONED.values())), ids=_cin),
    ),
]


# --- plain files (as the demo writes them) and rate exhibits, for the kind tests ------------

PLAIN_ROSTER = people(0, 8)
PLAIN_LINES = cap_lines(people(0, 8), FEB, "Capitation")


def plain_roster(path: Path) -> Path:
    """Title rows, then the demo's roster columns."""
    s = Sheet("Roster", 10)
    s.add("Sunrise Health Plan — eligibility roster")
    s.add("Roster month 2026-02")
    s.blank()
    s.header(
        "Member ID",
        "Member Name",
        "DOB",
        "Gender",
        "Product",
        "Rate Cell",
        "PCP",
        "Eff Date",
        "Term Date",
        "Risk Score",
    )
    for i, p in enumerate(PLAIN_ROSTER):
        s.add(
            p.member_id,
            p.name,
            p.dob,
            p.sex,
            "MCD",
            p.cell,
            NPIS[p.pcp],
            p.effective,
            None,
            float(RISK[i % 3]),
        )
    return workbook(path, [s])


def plain_statement(path: Path) -> Path:
    """Title rows, then the demo's statement columns."""
    s = Sheet("Statement", 5)
    s.add("Sunrise Health Plan capitation statement")
    s.add("Payment 2026-02")
    s.blank()
    s.header("Member ID", "Member Name", "Coverage Month", "Paid Amount", "Line Type")
    for x in PLAIN_LINES:
        s.add(x.member_id, x.who.name, x.month, number(x.cents), x.kind)
    return workbook(path, [s])


def plain_rates(path: Path) -> Path:
    """A contract's rate exhibit, one row per rate cell / sex / age band."""
    s = Sheet("Rates", 8)
    s.header(
        "Effective From",
        "Effective To",
        "Component",
        "Rate Cell",
        "Sex",
        "Age Min",
        "Age Max",
        "Amount",
    )
    s.add("2026-01", None, "Capitation", "TANF", None, 0, 20, 165.0)
    s.add("2026-01", None, "Capitation", "TANF", None, 21, None, 189.5)
    s.add("2026-01", None, "Capitation", "ABD", None, None, None, 412.35)
    s.add("2026-01", None, "Capitation", "SSI", None, None, None, 389.1)
    s.add("2026-01", None, "Capitation", "EXP", None, None, None, 520.4)
    return workbook(path, [s])


def exhibit_rates(path: Path) -> Path:
    """A rate exhibit as a contract attachment: title block, notes, PMPM rates by aid
    category, gender and age band."""
    s = Sheet("Exhibit B", 6, widths=(13, 14, 8, 9, 9, 12))
    s.title("Exhibit B — Capitation Rates", size_row=True)
    s.title("Medicaid HMO — Effective 01/01/2026 through 12/31/2026")
    s.blank()
    s.header("Rate Eff Date", "Aid Category", "Gender", "Age From", "Age To", "PMPM Rate")
    s.add("01/01/2026", "TANF", None, 0, 1, "$210.00")
    s.add("01/01/2026", "TANF", None, 2, 20, "$95.00")
    s.add("01/01/2026", "TANF", "F", 21, None, "$180.00")
    s.add("01/01/2026", "TANF", "M", 21, None, "$150.00")
    s.add("01/01/2026", "ABD", None, None, None, "$412.35")
    s.blank()
    s.add("Rates are per member per month and before the 2% withhold.")
    return workbook(path, [s])


# --- noisy reports for the property test --------------------------------------------------

#: rows a report writer puts between member rows; none of them is a member or a paid line
NOISE = ("section", "subtotal", "members_total", "page", "blank", "legend")

NOISY_ROSTER_HEADER = ("Member ID", "Member Name", "DOB", "Sex", "Rate Cell", "Eff Date")
NOISY_STATEMENT_HEADER = ("Member ID", "Member Name", "Coverage Month", "Paid Amount", "Line Type")


class _NoisyRows:
    """The rows of a noisy report as they are written: member rows and the noise between."""

    def __init__(self, s: Sheet, header: tuple[str, ...], statement: bool, pages: int) -> None:
        self.s, self.header, self.statement, self.pages = s, header, statement, pages
        self.page = 1
        self.since: list[Person | Line] = []  # the entries since the last subtotal

    def entry(self, entry: Person | Line) -> None:
        self.since.append(entry)
        if isinstance(entry, Line):
            self.s.add(
                entry.member_id, entry.who.name, month_us(entry.month), number(entry.cents),
                entry.kind,
            )  # fmt: skip
        else:
            p = entry
            self.s.add(p.member_id, p.name, p.dob, p.sex, p.cell, p.effective)

    def noise(self, kind: str, k: int) -> None:
        """A noise row of ``kind`` after ``k`` member rows."""
        s = self.s
        if kind == "section":
            s.section("PRODUCT: MEDICAID HMO (MCD)")
        elif kind == "subtotal":
            self._subtotal()
        elif kind == "members_total":
            s.add(f"Total MCD Members: {k}", bold=True)
        elif kind == "page":
            self.page += 1
            s.blank()
            s.add("Sunrise Health Plan", None, None, None, f"Page {self.page} of {self.pages}")
            s.header(*self.header)
        elif kind == "blank":
            s.blank()
        elif self.statement:
            s.add("Legend: CR = credit to provider, DR = debit (recoupment)")
        else:
            s.add(
                "Legend: TANF = Temporary Assistance for Needy Families; ABD = Aged, "
                "Blind or Disabled; SSI = Supplemental Security Income"
            )

    def _subtotal(self) -> None:
        if self.statement:
            cents = sum(x.cents for x in self.since if isinstance(x, Line))
            self.s.add("Subtotal", None, None, number(cents), None, bold=True)
        else:
            self.s.add("Subtotal", f"{len(self.since)} members", bold=True)
        self.since = []


def noisy_report(
    path: Path,
    entries: Sequence[Person | Line],
    noise: Sequence[tuple[int, str]],
    *,
    titles: int,
    footer: bool,
) -> Path:
    """A roster (``entries`` of people) or a statement (``entries`` of lines) with the
    ``noise`` rows (position in ``entries``, kind from :data:`NOISE`) among its member rows,
    ``titles`` title rows above the header and, with ``footer``, a grand total and
    ``*** END OF REPORT ***`` below."""
    statement = bool(entries) and isinstance(entries[0], Line)
    header = NOISY_STATEMENT_HEADER if statement else NOISY_ROSTER_HEADER
    s = Sheet("Report", len(header), widths=(13, 26, 15, 13, 12, 11))
    pages = 1 + sum(kind == "page" for _, kind in noise)
    title_texts = [
        "Sunrise Health Plan",
        "Capitation Statement — Detail" if statement else "Membership Roster — 02/2026",
        f"Page 1 of {pages}",
    ]
    for text in title_texts[:titles]:
        s.title(text)
    s.header(*header)
    by_place: dict[int, list[str]] = {}
    for at, kind in noise:
        by_place.setdefault(min(at, len(entries)), []).append(kind)
    rows = _NoisyRows(s, header, statement, pages)
    for k in range(len(entries) + 1):
        for kind in by_place.get(k, []):
            rows.noise(kind, k)
        if k < len(entries):
            rows.entry(entries[k])
    if footer:
        s.blank()
        if statement:
            total = sum(x.cents for x in entries if isinstance(x, Line))
            s.add("Grand Total", None, None, number(total), None, bold=True)
        else:
            s.add(f"Grand Total: {len(entries)} members", bold=True)
        s.add("*** END OF REPORT ***")
    return workbook(path, [s])
