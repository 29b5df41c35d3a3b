"""Widgets the Dashboard lays itself out with: a grid that reflows to the width it is given, a
card around a chart, a section title, the page's style sheet."""

from __future__ import annotations

from PySide6.QtCore import QSize
from PySide6.QtGui import QResizeEvent
from PySide6.QtWidgets import QFrame, QGridLayout, QLabel, QSizePolicy, QVBoxLayout, QWidget

from pmpm_desktop.ui.charts import Chart
from pmpm_desktop.ui.pages.base import bold_label

STYLE = """
QFrame#kpiTile, QFrame#chartCard {
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


def section_title(text: str) -> QLabel:
    return bold_label(text, 1.15)


def note_label(text: str) -> QLabel:
    """A sentence saying how to read what follows, in a quieter colour."""
    label = QLabel(text)
    label.setWordWrap(True)
    label.setStyleSheet("color: palette(dark);")
    return label


class ReflowGrid(QWidget):
    """Cells of equal width in as many columns as fit (up to ``max_columns``), the rest on the
    next rows: a narrow window gets more rows, never a sideways scroll bar."""

    def __init__(
        self, cell_width: int, max_columns: int, spacing: int = 12, parent: QWidget | None = None
    ) -> None:
        super().__init__(parent)
        self.cell_width = cell_width
        self.max_columns = max_columns
        self._grid = QGridLayout(self)
        self._grid.setContentsMargins(0, 0, 0, 0)
        self._grid.setSpacing(spacing)
        self._cells: list[QWidget] = []
        self._columns = 0

    @property
    def columns(self) -> int:
        """How many columns the cells are in now."""
        return self._columns

    def add(self, cell: QWidget) -> None:
        self._cells.append(cell)
        self._arrange(self.columns_for(self.width()), force=True)

    def columns_for(self, width: int) -> int:
        spacing = self._grid.spacing()
        fit = (width + spacing) // (self.cell_width + spacing)
        return max(1, min(self.max_columns, fit, len(self._cells) or 1))

    def _arrange(self, columns: int, force: bool = False) -> None:
        if columns == self._columns and not force:
            return
        for cell in self._cells:
            self._grid.removeWidget(cell)
        for i, cell in enumerate(self._cells):
            self._grid.addWidget(cell, i // columns, i % columns)
        for column in range(self.max_columns):
            self._grid.setColumnStretch(column, 1 if column < columns else 0)
        self._columns = columns
        self.updateGeometry()

    def resizeEvent(self, event: QResizeEvent) -> None:
        super().resizeEvent(event)
        self._arrange(self.columns_for(event.size().width()))

    def minimumSizeHint(self) -> QSize:
        # as narrow as one cell: the cells reflow, so the page never needs to scroll sideways
        return QSize(self.cell_width, self._grid.totalMinimumSize().height())

    def sizeHint(self) -> QSize:
        spacing = self._grid.spacing()
        width = self.max_columns * (self.cell_width + spacing) - spacing
        return QSize(width, self._grid.totalSizeHint().height())


class ChartCard(QFrame):
    """A card around a chart: a title, a sentence saying how to read it, the chart."""

    def __init__(self, title: str, note: str, chart: Chart, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("chartCard")
        self.chart = chart
        layout = QVBoxLayout(self)
        layout.setContentsMargins(14, 10, 14, 10)
        layout.setSpacing(2)
        self.note = note_label(note)
        layout.addWidget(section_title(title))
        layout.addWidget(self.note)
        layout.addWidget(chart, 1)
        # a fixed height: a tall window gives the tables below more room, not taller charts
        chart.setFixedHeight(250)
        self.setSizePolicy(QSizePolicy.Policy.Expanding, QSizePolicy.Policy.Preferred)
