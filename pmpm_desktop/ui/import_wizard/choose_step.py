"""Step 1, *Choose the file*: what it is, the payer, the roster month / contract / payment
details, and the file itself (dropped on the drop zone, picked with Browse…, or typed)."""

from __future__ import annotations

from decimal import Decimal
from pathlib import Path

from PySide6.QtCore import QDate, Qt
from PySide6.QtWidgets import (
    QButtonGroup,
    QComboBox,
    QDateEdit,
    QFileDialog,
    QFormLayout,
    QGroupBox,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QPushButton,
    QRadioButton,
    QSizePolicy,
    QVBoxLayout,
    QWidget,
)

from pmpm_desktop.core.clock import now
from pmpm_desktop.core.month import Month
from pmpm_desktop.io.options import FileKind
from pmpm_desktop.services.import_history import latest_roster_month
from pmpm_desktop.services.payers import list_payers
from pmpm_desktop.ui.import_wizard.base import KIND_NAMES
from pmpm_desktop.ui.import_wizard.drop_zone import (
    IMPORTABLE,
    MACHINE_SUFFIXES,
    DropZone,
    refusal,
)
from pmpm_desktop.ui.import_wizard.file_name_guesses import guess_payer, month_in_name
from pmpm_desktop.ui.import_wizard.outcome_text import month_words
from pmpm_desktop.ui.import_wizard.payer_check import PayerCheck
from pmpm_desktop.ui.import_wizard.statement_fields import StatedTotalField
from pmpm_desktop.ui.import_wizard.widgets import banner, set_banner, step_page
from pmpm_desktop.ui.operations.import_data import PaymentDetails

_KIND_HINTS = {
    FileKind.ROSTER: "Who the payer says is enrolled, for one month",
    FileKind.STATEMENT: "What the payer paid, member by member (a capitation statement)",
    FileKind.RATES: "What the contract pays per member per month",
}


class ChooseStep(PayerCheck):
    """Step 1: the kind, payer, month / contract / payment details and the file."""

    #: the payer is changed by the user's answer to a payer question: the month chosen stays
    _keep_month = False

    def _build_choose(self) -> QWidget:
        """The page of step 1 (its widgets become the wizard's attributes)."""
        page, layout = step_page()
        layout.setSpacing(12)
        layout.addWidget(self._build_kinds())
        # What the file's columns and name say it is (kind_proposal.py fills it in).
        self.kind_note = banner("info")
        self.kind_note.setObjectName("kindNote")
        layout.addWidget(self.kind_note)
        layout.addWidget(self._build_no_payer())
        self.choose_hint = banner("warning")
        self.choose_hint.setObjectName("chooseHint")
        layout.addWidget(self.choose_hint)
        layout.addLayout(self._build_form())
        self._build_file(layout)
        layout.addStretch(0)
        return page

    def _build_kinds(self) -> QGroupBox:
        """What is this file? A roster, a payment statement or a rate exhibit."""
        kinds = QGroupBox("What is this file?")
        row = QHBoxLayout(kinds)
        self.kind_group = QButtonGroup(self)
        self.kind_buttons: dict[FileKind, QRadioButton] = {}
        for key, name in KIND_NAMES.items():
            cell = QVBoxLayout()
            button = QRadioButton(name)
            button.setObjectName(f"kind_{key.value}")
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
        return kinds

    def _build_no_payer(self) -> QWidget:
        """Shown only while there is no payer: where to add one."""
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
        return self.no_payer

    def _build_form(self) -> QFormLayout:
        """Payer (and its question), roster month, contract, a statement's reference and
        total: the rows of the kind chosen are shown."""
        form = QFormLayout()
        form.setLabelAlignment(Qt.AlignmentFlag.AlignRight)
        form.setFieldGrowthPolicy(QFormLayout.FieldGrowthPolicy.FieldsStayAtSizeHint)
        self.form = form
        self.payer_combo = QComboBox()
        self.payer_combo.setObjectName("payerCombo")
        self.payer_combo.setMinimumContentsLength(30)
        self.payer_combo.currentIndexChanged.connect(lambda _i: self._payer_changed())
        form.addRow("Payer:", self.payer_combo)
        self._build_payer_questions()
        form.addRow("", self.name_question)

        form.addRow("Roster month:", self._build_month_row())
        self.contract_combo = QComboBox()
        self.contract_combo.setObjectName("contractCombo")
        self.contract_combo.setMinimumContentsLength(24)
        self.contract_combo.currentIndexChanged.connect(lambda _i: self._update_buttons())
        form.addRow("Contract:", self.contract_combo)
        self.reference_edit = QLineEdit()
        self.reference_edit.setObjectName("referenceEdit")
        self.reference_edit.setPlaceholderText("optional, e.g. EFT 20260715 or check 10234")
        self.reference_edit.setMinimumWidth(320)
        self.reference_edit.setMaxLength(100)
        form.addRow("Check / EFT reference:", self.reference_edit)
        self.stated_total_row = StatedTotalField()
        self.stated_total_edit = self.stated_total_row.edit
        self.stated_total_error = self.stated_total_row.error
        self.stated_total_row.changed.connect(self._update_buttons)
        form.addRow("Statement total (optional):", self.stated_total_row)
        return form

    def _build_month_row(self) -> QWidget:
        """The roster month, and where its proposal came from."""
        self.month_edit = QDateEdit()
        self.month_edit.setObjectName("rosterMonth")
        self.month_edit.setDisplayFormat("MMMM yyyy")
        self.month_edit.setMinimumDate(QDate(2000, 1, 1))
        self.month_edit.setMaximumDate(QDate(2099, 12, 1))
        self.month_edit.setMinimumWidth(170)
        self.month_hint = QLabel()
        self.month_hint.setObjectName("monthHint")
        self.month_hint.setEnabled(False)
        self.month_row = QWidget()
        month_row = QHBoxLayout(self.month_row)
        month_row.setContentsMargins(0, 0, 0, 0)
        month_row.addWidget(self.month_edit)
        month_row.addWidget(self.month_hint)
        return self.month_row

    def _build_file(self, layout: QVBoxLayout) -> None:
        """The drop zone (with Browse…), the path typed, and what is wrong with the file."""
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

    # -- choices ---------------------------------------------------------------------------
    @property
    def kind(self) -> FileKind | None:
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
        named = month_in_name(self.path)
        if named is not None:
            month, hint = named, "as in the file's name"
        if not self._keep_month:
            self.set_roster_month(month)
            self.month_hint.setText(hint)
        if self.name_question.open and code is not None:
            self._payer_answered(code)  # the user chose the payer themselves: that answers
        self._update_buttons()

    def _kind_changed(self) -> None:
        kind = self.kind
        self._kind_chosen_by_user()
        if kind is not None:
            self.values_editor.set_kind(kind)
        self.form.setRowVisible(self.month_row, kind is FileKind.ROSTER)
        self.form.setRowVisible(self.contract_combo, kind is FileKind.RATES)
        self.form.setRowVisible(self.reference_edit, kind is FileKind.STATEMENT)
        self.form.setRowVisible(self.stated_total_row, kind is FileKind.STATEMENT)
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
        if path != self.path:
            self.forget_answers()  # the values and decimal style given were the other file's
            self.forget_payer_answers()
        self.path = path
        self.path_edit.setText(str(path))
        self.drop_zone.show_file(path)
        set_banner(self.file_message, None)
        self.ctx.settings.last_folder = str(path.parent)
        self.propose_kind_of(path)
        self._payer_changed()  # the roster month may come from the file name
        # The payer stays the user's choice: a name naming another one is asked about.
        named = guess_payer(path, [p.code for p in self.payers])
        self.ask_about_payers((named,) if named is not None else (), by_name=True)
        self._update_buttons()

    def _file_refused(self, why: str) -> None:
        self.path = None
        self._proposing = self._proposal = None
        self.unreadable = None
        self.forget_payer_answers()
        self._show_kind_note()
        self.path_edit.clear()
        self.drop_zone.show_file(None)
        set_banner(self.file_message, why, "error")
        self._update_buttons()

    def _path_typed(self) -> None:
        text = self.path_edit.text().strip().strip('"')
        if text and (self.path is None or Path(text) != self.path):
            self.set_path(Path(text).expanduser())

    def browse(self) -> None:
        patterns = " ".join(f"*{s}" for s in (*IMPORTABLE, *MACHINE_SUFFIXES))
        start = str(self.path.parent) if self.path else self.ctx.settings.last_folder
        chosen, _ = QFileDialog.getOpenFileName(
            self, "Choose the payer's file", start, f"Payer files ({patterns});;All files (*)"
        )
        if chosen:
            self.set_path(Path(chosen))

    def _show_choose_hint(self) -> None:
        code = self.payer_code
        unreadable = self.unreadable_text()
        if unreadable is not None:
            set_banner(self.file_message, unreadable, "error")
        elif self.path is not None:
            set_banner(self.file_message, None)
        if self.kind is FileKind.RATES and code is not None and self.contract_combo.count() == 0:
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
        if self._proposing is not None:
            return False  # the kind proposal is on its way
        if self.unreadable is not None or self.name_question.open:
            return False  # only another file helps / the payer is the user's to say
        if self.kind is FileKind.STATEMENT and self.stated_total_row.problem() is not None:
            return False
        return self.kind is not FileKind.RATES or self.contract_combo.count() > 0

    def stated_total(self) -> Decimal | None:
        """The statement total typed (None when empty or not an amount)."""
        return self.stated_total_row.value()

    # -- what the other steps read -------------------------------------------------------
    @property
    def contract(self) -> str:
        """The contract a rate exhibit is loaded into."""
        return self.contract_combo.currentText()

    def payment_details(self) -> PaymentDetails:
        """The statement's payment date (confirmed on the check step), reference and stated
        total (typed on this step)."""
        if self.kind is not FileKind.STATEMENT:
            return PaymentDetails()
        return PaymentDetails(
            payment_date=self.payment_box.payment_date(),
            reference=self.reference_edit.text().strip() or None,
            stated_total=self.stated_total(),
        )

    def clear_file(self) -> None:
        """Forget the file (and the total of the statement just imported) for the next one."""
        self.path = None
        self._proposing = self._proposal = None
        self.unreadable = None
        self.forget_payer_answers()
        self.payment_box.forget()
        self.path_edit.clear()
        self.stated_total_edit.clear()
        self.drop_zone.show_file(None)
        self.forget_answers()
        set_banner(self.file_message, None)
        self._show_kind_note()
