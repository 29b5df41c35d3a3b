"""Step 2, *Columns & preview*: ``services.preview`` run in the background shows the sheet, the
header row, each field's column and the first rows; any correction the user makes (sheet,
header row, a field's column) reads the file again."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import Any

from PySide6.QtCore import Qt
from PySide6.QtWidgets import (
    QComboBox,
    QFrame,
    QGroupBox,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QProgressBar,
    QPushButton,
    QScrollArea,
    QSpinBox,
    QSplitter,
    QVBoxLayout,
    QWidget,
)

from pmpm_desktop.io.detect import FieldChoice
from pmpm_desktop.io.machine_file import Format
from pmpm_desktop.io.options import FileKind
from pmpm_desktop.services.preview import Preview
from pmpm_desktop.ui import format as fmt
from pmpm_desktop.ui.dialogs import error_text
from pmpm_desktop.ui.import_wizard.found_panel import FoundPanel
from pmpm_desktop.ui.import_wizard.machine_formats import MachineFormats
from pmpm_desktop.ui.import_wizard.mapping_editor import MappingEditor, field_label
from pmpm_desktop.ui.import_wizard.outcome_text import (
    already_sentence,
    missing_field,
    plain_error,
    plural,
    unreadable_sentence,
    with_article,
    wrong_kind_sentence,
)
from pmpm_desktop.ui.import_wizard.preview_answers import PreviewAnswers
from pmpm_desktop.ui.import_wizard.read_report_view import row_decisions
from pmpm_desktop.ui.import_wizard.values_editor import value_fields
from pmpm_desktop.ui.import_wizard.widgets import banner, set_banner, step_page, table
from pmpm_desktop.ui.operations import imports as ops
from pmpm_desktop.ui.operations.import_data import PreviewOutcome, PreviewRequest
from pmpm_desktop.ui.table_model import Column, RowsModel


class PreviewStep(PreviewAnswers, MachineFormats):
    """Step 2: the preview read in the background, and the user's corrections."""

    def _build_preview(self) -> QWidget:
        """The page of step 2."""
        page, layout = step_page()
        layout.addLayout(self._build_top())
        self.layout_label = banner("info")
        self.layout_label.setObjectName("layoutLabel")
        layout.addWidget(self.layout_label)
        layout.addLayout(self._build_problem_row())
        layout.addWidget(self.content_question)
        layout.addWidget(self._build_decimal_box())
        split = QSplitter(Qt.Orientation.Horizontal)
        split.addWidget(self._build_columns())
        split.addWidget(self._build_rows())
        split.setStretchFactor(0, 0)
        split.setStretchFactor(1, 1)
        split.setSizes([480, 620])
        self.preview_split = split
        layout.addWidget(split, 1)
        return page

    def _build_top(self) -> QHBoxLayout:
        """The file, its sheet and header row (or its standard and layout), and "Reading"."""
        top = QHBoxLayout()
        self.file_label = QLabel()
        self.file_label.setObjectName("previewFile")
        top.addWidget(self.file_label)
        top.addSpacing(16)
        # A machine format's standard, and its layout button, where a sheet's choices are.
        self.format_label = QLabel()
        self.format_label.setObjectName("formatLabel")
        self.format_label.setVisible(False)
        top.addWidget(self.format_label)
        self.layout_button = QPushButton("Edit layout…")
        self.layout_button.setObjectName("editLayout")
        self.layout_button.setToolTip("Where each field sits on a line of this fixed-width file")
        self.layout_button.setVisible(False)
        self.layout_button.clicked.connect(self.open_layout_editor)
        top.addWidget(self.layout_button)
        self.sheet_label = QLabel("Sheet:")
        top.addWidget(self.sheet_label)
        self.sheet_combo = QComboBox()
        self.sheet_combo.setObjectName("sheetCombo")
        self.sheet_combo.setMinimumContentsLength(12)
        self.sheet_combo.currentIndexChanged.connect(lambda _i: self._sheet_changed())
        top.addWidget(self.sheet_combo)
        top.addSpacing(8)
        self.header_label = QLabel("Header row:")
        top.addWidget(self.header_label)
        self.header_spin = QSpinBox()
        self.header_spin.setObjectName("headerRow")
        self.header_spin.setRange(1, 10_000)
        self.header_spin.setKeyboardTracking(False)  # typing "12" reads once, not at "1"
        self.header_spin.valueChanged.connect(lambda _v: self._header_changed())
        top.addWidget(self.header_spin)
        top.addStretch(1)
        self.busy = QProgressBar()
        self.busy.setObjectName("previewBusy")
        self.busy.setRange(0, 0)
        self.busy.setMaximumWidth(120)
        self.busy.setTextVisible(False)
        self.busy_label = QLabel("Reading the file…")
        top.addWidget(self.busy_label)
        top.addWidget(self.busy)
        return top

    def _build_columns(self) -> QWidget:
        """The left tabs: each field's column, how the file was read, values for every row."""
        left = QWidget()
        left_layout = QVBoxLayout(left)
        left_layout.setContentsMargins(2, 6, 2, 2)
        self.mapping = MappingEditor()
        self.mapping.column_chosen.connect(self._column_chosen)
        scroll = QScrollArea()
        scroll.setWidgetResizable(True)
        scroll.setFrameShape(QFrame.Shape.NoFrame)
        scroll.setWidget(self.mapping)
        scroll.setHorizontalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAlwaysOff)
        left_layout.addWidget(scroll)
        self.mapping_note = QLabel()
        self.mapping_note.setObjectName("mappingNote")
        self.mapping_note.setWordWrap(True)
        self.mapping_note.setStyleSheet("color: #8a5a00;")
        self.mapping_note.setVisible(False)
        left_layout.addWidget(self.mapping_note)
        tabs = self._build_left_tabs(left)
        tabs.setMinimumWidth(470)
        return tabs

    def _build_rows(self) -> QSplitter:
        """What a machine-format file was found to hold (hidden otherwise), over its rows."""
        right_side = QSplitter(Qt.Orientation.Vertical)
        right_side.setChildrenCollapsible(False)
        self.right_split = right_side
        self.found_panel = FoundPanel()
        right_side.addWidget(self.found_panel)
        right = QGroupBox("The first rows, as they will be imported")
        right_side.addWidget(right)
        right_side.setStretchFactor(1, 1)
        right_layout = QVBoxLayout(right)
        self.rows_model = RowsModel([])
        self.rows_view = table(self.rows_model)
        self.rows_view.setObjectName("previewRows")
        right_layout.addWidget(self.rows_view)
        self.rows_label = QLabel()
        self.rows_label.setObjectName("rowsLabel")
        self.rows_label.setWordWrap(True)
        right_layout.addWidget(self.rows_label)
        return right_side

    def request(self) -> PreviewRequest | None:
        """What the preview reads now (None until step 1 is complete)."""
        if not self._choose_ready():
            return None
        assert self.kind is not None and self.payer_code is not None and self.path is not None
        return PreviewRequest(
            payer=self.payer_code,
            kind=self.kind,
            path=self.path,
            roster_month=self.roster_month if self.kind is FileKind.ROSTER else None,
            mapping=dict(self.overrides),
            sheet=self._sheet,
            header_row=self._header_row,
            values=tuple(self.values_editor.values().items()),
            decimal_comma=self._decimal,
            layout=self._layout,
        )

    def refresh_preview(self) -> None:
        """Read the file again with the current choices, in the background (a change made
        while a preview is read replaces that reading: only the newest one reports)."""
        request = self.request()
        if request is None:
            return
        self._reading = True
        self._show_busy(True)
        self.ctx.run(
            ops.read_preview(self.ctx.db, request, self._detections, latest=self.latest("preview")),
            parent=self,
            on_success=self._alive_only(self._preview_done),
            on_failure=self._alive_only(self._preview_error),
            on_cancel=self._alive_only(lambda: self._preview_error(None)),
            show_progress=False,
        )

    def _preview_done(self, outcome: PreviewOutcome) -> None:
        self._reading = False
        self._show_busy(False)
        self.current = outcome
        self.show_preview(outcome)
        self.ask_layout_once(outcome.preview)

    def _preview_error(self, exc: BaseException | None) -> None:
        self._reading = False
        self._show_busy(False)
        self.current = None
        text = "Reading the file was cancelled." if exc is None else error_text(exc)[0]
        set_banner(self.preview_banner, text, "error")
        set_banner(self.layout_label, None)
        self.rows_model.set_rows([])
        self.rows_label.setText("")
        self._update_buttons()

    def _show_busy(self, busy: bool) -> None:
        self.busy.setVisible(busy)
        self.busy_label.setVisible(busy)
        self._update_buttons()

    def show_preview(self, outcome: PreviewOutcome) -> None:
        p = outcome.preview
        kind = outcome.request.kind
        self.file_label.setText(f"<b>{p.file_name}</b>")
        self._show_sheet(p)
        self.mapping.set_kind(kind)
        choices: dict[str, FieldChoice] = {}
        if outcome.detection is not None:
            choices = {c.field: c for c in outcome.detection.fields}
        self.show_format(p)
        if p.format is not Format.SPREADSHEET:
            self.show_elements(p)
        else:
            # A file of another kind has no column to choose for this kind: none is "missing".
            headers = p.headers if p.wrong_kind is None else ()
            self.mapping.show_mapping(headers, p.mapping, choices)
        set_banner(self.layout_label, self._layout_sentence(outcome), "info")
        # Nothing to map or look at in a file whose cells cannot be read: only what to do.
        self.preview_split.setVisible(not p.unreadable)
        self.another_button.setVisible(p.unreadable)
        self._show_banner(kind, p)
        self._show_answers(kind, p)
        self._show_rows(kind, p)
        self.ask_about_payers(p.named_payers, by_name=False)
        self._update_buttons()

    def _show_sheet(self, p: Preview) -> None:
        """The sheet and header row read, without re-reading the file for the values shown."""
        for widget in (self.sheet_combo, self.header_spin):
            widget.blockSignals(True)
        self.sheet_combo.clear()
        self.sheet_combo.addItems(list(p.sheets))
        if p.sheet is not None:
            self.sheet_combo.setCurrentText(p.sheet)
        self.sheet_combo.setEnabled(len(p.sheets) > 1)
        self.sheet_combo.setToolTip(
            "" if p.sheets else "A CSV or text file has no sheets: there is nothing to choose"
        )
        if p.header_row is not None:
            self.header_spin.setValue(p.header_row)
        for widget in (self.sheet_combo, self.header_spin):
            widget.blockSignals(False)

    def _show_banner(self, kind: FileKind, p: Preview) -> None:
        """The one sentence above the preview: what stops the import, or nothing."""
        if p.unreadable:
            set_banner(self.preview_banner, unreadable_sentence(p.error or ""), "error")
        elif p.needs_layout is not None:
            set_banner(self.preview_banner, self.layout_needed_sentence(p), "warning")
        elif p.wrong_kind is not None:
            set_banner(self.preview_banner, wrong_kind_sentence(p), "error")
        elif p.error is not None:
            name = missing_field(p.error)
            can_give = name is not None and name in value_fields(kind)
            text = plain_error(kind, p.file_name, p.error, can_give=can_give)
            set_banner(self.preview_banner, text, "error")
        elif p.decimal_question is not None:
            set_banner(
                self.preview_banner,
                "PMPM cannot tell how this file writes its numbers: answer the question below "
                "to go on.",
                "warning",
            )
        elif p.already_imported is not None:
            set_banner(self.preview_banner, already_sentence(p), "warning")
        elif p.row_count == 0 and not p.payer_payments:
            set_banner(self.preview_banner, f"{p.file_name} has no data rows to import.", "error")
        else:
            set_banner(self.preview_banner, None)

    def _layout_sentence(self, outcome: PreviewOutcome) -> str:
        p = outcome.preview
        if p.format is not Format.SPREADSHEET:
            return self.machine_sentence(p)
        where = f"row {p.header_row}" if p.header_row is not None else ""
        rows = p.read.header_rows if p.read is not None else ()
        if len(rows) > 1:
            where = f"rows {rows[0]}–{rows[-1]}"  # a header spread over several rows
        if p.sheet is not None and len(p.sheets) > 1:
            where += f" of sheet “{p.sheet}”"
        if p.wrong_kind is not None or p.unreadable:
            return ""
        more = row_decisions(p.read)
        also = (
            f" PMPM took {plural(more, 'more decision')} on its own (rows skipped or filled, "
            "styles): see “How the file was read”."
            if more and p.error is None
            else ""
        )
        if p.profile is not None:
            return (
                f"Using the saved layout “{p.profile}”: the header is on "
                f"{where}. Change anything below if this file differs.{also}"
            )
        if outcome.request.header_row is not None:
            return f"The header is on {where}, as you chose.{also}"
        if p.error is not None and p.header_row is not None:
            return f"The header seems to be on {where}."
        detection = outcome.detection
        if detection is None or p.header_row is None:
            return "Choose the header row and the columns below."
        if detection.confident:
            return (
                f"Found the header on {where}: a clear match. Check that the columns below "
                f"are right; PMPM will remember them for this payer's next file.{also}"
            )
        return (
            f"The header is probably on {where}, but PMPM is not sure (another row looked "
            "almost as likely). Check the columns and the first rows below, and change the "
            f"header row if they look wrong.{also}"
        )

    def _show_rows(self, kind: FileKind, p: Preview) -> None:
        columns = [preview_column(kind, name, i, p.rows) for i, name in enumerate(p.columns)]
        if p.format is Format.X12 and columns:
            # an X12 row is numbered by the segment that opens its loop (INS, ENT, HL)
            columns[0] = Column(
                "Segment", columns[0].value, "int", "The number of the segment its loop opens with"
            )
        self.rows_model.beginResetModel()
        self.rows_model.columns = columns
        self.rows_model.endResetModel()
        self.rows_model.set_rows(list(p.rows))
        header = self.rows_view.horizontalHeader()
        header.resizeSections(QHeaderView.ResizeMode.ResizeToContents)
        if p.wrong_kind is not None:
            self.rows_label.setText(f"Not read: it is {with_article(p.wrong_kind.label)}.")
        elif p.error is not None:
            self.rows_label.setText("")
        elif p.decimal_question is not None:
            self.rows_label.setText(
                "The amounts are shown read with a decimal point until you answer the question "
                "about decimals."
            )
        elif p.row_count == 0 and p.payer_payments:
            self.rows_label.setText(
                f"No member lines: {plural(p.payer_payments, 'payer-level payment')} would be "
                "imported (see “What was found”)."
            )
        elif p.row_count > len(p.rows):
            self.rows_label.setText(
                f"The first {len(p.rows)} of {fmt.count(p.row_count)} rows that would be imported."
            )
        else:
            self.rows_label.setText(f"All {fmt.count(p.row_count)} rows that would be imported.")

    # -- the user's corrections ------------------------------------------------------------
    def _sheet_changed(self) -> None:
        self._sheet = self.sheet_combo.currentText() or None
        self._header_row = None  # a new sheet: find its header again
        self.refresh_preview()

    def _header_changed(self) -> None:
        if self.current is not None and self.current.preview.sheet is not None:
            self._sheet = self.current.preview.sheet
        self._header_row = self.header_spin.value()
        self.refresh_preview()

    def _column_chosen(self, name: str, column: str | None) -> None:
        self.mapping_note.setVisible(False)
        if column is not None:
            self.overrides[name] = column
        elif name in self.overrides:
            del self.overrides[name]  # back to what the layout / detection says
        else:
            current = self.current.preview.mapping_dict() if self.current else {}
            if name in current:
                # The readers always use a column they recognise; an override can only point a
                # field at another column, so say so instead of pretending.
                self.mapping.revert(name, current[name])
                kind = self.current.request.kind if self.current else ""
                self.mapping_note.setText(
                    f"“{current[name]}” is read as {field_label(kind, name)} because of its "
                    "name. If that is wrong, choose the right column for it instead."
                )
                self.mapping_note.setVisible(True)
                return
        self.refresh_preview()

    def clear_preview(self, file_name: str) -> None:
        """Forget the previous file's preview and corrections (another file was chosen)."""
        self.current = None
        self.overrides.clear()
        self._sheet = self._header_row = None
        self.rows_model.set_rows([])
        set_banner(self.preview_banner, None)
        set_banner(self.layout_label, None)
        self.switch_button.setVisible(False)
        self.mapping_note.setVisible(False)
        self.found_panel.show_facts(None, ())
        self.content_question.close_question()
        self.preview_split.setVisible(True)
        self.another_button.setVisible(False)
        self.forget_layout()
        self.file_label.setText(f"<b>{file_name}</b>")


def preview_column(kind: str, name: str, index: int, rows: Any) -> Column:
    """A grid column for one of the preview's values (its kind from the values themselves)."""
    sample = next((r[index] for r in rows if r[index] is not None), None)
    title = field_label(kind, name)
    if name == "row":
        return Column(title, _cell(index), "int", "The row number in the file")
    if name == "amount":
        return Column(title, _cell(index), "money")
    if name == "risk_score":
        return Column(title, lambda r: _score(r[index]), "text")
    if isinstance(sample, int):
        return Column(title, _cell(index), "int")
    if sample is not None and hasattr(sample, "isoformat"):
        return Column(title, _cell(index), "date")
    return Column(title, _cell(index), "text")


def _cell(index: int) -> Callable[[Sequence[Any]], Any]:
    """The ``index``-th value of a preview row."""
    return lambda row: row[index]


def _score(value: Any) -> str | None:
    """A risk score as the roster wrote it: ``1.234``, not ``1.234000``."""
    if value is None:
        return None
    text = f"{value.normalize():f}" if hasattr(value, "normalize") else str(value)
    return text if "." in text else text + ".0"
