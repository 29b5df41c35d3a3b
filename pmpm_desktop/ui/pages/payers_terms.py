"""The selected contract's terms under the contracts table: withhold, tolerance, age basis,
risk adjustment, retro window and payment due day, each captioned, with its unit, and its
meaning in a tooltip (the table keeps to what tells contracts apart)."""

from __future__ import annotations

from PySide6.QtCore import Qt
from PySide6.QtWidgets import QGridLayout, QLabel, QWidget

from pmpm_desktop.services.payers import ContractInfo
from pmpm_desktop.ui.pages.base import bold_label
from pmpm_desktop.ui.pages.payers_columns import TERMS

#: terms in a column: three rows of two keep the block narrow enough for a 1024-pixel window
TERM_ROWS = 3
#: pixels between one caption-value pair and the next caption
_PAIR_GAP = 12


class ContractTerms(QWidget):
    """Caption and value of each term of one contract (blank without one)."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("contractTerms")
        grid = QGridLayout(self)
        grid.setContentsMargins(0, 6, 0, 2)
        grid.setHorizontalSpacing(6)
        grid.setVerticalSpacing(2)
        #: "Terms of <contract>": which row of the table these are
        self.title = bold_label(name="termsTitle")
        self.title.setWordWrap(True)
        grid.addWidget(self.title, 0, 0, 1, -1)
        #: the value labels by term key (``Term.key``)
        self.values: dict[str, QLabel] = {}
        for n, term in enumerate(TERMS):
            row, column = 1 + n % TERM_ROWS, 2 * (n // TERM_ROWS)
            caption = QLabel(f"{term.caption}:")
            if column:
                caption.setIndent(_PAIR_GAP)  # apart from the pair before it
            value = QLabel()
            value.setObjectName(f"term_{term.key}")
            value.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
            for label in (caption, value):
                label.setToolTip(term.meaning)
            grid.addWidget(caption, row, column, Qt.AlignmentFlag.AlignLeft)
            grid.addWidget(value, row, column + 1, Qt.AlignmentFlag.AlignLeft)
            self.values[term.key] = value
        # the pairs stay together on the left of a wide window
        grid.setColumnStretch(2 * -(-len(TERMS) // TERM_ROWS), 1)

    def show_contract(self, contract: ContractInfo | None) -> None:
        """Show ``contract``'s terms (nothing when None)."""
        self.title.setText(f"Terms of {contract.name}" if contract is not None else "")
        for term in TERMS:
            self.values[term.key].setText(term.value(contract) if contract is not None else "")
