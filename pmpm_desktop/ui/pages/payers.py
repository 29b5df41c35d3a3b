"""Payers & Contracts: the health plans, their capitation contracts, and each contract's rates.

Top left, the payers; beside them the selected payer's contracts, with the selected contract's
terms under the table; below both, at the full width, the contract's rate table
(``RateGrid``). The parts fit a 1024×680 window without scrolling sideways
(``payers_layout.py``); the splitters between them are remembered.

The page reads through an operation (``ui/operations/payers.py``: a payer chosen next
replaces a read still running); adding and editing go through the dialogs of
``ui.payer_dialogs``. Unsaved rate edits are never dropped silently: choosing another
contract or payer asks first.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import Any, ClassVar

from PySide6.QtCore import QItemSelectionModel, QModelIndex
from PySide6.QtGui import QAction
from PySide6.QtWidgets import (
    QLabel,
    QTableView,
    QVBoxLayout,
    QWidget,
)

from pmpm_desktop.services.payers import ContractInfo, PayerInfo
from pmpm_desktop.ui import dialogs
from pmpm_desktop.ui.columns import fit_columns
from pmpm_desktop.ui.context import AppContext, Changed
from pmpm_desktop.ui.operations import payers as payer_ops
from pmpm_desktop.ui.operations.payers import PayerList
from pmpm_desktop.ui.pages.base import (
    ContentOrEmpty,
    EmptyState,
    Page,
    read_only_table,
)
from pmpm_desktop.ui.pages.payers_columns import (
    CONTRACT_COLUMNS,
    PAYER_COLUMNS,
    payer_settings_text,
)
from pmpm_desktop.ui.pages.payers_layout import (
    button,
    button_row,
    heading,
    keep_whole,
    menu_action,
    short_table,
    split_panes,
)
from pmpm_desktop.ui.pages.payers_terms import ContractTerms
from pmpm_desktop.ui.payer_dialogs import ContractDialog, PayerDialog
from pmpm_desktop.ui.rate_grid import RateGrid
from pmpm_desktop.ui.table_model import RowsModel


def _position(keys: Sequence[Any], key: Any) -> int:
    """The row holding ``key``, or -1 (select nothing)."""
    return list(keys).index(key) if key in keys else -1


class PayersPage(Page):
    key: ClassVar[str] = "payers"
    title: ClassVar[str] = "Payers & Contracts"
    depends_on: ClassVar[frozenset[Changed]] = frozenset({Changed.PAYERS})

    def __init__(self, ctx: AppContext, parent: QWidget | None = None) -> None:
        super().__init__(ctx, parent)
        self.payer_code: str | None = None
        self.contract_id: int | None = None
        self._selecting = False  # set while the page itself moves a selection
        self._discard_edits = False  # unsaved rate edits belong to no one any more
        #: the dialog opened last (tests and screenshots reach it here)
        self.dialog: PayerDialog | ContractDialog | None = None

        self.grid = RateGrid(ctx)
        #: rates below, payers | contracts above (``payers_layout.split_panes``)
        self.splitter, self.top_splitter = split_panes(
            ctx.settings, self._build_payers(), self._build_contracts(), self.grid
        )
        self.stack = ContentOrEmpty(self.splitter, self._build_empty())
        layout = QVBoxLayout(self)
        layout.setContentsMargins(12, 12, 12, 12)
        layout.addWidget(self.stack)
        self._wire()
        self._update_buttons()

    # -- building --------------------------------------------------------------------------
    def _build_payers(self) -> QWidget:
        """The payers table, as wide as its names need, with Add / Edit payer."""
        self.payer_model = RowsModel(PAYER_COLUMNS, parent=self)
        self.payer_view = short_table(
            read_only_table("payerTable", self.payer_model, self._payer_menu)
        )
        self.add_payer_button = button("Add payer…", "addPayer", self.add_payer)
        self.edit_payer_button = button("Edit payer…", "editPayer", self.edit_payer)
        pane = QWidget()
        layout = QVBoxLayout(pane)
        layout.setContentsMargins(0, 0, 6, 6)
        layout.addWidget(heading("Payers"))
        layout.addWidget(self.payer_view, 1)
        layout.addLayout(button_row(self.add_payer_button, self.edit_payer_button))
        return pane

    def _build_contracts(self) -> QWidget:
        """The selected payer's settings in words, its contracts, the selected contract's
        terms, and Add / Edit contract."""
        self.contract_heading = heading("Contracts", "contractHeading")
        self.contract_heading.setWordWrap(True)  # a long payer name wraps rather than is cut
        self.payer_settings = QLabel()
        self.payer_settings.setObjectName("payerSettings")
        self.payer_settings.setWordWrap(True)
        self.contract_model = RowsModel(CONTRACT_COLUMNS, parent=self)
        self.contract_view = short_table(
            read_only_table("contractTable", self.contract_model, self._contract_menu)
        )
        fit_columns(self.contract_view, stretch=0)  # the contract's name takes the room
        self.no_contracts = QLabel()
        self.no_contracts.setObjectName("noContracts")
        self.no_contracts.setWordWrap(True)
        self.no_contracts.hide()
        self.terms = ContractTerms()
        self.add_contract_button = button("Add contract…", "addContract", self.add_contract)
        self.edit_contract_button = button("Edit contract…", "editContract", self.edit_contract)
        pane = QWidget()
        layout = QVBoxLayout(pane)
        layout.setContentsMargins(6, 0, 0, 6)
        layout.addWidget(self.contract_heading)
        layout.addWidget(self.payer_settings)
        layout.addWidget(self.contract_view, 1)
        layout.addWidget(self.no_contracts)
        layout.addWidget(self.terms)
        layout.addLayout(button_row(self.add_contract_button, self.edit_contract_button))
        return pane

    def _build_empty(self) -> EmptyState:
        empty = EmptyState(
            "No payers yet",
            "Add each health plan that pays your practice, with its capitation contracts and "
            "their rates; then import its rosters and remittances. To look around first, load "
            "the demo practice from the Dashboard.",
            [("Add a payer", self.add_payer)],
        )
        empty.body.setMinimumWidth(480)  # wrap as a paragraph, not as a narrow column
        return empty

    def _wire(self) -> None:
        self.payer_view.doubleClicked.connect(lambda _i: self.edit_payer())
        self.contract_view.doubleClicked.connect(lambda _i: self.edit_contract())
        self.payer_view.selectionModel().currentRowChanged.connect(self._payer_clicked)
        self.contract_view.selectionModel().currentRowChanged.connect(self._contract_clicked)
        # after the columns were fitted to the new rows (connected first, by read_only_table)
        self.payer_model.modelReset.connect(lambda: keep_whole(self.payer_view))
        self.contract_model.modelReset.connect(lambda: keep_whole(self.contract_view))
        self.grid.saved.connect(lambda _result: self.refresh())
        self.grid.model.dirty_changed.connect(lambda _dirty: self._update_buttons())
        self.ctx.database_changed.connect(self._database_changed)

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
        self.ctx.run(
            payer_ops.read_payers(self.ctx.db, self.payer_code),
            parent=self,
            on_success=self._show,
            show_progress=False,
        )

    def apply_filters(self, filters: dict[str, Any]) -> None:
        code = filters.get("payer")
        if code:
            self._go(str(code).upper(), None)

    def _show(self, found: PayerList) -> None:
        """Show what the read found: the payers, the chosen one's contracts, the chosen
        contract's terms and rates."""
        self.stack.show_empty(not found.payers)
        if found.code != self.payer_code:
            self.contract_id = None
        self.payer_code = found.code
        ids = [c.id for c in found.contracts]
        if self.contract_id not in ids:
            self.contract_id = ids[0] if ids else None
        self._selecting = True
        try:
            # Rows read again unchanged are kept as they are: a reset would drop the rows the
            # user selected (to copy them) and scroll the table back to the top.
            if list(found.payers) != self.payer_model.rows:
                self.payer_model.set_rows(found.payers)
            self._select_row(self.payer_view, _position([p.code for p in found.payers], found.code))
            if list(found.contracts) != self.contract_model.rows:
                self.contract_model.set_rows(found.contracts)
            self._select_row(self.contract_view, _position(ids, self.contract_id))
        finally:
            self._selecting = False
        self._show_payer(found.payer, bool(found.contracts))
        self._show_contract(keep_edits=not self._discard_edits)
        self._discard_edits = False

    def _show_payer(self, payer: PayerInfo | None, has_contracts: bool) -> None:
        if payer is None:
            self.contract_heading.setText("Contracts")
        else:
            self.contract_heading.setText(f"Contracts of {payer.code} — {payer.name}")
            self.payer_settings.setText(payer_settings_text(payer))
            self.no_contracts.setText(
                f"{payer.code} has no contracts yet. Add one: its products, eligibility rule "
                "and withhold decide what each member-month should pay."
            )
        self.payer_settings.setVisible(payer is not None)
        self.no_contracts.setVisible(payer is not None and not has_contracts)
        self.terms.setVisible(has_contracts)

    def _show_contract(self, keep_edits: bool) -> None:
        """The selected contract's terms, and its rates in the grid (unsaved edits of that
        same contract kept when ``keep_edits``)."""
        contract = self.contract
        self.terms.show_contract(contract)
        shown = self.grid.contract
        same = shown is not None and contract is not None and shown.id == contract.id
        if keep_edits and same and self.grid.dirty:
            self.grid.contract = contract  # the edits stay; only its terms are new
        else:
            self.grid.load(self.payer_code if contract else None, contract)
        self._update_buttons()

    def _select_row(self, view: QTableView, row: int) -> None:
        """Make ``row`` the current, selected row (-1: none); the rows selected with it are
        kept when it already is."""
        selection = view.selectionModel()
        if row < 0:
            selection.clear()
            return
        if view.currentIndex().row() == row and selection.isRowSelected(row):
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
            listed = [c.id for c in self.contract_model.rows]
            local = payer_code == self.payer_code and contract_id in listed
            self.payer_code = payer_code
            self.contract_id = contract_id
            if local:  # another contract of the payer shown: nothing to read again
                self._select_quietly(self.contract_view, listed.index(contract_id))
                self._show_contract(keep_edits=False)
            else:
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
        codes = [p.code for p in self.payer_model.rows]
        self._select_quietly(self.payer_view, _position(codes, self.payer_code))
        ids = [c.id for c in self.contract_model.rows]
        self._select_quietly(self.contract_view, _position(ids, self.contract_id))

    def _select_quietly(self, view: QTableView, row: int) -> None:
        """Select ``row`` as the page does: not taken for the user choosing it."""
        self._selecting = True
        try:
            self._select_row(view, row)
        finally:
            self._selecting = False

    # -- adding and editing ----------------------------------------------------------------
    def _open(self, dialog: PayerDialog | ContractDialog, then: Callable[[Any], None]) -> None:
        dialog.saved.connect(then)
        dialog.open()
        self.dialog = dialog

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
            menu_action("&Edit payer…", self.edit_payer),
            menu_action("Add co&ntract…", self.add_contract),
        ]

    def _contract_menu(self, rows: list[int]) -> list[QAction]:
        return [menu_action("&Edit contract…", self.edit_contract)] if len(rows) == 1 else []

    def _update_buttons(self) -> None:
        self.edit_payer_button.setEnabled(self.payer is not None)
        self.add_contract_button.setEnabled(self.payer is not None)
        self.edit_contract_button.setEnabled(self.contract is not None)
