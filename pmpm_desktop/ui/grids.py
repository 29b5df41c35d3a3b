"""What every grid of the window does alike: copy rows, a right-click menu, Edit ▸ Copy.

``install_grid_actions(view, actions_for)`` gives a ``QTableView``:

- **Ctrl+C** (and Edit ▸ Copy while it has focus) copies the selected rows, with a header
  line, as tab-separated text that pastes into a spreadsheet as cells: money as plain numbers
  (``-1234.50``, not ``(1,234.50)``), dates as ``YYYY-MM-DD``;
- a **right-click menu**: the grid's own actions for the rows under the pointer
  (``actions_for(rows)``: open member, explain, set status…), then "Copy rows".

The rows a menu acts on are the selected ones when the click lands inside the selection,
else the clicked row alone (selected first, as file managers do).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Sequence
from decimal import Decimal

from PySide6.QtCore import QItemSelectionModel, QPoint, Qt
from PySide6.QtGui import QAction, QGuiApplication, QKeySequence
from PySide6.QtWidgets import QAbstractItemView, QApplication, QMenu, QTableView, QWidget

from pmpm_desktop.core.month import Month

#: the grid's own menu actions for the given rows (model row numbers, ascending)
ActionsFor = Callable[[list[int]], Sequence[QAction]]

_COPY_NAME = "copyRows"


def selected_rows(view: QTableView) -> list[int]:
    """The rows with any selected cell, ascending (model rows of the view's model)."""
    selection = view.selectionModel()
    if selection is None:
        return []
    return sorted({index.row() for index in selection.selectedIndexes()})


def cell_text(value: object, shown: str) -> str:
    """One cell as a spreadsheet reads it: numbers plain, dates ISO, text as shown."""
    if isinstance(value, bool):
        text = shown
    elif isinstance(value, Decimal):
        text = format(value, "f")  # never "1E+3": a spreadsheet must read it as a number
    elif isinstance(value, int):
        text = str(value)
    elif isinstance(value, dt.datetime):
        text = value.strftime("%Y-%m-%d %H:%M")
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


def _rows_at(view: QTableView, pos: QPoint) -> list[int]:
    index = view.indexAt(pos)
    if not index.isValid():
        return selected_rows(view)
    chosen = selected_rows(view)
    if index.row() in chosen:
        return chosen
    flags = (
        QItemSelectionModel.SelectionFlag.ClearAndSelect | QItemSelectionModel.SelectionFlag.Rows
    )
    view.selectionModel().select(index, flags)
    view.setCurrentIndex(index)
    return [index.row()]


def context_menu(view: QTableView, rows: list[int], actions_for: ActionsFor | None) -> QMenu:
    """The right-click menu for ``rows`` (built, not shown: tests read it)."""
    menu = QMenu(view)
    own = list(actions_for(rows)) if actions_for is not None and rows else []
    for action in own:
        action.setParent(menu)
        menu.addAction(action)
    if own:
        menu.addSeparator()
    label = "&Copy row" if len(rows) == 1 else f"&Copy {len(rows):,} rows"
    copy = menu.addAction(label, lambda: copy_rows(view, rows))
    copy.setShortcut(QKeySequence(QKeySequence.StandardKey.Copy))
    copy.setEnabled(bool(rows))
    return menu


def install_grid_actions(view: QTableView, actions_for: ActionsFor | None = None) -> None:
    """Give ``view`` row copying and its right-click menu (module docstring)."""
    if view.selectionBehavior() == QAbstractItemView.SelectionBehavior.SelectItems:
        view.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
    copy = QAction("Copy rows", view)
    copy.setObjectName(_COPY_NAME)
    copy.setShortcut(QKeySequence(QKeySequence.StandardKey.Copy))
    copy.setShortcutContext(Qt.ShortcutContext.WidgetShortcut)
    copy.triggered.connect(lambda: copy_rows(view))
    view.addAction(copy)
    view.setContextMenuPolicy(Qt.ContextMenuPolicy.CustomContextMenu)

    def show_menu(pos: QPoint) -> None:
        menu = context_menu(view, _rows_at(view, pos), actions_for)
        menu.exec(view.viewport().mapToGlobal(pos))
        menu.deleteLater()

    view.customContextMenuRequested.connect(show_menu)


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
