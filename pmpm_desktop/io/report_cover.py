"""The Cover sheet: what the workbook covers and when it was made, the answers at a glance per
payer, and what each sheet holds (with a link to it)."""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from decimal import Decimal

from xlsxwriter.worksheet import Worksheet

from pmpm_desktop.core import payer_level
from pmpm_desktop.core.age import AGE_TITLE, BUCKETS
from pmpm_desktop.core.money import ZERO, dollars_text
from pmpm_desktop.core.summary import (
    CLOSED_STATUSES,
    RECOVERED_RULE,
    RECOVERED_TITLE,
    ReconcileSummary,
)
from pmpm_desktop.io.report_base import (
    PHI_NOTICE,
    Formats,
    add_table,
    column_widths,
    naive,
    print_setup,
)
from pmpm_desktop.io.report_data import ReportExtras

COVER_SHEET = "Cover"

GLANCE_COLUMNS = [
    "Payer",
    "Payer name",
    "Expected",
    "Paid",
    "Variance",
    "Variance %",
    "Open and disputed (count)",
    "Owed to the practice",
    f"Of which {BUCKETS[-1]} {AGE_TITLE.lower()}",
    "Owed to the payer",
    RECOVERED_TITLE,
    "Members first month",
    "Members last month",
    "Membership change",
]


def write_cover_sheet(
    ws: Worksheet,
    fmt: Formats,
    summaries: Sequence[ReconcileSummary],
    extras: ReportExtras,
    *,
    generated_at: dt.datetime,
    practice_name: str | None,
    period: str,
    contents: Sequence[tuple[str, str]],
) -> None:
    """``contents``: (sheet name, what it holds) of every sheet after this one."""
    row = 0
    ws.write_string(row, 0, practice_name or "PMPM reconciliation", fmt.title)
    row += 1
    ws.write_string(row, 0, "Capitation (PMPM) reconciliation report", fmt.heading)
    row += 2
    facts = _facts(summaries, extras, generated_at, period)
    for label, value in facts:
        ws.write_string(row, 0, label, fmt.label)
        _wide_text(ws, row, value, fmt)
        row += 1
    row += 1

    ws.write_string(row, 0, "At a glance", fmt.heading)
    row += 1
    recovered = {d.payer_code: d.recovered for d in extras.disputes or ()}
    oldest = extras.aging_buckets[-1] if extras.aging_buckets else None
    over_90 = {a.payer_code: -a.amounts.get(oldest, ZERO)
               for a in extras.aging_short or ()} if oldest else {}  # fmt: skip
    header_row = row
    formats = [None, None, fmt.money, fmt.money, fmt.money, fmt.percent, fmt.count, fmt.money,
               fmt.money, fmt.money, fmt.money, fmt.count, fmt.count, fmt.count]  # fmt: skip
    row = add_table(ws, row, GLANCE_COLUMNS, formats, len(summaries), "tbl_glance", fmt.header)
    for s in summaries:
        _glance_row(ws, row, s, fmt, over_90=over_90, recovered=recovered)
        row += 1
    if not summaries:
        row += 1
    row += 2

    ws.write_string(row, 0, "In this workbook", fmt.heading)
    row += 1
    for name, what in contents:
        ws.write_url(row, 0, f"internal:'{name}'!A1", fmt.link, string=name)
        _wide_text(ws, row, what, fmt)
        row += 1
    for note in extras.notes:
        row += 1
        ws.write_string(row, 0, "Note", fmt.label)
        ws.write_string(row, 1, note, fmt.flag)
    # the first column holds the facts' labels: as wide as the longest, so none runs into
    # its value (a bold label needs about a tenth more than its characters)
    labels = [label for label, _value in facts] + ["Note", "In this workbook"]
    widest = max(len(label) for label in labels) * 1.1 + 2
    column_widths(ws, [max(_WIDTHS[0], widest), *_WIDTHS[1:]])
    ws.set_row(header_row, 45)
    print_setup(ws, None, practice=practice_name, period=period, title="Cover", landscape=True)


def _facts(
    summaries: Sequence[ReconcileSummary],
    extras: ReportExtras,
    generated_at: dt.datetime,
    period: str,
) -> list[tuple[str, str]]:
    """The cover's (label, value) lines above "At a glance"."""
    payers = ", ".join(
        f"{s.payer_code} ({s.payer_name})" if s.payer_name and s.payer_name != s.payer_code
        else s.payer_code
        for s in summaries
    ) or "none"  # fmt: skip
    facts = [("Coverage months", period or "none")]
    spans = _spans_text(summaries)
    if spans:
        facts.append(("Months per payer", spans))
    facts += [("Payers", payers), ("Made on", f"{naive(generated_at):%Y-%m-%d %H:%M}")]
    if extras.as_of is not None:
        facts.append((f"{AGE_TITLE} counted to", f"{extras.as_of:%Y-%m-%d}"))
    facts.append(
        (
            "How it was made",
            "The months were reconciled when the report was made: every roster, rate exhibit "
            "and remittance loaded so far counts. Expected = what the contracts pay for the "
            "members the rosters list; variance = paid \u2212 expected.",
        )
    )
    # the Dashboard's "Recovered by disputes" tile says the same (one rule: services.disputes)
    facts.append((RECOVERED_TITLE, RECOVERED_RULE))
    paid = "; ".join(
        f"{s.payer_code} {dollars_text(s.payer_level_paid)}"
        for s in summaries
        if s.payer_level_paid is not None
    )
    if paid:
        facts.append((payer_level.PAID_TITLE, f"{paid}: {payer_level.RULE_BODY}"))
    facts.append(("Privacy", PHI_NOTICE))
    return facts


def _glance_row(
    ws: Worksheet,
    row: int,
    s: ReconcileSummary,
    fmt: Formats,
    *,
    over_90: dict[str, Decimal],
    recovered: dict[str, Decimal],
) -> None:
    """One payer's line of "At a glance"."""
    open_n, short, over = 0, ZERO, ZERO
    for d in s.discrepancies:
        if d.status not in CLOSED_STATUSES:
            open_n += 1
            if d.variance < 0:
                short -= d.variance
            else:
                over += d.variance
    ws.write_string(row, 0, s.payer_code, fmt.text)
    if s.payer_name:
        ws.write_string(row, 1, s.payer_name, fmt.text)
    _money(ws, row, 2, s.expected, fmt)
    _money(ws, row, 3, s.paid, fmt)
    _money(ws, row, 4, s.variance, fmt)
    if s.expected:
        ws.write_number(row, 5, float(s.variance / s.expected), fmt.percent)
    ws.write_number(row, 6, open_n, fmt.count)
    _money(ws, row, 7, short, fmt)
    if s.payer_code in over_90:
        _money(ws, row, 8, over_90[s.payer_code], fmt)
    _money(ws, row, 9, over, fmt)
    if s.payer_code in recovered:
        _money(ws, row, 10, recovered[s.payer_code], fmt)
    if s.months:
        first, last = s.months[0].eligible_members, s.months[-1].eligible_members
        ws.write_number(row, 11, first, fmt.count)
        ws.write_number(row, 12, last, fmt.count)
        ws.write_number(row, 13, last - first, fmt.count)


#: column widths; a long text spans columns B..I (_SPAN characters wide)
_WIDTHS = [18, 26, 13, 13, 12, 9, 11, 12, 12, 12, 12, 11, 11, 11]
_SPAN = sum(_WIDTHS[1:9])


def _spans_text(summaries: Sequence[ReconcileSummary]) -> str:
    """Each payer's months, payers of the same months together, when they are not all the
    same ("BAY, HCA 2026-01 – 2026-06 · SUN 2026-01 – 2026-07"); "" when they are."""
    groups: dict[str, list[str]] = {}
    for s in summaries:
        months = str(s.first) if s.first == s.last else f"{s.first} \u2013 {s.last}"
        groups.setdefault(months, []).append(s.payer_code)
    if len(groups) < 2:
        return ""
    return " · ".join(f"{', '.join(codes)} {months}" for months, codes in groups.items())


def _wide_text(ws: Worksheet, row: int, text: str, fmt: Formats) -> None:
    """Text across columns B..I, wrapped, the row as high as its lines."""
    if len(text) <= _SPAN:
        ws.write_string(row, 1, text, fmt.text)
        return
    ws.merge_range(row, 1, row, 8, "", fmt.wrap)
    ws.write_string(row, 1, text, fmt.wrap)
    lines = -(-len(text) // (_SPAN - 10))
    ws.set_row(row, 15 * lines)


def _money(ws: Worksheet, row: int, col: int, value: Decimal, fmt: Formats) -> None:
    ws.write_number(row, col, float(value), fmt.money)
