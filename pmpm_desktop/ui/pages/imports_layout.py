"""How the Rosters and Remittances grids use their room: columns and the grid/rows split.

``ColumnFit`` sizes every column to its contents and gives the width left over to one wide
column (the file name, a member's name), which never shrinks below a readable width; a column
the user dragged keeps the width they chose. Amounts, counts and dates never give way (an
amount cut to "26,….49" is no amount): when the text columns cannot make room, the grid
scrolls sideways, the page does not. ``split_sizes`` is the grid / rows split used
when an import is opened.
"""

from __future__ import annotations

from collections.abc import Sequence

from PySide6.QtCore import QEvent, QObject, Qt
from PySide6.QtWidgets import QHeaderView, QStyle, QTableView

from pmpm_desktop.ui.table_model import Column

#: a text column is never made wider than this by fitting (its text is elided, the tooltip
#: shows it whole); the user may drag it wider
MOST = 280


class ColumnFit(QObject):
    """Keeps ``view``'s columns at their content width, ``wide`` taking the spare width.

    When everything does not fit, the wide column keeps ``least`` pixels (or its content width
    when that is less) and the other text columns give way in proportion, down to their
    titles; the ``firm`` ones (amounts, counts, dates) keep their content width, and only a
    really narrow window scrolls the grid sideways."""

    def __init__(
        self, view: QTableView, wide: int, *, least: int = 200, firm: frozenset[int] = frozenset()
    ) -> None:
        super().__init__(view)
        self.view = view
        self.wide = wide
        self.least = least
        self.firm = firm
        #: the columns the user dragged, at the width they chose
        self.pinned: dict[int, int] = {}
        self.natural: list[int] = []
        self._fitting = False
        header = view.horizontalHeader()
        header.setSectionResizeMode(QHeaderView.ResizeMode.Interactive)
        header.setStretchLastSection(False)
        header.sectionResized.connect(self._resized)
        # The sorted column shows an arrow in its title: make room for it where it moved.
        header.sortIndicatorChanged.connect(lambda *_: self.measure())
        view.setTextElideMode(Qt.TextElideMode.ElideMiddle)  # keeps a file's month and suffix
        view.viewport().installEventFilter(self)

    def title_width(self, column: int) -> int:
        """Room for a column's title, and the sort arrow when the grid is sorted by it."""
        header = self.view.horizontalHeader()
        title = str(self.view.model().headerData(column, Qt.Orientation.Horizontal) or "")
        style = header.style()
        margin = style.pixelMetric(QStyle.PixelMetric.PM_HeaderMargin, None, header)
        width = header.fontMetrics().horizontalAdvance(title) + 3 * margin
        if self.view.isSortingEnabled() and header.sortIndicatorSection() == column:
            width += style.pixelMetric(QStyle.PixelMetric.PM_HeaderMarkSize, None, header)
        return width

    def measure(self) -> None:
        """Work out the content widths again (the rows changed), then fit."""
        model = self.view.model()
        self.natural = [
            max(min(self.view.sizeHintForColumn(c) + 4, MOST), self.title_width(c))
            for c in range(model.columnCount())
        ]
        self.fit()

    def fit(self) -> None:
        model = self.view.model()
        if len(self.natural) != model.columnCount():
            self.measure()
            return
        header = self.view.horizontalHeader()
        shown = [c for c in range(model.columnCount()) if not header.isSectionHidden(c)]
        room = self.view.viewport().width()
        if not shown or room <= 0:
            return
        widths = {c: self.pinned.get(c, self.natural[c]) for c in shown}
        others = [c for c in shown if c != self.wide]
        if self.wide in shown and self.wide not in self.pinned:
            floor = min(self.least, self.natural[self.wide])
            left = room - sum(widths[c] for c in others)
            if left < floor:
                # Too little room: the columns nobody dragged give way, down to their titles.
                free = [c for c in others if c not in self.pinned and c not in self.firm]
                slack = sum(widths[c] - self.title_width(c) for c in free)
                need = min(floor - left, max(slack, 0))
                for c in free:
                    spare = widths[c] - self.title_width(c)
                    # rounded up: the columns give at least what is needed, never more than
                    # they have
                    widths[c] -= min(-(-spare * need // max(slack, 1)), max(spare, 0))
                left = room - sum(widths[c] for c in others)
            widths[self.wide] = max(left, floor)
        self._fitting = True
        try:
            for c in shown:
                header.resizeSection(c, max(widths[c], 1))
        finally:
            self._fitting = False

    def _resized(self, column: int, _old: int, new: int) -> None:
        if not self._fitting:
            self.pinned[column] = new  # the user dragged it: keep their width
            if column != self.wide:
                self.fit()

    def eventFilter(self, watched: QObject, event: QEvent) -> bool:
        if event.type() == QEvent.Type.Resize:
            self.fit()
        return False


def table_height(view: QTableView, rows: int) -> int:
    """The height that shows the header and ``rows`` rows of ``view`` whole."""
    frame = 2 * view.frameWidth()
    scroll = view.horizontalScrollBar()
    bar = scroll.sizeHint().height() if scroll.maximum() > 0 else 0
    return (
        view.horizontalHeader().height()
        + rows * view.verticalHeader().defaultSectionSize()
        + frame
        + bar
    )


def split_sizes(view: QTableView, rows: int, total: int, share: float | None) -> list[int]:
    """Grid / rows heights when an import is opened, out of ``total`` pixels.

    The user's last split (``share`` of the height for the grid) when they dragged it; else
    two fifths for the grid, at least six of its rows and no more than it has."""
    if share is not None:
        grid = int(total * share)
    else:
        grid = max(int(total * 0.4), table_height(view, min(rows, 6)))
        grid = min(grid, table_height(view, max(rows, 1)))
    grid = max(min(grid, total - 120), 60)
    return [grid, max(total - grid, 0)]


#: the kinds of column whose values are never cut (see ``ColumnFit.firm``)
FIRM_KINDS = frozenset({"money", "int", "date", "datetime", "month", "figures", "percent"})


def firm_columns(columns: Sequence[Column]) -> frozenset[int]:
    """The columns of amounts, counts and dates, which keep their content width."""
    return frozenset(n for n, c in enumerate(columns) if c.kind in FIRM_KINDS)


__all__ = ["ColumnFit", "firm_columns", "split_sizes", "table_height"]
