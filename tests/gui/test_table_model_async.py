"""``PagedRowsModel`` with a task runner: reads on the worker, rows swapped in on the UI thread.

The sources here are small test sources over lists; a ``threading.Event`` holds a read on the
worker so the test can act while it is still running (no timing involved).
"""

from __future__ import annotations

import threading
from collections.abc import Iterator

import pytest
from PySide6.QtCore import Qt
from PySide6.QtWidgets import QTableView
from pytestqt.qtbot import QtBot

from pmpm_desktop.ui.table_model import Column, PagedRowsModel
from pmpm_desktop.ui.worker import TaskRunner

COLUMNS = [
    Column("Name", lambda r: r, sort_key="name"),
]


class GatedSource:
    """Names starting with ``prefix``; a read of a prefix in ``held`` waits for ``gate``.

    ``count()`` notes the prefix it counted, and ``fetch`` reads that one: one reload's count and
    page always agree, as with a real query the worker read once."""

    def __init__(self, names: list[str]) -> None:
        self.names = names
        self.prefix = ""
        self.held: set[str] = set()
        self.gate = threading.Event()
        self.counted: list[str] = []
        self.prefetched: list[tuple[str | None, bool]] = []
        self.prefetch_gate: threading.Event | None = None
        self._reading = ""

    def _match(self, prefix: str) -> list[str]:
        return [n for n in self.names if n.startswith(prefix)]

    def count(self) -> int:
        prefix = self.prefix
        self.counted.append(prefix)
        if prefix in self.held:
            assert self.gate.wait(30)
        self._reading = prefix
        return len(self._match(prefix))

    def fetch(self, offset: int, limit: int, order_by: str | None, descending: bool) -> list[str]:
        rows = sorted(self._match(self._reading), reverse=descending)
        return rows[offset : offset + limit]

    def prefetch(self, order_by: str | None, descending: bool) -> None:
        if self.prefetch_gate is not None:
            assert self.prefetch_gate.wait(30)
        self.prefetched.append((order_by, descending))


NAMES = [f"{letter}{i:03d}" for letter in "abc" for i in range(50)]


@pytest.fixture
def runner(qtbot: QtBot) -> Iterator[TaskRunner]:
    tasks = TaskRunner()
    tasks.default_failure = None
    yield tasks
    tasks.wait(30_000)


def idle(qtbot: QtBot, tasks: TaskRunner) -> None:
    qtbot.waitUntil(lambda: not tasks.busy, timeout=30_000)


def test_reload_reads_on_the_worker(qtbot: QtBot, runner: TaskRunner, qtmodeltester) -> None:  # type: ignore[no-untyped-def]
    source = GatedSource(NAMES)
    model = PagedRowsModel(COLUMNS, source, page_size=20, tasks=runner)
    states: list[bool] = []
    model.loading_changed.connect(states.append)
    model.reload()
    # Nothing is in yet: the rows arrive through the event loop.
    assert model.loading and model.rowCount() == 0 and not model.canFetchMore()
    idle(qtbot, runner)
    assert not model.loading and states == [True, False]
    assert model.total == 150 and model.rowCount() == 20
    assert model.index(0, 0).data() == "a000"
    assert model.canFetchMore()
    qtmodeltester.check(model)
    model.sort(0, Qt.SortOrder.DescendingOrder)
    assert model.loading and model.index(0, 0).data() == "a000"  # the old rows stay meanwhile
    idle(qtbot, runner)
    assert model.index(0, 0).data() == "c049"
    qtmodeltester.check(model)


def test_a_newer_reload_supersedes_an_older_one(qtbot: QtBot, runner: TaskRunner) -> None:
    source = GatedSource(NAMES)
    source.held = {"a"}
    model = PagedRowsModel(COLUMNS, source, page_size=20, tasks=runner)
    resets: list[int] = []
    model.modelReset.connect(lambda: resets.append(model.rowCount()))
    source.prefix = "a"
    model.reload()  # held on the worker, reading "a"
    qtbot.waitUntil(lambda: source.counted == ["a"])
    source.prefix = "b"
    model.reload()  # queued behind it: superseded before it starts, so it reads nothing
    source.prefix = "c"
    model.reload()
    source.gate.set()
    idle(qtbot, runner)
    assert source.counted == ["a", "c"]
    assert resets == [20]  # only the newest result was swapped in
    assert [model.row(i) for i in range(3)] == ["c000", "c001", "c002"]
    assert model.total == 50 and not model.loading


def test_fetch_more_is_off_while_loading(qtbot: QtBot, runner: TaskRunner) -> None:
    source = GatedSource(NAMES)
    model = PagedRowsModel(COLUMNS, source, page_size=20, tasks=runner)
    model.reload()
    idle(qtbot, runner)
    assert model.canFetchMore()
    source.held = {""}
    model.reload()
    assert not model.canFetchMore()
    model.fetchMore()  # a view asking anyway reads nothing
    assert model.rowCount() == 20
    source.gate.set()
    idle(qtbot, runner)
    assert model.canFetchMore()
    model.fetchMore()
    assert model.rowCount() == 40


def test_prefetch_after_a_reload_with_more_than_a_page(qtbot: QtBot, runner: TaskRunner) -> None:
    source = GatedSource(NAMES)
    model = PagedRowsModel(COLUMNS, source, page_size=20, tasks=runner)
    model.sort(0, Qt.SortOrder.DescendingOrder)
    idle(qtbot, runner)
    assert source.prefetched == [("name", True)]
    source.prefix = "a00"  # a000..a009: one page holds them all, nothing to prepare
    model.reload()
    idle(qtbot, runner)
    assert model.total == 10 and source.prefetched == [("name", True)]


def test_scroll_before_the_prefetch_reads_anyway(qtbot: QtBot, runner: TaskRunner) -> None:
    source = GatedSource(NAMES)
    source.prefetch_gate = threading.Event()
    model = PagedRowsModel(COLUMNS, source, page_size=20, tasks=runner)
    model.reload()
    qtbot.waitUntil(lambda: model.rowCount() == 20 and not model.loading)
    assert runner.busy  # the prefetch is still held on the worker
    model.fetchMore()  # the user scrolled: read the page now rather than show nothing
    assert model.rowCount() == 40 and model.row(20) == "a020"
    source.prefetch_gate.set()
    idle(qtbot, runner)
    assert source.prefetched == [(None, False)]


def test_a_failed_read_keeps_the_rows_and_says_why(qtbot: QtBot, runner: TaskRunner) -> None:
    source = GatedSource(NAMES)
    model = PagedRowsModel(COLUMNS, source, page_size=20, tasks=runner)
    model.reload()
    idle(qtbot, runner)
    failures: list[object] = []
    model.load_failed.connect(failures.append)
    source.names = None  # type: ignore[assignment]  # the next count raises
    model.reload()
    idle(qtbot, runner)
    assert len(failures) == 1 and isinstance(failures[0], TypeError)
    assert not model.loading and model.rowCount() == 20


def test_rows_set_outright_win_over_a_pending_reload(qtbot: QtBot, runner: TaskRunner) -> None:
    source = GatedSource(NAMES)
    model = PagedRowsModel(COLUMNS, source, page_size=20, tasks=runner)
    model.reload()
    model.set_rows([])
    assert not model.loading
    idle(qtbot, runner)
    assert model.rowCount() == 0


def test_in_a_view(qtbot: QtBot, runner: TaskRunner, qtmodeltester) -> None:  # type: ignore[no-untyped-def]
    source = GatedSource(NAMES)
    model = PagedRowsModel(COLUMNS, source, page_size=20, tasks=runner)
    view = QTableView()
    qtbot.addWidget(view)
    view.setModel(model)
    view.show()
    model.reload()
    idle(qtbot, runner)
    view.scrollToBottom()
    qtbot.waitUntil(lambda: model.rowCount() > 20)
    assert model.rowCount() <= model.total
    qtmodeltester.check(model)
