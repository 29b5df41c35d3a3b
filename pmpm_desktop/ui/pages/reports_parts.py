"""What the Reports page shows besides its form: what the workbook holds, the month fields,
the default file name, the list of the session's exports and the sentence about one."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from pathlib import Path

from PySide6.QtCore import QDate
from PySide6.QtWidgets import QDateEdit

from pmpm_desktop.core.age import AGE_TITLE
from pmpm_desktop.core.month import Month
from pmpm_desktop.io.report_base import PHI_NOTICE
from pmpm_desktop.services.file_months import months_text, spans_text
from pmpm_desktop.services.reporting import ReportResult
from pmpm_desktop.ui.table_model import Column

DESCRIPTION = (
    "Export the reconciliation as an Excel workbook to keep or to show a manager. Its sheets:"
    "<ul>"
    "<li><b>Cover</b>: what the report covers, when it was made, and per payer the answers at "
    "a glance: owed to the practice, owed to the payer, paid, recovered, members.</li>"
    "<li><b>Summary</b>: for every payer and coverage month, the members eligible and paid, "
    "expected, paid, the difference and its %, and each kind of discrepancy; totals; charts "
    "of expected vs paid by month.</li>"
    "<li><b>Discrepancies</b>: one row per member-month that differs, with status, "
    f"{AGE_TITLE.lower()} and the last note, ready to filter.</li>"
    f"<li><b>Aging</b>: what is still open or disputed by {AGE_TITLE.lower()} (0–30, 31–60, "
    "61–90, 90+ days since the payment for the month was due), owed each way apart, and what "
    "disputes recovered; <b>Late recoupments</b>: recoupments older than the contract's retro "
    "window.</li>"
    "<li><b>Membership</b> and <b>Roster changes</b>: members on each roster, adds, terms and "
    "retro changes; <b>Member ledger</b>: month by month for each member with a "
    "discrepancy.</li></ul>"
    "Each payer is reported for the months it has files for. A <b>dispute packet</b> per "
    "payer lists only what that payer must act on, in its words, with a column for its answer: "
    "ready to email. Exporting reconciles the months first, so the figures include every file "
    "loaded so far."
)


@dataclass(frozen=True)
class ExportedReport:
    path: Path
    payers: str
    months: str
    at: dt.datetime


EXPORT_COLUMNS = [
    Column("File", lambda r: str(r.path)),
    Column("Payers", lambda r: r.payers),
    Column("Months", lambda r: r.months),
    Column("Exported", lambda r: r.at.strftime("%Y-%m-%d %H:%M")),
]


def qdate(month: Month) -> QDate:
    return QDate(month.year, month.month, 1)


def month_of(edit: QDateEdit) -> Month:
    d = edit.date()
    return Month(d.year(), d.month())


def month_edit(name: str) -> QDateEdit:
    edit = QDateEdit()
    edit.setObjectName(name)
    edit.setDisplayFormat("yyyy-MM")
    edit.setCalendarPopup(False)
    edit.setMinimumDate(QDate(2000, 1, 1))
    edit.setMaximumDate(QDate(2099, 12, 1))
    return edit


def default_file_name(payer: str | None, first: Month, last: Month) -> str:
    """ "PMPM report all payers 2026-01 to 2026-07.xlsx": plain characters only."""
    return f"PMPM report {payer or 'all payers'} {months_text(first, last)}.xlsx"


def exported(result: ReportResult, at: dt.datetime) -> ExportedReport:
    """The session's record of one export."""
    payers = ", ".join(s.payer_code for s in result.summaries) or "no payers"
    first = min(s.first for s in result.summaries)
    last = max(s.last for s in result.summaries)
    return ExportedReport(result.path, payers, months_text(first, last), at)


def outcome_text(result: ReportResult, packets_asked: bool) -> str:
    """What an export wrote, in a few lines."""
    n = sum(len(s.discrepancies) for s in result.summaries)
    covered = [s for s in result.spans if s.has_files]
    text = (
        f"Report written: {result.path}\n{spans_text(covered)}: "
        f"{n:,} discrepanc{'y' if n == 1 else 'ies'} listed."
    )
    left_out = [s.payer_code for s in result.spans if not s.has_files]
    if left_out:
        text += f"\nNo files in these months, so not in the report: {', '.join(left_out)}."
    if packets_asked:
        if result.packets:
            names = ", ".join(p.name for p in result.packets)
            many = len(result.packets) != 1
            text += (
                f"\n{len(result.packets)} dispute packet{'s' if many else ''} written "
                f"next to it: {names}."
            )
        else:
            text += "\nNo dispute packet: no payer has anything to act on in these months."
    return f"{text}\n{PHI_NOTICE}"
