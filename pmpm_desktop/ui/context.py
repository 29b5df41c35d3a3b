"""What every page shares: the open database, the task runner, settings, and app-wide signals."""

from __future__ import annotations

from PySide6.QtCore import QObject, Signal

from pmpm_desktop.db.database import Database
from pmpm_desktop.ui.settings import Settings
from pmpm_desktop.ui.worker import TaskRunner

#: what ``data_changed`` names: which stored data a task changed
PAYERS = "payers"
IMPORTS = "imports"
DISCREPANCIES = "discrepancies"
MEMBERS = "members"
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

    def set_database(self, db: Database, label: str) -> None:
        old = self.db
        self.db = db
        self.db_label = label
        if old is not db:
            old.dispose()
        self.database_changed.emit()
        self.data_changed.emit(EVERYTHING)

    def changed(self, what: str, message: str | None = None) -> None:
        """Announce that ``what`` changed (and say so in the status bar)."""
        self.data_changed.emit(what)
        if message:
            self.status_message.emit(message)
