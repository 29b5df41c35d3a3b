"""Passwords in the window: protect the open database, the prompt at start, the first run."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import pytest
from PySide6.QtCore import Qt, QTimer
from PySide6.QtWidgets import QApplication, QDialogButtonBox, QLabel, QLineEdit, QWidget
from pytestqt.qtbot import QtBot

from pmpm_desktop.db import keys
from pmpm_desktop.db.encryption import looks_encrypted
from pmpm_desktop.services.payers import add_payer, list_payers
from pmpm_desktop.ui.context import AppContext
from pmpm_desktop.ui.first_run import maybe_offer_first_run
from pmpm_desktop.ui.main_window import MainWindow
from pmpm_desktop.ui.password_dialog import PasswordDialog, open_asking

PASSWORD = "Sunrise 2026!"


@pytest.fixture(autouse=True)
def _no_env_key(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv(keys.KEY_ENV, raising=False)


def _dialog(qtbot: QtBot) -> PasswordDialog:
    found: list[PasswordDialog] = []

    def shown() -> bool:
        found[:] = [
            w
            for w in QApplication.topLevelWidgets()
            if isinstance(w, PasswordDialog) and w.isVisible()
        ]
        return bool(found)

    qtbot.waitUntil(shown)
    return found[0]


def _type(qtbot: QtBot, dialog: PasswordDialog, *texts: str) -> None:
    for name, text in zip(("password", "passwordAgain"), texts, strict=False):
        field = dialog.findChild(QLineEdit, name)
        field.clear()
        qtbot.keyClicks(field, text)
    ok = dialog.buttons.button(QDialogButtonBox.StandardButton.Ok)
    qtbot.mouseClick(ok, Qt.MouseButton.LeftButton)


def _protect(window: MainWindow, qtbot: QtBot, wait_task: Callable[..., None]) -> None:
    window.act_protect.trigger()
    dialog = _dialog(qtbot)
    _type(qtbot, dialog, PASSWORD, "not the same")
    assert dialog.isVisible()
    assert "differ" in dialog.findChild(QLabel, "passwordError").text()
    _type(qtbot, dialog, PASSWORD, PASSWORD)
    wait_task()


def test_protect_the_open_database_then_the_start_asks_for_the_password(
    ctx: AppContext,
    window: MainWindow,
    db_path: Path,
    qtbot: QtBot,
    wait_task: Callable[..., None],
) -> None:
    add_payer(ctx.db, "SUN", "Sunrise Health Plan", 9)
    assert window.act_protect.isEnabled() and not window.act_unprotect.isEnabled()
    _protect(window, qtbot, wait_task)
    assert looks_encrypted(db_path)
    assert b"Sunrise Health" not in db_path.read_bytes()
    assert ctx.db.key == PASSWORD
    assert "protected with a password" in window.findChild(QLabel, "databaseLabel").text()
    assert not window.act_protect.isEnabled() and window.act_unprotect.isEnabled()
    assert [p.code for p in list_payers(ctx.db)] == ["SUN"]
    ctx.db.dispose()

    # The next start: no PMPM_DB_KEY, no keyring: the password is asked, a wrong one again.
    answers = ["wrong", PASSWORD]
    texts: list[str] = []

    def answer() -> None:
        dialog = next(
            w
            for w in QApplication.topLevelWidgets()
            if isinstance(w, PasswordDialog) and w.isVisible()
        )
        texts.append(dialog.findChild(QLabel, "passwordError").text())
        _type(qtbot, dialog, answers.pop(0))
        if answers:
            QTimer.singleShot(50, answer)

    QTimer.singleShot(50, answer)
    db = open_asking(db_path, None)
    assert db is not None
    try:
        assert db.key == PASSWORD
        assert [p.code for p in list_payers(db)] == ["SUN"]
    finally:
        db.dispose()
    assert texts == ["", "That password does not open the database. Try again."]


def test_cancelling_the_start_prompt_opens_nothing(
    ctx: AppContext, window: MainWindow, db_path: Path, qtbot: QtBot, wait_task: Callable[..., None]
) -> None:
    _protect(window, qtbot, wait_task)
    ctx.db.dispose()
    QTimer.singleShot(50, lambda: _dialog(qtbot).reject())
    assert open_asking(db_path, None) is None


def test_remove_the_password(
    ctx: AppContext, window: MainWindow, db_path: Path, qtbot: QtBot, wait_task: Callable[..., None]
) -> None:
    add_payer(ctx.db, "SUN", "Sunrise Health Plan", 9)
    _protect(window, qtbot, wait_task)
    window.act_unprotect.trigger()
    _type(qtbot, _dialog(qtbot), PASSWORD)
    wait_task()
    assert ctx.db.key is None
    assert db_path.read_bytes().startswith(b"SQLite format 3")
    assert [p.code for p in list_payers(ctx.db)] == ["SUN"]
    assert window.act_protect.isEnabled()


def test_the_first_run_can_protect_the_new_database(
    ctx: AppContext, db_path: Path, qtbot: QtBot, wait_task: Callable[..., None]
) -> None:
    window = QWidget()
    qtbot.addWidget(window)
    window.show()
    first = maybe_offer_first_run(ctx, window)
    assert first is not None
    qtbot.waitUntil(first.isVisible)
    first.protect_box.setChecked(True)
    messages: list[str] = []
    ctx.status_message.connect(messages.append)
    qtbot.mouseClick(first.empty_button, Qt.MouseButton.LeftButton)
    _type(qtbot, _dialog(qtbot), PASSWORD, PASSWORD)
    wait_task()
    assert ctx.db.key == PASSWORD
    assert looks_encrypted(db_path)
    assert messages[-1] == "Start by adding a payer on the Payers page."
