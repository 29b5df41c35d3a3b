"""The "What was found" panel of a machine-format file (the preview and the done step): the
standard the file follows, then what the reader found in it (sender, receiver, dates, control
numbers, members or lines, totals), label and value. The facts are the readers' own
(``MachineFile.facts``), as ``pmpm … import`` prints them.

The facts scroll inside the panel, so a long list never widens or lengthens the wizard; the
preview lists them in one column beside the mapping, the done step in two.
"""

from __future__ import annotations

from collections.abc import Sequence

from PySide6.QtCore import Qt
from PySide6.QtWidgets import (
    QFrame,
    QGridLayout,
    QGroupBox,
    QLabel,
    QScrollArea,
    QSizePolicy,
    QVBoxLayout,
    QWidget,
)

from pmpm_desktop.io.machine_file import Fact

#: the widest a fact's label is drawn: a longer one wraps
LABEL_WIDTH = 150


class FoundPanel(QGroupBox):
    """The standard and the facts of a machine-format file (hidden for a spreadsheet), in
    ``pairs`` columns of label and value; ``fit``: never higher than the facts need."""

    def __init__(self, parent: QWidget | None = None, *, pairs: int = 1, fit: bool = False) -> None:
        super().__init__("What was found", parent)
        self.setObjectName("foundPanel")
        self.pairs = pairs
        outer = QVBoxLayout(self)
        outer.setContentsMargins(6, 4, 6, 6)
        self._body = QWidget()
        self._grid = QGridLayout(self._body)
        self._grid.setContentsMargins(4, 2, 4, 2)
        self._grid.setHorizontalSpacing(10)
        self._grid.setVerticalSpacing(3)
        self.scroll_area = QScrollArea()
        self.scroll_area.setWidgetResizable(True)
        self.scroll_area.setFrameShape(QFrame.Shape.NoFrame)
        self.scroll_area.setHorizontalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAlwaysOff)
        if fit:  # as high as its facts, no higher and no scrolling (the done step)
            self.setSizePolicy(QSizePolicy.Policy.Preferred, QSizePolicy.Policy.Maximum)
            outer.addWidget(self._body)
        else:
            self.scroll_area.setWidget(self._body)
            outer.addWidget(self.scroll_area)
        self._shown: list[tuple[str, str]] = []
        self.setVisible(False)

    def show_facts(self, standard: str | None, facts: Sequence[Fact]) -> None:
        """``standard`` on top, then each fact (the panel is hidden when there is neither)."""
        while self._grid.count():
            item = self._grid.takeAt(0)
            old = item.widget() if item is not None else None
            if old is not None:
                old.deleteLater()
        for row in range(self._grid.rowCount()):
            self._grid.setRowStretch(row, 0)  # the previous file's last row
        rows = [("Standard", standard)] if standard else []
        rows += [(f.label, f.value) for f in facts]
        self._shown = [(label, value) for label, value in rows if value is not None]
        # Column by column: the first part on the left, read top to bottom, then the next.
        per = max(-(-len(self._shown) // self.pairs), 1)
        for i, (label, value) in enumerate(self._shown):
            row, pair = i % per, i // per
            name = QLabel(label + ":")
            name.setEnabled(False)  # the palette's muted text colour
            name.setAlignment(Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignTop)
            name.setWordWrap(True)  # a long label takes two lines, not the values' room
            name.setMaximumWidth(LABEL_WIDTH)
            # One line when it fits in LABEL_WIDTH; else it wraps there.
            whole = name.fontMetrics().horizontalAdvance(label + ":") + 6
            name.setMinimumWidth(min(LABEL_WIDTH, whole))
            text = QLabel(value)
            text.setObjectName(f"fact_{i}")
            text.setTextFormat(Qt.TextFormat.PlainText)
            text.setWordWrap(True)
            text.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
            text.setSizePolicy(QSizePolicy.Policy.Ignored, QSizePolicy.Policy.Preferred)
            text.setAlignment(Qt.AlignmentFlag.AlignLeft | Qt.AlignmentFlag.AlignTop)
            self._grid.addWidget(name, row, pair * 2)
            self._grid.addWidget(text, row, pair * 2 + 1)
        for pair in range(self.pairs):
            self._grid.setColumnStretch(pair * 2 + 1, 1)
        self._grid.setRowStretch(per, 0 if self.scroll_area.widget() is None else 1)
        self.setVisible(bool(self._shown))
        for i in range(self._grid.count()):
            item = self._grid.itemAt(i)
            widget = item.widget() if item is not None else None
            if widget is not None and not self.isHidden():
                widget.show()

    def wanted_height(self) -> int:
        """The height that shows every fact without scrolling, at the panel's width."""
        width = max(self.scroll_area.viewport().width(), 200)
        body = self._grid.totalHeightForWidth(width)
        if body < 0:  # no line wraps
            body = self._body.sizeHint().height()
        top, bottom = self.contentsMargins().top(), self.contentsMargins().bottom()
        return body + top + bottom + 16

    def facts(self) -> list[tuple[str, str]]:
        """What the user reads: (label, value) in reading order."""
        return list(self._shown)

    def value(self, label: str) -> str | None:
        return next((v for k, v in self._shown if k == label), None)
