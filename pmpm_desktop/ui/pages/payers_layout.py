"""How the Payers & Contracts page fits a small window: tables as wide as their columns need,
and the page's two splitters remembered.

The page stacks its parts: the payers beside the selected payer's contracts, and the rate
table under both at the full width (its eight columns need it at 1024 pixels). The payers
table is as wide as its codes, names and counts need (``whole_width``), so a payer's name is
shown whole; the contracts take the rest. Where the user drags the splitters is kept in the
settings (``Settings.payers_splitters``), both in one value.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence

from PySide6.QtCore import QByteArray, QDataStream, QIODevice, Qt
from PySide6.QtGui import QAction
from PySide6.QtWidgets import (
    QAbstractScrollArea,
    QHBoxLayout,
    QLabel,
    QPushButton,
    QSplitter,
    QTableView,
    QWidget,
)

from pmpm_desktop.ui.columns import ColumnFit
from pmpm_desktop.ui.pages.base import bold_label
from pmpm_desktop.ui.settings import Settings

#: the most a name column asks for, in average characters: a longer name is cut (whole in its
#: tooltip) rather than making the page scroll sideways
NAME_CHARACTERS = 40
#: rows the payers and contracts tables show at least (most payers have one to three
#: contracts)
SHORT_ROWS = 3


def short_table(view: QTableView) -> QTableView:
    """A table as tall as its few rows (payers, contracts), but never shorter than
    ``SHORT_ROWS``: the rate table below gets the height. No wrapped lines."""
    view.setWordWrap(False)
    view.setSizeAdjustPolicy(QAbstractScrollArea.SizeAdjustPolicy.AdjustToContents)
    rows = view.verticalHeader().defaultSectionSize() * SHORT_ROWS
    header = view.horizontalHeader().sizeHint().height()
    view.setMinimumHeight(header + rows + 2 * view.frameWidth())
    return view


def whole_width(view: QTableView) -> int:
    """The width ``view`` needs to show every column whole (``ui/columns.py`` fits them; the
    column taking the spare room as wide as its widest text, up to ``NAME_CHARACTERS``),
    with its frame and, when it has more rows than a short table always shows, room for a
    vertical scroll bar."""
    header = view.horizontalHeader()
    fit = view.findChild(ColumnFit, ColumnFit.NAME)
    rows = view.model().rowCount()
    cap = view.fontMetrics().averageCharWidth() * NAME_CHARACTERS
    total = 0
    for column in range(header.count()):
        if header.isSectionHidden(column):
            continue
        if fit is not None and column == fit.stretch:
            name = min(fit.cell_width(column, 0, rows - 1), cap)
            total += max(name, fit.header_width(column))
        else:
            total += header.sectionSize(column)
    frame = 2 * view.frameWidth()
    if rows > SHORT_ROWS:  # a shorter window may need the scroll bar: it then cuts no column
        frame += view.verticalScrollBar().sizeHint().width()
    return total + frame


def keep_whole(view: QTableView) -> None:
    """Make ``view`` at least as wide as its columns need now (see :func:`whole_width`)."""
    view.setMinimumWidth(whole_width(view))


def split_panes(
    settings: Settings, payers: QWidget, contracts: QWidget, rates: QWidget
) -> tuple[QSplitter, QSplitter]:
    """The rate table below payers | contracts: (the splitter above the rates, the one between
    payers and contracts), put where the user left them last and remembered when moved."""
    top = QSplitter(Qt.Orientation.Horizontal)
    top.setObjectName("payersSplitter")
    top.addWidget(payers)
    top.addWidget(contracts)
    top.setStretchFactor(0, 0)  # the payers keep what their names need
    top.setStretchFactor(1, 1)
    outer = QSplitter(Qt.Orientation.Vertical)
    outer.setObjectName("ratesSplitter")
    outer.addWidget(top)
    outer.addWidget(rates)
    outer.setStretchFactor(0, 0)  # a payer has a few contracts
    outer.setStretchFactor(1, 1)  # the rate table takes the height left
    both = (top, outer)
    for splitter in both:
        splitter.setChildrenCollapsible(False)
    restore_states(both, settings.payers_splitters)

    def remember(_position: int, _index: int) -> None:
        settings.payers_splitters = pack_states(both)

    for splitter in both:
        splitter.splitterMoved.connect(remember)
    return outer, top


def pack_states(splitters: Sequence[QSplitter]) -> QByteArray:
    """The splitters' positions as one value for the settings."""
    data = QByteArray()
    stream = QDataStream(data, QIODevice.OpenModeFlag.WriteOnly)
    for splitter in splitters:
        stream << splitter.saveState()
    return data


def restore_states(splitters: Sequence[QSplitter], packed: QByteArray | None) -> bool:
    """Put the splitters where :func:`pack_states` found them; False (nothing moved) when
    ``packed`` is None or not what it wrote."""
    if packed is None:
        return False
    stream = QDataStream(packed, QIODevice.OpenModeFlag.ReadOnly)
    states: list[QByteArray] = []
    for _splitter in splitters:
        state = QByteArray()
        stream >> state
        states.append(state)
    if stream.status() != QDataStream.Status.Ok or any(s.isEmpty() for s in states):
        return False
    return all(s.restoreState(state) for s, state in zip(splitters, states, strict=True))


def heading(text: str = "", name: str | None = None) -> QLabel:
    """A part's heading ("Payers", "Contracts of SUN — Sunrise Health Plan")."""
    return bold_label(text, 1.1, name)


def button(text: str, name: str, slot: Callable[[], None]) -> QPushButton:
    push = QPushButton(text)
    push.setObjectName(name)
    push.clicked.connect(slot)
    return push


def button_row(*buttons: QPushButton) -> QHBoxLayout:
    """Buttons side by side on the left."""
    row = QHBoxLayout()
    for push in buttons:
        row.addWidget(push)
    row.addStretch(1)
    return row


def menu_action(text: str, slot: Callable[[], None]) -> QAction:
    """An item of a table's right-click menu."""
    action = QAction(text)
    action.triggered.connect(slot)
    return action
