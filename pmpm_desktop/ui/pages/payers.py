"""Payers & Contracts: the health plans, their capitation contracts, and each contract's rates.

Left, the payers; right, the selected payer's contracts and, below them, the selected
contract's rate table (``RateGrid``). Adding and editing go through the dialogs of
``ui.payer_dialogs``; every read and write is a service call (``services.payers``,
``services.rate_table``). Unsaved rate edits are never dropped silently: choosing another
contract or payer asks first.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any, ClassVar

from PySide6.QtCore import QItemSelectionModel, QModelIndex, Qt
from PySide6.QtGui import QAction
from PySide6.QtWidgets import (
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QPushButton,
    QSizePolicy,
    QSplitter,
    QTableView,
    QVBoxLayout,
    QWidget,
)

from pmpm_desktop.services import payers
from pmpm_desktop.services.payers import ContractInfo, PayerInfo
from pmpm_desktop.ui import dialogs
from pmpm_desktop.ui.context import AppContext, Changed
from pmpm_desktop.ui.grids import ActionsFor
from pmpm_desktop.ui.pages.base import (
    ContentOrEmpty,
    EmptyState,
    Page,
    bold_label,
    read_only_table,
)
from pmpm_desktop.ui.payer_dialogs import (
    ContractDialog,
    PayerDialog,
    age_basis_label,
    contract_dates,
    eligibility_label,
    plain_number,
)
from pmpm_desktop.ui.rate_grid import RateGrid
from pmpm_desktop.ui.table_model import Column, RowsModel

PAYER_COLUMNS = [
    Column("Code", lambda p: p.code),
    Column("Name", lambda p: p.name),
    Column(
        "ID\nwidth",
        lambda p: p.id_width,
        "int",
        tooltip="Numeric member IDs are padded with zeros to this many digits",
    ),
    Column("Contracts", lambda p: len(p.contracts), "int"),
]


CONTRACT_COLUMNS = [
    Column("Contract", lambda c: c.name),
    Column(
        "Products",
        lambda c: ", ".join(c.products) or "(any)",
        tooltip="The roster product values that select this contract",
    ),
    Column("Effective", contract_dates),
    Column("Eligibility", lambda c: eligibility_label(c.eligibility)),
    Column(
        "Age\nbasis",
        lambda c: age_basis_label(c.age_basis),
        tooltip="The day a member's age is taken on",
    ),
    Column(
        "Withhold", lambda c: f"{plain_number(c.withhold_pct)}%", tooltip="Withhold % of capitation"
    ),
    Column(
        "Risk\nadj.",
        lambda c: "Yes" if c.risk_adjusted else "No",
        tooltip="Risk-adjusted: capitation is multiplied by the member's risk score",
    ),
    Column(
        "Tolerance",
        lambda c: c.tolerance,
        "money",
        tooltip="Differences up to this amount count as paid correctly",
    ),
    Column(
        "Retro\nwindow",
        lambda c: f"{c.retro_window_months} mo",
        tooltip="Retro window: how many months back the payer may recoup",
    ),
    Column(
        "Due\nday",
        lambda c: c.payment_due_day,
        "int",
        tooltip="The day of the coverage month by which it should be paid",
    ),
]


def payer_settings_text(payer: PayerInfo) -> str:
    """The payer's ID rule and CR meaning in words, as the page shows them."""
    cr = "paid to the practice" if payer.credit_is_payment else "taken back"
    return f"Member IDs: {payer.id_rule.describe()}. On statements, CR means {cr}."


def _heading(text: str = "") -> QLabel:
    return bold_label(text, 1.1)


def _table(name: str, model: RowsModel, actions_for: ActionsFor) -> QTableView:
    view = read_only_table(name, model, actions_for)
    view.horizontalHeader().setStretchLastSection(True)
    return view


def _menu_action(text: str, slot: Callable[[], None]) -> QAction:
    action = QAction(text)
    action.triggered.connect(slot)
    return action


def _position(keys: list[Any], key: Any) -> int:
    """The row holding ``key``, or -1 (select nothing)."""
    return keys.index(key) if key in keys else -1


class PayersPage(Page):
    key: ClassVar[str] = "payers"
    title: ClassVar[str] = "Payers & Contracts"
    depends_on: ClassVar[frozenset[Changed]] = frozenset({Changed.PAYERS})

    def __init__(self, ctx: AppContext, parent: QWidget | None = None) -> None:
        super().__init__(ctx, parent)
        self.payer_code: str | None = None
        self.contract_id: int | None = None
        self._selecting = False  # set while the page itself moves a selection
        self._discard_edits = False  # the database changed: unsaved rate edits belong to no one

        # -- payers (left) -----------------------------------------------------------------
        self.payer_model = RowsModel(PAYER_COLUMNS, parent=self)
        self.payer_view = _table("payerTable", self.payer_model, self._payer_menu)
        header = self.payer_view.horizontalHeader()
        header.setStretchLastSection(False)
        header.setSectionResizeMode(QHeaderView.ResizeMode.ResizeToContents)
        header.setSectionResizeMode(1, QHeaderView.ResizeMode.Stretch)
        # a long name wraps onto a second line rather than being cut
        rows = self.payer_view.verticalHeader()
        rows.setSectionResizeMode(QHeaderView.ResizeMode.ResizeToContents)
        rows.setMinimumSectionSize(self.fontMetrics().height() + 10)
        self.add_payer_button = QPushButton("Add payer…")
        self.add_payer_button.setObjectName("addPayer")
        self.edit_payer_button = QPushButton("Edit payer…")
        self.edit_payer_button.setObjectName("editPayer")
        self.add_payer_button.clicked.connect(self.add_payer)
        self.edit_payer_button.clicked.connect(self.edit_payer)
        self.payer_view.doubleClicked.connect(lambda _i: self.edit_payer())
        left = QWidget()
        left_layout = QVBoxLayout(left)
        left_layout.setContentsMargins(0, 0, 6, 0)
        left_layout.addWidget(_heading("Payers"))
        left_layout.addWidget(self.payer_view, 1)
        row = QHBoxLayout()
        row.addWidget(self.add_payer_button)
        row.addWidget(self.edit_payer_button)
        row.addStretch(1)
        left_layout.addLayout(row)

        # -- contracts (top right) ---------------------------------------------------------
        self.contract_heading = _heading()
        self.contract_heading.setObjectName("contractHeading")
        # a long payer name is cut at the edge rather than widening the whole window
        self.contract_heading.setSizePolicy(QSizePolicy.Policy.Ignored, QSizePolicy.Policy.Fixed)
        # how the payer writes member IDs and what CR means: set on the payer dialog
        self.payer_settings = QLabel()
        self.payer_settings.setObjectName("payerSettings")
        self.payer_settings.setWordWrap(True)
        self.contract_model = RowsModel(CONTRACT_COLUMNS, parent=self)
        self.contract_view = _table("contractTable", self.contract_model, self._contract_menu)
        self.contract_view.setWordWrap(False)
        header = self.contract_view.horizontalHeader()
        header.setStretchLastSection(False)
        header.setSectionResizeMode(QHeaderView.ResizeMode.ResizeToContents)
        self.no_contracts = QLabel()
        self.no_contracts.setObjectName("noContracts")
        self.no_contracts.setWordWrap(True)
        self.no_contracts.hide()
        self.add_contract_button = QPushButton("Add contract…")
        self.add_contract_button.setObjectName("addContract")
        self.edit_contract_button = QPushButton("Edit contract…")
        self.edit_contract_button.setObjectName("editContract")
        self.add_contract_button.clicked.connect(self.add_contract)
        self.edit_contract_button.clicked.connect(self.edit_contract)
        self.contract_view.doubleClicked.connect(lambda _i: self.edit_contract())
        contracts = QWidget()
        c_layout = QVBoxLayout(contracts)
        c_layout.setContentsMargins(6, 0, 0, 6)
        c_layout.addWidget(self.contract_heading)
        c_layout.addWidget(self.payer_settings)
        c_layout.addWidget(self.contract_view, 1)
        c_layout.addWidget(self.no_contracts)
        row = QHBoxLayout()
        row.addWidget(self.add_contract_button)
        row.addWidget(self.edit_contract_button)
        row.addStretch(1)
        c_layout.addLayout(row)

        # -- rates (bottom right) ----------------------------------------------------------
        self.grid = RateGrid(ctx)
        self.grid.saved.connect(lambda _result: self.refresh())
        self.grid.model.dirty_changed.connect(lambda _dirty: self._update_buttons())
        rates = QWidget()
        r_layout = QVBoxLayout(rates)
        r_layout.setContentsMargins(6, 6, 0, 0)
        r_layout.addWidget(self.grid)

        right = QSplitter(Qt.Orientation.Vertical)
        right.setChildrenCollapsible(False)
        right.addWidget(contracts)
        right.addWidget(rates)
        right.setStretchFactor(0, 1)
        right.setStretchFactor(1, 3)
        right.setSizes([200, 600])  # a payer has a few contracts; the rate table needs room
        self.splitter = QSplitter(Qt.Orientation.Horizontal)
        self.splitter.setChildrenCollapsible(False)
        self.splitter.addWidget(left)
        self.splitter.addWidget(right)
        self.splitter.setStretchFactor(0, 2)
        self.splitter.setStretchFactor(1, 5)
        self.splitter.setSizes([300, 770])  # proportions: the window is 1280 wide at first

        empty = EmptyState(
            "No payers yet",
            "Add each health plan that pays your practice, with its capitation contracts and "
            "their rates; then import its rosters and remittances. To look around first, load "
            "the demo practice from the Dashboard.",
            [("Add a payer", self.add_payer)],
        )
        empty.body.setMinimumWidth(480)  # wrap as a paragraph, not as a narrow column
        self.stack = ContentOrEmpty(self.splitter, empty)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(12, 12, 12, 12)
        layout.addWidget(self.stack)

        self.payer_view.selectionModel().currentRowChanged.connect(self._payer_clicked)
        self.contract_view.selectionModel().currentRowChanged.connect(self._contract_clicked)
        ctx.database_changed.connect(self._database_changed)
        self._update_buttons()

    # -- what is selected ------------------------------------------------------------------
    @property
    def payer(self) -> PayerInfo | None:
        return next((p for p in self.payer_model.rows if p.code == self.payer_code), None)

    @property
    def contract(self) -> ContractInfo | None:
        return next((c for c in self.contract_model.rows if c.id == self.contract_id), None)

    # -- reading ---------------------------------------------------------------------------
    def refresh(self) -> None:
        """Read payers and contracts again, keeping what is selected (and unsaved rate edits
        of the contract still selected)."""
        all_payers = payers.list_payers(self.ctx.db)
        self.stack.show_empty(not all_payers)
        self._selecting = True
        try:
            self.payer_model.set_rows(all_payers)
            codes = [p.code for p in all_payers]
            if self.payer_code not in codes:
                self.payer_code = codes[0] if codes else None
                self.contract_id = None
            self._select_row(self.payer_view, _position(codes, self.payer_code))
            self._load_contracts(keep_edits=not self._discard_edits)
        finally:
            self._selecting = False
        self._discard_edits = False
        self._update_buttons()

    def apply_filters(self, filters: dict[str, Any]) -> None:
        code = filters.get("payer")
        if code:
            self._go(str(code).upper(), None)

    def _load_contracts(self, keep_edits: bool) -> None:
        """Fill the contracts table for the selected payer and the grid for its contract."""
        payer = self.payer
        infos = payers.list_contracts(self.ctx.db, payer.code) if payer else []
        self.contract_model.set_rows(infos)
        ids = [c.id for c in infos]
        if self.contract_id not in ids:
            self.contract_id = ids[0] if ids else None
        self._select_row(self.contract_view, _position(ids, self.contract_id))
        if payer is None:
            self.contract_heading.setText("Contracts")
        else:
            self.contract_heading.setText(f"Contracts of {payer.code} — {payer.name}")
        self.payer_settings.setVisible(payer is not None)
        if payer is not None:
            self.payer_settings.setText(payer_settings_text(payer))
        self.no_contracts.setVisible(payer is not None and not infos)
        if payer is not None:
            self.no_contracts.setText(
                f"{payer.code} has no contracts yet. Add one: its products, eligibility rule "
                "and withhold decide what each member-month should pay."
            )
        contract = self.contract
        same = (
            self.grid.contract is not None
            and contract is not None
            and self.grid.contract.id == contract.id
        )
        if keep_edits and same and self.grid.dirty:
            self.grid.contract = contract  # the edits stay; only its terms are new
        else:
            self.grid.load(payer.code if payer else None, contract)

    def _select_row(self, view: QTableView, row: int) -> None:
        selection = view.selectionModel()
        if row < 0:
            selection.clear()
            return
        index = view.model().index(row, 0)
        selection.setCurrentIndex(
            index,
            QItemSelectionModel.SelectionFlag.ClearAndSelect
            | QItemSelectionModel.SelectionFlag.Rows,
        )
        view.scrollTo(index)

    def _database_changed(self) -> None:
        self._discard_edits = True
        self.payer_code = None
        self.contract_id = None

    # -- choosing --------------------------------------------------------------------------
    def _payer_clicked(self, current: QModelIndex, _previous: QModelIndex) -> None:
        if self._selecting or not current.isValid():
            return
        code = self.payer_model.row(current.row()).code
        if code != self.payer_code:
            self._go(code, None)

    def _contract_clicked(self, current: QModelIndex, _previous: QModelIndex) -> None:
        if self._selecting or not current.isValid():
            return
        contract_id = self.contract_model.row(current.row()).id
        if contract_id != self.contract_id:
            self._go(self.payer_code, contract_id)

    def _go(self, payer_code: str | None, contract_id: int | None) -> None:
        """Show this payer (and contract; None: its first), asking first when the rate table
        has unsaved edits."""

        def switch() -> None:
            self.payer_code = payer_code
            self.contract_id = contract_id
            self._discard_edits = True
            self.refresh()

        if not self.grid.dirty:
            switch()
            return
        # Put the selection back on the contract being edited until the user decides.
        self._put_selection_back()
        name = self.grid.contract.name if self.grid.contract else "this contract"
        dialogs.confirm(
            self,
            "Unsaved rate changes",
            f"The rates of {name} have changes that are not saved. Discard them?",
            switch,
            yes_text="Discard changes",
            destructive=True,
        )

    def _put_selection_back(self) -> None:
        self._selecting = True
        try:
            codes = [p.code for p in self.payer_model.rows]
            self._select_row(self.payer_view, _position(codes, self.payer_code))
            ids = [c.id for c in self.contract_model.rows]
            self._select_row(self.contract_view, _position(ids, self.contract_id))
        finally:
            self._selecting = False

    # -- adding and editing ----------------------------------------------------------------
    def _open(self, dialog: PayerDialog | ContractDialog, then: Callable[[Any], None]) -> None:
        dialog.saved.connect(then)
        dialog.open()
        self.dialog = dialog  # tests and screenshots reach the open dialog here

    def add_payer(self) -> None:
        self._open(PayerDialog(self.ctx, self), lambda info: self._go(info.code, None))

    def edit_payer(self) -> None:
        if self.payer is not None:
            self._open(PayerDialog(self.ctx, self, self.payer), lambda _info: self.refresh())

    def add_contract(self) -> None:
        if self.payer is not None:
            code = self.payer.code
            self._open(ContractDialog(self.ctx, self.payer, self), lambda cid: self._go(code, cid))

    def edit_contract(self) -> None:
        if self.payer is not None and self.contract is not None:
            dialog = ContractDialog(self.ctx, self.payer, self, self.contract)
            self._open(dialog, lambda _cid: self.refresh())

    def _payer_menu(self, rows: list[int]) -> list[QAction]:
        """The payer grid's right-click menu (the clicked payer is the one shown)."""
        if len(rows) != 1:
            return []
        return [
            _menu_action("&Edit payer…", self.edit_payer),
            _menu_action("Add co&ntract…", self.add_contract),
        ]

    def _contract_menu(self, rows: list[int]) -> list[QAction]:
        return [_menu_action("&Edit contract…", self.edit_contract)] if len(rows) == 1 else []

    def _update_buttons(self) -> None:
        self.edit_payer_button.setEnabled(self.payer is not None)
        self.add_contract_button.setEnabled(self.payer is not None)
        self.edit_contract_button.setEnabled(self.contract is not None)
