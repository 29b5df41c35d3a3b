"""The Reconciliation page's month summary: per payer and month what was expected and paid and
how many member-months of each kind, with a totals line; a kind's count lists those
discrepancies in the grid.

The figures come from the last reconciliation run on the page, or else from the engine over
the stored files without writing anything (``operations.reconcile.month_summaries``, on the
worker), kept per payer and months until files, payers or member links change.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from PySide6.QtCore import QModelIndex, Signal
from PySide6.QtGui import QPalette
from PySide6.QtWidgets import (
    QAbstractItemView,
    QHBoxLayout,
    QLabel,
    QSizePolicy,
    QTableView,
    QVBoxLayout,
    QWidget,
)

from pmpm_desktop.core.month import Month
from pmpm_desktop.core.payer_level import PAID_TITLE
from pmpm_desktop.core.payer_level import RULE as PAYER_LEVEL_RULE
from pmpm_desktop.core.summary import DISCREPANCY_KINDS, MonthSummary, ReconcileSummary
from pmpm_desktop.ui.context import AppContext
from pmpm_desktop.ui.dialogs import error_text
from pmpm_desktop.ui.format import dollars
from pmpm_desktop.ui.operations.reconcile import month_summaries
from pmpm_desktop.ui.pages.base import bold_label
from pmpm_desktop.ui.pages.reconciliation_grid import ALL
from pmpm_desktop.ui.reconciliation_tables import (
    KIND_COLUMN0,
    PAYER_LEVEL_COLUMNS,
    SpreadFitter,
    SummaryLine,
    SummaryModel,
    summary_columns,
    summary_lines,
)

#: month rows the summary shows at first (more scroll; the splitter below it gives it more)
SUMMARY_ROWS = 6

_Scope = tuple[str, Month, Month]  # (payer code, first, last)


class SummaryPanel(QWidget):
    """The heading with the range's totals, the month table, and a note on where the figures
    come from."""

    #: a kind's count was clicked: the grid filters to show (kind, status, month, payer)
    count_clicked = Signal(dict)
    #: what it shows changed (rows, totals, note): its wanted height may have changed
    refilled = Signal()

    def __init__(self, ctx: AppContext, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.ctx = ctx
        self._months: dict[_Scope, list[MonthSummary]] = {}
        self._from_run: set[_Scope] = set()
        #: what is being worked out on the worker now (asked again: not started twice)
        self._asked: tuple[tuple[str, ...], Month, Month] | None = None
        self._shown: tuple[tuple[str, ...], Month, Month, bool] | None = None
        self.model = SummaryModel(summary_columns())
        self.view = self._build_view()
        self.totals = QLabel()
        self.totals.setObjectName("summaryTotals")
        self.totals.setWordWrap(True)  # a narrow window wraps the totals, never cuts them
        # Under the summary, word-wrapped: where the figures come from and what to do next is
        # read whole (an error in words can be long), and it never sets the page's width.
        self.note = QLabel()
        self.note.setObjectName("summaryNote")
        # muted, in the palette of the moment (a style sheet colour would keep the light one)
        self.note.setForegroundRole(QPalette.ColorRole.PlaceholderText)
        self.note.setWordWrap(True)
        self.note.setSizePolicy(QSizePolicy.Policy.Ignored, QSizePolicy.Policy.Preferred)
        lay = QVBoxLayout(self)
        lay.setContentsMargins(0, 0, 0, 0)
        lay.setSpacing(2)
        head = QHBoxLayout()
        head.addWidget(bold_label("Month summary"))
        head.addSpacing(12)
        head.addWidget(self.totals, 1)
        lay.addLayout(head)
        lay.addWidget(self.view, 1)
        lay.addWidget(self.note)

    def _build_view(self) -> QTableView:
        view = QTableView()
        view.setObjectName("summaryView")
        view.setModel(self.model)
        view.verticalHeader().hide()
        view.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        view.setSelectionMode(QAbstractItemView.SelectionMode.NoSelection)
        view.setAlternatingRowColors(True)
        view.verticalHeader().setDefaultSectionSize(22)
        view.clicked.connect(self._clicked)
        # Months and amounts as wide as they are (never cut), the kinds' counts share the rest;
        # short of room (a narrow window, the payer-level columns) it scrolls sideways.
        self.fitter = SpreadFitter(view, range(KIND_COLUMN0, self.model.columnCount()))
        for column in PAYER_LEVEL_COLUMNS:  # shown when a payer was paid without members
            view.setColumnHidden(column, True)
        return view

    # -- the figures ----------------------------------------------------------------------
    def forget(self) -> None:
        """Stored files, payers or links changed: work the figures out again."""
        self._months.clear()
        self._from_run.clear()
        self._asked = None

    def store_run(self, summaries: Sequence[ReconcileSummary], first: Month, last: Month) -> None:
        """The figures of a reconciliation just run (shown as such)."""
        for s in summaries:
            self._months[(s.payer_code, first, last)] = s.months
            self._from_run.add((s.payer_code, first, last))

    def show_range(self, codes: Sequence[str], first: Month, last: Month, one: bool) -> None:
        """The summary of ``codes`` over the months (``one``: a single payer chosen, its column
        hidden); what is not known yet is worked out on the worker first."""
        self._shown = (tuple(codes), first, last, one)
        if last < first:
            self.model.set_rows([])
            self.totals.clear()
            self.note.setText("The range ends before it starts: choose the months again.")
            self.refilled.emit()
            return
        self.view.setColumnHidden(0, one)
        missing = [c for c in codes if (c, first, last) not in self._months]
        if not missing:
            self._fill(codes, first, last)
            return
        if self._asked == (tuple(missing), first, last):
            return  # shown when it reports back
        self._asked = (tuple(missing), first, last)
        self.totals.clear()
        self.note.setText("Working it out from the stored files…")
        self.ctx.run(
            month_summaries(self.ctx.db, missing, first, last),
            parent=self,
            on_success=lambda found: self._arrived(found, first, last),
            on_failure=self._failed,
            on_cancel=self._cancelled,
            show_progress=False,
        )

    def _arrived(self, found: dict[str, list[MonthSummary]], first: Month, last: Month) -> None:
        self._asked = None
        for code, months in found.items():
            self._months[(code, first, last)] = months
        if self._shown is not None:
            self.show_range(*self._shown)

    def _failed(self, exc: BaseException) -> None:
        self._asked = None
        self.model.set_rows([])
        self.note.setText(
            f"Could not be worked out: {error_text(exc)[0]} "
            "Press Reconcile to refresh the month summary."
        )
        self.refilled.emit()

    def _cancelled(self) -> None:
        self._asked = None

    def _fill(self, codes: Sequence[str], first: Month, last: Month) -> None:
        lines = summary_lines([(c, self._months[(c, first, last)]) for c in codes])
        total = lines[-1] if lines else None
        level = total.payer_level if total is not None else None
        # the payer-level columns only for payers that were paid so (most never are)
        for column in PAYER_LEVEL_COLUMNS:
            self.view.setColumnHidden(column, level is None)
        self.model.set_rows(lines)
        self.totals.setText(
            f"Expected {dollars(total.expected)} · Paid {dollars(total.paid)} · "
            f"Variance <b>{dollars(total.variance)}</b>"
            + ("" if level is None else f" · {PAID_TITLE} {dollars(level.paid)}")
            if total is not None
            else "No months to show"
        )
        from_run = all((c, first, last) in self._from_run for c in codes)
        self.note.setText(
            (
                "As reconciled just now. Click a count to list those discrepancies."
                if from_run
                else "From the stored files. Press Reconcile to update the discrepancies; "
                "click a count to list them."
            )
            + ("" if level is None else f" {PAYER_LEVEL_RULE}")
        )
        self.refilled.emit()

    def _clicked(self, index: QModelIndex) -> None:
        if not index.isValid() or index.column() < KIND_COLUMN0:
            return
        line: SummaryLine = self.model.row(index.row())
        filters: dict[str, Any] = {
            "kind": DISCREPANCY_KINDS[index.column() - KIND_COLUMN0],
            "status": ALL,
            "month": line.month,
        }
        if line.payer_code and not self.view.isColumnHidden(0):
            filters["payer"] = line.payer_code
        self.count_clicked.emit(filters)

    # -- its height -----------------------------------------------------------------------
    def wanted_height(self) -> int:
        """The height at first: the heading, ~6 month rows (a single payer's 6 months and its
        totals line when they are 7), and the note under it."""
        view = self.view
        rows = self.model.rowCount()
        shown = max(rows if rows <= SUMMARY_ROWS + 1 else SUMMARY_ROWS, 3)
        width = max(self.width(), 300)
        note = self.note.heightForWidth(width) if self.note.text() else 0
        lay = self.layout()
        item = lay.itemAt(0) if lay is not None else None
        # the heading's totals wrap in a narrow window: its height at the width it has
        if item is None:
            heading = 20
        elif item.hasHeightForWidth():
            heading = item.heightForWidth(width)
        else:
            heading = item.sizeHint().height()
        spacing = lay.spacing() if lay is not None else 2
        # the room the columns get: the view's, less a vertical scroll bar when rows are hidden
        # (asked now, the view may still have the scroll bars of the rows it showed before)
        room = view.width() - 2 * view.frameWidth()
        if rows > shown:
            room -= view.verticalScrollBar().sizeHint().width()
        bar = view.horizontalScrollBar().sizeHint().height()
        scroll = bar if self.fitter.overflows(room) else 0
        return (
            heading
            + scroll
            + view.horizontalHeader().sizeHint().height()
            + shown * view.verticalHeader().defaultSectionSize()
            + 2 * view.frameWidth()
            + max(note, self.note.fontMetrics().height())
            + 2 * spacing
        )
