"""The drop zone of the wizard's first step, and which files it takes.

It only collects a path; reading the file is ``services.preview`` (run by the wizard in the
background). Only a file of an unknown extension has its first bytes looked at here, to take an
EDI, MMR, FHIR or fixed-width file whatever it is called (``.834``, ``.edi``, ``.dat``, none).
"""

from __future__ import annotations

from pathlib import Path

from PySide6.QtCore import Qt, Signal
from PySide6.QtGui import QDragEnterEvent, QDragLeaveEvent, QDropEvent
from PySide6.QtWidgets import (
    QFrame,
    QHBoxLayout,
    QLabel,
    QPushButton,
    QSizePolicy,
    QStyle,
    QVBoxLayout,
    QWidget,
)

from pmpm_desktop.io.machine_file import Format
from pmpm_desktop.io.table import EXCEL_SUFFIXES, TEXT_SUFFIXES
from pmpm_desktop.ui.import_wizard.content_kind import file_format

#: what the wizard accepts by its extension (the readers' own list, so the two never disagree);
#: a file of another extension is taken when its content is a machine format
IMPORTABLE = tuple(sorted(EXCEL_SUFFIXES | TEXT_SUFFIXES))
#: the extensions machine formats often come with, offered by Browse… beside IMPORTABLE
MACHINE_SUFFIXES = (".834", ".271", ".820", ".835", ".edi", ".x12", ".dat", ".json", ".ndjson")


def refusal(path: Path) -> str | None:
    """Why ``path`` cannot be imported, in words (None when the readers take it: by its type,
    or by its first bytes for an X12, MMR, FHIR or fixed-width file of any name)."""
    if path.is_dir():
        return f"“{path.name}” is a folder. Drop one payer file from it instead."
    if path.suffix.lower() in IMPORTABLE or not path.exists():
        return None  # a missing file is said as such by the wizard
    try:
        machine = file_format(path) is not Format.SPREADSHEET
    except OSError as exc:
        return f"“{path.name}” cannot be opened: {exc.strerror or exc}."
    if machine:
        return None
    return (
        f"“{path.name}” is not a spreadsheet, so it cannot be imported. Use the payer's "
        "Excel workbook (.xlsx, .xlsm, .xls, .ods), a CSV / text export (.csv, .txt), or its "
        "X12 EDI, CMS MMR, FHIR attribution list or fixed-width file."
    )


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

    _HINT = (
        "Excel workbook, CSV / text export, X12 EDI (834, 271, 820, 835), CMS MMR, "
        "FHIR attribution list or fixed-width file"
    )

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
