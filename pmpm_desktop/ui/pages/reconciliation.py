"""Reconciliation: run a reconciliation, read the month summary, work the discrepancies.

Top to bottom: the payer and month range with Reconcile (its own progress bar and Cancel); the
month summary (a kind's count filters the grid to that month and kind); the filter bar; the
discrepancy grid (paged and sorted in SQL) beside the detail pane of the selected row.

The month summary comes from the last reconciliation run here, or else from the engine over
the stored files without writing anything (``discrepancy_query.month_summary``), cached per
payer and range until files, payers or member links change.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import Any, ClassVar

from PySide6.QtCore import QDate, QEvent, QItemSelectionModel, QModelIndex, QObject, Qt, QTimer
from PySide6.QtGui import QKeySequence, QPalette, QShortcut
from PySide6.QtWidgets import (
    QAbstractItemView,
    QComboBox,
    QDateEdit,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QProgressBar,
    QPushButton,
    QSizePolicy,
    QSplitter,
    QTableView,
    QVBoxLayout,
    QWidget,
)

from pmpm_desktop.core.month import Month, month_range
from pmpm_desktop.core.payer_level import PAID_TITLE
from pmpm_desktop.core.payer_level import RULE as PAYER_LEVEL_RULE
from pmpm_desktop.core.summary import DISCREPANCY_KINDS, STATUSES, DiscrepancyRow, MonthSummary
from pmpm_desktop.errors import PmpmError
from pmpm_desktop.progress import Cancelled
from pmpm_desktop.services import discrepancy_query as dq
from pmpm_desktop.services.discrepancies import set_status
from pmpm_desktop.services.members import link_alias
from pmpm_desktop.services.reconciling import STEPS, reconcile
from pmpm_desktop.ui import format as fmt
from pmpm_desktop.ui.context import DISCREPANCIES, EVERYTHING, IMPORTS, MEMBERS, PAYERS
from pmpm_desktop.ui.dialogs import error_text, show_error, show_message
from pmpm_desktop.ui.discrepancy_detail import DiscrepancyDetail
from pmpm_desktop.ui.format import dollars
from pmpm_desktop.ui.pages.base import (
    ContentOrEmpty,
    EmptyState,
    Page,
    bold_label,
)
from pmpm_desktop.ui.reconciliation_tables import (
    GRID_MONTH,
    GRID_PAYER,
    KIND_COLUMN0,
    PAYER_LEVEL_COLUMNS,
    ColumnFitter,
    SetStatusDialog,
    SpreadFitter,
    SummaryLine,
    SummaryModel,
    grid_columns,
    summary_columns,
    summary_lines,
)
from pmpm_desktop.ui.table_model import PagedRowsModel

#: the status filter the page opens with: what still needs someone's attention
OPEN_STATUSES = ("open", "disputed")
ALL = "all"
ACTIVE = "active"
CANCELLED_NOTHING = "Reconciliation cancelled: nothing was changed."
#: the detail pane's width at first: at least this, else 30 % of the page, at most …MAX
DETAIL_WIDTH, DETAIL_MAX, DETAIL_SHARE = 340, 460, 0.3
#: the narrowest the detail pane may be dragged (it wraps and fits down to this width)
DETAIL_MIN = 300
#: month rows the summary shows at first (more scroll; the splitter below it gives it more)
SUMMARY_ROWS = 6
#: Last note takes what the grid's other columns leave; short of room, Last note, then Name,
#: then Kind give way (elided, whole in a tooltip); amounts and months never do
GRID_NAME, GRID_KIND, GRID_NOTE = 2, 4, 10


def _qdate(m: Month) -> QDate:
    return QDate(m.year, m.month, 1)


def _month_of(d: QDate) -> Month:
    return Month(d.year(), d.month())


def _find(combo: QComboBox, value: object) -> int:
    """``findData`` for Python values (a Month is not a QVariant Qt can compare)."""
    return next((i for i in range(combo.count()) if combo.itemData(i) == value), -1)


def _room(splitter: QSplitter) -> int:
    """The space a splitter shares out between its widgets, at its size now (``sizes()`` may
    still be the old ones while it is being resized)."""
    length = (
        splitter.width()
        if splitter.orientation() == Qt.Orientation.Horizontal
        else (splitter.height())
    )
    return length - splitter.handleWidth() * (splitter.count() - 1)


def _month_edit(name: str) -> QDateEdit:
    edit = QDateEdit()
    edit.setObjectName(name)
    edit.setDisplayFormat("yyyy-MM")
    edit.setCurrentSection(QDateEdit.Section.MonthSection)
    edit.setMinimumDate(QDate(2000, 1, 1))
    edit.setMaximumDate(QDate(2099, 12, 1))
    return edit


class ReconciliationPage(Page):
    key: ClassVar[str] = "reconciliation"
    title: ClassVar[str] = "Reconciliation"
    depends_on: ClassVar[frozenset[str]] = frozenset({IMPORTS, PAYERS, DISCREPANCIES})

    def __init__(self, ctx: Any, parent: QWidget | None = None) -> None:
        super().__init__(ctx, parent)
        #: (payer, first, last) → month rows: from a run here, or the engine over stored files
        self._summaries: dict[tuple[str, Month, Month], list[MonthSummary]] = {}
        self._summary_from_run: set[tuple[str, Month, Month]] = set()
        self._summary_running = False
        self._range_chosen = False  # the user picked months: keep them when rosters change
        self._reconcile_handle: Any = None
        self._codes: list[str] = []

        content = QWidget()
        outer = QVBoxLayout(content)
        outer.setContentsMargins(8, 8, 8, 4)
        outer.setSpacing(6)
        outer.addLayout(self._build_top_bar())

        self.summary_model = SummaryModel(summary_columns())
        self.summary_view = self._build_summary_view(self.summary_model)
        # Under the summary, word-wrapped: where the figures come from and what to do next is
        # read whole (an error in words can be long), and it never sets the page's width.
        self.summary_note = QLabel()
        self.summary_note.setObjectName("summaryNote")
        # muted, in the palette of the moment (a style sheet colour would keep the light one)
        self.summary_note.setForegroundRole(QPalette.ColorRole.PlaceholderText)
        self.summary_note.setWordWrap(True)
        self.summary_note.setSizePolicy(QSizePolicy.Policy.Ignored, QSizePolicy.Policy.Preferred)
        summary_box = QWidget()
        s_lay = QVBoxLayout(summary_box)
        s_lay.setContentsMargins(0, 0, 0, 0)
        s_lay.setSpacing(2)
        head = QHBoxLayout()
        heading = bold_label("Month summary")
        self.summary_totals = QLabel()
        self.summary_totals.setObjectName("summaryTotals")
        head.addWidget(heading)
        head.addSpacing(12)
        head.addWidget(self.summary_totals, 1)
        s_lay.addLayout(head)
        s_lay.addWidget(self.summary_view, 1)
        s_lay.addWidget(self.summary_note)

        grid_box = QWidget()
        g_lay = QVBoxLayout(grid_box)
        g_lay.setContentsMargins(0, 0, 0, 0)
        g_lay.setSpacing(4)
        g_lay.addLayout(self._build_filter_bar())
        self.source = dq.DiscrepancySource(ctx.db)
        # Counting, sorting and searching a million rows takes a second: the grid reads on the
        # worker (the old rows stay meanwhile, "Reading…" below them) and swaps the rows in.
        self.grid_model = PagedRowsModel(
            grid_columns(), self.source, page_size=500, tasks=ctx.tasks
        )
        self.grid_model.extra_read = self.source.totals  # the totals line, read with the rows
        #: the row selected when the latest reload started: selected again once it landed
        self._keep: DiscrepancyRow | None = None
        self.grid = QTableView()
        self.grid.setObjectName("discrepancyGrid")
        self.grid.setModel(self.grid_model)
        self.grid.verticalHeader().hide()
        self.grid.verticalHeader().setDefaultSectionSize(22)
        self.grid.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        self.grid.setSelectionMode(QAbstractItemView.SelectionMode.ExtendedSelection)
        self.grid.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        self.grid.setAlternatingRowColors(True)
        self.grid.setWordWrap(False)
        gh = self.grid.horizontalHeader()
        gh.setResizeContentsPrecision(200)
        gh.setSortIndicator(GRID_MONTH, Qt.SortOrder.AscendingOrder)
        self.grid.setSortingEnabled(True)  # clicking a header sorts in SQL (PagedRowsModel)
        self.grid.selectionModel().currentRowChanged.connect(self._current_changed)
        self.grid.selectionModel().selectionChanged.connect(self._selection_changed)
        self.grid_model.modelReset.connect(self._grid_reset)
        self.grid_model.reloaded.connect(lambda: self._reselect(self._keep))
        self.grid_model.loading_changed.connect(self._grid_loading)
        self.grid_model.load_failed.connect(self._grid_failed)
        # Columns as wide as their contents; Last note takes the rest (or gives way first).
        self.grid_fitter = ColumnFitter(
            self.grid, (GRID_NOTE, GRID_NAME, GRID_KIND), least={GRID_NAME: 80, GRID_KIND: 72}
        )
        gh.sortIndicatorChanged.connect(lambda *_a: self.grid_fitter.measure())
        g_lay.addWidget(self.grid, 1)
        self.totals_label = QLabel()
        self.totals_label.setObjectName("totalsLabel")
        g_lay.addWidget(self.totals_label)

        self.detail = DiscrepancyDetail(ctx)
        self.detail.save_requested.connect(self._save_one)
        self.detail.link_requested.connect(self._link)
        self.detail.setMinimumWidth(DETAIL_MIN)
        grid_box.setMinimumWidth(320)

        # Until the user drags a splitter the page places it (detail ~340 px, summary ~6
        # rows); afterwards the user's choice stays, and a bigger window grows the grid.
        self._grid_split_dragged = False
        self._summary_split_dragged = False
        self.grid_split = QSplitter(Qt.Orientation.Horizontal)
        self.grid_split.setObjectName("gridDetailSplitter")
        self.grid_split.addWidget(grid_box)
        self.grid_split.addWidget(self.detail)
        self.grid_split.setStretchFactor(0, 1)
        self.grid_split.setStretchFactor(1, 0)
        self.grid_split.setChildrenCollapsible(False)
        self.grid_split.setHandleWidth(7)
        self.grid_split.handle(1).setToolTip("Drag to make the details wider or narrower")
        self.grid_split.splitterMoved.connect(self._grid_split_moved)
        self.grid_split.installEventFilter(self)
        self.summary_split = QSplitter(Qt.Orientation.Vertical)
        self.summary_split.setObjectName("summarySplitter")
        self.summary_split.addWidget(summary_box)
        self.summary_split.addWidget(self.grid_split)
        self.summary_split.setStretchFactor(0, 0)
        self.summary_split.setStretchFactor(1, 1)
        self.summary_split.setChildrenCollapsible(False)
        self.summary_split.setHandleWidth(7)
        self.summary_split.handle(1).setToolTip("Drag to show more or fewer months")
        self.summary_split.splitterMoved.connect(self._summary_split_moved)
        self.summary_split.installEventFilter(self)
        outer.addWidget(self.summary_split, 1)

        self.empty = EmptyState(
            "Nothing to reconcile yet — import a roster and a statement first",
            "Reconciliation compares what each payer should have paid (from its rosters and "
            "contract rates) with what its statements say it paid. Import a roster and a "
            "statement, then come back and press Reconcile.",
            [
                ("Import a roster…", lambda: self._open_wizard("roster")),
                ("Import a statement…", lambda: self._open_wizard("remittance")),
            ],
        )
        self.empty.body.setMinimumWidth(460)  # a readable line length, not a narrow column
        self.stack = ContentOrEmpty(content, self.empty)
        lay = QVBoxLayout(self)
        lay.setContentsMargins(0, 0, 0, 0)
        lay.addWidget(self.stack)

        self._search_timer = QTimer(self)
        self._search_timer.setSingleShot(True)
        self._search_timer.setInterval(300)
        self._search_timer.timeout.connect(self.reload_grid)
        self._range_timer = QTimer(self)
        self._range_timer.setSingleShot(True)
        self._range_timer.setInterval(300)
        self._range_timer.timeout.connect(self._range_changed)
        QShortcut(QKeySequence.StandardKey.Find, self, self.search_edit.setFocus)
        ctx.data_changed.connect(self._data_changed)

    # -- building -------------------------------------------------------------------------
    def _build_top_bar(self) -> QHBoxLayout:
        bar = QHBoxLayout()
        bar.setSpacing(6)
        self.payer_combo = QComboBox()
        self.payer_combo.setObjectName("payerCombo")
        self.payer_combo.setMinimumWidth(200)
        self.payer_combo.currentIndexChanged.connect(self._payer_changed)
        self.from_edit = _month_edit("fromMonth")
        self.to_edit = _month_edit("toMonth")
        for edit in (self.from_edit, self.to_edit):
            edit.dateChanged.connect(self._range_edited)
        self.reconcile_button = QPushButton("Reconcile")
        self.reconcile_button.setObjectName("reconcileButton")
        self.reconcile_button.setDefault(True)
        self.reconcile_button.setToolTip(
            "Compare expected and paid for the payer and months, and store the discrepancies "
            "(statuses and notes are kept)"
        )
        self.reconcile_button.clicked.connect(self.start_reconcile)
        self.progress = QProgressBar()
        self.progress.setObjectName("reconcileProgress")
        self.progress.setMaximumWidth(180)
        self.progress.setTextVisible(False)
        self.progress.hide()
        self.cancel_button = QPushButton("Cancel")
        self.cancel_button.setObjectName("cancelReconcile")
        self.cancel_button.hide()
        self.run_label = QLabel()
        self.run_label.setObjectName("runLabel")
        self.run_label.setWordWrap(True)
        bar.addWidget(QLabel("Payer"))
        bar.addWidget(self.payer_combo)
        bar.addSpacing(8)
        bar.addWidget(QLabel("From"))
        bar.addWidget(self.from_edit)
        bar.addWidget(QLabel("to"))
        bar.addWidget(self.to_edit)
        bar.addSpacing(8)
        bar.addWidget(self.reconcile_button)
        bar.addWidget(self.progress)
        bar.addWidget(self.cancel_button)
        bar.addWidget(self.run_label, 1)
        return bar

    def _build_summary_view(self, model: SummaryModel) -> QTableView:
        view = QTableView()
        view.setObjectName("summaryView")
        view.setModel(model)
        view.verticalHeader().hide()
        view.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        view.setSelectionMode(QAbstractItemView.SelectionMode.NoSelection)
        view.setAlternatingRowColors(True)
        view.verticalHeader().setDefaultSectionSize(22)
        view.clicked.connect(self._summary_clicked)
        # Months and amounts as wide as they are (never cut), the kinds' counts share the rest;
        # short of room (a narrow window, the payer-level columns) it scrolls sideways.
        self.summary_fitter = SpreadFitter(view, range(KIND_COLUMN0, model.columnCount()))
        for column in PAYER_LEVEL_COLUMNS:  # shown when a payer was paid without members
            view.setColumnHidden(column, True)
        return view

    def _build_filter_bar(self) -> QHBoxLayout:
        bar = QHBoxLayout()
        bar.setSpacing(6)
        self.kind_combo = QComboBox()
        self.kind_combo.setObjectName("kindFilter")
        self.kind_combo.addItem("All kinds", ALL)
        for k in DISCREPANCY_KINDS:
            self.kind_combo.addItem(fmt.kind(k), k)
        self.status_combo = QComboBox()
        self.status_combo.setObjectName("statusFilter")
        self.status_combo.addItem("Open and disputed", ACTIVE)
        self.status_combo.addItem("All statuses", ALL)
        for s in STATUSES:
            self.status_combo.addItem(fmt.status(s), s)
        self.month_combo = QComboBox()
        self.month_combo.setObjectName("monthFilter")
        self.month_combo.addItem("All months", ALL)
        self.search_edit = QLineEdit()
        self.search_edit.setObjectName("searchBox")
        self.search_edit.setPlaceholderText("Search member ID or name")
        self.search_edit.setClearButtonEnabled(True)
        self.search_edit.textChanged.connect(lambda _t: self._search_timer.start())
        self.search_edit.returnPressed.connect(self._search_now)
        for combo in (self.kind_combo, self.status_combo, self.month_combo):
            combo.currentIndexChanged.connect(lambda _i: self.reload_grid())
        self.set_status_button = QPushButton("Set status…")
        self.set_status_button.setObjectName("setStatusButton")
        self.set_status_button.setToolTip("Change the status of every selected row, with a note")
        self.set_status_button.setEnabled(False)
        self.set_status_button.clicked.connect(self.open_set_status)
        bar.addWidget(self.kind_combo)
        bar.addWidget(self.status_combo)
        bar.addWidget(self.month_combo)
        bar.addWidget(self.search_edit, 1)
        bar.addWidget(self.set_status_button)
        return bar

    # -- reading --------------------------------------------------------------------------
    def refresh(self) -> None:
        db = self.ctx.db
        self.source.db = db
        has_work = dq.has_work(db)
        self.stack.show_empty(not has_work)
        if not has_work:
            self.grid_model.set_rows([])
            self.summary_model.set_rows([])
            self.detail.show_row(None)
            return
        self._fill_payers()
        if not self._range_chosen:
            found = dq.default_range(db)
            if found is not None:
                self._set_range(*found)
        self._fill_months()
        self.reload_grid()
        self.show_summary()

    def _fill_payers(self) -> None:
        current = self.payer_code
        payers = dq.payer_codes(self.ctx.db)
        self._codes = [c for c, _n in payers]
        self.payer_combo.blockSignals(True)
        self.payer_combo.clear()
        self.payer_combo.addItem("All payers", None)
        for code, name in payers:
            self.payer_combo.addItem(f"{code} — {name}", code)
        at = self.payer_combo.findData(current) if current else 0
        self.payer_combo.setCurrentIndex(max(at, 0))
        self.payer_combo.blockSignals(False)

    def _set_range(self, first: Month, last: Month) -> None:
        for edit, m in ((self.from_edit, first), (self.to_edit, last)):
            edit.blockSignals(True)
            edit.setDate(_qdate(m))
            edit.blockSignals(False)

    def _fill_months(self) -> None:
        current = self.month_combo.currentData()
        self.month_combo.blockSignals(True)
        self.month_combo.clear()
        self.month_combo.addItem("All months", ALL)
        first, last = self.first, self.last
        if first <= last:
            for m in month_range(first, last):
                self.month_combo.addItem(str(m), m)
        self.month_combo.setCurrentIndex(max(_find(self.month_combo, current), 0))
        self.month_combo.blockSignals(False)

    @property
    def payer_code(self) -> str | None:
        code = self.payer_combo.currentData()
        return str(code) if code else None

    @property
    def first(self) -> Month:
        return _month_of(self.from_edit.date())

    @property
    def last(self) -> Month:
        return _month_of(self.to_edit.date())

    @property
    def codes(self) -> list[str]:
        """The payers the page is about: the chosen one, or every payer."""
        return [self.payer_code] if self.payer_code else list(self._codes)

    def query(self) -> dq.DiscrepancyQuery:
        """The grid's filters as a service query."""
        month = self.month_combo.currentData()
        first, last = (month, month) if isinstance(month, Month) else (self.first, self.last)
        kind = self.kind_combo.currentData()
        status = self.status_combo.currentData()
        statuses = OPEN_STATUSES if status == ACTIVE else () if status == ALL else (status,)
        return dq.DiscrepancyQuery(
            payers=(self.payer_code,) if self.payer_code else (),
            first=first,
            last=last,
            kinds=() if kind == ALL else (kind,),
            statuses=statuses,
            text=self.search_edit.text().strip(),
        )

    def reload_grid(self) -> None:
        """Count and read the first page again, keeping the selected row when it is still there."""
        self._search_timer.stop()
        keep = self.detail.row
        self.source.db = self.ctx.db
        try:
            self.source.query = self.query()
        except PmpmError as exc:  # e.g. a range that ends before it starts
            self.totals_label.setText(str(exc))
            return
        self.grid.setColumnHidden(GRID_PAYER, self.payer_code is not None)
        self._keep = keep
        self.grid_model.reload()  # on the worker; ``reloaded`` reselects ``keep``

    def _search_now(self) -> None:
        self.reload_grid()

    def _grid_loading(self, on: bool) -> None:
        """While the grid reads: say so under it and show a busy cursor over it (the page
        stays usable; the old rows stay until the new ones are in)."""
        if on:
            self.totals_label.setText("Reading…")
            self.grid.setCursor(Qt.CursorShape.BusyCursor)
        else:
            self.grid.unsetCursor()
        self._selection_changed()

    def _grid_failed(self, exc: BaseException) -> None:
        self.totals_label.setText(f"Could not read the discrepancies: {error_text(exc)[0]}")

    def _grid_reset(self) -> None:
        extra = self.grid_model.extra
        # The totals came with the rows (read on the worker); rows set outright count here.
        t = extra if isinstance(extra, dq.Totals) else self.source.totals()
        if t.count == 0:
            q = self.source.query
            narrowed = q.kinds or q.text or self.month_combo.currentData() != ALL
            self.totals_label.setText(
                "No discrepancies match these filters."
                if narrowed or q.statuses != OPEN_STATUSES
                else "No open or disputed discrepancies: everything in this range was paid as "
                "expected, or is settled."
            )
        else:
            noun = "discrepancy" if t.count == 1 else "discrepancies"
            self.totals_label.setText(f"{t.count:,} {noun}, variance {dollars(t.variance)}")
        self._selection_changed()

    def _reselect(self, keep: DiscrepancyRow | None) -> None:
        if keep is not None:
            key = DiscrepancyDetail.key_of(keep)
            for i, r in enumerate(self.grid_model.rows):
                if DiscrepancyDetail.key_of(r) == key:
                    self.grid.selectionModel().setCurrentIndex(
                        self.grid_model.index(i, 1),
                        QItemSelectionModel.SelectionFlag.ClearAndSelect
                        | QItemSelectionModel.SelectionFlag.Rows,
                    )
                    return
        self.detail.show_row(None)

    # -- the month summary ----------------------------------------------------------------
    def show_summary(self) -> None:
        """Show the summary for the payer(s) and range; work it out on the worker if needed."""
        first, last = self.first, self.last
        codes = self.codes
        if last < first:
            self.summary_model.set_rows([])
            self.summary_totals.clear()
            self.summary_note.setText("The range ends before it starts: choose the months again.")
            return
        missing = [c for c in codes if (c, first, last) not in self._summaries]
        self.summary_view.setColumnHidden(0, self.payer_code is not None)
        if not missing:
            lines = summary_lines([(c, self._summaries[(c, first, last)]) for c in codes])
            total = lines[-1] if lines else None
            level = total.payer_level if total is not None else None
            # the payer-level columns only for payers that were paid so (most never are)
            for column in PAYER_LEVEL_COLUMNS:
                self.summary_view.setColumnHidden(column, level is None)
            self.summary_model.set_rows(lines)
            self.summary_totals.setText(
                f"Expected {dollars(total.expected)} · Paid {dollars(total.paid)} · "
                f"Variance <b>{dollars(total.variance)}</b>"
                + ("" if level is None else f" · {PAID_TITLE} {dollars(level.paid)}")
                if total is not None
                else "No months to show"
            )
            from_run = all((c, first, last) in self._summary_from_run for c in codes)
            self.summary_note.setText(
                (
                    "As reconciled just now. Click a count to list those discrepancies."
                    if from_run
                    else "From the stored files. Press Reconcile to update the discrepancies; "
                    "click a count to list them."
                )
                + ("" if level is None else f" {PAYER_LEVEL_RULE}")
            )
            self._fit_summary()
            return
        if self._summary_running:
            return  # shown when the running one reports back
        self._summary_running = True
        self.summary_totals.clear()
        self.summary_note.setText("Working it out from the stored files…")
        db = self.ctx.db

        def work(progress: Callable[[int, int], bool]) -> dict[str, list[MonthSummary]]:
            out = {}
            for i, code in enumerate(missing):
                if not progress(i, len(missing)):
                    raise Cancelled("cancelled")
                out[code] = dq.month_summary(db, code, first, last)
            return out

        def done(found: dict[str, list[MonthSummary]]) -> None:
            self._summary_running = False
            for code, months in found.items():
                self._summaries[(code, first, last)] = months
            self.show_summary()

        def failed(exc: BaseException) -> None:
            self._summary_running = False
            self.summary_model.set_rows([])
            self.summary_note.setText(
                f"Could not be worked out: {error_text(exc)[0]} "
                "Press Reconcile to refresh the month summary."
            )

        def cancelled() -> None:
            self._summary_running = False

        self.ctx.tasks.run(
            "Month summary",
            work,
            on_success=done,
            on_failure=failed,
            on_cancel=cancelled,
            parent=self,
            show_progress=False,
        )

    # -- the splitters -------------------------------------------------------------------
    def _summary_height(self) -> int:
        """The summary's height at first: its heading, ~6 month rows (a single payer's months
        and its totals line when they are 7), and the note under it."""
        view = self.summary_view
        rows = self.summary_model.rowCount()
        # all of a single payer's 6 months and its totals line; else ~6 rows (more scroll)
        shown = rows if rows <= SUMMARY_ROWS + 1 else SUMMARY_ROWS
        shown = max(shown, 3)
        box = self.summary_split.widget(0)
        width = max(box.width(), 300)
        note = self.summary_note.heightForWidth(width) if self.summary_note.text() else 0
        lay = box.layout()
        heading = lay.itemAt(0).sizeHint().height() if lay is not None else 20
        # the room the columns get: the view's, less a vertical scroll bar when rows are hidden
        # (asked now, the view may still have the scroll bars of the rows it showed before)
        room = view.width() - 2 * view.frameWidth()
        if rows > shown:
            room -= view.verticalScrollBar().sizeHint().width()
        bar = view.horizontalScrollBar().sizeHint().height()
        scroll = bar if self.summary_fitter.overflows(room) else 0
        return (
            heading
            + scroll
            + view.horizontalHeader().sizeHint().height()
            + shown * view.verticalHeader().defaultSectionSize()
            + 2 * view.frameWidth()
            + max(note, self.summary_note.fontMetrics().height())
            + 2 * (lay.spacing() if lay is not None else 2)
        )

    def _fit_summary(self, _rows: int = 0) -> None:
        """Give the summary the height of ~6 rows (more scroll), the grid the rest, unless the
        user has dragged the splitter between them."""
        if self._summary_split_dragged:
            return
        want = self._summary_height()
        total = _room(self.summary_split)
        if total > want + 200:
            self.summary_split.setSizes([want, total - want])

    def _fit_detail(self) -> None:
        """The detail pane's width at first: ~340 px in a 1280-px window, a little more in a
        bigger one; the grid gets the rest."""
        if self._grid_split_dragged:
            return
        total = _room(self.grid_split)
        if total <= 0:
            return
        detail = min(max(DETAIL_WIDTH, round(total * DETAIL_SHARE)), DETAIL_MAX)
        detail = min(detail, max(total - self.grid_split.widget(0).minimumWidth(), DETAIL_MIN))
        if self.grid_split.sizes()[1] != detail:
            self.grid_split.setSizes([total - detail, detail])

    def _grid_split_moved(self, _pos: int, _index: int) -> None:
        self._grid_split_dragged = True

    def _summary_split_moved(self, _pos: int, _index: int) -> None:
        self._summary_split_dragged = True

    def eventFilter(self, watched: QObject, event: QEvent) -> bool:
        if event.type() == QEvent.Type.Resize:
            if watched is self.grid_split:
                self._fit_detail()
            elif watched is self.summary_split:
                self._fit_summary()
        return super().eventFilter(watched, event)

    def _summary_clicked(self, index: QModelIndex) -> None:
        if not index.isValid() or index.column() < KIND_COLUMN0:
            return
        line: SummaryLine = self.summary_model.row(index.row())
        kind = DISCREPANCY_KINDS[index.column() - KIND_COLUMN0]
        filters: dict[str, Any] = {"kind": kind, "status": ALL}
        filters["month"] = line.month if line.month is not None else None
        if line.payer_code and self.payer_code is None:
            filters["payer"] = line.payer_code
        self.apply_filters(filters)

    # -- filters from elsewhere -----------------------------------------------------------
    def apply_filters(self, filters: dict[str, Any]) -> None:
        """Show what the Dashboard (or the import wizard) asks for: payer, kind, status,
        month, text. A filter not given goes back to its default (the payer stays as it is),
        so what arrives is exactly what is shown; unknown values are ignored, not refused."""
        if not self.stack.is_empty and self.payer_combo.count() <= 1:
            self.refresh()  # navigated here before the page was ever shown
        widgets = (self.payer_combo, self.kind_combo, self.status_combo, self.month_combo)
        for w in widgets:
            w.blockSignals(True)
        payer_changed = False
        try:
            if "payer" in filters:
                code = filters["payer"]
                at = self.payer_combo.findData(str(code).strip().upper()) if code else 0
                if at >= 0 and at != self.payer_combo.currentIndex():
                    self.payer_combo.setCurrentIndex(at)
                    payer_changed = True
            kind = filters.get("kind") or ALL
            self.kind_combo.setCurrentIndex(max(self.kind_combo.findData(kind), 0))
            status = filters.get("status") or ACTIVE
            if isinstance(status, list | tuple | set | frozenset):
                status = ACTIVE if set(status) == set(OPEN_STATUSES) else ALL
            at = self.status_combo.findData(status)
            self.status_combo.setCurrentIndex(max(at, 0))
            month = filters.get("month")
            if isinstance(month, str):
                try:
                    month = Month.parse(month)
                except (ValueError, PmpmError):
                    month = None
            if isinstance(month, Month) and not self.first <= month <= self.last:
                self._range_chosen = True
                self._set_range(min(month, self.first), max(month, self.last))
                self._fill_months()
                payer_changed = True
            at = _find(self.month_combo, month) if isinstance(month, Month) else 0
            self.month_combo.setCurrentIndex(max(at, 0))
        finally:
            for w in widgets:
                w.blockSignals(False)
        self.search_edit.blockSignals(True)
        self.search_edit.setText(str(filters.get("text") or ""))
        self.search_edit.blockSignals(False)
        self.reload_grid()
        if payer_changed:
            self.show_summary()

    # -- reacting -------------------------------------------------------------------------
    def _data_changed(self, what: str) -> None:
        self.detail.clear_cache()
        if what in (IMPORTS, PAYERS, MEMBERS, EVERYTHING):
            self._summaries.clear()
            self._summary_from_run.clear()
        if what == EVERYTHING:
            self._range_chosen = False

    def _payer_changed(self, _index: int) -> None:
        self.reload_grid()
        self.show_summary()

    def _range_edited(self, _date: QDate) -> None:
        self._range_chosen = True
        self._range_timer.start()

    def _range_changed(self) -> None:
        self._fill_months()
        self.reload_grid()
        self.show_summary()

    def _current_changed(self, current: QModelIndex, _previous: QModelIndex) -> None:
        rows = self.grid_model.rows
        if current.isValid() and current.row() < len(rows):
            at = current.row()
            near = [rows[i] for i in (at + 1, at - 1) if 0 <= i < len(rows)]
            self.detail.show_row(rows[at], near)
        else:
            self.detail.show_row(None)

    def _selection_changed(self, *_args: object) -> None:
        n = len(self.grid.selectionModel().selectedRows())
        # Not while the grid reads: the rows shown and the filter they came from differ then.
        self.set_status_button.setEnabled(n > 0 and not self.grid_model.loading)
        self.set_status_button.setText(f"Set status ({n:,})…" if n > 1 else "Set status…")

    def selected_rows(self) -> list[DiscrepancyRow]:
        rows = sorted(i.row() for i in self.grid.selectionModel().selectedRows())
        return [self.grid_model.row(r) for r in rows if r < len(self.grid_model.rows)]

    # -- reconciling ----------------------------------------------------------------------
    def start_reconcile(self) -> None:
        if self._reconcile_handle is not None:
            return
        codes, first, last = self.codes, self.first, self.last
        if not codes:
            show_message(self, "Reconcile", "There is no payer yet: add a payer first.")
            return
        db = self.ctx.db
        done: list[Any] = []
        total = len(codes) * STEPS

        def work(progress: Callable[[int, int], bool]) -> list[Any]:
            for i, code in enumerate(codes):
                if not progress(i * STEPS, total):
                    raise Cancelled("cancelled")

                def step(d: int, _t: int, i: int = i) -> bool:
                    return progress(i * STEPS + d, total)

                done.append(reconcile(db, code, first, last, step))
            return list(done)

        self.reconcile_button.setEnabled(False)
        self.run_label.setText(f"Reconciling {', '.join(codes)}, {first} to {last}…")
        self.progress.setRange(0, total)
        self.progress.setValue(0)
        self.progress.show()
        self.cancel_button.setEnabled(True)
        self.cancel_button.show()
        handle = self.ctx.tasks.run(
            "Reconcile",
            work,
            on_success=lambda result: self._reconciled(result, first, last),
            on_failure=self._reconcile_failed,
            on_cancel=lambda: self._reconcile_cancelled(done, codes, first, last),
            parent=self,
            show_progress=False,
        )
        handle.progressed.connect(lambda d, t: self.progress.setValue(min(d, t)))
        self.cancel_button.clicked.connect(handle.cancel)
        self.cancel_button.clicked.connect(self._cancelling)
        handle.finished.connect(self._reconcile_finished)
        self._reconcile_handle = handle

    def _cancelling(self) -> None:
        self.cancel_button.setEnabled(False)
        self.run_label.setText("Cancelling…")

    def _reconcile_finished(self) -> None:
        handle = self._reconcile_handle
        self._reconcile_handle = None
        if handle is not None:
            self.cancel_button.clicked.disconnect(handle.cancel)
            self.cancel_button.clicked.disconnect(self._cancelling)
        self.progress.hide()
        self.cancel_button.hide()
        self.reconcile_button.setEnabled(True)

    def _store_run(self, summaries: Sequence[Any], first: Month, last: Month) -> None:
        for s in summaries:
            self._summaries[(s.payer_code, first, last)] = s.months
            self._summary_from_run.add((s.payer_code, first, last))

    def _reconciled(self, summaries: list[Any], first: Month, last: Month) -> None:
        found = sum(len(s.discrepancies) for s in summaries)
        who = ", ".join(s.payer_code for s in summaries)
        text = f"Reconciled {who}, {first} to {last}: {found:,} discrepancies stored"
        self.ctx.changed(DISCREPANCIES, text)
        self._store_run(summaries, first, last)
        self.run_label.setText(text + ".")
        self.reload_grid()
        self.show_summary()

    def _reconcile_failed(self, exc: BaseException) -> None:
        self.run_label.setText("Reconciliation failed: nothing was changed.")
        show_error(self, "Reconcile", exc)

    def _reconcile_cancelled(
        self, done: list[Any], codes: list[str], first: Month, last: Month
    ) -> None:
        if not done:
            self.run_label.setText(CANCELLED_NOTHING)
            self.ctx.status_message.emit(CANCELLED_NOTHING)
            return
        finished = [s.payer_code for s in done]
        rest = [c for c in codes if c not in finished]
        text = (
            f"Reconciliation cancelled: {', '.join(finished)} reconciled; "
            f"{', '.join(rest)} not changed."
        )
        self.ctx.changed(DISCREPANCIES, text)
        self._store_run(done, first, last)
        self.run_label.setText(text)
        self.reload_grid()
        self.show_summary()

    # -- status changes -------------------------------------------------------------------
    def open_set_status(self) -> SetStatusDialog | None:
        rows = self.selected_rows()
        if not rows:
            return None
        # Every loaded row selected while more match than are loaded (the grid reads pages):
        # offer to apply to all of them.
        everything = len(rows) == self.grid_model.rowCount()
        more = self.grid_model.total > len(rows)
        matching = self.grid_model.total if everything and more else None
        query = self.source.query
        keys = [(r.payer_code, r.member_id, r.month) for r in rows]

        def apply(status: str, note: str, all_matching: bool) -> None:
            db = self.ctx.db
            if all_matching:
                work = lambda _p: dq.set_status_matching(db, query, status, note)  # noqa: E731
            else:
                work = lambda _p: dq.set_status_many(db, keys, status, note)  # noqa: E731
            self.ctx.tasks.run(
                "Set status",
                work,
                on_success=lambda n: self._statuses_set(n, status),
                on_failure=self._failure("Set status"),
                parent=self,
                show_progress=False,
            )

        dialog = SetStatusDialog(len(rows), matching, apply, self)
        self.status_dialog = dialog
        dialog.open()
        return dialog

    def _statuses_set(self, n: int, status: str) -> None:
        noun = "discrepancy" if n == 1 else "discrepancies"
        self.ctx.changed(DISCREPANCIES, f"Set {n:,} {noun} to {fmt.status(status)}")
        self.reload_grid()

    def _save_one(self, row: DiscrepancyRow, status: str, note: str) -> None:
        db = self.ctx.db

        def saved(_result: object) -> None:
            self.ctx.changed(
                DISCREPANCIES, f"{row.member_id} {row.month}: {fmt.status(status)}, saved"
            )
            self.reload_grid()
            if self.detail.row is not None and self.detail.key_of(
                self.detail.row
            ) == self.detail.key_of(row):
                self.detail.show_row(self.detail.row)  # history and note again

        self.ctx.tasks.run(
            "Save status",
            lambda _p: set_status(db, row.payer_code, row.member_id, row.month, status, note),
            on_success=saved,
            on_failure=self._failure("Save status"),
            parent=self,
            show_progress=False,
        )

    def _link(self, row: DiscrepancyRow, member_id: str) -> None:
        db = self.ctx.db
        first, last = self.first, self.last
        if last < first:
            first = last = row.month

        def work(_progress: Callable[[int, int], bool]) -> tuple[Any, Any]:
            link = link_alias(db, row.payer_code, row.member_id, member_id)
            return link, reconcile(db, row.payer_code, first, last)

        def linked(result: tuple[Any, Any]) -> None:
            link, summary = result
            text = (
                f"ID {link.alias_id} is now linked to {link.name or link.member_id} "
                f"({link.member_id}); {link.payer_code} reconciled again."
            )
            self.ctx.changed(MEMBERS)
            self.ctx.changed(DISCREPANCIES, text)
            self._store_run([summary], first, last)
            self.run_label.setText(text)
            self.reload_grid()
            self.show_summary()

        self.run_label.setText(f"Linking {row.member_id} to {member_id}…")
        self.ctx.tasks.run(
            "Link member",
            work,
            on_success=linked,
            on_failure=self._failure("Link to member"),
            parent=self,
            show_progress=False,
        )

    def _failure(self, title: str) -> Callable[[BaseException], None]:
        """Say in a box why a task failed (nothing it started was kept)."""

        def failed(exc: BaseException) -> None:
            show_error(self, title, exc)

        return failed

    # -- empty state ----------------------------------------------------------------------
    def _open_wizard(self, kind: str) -> None:
        try:
            from pmpm_desktop.ui.import_wizard import open_import_wizard
        except ImportError:
            show_message(self, "Import", "The import wizard is not available in this build.")
            return
        open_import_wizard(self.ctx, self, kind=kind)


__all__ = ["ReconciliationPage", "SetStatusDialog", "summary_lines"]
