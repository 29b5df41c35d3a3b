"""Issue 4's "done when", as a new user does it, through the main window only:

demo practice from the first-run question → import next month's roster and statement (files
never seen before) → reconcile → open a discrepancy and read why the amount is what it is →
mark it disputed with a note → export the report, which carries the note.
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import openpyxl
from PySide6.QtCore import QDate, Qt
from PySide6.QtWidgets import QComboBox
from pytestqt.qtbot import QtBot

from pmpm_desktop.services.demo import demo_folder
from pmpm_desktop.services.discrepancies import history
from pmpm_desktop.ui.first_run import maybe_offer_first_run
from pmpm_desktop.ui.format import dollars
from pmpm_desktop.ui.main_window import MainWindow

from .conftest import screenshot

LEFT = Qt.MouseButton.LeftButton


def choose(combo: QComboBox, data: object) -> None:
    at = combo.findData(data)
    assert at >= 0, data
    combo.setCurrentIndex(at)


def test_a_new_user_works_a_month_end_to_end(
    window: MainWindow, qtbot: QtBot, wait_task: Callable[..., None], tmp_path: Path
) -> None:
    ctx = window.ctx
    window.resize(1280, 800)

    # First run: the demo practice.
    first_run = maybe_offer_first_run(ctx, window)
    assert first_run is not None and first_run.isVisible()
    qtbot.mouseClick(first_run.demo_button, LEFT)
    wait_task(180_000)
    assert ctx.settings.first_run_done
    assert window.current_page.key == "dashboard"

    # A file never imported: next month's SUN roster, dropped on the window.
    new_month = demo_folder(ctx.db) / "new-month"
    wizard = window.import_file(None, new_month / "SUN roster 2026-07.xlsx")
    wait_task()  # its kind is proposed from its columns and name
    qtbot.mouseClick(wizard.name_question.use_button, LEFT)  # its name says SUN, not BAY
    assert wizard.kind == "roster" and wizard.payer_code == "SUN"
    for _ in range(3):  # choose → preview → check → import
        qtbot.mouseClick(wizard.next_button, LEFT)
        wait_task()
    assert "1 member added" in wizard.changes_label.text()
    qtbot.mouseClick(wizard.another_button, LEFT)
    wizard.set_path(new_month / "SUN statement 2026-07.xlsx")
    wait_task()
    assert wizard.kind == "remittance"
    for _ in range(3):
        if wizard.payment_box.isVisible():  # the check step asks when it was paid
            wizard.payment_box.date_edit.setDate(QDate(2026, 7, 15))
        qtbot.mouseClick(wizard.next_button, LEFT)
        wait_task()
    assert wizard.summary_label.text().startswith("Imported a payment statement of SUN")
    qtbot.mouseClick(wizard.reconcile_button, LEFT)
    assert window.current_page.key == "reconciliation"

    # Reconcile January to July for SUN from the page.
    page = window.current_page
    choose(page.payer_combo, "SUN")
    page.from_edit.setDate(QDate(2026, 1, 1))
    page.to_edit.setDate(QDate(2026, 7, 1))
    qtbot.mouseClick(page.reconcile_button, LEFT)
    wait_task()

    # July's underpayment: open it and read why.
    choose(page.kind_combo, "underpaid")
    page.month_combo.setCurrentIndex(page.month_combo.findText("2026-07"))  # as the user picks it
    wait_task()
    assert page.grid_model.total == 1
    rect = page.grid.visualRect(page.grid_model.index(0, 1))
    qtbot.mouseClick(page.grid.viewport(), LEFT, pos=rect.center())
    wait_task()
    row = page.grid_model.row(0)
    why = page.detail.why.text()
    assert "SUN roster 2026-07.xlsx" in why and "Medicaid HMO" in why
    shown = [(label.text(), amount.text()) for label, amount in page.detail.amount_labels]
    assert any("Capitation" in label and "PMPM" in label for label, _ in shown)
    assert any("Expected in total" in label and dollars(row.expected) in amount
               for label, amount in shown)  # fmt: skip
    screenshot(window, "walkthrough-why")

    # Dispute it with a note, from the detail pane.
    choose(page.detail.status_combo, "disputed")
    qtbot.keyClicks(page.detail.note_edit, "call ref 4411: July paid short")
    qtbot.mouseClick(page.detail.save_button, LEFT)
    wait_task()
    last = history(ctx.db, "SUN", row.member_id, row.month)[-1]
    assert (last.new_status, last.note) == ("disputed", "call ref 4411: July paid short")

    # Export the report; the workbook lists the dispute and its note.
    window.go_to("reports")
    reports = window.current_page
    reports.last.setDate(QDate(2026, 7, 1))
    target = tmp_path / "July report.xlsx"
    reports.path.setText(str(target))
    qtbot.mouseClick(reports.export_button, LEFT)
    wait_task()
    assert target.exists()
    sheet = openpyxl.load_workbook(target, read_only=True)["Discrepancies"]
    texts = [[str(v) for v in r if v is not None] for r in sheet.iter_rows(values_only=True)]
    mine = [r for r in texts if row.member_id in r and "2026-07" in " ".join(r)]
    assert mine and any("call ref 4411: July paid short" in r for r in mine)
