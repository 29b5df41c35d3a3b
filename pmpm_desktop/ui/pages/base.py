"""What a page of the main window is, and the empty state a page shows when it has nothing yet."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import Any, ClassVar

from PySide6.QtCore import QAbstractItemModel, Qt
from PySide6.QtWidgets import (
    QAbstractItemView,
    QHBoxLayout,
    QLabel,
    QPushButton,
    QStackedWidget,
    QTableView,
    QVBoxLayout,
    QWidget,
)

from pmpm_desktop.ui.columns import fit_columns
from pmpm_desktop.ui.context import AppContext, Changed
from pmpm_desktop.ui.grids import ActionsFor, install_grid_actions


class Page(QWidget):
    """A page: shown in the main window's navigation, refreshed when its data changes.

    Subclasses set ``key`` (used by ``AppContext.navigate``, the settings and the drawn icon
    of ``ui.nav_icons``) and ``title``, build their widgets in ``__init__`` and read the
    database in ``refresh()``.
    """

    key: ClassVar[str]
    title: ClassVar[str]
    #: which ``AppContext.data_changed`` names make this page stale (EVERYTHING always does)
    depends_on: ClassVar[frozenset[Changed]] = frozenset()

    def __init__(self, ctx: AppContext, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.ctx = ctx
        self.setObjectName(f"page_{self.key}")

    def refresh(self) -> None:
        """Read what the page shows from the database again."""

    def apply_filters(self, filters: dict[str, Any]) -> None:
        """Show what ``filters`` asks for (pages reached through ``navigate`` override)."""


def bold_label(text: str = "", scale: float = 1.0, name: str | None = None) -> QLabel:
    """A bold label, its font ``scale`` times the normal size (headings, titles, big figures)."""
    label = QLabel(text)
    if name:
        label.setObjectName(name)
    font = label.font()
    font.setPointSizeF(font.pointSizeF() * scale)
    font.setBold(True)
    label.setFont(font)
    return label


def page_title(text: str) -> QLabel:
    """The big heading at the top of a page; every page's looks the same."""
    return bold_label(text, 1.5, "pageTitle")


def read_only_table(
    name: str = "",
    model: QAbstractItemModel | None = None,
    actions_for: ActionsFor | None = None,
) -> QTableView:
    """A table of rows to look at and pick from: no editing, whole rows selected (Shift and
    Ctrl add rows, to copy them), banded rows, no row numbers; Ctrl+C and a right-click menu
    (``actions_for(rows)``: the page's own row actions, then "Copy rows": ``ui/grids.py``);
    with ``model``, columns sized to their content (``ui/columns.py``)."""
    view = QTableView()
    if name:
        view.setObjectName(name)
    view.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
    view.setSelectionMode(QAbstractItemView.SelectionMode.ExtendedSelection)
    view.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
    view.setAlternatingRowColors(True)
    view.verticalHeader().hide()
    view.horizontalHeader().setHighlightSections(False)
    if model is not None:
        view.setModel(model)
        fit_columns(view)
    install_grid_actions(view, actions_for)
    return view


class EmptyState(QWidget):
    """A centred message saying what to do next, with buttons that do it."""

    def __init__(
        self,
        title: str,
        text: str,
        actions: Sequence[tuple[str, Callable[[], None]]] = (),
        parent: QWidget | None = None,
    ) -> None:
        super().__init__(parent)
        self.setObjectName("emptyState")
        layout = QVBoxLayout(self)
        layout.addStretch(1)
        heading = bold_label(title, 1.4, "emptyTitle")
        heading.setAlignment(Qt.AlignmentFlag.AlignCenter)
        body = QLabel(text)
        body.setObjectName("emptyText")
        body.setWordWrap(True)
        body.setAlignment(Qt.AlignmentFlag.AlignCenter)
        body.setMaximumWidth(560)
        layout.addWidget(heading)
        row = QHBoxLayout()
        row.addStretch(1)
        row.addWidget(body)
        row.addStretch(1)
        layout.addLayout(row)
        buttons = QHBoxLayout()
        buttons.addStretch(1)
        self.buttons: list[QPushButton] = []
        for label, callback in actions:
            button = QPushButton(label)
            button.clicked.connect(callback)
            buttons.addWidget(button)
            self.buttons.append(button)
        buttons.addStretch(1)
        layout.addLayout(buttons)
        layout.addStretch(2)
        self.heading = heading
        self.body = body


class ContentOrEmpty(QStackedWidget):
    """The page's content, or its empty state when there is nothing to show."""

    def __init__(self, content: QWidget, empty: EmptyState, parent: QWidget | None = None):
        super().__init__(parent)
        self.content = content
        self.empty = empty
        self.addWidget(content)
        self.addWidget(empty)

    def show_empty(self, empty: bool) -> None:
        self.setCurrentWidget(self.empty if empty else self.content)

    @property
    def is_empty(self) -> bool:
        return self.currentWidget() is self.empty
