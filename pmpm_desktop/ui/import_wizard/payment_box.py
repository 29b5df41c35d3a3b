"""A statement's payment on the check step, just before Import: the total it pays (the sum of
its lines, as the preview service adds them) and the payment date, asked for and prefilled from
the file when it states one (a payment-date column, an 835's BPR16), so the Remittances page
shows when the money came ("Paid on")."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

from PySide6.QtCore import QDate, QEvent, QObject, Signal
from PySide6.QtWidgets import QDateEdit, QFormLayout, QGroupBox, QHBoxLayout, QLabel, QWidget

from pmpm_desktop.services.preview import Preview
from pmpm_desktop.ui import format as fmt

#: the date edit's "no date yet" (shown as NO_DATE): a QDateEdit always holds some date
_UNSET = QDate(2000, 1, 1)
NO_DATE = "Choose the date"


def _plural(n: int, one: str) -> str:
    return f"{n:,} {one}{'' if n == 1 else 's'}"


class PaymentBox(QGroupBox):
    """ "The payment": Total paid (read only) and Paid on (asked)."""

    #: the date was changed (read ``payment_date()``)
    changed = Signal()

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__("The payment", parent)
        self.setObjectName("paymentBox")
        self.total = QLabel()
        self.total.setObjectName("totalPaid")
        self.date_edit = QDateEdit()
        self.date_edit.setObjectName("paidOn")
        self.date_edit.setCalendarPopup(True)
        self.date_edit.setDisplayFormat("yyyy-MM-dd")
        self.date_edit.setMinimumDate(_UNSET)
        self.date_edit.setSpecialValueText(NO_DATE)
        self.date_edit.setMinimumWidth(150)
        self.date_edit.dateChanged.connect(lambda _d: self.changed.emit())
        # Unset, the edit holds 2000-01-01: its calendar opens on this month instead.
        calendar = self.date_edit.calendarWidget()
        if calendar is not None:
            calendar.installEventFilter(self)
        self.date_hint = QLabel()
        self.date_hint.setObjectName("paidOnHint")
        self.date_hint.setEnabled(False)
        date_row = QHBoxLayout()
        date_row.setContentsMargins(0, 0, 0, 0)
        date_row.addWidget(self.date_edit)
        date_row.addWidget(self.date_hint, 1)
        form = QFormLayout(self)
        form.addRow("Total paid:", self.total)
        form.addRow("Paid on:", date_row)
        #: the file the date was set for (a date is the user's until another file is chosen)
        self._for: Path | None = None

    def eventFilter(self, watched: QObject, event: QEvent) -> bool:
        if event.type() == QEvent.Type.Show and self.payment_date() is None:
            today = QDate.currentDate()
            self.date_edit.calendarWidget().setCurrentPage(today.year(), today.month())
        return super().eventFilter(watched, event)

    def show_for(self, path: Path, p: Preview) -> None:
        """The total of the preview ``p`` of ``path``, and its payment date (the file's, or
        the one the user gave this file before)."""
        if p.row_count == 0 and p.payer_level_paid is not None:
            text = f"{fmt.dollars(p.payer_level_paid)}  (paid at payer level: no member lines)"
        else:
            lines = _plural(p.row_count, "line")
            text = f"{fmt.dollars(p.total_paid, '—')}  (the sum of its {lines}"
            if p.payer_level_paid is not None:
                text += f", besides {fmt.dollars(p.payer_level_paid)} paid at payer level"
            text += ")"
        self.total.setText(text)
        if self._for != path:
            self._for = path
            self.set_date(p.payment_date)
        if p.payment_date is not None and self.payment_date() == p.payment_date:
            self.date_hint.setText("as the file states it")
        elif self.payment_date() is None:
            self.date_hint.setText(
                "the file does not say: enter the date of the check or EFT to import it"
            )
        else:
            self.date_hint.setText("the date of the check or EFT")

    def set_date(self, day: dt.date | None) -> None:
        self.date_edit.setDate(QDate(day.year, day.month, day.day) if day else _UNSET)

    def payment_date(self) -> dt.date | None:
        """The date given (None while the user has not given one)."""
        d = self.date_edit.date()
        if d == _UNSET:
            return None
        return dt.date(d.year(), d.month(), d.day())

    def forget(self) -> None:
        """Another file: its date is its own."""
        self._for = None
        self.set_date(None)
