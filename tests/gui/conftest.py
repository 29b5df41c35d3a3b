"""Fixtures for driving the app like a user: a fresh database, the context, the main window.
(``demo_db``, the demo practice copied into ``db_path``, is in tests/conftest.py.)

Workers are real threads; ``wait_task`` blocks until the task runner is idle and its results
have been delivered on the UI thread.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from pathlib import Path

import pytest
from pytestqt.qtbot import QtBot

from pmpm_desktop.db.database import open_database
from pmpm_desktop.ui.context import AppContext
from pmpm_desktop.ui.main_window import MainWindow, database_label
from pmpm_desktop.ui.settings import Settings

SHOTS = Path(__file__).resolve().parents[2] / "bench" / "out" / "gui"


@pytest.fixture
def ctx(db_path: Path, tmp_path: Path) -> Iterator[AppContext]:
    """An app context on this test's own SQLite file (``db_path``)."""
    database = open_database(db_path)
    context = AppContext(database, database_label(database), Settings(tmp_path / "settings.ini"))
    yield context
    context.tasks.cancel_all()
    context.tasks.wait(30_000)
    context.db.dispose()


@pytest.fixture
def window(ctx: AppContext, qtbot: QtBot) -> MainWindow:
    win = MainWindow(ctx)
    qtbot.addWidget(win)
    win.show()
    return win


@pytest.fixture
def wait_task(ctx: AppContext, qtbot: QtBot) -> Callable[..., None]:
    """Wait until every background task has finished and reported back."""

    def wait(timeout: int = 60_000) -> None:
        qtbot.waitUntil(lambda: not ctx.tasks.busy, timeout=timeout)

    return wait


def screenshot(widget: object, name: str) -> Path:
    """Save a PNG of ``widget`` under bench/out/gui (to look at; never asserted on)."""
    SHOTS.mkdir(parents=True, exist_ok=True)
    path = SHOTS / f"{name}.png"
    widget.grab().save(str(path))  # type: ignore[attr-defined]
    return path
