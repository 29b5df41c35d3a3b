"""The field → column editor of the wizard's preview step, and how fields are named on screen.

It only shows and collects choices; the preview (``services.preview``) decides what the file
holds, so nothing here touches the file's contents.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence

from PySide6.QtCore import QModelIndex, QPersistentModelIndex, Qt, Signal
from PySide6.QtWidgets import (
    QComboBox,
    QGridLayout,
    QLabel,
    QStyledItemDelegate,
    QStyleOptionViewItem,
    QWidget,
)

from pmpm_desktop.io.detect import FieldChoice
from pmpm_desktop.io.fields import fields
from pmpm_desktop.io.options import FileKind
from pmpm_desktop.io.x12.sources import DESCRIPTIONS
from pmpm_desktop.services.preview import FieldMapping
from pmpm_desktop.ui.theme import negative_color

NOT_IN_FILE = "(not in this file)"

#: how a field is named on screen, per file kind (the dictionary's names are for code)
_LABELS: dict[str, str] = {
    "row": "Row",
    "member_id": "Member ID",
    "last_name": "Last name",
    "first_name": "First name",
    "full_name": "Member name (LAST, FIRST)",
    "dob": "Date of birth",
    "sex": "Sex",
    "product": "Product",
    "rate_cell": "Rate cell",
    "pcp": "PCP",
    "effective_date": "Effective date",
    "term_date": "Term date",
    "risk_score": "Risk score",
    "coverage_month": "Coverage month",
    "line_type": "Line type",
    "member_name": "Member name",
    "payment_date": "Payment date",
    "reference": "Check / EFT reference",
    "effective_from": "Effective from",
    "effective_to": "Effective to",
    "component": "Component",
    "age_min": "Age from",
    "age_max": "Age to",
}
_AMOUNT: dict[str, str] = {FileKind.STATEMENT: "Amount paid", FileKind.RATES: "Rate (PMPM)"}


def field_label(kind: str, name: str) -> str:
    """A field as the wizard names it (the amount of a statement is "Amount paid")."""
    if name == "amount":
        return _AMOUNT.get(kind, "Amount")
    return _LABELS.get(name, name.replace("_", " ").capitalize())


_SOURCE_WORDS = {
    "override": "your choice",
    "profile": "saved layout",
    "detected": "detected",
    "format": "the format",
    "layout": "the layout",
}
_MACHINE_TIPS = {
    "format": "Fixed by the file's format: this field is always read from here",
    "layout": "Where the file's layout places it (“Edit layout…” changes it)",
    "profile": "As chosen for this payer's earlier files (kept with the payer)",
    "detected": "PMPM's choice for this file; choose another element if the payer uses one",
}


#: the item role holding what an element is (``plan coverage description``)
ABOUT = Qt.ItemDataRole.UserRole + 1


class _Described(QStyledItemDelegate):
    """The list of a combo: an element with what it holds (``HD04 — plan coverage
    description``), while the closed combo shows the element alone, so it is never cut."""

    def initStyleOption(
        self, option: QStyleOptionViewItem, index: QModelIndex | QPersistentModelIndex
    ) -> None:
        super().initStyleOption(option, index)
        about = index.data(ABOUT)
        if about:
            option.text = f"{option.text}  —  {about}"


class MappingEditor(QWidget):
    """One row per field of the file kind: its name (required ones marked), a combo of the
    file's columns, and where the current choice came from."""

    #: the user chose a column for a field (None: "(not in this file)")
    column_chosen = Signal(str, object)

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("mappingEditor")
        self.kind: str | None = None
        self._grid = QGridLayout(self)
        self._grid.setContentsMargins(0, 0, 0, 0)
        self._grid.setHorizontalSpacing(10)
        self._grid.setVerticalSpacing(6)
        self._grid.setColumnStretch(1, 1)
        self._combos: dict[str, QComboBox] = {}
        self._sources: dict[str, QLabel] = {}
        self._names: dict[str, QLabel] = {}
        self._required: dict[str, bool] = {}
        self._headers: tuple[str, ...] | None = ()
        self._heads: list[QLabel] = []

    # -- building --------------------------------------------------------------------------
    def set_kind(self, kind: str) -> None:
        """One row per field of ``kind`` (rebuilt only when the kind changes)."""
        if kind == self.kind:
            return
        self.kind = kind
        while self._grid.count():
            item = self._grid.takeAt(0)
            old = item.widget() if item is not None else None
            if old is not None:
                old.deleteLater()
        self._combos.clear()
        self._sources.clear()
        self._names.clear()
        self._required.clear()
        self._headers = ()
        self._heads = []
        heads = ("Field", "Column in the file", "Found by")
        for c, text in enumerate(heads):
            head = QLabel(f"<b>{text}</b>")
            self._grid.addWidget(head, 0, c)
            self._heads.append(head)
        for r, spec in enumerate(fields(kind), start=1):
            name = QLabel(field_label(kind, spec.name) + (" *" if spec.required else ""))
            name.setToolTip("Required: the file must have this column" if spec.required else "")
            combo = QComboBox()
            combo.setObjectName(f"map_{spec.name}")
            combo.setSizeAdjustPolicy(QComboBox.SizeAdjustPolicy.AdjustToContents)
            combo.setMinimumContentsLength(14)
            combo.addItem(NOT_IN_FILE)
            combo.setItemDelegate(_Described(combo))
            combo.currentIndexChanged.connect(lambda _i, f=spec.name: self._changed(f))
            source = QLabel()
            source.setObjectName(f"source_{spec.name}")
            self._grid.addWidget(name, r, 0)
            self._grid.addWidget(combo, r, 1)
            self._grid.addWidget(source, r, 2)
            self._combos[spec.name] = combo
            self._sources[spec.name] = source
            self._names[spec.name] = name
            self._required[spec.name] = spec.required
        note = QLabel("* required")
        note.setEnabled(False)
        self._grid.addWidget(note, len(self._combos) + 1, 0, 1, 3)
        self._grid.setRowStretch(len(self._combos) + 2, 1)
        # Widgets added to a shown parent appear only at the next event-loop turn; show them
        # now so the editor is never drawn empty.
        for i in range(self._grid.count()):
            item = self._grid.itemAt(i)
            widget = item.widget() if item is not None else None
            if widget is not None:
                widget.show()

    def show_mapping(
        self,
        headers: Sequence[str],
        mapping: Sequence[FieldMapping],
        choices: dict[str, FieldChoice] | None = None,
    ) -> None:
        """Show the preview's columns and choices (without re-announcing them as the user's)."""
        by_field = {m.field: m for m in mapping}
        choices = choices or {}
        self._set_heading("Column in the file")
        for name, combo in self._combos.items():
            combo.blockSignals(True)
            combo.setEnabled(True)
            combo.setToolTip("")
            combo.view().setMinimumWidth(0)
            if tuple(headers) != self._headers:
                combo.clear()
                combo.addItem(NOT_IN_FILE)
                combo.addItems(list(headers))
            chosen = by_field.get(name)
            index = combo.findText(chosen.column) if chosen is not None else 0
            combo.setCurrentIndex(max(index, 0))
            combo.blockSignals(False)
            self._show_source(name, chosen, choices.get(name), bool(headers))
        self._headers = tuple(headers)

    def show_elements(
        self,
        mapping: Sequence[FieldMapping],
        choices: Mapping[str, Sequence[str]],
        texts: Mapping[str, str] | None = None,
        heading: str = "Element",
    ) -> None:
        """A machine format's fields: each read from its element (``texts`` shows an element
        otherwise than by its name, e.g. a layout's ``columns 2–11``). A field with
        ``choices`` may be read from another element; the others are fixed by the format."""
        by_field = {m.field: m for m in mapping}
        texts = texts or {}
        self._set_heading(heading)
        self._headers = None  # the combos no longer hold the columns of a spreadsheet
        for name, combo in self._combos.items():
            chosen = by_field.get(name)
            options = list(choices.get(name, ()))
            if chosen is not None and options and chosen.column not in options:
                options.insert(0, chosen.column)  # a payer's own REF, say
            combo.blockSignals(True)
            combo.clear()
            if options:
                for element in options:
                    combo.addItem(element, element)
                    combo.setItemData(combo.count() - 1, DESCRIPTIONS.get(element), ABOUT)
                combo.setCurrentIndex(max(combo.findData(chosen.column), 0) if chosen else 0)
                wide = max(
                    combo.fontMetrics().horizontalAdvance(f"{e}  —  {DESCRIPTIONS.get(e, '')}")
                    for e in options
                )
                combo.view().setMinimumWidth(wide + 40)
            elif chosen is not None:
                combo.addItem(texts.get(name, chosen.column), chosen.column)
            else:
                combo.addItem(NOT_IN_FILE)
            combo.setEnabled(bool(options))
            combo.blockSignals(False)
            self._show_source(name, chosen, None, False)
            if chosen is not None:
                self._sources[name].setToolTip(_MACHINE_TIPS.get(chosen.source, ""))
            about = DESCRIPTIONS.get(chosen.column) if chosen is not None else None
            tips = [f"{chosen.column}: {about}" if chosen is not None and about else ""]
            tips.append("Choose the element this payer's files carry it in" if options else "")
            combo.setToolTip("\n".join(t for t in tips if t))

    def _set_heading(self, text: str) -> None:
        if len(self._heads) > 1:
            self._heads[1].setText(f"<b>{text}</b>")

    def _show_source(
        self, name: str, chosen: FieldMapping | None, choice: FieldChoice | None, read: bool
    ) -> None:
        label = self._sources[name]
        required = self._required[name]
        label.setStyleSheet("")
        tip = ""
        if chosen is None:
            if required and read:
                text = "missing"
                tip = "Required: choose the column of the file that holds it"
                label.setStyleSheet(
                    f"color: {negative_color(self.palette()).name()}; font-weight: bold;"
                )
            else:
                text = ""
        else:
            text = _SOURCE_WORDS.get(chosen.source, chosen.source)
            if chosen.source == "detected" and choice is not None:
                sure = choice.confidence
                how = {
                    "name": "its name",
                    "partial name": "part of its name",
                    "values": "the values under it",
                    "given": "your choice",
                }.get(choice.how, choice.how)
                tip = f"Recognised by {how} ({round(sure * 100)}% sure)"
                if sure < 0.5:
                    text = "detected: please check"
                    label.setStyleSheet("color: #8a5a00;")
            elif chosen.source == "profile":
                tip = "As in this payer's last file of this layout"
        label.setText(text)
        label.setToolTip(tip)
        self._names[name].setStyleSheet(
            "font-weight: bold;" if required else ""
        )  # required fields stand out

    def _changed(self, name: str) -> None:
        combo = self._combos[name]
        text = combo.currentData() or combo.currentText()  # an element, or a column's name
        self.column_chosen.emit(name, None if text == NOT_IN_FILE else text)

    # -- reading ---------------------------------------------------------------------------
    def combo(self, name: str) -> QComboBox:
        return self._combos[name]

    def source_text(self, name: str) -> str:
        return self._sources[name].text()

    def revert(self, name: str, column: str | None) -> None:
        """Put a combo back (a choice the preview could not take)."""
        combo = self._combos[name]
        combo.blockSignals(True)
        index = max(combo.findData(column), combo.findText(column)) if column else 0
        combo.setCurrentIndex(max(index, 0))
        combo.blockSignals(False)
