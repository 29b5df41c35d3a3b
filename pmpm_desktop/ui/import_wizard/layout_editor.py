"""The layout editor of a fixed-width file: where each field sits on a line, set once per payer.

The first lines of the file are shown in a monospace view under a column ruler (1…10…20…);
each field of the kind (``io.fields``) has a start column and a length, typed in the table or
taken from characters selected in the view; the fields placed are tinted in the view, and lines
that are not data (skipped at the top, or not starting with the record prefix) are greyed.
Apply gives a :class:`FixedLayout` (the preview reads the file again with it); a layout the
reader cannot use is refused with its sentence, under the table.
"""

from __future__ import annotations

from pathlib import Path

from PySide6.QtCore import QRect, Qt, Signal
from PySide6.QtGui import (
    QBrush,
    QColor,
    QFont,
    QFontDatabase,
    QGuiApplication,
    QPainter,
    QPaintEvent,
    QTextCharFormat,
    QTextCursor,
    QTextDocument,
)
from PySide6.QtWidgets import (
    QAbstractItemView,
    QDialog,
    QDialogButtonBox,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QLineEdit,
    QPlainTextEdit,
    QPushButton,
    QSpinBox,
    QSplitter,
    QTableWidget,
    QTableWidgetItem,
    QTextEdit,
    QVBoxLayout,
    QWidget,
)

from pmpm_desktop.io.fields import fields
from pmpm_desktop.io.fixed_layout import FixedLayout, LayoutError
from pmpm_desktop.io.fixed_width import first_lines
from pmpm_desktop.io.options import FileKind
from pmpm_desktop.ui.import_wizard.mapping_editor import field_label
from pmpm_desktop.ui.theme import negative_color

#: how many lines of the file the view shows
SHOWN_LINES = 20
#: the tints of the fields placed, in turn
_TINTS = ("#cfe3ff", "#ffe0b3", "#d4f0d0", "#f5d0f0", "#fff3a8", "#d0f0f0", "#f0d8c8", "#e0d8ff")
FIELD, START, LENGTH, COLUMNS = range(4)


def monospace() -> QFont:
    font = QFontDatabase.systemFont(QFontDatabase.SystemFont.FixedFont)
    font.setStyleHint(QFont.StyleHint.TypeWriter)
    return font


class Ruler(QWidget):
    """Column numbers over a QPlainTextEdit's characters: a tick every column, a longer one
    every 5, the number every 10 (1 at the first character), following the view's scrolling;
    the selected columns are shaded."""

    def __init__(self, view: QPlainTextEdit) -> None:
        super().__init__()
        self.view = view
        self.setObjectName("layoutRuler")
        self.setFont(view.font())
        self.setFixedHeight(self.fontMetrics().height() + 10)
        self.selected: tuple[int, int] | None = None  # (start, length), columns from 1
        view.horizontalScrollBar().valueChanged.connect(self.update)

    def paintEvent(self, event: QPaintEvent) -> None:
        painter = QPainter(self)
        pal = self.palette()
        painter.fillRect(self.rect(), pal.alternateBase())
        width = self.fontMetrics().horizontalAdvance("0")
        left = (
            self.view.viewport().geometry().x()
            + self.view.document().documentMargin()
            + self.view.contentOffset().x()
        )
        bottom = self.height() - 1
        if self.selected is not None:
            start, length = self.selected
            x = int(left + (start - 1) * width)
            painter.fillRect(QRect(x, 0, int(length * width), self.height()), pal.highlight())
        painter.setPen(pal.text().color())
        first = max(int(-left // width), 0)
        last = int((self.width() - left) // width) + 1
        for col in range(first, last + 1):
            x = int(left + col * width)  # the left edge of column col + 1
            number = col + 1
            tick = 6 if number % 10 == 0 else 4 if number % 5 == 0 else 2
            centre = x + width // 2
            painter.drawLine(centre, bottom, centre, bottom - tick)
            if number % 10 == 0 or number == 1:
                label = str(number)
                w = self.fontMetrics().horizontalAdvance(label)
                painter.drawText(centre - w // 2, self.fontMetrics().ascent() + 1, label)
        painter.drawLine(0, bottom, self.width(), bottom)
        painter.end()


class LayoutEditor(QDialog):
    """Set where each field of a fixed-width ``kind`` file sits; ``applied`` gives the layout."""

    applied = Signal(object)  # FixedLayout

    def __init__(
        self,
        path: Path,
        kind: FileKind,
        layout: FixedLayout | None = None,
        parent: QWidget | None = None,
    ) -> None:
        super().__init__(parent)
        self.setObjectName("layoutEditor")
        self.setWindowTitle(f"Layout of {path.name}")
        self.kind = kind
        self.path = path
        self._fields = list(fields(kind.value))
        self._building = True
        outer = QVBoxLayout(self)
        intro = QLabel(
            f"Where does each field of this {kind.label} sit on a line? Select the characters "
            "of a field in the lines below and press “Use the selected characters”, or type its "
            "start column and length in the table. PMPM keeps the layout for the payer: its "
            "next files are read without asking."
        )
        intro.setWordWrap(True)
        outer.addWidget(intro)
        split = QSplitter(Qt.Orientation.Vertical)
        split.addWidget(self._build_view())
        split.addWidget(self._build_table())
        split.setStretchFactor(0, 0)
        split.setStretchFactor(1, 1)
        split.setChildrenCollapsible(False)
        outer.addWidget(split, 1)
        outer.addLayout(self._build_options())
        self.error_label = QLabel()
        self.error_label.setObjectName("layoutError")
        self.error_label.setWordWrap(True)
        self.error_label.setStyleSheet(f"color: {negative_color(self.palette()).name()};")
        self.error_label.setVisible(False)
        outer.addWidget(self.error_label)
        buttons = QDialogButtonBox(
            QDialogButtonBox.StandardButton.Apply | QDialogButtonBox.StandardButton.Cancel
        )
        self.apply_button = buttons.button(QDialogButtonBox.StandardButton.Apply)
        self.apply_button.setObjectName("applyLayout")
        self.apply_button.setText("Apply and preview")
        self.apply_button.setDefault(True)
        self.apply_button.clicked.connect(self.apply)
        buttons.rejected.connect(self.reject)
        outer.addWidget(buttons)
        if layout is not None and layout.kind is kind:
            self.set_layout(layout)
        self._building = False
        self._refresh()
        self._selection_changed()
        self._fit_screen()

    # -- building --------------------------------------------------------------------------
    def _build_view(self) -> QWidget:
        box = QWidget()
        column = QVBoxLayout(box)
        column.setContentsMargins(0, 0, 0, 0)
        column.setSpacing(0)
        self.view = QPlainTextEdit()
        self.view.setObjectName("layoutLines")
        self.view.setFont(monospace())
        self.view.setReadOnly(True)
        self.view.setLineWrapMode(QPlainTextEdit.LineWrapMode.NoWrap)
        self.view.setTextInteractionFlags(
            Qt.TextInteractionFlag.TextSelectableByMouse
            | Qt.TextInteractionFlag.TextSelectableByKeyboard
        )
        try:
            self.lines = first_lines(self.path, SHOWN_LINES)
        except OSError as exc:
            self.lines = [f"(the file cannot be read: {exc.strerror or exc})"]
        self.view.setPlainText("\n".join(self.lines))
        self.view.selectionChanged.connect(self._selection_changed)
        # As high as the lines shown (and a scroll bar), so the table gets the rest.
        frame = 2 * self.view.frameWidth() + 2 * int(self.view.document().documentMargin())
        bar = self.view.horizontalScrollBar().sizeHint().height()
        lines = max(len(self.lines), 3)
        self.view.setMaximumHeight(lines * self.view.fontMetrics().lineSpacing() + frame + bar + 4)
        self.ruler = Ruler(self.view)
        column.addWidget(self.ruler)
        column.addWidget(self.view, 1)
        row = QHBoxLayout()
        row.setContentsMargins(0, 6, 0, 0)
        self.selection_label = QLabel("Select the characters of a field in the lines above.")
        self.selection_label.setObjectName("selectionLabel")
        self.use_button = QPushButton("Use the selected characters")
        self.use_button.setObjectName("useSelection")
        self.use_button.setEnabled(False)
        self.use_button.clicked.connect(self.use_selection)
        row.addWidget(self.selection_label, 1)
        row.addWidget(self.use_button)
        column.addLayout(row)
        return box

    def _build_table(self) -> QWidget:
        self.table = QTableWidget(len(self._fields), 4)
        self.table.setObjectName("layoutFields")
        self.table.setHorizontalHeaderLabels(["Field", "Start column", "Length", "Columns"])
        self.table.verticalHeader().setVisible(False)
        self.table.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        self.table.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
        self.table.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        self._starts: dict[str, QSpinBox] = {}
        self._lengths: dict[str, QSpinBox] = {}
        for r, spec in enumerate(self._fields):
            item = QTableWidgetItem(
                field_label(self.kind.value, spec.name) + (" *" if spec.required else "")
            )
            item.setData(Qt.ItemDataRole.UserRole, spec.name)
            self.table.setItem(r, FIELD, item)
            for c, spins in ((START, self._starts), (LENGTH, self._lengths)):
                spin = QSpinBox()
                spin.setObjectName(f"{'start' if c == START else 'length'}_{spec.name}")
                spin.setRange(0, 9999)
                spin.setSpecialValueText("—")  # 0: the field is not in the file
                spin.setFrame(False)
                spin.valueChanged.connect(lambda _v, r=r: self._edited(r))
                self.table.setCellWidget(r, c, spin)
                spins[spec.name] = spin
            self.table.setItem(r, COLUMNS, QTableWidgetItem(""))
        header = self.table.horizontalHeader()
        header.setSectionResizeMode(FIELD, QHeaderView.ResizeMode.Stretch)
        for c, width in ((START, 120), (LENGTH, 100), (COLUMNS, 100)):
            header.setSectionResizeMode(c, QHeaderView.ResizeMode.Fixed)
            self.table.setColumnWidth(c, width)
        self.table.verticalHeader().setDefaultSectionSize(26)
        self.table.selectRow(0)
        self.table.itemSelectionChanged.connect(self._selection_changed)
        return self.table

    def _build_options(self) -> QHBoxLayout:
        row = QHBoxLayout()
        row.addWidget(QLabel("Skip the first"))
        self.skip_spin = QSpinBox()
        self.skip_spin.setObjectName("skipLines")
        self.skip_spin.setRange(0, 999)
        self.skip_spin.valueChanged.connect(lambda _v: self._refresh())
        row.addWidget(self.skip_spin)
        row.addWidget(QLabel("lines.   Data lines start with:"))
        self.prefix_edit = QLineEdit()
        self.prefix_edit.setObjectName("recordPrefix")
        self.prefix_edit.setPlaceholderText("(any line)")
        self.prefix_edit.setMaximumWidth(110)
        self.prefix_edit.setToolTip(
            "Only lines starting with this text are read (header and trailer records are not)"
        )
        self.prefix_edit.textChanged.connect(lambda _t: self._refresh())
        row.addWidget(self.prefix_edit)
        row.addStretch(1)
        return row

    def _fit_screen(self) -> None:
        screen = self.screen() or QGuiApplication.primaryScreen()
        room = screen.availableGeometry() if screen is not None else QRect(0, 0, 1280, 800)
        self.resize(min(980, room.width() - 40), min(680, room.height() - 40))

    # -- the layout ------------------------------------------------------------------------
    def set_layout(self, layout: FixedLayout) -> None:
        """Show ``layout`` (its fields, skipped lines and record prefix)."""
        for spec in self._fields:
            start, length = layout.fields.get(spec.name, (0, 0))
            self._starts[spec.name].setValue(start)
            self._lengths[spec.name].setValue(length)
        self.skip_spin.setValue(layout.skip_lines)
        self.prefix_edit.setText(layout.record_prefix or "")
        self._refresh()

    def set_field(self, name: str, start: int, length: int) -> None:
        """Place ``name`` at ``start`` (from 1) for ``length`` characters (0: not in the file)."""
        self._starts[name].setValue(start)
        self._lengths[name].setValue(length)

    def spans(self) -> dict[str, tuple[int, int]]:
        """The fields placed: name → (start, length)."""
        out = {}
        for spec in self._fields:
            start, length = self._starts[spec.name].value(), self._lengths[spec.name].value()
            if start or length:
                out[spec.name] = (start, length)
        return out

    def fixed_layout(self) -> FixedLayout:
        """The layout as set (LayoutError when the reader cannot use it)."""
        prefix = self.prefix_edit.text()
        return FixedLayout(
            self.kind,
            self.spans(),
            record_prefix=prefix or None,
            skip_lines=self.skip_spin.value(),
        )

    def apply(self) -> None:
        try:
            layout = self.fixed_layout()
        except LayoutError as exc:
            text = str(exc)
            self.error_label.setText(text[:1].upper() + text[1:] + ".")
            self.error_label.setVisible(True)
            return
        self.error_label.setVisible(False)
        self.applied.emit(layout)
        self.accept()

    # -- selecting characters --------------------------------------------------------------
    def selected_columns(self) -> tuple[int, int] | None:
        """(start, length) of the characters selected in the view (columns from 1)."""
        cursor = self.view.textCursor()
        if not cursor.hasSelection():
            return None
        doc = self.view.document()
        a, b = cursor.selectionStart(), cursor.selectionEnd()
        first, last = doc.findBlock(a), doc.findBlock(b)
        col_a, col_b = a - first.position(), b - last.position()
        if first.blockNumber() != last.blockNumber():
            col_a, col_b = min(col_a, col_b), max(col_a, col_b)
        if col_b <= col_a:
            return None
        return col_a + 1, col_b - col_a

    def select_columns(self, line: int, start: int, length: int) -> None:
        """Select ``length`` characters from column ``start`` of line ``line`` (from 1), as a
        drag of the mouse does."""
        block = self.view.document().findBlockByNumber(line - 1)
        cursor = QTextCursor(block)
        cursor.setPosition(block.position() + start - 1)
        cursor.setPosition(block.position() + start - 1 + length, QTextCursor.MoveMode.KeepAnchor)
        self.view.setTextCursor(cursor)

    def current_field(self) -> str | None:
        row = self.table.currentRow()
        item = self.table.item(row, FIELD) if row >= 0 else None
        return str(item.data(Qt.ItemDataRole.UserRole)) if item is not None else None

    def use_selection(self) -> None:
        """The selected characters become the current field's columns; the next field that
        has none is made current, so fields are placed one after the other."""
        found, name = self.selected_columns(), self.current_field()
        if found is None or name is None:
            return
        self.set_field(name, *found)
        row = self.table.currentRow()
        for r in range(row + 1, len(self._fields)):
            if self._fields[r].name not in self.spans():
                self.table.selectRow(r)
                break

    def _selection_changed(self) -> None:
        found, name = self.selected_columns(), self.current_field()
        self.ruler.selected = found
        self.ruler.update()
        if found is None:
            self.selection_label.setText("Select the characters of a field in the lines above.")
        else:
            start, length = found
            self.selection_label.setText(
                f"Selected: columns {start}–{start + length - 1} ({length} characters)"
            )
        self.use_button.setEnabled(found is not None and name is not None)
        if name is not None:
            self.use_button.setText(f"Use the selected characters for {self._label(name)}")

    def _label(self, name: str) -> str:
        return field_label(self.kind.value, name)

    # -- showing ---------------------------------------------------------------------------
    def _edited(self, row: int) -> None:
        if not self._building:
            self._refresh()

    def _refresh(self) -> None:
        """The table's columns, the tints of the fields in the view, the greyed lines."""
        spans = self.spans()
        for r, spec in enumerate(self._fields):
            item = self.table.item(r, COLUMNS)
            start, length = spans.get(spec.name, (0, 0))
            text = f"{start}–{start + length - 1}" if start and length else ""
            if item is not None:
                item.setText(text)
            name = self.table.item(r, FIELD)
            if name is not None:  # the field's tint in the lines, beside its name
                placed = bool(start and length)
                name.setBackground(QColor(_TINTS[r % len(_TINTS)]) if placed else QBrush())
                name.setForeground(QColor("#202020") if placed else self.palette().text())
        marks: list[QTextEdit.ExtraSelection] = []
        doc = self.view.document()
        prefix, skip = self.prefix_edit.text(), self.skip_spin.value()
        grey = self.palette().placeholderText().color()
        for n, line in enumerate(self.lines):
            block = doc.findBlockByNumber(n)
            data = n >= skip and (not prefix or line.startswith(prefix))
            if not data:
                marks.append(_mark(doc, block.position(), len(line), foreground=grey))
                continue
            for r, spec in enumerate(self._fields):
                start, length = spans.get(spec.name, (0, 0))
                if not start or not length or start > len(line):
                    continue
                tint = QColor(_TINTS[r % len(_TINTS)])
                size = min(length, len(line) - start + 1)
                marks.append(_mark(doc, block.position() + start - 1, size, background=tint))
        self.view.setExtraSelections(marks)


def _mark(
    doc: QTextDocument,
    at: int,
    size: int,
    *,
    background: QColor | None = None,
    foreground: QColor | None = None,
) -> QTextEdit.ExtraSelection:
    """``size`` characters from position ``at`` of ``doc`` drawn in other colours."""
    fmt = QTextCharFormat()
    if background is not None:
        fmt.setBackground(background)
    if foreground is not None:
        fmt.setForeground(foreground)
    cursor = QTextCursor(doc)
    cursor.setPosition(at)
    cursor.setPosition(at + size, QTextCursor.MoveMode.KeepAnchor)
    mark = QTextEdit.ExtraSelection()
    mark.cursor = cursor
    mark.format = fmt
    return mark
