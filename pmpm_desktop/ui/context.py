"""What every page shares: the open database, the task runner, settings, and app-wide signals."""

from __future__ import annotations

from collections.abc import Callable
from enum import StrEnum
from typing import TYPE_CHECKING, Any, TypeVar

from PySide6.QtCore import QObject, Signal
from PySide6.QtGui import QUndoStack
from PySide6.QtWidgets import QWidget

from pmpm_desktop.db.database import Database
from pmpm_desktop.ui.settings import Settings
from pmpm_desktop.ui.worker import TaskHandle, TaskRunner

if TYPE_CHECKING:
    from pmpm_desktop.ui.operations import Op

T = TypeVar("T")


class Changed(StrEnum):
    """What stored data a task changed: the names ``AppContext.data_changed`` carries, which
    pages list in ``depends_on`` (docs/ARCHITECTURE.md has the table)."""

    PAYERS = "payers"
    IMPORTS = "imports"
    DISCREPANCIES = "discrepancies"
    MEMBERS = "members"
    #: another database, the demo, a restore: every page
    EVERYTHING = "everything"


class AppContext(QObject):
    #: stored data changed (one of the names above); pages showing it refresh
    data_changed = Signal(str)
    #: a sentence for the status bar ("Imported January roster: 312 rows")
    status_message = Signal(str)
    #: go to a page (its key), with filters for it (the Reconciliation page takes payer,
    #: kind, status, month, text)
    navigate = Signal(str, dict)
    #: another database was opened
    database_changed = Signal()

    def __init__(self, db: Database, db_label: str, settings: Settings) -> None:
        super().__init__()
        self.db = db
        self.db_label = db_label
        self.settings = settings
        self.tasks = TaskRunner(self)
        #: what the user changed, to undo and redo (``ui/undo.py``)
        self.undo = QUndoStack(self)

    def set_database(self, db: Database, label: str) -> None:
        old = self.db
        self.db = db
        self.db_label = label
        if old is not db:
            old.dispose()
            self.undo.clear()  # its commands name rows of the old database
        self.database_changed.emit()
        self.data_changed.emit(Changed.EVERYTHING)

    def changed(self, what: Changed, message: str | None = None) -> None:
        """Announce that ``what`` changed (and say so in the status bar)."""
        self.data_changed.emit(what)
        if message:
            self.status_message.emit(message)

    def run(
        self,
        op: Op[T],
        *,
        parent: QWidget | None = None,
        on_success: Callable[[T], None] | None = None,
        on_failure: Callable[[BaseException], None] | None = None,
        on_cancel: Callable[[], None] | None = None,
        show_progress: bool = True,
    ) -> TaskHandle:
        """Run ``op`` on the worker (``ui/operations``): ``on_success`` first, then the
        announcement of what it changed and its status-bar sentence."""

        def succeeded(result: Any) -> None:
            if on_success is not None:
                on_success(result)
            message = op.says(result) if op.says is not None else None
            for what in op.changes:
                self.data_changed.emit(what)
            if message:
                self.status_message.emit(message)

        return self.tasks.run(
            op.title,
            op.work,
            on_success=succeeded,
            on_failure=on_failure,
            on_cancel=on_cancel,
            parent=parent,
            show_progress=show_progress,
            cancellable=op.cancellable,
            latest=op.latest,
        )
