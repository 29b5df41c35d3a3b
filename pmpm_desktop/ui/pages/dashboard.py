"""The dashboard: where the practice stands — members, expected vs paid, what needs attention.

All figures come from ``services.overview`` (SQL over stored data, plus a reconciliation
computed without storing for expected vs paid), read in the background on every refresh.
"""

from __future__ import annotations

import weakref
from collections.abc import Callable, Sequence
from decimal import Decimal
from typing import Any

from PySide6.QtCore import QModelIndex, Qt
from PySide6.QtGui import QFont
from PySide6.QtWidgets import (
    QAbstractItemView,
    QFrame,
    QGridLayout,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QPushButton,
    QScrollArea,
    QSizePolicy,
    QStyle,
    QTableView,
    QVBoxLayout,
    QWidget,
)

from pmpm_desktop.core.month import Month
from pmpm_desktop.services.overview import AttentionItem, Hint, Overview, RecentFile, overview
from pmpm_desktop.ui import dialogs, format
from pmpm_desktop.ui.context import DISCREPANCIES, IMPORTS, PAYERS, AppContext
from pmpm_desktop.ui.demo_action import open_demo_practice
from pmpm_desktop.ui.pages.base import ContentOrEmpty, EmptyState, Page
from pmpm_desktop.ui.table_model import Column, Index, RowsModel
from pmpm_desktop.ui.worker import TaskHandle

TILE_STYLE = """
QFrame#kpiTile {
    border: 1px solid palette(mid);
    border-radius: 8px;
    background: palette(base);
}
QHeaderView::section {
    padding: 4px 8px;
}
QFrame#hintBox {
    border: 1px solid #d9b44a;
    border-radius: 8px;
    background: rgba(217, 180, 74, 40);
}
"""


def dollars(value: Decimal | None) -> str:
    """``$1,234.56`` / ``−$12.30`` (the sign before the $, as accountants write it)."""
    if value is None:
        return "—"
    text = format.money(abs(value))
    return f"−${text}" if value < 0 else f"${text}"


def net_words(amount: Decimal) -> str:
    """A variance (paid − expected) as a clerk says it."""
    if amount < 0:
        return f"{dollars(-amount)} short-paid"
    if amount > 0:
        return f"{dollars(amount)} overpaid"
    return "nets to $0.00"


def month_span(first: Month | None, last: Month | None) -> str:
    if first is None or last is None:
        return ""
    return str(first) if first == last else f"{first} to {last}"


class DollarModel(RowsModel):
    """RowsModel whose money cells read ``$1,234.56`` (still right-aligned, negatives red)."""

    def data(self, index: Index, role: int = Qt.ItemDataRole.DisplayRole) -> Any:
        if role == Qt.ItemDataRole.DisplayRole and index.isValid():
            if 0 <= index.column() < len(self.columns):
                column = self.columns[index.column()]
                if column.kind == "money" and 0 <= index.row() < self.rowCount():
                    return dollars(column.value(self.row(index.row())))
        return super().data(index, role)


class KpiTile(QFrame):
    """A card: a small heading, a large number, a sentence saying what the number is."""

    def __init__(self, name: str, heading: str, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("kpiTile")
        self.setProperty("tile", name)
        self.setSizePolicy(QSizePolicy.Policy.Expanding, QSizePolicy.Policy.Fixed)
        self.setMinimumHeight(108)
        self.setMinimumWidth(190)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(16, 12, 16, 12)
        layout.setSpacing(2)
        self.heading = QLabel(heading.upper())
        self.heading.setObjectName(f"{name}Heading")
        small = self.heading.font()
        small.setPointSizeF(small.pointSizeF() * 0.85)
        small.setBold(True)
        small.setLetterSpacing(QFont.SpacingType.PercentageSpacing, 105)
        self.heading.setFont(small)
        self.heading.setForegroundRole(self.heading.foregroundRole())
        self.heading.setStyleSheet("color: palette(dark);")
        self.value = QLabel("—")
        self.value.setObjectName(f"{name}Value")
        big = self.value.font()
        big.setPointSizeF(big.pointSizeF() * 2.0)
        big.setBold(True)
        self.value.setFont(big)
        self.caption = QLabel("")
        self.caption.setObjectName(f"{name}Caption")
        self.caption.setWordWrap(True)
        self.caption.setAlignment(Qt.AlignmentFlag.AlignLeft | Qt.AlignmentFlag.AlignTop)
        layout.addWidget(self.heading)
        layout.addWidget(self.value)
        layout.addWidget(self.caption, 1)

    def set(self, value: str, caption: str, tone: str = "") -> None:
        self.value.setText(value)
        self.caption.setText(caption)
        colour = {"bad": "#b42318", "good": "#1a7f37"}.get(tone)
        self.value.setStyleSheet(f"color: {colour};" if colour else "")


def section_title(text: str) -> QLabel:
    label = QLabel(text)
    font = label.font()
    font.setPointSizeF(font.pointSizeF() * 1.15)
    font.setBold(True)
    label.setFont(font)
    return label


class CompactTable(QTableView):
    """A read-only table as tall as its rows (the page scrolls, not the table)."""

    def __init__(self, model: RowsModel, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setModel(model)
        self.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        self.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        self.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
        self.setAlternatingRowColors(True)
        self.setShowGrid(False)
        self.setWordWrap(False)
        self.verticalHeader().hide()
        self.setHorizontalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAlwaysOff)
        self.setVerticalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAlwaysOff)
        self.setSizePolicy(QSizePolicy.Policy.Expanding, QSizePolicy.Policy.Fixed)
        header = self.horizontalHeader()
        header.setHighlightSections(False)
        header.setSectionResizeMode(QHeaderView.ResizeMode.ResizeToContents)
        header.setStretchLastSection(False)
        model.modelReset.connect(self.fit)
        self.fit()

    def stretch(self, column: int) -> None:
        self.horizontalHeader().setSectionResizeMode(column, QHeaderView.ResizeMode.Stretch)

    def fit(self) -> None:
        """As tall as the rows, and at least as wide as the contents: rather than clip a name,
        the page scrolls sideways in a narrow window."""
        header = self.horizontalHeader()
        rows = max(1, self.model().rowCount())
        height = header.sizeHint().height() + 2 * self.frameWidth()
        height += rows * self.verticalHeader().defaultSectionSize()
        self.setFixedHeight(height)
        width = 2 * self.frameWidth()
        for column in range(self.model().columnCount()):
            width += max(header.sectionSizeHint(column), self.sizeHintForColumn(column))
        self.setMinimumWidth(width)


class DashboardPage(Page):
    key = "dashboard"
    title = "Dashboard"
    icon = QStyle.StandardPixmap.SP_DesktopIcon
    depends_on = frozenset({PAYERS, IMPORTS, DISCREPANCIES})

    def __init__(self, ctx: AppContext, parent: QWidget | None = None) -> None:
        super().__init__(ctx, parent)
        self.setStyleSheet(TILE_STYLE)
        self.overview: Overview | None = None
        # Held weakly: the handle keeps the callbacks that refer back to this page, and a
        # reference cycle through a widget may be collected on the worker thread (a crash).
        self._handle: weakref.ReferenceType[TaskHandle] | None = None
        self._generation = 0

        content = QWidget()
        content.setObjectName("dashboardContent")
        outer = QVBoxLayout(content)
        outer.setContentsMargins(24, 20, 24, 24)
        outer.setSpacing(16)

        # Heading: what the figures cover, and a refresh button.
        head = QHBoxLayout()
        titles = QVBoxLayout()
        titles.setSpacing(2)
        self.heading = QLabel("Dashboard")
        font = self.heading.font()
        font.setPointSizeF(font.pointSizeF() * 1.6)
        font.setBold(True)
        self.heading.setFont(font)
        self.subtitle = QLabel("Reading the figures…")
        self.subtitle.setObjectName("dashboardSubtitle")
        self.subtitle.setWordWrap(True)
        titles.addWidget(self.heading)
        titles.addWidget(self.subtitle)
        head.addLayout(titles, 1)
        self.refresh_button = QPushButton("Refresh")
        self.refresh_button.setToolTip("Read the figures from the database again")
        self.refresh_button.clicked.connect(self.refresh)
        head.addWidget(self.refresh_button, 0, Qt.AlignmentFlag.AlignTop)
        outer.addLayout(head)

        # Next steps when data is partial.
        self.hint_box = QFrame()
        self.hint_box.setObjectName("hintBox")
        self.hint_layout = QVBoxLayout(self.hint_box)
        self.hint_layout.setContentsMargins(16, 10, 16, 10)
        self.hint_layout.setSpacing(6)
        hint_title = QLabel("<b>Next steps</b>")
        self.hint_layout.addWidget(hint_title)
        self.hint_holder: QWidget | None = None
        self.hint_buttons: list[QPushButton] = []
        self.hint_box.hide()
        outer.addWidget(self.hint_box)

        # KPI tiles: two rows of four, all the same size.
        grid = QGridLayout()
        grid.setSpacing(12)
        specs = [
            ("members", "Members"),
            ("expected", "Expected"),
            ("paid", "Paid"),
            ("difference", "Difference"),
            ("open", "Open discrepancies"),
            ("disputed", "Disputed"),
            ("resolved", "Resolved this year"),
            ("writtenOff", "Written off this year"),
        ]
        self.tiles: dict[str, KpiTile] = {}
        for n, (name, heading) in enumerate(specs):
            tile = KpiTile(name, heading)
            self.tiles[name] = tile
            grid.addWidget(tile, n // 4, n % 4)
        for column in range(4):
            grid.setColumnStretch(column, 1)
        outer.addLayout(grid)

        # Tables: by payer (full width), then attention + kinds | latest files.
        money = "money"
        self.payer_model = DollarModel(
            [
                Column("Payer", lambda p: p.name),
                Column("Members", lambda p: p.members, "int", "On the latest roster month"),
                Column("Latest roster", lambda p: p.roster_month, "month"),
                Column("Months", lambda p: month_span(p.first, p.last)),
                Column("Expected", lambda p: p.expected, money),
                Column("Paid", lambda p: p.paid, money),
                Column("Paid − expected", lambda p: p.variance, money),
                Column("Open", lambda p: p.open.count, "int", "Open discrepancies"),
                Column("Disputed", lambda p: p.disputed.count, "int"),
            ]
        )
        self.payer_table = CompactTable(self.payer_model)
        self.payer_table.setObjectName("payerTable")
        self.payer_table.stretch(0)
        outer.addWidget(section_title("By payer"))
        outer.addWidget(self.payer_table)

        columns = QHBoxLayout()
        columns.setSpacing(20)
        left = QVBoxLayout()
        left.setSpacing(8)
        self.attention_model = DollarModel(
            [
                Column("Payer", lambda a: a.payer_name),
                Column("Kind", lambda a: a.kind, "kind"),
                Column("Items", lambda a: a.count, "int"),
                Column("Paid − expected", lambda a: a.amount, money),
            ]
        )
        self.attention_table = CompactTable(self.attention_model)
        self.attention_table.setObjectName("attentionTable")
        self.attention_table.stretch(0)
        self.attention_table.setCursor(Qt.CursorShape.PointingHandCursor)
        self.attention_table.setToolTip("Click an item to work it on the Reconciliation page")
        self.attention_table.clicked.connect(self._attention_clicked)
        self.attention_table.activated.connect(self._attention_clicked)
        self.attention_empty = QLabel("Nothing open: every discrepancy has been dealt with.")
        self.attention_empty.setObjectName("attentionEmpty")
        self.attention_empty.setWordWrap(True)
        self.attention_empty.hide()
        left.addWidget(section_title("Needs attention"))
        note = QLabel("The biggest open discrepancies, by payer and kind. Click one to work it.")
        note.setWordWrap(True)
        left.addWidget(note)
        left.addWidget(self.attention_table)
        left.addWidget(self.attention_empty)
        left.addStretch(1)

        right = QVBoxLayout()
        right.setSpacing(8)
        self.files_model = DollarModel(
            [
                Column("Payer", lambda f: f.payer_code),
                Column("File", lambda f: f.file_name),
                Column("What", lambda f: f.detail.capitalize()),
                Column("Imported", lambda f: f.imported_at, "datetime"),
            ]
        )
        self.files_table = CompactTable(self.files_model)
        self.files_table.setObjectName("filesTable")
        self.files_table.stretch(1)
        self.files_empty = QLabel("No file imported yet.")
        self.files_empty.hide()
        self.kind_model = DollarModel(
            [
                Column("Kind", lambda r: r[0], "kind"),
                Column("Open items", lambda r: r[1].count, "int"),
                Column("Paid − expected", lambda r: r[1].amount, money),
            ]
        )
        self.kind_table = CompactTable(self.kind_model)
        self.kind_table.setObjectName("kindTable")
        self.kind_table.stretch(0)
        self.kind_table.setSelectionMode(QAbstractItemView.SelectionMode.NoSelection)
        right.addWidget(section_title("Open discrepancies by kind"))
        kinds_note = QLabel("Everything still open, over all payers and months.")
        kinds_note.setWordWrap(True)
        right.addWidget(kinds_note)
        right.addWidget(self.kind_table)
        self.kind_empty = QLabel("No open discrepancy.")
        self.kind_empty.hide()
        right.addWidget(self.kind_empty)
        right.addStretch(1)
        columns.addLayout(left, 1)
        columns.addLayout(right, 1)
        outer.addLayout(columns)
        outer.addWidget(section_title("Latest files"))
        outer.addWidget(self.files_table)
        outer.addWidget(self.files_empty)
        outer.addStretch(1)

        scroll = QScrollArea()
        scroll.setObjectName("dashboardScroll")
        scroll.setWidgetResizable(True)
        scroll.setFrameShape(QFrame.Shape.NoFrame)
        scroll.setWidget(content)

        self.empty = EmptyState(
            "Welcome to PMPM Desktop",
            "PMPM Desktop checks the capitation your practice is paid against what the payers' "
            "contracts and rosters say, and tracks every difference until it is settled.\n\n"
            "Open the demo practice to look around with realistic data (three payers, six "
            "months, already reconciled), or add your first payer to start with your own files.",
            [
                ("Open the demo practice", self.open_demo),
                ("Add your first payer", lambda: ctx.navigate.emit("payers", {})),
            ],
        )
        self.demo_button, self.add_payer_button = self.empty.buttons
        self.demo_button.setDefault(True)
        self.stack = ContentOrEmpty(scroll, self.empty)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addWidget(self.stack)

    # -- reading -------------------------------------------------------------------------
    def refresh(self) -> None:
        previous = self._handle() if self._handle is not None else None
        if previous is not None and previous.running:
            previous.cancel()
        self._generation += 1
        generation = self._generation
        db = self.ctx.db
        self.refresh_button.setEnabled(False)
        if self.overview is not None:
            self.subtitle.setText("Updating the figures…")
        handle = self.ctx.tasks.run(
            "Reading the dashboard figures",
            lambda progress: overview(db, progress),
            on_success=lambda result: self._show(generation, result),
            on_failure=lambda exc: self._failed(generation, exc),
            on_cancel=lambda: None,
            parent=self,
            show_progress=False,
        )
        self._handle = weakref.ref(handle)

    def _failed(self, generation: int, exc: BaseException) -> None:
        if generation != self._generation:
            return
        self.refresh_button.setEnabled(True)
        text, _details = dialogs.error_text(exc)
        self.subtitle.setText(f"The figures could not be read: {text}")

    def _show(self, generation: int, result: Overview) -> None:
        if generation != self._generation:
            return  # a newer refresh is on its way
        self.refresh_button.setEnabled(True)
        self.overview = result
        self.stack.show_empty(result.empty)
        if result.empty:
            return
        months = result.months
        n = len(result.payers)
        payers = f"{n} payer" + ("" if n == 1 else "s")
        if months is None:
            self.subtitle.setText(f"{payers}. No payment statement imported yet.")
        else:
            self.subtitle.setText(
                f"{payers}. Expected and paid cover the coverage months paid so far in "
                f"{months[1].year} ({month_span(*months)}), as a reconciliation computes them "
                "today."
            )
        self._show_tiles(result)
        self._show_hints(result.hints)
        self.payer_model.set_rows(result.payers)
        self._show_attention(result.attention, months is not None)
        kinds = [(k, t) for k, t in result.open_by_kind().items() if t.count]
        self.kind_model.set_rows(kinds)
        self.kind_table.setVisible(bool(kinds))
        self.kind_empty.setVisible(not kinds)
        self._show_files(result.recent)

    def _show_tiles(self, o: Overview) -> None:
        t = self.tiles
        per_payer = " · ".join(f"{p.code} {p.members:,}" for p in o.payers if p.roster_month)
        t["members"].set(
            format.count(o.members),
            f"on the latest rosters: {per_payer}" if per_payer else "no roster imported yet",
        )
        span = month_span(*o.months) if o.months else ""
        if o.expected is None:
            for name in ("expected", "paid", "difference"):
                t[name].set("—", "import a payment statement to compare")
        else:
            t["expected"].set(dollars(o.expected), f"under the contracts, {span}")
            t["paid"].set(dollars(o.paid), "by the payers for the same months")
            variance = o.variance or Decimal(0)
            tone = "bad" if variance < 0 else ""
            words = "paid − expected: "
            words += "short-paid" if variance < 0 else "overpaid" if variance > 0 else "even"
            t["difference"].set(dollars(variance), words, tone)
        open_ = o.total("open")
        t["open"].set(
            format.count(open_.count),
            f"{net_words(open_.amount)} in all" if open_.count else "nothing waiting",
            "bad" if open_.count else "good" if o.months else "",
        )
        disputed = o.total("disputed")
        t["disputed"].set(
            format.count(disputed.count),
            f"sent to the payers: {net_words(disputed.amount)}"
            if disputed.count
            else "none sent to a payer",
        )
        resolved = o.total("resolved_this_year")
        t["resolved"].set(
            format.count(resolved.count),
            f"in {o.year}: {net_words(resolved.amount)} when closed"
            if resolved.count
            else f"none yet in {o.year}",
        )
        written = o.total("written_off_this_year")
        t["writtenOff"].set(
            dollars(-written.amount) if written.count else "$0.00",
            f"{written.count:,} item(s) given up in {o.year}"
            if written.count
            else f"nothing written off in {o.year}",
        )

    def _show_hints(self, hints: Sequence[Hint]) -> None:
        # Rebuilt on every refresh: a handful of rows, and the old ones go with their holder.
        if self.hint_holder is not None:
            self.hint_layout.removeWidget(self.hint_holder)
            self.hint_holder.deleteLater()
            self.hint_holder = None
        self.hint_buttons = []
        self.hint_box.setVisible(bool(hints))
        if not hints:
            return
        holder = QWidget()
        rows = QVBoxLayout(holder)
        rows.setContentsMargins(0, 0, 0, 0)
        rows.setSpacing(6)
        for hint in hints:
            row = QHBoxLayout()
            label = QLabel(hint.text)
            label.setObjectName("hintText")
            label.setWordWrap(True)
            button = QPushButton(hint.button)
            button.setObjectName(f"hint_{hint.action}_{hint.payer_code}")
            button.clicked.connect(self._hint_action(hint))
            row.addWidget(label, 1)
            row.addWidget(button, 0, Qt.AlignmentFlag.AlignVCenter)
            rows.addLayout(row)
            self.hint_buttons.append(button)
        self.hint_layout.addWidget(holder)
        holder.show()  # a layout shows a new child only on the next event-loop pass
        self.hint_holder = holder

    def _hint_action(self, hint: Hint) -> Callable[[], None]:
        def act() -> None:
            if hint.action == "payers":
                self.ctx.navigate.emit("payers", {"payer": hint.payer_code})
            elif hint.action == "reconcile":
                self.ctx.navigate.emit("reconciliation", {"payer": hint.payer_code})
            else:
                kind = {
                    "import_roster": "roster",
                    "import_remittance": "remittance",
                    "import_rates": "rates",
                }[hint.action]
                self.open_import(kind)

        return act

    def open_import(self, kind: str) -> None:
        from pmpm_desktop.ui.import_wizard import open_import_wizard

        open_import_wizard(self.ctx, self, kind=kind)

    def _show_attention(self, items: Sequence[AttentionItem], reconciled: bool) -> None:
        self.attention_empty.setText(
            "Nothing open: every discrepancy has been dealt with."
            if reconciled
            else "Nothing to work yet: differences appear here once rosters and payment "
            "statements are imported and reconciled."
        )
        self.attention_model.set_rows(items)
        self.attention_table.setVisible(bool(items))
        self.attention_empty.setVisible(not items)

    def _show_files(self, files: Sequence[RecentFile]) -> None:
        self.files_model.set_rows(files)
        self.files_table.setVisible(bool(files))
        self.files_empty.setVisible(not files)

    def _attention_clicked(self, index: QModelIndex) -> None:
        if not index.isValid():
            return
        item: AttentionItem = self.attention_model.row(index.row())
        self.ctx.navigate.emit(
            "reconciliation", {"payer": item.payer_code, "kind": item.kind, "status": "open"}
        )

    # -- the empty state -----------------------------------------------------------------
    def open_demo(self) -> None:
        self.demo_button.setEnabled(False)
        open_demo_practice(self.ctx, self, on_done=lambda _r: self.demo_button.setEnabled(True))
