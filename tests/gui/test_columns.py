"""Columns sized to their content: an amount is never cut, the name takes the spare room, and
the widths follow the rows as they change or arrive page by page."""

from __future__ import annotations

from collections.abc import Sequence
from decimal import Decimal
from pathlib import Path

import pytest
from PySide6.QtCore import Qt
from PySide6.QtTest import QTest
from PySide6.QtWidgets import QTableView
from pytestqt.qtbot import QtBot

from pmpm_desktop.core.month import Month
from pmpm_desktop.ui.context import AppContext
from pmpm_desktop.ui.main_window import MainWindow
from pmpm_desktop.ui.pages.base import read_only_table
from pmpm_desktop.ui.pages.payers import PayersPage
from pmpm_desktop.ui.table_model import Column, PagedRowsModel, RowsModel

Row = tuple[str, str, Month, int, Decimal, Decimal, str]
COLUMNS = [
    Column("Payer", lambda r: r[0]),
    Column("Member name", lambda r: r[1]),
    Column("Month", lambda r: r[2], "month"),
    Column("Members", lambda r: r[3], "int"),
    Column("Expected", lambda r: r[4], "money"),
    Column("Variance", lambda r: r[5], "money"),
    Column("Kind", lambda r: r[6], "kind"),
]
NAME, MONEY, VARIANCE, KIND = 1, 4, 5, 6


def rows(n: int, amount: str = "128481234.56") -> list[Row]:
    return [
        (
            "SUN",
            f"Montgomery-Walker, Christopher Alexander {i}",
            Month(2026, 7),
            12345,
            Decimal(amount),
            Decimal("-98765.43"),
            "unknown_member",
        )
        for i in range(n)
    ]


def shown(qtbot: QtBot, view: QTableView, width: int = 1024, height: int = 680) -> QTableView:
    qtbot.addWidget(view)
    view.resize(width, height)
    view.show()
    qtbot.waitExposed(view)
    return view


def whole(view: QTableView, column: int) -> bool:
    """The column shows its widest value (and title) without cutting it."""
    return view.columnWidth(column) >= max(
        view.sizeHintForColumn(column), view.horizontalHeader().sectionSizeHint(column)
    )


def test_amounts_are_whole_and_the_name_takes_the_room_at_1024(qtbot: QtBot) -> None:
    view = shown(qtbot, read_only_table("grid", RowsModel(COLUMNS, rows(30))))
    assert view.model().index(0, MONEY).data() == "128,481,234.56"
    for column in range(2, 7):
        assert whole(view, column), view.model().headerData(column, Qt.Orientation.Horizontal)
    # the name takes what is left and the grid does not scroll sideways
    header = view.horizontalHeader()
    assert header.sectionSize(NAME) == max(header.sectionSize(c) for c in range(7))
    assert header.length() <= view.viewport().width()
    assert not view.horizontalScrollBar().isVisible()


def test_widths_follow_new_rows(qtbot: QtBot) -> None:
    model = RowsModel(COLUMNS, rows(3, "1.00"))
    view = shown(qtbot, read_only_table("grid", model))
    narrow = view.columnWidth(MONEY)
    model.set_rows(rows(3, "-9999999999.99"))
    assert view.columnWidth(MONEY) > narrow
    assert whole(view, MONEY)
    model.set_rows(rows(3, "2.00"))  # a reload with small amounts: no gap left behind
    assert view.columnWidth(MONEY) == narrow


class ListSource:
    def __init__(self, data: Sequence[Row]) -> None:
        self.data = list(data)

    def count(self) -> int:
        return len(self.data)

    def fetch(self, offset: int, limit: int, order_by: str | None, descending: bool) -> list[Row]:
        return self.data[offset : offset + limit]


def test_a_later_page_with_wider_amounts_widens_the_column(qtbot: QtBot) -> None:
    data = rows(50, "5.00") + rows(50, "-77777777.77")
    model = PagedRowsModel(COLUMNS, ListSource(data), page_size=50)
    view = shown(qtbot, read_only_table("grid", model), height=300)
    model.reload()
    assert model.rowCount() == 50
    narrow = view.columnWidth(MONEY)
    view.scrollToBottom()  # the view asks for the next page
    qtbot.waitUntil(lambda: model.rowCount() == 100)
    assert view.columnWidth(MONEY) > narrow
    assert whole(view, MONEY)


@pytest.mark.parametrize("size", [(1280, 800), (1024, 680)])
def test_the_rate_table_shows_its_amounts_whole(
    demo_db: Path, ctx: AppContext, window: MainWindow, qtbot: QtBot, size: tuple[int, int]
) -> None:
    window.resize(*size)
    page = window.go_to("payers")
    assert isinstance(page, PayersPage)
    qtbot.waitUntil(lambda: not ctx.tasks.busy)  # the page reads its payers
    payers = page.payer_view
    point = payers.visualRect(payers.model().index(2, 0)).center()  # SUN
    QTest.mouseClick(payers.viewport(), Qt.MouseButton.LeftButton, pos=point)
    qtbot.waitUntil(lambda: not ctx.tasks.busy)  # and SUN's contracts
    view = page.grid.view
    assert view.model().rowCount() == 7
    for column in range(view.model().columnCount()):
        assert whole(view, column), view.model().headerData(column, Qt.Orientation.Horizontal)
    assert view.horizontalHeader().length() <= view.viewport().width()
