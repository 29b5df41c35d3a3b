"""The import wizard: choose a payer file, check how it reads, see its problems, import it.

Five steps in one dialog (a step list on the left, Back / Next at the bottom):

1. *Choose the file* — what it is, the payer, the roster month / contract / payment details,
   and the file (dropped on the drop zone or picked with Browse…).
2. *Columns & preview* — ``services.preview.preview`` run in the background: sheet, header row,
   each field's column (the user may correct any; the preview runs again), the first rows.
3. *Check* — every problem of the file; nothing can be imported while there is one.
4. *Import* — the ordinary import service, in the background, with a progress bar and Cancel.
5. *Done* — what was stored and, for rosters, what changed since the previous roster month.

The wizard never reads the file itself: the services do, exactly as the import will.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from decimal import Decimal
from pathlib import Path
from typing import Any

import shiboken6
from PySide6.QtCore import QDate, Qt
from PySide6.QtWidgets import (
    QAbstractItemView,
    QButtonGroup,
    QCheckBox,
    QComboBox,
    QDateEdit,
    QDialog,
    QFileDialog,
    QFormLayout,
    QFrame,
    QGroupBox,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QLineEdit,
    QProgressBar,
    QPushButton,
    QRadioButton,
    QScrollArea,
    QSizePolicy,
    QSpinBox,
    QSplitter,
    QStackedWidget,
    QStyle,
    QTableView,
    QVBoxLayout,
    QWidget,
)
from sqlalchemy import func, select

from pmpm_desktop.core.clock import now
from pmpm_desktop.core.month import Month
from pmpm_desktop.db.database import Database
from pmpm_desktop.db.models import Payer, RosterImport
from pmpm_desktop.errors import InputRejected, PmpmError
from pmpm_desktop.io.detect import Detection, FieldChoice
from pmpm_desktop.io.problems_export import Problem, as_problems, write_problems
from pmpm_desktop.io.table import FileReadError
from pmpm_desktop.services import importing
from pmpm_desktop.services.importing import ImportCancelled, ImportResult, RatesResult
from pmpm_desktop.services.payers import PayerInfo, list_payers
from pmpm_desktop.services.preview import Preview, preview
from pmpm_desktop.services.profiles import plan_read
from pmpm_desktop.services.roster_changes import RosterDiff, roster_diff, summarise_changes
from pmpm_desktop.ui import format as fmt
from pmpm_desktop.ui.context import IMPORTS, PAYERS, AppContext
from pmpm_desktop.ui.dialogs import error_text
from pmpm_desktop.ui.import_mapping import (
    IMPORTABLE,
    DropZone,
    MappingEditor,
    field_label,
    refusal,
)
from pmpm_desktop.ui.table_model import Column, RowsModel

KIND_NAMES = {"roster": "Roster", "remittance": "Payment statement", "rates": "Rate exhibit"}
_KIND_HINTS = {
    "roster": "Who the payer says is enrolled, for one month",
    "remittance": "What the payer paid: a capitation statement or remittance",
    "rates": "What the contract pays per member per month",
}
_STEPS = ("Choose the file", "Columns & preview", "Check", "Import", "Done")
CHOOSE, PREVIEW, CHECK, IMPORT, DONE = range(5)
PREVIEW_ROWS = 20

_BANNER = {
    "error": "background: #fdecea; color: #611a15; border: 1px solid #f5c2c0;",
    "warning": "background: #fff4e5; color: #663c00; border: 1px solid #ffd8a8;",
    "info": "background: #e8f0fe; color: #174ea6; border: 1px solid #c6dafc;",
    "ok": "background: #e6f4ea; color: #0d652d; border: 1px solid #b7e1c1;",
}
_MONTH_IN_NAME = re.compile(r"(?<!\d)(20\d\d)[-_ .]?(0[1-9]|1[0-2])(?!\d)")
_CLI_HINT = re.compile(r"\.?\s*Name it with --map \S+")
_NO_COLUMN = re.compile(r"no column for '(\w+)'")


def open_import_wizard(
    ctx: AppContext, parent: QWidget | None, kind: str | None = None, path: Path | None = None
) -> ImportWizard:
    """Show the import wizard (non-blocking) for ``kind``, on ``path`` when a file was dropped."""
    wizard = ImportWizard(ctx, parent, kind=kind, path=path)
    wizard.show()
    return wizard


def latest_roster_month(db: Database, payer_code: str) -> Month | None:
    """The payer's latest active roster month (one indexed MAX; cheap enough for the UI)."""
    with db.sessions() as s:
        value = s.scalar(
            select(func.max(RosterImport.roster_month))
            .join(Payer, Payer.id == RosterImport.payer_id)
            .where(Payer.code == payer_code, RosterImport.active.is_(True))
        )
    return value if isinstance(value, Month) else None


def roster_stored(db: Database, payer_code: str, month: Month) -> bool:
    """Whether the payer has an active roster for ``month`` (which an import replaces)."""
    with db.sessions() as s:
        found = s.scalar(
            select(RosterImport.id)
            .join(Payer, Payer.id == RosterImport.payer_id)
            .where(
                Payer.code == payer_code,
                RosterImport.roster_month == month,
                RosterImport.active.is_(True),
            )
            .limit(1)
        )
    return found is not None


def month_words(month: Month) -> str:
    return month.first_day.strftime("%B %Y")


def banner(kind: str) -> QLabel:
    label = QLabel()
    label.setWordWrap(True)
    label.setTextFormat(Qt.TextFormat.PlainText)
    label.setStyleSheet(f"QLabel {{ {_BANNER[kind]} border-radius: 6px; padding: 8px; }}")
    label.setVisible(False)
    return label


def set_banner(label: QLabel, text: str | None, kind: str | None = None) -> None:
    if kind is not None:
        label.setStyleSheet(f"QLabel {{ {_BANNER[kind]} border-radius: 6px; padding: 8px; }}")
    label.setText(text or "")
    label.setVisible(bool(text))


def _heading(text: str) -> QLabel:
    label = QLabel(text)
    font = label.font()
    font.setPointSizeF(font.pointSizeF() * 1.35)
    font.setBold(True)
    label.setFont(font)
    label.setWordWrap(True)
    return label


def _plain_error(kind: str, file_name: str, text: str) -> str:
    """A reader's refusal as the wizard says it: a missing column points at its combo (the
    CLI's message names ``--map``)."""
    missing = _NO_COLUMN.search(text)
    if missing is not None:
        name = field_label(kind, missing.group(1))
        return (
            f"PMPM cannot tell which column of {file_name} holds the {name}. Choose it in the "
            f"list on the left (“{name} *”)."
        )
    return _CLI_HINT.sub(". Choose its column in the list on the left.", text)


# --- what the background tasks hand back ---------------------------------------------------


@dataclass(frozen=True)
class PreviewRequest:
    payer: str
    kind: str
    path: Path
    roster_month: Month | None
    mapping: dict[str, str]
    sheet: str | None
    header_row: int | None


@dataclass(frozen=True)
class PreviewOutcome:
    request: PreviewRequest
    preview: Preview
    #: how the header row was found (None when a saved layout or the user placed it)
    detection: Detection | None


@dataclass(frozen=True)
class ImportOutcome:
    kind: str
    payer: str
    file_name: str
    result: ImportResult | None = None
    rates: RatesResult | None = None
    roster_month: Month | None = None
    diff: RosterDiff | None = None
    #: the roster changes could not be listed (the import itself succeeded)
    diff_error: str | None = None


DetectionCache = dict[tuple[Path, float, str, str | None], Detection | None]


def run_preview(
    db: Database, request: PreviewRequest, cache: DetectionCache | None = None
) -> PreviewOutcome:
    """The preview, and how sure header detection was (on the worker thread).

    ``cache`` keeps the detection per file and sheet: correcting a column does not move the
    header, so it is not looked for again."""
    found = preview(
        db,
        request.payer,
        request.kind,
        request.path,
        roster_month=request.roster_month,
        mapping=request.mapping or None,
        sheet=request.sheet,
        header_row=request.header_row,
        rows=PREVIEW_ROWS,
    )
    detection = None
    if found.profile is None and request.header_row is None and found.error is None:
        # Preview does not carry the detection; reading the header again is the same call
        # the preview made (plan_read probes the file once per place).
        try:
            stamp = request.path.stat().st_mtime
        except OSError:
            stamp = 0.0
        key = (request.path, stamp, request.kind, request.sheet)
        if cache is not None and key in cache:
            return PreviewOutcome(request, found, cache[key])
        plan = plan_read(
            db, request.payer, request.kind, request.path, sheet=request.sheet, header_row=None
        )
        try:
            detection = plan.probe.read(plan.sheet, plan.header_row).detection
        except FileReadError:
            detection = None
        if cache is not None:
            cache[key] = detection
    return PreviewOutcome(request, found, detection)


# --- the wizard ----------------------------------------------------------------------------


class ImportWizard(QDialog):
    def __init__(
        self,
        ctx: AppContext,
        parent: QWidget | None = None,
        *,
        kind: str | None = None,
        path: Path | None = None,
    ) -> None:
        super().__init__(parent)
        self.ctx = ctx
        self.setObjectName("importWizard")
        self.setWindowTitle("Import a payer file")
        self.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
        self.setModal(False)
        self.resize(1140, 720)
        self._alive = True
        self.path: Path | None = None
        self.payers: list[PayerInfo] = []
        self.current: PreviewOutcome | None = None
        self.overrides: dict[str, str] = {}
        self._sheet: str | None = None
        self._header_row: int | None = None
        self._preview_running = False
        self._preview_pending = False
        #: written on the worker thread only (tasks run one at a time)
        self._detections: DetectionCache = {}
        self._import_handle: Any = None
        self.outcome: ImportOutcome | None = None

        self.steps = _StepList()
        self.stack = QStackedWidget()
        self.stack.addWidget(self._build_choose())
        self.stack.addWidget(self._build_preview())
        self.stack.addWidget(self._build_check())
        self.stack.addWidget(self._build_import())
        self.stack.addWidget(self._build_done())

        self.back_button = QPushButton("‹ Back")
        self.back_button.setObjectName("backButton")
        self.back_button.clicked.connect(self.back)
        self.next_button = QPushButton("Next ›")
        self.next_button.setObjectName("nextButton")
        self.next_button.setDefault(True)
        self.next_button.clicked.connect(self.next)
        self.close_button = QPushButton("Cancel")
        self.close_button.setObjectName("closeButton")
        self.close_button.clicked.connect(self.reject)
        buttons = QHBoxLayout()
        buttons.addWidget(self.back_button)
        buttons.addStretch(1)
        buttons.addWidget(self.close_button)
        buttons.addWidget(self.next_button)

        self.step_title = _heading("")
        self.step_title.setObjectName("stepTitle")
        body = QVBoxLayout()
        body.setContentsMargins(18, 14, 18, 12)
        body.addWidget(self.step_title)
        body.addWidget(self.stack, 1)
        line = QFrame()
        line.setFrameShape(QFrame.Shape.HLine)
        line.setFrameShadow(QFrame.Shadow.Sunken)
        body.addWidget(line)
        body.addLayout(buttons)
        outer = QHBoxLayout(self)
        outer.setContentsMargins(0, 0, 0, 0)
        outer.setSpacing(0)
        outer.addWidget(self.steps)
        outer.addLayout(body, 1)

        self.reload_payers()
        guessed = kind or (_guess_kind(path) if path is not None else None)
        if guessed in self.kind_buttons:
            self.kind_buttons[guessed].setChecked(True)
        if path is not None:
            self.set_path(path)
        self._kind_changed()
        self.go(CHOOSE)

    # ======================================================================================
    # step 1: choose the file
    # ======================================================================================
    def _build_choose(self) -> QWidget:
        page = QWidget()
        layout = QVBoxLayout(page)
        layout.setContentsMargins(0, 4, 0, 0)
        layout.setSpacing(12)

        kinds = QGroupBox("What is this file?")
        row = QHBoxLayout(kinds)
        self.kind_group = QButtonGroup(self)
        self.kind_buttons: dict[str, QRadioButton] = {}
        for key, name in KIND_NAMES.items():
            cell = QVBoxLayout()
            button = QRadioButton(name)
            button.setObjectName(f"kind_{key}")
            self.kind_group.addButton(button)
            self.kind_buttons[key] = button
            hint = QLabel(_KIND_HINTS[key])
            hint.setWordWrap(True)
            hint.setEnabled(False)
            hint.setContentsMargins(22, 0, 0, 0)
            cell.addWidget(button)
            cell.addWidget(hint)
            cell.addStretch(1)
            row.addLayout(cell, 1)
        self.kind_group.buttonToggled.connect(lambda *_: self._kind_changed())
        kinds.setSizePolicy(QSizePolicy.Policy.Preferred, QSizePolicy.Policy.Maximum)
        layout.addWidget(kinds)

        self.no_payer = QWidget()
        no_payer_row = QHBoxLayout(self.no_payer)
        no_payer_row.setContentsMargins(0, 0, 0, 0)
        self.no_payer_label = banner("warning")
        self.no_payer_label.setObjectName("noPayerMessage")
        set_banner(
            self.no_payer_label,
            "There is no payer yet. Add a payer on the Payers & Contracts page first (its "
            "code, name and contract), then import its files here.",
        )
        go_payers = QPushButton("Open Payers && Contracts")
        go_payers.setObjectName("goPayersButton")
        go_payers.clicked.connect(self._go_payers)
        no_payer_row.addWidget(self.no_payer_label, 1)
        no_payer_row.addWidget(go_payers)
        layout.addWidget(self.no_payer)
        self.choose_hint = banner("warning")
        self.choose_hint.setObjectName("chooseHint")
        layout.addWidget(self.choose_hint)

        form = QFormLayout()
        form.setLabelAlignment(Qt.AlignmentFlag.AlignRight)
        form.setFieldGrowthPolicy(QFormLayout.FieldGrowthPolicy.FieldsStayAtSizeHint)
        self.form = form
        self.payer_combo = QComboBox()
        self.payer_combo.setObjectName("payerCombo")
        self.payer_combo.setMinimumContentsLength(30)
        self.payer_combo.currentIndexChanged.connect(lambda _i: self._payer_changed())
        form.addRow("Payer:", self.payer_combo)

        month_row = QHBoxLayout()
        self.month_edit = QDateEdit()
        self.month_edit.setObjectName("rosterMonth")
        self.month_edit.setDisplayFormat("MMMM yyyy")
        self.month_edit.setMinimumDate(QDate(2000, 1, 1))
        self.month_edit.setMaximumDate(QDate(2099, 12, 1))
        self.month_edit.setMinimumWidth(170)
        self.month_hint = QLabel()
        self.month_hint.setObjectName("monthHint")
        self.month_hint.setEnabled(False)
        month_row.addWidget(self.month_edit)
        month_row.addWidget(self.month_hint)
        self.month_row = QWidget()
        self.month_row.setLayout(month_row)
        month_row.setContentsMargins(0, 0, 0, 0)
        form.addRow("Roster month:", self.month_row)

        self.contract_combo = QComboBox()
        self.contract_combo.setObjectName("contractCombo")
        self.contract_combo.setMinimumContentsLength(24)
        self.contract_combo.currentIndexChanged.connect(lambda _i: self._update_buttons())
        form.addRow("Contract:", self.contract_combo)

        pay_row = QHBoxLayout()
        pay_row.setContentsMargins(0, 0, 0, 0)
        self.payment_date_check = QCheckBox("Paid on")
        self.payment_date_check.setObjectName("paymentDateCheck")
        self.payment_date_edit = QDateEdit(QDate.currentDate())
        self.payment_date_edit.setObjectName("paymentDate")
        self.payment_date_edit.setCalendarPopup(True)
        self.payment_date_edit.setDisplayFormat("yyyy-MM-dd")
        self.payment_date_edit.setEnabled(False)
        self.payment_date_check.toggled.connect(self.payment_date_edit.setEnabled)
        pay_hint = QLabel("optional: else the date in the file, if it has one")
        pay_hint.setEnabled(False)
        pay_row.addWidget(self.payment_date_check)
        pay_row.addWidget(self.payment_date_edit)
        pay_row.addWidget(pay_hint)
        self.payment_row = QWidget()
        self.payment_row.setLayout(pay_row)
        form.addRow("Payment:", self.payment_row)
        self.reference_edit = QLineEdit()
        self.reference_edit.setObjectName("referenceEdit")
        self.reference_edit.setPlaceholderText("optional, e.g. EFT 20260715 or check 10234")
        self.reference_edit.setMinimumWidth(320)
        self.reference_edit.setMaxLength(100)
        form.addRow("Check / EFT reference:", self.reference_edit)
        total_row = QHBoxLayout()
        total_row.setContentsMargins(0, 0, 0, 0)
        self.stated_total_edit = QLineEdit()
        self.stated_total_edit.setObjectName("statedTotalEdit")
        self.stated_total_edit.setPlaceholderText("e.g. 18,639.10")
        self.stated_total_edit.setMinimumWidth(160)
        self.stated_total_edit.setMaxLength(40)
        self.stated_total_edit.setToolTip(
            "The amount of the check or EFT, as the statement states it. PMPM checks that the "
            "lines add up to it; leave it empty when the statement states no total."
        )
        self.stated_total_edit.textChanged.connect(lambda _text: self._stated_total_changed())
        self.stated_total_hint = QLabel("the check or EFT amount: the lines are checked against it")
        self.stated_total_hint.setObjectName("statedTotalHint")
        self.stated_total_hint.setEnabled(False)
        # Under the field (a refusal beside it would widen the dialog).
        self.stated_total_error = QLabel()
        self.stated_total_error.setObjectName("statedTotalError")
        self.stated_total_error.setStyleSheet("color: #b42318;")
        self.stated_total_error.setVisible(False)
        total_row.addWidget(self.stated_total_edit)
        total_row.addWidget(self.stated_total_hint)
        total_row.addStretch(1)
        total_box = QVBoxLayout()
        total_box.setContentsMargins(0, 0, 0, 0)
        total_box.setSpacing(2)
        total_box.addLayout(total_row)
        total_box.addWidget(self.stated_total_error)
        self.stated_total_row = QWidget()
        self.stated_total_row.setLayout(total_box)
        form.addRow("Statement total (optional):", self.stated_total_row)
        layout.addLayout(form)

        self.drop_zone = DropZone()
        self.drop_zone.file_dropped.connect(self.set_path)
        self.drop_zone.drop_refused.connect(self._file_refused)
        self.drop_zone.browse_clicked.connect(self.browse)
        layout.addWidget(self.drop_zone, 1)
        path_row = QHBoxLayout()
        path_row.addWidget(QLabel("File:"))
        self.path_edit = QLineEdit()
        self.path_edit.setObjectName("pathEdit")
        self.path_edit.setPlaceholderText("the file's full path (or drop it above)")
        self.path_edit.editingFinished.connect(self._path_typed)
        path_row.addWidget(self.path_edit, 1)
        layout.addLayout(path_row)
        self.file_message = banner("error")
        self.file_message.setObjectName("fileMessage")
        layout.addWidget(self.file_message)
        layout.addStretch(0)
        return page

    # -- choices ---------------------------------------------------------------------------
    @property
    def kind(self) -> str | None:
        return next((k for k, b in self.kind_buttons.items() if b.isChecked()), None)

    @property
    def payer_code(self) -> str | None:
        data = self.payer_combo.currentData()
        return str(data) if data else None

    @property
    def roster_month(self) -> Month:
        d = self.month_edit.date()
        return Month(d.year(), d.month())

    def set_roster_month(self, month: Month) -> None:
        self.month_edit.setDate(QDate(month.year, month.month, 1))

    def reload_payers(self) -> None:
        keep = self.payer_code
        self.payers = list_payers(self.ctx.db)
        self.payer_combo.blockSignals(True)
        self.payer_combo.clear()
        for p in self.payers:
            self.payer_combo.addItem(f"{p.code} — {p.name}", p.code)
        if keep is not None:
            self.payer_combo.setCurrentIndex(max(self.payer_combo.findData(keep), 0))
        self.payer_combo.blockSignals(False)
        self.no_payer.setVisible(not self.payers)
        self._payer_changed()

    def _payer_changed(self) -> None:
        code = self.payer_code
        payer = next((p for p in self.payers if p.code == code), None)
        self.contract_combo.clear()
        if payer is not None:
            self.contract_combo.addItems(list(payer.contracts))
        latest = latest_roster_month(self.ctx.db, code) if code else None
        month = latest + 1 if latest is not None else Month.of(now().date())
        hint = f"the latest roster imported for {code} is {month_words(latest)}" if latest else ""
        named = _month_in_name(self.path)
        if named is not None:
            month, hint = named, "as in the file's name"
        self.set_roster_month(month)
        self.month_hint.setText(hint)
        self._update_buttons()

    def _kind_changed(self) -> None:
        kind = self.kind
        self.form.setRowVisible(self.month_row, kind == "roster")
        self.form.setRowVisible(self.contract_combo, kind == "rates")
        self.form.setRowVisible(self.payment_row, kind == "remittance")
        self.form.setRowVisible(self.reference_edit, kind == "remittance")
        self.form.setRowVisible(self.stated_total_row, kind == "remittance")
        if kind is not None:
            self.setWindowTitle(f"Import a {KIND_NAMES[kind].lower()}")
        self._update_buttons()

    def _go_payers(self) -> None:
        self.ctx.navigate.emit("payers", {})
        self.close()

    # -- the file --------------------------------------------------------------------------
    def set_path(self, path: Path | str) -> None:
        """Use ``path`` (a drop, Browse…, or a test); a file of another type is refused in words."""
        path = Path(path)
        why = refusal(path)
        if why is None and not path.exists():
            why = f"“{path}” does not exist (was it moved or renamed?)."
        if why is not None:
            self._file_refused(why)
            return
        self.path = path
        self.path_edit.setText(str(path))
        self.drop_zone.show_file(path)
        set_banner(self.file_message, None)
        self.ctx.settings.last_folder = str(path.parent)
        if self.kind is None:
            guessed = _guess_kind(path)
            if guessed is not None:
                self.kind_buttons[guessed].setChecked(True)
        payer = _guess_payer(path, [p.code for p in self.payers])
        if payer is not None and payer != self.payer_code:
            self.payer_combo.setCurrentIndex(self.payer_combo.findData(payer))
        else:
            self._payer_changed()  # the roster month may come from the file name
        self._update_buttons()

    def _file_refused(self, why: str) -> None:
        self.path = None
        self.path_edit.clear()
        self.drop_zone.show_file(None)
        set_banner(self.file_message, why, "error")
        self._update_buttons()

    def _path_typed(self) -> None:
        text = self.path_edit.text().strip().strip('"')
        if text and (self.path is None or Path(text) != self.path):
            self.set_path(Path(text).expanduser())

    def browse(self) -> None:
        patterns = " ".join(f"*{s}" for s in IMPORTABLE)
        start = str(self.path.parent) if self.path else self.ctx.settings.last_folder
        chosen, _ = QFileDialog.getOpenFileName(
            self, "Choose the payer's file", start, f"Payer files ({patterns});;All files (*)"
        )
        if chosen:
            self.set_path(Path(chosen))

    def _show_choose_hint(self) -> None:
        code = self.payer_code
        if self.kind == "rates" and code is not None and self.contract_combo.count() == 0:
            set_banner(
                self.choose_hint,
                f"{code} has no contract yet. A rate exhibit is loaded into a contract: add "
                "one on the Payers & Contracts page first.",
            )
        else:
            set_banner(self.choose_hint, None)

    def _choose_ready(self) -> bool:
        if self.kind is None or self.payer_code is None or self.path is None:
            return False
        if self.kind == "remittance" and self.stated_total_problem() is not None:
            return False
        return self.kind != "rates" or self.contract_combo.count() > 0

    # -- the statement total ---------------------------------------------------------------
    def stated_total(self) -> Decimal | None:
        """The statement total typed (None when empty or not an amount)."""
        try:
            return importing.parse_stated_total(self.stated_total_edit.text())
        except InputRejected:
            return None

    def stated_total_problem(self) -> str | None:
        """Why the typed statement total is refused, in words (None when it is fine)."""
        text = self.stated_total_edit.text().strip()
        try:
            importing.parse_stated_total(text)
        except importing.AmountRefused as exc:
            return f"“{text}” is {exc.why}."
        return None

    def _stated_total_changed(self) -> None:
        problem = self.stated_total_problem()
        self.stated_total_error.setText(problem or "")
        self.stated_total_error.setVisible(problem is not None)
        self._update_buttons()

    # ======================================================================================
    # step 2: columns & preview
    # ======================================================================================
    def _build_preview(self) -> QWidget:
        page = QWidget()
        layout = QVBoxLayout(page)
        layout.setContentsMargins(0, 4, 0, 0)
        top = QHBoxLayout()
        self.file_label = QLabel()
        self.file_label.setObjectName("previewFile")
        top.addWidget(self.file_label)
        top.addSpacing(16)
        top.addWidget(QLabel("Sheet:"))
        self.sheet_combo = QComboBox()
        self.sheet_combo.setObjectName("sheetCombo")
        self.sheet_combo.setMinimumContentsLength(12)
        self.sheet_combo.currentIndexChanged.connect(lambda _i: self._sheet_changed())
        top.addWidget(self.sheet_combo)
        top.addSpacing(8)
        top.addWidget(QLabel("Header row:"))
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
        layout.addLayout(top)

        self.layout_label = banner("info")
        self.layout_label.setObjectName("layoutLabel")
        layout.addWidget(self.layout_label)
        self.preview_banner = banner("error")
        self.preview_banner.setObjectName("previewBanner")
        layout.addWidget(self.preview_banner)

        split = QSplitter(Qt.Orientation.Horizontal)
        left = QGroupBox("Which column holds each field")
        left_layout = QVBoxLayout(left)
        self.mapping = MappingEditor()
        self.mapping.column_chosen.connect(self._column_chosen)
        scroll = QScrollArea()
        scroll.setWidgetResizable(True)
        scroll.setFrameShape(QFrame.Shape.NoFrame)
        scroll.setWidget(self.mapping)
        scroll.setHorizontalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAlwaysOff)
        left.setMinimumWidth(470)
        left_layout.addWidget(scroll)
        self.mapping_note = QLabel()
        self.mapping_note.setObjectName("mappingNote")
        self.mapping_note.setWordWrap(True)
        self.mapping_note.setStyleSheet("color: #8a5a00;")
        self.mapping_note.setVisible(False)
        left_layout.addWidget(self.mapping_note)
        split.addWidget(left)

        right = QGroupBox("The first rows, as they will be imported")
        right_layout = QVBoxLayout(right)
        self.rows_model = RowsModel([])
        self.rows_view = _table(self.rows_model)
        self.rows_view.setObjectName("previewRows")
        right_layout.addWidget(self.rows_view)
        self.rows_label = QLabel()
        self.rows_label.setObjectName("rowsLabel")
        right_layout.addWidget(self.rows_label)
        split.addWidget(right)
        split.setStretchFactor(0, 0)
        split.setStretchFactor(1, 1)
        split.setSizes([480, 620])
        layout.addWidget(split, 1)
        return page

    def request(self) -> PreviewRequest | None:
        """What the preview reads now (None until step 1 is complete)."""
        if not self._choose_ready():
            return None
        assert self.kind is not None and self.payer_code is not None and self.path is not None
        return PreviewRequest(
            payer=self.payer_code,
            kind=self.kind,
            path=self.path,
            roster_month=self.roster_month if self.kind == "roster" else None,
            mapping=dict(self.overrides),
            sheet=self._sheet,
            header_row=self._header_row,
        )

    def refresh_preview(self) -> None:
        """Read the file again with the current choices (in the background; one at a time:
        changes made while a preview runs are read once it is done)."""
        request = self.request()
        if request is None:
            return
        if self._preview_running:
            self._preview_pending = True
            return
        self._preview_running = True
        self._show_busy(True)
        self.ctx.tasks.run(
            "Reading the file",
            lambda _progress: run_preview(self.ctx.db, request, self._detections),
            on_success=self._alive_only(self._preview_done),
            on_failure=self._alive_only(self._preview_error),
            on_cancel=self._alive_only(lambda: self._preview_error(None)),
            parent=self,
            show_progress=False,
        )

    def _alive_only(self, fn: Any) -> Any:
        def call(*args: Any) -> None:
            if self._alive and shiboken6.isValid(self):
                fn(*args)

        return call

    def _preview_finished(self) -> bool:
        """Start the next preview if choices changed meanwhile; True when this one stands.

        The next one starts inside this one's callback, so the task runner never looks idle
        between the two (tests wait for idle)."""
        self._preview_running = False
        if self._preview_pending:
            self._preview_pending = False
            self.refresh_preview()
            return False
        self._show_busy(False)
        return True

    def _preview_done(self, outcome: PreviewOutcome) -> None:
        if not self._preview_finished():
            return
        self.current = outcome
        self.show_preview(outcome)

    def _preview_error(self, exc: BaseException | None) -> None:
        if not self._preview_finished():
            return
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
        # sheet and header row, without re-reading the file for the values shown
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
        self.mapping.set_kind(kind)
        choices: dict[str, FieldChoice] = {}
        if outcome.detection is not None:
            choices = {c.field: c for c in outcome.detection.fields}
        self.mapping.show_mapping(p.headers, p.mapping, choices)
        set_banner(self.layout_label, self._layout_sentence(outcome), "info")
        if p.error is not None:
            set_banner(self.preview_banner, _plain_error(kind, p.file_name, p.error), "error")
        elif p.already_imported is not None:
            set_banner(self.preview_banner, self.already_sentence(p), "warning")
        elif p.row_count == 0:
            set_banner(self.preview_banner, f"{p.file_name} has no data rows to import.", "error")
        else:
            set_banner(self.preview_banner, None)
        self._show_rows(kind, p)
        self._update_buttons()

    def _layout_sentence(self, outcome: PreviewOutcome) -> str:
        p = outcome.preview
        where = f"row {p.header_row}" if p.header_row is not None else ""
        if p.sheet is not None and len(p.sheets) > 1:
            where += f" of sheet “{p.sheet}”"
        if p.profile is not None:
            return (
                f"Using the saved layout '{p.profile}' for {p.payer_code}: the header is on "
                f"{where}. Change anything below if this file differs."
            )
        if outcome.request.header_row is not None:
            return f"The header is on {where}, as you chose."
        if p.error is not None and p.header_row is not None:
            return f"The header seems to be on {where}."
        detection = outcome.detection
        if detection is None or p.header_row is None:
            return "Choose the header row and the columns below."
        if detection.confident:
            return (
                f"Found the header on {where}: a clear match. Check that the columns below "
                "are right; PMPM will remember them for this payer's next file."
            )
        return (
            f"The header is probably on {where}, but PMPM is not sure (another row looked "
            "almost as likely). Check the columns and the first rows below, and change the "
            "header row if they look wrong."
        )

    def already_sentence(self, p: Preview) -> str | None:
        if p.already_imported is None:
            return None
        name, at = p.already_imported
        same = "" if name == p.file_name else f" (as “{name}”)"
        return (
            f"Already imported on {fmt.timestamp(at)}{same}: this exact file is stored "
            "already, so it cannot be imported again (its rows would count twice)."
        )

    def _show_rows(self, kind: str, p: Preview) -> None:
        columns = [_preview_column(kind, name, i, p.rows) for i, name in enumerate(p.columns)]
        self.rows_model.beginResetModel()
        self.rows_model.columns = columns
        self.rows_model.endResetModel()
        self.rows_model.set_rows(list(p.rows))
        header = self.rows_view.horizontalHeader()
        header.resizeSections(QHeaderView.ResizeMode.ResizeToContents)
        if p.error is not None:
            self.rows_label.setText("")
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

    # ======================================================================================
    # step 3: check
    # ======================================================================================
    def _build_check(self) -> QWidget:
        page = QWidget()
        layout = QVBoxLayout(page)
        layout.setContentsMargins(0, 4, 0, 0)
        self.check_label = banner("ok")
        self.check_label.setObjectName("checkLabel")
        layout.addWidget(self.check_label)
        self.check_details = QLabel()
        self.check_details.setObjectName("checkDetails")
        self.check_details.setWordWrap(True)
        layout.addWidget(self.check_details)
        self.problems_model = RowsModel(
            [
                Column("Row", lambda p: p.row, "int", "The row number in the payer's file"),
                Column("Column", lambda p: p.column or "(whole file)"),
                Column("Value", lambda p: p.value),
                Column("Problem", lambda p: p.reason),
            ]
        )
        self.problems_view = _table(self.problems_model)
        self.problems_view.setObjectName("problemsView")
        self.problems_view.horizontalHeader().setStretchLastSection(True)
        layout.addWidget(self.problems_view, 1)
        row = QHBoxLayout()
        self.export_button = QPushButton("Export problems…")
        self.export_button.setObjectName("exportProblems")
        self.export_button.setToolTip("Save the list as Excel or CSV, to send to the payer")
        self.export_button.clicked.connect(self._export_dialog)
        self.export_label = QLabel()
        self.export_label.setObjectName("exportLabel")
        row.addWidget(self.export_button)
        row.addWidget(self.export_label, 1)
        layout.addLayout(row)
        layout.addStretch(0)
        return page

    @property
    def problems(self) -> list[Problem]:
        if self.current is None:
            return []
        return as_problems(self.current.preview.all_problems())

    def show_check(self) -> None:
        outcome = self.current
        if outcome is None:
            return
        p = outcome.preview
        problems = self.problems
        self.problems_model.set_rows(problems)
        self.problems_view.resizeColumnsToContents()
        has_problems = bool(problems)
        self.problems_view.setVisible(has_problems)
        self.export_button.setVisible(has_problems)
        self.export_label.setText("")
        what = self._what_sentence(outcome)
        if has_problems:
            rows = len({x.row for x in problems if x.row is not None})
            counted = f"{len(problems)} problem{'s' if len(problems) != 1 else ''}"
            if rows:
                counted += f" in {rows} row{'s' if rows != 1 else ''}"
            set_banner(
                self.check_label,
                f"{p.file_name} cannot be imported: {counted}. Nothing will be written while "
                "the file has problems.",
                "error",
            )
            self.check_details.setText(
                "Correct these rows in the payer's file (or ask the payer for a corrected "
                "file), then choose it again. If a whole column is wrong, go Back and choose "
                "the right column for the field. “Export problems…” saves this list."
            )
        elif p.already_imported is not None:
            set_banner(self.check_label, self.already_sentence(p), "warning")
            self.check_details.setText(
                what + "\n\nIf the payer sent a corrected file, go Back and choose that one."
            )
        elif p.row_count == 0:
            set_banner(
                self.check_label,
                f"{p.file_name} has no data rows under its header: there is nothing to import.",
                "error",
            )
            self.check_details.setText(
                "Check that the header row on the previous step is the right one."
            )
        else:
            set_banner(
                self.check_label,
                f"No problems found: {fmt.count(p.row_count)} "
                f"row{'s' if p.row_count != 1 else ''} ready to import. Nothing has been "
                "written yet.",
                "ok",
            )
            self.check_details.setText(what + "\n\nPress Import to store it.")
        self._update_buttons()

    def _what_sentence(self, outcome: PreviewOutcome) -> str:
        r = outcome.request
        payer = self._payer_words(r.payer)
        if r.kind == "roster" and r.roster_month is not None:
            text = f"The {month_words(r.roster_month)} roster of {payer}, from {r.path.name}."
            if roster_stored(self.ctx.db, r.payer, r.roster_month):
                text += (
                    f" A {month_words(r.roster_month)} roster is stored already: this file "
                    "replaces it (the earlier import is kept as history, inactive)."
                )
            return text
        if r.kind == "remittance":
            text = f"A payment statement of {payer}, from {r.path.name}."
            stated = self.stated_total()
            if stated is not None:
                text += (
                    f" Its stated total, {fmt.money(stated)}, is checked against the sum of its "
                    "lines once it is imported."
                )
            return text
        return (
            f"The rates of {payer}'s contract “{self.contract_combo.currentText()}”, from "
            f"{r.path.name}. They replace the contract's current rates."
        )

    def _payer_words(self, code: str) -> str:
        payer = next((p for p in self.payers if p.code == code), None)
        return f"{code} ({payer.name})" if payer is not None else code

    def _export_dialog(self) -> None:
        stem = self.current.preview.file_name.rsplit(".", 1)[0] if self.current else "file"
        start = Path(self.ctx.settings.last_folder) / f"{stem} problems.xlsx"
        chosen, _ = QFileDialog.getSaveFileName(
            self, "Export problems", str(start), "Excel workbook (*.xlsx);;CSV (*.csv)"
        )
        if chosen:
            self.export_problems(Path(chosen))

    def export_problems(self, path: Path) -> Path | None:
        """Write the problem list to ``path`` (.xlsx or .csv); the outcome is said in words."""
        if path.suffix.lower() not in (".xlsx", ".csv"):
            path = path.with_suffix(".xlsx")
        try:
            write_problems(path, self.problems)
        except (OSError, ValueError) as exc:
            self.export_label.setText(error_text(exc)[0])
            return None
        self.export_label.setText(f"Saved {len(self.problems)} problems to {path}")
        return path

    # ======================================================================================
    # step 4: import
    # ======================================================================================
    def _build_import(self) -> QWidget:
        page = QWidget()
        layout = QVBoxLayout(page)
        layout.setContentsMargins(0, 4, 0, 0)
        layout.addStretch(1)
        self.import_label = QLabel()
        self.import_label.setObjectName("importLabel")
        self.import_label.setWordWrap(True)
        self.import_label.setAlignment(Qt.AlignmentFlag.AlignCenter)
        layout.addWidget(self.import_label)
        self.progress_bar = QProgressBar()
        self.progress_bar.setObjectName("importProgress")
        self.progress_bar.setMinimumWidth(420)
        row = QHBoxLayout()
        row.addStretch(1)
        row.addWidget(self.progress_bar, 2)
        self.cancel_import_button = QPushButton("Cancel import")
        self.cancel_import_button.setObjectName("cancelImport")
        self.cancel_import_button.clicked.connect(self.cancel_import)
        row.addWidget(self.cancel_import_button)
        row.addStretch(1)
        layout.addLayout(row)
        self.import_message = banner("error")
        self.import_message.setObjectName("importMessage")
        layout.addWidget(self.import_message)
        layout.addStretch(2)
        return page

    def start_import(self) -> None:
        outcome = self.current
        if outcome is None or not outcome.preview.importable:
            return
        r = outcome.request
        p = outcome.preview
        mapping = p.mapping_dict()
        db = self.ctx.db
        contract = self.contract_combo.currentText()
        payment_date = (
            self.payment_date_edit.date().toPython()
            if self.payment_date_check.isChecked()
            else None
        )
        reference = self.reference_edit.text().strip() or None
        stated_total = self.stated_total() if r.kind == "remittance" else None

        def work(progress: Any) -> ImportOutcome:
            if r.kind == "roster":
                assert r.roster_month is not None
                result = importing.import_roster(
                    db,
                    r.payer,
                    r.roster_month,
                    r.path,
                    mapping=mapping,
                    sheet=p.sheet,
                    header_row=p.header_row,
                    progress=progress,
                )
                try:
                    diff: RosterDiff | None = roster_diff(db, r.payer, r.roster_month)
                    diff_error = None
                except PmpmError as exc:
                    diff, diff_error = None, str(exc)
                return ImportOutcome(
                    r.kind, r.payer, r.path.name, result, None, r.roster_month, diff, diff_error
                )
            if r.kind == "remittance":
                result = importing.import_remittance(
                    db,
                    r.payer,
                    r.path,
                    mapping=mapping,
                    sheet=p.sheet,
                    header_row=p.header_row,
                    payment_date=payment_date,
                    reference=reference,
                    stated_total=stated_total,
                    progress=progress,
                )
                return ImportOutcome(r.kind, r.payer, r.path.name, result)
            if not progress(0, 1):  # the rate import takes no progress callback
                raise ImportCancelled("import cancelled: nothing was written")
            rates = importing.import_rates(
                db,
                r.payer,
                contract,
                r.path,
                mapping=mapping,
                sheet=p.sheet,
                header_row=p.header_row,
            )
            return ImportOutcome(r.kind, r.payer, r.path.name, rates=rates)

        self.go(IMPORT)
        self.progress_bar.setRange(0, 0)
        self.progress_bar.setVisible(True)
        self.cancel_import_button.setVisible(True)
        self.cancel_import_button.setEnabled(True)
        set_banner(self.import_message, None)
        self.import_label.setText(f"Importing {p.file_name}…")
        handle = self.ctx.tasks.run(
            f"Importing {p.file_name}",
            work,
            on_success=self._import_done,
            on_failure=self._alive_only(self._import_failed),
            on_cancel=self._alive_only(self._import_cancelled),
            parent=self,
            show_progress=False,
        )
        handle.progressed.connect(self._alive_only(self._import_progress))
        self._import_handle = handle
        self._update_buttons()

    def _import_progress(self, done: int, total: int) -> None:
        if total > 0:
            self.progress_bar.setRange(0, total)
            self.progress_bar.setValue(min(done, total))

    def cancel_import(self) -> None:
        if self._import_handle is not None:
            self._import_handle.cancel()
            self.cancel_import_button.setEnabled(False)
            self.import_label.setText("Cancelling…")

    def _import_done(self, outcome: ImportOutcome) -> None:
        # The data changed whether or not the wizard is still open: announce it first.
        self._import_handle = None
        self.ctx.changed(IMPORTS, _status_sentence(outcome))
        if outcome.kind == "rates":
            self.ctx.changed(PAYERS)
        if not (self._alive and shiboken6.isValid(self)):
            return
        self.outcome = outcome
        self.show_done(outcome)
        self.go(DONE)

    def _import_failed(self, exc: BaseException) -> None:
        self._import_handle = None
        if isinstance(exc, ImportCancelled):
            self._import_cancelled()
            return
        head, details = error_text(exc)
        text = head + (f"\n\n{details}" if details else "")
        self._import_stopped(text, "The file was not imported")

    def _import_cancelled(self) -> None:
        self._import_handle = None
        self._import_stopped("Import cancelled: nothing was written.", "Import cancelled")

    def _import_stopped(self, text: str, title: str) -> None:
        self.import_label.setText(title)
        self.step_title.setText(title)
        self.progress_bar.setVisible(False)
        self.cancel_import_button.setVisible(False)
        self.cancel_import_button.setEnabled(False)
        set_banner(self.import_message, text, "warning" if "cancelled" in title else "error")
        self._update_buttons()

    # ======================================================================================
    # step 5: done
    # ======================================================================================
    def _build_done(self) -> QWidget:
        page = QWidget()
        layout = QVBoxLayout(page)
        layout.setContentsMargins(0, 4, 0, 0)
        self.summary_label = banner("ok")
        self.summary_label.setObjectName("summaryLabel")
        layout.addWidget(self.summary_label)
        self.total_label = banner("warning")
        self.total_label.setObjectName("totalLabel")
        layout.addWidget(self.total_label)
        self.changes_box = QGroupBox("What changed")
        box = QVBoxLayout(self.changes_box)
        self.changes_label = QLabel()
        self.changes_label.setObjectName("changesLabel")
        self.changes_label.setWordWrap(True)
        self.changes_label.setTextFormat(Qt.TextFormat.PlainText)
        self.changes_label.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        box.addWidget(self.changes_label)
        layout.addWidget(self.changes_box)
        self.profile_label = QLabel()
        self.profile_label.setObjectName("profileLabel")
        self.profile_label.setWordWrap(True)
        layout.addWidget(self.profile_label)
        layout.addSpacing(10)
        self.reconcile_hint = QLabel()
        self.reconcile_hint.setWordWrap(True)
        layout.addWidget(self.reconcile_hint)
        row = QHBoxLayout()
        self.reconcile_button = QPushButton("Reconcile now")
        self.reconcile_button.setObjectName("reconcileNow")
        self.reconcile_button.setIcon(
            self.style().standardIcon(QStyle.StandardPixmap.SP_BrowserReload)
        )
        self.reconcile_button.clicked.connect(self.reconcile_now)
        self.another_button = QPushButton("Import another file")
        self.another_button.setObjectName("importAnother")
        self.another_button.clicked.connect(self.restart)
        row.addWidget(self.reconcile_button)
        row.addWidget(self.another_button)
        row.addStretch(1)
        layout.addLayout(row)
        layout.addStretch(1)
        return page

    def show_done(self, outcome: ImportOutcome) -> None:
        set_banner(self.summary_label, summary_sentence(outcome, self._payer_words(outcome.payer)))
        set_banner(self.total_label, total_sentence(outcome))
        self.changes_label.setText(changes_sentence(outcome))
        self.changes_box.setTitle(
            "What changed in the roster" if outcome.kind == "roster" else "What next"
        )
        self.reconcile_hint.setText(
            f"Compare what {outcome.payer} paid with what its contracts say is owed, on the "
            "Reconciliation page."
        )
        self.profile_label.setText(
            f"PMPM remembered how this file is laid out for {outcome.payer}: the next file "
            "with the same columns is read the same way, without asking."
        )

    def reconcile_now(self) -> None:
        code = self.outcome.payer if self.outcome is not None else self.payer_code
        self.ctx.navigate.emit("reconciliation", {"payer": code})
        self.close()

    def restart(self) -> None:
        """Back to step 1 for the next file (same payer and kind)."""
        self.path = None
        self.path_edit.clear()
        self.stated_total_edit.clear()  # the total of the statement just imported
        self.drop_zone.show_file(None)
        set_banner(self.file_message, None)
        self.current = None
        self.outcome = None
        self.overrides.clear()
        self._sheet = self._header_row = None
        self.reload_payers()
        self.go(CHOOSE)

    # ======================================================================================
    # navigation
    # ======================================================================================
    @property
    def step(self) -> int:
        return self.stack.currentIndex()

    def go(self, step: int) -> None:
        self.stack.setCurrentIndex(step)
        self.steps.show_step(step)
        self.step_title.setText(
            {
                CHOOSE: "Which file do you want to import?",
                PREVIEW: "Check how PMPM reads the file",
                CHECK: "Check the rows",
                IMPORT: "Importing",
                DONE: "Imported",
            }[step]
        )
        self._update_buttons()

    def next(self) -> None:
        if not self.next_button.isEnabled():
            return
        if self.step == CHOOSE:
            request = self.request()
            if request is None:
                return
            same = self.current is not None and _same_file(self.current.request, request)
            if not same:
                self.current = None
                self.overrides.clear()
                self._sheet = self._header_row = None
                self.rows_model.set_rows([])
                set_banner(self.preview_banner, None)
                set_banner(self.layout_label, None)
                self.mapping_note.setVisible(False)
                self.file_label.setText(f"<b>{request.path.name}</b>")
            self.go(PREVIEW)
            if not same or self.current is None or self.current.request != request:
                self.refresh_preview()
        elif self.step == PREVIEW:
            self.show_check()
            self.go(CHECK)
        elif self.step == CHECK:
            self.start_import()
        elif self.step == IMPORT:
            self.show_check()
            self.go(CHECK)  # "Try again" after a failure: from the check step
        elif self.step == DONE:
            self.close()

    def back(self) -> None:
        if self.step == PREVIEW:
            self.go(CHOOSE)
        elif self.step == CHECK:
            self.go(PREVIEW)
        elif self.step == IMPORT and self._import_handle is None:
            self.show_check()
            self.go(CHECK)

    def _update_buttons(self) -> None:
        if not hasattr(self, "next_button"):
            return  # still building
        self._show_choose_hint()
        step = self.step
        importing_now = self._import_handle is not None
        p = self.current.preview if self.current is not None else None
        self.back_button.setVisible(step not in (CHOOSE, DONE))
        self.back_button.setEnabled(not importing_now and not self._preview_running)
        self.next_button.setVisible(step != IMPORT or not importing_now)
        self.close_button.setText("Close" if step == DONE else "Cancel")
        self.close_button.setEnabled(not importing_now)
        self.close_button.setVisible(step != DONE)
        if step == CHOOSE:
            self.next_button.setText("Next ›")
            self.next_button.setEnabled(self._choose_ready())
        elif step == PREVIEW:
            self.next_button.setText("Next ›")
            ok = p is not None and p.error is None and not self._preview_running
            self.next_button.setEnabled(ok)
        elif step == CHECK:
            self.next_button.setText("Import")
            self.next_button.setEnabled(
                p is not None and p.importable and not self._preview_running
            )
        elif step == IMPORT:
            self.next_button.setText("Try again")
            self.next_button.setEnabled(not importing_now and p is not None and p.importable)
        else:
            self.next_button.setText("Close")
            self.next_button.setEnabled(True)

    def reject(self) -> None:
        """Esc or the window's close button: while importing, that means Cancel import."""
        if self._import_handle is not None:
            self.cancel_import()
            return
        super().reject()

    def done(self, result: int) -> None:
        """Closing: a running import is asked to stop (its outcome is still announced)."""
        if self._import_handle is not None:
            self._import_handle.cancel()
        self._alive = False
        super().done(result)


# --- helpers -------------------------------------------------------------------------------


class _StepList(QFrame):
    """The steps on the left: done ones ticked, the current one bold."""

    def __init__(self) -> None:
        super().__init__()
        self.setObjectName("stepList")
        self.setFixedWidth(200)
        self.setStyleSheet(
            "QFrame#stepList { background: palette(alternate-base); "
            "border-right: 1px solid palette(mid); }"
        )
        layout = QVBoxLayout(self)
        layout.setContentsMargins(16, 20, 12, 16)
        layout.setSpacing(14)
        title = QLabel("<b>Import a payer file</b>")
        layout.addWidget(title)
        layout.addSpacing(6)
        self.labels: list[QLabel] = []
        for text in _STEPS:
            label = QLabel(text)
            layout.addWidget(label)
            self.labels.append(label)
        layout.addStretch(1)

    def show_step(self, current: int) -> None:
        for n, (label, text) in enumerate(zip(self.labels, _STEPS, strict=True)):
            if n < current:
                label.setText(f"✓  {text}")
                label.setEnabled(True)
                label.setStyleSheet("color: #0d652d;")
            elif n == current:
                label.setText(f"<b>{n + 1}  {text}</b>")
                label.setEnabled(True)
                label.setStyleSheet("")
            else:
                label.setText(f"{n + 1}  {text}")
                label.setEnabled(False)
                label.setStyleSheet("")


def _table(model: RowsModel) -> QTableView:
    view = QTableView()
    view.setModel(model)
    view.setAlternatingRowColors(True)
    view.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
    view.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
    view.verticalHeader().setVisible(False)
    view.verticalHeader().setDefaultSectionSize(22)
    view.setWordWrap(False)
    return view


def _preview_column(kind: str, name: str, index: int, rows: Any) -> Column:
    """A grid column for one of the preview's values (its kind from the values themselves)."""
    sample = next((r[index] for r in rows if r[index] is not None), None)
    title = field_label(kind, name)
    if name == "row":
        return Column(title, lambda r, i=index: r[i], "int", "The row number in the file")
    if name == "amount":
        return Column(title, lambda r, i=index: r[i], "money")
    if name == "risk_score":
        return Column(title, lambda r, i=index: _score(r[i]), "text")
    if isinstance(sample, int):
        return Column(title, lambda r, i=index: r[i], "int")
    if sample is not None and hasattr(sample, "isoformat"):
        return Column(title, lambda r, i=index: r[i], "date")
    return Column(title, lambda r, i=index: r[i], "text")


def _score(value: Any) -> str | None:
    """A risk score as the roster wrote it: ``1.234``, not ``1.234000``."""
    if value is None:
        return None
    text = f"{value.normalize():f}" if hasattr(value, "normalize") else str(value)
    return text if "." in text else text + ".0"


def _same_file(a: PreviewRequest, b: PreviewRequest) -> bool:
    return (a.payer, a.kind, a.path) == (b.payer, b.kind, b.path)


def _guess_kind(path: Path | None) -> str | None:
    """What a file probably is, from its name only (the user confirms it on step 1)."""
    if path is None:
        return None
    name = path.stem.lower()
    if "roster" in name or "eligib" in name or "834" in name:
        return "roster"
    if any(w in name for w in ("statement", "remit", "payment", "835", "820", "cap pay")):
        return "remittance"
    if "rate" in name or "exhibit" in name:
        return "rates"
    return None


def _guess_payer(path: Path, codes: list[str]) -> str | None:
    """The payer whose code is a word of the file name (``SUN roster 2026-07.xlsx``)."""
    words = {w.upper() for w in re.split(r"[^A-Za-z0-9]+", path.stem) if w}
    hits = [c for c in codes if c.upper() in words]
    return hits[0] if len(hits) == 1 else None


def _month_in_name(path: Path | None) -> Month | None:
    if path is None:
        return None
    m = _MONTH_IN_NAME.search(path.stem)
    return Month(int(m.group(1)), int(m.group(2))) if m else None


def _plural(n: int, one: str, many: str | None = None) -> str:
    return f"{fmt.count(n)} {one if n == 1 else (many or one + 's')}"


def _status_sentence(o: ImportOutcome) -> str:
    if o.rates is not None:
        return f"Imported {_plural(o.rates.rows, 'rate row')} for {o.payer} {o.rates.contract}"
    assert o.result is not None
    what = (
        f"the {month_words(o.roster_month)} roster"
        if o.kind == "roster" and o.roster_month
        else "a payment statement"
    )
    return f"Imported {what} for {o.payer}: {_plural(o.result.rows, 'row')}"


def summary_sentence(o: ImportOutcome, payer: str) -> str:
    """What was stored, in one or two sentences."""
    if o.rates is not None:
        replaced = (
            f", replacing its {_plural(o.rates.replaced, 'earlier rate row')}"
            if o.rates.replaced
            else ""
        )
        return (
            f"Imported {_plural(o.rates.rows, 'rate row')} for {payer}'s contract "
            f"“{o.rates.contract}”{replaced} (from {o.file_name})."
        )
    r = o.result
    assert r is not None
    if o.kind == "roster" and o.roster_month is not None:
        text = (
            f"Imported the {month_words(o.roster_month)} roster of {payer}: "
            f"{_plural(r.rows, 'row')}, {_plural(r.members, 'member')}, "
            f"{_plural(r.new_members, 'new member')} (from {o.file_name})."
        )
        if r.replaced_import_id is not None:
            text += (
                f" It replaces the {month_words(o.roster_month)} roster imported before "
                "(kept as history, inactive)."
            )
        return text
    return (
        f"Imported a payment statement of {payer}: {_plural(r.rows, 'line')} for "
        f"{_plural(r.members, 'member')} (from {o.file_name})."
    )


def total_sentence(o: ImportOutcome) -> str | None:
    """For a statement whose lines do not add up to the total it states: what to do."""
    mismatch = o.result.total_mismatch if o.result is not None else None
    if mismatch is None:
        return None
    return (
        f"{mismatch}. The statement was imported as it is; ask {o.payer} which is right. The "
        "Remittances page flags the difference in its “Total check” column."
    )


_CHANGE_WORDS = (
    ("add", "member added", "members added"),
    ("term", "member termed", "members termed"),
    ("retro_add", "retro add (coverage starting in an earlier month)", "retro adds"),
    ("retro_term", "retro term (coverage ended in an earlier month)", "retro terms"),
    ("pcp_change", "PCP change", "PCP changes"),
    ("rate_cell_change", "rate cell change", "rate cell changes"),
    ("product_change", "product change", "product changes"),
    ("dob_correction", "date of birth corrected", "dates of birth corrected"),
    ("name_correction", "name corrected", "names corrected"),
    ("sex_correction", "sex corrected", "sex corrections"),
)


def changes_sentence(o: ImportOutcome) -> str:
    """For a roster: what changed since the previous roster month, in words."""
    if o.rates is not None:
        return "Expected amounts use the new rates the next time you reconcile."
    if o.kind != "roster":
        return "Reconcile to compare these payments with what the contracts say is owed."
    if o.diff is None:
        return f"The changes since the previous roster could not be listed: {o.diff_error}"
    diff = o.diff
    if diff.previous_month is None:
        return (
            f"This is the first roster of {o.payer}: the next month's roster will be "
            "compared with it (adds, terms, retro changes)."
        )
    counts = summarise_changes(diff)
    parts = [
        f"{fmt.count(counts[k])} {one if counts[k] == 1 else many}"
        for k, one, many in _CHANGE_WORDS
        if counts[k]
    ]
    head = (
        f"Compared with the {month_words(diff.previous_month)} roster "
        f"({_plural(counts['before'], 'member')} then, {fmt.count(counts['after'])} now):"
    )
    if not parts:
        return head + " no member was added, termed or changed."
    return head + "\n" + "\n".join(f"  •  {p}" for p in parts)
