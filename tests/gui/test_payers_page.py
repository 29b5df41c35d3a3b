"""The Payers & Contracts page driven like a user: dialogs typed into, rates typed into the grid."""

from __future__ import annotations

from collections.abc import Callable
from decimal import Decimal
from pathlib import Path
from typing import TypeVar

import pytest
import shiboken6
from PySide6.QtCore import Qt
from PySide6.QtTest import QTest
from PySide6.QtWidgets import (
    QAbstractButton,
    QAbstractItemView,
    QDialog,
    QLabel,
    QLineEdit,
    QMessageBox,
    QTableView,
    QWidget,
)
from pytestqt.qtbot import QtBot

from pmpm_desktop.core.month import Month
from pmpm_desktop.services import payers
from pmpm_desktop.services.payers import ContractSpec
from pmpm_desktop.services.rate_table import GridRow, rate_rows, save_rates
from pmpm_desktop.ui.context import AppContext
from pmpm_desktop.ui.import_wizard.base import WizardBase
from pmpm_desktop.ui.pages.payers import PayersPage
from pmpm_desktop.ui.payer_dialogs import ContractDialog, PayerDialog
from tests.gui.conftest import screenshot

M = Month.parse
D = Decimal
Wait = Callable[..., None]
Shown = TypeVar("Shown", bound=QDialog)
# grid columns
FROM, TO, COMPONENT, CELL, SEX, AGE_MIN, AGE_MAX, AMOUNT = range(8)


@pytest.fixture
def page(ctx: AppContext, qtbot: QtBot, wait_task: Wait) -> PayersPage:
    p = PayersPage(ctx)
    qtbot.addWidget(p)
    p.resize(1400, 820)
    p.show()
    p.refresh()
    wait_task()  # the page reads its payers in the background
    return p


@pytest.fixture
def messages(ctx: AppContext) -> list[str]:
    seen: list[str] = []
    ctx.status_message.connect(seen.append)
    return seen


def click(qtbot: QtBot, button: QAbstractButton) -> None:
    assert button.isEnabled(), f"{button.text()} is disabled"
    QTest.mouseClick(button, Qt.MouseButton.LeftButton)


def retype(qtbot: QtBot, edit: QLineEdit, text: str) -> None:
    edit.setFocus()
    edit.selectAll()
    QTest.keyClick(edit, Qt.Key.Key_Delete)
    QTest.keyClicks(edit, text)


def click_row(qtbot: QtBot, view: QTableView, row: int) -> None:
    rect = view.visualRect(view.model().index(row, 0))
    QTest.mouseClick(view.viewport(), Qt.MouseButton.LeftButton, pos=rect.center())


def double_click(qtbot: QtBot, view: QTableView, row: int) -> None:
    # A view opens on a double-click that follows a press on the same row, as a mouse sends.
    point = view.visualRect(view.model().index(row, 0)).center()
    QTest.mouseClick(view.viewport(), Qt.MouseButton.LeftButton, pos=point)
    QTest.mouseDClick(view.viewport(), Qt.MouseButton.LeftButton, pos=point)


def cell(view: QTableView, row: int, column: int) -> str:
    return str(view.model().index(row, column).data())


def shown_text(page: PayersPage, name: str) -> str:
    label = page.findChild(QLabel, name)
    assert label is not None and label.isVisible()
    return label.text()


def term(page: PayersPage, key: str) -> str:
    """What the selected contract's terms, under the contracts table, say for ``key``."""
    return shown_text(page, f"term_{key}")


def selected_payer(page: PayersPage) -> str:
    view = page.payer_view
    return cell(view, view.currentIndex().row(), 0)


def reread(page: PayersPage, wait_task: Wait) -> None:
    """Show what is stored now (as after a change elsewhere), and wait for it."""
    page.refresh()
    wait_task()


def column_of(view: QTableView, title: str) -> int:
    model = view.model()
    titles = [model.headerData(c, Qt.Orientation.Horizontal) for c in range(model.columnCount())]
    return titles.index(title)


def save_dialog(qtbot: QtBot, dialog: PayerDialog | ContractDialog, wait_task: Wait) -> None:
    click(qtbot, dialog.save_button)
    wait_task()


def type_cell(qtbot: QtBot, page: PayersPage, row: int, column: int, text: str) -> None:
    """Open the cell's editor as a double-click does, type, press Enter."""
    view = page.grid.view
    index = view.model().index(row, column)
    view.setCurrentIndex(index)
    view.edit(index)
    editors = [e for e in view.viewport().findChildren(QLineEdit) if e.isVisible()]
    assert len(editors) == 1
    editor = editors[0]
    editor.selectAll()
    QTest.keyClick(editor, Qt.Key.Key_Delete)
    QTest.keyClicks(editor, text)
    QTest.keyClick(editor, Qt.Key.Key_Return)
    # The delegate commits on Enter through a queued call: let it run.
    qtbot.waitUntil(lambda: view.state() != QAbstractItemView.State.EditingState)


def type_row(qtbot: QtBot, page: PayersPage, values: dict[int, str]) -> int:
    click(qtbot, page.grid.add_button)
    row = page.grid.model.rowCount() - 1
    for column, text in values.items():
        type_cell(qtbot, page, row, column, text)
    return row


def open_dialog(page: QWidget, kind: type[Shown]) -> Shown:
    """The dialog of that kind open over the page."""
    [dialog] = [d for d in page.findChildren(kind) if d.isVisible()]
    return dialog


def closed(dialog: QWidget) -> bool:
    """The dialog was closed (dialogs delete themselves when they close)."""
    return not shiboken6.isValid(dialog) or not dialog.isVisible()


def boxes(widget: QWidget, name: str) -> list[QMessageBox]:
    return [b for b in widget.findChildren(QMessageBox, name) if b.isVisible()]


def with_contract(ctx: AppContext, *names: str) -> None:
    payers.add_payer(ctx.db, "SUN", "Sunrise Health Plan", 9)
    for i, name in enumerate(names):
        payers.add_contract(ctx.db, "SUN", ContractSpec(name, M("2026-01"), products=(f"P{i}",)))


# --- payers ---------------------------------------------------------------------------------


def test_without_payers_the_page_says_what_to_do(page: PayersPage, qtbot: QtBot) -> None:
    assert page.stack.is_empty
    empty = page.stack.empty
    assert empty.heading.text() == "No payers yet"
    assert "demo practice" in empty.body.text()
    [button] = empty.buttons
    assert button.text() == "Add a payer"
    click(qtbot, button)
    assert open_dialog(page, PayerDialog).windowTitle() == "Add payer"
    screenshot(page, "payers_empty")


def test_add_a_payer_by_typing_then_edit_its_name(
    page: PayersPage, qtbot: QtBot, wait_task: Wait, messages: list[str], ctx: AppContext
) -> None:
    click(qtbot, page.stack.empty.buttons[0])
    dialog = open_dialog(page, PayerDialog)
    QTest.keyClicks(dialog.code, "sun")
    QTest.keyClicks(dialog.name, "Sunrise")
    QTest.keyClicks(dialog.id_width, "9")
    screenshot(dialog, "payers_add_payer_dialog")
    save_dialog(qtbot, dialog, wait_task)

    assert closed(dialog)
    assert not page.stack.is_empty
    assert [(cell(page.payer_view, 0, c)) for c in range(3)] == ["SUN", "Sunrise", "0"]
    assert selected_payer(page) == "SUN"
    assert "numeric IDs are padded with zeros to 9 digits" in page.payer_settings.text()
    assert page.contract_heading.text() == "Contracts of SUN — Sunrise"
    assert page.no_contracts.isVisible() and "no contracts yet" in page.no_contracts.text()
    assert messages[-1] == "Added payer SUN"

    click(qtbot, page.edit_payer_button)
    dialog = open_dialog(page, PayerDialog)
    assert not dialog.code.isEnabled() and dialog.code.text() == "SUN"
    assert dialog.id_width.text() == "9"
    retype(qtbot, dialog.name, "Sunrise Health Plan")
    retype(qtbot, dialog.id_width, "")
    save_dialog(qtbot, dialog, wait_task)

    assert closed(dialog)
    assert cell(page.payer_view, 0, 1) == "Sunrise Health Plan"
    assert "padded" not in page.payer_settings.text()
    [stored] = payers.list_payers(ctx.db)
    assert (stored.name, stored.id_width) == ("Sunrise Health Plan", None)


def test_refused_payer_stays_open_with_every_problem(
    page: PayersPage, qtbot: QtBot, wait_task: Wait, ctx: AppContext
) -> None:
    click(qtbot, page.stack.empty.buttons[0])
    dialog = open_dialog(page, PayerDialog)
    QTest.keyClicks(dialog.code, "no spaces")
    QTest.keyClicks(dialog.id_width, "abc")
    save_dialog(qtbot, dialog, wait_task)

    assert dialog.isVisible() and dialog.problems.isVisible()
    text = dialog.problems.text()
    assert text.startswith("The payer was not added:")
    assert "must be 1–20 letters" in text and "needs a name" in text
    assert "whole number, not 'abc'" in text
    assert dialog.save_button.isEnabled()
    assert payers.list_payers(ctx.db) == []
    screenshot(dialog, "payers_payer_dialog_problems")

    retype(qtbot, dialog.code, "SUN")
    QTest.keyClicks(dialog.name, "Sunrise")
    retype(qtbot, dialog.id_width, "")
    save_dialog(qtbot, dialog, wait_task)
    assert closed(dialog)
    assert [p.code for p in payers.list_payers(ctx.db)] == ["SUN"]


# --- contracts ------------------------------------------------------------------------------


def test_add_a_mid_month_contract_then_edit_its_withhold(
    page: PayersPage, qtbot: QtBot, wait_task: Wait, ctx: AppContext
) -> None:
    payers.add_payer(ctx.db, "HCA", "Harbor Community Alliance")
    reread(page, wait_task)
    click(qtbot, page.add_contract_button)
    dialog = open_dialog(page, ContractDialog)
    QTest.keyClicks(dialog.name, "Exchange")
    QTest.keyClicks(dialog.products, "EXCH, QHP")
    QTest.keyClicks(dialog.effective_from, "2026-01")
    assert not dialog.mid_day.isEnabled()  # only mid-month takes a day
    dialog.eligibility.setCurrentIndex(dialog.eligibility.findData("mid-month"))
    assert dialog.mid_day.isEnabled()
    dialog.mid_day.selectAll()
    QTest.keyClicks(dialog.mid_day, "15")
    retype(qtbot, dialog.tolerance, "0.50")
    screenshot(dialog, "payers_contract_dialog")
    save_dialog(qtbot, dialog, wait_task)

    assert closed(dialog)
    view = page.contract_view
    assert cell(view, 0, 0) == "Exchange"
    assert cell(view, 0, column_of(view, "Products")) == "EXCH, QHP"
    assert cell(view, 0, column_of(view, "Eligibility")) == "Mid-month (day 15)"
    assert cell(view, 0, column_of(view, "Effective")) == "2026-01 – open"
    assert shown_text(page, "termsTitle") == "Terms of Exchange"
    assert term(page, "tolerance") == "$0.50"
    assert term(page, "withhold") == "0%"
    assert not page.no_contracts.isVisible()
    assert cell(page.payer_view, 0, column_of(page.payer_view, "Contracts")) == "1"
    [stored] = payers.list_contracts(ctx.db, "HCA")
    assert stored.eligibility == "mid-month:15" and stored.products == ("EXCH", "QHP")

    click(qtbot, page.edit_contract_button)
    dialog = open_dialog(page, ContractDialog)
    assert dialog.name.text() == "Exchange" and dialog.mid_day.value() == 15
    assert dialog.eligibility.currentData() == "mid-month"
    retype(qtbot, dialog.withhold, "2.5")
    save_dialog(qtbot, dialog, wait_task)

    assert closed(dialog)
    assert term(page, "withhold") == "2.5%"
    [stored] = payers.list_contracts(ctx.db, "HCA")
    assert stored.withhold_pct == D("2.5") and stored.eligibility == "mid-month:15"


def test_refused_contract_terms_are_listed_in_the_dialog(
    page: PayersPage, qtbot: QtBot, wait_task: Wait, ctx: AppContext
) -> None:
    with_contract(ctx, "HMO")
    reread(page, wait_task)
    click(qtbot, page.add_contract_button)
    dialog = open_dialog(page, ContractDialog)
    QTest.keyClicks(dialog.name, "PPO")
    QTest.keyClicks(dialog.effective_from, "someday")
    retype(qtbot, dialog.withhold, "abc")
    save_dialog(qtbot, dialog, wait_task)
    assert dialog.isVisible()
    text = dialog.problems.text()
    assert "The contract was not added:" in text
    assert "effective from: not a month" in text and "withhold % must be a number" in text
    screenshot(dialog, "payers_contract_dialog_problems")

    retype(qtbot, dialog.effective_from, "2026-01")
    retype(qtbot, dialog.withhold, "0")
    QTest.keyClicks(dialog.products, "p0")  # HMO's code
    save_dialog(qtbot, dialog, wait_task)
    assert dialog.isVisible()
    assert "Product codes must select one contract" in dialog.problems.text()
    assert "p0 (already selects 'HMO')" in dialog.problems.text()
    assert [c.name for c in payers.list_contracts(ctx.db, "SUN")] == ["HMO"]


# --- rates ----------------------------------------------------------------------------------


def test_type_rates_into_the_grid_and_save(
    page: PayersPage, qtbot: QtBot, wait_task: Wait, ctx: AppContext, messages: list[str]
) -> None:
    with_contract(ctx, "Medicaid HMO")
    reread(page, wait_task)
    grid = page.grid
    assert grid.title.text() == "Rates of Medicaid HMO"
    assert "No rates yet" in grid.state.text()
    assert not grid.save_button.isEnabled()

    type_row(qtbot, page, {CELL: "tanf", AGE_MIN: "0", AGE_MAX: "20", AMOUNT: "95"})
    type_row(qtbot, page, {CELL: "TANF", SEX: "female", AGE_MIN: "21", AMOUNT: "$180.5"})
    type_row(qtbot, page, {COMPONENT: "Care Management", AMOUNT: "4.50"})
    view = grid.view
    assert [cell(view, 0, c) for c in range(8)] == [
        "2026-01", "open", "Capitation", "tanf", "any", "0", "20", "95.00"
    ]  # fmt: skip
    assert cell(view, 1, SEX) == "F" and cell(view, 1, AMOUNT) == "180.50"
    assert cell(view, 2, COMPONENT) == "Care management"
    assert grid.dirty and "unsaved changes" in grid.state.text()
    assert grid.save_button.isEnabled()

    click(qtbot, grid.save_button)
    wait_task()

    stored = rate_rows(ctx.db, "SUN", "Medicaid HMO")
    assert [(r.rate_cell, r.sex, r.age_min, r.age_max, r.amount) for r in stored] == [
        ("tanf", None, 0, 20, D("95.00")),
        ("TANF", "F", 21, None, D("180.50")),
        (None, None, None, None, D("4.50")),
    ]
    assert messages[-1] == "Saved 3 rate rows for SUN Medicaid HMO"
    assert not grid.dirty and grid.state.text() == "3 rows, saved"
    assert not grid.problems.isVisible()

    # delete a row and save: the table replaces the stored rates
    type_cell(qtbot, page, 2, AMOUNT, "4.75")
    grid.view.selectRow(0)
    click(qtbot, grid.delete_button)
    click(qtbot, grid.save_button)
    wait_task()
    stored = rate_rows(ctx.db, "SUN", "Medicaid HMO")
    assert [(r.source_row, r.amount) for r in stored] == [(1, D("180.50")), (2, D("4.75"))]


def test_overlapping_rows_are_highlighted_and_nothing_is_stored(
    page: PayersPage, qtbot: QtBot, wait_task: Wait, ctx: AppContext
) -> None:
    with_contract(ctx, "HMO")
    save_rates(ctx.db, "SUN", "HMO", [GridRow(M("2026-01"), amount=D("10.00"))])
    reread(page, wait_task)
    grid = page.grid
    assert grid.model.rowCount() == 1
    type_cell(qtbot, page, 0, AGE_MAX, "20")
    type_row(qtbot, page, {COMPONENT: "care management", AMOUNT: "4.50"})
    type_row(qtbot, page, {AGE_MIN: "18", AMOUNT: "12.00"})  # ages 18–20 are in both
    click(qtbot, grid.save_button)
    wait_task()

    assert grid.problems.isVisible()
    text = grid.problems.text()
    assert "not saved" in text and "highlighted" in text
    assert "Row 1 (capitation, any cell, any sex, age 0–20" in text
    assert "overlaps row 3 (capitation, any cell, any sex, age 18–+" in text
    background = Qt.ItemDataRole.BackgroundRole
    assert grid.model.index(0, 0).data(background) is not None
    assert grid.model.index(2, AMOUNT).data(background) is not None
    assert grid.model.index(1, 0).data(background) is None
    assert "overlaps" in grid.model.index(0, 0).data(Qt.ItemDataRole.ToolTipRole)
    assert [r.amount for r in rate_rows(ctx.db, "SUN", "HMO")] == [D("10.00")]
    assert grid.dirty
    screenshot(page, "payers_rate_overlap")

    type_cell(qtbot, page, 2, AGE_MIN, "21")  # fixing it clears the marks as you type
    assert not grid.problems.isVisible()
    assert grid.model.index(0, 0).data(background) is None
    click(qtbot, grid.save_button)
    wait_task()
    assert [r.amount for r in rate_rows(ctx.db, "SUN", "HMO")] == [
        D("10.00"),
        D("4.50"),
        D("12.00"),
    ]


def test_missing_amount_is_named_and_not_saved(
    page: PayersPage, qtbot: QtBot, wait_task: Wait, ctx: AppContext
) -> None:
    with_contract(ctx, "HMO")
    reread(page, wait_task)
    type_row(qtbot, page, {CELL: "ABD"})
    click(qtbot, page.grid.save_button)
    wait_task()
    assert "Row 1: amount missing" in page.grid.problems.text()
    assert rate_rows(ctx.db, "SUN", "HMO") == []


def test_bad_amounts_are_refused(
    page: PayersPage, qtbot: QtBot, ctx: AppContext, wait_task: Wait
) -> None:
    with_contract(ctx, "HMO")
    reread(page, wait_task)
    grid = page.grid
    type_row(qtbot, page, {AMOUNT: "abc"})
    assert cell(grid.view, 0, AMOUNT) == ""
    assert grid.problems.isVisible()
    assert "Row 1, Amount (PMPM): 'abc' was not taken — not an amount" in grid.problems.text()
    type_cell(qtbot, page, 0, AMOUNT, "12.345")
    assert cell(grid.view, 0, AMOUNT) == ""
    assert "'12.345' was not taken — more than two decimals" in grid.problems.text()
    type_cell(qtbot, page, 0, SEX, "X")
    assert "not a sex" in grid.problems.text()
    type_cell(qtbot, page, 0, AGE_MIN, "4.5")
    assert "whole number" in grid.problems.text()
    type_cell(qtbot, page, 0, FROM, "when")
    assert cell(grid.view, 0, FROM) == "2026-01"
    type_cell(qtbot, page, 0, FROM, "3/15/2026")  # a date names its month
    assert cell(grid.view, 0, FROM) == "2026-03"
    type_cell(qtbot, page, 0, AMOUNT, "12.5")
    assert cell(grid.view, 0, AMOUNT) == "12.50"
    assert grid.model.index(0, AMOUNT).data(Qt.ItemDataRole.UserRole) == D("12.50")

    # the Delete key blanks the selected cells
    grid.view.setCurrentIndex(grid.model.index(0, AMOUNT))
    QTest.keyClick(grid.view, Qt.Key.Key_Delete)
    assert cell(grid.view, 0, AMOUNT) == ""


def test_unsaved_rates_are_not_dropped_when_another_contract_is_chosen(
    page: PayersPage, qtbot: QtBot, ctx: AppContext, wait_task: Wait
) -> None:
    with_contract(ctx, "HMO", "PPO")
    reread(page, wait_task)
    assert page.grid.title.text() == "Rates of HMO"
    type_row(qtbot, page, {AMOUNT: "10"})

    click_row(qtbot, page.contract_view, 1)
    [box] = boxes(page, "confirmBox")
    assert "The rates of HMO have changes that are not saved" in box.text()
    assert page.grid.title.text() == "Rates of HMO"
    assert page.contract_view.currentIndex().row() == 0  # still on the one being edited
    box.button(QMessageBox.StandardButton.Cancel).click()
    assert page.grid.dirty and page.grid.model.rowCount() == 1

    click_row(qtbot, page.contract_view, 1)
    [box] = boxes(page, "confirmBox")
    discard = next(b for b in box.buttons() if b.text() == "Discard changes")
    discard.click()
    assert page.grid.title.text() == "Rates of PPO"
    assert not page.grid.dirty and page.contract_view.currentIndex().row() == 1

    click(qtbot, page.grid.add_button)  # Revert throws edits away without asking
    click(qtbot, page.grid.revert_button)
    assert page.grid.model.rowCount() == 0 and not page.grid.dirty


def test_import_rates_opens_the_import_wizard_for_a_rate_exhibit(
    page: PayersPage, qtbot: QtBot, ctx: AppContext, wait_task: Wait
) -> None:
    with_contract(ctx, "HMO")
    reread(page, wait_task)
    click(qtbot, page.grid.import_button)
    wizard = open_dialog(page, WizardBase)
    assert wizard.objectName() == "importWizard"
    assert wizard.kind_buttons["rates"].isChecked()
    wizard.close()


# --- the demo practice, and the models ------------------------------------------------------


def test_demo_practice(
    demo_db: Path, ctx: AppContext, page: PayersPage, qtbot: QtBot, wait_task: Wait
) -> None:
    reread(page, wait_task)
    view = page.payer_view
    assert [cell(view, r, 0) for r in range(view.model().rowCount())] == ["BAY", "HCA", "SUN"]
    assert [cell(view, r, 2) for r in range(3)] == ["1", "2", "1"]
    assert selected_payer(page) == "BAY"
    assert cell(page.contract_view, 0, 0) == "Medicare Advantage"
    assert term(page, "age_basis") == "January 1"
    assert term(page, "tolerance") == "$0.01"
    assert term(page, "retro_window") == "12 months"
    assert term(page, "due_day") == "day 15"

    click_row(qtbot, view, 1)
    wait_task()  # HCA's contracts are read
    contracts = page.contract_view
    assert page.contract_heading.text() == "Contracts of HCA — Harbor Community Alliance"
    assert [cell(contracts, r, 0) for r in range(2)] == ["Commercial HMO", "Exchange"]
    eligibility = column_of(contracts, "Eligibility")
    assert cell(contracts, 0, eligibility) == "Daily (pro-rated)"
    assert cell(contracts, 1, eligibility) == "Mid-month (day 15)"
    click_row(qtbot, contracts, 1)
    assert page.grid.title.text() == "Rates of Exchange"
    assert cell(page.grid.view, 0, AMOUNT) == "44.10"

    click_row(qtbot, view, 2)
    wait_task()
    assert page.grid.title.text() == "Rates of Medicaid HMO"
    assert page.grid.model.rowCount() == 7
    assert term(page, "withhold") == "2%"
    assert cell(page.grid.view, 6, COMPONENT) == "Care management"
    page.grid.view.selectRow(4)
    screenshot(page, "payers_demo")

    click(qtbot, page.edit_contract_button)
    screenshot(open_dialog(page, ContractDialog), "payers_demo_edit_contract")
    open_dialog(page, ContractDialog).reject()
    click(qtbot, page.edit_payer_button)
    screenshot(open_dialog(page, PayerDialog), "payers_demo_edit_payer")
    open_dialog(page, PayerDialog).reject()


def test_models(  # type: ignore[no-untyped-def]
    demo_db: Path, ctx: AppContext, page: PayersPage, qtbot: QtBot, qtmodeltester, wait_task: Wait
) -> None:
    reread(page, wait_task)
    qtmodeltester.check(page.payer_model)
    qtmodeltester.check(page.contract_model)
    click_row(qtbot, page.payer_view, 2)  # SUN
    wait_task()
    assert page.grid.model.rowCount() == 7
    qtmodeltester.check(page.grid.model)


def test_double_click_opens_the_editor(
    demo_db: Path, ctx: AppContext, page: PayersPage, qtbot: QtBot, wait_task: Wait
) -> None:
    reread(page, wait_task)
    double_click(qtbot, page.payer_view, 0)
    payer = open_dialog(page, PayerDialog)
    assert payer.code.text() == "BAY"
    payer.reject()
    double_click(qtbot, page.contract_view, 0)
    contract = open_dialog(page, ContractDialog)
    assert contract.name.text() == "Medicare Advantage"
    assert contract.age_basis.currentData() == "first-of-year"
    assert contract.risk_adjusted.isChecked() and contract.withhold.text() == "1.5"
