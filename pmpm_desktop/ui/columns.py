"""Columns sized to what they show, so an amount is never cut.

``fit_columns(view)`` sizes a grid's columns by what each column holds (``Column.kind`` of
``ui/table_model.py``, or ``kinds`` given outright):

- amounts, counts, dates, months, kinds and statuses (every kind but ``text``) are as wide as
  their widest shown value and their title: they never show "128,481.…";
- ONE text column (the name, or else the widest text) takes the room left over;
- the other text columns are as wide as their text, up to about 28 characters; a text cut short
  ends in "…" and shows whole in a tooltip (``ui/grids.py``). A column the user resized keeps
  the width given to it.

The widths follow the rows: measured again when the model is reset (a reload, another page of
filters), and grown for rows added (the next page of a paged grid) or changed. Only rows the
model holds are measured (a paged grid's loaded pages), and of each column only the few
widest texts go through the delegate, so a reload of 500 rows costs a few milliseconds.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from PySide6.QtCore import (
    QAbstractItemModel,
    QAbstractProxyModel,
    QModelIndex,
    QObject,
    QPersistentModelIndex,
    Qt,
)
from PySide6.QtWidgets import QHeaderView, QStyleOptionViewItem, QTableView

#: the widest a text column (but the one taking the spare room) starts, in average characters
TEXT_CHARACTERS = 28
#: how many of a column's widest-looking texts are measured exactly, through the delegate
_MEASURED = 3


def column_kinds(model: QAbstractItemModel) -> list[str]:
    """Each column's kind (``Column.kind``) of a ``RowsModel``, through any proxies; ``text``
    for a column of another model."""
    source: QAbstractItemModel = model
    while isinstance(source, QAbstractProxyModel) and source.sourceModel() is not None:
        source = source.sourceModel()
    columns = getattr(source, "columns", None)
    kinds = [str(getattr(c, "kind", "text")) for c in columns] if columns else []
    count = model.columnCount()
    return (kinds + ["text"] * count)[:count]


def fit_columns(
    view: QTableView, *, kinds: Sequence[str] | None = None, stretch: int | None = None
) -> ColumnFit:
    """Size ``view``'s columns to their content (module docstring), now and as its rows
    change. ``kinds`` (default: the model's ``Column.kind``\\ s) and ``stretch`` (default: the
    name column, else the widest text column) override what the model says."""
    existing = view.findChild(ColumnFit, ColumnFit.NAME)
    if existing is not None:
        existing.detach()
    return ColumnFit(view, kinds, stretch)


class ColumnFit(QObject):
    """Keeps one grid's columns fitted (see :func:`fit_columns`)."""

    NAME = "columnFit"

    def __init__(self, view: QTableView, kinds: Sequence[str] | None, stretch: int | None) -> None:
        super().__init__(view)
        self.setObjectName(self.NAME)
        self.view = view
        model = view.model()
        self.model = model
        self.kinds = list(kinds) if kinds is not None else column_kinds(model)
        self.stretch = stretch if stretch is not None else self._name_column()
        self._user_sized: set[int] = set()  # columns the user resized: theirs from then on
        self._fitting = False
        header = view.horizontalHeader()
        header.sectionResized.connect(self._resized)
        header.setStretchLastSection(False)
        header.setSectionResizeMode(QHeaderView.ResizeMode.Interactive)
        self._stretch_mode()
        view.setTextElideMode(Qt.TextElideMode.ElideRight)
        model.modelReset.connect(self.measure)
        model.rowsInserted.connect(self._rows_inserted)
        model.dataChanged.connect(self._data_changed)
        self.measure()

    def detach(self) -> None:
        """Stop following the model (another fit replaces this one)."""
        self.model.modelReset.disconnect(self.measure)
        self.model.rowsInserted.disconnect(self._rows_inserted)
        self.model.dataChanged.disconnect(self._data_changed)
        self.view.horizontalHeader().sectionResized.disconnect(self._resized)
        self.setParent(None)
        self.deleteLater()

    # -- which column is which ---------------------------------------------------------------
    def _texts(self) -> list[int]:
        header = self.view.horizontalHeader()
        return [
            c
            for c, kind in enumerate(self.kinds)
            if kind == "text" and not header.isSectionHidden(c)
        ]

    def _name_column(self) -> int | None:
        for c in self._texts():
            title = self.model.headerData(c, Qt.Orientation.Horizontal)
            if "name" in str(title or "").lower():
                return c
        return None

    def _stretch_mode(self) -> None:
        if self.stretch is not None and 0 <= self.stretch < len(self.kinds):
            header = self.view.horizontalHeader()
            header.setSectionResizeMode(self.stretch, QHeaderView.ResizeMode.Stretch)

    # -- measuring --------------------------------------------------------------------------
    def measure(self) -> None:
        """Fit every column to the rows the model holds now."""
        rows = self.model.rowCount()
        if self.stretch is None and rows:
            # no name column: the widest text takes the spare room
            widths = {c: self.cell_width(c, 0, rows - 1) for c in self._texts()}
            if widths:
                self.stretch = max(widths, key=lambda c: widths[c])
                self._stretch_mode()
        header = self.view.horizontalHeader()
        for c, kind in enumerate(self.kinds):
            if c == self.stretch or c in self._user_sized or header.isSectionHidden(c):
                continue
            wanted = self.cell_width(c, 0, rows - 1)
            if kind == "text":
                wanted = min(wanted, self.view.fontMetrics().averageCharWidth() * TEXT_CHARACTERS)
            self._resize(c, max(self.header_width(c), wanted))

    def grow(self, first: int, last: int) -> None:
        """Widen the amount, count and date columns the rows ``first``..``last`` need."""
        header = self.view.horizontalHeader()
        for c, kind in enumerate(self.kinds):
            if kind == "text" or c == self.stretch or header.isSectionHidden(c):
                continue  # a text column's width is kept: the rows below do not jump about
            needed = self.cell_width(c, first, last)
            if needed > header.sectionSize(c):
                self._resize(c, needed)

    def header_width(self, column: int) -> int:
        """What the column's title needs (with room for a sort arrow)."""
        return self.view.horizontalHeader().sectionSizeHint(column)

    def cell_width(self, column: int, first: int, last: int) -> int:
        """The width the widest cell of rows ``first``..``last`` needs, as the view's delegate
        draws it (0 without rows)."""
        model = self.model
        if last < first:
            return 0
        metrics = self.view.fontMetrics()
        seen: dict[str, int] = {}
        for row in range(first, last + 1):
            text = model.data(model.index(row, column), Qt.ItemDataRole.DisplayRole)
            if text is not None and text != "":
                seen.setdefault(str(text), row)
        if not seen:
            return 0
        widest = sorted(seen, key=metrics.horizontalAdvance, reverse=True)[:_MEASURED]
        option = QStyleOptionViewItem()
        self.view.initViewItemOption(option)
        best = 0
        for text in widest:
            index = model.index(seen[text], column)
            delegate = self.view.itemDelegateForIndex(index)
            best = max(best, delegate.sizeHint(option, index).width())
        return best + (1 if self.view.showGrid() else 0)  # as QTableView counts the grid line

    def _resize(self, column: int, width: int) -> None:
        header = self.view.horizontalHeader()
        if header.sectionResizeMode(column) == QHeaderView.ResizeMode.Interactive:
            self._fitting = True
            try:
                header.resizeSection(column, max(width, header.minimumSectionSize()))
            finally:
                self._fitting = False

    def _resized(self, column: int, _old: int, _new: int) -> None:
        header = self.view.horizontalHeader()
        interactive = header.sectionResizeMode(column) == QHeaderView.ResizeMode.Interactive
        if not self._fitting and interactive and self.view.isVisible():
            self._user_sized.add(column)

    # -- following the model ------------------------------------------------------------------
    def _rows_inserted(
        self, parent: QModelIndex | QPersistentModelIndex, first: int, last: int
    ) -> None:
        if not parent.isValid():
            self.grow(first, last)

    def _data_changed(
        self,
        top_left: QModelIndex | QPersistentModelIndex,
        bottom_right: QModelIndex | QPersistentModelIndex,
        *_roles: Any,
    ) -> None:
        if top_left.isValid() and bottom_right.isValid():
            self.grow(top_left.row(), bottom_right.row())
