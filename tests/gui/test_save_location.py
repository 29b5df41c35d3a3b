"""Where exports go, driven like a user: the first one to the Documents folder, later ones to
the folder the last one went to, never to the folder payer files were just imported from; the
same for the report, the database backup and the import wizard's problem list."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import pytest
from PySide6.QtCore import Qt
from PySide6.QtWidgets import QFileDialog
from pytestqt.qtbot import QtBot

from pmpm_desktop.core.month import Month
from pmpm_desktop.io.options import FileKind
from pmpm_desktop.services import importing, payers
from pmpm_desktop.ui.context import AppContext
from pmpm_desktop.ui.import_wizard import open_import_wizard
from pmpm_desktop.ui.main_window import MainWindow
from pmpm_desktop.ui.pages.reports import ReportsPage
from pmpm_desktop.ui.save_location import documents_folder, file_name
from tests.unit.files import ROSTER_HEADERS, A, worked_example_rates, xlsx

LEFT = Qt.MouseButton.LeftButton


@pytest.fixture
def home(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """The user's home folder, with a Documents folder in it (as a desktop has)."""
    folder = tmp_path / "home"
    (folder / "Documents").mkdir(parents=True)
    monkeypatch.setenv("HOME", str(folder))
    return folder


def _reports(ctx: AppContext, qtbot: QtBot) -> ReportsPage:
    page = ReportsPage(ctx)
    qtbot.addWidget(page)
    page.show()
    page.refresh()
    return page


def _save_in(dialog: QFileDialog, path: Path) -> None:
    """The user types a file name in the save dialog and presses Save."""
    dialog.selectFile(str(path))
    dialog.accept()


def test_the_first_export_goes_to_documents_and_later_ones_where_the_last_went(
    demo_db: Path, ctx: AppContext, qtbot: QtBot, wait_task: Callable[..., None], home: Path,
    tmp_path: Path,
) -> None:  # fmt: skip
    # the clerk has just imported payer files from their own folder
    payer_files = tmp_path / "payer files"
    payer_files.mkdir()
    ctx.settings.last_folder = str(payer_files)
    page = _reports(ctx, qtbot)
    suggested = Path(page.path.text())
    assert suggested == home / "Documents" / "PMPM report all payers 2026-01 to 2026-06.xlsx"
    assert "–" not in suggested.name

    qtbot.mouseClick(page.choose, LEFT)
    dialog = page.findChild(QFileDialog, "reportFileDialog")
    assert dialog is not None and dialog.directory().absolutePath() == str(home / "Documents")
    exports = tmp_path / "exports"
    exports.mkdir()
    _save_in(dialog, exports / "June report.xlsx")
    qtbot.mouseClick(page.export_button, LEFT)
    wait_task()
    assert (exports / "June report.xlsx").exists()

    # the next session: the Reports page and File ▸ Back up start in that folder
    again = _reports(ctx, qtbot)
    assert Path(again.path.text()).parent == exports
    window = MainWindow(ctx)
    qtbot.addWidget(window)
    window.show()
    window.act_backup.trigger()
    backup = window.findChild(QFileDialog, "backupDialog")
    assert backup is not None and backup.isVisible()
    assert backup.directory().absolutePath() == str(exports)
    name = Path(backup.selectedFiles()[0]).name
    assert name.startswith("pmpm-backup-") and name.endswith(".sqlite3")
    _save_in(backup, exports / "copy.sqlite3")
    wait_task()
    assert (exports / "copy.sqlite3").exists()
    assert ctx.settings.last_export_folder == str(exports)
    assert ctx.settings.last_folder == str(payer_files)  # the import dialogs keep theirs


def test_a_fresh_account_without_documents_gets_one_not_its_home_folder(home: Path) -> None:
    (home / "Documents").rmdir()
    assert documents_folder() == home / "Documents"
    assert (home / "Documents").is_dir()
    assert (home / "Documents").stat().st_mode & 0o777 == 0o700


def test_when_documents_cannot_be_made_the_home_folder(home: Path) -> None:
    (home / "Documents").rmdir()
    (home / "Documents").write_text("a file where the folder would be")
    assert documents_folder() == home


def test_default_file_names_carry_no_en_dash() -> None:
    assert (
        file_name("PMPM report SUN 2026-01–2026-07.xlsx") == "PMPM report SUN 2026-01-2026-07.xlsx"
    )
    assert file_name("a/b: c.xlsx") == "a-b- c.xlsx"


def test_the_problem_list_of_a_bad_file_is_saved_to_documents(
    ctx: AppContext, qtbot: QtBot, wait_task: Callable[..., None], home: Path, tmp_path: Path
) -> None:
    payers.add_payer(ctx.db, "SUN", "Sunrise Health Plan", 9)
    payers.add_contract(
        ctx.db, "SUN", payers.ContractSpec("Medicaid HMO", Month(2026, 1), products=("MCD",))
    )
    importing.import_rates(ctx.db, "SUN", "Medicaid HMO", worked_example_rates(tmp_path / "r.xlsx"))
    incoming = tmp_path / "from the payer"
    incoming.mkdir()
    bad: list[list[object]] = [
        list(A),
        ["000000003", "CHARLIE", "CY", "banana", "F", "MCD", "TANF", None, None],
    ]
    path = xlsx(incoming / "SUN roster–January.xlsx", ROSTER_HEADERS, bad, title="Sunrise")
    w = open_import_wizard(ctx, None, kind=FileKind.ROSTER, path=path)
    qtbot.addWidget(w)
    wait_task()
    w.set_roster_month(Month(2026, 1))
    for _step in range(2):
        qtbot.mouseClick(w.next_button, LEFT)
        wait_task()
    assert w.export_button.isVisible()
    qtbot.mouseClick(w.export_button, LEFT)
    dialog = w.findChild(QFileDialog, "problemsDialog")
    assert dialog is not None and dialog.isVisible()
    # Documents, not the folder the payer's file came from; the name without its en dash
    assert dialog.directory().absolutePath() == str(home / "Documents")
    chosen = Path(dialog.selectedFiles()[0])
    assert chosen.name == "SUN roster-January problems.xlsx"
    dialog.accept()
    assert chosen.exists() and "Saved 1 problems" in w.export_label.text()
