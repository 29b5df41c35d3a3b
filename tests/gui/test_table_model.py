"""Table models over plain rows: formatting, raw values, sorting, paging from a source."""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from dataclasses import dataclass
from decimal import Decimal

from PySide6.QtCore import Qt
from PySide6.QtWidgets import QTableView
from pytestqt.qtbot import QtBot

from pmpm_desktop.core.month import Month
from pmpm_desktop.ui.table_model import Column, PagedRowsModel, RowsModel


@dataclass(frozen=True)
class Row:
    member_id: str
    month: Month
    amount: Decimal
    dob: dt.date | None
    kind: str


COLUMNS = [
    Column("Member ID", lambda r: r.member_id, sort_key="member_id"),
    Column("Month", lambda r: r.month, "month", sort_key="month"),
    Column("Amount", lambda r: r.amount, "money", sort_key="amount"),
    Column("DOB", lambda r: r.dob, "date"),
    Column("Kind", lambda r: r.kind, "kind"),
]

ROWS = [
    Row("000123", Month(2026, 2), Decimal("-97.60"), dt.date(2024, 1, 15), "not_eligible"),
    Row("000045", Month(2026, 1), Decimal("1234.5"), None, "underpaid"),
    Row("000999", Month(2026, 3), Decimal("0.00"), dt.date(1990, 5, 10), "missing"),
]


def test_cells_are_formatted_and_raw_values_kept(qtmodeltester) -> None:  # type: ignore[no-untyped-def]
    model = RowsModel(COLUMNS, ROWS)
    qtmodeltester.check(model)
    cell = model.index(1, 2)
    assert cell.data() == "1,234.50"
    assert cell.data(Qt.ItemDataRole.UserRole) == Decimal("1234.5")
    assert model.index(0, 0).data() == "000123"
    assert model.index(0, 2).data(Qt.ItemDataRole.ForegroundRole) is not None
    assert model.index(0, 4).data() == "Not eligible"
    assert model.index(1, 3).data() == ""
    assert model.headerData(2, Qt.Orientation.Horizontal) == "Amount"


def test_sort_puts_blanks_last(qtmodeltester) -> None:  # type: ignore[no-untyped-def]
    model = RowsModel(COLUMNS, ROWS)
    model.sort(3, Qt.SortOrder.DescendingOrder)
    assert [r.member_id for r in model.rows] == ["000123", "000999", "000045"]
    model.sort(2)
    assert [r.member_id for r in model.rows] == ["000123", "000999", "000045"]
    qtmodeltester.check(model)


class ListSource:
    """A PagedSource over a list, counting the pages asked for."""

    def __init__(self, rows: Sequence[Row]) -> None:
        self.rows = list(rows)
        self.fetches = 0

    def count(self) -> int:
        return len(self.rows)

    def fetch(self, offset: int, limit: int, order_by: str | None, descending: bool) -> list[Row]:
        self.fetches += 1
        rows = self.rows
        if order_by:
            rows = sorted(rows, key=lambda r: getattr(r, order_by), reverse=descending)
        return rows[offset : offset + limit]


def test_paged_model_reads_a_page_at_a_time(qtbot: QtBot, qtmodeltester) -> None:  # type: ignore[no-untyped-def]
    many = [
        Row(f"{i:09d}", Month(2026, 1 + i % 12), Decimal(i) / 4, None, "missing")
        for i in range(100_000)
    ]
    source = ListSource(many)
    model = PagedRowsModel(COLUMNS, source, page_size=200)
    model.reload()
    assert model.rowCount() == 200 and model.total == 100_000
    view = QTableView()
    qtbot.addWidget(view)
    view.setModel(model)
    view.show()
    view.scrollToBottom()
    qtbot.waitUntil(lambda: model.rowCount() > 200)
    assert model.rowCount() < 100_000  # only what scrolling asked for
    assert model.index(0, 0).data() == "000000000"
    model.sort(2, Qt.SortOrder.DescendingOrder)
    assert model.rowCount() == 200
    assert model.index(0, 0).data() == "000099999"
    qtmodeltester.check(model)


def test_unsortable_column_keeps_order() -> None:
    source = ListSource(ROWS)
    model = PagedRowsModel(COLUMNS, source)
    model.reload()
    before = [model.row(i).member_id for i in range(model.rowCount())]
    model.sort(3)
    assert [model.row(i).member_id for i in range(model.rowCount())] == before
