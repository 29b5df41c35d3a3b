"""How the Reconciliation page shares its room: the month summary above the grid (about six
rows at first), and the grid beside the detail pane.

The detail pane is narrow while nothing is selected (the grid gets the room: names and kinds
whole), and as wide as the user last dragged it once a row is shown (remembered in the
settings; ~340 px in a 1280-px window until then). Until the user drags the summary's
splitter the page places it; a bigger window then grows the grid.
"""

from __future__ import annotations

from collections.abc import Callable

from PySide6.QtCore import QEvent, QObject, Qt
from PySide6.QtWidgets import QSplitter, QWidget

from pmpm_desktop.ui.settings import Settings

#: the detail pane's width at first: at least this, else 30 % of the page, at most …MAX
DETAIL_WIDTH, DETAIL_MAX, DETAIL_SHARE = 340, 460, 0.3
#: the narrowest the detail pane may be dragged (it wraps and fits down to this width)
DETAIL_MIN = 300
#: the pane's width while nothing is selected: its placeholder sentence, wrapped
DETAIL_EMPTY = 170
#: the grid's least width beside the detail pane
GRID_MIN = 320


def room(splitter: QSplitter) -> int:
    """The space a splitter shares out between its widgets, at its size now (``sizes()`` may
    still be the old ones while it is being resized)."""
    length = (
        splitter.width()
        if splitter.orientation() == Qt.Orientation.Horizontal
        else splitter.height()
    )
    return length - splitter.handleWidth() * (splitter.count() - 1)


def _splitter(name: str, orientation: Qt.Orientation, first: QWidget, second: QWidget) -> QSplitter:
    splitter = QSplitter(orientation)
    splitter.setObjectName(name)
    splitter.addWidget(first)
    splitter.addWidget(second)
    splitter.setStretchFactor(0, 1 if orientation == Qt.Orientation.Horizontal else 0)
    splitter.setStretchFactor(1, 0 if orientation == Qt.Orientation.Horizontal else 1)
    splitter.setChildrenCollapsible(False)
    splitter.setHandleWidth(7)
    return splitter


class DetailSplit(QObject):
    """The grid | detail splitter: narrow pane while empty, the remembered width once a row
    is shown."""

    def __init__(self, grid: QWidget, detail: QWidget, settings: Settings) -> None:
        splitter = _splitter("gridDetailSplitter", Qt.Orientation.Horizontal, grid, detail)
        super().__init__(splitter)
        self.splitter = splitter
        self._settings = settings
        self._detail = detail
        self.showing = False
        grid.setMinimumWidth(GRID_MIN)
        detail.setMinimumWidth(DETAIL_EMPTY)
        self.splitter.handle(1).setToolTip("Drag to make the details wider or narrower")
        self.splitter.splitterMoved.connect(self._moved)
        self.splitter.installEventFilter(self)

    def show_detail(self, showing: bool) -> None:
        """A row is shown in the pane (or none): its width follows."""
        if showing == self.showing:
            return
        self.showing = showing
        self._detail.setMinimumWidth(DETAIL_MIN if showing else DETAIL_EMPTY)
        self.fit()

    def wanted(self, total: int) -> int:
        """The pane's width in a splitter of ``total`` pixels."""
        if not self.showing:
            return DETAIL_EMPTY
        chosen = self._settings.reconciliation_detail_width
        width = chosen or min(max(DETAIL_WIDTH, round(total * DETAIL_SHARE)), DETAIL_MAX)
        return max(min(width, total - GRID_MIN), DETAIL_MIN)

    def fit(self) -> None:
        total = room(self.splitter)
        if total <= 0:
            return
        detail = self.wanted(total)
        if self.splitter.sizes()[1] != detail:
            self.splitter.setSizes([total - detail, detail])

    def _moved(self, _pos: int, _index: int) -> None:
        if self.showing:  # the width for reading a row; the empty pane's stays narrow
            self._settings.reconciliation_detail_width = self.splitter.sizes()[1]

    def eventFilter(self, watched: QObject, event: QEvent) -> bool:
        if watched is self.splitter and event.type() == QEvent.Type.Resize:
            self.fit()
        return False


class SummarySplit(QObject):
    """The summary / grid splitter: the summary ~6 rows high until the user drags it."""

    def __init__(self, summary: QWidget, rest: QWidget, wanted: Callable[[], int]) -> None:
        splitter = _splitter("summarySplitter", Qt.Orientation.Vertical, summary, rest)
        super().__init__(splitter)
        self.splitter = splitter
        self._wanted = wanted
        self.dragged = False
        self.splitter.handle(1).setToolTip("Drag to show more or fewer months")
        self.splitter.splitterMoved.connect(self._moved)
        self.splitter.installEventFilter(self)

    def fit(self) -> None:
        """Give the summary the height it wants, the grid the rest, unless the user has
        dragged the splitter between them."""
        if self.dragged:
            return
        want = self._wanted()
        total = room(self.splitter)
        if total > want + 200:
            self.splitter.setSizes([want, total - want])

    def _moved(self, _pos: int, _index: int) -> None:
        self.dragged = True

    def eventFilter(self, watched: QObject, event: QEvent) -> bool:
        if watched is self.splitter and event.type() == QEvent.Type.Resize:
            self.fit()
        return False
