"""Long work off the UI thread, through one small API.

``TaskRunner.run(title, fn, on_success=..., on_failure=...)`` runs ``fn(progress)`` on a
worker thread. ``progress(done, total) -> bool`` is the plain callback the core already takes
(``False`` asks it to stop); here it reports to the UI and answers ``False`` once the user
pressed Cancel. Success, failure and cancellation come back on the UI thread.

All tasks run on one worker thread, in order: every task reads or writes the one database,
and SQLite takes one writer at a time, so serialising them is both simplest and correct.

"A newer request supersedes the older" lives here and nowhere else: a task run with a
``latest`` key cancels the running or waiting task of the same key, which then reports
nothing (no success, failure or cancel callback, only ``finished``). Pages give their reads a
key ("dashboard figures", "discrepancy rows") and never count generations themselves.
"""

from __future__ import annotations

import threading
from collections.abc import Callable
from typing import Any

from PySide6.QtCore import QObject, QRunnable, Qt, QThreadPool, Signal, Slot
from PySide6.QtGui import QFont, QFontMetrics
from PySide6.QtWidgets import QProgressDialog, QWidget

from pmpm_desktop.db import busy
from pmpm_desktop.progress import Cancelled, Progress
from pmpm_desktop.ui.dialogs import show_error
from pmpm_desktop.ui.logs import log, log_failure


class TaskHandle(QObject):
    """One submitted task. Its signals arrive on the UI thread."""

    progressed = Signal(int, int)
    #: the task waits for another program holding the database (the database named)
    waiting = Signal(str)
    succeeded = Signal(object)
    failed = Signal(object)
    cancelled = Signal()
    #: after the success/failure/cancel callbacks ran
    finished = Signal()

    # Emitted from the worker thread; this object lives on the UI thread, so the connection to
    # its own slot is queued and the callbacks below run on the UI thread.
    _report = Signal(int, int)
    _wait = Signal(str)
    _done = Signal(bool, object)

    def __init__(self, title: str, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self.title = title
        self._cancel = threading.Event()
        self.running = True
        #: replaced by a newer task of the same ``latest`` key: it reports nothing
        self.superseded = False
        self.last_progress = (0, 0)
        self._report.connect(self._on_report)
        self._wait.connect(self.waiting)
        self._done.connect(self._on_done)
        self.on_success: Callable[[Any], None] | None = None
        self.on_failure: Callable[[BaseException], object] | None = None
        self.on_cancel: Callable[[], None] | None = None

    def cancel(self) -> None:
        """Ask the task to stop at its next progress report."""
        self._cancel.set()

    def supersede(self) -> None:
        """Cancel, and drop whatever the task still reports (a newer one replaces it)."""
        self.superseded = True
        self._cancel.set()

    @property
    def cancel_requested(self) -> bool:
        return self._cancel.is_set()

    def progress(self, done: int, total: int) -> bool:
        """The callback handed to the core (called on the worker thread)."""
        self._report.emit(int(done), int(total))
        return not self._cancel.is_set()

    @Slot(int, int)
    def _on_report(self, done: int, total: int) -> None:
        self.last_progress = (done, total)
        self.progressed.emit(done, total)

    @Slot(bool, object)
    def _on_done(self, ok: bool, value: object) -> None:
        self.running = False
        try:
            if self.superseded:
                return
            if ok:
                if self.on_success is not None:
                    self.on_success(value)
                self.succeeded.emit(value)
            elif self._cancel.is_set():
                log.info("%s cancelled", self.title)
                if self.on_cancel is not None:
                    self.on_cancel()
                self.cancelled.emit()
            else:
                assert isinstance(value, BaseException)
                if self.on_failure is not None:
                    self.on_failure(value)
                self.failed.emit(value)
        finally:
            self.finished.emit()


class _Job(QRunnable):
    def __init__(self, handle: TaskHandle, fn: Callable[[Progress], Any]) -> None:
        super().__init__()
        self.handle = handle
        self.fn = fn

    def run(self) -> None:
        # Tasks run one at a time, so the process-wide listener is this task's while it runs.
        if self.handle.cancel_requested:  # cancelled or superseded before it started
            self.handle._done.emit(False, Cancelled())
            return
        previous = busy.on_wait(self.handle._wait.emit)
        try:
            result = self.fn(self.handle.progress)
        except BaseException as exc:  # every failure goes back to the UI
            if not self.handle.cancel_requested:
                log_failure(self.handle.title, exc)
            self.handle._done.emit(False, exc)
        else:
            self.handle._done.emit(True, result)
        finally:
            busy.on_wait(previous)


class TaskRunner(QObject):
    """Runs tasks one at a time on a worker thread; see the module docstring."""

    busy_changed = Signal(bool)
    #: a task (its title) waits for another program holding the database (named): for the
    #: window's status bar, since pages with their own progress bar show no dialog
    waiting = Signal(str, str)

    def __init__(self, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self._pool = QThreadPool(self)
        self._pool.setMaxThreadCount(1)
        self._active: list[TaskHandle] = []
        self._latest: dict[str, TaskHandle] = {}
        #: the failure handler used when a task gives none: the error in words, in a dialog
        self.default_failure: Callable[[QWidget | None, str, BaseException], object] | None = (
            show_error
        )

    @property
    def busy(self) -> bool:
        return bool(self._active)

    def run(
        self,
        title: str,
        fn: Callable[[Progress], Any],
        *,
        on_success: Callable[[Any], None] | None = None,
        on_failure: Callable[[BaseException], None] | None = None,
        on_cancel: Callable[[], None] | None = None,
        parent: QWidget | None = None,
        show_progress: bool = True,
        cancellable: bool = True,
        latest: str | None = None,
    ) -> TaskHandle:
        """Run ``fn(progress)`` in the background.

        With ``show_progress`` a window-modal progress dialog (with Cancel when
        ``cancellable``) appears over ``parent`` while it runs; pages with a progress bar of
        their own pass ``show_progress=False`` and connect to the handle's signals. With
        ``latest``, the task supersedes the earlier one of that key (module docstring).
        """
        handle = TaskHandle(title, self)
        if latest is not None:
            older = self._latest.get(latest)
            if older is not None and older.running:
                older.supersede()
            self._latest[latest] = handle
        handle.on_success = on_success
        handle.on_cancel = on_cancel
        if on_failure is not None:
            handle.on_failure = on_failure
        elif self.default_failure is not None:
            default = self.default_failure
            handle.on_failure = lambda exc: default(parent, title, exc)
        handle.waiting.connect(lambda where: self.waiting.emit(title, where))
        if show_progress:
            _attach_dialog(handle, parent, cancellable)
        self._active.append(handle)
        handle.finished.connect(lambda: self._finished(handle))
        if len(self._active) == 1:
            self.busy_changed.emit(True)
        log.info("%s started", title)
        self._pool.start(_Job(handle, fn))
        return handle

    def _finished(self, handle: TaskHandle) -> None:
        if handle in self._active:
            self._active.remove(handle)
        for key, latest in list(self._latest.items()):
            if latest is handle:
                del self._latest[key]
        handle.deleteLater()
        if not self._active:
            self.busy_changed.emit(False)

    def supersede(self, latest: str) -> None:
        """Drop the running or waiting task of the ``latest`` key, with nothing newer in its
        place (rows given outright replace a read still running)."""
        older = self._latest.pop(latest, None)
        if older is not None and older.running:
            older.supersede()

    def cancel_all(self) -> None:
        for handle in self._active:
            handle.cancel()

    def wait(self, msecs: int = -1) -> bool:
        """Block until the worker is idle (used when closing the app, and by tests)."""
        return self._pool.waitForDone(msecs)


def _attach_dialog(handle: TaskHandle, parent: QWidget | None, cancellable: bool) -> None:
    dialog = QProgressDialog(handle.title + "…", "Cancel" if cancellable else "", 0, 0, parent)
    dialog.setObjectName("taskProgress")
    dialog.setWindowTitle(handle.title)
    dialog.setMinimumWidth(_title_room(dialog, handle.title))
    dialog.setWindowModality(Qt.WindowModality.WindowModal)
    dialog.setMinimumDuration(300)
    dialog.setAutoClose(False)
    dialog.setAutoReset(False)
    if not cancellable:
        dialog.setCancelButton(None)

    def report(done: int, total: int) -> None:
        if total > 0:
            dialog.setMaximum(total)
            dialog.setValue(min(done, total))

    def on_cancel() -> None:
        dialog.setLabelText("Cancelling…")
        handle.cancel()

    def waiting(where: str) -> None:
        dialog.setLabelText(
            f"{handle.title}: waiting for another program using the database {where}…"
        )
        # shown at once: the wait is what the user must know about, not a short task
        dialog.show()

    handle.progressed.connect(report)
    handle.waiting.connect(waiting)
    dialog.canceled.connect(on_cancel)
    handle.finished.connect(dialog.deleteLater)
    handle.finished.connect(dialog.close)
    dialog.setValue(0)


#: what a window frame takes beside its title: the icon, the buttons, their margins
_FRAME_ROOM = 160


def _title_room(dialog: QWidget, title: str) -> int:
    """How wide a dialog must be for the window manager to show its whole title ("Buildi…
    actice" otherwise): the title in a bold, slightly larger font than the app's, as most
    frames draw it, beside the frame's own buttons; at most most of the screen."""
    font = QFont(dialog.font())
    font.setBold(True)
    font.setPointSizeF(font.pointSizeF() * 1.15)
    wanted = QFontMetrics(font).horizontalAdvance(title) + _FRAME_ROOM
    screen = dialog.screen()
    return min(wanted, screen.availableGeometry().width() * 9 // 10) if screen else wanted
