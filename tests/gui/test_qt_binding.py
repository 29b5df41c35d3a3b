"""The Qt binding itself: PySide6 6.12.0 dropped a reference to None on every void call, and
the app aborted after some hours ("deallocating None"). This keeps such a release out."""

from __future__ import annotations

import sys

from PySide6.QtWidgets import QApplication, QLabel
from pytestqt.qtbot import QtBot


def test_void_qt_calls_keep_none_alive(qtbot: QtBot) -> None:
    app = QApplication.instance()
    assert app is not None
    label = QLabel()
    qtbot.addWidget(label)
    before = sys.getrefcount(None)
    for i in range(5000):
        app.processEvents()
        label.setText(str(i))
    assert sys.getrefcount(None) >= before - 100
