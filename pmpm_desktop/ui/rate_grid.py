"""A contract's rate table, edited like a small spreadsheet and saved as one rate exhibit.

Each cell takes only a value of its kind (``services.rate_table.parse_cell``): a refused entry
keeps the cell as it was and says why under the grid. Save checks the whole table as a rate
exhibit import is checked (overlapping rows of one component, ranges, missing values); rows
with a problem are highlighted and the problems listed, and nothing is stored until the table
is valid. Saving replaces the contract's rates in one transaction, as a background task, and
can be undone (Edit ▸ Undo puts back the rates it replaced).
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from PySide6.QtCore import (
    QAbstractTableModel,
    QEvent,
    QModelIndex,
    QObject,
    QPersistentModelIndex,
    Qt,
    Signal,
)
from PySide6.QtGui import QBrush, QColor, QGuiApplication, QKeyEvent, QPalette
from PySide6.QtWidgets import (
    QAbstractItemView,
    QHBoxLayout,
    QLabel,
    QPushButton,
    QSizePolicy,
    QTableView,
    QVBoxLayout,
    QWidget,
)

from pmpm_desktop.errors import InputRejected
from pmpm_desktop.services import rate_table
from pmpm_desktop.services.payers import ContractInfo
from pmpm_desktop.services.rate_table import FIELDS, GridRow, RateChange, RateCheck
from pmpm_desktop.ui import dialogs
from pmpm_desktop.ui.columns import fit_columns
from pmpm_desktop.ui.context import AppContext
from pmpm_desktop.ui.grids import install_grid_actions
from pmpm_desktop.ui.operations import rates as rate_ops
from pmpm_desktop.ui.undo import OpCommand

Index = QModelIndex | QPersistentModelIndex
#: a translucent red reads on the light and the dark palette alike
_BAD_ROW = QColor(220, 40, 40, 70)
_RIGHT = {"age_min", "age_max", "amount"}
#: what a blank cell means, shown greyed in it (blank ages are written as blank: no limit)
_BLANK_MEANS = {"effective_to": "open", "rate_cell": "any", "sex": "any"}
#: a field's column in the grid
COLUMN = {field: i for i, (field, _title) in enumerate(FIELDS)}
#: what each field's column holds (``ui/columns.py`` sizes the columns by it)
_KINDS = {
    "effective_from": "month",
    "effective_to": "month",
    "component": "text",
    "rate_cell": "text",
    "sex": "text",
    "age_min": "int",
    "age_max": "int",
    "amount": "money",
}
#: how many problems the label under the grid lists before "… and N more"
MAX_LISTED = 12


class RateTableModel(QAbstractTableModel):
    """The rows of the grid: typed values only, plus which rows the last check marked."""

    #: a typed entry was refused: the sentence to show
    refused = Signal(str)
    #: the rows differ from what was loaded (True) or match it again (False)
    dirty_changed = Signal(bool)
    #: the user changed a cell (not emitted when only the highlighting changes)
    edited = Signal()

    def __init__(self, parent: Any = None) -> None:
        super().__init__(parent)
        self._rows: list[GridRow] = []
        self._loaded: list[GridRow] = []
        self._bad: frozenset[int] = frozenset()
        self._row_problems: dict[int, list[str]] = {}
        self._dirty = False

    # -- rows ------------------------------------------------------------------------------
    @property
    def rows(self) -> list[GridRow]:
        return list(self._rows)

    @property
    def dirty(self) -> bool:
        return self._dirty

    @property
    def bad_rows(self) -> frozenset[int]:
        return self._bad

    def load(self, rows: Sequence[GridRow]) -> None:
        self.beginResetModel()
        self._rows = list(rows)
        self._loaded = list(rows)
        self._bad = frozenset()
        self._row_problems = {}
        self.endResetModel()
        self._set_dirty(False)

    def mark_saved(self) -> None:
        self._loaded = list(self._rows)
        self._set_dirty(False)

    def add_row(self, row: GridRow) -> int:
        at = len(self._rows)
        self.beginInsertRows(QModelIndex(), at, at)
        self._rows.append(row)
        self.endInsertRows()
        self._shift_marks()
        self._update_dirty()
        return at

    def remove_rows(self, indexes: Sequence[int]) -> None:
        for i in sorted(set(indexes), reverse=True):
            if 0 <= i < len(self._rows):
                self.beginRemoveRows(QModelIndex(), i, i)
                del self._rows[i]
                self.endRemoveRows()
        self._shift_marks()
        self._update_dirty()

    def show_check(self, check: RateCheck | None) -> None:
        """Highlight the rows ``check`` found problems in (None: highlight nothing)."""
        self._bad = check.bad_rows if check else frozenset()
        self._row_problems = {}
        if check:
            for i in self._bad:
                label = f"row {i + 1}"
                self._row_problems[i] = [
                    p for p in check.problems if p.startswith(label) or f" {label} " in p
                ]
        self._emit_all()

    def _shift_marks(self) -> None:
        # Row numbers changed: the old marks would point at other rows.
        if self._bad:
            self.show_check(None)

    def _set_dirty(self, dirty: bool) -> None:
        if dirty != self._dirty:
            self._dirty = dirty
            self.dirty_changed.emit(dirty)

    def _update_dirty(self) -> None:
        self._set_dirty(self._rows != self._loaded)

    def _emit_all(self) -> None:
        if self._rows:
            last = self.index(len(self._rows) - 1, len(FIELDS) - 1)
            self.dataChanged.emit(self.index(0, 0), last)

    # -- Qt model --------------------------------------------------------------------------
    def rowCount(self, parent: Index = QModelIndex()) -> int:  # noqa: B008 - Qt's signature
        return 0 if parent.isValid() else len(self._rows)

    def columnCount(self, parent: Index = QModelIndex()) -> int:  # noqa: B008
        return 0 if parent.isValid() else len(FIELDS)

    def headerData(
        self, section: int, orientation: Qt.Orientation, role: int = Qt.ItemDataRole.DisplayRole
    ) -> Any:
        if role != Qt.ItemDataRole.DisplayRole:
            return None
        if orientation == Qt.Orientation.Horizontal:
            # on two lines ("Effective / from"): the eight columns fit a 1024-pixel window
            return FIELDS[section][1].replace(" ", "\n", 1) if 0 <= section < len(FIELDS) else None
        return str(section + 1) if 0 <= section < len(self._rows) else None

    def flags(self, index: Index) -> Qt.ItemFlag:
        if not index.isValid():
            return Qt.ItemFlag.NoItemFlags
        return Qt.ItemFlag.ItemIsEnabled | Qt.ItemFlag.ItemIsSelectable | Qt.ItemFlag.ItemIsEditable

    def data(self, index: Index, role: int = Qt.ItemDataRole.DisplayRole) -> Any:
        if not index.isValid() or not 0 <= index.row() < len(self._rows):
            return None
        if not 0 <= index.column() < len(FIELDS):
            return None
        field = FIELDS[index.column()][0]
        row = self._rows[index.row()]
        value = getattr(row, field)
        if role == Qt.ItemDataRole.DisplayRole:
            return rate_table.cell_text(field, value) or _BLANK_MEANS.get(field, "")
        if role == Qt.ItemDataRole.EditRole:
            return rate_table.cell_text(field, value)
        if role == Qt.ItemDataRole.ForegroundRole and value is None and field in _BLANK_MEANS:
            return QBrush(QGuiApplication.palette().color(QPalette.ColorRole.PlaceholderText))
        if role == Qt.ItemDataRole.UserRole:
            return value
        if role == Qt.ItemDataRole.TextAlignmentRole:
            horizontal = (
                Qt.AlignmentFlag.AlignRight if field in _RIGHT else Qt.AlignmentFlag.AlignLeft
            )
            return int(horizontal | Qt.AlignmentFlag.AlignVCenter)
        if role == Qt.ItemDataRole.BackgroundRole and index.row() in self._bad:
            return QBrush(_BAD_ROW)
        if role == Qt.ItemDataRole.ToolTipRole and index.row() in self._bad:
            return "\n".join(self._row_problems.get(index.row(), [])) or None
        return None

    def setData(self, index: Index, value: Any, role: int = Qt.ItemDataRole.EditRole) -> bool:
        if role != Qt.ItemDataRole.EditRole or not index.isValid():
            return False
        field, title = FIELDS[index.column()]
        text = "" if value is None else str(value)
        try:
            typed = rate_table.parse_cell(field, text)
        except ValueError as exc:
            self.refused.emit(
                f"Row {index.row() + 1}, {title}: {text.strip()!r} was not taken — {exc}."
            )
            return False
        row = self._rows[index.row()]
        if getattr(row, field) == typed:
            return True
        self._rows[index.row()] = row.with_cell(field, typed)
        self.dataChanged.emit(index, index)
        self._update_dirty()
        self.edited.emit()
        return True


class RateGrid(QWidget):
    """The selected contract's rate table with Add row, Delete row, Revert, Save and Import."""

    #: the rates were saved (the service's result)
    saved = Signal(object)

    def __init__(self, ctx: AppContext, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.ctx = ctx
        self.setObjectName("rateGrid")
        self.payer_code: str | None = None
        self.contract: ContractInfo | None = None
        self.saving = False
        self._checked = False  # a failed Save is showing: edits re-check as they are made

        self.title = QLabel()
        self.title.setObjectName("rateTitle")
        font = self.title.font()
        font.setBold(True)
        self.title.setFont(font)
        self.title.setSizePolicy(QSizePolicy.Policy.Ignored, QSizePolicy.Policy.Fixed)
        self.state = QLabel()
        self.state.setObjectName("rateState")
        hint = QLabel(
            "Double-click a cell (or start typing) to change it; Delete clears it. Months as "
            "YYYY-MM or a date; "
            "a blank Effective to is open-ended; a blank rate cell or sex matches any; ages in "
            "whole years, blank for no limit; amounts per member per month, at most 2 decimals."
        )
        hint.setObjectName("help")
        hint.setWordWrap(True)
        hint.setEnabled(False)

        self.model = RateTableModel(self)
        self.view = QTableView()
        self.view.setObjectName("rateTable")
        self.view.setModel(self.model)
        self.view.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectItems)
        self.view.setEditTriggers(
            QAbstractItemView.EditTrigger.DoubleClicked
            | QAbstractItemView.EditTrigger.EditKeyPressed
            | QAbstractItemView.EditTrigger.AnyKeyPressed
        )
        self.view.setAlternatingRowColors(True)
        self.view.installEventFilter(self)  # the Delete key clears cells, as in a spreadsheet
        self.view.horizontalHeader().setMinimumSectionSize(40)
        # months, ages and amounts as wide as their values; the rate cell takes the room left
        fit_columns(self.view, kinds=[_KINDS[f] for f, _t in FIELDS], stretch=COLUMN["rate_cell"])
        install_grid_actions(self.view)
        self.view.verticalHeader().setDefaultSectionSize(self.fontMetrics().height() + 10)

        self.problems = QLabel()
        self.problems.setObjectName("rateProblems")
        self.problems.setWordWrap(True)
        self.problems.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        self.problems.setStyleSheet("color: #b00020;")
        self.problems.hide()

        self.add_button = QPushButton("Add row")
        self.delete_button = QPushButton("Delete row")
        self.revert_button = QPushButton("Revert")
        self.save_button = QPushButton("Save rates")
        self.import_button = QPushButton("Import rates from a file…")
        self.add_button.setObjectName("addRateRow")
        self.delete_button.setObjectName("deleteRateRow")
        self.revert_button.setObjectName("revertRates")
        self.save_button.setObjectName("saveRates")
        self.import_button.setObjectName("importRates")
        self.revert_button.setToolTip("Throw away the changes and show the stored rates again")
        self.add_button.clicked.connect(self.add_row)
        self.delete_button.clicked.connect(self.delete_rows)
        self.revert_button.clicked.connect(self.revert)
        self.save_button.clicked.connect(self.save)
        self.import_button.clicked.connect(self.import_file)
        buttons = QHBoxLayout()
        for button in (self.add_button, self.delete_button):
            buttons.addWidget(button)
        buttons.addStretch(1)
        buttons.addWidget(self.import_button)
        buttons.addWidget(self.revert_button)
        buttons.addWidget(self.save_button)

        top = QHBoxLayout()
        top.addWidget(self.title, 1)
        top.addWidget(self.state)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addLayout(top)
        layout.addWidget(hint)
        layout.addWidget(self.view, 1)
        layout.addWidget(self.problems)
        layout.addLayout(buttons)

        self.model.refused.connect(self._refused)
        self.model.dirty_changed.connect(lambda _dirty: self._update_state())
        self.model.edited.connect(self._edited)
        self.model.rowsInserted.connect(self._update_state)
        self.model.rowsRemoved.connect(self._update_state)
        self.view.selectionModel().selectionChanged.connect(self._update_state)
        self._update_state()

    @property
    def dirty(self) -> bool:
        return self.model.dirty

    # -- loading ---------------------------------------------------------------------------
    def load(self, payer_code: str | None, contract: ContractInfo | None) -> None:
        """Show the stored rates of ``contract`` (None: no contract selected)."""
        self.payer_code = payer_code
        self.contract = contract
        rows: list[GridRow] = []
        if payer_code and contract:
            specs = rate_table.rate_rows(self.ctx.db, payer_code, contract.name)
            rows = [GridRow.of(s) for s in specs]
            self.title.setText(f"Rates of {contract.name}")
        else:
            self.title.setText("Rates")
        self.model.load(rows)
        self._checked = False
        self._hide_problems()
        self._update_state()

    def revert(self) -> None:
        self.load(self.payer_code, self.contract)

    # -- editing ---------------------------------------------------------------------------
    def add_row(self) -> None:
        if self.contract is None:
            return
        at = self.model.add_row(GridRow(effective_from=self.contract.effective_from))
        index = self.model.index(at, COLUMN["amount"])
        self.view.setCurrentIndex(index)
        self.view.scrollTo(index)
        self.view.setFocus()

    def selected_rows(self) -> list[int]:
        rows = {i.row() for i in self.view.selectionModel().selectedIndexes()}
        current = self.view.currentIndex()
        if not rows and current.isValid():
            rows = {current.row()}
        return sorted(rows)

    def delete_rows(self) -> None:
        rows = self.selected_rows()
        if rows:
            self.model.remove_rows(rows)
            if self._checked:
                self._recheck()

    def clear_cells(self) -> None:
        """Blank the selected cells (a blank component is ``capitation``)."""
        for index in self.view.selectionModel().selectedIndexes():
            self.model.setData(index, "")

    def eventFilter(self, watched: QObject, event: QEvent) -> bool:
        if (
            watched is self.view
            and event.type() == QEvent.Type.KeyPress
            and isinstance(event, QKeyEvent)
            and event.key() in (Qt.Key.Key_Delete, Qt.Key.Key_Backspace)
            and self.view.state() != QAbstractItemView.State.EditingState
        ):
            self.clear_cells()
            return True
        return super().eventFilter(watched, event)

    def _edited(self, *_args: object) -> None:
        if self._checked:
            self._recheck()

    def _recheck(self) -> None:
        check = rate_table.check_rate_rows(self.model.rows)
        self.model.show_check(check)
        if check.ok:
            self._checked = False
            self._hide_problems()
        else:
            self._show_problems("Not saved yet:", check.problems)

    def _refused(self, message: str) -> None:
        self._show_problems(message, [])

    # -- saving ----------------------------------------------------------------------------
    def save(self) -> None:
        if self.saving or self.payer_code is None or self.contract is None:
            return
        rows = self.model.rows
        check = rate_table.check_rate_rows(rows)
        self.model.show_check(check)
        if not check.ok:
            self._checked = True
            self._show_problems(
                "The rates were not saved; fix the highlighted rows and save again:",
                check.problems,
            )
            first = min(check.bad_rows) if check.bad_rows else 0
            self.view.scrollTo(self.model.index(first, 0))
            return
        self._hide_problems()
        db, code, name = self.ctx.db, self.payer_code, self.contract.name
        self.saving = True
        self._update_state()

        def done(change: RateChange) -> None:
            self.saving = False
            self.model.mark_saved()
            self._update_state()
            self.saved.emit(change.result)

        def failed(exc: BaseException) -> None:
            self.saving = False
            self._update_state()
            if isinstance(exc, InputRejected):
                self._show_problems(str(exc.args[0]) if exc.args else "Not saved", exc.problems)
            else:
                dialogs.show_error(self, "Saving rates", exc)

        # Edit ▸ Undo puts back exactly the rows this save replaced.
        self.ctx.undo.push(
            OpCommand(
                self.ctx,
                f"rate changes of {code} {name}",
                lambda: rate_ops.save_rates(db, code, name, rows),
                lambda change: rate_ops.restore_rates(db, code, name, change),
                on_done=done,
                on_failed=failed,
            )
        )

    def import_file(self) -> None:
        from pmpm_desktop.ui.import_wizard import open_import_wizard

        open_import_wizard(self.ctx, self, kind="rates")

    # -- showing ---------------------------------------------------------------------------
    def _show_problems(self, head: str, problems: Sequence[str]) -> None:
        lines = [head]
        lines += [f"• {p[:1].upper()}{p[1:]}" for p in problems[:MAX_LISTED]]
        if len(problems) > MAX_LISTED:
            lines.append(f"… and {len(problems) - MAX_LISTED} more")
        self.problems.setText("\n".join(lines))
        self.problems.show()

    def _hide_problems(self) -> None:
        self.problems.clear()
        self.problems.hide()

    def _update_state(self, *_args: object) -> None:
        has = self.contract is not None
        idle = not self.saving
        self.add_button.setEnabled(has and idle)
        self.delete_button.setEnabled(has and idle and bool(self.selected_rows()))
        self.revert_button.setEnabled(has and idle and self.model.dirty)
        self.save_button.setEnabled(has and idle and self.model.dirty)
        self.save_button.setText("Saving…" if self.saving else "Save rates")
        self.import_button.setEnabled(idle)
        self.view.setEnabled(has and idle)
        n = self.model.rowCount()
        if not has:
            self.state.setText("Select a contract to see its rates")
        elif self.model.dirty:
            self.state.setText(f"{n} row{'s' * (n != 1)} · unsaved changes")
        elif n == 0:
            self.state.setText("No rates yet: add rows or import the rate exhibit")
        else:
            self.state.setText(f"{n} row{'s' * (n != 1)}, saved")
