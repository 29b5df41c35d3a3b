"""The dashboard: where the practice stands — members, expected vs paid, what needs attention.

All figures come from ``services.overview`` (SQL over stored data, plus a reconciliation
computed without storing for expected vs paid, plus ``services.aging``), read in the background
on every refresh. The charts (``ui.charts``) open the matching discrepancies when clicked.
"""

from __future__ import annotations

import weakref
from collections.abc import Callable, Sequence
from decimal import Decimal
from typing import Any

from PySide6.QtCore import QEvent, QModelIndex, Qt
from PySide6.QtGui import QFont, QFontMetricsF, QPalette, QResizeEvent
from PySide6.QtWidgets import (
    QAbstractItemView,
    QApplication,
    QFrame,
    QGridLayout,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QPushButton,
    QScrollArea,
    QSizePolicy,
    QTableView,
    QVBoxLayout,
    QWidget,
)

from pmpm_desktop.core.month import Month
from pmpm_desktop.core.payer_level import RULE as PAYER_LEVEL_RULE
from pmpm_desktop.core.summary import RECOVERED_DEFINITION, RECOVERED_TITLE, recovered_caption
from pmpm_desktop.services.aging import BUCKETS
from pmpm_desktop.services.overview import AttentionItem, Hint, Overview, RecentFile, overview
from pmpm_desktop.ui import dialogs, format
from pmpm_desktop.ui.charts import BarChart, Chart, LineChart, Series, dollars
from pmpm_desktop.ui.context import DISCREPANCIES, IMPORTS, PAYERS, AppContext
from pmpm_desktop.ui.demo_action import open_demo_practice
from pmpm_desktop.ui.pages.base import (
    ContentOrEmpty,
    EmptyState,
    Page,
    bold_label,
    page_title,
)
from pmpm_desktop.ui.table_model import Column, Index, RowsModel
from pmpm_desktop.ui.theme import negative_color, positive_color
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
QFrame#chartCard {
    border: 1px solid palette(mid);
    border-radius: 8px;
    background: palette(base);
}
QFrame#hintBox {
    border: 1px solid #d9b44a;
    border-radius: 8px;
    background: rgba(217, 180, 74, 40);
}
"""


#: dollars() lives in ui.charts (the charts label money the same way); re-exported here
__all__ = ["DashboardPage", "dollars"]
#: the statuses a chart click opens: what is still being worked
ACTIVE = "active"
#: a red that reads on a dark background


def _unbroken(text: str) -> str:
    """``text`` kept on one line when a caption wraps (no break in "missing −$1,234.00")."""
    return text.replace(" ", "\u00a0").replace("−$", "−\u2060$")


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


class FitLabel(QLabel):
    """A one-line label in a large font that shrinks (down to 55%) rather than clip: a
    hundred-million-dollar total still reads whole in a narrow tile."""

    def __init__(self, text: str, scale: float, parent: QWidget | None = None) -> None:
        super().__init__(text, parent)
        font = self.font()
        font.setBold(True)
        self._full = font.pointSizeF() * scale
        font.setPointSizeF(self._full)
        self.setFont(font)
        # the tile's width decides, not the text's
        self.setSizePolicy(QSizePolicy.Policy.Ignored, QSizePolicy.Policy.Preferred)

    def setText(self, text: str) -> None:
        super().setText(text)
        self._fit()

    def resizeEvent(self, event: QResizeEvent) -> None:
        super().resizeEvent(event)
        self._fit()

    def _fit(self) -> None:
        width = self.contentsRect().width()
        font = QFont(self.font())
        size = self._full
        font.setPointSizeF(size)
        while (
            size > self._full * 0.55 and QFontMetricsF(font).horizontalAdvance(self.text()) > width
        ):
            size -= 0.5
            font.setPointSizeF(size)
        if font.pointSizeF() != self.font().pointSizeF():
            self.setFont(font)


class KpiTile(QFrame):
    """A card: a small heading, a large number, a sentence saying what the number is."""

    def __init__(self, name: str, heading: str, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("kpiTile")
        self.setProperty("tile", name)
        self.tone = ""
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
        self.value = FitLabel("—", 2.0)
        self.value.setObjectName(f"{name}Value")
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
        self.tone = tone
        self._colour_value()

    def _colour_value(self) -> None:
        # a red and a green that read on the tile's background, light or dark
        tones = {"bad": negative_color, "good": positive_color}
        tone = tones.get(self.tone)
        colour = tone(self.palette()).name() if tone is not None else None
        self.value.setStyleSheet(f"color: {colour};" if colour else "")

    def changeEvent(self, event: QEvent) -> None:
        if event.type() == QEvent.Type.PaletteChange:
            self._colour_value()
        super().changeEvent(event)


class ChartCard(QFrame):
    """A card around a chart: a title, a sentence saying how to read it, the chart."""

    def __init__(self, title: str, note: str, chart: Chart, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("chartCard")
        self.chart = chart
        layout = QVBoxLayout(self)
        layout.setContentsMargins(14, 10, 14, 10)
        layout.setSpacing(2)
        heading = section_title(title)
        self.note = QLabel(note)
        self.note.setWordWrap(True)
        self.note.setStyleSheet("color: palette(dark);")
        layout.addWidget(heading)
        layout.addWidget(self.note)
        layout.addWidget(chart, 1)
        # a fixed height: a tall window gives the tables below more room, not taller charts
        chart.setFixedHeight(250)
        self.setSizePolicy(QSizePolicy.Policy.Expanding, QSizePolicy.Policy.Preferred)


def section_title(text: str) -> QLabel:
    return bold_label(text, 1.15)


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
    depends_on = frozenset({PAYERS, IMPORTS, DISCREPANCIES})

    def __init__(self, ctx: AppContext, parent: QWidget | None = None) -> None:
        super().__init__(ctx, parent)
        self.setStyleSheet(TILE_STYLE)
        # A widget with a style sheet keeps the palette it was polished with: Qt does not pass
        # a new application palette (light ↔ dark) down to it, so the sheet is re-applied.
        app = QApplication.instance()
        if isinstance(app, QApplication):
            app.paletteChanged.connect(self._palette_changed)
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
            ("members", "Members this month"),
            ("expected", "Expected"),
            ("paid", "Paid"),
            ("difference", "Difference"),
            ("open", "Open amount"),
            ("disputed", "Disputed"),
            ("recovered", RECOVERED_TITLE),
            ("resolved", "Resolved this year"),
        ]
        self.tiles: dict[str, KpiTile] = {}
        for n, (name, heading) in enumerate(specs):
            tile = KpiTile(name, heading)
            self.tiles[name] = tile
            grid.addWidget(tile, n // 4, n % 4)
        for column in range(4):
            grid.setColumnStretch(column, 1)
        outer.addLayout(grid)

        # Charts: a click opens the matching discrepancies on the Reconciliation page.
        self.money_chart = LineChart(
            "Expected and paid by month",
            "money",
            empty_text="No payment statement yet: import one to compare with what was expected.",
        )
        self.money_chart.setObjectName("moneyChart")
        self.members_chart = BarChart(
            "Members by payer and month",
            "count",
            empty_text="No month reconciled yet: members appear once rosters and a statement "
            "are imported.",
        )
        self.members_chart.setObjectName("membersChart")
        self.aging_chart = BarChart(
            "Open amount by age",
            "money",
            stacked=True,
            empty_text="Nothing open or disputed: no money is waiting.",
        )
        self.aging_chart.setObjectName("agingChart")
        self.money_chart.clicked.connect(self._money_clicked)
        self.members_chart.clicked.connect(self._members_clicked)
        self.aging_chart.clicked.connect(self._aging_clicked)
        self.money_card = ChartCard(
            "Expected and paid by month",
            "All payers. Click a point to see that month's open discrepancies.",
            self.money_chart,
        )
        self.members_card = ChartCard(
            "Members by month",
            "Eligible members by payer. Click a bar to see that payer's month.",
            self.members_chart,
        )
        self.aging_card = ChartCard(
            "Open amount by age",
            "Paid − expected of what is still open or disputed, by days since the payment was "
            "due. Click a bar to work that payer's items.",
            self.aging_chart,
        )
        # hidden while every chart would only say "nothing yet" (the next steps say what to do)
        self.charts_box = QWidget()
        self.charts_box.setObjectName("chartsBox")
        charts = QGridLayout(self.charts_box)
        charts.setContentsMargins(0, 0, 0, 0)
        charts.setSpacing(12)
        charts.addWidget(self.money_card, 0, 0)
        charts.addWidget(self.members_card, 0, 1)
        charts.addWidget(self.aging_card, 1, 0)
        charts.setColumnStretch(0, 1)
        charts.setColumnStretch(1, 1)
        outer.addWidget(self.charts_box)

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
        kind_card = QFrame()
        kind_card.setObjectName("chartCard")
        kinds = QVBoxLayout(kind_card)
        kinds.setContentsMargins(14, 10, 14, 10)
        kinds.setSpacing(6)
        kinds.addWidget(section_title("Open discrepancies by kind"))
        kinds_note = QLabel("Everything still open, over all payers and months.")
        kinds_note.setWordWrap(True)
        kinds_note.setStyleSheet("color: palette(dark);")
        kinds.addWidget(kinds_note)
        kinds.addWidget(self.kind_table)
        self.kind_empty = QLabel("No open discrepancy.")
        self.kind_empty.hide()
        kinds.addWidget(self.kind_empty)
        kinds.addStretch(1)
        charts.addWidget(kind_card, 1, 1)

        # Needs attention and the latest files, each full width: names and file names are long
        outer.addLayout(left)
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

    def _palette_changed(self, _palette: QPalette) -> None:
        self.setStyleSheet("")
        self.setStyleSheet(TILE_STYLE)

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
        self._show_charts(result)
        self._show_hints(result.hints)
        self.payer_model.set_rows(result.payers)
        self._show_attention(result.attention, months is not None)
        kinds = [(k, t) for k, t in result.open_by_kind().items() if t.count]
        self.kind_model.set_rows(kinds)
        self.kind_table.setVisible(bool(kinds))
        self.kind_empty.setVisible(not kinds)
        charts = (self.money_chart, self.members_chart, self.aging_chart)
        self.charts_box.setVisible(bool(kinds) or not all(c.is_empty for c in charts))
        self._show_files(result.recent)

    def _show_tiles(self, o: Overview) -> None:
        t = self.tiles
        per_payer = " · ".join(
            _unbroken(f"{p.code} {p.members:,}") for p in o.payers if p.roster_month
        )
        roster_months = sorted({p.roster_month for p in o.payers if p.roster_month})
        which = (
            f"on the {roster_months[-1]} rosters"
            if len(roster_months) == 1
            else "on each payer's latest roster"
        )
        # "this month" only when the rosters are this month's; else say which roster it is
        this_month = o.as_of is not None and roster_months == [Month.of(o.as_of)]
        t["members"].heading.setText(
            "MEMBERS THIS MONTH" if this_month or not roster_months else "MEMBERS, LATEST ROSTER"
        )
        t["members"].set(
            format.count(o.members),
            f"{which}: {per_payer}" if per_payer else "no roster imported yet",
        )
        span = month_span(*o.months) if o.months else ""
        if o.expected is None:
            for name in ("expected", "paid", "difference"):
                t[name].set("—", "import a payment statement to compare")
        else:
            t["expected"].set(dollars(o.expected), f"under the contracts, {span}")
            # payments without members (an 835's PLB) are not in Paid: said beside it
            level = o.payer_level_paid
            t["paid"].set(
                dollars(o.paid),
                "by the payers for the same months"
                + ("" if level is None else f", and {dollars(level)} without members"),
            )
            t["paid"].setToolTip("" if level is None else PAYER_LEVEL_RULE)
            variance = o.variance or Decimal(0)
            tone = "bad" if variance < 0 else ""
            words = "paid − expected: "
            words += "short-paid" if variance < 0 else "overpaid" if variance > 0 else "even"
            t["difference"].set(dollars(variance), words, tone)
        open_ = o.total("open")
        by_kind = sorted(
            ((k, v) for k, v in o.open_by_kind().items() if v.count),
            key=lambda kv: (-abs(kv[1].amount), kv[0]),
        )
        shown = ", ".join(
            _unbroken(f"{format.kind(k).lower()} {dollars(v.amount)}") for k, v in by_kind[:3]
        )
        more = f" and {len(by_kind) - 3} more kinds" if len(by_kind) > 3 else ""
        t["open"].set(
            dollars(open_.amount) if open_.count else "$0.00",
            f"{open_.count:,} item(s): {shown}{more}" if open_.count else "nothing waiting",
            "bad" if open_.amount < 0 else "good" if o.months and not open_.count else "",
        )
        disputed = o.total("disputed")
        t["disputed"].set(
            format.count(disputed.count),
            f"sent to the payers: {net_words(disputed.amount)}"
            if disputed.count
            else "none sent to a payer",
        )
        recovered = o.total("recovered")
        # the words of the workbook's Cover and Aging sheets (one rule: services.disputes)
        t["recovered"].set(
            dollars(recovered.amount),
            recovered_caption(recovered.count, f"in {o.year}"),
            "good" if recovered.amount > 0 else "",
        )
        t["recovered"].setToolTip(RECOVERED_DEFINITION)
        resolved = o.total("resolved_this_year")
        written = o.total("written_off_this_year")
        off = (
            f"; {written.count:,} written off {_unbroken(f'({dollars(written.amount)})')}"
            if written.count
            else "; none written off"
        )
        t["resolved"].set(
            format.count(resolved.count),
            (f"closed in {o.year}" if resolved.count else f"none yet in {o.year}") + off,
        )

    def _show_charts(self, o: Overview) -> None:
        monthly = o.monthly()
        self.money_chart.set_data(
            [(str(m), format.month(m)) for m, _e, _p in monthly],
            [
                Series("expected", "Expected", tuple(e for _m, e, _p in monthly), dashed=True),
                Series("paid", "Paid", tuple(p for _m, _e, p in monthly)),
            ],
        )
        months = sorted({m.month for p in o.payers for m in p.months})
        members = []
        for p in o.payers:
            if not p.months:
                continue
            eligible = {m.month: m.eligible_members for m in p.months}
            members.append(Series(p.code, p.name, tuple(eligible.get(m) for m in months)))
        self.members_chart.set_data([(str(m), format.month(m)) for m in months], members)
        self.aging_chart.set_data(
            [(b, f"{b} days") for b in BUCKETS],
            [
                Series(
                    r.payer_code,
                    r.payer_name,
                    tuple(r.amounts[b] if r.counts[b] else None for b in BUCKETS),
                )
                for r in o.aging
                if r.count
            ],
        )
        as_of = format.date(o.as_of) if o.as_of else "today"
        self.aging_card.note.setText(
            "Paid − expected of what is still open or disputed, by days since the payment was "
            f"due (as of {as_of}). Click a bar to work that payer's items."
        )

    # -- chart clicks: the matching discrepancies on the Reconciliation page ------------------
    def _money_clicked(self, _series: str, month: str) -> None:
        """Expected or paid of a month (all payers): that month's open and disputed items."""
        self.ctx.navigate.emit("reconciliation", {"payer": "", "month": month, "status": ACTIVE})

    def _members_clicked(self, payer: str, month: str) -> None:
        self.ctx.navigate.emit("reconciliation", {"payer": payer, "month": month, "status": ACTIVE})

    def _aging_clicked(self, payer: str, _bucket: str) -> None:
        """A payer's bucket: its open and disputed items (the Reconciliation page has no age
        filter, so every age of that payer is listed)."""
        self.ctx.navigate.emit("reconciliation", {"payer": payer, "status": ACTIVE})

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
