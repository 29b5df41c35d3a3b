"""Reconciliation: run a reconciliation, read the month summary, work the discrepancies.

Top to bottom: the payer and month range with Reconcile (``reconciliation_run``); the month
summary (``reconciliation_summary``: a kind's count filters the grid to that month and kind);
the discrepancy grid with its filters (``reconciliation_grid``) beside the detail pane of the
selected row (``ui/discrepancy_detail``), sharing the room as ``reconciliation_split`` says.
Every change is undoable (``reconciliation_edits``); every read and write is an op
(``ui/operations``): the page runs no SQL and computes no money.
"""

from __future__ import annotations

from functools import partial
from typing import Any, ClassVar

from PySide6.QtGui import QAction, QKeySequence, QShortcut
from PySide6.QtWidgets import QMenu, QVBoxLayout, QWidget

from pmpm_desktop.core.month import Month
from pmpm_desktop.core.summary import STATUSES, DiscrepancyRow, Status
from pmpm_desktop.errors import PmpmError
from pmpm_desktop.io.options import FileKind
from pmpm_desktop.services.month_summary import page_facts
from pmpm_desktop.services.reconciling import STEPS
from pmpm_desktop.ui import format as fmt
from pmpm_desktop.ui.context import AppContext, Changed
from pmpm_desktop.ui.dialogs import show_error, show_message
from pmpm_desktop.ui.discrepancy_detail import DiscrepancyDetail
from pmpm_desktop.ui.operations.discrepancies import Linked
from pmpm_desktop.ui.operations.reconcile import Reconciled, reconcile
from pmpm_desktop.ui.pages.base import ContentOrEmpty, EmptyState, Page
from pmpm_desktop.ui.pages.reconciliation_dialog import SetStatusDialog
from pmpm_desktop.ui.pages.reconciliation_edits import Edits
from pmpm_desktop.ui.pages.reconciliation_grid import GRID_NOTE, DiscrepancyGrid, key_of
from pmpm_desktop.ui.pages.reconciliation_run import RunBar
from pmpm_desktop.ui.pages.reconciliation_split import DetailSplit, SummarySplit
from pmpm_desktop.ui.pages.reconciliation_summary import SummaryPanel
from pmpm_desktop.ui.reconciliation_tables import summary_lines

CANCELLED_NOTHING = "Reconciliation cancelled: nothing was changed."


class ReconciliationPage(Page):
    key: ClassVar[str] = "reconciliation"
    title: ClassVar[str] = "Reconciliation"
    depends_on: ClassVar[frozenset[Changed]] = frozenset(
        {Changed.IMPORTS, Changed.PAYERS, Changed.DISCREPANCIES}
    )

    def __init__(self, ctx: AppContext, parent: QWidget | None = None) -> None:
        super().__init__(ctx, parent)
        #: stored data changes seen, and the one the page last read at (one read per change)
        self._version, self._read_at = 0, -1
        #: a run's figures to keep while the links it followed are forgotten
        self._fresh: tuple[list[Any], Month, Month] | None = None
        self.edits = Edits(ctx)
        self.run_bar = RunBar()
        self.summary = SummaryPanel(ctx)
        self.table = DiscrepancyGrid(ctx, self.scope, self.grid_actions)
        self.detail = DiscrepancyDetail(ctx)
        self.detail_split = DetailSplit(self.table, self.detail, ctx.settings)
        self.summary_fit = SummarySplit(
            self.summary, self.detail_split.splitter, self.summary.wanted_height
        )
        self.summary_split = self.summary_fit.splitter
        self.grid_split = self.detail_split.splitter
        self.empty = self._build_empty()
        self.stack = ContentOrEmpty(self._build_content(), self.empty)
        lay = QVBoxLayout(self)
        lay.setContentsMargins(0, 0, 0, 0)
        lay.addWidget(self.stack)
        self._expose()
        self._wire()

    # -- building -------------------------------------------------------------------------
    def _build_content(self) -> QWidget:
        content = QWidget()
        outer = QVBoxLayout(content)
        outer.setContentsMargins(8, 8, 8, 4)
        outer.setSpacing(6)
        outer.addWidget(self.run_bar)
        outer.addWidget(self.summary_split, 1)
        return content

    def _build_empty(self) -> EmptyState:
        empty = EmptyState(
            "Nothing to reconcile yet — import a roster and a statement first",
            "Reconciliation compares what each payer should have paid (from its rosters and "
            "contract rates) with what its statements say it paid. Import a roster and a "
            "statement, then come back and press Reconcile.",
            [
                ("Import a roster…", lambda: self._open_wizard(FileKind.ROSTER)),
                ("Import a statement…", lambda: self._open_wizard(FileKind.STATEMENT)),
            ],
        )
        empty.body.setMinimumWidth(360)  # a readable line length, not a narrow column
        return empty

    def _expose(self) -> None:
        """The parts' widgets under the page's own names (what tests and other pages use)."""
        bar, summary, table = self.run_bar, self.summary, self.table
        self.payer_combo, self.from_edit, self.to_edit = bar.payer_combo, bar.from_edit, bar.to_edit
        self.reconcile_button, self.progress = bar.reconcile_button, bar.progress
        self.cancel_button, self.run_label = bar.cancel_button, bar.run_label
        self.summary_model, self.summary_view = summary.model, summary.view
        self.summary_totals, self.summary_note = summary.totals, summary.note
        self.kind_combo, self.status_combo = table.kind_combo, table.status_combo
        self.month_combo, self.search_edit = table.month_combo, table.search_edit
        self.set_status_button, self.totals_label = table.set_status_button, table.totals_label
        self.grid, self.grid_model, self.source = table.view, table.model, table.source
        self.grid_fitter = table.fitter

    def _wire(self) -> None:
        self.run_bar.payer_changed.connect(self._scope_changed)
        self.run_bar.range_changed.connect(self._range_changed)
        self.run_bar.reconcile_button.clicked.connect(self.start_reconcile)
        self.summary.count_clicked.connect(self.apply_filters)
        self.summary.refilled.connect(self.summary_fit.fit)
        self.table.current_changed.connect(self._current_changed)
        self.table.set_status_clicked.connect(self.open_set_status)
        self.detail.save_requested.connect(self._save_one)
        self.detail.link_requested.connect(self._link)
        QShortcut(QKeySequence.StandardKey.Find, self, self.search_edit.setFocus)
        self.ctx.data_changed.connect(self._data_changed)

    # -- what the page is about -----------------------------------------------------------
    @property
    def payer_code(self) -> str | None:
        return self.run_bar.payer_code

    @property
    def first(self) -> Month:
        return self.run_bar.first

    @property
    def last(self) -> Month:
        return self.run_bar.last

    def scope(self) -> tuple[str | None, Month, Month]:
        return self.run_bar.payer_code, self.run_bar.first, self.run_bar.last

    # -- reading --------------------------------------------------------------------------
    def refresh(self) -> None:
        """Read what the page shows again (once per change of stored data)."""
        if self._read_at == self._version:
            return
        self._read_at = self._version
        self._fresh = None
        facts = page_facts(self.ctx.db)
        self.stack.show_empty(not facts.has_work)
        if not facts.has_work:
            self.table.clear()
            self.summary.model.set_rows([])
            self.detail.show_row(None)
            return
        self.run_bar.fill_payers(facts.payers)
        if not self.run_bar.range_chosen and facts.default_range is not None:
            self.run_bar.set_range(*facts.default_range)
        self._show()

    def _show(self) -> None:
        """The grid and the summary for the payer, months and filters chosen now."""
        self.table.fill_months(self.first, self.last)
        self.reload_grid()
        self._show_summary()

    def _show_summary(self) -> None:
        self.summary.show_range(self.run_bar.codes, self.first, self.last, bool(self.payer_code))

    def reload_grid(self) -> None:
        self.table.reload(self.ctx.db)

    def _scope_changed(self) -> None:
        self._show()

    def _range_changed(self) -> None:
        self._show()

    def _data_changed(self, what: str) -> None:
        self.detail.clear_cache()
        if what in (Changed.IMPORTS, Changed.PAYERS, Changed.MEMBERS, Changed.EVERYTHING):
            self.summary.forget()
            if self._fresh is not None:  # the run that follows the change: still right
                self.summary.store_run(*self._fresh)
        if what == Changed.EVERYTHING:
            self.run_bar.range_chosen = False
        if what == Changed.EVERYTHING or what in self.depends_on:
            self._version += 1
            if self.isVisible():
                self.refresh()

    # -- filters from elsewhere -----------------------------------------------------------
    def apply_filters(self, filters: dict[str, Any]) -> None:
        """Show what the Dashboard, the summary or the import wizard asks for: payer, kind,
        status, month, text; ``first``/``last`` months the range must hold; ``reconcile``:
        reconcile the payer(s) and months shown. A filter not given goes back to its default
        (the payer stays as it is), so what arrives is exactly what is shown; unknown values
        are ignored, not refused."""
        if self._read_at < 0:
            self.refresh()  # navigated here before the page was ever shown
        changed = "payer" in filters and self.run_bar.choose_payer(filters["payer"])
        months = [m for m in (_month(filters.get(k)) for k in ("month", "first", "last")) if m]
        if months and not all(self.first <= m <= self.last for m in months):
            self.run_bar.range_chosen = True
            self.run_bar.set_range(min(self.first, *months), max(self.last, *months))
            changed = True
        self.table.fill_months(self.first, self.last)
        self.table.set_filters({**filters, "month": _month(filters.get("month"))})
        self.reload_grid()
        if changed:
            self._show_summary()
        if filters.get("reconcile"):
            self.start_reconcile()

    # -- the grid's rows ------------------------------------------------------------------
    def _current_changed(self, row: DiscrepancyRow | None, near: list[DiscrepancyRow]) -> None:
        self.detail.show_row(row, near)
        self.detail_split.show_detail(row is not None)

    def selected_rows(self) -> list[DiscrepancyRow]:
        return self.table.selected_rows()

    def grid_actions(self, rows: list[int]) -> list[QAction]:
        """The grid's right-click menu for the rows under the pointer: Explain, Open member,
        Set status ▸ (then the grid's own Copy)."""
        chosen = [self.grid_model.row(r) for r in rows if r < self.grid_model.rowCount()]
        one = chosen[0] if len(chosen) == 1 else None
        explain = QAction("&Explain", self.grid)
        explain.setEnabled(one is not None)
        explain.triggered.connect(lambda: self.explain(one))
        member = QAction("Open &member", self.grid)
        member.setEnabled(one is not None)
        member.triggered.connect(lambda: self.open_member(one))
        statuses = QMenu("Set &status", self.grid)
        statuses.setObjectName("setStatusMenu")
        for s in STATUSES:
            statuses.addAction(fmt.status(s), partial(self.open_set_status, s))
        status = QAction("Set &status", self.grid)
        status.setMenu(statuses)
        status.setEnabled(bool(chosen))
        status.destroyed.connect(statuses.deleteLater)
        return [explain, member, status]

    def explain(self, row: DiscrepancyRow | None) -> None:
        """Select ``row`` alone and show why it is what it is in the detail pane."""
        if row is not None and self.table.select(key_of(row)):
            self.detail.scroll_area.verticalScrollBar().setValue(0)

    def open_member(self, row: DiscrepancyRow | None) -> None:
        """The row's member on the Members page."""
        if row is not None:
            self.ctx.navigate.emit("members", {"payer": row.payer_code, "member": row.member_id})

    # -- reconciling ----------------------------------------------------------------------
    def start_reconcile(self) -> None:
        if self.run_bar.is_running:
            return
        codes, first, last = self.run_bar.codes, self.first, self.last
        if not codes:
            show_message(self, "Reconcile", "There is no payer yet: add a payer first.")
            return
        handle = self.ctx.run(
            reconcile(self.ctx.db, codes, first, last),
            parent=self,
            on_success=self._reconciled,
            on_failure=self._reconcile_failed,
            on_cancel=self._reconcile_cancelled,
            show_progress=False,
        )
        text = f"Reconciling {', '.join(codes)}, {first} to {last}…"
        self.run_bar.running(handle, text, len(codes) * STEPS)

    def _reconciled(self, done: Reconciled) -> None:
        self.summary.store_run(done.summaries, done.first, done.last)
        self.run_label.setText(done.sentence + ("" if done.cancelled else "."))

    def _reconcile_failed(self, exc: BaseException) -> None:
        self.run_label.setText("Reconciliation failed: nothing was changed.")
        show_error(self, "Reconcile", exc)

    def _reconcile_cancelled(self) -> None:
        self.run_label.setText(CANCELLED_NOTHING)
        self.ctx.status_message.emit(CANCELLED_NOTHING)

    # -- changes --------------------------------------------------------------------------
    def open_set_status(self, status: Status = Status.DISPUTED) -> SetStatusDialog | None:
        """The Set status dialog for the selected rows (offering every matching row when all
        loaded rows are selected and more match)."""
        rows = self.selected_rows()
        if not rows:
            return None
        everything = len(rows) == self.grid_model.rowCount()
        more = self.grid_model.total > len(rows)
        matching = self.grid_model.total if everything and more else None
        query = self.source.query
        keys = [key_of(r) for r in rows]

        def apply(chosen: Status, note: str, all_matching: bool) -> None:
            if all_matching:
                self.edits.set_status([], chosen, note, matching=query, count=matching)
            else:
                self.edits.set_status(keys, chosen, note)

        dialog = SetStatusDialog(len(rows), matching, apply, self, status=status)
        self.status_dialog = dialog
        dialog.open()
        return dialog

    def _save_one(self, row: DiscrepancyRow, status: str, note: str) -> None:
        self.edits.set_status([key_of(row)], Status(status), note)

    def _link(self, row: DiscrepancyRow, member_id: str) -> None:
        first, last = self.first, self.last
        if last < first:
            first = last = row.month
        self.edits.link(row, member_id, first, last, lambda done: self._linked(done, first, last))

    def _linked(self, done: Linked, first: Month, last: Month) -> None:
        if done.summary is not None:
            self._fresh = ([done.summary], first, last)
            self.summary.store_run([done.summary], first, last)
        self.run_label.setText(done.sentence)

    def _open_wizard(self, kind: FileKind) -> None:
        try:
            from pmpm_desktop.ui.import_wizard import open_import_wizard
        except ImportError:
            show_message(self, "Import", "The import wizard is not available in this build.")
            return
        open_import_wizard(self.ctx, self, kind=kind)


def _month(value: object) -> Month | None:
    """A month given as a Month or as its text ("2026-03"); anything else: None."""
    if isinstance(value, Month):
        return value
    if isinstance(value, str):
        try:
            return Month.parse(value)
        except (ValueError, PmpmError):
            return None
    return None


__all__ = ["GRID_NOTE", "ReconciliationPage", "SetStatusDialog", "summary_lines"]
