"""The bar over the Rosters / Payment statements grid: the payer filter, the file-name search
and the page's buttons (Import…, Open, Roll back…); and how many imports are shown (a label
the page places beside its title, so the bar fits a 1024-pixel window)."""

from __future__ import annotations

from collections.abc import Callable, Sequence

from PySide6.QtCore import Signal
from PySide6.QtWidgets import QComboBox, QHBoxLayout, QLabel, QLineEdit, QPushButton, QWidget

from pmpm_desktop.services.import_history import ImportInfo
from pmpm_desktop.services.payers import PayerInfo


def _button(text: str, name: str, slot: Callable[[], None]) -> QPushButton:
    button = QPushButton(text)
    button.setObjectName(name)
    button.clicked.connect(lambda _checked=False: slot())
    return button


class FilterBar(QWidget):
    """Payer and file search on the left; the page's buttons on the right."""

    #: the payer or the search changed: the grid shows ``shown(imports)`` again
    changed = Signal()

    def __init__(
        self,
        noun: str,
        nouns: str,
        on_import: Callable[[], None],
        on_open: Callable[[], None],
        on_rollback: Callable[[], None],
        parent: QWidget | None = None,
    ) -> None:
        super().__init__(parent)
        self.noun, self.nouns = noun, nouns
        self.payer_combo = QComboBox()
        self.payer_combo.setObjectName("payerFilter")
        self.payer_combo.setMinimumWidth(150)
        self.payer_combo.setSizeAdjustPolicy(QComboBox.SizeAdjustPolicy.AdjustToContents)
        self.payer_combo.addItem("All payers", None)
        self.payer_combo.currentIndexChanged.connect(lambda _i: self.changed.emit())
        self.search = QLineEdit()
        self.search.setObjectName("fileSearch")
        self.search.setPlaceholderText("Search file name…")
        self.search.setClearButtonEnabled(True)
        self.search.setMinimumWidth(150)
        self.search.textChanged.connect(lambda _t: self.changed.emit())
        self.count_label = QLabel("")
        self.count_label.setObjectName("importCount")
        self.import_button = _button(f"Import {noun}…", "importButton", on_import)
        self.open_button = _button("Open", "openButton", on_open)
        self.open_button.setToolTip(f"Show the rows of the selected {noun} (or double-click)")
        self.rollback_button = _button("Roll back…", "rollbackButton", on_rollback)
        self.rollback_button.setToolTip(
            f"Delete the selected {noun} and its rows, then reconcile its payer again"
        )
        bar = QHBoxLayout(self)
        bar.setContentsMargins(0, 0, 0, 0)
        bar.setSpacing(8)
        for widget in (QLabel("Payer:"), self.payer_combo, self.search):
            bar.addWidget(widget)
        bar.addStretch(1)
        for button in (self.import_button, self.open_button, self.rollback_button):
            bar.addWidget(button)

    def set_payers(self, payers: Sequence[PayerInfo]) -> None:
        """The payers to filter by, keeping the one chosen (without filtering again)."""
        current = self.payer_combo.currentData()
        self.payer_combo.blockSignals(True)
        self.payer_combo.clear()
        self.payer_combo.addItem("All payers", None)
        for p in payers:
            self.payer_combo.addItem(f"{p.code} — {p.name}", p.code)
        self.payer_combo.setCurrentIndex(max(self.payer_combo.findData(current), 0))
        self.payer_combo.blockSignals(False)

    def shown(self, imports: Sequence[ImportInfo]) -> list[ImportInfo]:
        """The imports the payer and the search let through."""
        payer = self.payer_combo.currentData()
        text = self.search.text().strip().casefold()
        return [
            i
            for i in imports
            if (payer is None or i.payer_code == payer)
            and (not text or text in i.file_name.casefold())
        ]

    def count(self, shown: int, total: int) -> None:
        """Say how many of the ``total`` imports are shown."""
        if not total:
            text = ""
        elif shown == total:
            text = f"{shown:,} {self.noun if shown == 1 else self.nouns}"
        elif shown:
            text = f"{shown:,} of {total:,} {self.nouns}"
        else:
            text = f"No {self.nouns} match the filter"
        self.count_label.setText(text)
