"""The preview step's question about decimals: a file whose numbers read either with a decimal
comma or with a decimal point (``1,234``) is not read until the user says which (SPEC §6
"decimal comma decided once per file"; the CLI's ``--decimal comma|point``)."""

from __future__ import annotations

from PySide6.QtCore import Qt, Signal
from PySide6.QtWidgets import QButtonGroup, QGroupBox, QHBoxLayout, QLabel, QRadioButton, QWidget

from pmpm_desktop.io.number_style import DecimalQuestion


class DecimalBox(QGroupBox):
    """The question, examples from the file, and two answers; hidden while nothing is asked."""

    #: True: the file writes a decimal comma; False: a decimal point
    answered = Signal(bool)

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__("Decimal comma or decimal point?", parent)
        self.setObjectName("decimalBox")
        self.setStyleSheet("QGroupBox#decimalBox { font-weight: bold; }")
        column = QHBoxLayout(self)
        column.setContentsMargins(10, 6, 10, 6)
        self.question = QLabel()
        self.question.setObjectName("decimalQuestion")
        self.question.setWordWrap(True)
        self.question.setTextFormat(Qt.TextFormat.PlainText)
        self.question.setStyleSheet("font-weight: normal;")
        column.addWidget(self.question, 1)
        self.point = QRadioButton("Decimal point (1,234.56)")
        self.point.setObjectName("decimalPoint")
        self.comma = QRadioButton("Decimal comma (1.234,56)")
        self.comma.setObjectName("decimalComma")
        self._group = QButtonGroup(self)
        for button in (self.point, self.comma):
            button.setStyleSheet("font-weight: normal;")
            self._group.addButton(button)
            column.addWidget(button)
        self._group.buttonClicked.connect(lambda b: self.answered.emit(b is self.comma))
        self.setVisible(False)

    def ask(self, question: DecimalQuestion | None, answer: bool | None) -> None:
        """Show ``question`` (or, once answered, the answer the file is read with); hide the
        box when the file never needed one."""
        if question is not None:
            examples = ", ".join(repr(e) for e in question.examples)
            self.question.setText(f"{question.text}\nValues in the file: {examples}.")
        elif answer is not None:
            self.question.setText(
                "Read with a decimal "
                + ("comma" if answer else "point")
                + ", as you said. Change it here if the amounts below look wrong."
            )
        self._group.setExclusive(False)  # so neither may be checked before an answer
        self.point.setChecked(answer is False)
        self.comma.setChecked(answer is True)
        self._group.setExclusive(True)
        self.setVisible(question is not None or answer is not None)
