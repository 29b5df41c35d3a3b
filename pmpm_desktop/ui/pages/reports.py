"""Reports: export the reconciliation workbook (cover, summary, discrepancies, aging, roster
changes, member ledger) for a payer or all, and if asked one dispute packet per payer.

The export reconciles the range first, as ``pmpm report`` does (one service does both:
``services.reporting.build_report``), so the workbook holds the figures of the files loaded now.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from PySide6.QtCore import QDate, QUrl
from PySide6.QtGui import QDesktopServices
from PySide6.QtWidgets import (
    QCheckBox,
    QComboBox,
    QDateEdit,
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

from pmpm_desktop.core.month import Month
from pmpm_desktop.errors import PmpmError
from pmpm_desktop.io.report_base import PHI_NOTICE
from pmpm_desktop.services.payers import list_payers
from pmpm_desktop.services.reporting import (
    ReportResult,
    build_report,
    check_report_path,
    roster_range,
)
from pmpm_desktop.ui import dialogs
from pmpm_desktop.ui.context import DISCREPANCIES, IMPORTS, PAYERS, AppContext
from pmpm_desktop.ui.pages.base import (
    ContentOrEmpty,
    EmptyState,
    Page,
    page_title,
)
from pmpm_desktop.ui.table_model import Column, RowsModel

DESCRIPTION = (
    "Export the reconciliation as an Excel workbook to keep or to show a manager. Its sheets:"
    "<ul>"
    "<li><b>Cover</b>: what the report covers, when it was made, and per payer the answers at "
    "a glance: owed, paid, still open, recovered, members.</li>"
    "<li><b>Summary</b>: for every payer and coverage month, the members eligible and paid, "
    "expected, paid, the difference and its %, and each kind of discrepancy; totals; charts "
    "of expected vs paid by month.</li>"
    "<li><b>Discrepancies</b>: one row per member-month that differs, with status, age and "
    "the last note, ready to filter.</li>"
    "<li><b>Aging</b>: what is still open or disputed by age (0–30, 31–60, "
    "61–90, 90+ days since the payment was due) and what disputes recovered; "
    "<b>Late recoupments</b>: recoupments older than the contract's retro window.</li>"
    "<li><b>Membership</b> and <b>Roster changes</b>: members on each roster, adds, terms and "
    "retro changes; <b>Member ledger</b>: month by month for each member with a "
    "discrepancy.</li></ul>"
    "A <b>dispute packet</b> per payer lists only what that payer must act on, in its words, "
    "with a column for its answer: ready to email. "
    "Exporting reconciles the months first, so the figures include every file loaded so far."
)


@dataclass(frozen=True)
class ExportedReport:
    path: Path
    payers: str
    months: str
    at: dt.datetime


EXPORT_COLUMNS = [
    Column("File", lambda r: str(r.path)),
    Column("Payers", lambda r: r.payers),
    Column("Months", lambda r: r.months),
    Column("Exported", lambda r: r.at.strftime("%Y-%m-%d %H:%M")),
]


def _qdate(month: Month) -> QDate:
    return QDate(month.year, month.month, 1)


def _month(edit: QDateEdit) -> Month:
    d = edit.date()
    return Month(d.year(), d.month())


def _month_edit(name: str) -> QDateEdit:
    edit = QDateEdit()
    edit.setObjectName(name)
    edit.setDisplayFormat("yyyy-MM")
    edit.setCalendarPopup(False)
    edit.setMinimumDate(QDate(2000, 1, 1))
    edit.setMaximumDate(QDate(2099, 12, 1))
    return edit


def default_file_name(payer: str | None, first: Month, last: Month) -> str:
    who = payer or "all payers"
    return f"PMPM report {who} {first}\u2013{last}.xlsx"


class ReportsPage(Page):
    key = "reports"
    title = "Reports"
    depends_on = frozenset({PAYERS, IMPORTS})

    def __init__(self, ctx: AppContext, parent: QWidget | None = None) -> None:
        super().__init__(ctx, parent)
        #: True once the user typed or chose a file: the name then stops following the form
        self._path_chosen = False
        self.handle: Any = None
        self.last_result: ReportResult | None = None
        self.exported: list[ExportedReport] = []

        description = QLabel(DESCRIPTION)
        description.setObjectName("reportDescription")
        description.setWordWrap(True)

        self.payer = QComboBox()
        self.payer.setObjectName("reportPayer")
        self.first = _month_edit("reportFrom")
        self.last = _month_edit("reportTo")
        self.practice = QLineEdit(ctx.settings.practice_name)
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
        path_row = QHBoxLayout()
        path_row.addWidget(self.path, 1)
        path_row.addWidget(self.choose)
        months = QHBoxLayout()
        months.addWidget(self.first)
        months.addWidget(QLabel("to"))
        months.addWidget(self.last)
        months.addStretch(1)

        form_box = QWidget()
        form_box.setMaximumWidth(860)
        form = QFormLayout(form_box)
        form.setContentsMargins(0, 0, 0, 0)
        form.addRow("Payer:", self.payer)
        form.addRow("Coverage months:", months)
        form.addRow("Practice name:", self.practice)
        form.addRow("Save as:", path_row)
        self.packets = QCheckBox("Also write a dispute packet for each payer, next to the report")
        self.packets.setObjectName("writePackets")
        self.packets.setToolTip(
            "One workbook per payer with what it must act on (missing, underpaid, paid twice, "
            "paid for members not eligible, late recoupments) and a column for its answer"
        )
        form.addRow("Dispute packets:", self.packets)

        self.export_button = QPushButton("Export")
        self.export_button.setObjectName("exportReport")
        self.export_button.setDefault(True)
        self.export_button.clicked.connect(self.export)
        buttons = QHBoxLayout()
        buttons.addWidget(self.export_button)
        buttons.addStretch(1)

        # the outcome of the last export, with buttons to open what was written
        self.result_box = QFrame()
        self.result_box.setObjectName("reportResult")
        self.result_box.setFrameShape(QFrame.Shape.StyledPanel)
        self.result_label = QLabel()
        self.result_label.setObjectName("reportResultText")
        self.result_label.setWordWrap(True)
        self.open_workbook = QPushButton("Open workbook")
        self.open_workbook.setObjectName("openWorkbook")
        self.open_workbook.clicked.connect(lambda: self._open(self._last_path()))
        self.open_folder = QPushButton("Open folder")
        self.open_folder.setObjectName("openFolder")
        self.open_folder.clicked.connect(lambda: self._open(self._last_path().parent))
        rl = QHBoxLayout(self.result_box)
        rl.addWidget(self.result_label, 1)
        rl.addWidget(self.open_workbook)
        rl.addWidget(self.open_folder)
        self.result_box.hide()

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

        content = QWidget()
        cl = QVBoxLayout(content)
        cl.setContentsMargins(0, 0, 0, 0)
        cl.addWidget(description)
        cl.addSpacing(8)
        cl.addWidget(form_box)
        cl.addLayout(buttons)
        cl.addWidget(self.result_box)
        cl.addSpacing(8)
        cl.addWidget(self.exports_heading)
        cl.addWidget(self.no_exports)
        cl.addWidget(self.exports_view, 1)

        self.empty = EmptyState(
            "Nothing to report yet",
            "A report needs a payer with at least one roster. Add a payer and import its "
            "roster and remittance files; then export the reconciliation workbook here.",
            [("Import a roster…", self._import_roster)],
        )
        self.body = ContentOrEmpty(content, self.empty)
        layout = QVBoxLayout(self)
        heading = page_title("Reports")
        layout.addWidget(heading)
        layout.addWidget(self.body, 1)

        self.payer.currentIndexChanged.connect(lambda _i: self._payer_changed())
        self.first.dateChanged.connect(lambda _d: self._update_default_path())
        self.last.dateChanged.connect(lambda _d: self._update_default_path())
        self._show_exports()

    # -- reading ------------------------------------------------------------------------------
    def refresh(self) -> None:
        current = self.payer.currentData()
        payers = list_payers(self.ctx.db)
        self.payer.blockSignals(True)
        self.payer.clear()
        self.payer.addItem("All payers", None)
        for p in payers:
            self.payer.addItem(f"{p.code} — {p.name}", p.code)
        self.payer.setCurrentIndex(max(self.payer.findData(current), 0))
        self.payer.blockSignals(False)
        has_rosters = roster_range(self.ctx.db, None) is not None
        self.body.show_empty(not payers or not has_rosters)
        self._payer_changed()

    def _payer_changed(self) -> None:
        """Months default to the range of the payer's stored rosters (all payers': theirs)."""
        found = roster_range(self.ctx.db, self.payer.currentData())
        if found is not None:
            for edit, month in ((self.first, found[0]), (self.last, found[1])):
                edit.blockSignals(True)
                edit.setDate(_qdate(month))
                edit.blockSignals(False)
        self._update_default_path()

    def _update_default_path(self) -> None:
        if self._path_chosen:
            return
        name = default_file_name(self.payer.currentData(), _month(self.first), _month(self.last))
        self.path.setText(str(Path(self.ctx.settings.last_folder).expanduser() / name))

    def _path_edited(self, _text: str) -> None:
        self._path_chosen = True

    def _save_practice(self) -> None:
        self.ctx.settings.practice_name = self.practice.text()

    # -- choosing the file --------------------------------------------------------------------
    def choose_file(self) -> QFileDialog:
        """A non-blocking save dialog; the chosen file fills the path field."""
        dialog = QFileDialog(self, "Save the report as", self.path.text())
        dialog.setObjectName("reportFileDialog")
        dialog.setAcceptMode(QFileDialog.AcceptMode.AcceptSave)
        dialog.setNameFilter("Excel workbook (*.xlsx)")
        dialog.setDefaultSuffix("xlsx")
        dialog.fileSelected.connect(self._file_chosen)
        dialog.open()
        return dialog

    def _file_chosen(self, name: str) -> None:
        if not name:
            return
        path = Path(name)
        if path.suffix.lower() != ".xlsx":
            path = path.with_name(path.name + ".xlsx")
        self.path.setText(str(path))
        self._path_chosen = True
        self.ctx.settings.last_folder = str(path.parent)

    # -- exporting ----------------------------------------------------------------------------
    def export(self) -> None:
        if self.handle is not None:
            return  # one export at a time
        first, last = _month(self.first), _month(self.last)
        payer = self.payer.currentData()
        practice = self.practice.text().strip()
        self._save_practice()
        text = self.path.text().strip()
        try:
            if not text:
                raise PmpmError("choose where to save the report (the Save as field is empty)")
            if last < first:
                raise PmpmError(f"the months end ({last}) before they start ({first})")
            target = Path(text).expanduser()
            if target.suffix.lower() != ".xlsx":
                target = target.with_name(target.name + ".xlsx")
            target = check_report_path(target)
        except PmpmError as exc:
            self._say(f"Not exported: {exc}")
            dialogs.show_error(self, "Cannot export the report", exc)
            return
        db = self.ctx.db
        packet_dir = target.parent if self.packets.isChecked() else None
        self.export_button.setEnabled(False)
        self.result_box.hide()
        self.handle = self.ctx.tasks.run(
            "Exporting the report",
            lambda progress: build_report(
                db, target, payer, first, last, practice, progress, packet_dir=packet_dir
            ),
            on_success=self._exported,
            on_failure=self._failed,
            on_cancel=self._cancelled,
            parent=self,
            show_progress=True,
        )
        self.handle.finished.connect(self._export_finished)

    def _export_finished(self) -> None:
        self.handle = None
        self.export_button.setEnabled(True)

    def _exported(self, result: ReportResult) -> None:
        self.last_result = result
        payers = ", ".join(s.payer_code for s in result.summaries) or "no payers"
        first, last = _month(self.first), _month(self.last)
        if result.summaries:
            first = min(s.first for s in result.summaries)
            last = max(s.last for s in result.summaries)
        months = f"{first} to {last}"
        self.exported.insert(0, ExportedReport(result.path, payers, months, dt.datetime.now()))
        self._show_exports()
        n = sum(len(s.discrepancies) for s in result.summaries)
        text = (
            f"Report written: {result.path}\n{payers}, {months}: "
            f"{n:,} discrepanc{'y' if n == 1 else 'ies'} listed."
        )
        if self.packets.isChecked():
            if result.packets:
                names = ", ".join(p.name for p in result.packets)
                many = len(result.packets) != 1
                text += (
                    f"\n{len(result.packets)} dispute packet{'s' if many else ''} written "
                    f"next to it: {names}."
                )
            else:
                text += "\nNo dispute packet: no payer has anything to act on in these months."
        text += f"\n{PHI_NOTICE}"
        self._say(text, done=True)
        self.ctx.settings.last_folder = str(result.path.parent)
        # exporting reconciled the range: other pages show the refreshed discrepancies
        self.ctx.changed(DISCREPANCIES, f"Report written: {result.path.name}")

    def _failed(self, exc: BaseException) -> None:
        text, _details = dialogs.error_text(exc)
        self._say(f"Export failed: {text}")
        dialogs.show_error(self, "Export failed", exc)

    def _cancelled(self) -> None:
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

        open_import_wizard(self.ctx, self, kind="roster")
