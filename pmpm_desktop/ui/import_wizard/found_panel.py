"""The "What was found" panel of a machine-format file (the preview and the done step): the
standard the file follows, then what the reader found in it (sender, receiver, dates, control
numbers, members or lines, totals), label and value, in two columns so a dozen facts stay
short. The facts are the readers' own (``MachineFile.facts``), as ``pmpm … import`` prints them.
"""

from __future__ import annotations

from collections.abc import Sequence

from PySide6.QtCore import Qt
from PySide6.QtWidgets import QGridLayout, QGroupBox, QLabel, QSizePolicy, QWidget

from pmpm_desktop.io.machine_file import Fact


class FoundPanel(QGroupBox):
    """The standard and the facts of a machine-format file (hidden for a spreadsheet)."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__("What was found", parent)
        self.setObjectName("foundPanel")
        self.setSizePolicy(QSizePolicy.Policy.Preferred, QSizePolicy.Policy.Maximum)
        self._grid = QGridLayout(self)
        self._grid.setContentsMargins(10, 6, 10, 8)
        self._grid.setHorizontalSpacing(10)
        self._grid.setVerticalSpacing(3)
        self._shown: list[tuple[str, str]] = []
        self.setVisible(False)

    def show_facts(self, standard: str | None, facts: Sequence[Fact]) -> None:
        """``standard`` on top, then each fact (hidden when there is neither)."""
        while self._grid.count():
            item = self._grid.takeAt(0)
            if item.widget() is not None:
                item.widget().deleteLater()
        rows = [("Standard", standard)] if standard else []
        rows += [(f.label, f.value) for f in facts]
        self._shown = [(label, value) for label, value in rows if value is not None]
        # Column by column: the first half on the left, read top to bottom, then the right.
        half = (len(self._shown) + 1) // 2
        for i, (label, value) in enumerate(self._shown):
            row, pair = (i, 0) if i < half else (i - half, 1)
            name = QLabel(label + ":")
            name.setEnabled(False)  # the palette's muted text colour
            name.setAlignment(Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignTop)
            text = QLabel(value)
            text.setObjectName(f"fact_{i}")
            text.setTextFormat(Qt.TextFormat.PlainText)
            text.setWordWrap(True)
            text.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
            text.setSizePolicy(QSizePolicy.Policy.Expanding, QSizePolicy.Policy.Preferred)
            self._grid.addWidget(name, row, pair * 2)
            self._grid.addWidget(text, row, pair * 2 + 1)
        self._grid.setColumnStretch(1, 1)
        self._grid.setColumnStretch(3, 1)
        self.setVisible(bool(self._shown))
        for i in range(self._grid.count()):
            widget = self._grid.itemAt(i).widget()
            if widget is not None and self.isVisible():
                widget.show()

    def facts(self) -> list[tuple[str, str]]:
        """What the user reads: (label, value) in reading order."""
        return list(self._shown)

    def value(self, label: str) -> str | None:
        return next((v for k, v in self._shown if k == label), None)
