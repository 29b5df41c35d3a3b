"""The dashboard: where the practice stands — members, expected vs paid, what is owed each way,
what needs attention.

The figures come from ``services.overview``, read in the background by the
``operations.dashboard.read_figures`` op on every refresh (a newer refresh replaces a running
read: the task runner's ``latest`` key). The parts are small widgets of their own modules:
tiles (``dashboard_tiles``), charts (``dashboard_charts``), tables (``dashboard_tables``),
next steps (``dashboard_hints``); this page lays them out and wires them.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from PySide6.QtCore import QModelIndex, Qt
from PySide6.QtGui import QPalette
from PySide6.QtWidgets import (
    QApplication,
    QFrame,
    QHBoxLayout,
    QLabel,
    QPushButton,
    QScrollArea,
    QVBoxLayout,
    QWidget,
)

from pmpm_desktop.core.summary import Status
from pmpm_desktop.services.file_months import months_text
from pmpm_desktop.services.overview import AttentionItem, Hint, HintAction, Overview
from pmpm_desktop.ui import dialogs
from pmpm_desktop.ui.charts import dollars
from pmpm_desktop.ui.context import AppContext, Changed
from pmpm_desktop.ui.demo_action import open_demo_practice
from pmpm_desktop.ui.operations.dashboard import read_figures
from pmpm_desktop.ui.pages.base import ContentOrEmpty, EmptyState, Page, page_title
from pmpm_desktop.ui.pages.dashboard_charts import DashboardCharts
from pmpm_desktop.ui.pages.dashboard_hints import HintBox
from pmpm_desktop.ui.pages.dashboard_layout import STYLE, note_label, section_title
from pmpm_desktop.ui.pages.dashboard_tables import (
    ATTENTION_COLUMNS,
    FILE_COLUMNS,
    PAYER_COLUMNS,
    CompactTable,
    DollarModel,
)
from pmpm_desktop.ui.pages.dashboard_tiles import Tiles

#: dollars() lives in ui.charts (the charts label money the same way); re-exported here
__all__ = ["DashboardPage", "dollars"]

WELCOME = (
    "PMPM Desktop checks the capitation your practice is paid against what the payers' "
    "contracts and rosters say, and tracks every difference until it is settled.\n\n"
    "Open the demo practice to look around with realistic data (three payers, six months, "
    "already reconciled), or add your first payer to start with your own files."
)


class DashboardPage(Page):
    key = "dashboard"
    title = "Dashboard"
    depends_on = frozenset({Changed.PAYERS, Changed.IMPORTS, Changed.DISCREPANCIES})

    def __init__(self, ctx: AppContext, parent: QWidget | None = None) -> None:
        super().__init__(ctx, parent)
        self.setStyleSheet(STYLE)
        # A widget with a style sheet keeps the palette it was polished with: Qt does not pass
        # a new application palette (light ↔ dark) down to it, so the sheet is re-applied.
        app = QApplication.instance()
        if isinstance(app, QApplication):
            app.paletteChanged.connect(self._palette_changed)
        #: the figures shown (None until the first read came back)
        self.overview: Overview | None = None
        self.hint_box = HintBox(self._hint_action)
        self.tiles_box = Tiles()
        self.tiles = self.tiles_box.tiles
        self.charts_box = DashboardCharts()
        self.charts_box.open_items.connect(self._open_items)
        charts = self.charts_box
        self.money_chart, self.members_chart = charts.money_chart, charts.members_chart
        self.aging_chart, self.aging_card = charts.aging_chart, charts.aging_card
        self.money_card = charts.money_card
        self.kind_model = charts.kind_model
        self._build_tables()
        self.stack = ContentOrEmpty(self._build_content(), self._build_empty())
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addWidget(self.stack)

    def _build_head(self) -> QHBoxLayout:
        head = QHBoxLayout()
        titles = QVBoxLayout()
        titles.setSpacing(2)
        self.heading = page_title("Dashboard")
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
        return head

    def _build_tables(self) -> None:
        self.payer_model = DollarModel(PAYER_COLUMNS)
        self.payer_table = CompactTable(self.payer_model, text=0)
        self.payer_table.setObjectName("payerTable")
        self.attention_model = DollarModel(ATTENTION_COLUMNS)
        self.attention_table = CompactTable(self.attention_model, text=0)
        self.attention_table.setObjectName("attentionTable")
        self.attention_table.setCursor(Qt.CursorShape.PointingHandCursor)
        self.attention_table.setToolTip("Click an item to work it on the Reconciliation page")
        self.attention_table.clicked.connect(self._attention_clicked)
        self.attention_table.activated.connect(self._attention_clicked)
        self.attention_empty = QLabel("Nothing open: every discrepancy has been dealt with.")
        self.attention_empty.setObjectName("attentionEmpty")
        self.attention_empty.setWordWrap(True)
        self.attention_empty.hide()
        self.files_model = DollarModel(FILE_COLUMNS)
        self.files_table = CompactTable(self.files_model, text=1)
        self.files_table.setObjectName("filesTable")
        self.files_empty = QLabel("No file imported yet.")
        self.files_empty.hide()

    def _build_content(self) -> QScrollArea:
        content = QWidget()
        content.setObjectName("dashboardContent")
        outer = QVBoxLayout(content)
        outer.setContentsMargins(24, 20, 24, 24)
        outer.setSpacing(16)
        outer.addLayout(self._build_head())
        parts: list[QWidget] = [
            self.hint_box,
            self.tiles_box,
            self.charts_box,
            section_title("By payer"),
            self.payer_table,
            section_title("Needs attention"),
            note_label("The biggest open discrepancies, by payer and kind. Click one to work it."),
            self.attention_table,
            self.attention_empty,
            section_title("Latest files"),
            self.files_table,
            self.files_empty,
        ]
        for part in parts:
            outer.addWidget(part)
        outer.addStretch(1)
        scroll = QScrollArea()
        scroll.setObjectName("dashboardScroll")
        scroll.setWidgetResizable(True)
        scroll.setFrameShape(QFrame.Shape.NoFrame)
        scroll.setWidget(content)
        return scroll

    def _build_empty(self) -> EmptyState:
        self.empty = EmptyState(
            "Welcome to PMPM Desktop",
            WELCOME,
            [
                ("Open the demo practice", self.open_demo),
                ("Add your first payer", lambda: self.ctx.navigate.emit("payers", {})),
            ],
        )
        self.demo_button, self.add_payer_button = self.empty.buttons
        self.demo_button.setDefault(True)
        return self.empty

    @property
    def hint_buttons(self) -> list[QPushButton]:
        return self.hint_box.buttons

    def _palette_changed(self, _palette: QPalette) -> None:
        self.setStyleSheet("")
        self.setStyleSheet(STYLE)

    # -- reading -------------------------------------------------------------------------
    def refresh(self) -> None:
        self.refresh_button.setEnabled(False)
        if self.overview is not None:
            self.subtitle.setText("Updating the figures…")
        self.ctx.run(
            read_figures(self.ctx.db),
            parent=self,
            on_success=self._show,
            on_failure=self._failed,
            on_cancel=lambda: self.refresh_button.setEnabled(True),
            show_progress=False,
        )

    def _failed(self, exc: BaseException) -> None:
        self.refresh_button.setEnabled(True)
        text, _details = dialogs.error_text(exc)
        self.subtitle.setText(f"The figures could not be read: {text}")

    def _show(self, result: Overview) -> None:
        self.refresh_button.setEnabled(True)
        self.overview = result
        self.stack.show_empty(result.empty)
        if result.empty:
            return
        self.subtitle.setText(self._subtitle(result))
        self.tiles_box.show_overview(result)
        self.charts_box.show_overview(result)
        self.hint_box.show_hints(result.hints)
        self.payer_model.set_rows(result.payers)
        self._show_attention(result.attention, result.months is not None)
        self.files_model.set_rows(result.recent)
        self.files_table.setVisible(bool(result.recent))
        self.files_empty.setVisible(not result.recent)

    @staticmethod
    def _subtitle(o: Overview) -> str:
        n = len(o.payers)
        payers = f"{n} payer" + ("" if n == 1 else "s")
        if o.months is None:
            return f"{payers}. No payment statement imported yet."
        return (
            f"{payers}. Expected and paid cover the coverage months paid so far in "
            f"{o.months[1].year} ({months_text(*o.months)}), as a reconciliation computes "
            "them today."
        )

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

    # -- where a click leads ----------------------------------------------------------------
    def _open_items(self, filters: dict[str, Any]) -> None:
        self.ctx.navigate.emit("reconciliation", filters)

    def _attention_clicked(self, index: QModelIndex) -> None:
        if not index.isValid():
            return
        item: AttentionItem = self.attention_model.row(index.row())
        self._open_items({"payer": item.payer_code, "kind": item.kind, "status": Status.OPEN})

    def _hint_action(self, hint: Hint) -> None:
        if hint.action is HintAction.PAYERS:
            self.ctx.navigate.emit("payers", {"payer": hint.payer_code})
        elif hint.action is HintAction.RECONCILE:
            self.ctx.navigate.emit("reconciliation", {"payer": hint.payer_code})
        elif hint.action.file_kind is not None:
            self.open_import(hint.action.file_kind)

    def open_import(self, kind: str) -> None:
        from pmpm_desktop.ui.import_wizard import open_import_wizard

        open_import_wizard(self.ctx, self, kind=kind)

    # -- the empty state -----------------------------------------------------------------
    def open_demo(self) -> None:
        self.demo_button.setEnabled(False)
        open_demo_practice(self.ctx, self, on_done=lambda _r: self.demo_button.setEnabled(True))
