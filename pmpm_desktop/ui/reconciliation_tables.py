"""Tables fitted to their width (every column as wide as its contents, amounts never cut, text
columns giving way first), and the Reconciliation page's month summary with its totals line.
(The discrepancy grid's columns are in ``pages/reconciliation_grid.py``.)"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

from PySide6.QtCore import QEvent, QModelIndex, QObject, QPersistentModelIndex, Qt
from PySide6.QtGui import QFont, QHelpEvent
from PySide6.QtWidgets import (
    QAbstractItemView,
    QHeaderView,
    QStyle,
    QStyledItemDelegate,
    QStyleOptionViewItem,
    QTableView,
    QToolTip,
)

from pmpm_desktop.core import payer_level
from pmpm_desktop.core.month import Month
from pmpm_desktop.core.payer_level import code_text
from pmpm_desktop.core.summary import DISCREPANCY_KINDS, Kind, MonthSummary, PayerLevel
from pmpm_desktop.services.month_summary import SummaryTotal, summary_total
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


#: pixels an amount's column gets beyond its measured text: a real window's font may draw a
#: (bold) figure a pixel or two wider than it measures, which would elide "128,481.…"
SLACK = 6


def natural_widths(view: QTableView) -> list[int]:
    """Each column's width to show its title and (the first rows of) its cells whole;
    right-aligned columns (amounts, counts) a little more (``SLACK``)."""
    header = view.horizontalHeader()
    model = view.model()
    sorted_column = header.sortIndicatorSection() if view.isSortingEnabled() else -1
    right = int(Qt.AlignmentFlag.AlignRight)
    out = []
    for c in range(model.columnCount()):
        align = model.headerData(c, Qt.Orientation.Horizontal, Qt.ItemDataRole.TextAlignmentRole)
        slack = SLACK if isinstance(align, int) and align & right else 0
        cells = view.sizeHintForColumn(c) + slack
        out.append(max(cells, header_width(view, c, sorted_by=c == sorted_column)))
    return out


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
        model.rowsInserted.connect(self.measure)  # a page further down may hold wider amounts

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


def _line(code: str | None, month: Month | None, m: MonthSummary | SummaryTotal) -> SummaryLine:
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
    return lines + [_line(None, None, summary_total(every))]


_SHORT_KIND = {Kind.UNKNOWN_MEMBER: "Unknown", Kind.NOT_ELIGIBLE: "Not elig."}
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
        Column(
            "Members paid", lambda r: r.paid_members, "int", tooltip="Members the payer paid for"
        ),
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
