"""Table models over plain, immutable rows (never live ORM objects).

``RowsModel`` holds a list of rows given to it (small tables: payers, imports, a member's
ledger) and sorts them in Python. ``PagedRowsModel`` asks a ``PagedSource`` for the row count
and for pages of rows as the view scrolls, and has the source sort in SQL: a million-row grid
opens after reading one page.

Columns say what each cell is (``Column.kind``): money and counts are right-aligned, negative
money is red, and ``Qt.UserRole`` holds the raw value (a Decimal, a date, a Month) for sorting
and for code that reads the model.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from decimal import Decimal
from typing import Any, Protocol

from PySide6.QtCore import QAbstractTableModel, QModelIndex, QPersistentModelIndex, Qt, Signal
from PySide6.QtGui import QBrush

from pmpm_desktop.progress import Progress
from pmpm_desktop.ui.format import display
from pmpm_desktop.ui.theme import negative_color

Index = QModelIndex | QPersistentModelIndex
_RIGHT = {"money", "int", "percent", "figures"}


@dataclass(frozen=True)
class Column:
    title: str
    #: the row → the raw value of the cell
    value: Callable[[Any], Any]
    #: text | int | money | date | datetime | month | kind | status | percent | figures (a
    #: text of amounts, such as "75.00 / 75.00": right-aligned like money)
    kind: str = "text"
    tooltip: str | None = None
    #: the name a ``PagedSource`` sorts by (None: this column cannot be sorted in SQL)
    sort_key: str | None = None


class RowsModel(QAbstractTableModel):
    """A table of plain rows held in memory."""

    def __init__(self, columns: Sequence[Column], rows: Sequence[Any] = (), parent: Any = None):
        super().__init__(parent)
        self.columns = list(columns)
        self._rows: list[Any] = list(rows)

    # -- rows ------------------------------------------------------------------------------
    def set_rows(self, rows: Sequence[Any]) -> None:
        self.beginResetModel()
        self._rows = list(rows)
        self.endResetModel()

    def row(self, index: int) -> Any:
        return self._rows[index]

    @property
    def rows(self) -> list[Any]:
        return list(self._rows)

    # -- Qt model --------------------------------------------------------------------------
    def rowCount(self, parent: Index = QModelIndex()) -> int:  # noqa: B008 - Qt's signature
        return 0 if parent.isValid() else len(self._rows)

    def columnCount(self, parent: Index = QModelIndex()) -> int:  # noqa: B008
        return 0 if parent.isValid() else len(self.columns)

    def headerData(
        self, section: int, orientation: Qt.Orientation, role: int = Qt.ItemDataRole.DisplayRole
    ) -> Any:
        if orientation != Qt.Orientation.Horizontal or not 0 <= section < len(self.columns):
            return None
        column = self.columns[section]
        if role == Qt.ItemDataRole.DisplayRole:
            return column.title
        if role == Qt.ItemDataRole.ToolTipRole:
            return column.tooltip
        if role == Qt.ItemDataRole.TextAlignmentRole and column.kind in _RIGHT:
            return int(Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter)
        return None

    def data(self, index: Index, role: int = Qt.ItemDataRole.DisplayRole) -> Any:
        if not index.isValid() or not 0 <= index.row() < len(self._rows):
            return None
        if not 0 <= index.column() < len(self.columns):
            return None
        column = self.columns[index.column()]
        value = column.value(self._rows[index.row()])
        if role == Qt.ItemDataRole.DisplayRole:
            return display(value, column.kind)
        if role == Qt.ItemDataRole.UserRole:
            return value
        if role == Qt.ItemDataRole.TextAlignmentRole:
            if column.kind in _RIGHT:
                return int(Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter)
            return int(Qt.AlignmentFlag.AlignLeft | Qt.AlignmentFlag.AlignVCenter)
        if role == Qt.ItemDataRole.ForegroundRole:
            if column.kind == "money" and isinstance(value, Decimal) and value < 0:
                return QBrush(negative_color())
            return None
        # A long text gets its tooltip from the grid, and only when it is shown cut short
        # (ui/grids.py): a tooltip repeating a cell shown whole is noise.
        return None

    def sort(self, column: int, order: Qt.SortOrder = Qt.SortOrder.AscendingOrder) -> None:
        if not 0 <= column < len(self.columns):
            return
        getter = self.columns[column].value
        present = [r for r in self._rows if getter(r) is not None]
        missing = [r for r in self._rows if getter(r) is None]
        self.layoutAboutToBeChanged.emit()
        present.sort(key=getter, reverse=order == Qt.SortOrder.DescendingOrder)
        self._rows = present + missing  # blanks last either way
        self.layoutChanged.emit()


class PagedSource(Protocol):
    """Rows that live in the database: counted and read a page at a time, sorted there."""

    def count(self) -> int: ...

    def fetch(
        self, offset: int, limit: int, order_by: str | None, descending: bool
    ) -> Sequence[Any]: ...


class TaskRunnerLike(Protocol):
    """What ``PagedRowsModel`` needs of ``ui.worker.TaskRunner``: ``run(title, fn, ...)`` and
    ``supersede(key)``."""

    def run(
        self,
        title: str,
        fn: Callable[[Progress], Any],
        *,
        on_success: Callable[[Any], None] | None = ...,
        on_failure: Callable[[BaseException], None] | None = ...,
        show_progress: bool = ...,
        latest: str | None = ...,
    ) -> object: ...

    def supersede(self, latest: str) -> None: ...


@dataclass(frozen=True)
class _Loaded:
    """What a reload read on the worker, swapped in on the UI thread."""

    total: int
    rows: list[Any]
    extra: Any


class PagedRowsModel(RowsModel):
    """Rows read from a ``PagedSource`` a page at a time as the view scrolls.

    Without ``tasks`` every read happens in the call (the model of small grids and tests).
    With a task runner, ``reload()`` and ``sort()`` read the count, the first page and
    ``extra_read()`` (totals a page wants, say) on the worker and swap them in on the UI
    thread: the old rows stay shown meanwhile, ``loading`` is True (``loading_changed``) and
    nothing more is fetched. A newer reload supersedes an older one: the reads run with this
    model's ``latest`` key, so the task runner drops what an older read finds. Once a reload
    landed with more rows than one page, the source's ``prefetch(order_by, descending)`` (if it
    has one) runs on the worker under the same key, so the first scroll past page one reads
    just a page.
    """

    #: True when a reload started on the worker, False when it landed, failed or was dropped
    loading_changed = Signal(bool)
    #: after a reload's rows were swapped in (sync or async), after ``modelReset``
    reloaded = Signal()
    #: a reload on the worker failed (the exception); the old rows stay
    load_failed = Signal(object)

    def __init__(
        self,
        columns: Sequence[Column],
        source: PagedSource,
        *,
        page_size: int = 500,
        tasks: TaskRunnerLike | None = None,
        parent: Any = None,
    ) -> None:
        super().__init__(columns, (), parent)
        self.source = source
        self.page_size = page_size
        self.tasks = tasks
        self.total = 0
        self.order_by: str | None = None
        self.descending = False
        #: read with every reload (on the worker when there is one); its result is ``extra``
        self.extra_read: Callable[[], Any] | None = None
        self.extra: Any = None
        #: the task runner's supersede key of this model's reads
        self.latest = f"rows of {type(self).__name__} {id(self):x}"
        self._loading = False
        self._fetching = False  # inside fetchMore: a view reacting to the insert must wait

    @property
    def loading(self) -> bool:
        return self._loading

    def _set_loading(self, on: bool) -> None:
        if on != self._loading:
            self._loading = on
            self.loading_changed.emit(on)

    def set_rows(self, rows: Sequence[Any]) -> None:
        # Rows given outright win over a reload still running.
        if self.tasks is not None and self._loading:
            self.tasks.supersede(self.latest)
        self.extra = None
        self._set_loading(False)
        super().set_rows(rows)

    def reload(self) -> None:
        """Count again and read the first page (after the source's filters changed)."""
        if self.tasks is None:
            self.beginResetModel()
            self.total = self.source.count()
            self._rows = list(self.source.fetch(0, self.page_size, self.order_by, self.descending))
            self.extra = self.extra_read() if self.extra_read is not None else None
            self.endResetModel()
            self.reloaded.emit()
            return
        source, size, order_by, desc = self.source, self.page_size, self.order_by, self.descending
        extra_read = self.extra_read

        def work(_progress: Progress) -> _Loaded:
            total = source.count()
            rows = list(source.fetch(0, size, order_by, desc))
            extra = extra_read() if extra_read is not None else None
            return _Loaded(total, rows, extra)

        self._set_loading(True)
        self.tasks.run(
            "Read rows",
            work,
            on_success=self._landed,
            on_failure=self._failed,
            show_progress=False,
            latest=self.latest,
        )

    def _landed(self, loaded: _Loaded) -> None:
        self.beginResetModel()
        self.total = loaded.total
        self._rows = loaded.rows
        self.extra = loaded.extra
        self.endResetModel()
        self._set_loading(False)
        self.reloaded.emit()
        self._prefetch()

    def _failed(self, exc: BaseException) -> None:
        self._set_loading(False)
        self.load_failed.emit(exc)

    def _prefetch(self) -> None:
        """Let the source get ready for pages past the first, on the worker (under the reads'
        key: a newer reload replaces it)."""
        prefetch = getattr(self.source, "prefetch", None)
        if self.tasks is None or prefetch is None or self.total <= len(self._rows):
            return
        order_by, desc = self.order_by, self.descending
        # A failure here only means the first scroll reads it itself (and reports it then).
        self.tasks.run(
            "Prepare rows",
            lambda _progress: prefetch(order_by, desc),
            on_failure=lambda _exc: None,
            show_progress=False,
            latest=self.latest,
        )

    def canFetchMore(self, parent: Index = QModelIndex()) -> bool:  # noqa: B008
        return (
            not parent.isValid()
            and not self._loading
            and not self._fetching
            and len(self._rows) < self.total
        )

    def fetchMore(self, parent: Index = QModelIndex()) -> None:  # noqa: B008
        if not self.canFetchMore(parent):
            return
        # Reads one page; before the source's prefetch finished it may read more itself (as
        # without a worker) rather than show nothing.
        page = list(
            self.source.fetch(len(self._rows), self.page_size, self.order_by, self.descending)
        )
        if not page:
            self.total = len(self._rows)
            return
        first = len(self._rows)
        self._fetching = True
        try:
            self.beginInsertRows(QModelIndex(), first, first + len(page) - 1)
            self._rows.extend(page)
            self.endInsertRows()
        finally:
            self._fetching = False

    def fetch_all(self) -> None:
        """Read every remaining page (before "select all" acts on every row, say)."""
        while self.canFetchMore():
            self.fetchMore()

    def sort(self, column: int, order: Qt.SortOrder = Qt.SortOrder.AscendingOrder) -> None:
        if not 0 <= column < len(self.columns) or self.columns[column].sort_key is None:
            return
        self.order_by = self.columns[column].sort_key
        self.descending = order == Qt.SortOrder.DescendingOrder
        self.reload()
