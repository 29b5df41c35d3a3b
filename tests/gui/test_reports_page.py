"""The Reports page on the demo practice: export for one payer and for all, cancel, bad folder."""

from __future__ import annotations

import threading
from collections.abc import Callable
from pathlib import Path

import openpyxl
from PySide6.QtCore import QDate, Qt
from PySide6.QtWidgets import QFileDialog, QMessageBox, QProgressDialog, QPushButton
from pytestqt.qtbot import QtBot

from pmpm_desktop.core.month import Month
from pmpm_desktop.core.summary import ReconcileSummary
from pmpm_desktop.services.reconciling import reconcile
from pmpm_desktop.ui.context import AppContext
from pmpm_desktop.ui.pages.reports import ReportsPage
from tests.gui.conftest import screenshot

FIRST, LAST = Month(2026, 1), Month(2026, 6)


def _page(ctx: AppContext, qtbot: QtBot) -> ReportsPage:
    page = ReportsPage(ctx)
    qtbot.addWidget(page)
    page.resize(1100, 760)
    page.show()
    page.refresh()
    return page


def _set_path(qtbot: QtBot, page: ReportsPage, path: Path) -> None:
    page.path.selectAll()
    qtbot.keyClicks(page.path, str(path))


def _rows(path: Path, sheet: str) -> list[dict[str, object]]:
    ws = openpyxl.load_workbook(path)[sheet]
    rows = list(ws.iter_rows(values_only=True))
    at = next(i for i, r in enumerate(rows) if r and r[0] == "Payer")
    out = []
    for r in rows[at + 1 :]:  # the table ends at the first blank row (the charts come after)
        if r[0] is None:
            break
        out.append(dict(zip(rows[at], r, strict=False)))
    return out


def _check_workbook(path: Path, summaries: list[ReconcileSummary]) -> None:
    wb = openpyxl.load_workbook(path)
    assert wb.sheetnames[:3] == ["Cover", "Summary", "Discrepancies"]
    months = {(r["Payer"], r["Month"]): r for r in _rows(path, "Summary")}
    for s in summaries:
        for m in s.months:
            row = months[(s.payer_code, str(m.month))]
            assert f"{row['Expected']:.2f}" == f"{m.expected:.2f}"
            assert f"{row['Paid']:.2f}" == f"{m.paid:.2f}"
            assert f"{row['Variance']:.2f}" == f"{m.variance:.2f}"
            assert row["Eligible members"] == m.eligible_members
        total = months[(s.payer_code, "Total")]
        assert f"{total['Expected']:.2f}" == f"{s.expected:.2f}"
    listed = sorted((r["Payer"], r["Member ID"], r["Month"]) for r in _rows(path, "Discrepancies"))
    assert listed == sorted(
        (d.payer_code, d.member_id, str(d.month)) for s in summaries for d in s.discrepancies
    )


def test_export_for_one_payer_and_for_all(
    demo_db, ctx: AppContext, qtbot: QtBot, wait_task: Callable[..., None], tmp_path: Path,
    qtmodeltester,
) -> None:  # type: ignore[no-untyped-def]  # fmt: skip
    ctx.settings.last_export_folder = str(tmp_path)
    page = _page(ctx, qtbot)
    assert not page.body.is_empty
    # the months default to the months with files; the file name follows payer and months
    assert (page.first.date(), page.last.date()) == (QDate(2026, 1, 1), QDate(2026, 6, 1))
    assert page.coverage.text() == (
        "Each payer is reported for the months it has files for: BAY, HCA, SUN 2026-01 to 2026-06."
    )
    assert page.path.text() == str(tmp_path / "PMPM report all payers 2026-01 to 2026-06.xlsx")
    page.payer.setCurrentIndex(page.payer.findData("SUN"))
    assert page.path.text() == str(tmp_path / "PMPM report SUN 2026-01 to 2026-06.xlsx")
    assert page.no_exports.isVisible() and not page.exports_view.isVisible()

    page.practice.clear()
    qtbot.keyClicks(page.practice, "Main Street Pediatrics")
    qtbot.mouseClick(page.export_button, Qt.MouseButton.LeftButton)
    wait_task()
    one = tmp_path / "PMPM report SUN 2026-01 to 2026-06.xlsx"
    assert one.exists()
    assert page.result_label.text().startswith(f"Report written: {one}")
    assert page.result_label.text().endswith("Contains member data (PHI): keep it private.")
    assert oct(one.stat().st_mode & 0o777) == "0o600"
    assert page.open_workbook.isVisible() and page.open_folder.isVisible()
    assert ctx.settings.practice_name == "Main Street Pediatrics"
    wb = openpyxl.load_workbook(one)
    assert wb["Summary"]["A1"].value == "Main Street Pediatrics"
    _check_workbook(one, [reconcile(ctx.db, "SUN", FIRST, LAST)])
    screenshot(page, "reports-exported")

    # every payer, to a file the user names (without typing .xlsx)
    page.payer.setCurrentIndex(0)
    _set_path(qtbot, page, tmp_path / "all payers")
    qtbot.mouseClick(page.export_button, Qt.MouseButton.LeftButton)
    wait_task()
    every = tmp_path / "all payers.xlsx"
    assert every.exists()
    _check_workbook(every, [reconcile(ctx.db, code, FIRST, LAST) for code in ("BAY", "HCA", "SUN")])
    summary = _rows(every, "Summary")
    assert {r["Payer"] for r in summary} == {"BAY", "HCA", "SUN", "All payers"}

    # the session's exports, newest first
    qtmodeltester.check(page.exports)
    assert page.exports_view.isVisible()
    assert [page.exports.index(i, 0).data() for i in range(2)] == [str(every), str(one)]
    assert page.exports.index(1, 1).data() == "SUN"
    assert page.exports.index(0, 2).data() == "2026-01 to 2026-06"


def test_dispute_packets_are_written_next_to_the_report(
    demo_db, ctx: AppContext, qtbot: QtBot, wait_task: Callable[..., None], tmp_path: Path
) -> None:  # type: ignore[no-untyped-def]
    page = _page(ctx, qtbot)
    folder = tmp_path / "out"
    folder.mkdir()
    _set_path(qtbot, page, folder / "report.xlsx")
    page.practice.clear()
    qtbot.keyClicks(page.practice, "Main Street Pediatrics")
    assert not page.packets.isChecked()
    assert "dispute packet" in page.packets.text()
    qtbot.mouseClick(page.packets, Qt.MouseButton.LeftButton)
    assert page.packets.isChecked()
    qtbot.mouseClick(page.export_button, Qt.MouseButton.LeftButton)
    wait_task()
    names = sorted(p.name for p in folder.iterdir())
    packets = [f"Dispute packet {c} 2026-01 to 2026-06.xlsx" for c in ("BAY", "HCA", "SUN")]
    assert names == sorted(["report.xlsx", *packets])
    text = page.result_label.text()
    assert "3 dispute packets written next to it" in text and packets[2] in text
    wb = openpyxl.load_workbook(folder / packets[2])
    ws = wb.worksheets[0]
    assert ws["A1"].value == "Main Street Pediatrics"
    assert any(c.value == "Plan response" for row in ws.iter_rows() for c in row)
    screenshot(page, "reports-packets")

    # unchecked again: the next export writes the report only
    qtbot.mouseClick(page.packets, Qt.MouseButton.LeftButton)
    _set_path(qtbot, page, tmp_path / "second.xlsx")
    qtbot.mouseClick(page.export_button, Qt.MouseButton.LeftButton)
    wait_task()
    assert (tmp_path / "second.xlsx").exists()
    assert not any(p.name.startswith("Dispute packet") for p in tmp_path.iterdir())
    assert "dispute packet" not in page.result_label.text()


def test_cancel_leaves_no_file(
    demo_db, ctx: AppContext, qtbot: QtBot, wait_task: Callable[..., None], tmp_path: Path
) -> None:  # type: ignore[no-untyped-def]
    page = _page(ctx, qtbot)
    target = tmp_path / "cancelled.xlsx"
    _set_path(qtbot, page, target)
    # hold the worker with another task, so the export is still waiting when Cancel is pressed
    release = threading.Event()
    ctx.tasks.run("Busy", lambda _p: release.wait(30), show_progress=False)
    qtbot.mouseClick(page.export_button, Qt.MouseButton.LeftButton)
    assert not page.export_button.isEnabled()
    dialog = page.findChild(QProgressDialog, "taskProgress")
    assert dialog is not None
    cancel = dialog.findChild(QPushButton)
    assert cancel is not None and cancel.text() == "Cancel"
    cancel.click()
    release.set()
    wait_task()
    assert page.result_label.text() == "Export cancelled: no file was written."
    assert not target.exists()
    assert [p.name for p in tmp_path.iterdir() if "cancelled" in p.name] == []
    assert page.export_button.isEnabled() and not page.open_workbook.isVisible()


def test_a_missing_folder_is_refused_in_words(
    demo_db, ctx: AppContext, qtbot: QtBot, tmp_path: Path
) -> None:  # type: ignore[no-untyped-def]
    page = _page(ctx, qtbot)
    target = tmp_path / "no such folder" / "report.xlsx"
    _set_path(qtbot, page, target)
    qtbot.mouseClick(page.export_button, Qt.MouseButton.LeftButton)
    box = page.findChild(QMessageBox, "messageBox")
    assert box is not None and box.isVisible()
    assert "does not exist" in box.text() and "no such folder" in box.text()
    assert page.result_label.text().startswith("Not exported: the folder")
    assert not ctx.tasks.busy and not target.exists()
    box.close()

    # months the wrong way round are refused too
    page.path.clear()
    _set_path(qtbot, page, tmp_path / "r.xlsx")
    page.first.setDate(QDate(2026, 5, 1))
    page.last.setDate(QDate(2026, 2, 1))
    qtbot.mouseClick(page.export_button, Qt.MouseButton.LeftButton)
    assert "before they start" in page.result_label.text()
    assert not (tmp_path / "r.xlsx").exists()


def test_choose_opens_a_save_dialog_that_fills_the_path(
    demo_db, ctx: AppContext, qtbot: QtBot, tmp_path: Path
) -> None:  # type: ignore[no-untyped-def]
    ctx.settings.last_export_folder = str(tmp_path)
    page = _page(ctx, qtbot)
    qtbot.mouseClick(page.choose, Qt.MouseButton.LeftButton)
    chosen = page.findChild(QFileDialog, "reportFileDialog")
    assert chosen is not None and chosen.isVisible()
    # it opens where the report would go, with the report's name
    assert chosen.directory().absolutePath() == str(tmp_path)
    assert chosen.selectedFiles() == [
        str(tmp_path / "PMPM report all payers 2026-01 to 2026-06.xlsx")
    ]
    picked = tmp_path / "picked"
    picked.mkdir()
    chosen.fileSelected.emit(str(picked / "report"))
    assert page.path.text() == str(picked / "report.xlsx")
    assert ctx.settings.last_export_folder == str(picked)
    # the name no longer follows the payer once the user chose it
    page.payer.setCurrentIndex(page.payer.findData("BAY"))
    assert page.path.text() == str(picked / "report.xlsx")
    chosen.close()


def test_empty_database_says_what_to_do(ctx: AppContext, qtbot: QtBot) -> None:
    page = _page(ctx, qtbot)
    assert page.body.is_empty
    assert page.empty.heading.text() == "Nothing to report yet"


def test_after_only_sun_july_each_payer_keeps_its_own_months(
    demo_db: Path, _demo_template: Path, ctx: AppContext, qtbot: QtBot,
    wait_task: Callable[..., None], tmp_path: Path,
) -> None:  # fmt: skip
    from pmpm_desktop.services import importing

    folder = _demo_template.parent / "demo-files" / "new-month"
    importing.import_roster(ctx.db, "SUN", Month(2026, 7), folder / "SUN roster 2026-07.xlsx")
    importing.import_remittance(ctx.db, "SUN", folder / "SUN statement 2026-07.xlsx")
    ctx.settings.last_export_folder = str(tmp_path)
    page = _page(ctx, qtbot)
    # every month some payer has files for, and which months each payer is reported for
    assert (page.first.date(), page.last.date()) == (QDate(2026, 1, 1), QDate(2026, 7, 1))
    assert page.coverage.text() == (
        "Each payer is reported for the months it has files for: "
        "BAY, HCA 2026-01 to 2026-06 · SUN 2026-01 to 2026-07."
    )
    page.payer.setCurrentIndex(page.payer.findData("BAY"))
    assert (page.first.date(), page.last.date()) == (QDate(2026, 1, 1), QDate(2026, 6, 1))
    page.last.setDate(QDate(2026, 7, 1))  # the user asks for July anyway
    assert page.coverage.text().endswith("files for: BAY 2026-01 to 2026-06.")

    page.payer.setCurrentIndex(0)
    qtbot.mouseClick(page.export_button, Qt.MouseButton.LeftButton)
    wait_task()
    target = tmp_path / "PMPM report all payers 2026-01 to 2026-07.xlsx"
    assert page.result_label.text().startswith(
        f"Report written: {target}\nBAY, HCA 2026-01 to 2026-06 · SUN 2026-01 to 2026-07: "
    )
    months = {(r["Payer"], r["Month"]) for r in _rows(target, "Summary")}
    assert ("SUN", "2026-07") in months and ("BAY", "2026-07") not in months
    glance = {r["Payer"]: r for r in _rows(target, "Cover")}
    june = reconcile(ctx.db, "BAY", Month(2026, 6), Month(2026, 6)).months[0]
    assert glance["BAY"]["Members last month"] == june.eligible_members > 0
    assert page.exports.index(0, 2).data() == "2026-01 to 2026-07"
