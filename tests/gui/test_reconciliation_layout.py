"""The Reconciliation page at the sizes clerks use (1280×800, 1024×680): nothing clipped that
must be read whole — amounts, the month summary's totals, names and kinds while the detail
pane is empty — and the detail pane as wide as the user last dragged it."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

from PySide6.QtWidgets import QScrollArea, QTableView
from pytestqt.qtbot import QtBot

from pmpm_desktop.ui.main_window import MainWindow
from pmpm_desktop.ui.pages.reconciliation import ReconciliationPage
from pmpm_desktop.ui.pages.reconciliation_split import DETAIL_EMPTY

from .conftest import screenshot
from .test_reconciliation_page import _drag, choose, click_row

Wait = Callable[..., None]
MONEY = ("Expected", "Paid", "Variance")


def at_size(
    window: MainWindow, qtbot: QtBot, wait_task: Wait, w: int, h: int
) -> ReconciliationPage:
    window.resize(w, h)
    page = window.go_to("reconciliation")
    assert isinstance(page, ReconciliationPage)
    wait_task()
    qtbot.wait(20)  # the resize events of the new size
    return page


def columns(view: QTableView, titles: tuple[str, ...]) -> list[int]:
    model = view.model()
    return [c for c in range(model.columnCount()) if model.headerData(c, 1) in titles]


def whole(view: QTableView, column: int) -> bool:
    """Is every cell of the column (and its title) as wide as its text needs?"""
    return view.sizeHintForColumn(column) <= view.columnWidth(column) and (
        view.horizontalHeader().sectionSizeHint(column) - 20 <= view.columnWidth(column)
    )


def in_view(view: QTableView, column: int) -> bool:
    header = view.horizontalHeader()
    left = header.sectionViewportPosition(column)
    return left >= 0 and left + header.sectionSize(column) <= view.viewport().width()


def no_sideways_scroll(page: ReconciliationPage) -> bool:
    holder = page.parentWidget().parentWidget()
    assert isinstance(holder, QScrollArea)
    return not holder.horizontalScrollBar().isVisible()


def test_at_1280_by_800_names_and_kinds_are_whole_while_nothing_is_selected(
    demo_db: Path, window: MainWindow, qtbot: QtBot, wait_task: Wait
) -> None:
    page = at_size(window, qtbot, wait_task, 1280, 800)
    assert page.grid_split.sizes()[1] <= DETAIL_EMPTY + 5  # the empty pane is narrow
    grid = page.grid
    assert grid.horizontalHeader().length() <= grid.viewport().width()  # no sideways scroll
    for c in range(grid.model().columnCount()):
        if not grid.isColumnHidden(c):
            assert whole(grid, c), grid.model().headerData(c, 1)
    assert no_sideways_scroll(page)
    screenshot(window, "reconciliation-1280x800-nothing-selected")


def test_the_month_summary_totals_are_never_cut(
    demo_db: Path, window: MainWindow, qtbot: QtBot, wait_task: Wait
) -> None:
    for size in ((1280, 800), (1024, 680)):
        page = at_size(window, qtbot, wait_task, *size)
        view = page.summary_view
        for c in columns(view, MONEY):
            assert whole(view, c), (size, view.model().headerData(c, 1))
        # measured on every row, the bold totals line at the bottom too
        last = view.model().rowCount() - 1
        for c in columns(view, MONEY):
            text = view.model().index(last, c).data()
            font = view.model().index(last, c).data(6)  # FontRole
            assert font is not None and font.bold()
            view.setFont(font)
            need = view.fontMetrics().horizontalAdvance(text)
            view.setFont(window.font())
            assert need + 8 <= view.columnWidth(c), (size, text)
        totals = page.summary_totals
        assert totals.height() >= totals.heightForWidth(totals.width())  # wrapped, not cut
        assert no_sideways_scroll(page)


def test_at_1024_by_680_money_columns_are_never_cut(
    demo_db: Path, window: MainWindow, qtbot: QtBot, wait_task: Wait
) -> None:
    page = at_size(window, qtbot, wait_task, 1024, 680)
    grid = page.grid
    for c in columns(grid, MONEY):
        assert whole(grid, c) and in_view(grid, c), grid.model().headerData(c, 1)
    screenshot(window, "reconciliation-1024x680")
    click_row(qtbot, grid, 1)
    wait_task()
    qtbot.wait(20)
    for c in columns(grid, MONEY):
        assert whole(grid, c)  # beside the detail pane the grid scrolls; amounts stay whole
    assert no_sideways_scroll(page)
    screenshot(window, "reconciliation-1024x680-detail")


def test_the_detail_pane_keeps_the_width_it_was_dragged_to(
    demo_db: Path, ctx, window: MainWindow, qtbot: QtBot, wait_task: Wait
) -> None:  # type: ignore[no-untyped-def]
    page = at_size(window, qtbot, wait_task, 1280, 800)
    click_row(qtbot, page.grid, 0)
    wait_task()
    qtbot.wait(10)
    assert abs(page.grid_split.sizes()[1] - 340) <= 10  # at first
    _drag(page.grid_split.handle(1), page.grid_split.sizes()[1] - 420, 0)
    assert page.grid_split.sizes()[1] == 420
    # the row leaves the grid (another kind): the pane is narrow again while empty
    kind = page.detail.row.kind if page.detail.row else ""
    other = next(k for k in ("missing", "underpaid", "no_rate") if k != kind)
    choose(page.kind_combo, other)
    wait_task()
    assert page.detail.row is None and page.grid_split.sizes()[1] <= DETAIL_EMPTY + 5
    click_row(qtbot, page.grid, 0)
    wait_task()
    assert page.grid_split.sizes()[1] == 420
    # remembered: the next window opens it as wide
    assert ctx.settings.reconciliation_detail_width == 420
    again = MainWindow(ctx)
    qtbot.addWidget(again)
    again.show()
    again.resize(1280, 800)
    second = again.go_to("reconciliation")
    wait_task()
    click_row(qtbot, second.grid, 0)
    wait_task()
    qtbot.wait(10)
    assert second.grid_split.sizes()[1] == 420
