"""The preview step for machine formats (X12, the CMS MMR, FHIR attribution lists, fixed-width
files): the standard where a spreadsheet's sheet and header row are, "What was found", each
field's element (the member ID may be REF*0F for a payer), and a fixed-width file's layout,
asked once per payer in the layout editor.

The preview (``services.machine_preview``) reads the file as the import will; this module only
shows what it found and collects the user's choices (the elements, the layout), which the
preview then reads the file with again.
"""

from __future__ import annotations

from PySide6.QtCore import Qt
from PySide6.QtWidgets import (
    QComboBox,
    QLabel,
    QPushButton,
    QSpinBox,
    QSplitter,
    QTabWidget,
)

from pmpm_desktop.io.fields import label
from pmpm_desktop.io.fixed_layout import FixedLayout
from pmpm_desktop.io.fixed_width import and_list
from pmpm_desktop.io.machine_file import Format
from pmpm_desktop.io.options import FileKind
from pmpm_desktop.services.preview import Preview
from pmpm_desktop.ui.import_wizard.base import WizardBase
from pmpm_desktop.ui.import_wizard.found_panel import FoundPanel
from pmpm_desktop.ui.import_wizard.layout_editor import LayoutEditor

#: what the mapping editor's middle column is called, per format
_HEADINGS = {
    Format.X12: "Element",
    Format.MMR: "Field of the record",
    Format.FHIR_ATR: "FHIR element",
    Format.FIXED_WIDTH: "Columns",
}


class MachineFormats(WizardBase):
    """How step 2 shows a machine-format file, and the fixed-width layout editor."""

    # widgets of step 2 (preview_step builds them)
    format_label: QLabel
    layout_button: QPushButton
    sheet_label: QLabel
    sheet_combo: QComboBox
    header_label: QLabel
    header_spin: QSpinBox
    found_panel: FoundPanel
    right_split: QSplitter
    preview_split: QSplitter
    left_tabs: QTabWidget
    #: the layout the user set for the chosen file (None: the payer's saved one, if any)
    _layout: FixedLayout | None = None
    #: the layout editor opened by itself once for this file (the user may close it)
    _layout_asked: bool = False
    layout_editor: LayoutEditor | None = None

    def show_format(self, p: Preview) -> None:
        """The standard instead of the sheet and header row, and what was found."""
        machine = p.format is not Format.SPREADSHEET
        for widget in (self.sheet_label, self.sheet_combo, self.header_label, self.header_spin):
            widget.setVisible(not machine)
        self.format_label.setVisible(machine)
        self.format_label.setText(p.format.label[:1].upper() + p.format.label[1:])
        self.layout_button.setVisible(p.format is Format.FIXED_WIDTH and p.wrong_kind is None)
        # A machine format's fields are short element names: the rows get the room.
        narrow = 400 if machine else 470
        if self.left_tabs.minimumWidth() != narrow:
            self.left_tabs.setMinimumWidth(narrow)
            total = sum(self.preview_split.sizes())
            if total > 0:
                self.preview_split.setSizes([narrow + 10, max(total - narrow - 10, 0)])
        shown = not self.found_panel.isHidden()
        self.found_panel.show_facts(p.standard, p.facts)
        if not self.found_panel.isHidden() and not shown:
            # Every fact when there is room, never more than half the height: the rows matter.
            total = sum(self.right_split.sizes()) or self.right_split.height()
            high = min(self.found_panel.wanted_height(), total // 2)
            self.right_split.setSizes([high, max(total - high, 0)])

    def show_elements(self, p: Preview) -> None:
        """Each field's element (or a fixed-width field's columns); those a payer may choose
        otherwise can be changed."""
        texts = {}
        if p.layout is not None:
            texts = {
                m.field: f"columns {p.layout.columns(m.field)}"
                for m in p.mapping
                if m.field in p.layout.fields
            }
        heading = _HEADINGS.get(p.format, "Element")
        self.mapping.show_elements(p.mapping, p.element_choices, texts, heading)

    def machine_sentence(self, p: Preview) -> str:
        """How the file is read, over the mapping and the rows."""
        if p.wrong_kind is not None or p.needs_layout is not None:
            return ""
        payer = p.payer_code
        if p.format is Format.FIXED_WIDTH:
            if p.layout is None:
                return ""
            whose = "the layout you set" if self._layout is not None else f"{payer}'s saved layout"
            return (
                f"Read with {whose}: each field from its columns (under “Columns”). "
                f"“Edit layout…” changes it; PMPM keeps it for {payer}'s next files."
            )
        text = f"Read as {p.standard or p.format.label}: each field from its place in the format."
        if p.element_choices and p.error is None:
            names = and_list([label(f) for f in p.element_choices])
            text += (
                f" The {names} can be read from another element under “Columns” if {payer} "
                f"puts them elsewhere; PMPM remembers your choice for {payer}."
            )
        return text

    def layout_needed_sentence(self, p: Preview) -> str:
        kind = FileKind(p.kind).label
        return (
            f"{p.file_name} is a fixed-width file (lines of equal length, no delimiter) and "
            f"{p.payer_code} has no layout for its {kind}s yet. Set where each field sits on a "
            f"line with “Edit layout…”: PMPM keeps the layout for {p.payer_code}, so its next "
            "files are read without asking."
        )

    def ask_layout_once(self, p: Preview) -> None:
        """A fixed-width file without a layout opens the layout editor, once per file."""
        if p.needs_layout is not None and not self._layout_asked:
            self._layout_asked = True
            self.open_layout_editor()

    def open_layout_editor(self) -> LayoutEditor | None:
        """The layout editor over the chosen file, starting from the layout it was read with."""
        if self.path is None or self.kind not in (FileKind.ROSTER, FileKind.STATEMENT):
            return None
        p = self.current.preview if self.current is not None else None
        start = self._layout or (p.layout if p is not None else None)
        editor = LayoutEditor(self.path, FileKind(self.kind), start, self)
        editor.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
        editor.applied.connect(self._layout_applied)
        editor.finished.connect(lambda _result: self._editor_closed(editor))
        self.layout_editor = editor
        editor.open()
        return editor

    def _editor_closed(self, editor: LayoutEditor) -> None:
        if self.layout_editor is editor:
            self.layout_editor = None

    def _layout_applied(self, layout: FixedLayout) -> None:
        self._layout = layout
        self.refresh_preview()

    def forget_layout(self) -> None:
        """Another file: its layout is the payer's saved one until the user sets another."""
        self._layout = None
        self._layout_asked = False
