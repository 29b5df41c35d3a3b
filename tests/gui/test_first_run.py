"""The first-run dialog and the user guide."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

from PySide6.QtCore import Qt
from PySide6.QtWidgets import QMessageBox, QWidget
from pytestqt.qtbot import QtBot

from pmpm_desktop.core.summary import DISCREPANCY_KINDS, STATUSES
from pmpm_desktop.services.payers import list_payers
from pmpm_desktop.ui.context import AppContext, Changed
from pmpm_desktop.ui.first_run import FirstRunDialog, maybe_offer_first_run
from pmpm_desktop.ui.format import kind as kind_label
from pmpm_desktop.ui.format import status as status_label
from pmpm_desktop.ui.help import UserGuide
from pmpm_desktop.ui.settings import Settings
from tests.gui.conftest import screenshot


def _window(qtbot: QtBot) -> QWidget:
    window = QWidget()
    window.resize(900, 600)
    qtbot.addWidget(window)
    window.show()
    return window


def _offer(ctx: AppContext, window: QWidget, qtbot: QtBot) -> FirstRunDialog:
    dialog = maybe_offer_first_run(ctx, window)
    assert dialog is not None
    qtbot.waitUntil(dialog.isVisible)
    return dialog


def test_offered_on_an_empty_database_and_start_empty_remembers(
    ctx: AppContext, qtbot: QtBot, tmp_path: Path
) -> None:
    assert not ctx.settings.first_run_done
    window = _window(qtbot)
    dialog = _offer(ctx, window, qtbot)
    assert "how would you like to start" in dialog.findChild(QWidget, "firstRunHeading").text()
    screenshot(dialog, "first-run")
    qtbot.mouseClick(dialog.empty_button, Qt.MouseButton.LeftButton)
    assert not dialog.isVisible()
    assert ctx.settings.first_run_done
    # Written to the settings file: a new start does not ask again.
    assert Settings(tmp_path / "settings.ini").first_run_done
    assert maybe_offer_first_run(ctx, _window(qtbot)) is None
    assert list_payers(ctx.db) == []


def test_not_offered_on_a_database_with_payers(
    demo_db: Path, ctx: AppContext, qtbot: QtBot
) -> None:
    assert maybe_offer_first_run(ctx, _window(qtbot)) is None
    assert ctx.settings.first_run_done


def test_not_offered_twice(ctx: AppContext, qtbot: QtBot) -> None:
    ctx.settings.first_run_done = True
    assert maybe_offer_first_run(ctx, _window(qtbot)) is None


def test_open_the_demo_builds_it_and_says_where_the_files_are(
    ctx: AppContext, qtbot: QtBot, wait_task: Callable[..., None], db_path: Path
) -> None:
    window = _window(qtbot)
    dialog = _offer(ctx, window, qtbot)
    changed: list[str] = []
    ctx.data_changed.connect(changed.append)
    qtbot.mouseClick(dialog.demo_button, Qt.MouseButton.LeftButton)
    assert ctx.settings.first_run_done
    wait_task(120_000)
    assert [p.code for p in list_payers(ctx.db)] == ["BAY", "HCA", "SUN"]
    assert changed == [Changed.EVERYTHING]
    folder = db_path.parent / "demo-files"
    assert any(folder.glob("SUN roster *.xlsx"))
    box = window.findChild(QMessageBox, "messageBox")
    assert box is not None and box.isVisible()
    assert str(folder) in box.text()
    box.close()


def test_user_guide_mentions_every_kind_and_status(qtbot: QtBot) -> None:
    guide = UserGuide()
    qtbot.addWidget(guide)
    guide.show()
    assert guide.isVisible() and not guide.isModal()
    text = guide.browser.toPlainText()
    for kind in DISCREPANCY_KINDS:
        assert kind_label(kind) in text, kind
    for status in STATUSES:
        assert status_label(status) in text, status
    for key in ("Ctrl+R", "Ctrl+T", "Ctrl+K", "Ctrl+E", "Ctrl+B", "Ctrl+1", "F1"):
        assert key in text
    assert "Back up database" in text and "Why this amount" in text
    screenshot(guide, "user-guide")
