"""The main window: navigation, menus and shortcuts, drops, status bar, kept state, databases."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

from PySide6.QtCore import QMimeData, QPoint, Qt, QUrl
from PySide6.QtGui import QDropEvent
from PySide6.QtWidgets import QApplication, QWidget
from pytestqt.qtbot import QtBot

from pmpm_desktop.db.database import open_database
from pmpm_desktop.services.payers import add_payer, list_payers
from pmpm_desktop.ui.context import AppContext
from pmpm_desktop.ui.main_window import MainWindow
from pmpm_desktop.ui.settings import Settings
from tests.gui.conftest import screenshot
from tests.unit.files import ROSTER_HEADERS, xlsx

PAGE_TITLES = [
    "Dashboard",
    "Payers & Contracts",
    "Rosters",
    "Payment statements",
    "Reconciliation",
    "Members",
    "Reports",
]


def test_every_page_is_in_the_navigation_and_opens(window: MainWindow, qtbot: QtBot) -> None:
    titles = [window.nav.item(i).text() for i in range(window.nav.count())]
    assert titles == PAGE_TITLES
    for row, key in enumerate(window.pages):
        window.nav.setCurrentRow(row)
        assert window.current_page.key == key
        assert window.current_page.isVisible()


def test_ctrl_number_shortcuts_switch_pages(window: MainWindow, qtbot: QtBot) -> None:
    window.activateWindow()
    qtbot.keyClick(window, Qt.Key.Key_5, Qt.KeyboardModifier.ControlModifier)
    assert window.current_page.key == "reconciliation"
    qtbot.keyClick(window, Qt.Key.Key_2, Qt.KeyboardModifier.ControlModifier)
    assert window.current_page.key == "payers"


def test_menus_hold_the_office_workflow(window: MainWindow) -> None:
    menus = {a.text().replace("&", ""): a.menu() for a in window.menuBar().actions()}
    assert list(menus) == ["File", "Edit", "Go", "Help"]
    edit_items = [a.text().replace("&", "") for a in menus["Edit"].actions() if a.text()]
    assert edit_items[:2] == ["Undo", "Redo"] and "Copy" in edit_items
    file_items = [a.text().replace("&", "") for a in menus["File"].actions() if a.text()]
    for wanted in (
        "New database…",
        "Open database…",
        "Recent databases",
        "Import roster…",
        "Import statement…",
        "Import rate exhibit…",
        "Export report…",
        "Back up database…",
        "Quit",
    ):
        assert wanted in file_items
    assert window.act_import_roster.shortcut().toString() == "Ctrl+R"
    assert window.act_backup.shortcut().toString() == "Ctrl+B"


def test_status_bar_names_the_database(window: MainWindow, db_path: Path) -> None:
    assert str(db_path) in window.db_label.text()
    window.ctx.status_message.emit("Imported SUN roster 2026-07: 54 rows")
    assert window.statusBar().currentMessage() == "Imported SUN roster 2026-07: 54 rows"


def test_window_state_and_page_are_kept(ctx: AppContext, qtbot: QtBot) -> None:
    first = MainWindow(ctx)
    qtbot.addWidget(first)
    first.show()
    first.resize(700, 500)  # the offscreen screen is 800 × 600: restoring clamps to it
    first.go_to("members")
    first.close()
    again = MainWindow(ctx)
    qtbot.addWidget(again)
    again.show()
    assert again.current_page.key == "members"
    assert again.width() == 700


def test_dropping_a_roster_on_the_window_opens_the_import_wizard(
    window: MainWindow, qtbot: QtBot, tmp_path: Path
) -> None:
    add_payer(window.ctx.db, "SUN", "Sunrise Health Plan")
    path = xlsx(tmp_path / "roster.xlsx", ROSTER_HEADERS, [["000123", "A", "B"]])
    mime = QMimeData()
    mime.setUrls([QUrl.fromLocalFile(str(path))])
    event = QDropEvent(
        QPoint(300, 300),
        Qt.DropAction.CopyAction,
        mime,
        Qt.MouseButton.LeftButton,
        Qt.KeyboardModifier.NoModifier,
    )
    window.dropEvent(event)
    assert event.isAccepted()
    wizards = [
        w
        for w in QApplication.topLevelWidgets()
        if w.isVisible()
        and w is not window
        and isinstance(w, QWidget)
        and "mport" in w.windowTitle()
    ]
    assert wizards, "the import wizard did not open"
    for w in wizards:
        w.close()


def test_backup_from_the_file_menu_writes_a_copy(
    window: MainWindow, wait_task, tmp_path: Path
) -> None:  # type: ignore[no-untyped-def]
    add_payer(window.ctx.db, "SUN", "Sunrise Health Plan")
    target = tmp_path / "backup.sqlite3"
    window.backup_to(target)
    wait_task()
    copy = open_database(target)
    try:
        assert [p.code for p in list_payers(copy)] == ["SUN"]
    finally:
        copy.dispose()
    assert "Backed up to" in window.statusBar().currentMessage()


def test_switching_database_refreshes_and_remembers_it(
    window: MainWindow, wait_task, tmp_path: Path
) -> None:  # type: ignore[no-untyped-def]
    other = tmp_path / "other.sqlite3"
    window.switch_database(str(other))
    wait_task()
    assert str(other) in window.db_label.text()
    assert other.exists()
    settings: Settings = window.ctx.settings
    assert any(str(other) in r for r in settings.recent_databases)
    window.recent_menu.aboutToShow.emit()
    assert any(str(other) in a.text() for a in window.recent_menu.actions())


def test_a_broken_database_file_is_refused_in_words(
    window: MainWindow, qtbot: QtBot, wait_task, tmp_path: Path
) -> None:  # type: ignore[no-untyped-def]
    bad = tmp_path / "not-a-db.sqlite3"
    bad.write_bytes(b"this is not sqlite" * 100)
    before = window.ctx.db_label
    window.switch_database(str(bad))
    wait_task()
    assert window.ctx.db_label == before
    boxes = [w for w in QApplication.topLevelWidgets() if w.objectName() == "messageBox"]
    boxes += window.findChildren(QWidget, "messageBox")
    assert any("database" in b.text().lower() for b in boxes if hasattr(b, "text"))


def test_pages_render_on_the_demo_practice(demo_db: Path, ctx: AppContext, qtbot: QtBot) -> None:
    win = MainWindow(ctx)
    qtbot.addWidget(win)
    win.resize(1280, 800)
    win.show()
    for key in win.pages:
        win.go_to(key)
        qtbot.waitUntil(lambda: not ctx.tasks.busy, timeout=60_000)
        assert not win.grab().isNull()
        screenshot(win, f"window-{key}")


def test_no_display_gives_one_sentence_and_no_traceback(tmp_path: Path) -> None:
    env = {
        "PATH": "/usr/bin:/bin",
        "HOME": str(tmp_path),
        "PMPM_DB": str(tmp_path / "x.sqlite3"),
    }
    done = subprocess.run(
        [sys.executable, "-m", "pmpm_desktop"],
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    assert done.returncode == 1
    assert "needs a graphical display" in done.stderr and "pmpm" in done.stderr
    assert "Traceback" not in done.stderr
    assert len(done.stderr.strip().splitlines()) == 1


def test_smoke_test_flag_visits_every_page(tmp_path: Path) -> None:
    env = {
        "PATH": "/usr/bin:/bin",
        "HOME": str(tmp_path),
        "XDG_DATA_HOME": str(tmp_path / "data"),
        "QT_QPA_PLATFORM": "offscreen",
    }
    done = subprocess.run(
        [sys.executable, "-m", "pmpm_desktop", "--smoke-test", "--db", str(tmp_path / "s.db")],
        env=env,
        capture_output=True,
        text=True,
        timeout=300,
        check=False,
    )
    assert done.returncode == 0, done.stderr
    assert "smoke test passed: 7 pages visited" in done.stdout
