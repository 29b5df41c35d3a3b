"""The Dashboard's "Next steps" box: what is missing before a payer's figures mean something,
each with the button that does it (``services.overview_hints``)."""

from __future__ import annotations

from collections.abc import Callable, Sequence

from PySide6.QtCore import Qt
from PySide6.QtWidgets import QFrame, QHBoxLayout, QLabel, QPushButton, QVBoxLayout, QWidget

from pmpm_desktop.services.overview import Hint


class HintBox(QFrame):
    """Rebuilt on every refresh: a handful of rows, and the old ones go with their holder."""

    def __init__(self, act: Callable[[Hint], None], parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("hintBox")
        self._act = act
        self._layout = QVBoxLayout(self)
        self._layout.setContentsMargins(16, 10, 16, 10)
        self._layout.setSpacing(6)
        self._layout.addWidget(QLabel("<b>Next steps</b>"))
        self._holder: QWidget | None = None
        self.buttons: list[QPushButton] = []
        self.hide()

    def show_hints(self, hints: Sequence[Hint]) -> None:
        if self._holder is not None:
            self._layout.removeWidget(self._holder)
            self._holder.deleteLater()
            self._holder = None
        self.buttons = []
        self.setVisible(bool(hints))
        if not hints:
            return
        holder = QWidget()
        rows = QVBoxLayout(holder)
        rows.setContentsMargins(0, 0, 0, 0)
        rows.setSpacing(6)
        for hint in hints:
            rows.addLayout(self._row(hint))
        self._layout.addWidget(holder)
        holder.show()  # a layout shows a new child only on the next event-loop pass
        self._holder = holder

    def _row(self, hint: Hint) -> QHBoxLayout:
        row = QHBoxLayout()
        label = QLabel(hint.text)
        label.setObjectName("hintText")
        label.setWordWrap(True)
        button = QPushButton(hint.button)
        button.setObjectName(f"hint_{hint.action}_{hint.payer_code}")
        button.clicked.connect(lambda: self._act(hint))
        row.addWidget(label, 1)
        row.addWidget(button, 0, Qt.AlignmentFlag.AlignVCenter)
        self.buttons.append(button)
        return row
