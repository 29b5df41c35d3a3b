"""The question the wizard asks when a file names another payer than the one chosen: a sentence
and two buttons, "Use SUN" and "Keep BAY" (``payer_check`` asks it and takes the answer)."""

from __future__ import annotations

from PySide6.QtCore import Signal
from PySide6.QtWidgets import QHBoxLayout, QPushButton, QWidget

from pmpm_desktop.ui.import_wizard.widgets import banner, set_banner


class PayerQuestion(QWidget):
    """ "The file names SUN, but BAY is chosen": [Use SUN] [Keep BAY] (hidden until asked)."""

    #: the user's answer: the payer code to import for
    answered = Signal(str)

    def __init__(self, name: str, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName(name)
        self.text = banner("warning")
        self.text.setObjectName(f"{name}Text")
        self.text.setMinimumWidth(460)  # a sentence or two, not a narrow column of words
        self.use_button = QPushButton()
        self.use_button.setObjectName(f"{name}Use")
        self.keep_button = QPushButton()
        self.keep_button.setObjectName(f"{name}Keep")
        for button in (self.use_button, self.keep_button):
            button.setAutoDefault(False)  # Enter means Next, never an answer picked for them
        row = QHBoxLayout(self)
        row.setContentsMargins(0, 0, 0, 0)
        row.addWidget(self.text, 1)
        row.addWidget(self.use_button)
        row.addWidget(self.keep_button)
        self.other = self.chosen = ""
        self.use_button.clicked.connect(lambda: self.answered.emit(self.other))
        self.keep_button.clicked.connect(lambda: self.answered.emit(self.chosen))
        self.setVisible(False)

    def ask(self, text: str, other: str, chosen: str) -> None:
        self.other, self.chosen = other, chosen
        set_banner(self.text, text)
        self.use_button.setText(f"Use {other}")
        self.keep_button.setText(f"Keep {chosen}")
        self.setVisible(True)

    def close_question(self) -> None:
        self.setVisible(False)

    @property
    def open(self) -> bool:
        return not self.isHidden()
