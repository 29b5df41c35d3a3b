"""What every grid of the window does alike: copy rows, a right-click menu, Edit ▸ Copy, and
the whole text of a cut cell on hover.

``install_grid_actions(view, actions_for)`` gives a ``QTableView``:

- **Ctrl+C** (and Edit ▸ Copy while it has focus) copies the selected rows, with a header
  line, as tab-separated text that pastes into a spreadsheet as cells: money as plain numbers
  (``-1234.50``, not ``(1,234.50)``), dates as ``YYYY-MM-DD``;
- a **right-click menu**: the grid's own actions for the rows under the pointer
  (``actions_for(rows)``: open member, explain, set status…), then "Copy N rows";
- a **tooltip with the whole text** of a cell shown cut short ("Walker, C…"), and only then.

The rows a menu acts on are the selected ones when the click lands inside the selection,
else the clicked row alone (selected first, as file managers do). Rows are rows of the
view's model (a proxy's rows when the view shows a proxy).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Sequence
from decimal import Decimal

from PySide6.QtCore import QEvent, QItemSelectionModel, QObject, QPoint, Qt
from PySide6.QtGui import (
    QAction,
    QFont,
    QFontMetrics,
    QGuiApplication,
    QHelpEvent,
    QKeyEvent,
    QKeySequence,
)
from PySide6.QtWidgets import (
    QAbstractItemView,
    QApplication,
    QMenu,
    QStyle,
    QTableView,
    QToolTip,
    QWidget,
)

from pmpm_desktop.core.month import Month

#: the grid's own menu actions for the given rows (rows of the view's model, ascending)
ActionsFor = Callable[[list[int]], Sequence[QAction]]


def selected_rows(view: QTableView) -> list[int]:
    """The rows with any selected cell, ascending (rows of the view's model)."""
    selection = view.selectionModel()
    if selection is None:
        return []
    return sorted({index.row() for index in selection.selectedIndexes()})


def cell_text(value: object, shown: str) -> str:
    """One cell as a spreadsheet reads it: numbers plain, dates ISO, text as shown."""
    if isinstance(value, bool | dt.datetime):
        # a stored time is UTC; the grid shows it in local time, and so does the copy
        text = shown
    elif isinstance(value, Decimal):
        text = format(value, "f")  # never "1E+3": a spreadsheet must read it as a number
    elif isinstance(value, int):
        text = str(value)
    elif isinstance(value, dt.date):
        text = value.isoformat()
    elif isinstance(value, Month):
        text = str(value)
    else:
        text = shown
    # A tab or line break inside a cell would split it into two cells or rows.
    return " ".join(text.split()) if any(c in text for c in "\t\r\n") else text


def rows_as_tsv(view: QTableView, rows: Sequence[int]) -> str:
    """The given rows of the view, with a header line, as tab-separated text: visible columns
    in the order shown."""
    model = view.model()
    header = view.horizontalHeader()
    columns = [
        header.logicalIndex(visual)
        for visual in range(header.count())
        if not header.isSectionHidden(header.logicalIndex(visual))
    ]
    display = Qt.ItemDataRole.DisplayRole
    lines = [
        "\t".join(
            cell_text(None, str(model.headerData(c, Qt.Orientation.Horizontal, display) or ""))
            for c in columns
        )
    ]
    for row in rows:
        cells = []
        for c in columns:
            index = model.index(row, c)
            shown = model.data(index, display)
            raw = model.data(index, Qt.ItemDataRole.UserRole)
            cells.append(cell_text(raw, "" if shown is None else str(shown)))
        lines.append("\t".join(cells))
    return "\r\n".join(lines) + "\r\n"


def copy_rows(view: QTableView, rows: Sequence[int] | None = None) -> int:
    """Put the rows (default: the selected ones) on the clipboard; how many were copied."""
    chosen = list(rows) if rows is not None else selected_rows(view)
    if not chosen:
        return 0
    QGuiApplication.clipboard().setText(rows_as_tsv(view, chosen))
    return len(chosen)


def rows_at(view: QTableView, pos: QPoint) -> list[int]:
    """The rows a right-click at ``pos`` (viewport coordinates) acts on, selecting the clicked
    row alone when it lies outside the selection."""
    index = view.indexAt(pos)
    if not index.isValid():
        return selected_rows(view)
    chosen = selected_rows(view)
    if index.row() in chosen:
        return chosen
    flags = (
        QItemSelectionModel.SelectionFlag.ClearAndSelect | QItemSelectionModel.SelectionFlag.Rows
    )
    view.selectionModel().setCurrentIndex(index, flags)
    return [index.row()]


def context_menu(view: QTableView, rows: list[int], actions_for: ActionsFor | None) -> QMenu:
    """The right-click menu for ``rows`` (built, not shown: tests read it)."""
    menu = QMenu(view)
    own = list(actions_for(rows)) if actions_for is not None and rows else []
    for action in own:
        if action.parent() is None:
            action.setParent(menu)  # made for this menu: it goes with it
        menu.addAction(action)
    if own:
        menu.addSeparator()
    label = "&Copy row" if len(rows) == 1 else f"&Copy {len(rows):,} rows"
    copy = menu.addAction(label, lambda: copy_rows(view, rows))
    copy.setShortcut(QKeySequence(QKeySequence.StandardKey.Copy))
    copy.setEnabled(bool(rows))
    return menu


def cut_text(view: QAbstractItemView, pos: QPoint) -> str | None:
    """The whole text of the cell at ``pos`` (viewport coordinates) when it is shown cut
    short, else None."""
    index = view.indexAt(pos)
    if not index.isValid():
        return None
    text = index.data(Qt.ItemDataRole.DisplayRole)
    if text is None or text == "":
        return None
    text = str(text)
    font = index.data(Qt.ItemDataRole.FontRole)
    metrics = QFontMetrics(font) if isinstance(font, QFont) else view.fontMetrics()
    # the margin QCommonStyle keeps on each side of an item's text
    margin = view.style().pixelMetric(QStyle.PixelMetric.PM_FocusFrameHMargin, None, view) + 1
    room = view.visualRect(index).width() - 2 * margin
    widest = max(metrics.horizontalAdvance(line) for line in text.splitlines() or [text])
    return text if widest > room else None


class _GridBehaviour(QObject):
    """Ctrl+C, the right-click menu and cut-text tooltips of one grid."""

    def __init__(self, view: QTableView, actions_for: ActionsFor | None) -> None:
        super().__init__(view)
        self.setObjectName("gridActions")
        self.view = view
        # compared by identity only: events still arrive while the view is being destroyed
        self.viewport = view.viewport()
        self.actions_for = actions_for
        view.installEventFilter(self)
        self.viewport.installEventFilter(self)
        view.setContextMenuPolicy(Qt.ContextMenuPolicy.CustomContextMenu)
        view.customContextMenuRequested.connect(self.show_menu)

    def show_menu(self, pos: QPoint) -> None:
        menu = context_menu(self.view, rows_at(self.view, pos), self.actions_for)
        menu.exec(self.view.viewport().mapToGlobal(pos))
        menu.deleteLater()

    def eventFilter(self, watched: QObject, event: QEvent) -> bool:
        kind = event.type()
        if watched is self.view and isinstance(event, QKeyEvent):
            if event.matches(QKeySequence.StandardKey.Copy):
                # The view itself copies one cell; a window shortcut would take the key first.
                if kind == QEvent.Type.ShortcutOverride:
                    event.accept()
                    return True
                if kind == QEvent.Type.KeyPress:
                    copy_rows(self.view)
                    return True
        elif watched is self.viewport and kind == QEvent.Type.ToolTip:
            assert isinstance(event, QHelpEvent)
            whole = cut_text(self.view, event.pos())
            if whole is not None:
                QToolTip.showText(event.globalPos(), whole, self.viewport)
                return True
        return False


def install_grid_actions(view: QTableView, actions_for: ActionsFor | None = None) -> None:
    """Give ``view`` row copying, its right-click menu and cut-text tooltips (module
    docstring). Installing twice replaces the first (a page adding its own row actions)."""
    read_only = view.editTriggers() == QAbstractItemView.EditTrigger.NoEditTriggers
    if read_only and view.selectionBehavior() == QAbstractItemView.SelectionBehavior.SelectItems:
        # whole rows are what a look-only grid's rows are picked as; an editable one (the rate
        # table) keeps its cells
        view.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
    old = view.findChild(_GridBehaviour, "gridActions")
    if old is not None:
        view.removeEventFilter(old)
        old.viewport.removeEventFilter(old)
        view.customContextMenuRequested.disconnect(old.show_menu)
        old.setParent(None)
        old.deleteLater()
    _GridBehaviour(view, actions_for)


def copy_focused() -> bool:
    """Edit ▸ Copy: the focused grid's selected rows, or the focused text field's selection."""
    widget: QWidget | None = QApplication.focusWidget()
    while widget is not None and not isinstance(widget, QTableView):
        copy = getattr(widget, "copy", None)
        if callable(copy):
            copy()
            return True
        widget = widget.parentWidget()
    if isinstance(widget, QTableView):
        return copy_rows(widget) > 0
    return False
