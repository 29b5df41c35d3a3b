"""The Rosters and Remittances pages: every file imported, its rows, and rolling one back.

One implementation serves both (``ImportsPage``); the two pages differ only in the kind of
import they list and in their columns. The list is read in the background (a statement's total
is a sum over its lines); an opened import's rows come a page at a time from SQL
(``services.import_history.ImportRows``), so a 100k-row roster opens at once.
"""

from __future__ import annotations

from collections.abc import Sequence
from decimal import Decimal
from typing import Any, ClassVar

from PySide6.QtCore import QEvent, QItemSelectionModel, Qt
from PySide6.QtGui import QBrush, QColor, QFont, QKeySequence, QPalette, QShortcut
from PySide6.QtWidgets import (
    QComboBox,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QPushButton,
    QSplitter,
    QTableView,
    QVBoxLayout,
    QWidget,
)

from pmpm_desktop.services.import_history import (
    REMITTANCE,
    ROSTER,
    ImportInfo,
    ImportRows,
    RollbackResult,
    list_imports,
    rollback_import,
)
from pmpm_desktop.services.payers import PayerInfo, list_payers
from pmpm_desktop.ui import dialogs, format
from pmpm_desktop.ui.context import DISCREPANCIES, IMPORTS, MEMBERS, PAYERS, AppContext
from pmpm_desktop.ui.pages.base import (
    ContentOrEmpty,
    EmptyState,
    Page,
    bold_label,
    page_title,
    read_only_table,
)
from pmpm_desktop.ui.pages.imports_layout import ColumnFit, split_sizes
from pmpm_desktop.ui.table_model import Column, Index, PagedRowsModel, RowsModel
from pmpm_desktop.ui.theme import negative_color


def _dim(widget: QWidget) -> QBrush:
    return QBrush(widget.palette().color(QPalette.ColorGroup.Disabled, QPalette.ColorRole.Text))


def warn_color(widget: QWidget) -> QColor:
    return negative_color(widget.palette())


def _short_sha(sha: str) -> str:
    """The first 12 characters: enough to tell two files apart (the tooltip has all 64)."""
    return sha[:12]


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
    return f"Off by {format.money(abs(difference))}"


def total_check_tip(info: ImportInfo) -> str:
    """The check in a sentence: which is more, and by how much."""
    difference = info.total_difference
    if difference is None or info.stated_total is None or info.total_paid is None:
        return "The statement states no total (check or EFT amount) to check its lines against"
    stated, lines = format.money(info.stated_total), format.money(info.total_paid)
    if difference == 0:
        return f"The statement's total of {stated} is the sum of its lines"
    more_or_less = "more" if difference > 0 else "less"
    return (
        f"The statement's total of {stated} is {format.money(abs(difference))} "
        f"{more_or_less} than the sum of its lines ({lines}): ask the payer which is right"
    )


def _status(info: ImportInfo) -> str:
    if info.active:
        return "Active"
    return f"Replaced by {info.replaced_by_file}" if info.replaced_by_file else "Replaced"


_SHA_TIP = "Fingerprint of the file's bytes (its first 12 characters; point at one for all 64)"
ROSTER_COLUMNS = [
    Column("Payer", lambda r: r.payer_code, tooltip="The payer's short code"),
    Column("Roster month", lambda r: r.roster_month, "month"),
    Column("File", lambda r: r.file_name),
    Column("Rows", lambda r: r.rows, "int"),
    Column("Status", _status, tooltip="A replaced import is kept as history and no longer counts"),
    Column("Imported", lambda r: r.imported_at, "datetime"),
    Column("SHA-256", lambda r: _short_sha(r.sha256), tooltip=_SHA_TIP),
]
STATEMENT_COLUMNS = [
    Column("Payer", lambda r: r.payer_code, tooltip="The payer's short code"),
    Column("Paid on", lambda r: r.payment_date, "date", "The payment date"),
    Column("Reference", lambda r: r.reference, tooltip="Check or EFT number"),
    Column("File", lambda r: r.file_name),
    Column("Lines", lambda r: r.rows, "int"),
    Column("Coverage months", lambda r: r.months_text, tooltip="The months its lines pay for"),
    Column("Sum of lines", lambda r: r.total_paid, "money"),
    Column("Stated total", lambda r: r.stated_total, "money", "The total the statement states"),
    Column("Total check", total_check, tooltip="Stated total against the sum of the lines"),
    Column("Imported", lambda r: r.imported_at, "datetime"),
    Column("SHA-256", lambda r: _short_sha(r.sha256), tooltip=_SHA_TIP),
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
    Column("Coverage month", lambda r: r.coverage_month, "month", sort_key="coverage_month"),
    Column("Amount", lambda r: r.amount, "money", sort_key="amount"),
    Column("Line type", lambda r: r.line_type, sort_key="line_type"),
    Column("File row", lambda r: r.source_row, "int", "The row in the file", "source_row"),
]


class ImportsModel(RowsModel):
    """The imports grid: replaced rosters greyed, a statement whose total differs flagged;
    the file name and fingerprint whole in their tooltips (the grid shortens them)."""

    def __init__(
        self, columns: Sequence[Column], dim: QBrush, warn: QBrush, parent: Any = None
    ) -> None:
        super().__init__(columns, (), parent)
        self.dim = dim
        self.warn = warn
        titles = [c.title for c in columns]
        self.check_column = titles.index("Total check") if "Total check" in titles else None
        self.file_column = titles.index("File")
        self.sha_column = titles.index("SHA-256")

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
                return info.file_name
            if index.column() == self.sha_column:
                return f"SHA-256 {info.sha256}"
            if index.column() == self.check_column:
                return total_check_tip(info)
            if not info.active:
                return (
                    f"Replaced by {info.replaced_by_file or 'a later import'} of the same "
                    "roster month: kept as history, no longer counted"
                )
        if role == Qt.ItemDataRole.FontRole and differs:
            font = QFont()
            font.setBold(True)
            return font
        return value


class _NoRows:
    """The rows source before any import is opened."""

    def count(self) -> int:
        return 0

    def fetch(self, offset: int, limit: int, order_by: str | None, descending: bool) -> list[Any]:
        return []


def _grid() -> QTableView:
    view = read_only_table()
    view.setWordWrap(False)
    view.verticalHeader().setDefaultSectionSize(view.fontMetrics().height() + 10)
    return view


class ImportsPage(Page):
    """The imports of one kind (``kind``): filter, open one's rows, roll one back."""

    kind: ClassVar[str]
    #: "roster" / "statement": how the page names one import
    noun: ClassVar[str]
    nouns: ClassVar[str]
    columns: ClassVar[list[Column]]
    row_columns: ClassVar[list[Column]]
    depends_on = frozenset({PAYERS, IMPORTS})

    def __init__(self, ctx: AppContext, parent: QWidget | None = None) -> None:
        super().__init__(ctx, parent)
        self.imports: list[ImportInfo] = []
        self.opened: ImportInfo | None = None
        self._generation = 0
        self._rolling_back = False

        content = QWidget()
        outer = QVBoxLayout(content)
        self.outer = outer
        outer.setContentsMargins(24, 20, 24, 16)
        outer.setSpacing(10)

        heading = page_title(self.title)
        self.subtitle = QLabel(self._subtitle_text())
        self.subtitle.setObjectName("importsSubtitle")
        self.subtitle.setWordWrap(True)
        outer.addWidget(heading)
        outer.addWidget(self.subtitle)

        # Filter bar and actions.
        bar = QHBoxLayout()
        bar.setSpacing(8)
        self.payer_combo = QComboBox()
        self.payer_combo.setObjectName("payerFilter")
        self.payer_combo.setMinimumWidth(220)
        self.payer_combo.setSizeAdjustPolicy(QComboBox.SizeAdjustPolicy.AdjustToContents)
        self.payer_combo.addItem("All payers", None)
        self.payer_combo.currentIndexChanged.connect(self._filter)
        self.search = QLineEdit()
        self.search.setObjectName("fileSearch")
        self.search.setPlaceholderText("Search file name…")
        self.search.setClearButtonEnabled(True)
        self.search.setMinimumWidth(220)
        self.search.textChanged.connect(self._filter)
        self.count_label = QLabel("")
        self.count_label.setObjectName("importCount")
        metrics = self.count_label.fontMetrics()
        self.count_label.setMinimumWidth(
            metrics.horizontalAdvance(f"No {self.nouns} match the filter") + 8
        )
        self.import_button = QPushButton(f"Import {self.noun}…")
        self.import_button.setObjectName("importButton")
        self.import_button.clicked.connect(self.open_wizard)
        self.open_button = QPushButton("Open")
        self.open_button.setObjectName("openButton")
        self.open_button.setToolTip(f"Show the rows of the selected {self.noun} (or double-click)")
        self.open_button.clicked.connect(self.open_selected)
        self.rollback_button = QPushButton("Roll back…")
        self.rollback_button.setObjectName("rollbackButton")
        self.rollback_button.setToolTip(
            f"Delete the selected {self.noun} and its rows, then reconcile its payer again"
        )
        self.rollback_button.clicked.connect(self.ask_rollback)
        bar.addWidget(QLabel("Payer:"))
        bar.addWidget(self.payer_combo)
        bar.addWidget(self.search)
        bar.addWidget(self.count_label)
        bar.addStretch(1)
        bar.addWidget(self.import_button)
        bar.addWidget(self.open_button)
        bar.addWidget(self.rollback_button)
        outer.addLayout(bar)

        # The imports grid above, the opened import's rows below.
        self.model = ImportsModel(self.columns, _dim(self), QBrush(warn_color(self)), parent=self)
        self.table = _grid()
        self.table.setObjectName("importsTable")
        self.table.setModel(self.model)
        self.table.setSortingEnabled(True)
        imported = next(n for n, c in enumerate(self.columns) if c.title == "Imported")
        self.table.sortByColumn(imported, Qt.SortOrder.DescendingOrder)
        # The file name takes the spare width (elided in the middle, whole in its tooltip).
        self.fit = ColumnFit(self.table, self.model.file_column, least=220)
        self.table.doubleClicked.connect(lambda _index: self.open_selected())
        for key in (Qt.Key.Key_Return, Qt.Key.Key_Enter):
            enter = QShortcut(QKeySequence(key), self.table)
            enter.setContext(Qt.ShortcutContext.WidgetShortcut)
            enter.activated.connect(self.open_selected)
        self.table.selectionModel().selectionChanged.connect(self._update_buttons)

        self.rows_model = PagedRowsModel(self.row_columns, _NoRows(), parent=self)
        self.rows_table = _grid()
        self.rows_table.setObjectName("rowsTable")
        self.rows_table.setModel(self.rows_model)
        header = self.rows_table.horizontalHeader()
        header.setSortIndicator(len(self.row_columns) - 1, Qt.SortOrder.AscendingOrder)
        self.rows_table.setSortingEnabled(True)
        self.rows_fit = ColumnFit(self.rows_table, 1, least=160)  # the name takes the spare width

        detail = QWidget()
        detail_layout = QVBoxLayout(detail)
        detail_layout.setContentsMargins(0, 8, 0, 0)
        detail_layout.setSpacing(6)
        head = QHBoxLayout()
        titles = QVBoxLayout()
        titles.setSpacing(2)
        self.detail_title = bold_label("", 1.15, "detailTitle")
        self.detail_facts = QLabel("")
        self.detail_facts.setObjectName("detailFacts")
        self.detail_facts.setWordWrap(True)
        self.detail_facts.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        self.detail_sha = QLabel("")
        self.detail_sha.setObjectName("detailSha")
        self.detail_sha.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        self.detail_sha.setStyleSheet("color: palette(dark);")  # a detail, not a fact to read first
        self.detail_sha.setToolTip("The SHA-256 fingerprint of the file's bytes")
        titles.addWidget(self.detail_title)
        titles.addWidget(self.detail_facts)
        titles.addWidget(self.detail_sha)
        head.addLayout(titles, 1)
        self.row_search = QLineEdit()
        self.row_search.setObjectName("rowSearch")
        self.row_search.setPlaceholderText("Find member ID or name…")
        self.row_search.setClearButtonEnabled(True)
        self.row_search.setMinimumWidth(220)
        self.row_search.textChanged.connect(self._search_rows)
        self.close_button = QPushButton("Close")
        self.close_button.setObjectName("closeRows")
        self.close_button.clicked.connect(self.close_import)
        head.addWidget(self.row_search, 0, Qt.AlignmentFlag.AlignBottom)
        head.addWidget(self.close_button, 0, Qt.AlignmentFlag.AlignBottom)
        detail_layout.addLayout(head)
        detail_layout.addWidget(self.rows_table, 1)
        # Until an import is opened the grid has the whole height, this line under it says
        # how to see an import's rows; opened, the rows share the height (a draggable split).
        hint = QLabel(
            f"Select a {self.noun} and press Open (or double-click it) to see its "
            f"{'rows' if self.kind == ROSTER else 'lines'} below."
        )
        hint.setObjectName("detailHint")
        hint.setEnabled(False)
        self.detail_hint = hint
        self.detail_content = detail
        detail.setVisible(False)

        self.splitter = QSplitter(Qt.Orientation.Vertical)
        self.splitter.setObjectName("importsSplitter")
        self.splitter.addWidget(self.table)
        self.splitter.addWidget(detail)
        self.splitter.setStretchFactor(0, 2)
        self.splitter.setStretchFactor(1, 3)
        self.splitter.setChildrenCollapsible(False)
        self.splitter.splitterMoved.connect(self._split_moved)
        #: the grid's share of the height the user last dragged the split to (None: not yet)
        self.grid_share: float | None = None
        outer.addWidget(self.splitter, 1)
        outer.addWidget(hint)

        self.empty = EmptyState(
            f"No {self.nouns} imported yet",
            self._empty_text(),
            [(f"Import {self.noun}…", self.open_wizard)],
        )
        self.empty.body.setMinimumWidth(460)  # a paragraph, not a narrow column of words
        self.stack = ContentOrEmpty(content, self.empty)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addWidget(self.stack)
        self._update_buttons()

    def changeEvent(self, event: QEvent) -> None:
        """The OS switched between light and dark: grey and red follow the new palette."""
        super().changeEvent(event)
        if event.type() == QEvent.Type.PaletteChange and hasattr(self, "model"):
            self.model.dim = _dim(self)
            self.model.warn = QBrush(warn_color(self))
            self.table.viewport().update()
            self._describe_opened()

    # -- texts -----------------------------------------------------------------------------
    def _subtitle_text(self) -> str:
        raise NotImplementedError

    def _empty_text(self) -> str:
        raise NotImplementedError

    # -- reading ---------------------------------------------------------------------------
    def refresh(self) -> None:
        """Read the payers and imports again, in the background."""
        self._generation += 1
        generation = self._generation
        db, kind = self.ctx.db, self.kind
        self.ctx.tasks.run(
            f"Reading the {self.nouns}",
            lambda _progress: (list_payers(db), list_imports(db, kind)),
            on_success=lambda result: self._show(generation, *result),
            on_failure=lambda exc: self._failed(generation, exc),
            parent=self,
            show_progress=False,
        )

    def _failed(self, generation: int, exc: BaseException) -> None:
        if generation == self._generation:
            text, _details = dialogs.error_text(exc)
            self.count_label.setText(f"The {self.nouns} could not be read: {text}")

    def _show(self, generation: int, payers: list[PayerInfo], imports: list[ImportInfo]) -> None:
        if generation != self._generation:
            return  # a newer read is on its way
        self.imports = imports
        self._set_payers(payers)
        self.stack.show_empty(not imports)
        self._filter()
        source = self.rows_model.source
        if isinstance(source, ImportRows) and source.db is not self.ctx.db:
            self.close_import()  # another database was opened: its ids mean other imports
        if self.opened is not None:
            still = next((i for i in imports if i.id == self.opened.id), None)
            if still is None:
                self.close_import()
            else:
                self.opened = still
                self._describe_opened()

    def _set_payers(self, payers: list[PayerInfo]) -> None:
        current = self.payer_combo.currentData()
        self.payer_combo.blockSignals(True)
        self.payer_combo.clear()
        self.payer_combo.addItem("All payers", None)
        for p in payers:
            self.payer_combo.addItem(f"{p.code} — {p.name}", p.code)
        found = self.payer_combo.findData(current)
        self.payer_combo.setCurrentIndex(max(found, 0))
        self.payer_combo.blockSignals(False)

    def shown_imports(self) -> list[ImportInfo]:
        """The imports the filter bar lets through."""
        payer = self.payer_combo.currentData()
        text = self.search.text().strip().casefold()
        return [
            i
            for i in self.imports
            if (payer is None or i.payer_code == payer)
            and (not text or text in i.file_name.casefold())
        ]

    def _filter(self) -> None:
        selected = self.selected()
        shown = self.shown_imports()
        self.model.set_rows(shown)
        header = self.table.horizontalHeader()
        self.model.sort(header.sortIndicatorSection(), header.sortIndicatorOrder())
        if not self.imports:
            self.count_label.setText("")
        elif len(shown) == len(self.imports):
            self.count_label.setText(f"{len(shown):,} {self._plural(len(shown))}")
        elif shown:
            self.count_label.setText(f"{len(shown):,} of {len(self.imports):,} {self.nouns}")
        else:
            self.count_label.setText(f"No {self.nouns} match the filter")
        self.fit.measure()
        if selected is not None:
            self.select(selected.id)
        self._update_buttons()

    def _plural(self, n: int) -> str:
        return self.noun if n == 1 else self.nouns

    # -- selection -------------------------------------------------------------------------
    def selected(self) -> ImportInfo | None:
        rows = self.table.selectionModel().selectedRows()
        if not rows:
            return None
        return self.model.row(rows[0].row())  # type: ignore[no-any-return]

    def select(self, import_id: int) -> bool:
        for n, info in enumerate(self.model.rows):
            if info.id == import_id:
                self.table.selectionModel().select(
                    self.model.index(n, 0),
                    QItemSelectionModel.SelectionFlag.ClearAndSelect
                    | QItemSelectionModel.SelectionFlag.Rows,
                )
                self.table.scrollTo(self.model.index(n, 0))
                return True
        return False

    def _update_buttons(self, *_args: object) -> None:
        chosen = self.selected() is not None
        self.open_button.setEnabled(chosen)
        self.rollback_button.setEnabled(chosen and not self._rolling_back)

    # -- an import's rows ------------------------------------------------------------------
    def open_selected(self) -> None:
        info = self.selected()
        if info is not None:
            self.open_import(info)

    def open_import(self, info: ImportInfo) -> None:
        self.opened = info
        self.row_search.blockSignals(True)
        self.row_search.clear()
        self.row_search.blockSignals(False)
        if not self.detail_content.isVisibleTo(self):
            self._show_detail(True)
        self.rows_model.source = ImportRows(self.ctx.db, info.id, self.kind)
        self.rows_model.reload()
        self._describe_opened()
        self.rows_fit.measure()

    def close_import(self) -> None:
        self.opened = None
        self.rows_model.source = _NoRows()
        self.rows_model.reload()
        self._show_detail(False)

    @property
    def detail_open(self) -> bool:
        """Whether an import's rows are shown under the grid."""
        return not self.detail_content.isHidden()

    def _show_detail(self, shown: bool) -> None:
        self.detail_hint.setVisible(not shown)
        self.detail_content.setVisible(shown)
        if shown:
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

    def _search_rows(self, text: str) -> None:
        source = self.rows_model.source
        if isinstance(source, ImportRows):
            source.search = text
            self.rows_model.reload()
            self._describe_opened()

    def _describe_opened(self) -> None:
        info = self.opened
        if info is None:
            return
        self.detail_sha.setText(f"SHA-256 {info.sha256}")
        shown = self.rows_model.total
        found = f" · {shown:,} match" if self.row_search.text().strip() else ""
        imported = format.timestamp(info.imported_at)
        if info.kind == ROSTER:
            self.detail_title.setText(f"{info.file_name} — {info.roster_month} roster")
            state = (
                "active"
                if info.active
                else f"replaced by {info.replaced_by_file or 'a later import'}, kept as history"
            )
            self.detail_facts.setText(
                f"{info.payer_name} · {info.rows:,} rows{found} · {state} · imported {imported}"
            )
        else:
            self.detail_title.setText(f"{info.file_name} — statement")
            paid = f"lines sum to {format.money(info.total_paid)}"
            if info.stated_total is None:
                stated = "no total stated"
            elif info.total_difference:
                more = "more" if info.total_difference > 0 else "less"
                stated = (
                    f"<b style='color:{warn_color(self).name()}'>stated total "
                    f"{format.money(info.stated_total)}: "
                    f"{format.money(abs(info.total_difference))} {more} than the lines</b>"
                )
            else:
                stated = f"stated total {format.money(info.stated_total)} matches"
            payment = f"paid {format.date(info.payment_date)}" if info.payment_date else "no date"
            reference = f" · ref {info.reference}" if info.reference else ""
            self.detail_facts.setText(
                f"{info.payer_name} · {payment}{reference} · {info.rows:,} lines{found} for "
                f"{info.months_text or 'no months'} · {paid} · {stated} · imported {imported}"
            )

    # -- importing -------------------------------------------------------------------------
    def open_wizard(self) -> None:
        try:
            from pmpm_desktop.ui.import_wizard import open_import_wizard
        except ImportError as exc:  # the wizard ships with the app; say so if it is missing
            dialogs.show_error(self, f"Import {self.noun}", exc)
            return
        open_import_wizard(self.ctx, self, kind=self.kind)

    # -- rolling back ----------------------------------------------------------------------
    def confirm_text(self, info: ImportInfo) -> str:
        raise NotImplementedError

    def ask_rollback(self) -> None:
        info = self.selected()
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
        db, kind = self.ctx.db, self.kind
        self._rolling_back = True
        self._update_buttons()
        self.ctx.tasks.run(
            f"Rolling back {info.file_name}",
            lambda progress: rollback_import(db, kind, info.id, progress),
            on_success=self._rolled_back,
            on_failure=lambda exc: self._rollback_failed(info, exc),
            on_cancel=self._rollback_done,
            parent=self,
            show_progress=True,
        )

    def _rollback_done(self) -> None:
        self._rolling_back = False
        self._update_buttons()

    def _rolled_back(self, result: RollbackResult) -> None:
        self._rollback_done()
        if self.opened is not None and self.opened.id == result.import_id:
            self.close_import()
        self.refresh()
        self.ctx.changed(IMPORTS, result.describe())
        self.ctx.changed(DISCREPANCIES)
        if result.kind == ROSTER:
            self.ctx.changed(MEMBERS)

    def _rollback_failed(self, info: ImportInfo, exc: BaseException) -> None:
        self._rollback_done()
        dialogs.show_error(self, f"Roll back {info.file_name}", exc)
        self.refresh()

    # -- navigation ------------------------------------------------------------------------
    def apply_filters(self, filters: dict[str, Any]) -> None:
        """``payer`` (code), ``text`` (file name), ``import_id`` (select and open it)."""
        if "payer" in filters:
            found = self.payer_combo.findData(filters["payer"])
            self.payer_combo.setCurrentIndex(max(found, 0))
        if "text" in filters:
            self.search.setText(str(filters["text"] or ""))
        wanted = filters.get("import_id")
        if wanted is not None and self.select(int(wanted)):
            self.open_selected()


class RostersPage(ImportsPage):
    key = "rosters"
    title = "Rosters"
    kind = ROSTER
    noun = "roster"
    nouns = "rosters"
    columns = ROSTER_COLUMNS
    row_columns = ROSTER_ROW_COLUMNS

    def _subtitle_text(self) -> str:
        return (
            "Every roster file imported, newest first. A roster imported again for the same "
            "month replaces the earlier one, which stays here greyed as history."
        )

    def _empty_text(self) -> str:
        return (
            "Each month your payers send a roster: the members assigned to the practice. "
            "Import it (.xlsx, .xls or .csv) so the app knows who should be paid for. "
            "Add the payer and its contract on the Payers page first."
        )

    def confirm_text(self, info: ImportInfo) -> str:
        month = info.roster_month
        lines = [
            f"Roll back the {month} roster of {info.payer_name}?",
            "",
            f"File: {info.file_name}: {info.rows:,} rows, imported "
            f"{format.timestamp(info.imported_at)}.",
            "",
        ]
        earlier = next((i for i in self.imports if i.replaced_by_id == info.id), None)
        if not info.active:
            lines.append(
                f"It was replaced by {info.replaced_by_file or 'a later import'} and no longer "
                "counts: it only leaves the history."
            )
        elif earlier is not None:
            lines.append(
                f"The earlier {month} roster, {earlier.file_name}, counts again in its place."
            )
        else:
            lines.append(f"{info.payer_code} will have no roster for {month}.")
        lines += [
            "Members listed on no other roster of this payer are removed with it.",
            "",
            f"The reconciliation of {info.payer_code} will be refreshed: discrepancies that "
            "came from this file close, and new ones may appear.",
            "You can import the file again later.",
        ]
        return "\n".join(lines)


class RemittancesPage(ImportsPage):
    key = "remittances"
    title = "Remittances"
    kind = REMITTANCE
    noun = "statement"
    nouns = "statements"
    columns = STATEMENT_COLUMNS
    row_columns = LINE_COLUMNS

    def _subtitle_text(self) -> str:
        return (
            "Every remittance statement imported, newest first: what each payment paid, "
            "line by line. Where a statement states a total, it is checked against its lines."
        )

    def _empty_text(self) -> str:
        return (
            "With each capitation payment your payer sends a statement (remittance): one "
            "line per member and month paid. Import it (.xlsx, .xls or .csv) to compare what "
            "was paid with what should have been."
        )

    def confirm_text(self, info: ImportInfo) -> str:
        paid = format.money(info.total_paid)
        when = f"paid {format.date(info.payment_date)}" if info.payment_date else "no date"
        reference = f", ref {info.reference}" if info.reference else ""
        months = info.months_text or "no months"
        return "\n".join(
            [
                f"Roll back the statement {info.file_name} of {info.payer_name}?",
                "",
                f"{info.rows:,} lines for {months} summing to {paid} ({when}{reference}), "
                f"imported {format.timestamp(info.imported_at)}.",
                "",
                f"The reconciliation of {info.payer_code} will be refreshed: the months it "
                "paid count as unpaid again unless another statement pays them, so "
                "discrepancies will change.",
                "You can import the file again later.",
            ]
        )


__all__ = ["ImportsPage", "RemittancesPage", "RostersPage", "total_check"]
