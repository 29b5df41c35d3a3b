"""The tables of the Reconciliation page: the month summary (with its totals line) and the
discrepancy grid's columns, and the small "Set status" dialog for many rows at once."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

from PySide6.QtCore import QEvent, QModelIndex, QObject, QPersistentModelIndex, Qt
from PySide6.QtGui import QFont, QHelpEvent
from PySide6.QtWidgets import (
    QAbstractItemView,
    QButtonGroup,
    QComboBox,
    QDialog,
    QDialogButtonBox,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QLineEdit,
    QRadioButton,
    QStyle,
    QStyledItemDelegate,
    QStyleOptionViewItem,
    QTableView,
    QToolTip,
    QVBoxLayout,
    QWidget,
)

from pmpm_desktop.core import payer_level
from pmpm_desktop.core.month import Month
from pmpm_desktop.core.payer_level import code_text
from pmpm_desktop.core.summary import (
    DISCREPANCY_KINDS,
    STATUSES,
    DiscrepancyRow,
    MonthSummary,
    PayerLevel,
)
from pmpm_desktop.services import discrepancy_query as dq
from pmpm_desktop.ui import format as fmt
from pmpm_desktop.ui.format import dollars
from pmpm_desktop.ui.table_model import Column, Index, RowsModel

# --- fitting columns to the width a table has ------------------------------------------------


class ElideTipDelegate(QStyledItemDelegate):
    """Cells draw as usual (elided when narrow); a cell whose text is cut shows it whole in a
    tooltip, so a shortened file name or note can still be read."""

    def helpEvent(
        self,
        event: QHelpEvent,
        view: QAbstractItemView,
        option: QStyleOptionViewItem,
        index: QModelIndex | QPersistentModelIndex,
    ) -> bool:
        if event is not None and event.type() == QEvent.Type.ToolTip and index.isValid():
            text = index.data(Qt.ItemDataRole.DisplayRole)
            if text:
                text = str(text)
                style = view.style() if view is not None else None
                margin = style.pixelMetric(QStyle.PixelMetric.PM_FocusFrameHMargin) if style else 2
                room = option.rect.width() - 2 * (margin + 1)
                if option.fontMetrics.horizontalAdvance(text) > room:
                    QToolTip.showText(event.globalPos(), text, view)
                    return True
        return super().helpEvent(event, view, option, index)


def header_width(view: QTableView, column: int, *, sorted_by: bool = False) -> int:
    """The width a header section needs for its title (and the sort arrow, when it has it).

    ``QHeaderView.sectionSizeHint`` keeps room for a sort arrow in every section once sorting
    is on; only the sorted column shows one, so the others need less."""
    header = view.horizontalHeader()
    width = header.sectionSizeHint(column)
    if header.isSortIndicatorShown() and not sorted_by:
        margin = header.style().pixelMetric(QStyle.PixelMetric.PM_HeaderMargin, None, header)
        width -= header.sizeHint().height() + margin  # what Qt adds for the arrow
    return width


def natural_widths(view: QTableView) -> list[int]:
    """Each column's width to show its title and (the first rows of) its cells whole."""
    header = view.horizontalHeader()
    sorted_column = header.sortIndicatorSection() if view.isSortingEnabled() else -1
    return [
        max(view.sizeHintForColumn(c), header_width(view, c, sorted_by=c == sorted_column))
        for c in range(view.model().columnCount())
    ]


def fit_columns(
    view: QTableView,
    natural: Sequence[int],
    give_way: Sequence[int],
    *,
    least: dict[int, int] | None = None,
    squeeze: bool = False,
) -> None:
    """Fit the visible columns to the view's width.

    Every column gets its natural width when they all fit, and the first ``give_way`` column
    takes what is left over. When there is too little room the ``give_way`` columns (text:
    a name, a note, a file name) shrink first, in the order given, each down to its ``least``
    width (default: its title's width), their text elided. Amounts and dates never shrink:
    if even that is too wide the table scrolls sideways, unless ``squeeze`` (a table with no
    scroll bar), where every column then shrinks in proportion."""
    header = view.horizontalHeader()
    shown = [c for c in range(len(natural)) if not header.isSectionHidden(c)]
    if not shown:
        return
    room = view.viewport().width()
    order = [c for c in give_way if c in shown]
    widths = {c: natural[c] for c in shown}
    spare = room - sum(widths.values())
    if spare >= 0 and order:
        widths[order[0]] += spare
    for c in order:
        if spare >= 0:
            break
        floor = min((least or {}).get(c, header_width(view, c)), natural[c])
        give = min(-spare, max(widths[c] - floor, 0))
        widths[c] -= give
        spare += give
    if spare < 0 and squeeze:
        total = sum(widths.values())
        for c in shown:
            widths[c] = max(16, widths[c] + spare * widths[c] // max(total, 1))
        if order:
            widths[order[0]] += max(room - sum(widths.values()), 0)
    for c in shown:
        header.resizeSection(c, max(widths[c], 1))


class ColumnFitter(QObject):
    """Refits a table's columns (``fit_columns``) whenever its width or its rows change."""

    def __init__(
        self,
        view: QTableView,
        give_way: Sequence[int],
        *,
        least: dict[int, int] | None = None,
        squeeze: bool = False,
    ) -> None:
        super().__init__(view)
        self.view = view
        self.give_way = tuple(give_way)
        self.least = least
        self.squeeze = squeeze
        self.natural: list[int] = []
        header = view.horizontalHeader()
        header.setSectionResizeMode(QHeaderView.ResizeMode.Interactive)
        header.setStretchLastSection(False)
        view.setTextElideMode(Qt.TextElideMode.ElideRight)
        view.setItemDelegate(ElideTipDelegate(view))
        view.viewport().installEventFilter(self)
        model = view.model()
        model.modelReset.connect(self.measure)
        model.layoutChanged.connect(self.measure)

    def measure(self, *_args: object) -> None:
        """Work the natural widths out again (the rows changed), then fit."""
        self.natural = natural_widths(self.view)
        self.fit()

    def fit(self) -> None:
        if len(self.natural) != self.view.model().columnCount():
            self.natural = natural_widths(self.view)
        fit_columns(self.view, self.natural, self.give_way, least=self.least, squeeze=self.squeeze)

    def eventFilter(self, watched: QObject, event: QEvent) -> bool:
        if event.type() == QEvent.Type.Resize:
            self.fit()
        return False


class SpreadFitter(ColumnFitter):
    """Every column as wide as its title and cells (an amount is never cut); room to spare is
    shared out between the ``share`` columns (the kinds' counts); short of room the table
    scrolls sideways (see :meth:`overflows`)."""

    def __init__(self, view: QTableView, share: Sequence[int]) -> None:
        super().__init__(view, ())
        self.share = tuple(share)

    def _shown(self) -> list[int]:
        header = self.view.horizontalHeader()
        return [c for c in range(len(self.natural)) if not header.isSectionHidden(c)]

    def overflows(self, room: int) -> bool:
        """Do the columns need more than ``room`` pixels (a horizontal scroll bar)?"""
        if len(self.natural) != self.view.model().columnCount():
            self.natural = natural_widths(self.view)
        return sum(self.natural[c] for c in self._shown()) > room

    def fit(self) -> None:
        if len(self.natural) != self.view.model().columnCount():
            self.natural = natural_widths(self.view)
        shown = self._shown()
        widths = {c: self.natural[c] for c in shown}
        spare = self.view.viewport().width() - sum(widths.values())
        sharing = [c for c in self.share if c in widths]
        if spare > 0 and sharing:
            each, rest = divmod(spare, len(sharing))
            for i, c in enumerate(sharing):
                widths[c] += each + (1 if i < rest else 0)
        header = self.view.horizontalHeader()
        for c in shown:
            header.resizeSection(c, max(widths[c], 1))


# --- the month summary ------------------------------------------------------------------------


@dataclass(frozen=True)
class SummaryLine:
    """A month of a payer, or the totals line (``month`` None)."""

    payer_code: str | None
    month: Month | None
    eligible_members: int
    paid_members: int
    expected: Decimal
    paid: Decimal
    variance: Decimal
    counts: dict[str, int] = field(default_factory=dict)
    #: payments without members (SPEC §7); None for a month without any
    payer_level: PayerLevel | None = None

    @property
    def is_total(self) -> bool:
        return self.month is None


def _line(code: str | None, month: Month | None, m: MonthSummary | dq.SummaryTotal) -> SummaryLine:
    return SummaryLine(
        code,
        month,
        m.eligible_members,
        m.paid_members,
        m.expected,
        m.paid,
        m.variance,
        dict(m.counts),
        m.payer_level,
    )


def summary_lines(by_payer: Sequence[tuple[str, list[MonthSummary]]]) -> list[SummaryLine]:
    """Month rows (payer by payer) and a totals line, from the service's figures."""
    lines = [_line(code, m.month, m) for code, months in by_payer for m in months]
    every = [m for _code, months in by_payer for m in months]
    if not every:
        return []
    return lines + [_line(None, None, dq.summary_total(every))]


_SHORT_KIND = {"unknown_member": "Unknown", "not_eligible": "Not elig."}
#: the payer-level columns (shown only when a line has payer-level payments)
PAYER_LEVEL_PAID, PAYER_LEVEL_WITHHOLD = 7, 8
PAYER_LEVEL_COLUMNS = (PAYER_LEVEL_PAID, PAYER_LEVEL_WITHHOLD)
#: the summary's first kind column (after payer, month, five figures and the payer level)
KIND_COLUMN0 = 9


def withhold_text(level: PayerLevel | None) -> str | None:
    """``75.00 / 75.00``: the payer's stated withhold, then the contracts'."""
    if level is None:
        return None
    return f"{fmt.money(level.withhold_reported)} / {fmt.money(level.withhold_contract)}"


def payer_level_tip(line: SummaryLine) -> str | None:
    """A month's payer-level payments in words: codes with their meaning and both withholds."""
    level = line.payer_level
    if level is None:
        return None
    codes = "; ".join(f"{code_text(c)} {dollars(v)}" for c, v in level.by_code.items())
    when = "over the months" if line.is_total else f"for {line.month}"
    return (
        f"{dollars(level.paid)} paid without members {when}: {codes}.\n"
        f"Withheld: {dollars(level.withhold_reported)} says the payer, "
        f"{dollars(level.withhold_contract)} the contracts."
    )


def _count_of(kind: str) -> Callable[[SummaryLine], int]:
    return lambda line: line.counts.get(kind, 0)


def summary_columns() -> list[Column]:
    cols = [
        Column("Payer", lambda r: r.payer_code or ""),
        Column("Month", lambda r: "Total" if r.month is None else r.month, "month"),
        Column(
            "Eligible",
            lambda r: r.eligible_members,
            "int",
            tooltip="Members eligible in the month (member-months on the totals line)",
        ),
        Column("Paid for", lambda r: r.paid_members, "int", tooltip="Members paid for"),
        Column("Expected", lambda r: r.expected, "money"),
        Column(
            "Paid",
            lambda r: r.paid,
            "money",
            tooltip="Paid at member level: the statement lines of the month's members",
        ),
        Column("Variance", lambda r: r.variance, "money", tooltip="Paid minus expected"),
        # two-line titles (the header grows only while these columns show)
        Column(
            payer_level.PAID_TITLE.replace(" at ", " at\n"),
            lambda r: None if r.payer_level is None else r.payer_level.paid,
            "money",
            tooltip=payer_level.RULE,
        ),
        Column(
            payer_level.WITHHOLD_TITLE.replace(": ", ":\n"),
            lambda r: withhold_text(r.payer_level),
            "figures",
            tooltip=payer_level.WITHHOLD_RULE,
        ),
    ]
    for k in DISCREPANCY_KINDS:
        cols.append(
            Column(
                _SHORT_KIND.get(k, fmt.kind(k)),
                _count_of(k),
                "int",
                tooltip=f"{fmt.kind(k)}: click a count to list those discrepancies",
            )
        )
    return cols


class SummaryModel(RowsModel):
    """The month summary: the totals line in bold, zero counts left blank (less noise)."""

    def data(self, index: Index, role: int = Qt.ItemDataRole.DisplayRole) -> Any:
        if not index.isValid() or not 0 <= index.row() < len(self._rows):
            return None
        row: SummaryLine = self._rows[index.row()]
        if role == Qt.ItemDataRole.FontRole and row.is_total:
            font = QFont()
            font.setBold(True)
            return font
        if role == Qt.ItemDataRole.ToolTipRole and index.column() in PAYER_LEVEL_COLUMNS:
            return payer_level_tip(row)
        if (
            role == Qt.ItemDataRole.DisplayRole
            and index.column() >= KIND_COLUMN0
            and self.columns[index.column()].value(row) == 0
        ):
            return ""
        return super().data(index, role)


# --- the discrepancy grid ---------------------------------------------------------------------


def grid_columns() -> list[Column]:
    def name(r: DiscrepancyRow) -> str:
        return fmt.person(r.last_name, r.first_name) or (
            "(not on any roster)" if r.kind == "unknown_member" else ""
        )

    return [
        Column("Payer", lambda r: r.payer_code, sort_key="payer"),
        Column("Member ID", lambda r: r.member_id, sort_key="member_id"),
        Column("Name", name, sort_key="name"),
        Column("Month", lambda r: r.month, "month", sort_key="month"),
        Column("Kind", lambda r: r.kind, "kind", sort_key="kind"),
        Column("Expected", lambda r: r.expected, "money", sort_key="expected"),
        Column("Paid", lambda r: r.paid, "money", sort_key="paid"),
        Column("Variance", lambda r: r.variance, "money", sort_key="variance"),
        Column("Status", lambda r: r.status, "status", sort_key="status"),
        Column(
            "Age",
            dq.age_days,
            "int",
            tooltip="Days since the reconciliation first found it",
            sort_key="age",
        ),
        Column("Last note", lambda r: r.last_note, sort_key="last_note"),
    ]


GRID_PAYER, GRID_MONTH, GRID_VARIANCE = 0, 3, 7


class SetStatusDialog(QDialog):
    """Status and note for several discrepancies at once (opened non-blocking)."""

    def __init__(
        self,
        selected: int,
        matching: int | None,
        on_ok: Callable[[str, str, bool], None],
        parent: QWidget | None = None,
    ) -> None:
        super().__init__(parent)
        self.setObjectName("setStatusDialog")
        self.setWindowTitle("Set status")
        self.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
        lay = QVBoxLayout(self)
        self.selected_radio = QRadioButton(f"The {selected:,} selected discrepancies")
        self.selected_radio.setObjectName("applySelected")
        self.matching_radio = QRadioButton(
            f"All {matching or 0:,} discrepancies matching the filter"
        )
        self.matching_radio.setObjectName("applyMatching")
        group = QButtonGroup(self)
        group.addButton(self.selected_radio)
        group.addButton(self.matching_radio)
        self.selected_radio.setChecked(True)
        if matching is None:
            what = "discrepancy" if selected == 1 else f"{selected:,} discrepancies"
            lay.addWidget(QLabel(f"Set the status of the selected {what}:"))
            self.selected_radio.hide()
            self.matching_radio.hide()
        else:
            lay.addWidget(QLabel("Apply to:"))
            lay.addWidget(self.selected_radio)
            lay.addWidget(self.matching_radio)
        row = QHBoxLayout()
        row.addWidget(QLabel("New status"))
        self.status_combo = QComboBox()
        self.status_combo.setObjectName("bulkStatus")
        for s in STATUSES:
            self.status_combo.addItem(fmt.status(s), s)
        self.status_combo.setCurrentIndex(STATUSES.index("disputed"))
        row.addWidget(self.status_combo, 1)
        lay.addLayout(row)
        self.note_edit = QLineEdit()
        self.note_edit.setObjectName("bulkNote")
        self.note_edit.setPlaceholderText("Note for the history (optional)")
        self.note_edit.setMinimumWidth(340)
        lay.addWidget(self.note_edit)
        buttons = QDialogButtonBox(
            QDialogButtonBox.StandardButton.Ok | QDialogButtonBox.StandardButton.Cancel
        )
        self.ok_button = buttons.button(QDialogButtonBox.StandardButton.Ok)
        self.ok_button.setText("Set status")
        buttons.accepted.connect(self.accept)
        buttons.rejected.connect(self.reject)
        lay.addWidget(buttons)
        self.accepted.connect(
            lambda: on_ok(
                self.status_combo.currentData(),
                self.note_edit.text().strip(),
                self.matching_radio.isChecked(),
            )
        )
