"""Fixtures for driving the app like a user: a fresh database, the context, the main window.

Workers are real threads; ``wait_task`` blocks until the task runner is idle and its results
have been delivered on the UI thread.
"""

from __future__ import annotations

import shutil
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest
from pytestqt.qtbot import QtBot

from pmpm_desktop.db.database import Database, open_database
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


@pytest.fixture(scope="session")
def _demo_template(tmp_path_factory: pytest.TempPathFactory) -> Path:
    from pmpm_desktop.services.demo import build_demo

    path = tmp_path_factory.mktemp("demo") / "demo.sqlite3"
    database: Database = open_database(path)
    try:
        build_demo(database, members=120)
    finally:
        database.dispose()
    return path


@pytest.fixture
def demo_db(db_path: Path, _demo_template: Path) -> Path:
    """``db_path`` holding the demo practice (3 payers, 120 members, 2026-01..06, reconciled).

    Built once per test session and copied for each test (the payer files it was built from
    are beside the template, in ``demo-files/``)."""
    shutil.copyfile(_demo_template, db_path)
    return db_path


def screenshot(widget: object, name: str) -> Path:
    """Save a PNG of ``widget`` under bench/out/gui (to look at; never asserted on)."""
    SHOTS.mkdir(parents=True, exist_ok=True)
    path = SHOTS / f"{name}.png"
    widget.grab().save(str(path))  # type: ignore[attr-defined]
    return path
