"""Working the discrepancies in the main window as a clerk does: reconcile right after an
import, dispute with a note and take it back (Ctrl+Z) and again (Ctrl+Shift+Z), the same for
several rows and for a link, the grid's right-click menu, copying rows into a spreadsheet,
and the one age (days since the payment was due)."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from pathlib import Path

from PySide6.QtCore import Qt
from PySide6.QtGui import QGuiApplication
from PySide6.QtWidgets import QApplication, QMenu
from pytestqt.qtbot import QtBot

from pmpm_desktop.core.month import Month
from pmpm_desktop.services.aging import aging_items
from pmpm_desktop.services.discrepancies import discrepancy_rows
from pmpm_desktop.ui.grids import context_menu
from pmpm_desktop.ui.import_wizard import open_import_wizard
from pmpm_desktop.ui.main_window import MainWindow
from pmpm_desktop.ui.pages.reconciliation import ReconciliationPage

from .conftest import screenshot
from .test_reconciliation_page import choose, click_row

Wait = Callable[..., None]
LEFT = Qt.MouseButton.LeftButton
CTRL, SHIFT = Qt.KeyboardModifier.ControlModifier, Qt.KeyboardModifier.ShiftModifier


def open_in_window(
    window: MainWindow, wait_task: Wait, filters: dict[str, object] | None = None
) -> ReconciliationPage:
    window.resize(1280, 800)
    page = window.go_to("reconciliation", filters)
    assert isinstance(page, ReconciliationPage)
    wait_task()
    return page


def shown(page: ReconciliationPage) -> list[dict[str, str]]:
    """The grid as the user reads it: column title → text, row by row (every page read)."""
    model = page.grid_model
    model.fetch_all()
    titles = [model.headerData(c, Qt.Orientation.Horizontal) for c in range(model.columnCount())]
    return [
        {titles[c]: model.index(r, c).data() or "" for c in range(model.columnCount())}
        for r in range(model.rowCount())
    ]


def line_of(page: ReconciliationPage, member_id: str, month: str) -> dict[str, str]:
    [found] = [r for r in shown(page) if (r["Member ID"], r["Month"]) == (member_id, month)]
    return found


def keys(window: MainWindow, page: ReconciliationPage, qtbot: QtBot, mods: object) -> None:
    """Ctrl+Z (or Ctrl+Shift+Z) typed in the grid (once the window is active again: a
    dialog was closed, say)."""
    window.activateWindow()
    qtbot.waitUntil(lambda: QApplication.activeWindow() is window)
    page.grid.setFocus()
    qtbot.keyClick(page.grid, Qt.Key.Key_Z, mods)  # type: ignore[arg-type]


def history_changes(page: ReconciliationPage) -> list[tuple[str, str]]:
    m = page.detail.history
    return [(m.index(r, 2).data(), m.index(r, 3).data() or "") for r in range(m.rowCount())]


def test_reconcile_now_after_an_import_lists_the_fresh_discrepancies(
    demo_db: Path, _demo_template: Path, ctx, window: MainWindow, qtbot: QtBot, wait_task: Wait
) -> None:  # type: ignore[no-untyped-def]
    page = open_in_window(window, wait_task)
    assert not any(r["Month"] == "2026-07" for r in shown(page))
    folder = _demo_template.parent / "demo-files" / "new-month"
    w = open_import_wizard(ctx, window, path=folder / "SUN roster 2026-07.xlsx")
    wait_task()
    if w.name_question.isVisible():  # the file's name says SUN: the wizard asks, we agree
        qtbot.mouseClick(w.name_question.use_button, LEFT)
    for _ in range(3):
        qtbot.mouseClick(w.next_button, LEFT)
        wait_task()
    qtbot.mouseClick(w.another_button, LEFT)
    w.set_path(folder / "SUN statement 2026-07.xlsx")
    wait_task()
    for _ in range(2):
        qtbot.mouseClick(w.next_button, LEFT)
        wait_task()
    w.payment_box.date_edit.setFocus()  # the statement's "Paid on", as the wizard asks
    w.payment_box.date_edit.setDate(dt.date(2026, 7, 15))
    qtbot.mouseClick(w.next_button, LEFT)
    wait_task()
    assert w.summary_label.text().startswith("Imported a payment statement of SUN")
    qtbot.mouseClick(w.reconcile_button, LEFT)
    assert not w.isVisible() and window.current_page is page
    wait_task()
    # SUN alone, its months widened to July, reconciled: July's underpayment is in the grid
    assert page.payer_combo.currentData() == "SUN"
    assert (page.first, page.last) == (Month(2026, 1), Month(2026, 7))
    assert page.run_label.text().startswith("Reconciled SUN, 2026-01 to 2026-07")
    july = [r for r in shown(page) if r["Month"] == "2026-07"]
    stored = discrepancy_rows(ctx.db, payer_code="SUN", first=Month(2026, 7), last=Month(2026, 7))
    assert july and len(july) == len(stored)
    assert [r["Kind"] for r in july if r["Kind"] == "Underpaid"] == ["Underpaid"]
    assert "As reconciled just now" in page.summary_note.text()


def test_a_dispute_with_a_note_is_undone_and_redone(
    demo_db: Path, ctx, window: MainWindow, qtbot: QtBot, wait_task: Wait
) -> None:  # type: ignore[no-untyped-def]
    page = open_in_window(window, wait_task, {"payer": "SUN", "kind": "missing"})
    click_row(qtbot, page.grid, 0)
    wait_task()
    row = page.detail.row
    assert row is not None
    member, month = row.member_id, str(row.month)
    detail = page.detail
    # a first note (the status stays Open), then the dispute with its own note
    qtbot.keyClicks(detail.note_edit, "left a message")
    qtbot.mouseClick(detail.save_button, LEFT)
    wait_task()
    assert line_of(page, member, month)["Last note"] == "left a message"
    choose(detail.status_combo, "disputed")
    qtbot.keyClicks(detail.note_edit, "sent to the payer")
    qtbot.mouseClick(detail.save_button, LEFT)
    wait_task()
    assert (line_of(page, member, month)["Status"], line_of(page, member, month)["Last note"]) == (
        "Disputed",
        "sent to the payer",
    )
    assert detail.last_note.text() == "Last note: sent to the payer"
    assert window.act_undo.isEnabled() and "Disputed" in window.act_undo.text()

    keys(window, page, qtbot, CTRL)  # Ctrl+Z
    wait_task()
    line = line_of(page, member, month)
    assert (line["Status"], line["Last note"]) == ("Open", "left a message")
    assert detail.row is not None and detail.row.member_id == member
    assert "Open" in detail.subtitle.text() and detail.status_combo.currentData() == "open"
    assert detail.last_note.text() == "Last note: left a message"
    changes = history_changes(page)
    assert changes[-2:] == [
        ("Open → Disputed (undone)", "sent to the payer"),
        ("Undo: Disputed → Open", ""),
    ]
    detail.scroll_area.verticalScrollBar().setValue(
        detail.scroll_area.verticalScrollBar().maximum()
    )
    screenshot(window, "reconciliation-dispute-undone")

    keys(window, page, qtbot, CTRL | SHIFT)  # Ctrl+Shift+Z
    wait_task()
    line = line_of(page, member, month)
    assert (line["Status"], line["Last note"]) == ("Disputed", "sent to the payer")
    assert detail.last_note.text() == "Last note: sent to the payer"


def test_three_rows_set_at_once_are_undone_together(
    demo_db: Path, ctx, window: MainWindow, qtbot: QtBot, wait_task: Wait
) -> None:  # type: ignore[no-untyped-def]
    page = open_in_window(window, wait_task)
    click_row(qtbot, page.grid, 0)
    click_row(qtbot, page.grid, 2, SHIFT)
    chosen = [(r.member_id, str(r.month)) for r in page.selected_rows()]
    assert len(chosen) == 3
    before = {k: line_of(page, *k) for k in chosen}
    qtbot.mouseClick(page.set_status_button, LEFT)
    dialog = page.status_dialog
    choose(dialog.status_combo, "disputed")
    qtbot.keyClicks(dialog.note_edit, "one letter for all three")
    qtbot.mouseClick(dialog.ok_button, LEFT)
    wait_task()
    assert {line_of(page, *k)["Status"] for k in chosen} == {"Disputed"}
    keys(window, page, qtbot, CTRL)
    wait_task()
    for k in chosen:
        assert line_of(page, *k) == before[k]
    keys(window, page, qtbot, CTRL | SHIFT)
    wait_task()
    after = [line_of(page, *k) for k in chosen]
    assert {(r["Status"], r["Last note"]) for r in after} == {
        ("Disputed", "one letter for all three")
    }
    assert page.totals_label.text().startswith(f"{page.grid_model.total:,} discrepancies")


def test_a_link_is_undone_and_redone(
    demo_db: Path, ctx, window: MainWindow, qtbot: QtBot, wait_task: Wait
) -> None:  # type: ignore[no-untyped-def]
    page = open_in_window(window, wait_task, {"payer": "HCA", "kind": "unknown_member"})
    click_row(qtbot, page.grid, 0)
    wait_task()
    row = page.detail.row
    assert row is not None and page.detail.link_button.isEnabled()
    unknown = (row.member_id, str(row.month))
    qtbot.mouseClick(page.detail.link_button, LEFT)
    wait_task()
    assert page.run_label.text().startswith(f"ID {row.member_id} is now linked to")
    assert unknown not in [(r["Member ID"], r["Month"]) for r in shown(page)]
    keys(window, page, qtbot, CTRL)
    wait_task()
    assert line_of(page, *unknown)["Kind"] == "Unknown member"
    assert line_of(page, *unknown)["Status"] == "Open"
    keys(window, page, qtbot, CTRL | SHIFT)
    wait_task()
    assert unknown not in [(r["Member ID"], r["Month"]) for r in shown(page)]


def test_right_click_menu_explains_opens_the_member_and_sets_a_status(
    demo_db: Path, ctx, window: MainWindow, qtbot: QtBot, wait_task: Wait
) -> None:  # type: ignore[no-untyped-def]
    page = open_in_window(window, wait_task)
    menu = context_menu(page.grid, [3], page.grid_actions)
    items = [a.text().replace("&", "") for a in menu.actions() if a.text()]
    assert items == ["Explain", "Open member", "Set status", "Copy row"]
    sub = next(a for a in menu.actions() if a.text() == "Set &status").menu()
    assert isinstance(sub, QMenu)
    assert [a.text() for a in sub.actions()] == ["Open", "Disputed", "Resolved", "Written off"]
    # Explain: that row alone selected, why in the detail pane
    next(a for a in menu.actions() if a.text() == "&Explain").trigger()
    wait_task()
    wanted = page.grid_model.row(3)
    assert page.selected_rows() == [wanted] and page.detail.row == wanted
    assert page.detail.detail is not None and page.detail.detail.explanation is not None
    # Set status ▸ Resolved: the note dialog, Resolved chosen
    next(a for a in sub.actions() if a.text() == "Resolved").trigger()
    dialog = page.status_dialog
    assert dialog.isVisible() and dialog.status_combo.currentData() == "resolved"
    dialog.reject()
    # two rows: no Explain nor Open member, Set status for both
    click_row(qtbot, page.grid, 4, CTRL)
    menu = context_menu(page.grid, [3, 4], page.grid_actions)
    enabled = {a.text().replace("&", ""): a.isEnabled() for a in menu.actions() if a.text()}
    assert enabled == {
        "Explain": False,
        "Open member": False,
        "Set status": True,
        "Copy 2 rows": True,
    }
    # Open member: the Members page, on that member
    menu = context_menu(page.grid, [3], page.grid_actions)
    next(a for a in menu.actions() if a.text() == "Open &member").trigger()
    wait_task()
    assert window.current_page.key == "members"


def test_ctrl_c_copies_the_selected_rows_with_their_headers(
    demo_db: Path, ctx, window: MainWindow, qtbot: QtBot, wait_task: Wait
) -> None:  # type: ignore[no-untyped-def]
    page = open_in_window(window, wait_task, {"payer": "SUN"})
    click_row(qtbot, page.grid, 0)
    click_row(qtbot, page.grid, 1, SHIFT)
    window.activateWindow()
    qtbot.waitUntil(lambda: QApplication.activeWindow() is window)
    page.grid.setFocus()
    qtbot.keyClick(page.grid, Qt.Key.Key_C, CTRL)
    lines = QGuiApplication.clipboard().text().splitlines()
    header = lines[0].split("\t")
    assert header == [
        "Member ID",
        "Name",
        "Month",
        "Kind",
        "Expected",
        "Paid",
        "Variance",
        "Status",
        "Days since due",
        "Last note",
    ]  # fmt: skip  (one payer: its column is hidden, and not copied)
    first = dict(zip(header, lines[1].split("\t"), strict=True))
    row = page.grid_model.row(0)
    assert first["Member ID"] == row.member_id and first["Variance"] == format(row.variance, "f")
    assert len(lines) == 3


def test_days_since_due_is_the_aging_sheets_age(
    demo_db: Path, ctx, window: MainWindow, qtbot: QtBot, wait_task: Wait
) -> None:  # type: ignore[no-untyped-def]
    page = open_in_window(window, wait_task)
    header = page.grid_model.headerData(9, Qt.Orientation.Horizontal)
    tip = page.grid_model.headerData(9, Qt.Orientation.Horizontal, Qt.ItemDataRole.ToolTipRole)
    assert (header, tip) == ("Days since due", "Days since the payment for this month was due")
    aged = {
        (i.payer_code, i.member_id, str(i.month)): i.age_days
        for i in aging_items(ctx.db, as_of=dt.datetime.now(dt.UTC).date())
    }
    lines = shown(page)
    assert lines and all(
        int(r["Days since due"].replace(",", "")) == aged[(r["Payer"], r["Member ID"], r["Month"])]
        for r in lines
    )
    assert int(lines[0]["Days since due"].replace(",", "")) > 30  # not 0: not days since found
    click_row(qtbot, page.grid, 0)
    wait_task()
    assert f"{lines[0]['Days since due']} days since due" in page.detail.subtitle.text()
