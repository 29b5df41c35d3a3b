"""What the Members page's grids show: the search results, a member's ledger (month by month)
and their roster history; and how those grids are built and fitted to their content."""

from __future__ import annotations

from PySide6.QtCore import QAbstractItemModel
from PySide6.QtWidgets import QHeaderView, QTableView

from pmpm_desktop.ui.pages.base import read_only_table
from pmpm_desktop.ui.table_model import Column

RESULT_COLUMNS = [
    Column("Payer", lambda r: r.payer_code, sort_key="payer"),
    Column("Member ID", lambda r: r.member_id, sort_key="member_id"),
    Column("Last name", lambda r: r.last_name, sort_key="last_name"),
    Column("First name", lambda r: r.first_name, sort_key="first_name"),
    Column("DOB", lambda r: r.dob, "date", sort_key="dob"),
    Column("Sex", lambda r: r.sex, sort_key="sex"),
    Column(
        "Latest roster",
        lambda r: r.latest_month,
        "month",
        tooltip="The newest roster month that lists the member",
        sort_key="latest_month",
    ),
    Column(
        "Open discrepancies",
        lambda r: r.open_discrepancies,
        "int",
        tooltip="Discrepancies of the member still open or disputed",
        sort_key="open_discrepancies",
    ),
]

LEDGER_COLUMNS = [
    Column("Month", lambda r: r.month, "month"),
    Column(
        "Eligible",
        lambda r: "Yes" if r.eligible else "No",
        tooltip="Eligible this month per the rosters' latest word",
    ),
    Column("Expected", lambda r: r.expected, "money", tooltip="Recomputed from the contract"),
    Column(
        "Paid", lambda r: r.paid, "money", tooltip="Every payment statement line, aliases included"
    ),
    Column("Variance", lambda r: r.variance, "money", tooltip="Paid − expected"),
    Column("Kind", lambda r: r.kind, "kind"),
    Column("Status", lambda r: r.status, "status", tooltip="Of the stored discrepancy"),
    Column("Lines", lambda r: r.lines, "int", tooltip="Statement lines paid for the month"),
]

HISTORY_COLUMNS = [
    Column("Roster month", lambda r: r.roster_month, "month"),
    Column("File", lambda r: r.file_name),
    Column("Imported", lambda r: r.imported_at, "datetime"),
    Column(
        "In use",
        lambda r: "Yes" if r.active else "Replaced",
        tooltip="Replaced: a later import of the same roster month took its place",
    ),
    Column("Product", lambda r: r.product),
    Column("Rate cell", lambda r: r.rate_cell),
    Column("PCP", lambda r: r.pcp),
    Column("Effective", lambda r: r.effective_date, "date"),
    Column("Term", lambda r: r.term_date, "date"),
    Column("Risk score", lambda r: None if r.risk_score is None else str(r.risk_score)),
    Column("Row", lambda r: r.source_row, "int", tooltip="Row of the roster file"),
]


def member_table(model: QAbstractItemModel, name: str) -> QTableView:
    """A read-only grid of one-line rows, sized to them."""
    view = read_only_table(name, model)
    view.verticalHeader().setDefaultSectionSize(view.fontMetrics().height() + 8)
    view.horizontalHeader().setStretchLastSection(False)
    view.setWordWrap(False)
    return view


def fit_columns(view: QTableView) -> None:
    """Every column as wide as its content, but none wider than 260 pixels."""
    header = view.horizontalHeader()
    header.resizeSections(QHeaderView.ResizeMode.ResizeToContents)
    for i in range(header.count()):
        header.resizeSection(i, min(header.sectionSize(i) + 6, 260))
