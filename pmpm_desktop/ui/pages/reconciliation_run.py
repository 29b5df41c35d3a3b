"""The Reconciliation page's top bar: which payer and months, the Reconcile button with its
own progress bar and Cancel, and a sentence saying what the last run did."""

from __future__ import annotations

from collections.abc import Sequence

from PySide6.QtCore import QDate, QTimer, Signal
from PySide6.QtWidgets import (
    QComboBox,
    QDateEdit,
    QHBoxLayout,
    QLabel,
    QProgressBar,
    QPushButton,
    QSizePolicy,
    QWidget,
)

from pmpm_desktop.core.month import Month
from pmpm_desktop.ui.worker import TaskHandle


def _qdate(m: Month) -> QDate:
    return QDate(m.year, m.month, 1)


def _month_of(d: QDate) -> Month:
    return Month(d.year(), d.month())


def month_edit(name: str) -> QDateEdit:
    """A month picker (yyyy-MM) for 2000–2099."""
    edit = QDateEdit()
    edit.setObjectName(name)
    edit.setDisplayFormat("yyyy-MM")
    edit.setCurrentSection(QDateEdit.Section.MonthSection)
    edit.setMinimumDate(QDate(2000, 1, 1))
    edit.setMaximumDate(QDate(2099, 12, 1))
    return edit


class RunBar(QWidget):
    """Payer, From/To months, Reconcile (+ progress and Cancel while it runs), what it did."""

    #: the user chose another payer
    payer_changed = Signal()
    #: the user changed the months (once they stopped changing them for a moment)
    range_changed = Signal()

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self._codes: list[str] = []
        #: the user picked the months: keep them when rosters change
        self.range_chosen = False
        bar = QHBoxLayout(self)
        bar.setContentsMargins(0, 0, 0, 0)
        bar.setSpacing(6)
        self.payer_combo = QComboBox()
        self.payer_combo.setObjectName("payerCombo")
        self.payer_combo.setMinimumWidth(160)
        self.payer_combo.setSizeAdjustPolicy(QComboBox.SizeAdjustPolicy.AdjustToContents)
        self.payer_combo.currentIndexChanged.connect(lambda _i: self.payer_changed.emit())
        self.from_edit = month_edit("fromMonth")
        self.to_edit = month_edit("toMonth")
        self._range_timer = QTimer(self)
        self._range_timer.setSingleShot(True)
        self._range_timer.setInterval(300)
        self._range_timer.timeout.connect(self.range_changed)
        for edit in (self.from_edit, self.to_edit):
            edit.dateChanged.connect(self._range_edited)
        self._build_run_parts()
        parts: list[QWidget | int] = [QLabel("Payer"), self.payer_combo, 8, QLabel("From")]
        parts += [self.from_edit, QLabel("to"), self.to_edit, 8]
        parts += [self.reconcile_button, self.progress, self.cancel_button]
        for part in parts:
            if isinstance(part, int):
                bar.addSpacing(part)
            else:
                bar.addWidget(part)
        bar.addWidget(self.run_label, 1)

    def _build_run_parts(self) -> None:
        self.reconcile_button = QPushButton("Reconcile")
        self.reconcile_button.setObjectName("reconcileButton")
        self.reconcile_button.setDefault(True)
        self.reconcile_button.setToolTip(
            "Compare expected and paid for the payer and months, and store the discrepancies "
            "(statuses and notes are kept)"
        )
        self.progress = QProgressBar()
        self.progress.setObjectName("reconcileProgress")
        self.progress.setMaximumWidth(180)
        self.progress.setTextVisible(False)
        self.progress.hide()
        self.cancel_button = QPushButton("Cancel")
        self.cancel_button.setObjectName("cancelReconcile")
        self.cancel_button.hide()
        self.run_label = QLabel()
        self.run_label.setObjectName("runLabel")
        self.run_label.setWordWrap(True)
        # a long sentence wraps; it never widens the page
        self.run_label.setSizePolicy(QSizePolicy.Policy.Ignored, QSizePolicy.Policy.Preferred)
        self.run_label.setMinimumWidth(120)

    # -- payer and months -----------------------------------------------------------------
    def fill_payers(self, payers: Sequence[tuple[str, str]]) -> None:
        """The payers to choose from (code, name); the chosen one stays chosen."""
        current = self.payer_code
        self._codes = [code for code, _name in payers]
        self.payer_combo.blockSignals(True)
        self.payer_combo.clear()
        self.payer_combo.addItem("All payers", None)
        for code, name in payers:
            self.payer_combo.addItem(f"{code} — {name}", code)
        at = self.payer_combo.findData(current) if current else 0
        self.payer_combo.setCurrentIndex(max(at, 0))
        self.payer_combo.blockSignals(False)

    def choose_payer(self, code: str | None) -> bool:
        """Choose ``code`` (None: every payer) without a signal; whether it changed. An
        unknown code changes nothing."""
        at = self.payer_combo.findData(code.strip().upper()) if code else 0
        if at < 0 or at == self.payer_combo.currentIndex():
            return False
        self.payer_combo.blockSignals(True)
        self.payer_combo.setCurrentIndex(at)
        self.payer_combo.blockSignals(False)
        return True

    def set_range(self, first: Month, last: Month) -> None:
        """Show ``first``..``last`` without a signal."""
        for edit, m in ((self.from_edit, first), (self.to_edit, last)):
            edit.blockSignals(True)
            edit.setDate(_qdate(m))
            edit.blockSignals(False)

    def _range_edited(self, _date: QDate) -> None:
        self.range_chosen = True
        self._range_timer.start()

    @property
    def payer_code(self) -> str | None:
        code = self.payer_combo.currentData()
        return str(code) if code else None

    @property
    def first(self) -> Month:
        return _month_of(self.from_edit.date())

    @property
    def last(self) -> Month:
        return _month_of(self.to_edit.date())

    @property
    def codes(self) -> list[str]:
        """The payers the page is about: the chosen one, or every payer."""
        return [self.payer_code] if self.payer_code else list(self._codes)

    # -- a run ----------------------------------------------------------------------------
    def running(self, handle: TaskHandle, text: str, steps: int) -> None:
        """Show the run's progress (of ``steps``), and a Cancel that stops it, until it
        finished."""
        self.reconcile_button.setEnabled(False)
        self.run_label.setText(text)
        self.progress.setRange(0, steps)
        self.progress.setValue(0)
        self.progress.show()
        self.cancel_button.setEnabled(True)
        self.cancel_button.show()

        def progressed(done: int, total: int) -> None:
            self.progress.setRange(0, max(total, 1))
            self.progress.setValue(min(done, total))

        def cancel() -> None:
            self.cancel_button.setEnabled(False)
            self.run_label.setText("Cancelling…")
            handle.cancel()

        handle.progressed.connect(progressed)
        self.cancel_button.clicked.connect(cancel)

        def finished() -> None:
            self.cancel_button.clicked.disconnect(cancel)
            self.progress.hide()
            self.cancel_button.hide()
            self.reconcile_button.setEnabled(True)

        handle.finished.connect(finished)

    @property
    def is_running(self) -> bool:
        return not self.reconcile_button.isEnabled()
