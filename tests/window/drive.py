"""Drive PMPM Desktop in a real window, as a clerk would: ``python -m tests.window.drive``.

Run on an X display with ``QT_QPA_PLATFORM=xcb`` (``tests/window/test_real_window.py`` starts
an Xvfb for it). Builds the demo practice in ``--db``, opens the main window maximised, opens
every page with its Go-menu shortcut (Ctrl+1…Ctrl+N), opens File ▸ Import roster and drives
the wizard with keys (type the path, Enter, Back, Enter, Enter, Escape), and saves the whole
screen per page and per wizard step in ``--out``. Prints ``ok <step>`` per step done and
``FAILED <step>: <why>`` at the first one that went wrong; exits 0 only when every step did.
"""

from __future__ import annotations

import argparse
import sys
import traceback
from pathlib import Path
from types import TracebackType
from typing import TypeVar

import shiboken6
from PySide6.QtCore import QMessageLogContext, QObject, Qt, QtMsgType, qInstallMessageHandler
from PySide6.QtGui import QGuiApplication
from PySide6.QtTest import QTest
from PySide6.QtWidgets import (
    QApplication,
    QLabel,
    QLineEdit,
    QMenu,
    QMessageBox,
    QPushButton,
    QWidget,
)

from pmpm_desktop.app import _build, display_problem
from pmpm_desktop.db.database import open_database
from pmpm_desktop.services.demo import build_demo
from pmpm_desktop.ui.context import AppContext
from pmpm_desktop.ui.import_wizard import ImportWizard
from pmpm_desktop.ui.main_window import MainWindow
from tests.window.screen import grab_screen, settle, show_maximised, wait_until

W = TypeVar("W", bound=QObject)

#: what the wizard's heading says on each step the drive reaches
CHOOSE_TITLE = "Which file do you want to import?"
PREVIEW_TITLE = "Check how PMPM reads the file"
CHECK_TITLE = "Check the rows"


class StepFailed(Exception):
    """A step did not do what a user would see it do."""


class Drive:
    """The steps, in order, each printed as it is done."""

    def __init__(self, out: Path) -> None:
        self.out = out
        self.shots = 0
        self.errors: list[str] = []  # exceptions that escaped a slot, Qt's warnings

    def ok(self, step: str) -> None:
        print(f"ok {step}", flush=True)

    def check(self, step: str, condition: object, why: str) -> None:
        if not condition:
            raise StepFailed(f"{step}: {why}")
        self.ok(step)

    def shot(self, name: str) -> None:
        self.shots += 1
        path = self.out / f"{self.shots:02d}-{name}.png"
        grab_screen(path)
        print(f"screenshot {path.name}", flush=True)

    def record_errors(self) -> None:
        """Exceptions escaping a slot and Qt's warnings fail the drive (the app would show
        or log them to a clerk)."""

        def hook(kind: type[BaseException], exc: BaseException, tb: TracebackType | None) -> None:
            self.errors.append("".join(traceback.format_exception(kind, exc, tb)))

        def qt_message(kind: QtMsgType, _context: QMessageLogContext, text: str) -> None:
            if kind in (QtMsgType.QtWarningMsg, QtMsgType.QtCriticalMsg, QtMsgType.QtFatalMsg):
                self.errors.append(f"Qt: {text}")

        sys.excepthook = hook
        qInstallMessageHandler(qt_message)


def _child(parent: QWidget, kind: type[W], name: str) -> W:
    found = parent.findChild(kind, name)
    if not isinstance(found, kind):
        raise StepFailed(f"{parent.objectName()} has no {name}")
    return found


def _menu(window: MainWindow, title: str) -> QMenu:
    menu = next((a.menu() for a in window.menuBar().actions() if a.text() == title), None)
    if not isinstance(menu, QMenu):
        raise StepFailed(f"the menu bar has no {title.replace('&', '')} menu")
    return menu


def _press(key: Qt.Key, modifier: Qt.KeyboardModifier = Qt.KeyboardModifier.NoModifier) -> None:
    """One key press on the widget that has the keyboard focus (as typing does)."""
    target = QApplication.focusWidget() or QApplication.activeWindow()
    if target is None:
        raise StepFailed("no window has the keyboard focus")
    QTest.keyClick(target, key, modifier)


def _build_demo(db_file: Path, members: int) -> Path:
    """The demo practice in ``db_file``; the July roster it leaves to import by hand."""
    database = open_database(db_file)
    try:
        result = build_demo(database, members=members)
    finally:
        database.dispose()
    if result.new_month is None:
        raise StepFailed("demo: no new month's files were written to import")
    return result.new_month / "SUN roster 2026-07.xlsx"


def _visit_pages(drive: Drive, window: MainWindow, ctx: AppContext) -> None:
    shortcuts = {a.text(): a.shortcut().toString() for a in _menu(window, "&Go").actions()}
    for n, (key, page) in enumerate(window.pages.items(), start=1):
        step = f"page {key} (Ctrl+{n})"
        if shortcuts.get(page.title) != f"Ctrl+{n}":
            raise StepFailed(f"{step}: the Go menu has no {page.title} on Ctrl+{n}")
        _press(Qt.Key(Qt.Key.Key_0.value + n), Qt.KeyboardModifier.ControlModifier)
        if not settle(ctx):
            raise StepFailed(f"{step}: its background work did not finish")
        shown = window.nav.currentItem()
        drive.check(
            step,
            shown is not None and shown.text() == page.title and page.isVisible(),
            f"Ctrl+{n} did not show {page.title}",
        )
        drive.shot(key)


def _open_wizard(window: MainWindow) -> ImportWizard:
    file_menu = _menu(window, "&File")
    action = next((a for a in file_menu.actions() if a.text() == "Import &roster…"), None)
    if action is None:
        raise StepFailed("wizard: File ▸ Import roster… is missing")
    action.trigger()
    wizard = window.findChild(ImportWizard, "importWizard")
    if not isinstance(wizard, ImportWizard) or not wait_until(wizard.isActiveWindow, timeout=10):
        raise StepFailed("wizard: File ▸ Import roster… did not open an active wizard")
    return wizard


def _still_open(wizard: ImportWizard) -> bool:
    """The wizard is on screen (it deletes itself once closed)."""
    return shiboken6.isValid(wizard) and wizard.isVisible()


def _drive_wizard(drive: Drive, window: MainWindow, ctx: AppContext, roster: Path) -> None:
    wizard = _open_wizard(window)
    title = _child(wizard, QLabel, "stepTitle")
    next_button = _child(wizard, QPushButton, "nextButton")

    def reads(expected: str) -> tuple[bool, str]:
        return title.text() == expected, f"its heading reads {title.text()!r}"

    drive.check("wizard opened", *reads(CHOOSE_TITLE))

    path_edit = _child(wizard, QLineEdit, "pathEdit")
    QTest.mouseClick(path_edit, Qt.MouseButton.LeftButton)
    if QApplication.focusWidget() is not path_edit:
        raise StepFailed("wizard: a click on the File field did not give it the focus")
    QTest.keyClicks(path_edit, str(roster))
    # Enter takes the path; Next waits for the file's kind to be looked at in the background.
    _press(Qt.Key.Key_Return)
    drive.check(
        "wizard file typed",
        path_edit.text() == str(roster) and title.text() == CHOOSE_TITLE,  # a refusal clears it
        "the typed path was not taken",
    )
    # The roster's name says SUN while the wizard opened on the first payer: it asks, and
    # Next waits for the answer (issue 12: the payer is never changed silently).
    question = _child(wizard, QWidget, "payerQuestion")
    if not wait_until(lambda: question.isVisible() or next_button.isEnabled(), timeout=30):
        raise StepFailed("wizard: neither the payer question nor Next after the path was typed")
    if question.isVisible():
        drive.check("wizard asks the payer", not next_button.isEnabled(), "Next did not wait")
        drive.shot("wizard-payer-question")
        QTest.mouseClick(_child(wizard, QPushButton, "payerQuestionUse"), Qt.MouseButton.LeftButton)
    if not wait_until(next_button.isEnabled, timeout=30):
        raise StepFailed("wizard: Next stayed disabled after the path was typed")
    settle(ctx)
    drive.shot("wizard-choose")
    _press(Qt.Key.Key_Return)
    settle(ctx)
    drive.check("wizard Enter: preview", *reads(PREVIEW_TITLE))
    drive.shot("wizard-preview")

    QTest.mouseClick(_child(wizard, QPushButton, "backButton"), Qt.MouseButton.LeftButton)
    drive.check("wizard Back: choose", *reads(CHOOSE_TITLE))
    _press(Qt.Key.Key_Return)  # issue 12: this Enter used to press Cancel and close the wizard
    settle(ctx)
    if not _still_open(wizard):
        raise StepFailed("wizard Back, Enter: preview again: Enter closed the wizard")
    drive.check("wizard Back, Enter: preview again", *reads(PREVIEW_TITLE))
    wait_until(next_button.isEnabled, timeout=30)
    _press(Qt.Key.Key_Return)
    settle(ctx)
    drive.check("wizard Enter: check", *reads(CHECK_TITLE))
    drive.shot("wizard-check")

    _press(Qt.Key.Key_Escape)
    settle(ctx)
    drive.check("wizard Escape: closed", not _still_open(wizard), "Escape left the wizard open")


def _no_message_box(drive: Drive) -> None:
    boxes = [w for w in QApplication.topLevelWidgets() if isinstance(w, QMessageBox)]
    shown = [b.text() for b in boxes if b.isVisible()]
    drive.check("no message box", not shown, f"a message box says {shown!r}")


def run(drive: Drive, db_file: Path, members: int) -> None:
    """Every step, in order (raises StepFailed at the first that went wrong)."""
    problem = display_problem()  # what the app itself would say before opening its window
    if problem is not None:
        raise StepFailed(f"display: {problem}")
    roster = _build_demo(db_file, members)
    drive.ok(f"demo built ({members} members)")

    app, ctx, window = _build(str(db_file))  # the settings of a user who never ran it
    drive.record_errors()
    size = QGuiApplication.primaryScreen().size()
    drive.check(
        f"platform {app.platformName()} {size.width()}x{size.height()}",
        app.platformName() == "xcb",
        "Qt did not open its X11 (xcb) display plugin",
    )
    drive.check("window shown", show_maximised(window), "the window did not become active")
    settle(ctx)
    _visit_pages(drive, window, ctx)
    _drive_wizard(drive, window, ctx, roster)
    _no_message_box(drive)
    _press(Qt.Key.Key_Q, Qt.KeyboardModifier.ControlModifier)  # File ▸ Quit
    settle(ctx)
    drive.check("window closed (Ctrl+Q)", not window.isVisible(), "Ctrl+Q left it open")
    ctx.tasks.wait(30_000)
    ctx.db.dispose()


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=(__doc__ or "").splitlines()[0])
    parser.add_argument("--db", type=Path, required=True, help="a new SQLite file")
    parser.add_argument("--out", type=Path, required=True, help="folder for the screenshots")
    parser.add_argument("--members", type=int, default=60, help="demo practice size")
    args = parser.parse_args(argv)
    args.out.mkdir(parents=True, exist_ok=True)
    drive = Drive(args.out)
    failures: list[str] = []
    try:
        run(drive, args.db, args.members)
    except StepFailed as exc:
        failures.append(str(exc))
    except Exception:  # reported as the failed step, with its traceback
        failures.append(traceback.format_exc())
    for why in [*failures, *drive.errors]:
        print(f"FAILED {why}", flush=True)
    if failures or drive.errors:
        return 1
    print(f"done: {drive.shots} screenshots", flush=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
