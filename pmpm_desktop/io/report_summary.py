"""The Summary sheet: per payer and coverage month the members, expected, paid, variance and
each kind of discrepancy, with payer and grand totals, and a chart per payer of expected vs
paid by month with the variance."""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from decimal import Decimal

import xlsxwriter
from xlsxwriter.format import Format
from xlsxwriter.worksheet import Worksheet

from pmpm_desktop.core.money import ZERO
from pmpm_desktop.core.summary import DISCREPANCY_KINDS, MonthSummary, ReconcileSummary
from pmpm_desktop.io.report_base import (
    Formats,
    Progress,
    kind_label,
    naive,
    print_setup,
    write_money,
)

SUMMARY_SHEET = "Summary"

_FIXED_COLUMNS: tuple[str, ...] = (
    "Payer",
    "Month",
    "Eligible members",
    "Paid members",
    "Expected",
    "Paid",
    "Variance",
    "Variance %",
    "Matched (count)",
)
#: the 0-based column of each fixed figure
COL_EXPECTED, COL_PAID, COL_VARIANCE, COL_VARIANCE_PCT = 4, 5, 6, 7
_FIRST_KIND_COL = len(_FIXED_COLUMNS)
_CHART_ROWS = 18  # rows a chart covers (300 px at the default row height)


def summary_columns() -> list[str]:
    """The header of the Summary sheet's table, in order."""
    columns = list(_FIXED_COLUMNS)
    for kind in DISCREPANCY_KINDS:
        label = kind_label(kind)
        columns.append(f"{label} (count)")
        columns.append(f"{label} (amount)")
    return columns


class Totals:
    """Exact sums of month rows (ints and Decimals, never floats)."""

    def __init__(self) -> None:
        self.eligible = 0
        self.paid_members = 0
        self.expected = ZERO
        self.paid = ZERO
        self.variance = ZERO
        self.counts: dict[str, int] = {}
        self.amounts: dict[str, Decimal] = {}

    def add_month(self, m: MonthSummary) -> None:
        self.eligible += m.eligible_members
        self.paid_members += m.paid_members
        self.expected += m.expected
        self.paid += m.paid
        self.variance += m.variance
        for kind, n in m.counts.items():
            self.counts[kind] = self.counts.get(kind, 0) + n
        for kind, amount in m.amounts.items():
            self.amounts[kind] = self.amounts.get(kind, ZERO) + amount

    def add(self, other: Totals) -> None:
        self.eligible += other.eligible
        self.paid_members += other.paid_members
        self.expected += other.expected
        self.paid += other.paid
        self.variance += other.variance
        for kind, n in other.counts.items():
            self.counts[kind] = self.counts.get(kind, 0) + n
        for kind, amount in other.amounts.items():
            self.amounts[kind] = self.amounts.get(kind, ZERO) + amount


def period_text(summaries: Sequence[ReconcileSummary]) -> str:
    if not summaries:
        return ""
    first = min(s.first for s in summaries)
    last = max(s.last for s in summaries)
    return f"{first} \u2013 {last}"


def payers_text(summaries: Sequence[ReconcileSummary]) -> str:
    return ", ".join(
        s.payer_code
        if not s.payer_name or s.payer_name == s.payer_code
        else f"{s.payer_code} ({s.payer_name})"
        for s in summaries
    )


def _write_figures(
    ws: Worksheet, row: int, t: Totals, count_fmt: Format, money_fmt: Format, pct_fmt: Format
) -> None:
    ws.write_number(row, 2, t.eligible, count_fmt)
    ws.write_number(row, 3, t.paid_members, count_fmt)
    write_money(ws, row, COL_EXPECTED, t.expected, money_fmt)
    write_money(ws, row, COL_PAID, t.paid, money_fmt)
    write_money(ws, row, COL_VARIANCE, t.variance, money_fmt)
    if t.expected:  # a share of nothing is left blank rather than shown as 0 %
        ws.write_number(row, COL_VARIANCE_PCT, float(t.variance / t.expected), pct_fmt)
    ws.write_number(row, 8, t.counts.get("matched", 0), count_fmt)
    col = _FIRST_KIND_COL
    for kind in DISCREPANCY_KINDS:
        ws.write_number(row, col, t.counts.get(kind, 0), count_fmt)
        write_money(ws, row, col + 1, t.amounts.get(kind, ZERO), money_fmt)
        col += 2


def write_summary_sheet(
    workbook: xlsxwriter.Workbook,
    ws: Worksheet,
    fmt: Formats,
    summaries: Sequence[ReconcileSummary],
    *,
    generated_at: dt.datetime,
    practice_name: str | None,
    ticker: Progress,
) -> None:
    row = 0
    if practice_name:
        ws.write_string(row, 0, practice_name, fmt.title)
        row += 1
    ws.write_string(row, 0, "PMPM reconciliation", fmt.title)
    row += 1
    period = period_text(summaries)
    ws.write_string(row, 0, f"Period: {period}", fmt.subtitle)
    row += 1
    payers = payers_text(summaries)
    ws.write_string(row, 0, f"Payers: {payers}" if payers else "Payers: none", fmt.subtitle)
    row += 1
    ws.write_string(row, 0, f"Generated at {naive(generated_at):%Y-%m-%d %H:%M}", fmt.subtitle)
    row += 1
    ws.write_string(
        row,
        0,
        "Variance = paid \u2212 expected: below zero the payer owes the practice. "
        "Amounts of a kind are the sum of its variances.",
        fmt.subtitle,
    )
    row += 2

    columns = summary_columns()
    header_row = row
    for col, name in enumerate(columns):
        ws.write_string(row, col, name, fmt.header)
    row += 1

    grand = Totals()
    blocks: list[tuple[ReconcileSummary, int, int]] = []  # payer, first and last month row
    for summary in summaries:
        totals = Totals()
        start = row
        for m in summary.months:
            ws.write_string(row, 0, summary.payer_code, fmt.text)
            ws.write_string(row, 1, str(m.month), fmt.text)
            one = Totals()
            one.add_month(m)
            _write_figures(ws, row, one, fmt.count, fmt.money, fmt.percent)
            totals.add(one)
            row += 1
            ticker.step()
        if summary.months:
            blocks.append((summary, start, row - 1))
        ws.write_string(row, 0, summary.payer_code, fmt.total_text)
        ws.write_string(row, 1, "Total", fmt.total_text)
        _write_figures(ws, row, totals, fmt.total_count, fmt.total_money, fmt.total_percent)
        row += 1
        grand.add(totals)
    if len(summaries) > 1:
        ws.write_string(row, 0, "All payers", fmt.grand_text)
        ws.write_string(row, 1, "Total", fmt.grand_text)
        _write_figures(ws, row, grand, fmt.grand_count, fmt.grand_money, fmt.grand_percent)
        row += 1

    ws.set_column(0, 0, max([12, *(len(s.payer_code) + 2 for s in summaries)]))
    ws.set_column(1, 1, 9)
    ws.set_column(2, 3, 10)
    ws.set_column(4, 6, 14)
    ws.set_column(7, 8, 10)
    for i in range(len(DISCREPANCY_KINDS)):
        ws.set_column(_FIRST_KIND_COL + 2 * i, _FIRST_KIND_COL + 2 * i, 10)
        ws.set_column(_FIRST_KIND_COL + 1 + 2 * i, _FIRST_KIND_COL + 1 + 2 * i, 13)
    ws.set_row(header_row, 30)
    ws.freeze_panes(header_row + 1, 2)
    ws.autofilter(header_row, 0, max(row - 1, header_row), len(columns) - 1)
    _charts(workbook, ws, fmt, blocks, row + 2)
    print_setup(ws, header_row, practice=practice_name, period=period, title="Summary")


def _charts(
    workbook: xlsxwriter.Workbook,
    ws: Worksheet,
    fmt: Formats,
    blocks: list[tuple[ReconcileSummary, int, int]],
    row: int,
) -> None:
    """Per payer: expected and paid as columns by month, the variance as a line."""
    if not blocks:
        return
    ws.write_string(row, 0, "Expected vs paid by month, and the variance", fmt.heading)
    row += 1
    name = ws.name
    for i, (summary, first, last) in enumerate(blocks):
        categories = [name, first, 1, last, 1]
        chart = workbook.add_chart({"type": "column"})
        chart.add_series(
            {
                "name": "Expected",
                "categories": categories,
                "values": [name, first, COL_EXPECTED, last, COL_EXPECTED],
                "fill": {"color": "#8EA9DB"},
            }
        )
        chart.add_series(
            {
                "name": "Paid",
                "categories": categories,
                "values": [name, first, COL_PAID, last, COL_PAID],
                "fill": {"color": "#2F5597"},
            }
        )
        variance = workbook.add_chart({"type": "line"})
        variance.add_series(
            {
                "name": "Variance (paid \u2212 expected)",
                "categories": categories,
                "values": [name, first, COL_VARIANCE, last, COL_VARIANCE],
                "y2_axis": True,
                "line": {"color": "#C00000", "width": 2.25},
                "marker": {"type": "circle", "size": 5, "fill": {"color": "#C00000"}},
            }
        )
        chart.combine(variance)
        title = summary.payer_name or summary.payer_code
        chart.set_title({"name": f"{summary.payer_code}: {title}", "name_font": {"size": 12}})
        chart.set_y_axis({"name": "Expected / paid", "num_format": "#,##0"})
        variance.set_y2_axis({"name": "Variance", "num_format": "#,##0"})
        chart.set_x_axis({"name": "Coverage month"})
        chart.set_legend({"position": "bottom"})
        chart.set_size({"width": 740, "height": 340})
        # two charts side by side, then the next row of charts below
        ws.insert_chart(row + (i // 2) * (_CHART_ROWS + 2), 0 if i % 2 == 0 else 9, chart)
