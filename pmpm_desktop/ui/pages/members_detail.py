"""One member on the Members page: who they are, their months (expected, paid, verdict) with the
totals the service adds up, and the rosters that listed them."""

from __future__ import annotations

from PySide6.QtCore import QModelIndex, Qt, Signal
from PySide6.QtWidgets import QHBoxLayout, QLabel, QTabWidget, QVBoxLayout, QWidget

from pmpm_desktop.services.member_ledger import LedgerRow, LedgerTotals, MemberDetail
from pmpm_desktop.ui import format as fmt
from pmpm_desktop.ui.pages.base import bold_label
from pmpm_desktop.ui.pages.members_columns import (
    HISTORY_COLUMNS,
    LEDGER_COLUMNS,
    fit_columns,
    member_table,
)
from pmpm_desktop.ui.table_model import RowsModel

LEDGER_HINT = (
    "Expected is recomputed from the rosters and the contract; paid adds every payment "
    "statement line, other IDs linked to the member included. Double-click a month with a "
    "discrepancy to open it on the Reconciliation page."
)


def totals_text(totals: LedgerTotals) -> str:
    """The ledger's totals in a line (the sums are the service's)."""
    if not totals.months:
        return "No months to show."
    months = f"{totals.months} month{'s' if totals.months != 1 else ''}"
    diffs = "no discrepancy" if not totals.differing else f"{totals.differing} with a discrepancy"
    return (
        f"{months} ({totals.first} to {totals.last}): expected {fmt.dollars(totals.expected)}, "
        f"paid {fmt.dollars(totals.paid)}, variance {fmt.dollars(totals.variance)}; {diffs}"
    )


class MemberPanel(QWidget):
    """The member shown: name and facts, the Ledger and Eligibility history tabs."""

    #: a ledger month was double-clicked (its row)
    month_opened = Signal(object)

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.name_label = bold_label("", 1.3, "memberName")
        self.facts_label = QLabel()
        self.facts_label.setObjectName("memberFacts")
        self.facts_label.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        self.loading_label = QLabel("Loading…")
        self.loading_label.setObjectName("memberLoading")
        self.loading_label.hide()
        self.tabs = QTabWidget()
        self.tabs.setObjectName("memberTabs")
        self.tabs.addTab(self._build_ledger(), "Ledger")
        self.tabs.addTab(self._build_history(), "Eligibility history")
        header = QHBoxLayout()
        header.addWidget(self.name_label)
        header.addStretch(1)
        header.addWidget(self.loading_label)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addLayout(header)
        layout.addWidget(self.facts_label)
        layout.addWidget(self.tabs, 1)

    def _build_ledger(self) -> QWidget:
        self.ledger = RowsModel(LEDGER_COLUMNS)
        self.ledger_view = member_table(self.ledger, "memberLedger")
        self.ledger_view.doubleClicked.connect(self._double_clicked)
        self.ledger_totals = QLabel()
        self.ledger_totals.setObjectName("ledgerTotals")
        hint = QLabel(LEDGER_HINT)
        hint.setWordWrap(True)
        hint.setObjectName("ledgerHint")
        tab = QWidget()
        column = QVBoxLayout(tab)
        column.addWidget(self.ledger_view, 1)
        column.addWidget(self.ledger_totals)
        column.addWidget(hint)
        return tab

    def _build_history(self) -> QWidget:
        self.history = RowsModel(HISTORY_COLUMNS)
        self.history_view = member_table(self.history, "memberHistory")
        self.aliases_label = QLabel()
        self.aliases_label.setObjectName("memberAliases")
        self.aliases_label.setWordWrap(True)
        tab = QWidget()
        column = QVBoxLayout(tab)
        column.addWidget(self.history_view, 1)
        column.addWidget(self.aliases_label)
        return tab

    def _double_clicked(self, index: QModelIndex) -> None:
        if index.isValid():
            row: LedgerRow = self.ledger.row(index.row())
            self.month_opened.emit(row)

    def show_detail(self, detail: MemberDetail) -> None:
        info = detail.info
        name = fmt.person(info.last_name, info.first_name)
        self.name_label.setText(name or f"Member {info.member_id}")
        facts = [f"Member ID {info.member_id}"]
        if info.dob is not None:
            facts.append(f"born {fmt.date(info.dob)}")
        if info.sex:
            facts.append({"M": "male", "F": "female"}.get(info.sex, f"sex {info.sex}"))
        facts.append(f"{info.payer_name} ({info.payer_code})")
        if not info.on_roster:
            facts.append("paid under this ID, but on no roster (an unknown member)")
        self.facts_label.setText(" · ".join(facts))
        self.ledger.set_rows(detail.ledger)
        self.history.set_rows(detail.history.rows)
        fit_columns(self.ledger_view)
        fit_columns(self.history_view)
        self.ledger_totals.setText(totals_text(detail.totals))
        self.aliases_label.setText(self._aliases_text(detail))

    @staticmethod
    def _aliases_text(detail: MemberDetail) -> str:
        aliases = detail.history.aliases
        if aliases:
            listed = ", ".join(
                f"{a.alias_id} (linked {fmt.timestamp(a.linked_at)})" for a in aliases
            )
            text = f"Other IDs the payer paid this member under: {listed}"
        else:
            text = "No other payer IDs are linked to this member."
        if detail.history.rows:
            return text
        if detail.info.on_roster:
            return "No roster lists this ID. " + text
        return "No roster lists this ID: link it to a roster member on the Reconciliation page."

    def clear(self) -> None:
        self.ledger.set_rows([])
        self.history.set_rows([])
