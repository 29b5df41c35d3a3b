"""The "Set status" dialog of the Reconciliation page: a status and a note for several
discrepancies at once (the selected ones, or every one matching the filter)."""

from __future__ import annotations

from collections.abc import Callable

from PySide6.QtCore import Qt
from PySide6.QtWidgets import (
    QButtonGroup,
    QComboBox,
    QDialog,
    QDialogButtonBox,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QRadioButton,
    QVBoxLayout,
    QWidget,
)

from pmpm_desktop.core.summary import STATUSES, Status
from pmpm_desktop.ui import format as fmt

#: what the dialog hands back: the status, the note, and whether every matching row
OnOk = Callable[[Status, str, bool], None]


class SetStatusDialog(QDialog):
    """Status and note for several discrepancies at once (opened non-blocking)."""

    def __init__(
        self,
        selected: int,
        matching: int | None,
        on_ok: OnOk,
        parent: QWidget | None = None,
        *,
        status: Status = Status.DISPUTED,
    ) -> None:
        super().__init__(parent)
        self.setObjectName("setStatusDialog")
        self.setWindowTitle("Set status")
        self.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
        lay = QVBoxLayout(self)
        self._build_scope(lay, selected, matching)
        row = QHBoxLayout()
        row.addWidget(QLabel("New status"))
        self.status_combo = QComboBox()
        self.status_combo.setObjectName("bulkStatus")
        for s in STATUSES:
            self.status_combo.addItem(fmt.status(s), s)
        self.status_combo.setCurrentIndex(STATUSES.index(status))
        row.addWidget(self.status_combo, 1)
        lay.addLayout(row)
        self.note_edit = QLineEdit()
        self.note_edit.setObjectName("bulkNote")
        self.note_edit.setPlaceholderText("Note for the history (optional)")
        self.note_edit.setMinimumWidth(340)
        lay.addWidget(self.note_edit)
        buttons = QDialogButtonBox(
            QDialogButtonBox.StandardButton.Ok | QDialogButtonBox.StandardButton.Cancel
        )
        self.ok_button = buttons.button(QDialogButtonBox.StandardButton.Ok)
        self.ok_button.setText("Set status")
        buttons.accepted.connect(self.accept)
        buttons.rejected.connect(self.reject)
        lay.addWidget(buttons)
        self.accepted.connect(
            lambda: on_ok(
                Status(self.status_combo.currentData()),
                self.note_edit.text().strip(),
                self.matching_radio.isChecked(),
            )
        )

    def _build_scope(self, lay: QVBoxLayout, selected: int, matching: int | None) -> None:
        """Which rows: said in a sentence, or (more match than are loaded) a choice."""
        self.selected_radio = QRadioButton(f"The {selected:,} selected discrepancies")
        self.selected_radio.setObjectName("applySelected")
        self.matching_radio = QRadioButton(
            f"All {matching or 0:,} discrepancies matching the filter"
        )
        self.matching_radio.setObjectName("applyMatching")
        group = QButtonGroup(self)
        group.addButton(self.selected_radio)
        group.addButton(self.matching_radio)
        self.selected_radio.setChecked(True)
        if matching is None:
            what = "discrepancy" if selected == 1 else f"{selected:,} discrepancies"
            lay.addWidget(QLabel(f"Set the status of the selected {what}:"))
            self.selected_radio.hide()
            self.matching_radio.hide()
        else:
            lay.addWidget(QLabel("Apply to:"))
            lay.addWidget(self.selected_radio)
            lay.addWidget(self.matching_radio)
