"""The Rosters and Remittances pages, driven like a user: list, filter, open, sort, roll back."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from decimal import Decimal
from pathlib import Path
from typing import Any

import pytest
from PySide6.QtCore import QPoint, Qt
from PySide6.QtWidgets import QApplication, QMessageBox, QPushButton, QTableView
from pytestqt.qtbot import QtBot

from pmpm_desktop.core.month import Month
from pmpm_desktop.db.database import open_database
from pmpm_desktop.services import importing
from pmpm_desktop.services.discrepancies import discrepancy_rows
from pmpm_desktop.services.import_history import list_imports
from pmpm_desktop.ui.context import AppContext, Changed
from pmpm_desktop.ui.grids import context_menu
from pmpm_desktop.ui.import_wizard import ImportWizard
from pmpm_desktop.ui.pages.imports import ImportsPage, RemittancesPage, RostersPage
from tests.gui.conftest import screenshot
from tests.unit.files import REMIT_HEADERS, ROSTER_HEADERS, A, B, xlsx
from tests.unit.practice import add_sunrise

Wait = Callable[..., None]


def _page(cls: type[ImportsPage], ctx: AppContext, qtbot: QtBot, wait_task: Wait) -> ImportsPage:
    page = cls(ctx)
    qtbot.addWidget(page)
    page.resize(1280, 820)
    page.show()
    page.refresh()
    wait_task()
    return page


def _column(page: ImportsPage, title: str, rows: bool = False) -> int:
    columns = page.row_columns if rows else page.columns
    return next(n for n, c in enumerate(columns) if c.title == title)


def _texts(table: QTableView, column: int) -> list[str]:
    model = table.model()
    return [model.data(model.index(r, column)) for r in range(model.rowCount())]


def _click_row(qtbot: QtBot, table: QTableView, row: int, double: bool = False) -> None:
    rect = table.visualRect(table.model().index(row, 0))
    # A real double-click starts with a click (the view opens only the row it saw pressed).
    qtbot.mouseClick(table.viewport(), Qt.MouseButton.LeftButton, pos=rect.center())
    if double:
        qtbot.mouseDClick(table.viewport(), Qt.MouseButton.LeftButton, pos=rect.center())


def _click_header(qtbot: QtBot, table: QTableView, column: int) -> None:
    header = table.horizontalHeader()
    x = header.sectionViewportPosition(column) + header.sectionSize(column) // 2
    qtbot.mouseClick(header.viewport(), Qt.MouseButton.LeftButton, pos=QPoint(x, 5))


def _shot(qtbot: QtBot, widget: object, name: str) -> None:
    """A PNG to look at, once pending layout (stretched columns) has been done."""
    qtbot.wait(20)
    screenshot(widget, name)


def _confirm_box(qtbot: QtBot) -> QMessageBox:
    found: list[QMessageBox] = []

    def opened() -> bool:
        found[:] = [
            w
            for w in QApplication.topLevelWidgets()
            if isinstance(w, QMessageBox) and w.objectName() == "confirmBox" and w.isVisible()
        ]
        return bool(found)

    qtbot.waitUntil(opened)
    return found[0]


def _button(box: QMessageBox, role: QMessageBox.ButtonRole) -> QPushButton:
    button = next(b for b in box.buttons() if box.buttonRole(b) == role)
    assert isinstance(button, QPushButton)
    return button


# --- the demo practice -----------------------------------------------------------------------


def test_rosters_are_listed_filtered_opened_and_sorted(
    demo_db: Path, ctx: AppContext, qtbot: QtBot, wait_task: Wait, qtmodeltester
) -> None:
    page = _page(RostersPage, ctx, qtbot, wait_task)
    assert not page.stack.is_empty
    qtmodeltester.check(page.model)
    qtmodeltester.check(page.rows_model)
    # 3 payers × 6 months, newest first.
    assert page.model.rowCount() == 18
    assert page.count_label.text() == "18 rosters"
    imported = [page.model.row(r).imported_at for r in range(18)]
    assert imported == sorted(imported, reverse=True)
    assert set(_texts(page.table, _column(page, "Status"))) == {"Active"}
    assert not page.open_button.isEnabled() and not page.rollback_button.isEnabled()
    assert not page.detail_open and page.detail_hint.isVisible()

    # Filter by payer, then by file name.
    combo = page.payer_combo
    assert [combo.itemText(i) for i in range(combo.count())][0] == "All payers"
    assert combo.count() == 4
    combo.setCurrentIndex(combo.findData("SUN"))
    assert page.model.rowCount() == 6
    assert set(_texts(page.table, _column(page, "Payer"))) == {"SUN"}
    assert page.count_label.text() == "6 of 18 rosters"
    months = _texts(page.table, _column(page, "Roster month"))
    assert months == [f"2026-0{m}" for m in range(6, 0, -1)]
    qtbot.keyClicks(page.search, "2026-03")
    assert _texts(page.table, _column(page, "File")) == ["SUN roster 2026-03.xlsx"]
    qtbot.keyClicks(page.search, "nothing like this")
    assert page.model.rowCount() == 0 and page.count_label.text() == "No rosters match the filter"
    page.search.clear()
    assert page.model.rowCount() == 6

    # Select one and open it: its rows below, member IDs with their leading zeros.
    _click_row(qtbot, page.table, 0)
    assert page.open_button.isEnabled() and page.rollback_button.isEnabled()
    qtbot.mouseClick(page.open_button, Qt.MouseButton.LeftButton)
    opened = page.opened
    assert opened is not None and opened.file_name == "SUN roster 2026-06.xlsx"
    assert page.detail_open and not page.detail_hint.isVisible()
    assert "SUN roster 2026-06.xlsx" in page.detail_title.text()
    assert f"{opened.rows:,} rows" in page.detail_facts.text()
    qtmodeltester.check(page.rows_model)
    assert page.rows_model.rowCount() == opened.rows > 0
    ids = _texts(page.rows_table, _column(page, "Member ID", rows=True))
    assert all(len(i) == 9 and i.isdigit() for i in ids)
    assert any(i.startswith("0") for i in ids)
    file_rows = [page.rows_model.row(r).source_row for r in range(page.rows_model.rowCount())]
    assert file_rows == sorted(file_rows)  # the file's order first

    # Sort by name (click the header), then the other way.
    name = _column(page, "Name", rows=True)
    _click_header(qtbot, page.rows_table, name)
    assert page.rows_model.order_by == "name"
    keys = [
        (page.rows_model.row(r).last_name, page.rows_model.row(r).first_name)
        for r in range(page.rows_model.rowCount())
    ]
    _click_header(qtbot, page.rows_table, name)
    again = [
        (page.rows_model.row(r).last_name, page.rows_model.row(r).first_name)
        for r in range(page.rows_model.rowCount())
    ]
    assert {tuple(keys), tuple(again)} == {tuple(sorted(keys)), tuple(sorted(keys, reverse=True))}
    assert keys != again
    qtmodeltester.check(page.rows_model)

    # Find a member within the import.
    first_id = ids[0]
    qtbot.keyClicks(page.row_search, first_id)
    assert _texts(page.rows_table, _column(page, "Member ID", rows=True)) == [first_id]
    assert "1 match" in page.detail_facts.text()

    # Enter on the grid opens the selected roster too.
    qtbot.mouseClick(page.close_button, Qt.MouseButton.LeftButton)
    _click_row(qtbot, page.table, 1)
    qtbot.keyClick(page.table, Qt.Key.Key_Return)
    assert page.opened is not None and page.opened.file_name == "SUN roster 2026-05.xlsx"

    # Double-click another roster: it opens in its place.
    _click_row(qtbot, page.table, 2, double=True)
    assert page.opened is not None and page.opened.file_name == "SUN roster 2026-04.xlsx"
    assert page.row_search.text() == ""
    assert page.rows_model.rowCount() == page.opened.rows
    _shot(qtbot, page, "rosters_page_open")
    qtbot.mouseClick(page.close_button, Qt.MouseButton.LeftButton)
    assert page.opened is None and not page.detail_open and page.detail_hint.isVisible()


def test_a_statement_is_rolled_back_through_the_confirm_box(
    demo_db: Path, ctx: AppContext, qtbot: QtBot, wait_task: Wait, qtmodeltester
) -> None:
    page = _page(RemittancesPage, ctx, qtbot, wait_task)
    qtmodeltester.check(page.model)
    assert page.model.rowCount() == 18
    check = _column(page, "Total check")
    # The demo states every statement's total; one SUN check is $25.00 more than its lines.
    texts = _texts(page.table, check)
    assert sorted(set(texts)) == ["Matches", "Off by $25.00"] and texts.count("Off by $25.00") == 1
    page.payer_combo.setCurrentIndex(page.payer_combo.findData("SUN"))
    target = next(i for i in page.model.rows if i.file_name == "SUN statement 2026-06.xlsx")
    row = page.model.rows.index(target)
    assert _texts(page.table, _column(page, "Total paid"))[row] == f"{target.total_paid:,.2f}"
    assert _texts(page.table, _column(page, "Months paid for"))[row] == target.months_text
    _click_row(qtbot, page.table, row, double=True)
    assert page.opened == target
    qtmodeltester.check(page.rows_model)
    assert page.rows_model.rowCount() == target.rows
    amounts = _column(page, "Amount", rows=True)
    _click_header(qtbot, page.rows_table, amounts)
    values = [page.rows_model.row(r).amount for r in range(page.rows_model.rowCount())]
    assert page.rows_model.order_by == "amount"
    assert values in (sorted(values), sorted(values, reverse=True))
    _shot(qtbot, page, "remittances_page_open")

    before = {(d.member_id, d.month, d.kind, d.status) for d in discrepancy_rows(ctx.db)}
    changed: list[str] = []
    messages: list[str] = []
    ctx.data_changed.connect(changed.append)
    ctx.status_message.connect(messages.append)

    # First the user thinks better of it: Cancel changes nothing.
    qtbot.mouseClick(page.rollback_button, Qt.MouseButton.LeftButton)
    box = _confirm_box(qtbot)
    qtbot.mouseClick(_button(box, QMessageBox.ButtonRole.RejectRole), Qt.MouseButton.LeftButton)
    wait_task()
    assert len(list_imports(ctx.db, "remittance")) == 18 and changed == []

    # Then for real.
    qtbot.mouseClick(page.rollback_button, Qt.MouseButton.LeftButton)
    box = _confirm_box(qtbot)
    text = box.text()
    assert "SUN statement 2026-06.xlsx" in text and f"{target.rows:,} lines" in text
    assert target.months_text in text and "refreshed" in text
    _shot(qtbot, box, "remittances_rollback_confirm")
    destructive = _button(box, QMessageBox.ButtonRole.DestructiveRole)
    assert "SUN statement 2026-06.xlsx" in destructive.text()
    assert box.defaultButton() is not destructive  # Enter does not delete
    qtbot.mouseClick(destructive, Qt.MouseButton.LeftButton)
    wait_task()

    files = [i.file_name for i in page.model.rows]
    assert "SUN statement 2026-06.xlsx" not in files and len(files) == 5
    assert page.opened is None and not page.detail_open
    assert page.count_label.text() == "5 of 17 statements"
    assert len(list_imports(ctx.db, "remittance")) == 17
    after = {(d.member_id, d.month, d.kind, d.status) for d in discrepancy_rows(ctx.db)}
    assert after != before
    june_missing = {
        d.member_id
        for d in discrepancy_rows(ctx.db, payer_code="SUN", first=Month(2026, 6), kind="missing")
        if d.status == "open"
    }
    assert len(june_missing) > 20  # June's lines were in that statement: June is unpaid now
    assert Changed.IMPORTS in changed and Changed.DISCREPANCIES in changed
    assert any(
        m.startswith("Rolled back the statement SUN statement 2026-06.xlsx") for m in messages
    )
    assert page.rollback_button.isEnabled() is False  # nothing selected any more
    qtmodeltester.check(page.model)


# --- small practices of real files -------------------------------------------------------------


def _practice(ctx: AppContext, tmp_path: Path) -> None:
    add_sunrise(ctx.db, tmp_path)


def test_a_replaced_roster_is_greyed_and_rolling_back_its_successor_restores_it(
    ctx: AppContext, qtbot: QtBot, wait_task: Wait, tmp_path: Path, qtmodeltester
) -> None:
    _practice(ctx, tmp_path)
    jan = xlsx(tmp_path / "jan.xlsx", ROSTER_HEADERS, [A, B])
    importing.import_roster(ctx.db, "SUN", Month(2026, 1), jan)
    fixed = xlsx(tmp_path / "jan fixed.xlsx", ROSTER_HEADERS, [A])
    importing.import_roster(ctx.db, "SUN", Month(2026, 1), fixed)
    page = _page(RostersPage, ctx, qtbot, wait_task)
    qtmodeltester.check(page.model)
    status = _column(page, "Status")
    assert _texts(page.table, status) == ["Active", "Replaced by jan fixed.xlsx"]
    grey = page.model.data(page.model.index(1, 0), Qt.ItemDataRole.ForegroundRole)
    assert grey is not None and grey.color() == page.model.dim.color()
    assert page.model.data(page.model.index(0, 0), Qt.ItemDataRole.ForegroundRole) is None
    tip = page.model.data(page.model.index(1, status), Qt.ItemDataRole.ToolTipRole)
    assert "no longer counted" in tip

    # The replaced one opens too (history), saying so.
    _click_row(qtbot, page.table, 1, double=True)
    assert "replaced by jan fixed.xlsx" in page.detail_facts.text()
    assert page.rows_model.rowCount() == 2
    _click_row(qtbot, page.table, 0)
    _shot(qtbot, page, "rosters_page_replaced")
    qtbot.mouseClick(page.rollback_button, Qt.MouseButton.LeftButton)
    box = _confirm_box(qtbot)
    assert "The earlier 2026-01 roster, jan.xlsx, counts again" in box.text()
    assert "1 rows" in box.text() or "1 row" in box.text()
    qtbot.mouseClick(
        _button(box, QMessageBox.ButtonRole.DestructiveRole), Qt.MouseButton.LeftButton
    )
    wait_task()
    assert _texts(page.table, status) == ["Active"]
    assert _texts(page.table, _column(page, "File")) == ["jan.xlsx"]
    # The opened (earlier) import is still open and now says it is active.
    assert page.opened is not None and page.opened.file_name == "jan.xlsx"
    assert "active" in page.detail_facts.text()


def test_a_statement_whose_stated_total_differs_is_flagged(
    ctx: AppContext, qtbot: QtBot, wait_task: Wait, tmp_path: Path, qtmodeltester
) -> None:
    _practice(ctx, tmp_path)
    for name, total in (
        ("none.xlsx", None),
        ("good.xlsx", Decimal("180.90")),
        ("bad.xlsx", Decimal("200.00")),
    ):
        path = xlsx(tmp_path / name, REMIT_HEADERS, [[A[0], "2026-01", Decimal("180.90"), name]])
        importing.import_remittance(
            ctx.db, "SUN", path, payment_date=dt.date(2026, 1, 15), stated_total=total
        )
    page = _page(RemittancesPage, ctx, qtbot, wait_task)
    qtmodeltester.check(page.model)
    check = _column(page, "Total check")
    assert _texts(page.table, check) == ["Off by $19.10", "Matches", "Not stated"]
    assert _texts(page.table, _column(page, "Stated total")) == ["200.00", "180.90", ""]
    flagged = page.model.data(page.model.index(0, check), Qt.ItemDataRole.ForegroundRole)
    assert flagged is not None and flagged.color().red() > 150
    assert page.model.data(page.model.index(0, check), Qt.ItemDataRole.FontRole).bold()
    assert page.model.data(page.model.index(1, check), Qt.ItemDataRole.ForegroundRole) is None
    tip = page.model.data(page.model.index(0, check), Qt.ItemDataRole.ToolTipRole)
    assert tip.startswith("The statement's total of $200.00 is $19.10 more than the sum of its")
    _click_row(qtbot, page.table, 0, double=True)
    assert "stated total $200.00: $19.10 more than the lines" in page.detail_facts.text()


# --- empty states ----------------------------------------------------------------------------


def test_empty_states_say_what_to_do_next(
    ctx: AppContext, qtbot: QtBot, wait_task: Wait, qtmodeltester
) -> None:
    for cls, title, button in (
        (RostersPage, "No rosters imported yet", "Import roster…"),
        (RemittancesPage, "No statements imported yet", "Import statement…"),
    ):
        page = _page(cls, ctx, qtbot, wait_task)
        assert page.stack.is_empty
        assert page.empty.heading.text() == title
        assert [b.text() for b in page.empty.buttons] == [button]
        assert page.empty.buttons[0].isVisible()
        assert page.import_button.text() == button
        qtmodeltester.check(page.model)
        qtmodeltester.check(page.rows_model)
        _shot(qtbot, page, f"{cls.key}_page_empty")
        # The empty state's button opens the import wizard for this kind of file.
        qtbot.mouseClick(page.empty.buttons[0], Qt.MouseButton.LeftButton)
        wizard = page.findChild(ImportWizard, "importWizard")
        assert wizard is not None and wizard.isVisible()
        assert wizard.kind == page.kind
        wait_task()
        wizard.close()


def test_opening_another_database_closes_the_opened_import(
    ctx: AppContext, qtbot: QtBot, wait_task: Wait, tmp_path: Path
) -> None:
    _practice(ctx, tmp_path)
    jan = xlsx(tmp_path / "jan.xlsx", ROSTER_HEADERS, [A, B])
    importing.import_roster(ctx.db, "SUN", Month(2026, 1), jan)
    page = _page(RostersPage, ctx, qtbot, wait_task)
    _click_row(qtbot, page.table, 0, double=True)
    assert page.opened is not None
    ctx.set_database(open_database(tmp_path / "other.sqlite3"), "other")
    page.refresh()  # the main window does this on EVERYTHING
    wait_task()
    assert page.opened is None and page.stack.is_empty
    assert page.payer_combo.count() == 1  # "All payers" only


# --- how the pages use their room, in the main window ------------------------------------------


def _main_window(ctx: AppContext, qtbot: QtBot, wait_task: Wait, size: tuple[int, int]) -> Any:
    from pmpm_desktop.ui.main_window import MainWindow

    window = MainWindow(ctx)
    qtbot.addWidget(window)
    window.resize(*size)
    window.show()
    wait_task()
    return window


def _whole(table: QTableView, column: int) -> bool:
    """Every cell of the column shows its text whole (nothing elided)."""
    return table.sizeHintForColumn(column) <= table.horizontalHeader().sectionSize(column) + 2


@pytest.mark.parametrize("size", [(1280, 800), (1600, 900)])
def test_the_grids_use_their_room_in_the_main_window(
    demo_db: Path, ctx: AppContext, qtbot: QtBot, wait_task: Wait, size: tuple[int, int]
) -> None:
    window = _main_window(ctx, qtbot, wait_task, size)
    for key in ("remittances", "rosters"):
        page = window.go_to(key)
        wait_task()
        qtbot.wait(20)  # pending layout
        assert isinstance(page, ImportsPage) and page.model.rowCount() == 18
        table, header = page.table, page.table.horizontalHeader()
        # Every column fits without scrolling sideways, the file names whole.
        assert header.length() <= table.viewport().width()
        file = _column(page, "File")
        assert _whole(table, file)
        assert all(_whole(table, c) for c in range(page.model.columnCount()))
        # The file name takes the spare width; no fingerprint column for a clerk to puzzle
        # over: it is in the file name's tooltip, under the name whole.
        widest = max(header.sectionSize(c) for c in range(page.model.columnCount()))
        assert header.sectionSize(file) == widest
        titles = [c.title for c in page.columns]
        assert not any("SHA" in t for t in titles)
        info = page.model.row(0)
        tip = page.model.data(page.model.index(0, file), Qt.ItemDataRole.ToolTipRole)
        assert tip == f"{info.file_name}\nFile fingerprint (SHA-256): {info.sha256}"
        # Nothing opened: the grid has the height (every demo import shows), a line under it.
        assert not page.detail_open and page.detail_hint.isVisible()
        assert table.height() > 0.7 * page.height()
        assert table.rowViewportPosition(17) + table.rowHeight(17) <= table.viewport().height()
        hint_top = page.detail_hint.mapTo(page, page.detail_hint.rect().topLeft()).y()
        assert hint_top >= table.mapTo(page, table.rect().bottomLeft()).y()
        _shot(qtbot, window, f"{key}_{size[0]}")

        # Opened: the grid keeps six rows or more, the rows get the larger part.
        _click_row(qtbot, table, 0, double=True)
        qtbot.wait(20)
        assert page.detail_open and not page.detail_hint.isVisible()
        assert table.rowViewportPosition(5) + table.rowHeight(5) <= table.viewport().height()
        grid, rows = page.splitter.sizes()
        assert rows > grid > 0
        assert header.length() <= table.viewport().width() and _whole(table, file)
        rows_header = page.rows_table.horizontalHeader()
        assert rows_header.length() <= page.rows_table.viewport().width()
        assert _whole(page.rows_table, 1)  # the names
        _shot(qtbot, window, f"{key}_{size[0]}_open")

        # Fitting, sorting and opening are not taken for the user's drags.
        _click_header(qtbot, page.rows_table, 0)
        assert page.fit.pinned == {} and page.rows_fit.pinned == {}

        # The user drags the split; the next import opens with the grid as they left it.
        page.splitter.moveSplitter(grid + 100, 1)
        dragged = page.splitter.sizes()[0]
        assert dragged == grid + 100
        qtbot.mouseClick(page.close_button, Qt.MouseButton.LeftButton)
        assert not page.detail_open
        tall = lambda t=table, p=page: t.height() > 0.7 * p.height()  # noqa: E731
        qtbot.waitUntil(tall)  # the layout is deferred
        _click_row(qtbot, table, 1, double=True)
        assert abs(page.splitter.sizes()[0] - dragged) <= 2
        qtbot.mouseClick(page.close_button, Qt.MouseButton.LeftButton)


def test_a_column_the_user_widens_keeps_its_width(
    demo_db: Path, ctx: AppContext, qtbot: QtBot, wait_task: Wait
) -> None:
    window = _main_window(ctx, qtbot, wait_task, (1280, 800))
    page = window.go_to("rosters")
    wait_task()
    header = page.table.horizontalHeader()
    status = _column(page, "Status")
    header.resizeSection(status, 200)  # what dragging the section's edge does
    assert header.sectionSize(status) == 200
    window.resize(1400, 820)
    qtbot.wait(20)
    page.search.setText("SUN")  # the rows change: columns are measured again
    assert header.sectionSize(status) == 200
    assert header.length() <= page.table.viewport().width()


def test_the_flags_read_in_the_dark_palette(
    demo_db: Path, ctx: AppContext, qtbot: QtBot, wait_task: Wait
) -> None:
    from pmpm_desktop.ui.theme import _dark_palette

    app = QApplication.instance()
    assert isinstance(app, QApplication)
    before = app.palette()
    window = _main_window(ctx, qtbot, wait_task, (1280, 800))
    page = window.go_to("remittances")
    wait_task()
    assert isinstance(page, ImportsPage)
    check = _column(page, "Total check")
    row = _texts(page.table, check).index("Off by $25.00")
    light = page.model.data(page.model.index(row, check), Qt.ItemDataRole.ForegroundRole)
    try:
        app.setPalette(_dark_palette())
        qtbot.wait(20)
        dark = page.model.data(page.model.index(row, check), Qt.ItemDataRole.ForegroundRole)
        assert dark.color().lightness() > light.color().lightness()
        base = page.table.palette().color(page.table.palette().ColorRole.Base)
        assert abs(dark.color().lightness() - base.lightness()) > 100  # it reads
        _click_row(qtbot, page.table, row, double=True)
        assert dark.color().name() in page.detail_facts.text()
        _shot(qtbot, window, "remittances_dark_open")
    finally:
        app.setPalette(before)


def test_right_click_on_an_import_shows_its_rows_or_rolls_it_back(
    demo_db: Path, ctx: AppContext, qtbot: QtBot, wait_task: Wait
) -> None:
    page = _page(RostersPage, ctx, qtbot, wait_task)
    target = page.model.row(2)
    menu = context_menu(page.table, [2], page.actions_for)
    actions = [a for a in menu.actions() if not a.isSeparator()]
    assert [a.text() for a in actions] == ["Show rows", "Roll back this import…", "&Copy row"]
    actions[0].trigger()
    assert page.detail_open and page.opened == target
    assert target.file_name in page.detail_title.text()

    actions[1].trigger()
    box = _confirm_box(qtbot)
    assert f"Roll back the {target.roster_month} roster of" in box.text()
    assert target.file_name in box.text()
    qtbot.mouseClick(_button(box, QMessageBox.ButtonRole.RejectRole), Qt.MouseButton.LeftButton)
    wait_task()
    assert len(list_imports(ctx.db, "roster")) == 18  # nothing was rolled back


def test_at_1024_by_680_the_page_fits_and_no_amount_is_cut(
    demo_db: Path, ctx: AppContext, qtbot: QtBot, wait_task: Wait
) -> None:
    window = _main_window(ctx, qtbot, wait_task, (1024, 680))
    for key in ("remittances", "rosters"):
        page = window.go_to(key)
        wait_task()
        qtbot.wait(20)  # pending layout
        assert isinstance(page, ImportsPage)
        # The page fits the window: nothing scrolls the page sideways.
        assert page.minimumSizeHint().width() <= page.width()
        assert page.import_button.geometry().right() <= page.width()
        # Amounts, counts and dates show whole (the grid may scroll, never cut them).
        table = page.table
        for n, column in enumerate(page.columns):
            if column.kind in ("money", "int", "date", "datetime", "month"):
                assert _whole(table, n), column.title
        check = next((n for n, c in enumerate(page.columns) if c.title == "Total check"), None)
        if check is not None:
            assert _whole(table, check)
        _shot(qtbot, window, f"{key}_1024")
