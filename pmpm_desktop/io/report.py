"""The Excel report of a reconciliation (SPEC §7, issue 5): the workbook a practice manager opens.

Sheets, in order: Cover (what it covers, when it was made, the answers at a glance), Summary
(per payer and month, with charts), Discrepancies (every one, filterable), and when the service
gathered them: Aging, Late recoupments, Membership, Roster changes, Member ledger. The sheets are
written by ``report_*.py`` modules, one each; this module puts them together.

Written with xlsxwriter in ``constant_memory`` mode: the big sheets stream their rows to disk in
order, so a report of 100k discrepancies needs little memory and the final ``close()`` only
zips. Money is ``Decimal`` everywhere and becomes a float only at the xlsxwriter call; every
text that may come from payer data is written as a string, never a formula. The file appears at
``path`` only when complete (temporary file, then rename).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from pathlib import Path

from pmpm_desktop.core.summary import ReconcileSummary
from pmpm_desktop.errors import PmpmError
from pmpm_desktop.io.report_aging import (
    AGING_SHEET,
    LATE_SHEET,
    write_aging_sheet,
    write_late_sheet,
)
from pmpm_desktop.io.report_base import (
    DATE_FORMAT,
    KIND_LABELS,
    MAX_DATA_ROWS,
    MONEY_FORMAT,
    PERCENT_FORMAT,
    STATUS_LABELS,
    Formats,
    InMemorySheet,
    atomic_workbook,
    excel_date,
    kind_label,
    row_counter,
)
from pmpm_desktop.io.report_cover import COVER_SHEET, write_cover_sheet
from pmpm_desktop.io.report_data import ReportExtras
from pmpm_desktop.io.report_discrepancies import (
    DISCREPANCY_COLUMNS,
    DISCREPANCY_SHEET,
    write_discrepancy_sheet,
)
from pmpm_desktop.io.report_ledger import LEDGER_SHEET, write_ledger_sheet
from pmpm_desktop.io.report_roster import (
    CHANGES_SHEET,
    MEMBERSHIP_SHEET,
    write_changes_sheet,
    write_membership_sheet,
)
from pmpm_desktop.io.report_summary import (
    SUMMARY_SHEET,
    period_text,
    summary_columns,
    write_summary_sheet,
)
from pmpm_desktop.progress import Progress as ProgressCallback

__all__ = [
    "AGING_SHEET",
    "CHANGES_SHEET",
    "COVER_SHEET",
    "DATE_FORMAT",
    "DISCREPANCY_COLUMNS",
    "DISCREPANCY_SHEET",
    "KIND_LABELS",
    "LATE_SHEET",
    "LEDGER_SHEET",
    "MEMBERSHIP_SHEET",
    "MONEY_FORMAT",
    "PERCENT_FORMAT",
    "STATUS_LABELS",
    "SUMMARY_SHEET",
    "ReportExtras",
    "kind_label",
    "summary_columns",
    "write_report",
]

#: what each sheet holds, for the Cover's table of contents
SHEET_TEXT: dict[str, str] = {
    SUMMARY_SHEET: "Per payer and coverage month: members eligible and paid, expected, paid, "
    "variance and variance %, and the count and amount of each kind of discrepancy; totals; "
    "charts of expected vs paid and the variance by month; payments made without members "
    "(835 PLB), when a payer made any. Are we paid what we are owed?",
    DISCREPANCY_SHEET: "Every member-month that differs: member, name, date of birth, month, kind, "
    "expected, paid, variance, status, days since due and the last note. Use the filter buttons.",
    AGING_SHEET: "Open and disputed amounts by payer and days since due (0\u201330, 31\u201360, "
    "61\u201390, 90+ days since the payment for the month was due), owed to the practice and "
    "owed to the payer apart, and what disputes recovered.",
    LATE_SHEET: "Recoupments taken later than the contract's retro window: disputable.",
    MEMBERSHIP_SHEET: "Members on each roster month, adds, terms and retro changes, with a "
    "chart: is membership growing?",
    CHANGES_SHEET: "Every roster change of the period: member, change, before and after.",
    LEDGER_SHEET: "Month by month for each member with a discrepancy: eligible, expected, paid, "
    "variance, kind and status.",
}

# kept for callers of the old single-module writer
_excel_date = excel_date


def _check_rows(name: str, n: int) -> None:
    if n > MAX_DATA_ROWS:
        raise PmpmError(
            f"{n:,} rows do not fit in one Excel sheet ({name}: at most {MAX_DATA_ROWS:,} "
            "rows); export fewer payers or months at a time"
        )


def write_report(
    path: Path,
    summaries: Sequence[ReconcileSummary],
    *,
    generated_at: dt.datetime,
    practice_name: str | None = None,
    extras: ReportExtras | None = None,
    progress: ProgressCallback | None = None,
) -> None:
    """Write the reconciliation report of ``summaries`` (and of ``extras``) to ``path``.

    Summaries, their months and their discrepancies are written in the order given.
    ``progress(done, total)`` is called now and then with a count of rows written; when it
    returns ``False`` the export stops, nothing is left at ``path`` and
    ``progress.Cancelled`` is raised. An existing file at ``path`` is replaced only when the
    new report is complete.
    """
    extras = extras or ReportExtras()
    n_discrepancies = sum(len(s.discrepancies) for s in summaries)
    n_changes = sum(len(d.changes) for d in extras.roster_diffs or ())
    n_ledger = len(extras.ledger or ())
    _check_rows(DISCREPANCY_SHEET, n_discrepancies)
    _check_rows(CHANGES_SHEET, n_changes)
    _check_rows(LEDGER_SHEET, n_ledger)
    total = sum(len(s.months) for s in summaries) + n_discrepancies + n_changes + n_ledger
    ticker = row_counter(progress, total)
    ticker.tick(0)
    period = period_text(summaries)
    practice = practice_name or None

    sheets = [SUMMARY_SHEET, DISCREPANCY_SHEET]
    if extras.aging_short is not None:
        sheets.append(AGING_SHEET)
    if extras.late_recoupments is not None:
        sheets.append(LATE_SHEET)
    if extras.roster_diffs is not None:
        sheets += [MEMBERSHIP_SHEET, CHANGES_SHEET]
    if extras.ledger is not None:
        sheets.append(LEDGER_SHEET)

    with atomic_workbook(
        path, title="PMPM reconciliation", company=practice, created=generated_at
    ) as workbook:
        fmt = Formats(workbook)
        cover = workbook.add_worksheet(COVER_SHEET, worksheet_class=InMemorySheet)
        write_cover_sheet(
            cover, fmt, summaries, extras, generated_at=generated_at, practice_name=practice,
            period=period, contents=[(name, SHEET_TEXT[name]) for name in sheets],
        )  # fmt: skip
        write_summary_sheet(
            workbook,
            workbook.add_worksheet(SUMMARY_SHEET, worksheet_class=InMemorySheet),
            fmt,
            summaries,
            generated_at=generated_at,
            practice_name=practice,
            ticker=ticker,
            payer_payments=extras.payer_payments,
        )
        write_discrepancy_sheet(
            workbook.add_worksheet(DISCREPANCY_SHEET),
            fmt,
            summaries,
            generated_at=generated_at,
            ticker=ticker,
            practice_name=practice,
            period=period,
        )
        if extras.aging_short is not None:
            write_aging_sheet(
                workbook.add_worksheet(AGING_SHEET, worksheet_class=InMemorySheet),
                fmt,
                buckets=extras.aging_buckets,
                short=extras.aging_short,
                over=extras.aging_over or (),
                disputes=extras.disputes or (),
                late_count=len(extras.late_recoupments or ()),
                as_of=extras.as_of or generated_at.date(),
                practice_name=practice,
                period=period,
            )
        if extras.late_recoupments is not None:
            write_late_sheet(
                workbook.add_worksheet(LATE_SHEET),
                fmt,
                extras.late_recoupments,
                practice_name=practice,
                period=period,
            )
        if extras.roster_diffs is not None:
            write_membership_sheet(
                workbook,
                workbook.add_worksheet(MEMBERSHIP_SHEET, worksheet_class=InMemorySheet),
                fmt,
                extras.roster_diffs,
                practice_name=practice,
                period=period,
            )
            write_changes_sheet(
                workbook.add_worksheet(CHANGES_SHEET),
                fmt,
                extras.roster_diffs,
                ticker=ticker,
                practice_name=practice,
                period=period,
            )
        if extras.ledger is not None:
            write_ledger_sheet(
                workbook.add_worksheet(LEDGER_SHEET),
                fmt,
                extras.ledger,
                left_out=extras.ledger_members_left_out,
                ticker=ticker,
                practice_name=practice,
                period=period,
            )
        cover.activate()
        ticker.tick(total, force=True)
