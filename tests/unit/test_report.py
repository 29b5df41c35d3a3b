"""The Excel report (pmpm_desktop.io.report): written with xlsxwriter, read back with openpyxl."""

from __future__ import annotations

import dataclasses
import datetime as dt
from decimal import Decimal
from pathlib import Path
from typing import Any

import openpyxl
import pytest
from openpyxl.worksheet.worksheet import Worksheet

from pmpm_desktop.core.money import CENT, ZERO
from pmpm_desktop.core.month import Month
from pmpm_desktop.core.summary import (
    DISCREPANCY_KINDS,
    KINDS,
    DiscrepancyRow,
    MonthSummary,
    ReconcileSummary,
)
from pmpm_desktop.io.report import (
    COVER_SHEET,
    DISCREPANCY_COLUMNS,
    DISCREPANCY_SHEET,
    KIND_LABELS,
    MONEY_FORMAT,
    PERCENT_FORMAT,
    STATUS_LABELS,
    SUMMARY_SHEET,
    summary_columns,
    write_report,
)
from pmpm_desktop.progress import Cancelled

GENERATED_AT = dt.datetime(2026, 7, 15, 9, 30)
D = Decimal


def money(value: Any) -> Decimal:
    """A cell's number as two-place money (Excel stores doubles)."""
    assert isinstance(value, int | float), value
    return Decimal(str(value)).quantize(CENT)


def month_summary(
    month: str, eligible: int, paid_members: int, expected: str, paid: str, seed: int
) -> MonthSummary:
    counts = {kind: (seed * (i + 3)) % 7 for i, kind in enumerate(KINDS)}
    amounts = {
        kind: (D(seed * (i + 1)) * D("-12.37") if kind != "overpaid" else D("45.10")) * counts[kind]
        for i, kind in enumerate(KINDS)
    }
    amounts["matched"] = ZERO
    return MonthSummary(
        month=Month.parse(month),
        eligible_members=eligible,
        paid_members=paid_members,
        expected=D(expected),
        paid=D(paid),
        variance=D(paid) - D(expected),
        counts=counts,
        amounts={k: v.quantize(CENT) for k, v in amounts.items()},
    )


def discrepancy(
    payer: str,
    member_id: str,
    month: str,
    kind: str,
    expected: str,
    paid: str,
    *,
    last: str | None = "Doe",
    first: str | None = "Jane",
    dob: dt.date | None = dt.date(1980, 2, 29),
    status: str = "open",
    created_at: dt.datetime = dt.datetime(2026, 7, 1, 8, 0),
    note: str | None = None,
) -> DiscrepancyRow:
    return DiscrepancyRow(
        payer_code=payer,
        member_id=member_id,
        last_name=last,
        first_name=first,
        dob=dob,
        month=Month.parse(month),
        kind=kind,
        expected=D(expected),
        paid=D(paid),
        variance=D(paid) - D(expected),
        status=status,
        created_at=created_at,
        last_note=note,
    )


def reconcile_summary(
    code: str, name: str, months: list[MonthSummary], rows: list[DiscrepancyRow]
) -> ReconcileSummary:
    counts = {k: sum(m.counts[k] for m in months) for k in KINDS}
    expected = sum((m.expected for m in months), ZERO)
    paid = sum((m.paid for m in months), ZERO)
    return ReconcileSummary(
        payer_code=code,
        payer_name=name,
        first=months[0].month,
        last=months[-1].month,
        months=months,
        counts=counts,
        expected=expected,
        paid=paid,
        variance=paid - expected,
        discrepancies=rows,
    )


@pytest.fixture
def summaries() -> list[ReconcileSummary]:
    sun = reconcile_summary(
        "SUN",
        "Sunshine Health",
        [
            month_summary("2026-01", 310, 301, "30256.00", "29380.40", 1),
            month_summary("2026-02", 312, 305, "30451.20", "30453.20", 2),
            month_summary("2026-03", 309, 290, "30158.40", "28303.99", 3),
        ],
        [
            discrepancy("SUN", "000123", "2026-02", "missing", "97.60", "0.00"),
            discrepancy(
                "SUN",
                "A-77",
                "2026-01",
                "underpaid",
                "97.60",
                "48.80",
                last='=HYPERLINK("x")',
                first="@SUM(A1)",
                status="disputed",
                created_at=dt.datetime(2026, 5, 1, 23, 59),
                note="-2+3 called the payer",
            ),
            discrepancy(
                "SUN",
                "+15551234",
                "2026-03",
                "unknown_member",
                "0.00",
                "101.25",
                last=None,
                first=None,
                dob=None,
                status="written_off",
                note="=1+1",
            ),
        ],
    )
    acme = reconcile_summary(
        "ACME",
        "Acme Care",
        [
            month_summary("2026-02", 120, 118, "11712.00", "11809.60", 4),
            month_summary("2026-03", 121, 121, "11809.60", "11809.60", 5),
        ],
        [
            discrepancy("ACME", "0000042", "2026-02", "overpaid", "97.60", "195.20"),
            discrepancy("ACME", "9", "2026-03", "no_rate", "0.00", "0.00", status="resolved"),
        ],
    )
    return [sun, acme]


def write(tmp_path: Path, summaries: list[ReconcileSummary], **kwargs: Any) -> Path:
    out = tmp_path / "report.xlsx"
    write_report(out, summaries, generated_at=GENERATED_AT, **kwargs)
    return out


def find_header_row(ws: Worksheet) -> int:
    for row in ws.iter_rows(min_col=1, max_col=1):
        if row[0].value == "Payer":
            return int(row[0].row)
    raise AssertionError("no header row on Summary")


def test_sheets_and_title_rows(tmp_path: Path, summaries: list[ReconcileSummary]) -> None:
    out = write(tmp_path, summaries, practice_name="Main Street Clinic")
    wb = openpyxl.load_workbook(out)
    assert wb.sheetnames == [COVER_SHEET, SUMMARY_SHEET, DISCREPANCY_SHEET]
    ws = wb[SUMMARY_SHEET]
    titles = [ws.cell(r, 1).value for r in range(1, find_header_row(ws))]
    assert titles[0] == "Main Street Clinic"
    assert titles[1] == "PMPM reconciliation"
    assert "2026-01 \u2013 2026-03" in titles[2]
    assert any(isinstance(t, str) and "2026-07-15 09:30" in t for t in titles)
    assert list(tmp_path.iterdir()) == [out]  # no temporary file left behind


def test_without_practice_name_title_starts_with_report_name(
    tmp_path: Path, summaries: list[ReconcileSummary]
) -> None:
    ws = openpyxl.load_workbook(write(tmp_path, summaries))[SUMMARY_SHEET]
    assert ws["A1"].value == "PMPM reconciliation"


def test_summary_figures_and_totals(tmp_path: Path, summaries: list[ReconcileSummary]) -> None:
    ws = openpyxl.load_workbook(write(tmp_path, summaries))[SUMMARY_SHEET]
    header_row = find_header_row(ws)
    header = [c.value for c in ws[header_row]]
    assert header == summary_columns()
    assert header[:9] == [
        "Payer",
        "Month",
        "Eligible members",
        "Paid members",
        "Expected",
        "Paid",
        "Variance",
        "Variance %",
        "Matched (count)",
    ]
    for kind in DISCREPANCY_KINDS:
        assert f"{KIND_LABELS[kind]} (count)" in header
        assert f"{KIND_LABELS[kind]} (amount)" in header
    col = {name: i for i, name in enumerate(header)}

    rows = []  # the table: the rows up to the first blank one (the charts' title comes after)
    for r in ws.iter_rows(min_row=header_row + 1):
        if r[0].value is None:
            break
        rows.append([c.value for c in r])

    def figures(values: list[Any]) -> dict[str, Any]:
        got: dict[str, Any] = {
            "eligible": values[col["Eligible members"]],
            "paid_members": values[col["Paid members"]],
            "expected": money(values[col["Expected"]]),
            "paid": money(values[col["Paid"]]),
            "variance": money(values[col["Variance"]]),
            "variance %": values[col["Variance %"]],
            "matched": values[col["Matched (count)"]],
        }
        for kind in DISCREPANCY_KINDS:
            got[f"{kind} count"] = values[col[f"{KIND_LABELS[kind]} (count)"]]
            got[f"{kind} amount"] = money(values[col[f"{KIND_LABELS[kind]} (amount)"]])
        return got

    def expected_figures(ms: list[MonthSummary]) -> dict[str, Any]:
        want: dict[str, Any] = {
            "eligible": sum(m.eligible_members for m in ms),
            "paid_members": sum(m.paid_members for m in ms),
            "expected": sum((m.expected for m in ms), ZERO),
            "paid": sum((m.paid for m in ms), ZERO),
            "variance": sum((m.variance for m in ms), ZERO),
            "variance %": None,
            "matched": sum(m.counts["matched"] for m in ms),
        }
        expected = want["expected"]
        if expected:
            want["variance %"] = pytest.approx(float(want["variance"] / expected), abs=1e-9)
        for kind in DISCREPANCY_KINDS:
            want[f"{kind} count"] = sum(m.counts[kind] for m in ms)
            want[f"{kind} amount"] = sum((m.amounts[kind] for m in ms), ZERO)
        return want

    i = 0
    for s in summaries:
        for m in s.months:
            values = rows[i]
            assert values[0] == s.payer_code
            assert values[1] == str(m.month)  # month as text, not a date
            assert figures(values) == expected_figures([m])
            i += 1
        total = rows[i]
        assert total[0] == s.payer_code
        assert total[1] == "Total"
        assert figures(total) == expected_figures(s.months)
        # the totals agree with the summary's own totals too
        assert money(total[col["Expected"]]) == s.expected
        assert money(total[col["Paid"]]) == s.paid
        assert money(total[col["Variance"]]) == s.variance
        i += 1
    grand = rows[i]
    assert grand[0] == "All payers"
    assert figures(grand) == expected_figures([m for s in summaries for m in s.months])
    assert len(rows) == i + 1
    # values, not formulas: every figure cell is a number (variance % is blank without expected)
    for values in rows:
        figures_only = [v for i, v in enumerate(values[2:], 2) if i != col["Variance %"]]
        assert all(isinstance(v, int | float) for v in figures_only), values


def test_single_payer_has_no_grand_total(tmp_path: Path, summaries: list[ReconcileSummary]) -> None:
    ws = openpyxl.load_workbook(write(tmp_path, summaries[:1]))[SUMMARY_SHEET]
    first_col = [c.value for c in ws["A"]]
    assert "All payers" not in first_col
    last = first_col.index(None, find_header_row(ws)) - 1  # the table's last row (0-based)
    assert first_col[last] == "SUN"
    assert ws.cell(last + 1, 2).value == "Total"


def test_discrepancy_rows(tmp_path: Path, summaries: list[ReconcileSummary]) -> None:
    ws = openpyxl.load_workbook(write(tmp_path, summaries))[DISCREPANCY_SHEET]
    rows = list(ws.iter_rows(values_only=True))
    assert list(rows[0]) == list(DISCREPANCY_COLUMNS)
    data = rows[1:]
    wanted = [d for s in summaries for d in s.discrepancies]
    assert len(data) == len(wanted) == 5
    for got, d in zip(data, wanted, strict=True):
        (
            payer,
            member_id,
            last,
            first,
            dob,
            month,
            kind,
            expected,
            paid,
            variance,
            status,
            opened,
            age,
            note,
        ) = got
        assert payer == d.payer_code
        assert member_id == d.member_id
        assert last == d.last_name
        assert first == d.first_name
        if d.dob is None:
            assert dob is None
        else:
            assert isinstance(dob, dt.datetime)
            assert dob.date() == d.dob
        assert month == str(d.month)
        assert kind == KIND_LABELS[d.kind]
        assert money(expected) == d.expected
        assert money(paid) == d.paid
        assert money(variance) == d.variance
        assert status == STATUS_LABELS[d.status]
        assert isinstance(opened, dt.datetime)
        assert opened.date() == d.created_at.date()
        assert age == (GENERATED_AT.date() - d.created_at.date()).days
        assert note == d.last_note
    assert data[1][12] == 75  # 2026-05-01 23:59 -> 2026-07-15: 75 days


def test_ids_stay_text_and_injections_stay_strings(
    tmp_path: Path, summaries: list[ReconcileSummary]
) -> None:
    ws = openpyxl.load_workbook(write(tmp_path, summaries))[DISCREPANCY_SHEET]
    by_value = {
        c.value: c for row in ws.iter_rows(min_row=2) for c in row if isinstance(c.value, str)
    }
    for text in (
        "000123",
        "0000042",
        "9",
        "+15551234",
        '=HYPERLINK("x")',
        "@SUM(A1)",
        "-2+3 called the payer",
        "=1+1",
    ):
        assert text in by_value, text
        assert by_value[text].data_type == "s", text
    # nothing on either sheet is a formula
    wb = openpyxl.load_workbook(tmp_path / "report.xlsx")
    for sheet in wb.worksheets:
        for row in sheet.iter_rows():
            for cell in row:
                assert cell.data_type != "f", cell.coordinate


def test_sheet_setup(tmp_path: Path, summaries: list[ReconcileSummary]) -> None:
    wb = openpyxl.load_workbook(write(tmp_path, summaries))
    ws = wb[DISCREPANCY_SHEET]
    assert ws.freeze_panes == "A2"
    assert ws.auto_filter.ref == "A1:N6"
    assert ws.page_setup.orientation == "landscape"
    assert ws.page_setup.fitToWidth in (None, 1)  # absent means 1 (the OOXML default)
    assert ws.page_setup.fitToHeight == 0
    assert ws.sheet_properties.pageSetUpPr is not None
    assert ws.sheet_properties.pageSetUpPr.fitToPage
    assert ws.print_title_rows == "$1:$1"
    for col in "HIJ":
        assert ws[f"{col}2"].number_format == MONEY_FORMAT
    assert ws["E2"].number_format == "yyyy-mm-dd"
    assert ws["L2"].number_format == "yyyy-mm-dd"
    assert ws.column_dimensions["B"].width > 8
    assert ws.column_dimensions["N"].width >= len("-2+3 called the payer")

    summary = wb[SUMMARY_SHEET]
    header_row = find_header_row(summary)
    assert summary.page_setup.orientation == "landscape"
    assert summary.freeze_panes == f"C{header_row + 1}"
    assert summary.cell(header_row + 1, 5).number_format == MONEY_FORMAT
    assert summary.cell(header_row + 1, 9).number_format != MONEY_FORMAT  # a count
    assert summary.cell(header_row + 1, 8).number_format == PERCENT_FORMAT


def test_no_discrepancies_still_writes_headers(
    tmp_path: Path, summaries: list[ReconcileSummary]
) -> None:
    empty = [dataclasses.replace(s, discrepancies=[]) for s in summaries]
    ws = openpyxl.load_workbook(write(tmp_path, empty))[DISCREPANCY_SHEET]
    assert [c.value for c in ws[1]] == list(DISCREPANCY_COLUMNS)
    assert ws.max_row == 1
    assert ws.auto_filter.ref == "A1:N1"


def test_aware_timestamps_age_in_report_zone(tmp_path: Path) -> None:
    utc = dt.UTC
    est = dt.timezone(dt.timedelta(hours=-5))
    s = reconcile_summary(
        "SUN",
        "Sun",
        [month_summary("2026-01", 1, 1, "1.00", "1.00", 1)],
        # 03:00 UTC on Jul 2 is still Jul 1 in UTC-5
        [
            discrepancy(
                "SUN",
                "1",
                "2026-01",
                "missing",
                "1.00",
                "0.00",
                created_at=dt.datetime(2026, 7, 2, 3, 0, tzinfo=utc),
            )
        ],
    )
    out = tmp_path / "r.xlsx"
    write_report(out, [s], generated_at=dt.datetime(2026, 7, 15, 12, 0, tzinfo=est))
    ws = openpyxl.load_workbook(out)[DISCREPANCY_SHEET]
    assert ws["L2"].value == dt.datetime(2026, 7, 1)
    assert ws["M2"].value == 14


def test_progress_reports_and_reaches_total(
    tmp_path: Path, summaries: list[ReconcileSummary]
) -> None:
    calls: list[tuple[int, int]] = []

    def progress(done: int, total: int) -> bool:
        calls.append((done, total))
        return True

    write(tmp_path, summaries, progress=progress)
    total = sum(len(s.months) + len(s.discrepancies) for s in summaries)
    assert calls[0] == (0, total)
    assert calls[-1] == (total, total)


@pytest.mark.parametrize("stop_after", [0, 1, 2])
def test_cancel_raises_and_leaves_no_file(
    tmp_path: Path, summaries: list[ReconcileSummary], stop_after: int
) -> None:
    big = [dataclasses.replace(s, discrepancies=s.discrepancies * 3000) for s in summaries]
    calls = 0

    def progress(done: int, total: int) -> bool:
        nonlocal calls
        calls += 1
        return calls <= stop_after

    out = tmp_path / "report.xlsx"
    with pytest.raises(Cancelled):
        write_report(out, big, generated_at=GENERATED_AT, progress=progress)
    assert calls == stop_after + 1
    assert not out.exists()
    assert list(tmp_path.iterdir()) == []


def test_cancel_keeps_an_earlier_report(tmp_path: Path, summaries: list[ReconcileSummary]) -> None:
    out = tmp_path / "report.xlsx"
    out.write_bytes(b"earlier report")
    with pytest.raises(Cancelled):
        write_report(out, summaries, generated_at=GENERATED_AT, progress=lambda d, t: False)
    assert out.read_bytes() == b"earlier report"
    assert list(tmp_path.iterdir()) == [out]


def test_overwrites_an_existing_file(tmp_path: Path, summaries: list[ReconcileSummary]) -> None:
    out = tmp_path / "report.xlsx"
    out.write_bytes(b"old")
    write(tmp_path, summaries)
    assert openpyxl.load_workbook(out).sheetnames == [
        COVER_SHEET,
        SUMMARY_SHEET,
        DISCREPANCY_SHEET,
    ]


@pytest.mark.parametrize(
    "day",
    [dt.date(1900, 1, 1), dt.date(1900, 2, 28), dt.date(1900, 3, 1), dt.date(1947, 6, 30),
     dt.date(2026, 12, 31)],
)  # fmt: skip
def test_excel_date_matches_xlsxwriter(day: dt.date) -> None:
    from openpyxl.utils.datetime import to_excel

    from pmpm_desktop.io.report import _excel_date

    assert _excel_date(day) == to_excel(day)
