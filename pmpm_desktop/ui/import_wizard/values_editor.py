"""The preview step's "Values for every row": a field the file does not carry, given one value
for all its rows (the wizard's ``--set FIELD=VALUE``), and whether to remember those values with
the payer's layout.

It only collects the user's words; the preview (``services.preview``) checks each value the
way the import will, and says what is wrong with one.
"""

from __future__ import annotations

from PySide6.QtCore import Qt, Signal
from PySide6.QtWidgets import (
    QCheckBox,
    QComboBox,
    QGridLayout,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QPushButton,
    QVBoxLayout,
    QWidget,
)

from pmpm_desktop.io.fields import fields
from pmpm_desktop.ui.import_wizard.mapping_editor import field_label

#: what a field's cells hold (fields.json's ``values``) → an example for the empty line edit
_EXAMPLES = {
    "month": "e.g. 2026-02",
    "coverage_date": "e.g. 2026-02-01",
    "code": "e.g. MCD",
    "provider": "e.g. the PCP's NPI",
    "money": "e.g. 165.00",
    "score": "e.g. 1.000",
    "age": "e.g. 21",
}
#: what identifies or describes one member: never one value for every row
_PER_MEMBER = frozenset({"member_id", "name", "full_name", "birth_date", "sex"})


def value_fields(kind: str) -> list[str]:
    """The fields of ``kind`` that one value for every row can give, in the dictionary's order."""
    return [f.name for f in fields(kind) if f.values not in _PER_MEMBER]


class _ValueRow:
    """One line of the editor: the field, its value, and the button that removes it."""

    def __init__(self, editor: ValuesEditor) -> None:
        self.combo = QComboBox()
        self.combo.setSizeAdjustPolicy(QComboBox.SizeAdjustPolicy.AdjustToContents)
        self.edit = QLineEdit()
        self.edit.setMaxLength(100)
        self.edit.setClearButtonEnabled(True)
        self.remove = QPushButton("Remove")
        self.remove.setToolTip("Give this field no value for every row")
        self.combo.currentIndexChanged.connect(lambda _i: editor._field_changed(self))
        self.edit.editingFinished.connect(editor._edited)
        self.edit.textChanged.connect(lambda _text: editor._update())
        self.remove.clicked.connect(lambda: editor._remove(self))

    @property
    def field(self) -> str | None:
        data = self.combo.currentData()
        return str(data) if data else None

    @property
    def value(self) -> str:
        return self.edit.text().strip()


class ValuesEditor(QWidget):
    """Field + value rows (add, remove), and "Remember these values for this payer's files"."""

    #: the values changed (a value typed and confirmed, a field chosen, a row removed)
    values_changed = Signal()

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("valuesEditor")
        self.kind: str | None = None
        self.rows: list[_ValueRow] = []
        self._sent: dict[str, str] = {}
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        intro = QLabel(
            "Give a field one value for every row when the file does not carry it: the "
            "coverage month of a one-month statement, the product of a one-product roster. A "
            "value given here is used instead of the file's column for that field."
        )
        intro.setWordWrap(True)
        layout.addWidget(intro)
        self._grid = QGridLayout()
        self._grid.setHorizontalSpacing(8)
        self._grid.setColumnStretch(1, 1)
        layout.addLayout(self._grid)
        add_row = QHBoxLayout()
        self.add_button = QPushButton("Add a value")
        self.add_button.setObjectName("addValue")
        self.add_button.clicked.connect(lambda: self.add())
        add_row.addWidget(self.add_button)
        add_row.addStretch(1)
        layout.addLayout(add_row)
        self.remember = QCheckBox("Remember these values for this payer's files")
        self.remember.setObjectName("rememberValues")
        self.remember.setToolTip(
            "Saved with this payer's layout when the file is imported: the next file with the "
            "same columns gets these values without asking."
        )
        self.remember.setEnabled(False)
        layout.addWidget(self.remember)
        self.others = QLabel()
        self.others.setObjectName("otherValues")
        self.others.setWordWrap(True)
        self.others.setTextFormat(Qt.TextFormat.PlainText)
        self.others.setEnabled(False)
        self.others.setVisible(False)
        layout.addWidget(self.others)
        layout.addStretch(1)

    # -- what the wizard reads and sets ---------------------------------------------------
    def values(self) -> dict[str, str]:
        """field → value of every row with both (the last row wins for a field given twice)."""
        return {r.field: r.value for r in self.rows if r.field is not None and r.value}

    def set_kind(self, kind: str) -> None:
        """Offer ``kind``'s fields; a row whose field is not one of them goes."""
        if kind == self.kind:
            return
        self.kind = kind
        offered = value_fields(kind)
        for row in list(self.rows):
            keep = row.field
            if keep not in offered:
                self._drop(row)
                continue
            self._fill(row, keep)
        self._sent = self.values()

    def ready_for(self, name: str) -> QLineEdit | None:
        """A row for field ``name`` (the one there, or a new one) with its value to type; None
        when one value for every row cannot give that field."""
        if self.kind is None or name not in value_fields(self.kind):
            return None
        row = next((r for r in self.rows if r.field == name), None) or self.add(name)
        return row.edit

    def clear(self) -> None:
        """No values (another file was chosen)."""
        for row in list(self.rows):
            self._drop(row)
        self.remember.setChecked(False)
        self._sent = {}
        self._update()

    def show_others(self, given: dict[str, str]) -> None:
        """The values every row got without the user giving them here (the saved layout's, a
        section or title of the file), so the user knows where they came from."""
        mine = self.values()
        others = {f: v for f, v in given.items() if f not in mine}
        kind = self.kind or ""
        text = "; ".join(f"{field_label(kind, f)}: {v!r}" for f, v in others.items())
        self.others.setText(
            f"Every row also gets, from the saved layout or the file itself: {text}. A value "
            "given here replaces it."
            if others
            else ""
        )
        self.others.setVisible(bool(others))

    # -- rows -----------------------------------------------------------------------------
    def add(self, name: str | None = None) -> _ValueRow:
        """A new row (for ``name`` or the first field not given yet), its value to type."""
        row = _ValueRow(self)
        taken = {r.field for r in self.rows}
        offered = value_fields(self.kind) if self.kind else []
        spare = [f for f in offered if f not in taken] or offered
        first = name or (spare[0] if spare else None)
        self._fill(row, first)
        at = len(self.rows)
        self._grid.addWidget(row.combo, at, 0)
        self._grid.addWidget(row.edit, at, 1)
        self._grid.addWidget(row.remove, at, 2)
        self.rows.append(row)
        for widget in (row.combo, row.edit, row.remove):
            widget.show()
        row.edit.setFocus()
        self._update()
        return row

    def _fill(self, row: _ValueRow, chosen: str | None) -> None:
        kind = self.kind or ""
        row.combo.blockSignals(True)
        row.combo.clear()
        for name in value_fields(kind) if kind else []:
            row.combo.addItem(field_label(kind, name), name)
        row.combo.setCurrentIndex(max(row.combo.findData(chosen), 0))
        row.combo.blockSignals(False)
        self._example(row)

    def _example(self, row: _ValueRow) -> None:
        spec = next((f for f in fields(self.kind or "") if f.name == row.field), None)
        row.edit.setPlaceholderText(_EXAMPLES.get(spec.values, "") if spec else "")

    def _drop(self, row: _ValueRow) -> None:
        self.rows.remove(row)
        for widget in (row.combo, row.edit, row.remove):
            self._grid.removeWidget(widget)
            widget.deleteLater()
        # Keep the rows packed at the top of the grid.
        for at, other in enumerate(self.rows):
            self._grid.addWidget(other.combo, at, 0)
            self._grid.addWidget(other.edit, at, 1)
            self._grid.addWidget(other.remove, at, 2)

    def _remove(self, row: _ValueRow) -> None:
        self._drop(row)
        self._edited()

    def _field_changed(self, row: _ValueRow) -> None:
        self._example(row)
        self._edited()

    def _edited(self) -> None:
        """Announce the values when they differ from the ones announced last."""
        self._update()
        now = self.values()
        if now != self._sent:
            self._sent = now
            self.values_changed.emit()

    def _update(self) -> None:
        has = bool(self.values())
        self.remember.setEnabled(has)
        if not has:
            self.remember.setChecked(False)
        self.add_button.setEnabled(self.kind is not None)
