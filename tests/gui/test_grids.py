"""Every grid alike, driven as a user does: select rows, Ctrl+C, paste what the clipboard holds;
right-click for the row menu; Edit ▸ Copy; hover a cut cell for its whole text."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from decimal import Decimal
from pathlib import Path
from typing import Any

import pytest
from PySide6.QtCore import QEvent, QObject, Qt, QTimer
from PySide6.QtGui import QAction, QContextMenuEvent, QGuiApplication, QHelpEvent
from PySide6.QtTest import QTest
from PySide6.QtWidgets import QApplication, QMenu, QTableView, QToolTip
from pytestqt.qtbot import QtBot

from pmpm_desktop.core.month import Month
from pmpm_desktop.ui.main_window import MainWindow
from pmpm_desktop.ui.pages.base import read_only_table
from pmpm_desktop.ui.pages.payers import PayersPage
from pmpm_desktop.ui.payer_dialogs import ContractDialog, PayerDialog
from pmpm_desktop.ui.table_model import Column, RowsModel

# a menu or tooltip shown without a display says it cannot raise itself or grab the keyboard
pytestmark = pytest.mark.qt_log_ignore("does not support raise", "does not support grabbing")

COLUMNS = [
    Column("Member", lambda r: r[0]),
    Column("Month", lambda r: r[1], "month"),
    Column("Paid\non", lambda r: r[2], "date"),
    Column("Members", lambda r: r[3], "int"),
    Column("Difference", lambda r: r[4], "money"),
    Column("Kind", lambda r: r[5], "kind"),
    Column("Note", lambda r: r[6]),
]
ROWS = [
    ("Walker-Montgomery, Christopher Alexander", Month(2026, 7), dt.date(2026, 7, 3), 1234,
     Decimal("-1234.50"), "underpaid", "called\tthe payer"),
    ("Adams, Ann", Month(2026, 6), None, 0, Decimal("128481234.56"), "unknown_member", ""),
    ("Baker, Bo", Month(2026, 5), dt.date(2026, 5, 30), 7, Decimal("0.00"), "matched", "ok"),
]  # fmt: skip
HEADER = "Member\tMonth\tPaid on\tMembers\tDifference\tKind\tNote"
LINES = [
    "Walker-Montgomery, Christopher Alexander\t2026-07\t2026-07-03\t1234\t-1234.50\tUnderpaid"
    "\tcalled the payer",
    "Adams, Ann\t2026-06\t\t0\t128481234.56\tUnknown member\t",
    "Baker, Bo\t2026-05\t2026-05-30\t7\t0.00\tMatched\tok",
]


def grid(
    qtbot: QtBot, actions_for: Callable[[list[int]], list[QAction]] | None = None
) -> QTableView:
    view = read_only_table("grid", RowsModel(COLUMNS, ROWS), actions_for)
    qtbot.addWidget(view)
    view.resize(900, 300)
    view.show()
    qtbot.waitExposed(view)
    return view


def click_row(qtbot: QtBot, view: QTableView, row: int, modifier: Any = None) -> None:
    point = view.visualRect(view.model().index(row, 0)).center()
    keys = modifier if modifier is not None else Qt.KeyboardModifier.NoModifier
    QTest.mouseClick(view.viewport(), Qt.MouseButton.LeftButton, keys, point)


def shown_rows(view: QTableView) -> list[int]:
    return sorted({i.row() for i in view.selectionModel().selectedIndexes()})


def clipboard() -> str:
    return QGuiApplication.clipboard().text()


def right_click(view: QTableView, row: int, then: Callable[[QMenu], None]) -> list[str]:
    """Right-click the row; while its menu is open, read its items and run ``then(menu)``."""
    seen: list[str] = []

    def in_menu() -> None:
        menu = QApplication.activePopupWidget()
        assert isinstance(menu, QMenu)
        seen.extend(a.text() for a in menu.actions())
        then(menu)
        menu.close()

    point = view.visualRect(view.model().index(row, 1)).center()
    event = QContextMenuEvent(
        QContextMenuEvent.Reason.Mouse, point, view.viewport().mapToGlobal(point)
    )
    QTimer.singleShot(0, in_menu)
    QApplication.sendEvent(view.viewport(), event)
    return seen


def press(menu: QMenu, text: str) -> None:
    action = next(a for a in menu.actions() if a.text() == text)
    assert action.isEnabled()
    action.trigger()


def test_ctrl_c_copies_the_selected_rows_with_a_header_as_tab_separated_text(
    qtbot: QtBot,
) -> None:
    view = grid(qtbot)
    click_row(qtbot, view, 0)
    click_row(qtbot, view, 2, Qt.KeyboardModifier.ControlModifier)
    assert shown_rows(view) == [0, 2]
    QGuiApplication.clipboard().clear()

    QTest.keyClick(view, Qt.Key.Key_C, Qt.KeyboardModifier.ControlModifier)

    # what pastes into a spreadsheet as cells: the header (a two-line title on one line),
    # amounts as plain numbers, dates ISO, a tab inside a note kept from splitting the cell
    assert clipboard() == "\r\n".join([HEADER, LINES[0], LINES[2]]) + "\r\n"

    # Shift+click extends the selection to every row
    click_row(qtbot, view, 0)
    click_row(qtbot, view, 2, Qt.KeyboardModifier.ShiftModifier)
    QTest.keyClick(view, Qt.Key.Key_C, Qt.KeyboardModifier.ControlModifier)
    assert clipboard().splitlines() == [HEADER, *LINES]


def test_right_click_lists_the_grids_actions_then_copy(qtbot: QtBot) -> None:
    owner = QObject()  # a page's own actions outlive every menu showing them
    opened: list[list[int]] = []
    open_member = QAction("Open member", owner)

    def actions_for(rows: list[int]) -> list[QAction]:
        explain = QAction(f"Explain {len(rows)}…")  # made for this menu
        explain.triggered.connect(lambda: opened.append(rows))
        return [open_member, explain]

    view = grid(qtbot, actions_for)
    click_row(qtbot, view, 0)
    click_row(qtbot, view, 1, Qt.KeyboardModifier.ControlModifier)

    # inside the selection: the menu acts on every selected row
    items = right_click(view, 1, lambda menu: press(menu, "&Copy 2 rows"))
    assert items == ["Open member", "Explain 2…", "", "&Copy 2 rows"]
    assert clipboard().splitlines() == [HEADER, LINES[0], LINES[1]]

    # outside it: the clicked row alone is selected, and the menu acts on it
    items = right_click(view, 2, lambda menu: press(menu, "Explain 1…"))
    assert items == ["Open member", "Explain 1…", "", "&Copy row"]
    assert shown_rows(view) == [2]
    assert opened == [[2]]
    assert open_member.text() == "Open member"  # still there, shown again next time
    assert right_click(view, 2, lambda menu: None)[0] == "Open member"


def test_a_grid_without_actions_of_its_own_still_copies(qtbot: QtBot) -> None:
    view = grid(qtbot)
    click_row(qtbot, view, 1)
    items = right_click(view, 1, lambda menu: press(menu, "&Copy row"))
    assert items == ["&Copy row"]
    assert clipboard().splitlines() == [HEADER, LINES[1]]


def tooltip_at(qtbot: QtBot, view: QTableView, row: int, column: int) -> str | None:
    """The tooltip hovering the cell shows (None: none)."""
    QToolTip.hideText()  # the last one fades out first
    qtbot.waitUntil(lambda: not QToolTip.isVisible())
    point = view.visualRect(view.model().index(row, column)).center()
    event = QHelpEvent(QEvent.Type.ToolTip, point, view.viewport().mapToGlobal(point))
    QApplication.sendEvent(view.viewport(), event)
    return QToolTip.text() if QToolTip.isVisible() else None


def test_a_cell_shown_cut_short_has_its_whole_text_in_a_tooltip(qtbot: QtBot) -> None:
    view = grid(qtbot)
    view.horizontalHeader().resizeSection(6, 40)  # the user narrows the Note column
    assert tooltip_at(qtbot, view, 2, 6) is None  # "ok" is whole
    assert tooltip_at(qtbot, view, 0, 6) == "called\tthe payer"
    assert tooltip_at(qtbot, view, 1, 4) is None  # an amount is never cut
    # the name column takes the room there is; in a narrow window the name is cut
    assert tooltip_at(qtbot, view, 0, 0) is None
    view.resize(600, 300)
    assert tooltip_at(qtbot, view, 0, 0) == ROWS[0][0]


def test_edit_copy_copies_the_focused_grids_rows(
    demo_db: Path, window: MainWindow, qtbot: QtBot, wait_task: Callable[..., None]
) -> None:
    page = window.go_to("payers")
    assert isinstance(page, PayersPage)
    wait_task()  # the page reads its payers
    view = page.payer_view
    click_row(qtbot, view, 0)
    click_row(qtbot, view, 2, Qt.KeyboardModifier.ShiftModifier)
    view.setFocus()
    QGuiApplication.clipboard().clear()

    edit = next(m for m in window.menuBar().findChildren(QMenu) if m.title() == "&Edit")
    assert [a.text() for a in edit.actions() if a.text()][-1] == "&Copy"
    next(a for a in edit.actions() if a.text() == "&Copy").trigger()

    assert clipboard().splitlines() == [
        "Code\tName\tContracts",
        "BAY\tBayview Medicare Advantage\t1",
        "HCA\tHarbor Community Alliance\t2",
        "SUN\tSunrise Health Plan\t1",
    ]


def test_ctrl_c_in_a_field_still_copies_the_field(qtbot: QtBot) -> None:
    """The grid's Ctrl+C is the grid's: a text field elsewhere copies its own selection."""
    from PySide6.QtWidgets import QLineEdit, QVBoxLayout, QWidget

    holder = QWidget()
    qtbot.addWidget(holder)
    field = QLineEdit("SUN statement")
    view = read_only_table("grid", RowsModel(COLUMNS, ROWS))
    layout = QVBoxLayout(holder)
    layout.addWidget(field)
    layout.addWidget(view)
    holder.show()
    field.setFocus()
    field.selectAll()
    QTest.keyClick(field, Qt.Key.Key_C, Qt.KeyboardModifier.ControlModifier)
    assert clipboard() == "SUN statement"


def test_the_payer_grids_menu_edits_the_clicked_payer(
    demo_db: Path, window: MainWindow, qtbot: QtBot, wait_task: Callable[..., None]
) -> None:
    page = window.go_to("payers")
    assert isinstance(page, PayersPage)
    wait_task()  # the page reads its payers
    items = right_click(page.payer_view, 2, lambda menu: press(menu, "&Edit payer…"))
    assert items == ["&Edit payer…", "Add co&ntract…", "", "&Copy row"]
    dialog = page.dialog
    assert isinstance(dialog, PayerDialog) and dialog.code.text() == "SUN"
    dialog.reject()
    wait_task()  # SUN's contracts
    items = right_click(page.contract_view, 0, lambda menu: press(menu, "&Edit contract…"))
    assert items == ["&Edit contract…", "", "&Copy row"]
    assert isinstance(page.dialog, ContractDialog)
    assert page.dialog.name.text() == "Medicaid HMO"
    page.dialog.reject()
