"""Undo and redo, driven as a user does: change the rates, save, Ctrl+Z, Ctrl+Shift+Z; the
Edit menu says what it would undo; a change that failed is not offered for undo."""

from __future__ import annotations

from collections.abc import Callable
from decimal import Decimal
from pathlib import Path

import pytest
from PySide6.QtCore import Qt
from PySide6.QtGui import QAction
from PySide6.QtTest import QTest
from PySide6.QtWidgets import QAbstractItemView, QLineEdit, QMenu, QMessageBox
from pytestqt.qtbot import QtBot

from pmpm_desktop.core.month import Month
from pmpm_desktop.errors import NotFound
from pmpm_desktop.services import payers
from pmpm_desktop.services.payers import ContractSpec
from pmpm_desktop.services.rate_table import GridRow, rate_rows, save_rates
from pmpm_desktop.ui.context import AppContext
from pmpm_desktop.ui.main_window import MainWindow
from pmpm_desktop.ui.operations import Op
from pmpm_desktop.ui.pages.payers import PayersPage
from pmpm_desktop.ui.undo import OpCommand

Wait = Callable[..., None]
FROM, CELL, AMOUNT = 0, 3, 7
CONTRACT = ContractSpec("Medicaid HMO", Month(2026, 1), products=("MCD",))


@pytest.fixture
def page(ctx: AppContext, window: MainWindow, wait_task: Wait) -> PayersPage:
    """The Payers page showing SUN's contract with two stored rates."""
    payers.add_payer(ctx.db, "SUN", "Sunrise Health Plan", 9)
    payers.add_contract(ctx.db, "SUN", CONTRACT)
    save_rates(
        ctx.db,
        "SUN",
        "Medicaid HMO",
        [
            GridRow(Month(2026, 1), rate_cell="TANF", amount=Decimal("210.00")),
            GridRow(Month(2026, 1), rate_cell="ABD", amount=Decimal("320.00")),
        ],
    )
    shown = window.go_to("payers")
    assert isinstance(shown, PayersPage)
    wait_task()  # the page reads its payers
    return shown


def edit_menu(window: MainWindow) -> dict[str, QAction]:
    """The Edit menu's items by their first word (Undo, Redo, Copy)."""
    menu = next(m for m in window.menuBar().findChildren(QMenu) if m.title() == "&Edit")
    return {a.text().replace("&", "").split(" ")[0]: a for a in menu.actions() if a.text()}


def type_cell(qtbot: QtBot, page: PayersPage, row: int, column: int, text: str) -> None:
    view = page.grid.view
    index = view.model().index(row, column)
    view.setCurrentIndex(index)
    view.edit(index)
    editor = next(e for e in view.viewport().findChildren(QLineEdit) if e.isVisible())
    editor.selectAll()
    QTest.keyClicks(editor, text)
    QTest.keyClick(editor, Qt.Key.Key_Return)
    qtbot.waitUntil(lambda: view.state() != QAbstractItemView.State.EditingState)


def shown_amounts(page: PayersPage) -> list[str]:
    model = page.grid.view.model()
    return [str(model.index(r, AMOUNT).data()) for r in range(model.rowCount())]


def stored(ctx: AppContext) -> list[tuple[object, ...]]:
    return [(r.rate_cell, r.amount, r.source_row) for r in rate_rows(ctx.db, "SUN", "Medicaid HMO")]


def key(qtbot: QtBot, page: PayersPage, *modifiers: Qt.KeyboardModifier) -> None:
    keys = Qt.KeyboardModifier.ControlModifier
    for m in modifiers:
        keys |= m
    page.grid.view.setFocus()
    QTest.keyClick(page.grid.view, Qt.Key.Key_Z, keys)


def change_and_save(qtbot: QtBot, page: PayersPage) -> None:
    """TANF 210 → 250, and a new rate row; Save."""
    type_cell(qtbot, page, 0, AMOUNT, "250")
    QTest.mouseClick(page.grid.add_button, Qt.MouseButton.LeftButton)
    type_cell(qtbot, page, 2, CELL, "SSI")
    type_cell(qtbot, page, 2, AMOUNT, "99.5")
    QTest.mouseClick(page.grid.save_button, Qt.MouseButton.LeftButton)


BEFORE = [("TANF", Decimal("210.00"), 1), ("ABD", Decimal("320.00"), 2)]
AFTER = [
    ("TANF", Decimal("250.00"), 1),
    ("ABD", Decimal("320.00"), 2),
    ("SSI", Decimal("99.50"), 3),
]


def test_ctrl_z_puts_back_the_rates_a_save_replaced_and_ctrl_shift_z_saves_them_again(
    ctx: AppContext, window: MainWindow, page: PayersPage, qtbot: QtBot, wait_task: Wait
) -> None:
    assert stored(ctx) == BEFORE
    assert not edit_menu(window)["Undo"].isEnabled()
    change_and_save(qtbot, page)
    wait_task()
    assert stored(ctx) == AFTER
    assert shown_amounts(page) == ["250.00", "320.00", "99.50"]
    undo = edit_menu(window)["Undo"]
    assert undo.isEnabled() and undo.text() == "&Undo rate changes of SUN Medicaid HMO"

    key(qtbot, page)
    wait_task()
    assert stored(ctx) == BEFORE  # the changed amount back, the added row gone
    assert shown_amounts(page) == ["210.00", "320.00"]
    assert not page.grid.dirty
    assert window.statusBar().currentMessage() == (
        "Rates of SUN Medicaid HMO put back as they were (2 rate rows)"
    )
    assert edit_menu(window)["Redo"].isEnabled()

    key(qtbot, page, Qt.KeyboardModifier.ShiftModifier)
    wait_task()
    assert stored(ctx) == AFTER
    assert shown_amounts(page) == ["250.00", "320.00", "99.50"]
    assert window.statusBar().currentMessage() == "Saved 3 rate rows for SUN Medicaid HMO"


def test_undo_pressed_before_the_save_came_back_still_puts_the_rates_back(
    ctx: AppContext, window: MainWindow, page: PayersPage, qtbot: QtBot, wait_task: Wait
) -> None:
    change_and_save(qtbot, page)
    edit_menu(window)["Undo"].trigger()  # at once, while the save may still be running
    wait_task()
    assert stored(ctx) == BEFORE
    assert shown_amounts(page) == ["210.00", "320.00"]


def test_opening_another_database_empties_the_undo_stack(
    ctx: AppContext,
    window: MainWindow,
    page: PayersPage,
    qtbot: QtBot,
    wait_task: Wait,
    tmp_path: Path,
) -> None:
    change_and_save(qtbot, page)
    wait_task()
    assert edit_menu(window)["Undo"].isEnabled()
    window.switch_database(str(tmp_path / "other.sqlite3"))
    wait_task()
    assert ctx.db_label.endswith("other.sqlite3")
    undo = edit_menu(window)["Undo"]
    assert not undo.isEnabled() and undo.text() == "&Undo"
    assert not edit_menu(window)["Redo"].isEnabled()


def message_boxes(window: MainWindow) -> list[QMessageBox]:
    return [b for b in window.findChildren(QMessageBox) if b.isVisible()]


def test_a_failed_save_is_not_offered_for_undo_and_says_why(
    ctx: AppContext, window: MainWindow, page: PayersPage, qtbot: QtBot, wait_task: Wait
) -> None:
    # another program renames the contract while its rates are being edited here
    renamed = ContractSpec("Medicaid", Month(2026, 1), products=("MCD",))
    payers.update_contract(ctx.db, "SUN", "Medicaid HMO", renamed)
    change_and_save(qtbot, page)
    wait_task()
    boxes = message_boxes(window)
    assert len(boxes) == 1
    text = boxes[0].text()
    assert text == "SUN has no contract named 'Medicaid HMO' (contracts: 'Medicaid')"
    assert "\n" not in text and "Traceback" not in text
    boxes[0].accept()
    undo = edit_menu(window)["Undo"]
    assert not undo.isEnabled() and undo.text() == "&Undo"
    assert ctx.undo.count() == 0
    assert page.grid.dirty  # the edits are still there to save again


def test_an_undo_that_fails_leaves_the_change_standing_and_offered(
    ctx: AppContext, window: MainWindow, page: PayersPage, qtbot: QtBot, wait_task: Wait
) -> None:
    change_and_save(qtbot, page)
    wait_task()
    renamed = ContractSpec("Medicaid", Month(2026, 1), products=("MCD",))
    payers.update_contract(ctx.db, "SUN", "Medicaid HMO", renamed)  # by another program
    key(qtbot, page)
    wait_task()
    boxes = message_boxes(window)
    assert [b.windowTitle() for b in boxes] == ["Undo rate changes of SUN Medicaid HMO"]
    assert boxes[0].text() == "SUN has no contract named 'Medicaid HMO' (contracts: 'Medicaid')"
    boxes[0].accept()
    assert [(r.rate_cell, r.amount) for r in rate_rows(ctx.db, "SUN", "Medicaid")] == [
        (cell, amount) for cell, amount, _row in AFTER
    ]
    undo = edit_menu(window)["Undo"]
    assert undo.isEnabled() and undo.text() == "&Undo rate changes of SUN Medicaid HMO"
    assert not edit_menu(window)["Redo"].isEnabled()


def test_a_change_that_fails_is_dropped_from_the_stack_and_says_why_in_a_box(
    ctx: AppContext, window: MainWindow, wait_task: Wait
) -> None:
    def gone(_progress: object) -> None:
        raise NotFound("the discrepancy was deleted by another program")

    ctx.undo.push(
        OpCommand(
            ctx,
            "Set status of 1 item",
            lambda: Op("Set status", gone),
            lambda _result: Op("Put back status", lambda _progress: None),
        )
    )
    wait_task()
    boxes = message_boxes(window)
    assert [(b.windowTitle(), b.text()) for b in boxes] == [
        ("Set status of 1 item", "the discrepancy was deleted by another program")
    ]
    assert ctx.undo.count() == 0 and not edit_menu(window)["Undo"].isEnabled()
