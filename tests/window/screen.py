"""The app's window on a real screen: wait for its background work, show it as a user has it
(maximised by the window manager), grab what the screen shows. Shared by the real-window
driver (``tests/window/drive.py``) and ``scripts/screenshots.py``."""

from __future__ import annotations

import sys
import time
from collections.abc import Callable
from pathlib import Path

from PySide6.QtCore import QEventLoop, QTimer
from PySide6.QtGui import QGuiApplication, QImage
from PySide6.QtTest import QTest
from PySide6.QtWidgets import QApplication, QWidget

from pmpm_desktop.ui.context import AppContext


def pause(msecs: int) -> None:
    """Let the event loop run for ``msecs`` (timers, repaints, the X server's replies)."""
    loop = QEventLoop()
    QTimer.singleShot(msecs, loop.quit)
    loop.exec()


def settle(ctx: AppContext, *, timeout: float = 60.0, quiet_ms: int = 250) -> bool:
    """Wait until the background tasks have finished and reported back and the window has
    repainted; False when work was still running after ``timeout`` seconds."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        ctx.tasks.wait(200)
        QApplication.processEvents()
        if not ctx.tasks.busy:
            pause(quiet_ms)  # the pages' debounce timers fire in here, and may start work
            if not ctx.tasks.busy:
                return True
    print(f"background work still running after {timeout:.0f} s", file=sys.stderr)
    return False


def wait_until(condition: Callable[[], object], *, timeout: float = 30.0) -> bool:
    """Run the event loop until ``condition()`` is true; False when ``timeout`` s passed."""
    deadline = time.monotonic() + timeout
    while not condition():
        if time.monotonic() > deadline:
            return False
        pause(20)
    return True


def show_maximised(window: QWidget) -> bool:
    """Show ``window`` filling the screen as a clerk would (the window manager maximises it;
    without one it is sized to the screen) and wait until it is on screen and active."""
    screen = QGuiApplication.primaryScreen()
    window.resize(screen.availableGeometry().size())
    window.showMaximized()
    if not QTest.qWaitForWindowExposed(window, 10_000):
        return False
    window.activateWindow()
    window.raise_()
    return QTest.qWaitForWindowActive(window, 10_000)


def grab_screen(path: Path) -> QImage:
    """Save what the whole screen shows (the X server's root window) as a PNG at ``path``."""
    image = QGuiApplication.primaryScreen().grabWindow(0).toImage()
    if image.isNull() or not image.save(str(path)):
        raise OSError(f"could not save the screen to {path}")
    return image
