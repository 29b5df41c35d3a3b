"""The import wizard's two bespoke widgets: the file drop zone and the field → column editor.

Both only show and collect choices; reading the file is ``services.preview`` (run by the
wizard in the background), so nothing here touches the file's contents.
"""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path

from PySide6.QtCore import Qt, Signal
from PySide6.QtGui import QDragEnterEvent, QDragLeaveEvent, QDropEvent
from PySide6.QtWidgets import (
    QComboBox,
    QFrame,
    QGridLayout,
    QHBoxLayout,
    QLabel,
    QPushButton,
    QSizePolicy,
    QStyle,
    QVBoxLayout,
    QWidget,
)

from pmpm_desktop.io.detect import FieldChoice
from pmpm_desktop.io.fields import fields
from pmpm_desktop.io.table import EXCEL_SUFFIXES, TEXT_SUFFIXES
from pmpm_desktop.services.preview import FieldMapping

#: what the wizard accepts (the readers' own list, so the two never disagree)
IMPORTABLE = tuple(sorted(EXCEL_SUFFIXES | TEXT_SUFFIXES))
NOT_IN_FILE = "(not in this file)"

#: how a field is named on screen, per file kind (the dictionary's names are for code)
_LABELS: dict[str, str] = {
    "row": "Row",
    "member_id": "Member ID",
    "last_name": "Last name",
    "first_name": "First name",
    "full_name": "Member name (LAST, FIRST)",
    "dob": "Date of birth",
    "sex": "Sex",
    "product": "Product",
    "rate_cell": "Rate cell",
    "pcp": "PCP",
    "effective_date": "Effective date",
    "term_date": "Term date",
    "risk_score": "Risk score",
    "coverage_month": "Coverage month",
    "line_type": "Line type",
    "member_name": "Member name",
    "payment_date": "Payment date",
    "reference": "Check / EFT reference",
    "effective_from": "Effective from",
    "effective_to": "Effective to",
    "component": "Component",
    "age_min": "Age from",
    "age_max": "Age to",
}
_AMOUNT = {"remittance": "Amount paid", "rates": "Rate (PMPM)"}


def field_label(kind: str, name: str) -> str:
    if name == "amount":
        return _AMOUNT.get(kind, "Amount")
    return _LABELS.get(name, name.replace("_", " ").capitalize())


def refusal(path: Path) -> str | None:
    """Why ``path`` cannot be imported, in words (None when its type is one the readers take)."""
    if path.is_dir():
        return f"“{path.name}” is a folder. Drop one spreadsheet file from it instead."
    if path.suffix.lower() not in IMPORTABLE:
        return (
            f"“{path.name}” is not a spreadsheet, so it cannot be imported. Use the payer's "
            "Excel workbook (.xlsx, .xlsm, .xls, .ods) or a CSV / text export (.csv, .txt)."
        )
    return None


# --- the drop zone --------------------------------------------------------------------------


class DropZone(QFrame):
    """A large target for a dropped file, with a Browse… button for those who prefer it."""

    #: a local file was dropped (any type: the wizard says why it refuses one)
    file_dropped = Signal(Path)
    #: the drop held something else (several files, a web link); the sentence says what to do
    drop_refused = Signal(str)
    browse_clicked = Signal()

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("dropZone")
        self.setAcceptDrops(True)
        self.setMinimumHeight(150)
        self.setSizePolicy(QSizePolicy.Policy.Expanding, QSizePolicy.Policy.Expanding)
        self._set_hover(False)
        layout = QVBoxLayout(self)
        layout.setSpacing(6)
        layout.addStretch(1)
        icon = QLabel()
        icon.setPixmap(self.style().standardIcon(QStyle.StandardPixmap.SP_FileIcon).pixmap(40))
        icon.setAlignment(Qt.AlignmentFlag.AlignCenter)
        layout.addWidget(icon)
        self.title = QLabel("Drop the payer's file here")
        self.title.setObjectName("dropTitle")
        font = self.title.font()
        font.setPointSizeF(font.pointSizeF() * 1.25)
        font.setBold(True)
        self.title.setFont(font)
        self.title.setAlignment(Qt.AlignmentFlag.AlignCenter)
        layout.addWidget(self.title)
        self.hint = QLabel(self._HINT)
        self.hint.setAlignment(Qt.AlignmentFlag.AlignCenter)
        self.hint.setEnabled(False)  # drawn in the palette's muted text colour
        layout.addWidget(self.hint)
        row = QHBoxLayout()
        row.addStretch(1)
        self.browse = QPushButton("Browse…")
        self.browse.setObjectName("browseButton")
        self.browse.clicked.connect(self.browse_clicked)
        row.addWidget(self.browse)
        row.addStretch(1)
        layout.addLayout(row)
        layout.addStretch(1)

    _HINT = "Excel workbook (.xlsx, .xlsm, .xls, .ods) or CSV / text export"

    def show_file(self, path: Path | None) -> None:
        self.title.setText(path.name if path is not None else "Drop the payer's file here")
        self.hint.setText("Drop another file here to use it instead" if path else self._HINT)

    def _set_hover(self, hover: bool) -> None:
        colour = "palette(highlight)" if hover else "palette(mid)"
        background = "palette(alternate-base)" if hover else "palette(base)"
        self.setStyleSheet(
            f"QFrame#dropZone {{ border: 2px dashed {colour}; border-radius: 10px; "
            f"background: {background}; }}"
        )

    def dragEnterEvent(self, event: QDragEnterEvent) -> None:
        mime = event.mimeData()
        if mime.hasUrls() and any(u.isLocalFile() for u in mime.urls()):
            event.acceptProposedAction()
            self._set_hover(True)
        else:
            event.ignore()

    def dragLeaveEvent(self, event: QDragLeaveEvent) -> None:
        self._set_hover(False)
        super().dragLeaveEvent(event)

    def dropEvent(self, event: QDropEvent) -> None:
        self._set_hover(False)
        files = [Path(u.toLocalFile()) for u in event.mimeData().urls() if u.isLocalFile()]
        if len(files) != 1:
            event.ignore()
            self.drop_refused.emit(
                "Drop one file at a time: the wizard imports a single payer file."
                if files
                else "Only files on this computer can be imported."
            )
            return
        event.acceptProposedAction()
        self.file_dropped.emit(files[0])


# --- the mapping editor ---------------------------------------------------------------------

_SOURCE_WORDS = {"override": "your choice", "profile": "saved layout", "detected": "detected"}


class MappingEditor(QWidget):
    """One row per field of the file kind: its name (required ones marked), a combo of the
    file's columns, and where the current choice came from."""

    #: the user chose a column for a field (None: "(not in this file)")
    column_chosen = Signal(str, object)

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("mappingEditor")
        self.kind: str | None = None
        self._grid = QGridLayout(self)
        self._grid.setContentsMargins(0, 0, 0, 0)
        self._grid.setHorizontalSpacing(10)
        self._grid.setVerticalSpacing(6)
        self._grid.setColumnStretch(1, 1)
        self._combos: dict[str, QComboBox] = {}
        self._sources: dict[str, QLabel] = {}
        self._names: dict[str, QLabel] = {}
        self._required: dict[str, bool] = {}
        self._headers: tuple[str, ...] = ()

    # -- building --------------------------------------------------------------------------
    def set_kind(self, kind: str) -> None:
        """One row per field of ``kind`` (rebuilt only when the kind changes)."""
        if kind == self.kind:
            return
        self.kind = kind
        while self._grid.count():
            item = self._grid.takeAt(0)
            if item.widget() is not None:
                item.widget().deleteLater()
        self._combos.clear()
        self._sources.clear()
        self._names.clear()
        self._required.clear()
        self._headers = ()
        heads = ("Field", "Column in the file", "Found by")
        for c, text in enumerate(heads):
            head = QLabel(f"<b>{text}</b>")
            self._grid.addWidget(head, 0, c)
        for r, spec in enumerate(fields(kind), start=1):
            name = QLabel(field_label(kind, spec.name) + (" *" if spec.required else ""))
            name.setToolTip("Required: the file must have this column" if spec.required else "")
            combo = QComboBox()
            combo.setObjectName(f"map_{spec.name}")
            combo.setSizeAdjustPolicy(QComboBox.SizeAdjustPolicy.AdjustToContents)
            combo.setMinimumContentsLength(14)
            combo.addItem(NOT_IN_FILE)
            combo.currentIndexChanged.connect(lambda _i, f=spec.name: self._changed(f))
            source = QLabel()
            source.setObjectName(f"source_{spec.name}")
            self._grid.addWidget(name, r, 0)
            self._grid.addWidget(combo, r, 1)
            self._grid.addWidget(source, r, 2)
            self._combos[spec.name] = combo
            self._sources[spec.name] = source
            self._names[spec.name] = name
            self._required[spec.name] = spec.required
        note = QLabel("* required")
        note.setEnabled(False)
        self._grid.addWidget(note, len(self._combos) + 1, 0, 1, 3)
        self._grid.setRowStretch(len(self._combos) + 2, 1)
        # Widgets added to a shown parent appear only at the next event-loop turn; show them
        # now so the editor is never drawn empty.
        for i in range(self._grid.count()):
            widget = self._grid.itemAt(i).widget()
            if widget is not None:
                widget.show()

    def show_mapping(
        self,
        headers: Sequence[str],
        mapping: Sequence[FieldMapping],
        choices: dict[str, FieldChoice] | None = None,
    ) -> None:
        """Show the preview's columns and choices (without re-announcing them as the user's)."""
        by_field = {m.field: m for m in mapping}
        choices = choices or {}
        for name, combo in self._combos.items():
            combo.blockSignals(True)
            if tuple(headers) != self._headers:
                combo.clear()
                combo.addItem(NOT_IN_FILE)
                combo.addItems(list(headers))
            chosen = by_field.get(name)
            index = combo.findText(chosen.column) if chosen is not None else 0
            combo.setCurrentIndex(max(index, 0))
            combo.blockSignals(False)
            self._show_source(name, chosen, choices.get(name), bool(headers))
        self._headers = tuple(headers)

    def _show_source(
        self, name: str, chosen: FieldMapping | None, choice: FieldChoice | None, read: bool
    ) -> None:
        label = self._sources[name]
        required = self._required[name]
        label.setStyleSheet("")
        tip = ""
        if chosen is None:
            if required and read:
                text = "missing"
                tip = "Required: choose the column of the file that holds it"
                label.setStyleSheet("color: #b3261e; font-weight: bold;")
            else:
                text = ""
        else:
            text = _SOURCE_WORDS.get(chosen.source, chosen.source)
            if chosen.source == "detected" and choice is not None:
                sure = choice.confidence
                how = {
                    "name": "its name",
                    "partial name": "part of its name",
                    "values": "the values under it",
                    "given": "your choice",
                }.get(choice.how, choice.how)
                tip = f"Recognised by {how} ({round(sure * 100)}% sure)"
                if sure < 0.5:
                    text = "detected: please check"
                    label.setStyleSheet("color: #8a5a00;")
            elif chosen.source == "profile":
                tip = "As in this payer's last file of this layout"
        label.setText(text)
        label.setToolTip(tip)
        self._names[name].setStyleSheet(
            "font-weight: bold;" if required else ""
        )  # required fields stand out

    def _changed(self, name: str) -> None:
        text = self._combos[name].currentText()
        self.column_chosen.emit(name, None if text == NOT_IN_FILE else text)

    # -- reading ---------------------------------------------------------------------------
    def combo(self, name: str) -> QComboBox:
        return self._combos[name]

    def source_text(self, name: str) -> str:
        return self._sources[name].text()

    def revert(self, name: str, column: str | None) -> None:
        """Put a combo back (a choice the preview could not take)."""
        combo = self._combos[name]
        combo.blockSignals(True)
        combo.setCurrentIndex(max(combo.findText(column), 0) if column else 0)
        combo.blockSignals(False)
