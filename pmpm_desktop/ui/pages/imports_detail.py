"""The opened import under the Rosters / Payment statements grid: what it is in a line, its rows
a page at a time from SQL (``services.import_history.ImportRows``: a 100k-row roster opens at
once), a search over them, and Close."""

from __future__ import annotations

from typing import Any

from PySide6.QtCore import Qt, Signal
from PySide6.QtGui import QColor
from PySide6.QtWidgets import (
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QPushButton,
    QTableView,
    QVBoxLayout,
    QWidget,
)

from pmpm_desktop.db.database import Database
from pmpm_desktop.io.options import FileKind
from pmpm_desktop.services.import_history import ImportInfo, ImportRows
from pmpm_desktop.ui import format
from pmpm_desktop.ui.pages.base import bold_label, read_only_table
from pmpm_desktop.ui.pages.imports_columns import file_tip
from pmpm_desktop.ui.pages.imports_layout import ColumnFit, firm_columns
from pmpm_desktop.ui.table_model import Column, PagedRowsModel


class NoRows:
    """The rows source before any import is opened."""

    def count(self) -> int:
        return 0

    def fetch(self, offset: int, limit: int, order_by: str | None, descending: bool) -> list[Any]:
        return []


def grid() -> QTableView:
    """A read-only grid of one-line rows, as both halves of the imports pages use."""
    view = read_only_table()
    view.setWordWrap(False)
    view.verticalHeader().setDefaultSectionSize(view.fontMetrics().height() + 10)
    return view


class ImportDetail(QWidget):
    """One import's facts and rows (``open_import``), searched and closed by the user."""

    #: the user pressed Close
    close_requested = Signal()

    def __init__(self, columns: list[Column], parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.opened: ImportInfo | None = None
        #: the colour a statement total that differs is flagged in (the palette's)
        self._warn = QColor()
        self.rows_model = PagedRowsModel(columns, NoRows(), parent=self)
        self.rows_table = grid()
        self.rows_table.setObjectName("rowsTable")
        self.rows_table.setModel(self.rows_model)
        header = self.rows_table.horizontalHeader()
        header.setSortIndicator(len(columns) - 1, Qt.SortOrder.AscendingOrder)
        self.rows_table.setSortingEnabled(True)
        # the name takes the spare room; amounts and dates are never cut
        self.rows_fit = ColumnFit(self.rows_table, 1, least=160, firm=firm_columns(columns))
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 8, 0, 0)
        layout.setSpacing(6)
        layout.addLayout(self._build_head())
        layout.addWidget(self.rows_table, 1)

    def _build_head(self) -> QHBoxLayout:
        head = QHBoxLayout()
        titles = QVBoxLayout()
        titles.setSpacing(2)
        self.title = bold_label("", 1.15, "detailTitle")
        self.facts = QLabel("")
        self.facts.setObjectName("detailFacts")
        self.facts.setWordWrap(True)
        self.facts.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        titles.addWidget(self.title)
        titles.addWidget(self.facts)
        head.addLayout(titles, 1)
        self.search = QLineEdit()
        self.search.setObjectName("rowSearch")
        self.search.setPlaceholderText("Find member ID or name…")
        self.search.setClearButtonEnabled(True)
        self.search.setMinimumWidth(220)
        self.search.textChanged.connect(self._search)
        self.close_button = QPushButton("Close")
        self.close_button.setObjectName("closeRows")
        self.close_button.clicked.connect(self.close_requested)
        head.addWidget(self.search, 0, Qt.AlignmentFlag.AlignBottom)
        head.addWidget(self.close_button, 0, Qt.AlignmentFlag.AlignBottom)
        return head

    @property
    def source_db(self) -> Database | None:
        """The database the opened import's rows are read from (None when none is open)."""
        source = self.rows_model.source
        return source.db if isinstance(source, ImportRows) else None

    def open_import(self, db: Database, info: ImportInfo, warn: QColor) -> None:
        self.opened = info
        self.search.blockSignals(True)
        self.search.clear()
        self.search.blockSignals(False)
        self.rows_model.source = ImportRows(db, info.id, info.kind)
        self.rows_model.reload()
        self.describe(info, warn)
        self.rows_fit.measure()

    def clear(self) -> None:
        self.opened = None
        self.rows_model.source = NoRows()
        self.rows_model.reload()

    def _search(self, text: str) -> None:
        source = self.rows_model.source
        if isinstance(source, ImportRows) and self.opened is not None:
            source.search = text
            self.rows_model.reload()
            self.describe(self.opened, None)

    def describe(self, info: ImportInfo, warn: QColor | None) -> None:
        """The opened import in a title and a line of facts (``warn``: the flag's colour)."""
        self.opened = info
        if warn is not None:
            self._warn = warn
        self.title.setToolTip(file_tip(info))
        shown = self.rows_model.total
        found = f" · {shown:,} match" if self.search.text().strip() else ""
        imported = format.timestamp(info.imported_at)
        if info.kind == FileKind.ROSTER:
            self.title.setText(f"{info.file_name} — {info.roster_month} roster")
            state = (
                "active"
                if info.active
                else f"replaced by {info.replaced_by_file or 'a later import'}, kept as history"
            )
            self.facts.setText(
                f"{info.payer_name} · {info.rows:,} rows{found} · {state} · imported {imported}"
            )
            return
        self.title.setText(f"{info.file_name} — payment statement")
        paid = f"{format.dollars(info.total_paid)} paid"
        payment = f"paid on {format.date(info.payment_date)}" if info.payment_date else "no date"
        reference = f" · ref {info.reference}" if info.reference else ""
        self.facts.setText(
            f"{info.payer_name} · {payment}{reference} · {info.rows:,} lines{found} for "
            f"{info.months_text or 'no months'} · {paid} · {self._stated(info)} · "
            f"imported {imported}"
        )

    def _stated(self, info: ImportInfo) -> str:
        if info.stated_total is None:
            return "no total stated"
        if not info.total_difference:
            return f"stated total {format.dollars(info.stated_total)} matches"
        more = "more" if info.total_difference > 0 else "less"
        return (
            f"<b style='color:{self._warn.name()}'>stated total "
            f"{format.dollars(info.stated_total)}: "
            f"{format.dollars(abs(info.total_difference))} {more} than the lines</b>"
        )
