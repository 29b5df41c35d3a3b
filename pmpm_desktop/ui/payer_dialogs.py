"""The payer and contract dialogs: typed fields, validated by the services, problems shown inline.

A dialog stays open until the services accept what was typed: the save runs as a task, and an
``InputRejected`` comes back as the list under the form (nothing was written). On success the
dialog emits ``saved`` with what was stored and closes.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import Any

from PySide6.QtCore import Qt, Signal
from PySide6.QtWidgets import (
    QCheckBox,
    QComboBox,
    QDialog,
    QDialogButtonBox,
    QFormLayout,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QSpinBox,
    QVBoxLayout,
    QWidget,
)

from pmpm_desktop.core.eligibility import EligibilityRule
from pmpm_desktop.core.member_ids import IdRule, SuffixRule
from pmpm_desktop.errors import InputRejected
from pmpm_desktop.services import payers
from pmpm_desktop.services.payers import ContractInfo, ContractSpec, CrMeaning, PayerInfo
from pmpm_desktop.ui import dialogs, format
from pmpm_desktop.ui.context import AppContext, Changed
from pmpm_desktop.ui.operations import Op

#: the eligibility rules of SPEC §3, as the combo box offers them
ELIGIBILITY_CHOICES: tuple[tuple[str, str], ...] = (
    ("first-of-month", "First of the month: paid if covered on day 1"),
    ("mid-month", "Mid-month: paid if covered on day N"),
    ("any-day", "Any day: paid if covered on any day of the month"),
    ("daily", "Daily: pro-rated by the days covered"),
)
#: what a dependent suffix means, as the payer dialog offers it
SUFFIX_CHOICES: tuple[tuple[SuffixRule, str], ...] = (
    (SuffixRule.AS_WRITTEN, "Part of the ID"),
    (SuffixRule.KEEP, "Names the dependent (kept)"),
    (SuffixRule.DROP, "Dropped"),
)
CR_CHOICES: tuple[tuple[CrMeaning, str], ...] = (
    (CrMeaning.PAID, "Paid to the practice"),
    (CrMeaning.RECOUPED, "Taken back"),
)
AGE_BASIS_CHOICES: tuple[tuple[str, str], ...] = (
    ("first-of-month", "Age on the 1st of each month"),
    ("first-of-year", "Age on January 1 of the year"),
)


def eligibility_label(rule: str) -> str:
    """``mid-month:15`` → ``Mid-month (day 15)``: a stored rule as the tables show it."""
    parsed = EligibilityRule.parse(rule)
    if parsed.kind == "point":
        return "First of month" if parsed.day == 1 else f"Mid-month (day {parsed.day})"
    return {"any-day": "Any day", "daily": "Daily (pro-rated)"}.get(parsed.kind, parsed.kind)


def age_basis_label(basis: str) -> str:
    return {"first-of-month": "1st of month", "first-of-year": "January 1"}.get(basis, basis)


def contract_dates(info: ContractInfo) -> str:
    end = format.month(info.effective_to) if info.effective_to else "open"
    return f"{format.month(info.effective_from)} – {end}"


class _FormDialog(QDialog):
    """A form whose Save runs a service call as a task and lists its refusals under the form."""

    #: what the service returned (a PayerInfo, a contract id)
    saved = Signal(object)

    def __init__(self, ctx: AppContext, title: str, parent: QWidget | None) -> None:
        super().__init__(parent)
        self.ctx = ctx
        self.setWindowTitle(title)
        self.setWindowModality(Qt.WindowModality.WindowModal)
        self.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
        self.form = QFormLayout()
        self.form.setFieldGrowthPolicy(QFormLayout.FieldGrowthPolicy.ExpandingFieldsGrow)
        self.problems = QLabel()
        self.problems.setObjectName("problems")
        self.problems.setWordWrap(True)
        self.problems.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        self.problems.setStyleSheet("color: #b00020;")
        self.problems.hide()
        self.buttons = QDialogButtonBox(
            QDialogButtonBox.StandardButton.Save | QDialogButtonBox.StandardButton.Cancel
        )
        self.save_button = self.buttons.button(QDialogButtonBox.StandardButton.Save)
        self.buttons.accepted.connect(self.submit)
        self.buttons.rejected.connect(self.reject)
        layout = QVBoxLayout(self)
        layout.addLayout(self.form)
        layout.addWidget(self.problems)
        layout.addWidget(self.buttons)
        self.running = False

    def reject(self) -> None:
        # A save under way still commits: the dialog stays until its answer is back.
        if not self.running:
            super().reject()

    def show_problems(self, head: str, problems: Sequence[str]) -> None:
        lines = [head.rstrip(":") + ":" if problems else head]
        # Problems are shown as the services word them: one may start with a product code.
        lines += [f"• {p}" for p in problems]
        self.problems.setText("\n".join(lines))
        self.problems.show()

    def work(self) -> tuple[Callable[[], Any], str]:
        """The service call to run, and the status-bar sentence for its success."""
        raise NotImplementedError

    def announce(self, result: object, message: str) -> None:
        """Tell the pages what changed, and the status bar in ``message``."""
        self.ctx.changed(Changed.PAYERS, message)

    def submit(self) -> None:
        if self.running:
            return
        call, message = self.work()
        self.running = True
        self.save_button.setEnabled(False)
        self.save_button.setText("Saving…")

        def done(result: object) -> None:
            self.running = False
            self.announce(result, message)
            self.saved.emit(result)
            self.accept()

        def failed(exc: BaseException) -> None:
            self.running = False
            self.save_button.setEnabled(True)
            self.save_button.setText("Save")
            if isinstance(exc, InputRejected):
                head = str(exc.args[0]) if exc.args else "Not saved"
                self.show_problems(_sentence(head), exc.problems)
            else:
                dialogs.show_error(self, self.windowTitle(), exc)

        self.ctx.run(
            Op(self.windowTitle(), lambda _progress: call()),
            on_success=done,
            on_failure=failed,
            parent=self,
            show_progress=False,
        )


def _sentence(text: str) -> str:
    return text[:1].upper() + text[1:]


class PayerDialog(_FormDialog):
    """Add a payer, or edit one (``payer`` given): its code is fixed once created."""

    def __init__(
        self, ctx: AppContext, parent: QWidget | None = None, payer: PayerInfo | None = None
    ) -> None:
        super().__init__(ctx, "Edit payer" if payer else "Add payer", parent)
        self.setObjectName("payerDialog")
        self.payer = payer
        self.code = QLineEdit(payer.code if payer else "")
        self.code.setObjectName("code")
        self.code.setMaxLength(20)
        self.code.setPlaceholderText("e.g. SUN")
        self.name = QLineEdit(payer.name if payer else "")
        self.name.setObjectName("name")
        self.name.setPlaceholderText("e.g. Sunrise Health Plan")
        self.id_width = QLineEdit(
            "" if payer is None or payer.id_width is None else str(payer.id_width)
        )
        self.id_width.setObjectName("idWidth")
        self.id_width.setPlaceholderText("none")
        self.id_width.setMaximumWidth(80)
        if payer is not None:
            self.code.setReadOnly(True)
            self.code.setEnabled(False)  # greyed: plainly not something to type into
            self.code.setToolTip("A payer's code cannot change: its files are filed under it.")
        code_help = _help(
            "Short and unique; it cannot be changed later."
            if payer is None
            else "Cannot be changed: imports and saved layouts are filed under it."
        )
        width_help = _help(
            "Numeric member IDs are padded with leading zeros to this\n"
            "many digits (for payers whose spreadsheets drop them).\n"
            "Leave blank to keep IDs as written."
        )
        self.form.addRow("Code:", self.code)
        self.form.addRow("", code_help)
        self.form.addRow("Name:", self.name)
        self.form.addRow("Member-ID width:", self.id_width)
        self.form.addRow("", width_help)
        self._build_member_ids(payer)
        self.setMinimumWidth(620)
        (self.name if payer else self.code).setFocus()

    def _build_member_ids(self, payer: PayerInfo | None) -> None:
        """How the payer writes member IDs (its ID rule), with a live example, and what CR
        means on its statements."""
        rule = payer.id_rule if payer is not None else IdRule()
        self.strip = QCheckBox("Ignore dashes and spaces")
        self.strip.setObjectName("stripPunctuation")
        self.strip.setChecked(rule.strip_punctuation)
        self.suffix = QComboBox()
        self.suffix.setObjectName("suffixRule")
        for key, text in SUFFIX_CHOICES:
            self.suffix.addItem(text, key.value)
        self.suffix.setCurrentIndex(self.suffix.findData(rule.suffix.value))
        self.prefix = QLineEdit(rule.prefix)
        self.prefix.setObjectName("idPrefix")
        self.prefix.setPlaceholderText("none")
        self.prefix.setMaximumWidth(120)
        self.example = QLabel()
        self.example.setObjectName("idExample")
        self.example.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        self.cr_means = QComboBox()
        self.cr_means.setObjectName("crMeans")
        for meaning, text in CR_CHOICES:
            self.cr_means.addItem(text, meaning.value)
        credit = payer is None or payer.credit_is_payment
        self.cr_means.setCurrentIndex(0 if credit else 1)
        self.form.addRow(_section("Member IDs"))
        self.form.addRow("", self.strip)
        self.form.addRow("Dependent suffix (-01, *01):", self.suffix)
        self.form.addRow("Prefix to remove:", self.prefix)
        self.form.addRow("Example:", self.example)
        self.form.addRow(
            "",
            _help(
                "Applied to this payer's rosters, statements and searches;\n"
                "IDs already stored take the new form when you save."
            ),
        )
        self.form.addRow("On statements, CR means:", self.cr_means)
        self.strip.toggled.connect(self._show_example)
        self.suffix.currentIndexChanged.connect(self._show_example)
        self.prefix.textChanged.connect(self._show_example)
        self._show_example()

    def id_rule(self) -> IdRule:
        """The rule as the form states it; ValueError (in words) for a prefix that cannot be."""
        return IdRule(
            strip_punctuation=self.strip.isChecked(),
            suffix=SuffixRule(str(self.suffix.currentData())),
            prefix=self.prefix.text(),
        )

    def _show_example(self) -> None:
        try:
            rule = self.id_rule()
        except ValueError as exc:
            self.example.setText(_sentence(str(exc)))
            return
        written = f"{rule.prefix}000-123-456-01"
        self.example.setText(f"{written} → {rule.apply(written)}")

    def work(self) -> tuple[Callable[[], Any], str]:
        db, code, name, width = (
            self.ctx.db,
            self.code.text(),
            self.name.text(),
            self.id_width.text(),
        )
        credit = CrMeaning(str(self.cr_means.currentData())).credit_is_payment
        try:
            rule = self.id_rule()
        except ValueError as exc:
            head = "the payer was not added:" if self.payer is None else "the payer was not saved:"
            problem = f"ID rule: {exc}"

            def refuse() -> Any:
                raise InputRejected(head, [problem])

            return refuse, ""
        if self.payer is None:
            return (
                lambda: payers.add_payer(
                    db, code, name, width, id_rule=rule, credit_is_payment=credit
                ),
                f"Added payer {code.strip().upper()}",
            )
        return (
            lambda: payers.update_payer(
                db, code, name, width, id_rule=rule, credit_is_payment=credit
            ),
            f"Saved payer {code}",
        )

    def announce(self, result: object, message: str) -> None:
        change = getattr(result, "id_change", None)
        if change is not None and change.changed:
            # stored member IDs changed: every page that shows them reads again
            self.ctx.changed(Changed.EVERYTHING, f"{message}: {change.describe()}")
        else:
            super().announce(result, message)


class ContractDialog(_FormDialog):
    """Add a contract to a payer, or edit one of its contracts (``contract`` given)."""

    def __init__(
        self,
        ctx: AppContext,
        payer: PayerInfo,
        parent: QWidget | None = None,
        contract: ContractInfo | None = None,
    ) -> None:
        title = f"Edit contract of {payer.code}" if contract else f"Add a contract to {payer.code}"
        super().__init__(ctx, title, parent)
        self.setObjectName("contractDialog")
        self.payer = payer
        self.contract = contract
        spec = contract.spec() if contract else None
        self.form.addRow("Name:", self._build_name(spec))
        self.form.addRow("Product codes:", self.products)
        self.form.addRow(
            "", _help("Comma-separated; may be blank when the payer has only one contract.")
        )
        self.form.addRow("Effective:", self._build_dates(spec))
        self.form.addRow("Eligibility rule:", self._build_rule(spec))
        self._build_terms(spec)
        self.form.addRow("Age basis:", self.age_basis)
        self.form.addRow("Risk-adjusted:", self.risk_adjusted)
        self.form.addRow("Withhold %:", self.withhold)
        self.form.addRow("Tolerance:", self._build_tolerance(spec))
        self.form.addRow("", _help(TOLERANCE_HELP))
        self.form.addRow("Retro window:", self.retro)
        self.form.addRow("", _help("How far back the payer may take money back (recoup)."))
        self.form.addRow("Payment due day:", self.due_day)
        self.setMinimumWidth(600)
        self._rule_changed()
        self.name.setFocus()

    def _build_name(self, spec: ContractSpec | None) -> QLineEdit:
        """The contract's name, and its product codes (``self.products``)."""
        self.name = QLineEdit(spec.name if spec else "")
        self.name.setObjectName("name")
        self.name.setPlaceholderText("e.g. Medicaid HMO")
        self.products = QLineEdit(", ".join(spec.products) if spec else "")
        self.products.setObjectName("products")
        self.products.setPlaceholderText("e.g. MCD, MCD2 (the roster's product values)")
        return self.name

    def _build_dates(self, spec: ContractSpec | None) -> QHBoxLayout:
        self.effective_from = QLineEdit(str(spec.effective_from) if spec else "")
        self.effective_from.setObjectName("effectiveFrom")
        self.effective_from.setPlaceholderText("YYYY-MM")
        self.effective_to = QLineEdit(str(spec.effective_to) if spec and spec.effective_to else "")
        self.effective_to.setObjectName("effectiveTo")
        self.effective_to.setPlaceholderText("open-ended")
        for edit in (self.effective_from, self.effective_to):
            edit.setMaximumWidth(110)
        dates = QHBoxLayout()
        dates.addWidget(self.effective_from)
        dates.addWidget(QLabel("to"))
        dates.addWidget(self.effective_to)
        dates.addStretch(1)
        return dates

    def _build_rule(self, spec: ContractSpec | None) -> QHBoxLayout:
        """The eligibility rule, with the day of a mid-month rule."""
        self.eligibility = QComboBox()
        self.eligibility.setObjectName("eligibility")
        for key, label in ELIGIBILITY_CHOICES:
            self.eligibility.addItem(label, key)
        self.mid_day = QSpinBox()
        self.mid_day.setObjectName("midMonthDay")
        self.mid_day.setRange(1, 28)
        self.mid_day.setValue(15)
        self.mid_day.setPrefix("day ")
        rule = EligibilityRule.parse(spec.eligibility) if spec else EligibilityRule("point", 1)
        if rule.kind == "point" and rule.day != 1:
            self.eligibility.setCurrentIndex(1)
            self.mid_day.setValue(rule.day)
        else:
            keys = [k for k, _ in ELIGIBILITY_CHOICES]
            self.eligibility.setCurrentIndex(keys.index(str(rule)))
        self.eligibility.currentIndexChanged.connect(self._rule_changed)
        rule_row = QHBoxLayout()
        rule_row.addWidget(self.eligibility, 1)
        rule_row.addWidget(self.mid_day)
        return rule_row

    def _build_terms(self, spec: ContractSpec | None) -> None:
        """Age basis, risk adjustment, withhold, retro window and payment due day."""
        self.age_basis = QComboBox()
        self.age_basis.setObjectName("ageBasis")
        for key, label in AGE_BASIS_CHOICES:
            self.age_basis.addItem(label, key)
        if spec:
            self.age_basis.setCurrentIndex(self.age_basis.findData(spec.age_basis))
        self.risk_adjusted = QCheckBox("Capitation is multiplied by the member's risk score")
        self.risk_adjusted.setObjectName("riskAdjusted")
        self.risk_adjusted.setChecked(bool(spec and spec.risk_adjusted))
        self.withhold = QLineEdit(plain_number(spec.withhold_pct) if spec else "0")
        self.withhold.setObjectName("withhold")
        self.withhold.setMaximumWidth(110)
        self.retro = QSpinBox()
        self.retro.setObjectName("retroWindow")
        self.retro.setRange(0, 120)
        self.retro.setSuffix(" months")
        self.retro.setValue(spec.retro_window_months if spec else 12)
        self.due_day = QSpinBox()
        self.due_day.setObjectName("dueDay")
        self.due_day.setRange(1, 31)
        self.due_day.setValue(spec.payment_due_day if spec else 15)

    def _build_tolerance(self, spec: ContractSpec | None) -> QHBoxLayout:
        """The tolerance, in dollars: said before the field ("Tolerance: $ 0.01")."""
        self.tolerance = QLineEdit(f"{spec.tolerance:.2f}" if spec else "0.01")
        self.tolerance.setObjectName("tolerance")
        self.tolerance.setMaximumWidth(110)
        self.tolerance_unit = QLabel("$")
        self.tolerance_unit.setObjectName("toleranceUnit")
        row = QHBoxLayout()
        row.setSpacing(4)
        row.addWidget(self.tolerance_unit)
        row.addWidget(self.tolerance)
        row.addStretch(1)
        return row

    def _rule_changed(self) -> None:
        self.mid_day.setEnabled(self.eligibility.currentData() == "mid-month")

    def rule(self) -> str:
        key = str(self.eligibility.currentData())
        return f"mid-month:{self.mid_day.value()}" if key == "mid-month" else key

    def spec(self) -> ContractSpec:
        return ContractSpec(
            name=self.name.text(),
            effective_from=self.effective_from.text(),
            effective_to=self.effective_to.text() or None,
            products=payers.split_products(self.products.text()),
            eligibility=self.rule(),
            age_basis=str(self.age_basis.currentData()),
            withhold_pct=self.withhold.text(),
            risk_adjusted=self.risk_adjusted.isChecked(),
            tolerance=self.tolerance.text(),
            retro_window_months=self.retro.value(),
            payment_due_day=self.due_day.value(),
        )

    def work(self) -> tuple[Callable[[], Any], str]:
        db, code, spec = self.ctx.db, self.payer.code, self.spec()
        name = spec.name.strip()
        if self.contract is None:
            return lambda: payers.add_contract(db, code, spec), f"Added contract {name} to {code}"
        cid = self.contract.id
        return lambda: payers.update_contract(db, code, cid, spec), f"Saved contract {name}"


TOLERANCE_HELP = "Differences up to this many dollars count as paid correctly ($0.01: a cent)."


def _section(text: str) -> QLabel:
    label = QLabel(text)
    font = label.font()
    font.setBold(True)
    label.setFont(font)
    return label


def _help(text: str) -> QLabel:
    label = QLabel(text)
    label.setObjectName("help")
    # Lines are broken by hand: a word-wrapped label in a form is sized too short and clipped.
    label.setEnabled(False)
    return label


def plain_number(value: object) -> str:
    """``Decimal('2.0000')`` → ``2``, ``1.5000`` → ``1.5``: a percentage as a person writes it."""
    text = f"{value:f}"
    return text.rstrip("0").rstrip(".") if "." in text else text
