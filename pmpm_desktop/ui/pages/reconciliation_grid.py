"""The Reconciliation page's discrepancy grid: its filter bar (kind, status, month, search,
Set status…), the grid itself (paged and sorted in SQL, read on the worker) and the totals
line under it. Ctrl+C copies the selected rows; the right-click menu is the page's."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from PySide6.QtCore import QItemSelectionModel, QModelIndex, Qt, QTimer, Signal
from PySide6.QtWidgets import (
    QAbstractItemView,
    QComboBox,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QPushButton,
    QTableView,
    QVBoxLayout,
    QWidget,
)

from pmpm_desktop.core.age import AGE_TITLE, AGE_TOOLTIP
from pmpm_desktop.core.month import Month, month_range
from pmpm_desktop.core.summary import (
    DISCREPANCY_KINDS,
    OPEN_STATUSES,
    STATUSES,
    DiscrepancyRow,
    Kind,
)
from pmpm_desktop.errors import PmpmError
from pmpm_desktop.services import discrepancy_query as dq
from pmpm_desktop.ui import format as fmt
from pmpm_desktop.ui.context import AppContext
from pmpm_desktop.ui.dialogs import error_text
from pmpm_desktop.ui.format import dollars
from pmpm_desktop.ui.grids import ActionsFor, install_grid_actions
from pmpm_desktop.ui.reconciliation_tables import ColumnFitter
from pmpm_desktop.ui.table_model import Column, PagedRowsModel

ALL = "all"
ACTIVE = "active"
#: the grid's columns that matter to the page (the month sorts at first)
GRID_PAYER, GRID_NAME, GRID_MONTH, GRID_KIND, GRID_VARIANCE, GRID_NOTE = 0, 2, 3, 4, 7, 10

Key = tuple[str, str, Month]


def _name(r: DiscrepancyRow) -> str:
    return fmt.person(r.last_name, r.first_name) or (
        "(not on any roster)" if r.kind == Kind.UNKNOWN_MEMBER else ""
    )


def grid_columns() -> list[Column]:
    return [
        Column("Payer", lambda r: r.payer_code, sort_key="payer"),
        Column("Member ID", lambda r: r.member_id, sort_key="member_id"),
        Column("Name", _name, sort_key="name"),
        Column("Month", lambda r: r.month, "month", sort_key="month"),
        Column("Kind", lambda r: r.kind, "kind", sort_key="kind"),
        Column("Expected", lambda r: r.expected, "money", sort_key="expected"),
        Column("Paid", lambda r: r.paid, "money", sort_key="paid"),
        Column("Variance", lambda r: r.variance, "money", sort_key="variance"),
        Column("Status", lambda r: r.status, "status", sort_key="status"),
        Column(
            AGE_TITLE,
            dq.days_since_due,
            "int",
            tooltip=AGE_TOOLTIP,
            sort_key="days_since_due",
        ),
        Column("Last note", lambda r: r.last_note, sort_key="last_note"),
    ]


def key_of(row: DiscrepancyRow) -> Key:
    return (row.payer_code, row.member_id, row.month)


def _combo(name: str, items: list[tuple[str, object]]) -> QComboBox:
    combo = QComboBox()
    combo.setObjectName(name)
    for text, data in items:
        combo.addItem(text, data)
    return combo


def find(combo: QComboBox, value: object) -> int:
    """``findData`` for Python values (a Month is not a QVariant Qt can compare)."""
    return next((i for i in range(combo.count()) if combo.itemData(i) == value), -1)


class DiscrepancyGrid(QWidget):
    """Filter bar, grid and totals line. ``scope()`` says which payer and months the page
    shows; the filters narrow them."""

    #: the current row changed: (row or None, its neighbours)
    current_changed = Signal(object, list)
    #: Set status… was pressed
    set_status_clicked = Signal()

    def __init__(
        self,
        ctx: AppContext,
        scope: Callable[[], tuple[str | None, Month, Month]],
        actions_for: ActionsFor,
        parent: QWidget | None = None,
    ) -> None:
        super().__init__(parent)
        self._scope = scope
        #: the row to select again once the reload under way landed
        self._keep: Key | None = None
        self.source = dq.DiscrepancySource(ctx.db)
        # Counting, sorting and searching a million rows takes a second: the grid reads on the
        # worker (the old rows stay meanwhile, "Reading…" below them) and swaps the rows in.
        self.model = PagedRowsModel(grid_columns(), self.source, page_size=500, tasks=ctx.tasks)
        self.model.extra_read = self.source.totals  # the totals line, read with the rows
        lay = QVBoxLayout(self)
        lay.setContentsMargins(0, 0, 0, 0)
        lay.setSpacing(4)
        lay.addLayout(self._build_filters())
        lay.addWidget(self._build_view(actions_for), 1)
        self.totals_label = QLabel()
        self.totals_label.setObjectName("totalsLabel")
        lay.addWidget(self.totals_label)
        self._search_timer = QTimer(self)
        self._search_timer.setSingleShot(True)
        self._search_timer.setInterval(300)
        self._search_timer.timeout.connect(self.reload)

    def _build_filters(self) -> QHBoxLayout:
        self.kind_combo = _combo(
            "kindFilter", [("All kinds", ALL), *((fmt.kind(k), k) for k in DISCREPANCY_KINDS)]
        )
        self.status_combo = _combo(
            "statusFilter",
            [
                ("Open and disputed", ACTIVE),
                ("All statuses", ALL),
                *((fmt.status(s), s) for s in STATUSES),
            ],
        )
        self.month_combo = _combo("monthFilter", [("All months", ALL)])
        self.search_edit = QLineEdit()
        self.search_edit.setObjectName("searchBox")
        self.search_edit.setPlaceholderText("Search member ID or name")
        self.search_edit.setClearButtonEnabled(True)
        self.search_edit.setMinimumWidth(120)
        self.search_edit.textChanged.connect(lambda _t: self._search_timer.start())
        self.search_edit.returnPressed.connect(self.reload)
        for combo in (self.kind_combo, self.status_combo, self.month_combo):
            combo.currentIndexChanged.connect(lambda _i: self.reload())
        self.set_status_button = QPushButton("Set status…")
        self.set_status_button.setObjectName("setStatusButton")
        self.set_status_button.setToolTip("Change the status of every selected row, with a note")
        self.set_status_button.setEnabled(False)
        self.set_status_button.clicked.connect(self.set_status_clicked)
        bar = QHBoxLayout()
        bar.setSpacing(6)
        for widget in (self.kind_combo, self.status_combo, self.month_combo):
            bar.addWidget(widget)
        bar.addWidget(self.search_edit, 1)
        bar.addWidget(self.set_status_button)
        return bar

    def _build_view(self, actions_for: ActionsFor) -> QTableView:
        view = QTableView()
        view.setObjectName("discrepancyGrid")
        view.setModel(self.model)
        view.verticalHeader().hide()
        view.verticalHeader().setDefaultSectionSize(22)
        view.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        view.setSelectionMode(QAbstractItemView.SelectionMode.ExtendedSelection)
        view.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        view.setAlternatingRowColors(True)
        view.setWordWrap(False)
        header = view.horizontalHeader()
        header.setResizeContentsPrecision(200)
        header.setSortIndicator(GRID_MONTH, Qt.SortOrder.AscendingOrder)
        view.setSortingEnabled(True)  # clicking a header sorts in SQL (PagedRowsModel)
        view.selectionModel().currentRowChanged.connect(self._current_changed)
        view.selectionModel().selectionChanged.connect(lambda *_a: self._selection_changed())
        self.model.modelReset.connect(self._reset)
        self.model.reloaded.connect(self._reselect)
        self.model.loading_changed.connect(self._loading)
        self.model.load_failed.connect(self._failed)
        # Columns as wide as their contents; Last note takes the rest (or gives way first).
        self.fitter = ColumnFitter(
            view, (GRID_NOTE, GRID_NAME, GRID_KIND), least={GRID_NAME: 80, GRID_KIND: 72}
        )
        header.sortIndicatorChanged.connect(lambda *_a: self.fitter.measure())
        install_grid_actions(view, actions_for)
        self.view = view
        return view

    # -- the filters ----------------------------------------------------------------------
    def fill_months(self, first: Month, last: Month) -> None:
        """The month filter's choices: every month of the range (the chosen one stays)."""
        current = self.month_combo.currentData()
        self.month_combo.blockSignals(True)
        self.month_combo.clear()
        self.month_combo.addItem("All months", ALL)
        if first <= last:
            for m in month_range(first, last):
                self.month_combo.addItem(str(m), m)
        self.month_combo.setCurrentIndex(max(find(self.month_combo, current), 0))
        self.month_combo.blockSignals(False)

    def set_filters(self, filters: dict[str, Any]) -> None:
        """Kind, status, month and text as given (a filter not given: its default), quietly."""
        widgets = (self.kind_combo, self.status_combo, self.month_combo, self.search_edit)
        for w in widgets:
            w.blockSignals(True)
        try:
            kind = self.kind_combo.findData(filters.get("kind") or ALL)
            self.kind_combo.setCurrentIndex(max(kind, 0))
            status = filters.get("status") or ACTIVE
            if isinstance(status, list | tuple | set | frozenset):
                status = ACTIVE if set(status) == set(OPEN_STATUSES) else ALL
            self.status_combo.setCurrentIndex(max(self.status_combo.findData(status), 0))
            month = filters.get("month")
            at = find(self.month_combo, month) if isinstance(month, Month) else 0
            self.month_combo.setCurrentIndex(max(at, 0))
            self.search_edit.setText(str(filters.get("text") or ""))
        finally:
            for w in widgets:
                w.blockSignals(False)

    def query(self) -> dq.DiscrepancyQuery:
        """The grid's filters (within the page's payer and months) as a service query."""
        payer, first, last = self._scope()
        month = self.month_combo.currentData()
        if isinstance(month, Month):
            first = last = month
        kind = self.kind_combo.currentData()
        status = self.status_combo.currentData()
        statuses = OPEN_STATUSES if status == ACTIVE else () if status == ALL else (status,)
        return dq.DiscrepancyQuery(
            payers=(payer,) if payer else (),
            first=first,
            last=last,
            kinds=() if kind == ALL else (kind,),
            statuses=statuses,
            text=self.search_edit.text().strip(),
        )

    @property
    def narrowed(self) -> bool:
        """Does a filter hide some of the open and disputed items of the payer and months?"""
        q = self.source.query
        return bool(q.kinds or q.text or self.month_combo.currentData() != ALL) or (
            q.statuses != OPEN_STATUSES
        )

    # -- reading --------------------------------------------------------------------------
    def reload(self, db: Any = None) -> None:
        """Count and read the first page again (on the worker), keeping the current row when
        it is still there."""
        self._search_timer.stop()
        if db is not None:
            self.source.db = db
        try:
            self.source.query = self.query()
        except PmpmError as exc:  # e.g. a range that ends before it starts
            self.totals_label.setText(str(exc))
            return
        self.view.setColumnHidden(GRID_PAYER, self._scope()[0] is not None)
        current = self.current_row()
        self._keep = key_of(current) if current is not None else self._keep
        self.model.reload()  # on the worker; ``reloaded`` selects ``_keep`` again

    def clear(self) -> None:
        self.model.set_rows([])

    def _loading(self, on: bool) -> None:
        """While the grid reads: say so under it and show a busy cursor over it (the page
        stays usable; the old rows stay until the new ones are in)."""
        if on:
            self.totals_label.setText("Reading…")
            self.view.setCursor(Qt.CursorShape.BusyCursor)
        else:
            self.view.unsetCursor()
        self._selection_changed()

    def _failed(self, exc: BaseException) -> None:
        self.totals_label.setText(f"Could not read the discrepancies: {error_text(exc)[0]}")

    def _reset(self) -> None:
        t = self.model.extra  # read with the rows, on the worker
        if not isinstance(t, dq.Totals):
            self.totals_label.clear()
        elif t.count == 0:
            self.totals_label.setText(
                "No discrepancies match these filters."
                if self.narrowed
                else "No open or disputed discrepancies: everything in this range was paid as "
                "expected, or is settled."
            )
        else:
            noun = "discrepancy" if t.count == 1 else "discrepancies"
            self.totals_label.setText(f"{t.count:,} {noun}, variance {dollars(t.variance)}")
        self._selection_changed()

    # -- selection ------------------------------------------------------------------------
    def current_row(self) -> DiscrepancyRow | None:
        index = self.view.selectionModel().currentIndex()
        rows = self.model.rows
        return rows[index.row()] if index.isValid() and index.row() < len(rows) else None

    def selected_rows(self) -> list[DiscrepancyRow]:
        chosen = sorted(i.row() for i in self.view.selectionModel().selectedRows())
        return [self.model.row(r) for r in chosen if r < self.model.rowCount()]

    def select(self, key: Key | None) -> bool:
        """Make the row of ``key`` current and the only one selected; whether it is shown."""
        for i, r in enumerate(self.model.rows):
            if key is not None and key_of(r) == key:
                self.view.selectionModel().setCurrentIndex(
                    self.model.index(i, 1),
                    QItemSelectionModel.SelectionFlag.ClearAndSelect
                    | QItemSelectionModel.SelectionFlag.Rows,
                )
                self.view.scrollTo(self.model.index(i, 1))
                return True
        return False

    def _reselect(self) -> None:
        keep, self._keep = self._keep, None
        if not self.select(keep):
            self.current_changed.emit(None, [])

    def _current_changed(self, current: QModelIndex, _previous: QModelIndex) -> None:
        rows = self.model.rows
        if current.isValid() and current.row() < len(rows):
            at = current.row()
            near = [rows[i] for i in (at + 1, at - 1) if 0 <= i < len(rows)]
            self.current_changed.emit(rows[at], near)
        else:
            self.current_changed.emit(None, [])

    def _selection_changed(self) -> None:
        n = len(self.view.selectionModel().selectedRows())
        # Not while the grid reads: the rows shown and the filter they came from differ then.
        self.set_status_button.setEnabled(n > 0 and not self.model.loading)
        self.set_status_button.setText(f"Set status ({n:,})…" if n > 1 else "Set status…")
