"""The one background-task API: results, failures and cancellation come back on the UI thread."""

from __future__ import annotations

import threading

import pytest
from PySide6.QtWidgets import QMessageBox, QWidget
from pytestqt.qtbot import QtBot

from pmpm_desktop.errors import InputRejected
from pmpm_desktop.ui import dialogs
from pmpm_desktop.ui.logs import log_path, setup_logging
from pmpm_desktop.ui.worker import TaskRunner


@pytest.fixture
def runner(qtbot: QtBot) -> TaskRunner:
    r = TaskRunner()
    yield r
    r.cancel_all()
    r.wait(10_000)


def test_result_arrives_on_the_ui_thread(runner: TaskRunner, qtbot: QtBot) -> None:
    seen: dict[str, object] = {}
    ui_thread = threading.get_ident()

    def work(progress):  # type: ignore[no-untyped-def]
        seen["worker_thread"] = threading.get_ident()
        for i in range(3):
            progress(i + 1, 3)
        return 42

    def done(value: object) -> None:
        seen["value"] = value
        seen["callback_thread"] = threading.get_ident()

    handle = runner.run("Counting", work, on_success=done, show_progress=False)
    with qtbot.waitSignal(handle.finished, timeout=10_000):
        pass
    assert seen["value"] == 42
    assert seen["worker_thread"] != ui_thread
    assert seen["callback_thread"] == ui_thread
    assert not runner.busy


def test_progress_is_reported(runner: TaskRunner, qtbot: QtBot) -> None:
    reports: list[tuple[int, int]] = []
    handle = runner.run(
        "Steps", lambda progress: [progress(i, 5) for i in range(6)], show_progress=False
    )
    handle.progressed.connect(lambda d, t: reports.append((d, t)))
    with qtbot.waitSignal(handle.finished, timeout=10_000):
        pass
    assert reports[-1] == (5, 5)


def test_cancel_stops_the_task_and_reports_cancelled(runner: TaskRunner, qtbot: QtBot) -> None:
    gate = threading.Event()
    steps: list[int] = []
    failed: list[BaseException] = []

    def work(progress):  # type: ignore[no-untyped-def]
        gate.wait(10)
        for i in range(1000):
            if not progress(i, 1000):
                raise RuntimeError("stopped")
            steps.append(i)

    handle = runner.run("Long", work, on_failure=failed.append, show_progress=False)
    handle.cancel()
    gate.set()
    with qtbot.waitSignal(handle.cancelled, timeout=10_000):
        pass
    assert steps == []
    assert failed == []  # a cancelled task is not an error


def test_failure_shows_words_and_logs_no_message_text(runner: TaskRunner, qtbot: QtBot) -> None:
    setup_logging()
    parent = QWidget()
    qtbot.addWidget(parent)

    member = "".join(["000", "123"])  # not spelled in this file, so only a message can leak it

    def work(_progress):  # type: ignore[no-untyped-def]
        raise InputRejected("roster.xlsx was not imported:", [f"row 4, DOB: member {member} bad"])

    handle = runner.run("Importing", work, parent=parent, show_progress=False)
    with qtbot.waitSignal(handle.failed, timeout=10_000):
        pass
    box = parent.findChild(QMessageBox, "messageBox")
    assert box is not None and box.isVisible()
    assert box.text() == "roster.xlsx was not imported:"
    assert "row 4, DOB" in box.detailedText()
    box.close()
    text = log_path().read_text(encoding="utf-8")
    assert "Importing failed: InputRejected" in text
    assert member not in text


def test_unexpected_errors_name_the_log_not_a_traceback() -> None:
    text, details = dialogs.error_text(KeyError("secret"))
    assert "KeyError" in text and str(log_path()) in text
    assert "Traceback" not in text and details is None


def test_tasks_run_one_at_a_time(runner: TaskRunner, qtbot: QtBot) -> None:
    active = 0
    most = 0
    lock = threading.Lock()

    def work(_progress):  # type: ignore[no-untyped-def]
        nonlocal active, most
        with lock:
            active += 1
            most = max(most, active)
        threading.Event().wait(0.02)
        with lock:
            active -= 1

    handles = [runner.run(f"t{i}", work, show_progress=False) for i in range(4)]
    qtbot.waitUntil(lambda: not runner.busy, timeout=10_000)
    assert most == 1 and len(handles) == 4


def test_qt_warnings_go_to_the_log_without_the_noise() -> None:
    from PySide6.QtCore import qInstallMessageHandler, qWarning

    from pmpm_desktop.ui.logs import route_qt_messages

    setup_logging()
    previous = route_qt_messages()
    try:
        qWarning("QFont: a real warning")
        qWarning("This plugin does not support propagateSizeHints()")
    finally:
        qInstallMessageHandler(previous)  # type: ignore[arg-type]
    text = log_path().read_text(encoding="utf-8")
    assert "Qt: QFont: a real warning" in text
    assert "propagateSizeHints" not in text


def test_a_task_waiting_for_another_program_says_so_in_its_dialog(
    runner: TaskRunner, qtbot: QtBot, tmp_path
) -> None:
    """Another program holds the database's write lock: the progress dialog says the task is
    waiting for it, and the task goes on once the lock is let go."""
    import sqlite3

    from PySide6.QtWidgets import QProgressDialog
    from sqlalchemy import text

    from pmpm_desktop.db.database import open_database

    path = tmp_path / "shared.sqlite3"
    db = open_database(path)
    other = sqlite3.connect(path, isolation_level=None)
    other.execute("BEGIN IMMEDIATE")
    parent = QWidget()
    qtbot.addWidget(parent)

    def write(_progress):  # type: ignore[no-untyped-def]
        with db.sessions.begin() as session:
            session.execute(text("INSERT INTO payers (code, name) VALUES ('SUN', 'Sun Health')"))
        return "stored"

    results: list[object] = []
    told: list[tuple[str, str]] = []
    runner.waiting.connect(lambda title, where: told.append((title, where)))
    try:
        handle = runner.run("Saving", write, on_success=results.append, parent=parent)
        qtbot.waitUntil(
            lambda: any(
                "waiting for another program using the database" in d.labelText()
                for d in parent.findChildren(QProgressDialog)
            ),
            timeout=20_000,
        )
        label = parent.findChild(QProgressDialog).labelText()
        assert str(path) in label and label.startswith("Saving: ")
        assert told and told[0] == ("Saving", str(path))  # for the status bar too
    finally:
        other.rollback()
        other.close()
    with qtbot.waitSignal(handle.finished, timeout=20_000):
        pass
    assert results == ["stored"]
    db.dispose()


def test_a_newer_request_of_the_same_key_supersedes_the_older(
    runner: TaskRunner, qtbot: QtBot
) -> None:
    """Three refreshes of one page's figures: only the newest result is shown; the one still
    waiting never runs; the running one's late result is dropped."""
    gate = threading.Event()
    ran: list[str] = []
    shown: list[str] = []
    other: list[str] = []

    def read(name: str):  # type: ignore[no-untyped-def]
        def work(_progress):  # type: ignore[no-untyped-def]
            if name == "first":
                gate.wait(10)
            ran.append(name)
            return name

        return work

    first = runner.run("Figures", read("first"), on_success=shown.append, latest="figures")
    runner.run("Rows", read("rows"), on_success=other.append, latest="rows", show_progress=False)
    runner.run("Figures", read("second"), on_success=shown.append, latest="figures")
    runner.run("Figures", read("third"), on_success=shown.append, latest="figures")
    assert first.superseded
    gate.set()
    qtbot.waitUntil(lambda: not runner.busy, timeout=10_000)
    assert shown == ["third"]
    assert "second" not in ran
    assert other == ["rows"]  # another key is not touched


def test_a_superseded_failure_is_not_shown(runner: TaskRunner, qtbot: QtBot) -> None:
    gate = threading.Event()
    failures: list[BaseException] = []

    def broken(_progress):  # type: ignore[no-untyped-def]
        gate.wait(10)
        raise InputRejected("the old request failed")

    runner.run("Figures", broken, on_failure=failures.append, latest="k", show_progress=False)
    newer = runner.run("Figures", lambda _p: 1, latest="k", show_progress=False)
    gate.set()
    with qtbot.waitSignal(newer.finished, timeout=10_000):
        pass
    assert failures == []


def test_superseding_a_key_drops_its_task_with_nothing_in_its_place(
    runner: TaskRunner, qtbot: QtBot
) -> None:
    gate = threading.Event()
    shown: list[object] = []

    def slow(_progress):  # type: ignore[no-untyped-def]
        gate.wait(10)
        return "old rows"

    handle = runner.run("Rows", slow, on_success=shown.append, latest="rows", show_progress=False)
    runner.supersede("rows")
    runner.supersede("no such key")  # nothing running under it: nothing happens
    gate.set()
    with qtbot.waitSignal(handle.finished, timeout=10_000):
        pass
    assert shown == [] and handle.superseded
