"""Members: find a member, then see their months (expected, paid, verdict) and roster history.

The search runs in SQL a page at a time (``services.member_ledger.MemberSearch``); the selected
member's ledger is recomputed by the engine for that member alone, in the background
(``ui.operations.members.read_member``: the member chosen next replaces it). The grids and the
member's panel are ``members_columns`` and ``members_detail``.
"""

from __future__ import annotations

from typing import Any

from PySide6.QtCore import QItemSelection, Qt, QTimer
from PySide6.QtGui import QAction
from PySide6.QtWidgets import (
    QComboBox,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QSizePolicy,
    QSplitter,
    QVBoxLayout,
    QWidget,
)

from pmpm_desktop.io.options import FileKind
from pmpm_desktop.services.member_ledger import (
    LedgerRow,
    MemberDetail,
    MemberRow,
    MemberSearch,
    search_members,
)
from pmpm_desktop.services.members import has_members
from pmpm_desktop.services.payers import list_payers
from pmpm_desktop.ui.context import AppContext, Changed
from pmpm_desktop.ui.dialogs import error_text
from pmpm_desktop.ui.grids import install_grid_actions
from pmpm_desktop.ui.operations import members as ops
from pmpm_desktop.ui.pages.base import ContentOrEmpty, EmptyState, Page, page_title
from pmpm_desktop.ui.pages.members_columns import RESULT_COLUMNS, fit_columns, member_table
from pmpm_desktop.ui.pages.members_detail import MemberPanel
from pmpm_desktop.ui.table_model import PagedRowsModel

#: how long the search waits after the last key press before it asks the database
SEARCH_DELAY_MS = 300
SELECT_ONE = "Select a member above to see their months and roster history."


class MembersPage(Page):
    key = "members"
    title = "Members"
    depends_on = frozenset({Changed.IMPORTS, Changed.DISCREPANCIES, Changed.MEMBERS})

    def __init__(self, ctx: AppContext, parent: QWidget | None = None) -> None:
        super().__init__(ctx, parent)
        #: (payer, member ID) of the member shown (or being loaded)
        self.selected: tuple[str, str] | None = None
        self.detail: MemberDetail | None = None
        self._reselecting = False
        self.timer = QTimer(self)
        self.timer.setSingleShot(True)
        self.timer.setInterval(SEARCH_DELAY_MS)
        self.timer.timeout.connect(self.run_search)
        # Until a member is shown the results have the whole height and a line under them
        # says how to see one; shown, the member shares the height (a draggable split).
        splitter = QSplitter(Qt.Orientation.Vertical)
        splitter.addWidget(self._build_results())
        splitter.addWidget(self._build_member())
        splitter.setStretchFactor(0, 2)
        splitter.setStretchFactor(1, 3)
        splitter.setChildrenCollapsible(False)
        content = QWidget()
        column = QVBoxLayout(content)
        column.setContentsMargins(0, 0, 0, 0)
        column.addLayout(self._build_search_bar())
        column.addWidget(splitter, 1)
        column.addWidget(self.no_member)
        self.empty = EmptyState(
            "No members yet — import a roster",
            "Members appear here once a payer's roster is imported. Each member's months show "
            "what the contract says the payer owes, what it paid, and every difference.",
            [("Import a roster…", self._import_roster)],
        )
        self.body = ContentOrEmpty(content, self.empty)
        layout = QVBoxLayout(self)
        layout.addWidget(page_title("Members"))
        layout.addWidget(self.body, 1)

    # -- building ------------------------------------------------------------------------
    def _build_search_bar(self) -> QHBoxLayout:
        self.search = QLineEdit()
        self.search.setObjectName("memberSearch")
        self.search.setPlaceholderText(
            "Search by member ID, name (LAST, FIRST or first last) or date of birth"
        )
        self.search.setClearButtonEnabled(True)
        self.search.textChanged.connect(lambda _text: self.timer.start())
        self.search.returnPressed.connect(self.run_search)
        self.payer = QComboBox()
        self.payer.setObjectName("memberPayer")
        self.payer.setMinimumContentsLength(18)
        self.payer.currentIndexChanged.connect(lambda _i: self.run_search())
        bar = QHBoxLayout()
        bar.addWidget(self.search, 1)
        bar.addWidget(QLabel("Payer:"))
        bar.addWidget(self.payer)
        return bar

    def _build_results(self) -> QWidget:
        self.results = PagedRowsModel(RESULT_COLUMNS, MemberSearch(self.ctx.db), page_size=200)
        self.results_view = member_table(self.results, "memberResults")
        # no column sorted at first: the source orders by name; a header click sorts in SQL
        self.results_view.horizontalHeader().setSortIndicator(-1, Qt.SortOrder.AscendingOrder)
        self.results_view.setSortingEnabled(True)
        self.results_view.selectionModel().selectionChanged.connect(self._selection_changed)
        install_grid_actions(self.results_view, self.actions_for)
        self.count_label = QLabel()
        self.count_label.setObjectName("memberCount")
        # under the grid, as wide as its text (see _set_count): at the far right of the search
        # bar a narrow window cut it to "1" of "120 members"
        self.count_label.setSizePolicy(QSizePolicy.Policy.Fixed, QSizePolicy.Policy.Preferred)
        panel = QWidget()
        column = QVBoxLayout(panel)
        column.setContentsMargins(0, 0, 0, 0)
        column.setSpacing(2)
        column.addWidget(self.results_view, 1)
        column.addWidget(self.count_label)
        return panel

    def _build_member(self) -> MemberPanel:
        self.member_panel = MemberPanel()
        self.member_panel.month_opened.connect(self._open_month)
        self.member_panel.setVisible(False)
        panel = self.member_panel
        # the panel's parts, as the page's tests reach them
        self.name_label, self.facts_label = panel.name_label, panel.facts_label
        self.loading_label, self.tabs = panel.loading_label, panel.tabs
        self.ledger, self.ledger_view = panel.ledger, panel.ledger_view
        self.ledger_totals, self.history = panel.ledger_totals, panel.history
        self.history_view, self.aliases_label = panel.history_view, panel.aliases_label
        self.no_member = QLabel(SELECT_ONE)
        self.no_member.setObjectName("noMemberSelected")
        self.no_member.setEnabled(False)
        return panel

    def _show_member(self, shown: bool, text: str = "") -> None:
        """The member's panel under the results, or the line saying what to do instead."""
        self.member_panel.setVisible(shown)
        self.no_member.setVisible(not shown)
        self.no_member.setText(text or SELECT_ONE)
        self.no_member.setEnabled(not text)  # a failure is said in full colour

    def actions_for(self, rows: list[int]) -> list[QAction]:
        """The results grid's right-click actions for the member under the pointer."""
        if len(rows) != 1:
            return []
        row: MemberRow = self.results.row(rows[0])
        show = QAction("Show discrepancies", self)
        show.setToolTip("This member's discrepancies on the Reconciliation page")
        filters = {"payer": row.payer_code, "text": row.member_id}
        show.triggered.connect(lambda: self.ctx.navigate.emit("reconciliation", filters))
        return [show]

    # -- reading ------------------------------------------------------------------------------
    def refresh(self) -> None:
        any_members = has_members(self.ctx.db)
        self._fill_payers()
        self.body.show_empty(not any_members)
        if not any_members:
            self._clear_detail()
            return
        self.run_search()
        if self.selected is not None:
            self._load_detail(*self.selected)

    def _fill_payers(self) -> None:
        current = self.payer.currentData()
        self.payer.blockSignals(True)
        self.payer.clear()
        self.payer.addItem("All payers", None)
        for p in list_payers(self.ctx.db):
            self.payer.addItem(f"{p.code} — {p.name}", p.code)
        self.payer.setCurrentIndex(max(self.payer.findData(current), 0))
        self.payer.blockSignals(False)

    def run_search(self) -> None:
        """Search now (the timer calls this 300 ms after the last key press)."""
        self.timer.stop()
        self.results.source = search_members(
            self.ctx.db, self.search.text(), self.payer.currentData()
        )
        self.results.reload()
        total = self.results.total
        self._set_count(
            "No member matches" if total == 0 else f"{total:,} member{'s' if total != 1 else ''}"
        )
        fit_columns(self.results_view)
        self._reselect()

    def _set_count(self, text: str) -> None:
        """The results count, its minimum width taken from the text so a layout never cuts it."""
        self.count_label.setText(text)
        margins = self.count_label.contentsMargins()
        width = self.count_label.fontMetrics().horizontalAdvance(text)
        self.count_label.setMinimumWidth(width + margins.left() + margins.right() + 4)

    def _reselect(self) -> None:
        """Keep the shown member selected after a new search, if it is among the results."""
        if self.selected is None:
            return
        for i, row in enumerate(self.results.rows):
            if (row.payer_code, row.member_id) == self.selected:
                self._reselecting = True  # the member is shown already: no new load
                try:
                    self.results_view.selectRow(i)
                finally:
                    self._reselecting = False
                return

    def _selection_changed(self, selected: QItemSelection, _deselected: QItemSelection) -> None:
        rows = {i.row() for i in selected.indexes()}
        if not rows or self._reselecting:
            return
        row: MemberRow = self.results.row(min(rows))
        self.select_member(row.payer_code, row.member_id)

    def select_member(self, payer_code: str, member_id: str) -> None:
        """Show one member (loaded in the background)."""
        self.selected = (payer_code, member_id)
        self._load_detail(payer_code, member_id)

    def _load_detail(self, payer_code: str, member_id: str) -> None:
        self.loading_label.show()
        if self.member_panel.isHidden():
            self._show_member(False, "Loading the member…")
        self.ctx.run(
            ops.read_member(self.ctx.db, payer_code, member_id),
            parent=self,
            on_success=self._detail_loaded,
            on_failure=self._detail_failed,
            show_progress=False,
        )

    def _detail_loaded(self, detail: MemberDetail) -> None:
        self.loading_label.hide()
        self.detail = detail
        self.member_panel.show_detail(detail)
        self._show_member(True)

    def _detail_failed(self, exc: BaseException) -> None:
        self.loading_label.hide()
        self.detail = None
        self._show_member(False, f"This member could not be shown: {error_text(exc)[0]}")

    def _clear_detail(self) -> None:
        self.selected = None
        self.detail = None
        self.member_panel.clear()
        self._show_member(False)

    # -- acting -------------------------------------------------------------------------------
    def _open_month(self, row: LedgerRow) -> None:
        if self.detail is None:
            return
        if not row.is_discrepancy:
            self.ctx.status_message.emit(f"{row.month}: no discrepancy for this month")
            return
        info = self.detail.info
        self.ctx.navigate.emit(
            "reconciliation",
            {"payer": info.payer_code, "text": info.member_id, "month": str(row.month)},
        )

    def apply_filters(self, filters: dict[str, Any]) -> None:
        """``{"payer": code, "text": search}``, or ``{"payer": code, "member": ID}`` to open
        that member (also one that is only paid, on no roster)."""
        if "payer" in filters:
            self.payer.blockSignals(True)
            self.payer.setCurrentIndex(max(self.payer.findData(filters["payer"]), 0))
            self.payer.blockSignals(False)
        text = filters.get("text", filters.get("member"))
        if text is not None:
            self.search.blockSignals(True)
            self.search.setText(str(text))
            self.search.blockSignals(False)
        self.run_search()
        if self.results.total == 1:
            self.results_view.selectRow(0)
        elif filters.get("member") and filters.get("payer"):
            # an ID the payer paid but no roster lists is no search result: open it directly
            self.select_member(str(filters["payer"]), str(filters["member"]))

    def _import_roster(self) -> None:
        from pmpm_desktop.ui.import_wizard import open_import_wizard

        open_import_wizard(self.ctx, self, kind=FileKind.ROSTER)
