"""The parts the detail pane is built of: its scrolling body, the big figures, section
headings and the small tables (paid lines, history, suggestions) with their columns."""

from __future__ import annotations

from collections.abc import Sequence

from PySide6.QtCore import QEvent, QSize, Qt
from PySide6.QtGui import QPalette, QResizeEvent
from PySide6.QtWidgets import (
    QAbstractItemView,
    QApplication,
    QLabel,
    QScrollArea,
    QSizePolicy,
    QTableView,
    QWidget,
)

from pmpm_desktop.services.audit import RECONCILE_ACTOR
from pmpm_desktop.ui.discrepancy_detail_text import change_text
from pmpm_desktop.ui.grids import install_grid_actions
from pmpm_desktop.ui.pages.base import bold_label
from pmpm_desktop.ui.reconciliation_tables import ColumnFitter
from pmpm_desktop.ui.table_model import Column, RowsModel
from pmpm_desktop.ui.theme import negative_color


class Body(QWidget):
    """The scrolling page of the pane. It claims no minimum size, so the scroll area (which
    asks its height for its width) makes it exactly as wide as its viewport and as tall as its
    wrapped text needs: text wraps and tables fit, nothing is cut off at the right edge, and
    no surplus height (the minimum size of word-wrapped labels is worked out at a narrow
    width, far too tall) shows up as gaps between sections."""

    def minimumSizeHint(self) -> QSize:
        return QSize(0, 0)

    def event(self, event: QEvent) -> bool:
        done = super().event(event)
        if event.type() == QEvent.Type.LayoutRequest:
            # What it shows changed (new text, rows): the scroll area sizes it again (it asks
            # its height for its width), else the old height would squeeze the new text.
            viewport = self.parentWidget()
            area = viewport.parentWidget() if viewport is not None else None
            if isinstance(area, QScrollArea):
                QApplication.sendEvent(area, QEvent(QEvent.Type.LayoutRequest))
        return done


class Figures(QWidget):
    """Expected, Paid and Variance in big type: side by side when the pane is wide enough,
    else one under the other (caption left, amount right-aligned), never cut off."""

    NAMES = ("Expected", "Paid", "Variance")
    SPACING = 18
    TOP, BOTTOM = 8, 4

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("figures")
        self.captions: dict[str, QLabel] = {}
        self.values: dict[str, QLabel] = {}
        for name in self.NAMES:
            caption = QLabel(name, self)
            caption.setForegroundRole(QPalette.ColorRole.PlaceholderText)  # muted, light or dark
            value = QLabel(self)
            value.setObjectName(f"figure{name}")
            big = value.font()
            big.setPointSizeF(big.pointSizeF() * 1.6)
            big.setBold(True)
            value.setFont(big)
            self.captions[name.lower()] = caption
            self.values[name.lower()] = value
        policy = QSizePolicy(QSizePolicy.Policy.Preferred, QSizePolicy.Policy.Fixed)
        policy.setHeightForWidth(True)
        self.setSizePolicy(policy)
        self.side_by_side = True

    def set_values(self, expected: str, paid: str, variance: str, negative: bool) -> None:
        for key, text in (("expected", expected), ("paid", paid), ("variance", variance)):
            self.values[key].setText(text)
        self.values["variance"].setStyleSheet(
            f"color: {negative_color(self.palette()).name()};" if negative else ""
        )
        self.updateGeometry()
        self._place()

    # -- sizes ----------------------------------------------------------------------------
    def _pairs(self) -> list[tuple[QSize, QSize]]:
        return [(self.captions[k].sizeHint(), self.values[k].sizeHint()) for k in self.values]

    def _wide(self) -> QSize:
        pairs = self._pairs()
        width = sum(max(c.width(), v.width()) for c, v in pairs) + self.SPACING * 2
        height = max(c.height() for c, _v in pairs) + max(v.height() for _c, v in pairs)
        return QSize(width, height + self.TOP + self.BOTTOM)

    def _narrow(self) -> QSize:
        pairs = self._pairs()
        width = max(c.width() for c, _v in pairs) + self.SPACING + max(v.width() for _c, v in pairs)
        height = sum(max(c.height(), v.height()) for c, v in pairs)
        return QSize(width, height + self.TOP + self.BOTTOM)

    def sizeHint(self) -> QSize:
        return self._wide()

    def minimumSizeHint(self) -> QSize:
        return self._narrow()

    def hasHeightForWidth(self) -> bool:
        return True

    def heightForWidth(self, width: int) -> int:
        wide = self._wide()
        return wide.height() if width >= wide.width() else self._narrow().height()

    # -- placing --------------------------------------------------------------------------
    def resizeEvent(self, event: QResizeEvent) -> None:
        super().resizeEvent(event)
        self._place()

    def changeEvent(self, event: QEvent) -> None:
        super().changeEvent(event)
        if event.type() == QEvent.Type.PaletteChange and self.values["variance"].styleSheet():
            # light ↔ dark: the red that reads on the new background
            self.values["variance"].setStyleSheet(
                f"color: {negative_color(self.palette()).name()};"
            )

    def _place(self) -> None:
        width = self.width()
        self.side_by_side = width >= self._wide().width()
        x, y = 0, self.TOP
        if self.side_by_side:
            for key in self.values:
                caption, value = self.captions[key], self.values[key]
                cap, val = caption.sizeHint(), value.sizeHint()
                column = max(cap.width(), val.width())
                caption.setGeometry(x, y, column, cap.height())
                value.setGeometry(x, y + cap.height(), column, val.height())
                value.setAlignment(Qt.AlignmentFlag.AlignLeft | Qt.AlignmentFlag.AlignVCenter)
                x += column + self.SPACING
            return
        for key in self.values:
            caption, value = self.captions[key], self.values[key]
            cap, val = caption.sizeHint(), value.sizeHint()
            line = max(cap.height(), val.height())
            amount = min(val.width(), width)
            value.setGeometry(width - amount, y, amount, line)
            value.setAlignment(Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter)
            caption.setGeometry(0, y, max(width - amount - self.SPACING, 0), line)
            y += line


def heading(text: str) -> QLabel:
    label = bold_label(text, name="sectionHeading")
    label.setContentsMargins(0, 8, 0, 0)
    return label


def small_table(model: RowsModel, name: str, give_way: Sequence[int]) -> QTableView:
    """A table showing all its rows, its columns fitted to the pane's width (the
    ``give_way`` columns take the spare room, and shrink first when there is too little;
    a cut cell shows its whole text as a tooltip)."""
    view = QTableView()
    view.setObjectName(name)
    view.setModel(model)
    view.verticalHeader().hide()
    view.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
    view.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
    view.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
    view.setWordWrap(False)
    view.setVerticalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAlwaysOff)
    view.setHorizontalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAlwaysOff)
    view.verticalHeader().setDefaultSectionSize(22)
    view.setSizePolicy(QSizePolicy.Policy.Ignored, QSizePolicy.Policy.Fixed)
    install_grid_actions(view)
    ColumnFitter(view, give_way, squeeze=True)  # a child of the view: lives as long
    return view


def fit_height(view: QTableView) -> None:
    """Show every row of a small table without its own scroll bar."""
    rows = view.model().rowCount()
    body = view.verticalHeader().length() if rows else view.verticalHeader().defaultSectionSize()
    view.setFixedHeight(view.horizontalHeader().sizeHint().height() + body + 2 * view.frameWidth())


PAID_COLUMNS = [
    Column("File", lambda p: p.file_name),
    Column("Row", lambda p: p.source_row, "int"),
    Column("Amount", lambda p: p.amount, "money"),
    Column("Type", lambda p: p.line_type),
    Column("Paid on", lambda p: p.payment_date, "date"),
]


HISTORY_COLUMNS = [
    Column("When", lambda h: h.at, "datetime"),
    # a person's user name as it is (the OS or database login), so the audit trail matches
    Column("Who", lambda h: "Reconciliation" if h.actor == RECONCILE_ACTOR else h.actor),
    Column("Change", change_text),
    Column("Note", lambda h: h.note),
]

SUGGESTION_COLUMNS = [
    Column("Member ID", lambda s: s.member_id),
    Column("Name", lambda s: s.name),
    Column("Born", lambda s: s.dob, "date"),
    Column("Why", lambda s: s.reason),
]
