"""The Payers & Contracts page in a small window, looked at as a clerk does: at 1024×680 and
1280×800 nothing scrolls sideways, no number, title or payer name is cut, a contract's terms
say their units, and the splitters stay where the user left them."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import pytest
from PySide6.QtCore import QPoint, Qt
from PySide6.QtTest import QTest
from PySide6.QtWidgets import QApplication, QLabel, QScrollArea, QSplitter, QTableView
from pytestqt.qtbot import QtBot

from pmpm_desktop.ui.context import AppContext
from pmpm_desktop.ui.main_window import MainWindow
from pmpm_desktop.ui.pages.payers import PayersPage
from tests.gui.conftest import screenshot

Wait = Callable[..., None]
SIZES = [(1024, 680), (1280, 800)]


def settled(wait_task: Wait) -> None:
    """Wait for the page's read, then let the layouts take in what it shows (as the event
    loop does before the next paint)."""
    wait_task()
    QApplication.processEvents()


def click_row(view: QTableView, row: int, column: int = 0) -> None:
    point = view.visualRect(view.model().index(row, column)).center()
    QTest.mouseClick(view.viewport(), Qt.MouseButton.LeftButton, pos=point)


def text(view: QTableView, row: int, column: int) -> str:
    return str(view.model().index(row, column).data())


def title(view: QTableView, column: int) -> str:
    return str(view.model().headerData(column, Qt.Orientation.Horizontal))


def term(page: PayersPage, key: str) -> QLabel:
    label = page.findChild(QLabel, f"term_{key}")
    assert label is not None and label.isVisible()
    return label


def assert_whole(view: QTableView) -> None:
    """Every column shows its widest value and its title, and the table does not scroll
    sideways."""
    header = view.horizontalHeader()
    for column in range(header.count()):
        width = view.columnWidth(column)
        assert width >= view.sizeHintForColumn(column), title(view, column)
        assert width >= header.sectionSizeHint(column), title(view, column)
    assert header.length() <= view.viewport().width(), view.objectName()
    assert not view.horizontalScrollBar().isVisible(), view.objectName()


def assert_name_whole(view: QTableView, column: int) -> None:
    metrics = view.fontMetrics()
    for row in range(view.model().rowCount()):
        name = text(view, row, column)
        assert metrics.horizontalAdvance(name) <= view.columnWidth(column), name


def assert_label_whole(label: QLabel) -> None:
    """A label shows all its text: on one line, or wrapped into the height it has."""
    if label.wordWrap():
        assert label.heightForWidth(label.width()) <= label.height(), label.text()
    else:
        assert label.fontMetrics().horizontalAdvance(label.text()) <= label.width(), label.text()


@pytest.fixture
def demo_window(demo_db: Path, window: MainWindow) -> MainWindow:
    return window


@pytest.mark.parametrize("size", SIZES, ids=lambda s: f"{s[0]}x{s[1]}")
def test_every_payer_shows_whole_without_scrolling_sideways(
    demo_window: MainWindow, qtbot: QtBot, wait_task: Wait, size: tuple[int, int]
) -> None:
    window = demo_window
    window.resize(*size)
    page = window.go_to("payers")
    assert isinstance(page, PayersPage)
    wait_task()
    holder = window.findChild(QScrollArea, "holder_payers")
    assert holder is not None
    content = holder.widget()
    assert content is page
    for row in range(3):
        click_row(page.payer_view, row)
        settled(wait_task)
        code = text(page.payer_view, row, 0)
        assert page.contract_heading.text().startswith(f"Contracts of {code} — ")

        # the page needs no sideways scroll bar, nor does any of its tables
        assert content.minimumSizeHint().width() <= holder.viewport().width()
        assert not holder.horizontalScrollBar().isVisible()
        for view in (page.payer_view, page.contract_view, page.grid.view):
            assert_whole(view)
        assert_name_whole(page.payer_view, 1)
        assert_name_whole(page.contract_view, 0)
        for label in (page.contract_heading, page.payer_settings, page.grid.title):
            assert_label_whole(label)

        # the selected contract's terms, with their units, all in sight
        assert term(page, "tolerance").text() == "$0.01"
        assert term(page, "retro_window").text() == "12 months"
        for key in ("withhold", "tolerance", "risk_adjusted", "age_basis", "due_day"):
            assert_label_whole(term(page, key))
            assert term(page, key).toolTip()
        # every rate row in sight without scrolling (SUN has the most: 7)
        rates = page.grid.view
        last = rates.model().rowCount() - 1
        bottom = rates.rowViewportPosition(last) + rates.rowHeight(last)
        assert bottom <= rates.viewport().height(), code
        screenshot(window, f"payers_{size[0]}x{size[1]}_{code}")


def test_short_titles_say_the_rest_in_tooltips(demo_window: MainWindow, wait_task: Wait) -> None:
    page = demo_window.go_to("payers")
    assert isinstance(page, PayersPage)
    wait_task()
    for view in (page.payer_view, page.contract_view):
        model = view.model()
        titles = [title(view, c) for c in range(model.columnCount())]
        assert all("\n" not in t for t in titles), titles  # one line each
    contracts = page.contract_model
    tips = {
        title(page.contract_view, c): contracts.headerData(
            c, Qt.Orientation.Horizontal, Qt.ItemDataRole.ToolTipRole
        )
        for c in range(contracts.columnCount())
    }
    assert tips["Products"] == "The roster product values that select this contract"
    assert term(page, "tolerance").toolTip().startswith("Differences up to this amount")
    assert "Days since due" in term(page, "due_day").toolTip()


def drag(splitter: QSplitter, by: int) -> None:
    """Drag the splitter's handle ``by`` pixels (down, or right), as with the mouse."""
    handle = splitter.handle(1)
    start = handle.rect().center()
    vertical = splitter.orientation() == Qt.Orientation.Vertical
    end = start + (QPoint(0, by) if vertical else QPoint(by, 0))
    left = Qt.MouseButton.LeftButton
    QTest.mousePress(handle, left, Qt.KeyboardModifier.NoModifier, start)
    QTest.mouseMove(handle, end)
    QTest.mouseRelease(handle, left, Qt.KeyboardModifier.NoModifier, end)


def splitters(page: PayersPage) -> tuple[QSplitter, QSplitter]:
    """The splitter above the rate table, and the one between payers and contracts."""
    rates = page.findChild(QSplitter, "ratesSplitter")
    payers = page.findChild(QSplitter, "payersSplitter")
    assert rates is not None and payers is not None
    return rates, payers


def shown_page(ctx: AppContext, qtbot: QtBot, wait_task: Wait) -> PayersPage:
    page = PayersPage(ctx)
    qtbot.addWidget(page)
    page.resize(1000, 700)
    page.show()
    qtbot.waitExposed(page)
    page.refresh()
    wait_task()
    return page


def test_where_the_splitters_are_left_is_remembered(
    demo_db: Path, ctx: AppContext, qtbot: QtBot, wait_task: Wait
) -> None:
    page = shown_page(ctx, qtbot, wait_task)
    rates, payers = splitters(page)
    top = rates.sizes()[0]
    drag(rates, 60)  # more room for the contracts
    assert rates.sizes()[0] == top + 60
    wide = payers.sizes()[0]
    drag(payers, 40)  # a wider payers table
    assert payers.sizes()[0] == wide + 40
    page.close()

    again = shown_page(ctx, qtbot, wait_task)  # the next time the page is built
    rates, payers = splitters(again)
    assert rates.sizes()[0] == top + 60
    assert payers.sizes()[0] == wide + 40
