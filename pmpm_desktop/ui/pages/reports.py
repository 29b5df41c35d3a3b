"""Reports: export the reconciliation workbook (cover, summary, discrepancies, aging, roster
changes, member ledger) for a payer or all, and if asked one dispute packet per payer.

The months default to the months the payers have files for (``services.file_months``), and
each payer is reported for its own: the line under the months says which. The export is the
``operations.reports.export_report`` op; it reconciles first, as ``pmpm report`` does, so the
workbook holds the figures of the files loaded now. The file goes where ``ui.save_location``
says (Documents first, then the folder of the last export).
"""

from __future__ import annotations

import datetime as dt
from pathlib import Path
from typing import Any

from PySide6.QtCore import QUrl
from PySide6.QtGui import QDesktopServices
from PySide6.QtWidgets import (
    QCheckBox,
    QComboBox,
    QFileDialog,
    QFormLayout,
    QFrame,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QLineEdit,
    QPushButton,
    QTableView,
    QVBoxLayout,
    QWidget,
)

from pmpm_desktop.errors import PmpmError
from pmpm_desktop.io.options import FileKind
from pmpm_desktop.services.file_months import (
    FileMonths,
    default_range,
    months_with_files,
    payer_spans,
    spans_text,
)
from pmpm_desktop.services.payers import list_payers
from pmpm_desktop.services.reporting import ReportResult, check_report_path
from pmpm_desktop.ui import dialogs, save_location
from pmpm_desktop.ui.context import AppContext, Changed
from pmpm_desktop.ui.operations.reports import export_report
from pmpm_desktop.ui.pages.base import ContentOrEmpty, EmptyState, Page, page_title
from pmpm_desktop.ui.pages.reports_parts import (
    DESCRIPTION,
    EXPORT_COLUMNS,
    ExportedReport,
    default_file_name,
    exported,
    month_edit,
    month_of,
    outcome_text,
    qdate,
)
from pmpm_desktop.ui.table_model import RowsModel

__all__ = ["ExportedReport", "ReportsPage", "default_file_name"]


class ReportsPage(Page):
    key = "reports"
    title = "Reports"
    depends_on = frozenset({Changed.PAYERS, Changed.IMPORTS})

    def __init__(self, ctx: AppContext, parent: QWidget | None = None) -> None:
        super().__init__(ctx, parent)
        #: True once the user typed or chose a file: the name then stops following the form
        self._path_chosen = False
        #: each payer's months with files, as read on the last refresh
        self._files: FileMonths = {}
        self.last_result: ReportResult | None = None
        self.exported: list[ExportedReport] = []
        self.empty = EmptyState(
            "Nothing to report yet",
            "A report needs a payer with files. Add a payer and import its roster and "
            "remittance files; then export the reconciliation workbook here.",
            [("Import a roster…", self._import_roster)],
        )
        self.body = ContentOrEmpty(self._build_content(), self.empty)
        layout = QVBoxLayout(self)
        layout.addWidget(page_title("Reports"))
        layout.addWidget(self.body, 1)
        self.payer.currentIndexChanged.connect(lambda _i: self._payer_changed())
        self.first.dateChanged.connect(lambda _d: self._months_changed())
        self.last.dateChanged.connect(lambda _d: self._months_changed())
        self._show_exports()

    def _build_form(self) -> QWidget:
        self.payer = QComboBox()
        self.payer.setObjectName("reportPayer")
        self.first = month_edit("reportFrom")
        self.last = month_edit("reportTo")
        self.coverage = QLabel()
        self.coverage.setObjectName("reportCoverage")
        self.coverage.setWordWrap(True)
        self.practice = QLineEdit(self.ctx.settings.practice_name)
        self.practice.setObjectName("practiceName")
        self.practice.setPlaceholderText(
            "Shown on the cover, on every printed page and on the dispute packets (optional)"
        )
        self.practice.editingFinished.connect(self._save_practice)
        self.path = QLineEdit()
        self.path.setObjectName("reportPath")
        self.path.textEdited.connect(self._path_edited)
        self.choose = QPushButton("Choose…")
        self.choose.setObjectName("chooseReportPath")
        self.choose.clicked.connect(self.choose_file)
        self.packets = QCheckBox("Also write a dispute packet for each payer, next to the report")
        self.packets.setObjectName("writePackets")
        self.packets.setToolTip(
            "One workbook per payer with what it must act on (missing, underpaid, paid twice, "
            "paid for members not eligible, late recoupments) and a column for its answer"
        )
        range_row = QHBoxLayout()
        for part in (self.first, QLabel("to"), self.last):
            range_row.addWidget(part)
        range_row.addStretch(1)
        months = QVBoxLayout()
        months.setSpacing(4)
        months.addLayout(range_row)
        months.addWidget(self.coverage)
        path_row = QHBoxLayout()
        path_row.addWidget(self.path, 1)
        path_row.addWidget(self.choose)
        box = QWidget()
        box.setMaximumWidth(860)
        form = QFormLayout(box)
        form.setContentsMargins(0, 0, 0, 0)
        form.addRow("Payer:", self.payer)
        form.addRow("Coverage months:", months)
        form.addRow("Practice name:", self.practice)
        form.addRow("Save as:", path_row)
        form.addRow("Dispute packets:", self.packets)
        return box

    def _build_result(self) -> QFrame:
        """The outcome of the last export, with buttons to open what was written."""
        box = QFrame()
        box.setObjectName("reportResult")
        box.setFrameShape(QFrame.Shape.StyledPanel)
        self.result_label = QLabel()
        self.result_label.setObjectName("reportResultText")
        self.result_label.setWordWrap(True)
        self.open_workbook = QPushButton("Open workbook")
        self.open_workbook.setObjectName("openWorkbook")
        self.open_workbook.clicked.connect(lambda: self._open(self._last_path()))
        self.open_folder = QPushButton("Open folder")
        self.open_folder.setObjectName("openFolder")
        self.open_folder.clicked.connect(lambda: self._open(self._last_path().parent))
        row = QHBoxLayout(box)
        row.addWidget(self.result_label, 1)
        row.addWidget(self.open_workbook)
        row.addWidget(self.open_folder)
        box.hide()
        return box

    def _build_exports(self) -> None:
        self.exports = RowsModel(EXPORT_COLUMNS)
        self.exports_view = QTableView()
        self.exports_view.setObjectName("exportedReports")
        self.exports_view.setModel(self.exports)
        self.exports_view.verticalHeader().setVisible(False)
        self.exports_view.horizontalHeader().setStretchLastSection(False)
        self.exports_view.setSelectionBehavior(QTableView.SelectionBehavior.SelectRows)
        self.exports_view.setEditTriggers(QTableView.EditTrigger.NoEditTriggers)
        self.exports_view.doubleClicked.connect(
            lambda index: self._open(self.exports.row(index.row()).path)
        )
        self.exports_heading = QLabel("Exported in this session (double-click to open)")
        self.exports_heading.setObjectName("exportsHeading")
        self.no_exports = QLabel("No report exported yet in this session.")
        self.no_exports.setObjectName("noExports")

    def _build_content(self) -> QWidget:
        description = QLabel(DESCRIPTION)
        description.setObjectName("reportDescription")
        description.setWordWrap(True)
        self.export_button = QPushButton("Export")
        self.export_button.setObjectName("exportReport")
        self.export_button.setDefault(True)
        self.export_button.clicked.connect(self.export)
        buttons = QHBoxLayout()
        buttons.addWidget(self.export_button)
        buttons.addStretch(1)
        self.result_box = self._build_result()
        self._build_exports()
        content = QWidget()
        layout = QVBoxLayout(content)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addWidget(description)
        layout.addSpacing(8)
        layout.addWidget(self._build_form())
        layout.addLayout(buttons)
        layout.addWidget(self.result_box)
        layout.addSpacing(8)
        for part in (self.exports_heading, self.no_exports):
            layout.addWidget(part)
        layout.addWidget(self.exports_view, 1)
        return content

    # -- reading ------------------------------------------------------------------------------
    def refresh(self) -> None:
        current = self.payer.currentData()
        payers = list_payers(self.ctx.db)
        self._files = months_with_files(self.ctx.db)
        self.payer.blockSignals(True)
        self.payer.clear()
        self.payer.addItem("All payers", None)
        for p in payers:
            self.payer.addItem(f"{p.code} — {p.name}", p.code)
        self.payer.setCurrentIndex(max(self.payer.findData(current), 0))
        self.payer.blockSignals(False)
        self.body.show_empty(default_range(self._files) is None)
        self._payer_changed()

    def _payer_changed(self) -> None:
        """The months default to those the payer (or any payer) has files for."""
        found = default_range(self._files, self.payer.currentData())
        if found is not None:
            for edit, month in ((self.first, found[0]), (self.last, found[1])):
                edit.blockSignals(True)
                edit.setDate(qdate(month))
                edit.blockSignals(False)
        self._months_changed()

    def _months_changed(self) -> None:
        first, last = month_of(self.first), month_of(self.last)
        payer = self.payer.currentData()
        codes = [payer] if payer else list(self._files)
        spans = payer_spans(self._files, codes, first, last) if first <= last else []
        self.coverage.setText(
            f"Each payer is reported for the months it has files for: {spans_text(spans)}."
            if spans
            else ""
        )
        if not self._path_chosen:
            name = default_file_name(payer, first, last)
            self.path.setText(str(save_location.suggested_path(self.ctx.settings, name)))

    def _path_edited(self, _text: str) -> None:
        self._path_chosen = True

    def _save_practice(self) -> None:
        self.ctx.settings.practice_name = self.practice.text()

    # -- choosing the file --------------------------------------------------------------------
    def choose_file(self) -> QFileDialog:
        """A non-blocking save dialog; the chosen file fills the path field."""
        return save_location.save_dialog(
            self,
            self.ctx.settings,
            title="Save the report as",
            name=Path(self.path.text()).name or "PMPM report.xlsx",
            name_filter="Excel workbook (*.xlsx)",
            on_chosen=self._file_chosen,
            object_name="reportFileDialog",
            suffix="xlsx",
        )

    def _file_chosen(self, path: Path) -> None:
        if path.suffix.lower() != ".xlsx":
            path = path.with_name(path.name + ".xlsx")
        self.path.setText(str(path))
        self._path_chosen = True

    # -- exporting ----------------------------------------------------------------------------
    def _target(self) -> Path:
        """The file to write, checked (PmpmError says what is wrong)."""
        text = self.path.text().strip()
        first, last = month_of(self.first), month_of(self.last)
        if not text:
            raise PmpmError("choose where to save the report (the Save as field is empty)")
        if last < first:
            raise PmpmError(f"the months end ({last}) before they start ({first})")
        target = Path(text).expanduser()
        if target.suffix.lower() != ".xlsx":
            target = target.with_name(target.name + ".xlsx")
        return check_report_path(target)

    def export(self) -> None:
        if not self.export_button.isEnabled():
            return  # one export at a time
        self._save_practice()
        try:
            target = self._target()
        except PmpmError as exc:
            self._say(f"Not exported: {exc}")
            dialogs.show_error(self, "Cannot export the report", exc)
            return
        op = export_report(
            self.ctx.db,
            target,
            self.payer.currentData(),
            month_of(self.first),
            month_of(self.last),
            self.practice.text().strip(),
            packet_dir=target.parent if self.packets.isChecked() else None,
        )
        self.export_button.setEnabled(False)
        self.result_box.hide()
        self.ctx.run(
            op,
            parent=self,
            on_success=self._exported,
            on_failure=self._failed,
            on_cancel=self._cancelled,
        )

    def _exported(self, result: ReportResult) -> None:
        self.export_button.setEnabled(True)
        self.last_result = result
        save_location.remember(self.ctx.settings, result.path)
        self.exported.insert(0, exported(result, dt.datetime.now()))
        self._show_exports()
        self._say(outcome_text(result, self.packets.isChecked()), done=True)

    def _failed(self, exc: BaseException) -> None:
        self.export_button.setEnabled(True)
        text, _details = dialogs.error_text(exc)
        self._say(f"Export failed: {text}")
        dialogs.show_error(self, "Export failed", exc)

    def _cancelled(self) -> None:
        self.export_button.setEnabled(True)
        self._say("Export cancelled: no file was written.")
        self.ctx.status_message.emit("Export cancelled: no file was written")

    def _say(self, text: str, done: bool = False) -> None:
        self.result_label.setText(text)
        self.open_workbook.setVisible(done)
        self.open_folder.setVisible(done)
        self.result_box.show()

    def _show_exports(self) -> None:
        self.exports.set_rows(self.exported)
        has = bool(self.exported)
        self.exports_view.setVisible(has)
        self.exports_heading.setVisible(has)
        self.no_exports.setVisible(not has)
        if has:
            self.exports_view.resizeColumnsToContents()
            self.exports_view.horizontalHeader().setSectionResizeMode(
                0, QHeaderView.ResizeMode.Stretch
            )

    def _last_path(self) -> Path:
        assert self.last_result is not None
        return self.last_result.path

    def _open(self, path: Path) -> None:
        if not path.exists():
            self.ctx.status_message.emit(f"{path} is no longer there")
            return
        QDesktopServices.openUrl(QUrl.fromLocalFile(str(path)))

    def apply_filters(self, filters: dict[str, Any]) -> None:
        if "payer" in filters:
            self.payer.setCurrentIndex(max(self.payer.findData(filters["payer"]), 0))

    def _import_roster(self) -> None:
        from pmpm_desktop.ui.import_wizard import open_import_wizard

        open_import_wizard(self.ctx, self, kind=FileKind.ROSTER)
