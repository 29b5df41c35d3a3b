"""The Rosters and Payment statements pages: every file imported, its rows, and rolling one back.

One implementation serves both (``ImportsPage``); the two pages differ in the kind of import
they list, their columns and their sentences (``imports_columns``, ``imports_texts``). The list
is read in the background (``ui.operations.imports.read_imports``: a newer read replaces an
older one); an opened import's rows are the ``imports_detail`` panel's. Rolling back is an
operation too, announced to the other pages when done.
"""

from __future__ import annotations

from typing import Any, ClassVar

from PySide6.QtCore import QEvent, QItemSelectionModel, Qt
from PySide6.QtGui import QAction, QBrush, QColor, QKeySequence, QPalette, QShortcut
from PySide6.QtWidgets import QHBoxLayout, QLabel, QSplitter, QVBoxLayout, QWidget

from pmpm_desktop.io.options import FileKind
from pmpm_desktop.services.import_history import ImportInfo, RollbackResult
from pmpm_desktop.ui import dialogs
from pmpm_desktop.ui.context import AppContext, Changed
from pmpm_desktop.ui.grids import install_grid_actions
from pmpm_desktop.ui.operations import imports as ops
from pmpm_desktop.ui.pages import imports_texts as texts
from pmpm_desktop.ui.pages.base import ContentOrEmpty, EmptyState, Page, page_title
from pmpm_desktop.ui.pages.imports_bar import FilterBar
from pmpm_desktop.ui.pages.imports_columns import (
    LINE_COLUMNS,
    ROSTER_COLUMNS,
    ROSTER_ROW_COLUMNS,
    STATEMENT_COLUMNS,
    ImportsModel,
    total_check,
)
from pmpm_desktop.ui.pages.imports_detail import ImportDetail, grid
from pmpm_desktop.ui.pages.imports_layout import ColumnFit, firm_columns, split_sizes
from pmpm_desktop.ui.table_model import Column
from pmpm_desktop.ui.theme import negative_color


def _dim(widget: QWidget) -> QBrush:
    return QBrush(widget.palette().color(QPalette.ColorGroup.Disabled, QPalette.ColorRole.Text))


def warn_color(widget: QWidget) -> QColor:
    return negative_color(widget.palette())


class ImportsPage(Page):
    """The imports of one kind (``kind``): filter, open one's rows, roll one back."""

    kind: ClassVar[FileKind]
    #: "roster" / "statement": how the page names one import
    noun: ClassVar[str]
    nouns: ClassVar[str]
    columns: ClassVar[list[Column]]
    row_columns: ClassVar[list[Column]]
    subtitle_text: ClassVar[str]
    empty_text: ClassVar[str]
    depends_on = frozenset({Changed.PAYERS, Changed.IMPORTS})

    def __init__(self, ctx: AppContext, parent: QWidget | None = None) -> None:
        super().__init__(ctx, parent)
        self.imports: list[ImportInfo] = []
        self._rolling_back = False
        #: the grid's share of the height the user last dragged the split to (None: not yet)
        self.grid_share: float | None = None
        content = QWidget()
        self.outer = QVBoxLayout(content)
        self.outer.setContentsMargins(24, 20, 24, 16)
        self.outer.setSpacing(10)
        self.subtitle = QLabel(self.subtitle_text)
        self.subtitle.setObjectName("importsSubtitle")
        self.subtitle.setWordWrap(True)
        bar = self._build_bar()
        heading = QHBoxLayout()
        heading.addWidget(page_title(self.title))
        heading.addStretch(1)
        heading.addWidget(self.count_label, 0, Qt.AlignmentFlag.AlignBottom)
        self.outer.addLayout(heading)
        self.outer.addWidget(self.subtitle)
        self.outer.addWidget(bar)
        self._build_grid()
        self._build_detail()
        self.outer.addWidget(self.splitter, 1)
        self.outer.addWidget(self.detail_hint)
        self.empty = EmptyState(
            f"No {self.nouns} imported yet",
            self.empty_text,
            [(f"Import {self.noun}…", self.open_wizard)],
        )
        self.empty.body.setMinimumWidth(460)  # a paragraph, not a narrow column of words
        self.stack = ContentOrEmpty(content, self.empty)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addWidget(self.stack)
        self._update_buttons()

    # -- building ------------------------------------------------------------------------
    def _build_bar(self) -> FilterBar:
        """Payer filter, file search, count, and the page's buttons."""
        self.bar = FilterBar(
            self.noun, self.nouns, self.open_wizard, self.open_selected, self.ask_rollback
        )
        self.bar.changed.connect(self._filter)
        # the bar's parts, as the page's tests and navigation reach them
        self.payer_combo, self.search = self.bar.payer_combo, self.bar.search
        self.count_label = self.bar.count_label
        self.import_button, self.open_button = self.bar.import_button, self.bar.open_button
        self.rollback_button = self.bar.rollback_button
        return self.bar

    def _build_grid(self) -> None:
        """The imports grid: sorted newest first, the file name taking the spare width."""
        self.model = ImportsModel(self.columns, _dim(self), QBrush(warn_color(self)), parent=self)
        self.table = grid()
        self.table.setObjectName("importsTable")
        self.table.setModel(self.model)
        self.table.setSortingEnabled(True)
        imported = next(n for n, c in enumerate(self.columns) if c.title == "Imported")
        self.table.sortByColumn(imported, Qt.SortOrder.DescendingOrder)
        # The file name takes the spare width (elided in the middle, whole in its tooltip).
        # "Off by $25.00" is an amount too: never cut
        check = {self.model.check_column} if self.model.check_column is not None else set()
        firm = firm_columns(self.columns) | check
        self.fit = ColumnFit(self.table, self.model.file_column, least=180, firm=firm)
        self.table.doubleClicked.connect(lambda _index: self.open_selected())
        for key in (Qt.Key.Key_Return, Qt.Key.Key_Enter):
            enter = QShortcut(QKeySequence(key), self.table)
            enter.setContext(Qt.ShortcutContext.WidgetShortcut)
            enter.activated.connect(self.open_selected)
        self.table.selectionModel().selectionChanged.connect(self._update_buttons)
        install_grid_actions(self.table, self.actions_for)

    def _build_detail(self) -> None:
        """The opened import's rows under the grid, in a draggable split; until one is
        opened the grid has the whole height and a line under it says how to open one."""
        self.detail = ImportDetail(self.row_columns)
        self.detail.close_requested.connect(self.close_import)
        self.detail.setVisible(False)
        # the panel's parts, as the page's tests and the window reach them
        self.rows_model = self.detail.rows_model
        self.rows_table = self.detail.rows_table
        self.rows_fit = self.detail.rows_fit
        self.detail_title, self.detail_facts = self.detail.title, self.detail.facts
        self.row_search, self.close_button = self.detail.search, self.detail.close_button
        rows = "rows" if self.kind is FileKind.ROSTER else "lines"
        self.detail_hint = QLabel(
            f"Select a {self.noun} and press Open (or double-click it) to see its {rows} below."
        )
        self.detail_hint.setObjectName("detailHint")
        self.detail_hint.setEnabled(False)
        self.splitter = QSplitter(Qt.Orientation.Vertical)
        self.splitter.setObjectName("importsSplitter")
        self.splitter.addWidget(self.table)
        self.splitter.addWidget(self.detail)
        self.splitter.setStretchFactor(0, 2)
        self.splitter.setStretchFactor(1, 3)
        self.splitter.setChildrenCollapsible(False)
        self.splitter.splitterMoved.connect(self._split_moved)

    def actions_for(self, rows: list[int]) -> list[QAction]:
        """The grid's right-click actions for the import under the pointer."""
        if len(rows) != 1:
            return []
        info: ImportInfo = self.model.row(rows[0])
        show = QAction(f"Show {'rows' if self.kind is FileKind.ROSTER else 'lines'}", self)
        show.triggered.connect(lambda: self.open_import(info))
        back = QAction("Roll back this import…", self)
        back.setEnabled(not self._rolling_back)
        back.triggered.connect(lambda: self.ask_rollback(info))
        return [show, back]

    def changeEvent(self, event: QEvent) -> None:
        """The OS switched between light and dark: grey and red follow the new palette."""
        super().changeEvent(event)
        if event.type() == QEvent.Type.PaletteChange and hasattr(self, "model"):
            self.model.dim = _dim(self)
            self.model.warn = QBrush(warn_color(self))
            self.table.viewport().update()
            if self.opened is not None:
                self.detail.describe(self.opened, warn_color(self))

    # -- reading ---------------------------------------------------------------------------
    def refresh(self) -> None:
        """Read the payers and imports again, in the background."""
        self.ctx.run(
            ops.read_imports(self.ctx.db, self.kind),
            parent=self,
            on_success=self._show,
            on_failure=self._failed,
            show_progress=False,
        )

    def _failed(self, exc: BaseException) -> None:
        text, _details = dialogs.error_text(exc)
        self.count_label.setText(f"The {self.nouns} could not be read: {text}")

    def _show(self, listing: ops.ImportsListing) -> None:
        self.imports = listing.imports
        self.bar.set_payers(listing.payers)
        self.stack.show_empty(not self.imports)
        self._filter()
        db = self.detail.source_db
        if db is not None and db is not self.ctx.db:
            self.close_import()  # another database was opened: its ids mean other imports
        if self.opened is not None:
            still = next((i for i in self.imports if i.id == self.opened.id), None)
            if still is None:
                self.close_import()
            else:
                self.detail.describe(still, warn_color(self))

    def shown_imports(self) -> list[ImportInfo]:
        """The imports the filter bar lets through."""
        return self.bar.shown(self.imports)

    def _filter(self) -> None:
        selected = self.selected()
        shown = self.shown_imports()
        self.model.set_rows(shown)
        header = self.table.horizontalHeader()
        self.model.sort(header.sortIndicatorSection(), header.sortIndicatorOrder())
        self.bar.count(len(shown), len(self.imports))
        self.fit.measure()
        if selected is not None:
            self.select(selected.id)
        self._update_buttons()

    # -- selection -------------------------------------------------------------------------
    def selected(self) -> ImportInfo | None:
        rows = self.table.selectionModel().selectedRows()
        return self.model.row(rows[0].row()) if rows else None

    def select(self, import_id: int) -> bool:
        for n, info in enumerate(self.model.rows):
            if info.id == import_id:
                flags = (
                    QItemSelectionModel.SelectionFlag.ClearAndSelect
                    | QItemSelectionModel.SelectionFlag.Rows
                )
                self.table.selectionModel().select(self.model.index(n, 0), flags)
                self.table.scrollTo(self.model.index(n, 0))
                return True
        return False

    def _update_buttons(self, *_args: object) -> None:
        chosen = self.selected() is not None
        self.open_button.setEnabled(chosen)
        self.rollback_button.setEnabled(chosen and not self._rolling_back)

    # -- an import's rows ------------------------------------------------------------------
    @property
    def opened(self) -> ImportInfo | None:
        """The import whose rows are shown under the grid (None when none is)."""
        return self.detail.opened

    @property
    def detail_open(self) -> bool:
        """Whether an import's rows are shown under the grid."""
        return not self.detail.isHidden()

    def open_selected(self) -> None:
        info = self.selected()
        if info is not None:
            self.open_import(info)

    def open_import(self, info: ImportInfo) -> None:
        if not self.detail.isVisibleTo(self):
            self._show_detail(True)
        self.detail.open_import(self.ctx.db, info, warn_color(self))

    def close_import(self) -> None:
        self.detail.clear()
        self._show_detail(False)

    def _show_detail(self, shown: bool) -> None:
        self.detail_hint.setVisible(not shown)
        self.detail.setVisible(shown)
        if not shown:
            return
        # The hint's line goes to the splitter: lay out now, then split what it has.
        self.outer.activate()
        total = self.splitter.height() - self.splitter.handleWidth()
        if not self.splitter.isVisible() or total < 200:
            self.splitter.setSizes([200, 300])  # not laid out yet: two fifths, roughly
            return
        self.splitter.setSizes(
            split_sizes(self.table, self.model.rowCount(), total, self.grid_share)
        )

    def _split_moved(self, _pos: int, _index: int) -> None:
        sizes = self.splitter.sizes()
        if self.detail_open and sum(sizes) > 0:
            self.grid_share = sizes[0] / sum(sizes)

    # -- importing and rolling back ----------------------------------------------------------
    def open_wizard(self) -> None:
        from pmpm_desktop.ui.import_wizard import open_import_wizard

        open_import_wizard(self.ctx, self, kind=self.kind)

    def confirm_text(self, info: ImportInfo) -> str:
        raise NotImplementedError

    def ask_rollback(self, info: ImportInfo | None = None) -> None:
        """Ask before rolling back ``info`` (the selected import when None)."""
        info = info if isinstance(info, ImportInfo) else self.selected()
        if info is None or self._rolling_back:
            return
        name = info.file_name if len(info.file_name) <= 40 else info.file_name[:38] + "…"
        dialogs.confirm(
            self,
            f"Roll back {self.noun}",
            self.confirm_text(info),
            lambda: self.roll_back(info),
            yes_text=f"Roll back {name}",
            destructive=True,
        )

    def roll_back(self, info: ImportInfo) -> None:
        self._rolling_back = True
        self._update_buttons()
        self.ctx.run(
            ops.roll_back(self.ctx.db, info),
            parent=self,
            on_success=self._rolled_back,
            on_failure=lambda exc: self._rollback_failed(info, exc),
            on_cancel=self._rollback_done,
        )

    def _rollback_done(self) -> None:
        self._rolling_back = False
        self._update_buttons()

    def _rolled_back(self, result: RollbackResult) -> None:
        self._rollback_done()
        if self.opened is not None and self.opened.id == result.import_id:
            self.close_import()
        self.refresh()  # ctx.run announces it too; the newer read replaces this one

    def _rollback_failed(self, info: ImportInfo, exc: BaseException) -> None:
        self._rollback_done()
        dialogs.show_error(self, f"Roll back {info.file_name}", exc)
        self.refresh()

    # -- navigation ------------------------------------------------------------------------
    def apply_filters(self, filters: dict[str, Any]) -> None:
        """``payer`` (code), ``text`` (file name), ``import_id`` (select and open it)."""
        if "payer" in filters:
            self.payer_combo.setCurrentIndex(max(self.payer_combo.findData(filters["payer"]), 0))
        if "text" in filters:
            self.search.setText(str(filters["text"] or ""))
        wanted = filters.get("import_id")
        if wanted is not None and self.select(int(wanted)):
            self.open_selected()


class RostersPage(ImportsPage):
    key = "rosters"
    title = "Rosters"
    kind = FileKind.ROSTER
    noun = "roster"
    nouns = "rosters"
    columns = ROSTER_COLUMNS
    row_columns = ROSTER_ROW_COLUMNS
    subtitle_text = texts.ROSTERS_SUBTITLE
    empty_text = texts.ROSTERS_EMPTY

    def confirm_text(self, info: ImportInfo) -> str:
        return texts.roster_rollback(info, self.imports)


class RemittancesPage(ImportsPage):
    key = "remittances"
    title = "Payment statements"
    kind = FileKind.STATEMENT
    noun = "statement"
    nouns = "statements"
    columns = STATEMENT_COLUMNS
    row_columns = LINE_COLUMNS
    subtitle_text = texts.STATEMENTS_SUBTITLE
    empty_text = texts.STATEMENTS_EMPTY

    def confirm_text(self, info: ImportInfo) -> str:
        return texts.statement_rollback(info)


__all__ = ["ImportsPage", "RemittancesPage", "RostersPage", "total_check"]
