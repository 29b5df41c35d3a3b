"""What the Rosters and Payment statements grids show: their columns, the grid model (replaced
rosters greyed, a statement whose total differs flagged) and the sentences about a statement's
total. The file's fingerprint (its SHA-256) is no column: it is in the file name's tooltip, for
whoever needs to tell two files apart."""

from __future__ import annotations

from collections.abc import Sequence
from decimal import Decimal
from typing import Any

from PySide6.QtCore import QObject, Qt
from PySide6.QtGui import QBrush, QFont

from pmpm_desktop.services.import_history import ImportInfo
from pmpm_desktop.ui import format
from pmpm_desktop.ui.table_model import Column, Index, RowsModel


def _score(value: Decimal | None) -> str | None:
    """A risk score as the roster wrote it (1.234, not 1.234000)."""
    if value is None:
        return None
    text = f"{value:f}"
    return text.rstrip("0").rstrip(".") if "." in text else text


def total_check(info: ImportInfo) -> str:
    """The statement's stated total against the sum of its lines, in words."""
    difference = info.total_difference
    if difference is None:
        return "Not stated"
    if difference == 0:
        return "Matches"
    return f"Off by {format.dollars(abs(difference))}"


def total_check_tip(info: ImportInfo) -> str:
    """The check in a sentence: which is more, and by how much."""
    difference = info.total_difference
    if difference is None or info.stated_total is None or info.total_paid is None:
        return "The statement states no total (check or EFT amount) to check its lines against"
    stated, lines = format.dollars(info.stated_total), format.dollars(info.total_paid)
    if difference == 0:
        return f"The statement's total of {stated} is the sum of its lines"
    more_or_less = "more" if difference > 0 else "less"
    return (
        f"The statement's total of {stated} is {format.dollars(abs(difference))} "
        f"{more_or_less} than the sum of its lines ({lines}): ask the payer which is right"
    )


def file_tip(info: ImportInfo) -> str:
    """The file name whole (the grid shortens it), and its fingerprint for telling apart two
    files of one name."""
    return f"{info.file_name}\nFile fingerprint (SHA-256): {info.sha256}"


def replaced_tip(info: ImportInfo) -> str:
    return (
        f"Replaced by {info.replaced_by_file or 'a later import'} of the same roster month: "
        "kept as history, no longer counted"
    )


def _status(info: ImportInfo) -> str:
    if info.active:
        return "Active"
    return f"Replaced by {info.replaced_by_file}" if info.replaced_by_file else "Replaced"


ROSTER_COLUMNS = [
    Column("Payer", lambda r: r.payer_code, tooltip="The payer's short code"),
    Column("Roster month", lambda r: r.roster_month, "month"),
    Column("File", lambda r: r.file_name),
    Column("Rows", lambda r: r.rows, "int"),
    Column("Status", _status, tooltip="A replaced import is kept as history and no longer counts"),
    Column("Imported", lambda r: r.imported_at, "datetime"),
]
STATEMENT_COLUMNS = [
    Column("Payer", lambda r: r.payer_code, tooltip="The payer's short code"),
    Column("Paid on", lambda r: r.payment_date, "date", "The date of the check or EFT"),
    Column("Reference", lambda r: r.reference, tooltip="Check or EFT number"),
    Column("File", lambda r: r.file_name),
    Column("Lines", lambda r: r.rows, "int"),
    Column("Months paid for", lambda r: r.months_text, tooltip="The months its lines pay for"),
    Column("Total paid", lambda r: r.total_paid, "money", "The sum of the statement's lines"),
    Column("Stated total", lambda r: r.stated_total, "money", "The total the statement states"),
    Column("Total check", total_check, tooltip="Stated total against the sum of the lines"),
    Column("Imported", lambda r: r.imported_at, "datetime"),
]
ROSTER_ROW_COLUMNS = [
    Column("Member ID", lambda r: r.member_id, sort_key="member_id"),
    Column("Name", lambda r: r.name, sort_key="name"),
    Column("DOB", lambda r: r.dob, "date", sort_key="dob"),
    Column("Sex", lambda r: r.sex, sort_key="sex"),
    Column("Product", lambda r: r.product, sort_key="product"),
    Column("Rate cell", lambda r: r.rate_cell, sort_key="rate_cell"),
    Column("PCP", lambda r: r.pcp, sort_key="pcp"),
    Column("Effective", lambda r: r.effective_date, "date", sort_key="effective"),
    Column("Term", lambda r: r.term_date, "date", sort_key="term"),
    Column("Risk score", lambda r: _score(r.risk_score), sort_key="risk_score"),
    Column("File row", lambda r: r.source_row, "int", "The row in the file", "source_row"),
]
LINE_COLUMNS = [
    Column(
        "Member ID", lambda r: r.member_id, tooltip="As the payer wrote it", sort_key="member_id"
    ),
    Column("Name as written", lambda r: r.member_name, sort_key="name"),
    Column(
        "Month paid for",
        lambda r: r.coverage_month,
        "month",
        tooltip="The coverage month the line pays for",
        sort_key="coverage_month",
    ),
    Column("Amount", lambda r: r.amount, "money", sort_key="amount"),
    Column("Line type", lambda r: r.line_type, sort_key="line_type"),
    Column("File row", lambda r: r.source_row, "int", "The row in the file", "source_row"),
]


class ImportsModel(RowsModel):
    """The imports grid: replaced rosters greyed, a statement whose total differs flagged;
    the file name whole in its tooltip (the grid shortens it)."""

    def __init__(
        self, columns: Sequence[Column], dim: QBrush, warn: QBrush, parent: QObject | None = None
    ) -> None:
        super().__init__(columns, (), parent)
        self.dim = dim
        self.warn = warn
        titles = [c.title for c in columns]
        self.check_column = titles.index("Total check") if "Total check" in titles else None
        self.file_column = titles.index("File")

    def data(self, index: Index, role: int = Qt.ItemDataRole.DisplayRole) -> Any:
        value = super().data(index, role)
        if not index.isValid() or not 0 <= index.row() < self.rowCount():
            return value
        info: ImportInfo = self.row(index.row())
        differs = index.column() == self.check_column and bool(info.total_difference)
        if role == Qt.ItemDataRole.ForegroundRole:
            if not info.active:
                return self.dim
            if differs:
                return self.warn
        if role == Qt.ItemDataRole.ToolTipRole:
            if index.column() == self.file_column:
                return file_tip(info)
            if index.column() == self.check_column:
                return total_check_tip(info)
            if not info.active:
                return replaced_tip(info)
        if role == Qt.ItemDataRole.FontRole and differs:
            font = QFont()
            font.setBold(True)
            return font
        return value
