"""The Membership sheet (members on each roster month, what changed; a chart: is membership
growing?) and the Roster changes sheet (every change of every member, one row each)."""

from __future__ import annotations

from collections.abc import Sequence

import polars as pl
import xlsxwriter
from xlsxwriter.worksheet import Worksheet

from pmpm_desktop.io.report_base import (
    Formats,
    add_table,
    column_widths,
    print_setup,
    write_text,
)
from pmpm_desktop.io.report_data import RosterDiffLike
from pmpm_desktop.io.report_stream import StreamColumn, can_stream, stream_frame
from pmpm_desktop.progress import Counter

MEMBERSHIP_SHEET = "Membership"
CHANGES_SHEET = "Roster changes"

CHANGE_LABELS: dict[str, str] = {
    "add": "Added",
    "term": "Termed (left the roster)",
    "retro_add": "Retro add",
    "retro_term": "Retro term",
    "pcp_change": "PCP change",
    "rate_cell_change": "Rate cell change",
    "product_change": "Product change",
    "dob_correction": "DOB correction",
    "name_correction": "Name correction",
    "sex_correction": "Sex correction",
}
MEMBERSHIP_COLUMNS = [
    "Payer",
    "Roster month",
    "Compared with",
    "Members before",
    "Members now",
    "Net change",
    "Change %",
    "Added",
    "Termed",
    "Retro adds",
    "Retro terms",
    "Other changes",
]
CHANGE_COLUMNS = [
    "Payer",
    "Roster month",
    "Member ID",
    "Name",
    "Change",
    "Before",
    "After",
    "Coverage months decided",
]


_FIELDS = ("payer", "month", "member_id", "name", "change", "before", "after", "months")


def write_membership_sheet(
    workbook: xlsxwriter.Workbook,
    ws: Worksheet,
    fmt: Formats,
    diffs: Sequence[RosterDiffLike],
    *,
    practice_name: str | None,
    period: str,
) -> None:
    ws.write_string(0, 0, "Membership by roster month", fmt.title)
    ws.write_string(
        1,
        0,
        "Each roster compared with the payer's previous one. Retro adds and terms change "
        "months before the roster month; their details are on the 'Roster changes' sheet.",
        fmt.subtitle,
    )
    header_row = 3
    formats = [None, None, None, *[fmt.count] * 3, fmt.percent, *[fmt.count] * 5]
    row = add_table(
        ws, header_row, MEMBERSHIP_COLUMNS, formats, len(diffs), "tbl_membership", fmt.header
    )
    blocks: dict[str, tuple[int, int]] = {}
    for d in diffs:
        counts = dict.fromkeys(CHANGE_LABELS, 0)
        for c in d.changes:
            counts[c.kind] = counts.get(c.kind, 0) + 1
        write_text(ws, row, 0, d.payer_code, fmt.text)
        ws.write_string(row, 1, str(d.month), fmt.text)
        if d.previous_month is not None:
            ws.write_string(row, 2, str(d.previous_month), fmt.text)
            ws.write_number(row, 3, d.before, fmt.count)
            ws.write_number(row, 5, d.after - d.before, fmt.count)
            if d.before:
                ws.write_number(row, 6, (d.after - d.before) / d.before, fmt.percent)
        else:
            ws.write_string(row, 2, "first roster", fmt.text)
        ws.write_number(row, 4, d.after, fmt.count)
        ws.write_number(row, 7, counts["add"], fmt.count)
        ws.write_number(row, 8, counts["term"], fmt.count)
        ws.write_number(row, 9, counts["retro_add"], fmt.count)
        ws.write_number(row, 10, counts["retro_term"], fmt.count)
        other = sum(counts.values()) - sum(
            counts[k] for k in ("add", "term", "retro_add", "retro_term")
        )
        ws.write_number(row, 11, other, fmt.count)
        first, _last = blocks.get(d.payer_code, (row, row))
        blocks[d.payer_code] = (first, row)
        row += 1
    if not diffs:
        ws.write_string(row, 0, "No roster was loaded for these months.", fmt.note)
        row += 1
    column_widths(ws, [10, 10, 12, 11, 11, 10, 10, 9, 9, 9, 9, 10])
    ws.set_row(header_row, 30)
    ws.freeze_panes(header_row + 1, 0)
    if blocks:
        chart = workbook.add_chart({"type": "line"})
        for code, (first, last) in blocks.items():
            chart.add_series(
                {
                    "name": code,
                    "categories": [ws.name, first, 1, last, 1],
                    "values": [ws.name, first, 4, last, 4],
                    "marker": {"type": "circle", "size": 5},
                }
            )
        chart.set_title({"name": "Members on each roster", "name_font": {"size": 12}})
        chart.set_x_axis({"name": "Roster month"})
        chart.set_y_axis({"name": "Members", "num_format": "#,##0"})
        chart.set_legend({"position": "bottom"})
        chart.set_size({"width": 740, "height": 320})
        ws.insert_chart(row + 2, 0, chart)
    print_setup(ws, header_row, practice=practice_name, period=period, title="Membership")


def write_changes_sheet(
    ws: Worksheet,
    fmt: Formats,
    diffs: Sequence[RosterDiffLike],
    *,
    ticker: Counter,
    practice_name: str | None,
    period: str,
) -> None:
    """Streamed: one row per change, payer by payer and month by month."""
    for col, name in enumerate(CHANGE_COLUMNS):
        ws.write_string(0, col, name, fmt.header)
    records = [
        (d.payer_code, str(d.month), c.member_id, c.name, CHANGE_LABELS.get(c.kind, c.kind),
         c.before, c.after, ", ".join(str(m) for m in c.months) if c.months else None)
        for d in diffs
        for c in d.changes
    ]  # fmt: skip
    longest_name = max([10, *(len(r[3] or "") for r in records)])
    row = len(records)
    if can_stream(ws) and records:
        frame = pl.DataFrame(records, schema=dict.fromkeys(_FIELDS, pl.Utf8), orient="row")
        done = ticker.done
        columns = [StreamColumn(name, "text", fmt.text) for name in _FIELDS]
        stream_frame(ws, 1, frame, columns, tick=lambda n: ticker.tick(done + n))
        ticker.done = done + row
    else:
        for i, values in enumerate(records, start=1):
            for col, value in enumerate(values):
                write_text(ws, i, col, value, fmt.text)  # payer text: never a formula
            ticker.step()
    if row == 0:
        ws.write_string(1, 0, "No member changed on the rosters of these months.", fmt.note)
    column_widths(ws, [10, 10, 14, min(32, longest_name + 2), 22, 16, 16, 30])
    ws.set_row(0, 30)
    ws.freeze_panes(1, 0)
    ws.autofilter(0, 0, max(row, 1), len(CHANGE_COLUMNS) - 1)
    print_setup(ws, 0, practice=practice_name, period=period, title="Roster changes")
