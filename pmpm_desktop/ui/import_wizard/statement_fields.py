"""A statement's total as the user types it on step 1 (the check or EFT amount): read by the
import's own amount parser, refused in words under the field."""

from __future__ import annotations

from decimal import Decimal

from PySide6.QtCore import Signal
from PySide6.QtWidgets import QHBoxLayout, QLabel, QLineEdit, QVBoxLayout, QWidget

from pmpm_desktop.errors import InputRejected
from pmpm_desktop.services import importing
from pmpm_desktop.ui.theme import negative_color


class StatedTotalField(QWidget):
    """The "Statement total (optional)" row: the field, its hint, and why a text is refused."""

    #: the text changed (read ``value()`` / ``problem()``)
    changed = Signal()

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.edit = QLineEdit()
        self.edit.setObjectName("statedTotalEdit")
        self.edit.setPlaceholderText("e.g. 18,639.10")
        self.edit.setMinimumWidth(160)
        self.edit.setMaxLength(40)
        self.edit.setToolTip(
            "The amount of the check or EFT, as the statement states it. PMPM checks that the "
            "lines add up to it; leave it empty when the statement states no total."
        )
        self.edit.textChanged.connect(lambda _text: self._changed())
        self.hint = QLabel("the check or EFT amount: the lines are checked against it")
        self.hint.setObjectName("statedTotalHint")
        self.hint.setEnabled(False)
        # Under the field (a refusal beside it would widen the dialog).
        self.error = QLabel()
        self.error.setObjectName("statedTotalError")
        self.error.setStyleSheet(f"color: {negative_color(self.palette()).name()};")
        self.error.setVisible(False)
        row = QHBoxLayout()
        row.setContentsMargins(0, 0, 0, 0)
        row.addWidget(self.edit)
        row.addWidget(self.hint)
        row.addStretch(1)
        box = QVBoxLayout(self)
        box.setContentsMargins(0, 0, 0, 0)
        box.setSpacing(2)
        box.addLayout(row)
        box.addWidget(self.error)

    def value(self) -> Decimal | None:
        """The total typed (None when empty or not an amount)."""
        try:
            return importing.parse_stated_total(self.edit.text())
        except InputRejected:
            return None

    def problem(self) -> str | None:
        """Why the text typed is refused, in words (None when it is fine)."""
        text = self.edit.text().strip()
        try:
            importing.parse_stated_total(text)
        except importing.AmountRefused as exc:
            return f"“{text}” is {exc.why}."
        return None

    def _changed(self) -> None:
        problem = self.problem()
        self.error.setText(problem or "")
        self.error.setVisible(problem is not None)
        self.changed.emit()
