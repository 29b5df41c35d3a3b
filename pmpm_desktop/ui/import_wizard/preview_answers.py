"""What the preview step asks of the user and tells them beyond the columns and rows: a file
refused as another kind (and the switch to that kind), the decimal question, the values given
for every row, and how the file was read.

Each answer reads the file again through the preview, as the import will read it; the answers
belong to the chosen file and are forgotten when another file is chosen.
"""

from __future__ import annotations

from PySide6.QtCore import Qt
from PySide6.QtWidgets import (
    QFrame,
    QHBoxLayout,
    QPushButton,
    QScrollArea,
    QTabWidget,
    QVBoxLayout,
    QWidget,
)

from pmpm_desktop.io.options import FileKind
from pmpm_desktop.services.preview import Preview
from pmpm_desktop.ui.import_wizard.base import CHOOSE, WizardBase
from pmpm_desktop.ui.import_wizard.decimal_box import DecimalBox
from pmpm_desktop.ui.import_wizard.outcome_text import missing_field, with_article
from pmpm_desktop.ui.import_wizard.read_report_view import ReadReportView
from pmpm_desktop.ui.import_wizard.values_editor import ValuesEditor
from pmpm_desktop.ui.import_wizard.widgets import banner

#: the tabs of the left panel
COLUMNS_TAB, READ_TAB, VALUES_TAB = range(3)


class PreviewAnswers(WizardBase):
    """The preview's refusal row, decimal question, values editor and read report."""

    def _build_problem_row(self) -> QHBoxLayout:
        """The preview's banner, with "Import it as … instead" beside a wrong-kind refusal."""
        row = QHBoxLayout()
        self.preview_banner = banner("error")
        self.preview_banner.setObjectName("previewBanner")
        row.addWidget(self.preview_banner, 1)
        self.switch_button = QPushButton()
        self.switch_button.setObjectName("switchKind")
        self.switch_button.setVisible(False)
        self.switch_button.clicked.connect(self._switch_to_other_kind)
        row.addWidget(self.switch_button, 0, Qt.AlignmentFlag.AlignVCenter)
        self.another_button = QPushButton("Choose another file")
        self.another_button.setObjectName("chooseAnotherFile")
        self.another_button.setVisible(False)
        self.another_button.clicked.connect(self._choose_another_file)
        row.addWidget(self.another_button, 0, Qt.AlignmentFlag.AlignVCenter)
        return row

    def _build_decimal_box(self) -> DecimalBox:
        self.decimal_box = DecimalBox()
        self.decimal_box.answered.connect(self._decimal_answered)
        return self.decimal_box

    def _build_left_tabs(self, columns: QWidget) -> QTabWidget:
        """Columns (``columns``), How the file was read, Values for every row."""
        self.left_tabs = QTabWidget()
        self.left_tabs.setObjectName("previewTabs")
        self.left_tabs.setDocumentMode(True)
        self.left_tabs.addTab(columns, "Columns")
        self.read_view = ReadReportView()
        self.left_tabs.addTab(self.read_view, "How the file was read")
        self.values_editor = ValuesEditor()
        self.values_editor.values_changed.connect(self.refresh_preview)
        holder = QWidget()
        column = QVBoxLayout(holder)
        column.setContentsMargins(2, 6, 6, 2)
        column.addWidget(self.values_editor)
        scroll = QScrollArea()
        scroll.setWidgetResizable(True)
        scroll.setFrameShape(QFrame.Shape.NoFrame)
        scroll.setHorizontalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAlwaysOff)
        scroll.setWidget(holder)
        self.left_tabs.addTab(scroll, "Values for every row")
        self._readied: str | None = None
        return self.left_tabs

    # -- showing a preview ----------------------------------------------------------------
    def _show_answers(self, kind: FileKind, p: Preview) -> None:
        """The refusal's switch, the decimal question, the read report and the values' state
        for the preview ``p`` of a ``kind`` file."""
        other = p.wrong_kind
        self.switch_button.setVisible(other is not None)
        if other is not None:
            self.switch_button.setText(f"Import it as {with_article(other.label)} instead")
        # Nothing the user maps or gives makes a file of another kind this one.
        self.mapping.setEnabled(other is None)
        self.values_editor.setEnabled(other is None)
        self.decimal_box.ask(p.decimal_question, self._decimal)
        if p.read is not None:
            self.read_view.show_report(p.read)
        elif other is not None:
            asked, found = with_article(FileKind(kind).label), with_article(other.label)
            self.read_view.show_report(None, f"Not read as {asked}: it is {found}.")
        else:
            self.read_view.show_report(None, "The file could not be read: see the message above.")
        if p.unreadable:
            self.left_tabs.setCurrentIndex(COLUMNS_TAB)
        self.values_editor.show_others(
            {f: v for f, v in (p.read.values if p.read is not None else {}).items()}
        )
        self._ready_missing_value(kind, p)

    def _ready_missing_value(self, kind: FileKind, p: Preview) -> None:
        """For a file without a column for a required field that one value for every row can
        give (a statement's coverage month): that field's row in the values editor, ready."""
        name = missing_field(p.error) if p.wrong_kind is None else None
        edit = self.values_editor.ready_for(name) if name is not None else None
        if edit is None:
            self._readied = None
            return
        if name != self._readied:  # once per missing field: the user may go to Columns
            self._readied = name
            self.left_tabs.setCurrentIndex(VALUES_TAB)
            edit.setFocus()

    # -- the user's answers ---------------------------------------------------------------
    def _switch_to_other_kind(self) -> None:
        p = self.current.preview if self.current is not None else None
        if p is None or p.wrong_kind is None:
            return
        self.switch_button.setVisible(False)
        self.switch_kind(p.wrong_kind)

    def _choose_another_file(self) -> None:
        """Back to step 1, the unreadable file forgotten, for the user to drop another."""
        self.clear_file()
        self.current = None
        self.go(CHOOSE)

    def _decimal_answered(self, comma: bool) -> None:
        self._decimal = comma
        self.refresh_preview()

    def forget_answers(self) -> None:
        """Another file: its values and decimal style are its own to give."""
        self.values_editor.clear()
        self._decimal = None
        self._readied = None
