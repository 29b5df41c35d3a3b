"""The progress dialog of a long task: its title and its sentence shown whole."""

from __future__ import annotations

import threading
from collections.abc import Iterator

import pytest
from PySide6.QtGui import QFontMetrics
from PySide6.QtWidgets import QLabel, QProgressDialog, QWidget
from pytestqt.qtbot import QtBot

from pmpm_desktop.ui.worker import TaskRunner

TITLE = "Building the demo practice"


@pytest.fixture
def runner(qtbot: QtBot) -> Iterator[TaskRunner]:
    r = TaskRunner()
    yield r
    r.cancel_all()
    r.wait(10_000)


def test_the_progress_dialog_shows_its_title_and_sentence_whole(
    runner: TaskRunner, qtbot: QtBot
) -> None:
    window = QWidget()
    qtbot.addWidget(window)
    window.resize(1024, 680)
    window.show()
    gate = threading.Event()

    def work(progress):  # type: ignore[no-untyped-def]
        progress(1, 10)
        gate.wait(30)

    handle = runner.run(TITLE, work, parent=window)
    try:
        dialog = window.findChild(QProgressDialog, "taskProgress")
        assert dialog is not None
        qtbot.waitUntil(dialog.isVisible)  # after its short delay, as for a user
        assert dialog.windowTitle() == TITLE
        label = dialog.findChild(QLabel)
        assert label is not None and label.text() == f"{TITLE}…"
        assert label.fontMetrics().horizontalAdvance(label.text()) <= label.width()
        # the window title, in the frame's bold font beside its icon and buttons
        bold = dialog.font()
        bold.setBold(True)
        assert dialog.width() >= QFontMetrics(bold).horizontalAdvance(TITLE) + 150
    finally:
        gate.set()
        with qtbot.waitSignal(handle.finished, timeout=10_000):
            pass
