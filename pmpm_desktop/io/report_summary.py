"""The Summary sheet: per payer and coverage month the members, expected, paid, variance and
each kind of discrepancy, with payer and grand totals, and a chart per payer of expected vs
paid by month with the variance. When a payer paid without members (SPEC §7: an 835's PLB),
the paid at payer level and both withholds stand beside the variance, and the payments are
listed under the table."""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from decimal import Decimal

import xlsxwriter
from xlsxwriter.format import Format
from xlsxwriter.worksheet import Worksheet

from pmpm_desktop.core import payer_level
from pmpm_desktop.core.money import ZERO
from pmpm_desktop.core.payer_level import total_payer_level
from pmpm_desktop.core.summary import (
    DISCREPANCY_KINDS,
    Kind,
    MonthSummary,
    PayerLevel,
    ReconcileSummary,
)
from pmpm_desktop.io.report_base import (
    Formats,
    Progress,
    kind_label,
    naive,
    print_setup,
    write_money,
)
from pmpm_desktop.io.report_data import PayerPaymentLine
from pmpm_desktop.io.report_payer_level import write_payer_payments

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
#: beside the variance when a payer paid without members: the matched and kind columns move
#: right by as many
PAYER_LEVEL_COLUMNS: tuple[str, ...] = (
    payer_level.PAID_TITLE,
    payer_level.WITHHOLD_PAYER_TITLE,
    payer_level.WITHHOLD_CONTRACT_TITLE,
)
_COL_PAYER_LEVEL = COL_VARIANCE_PCT + 1
_MATCHED_COL = len(_FIXED_COLUMNS) - 1
_FIRST_KIND_COL = len(_FIXED_COLUMNS)
_CHART_ROWS = 18  # rows a chart covers (300 px at the default row height)


def summary_columns(payer_level: bool = False) -> list[str]:
    """The header of the Summary sheet's table, in order (``payer_level``: with the columns
    of payments without members, which only a payer paid so brings)."""
    columns = list(_FIXED_COLUMNS)
    if payer_level:
        columns[_COL_PAYER_LEVEL:_COL_PAYER_LEVEL] = PAYER_LEVEL_COLUMNS
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
        #: the months with payer-level payments (summed by :attr:`payer_level`)
        self.levels: list[PayerLevel] = []

    @property
    def payer_level(self) -> PayerLevel | None:
        return total_payer_level(self.levels)

    def add_month(self, m: MonthSummary) -> None:
        if m.payer_level is not None:
            self.levels.append(m.payer_level)
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
        self.levels += other.levels
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
    ws: Worksheet,
    row: int,
    t: Totals,
    count_fmt: Format,
    money_fmt: Format,
    pct_fmt: Format,
    *,
    with_level: bool,
) -> None:
    """One line's figures; ``with_level``: the sheet has the payer-level columns (a line
    without payer-level payments leaves them blank)."""
    ws.write_number(row, 2, t.eligible, count_fmt)
    ws.write_number(row, 3, t.paid_members, count_fmt)
    write_money(ws, row, COL_EXPECTED, t.expected, money_fmt)
    write_money(ws, row, COL_PAID, t.paid, money_fmt)
    write_money(ws, row, COL_VARIANCE, t.variance, money_fmt)
    if t.expected:  # a share of nothing is left blank rather than shown as 0 %
        ws.write_number(row, COL_VARIANCE_PCT, float(t.variance / t.expected), pct_fmt)
    shift = len(PAYER_LEVEL_COLUMNS) if with_level else 0
    level = t.payer_level
    if with_level and level is not None:
        write_money(ws, row, _COL_PAYER_LEVEL, level.paid, money_fmt)
        write_money(ws, row, _COL_PAYER_LEVEL + 1, level.withhold_reported, money_fmt)
        write_money(ws, row, _COL_PAYER_LEVEL + 2, level.withhold_contract, money_fmt)
    elif with_level:  # a totals line keeps its top border across the blank cells
        for col in range(_COL_PAYER_LEVEL, _COL_PAYER_LEVEL + shift):
            ws.write_blank(row, col, None, money_fmt)
    ws.write_number(row, _MATCHED_COL + shift, t.counts.get(Kind.MATCHED, 0), count_fmt)
    col = _FIRST_KIND_COL + shift
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
    payer_payments: Sequence[PayerPaymentLine] = (),
) -> None:
    with_level = any(s.payer_level_paid is not None for s in summaries)
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
    row += 1
    if with_level:
        ws.write_string(row, 0, f"{payer_level.RULE} {payer_level.WITHHOLD_RULE}", fmt.subtitle)
        row += 1
    row += 1

    columns = summary_columns(with_level)
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
            _write_figures(ws, row, one, fmt.count, fmt.money, fmt.percent, with_level=with_level)
            totals.add(one)
            row += 1
            ticker.step()
        if summary.months:
            blocks.append((summary, start, row - 1))
        ws.write_string(row, 0, summary.payer_code, fmt.total_text)
        ws.write_string(row, 1, "Total", fmt.total_text)
        _write_figures(
            ws, row, totals, fmt.total_count, fmt.total_money, fmt.total_percent,
            with_level=with_level,
        )  # fmt: skip
        row += 1
        grand.add(totals)
    if len(summaries) > 1:
        ws.write_string(row, 0, "All payers", fmt.grand_text)
        ws.write_string(row, 1, "Total", fmt.grand_text)
        _write_figures(
            ws, row, grand, fmt.grand_count, fmt.grand_money, fmt.grand_percent,
            with_level=with_level,
        )  # fmt: skip
        row += 1
    table_end = row

    ws.set_column(0, 0, max([12, *(len(s.payer_code) + 2 for s in summaries)]))
    ws.set_column(1, 1, 9)
    ws.set_column(2, 3, 10)
    ws.set_column(4, 6, 14)
    ws.set_column(7, 7, 10)
    shift = len(PAYER_LEVEL_COLUMNS) if with_level else 0
    if with_level:
        ws.set_column(_COL_PAYER_LEVEL, _COL_PAYER_LEVEL + shift - 1, 13)
    ws.set_column(_MATCHED_COL + shift, _MATCHED_COL + shift, 10)
    first_kind = _FIRST_KIND_COL + shift
    for i in range(len(DISCREPANCY_KINDS)):
        ws.set_column(first_kind + 2 * i, first_kind + 2 * i, 10)
        ws.set_column(first_kind + 1 + 2 * i, first_kind + 1 + 2 * i, 13)
    ws.set_row(header_row, 30)
    ws.freeze_panes(header_row + 1, 2)
    ws.autofilter(header_row, 0, max(table_end - 1, header_row), len(columns) - 1)
    if payer_payments:
        row = write_payer_payments(ws, fmt, payer_payments, row + 2)
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
