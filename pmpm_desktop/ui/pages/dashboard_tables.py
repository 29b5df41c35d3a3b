"""The Dashboard's tables: by payer, what needs attention, open by kind, the latest files.

Each is as tall as its rows (the page scrolls, not the table) and as wide as the page: money
and counts are sized to their contents and never clipped, the one text column (a name, a file)
takes the room left and elides, its full text in a tooltip.
"""

from __future__ import annotations

from typing import Any

from PySide6.QtCore import Qt
from PySide6.QtWidgets import QAbstractItemView, QHeaderView, QSizePolicy, QTableView, QWidget

from pmpm_desktop.services.file_months import months_text
from pmpm_desktop.ui.charts import dollars
from pmpm_desktop.ui.table_model import Column, Index, RowsModel

#: the narrowest an elided text column gets (the payer's code and the start of its name)
MIN_TEXT_WIDTH = 80

OWED_TO_PRACTICE = "Owed to\nthe practice"
OWED_TO_PRACTICE_TIP = "Open and disputed items the payer paid less for than expected"
OWED_TO_PAYER = "Owed back\nto the payer"
OWED_TO_PAYER_TIP = "Open and disputed items the payer paid more for than expected: it may recoup"


class DollarModel(RowsModel):
    """RowsModel whose money cells read ``$1,234.56`` (still right-aligned), a zero owed
    blank, and whose text cells always tip their full text (the view may elide them)."""

    def data(self, index: Index, role: int = Qt.ItemDataRole.DisplayRole) -> Any:
        if index.isValid() and 0 <= index.column() < len(self.columns):
            column = self.columns[index.column()]
            if 0 <= index.row() < self.rowCount():
                value = column.value(self.row(index.row()))
                if role == Qt.ItemDataRole.DisplayRole and column.kind == "money":
                    return dollars(value) if value is not None else ""
                if role == Qt.ItemDataRole.ToolTipRole and column.kind == "text" and value:
                    return str(value)
        return super().data(index, role)


def _owed(value: Any) -> Any:
    """A zero owed is left blank: the column then shows only the money actually owed."""
    return value or None


def payer_text(code: str, name: str) -> str:
    """A payer as the tables name it: its code first, so an elided name still says which."""
    return code if not name or name == code else f"{code} · {name}"


PAYER_COLUMNS = [
    Column("Payer", lambda p: payer_text(p.code, p.name)),
    Column("Members", lambda p: p.members, "int", "On the latest roster month"),
    Column(
        "Months",
        lambda p: months_text(p.first, p.last) if p.first and p.last else "",
        tooltip="The months expected and paid cover",
    ),
    Column("Expected", lambda p: p.expected, "money"),
    Column("Paid", lambda p: p.paid, "money"),
    Column(OWED_TO_PRACTICE, lambda p: _owed(p.owed_to_practice), "money", OWED_TO_PRACTICE_TIP),
    Column(OWED_TO_PAYER, lambda p: _owed(p.owed_to_payer), "money", OWED_TO_PAYER_TIP),
    Column(
        "Open /\ndisputed",
        lambda p: f"{p.open.count:,} / {p.disputed.count:,}",
        "figures",
        "Discrepancies still open, and those sent to the payer",
    ),
]
ATTENTION_COLUMNS = [
    Column("Payer", lambda a: payer_text(a.payer_code, a.payer_name)),
    Column("Kind", lambda a: a.kind, "kind"),
    Column("Items", lambda a: a.count, "int"),
    Column(OWED_TO_PRACTICE, lambda a: _owed(a.owed_to_practice), "money", OWED_TO_PRACTICE_TIP),
    Column(OWED_TO_PAYER, lambda a: _owed(a.owed_to_payer), "money", OWED_TO_PAYER_TIP),
]
KIND_COLUMNS = [
    Column("Kind", lambda r: r[0], "kind"),
    Column("Open\nitems", lambda r: r[1].count, "int"),
    Column(OWED_TO_PRACTICE, lambda r: _owed(r[1].owed_to_practice), "money", OWED_TO_PRACTICE_TIP),
    Column(OWED_TO_PAYER, lambda r: _owed(r[1].owed_to_payer), "money", OWED_TO_PAYER_TIP),
]
FILE_COLUMNS = [
    Column("Payer", lambda f: f.payer_code),
    Column("File", lambda f: f.file_name),
    Column("What", lambda f: f.detail.capitalize()),
    Column("Imported", lambda f: f.imported_at, "datetime"),
]


class CompactTable(QTableView):
    """A read-only table as tall as its rows, as wide as its parent gives it: column ``text``
    takes the room left, the others are as wide as their contents. With ``elide`` the text
    column may shrink to MIN_TEXT_WIDTH (a long name elides); without, it never clips."""

    def __init__(
        self, model: RowsModel, text: int, *, elide: bool = True, parent: QWidget | None = None
    ) -> None:
        super().__init__(parent)
        self.text_column = text
        self.elide = elide
        self.setModel(model)
        self.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        self.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        self.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
        self.setAlternatingRowColors(True)
        self.setShowGrid(False)
        self.setWordWrap(False)
        self.setTextElideMode(Qt.TextElideMode.ElideRight)
        self.verticalHeader().hide()
        self.setHorizontalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAlwaysOff)
        self.setVerticalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAlwaysOff)
        self.setSizePolicy(QSizePolicy.Policy.Expanding, QSizePolicy.Policy.Fixed)
        header = self.horizontalHeader()
        header.setHighlightSections(False)
        header.setSectionResizeMode(QHeaderView.ResizeMode.ResizeToContents)
        header.setSectionResizeMode(text, QHeaderView.ResizeMode.Stretch)
        header.setStretchLastSection(False)
        model.modelReset.connect(self.fit)
        self.fit()

    def fit(self) -> None:
        """As tall as the rows; at least as wide as every column but the text one needs (money
        is never clipped), and room for the text column to show a name's start."""
        header = self.horizontalHeader()
        rows = max(1, self.model().rowCount())
        height = header.sizeHint().height() + 2 * self.frameWidth()
        height += rows * self.verticalHeader().defaultSectionSize()
        self.setFixedHeight(height)
        width = 2 * self.frameWidth()
        for column in range(self.model().columnCount()):
            needed = max(header.sectionSizeHint(column), self.sizeHintForColumn(column))
            if column == self.text_column and self.elide:
                needed = min(needed, MIN_TEXT_WIDTH)
            width += needed
        self.setMinimumWidth(width)
